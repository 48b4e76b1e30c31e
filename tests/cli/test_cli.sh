#!/usr/bin/env bash
# Command-line behaviour a user relies on: exit codes, errors that name the file and frame,
# partial results before an input error, standard input, --fail-on, --json shape.
set -u
bin=$1
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1
export TZ=UTC LC_ALL=C NO_COLOR=1 SD_GEOIP_DIRS=
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
check() {	# check NAME CONDITION-COMMAND...
	local name=$1
	shift
	if "$@"; then
		pass=$((pass + 1))
	else
		echo "FAIL: $name"
		fail=$((fail + 1))
	fi
}
run() {		# run ARGS... -> $tmp/out, $tmp/err, $rc
	"$bin" "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
}
good=samples/tls12-3chain.pcap
syn=samples/tcp-syn-unanswered.pcap

run --version
check "--version exits 0" test "$rc" -eq 0
check "--version names the program" grep -q '^shakedown [0-9]' "$tmp/out"
run --help
check "--help exits 0" test "$rc" -eq 0
check "--help documents --events" grep -q -- '--events' "$tmp/out"
check "--help documents exit status" grep -q 'Exit status' "$tmp/out"
run
check "no file: exit 2" test "$rc" -eq 2
run --bogus "$good"
check "unknown option: exit 2" test "$rc" -eq 2
run --fail-on severe "$good"
check "bad --fail-on: exit 2" test "$rc" -eq 2
run -q does-not-exist.pcap
check "missing file: exit 2" test "$rc" -eq 2
check "missing file: named" grep -q 'does-not-exist.pcap' "$tmp/err"
run README.md
check "not a capture: exit 2" test "$rc" -eq 2
check "not a capture: named" grep -q 'README.md' "$tmp/err"

