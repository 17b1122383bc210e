#!/bin/bash
# test-prune.sh - `slim prune` (issue #17) on the committed nvcc samples:
# usage and refusals; prune_check.py's proof for several --arch lists (the
# bytes freed equal the report's prediction, OUT re-read lists exactly the
# kept entries, byte-identical, extracted files equal, containers parsed
# independently, nothing else changed, holes, dlopen); --include likely;
# --compressed-size against the zstd CLI; inputs slim cannot rewrite safely
# (unknown container version, a wrapper pointing elsewhere, no section
# header table) copied unchanged with a warning naming why; --in-place and
# atomic output.  tests/real/prune.sh runs the same proof over CUDA's lib64.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
need zstd zstd
need readelf binutils
S=$ROOT/samples/out/fatbin
[ -f "$S/MANIFEST" ] || die "samples not built: run samples/build.sh"

# usage errors: one line, exit 2, nothing written
expect_rc 0 "$SLIM" prune --help > help.txt
grep -q -- "--arch LIST" help.txt || die "--help lacks --arch"
expect_rc 2 "$SLIM" prune "$S/libk.so" 2> err.txt
one_line err.txt
grep -q "no -o OUT" err.txt || die "missing -o: $(cat err.txt)"
expect_rc 2 "$SLIM" prune --include maybe "$S/libk.so" -o x 2> err.txt
one_line err.txt
expect_rc 2 "$SLIM" prune --arch sm_8x "$S/libk.so" -o x 2> err.txt
one_line err.txt
[ ! -e x ] || die "a usage error wrote OUT"
expect_rc 2 "$SLIM" prune /nonexistent -o x 2> err.txt
one_line err.txt
[ ! -e x ] || die "a missing input wrote OUT"
cp "$S/libk.so" k.so
sum0=$(sha256sum < k.so)
expect_rc 2 "$SLIM" prune --arch sm_90 k.so -o k.so 2> err.txt
one_line err.txt
grep -q "give --in-place" err.txt || die "OUT = INPUT: $(cat err.txt)"
ln k.so k-link.so
expect_rc 2 "$SLIM" prune --arch sm_90 k.so -o k-link.so 2> err.txt
[ "$(sha256sum < k.so)" = "$sum0" ] || die "INPUT modified without --in-place"
expect_rc 2 "$SLIM" prune --arch sm_90 k.so -o /nonexistent/dir/k.so 2> err.txt
one_line err.txt

