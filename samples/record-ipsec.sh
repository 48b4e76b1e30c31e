#!/bin/bash
# Record shakedown's IPsec sample captures between real strongSwan 5.9.8 peers
# (Debian charon + swanctl, ESP from the user-space kernel-libipsec plugin),
# ike-scan and nftables, in network namespaces created and deleted by this script.
#
#   usage (root):  bash samples/record-ipsec.sh [name...]    (no name: all of them)
#
# One charon per namespace: its own strongswan.conf (STRONGSWAN_CONF), its own
# vici socket under the script's temporary directory, and a private /run (a bind
# mount in its own mount namespace) for the pid file Debian's charon hard-codes
# (/var/run/charon.pid).  Retransmissions are compressed (timeout 1 s, base 1.4,
# 4 tries) so the failure captures stay short.  The kernels here have no ESP:
# kernel-libipsec encrypts in user space through a TUN device (ipsec0) and
# forces UDP encapsulation, so ESP is always in UDP 4500 and IKE moves to 4500
# at IKE_AUTH even without NAT (NAT-D payloads report a faked NAT).
# Initiators get a virtual IP from the responder's pool (10.99.200.x); the
# protected network behind the responder is 10.99.100.1 (on its lo).
# Only namespaces named sdrec<PID>* are created, with 10.99.x.x addresses;
# everything started is killed by PID on exit.  Captures are taken on the
# initiator's veth (c0), or on the gateway's uplink where said.  All of them
# take about 3 minutes (ike-rekey-periodic alone 70 s).  Needs strongswan-charon,
# strongswan-swanctl, libcharon-extra-plugins (kernel-libipsec), ike-scan,
# tshark (each capture is checked with display filters before it is kept).
# Certificates for ike-auth-fragmented are created once in samples/ipsec/.
# ike-invalid-syntax: ike-scan sends an IKEv2 probe strongSwan cannot parse (INVALID_SYNTAX);
# ikev1-payload-malformed: an IKEv1 probe with an ESP phase 1 proposal (PAYLOAD-MALFORMED).
# ike-auth-initiator-rejects: certificate auth where the initiator does not trust the
# responder's certificate (issued by a CA made per run, only its copy on the wire is kept).
set -euo pipefail

ALL=(ikev2-esp ikev1-main ikev2-natt ikev2-cookie
     ike-500-blocked ike-natt-4500-blocked esp-one-way ike-no-proposal ike-invalid-ke
     ike-auth-failed ike-dpd-dead ike-rekey-periodic ike-auth-fragmented asym-tunnels
     ike-cookie-not-echoed ike-invalid-syntax
     ikev1-payload-malformed ike-auth-initiator-rejects)
# shellcheck source=samples/lib.sh
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"

# SD_KEEP_TMP=1 keeps the temporary directory (charon logs) for debugging.
final_cleanup() {
	cleanup
	if [ "${SD_KEEP_TMP:-}" = 1 ]; then
		log "kept $TMP"
	elif [ -n "$TMP" ]; then
		rm -rf "$TMP"
	fi
}

PSK=shakedown-sample-psk-1
CHARON=/usr/lib/ipsec/charon

need_swan() {
	if [ ! -x "$CHARON" ] || ! command -v swanctl >/dev/null 2>&1 ||
	   [ ! -e /usr/lib/ipsec/plugins/libstrongswan-kernel-libipsec.so ]; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q strongswan-charon \
			strongswan-swanctl libcharon-extra-plugins >/dev/null
	fi
	command -v ike-scan >/dev/null 2>&1 ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q ike-scan >/dev/null
	command -v tshark >/dev/null 2>&1 || die "tshark is needed to check the captures"
}

# swan_conf ROLE [charon settings...]: strongswan.conf for the charon in $PFX$ROLE.
swan_conf() {
	local role=$1 d=$TMP/swan-$1
	shift
	mkdir -p "$d/run"
	{
		cat <<-EOF
		charon {
			load = random nonce openssl pem pkcs1 x509 revocation constraints pubkey hmac sha1 sha2 aes gcm kdf curve25519 kernel-libipsec kernel-netlink socket-default vici updown attr
			retransmit_timeout = 1
			retransmit_base = 1.4
			retransmit_tries = 4
			retransmit_jitter = 0
			install_virtual_ip_on = ipsec0
			plugins {
				vici {
					socket = unix://$d/vici
				}
				kernel-libipsec {
					load = yes
				}
			}
			filelog {
				log {
					path = $d/charon.log
					time_format = %H:%M:%S
					flush_line = yes
					default = 1
					ike = 2
					net = 1
				}
			}
		EOF
		local s
		for s in "$@"; do printf '\t%s\n' "$s"; done
		echo '}'
	} >"$d/strongswan.conf"
}

# swan_start ROLE: start charon in $PFX$ROLE (conf from swan_conf), wait for vici.
swan_start() {
	local role=$1 d=$TMP/swan-$1 n=100
	[ -f "$d/strongswan.conf" ] || swan_conf "$role"
	STRONGSWAN_CONF=$d/strongswan.conf ip netns exec "$PFX$role" \
		unshare -m sh -c 'mount --bind "$1" /run && exec "$2"' sh "$d/run" "$CHARON" \
		>"$d/stdout.log" 2>&1 &
	track "$!"
	until swanctl --stats --uri "unix://$d/vici" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || die "charon in $role did not start: $(tail -5 "$d/stdout.log" "$d/charon.log" 2>&1)"
		sleep 0.1
	done
}

# sw ROLE ARGS...: swanctl against the charon of $PFX$ROLE.
sw() {
	local role=$1
	shift
	swanctl "$@" --uri "unix://$TMP/swan-$role/vici"
}

# swan_load ROLE: load $TMP/swan-ROLE/swanctl.conf (written by the caller).
swan_load() {
	sw "$1" --load-all --noprompt --file "$TMP/swan-$1/swanctl.conf" >"$TMP/swan-$1/load.log" 2>&1 ||
		die "swanctl --load-all in $1 failed: $(cat "$TMP/swan-$1/load.log")"
}

# swan_initiate ROLE CHILD [TIMEOUT]: returns swanctl's status (0: child SA up).
swan_initiate() {
	sw "$1" --initiate --child "$2" --timeout "${3:-15}" >>"$TMP/swan-$1/initiate.log" 2>&1
}

# Responder configuration: PSK (or the given secret), pool 10.99.200.1-10.99.200.9,
# protected net 10.99.100.1/32.  resp_conf ADDR [key=value lines for the IKE
# connection...] [-- child lines...]
resp_conf() {
	local addr=$1 secret=$PSK ike=() child=() sect=ike a
	shift
	for a in "$@"; do
		case "$a" in
		--) sect=child ;;
		secret=*) secret=${a#secret=} ;;
		*) if [ "$sect" = ike ]; then ike+=("$a"); else child+=("$a"); fi ;;
		esac
	done
	mkdir -p "$TMP/swan-s"
	cat >"$TMP/swan-s/swanctl.conf" <<-EOF
	connections {
		gw {
			local_addrs = $addr
			pools = rw
	$(printf '\t\t%s\n' ${ike[@]+"${ike[@]}"})
			local {
				auth = psk
				id = gw.example.test
			}
			remote {
				auth = psk
				id = rw.example.test
			}
			children {
				net {
					local_ts = 10.99.100.1/32
	$(printf '\t\t\t\t%s\n' ${child[@]+"${child[@]}"})
				}
			}
		}
	}
	pools {
		rw {
			addrs = 10.99.200.1-10.99.200.9
		}
	}
	secrets {
		ike-gw {
			id-1 = gw.example.test
			id-2 = rw.example.test
			secret = "$secret"
		}
	}
	EOF
}

