# The graph outputs on GPU code (the fatbin analyzer's nodes): a CUDA
# sample executable built by samples/build-fatbin.sh, analyzed with
# --arch sm_90.  --collapse folds the fat binary entries into one node per
# (file, arch) with their bytes summed; the SVG colors exactly the nodes
# with a prunable finding; the HTML treemap shows the executable's GPU
# entries grouped by arch; why-paths reach an entry through `contains`.
# Expected values come from the report's own nodes and findings (Python).
source "$ROOT/tests/cli/lib.sh"
source "$ROOT/tests/cli/graph-lib.sh"
need python3 python3; need xmllint libxml2-utils
exe=$ROOT/samples/out/fatbin/exe_size
[ -f "$exe" ] || die "missing $exe: run samples/build.sh (make test does)"
$SLIM report --json --arch sm_90 "$exe" -o r.json || die "report"

expect_rc 0 $SLIM graph r.json --collapse -o c.json
python3 - <<'PY' || die "GPU entries not folded into their archs"
import json, collections
src, got = json.load(open("r.json")), json.load(open("c.json"))
want = collections.Counter()
for n in src["nodes"]:
    if n["kind"] == "gpu":
        want["gpu:" + ":".join(n["id"].split(":")[1:3])] += n.get("size", 0)
assert len(want) >= 3, want
have = {n["id"]: n for n in got["nodes"] if n["kind"] == "gpu-arch"}
assert set(have) == set(want), (sorted(have), sorted(want))
for k, v in want.items():
    assert have[k]["size"] == v, (k, have[k]["size"], v)
assert not any(n["kind"] == "gpu" for n in got["nodes"])
PY

expect_rc 0 $SLIM graph r.json -o r.svg
xmllint --noout r.svg || die "svg"
# prunable per docs/graph-outputs.md: prunable-*, redundant-ptx,
# duplicate-gpu-code, cold-module
want=$(python3 -c 'import json; print(len({f["node"] for f in json.load(open("r.json"))["findings"] if f["kind"].startswith("prunable") or f["kind"] in ("redundant-ptx", "duplicate-gpu-code", "cold-module")}))')
[ "$want" -ge 1 ] || die "the sample should have prunable GPU code for sm_90"
[ "$(grep -c 'class="node prunable' r.svg)" = "$want" ] || die "prunable nodes colored: want $want"
unused=$(python3 -c 'import json; print(len({f["node"] for f in json.load(open("r.json"))["findings"] if f["kind"] == "unused-library"}))')
[ "$(grep -c 'class="node unused' r.svg)" = "$unused" ] || die "unused nodes colored: want $unused"

expect_rc 0 $SLIM graph r.json -o r.html
python3 - <<'PY' || die "treemap lacks the GPU arch groups"
import json, re
t = json.loads(re.search(r"id=\"slim-data\">(.*?)</script>", open("r.html").read(), re.S).group(1))["treemap"]
src = json.load(open("r.json"))
archs = {":".join(n["id"].split(":")[1:3]) for n in src["nodes"] if n["kind"] == "gpu"}
names, stack = set(), [t]
while stack:
    n = stack.pop(); names.add(n["name"]); stack.extend(n.get("children", []))
assert archs <= names, archs - names
PY

gpu=$(python3 -c 'import json; print(sorted(n["id"] for n in json.load(open("r.json"))["nodes"] if n["kind"] == "gpu")[0])')
$SLIM why r.json "$gpu" > why.txt || die "why $gpu"
grep -q -- "-> $gpu  \[contains" why.txt || { cat why.txt; die "why-path to a GPU entry"; }
true
