#!/bin/bash
# The trace readers against Python's own answer: run a real workload under
# `-X importtime`, under `-v` and under `slim pydeps record`, each time
# dumping sys.modules at exit (name, spec name, __file__).  Every module
# Python loaded from a file must be in slim's used set, and every name slim
# reads must be in sys.modules or be an import that failed (find_spec finds
# nothing).  Also: `slim report --py-trace/--py-root`, byte-identical JSON
# across runs and thread counts, the recorder's opened files.
source "$ROOT/tests/cli/lib.sh"
PY=/usr/bin/python3
[ -x $PY ] || die "this test needs $PY: apt-get install python3"
$PY -c 'import pygments' 2>/dev/null || die "this test needs pygments: apt-get install python3-pygments"
W=$ROOT/samples/python
ROOTS="--root /usr/lib/python3.11 --root /usr/lib/python3/dist-packages"
ARGS="$W/highlight.py $W/sample.c c"
$PY -X importtime $W/wrap.py it.mods $ARGS 2> it.txt > /dev/null || die "importtime run failed"
$PY -v $W/wrap.py v.mods $ARGS 2> v.txt > /dev/null || die "-v run failed"
"$SLIM" pydeps record -o rec.txt -- $PY $ARGS > /dev/null || die "record failed"
$PY -X importtime $ARGS 2> plain.txt > /dev/null
cat > check.py <<'PYEOF'
import importlib.util, json, sys
rep, mods = json.load(open(sys.argv[1])), sys.argv[2]
used = {e["to"][3:] for e in rep["edges"] if e["kind"] == "loads"}
rows = [l.rstrip("\n").split("\t") for l in open(mods)]
keys = {r[0] for r in rows}
# loaded from a file under its own name; _frozen_importlib(_external) are
# installed by C before any import can be traced
need = {r[0] for r in rows if r[2] and r[1] == r[0] and not r[0].startswith("_frozen_importlib")}
bad = sorted(need - used)
extra = sorted(n for n in used - keys if importlib.util.find_spec(n) is not None)
print(f"{sys.argv[1]}: {len(used)} read, {len(need)} loaded from files; missing {bad}, invented {extra}")
sys.exit(1 if bad or extra else 0)
PYEOF
for t in it v; do
	"$SLIM" pydeps --trace $t.txt $ROOTS --json --no-elf > $t.json 2> $t.err || { cat $t.err; die "$t: slim failed"; }
	$PY check.py $t.json $t.mods || die "$t: trace reader disagrees with sys.modules"
done
# the recorder (no runpy) against -X importtime of the same plain run:
# every module imported from a file is in the recorder's trace
"$SLIM" pydeps --trace rec.txt $ROOTS --json --no-elf > rec.json 2> rec.err || die "rec: slim failed"
$PY - <<'PYEOF' || die "recorder trace misses modules -X importtime saw"
import importlib.util, json
rec = {e["to"][3:] for e in json.load(open("rec.json"))["edges"] if e["kind"] == "loads"}
it = set()
for l in open("plain.txt"):
    if l.startswith("import time:") and "imported package" not in l:
        it.add(l.rsplit("|", 1)[1].strip())
miss = sorted(n for n in it - rec if importlib.util.find_spec(n) is not None)
print(f"rec: {len(rec)} modules, importtime {len(it)}; missing {miss}")
assert not miss
PYEOF
grep -q '"format": "importtime"' it.json && grep -q '"format": "verbose"' v.json &&
	grep -q '"format": "record"' rec.json || die "trace formats not detected"
# importtime nesting: pygments.lexer is first imported by pygments.lexers.c_cpp
# (which get_lexer_by_name loads at depth 0)
$PY -c 'import json,sys; e=[x for x in json.load(open("it.json"))["edges"] if x["kind"]=="loads" and x["to"] in ("py:pygments.lexer", "py:pygments.lexers.c_cpp")]; d={x["to"]:x for x in e}; assert d["py:pygments.lexer"]["from"] == "py:pygments.lexers.c_cpp" and d["py:pygments.lexers.c_cpp"]["from"] == "trace:it.txt" and d["py:pygments.lexer"]["attrs"]["cumulative_us"] >= d["py:pygments.lexer"]["attrs"]["self_us"], e' ||
	die "importtime nesting or times lost"
