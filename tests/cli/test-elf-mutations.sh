# Mutation corpus over real ELF files: truncations at many offsets and
# deterministic random byte flips.  Every run must end with exit 0 or 2
# (never a signal), within a time bound, and an exit 2 must print exactly
# one stderr line.  Under `make asan` the same runs are sanitized.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
lib=$(ls /usr/lib/x86_64-linux-gnu/libz.so.1.* | head -1)
python3 - "$lib" <<'PY'
import os, random, sys
random.seed(20261123)
srcs = ['/bin/ls', sys.argv[1]]
os.makedirs('m', exist_ok=True)
n = 0
for s in srcs:
    b = open(s, 'rb').read()
    # truncations: dense at the start (headers), spread over the rest
    cuts = sorted(set(list(range(0, 4096, 61)) + [random.randrange(len(b)) for _ in range(60)]))
    for c in cuts:
        open('m/%04d' % n, 'wb').write(b[:c]); n += 1
    # byte flips: 1..8 random bytes, half of them inside the first 4 KiB
    for _ in range(150):
        x = bytearray(b)
        for _ in range(random.randint(1, 8)):
            p = random.randrange(4096) if random.random() < 0.5 else random.randrange(len(x))
            x[p] = random.randrange(256)
        open('m/%04d' % n, 'wb').write(x); n += 1
print(n, 'cases')
PY
bad=0; total=0
for f in m/*; do
	total=$((total + 1))
	timeout 20 "$SLIM" report "$f" > /dev/null 2> err; rc=$?
	case $rc in
	0) ;;
	2) [ "$(grep -vc '^slim: warning:' err)" = 1 ] || { echo "$f: exit 2 with $(wc -l < err) stderr lines"; cat err; bad=$((bad + 1)); } ;;
	*) echo "$f: exit $rc"; cat err; bad=$((bad + 1)) ;;
	esac
done
echo "$total mutated inputs, $bad bad"
[ $bad = 0 ]
