#!/bin/bash
# Real Python traces for tests/test-pydeps.c: the pygments workload
# (samples/python/highlight.py) run under `-X importtime` and under `-v`,
# each with the sys.modules it ended with (name, spec name, __file__), as
# Python itself reports them.  Needs /usr/bin/python3 and python3-pygments.
# Also the sample package nativepkg, whose lib/libnpcore.so is compiled
# here from python-native/npcore.c (a C compiler: build-essential).
# Rebuilt only when the workload is newer than the outputs.
set -eu
cd "$(dirname "$0")"
out=out/pydeps
PY=/usr/bin/python3
mkdir -p $out
# nativepkg (tests/cli/test-pydeps-data.sh): a package whose lib/ holds a
# real C library it loads with ctypes, no extension module, and a second
# one (the same source) that nothing loads or names
site=$out/site-packages
if [ ! $site/nativepkg/lib/libnpextra.so -nt python-native/npcore.c ] ||
   [ ! $site/nativepkg/__init__.py -nt python-native/nativepkg/__init__.py ]; then
	mkdir -p $site/nativepkg/lib
	cp python-native/nativepkg/__init__.py $site/nativepkg/
	for l in npcore npextra; do
		cc -shared -fPIC -O2 -o $site/nativepkg/lib/lib$l.so.tmp python-native/npcore.c
		mv $site/nativepkg/lib/lib$l.so.tmp $site/nativepkg/lib/lib$l.so
	done
fi
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
