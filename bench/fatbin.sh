#!/bin/bash
# fatbin.sh - issue 5's speed figures over /usr/local/cuda/lib64 (or
# $CUDA_LIB64), every ELF file and archive in one run each:
#   listing   `slim fatbin FILES` (entry headers only, no decompression)
#             vs `readelf -S -W FILES`: target slim <= 2x readelf;
#             also with --no-scan (nvcc's sections only, no structural scan
#             of .rodata/.ldata/...) to show what the scan costs;
#   kernels   `slim fatbin --kernels`: every cubin decompressed, MB/s of
#             decoded output (slim's --perf); target >= 400 MB/s per core.
# Median of N runs (default 5) after one warm-up run (page cache warm).
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
SLIM=${SLIM:-$ROOT/slim}
LIB=${CUDA_LIB64:-/usr/local/cuda/lib64}
N=${N:-5}
[ -d "$LIB" ] || { echo "bench/fatbin.sh: corpus missing: $LIB" >&2; exit 1; }
mapfile -t files < <(find -H "$LIB" -maxdepth 2 -type f \( -name '*.so*' -o -name '*.a' \) | sort)
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# timeit CMD...: "WALL CPU", medians of N runs (CPU = user + sys: steadier
# than wall time on a machine shared with other builds)
timeit() {
	"$@" > /dev/null 2>&1
	local out
	out=$(TIMEFORMAT="%3R %3U %3S"; for _ in $(seq "$N"); do
		{ time "$@" > /dev/null 2>&1; } 2>&1
	done)
	echo "$(echo "$out" | awk '{ print $1 }' | median) $(echo "$out" | awk '{ print $2 + $3 }' | median)"
}
echo "corpus: ${#files[@]} files, $(du -cb "${files[@]}" | tail -1 | cut -f1) bytes; median of $N runs"
read -r rw rc < <(timeit readelf -S -W "${files[@]}")
read -r sw sc < <(timeit "$SLIM" fatbin "${files[@]}")
read -r nw nc < <(timeit "$SLIM" fatbin --no-scan "${files[@]}")
ratio() { echo "$1 $2" | awk '{ printf "%.1fx", ($2 > 0 ? $1 / $2 : 0) }'; }
printf "%-24s %8s %8s  %s\n" "" "wall s" "cpu s" "vs readelf (wall, cpu)"
printf "%-24s %8.3f %8.3f\n" "readelf -S -W" "$rw" "$rc"
printf "%-24s %8.3f %8.3f  %s %s\n" "slim fatbin" "$sw" "$sc" "$(ratio "$sw" "$rw")" "$(ratio "$sc" "$rc")"
printf "%-24s %8.3f %8.3f  %s %s\n" "slim fatbin --no-scan" "$nw" "$nc" "$(ratio "$nw" "$rw")" "$(ratio "$nc" "$rc")"
"$SLIM" fatbin --kernels --perf "${files[@]}" 2>&1 > /dev/null | sed 's/^slim: perf: /slim fatbin --kernels    /'
