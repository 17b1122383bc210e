#!/bin/bash
# One id rule (graph/ids.h): slim fatbin --json, slim report --json and
# slim elf --json name a file the same way, and the first two its GPU
# entries too (numbered from 1 in file order, as cuobjdump counts them), so
# a baseline made by one command diffs against a report made by another.
# The files are real links (gcc, ld) carrying the committed nvcc-built
# kern.fatbin as their .nv_fatbin section; the library's file name
# (libX.so.1.2) differs from its DT_SONAME (libX.so.1), the case where the
# commands used to disagree.
. "$ROOT/tests/cli/lib.sh"
need gcc build-essential
need objcopy binutils
need python3 python3
K=$ROOT/samples/out/fatbin/kern.fatbin
[ -f "$K" ] || die "samples/out/fatbin/kern.fatbin missing: run samples/build.sh"
echo 'int f(void) { return 1; }' > x.c
echo 'int main(void) { return 0; }' > m.c
gcc -shared -fPIC -Wl,-soname,libX.so.1 -o libX.so.1.2 x.c || die "gcc -shared"
gcc -o prog m.c || die "gcc prog"
gcc -c -o obj.o x.c || die "gcc -c"
for f in libX.so.1.2 prog obj.o; do
	objcopy --add-section .nv_fatbin="$K" --set-section-flags .nv_fatbin=alloc,readonly \
		"$f" 2> /dev/null || die "objcopy $f"
done
ar rcs libY.a obj.o
# ground truth for the names: readelf's SONAME and PT_INTERP
[ "$(readelf -d libX.so.1.2 | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')" = libX.so.1 ] || die "readelf: no SONAME libX.so.1"
readelf -l prog | grep -q INTERP || die "readelf: prog has no PT_INTERP"
nent=$(python3 - "$K" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
magic, ver, hsz, size = struct.unpack_from("<IHHQ", b, 0)
off, n = hsz, 0
while off < hsz + size:
    kind, _, ehsz, psz = struct.unpack_from("<HHIQ", b, off)
    off += ehsz + psz; n += 1
print(n)
PY
)
[ "$nent" -ge 2 ] || die "kern.fatbin: $nent entries by the header walk"
check() { # FILE WANT_ID: the three commands agree
	local f=$1 want=$2
	expect_rc 0 "$SLIM" fatbin --json "$f" > fb.json
	expect_rc 0 "$SLIM" report --json "$f" > rp.json
	if [ "${want%%:*}" != obj ]; then
		expect_rc 0 "$SLIM" elf --json "$f" > el.json
	else
		cp rp.json el.json
	fi
	python3 - "$want" "$nent" fb.json rp.json el.json <<'PY' || die "$f: ids differ"
import json, sys
want, nent = sys.argv[1], int(sys.argv[2])
docs = [json.load(open(p)) for p in sys.argv[3:]]
for name, d in zip(("fatbin", "report", "elf"), docs):
    ids = {n["id"] for n in d["nodes"]}
    assert want in ids, (name, want, sorted(ids))
    assert d["inputs"][0]["node"] == want, (name, d["inputs"])
owner = want.split(":", 1)[1]
def gpus(d):
    return sorted((n["id"], n.get("size")) for n in d["nodes"] if n["id"].startswith("gpu:" + owner + ":"))
fb, rp = gpus(docs[0]), gpus(docs[1])
assert fb == rp, (fb, rp)
nums = sorted(int(i.rsplit(":", 1)[1]) for i, _ in fb)
assert nums == list(range(1, nent + 1)), nums
edges = {(e["from"], e["to"]) for e in docs[0]["edges"] if e["kind"] == "contains"}
assert all((want, i) in edges for i, _ in fb), edges
PY
	echo "$f: $want, $nent entries, same ids in every command"
}
check libX.so.1.2 lib:libX.so.1
check prog exe:prog
check obj.o obj:obj.o
check libY.a obj:libY.a
echo "4 files (library named by SONAME, program, object, archive): fatbin, report and elf name them and their $nent GPU entries alike"
