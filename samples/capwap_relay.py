#!/usr/bin/env python3
"""samples/capwap_relay.py - a UDP relay that adds or removes the CAPWAP DTLS header
(RFC 5415 §4.2: preamble 0x01, then 3 reserved bytes) for record-capwap.sh.

usage: capwap_relay.py LISTEN_HOST LISTEN_PORT PEER_HOST PEER_PORT MODE [SOURCE_PORT]

MODE "wrap":   datagrams received on LISTEN (from the local DTLS peer) are sent to PEER with
               the 4-byte header in front; PEER's answers lose it and go back to the last local
               sender.  This is the access point's side: its DTLS client talks to LISTEN.
MODE "unwrap": datagrams received on LISTEN (from the wire) lose the header and go to PEER
               (the local DTLS server); its answers get the header and go back to the last
               wire sender.  This is the controller's side.
SOURCE_PORT: the port the relay sends to PEER from (wrap: the access point's port on the
wire).  The relay exits after 5 s without a datagram.
"""
import select
import socket
import sys

HDR = bytes([0x01, 0x00, 0x00, 0x00])


def main():
    lhost, lport, phost, pport, mode = sys.argv[1:6]
    sport = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    lsock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    lsock.bind((lhost, int(lport)))
    psock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    psock.bind(("0.0.0.0", sport))
    peer = (phost, int(pport))
    back = None
    print("ready", flush=True)
    while True:
        r, _, _ = select.select([lsock, psock], [], [], 5)
        if not r:
            return
        for s in r:
            data, src = s.recvfrom(65535)
            if s is lsock:
                back = src
                if mode == "wrap":
                    psock.sendto(HDR + data, peer)
                elif data[:1] == HDR[:1]:
                    psock.sendto(data[4:], peer)
            elif back is not None:
                if mode == "wrap":
                    if data[:1] == HDR[:1]:
                        lsock.sendto(data[4:], back)
                else:
                    lsock.sendto(HDR + data, back)


if __name__ == "__main__":
    main()
