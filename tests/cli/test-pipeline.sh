#!/bin/bash
# One run, one ELF context (issue #13), judged by tools slim did not write:
#  1. slim report --sysroot ROOT with a Python root inside ROOT resolves the
#     extension modules' libraries inside ROOT: a library present only in
#     ROOT, and ROOT's own libz.so.1 where the host has another one
#     (before: pydeps built its own context on the host, so libonlyroot
#     was "not found" and libz.so.1 was the host's);
#  2. two extension modules that both list an unused libm (ldd -u -r says
#     so) count its bytes once in removable_bytes and in the text; with
#     --host python3.11, which maps libm itself (ldd says so), the saving
#     in that process is nothing, and totals.roots says what it maps.
. "$ROOT/tests/cli/lib.sh"
need gcc build-essential
need python3 python3
need python3.11 python3
[ -f /usr/include/python3.11/Python.h ] || die "this test needs Python.h: apt-get install python3-dev (or make deps)"
need ldd libc-bin
inc=-I/usr/include/python3.11

# --- 1. --sysroot: extension modules resolve inside the root ------------
R=$PWD/root sp=$PWD/root/usr/lib/python3/dist-packages
mkdir -p "$R/usr/lib" "$sp/pkg"
cat > ext.c <<'C'
#include <Python.h>
extern int onlyroot(void);
extern unsigned long zlibCompileFlags(void);
static PyObject *f(PyObject *s, PyObject *a) { return PyLong_FromLong(onlyroot() + (long)zlibCompileFlags()); }
static PyMethodDef m[] = {{"f", f, METH_NOARGS, 0}, {0}};
static struct PyModuleDef d = {PyModuleDef_HEAD_INIT, "_ext", 0, -1, m};
PyMODINIT_FUNC PyInit__ext(void) { return PyModule_Create(&d); }
C
echo 'int onlyroot(void) { return 7; }' > o.c
echo 'unsigned long zlibCompileFlags(void) { return 0; }' > z.c
gcc -shared -fPIC -Wl,-soname,libonlyroot.so.1 -o "$R/usr/lib/libonlyroot.so.1" o.c || die "gcc"
gcc -shared -fPIC -Wl,-soname,libz.so.1 -o "$R/usr/lib/libz.so.1" z.c || die "gcc"
gcc -shared -fPIC $inc -o "$sp/pkg/_ext.cpython-311-x86_64-linux-gnu.so" ext.c \
	"$R/usr/lib/libonlyroot.so.1" "$R/usr/lib/libz.so.1" || die "gcc ext"
: > "$sp/pkg/__init__.py"
printf 'pkg\npkg._ext\n' > trace.txt
# the ground truth of where each resolves: the host's loader finds another
# libz.so.1 and no libonlyroot.so.1; inside ROOT both are ROOT's
hostz=$(ldd "$sp/pkg/_ext.cpython-311-x86_64-linux-gnu.so" | awk '$1 == "libz.so.1" {print $3}')
[ -n "$hostz" ] && [ "$hostz" != "$R/usr/lib/libz.so.1" ] || die "the host should have a libz.so.1 of its own (ldd: $hostz)"
ldd "$sp/pkg/_ext.cpython-311-x86_64-linux-gnu.so" | grep -q 'libonlyroot.so.1 => not found' || die "the host should not find libonlyroot.so.1"
expect_rc 0 "$SLIM" report --json --sysroot "$R" --py-trace trace.txt --py-root "$sp" -o r.json 2> err.txt
python3 - r.json "$R" <<'PY' || die "--sysroot: extension module libraries not resolved inside the root"
import json, os, sys
d, root = json.load(open(sys.argv[1])), sys.argv[2]
libs = {n["id"]: n.get("attrs", {}) for n in d["nodes"] if n["kind"] == "lib"}
for soname in ("libonlyroot.so.1", "libz.so.1"):
    a = libs.get("lib:" + soname)
    assert a and a.get("found", True), (soname, a)
    # paths inside a sysroot are said as the root's own (/usr/lib/...)
    assert a["path"] == "/usr/lib/" + soname, (soname, a["path"])
    assert os.path.samefile(root + a["path"], root + "/usr/lib/" + soname)