# Initiator configuration, same syntax; REMOTE is the responder's address.
init_conf() {
	local remote=$1 secret=$PSK ike=() child=() sect=ike a
	shift
	for a in "$@"; do
		case "$a" in
		--) sect=child ;;
		secret=*) secret=${a#secret=} ;;
		*) if [ "$sect" = ike ]; then ike+=("$a"); else child+=("$a"); fi ;;
		esac
	done
	mkdir -p "$TMP/swan-c"
	cat >"$TMP/swan-c/swanctl.conf" <<-EOF
	connections {
		rw {
			remote_addrs = $remote
			vips = 0.0.0.0
	$(printf '\t\t%s\n' ${ike[@]+"${ike[@]}"})
			local {
				auth = psk
				id = rw.example.test
			}
			remote {
				auth = psk
				id = gw.example.test
			}
			children {
				net {
					remote_ts = 10.99.100.1/32
	$(printf '\t\t\t\t%s\n' ${child[@]+"${child[@]}"})
				}
			}
		}
	}
	secrets {
		ike-rw {
			id-1 = rw.example.test
			id-2 = gw.example.test
			secret = "$secret"
		}
	}
	EOF
}

# fresh: forget the previous capture's charon directories.
fresh() {
	rm -rf "$TMP"/swan-*
}

# protected network behind the responder
resp_net() {
	ip -n "${PFX}s" addr add 10.99.100.1/32 dev lo
}

# tunnel_ping N: N pings from the initiator's virtual IP to 10.99.100.1; fails
# unless all are answered.
tunnel_ping() {
	ip netns exec "${PFX}c" ping -n -c "$1" -i 0.5 -W 2 10.99.100.1 >"$TMP/ping.log" 2>&1 ||
		die "pings through the tunnel failed: $(cat "$TMP/ping.log")"
}

# count NAME DISPLAY-FILTER: frames of NAME.pcap matching the tshark filter.
count() {
	local out
	out=$(tshark -r "$HERE/$1.pcap" -Y "$2" 2>"$TMP/tshark.err") ||
		die "tshark -Y '$2' failed: $(cat "$TMP/tshark.err")"
	[ -n "$out" ] || { echo 0; return; }
	printf '%s\n' "$out" | wc -l
}

# check NAME MIN DISPLAY-FILTER: at least MIN frames match the tshark filter.
check() {
	local n
	n=$(count "$1" "$3")
	[ "$n" -ge "$2" ] || die "$1.pcap: $n frames match '$3', expected at least $2"
}

# none NAME DISPLAY-FILTER: no frame matches.
none() {
	local n
	n=$(count "$1" "$2")
	[ "$n" -eq 0 ] || die "$1.pcap: $n frames match '$2', expected none"
}

ESP_OUT='esp && ip.src==10.99.1.1'
ESP_IN='esp && ip.dst==10.99.1.1'
SA_INIT_REQ='isakmp.exchangetype==34 && isakmp.flag_r==0'
SA_INIT_RESP='isakmp.exchangetype==34 && isakmp.flag_r==1'
AUTH_REQ='isakmp.exchangetype==35 && isakmp.flag_r==0'
AUTH_RESP='isakmp.exchangetype==35 && isakmp.flag_r==1'

