#!/bin/bash
# deploy.sh - `make check-real`: issue #14's proof on deployables nobody
# here wrote.  A minimal Debian 12 root with a Python application stack
# (python3, numpy with OpenBLAS, yaml with libyaml, lxml with libxml2 and
# libxslt, requests with urllib3, idna, certifi, chardet), built once by
# debootstrap and apt-get (tests/real/debroot.sh, cached in
# /var/cache/slim-check-real/root), copied, and a workload added under
# /opt/app: it reads a YAML input, does numpy linear algebra, an lxml
# XPath and a requests URL, loads /opt/app/lib/libslimcalc42.so through a
# name it computes (no string holds it), and, on inputs that ask for it,
# the plugins a glob('/opt/app/plugins/libslimplug*.so') finds; a third
# library, /opt/app/lib/libslimorphan.so, nothing loads.  The workload is
# recorded inside the root (chroot) by `slim pydeps record
# --print-recorder`'s recorder on input 1; input 2 (plugins on, other
# numbers, XML, query) is never traced.
#
# Checked, for the directory, the same as tar.zst, an OCI layout of two
# layers (umoci: layer 1 = the root without /opt/app, with a stale
# library and an altered six.py; layer 2 adds /opt/app, whiteouts the
# stale library and writes six.py back) and a wheel (PyYAML's installed
# files and dist-info zipped, its workload recorded with the wheel's tree
# at the chroot's /):
#  1. `slim report X --py-trace T --prune-list L`: everything L lists
#     (proven) deleted in a copy of the root, the workload prints what it
#     printed before on the traced input and on the untraced one; the
#     bytes pruned are printed;
#  2. the directory, the tar.zst and the image give the same findings
#     (kind, node, dependent, confidence, bytes), the image's
#     hidden-by-layer ones apart, which name exactly the whited-out
#     library and the overwritten six.py with layer 1's bytes; `slim
#     merge` of the three reports holds each under its name (root,
#     root.tar.zst, oci), its figures their sums, each one's proven prune
#     list (the one deleted and rerun above) under its name;
#  3. orphans: libslimorphan.so is an orphan-library (likely) whose reason
#     names what was searched; libslimcalc42.so is none, kept by a dlopens
#     edge from the trace (evidence "trace"); libslimplug_fast.so is none,
#     kept by a dlopens edge from app.py (evidence "pattern",
#     "libslimplug*.so") although the traced run never loaded it (and
#     input 2 needs it);
#  4. duplicate-file sets equal `jdupes -r`'s on the root;
#  5. --entry of a Python module (yaml/__init__.py inside the root) is a
#     root as a trace's modules are: yaml and what it imports are kept,
#     and its proven prune list deleted leaves `python3 -c 'import yaml'`
#     with the same dump;
#  6. no data file is in any prune list without --prune-data; with it and
#     the record trace, data files no recorded run opened are in the
#     likely list only (unopened-data), never the proven one;
#  7. images: a layer blob whose bytes no longer match its digest is one
#     error naming the layer; --max-unpack below the image's size is one
#     error naming the member; no warning or output names the private
#     /tmp/slim-unpack directory.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=${ROOT:-$(cd "$here/../.." && pwd)}
SLIM=${SLIM:-$ROOT/slim}
. "$ROOT/tests/cli/lib.sh"
. "$here/debroot.sh"
[ "$(id -u)" = 0 ] || die "deploy.sh needs root (debootstrap, chroot)"
need debootstrap debootstrap
need umoci umoci
need jdupes jdupes
need zstd zstd
need zip zip
need gcc build-essential
need python3 python3
[ -x "$SLIM" ] || die "no slim at $SLIM (make, or set SLIM)"

# --- the workload and the planted libraries (deployapp.sh) ------------------
. "$here/deployapp.sh"
# KEEP=1 leaves the work directory for a look
deploy_work deploy
deploy_app "$R"
echo "root: $(du -sb "$R" | cut -f1) bytes, $(find "$R" -type f | wc -l) files; trace: $(grep -c '^module' trace.txt) modules, $(grep -c '^load' trace.txt) loads"

