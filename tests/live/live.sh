#!/usr/bin/env bash
# tests/live/live.sh SHAKEDOWN - live mode against real traffic on a veth pair between two
# network namespaces this test creates (root needed; skipped, exit 77, where namespaces
# cannot be made).  shakedown listens on one end; a sample is replayed into the other with
# tcpreplay, and a real client sends SYNs to an address nobody answers.  Asserts, as an
# operator would watch them: each finding is written (-o FILE and the terminal) before any
# signal is sent, an unanswered SYN is told while the link stays idle, SIGUSR1 writes a
# statistics record, SIGHUP reopens the file logrotate moved, SIGTERM flushes, writes the
# summary and exits 0; all of it after -Z nobody gave up root.  The same process listens
# on a second veth pair (two -i, one engine), and feeds a real redis-server in the
# namespace that is stopped and started again while it runs: what was decided meanwhile
# arrives once it is back.  Redis parts are skipped when redis-server is not installed.
set -u
bin=$(readlink -f "$1")
repo=$(cd "$(dirname "$0")/../.." && pwd)
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
for c in ip tcpreplay tcprewrite ethtool timeout; do
	command -v "$c" > /dev/null || skip "$c is not installed"
done
tag=$$
na=sdla$tag nb=sdlb$tag va=sdva$tag vb=sdvb$tag va2=sdwa$tag vb2=sdwb$tag
net=10.199.$((tag % 200 + 20))
net2=10.198.$((tag % 200 + 20))
tmp=$(mktemp -d)
chmod 1777 "$tmp"	# -Z nobody makes the new file after SIGHUP here
id nobody > /dev/null 2>&1 || skip "no user nobody"
sd_pid= redis_pid=
cleanup() {
	[ -n "$sd_pid" ] && kill "$sd_pid" 2> /dev/null
	[ -n "$redis_pid" ] && kill "$redis_pid" 2> /dev/null
	ip netns del "$na" 2> /dev/null
	ip netns del "$nb" 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$na" 2> /dev/null || skip "cannot create network namespaces here"
ip netns add "$nb" || skip "cannot create network namespaces here"
ip link add "$va" type veth peer name "$vb" || skip "cannot create a veth pair"
ip link set "$va" netns "$na"
ip link set "$vb" netns "$nb"
ip link add "$va2" type veth peer name "$vb2" || skip "cannot create a veth pair"
ip link set "$va2" netns "$na"
ip link set "$vb2" netns "$nb"
ip -n "$na" addr add "$net.1/24" dev "$va"
ip -n "$nb" addr add "$net.2/24" dev "$vb"
ip -n "$na" addr add "$net2.1/24" dev "$va2"
ip -n "$nb" addr add "$net2.2/24" dev "$vb2"
for n in "$na:$va" "$nb:$vb" "$na:$va2" "$nb:$vb2"; do
	ip -n "${n%%:*}" link set lo up
	ip -n "${n%%:*}" link set "${n#*:}" up
	ip netns exec "${n%%:*}" ethtool -K "${n#*:}" tso off gso off gro off > /dev/null 2>&1
done

pass=0 fail=0
check() {	# check NAME CONDITION-COMMAND...
	local name=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: $name"
	fi
}
# wait_for SECONDS FILE PATTERN: true once FILE has a line matching PATTERN
wait_for() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		grep -q -- "$3" "$2" 2> /dev/null && return 0
		sleep 0.1
	done
	return 1
}

wait_exists() {	# wait_exists SECONDS FILE
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		test -e "$2" && return 0
		sleep 0.1
	done
	return 1
}

# a real redis-server in the sensor's namespace (its loopback), started and stopped here
redis=
if command -v redis-server > /dev/null && command -v redis-cli > /dev/null; then
	redis=redis://127.0.0.1:6379
	ip netns exec "$nb" ip link set lo up
fi
start_redis() {
	ip netns exec "$nb" redis-server --port 6379 --bind 127.0.0.1 --save "" \
	    --appendonly no --dir "$tmp" > /dev/null 2>&1 &
	redis_pid=$!
	local i
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$nb" redis-cli -p 6379 PING 2> /dev/null | grep -q PONG && return 0
		sleep 0.1
	done
	return 1
}
stop_redis() {
	kill "$redis_pid"
	wait "$redis_pid" 2> /dev/null
	redis_pid=
}
# redis_has SECONDS PATTERN: true once an entry of the stream matches PATTERN
redis_has() {
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		ip netns exec "$nb" redis-cli -p 6379 --raw XRANGE shakedown:findings - + \
		    2> /dev/null | grep -q -- "$2" && return 0
		sleep 0.1
	done
	return 1
}
[ -n "$redis" ] && { start_redis || skip "redis-server does not start in the namespace"; }

