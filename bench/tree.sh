#!/bin/bash
# slim report DIR against jdupes -r on the same tree of this machine's
# real files (issue #14): /usr and the Python installation hardlinked into
# one directory (no copy: the same inodes, so the page cache is shared),
# with the merged-/usr links and an ld.so.cache (ldconfig -r) so that it
# is a root file system.  Both tools run on a warm page cache, side by
# side in one run, best of N (default 3); printed: wall and CPU seconds,
# peak RSS, and slim's time over jdupes'.  slim does the whole report
# (every file typed, every program's closure resolved inside the tree,
# orphans, duplicates, the JSON); jdupes only the duplicates.  Also:
#   - slim's peak RssAnon (sampled every 10 ms from /proc/PID/status: the
#     pages of mapped inputs are the page cache's, not slim's; peak RSS
#     counts them) and a run under --max-memory 512M;
#   - --cache: the first run with an empty cache directory, then the
#     unchanged re-run (best of N), and its share of the first; then the
#     re-runs after one file changed (each a miss of the whole-run entry
#     that takes every other file's per-file results): a data file of
#     the bench's own touched, the same file's content changed, and a
#     library (libz) replaced by a copy of itself (a new inode; put back
#     as a hardlink after); each one's JSON compared with an uncached
#     run's, and each one's peak RssAnon;
#   - that both tools find the same duplicate sets.
#   bench/tree.sh [TREE_DIR] [RUNS]    (TREE_DIR is made when missing)
set -u
slim=${SLIM:-$(cd "$(dirname "$0")/.." && pwd)/slim}
command -v jdupes >/dev/null || { echo "needs jdupes (make deps)"; exit 2; }
T=${1:-${TMPDIR:-/tmp}/slim-bench-tree}
runs=${2:-3}
if [ ! -d "$T/usr" ]; then
	mkdir -p "$T/etc" || exit 2
	cp -al /usr "$T/usr" || { echo "cp -al /usr: $T must be on the file system of /usr"; exit 2; }
	for l in lib lib64 bin sbin; do ln -s usr/$l "$T/$l"; done
	ldconfig -r "$T" || exit 2
