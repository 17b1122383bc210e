#!/bin/bash
# `slim report BIN --map MAP` merges MAP's findings into BIN, so MAP must
# describe BIN: the allocated output sections' addresses and sizes in the
# map against BIN's section headers (which strip keeps).  Accepted: each
# linker's map with its own output, and with a stripped copy of it (same
# findings); refused in one line, exit 2, nothing merged: a map of another
# program, and a map of the same sources linked by another linker.  The
# numbers the refusal quotes for the file are readelf's.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
need strip binutils
need readelf binutils
bash "$ROOT/samples/build-linkmap.sh" || die "samples/build-linkmap.sh failed"
S=$ROOT/samples/out/linkmap
finds() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print("\n".join(sorted("%s %s %s" % (f["kind"], f["node"], f.get("attrs", {}).get("cause", "")) for f in d["findings"]
                        if f["kind"] in ("discarded-section", "dead-archive-member"))))' "$1"
}
for l in bfd gold lld mold; do
	"$SLIM" report "$S/prog-$l" --map "$S/prog-$l.map" --no-gpu --json > match.json 2> err ||
		die "$l: its own map refused: $(cat err)"
	finds match.json > match.txt
	grep -q "^dead-archive-member obj:libdemo.a(demo_dead.o)" match.txt || die "$l: the map's findings were not merged"
	strip -o stripped-$l "$S/prog-$l" || die "strip"
	readelf -SW stripped-$l | grep -q "\.symtab" && die "$l: strip left .symtab"
	"$SLIM" report stripped-$l --map "$S/prog-$l.map" --no-gpu --json > stripped.json 2> err ||
		die "$l: the map of a stripped copy refused: $(cat err)"
	finds stripped.json > stripped.txt
	cmp -s match.txt stripped.txt || die "$l: stripped copy: other findings"
	for other in "$S/crypto-$l.map" "$S/prog-$([ $l = bfd ] && echo lld || echo bfd).map"; do
		expect_rc 2 "$SLIM" report "$S/prog-$l" --map "$other" --no-gpu --json > refused.json 2> err
		[ "$(wc -l < err)" = 1 ] || die "$l: refusal is not one line: $(cat err)"
		re="^slim: $other: [a-z]+ map does not describe $S/prog-$l: (\S+) at 0x([0-9a-f]+) size ([0-9]+) in the map, 0x([0-9a-f]+) size ([0-9]+) in the file$"
		[[ "$(cat err)" =~ $re ]] || die "$l: refusal wording: $(cat err)"
		sec=${BASH_REMATCH[1]} addr=${BASH_REMATCH[4]} size=${BASH_REMATCH[5]}
		# the file's numbers are readelf's
		readelf -SW "$S/prog-$l" | python3 -c 'import re, sys
s, a, z = sys.argv[1], int(sys.argv[2], 16), int(sys.argv[3])
for l in sys.stdin:
    m = re.match(r"^\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", l)
    if m and m.group(1) == s and int(m.group(2), 16) == a and int(m.group(3), 16) == z:
        sys.exit(0)
sys.exit(1)' "$sec" "$addr" "$size" || die "$l: $sec at 0x$addr size $size is not what readelf says"
		[ -s refused.json ] && [ -n "$(finds refused.json)" ] && die "$l: findings of a refused map merged"
	done
done
echo ok
