# A set-user-ID program (or one with file capabilities) runs with AT_SECURE for any user it raises
# privileges for, and ld.so then ignores LD_LIBRARY_PATH (rtld.c
# process_envvars) and takes $ORIGIN only at the start of an element and,
# for the executable's own $ORIGIN, only inside a system directory
# (_dl_dst_substitute).  slim resolves such a program that way; the judge
# is the program itself, started as nobody with and without its
# set-user-ID bit.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
need setpriv util-linux
need gcc gcc
need setcap libcap2-bin
[ "$(id -u)" = 0 ] || die "this test makes a set-user-ID root program: run it as root"
chmod 755 .
d=$PWD
mkdir lib lib2 env
so() { local o=$1; shift; printf '%s\n' "$1" | gcc -x c - -x none -shared -fPIC -o "$o" "${@:2}"; }
so lib2/libdeep.so 'int deep(void) { return 0; }'
# a library's own $ORIGIN is not checked for trust: lib/libsec.so finds ../lib2
so lib/libsec.so 'int deep(void); int sec(void) { return deep(); }' -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../lib2' -Llib2 -ldeep
so env/libenv.so 'int envf(void) { return 0; }'
printf 'int sec(void); int main(void) { return sec(); }\n' | gcc -x c - -x none -o origin \
	-Wl,--disable-new-dtags,-rpath,'$ORIGIN/lib' -Llib -lsec -Wl,-rpath-link,lib2
printf 'int sec(void); int main(void) { return sec(); }\n' | gcc -x c - -x none -o absolute \
	-Wl,--disable-new-dtags,-rpath,"$d/lib" -Llib -lsec -Wl,-rpath-link,lib2
printf 'int envf(void); int main(void) { return envf(); }\n' | gcc -x c - -x none -o viaenv -Lenv -lenv
as_nobody() { env LD_LIBRARY_PATH="$d/env" setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
# expect PROGRAM HOW RUNS(0|1): the loader's answer, then slim's; HOW is
# 0 (plain), 1 (set-user-ID root), gid (set-group-ID root) or cap (file
# capability cap_net_raw)
expect() {
	local p=$1 suid=$2 runs=$3
	setcap -r "$p" 2>/dev/null; chmod 755 "$p"
	[ "$suid" = 1 ] && chmod u+s "$p"
	[ "$suid" = gid ] && chmod g+s "$p"
	[ "$suid" = cap ] && { setcap cap_net_raw+ep "$p" || die "setcap failed"; }
	if as_nobody "./$p" > run.out 2>&1; then got=1; else got=0; fi
	[ "$got" = "$runs" ] || { cat run.out; die "ld.so: $p (set-user-ID $suid) should $( [ "$runs" = 1 ] || echo 'not ')load"; }
	LD_LIBRARY_PATH="$d/env" "$SLIM" elf --env --json "$p" > slim.json 2>/dev/null || die "slim failed on $p"
	nf=$(python3 -c 'import json,sys; print(sum(1 for n in json.load(open(sys.argv[1]))["nodes"] if n["attrs"].get("found") is False))' slim.json)
	[ $((nf == 0)) = "$runs" ] || { LD_LIBRARY_PATH="$d/env" "$SLIM" elf --env "$p"; die "slim: $p (set-user-ID $suid): $nf libraries not found, ld.so $( [ "$runs" = 1 ] && echo 'loads it' || echo 'fails')"; }
}
expect origin 0 1     # $ORIGIN/lib
expect origin 1 0     # the executable's $ORIGIN (/tmp/...) is not trusted
expect absolute 1 1   # an absolute RPATH; then libsec's own $ORIGIN/../lib2
expect viaenv 0 1     # LD_LIBRARY_PATH
# why_skipped REASON: the not-found line says why LD_LIBRARY_PATH was skipped
why_skipped() {
	LD_LIBRARY_PATH="$d/env" "$SLIM" elf --env viaenv > out 2>&1
	grep -q "libenv.so not found (tried:.*LD_LIBRARY_PATH: ignored, ld.so runs the program with AT_SECURE ($1)" out ||
		{ cat out; die "the not-found line must say LD_LIBRARY_PATH was skipped ($1)"; }
}
expect viaenv 1 0     # ignored under AT_SECURE
why_skipped set-user-ID
expect viaenv gid 0   # set-group-ID: AT_SECURE too
why_skipped set-group-ID
expect viaenv cap 0   # and file capabilities
why_skipped 'file capabilities'
expect origin cap 0
# The executable's $ORIGIN inside a system directory is trusted: judged in
# a root of its own (chroot, as nobody), where /usr/lib/x86_64-linux-gnu is
# the root's, the same program under /opt is not trusted; slim --sysroot
# must agree on both.
need chroot coreutils
need unshare util-linux
r=$d/root
mkdir -p "$r/lib64" "$r/proc" "$r/usr/lib/x86_64-linux-gnu/app/bin" "$r/usr/lib/x86_64-linux-gnu/app/lib" \
	"$r/opt/app/bin" "$r/opt/app/lib"
cp /lib64/ld-linux-x86-64.so.2 "$r/lib64/"
for top in usr/lib/x86_64-linux-gnu opt; do
	printf 'int t(void) { return 0; }\n' | gcc -x c - -x none -shared -fPIC -nostdlib -o "$r/$top/app/lib/libt.so"
	printf 'int t(void);\nvoid _start(void) { t(); __asm__ volatile("mov $60, %%eax; xor %%edi, %%edi; syscall"); }\n' |
		gcc -x c - -x none -nostdlib -o "$r/$top/app/bin/prog" -Wl,--disable-new-dtags,-rpath,'$ORIGIN/../lib' \
		-L"$r/$top/app/lib" -lt
	chmod 4755 "$r/$top/app/bin/prog"
done
chmod -R a+rX "$r"
for top in usr/lib/x86_64-linux-gnu opt; do
	# ld.so reads the program's $ORIGIN from /proc/self/exe: a private
	# mount namespace lends the root a /proc and takes it away after
	if with_proc "$r" chroot --userspec=65534:65534 "$r" "/$top/app/bin/prog" 2> run.out; then
		runs=1; else runs=0; fi
	"$SLIM" elf --json --sysroot "$r" "$r/$top/app/bin/prog" > slim.json 2>/dev/null || die "slim failed on /$top/app/bin/prog"
	nf=$(python3 -c 'import json,sys; print(sum(1 for n in json.load(open(sys.argv[1]))["nodes"] if n["attrs"].get("found") is False))' slim.json)
	want=1; [ $top = opt ] && want=0
	[ "$runs" = "$want" ] || { cat run.out; die "the root's ld.so: /$top/app/bin/prog (set-user-ID, as nobody) should $( [ $want = 1 ] || echo 'not ')load"; }
	[ $((nf == 0)) = "$runs" ] || die "slim --sysroot: /$top/app/bin/prog: $nf not found, the root's ld.so $( [ $runs = 1 ] && echo 'loads it' || echo 'fails')"
done
"$SLIM" elf --sysroot "$r" "$r/opt/app/bin/prog" > out 2>&1
grep -q "libt.so not found (tried: \$ORIGIN/../lib (dropped: the program's \$ORIGIN is outside the system directories, under AT_SECURE)" out ||
	{ cat out; die "the not-found line must say why \$ORIGIN/../lib was dropped"; }
echo "AT_SECURE: LD_LIBRARY_PATH ignored and \$ORIGIN restricted as ld.so does (judged by running as nobody)"
