# slim graph reads at a glance (issue 18), checked by parsing the SVG with
# python3's xml.etree against ground truth slim did not compute:
#   - /usr/bin/curl: one edge per dependency: with --no-fold the drawn
#     edges are exactly the DT_NEEDED pairs of the closure ldd loads
#     (readelf -d per object, tests/cli/graph-ldd-report.py), folded the
#     edges drawn are <= 1.2x those pairs; the root is the topmost node
#     (SVG coordinates) and every node's rank is its BFS distance from it;
#     the legend lists exactly the node classes and edge states drawn;
#   - --labels: the number on curl -> libcurl is the number of distinct
#     symbols ld.so binds there (LD_DEBUG=bindings, LD_BIND_NOW=1);
#   - states: a program linked --no-as-needed against libcurl and libm it
#     never calls: the edges ldd -u calls unused are drawn unused, the
#     edges out of what only they reach are drawn via-unused, the rest used;
#   - --baseline: a library added between two builds (zlib, called only by
#     the new one) is drawn as new, unfolded, with its edge from the
#     program; the legend says what "new" is;
#   - the HTML report's graph in headless Chromium: #node=ID clicks the
#     node (the click listener itself): its findings are listed and its
#     why-path is a shortest DT_NEEDED path (readelf) from the program;
#     #zoom=2 halves the viewBox;
#   - --reduce: every edge left out is implied by a path of drawn edges of
#     the same state, and every edge kept is not.
source "$ROOT/tests/cli/lib.sh"
source "$ROOT/tests/cli/graph-lib.sh"
need python3 python3; need ldd libc-bin; need readelf binutils; need gcc gcc
python3 "$ROOT/tests/cli/graph-ldd-report.py" /usr/bin/curl > ref.json || die "reference report"

# svg.py SVG: nodes (id, classes, top y of its text), edges (from, to,
# classes, label) as JSON, legend entries apart
cat > svg.py <<'PY'
import json, re, sys, xml.etree.ElementTree as ET
ns = {"s": "http://www.w3.org/2000/svg"}
root = ET.parse(sys.argv[1]).getroot()
out = {"nodes": {}, "edges": [], "legend_nodes": [], "legend_edges": [], "title": ""}
for g in root.iter("{http://www.w3.org/2000/svg}g"):
    cls = (g.get("class") or "").split()
    t = g.find("s:title", ns)
    name = t.text if t is not None else ""
    texts = g.findall(".//s:text", ns)     # inside the tooltip's <a> too
    if cls[:1] == ["graph"]:
        out["title"] = " ".join(x.text or "" for x in g.findall("s:text", ns))
    elif cls[:1] == ["node"]:
        if "legend" in cls:
            out["legend_nodes"].append(cls[2:])
        else:
            ys = [float(x.get("y")) for x in texts]
            out["nodes"][name] = {"cls": cls[1:], "y": min(ys) if ys else 0}
    elif cls[:1] == ["edge"]:
        a, b = name.split("->")
        lab = [x.text for x in texts]
        if "legend" in cls:
            out["legend_edges"].append(cls[2:])
        else:
            out["edges"].append({"from": a, "to": b, "cls": cls[1:], "label": lab})
json.dump(out, sys.stdout)
PY
readsvg() { python3 svg.py "$1" > "$2" || die "cannot parse $1"; }

# 1. curl, every library drawn: exactly the DT_NEEDED pairs, each once
expect_rc 0 $SLIM graph /usr/bin/curl --no-fold -o all.svg
readsvg all.svg all.json
python3 - <<'PY' || die "curl --no-fold: drawn edges are not the DT_NEEDED pairs"
import json
ref, got = json.load(open("ref.json")), json.load(open("all.json"))
pairs = {(e["from"], e["to"]) for e in ref["edges"] if e["kind"] == "needs"}
drawn = [(e["from"], e["to"]) for e in got["edges"]]
assert len(drawn) == len(set(drawn)), "an edge drawn twice"
assert set(drawn) == pairs, sorted(set(drawn) ^ pairs)
assert set(got["nodes"]) == {n["id"] for n in ref["nodes"]}
print(f"curl --no-fold: {len(drawn)} edges drawn = {len(pairs)} DT_NEEDED pairs")
PY

# 2. curl, default: folded, edges <= 1.2x pairs, root on top, ranks by
#    distance, legend exact
expect_rc 0 $SLIM graph /usr/bin/curl --labels -o curl.svg
xmllint --noout curl.svg 2>/dev/null || python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse("curl.svg")' || die "curl.svg not XML"
readsvg curl.svg curl.json
python3 - <<'PY' || die "curl: the default drawing"
import json
from collections import deque
ref, got = json.load(open("ref.json")), json.load(open("curl.json"))
pairs = {(e["from"], e["to"]) for e in ref["edges"] if e["kind"] == "needs"}
n = got["nodes"]
assert len(got["edges"]) <= 1.2 * len(pairs), (len(got["edges"]), len(pairs))
# root on top: strictly above every other node
ry = n["exe:curl"]["y"]
assert all(v["y"] > ry for k, v in n.items() if k != "exe:curl"), "root not topmost"
# ranks: nodes at the same BFS distance (over the DT_NEEDED pairs) share a y
adj = {}
for a, b in pairs:
    adj.setdefault(a, []).append(b)
