#!/bin/bash
# Record TLS negotiation and trust failures between real implementations (OpenSSL
# s_server/s_client) in network namespaces created and deleted by this script.
#
#   usage (root):  bash samples/record-tls-fail.sh [name...]    (no name: all of them)
#   names: neg-no-shared-cipher neg-no-shared-version neg-no-shared-group
#          neg-client-cert-missing neg-fatal-alert neg-dtls-resume-alert trust-rejected
#          trust-unknown-ca trust-self-signed trust-expired trust-not-yet-valid
#          trust-name-mismatch trust-incomplete-chain trust-weak trust-key-type-changed
#          trust-private-root-ok trust-expired-intermediate trust-wrong-order
#          trust-incomplete-elsewhere trust-incomplete-aia dtls-no-shared-cipher dtls-untrusted
#          tls-client-hello-dropped
#
# The failing certificates are made once in samples/pki-fail/ (kept when present), from
# the test PKI in samples/pki/ (its intermediate signs the expired, not-yet-valid, weak, EC
# and wrong-name leaves) and from a second root that no client trusts.  The chain cases
# (private root, expired intermediate, stray certificate, AIA) have theirs in
# samples/pki-trust/, made the same way.  Only namespaces named sdrec<PID>* are created
# (10.99.x.x inside them); everything started is killed by PID.
# Needs (besides lib.sh's tools): faketime.
set -euo pipefail

ALL=(neg-no-shared-cipher neg-no-shared-version neg-no-shared-group neg-client-cert-missing
     neg-fatal-alert neg-dtls-resume-alert trust-rejected trust-unknown-ca trust-self-signed
     trust-expired trust-not-yet-valid trust-name-mismatch trust-incomplete-chain trust-weak
     trust-key-type-changed trust-private-root-ok trust-expired-intermediate trust-wrong-order
     trust-incomplete-elsewhere trust-incomplete-aia dtls-no-shared-cipher dtls-untrusted
     tls-client-hello-dropped)
# shellcheck source=samples/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
FAIL=$HERE/pki-fail
TRUST=$HERE/pki-trust

# ---------------------------------------------------------------- failing PKI
# fail_sign NAME CN SAN DAYS ISSUER [genpkey opts...]: key NAME.key, certificate NAME.crt
# signed by ISSUER (crt/key prefix; "self" for a self-signed one), SHA-256 unless
# SIGALG is set.
fail_sign() {
	local name=$1 cn=$2 san=$3 days=$4 issuer=$5
	shift 5
	openssl genpkey "$@" -out "$FAIL/$name.key" 2>/dev/null
	cat >"$TMP/$name.cnf" <<-XEOF
	[req]
	distinguished_name = dn
	[dn]
	[leaf]
	basicConstraints = critical, CA:FALSE
	keyUsage = critical, digitalSignature, keyEncipherment
	extendedKeyUsage = serverAuth
	subjectAltName = DNS:$san
	subjectKeyIdentifier = hash
	[ca]
	basicConstraints = critical, CA:TRUE
	keyUsage = critical, keyCertSign, cRLSign
	subjectKeyIdentifier = hash
	XEOF
	local ext=leaf
	case $name in *root*) ext=ca ;; esac
	if [ "$issuer" = self ]; then
		${FT:-} openssl req -new -x509 -"${SIGALG:-sha256}" -days "$days" -key "$FAIL/$name.key" \
			-subj "/O=Shakedown Samples/CN=$cn" -config "$TMP/$name.cnf" -extensions "$ext" \
			-out "$FAIL/$name.crt"
	else
		openssl req -new -key "$FAIL/$name.key" -subj "/O=Shakedown Samples/CN=$cn" \
			-config "$TMP/$name.cnf" -out "$TMP/$name.csr"
		${FT:-} openssl x509 -req -"${SIGALG:-sha256}" -days "$days" -in "$TMP/$name.csr" \
			-CA "$issuer.crt" -CAkey "$issuer.key" -set_serial "0x$(openssl rand -hex 8)" \
			-extfile "$TMP/$name.cnf" -extensions "$ext" -out "$FAIL/$name.crt" 2>/dev/null
	fi
}

