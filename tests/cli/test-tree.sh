#!/bin/bash
# slim report DIR: a directory is its own root file system (issue #14),
# judged against tools slim did not write, on a tree built here from this
# machine's real files:
#   /usr/bin/curl with every library ldd lists (at their real paths, with
#   the SONAME symlinks, merged-/usr links, and an ld.so.cache made by
#   `ldconfig -r`), a Python standard library subset with one extension
#   module (_bz2, whose libbz2 only it loads), a planted orphan (a real
#   libjansson nothing needs), a planted duplicate (a second libz under
#   opt/), data files (two equal, one hardlinked to one of them).
#  1. the tree runs: `chroot ROOT /usr/bin/curl --version` works, and
#     ld.so's own list inside the root (`chroot ROOT ld.so --list`) is
#     exactly the libraries slim's needs edges reach from the program;
#  2. the orphan is found (likely) and nothing the program or the
#     extension module loads is one; data files and Python files are in
#     no prune list; the likely prune list deleted in a copy of the tree
#     leaves curl running with the same output (prune-and-rerun), and
#     `slim diff ROOT COPY` names exactly those paths as removed;
#  3. duplicates equal `jdupes -r`'s sets (hardlinks are one file);
#  4. every file node's id is KIND:PATH with PATH relative to the root,
#     and two copies of the tree under other names, and the tree as a
#     tar.zst, give the same ids and findings; --entry with a leading "/"
#     is the same root;
#  5. bad use: an --entry not in the tree, --include other than likely,
#     --prune-list without a directory, two trees in one run (their ids
#     would collide): one line, exit 2.
. "$ROOT/tests/cli/lib.sh"
. "$ROOT/tests/cli/tree-lib.sh"
need jdupes jdupes
need ldconfig libc-bin
need ldd libc-bin
need chroot coreutils
need python3 python3
[ "$(id -u)" = 0 ] || die "this test needs root (chroot runs the tree's program)"
[ -x /usr/bin/curl ] || die "this test needs /usr/bin/curl: apt-get install curl (or make deps)"
py=/usr/lib/python3.11
[ -f $py/lib-dynload/_bz2.cpython-311-x86_64-linux-gnu.so ] || die "this test needs python3.11's _bz2: apt-get install python3 (or make deps)"

tree_init "$PWD/root"
mkdir -p "$R/etc/ssl" "$R/opt/vendor"
ext=$py/lib-dynload/_bz2.cpython-311-x86_64-linux-gnu.so
closure /usr/bin/curl
py_subset
# the planted orphan and duplicate, data
orphan=usr/lib/x86_64-linux-gnu/$(basename "$(readlink -f /usr/lib/x86_64-linux-gnu/libjansson.so.4)")
cp "/$orphan" "$R/$orphan" || die "this test needs libjansson4 (make deps)"
ldd /usr/bin/curl | grep -q libjansson && die "curl needs libjansson here: pick another orphan"
zreal=$(readlink -f /usr/lib/x86_64-linux-gnu/libz.so.1)
cp "$zreal" "$R/opt/vendor/libz.so.1"
cp /etc/ssl/certs/ca-certificates.crt "$R/etc/ssl/ca.crt" 2>/dev/null || echo certs > "$R/etc/ssl/ca.crt"
echo 'same = 1' > "$R/etc/a.conf"; echo 'same = 1' > "$R/etc/b.conf"; ln "$R/etc/a.conf" "$R/etc/c.conf"
tree_done

