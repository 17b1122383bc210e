#!/bin/bash
# slim report DIR on a tree with what a deployable should not hold, or
# holds broken (issue #14, "Bad input"): none of it is an error for the
# whole run, nothing makes slim leave the tree or hang, and the rest of
# the tree is still analyzed.
#   - a truncated shared library and a truncated program (ELF headers
#     whose tables run past the end): inventoried (a truncated program
#     header table types a file "shared library", as filetype.c's rule for
#     any inconsistency says), one warning each at most, the good
#     program's closure still resolved;
#   - a FIFO and a character device: not files a deployable ships,
#     skipped (a FIFO opened for typing would hang the walk);
#   - a symlink loop, a dangling symlink, and an absolute symlink that
#     would leave the tree on the host (/etc/passwd): resolved inside the
#     tree only, so --entry through it names the tree's file or nothing;
#   - 400 nested directories: the walk does not recurse on input depth;
#   - a program whose libraries the tree lacks (the host has them): they
#     are "not found", never resolved on the host;
#   - walked as a user who cannot read a directory or a file of it
#     (nobody, with setpriv): one warning each naming the path, the
#     directory left out, the file inventoried as data, exit 0;
#   - the inventory (the walk runs on two threads) in fts order: the
#     files' nodes in the order of a sorted pre-order walk.
. "$ROOT/tests/cli/lib.sh"
need python3 python3
need mkfifo coreutils
[ -x /usr/bin/true ] || die "needs /usr/bin/true (coreutils)"
R=$PWD/root
mkdir -p "$R/usr/bin" "$R/usr/lib/x86_64-linux-gnu" "$R/etc"
ln -s usr/lib "$R/lib"; mkdir -p "$R/usr/lib64"; ln -s usr/lib64 "$R/lib64"
for f in /usr/bin/true $(ldd /usr/bin/true | grep -o '/[^ ]*'); do
	r=$(readlink -f "$f"); mkdir -p "$R$(dirname "$r")"; cp "$r" "$R$r"
done
ln -s /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$R/usr/lib64/ld-linux-x86-64.so.2"
libc=$(readlink -f /lib/x86_64-linux-gnu/libc.so.6)
# a program whose libraries the tree lacks (the host has them): not found,
# never the host's
cp /usr/bin/curl "$R/usr/bin/curl" || die "needs /usr/bin/curl (make deps)"
head -c 200 "$(readlink -f /usr/lib/x86_64-linux-gnu/libjansson.so.4)" > "$R/usr/lib/x86_64-linux-gnu/libtrunc.so.1" ||
	die "needs libjansson4 (make deps)"
head -c 100 /usr/bin/true > "$R/usr/bin/trunc"
mkfifo "$R/etc/fifo"
mknod "$R/etc/null" c 1 3 || die "mknod (needs root)"
ln -s loop2 "$R/etc/loop1"; ln -s loop1 "$R/etc/loop2"
ln -s /nonexistent "$R/etc/dangling"
ln -s /etc/passwd "$R/usr/bin/escape"
d="$R/deep"; for i in $(seq 400); do d="$d/d"; done; mkdir -p "$d"; echo x > "$d/f"
ldconfig -r "$R" 2> /dev/null

timeout 60 $SLIM report "$R" --json -o r.json 2> err.txt; rc=$?
[ $rc = 0 ] || { cat err.txt; die "exit $rc on a tree with broken files, want 0"; }
grep -v '^slim: wrote' err.txt | grep -v '^slim: warning: ' && die "an error line for a file of the tree"
python3 - r.json "$libc" <<'PY' || die "the tree's inventory"
import json, sys
r = json.load(open(sys.argv[1])); libc = sys.argv[2].lstrip('/')
ids = {n['id']: n for n in r['nodes']}
for want in ('lib:usr/lib/x86_64-linux-gnu/libtrunc.so.1', 'lib:usr/bin/trunc', 'file:deep/' + 'd/' * 400 + 'f'):
    assert want in ids, ('missing', want[:80])
