# slim graph: SVG is well-formed XML (xmllint) with exactly one <g
# class="node ..."> per node drawn; --focus keeps exactly the neighbourhood
# and the why-paths the input's edges give (computed here in Python from
# the report);
# --collapse and the automatic collapse above 300 nodes; DOT and JSON
# outputs; byte-identical output across runs.  Legend entries (class
# "legend ...") are not graph nodes and are left out of every count; the
# drawing rules themselves are proven in test-graph-read.sh.
source "$ROOT/tests/cli/lib.sh"
source "$ROOT/tests/cli/graph-lib.sh"
need xmllint libxml2-utils; need ldd libc-bin; need readelf binutils; need python3 python3
python3 "$ROOT/tests/cli/graph-ldd-report.py" /usr/bin/curl > curl.json || die "reference report"
count() { python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["nodes"]))' "$1"; }

# whole closure of curl: every node drawn once
drawn() { grep "<g id=\"$1[0-9]*\" class=\"$1" "$2" | grep -vc 'class="[a-z]* legend'; }
expect_rc 0 $SLIM graph curl.json --no-fold -o curl.svg
xmllint --noout curl.svg || die "curl.svg is not well-formed XML"
[ "$(drawn node curl.svg)" = "$(count curl.json)" ] || die "node elements != nodes"
# the reference has needs edges only: one drawn edge each
[ "$(drawn edge curl.svg)" = \
  "$(python3 -c 'import json; print(len(json.load(open("curl.json"))["edges"]))')" ] || die "edge elements != edges"
grep -q '<title>lib:libcurl.so.4</title>' curl.svg || die "node title"
grep -q 'class="cluster"' curl.svg || die "no clusters"
expect_rc 0 $SLIM graph curl.json --no-fold -o again.svg
cmp -s curl.svg again.svg || die "SVG differs between runs"

# --focus / --depth: exactly the undirected 1-neighbourhood of libgnutls
# and of libffi, plus every node on a shortest path from the root to it
# (its why-paths), both computed here from the reference's edges
for c in libgnutls.so.30 libffi.so.8; do
expect_rc 0 $SLIM graph curl.json --focus $c --depth 1 -o focus.json
python3 - lib:$c <<'PY' || die "--focus $c kept the wrong nodes"
import json, sys
from collections import deque
src, got = json.load(open("curl.json")), json.load(open("focus.json"))
c = sys.argv[1]
want = {c} | {e["to"] for e in src["edges"] if e["from"] == c} | {e["from"] for e in src["edges"] if e["to"] == c}
dist, q = {"exe:curl": 0}, deque(["exe:curl"])
while q:
    u = q.popleft()
    for e in src["edges"]:
        if e["from"] == u and e["to"] not in dist:
            dist[e["to"]] = dist[u] + 1; q.append(e["to"])
back, q = {c}, deque([c])
while q:
    x = q.popleft()
    for e in src["edges"]:
        u = e["from"]
        if e["to"] == x and u in dist and dist[u] + 1 == dist[x] and u not in back:
            back.add(u); q.append(u)
assert "exe:curl" in back and len(back) > 2
want |= back
have = {n["id"] for n in got["nodes"]}
assert have == want, (sorted(have ^ want))
PY
done
expect_rc 0 $SLIM graph curl.json --focus libffi.so.8 --depth 1 --no-fold -o focus.svg
xmllint --noout focus.svg || die "focus.svg"
[ "$(drawn node focus.svg)" = "$(count focus.json)" ] || die "focus node count"