make_fail_pki() {
	local rsa=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048)
	mkdir -p "$FAIL"
	# signed "in 2036" (faketime): valid from then on, as if the signer's clock ran ten
	# years ahead (made on its own so that the older certificates stay as they are)
	[ -s "$FAIL/not-yet-valid.crt" ] ||
		FT="faketime 2036-01-01" fail_sign not-yet-valid "$SNI" "$SNI" 3650 "$PKI/inter" "${rsa[@]}"
	[ -s "$FAIL/ec.crt" ] && return
	log "creating failing certificates in $FAIL"
	fail_sign other-root "Other Untrusted Root CA" x 3650 self "${rsa[@]}"
	fail_sign unknown-ca "$SNI" "$SNI" 3650 "$FAIL/other-root" "${rsa[@]}"
	fail_sign self-signed "$SNI" "$SNI" 3650 self "${rsa[@]}"
	FT="faketime 2024-01-01" fail_sign expired "$SNI" "$SNI" 30 "$PKI/inter" "${rsa[@]}"
	fail_sign wrong-name other.example.test other.example.test 3650 "$PKI/inter" "${rsa[@]}"
	SIGALG=sha1 fail_sign weak "$SNI" "$SNI" 3650 "$PKI/inter" \
		-algorithm RSA -pkeyopt rsa_keygen_bits:1024
	fail_sign ec "$SNI" "$SNI" 3650 "$PKI/inter" -algorithm EC -pkeyopt ec_paramgen_curve:P-256
}

# ---------------------------------------------------------------- chain PKI
# trust_sign NAME CN PROFILE ISSUER [SERIAL]: RSA 2048 key NAME.key and certificate NAME.crt in
# pki-trust/, signed by ISSUER (crt/key prefix, "self" for a self-signed one) with SHA-256,
# valid 10 years (DAYS) from now (or from the time FT, a faketime prefix, pretends).
# PROFILE: root, inter (CA, pathlen 0), leaf (SAN DNS:CN), aia (leaf with an Authority
# Information Access caIssuers URL).
trust_sign() {
	local name=$1 cn=$2 prof=$3 issuer=$4 serial=${5:-0x$(openssl rand -hex 8)}
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$TRUST/$name.key" 2>/dev/null
	cat >"$TMP/$name.cnf" <<-EOF
	[req]
	distinguished_name = dn
	[dn]
	[root]
	basicConstraints = critical, CA:TRUE
	keyUsage = critical, keyCertSign, cRLSign
	subjectKeyIdentifier = hash
	[inter]
	basicConstraints = critical, CA:TRUE, pathlen:0
	keyUsage = critical, keyCertSign, cRLSign
	subjectKeyIdentifier = hash
	authorityKeyIdentifier = keyid:always
	[leaf]
	basicConstraints = critical, CA:FALSE
	keyUsage = critical, digitalSignature, keyEncipherment
	extendedKeyUsage = serverAuth
	subjectAltName = DNS:$cn
	subjectKeyIdentifier = hash
	authorityKeyIdentifier = keyid:always
	[aia]
	basicConstraints = critical, CA:FALSE
	keyUsage = critical, digitalSignature, keyEncipherment
	extendedKeyUsage = serverAuth
	subjectAltName = DNS:$cn
	subjectKeyIdentifier = hash
	authorityKeyIdentifier = keyid:always
	authorityInfoAccess = caIssuers;URI:http://pki.example.test/inter.crt
	EOF
	local org="Shakedown Samples"
	case $name in old-*) org="Old Provider" ;; private-*) org="Example Corp" ;; esac
	if [ "$issuer" = self ]; then
		${FT:-} openssl req -new -x509 -sha256 -days "${DAYS:-3650}" -key "$TRUST/$name.key" \
			-set_serial "$serial" -subj "/O=$org/CN=$cn" -config "$TMP/$name.cnf" \
			-extensions "$prof" -out "$TRUST/$name.crt"
	else
		openssl req -new -key "$TRUST/$name.key" -subj "/O=$org/CN=$cn" \
			-config "$TMP/$name.cnf" -out "$TMP/$name.csr"
		${FT:-} openssl x509 -req -sha256 -days "${DAYS:-3650}" -in "$TMP/$name.csr" \
			-CA "$issuer.crt" -CAkey "$issuer.key" -set_serial "$serial" \
			-extfile "$TMP/$name.cnf" -extensions "$prof" -out "$TRUST/$name.crt" 2>/dev/null
	fi
}