# A capture cut in the middle of a record: partial results, error with file and frame.
size=$(stat -c %s "$good")
head -c $((size - 10)) "$good" > "$tmp/cut.pcap"
frames=$("$bin" --events -q "$good" | grep -c '"type":"capture"')
total=$("$bin" --events -q "$good" | python3 -c 'import json,sys
print([json.loads(l) for l in sys.stdin if "\"capture\"" in l][0]["frames"])')
run --events "$tmp/cut.pcap"
check "truncated: exit 2" test "$rc" -eq 2
check "truncated: error names the file and the frame" \
	grep -q "cut.pcap: frame $total" "$tmp/err"
check "truncated: frames before the error analysed" \
	grep -q "\"type\":\"capture\".*\"frames\":$((total - 1)),.*\"error\":\"" "$tmp/out"
run "$tmp/cut.pcap"
check "truncated: report says so" grep -q 'Input error' "$tmp/out"
check "truncated: one capture event per file" test "$frames" -eq 1

# Standard input gives the same events as the file.
"$bin" --events -q "$good" > "$tmp/a"
"$bin" --events -q - < "$good" | sed 's/"name":"-"/"name":"'"${good//\//\\/}"'"/' > "$tmp/b"
check "stdin: same events as the file" cmp -s "$tmp/a" "$tmp/b"

# Findings: --json lines carry kind and severity; --fail-on sets the exit code.
run --json "$syn"
check "--json: exit 0 without --fail-on" test "$rc" -eq 0
check "--json: every finding has kind and severity, a summary ends the input" python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
found = [f for f in lines if f["type"] == "finding"]
assert found, "no findings"
for f in found:
    assert f["kind"] and f["severity"] in ("info", "low", "medium", "high", "critical")
assert lines[-1]["type"] == "summary" and "severity" not in lines[-1]
assert all(f["type"] in ("finding", "summary") for f in lines)' "$tmp/out"
run --json --fail-on high "$syn"
check "--fail-on high with a high finding: exit 1" test "$rc" -eq 1
run --json --fail-on critical "$syn"
check "--fail-on critical without one: exit 0" test "$rc" -eq 0
run --fail-on info --ca-file samples/pki/root.crt "$good"
check "clean capture: exit 0" test "$rc" -eq 0
check "clean capture: says no findings" grep -q 'No findings' "$tmp/out"
# The test PKI's root is in no system store: without --ca-file the chain is untrusted.
run --json "$good"
check "untrusted test root without --ca-file: tls.chain_untrusted" grep -q '"kind":"tls.chain_untrusted"' "$tmp/out"
run --ca-file /nonexistent/ca.pem "$good"
check "unreadable --ca-file: exit 2" test "$rc" -eq 2

# Two files: frame numbers per file, each line names its file.
run --events -q "$good" "$syn"
check "two files: lines name their file" grep -q "\"file\":\"$syn\"" "$tmp/out"
check "two files: two capture events" test "$(grep -c '"type":"capture"' "$tmp/out")" -eq 2

# Nothing is lost silently: a flow cap below the capture's flows says so, in the report and
# in the -v statistics; a capture that fits says it lost nothing.
run -v --max-flows 1 samples/lb-backends.pcap
check "flow cap: the report says the analysis is incomplete" \
	grep -q '^Incomplete analysis: [1-9][0-9]* flows evicted' "$tmp/out"
check "flow cap: -v counts the evicted flows" grep -q '^shakedown: lost: flows evicted [1-9]' "$tmp/err"
# --workers: the same report and -v statistics (sums over the threads) as one thread;
# what it does not support yet is refused, not run on one thread silently
run -v samples/lb-backends.pcap
cp "$tmp/out" "$tmp/w1.out"
# (each thread has its own certificate caches and memory: those lines may differ)
sed -e '/^shakedown: certificates:/d' -e 's/; memory held at most .*//' "$tmp/err" > "$tmp/w1.err"
run -v --workers 2 samples/lb-backends.pcap
check "--workers 2: same report as one thread" cmp -s "$tmp/out" "$tmp/w1.out"
check "--workers 2: same -v statistics" \
	cmp -s <(sed -e '/^shakedown: certificates:/d' -e 's/; memory held at most .*//' "$tmp/err") \
	"$tmp/w1.err"
for opt in --events --sessions "-o $tmp/w.jsonl" "--evidence $tmp/wev"; do
	run --workers 2 $opt samples/lb-backends.pcap
	check "--workers 2 $opt: refused (exit 2)" test "$rc" -eq 2
	check "--workers 2 $opt: says why" grep -q -- "^shakedown: --workers 2: not with ${opt%% *} yet" "$tmp/err"
done
run --workers 17 samples/lb-backends.pcap
check "--workers 17: refused" test "$rc" -eq 2
run --workers 0 samples/lb-backends.pcap
check "--workers 0: refused" test "$rc" -eq 2
run -v samples/lb-backends.pcap
check "no cap reached: nothing said lost" \
	grep -q '^shakedown: lost: flows evicted 0, memcap refusals 0, connections not analysed 0, summaries evicted 0, summaries refused 0, findings dropped 0$' "$tmp/err"
check "no cap reached: no incomplete-analysis line" sh -c "! grep -q 'Incomplete analysis' '$tmp/out'"
# four connections to two backends: 3 distinct certificates (8 sent) and 2 distinct chains,
# each described or verified once
check "-v: each distinct certificate described once, each chain verified once" \
	grep -q '^shakedown: certificates: 3 described, [0-9]* from the cache; chains: 2 verified, 2 from the cache$' "$tmp/err"

# ---------------------------------------------------------------- inputs that cannot be read
# One line on stderr naming the file and why, exit 2, and no verdict on stdout.
one_error() {	# one_error NAME PATTERN: $rc 2, nothing on stdout, stderr one line matching
	check "$1: exit 2" test "$rc" -eq 2
	check "$1: no report, no verdict" test ! -s "$tmp/out"
	check "$1: one line on stderr" test "$(wc -l < "$tmp/err")" -eq 1
	check "$1: says why" grep -q "^shakedown: $2" "$tmp/err"
}
run does-not-exist.pcap
one_error "missing file" "does-not-exist.pcap: No such file"
run samples
one_error "directory" "samples: is a directory"
: > "$tmp/empty.pcap"
run "$tmp/empty.pcap"
one_error "empty file" ".*empty.pcap: empty file"
run README.md
one_error "not a capture" "README.md: not a pcap or pcapng capture"
# The same capture with link type 147 (USER0): as classic pcap (refused at its header) and
# as pcapng (every frame of the unsupported type: no frame decoded).
python3 - "$good" "$tmp/user0.pcap" "$tmp/user0.pcapng" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
e = '<' if d[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
open(sys.argv[2], 'wb').write(d[:20] + struct.pack(e + 'I', 147) + d[24:])
def block(t, body):
    body += b'\0' * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack('<II', t, n) + body + struct.pack('<I', n)
out = block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1))
out += block(1, struct.pack('<HHI', 147, 0, 0))
off = 24
while off + 16 <= len(d):
    sec, usec, cap, ln = struct.unpack(e + 'IIII', d[off:off + 16])
    ts = sec * 1000000 + usec
    out += block(6, struct.pack('<IIIII', 0, ts >> 32, ts & 0xffffffff, cap, ln) +
                 d[off + 16:off + 16 + cap])
    off += 16 + cap
