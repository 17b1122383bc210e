# The text of slim report never contradicts itself or the JSON: on real
# inputs (system programs and a library given with the program that loads
# it, linker-map reports with --map, the nvcc samples with --arch, a Python
# trace over the system's module trees) every heading's removable bytes add
# up to the total line, which is JSON's totals.removable_bytes; each kind's
# heading says that kind's proven bytes from JSON's proven_bytes_by_kind
# (discarded sections apart: proven, but already not in the output, so
# never "removable"; and the GPU code of a library that is itself unused,
# built here, apart: it goes with the library, whose bytes hold it, so it
# is not counted twice); every finding is listed exactly once; and a GPU
# entry or section is "in" its file, never "needed by" it.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
need gdb gdb
need cc build-essential
F=$ROOT/samples/out/fatbin L=$ROOT/samples/out/linkmap E=$ROOT/samples/out/elf
P=$ROOT/samples/out/pydeps
for f in "$F/exe_none" "$L/cref-bfd.map" "$L/prog-lld.map" "$E/unused/main" "$P/highlight.importtime"; do
	[ -e "$f" ] || die "missing $f: run samples/build.sh (make test does)"
done
lib=/usr/lib/x86_64-linux-gnu
# a program that lists libk.so (GPU code) and uses nothing of it
echo 'int main(void) { return 0; }' > usek.c
# --allow-shlib-undefined: libk.so needs libcudart.so.13, absent where CUDA is
cc -o usek usek.c -Wl,--no-as-needed "$F/libk.so" -Wl,-rpath,"$F" -Wl,--allow-shlib-undefined || die "cannot link usek"
cases=(
	"/usr/bin/curl"
	"/usr/bin/gdb $lib/libipt.so.2"
	"$lib/libipt.so.2 /usr/bin/gdb"
	"/usr/bin/python3.11 $E/unused/main"
	"$L/cref-bfd --map $L/cref-bfd.map"
	"$L/prog-lld --map $L/prog-lld.map"
	"$L/prog-gold --map $L/prog-gold.map"
	"--arch sm_80 $F/exe_none $F/libdev.a $F/kern.fatbin $F/lto_size.o $F/libk.so"
	"--arch sm_90 $F/exe_size $F/libdev.a $F/libdup.so"
	"--py-trace $P/highlight.importtime --py-root /usr/lib/python3.11 --py-root /usr/lib/python3/dist-packages"
	"--arch sm_90 $PWD/usek"
)
n=0
for c in "${cases[@]}"; do
	n=$((n + 1))
	expect_rc 0 "$SLIM" report --bytes --top 1000000 $c > t$n.txt 2> /dev/null
	expect_rc 0 "$SLIM" report --json $c > j$n.json 2> /dev/null
	python3 - t$n.txt j$n.json "$c" <<'PY' || die "case $n ($c): text and JSON disagree"
import collections, json, re, sys
txt, d, case = open(sys.argv[1]).read(), json.load(open(sys.argv[2])), sys.argv[3]
tot = d["totals"]
pb = tot["proven_bytes_by_kind"]
elf_kinds = ("unused-library", "unneeded-transitive")
tail = r"(?:; (\d+) B already not in the output[^;\n]*)?(?:; (\d+) B inside files removed whole[^;\n]*)?$"
blocks = [tuple(int(x or 0) for x in m) for m in re.findall(r"^  removable \(proven\): \d+ libraries, (\d+) B" + tail, txt, re.M)]
block = [b[0] for b in blocks]
block_n = [int(x) for x in re.findall(r"^  (?:unused direct dependencies|unused dependencies of libraries in the closure|unneeded transitive libraries)[^\n]*: (\d+)$", txt, re.M)]
heads = {}
for k, cnt, rem, gone, inside in re.findall(r"^([a-z-]+): (\d+) findings, (\d+) B proven removable" + tail, txt, re.M):
    assert k not in heads, "two headings for " + k
    heads[k] = (int(cnt), int(rem), int(gone or 0), int(inside or 0))
