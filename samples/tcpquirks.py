#!/usr/bin/env python3
"""samples/tcpquirks.py - rewrite a recorded pcap (Ethernet, IPv4, TCP) the way a lossy
span port or a buggy middlebox would have shown the same real traffic.

  tcpquirks.py drop-segment IN OUT PORT N   drop the Nth data segment sent from TCP port
                                            PORT (the capture missed it; the peer's ACKs stay)
  tcpquirks.py pad-acks IN OUT PORT         pure ACKs sent from PORT carry 6 zero bytes of
                                            Ethernet padding counted in the IPv4 total length
                                            (the frame is 60 bytes; TCP checksum untouched)
  tcpquirks.py second-synack IN OUT WHERE   the SYN-ACKs get a copy with another ISN
                                            (ISN + 0x40000000); WHERE lists, one per SYN-ACK
                                            in turn, before | after it (e.g. before,after)
Only what is named changes; every other frame is copied byte for byte."""
import struct
import sys


def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    hdr = data[:24]
    magic = struct.unpack("<I", hdr[:4])[0]
    if magic not in (0xa1b2c3d4, 0xa1b23c4d):
        raise SystemExit("%s: not a little-endian pcap" % path)
    if struct.unpack("<I", hdr[20:24])[0] != 1:
        raise SystemExit("%s: not Ethernet" % path)
    recs, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        recs.append([sec, frac, bytearray(data[off + 16:off + 16 + incl]), orig])
        off += 16 + incl
    return hdr, recs


def write_pcap(path, hdr, recs):
    with open(path, "wb") as f:
        f.write(hdr)
        for sec, frac, frame, _ in recs:
            f.write(struct.pack("<IIII", sec, frac, len(frame), len(frame)))
            f.write(frame)


def csum(b):
    if len(b) % 2:
        b = bytes(b) + b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def tcp_of(frame):
    """(ip offset, ip header length, tcp offset, tcp header length, payload length) or None."""
    if len(frame) < 54 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
        return None
    ihl = (frame[14] & 0x0f) * 4
    tot = struct.unpack("!H", frame[16:18])[0]
    t = 14 + ihl
    thl = (frame[t + 12] >> 4) * 4
    return 14, ihl, t, thl, tot - ihl - thl


def fix_ip(frame):
    frame[24:26] = b"\0\0"
    frame[24:26] = struct.pack("!H", csum(frame[14:14 + (frame[14] & 0x0f) * 4]))


def fix_tcp(frame, info):
    _, ihl, t, thl, plen = info
    seglen = thl + plen
    pseudo = bytes(frame[26:34]) + struct.pack("!BBH", 0, 6, seglen)
    frame[t + 16:t + 18] = b"\0\0"
    frame[t + 16:t + 18] = struct.pack("!H", csum(pseudo + bytes(frame[t:t + seglen])))


def sport(frame, t):
    return struct.unpack("!H", frame[t:t + 2])[0]


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    op, src, dst = sys.argv[1:4]
    hdr, recs = read_pcap(src)
    out = []
    if op == "drop-segment":
        port, n, k = int(sys.argv[4]), int(sys.argv[5]), 0
        for r in recs:
            i = tcp_of(r[2])
            if i and sport(r[2], i[2]) == port and i[4] > 0:
                k += 1
                if k == n:
                    continue
            out.append(r)
        if k < n:
            raise SystemExit("only %d data segments from port %d" % (k, port))
    elif op == "pad-acks":
        port, k = int(sys.argv[4]), 0
        for r in recs:
            f = r[2]
            i = tcp_of(f)
            if i and sport(f, i[2]) == port and i[4] == 0 and f[i[2] + 13] == 0x10 and \
                    i[3] == 20 and len(f) == 54:
                f += b"\0" * 6
                f[16:18] = struct.pack("!H", 46)
                fix_ip(f)
                k += 1
            out.append(r)
        if k == 0:
            raise SystemExit("no pure ACK without options from port %d" % port)
    elif op == "second-synack":
        where, k = sys.argv[4].split(","), 0
        for r in recs:
            f = r[2]
            i = tcp_of(f)
            if i and f[i[2] + 13] & 0x12 == 0x12:
                g = bytearray(f)
                isn = struct.unpack("!I", g[i[2] + 4:i[2] + 8])[0]
                g[i[2] + 4:i[2] + 8] = struct.pack("!I", (isn + 0x40000000) & 0xffffffff)
                fix_tcp(g, i)
                copy = [r[0], r[1], g, len(g)]
                out += [copy, r] if where[k % len(where)] == "before" else [r, copy]
                k += 1
                continue
            out.append(r)
        if k == 0:
            raise SystemExit("no SYN-ACK")
    else:
        raise SystemExit(__doc__)
    write_pcap(dst, hdr, out)


if __name__ == "__main__":
    main()
