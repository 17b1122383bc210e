"""dupsets.py ROOT JDUPES_OUT REPORT_JSON: slim's duplicate-file sets
(findings' attrs.paths) equal those `jdupes -r -q ROOT` printed (blank-line
separated groups of paths), both relative to ROOT; exit 1 naming a few of
the differences.  Shared by tests/cli/test-tree.sh and tests/real/deploy.sh."""
import json
import sys

root, jd, rep = sys.argv[1:]
want, cur = set(), []
for line in open(jd).read().split('\n') + ['']:
    if line.strip():
        cur.append(line[len(root) + 1:])
    elif cur:
        want.add(frozenset(cur))
        cur = []
r = json.load(open(rep))
got = {frozenset(f['attrs']['paths']) for f in r['findings'] if f['kind'] == 'duplicate-file'}
if got != want or not got:
    print('slim only:', [sorted(s) for s in got - want][:3],
          'jdupes only:', [sorted(s) for s in want - got][:3])
    sys.exit(1)
print(len(got), 'duplicate sets, the same as jdupes -r')