out=$tmp/findings.jsonl
evd=$tmp/evidence	# --evidence: written by nobody, as the sensor runs
mkdir "$evd" && chown nobody "$evd"
ip netns exec "$nb" "$bin" -i "$vb" -i "$vb2" -Z nobody -o "$out" --stats 0 --no-progress \
    --window 5 --evidence "$evd" \
    ${redis:+--redis "$redis"} --ca-file "$repo/samples/pki/root.crt" \
    > "$tmp/stdout" 2> "$tmp/stderr" &
sd_pid=$!
check "listening said on stderr" wait_for 10 "$tmp/stderr" "listening on $vb"
check "listening on the second interface too" wait_for 10 "$tmp/stderr" "listening on $vb2"
sleep 0.5
check "-Z nobody: runs as nobody" test "$(awk '/^Uid:/ { print $2 }' "/proc/$sd_pid/status")" = \
	"$(id -u nobody)"
u=$(id -u nobody)
check "-Z nobody: real, effective, saved and file-system uid all nobody's" \
	test "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' "/proc/$sd_pid/status")" = "$u $u $u $u"
check "-Z nobody: no supplementary group of root left" \
	sh -c "! awk '/^Groups:/ { for (i = 2; i <= NF; i++) if (\$i == 0) f = 1 } END { exit !f }' /proc/$sd_pid/status"
check "-Z: no warning about root" sh -c "! grep -q 'as root' '$tmp/stderr'"

# a real failure replayed onto the wire: the finding comes while shakedown keeps running
ip netns exec "$na" tcpreplay -q -i "$va" "$repo/samples/neg-no-shared-cipher.pcap" \
    > "$tmp/replay" 2>&1
check "replayed finding written to -o before any signal" \
	wait_for 10 "$out" '"kind":"tls.no_shared_cipher"'
check "the terminal got its line as it fired" \
	wait_for 5 "$tmp/stdout" 'HIGH     tls.no_shared_cipher: '
check "still running after the finding" kill -0 "$sd_pid"
check "observer.name is the host name" \
	grep -q "\"type\":\"finding\",\"observer.name\":\"$(hostname)\"" "$out"
check "the finding names its interface as its file" \
	grep -q "\"kind\":\"tls.no_shared_cipher\".*\"file\":\"$vb\"" "$out"
