#!/bin/bash
# Record TLS after a binary preamble between real implementations: MariaDB server and client
# (SSLRequest then TLS, and a login in the clear), Dante's SOCKS server driven by curl
# (SOCKS4 granted then TLS to s_server, SOCKS4a refused by a Dante rule), and xrdp as the
# RDP server: FreeRDP's xfreerdp (under Xvfb, /auth-only) negotiating TLS, and a
# Connection Request asking for standard RDP security only (Python, raw socket: FreeRDP
# sends none such), which xrdp refuses with RDP_NEG_FAILURE.
#
#   usage (root):  bash samples/record-preambles.sh [name...]    (no name: all of them)
#   names: mysql-tls socks4 rdp-tls rdp-neg-failure
#
# Same rules as record.sh: namespaces sdrec<PID>* only (10.99.x.x inside them), everything
# started is killed by PID and the namespaces deleted on exit; the PKI in samples/pki/ is
# reused.  The SOCKS4a capture bind-mounts a hosts file for the proxy's namespace through
# /etc/netns/sdrec<PID>r/, removed on exit.
# Needs, besides record.sh's tools: mariadb-server mariadb-client dante-server curl xrdp
# freerdp2-x11 xvfb (apt-get install when missing).
set -euo pipefail

ALL=(mysql-tls socks4 rdp-tls rdp-neg-failure)
# shellcheck source=samples/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

for pair in mariadbd:mariadb-server mariadb:mariadb-client danted:dante-server curl:curl \
	    xrdp:xrdp xfreerdp:freerdp2-x11 xvfb-run:xvfb; do
	command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			"${pair#*:}" >/dev/null
done


# wait_port ROLE PORT LOG: until something listens on PORT in the namespace.
wait_port() {
	local n=200
	until ip netns exec "$PFX$1" ss -Hltn "sport = :$2" | grep -q .; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || die "nothing listens on port $2 in $PFX$1: $(tail -5 "$3")"
		sleep 0.05
	done
}

# ---------------------------------------------------------------- MySQL / MariaDB
# A MariaDB server in S (10.99.1.2:3306) with the sample leaf and intermediate; one client
# session with --ssl (SSLRequest, TLS), one with --skip-ssl (login in the clear).
rec_mysql_tls() {
	topo_direct
	chmod 755 "$TMP"
	cat "$PKI/leaf.crt" "$PKI/inter.crt" >"$TMP/my-chain.pem"
	cp "$PKI/leaf.key" "$TMP/my-leaf.key"
	mariadb-install-db --no-defaults --datadir="$TMP/db" --user=root \
		--auth-root-authentication-method=normal >"$TMP/install.log" 2>&1 ||
		die "mariadb-install-db: $(tail -5 "$TMP/install.log")"
	cat >"$TMP/init.sql" <<-'EOF'
	CREATE USER IF NOT EXISTS 'sample'@'%' IDENTIFIED BY 'sample-pw';
	GRANT USAGE ON *.* TO 'sample'@'%';
	EOF
	ip netns exec "${PFX}s" mariadbd --no-defaults --user=root --datadir="$TMP/db" \
		--socket="$TMP/my.sock" --pid-file="$TMP/my.pid" --bind-address=10.99.1.2 \
		--port=3306 --skip-name-resolve --skip-log-bin --init-file="$TMP/init.sql" \
		--ssl-cert="$TMP/my-chain.pem" --ssl-key="$TMP/my-leaf.key" \
		>"$TMP/mariadbd.log" 2>&1 &
	track $!
	wait_port s 3306 "$TMP/mariadbd.log"
	cap_start c c0 mysql-tls
	timeout 10 ip netns exec "${PFX}c" mariadb -h 10.99.1.2 -u sample -psample-pw --ssl \
		--ssl-ca="$PKI/root.crt" --ssl-verify-server-cert=0 -e '\s' \
		>"$TMP/client.log" 2>&1 || true
	sleep 0.3
	timeout 10 ip netns exec "${PFX}c" mariadb -h 10.99.1.2 -u sample -psample-pw \
		--skip-ssl -e '\s' >>"$TMP/client.log" 2>&1 || true
	cap_stop mysql-tls
	grep -q '^SSL:.*Cipher in use' "$TMP/client.log" || die "no TLS session: $(cat "$TMP/client.log")"
	grep -q '^SSL:.*Not in use' "$TMP/client.log" || die "no clear session: $(cat "$TMP/client.log")"
	expect_tls mysql-tls 3306
}

# expect_tls NAME PORT: a ClientHello to PORT (the record after the SSLRequest).
expect_tls() {
	expect "$1" 1 "tcp dst port $2 and tcp[((tcp[12]>>4)*4):1] == 0x16 and tcp[((tcp[12]>>4)*4)+5:1] == 1"
}

