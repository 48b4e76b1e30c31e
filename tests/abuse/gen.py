#!/usr/bin/env python3
"""Write abuse captures (classic pcap, Ethernet) with the standard library only.

Usage: gen.py KIND SCALE OUT.pcap

Each capture is a flood of one kind with a real failure mixed into its middle:
samples/trust-unknown-ca.pcap (a real s_client refusing a real s_server's chain with
unknown_ca), its frames moved to the flood's clock.  SCALE multiplies the flood's size (the
input grows in proportion), so that a test can check that twice the input takes about twice
the time.

KIND (the sizes at SCALE 1):
  syn      SYNs from 100,000 distinct sources (IPv4, random ports) to 500 servers
  ooo      40 connections whose first data segment never arrives, then 1.5 MB each of
           data after the hole, half of it out of order (64 MB at SCALE 1)
  frag     100,000 orphan IPv4 fragments (first, middle and last fragments of datagrams
           whose other fragments never come; IDs and sources all different)
  ike      50,000 IKEv2 IKE_SA_INIT requests from distinct sources and SPIs, none answered
  certs    1,000 TLS 1.2 connections, each with a server Certificate of 8 distinct
           certificates (8,000 certificates), plus one Certificate message of 1,500
           certificates (1.5 MB handshake message)
  tunnels  20,000 packets, each nested 60 deep (GRE in IPv4 in GRE ..., VLAN tags,
           MPLS labels), each with a TLS ClientHello inside
  ext      1,000 ClientHellos with 4,000 extensions each (a 64 KB handshake message over
           several records)
"""
import base64
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
REAL = os.path.join(ROOT, "samples", "trust-unknown-ca.pcap")
CERT_PEM = os.path.join(ROOT, "samples", "pki", "leaf.crt")
def rnd(n):
    return random.getrandbits(8 * n).to_bytes(n, "big")


MAC_A, MAC_B = b"\x02\x00\x00\x00\x00\x01", b"\x02\x00\x00\x00\x00\x02"


