# slim diff of two container images (issue #16): blobs paired through the
# manifests, not by path.  Images made here with umoci from this
# machine's files, two layers each (layer 1: a program and a library,
# layer 2: a config file and a script):
#   A  the files with every time set to 2024-01-01;
#   B  the same files with every time set to 2024-02-01 (so the layer
#      tars' mtimes differ, and the config's created times);
#   C  A's files with layer 2's config file edited (same times as A).
# Asserted:
#   1. A vs B: index.json, the manifest, the config and layer 1 and 2
#      pair with their counterparts (rows named "layer 2 (sha256:<B's
#      digest, 12 hex>)"), nothing is added or removed, 100% of the
#      differing bytes are explained, all as timestamp; the members slim
#      names in each layer (tar header mtime) are those whose listing line
#      diffoscope (the oracle) shows changed between the two layer blobs;
#      --fail-on unexplained passes, --fail-on any fails;
#   2. A vs C: layer 1 is `same`; layer 2 differs and its unexplained row
#      names etc/app.conf, the one member diffoscope shows with a content
#      difference; the manifest's and config's digests of layer 2 follow
#      from an unexplained blob (unexplained); --fail-on unexplained fails;
#   3. the same images with zstd layers (skopeo), and as skopeo's
#      oci-archive tarballs: as 1 (100%);
#      as docker-archive tarballs (docker save's format: manifest.json,
#      plain layer tars, a legacy directory per layer named by its v1 id):
#      layers and legacy directories pair, all explained;
#   4. a manifest that names a blob the image lacks: one error line naming
#      it, exit 2, and the rest (layer 1, the config) still compared.
. "$ROOT/tests/cli/lib.sh"
need umoci umoci
need diffoscope diffoscope
need skopeo skopeo
need python3 python3
T=$PWD

# image NAME TIME EDIT: a two-layer image in NAME from this machine's files
image() {
	local img=$1 t=$2 edit=$3
	umoci init --layout "$img" && umoci new --image "$img:t" || die "umoci init/new $img"
	umoci unpack --rootless --image "$img:t" "b$img" > /dev/null 2>&1 || die "umoci unpack $img"
	mkdir -p "b$img/rootfs/usr/bin" "b$img/rootfs/usr/lib" &&
	cp /usr/bin/true "b$img/rootfs/usr/bin/" &&
	cp -L /usr/lib/x86_64-linux-gnu/libz.so.1 "b$img/rootfs/usr/lib/" || die "files for $img"
	find "b$img/rootfs" -exec touch -h -d "$t" {} + &&
	umoci repack --image "$img:t" "b$img" > /dev/null && rm -rf "b$img" || die "repack 1 of $img"
	umoci unpack --rootless --image "$img:t" "b$img" > /dev/null 2>&1 || die "umoci unpack 2 of $img"
	mkdir -p "b$img/rootfs/etc" "b$img/rootfs/usr/share/app" &&
	head -c 2000 /usr/lib/os-release > "b$img/rootfs/etc/app.conf" &&
	cp /usr/lib/python3.11/json/tool.py "b$img/rootfs/usr/share/app/run.py" || die "files 2 for $img"
	[ "$edit" = edit ] && sed -i 's/^NAME=/NAME=edited-/' "b$img/rootfs/etc/app.conf"
	find "b$img/rootfs" -exec touch -h -d "$t" {} + &&
	umoci repack --image "$img:t" "b$img" > /dev/null && rm -rf "b$img" || die "repack 2 of $img"
	umoci gc --layout "$img" || die "umoci gc $img"
}
image A '2024-01-01 00:00:00' no
image B '2024-02-01 00:00:00' no
image C '2024-01-01 00:00:00' edit

