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
#     are "not found", never resolved on the host.
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
echo ok
