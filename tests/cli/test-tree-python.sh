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
#  3. data files are in no prune list;
#  4. --entry of a module file (usr/lib/python3.11/json/__init__.py): json
#     is used under its own name, its imports kept, and the proven list
#     deleted leaves `import json` printing the same; a package's
#     directory names its __main__.py (python -m), else its __init__.py;
#  5. a trace recorded in the root by the recorder `slim pydeps record
#     --print-recorder` prints: a library the workload loads through
#     ctypes by a name it computes (no string holds it) is kept by a
#     dlopens edge from the trace (evidence "trace"), and is an orphan
#     with the importtime trace, which records no loads;
#  6. --prune-data: with the record trace, data files no recorded run
#     opened are in the likely list (unopened-data, never proven), and an
#     unused package's data files go with it; without --prune-data, or
#     with an importtime trace, no data file is in any list.
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

# --- 4. --entry of a module file ------------------------------------------
jw='import json; print(json.dumps({"x": [1.5, None]}, indent=1)); print(json.loads("{\"y\": [true]}"))'
chroot "$R" /usr/bin/python3.11 -B -c "$jw" > want4.txt || die "json in the root"
$SLIM report "$R" --entry /usr/bin/python3.11 --entry usr/lib/python3.11/json/__init__.py \
	--prune-list em.txt --json -o em.json > /dev/null 2> err.txt || { cat err.txt; die "report --entry MODULE"; }
python3 - em.json em.txt <<'PY' || die "--entry MODULE"
import json, sys
r = json.load(open(sys.argv[1]))
m = {n['id']: n['attrs'].get('classification') for n in r['nodes'] if n['kind'] == 'module'}
assert m.get('py:json') == 'used', m.get('py:json')
assert m.get('py:json.decoder') not in (None, 'unreferenced') and m.get('py:json.scanner') not in (None, 'unreferenced')
assert 'py:__main__' not in m and 'py:__init__' not in m, 'the module was taken for a script'
l = open(sys.argv[2]).read().split()
kept = ['usr/lib/python3.11/json/%s.py' % x for x in ('__init__', 'decoder', 'encoder', 'scanner')]
assert not set(kept) & set(l), sorted(set(kept) & set(l))
assert [p for p in l if p.endswith('.py')], 'no module in the proven list'
PY
# a package named by its directory: json/ (no __main__.py) is its
# __init__.py, the same list; venv/ is what `python -m venv` runs, its
# __main__.py, used, and the package with it
$SLIM report "$R" --entry /usr/bin/python3.11 --entry usr/lib/python3.11/json/ --prune-list ed.txt > /dev/null 2>&1 ||
	die "--entry PACKAGE-DIR"
cmp -s em.txt ed.txt || die "--entry json/ and --entry json/__init__.py differ"
$SLIM report "$R" --entry /usr/bin/python3.11 --entry /usr/lib/python3.11/venv --json -o ev.json > /dev/null 2>&1 ||
	die "--entry venv"
python3 -c "
import json, sys
m = {n['id']: n['attrs'].get('classification') for n in json.load(open('ev.json'))['nodes'] if n['kind'] == 'module'}
assert m.get('py:venv.__main__') == 'used' and m.get('py:venv') not in (None, 'unreferenced'), (m.get('py:venv.__main__'), m.get('py:venv'))
assert m.get('py:json') == 'unreferenced', m.get('py:json')" || die "--entry venv: venv.__main__ not used"
rm -rf pruned; cp -a "$R" pruned
while read -r p; do rm -- "pruned/$p" || die "rm $p"; done < em.txt
chroot pruned /usr/bin/python3.11 -B -c "$jw" > got4.txt || die "import json fails once the --entry list is deleted"
cmp -s want4.txt got4.txt || die "json's output changed once pruned"
echo "entry module: $(wc -l < em.txt) files deleted, json prints the same"