make_trust_pki() {
	if [ ! -s "$TRUST/aia.crt" ]; then
		log "creating chain-case certificates in $TRUST"
		mkdir -p "$TRUST"
		# a private root that only the client of trust-private-root-ok trusts
		trust_sign private-root "Example Corp Private Root CA" root self 0x5d21
		trust_sign private-inter "Example Corp Issuing CA" inter "$TRUST/private-root" 0x5d22
		trust_sign private-leaf "$SNI" leaf "$TRUST/private-inter" 0x5d23
		# an intermediate of the test root that expired yesterday (signed with faketime two
		# days ago, valid for one day), and a valid leaf under it
		FT="faketime @$(( $(date +%s) - 2 * 86400 ))" DAYS=1 trust_sign expired-inter \
			"Shakedown Expired Intermediate CA" inter "$PKI/root" 0x5d24
		trust_sign expired-inter-leaf "$SNI" leaf "$TRUST/expired-inter" 0x5d25
		# a stale intermediate of another provider (its root is not sent anywhere)
		trust_sign old-root "Old Provider Root CA" root self 0x5d26
		trust_sign old-inter "Old Provider Intermediate CA" inter "$TRUST/old-root" 0x5d27
		# leaves of the test intermediate: another name, and one with an AIA URL
		trust_sign api "api.example.test" leaf "$PKI/inter" 0x5d28
		trust_sign aia "$SNI" aia "$PKI/inter" 0x5d29
	fi
	openssl verify -CAfile "$TRUST/private-root.crt" -untrusted "$TRUST/private-inter.crt" \
		"$TRUST/private-leaf.crt" >/dev/null || die "private chain does not verify"
	openssl verify -CAfile "$PKI/root.crt" -untrusted "$PKI/inter.crt" "$TRUST/api.crt" \
		"$TRUST/aia.crt" >/dev/null || die "api/aia leaves do not verify"
}

# ---------------------------------------------------------------- sessions
# srv (lib.sh): s_server in S for one connection.

# cli OPTS...: s_client with SNI and full verification of the test PKI; sends a line.
cli() {
	{ sleep 0.4; echo "hello from client"; sleep 0.4; } |
		timeout 10 ip netns exec "${PFX}c" openssl s_client -connect 10.99.1.2:443 \
			-servername "$SNI" -CAfile "$PKI/root.crt" -verify_return_error \
			-verify_hostname "$SNI" "$@" 8>&- >"$TMP/client.log" 2>&1 || true
	wait_gone "$SRV_PID" 3
	exec 8>&-
}

