#!/bin/bash
# Record TLS handshake samples between real implementations: OpenSSL 3.0 s_server/s_client
# (HelloRetryRequest, resumption by session id, ticket and TLS 1.3 PSK, a ClientHello in
# several segments, DTLS 1.2 HelloVerifyRequest), STARTTLS dialogues (s_client -starttls
# against a small Python responder using the ssl module) and HTTP CONNECT through
# tinyproxy driven by curl (tunnel, 403 and 407).
#
#   usage (root):  bash samples/record-tls.sh [name...]    (no name: all of them)
#   names: tls13-hrr tls12-resume-id tls12-resume-ticket tls13-resume tls-multiseg-ch
#          dtls12-hvr starttls-smtp starttls-others proxy-connect proxy-refused
#          proxy-unanswered
#
# Same rules as record.sh: namespaces sdrec<PID>* only (10.99.x.x inside them), everything
# started is killed by PID and the namespaces deleted on exit; the PKI in samples/pki/ is
# reused.  The proxy captures bind-mount a hosts file for the proxy's namespace through
# /etc/netns/sdrec<PID>r/ (ip netns exec does that), removed on exit.
# Needs, besides record.sh's tools: curl tinyproxy (apt-get install when missing).
set -euo pipefail

ALL=(tls13-hrr tls12-resume-id tls12-resume-ticket tls13-resume tls-multiseg-ch
     dtls12-hvr starttls-smtp starttls-others proxy-connect proxy-refused proxy-unanswered)
# shellcheck source=samples/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

for t in curl tinyproxy; do
	command -v "$t" >/dev/null 2>&1 ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$t" >/dev/null
done

# client_line CONN OPTS...: like lib.sh's client_session (one line each way, verified),
# with extra s_client options; appends to client.log.
client_line() {
	local conn=$1
	shift
	{ sleep 0.4; echo "hello from client"; sleep 0.3; echo "hello from server" >&8; sleep 0.6; } |
		timeout 10 ip netns exec "${PFX}c" openssl s_client -connect "$conn" -servername "$SNI" \
			-CAfile "$PKI/root.crt" -verify_return_error -verify_hostname "$SNI" "$@" \
			8>&- >>"$TMP/client.log" 2>&1 || true
}

# expect_ts NAME MIN DISPLAY-FILTER: at least MIN frames match (tshark, decodes reassembled TLS).
expect_ts() {
	local n
	n=$(tshark -r "$HERE/$1.pcap" -o tls.desegment_ssl_records:TRUE -Y "$3" 2>/dev/null | wc -l)
	[ "$n" -ge "$2" ] || die "$1.pcap: $n frames match '$3', expected at least $2"
}

check_session() {	# check_session N: N verified sessions, lines exchanged
	local n
	n=$(grep -c 'Verify return code: 0 (ok)' "$TMP/client.log" || true)
	[ "$n" -ge "$1" ] || die "client verified $n chains, expected $1: $(tail -5 "$TMP/client.log")"
	grep -q 'hello from client' "$TMP/server.log" || die "server did not get the client's line"
	grep -q 'hello from server' "$TMP/client.log" || die "client did not get the server's line"
}

# ---------------------------------------------------------------- plain TLS
rec_tls13_hrr() {
	topo_direct
	cap_start c c0 tls13-hrr
	server_start 10.99.1.2:443 "$TMP/chain-inter.pem" -tls1_3 -groups P-256
	: >"$TMP/client.log"
	# s_client sends a key share for its first group only: X25519, which the server lacks
	client_line 10.99.1.2:443 -groups X25519:P-256
	wait_gone "$SRV_PID" 3
	cap_stop tls13-hrr
	check_session 1
	# two ClientHellos, two ServerHellos (the first is the HelloRetryRequest)
	expect_ts tls13-hrr 2 'tls.handshake.type == 1'
	expect_ts tls13-hrr 2 'tls.handshake.type == 2'
}

