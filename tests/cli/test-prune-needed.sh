#!/bin/bash
# test-prune-needed.sh - `slim prune` removes proven-unused DT_NEEDED
# entries (issue #17), checked against ld.so and the programs themselves:
#   1. every ELF file of /usr/bin and /usr/lib/x86_64-linux-gnu is pruned;
#      for each where slim removed an entry: `ldd -u -r` of the original
#      lists every library removed (ground truth agrees), the copy loads
#      (`ldd`: no "not found", exit 0), `ldd -u -r` of the copy lists
#      exactly the libraries slim kept with a reason, readelf -V of the
#      copy has no version requirement naming a removed library, ldd of
#      the copy still maps exactly the removed libraries slim says other
#      objects still load (their initializers still run) and none of those
#      it says stop loading, a program
#      run by its path (scratch dir, timeout, stdin /dev/null) gives the
#      same exit status and stdout for --version (else --help) as the
#      original, and a library still dlopens;
#   2. a library pair with versioned references (version scripts), both
#      ways: a symbol whose version names the unused library keeps its
#      entry (refused with the reason, the file still runs); with that
#      reference made unversioned, the entry and its .gnu.version_r record
#      go, the other records stay, and the program prints the same.
source "$ROOT/tests/cli/lib.sh"
need ldd libc-bin
need readelf binutils
need gcc gcc
need python3 python3
need timeout coreutils

n=0 files=0 nstill=0 nunload=0 ntrans=0
mkdir -p a b
for f in /usr/bin/* /usr/lib/x86_64-linux-gnu/*.so*; do
	[ -f "$f" ] && [ ! -L "$f" ] || continue
	[ "$(head -c 4 "$f" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
	files=$((files + 1))
	name=$(basename "$f")
	"$SLIM" prune "$f" -o "b/$name" > out.txt 2> err.txt || die "$f: slim prune failed: $(cat err.txt)"
	if ! grep -q "^  removed DT_NEEDED" out.txt; then
		rm -f "b/$name"
		continue
	fi
	n=$((n + 1))
	gone=$(sed -n 's/^  removed DT_NEEDED \([^ ]*\) .*/\1/p' out.txt | sort)
	kept=$(sed -n 's/^slim: warning: .*: DT_NEEDED \([^ ]*\) kept: .*/\1/p' err.txt | sort)
	unused_of() { ldd -u -r "$1" 2> /dev/null | sed -n 's|^\t.*/||p' | sort; }
	for l in $gone; do
		unused_of "$f" | grep -qx "$l" || die "$f: slim removed $l, which ldd -u -r does not call unused"
	done
	ldd "b/$name" > ldd.txt 2>&1 || die "b/$name: ldd fails: $(cat ldd.txt)"
	! grep -q "not found" ldd.txt || die "b/$name: $(grep 'not found' ldd.txt)"
	[ "$(unused_of "b/$name")" = "$kept" ] ||
		die "b/$name: ldd -u -r lists '$(unused_of "b/$name" | tr '\n' ' ')', slim kept '$kept'"
	for l in $gone; do
		! readelf -VW "b/$name" | grep -q "File: $l " || die "b/$name: a version requirement still names $l"
		# "still load it" exactly when ld.so still maps it into the copy
		if grep -q "^  removed DT_NEEDED $l .*other objects still load it" out.txt; then
			grep -q "^	$l => " ldd.txt || die "b/$name: slim says $l is still loaded, ldd does not list it"
			nstill=$((nstill + 1))
		else
			! grep -q "^	$l => " ldd.txt || die "b/$name: slim says $l no longer loads, ldd lists it"
			nunload=$((nunload + 1))
		fi
	done
	# libraries only the removed entries loaded: gone from the copy's map
	for t in $(sed -n 's/^  no longer loaded: lib:\([^ ]*\) .*/\1/p' out.txt); do
		ldd "$f" | grep -q "^	$t => " || die "$f: slim says $t stops loading, but the original does not load it"
		! grep -q "^	$t => " ldd.txt || die "b/$name: slim says $t stops loading, ldd lists it"
		ntrans=$((ntrans + 1))
	done
	if readelf -lW "$f" | grep -q "Requesting program interpreter"; then
		cp -p "$f" "a/$name"
		for opt in --version --help; do
			(cd a && timeout 10 "./$name" $opt < /dev/null > "../a.out" 2> /dev/null); ra=$?
			(cd b && timeout 10 "./$name" $opt < /dev/null > "../b.out" 2> /dev/null); rb=$?
			[ "$ra" = "$rb" ] || die "$name $opt: exit $rb, the original $ra"
			cmp -s a.out b.out || die "$name $opt: output differs: $(diff a.out b.out | head -5)"
			[ "$ra" = 0 ] && break
		done
		rm -f "a/$name"
	else
		python3 -c 'import ctypes, os, sys; ctypes.CDLL(sys.argv[1], mode=os.RTLD_LAZY)' "$f" 2> /dev/null &&
			{ python3 -c 'import ctypes, os, sys; ctypes.CDLL(sys.argv[1], mode=os.RTLD_LAZY)' "$PWD/b/$name" ||
				die "b/$name: no longer dlopens"; }
	fi
	rm -f "b/$name"