# prove NAME INPUT: slim report INPUT with the trace; the proven prune
# list deleted in a copy of the root; both inputs print what they did
prove() {
	local name=$1 input=$2 p=$tmp/pruned-$1
	"$SLIM" report "$input" --py-trace trace.txt --prune-list $name.txt --json -o $name.json \
		2> $name.err > /dev/null || { cat $name.err; die "$name: slim report"; }
	grep -q slim-unpack $name.err $name.json $name.txt && die "$name: the private unpack directory is named: $(grep -h slim-unpack $name.err | head -2)"
	[ -s $name.txt ] || die "$name: empty prune list"
	rm -rf "$p" && cp -a "$R" "$p" || die "cp"
	local bytes=0 n=0
	while read -r f; do
		[ -f "$p/$f" ] && [ ! -L "$p/$f" ] || die "$name: $f in the prune list is no file of the root"
		bytes=$((bytes + $(stat -c %s "$p/$f"))); n=$((n + 1))
		rm -- "$p/$f"
	done < $name.txt
	in_root "$p" python3 -B /opt/app/app.py /opt/app/in1.yaml > $name.got1 2> $name.err1 ||
		{ tail -3 $name.err1; die "$name: the traced input fails in the pruned root"; }
	in_root "$p" python3 -B /opt/app/app.py /opt/app/in2.yaml > $name.got2 2> $name.err2 ||
		{ tail -3 $name.err2; die "$name: the untraced input fails in the pruned root"; }
	cmp -s want1.txt $name.got1 && cmp -s want2.txt $name.got2 || die "$name: output changed once pruned"
	echo "$name: $n files, $bytes bytes pruned (proven); the traced and the untraced input print the same"
	rm -rf "$p"
}

# --- 1. the directory -------------------------------------------------------
prove dir "$R"

# --- 1. the same as tar.zst ------------------------------------------------
tar -C "$R" --zstd -cf root.tar.zst . || die "tar --zstd"
prove tar root.tar.zst

# --- 1. an OCI layout of two layers (umoci) ---------------------------------
# layer 1: the root without /opt/app, plus a stale library and an altered
# six.py; layer 2: /opt/app added, the stale library whited out, six.py
# written back: the image's final tree is the root
six=usr/lib/python3/dist-packages/six.py
umoci init --layout oci > /dev/null && umoci new --image oci:app > /dev/null || die "umoci new"
umoci unpack --image oci:app bundle > /dev/null 2>&1 || die "umoci unpack"
cp -a "$R/." bundle/rootfs/ || die "cp into the bundle"
rm -rf bundle/rootfs/opt/app
cp "$R/opt/app/lib/libslimorphan.so" bundle/rootfs/usr/lib/x86_64-linux-gnu/libslimstale.so.1
printf '# an older six\n' >> bundle/rootfs/$six
stale_bytes=$(stat -c %s bundle/rootfs/usr/lib/x86_64-linux-gnu/libslimstale.so.1)
six_bytes=$(stat -c %s bundle/rootfs/$six)
umoci repack --image oci:app bundle > /dev/null 2>&1 || die "umoci repack (layer 1)"
rm -rf bundle && umoci unpack --image oci:app bundle > /dev/null 2>&1 || die "umoci unpack (layer 1)"
cp -a "$R/opt/app" bundle/rootfs/opt/ && cp -a "$R/$six" bundle/rootfs/$six &&
	rm bundle/rootfs/usr/lib/x86_64-linux-gnu/libslimstale.so.1 || die "layer 2"
umoci repack --image oci:app bundle > /dev/null 2>&1 || die "umoci repack (layer 2)"
rm -rf bundle
[ "$(python3 -c "import json,sys; i=json.load(open('oci/index.json')); m=i['manifests'][0]['digest'].split(':')[1]; print(len(json.load(open('oci/blobs/sha256/'+m))['layers']))")" = 2 ] ||
	die "the image does not have two layers"
prove image oci

# --- 2. the same findings from the directory, the tar and the image ---------
python3 - dir.json tar.json image.json $six $stale_bytes $six_bytes <<'PY' || die "the directory, the tar and the image disagree"
import json, sys
def load(p):
    r = json.load(open(p))
    f = {(x['kind'], x['node'], x.get('dependent'), x['confidence'], x['bytes'])
         for x in r['findings'] if x['kind'] != 'hidden-by-layer'}
    return r, f