# resume_pair NAME SERVER-OPTS... -- CLIENT-OPTS...: full handshake, then a resumed one.
resume_pair() {
	local name=$1 sopts=() copts=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do sopts+=("$1"); shift; done
	shift
	copts=("$@")
	topo_direct
	cap_start c c0 "$name"
	server_start 10.99.1.2:443 "$TMP/chain-inter.pem" -naccept 2 "${sopts[@]}"
	: >"$TMP/client.log"
	client_line 10.99.1.2:443 -sess_out "$TMP/sess.pem" "${copts[@]}"
	sleep 0.3
	client_line 10.99.1.2:443 -sess_in "$TMP/sess.pem" "${copts[@]}"
	wait_gone "$SRV_PID" 3
	cap_stop "$name"
	check_session 2
	grep -q '^Reused, ' "$TMP/client.log" || die "$name: second session was not resumed"
}

rec_tls12_resume_id() {
	resume_pair tls12-resume-id -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 -no_ticket -- \
		-no_ticket
}

rec_tls12_resume_ticket() {
	resume_pair tls12-resume-ticket -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 --
}

rec_tls13_resume() {
	resume_pair tls13-resume -tls1_3 --
}

rec_tls_multiseg_ch() {
	local alpn="h2,http/1.1" i
	# 7 protocol names of 200 bytes: a ClientHello of about 1.7 KB (a post-quantum
	# Chrome hello is that size), more than one 1448-byte segment
	for i in 1 2 3 4 5 6 7; do
		alpn="$alpn,x$i-$(printf '%0197d' 0)"
	done
	topo_direct
	cap_start c c0 tls-multiseg-ch
	server_start 10.99.1.2:443 "$TMP/chain-inter.pem" -tls1_3 -alpn h2
	: >"$TMP/client.log"
	client_line 10.99.1.2:443 -alpn "$alpn"
	wait_gone "$SRV_PID" 3
	cap_stop tls-multiseg-ch
	check_session 1
	grep -q 'ALPN protocol: h2' "$TMP/client.log" || die "ALPN h2 not negotiated"
	# the hello's first segment is full-sized and carries no complete record
	expect tls-multiseg-ch 1 'tcp dst port 443 and ip[2:2] == 1500'
}

rec_dtls12_hvr() {
	topo_direct
	cap_start c c0 dtls12-hvr
	dtls_server_start -naccept 1
	: >"$TMP/client.log"
	client_line 10.99.1.2:4433 -dtls1_2
	wait_gone "$SRV_PID" 3
	cap_stop dtls12-hvr
	check_session 1
	# HelloVerifyRequest (handshake type 3) in a DTLS record from the server
	expect dtls12-hvr 1 'udp src port 4433 and udp[8] == 22 and udp[21] == 3'
}

# ---------------------------------------------------------------- STARTTLS
# A plaintext responder for one STARTTLS dialogue (server side), then TLS with Python's ssl
# module (leaf + intermediate): reads the client's line, answers one line, closes.
write_starttls_server() {
	cat >"$TMP/starttls.py" <<-'EOF'
	import socket, ssl, sys
	proto, addr, port, cert, chain, key, maxver = sys.argv[1:8]
	ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
	if maxver == "tls1_2":                       # the Certificate is then in clear
	    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
	ctx.load_cert_chain(chain, key)
	ls = socket.socket()
	ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	ls.bind((addr, int(port)))
	ls.listen(1)
	c, _ = ls.accept()
	f = c.makefile("rb")
	def send(s):
	    c.sendall(s.encode() if isinstance(s, str) else s)
	def line():
	    l = f.readline()
	    print("C:", l, flush=True)
	    return l
	if proto == "smtp":
	    send("220 mail.example.test ESMTP ready\r\n")
	    line()                                   # EHLO
	    send("250-mail.example.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 STARTTLS\r\n")
	    line()                                   # STARTTLS
	    send("220 2.0.0 Ready to start TLS\r\n")
	elif proto == "imap":
	    send("* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] imap.example.test ready\r\n")
	    tag = line().split(b" ")[0]              # CAPABILITY
	    send("* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n")
	    send(tag + b" OK CAPABILITY completed\r\n")
	    tag = line().split(b" ")[0]              # STARTTLS
	    send(tag + b" OK Begin TLS negotiation now\r\n")
	elif proto == "pop3":
	    send("+OK pop3.example.test ready\r\n")
	    line()                                   # STLS
	    send("+OK Begin TLS negotiation\r\n")
	elif proto == "ftp":
	    send("220 ftp.example.test FTP ready\r\n")
	    if line().startswith(b"FEAT"):           # s_client 3.0 sends AUTH TLS at once
	        send("211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 End\r\n")
	        line()                               # AUTH TLS
	    send("234 AUTH TLS successful\r\n")
	elif proto == "ldap":
	    req = c.recv(4096)                       # ExtendedRequest StartTLS (one segment)
	    print("C:", req.hex(), flush=True)
	    oid = b"1.3.6.1.4.1.1466.20037"
	    # extendedResp [APPLICATION 24]: resultCode success, matchedDN "", diagnostic "",
	    # responseName [10] the StartTLS OID (RFC 4511 §4.14.2)
	    body = b"\x0a\x01\x00\x04\x00\x04\x00\x8a" + bytes([len(oid)]) + oid
	    msg = b"\x02\x01" + bytes([req[4]]) + b"\x78" + bytes([len(body)]) + body
	    send(b"\x30" + bytes([len(msg)]) + msg)
	t = ctx.wrap_socket(c, server_side=True)
	tf = t.makefile("rb")
	print("S got:", tf.readline(), flush=True)
	t.sendall(b"hello from server\r\n")
	try:
	    t.recv(100)                              # the client's close_notify / FIN
	    t.unwrap()
	except (ssl.SSLError, OSError):
	    pass
	t.close()
	EOF
	cat "$PKI/leaf.crt" "$PKI/inter.crt" >"$TMP/leaf-chain.pem"
}

