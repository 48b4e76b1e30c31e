#!/usr/bin/env bash
# Golden tests: run shakedown on real captures and compare with the expected output.
# usage: run.sh SHAKEDOWN        (SD_UPDATE_GOLDEN=1 rewrites the .out files: read the diff!)
#        SD_GOLDEN_ONLY="name1 name2" runs (and with SD_UPDATE_GOLDEN=1 rewrites) only those
# TESTLIST lines: NAME PCAP [OPTIONS...]   (paths relative to the repository root)
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=$1
export TZ=UTC LC_ALL=C NO_COLOR=1 COLUMNS=80 SD_GEOIP_DIRS=
pass=0
fail=0
while read -r name pcap opts; do
	case "$name" in ""|\#*) continue ;; esac
	if [ -n "${SD_GOLDEN_ONLY:-}" ] && ! printf '%s\n' $SD_GOLDEN_ONLY | grep -qx -- "$name"; then
		continue
	fi
	exp="$here/$name.out"
	# shellcheck disable=SC2086
	got=$(cd "$repo" && "$bin" --no-progress --color never --sensor-name golden $opts "$pcap" 2>&1; echo "exit status $?")
	if [ "${SD_UPDATE_GOLDEN:-}" = 1 ]; then
		printf '%s\n' "$got" > "$exp"
	fi
	if [ ! -f "$exp" ]; then
		echo "FAIL $name: no expected output $exp"
		fail=$((fail + 1))
	elif diff -u "$exp" <(printf '%s\n' "$got") > "${TMPDIR:-/tmp}/sd-golden-$$.diff"; then
		pass=$((pass + 1))
	else
		echo "FAIL $name ($pcap $opts):"
		head -60 "${TMPDIR:-/tmp}/sd-golden-$$.diff"
		fail=$((fail + 1))
	fi
done < "$here/TESTLIST"
rm -f "${TMPDIR:-/tmp}/sd-golden-$$.diff"
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
