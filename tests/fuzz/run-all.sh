#!/usr/bin/env bash
# tests/fuzz/run-all.sh [SECONDS] - build the libFuzzer targets (cmake --preset fuzz: clang,
# ASan, UBSan) and run each for SECONDS (default 60), as many at once as there are cores.
# Each target starts from its in-tree corpus (tests/fuzz/corpus/<parser>/, read only: new
# inputs go to a scratch directory), with its dictionary (tests/fuzz/<parser>.dict) and
# its libFuzzer flags (tests/fuzz/<parser>.options, one line) if any.
# Prints one line per target (executions, executions per second of the run and per second
# of CPU the target had, corpus files, result) and fails when
# any target crashed, leaked, tripped a sanitizer, timed out or ran out of memory; the
# log and the input that did it are kept (named at the end).
#   SD_FUZZ_JOBS=N      targets at once (default: nproc)
#   SD_FUZZ_TARGETS="pcap x509"  only these
#   SD_FUZZ_NO_BUILD=1  use build/fuzz as it is
#   SD_FUZZ_OUT=DIR     keep logs and the new inputs (DIR/<parser>.corpus) there
#   SD_FUZZ_RUNS=N      stop a target after N executions too (whichever comes first)
#   SD_FUZZ_TIMEOUT=S   an input running S seconds is a hang (default 25; libFuzzer counts
#                       wall time: a long run at nice 19 on a busy machine needs more)
set -uo pipefail

secs=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/build/fuzz/tests
jobs=${SD_FUZZ_JOBS:-$(nproc)}
cd "$root" || exit 2

if [ -n "${SD_FUZZ_TARGETS:-}" ]; then
	targets=$SD_FUZZ_TARGETS
else
	targets=$(cd tests/fuzz && ls fuzz_*.c | sed 's/^fuzz_//; s/\.c$//')
fi
if [ -z "${SD_FUZZ_NO_BUILD:-}" ]; then
	cmake --preset fuzz >/dev/null || exit 2
	# only the fuzz binaries: the sanitizer build of everything else is not needed here
	# shellcheck disable=SC2046
	cmake --build --preset fuzz --target $(for t in $targets; do echo "fuzz_$t"; done) ||
	    exit 2
fi

if [ -n "${SD_FUZZ_OUT:-}" ]; then
	out=$SD_FUZZ_OUT
	mkdir -p "$out" || exit 2
else
	out=$(mktemp -d "${TMPDIR:-/tmp}/sd-fuzz.XXXXXX")
fi
# a small quarantine: freed memory is reused soon, instead of faulting in new pages for
# every input (fuzz_pcap runs three times faster); use-after-free within an input is
# still caught
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:quarantine_size_mb=4}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one() {
	local t=$1 dict=() opts=() runs=()
	mkdir -p "$out/$t.corpus" "$out/$t.crash"
	[ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
	[ -f "tests/fuzz/$t.options" ] && read -ra opts <"tests/fuzz/$t.options"
	[ -n "${SD_FUZZ_RUNS:-}" ] && runs=(-runs="$SD_FUZZ_RUNS")
	"$bin/fuzz_$t" -max_total_time="$secs" -timeout="${SD_FUZZ_TIMEOUT:-25}" -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$out/$t.crash/" "${dict[@]}" "${opts[@]}" "${runs[@]}" \
	    "$out/$t.corpus" "tests/fuzz/corpus/$t" >"$out/$t.log" 2>&1
	echo $? >"$out/$t.rc"
	# CPU seconds the target had (user + system), apart from what else the machine ran
	times >"$out/$t.times"	# not in a pipe: a subshell would have no children
	awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/);
	    printf "%.1f\n", u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$out/$t.times" >"$out/$t.cpu"
}

running=0
for t in $targets; do
	if [ ! -x "$bin/fuzz_$t" ]; then
		echo "run-all: no $bin/fuzz_$t" >&2
		echo 2 >"$out/$t.rc"
		continue
	fi
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

fail=0
printf '%-14s %12s %9s %7s %11s %7s  %s\n' target executions exec/s cpu-s exec/cpu-s corpus \
    result
for t in $targets; do
	rc=$(cat "$out/$t.rc" 2>/dev/null || echo 2)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" 2>/dev/null | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$out/$t.log" 2>/dev/null | tail -1)
	ncorp=$(find "tests/fuzz/corpus/$t" "$out/$t.corpus" -type f 2>/dev/null | wc -l)
	cpu=$(cat "$out/$t.cpu" 2>/dev/null)
	percpu=?
	[ -n "$execs" ] && [ -n "$cpu" ] &&
	    percpu=$(awk -v e="$execs" -v c="$cpu" 'BEGIN { if (c > 0) print int(e / c); else print "?" }')
	if [ "$rc" = 0 ]; then
		res=ok
	else
		res="FAILED (exit $rc): $out/$t.log $(ls "$out/$t.crash" 2>/dev/null | head -1)"
		fail=1
	fi
	printf '%-14s %12s %9s %7s %11s %7s  %s\n' "$t" "${execs:-?}" "${rate:-?}" "${cpu:-?}" \
	    "$percpu" "$ncorp" "$res"
	[ "$rc" = 0 ] || grep -v '^#\|^INFO\|^stat::' "$out/$t.log" | tail -40 | sed "s/^/  $t: /"
done
if [ "$fail" != 0 ]; then
	echo "run-all: a target failed; logs and inputs in $out" >&2
elif [ -z "${SD_FUZZ_OUT:-}" ]; then
	rm -rf "$out"
fi
exit "$fail"
