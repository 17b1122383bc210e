# --cpu LEVEL: the glibc-hwcaps subdirectory the loader picks depends on the
# machine that runs the program.  A library built three times (plain, in
# glibc-hwcaps/x86-64-v2 and x86-64-v3) under the program's RUNPATH; slim
# --cpu x86-64-vN must pick what the loader picks when restricted to the
# levels up to N (ld.so --glibc-hwcaps-mask; levels this CPU lacks cannot
# be asked of the loader and are skipped, saying so).
source "$ROOT/tests/cli/lib.sh"
need cc gcc
ld=/lib64/ld-linux-x86-64.so.2
mkdir -p d/glibc-hwcaps/x86-64-v2 d/glibc-hwcaps/x86-64-v3
echo 'int hw(void) { return 1; }' > hw.c
for sub in "" glibc-hwcaps/x86-64-v2/ glibc-hwcaps/x86-64-v3/; do
	cc -shared -fPIC -o "d/${sub}libhw.so" hw.c || die "cc libhw"
done
echo 'int hw(void); int main(void) { return hw() - 1; }' > main.c
cc -o main main.c -Ld -lhw -Wl,-rpath,'$ORIGIN/d',--enable-new-dtags || die "cc main"
slim_path() { "$SLIM" elf --json --cpu "$1" main | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(next(n["attrs"]["path"] for n in d["nodes"] if n["id"].startswith("lib:libhw")))'; }
ld_path() { "$ld" --glibc-hwcaps-mask "$1" --list ./main | awk '$1 == "libhw.so" { print $3 }'; }
checked=0
for lv in 1 2 3; do
	case $lv in 1) mask=none ;; 2) mask=x86-64-v2 ;; 3) mask=x86-64-v3:x86-64-v2 ;; esac
	if [ $lv -gt 1 ] && ! "$ld" --help | grep -q "x86-64-v$lv (supported"; then
		echo "this CPU lacks x86-64-v$lv: the loader cannot be asked; slim checked by path only"
		[ "$(slim_path x86-64-v$lv)" = "$PWD/d/glibc-hwcaps/x86-64-v$lv/libhw.so" ] || die "--cpu v$lv"
		continue
	fi
	want=$(cd . && ld_path $mask)
	got=$(slim_path x86-64-v$lv)
	[ -n "$want" ] || die "the loader listed no libhw for mask $mask"
	[ "$(realpath "$got")" = "$(realpath "$want")" ] || die "--cpu x86-64-v$lv: slim $got, the loader (mask $mask) $want"
	checked=$((checked + 1))
done
expect_rc 2 "$SLIM" elf --cpu x86-64-v9 main 2> err; one_line err
# --platform: $ORIGIN/${PLATFORM} of the machine that will run it.  With
# this CPU's AT_PLATFORM (as ld.so --help names it) slim takes what ld.so
# takes; haswell and x86_64 take their own directories.
plat=$ROOT/samples/out/elf/dst/plat
[ -x "$plat/main" ] || die "samples missing (samples/build.sh)"
lib_at() { "$SLIM" elf --json "$@" "$plat/main" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(next(n["attrs"]["path"] for n in d["nodes"] if n["id"] == "lib:libb.so"))'; }
here=$("$ld" --help | sed -n 's/^ *\([a-z0-9_]*\) (AT_PLATFORM.*/\1/p')
[ -n "$here" ] || die "ld.so --help names no AT_PLATFORM"
want=$("$ld" --list "$plat/main" | awk '$1 == "libb.so" { print $3 }')
[ "$(realpath "$(lib_at --platform "$here")")" = "$(realpath "$want")" ] ||
	die "--platform $here: slim $(lib_at --platform "$here"), ld.so $want"
for p in haswell x86_64; do
	[ "$(realpath "$(lib_at --platform $p)")" = "$plat/$p/libb.so" ] || die "--platform $p: $(lib_at --platform $p)"
done
expect_rc 2 "$SLIM" elf --platform ../x main 2> err; one_line err
echo "--cpu agrees with ld.so --glibc-hwcaps-mask on $checked levels; --platform $here with ld.so"