# one NAME SRV-CERT CHAIN SRV-OPTS... -- CLI-OPTS...: a capture of one session.
one() {
	local name=$1 crt=$2 chain=$3 s=()
	shift 3
	while [ $# -gt 0 ] && [ "$1" != -- ]; do s+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	topo_direct
	cap_start c c0 "$name"
	srv "$crt" "$chain" ${s[@]+"${s[@]}"}
	cli "$@"
	cap_stop "$name"
}

client_alert() {	# client_alert NAME DESC: the client sent a cleartext alert DESC
	expect "$1" 1 "src host 10.99.1.1 and tcp[((tcp[12] >> 4) * 4)] == 21 and tcp[((tcp[12] >> 4) * 4) + 6] == $2"
}
server_alert() {
	expect "$1" 1 "src host 10.99.1.2 and tcp[((tcp[12] >> 4) * 4)] == 21 and tcp[((tcp[12] >> 4) * 4) + 6] == $2"
}

# ---------------------------------------------------------------- captures
rec_neg_no_shared_cipher() {
	one neg-no-shared-cipher "$PKI/leaf" "$TMP/chain-inter.pem" -tls1_2 \
		-cipher ECDHE-RSA-AES128-GCM-SHA256 -- -tls1_2 -cipher AES256-SHA:AES128-SHA
	server_alert neg-no-shared-cipher 40
}

rec_neg_no_shared_version() {
	one neg-no-shared-version "$PKI/leaf" "$TMP/chain-inter.pem" -tls1_3 -- -tls1_2
	server_alert neg-no-shared-version 70
}

rec_neg_no_shared_group() {
	one neg-no-shared-group "$PKI/leaf" "$TMP/chain-inter.pem" -tls1_3 -groups X25519 -- \
		-tls1_3 -groups P-384
	server_alert neg-no-shared-group 40
}

rec_neg_client_cert_missing() {
	topo_direct
	cap_start c c0 neg-client-cert-missing
	srv "$PKI/leaf" "$TMP/chain-inter.pem" -tls1_2 -Verify 1 -CAfile "$PKI/root.crt"
	cli -tls1_2
	sleep 0.3
	srv "$PKI/leaf" "$TMP/chain-inter.pem" -tls1_3 -Verify 1 -CAfile "$PKI/root.crt"
	cli -tls1_3
	cap_stop neg-client-cert-missing
	server_alert neg-client-cert-missing 40
}

rec_neg_fatal_alert() {
	# the server only knows other.example.test and refuses other names with a fatal
	# unrecognized_name (112) instead of the usual warning
	one neg-fatal-alert "$FAIL/wrong-name" "$TMP/chain-inter.pem" -tls1_2 \
		-servername other.example.test -servername_fatal \
		-cert2 "$FAIL/wrong-name.crt" -key2 "$FAIL/wrong-name.key" -- -tls1_2
	server_alert neg-fatal-alert 112
}

# DTLS 1.2, session ids (no tickets): a full handshake saves the session
# (ECDHE-RSA-AES256-GCM-SHA384), then the
# client, its cipher list changed to AES128-GCM only, offers that session again.  The
# server finds it in its cache, but may only resume it with the session's own cipher, which
# the ClientHello no longer lists: fatal illegal_parameter (47) to the resumption attempt
# (as VPN clients do when their DTLS cipher setting changes between sessions).
rec_neg_dtls_resume_alert() {
	topo_direct
	cap_start c c0 neg-dtls-resume-alert
	dtls_server_start -naccept 2 -no_ticket
	local c=(timeout 10 ip netns exec "${PFX}c" openssl s_client -dtls1_2 -connect 10.99.1.2:4433
		-servername "$SNI" -CAfile "$PKI/root.crt" -verify_return_error -verify_hostname "$SNI")
	{ sleep 0.4; echo "hello from client"; sleep 0.4; } |
		"${c[@]}" -sess_out "$TMP/dtls.sess" 8>&- >"$TMP/client.log" 2>&1 || true
	sleep 0.3
	{ sleep 0.4; echo "hello again"; sleep 0.4; } |
		"${c[@]}" -sess_in "$TMP/dtls.sess" -cipher ECDHE-RSA-AES128-GCM-SHA256 8>&- \
		>>"$TMP/client.log" 2>&1 || true
	wait_gone "$SRV_PID" 3
	exec 8>&-
	cap_stop neg-dtls-resume-alert
	grep -q 'Cipher is ECDHE-RSA-AES256-GCM-SHA384' "$TMP/client.log" ||
		die "the first handshake did not use ECDHE-RSA-AES256-GCM-SHA384"
	# an alert record (21) from the server whose description is illegal_parameter (47)
	expect neg-dtls-resume-alert 1 'udp src port 4433 and udp[8] == 21 and udp[22] == 47'
}

rec_trust_rejected() {
	# a sound chain (test PKI) that this client does not trust: it trusts only the
	# other root (the later -CAfile wins)
	one trust-rejected "$PKI/leaf" "$TMP/chain-inter.pem" -tls1_2 -- -tls1_2 \
		-CAfile "$FAIL/other-root.crt"
	client_alert trust-rejected 48
}

rec_trust_unknown_ca() {
	one trust-unknown-ca "$FAIL/unknown-ca" - -tls1_2 -- -tls1_2
	client_alert trust-unknown-ca 48
}

rec_trust_self_signed() {
	one trust-self-signed "$FAIL/self-signed" - -tls1_2 -- -tls1_2
	client_alert trust-self-signed 48
}

rec_trust_expired() {
	one trust-expired "$FAIL/expired" "$TMP/chain-inter.pem" -tls1_2 -- -tls1_2
	client_alert trust-expired 45
}

rec_trust_not_yet_valid() {
	one trust-not-yet-valid "$FAIL/not-yet-valid" "$TMP/chain-inter.pem" -tls1_2 -- -tls1_2
	client_alert trust-not-yet-valid 42
}

rec_trust_name_mismatch() {
	one trust-name-mismatch "$FAIL/wrong-name" "$TMP/chain-inter.pem" -tls1_2 -- -tls1_2
	client_alert trust-name-mismatch 42
}

rec_trust_incomplete_chain() {
	one trust-incomplete-chain "$PKI/leaf" - -tls1_2 -- -tls1_2
	client_alert trust-incomplete-chain 48
}

rec_trust_weak() {
	# security level 0 on both sides, or OpenSSL 3 refuses the 1024-bit SHA-1 leaf
	one trust-weak "$FAIL/weak" "$TMP/chain-inter.pem" -tls1_2 -cipher 'DEFAULT:@SECLEVEL=0' -- \
		-tls1_2 -cipher 'DEFAULT:@SECLEVEL=0'
	grep -q 'Verify return code: 0 (ok)' "$TMP/client.log" || die "client did not verify the weak leaf"
}

rec_trust_key_type_changed() {
	topo_direct
	cap_start c c0 trust-key-type-changed
	srv "$PKI/leaf" "$TMP/chain-inter.pem" -tls1_2
	cli -tls1_2
	sleep 0.3
	srv "$FAIL/ec" "$TMP/chain-inter.pem" -tls1_2
	cli -tls1_2
	cap_stop trust-key-type-changed
}

# ---------------------------------------------------------------- chain cases, DTLS, dropped hello
# srv_on ACCEPT CERT-PREFIX CHAIN(- for none) OPTS...: like srv, on another address or port
# (OPTS may repeat -naccept).
srv_on() {
	local acc=$1 crt=$2 chain=$3
	shift 3
	local c=()
	[ "$chain" = - ] || c=(-cert_chain "$chain")
	rm -f "$TMP/srvin"
	mkfifo "$TMP/srvin"
	exec 8<>"$TMP/srvin"
	ip netns exec "${PFX}s" openssl s_server -accept "$acc" -naccept 1 \
		-cert "$crt.crt" -key "$crt.key" ${c[@]+"${c[@]}"} "$@" \
		<&8 8>&- >>"$TMP/server.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID"
	wait_listen s "${acc##*:}"
}

# cli_to HOST:PORT SNI CAFILE OPTS...: s_client with SNI and full verification against
# CAFILE; one line from the client, one line back from the server (when the handshake
# succeeded), then close_notify and FIN.  Appends to client.log.  Then waits for the server
# to end (at most 3 s, then kills it), unless KEEP_SERVER is set.
cli_to() {
	local conn=$1 sni=$2 ca=$3
	shift 3
	{ sleep 0.4; echo "hello from client"; sleep 0.3; echo "hello from server" >&8; sleep 0.4; } |
		timeout 10 ip netns exec "${PFX}c" openssl s_client -connect "$conn" -servername "$sni" \
			-CAfile "$ca" -verify_return_error -verify_hostname "$sni" "$@" 8>&- \
			>>"$TMP/client.log" 2>&1 || true
	[ -n "${KEEP_SERVER:-}" ] && return
	wait_gone "$SRV_PID" 3
	exec 8>&-
}

# session_ok NAME: both lines went through and the client verified the chain.
session_ok() {
	grep -q 'hello from client' "$TMP/server.log" || die "$1: server did not get the client's line"
	grep -q 'hello from server' "$TMP/client.log" || die "$1: client did not get the server's line"
	grep -q 'Verify return code: 0 (ok)' "$TMP/client.log" || die "$1: client did not verify the chain"
}

fresh_logs() { : >"$TMP/client.log"; : >"$TMP/server.log"; }

# A complete chain (leaf + intermediate + root) of a private root, "Example Corp Private Root
# CA", which this client trusts (-CAfile) and no public store knows; TLS 1.2 so that the
# chain is visible; the session completes.
rec_trust_private_root_ok() {
	fresh_logs
	topo_direct
	cat "$TRUST/private-inter.crt" "$TRUST/private-root.crt" >"$TMP/private-chain.pem"
	cap_start c c0 trust-private-root-ok
	srv_on 10.99.1.2:443 "$TRUST/private-leaf" "$TMP/private-chain.pem" -tls1_2
	cli_to 10.99.1.2:443 "$SNI" "$TRUST/private-root.crt" -tls1_2
	cap_stop trust-private-root-ok
	session_ok trust-private-root-ok
}

# A valid leaf under an intermediate of the test root that has expired; the server sends
# both; the client refuses.
rec_trust_expired_intermediate() {
	local v
	v=$(openssl verify -CAfile "$PKI/root.crt" -untrusted "$TRUST/expired-inter.crt" \
		"$TRUST/expired-inter-leaf.crt" 2>&1 || true)
	case $v in *"error 10 at 1 depth lookup: certificate has expired"*) ;;
		*) die "expected only the intermediate to be expired: $v" ;; esac
	fresh_logs
	topo_direct
	cap_start c c0 trust-expired-intermediate
	srv_on 10.99.1.2:443 "$TRUST/expired-inter-leaf" "$TRUST/expired-inter.crt" -tls1_2
	cli_to 10.99.1.2:443 "$SNI" "$PKI/root.crt" -tls1_2
	cap_stop trust-expired-intermediate
	grep -q 'verify error:num=10:certificate has expired' "$TMP/client.log" ||
		die "client did not find the expired intermediate"
	client_alert trust-expired-intermediate 45
}