print("extension module's libraries resolved inside the root")
PY

# --- 2. two modules, one unused libm: counted once; --host keeps it ------
mkdir -p sp2
for m in a b; do
	printf '#include <Python.h>\nstatic struct PyModuleDef d = {PyModuleDef_HEAD_INIT, "_%s", 0, -1, 0};\nPyMODINIT_FUNC PyInit__%s(void) { return PyModule_Create(&d); }\n' $m $m > $m.c
	gcc -shared -fPIC $inc -o sp2/_$m.cpython-311-x86_64-linux-gnu.so $m.c -Wl,--no-as-needed -lm || die "gcc $m"
	ldd -u -r sp2/_$m.cpython-311-x86_64-linux-gnu.so | grep -q '/libm\.so\.6' || die "ldd -u -r: libm should be unused in _$m"
done
ldd /usr/bin/python3.11 | grep -q 'libm\.so\.6' || die "ldd: python3.11 should map libm itself"
libm=$(ldd sp2/_a.cpython-311-x86_64-linux-gnu.so | awk '$1 == "libm.so.6" {print $3}')
msize=$(stat -L -c %s "$libm")
printf '_a\n_b\n' > t2.txt
expect_rc 0 "$SLIM" report --json --py-trace t2.txt --py-root sp2 -o two.json 2> /dev/null
expect_rc 0 "$SLIM" report --py-trace t2.txt --py-root sp2 > two.txt 2> /dev/null
expect_rc 0 "$SLIM" report --json --host /usr/bin/python3.11 --py-trace t2.txt --py-root sp2 -o host.json 2> /dev/null
python3 - two.json host.json "$msize" <<'PY' || die "unused libm of two modules"
import json, sys
two, host, msize = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), int(sys.argv[3])
f = [x for x in two["findings"] if x["kind"] == "unused-library" and x["node"] == "lib:libm.so.6"]
assert len(f) == 2 and all(x["confidence"] == "proven" for x in f), f
assert two["totals"]["removable_bytes"] == msize, (two["totals"]["removable_bytes"], msize)
roots = two["totals"]["roots"]
assert len(roots) == 2 and all(r["bytes_no_longer_mapped"] == msize for r in roots.values()), roots
f = [x for x in host["findings"] if x["kind"] == "unused-library" and x["node"] == "lib:libm.so.6"]
assert len(f) == 2 and all(x["bytes"] == 0 and x["attrs"]["stays_loaded_in"] == "exe:python3.11" for x in f), f
assert host["totals"]["removable_bytes"] == 0, host["totals"]["removable_bytes"]
r = host["totals"]["roots"]
assert list(r) == ["exe:python3.11"] and r["exe:python3.11"]["plugins"] == 2 and r["exe:python3.11"]["bytes_no_longer_mapped"] == 0, r
print("libm counted once (%d bytes); nothing with --host" % msize)
PY
expect_rc 0 "$SLIM" report --host /usr/bin/python3.11 --py-trace t2.txt --py-root sp2 > host.txt 2> /dev/null
python3 - host.json host.txt <<'PY' || die "text and JSON of the --host process differ"
import json, re, sys
r = json.load(open(sys.argv[1]))["totals"]["roots"]["exe:python3.11"]
m = re.search(r"^process exe:python3.11 \(--host\) with (\d+) inputs and extension modules loaded: (\d+) libraries, .*; would no longer map (\d+) of them", open(sys.argv[2]).read(), re.M)
assert m and (int(m[1]), int(m[2]), int(m[3])) == (r["plugins"], r["libraries"], r["libraries_no_longer_mapped"]), (m and m.groups(), r)
PY
# the text says the same: one heading counts it, the other says it is counted above
[ "$(grep -c 'removable (proven): 1 libraries' two.txt)" = 1 ] || die "text: libm counted twice: $(grep removable two.txt)"
grep -q 'of files already counted above' two.txt || die "text: the second finding does not say why it is not counted"
echo "--sysroot resolves extension modules inside the root; an unused library two modules list counts once, and nothing in a --host that maps it"