# ---------------------------------------------------------------- captures
rec_ikev2_esp() {
	fresh
	topo_direct
	resp_net
	resp_conf 10.99.1.2 version=2 proposals=aes128-sha256-ecp256 -- esp_proposals=aes128gcm16
	init_conf 10.99.1.2 version=2 proposals=aes128-sha256-ecp256 -- esp_proposals=aes128gcm16
	swan_start s
	swan_start c
	swan_load s
	swan_load c
	cap_start c c0 ikev2-esp
	swan_initiate c net || die "IKEv2 tunnel did not come up: $(tail -20 "$TMP/swan-c/charon.log")"
	tunnel_ping 3
	ip netns exec "${PFX}s" ping -n -c 2 -i 0.5 -W 2 -I 10.99.100.1 10.99.200.1 >"$TMP/ping.log" 2>&1 ||
		die "pings from the responder failed: $(cat "$TMP/ping.log")"
	sw c --terminate --ike rw --timeout 10 >/dev/null
	sleep 0.5
	cap_stop ikev2-esp
	check ikev2-esp 1 "$SA_INIT_REQ && udp.port==500"
	check ikev2-esp 1 "$SA_INIT_RESP && udp.port==500"
	check ikev2-esp 1 "$AUTH_REQ && udp.port==4500"
	check ikev2-esp 1 "$AUTH_RESP && udp.port==4500"
	check ikev2-esp 5 "$ESP_OUT && udp.port==4500"
	check ikev2-esp 5 "$ESP_IN && udp.port==4500"
	check ikev2-esp 1 'isakmp.exchangetype==37 && isakmp.flag_r==1 && udp.port==4500'
}

rec_ikev1_main() {
	fresh
	topo_direct
	resp_net
	resp_conf 10.99.1.2 version=1 proposals=aes128-sha256-modp2048 -- esp_proposals=aes128-sha256
	init_conf 10.99.1.2 version=1 proposals=aes128-sha256-modp2048 -- esp_proposals=aes128-sha256
	swan_start s
	swan_start c
	swan_load s
	swan_load c
	cap_start c c0 ikev1-main
	swan_initiate c net || die "IKEv1 tunnel did not come up: $(tail -20 "$TMP/swan-c/charon.log")"
	tunnel_ping 3
	sw c --terminate --ike rw --timeout 10 >/dev/null
	sleep 0.5
	cap_stop ikev1-main
	check ikev1-main 6 'isakmp.exchangetype==2'	# Main Mode (Identity Protection)
	check ikev1-main 3 'isakmp.exchangetype==32'	# Quick Mode
	check ikev1-main 3 "$ESP_OUT && udp.port==4500"
	check ikev1-main 3 "$ESP_IN && udp.port==4500"
	check ikev1-main 1 'isakmp.exchangetype==5'	# Informational (delete)
}

# NAT: C (10.99.1.1) -- R masquerades to 10.99.2.254 -- S (10.99.2.2).
topo_nat() {
	topo_routed
	ip netns exec "${PFX}r" nft -f - <<-'EOF'
	table ip nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "rs" masquerade
		}
	}
	EOF
}

rec_ikev2_natt() {
	fresh
	topo_nat
	resp_net
	resp_conf 10.99.2.2 version=2 proposals=aes128-sha256-ecp256 -- esp_proposals=aes128gcm16
	init_conf 10.99.2.2 version=2 proposals=aes128-sha256-ecp256 -- esp_proposals=aes128gcm16
	swan_start s
	swan_start c
	swan_load s
	swan_load c
	cap_start c c0 ikev2-natt
	swan_initiate c net || die "IKEv2 tunnel through NAT did not come up: $(tail -20 "$TMP/swan-c/charon.log")"
	tunnel_ping 3
	sw c --terminate --ike rw --timeout 10 >/dev/null
	sleep 0.5
	cap_stop ikev2-natt
	grep -q 'local host is behind NAT' "$TMP/swan-c/charon.log" || die "initiator did not detect its NAT"
	check ikev2-natt 1 "$SA_INIT_REQ && udp.port==500"
	check ikev2-natt 1 "$AUTH_REQ && udp.dstport==4500"
	check ikev2-natt 3 "$ESP_OUT && udp.dstport==4500"
	check ikev2-natt 3 "$ESP_IN && udp.srcport==4500"
}

rec_ikev2_cookie() {
	fresh
	topo_direct
	resp_net
	resp_conf 10.99.1.2 version=2 proposals=aes128-sha256-ecp256,aes256-sha1-modp1024,aes128-sha1-modp2048 -- esp_proposals=aes128gcm16
	init_conf 10.99.1.2 version=2 proposals=aes128-sha256-ecp256 -- esp_proposals=aes128gcm16
	swan_conf s 'cookie_threshold = 1'
	swan_start s
	swan_start c
	swan_load s
	swan_load c
	cap_start c c0 ikev2-cookie
	# one half-open IKE SA at the responder: ike-scan's IKEv2 probe, never completed
	ip netns exec "${PFX}c" ike-scan --ikev2 -r 1 --sport=0 10.99.1.2 >"$TMP/ike-scan.log" 2>&1 || true
	sleep 0.3
	swan_initiate c net || die "IKEv2 tunnel did not come up after the cookie: $(tail -20 "$TMP/swan-c/charon.log")"
	tunnel_ping 2
	sw c --terminate --ike rw --timeout 10 >/dev/null
	sleep 0.5
	cap_stop ikev2-cookie
	check ikev2-cookie 1 "$SA_INIT_RESP && isakmp.notify.msgtype==16390"	# COOKIE demanded
	check ikev2-cookie 1 "$SA_INIT_REQ && isakmp.notify.msgtype==16390 && udp.srcport==500 && udp.dstport==500 && ip.src==10.99.1.1"
	check ikev2-cookie 2 "$ESP_IN"
}

