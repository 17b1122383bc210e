#!/bin/bash
# mutations.sh - `make check-real`: a mutation corpus over real CUDA
# libraries from /usr/local/cuda/lib64 (CUDA_LIB64 to override), run with
# the ASan+UBSan build of slim ($SLIM_ASAN, built by `make check-real`):
# libcudadevrt.a (an archive of -rdc objects, __nv_relfatbin),
# libcheckpoint.so and libcufftw.so.12 (.nv_fatbin, ZSTD entries).
# Truncations at many offsets (dense over the fatbins), random bytes
# anywhere, and bytes changed inside container headers, entry headers and
# compressed payloads (found from slim's own JSON listing of the pristine
# file).  Each case runs `slim fatbin --verify` (every entry decoded) and
# `slim report --arch sm_80`: exit 0 or 2, never a signal or sanitizer
# report, within 20 s; on exit 2 every error line names the file.
# One mutated file exists at a time (the libraries are megabytes).
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SLIM=${SLIM_ASAN:-$ROOT/build-asan/slim}
LIB=${CUDA_LIB64:-/usr/local/cuda/lib64}
N=${MUTATIONS:-150}
die() { echo "FAIL: $*" >&2; exit 1; }
[ -d "$LIB" ] || die "corpus missing: $LIB (install the CUDA 13 toolkit, or set CUDA_LIB64)"
[ -x "$SLIM" ] || die "no ASan build at $SLIM: run \`make check-real\` (it builds one) or set SLIM_ASAN"
files=("$LIB"/libcudadevrt.a "$LIB"/libcheckpoint.so "$LIB"/libcufftw.so.12)
for f in "${files[@]}"; do [ -f "$f" ] || die "corpus missing: $f"; done
tmp=$(mktemp -d /tmp/slim-mut.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
python3 - "$SLIM" "$tmp" "$N" "${files[@]}" <<'PY'
import json, os, random, subprocess, sys
slim, tmp, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rnd = random.Random(20261123)
bad = runs = errors = 0
for src in sys.argv[4:]:
    b = open(src, 'rb').read()
    js = json.loads(subprocess.run([slim, 'fatbin', '--json', src], capture_output=True, check=True).stdout)
    ents = [x['attrs'] for x in js['nodes'] if x['kind'] == 'gpu']
    assert ents, src + ': no fatbin entries to aim at'
    lo = min(e['offset'] for e in ents) - 16
    hi = max(e['offset'] + e['header_bytes'] + e['stored_bytes'] for e in ents)
    path = os.path.join(tmp, os.path.basename(src))
    for k in range(n):
        x = bytearray(b)
        op = k % 5
        if op == 0:      # truncation, mostly inside the fatbins
            cut = rnd.randrange(lo, hi) if rnd.random() < 0.8 else rnd.randrange(len(b))
            x = x[:cut]
        elif op == 1:    # random bytes anywhere (ELF/ar structure too)
            for _ in range(rnd.randint(1, 8)):
                x[rnd.randrange(len(x))] = rnd.randrange(256)
        elif op == 2:    # an entry header: kind, sizes, arch, flags
            e = rnd.choice(ents)
            for _ in range(rnd.randint(1, 4)):
                x[e['offset'] + rnd.randrange(64)] = rnd.randrange(256)
        elif op == 3:    # a container header (16 bytes before an entry)
            e = rnd.choice(ents)
            x[e['offset'] - 16 + rnd.randrange(16)] = rnd.randrange(256)
        else:            # a payload: compressed stream or cubin bytes
            e = rnd.choice(ents)
            p0 = e['offset'] + e['header_bytes']
            for _ in range(rnd.randint(1, 16)):
                x[p0 + rnd.randrange(max(1, e['stored_bytes']))] = rnd.randrange(256)
        open(path, 'wb').write(x)
        for cmd in (['fatbin', '--verify'], ['report', '--arch', 'sm_80']):
            runs += 1
            try:
                r = subprocess.run([slim] + cmd + [path], capture_output=True, timeout=20)
            except subprocess.TimeoutExpired:
                print('%s case %d (%s): over 20 s' % (src, k, ' '.join(cmd))); bad += 1; continue
            err = [l for l in r.stderr.decode('utf-8', 'replace').splitlines() if not l.startswith('slim: warning:')]
            ok = r.returncode == 0 or (r.returncode == 2 and err and
                                        all(l.startswith('slim: ' + path) for l in err))
            errors += r.returncode == 2
            if not ok:
                bad += 1
                print('%s case %d op %d (%s): exit %d' % (src, k, op, ' '.join(cmd), r.returncode))
                print('\n'.join(err[:20]))
                open(os.path.join(tmp, '..', 'slim-mut-bad-%d' % bad), 'wb').write(x)
print('%d runs of the ASan build over %d mutated CUDA libraries (%s): %d input errors, %d bad'
      % (runs, n * (len(sys.argv) - 4), ', '.join(os.path.basename(s) for s in sys.argv[4:]), errors, bad))
sys.exit(1 if bad else 0)
PY