open(sys.argv[3], 'wb').write(out)
PY
run "$tmp/user0.pcap"
one_error "unsupported link type" ".*user0.pcap: link type 147 (USER0) not supported"
run "$tmp/user0.pcapng"
one_error "no frame decoded" ".*user0.pcapng: no frame could be decoded (27 frames: link type 147 (USER0) not supported)"
# Other files of the run are still analysed; the report covers them only.
run --fail-on high does-not-exist.pcap "$tmp/user0.pcapng" "$syn"
check "a bad file among good ones: exit 2" test "$rc" -eq 2
check "a bad file among good ones: the good one analysed" grep -q "^HIGH *tcp.syn_unanswered" "$tmp/out"
check "a bad file among good ones: the report names only the good one" \
	grep -qx "$syn: 8 frames, 1 flow" "$tmp/out"
check "a bad file among good ones: one line per bad file" test "$(wc -l < "$tmp/err")" -eq 2
# A read error after some frames: said once (the report's line), not repeated on stderr.
run "$tmp/cut.pcap"
check "truncated, text report: error on stdout" grep -q "^Input error: .*cut.pcap: frame $total" "$tmp/out"
check "truncated, text report: not repeated on stderr" sh -c "! grep -q 'cut.pcap' '$tmp/err'"
run --json "$tmp/cut.pcap"
check "truncated, --json: error on stderr" grep -q "^shakedown: .*cut.pcap: frame $total" "$tmp/err"

# ---------------------------------------------------------------- interrupting standard input
# A writer that keeps the pipe open: SIGINT ends the read, the frames received are reported.
rm -f "$tmp/fifo"
mkfifo "$tmp/fifo"
"$bin" --json --fail-on high - < "$tmp/fifo" > "$tmp/out" 2> "$tmp/err" &
pid=$!
exec 3> "$tmp/fifo"
cat "$syn" >&3
sleep 1
# Until it ends: on a loaded machine the first SIGINT may come before the handler is set
# (a background job starts with SIGINT ignored), and a signal then ends nothing.
for _ in $(seq 50); do
	kill -INT "$pid" 2> /dev/null || break
	sleep 0.2
done
if kill -0 "$pid" 2> /dev/null; then
	kill -KILL "$pid"
fi
wait "$pid"
rc=$?
exec 3>&-
check "SIGINT on a pipe held open: exit 1 (--fail-on high)" test "$rc" -eq 1
check "SIGINT on a pipe held open: findings of the frames read" \
	grep -q '"kind":"tcp.syn_unanswered"' "$tmp/out"
check "SIGINT on a pipe held open: says it stopped" \
	grep -q "^shakedown: standard input: interrupted: stopped after 8 frames" "$tmp/err"

# ---------------------------------------------------------------- options
run --foo "$good"
check "unknown option: exit 2" test "$rc" -eq 2
check "unknown option: one line and a pointer to --help" \
	test "$(cat "$tmp/err")" = "$(printf 'shakedown: unknown option --foo\nsee shakedown --help')"
for opt in --count --duration --memcap --max-flows; do
	run "$opt" abc "$good"
	check "$opt abc: exit 2" test "$rc" -eq 2
	check "$opt abc: not a number" grep -q "^shakedown: $opt: not a number: abc$" "$tmp/err"
done
run --duration nan "$good"
check "--duration nan: refused" test "$rc" -eq 2
run --json --events "$good"
check "--json with --events: exit 2" test "$rc" -eq 2
check "--json with --events: one line, nothing on stdout" \
	sh -c "[ \$(wc -l < '$tmp/err') -eq 1 ] && [ ! -s '$tmp/out' ]"
for sev in HIGH High; do
	run --json --fail-on "$sev" "$syn"
	check "--fail-on $sev: case-insensitive (exit 1)" test "$rc" -eq 1
done
# -c and --duration on files: the first N frames, the first SEC seconds of capture time
# (the SYN sample's frames are at 0, 0, 0, 1.0, 2.0, 3.1, 4.1, 5.1 s).
run --events -c 5 "$syn"
check "-c 5 on a file: 5 frames read" grep -q '"type":"capture",.*"frames":5,' "$tmp/out"
check "-c 5 on a file: says it stopped" \
	grep -q "^shakedown: $syn: stopped after 5 frames (--count)" "$tmp/err"
run --events --duration 2 "$syn"
check "--duration 2 on a file: 4 frames read" grep -q '"type":"capture",.*"frames":4,' "$tmp/out"
check "--duration 2 on a file: says it stopped" \
	grep -q "^shakedown: $syn: stopped after 4 frames (--duration 2 s" "$tmp/err"
run --events -c 8 "$syn"
check "-c past the end: not said to be cut" test ! -s "$tmp/err"

