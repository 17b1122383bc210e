#!/bin/bash
# GNU ld and gold --cref: slim counts, per loaded archive member, the
# symbols it defines that other loaded files use (linkmap_cref.py checks
# every count against nm over the files the -t trace names), and lists the
# members only one symbol holds.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
need nm binutils
bash "$ROOT/samples/build-linkmap.sh" || die "samples/build-linkmap.sh failed"
S=$ROOT/samples/out/linkmap
for l in bfd gold; do
	"$SLIM" linkmap "$S/cref-$l.map" --json -o cref-$l.json || die "$l: slim linkmap --json"
	python3 "$ROOT/tests/cli/linkmap_cref.py" cref-$l.json "$S/cref-$l.trace" || die "$l: --cref counts differ from nm"
	"$SLIM" linkmap "$S/cref-$l.map" --top 0 > cref-$l.txt || die "$l: text"
	grep -q "only one symbol holds in the link (--cref)" cref-$l.txt || die "$l: no --cref table in the text"
	grep -q "libz.a(crc32.o) *crc32 <- " cref-$l.txt || die "$l: crc32.o, which others use only for crc32, not listed"
done
echo ok
