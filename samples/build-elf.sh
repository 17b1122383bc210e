#!/bin/bash
# Builds the ELF samples the ELF tests compare against ldd: each case is a
# small program whose expected verdict follows from how it is linked.
#   out/elf/unused/      main linked --no-as-needed with -lm -lz (both unused)
#   out/elf/origin/      bin/main with RPATH $ORIGIN/../lib, lib/liba.so, lib/libb.so
#   out/elf/rpath/       main with DT_RPATH to dep/ (liba there needs libb there too)
#   out/elf/runpath/     the same with DT_RUNPATH (not inherited: libb not found)
#   out/elf/ver/         versioned symbols: libver1 listed first, reference binds to libver2
#   out/elf/weak/        weak references, satisfied and not
#   out/elf/copy/        non-PIE main with a COPY relocation into libdata
#   out/elf/missing/     main needs libgone.so, deleted after the link
#   out/elf/cycle/       libcyc1 <-> libcyc2 need each other
#   out/elf/init/        an unused library with a constructor
set -eu
cd "$(dirname "$0")"
src=$PWD/elf
out=$PWD/out/elf
stamp=$out/.stamp
if [ -f "$stamp" ] && [ -z "$(find "$src" "$0" -newer "$stamp" 2>/dev/null)" ]; then
	exit 0
fi
rm -rf "$out"
mkdir -p "$out"/{unused,origin/bin,origin/lib,rpath/dep,runpath/dep,ver,weak,copy,missing,cycle,init}
CC=${CC:-gcc}
so() { $CC -shared -fPIC -o "$@"; }

$CC -o "$out/unused/main" "$src/main_unused.c" -Wl,--no-as-needed -lm -lz

so "$out/origin/lib/libb.so" "$src/libb.c"
so "$out/origin/lib/liba.so" "$src/liba.c" -L"$out/origin/lib" -lb
$CC -o "$out/origin/bin/main" "$src/main_ab.c" -L"$out/origin/lib" -la -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../lib'

for k in rpath runpath; do
	so "$out/$k/dep/libb.so" "$src/libb.c"
	so "$out/$k/dep/liba.so" "$src/liba.c" -L"$out/$k/dep" -lb
	tags=--disable-new-dtags; [ $k = runpath ] && tags=--enable-new-dtags
	$CC -o "$out/$k/main" "$src/main_ab.c" -L"$out/$k/dep" -la \
		-Wl,$tags,-rpath,"$out/$k/dep",-rpath-link,"$out/$k/dep"
done

# libver1 is first linked as an empty stub with the same SONAME, so the
# reference is recorded as versioned@VER_2 (from libver2); the real libver1,
# defining versioned@VER_1, replaces the stub afterwards.  At run time the
# lookup passes libver1 by (its version does not match) and binds to libver2.
echo 'int ver1_stub;' > "$out/ver/stub.c"
so "$out/ver/libver1.so" "$out/ver/stub.c" -Wl,-soname,libver1.so
so "$out/ver/libver2.so" "$src/libver2.c" -Wl,--version-script="$src/ver2.map" -Wl,-soname,libver2.so
$CC -o "$out/ver/main" "$src/main_ver.c" -Wl,--no-as-needed -L"$out/ver" -lver1 -lver2 -Wl,-rpath,"$out/ver"
so "$out/ver/libver1.so" "$src/libver1.c" -Wl,--version-script="$src/ver1.map" -Wl,-soname,libver1.so
rm "$out/ver/stub.c"

so "$out/weak/libweak.so" "$src/libweak.c"
$CC -o "$out/weak/main" "$src/main_weak.c" -Wl,--no-as-needed -L"$out/weak" -lweak -Wl,-rpath,"$out/weak"

so "$out/copy/libdata.so" "$src/libdata.c"
$CC -no-pie -fno-pic -o "$out/copy/main" "$src/main_copy.c" -L"$out/copy" -ldata -Wl,-rpath,"$out/copy"

so "$out/missing/libgone.so" "$src/libb.c"
$CC -o "$out/missing/main" "$src/main_unused.c" -Wl,--no-as-needed -L"$out/missing" -lgone -Wl,-rpath,"$out/missing"
rm "$out/missing/libgone.so"

# a DT_NEEDED cycle: build libcyc2 against a stub libcyc1, then the real pair
so "$out/cycle/libcyc1.so" "$src/libcyc1.c" -Wl,--unresolved-symbols=ignore-all
so "$out/cycle/libcyc2.so" "$src/libcyc2.c" -L"$out/cycle" -lcyc1 -Wl,-rpath,"$out/cycle"
so "$out/cycle/libcyc1.so" "$src/libcyc1.c" -L"$out/cycle" -lcyc2 -Wl,-rpath,"$out/cycle"
$CC -o "$out/cycle/main" "$src/main_cyc.c" -L"$out/cycle" -lcyc1 -Wl,-rpath,"$out/cycle"

# $LIB and $PLATFORM in RPATH, expanded as Debian's ld.so does
mkdir -p "$out/dst/bin" "$out/dst/lib/x86_64-linux-gnu" "$out/dst/plat"
so "$out/dst/lib/x86_64-linux-gnu/libb.so" "$src/libb.c"
so "$out/dst/liba.so" "$src/liba.c" -L"$out/dst/lib/x86_64-linux-gnu" -lb
$CC -o "$out/dst/bin/main" "$src/main_ab.c" -L"$out/dst" -la \
	-Wl,--disable-new-dtags,-rpath,'$ORIGIN/..:$ORIGIN/../$LIB' -Wl,-rpath-link,"$out/dst/lib/x86_64-linux-gnu"
for p in haswell x86_64; do
	mkdir -p "$out/dst/plat/$p"
	so "$out/dst/plat/$p/libb.so" "$src/libb.c"
done
$CC -o "$out/dst/plat/main" "$src/main_ab.c" -L"$out/dst" -la \
	-Wl,--disable-new-dtags,-rpath,'$ORIGIN/..:$ORIGIN/${PLATFORM}' -Wl,-rpath-link,"$out/dst/lib/x86_64-linux-gnu"

# a library of the wrong machine first in the RPATH: skipped, as ld.so does
mkdir -p "$out/machine/wrong" "$out/machine/right"
so "$out/machine/right/libb.so" "$src/libb.c"
cp "$out/machine/right/libb.so" "$out/machine/wrong/libb.so"
printf '\xb7\x00' | dd of="$out/machine/wrong/libb.so" bs=1 seek=18 conv=notrunc 2>/dev/null  # EM_AARCH64
so "$out/machine/liba.so" "$src/liba.c" -L"$out/machine/right" -lb
$CC -o "$out/machine/main" "$src/main_ab.c" -L"$out/machine" -la \
	-Wl,--disable-new-dtags,-rpath,"$out/machine:$out/machine/wrong:$out/machine/right" \
	-Wl,-rpath-link,"$out/machine/right"

so "$out/init/libinit.so" "$src/libinit.c"
$CC -o "$out/init/main" "$src/main_unused.c" -Wl,--no-as-needed -L"$out/init" -linit -Wl,-rpath,"$out/init"

touch "$stamp"
