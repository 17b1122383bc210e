# slim diff on hostile builds (issue #16, "Bad input"): one side of each
# pair is a real file of every format the byte diff descends into (an ELF
# program and object, an ar archive, a zip, a tar, a gzip, a zstd and an
# xz stream, a .pyc) with bytes overwritten at random places, cut short, or
# with a header's size field spoiled; the other side is the original.
# CUDA fat binaries too (the committed nvcc pair samples/cuda/bin/diff:
# an object's .nv_fatbin, a bare ZSTD fatbin): OLD is one build, NEW the
# other build with the bytes of its fatbin containers (entry headers,
# sizes, compressed streams) spoiled, so slim diff descends into both.
# Images too (an OCI layout made with umoci, compared with the original
# layout): its gzip layer blob (or zstd, recompressed by skopeo), its
# manifest, its config or index.json, or the image as a docker save
# tarball, mutated the same ways, the manifests left naming the old digests; each
# such run that exits 2 says it in exactly one line, and a layer that
# stops being gzip or tar is named with its file and offset.
# Every run ends (no hang: 20 s each), exits 0 or 2 (2 only with one error
# line per bad file on stderr), never dies by a signal or a sanitizer
# report, and its JSON parses.  Seeded, so a failure replays.
. "$ROOT/tests/cli/lib.sh"
need gcc gcc
need zstd zstd
need zip zip
need xz xz-utils
need umoci umoci
T=$PWD
mkdir -p src
printf '#include <stdio.h>\nint main(void) { puts("%s"); return 0; }\n' "$(date)" > src/m.c
gcc -g -c src/m.c -o src/m.o && gcc -g -o src/prog src/m.o || die "gcc"
ar rcsU src/lib.a src/m.o || die "ar"
(cd src && zip -q w.zip m.c m.o && tar -cf t.tar m.c m.o) || die "zip/tar"
gzip -c src/t.tar > src/t.tar.gz && zstd -q src/t.tar -o src/t.tar.zst && xz -k src/t.tar || die "gzip/zstd/xz"
python3 -c "import py_compile; py_compile.compile('/usr/lib/python3.11/json/decoder.py', cfile='src/d.pyc')" || die "py_compile"
python3 - <<'PY' || die "mutating"
import os, random, shutil, sys
random.seed(16)
os.makedirs('cases', exist_ok=True)
k = 0
for f in sorted(os.listdir('src')):
    if f.endswith('.c'):
        continue
    b = open('src/' + f, 'rb').read()
    for n in range(12):
        m = bytearray(b)
        kind = n % 3
        if kind == 0:                     # bytes overwritten
            for _ in range(random.randint(1, 8)):
                m[random.randrange(len(m))] = random.randrange(256)
        elif kind == 1:                   # cut short
            m = m[:random.randrange(1, len(m))]
        else:                             # a 32-bit field near a header made huge
            at = random.randrange(min(len(m) - 4, 4096))
            m[at:at + 4] = b'\xff\xff\xff\x7f'
        d = 'cases/%03d' % k; k += 1
        os.makedirs(d + '/a'); os.makedirs(d + '/b')
        shutil.copy('src/' + f, d + '/a/' + f)
        open(d + '/b/' + f, 'wb').write(m)
# fatbins: NEW's containers spoiled, OLD the other build
import struct
sys.path.insert(0, os.environ['ROOT'] + '/tests/cli')
from elfsec import section
def fatbin_range(b):
    if b[:4] == b'\x50\xed\x55\xba':
        return 0, len(b)
    s = section(b, b'.nv_fatbin')
    if not s:
        raise SystemExit('no .nv_fatbin')
    return s.offset, s.size
pair = os.environ['ROOT'] + '/samples/cuda/bin/diff/'
for f in ('kern_plain.o', 'kern_zstd.o', 'kern.fatbin'):
    old, b = open(pair + 'a/' + f, 'rb').read(), open(pair + 'b/' + f, 'rb').read()
    lo, n = fatbin_range(b)
    for t in range(12):
        m = bytearray(b)
        kind = t % 3
        if kind == 0:                     # bytes of the containers overwritten
            for _ in range(random.randint(1, 8)):
                m[lo + random.randrange(n)] = random.randrange(256)
        elif kind == 1:                   # a field of an entry header made huge
            at = lo + 16 + random.randrange(0, min(n - 24, 256), 4)
            m[at:at + 4] = b'\xff\xff\xff\x7f'
        else:                             # cut inside the containers
            m = m[:lo + random.randrange(1, n)]
        d = 'cases/%03d' % k; k += 1
        os.makedirs(d + '/a'); os.makedirs(d + '/b')
        open(d + '/a/' + f, 'wb').write(old)
        open(d + '/b/' + f, 'wb').write(m)
