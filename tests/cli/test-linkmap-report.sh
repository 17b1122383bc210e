#!/bin/bash
# `slim report MAP` (a map given as an input) detects each linker's map and
# merges it exactly as `slim linkmap MAP --json` builds it: same nodes,
# edges and findings, rooted at the output the map names.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
bash "$ROOT/samples/build-linkmap.sh" || die "samples/build-linkmap.sh failed"
S=$ROOT/samples/out/linkmap
for l in bfd gold lld mold; do
	"$SLIM" report "$S/prog-$l.map" --json > report.json || die "$l: slim report MAP"
	"$SLIM" linkmap "$S/prog-$l.map" --json -o linkmap.json || die "$l: slim linkmap"
	python3 - "$l" <<'PY' || die "$l: report and linkmap graphs differ"
import json, sys
r, m = json.load(open('report.json')), json.load(open('linkmap.json'))
for k in ('nodes', 'edges', 'findings'):
    if r[k] != m[k]:
        print('%s differ' % k)
        sys.exit(1)
root = {e['from'] for e in r['edges'] if e['kind'] == 'includes'}
want = {'bfd': 'exe:prog-bfd', 'gold': 'exe:prog-gold', 'lld': 'exe:prog-lld', 'mold': 'exe:prog-mold'}[sys.argv[1]]
if root != {want}:
    print('root %s, want %s' % (root, want))
    sys.exit(1)
PY
done
echo ok

# --why-extract and --derive reach the map through `slim report --map` as
# they do through `slim linkmap`: the same pulls edges and findings
for l in lld mold; do
	extra=(--derive)
	[ $l = lld ] && extra+=(--why-extract "$S/crypto-lld.why")
	"$SLIM" report "$S/crypto-$l" --map "$S/crypto-$l.map" "${extra[@]}" --no-gpu --json > report.json 2> /dev/null ||
		die "$l: slim report --map ${extra[*]}"
	"$SLIM" linkmap "$S/crypto-$l.map" "${extra[@]}" --json -o linkmap.json 2> /dev/null || die "$l: slim linkmap ${extra[*]}"
	python3 - "$l" <<'PY' || die "$l: report --map and linkmap differ on pulls/findings"
import json, sys
r, m = json.load(open('report.json')), json.load(open('linkmap.json'))
def pulls(d):
    return sorted((e['from'], e['to'], json.dumps(e.get('attrs', {}), sort_keys=True)) for e in d['edges'] if e['kind'] == 'pulls')
def finds(d, kinds=('discarded-section', 'dead-archive-member')):
    return sorted((f['kind'], f['node'], f['bytes']) for f in d['findings'] if f['kind'] in kinds)
assert pulls(r) and pulls(r) == pulls(m), (len(pulls(r)), len(pulls(m)))
assert finds(r) == finds(m) and any(k == 'discarded-section' for k, _, _ in finds(r)), (len(finds(r)), len(finds(m)))
PY
done
expect_rc 2 "$SLIM" report /bin/true --why-extract "$S/crypto-lld.why" > /dev/null 2> err
grep -q "needs a linker map" err || die "--why-extract without a map: $(cat err)"
echo ok