# starttls_one PROTO PORT [tls1_2]: one dialogue, s_client -starttls PROTO (the server
# allows TLS 1.3 unless tls1_2 is given).
starttls_one() {
	local proto=$1 port=$2 maxver=${3:-tls1_3} n=100 spid
	ip netns exec "${PFX}s" "$PY" "$TMP/starttls.py" "$proto" 10.99.1.2 "$port" \
		"$PKI/leaf.crt" "$TMP/leaf-chain.pem" "$PKI/leaf.key" "$maxver" \
		>>"$TMP/server.log" 2>&1 &
	spid=$!
	track "$spid"
	until ip netns exec "${PFX}s" ss -Hltn "sport = :$port" | grep -q .; do
		n=$((n - 1)); [ "$n" -gt 0 ] || die "$proto responder did not start"; sleep 0.05
	done
	{ sleep 0.6; echo "hello from client"; sleep 0.8; } |
		timeout 10 ip netns exec "${PFX}c" openssl s_client -connect "10.99.1.2:$port" \
			-starttls "$proto" -servername "$SNI" -CAfile "$PKI/root.crt" \
			-verify_return_error -verify_hostname "$SNI" >>"$TMP/client.log" 2>&1 || true
	wait_gone "$spid" 3
	sleep 0.2
}

check_starttls() {	# check_starttls N
	local n
	n=$(grep -c 'Verify return code: 0 (ok)' "$TMP/client.log" || true)
	[ "$n" -ge "$1" ] || die "verified $n STARTTLS sessions, expected $1: $(tail -20 "$TMP/client.log")"
	n=$(grep -c 'hello from server' "$TMP/client.log" || true)
	[ "$n" -ge "$1" ] || die "the server's line reached the client $n times, expected $1"
	n=$(grep -c "S got: b'hello from client" "$TMP/server.log" || true)
	[ "$n" -ge "$1" ] || die "the client's line reached the server $n times, expected $1"
}

rec_starttls_smtp() {
	topo_direct
	write_starttls_server
	: >"$TMP/client.log"; : >"$TMP/server.log"
	cap_start c c0 starttls-smtp
	starttls_one smtp 25 tls1_2
	cap_stop starttls-smtp
	check_starttls 1
}

rec_starttls_others() {
	topo_direct
	write_starttls_server
	: >"$TMP/client.log"; : >"$TMP/server.log"
	cap_start c c0 starttls-others
	starttls_one imap 143
	starttls_one pop3 110
	starttls_one ftp 21
	starttls_one ldap 389
	cap_stop starttls-others
	check_starttls 4
}