# A responder under (simulated) load demands a COOKIE; the initiator never echoes it:
# ike-scan's IKEv2 probes (the first leaves a half-open SA, the second gets the COOKIE
# and, as ike-scan always does, stops there).
rec_ike_cookie_not_echoed() {
	fresh
	topo_direct
	resp_net
	resp_conf 10.99.1.2 version=2 proposals=aes128-sha256-ecp256,aes256-sha1-modp1024,aes128-sha1-modp2048 -- esp_proposals=aes128gcm16
	swan_conf s 'cookie_threshold = 1'
	swan_start s
	swan_load s
	cap_start c c0 ike-cookie-not-echoed
	ip netns exec "${PFX}c" ike-scan --ikev2 -r 1 --sport=0 10.99.1.2 >"$TMP/ike-scan.log" 2>&1 || true
	sleep 0.3
	ip netns exec "${PFX}c" ike-scan --ikev2 -r 1 --sport=0 10.99.1.2 >>"$TMP/ike-scan.log" 2>&1 || true
	sleep 2
	cap_stop ike-cookie-not-echoed
	check ike-cookie-not-echoed 1 "$SA_INIT_RESP && isakmp.notify.msgtype==16390"	# COOKIE demanded
	none ike-cookie-not-echoed "$SA_INIT_REQ && isakmp.notify.msgtype==16390"	# never echoed
}

# filter ROLE RULES: nftables in $PFX$ROLE, table inet f with chains input,
# output, forward and pre (prerouting at -300: sees IP fragments before local
# reassembly, as long as no conntrack is loaded); RULES are nft -f lines.
filter() {
	ip netns exec "$PFX$1" nft -f - <<-EOF
	table inet f {
		chain input { type filter hook input priority 0; }
		chain output { type filter hook output priority 0; }
		chain forward { type filter hook forward priority 0; }
		chain pre { type filter hook prerouting priority -300; }
	}
	EOF
	ip netns exec "$PFX$1" nft -f - <<<"$2"
}

# tunnel: start both charons (configs written by the caller) and load them.
swan_both() {
	swan_start s
	swan_start c
	swan_load s
	swan_load c
}

P2=(version=2 proposals=aes128-sha256-ecp256 -- esp_proposals=aes128gcm16)

rec_ike_500_blocked() {
	fresh
	topo_direct
	resp_net
	resp_conf 10.99.1.2 "${P2[@]}"
	init_conf 10.99.1.2 "${P2[@]}"
	filter s 'add rule inet f input udp dport 500 drop'
	swan_both
	cap_start c c0 ike-500-blocked
	swan_initiate c net 30 && die "IKE came up through a drop of UDP 500"
	cap_stop ike-500-blocked
	check ike-500-blocked 5 "$SA_INIT_REQ && udp.dstport==500"
	none ike-500-blocked 'ip.src==10.99.1.2'
}

rec_ike_natt_4500_blocked() {
	fresh
	topo_nat
	resp_net
	resp_conf 10.99.2.2 "${P2[@]}"
	init_conf 10.99.2.2 "${P2[@]}"
	filter s 'add rule inet f input udp dport 4500 drop'
	swan_both
	cap_start c c0 ike-natt-4500-blocked
	swan_initiate c net 30 && die "IKE came up through a drop of UDP 4500"
	cap_stop ike-natt-4500-blocked
	grep -q 'local host is behind NAT' "$TMP/swan-c/charon.log" || die "initiator did not detect its NAT"
	check ike-natt-4500-blocked 1 "$SA_INIT_RESP && udp.srcport==500"
	check ike-natt-4500-blocked 5 "$AUTH_REQ && udp.dstport==4500"
	none ike-natt-4500-blocked "$AUTH_RESP"
}

rec_esp_one_way() {
	fresh
	topo_direct
	resp_net
	resp_conf 10.99.1.2 "${P2[@]}"
	init_conf 10.99.1.2 "${P2[@]}"
	# the responder's ESP in UDP 4500 (no zero non-ESP marker) never leaves it;
	# its IKE messages on 4500 (marker 0) still do
	filter s 'add rule inet f output udp sport 4500 @th,64,32 != 0 drop'
	swan_both
	cap_start c c0 esp-one-way
	swan_initiate c net || die "IKEv2 tunnel did not come up: $(tail -20 "$TMP/swan-c/charon.log")"
	ip netns exec "${PFX}c" ping -n -c 5 -i 0.5 -W 1 10.99.100.1 >"$TMP/ping.log" 2>&1 &&
		die "pings answered through a one-way tunnel"
	ip netns exec "${PFX}s" ping -n -c 2 -i 0.5 -W 1 -I 10.99.100.1 10.99.200.1 >/dev/null 2>&1 || true
	sw c --terminate --ike rw --timeout 10 >/dev/null
	sleep 0.5
	cap_stop esp-one-way
	check esp-one-way 5 "$ESP_OUT"
	none esp-one-way "$ESP_IN"
	check esp-one-way 1 'isakmp.exchangetype==37 && isakmp.flag_r==1'
}

rec_ike_no_proposal() {
	fresh
	topo_direct
	resp_net
	resp_conf 10.99.1.2 version=2 proposals=aes256-sha384-ecp384 -- esp_proposals=aes256gcm16
	init_conf 10.99.1.2 "${P2[@]}"
	swan_both
	cap_start c c0 ike-no-proposal
	swan_initiate c net 10 && die "IKE came up with disjoint proposals"
	sleep 0.5
	# ike-scan's IKEv2 probe (its default transforms, no ECP 384 among them)
	ip netns exec "${PFX}c" ike-scan --ikev2 -r 1 --sport=0 10.99.1.2 >"$TMP/ike-scan.log" 2>&1 || true
	cap_stop ike-no-proposal
	grep -q NO_PROPOSAL_CHOSEN "$TMP/ike-scan.log" || log "ike-scan said: $(cat "$TMP/ike-scan.log")"
	check ike-no-proposal 2 "$SA_INIT_RESP && isakmp.notify.msgtype==14"
	none ike-no-proposal 'isakmp.exchangetype==35 || esp'
}

