#!/usr/bin/env python3
"""Ground truth for dead archive members (tests/cli/test-linkmap-dead.sh):
a member the linker loaded (its own -t / `-t -t` / --print-dependencies
trace, and the members --print-gc-sections removes sections of) of which
no input section is in the output.  lld and mold maps name every kept
input section with its file: a loaded member such a map never names kept
nothing.  BFD and gold list what they discarded: every non-empty allocated
section of a dead member (readelf -SW; .eh_frame aside, rewritten) is in
--print-gc-sections or in that list.  (Both read with plain text searches,
not slim's parser.)  Every non-empty allocated section of a dead member
must be in --print-gc-sections or a group member (flag G, readelf -SW),
or for mold an SHF_MERGE section (mold merges them before it collects and
never prints them).
Compares that set with the members slim reports as dead-archive-member,
and checks each is marked derived for lld and mold (their maps do not list
it) and not for bfd and gold.

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


def readelf(archive, member, opt):
    full = archive if archive.startswith('/') else os.path.join(mapdir, archive)
    out = subprocess.run(['readelf', opt, full], capture_output=True, text=True).stdout
    cur, res = None, []
    for l in out.splitlines():
        m = re.match(r'^File: .*\((.*)\)$', l)
        if m:
            cur = m.group(1)
        elif cur == member:
            res.append(l)
    return res


def alloc_sections(archive, member):
    """[(name, flags)] of its non-empty allocated sections"""
    res = []
    for l in readelf(archive, member, '-SW'):
        m = re.match(r'^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+(\S+)\s+\S+\s+(\S*)\s+\d+\s+\d+\s+\d+\s*$', l)
        if m and 'A' in m.group(3) and int(m.group(2), 16) and m.group(1) != '.eh_frame':
            res.append((m.group(1), m.group(3)))
    return res


# BFD and gold list what they discarded (gc'd, duplicate groups, empty)
# before the memory map; lld and mold name only the files that kept some
# section, so a loaded member their map never names kept nothing
disc_block = ''
if 'Discarded input sections' in maptext:
    disc_block = maptext[maptext.index('Discarded input sections'):]
    for h in ('\nLinker script and memory map\n', '\nMemory map\n'):
        if h in disc_block:
            disc_block = disc_block[:disc_block.index(h)]
discarded = set()
lines = disc_block.splitlines()
for i, l in enumerate(lines):
    m = re.match(r'^ (\S+)(?:\s+0x\S+\s+0x\S+\s+(.*))?$', l)
    if not m:
        continue
    f = m.group(2)
    if f is None and i + 1 < len(lines):
        n = re.match(r'^\s+0x\S+\s+0x\S+\s+(.*)$', lines[i + 1])
        f = n.group(1) if n else None
    if f:
        discarded.add((f.strip(), m.group(1)))
truth, unnamed, bad = set(), set(), []
for a, mem in loaded:
    name = '%s(%s)' % (a, mem)
    if a + '(' not in maptext:
        unnamed.add('%s(%s)' % (os.path.basename(a), mem))
        continue
    secs = alloc_sections(a, mem)
    if linker in ('lld', 'mold'):
        if name + ':(' in maptext:
            continue
    elif not secs or not all((name, s) in gcd or (name, s) in discarded for s, _ in secs):
        continue
    node = 'obj:%s(%s)' % (os.path.basename(a), os.path.basename(mem))
    truth.add(node)
    # mold merges SHF_MERGE sections before it collects and never prints them
    for s, fl in secs:
        if (name, s) not in gcd and 'G' not in fl and not (linker == 'mold' and 'M' in fl):
            bad.append('%s: %s neither in --print-gc-sections nor a COMDAT group member' % (node, s))
doc = json.load(open(js))
dead = {f['node']: f for f in doc['findings'] if f['kind'] == 'dead-archive-member'}
inc = {e['to']: e for e in doc['edges'] if e['kind'] == 'includes'}
if set(dead) != truth:
    bad.append('dead: slim %s, the linker %s' % (sorted(dead), sorted(truth)))
for n in dead:
    d = inc.get(n, {}).get('attrs', {}).get('derived', False)
    if d != (linker in ('lld', 'mold')) and not inc[n]['attrs'].get('symbol'):
        bad.append('%s: derived=%s' % (n, d))
print('%s %s: %d members loaded, %d dead per the linker %s, per slim %d%s' % (
    linker, os.path.basename(js), len(loaded), len(truth), sorted(truth)[:3], len(dead),
    '; of archives the map does not name (left out): %s' % sorted(unnamed) if unnamed else ''))
for b in bad:
    print('FAIL', b)
sys.exit(1 if bad else 0)