fi
# warm the page cache for both: every byte once (jdupes alone reads only
# the files whose sizes collide; slim reads every live ELF file's string
# sections, and a cold page cache made its first run 3x slower here)
find "$T" -type f -print0 | xargs -0 cat > /dev/null
jdupes -r -q "$T" > /dev/null
# /usr/bin/time writes to the stderr of its child's: capture it apart
timeit() { /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" > /dev/null 2>&1; awk '{print $1, $2 + $3, $4}' "$tf"; }
tf=$(mktemp)
bestof() {
	local bw=999999 bc=0 bm=0 w c m
	for _ in $(seq "$runs"); do
		read -r w c m < <(timeit "$@")
		if awk "BEGIN{exit !($w < $bw)}"; then bw=$w bc=$c bm=$m; fi
	done
	echo "$bw $bc $bm"
}
# peak RssAnon (KiB) of CMD, sampled every 10 ms; its exit status after
peak_anon() {
	"$@" > /dev/null 2>&1 &
	local pid=$! peak=0 a
	while a=$(awk '/^RssAnon:/ {print $2}' /proc/$pid/status 2> /dev/null) && [ -n "$a" ]; do
		[ "$a" -gt "$peak" ] && peak=$a
		sleep 0.01
	done
	wait $pid
	echo "$peak $?"
}
files=$(find "$T" -type f | wc -l)
bytes=$(du -sb "$T" | cut -f1)
read -r jw jc jm < <(bestof jdupes -r -q "$T")
read -r sw sc sm < <(bestof "$slim" report "$T" --json -o "$tf.json")
read -r anon _ < <(peak_anon "$slim" report "$T" --json -o "$tf.json")
read -r _ mrc < <(peak_anon "$slim" --max-memory 512M report "$T" --json -o "$tf.mm.json")
cache=$(mktemp -d)
read -r cw cc _ < <(timeit "$slim" report "$T" --json -o "$tf.c1.json" --cache "$cache")
read -r ww wc _ < <(bestof "$slim" report "$T" --json -o "$tf.c2.json" --cache "$cache")
# one file changed, then a re-run with the cache (a miss: per-file results)
own=$T/etc/slim-bench.conf
[ -f "$own" ] || { echo 0 > "$own"; "$slim" report "$T" --json -o "$tf.c3.json" --cache "$cache" > /dev/null 2>&1; }
changed() {   # NAME: the cached re-run's wall, CPU, peak RssAnon; JSON checked
	read -r w c _ < <(timeit "$slim" report "$T" --json -o "$tf.ch.json" --cache "$cache")
	"$slim" report "$T" --json -o "$tf.ch0.json" > /dev/null 2>&1
	local same=DIFFERENT; cmp -s "$tf.ch.json" "$tf.ch0.json" && same=identical
	printf '%-34s %8s %8s   (JSON %s to the uncached run'"'"'s)\n' "slim ... --cache ($1)" "$w" "$c" "$same"
}
sleep 0.01; touch "$own"
ch_touch=$(changed "one file touched")
echo $RANDOM >> "$own"
ch_mod=$(changed "one file's content changed")
lz=$(cd "$T" && ls usr/lib/x86_64-linux-gnu/libz.so.1.* | head -1)
cp --remove-destination "/$lz" "$T/$lz"
ch_lib=$(changed "libz replaced (new inode)")
ln -f "/$lz" "$T/$lz"
echo $RANDOM >> "$own"
read -r chanon _ < <(peak_anon "$slim" report "$T" --json -o "$tf.ch.json" --cache "$cache")
printf '%s: %s files, %s bytes; best of %s runs, warm page cache, %s CPUs\n' \
	"$T" "$files" "$bytes" "$runs" "$(nproc)"
printf '%-34s %8s %8s %10s %10s\n' tool wall_s cpu_s peak_MiB anon_MiB
printf '%-34s %8s %8s %10s %10s\n' "jdupes -r" "$jw" "$jc" "$((jm / 1024))" -
printf '%-34s %8s %8s %10s %10s\n' "slim report DIR --json" "$sw" "$sc" "$((sm / 1024))" "$((anon / 1024))"
printf '%-34s %8s %8s\n' "slim ... --cache (first run)" "$cw" "$cc"
printf '%-34s %8s %8s\n' "slim ... --cache (unchanged re-run)" "$ww" "$wc"
printf '%s\n' "$ch_touch" "$ch_mod" "$ch_lib"
echo "peak RssAnon of a re-run after one change: $((chanon / 1024)) MiB"
awk "BEGIN{printf \"slim / jdupes: %.2fx wall, %.2fx CPU; cached re-run / first: %.1f%%\n\", $sw / $jw, $sc / $jc, 100 * $ww / $cw}"
echo "--max-memory 512M: exit $mrc$([ "$mrc" = 0 ] && echo ' (passes)')"
cmp -s "$tf.json" "$tf.c2.json" && echo "cached JSON: identical to the uncached run's" ||
	echo "cached JSON: DIFFERENT from the uncached run's"
# the same duplicate sets
jdupes -r -q "$T" > "$tf.jd"
python3 - "$T" "$tf.jd" "$tf.json" <<'PY'
import json, sys
T, jd, rep = sys.argv[1:]
want, cur = set(), []
for line in open(jd).read().split('\n') + ['']:
    if line.strip(): cur.append(line[len(T.rstrip('/')) + 1:])
    elif cur: want.add(frozenset(cur)); cur = []
r = json.load(open(rep))
got = {frozenset(f['attrs']['paths']) for f in r['findings'] if f['kind'] == 'duplicate-file'}
print('duplicate sets: slim %d, jdupes %d, %s' % (len(got), len(want), 'the same' if got == want else
      'DIFFERENT (%d only slim, %d only jdupes)' % (len(got - want), len(want - got))))
PY
rm -rf "$tf" "$tf".*json "$tf.jd" "$cache"
