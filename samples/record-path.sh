#!/bin/bash
# Record the interception and path samples between real implementations (OpenSSL
# s_server/s_client, a Python ssl relay that re-signs like an inspection firewall, the Linux
# TCP/IP stack and nftables) in network namespaces created and deleted by this script.
#
#   usage (root):  bash samples/record-path.sh [name...]    (no name: all of them)
#   names: icept-fortinet icept-mixed-issuers icept-issuer-changed lb-backends lb-vip-backends
#          tcp-one-way mtu-blackhole pmtu-icmp hrr-rewritten (needs python3)
#          revocation-unreachable   (needs dnsmasq: Debian dnsmasq-base)
#
# Same rules as record.sh (it sources the same lib.sh): namespaces sdrec<PID>*, addresses
# 10.99.x.x inside them, everything started is killed by PID on exit.  The inspection CAs and
# the odd backend's certificate are made in a temporary directory at each run (only their
# copies on the wire, in the captures, are kept).
set -euo pipefail

ALL=(icept-fortinet icept-mixed-issuers lb-backends tcp-one-way mtu-blackhole
     pmtu-icmp revocation-unreachable hrr-rewritten icept-issuer-changed lb-vip-backends)
# shellcheck source=samples/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

# mkca NAME SUBJECT: a CA key and certificate $TMP/NAME.{key,crt}.
mkca() {
	openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout "$TMP/$1.key" \
		-subj "$2" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" -out "$TMP/$1.crt" 2>/dev/null
}

# mkleaf CA NAME: a leaf for $SNI signed by CA: $TMP/NAME.{key,crt}, chain $TMP/NAME.pem
# (leaf + CA, as inspection devices send it).
mkleaf() {
	printf 'basicConstraints = critical, CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = serverAuth\nsubjectAltName = DNS:%s\n' "$SNI" >"$TMP/leaf.ext"
	openssl req -new -newkey rsa:2048 -nodes -keyout "$TMP/$2.key" -subj "/CN=$SNI" \
		-out "$TMP/$2.csr" 2>/dev/null
	openssl x509 -req -sha256 -days 3650 -in "$TMP/$2.csr" -CA "$TMP/$1.crt" -CAkey "$TMP/$1.key" \
		-set_serial "0x$(openssl rand -hex 8)" -extfile "$TMP/leaf.ext" -out "$TMP/$2.crt" 2>/dev/null
	cat "$TMP/$2.crt" "$TMP/$1.crt" >"$TMP/$2.pem"
}

