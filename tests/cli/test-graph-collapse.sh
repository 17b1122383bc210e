# slim graph --collapse-by dir|dist|package on a deployable of 40k+ real
# files (this machine's Python trees, shared libraries, headers and docs,
# hardlinked with cp -al, and a Python import trace over its two module
# trees): at most 300 nodes drawn; every finding of the
# report is on a drawn node, itself or the collapsed node whose member_ids
# (from -o g.json) include it; a collapsed node's label and tooltip give its
# members' finding count and bytes, equal to the sums over r.json.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
for d in /usr/lib/python3.11 /usr/lib/python3/dist-packages /usr/lib/x86_64-linux-gnu /usr/include; do
	[ -d $d ] || die "this test needs $d (python3.11, libc6-dev)"
done
R=$PWD/R
mkdir -p R/usr/lib/python3 R/usr/bin R/usr/share R/lib64
cp -al /usr/lib/python3.11 /usr/lib/x86_64-linux-gnu R/usr/lib/ || die "cp -al (a /tmp on another filesystem?)"
cp -al /usr/lib/python3/dist-packages R/usr/lib/python3/
cp -al /usr/include R/usr/
for d in doc locale man; do [ -d /usr/share/$d ] && cp -al /usr/share/$d R/usr/share/; done
# a program closure: python3.11 and curl with what they load
for p in /usr/bin/python3.11 /usr/bin/curl; do [ -x $p ] && cp -al $p R/usr/bin/; done
cp -a /lib64/ld-linux-x86-64.so.2 R/lib64/ 2>/dev/null
nfiles=$(find R -type f | wc -l)
# a minimal Debian has fewer: real copies of the standard library as
# vendored virtual environments (opt/venvK), as deployables ship them
k=0
while [ "$nfiles" -lt 40000 ] && [ $k -lt 40 ]; do
	k=$((k + 1)); mkdir -p R/opt/venv$k/lib
	cp -a /usr/lib/python3.11 R/opt/venv$k/lib/ || die "cp -a python3.11"
	nfiles=$(find R -type f | wc -l)
done
[ "$nfiles" -ge 40000 ] || die "only $nfiles files in the deployable"
# the Python side: an import trace of this machine's python3.11 over both
# trees, so modules carry their distribution (pydist: nodes)
python3 -X importtime -c 'import json, email.mime.text, xml.dom.minidom, sqlite3' 2> trace.txt || die "python3 -X importtime"
$SLIM report --json R --py-trace trace.txt --py-root R/usr/lib/python3.11 \
	--py-root R/usr/lib/python3/dist-packages -o r.json 2> /dev/null || die "report"