class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        self.t = 1_700_000_000.0
        self.n = 0

    def put(self, frame, dt=0.00001):
        self.t += dt
        sec = int(self.t)
        usec = int((self.t - sec) * 1e6)
        self.f.write(struct.pack("<IIII", sec, usec, len(frame), len(frame)))
        self.f.write(frame)
        self.n += 1

    def real_failure(self):
        """The frames of the real sample, at the flood's current time, in their own rhythm."""
        with open(REAL, "rb") as r:
            data = r.read()
        assert struct.unpack("<I", data[:4])[0] == 0xa1b2c3d4
        assert struct.unpack("<I", data[20:24])[0] == 1
        off, last = 24, None
        while off + 16 <= len(data):
            sec, usec, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
            frame = data[off + 16:off + 16 + caplen]
            off += 16 + caplen
            t = sec + usec / 1e6
            self.put(frame, 0.00001 if last is None else max(0.00001, t - last))
            last = t

    def close(self):
        self.f.close()


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip4(src, dst, proto, payload, ident=0, frag=0, ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, frag, ttl, proto, 0,
                    src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def tcp(sport, dport, seq, ack, flags, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xffffffff, ack & 0xffffffff,
                       5 << 4, flags, 65535, 0, 0) + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def eth(payload, etype=0x0800):
    return MAC_B + MAC_A + struct.pack("!H", etype) + payload


def addr(i, net=10):
    return bytes([net, (i >> 16) & 255, (i >> 8) & 255, i & 255])


SYN, ACK, PSH = 0x02, 0x10, 0x08


def hs(kind, body):
    return struct.pack("!B", kind) + struct.pack("!I", len(body))[1:] + body


def records(data, ctype=22, size=16384):
    out = b""
    for i in range(0, len(data), size):
        chunk = data[i:i + size]
        out += struct.pack("!BHH", ctype, 0x0303, len(chunk)) + chunk
    return out


def client_hello(sni=b"flood.example", extra=b""):
    name = struct.pack("!BH", 0, len(sni)) + sni
    ext = struct.pack("!HHH", 0, len(name) + 2, len(name)) + name + extra
    body = (struct.pack("!H", 0x0303) + rnd(32) + b"\0" +
            struct.pack("!HHH", 4, 0xc02f, 0x009c) + b"\x01\x00" +
            struct.pack("!H", len(ext)) + ext)
    return hs(1, body)


def server_hello():
    body = struct.pack("!H", 0x0303) + rnd(32) + b"\0" + struct.pack("!HB", 0xc02f, 0)
    return hs(2, body)


def certificate(ders):
    lst = b"".join(struct.pack("!I", len(d))[1:] + d for d in ders)
    return hs(11, struct.pack("!I", len(lst))[1:] + lst)


def tcp_session(p, c, s, sport, c_data, s_data, mss=1460):
    """A whole TCP connection c:sport -> s:443 carrying c_data then s_data."""
    cs, ss = 1000, 5000
    p.put(eth(ip4(c, s, 6, tcp(sport, 443, cs, 0, SYN))))
    p.put(eth(ip4(s, c, 6, tcp(443, sport, ss, cs + 1, SYN | ACK))))
    p.put(eth(ip4(c, s, 6, tcp(sport, 443, cs + 1, ss + 1, ACK))))
    cs, ss = cs + 1, ss + 1
    for src, dst, sp, dp, data, is_c in ((c, s, sport, 443, c_data, True),
                                         (s, c, 443, sport, s_data, False)):
        for i in range(0, len(data), mss):
            seq = (cs if is_c else ss) + i
            ack = ss if is_c else cs + len(c_data)
            p.put(eth(ip4(src, dst, 6, tcp(sp, dp, seq, ack, ACK | PSH, data[i:i + mss]))))
        if is_c:
            cs += len(data)
        else:
            ss += len(data)


def gen_syn(p, scale):
    n = 100_000 * scale
    for i in range(n):
        if i == n // 2:
            p.real_failure()
        src = addr(i + 1, 10 + (i >> 24))
        p.put(eth(ip4(src, addr(i % 500 + 1, 172), 6,
                      tcp(1024 + i % 60000, 443, random.getrandbits(32), 0, SYN))))


def gen_ooo(p, scale):
    conns, per = 40 * scale, 1_500_000
    chunk = rnd(1448)
    for k in range(conns):
        if k == conns // 2:
            p.real_failure()
        c, s, sport = addr(k + 1), addr(k + 1, 172), 20000 + k
        cs, ss = 7000, 9000
        p.put(eth(ip4(c, s, 6, tcp(sport, 443, cs, 0, SYN))))
        p.put(eth(ip4(s, c, 6, tcp(443, sport, ss, cs + 1, SYN | ACK))))
        p.put(eth(ip4(c, s, 6, tcp(sport, 443, cs + 1, ss + 1, ACK))))
        # the first segment (1448 bytes from cs + 1) never comes; then the rest, each
        # pair of segments swapped
        segs = list(range(1, per // 1448))
        for j in range(0, len(segs) - 1, 2):
            segs[j], segs[j + 1] = segs[j + 1], segs[j]
        for j in segs:
            p.put(eth(ip4(c, s, 6, tcp(sport, 443, cs + 1 + j * 1448, ss + 1, ACK, chunk))))


def gen_frag(p, scale):
    n = 100_000 * scale
    payload = rnd(400)
    for i in range(n):
        if i == n // 2:
            p.real_failure()
        kind = i % 3
        frag = (0x2000 if kind != 2 else 0) | (0 if kind == 0 else 150 * (kind + 1))
        p.put(eth(ip4(addr(i + 1), addr(1, 172), 17, payload, ident=i & 0xffff, frag=frag)))


def ike_sa_init(spi):
    sa = struct.pack("!BBH", 34, 0, 8 + 40) + struct.pack(
        "!BBHBBBB", 0, 0, 40, 1, 1, 8, 4) + b"".join(
        struct.pack("!BBHBBH", 3 if t < 3 else 0, 0, 8, tt, 0, tid)
        for t, (tt, tid) in enumerate(((1, 20), (2, 5), (3, 0), (4, 19))))
    ke = struct.pack("!BBHHH", 40, 0, 8 + 32, 31, 0) + rnd(32)
    nonce = struct.pack("!BBH", 0, 0, 4 + 32) + rnd(32)
    body = sa + ke + nonce
    hdr = spi + b"\0" * 8 + struct.pack("!BBBBII", 33, 0x20, 34, 0x08, 0, 28 + len(body))
    return hdr + body


def gen_ike(p, scale):
    n = 50_000 * scale
    for i in range(n):
        if i == n // 2:
            p.real_failure()
        p.put(eth(ip4(addr(i + 1), addr(1, 172), 17,
                      udp(500, 500, ike_sa_init(struct.pack("!Q", i + 1))))))


def load_cert():
    with open(CERT_PEM) as f:
        pem = f.read()
    b64 = pem.split("-----BEGIN CERTIFICATE-----")[1].split("-----END CERTIFICATE-----")[0]
    return base64.b64decode("".join(b64.split()))


def serial_end(der):
    """Where the serial number of a DER certificate ends (TBSCertificate: SEQ { [0] version,
    INTEGER serial, ...})."""
    i = der.index(b"\xa0\x03\x02\x01\x02") + 5
    assert der[i] == 0x02
    return i + 2 + der[i + 1]


def variant(der, end, k):
    """The certificate with its serial number's last 4 bytes replaced (parses the same, a
    different certificate: its signature no longer matches)."""
    return der[:end - 4] + struct.pack("!I", k) + der[end:]


def gen_certs(p, scale):
    der = load_cert()
    end = serial_end(der)
    conns = 1000 * scale
    for k in range(conns):
        if k == conns // 2:
            p.real_failure()
            big = certificate([variant(der, end, 0x40000000 + j) for j in range(1500)])
            tcp_session(p, addr(1, 11), addr(1, 173), 40000,
                        records(client_hello()), records(server_hello() + big))
        ders = [variant(der, end, k * 8 + j) for j in range(8)]
        tcp_session(p, addr(k + 1), addr(k % 50 + 1, 172), 10000 + k % 50000,
                    records(client_hello(b"c%d.flood.example" % k)),
                    records(server_hello() + certificate(ders)))


def nested(inner_ip, depth, k):
    """inner_ip wrapped depth times in GRE/IPv4, with VLAN tags and MPLS labels outside."""
    pkt = inner_ip
    for d in range(depth):
        pkt = ip4(addr(d + 1, 192), addr(k + 1, 192), 47, struct.pack("!HH", 0, 0x0800) + pkt)
    # MPLS stack of 8 labels over the IPv4, then 8 VLAN tags
    mpls = b"".join(struct.pack("!I", (100 + j) << 12 | (1 if j == 7 else 0) << 8 | 64)
                    for j in range(8))
    tags = b"".join(struct.pack("!HH", 100 + j, 0x8100 if j < 7 else 0x8847) for j in range(8))
    return MAC_B + MAC_A + struct.pack("!H", 0x8100) + tags + mpls + pkt


def gen_tunnels(p, scale):
    n = 20_000 * scale
    ch = records(client_hello(b"deep.example"))
    for k in range(n):
        if k == n // 2:
            p.real_failure()
        inner = ip4(addr(k + 1), addr(1, 172), 6, tcp(30000 + k % 30000, 443, 1, 0, ACK | PSH, ch))
        p.put(nested(inner, 44, k))


def gen_ext(p, scale):
    n = 1_000 * scale
    exts = b"".join(struct.pack("!HH", 0xfe00 + (j % 200), 0) if j % 2 else
                    struct.pack("!HH", 0x1000 + j, 12) + b"x" * 12 for j in range(4000))
    for k in range(n):
        if k == n // 2:
            p.real_failure()
        tcp_session(p, addr(k + 1), addr(k % 100 + 1, 172), 10000 + k % 50000,
                    records(client_hello(b"ext%d.example" % k, exts)), b"")


KINDS = {"syn": gen_syn, "ooo": gen_ooo, "frag": gen_frag, "ike": gen_ike,
         "certs": gen_certs, "tunnels": gen_tunnels, "ext": gen_ext}


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in KINDS:
        sys.exit(__doc__)
    random.seed(1)
    p = Pcap(sys.argv[3])
    KINDS[sys.argv[1]](p, int(sys.argv[2]))
    p.close()
    print(f"{sys.argv[3]}: {p.n} frames")


if __name__ == "__main__":
    main()