done
[ "$n" -ge 5 ] || die "only $n of $files system files have a removable unused dependency: corpus too small?"
[ "$nunload" -ge 1 ] && [ "$nstill" -ge 1 ] || die "removed libraries: $nunload unloaded, $nstill still loaded: the corpus no longer exercises both"
echo "ok: $n of $files system ELF files had proven-unused DT_NEEDED entries: each pruned copy loads, has no unused dependency left but those slim kept with a reason, and runs or dlopens as the original; $nunload removed libraries no longer load and $nstill still do (other objects load them), as ldd says; $ntrans more stop loading with them"

# 2. versioned references into the unused library
mkdir -p v && cd v || die "cd v"
cat > other.c <<'C'
int foo(void) { return 2; }
C
cat > v1stub.c <<'C'
int foo(void) { return 1; }
int baz(void) { return 3; }
C
cat > v1.c <<'C'
int baz(void) { return 3; }
C
cat > app.c <<'C'
#include <stdio.h>
int foo(void);
int main(void) { printf("foo=%d\n", foo()); return 0; }
C
echo 'V1 { global: foo; local: *; };' > other.map
echo 'V1 { global: foo; baz; local: *; };' > v1stub.map
echo 'V1 { global: baz; local: *; };' > v1.map
mkdir -p stub run
gcc -shared -fPIC -o run/libother.so -Wl,-soname,libother.so -Wl,--version-script=other.map other.c || die "gcc libother"
gcc -shared -fPIC -o stub/libv1.so -Wl,-soname,libv1.so -Wl,--version-script=v1stub.map v1stub.c || die "gcc stub"
gcc -shared -fPIC -o run/libv1.so -Wl,-soname,libv1.so -Wl,--version-script=v1.map v1.c || die "gcc libv1"
# linked against the stub: foo@V1 is required from libv1.so; at run time
# libv1.so defines only baz, so foo binds to libother.so
gcc -o run/app app.c -Lstub -Lrun -Wl,--no-as-needed -lv1 -lother -Wl,-rpath,'$ORIGIN' || die "gcc app"
readelf -VW run/app | grep -q "File: libv1.so" || die "app has no version requirement on libv1.so"
[ "$(run/app)" = "foo=2" ] || die "app: $(run/app)"
ldd -u -r run/app | grep -q "libv1.so" || die "ldd -u -r does not call libv1.so unused: $(ldd -u -r run/app)"
expect_rc 0 "$SLIM" prune run/app -o run/app.kept > out.txt 2> err.txt
grep -q "DT_NEEDED libv1.so kept: symbol foo still requires version V1 of it" err.txt ||
	die "versioned reference: $(cat out.txt err.txt)"
readelf -dW run/app.kept | grep -q "NEEDED.*\[libv1.so\]" || die "app.kept lost libv1.so"
[ "$(run/app.kept)" = "foo=2" ] || die "app.kept: $(run/app.kept)"
# the other way: foo's .gnu.version entry made 1 (global, unversioned),
# so no symbol needs libv1.so's record
cp run/app run/app.unver
python3 - run/app.unver <<'PY' || die "cannot patch .gnu.version"
import struct, subprocess, sys, re
p = sys.argv[1]
secs = subprocess.run(["readelf", "-SW", p], capture_output=True, text=True).stdout
off = int(re.search(r"\.gnu\.version\s+VERSYM\s+\S+\s+(\S+)", secs).group(1), 16)
syms = subprocess.run(["readelf", "--dyn-syms", "-W", p], capture_output=True, text=True).stdout
idx = [int(m.group(1)) for m in re.finditer(r"^\s*(\d+):.*\sfoo@V1", syms, re.M)]
assert idx, syms
d = bytearray(open(p, "rb").read())
struct.pack_into("<H", d, off + 2 * idx[0], 1)
open(p, "wb").write(d)
PY
[ "$(run/app.unver)" = "foo=2" ] || die "app.unver: $(run/app.unver)"
req0=$(readelf -VW run/app.unver | grep -c "File: ")
expect_rc 0 "$SLIM" prune run/app.unver -o run/app.pruned > out.txt 2> err.txt
grep -q "^  removed DT_NEEDED libv1.so" out.txt || die "unversioned: $(cat out.txt err.txt)"
! readelf -dW run/app.pruned | grep -q "\[libv1.so\]" || die "app.pruned still needs libv1.so"
readelf -dW run/app.pruned | grep -q "\[libother.so\]" || die "app.pruned lost libother.so"
! readelf -VW run/app.pruned | grep -q "File: libv1.so" || die "app.pruned keeps libv1.so's version record"
[ "$(readelf -VW run/app.pruned | grep -c "File: ")" = $((req0 - 1)) ] ||
	die "app.pruned: version records $(readelf -VW run/app.pruned | grep 'File: '), had $req0"