check() {   # MODE SVG JSON
python3 - "$@" <<'PY' || die "$1: see above"
import json, re, sys, xml.etree.ElementTree as ET
mode, svg, gj = sys.argv[1:]
r = json.load(open('r.json'))
g = json.load(open(gj))
NS = {'s': 'http://www.w3.org/2000/svg', 'x': 'http://www.w3.org/1999/xlink'}
root = ET.parse(svg).getroot()
drawn = {}
cls = {}
for el in root.iter('{http://www.w3.org/2000/svg}g'):
    if el.get('class', '').split()[:1] != ['node']:
        continue
    t = el.find('s:title', NS).text
    cls[t] = el.get('class').split()[1:]
    a = el.find('.//s:a', NS)
    tip = a.get('{http://www.w3.org/1999/xlink}title') if a is not None else ''
    label = ' '.join(x.text or '' for x in el.iter('{http://www.w3.org/2000/svg}text'))
    drawn[t] = (tip, label)
gnodes = {n['id']: n for n in g['nodes']}
legend = [t for t in drawn if t not in gnodes]
real = [t for t in drawn if t in gnodes]
assert len(real) <= 300, f'{mode}: {len(real)} nodes drawn'
assert set(real) == set(gnodes), f'{mode}: svg and json differ: {set(gnodes) ^ set(real)}'
owner = {}
for n in g['nodes']:
    for m in (n.get('attrs') or {}).get('member_ids', []):
        assert m not in owner, f'{m} in two groups'
        owner[m] = n['id']
want = {}
lost = 0
for f in r['findings']:
    node = f['node']
    if node in gnodes and node not in owner:
        continue
    grp = owner.get(node)
    if grp is None:
        lost += 1
        print('finding on no drawn node:', node, file=sys.stderr)
        continue
    c, b = want.get(grp, (0, 0))
    want[grp] = (c + 1, b + (f['bytes'] or 0))
assert lost == 0, f'{mode}: {lost} findings on no drawn node'
groups = [n for n in g['nodes'] if 'member_ids' in (n.get('attrs') or {})]
assert groups, f'{mode}: nothing collapsed'
# colours: a drawn node carrying a finding itself is drawn in its class
# (orphan-library: likely, duplicate-file: duplicate, unless a stronger
# one), a group as a group; the legend lists exactly the classes drawn
rank = ['duplicate', 'likely', 'prunable', 'unused']
kind_cls = {'orphan-library': 'likely', 'duplicate-file': 'duplicate', 'unused-library': 'unused',
            'unneeded-transitive': 'unused', 'hidden-by-layer': 'prunable'}
best = {}
for f in g['findings']:
    c = kind_cls.get(f['kind'], 'prunable' if f['kind'].startswith('prunable') or f['kind'] == 'cold-module' else None)
    if c and f['node'] in gnodes and 'member_ids' not in (gnodes[f['node']].get('attrs') or {}):
        if rank.index(c) > rank.index(best.get(f['node'], 'duplicate')) or f['node'] not in best:
            best[f['node']] = c
for t, c in best.items():
    assert cls[t][0] == c, f'{mode}: {t} drawn as {cls[t]}, its findings say {c}'
for n in groups:
    gc = 'group-findings' if n['attrs']['member_findings'] else 'group'
    assert cls[n['id']][0] == gc, f"{mode}: group {n['id']} drawn as {cls[n['id']]}, want {gc}"
used = {c[0] for t, c in cls.items() if t in gnodes} | {c for t, cs in cls.items() if t in gnodes for c in cs[1:] if c in ('new', 'highlight')}
if any(t.startswith('system') for t in drawn if t not in gnodes and not t.startswith('legend:')):
    used.add('system')
shown = {cs[1] for t, cs in cls.items() if cs[:1] == ['legend'] and t.startswith('legend:') and not t.startswith('legend:row') and not t.startswith('legend:from') and not t.startswith('legend:edge')}
assert used == shown, f'{mode}: legend {sorted(shown)}, drawn {sorted(used)}'
print(f'{mode}: classes drawn {sorted(used)}')
units = {'B': 1, 'KiB': 1024, 'MiB': 1 << 20, 'GiB': 1 << 30, 'kB': 1000, 'MB': 10**6, 'GB': 10**9}
for n in groups:
    a = n['attrs']
    c, b = want.get(n['id'], (0, 0))
    assert (a['member_findings'], a['member_finding_bytes']) == (c, b), \
        f"{n['id']}: attrs say {a['member_findings']}/{a['member_finding_bytes']}, r.json {c}/{b}"
    tip, label = drawn[n['id']]
    assert tip.endswith(f': {len(a["member_ids"])} members, {c} findings, {b} bytes'), (n['id'], tip)
    if c:
        m = re.search(r'(\d+) findings?, ([\d.]+) ?(\w+)', label)
        assert m and int(m.group(1)) == c, (n['id'], label)
        shown = float(m.group(2)) * units.get(m.group(3), 1)
        assert abs(shown - b) <= 0.06 * b + 1, (n['id'], label, b)
if mode == 'dist':
    d = [n for n in groups if n['kind'] == 'distribution' and
         any(m.startswith('py:') for m in n['attrs']['member_ids'])]
    assert d, 'dist: no distribution took its modules'
if mode == 'package':
    assert [n for n in groups if n['kind'] == 'package'], 'package: no py: package'
    assert [n for n in groups if n['kind'] == 'dir' and
            any(m.startswith('lib:') for m in n['attrs']['member_ids'])], 'package: no library directory'
print(f'{mode}: {len(real)} nodes drawn, {len(groups)} collapsed, {sum(len(x["attrs"]["member_ids"]) for x in groups)} members, {len(r["findings"])} findings all on drawn nodes')
PY
}
for m in dir dist package; do
	$SLIM graph r.json --collapse-by $m -o g-$m.svg 2> err.txt || { cat err.txt; die "graph --collapse-by $m"; }
	$SLIM graph r.json --collapse-by $m -o g-$m.json 2> /dev/null || die "graph json $m"
	check $m g-$m.svg g-$m.json
done
# the default drawing of a big deployable: collapsed by directory too
$SLIM graph r.json -o g-def.svg 2> /dev/null || die "default graph"
$SLIM graph r.json -o g-def.json 2> /dev/null || die "default graph json"
check default g-def.svg g-def.json
$SLIM graph r.json --collapse-by owner -o x.svg 2> err.txt; [ $? = 2 ] || die "bad --collapse-by: want exit 2"
grep -q 'collapse-by takes dir, dist or package' err.txt || die "bad --collapse-by not refused"
echo "$nfiles files; every finding on a drawn node"