run -Z no-such-user-here "$good"
check "-Z unknown user: exit 2" test "$rc" -eq 2
check "-Z unknown user: says so" grep -q "^shakedown: -Z no-such-user-here: no such user" "$tmp/err"
run -o /nonexistent/dir/f.jsonl "$good"
check "-o in a missing directory: exit 2" test "$rc" -eq 2
check "-o in a missing directory: names it" grep -q "^shakedown: -o /nonexistent/dir/f.jsonl: " "$tmp/err"
run -q -o "$tmp/o.jsonl" --ca-file samples/pki/root.crt samples/lb-vip-backends.pcap
check "-o with a file: findings and the summary in FILE" sh -c "grep -q '\"type\":\"finding\"' '$tmp/o.jsonl' && tail -1 '$tmp/o.jsonl' | grep -q '\"type\":\"summary\"'"
check "-o with a file: the last state of a repeated finding told" \
	grep -q '"type":"finding_update",.*"kind":"tcp.port_closed".*refused 2 connection attempts' "$tmp/o.jsonl"
check "-o: observer.name is the host name in every record" python3 -c '
import json, socket, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(not recs or any(r.get("observer.name") != socket.gethostname() for r in recs))' "$tmp/o.jsonl"
run -q -o "$tmp/o2.jsonl" --sensor-name 'edge-fw "7"' samples/lb-vip-backends.pcap
check "--sensor-name: observer.name in every record, escaped" python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(not recs or any(r.get("observer.name") != "edge-fw \"7\"" for r in recs))' "$tmp/o2.jsonl"

# ---------------------------------------------------------------- trust options
run --ca-path /nonexistent/certs "$good"
check "--ca-path missing: exit 2" test "$rc" -eq 2
run --ca-path README.md "$good"
check "--ca-path not a directory: exit 2" test "$rc" -eq 2
check "--ca-path not a directory: says so" grep -q "README.md.*not a directory" "$tmp/err"
run --json --ca-file samples/pki/root.crt --ca-file samples/pki-fail/other-root.crt "$good"
check "two --ca-file: both loaded (the first one's root trusted)" \
	sh -c "! grep -q 'chain_untrusted' '$tmp/out'"
pin=38:50:df:2a:55:f0:02:50:19:d8:b2:8a:88:03:4c:34:f9:66:2f:a8:34:18:c5:57:65:2a:d7:57:fb:97:3b:1b
run --json --ca-file samples/pki/root.crt --pin "nothere.test=$pin" "$good"
check "--pin for a host not in the capture: warned" \
	grep -qx "shakedown: --pin nothere.test: no certificate for nothere.test in the capture" "$tmp/err"
run --json --ca-file samples/pki/root.crt --pin "www.example.test:443=$pin" "$good"
check "--pin HOST:PORT: checked on that port" grep -q '"kind":"tls.pin_mismatch"' "$tmp/out"
run --json --ca-file samples/pki/root.crt --pin "www.example.test:8443=$pin" "$good"
check "--pin HOST:PORT: not on another port" sh -c "! grep -q 'pin_mismatch' '$tmp/out'"
check "--pin HOST:PORT: not seen on that port, warned" \
	grep -q "^shakedown: --pin www.example.test:8443: no certificate" "$tmp/err"
# the leaf's hashes, computed here by openssl from the sample's PKI
leaf_der=$(openssl x509 -in samples/pki/leaf.crt -outform DER | sha256sum | cut -d' ' -f1)
leaf_spki=$(openssl x509 -in samples/pki/leaf.crt -pubkey -noout | openssl pkey -pubin \
	-outform DER | openssl dgst -sha256 -binary | base64)
leaf_sha1=$(openssl x509 -in samples/pki/leaf.crt -outform DER | sha1sum | cut -d' ' -f1)
run --json --ca-file samples/pki/root.crt --pin "www.example.test=sha256:$leaf_der" "$good"
check "--pin sha256: the leaf's own hash: no mismatch" \
	sh -c "test $rc -eq 0 && ! grep -q 'pin_mismatch' '$tmp/out'"
run --json --ca-file samples/pki/root.crt --pin "www.example.test=spki-sha256:$leaf_der" "$good"
check "--pin spki-sha256: with the certificate's hash: mismatch (it is not the key's)" \
	grep -q '"kind":"tls.pin_mismatch"' "$tmp/out"
run --json --ca-file samples/pki/root.crt --pin "www.example.test=spki-sha256:$leaf_spki" "$good"
check "--pin spki-sha256: the key's base64 hash: no mismatch" \
	sh -c "test $rc -eq 0 && ! grep -q 'pin_mismatch' '$tmp/out'"
run --json --ca-file samples/pki/root.crt --pin "www.example.test=sha256:$leaf_spki" "$good"
check "--pin sha256: with the key's hash: mismatch (it is not the certificate's)" \
	grep -q '"kind":"tls.pin_mismatch"' "$tmp/out"
