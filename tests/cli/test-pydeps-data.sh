#!/bin/bash
# Data is not an unreferenced package (issue 15): prune-and-rerun on Debian
# Python stacks that read data from a directory without __init__.py inside
# their own package, one for each way Python code finds it, and on packages
# that load their own native library with ctypes:
#   os.path.dirname(__file__)  langdetect/profiles, botocore/data
#   importlib.resources        jsonschema/schemas
#   pkgutil.get_data           werkzeug/debug/shared
#   pkg_resources              pecan/scaffolds/base
#   ctypes.CDLL                llvmlite/binding/libllvmlite.so (Debian), and
#                              nativepkg/lib/libnpcore.so (samples/, built by
#                              samples/build-pydeps.sh from C source)
# Per workload: a fresh copy of dist-packages (hard links), Debian's
# python3.11 run with -S and PYTHONPATH on the copy only; the workload's
# output on its traced input and on an input the trace never saw; the trace
# from `slim pydeps record`; every path of the prune list deleted; both
# inputs rerun and compared.  Ground truth that the data matters comes from
# the workload itself: with the data directory (or library) moved away it
# fails or prints something else -- which is what the old verdict (a PEP 420
# namespace package, or an extension module, no one imports) would have
# done to it.
source "$ROOT/tests/cli/lib.sh"
PY=/usr/bin/python3.11
[ -x $PY ] || die "this test needs $PY: apt-get install python3.11"
need readelf binutils
SITE=/usr/lib/python3/dist-packages
PKGS="python3-langdetect python3-botocore python3-jsonschema python3-werkzeug python3-pecan python3-llvmlite"
PYTHONPATH=$SITE $PY -S -c 'import langdetect, botocore, jsonschema, werkzeug, pecan, llvmlite' 2>/dev/null ||
	die "this test needs the Debian packages $PKGS: apt-get install $PKGS (or run \`make deps\`)"
W=$ROOT/samples/python
NATIVE=$ROOT/samples/out/pydeps/site-packages
[ -f $NATIVE/nativepkg/lib/libnpcore.so ] || die "no $NATIVE/nativepkg: run samples/build-pydeps.sh"

# run python on the copy only: no site, no user site, no bytecode writes
pyrun() {
	local pre=$1; shift
	env -i PATH=/usr/bin:/bin LANG=C.UTF-8 HOME=/nonexistent \
		PYTHONPATH="$pre/site-packages:$pre/dist-packages" \
		PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0 "$@"
}

