# Mutation corpus over the text inputs: linker maps of one program linked by
# GNU ld, gold, lld and mold (samples/out/linkmap), and Python traces in
# each format (-X importtime, -v, the recorder's module list; samples/out/
# pydeps).  Truncations at many offsets, then byte flips, deleted, repeated
# and swapped lines, digits changed (sizes and addresses are what parsers
# trust).  Every run: exit 0 or 2, never a signal, within a time bound; on
# exit 2 exactly one error line (warnings aside) naming the file.  Under
# `make asan` the same runs are sanitized.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
L=$ROOT/samples/out/linkmap P=$ROOT/samples/out/pydeps
for f in "$L"/prog-bfd.map "$L"/prog-gold.map "$L"/prog-lld.map "$L"/prog-mold.map \
	 "$P"/highlight.importtime "$P"/highlight.v "$P"/highlight.importtime.modules; do
	[ -s "$f" ] || die "missing sample $f (samples/build.sh)"
done
python3 - "$L" "$P" <<'PY'
import os, random, sys
L, P = sys.argv[1], sys.argv[2]
rnd = random.Random(20261123)
srcs = [('map', L + '/prog-bfd.map'), ('map', L + '/prog-gold.map'),
        ('map', L + '/prog-lld.map'), ('map', L + '/prog-mold.map'),
        ('trace', P + '/highlight.importtime'), ('trace', P + '/highlight.v'),
        ('trace', P + '/highlight.importtime.modules')]
os.makedirs('m', exist_ok=True)
n = 0
def put(kind, b):
    global n
    open('m/%s-%04d' % (kind, n), 'wb').write(bytes(b)); n += 1
for kind, s in srcs:
    b = open(s, 'rb').read()
    # truncations: dense over the first 8 KiB (headings), spread after
    for c in sorted(set(list(range(0, min(len(b), 8192), 257)) + [rnd.randrange(len(b)) for _ in range(30)])):
        put(kind, b[:c])
    lines = b.split(b'\n')
    for _ in range(90):
        x = bytearray(b)
        op = rnd.randrange(4)
        if op == 0:      # 1..8 random bytes
            for _ in range(rnd.randint(1, 8)):
                x[rnd.randrange(len(x))] = rnd.randrange(256)
        elif op == 1:    # digits changed: sizes, addresses, times
            pos = [i for i in range(len(x)) if 48 <= x[i] <= 57]
            for _ in range(rnd.randint(1, 16)):
                x[rnd.choice(pos)] = rnd.choice(b'0123456789abcdefffff')
        else:            # lines deleted, repeated, swapped
            ls = list(lines)
            for _ in range(rnd.randint(1, 6)):
                i, j = rnd.randrange(len(ls)), rnd.randrange(len(ls))
                if op == 2:
                    del ls[i]
                else:
                    ls.insert(i, ls[j]) if rnd.random() < 0.5 else ls.__setitem__(i, ls[j])
            x = b'\n'.join(ls)
        put(kind, x)
print(n, 'cases')
PY
bad=0 total=0 errs=0
check() {   # FILE CMD...: run, classify
	local f=$1; shift
	total=$((total + 1))
	timeout 20 "$SLIM" "$@" > /dev/null 2> err; local rc=$?
	case $rc in
	0) ;;
	2) errs=$((errs + 1))
	   if [ "$(grep -avc '^slim: warning:' err)" != 1 ] || ! grep -av "^slim: warning:" err | grep -aq "^slim: $f"; then
		echo "$f ($*): exit 2 without one error line naming it"; cat err; bad=$((bad + 1))
	   fi ;;
	*) echo "$f ($*): exit $rc"; cat err; bad=$((bad + 1)) ;;
	esac
}
for f in m/map-*; do
	check "$f" linkmap "$f"
	check "$f" linkmap --json --by archive "$f"
done
for f in m/trace-*; do
	check "$f" pydeps --trace "$f"
	check "$f" report --json "$f"
done
echo "$total runs over $(ls m | wc -l) mutated maps and traces ($errs input errors), $bad bad"
[ $bad = 0 ]
