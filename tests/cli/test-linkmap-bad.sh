#!/bin/bash
# Bad input to `slim linkmap`: truncated maps (mid-line and at a line
# boundary, for every linker), a map of no known linker, malformed and
# overflowing numbers, a binary file, bad --why-extract input, usage errors.
# Each must give exactly one stderr line "slim: FILE: line N: ..." and exit
# 2; never a crash.  Then every cut of every sample map at 40 offsets: exit
# 0 or 2, and one line when 2.
source "$ROOT/tests/cli/lib.sh"
bash "$ROOT/samples/build-linkmap.sh" || die "samples/build-linkmap.sh failed"
S=$ROOT/samples/out/linkmap

# bad FILE PATTERN: slim linkmap FILE exits 2 with one line matching PATTERN
bad() {
	local f=$1 pat=$2; shift 2
	"$SLIM" linkmap "$f" "$@" >out 2>err
	local rc=$?
	[ "$rc" = 2 ] || { cat err >&2; die "$f: exit $rc, want 2"; }
	one_line err
	grep -Eq "^slim: $pat" err || die "$f: stderr '$(cat err)' does not match '$pat'"
}

for l in bfd gold lld mold; do
	m=$S/prog-$l.map
	head -c 150000 "$m" > cut-$l.map
	bad cut-$l.map "cut-$l.map: line [0-9]+: map is truncated"
	head -n 2000 "$m" > lines-$l.map
	bad lines-$l.map "lines-$l.map: line 2000: map ends before .*truncated"
done

printf 'hello\nworld\n' > unknown.map
bad unknown.map "unknown.map: line 1: not a linker map of GNU ld, gold, lld or mold"
bad /bin/true "/bin/true: line [0-9]+: NUL byte: a binary file"
: > empty.map
bad empty.map "empty.map: line 1: empty linker map"

# lld: the VMA column with junk, and a number past 64 bits
{ head -n 1 "$S/prog-lld.map"; echo "             2a8              zz8       1c     1 .interp"; } > junk-lld.map
bad junk-lld.map "junk-lld.map: line 2: expected a number, found 'zz8'"
{ head -n 1 "$S/prog-lld.map"; echo "   1ffffffffffffffffff              2a8       1c     1 .interp"; } > big-lld.map
bad big-lld.map "big-lld.map: line 2: malformed or overflowing number '1ffffffffffffffffff'"
# mold: a size with a decimal point
{ head -n 2 "$S/prog-mold.map"; echo "             0x2a8       28.5     1 .interp"; } > dec-mold.map
bad dec-mold.map "dec-mold.map: line 3: malformed or overflowing number"
# BFD and gold: sizes with junk, and 17 hex digits
n=$(grep -n '^\.text ' "$S/prog-bfd.map" | head -1 | cut -d: -f1)
sed "${n}s/ 0x\([0-9a-f]*\)$/ 0x\1zz/" "$S/prog-bfd.map" > junk-bfd.map
bad junk-bfd.map "junk-bfd.map: line $n: malformed or overflowing number '0x[0-9a-f]+zz'"
n=$(grep -n '^\.text ' "$S/prog-gold.map" | head -1 | cut -d: -f1)
sed "${n}s/ 0x\([0-9a-f]*\)$/ 0x100000000000000000/" "$S/prog-gold.map" > big-gold.map
bad big-gold.map "big-gold.map: line $n: malformed or overflowing number"

# --why-extract input that is neither lld's nor mold's
printf 'nonsense\n' > why.txt
bad "$S/prog-lld.map" "why.txt: line 1: neither lld --why-extract nor mold" --why-extract why.txt
{ echo "reference	extracted	symbol"; echo "only-one-field"; } > why2.txt
bad "$S/prog-lld.map" "why2.txt: line 2: expected 'reference<TAB>extracted<TAB>symbol'" --why-extract why2.txt

# usage errors: exit 2, usage on stderr; --help exit 0 on stdout
expect_rc 2 "$SLIM" linkmap 2>/dev/null
expect_rc 2 "$SLIM" linkmap "$S/prog-bfd.map" --by nothing 2>/dev/null
expect_rc 2 "$SLIM" linkmap "$S/prog-bfd.map" --top -1 2>/dev/null
"$SLIM" linkmap --help | grep -q "^usage: slim linkmap .*MAP" || die "--help"

# every sample cut at 40 offsets: never a crash, one line when refused
for m in "$S"/*.map; do
	sz=$(stat -c %s "$m")
	for i in $(seq 1 40); do
		head -c $((sz * i / 41 + i)) "$m" > cut.map
		"$SLIM" linkmap cut.map >/dev/null 2>err
		rc=$?
		[ "$rc" = 0 ] || [ "$rc" = 2 ] || die "$(basename "$m") cut at $((sz * i / 41 + i)): exit $rc"
		[ "$rc" = 0 ] || one_line err
	done
done
echo ok-bad

# -o onto something that is not a regular file is written in place, never
# replaced by a renamed temporary (a FIFO here; /dev/null in real use)
mkfifo fifo
cat fifo > fromfifo &
"$SLIM" linkmap "$S/prog-gold.map" --json -o fifo || die "-o fifo"
wait
[ -p fifo ] || die "-o fifo replaced the FIFO with a regular file"
grep -q '"schema": "slim-report/1"' fromfifo || die "nothing came through the FIFO"
echo ok-fifo

# CRLF line ends (maps copied through Windows tools) read the same
for l in bfd gold lld mold; do
	sed 's/$/\r/' "$S/prog-$l.map" > crlf-$l.map
	"$SLIM" linkmap crlf-$l.map --no-derive --top 0 | tail -n +2 > crlf.txt || die "$l: CRLF map refused"
	"$SLIM" linkmap "$S/prog-$l.map" --no-derive --top 0 | tail -n +2 > lf.txt
	cmp -s crlf.txt lf.txt || die "$l: CRLF map read differently"
done
echo ok-crlf
