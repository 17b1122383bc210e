#!/bin/bash
# Hostile and broken inputs to `slim pydeps`: malformed trace lines, binary
# garbage, a 100 MB line, symlink loops and dangling links in a tree, a
# corrupt zip and a truncated wheel.  Each is a warning naming the file and
# the line or offset; the rest is still analyzed; never a crash or a hang;
# a missing input is one error line and exit 2.
source "$ROOT/tests/cli/lib.sh"
PY=/usr/bin/python3
[ -x $PY ] || die "this test needs $PY: apt-get install python3"

# a small tree: pkg with two modules, one imported by the other
mkdir -p tree/pkg
echo 'from . import b, binary, deep' > tree/pkg/a.py
echo 'import json' > tree/pkg/b.py
: > tree/pkg/__init__.py
echo 'x = 1' > tree/lone.py
# sources a scanner must survive: binary bytes, unterminated strings and
# brackets, 3000 nested blocks (no recursion on depth)
head -c 200000 /dev/urandom > tree/pkg/binary.py
printf 'x = """never closed\nimport nope\n' >> tree/pkg/binary.py
$PY -c 'print("".join(" " * i + "if x:\n" for i in range(3000)) + " " * 3000 + "import lone\n" + "f(" * 5000)' > tree/pkg/deep.py

used() {  # used JSON MODULE: the module's classification is "used"
	$PY -c 'import json,sys; n={x["id"]:x for x in json.load(open(sys.argv[1]))["nodes"]}; sys.exit(n["py:"+sys.argv[2]]["attrs"]["classification"]!="used")' "$1" "$2"
}
run() {   # run NAME ARGS...: slim must exit 0 and not crash
	timeout 60 "$SLIM" pydeps --json "${@:2}" > "$1.json" 2> "$1.err"
	local rc=$?
	[ $rc = 0 ] || { cat "$1.err"; die "$1: exit $rc, want 0"; }
}

# 1. malformed importtime lines: a warning with file and line, rest kept
printf 'import time: self [us] | cumulative | imported package\nimport time:   12 |   12 |   pkg\nimport time: garbage | here\nimport time:   5 |  20 |   pkg.a\nprogram output\n' > it.txt
run it --trace it.txt --root tree --no-auto-roots
grep -q "^slim: warning: it.txt: line 3: malformed importtime line" it.err || { cat it.err; die "no line-3 warning"; }
used it.json pkg.a || die "pkg.a not used after a malformed line"
$PY -c 'import json; e={(x["from"],x["to"]):x["attrs"]["tag"] for x in json.load(open("it.json"))["edges"] if x["kind"]=="imports"}; assert e[("py:pkg.deep","py:lone")]=="top-level", e' ||
	die "import under 3000 nested blocks not found"

# 2. binary garbage as a trace, alongside a good one
head -c 300000 /dev/urandom > garbage.bin
printf 'pkg\npkg.a\n' > good.txt
run garbage --trace garbage.bin --trace good.txt --root tree --no-auto-roots
grep -q "garbage.bin: line [0-9]*: not a module name" garbage.err || die "no garbage warning"
used garbage.json pkg.a || die "good trace lost next to garbage"

# 3. a 100 MB line, bounded memory (the trace is mapped, not copied)
[ -x /usr/bin/time ] || die "this test needs /usr/bin/time: apt-get install time"
{ head -c 100000000 /dev/zero | tr '\0' a; printf '\npkg.a\n'; } > long.txt
/usr/bin/time -f %M -o long.rss timeout 60 "$SLIM" pydeps --json --trace long.txt \
	--root tree --no-auto-roots > long.json 2> long.err || die "long line: slim failed"
grep -q "long.txt: line 1: not a module name (line too long)" long.err || { cat long.err; die "no long-line warning"; }
used long.json pkg.a || die "module after the long line lost"
[ "$(tail -1 long.rss)" -lt 300000 ] || die "long line: max RSS $(tail -1 long.rss) KiB"
rm -f long.txt

# 4. symlink loops, a link chain that never resolves, a dangling link
ln -s .. tree/pkg/loop
ln -s ../pkg tree/pkg/again
ln -s chain2 tree/pkg/chain1.py; ln -s chain1.py tree/pkg/chain2
ln -s /nonexistent/x.py tree/pkg/dangling.py
run loop --trace good.txt --root tree --no-auto-roots
grep -q "tree/pkg/loop: .*symlink loop" loop.err || { cat loop.err; die "no loop warning"; }
grep -q "chain1.py: offset 0x0: cannot stat" loop.err || { cat loop.err; die "no ELOOP warning"; }
grep -q "dangling.py: offset 0x0: cannot stat" loop.err || die "no dangling warning"
used loop.json pkg.a || die "tree with loops not analyzed"

