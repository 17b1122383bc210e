#!/bin/bash
# Libraries a deployable loads by name at run time (issue #14, "Orphans"):
# a program made here dlopen()s "libcomputed-%d.so" with a number it
# computes, a Python file globs "libplanted*.so*", and a third library
# nothing names.  slim keeps the first two (dlopens edges whose evidence
# is the pattern) and calls only the third an orphan (likely).  Judged by
# running the program in the tree (chroot): it does load
# libcomputed-3.so (LD_DEBUG=files says so), and with the likely prune
# list deleted from a copy of the tree it still runs and loads it.
# Also: a library found through RUNPATH $ORIGIN/../lib resolves inside the
# tree when the tree is named by a relative path (ld.so --list agrees).
. "$ROOT/tests/cli/lib.sh"
. "$ROOT/tests/cli/tree-lib.sh"
need gcc build-essential
need ldd libc-bin
need ldconfig libc-bin
need chroot coreutils
need python3 python3
[ "$(id -u)" = 0 ] || die "this test needs root (chroot runs the tree's program)"
tree_init "$PWD/root"
mkdir -p "$R/usr/lib/x86_64-linux-gnu" "$R/opt/app"
cat > prog.c <<'C'
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv)
{
	char name[64];
	snprintf(name, sizeof name, "libcomputed-%d.so", argc + 2);
	void *h = dlopen(name, RTLD_NOW);
	int (*f)(void) = h ? (int (*)(void))dlsym(h, "computed") : NULL;
	printf("%s: %d\n", name, f ? f() : -1);
	return f ? 0 : 1;
}
C
# and a program of its own under opt/app whose library is found through
# RUNPATH $ORIGIN/../lib (the tree named by a relative path below: $ORIGIN
# must still be the program's directory inside the tree)
mkdir -p "$R/opt/app/bin" "$R/opt/app/lib"
echo 'int f(void) { return 7; }' > f.c
echo 'int f(void); int main(void) { return f() - 7; }' > m.c
gcc -shared -fPIC -o "$R/opt/app/lib/libf.so" f.c || die gcc
gcc -o "$R/opt/app/bin/m" m.c -L"$R/opt/app/lib" -lf -Wl,-rpath,'$ORIGIN/../lib' -Wl,--enable-new-dtags || die gcc
echo 'int computed(void) { return 42; }' > c.c
echo 'int planted(void) { return 1; }' > p.c
echo 'int orphan(void) { return 2; }' > o.c
gcc -O1 -o "$R/usr/bin/prog" prog.c || die "gcc prog"
gcc -shared -fPIC -o "$R/usr/lib/x86_64-linux-gnu/libcomputed-3.so" c.c || die gcc
gcc -shared -fPIC -Wl,-soname,libplanted-x.so.1 -o "$R/opt/app/libplanted-x.so.1" p.c || die gcc
gcc -shared -fPIC -Wl,-soname,liborphan.so.1 -o "$R/usr/lib/x86_64-linux-gnu/liborphan.so.1" o.c || die gcc
printf 'import ctypes, glob, os\nfor p in glob.glob(os.path.join(os.path.dirname(__file__), "libplanted*.so*")):\n    ctypes.CDLL(p)\n' > "$R/opt/app/load.py"
for f in $(ldd "$R/usr/bin/prog" | grep -o '/[^ ]*'); do place "$f"; done
tree_done
chroot "$R" /usr/bin/prog > want.txt 2> /dev/null || die "prog does not run in the tree"
LD_DEBUG=files chroot "$R" /usr/bin/prog 2>&1 >/dev/null | grep -q 'calling init: /lib/x86_64-linux-gnu/libcomputed-3.so\|file=libcomputed-3.so' ||
	die "ld.so does not show prog loading libcomputed-3.so"

# ld.so takes a program's $ORIGIN from /proc/self/exe: a private mount
# namespace gives the chroot a /proc that goes away with it
need unshare util-linux
mkdir -p "$R/proc"
inproc() { local r=$1; shift; with_proc "$r" chroot "$r" "$@"; }
inproc "$R" /opt/app/bin/m || die "opt/app/bin/m does not run in the tree"
inproc "$R" /lib64/ld-linux-x86-64.so.2 --list /opt/app/bin/m | grep -q 'libf.so => /opt/app/bin/../lib/libf.so' ||
	die "ld.so does not find libf.so through \$ORIGIN in the tree"
$SLIM report root --json -o r.json --prune-list likely.txt --include likely 2> err.txt || { cat err.txt; die "report"; }
python3 - r.json <<'PY' || die "dlopen'd libraries"
import json, sys
r = json.load(open(sys.argv[1]))
orph = {f['node'] for f in r['findings'] if f['kind'] == 'orphan-library'}
assert 'lib:usr/lib/x86_64-linux-gnu/liborphan.so.1' in orph, orph
for lib, pat, by in (('lib:usr/lib/x86_64-linux-gnu/libcomputed-3.so', 'libcomputed-*.so', 'exe:usr/bin/prog'),
                     ('lib:opt/app/libplanted-x.so.1', 'libplanted*.so*', 'file:opt/app/load.py')):
    assert lib not in orph, lib
    e = [e for e in r['edges'] if e['kind'] == 'dlopens' and e['to'] == lib]
    assert e and e[0]['from'] == by and e[0]['attrs']['evidence'] == 'pattern' and e[0]['attrs']['name'] == pat, (lib, e)
e = [e for e in r['edges'] if e['kind'] == 'needs' and e['from'] == 'exe:opt/app/bin/m' and e['attrs']['name'] == 'libf.so']
assert e and e[0]['to'] == 'lib:opt/app/lib/libf.so' and e[0]['attrs']['via'] == 'runpath', e
assert 'lib:opt/app/lib/libf.so' not in orph
print('kept by pattern: libcomputed-3.so (printf), libplanted-x.so.1 (glob); orphan: liborphan.so.1; $ORIGIN resolved in the tree')
PY
grep -qx usr/lib/x86_64-linux-gnu/liborphan.so.1 likely.txt || die "the orphan is not in the likely list"
grep -q 'libcomputed\|libplanted' likely.txt && die "a library loaded by name is in the prune list"
cp -a "$R" pruned
while read -r p; do rm -- "pruned/$p" || die "rm $p"; done < likely.txt
chroot pruned /usr/bin/prog > got.txt 2> /dev/null || die "prog fails once the likely list is deleted"
cmp -s want.txt got.txt || die "prog's output changed"
inproc "$PWD/pruned" /opt/app/bin/m || die "opt/app/bin/m fails once the likely list is deleted"
echo ok