dist, q = {"exe:curl": 0}, deque(["exe:curl"])
while q:
    u = q.popleft()
    for v in adj.get(u, []):
        if v not in dist:
            dist[v] = dist[u] + 1; q.append(v)
levels = {}
for k, v in n.items():
    if k in dist:
        levels.setdefault(dist[k], set()).add(round(n[k]["y"]))
ys = [levels[d] for d in sorted(levels)]
for d, y in zip(sorted(levels), ys):
    # a rank's first text line: one y per rank (multi-line labels aside)
    assert min(y) > max(ys[d - 1]) if d else True, ("rank order", d, y)
# folding: libc and ld-linux in the system node, not drawn on their own
assert "system" in n and "lib:libc.so.6" not in n and "lib:ld-linux-x86-64.so.2" not in n
# legend lists exactly what is drawn
ncls = {c for v in n.values() for c in v["cls"] if c in ("kept", "unused", "prunable", "new", "highlight", "system")}
if "system" in n:
    ncls.add("system")
lnodes = {c[0] for c in got["legend_nodes"] if not c[0].startswith("edge-")}
assert ncls == lnodes, (ncls, lnodes)
ecls = {c for e in got["edges"] for c in e["cls"]}
lcls = {c[0] for c in got["legend_edges"]}
assert ecls == lcls, (ecls, lcls)
assert "/usr/bin/curl" in got["title"] and "33 nodes" in got["title"], got["title"]
print(f"curl: {len(got['edges'])} edges drawn for {len(pairs)} pairs; root y {ry}; "
      f"legend {sorted(lnodes)} {sorted(lcls)}")
PY
# --labels: curl -> libcurl carries the symbols ld.so binds there
want=$(LD_BIND_NOW=1 LD_DEBUG=bindings /usr/bin/curl --version 2>&1 >/dev/null |
	grep -E 'binding file /usr/bin/curl \[0\] to [^ ]*/libcurl\.so\.4 ' |
	sed "s/.*symbol \`\([^']*\)'.*/\1/" | sort -u | wc -l)
[ "$want" -gt 0 ] || die "LD_DEBUG=bindings saw no symbol of libcurl"
got=$(python3 -c 'import json; print([e["label"] for e in json.load(open("curl.json"))["edges"] if e["from"]=="exe:curl" and e["to"]=="lib:libcurl.so.4"][0][0])')
[ "$got" = "$want" ] || die "--labels: curl -> libcurl says $got symbols, ld.so binds $want"

# 3. states, against ldd -u: libcurl and libm linked in, never called
cat > main.c <<'C'
#include <stdio.h>
int main(void) { puts("hi"); return 0; }
C
gcc -o app main.c -Wl,--no-as-needed /usr/lib/x86_64-linux-gnu/libcurl.so.4 -lm || die "gcc"
./app > /dev/null || die "app does not run"
ldd -u -r ./app > unused.txt 2>&1
grep -q libcurl unused.txt && grep -q libm unused.txt || die "ldd -u does not call libcurl and libm unused: $(cat unused.txt)"
expect_rc 0 $SLIM graph ./app --no-fold -o app.svg
readsvg app.svg app.json
for f in ./app $(ldd ./app | awk '/=>/ {print $3}') $(ldd ./app | awk '/ld-linux/ {print $1}'); do
	echo "$f $(readelf -dW "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
done > needed.txt
python3 - <<'PY' || die "app: edge states against ldd -u"
import json, os, re
from collections import deque
got = json.load(open("app.json"))
unused = {os.path.basename(l.split()[0]) for l in open("unused.txt") if l.strip().startswith("/")}
needed = {}
for line in open("needed.txt"):
    f, *deps = line.split()
    name = "exe:app" if f == "./app" else "lib:" + os.path.basename(f)
    needed[name] = ["lib:" + d for d in deps]
dead = {("exe:app", "lib:" + u) for u in unused}
live, q = {"exe:app"}, deque(["exe:app"])
while q:
    u = q.popleft()
    for v in needed.get(u, []):
        if (u, v) not in dead and v not in live:
            live.add(v); q.append(v)
seen = set()
for e in got["edges"]:
    want = "unused" if (e["from"], e["to"]) in dead else "used" if e["from"] in live else "via-unused"
    assert want in e["cls"], (e, want)
    seen.add(want)
assert seen == {"used", "unused", "via-unused"}, seen
for u in unused:
    c = got["nodes"]["lib:" + u]["cls"]
    assert "unused" in c, (u, c)
lcls = {c[0] for c in got["legend_edges"]}
assert lcls == seen, (lcls, seen)
print(f"app: {len(got['edges'])} edges, states {sorted(seen)} as ldd -u and readelf give them")
PY

