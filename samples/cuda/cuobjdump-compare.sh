#!/bin/bash
# cuobjdump-compare.sh FILE... - compare `cuobjdump --list-elf --list-ptx`
# with the names `slim fatbin --extract` gives the same entries (cuobjdump
# -xelf's scheme: NAME.INDEX.ARCH.cubin|ptx, indexes counted per kind).
# Per file: "same"; "same-but-cubin-arch" (names and numbering equal, the
# cubins' archs not: a cuobjdump older than the toolkit that built them
# reads CUDA 13's new e_flags layout as the old one, e.g. sm_75 as sm_163);
# "cuobjdump-failed" (its message); or "DIFF" with the difference.  Exit 1
# on any DIFF.  Needs a cuobjdump on PATH: the full CUDA toolkit's, or
# Debian 12's 11.8 (non-free nvidia-cuda-toolkit), which fails on most
# CUDA 13 files (results in analyzers/fatbin/README.md).  Nothing in
# make test depends on it.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SLIM=${SLIM:-$ROOT/slim}
command -v cuobjdump > /dev/null || { echo "needs cuobjdump (CUDA toolkit)" >&2; exit 2; }
strip_arch() { sed -E 's/\.sm_[0-9]+[af]?\.cubin$/.cubin/' | sort; }
fail=0
for f in "$@"; do
	t=$(mktemp -d)
	timeout 300 cuobjdump --list-elf --list-ptx "$f" > "$t/c.out" 2> "$t/c.err"; rc=$?
	sed -n 's/^\(ELF\|PTX\) file *[0-9]*: *//p' "$t/c.out" | sort > "$t/c"
	"$SLIM" fatbin --extract "$t/x" "$f" > /dev/null 2>&1
	ls "$t/x" 2> /dev/null | grep -v '\.ltoir$' | sort > "$t/s"
	n="cuobjdump $(wc -l < "$t/c"), slim $(wc -l < "$t/s") entries"
	if [ $rc != 0 ]; then
		echo "cuobjdump-failed  $f ($n): $(head -1 "$t/c.err")"
	elif cmp -s "$t/c" "$t/s"; then
		echo "same  $f ($n)"
	elif cmp -s <(strip_arch < "$t/c") <(strip_arch < "$t/s"); then
		echo "same-but-cubin-arch  $f ($n)"
	else
		echo "DIFF  $f ($n)"; diff "$t/c" "$t/s" | head -20; fail=1
	fi
	rm -rf "$t"
done
exit $fail
