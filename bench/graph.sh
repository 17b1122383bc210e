#!/bin/bash
# bench/graph.sh - speed of the graph outputs (issue 7):
#   1. `slim graph` to SVG of the full closure (--no-collapse) of the largest
#      ELF executable on the machine, with node and edge counts, and of
#      /usr/bin/curl's closure as drawn by default;
#   2. `slim diff` of synthetic report pairs of 1k, 10k and 100k nodes
#      (bench/graph-gen.py: a module-graph-shaped report and its "next
#      build"), best of 3; the 10x ratios must stay <= 15 (near-linear).
#   3. a 100k-module report drawn collapsed, default and --collapse-by,
#      against BASE_SLIM=an earlier build when given (ratio <= 1.2).
# Writes its inputs under bench/out/ (ignored by git).  Exit 1 if a ratio
# exceeds its limit.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
SLIM=${SLIM:-$root/slim}
out=$root/bench/out/graph
mkdir -p "$out"
fail=0

best3() {  # best CPU time (user + sys) of 5 runs of "$@", in seconds: the
	   # machine is shared, and CPU time is what other load disturbs least
	local best=999999 t
	for _ in 1 2 3 4 5; do
		/usr/bin/time -o "$out/time" -f '%U %S' "$@" > /dev/null 2>&1
		t=$(tail -1 "$out/time")
		best=$(python3 -c "print(min($best, round(sum(map(float, '$t'.split())), 3)))")
	done
	echo "$best"
}

# 1. the largest executable (an ELF with PT_INTERP) under the usual prefixes
exe=""
while read -r _ f; do
	if readelf -lW "$f" 2>/dev/null | grep -q 'Requesting program interpreter'; then exe=$f; break; fi
done < <(find /usr/bin /usr/sbin /usr/lib /usr/local/bin /opt -xdev -type f -perm -u+x -size +1M \
	-printf '%s %p\n' 2>/dev/null | sort -rn | head -50)
[ -n "$exe" ] || { echo "no ELF executable found" >&2; exit 2; }
"$SLIM" graph "$exe" --no-collapse -o "$out/closure.json"
read -r nn ne < <(python3 -c "import json; d=json.load(open('$out/closure.json')); print(len(d['nodes']), len(d['edges']))")
t=$(best3 "$SLIM" graph "$exe" --no-collapse -o "$out/closure.svg")
drawn=$(grep -c 'class="node' "$out/closure.svg")
printf 'graph svg  %-40s %6s nodes %6s edges  %6ss  (%s node elements; %s bytes of executable)\n' \
	"$exe" "$nn" "$ne" "$t" "$drawn" "$(stat -c %s "$exe")"

# 1b. /usr/bin/curl's closure as a reviewer gets it (issue 18): the default
#     drawing (system libraries folded, one edge per dependency)
if [ -x /usr/bin/curl ]; then
	t=$(best3 "$SLIM" graph /usr/bin/curl -o "$out/curl.svg")
	printf 'graph svg  %-40s %6s node elements %4s edge elements  %6ss\n' /usr/bin/curl \
		"$(grep -c 'class="node' "$out/curl.svg")" "$(grep -c 'class="edge' "$out/curl.svg")" "$t"
fi

# 1c. a 100k-module report drawn collapsed (issue 18): the default (it
#     collapses by itself) and each --collapse-by, beside BASE_SLIM (an
#     earlier build, when given) on the same input: the ratio must stay <= 1.2
[ -s "$out/g100000.json" ] || python3 "$root/bench/graph-gen.py" 100000 42 > "$out/g100000.json"
for how in "" "--collapse-by dir" "--collapse-by dist" "--collapse-by package"; do
	t=$(best3 "$SLIM" graph "$out/g100000.json" $how -o "$out/big.svg")
	line=$(printf 'graph svg  %-40s %6s node elements  %6ss' "100k report ${how:-(default)}" \
		"$(grep -c 'class="node' "$out/big.svg")" "$t")
	if [ -n "${BASE_SLIM:-}" ]; then
		b=$(best3 "$BASE_SLIM" graph "$out/g100000.json" $how -o "$out/big-base.svg")
		r=$(python3 -c "print(round($t / max($b, 0.001), 2))")
		line="$line  base ${b}s  ratio $r"
		python3 -c "import sys; sys.exit($r > 1.2)" || { echo "$line: slower than BASE_SLIM" >&2; fail=1; }
	fi
	echo "$line"
done

# 2. diff at 1k, 10k, 100k nodes: in-process phase times from --perf
#    (best of 3 by total), so that process start and the 10 ms resolution
#    of CPU clocks do not decide the small case
declare -A L D
for n in 1000 10000 100000; do
	[ -s "$out/g$n.json" ] || python3 "$root/bench/graph-gen.py" $n 42 > "$out/g$n.json"
	[ -s "$out/g${n}m.json" ] || python3 "$root/bench/graph-gen.py" $n 42 --mutate > "$out/g${n}m.json"
	best=""
	for _ in 1 2 3; do
		line=$("$SLIM" diff --json --perf "$out/g$n.json" "$out/g${n}m.json" 2>&1 > /dev/null | grep 'perf:')
		read -r l d f < <(echo "$line" | sed 's/.*load \([0-9.]*\) s, diff \([0-9.]*\) s, format+write \([0-9.]*\) s.*/\1 \2 \3/')
		tot=$(python3 -c "print($l + $d + $f)")
		if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $tot < $best else 1)"; then
			best=$tot; L[$n]=$l; D[$n]=$(python3 -c "print($d + $f)")
		fi
	done
	printf 'diff  %6d nodes: total %6.3fs = load both reports %6.3fs + diff and JSON output %6.3fs\n' \
		$n "$best" "${L[$n]}" "${D[$n]}"
done
ratio() { python3 -c "print(round(($1) / max($2, 0.0005), 1))"; }
echo "diff+output ratios: 10k/1k = $(ratio ${D[10000]} ${D[1000]}), 100k/10k = $(ratio ${D[100000]} ${D[10000]})"
echo "total ratios:       10k/1k = $(ratio "${L[10000]} + ${D[10000]}" "${L[1000]} + ${D[1000]}"), 100k/10k = $(ratio "${L[100000]} + ${D[100000]}" "${L[10000]} + ${D[10000]}")  (limit 15)"
python3 -c "import sys; sys.exit(0 if (${L[100000]} + ${D[100000]}) <= 15 * (${L[10000]} + ${D[10000]}) else 1)" || fail=1
exit $fail
