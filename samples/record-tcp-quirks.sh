#!/bin/bash
# Record real TLS 1.2 connections (OpenSSL s_server and s_client, the Linux TCP stack) in
# network namespaces, then rewrite each capture the way a lossy span port or a buggy
# middlebox shows the same traffic (samples/tcpquirks.py).  The wire was fine every time:
# only the copy in the capture changes.
#
#   usage (root):  bash samples/record-tcp-quirks.sh [name...]    (no name: all of them)
#   names:
#     tcp-capture-loss  the client trusts another CA: it answers the server's chain with a
#                       cleartext unknown_ca alert.  The server's segments are at most 300
#                       bytes (the client's route advertises MSS 300); the capture then
#                       loses the server's 3rd data segment (inside its Certificate), while
#                       the client's ACKs of it remain.
#     tcp-padded-ack    a normal session without TCP timestamps, so that pure ACKs are
#                       54-byte frames; every pure ACK of the client is rewritten to carry 6
#                       zero bytes of Ethernet padding counted in its IPv4 total length (46),
#                       as a known middlebox bug does.  The client's data then follows at the
#                       same sequence number.  TCP checksums are left as sent.
#     tcp-two-synacks   two normal sessions; in the first a second SYN-ACK with another ISN
#                       (ISN + 0x40000000, checksum recomputed) comes just before the real
#                       one, in the second just after it, as from a SYN proxy or load
#                       balancer answering besides the server.  The client acknowledges the
#                       real one.
#
# Same rules as record.sh (it sources the same lib.sh): namespaces sdrec<PID>*, addresses
# 10.99.x.x inside them, everything started is killed by PID on exit.
set -euo pipefail

ALL=(tcp-capture-loss tcp-padded-ack tcp-two-synacks)
# shellcheck source=samples/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
PFX=${SDREC_PREFIX:-$PFX}	# namespace name prefix (default sdrec<PID>)

# rewrite NAME OP ARGS...: samples/NAME.pcap rewritten in place by tcpquirks.py.
rewrite() {
	local name=$1
	shift
	"$PY" "$HERE/tcpquirks.py" "$1" "$HERE/$name.pcap" "$TMP/$name.pcap" "${@:2}"
	install -m 0644 "$TMP/$name.pcap" "$HERE/$name.pcap"
	log "$name.pcap rewritten ($*): $(tcpdump -r "$HERE/$name.pcap" 2>/dev/null | wc -l) packets"
}

no_timestamps() {
	local n
	for n in c s; do
		ip netns exec "$PFX$n" sysctl -qw net.ipv4.tcp_timestamps=0
	done
}

rec_tcp_capture_loss() {
	topo_direct
	ip -n "${PFX}c" route replace 10.99.1.0/24 dev c0 advmss 300
	openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout "$TMP/other.key" \
		-subj "/CN=Other Root" -out "$TMP/other.crt" 2>/dev/null
	cap_start c c0 tcp-capture-loss
	server_start 10.99.1.2:443 "$TMP/chain-inter.pem" -tls1_2
	timeout 8 ip netns exec "${PFX}c" openssl s_client -connect 10.99.1.2:443 -tls1_2 \
		-servername "$SNI" -CAfile "$TMP/other.crt" -verify_return_error </dev/null \
		>"$TMP/client.log" 2>&1 || true
	wait_gone "$SRV_PID" 3
	cap_stop tcp-capture-loss
	grep -q 'unable to get local issuer certificate' "$TMP/client.log" ||
		die "the client did not refuse the chain"
	rewrite tcp-capture-loss drop-segment 443 3
}

rec_tcp_padded_ack() {
	topo_direct
	no_timestamps
	ip -n "${PFX}c" route replace 10.99.1.0/24 dev c0 advmss 300
	cap_start c c0 tcp-padded-ack
	tls_session 10.99.1.2:443 10.99.1.2:443 "$TMP/chain-inter.pem" -tls1_2
	cap_stop tcp-padded-ack
	local cport
	cport=$(tcpdump -nr "$HERE/tcp-padded-ack.pcap" 'tcp[tcpflags] == tcp-syn' 2>/dev/null |
		head -1 | sed 's/.*10\.99\.1\.1\.\([0-9]*\) >.*/\1/')
	rewrite tcp-padded-ack pad-acks "$cport"
}

rec_tcp_two_synacks() {
	topo_direct
	cap_start c c0 tcp-two-synacks
	tls_session 10.99.1.2:443 10.99.1.2:443 "$TMP/chain-inter.pem" -tls1_2
	tls_session 10.99.1.2:443 10.99.1.2:443 "$TMP/chain-inter.pem" -tls1_2
	cap_stop tcp-two-synacks
	rewrite tcp-two-synacks second-synack before,after
}

record_main "$@"
