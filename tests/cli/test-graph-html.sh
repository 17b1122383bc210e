# The HTML report in headless Chromium: it loads with no console message
# (errors, CSP violations, uncaught exceptions all log as CONSOLE), the
# treemap draws areas, the findings table has one row per finding of the
# report, and the file is self-contained (no src=/href=/<link>, a CSP that
# forbids fetches).  Hostile strings in the data must not break the page.
source "$ROOT/tests/cli/lib.sh"
source "$ROOT/tests/cli/graph-lib.sh"
need chromium chromium; need python3 python3
python3 "$ROOT/bench/graph-gen.py" 1500 5 > r.json
# a finding whose text tries to close the data script element
python3 - <<'PY'
import json
d = json.load(open("r.json"))
d["findings"].append({"kind": "unused-library", "node": "lib:lib000.so.0", "dependent": "exe:app",
    "bytes": 1, "confidence": "likely", "reason": "</script><script>console.error('pwned')</script><!--",
    "fix": "<img src=x onerror=alert(1)>"})
json.dump(d, open("r.json", "w"))
PY
nf=$(python3 -c 'import json; print(len(json.load(open("r.json"))["findings"]))')
expect_rc 0 quiet $SLIM graph r.json -o r.html
$SLIM graph r.json -o r2.html 2> /dev/null
cmp -s r.html r2.html || die "HTML differs between runs"
# outside the embedded data (whose strings are the report's), no reference out
python3 -c 'import re,sys; s=open("r.html").read(); print(re.sub(r"id=\"slim-data\">.*?</script>", "", s, flags=re.S))' > markup.html
grep -q 'slim-data' markup.html || die "no data element"
grep -qiE '<link|src=|href=' markup.html && die "page references something outside itself"
[ "$(grep -c '</script>' r.html)" = 2 ] || die "hostile data closed a script element"
grep -q "Content-Security-Policy\" content=\"default-src 'none'" r.html || die "no CSP"
ud=$(mktemp -d)
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$ud" --enable-logging=stderr --v=0 --window-size=1400,1000 \
	--dump-dom "file://$PWD/r.html" > dom.html 2> chrome.log || die "chromium failed: $(tail -3 chrome.log)"
rm -rf "$ud"
if grep ':CONSOLE' chrome.log; then die "console messages while loading the report"; fi
grep -q 'data-ready="1"' dom.html || die "the page script did not finish"
# one area per child of the level shown (the page opens inside a single
# input), and nested areas inside them
want=$(python3 -c '
import json, re
t = json.loads(re.search(r"id=\"slim-data\">(.*?)</script>", open("r.html").read(), re.S).group(1))["treemap"]
while len(t.get("children", [])) == 1 and t["children"][0].get("children"): t = t["children"][0]
print(sum(1 for c in t.get("children", [t]) if c["bytes"] > 0))')
# every area is the sum of its parts, and every module's bytes are there
python3 - <<'PY' || die "treemap bytes do not add up"
import json, re
t = json.loads(re.search(r"id=\"slim-data\">(.*?)</script>", open("r.html").read(), re.S).group(1))["treemap"]
stack = [t]
while stack:
    n = stack.pop()
    if n.get("children"):
        assert n["bytes"] == sum(c["bytes"] for c in n["children"]), n["name"]
        stack.extend(n["children"])
py = [c for c in t["children"] if c["name"] == "python"][0]
assert py["bytes"] == sum(n["size"] for n in json.load(open("r.json"))["nodes"] if n["kind"] == "module")
PY
cells=$(grep -o 'class="tm-cell' dom.html | wc -l)
[ "$cells" = "$want" ] && [ "$want" -ge 2 ] || die "treemap drew $cells areas, want $want"
[ "$(grep -o 'class="tm-sub' dom.html | wc -l)" -ge 10 ] || die "no nested areas"
grep -q "$nf of $nf findings" dom.html || die "findings table: want $nf rows"
[ "$(grep -o '<tr>' dom.html | wc -l)" -ge "$nf" ] || die "table rows"
grep -q 'class="node' dom.html || die "graph SVG missing"
grep -q 'pwned' dom.html || die "hostile text missing from the table"

# searchable and sortable: a linked view filters on "prunable", sorts by
# bytes ascending; the expected rows come from the report itself
want=$(python3 -c '
import json; f = [x for x in json.load(open("r.json"))["findings"] if "prunable" in " ".join(str(v) for v in x.values()).lower()]
print(len(f), " ".join(x["node"] for x in sorted(f, key=lambda x: (x["bytes"], x["node"]))))')
ud=$(mktemp -d)
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$ud" --window-size=1400,1000 \
	--dump-dom "file://$PWD/r.html#q=prunable&sort=bytes&asc=1" > dom2.html 2> /dev/null || die "chromium failed"
rm -rf "$ud"
grep -q "${want%% *} of $nf findings" dom2.html || die "search: want ${want%% *} rows"
got=$(python3 -c '
import re; t = open("dom2.html").read().split("<tbody>")[1].split("</tbody>")[0]
print(" ".join(re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td>", t)))')
[ "$got" = "${want#* }" ] || die "sorted rows differ: $got"
true
