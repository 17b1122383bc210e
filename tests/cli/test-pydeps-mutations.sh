#!/bin/bash
# Mutation run over real Python inputs: a real -X importtime trace, a real
# -v trace, and real sources (a copy of Debian's jinja2 package), each
# mutated by byte flips, truncation, duplication of spans and insertion of
# quotes/brackets/NULs.  Every run must end with exit 0 (warnings allowed)
# or 2 with one error line, never a signal, never a timeout.  Mutated
# copies of a real extension module go through libelf and the ELF analyzer.
source "$ROOT/tests/cli/lib.sh"
PY=/usr/bin/python3
[ -x $PY ] || die "this test needs $PY: apt-get install python3"
J=/usr/lib/python3/dist-packages/jinja2
[ -d $J ] || die "this test needs jinja2: apt-get install python3-jinja2"
W=$ROOT/samples/python
$PY -X importtime $W/render.py $W/page.html $W/page.json 2> it.txt > /dev/null
$PY -v $W/render.py $W/page.html $W/page.json 2> v.txt > /dev/null
mkdir -p m && cp -r $J m/ && rm -rf m/jinja2/__pycache__
$PY - <<'PYEOF'
import os, random
rnd = random.Random(6)
def mutate(b):
    b = bytearray(b)
    for _ in range(rnd.randint(1, 8)):
        op = rnd.randrange(5)
        i = rnd.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(i, len(b) - 1)] ^= 1 << rnd.randrange(8)
        elif op == 1:
            del b[i:]
        elif op == 2:
            j = rnd.randrange(len(b) + 1); b[i:i] = b[min(i, j):max(i, j)][:4096]
        elif op == 3:
            b[i:i] = rnd.choice([b"'", b'"""', b"(", b")", b"\\\n", b"\0", b"#", b"\n    ", b"import ", b"from . import ("])
        else:
            b[i:i] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 64)))
    return bytes(b)
os.makedirs("cases", exist_ok=True)
srcs = sorted(os.path.join(d, f) for d, _, fs in os.walk("m/jinja2") for f in fs if f.endswith(".py"))
orig = {p: open(p, "rb").read() for p in srcs}
for k in range(60):
    for t in ("it.txt", "v.txt"):
        open(f"cases/{k}.{t}", "wb").write(mutate(open(t, "rb").read()))
so = open("/usr/lib/python3.11/lib-dynload/_json.cpython-311-x86_64-linux-gnu.so", "rb").read()
for k in range(20):   # mutated extension modules: libelf and the ELF analyzer
    open(f"m/_evil{k}.cpython-311-x86_64-linux-gnu.so", "wb").write(mutate(so))
for p in srcs:   # one mutated copy of every source, in place
    open(p, "wb").write(mutate(orig[p]))
PYEOF
bad=0 n=0
for c in cases/*; do
	n=$((n + 1))
	timeout 20 "$SLIM" pydeps --trace "$c" --root m --no-auto-roots --json > out.json 2> err.txt
	rc=$?
	if [ $rc != 0 ] && { [ $rc != 2 ] || [ "$(wc -l < err.txt)" != 1 ]; }; then
		bad=$((bad + 1)); echo "$c: exit $rc"; head -3 err.txt
	fi
	[ $rc != 0 ] || $PY -c 'import json,sys; json.load(open("out.json"))' || { bad=$((bad + 1)); echo "$c: JSON does not parse"; }
done
# and every mutated jinja2 source scanned at once (all modules used)
{ ls m/jinja2/*.py | sed 's|m/||; s|/|.|g; s|\.py$||; s|\.__init__$||'
  for k in $(seq 0 19); do echo _evil$k; done; } > all.txt
timeout 20 "$SLIM" pydeps --trace all.txt --root m --no-auto-roots --json > out.json 2> err.txt ||
	{ bad=$((bad + 1)); echo "mutated sources: exit $?"; }
echo "$n mutated traces, $(ls m/jinja2/*.py | wc -l) mutated sources, 20 mutated extension modules: $bad bad"
[ $bad = 0 ] || die "$bad mutated inputs crashed, hung or gave a bad error"
