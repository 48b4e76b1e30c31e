#!/usr/bin/env python3
"""samples/badhello.py - a crafted TLS client for the malformed-hello samples.

usage: badhello.py HOST PORT SNI FAULT

This is the one crafted side of those captures, and it says so: it asks the real Python
ssl module (OpenSSL) for a real ClientHello (TLS 1.2 and 1.3, SNI), corrupts one field
of it as FAULT says, sends it to a real server (openssl s_server, nginx) and prints what
the server answers (an alert, a reset, or data), so the capture shows a real server's
reaction to a malformed hello.

FAULT:  ext-overrun    the length of the last extension grows by 12 (it then overruns
                       the extensions block by 12 bytes: extension_overrun)
        odd-ciphers    the cipher_suites length grows by 1 (odd: cipher_suites_odd_length),
                       and the handshake and record lengths with it
"""
import socket
import ssl
import sys


def real_client_hello(sni):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname=sni)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return bytearray(out.read())


def ext_start(rec):
    """Offset of the extensions block's length in the record (one record, TLS)."""
    p = 5 + 4 + 2 + 32
    p += 1 + rec[p]                      # session_id
    p += 2 + int.from_bytes(rec[p:p + 2], "big")  # cipher_suites
    p += 1 + rec[p]                      # compression_methods
    return p


def corrupt(rec, fault):
    if fault == "ext-overrun":
        p = ext_start(rec) + 2
        # walk to the last extension (the record holds the whole hello)
        while p + 4 + int.from_bytes(rec[p + 2:p + 4], "big") < len(rec):
            p += 4 + int.from_bytes(rec[p + 2:p + 4], "big")
        n = int.from_bytes(rec[p + 2:p + 4], "big") + 12
        rec[p + 2:p + 4] = n.to_bytes(2, "big")
        return rec
    if fault == "odd-ciphers":
        p = 5 + 4 + 2 + 32
        p += 1 + rec[p]
        n = int.from_bytes(rec[p:p + 2], "big")
        rec[p:p + 2] = (n + 1).to_bytes(2, "big")
        # one more byte (0x00) after the suites, so the lengths around stay consistent
        rec[p + 2 + n:p + 2 + n] = b"\x00"
        hl = int.from_bytes(rec[6:9], "big") + 1
        rec[6:9] = hl.to_bytes(3, "big")
        rl = int.from_bytes(rec[3:5], "big") + 1
        rec[3:5] = rl.to_bytes(2, "big")
        return rec
    raise SystemExit("unknown fault " + fault)


def main():
    host, port, sni, fault = sys.argv[1:5]
    rec = corrupt(real_client_hello(sni), fault)
    s = socket.create_connection((host, int(port)), timeout=5)
    s.sendall(bytes(rec))
    try:
        data = s.recv(4096)
        if len(data) >= 7 and data[0] == 21:
            print("alert", data[5], data[6], flush=True)
        else:
            print("answer", data[:16].hex() if data else "eof", flush=True)
    except ConnectionResetError:
        print("reset", flush=True)
    except socket.timeout:
        print("silence", flush=True)
    s.close()


if __name__ == "__main__":
    main()