# the layer blobs of an image, in order
layers() {
	python3 -c "
import json, sys
i = json.load(open('$1/index.json'))
m = json.load(open('$1/blobs/' + i['manifests'][0]['digest'].replace(':', '/')))
print(' '.join(l['digest'] for l in m['layers']))"
}
LA=($(layers A)) LB=($(layers B)) LC=($(layers C))
[ ${#LA[@]} = 2 ] && [ ${#LB[@]} = 2 ] || die "umoci made ${#LA[@]} and ${#LB[@]} layers, not 2"
[ "${LA[0]}" != "${LB[0]}" ] && [ "${LA[1]}" != "${LB[1]}" ] || die "A and B share a layer: the times did not reach the tars"
[ "${LA[0]}" = "${LC[0]}" ] || die "A and C differ in layer 1: umoci is not deterministic here"

# diffoscope on two layer blobs: the members whose listing line differs,
# and those it shows a content difference for (JSON on stdout)
oracle() {
	diffoscope --json "$T/$3.dos.json" "$1" "$2" > /dev/null 2>&1
	python3 - "$T/$3.dos.json" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
listed, content = set(), set()
def walk(n):
    if n.get('source1') == 'file list':
        for line in (n.get('unified_diff') or '').splitlines():
            if line[:1] in '+-' and not line.startswith(('+++', '---')):
                listed.add(line.split()[-1])
    elif n.get('unified_diff') and n['source1'] == n.get('source2') and not n['source1'].startswith(('/', 'file list')):
        content.add(n['source1'])
    for c in n.get('details') or []:
        walk(c)
walk(d)
print(json.dumps({'listed': sorted(listed), 'content': sorted(content)}))
PY
}
blob() { echo "$1/blobs/${2/://}"; }

# --- 1. A vs B: only times differ -----------------------------------------
expect_rc 0 $SLIM diff --json A B > ab.json 2> ab.err
$SLIM diff A B > ab.txt 2> /dev/null || die "slim diff A B (text)"
oracle "$(blob A "${LA[0]}")" "$(blob B "${LB[0]}")" l1 > l1.json || die "diffoscope layer 1"
oracle "$(blob A "${LA[1]}")" "$(blob B "${LB[1]}")" l2 > l2.json || die "diffoscope layer 2"
python3 - ab.json l1.json l2.json "${LB[0]}" "${LB[1]}" <<'PY' || die "A vs B"
import json, re, sys
d = json.load(open(sys.argv[1]))
oracle = [json.load(open(f)) for f in sys.argv[2:4]]
lb = sys.argv[4:6]
rows = {f['path']: f for f in d['files']}
want = ['layer 1 (%s)' % lb[0][:19], 'layer 2 (%s)' % lb[1][:19]]
assert all(w in rows for w in want), ('layers not paired', sorted(rows))
assert 'index.json' in rows and any(p.startswith('manifest (sha256:') for p in rows) and \
    any(p.startswith('config (sha256:') for p in rows), sorted(rows)
assert not [f for f in d['files'] if f['status'] in ('added', 'removed')], \
    [f['path'] for f in d['files'] if f['status'] != 'same']
assert not [p for p in rows if p.startswith('blobs/')], 'a blob was paired by path'
t = d['totals']
assert t['bytes_differing'] > 0 and t['bytes_explained'] == t['bytes_differing'], t
assert set(t['by_cause']) == {'timestamp'}, t['by_cause']
for w, o in zip(want, oracle):
    named = set()
    for c in rows[w]['causes']:
        m = re.match(r'gzip stream: (.*): tar header mtime$', c['where'])
        if m:
            named.add(m.group(1))
    norm = lambda s: s.rstrip('/') or '.'
    assert {norm(n) for n in named} == {norm(n) for n in o['listed']}, (w, sorted(named), o)
    assert not o['content'], o
print('A vs B: %d bytes differ, all explained (timestamp); layer members named as diffoscope lists them: %s' %
      (t['bytes_differing'], ' | '.join(', '.join(sorted(o['listed'])) for o in oracle)))
PY
grep -q '^  layer 2 (sha256:[0-9a-f]\{12\})  differs' ab.txt || die "the text does not name layer 2: $(cat ab.txt)"
expect_rc 0 $SLIM diff --fail-on unexplained A B > /dev/null 2>&1
expect_rc 1 $SLIM diff --fail-on any A B > /dev/null 2>&1

# --- 2. A vs C: one file edited in layer 2 ----------------------------------
expect_rc 0 $SLIM diff --json A C > ac.json 2> /dev/null
oracle "$(blob A "${LA[1]}")" "$(blob C "${LC[1]}")" c2 > c2.json || die "diffoscope A/C layer 2"
python3 - ac.json c2.json "${LC[0]}" "${LC[1]}" <<'PY' || die "A vs C"
import json, re, sys
d = json.load(open(sys.argv[1]))
o = json.load(open(sys.argv[2]))
rows = {f['path']: f for f in d['files']}
l1, l2 = 'layer 1 (%s)' % sys.argv[3][:19], 'layer 2 (%s)' % sys.argv[4][:19]
assert rows[l1]['status'] == 'same', rows[l1]
assert rows[l2]['status'] == 'differs', rows[l2]
unexpl = {re.match(r'gzip stream: (.*?): ', c['where']).group(1) for c in rows[l2]['causes']
          if c['cause'] == 'unexplained'}
assert unexpl == {'etc/app.conf'}, rows[l2]['causes']
assert set(o['content']) == {'etc/app.conf'}, o
assert {n for n in o['listed']} <= {'etc/app.conf'}, o
cfg = [f for p, f in rows.items() if p.startswith('config (')][0]
assert any(c['cause'] == 'unexplained' and 'rootfs.diff_ids[1]' in c['where'] for c in cfg['causes']), cfg
assert d['totals']['bytes_explained'] < d['totals']['bytes_differing']
print('A vs C: layer 1 same; layer 2 names etc/app.conf unexplained, as diffoscope; %d of %d bytes explained' %
      (d['totals']['bytes_explained'], d['totals']['bytes_differing']))
PY
expect_rc 1 $SLIM diff --fail-on unexplained A C > /dev/null 2>&1

# --- 3. the same as tarballs: oci-archive and docker save's format -----------
for i in A B; do
	skopeo copy -q "oci:$i:t" "oci-archive:$i.oci.tar" || die "skopeo oci-archive $i"
	skopeo copy -q "oci:$i:t" "docker-archive:$i.docker.tar:x:y" || die "skopeo docker-archive $i"
done
skopeo copy -q --dest-compress-format zstd oci:A:t oci:Az:t &&
skopeo copy -q --dest-compress-format zstd oci:B:t oci:Bz:t || die "skopeo zstd"
expect_rc 0 $SLIM diff --json Az Bz > abz.json 2> /dev/null
expect_rc 0 $SLIM diff --json A.oci.tar B.oci.tar > abo.json 2> /dev/null
expect_rc 0 $SLIM diff --json A.docker.tar B.docker.tar > abd.json 2> /dev/null
python3 - abo.json abd.json abz.json <<'PY' || die "the image tarballs"
import json, sys
o, dk, z = (json.load(open(f)) for f in sys.argv[1:4])
t = z['totals']
assert t['bytes_differing'] > 0 and t['bytes_explained'] == t['bytes_differing'], ('zstd layers', t)
zl = [f for f in z['files'] if f['path'].startswith('layer 1 (')][0]
assert any(c['where'] == 'zstd stream: usr/bin/true: tar header mtime' for c in zl['causes']), zl['causes']
t = o['totals']
assert t['bytes_differing'] > 0 and t['bytes_explained'] == t['bytes_differing'], ('oci-archive', t)
ls = [f for f in dk['files'] if f['path'].startswith('layer ') and '/' not in f['path']]
assert [f['path'].split(' (')[0] for f in ls] == ['layer 1', 'layer 2'], [f['path'] for f in dk['files']]
assert any(c['where'] == 'usr/share/app/run.py: tar header mtime' for c in ls[1]['causes']), ls[1]['causes']
# the legacy directories (ID/json, ID/VERSION) pair by the layer they hold
v1 = sorted(f['path'] for f in dk['files'] if '(v1)/' in f['path'])
assert v1 == ['layer 1 (v1)/VERSION', 'layer 1 (v1)/json', 'layer 2 (v1)/VERSION', 'layer 2 (v1)/json'], v1
assert not [f for f in dk['files'] if f['status'] in ('added', 'removed')], dk['files']
t = dk['totals']
assert t['bytes_differing'] > 0 and t['bytes_explained'] == t['bytes_differing'], ('docker-archive', t)
print('zstd layers, oci-archive and docker-archive (manifest.json, legacy v1 directories): all explained')
PY

# --- 4. a manifest naming a blob the image lacks ------------------------------
cp -a C Cm && rm "$(blob Cm "${LC[1]}")" || die "cp"
expect_rc 2 $SLIM diff --json A Cm > am.json 2> am.all
grep -v '^slim: warning: ' am.all > am.err   # the graph diff's (no ld.so in the image)
one_line am.err
grep -q "^slim: Cm: layer 2 (sha256:[0-9a-f]\{12\}): the manifest names blobs/sha256/${LC[1]#sha256:}, which is not in the image$" am.err ||
	die "the missing blob is not named: $(cat am.err)"
python3 - am.json <<'PY' || die "the rest is not compared"
import json, sys
d = json.load(open(sys.argv[1]))
rows = {f['path'].split(' (')[0]: f for f in d['files']}
assert rows['layer 1']['status'] == 'same' and 'layer 2' not in rows, sorted(rows)
assert rows['config']['status'] == 'differs', rows['config']
PY
echo "images pair by manifest: layers, config and manifests; a missing blob is one line"
