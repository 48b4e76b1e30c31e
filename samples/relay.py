#!/usr/bin/env python3
"""samples/relay.py - a TLS-intercepting relay for the interception samples (record-path.sh).

usage: relay.py PORT UPSTREAM_HOST UPSTREAM_PORT CERT_CHAIN KEY UPSTREAM_CA SNI CONNECTIONS

Works like an inspection firewall in transparent mode: for each client connection (redirected
to PORT by nftables) it first opens its own TLS connection to the real server, verifying it
against UPSTREAM_CA, then answers the client with CERT_CHAIN (a leaf for SNI signed by the
inspection CA) and relays the bytes both ways.  TLS 1.2 on both sides, so the substituted
certificate is visible in the capture.  Exits after CONNECTIONS clients.
"""
import select
import socket
import ssl
import sys


def pump(a, b):
    socks = [a, b]
    while True:
        r, _, _ = select.select(socks, [], [], 5)
        if not r:
            return
        for s in r:
            try:
                data = s.recv(16384)
            except (ssl.SSLError, OSError):
                return
            if not data:
                return
            (b if s is a else a).sendall(data)


def main():
    port, uhost, uport, chain, key, uca, sni, n = sys.argv[1:9]
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.maximum_version = ssl.TLSVersion.TLSv1_2
    sctx.load_cert_chain(chain, key)
    uctx = ssl.create_default_context(cafile=uca)
    uctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", int(port)))
    ls.listen(4)
    print("listening", flush=True)
    for _ in range(int(n)):
        c, peer = ls.accept()
        u = socket.create_connection((uhost, int(uport)), timeout=5)
        us = uctx.wrap_socket(u, server_hostname=sni)
        print("upstream", us.version(), us.getpeercert()["issuer"], flush=True)
        try:
            cs = sctx.wrap_socket(c, server_side=True)
        except (ssl.SSLError, OSError) as e:
            print("client refused:", e, flush=True)
            c.close()
            us.close()
            continue
        print("client accepted", peer, flush=True)
        pump(cs, us)
        for s in (cs, us):
            try:
                s.close()
            except OSError:
                pass


if __name__ == "__main__":
    main()
