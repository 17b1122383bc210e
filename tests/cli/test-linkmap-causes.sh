#!/bin/bash
# Why each section was discarded (attrs.cause), against each linker's own
# account of the same link (linkmap_causes.py says the rules and the
# exceptions): Debian's static archives (libsqlite3.a, libz.a,
# libjansson.a, libcrypto.a, libgtest.a) and a C++ program with the same
# template instantiations in an object and an archive member (tmpl), each
# linked by GNU ld, gold, lld and mold with -ffunction-sections
# -fdata-sections --gc-sections; linker scripts with data statements and
# with /DISCARD/ (bfd, lld: gold and mold take no INSERT script).  The
# sections of cause gc equal --print-gc-sections; comdat, merged and script
# are checked with readelf.  Then the JSON: every discarded-section finding
# carries attrs.cause and attrs.actionable (true only for gc), and the
# text summary says which causes can be acted on.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
need readelf binutils
bash "$ROOT/samples/build-linkmap.sh" || die "samples/build-linkmap.sh failed"
S=$ROOT/samples/out/linkmap
n=0
declare -A seen
for p in prog crypto gtest tmpl script discard thin; do
	for l in bfd gold lld mold; do
		[ -e "$S/$p-$l.map" ] || continue
		"$SLIM" linkmap "$S/$p-$l.map" --by discarded > "$p-$l.disc" || die "$p-$l: --by discarded failed"
		sc=0
		case $p in script | discard) sc=1 ;; esac
		g=()
		[ $l = bfd ] && [ -e "$S/$p-gold.gc" ] && g=("$S/$p-gold.gc")
		python3 "$ROOT/tests/cli/linkmap_causes.py" $l "$S" "$S/$p-$l.gc" "$S/$p-$l.trace" \
			"$p-$l.disc" $sc "$S/$p-$l.map" "${g[@]}" > "$p-$l.out" || { cat "$p-$l.out"; die "$p-$l: causes disagree with the linker"; }
		cat "$p-$l.out"
		for c in $(cut -f4 "$p-$l.disc" | sort -u); do seen[$l-$c]=1; done
		n=$((n + 1))
	done
done
[ "$n" = 22 ] || die "want 22 links checked, checked $n"
# each cause is met where the samples make it: comdat with all four
# linkers, script with bfd and lld, merged (notes, group records) with bfd
# and gold, which list what they consume
for k in bfd-gc gold-gc lld-gc mold-gc bfd-comdat gold-comdat lld-comdat mold-comdat \
	bfd-script lld-script bfd-merged gold-merged; do
	[ "${seen[$k]}" = 1 ] || die "no discarded section of cause ${k#*-} with ${k%%-*}"
done
# the gc'd template (Acc<long>::twice, only tmpl_b.o has it) is gc, its
# duplicates of tmpl_a.o's instantiations comdat, with every linker
for l in bfd gold lld mold; do
	grep -q $'libtmpl.a(tmpl_b.o)\t.text._ZNK3AccIlE5twiceEv\tgc$' tmpl-$l.disc ||
		die "$l: Acc<long>::twice of tmpl_b.o is not gc"
	grep -q $'libtmpl.a(tmpl_b.o)\t.text._ZN3AccIlE3addEl\tcomdat$' tmpl-$l.disc ||
		die "$l: tmpl_b.o's duplicate Acc<long>::add is not comdat"
	"$SLIM" linkmap "$S/tmpl-$l.map" --json -o tmpl-$l.json || die "$l: --json"
	python3 - tmpl-$l.json <<'PY' || die "$l: JSON findings lack their cause"
import json, sys
d = json.load(open(sys.argv[1]))
fs = [f for f in d['findings'] if f['kind'] == 'discarded-section']
assert fs, 'no discarded-section findings'
for f in fs:
    a = f.get('attrs', {})
    assert a.get('cause') in ('gc', 'comdat', 'merged', 'script'), f
    assert a['actionable'] == (a['cause'] == 'gc'), f
    assert ('not actionable' in f['fix']) == (a['cause'] != 'gc'), f
t = d['totals']['linkmap']['discarded_by_cause']
assert sum(v['sections'] for v in t.values()) == d['totals']['linkmap']['discarded_sections'], t
PY
	"$SLIM" linkmap "$S/tmpl-$l.map" | grep -q "by cause: .*gc [0-9]* ([0-9]* bytes; --gc-sections: dead code, actionable at the source).*comdat [0-9]* ([0-9]* bytes; duplicate COMDAT groups: not actionable)" ||
		die "$l: the text does not say which causes can be acted on"
done
echo "ok: causes of $n links agree with their linkers"
