#!/usr/bin/env bash
# Every finding kind in the catalogue (analyze/catalogue.c) is documented in
# docs/findings.md, and every kind the docs list exists in the catalogue.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1
code=$(grep -oE '^\s*\[SD_K_[A-Z0-9_]+\] = \{ "[a-z0-9_.]+",' analyze/catalogue.c | grep -oE '"[^"]+"' | tr -d '"' | sort -u)
docs=$(grep -oE '^## `[a-z0-9_.]+`' docs/findings.md | grep -oE '`[^`]+`' | tr -d '`' | sort -u)
fail=0
for k in $code; do
	echo "$docs" | grep -qx "$k" || { echo "undocumented finding kind: $k"; fail=1; }
	grep -q "\`$k\`" docs/findings.md || { echo "missing from the table: $k"; fail=1; }
done
for k in $docs; do
	echo "$code" | grep -qx "$k" || { echo "documented but not in the catalogue: $k"; fail=1; }
done
n=$(echo "$code" | wc -w)
if [ "$fail" -ne 0 ] || [ "$n" -eq 0 ]; then
	echo "findings catalogue: 0 passed, 1 failed"
	exit 1
fi
echo "findings catalogue ($n kinds): 1 passed, 0 failed"
