#!/bin/bash
# Real Python traces for tests/test-pydeps.c: the pygments workload
# (samples/python/highlight.py) run under `-X importtime` and under `-v`,
# each with the sys.modules it ended with (name, spec name, __file__), as
# Python itself reports them.  Needs /usr/bin/python3 and python3-pygments.
# Rebuilt only when the workload is newer than the outputs.
set -eu
cd "$(dirname "$0")"
out=out/pydeps
PY=/usr/bin/python3
mkdir -p $out
[ $out/highlight.importtime -nt python/highlight.py ] && [ -s $out/highlight.v ] && exit 0
if ! $PY -c 'import pygments' 2>/dev/null; then
	echo "samples/build-pydeps.sh: needs $PY with pygments: apt-get install python3 python3-pygments" >&2
	exit 1
fi
cat > $out/wrap.py <<'PYEOF'
import atexit, runpy, sys
out = sys.argv[1]; sys.argv = sys.argv[2:]
def dump():
    with open(out, "w") as f:
        for n, m in sorted(sys.modules.items()):
            spec = getattr(m, "__spec__", None)
            f.write("%s\t%s\t%s\n" % (n, spec.name if spec else n, getattr(m, "__file__", None) or ""))
atexit.register(dump)
runpy.run_path(sys.argv[0], run_name="__main__")
PYEOF
$PY -X importtime $out/wrap.py $out/highlight.importtime.modules python/highlight.py python/sample.c c \
	2> $out/highlight.importtime.tmp > /dev/null
$PY -v $out/wrap.py $out/highlight.v.modules python/highlight.py python/sample.c c \
	2> $out/highlight.v.tmp > /dev/null
mv $out/highlight.v.tmp $out/highlight.v
mv $out/highlight.importtime.tmp $out/highlight.importtime
