#!/bin/bash
# Record TLS negotiation and trust failures between real implementations (OpenSSL
# s_server/s_client) in network namespaces created and deleted by this script.
#
#   usage (root):  bash samples/record-tls-fail.sh [name...]    (no name: all of them)
#   names: neg-no-shared-cipher neg-no-shared-version neg-no-shared-group
#          neg-client-cert-missing neg-fatal-alert neg-dtls-resume-alert trust-rejected
#          trust-unknown-ca trust-self-signed trust-expired trust-not-yet-valid
#          trust-name-mismatch trust-incomplete-chain trust-weak trust-key-type-changed
#
# The failing certificates are made once in samples/pki-fail/ (kept when present), from
# the test PKI in samples/pki/ (its intermediate signs the expired, not-yet-valid, weak, EC
# and wrong-name leaves) and from a second root that no client trusts.  Only namespaces named
# sdrec<PID>* are created (10.99.x.x inside them); everything started is killed by PID.
# Needs (besides lib.sh's tools): faketime.
set -euo pipefail

ALL=(neg-no-shared-cipher neg-no-shared-version neg-no-shared-group neg-client-cert-missing
     neg-fatal-alert neg-dtls-resume-alert trust-rejected trust-unknown-ca trust-self-signed
     trust-expired trust-not-yet-valid trust-name-mismatch trust-incomplete-chain trust-weak
     trust-key-type-changed)
# shellcheck source=samples/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
FAIL=$HERE/pki-fail

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
	# signed "in 2036" (faketime): valid from then on, as if the signer's clock ran ten
	# years ahead (made on its own so that the older certificates stay as they are)
	[ -s "$FAIL/not-yet-valid.crt" ] ||
		FT="faketime 2036-01-01" fail_sign not-yet-valid "$SNI" "$SNI" 3650 "$PKI/inter" "${rsa[@]}"
	[ -s "$FAIL/ec.crt" ] && return
	log "creating failing certificates in $FAIL"
	mkdir -p "$FAIL"
	fail_sign other-root "Other Untrusted Root CA" x 3650 self "${rsa[@]}"
	fail_sign unknown-ca "$SNI" "$SNI" 3650 "$FAIL/other-root" "${rsa[@]}"
	fail_sign self-signed "$SNI" "$SNI" 3650 self "${rsa[@]}"
	FT="faketime 2024-01-01" fail_sign expired "$SNI" "$SNI" 30 "$PKI/inter" "${rsa[@]}"
	fail_sign wrong-name other.example.test other.example.test 3650 "$PKI/inter" "${rsa[@]}"
	SIGALG=sha1 fail_sign weak "$SNI" "$SNI" 3650 "$PKI/inter" \
		-algorithm RSA -pkeyopt rsa_keygen_bits:1024
	fail_sign ec "$SNI" "$SNI" 3650 "$PKI/inter" -algorithm EC -pkeyopt ec_paramgen_curve:P-256
}

# ---------------------------------------------------------------- sessions
# srv CERT-PREFIX CHAIN(- for none) OPTS...: s_server in S for one connection.
srv() {
	local crt=$1 chain=$2
	shift 2
	local c=()
	[ "$chain" = - ] || c=(-cert_chain "$chain")
	rm -f "$TMP/srvin"
	mkfifo "$TMP/srvin"
	exec 8<>"$TMP/srvin"
	ip netns exec "${PFX}s" openssl s_server -accept 10.99.1.2:443 -naccept 1 \
		-cert "$crt.crt" -key "$crt.key" ${c[@]+"${c[@]}"} "$@" \
		<&8 8>&- >"$TMP/server.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID"
	wait_listen s 443
}

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

# record_main makes the test PKI with lib.sh's make_pki; the failing one follows it.
eval "lib_make_pki() $(declare -f make_pki | tail -n +2)"
make_pki() { lib_make_pki; make_fail_pki; }
record_main "$@"
