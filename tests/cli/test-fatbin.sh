#!/bin/bash
# test-fatbin.sh - `slim fatbin` end to end: usage and exit codes, the
# per-arch table against MANIFEST counts, deterministic JSON, --extract
# names, and `slim report` on an archive carrying GPU code.
source "$ROOT/tests/cli/lib.sh"
S=$ROOT/samples/out/fatbin
[ -f "$S/MANIFEST" ] || die "samples not built: run samples/build.sh"

# --help to stdout, exit 0; usage errors to stderr, exit 2
expect_rc 0 "$SLIM" fatbin --help > help.txt
grep -q -- "--arch LIST" help.txt || die "--help lacks --arch"
expect_rc 2 "$SLIM" fatbin 2> err.txt
one_line err.txt
grep -q "^slim fatbin: no input file; see slim fatbin --help$" err.txt || die "usage error: $(cat err.txt)"
expect_rc 2 "$SLIM" fatbin --arch sm_8x "$S/exe_none" 2> err.txt
one_line err.txt
grep -q "not an SM arch" err.txt || die "bad --arch message: $(cat err.txt)"
expect_rc 2 "$SLIM" fatbin /nonexistent/file 2> err.txt
one_line err.txt
expect_rc 2 "$SLIM" fatbin --bogus "$S/exe_none" 2> err.txt
expect_rc 2 "$SLIM" fatbin --extract "$S/MANIFEST" "$S/exe_none" 2> err.txt
one_line err.txt
grep -q "not a directory" err.txt || die "--extract onto a file: $(cat err.txt)"

# the table: per-arch entry counts as MANIFEST's -gencode set defines them
expect_rc 0 "$SLIM" fatbin "$S/exe_none" > out.txt
for a in sm_75 sm_80 sm_86 sm_90a; do
	want=$(awk -v a=$a '$1 == "entry" && $2 == "exe_none" && $5 == a' "$S/MANIFEST" | wc -l)
	got=$(awk -v a=$a '$1 == a { print $5 }' out.txt)
	[ "$got" = "$want" ] || die "exe_none $a: $got entries, MANIFEST says $want"
done
grep -q "^  total .* 9 " out.txt || die "total row: $(cat out.txt)"

# what --arch saves, over several files
expect_rc 0 "$SLIM" fatbin --arch sm_80,sm_90 "$S/exe_none" "$S/libdev.a" > out.txt
grep -q "^--arch sm_80,sm_90 would save" out.txt || die "no savings line: $(cat out.txt)"

# JSON: valid, byte-identical across runs, schema slim-report/1
"$SLIM" fatbin --json --kernels --arch sm_80 "$S/exe_size" "$S/libdev.a" > a.json || die "json run 1"
"$SLIM" fatbin --json --kernels --arch sm_80 "$S/exe_size" "$S/libdev.a" > b.json || die "json run 2"
cmp -s a.json b.json || die "JSON differs between runs"
python3 - a.json <<'PY' || die "JSON content"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "slim-report/1"
gpu = [n for n in d["nodes"] if n["kind"] == "gpu"]
assert len(gpu) == 9 + 8, len(gpu)
for n in gpu:
    a = n["attrs"]
    for k in ("kind", "arch", "section", "compression", "bytes", "uncompressed_bytes"):
        assert k in a, (n["id"], k)
    assert n["id"].split(":")[2] == a["arch"]
kern = [n for n in d["nodes"] if n["kind"] == "kernel"]
assert any(n["name"] == "slimk::add_one(float*, int)" for n in kern), [n["name"] for n in kern]
assert any(f["kind"] == "prunable-gpu-code" for f in d["findings"])
PY

# --extract: cuobjdump-style names; compressed LTO-IR is skipped, loudly
expect_rc 0 "$SLIM" fatbin --extract x "$S/exe_speed" "$S/lto_size.o" > /dev/null 2> err.txt
[ -f x/exe_speed.1.sm_90.ptx ] && [ -f x/exe_speed.8.sm_90a.cubin ] || die "extract names: $(ls x)"
# only the last extension goes, as cuobjdump names _core.abi3.so's entries
# _core.abi3.N.sm_XX.cubin
cp "$S/libk.so" _core.abi3.so
expect_rc 0 "$SLIM" fatbin --extract y _core.abi3.so > /dev/null
[ "$(ls y | tr '\n' ' ')" = "_core.abi3.1.sm_80.cubin _core.abi3.1.sm_80.ptx _core.abi3.2.sm_80.cubin " ] || die "extract names: $(ls y)"
grep -q "lto_size.o: entry 0 (sm_90 ltoir) not extracted" err.txt || die "LTO-IR skip not said"

# --verify decodes every entry but compressed LTO-IR: exe_speed has 9
expect_rc 0 "$SLIM" fatbin --verify "$S/exe_speed" "$S/lto_size.o" > out.txt
grep -q "verified: 9 entries" out.txt || die "--verify exe_speed: $(cat out.txt)"
grep -q "verified: 0 entries" out.txt || die "--verify lto_size.o: $(cat out.txt)"

# slim report on an archive: gpu nodes owned by the archive's node
expect_rc 0 "$SLIM" report --json --arch sm_90 "$S/libdev.a" > r.json
python3 - r.json <<'PY' || die "report JSON"
import json, sys
d = json.load(open(sys.argv[1]))
ids = {n["id"] for n in d["nodes"]}
assert "gpu:libdev.a:sm_80:1" in ids, sorted(ids)
assert any(e["from"] == "obj:libdev.a" and e["to"] == "gpu:libdev.a:sm_80:1" and e["kind"] == "contains" for e in d["edges"])
# G2 on sm_90: no cubin (sm_80 is another major, 100f/120a too), and
# compute_120 PTX cannot JIT down: all 8 entries
assert sum(1 for f in d["findings"] if f["kind"] == "prunable-gpu-code") == 8
PY
echo ok