print(k, 'cases')
PY
n=0
for d in cases/*; do
	timeout 20 $SLIM diff --json "$d/a" "$d/b" > "$d/out.json" 2> "$d/err.txt"
	rc=$?
	case $rc in
	0|2) ;;
	*) cat "$d/err.txt" >&2; die "$d: exit $rc (a signal, a hang or an abort)" ;;
	esac
	grep -q 'Sanitizer\|runtime error' "$d/err.txt" && { cat "$d/err.txt" >&2; die "$d: sanitizer report"; }
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$d/out.json" || die "$d: JSON does not parse"
	[ $rc = 0 ] || [ -s "$d/err.txt" ] || die "$d: exit 2 without a line saying why"
	n=$((n + 1))
done
echo "$n mutated pairs: every run ended with 0 or 2 and JSON that parses"

# --- images: a blob of an OCI layout mutated ---------------------------------
umoci init --layout img > /dev/null && umoci new --image img:t &&
umoci unpack --rootless --image img:t bimg > /dev/null 2>&1 || die "umoci"
cp src/prog src/m.c src/lib.a bimg/rootfs/ && umoci repack --image img:t bimg > /dev/null &&
umoci gc --layout img || die "umoci repack"
need skopeo skopeo
skopeo copy -q --dest-compress-format zstd oci:img:t oci:zimg:t || die "skopeo zstd"
skopeo copy -q oci:img:t docker-archive:d.tar:x:y || die "skopeo docker-archive"
python3 - <<'PY' || die "mutating the image"
import json, os, random, shutil
random.seed(161)
i = json.load(open('img/index.json'))
man = 'blobs/' + i['manifests'][0]['digest'].replace(':', '/')
m = json.load(open('img/' + man))
targets = {'layer': 'blobs/' + m['layers'][0]['digest'].replace(':', '/'), 'manifest': man,
           'config': 'blobs/' + m['config']['digest'].replace(':', '/'), 'index': 'index.json'}
zi = json.load(open('zimg/index.json'))
zm = json.load(open('zimg/blobs/' + zi['manifests'][0]['digest'].replace(':', '/')))
targets['zlayer'] = 'blobs/' + zm['layers'][0]['digest'].replace(':', '/')
# spoil(b, n, huge): bytes overwritten, cut short, or huge(x) spoils a size
def spoil(b, n, huge):
    x = bytearray(b)
    if n % 3 == 0:
        for _ in range(random.randint(1, 4)):
            x[random.randrange(len(x))] = random.randrange(256)
    elif n % 3 == 1:
        x = x[:random.randrange(1, len(x))]
    else:
        huge(x)
    return x
def huge_field(x):
    at = random.randrange(min(len(x) - 4, 4096))
    x[at:at + 4] = b'\xff\xff\xff\x7f'
def huge_tar_size(x):
    hdrs = [o for o in range(0, len(x) - 512, 512) if x[o + 257:o + 262] == b'ustar']
    at = random.choice(hdrs) + 124
    x[at:at + 12] = b'77777777777\0'
k = 0
for what, rel in sorted(targets.items()):
    img = 'zimg' if what == 'zlayer' else 'img'
    b = open(img + '/' + rel, 'rb').read()
    for n in range(6):
        x = spoil(b, n, huge_field)
        d = 'icases/%s-%02d' % (what, k); k += 1
        shutil.copytree(img, d)
        os.chmod(d + '/' + rel, 0o644)
        open(d + '/' + rel, 'wb').write(x)
# the docker save tarball itself: cut short, bytes or a size spoiled
b = open('d.tar', 'rb').read()
for n in range(9):
    x = spoil(b, n, huge_tar_size)
    d = 'icases/dtar-%02d' % k; k += 1
    os.makedirs(d)
    open(d + '/d.tar', 'wb').write(x)
print(k, 'image cases')
PY
n=0
for d in icases/*; do
	case $d in */zlayer-*) o=zimg nw=$d ;; */dtar-*) o=d.tar nw=$d/d.tar ;; *) o=img nw=$d ;; esac
	timeout 20 $SLIM diff --json $o "$nw" > "$d.json" 2> "$d.all"
	rc=$?
	case $rc in
	0|2) ;;
	*) cat "$d.all" >&2; die "$d: exit $rc (a signal, a hang or an abort)" ;;
	esac
	grep -q 'Sanitizer\|runtime error' "$d.all" && { cat "$d.all" >&2; die "$d: sanitizer report"; }
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$d.json" || die "$d: JSON does not parse"
	grep -v '^slim: warning: ' "$d.all" > "$d.err"
	if [ $rc = 2 ]; then
		one_line "$d.err"
		case $d in
		*/layer-*|*/zlayer-*) grep -q "^slim: $d/blobs/sha256/[0-9a-f]*: offset 0x[0-9a-f]*: layer 1 (sha256:[0-9a-f]*): " "$d.err" ||
			die "$d: the layer's line names no file and offset: $(cat "$d.err")" ;;
		*/dtar-*) grep -q "^slim: $d/d.tar: offset 0x[0-9a-f]*: " "$d.err" ||
			die "$d: the tarball's line names no offset: $(cat "$d.err")" ;;
		esac
	else
		[ ! -s "$d.err" ] || die "$d: exit 0 with an error line: $(cat "$d.err")"
	fi
	n=$((n + 1))
done
echo "$n mutated images: every run ended with 0 or 2, one line when 2; layers named with file and offset"
