#!/usr/bin/env python3
"""samples/certrelay.py - a TCP relay that corrupts one certificate length (record-malformed.sh).

usage: certrelay.py PORT UPSTREAM_HOST UPSTREAM_PORT GROW

Stands for a faulty middlebox or offloader between a real client (openssl s_client) and a
real server (openssl s_server, TLS 1.2, so the Certificate is in clear): it relays the
bytes both ways unchanged, except that in the server's Certificate message the 3-byte
length of the second certificate grows by GROW bytes (the record, message and list
lengths stay as they were), so that certificate overruns the certificate_list.  One
connection, then it exits.
"""
import select
import socket
import sys


class Corrupter:
    """Server-to-client bytes: records are parsed as they pass, the first Certificate
    handshake message is altered in place; everything else passes untouched."""

    def __init__(self, grow):
        self.grow = grow
        self.buf = bytearray()
        self.done = False

    def feed(self, data):
        if self.done:
            return bytes(data)
        self.buf += data
        out = bytearray()
        while len(self.buf) >= 5:
            n = int.from_bytes(self.buf[3:5], "big")
            if len(self.buf) < 5 + n:
                break
            rec = self.buf[:5 + n]
            del self.buf[:5 + n]
            if rec[0] == 22 and not self.done:
                self.scan(rec)
            out += rec
        return bytes(out)

    def scan(self, rec):
        """Find a Certificate (type 11) starting in this record and alter it."""
        p = 5
        while p + 4 <= len(rec):
            t = rec[p]
            mlen = int.from_bytes(rec[p + 1:p + 4], "big")
            if t == 11 and p + 4 + 3 + 3 <= len(rec):
                q = p + 4 + 3                   # first certificate's length
                first = int.from_bytes(rec[q:q + 3], "big")
                q += 3 + first                  # second certificate's length
                if q + 3 <= len(rec):
                    n = int.from_bytes(rec[q:q + 3], "big") + self.grow
                    rec[q:q + 3] = n.to_bytes(3, "big")
                    print("corrupted certificate 2 length to", n, flush=True)
                    self.done = True
                return
            p += 4 + mlen


def main():
    port, uhost, uport, grow = sys.argv[1:5]
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", int(port)))
    ls.listen(1)
    print("listening", flush=True)
    c, _ = ls.accept()
    u = socket.create_connection((uhost, int(uport)), timeout=5)
    cor = Corrupter(int(grow))
    socks = [c, u]
    while True:
        r, _, _ = select.select(socks, [], [], 5)
        if not r:
            break
        try:
            if c in r:
                d = c.recv(16384)
                if not d:
                    break
                u.sendall(d)
            if u in r:
                d = u.recv(16384)
                if not d:
                    break
                c.sendall(cor.feed(d))
        except OSError:
            break
    for s in (c, u):
        s.close()


if __name__ == "__main__":
    main()
