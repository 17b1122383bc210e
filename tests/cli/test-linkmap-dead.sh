#!/bin/bash
# dead-archive-member, proven the hard way, with all four linkers on the
# same links and nothing but the map given (lld and mold maps do not name
# a member whose every section was discarded: slim derives it from the
# archives by default):
#  1. on prog, crypto, gtest and tmpl, the members slim calls dead equal
#     the linker's own account (linkmap_dead.py: loaded per -t /
#     --print-dependencies, every allocated section in --print-gc-sections);
#     on prog that is {libdemo.a(demo_dead.o)} (util.o's unused helper
#     pulls it), derived for lld and mold, printed by bfd and gold, and
#     lld's --why-extract names the same member and symbol;
#  2. relinking without that member succeeds and gives an output whose
#     loaded bytes (objcopy -O binary, less the build-id note, which hashes
#     .symtab) are identical: the link does not change;
#  3. --no-derive on lld and mold says dead members are unknown.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
need objcopy binutils
need ar binutils
need readelf binutils
bash "$ROOT/samples/build-linkmap.sh" || die "samples/build-linkmap.sh failed"
S=$ROOT/samples/out/linkmap
for p in prog crypto gtest tmpl; do
	for l in bfd gold lld mold; do
		"$SLIM" linkmap "$S/$p-$l.map" --json -o $p-$l.json 2> /dev/null || die "$p-$l: slim linkmap"
		python3 "$ROOT/tests/cli/linkmap_dead.py" $l "$S/$p-$l.trace" "$S/$p-$l.gc" "$S" \
			$p-$l.json "$S/$p-$l.map" || die "$p-$l: dead members disagree with the linker"
	done
done
ar rcs libdemo.a "$S/demo_live.o"
for l in bfd gold lld mold; do
	dead=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(sorted(f["node"] for f in d["findings"] if f["kind"] == "dead-archive-member")))' prog-$l.json)
	[ "$dead" = "obj:libdemo.a(demo_dead.o)" ] || die "$l: dead members '$dead', want obj:libdemo.a(demo_dead.o)"
	"$SLIM" linkmap "$S/prog-$l.map" 2> /dev/null | grep -q "archive members loaded: 103, 1 of them dead" ||
		die "$l: the text does not say 1 of 103 members is dead"
	(cd "$S" && gcc -fuse-ld=$l -o "$OLDPWD/nodead-$l" main.o util.o "$OLDPWD/libdemo.a" \
		-Wl,--gc-sections -Wl,-Bstatic -lsqlite3 -lz -ljansson \
		-Wl,-Bdynamic -lm -lpthread -ldl) || die "$l: relink without demo_dead.o failed"
	# the build-id hashes .symtab too, where demo_dead.c's file symbol stays
	objcopy -O binary -R .note.gnu.build-id "$S/prog-$l" with.bin &&
		objcopy -O binary -R .note.gnu.build-id nodead-$l without.bin || die "$l: objcopy"
	cmp -s with.bin without.bin || die "$l: the output changed without the member slim calls dead"
done
# lld names the member and the symbol itself: the derived pull agrees
want=$(awk -F'\t' '$2 ~ /demo_dead.o/ {print $3; exit}' "$S/prog-lld.why")
[ -n "$want" ] || die "prog-lld.why names no demo_dead.o"
python3 - prog-lld.json "$want" <<'PY' || die "derived pull of demo_dead.o differs from --why-extract"
import json, sys
d = json.load(open(sys.argv[1]))
e = [e for e in d['edges'] if e['kind'] == 'includes' and e['to'] == 'obj:libdemo.a(demo_dead.o)'][0]
a = e['attrs']
assert a.get('derived') and a.get('unlisted') and a.get('symbol') == sys.argv[2] and a.get('by') == 'obj:util.o', a
PY
for l in lld mold; do
	"$SLIM" linkmap "$S/prog-$l.map" --no-derive --json -o nd.json
	python3 -c 'import json,sys; d=json.load(open("nd.json")); sys.exit(any(f["kind"]=="dead-archive-member" for f in d["findings"]))' ||
		die "$l --no-derive: a dead member without evidence"
	"$SLIM" linkmap "$S/prog-$l.map" --no-derive | grep -q "which are dead is unknown" ||
		die "$l --no-derive: the text does not say dead members are unknown"
done
echo ok
