# slim diff: the added/removed nodes and edges, resized nodes and
# new/gone findings of two reports match set arithmetic done here in Python
# on the two JSON documents; output is byte-identical across runs in all
# three formats; a report against itself shows no change.
source "$ROOT/tests/cli/lib.sh"
source "$ROOT/tests/cli/graph-lib.sh"
need python3 python3
python3 "$ROOT/bench/graph-gen.py" 3000 11 > old.json
python3 "$ROOT/bench/graph-gen.py" 3000 11 --mutate > new.json
expect_rc 0 $SLIM diff --json old.json new.json > d.json
python3 - <<'PY' || die "diff disagrees with the reference"
import json
o, n, d = (json.load(open(f)) for f in ("old.json", "new.json", "d.json"))
on = {x["id"]: x for x in o["nodes"]}; nn = {x["id"]: x for x in n["nodes"]}
assert [x["id"] for x in d["nodes_added"]] == sorted(nn.keys() - on.keys())
assert [x["id"] for x in d["nodes_removed"]] == sorted(on.keys() - nn.keys())
rs = sorted(i for i in on.keys() & nn.keys() if on[i].get("size", 0) != nn[i].get("size", 0))
assert [x["id"] for x in d["nodes_resized"]] == rs
assert all(x["delta"] == x["new"] - x["old"] for x in d["nodes_resized"])
ek = lambda doc: {(e["from"], e["to"], e["kind"]) for e in doc["edges"]}
assert [(e["from"], e["to"], e["kind"]) for e in d["edges_added"]] == sorted(ek(n) - ek(o))
assert [(e["from"], e["to"], e["kind"]) for e in d["edges_removed"]] == sorted(ek(o) - ek(n))
fk = lambda doc: {(f["kind"], f["node"], f.get("dependent") or "") for f in doc["findings"]}
assert {(f["kind"], f["node"], f["dependent"] or "") for f in d["findings_new"]} == fk(n) - fk(o)
assert {(f["kind"], f["node"], f["dependent"] or "") for f in d["findings_gone"]} == fk(o) - fk(n)
for k, v in d["by_kind"].items():
    assert v["old_nodes"] == sum(1 for x in o["nodes"] if x["kind"] == k)
    assert v["new_bytes"] == sum(x.get("size", 0) for x in n["nodes"] if x["kind"] == k)
files = ("exe", "lib", "archive", "module", "file")
tb = lambda doc: sum(x.get("size", 0) for x in doc["nodes"] if x["kind"] in files)
assert d["total_bytes"]["old"] == tb(o) and d["total_bytes"]["new"] == tb(n)
assert d["nodes_added"] and d["nodes_removed"] and d["nodes_resized"] and d["findings_gone"]
PY
for f in "" --json --markdown; do
	$SLIM diff $f old.json new.json > a.out; $SLIM diff $f old.json new.json > b.out
	cmp -s a.out b.out || die "diff $f is not deterministic"
done
$SLIM diff --markdown --limit 5 old.json new.json > md.out
grep -q '^| module |' md.out && grep -q '^\.\.\. and [0-9]* more$' md.out || die "markdown"
$SLIM diff old.json old.json > same.out
grep -q 'nodes +0 -0, 0 resized; edges +0 -0; findings +0 -0' same.out || die "self-diff not empty"
expect_rc 0 $SLIM diff -o written.md --markdown old.json new.json
cmp -s written.md <($SLIM diff --markdown old.json new.json) || die "-o"
# errors: one line, exit 2
head -c 5000 new.json > trunc.json
expect_rc 2 err_to err.txt $SLIM diff old.json trunc.json; one_line err.txt
echo '{"schema":"slim-report/9","nodes":[],"edges":[]}' > v9.json
expect_rc 2 err_to err.txt $SLIM diff v9.json old.json; one_line err.txt
grep -q "schema 'slim-report/9'" err.txt || die "schema error"
expect_rc 2 quiet $SLIM diff old.json
true
