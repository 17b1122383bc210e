#!/usr/bin/env python3
"""Ground truth for tests/cli/test-linkmap-truth.sh: compares what
`slim linkmap` says about one link with what the linker itself printed
during that link (-t / --print-dependencies, --print-gc-sections,
--why-extract) and with `size -A` of the output.  Prints one line per
mismatch and exits 1 if there is any.

usage: linkmap_truth.py LINKER TRACE GC SLIM_JSON SLIM_DISCARDED SIZE_A EXE [WHY]
"""
import json, os, re, subprocess, sys

linker, trace, gc, js, disc, sizea, exe = sys.argv[1:8]
why = sys.argv[8] if len(sys.argv) > 8 else None
bad = []
def fail(msg):
    bad.append(msg)

def base_member(path):
    """'/x/libz.a(inflate.o)' -> 'libz.a(inflate.o)'"""
    m = re.match(r'^(.*?\.a)\((.*)\)$', path)
    if not m:
        return None
    return os.path.basename(m.group(1)) + '(' + os.path.basename(m.group(2)) + ')'

doc = json.load(open(js))
nodes = {n['id']: n for n in doc['nodes']}
edges = doc['edges']
roots = {e['from'] for e in edges if e['kind'] == 'includes'}
if len(roots) != 1:
    fail('want one output node with includes edges, got %r' % roots)
inc = {e['to']: e for e in edges if e['kind'] == 'includes'}

# 1. loaded archive members == the linker's trace
# lld and mold print --print-gc-sections to stdout, with the trace
lines = [l.rstrip('\n') for l in open(trace) if not l.startswith('removing unused section')]
truth = set()
if linker == 'bfd':
    thin = {}
    for l in lines:
        m = re.match(r'^\((.*)\)(.*)$', l)
        if m:
            truth.add(os.path.basename(m.group(1)) + '(' + os.path.basename(m.group(2)) + ')')
        elif l.endswith('.a') and open(os.path.join(os.path.dirname(trace), l), 'rb').read(8) == b'!<thin>\n':
            a = os.path.join(os.path.dirname(trace), l)
            for mem in subprocess.run(['ar', 't', a], capture_output=True, text=True).stdout.split():
                thin[os.path.basename(mem)] = True
    # BFD names a thin archive's members by their path alone
    for l in lines:
        if os.path.basename(l) in thin:
            truth.add(os.path.basename(l))
elif linker in ('gold', 'lld'):
    for l in lines:
        b = base_member(l)
        if b:
            truth.add(b)
elif linker == 'mold':
    for l in lines:
        if l.startswith('#') or l.startswith('removing ') or not l:
            continue
        for f in l.split('\t')[:2]:
            b = base_member(re.sub(r':\(.*\)$', '', f))
            if b:
                truth.add(b)
slim = {i[4:] for i, e in inc.items() if e.get('attrs', {}).get('from_archive')}
if slim != truth:
    fail('members: slim has %d, linker trace %d; only slim: %s; only linker: %s' % (
        len(slim), len(truth), sorted(slim - truth)[:5], sorted(truth - slim)[:5]))
if not truth:
    fail('the linker trace names no archive member: the sample is broken')

# 2. discarded sections == --print-gc-sections (BFD and gold list them)
gcset = set()
for l in list(open(gc)) + list(open(trace)):
    l = l.rstrip('\n')
    m = (re.search(r"removing unused section '(.*)' in file '(.*)'$", l) or
         re.search(r"removing unused section from '(.*)' in file '(.*)'$", l))
    if m:
        # BFD names a COMDAT member "NAME[SIGNATURE]"; the map says NAME
        gcset.add((m.group(2), re.sub(r'\[[^\[\]]*\]$', '', m.group(1))))
        continue
    m = re.search(r'removing unused section (.*):\((.*)\)$', l)
    if m:
        gcset.add((m.group(1), m.group(2)))
if not gcset:
    fail('--print-gc-sections printed nothing: the sample is broken')
dis = {}
ndis = 0
for l in open(disc):
    if l.startswith('#'):
        continue
    size, f, sec = l.rstrip('\n').split('\t')[:3]
    dis[(f, sec)] = max(int(size), dis.get((f, sec), 0))
    ndis += 1

