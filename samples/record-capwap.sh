#!/bin/bash
# Record CAPWAP (RFC 5415) samples: an access point's DTLS join to its controller, and
# station traffic in the data channel.  Network namespaces created and deleted here.
#
#   usage (root):  bash samples/record-capwap.sh [name...]    (no name: all of them)
#   names: capwap-dtls-untrusted capwap-dtls-ok capwap-data
#
# What is real and what is framing added by this script (Debian has no CAPWAP
# implementation):
# - capwap-dtls-*: the DTLS 1.2 bytes are real, between OpenSSL's s_client -dtls1_2 (the
#   access point, AP, 10.99.1.1, UDP 40000) and s_server -dtls1_2 (the controller,
#   10.99.1.2, UDP 5246).  Each side talks to a relay on its own loopback
#   (samples/capwap_relay.py); on the captured wire between the relays every datagram
#   carries the 4-byte CAPWAP DTLS header (0x01 0x00 0x00 0x00) in front of the real
#   records: that header is the only byte the script adds.  In capwap-dtls-untrusted the
#   controller's certificate comes from a root the AP does not trust (samples/pki-fail/
#   unknown-ca, made by record-tls-fail.sh): the AP sends a fatal unknown_ca alert.  In
#   capwap-dtls-ok it is the test PKI's leaf and intermediate, and the session completes.
# - capwap-data: two real TCP+TLS connections from curl (the station, 10.99.1.1, MTU 1400 as
#   behind a tunnel) to s_server -www (10.99.1.2:443), recorded on the wire; the first (TLS
#   1.2, so that the chain is visible) to a server with the untrusted certificate (curl
#   refuses it: unknown_ca), the second (TLS 1.3) healthy.
#   samples/capwap_encap.py then writes every recorded Ethernet frame, bytes unchanged, into
#   a CAPWAP data packet between an AP (10.99.9.1:40001) and a controller (10.99.9.2:5247):
#   the first connection as IEEE 802.3 frames (T = 0), the second as IEEE 802.11 QoS data
#   frames with LLC/SNAP (T = 1, WBID 1, radio MAC present).  The outer Ethernet, IPv4, UDP,
#   CAPWAP and 802.11 headers are the script's.
# Only namespaces named sdrec<PID>* are created (10.99.x.x inside them); everything started
# is killed by PID.
set -euo pipefail

ALL=(capwap-dtls-untrusted capwap-dtls-ok capwap-data)
# shellcheck source=samples/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
FAIL=$HERE/pki-fail

fresh_logs() { : >"$TMP/client.log"; : >"$TMP/server.log"; }

# relay ROLE ARGS...: capwap_relay.py in namespace ROLE, until it says it is ready.
relay() {
	local role=$1
	shift
	ip netns exec "$PFX$role" "$PY" "$HERE/capwap_relay.py" "$@" >"$TMP/relay-$role.log" 2>&1 &
	track $!
	local n=50
	until grep -q ready "$TMP/relay-$role.log"; do
		n=$((n - 1)); [ "$n" -gt 0 ] || die "relay in $role did not start"; sleep 0.1
	done
}

# capwap_join CERT-PREFIX CHAIN: s_server -dtls1_2 on 127.0.0.1:4433 in S behind the
# controller's relay (10.99.1.2:5246), s_client in C through the AP's relay (127.0.0.1:5246
# -> wire from UDP 40000); one line each way when the handshake completes.
capwap_join() {
	local crt=$1 chain=$2 c=()
	[ "$chain" = - ] || c=(-cert_chain "$chain")
	rm -f "$TMP/srvin"
	mkfifo "$TMP/srvin"
	exec 8<>"$TMP/srvin"
	ip netns exec "${PFX}s" openssl s_server -dtls1_2 -accept 127.0.0.1:4433 -naccept 1 \
		-cert "$crt.crt" -key "$crt.key" ${c[@]+"${c[@]}"} \
		<&8 8>&- >>"$TMP/server.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID"
	wait_listen_udp s 4433
	relay s 10.99.1.2 5246 127.0.0.1 4433 unwrap
	relay c 127.0.0.1 5246 10.99.1.2 5246 wrap 40000
	{ sleep 0.4; echo "hello from client"; sleep 0.3; echo "hello from server" >&8; sleep 0.4; } |
		timeout 10 ip netns exec "${PFX}c" openssl s_client -dtls1_2 -connect 127.0.0.1:5246 \
			-servername "$SNI" -CAfile "$PKI/root.crt" -verify_return_error \
			-verify_hostname "$SNI" 8>&- >>"$TMP/client.log" 2>&1 || true
	wait_gone "$SRV_PID" 3
	exec 8>&-
}