# --- 1. the tree runs, and ld.so inside it loads what slim resolved -------
chroot "$R" /usr/bin/curl --version > want.txt || die "curl does not run in the tree"
chroot "$R" /lib64/ld-linux-x86-64.so.2 --list /usr/bin/curl > ldso.txt || die "ld.so --list in the tree"
$SLIM report "$R" --json -o r.json 2> err.txt || { cat err.txt; die "slim report DIR failed"; }
$SLIM report "$R" --entry /usr/bin/curl --json -o e.json 2> /dev/null || die "--entry /usr/bin/curl"
python3 - "$R" ldso.txt r.json e.json "$orphan" <<'PY' || die "closure/orphan check"
import json, os, sys
R, ldso, rep, ent, orphan = sys.argv[1:]
def inroot(p):
    # resolve p inside R as the loader in the chroot does
    parts, done, n = [x for x in p.split('/') if x], '', 0
    while parts:
        c = parts.pop(0)
        if c in ('', '.'): continue
        if c == '..': done = os.path.dirname(done); continue
        nxt = done + '/' + c
        if os.path.islink(R + nxt):
            n += 1; assert n < 40
            t = os.readlink(R + nxt)
            parts = [x for x in t.split('/') if x] + parts
            if t.startswith('/'): done = ''
            continue
        done = nxt
    return done.lstrip('/')
truth = set()
for line in open(ldso):
    w = line.split()
    path = w[2] if '=>' in w else w[0]
    if path.startswith('/'): truth.add(inroot(path))
for name in (rep, ent):
    r = json.load(open(name))
    nodes = {n['id']: n for n in r['nodes']}
    adj = {}
    for e in r['edges']:
        if e['kind'] == 'needs': adj.setdefault(e['from'], []).append(e['to'])
    seen, todo = set(), ['exe:usr/bin/curl']
    while todo:
        u = todo.pop()
        if u in seen: continue
        seen.add(u); todo += adj.get(u, [])
    got = {nodes[i]['attrs']['path'] for i in seen if i != 'exe:usr/bin/curl'}
    if got != truth:
        print(name, 'slim only:', sorted(got - truth), 'ld.so only:', sorted(truth - got)); sys.exit(1)
    orph = {f['node'] for f in r['findings'] if f['kind'] == 'orphan-library'}
    if 'lib:' + orphan not in orph: print(name, 'orphan not found', sorted(orph)); sys.exit(1)
    conf = {f['confidence'] for f in r['findings'] if f['kind'] == 'orphan-library'}
    if conf != {'likely'}: print(name, 'orphans are likely, not', conf); sys.exit(1)
    needed = {'lib:' + p for p in truth} | {'lib:' + p for p in got}
    if orph & needed: print(name, 'needed library called orphan', orph & needed); sys.exit(1)
    # the extension module's library (libbz2) is live: a kept module's
    bz = [i for i in nodes if 'libbz2' in i]
    if not bz or set(bz) & orph: print(name, 'libbz2 (needed by _bz2) is', bz, orph); sys.exit(1)
    prune = r['totals']['tree']['prune']
    for p in prune:
        cat = nodes[[i for i in nodes if nodes[i].get('attrs', {}).get('path') == p['path']][0]]['attrs']['category']
        if cat != 'elf': print(name, 'non-ELF file in the prune list', p); sys.exit(1)
    trees = [t['path'] for t in r['totals']['tree']['python_trees']]
    if trees != ['usr/lib/python3.11']: print(name, 'python trees', trees); sys.exit(1)
print('closure', len(truth), 'libraries, as ld.so lists them in the root')
PY

# --- 2. prune-and-rerun: the likely list deleted in a copy ----------------
$SLIM report "$R" --prune-list proven.txt > /dev/null 2>&1 || die "--prune-list"
$SLIM report "$R" --prune-list likely.txt --include likely > /dev/null 2>&1 || die "--prune-list --include likely"
grep -qx "$orphan" likely.txt || die "the orphan $orphan is not in the likely prune list"
grep -qx "$orphan" proven.txt && die "a likely orphan is in the proven prune list"
grep -v '^usr/lib/x86_64-linux-gnu/\|^opt/' likely.txt && die "prune list holds more than libraries"
cp -a "$R" pruned
while read -r p; do rm -- "pruned/$p" || die "rm $p"; done < likely.txt
chroot pruned /usr/bin/curl --version > got.txt || die "curl no longer runs once the likely list is deleted"
cmp -s want.txt got.txt || die "curl's output changed once pruned"
echo "pruned: $(wc -l < likely.txt) files (likely), curl --version unchanged"
# two builds of a tree diff by path: the pruned copy lacks exactly the
# files deleted, named as the prune list names them
$SLIM diff --json "$R" pruned > diff.json 2> diff.err || die "slim diff ROOT PRUNED"
python3 - diff.json likely.txt <<'PY' || die "the diff of the pruned tree is not the prune list"
import json, sys
d = json.load(open(sys.argv[1]))
gone = {n['id'].split(':', 1)[1] for n in d['nodes_removed']}
want = set(open(sys.argv[2]).read().split())
assert gone == want and not d['nodes_added'], (sorted(gone ^ want), d['nodes_added'])
PY

