#!/bin/bash
# Where the objects and archives a map names cannot be read (the map copied
# away from the build, every path rewritten to /nonexistent), nothing can
# be derived, and every view says so instead of claiming "0 dead" or no
# discarded sections:
#   slim linkmap (text)       "discarded: unknown: ...", "which are dead is unknown"
#   slim linkmap --by discarded   one "# ..." line, no section
#   slim linkmap --json       totals.linkmap.discards "unknown", no pulls,
#                             no discarded-section / dead-archive-member
#   slim report BIN --map     one warning line for each, exit 0
#   slim why                  the member's evidence says it is not known
#                             and, for lld, names --why-extract
# With some inputs unread, what was derived is said to be incomplete and no
# member is called dead.
# A GNU map lists its discards itself: with its inputs unread, the causes
# come from names alone and say so (attrs.cause_from "names").
source "$ROOT/tests/cli/lib.sh"
need python3 python3
bash "$ROOT/samples/build-linkmap.sh" || die "samples/build-linkmap.sh failed"
S=$ROOT/samples/out/linkmap
for l in lld mold; do
	sed 's|/usr/lib/|/nonexistent/usr/lib/|g' "$S/prog-$l.map" > gone-$l.map
	"$SLIM" linkmap gone-$l.map > text 2> err || die "$l: slim linkmap"
	grep -q "^discarded: unknown: $l maps do not list discarded sections and none of the [0-9]* inputs the map names could be read" text ||
		die "$l: text: $(sed -n 3p text)"
	grep -q "which are dead is unknown" text || die "$l: text claims dead members"
	"$SLIM" linkmap gone-$l.map --by discarded > disc 2> /dev/null || die "$l: --by discarded"
	[ "$(wc -l < disc)" = 1 ] && grep -q "^# $l maps do not list discarded sections" disc ||
		die "$l: --by discarded: $(head -2 disc)"
	"$SLIM" linkmap gone-$l.map --json -o gone.json 2> /dev/null || die "$l: --json"
	python3 - gone.json <<'PY' || die "$l: JSON claims what it cannot know"
import json, sys
d = json.load(open(sys.argv[1]))
t = d['totals']['linkmap']
assert t['discards'] == 'unknown' and 'could be read' in t['discards_note'], t
assert not [e for e in d['edges'] if e['kind'] == 'pulls']
assert not [f for f in d['findings'] if f['kind'] in ('discarded-section', 'dead-archive-member')]
PY
	"$SLIM" report "$S/prog-$l" --map gone-$l.map --no-gpu --json > rep.json 2> err || die "$l: report --map: $(cat err)"
	grep -q "^slim: warning: gone-$l.map: .*maps do not list discarded sections and none of the" err ||
		die "$l: report does not say the discards are unknown: $(cat err)"
	grep -q "^slim: warning: gone-$l.map: .*dead members are unknown" err ||
		die "$l: report does not say dead members are unknown"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["totals"]["linkmap"]["discards"] == "unknown"' rep.json ||
		die "$l: report JSON totals"
	# and the report's text says it too, not only stderr
	"$SLIM" report "$S/prog-$l" --map gone-$l.map --no-gpu > rep.txt 2> /dev/null || die "$l: report --map (text)"
	grep -q "^linker map gone-$l.map: discarded sections unknown" rep.txt ||
		die "$l: report text does not say the discards are unknown: $(tail -3 rep.txt)"
	grep -q "^linker map gone-$l.map: dead archive members unknown" rep.txt ||
		die "$l: report text does not say dead members are unknown: $(tail -3 rep.txt)"
	"$SLIM" why gone.json 'obj:libdemo.a(demo_live.o)' > why 2> /dev/null || die "$l: slim why"
	grep -q "does not say for which symbol and slim could not derive it from the inputs (they could not be read)" why ||
		die "$l: why: $(cat why)"
	if [ $l = lld ]; then
		grep -q -- "--why-extract=FILE" why || die "lld: why does not name --why-extract"
	fi
done
# Some inputs unread (the map copied away: main.o, util.o and libdemo.a
# are relative to the link's directory): what was read is derived and said
# to be incomplete, and no member is called dead, since an unread file may
# define what the archive rule would look for
for l in lld mold; do
	cp "$S/prog-$l.map" part-$l.map
	"$SLIM" linkmap part-$l.map > text 2> err || die "$l: partial: slim linkmap"
	grep -q "^discarded: [0-9]* input sections, [0-9]* bytes (derived from the objects); incomplete: 3 of the [0-9]* inputs" text ||
		die "$l: partial: $(sed -n 3p text)"
	grep -q "listed; which are dead is unknown" text || die "$l: partial: dead members claimed"
	"$SLIM" linkmap part-$l.map --json -o part.json 2> /dev/null
	python3 -c 'import json,sys; d=json.load(open("part.json")); assert d["totals"]["linkmap"]["dead_members"] == "unknown"; assert not [f for f in d["findings"] if f["kind"] == "dead-archive-member"]' ||
		die "$l: partial: JSON claims dead members"
done
# BFD and gold list their discards: kept, causes from names, said so
for l in bfd gold; do
	sed 's|/usr/lib/|/nonexistent/usr/lib/|g' "$S/gtest-$l.map" > gone-$l.map
	"$SLIM" linkmap gone-$l.map --json -o g.json 2> err || die "$l: slim linkmap"
	grep -q "inputs the map names could not be read" err || die "$l: no warning about unread inputs"
	python3 - g.json <<'PY' || die "$l: causes from names not marked"
import json, sys
d = json.load(open(sys.argv[1]))
# the two notes are merged by name alone, with or without the inputs
fs = [f for f in d['findings'] if f['kind'] == 'discarded-section' and
      not f['node'].endswith(('.note.gnu.property', '.note.GNU-stack'))]
assert fs and all(f['attrs'].get('cause_from') == 'names' for f in fs), len(fs)
assert all('cause from section names' in f['reason'] for f in fs)
assert d['totals']['linkmap']['discards'] == 'listed'
PY
done
echo ok
