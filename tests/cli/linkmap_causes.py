#!/usr/bin/env python3
"""Ground truth for the cause of each discarded section
(tests/cli/test-linkmap-causes.sh).  Compares the sections
`slim linkmap MAP --by discarded` gives cause gc with the linker's own
--print-gc-sections output for the same link, and checks every other cause
against readelf (ground truth slim did not compute):

  gold      gc == --print-gc-sections, exactly, empty sections included.
  bfd       BFD prints no empty section (elflink.c _bfd_elf_gc_sweep():
            `o->size != 0`) and prints the members and .group records of
            duplicate COMDAT groups too (they are never marked): so
            non-empty gc + comdat == --print-gc-sections exactly, and the
            empty gc ones == the empty sections gold's --print-gc-sections
            names for the same link (GOLD_GC), where there is one.
  lld/mold  (derived from the objects) gc == --print-gc-sections, except
            the sections these linkers merge (SHF_MERGE per readelf -S:
            their maps show one merged section, not which input pieces
            stayed), .eh_frame (rewritten into pieces), and the members of
            an archive the map does not name at all (every member it
            loaded was discarded: nothing in the map says it was read).
  comdat    a member of a COMDAT group (readelf -g) of its file, or that
            group's .group record, whose signature another input's group
            also has (readelf -g of the inputs the trace names).
  merged    .note.gnu.property, .note.GNU-stack or a .group record.
  script    a section readelf -S shows as SHT_NOTE / init / fini (which
            --gc-sections never collects), and the link had a script.

usage: linkmap_causes.py LINKER MAPDIR GC TRACE SLIM_DISCARDED SCRIPT(0|1) MAP [GOLD_GC]
Prints a summary line, one line per mismatch; exits 1 on any.
"""
import collections, os, re, subprocess, sys

linker, mapdir, gc, trace, disc, script, map_path = sys.argv[1:8]
gold_gc = sys.argv[8] if len(sys.argv) > 8 else None
skipped = 0
bad = []


def gc_list(*files):
    out = collections.Counter()
    for f in files:
        for l in open(f, errors='replace'):
            l = l.rstrip('\n')
            m = (re.search(r"removing unused section '(.*)' in file '(.*)'$", l) or
                 re.search(r"removing unused section from '(.*)' in file '(.*)'$", l))
            if m:
                # BFD names a COMDAT member "NAME[SIGNATURE]"
                out[(m.group(2), re.sub(r'\[[^\[\]]*\]$', '', m.group(1)))] += 1
                continue
            m = re.search(r'removing unused section (.*):\((.*)\)$', l)
            if m:
                out[(m.group(1), m.group(2))] += 1
    return out


def full(path):
    return path if path.startswith('/') else os.path.join(mapdir, path)


secinfo = {}   # archive-or-object path -> {file key: [(name, type, flags, size)]}
groups = {}    # path -> {file key: [(signature, [member names])]}


def member_key(path, fileline):
    b = re.match(r'^.*[\(\[](.*)[\)\]]$', fileline)
    return path + '(' + os.path.basename(b.group(1)) + ')' if b else path


def readelf(path):
    if path in secinfo:
        return
    secinfo[path], groups[path] = {}, {}
    out = subprocess.run(['readelf', '-SgW', full(path)], capture_output=True,
                         text=True).stdout
    cur, grp = path, None
    for l in out.splitlines():
        m = re.match(r'^File: (.*)$', l)
        if m:
            cur = member_key(path, m.group(1))
            continue
        m = re.match(r'^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+\S+\s+\S+\s+(\S+)\s+\S+\s+(\S*)\s+\d+\s+\d+\s+\d+\s*$', l)
        if m:
            secinfo[path].setdefault(cur, []).append(
                (m.group(1), m.group(2), m.group(4), int(m.group(3), 16)))
            continue
        m = re.match(r"^COMDAT group section \[\s*\d+\] `\.group' \[(.*)\] contains", l)
        if m:
            grp = (m.group(1), [])
            groups[path].setdefault(cur, []).append(grp)
            continue
        m = re.match(r'^\s+\[\s*\d+\]\s+(\S+)\s*$', l)
        if m and grp:
            grp[1].append(m.group(1))


def sections(f):
    a = re.sub(r'\(.*\)$', '', f)
    readelf(a)
    return secinfo[a].get(f, [])


def grps(f):
    a = re.sub(r'\(.*\)$', '', f)
    readelf(a)
    return groups[a].get(f, [])


