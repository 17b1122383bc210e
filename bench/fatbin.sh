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
timeit() {   # timeit CMD...: median wall seconds of N runs
	"$@" > /dev/null 2>&1
	for _ in $(seq "$N"); do
		local t0 t1
		t0=$(date +%s.%N); "$@" > /dev/null 2>&1; t1=$(date +%s.%N)
		echo "$t1 - $t0" | bc -l
	done | median
}
echo "corpus: ${#files[@]} files, $(du -cb "${files[@]}" | tail -1 | cut -f1) bytes; median of $N runs"
r=$(timeit readelf -S -W "${files[@]}")
s=$(timeit "$SLIM" fatbin "${files[@]}")
ns=$(timeit "$SLIM" fatbin --no-scan "${files[@]}")
printf "readelf -S -W            %8.4f s\n" "$r"
printf "slim fatbin              %8.4f s  (%.1fx readelf)\n" "$s" "$(echo "$s / $r" | bc -l)"
printf "slim fatbin --no-scan    %8.4f s  (%.1fx readelf)\n" "$ns" "$(echo "$ns / $r" | bc -l)"
"$SLIM" fatbin --kernels --perf "${files[@]}" 2>&1 > /dev/null | sed 's/^slim: perf: /slim fatbin --kernels    /'
