#!/bin/bash
# The question Python's modulefinder answers (the static import closure of
# one script), asked of slim (`slim pydeps --script`) and of modulefinder
# (ModuleFinder.run_script) on the same script in one run.  Prints the best
# of 3 wall times of each (slim printing its summary, modulefinder its
# module list; the sets are compared from a second, --json run), the speed ratio, and the modules each finds that
# the other does not (slim also follows modules loaded by name: pygments'
# lexers named in pygments.lexers._mapping).
# usage: bench/pydeps-modulefinder.sh [SCRIPT]   (default: samples/python/highlight.py)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SLIM=${SLIM:-$ROOT/slim}
PY=/usr/bin/python3
SCRIPT=${1:-$ROOT/samples/python/highlight.py}
T=$(mktemp -d /tmp/slim-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
ROOTS="--root /usr/lib/python3.11 --root /usr/lib/python3/dist-packages"

best() {  # best CMD...: "wall cpu" seconds, the best of 3 runs each
	local bw=999 bc=999 w c
	for i in 1 2 3; do
		{ TIMEFORMAT="%R %U %S"; time "$@" > /dev/null; } 2> "$T/time"
		read -r w u s < "$T/time"
		c=$(echo "$u + $s" | bc -l)
		[ "$(echo "$w < $bw" | bc -l)" = 1 ] && bw=$w
		[ "$(echo "$c < $bc" | bc -l)" = 1 ] && bc=$c
	done
	echo "$bw $bc"
}
mf() {
	$PY -c 'import modulefinder, sys
m = modulefinder.ModuleFinder()
m.run_script(sys.argv[1])
print("\n".join(sorted(k for k in m.modules if k != "__main__")))' "$SCRIPT"
}
sl() { "$SLIM" pydeps --script "$SCRIPT" $ROOTS --no-elf "$@"; }

command -v bc > /dev/null || { echo "needs bc: apt-get install bc" >&2; exit 2; }
read -r tmw tmc <<< "$(best mf)"
read -r tsw tsc <<< "$(best sl)"
mf > "$T/mf.txt"
sl --json > "$T/slim.json"
$PY - "$T/mf.txt" "$T/slim.json" "$(basename "$SCRIPT" .py)" <<'PYEOF'
import json, sys
mf = {l.strip() for l in open(sys.argv[1]) if l.strip()}
rep = json.load(open(sys.argv[2]))
kept = {n["id"][3:] for n in rep["nodes"] if n["kind"] == "module"
        and n["attrs"]["classification"] != "unreferenced"} - {sys.argv[3]}
inv = {n["id"][3:] for n in rep["nodes"] if n["kind"] == "module"}
only_slim = sorted(kept - mf)
only_mf = sorted((mf - kept) & inv)
print(f"modulefinder: {len(mf)} modules; slim: {len(kept)} kept")
print(f"slim finds {len(only_slim)} modules modulefinder misses, e.g. "
      + ", ".join([m for m in only_slim if "lexers." in m][:3] + only_slim[:3]))
print(f"modulefinder finds {len(only_mf)} modules (of slim's inventory) slim does not keep: {only_mf[:10]}")
PYEOF
echo "wall (best of 3): modulefinder ${tmw}s, slim ${tsw}s: slim $(echo "$tmw / $tsw" | bc -l | cut -c1-5)x faster"
echo "cpu  (best of 3): modulefinder ${tmc}s, slim ${tsc}s: slim $(echo "$tmc / $tsc" | bc -l | cut -c1-5)x less CPU"
