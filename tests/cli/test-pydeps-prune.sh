#!/bin/bash
# The pruning proof (issue 6): copy the installed standard library and
# dist-packages to a prefix, record a real workload's trace there, delete
# every path of slim's prune list, rerun the workload on the pruned copy
# (PYTHONHOME) and require byte-identical output, for the traced input and
# for an input the trace never saw.  Ground truth is the workload's own
# output before pruning; the bytes pruned are measured with du, not slim.
source "$ROOT/tests/cli/lib.sh"
PY=/usr/bin/python3
[ -x $PY ] || die "this test needs $PY: apt-get install python3"
$PY -c 'import pygments, jinja2, flask' 2>/dev/null ||
	die "this test needs pygments, jinja2, flask: apt-get install python3-pygments python3-jinja2 python3-flask"
STD=/usr/lib/python3.11 SITE=/usr/lib/python3/dist-packages
[ -d $STD ] && [ -d $SITE ] || die "needs $STD and $SITE (Debian 12 python3)"
W=$ROOT/samples/python

# a copy of the installation under $1: hard links when /tmp and /usr share
# a filesystem (rm in the copy unlinks only the copy), else a real copy
make_prefix() {
	mkdir -p "$1/lib/python3"
	cp -al $STD "$1/lib/" 2>/dev/null || cp -a $STD "$1/lib/"
	cp -al $SITE "$1/lib/python3/" 2>/dev/null || cp -a $SITE "$1/lib/python3/"
}

# run python on the copy only: no user site, no bytecode writes
pyrun() {
	local pre=$1; shift
	env -i PATH=/usr/bin:/bin LANG=C.UTF-8 PYTHONHOME="$pre" \
		PYTHONDONTWRITEBYTECODE=1 PYTHONHASHSEED=0 $PY -s "$@"
}

# proof NAME "TRACED ARGS" "UNSEEN ARGS" MIN_SITE_PERCENT [SLIM OPTIONS...]
proof() {
	local name=$1 seen=$2 unseen=$3 min=$4 pre=$PWD/$1
	shift 4
	make_prefix "$pre"
	# the copy must be self-contained: nothing on sys.path outside it
	pyrun "$pre" -c 'import sys; print("\n".join(sys.path))' > "$name.path"
	grep -q "^$pre/lib/python3/dist-packages\$" "$name.path" || die "$name: copy's dist-packages not on sys.path"
	if grep -v "^$pre" "$name.path" | grep -q .; then cat "$name.path"; die "$name: sys.path leaves the copy"; fi
	# ground truth before pruning, and the trace of the traced input only
	pyrun "$pre" $seen > "$name.want1" || die "$name: workload failed before pruning"
	pyrun "$pre" $unseen > "$name.want2" || die "$name: unseen input failed before pruning"
	env -i PATH=/usr/bin:/bin LANG=C.UTF-8 PYTHONHOME="$pre" PYTHONDONTWRITEBYTECODE=1 \
		PYTHONHASHSEED=0 "$SLIM" pydeps record -o "$name.trace" -- $PY -s $seen > "$name.rec" ||
		die "$name: slim pydeps record failed"
	cmp -s "$name.rec" "$name.want1" || die "$name: output under the recorder differs"
	"$SLIM" pydeps --trace "$name.trace" --root "$pre/lib/python3.11" \
		--root "$pre/lib/python3/dist-packages" --prune-list "$name.prune" "$@" \
		--json -o "$name.json" 2> "$name.err" || { cat "$name.err"; die "$name: slim pydeps failed"; }
	local claim
	claim=$($PY -c 'import json,sys; r=[x for x in json.load(open(sys.argv[1]))["totals"]["pydeps"]["roots"] if x["path"].endswith("/dist-packages")]; print(r[0]["prunable_bytes"])' "$name.json")
	[ -s "$name.prune" ] || die "$name: empty prune list"
	# every path must lie inside the copy, and exist
	while IFS= read -r p; do
		case $p in "$pre"/*) ;; *) die "$name: prune path outside the copy: $p";; esac
		[ -e "$p" ] || [ -L "$p" ] || die "$name: prune path does not exist: $p"
	done < "$name.prune"
	local site0 all0 site1 all1
	site0=$(du -sb "$pre/lib/python3/dist-packages" | cut -f1)
	all0=$(du -sb "$pre/lib" | cut -f1)
	$PY "$ROOT/tests/cli/pydeps/invariants.py" snap "$pre/lib/python3.11" \
		"$pre/lib/python3/dist-packages" > "$name.snap"
	tr '\n' '\0' < "$name.prune" | xargs -0 rm -rf
	$PY "$ROOT/tests/cli/pydeps/invariants.py" check "$name.snap" ${DATA_OK:+--data-ok} > "$name.inv" ||
		{ cat "$name.inv"; die "$name: the prune list broke a never-prune rule"; }
	site1=$(du -sb "$pre/lib/python3/dist-packages" | cut -f1)
	all1=$(du -sb "$pre/lib" | cut -f1)
	pyrun "$pre" $seen > "$name.got1" 2> "$name.err1" || { tail -5 "$name.err1"; die "$name: traced input broke after pruning"; }
	cmp -s "$name.want1" "$name.got1" || die "$name: traced input's output changed after pruning"
	pyrun "$pre" $unseen > "$name.got2" 2> "$name.err2" || { tail -5 "$name.err2"; die "$name: unseen input broke after pruning"; }
	cmp -s "$name.want2" "$name.got2" || die "$name: unseen input's output changed after pruning"
	local sp=$(( (site0 - site1) * 100 / site0 )) ap=$(( (all0 - all1) * 100 / all0 ))
	echo "$name: pruned $(wc -l < "$name.prune") paths (slim claimed $claim bytes of dist-packages); dist-packages $((site0 - site1))/$site0 bytes ($sp%), stdlib+dist-packages $((all0 - all1))/$all0 bytes ($ap%)"
	[ "$sp" -ge "$min" ] || die "$name: only $sp% of dist-packages pruned, want >= $min%"
	# slim's claim against du (du also counts directory entries: 5% slack)
	local freed=$((site0 - site1))
	[ $((claim * 100)) -le $((freed * 105)) ] && [ $((claim * 105)) -ge $((freed * 100)) ] ||
		die "$name: slim claims $claim bytes of dist-packages prunable, du measured $freed"
	rm -rf "$pre"
}

proof pygments "$W/highlight.py $W/highlight.py python" "$W/highlight.py $W/sample.c guess terminal" 50
proof jinja2 "$W/render.py $W/page.html $W/page.json" "$W/render.py $W/mail.txt $W/mail.json" 50
proof flask "$W/webapp.py / /items/3?q=x" "$W/webapp.py /items/7 POST /missing" 50
proof tables "$W/tables.py $W/one.csv json" "$W/tables.py $W/two.csv email" 50
proof pygmentize "-m pygments -l python -f html $W/highlight.py" "-m pygments -g -f terminal256 -O style=monokai $W/sample.c" 50
# the standard library's own data directory: venv/scripts (no __init__.py,
# no module below it) is read beside venv's __file__; it was once taken for
# an unreferenced namespace package and pruned (issue 15)
proof venv "$W/data-venv.py one" "$W/data-venv.py two three" 50
# --prune-data: data files of kept packages that the recorded run never
# opened go too, as likely findings, so only with --include likely (the
# invariant check then allows deleted data files)
DATA_OK=1 proof flaskdata "$W/webapp.py / /items/3?q=x" "$W/webapp.py /items/7 POST /missing" 50 --prune-data --include likely
