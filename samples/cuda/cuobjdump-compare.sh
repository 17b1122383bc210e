#!/bin/bash
# cuobjdump-compare.sh - for a session that has the full CUDA toolkit
# (cuobjdump is not installed on the machine this was written on, so this
# script is UNTESTED): compare `cuobjdump --list-elf --list-ptx FILE` with
# `slim fatbin --extract` on the same files.  cuobjdump prints one line per
# entry ("ELF file    1: NAME.1.sm_80.cubin", "PTX file    1: ...");
# slim's --extract names follow the same scheme, so the two sorted name
# lists must be equal.  Usage: cuobjdump-compare.sh FILE...
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SLIM=${SLIM:-$ROOT/slim}
command -v cuobjdump >/dev/null || { echo "needs cuobjdump (CUDA toolkit)" >&2; exit 1; }
fail=0
for f in "$@"; do
	tmp=$(mktemp -d)
	cuobjdump --list-elf --list-ptx "$f" 2>/dev/null |
		sed -n 's/^\(ELF\|PTX\) file *[0-9]*: *//p' | sort > "$tmp/cuobjdump"
	"$SLIM" fatbin --extract "$tmp/x" "$f" > /dev/null 2>&1
	ls "$tmp/x" | grep -v '\.ltoir$' | sort > "$tmp/slim"
	if cmp -s "$tmp/cuobjdump" "$tmp/slim"; then
		echo "same  $f ($(wc -l < "$tmp/slim") entries)"
	else
		echo "DIFF  $f"; diff "$tmp/cuobjdump" "$tmp/slim" | head -20; fail=1
	fi
	rm -rf "$tmp"
done
exit $fail
