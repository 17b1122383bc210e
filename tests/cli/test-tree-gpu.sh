#!/bin/bash
# GPU code inside a deployable (issue #14): with --arch, every ELF file of
# the tree is scanned for CUDA fat binaries and judged, its entries owned
# by the file's path id (gpu:usr/lib/libk.so:sm_80:2); the verdicts are
# those of the fatbin analyzer on the same files given alone (whose own
# ground truth is test-fatbin.sh's cuobjdump listings): same kinds, same
# bytes, same entry numbers, per file.  Without --arch nothing is scanned
# and the text says so.
. "$ROOT/tests/cli/lib.sh"
need python3 python3
S=$ROOT/samples/out/fatbin
[ -f $S/libk.so ] || die "samples/out/fatbin missing: run samples/build.sh"
mkdir -p root/usr/lib root/usr/bin
cp $S/libk.so $S/libdup.so root/usr/lib/ && cp $S/exe_size root/usr/bin/ || die cp
$SLIM report root --arch sm_80 --json -o t.json 2> /dev/null || die "report of the tree"
for f in usr/lib/libk.so usr/lib/libdup.so usr/bin/exe_size; do
	$SLIM report "root/$f" --arch sm_80 --json -o "one-$(basename $f).json" 2> /dev/null ||
		die "report of $f alone"
done
python3 - t.json <<'PY' || die "tree GPU verdicts differ from the files' own"
import json, sys
t = json.load(open(sys.argv[1]))
gk = ('prunable-gpu-code', 'redundant-ptx', 'duplicate-gpu-code')
def key(r, owner):
    out = []
    for f in r['findings']:
        if f['kind'] in gk:
            rest = f['node'].split(':', 1)[1]
            own, arch, n = rest.rsplit(':', 2)
            out.append((f['kind'], arch, n, f['bytes'], f['confidence']))
    return sorted(out)
total = 0
for path in ('usr/lib/libk.so', 'usr/lib/libdup.so', 'usr/bin/exe_size'):
    one = json.load(open('one-' + path.rsplit('/', 1)[1] + '.json'))
    mine = {'findings': [f for f in t['findings'] if f['node'].startswith('gpu:' + path + ':')]}
    a, b = key(mine, path), key(one, path)
    assert a == b and a, (path, a, b)
    total += len(a)
assert all(n['id'].split(':')[1] in ('usr/lib/libk.so', 'usr/lib/libdup.so', 'usr/bin/exe_size')
           for n in t['nodes'] if n['kind'] == 'gpu')
print(total, 'GPU verdicts, the same as each file alone')
PY
$SLIM report root > out.txt 2> /dev/null || die "report without --arch"
grep -q "GPU code: not scanned" out.txt || die "the text does not say the GPU code was not scanned"
python3 -c "import json,sys; r=json.load(open(sys.argv[1])); assert r['totals']['tree']['gpu_scanned']" t.json || die "gpu_scanned"
echo ok
