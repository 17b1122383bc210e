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
# Also: a warning about a file of the image (its program's interpreter is
# missing) names it as IMAGE:PATH, and neither it nor the JSON names the
# private directory it was unpacked into; a layer blob changed after the
# manifest was made is one error naming the layer, nothing unpacked, and
# so is a layer of the image as skopeo's docker-archive whose bytes are
# not the config's diff_id;
# --max-unpack below the image's bytes is one error naming the member.
. "$ROOT/tests/cli/lib.sh"
need umoci umoci
need python3 python3
umoci init --layout img && umoci new --image img:t || die "umoci init/new"
umoci unpack --rootless --image img:t b > /dev/null 2>&1 || die "umoci unpack"
mkdir -p b/rootfs/etc b/rootfs/usr/bin
cp /usr/bin/true b/rootfs/usr/bin/true
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
# --- warnings name IMAGE:PATH, never the private directory --------------
grep -q '^slim: warning: img:usr/bin/true: interpreter /lib64/ld-linux-x86-64.so.2 not found' err.txt ||
	die "the warning does not name img:usr/bin/true: $(cat err.txt)"
grep -q slim-unpack err.txt i.json && die "the private unpack directory is named: $(grep -ho '/[^ \"]*slim-unpack[^ \"]*' err.txt i.json | head -2)"
echo "warnings name img:usr/bin/true; nothing names the private directory"

# --- a layer whose bytes are not its digest -------------------------------
cp -a img bad || die "cp"
l2=$(python3 -c "import json; i=json.load(open('img/index.json')); m=i['manifests'][0]['digest'].split(':')[1]; print(json.load(open('img/blobs/sha256/'+m))['layers'][1]['digest'].split(':')[1])")
printf 'X' | dd of=bad/blobs/sha256/$l2 bs=1 seek=40 conv=notrunc status=none || die "dd"
mkdir tmpd
TMPDIR=$PWD/tmpd expect_rc 2 $SLIM report bad 2> bad.txt > /dev/null
one_line bad.txt
grep -q "^slim: bad: layer 2 (blobs/sha256/$l2): its sha256 is [0-9a-f]\{64\}, not the digest the manifest names$" bad.txt ||
	die "the error does not name layer 2: $(cat bad.txt)"
[ -z "$(ls -A tmpd)" ] || die "a private directory was left behind: $(ls tmpd)"
echo "damaged layer 2: one error naming it"
# the same image as skopeo's docker-archive: its layers are checked
# against the config's rootfs.diff_ids
need skopeo skopeo
skopeo copy -q oci:img:t docker-archive:d.tar:x:y || die "skopeo copy"
expect_rc 0 $SLIM report d.tar > /dev/null 2>&1
mkdir dx && tar -xf d.tar -C dx || die "tar -x"
dl=$(python3 -c "import json; print(json.load(open('dx/manifest.json'))[0]['Layers'][0])")
chmod u+w dx/$dl && printf 'X' | dd of=dx/$dl bs=1 seek=1000 conv=notrunc status=none || die "dd"
(cd dx && tar -cf ../dbad.tar .) || die "tar -c"
expect_rc 2 $SLIM report dbad.tar 2> dbad.txt > /dev/null
one_line dbad.txt
grep -q "^slim: dbad.tar: layer 1 ($dl): its sha256 is [0-9a-f]\{64\}, not the diff_id the image config names$" dbad.txt ||
	die "docker-archive: the error does not name layer 1: $(cat dbad.txt)"
echo "docker-archive, layer 1 damaged: one error naming it"

# --- --max-unpack ---------------------------------------------------------
expect_rc 2 $SLIM report img --max-unpack 4K 2> max.txt > /dev/null
one_line max.txt
grep -q "^slim: img: .*member '[^']*' .*the unpack limit of 4096 bytes" max.txt || die "--max-unpack 4K: $(cat max.txt)"
expect_rc 0 $SLIM report img --max-unpack unlimited > /dev/null 2>&1
expect_rc 2 $SLIM report img --max-unpack lots > /dev/null 2> use.txt
grep -q "max-unpack takes a size" use.txt || die "--max-unpack lots: $(cat use.txt)"
echo "--max-unpack: $(cat max.txt)"
echo ok