# --highlight: one node marked, the edges of its shortest path drawn thick
expect_rc 0 $SLIM graph curl.json --highlight libffi.so.8 -o hl.svg
[ "$(grep 'class="node [a-z ]*highlight' hl.svg | grep -vc legend)" = 1 ] || die "highlight"
grep -q 'stroke-width="3"' hl.svg || die "highlighted path edges"
# --baseline: nodes absent from it are drawn as new
python3 "$ROOT/tests/cli/graph-ldd-report.py" /usr/bin/ls > ls.json
expect_rc 0 $SLIM graph curl.json --baseline ls.json -o new.svg
new=$(grep 'class="node [a-z ]*new' new.svg | grep -vc legend)
[ "$new" = "$(python3 -c 'import json; a={n["id"] for n in json.load(open("curl.json"))["nodes"]}; b={n["id"] for n in json.load(open("ls.json"))["nodes"]}; print(len(a-b))')" ] || die "new nodes: $new"

# collapse: a synthetic 2000-node report folds automatically and says so
python3 "$ROOT/bench/graph-gen.py" 2000 3 > big.json
expect_rc 0 err_to err.txt $SLIM graph big.json -o big.svg
grep -q 'collapsed to' err.txt || die "auto collapse not announced"
expect_rc 0 quiet $SLIM graph big.json -o big.json.out --format json
xmllint --noout big.svg || die "big.svg"
[ "$(drawn node big.svg)" = "$(count big.json.out)" ] || die "collapsed node count"
[ "$(count big.json.out)" -lt 300 ] || die "collapse left too many nodes"
# groups: every archive member / module / GPU entry lands in its group
python3 - <<'PY' || die "collapse groups"
import json
src, got = json.load(open("big.json")), json.load(open("big.json.out"))
ids = {n["id"]: n for n in got["nodes"]}
pk = {"py:" + n["id"][3:].split(".")[0] for n in src["nodes"] if n["kind"] == "module"}
assert pk <= ids.keys(), "packages missing"
for p in pk:
    members = [n for n in src["nodes"] if n["kind"] == "module" and ("py:" + n["id"][3:].split(".")[0]) == p]
    assert ids[p]["size"] == sum(m["size"] for m in members), p
    assert ids[p]["attrs"]["members"] == len(members), p
ar = {n["id"][4:].split("(")[0] for n in src["nodes"] if n["kind"] == "object"}
assert all("archive:" + a in ids for a in ar)
assert not any(n["kind"] in ("module", "object", "gpu") for n in got["nodes"])
PY
# still too many groups after collapsing: the largest kept, the rest folded
python3 "$ROOT/bench/graph-gen.py" 8000 4 > huge.json
expect_rc 0 err_to err.txt $SLIM graph huge.json -o huge.json.out --format json
grep -q 'the largest kept, the rest folded per kind' err.txt || die "cap not announced"
python3 - <<'PY' || die "capped graph lost bytes or kept too much"
import json
src, got = json.load(open("huge.json")), json.load(open("huge.json.out"))
assert len(got["nodes"]) <= 300 + 1 + 10, len(got["nodes"])
mods = sum(n["size"] for n in src["nodes"] if n["kind"] == "module")
pk = sum(n["size"] for n in got["nodes"] if n["kind"] == "package" or n["id"] == "other:package")
assert mods == pk, (mods, pk)
assert "exe:app" in {n["id"] for n in got["nodes"]}, "the root must stay"
PY
expect_rc 0 $SLIM graph big.json --no-collapse --format dot -o big.dot
[ "$(grep '^[[:space:]]*"[^"]*"[[:space:]]*\[class=' big.dot | grep -vc 'class="legend')" = "$(count big.json)" ] || die "DOT node count"

# errors
expect_rc 2 err_to err.txt $SLIM graph curl.json -o out.png; one_line err.txt
expect_rc 2 err_to err.txt $SLIM graph curl.json --focus nosuch.so -o x.svg; one_line err.txt
grep -q "no node 'nosuch.so'" err.txt || die "focus on unknown node"
[ ! -e x.svg ] || die "output written on error"
echo '{"schema":"slim-report/1","nodes":[{"id":"lib:a","kind":"lib"}],"edges":[{"from":"lib:a","to":"lib:b","kind":"needs"}]}' > dangling.json
expect_rc 2 err_to err.txt $SLIM graph dangling.json -o d.svg; one_line err.txt
true