(rd, d), (rt, t), (ri, i) = (load(p) for p in sys.argv[1:4])
six, stale, sixb = sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
for name, other in (('tar', t), ('image', i)):
    if other != d:
        print(name, 'only:', sorted(other - d)[:5], 'dir only:', sorted(d - other)[:5]); sys.exit(1)
hid = {(x['node'], x['bytes'], x['attrs']['whiteout']) for x in ri['findings'] if x['kind'] == 'hidden-by-layer'}
want = {('file:usr/lib/x86_64-linux-gnu/libslimstale.so.1', stale, True), ('file:' + six, sixb, False)}
assert hid == want, (hid, want)
assert not [x for x in rd['findings'] + rt['findings'] if x['kind'] == 'hidden-by-layer']
print('directory, tar.zst and image:', len(d), 'findings, the same; the image also has', len(hid), 'hidden-by-layer')
PY

# --- 2. slim merge of the three: each under its name, nothing counted twice -
"$SLIM" merge dir.json tar.json image.json -o merged.json 2> merged.err || { cat merged.err; die "slim merge of the directory, the tar and the image"; }
python3 - dir.json tar.json image.json merged.json dir.txt tar.txt image.txt <<'PY' || die "the merge of three deployables"
import json, sys
parts = [json.load(open(p)) for p in sys.argv[1:4]]
m = json.load(open(sys.argv[4]))
lists = [open(p).read().splitlines() for p in sys.argv[5:8]]
names = ['root', 'root.tar.zst', 'oci']
t = m['totals']['tree']
assert [d['name'] for d in t['deployables']] == sorted(names), t['deployables']
assert len(m['nodes']) == sum(len(p['nodes']) for p in parts)
assert len(m['findings']) == sum(len(p['findings']) for p in parts)
for k in ('files', 'bytes', 'after_proven', 'after_likely'):
    assert t[k] == sum(p['totals']['tree'][k] for p in parts), k
assert m['totals']['removable_bytes'] == sum(p['totals']['removable_bytes'] for p in parts)
ids = {n['id'] for n in m['nodes']}
for name, p, lst in zip(names, parts, lists):
    own = {n['id'] for n in p['nodes']}
    ns = {i.split(':', 1)[0] + ':' + name + '/' + i.split(':', 1)[1] for i in own}
    assert ns <= ids, (name, sorted(ns - ids)[:3])
    mine = [e['path'][len(name) + 1:] for e in t['prune'] if e['path'].startswith(name + '/') and e['confidence'] == 'proven']
    assert sorted(mine) == sorted(lst), (name, len(mine), len(lst))
hid = [f for f in m['findings'] if f['kind'] == 'hidden-by-layer']
assert hid and all(f['node'].split(':', 1)[1].startswith('oci/') for f in hid), hid
print('merge: 3 deployables, %d nodes, %d files, %d bytes; each one\'s proven prune list under its name is its own' % (len(m['nodes']), t['files'], t['bytes']))
PY

# --- 3. orphans: found, kept by the trace, kept by the pattern --------------
python3 - dir.json <<'PY' || die "orphans"
import json, sys
r = json.load(open(sys.argv[1]))
orph = {f['node']: f for f in r['findings'] if f['kind'] == 'orphan-library'}
o = orph.get('lib:opt/app/lib/libslimorphan.so')
assert o and o['confidence'] == 'likely' and '"libslimorphan.so"' in o['reason'], o
for kept, frm, ev, name in (('lib:opt/app/lib/libslimcalc42.so', 'trace:trace.txt', 'trace', '/opt/app/lib/libslimcalc42.so'),
                            ('lib:opt/app/plugins/libslimplug_fast.so', 'file:opt/app/app.py', 'pattern', 'libslimplug*.so')):
    assert kept not in orph, (kept, orph[kept]['reason'])
    e = [e for e in r['edges'] if e['kind'] == 'dlopens' and e['to'] == kept]
    assert [(x['from'], x['attrs']['evidence'], x['attrs']['name']) for x in e] == [(frm, ev, name)], e
    print(kept, 'kept: dlopens from', frm, '(%s: %s)' % (ev, name))