m = re.search(r"^total: (\d+) nodes, (\d+) edges, (\d+) findings; (\d+) B removable \(proven findings only\)$", txt, re.M)
assert m, "no total line"
total = int(m.group(4))
said = sum(block) + sum(h[1] for h in heads.values())
assert said == total, "headings say %d B, the total %d B" % (said, total)
assert total == tot["removable_bytes"], "text total %d, JSON %d" % (total, tot["removable_bytes"])
assert int(m.group(3)) == tot["findings"] == len(d["findings"])
# each finding under one heading
assert sum(block_n) + sum(h[0] for h in heads.values()) == len(d["findings"]), "findings listed %d times, JSON has %d" % (sum(block_n) + sum(h[0] for h in heads.values()), len(d["findings"]))
rows = re.findall(r"^    \S.*  (proven|likely|unknown)(?:  .*)?\n      fix: ", txt, re.M)
assert len(rows) == len(d["findings"]), "%d finding rows, %d findings" % (len(rows), len(d["findings"]))
# per kind, against JSON
# what is counted apart is a file's content whose file is counted whole
kind = {n["id"]: n["kind"] for n in d["nodes"]}
gone_nodes = {f["node"] for f in d["findings"] if f["confidence"] == "proven" and f["bytes"] and f["kind"] != "discarded-section"}
parent = {e["to"]: e["from"] for e in d["edges"] if e["kind"] == "contains"}
want_inside = collections.Counter()
for f in d["findings"]:
    if f["confidence"] == "proven" and f["kind"] != "discarded-section" and parent.get(f["node"]) in gone_nodes:
        want_inside[f["kind"]] += f["bytes"]
for k, (cnt, rem, gone, inside) in heads.items():
    assert cnt == tot["findings_by_kind"][k] or k in elf_kinds, (k, cnt)
    if k == "discarded-section":
        assert rem == 0 and gone == pb.get(k, 0) and not inside, (k, rem, gone, pb.get(k))
    elif k not in elf_kinds:
        assert rem + inside == pb.get(k, 0) and gone == 0, (k, rem, inside, pb.get(k))
        assert inside == want_inside[k], (k, inside, want_inside[k])
elf = sum(b[0] + b[2] for b in blocks) + sum(heads.get(k, (0, 0, 0, 0))[1] + heads.get(k, (0, 0, 0, 0))[3] for k in elf_kinds)
assert elf == sum(pb.get(k, 0) for k in elf_kinds), ("ELF", elf, [pb.get(k) for k in elf_kinds])
# contained things are "in" their file
for l in re.findall(r"^    (?:sm_\d+[af]? (?:cubin|ptx|ltoir) #\d+|\S+:\.\S+) .*$", txt, re.M):
    assert "needed by" not in l, l
print("%s: %d B in %d headings = total; %d findings" % (case.split()[-1].rsplit("/", 1)[-1], total, len(block) + len(heads), len(d["findings"])))
PY
done
# the cases above must exercise what they claim to: ELF closure findings,
# a discarded-section heading that is not removable, GPU verdicts, modules
grep -q "^discarded-section: .* already not in the output" t5.txt || die "no discarded-section heading in the map case"
grep -q "^prunable-gpu-code: [0-9]* findings, [1-9][0-9]* B proven removable" t8.txt || die "no GPU verdicts with --arch"
grep -q "^prunable-module: " t10.txt || die "no Python findings"
grep -q "^  unused dependencies of libraries in the closure" t2.txt || die "gdb shows no closure findings"
grep -q "^prunable-gpu-code: 2 findings, 0 B proven removable; [1-9][0-9]* B inside files removed whole" t11.txt ||
	die "usek: the GPU code of the unused libk.so is counted twice: $(grep '^prunable' t11.txt)"
echo "$n cases: headings add up to the total, text equals JSON"
