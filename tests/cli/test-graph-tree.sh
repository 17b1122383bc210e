# The drawing of a deployable (issue #18): on a tree of this machine's
# files -- curl's closure, a planted orphan (a real libjansson nothing
# loads) and a second copy of libz nothing loads --
#  - the orphan is drawn as "likely" (LIKELY in its label), the copy kept of
#    the duplicate libz as "duplicate", each node in the class its own
#    findings give it, and the legend lists exactly the classes drawn;
#  - the title names the tree, in `slim graph` and in `slim report --html`;
#  - with /usr/share/doc added (thousands of files: the report's drawing is
#    collapsed), a click on a group node in headless Chromium shows the
#    findings its members carry and its why-path in the drawing.
source "$ROOT/tests/cli/lib.sh"
source "$ROOT/tests/cli/tree-lib.sh"
need python3 python3; need chromium chromium
tree_init "$PWD/R"
closure /usr/bin/curl
orphan=usr/lib/x86_64-linux-gnu/$(basename "$(readlink -f /usr/lib/x86_64-linux-gnu/libjansson.so.4)")
cp "/$orphan" "R/$orphan" || die "this test needs libjansson4 (make deps)"
libz=$(readlink -f /usr/lib/x86_64-linux-gnu/libz.so.1)
mkdir -p R/opt/vendored && cp "$libz" R/opt/vendored/ || die "cp libz"
tree_done
$SLIM report R --json -o r.json 2> /dev/null || die "report R"
$SLIM graph r.json -o g.svg 2> /dev/null || die "graph"
python3 - r.json g.svg "$orphan" <<'PY' || die "classes of the tree's drawing"
import json, sys, xml.etree.ElementTree as ET
r = json.load(open(sys.argv[1])); orphan = 'lib:' + sys.argv[3]
S = '{http://www.w3.org/2000/svg}'
cls, label = {}, {}
for el in ET.parse(sys.argv[2]).getroot().iter(S + 'g'):
    c = el.get('class', '').split()
    if c[:1] != ['node']: continue
    t = el.find(S + 'title').text
    cls[t] = c[1:]
    label[t] = ' '.join(x.text or '' for x in el.iter(S + 'text'))
kinds = {}
for f in r['findings']: kinds.setdefault(f['node'], set()).add(f['kind'])
assert 'orphan-library' in kinds.get(orphan, ()), f'{orphan} is not an orphan: {kinds.get(orphan)}'
assert cls[orphan][0] == 'likely' and label[orphan].startswith('LIKELY'), (cls[orphan], label[orphan])
dups = [n for n, k in kinds.items() if 'duplicate-file' in k]
assert dups, 'no duplicate-file finding'
for n in dups:
    want = 'likely' if 'orphan-library' in kinds[n] else 'duplicate'
    assert cls[n][0] == want and label[n].startswith(want.upper()), (n, cls[n], label[n])
nodes = {n['id'] for n in r['nodes']}
drawn = {c[0] for t, c in cls.items() if t in nodes}
legend = {c[1] for t, c in cls.items() if c[:1] == ['legend'] and t.startswith('legend:')
          and t.split(':')[1] not in ('row', 'from', 'edge')}
if any(t == 'system' or t.startswith('system') for t in cls if t not in nodes and not t.startswith('legend')):
    drawn.add('system')
assert drawn == legend, f'legend {sorted(legend)}, drawn {sorted(drawn)}'
print('classes drawn:', sorted(drawn))
PY
# the title: the input's name
$SLIM report R --html h.html > /dev/null 2>&1 || die "report --html"
python3 - h.html <<'PY' || die "report --html: the graph's title does not name the tree"
import re, sys
s = open(sys.argv[1]).read()
assert re.search(r'>slim graph of R</text>', s), re.findall(r'>slim graph[^<]*<', s)
PY

# collapsed: groups carry their members' findings, in the page too
cp -al /usr/share/doc R/usr/share/ 2> /dev/null || cp -a /usr/share/doc R/usr/share/ || die "cp /usr/share/doc"
$SLIM report R --html big.html > /dev/null 2>&1 || die "report --html of the big tree"
gid=$(python3 - big.html <<'PY'
import json, re, sys
d = json.loads(re.search(r'id="slim-data">(.*?)</script>', open(sys.argv[1]).read(), re.S).group(1))
g = d['groups']
assert g, 'no group in the collapsed drawing'
best = max(g, key=lambda k: g[k]['nfindings'])
assert g[best]['nfindings'] > 0, 'no group carries a finding'
ids = {f['node'] for f in d['findings']}
assert all(f['node'] in ids for f in g[best]['findings'])
print(best)
PY
) || die "the page's groups"
enc=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$gid")
ud=$(mktemp -d)
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$ud" --window-size=1400,1000 \
	--dump-dom "file://$PWD/big.html#node=$enc" > dom.html 2> /dev/null || die "chromium failed"
rm -rf "$ud"
python3 - dom.html big.html "$gid" <<'PY' || die "a click on a group shows nothing"
import html, json, re, sys
dom = open(sys.argv[1]).read(); gid = sys.argv[3]
d = json.loads(re.search(r'id="slim-data">(.*?)</script>', open(sys.argv[2]).read(), re.S).group(1))
sel = re.search(r'<div id="gsel">(.*?)</div><div id="graph">', dom, re.S)
assert sel, 'no selection panel'
s = html.unescape(sel.group(1))
f0 = d['groups'][gid]['findings'][0]
assert gid in s and f0['node'] in s and f0['kind'] in s, s[:400]
assert 'no finding' not in s, s[:400]
assert 'why: ' + ' -> '.join(d['groups'][gid]['why']) in s, s[-300:]
print(f"group {gid}: {d['groups'][gid]['nfindings']} findings shown on click")
PY
echo "tree drawing: classes, legend, title and groups checked"
