#!/bin/bash
# bench/linkmap.sh - speed of `slim linkmap` on large real maps.
#
# Links bench/linkmap-llvm.c against all of LLVM 14's static archives
# (apt-get install llvm-14-dev) with lld, mold, and gold and GNU ld (BFD) with
# --cref (which makes their maps the largest), then times on each map, in one
# run on the same (cached) file: `slim linkmap --no-derive` (text summary,
# the map alone), `slim linkmap --no-derive --json`, `awk '{n+=NF}
# END{print n}'` (plain field splitting) and `wc -l`; and peak RSS of slim
# (/usr/bin/time -v).  The `derive` column is the default run, which also
# reads every archive the map names (libelf: the sections lld and mold do
# not list, dead members, pulls, COMDAT groups for the causes); it has no
# goal, awk reads the map alone.  LINKERS="lld" limits the links.  Prints one line per map
# and the three ratios the issue sets goals for:
#   slim / awk        (goal <= 1)
#   json / slim       (goal <= 2)
#   peak RSS / map    (goal <= 2)
# Maps are reused when newer than the source.  Best of 3 runs each.
set -eu
cd "$(dirname "$0")"
SLIM=${SLIM:-$PWD/../slim}
command -v llvm-config-14 >/dev/null || { echo "needs llvm-14-dev" >&2; exit 1; }
mkdir -p out
cd out
if [ ! -e llvm-main.o ] || [ ../linkmap-llvm.c -nt llvm-main.o ]; then
	gcc -O1 -c $(llvm-config-14 --cflags) ../linkmap-llvm.c -o llvm-main.o
fi
LIBS=$(llvm-config-14 --libs all --link-static | tr ' ' '\n' | grep -vi polly | tr '\n' ' ')
SYS=$(llvm-config-14 --system-libs --link-static)
LINKERS=${LINKERS:-lld mold gold bfd}
for l in $LINKERS; do
	[ -e llvm-$l.map ] && [ llvm-$l.map -nt llvm-main.o ] && continue
	extra=
	case $l in bfd | gold) extra=-Wl,--cref ;; esac
	g++ -fuse-ld=$l -o llvm-$l llvm-main.o -Wl,--gc-sections \
		-Wl,-Map=llvm-$l.map $extra -L"$(llvm-config-14 --libdir)" $LIBS $SYS
done

best() {   # best of 3 wall-clock seconds of "$@" (stdout discarded)
	local b=999
	for _ in 1 2 3; do
		local t0 t1
		t0=$(date +%s.%N)
		"$@" >/dev/null
		t1=$(date +%s.%N)
		b=$(echo "$t1 - $t0 < $b" | bc -l | grep -q 1 && echo "$t1 - $t0" | bc -l || echo $b)
	done
	printf '%.3f' "$b"
}

printf '%-14s %8s %8s %8s %8s %8s %8s %9s %9s %9s\n' map MB slim json derive awk wc slim/awk json/slim rss/map
for l in $LINKERS; do
	m=llvm-$l.map
	cat "$m" >/dev/null
	mb=$(stat -c %s "$m")
	ts=$(best "$SLIM" linkmap "$m" --no-derive)
	tj=$(best "$SLIM" linkmap "$m" --no-derive --json)
	td=$(best "$SLIM" linkmap "$m")
	ta=$(best awk '{n+=NF} END{print n}' "$m")
	tw=$(best wc -l "$m")
	rss=$(/usr/bin/time -v "$SLIM" linkmap "$m" --no-derive 2>&1 >/dev/null | awk '/Maximum resident/{print $NF}')
	rssj=$(/usr/bin/time -v "$SLIM" linkmap "$m" --no-derive --json 2>&1 >/dev/null | awk '/Maximum resident/{print $NF}')
	printf '%-14s %8.1f %8s %8s %8s %8s %8s %9.2f %9.2f %4.2f/%4.2f\n' "$m" \
		"$(echo "$mb / 1048576" | bc -l)" "$ts" "$tj" "$td" "$ta" "$tw" \
		"$(echo "$ts / $ta" | bc -l)" "$(echo "$tj / $ts" | bc -l)" \
		"$(echo "$rss * 1024 / $mb" | bc -l)" "$(echo "$rssj * 1024 / $mb" | bc -l)"
done
echo "rss/map: text/--json peak resident set over map size"