rec_ike_invalid_ke() {
	fresh
	topo_direct
	resp_net
	resp_conf 10.99.1.2 version=2 proposals=aes128-sha256-modp2048 -- esp_proposals=aes128gcm16
	init_conf 10.99.1.2 version=2 proposals=aes128-sha256-ecp256-modp2048 -- esp_proposals=aes128gcm16
	swan_both
	cap_start c c0 ike-invalid-ke
	swan_initiate c net || die "IKEv2 tunnel did not come up after INVALID_KE: $(tail -20 "$TMP/swan-c/charon.log")"
	tunnel_ping 2
	sw c --terminate --ike rw --timeout 10 >/dev/null
	sleep 0.5
	cap_stop ike-invalid-ke
	check ike-invalid-ke 1 "$SA_INIT_RESP && isakmp.notify.msgtype==17"
	check ike-invalid-ke 2 "$SA_INIT_REQ"
	check ike-invalid-ke 1 "$AUTH_RESP"
	check ike-invalid-ke 2 "$ESP_IN"
}

rec_ike_auth_failed() {
	fresh
	topo_direct
	resp_net
	resp_conf 10.99.1.2 "${P2[@]}"
	init_conf 10.99.1.2 "${P2[@]}" secret=not-the-responders-psk
	swan_both
	cap_start c c0 ike-auth-failed
	swan_initiate c net 10 && die "IKE came up with a wrong PSK"
	sleep 0.5
	cap_stop ike-auth-failed
	grep -q 'AUTHENTICATION_FAILED' "$TMP/swan-c/charon.log" || die "no AUTHENTICATION_FAILED: $(tail -20 "$TMP/swan-c/charon.log")"
	check ike-auth-failed 1 "$AUTH_RESP"
	none ike-auth-failed 'esp'
}

rec_ike_dpd_dead() {
	fresh
	topo_direct
	resp_net
	resp_conf 10.99.1.2 "${P2[@]}"
	init_conf 10.99.1.2 version=2 proposals=aes128-sha256-ecp256 dpd_delay=3s -- esp_proposals=aes128gcm16 dpd_action=clear
	swan_both
	cap_start c c0 ike-dpd-dead
	swan_initiate c net || die "IKEv2 tunnel did not come up: $(tail -20 "$TMP/swan-c/charon.log")"
	tunnel_ping 2
	# the responder vanishes: everything it would receive on 500/4500 is dropped
	filter s 'add rule inet f input udp dport { 500, 4500 } drop'
	local n=300
	until grep -q 'giving up after' "$TMP/swan-c/charon.log"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || die "initiator did not give up on the dead peer"
		sleep 0.1
	done
	sleep 0.5
	cap_stop ike-dpd-dead
	check ike-dpd-dead 5 'isakmp.exchangetype==37 && isakmp.flag_r==0'
	none ike-dpd-dead 'isakmp.exchangetype==37 && isakmp.flag_r==1'
}

# An initiator whose IKE_SA_INIT the responder cannot parse: ike-scan's IKEv2 probe
# whose header's Next Payload field labels the first payload (the SA) as unknown type
# 99, so the responder finds no SA payload.  strongSwan answers in clear with
# INVALID_SYNTAX (RFC 7296 3.10.1: "a malformed message") and forgets the attempt.
rec_ike_invalid_syntax() {
	fresh
	topo_direct
	resp_net
	resp_conf 10.99.1.2 "${P2[@]}"
	swan_start s
	swan_load s
	cap_start c c0 ike-invalid-syntax
	ip netns exec "${PFX}c" ike-scan --ikev2 --nextpayload=99 --retry=1 10.99.1.2 \
		>"$TMP/ike-scan.log" 2>&1 || true
	cap_stop ike-invalid-syntax
	grep -q 'INVALID_SYNTAX' "$TMP/ike-scan.log" ||
		die "no INVALID_SYNTAX answer: $(cat "$TMP/ike-scan.log")"
	expect ike-invalid-syntax 1 'src host 10.99.1.1 and udp dst port 500'
	expect ike-invalid-syntax 1 'src host 10.99.1.2 and udp src port 500'
	check ike-invalid-syntax 1 "$SA_INIT_REQ && isakmp.nextpayload==99"
	check ike-invalid-syntax 1 "$SA_INIT_RESP && isakmp.notify.msgtype==7"
	none ike-invalid-syntax 'isakmp.exchangetype==35'
}

# IKEv1 Main Mode probe (ike-scan) whose phase 1 proposal names protocol 3 (ESP)
# instead of ISAKMP: strongSwan's IKEv1 responder answers with a clear Informational
# carrying PAYLOAD-MALFORMED (16).  The Informational is initiated by the responder.
rec_ikev1_payload_malformed() {
	fresh
	topo_direct
	resp_net
	resp_conf 10.99.1.2 version=1 proposals=aes128-sha1-modp1024 -- esp_proposals=aes128-sha1
	swan_start s
	swan_load s
	cap_start c c0 ikev1-payload-malformed
	ip netns exec "${PFX}c" ike-scan --trans='(1=7,14=128,2=2,3=1,4=2)' --protocol=3 \
		--retry=1 10.99.1.2 >"$TMP/ike-scan.log" 2>&1 || true
	cap_stop ikev1-payload-malformed
	grep -q 'PAYLOAD-MALFORMED' "$TMP/ike-scan.log" ||
		die "no PAYLOAD-MALFORMED answer: $(cat "$TMP/ike-scan.log")"
	expect ikev1-payload-malformed 1 'src host 10.99.1.2 and udp src port 500'
	check ikev1-payload-malformed 1 'isakmp.exchangetype==2 && ip.src==10.99.1.1'
	check ikev1-payload-malformed 1 'isakmp.exchangetype==5 && ip.src==10.99.1.2 && isakmp.notify.msgtype==16 && isakmp.flags==0'
}