readelf -VW run/app.pruned | grep -q "File: libc.so.6" || die "app.pruned lost libc's version record"
[ "$(run/app.pruned)" = "foo=2" ] || die "app.pruned: $(run/app.pruned)"
ldd run/app.pruned > ldd.txt 2>&1 || die "ldd app.pruned: $(cat ldd.txt)"
[ -z "$(ldd -u -r run/app.pruned | grep '^	')" ] || die "app.pruned: $(ldd -u -r run/app.pruned)"
echo "ok: a version requirement on the unused library keeps it (refused, why said); without one the entry and its record go"

# 3. --check CMD: {} is INPUT, then OUT; a difference removes OUT, exit 1
cd .. || die "cd"
cp /usr/bin/gio gio
expect_rc 0 "$SLIM" prune gio -o gio.ok --check '{} --version' > out.txt 2> err.txt
grep -q "^check passed: exit status 0" out.txt || die "--check: $(cat out.txt err.txt)"
[ -x gio.ok ] || die "--check passed but OUT is missing"
expect_rc 1 "$SLIM" prune gio -o gio.bad --check 'echo {}' > out.txt 2> err.txt
grep -q "^slim: prune: --check failed: stdout differs" err.txt || die "--check difference: $(cat err.txt)"
[ ! -e gio.bad ] || die "a failed --check left OUT"
expect_rc 1 "$SLIM" prune gio -o gio.st --check 'case {} in *st) exit 3;; esac' > out.txt 2> err.txt
grep -q "exit status 3 on OUT, 0 on INPUT" err.txt || die "--check status: $(cat err.txt)"
sum=$(sha256sum < gio)
expect_rc 1 "$SLIM" prune gio -o gio --in-place --check 'echo {}' > out.txt 2> err.txt
[ "$(sha256sum < gio)" = "$sum" ] || die "a failed --check --in-place changed INPUT"
ls -A | grep -q 'slim-prune' && die "temporaries left: $(ls -A | grep slim-prune)"
expect_rc 0 "$SLIM" prune gio -o gio --in-place --check '{} --version < /dev/null; cat > /dev/null' > out.txt 2> err.txt
[ "$(sha256sum < gio)" != "$sum" ] || die "a passed --check --in-place left INPUT as it was"
readelf -dW gio | grep -q libgmodule && die "--in-place --check: libgmodule still needed"
echo "ok: --check passes on the same output, removes OUT (or leaves INPUT) on a different status or stdout"

# 4. the ELF samples: a library loaded only through a removed entry stops
#    loading too and is listed with its initializers; the programs print
#    the same; a versioned library (ver) goes with its record
E=$ROOT/samples/out/elf
[ -d "$E/trans" ] || die "samples not built: run samples/build.sh"
for s in trans unused ver; do
	rm -rf "s-$s" && cp -a "$E/$s" "s-$s" || die "cp $s"
	expect_rc 0 "$SLIM" prune "s-$s/main" -o "s-$s/main.p" > out.txt 2> err.txt
	grep -q "^  removed DT_NEEDED" out.txt || die "$s: nothing removed: $(cat out.txt err.txt)"
	ldd "s-$s/main.p" > ldd.txt 2>&1 || die "$s: ldd: $(cat ldd.txt)"
	! grep -q "not found" ldd.txt || die "$s: $(cat ldd.txt)"
	(cd "s-$s" && ./main < /dev/null > ../want.txt 2>&1; echo $? >> ../want.txt)
	(cd "s-$s" && ./main.p < /dev/null > ../got.txt 2>&1; echo $? >> ../got.txt)
	cmp -s want.txt got.txt || die "$s: the pruned program prints $(cat got.txt), the original $(cat want.txt)"
	[ -z "$(ldd -u -r "s-$s/main.p" | grep '^	')" ] || die "$s: $(ldd -u -r "s-$s/main.p")"
done
grep -q "^  no longer loaded: lib:libunb.so (only the removed entries loaded it); its initializers no longer run: DT_INIT" <("$SLIM" prune s-trans/main -o s-trans/main.q) ||
	die "trans: libunb.so not listed as no longer loaded"
ldd "$E/trans/main" | grep -q libunb.so || die "trans: the original does not load libunb.so"
! ldd s-trans/main.p | grep -q libunb.so || die "trans: the pruned copy still loads libunb.so"
readelf -VW s-ver/main.p | grep -q "libver1" && die "ver: libver1's version record left"
echo "ok: trans, unused and ver samples: same output, no unused dependency left; libunb.so, loaded only through libuna.so, listed and gone"