def readelf_groups(path):
    """{(file as the map prints it, section)} of COMDAT group members"""
    full = path if path.startswith('/') else os.path.join(os.path.dirname(trace), path)
    out = subprocess.run(['readelf', '-gW', full], capture_output=True, text=True).stdout
    res, cur = set(), path
    for l in out.splitlines():
        m = re.match(r'^File: (.*)$', l)
        if m:
            b = re.match(r'^.*[\(\[](.*)[\)\]]$', m.group(1))
            cur = path + '(' + os.path.basename(b.group(1)) + ')' if b else path
            continue
        m = re.match(r'^\s*\[\s*\d+\]\s+(\S+)\s*$', l)
        if m:
            res.add((cur, m.group(1)))
    return res
comdat = set()
for f in {re.sub(r'\(.*\)$', '', k[0]) for k in dis}:
    comdat |= readelf_groups(f)
if linker in ('bfd', 'gold'):
    missing = gcset - set(dis)
    if missing:
        fail('discarded: %d sections the linker removed are not in slim\'s list: %s' % (
            len(missing), sorted(missing)[:5]))
    # BFD lists empty sections, the .note.gnu.property notes it merged and
    # duplicate COMDAT group members (readelf -g) as discarded without
    # --print-gc-sections printing them
    extra = [k for k, v in dis.items() if k not in gcset and v > 0 and
             k[1] not in ('.note.gnu.property', '.group') and k not in comdat]
    if extra:
        fail('discarded: slim lists %d sections with bytes the linker did not remove: %s' % (
            len(extra), extra[:5]))
    t = doc['totals']['linkmap']
    if t['discarded_sections'] != ndis:
        fail('totals.discarded_sections %d != %d listed' % (t['discarded_sections'], ndis))
else:
    # lld and mold maps list only kept sections; slim --derive reads the
    # objects.  What no map can show is skipped by slim and here: sections
    # the linker merges (SHF_MERGE, per readelf -S) or consumes.
    merge = set()
    def readelf_merge(path):
        full = path if path.startswith('/') else os.path.join(os.path.dirname(trace), path)
        out = subprocess.run(['readelf', '-SW', full], capture_output=True, text=True).stdout
        cur = path
        for l in out.splitlines():
            m = re.match(r'^File: (.*)$', l)
            if m:
                b = re.match(r'^.*[\(\[](.*)[\)\]]$', m.group(1))
                cur = path + '(' + os.path.basename(b.group(1)) + ')' if b else path
                continue
            m = re.match(r'^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+(\S*)\s+\d+\s+\d+\s+\d+\s*$', l)
            if m and 'M' in m.group(2):
                merge.add((cur, m.group(1)))
    for f in {re.sub(r'\(.*\)$', '', k[0]) for k in gcset}:
        readelf_merge(f)
    want = {k for k in gcset if k not in merge and k[1] not in ('.note.gnu.property', '.eh_frame')}
    # duplicate COMDAT group members are discarded without being gc'd
    got = {k for k in dis if not (k in comdat and k not in gcset)}
    if got != want:
        fail('derived discarded: only slim %s; only the linker %s' % (
            sorted(got - want)[:5], sorted(want - got)[:5]))

# 3. bytes per output section == size -A; the unexplained rest (alignment
# padding the map does not print) within tolerance
align = {}
for l in subprocess.run(['readelf', '-SW', exe], capture_output=True, text=True).stdout.splitlines():
    m = re.match(r'^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+\S+\s+\S+\s+\S+\s+\S+\s+\S*\s+\d+\s+\d+\s+(\d+)\s*$', l)
    if m:
        align[m.group(1)] = int(m.group(2))
if not align:
    fail('readelf -SW %s printed no sections' % exe)
osecs = {}
for s in doc['totals']['linkmap']['output_sections']:
    osecs.setdefault(s['name'], s)