rec_ike_rekey_periodic() {
	fresh
	topo_direct
	resp_net
	resp_conf 10.99.1.2 "${P2[@]}"
	init_conf 10.99.1.2 version=2 proposals=aes128-sha256-ecp256 reauth_time=20s rand_time=0s over_time=5s \
		-- esp_proposals=aes128gcm16
	swan_conf c 'make_before_break = no'
	# the responder takes 0.4 s per message, so each break-before-make
	# reauthentication (delete, IKE_SA_INIT, IKE_AUTH) leaves a gap of about 2 s
	swan_conf s 'receive_delay = 400'
	swan_both
	cap_start c c0 ike-rekey-periodic
	swan_initiate c net || die "IKEv2 tunnel did not come up: $(tail -20 "$TMP/swan-c/charon.log")"
	# steady traffic: 5 pings a second for 3 reauthentication periods and a bit
	ip netns exec "${PFX}c" ping -n -i 0.2 -w 66 -W 1 10.99.100.1 >"$TMP/ping.log" 2>&1 || true
	sw c --terminate --ike rw --timeout 10 >/dev/null || true
	sleep 0.5
	cap_stop ike-rekey-periodic
	check ike-rekey-periodic 4 "$AUTH_RESP"
	check ike-rekey-periodic 3 'isakmp.exchangetype==37 && isakmp.flag_r==1'
	grep -q ' 0% packet loss' "$TMP/ping.log" && die "no pings lost during the reauthentications"
	return 0
}

# Certificates for the fragmentation case, made once under samples/ipsec/ and
# reused: RSA 4096 end entities rw.example.test and gw.example.test issued by
# the sample intermediate CA (samples/pki), so IKE_AUTH carries two large
# certificates (end entity + intermediate) and exceeds the 1500-byte MTU.
IPSEC_PKI=$HERE/ipsec
make_ipsec_pki() {
	local k
	mkdir -p "$IPSEC_PKI"
	cat >"$TMP/ipsec-ext.cnf" <<-'EOF'
	[req]
	distinguished_name = dn
	[dn]
	[ee]
	basicConstraints = critical, CA:FALSE
	keyUsage = critical, digitalSignature, keyEncipherment
	subjectAltName = DNS:${ENV::SD_SAN}
	subjectKeyIdentifier = hash
	authorityKeyIdentifier = keyid:always
	EOF
	for k in rw gw; do
		[ -s "$IPSEC_PKI/$k.crt" ] && [ -s "$IPSEC_PKI/$k.key" ] && continue
		log "creating $IPSEC_PKI/$k.crt ($k.example.test, RSA 4096)"
		export SD_SAN=$k.example.test
		openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$IPSEC_PKI/$k.key" 2>/dev/null
		openssl req -new -key "$IPSEC_PKI/$k.key" -subj "/O=Shakedown Samples/CN=$k.example.test" \
			-config "$TMP/ipsec-ext.cnf" -out "$TMP/$k.csr"
		openssl x509 -req -sha256 -days 3650 -in "$TMP/$k.csr" \
			-CA "$PKI/inter.crt" -CAkey "$PKI/inter.key" -set_serial "0x5e0$([ $k = rw ] && echo 1 || echo 2)" \
			-extfile "$TMP/ipsec-ext.cnf" -extensions ee -out "$IPSEC_PKI/$k.crt" 2>/dev/null
	done
	openssl verify -CAfile "$PKI/root.crt" -untrusted "$PKI/inter.crt" "$IPSEC_PKI/rw.crt" "$IPSEC_PKI/gw.crt" \
		>/dev/null || die "IPsec certificates do not verify"
}

# cert_conf ROLE ME PEER LOCAL-ADDR REMOTE-ADDR|- EXTRA-LINE: certificate-
# authenticated connection "$ME" (IKEv2, no IKE fragmentation).
cert_conf() {
	local role=$1 me=$2 peer=$3 la=$4 ra=$5 extra=$6 d=$TMP/swan-$1
	# swanctl loads credentials from the directories next to its --file
	mkdir -p "$d/x509" "$d/x509ca" "$d/private"
	cp "$IPSEC_PKI/$me.crt" "$d/x509/"
	cp "$PKI/root.crt" "$PKI/inter.crt" "$d/x509ca/"
	cp "$IPSEC_PKI/$me.key" "$d/private/"
	cat >"$TMP/swan-$role/swanctl.conf" <<-EOF
	connections {
		$me {
			version = 2
			local_addrs = $la
			$( [ "$ra" = - ] || echo "remote_addrs = $ra" )
			proposals = aes128-sha256-ecp256
			fragmentation = no
			send_cert = always
			$extra
			local {
				auth = pubkey
				certs = $me.crt
				id = $me.example.test
			}
			remote {
				auth = pubkey
				id = $peer.example.test
			}
			children {
				net {
					$( [ "$me" = gw ] && echo "local_ts = 10.99.100.1/32" || echo "remote_ts = 10.99.100.1/32" )
					esp_proposals = aes128gcm16
				}
			}
		}
	}
	pools {
		rw {
			addrs = 10.99.200.1-10.99.200.9
		}
	}
	EOF
}

rec_ike_auth_fragmented() {
	fresh
	make_ipsec_pki
	topo_direct
	resp_net
	cert_conf s gw rw 10.99.1.2 - 'pools = rw'
	cert_conf c rw gw 10.99.1.1 10.99.1.2 'vips = 0.0.0.0'
	# a middlebox that drops non-first IP fragments, in front of the responder
	filter s 'add rule inet f pre ip frag-off & 0x1fff != 0 drop'
	swan_both
	cap_start c c0 ike-auth-fragmented
	swan_initiate c net 30 && die "IKE came up through a drop of IP fragments"
	cap_stop ike-auth-fragmented
	check ike-auth-fragmented 1 "$SA_INIT_RESP"
	check ike-auth-fragmented 10 'ip.flags.mf==1 || ip.frag_offset > 0'
	none ike-auth-fragmented "$AUTH_RESP"
}

