#!/bin/bash
# slim linkmap against each linker's own account of the same link (see
# samples/build-linkmap.sh and linkmap_truth.py): for bfd, gold, lld and
# mold, the loaded archive members equal -t / --print-dependencies, the
# discarded sections equal --print-gc-sections, the bytes per output
# section sum to `size -A`, and for lld the pulling symbol equals
# --why-extract.  lld and mold maps list no discarded sections: slim
# --derive reads them from the objects, checked against the gc list too.  Also: JSON byte-identical across runs.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
need size binutils
need ar binutils
need readelf binutils
bash "$ROOT/samples/build-linkmap.sh" || die "samples/build-linkmap.sh failed"
S=$ROOT/samples/out/linkmap
n=0
for p in prog crypto thin lto script gtest; do
	for l in bfd gold lld mold; do
		[ -e "$S/$p-$l.map" ] || continue
		why=()
		[ "$l" = lld ] && why=(--why-extract "$S/$p-$l.why" --derive)
		[ "$l" = mold ] && why=(--why-extract "$S/$p-$l.trace" --derive)
		"$SLIM" linkmap "$S/$p-$l.map" "${why[@]}" --json -o "$p-$l.json" || die "$p-$l: slim linkmap --json failed"
		"$SLIM" linkmap "$S/$p-$l.map" "${why[@]}" --by discarded > "$p-$l.disc" || die "$p-$l: --by discarded failed"
		size -A "$S/$p-$l" > "$p-$l.size" || die "size -A $p-$l"
		python3 "$ROOT/tests/cli/linkmap_truth.py" $l "$S/$p-$l.trace" "$S/$p-$l.gc" \
			"$p-$l.json" "$p-$l.disc" "$p-$l.size" "$S/$p-$l" ${why:+"${why[1]}"} || die "$p-$l disagrees with the linker"
		n=$((n + 1))
	done
done
[ "$n" = 18 ] || die "want 18 links checked, checked $n"
"$SLIM" linkmap "$S/crypto-lld.map" --json -o again.json || die "second run"
cmp -s crypto-lld.json again.json && die "the --why-extract run should differ from a plain run"
"$SLIM" linkmap "$S/crypto-lld.map" --why-extract "$S/crypto-lld.why" --derive --json -o again.json
cmp crypto-lld.json again.json || die "JSON differs between two runs on the same input"
echo "ok: $n links agree with their linkers"
