# slim report GOOD BAD GOOD2: a bad input is one error line naming it (and
# the offset, where the file has one) and exit 2, and the good inputs are
# still analyzed and printed exactly as on their own.  Bad inputs: a
# program cut short (the offset must be its PT_DYNAMIC's, which readelf
# gives, the first thing past the end), a missing file, an
# empty file, a static archive cut inside a member (the offset must be that
# member's header, found here by walking the ar headers of the whole
# archive), and an archive whose member header has a size that is not a
# number, and a thin archive whose member file is gone.  All of them in
# one run: one line each, in order.  --json writes nothing when an input
# failed.  (A directory is no bad input since #14: it is a whole
# deployable, tests/cli/test-tree*.sh.)
source "$ROOT/tests/cli/lib.sh"
need python3 python3; need readelf binutils
good=/usr/bin/true good2=/usr/lib/x86_64-linux-gnu/libz.a
[ -f "$good2" ] || die "missing $good2: apt-get install zlib1g-dev (or run \`make deps\`)"
head -c 3000 /bin/ls > cut-prog
: > empty
head -c 20000 "$good2" > cut.a
python3 - "$good2" <<'PY' || die "cannot make the archive samples"
import sys
d = bytearray(open(sys.argv[1], "rb").read())
off, hdrs = 8, []
while off + 60 <= len(d):
    size = int(d[off + 48:off + 58])
    hdrs.append((off, size))
    off += 60 + size + (size & 1)
# the header of the member the cut at 20000 falls in
h = [o for o, s in hdrs if o < 20000 <= o + 60 + s][0]
open("cut.a.want", "w").write("0x%x\n" % h)
# the third member's size field spoiled
o = hdrs[3][0]
d[o + 48:o + 58] = b"12x4      "
open("badsize.a", "wb").write(d)
open("badsize.a.want", "w").write("0x%x\n" % (o + 48))
PY
cp /usr/lib/x86_64-linux-gnu/libz.a z.a && mkdir t && ar x z.a adler32.o crc32.o && mv adler32.o crc32.o t/ &&
	ar rcT thin.a t/adler32.o t/crc32.o && rm t/crc32.o || die "cannot make the thin archive"
dyn=$(readelf -lW /bin/ls | awk '$1 == "DYNAMIC" { print $2 }')
[ -n "$dyn" ] || die "readelf shows no DYNAMIC in /bin/ls"
printf '0x%x\n' "$dyn" > cut-prog.want

"$SLIM" report "$good" > good.txt && "$SLIM" report "$good2" > good2.txt || die "the good inputs fail alone"
for b in cut-prog missing empty cut.a badsize.a thin.a; do
	"$SLIM" report "$good" "$b" "$good2" > out.txt 2> err.txt
	rc=$?
	[ $rc = 2 ] || die "$b: exit $rc, want 2"
	one_line err.txt
	grep -q "^slim: $b: " err.txt || die "$b: the error does not name it: $(cat err.txt)"
	if [ "$b" = thin.a ]; then
		grep -q "^slim: thin.a: offset 0x[0-9a-f]*: thin archive member t/crc32.o: cannot open t/crc32.o$" err.txt || die "thin.a: $(cat err.txt)"
	elif [ -f "$b.want" ]; then
		grep -q "^slim: $b: offset $(cat "$b.want"): " err.txt || die "$b: want offset $(cat "$b.want"): $(cat err.txt)"
	elif [ "$b" = empty ]; then
		grep -q "^slim: empty: offset 0x0: empty file$" err.txt || die "empty: $(cat err.txt)"
	else
		grep -q "offset" err.txt && die "$b has no offset to give: $(cat err.txt)"
	fi
	# both good reports, as on their own (the total line aside)
	python3 - good.txt good2.txt out.txt "$b" <<'PY' || die "$b: the good inputs' reports are not all there"
import sys
g1, g2, out = (open(f).read() for f in sys.argv[1:4])
b = sys.argv[4]
strip = lambda t: t[:t.rindex("total: ")]
assert strip(g1) in out and strip(g2) in out, out
assert out.index(strip(g1)) < out.index(strip(g2))
if b.endswith(".a"):      # a bad archive: what was read before the error, said to be incomplete
    assert "obj:%s  %s" % (b, b) in out and "  INCOMPLETE (offset 0x" in out, out
PY
	"$SLIM" report --json "$good" "$b" "$good2" > out.json 2> err.txt
	[ $? = 2 ] || die "$b --json: want exit 2"
	[ -s out.json ] && die "$b --json: a report was written with an input missing"
	one_line err.txt
done
# all of them in one run
"$SLIM" report "$good" cut-prog missing empty cut.a badsize.a thin.a "$good2" > out.txt 2> err.txt
[ $? = 2 ] || die "all bad inputs: want exit 2"
[ "$(cut -d: -f2 err.txt | tr -d ' ' | tr '\n' ' ')" = "cut-prog missing empty cut.a badsize.a thin.a " ] ||
	{ cat err.txt; die "want one line per bad input, in order"; }
grep -q "^exe:true " out.txt && grep -q "^obj:libz.a " out.txt || die "good inputs missing from: $(cat out.txt)"

# mutations (truncations, byte flips) of archives, objects and GPU code,
# the program's flips inside its .nv_fatbin: exit 0 (warnings only) or 2
# with exactly one line naming the file, never a signal
F=$ROOT/samples/out/fatbin
[ -f "$F/exe_none" ] || die "missing $F/exe_none: run samples/build.sh"
readelf -SW "$F/exe_none" | awk '$2 == ".nv_fatbin" { print $5, $6 }' > nvfat
[ -s nvfat ] || die "readelf shows no .nv_fatbin in exe_none"
python3 - "$SLIM" "$F" "$ROOT/samples/out/linkmap/libdemo.a" "$good2" <<'PY' || die "a mutated input broke the one-line rule"
import random, re, subprocess, sys
slim, F, demo, libz = sys.argv[1:]
off, size = (int(x, 16) for x in open("nvfat").read().split())
srcs = [(F + "/libdev.a", 8, None), (demo, 8, None), (libz, 8, None), (F + "/kern.fatbin", 0, None),
        (F + "/lto_size.o", 0, None), (F + "/exe_none", off, off + size)]
rnd = random.Random(15)
codes = {}
for i in range(240):
    src, lo, hi = srcs[i % len(srcs)]
    d = bytearray(open(src, "rb").read())
    if hi is None and rnd.random() < 0.3:      # cut (not the program)
        d = d[:rnd.randrange(max(lo, 1), len(d))]
    else:
        for _ in range(rnd.randint(1, 8)):
            d[rnd.randrange(lo, hi or len(d))] = rnd.randrange(256)
    name = "m%d%s" % (i, src[src.rfind("."):] if "." in src[-7:] else "")
    open(name, "wb").write(d)
    r = subprocess.run([slim, "report", name], capture_output=True, text=True, timeout=60)
    codes[r.returncode] = codes.get(r.returncode, 0) + 1
    err = r.stderr.splitlines()
    if r.returncode == 2:
        assert len(err) == 1 and re.match(r"slim: %s(\(.*\))?: " % re.escape(name), err[0]), (name, src, err)
    else:
        assert r.returncode == 0, (name, src, r.returncode, err)
        assert all(l.startswith("slim: warning: ") for l in err), (name, src, err)
print("240 mutations: exit codes", codes)
PY
echo "7 kinds of bad input: one line each, exit 2, the good inputs reported; 240 mutations"