# ---------------------------------------------------------------- SOCKS4 / SOCKS4a
# Client C -- Dante (danted) on R 10.99.1.254:1080 -- S 10.99.2.2 (s_server -WWW on 443).
# The proxy resolves www.example.test from a hosts file of its namespace (SOCKS4a) and
# blocks port 8443 by a socks rule (reply 91).
rec_socks4() {
	topo_routed
	netns_hosts r
	cat >"$TMP/danted.conf" <<-EOF
	logoutput: $TMP/danted.log
	internal: 10.99.1.254 port = 1080
	external: 10.99.2.254
	clientmethod: none
	socksmethod: none
	user.privileged: root
	user.unprivileged: nobody
	client pass { from: 10.99.1.0/24 to: 0.0.0.0/0 }
	socks block { from: 0.0.0.0/0 to: 0.0.0.0/0 port = 8443 log: connect error }
	socks pass { from: 10.99.1.0/24 to: 0.0.0.0/0 protocol: tcp }
	EOF
	ip netns exec "${PFX}r" danted -f "$TMP/danted.conf" -p "$TMP/danted.pid" -N 1 \
		>"$TMP/danted.out" 2>&1 &
	track $!
	wait_port r 1080 "$TMP/danted.out"
	echo "hello from server" >"$TMP/hello.txt"
	cd "$TMP"
	server_start 10.99.2.2:443 "$TMP/chain-inter.pem" -tls1_2 -WWW
	cd "$HERE"
	cap_start c c0 socks4
	# SOCKS4: the client resolves the name itself and sends the address
	timeout 10 ip netns exec "${PFX}c" curl -sS --cacert "$PKI/root.crt" \
		--socks4 10.99.1.254:1080 --resolve "$SNI:443:10.99.2.2" -o "$TMP/page" \
		-w '%{http_code}\n' "https://$SNI/hello.txt" >"$TMP/client.log" 2>&1 || true
	sleep 0.3
	# SOCKS4a: the name goes to the proxy; port 8443 is blocked by its rule
	timeout 10 ip netns exec "${PFX}c" curl -sS --cacert "$PKI/root.crt" \
		--socks4a 10.99.1.254:1080 -o /dev/null -w '%{http_code}\n' \
		"https://$SNI:8443/" >>"$TMP/client.log" 2>&1 || true
	sleep 0.3
	cap_stop socks4
	wait_gone "$SRV_PID" 2
	cat "$TMP/client.log" >&2
	grep -q 'hello from server' "$TMP/page" || die "curl did not get the page through SOCKS4"
	grep -qi 'rejected\|failed' "$TMP/client.log" || die "SOCKS4a was not refused"
	expect_tls socks4 1080
	# the refusal: VN 0, CD 91
	expect socks4 1 'tcp src port 1080 and tcp[((tcp[12]>>4)*4):2] == 0x005b'
}

# ---------------------------------------------------------------- RDP
# xrdp in S (10.99.1.2:3389) with the sample leaf and intermediate, TLS 1.2 (the server's
# certificate visible); security_layer as given.
xrdp_start() {	# xrdp_start SECURITY-LAYER
	sed -e "s|^certificate=.*|certificate=$TMP/rdp-chain.pem|" \
		-e "s|^key_file=.*|key_file=$PKI/leaf.key|" \
		-e "s|^port=3389|port=tcp://10.99.1.2:3389|" \
		-e "s|^security_layer=.*|security_layer=$1|" \
		-e "s|^ssl_protocols=.*|ssl_protocols=TLSv1.2|" \
		-e "s|^LogFile=.*|LogFile=$TMP/xrdp.log|" \
		-e "s|^EnableSyslog=.*|EnableSyslog=false|" /etc/xrdp/xrdp.ini >"$TMP/xrdp.ini"
	cat "$PKI/leaf.crt" "$PKI/inter.crt" >"$TMP/rdp-chain.pem"
	ip netns exec "${PFX}s" xrdp --nodaemon -c "$TMP/xrdp.ini" >"$TMP/xrdp.out" 2>&1 &
	track $!
	wait_port s 3389 "$TMP/xrdp.out"
}

rec_rdp_tls() {
	topo_direct
	xrdp_start negotiate
	cap_start c c0 rdp-tls
	# /auth-only: negotiation, TLS and CredSSP-less logon attempt; no display needed beyond Xvfb
	timeout 20 ip netns exec "${PFX}c" xvfb-run -a xfreerdp /v:10.99.1.2 /sec:tls \
		/cert:ignore /auth-only /u:sample /p:sample-pw >"$TMP/client.log" 2>&1 || true
	sleep 0.3
	cap_stop rdp-tls
	expect_tls rdp-tls 3389
}

rec_rdp_neg_failure() {
	topo_direct
	xrdp_start tls
	# an X.224 Connection Request whose RDP_NEG_REQ asks for standard RDP security only
	cat >"$TMP/cr.py" <<-'EOF'
	import socket, sys
	tail = b"Cookie: mstshash=sample\r\n" + bytes([1, 0, 8, 0, 0, 0, 0, 0])
	tpdu = bytes([6 + len(tail), 0xe0, 0, 0, 0, 0, 0]) + tail
	s = socket.create_connection((sys.argv[1], 3389), timeout=5)
	s.sendall(bytes([3, 0]) + (4 + len(tpdu)).to_bytes(2, "big") + tpdu)
	print(s.recv(64).hex())
	s.close()
	EOF
	cap_start c c0 rdp-neg-failure
	timeout 10 ip netns exec "${PFX}c" "$PY" "$TMP/cr.py" 10.99.1.2 >"$TMP/client.log" 2>&1 ||
		true
	sleep 0.3
	cap_stop rdp-neg-failure
	# TPKT, X.224 CC, RDP_NEG_FAILURE (type 3) SSL_REQUIRED_BY_SERVER (1)
	grep -q '^030000130ed0.*0300080001000000$' "$TMP/client.log" ||
		die "no RDP_NEG_FAILURE: $(cat "$TMP/client.log")"
}

record_main "$@"
