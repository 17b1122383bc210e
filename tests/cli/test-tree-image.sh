#!/bin/bash
# An OCI image as a deployable (issue #14): made here with umoci, two
# layers -- layer 1 adds etc/big, etc/keep and etc/gone, layer 2
# overwrites etc/big and deletes etc/gone.  slim report IMAGE unpacks it
# (deploy_unpack(), layers applied in order, whiteouts honoured) and
# analyzes the final tree; what layer 2 hid is one hidden-by-layer finding
# per path, proven, with the bytes layer 1 held (stat'ed before packing),
# on the overwritten file's node, or on a node marked hidden for the
# deleted one.  The final tree's files and ids are those of `umoci
# unpack`'s rootfs analyzed as a directory.
. "$ROOT/tests/cli/lib.sh"
need umoci umoci
need python3 python3
umoci init --layout img && umoci new --image img:t || die "umoci init/new"
umoci unpack --rootless --image img:t b > /dev/null 2>&1 || die "umoci unpack"
mkdir -p b/rootfs/etc
head -c 5000 /usr/bin/true > b/rootfs/etc/big
echo keep > b/rootfs/etc/keep
head -c 3000 /dev/urandom > b/rootfs/etc/gone
big=$(stat -c %s b/rootfs/etc/big) gone=$(stat -c %s b/rootfs/etc/gone)
umoci repack --image img:t b && rm -rf b || die "repack 1"
umoci unpack --rootless --image img:t b > /dev/null 2>&1 || die "unpack 2"
echo small > b/rootfs/etc/big
rm b/rootfs/etc/gone
umoci repack --image img:t b && rm -rf b || die "repack 2"
umoci unpack --rootless --image img:t final > /dev/null 2>&1 || die "unpack final"

$SLIM report img --json -o i.json 2> err.txt || { cat err.txt; die "slim report IMAGE"; }
$SLIM report final/rootfs --json -o d.json 2> /dev/null || die "report of umoci's rootfs"
python3 - i.json d.json "$big" "$gone" <<'PY' || die "image findings"
import json, sys
i, d = (json.load(open(f)) for f in sys.argv[1:3])
big, gone = int(sys.argv[3]), int(sys.argv[4])
assert i['inputs'] == [{'kind': 'image', 'path': 'img'}], i['inputs']
h = {f['node']: f for f in i['findings'] if f['kind'] == 'hidden-by-layer'}
assert set(h) == {'file:etc/big', 'file:etc/gone'}, sorted(h)
assert h['file:etc/big']['bytes'] == big and not h['file:etc/big']['attrs']['whiteout']
assert h['file:etc/gone']['bytes'] == gone and h['file:etc/gone']['attrs']['whiteout']
assert all(f['confidence'] == 'proven' and f['attrs']['layer'] == 1 and f['attrs']['by_layer'] == 2 for f in h.values())
nodes = {n['id']: n for n in i['nodes']}
assert nodes['file:etc/gone']['attrs'].get('hidden') is True
live = lambda r: sorted(n['id'] for n in r['nodes'] if not n.get('attrs', {}).get('hidden'))
assert live(i) == live(d), (live(i), live(d))
print('hidden: etc/big', big, 'bytes (overwritten), etc/gone', gone, 'bytes (deleted)')
PY
echo ok
