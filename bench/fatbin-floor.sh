#!/bin/bash
# fatbin-floor.sh - why issue 5's listing target (slim fatbin at most 2x
# `readelf -S -W` over CUDA's lib64) cannot be met by any tool that lists
# the entries: readelf reads only section headers, while listing must read
# one 64-byte entry header per entry, scattered over 1.4 GB.  This times a
# minimal C reader (bench/fatbin-floor.c) that does only that, at offsets
# known in advance (taken from slim's JSON), with pread and with mmap, next
# to readelf and slim in the same run.  Also times the bare cost of reading
# the other data sections the structural scan must search (a memchr pass
# over them in a fresh process = slim fatbin minus slim fatbin --no-scan).
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
SLIM=${SLIM:-$ROOT/slim}
LIB=${CUDA_LIB64:-/usr/local/cuda/lib64}
N=${N:-7}
[ -d "$LIB" ] || { echo "bench/fatbin-floor.sh: corpus missing: $LIB" >&2; exit 1; }
out=$(mktemp -d /tmp/slim-floor.XXXXXX)
trap 'rm -rf "$out"' EXIT
cc -O2 -o "$out/floor" "$ROOT/bench/fatbin-floor.c" || exit 1
mapfile -t files < <(find -H "$LIB" -maxdepth 2 -type f \( -name '*.so*' -o -name '*.a' \) | sort)
# entry offsets of the shared libraries (archive members have their own
# offsets inside the archive file, which is what slim reports too)
for f in "${files[@]}"; do
	"$SLIM" fatbin --json "$f" | python3 -c '
import json, sys
for n in json.load(sys.stdin)["nodes"]:
    if n["kind"] == "gpu":
        print(sys.argv[1], n["attrs"]["offset"])' "$f"
done > "$out/offsets"
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ms() {   # CMD...: median wall ms of N runs after one warm-up
	"$@" > /dev/null 2>&1
	for _ in $(seq "$N"); do
		s=$(date +%s%N); "$@" > /dev/null 2>&1; e=$(date +%s%N)
		echo $(( (e - s) / 1000 ))
	done | median | awk '{ printf "%.1f", $1 / 1000 }'
}
echo "corpus: ${#files[@]} files, $(wc -l < "$out/offsets") entries; median of $N runs, ms wall"
printf "%-44s %8s\n" "readelf -S -W (section headers only)" "$(ms readelf -S -W "${files[@]}")"
printf "%-44s %8s\n" "floor: entry headers only, pread" "$(ms sh -c "'$out/floor' pread < '$out/offsets'")"
printf "%-44s %8s\n" "floor: entry headers only, mmap" "$(ms sh -c "'$out/floor' mmap < '$out/offsets'")"
printf "%-44s %8s\n" "slim fatbin --no-scan" "$(ms "$SLIM" fatbin --no-scan "${files[@]}")"
printf "%-44s %8s\n" "slim fatbin (with the structural scan)" "$(ms "$SLIM" fatbin "${files[@]}")"