# slim report on a bare .fatbin (nvcc -fatbin): detected from its container
# header, its entries owned by the file's node; compute_90 PTX cannot JIT
# down to sm_80, the sm_80 cubin serves it
expect_rc 0 "$SLIM" report --json --arch sm_80 "$S/kern.fatbin" > f.json
python3 - f.json <<'PY' || die "report JSON for kern.fatbin"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["inputs"][0]["kind"] == "fatbin", d["inputs"]
gpu = sorted((n["attrs"]["kind"], n["attrs"]["arch"]) for n in d["nodes"] if n["kind"] == "gpu")
assert gpu == [("cubin", "sm_80"), ("ptx", "sm_90")], gpu
pr = [f["node"] for f in d["findings"] if f["kind"] == "prunable-gpu-code"]
assert pr == ["gpu:kern.fatbin:sm_90:2"], pr
PY
echo ok

# .nvFatBinSegment wrappers (what __cudaRegisterFatBinary is given) are
# followed to their containers.  Ground truth: readelf's section size / 24
# is the number of wrappers; each must land on a container slim listed.
for f in "$S"/libk.so "$S"/libdup.so "$S"/exe_rdc "$S"/dev_rdc.o; do
	want=$(readelf -S -W "$f" | sed -n 's/.*\.nvFatBinSegment *PROGBITS *[0-9a-f]* [0-9a-f]* \([0-9a-f]*\).*/\1/p')
	want=$(( 0x$want / 24 ))
	"$SLIM" fatbin "$f" > out.txt || die "slim fatbin $f"
	grep -q "\.nvFatBinSegment wrappers: $want (each at a listed container)" out.txt ||
		die "$f: want $want wrappers, each at a listed container: $(grep containers out.txt)"
done
# lld leaves a PIE's wrapper address field 0 and puts the address in a
# R_X86_64_RELATIVE relocation (GNU ld writes it in place too): both
# links of the -rdc object must land on the listed container
need ld.lld lld
for l in lld bfd; do
	if [ $l = lld ]; then linker=ld.lld; else linker=ld; fi
	$linker -pie --unresolved-symbols=ignore-all -e 0 -o pie-$l "$S/dev_rdc.o" || die "$linker -pie"
	"$SLIM" fatbin pie-$l > out.txt || die "slim fatbin pie-$l"
	grep -q "wrappers: 1 (each at a listed container)" out.txt || die "pie-$l: $(cat out.txt)"
done
off=$(readelf -S -W pie-lld | sed -n 's/.*\.nvFatBinSegment *PROGBITS *[0-9a-f]* \([0-9a-f]*\).*/\1/p')
[ "$(od -An -tx8 -j $((0x$off + 8)) -N8 pie-lld | tr -d ' ')" = 0000000000000000 ] ||
	die "lld wrote the address in place: the relocation path went untested"

# the registered container moved to a section nvcc does not use: --no-scan
# (nvcc's sections only) still reaches it through its wrapper
objcopy --rename-section .nv_fatbin=.myfat "$S/libk.so" moved.so
expect_rc 0 "$SLIM" fatbin --no-scan moved.so > out.txt
grep -q "containers: 1; .myfat: 1; .nvFatBinSegment wrappers: 1 (0 at listed containers, 1 at containers found through them, 0 bad)" out.txt ||
	die "moved.so: $(cat out.txt)"
# a wrapper pointing inside a container, or at no section: one line each
off=$(readelf -S -W "$S/libk.so" | sed -n 's/.*\.nvFatBinSegment *PROGBITS *[0-9a-f]* \([0-9a-f]*\).*/\1/p')
python3 - "$S/libk.so" $((0x$off + 8)) <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read()); at = int(sys.argv[2])
v = struct.unpack_from('<Q', b, at)[0]
struct.pack_into('<Q', b, at, v + 0x40); open('inside.so', 'wb').write(b)
struct.pack_into('<Q', b, at, 0x999999); open('nowhere.so', 'wb').write(b)
PY
expect_rc 2 "$SLIM" fatbin inside.so > /dev/null 2> err; one_line err
grep -q "^slim: inside.so: offset 0x[0-9a-f]*: .nvFatBinSegment wrapper 0 points at .nv_fatbin+0x[0-9a-f]*, where no fatbin container validates" err || die "inside.so: $(cat err)"
expect_rc 2 "$SLIM" fatbin nowhere.so > /dev/null 2> err; one_line err
grep -q "^slim: nowhere.so: offset $(printf 0x%x $((0x$off))): .nvFatBinSegment wrapper 0: its fatbin address 0x999999 is in no section" err || die "nowhere.so: $(cat err)"
echo ok

# an object whose only container is broken: its wrapper has nothing to land
# on; one error line (the container's), not a second one for the wrapper
python3 - "$S/dev_rdc.o" <<'PY'
import sys
b = bytearray(open(sys.argv[1], 'rb').read())
i = b.find(bytes.fromhex('50ed55ba'))
b[i] = 0x51
open('broken.o', 'wb').write(b)
PY
expect_rc 2 "$SLIM" fatbin broken.o > out.txt 2> err; one_line err
grep -q "wrong fatbin magic 0xba55ed51" err || die "broken.o: $(cat err)"
grep -q "wrappers: 1 (0 at listed containers, 0 at containers found through them, 1 bad)" out.txt || die "broken.o: $(cat out.txt)"
echo ok
