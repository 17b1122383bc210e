# slim never executes what it analyzes: a program whose interpreter,
# constructor, library DT_INIT and library constructor would each create a
# marker file, and a Python module whose import would, leave no marker
# after every slim command runs on them.  (Sanity check first: running the
# sample really does create markers.)
source "$ROOT/tests/cli/lib.sh"
s=$ROOT/samples/out/evil
m=$s/marker
rm -f "$m"/*
# the markers work: ld.so, run by hand, creates three of them
/lib64/ld-linux-x86-64.so.2 "$s/evil" 2>/dev/null
[ -e "$m/ran-ctor" ] && [ -e "$m/ran-dt-init" ] && [ -e "$m/ran-lib-ctor" ] || die "the sample does not create its markers when run"
"$s/interp" && [ -e "$m/ran-interp" ] || die "the fake interpreter does not create its marker"
rm -f "$m"/*
export SLIM_MARKER=$m
echo evilmod > trace.txt
run() { "$@" > /dev/null 2>&1; true; }
run "$SLIM" report "$s/evil"
run "$SLIM" report --json -o r.json "$s/evil" "$s/libevil.so"
run "$SLIM" elf "$s/evil"
run "$SLIM" elf --unused --bindings "$s/evil"
run "$SLIM" elf --json "$s/libevil.so"
run "$SLIM" fatbin "$s/evil" "$s/libevil.so"
run "$SLIM" graph "$s/evil" -o g.svg
run "$SLIM" graph r.json -o g.dot
run "$SLIM" why "$s/evil" lib:libevil.so
run "$SLIM" diff r.json "$s/evil"
run "$SLIM" baseline "$s/evil" -o b.json
run "$SLIM" gate --baseline b.json "$s/evil"
run "$SLIM" pydeps --trace trace.txt --root "$s/py"
run "$SLIM" report --py-trace trace.txt --py-root "$s/py" "$s/evil"
run "$SLIM" prune "$s/evil" -o pruned-evil
run "$SLIM" prune "$s/libevil.so" -o pruned-libevil.so
run "$SLIM" prune "$s" -o pruned-tree
left=$(ls "$m")
[ -z "$left" ] || die "slim ran the sample: markers $left"
echo "no marker after 17 commands on the samples"
