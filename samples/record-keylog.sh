#!/bin/bash
# Record TLS 1.3 failures between real clients that write their secrets to a key log
# (curl with SSLKEYLOGFILE, openssl s_client -keylogfile) and openssl s_server, in network
# namespaces created and deleted by this script.  Each NAME.pcap gets NAME.keylog next to
# it (secrets of these test sessions only); kl-untrusted-dsb.pcapng is kl-untrusted.pcap
# with its key log injected as a Decryption Secrets Block (editcap --inject-secrets).
#
#   usage (root):  bash samples/record-keylog.sh [name...]    (no name: all of them)
#   names: kl-untrusted kl-expired kl-wrong-name kl-client-cert-required kl-ok kl-early-data
#
# The certificates are those of samples/pki/ and samples/pki-fail/ (record-tls-fail.sh
# makes the latter).  Only namespaces named kl<PID>* are created (10.99.x.x inside them);
# everything started is killed by PID.  Needs (besides lib.sh's tools): curl, editcap.
set -euo pipefail

ALL=(kl-untrusted kl-expired kl-wrong-name kl-client-cert-required kl-ok kl-early-data)
# shellcheck source=samples/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
PFX=kl$$
FAIL=$HERE/pki-fail
[ -s "$FAIL/unknown-ca.crt" ] || die "run record-tls-fail.sh first (samples/pki-fail/)"

# sclient NAME OPTS...: s_client verifying the test PKI, secrets to $TMP/NAME.keylog.
sclient() {
	local name=$1
	shift
	{ sleep 0.4; echo "hello from client"; sleep 0.4; } |
		timeout 10 ip netns exec "${PFX}c" openssl s_client -connect 10.99.1.2:443 \
			-servername "$SNI" -CAfile "$PKI/root.crt" -verify_return_error \
			-verify_hostname "$SNI" -keylogfile "$TMP/$name.keylog" "$@" \
			8>&- >"$TMP/client.log" 2>&1 || true
	wait_gone "$SRV_PID" 3
	exec 8>&-
}

# curlc NAME OPTS...: curl (OpenSSL) to https://SNI/, secrets through SSLKEYLOGFILE.
curlc() {
	local name=$1
	shift
	SSLKEYLOGFILE="$TMP/$name.keylog" timeout 10 ip netns exec "${PFX}c" curl -sS -o /dev/null \
		--tlsv1.3 --cacert "$PKI/root.crt" --resolve "$SNI:443:10.99.1.2" "$@" \
		"https://$SNI/" >"$TMP/client.log" 2>&1 || true
	wait_gone "$SRV_PID" 3
	exec 8>&-
}

# done_one NAME: the capture and its key log into samples/.
done_one() {
	cap_stop "$1"
	[ -s "$TMP/$1.keylog" ] || die "$1: the client wrote no key log"
	grep -q '^SERVER_HANDSHAKE_TRAFFIC_SECRET ' "$TMP/$1.keylog" || die "$1: no TLS 1.3 secrets"
	install -m 0644 "$TMP/$1.keylog" "$HERE/$1.keylog"
	log "$1: $(cat "$TMP/client.log" | head -3)"
}

rec_kl_untrusted() {
	# a leaf from a root the client does not trust: s_client sends unknown_ca (48), in
	# TLS 1.3 inside an encrypted record; the default suite (AES-128-GCM)
	topo_direct
	cap_start c c0 kl-untrusted
	srv "$FAIL/unknown-ca" - -tls1_3
	sclient kl-untrusted
	done_one kl-untrusted
	editcap --inject-secrets "tls,$HERE/kl-untrusted.keylog" "$HERE/kl-untrusted.pcap" \
		"$HERE/kl-untrusted-dsb.pcapng"
	chmod 0644 "$HERE/kl-untrusted-dsb.pcapng"
}

rec_kl_expired() {
	# curl refuses the expired leaf (certificate_expired, 45, encrypted); AES-256-GCM
	topo_direct
	cap_start c c0 kl-expired
	srv "$FAIL/expired" "$PKI/inter.crt" -tls1_3 -ciphersuites TLS_AES_256_GCM_SHA384
	curlc kl-expired
	done_one kl-expired
}

rec_kl_wrong_name() {
	# a leaf for another name: curl finishes the handshake, checks the name itself and
	# closes with an encrypted alert; ChaCha20-Poly1305
	topo_direct
	cap_start c c0 kl-wrong-name
	srv "$FAIL/wrong-name" "$PKI/inter.crt" -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256
	curlc kl-wrong-name
	done_one kl-wrong-name
}

rec_kl_client_cert_required() {
	# the server requires a client certificate (CertificateRequest, encrypted), the
	# client has none: empty Certificate, then the server's certificate_required (116)
	topo_direct
	cap_start c c0 kl-client-cert-required
	srv "$PKI/leaf" "$PKI/inter.crt" -tls1_3 -Verify 1 -CAfile "$PKI/root.crt"
	sclient kl-client-cert-required
	done_one kl-client-cert-required
}

rec_kl_ok() {
	# a good session (curl, HTTP/1.0 page from s_server -www): the chain verifies, the
	# close_notify alerts are read under the application traffic keys
	topo_direct
	cap_start c c0 kl-ok
	srv "$PKI/leaf" "$PKI/inter.crt" -tls1_3 -www
	curlc kl-ok
	done_one kl-ok
}

rec_kl_early_data() {
	# a session resumed with 0-RTT data: the client's early data (under the early traffic
	# secret, not followed) comes before its handshake-key Finished, which must still be
	# numbered 0; the server accepts the early data
	topo_direct
	cap_start c c0 kl-early-data
	srv "$PKI/leaf" "$PKI/inter.crt" -tls1_3 -early_data -naccept 2
	echo "first" | timeout 10 ip netns exec "${PFX}c" openssl s_client -connect 10.99.1.2:443 \
		-servername "$SNI" -CAfile "$PKI/root.crt" -sess_out "$TMP/sess.pem" \
		-keylogfile "$TMP/kl-early-data.keylog" >"$TMP/client1.log" 2>&1 || true
	sleep 0.3
	printf 'early data from the client\n' >"$TMP/early.txt"
	{ sleep 0.4; echo "hello from client"; sleep 0.4; } |
		timeout 10 ip netns exec "${PFX}c" openssl s_client -connect 10.99.1.2:443 \
			-servername "$SNI" -CAfile "$PKI/root.crt" -sess_in "$TMP/sess.pem" \
			-early_data "$TMP/early.txt" -keylogfile "$TMP/kl-early-data.keylog" \
			8>&- >"$TMP/client.log" 2>&1 || true
	wait_gone "$SRV_PID" 3
	exec 8>&-
	grep -q 'early data from the client' "$TMP/server.log" || die "the server did not read the early data"
	done_one kl-early-data
}

record_main "$@"