# the proof on every sample, for several target lists
files=$(ls "$S"/* | grep -v MANIFEST)
for a in sm_90 sm_80,sm_90 sm_75 sm_100; do
	python3 "$ROOT/tests/cli/prune_check.py" "$SLIM" "$a" "w-$a" $files || die "--arch $a"
done

# --include likely: the redundant PTX of exe_balance goes too
expect_rc 0 "$SLIM" fatbin --arch sm_90 "$S/exe_balance" > fb.txt
read -r pn pb rn rb < <(sed -n 's/.*: \([0-9]*\) prunable entries, \([0-9]*\) bytes; \([0-9]*\) redundant PTX\/LTO-IR entries, \([0-9]*\) bytes.*/\1 \2 \3 \4/p' fb.txt)
[ "${rn:-0}" -gt 0 ] || die "exe_balance has no redundant PTX for sm_90: $(cat fb.txt)"
expect_rc 0 "$SLIM" prune --arch sm_90 --include likely "$S/exe_balance" -o likely.out > out.txt 2> err.txt
grep -q "removed $((pn + rn)) of 9 GPU entries .*: $((pb + rb)) bytes freed" out.txt ||
	die "--include likely: $(cat out.txt), want $((pn + rn)) entries, $((pb + rb)) bytes"
expect_rc 0 "$SLIM" fatbin --arch sm_90 likely.out > fb2.txt
grep -q "sm_90 .* 0 redundant PTX" fb2.txt || grep -q ": 0 prunable entries, 0 bytes; 0 redundant" fb2.txt ||
	die "likely.out still has redundant PTX: $(cat fb2.txt)"

# --compressed-size: both figures within 3% of the zstd CLI at level 1
expect_rc 0 "$SLIM" prune --arch sm_90 --compressed-size "$S/exe_balance" -o z.out > out.txt 2> err.txt
read -r zin zout < <(sed -n 's/^  zstd -1: \([0-9]*\) -> \([0-9]*\) bytes$/\1 \2/p' out.txt)
[ -n "${zin:-}" ] || die "--compressed-size printed no zstd line: $(cat out.txt)"
cin=$(zstd -1 -c --no-check < "$S/exe_balance" | wc -c)
cout=$(zstd -1 -c --no-check < z.out | wc -c)
for p in "$zin $cin" "$zout $cout"; do
	set -- $p
	[ $(( ($1 - $2) * 100 / $2 )) -le 3 ] && [ $(( ($2 - $1) * 100 / $2 )) -le 3 ] ||
		die "--compressed-size: slim $1, zstd -1 $2"
done
[ "$zout" -lt "$zin" ] || die "pruned copy does not compress smaller: $zin -> $zout"

# unsafe inputs: copied unchanged, a warning naming why, exit 0
unsafe() {   # NAME FILE WHY-REGEX
	expect_rc 0 "$SLIM" prune --arch sm_90 "$2" -o "$1.out" > out.txt 2> err.txt
	grep -q "^slim: warning: $2: copied unchanged: .*$3" err.txt || die "$1: $(cat err.txt)"
	cmp -s "$2" "$1.out" || die "$1: OUT differs from INPUT"
}
off=$(python3 - "$S/libk.so" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
print(d.index(bytes.fromhex("50ed55ba")))
PY
)
cp "$S/libk.so" badver.so
printf '\x02' | dd of=badver.so bs=1 seek=$((off + 4)) conv=notrunc status=none
unsafe badver badver.so "unknown fatbin version 2"
seg=$(readelf -SW "$S/exe_balance" | awk '$2 == ".nvFatBinSegment" { print $5 }')
[ -n "$seg" ] || die "exe_balance has no .nvFatBinSegment"
cp "$S/exe_balance" badseg
python3 - badseg $((16#$seg)) <<'PY'
import struct, sys
p, off = sys.argv[1], int(sys.argv[2])
d = bytearray(open(p, "rb").read())
addr, = struct.unpack_from("<Q", d, off + 8)
assert addr, "wrapper address filled by a relocation, not in place"
struct.pack_into("<Q", d, off + 8, addr + 8)
open(p, "wb").write(d)
PY
unsafe badseg badseg "wrapper 0 points at"
cp "$S/libk.so" noshdr.so
python3 - noshdr.so <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
struct.pack_into("<Q", d, 0x28, 0)       # e_shoff
struct.pack_into("<HHH", d, 0x3c, 0, 0, 0)  # e_shnum, e_shstrndx
open(sys.argv[1], "wb").write(d)
PY
unsafe noshdr noshdr.so "no section header table"
# something pointing at an entry inside a container (whose entries would
# move): a RELATIVE relocation's addend, then a symbol, 64 bytes past the
# start of a container libk.so's prune rewrites
python3 - "$S/libk.so" inrel.so insym.so <<'PY' || die "cannot make the pointer-inside inputs"
import re, struct, subprocess, sys
src, rel_out, sym_out = sys.argv[1:]
d = open(src, "rb").read()
secs = subprocess.run(["readelf", "-SW", src], capture_output=True, text=True).stdout
def sec(name):
    m = re.search(r"\s" + re.escape(name) + r"\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", secs)
    return [int(x, 16) for x in m.groups()]   # addr, offset, size
fa, fo, fs = sec(".nv_fatbin")
ra, ro, rs = sec(".rela.dyn")
b = bytearray(d)
for i in range(rs // 24):
    off, info, add = struct.unpack_from("<QQq", b, ro + 24 * i)
    if info & 0xffffffff == 8 and fa <= add < fa + fs and d[fo + add - fa:fo + add - fa + 4] == bytes.fromhex("50ed55ba"):
        struct.pack_into("<q", b, ro + 24 * i + 16, add + 64)
        break
else:
    sys.exit("no RELATIVE relocation at a container")
open(rel_out, "wb").write(b)
sa, so, ss = sec(".dynsym")
ndx = int(re.search(r"\[\s*(\d+)\]\s+\.nv_fatbin", secs).group(1))
b = bytearray(d)
name, info, other, shndx, val, size = struct.unpack_from("<IBBHQQ", b, so + 24)
struct.pack_into("<IBBHQQ", b, so + 24, name, (0 << 4) | 1, other, ndx, fa + 64, 0)   # LOCAL OBJECT
open(sym_out, "wb").write(b)
PY
unsafe inrel inrel.so "a relocation (.rela.dyn) points inside a fatbin container, 64 bytes past its start"
unsafe insym insym.so "symbol .* points inside a fatbin container, 64 bytes past its start"
# a file with no GPU code: copied, said so, no warning
expect_rc 0 "$SLIM" prune --arch sm_90 "$S/MANIFEST" -o manifest.out > out.txt 2> err.txt
grep -q "no GPU code; copied unchanged" out.txt || die "non-ELF: $(cat out.txt)"
! grep -q warning err.txt || die "non-ELF warned: $(cat err.txt)"
cmp -s "$S/MANIFEST" manifest.out || die "non-ELF copy differs"

# mutations: random bytes changed in the fatbin containers of libk.so and
# libdev.a (headers and payloads) and in their ELF headers: slim prune
# never crashes (exit 0 or 2), and an OUT it rewrote from an input slim
# fatbin still reads reads back without an error and with no prunable
# entry left
python3 - "$S/libk.so" "$S/libdev.a" > muts.txt <<'PY'
import random, sys
random.seed(17)
for path in sys.argv[1:]:
    d = open(path, "rb").read()
    hits = [i for i in range(len(d) - 4) if d[i:i + 4] == bytes.fromhex("50ed55ba")]
    for k in range(60):
        at = random.choice(hits) + random.choice([4, 6, 8, 9, 16, 20, 24, 28, 32, 40, 56, 64, 72, 80, 300]) \
            if k % 4 else random.randrange(0, 64)
        print(path, min(at, len(d) - 1), random.randrange(256))
PY
n=0 rew=0 refused=0
while read -r f at val; do
	n=$((n + 1))
	cp "$f" mut.bin
	printf "$(printf '\\x%02x' "$val")" | dd of=mut.bin bs=1 seek="$at" conv=notrunc status=none
	"$SLIM" prune --arch sm_90 mut.bin -o mut.out > out.txt 2> err.txt; rc=$?
	[ $rc = 0 ] || [ $rc = 2 ] || die "mutation $n ($f @$at = $val): exit $rc: $(cat err.txt)"
	if [ $rc = 0 ] && grep -q "removed [1-9]" out.txt && ! grep -q "copied unchanged" err.txt &&
		"$SLIM" fatbin mut.bin > /dev/null 2>&1; then
		"$SLIM" fatbin --arch sm_90 mut.out > fb.txt 2> fberr.txt ||
			die "mutation $n ($f @$at = $val): OUT does not read back: $(cat fberr.txt)"
		! grep -q ": [1-9][0-9]* prunable entries" fb.txt || die "mutation $n: prunable entries left"
		rew=$((rew + 1))
	fi
	grep -q "copied unchanged" err.txt && refused=$((refused + 1))
done < muts.txt
[ "$rew" -ge 20 ] && [ "$refused" -ge 10 ] || die "mutations: only $rew rewritten, $refused refused"
echo "ok: $n mutations: no crash; $rew rewritten OUTs read back; $refused copied unchanged with a warning"

# a file pruned into an existing directory lands as DIR/NAME
mkdir -p into
expect_rc 0 "$SLIM" prune --arch sm_90 "$S/libk.so" -o into > out.txt 2> err.txt
[ -f into/libk.so ] || die "-o DIR: no DIR/libk.so: $(ls into)"
grep -q "^slim: wrote into/libk.so$" err.txt || die "-o DIR: $(cat err.txt)"
expect_rc 2 "$SLIM" prune --arch sm_90 into/libk.so -o into 2> err.txt
one_line err.txt

# --in-place: replaced by rename (new inode), the other name keeps the old
# bytes, no temporary left beside it
ino0=$(stat -c %i k.so)
expect_rc 0 "$SLIM" prune --arch sm_90 --in-place k.so -o k.so > out.txt 2> err.txt
[ "$(stat -c %i k.so)" != "$ino0" ] || die "--in-place wrote through the old inode"
[ "$(sha256sum < k-link.so)" = "$sum0" ] || die "--in-place changed the other link"
"$SLIM" fatbin --arch sm_90 k.so | grep -q ": 0 prunable entries" || die "--in-place: still prunable"
[ -z "$(ls -A | grep '^\.')" ] || die "temporaries left: $(ls -A | grep '^\.')"
echo "ok: slim prune on the samples"
