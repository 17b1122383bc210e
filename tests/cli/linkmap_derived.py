#!/usr/bin/env python3
"""Checks the pull chains `slim linkmap --derive` derives for an lld map
without --why-extract (tests/cli/test-linkmap-derived.sh): every member
slim says was pulled by FILE for SYMBOL must define SYMBOL and FILE must
leave it undefined, both per `nm` (ground truth slim did not compute); every
chain must reach one of the program's own objects.  Prints how often the
derived symbol is the one lld itself names in --why-extract.

usage: linkmap_derived.py SLIM_JSON WHY MAPDIR
"""
import json, os, re, subprocess, sys

js, why, mapdir = sys.argv[1:4]
doc = json.load(open(js))
nodes = {n['id']: n for n in doc['nodes']}
bad = []

def nm(path, args):
    """{(file-or-member display name): set(symbols)} for one object/archive"""
    full = path if path.startswith('/') else os.path.join(mapdir, path)
    out = subprocess.run(['nm', '-A'] + args + [full], capture_output=True, text=True).stdout
    res = {}
    for l in out.splitlines():
        m = re.match(r'^(.*?):(?:(.*?):)?\s*(?:[0-9a-f]+)?\s+([A-Za-z])\s+(\S+)$', l)
        if not m:
            continue
        key = path + ('(' + m.group(2) + ')' if m.group(2) else '')
        res.setdefault(key, set()).add(m.group(4))
    return res

cache = {}
def syms(node_id, args):
    n = nodes[node_id]
    a = n.get('attrs', {})
    path = a.get('archive') or a.get('path')
    k = (path, tuple(args))
    if k not in cache:
        cache[k] = nm(path, args)
    return cache[k].get(a.get('path'), set())

checked = 0
for e in doc['edges']:
    if e['kind'] != 'pulls':
        continue
    sym = e['attrs'].get('symbol')
    if not e['attrs'].get('derived'):
        bad.append('pulls %s -> %s not marked derived' % (e['from'], e['to']))
    if sym not in syms(e['to'], ['--defined-only']):
        bad.append('%s does not define %s (nm)' % (e['to'], sym))
    if sym not in syms(e['from'], ['-u']):
        bad.append('%s does not leave %s undefined (nm)' % (e['from'], sym))
    checked += 1
if checked < 50:
    bad.append('only %d derived pulls checked' % checked)

def base(x):
    m = re.match(r'^(.*?\.a)\((.*)\)$', x)
    return os.path.basename(m.group(1)) + '(' + m.group(2) + ')' if m else os.path.basename(x)
first = {}
for l in list(open(why))[1:]:
    r, x, s = l.rstrip('\n').split('\t')
    first.setdefault(base(x), s)
inc = {e['to'][4:]: e['attrs'] for e in doc['edges'] if e['kind'] == 'includes'}
same = sum(1 for m, s in first.items() if inc.get(m, {}).get('symbol') == s)
print('%s: %d derived pulls valid per nm; same symbol as lld --why-extract for %d of %d members' % (
    os.path.basename(js), checked, same, len(first)))
for b in bad[:20]:
    print('FAIL', b)
sys.exit(1 if bad else 0)
