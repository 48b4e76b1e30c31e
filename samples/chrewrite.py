#!/usr/bin/env python3
"""samples/chrewrite.py - a faulty middlebox for the hrr-rewritten sample (record-path.sh).

usage: chrewrite.py PORT UPSTREAM_HOST UPSTREAM_PORT

A transparent TCP relay (clients are redirected to PORT by nftables) that passes every byte
through, except that it "normalises" the client's second TLS ClientHello: it puts back the
key_share extension of the first ClientHello.  After a HelloRetryRequest the server then
gets a ClientHello whose key share is not for the group it asked for, as behind a middlebox
that caches or rewrites ClientHellos.  The TLS endpoints on both sides are real (OpenSSL
s_client and s_server); only this rewrite is simulated.  Handles one connection, then exits.
"""
import select
import socket
import struct
import sys

KEY_SHARE = 51


def extensions(body):
    """Offsets of a ClientHello body: (start of the extensions block, its length)."""
    p = 2 + 32
    p += 1 + body[p]                                   # session id
    p += 2 + struct.unpack(">H", body[p:p + 2])[0]     # cipher suites
    p += 1 + body[p]                                   # compression methods
    return p + 2, struct.unpack(">H", body[p:p + 2])[0]


def find_ext(body, etype):
    start, n = extensions(body)
    p = start
    while p + 4 <= start + n:
        t, ln = struct.unpack(">HH", body[p:p + 4])
        if t == etype:
            return p, 4 + ln
        p += 4 + ln
    return None


def rewrite(record, saved):
    """record: one TLS record holding a ClientHello.  Returns (record, key_share bytes)."""
    body = record[9:]
    hit = find_ext(body, KEY_SHARE)
    if hit is None:
        return record, None
    off, ln = hit
    mine = body[off:off + ln]
    if saved is None:
        return record, mine
    body = body[:off] + saved + body[off + ln:]
    start, n = extensions(body)
    body = body[:start - 2] + struct.pack(">H", n + len(saved) - ln) + body[start:]
    hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
    sys.stderr.write("rewrote the second ClientHello's key_share\n")
    return record[:3] + struct.pack(">H", len(hs)) + hs, mine


def main():
    port, uhost, uport = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(4)
    print("listening", flush=True)
    c, _ = ls.accept()
    u = socket.create_connection((uhost, uport))
    buf, hellos, saved, passthru = b"", 0, None, False
    while True:
        r, _, _ = select.select([c, u], [], [], 5)
        if not r:
            break
        done = False
        for s in r:
            data = s.recv(16384)
            if not data:
                done = True
                break
            if s is u:
                c.sendall(data)
                continue
            if passthru:
                u.sendall(data)
                continue
            buf += data
            while len(buf) >= 5 and len(buf) >= 5 + struct.unpack(">H", buf[3:5])[0]:
                n = 5 + struct.unpack(">H", buf[3:5])[0]
                rec, buf = buf[:n], buf[n:]
                if rec[0] == 22 and len(rec) > 9 and rec[5] == 1 and hellos < 2:
                    hellos += 1
                    rec, ks = rewrite(rec, saved if hellos == 2 else None)
                    if hellos == 1:
                        saved = ks
                    else:
                        passthru = True
                u.sendall(rec)
            if passthru and buf:
                u.sendall(buf)
                buf = b""
        if done:
            break
    c.close()
    u.close()


if __name__ == "__main__":
    main()