print(o['node'], 'is an orphan-library (likely):', o['reason'][:90] + '...')
PY
# without the trace nothing shows libslimcalc42.so loaded: an orphan then
"$SLIM" report "$R" --json -o notrace.json 2> /dev/null > /dev/null || die "report without a trace"
python3 -c "import json,sys; r=json.load(open('notrace.json')); assert 'lib:opt/app/lib/libslimcalc42.so' in {f['node'] for f in r['findings'] if f['kind']=='orphan-library'}" ||
	die "libslimcalc42.so is no orphan without the trace: the trace is not what keeps it"
echo "without the trace libslimcalc42.so is an orphan: the trace's loads keep it"

# --- 4. duplicates equal jdupes -r's ------------------------------------------
jdupes -r -q "$R" > jd.txt || die "jdupes"
python3 "$ROOT/tests/cli/dupsets.py" "$R" jd.txt dir.json || die "duplicates differ from jdupes -r"

# --- 5. --entry of a Python module inside the root --------------------------
mod=usr/lib/python3/dist-packages/yaml/__init__.py
ycode='import yaml; d = yaml.safe_load(open("/opt/app/in2.yaml")); print(yaml.safe_dump(d, sort_keys=True)); print(yaml.__version__)'
in_root "$R" python3 -B -c "$ycode" > ywant.txt || die "yaml in the root"
"$SLIM" report "$R" --entry /usr/bin/python3.11 --entry $mod --prune-list entry.txt --json -o entry.json \
	2> entry.err > /dev/null || { cat entry.err; die "report --entry MODULE"; }
python3 - entry.json entry.txt <<'PY' || die "--entry MODULE"
import json, sys
r = json.load(open(sys.argv[1]))
t = r['totals']['tree']
assert [x for x in t['roots'] if x.startswith('exe:')] == ['exe:usr/bin/python3.11'], t['roots']
assert all(p['judged'] for p in t['python_trees']), t['python_trees']
mods = {n['id']: n['attrs'].get('classification') for n in r['nodes'] if n['kind'] == 'module'}
assert mods.get('py:yaml') == 'used', mods.get('py:yaml')
for m in ('py:yaml.error', 'py:yaml.loader', 'py:yaml.constructor', 'py:yaml.cyaml'):
    assert mods.get(m) not in (None, 'unreferenced'), (m, mods.get(m))
pruned = open(sys.argv[2]).read().split()
assert not [p for p in pruned if '/yaml/' in p and p.endswith('.py')], [p for p in pruned if '/yaml/' in p]
assert mods.get('py:numpy') == 'unreferenced', ('numpy, which yaml does not import', mods.get('py:numpy'))
assert [p for p in pruned if p.endswith('.py')], 'no module in the proven list'
print('--entry', 'yaml/__init__.py: yaml used, its imports kept;', len(pruned), 'files in the proven list')
PY
rm -rf pe && cp -a "$R" pe && while read -r f; do rm -- "pe/$f" || die "rm $f"; done < entry.txt
in_root pe python3 -B -c "$ycode" > ygot.txt 2> yerr.txt || { tail -3 yerr.txt; die "import yaml fails once the --entry list is deleted"; }
cmp -s ywant.txt ygot.txt || die "yaml's output changed once the --entry list was deleted"
echo "entry: $(wc -l < entry.txt) files deleted, yaml loads and dumps the same"
rm -rf pe

# --- 6. data files: only with a record trace and --prune-data --------------
# (the proven list without --prune-data leaves a pruned package's data
# files, .pxd headers and the like, where they are)
cat_of='import json, sys
r = json.load(open(sys.argv[1]))
cat = {n["attrs"]["path"]: n["attrs"].get("category") for n in r["nodes"] if "deployable" in n.get("attrs", {})}
data = [p for p in open(sys.argv[2]).read().split() if cat.get(p) not in ("elf", "python")]'
"$SLIM" report "$R" --py-trace trace.txt --include likely --prune-list nd.txt --json -o nd.json 2> /dev/null > /dev/null || die "likely list"
python3 -c "$cat_of
assert not data, data[:5]" nd.json nd.txt || die "data files in a prune list without --prune-data"
"$SLIM" report "$R" --py-trace trace.txt --prune-data --prune-list pdp.txt 2> /dev/null > /dev/null || die "--prune-data proven"
"$SLIM" report "$R" --py-trace trace.txt --prune-data --include likely --prune-list pdl.txt --json -o pd.json 2> /dev/null > /dev/null ||
	die "--prune-data likely"