run --json --ca-file samples/pki/root.crt --pin "www.example.test=SHA1:$leaf_sha1" "$good"
check "--pin SHA1: (any case) the leaf's SHA-1: no mismatch" \
	sh -c "test $rc -eq 0 && ! grep -q 'pin_mismatch' '$tmp/out'"
run --json --ca-file samples/pki/root.crt --pin "www.example.test=sha1:$leaf_der" "$good"
check "--pin sha1: with a 32-byte hash: exit 2" test "$rc" -eq 2
check "--pin sha1: with a 32-byte hash: says what is expected" \
	grep -q "expected HOST\[:PORT\]=\[sha256:|sha1:|spki-sha256:\]HASH" "$tmp/err"

# ---------------------------------------------------------------- gzip
# Known by content, not by name; from standard input too; the same findings as plain
# (and the same summary record), whatever the file is called.
same_json() {	# same_json A B: the same JSON lines but for the file names
	python3 - "$1" "$2" <<'PY'
import json, sys
def norm(o):
    if isinstance(o, dict):
        return {k: norm(v) for k, v in o.items() if k not in ("file", "files")}
    if isinstance(o, list):
        return [norm(v) for v in o]
    return o
a, b = ([norm(json.loads(l)) for l in open(p)] for p in sys.argv[1:3])
sys.exit(0 if a == b and a else 1)
PY
}
"$bin" --json "$good" > "$tmp/plain.json"
gzip -c "$good" > "$tmp/x.pcap.gz"
cp "$tmp/x.pcap.gz" "$tmp/x.pcap"
for f in "$tmp/x.pcap.gz" "$tmp/x.pcap"; do
	run --json "$f"
	check "gzip ${f##*/}: exit 0" test "$rc" -eq 0
	check "gzip ${f##*/}: same findings as the plain file" same_json "$tmp/plain.json" "$tmp/out"
done
"$bin" --json - < "$tmp/x.pcap.gz" > "$tmp/out" 2> "$tmp/err"
check "gzip on standard input: same findings" same_json "$tmp/plain.json" "$tmp/out"
gzip -c "$good" | "$bin" --json - > "$tmp/out" 2> "$tmp/err"
check "gzip through a pipe: same findings" same_json "$tmp/plain.json" "$tmp/out"
gz_size=$(stat -c %s "$tmp/x.pcap")
head -c $((gz_size * 2 / 3)) "$tmp/x.pcap" > "$tmp/cut.pcap.gz"
run --events "$tmp/cut.pcap.gz"
check "truncated gzip: exit 2" test "$rc" -eq 2
check "truncated gzip: frames before the cut analysed" \
	grep -q '"type":"capture",.*"frames":[1-9][0-9]*,.*"error":".*gzip data truncated' "$tmp/out"
check "truncated gzip: clear error" grep -q "cut.pcap.gz: frame [0-9]*: gzip data truncated" "$tmp/err"

# ---------------------------------------------------------------- --window
# Cross-connection rules judged on windows restate their findings: a file read with
# one-second windows ends with the same findings (counts, values, frames) as judged once.
for f in lb-backends lb-vip-backends icept-mixed-issuers ike-rekey-periodic asym-tunnels; do
	a=$("$bin" --json --sensor-name t --ca-file samples/pki/root.crt "samples/$f.pcap" \
	    2> /dev/null | grep '"type":"finding"')
	b=$("$bin" --json --sensor-name t --window 1 --ca-file samples/pki/root.crt \
	    "samples/$f.pcap" 2> /dev/null | grep '"type":"finding"')
	check "--window 1 on $f: the same findings as at the end" \
		test -n "$a" -a "$a" = "$b"
done
run --window 0 "$good"
check "--window 0: exit 2" test "$rc" -eq 2

# ---------------------------------------------------------------- --report
run --report "$tmp/r.txt" "$good"
check "--report with another extension: exit 2" test "$rc" -eq 2
check "--report with another extension: says why" grep -q '\.html or \.md' "$tmp/err"
"$bin" "$syn" "$good" > "$tmp/plain.txt" 2>&1
run --report "$tmp/r.md" "$syn" "$good"
check "--report: exit 0" test "$rc" -eq 0
check "--report: the terminal report unchanged" cmp -s "$tmp/plain.txt" <(cat "$tmp/out" "$tmp/err")
check "--report .md: verdict first" test "$(grep -m1 '^## ' "$tmp/r.md")" = "## Verdict"
check "--report .md: both files with their SHA-256" \
	grep -q "$(sha256sum "$good" | cut -c1-64)" "$tmp/r.md"
check "--report .md: a verdict line, and no 'no failing server'" \
	test "$(grep -c '^| \*\*HIGH\*\* |' "$tmp/r.md")" -ge 1 -a \
	"$(grep -c 'No failing server' "$tmp/r.md")" -eq 0