# The chain file lists a stale intermediate of another provider, the root, then the
# intermediate: the server sends leaf, old-inter, root, inter.  OpenSSL's client builds
# the path from the certificates it got, whatever their order, and the session completes.
rec_trust_wrong_order() {
	fresh_logs
	topo_direct
	cat "$TRUST/old-inter.crt" "$PKI/root.crt" "$PKI/inter.crt" >"$TMP/wrong-order.pem"
	cap_start c c0 trust-wrong-order
	srv_on 10.99.1.2:443 "$PKI/leaf" "$TMP/wrong-order.pem" -tls1_2
	cli_to 10.99.1.2:443 "$SNI" "$PKI/root.crt" -tls1_2
	cap_stop trust-wrong-order
	session_ok trust-wrong-order
}

# Two servers of the same intermediate: A (10.99.1.2, www.example.test) sends leaf +
# intermediate, B (10.99.1.3, api.example.test) only its leaf; the client verifies A and
# refuses B (each connection has its own certificate store: the intermediate seen from A
# does not help).
rec_trust_incomplete_elsewhere() {
	fresh_logs
	topo_direct
	ip -n "${PFX}s" addr add 10.99.1.3/24 dev s0
	cap_start c c0 trust-incomplete-elsewhere
	srv_on 10.99.1.2:443 "$PKI/leaf" "$TMP/chain-inter.pem" -tls1_2
	cli_to 10.99.1.2:443 "$SNI" "$PKI/root.crt" -tls1_2
	session_ok trust-incomplete-elsewhere
	sleep 0.3
	srv_on 10.99.1.3:443 "$TRUST/api" - -tls1_2
	cli_to 10.99.1.3:443 api.example.test "$PKI/root.crt" -tls1_2
	cap_stop trust-incomplete-elsewhere
	[ "$(grep -c '^Verification: OK' "$TMP/client.log")" = 1 ] ||
		die "only the first connection should verify"
	grep -q 'unable to get local issuer certificate' "$TMP/client.log" ||
		die "client did not miss the intermediate on B"
	expect trust-incomplete-elsewhere 1 "src host 10.99.1.1 and dst host 10.99.1.3 and tcp[((tcp[12] >> 4) * 4)] == 21 and tcp[((tcp[12] >> 4) * 4) + 6] == 48"
}