# proven: data files only inside a package pydeps proves unused (its
# directory goes whole); a data file on its own (unopened-data) is likely
python3 -c "$cat_of
pr = {e['path']: e for e in r['totals']['tree']['prune']}
assert all(pr[p]['confidence'] == 'proven' and pr[p]['finding'] == 'prunable-module' for p in data), [pr[p] for p in data][:3]
assert all(e['confidence'] == 'likely' for e in pr.values() if e['finding'] == 'unopened-data')
print(len(data), 'data files in the proven list, each in a package proven unused')" pd.json pdp.txt ||
	die "data files in the proven list with --prune-data"
python3 -c "$cat_of
assert data, 'no data file in the likely list with --prune-data'
fd = {f['node']: f for f in r['findings']}
byp = {n['attrs']['path']: n['id'] for n in r['nodes'] if 'deployable' in n.get('attrs', {})}
opened = {l.split('\t')[1].strip().lstrip('/') for l in open('trace.txt') if l.startswith(('open\t', 'load\t'))}
assert not set(data) & opened, sorted(set(data) & opened)[:5]
assert 'etc/debian_version' in data or 'usr/share/doc/python3/copyright' in data, data[:5]
print(len(data), 'data files in the likely list, none of them opened by the recorded run')" pd.json pdl.txt ||
	die "--prune-data's likely list"
"$SLIM" report "$R" --prune-data --include likely --prune-list pdn.txt --json -o pdn.json 2> /dev/null > /dev/null || die "--prune-data without a trace"
python3 -c "$cat_of
assert not data, data[:5]" pdn.json pdn.txt || die "data files in a prune list with --prune-data but no record trace"
echo "data: in no list without --prune-data or without a record trace"
# the likely lists deleted too: without data (orphans, likely modules), and
# with --prune-data's data files (input 2 then comes through stdin: its
# file is data no recorded run opened, in the list with the rest)
for L in nd pdl; do
	rm -rf pl && cp -a "$R" pl && while read -r f; do rm -- "pl/$f" || die "rm $f"; done < $L.txt
	in_root pl python3 -B /opt/app/app.py /opt/app/in1.yaml > $L.got1 2> $L.err1 || { tail -3 $L.err1; die "$L: input 1 fails"; }
	in_root pl python3 -B /opt/app/app.py /dev/fd/0 < "$R/opt/app/in2.yaml" > $L.got2 2> $L.err2 ||
		{ tail -3 $L.err2; die "$L: input 2 fails"; }
	cmp -s want1.txt $L.got1 && cmp -s want2.txt $L.got2 || die "$L: output changed once the likely list was deleted"
	echo "likely list ($L: $( [ $L = pdl ] && echo 'with --prune-data' || echo 'no data')): $(wc -l < $L.txt) files deleted, both inputs print the same"
done
rm -rf pl

# --- 7. images: layer digests, the unpack bound, no private paths ------------
cp -a oci oci-bad || die "cp oci"
layer=$(python3 -c "import json; i=json.load(open('oci/index.json')); m=i['manifests'][0]['digest'].split(':')[1]; print(json.load(open('oci/blobs/sha256/'+m))['layers'][1]['digest'].split(':')[1])")
printf 'X' | dd of=oci-bad/blobs/sha256/$layer bs=1 seek=100 conv=notrunc status=none || die "dd"
"$SLIM" report oci-bad > /dev/null 2> bad.err; rc=$?
[ $rc = 2 ] || die "a damaged layer: exit $rc, want 2"
one_line bad.err
grep -q "layer 2 (blobs/sha256/$layer): its sha256 is .*, not the digest the manifest names" bad.err || die "the error does not name layer 2: $(cat bad.err)"
echo "damaged layer: $(cat bad.err)"
"$SLIM" report root.tar.zst --max-unpack 64M > /dev/null 2> big.err; rc=$?
[ $rc = 2 ] || die "--max-unpack 64M: exit $rc, want 2"
grep -v "^slim: warning: root.tar.zst: offset .*: member '\./dev/[^']*' refused: a device" big.err > big.err1   # the root's /dev
one_line big.err1
grep -q "root.tar.zst: offset .*: member '\./.*' declares .* the unpack limit of 67108864 bytes" big.err1 ||
	die "the bound's error names no member: $(cat big.err1)"
