#!/bin/bash
# Samples that would leave a marker file if anything ran them: a program
# whose PT_INTERP is a fake interpreter, with a constructor, linked to a
# library with DT_INIT and a constructor; and a Python module whose import
# writes a marker.  The marker directory is compiled in: out/evil/marker.
set -eu
cd "$(dirname "$0")"
src=$PWD/evil
out=$PWD/out/evil
stamp=$out/.stamp
if [ -f "$stamp" ] && [ -z "$(find "$src" "$0" -newer "$stamp")" ]; then exit 0; fi
rm -rf "$out"; mkdir -p "$out/marker" "$out/py"
m="-DMARKER=\"$out/marker\""
gcc -static -o "$out/interp" "$m" "$src/interp.c"
gcc -shared -fPIC -o "$out/libevil.so" "$m" "$src/libevil.c" -Wl,-init,evil_init
gcc -o "$out/evil" "$m" "$src/evil.c" -L"$out" -levil -Wl,-rpath,"$out" \
	-Wl,--dynamic-linker="$out/interp"
cp "$src/evilmod.py" "$out/py/"
touch "$stamp"
