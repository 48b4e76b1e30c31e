#!/bin/bash
# Record OpenVPN control channels between a real OpenVPN server and client (Debian's
# openvpn 2.6, OpenSSL 3) in network namespaces created and deleted by this script: the
# TLS handshake inside P_CONTROL messages, over UDP and over TCP, with and without
# tls-auth, and failures.  Each capture stops once the handshake is over (or has failed).
#
#   usage (root):  bash samples/record-openvpn.sh [name...]    (no name: all of them)
#   names: openvpn-udp            UDP, no tls-auth, TLS 1.3: the tunnel comes up
#          openvpn-tcp-tls-auth   TCP, tls-auth with HMAC-SHA256 (32 bytes), TLS 1.2
#          openvpn-unknown-ca     UDP, TLS 1.2: the server's certificate is issued by a CA
#                                 the client does not trust.  The client logs "Sent fatal
#                                 SSL alert: unknown CA" but openvpn 2.6.14 drops the
#                                 session before the alert leaves: the wire shows the
#                                 server's flight unacknowledged, then silence
#          openvpn-no-shared-version  UDP: client tls-version-min 1.3, server
#                                 tls-version-max 1.2; the server drops the session (no
#                                 alert on the wire either), restarts, and its port
#                                 answers the retransmitted ClientHello with ICMP
#
# Peer-to-peer TLS mode (--tls-server / --tls-client) on the null device: no tun device,
# no addresses or routes are configured.  The server uses the test PKI's leaf
# (samples/pki/) or pki-fail/unknown-ca; the client certificate and the tls-auth key are
# made once in samples/pki-ovpn/ (kept when present).  Only namespaces named ovp<PID>* are
# created (10.99.x.x inside them); everything started is killed by PID.
# Needs (besides lib.sh's tools): openvpn.
set -euo pipefail

ALL=(openvpn-udp openvpn-tcp-tls-auth openvpn-unknown-ca openvpn-no-shared-version)
# shellcheck source=samples/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
PFX=ovp$$
OVPN=$HERE/pki-ovpn
FAIL=$HERE/pki-fail

command -v openvpn >/dev/null 2>&1 ||
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openvpn >/dev/null

# The client's certificate (clientAuth, signed by the test intermediate) and a tls-auth key.
make_ovpn_pki() {
	[ -s "$OVPN/client.crt" ] && [ -s "$OVPN/ta.key" ] && return
	log "creating the OpenVPN client certificate and tls-auth key in $OVPN"
	mkdir -p "$OVPN"
	cat >"$TMP/client.cnf" <<-'EOF'
	[req]
	distinguished_name = dn
	[dn]
	[client]
	basicConstraints = critical, CA:FALSE
	keyUsage = critical, digitalSignature
	extendedKeyUsage = clientAuth
	subjectKeyIdentifier = hash
	authorityKeyIdentifier = keyid:always
	EOF
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$OVPN/client.key" 2>/dev/null
	openssl req -new -key "$OVPN/client.key" -subj "/O=Shakedown Samples/CN=vpn-client-1" \
		-config "$TMP/client.cnf" -out "$TMP/client.csr"
	openssl x509 -req -sha256 -days 3650 -in "$TMP/client.csr" -CA "$PKI/inter.crt" \
		-CAkey "$PKI/inter.key" -set_serial 0x5d40 -extfile "$TMP/client.cnf" \
		-extensions client -out "$OVPN/client.crt" 2>/dev/null
	openvpn --genkey secret "$OVPN/ta.key" >/dev/null
}

# ovpn ROLE LOG OPTS...: openvpn in namespace ROLE on the null device, in the background.
OVPN_PID=
ovpn() {
	local role=$1 logf=$2
	shift 2
	ip netns exec "$PFX$role" openvpn --dev null --verb 3 --connect-retry-max 1 \
		--hand-window 8 --ping-exit 30 --suppress-timestamps "$@" >"$logf" 2>&1 &
	OVPN_PID=$!
	track "$OVPN_PID"
}

# session NAME PROTO SERVER-OPTS -- CLIENT-OPTS: one server, one client, capture on the
# client's side; ends when the client logs WAIT (a line) or after 12 s.
session() {
	local name=$1 sproto=$2 cproto=$2 sopts=() copts=() srv cli n
	shift 2
	if [ "$sproto" = tcp ]; then
		sproto=tcp-server
		cproto=tcp-client
	fi
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sopts+=("$1"); shift; done
	shift
	copts=("$@")
	topo_direct
	cap_start c c0 "$name"
	ovpn s "$TMP/server.log" --tls-server --proto "$sproto" --local 10.99.1.2 \
		--lport 1194 --dh none "${sopts[@]}"
	srv=$OVPN_PID
	sleep 0.5
	ovpn c "$TMP/client.log" --tls-client --proto "$cproto" --remote 10.99.1.2 1194 \
		--nobind --ca "$PKI/root.crt" --cert "$OVPN/client.crt" --key "$OVPN/client.key" \
		--extra-certs "$PKI/inter.crt" --verify-x509-name "$SNI" name "${copts[@]}"
	cli=$OVPN_PID
	n=120
	until grep -q -e "$WAIT" "$TMP/client.log" "$TMP/server.log" 2>/dev/null; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || break
		sleep 0.1
	done
	sleep 0.5
	kill -TERM "$cli" 2>/dev/null || true
	wait_gone "$cli" 3
	kill -TERM "$srv" 2>/dev/null || true
	wait_gone "$srv" 3
	cap_stop "$name"
	grep -q -e "$WAIT" "$TMP/client.log" "$TMP/server.log" ||
		die "$name: '$WAIT' never logged: $(tail -n 5 "$TMP/client.log" "$TMP/server.log")"
}

srv_leaf=(--ca "$PKI/root.crt" --cert "$PKI/leaf.crt" --key "$PKI/leaf.key"
	--extra-certs "$PKI/inter.crt")

rec_openvpn_udp() {
	make_ovpn_pki
	WAIT='Initialization Sequence Completed'
	session openvpn-udp udp "${srv_leaf[@]}" --
	expect openvpn-udp 6 'udp port 1194'
}

rec_openvpn_tcp_tls_auth() {
	make_ovpn_pki
	WAIT='Initialization Sequence Completed'
	session openvpn-tcp-tls-auth tcp "${srv_leaf[@]}" --tls-auth "$OVPN/ta.key" 0 \
		--auth SHA256 --tls-version-max 1.2 -- --tls-auth "$OVPN/ta.key" 1 --auth SHA256
	expect openvpn-tcp-tls-auth 10 'tcp port 1194'
}

rec_openvpn_unknown_ca() {
	make_ovpn_pki
	WAIT='SIGUSR1\|Exiting'
	session openvpn-unknown-ca udp --ca "$PKI/root.crt" --cert "$FAIL/unknown-ca.crt" \
		--key "$FAIL/unknown-ca.key" --tls-version-max 1.2 --
	expect openvpn-unknown-ca 4 'udp port 1194'
}

rec_openvpn_no_shared_version() {
	make_ovpn_pki
	WAIT='TLS_ERROR\|TLS error\|protocol version\|unsupported protocol'
	session openvpn-no-shared-version udp "${srv_leaf[@]}" --tls-version-max 1.2 -- \
		--tls-version-min 1.3
	expect openvpn-no-shared-version 2 'udp port 1194'
}

record_main "$@"