# s2s NAME LOCAL-ADDR REMOTE-ADDR LOCAL-ID REMOTE-ID LOCAL-TS REMOTE-TS: one
# site-to-site IKEv2 PSK connection block (a swanctl.conf "connections" entry).
s2s() {
	cat <<-EOF
		$1 {
			version = 2
			local_addrs = $2
			remote_addrs = $3
			proposals = aes128-sha256-ecp256
			local {
				auth = psk
				id = $4
			}
			remote {
				auth = psk
				id = $5
			}
			children {
				$1 {
					local_ts = $6
					remote_ts = $7
					esp_proposals = aes128gcm16
				}
			}
		}
	EOF
}

# swan_s2s ROLE CONNECTION-BLOCKS...: swanctl.conf with these connections and
# one PSK shared by all sample identities.
swan_s2s() {
	local role=$1
	shift
	mkdir -p "$TMP/swan-$role"
	{
		echo 'connections {'
		printf '%s\n' "$@"
		cat <<-EOF
		}
		secrets {
			ike-all {
				id-1 = g.example.test
				id-2 = a.example.test
				id-3 = b.example.test
				secret = "$PSK"
			}
		}
		EOF
	} >"$TMP/swan-$role/swanctl.conf"
}

# Asymmetric routing over two tunnels.  Gateway G (10.99.1.1, protected
# 10.99.100.1 on lo) -- router R (10.99.1.254 | 10.99.2.254 | 10.99.3.254) --
# peers A (10.99.2.2) and B (10.99.3.2); host X is behind both:
# 10.99.150.10 on the link to A (10.99.150.1), 10.99.160.10 on the link to B
# (10.99.160.1), default route via B.  G's tunnel to A covers 10.99.150.0/25,
# its tunnel to B 10.99.150.0/24 (the more specific route wins, so G sends to
# X through A); X answers through B, which encrypts for G on tunnel B.
# (kernel-libipsec installs a route only with a local source address inside
# the local selector: B has 10.99.150.254 on lo for that.)
rec_asym_tunnels() {
	fresh
	ns_new g; ns_new r; ns_new a; ns_new b; ns_new x
	wire g g0 02:99:00:00:01:01 r rg 02:99:00:00:01:fe
	wire r ra 02:99:00:00:02:fe a a0 02:99:00:00:02:02
	wire r rb 02:99:00:00:03:fe b b0 02:99:00:00:03:02
	wire a ax 02:99:00:00:50:01 x xa 02:99:00:00:50:0a
	wire b bx 02:99:00:00:60:01 x xb 02:99:00:00:60:0a
	ip -n "${PFX}g" addr add 10.99.1.1/24 dev g0
	ip -n "${PFX}g" addr add 10.99.100.1/32 dev lo
	ip -n "${PFX}r" addr add 10.99.1.254/24 dev rg
	ip -n "${PFX}r" addr add 10.99.2.254/24 dev ra
	ip -n "${PFX}r" addr add 10.99.3.254/24 dev rb
	ip -n "${PFX}a" addr add 10.99.2.2/24 dev a0
	ip -n "${PFX}a" addr add 10.99.150.1/24 dev ax
	ip -n "${PFX}b" addr add 10.99.3.2/24 dev b0
	ip -n "${PFX}b" addr add 10.99.160.1/24 dev bx
	ip -n "${PFX}b" addr add 10.99.150.254/32 dev lo
	ip -n "${PFX}x" addr add 10.99.150.10/24 dev xa
	ip -n "${PFX}x" addr add 10.99.160.10/24 dev xb
	ip -n "${PFX}g" route add default via 10.99.1.254
	ip -n "${PFX}a" route add default via 10.99.2.254
	ip -n "${PFX}b" route add default via 10.99.3.254
	ip -n "${PFX}x" route add default via 10.99.160.1
	local n
	for n in r a b; do
		ip netns exec "$PFX$n" sysctl -qw net.ipv4.ip_forward=1
	done
	for n in a b x; do
		ip netns exec "$PFX$n" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	done
	swan_s2s g "$(s2s to-a 10.99.1.1 10.99.2.2 g.example.test a.example.test 10.99.100.1/32 10.99.150.0/25)" \
		"$(s2s to-b 10.99.1.1 10.99.3.2 g.example.test b.example.test 10.99.100.1/32 10.99.150.0/24)"
	swan_s2s a "$(s2s to-g 10.99.2.2 10.99.1.1 a.example.test g.example.test 10.99.150.0/25 10.99.100.1/32)"
	swan_s2s b "$(s2s to-g 10.99.3.2 10.99.1.1 b.example.test g.example.test 10.99.150.0/24 10.99.100.1/32)"
	for n in a b g; do
		swan_start "$n"
		swan_load "$n"
	done
	cap_start g g0 asym-tunnels
	swan_initiate g to-a || die "tunnel G-A did not come up: $(tail -20 "$TMP/swan-g/charon.log")"
	swan_initiate g to-b || die "tunnel G-B did not come up: $(tail -20 "$TMP/swan-g/charon.log")"
	ip netns exec "${PFX}g" ping -n -c 5 -i 0.5 -W 2 -I 10.99.100.1 10.99.150.10 >"$TMP/ping.log" 2>&1 ||
		die "pings over the asymmetric path failed: $(cat "$TMP/ping.log")"
	sleep 0.3
	cap_stop asym-tunnels
	check asym-tunnels 5 'esp && ip.src==10.99.1.1 && ip.dst==10.99.2.2'
	check asym-tunnels 5 'esp && ip.src==10.99.3.2 && ip.dst==10.99.1.1'
	none asym-tunnels 'esp && ((ip.src==10.99.2.2) || (ip.dst==10.99.3.2))'
}

