#!/bin/bash
# slim's module inventory and static import scan against CPython's own
# answers (tests/cli/pydeps/truth.py): pkgutil.iter_modules for the module
# set, the ast module for every import statement and literal
# import_module()/__import__() call with its tag (top-level, delayed inside
# a function, optional inside try/except ImportError, type-checking).
# Real trees: Debian's dist-packages and standard library.
source "$ROOT/tests/cli/lib.sh"
PY=/usr/bin/python3
[ -x $PY ] || die "this test needs $PY: apt-get install python3"
H=$ROOT/tests/cli/pydeps

check() {   # check NAME ROOT TOP...
	local name=$1 root=$2; shift 2
	[ -d "$root" ] || die "needs $root"
	$PY "$H/truth.py" "$root" "$@" > "$name.truth" || die "$name: truth.py failed"
	$PY -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["modules"]))' \
		"$name.truth" > "$name.list"
	[ "$(wc -l < "$name.list")" -gt 100 ] || die "$name: too few modules for a real test"
	"$SLIM" pydeps --trace "$name.list" --root "$root" --no-auto-roots --no-elf \
		--json > "$name.json" 2> "$name.err" || { cat "$name.err"; die "$name: slim failed"; }
	$PY "$H/compare.py" "$name.truth" "$name.json" "$@" > "$name.cmp" ||
		{ tail -20 "$name.cmp"; die "$name: slim and ast disagree"; }
	echo "$name: $(tail -1 "$name.cmp")"
}

check site /usr/lib/python3/dist-packages jinja2 pygments flask werkzeug click markupsafe
check stdlib /usr/lib/python3.11 email json http importlib xml asyncio concurrent \
	logging unittest encodings collections ctypes multiprocessing urllib sqlite3 \
	tomllib zoneinfo dbm wsgiref xmlrpc html curses lib2to3 idlelib tkinter \
	distutils venv ensurepip re