assert not any(i.endswith(('etc/fifo', 'etc/null', 'loop1', 'dangling', 'escape')) for i in ids), 'a non-file inventoried'
# the good program's closure is resolved inside the tree
needs = {(e['from'], e['to']) for e in r['edges'] if e['kind'] == 'needs'}
assert ('exe:usr/bin/true', 'lib:' + libc) in needs, sorted(needs)
assert all(not n.get('attrs', {}).get('path', 'x').startswith('/') for n in r['nodes'] if 'deployable' in n.get('attrs', {}))
curl = {e['to']: e['attrs'] for e in r['edges'] if e['kind'] == 'needs' and e['from'] == 'exe:usr/bin/curl'}
assert curl.get('lib:libcurl.so.4', {}).get('found') is False, curl
assert not any(n.get('attrs', {}).get('path', '').startswith('/') for n in r['nodes']), 'a host path'
print(len(ids), 'nodes; the broken files inventoried, the rest resolved')
PY
# --entry through an absolute symlink: resolved inside the tree (its
# /etc/passwd does not exist), never the host's
expect_rc 2 $SLIM report "$R" --entry usr/bin/escape > /dev/null 2> bad.txt
one_line bad.txt; grep -q "escape: no such file inside the tree" bad.txt || die "$(cat bad.txt)"
# as a user who cannot read one directory and one file of the tree
need setpriv util-linux
U=$(mktemp -d /tmp/slim-unread.XXXXXX); chmod 755 "$U"
mkdir -p "$U/t/open/sub" "$U/t/shut"
echo a > "$U/t/open/a.txt"; echo b > "$U/t/open/sub/b.txt"; echo c > "$U/t/shut/c.txt"
echo 'print(1)' > "$U/t/open/secret.py"
chmod 000 "$U/t/shut" "$U/t/open/secret.py"
cp "$SLIM" "$U/slim"; chmod 755 "$U/slim"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$U/slim" report "$U/t" --json > "$U/u.json" 2> unread.txt
rc=$?; chmod 755 "$U/t/shut"
[ $rc = 0 ] || { cat unread.txt; rm -rf "$U"; die "exit $rc as a user who cannot read part of the tree, want 0"; }
grep -q "^slim: warning: $U/t/shut: .*cannot read: Permission denied (left out of the inventory)" unread.txt &&
grep -q "^slim: warning: $U/t/open/secret.py: cannot read: Permission denied (inventoried as data)" unread.txt &&
[ "$(wc -l < unread.txt)" = 2 ] ||
	{ cat unread.txt; rm -rf "$U"; die "the unreadable directory and file's warnings"; }
python3 - "$U/u.json" <<'PY' || { rm -rf "$U"; die "the inventory of a partly unreadable tree"; }
import json, sys
ids = {n['id']: n for n in json.load(open(sys.argv[1]))['nodes']}
assert set(ids) == {'file:open/a.txt', 'file:open/sub/b.txt', 'file:open/secret.py'}, sorted(ids)
assert ids['file:open/secret.py']['attrs']['category'] == 'data', ids['file:open/secret.py']
PY
rm -rf "$U"
# the inventory's order is fts's (pre-order, siblings by name): a
# duplicate set lists its paths in that order, so files of one content
# under names that sort differently as paths and as siblings ("a/z"
# before "a b" and "a-c/x/w": a directory's entries come before its next
# sibling) show it
mkdir -p ord/a ord/a.b ord/a-c/x ord/a/b
for f in a/z a.b/y a-c/x/w a/b/v 'a b' a0 A; do echo same > "ord/$f"; done
$SLIM report ord --json -o ord.json 2> /dev/null || die "report on the ordering tree"
python3 - ord.json ord <<'PY' || die "the inventory's order is not fts's"
import json, os, sys
want = []
for d, ds, fs in os.walk(sys.argv[2]):
    want += [os.path.relpath(os.path.join(d, f), sys.argv[2]) for f in fs]
want.sort(key=lambda p: p.encode().replace(b'/', b'\x00'))
got = [f['attrs']['paths'] for f in json.load(open(sys.argv[1]))['findings']
       if f['kind'] == 'duplicate-file']
assert got == [want], (got, want)
PY
echo ok
