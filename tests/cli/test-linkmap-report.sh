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