grep -q "it.txt: offset 0x0: no entry script" it.err || die "no warning about the missing entry script"
grep -q "no entry script" rec.err && die "recorder trace names its script, yet a warning"
# -m MODULE under the recorder: same output, the module's name in the trace
echo '{"b": [1, 2], "a": null}' > in.json
"$SLIM" pydeps record -o m.txt -- $PY -m json.tool --sort-keys in.json > m.out || die "record -m failed"
$PY -m json.tool --sort-keys in.json | cmp -s - m.out || die "record -m changed the output"
grep -q "^module	json.tool	" m.txt || die "record -m: json.tool not in the trace"
# the recorder saw the data file the workload opened
grep -q "^open	$W/sample.c\$" rec.txt || die "recorder missed the opened input file"

# kept extension modules go through the ELF analyzer: each `contains` edge
# leads to the .so, whose `needs` edges are exactly readelf's DT_NEEDED
need readelf binutils
"$SLIM" pydeps --trace it.txt $ROOTS --json > elf.json 2> elf.err || die "pydeps with ELF failed"
$PY - <<'PYEOF' || die "extension modules' libraries disagree with readelf"
import json, subprocess
r = json.load(open("elf.json"))
nodes = {n["id"]: n for n in r["nodes"]}
cont = [e for e in r["edges"] if e["kind"] == "contains" and e["from"].startswith("py:")]
assert len(cont) >= 5, f"only {len(cont)} extension modules analyzed"
for e in cont:
    path = nodes[e["to"]]["attrs"]["path"]
    out = subprocess.run(["readelf", "-d", path], capture_output=True, text=True).stdout
    want = {l.split("[")[1].split("]")[0] for l in out.splitlines() if "(NEEDED)" in l}
    got = {x["to"][4:] for x in r["edges"] if x["kind"] == "needs" and x["from"] == e["to"]}
    assert want == got, (path, want, got)
print(f"{len(cont)} extension modules: needs == readelf DT_NEEDED")
# modules an extension imports from C: every elf-string target is a string
# of the .so as binutils' strings(1) sees it
es = [e for e in r["edges"] if e.get("attrs", {}).get("tag") == "elf-string"]
assert es, "no elf-string references at all"
# _json (when kept: that depends on what the installed packages import)
# imports json.decoder from C
if any(c["from"] == "py:_json" for c in cont):
    assert any(e["from"] == "py:_json" and e["to"] == "py:json.decoder" for e in es), es
for e in es:
    so = [c for c in cont if c["from"] == e["from"]]
    if not so:
        continue
    out = subprocess.run(["strings", "-a", "-n", "2", nodes[so[0]["to"]]["attrs"]["path"]],
                         capture_output=True, text=True).stdout.split("\n")
    assert e["to"][3:] in out, (e, "not a string of the .so")
print(f"{len(es)} elf-string references, all strings(1) of their .so")
# totals: every root counted, and the prunable bytes are the findings' bytes
t = r["totals"]["pydeps"]
paths = sorted(x["path"] for x in t["roots"])
assert paths == ["/usr/lib/python3.11", "/usr/lib/python3.11/lib-dynload",
                 "/usr/lib/python3/dist-packages"], paths
assert all(x["bytes"] > 1000000 for x in t["roots"]), t["roots"]
fb = sum(f["bytes"] for f in r["findings"] if f["kind"] == "prunable-module")
assert fb == t["prunable_bytes"] == sum(x["prunable_bytes"] for x in t["roots"]), (fb, t)
PYEOF

# slim report takes the same inputs
"$SLIM" report --py-trace it.txt --py-root /usr/lib/python3.11 --py-root /usr/lib/python3/dist-packages --json --no-gpu > report.json 2> report.err || { cat report.err; die "slim report failed"; }
grep -q '"kind": "prunable-module"' report.json || die "slim report has no prunable-module finding"

# deterministic: byte-identical across runs and thread counts
"$SLIM" pydeps --trace it.txt $ROOTS --json --threads 1 > j1.json 2>/dev/null
"$SLIM" pydeps --trace it.txt $ROOTS --json --threads 2 > j2.json 2>/dev/null
cmp -s j1.json j2.json || die "JSON differs between --threads 1 and 2"
cmp -s j1.json elf.json || die "JSON differs between runs"
echo "traces: importtime, -v and record agree with sys.modules; JSON deterministic"
