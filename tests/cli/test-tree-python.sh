#!/bin/bash
# A deployable with a Python installation, judged by a trace recorded
# inside it (issue #14): /usr/bin/python3.11 with its libraries, every
# library its lib-dynload extension modules need, and the standard
# library, all at their real paths in a root made here; the workload runs
# in the root (chroot) under -X importtime.
#  1. without a trace the Python tree is reported and none of it is
#     pruned (no Python file in any prune list), and the extension
#     modules' libraries are no orphans;
#  2. with the trace, the proven prune list (Python modules nothing
#     traced reaches) deleted in a copy of the root leaves the workload
#     printing the same on the traced input and on an input the trace
#     never saw; so does the likely list (it adds the libraries only the
#     pruned extension modules loaded);
#  2b. the same with an entry script (--entry /app.py: pydeps' static
#     question from it; its #! interpreter, found through env inside the
#     root, is the one ELF root): its proven list deleted, app.py prints
#     the same;
#  3. data files are in no prune list.
. "$ROOT/tests/cli/lib.sh"
. "$ROOT/tests/cli/tree-lib.sh"
need python3 python3
need python3.11 python3
need ldd libc-bin
need ldconfig libc-bin
need chroot coreutils
[ "$(id -u)" = 0 ] || die "this test needs root (chroot runs the tree's python)"
py=/usr/lib/python3.11
tree_init "$PWD/root"
closure /usr/bin/python3.11
for so in $py/lib-dynload/*.so; do
	for f in $(ldd "$so" | grep -o '/[^ ]*'); do place "$f"; done
done
cp -a $py "$R/usr/lib/" || die "cp $py"
rm -rf "$R$py/test"
find "$R$py" -name __pycache__ -prune -exec rm -rf {} +
tree_done
work='import json; print(json.dumps({"a": [1, 2]}))'
other='import json; print(json.loads("[3, {\"b\": null}]"))'
chroot "$R" /usr/bin/python3.11 -B -X importtime -c "$work" 2> trace.txt > want1.txt || die "python3.11 does not run in the root"
chroot "$R" /usr/bin/python3.11 -B -c "$other" > want2.txt || die "the other input"

# --- 1. no trace: the Python tree is reported, none of it pruned ----------
$SLIM report "$R" --entry /usr/bin/python3.11 --json -o r0.json 2> /dev/null || die "report without a trace"
$SLIM report "$R" --entry /usr/bin/python3.11 --prune-list l0.txt --include likely > /dev/null 2>&1 || die "prune list without a trace"
grep -q "python3.11/" l0.txt && die "Python files in a prune list without a trace: $(grep python3.11/ l0.txt | head -3)"
python3 - r0.json <<'PY' || die "no-trace report"
import json, sys
r = json.load(open(sys.argv[1]))
t = r['totals']['tree']
assert [p['path'] for p in t['python_trees']] == ['usr/lib/python3.11'], t['python_trees']
assert not t['python_trees'][0]['judged']
# every library an extension module needs is live: no orphan among them
nodes = {n['id']: n for n in r['nodes']}
ext = [i for i in nodes if '/lib-dynload/' in i]
needs = {}
for e in r['edges']:
    if e['kind'] == 'needs': needs.setdefault(e['from'], set()).add(e['to'])
deps = set().union(*(needs.get(i, set()) for i in ext))
orph = {f['node'] for f in r['findings'] if f['kind'] == 'orphan-library'}
assert deps and not (deps & orph), sorted(deps & orph)
print(len(ext), 'extension modules;', len(deps), 'libraries they need, none an orphan')
PY

# --- 2. with the trace: prune-and-rerun -----------------------------------
for inc in proven likely; do
	opt=; [ $inc = likely ] && opt="--include likely"
	$SLIM report "$R" --entry /usr/bin/python3.11 --py-trace trace.txt \
		--prune-list $inc.txt $opt > /dev/null 2> err.txt || { cat err.txt; die "report --py-trace"; }
	[ -s $inc.txt ] || die "nothing in the $inc prune list"
	grep -q '^usr/lib/python3.11/.*\.py$' $inc.txt || die "no Python module in the $inc prune list"
	grep -qx 'usr/lib/python3.11/json/__init__.py' $inc.txt && die "json, which the workload imports, is in the $inc prune list"
	rm -rf pruned; cp -a "$R" pruned
	while read -r p; do rm -- "pruned/$p" || die "rm $p"; done < $inc.txt
	chroot pruned /usr/bin/python3.11 -B -c "$work" > got1.txt || die "the workload fails once the $inc list is deleted"
	chroot pruned /usr/bin/python3.11 -B -c "$other" > got2.txt || die "the other input fails once the $inc list is deleted"
	cmp -s want1.txt got1.txt && cmp -s want2.txt got2.txt || die "output changed once the $inc list was deleted"
	echo "$inc: $(wc -l < $inc.txt) files deleted, the workload and an untraced input unchanged"
done
# --- 2b. an entry script instead of a trace (what it imports, statically;
# its interpreter from its #! line through env, an ELF root) -------------
printf '#!/usr/bin/env python3.11\nimport json, sys\nprint(json.dumps({"n": len(sys.argv)}))\nprint(json.loads("[1, {\\"x\\": 2}]"))\n' > "$R/app.py"
chroot "$R" /usr/bin/python3.11 -B /app.py a b > want3.txt || die "app.py does not run in the root"
$SLIM report "$R" --entry /app.py --prune-list script.txt --json -o s.json > /dev/null 2> err.txt ||
	{ cat err.txt; die "report --entry SCRIPT"; }
python3 -c "import json,sys; t=json.load(open(sys.argv[1]))['totals']['tree']; assert t['roots'] == ['exe:usr/bin/python3.11'], t['roots']; assert t['python_trees'][0]['judged']" s.json ||
	die "the script's #! interpreter is not the one ELF root, or the tree was not judged"
grep -q '^usr/lib/python3.11/.*\.py$' script.txt || die "no Python module in the script's prune list"
rm -rf pruned; cp -a "$R" pruned
while read -r p; do rm -- "pruned/$p" || die "rm $p"; done < script.txt
chroot pruned /usr/bin/python3.11 -B /app.py a b > got3.txt || die "app.py fails once its prune list is deleted"
cmp -s want3.txt got3.txt || die "app.py's output changed once pruned"
echo "script: $(wc -l < script.txt) files deleted, app.py unchanged"

# --- 3. data files are in no prune list -----------------------------------
$SLIM report "$R" --entry /usr/bin/python3.11 --py-trace trace.txt --json -o r1.json 2> /dev/null || die "json"
python3 - r1.json likely.txt <<'PY' || die "data file in a prune list"
import json, sys
r = json.load(open(sys.argv[1]))
cat = {n['attrs']['path']: n['attrs']['category'] for n in r['nodes'] if 'deployable' in n.get('attrs', {})}
bad = [p for p in open(sys.argv[2]).read().split() if cat.get(p) not in ('elf', 'python')]
assert not bad, bad[:5]
assert r['totals']['tree']['python_trees'][0]['judged']
PY
echo ok