check "--report .md: the SYN finding" grep -q 'tcp\\.syn\\_unanswered' "$tmp/r.md"
check "--report .md: the command line" grep -q -- "--report $tmp/r.md" "$tmp/r.md"
run --report "$tmp/r.HTML" "$syn"
check "--report .HTML: one page" grep -q '^<!DOCTYPE html>' "$tmp/r.HTML"
run --report "$tmp/ike.md" samples/ike-no-proposal.pcap
check "--report .md: an IKE SA row with its offer and the refusal" \
	grep -q '| IKEv2 | \\#1 ENCR.*(offered\\) | failed: NO\\_PROPOSAL\\_CHOSEN in the response' \
	"$tmp/ike.md"
run --report /nonexistent-dir/r.html "$syn"
check "--report in a missing directory: exit 2" test "$rc" -eq 2
check "--report in a missing directory: named" grep -q 'nonexistent-dir/r.html' "$tmp/err"

# OpenVPN: the TLS inside the control channel is judged like any TLS, and says where it rode.
run --json --ca-file samples/pki/root.crt samples/openvpn-unknown-ca.pcap
check "openvpn untrusted CA: exit 0, one finding" test "$rc" -eq 0
check "openvpn untrusted CA: the chain finding names the server certificate and its CA" \
	python3 -c 'import json, sys
f = [json.loads(l) for l in open(sys.argv[1]) if "\"kind\"" in l]
f = [x for x in f if x["kind"] == "tls.chain_untrusted"]
v = f[0]["evidence"]["values"]
fl = f[0]["flows"][0]
sys.exit(not (len(f) == 1 and v["leaf"] == "CN=www.example.test,O=Shakedown Samples" and
    v["missing_issuer"] == "CN=Other Untrusted Root CA,O=Shakedown Samples" and
    f[0]["evidence"]["frames"] == [6] and fl["network.application"] == "openvpn" and
    fl["destination.port"] == 1194 and fl["network.transport"] == "udp"))' "$tmp/out"
run --ca-file samples/pki/root.crt samples/openvpn-unknown-ca.pcap
check "openvpn untrusted CA: the text says the TLS rode in OpenVPN" \
	grep -q 'TLS inside the OpenVPN' "$tmp/out"
run --events samples/openvpn-tcp-tls-auth.pcap
check "openvpn over TCP with tls-auth (HMAC-SHA256): both certificates, carrier openvpn" \
	python3 -c 'import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
c = [x for x in e if x["type"] == "tls.certificate" and x.get("carrier") == "openvpn"]
fl = [x for x in e if x["type"] == "flow" and "openvpn" in x]
sys.exit(not (len(c) == 2 and len(fl) == 1 and fl[0]["openvpn"]["control"] == "tls-auth" and
    fl[0]["openvpn"]["hmac_bytes"] == 32))' "$tmp/out"
if command -v tcprewrite > /dev/null; then
	# the same connection on TCP 443: the client's hard reset says OpenVPN, not the port
	tcprewrite --portmap=1194:443 --fixcsum -i samples/openvpn-tcp-tls-auth.pcap \
		-o "$tmp/ovpn443.pcap"
	run --events "$tmp/ovpn443.pcap"
	check "openvpn on TCP 443: found by its hard reset, its TLS decoded" python3 -c '
import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
t = [x for x in e if x["type"].startswith("tls.")]
sys.exit(not (len(t) == 7 and all(x.get("carrier") == "openvpn" and 443 in (x["sport"],
    x["dport"]) for x in t)))' "$tmp/out"
	# DTLS on OpenVPN's port stays DTLS (its record type reads as an OpenVPN opcode)
	tcprewrite --portmap=4433:1194 --fixcsum -i samples/dtls12-hvr.pcap -o "$tmp/dtls1194.pcap"
	run --events "$tmp/dtls1194.pcap"
	check "DTLS on UDP 1194: still DTLS, no carrier" python3 -c '
import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
t = [x for x in e if x["type"].startswith(("tls.", "dtls."))]
sys.exit(not (len(t) == 9 and not any("carrier" in x for x in e)))' "$tmp/out"
fi
# ---------------------------------------------------------------- TrustSec, one side tagged
# CMD/SGT on the client's frames only: one flow with both sides (no one-way or unanswered
# finding), the client's refusal of the chain reported, with the client's security group.
sgt1=samples/encap-sgt-one-way.pcap
run --json --ca-file samples/pki/root.crt "$sgt1"
check "SGT one way: one flow with both sides" \
	grep -q '^samples/encap-sgt-one-way.pcap: [0-9]* frames, 1 flow' <("$bin" "$sgt1")
