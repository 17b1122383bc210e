# slim diff on hostile builds (issue #16, "Bad input"): one side of each
# pair is a real file of every format the byte diff descends into (an ELF
# program and object, an ar archive, a zip, a tar, a gzip, a zstd and an
# xz stream, a .pyc) with bytes overwritten at random places, cut short, or
# with a header's size field spoiled; the other side is the original.
# Every run ends (no hang: 20 s each), exits 0 or 2 (2 only with one error
# line per bad file on stderr), never dies by a signal or a sanitizer
# report, and its JSON parses.  Seeded, so a failure replays.
. "$ROOT/tests/cli/lib.sh"
need gcc gcc
need zstd zstd
need zip zip
need xz xz-utils
T=$PWD
mkdir -p src
printf '#include <stdio.h>\nint main(void) { puts("%s"); return 0; }\n' "$(date)" > src/m.c
gcc -g -c src/m.c -o src/m.o && gcc -g -o src/prog src/m.o || die "gcc"
ar rcsU src/lib.a src/m.o || die "ar"
(cd src && zip -q w.zip m.c m.o && tar -cf t.tar m.c m.o) || die "zip/tar"
gzip -c src/t.tar > src/t.tar.gz && zstd -q src/t.tar -o src/t.tar.zst && xz -k src/t.tar || die "gzip/zstd/xz"
python3 -c "import py_compile; py_compile.compile('/usr/lib/python3.11/json/decoder.py', cfile='src/d.pyc')" || die "py_compile"
python3 - <<'PY' || die "mutating"
import os, random, shutil
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
