#!/bin/bash
# samples/lib.sh - what the sample recorders (record*.sh) share: namespaces wired by veth,
# tcpdump capture, the test PKI, s_server/s_client sessions, cleanup of everything started.
# Sourced, not run: the recorder sets ALL=(names...) and defines rec_<name> per name, then
# calls record_main "$@".  HERE is the samples directory (where captures are written).

HERE=$(cd "$(dirname "$0")" && pwd)
PKI=$HERE/pki
PFX=sdrec$$
SNI=www.example.test
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3

NSS=()		# namespaces created by this script
PIDS=()		# processes started in the background by this script
TMP=
BPFFS=
CAP_PID=
CAP_FILE=

log() { printf '[record] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

cleanup() {
	local p n
	exec 8>&-
	for p in ${PIDS[@]+"${PIDS[@]}"}; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in ${PIDS[@]+"${PIDS[@]}"}; do
		for n in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	PIDS=()
	for n in ${NSS[@]+"${NSS[@]}"}; do
		ip netns del "$n" 2>/dev/null || true
	done
	NSS=()
	if [ -n "$BPFFS" ]; then
		umount "$BPFFS" 2>/dev/null || true
		rmdir "$BPFFS" 2>/dev/null || true
		BPFFS=
	fi
}

NETNS_ETC=	# /etc/netns/<namespace> made by netns_hosts, removed on exit

final_cleanup() {
	cleanup
	[ -n "$TMP" ] && rm -rf "$TMP"
	[ -n "$NETNS_ETC" ] && rm -rf "$NETNS_ETC"
	return 0
}

# netns_hosts ROLE: a hosts file for namespace $PFX$ROLE (ip netns exec bind-mounts it)
# that resolves $SNI to the server S of topo_routed, 10.99.2.2.
netns_hosts() {
	NETNS_ETC=/etc/netns/$PFX$1
	mkdir -p "$NETNS_ETC"
	printf '127.0.0.1 localhost\n10.99.2.2 %s\n' "$SNI" >"$NETNS_ETC/hosts"
}

track() { PIDS+=("$1"); }

# untrack PID: forget a process that has been reaped (its PID may be reused).
untrack() {
	local p keep=()
	for p in ${PIDS[@]+"${PIDS[@]}"}; do
		[ "$p" = "$1" ] || keep+=("$p")
	done
	PIDS=(${keep[@]+"${keep[@]}"})
}

# wait_gone PID SECONDS: wait for a tracked process to exit, then kill it.
wait_gone() {
	local p=$1 n=$(( $2 * 10 ))
	while [ "$n" -gt 0 ] && kill -0 "$p" 2>/dev/null; do
		sleep 0.1
		n=$((n - 1))
	done
	kill -TERM "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
	untrack "$p"
}

need_tools() {
	local miss=() pair
	for pair in tcpdump:tcpdump openssl:openssl ip:iproute2 tc:iproute2 ss:iproute2 \
		    ethtool:ethtool nft:nftables ping:iputils-ping python3:python3 \
		    timeout:coreutils; do
		command -v "${pair%%:*}" >/dev/null 2>&1 || miss+=("${pair#*:}")
	done
	if [ ${#miss[@]} -gt 0 ]; then
		log "installing: ${miss[*]}"
		# shellcheck disable=SC2046  # one word per package name
		DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			$(printf '%s\n' "${miss[@]}" | sort -u) >/dev/null
	fi
}

# ---------------------------------------------------------------- test PKI
# root -> intermediate -> leaf (www.example.test, SAN), RSA 2048, SHA-256.
make_pki() {
	local f missing=0
	for f in root.key root.crt inter.key inter.crt leaf.key leaf.crt; do
		[ -s "$PKI/$f" ] || missing=1
	done
	if [ "$missing" = 0 ]; then
		cat "$PKI/inter.crt" >"$TMP/chain-inter.pem"
		cat "$PKI/inter.crt" "$PKI/root.crt" >"$TMP/chain-full.pem"
		return
	fi
	log "creating test PKI in $PKI (valid 10 years from now)"
	mkdir -p "$PKI"
	cat >"$TMP/ext.cnf" <<-'EOF'
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
	subjectAltName = DNS:www.example.test
	subjectKeyIdentifier = hash
	authorityKeyIdentifier = keyid:always
	EOF
	local k
	for k in root inter leaf; do
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$PKI/$k.key" 2>/dev/null
	done
	openssl req -new -x509 -sha256 -days 3650 -key "$PKI/root.key" -set_serial 0x5d01 \
		-subj "/O=Shakedown Samples/CN=Shakedown Sample Root CA" \
		-config "$TMP/ext.cnf" -extensions root -out "$PKI/root.crt"
	openssl req -new -key "$PKI/inter.key" -subj "/O=Shakedown Samples/CN=Shakedown Sample Intermediate CA" \
		-config "$TMP/ext.cnf" -out "$TMP/inter.csr"
	openssl x509 -req -sha256 -days 3650 -in "$TMP/inter.csr" -CA "$PKI/root.crt" -CAkey "$PKI/root.key" \
		-set_serial 0x5d02 -extfile "$TMP/ext.cnf" -extensions inter -out "$PKI/inter.crt" 2>/dev/null
	openssl req -new -key "$PKI/leaf.key" -subj "/O=Shakedown Samples/CN=$SNI" \
		-config "$TMP/ext.cnf" -out "$TMP/leaf.csr"
	openssl x509 -req -sha256 -days 3650 -in "$TMP/leaf.csr" -CA "$PKI/inter.crt" -CAkey "$PKI/inter.key" \
		-set_serial 0x5d03 -extfile "$TMP/ext.cnf" -extensions leaf -out "$PKI/leaf.crt" 2>/dev/null
	cat "$PKI/inter.crt" >"$TMP/chain-inter.pem"
	cat "$PKI/inter.crt" "$PKI/root.crt" >"$TMP/chain-full.pem"
	openssl verify -CAfile "$PKI/root.crt" -untrusted "$PKI/inter.crt" "$PKI/leaf.crt" >/dev/null ||
		die "generated PKI does not verify"
}

# ---------------------------------------------------------------- topology
# ns_new ROLE [v6]: namespace $PFX$ROLE, IPv6 disabled unless "v6".
ns_new() {
	local n=$PFX$1
	ip netns add "$n"
	NSS+=("$n")
	ip -n "$n" link set lo up
	if [ "${2:-}" = v6 ]; then
		# quiet IPv6: no DAD, no router solicitations, MLD reports sent at once
		ip netns exec "$n" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
			net.ipv6.conf.default.router_solicitations=0 \
			net.ipv6.conf.default.accept_ra=0 \
			net.ipv6.conf.default.mldv2_unsolicited_report_interval=1 \
			net.ipv6.conf.default.mldv1_unsolicited_report_interval=1
	else
		ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1
	fi
}

# wire NS1 IF1 MAC1 NS2 IF2 MAC2: veth pair, fixed MACs, offloads off, up.
wire() {
	local n1=$PFX$1 i1=$2 m1=$3 n2=$PFX$4 i2=$5 m2=$6 p
	ip -n "$n1" link add "$i1" address "$m1" type veth peer name "$i2" address "$m2" netns "$n2"
	for p in "$n1 $i1" "$n2 $i2"; do
		set -- $p
		# wire-sized frames and correct checksums in the capture
		ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off >/dev/null 2>&1 ||
			ip netns exec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null
		# VLAN tags in the frame itself rather than in metadata (ignored if fixed)
		ip netns exec "$1" ethtool -K "$2" txvlan off rxvlan off >/dev/null 2>&1 || true
		ip -n "$1" link set "$2" up
	done
}

# Client C (10.99.1.1, fd00:99::1) directly wired to server S (10.99.1.2, fd00:99::2).
topo_direct() {
	ns_new c "${1:-}"
	ns_new s "${1:-}"
	wire c c0 02:99:00:00:01:01 s s0 02:99:00:00:01:02
	ip -n "${PFX}c" addr add 10.99.1.1/24 dev c0
	ip -n "${PFX}s" addr add 10.99.1.2/24 dev s0
	if [ "${1:-}" = v6 ]; then
		ip -n "${PFX}c" addr add fd00:99::1/64 dev c0 nodad
		ip -n "${PFX}s" addr add fd00:99::2/64 dev s0 nodad
		sleep 0.3	# let the link-up MLD reports go before the capture starts
	fi
}

# Client C (10.99.1.1) -- router R (10.99.1.254 | 10.99.2.254) -- server S (10.99.2.2).
topo_routed() {
	ns_new c; ns_new r; ns_new s
	wire c c0 02:99:00:00:01:01 r rc 02:99:00:00:01:fe
	wire r rs 02:99:00:00:02:fe s s0 02:99:00:00:02:02
	ip -n "${PFX}c" addr add 10.99.1.1/24 dev c0
	ip -n "${PFX}r" addr add 10.99.1.254/24 dev rc
	ip -n "${PFX}r" addr add 10.99.2.254/24 dev rs
	ip -n "${PFX}s" addr add 10.99.2.2/24 dev s0
	ip -n "${PFX}c" route add default via 10.99.1.254
	ip -n "${PFX}s" route add default via 10.99.2.254
	ip netns exec "${PFX}r" sysctl -qw net.ipv4.ip_forward=1
}

# vlan_tags TAG...: make every frame on the c0<->s0 veth carry the given tags
# (TPID:VID, inner first). The kernels of the recording machines have no 8021q
# module (no "ip link add ... type vlan") and no bridge VLAN filtering, so both
# ends push the tags on egress and pop them on ingress with the kernel's VLAN
# helpers (bpf_skb_vlan_push/pop) from tc clsact; see vlantag.py. tcpdump sees
# egress frames after the push and ingress frames before the pop.
vlan_tags() {
	local p
	BPFFS=$(mktemp -d /tmp/sdrec-bpf.XXXXXX)
	mount -t bpf bpf "$BPFFS"
	"$PY" "$HERE/vlantag.py" "$BPFFS" "$@"
	for p in "${PFX}c c0" "${PFX}s s0"; do
		set -- $p
		tc -n "$1" qdisc add dev "$2" clsact
		tc -n "$1" filter add dev "$2" egress bpf da object-pinned "$BPFFS/push"
		tc -n "$1" filter add dev "$2" ingress bpf da object-pinned "$BPFFS/pop"
	done
}

# ---------------------------------------------------------------- capture
cap_start() {	# cap_start ROLE IFACE NAME
	CAP_FILE=$TMP/$3.pcap
	ip netns exec "$PFX$1" tcpdump -i "$2" -Z root -w "$CAP_FILE" --immediate-mode -U -s 0 \
		>"$TMP/tcpdump.log" 2>&1 &
	CAP_PID=$!
	track "$CAP_PID"
	local n=50
	until grep -q 'listening on' "$TMP/tcpdump.log"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || die "tcpdump did not start: $(cat "$TMP/tcpdump.log")"
		sleep 0.1
	done
	sleep 0.2
}

cap_stop() {	# cap_stop NAME
	sleep 0.3
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || true
	untrack "$CAP_PID"
	grep -q '^0 packets dropped by kernel' "$TMP/tcpdump.log" ||
		die "tcpdump dropped packets: $(cat "$TMP/tcpdump.log")"
	install -m 0644 "$CAP_FILE" "$HERE/$1.pcap"
	log "$1.pcap: $(tcpdump -r "$HERE/$1.pcap" 2>/dev/null | wc -l) packets"
}

# expect NAME MIN FILTER: the capture holds at least MIN packets matching FILTER.
expect() {
	local n
	n=$(tcpdump -r "$HERE/$1.pcap" "$3" 2>/dev/null | wc -l)
	[ "$n" -ge "$2" ] || die "$1.pcap: $n packets match '$3', expected at least $2"
}

# wait_listen ROLE PORT
wait_listen() {
	local n=100
	until ip netns exec "$PFX$1" ss -Hltn "sport = :$2" | grep -q .; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || die "nothing listens on port $2 in $PFX$1: $(cat "$TMP/server.log")"
		sleep 0.05
	done
}

# wait_listen_udp ROLE PORT: a UDP socket (a DTLS server) is bound to PORT in ROLE.
wait_listen_udp() {
	local n=100
	until ip netns exec "$PFX$1" ss -Hlun "sport = :$2" | grep -q .; do
		n=$((n - 1)); [ "$n" -gt 0 ] || die "nothing bound to UDP port $2 in $PFX$1"; sleep 0.05
	done
}

# server_start ACCEPT CHAIN OPTS...: s_server in S for one connection; stdin is a
# FIFO held open on fd 8 (s_server quits when its stdin closes).
SRV_PID=
server_start() {
	local acc=$1 chain=$2
	shift 2
	rm -f "$TMP/srvin"
	mkfifo "$TMP/srvin"
	exec 8<>"$TMP/srvin"
	ip netns exec "${PFX}s" openssl s_server -accept "$acc" -naccept 1 \
		-cert "$PKI/leaf.crt" -key "$PKI/leaf.key" -cert_chain "$chain" "$@" \
		<&8 8>&- >"$TMP/server.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID"
	wait_listen s 443
}

# dtls_server_start OPTS...: s_server -dtls1_2 in S on UDP 10.99.1.2:4433 (leaf +
# intermediate), stdin held open on fd 8 like server_start.
dtls_server_start() {
	rm -f "$TMP/srvin"
	mkfifo "$TMP/srvin"
	exec 8<>"$TMP/srvin"
	ip netns exec "${PFX}s" openssl s_server -dtls1_2 -accept 10.99.1.2:4433 "$@" \
		-cert "$PKI/leaf.crt" -key "$PKI/leaf.key" -cert_chain "$TMP/chain-inter.pem" \
		<&8 8>&- >"$TMP/server.log" 2>&1 &
	SRV_PID=$!
	track "$SRV_PID"
	wait_listen_udp s 4433
}

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

# client_session HOST:PORT OPTS...: s_client with SNI and full verification; one
# line from the client, one line back from the server, then the client closes
# (close_notify, FIN; s_client then reads the server's close_notify and FIN).
client_session() {
	local conn=$1
	shift
	{ sleep 0.3; echo "hello from client"; sleep 0.3; echo "hello from server" >&8; sleep 0.4; } |
		timeout 10 ip netns exec "${PFX}c" openssl s_client -connect "$conn" -servername "$SNI" \
			-CAfile "$PKI/root.crt" -verify_return_error -verify_hostname "$SNI" "$@" \
			8>&- >"$TMP/client.log" 2>&1 || true
}

tls_session() {	# tls_session CONNECT ACCEPT CHAIN SERVER-OPTS...
	local conn=$1
	shift
	server_start "$@"
	client_session "$conn"
	wait_gone "$SRV_PID" 3
	grep -q 'hello from client' "$TMP/server.log" || die "server did not get the client's line"
	grep -q 'hello from server' "$TMP/client.log" || die "client did not get the server's line"
	grep -q 'Verify return code: 0 (ok)' "$TMP/client.log" || die "client did not verify the chain"
}

# ---------------------------------------------------------------- main
# record_main [name...]: record the named captures (default: all of ALL).
record_main() {
	[ "$(id -u)" = 0 ] || die "run as root (namespaces, tcpdump, nft)"
	names=("$@")
	[ ${#names[@]} -gt 0 ] || names=("${ALL[@]}")
	for name in "${names[@]}"; do
		printf '%s\n' "${ALL[@]}" | grep -qx -- "$name" || die "unknown capture '$name' (known: ${ALL[*]})"
	done
	need_tools
	TMP=$(mktemp -d /tmp/sdrec.XXXXXX)
	trap final_cleanup EXIT
	trap 'exit 130' INT TERM
	make_pki
	for name in "${names[@]}"; do
		log "recording $name"
		"rec_${name//-/_}"
		cleanup
	done
	log "done: ${names[*]}"
}