# --- 5. a record trace's loads keep a library dlopen'd by a computed name --
need gcc build-essential
mkdir -p "$R/opt/x" "$R/proc"   # the recorder reads /proc/self/maps
echo 'int zq(int n) { return n + 1; }' > zq.c
gcc -shared -fPIC -o "$R/opt/x/libzqcalc7.so" zq.c || die "gcc"
printf 'import ctypes\nprint(ctypes.CDLL("/opt/x/" + "libzq" + "calc" + str(3 + 4) + ".so").zq(41))\n' > "$R/opt/x/cw.py"
$SLIM pydeps record --print-recorder > "$R/rec.py" || die "--print-recorder"
SLIM_PYTRACE_OUT=/rt.txt with_proc "$R" chroot "$R" /usr/bin/python3.11 -B /rec.py /opt/x/cw.py > cw.txt ||
	die "the recorder does not run in the root"
mv "$R/rt.txt" rt.txt && rm "$R/rec.py"
[ "$(cat cw.txt)" = 42 ] || die "the workload printed $(cat cw.txt)"
grep -q $'^load\t/opt/x/libzqcalc7.so$' rt.txt || die "the trace does not show the library loaded"
$SLIM report "$R" --entry /usr/bin/python3.11 --py-trace rt.txt --json -o rt.json > /dev/null 2> err.txt || { cat err.txt; die "report --py-trace RECORD"; }
$SLIM report "$R" --entry /usr/bin/python3.11 --py-trace trace.txt --json -o it.json > /dev/null 2> /dev/null || die "report --py-trace IMPORTTIME"
python3 - rt.json it.json <<'PY' || die "the recorded load"
import json, sys
rt, it = (json.load(open(f)) for f in sys.argv[1:3])
lib = 'lib:opt/x/libzqcalc7.so'
orph = lambda r: {f['node'] for f in r['findings'] if f['kind'] == 'orphan-library'}
assert lib not in orph(rt), 'an orphan although the recorded run loaded it'
e = [(e['from'], e['attrs']['evidence']) for e in rt['edges'] if e['kind'] == 'dlopens' and e['to'] == lib]
assert e == [('trace:rt.txt', 'trace')], e
assert lib in orph(it), 'no orphan with a trace that records no loads: what keeps it?'
# the program that ran is mapped too: a loads edge, not a dlopens one
p = [(e['kind'], e['attrs']['evidence']) for e in rt['edges'] if e['from'] == 'trace:rt.txt' and e['to'] == 'exe:usr/bin/python3.11']
assert p == [('loads', 'trace')], p
print(lib, 'kept by the record trace (dlopens, evidence trace); an orphan with the importtime trace')
PY

# --- 6. --prune-data --------------------------------------------------------
isdata='import json, sys
r = json.load(open(sys.argv[1]))
cat = {n["attrs"]["path"]: n["attrs"].get("category") for n in r["nodes"] if "deployable" in n.get("attrs", {})}
pr = {e["path"]: e for e in r["totals"]["tree"]["prune"]}
data = [p for p in open(sys.argv[2]).read().split() if cat.get(p) not in ("elf", "python")]'
for t in "rt.txt --prune-data" "rt.txt" "trace.txt --prune-data"; do
	set -- $t
	$SLIM report "$R" --entry /usr/bin/python3.11 --py-trace "$@" --include likely --prune-list pd.txt --json -o pd.json \
		> /dev/null 2> /dev/null || die "report --py-trace $t"
	if [ "$t" = "rt.txt --prune-data" ]; then
		python3 -c "$isdata
un = [p for p in data if pr[p]['finding'] == 'unopened-data']
assert un and 'etc/ld.so.cache' in un, un[:3]
assert all(pr[p]['confidence'] == 'likely' for p in un)
# the rest: data files of a package pydeps proves unused, going with it
assert all(pr[p]['finding'] == 'prunable-module' for p in data if p not in un), [pr[p] for p in data if p not in un][:3]
print(len(un), 'unopened-data (likely) and', len(data) - len(un), 'data files of unused packages in the list with --prune-data and the record trace')" pd.json pd.txt || die "--prune-data"
	else
		python3 -c "$isdata
assert not data, data[:3]" pd.json pd.txt || die "data files in a prune list with --py-trace $t"
	fi
done
echo "no data file in a list without --prune-data, nor with an importtime trace"
echo ok