# A DTLS record from SRC behind the 4-byte CAPWAP DTLS header: udp[8] the preamble,
# udp[12] the record's type, udp[25] a handshake's type, udp[26] an alert's description.
capwap_dtls() {	# capwap_dtls NAME SRC TYPE OFFSET VALUE
	expect "$1" 1 "src host $2 and udp port 5246 and udp[8] == 1 and udp[12] == $3 and udp[$4] == $5"
}

rec_capwap_dtls_untrusted() {
	[ -s "$FAIL/unknown-ca.crt" ] || die "run samples/record-tls-fail.sh first (samples/pki-fail)"
	fresh_logs
	topo_direct
	cap_start c c0 capwap-dtls-untrusted
	capwap_join "$FAIL/unknown-ca" -
	cap_stop capwap-dtls-untrusted
	grep -q 'unable to get local issuer certificate' "$TMP/client.log" ||
		die "the AP did not refuse the unknown issuer"
	capwap_dtls capwap-dtls-untrusted 10.99.1.2 22 25 3	# HelloVerifyRequest
	capwap_dtls capwap-dtls-untrusted 10.99.1.1 21 26 48	# unknown_ca
}

rec_capwap_dtls_ok() {
	fresh_logs
	topo_direct
	cap_start c c0 capwap-dtls-ok
	capwap_join "$PKI/leaf" "$TMP/chain-inter.pem"
	cap_stop capwap-dtls-ok
	grep -q 'hello from client' "$TMP/server.log" || die "server did not get the AP's line"
	grep -q 'hello from server' "$TMP/client.log" || die "the AP did not get the server's line"
	grep -q 'Verify return code: 0 (ok)' "$TMP/client.log" || die "the AP did not verify the chain"
}

# one_get CERT-PREFIX CHAIN CURL-OPTS...: s_server -www on 10.99.1.2:443 for one
# connection, one curl.
one_get() {
	local crt=$1 chain=$2 c=()
	shift 2
	[ "$chain" = - ] || c=(-cert_chain "$chain")
	ip netns exec "${PFX}s" openssl s_server -www -accept 10.99.1.2:443 -naccept 1 \
		-cert "$crt.crt" -key "$crt.key" ${c[@]+"${c[@]}"} </dev/null >>"$TMP/server.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID"
	wait_listen s 443
	timeout 10 ip netns exec "${PFX}c" curl -sS -o /dev/null --cacert "$PKI/root.crt" "$@" \
		--resolve "$SNI:443:10.99.1.2" "https://$SNI/" >>"$TMP/client.log" 2>&1 || true
	wait_gone "$SRV_PID" 3
}

rec_capwap_data() {
	[ -s "$FAIL/unknown-ca.crt" ] || die "run samples/record-tls-fail.sh first (samples/pki-fail)"
	fresh_logs
	topo_direct
	ip -n "${PFX}c" link set c0 mtu 1400
	ip -n "${PFX}s" link set s0 mtu 1400
	cap_start c c0 inner
	one_get "$FAIL/unknown-ca" - --tls-max 1.2
	sleep 0.3
	one_get "$PKI/leaf" "$TMP/chain-inter.pem"
	sleep 0.3
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || true
	untrack "$CAP_PID"
	grep -q '^0 packets dropped by kernel' "$TMP/tcpdump.log" || die "tcpdump dropped packets"
	grep -q 'unable to get local issuer certificate' "$TMP/client.log" ||
		die "curl did not refuse the unknown issuer: $(cat "$TMP/client.log")"
	grep -q 'ACCEPT' "$TMP/server.log" || die "no server ran"
	"$PY" "$HERE/capwap_encap.py" "$TMP/inner.pcap" "$HERE/capwap-data.pcap" 10.99.1.1
	chmod 0644 "$HERE/capwap-data.pcap"
	log "capwap-data.pcap: $(tcpdump -r "$HERE/capwap-data.pcap" 2>/dev/null | wc -l) packets"
	# 802.3 (HLEN 2, T 0) and 802.11 (HLEN 4, T 1, WBID 1) data packets both ways
	expect capwap-data 4 'udp port 5247 and udp[9] == 0x10 and udp[10] & 1 == 0'
	expect capwap-data 4 'udp port 5247 and udp[9] == 0x20 and udp[10] == 0x43'
}

record_main "$@"
