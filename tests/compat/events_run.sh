#!/usr/bin/env bash
# Robustness: `shakedown --events` on every capture of ../shared/corpus and samples/ under
# the build's sanitizers: no crash, no sanitizer report, valid JSON on every line, exit 0
# (or 2 with an error naming the file for captures that tshark also finds damaged).
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=$1
corpus=${SD_CORPUS:-$repo/../shared/corpus}
if [ ! -f "$corpus/MANIFEST.tsv" ]; then
	echo "SKIP: $corpus is not here (a user's clone has none)"
	exit 77
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=1
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
run_one() {
	local f=$1
	"$bin" --events -q --no-progress "$f" > "$tmp/out" 2> "$tmp/err"
	local rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ]; then
		echo "FAIL $f: exit $rc"; head -20 "$tmp/err"; return 1
	fi
	if grep -q -E "AddressSanitizer|runtime error|LeakSanitizer" "$tmp/err"; then
		echo "FAIL $f: sanitizer report"; head -40 "$tmp/err"; return 1
	fi
	if [ "$rc" -eq 2 ] && ! grep -q -F "$f" "$tmp/err"; then
		echo "FAIL $f: input error without the file name"; cat "$tmp/err"; return 1
	fi
	if ! python3 -c '
import json, sys
n = 0
for line in open(sys.argv[1], encoding="utf-8"):
    json.loads(line); n += 1
if n == 0: sys.exit("no output")' "$tmp/out"; then
		echo "FAIL $f: invalid JSON Lines"; return 1
	fi
	return 0
}
while IFS=$'\t' read -r file rest; do
	[ "$file" = file ] && continue
	if run_one "$corpus/$file"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done < "$corpus/MANIFEST.tsv"
for f in "$repo"/samples/*.pcap "$repo"/samples/*.pcapng; do
	[ -f "$f" ] || continue
	if run_one "$f"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "events over the corpus: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