# A leaf whose Authority Information Access names its issuer's certificate
# (caIssuers http://pki.example.test/inter.crt), sent alone; OpenSSL does not fetch it.
rec_trust_incomplete_aia() {
	fresh_logs
	topo_direct
	cap_start c c0 trust-incomplete-aia
	srv_on 10.99.1.2:443 "$TRUST/aia" - -tls1_2
	cli_to 10.99.1.2:443 "$SNI" "$PKI/root.crt" -tls1_2
	cap_stop trust-incomplete-aia
	client_alert trust-incomplete-aia 48
}

# dtls_srv CERT-PREFIX CHAIN OPTS...: s_server -dtls1_2 on UDP 10.99.1.2:4433 for one
# connection (stdin held open on fd 8).
dtls_srv() {
	local crt=$1 chain=$2
	shift 2
	local c=()
	[ "$chain" = - ] || c=(-cert_chain "$chain")
	rm -f "$TMP/srvin"
	mkfifo "$TMP/srvin"
	exec 8<>"$TMP/srvin"
	ip netns exec "${PFX}s" openssl s_server -dtls1_2 -accept 10.99.1.2:4433 -naccept 1 \
		-cert "$crt.crt" -key "$crt.key" ${c[@]+"${c[@]}"} "$@" \
		<&8 8>&- >>"$TMP/server.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID"
	wait_listen_udp s 4433
}