for l in open(sizea):
    f = l.split()
    if len(f) != 3 or not f[1].isdigit() or f[0] == 'Total':
        continue
    name, size = f[0], int(f[1])
    s = osecs.get(name)
    if s is None:
        if size:
            fail('size -A section %s (%d bytes) not in the map' % (name, size))
        continue
    if s['size'] != size:
        fail('%s: map size %d, size -A %d' % (name, s['size'], size))
    if s['inputs'] + s['linker'] + s['padding'] != size:
        fail('%s: inputs %d + linker %d + padding %d != %d' % (
            name, s['inputs'], s['linker'], s['padding'], size))
    # BFD prints every *fill*; the others leave alignment gaps implicit:
    # each of the n inputs may be preceded by up to align-1 bytes of
    # padding, align being the output section's (readelf -S, ground truth)
    tol = 0 if linker == 'bfd' else s['input_sections'] * (align.get(name, 1) - 1)
    if s['padding'] > tol:
        fail('%s: %d bytes unexplained, tolerance %d' % (name, s['padding'], tol))

# 4. every object reachable from the output; pulls edges name a symbol
for i, n in nodes.items():
    if n['kind'] == 'object' and i not in inc:
        fail('%s has no includes edge from the output' % i)
for e in edges:
    if e['kind'] == 'pulls' and not e.get('attrs', {}).get('symbol'):
        fail('pulls edge %s -> %s without a symbol' % (e['from'], e['to']))

# 4b. `slim why` walks pulls edges: from each pulled member, following
# them backwards must reach one of the program's own objects (no archive)
pulled_by = {}
for e in edges:
    if e['kind'] == 'pulls':
        pulled_by.setdefault(e['to'], e['from'])
for mem in pulled_by:
    cur, seen = mem, set()
    while cur in pulled_by and cur not in seen:
        seen.add(cur)
        cur = pulled_by[cur]
    if nodes.get(cur, {}).get('attrs', {}).get('archive'):
        fail('chain from %s ends at archive member %s, not at a program object' % (mem, cur))
# 4c. what slim attributes to an input never exceeds what that input has:
# the sizes of its sections per readelf -S (relocations, symbol tables and
# groups aside, which never reach the output's memory image).  .eh_frame is
# left out on both sides: linkers re-align and rewrite its records.
osize = {}
def readelf_sizes(path):
    full = path if path.startswith('/') else os.path.join(os.path.dirname(trace), path)
    out = subprocess.run(['readelf', '-SW', full], capture_output=True, text=True).stdout
    cur = path
    for l in out.splitlines():
        m = re.match(r'^File: (.*)$', l)
        if m:
            b = re.match(r'^.*[\(\[](.*)[\)\]]$', m.group(1))
            cur = path + '(' + os.path.basename(b.group(1)) + ')' if b else path
            continue
        m = re.match(r'^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+\S+\s+\S+\s+(\S+)', l)
        if m and m.group(2) not in ('RELA', 'REL', 'SYMTAB', 'STRTAB', 'GROUP', 'NULL') \
                and m.group(1) != '.eh_frame':
            osize[cur] = osize.get(cur, 0) + int(m.group(3), 16)
def a_bytes(n):
    return n.get('attrs', {}).get('bytes', {})
byfile = {}
for n in nodes.values():
    a = n.get('attrs', {})
    if n['kind'] != 'object' or a.get('lto') or not a.get('path'):
        continue
    byfile.setdefault(a.get('archive') or a['path'], []).append(n)
for f, ns in byfile.items():
    readelf_sizes(f)
    for n in ns:
        have = osize.get(n['attrs']['path'])
        if have is None:
            fail('readelf printed no sections for %s' % n['attrs']['path'])
        got = sum(v for k, v in a_bytes(n).items() if not k.startswith('.eh_frame'))
        if have is not None and got > have:
            fail('%s: slim attributes %d bytes, the file has %d' % (n['id'], got, have))

# 5. lld: the pulling symbol of each member == --why-extract
if why and linker == 'lld':
    first = {}
    for l in list(open(why))[1:]:
        ref, ext, sym = l.rstrip('\n').split('\t')
        first.setdefault(base_member(ext) or os.path.basename(ext), (ref, sym))
    for mem, (ref, sym) in first.items():
        e = inc.get('obj:' + mem)
        if not e:
            fail('why-extract member %s has no includes edge' % mem)
            continue
        got = e.get('attrs', {}).get('symbol')
        if got != sym:
            fail('%s: slim says pulled by %r, --why-extract %r' % (mem, got, sym))

for b in bad:
    print('FAIL %s %s: %s' % (linker, os.path.basename(js), b))
sys.exit(1 if bad else 0)
