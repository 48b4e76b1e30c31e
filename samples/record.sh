#!/bin/bash
# Record shakedown's sample captures between real implementations (OpenSSL
# s_server/s_client, the Linux TCP/IP stack, nftables) in network namespaces
# created and deleted by this script.
#
#   usage (root):  bash samples/record.sh [name...]    (no name: all of them)
#   names: tls12-3chain tls13 tls-vlan tls-qinq ip-fragments tcp-syn-unanswered
#          tcp-rst-closed icmp-unreachable tls-reset-injected tls12-ipv6
#
# Only namespaces named sdrec<PID>* are created (addresses 10.99.x.x and
# fd00:99::/64 inside them); nothing outside them is configured or captured.
# The test PKI in samples/pki/ is created only when absent, so re-recording
# reuses the same keys and certificates (valid 10 years from their creation).
# Everything this script starts is killed by PID, and the namespaces are deleted,
# on exit (trap). Needs: tcpdump openssl iproute2 ethtool nftables iputils-ping
# python3 (installed with apt-get when missing).
set -euo pipefail

ALL=(tls12-3chain tls13 tls-vlan tls-qinq ip-fragments tcp-syn-unanswered
     tcp-rst-closed icmp-unreachable tls-reset-injected tls12-ipv6)
# shellcheck source=samples/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

# ---------------------------------------------------------------- captures
rec_tls12_3chain() {
	topo_direct
	cap_start c c0 tls12-3chain
	tls_session 10.99.1.2:443 10.99.1.2:443 "$TMP/chain-full.pem" \
		-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
	cap_stop tls12-3chain
}

rec_tls13() {
	topo_direct
	cap_start c c0 tls13
	tls_session 10.99.1.2:443 10.99.1.2:443 "$TMP/chain-inter.pem" -tls1_3
	cap_stop tls13
}

rec_tls_vlan() {
	topo_direct
	vlan_tags 0x8100:100
	cap_start c c0 tls-vlan
	tls_session 10.99.1.2:443 10.99.1.2:443 "$TMP/chain-inter.pem" \
		-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
	cap_stop tls-vlan
}

rec_tls_qinq() {
	topo_direct
	vlan_tags 0x8100:100 0x88a8:200
	cap_start c c0 tls-qinq
	tls_session 10.99.1.2:443 10.99.1.2:443 "$TMP/chain-inter.pem" \
		-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
	cap_stop tls-qinq
}

rec_ip_fragments() {
	topo_direct v6
	# receiver for the datagrams (no ICMP port unreachable)
	ip netns exec "${PFX}s" "$PY" -c '
import socket, time
socks = []
for fam, addr in ((socket.AF_INET, "10.99.1.2"), (socket.AF_INET6, "fd00:99::2")):
	s = socket.socket(fam, socket.SOCK_DGRAM)
	s.bind((addr, 9999))
	socks.append(s)
time.sleep(30)
' >"$TMP/udp.log" 2>&1 &
	track $!
	local n=100
	until ip netns exec "${PFX}s" ss -Hlun 'sport = :9999' | grep -q fd00; do
		n=$((n - 1)); [ "$n" -gt 0 ] || die "UDP receiver did not start"; sleep 0.05
	done
	cap_start c c0 ip-fragments
	ip netns exec "${PFX}c" "$PY" -c '
import socket, time
for fam, dst in ((socket.AF_INET, "10.99.1.2"), (socket.AF_INET6, "fd00:99::2")):
	s = socket.socket(fam, socket.SOCK_DGRAM)
	s.bind(("10.99.1.1" if fam == socket.AF_INET else "fd00:99::1", 40000))
	for size in (3000, 5000):
		s.sendto(bytes(i & 0xff for i in range(size)), (dst, 9999))
		time.sleep(0.2)
	s.close()
'
	ip netns exec "${PFX}c" ping -4 -c 1 -s 3000 10.99.1.2 >/dev/null
	sleep 0.2
	ip netns exec "${PFX}c" ping -6 -c 1 -s 3000 fd00:99::2 >/dev/null
	cap_stop ip-fragments
	expect ip-fragments 13 'ip[6:2] & 0x3fff != 0'
	expect ip-fragments 13 'ip6 and ip6[6] == 44'
}

