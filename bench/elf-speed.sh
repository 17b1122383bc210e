#!/bin/bash
# ELF speed, side by side in one run on the same files (every dynamically
# linked ELF executable in /usr/bin, or the files given):
#   1. unused-dependency verdicts: one `slim elf --unused` run over all
#      files vs `ldd -u -r` run per file (goal: slim >= 20x faster);
#   2. dependency closure per file, each tool started once per file:
#      `slim elf --no-bind` (closure only, as libtree) and `slim elf` (with
#      every symbol bound) vs `libtree` and `lddtree` (pax-utils, run with
#      Debian's /usr/bin/python3 and pyelftools) (goal: <= 1.5x libtree).
# Each measurement is the best of $REPS rounds, tools interleaved per
# round so background load hits all of them alike.
set -u
slim=${SLIM:-$(cd "$(dirname "$0")/.." && pwd)/slim}
REPS=${REPS:-3}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if [ $# -gt 0 ]; then printf '%s\n' "$@" > "$tmp/files"; else
	for f in /usr/bin/*; do
		[ -f "$f" ] && [ "$(head -c4 "$f" 2>/dev/null | od -An -tx1 | tr -d ' ')" = 7f454c46 ] &&
			readelf -d "$f" 2>/dev/null | grep -q NEEDED && echo "$f"
	done > "$tmp/files"
fi
n=$(wc -l < "$tmp/files")
for t in ldd libtree; do command -v $t >/dev/null || { echo "needs $t (make deps)"; exit 2; }; done
/usr/bin/python3 -c 'import elftools' 2>/dev/null || { echo "needs python3-pyelftools (make deps)"; exit 2; }

t() { local s e; s=$(date +%s.%N); "$@" > /dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
per_file() { local cmd=$1; while read -r f; do $cmd "$f"; done < "$tmp/files"; }
run_slim_all() { xargs -a "$tmp/files" -d '\n' "$slim" elf --unused; }
run_ldd_u() { per_file "ldd -u -r"; }
run_slim_tree() { per_file "$slim elf --no-bind"; }
run_slim_full() { per_file "$slim elf"; }
run_libtree() { per_file libtree; }
run_lddtree() { while read -r f; do /usr/bin/python3 /usr/bin/lddtree "$f"; done < "$tmp/files"; }

declare -A best
for r in $(seq "$REPS"); do
	for k in slim_all ldd_u slim_tree libtree slim_full lddtree; do
		[ $k = ldd_u ] && [ $r -gt 1 ] && continue     # slow and steady: once
		[ $k = lddtree ] && [ $r -gt 1 ] && continue
		v=$(t run_$k)
		if [ -z "${best[$k]:-}" ] || [ "$(echo "$v < ${best[$k]}" | bc)" = 1 ]; then best[$k]=$v; fi
	done
done
r() { echo "scale=1; $1 / $2" | bc; }
printf 'files: %d dynamically linked executables\n' "$n"
printf 'unused verdicts: slim (one run) %.2f s, ldd -u -r (per file) %.2f s: slim %sx faster\n' \
	"${best[slim_all]}" "${best[ldd_u]}" "$(r "${best[ldd_u]}" "${best[slim_all]}")"
printf 'closure per file: slim elf --no-bind %.2f s, slim elf (bound) %.2f s, libtree %.2f s, lddtree %.2f s\n' \
	"${best[slim_tree]}" "${best[slim_full]}" "${best[libtree]}" "${best[lddtree]}"
printf 'ratios: slim --no-bind / libtree = %s, slim (bound) / libtree = %s, lddtree / slim --no-bind = %s\n' \
	"$(echo "scale=2; ${best[slim_tree]} / ${best[libtree]}" | bc)" \
	"$(echo "scale=2; ${best[slim_full]} / ${best[libtree]}" | bc)" \
	"$(r "${best[lddtree]}" "${best[slim_tree]}")"