# --- 3. duplicates equal jdupes -r ---------------------------------------
jdupes -r -q "$R" > jd.txt || die "jdupes"
python3 "$ROOT/tests/cli/dupsets.py" "$R" jd.txt r.json || die "duplicates differ from jdupes -r"

# --- 4. ids are paths, the same under any directory name ------------------
python3 - r.json <<'PY' || die "ids are not KIND:PATH"
import json, sys
r = json.load(open(sys.argv[1]))
pre = {'exe': 'exe', 'lib': 'lib', 'object': 'obj', 'file': 'file'}
n = 0
for x in r['nodes']:
    a = x.get('attrs', {})
    if 'deployable' not in a: continue
    n += 1
    if x['id'] != pre[x['kind']] + ':' + a['path'] or a['path'].startswith('/'):
        print('bad id', x['id'], a['path']); sys.exit(1)
print(n, 'file nodes named by path')
PY
$SLIM report "$R" --json -o r-again.json 2> /dev/null || die "second run"
cmp -s r.json r-again.json || die "two runs on one tree are not byte-identical (threads must not reorder)"
mkdir other; cp -a "$R" other/another-name
$SLIM report other/another-name --json -o r2.json 2> /dev/null || die "report of the copy"
python3 - r.json r2.json <<'PY' || die "two copies of one tree differ"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
key = lambda r: (sorted(n['id'] for n in r['nodes']),
                 sorted((f['kind'], f['node'], f['bytes']) for f in r['findings']))
sys.exit(key(a) != key(b))
PY

# the same tree as a tar.zst (unpacked into a private directory by
# deploy_unpack()): the same ids and findings, named after the archive
need zstd zstd
tar -C "$R" --zstd -cf tree.tar.zst . || die "tar --zstd"
$SLIM report tree.tar.zst --json -o r3.json 2> /dev/null || die "report of the tar.zst"
python3 - r.json r3.json <<'PY' || die "the tar.zst and the directory differ"
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
key = lambda r: (sorted(n['id'] for n in r['nodes']),
                 sorted((f['kind'], f['node'], f['bytes']) for f in r['findings']))
assert key(a) == key(b)
assert b['inputs'] == [{'kind': 'archive', 'path': 'tree.tar.zst'}], b['inputs']
assert b['totals']['tree']['root'] == 'tree.tar.zst'
PY

# --- 5. bad use ------------------------------------------------------------
expect_rc 2 $SLIM report "$R" --entry usr/bin/nothere > /dev/null 2> bad.txt
one_line bad.txt; grep -q "nothere: no such file inside the tree" bad.txt || die "$(cat bad.txt)"
expect_rc 2 $SLIM report "$R" --include proven > /dev/null 2> bad.txt
grep -q "include" bad.txt || die "--include proven: $(cat bad.txt)"
expect_rc 2 $SLIM report /usr/bin/curl --prune-list x.txt > /dev/null 2> bad.txt
one_line bad.txt; grep -q "needs a directory input" bad.txt || die "$(cat bad.txt)"
[ ! -e x.txt ] || die "a prune list was written without a tree"
expect_rc 2 $SLIM report "$R" other/another-name > /dev/null 2> bad.txt
one_line bad.txt; grep -q "^slim: other/another-name: one deployable per run" bad.txt || die "two trees: $(cat bad.txt)"
echo "ok"
