#!/bin/bash
# bench/linkmap-check.sh - slim linkmap's derived verdicts on a large real
# link, against the linker's own account: bench/linkmap-llvm.c linked
# against every LLVM 14 static archive (llvm-14-dev) with lld and with mold,
# --gc-sections, -Map, the load trace (lld -t, mold --print-dependencies)
# and --print-gc-sections.  Then, on the map alone (slim reads the
# archives it names):
#   dead members   == tests/cli/linkmap_dead.py's ground truth
#   cause gc       == --print-gc-sections (tests/cli/linkmap_causes.py;
#                     prints the sections that differ)
# Slow (readelf over 244 MB of archives, a minute or two per linker); not
# part of `make test`.  Figures in bench/linkmap.md; exits 1 on any
# difference, which lld's 65 (the README's exception) are today.
set -u -o pipefail
cd "$(dirname "$0")"
ROOT=$PWD/..
SLIM=${SLIM:-$ROOT/slim}
command -v llvm-config-14 >/dev/null || { echo "needs llvm-14-dev" >&2; exit 1; }
mkdir -p out
cd out
[ -e llvm-main.o ] && [ llvm-main.o -nt ../linkmap-llvm.c ] ||
	gcc -O1 -c $(llvm-config-14 --cflags) ../linkmap-llvm.c -o llvm-main.o || exit 1
LIBS=$(llvm-config-14 --libs all --link-static | tr ' ' '\n' | grep -vi polly | tr '\n' ' ')
SYS=$(llvm-config-14 --system-libs --link-static)
rc=0
for l in lld mold; do
	t=-Wl,-t
	[ $l = mold ] && t=-Wl,--print-dependencies
	g++ -fuse-ld=$l -o llvm-$l-t llvm-main.o -Wl,--gc-sections -Wl,-Map=llvm-$l-t.map $t \
		-Wl,--print-gc-sections -L"$(llvm-config-14 --libdir)" $LIBS $SYS \
		> llvm-$l-t.trace 2> llvm-$l-t.gc || { echo "$l: link failed" >&2; exit 1; }
	"$SLIM" linkmap llvm-$l-t.map --json -o llvm-$l-t.json || exit 1
	"$SLIM" linkmap llvm-$l-t.map --by discarded > llvm-$l-t.disc || exit 1
	python3 "$ROOT/tests/cli/linkmap_dead.py" $l llvm-$l-t.trace llvm-$l-t.gc "$PWD" \
		llvm-$l-t.json llvm-$l-t.map | cut -c1-200 || rc=1
	python3 "$ROOT/tests/cli/linkmap_causes.py" $l "$PWD" llvm-$l-t.gc llvm-$l-t.trace \
		llvm-$l-t.disc 0 llvm-$l-t.map | cut -c1-300 || rc=1
done
exit $rc