# www_server ROLE ACCEPT N CERT KEY CHAIN: s_server -www for N connections, TLS 1.2.
www_server() {
	local role=$1 acc=$2 n=$3 cert=$4 key=$5 chain=$6 fifo
	fifo=$TMP/in-$role-${acc//[^0-9]/}
	rm -f "$fifo"
	mkfifo "$fifo"
	ip netns exec "$PFX$role" openssl s_server -accept "$acc" -naccept "$n" -www -tls1_2 \
		-cert "$cert" -key "$key" -cert_chain "$chain" <>"$fifo" \
		>"$TMP/server-${acc//[^0-9]/}.log" 2>&1 &
	track $!
	local w=100
	until ip netns exec "$PFX$role" ss -Hltn "sport = :${acc##*:}" | grep -q .; do
		w=$((w - 1)); [ "$w" -gt 0 ] || die "s_server on $acc did not start"; sleep 0.05
	done
}

# get HOST:PORT CAFILE: one HTTPS GET with s_client (TLS 1.2, SNI, full verification).
get() {
	printf 'GET / HTTP/1.0\r\nHost: %s\r\n\r\n' "$SNI" |
		timeout 8 ip netns exec "${PFX}c" openssl s_client -connect "$1" -servername "$SNI" \
			-tls1_2 -CAfile "$2" -verify_return_error -verify_hostname "$SNI" -ign_eof \
			>>"$TMP/client.log" 2>&1 || true
	sleep 0.3
}

# intercept_setup CA-NAME: topo_routed, the real server on 10.99.2.2:443, and in R a relay
# that re-signs with CA-NAME for connections nftables redirects to it.
intercept_setup() {
	: >"$TMP/client.log"	# get appends; TMP lives across the captures of one run
	topo_routed
	mkleaf "$1" forged
	www_server s 10.99.2.2:443 4 "$PKI/leaf.crt" "$PKI/leaf.key" "$TMP/chain-inter.pem"
	ip netns exec "${PFX}r" "$PY" "$HERE/relay.py" 8443 10.99.2.2 443 "$TMP/forged.pem" \
		"$TMP/forged.key" "$PKI/root.crt" "$SNI" 2 >"$TMP/relay.log" 2>&1 &
	track $!
	local w=100
	until grep -q listening "$TMP/relay.log"; do
		w=$((w - 1)); [ "$w" -gt 0 ] || die "relay did not start: $(cat "$TMP/relay.log")"; sleep 0.05
	done
}

redirect_on() {
	ip netns exec "${PFX}r" nft -f - <<-'EOF'
	table ip icept {
		chain pre {
			type nat hook prerouting priority dstnat; policy accept;
			iifname "rc" tcp dport 443 redirect to :8443
		}
	}
	EOF
}

redirect_off() { ip netns exec "${PFX}r" nft delete table ip icept; }

# ---------------------------------------------------------------- captures
# A FortiGate-style CA re-signs the first connection; the client trusts only the real
# root and refuses it (unknown_ca).  The second connection goes direct.
rec_icept_fortinet() {
	mkca fortinet "/C=US/O=Fortinet/OU=Certificate Authority/CN=FG100E4Q17024322"
	intercept_setup fortinet
	cap_start c c0 icept-fortinet
	redirect_on
	get 10.99.2.2:443 "$PKI/root.crt"
	redirect_off
	get 10.99.2.2:443 "$PKI/root.crt"
	cap_stop icept-fortinet
	grep -q 'client refused' "$TMP/relay.log" || die "client did not refuse the forged chain"
	grep -q 'Verify return code: 0 (ok)' "$TMP/client.log" || die "direct connection did not verify"
	expect icept-fortinet 1 'tcp[tcpflags] & tcp-syn != 0 and dst host 10.99.2.2'
}

# A corporate inspection CA (not in any catalogue) that this client does trust re-signs the
# first connection; the second goes direct: two issuers for one name and address.
rec_icept_mixed_issuers() {
	mkca corp "/O=Example Corp/CN=Example Corp Inspection CA"
	intercept_setup corp
	cat "$PKI/root.crt" "$TMP/corp.crt" >"$TMP/trust.pem"
	cap_start c c0 icept-mixed-issuers
	redirect_on
	get 10.99.2.2:443 "$TMP/trust.pem"
	redirect_off
	get 10.99.2.2:443 "$TMP/trust.pem"
	cap_stop icept-mixed-issuers
	[ "$(grep -c "^Verification: OK" "$TMP/client.log")" = 2 ] || { cat "$TMP/client.log" >&2;
		die "both connections should verify"; }
}

# Two backends of www.example.test: .2 with the real chain, .3 left with a self-signed
# certificate; the client alternates between them (as DNS round robin would).
rec_lb_backends() {
	: >"$TMP/client.log"
	topo_direct
	ip -n "${PFX}s" addr add 10.99.1.3/24 dev s0
	openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout "$TMP/odd.key" \
		-subj "/CN=$SNI" -addext "subjectAltName=DNS:$SNI" -out "$TMP/odd.crt" 2>/dev/null
	www_server s 10.99.1.2:443 2 "$PKI/leaf.crt" "$PKI/leaf.key" "$TMP/chain-inter.pem"
	www_server s 10.99.1.3:443 2 "$TMP/odd.crt" "$TMP/odd.key" "$TMP/odd.crt"
	cap_start c c0 lb-backends
	get 10.99.1.2:443 "$PKI/root.crt"
	get 10.99.1.3:443 "$PKI/root.crt"
	get 10.99.1.2:443 "$PKI/root.crt"
	get 10.99.1.3:443 "$PKI/root.crt"
	cap_stop lb-backends
	[ "$(grep -c "^Verification: OK" "$TMP/client.log")" = 2 ] || { cat "$TMP/client.log" >&2;
		die "the good backend should verify twice"; }
}

# Asymmetric routing: C -> S through R1, S -> C through R2; the capture on R1's client-side
# interface sees only the client's half of a complete HTTPS exchange.
rec_tcp_one_way() {
	: >"$TMP/client.log"
	ns_new c; ns_new r; ns_new q; ns_new s
	wire c c0 02:99:00:00:01:01 r rc 02:99:00:00:01:fe
	wire r rs 02:99:00:00:02:fe s s0 02:99:00:00:02:02
	wire c c1 02:99:00:00:03:01 q qc 02:99:00:00:03:fe
	wire q qs 02:99:00:00:04:fe s s1 02:99:00:00:04:02
	ip -n "${PFX}c" addr add 10.99.1.1/24 dev c0
	ip -n "${PFX}c" addr add 10.99.3.1/24 dev c1
	ip -n "${PFX}r" addr add 10.99.1.254/24 dev rc
	ip -n "${PFX}r" addr add 10.99.2.254/24 dev rs
	ip -n "${PFX}q" addr add 10.99.3.254/24 dev qc
	ip -n "${PFX}q" addr add 10.99.4.254/24 dev qs
	ip -n "${PFX}s" addr add 10.99.2.2/24 dev s0
	ip -n "${PFX}s" addr add 10.99.4.2/24 dev s1
	ip -n "${PFX}c" route add 10.99.2.0/24 via 10.99.1.254
	ip -n "${PFX}s" route add 10.99.1.0/24 via 10.99.4.254
	ip -n "${PFX}q" route add 10.99.1.0/24 via 10.99.3.1
	local n
	for n in c r q s; do
		ip netns exec "$PFX$n" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0
		for i in $(ip -n "$PFX$n" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1); do
			ip netns exec "$PFX$n" sysctl -qw "net.ipv4.conf.$i.rp_filter=0"
		done
	done
	www_server s 10.99.2.2:443 1 "$PKI/leaf.crt" "$PKI/leaf.key" "$TMP/chain-inter.pem"
	# and a port the server drops: its SYNs look the same as the answered ones here
	ip netns exec "${PFX}s" nft add table inet f
	ip netns exec "${PFX}s" nft add chain inet f input '{ type filter hook input priority 0; }'
	ip netns exec "${PFX}s" nft add rule inet f input tcp dport 8443 drop
	cap_start r rc tcp-one-way
	get 10.99.2.2:443 "$PKI/root.crt"
	timeout 4 ip netns exec "${PFX}c" openssl s_client -connect 10.99.2.2:8443 \
		-servername "$SNI" </dev/null >/dev/null 2>&1 || true
	cap_stop tcp-one-way
	grep -q 'Verify return code: 0 (ok)' "$TMP/client.log" || die "the session did not complete"
	[ "$(tcpdump -r "$HERE/tcp-one-way.pcap" src host 10.99.2.2 2>/dev/null | wc -l)" = 0 ] ||
		die "the capture should not see the server's packets"
}

# The router drops every packet over 1400 bytes and sends no ICMP (a PMTUD black hole);
# the server sends leaf + intermediate + root in its TLS 1.2 flight, so its full-size
# segments (1500-byte packets) vanish while the small ones pass.  Captured on the server.
rec_mtu_blackhole() {
	: >"$TMP/client.log"
	topo_routed
	ip netns exec "${PFX}r" nft -f - <<-'EOF'
	table inet f {
		chain forward {
			type filter hook forward priority 0; policy accept;
			meta length > 1400 drop
		}
	}
	EOF
	www_server s 10.99.2.2:443 1 "$PKI/leaf.crt" "$PKI/leaf.key" "$TMP/chain-full.pem"
	cap_start s s0 mtu-blackhole
	printf 'GET / HTTP/1.0\r\n\r\n' | timeout 8 ip netns exec "${PFX}c" openssl s_client \
		-connect 10.99.2.2:443 -servername "$SNI" -tls1_2 -CAfile "$PKI/root.crt" \
		-verify_return_error -ign_eof >>"$TMP/client.log" 2>&1 || true
	cap_stop mtu-blackhole
	expect mtu-blackhole 3 'src host 10.99.2.2 and greater 1400'
}

# Path MTU discovery working: the router's link towards the client has an MTU of 1400
# (the client's own interface 1500, so its MSS does not hide the smaller hop),
# so the server's 1500-byte segments (DF set) are answered by the router with ICMP
# fragmentation needed (type 3 code 4, MTU 1400); the server's kernel lowers its path MTU
# and resends smaller segments, and the handshake completes.  Captured on the server.
rec_pmtu_icmp() {
	: >"$TMP/client.log"
	topo_routed
	ip -n "${PFX}r" link set rc mtu 1400
	www_server s 10.99.2.2:443 1 "$PKI/leaf.crt" "$PKI/leaf.key" "$TMP/chain-full.pem"
	cap_start s s0 pmtu-icmp
	get 10.99.2.2:443 "$PKI/root.crt"
	cap_stop pmtu-icmp
	grep -q 'Verify return code: 0 (ok)' "$TMP/client.log" || die "the handshake did not complete"
	expect pmtu-icmp 1 'icmp[icmptype] == icmp-unreach and icmp[icmpcode] == 4'
}

# lookup NAME: an A query from C to the dnsmasq in S (a stub resolver: C has no resolv.conf
# of its own); prints the first address, or nothing.
lookup() {
	ip netns exec "${PFX}c" "$PY" - "$1" <<-'EOF'
	import socket, struct, sys
	name = sys.argv[1]
	q = struct.pack(">HHHHHH", 0x5d00 + len(name), 0x0100, 1, 0, 0, 0)
	q += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
	q += struct.pack(">HH", 1, 1)
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.settimeout(3)
	s.sendto(q, ("10.99.1.2", 53))
	r = s.recv(1500)
	rcode, an = r[3] & 15, struct.unpack(">H", r[6:8])[0]
	if rcode == 0 and an > 0 and r[-6:-4] == b"\0\4":
	    print(socket.inet_ntoa(r[-4:]))
	EOF
}

# A server certificate whose CRL and OCSP URLs name crl.example.test and ocsp.example.test.
# dnsmasq in S answers crl.example.test with 10.99.1.80, whose port 80 S drops, and
# ocsp.example.test with NXDOMAIN.  The client checks the server, then tries both.
rec_revocation_unreachable() {
	: >"$TMP/client.log"
	command -v dnsmasq >/dev/null || die "needs dnsmasq (apt-get install dnsmasq-base)"
	topo_direct
	ip -n "${PFX}s" addr add 10.99.1.80/24 dev s0
	ip netns exec "${PFX}s" nft -f - <<-'EOF'
	table inet f {
		chain input {
			type filter hook input priority 0; policy accept;
			ip daddr 10.99.1.80 tcp dport 80 drop
		}
	}
	EOF
	printf '%s\n' 'basicConstraints = critical, CA:FALSE' \
		'keyUsage = critical, digitalSignature, keyEncipherment' \
		'extendedKeyUsage = serverAuth' "subjectAltName = DNS:$SNI" \
		'crlDistributionPoints = URI:http://crl.example.test/inter.crl' \
		'authorityInfoAccess = OCSP;URI:http://ocsp.example.test' >"$TMP/revoc.ext"
	openssl req -new -key "$PKI/leaf.key" -subj "/O=Shakedown Samples/CN=$SNI" \
		-out "$TMP/revoc.csr" 2>/dev/null
	openssl x509 -req -sha256 -days 3650 -in "$TMP/revoc.csr" -CA "$PKI/inter.crt" \
		-CAkey "$PKI/inter.key" -set_serial 0x5d10 -extfile "$TMP/revoc.ext" \
		-out "$TMP/revoc.crt" 2>/dev/null
	ip netns exec "${PFX}s" dnsmasq --no-daemon --conf-file=/dev/null --no-resolv --no-hosts \
		--listen-address=10.99.1.2 --bind-interfaces --user=root --pid-file="$TMP/dnsmasq.pid" \
		--address=/crl.example.test/10.99.1.80 --address=/ocsp.example.test/ \
		>"$TMP/dnsmasq.log" 2>&1 &
	track $!
	www_server s 10.99.1.2:443 1 "$TMP/revoc.crt" "$PKI/leaf.key" "$TMP/chain-inter.pem"
	sleep 0.3
	cap_start c c0 revocation-unreachable
	get 10.99.1.2:443 "$PKI/root.crt"
	local crl
	crl=$(lookup crl.example.test)
	[ "$crl" = 10.99.1.80 ] || die "crl.example.test did not resolve: '$crl' $(cat "$TMP/dnsmasq.log")"
	timeout 8 ip netns exec "${PFX}c" curl -s -o /dev/null --max-time 5 \
		--resolve "crl.example.test:80:$crl" http://crl.example.test/inter.crl || true
	[ -z "$(lookup ocsp.example.test)" ] || die "ocsp.example.test should not resolve"
	cap_stop revocation-unreachable
	grep -q '^Verification: OK' "$TMP/client.log" || die "the TLS session did not verify"
	expect revocation-unreachable 3 'dst host 10.99.1.80 and tcp[tcpflags] == tcp-syn'
}

# A middlebox that rewrites ClientHellos breaks the TLS 1.3 HelloRetryRequest: the client
# (OpenSSL, groups X25519 then P-256) sends a key share for X25519 only; the server (groups
# P-256) answers with a HelloRetryRequest for P-256; the client's second ClientHello has a
# P-256 share, but chrewrite.py on the router puts the first hello's X25519 share back, and
# the server ends the handshake with illegal_parameter (47).  Captured on the server's side
# of the middlebox (its connections come from the router's address).
rec_hrr_rewritten() {
	: >"$TMP/client.log"
	topo_routed
	rm -f "$TMP/srvin"
	mkfifo "$TMP/srvin"
	exec 8<>"$TMP/srvin"
	ip netns exec "${PFX}s" openssl s_server -accept 10.99.2.2:443 -naccept 1 -tls1_3 \
		-groups P-256 -cert "$PKI/leaf.crt" -key "$PKI/leaf.key" \
		-cert_chain "$TMP/chain-inter.pem" <&8 8>&- >"$TMP/server.log" 2>&1 &
	track $!
	wait_listen s 443
	ip netns exec "${PFX}r" "$PY" "$HERE/chrewrite.py" 8443 10.99.2.2 443 \
		>"$TMP/relay.log" 2>&1 &
	track $!
	local w=100
	until grep -q listening "$TMP/relay.log"; do
		w=$((w - 1)); [ "$w" -gt 0 ] || die "middlebox did not start: $(cat "$TMP/relay.log")"
		sleep 0.05
	done
	redirect_on
	cap_start s s0 hrr-rewritten
	{ sleep 0.5; echo "hello from client"; sleep 0.5; } | timeout 8 ip netns exec "${PFX}c" \
		openssl s_client -connect 10.99.2.2:443 -servername "$SNI" -groups X25519:P-256 \
		-CAfile "$PKI/root.crt" -verify_return_error 8>&- >>"$TMP/client.log" 2>&1 || true
	sleep 0.3
	exec 8>&-
	cap_stop hrr-rewritten
	redirect_off
	grep -q "rewrote the second ClientHello" "$TMP/relay.log" || die "the middlebox rewrote nothing"
	# the server's alert record (21): fatal (2) illegal_parameter (47)
	expect hrr-rewritten 1 "src host 10.99.2.2 and tcp[((tcp[12] >> 4) * 4)] == 21 and tcp[((tcp[12] >> 4) * 4) + 6] == 47"
}

# The path to www.example.test changes under the client: two connections reach the real
# server directly (genuine chain), then the redirect goes on and the next two meet the relay
# re-signing with a FortiGate-style CA (CN = a unit serial number).  This client trusts only
# the real root and refuses the forged chain (unknown_ca); a second client that was given the
# inspection CA (as managed devices behind such a firewall are) accepts it.
rec_icept_issuer_changed() {
	mkca fortinet "/C=US/O=Fortinet Ltd./OU=Certificate Authority/CN=FG200F5T21001234"
	intercept_setup fortinet
	cat "$PKI/root.crt" "$TMP/fortinet.crt" >"$TMP/trust-fg.pem"
	cap_start c c0 icept-issuer-changed
	get 10.99.2.2:443 "$PKI/root.crt"
	get 10.99.2.2:443 "$PKI/root.crt"
	redirect_on
	get 10.99.2.2:443 "$PKI/root.crt"
	get 10.99.2.2:443 "$TMP/trust-fg.pem"
	redirect_off
	cap_stop icept-issuer-changed
	[ "$(grep -c "^Verification: OK" "$TMP/client.log")" = 3 ] || { cat "$TMP/client.log" >&2;
		die "the two direct connections and the trusting client should verify"; }
	[ "$(grep -c 'client refused' "$TMP/relay.log")" = 1 ] || die "the first client should refuse the forged chain"
	[ "$(grep -c 'client accepted' "$TMP/relay.log")" = 1 ] || die "the second client should accept the forged chain"
	expect icept-issuer-changed 4 'tcp[tcpflags] == tcp-syn and dst host 10.99.2.2'
}

# One virtual IP, three backends: client C (10.99.1.1) -- load balancer L (10.99.1.254 |
# 10.99.3.1) -- backends B (10.99.3.2, .3, .4 on one veth).  L has no address 10.99.2.100:
# its nftables DNAT (prerouting) sends each new connection to the VIP to the next backend in
# turn (numgen inc mod 3), and conntrack puts the VIP back on the answers, so the capture on
# the client's veth sees only 10.99.2.100.  .2 serves the sample chain, .3 a certificate for
# the same name from another CA (a staging CA left on one node), .4 has no listener (its
# kernel resets the SYN).  Six connections in sequence: ok, refused chain, reset, and again.
rec_lb_vip_backends() {
	: >"$TMP/client.log"
	ns_new c; ns_new r; ns_new s
	wire c c0 02:99:00:00:01:01 r rc 02:99:00:00:01:fe
	wire r rs 02:99:00:00:03:fe s s0 02:99:00:00:03:02
	ip -n "${PFX}c" addr add 10.99.1.1/24 dev c0
	ip -n "${PFX}r" addr add 10.99.1.254/24 dev rc
	ip -n "${PFX}r" addr add 10.99.3.1/24 dev rs
	local a
	for a in 2 3 4; do
		ip -n "${PFX}s" addr add "10.99.3.$a/24" dev s0
	done
	ip -n "${PFX}c" route add default via 10.99.1.254
	ip -n "${PFX}s" route add default via 10.99.3.1
	ip netns exec "${PFX}r" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "${PFX}r" nft -f - <<-'EOF'
	table ip lb {
		chain pre {
			type nat hook prerouting priority dstnat; policy accept;
			ip daddr 10.99.2.100 tcp dport 443 dnat to numgen inc mod 3 map { 0 : 10.99.3.2, 1 : 10.99.3.3, 2 : 10.99.3.4 }
		}
	}
	EOF
	mkca staging "/O=Example Ops/CN=Example Staging CA"
	mkleaf staging staging-leaf
	www_server s 10.99.3.2:443 2 "$PKI/leaf.crt" "$PKI/leaf.key" "$TMP/chain-inter.pem"
	www_server s 10.99.3.3:443 2 "$TMP/staging-leaf.crt" "$TMP/staging-leaf.key" "$TMP/staging.crt"
	cap_start c c0 lb-vip-backends
	local i
	for i in 1 2 3 4 5 6; do
		get 10.99.2.100:443 "$PKI/root.crt"
	done
	cap_stop lb-vip-backends
	[ "$(grep -c "^Verification: OK" "$TMP/client.log")" = 2 ] || { cat "$TMP/client.log" >&2;
		die "the good backend should verify twice"; }
	[ "$(grep -c "^Verification error" "$TMP/client.log")" = 2 ] || { cat "$TMP/client.log" >&2;
		die "the staging backend should be refused twice"; }
	expect lb-vip-backends 6 'src host 10.99.1.1 and dst host 10.99.2.100 and tcp[tcpflags] == tcp-syn'
	expect lb-vip-backends 2 'src host 10.99.2.100 and tcp[tcpflags] & tcp-rst != 0 and tcp[tcpflags] & tcp-ack != 0 and tcp[tcpflags] & tcp-syn == 0'
	[ "$(tcpdump -nr "$HERE/lb-vip-backends.pcap" 'host 10.99.3.2 or host 10.99.3.3 or host 10.99.3.4 or port 53' 2>/dev/null | wc -l)" = 0 ] ||
		die "the capture should show only the VIP"
}

record_main "$@"
