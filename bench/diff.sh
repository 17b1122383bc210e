#!/bin/bash
# slim diff on two builds (issue #16) against its peers, side by side in
# one run:
#   1. the pair of tests/cli/test-diff-builds.sh (slim's common/*.c built
#      with -g into objects, an ar U archive and a program in two
#      directories of the same length, a second later, plus the stdlib
#      json package's .pyc at two mtimes): `slim diff` (graph diff and
#      byte causes) against `diffoscope`: wall seconds and peak RSS, and
#      slim's share of each (goals: 50x faster, a tenth of the memory);
#   2. a large pair: SRC (default /usr, ~9 GB) copied twice (real copies,
#      not hardlinks: GNU diff skips files that are one inode), then 1% of
#      the files of the second copy (every 100th regular file in path
#      order) get 16 bytes overwritten in the middle; `diff -rq` (bytes
#      only) against slim's byte answer with its causes (the time --perf
#      reports as "bytes"; the graph diff of the two trees is timed apart,
#      as "load" + "diff").  Goal: the byte answer in at most diff -rq's
#      time.  Both run on the same page cache state, alternately, best of
#      RUNS (default 2).
#   bench/diff.sh [SRC] [RUNS]     (the copies stay in $TMPDIR/slim-bench-diff;
#                                   PART=1 runs the build pair only)
set -u
slim=${SLIM:-$(cd "$(dirname "$0")/.." && pwd)/slim}
root=$(cd "$(dirname "$0")/.." && pwd)
command -v diffoscope > /dev/null || { echo "needs diffoscope (make deps)"; exit 2; }
SRC=${1:-/usr}
runs=${2:-2}
W=${TMPDIR:-/tmp}/slim-bench-diff
tf=$(mktemp)
# wall seconds (ms resolution: slim's part 1 takes tens of ms) and peak
# RSS in KiB from /usr/bin/time (a C parent: a Python parent's own RSS
# would count, as ru_maxrss survives exec)
timeit() {
	python3 -c 'import subprocess, sys, time
t = time.perf_counter()
subprocess.run(["/usr/bin/time", "-f", "%M", "-o", sys.argv[1]] + sys.argv[2:],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
w = time.perf_counter() - t
print("%.3f %s" % (w, open(sys.argv[1]).read().split()[-1]))' "$tf" "$@"
}
bestof() {
	local bw=999999 bm=0 w m
	for _ in $(seq "$runs"); do
		read -r w m < <(timeit "$@")
		if awk "BEGIN{exit !($w < $bw)}"; then bw=$w bm=$m; fi
	done
	echo "$bw $bm"
}

# --- 1. the build pair, against diffoscope
build() {
	local d=$1 f
	mkdir -p "$d/src" "$d/out"
	for f in buf hmap arena util diag memlimit ofile; do cp "$root/common/$f.c" "$root/common/$f.h" "$d/src/"; done
	printf '#include <stdio.h>\nint main(void) { printf("%%s %%s\\n", __DATE__, __TIME__); return 0; }\n' > "$d/src/main.c"
	(cd "$d" && for f in buf hmap arena util diag memlimit ofile main; do gcc -g -O1 -c "$d/src/$f.c" -o "out/$f.o"; done &&
	 ar rcsU out/libc.a out/buf.o out/hmap.o out/arena.o out/util.o out/diag.o out/memlimit.o out/ofile.o &&
	 gcc -g -o out/prog out/*.o) || exit 2
	python3 -c "import py_compile, glob, os, sys
for f in sorted(glob.glob('/usr/lib/python3.11/json/*.py')):
    py_compile.compile(f, cfile=os.path.join(sys.argv[1], os.path.basename(f) + 'c'))" "$d/out"
}
B=$(mktemp -d)
build "$B/w1/b"
sleep 1
build "$B/w2/b"
read -r dw dm < <(bestof diffoscope --exclude-directory-metadata=recursive "$B/w1/b/out" "$B/w2/b/out")
read -r sw sm < <(bestof "$slim" diff "$B/w1/b/out" "$B/w2/b/out")
"$slim" diff "$B/w1/b/out" "$B/w2/b/out" 2> /dev/null | grep '^total:'
echo "build pair: $(find "$B/w1/b/out" -type f | wc -l) files, best of $runs, $(nproc) CPUs"
printf '%-40s %8s %10s\n' tool wall_s peak_MiB
printf '%-40s %8s %10s\n' "diffoscope" "$dw" "$((dm / 1024))"
printf '%-40s %8s %10s\n' "slim diff (graph + byte causes)" "$sw" "$((sm / 1024))"
awk "BEGIN{printf \"slim: %.0fx faster than diffoscope, %.1f%% of its peak memory\n\", $dw / ($sw > 0 ? $sw : 0.001), 100 * $sm / $dm}"
rm -rf "$B"

# --- 2. a large pair, against diff -rq (PART=1 stops before it)
[ "${PART:-}" = 1 ] && exit 0
if [ ! -f "$W/.ready" ]; then
	rm -rf "$W" && mkdir -p "$W" || exit 2
	cp -a "$SRC" "$W/old" 2> /dev/null
	cp -a "$W/old" "$W/new" 2> /dev/null
	find "$W/new" -type f -size +64c | LC_ALL=C sort | awk 'NR % 100 == 0' > "$W/changed"
	python3 - "$W/changed" <<'PY' || exit 2
import os, sys
for p in open(sys.argv[1]).read().split('\n'):
    if not p: continue
    n = os.path.getsize(p)
    with open(p, 'r+b') as f:
        f.seek(n // 2); f.write(os.urandom(16))
PY
	touch "$W/.ready"
fi
files=$(find "$W/old" -type f | wc -l)
bytes=$(du -sb "$W/old" | cut -f1)
diff -rq "$W/old" "$W/new" > /dev/null 2>&1
bw=999999 dw=999999
for _ in $(seq "$runs"); do
	read -r w _ < <(timeit diff -rq "$W/old" "$W/new")
	awk "BEGIN{exit !($w < $dw)}" && dw=$w
	"$slim" diff --perf --json -o "$tf.json" "$W/old" "$W/new" 2> "$tf.perf" > /dev/null
	w=$(sed -n 's/.*perf: bytes \([0-9.]*\) s, load \([0-9.]*\) s, diff \([0-9.]*\) s.*/\1 \2 \3/p' "$tf.perf")
	read -r b l g <<< "$w"
	awk "BEGIN{exit !($b < $bw)}" && { bw=$b; lw=$l; gw=$g; }
done
python3 - "$tf.json" "$W/changed" "$W" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want = {p[len(sys.argv[3]) + 5:] for p in open(sys.argv[2]).read().split('\n') if p}
got = {f['path'] for f in d['files'] if f['status'] != 'same'}
print('slim names the %d changed files exactly: %s' % (len(want), got == want))
PY
echo "large pair: $SRC copied twice, $files files, $bytes bytes each, 1% of files changed; best of $runs"
printf '%-40s %8s\n' tool wall_s
printf '%-40s %8s\n' "diff -rq" "$dw"
printf '%-40s %8s\n' "slim diff: byte answer with causes" "$bw"
printf '%-40s %8s\n' "slim diff: graph diff (timed apart)" "$(awk "BEGIN{print $lw + $gw}")"
awk "BEGIN{printf \"slim's byte answer / diff -rq: %.2fx\n\", $bw / $dw}"
rm -f "$tf" "$tf".*
