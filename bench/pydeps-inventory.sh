#!/bin/bash
# Inventory plus static import scan of the whole installed standard library
# and dist-packages (`slim pydeps --scan-all`, every source scanned, no
# trace), with 1 and 2 threads: files/s and MB/s, best of $RUNS (default
# 5) wall times (the machine is shared: the best run is the least disturbed).
# usage: [RUNS=N] bench/pydeps-inventory.sh [ROOT...]
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SLIM=${SLIM:-$ROOT/slim}
[ $# -gt 0 ] || set -- /usr/lib/python3.11 /usr/lib/python3/dist-packages
args=(); for r in "$@"; do args+=(--root "$r"); done
T=$(mktemp -d /tmp/slim-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
command -v bc > /dev/null || { echo "needs bc: apt-get install bc" >&2; exit 2; }
"$SLIM" pydeps "${args[@]}" --scan-all --no-elf --json 2> /dev/null > "$T/r.json"
read -r files scanned total < <(/usr/bin/python3 -c 'import json,sys
t = json.load(open(sys.argv[1]))["totals"]["pydeps"]
print(t["files"], t["scanned_bytes"], t["total_bytes"])' "$T/r.json")
echo "inventory: $files files, $((total / 1048576)) MiB; sources scanned: $((scanned / 1048576)) MiB"
for th in 1 2; do
	bw=999 bc=999
	for i in $(seq ${RUNS:-5}); do
		{ TIMEFORMAT="%R %U %S"; time "$SLIM" pydeps "${args[@]}" --scan-all --no-elf \
			--threads $th > /dev/null 2>&1; } 2> "$T/time"
		read -r w u s < "$T/time"
		c=$(echo "$u + $s" | bc -l)
		[ "$(echo "$w < $bw" | bc -l)" = 1 ] && bw=$w
		[ "$(echo "$c < $bc" | bc -l)" = 1 ] && bc=$c
	done
	printf "threads %d: wall %ss cpu %ss: %.0f files/s, %.1f MB/s inventoried, %.1f MB/s of source scanned\n" \
		$th "$bw" "$bc" "$(echo "$files / $bw" | bc -l)" "$(echo "$total / $bw / 1000000" | bc -l)" \
		"$(echo "$scanned / $bw / 1000000" | bc -l)"
done
echo "(machine load now: $(cut -d' ' -f1-3 /proc/loadavg))"