# the inputs of the link, from the linker's own trace (-t, -t -t, deps)
inputs = set()
for l in open(trace, errors='replace'):
    l = l.rstrip('\n')
    if l.startswith('removing') or l.startswith('#') or not l:
        continue
    for f in l.split('\t')[:2]:
        f = re.sub(r':\(.*\)$', '', f)
        m = re.match(r'^\((.*)\)(.*)$', f)        # bfd -t -t: (ARCHIVE)MEMBER
        if m:
            f = '%s(%s)' % (m.group(1), m.group(2))
        if re.search(r'\.o\)?$', f):
            inputs.add(f)
sig_files = collections.defaultdict(set)
for f in inputs:
    for s, _ in grps(f):
        sig_files[s].add(os.path.basename(f))

rows = []
for l in open(disc):
    if l.startswith('#'):
        continue
    size, f, sec, cause = l.rstrip('\n').split('\t')
    rows.append((int(size), f, sec, cause))
if not rows:
    bad.append('slim lists no discarded section')
by = collections.Counter(c for _, _, _, c in rows)
slim_gc = collections.Counter((f, s) for z, f, s, c in rows if c == 'gc')
truth = gc_list(gc, trace)
if not truth:
    bad.append('--print-gc-sections printed nothing: the sample is broken')

if linker == 'gold':
    want, got = truth, slim_gc
elif linker == 'bfd':
    want = truth
    got = collections.Counter((f, s) for z, f, s, c in rows if c in ('gc', 'comdat') and z)
    if gold_gc:
        g = gc_list(gold_gc)
        gold_empty = collections.Counter({k: v for k, v in g.items()
            if any(n == k[1] and z == 0 for n, _, _, z in sections(k[0]))})
        bfd_empty = collections.Counter((f, s) for z, f, s, c in rows if c == 'gc' and not z)
        if bfd_empty != gold_empty:
            bad.append('empty gc sections: only slim %s; only gold %s' % (
                sorted(bfd_empty - gold_empty)[:4], sorted(gold_empty - bfd_empty)[:4]))
else:
    def merged_away(k):
        return k[1] == '.eh_frame' or k[1] == '.note.gnu.property' or any(
            n == k[1] and 'M' in fl for n, _, fl, _ in sections(k[0]))
    # an archive none of whose members kept a section is not named in an
    # lld or mold map: nothing says it was searched (gtest-mold loads two
    # libgcc.a members lld takes from libgcc_s.so): left out, and counted
    maptext = open(map_path).read()
    def unnamed(k):
        a = re.match(r'^(.*?\.a)\(', k[0])
        return a is not None and (a.group(1) + '(') not in maptext
    skipped = sum(v for k, v in truth.items() if unnamed(k))
    want = collections.Counter({k: v for k, v in truth.items()
                                if not merged_away(k) and not unnamed(k)})
    got = slim_gc
if got != want:
    bad.append('gc: %d sections, --print-gc-sections %d; only slim %s; only the linker %s' % (
        sum(got.values()), sum(want.values()), sorted(got - want)[:4], sorted(want - got)[:4]))

for z, f, s, c in rows:
    if c == 'comdat':
        gs = grps(f)
        # readelf -gW cuts member names near 256 characters: a prefix
        mine = [sig for sig, mem in gs
                if any(n == s or (len(n) >= 200 and s.startswith(n)) for n in mem)]
        if s == '.group':
            mine = [sig for sig, _ in gs if len(sig_files[sig]) > 1]
        if not any(len(sig_files[sig]) > 1 for sig in mine):
            bad.append('comdat %s in %s: no COMDAT group of another input has it (readelf -g)' % (s, f))
    elif c == 'merged':
        if s not in ('.note.gnu.property', '.note.GNU-stack', '.group'):
            bad.append('merged %s in %s: not a note or group record' % (s, f))
    elif c == 'script':
        t = [ty for n, ty, _, _ in sections(f) if n == s]
        if script != '1' or not t or t[0] not in ('NOTE', 'INIT_ARRAY', 'FINI_ARRAY', 'PREINIT_ARRAY'):
            bad.append('script %s in %s: not a section --gc-sections keeps (readelf: %s), or no script' % (s, f, t))
    elif c != 'gc':
        bad.append('cause %r for %s in %s' % (c, s, f))

print('%s %s: %d discarded (%s); gc == --print-gc-sections: %d sections%s' % (
    linker, os.path.basename(disc), len(rows),
    ', '.join('%s %d' % kv for kv in sorted(by.items())), sum(want.values()),
    '; %d of an archive the map does not name left out' % skipped if skipped else ''))
for b in bad:
    print('FAIL %s %s: %s' % (linker, os.path.basename(disc), b))
sys.exit(1 if bad else 0)
