#!/usr/bin/env python3
"""Ground truth for the --cref count (tests/cli/test-linkmap-cref.sh): for
each loaded archive member, the global symbols it defines that another
loaded file leaves undefined, computed with `nm` over the files the
linker's -t trace says it loaded.  Compares with slim's
`symbols_used_elsewhere` node attribute; exits 1 on any difference.

usage: linkmap_cref.py SLIM_JSON TRACE
"""
import json, os, re, subprocess, sys

js, trace = sys.argv[1:3]
tdir = os.path.dirname(trace)
loaded = []          # (display path as the map prints it, nm target)
archives = set()
for l in open(trace):
    l = l.rstrip('\n')
    m = re.match(r'^\((.*)\)(.*)$', l) or re.match(r'^(.*\.a)\((.*)\)$', l)
    if m:
        archives.add(m.group(1))
        loaded.append(m.group(1) + '(' + m.group(2) + ')')
    elif l.endswith('.o') and not l.startswith('/usr/bin'):
        loaded.append(l)
loaded = set(loaded)

defs, undefs = {}, {}
def nm(target, key_of):
    full = target if target.startswith('/') else os.path.join(tdir, target)
    out = subprocess.run(['nm', '-A', full], capture_output=True, text=True).stdout
    for l in out.splitlines():
        m = re.match(r'^(.*?):(?:(.*?):)?\s*(?:[0-9a-f]+)?\s+([A-Za-z])\s+(\S+)$', l)
        if not m:
            continue
        key = key_of(m.group(2))
        if key not in loaded:
            continue
        t, sym = m.group(3), m.group(4)
        if t == 'U' or t == 'w':
            undefs.setdefault(key, set()).add(sym)
        elif t.isupper() or t in 'uvV':
            defs.setdefault(key, set()).add(sym)
for a in archives:
    nm(a, lambda mem, a=a: a + '(' + mem + ')')
for o in [x for x in loaded if not x.endswith(')')]:
    nm(o, lambda mem, o=o: o)

want = {}
for f, ds in defs.items():
    if not f.endswith(')'):
        continue
    used = set()
    for g, us in undefs.items():
        if g != f:
            used |= ds & us
    want[os.path.basename(re.sub(r'\(.*\)$', '', f)) + '(' + re.search(r'\((.*)\)$', f).group(1) + ')'] = len(used)

doc = json.load(open(js))
got = {n['id'][4:]: n['attrs'].get('symbols_used_elsewhere') for n in doc['nodes']
       if n['kind'] == 'object' and 'symbols_used_elsewhere' in n.get('attrs', {})}
bad = [(k, got.get(k), v) for k, v in sorted(want.items()) if got.get(k) != v]
bad += [(k, v, None) for k, v in got.items() if k not in want]
for k, g, w in bad[:10]:
    print('FAIL %s: slim %s symbols used elsewhere, nm says %s' % (k, g, w))
ones = sum(1 for v in want.values() if v == 1)
print('%s: %d members checked, %d held by one symbol' % (os.path.basename(js), len(want), ones))
if len(want) < 50 or not ones:
    print('FAIL: too few members to be a test')
    sys.exit(1)
sys.exit(1 if bad else 0)
