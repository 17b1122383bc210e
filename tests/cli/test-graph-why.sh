# slim why on a real executable's closure: every path slim prints must be a
# chain of DT_NEEDED entries as `readelf -d` lists them, start at the
# executable, and be as short as the BFS over `ldd`'s closure says.  The
# input report is built by tests/cli/graph-ldd-report.py from ldd + readelf,
# not by slim.  Then the error paths: unknown node (with suggestions),
# ambiguous name, wrong schema, truncated JSON, dangling edge.
source "$ROOT/tests/cli/lib.sh"
source "$ROOT/tests/cli/graph-lib.sh"
need ldd libc-bin; need readelf binutils; need python3 python3
exe=/usr/bin/curl
[ -x $exe ] || die "this test needs $exe: apt-get install curl"
python3 "$ROOT/tests/cli/graph-ldd-report.py" $exe > curl.json || die "cannot build the reference report"

# every library ldd lists must have a why-path checked against readelf
python3 - "$SLIM" "$exe" curl.json <<'PY' || die "why-paths disagree with readelf/ldd"
import json, re, subprocess, sys
slim, exe, rep = sys.argv[1:]
doc = json.load(open(rep))
path = {n["id"]: n["attrs"]["path"] for n in doc["nodes"]}
def needed(p):
    out = subprocess.run(["readelf", "-dW", p], capture_output=True, text=True).stdout
    return set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out))
# reference distances: BFS over readelf's DT_NEEDED, independent of slim
dist, cnt, q = {"exe:curl": 0}, {"exe:curl": 1}, ["exe:curl"]
while q:
    u = q.pop(0)
    for n in sorted(needed(path[u])):
        v = "lib:" + n
        if v in path and v not in dist:
            dist[v] = dist[u] + 1; cnt[v] = 0; q.append(v)
        if v in path and dist[v] == dist[u] + 1:
            cnt[v] += cnt[u]
ldd = re.findall(r"^\s*(\S+) => /", subprocess.run(["ldd", exe], capture_output=True, text=True).stdout, re.M)
assert len(ldd) >= 10, "curl should load many libraries"
checked = 0
for so in ldd:
    out = subprocess.run([slim, "why", "--json", "--max", "50", rep, so], capture_output=True, text=True)
    assert out.returncode == 0, (so, out.stderr)
    w = json.loads(out.stdout)
    assert w["node"] == "lib:" + so and w["reachable"], w
    assert w["length"] == dist["lib:" + so], (so, w["length"], dist["lib:" + so])
    assert w["total_paths"] == cnt["lib:" + so], (so, w["total_paths"], cnt["lib:" + so])
    assert w["shown_paths"] == min(w["total_paths"], 50) >= 1, w
    seen = set()
    for p in w["paths"]:
        ids = [s["node"] for s in p]
        assert ids[0] == "exe:curl" and ids[-1] == "lib:" + so, ids
        assert len(ids) - 1 == w["length"]
        for a, b in zip(ids, ids[1:]):
            assert b[4:] in needed(path[a]), "%s does not need %s" % (a, b)
        assert tuple(ids) not in seen, "path listed twice"
        seen.add(tuple(ids))
    checked += 1
print("checked", checked, "libraries")
PY

# text form: the header counts paths and each step shows its evidence
$SLIM why curl.json libcurl.so.4 > out.txt || die "why failed"
grep -q '^lib:libcurl.so.4: 1 shortest path of length 1$' out.txt || { cat out.txt; die "header"; }
grep -q 'needs: DT_NEEDED (readelf -d)' out.txt || die "evidence missing"

# --max bounds the list and counts the rest
n=$($SLIM why --json curl.json libffi.so.8 | python3 -c 'import json,sys; print(json.load(sys.stdin)["total_paths"])')
if [ "$n" -gt 1 ]; then
	$SLIM why --max 1 curl.json libffi.so.8 > max.txt
	grep -q "and $((n - 1)) more shortest path" max.txt || { cat max.txt; die "--max did not count the rest"; }
fi

# unknown node: exit 2, one line, near matches suggested
expect_rc 2 err_to err.txt $SLIM why curl.json libcurl.so.5
one_line err.txt
grep -q "no node 'libcurl.so.5' (did you mean: .*lib:libcurl.so.4" err.txt || { cat err.txt; die "no suggestion"; }

# a name two nodes share is ambiguous
cat > amb.json <<'J'
{"schema":"slim-report/1","nodes":[{"id":"lib:x","kind":"lib","name":"x"},{"id":"py:x","kind":"module","name":"x"}],"edges":[]}
J
expect_rc 2 err_to err.txt $SLIM why amb.json x
one_line err.txt; grep -q "ambiguous: lib:x, py:x" err.txt || die "ambiguity not reported"

# bad input
sed 's#slim-report/1#slim-report/2#' curl.json > v2.json
expect_rc 2 err_to err.txt $SLIM why v2.json libcurl.so.4
one_line err.txt; grep -q "schema 'slim-report/2' is not slim-report/1" err.txt || die "schema"
head -c 3000 curl.json > trunc.json
expect_rc 2 err_to err.txt $SLIM why trunc.json libcurl.so.4
one_line err.txt; grep -q "trunc.json: line [0-9]*: .*invalid JSON" err.txt || { cat err.txt; die "truncated"; }
python3 -c '
import json; d = json.load(open("curl.json"))
d["edges"].append({"from": "exe:curl", "to": "lib:nowhere.so", "kind": "needs"})
json.dump(d, open("dangling.json", "w"))'
expect_rc 2 err_to err.txt $SLIM why dangling.json libcurl.so.4
one_line err.txt; grep -q "unknown node 'lib:nowhere.so'" err.txt || die "dangling edge"
expect_rc 2 quiet $SLIM why curl.json
expect_rc 0 $SLIM why --help > /dev/null
true
