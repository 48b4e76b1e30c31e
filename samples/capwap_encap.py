#!/usr/bin/env python3
"""samples/capwap_encap.py - put the frames of a real capture into a CAPWAP data channel
(RFC 5415 §4.3, RFC 5416 §3) for record-capwap.sh.

usage: capwap_encap.py IN.pcap OUT.pcap CLIENT_IP

IN.pcap is an Ethernet capture of real TCP+TLS connections made by CLIENT_IP (the wireless
station).  Every frame of it becomes the payload of one CAPWAP data packet between an access
point (10.99.9.1, UDP 40001) and its controller (10.99.9.2, UDP 5247), at the frame's own
time: the station's frames go from the access point to the controller, the others back.
The frames of the first TCP connection are carried as IEEE 802.3 (T = 0); those of the
later ones as IEEE 802.11 QoS data frames (T = 1, WBID 1) with an LLC/SNAP header, the
radio MAC address in the CAPWAP header (M = 1, HLEN 4).  The TCP/TLS bytes are the real
ones; the outer Ethernet, IPv4, UDP, CAPWAP and 802.11 headers are written here.
"""
import struct
import sys

AP_MAC = bytes.fromhex("029900000901")
AC_MAC = bytes.fromhex("029900000902")
BSSID = bytes.fromhex("029900000a01")
AP_IP = bytes([10, 99, 9, 1])
AC_IP = bytes([10, 99, 9, 2])
AP_PORT = 40001
AC_PORT = 5247


def ip_checksum(h):
    s = sum(struct.unpack("!10H", h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def capwap_header(dot11):
    """Preamble 0, HLEN, RID 1, WBID 1, flags; fragment id/offset 0."""
    if dot11:
        hlen, t, m = 4, 1, 1
    else:
        hlen, t, m = 2, 0, 0
    v = hlen << 19 | 1 << 14 | 1 << 9 | t << 8 | m << 4
    h = bytes([0x00]) + v.to_bytes(3, "big") + bytes(4)
    if m:
        h += bytes([6]) + BSSID + bytes(1)	# radio MAC: length, address, padding
    return h


def dot11_frame(eth, uplink, seq):
    """An 802.11 QoS data frame carrying the Ethernet frame's payload (LLC/SNAP)."""
    dst, src, etype = eth[0:6], eth[6:12], eth[12:14]
    if uplink:	# To DS: BSSID, source station, destination
        fc1, a1, a2, a3 = 0x01, BSSID, src, dst
    else:		# From DS: destination station, BSSID, source
        fc1, a1, a2, a3 = 0x02, dst, BSSID, src
    hdr = bytes([0x88, fc1]) + struct.pack("<H", 0x2C) + a1 + a2 + a3
    hdr += struct.pack("<H", (seq & 0xFFF) << 4) + struct.pack("<H", 0)	# seq, QoS
    return hdr + bytes([0xAA, 0xAA, 0x03, 0, 0, 0]) + etype + eth[14:]


def outer(payload, uplink, ipid):
    udp_len = 8 + len(payload)
    sport, dport = (AP_PORT, AC_PORT) if uplink else (AC_PORT, AP_PORT)
    udp = struct.pack("!HHHH", sport, dport, udp_len, 0)
    src, dst = (AP_IP, AC_IP) if uplink else (AC_IP, AP_IP)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, ipid, 0x4000, 64, 17, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    eth = (AC_MAC + AP_MAC) if uplink else (AP_MAC + AC_MAC)
    return eth + b"\x08\x00" + ip + udp + payload


def main():
    src, dst, client = sys.argv[1], sys.argv[2], bytes(int(x) for x in sys.argv[3].split("."))
    data = open(src, "rb").read()
    magic, = struct.unpack("<I", data[:4])
    if magic != 0xA1B2C3D4 or struct.unpack("<I", data[20:24])[0] != 1:
        sys.exit("need a little-endian microsecond pcap of Ethernet frames")
    out = bytearray(data[:24])
    conns, off, ipid, seq = [], 24, 1, 0
    while off + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) < 38 or frame[12:14] != b"\x08\x00" or frame[23] != 6:
            continue	# IPv4 TCP only (no ARP)
        uplink = frame[26:30] == client
        ihl = (frame[14] & 0x0F) * 4
        cport = frame[14 + ihl:16 + ihl] if uplink else frame[16 + ihl:18 + ihl]
        if cport not in conns:
            conns.append(cport)
        if conns.index(cport) == 0:
            pkt = capwap_header(False) + frame
        else:
            pkt = capwap_header(True) + dot11_frame(frame, uplink, seq)
            seq += 1
        o = outer(pkt, uplink, ipid)
        ipid += 1
        out += struct.pack("<IIII", sec, usec, len(o), len(o)) + o
    open(dst, "wb").write(out)


if __name__ == "__main__":
    main()
