#!/bin/bash
# Builds the cases of libtree's own test suite (github.com/haampie/libtree,
# tests/NN_*/Makefile), recreated here from what each case sets up and
# expects (its comments), so that tests/cli/test-elf-libtree.sh can run
# slim in libtree's place and judge every answer by ld.so itself.  Debian's
# libtree package ships no tests.  One directory per case under
# out/elf-libtree/; what each one holds and what the loader should do:
#
#   01_origin        exe_rpath / exe_runpath: $ORIGIN in DT_RPATH / DT_RUNPATH
#                    finds liba.so beside the executable
#   02_rpath_of_parents_parent
#                    exe (RPATH $ORIGIN) -> liba.so -> libb.so: liba.so
#                    alone finds no libb.so (not even in the current
#                    directory, where it lies), exe finds it through its
#                    own RPATH, and LD_LIBRARY_PATH finds it for liba.so
#   03_direct_and_absolute_rpath
#                    exe_a (RPATH DIR/, trailing slash) needs lib_f.so,
#                    which only lib_g.so's RPATH (DIR/some_dir) reaches;
#                    exe_b has both RPATHs; both need a library by
#                    absolute path (lib_without_soname.so, no SONAME)
#   04_rpath_over_env_over_runpath
#                    two libb.so: DIR/libb.so and DIR/dir/libb.so (which
#                    needs liba.so); RPATH beats LD_LIBRARY_PATH, which
#                    beats RUNPATH
#   05_32_bits       lib32/libx.so and lib64/libx.so, each executable's
#                    RPATH naming the other class's directory first
#   06_symbol_versions
#                    two libx.so with one SONAME: v1 defines xyz@VER_1, v2
#                    xyz@VER_1 and xyz@@VER_2; exe_v2 needs VER_2 but finds
#                    v1 first: ld.so takes it anyway (and fails on the version)
#   07_origin_is_relative_to_symlink_location_not_realpath
#                    b/libg.so is a symlink to a/libg.so (RPATH ${ORIGIN}):
#                    $ORIGIN is b/, so libf.so (in a/) is not found
#   08_nodeflib      exe_a, exe_b and lib_nodefaultlib.so linked
#                    -z nodefaultlib: their libc.so.6 is searched in neither
#                    ld.so.cache nor the default directories
#   09_sysroot       usr/lib/libdefaultpath.so (a default directory of the
#                    root) and usr/lib/local/rpath/librpath.so (named by an
#                    absolute RPATH), read with --sysroot
#   10_rpath_order   exe (RPATH $ORIGIN:$ORIGIN/first/) -> liba.so (RPATH
#                    $ORIGIN/second/) -> libb.so: liba's own RPATH is
#                    searched before the executable's, so second/libb.so
set -eu
cd "$(dirname "$0")"
out=$PWD/out/elf-libtree
stamp=$out/.stamp
if [ -f "$stamp" ] && [ "$stamp" -nt "$0" ]; then
	exit 0
fi
rm -rf "$out"
mkdir -p "$out"
CC=${CC:-gcc}
# cc OUT CODE ARGS...: compile the C in CODE (no libc, like the originals)
cc() { local o=$1 code=$2; shift 2; printf '%s\n' "$code" | $CC -x c - -x none -o "$o" -nostdlib -Wno-implicit-function-declaration "$@"; }
lib() { local o=$1 code=$2; shift 2; cc "$o" "$code" -shared -fPIC -Wl,-soname,"$(basename "$o")" "$@"; }

d=$out/01_origin; mkdir -p "$d"; cd "$d"
lib liba.so 'int f(void) { return 1; }'
cc exe_rpath 'int _start(void) { return f(); }' -Wl,--no-as-needed,--disable-new-dtags,-rpath,'$ORIGIN' liba.so
cc exe_runpath 'int _start(void) { return f(); }' -Wl,--no-as-needed,--enable-new-dtags,-rpath,'$ORIGIN' liba.so

d=$out/02_rpath_of_parents_parent; mkdir -p "$d"; cd "$d"
lib libb.so 'int g(void) { return 1; }'
lib liba.so 'int f(void) { return g(); }' -Wl,--no-as-needed libb.so
cc exe 'int _start(void) { return f(); }' -Wl,--no-as-needed,--disable-new-dtags,-rpath,'$ORIGIN',-rpath-link,"$d" -L. -la

d=$out/03_direct_and_absolute_rpath; mkdir -p "$d/some_dir"; cd "$d"
lib some_dir/lib_f.so 'int f(void) { return 42; }'
lib lib_g.so 'int f(void); int g(void) { return f(); }' -Wl,--no-as-needed,-rpath,"$d/some_dir" -Lsome_dir -l_f
cc lib_without_soname.so 'int i(void) { return 1; }' -shared -fPIC
for x in a b; do
	rp=-Wl,-rpath,"$d/"; [ $x = b ] && rp=$rp,-rpath,"$d/some_dir"
	cc exe_$x 'int f(void); int g(void); int i(void); int _start(void) { return f() + g() + i(); }' \
		-Wl,--no-as-needed,--disable-new-dtags "$rp" -L. -Lsome_dir -l_f -l_g "$d/lib_without_soname.so"
done