rec_tcp_syn_unanswered() {
	topo_direct
	ip netns exec "${PFX}s" nft -f - <<-'EOF'
	table inet f {
		chain input {
			type filter hook input priority 0; policy accept;
			tcp dport 443 drop
		}
	}
	EOF
	cap_start c c0 tcp-syn-unanswered
	timeout 6 ip netns exec "${PFX}c" openssl s_client -connect 10.99.1.2:443 -servername "$SNI" \
		</dev/null >"$TMP/client.log" 2>&1 || true
	cap_stop tcp-syn-unanswered
	expect tcp-syn-unanswered 5 'tcp[tcpflags] == tcp-syn'
}

rec_tcp_rst_closed() {
	topo_direct
	cap_start c c0 tcp-rst-closed
	timeout 5 ip netns exec "${PFX}c" openssl s_client -connect 10.99.1.2:443 -servername "$SNI" \
		</dev/null >"$TMP/client.log" 2>&1 || true
	cap_stop tcp-rst-closed
	expect tcp-rst-closed 1 'tcp[tcpflags] & tcp-rst != 0'
}

rec_icmp_unreachable() {
	topo_routed
	ip netns exec "${PFX}r" nft -f - <<-'EOF'
	table inet f {
		chain forward {
			type filter hook forward priority 0; policy accept;
			tcp dport 443 reject with icmpx type admin-prohibited
			udp dport 500 reject with icmpx type port-unreachable
		}
	}
	EOF
	cap_start c c0 icmp-unreachable
	timeout 5 ip netns exec "${PFX}c" openssl s_client -connect 10.99.2.2:443 -servername "$SNI" \
		</dev/null >"$TMP/client.log" 2>&1 || true
	sleep 0.3
	# an IKEv2 header alone (IKE_SA_INIT, initiator, no payloads) from 500 to 500
	ip netns exec "${PFX}c" "$PY" -c '
import socket, struct, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.99.1.1", 500))
s.connect(("10.99.2.2", 500))
s.send(bytes.fromhex("5d0c0a1e5d0c0a1e") + bytes(8) + struct.pack(">BBBBII", 0, 0x20, 34, 0x08, 0, 28))
s.settimeout(2)
try:
	s.recv(100)
except OSError as e:
	print(e)
' >"$TMP/udp.log" 2>&1
	cap_stop icmp-unreachable
	expect icmp-unreachable 1 'icmp[0] == 3 and icmp[1] == 13'
	expect icmp-unreachable 1 'icmp[0] == 3 and icmp[1] == 3'
}

rec_tls_reset_injected() {
	topo_routed
	# A ClientHello: first segment payload bytes 0x16 0x03 after a 32-byte TCP
	# header (Linux sends the timestamp option, data offset 8).
	ip netns exec "${PFX}r" nft -f - <<-'EOF'
	table inet f {
		chain forward {
			type filter hook forward priority 0; policy accept;
			tcp dport 443 tcp doff 8 @th,256,16 0x1603 reject with tcp reset
		}
	}
	EOF
	server_start 10.99.2.2:443 "$TMP/chain-inter.pem"
	cap_start c c0 tls-reset-injected
	client_session 10.99.2.2:443
	cap_stop tls-reset-injected
	expect tls-reset-injected 1 'ip[8] == 64 and src host 10.99.2.2 and tcp[tcpflags] & tcp-rst != 0'
}

rec_tls12_ipv6() {
	topo_direct v6
	cap_start c c0 tls12-ipv6
	tls_session '[fd00:99::2]:443' '[fd00:99::2]:443' "$TMP/chain-inter.pem" \
		-tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
	cap_stop tls12-ipv6
}

record_main "$@"