check "SGT one way: no one-way or unanswered finding" \
	test "$(grep -c '"kind":"tcp\.\(one_way\|syn_unanswered\)"' "$tmp/out")" -eq 0
check "SGT one way: the unknown_ca refusal, with the client's SGT" \
	grep -q '"kind":"tls.chain_untrusted".*Unknown CA (48).*"cisco.trustsec.source_sgt":17' \
	"$tmp/out"
check "SGT one way: no SGT invented for the untagged server side" \
	test "$(grep -c 'destination_sgt' "$tmp/out")" -eq 0
run --ca-file samples/pki/root.crt "$sgt1"
check "SGT one way: the terminal names the client's group" grep -q '(client SGT 17)$' "$tmp/out"
run --sessions --ca-file samples/pki/root.crt samples/encap-qinq-cmd-mpls.pcap
check "SGT both ways: the session line has both groups" \
	grep -q '"type":"session".*"cisco.trustsec.source_sgt":17,"cisco.trustsec.destination_sgt":4' \
	"$tmp/out"
# --keylog: the file is read, bad lines said by number only, secrets never shown
kl=samples/kl-expired.keylog
run --keylog /nonexistent.keylog samples/kl-expired.pcap
check "--keylog missing file: exit 2" test "$rc" -eq 2
check "--keylog missing file: named" grep -q 'nonexistent.keylog' "$tmp/err"
{ echo "CLIENT_HANDSHAKE_TRAFFIC_SECRET 00 11"; cat "$kl"; } > "$tmp/bad.keylog"
run -v --keylog "$tmp/bad.keylog" --ca-file samples/pki/root.crt --json samples/kl-expired.pcap
check "--keylog malformed line: said with its number" \
	grep -q 'bad.keylog: 1 malformed line ignored (the first at line 1)' "$tmp/err"
check "--keylog -v: connections decrypted" grep -q 'TLS 1.3 connections: 1 decrypted' "$tmp/err"
check "--keylog: the expiry finding from the key log" \
	grep -q '"kind":"tls.certificate_expired".*from the key log' "$tmp/out"
secret=$(awk '/^SERVER_HANDSHAKE_TRAFFIC_SECRET/ {print $3}' "$kl")
run --events --keylog "$kl" samples/kl-expired.pcap
check "--keylog: no secret in the events" test "$(grep -c "$secret" "$tmp/out" "$tmp/err" | \
	awk -F: '{s += $2} END {print s}')" -eq 0
sed 's/\(SERVER_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]* \)../\1ff/' "$kl" > "$tmp/wrong.keylog"
run --keylog "$tmp/wrong.keylog" samples/kl-expired.pcap
check "--keylog wrong keys: said once" test "$(grep -c 'did not decrypt' "$tmp/err")" -eq 1
# ---------------------------------------------------------------- CAPWAP
# An access point refusing its controller's certificate: the DTLS finding on the AP's
# CAPWAP control flow, with the alert; station TLS inside the data channel, by its own
# (inner) addresses.
run --json samples/capwap-dtls-untrusted.pcap
check "capwap join: untrusted controller certificate, refused by the AP's alert" \
	python3 -c 'import json, sys
f = [json.loads(l) for l in open(sys.argv[1]) if "\"finding\"" in l]
ok = [x for x in f if x["kind"] == "tls.chain_untrusted" and x["severity"] == "high"
      and "Unknown CA (48) alert from the client" in x["evidence"]["values"]["refused"]
      and x["flows"][0]["destination.port"] == 5246
      and x["flows"][0]["source.ip"] == "10.99.1.1"]
sys.exit(0 if len(ok) == 1 else 1)' "$tmp/out"
run --events --no-ndpi samples/capwap-data.pcap
check "capwap data: the stations' TLS by the inner addresses, no outer flow" \
	python3 -c 'import json, sys
e = [json.loads(l) for l in open(sys.argv[1])]
ch = [x for x in e if x["type"] == "tls.client_hello"]
fl = [x for x in e if x["type"] == "flow"]
al = [x for x in e if x["type"] == "tls.alert"]
sys.exit(0 if len(ch) == 2 and all(x["src"] == "10.99.1.1" and x["dport"] == 443 for x in ch)
         and len(fl) == 2 and all(x["dst"] == "10.99.1.2" for x in fl) and len(al) == 1
         else 1)' "$tmp/out"

# ---------------------------------------------------------------- corrupt and truncated inputs
# Every way a capture can be cut or corrupted, from a file and from standard input: one
# error naming the input and the frame, the report of the frames read before it, exit 2.
python3 - "$good" "$tmp" <<'PY'
import gzip, struct, sys
d, t = open(sys.argv[1], 'rb').read(), sys.argv[2]
assert d[:4] == b'\xd4\xc3\xb2\xa1'
def rec_off(d, n):          # offset of record n (0-based) of a classic pcap
    off = 24
    for _ in range(n):
        off += 16 + struct.unpack('<I', d[off + 8:off + 12])[0]
    return off
