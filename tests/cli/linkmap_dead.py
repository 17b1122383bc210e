#!/usr/bin/env python3
"""Ground truth for dead archive members (tests/cli/test-linkmap-dead.sh):
a member the linker loaded (its own -t / `-t -t` / --print-dependencies
trace) all of whose non-empty allocated sections (readelf -SW), .eh_frame
aside (linkers rewrite it into pieces and never print it), are in the
linker's --print-gc-sections output.  Compares that set with the members
slim reports as dead-archive-member, and checks each is marked derived for
lld and mold (their maps do not list it) and not for bfd and gold.

A member of an archive the map does not name at all (lld, mold: every
member it loaded was discarded, and only the linker's own trace says the
archive was read; gtest-mold loads two libgcc.a members lld and the GNU
linkers take from libgcc_s.so) cannot be known from the map: such members
are listed as the exception and left out.

usage: linkmap_dead.py LINKER TRACE GC MAPDIR SLIM_JSON MAP
"""
import json, os, re, subprocess, sys

linker, trace, gc, mapdir, js, mapf = sys.argv[1:7]
maptext = open(mapf, errors='replace').read()
loaded = set()
gcd = set()
for l in list(open(trace, errors='replace')) + list(open(gc, errors='replace')):
    l = l.rstrip('\n')
    m = (re.search(r"removing unused section '(.*)' in file '(.*)'$", l) or
         re.search(r"removing unused section from '(.*)' in file '(.*)'$", l))
    if m:
        gcd.add((m.group(2), re.sub(r'\[[^\[\]]*\]$', '', m.group(1))))
        continue
    m = re.search(r'removing unused section (.*):\((.*)\)$', l)
    if m:
        gcd.add((m.group(1), m.group(2)))
        a = re.match(r'^(.*\.a)\((.*)\)$', m.group(1))
        if a:       # mold's deps list omits members it loaded then gc'd
            loaded.add((a.group(1), a.group(2)))
        continue
    for f in l.split('\t')[:2]:
        f = re.sub(r':\(.*\)$', '', f)
        m = re.match(r'^\((.*\.a)\)(.*)$', f) or re.match(r'^(.*\.a)\((.*)\)$', f)
        if m:
            loaded.add((m.group(1), m.group(2)))


def alloc_sections(archive, member):
    full = archive if archive.startswith('/') else os.path.join(mapdir, archive)
    out = subprocess.run(['readelf', '-SW', full], capture_output=True, text=True).stdout
    cur, res = None, []
    for l in out.splitlines():
        m = re.match(r'^File: .*\((.*)\)$', l)
        if m:
            cur = m.group(1)
            continue
        m = re.match(r'^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+(\S+)\s+\S+\s+(\S*)\s+\d+\s+\d+\s+\d+\s*$', l)
        if m and cur == member and 'A' in m.group(3) and int(m.group(2), 16) and m.group(1) != '.eh_frame':
            res.append(m.group(1))
    return res


truth, unnamed = set(), set()
for a, mem in loaded:
    if a + '(' not in maptext:
        unnamed.add('%s(%s)' % (os.path.basename(a), mem))
        continue
    secs = alloc_sections(a, mem)
    name = '%s(%s)' % (a, mem)
    if secs and all((name, s) in gcd for s in secs):
        truth.add('obj:%s(%s)' % (os.path.basename(a), os.path.basename(mem)))
doc = json.load(open(js))
dead = {f['node']: f for f in doc['findings'] if f['kind'] == 'dead-archive-member'}
inc = {e['to']: e for e in doc['edges'] if e['kind'] == 'includes'}
bad = []
if set(dead) != truth:
    bad.append('dead: slim %s, the linker %s' % (sorted(dead), sorted(truth)))
for n in dead:
    d = inc.get(n, {}).get('attrs', {}).get('derived', False)
    if d != (linker in ('lld', 'mold')) and not inc[n]['attrs'].get('symbol'):
        bad.append('%s: derived=%s' % (n, d))
print('%s %s: %d members loaded, dead per the linker %s, per slim %s%s' % (
    linker, os.path.basename(js), len(loaded), sorted(truth), sorted(dead),
    '; of archives the map does not name (left out): %s' % sorted(unnamed) if unnamed else ''))
for b in bad:
    print('FAIL', b)
sys.exit(1 if bad else 0)
