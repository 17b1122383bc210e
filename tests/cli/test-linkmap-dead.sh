#!/bin/bash
# dead-archive-member, proven the hard way: for each linker, the members
# slim calls dead in prog-L (util.o's unused helper pulls
# libdemo.a(demo_dead.o)) are exactly {libdemo.a(demo_dead.o)}, and
# relinking without that member succeeds and gives an output whose loaded
# bytes (objcopy -O binary, less the build-id note, which hashes .symtab)
# are identical: the link does not change.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
need objcopy binutils
need ar binutils
bash "$ROOT/samples/build-linkmap.sh" || die "samples/build-linkmap.sh failed"
S=$ROOT/samples/out/linkmap
ar rcs libdemo.a "$S/demo_live.o"
for l in bfd gold lld mold; do
	extra=()
	[ $l = lld ] && extra=(--why-extract "$S/prog-$l.why" --derive)
	[ $l = mold ] && extra=(--why-extract "$S/prog-$l.trace" --derive)
	"$SLIM" linkmap "$S/prog-$l.map" "${extra[@]}" --json -o $l.json || die "$l: slim linkmap"
	dead=$(python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(sorted(f["node"] for f in d["findings"] if f["kind"] == "dead-archive-member")))' $l.json)
	[ "$dead" = "obj:libdemo.a(demo_dead.o)" ] || die "$l: dead members '$dead', want obj:libdemo.a(demo_dead.o)"
	(cd "$S" && gcc -fuse-ld=$l -o "$OLDPWD/nodead-$l" main.o util.o "$OLDPWD/libdemo.a" \
		-Wl,--gc-sections -Wl,-Bstatic -lsqlite3 -lz -ljansson \
		-Wl,-Bdynamic -lm -lpthread -ldl) || die "$l: relink without demo_dead.o failed"
	# the build-id hashes .symtab too, where demo_dead.c's file symbol stays
	objcopy -O binary -R .note.gnu.build-id "$S/prog-$l" with.bin &&
		objcopy -O binary -R .note.gnu.build-id nodead-$l without.bin || die "$l: objcopy"
	cmp -s with.bin without.bin || die "$l: the output changed without the member slim calls dead"
done
echo ok
