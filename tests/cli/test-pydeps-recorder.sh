#!/bin/bash
# The Python recorder is one real Python file (pydeps/recorder.py) that
# slim embeds at build time and `slim pydeps record --print-recorder`
# prints, to run where slim is not installed (an image, a container):
#   - it compiles (python3 -m py_compile), and the binary prints exactly
#     the file of this tree;
#   - run standalone with python3.11 on a real workload (the samples'
#     highlight.py under wrap.py, which dumps sys.modules at exit: Python's
#     own answer), its trace is the one `slim pydeps record` writes, line
#     for line, and slim pydeps makes the same JSON of both; every module
#     Python loaded from a file is a `loads` edge of that JSON;
#   - the same for a -m module (json.tool), whose output is untouched;
#   - SLIM_PYTRACE_OUT names the trace; --print-recorder takes no program.
. "$ROOT/tests/cli/lib.sh"
need python3.11 python3.11
PY=/usr/bin/python3.11
$PY -c 'import pygments' 2> /dev/null || die "this test needs pygments: apt-get install python3-pygments"
W=$ROOT/samples/python
ROOTS="--root /usr/lib/python3.11 --root /usr/lib/python3/dist-packages"

PYTHONPYCACHEPREFIX=$PWD/pyc python3 -m py_compile "$ROOT/pydeps/recorder.py" ||
	die "pydeps/recorder.py does not compile"
expect_rc 0 "$SLIM" pydeps record --print-recorder > rec.py
cmp -s rec.py "$ROOT/pydeps/recorder.py" ||
	die "--print-recorder differs from pydeps/recorder.py (rebuild slim)"

# standalone in a/, through slim in b/: the same trace, the same JSON
mkdir a b
# (wrap.py's dump is opened, so traced: one name for both runs)
(cd a && $PY ../rec.py "$W/wrap.py" ../w.mods "$W/highlight.py" "$W/sample.c" c > out.txt) ||
	die "the printed recorder failed on highlight.py"
mv w.mods a.mods
(cd b && "$SLIM" pydeps record -- $PY "$W/wrap.py" ../w.mods "$W/highlight.py" "$W/sample.c" c > out.txt) ||
	die "slim pydeps record failed on highlight.py"
cmp -s a/out.txt b/out.txt || die "the workload's output differs under the two recorders"
[ -s a/out.txt ] || die "highlight.py printed nothing"
[ -f a/slim-pytrace.txt ] || die "the printed recorder wrote no slim-pytrace.txt"
diff <(sort a/slim-pytrace.txt) <(sort b/slim-pytrace.txt) > trace.diff ||
	{ head trace.diff; die "the printed recorder's trace differs from slim pydeps record's"; }
(cd a && "$SLIM" pydeps --json --trace slim-pytrace.txt $ROOTS > ../a.json 2> /dev/null) || die "slim pydeps on a/"
(cd b && "$SLIM" pydeps --json --trace slim-pytrace.txt $ROOTS > ../b.json 2> /dev/null) || die "slim pydeps on b/"
cmp -s a.json b.json || die "slim pydeps: the two traces give different reports"
python3 - a.json a.mods <<'PYEOF' || die "a module Python loaded is not used in the report"
import json, sys
rep = json.load(open(sys.argv[1]))
used = {e["to"][3:] for e in rep["edges"] if e["kind"] == "loads"}
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[2])]
need = {r[0] for r in rows if r[2] and r[1] == r[0] and not r[0].startswith("_frozen_importlib")
        and r[0] != "__main__"}
miss = sorted(need - used)
assert len(need) > 50, "only %d modules loaded" % len(need)
assert not miss, "not used: %s" % miss[:10]
PYEOF

# a -m module, the trace named by SLIM_PYTRACE_OUT
echo '{"b": 1, "a": [2, 3]}' > in.json
rm -rf a b && mkdir a b
(cd a && SLIM_PYTRACE_OUT=$PWD/m.txt $PY ../rec.py -m json.tool --sort-keys ../in.json > out.txt) ||
	die "the printed recorder failed on -m json.tool"
(cd b && "$SLIM" pydeps record -o m.txt -- $PY -m json.tool --sort-keys ../in.json > out.txt 2> err.txt) ||
	die "slim pydeps record -m json.tool failed"
grep -qx "slim: wrote m.txt" b/err.txt || die "pydeps record -o m.txt: not named on stderr"
$PY -m json.tool --sort-keys in.json > want.txt
cmp -s a/out.txt want.txt || die "json.tool's output differs under the printed recorder"
cmp -s b/out.txt want.txt || die "json.tool's output differs under slim pydeps record"
[ ! -e a/slim-pytrace.txt ] && [ -f a/m.txt ] || die "SLIM_PYTRACE_OUT not honored"
diff <(sort a/m.txt) <(sort b/m.txt) > m.diff || { head m.diff; die "-m: the traces differ"; }
grep -qx "module	json.tool	/usr/lib/python3.11/json/tool.py" a/m.txt || die "-m: json.tool not in the trace under its own name"

expect_rc 2 "$SLIM" pydeps record --print-recorder -- $PY x.py > out.txt 2> err.txt
one_line err.txt
grep -q "^slim pydeps record: .*; see slim pydeps record --help$" err.txt || die "$(cat err.txt)"
echo "ok: the printed recorder compiles, equals pydeps/recorder.py, and records highlight.py and -m json.tool as slim pydeps record does"