echo "--max-unpack 64M: $(cat big.err1)"
"$SLIM" report root.tar.zst --max-unpack 1G --json -o big.json 2> /dev/null > /dev/null || die "--max-unpack 1G refuses a 272 MB tree"
[ -z "$(ls -A "$TMPDIR")" ] || die "a private unpack directory was left behind: $(ls "$TMPDIR")"

# --- 1. a wheel: PyYAML's installed files and dist-info, zipped -------------
# Its workload runs in a copy of the root whose dist-packages lost them
# and whose / holds the wheel's tree (PYTHONPATH=/), so that the trace's
# paths are the wheel's own (/yaml/__init__.py).
dp=usr/lib/python3/dist-packages
W=$tmp/wroot
cp -a "$R" "$W" || die "cp"
mkdir wheel && for p in yaml _yaml PyYAML-6.0.dist-info; do
	mv "$W/$dp/$p" "$W/$p" && cp -a "$W/$p" wheel/ || die "PyYAML's $p is not where Debian 12 puts it"
done
(cd wheel && find . -name __pycache__ -prune -o -type f -print | sort | zip -q -X ../PyYAML-6.0-cp311-cp311-linux_x86_64.whl -@) || die "zip"
whl=PyYAML-6.0-cp311-cp311-linux_x86_64.whl
cat > "$W/opt/yapp.py" <<'PY'
import sys, yaml
d = yaml.load(open(sys.argv[1]), Loader=yaml.CSafeLoader)
print(yaml.dump(d, Dumper=yaml.CSafeDumper, sort_keys=True))
print(yaml.safe_dump(d, sort_keys=True, default_flow_style=True))
PY
cp rec.py "$W/rec.py"
in_root "$W" env PYTHONPATH=/ SLIM_PYTRACE_OUT=/tw.txt python3 -B /rec.py /opt/yapp.py /opt/app/in1.yaml > wwant1.txt ||
	die "the wheel's workload does not run"
mv "$W/tw.txt" tw.txt && rm "$W/rec.py"
grep -q $'^module\tyaml\t/yaml/__init__.py$' tw.txt || die "the wheel's trace does not name /yaml/__init__.py"
in_root "$W" env PYTHONPATH=/ python3 -B /opt/yapp.py /opt/app/in2.yaml > wwant2.txt || die "input 2"
"$SLIM" report $whl --py-trace tw.txt --prune-list wheel.txt --json -o wheel.json 2> wheel.err > /dev/null ||
	{ cat wheel.err; die "report of the wheel"; }
grep -q slim-unpack wheel.err wheel.json && die "the wheel's report names the private directory"
python3 - wheel.json <<'PY' || die "the wheel is not one Python tree"
import json, sys
r = json.load(open(sys.argv[1]))
t = r['totals']['tree']
assert [(p['path'], p['judged']) for p in t['python_trees']] == [('.', True)], t['python_trees']
m = {n['id']: n['attrs'].get('classification') for n in r['nodes'] if n['kind'] == 'module'}
assert m.get('py:yaml') == 'used' and m.get('py:yaml.cyaml') == 'used', (m.get('py:yaml'), m.get('py:yaml.cyaml'))
PY
[ -s wheel.txt ] || die "nothing in the wheel's proven prune list"
wb=0
while read -r f; do
	[ -f "$W/$f" ] || die "wheel: $f is no file of the wheel"
	wb=$((wb + $(stat -c %s "$W/$f"))); rm -- "$W/$f"
done < wheel.txt
in_root "$W" env PYTHONPATH=/ python3 -B /opt/yapp.py /opt/app/in1.yaml > wgot1.txt 2> werr.txt || { tail -3 werr.txt; die "wheel: input 1 fails once pruned"; }
in_root "$W" env PYTHONPATH=/ python3 -B /opt/yapp.py /opt/app/in2.yaml > wgot2.txt 2> werr.txt || { tail -3 werr.txt; die "wheel: input 2 fails once pruned"; }
cmp -s wwant1.txt wgot1.txt && cmp -s wwant2.txt wgot2.txt || die "wheel: output changed once pruned"
echo "wheel: $(wc -l < wheel.txt) files, $wb bytes pruned (proven) of $(stat -c %s $whl) zipped; both inputs print the same"
rm -rf "$W"
echo ok