# --evidence: the finding's packets are on disk while the sensor runs, before any signal
evf=$(python3 -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("kind") == "tls.no_shared_cipher":
        print(r["evidence"].get("file", "")); break' "$out")
check "--evidence: evidence.file in the finding line" test -n "$evf"
check "--evidence: the capture is there before any signal" test -s "${evf:-/nonexistent}"
if command -v tshark > /dev/null && [ -n "$evf" ]; then
	n_ev=$(tshark -r "$evf" 2> /dev/null | wc -l)
	n_in=$(tshark -r "$repo/samples/neg-no-shared-cipher.pcap" 2> /dev/null | wc -l)
	check "--evidence: the connection's packets, as many as replayed ($n_ev of $n_in)" \
		test "$n_ev" -gt 0 -a "$n_ev" -le "$n_in"
	check "--evidence: the alert frame commented" sh -c "tshark -r '$evf' -T fields \
	    -e frame.comment 2> /dev/null | grep -q 'tls.no_shared_cipher.*tls.alert'"
fi
if [ -n "$redis" ]; then
	check "redis: the finding arrives as a stream entry" redis_has 10 'tls.no_shared_cipher'
fi

# the second interface: another failure, the same engine
ip netns exec "$na" tcpreplay -q -i "$va2" "$repo/samples/neg-dtls-resume-alert.pcap" \
    > "$tmp/replay2" 2>&1
check "a finding from the second interface, named by it" \
	wait_for 10 "$out" "\"kind\":\"dtls.alert_after_resumption\".*\"file\":\"$vb2\""

# a cross-connection rule on its window (5 s here): the backends behind one name present
# different certificates; told while the sensor runs, with no traffic after
ip netns exec "$na" tcpreplay -q -i "$va" "$repo/samples/lb-backends.pcap" \
    > "$tmp/replay6" 2>&1
# (checked below: the connections end 30 s after their FINs, then the next window judges)

# Redis goes away: what is decided meanwhile waits in the queue
[ -n "$redis" ] && stop_redis

# IPsec failures that only time decides, replayed and followed by silence: IKE_SA_INIT
# never answered, DPD never answered (60 s after the last request), ESP one way for 25 s
# while IKE is up (told while it goes on, not at the stop)
ip netns exec "$na" tcpreplay -q -i "$va" "$repo/samples/ike-500-blocked.pcap" \
    > "$tmp/replay3" 2>&1 &
ike_pid=$!
# (its gateways moved to another subnet: the DPD sample's tunnel has the same ones)
tcprewrite --pnat=10.99.1.0/24:10.97.1.0/24 --fixcsum -i "$repo/samples/esp-one-way.pcap" \
    -o "$tmp/esp-one-way.pcap"
ip netns exec "$na" tcpreplay -q --loop 5 -i "$va2" "$tmp/esp-one-way.pcap" \
    > "$tmp/replay4" 2>&1 &
esp_pid=$!
wait "$ike_pid"
ip netns exec "$na" tcpreplay -q -i "$va" "$repo/samples/ike-dpd-dead.pcap" \
    > "$tmp/replay5" 2>&1
wait "$esp_pid"
check "one-way ESP told while the link is idle, before any signal" \
	wait_for 15 "$out" '"kind":"esp.one_way"'

# SYNs to an address nobody answers (its frames reach the wire, no host takes them), then
# silence: the finding must come from the clock alone, 70 s after the last SYN
mac=$(ip -n "$nb" -o link show "$vb" | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)
ip -n "$na" neigh add "$net.3" lladdr "$mac" dev "$va" nud permanent
ip netns exec "$na" timeout 2 bash -c "exec 3<> /dev/tcp/$net.3/443" 2> /dev/null
check "unanswered SYN told while the link is idle (no packet after it)" \
	wait_for 80 "$out" "\"kind\":\"tcp.syn_unanswered\".*\"destination.ip\":\"$net.3\""
check "backends that differ told on a window, before any signal" \
	wait_for 20 "$out" '"kind":"tls.backend_mismatch"'
check "IKE_SA_INIT never answered: told while the link is idle" \
	wait_for 20 "$out" '"kind":"ike.unanswered"'
check "DPD never answered: told while the link is idle" \
	wait_for 20 "$out" '"kind":"ike.dpd_unanswered"'
if [ -n "$redis" ]; then
	check "redis away: a warning on stderr" grep -q "redis 127.0.0.1:6379" "$tmp/stderr"
	# Redis is back (empty: it kept nothing): the queued finding reaches it
	start_redis
	check "redis restarted: the finding queued meanwhile arrives" \
		redis_has 40 "tcp.syn_unanswered"
fi

# SIGUSR1: a statistics record now
kill -USR1 "$sd_pid"
check "SIGUSR1: a stats record" wait_for 5 "$out" '"type":"stats".*"packets_received":'
check "SIGUSR1: stats on stderr" wait_for 5 "$tmp/stderr" "shakedown: $vb,$vb2: .* packets"
check "SIGUSR1: counters of each interface" \
	grep -q "\"interfaces\":\[{\"name\":\"$vb\",.*{\"name\":\"$vb2\"," "$out"

# logrotate: move the file, SIGHUP, and the next record lands in a new file
mv "$out" "$out.1"
kill -HUP "$sd_pid"
check "SIGHUP: the file is made again" wait_exists 5 "$out"
kill -USR1 "$sd_pid"
check "after SIGHUP the records go to the new file" wait_for 5 "$out" '"type":"stats"'

# SIGTERM: flush, the summary, exit 0
kill -TERM "$sd_pid"
wait "$sd_pid"
rc=$?
sd_pid=
check "SIGTERM: exit 0" test "$rc" -eq 0
check "SIGTERM: the summary record written" grep -q '"type":"summary"' "$out"
check "SIGTERM: the full report on the terminal" grep -q '^HIGH     tls.no_shared_cipher$' \
	"$tmp/stdout"
if [ -n "$redis" ]; then
	check "redis: the summary arrives at the stop" redis_has 5 '"type":"summary"'
fi

# an interface that does not exist among several: nothing is read, exit 2
ip netns exec "$nb" "$bin" -i "$vb" -i sdnosuch$tag --no-progress > /dev/null \
    2> "$tmp/stderr2"
rc=$?
check "-i with a missing interface: exit 2" test "$rc" -eq 2
check "-i with a missing interface: named, nothing listened to" \
	sh -c "grep -q 'sdnosuch$tag' '$tmp/stderr2' && ! grep -q 'listening on' '$tmp/stderr2'"
# Root without -Z parses packets as root only because the user ran it so: it says so.
ip netns exec "$nb" timeout -s INT 3 "$bin" -i "$vb" --no-progress > /dev/null \
    2> "$tmp/stderr3"
check "root without -Z: warns that packets are parsed as root" \
	grep -q "^shakedown: warning: parsing packets as root; -Z USER drops root" "$tmp/stderr3"
if [ "$fail" -ne 0 ]; then
	echo "--- stderr"; cat "$tmp/stderr"; echo "--- stdout"; head -50 "$tmp/stdout"
	echo "--- out"; cat "$out" "$out.1" 2> /dev/null | cut -c1-300
fi
echo "live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