def w(name, b):
    open(t + '/' + name, 'wb').write(b)
w('in-hdr.pcap', d[:14])
o = rec_off(d, 2)
w('in-rechdr.pcap', d[:o + 7])
b = bytearray(d); b[o + 8:o + 12] = struct.pack('<I', 0x7fffffff); w('in-caplen.pcap', b)
# pcapng: section header, interface, then one block per frame
ng = struct.pack('<IIIHHqI', 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1, 28)
ng += struct.pack('<IIHHII', 1, 20, 1, 0, 262144, 20)
off = 24
while off + 16 <= len(d):
    sec, usec, cap, ln = struct.unpack('<IIII', d[off:off + 16])
    ts, body = sec * 1000000 + usec, d[off + 16:off + 16 + cap]
    body += b'\0' * (-len(body) % 4)
    n = 32 + len(body)
    ng += struct.pack('<IIIIIII', 6, n, 0, ts >> 32, ts & 0xffffffff, cap, ln) + body
    ng += struct.pack('<I', n)
    off += 16 + cap
w('in-ok.pcapng', ng)
w('in-shb.pcapng', ng[:20])
bo = 28 + 20
for _ in range(3):
    bo += struct.unpack('<I', ng[bo + 4:bo + 8])[0]
w('in-block.pcapng', ng[:bo + 30])
b = bytearray(ng); b[bo + 4:bo + 8] = struct.pack('<I', 13); w('in-blocklen.pcapng', b)
z = bytearray(gzip.compress(d)); z[len(z) // 2] ^= 0xff; z[len(z) // 2 + 1] ^= 0x55
w('in-corrupt.pcap.gz', z)
w('in-dlt.pcap', d[:20] + struct.pack('<I', 147) + d[24:])
PY
bad_input() {	# bad_input NAME FILE FRAMES-BEFORE PATTERN: from the file, then on standard input
	local name=$1 f=$tmp/$2 before=$3 pat=$4 src
	for src in file stdin; do
		if [ "$src" = file ]; then
			run --no-progress --color never "$f"
		else
			run --no-progress --color never - < "$f"
			f="standard input"
		fi
		check "$name ($src): exit 2" test "$rc" -eq 2
		if [ "$before" = - ]; then
			check "$name ($src): one line on stderr naming the input" \
				sh -c "[ \$(wc -l < '$tmp/err') -eq 1 ] && grep -q '^shakedown: .*${f##*/}: $pat' '$tmp/err'"
		else
			local n=$before next='[0-9]*'
			[ "$n" = any ] && n='[1-9][0-9]*' || next=$((before + 1))
			check "$name ($src): the report of the frames read" \
				grep -q "^.*: $n frames\?, " "$tmp/out"
			check "$name ($src): one line naming the input and the frame" \
				grep -q "^Input error: .*${f##*/}: frame $next: $pat.* (the results above cover the $n frame" "$tmp/out"
		fi
	done
}
bad_input "pcap cut in its file header" in-hdr.pcap - "truncated dump file; tried to read 24 file header bytes"
bad_input "pcap cut in a record header" in-rechdr.pcap 2 "truncated dump file"
bad_input "pcap record length corrupt" in-caplen.pcap 2 "invalid packet capture length 2147483647"
bad_input "pcapng cut in its section header" in-shb.pcapng - "frame 1: truncated pcapng block"
bad_input "pcapng cut in a block" in-block.pcapng 3 "truncated pcapng block"
bad_input "pcapng block length corrupt" in-blocklen.pcapng 3 "bad pcapng block: type 0x00000006, total length 13"
bad_input "gzip corrupt" in-corrupt.pcap.gz any "gzip data corrupt"
bad_input "unknown link type" in-dlt.pcap - "link type 147 (USER0) not supported"
run --no-progress --json "$tmp/in-ok.pcapng"
check "the pcapng these cases are cut from reads whole" \
	sh -c "test $rc -eq 0 && grep -q '\"type\":\"summary\"' '$tmp/out'"

# nDPI runs for --events only (its label is in the flow records, nowhere else)
run --events "$good"
check "--events: nDPI labels the TLS flow" grep -q '"type":"flow".*"app":"TLS' "$tmp/out"
run --events --no-ndpi "$good"
check "--events --no-ndpi: the flow is Unknown" \
	sh -c "grep '\"type\":\"flow\"' '$tmp/out' | grep -q '\"app\":\"Unknown\"'"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
