#!/bin/bash
# The objects and archives a map names are read too (derivation, COMDAT
# groups, thin archives): damaged ones must never crash slim or change an
# exit status; what cannot be read is a warning, and what the map itself
# says is still reported.  Each of 300 mutations of tmpl's inputs (bytes
# flipped in the ELF header, section headers, group sections and symbol
# tables of tmpl_a.o and of libtmpl.a, truncations, a thin archive with
# broken headers) is run with the lld, mold and BFD maps of the link;
# every run must exit 0 with the map's own output sections intact.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
need ar binutils
bash "$ROOT/samples/build-linkmap.sh" || die "samples/build-linkmap.sh failed"
S=$ROOT/samples/out/linkmap
for l in lld mold bfd; do
	cp "$S/tmpl-$l.map" .
done
cp "$S/tmpl_main.o" .
python3 - "$S" <<'PY' || die "mutations failed"
import os, random, shutil, struct, subprocess, sys
S = sys.argv[1]
slim = os.environ['SLIM']
rnd = random.Random(15)
a0 = open(os.path.join(S, 'tmpl_a.o'), 'rb').read()
b0 = open(os.path.join(S, 'libtmpl.a'), 'rb').read()
shoff = struct.unpack_from('<Q', a0, 0x28)[0]
bad = 0
def mutate(buf, hot):
    b = bytearray(buf)
    k = rnd.randrange(4)
    if k == 0:
        return bytes(b[:rnd.randrange(len(b))])
    for _ in range(rnd.randrange(1, 16)):
        i = rnd.randrange(hot, len(b)) if k == 1 else rnd.randrange(len(b))
        b[i] = rnd.randrange(256)
    return bytes(b)
for n in range(300):
    open('tmpl_a.o', 'wb').write(mutate(a0, shoff) if n % 2 == 0 else a0)
    open('libtmpl.a', 'wb').write(mutate(b0, 8) if n % 2 == 1 or n % 7 == 0 else b0)
    if n % 25 == 24:     # a thin archive with broken headers instead
        hdr = b'!<thin>\n' + bytes(rnd.randrange(256) for _ in range(rnd.randrange(200)))
        open('libtmpl.a', 'wb').write(hdr)
    for l in ('lld', 'mold', 'bfd'):
        for args in ([], ['--json'], ['--by', 'discarded']):
            p = subprocess.run([slim, 'linkmap', 'tmpl-%s.map' % l] + args,
                               capture_output=True)
            if p.returncode != 0 or (not args and b'output sections:' not in p.stdout):
                bad += 1
                if bad < 5:
                    print('mutation %d, %s %s: rc %d: %s' % (n, l, args, p.returncode,
                          p.stderr.decode(errors='replace')[:300]))
print('%d mutations x 9 runs, %d bad' % (300, bad))
sys.exit(1 if bad else 0)
PY
echo ok
