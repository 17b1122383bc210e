# slim report: the slim-report/1 JSON contract, determinism, atomic -o,
# exit codes, and the text summary on a sample with known unused libraries.
source "$ROOT/tests/cli/lib.sh"
s=$ROOT/samples/out/elf
# text: the unused libraries of the sample, with the fix
"$SLIM" report "$s/unused/main" > text || die "report failed"
grep -q 'libm.so.6' text && grep -q -- '-lm' text && grep -q -- '--as-needed' text || { cat text; die "text summary lacks the unused libm and its fix"; }
# JSON: byte-identical across runs, schema and finding fields
"$SLIM" report --json "$s/unused/main" /usr/bin/python3 > a.json || die "report --json failed"
"$SLIM" report --json "$s/unused/main" /usr/bin/python3 > b.json
cmp -s a.json b.json || die "two runs differ"
python3 - a.json <<'PY' || exit 1
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "slim-report/1", d["schema"]
assert d["tool"]["name"] == "slim"
ids = [n["id"] for n in d["nodes"]]
assert ids == sorted(ids), "nodes not sorted by id"
assert len(ids) == len(set(ids)), "duplicate node ids"
assert all("/" not in i.split(":", 1)[1] or i.startswith(("obj:", "sec:", "py:")) for i in ids), "absolute path in an id"
keys = [(e["from"], e["to"], e["kind"]) for e in d["edges"]]
assert keys == sorted(keys), "edges not sorted"
idset = set(ids)
assert all(e["from"] in idset and e["to"] in idset for e in d["edges"]), "dangling edge"
for i in d["inputs"]:
    assert len(i["sha256"]) == 64 and i["node"] in idset
f = [f for f in d["findings"] if f["kind"] == "unused-library" and f["node"] == "lib:libm.so.6" and f["dependent"] == "exe:main"]
assert f, "no unused-library finding for libm"
f = f[0]
for k, t in (("bytes", int), ("confidence", str), ("reason", str), ("fix", str)):
    assert isinstance(f[k], t), k
assert f["confidence"] == "proven"
assert "-lm" in f["fix"]
assert d["totals"]["findings_by_kind"]["unused-library"] >= 2
PY
# -o: written atomically; an input error leaves the old file intact, exit 2
"$SLIM" report --json -o out.json "$s/unused/main" 2> err || die "-o failed"
cmp -s out.json <("$SLIM" report --json "$s/unused/main") || die "-o differs from --json"
grep -qx "slim: wrote out.json" err || die "the file written is not named on stderr: $(cat err)"
# -o without --json writes the text, as stdout would show it
"$SLIM" report -o out.txt "$s/unused/main" > none.txt || die "-o (text) failed"
[ -s none.txt ] && die "-o FILE also wrote to stdout"
cmp -s out.txt <("$SLIM" report "$s/unused/main") || die "-o FILE differs from the text on stdout"
# --html/--svg add files: the text report is still printed
"$SLIM" report --html r.html --svg r.svg "$s/unused/main" > txt.txt 2> err || die "--html --svg failed"
cmp -s txt.txt out.txt || die "--html/--svg dropped the text report"
grep -qx "slim: wrote r.html" err && grep -qx "slim: wrote r.svg" err || die "written files not named: $(cat err)"
cp out.json keep.json
echo junk > junk
"$SLIM" report --json -o out.json junk 2> err; [ $? = 2 ] || die "bad input: want exit 2"
cmp -s out.json keep.json || die "a failed run changed the output file"
ls -a | grep -q '^\.out\.json\.' && die "a temporary file was left behind"
# usage errors
"$SLIM" report 2> err; [ $? = 2 ] || die "no args: want 2"
one_line err
grep -qx 'slim report: no input file; see slim report --help' err || die "usage error: $(cat err)"
"$SLIM" report --bogus x 2> /dev/null; [ $? = 2 ] || die "bad option: want 2"
"$SLIM" nosuchcommand 2> /dev/null; [ $? = 2 ] || die "unknown command: want 2"
# --help of every command: usage on stdout, exit 0
for c in report elf linkmap fatbin pydeps graph why diff baseline gate; do
	"$SLIM" $c --help > h 2>&1 || die "slim $c --help: exit $?"
	grep -q "^usage: slim $c" h || { cat h; die "slim $c --help prints no usage"; }
done
# a write error on stdout is an error, not success
if [ -w /dev/full ]; then
	"$SLIM" report --json "$s/unused/main" > /dev/full 2> err; [ $? = 2 ] || die "write to /dev/full: want exit 2"
fi
# commands that analyze their input on the fly (why, diff, baseline, gate,
# graph) print an analysis error once, not once more as "analysis failed"
: > empty.bin
for cmd in "why empty.bin x" "diff empty.bin missing.bin" "baseline empty.bin -o b.json" \
	   "graph empty.bin -o g.svg" "gate --baseline empty.bin $s/unused/main"; do
	expect_rc 2 "$SLIM" $cmd > /dev/null 2> err
	one_line err
done
# two builds that are the same bytes (two empty files) are no difference
# for slim diff, whose byte answer judges builds: exit 0
expect_rc 0 "$SLIM" diff empty.bin empty.bin > same.txt 2> err
grep -q '0 bytes differ' same.txt || die "slim diff of two equal files: $(cat same.txt)"
echo "JSON contract, determinism, atomic -o, exit codes"
