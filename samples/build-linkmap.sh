#!/bin/bash
# Builds the linker-map samples into samples/out/linkmap/: two real programs
# linked against Debian's static archives with each of GNU ld (bfd), gold,
# lld and mold, with --gc-sections and -Map, plus each linker's own ground
# truth for the tests (tests/test-linkmap.c, tests/cli/test-linkmap*.sh):
#
#   prog-L   main.o util.o + libdemo.a (ours) + libsqlite3.a libz.a
#            libjansson.a;  util.o's dead helper pulls libdemo.a(demo_dead.o)
#   crypto-L crypto.o + libcrypto.a (thousands of sections, deep pulls)
#   thin-L   as prog-L but with libdemo as a thin archive (bfd, lld)
#   cref-L   as prog-L with --cref (bfd, gold)
#   script-L a script fragment's BYTE/LONG/ALIGN/FILL (bfd, lld)
#   lto-L    as prog-L, compiled and linked with -flto (bfd, gold)
#   gtest-L  a googletest program (libgtest.a, libgtest_main.a; C++, COMDAT)
#   cxx-L    C++: libcxxdemo.a(cxx_lib.o) pulled by a mangled name (gold
#            prints it mangled, BFD demangled)
#   tmpl-L   C++ at -O0: the same template instantiations in tmpl_a.o and
#            libtmpl.a(tmpl_b.o), so COMDAT duplicates beside gc'd code
#            (all four linkers)
#   discard-L  /DISCARD/ in a script (discard.ld) drops discard.c's
#            .discard.* sections (bfd, lld: gold and mold take no INSERT)
#
#   L.map         the map (-Map)
#   L.trace       loaded files: bfd `-t -t`, gold/lld `-t`, mold
#                 `--print-dependencies`
#   L.gc          `--print-gc-sections` (stderr)
#   L.why         lld `--why-extract`
#
# Needs: gcc, g++, binutils (ld.bfd, ld.gold), lld, mold, zlib1g-dev,
# libsqlite3-dev, libjansson-dev, libssl-dev, libgtest-dev.  Rebuilt only when a source
# or this script is newer than the stamp.  Takes a few seconds.
set -eu
cd "$(dirname "$0")"
self=$PWD/$(basename "$0")
src=$PWD/linkmap
out=$PWD/out/linkmap
stamp=$out/.stamp
if [ -e "$stamp" ] && [ -z "$(find "$src" "$self" -newer "$stamp")" ]; then
	exit 0
fi
for t in gcc ar ld.bfd ld.gold ld.lld mold; do
	command -v $t >/dev/null || { echo "build-linkmap.sh: needs $t (make deps)" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$out"
cd "$out"
CF="-O2 -ffunction-sections -fdata-sections"
gcc $CF -c "$src/main.c" "$src/util.c" "$src/crypto.c" "$src/demo_live.c" "$src/demo_dead.c"
g++ $CF -c "$src/cxx_main.cc" "$src/cxx_lib.cc"
ar rcs libcxxdemo.a cxx_lib.o
ar rcs libdemo.a demo_live.o demo_dead.o
ar rcsT libdemothin.a demo_live.o demo_dead.o
DYN="-Wl,-Bdynamic -lm -lpthread -ldl"

# link NAME LINKER OBJS... -- ARCHIVES...: map + ground truth for one link
link() {
	local name=$1 l=$2; shift 2
	local gt=()
	case $l in
	bfd) gt=(-Wl,-t -Wl,-t) ;;
	gold | lld) gt=(-Wl,-t) ;;
	mold) gt=(-Wl,--print-dependencies) ;;
	esac
	[ "$l" = lld ] && gt+=("-Wl,--why-extract=$name-$l.why")
	gcc -fuse-ld=$l -o "$name-$l" "$@" -Wl,--gc-sections \
		-Wl,-Map="$name-$l.map" -Wl,--print-gc-sections "${gt[@]}" \
		$DYN >"$name-$l.trace" 2>"$name-$l.gc"
}
# waitall: wait for every background link, failing if any failed (a bare
# `wait` returns 0 whatever they returned)
waitall() {
	local rc=0 p
	for p in $(jobs -p); do
		wait "$p" || rc=1
	done
	[ "$rc" = 0 ] || { echo "build-linkmap.sh: a link failed (see samples/out/linkmap/*.gc)" >&2; exit 1; }
}
for l in bfd gold lld mold; do
	link prog $l main.o util.o libdemo.a -Wl,-Bstatic -lsqlite3 -lz -ljansson &
	link crypto $l crypto.o -Wl,-Bstatic -lcrypto &
	waitall
done
for l in bfd lld; do
	link thin $l main.o util.o libdemothin.a -Wl,-Bstatic -lsqlite3 -lz -ljansson
done
# --cref: the cross-reference table (which symbols of a member others use)
for l in bfd gold; do
	link cref $l -Wl,--cref main.o util.o libdemo.a -Wl,-Bstatic -lsqlite3 -lz -ljansson
done
# a linker script fragment: BYTE/LONG data, ALIGN padding, FILL (gold and
# mold do not take INSERT scripts)
gcc $CF -c "$src/script.c" -o script.o
for l in bfd lld; do
	link script $l script.o -Wl,-T,"$src/script.ld" libdemo.a
done
# LTO: the map names GCC's ltrans partitions by random temporary names
gcc -O2 -flto -ffunction-sections -fdata-sections -c "$src/main.c" -o lto-main.o
gcc -O2 -flto -ffunction-sections -fdata-sections -c "$src/util.c" -o lto-util.o
for l in bfd gold; do
	link lto $l -flto lto-main.o lto-util.o libdemo.a -Wl,-Bstatic -lsqlite3 -lz -ljansson
done
# googletest: C++ with COMDAT groups (duplicates discarded besides gc)
g++ $CF -c "$src/gtest_sample.cc" -o gtest_sample.o
for l in bfd gold lld mold; do
	link gtest $l gtest_sample.o -Wl,-Bstatic -lgtest_main -lgtest -Wl,-Bdynamic -lstdc++ &
	[ $l = gold ] && waitall   # two at a time
done
waitall
# COMDAT: template instantiations in an object and an archive member
g++ -O0 -ffunction-sections -fdata-sections -c "$src/tmpl_main.cc" "$src/tmpl_a.cc" "$src/tmpl_b.cc"
ar rcs libtmpl.a tmpl_b.o
for l in bfd gold lld mold; do
	link tmpl $l tmpl_main.o tmpl_a.o libtmpl.a -Wl,-Bdynamic -lstdc++ &
	[ $l = gold ] && waitall
done
waitall
# /DISCARD/: sections a script drops (cause "script", not gc)
gcc $CF -c "$src/discard.c" -o discard.o
for l in bfd lld; do
	link discard $l discard.o -Wl,-T,"$src/discard.ld"
done
# C++: a member pulled by a mangled name (demangling checked with c++filt)
for l in bfd gold; do
	g++ -fuse-ld=$l -o cxx-$l cxx_main.o libcxxdemo.a -Wl,--gc-sections -Wl,-Map=cxx-$l.map
done
touch "$stamp"