# dtls_alert NAME SRC DESC: a DTLS alert record (21) from SRC with description DESC
# (13-byte DTLS record header: level at udp[21], description at udp[22]).
dtls_alert() {
	expect "$1" 1 "src host $2 and udp and udp[8] == 21 and udp[22] == $3"
}

rec_dtls_no_shared_cipher() {
	fresh_logs
	topo_direct
	cap_start c c0 dtls-no-shared-cipher
	dtls_srv "$PKI/leaf" "$TMP/chain-inter.pem" -cipher ECDHE-RSA-AES128-GCM-SHA256
	cli_to 10.99.1.2:4433 "$SNI" "$PKI/root.crt" -dtls1_2 -cipher AES256-SHA:AES128-SHA
	cap_stop dtls-no-shared-cipher
	grep -q 'no shared cipher' "$TMP/server.log" || die "server did not report 'no shared cipher'"
	# HelloVerifyRequest (handshake type 3) from the server, then its fatal alert
	expect dtls-no-shared-cipher 1 'src host 10.99.1.2 and udp and udp[8] == 22 and udp[21] == 3'
	dtls_alert dtls-no-shared-cipher 10.99.1.2 40
}

rec_dtls_untrusted() {
	fresh_logs
	topo_direct
	cap_start c c0 dtls-untrusted
	dtls_srv "$FAIL/unknown-ca" -
	cli_to 10.99.1.2:4433 "$SNI" "$PKI/root.crt" -dtls1_2
	cap_stop dtls-untrusted
	grep -q 'unable to get local issuer certificate' "$TMP/client.log" ||
		die "client did not refuse the unknown issuer"
	expect dtls-untrusted 1 'src host 10.99.1.2 and udp and udp[8] == 22 and udp[21] == 3'
	dtls_alert dtls-untrusted 10.99.1.1 48
}

