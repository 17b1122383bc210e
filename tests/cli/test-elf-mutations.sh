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
# DWARF (compile units, libdw): a -g program and Debian's compressed libc
# debug file, bytes flipped or a section's tail zeroed inside .debug_*; the debug
# file is found by build ID in a sysroot (r/NNNN), next to the real libc
libc=/lib/x86_64-linux-gnu/libc.so.6
id=$(readelf -n "$libc" | awk '/Build ID:/ { print $3 }')
dbg=/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
[ -f "$dbg" ] || die "no $dbg: apt-get install libc6-dbg (or make deps)"
printf 'int f(int x) { return x * 7; }\nint main(int c, char **v) { return f(c) + v[0][0]; }\n' > dw.c
cc -g -O2 -o dw dw.c || die "cc -g"
python3 - dw "$dbg" "${id:0:2}/${id:2}.debug" <<'PY'
import os, random, struct, sys
random.seed(20261206)
sys.path.insert(0, os.environ['ROOT'] + '/tests/cli')
from elfsec import sections
def debug_ranges(b):
    return [(s.offset, s.size) for s in sections(b)
            if s.name.startswith(b'.debug') and s.type != 8 and s.size]
def mutate(b, n, put):
    rs = debug_ranges(b)
    for k in range(n):
        x = bytearray(b)
        o, sz = random.choice(rs)
        if k % 4 == 0:
            # the section's tail zeroed: what a truncated copy leaves
            # (cutting the file itself loses the section headers first)
            c = o + random.randrange(sz)
            x[c:o + sz] = bytes(o + sz - c)
        else:
            for _ in range(random.randint(1, 6)):
                x[o + random.randrange(sz)] = random.randrange(256)
        put(k, x)
b = open(sys.argv[1], 'rb').read()
def put_prog(k, x): open('m/dw%03d' % k, 'wb').write(x)
mutate(b, 120, put_prog)
b = open(sys.argv[2], 'rb').read()
def put_dbg(k, x):
    p = 'r/%03d/usr/lib/debug/.build-id/%s' % (k, sys.argv[3])
    os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, 'wb').write(x)
mutate(b, 60, put_dbg)
print('180 DWARF cases')
PY
bad=0; total=0
for r in r/*; do
	total=$((total + 1))
	timeout 20 "$SLIM" report --sysroot "$r" "$libc" > /dev/null 2> err; rc=$?
	case $rc in
	0|2) [ $rc = 0 ] || [ "$(grep -vc '^slim: warning:' err)" = 1 ] ||
		{ echo "$r: exit 2 with $(wc -l < err) stderr lines"; cat err; bad=$((bad + 1)); } ;;
	*) echo "$r (libc's debug file mutated): exit $rc"; cat err; bad=$((bad + 1)) ;;
	esac
done
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
