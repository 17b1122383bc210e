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
$PY -X importtime python/wrap.py $out/highlight.importtime.modules python/highlight.py python/sample.c c \
	2> $out/highlight.importtime.tmp > /dev/null
$PY -v python/wrap.py $out/highlight.v.modules python/highlight.py python/sample.c c \
	2> $out/highlight.v.tmp > /dev/null
mv $out/highlight.v.tmp $out/highlight.v
mv $out/highlight.importtime.tmp $out/highlight.importtime