# rej_conf ROLE ME PEER LOCAL-ADDR REMOTE-ADDR|- EXTRA-LINE CERT KEY CA...: a certificate-
# authenticated IKEv2 connection "$ME" with IKE fragmentation (RFC 7383) and CERTREQs on,
# trusting only the given CA certificates.
rej_conf() {
	local role=$1 me=$2 peer=$3 la=$4 ra=$5 extra=$6 cert=$7 key=$8 d=$TMP/swan-$1
	shift 8
	mkdir -p "$d/x509" "$d/x509ca" "$d/private"
	cp "$cert" "$d/x509/$me.crt"
	cp "$key" "$d/private/$me.key"
	cp "$@" "$d/x509ca/"
	cat >"$d/swanctl.conf" <<-EOF
	connections {
		$me {
			version = 2
			local_addrs = $la
			$( [ "$ra" = - ] || echo "remote_addrs = $ra" )
			proposals = aes128-sha256-ecp256
			fragmentation = yes
			send_certreq = yes
			send_cert = always
			$extra
			local {
				auth = pubkey
				certs = $me.crt
				id = $me.example.test
			}
			remote {
				auth = pubkey
				id = $peer.example.test
			}
			children {
				net {
					$( [ "$me" = gw ] && echo "local_ts = 10.99.100.1/32" || echo "remote_ts = 10.99.100.1/32" )
					esp_proposals = aes128gcm16
				}
			}
		}
	}
	pools {
		rw {
			addrs = 10.99.200.1-10.99.200.9
		}
	}
	EOF
}

# The initiator refuses the responder's certificate.  The responder (gw.example.test) has
# an RSA 2048 certificate from "Other IPsec Root CA", a CA made per run that the initiator
# does not have; the initiator (rw.example.test, samples/ipsec/rw.crt, RSA 4096 from the
# sample intermediate) is trusted by the responder.  IKE fragmentation and CERTREQs on.
# The responder accepts IKE_AUTH and answers with its certificate and AUTH; the initiator
# cannot verify it and at once sends an INFORMATIONAL (RFC 7296 2.21.2: AUTHENTICATION_FAILED
# in a new exchange), the SA is gone on both sides and no ESP follows.
rec_ike_auth_initiator_rejects() {
	fresh
	make_ipsec_pki
	local x=$TMP/xca
	mkdir -p "$x"
	openssl req -x509 -new -newkey rsa:2048 -nodes -sha256 -days 3650 -keyout "$x/other-root.key" \
		-subj "/O=Other Org/CN=Other IPsec Root CA" -addext "basicConstraints=critical,CA:TRUE" \
		-addext "keyUsage=critical,keyCertSign,cRLSign" -out "$x/other-root.crt" 2>/dev/null
	printf '%s\n' 'basicConstraints = critical, CA:FALSE' \
		'keyUsage = critical, digitalSignature, keyEncipherment' \
		'subjectAltName = DNS:gw.example.test' >"$x/gw.ext"
	openssl req -new -newkey rsa:2048 -nodes -keyout "$x/gw.key" \
		-subj "/O=Other Org/CN=gw.example.test" -out "$x/gw.csr" 2>/dev/null
	openssl x509 -req -sha256 -days 3650 -in "$x/gw.csr" -CA "$x/other-root.crt" \
		-CAkey "$x/other-root.key" -set_serial "0x$(openssl rand -hex 8)" -extfile "$x/gw.ext" \
		-out "$x/gw.crt" 2>/dev/null
	topo_direct
	resp_net
	rej_conf s gw rw 10.99.1.2 - 'pools = rw' "$x/gw.crt" "$x/gw.key" \
		"$PKI/root.crt" "$PKI/inter.crt" "$x/other-root.crt"
	rej_conf c rw gw 10.99.1.1 10.99.1.2 'vips = 0.0.0.0' "$IPSEC_PKI/rw.crt" "$IPSEC_PKI/rw.key" \
		"$PKI/root.crt" "$PKI/inter.crt"
	swan_both
	cap_start c c0 ike-auth-initiator-rejects
	swan_initiate c net 15 && die "IKE came up with an untrusted responder certificate"
	sleep 1
	cap_stop ike-auth-initiator-rejects
	grep -q "no trusted RSA public key found for 'gw.example.test'" "$TMP/swan-c/charon.log" ||
		die "the initiator did not refuse the responder's certificate: $(tail -20 "$TMP/swan-c/charon.log")"
	grep -q 'generating INFORMATIONAL request 2 \[ N(AUTH_FAILED) \]' "$TMP/swan-c/charon.log" ||
		die "the initiator sent no AUTHENTICATION_FAILED: $(tail -20 "$TMP/swan-c/charon.log")"
	grep -q "authentication of 'rw.example.test' with RSA.* successful" "$TMP/swan-s/charon.log" ||
		die "the responder did not accept the initiator: $(tail -20 "$TMP/swan-s/charon.log")"
	check ike-auth-initiator-rejects 1 "$SA_INIT_RESP && isakmp.typepayload==38"	# CERTREQ
	check ike-auth-initiator-rejects 2 "$AUTH_REQ && isakmp.typepayload==53"	# IKE fragments
	check ike-auth-initiator-rejects 2 "$AUTH_RESP && isakmp.typepayload==53"
	check ike-auth-initiator-rejects 1 'isakmp.exchangetype==37 && isakmp.flag_r==0 && ip.src==10.99.1.1'
	none ike-auth-initiator-rejects 'esp'
}

record_main_ipsec() {
	need_swan
	record_main "$@"
}

record_main_ipsec "$@"
