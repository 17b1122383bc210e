#!/bin/bash
# prune.sh - issue #17's speed figure: `slim prune --arch sm_90` of every
# ELF file and archive in /usr/local/cuda/lib64 (or $CUDA_LIB64), one
# process per file as a user would run it, against `cp --reflink=never` of
# the same files in one process (the peer: the least a tool writing a copy
# of them must do).  Both write into a fresh directory on the same
# filesystem ($TMPDIR) with the page cache warm; slim's output is synced
# (ofile_commit: fsync before the rename), cp's is not.  Target: slim at
# least half cp's speed, i.e. wall ratio slim/cp <= 2.  Median of N runs
# (default 3).
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
SLIM=${SLIM:-$ROOT/slim}
LIB=${CUDA_LIB64:-/usr/local/cuda/lib64}
N=${N:-3}
ARCH=${ARCH:-sm_90}
[ -d "$LIB" ] || { echo "bench/prune.sh: corpus missing: $LIB" >&2; exit 1; }
mapfile -t files < <(find -H "$LIB" -maxdepth 2 -type f \( -name '*.so*' -o -name '*.a' \) | sort)
bytes=$(du -cb "${files[@]}" | tail -1 | cut -f1)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/slim-bench-prune.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
run_slim() {
	for f in "${files[@]}"; do
		"$SLIM" prune --arch "$ARCH" "$f" -o "$tmp/out/$(basename "$f")" > /dev/null 2>&1 || return 1
	done
}
run_cp() { cp --reflink=never "${files[@]}" "$tmp/out/"; }
# timeit FN: median wall seconds of N runs into an empty directory
timeit() {
	local t=()
	for _ in $(seq "$N"); do
		rm -rf "$tmp/out"; mkdir "$tmp/out"; sync
		local s e
		s=$(date +%s.%N)
		"$1" || { echo "bench/prune.sh: $1 failed" >&2; exit 1; }
		e=$(date +%s.%N)
		t+=("$(echo "$e - $s" | bc)")
	done
	printf '%s\n' "${t[@]}" | median
}
cat "${files[@]}" > /dev/null   # warm the page cache
cw=$(timeit run_cp)
sw=$(timeit run_slim)
run_slim
alloc_out=$(du -cB1 "$tmp"/out/* | tail -1 | cut -f1)
alloc_in=$(du -cB1 "${files[@]}" | tail -1 | cut -f1)
echo "corpus: ${#files[@]} files, $bytes bytes; --arch $ARCH; median of $N runs"
printf "%-28s %8s %10s\n" "" "wall s" "MB/s"
printf "%-28s %8.3f %10.0f\n" "cp --reflink=never" "$cw" "$(echo "$bytes / $cw / 1000000" | bc -l)"
printf "%-28s %8.3f %10.0f\n" "slim prune --arch $ARCH" "$sw" "$(echo "$bytes / $sw / 1000000" | bc -l)"
echo "slim prune at $(echo "$cw / $sw" | bc -l | awk '{ printf "%.2f", $1 }')x cp's speed (target >= 0.5); blocks allocated: input $alloc_in bytes, pruned copies $alloc_out bytes"