# A router drops, in its forward chain, the segments to port 443 whose payload is a TLS
# handshake record (0x16 0x03) carrying the server name api.example.test: the TCP
# handshake completes, the ClientHello is retransmitted and never arrives.  The name sits at
# a fixed offset in OpenSSL 3.0's default ClientHello: 5 (record) + 4 (handshake) + 2 + 32
# (random) + 1 + 32 (session id) + 2 + 62 (31 suites) + 2 (compression) + 2 (extensions
# length) + 9 (server_name extension and name headers; it is the first extension) = byte
# 153 of the payload, bit 256 + 153 * 8 = 1480 from the start of a 32-byte TCP header.
# First a healthy session with SNI www.example.test to the same server and port, then the
# filtered one; s_client waits until it is killed after 8 s (timeout).  Its socket's FIN
# then stays queued behind the unacknowledged ClientHello: the close is not on the wire
# (the kernel would go on retransmitting the ClientHello alone, next at about +13.6 s).
rec_tls_client_hello_dropped() {
	fresh_logs
	topo_routed
	ip netns exec "${PFX}r" nft -f - <<-'EOF'
	table inet f {
		chain forward {
			type filter hook forward priority 0; policy accept;
			tcp dport 443 tcp doff 8 @th,256,16 0x1603 @th,1480,128 0x6170692e6578616d706c652e74657374 counter drop
		}
	}
	EOF
	cap_start c c0 tls-client-hello-dropped
	srv_on 10.99.2.2:443 "$PKI/leaf" "$TMP/chain-inter.pem" -naccept 2
	KEEP_SERVER=1 cli_to 10.99.2.2:443 "$SNI" "$PKI/root.crt"
	session_ok tls-client-hello-dropped
	sleep 0.3
	: >"$TMP/client.log"
	local rc=0
	sleep 9 | timeout 8 ip netns exec "${PFX}c" openssl s_client -connect 10.99.2.2:443 \
		-servername api.example.test -CAfile "$PKI/root.crt" -verify_return_error 8>&- \
		>>"$TMP/client.log" 2>&1 || rc=$?
	cap_stop tls-client-hello-dropped
	[ "$rc" = 124 ] || die "s_client should have waited until the timeout (status $rc)"
	local drops
	drops=$(ip netns exec "${PFX}r" nft list chain inet f forward | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
	[ "${drops:-0}" -ge 3 ] || die "the router dropped ${drops:-0} packets, expected the ClientHello and its retransmissions"
	# the ClientHello and at least two retransmissions of it in the capture
	expect tls-client-hello-dropped 3 "src host 10.99.1.1 and tcp[((tcp[12] >> 4) * 4)] == 22 and tcp[((tcp[12] >> 4) * 4) + 5] == 1 and tcp[((tcp[12] >> 4) * 4) + 153] == 0x61"
}

# record_main makes the test PKI with lib.sh's make_pki; the failing and chain ones
# follow it.
eval "lib_make_pki() $(declare -f make_pki | tail -n +2)"
make_pki() { lib_make_pki; make_fail_pki; make_trust_pki; }
record_main "$@"