# the prune list must not delete KEEP (relative to the copy) or a parent
not_listed() {
	local list=$1 path=$2
	while IFS= read -r p; do
		case $path/ in "$p"/*) die "$name: prune list deletes $p, which holds $path";; esac
	done < "$list"
}

# proof NAME KEEP SCRIPT "TRACED ARGS" "UNSEEN ARGS"
# KEEP: the data directory or library (relative to the copy: under
# dist-packages/ or site-packages/) the workload
# reads; it must be in the tree, read by the workload, and never listed.
proof() {
	name=$1
	local keep=$2 script=$W/$3 seen=$4 unseen=$5 pre=$PWD/$1
	mkdir -p "$pre"
	cp -al $SITE "$pre/dist-packages" 2>/dev/null || cp -a $SITE "$pre/dist-packages"
	cp -a $NATIVE "$pre/site-packages"
	[ -e "$pre/$keep" ] || die "$name: $keep is not in the tree"
	pyrun "$pre" $PY -S -s -c 'import sys; print("\n".join(sys.path))' > "$name.path"
	if grep -v "^$pre\|^/usr/lib/python3.11\|^/usr/lib/python311.zip\|^$" "$name.path" | grep -q .; then
		cat "$name.path"; die "$name: sys.path leaves the copy and the standard library"
	fi
	pyrun "$pre" $PY -S -s $script $seen > "$name.want1" 2> "$name.err0" || { cat "$name.err0"; die "$name: workload failed before pruning"; }
	pyrun "$pre" $PY -S -s $script $unseen > "$name.want2" 2> "$name.err0" || { cat "$name.err0"; die "$name: unseen input failed before pruning"; }
	[ -s "$name.want1" ] && [ -s "$name.want2" ] || die "$name: workload printed nothing"
	cmp -s "$name.want1" "$name.want2" && die "$name: the unseen input is no other input"
	# ground truth: the workload reads KEEP (without it, it breaks)
	mv "$pre/$keep" "$pre/$keep.away"
	if pyrun "$pre" $PY -S -s $script $seen > "$name.without" 2>&1 && cmp -s "$name.without" "$name.want1"; then
		die "$name: the workload runs the same without $keep: it proves nothing"
	fi
	mv "$pre/$keep.away" "$pre/$keep"
	pyrun "$pre" "$SLIM" pydeps record -o "$name.trace" -- $PY -S -s $script $seen > "$name.rec" ||
		die "$name: slim pydeps record failed"
	cmp -s "$name.rec" "$name.want1" || die "$name: output under the recorder differs"
	"$SLIM" pydeps --trace "$name.trace" --root "$pre/dist-packages" --root "$pre/site-packages" \
		--no-auto-roots --prune-list "$name.prune" --json -o "$name.json" 2> "$name.err" ||
		{ cat "$name.err"; die "$name: slim pydeps failed"; }
	[ -s "$name.prune" ] || die "$name: empty prune list"
	not_listed "$name.prune" "$pre/$keep"
	# what the old verdict was: KEEP (or a module inside it) a module node
	local dotted=${keep#*/}
	dotted=${dotted%.so}
	dotted=${dotted//\//.}
	if grep -q "\"py:$dotted[\".]" "$name.json"; then die "$name: $keep is still a module node (py:$dotted)"; fi
	while IFS= read -r p; do
		case $p in "$pre"/*) ;; *) die "$name: prune path outside the copy: $p";; esac
		[ -e "$p" ] || [ -L "$p" ] || die "$name: prune path does not exist: $p"
	done < "$name.prune"
	$PY "$ROOT/tests/cli/pydeps/invariants.py" snap "$pre/dist-packages" "$pre/site-packages" > "$name.snap"
	local before=$(du -sb "$pre" | cut -f1)
	tr '\n' '\0' < "$name.prune" | xargs -0 rm -rf
	$PY "$ROOT/tests/cli/pydeps/invariants.py" check "$name.snap" > "$name.inv" ||
		{ cat "$name.inv"; die "$name: the prune list broke a never-prune rule"; }
	[ -e "$pre/$keep" ] || die "$name: $keep is gone after pruning"
	local after=$(du -sb "$pre" | cut -f1)
	pyrun "$pre" $PY -S -s $script $seen > "$name.got1" 2> "$name.err1" || { tail -5 "$name.err1"; die "$name: traced input broke after pruning"; }
	cmp -s "$name.want1" "$name.got1" || die "$name: traced input's output changed after pruning"
	pyrun "$pre" $PY -S -s $script $unseen > "$name.got2" 2> "$name.err2" || { tail -5 "$name.err2"; die "$name: unseen input broke after pruning"; }
	cmp -s "$name.want2" "$name.got2" || die "$name: unseen input's output changed after pruning"
	echo "$name: kept $keep; pruned $(wc -l < "$name.prune") paths, $((before - after)) of $before bytes; both inputs unchanged"
}

proof langdetect dist-packages/langdetect/profiles data-langdetect.py \
	"The quick brown fox jumps over the lazy dog and runs away" \
	"Le renard brun saute par-dessus le chien paresseux et s'enfuit"
proof botocore dist-packages/botocore/data data-botocore.py "s3@us-east-1" "dynamodb@eu-west-1 sqs@ap-south-1"
proof jsonschema dist-packages/jsonschema/schemas data-jsonschema.py \
	'http://json-schema.org/draft-07/schema#={"n":0}' \
	'https://json-schema.org/draft/2020-12/schema={"n":"x"} http://json-schema.org/draft-04/schema#={"n":5}'
proof werkzeug dist-packages/werkzeug/debug/shared data-werkzeug.py "style.css" "debugger.js console.png"
proof pecan dist-packages/pecan/scaffolds/base data-pecan.py "app1" "otherapp"
proof llvmlite dist-packages/llvmlite/binding/libllvmlite.so data-llvmlite.py "3" "7 11"
proof native site-packages/nativepkg/lib data-native.py "hello" "other input"
# the ground truth for "no extension module": neither library exports
# PyInit_*, and the recorder saw both loaded (ctypes.dlopen, /proc/self/maps)
for so in dist-packages/llvmlite/binding/libllvmlite.so site-packages/nativepkg/lib/libnpcore.so; do
	n=${so%%/*}; n=$([ $n = dist-packages ] && echo llvmlite || echo native)
	readelf --dyn-syms -W "$n/$so" > "$n.syms" || die "readelf failed on $n/$so"
	grep -q " PyInit_" "$n.syms" && die "$so exports PyInit_: the test's premise is wrong"
	grep -q "^load	$PWD/$n/$so\$" "$n.trace" || die "$n: the recorder did not record loading $so"
done

# With a record trace, native libraries of kept packages that no run loaded
# and nothing names (libnpextra.so) and, with --prune-data, data no run
# opened are `likely`, so they reach the prune list only with --include
# likely; proven paths alone are what --prune-list writes.
# The werkzeug run opened style.css only: debugger.js is likely prunable,
# and deleting it breaks the unseen input -- why likely is not the default.
name=likely pre=$PWD/likely
mkdir -p "$pre"
cp -al $SITE "$pre/dist-packages" 2>/dev/null || cp -a $SITE "$pre/dist-packages"
cp -a $NATIVE "$pre/site-packages"
pyrun "$pre" "$SLIM" pydeps record -o werk.trace -- $PY -S -s $W/data-werkzeug.py style.css > /dev/null || die "record failed"
pyrun "$pre" "$SLIM" pydeps record -o nat.trace -- $PY -S -s $W/data-native.py hello > /dev/null || die "record failed"
grep -q "^load	$pre/site-packages/nativepkg/lib/libnpcore.so\$" nat.trace || die "the recorder did not record the ctypes load"
pyrun "$pre" $PY -S -s $W/data-werkzeug.py debugger.js > likely.want || die "werkzeug workload failed"
for inc in "" "--include likely"; do
	"$SLIM" pydeps --trace werk.trace --trace nat.trace --root "$pre/dist-packages" --root "$pre/site-packages" \
		--no-auto-roots --prune-data $inc --prune-list "likely${inc:+-all}.list" -o "likely${inc:+-all}.txt" 2> likely.err ||
		{ cat likely.err; die "slim pydeps --prune-data $inc failed"; }
done
"$SLIM" pydeps --trace werk.trace --trace nat.trace --root "$pre/dist-packages" --root "$pre/site-packages" \
	--no-auto-roots --prune-data --json -o likely.json 2> likely.err || { cat likely.err; die "slim pydeps --json failed"; }
$PY - likely.json likely.list likely-all.list likely.txt <<'PYEOF' || die "prune lists and summary disagree with the findings"
import json, re, sys
r = json.load(open(sys.argv[1]))
f = [x for x in r["findings"] if x["kind"] == "prunable-module"]
proven = {p for x in f if x["confidence"] == "proven" for p in x["attrs"]["paths"]}
likely = {p for x in f if x["confidence"] == "likely" for p in x["attrs"]["paths"]}
l1 = set(open(sys.argv[2]).read().split("\n")) - {""}
l2 = set(open(sys.argv[3]).read().split("\n")) - {""}
assert proven and likely, "want both proven and likely findings"
assert l1 == proven, "--prune-list without --include likely is not the proven paths"
assert l2 == proven | likely, "--include likely is not proven + likely"
text = open(sys.argv[4]).read()
assert re.search(r"^  proven: .*what --prune-list writes", text, re.M), text
assert re.search(r"^  likely: .*not in the prune list unless --include likely", text, re.M), text
print("likely: %d proven paths, %d likely" % (len(proven), len(likely)))
PYEOF
grep -q "/werkzeug/debug/shared/debugger.js\$" likely-all.list || die "debugger.js (never opened) not likely prunable"
grep -q "/werkzeug/debug/shared/" likely.list && die "data of a kept package in the proven prune list"
grep -q "/werkzeug/debug/shared/style.css\$" likely-all.list && die "style.css was opened, yet listed"
grep -q "libnpcore.so" likely-all.list && die "libnpcore.so was loaded, yet listed"
grep -q "^$pre/site-packages/nativepkg/lib/libnpextra.so\$" likely-all.list ||
	die "libnpextra.so (not loaded, named by nothing) not likely prunable"
grep -q "libnpextra.so" likely.list && die "an unloaded native library in the proven prune list"
# native libraries need no --prune-data: a record trace is the evidence
"$SLIM" pydeps --trace werk.trace --trace nat.trace --root "$pre/dist-packages" --root "$pre/site-packages" \
	--no-auto-roots --include likely --prune-list native.list -o /dev/null 2> native.err ||
	{ cat native.err; die "slim pydeps --include likely failed"; }
grep -q "/nativepkg/lib/libnpextra.so\$" native.list || die "without --prune-data: libnpextra.so not listed"
grep -q "/werkzeug/debug/shared/" native.list && die "without --prune-data: data files listed"
# and it can go: both inputs of the native workload unchanged without it
pyrun "$pre" $PY -S -s $W/data-native.py hello > native.want1 && pyrun "$pre" $PY -S -s $W/data-native.py "other input" > native.want2 ||
	die "native workload failed"
rm "$pre/site-packages/nativepkg/lib/libnpextra.so"
pyrun "$pre" $PY -S -s $W/data-native.py hello > native.got1 && pyrun "$pre" $PY -S -s $W/data-native.py "other input" > native.got2 ||
	die "native workload broke without libnpextra.so"
cmp -s native.want1 native.got1 && cmp -s native.want2 native.got2 || die "native workload changed without libnpextra.so"
rm "$pre/dist-packages/werkzeug/debug/shared/debugger.js"
pyrun "$pre" $PY -S -s $W/data-werkzeug.py debugger.js > likely.got 2>&1
cmp -s likely.want likely.got && die "deleting a likely path changed nothing: the test proves nothing"

# no --root: the roots are the installation trees the trace's files lie in
"$SLIM" pydeps --trace werk.trace --prune-list noroot.list --json -o noroot.json 2> noroot.err ||
	{ cat noroot.err; die "no --root with a record trace failed"; }
grep -q "no --root given: using the" noroot.err || die "no --root: the inferred roots are not said"
$PY -c 'import json,sys; r=[x["path"] for x in json.load(open(sys.argv[1]))["totals"]["pydeps"]["roots"]]; assert sys.argv[2] in r and "/usr/lib/python3.11" in r, r' \
	noroot.json "$pre/dist-packages" || die "no --root: the trace's trees are not the roots"
[ -s noroot.list ] || die "no --root: empty prune list"
PYTHONPATH=$SITE $PY -S -X importtime -c 'import jsonschema' 2> it.trace
expect_rc 2 "$SLIM" pydeps --trace it.trace 2> it.err
one_line it.err
grep -q "^slim: it.trace: no --root given.*--root DIR" it.err || die "importtime trace, no --root: $(cat it.err)"
echo "data directories and native libraries of kept packages kept; 7 workloads unchanged after pruning; likely only with --include likely"