d=$out/04_rpath_over_env_over_runpath; mkdir -p "$d/dir"; cd "$d"
lib dir/liba.so 'int a(void) { return 42; }'
lib dir/libb.so 'int b(void) { return a(); }' -Wl,--no-as-needed,--disable-new-dtags,-rpath,'$ORIGIN' dir/liba.so
lib libb.so 'int b(void) { return 10; }'
cc exe_rpath 'int _start(void) { return b(); }' -Wl,--no-as-needed,--disable-new-dtags,-rpath,"$d" libb.so
cc exe_runpath 'int _start(void) { return b(); }' -Wl,--no-as-needed,--enable-new-dtags,-rpath,"$d" libb.so

d=$out/05_32_bits; mkdir -p "$d/lib32" "$d/lib64"; cd "$d"
lib lib64/libx.so 'int a(void) { return 42; }' -m64
lib lib32/libx.so 'int a(void) { return 42; }' -m32
cc exe64 'int a(void); int _start(void) { return a(); }' -m64 -Wl,-rpath,"$d/lib32",-rpath,"$d/lib64" -Llib64 -lx
cc exe32 'int a(void); int _start(void) { return a(); }' -m32 -Wl,-rpath,"$d/lib64",-rpath,"$d/lib32" -Llib32 -lx

d=$out/06_symbol_versions; mkdir -p "$d/v1" "$d/v2"; cd "$d"
printf 'VER_1 { global: xyz; local: *; };\n' > v1.map
printf 'VER_1 { global: xyz; local: *; };\nVER_2 { global: xyz; local: *; };\n' > v2.map
lib v1/libx.so 'int xyz(void) { return 1; }' -Wl,--version-script,v1.map -lc
lib v2/libx.so '__asm__(".symver xyz_1,xyz@VER_1"); __asm__(".symver xyz_2,xyz@@VER_2");
int xyz_1(void) { return 3; } int xyz_2(void) { return 4; }' -Wl,--version-script,v2.map -lc
# exe_v1 needs xyz@VER_1 and finds v2 first (which has it); exe_v2 needs
# xyz@VER_2 and finds v1 first (which lacks it)
main='int xyz(void); int main(void) { return xyz(); }'
printf '%s\n' "$main" | $CC -x c - -x none -o exe_v1 v1/libx.so -Wl,-rpath,"$d/v2",-rpath,"$d/v1"
printf '%s\n' "$main" | $CC -x c - -x none -o exe_v2 v2/libx.so -Wl,-rpath,"$d/v1",-rpath,"$d/v2"

d=$out/07_origin_is_relative_to_symlink_location_not_realpath; mkdir -p "$d/a" "$d/b"; cd "$d"
lib a/libf.so 'int f(void) { return 3; }'
lib a/libg.so 'int f(void); int g(void) { return f(); }' -Wl,-rpath,'${ORIGIN}' -La -lf
ln -s ../a/libg.so b/libg.so
cc exe 'int g(void); int _start(void) { return g(); }' -Wl,-rpath,'${ORIGIN}/b' -La -lg

d=$out/08_nodeflib; mkdir -p "$d"; cd "$d"
# these link with libc (no -nostdlib): the question is where libc is found
printf 'int f(void) { return 1; }\n' | $CC -x c - -x none -shared -fPIC -z nodefaultlib -Wl,--no-as-needed,-soname,lib_nodefaultlib.so -o lib_nodefaultlib.so
printf 'int g(void) { return 1; }\n' | $CC -x c - -x none -shared -fPIC -Wl,--no-as-needed,-soname,lib_defaultlib.so -o lib_defaultlib.so
printf 'int f(void); int g(void); int main(void) { return f() + g(); }\n' | $CC -x c - -x none -z nodefaultlib \
	-o exe_a -Wl,--enable-new-dtags,-rpath,'$ORIGIN' -L. -l_nodefaultlib -l_defaultlib
printf 'int g(void); int main(void) { return g(); }\n' | $CC -x c - -x none -z nodefaultlib \
	-o exe_b -Wl,--disable-new-dtags,-rpath,'$ORIGIN' -L. -l_defaultlib

d=$out/09_sysroot; mkdir -p "$d/usr/lib/local/rpath"; cd "$d"
lib usr/lib/libdefaultpath.so 'int a(void) { return 1; }'
lib usr/lib/local/rpath/librpath.so 'int b(void) { return 2; }'
for t in rpath runpath; do
	tags=--disable-new-dtags; [ $t = runpath ] && tags=--enable-new-dtags
	cc exe_$t 'int a(void); int b(void); int _start(void) { return a() + b(); }' \
		-Wl,$tags,-rpath,/usr/lib/local/rpath/ -Lusr/lib -ldefaultpath -Lusr/lib/local/rpath -lrpath
done

d=$out/10_rpath_order; mkdir -p "$d/first" "$d/second"; cd "$d"
lib first/libb.so 'int g(void) { return 1; }'
lib second/libb.so 'int g(void) { return 2; }'
lib liba.so 'int g(void); int f(void) { return g(); }' -Wl,--disable-new-dtags,-rpath,'$ORIGIN/second/' -Lsecond -lb
printf 'int f(void); int main(void) { return f(); }\n' | $CC -x c - -x none -o exe \
	-Wl,--disable-new-dtags,-rpath,'$ORIGIN',-rpath,'$ORIGIN/first/' -L. -la

touch "$stamp"