# 5. a real wheel (made by Python's zipfile), then corrupt and truncated
$PY - <<'PYEOF'
import zipfile
with zipfile.ZipFile("w.whl", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("wpkg/__init__.py", "from . import core\n")
    z.writestr("wpkg/core.py", "import os\n")
    z.writestr("wpkg/data/x.json", "{}\n")
    z.writestr("wpkg-1.0.dist-info/RECORD", "wpkg/__init__.py,,\n")
PYEOF
printf 'wpkg\n' > w.txt
run wheel --trace w.txt --root w.whl --root tree --no-auto-roots
used wheel.json wpkg || die "module in a wheel not listed"
$PY -c 'import json; n={x["id"] for x in json.load(open("wheel.json"))["nodes"]}; assert "py:wpkg.core" in n' || die "wpkg.core not in the wheel's inventory"
head -c 120 /dev/urandom > bad.zip
sz=$(stat -c %s w.whl); head -c $((sz - 30)) w.whl > cut.whl
run zips --trace good.txt --root bad.zip --root cut.whl --root tree --no-auto-roots
grep -q "bad.zip: offset 0x[0-9a-f]*: no end of central directory record" zips.err || { cat zips.err; die "no corrupt-zip warning"; }
grep -q "cut.whl: offset 0x[0-9a-f]*: " zips.err || { cat zips.err; die "no truncated-wheel warning"; }
used zips.json pkg.a || die "tree next to corrupt zips not analyzed"

# 5b. nested roots: a module is named by the innermost root holding it
# (given with --root, or ROOT/site-packages added as sys.path has it)
mkdir -p nest/sub/deep nest/site-packages/sp
echo 'import inner, sp.m' > nest/top.py; : > nest/sub/inner.py; : > nest/sub/deep/__init__.py
: > nest/site-packages/sp/__init__.py; : > nest/site-packages/sp/m.py
printf 'top\n' > nest.txt
run nest --trace nest.txt --root nest --root nest/sub
$PY -c 'import json; n={x["id"] for x in json.load(open("nest.json"))["nodes"]}
want={"py:top","py:inner","py:deep","py:sp","py:sp.m"}
assert want <= n and not {"py:sub.inner","py:site-packages"} & n, sorted(n)' ||
	die "nested roots named wrongly"

# 5b2. a root given relative still gives absolute prune paths
echo "x = 2" > tree/spare.py
run rel --trace good.txt --root ./tree/ --no-auto-roots --prune-list rel.prune
grep -qx "$PWD/tree/spare.py" rel.prune || { cat rel.prune; die "relative root: prune path not absolute"; }
grep -v "^/" rel.prune && die "relative prune path"

# 5c. no trace and no script: nothing is known to be used, so nothing is
# offered for deletion (a prune list of every module would be a trap)
run noev --root tree --no-auto-roots --prune-list noev.prune
[ -e noev.prune ] && [ ! -s noev.prune ] || die "a prune list without any trace"
grep -q "nothing is known to be used" noev.err || die "no warning without traces"
# 5d. no --root and a trace that names no file (a module list, -X
# importtime): one usage line saying --root is needed, exit 2, no output
# (it printed "0 B of 0 B prunable" and exit 0)
expect_rc 2 "$SLIM" pydeps --trace good.txt --prune-list noroot.list > noroot.out 2> noroot.err
one_line noroot.err
grep -q "^slim: good.txt: no --root given and the trace names no module file.*--root DIR" noroot.err ||
	die "trace without paths and no --root: wrong message: $(cat noroot.err)"
[ ! -s noroot.out ] && [ ! -e noroot.list ] || die "no --root: output written anyway"
# 5e. a trace whose modules lie in no root given: said as such
mkdir -p elsewhere
run noroot2 --trace good.txt --root elsewhere --no-auto-roots
grep -q "no traced or script module lies under the roots given (check --root)" noroot2.err || { cat noroot2.err; die "trace outside the roots: wrong warning"; }

# 6. a missing trace or root: one error line, exit 2, no prune list
expect_rc 2 "$SLIM" pydeps --trace nope.txt --root tree --prune-list p1 2> e1
one_line e1; grep -q "^slim: nope.txt: " e1 || die "missing trace message: $(cat e1)"
[ ! -e p1 ] || die "prune list written despite an error"
expect_rc 2 "$SLIM" pydeps --trace good.txt --root nodir 2> e2
one_line e2
expect_rc 2 "$SLIM" pydeps 2> /dev/null
"$SLIM" pydeps --help | grep -q "usage: slim pydeps" || die "--help"
echo "bad inputs: all warnings with file and line/offset, no crash"
