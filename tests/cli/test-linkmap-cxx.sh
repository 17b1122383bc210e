#!/bin/bash
# C++ names shown demangled: gold prints the symbol that pulled
# libcxxdemo.a(cxx_lib.o) mangled; slim's demangled form must equal what
# c++filt says, and what GNU ld printed (demangled) for the same link.
source "$ROOT/tests/cli/lib.sh"
need c++filt binutils
need python3 python3
bash "$ROOT/samples/build-linkmap.sh" || die "samples/build-linkmap.sh failed"
S=$ROOT/samples/out/linkmap
"$SLIM" linkmap "$S/cxx-gold.map" --json -o gold.json || die "slim linkmap cxx-gold"
attr() {
	python3 -c 'import json, sys
d = json.load(open("gold.json"))
e = [e for e in d["edges"] if e["kind"] == "includes" and e["to"] == "obj:libcxxdemo.a(cxx_lib.o)"]
print(e[0]["attrs"].get(sys.argv[1], "-") if e else "no-edge")' "$1"
}
sym=$(attr symbol)
dm=$(attr symbol_demangled)
[ "$sym" = _ZN4demo5scaleEPKcj ] || die "gold's map should name the mangled symbol, slim says '$sym'"
want=$(c++filt "$sym")
[ "$dm" = "$want" ] || die "demangled '$dm', c++filt says '$want'"
bfd=$(grep -A1 '^libcxxdemo.a(cxx_lib.o)' "$S/cxx-bfd.map" | sed -n 's/.*cxx_main.o (\(.*\))$/\1/p')
[ "$dm" = "$bfd" ] || die "demangled '$dm', GNU ld printed '$bfd'"
"$SLIM" linkmap "$S/cxx-gold.map" | grep -qF "$want <- cxx_main.o" || die "text output lacks the demangled name"
echo ok