# ---------------------------------------------------------------- HTTP CONNECT
# Client C -- proxy R (tinyproxy on 10.99.1.254:8888) -- server S 10.99.2.2; the proxy
# resolves www.example.test through a hosts file of its namespace.
proxy_start() {	# proxy_start EXTRA-CONFIG-LINES
	topo_routed
	netns_hosts r
	chmod 755 "$TMP"
	cat >"$TMP/tinyproxy.conf" <<-EOF
	User nobody
	Group nogroup
	Port 8888
	Listen 10.99.1.254
	Timeout 30
	LogFile "$TMP/tinyproxy.log"
	LogLevel Info
	MaxClients 10
	Allow 10.99.1.0/24
	ConnectPort 443
	ViaProxyName "tinyproxy"
	$1
	EOF
	touch "$TMP/tinyproxy.log"
	chmod 666 "$TMP/tinyproxy.log"
	ip netns exec "${PFX}r" tinyproxy -d -c "$TMP/tinyproxy.conf" >"$TMP/proxy.out" 2>&1 &
	track $!
	local n=100
	until ip netns exec "${PFX}r" ss -Hltn 'sport = :8888' | grep -q .; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || die "tinyproxy did not start: $(cat "$TMP/proxy.out" "$TMP/tinyproxy.log")"
		sleep 0.05
	done
}

rec_proxy_connect() {
	proxy_start ""
	# s_server -WWW serves files from its working directory
	echo "hello from server" >"$TMP/hello.txt"
	cd "$TMP"
	server_start 10.99.2.2:443 "$TMP/chain-inter.pem" -tls1_2 -WWW
	cd "$HERE"
	cap_start c c0 proxy-connect
	timeout 10 ip netns exec "${PFX}c" curl -sS --cacert "$PKI/root.crt" \
		-x http://10.99.1.254:8888 -o "$TMP/page" -w '%{http_code}\n' \
		"https://$SNI/hello.txt" >"$TMP/client.log" 2>&1 || true
	sleep 0.5
	cap_stop proxy-connect
	wait_gone "$SRV_PID" 2
	grep -qx '200' "$TMP/client.log" || die "curl through the proxy: $(cat "$TMP/client.log")"
	grep -q 'hello from server' "$TMP/page" || die "curl did not get the page"
	expect proxy-connect 1 'tcp dst port 8888 and tcp[((tcp[12]>>4)*4):4] == 0x434f4e4e'
}

rec_proxy_refused() {
	proxy_start 'BasicAuth sam secret'
	cap_start c c0 proxy-refused
	# no credentials: 407 Proxy Authentication Required
	timeout 10 ip netns exec "${PFX}c" curl -sS --cacert "$PKI/root.crt" \
		-x http://10.99.1.254:8888 -o /dev/null -w '%{http_code}\n' \
		"https://$SNI/" >"$TMP/client.log" 2>&1 || true
	sleep 0.3
	# credentials, but a port the proxy does not tunnel to: 403
	timeout 10 ip netns exec "${PFX}c" curl -sS --cacert "$PKI/root.crt" \
		-x http://sam:secret@10.99.1.254:8888 -o /dev/null -w '%{http_code}\n' \
		"https://$SNI:8443/" >>"$TMP/client.log" 2>&1 || true
	sleep 0.5
	cap_stop proxy-refused
	cat "$TMP/client.log" >&2
	expect proxy-refused 2 'tcp src port 8888 and tcp[((tcp[12]>>4)*4):4] == 0x48545450'
}

rec_proxy_unanswered() {
	proxy_start ""
	# a filter in front of the proxy resets every CONNECT request (its first payload bytes
	# "CONN" after a 32-byte TCP header): the proxy never answers
	ip netns exec "${PFX}r" nft -f - <<-'EOF'
	table inet f {
		chain input {
			type filter hook input priority 0; policy accept;
			tcp dport 8888 tcp doff 8 @th,256,32 0x434f4e4e reject with tcp reset
		}
	}
	EOF
	cap_start c c0 proxy-unanswered
	timeout 10 ip netns exec "${PFX}c" curl -sS --cacert "$PKI/root.crt" \
		-x http://10.99.1.254:8888 -o /dev/null -w '%{http_code}\n' \
		"https://$SNI/" >"$TMP/client.log" 2>&1 || true
	sleep 0.3
	cap_stop proxy-unanswered
	cat "$TMP/client.log" >&2
	expect proxy-unanswered 1 'tcp src port 8888 and tcp[tcpflags] & tcp-rst != 0'
	[ "$(tcpdump -r "$HERE/proxy-unanswered.pcap" 'tcp src port 8888 and tcp[((tcp[12]>>4)*4):4] == 0x48545450' 2>/dev/null | wc -l)" = 0 ] ||
		die "the proxy answered"
}

record_main "$@"