# 3b. the HTML report's graph panel: click, why-path, zoom
need chromium chromium
expect_rc 0 quiet $SLIM report ./app --html app.html > /dev/null
for n in lib:libm.so.6 lib:libffi.so.8; do
	ud=$(mktemp -d)
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$ud" --enable-logging=stderr --v=0 --window-size=1400,1000 \
		--dump-dom "file://$PWD/app.html#node=$n&zoom=2" > dom.html 2> chrome.log ||
		die "chromium failed: $(tail -3 chrome.log)"
	rm -rf "$ud"
	if grep ':CONSOLE' chrome.log; then die "console messages in the report"; fi
	python3 - "$n" <<'PY' || die "HTML graph: $n"
import html, json, os, re, sys
from collections import deque
n = sys.argv[1]
dom = open("dom.html").read()
sel = re.search(r'<div id="gsel">(.*?)</div><div id="graph"', dom, re.S).group(1)
assert f"<b>{n}</b>" in sel, sel[:200]
unused = {os.path.basename(l.split()[0]) for l in open("unused.txt") if l.strip().startswith("/")}
if n[4:] in unused:
    assert "unused-library (proven" in sel, sel[:300]
path = html.unescape(re.search(r'<div class="why">why: (.*?)</div>', sel).group(1)).split(" -> ")
needed = {}
for line in open("needed.txt"):
    f, *deps = line.split()
    needed["exe:app" if f == "./app" else "lib:" + os.path.basename(f)] = ["lib:" + d for d in deps]
dist, q = {"exe:app": 0}, deque(["exe:app"])
while q:
    u = q.popleft()
    for v in needed.get(u, []):
        if v not in dist: dist[v] = dist[u] + 1; q.append(v)
assert path[0] == "exe:app" and path[-1] == n, path
assert all(b in needed[a] for a, b in zip(path, path[1:])), ("not DT_NEEDED steps", path)
assert len(path) == dist[n] + 1, ("not shortest", path, dist[n])
vb0 = [float(x) for x in re.search(r'viewBox="([^"]*)"', open("app.html").read()).group(1).split()]
vb1 = [float(x) for x in re.search(r'viewBox="([^"]*)"', dom).group(1).split()]
assert abs(vb1[2] - vb0[2] / 2) < 0.01 and abs(vb1[3] - vb0[3] / 2) < 0.01, (vb0, vb1)
print(f"html: {n} clicked: why {' -> '.join(path)}; zoom 2: viewBox {vb1[2]:.0f}x{vb1[3]:.0f}")
PY
done

# 4. --baseline: the second build calls zlib; libz.so.1 is new
cat > z.c <<'C'
extern unsigned long zlibCompileFlags(void);
int main(void) { return (int)(zlibCompileFlags() & 0); }
C
gcc -o old main.c || die "gcc old"
gcc -o new z.c /usr/lib/x86_64-linux-gnu/libz.so.1 || die "gcc new"
ldd ./new | grep -q 'libz.so.1 =>' || die "ldd: new does not load libz"
expect_rc 0 $SLIM graph ./old -o old.json
expect_rc 0 $SLIM graph ./new --baseline old.json -o new.svg
readsvg new.svg new.json
python3 - <<'PY' || die "--baseline: libz not drawn as new"
import json
got = json.load(open("new.json"))
n = got["nodes"]
assert "new" in n["lib:libz.so.1"]["cls"], n["lib:libz.so.1"]
assert not any("new" in v["cls"] for k, v in n.items() if k not in ("lib:libz.so.1", "exe:new")), n
assert any(e["from"] == "exe:new" and e["to"] == "lib:libz.so.1" for e in got["edges"])
assert ["new"] in got["legend_nodes"], got["legend_nodes"]
PY

# 5. --reduce: dropped edges implied by a same-state path, kept ones not
expect_rc 0 $SLIM graph /usr/bin/curl --no-fold --reduce -o red.svg
readsvg red.svg red.json
python3 - <<'PY' || die "--reduce"
import json
full, red = json.load(open("all.json")), json.load(open("red.json"))
def st(e): return [c for c in e["cls"] if c in ("used", "unused", "via-unused")][0]
kept = {(e["from"], e["to"]): st(e) for e in red["edges"]}
allp = {(e["from"], e["to"]): st(e) for e in full["edges"]}
assert set(kept) <= set(allp)
def path(a, b, s, skip):
    seen, stack = {a}, [a]
    while stack:
        u = stack.pop()
        for (x, y), t in kept.items():
            if x == u and t == s and (x, y) != skip:
                if y == b: return True
                if y not in seen: seen.add(y); stack.append(y)
    return False
dropped = set(allp) - set(kept)
assert dropped, "curl's closure has implied edges; none dropped"
for p in dropped:
    assert path(p[0], p[1], allp[p], None), ("dropped, not implied", p)
for p in kept:
    assert not path(p[0], p[1], kept[p], p), ("kept, implied", p)
assert "--reduce" in red["title"]
print(f"--reduce: {len(allp)} -> {len(kept)} edges")
PY
true
