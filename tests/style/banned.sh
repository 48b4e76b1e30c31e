#!/usr/bin/env bash
# checksrc: banned functions never appear in the C sources (curl's idea).  VLAs are
# refused by -Wvla in every build.
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo" || exit 1
pattern='\b(sprintf|vsprintf|strcpy|strcat|gets|atoi|atol|strtok|alloca)[[:space:]]*\('
hits=$(grep -rnE "$pattern" --include='*.c' --include='*.h' capture dissect engine adapt analyze cli tests bench 2>/dev/null |
	grep -vE '^\S+:[0-9]+:\s*(/\*|\*)' || true)
if [ -n "$hits" ]; then
	echo "banned functions used:"
	echo "$hits"
	echo "style: 0 passed, 1 failed"
	exit 1
fi
echo "style: 1 passed, 0 failed"
