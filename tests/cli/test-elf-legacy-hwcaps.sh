# The whole per-directory search order, against ld.so on this CPU: glibc
# 2.36 tries the glibc-hwcaps levels the CPU supports, then legacy
# subdirectories built from dl_hwcap (x86_64, avx512_1 on some Intel
# CPUs), the platform ("haswell"/"xeon_phi" on Intel CPUs only, else the
# kernel's "x86_64") and "tls".  ld.so's own LD_DEBUG=libs names the
# directories it searches under the program's RUNPATH; a copy of the
# library goes into every one of them, and into decoys ld.so does not
# search (haswell/ on an AMD CPU, avx512_1/ where unsupported, wrong
# orders).  Then, one copy at a time, the copy ld.so picks (ld.so --list,
# which maps but never runs the program) must be the one slim picks; it is
# removed and the next asked for, until neither finds one.
source "$ROOT/tests/cli/lib.sh"
if [ -n "${SLIM_VALGRIND:-}" ]; then
	# Valgrind answers cpuid with a CPU of its own (GenuineIntel, no
	# AVX-512), not the one ld.so runs on here
	echo "under Valgrind: slim sees Valgrind's CPU; make test and make asan compare with ld.so"
	exit 0
fi
need cc gcc
need python3 python3
ld=/lib64/ld-linux-x86-64.so.2
[ -x "$ld" ] || die "no $ld: this test needs x86-64 glibc"
mkdir d
echo 'int hw(void) { return 1; }' > hw.c
cc -shared -fPIC -o libhw.so hw.c || die "cc libhw"
echo 'int hw(void); int main(void) { return hw() - 1; }' > main.c
cc -o main main.c -L. -lhw -Wl,-rpath,'$ORIGIN/d',--enable-new-dtags || die "cc main"
# the directories ld.so searches for RUNPATH $ORIGIN/d, best first
LD_DEBUG=libs "$ld" --list ./main > /dev/null 2> debug.log
dirs=$(grep -m1 'search path=.*RUNPATH' debug.log | sed 's/.*search path=//; s/[[:space:]]*(RUNPATH.*//' | tr ':' '\n' | xargs realpath -m | awk '!seen[$0]++')
[ -n "$dirs" ] || die "ld.so printed no RUNPATH search path: $(head -3 debug.log)"
echo "$dirs" | grep -q '/tls$' || die "ld.so searches no legacy subdirectories here (glibc >= 2.37?): $dirs"
n=0
for dir in $dirs; do
	mkdir -p "$dir" && cp libhw.so "$dir/" || die "cp $dir"
	n=$((n + 1))
done
decoys=0
for sub in haswell xeon_phi avx512_1 x86_64 tls haswell/avx512_1 avx512_1/haswell \
	   x86_64/haswell x86_64/tls haswell/x86_64 tls/haswell tls/avx512_1 \
	   glibc-hwcaps/x86-64-v4 glibc-hwcaps/x86-64-v3 glibc-hwcaps/x86-64-v2; do
	echo "$dirs" | grep -qx "$PWD/d/$sub" && continue
	mkdir -p "d/$sub" && cp libhw.so "d/$sub/" && decoys=$((decoys + 1))
done
slim_path() { "$SLIM" elf --json main | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(next((n["attrs"].get("path", "not found") for n in d["nodes"] if n["id"].startswith("lib:libhw")), "not found"))'; }
# (with no copy left, ld.so --list stops with "cannot open shared object
# file" instead of listing the library)
ld_path() { "$ld" --list ./main 2> ld.err | awk '$1 == "libhw.so" { print $3 }'
	grep -q "libhw.so: cannot open shared object file" ld.err && echo "not"; }
picks=0
while :; do
	want=$(ld_path)
	got=$(slim_path)
	if [ "$want" = "not" ]; then
		[ "$got" = "not found" ] || die "ld.so finds no libhw.so (decoys left: $(find d -name libhw.so | tr '\n' ' ')), slim takes $got"
		break
	fi
	[ -n "$want" ] || die "ld.so listed no libhw.so line"
	[ "$(realpath "$got")" = "$(realpath "$want")" ] || die "pick $((picks + 1)): ld.so takes $want, slim $got"
	rm "$want"
	picks=$((picks + 1))
	[ $picks -le 64 ] || die "more picks than copies"
done
[ $picks = $n ] || die "$picks picks for $n directories ld.so searches"
platform=$(grep -o '[a-z0-9_]* (AT_PLATFORM' <("$ld" --help) | cut -d' ' -f1)
echo "$picks directories in ld.so's order (platform $platform), $decoys decoys never taken"
