#!/bin/bash
# Record the malformed-message samples: real servers and clients reacting to a malformed
# ClientHello or Certificate, in network namespaces created and deleted by this script.
#
#   usage (root):  bash samples/record-malformed.sh [name...]    (no name: all of them)
#   names: malformed-client-hello   (needs nginx: Debian nginx-light)
#          malformed-certificate
#
# The crafted parts, said plainly: malformed-client-hello's client is samples/badhello.py,
# which takes the ClientHello Python's ssl module (OpenSSL) builds and corrupts one field
# before sending it; the servers answering it are a real openssl s_server and a real nginx.
# In malformed-certificate a real openssl s_client talks to a real s_server through
# samples/certrelay.py, which stands for a faulty middlebox: it grows the second
# certificate's length in the server's Certificate message.  Same rules as record.sh
# (lib.sh): namespaces sdrec<PID>*, addresses 10.99.x.x, everything started is killed by
# PID on exit.
set -euo pipefail

ALL=(malformed-client-hello malformed-certificate)
# shellcheck source=samples/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

# nginx_start: nginx in S on 10.99.1.2:8443 (TLS 1.2 and 1.3, leaf + intermediate), its
# files in $TMP, in the foreground (tracked by PID).
nginx_start() {
	command -v nginx >/dev/null || die "nginx is needed (Debian nginx-light)"
	mkdir -p "$TMP/nginx"
	cat "$PKI/leaf.crt" "$TMP/chain-inter.pem" >"$TMP/nginx/chain.pem"
	cat >"$TMP/nginx/nginx.conf" <<-CONF
	user root;
	worker_processes 1;
	pid $TMP/nginx/nginx.pid;
	error_log $TMP/nginx/error.log info;
	events { worker_connections 16; }
	http {
		access_log off;
		client_body_temp_path $TMP/nginx;
		proxy_temp_path $TMP/nginx;
		fastcgi_temp_path $TMP/nginx;
		uwsgi_temp_path $TMP/nginx;
		scgi_temp_path $TMP/nginx;
		server {
			listen 10.99.1.2:8443 ssl;
			server_name $SNI;
			ssl_certificate $TMP/nginx/chain.pem;
			ssl_certificate_key $PKI/leaf.key;
			ssl_protocols TLSv1.2 TLSv1.3;
			return 200 "ok\n";
		}
	}
	CONF
	ip netns exec "${PFX}s" nginx -c "$TMP/nginx/nginx.conf" -g 'daemon off;' \
		>"$TMP/nginx/out.log" 2>&1 &
	track $!
	wait_listen s 8443
}

# bad_hello HOST PORT FAULT: badhello.py from C; its line (alert, reset, answer) is kept.
bad_hello() {
	timeout 8 ip netns exec "${PFX}c" "$PY" "$HERE/badhello.py" "$1" "$2" "$SNI" "$3" \
		>>"$TMP/client.log" 2>&1 || true
	sleep 0.3
}

# A ClientHello whose second extension overruns the extensions block, to s_server and to
# nginx; then one whose cipher_suites length is odd, to nginx.
rec_malformed_client_hello() {
	: >"$TMP/client.log"
	topo_direct
	server_start 10.99.1.2:443 "$TMP/chain-inter.pem"
	nginx_start
	cap_start c c0 malformed-client-hello
	bad_hello 10.99.1.2 443 ext-overrun
	bad_hello 10.99.1.2 8443 ext-overrun
	bad_hello 10.99.1.2 8443 odd-ciphers
	cap_stop malformed-client-hello
	log "client saw: $(tr '\n' ';' <"$TMP/client.log")"
	[ "$(grep -c '^alert 2 ' "$TMP/client.log")" -ge 2 ] ||
		die "the servers did not answer with fatal alerts: $(cat "$TMP/client.log")"
	expect malformed-client-hello 3 'tcp[tcpflags] & tcp-syn != 0 and dst host 10.99.1.2'
}

# s_client (TLS 1.2) -> certrelay.py in S on 8443 -> s_server on 127.0.0.1:4433 in S; the
# relay grows certificate 2's length by 12 and the client refuses the message.
rec_malformed_certificate() {
	topo_direct
	rm -f "$TMP/srvin"
	mkfifo "$TMP/srvin"
	exec 8<>"$TMP/srvin"
	ip netns exec "${PFX}s" openssl s_server -accept 127.0.0.1:4433 -naccept 1 -tls1_2 \
		-cert "$PKI/leaf.crt" -key "$PKI/leaf.key" -cert_chain "$TMP/chain-inter.pem" \
		<&8 8>&- >"$TMP/server.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID"
	wait_listen s 4433
	ip netns exec "${PFX}s" "$PY" "$HERE/certrelay.py" 8443 127.0.0.1 4433 12 \
		>"$TMP/relay.log" 2>&1 &
	track $!
	local w=100
	until grep -q listening "$TMP/relay.log"; do
		w=$((w - 1)); [ "$w" -gt 0 ] || die "relay did not start"; sleep 0.05
	done
	cap_start c c0 malformed-certificate
	client_session 10.99.1.2:8443 -tls1_2
	cap_stop malformed-certificate
	grep -q 'corrupted certificate 2' "$TMP/relay.log" || die "relay did not corrupt: $(cat "$TMP/relay.log")"
	log "client: $(grep -m2 -iE 'error|alert' "$TMP/client.log" | tr '\n' ';')"
	expect malformed-certificate 1 'tcp[tcpflags] & tcp-syn != 0 and dst host 10.99.1.2'
}

record_main "$@"
