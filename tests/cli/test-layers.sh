#!/bin/bash
# test-layers.sh - tests/check-layers.sh passes on the tree, and fails on
# each kind of violation injected into a copy of it: a forbidden include
# for every rule (common -> graph, graph -> an analyzer, analyzer ->
# analyzer, analyzer -> cli, cli -> an analyzer's internal header), an
# include beside the allowed one, a forbidden call that no include shows
# (an object compiled from a local prototype), a function the
# architecture doc names (in backquotes or in its diagram) that does not
# exist or not in the file it says, and an allow-list entry that matches
# nothing.
#
# The calls come from the objects of the build under test: the directory
# of $SLIM when it holds libslim.a (build-asan/slim, build-NAME/slim),
# else ROOT/build (./slim, and the valgrind wrapper's copy of it).
. "$ROOT/tests/cli/lib.sh"
need nm binutils
need cc build-essential

b=$(dirname "${SLIM_REAL:-$SLIM}")
if [ -f "$b/libslim.a" ]; then build=$(cd "$b" && pwd)
elif [ -f "$ROOT/build/libslim.a" ]; then build=$ROOT/build
else die "no build directory with objects beside $SLIM or in $ROOT/build: run make first"
fi
check=$ROOT/tests/check-layers.sh

# the real tree: clean, and it says what it checked
"$check" "$ROOT" "$build" > real.out 2> real.err || { cat real.err real.out; die "check-layers fails on the tree"; }
grep -Eq '^layers: [0-9]+ files, [0-9]+ include lines, [0-9]+ allowed exceptions; [0-9]+ calls across files; [0-9]+ functions named in docs/ARCHITECTURE.md; 0 violations$' real.out ||
	{ cat real.out; die "no summary line"; }
read -r nfiles ninc < <(sed -E 's/^layers: ([0-9]+) files, ([0-9]+) include lines.*/\1 \2/' real.out)
[ "$nfiles" -ge 80 ] && [ "$ninc" -ge 200 ] || die "checked too little: $(cat real.out)"
[ ! -s real.err ] || { cat real.err; die "violations printed on a clean tree"; }

# A copy of the sources, the doc and the objects.
src=$PWD/src obj=$PWD/obj
mkdir -p "$src" "$obj"
for d in common graph analyzers linkmap pydeps pipeline prune cli docs tests fuzz bench; do
	[ -d "$ROOT/$d" ] && cp -rp "$ROOT/$d" "$src/"
done
for d in common graph analyzers linkmap pydeps pipeline prune cli; do
	[ -d "$build/$d" ] && cp -rp "$build/$d" "$obj/"
done
# newer than the copied sources even if one was edited since the build
# (the first check judged the tree as built; this copy is for injections)
find "$obj" -name '*.o' -exec touch {} +
"$check" "$src" "$obj" > copy.out 2>&1 || { cat copy.out; die "the unchanged copy fails"; }

# expect_violation FILE TEXT WANT: add the line TEXT to FILE of the copy
# (its object touched, as a rebuild would leave it), expect exit 1 and a
# violation line containing WANT, then restore FILE.
expect_violation() {
	local f=$src/$1 text=$2 want=$3 rc
	cp -p "$f" saved
	printf '%s\n' "$text" >> "$f"
	[ "${1%.c}" != "$1" ] && touch "$obj/${1%.c}.o"
	"$check" "$src" "$obj" > out 2> err; rc=$?
	cp -p saved "$f"
	[ "${1%.c}" != "$1" ] && touch "$obj/${1%.c}.o"
	[ "$rc" = 1 ] || { cat out err; die "exit $rc, want 1, after adding '$text' to $1"; }
	grep -qF -- "$want" err || { cat err; die "no violation naming '$want' after adding '$text' to $1"; }
	[ "$(wc -l < err)" = 1 ] || { cat err; die "want exactly one violation line for '$text' in $1"; }
	grep -q '; 1 violation$' out || { cat out; die "summary does not count 1 violation"; }
	echo "caught: $1 + $text"
}
expect_violation common/util.c '#include "../graph/graph.h"' \
	'common/ (layer 0) reaches graph/ (layer 1) above it'
expect_violation graph/json.c '#include "../linkmap/linkmap.h"' \
	'graph/ (layer 1) reaches linkmap/ (layer 2) above it'
expect_violation analyzers/fatbin/scan.c '#include "../../pydeps/pydeps.h"' \
	'analyzer analyzers/fatbin/ reaches analyzer pydeps/'
expect_violation linkmap/lm-merge.c '#include "../cli/cli.h"' \
	'linkmap/ (layer 2) reaches cli/ (layer 5) above it'
expect_violation pipeline/pipeline.c '#include "../prune/prune.h"' \
	'pipeline/ (layer 3) reaches prune/ (layer 4) above it'
expect_violation graph/dot.c '# include "../cli/report.h"' \
	'includes cli/report.h'
expect_violation cli/cmd-elf.c '#include "../analyzers/elf/elf-int.h"' \
	'analyzers/elf/elf-int.h is internal to analyzers/elf/'
expect_violation common/buf.h '#include "../tests/testutil.h"' \
	'tests/ is not part of the program'
# an analyzer reaching another: pydeps asks the run instead
expect_violation pydeps/pydeps.c '#include "../analyzers/fatbin/fatbin.h"' \
	'includes analyzers/fatbin/fatbin.h: analyzer pydeps/ reaches analyzer analyzers/fatbin/'
# the doc: a function nobody defines, and one in the wrong file
expect_violation docs/ARCHITECTURE.md 'Also `frobnicate_layers()`.' \
	'`frobnicate_layers()` is defined nowhere'
expect_violation docs/ARCHITECTURE.md 'And `graph/json.c:graph_check()`.' \
	'`graph/json.c:graph_check()` is not defined in graph/json.c'
expect_violation docs/ARCHITECTURE.md '    -> frobnicate_step()          (a diagram line)' \
	'`frobnicate_step()` is defined nowhere'

# A call no include shows: an object in common/ declaring graph_check
# itself.  Compiled into the copy's objects with the source beside it.
cat > "$src/common/zz-layers.c" <<'EOF'
struct graph;
struct diag;
int graph_check(const struct graph *g, struct diag *d);
int zz_layers(void);
int zz_layers(void) { return graph_check(0, 0); }
EOF
cc -c -o "$obj/common/zz-layers.o" "$src/common/zz-layers.c" || die "cc failed"
"$check" "$src" "$obj" > out 2> err && { cat out; die "a call from common/ into graph/ passed"; }
grep -qF 'common/zz-layers.c: uses graph_check (graph/graph.c): common/ (layer 0) reaches graph/ (layer 1) above it' err ||
	{ cat err; die "the call violation is not named"; }
echo "caught: common/zz-layers.c calling graph_check"
# the same source without its object is an error of its own (exit 2)
rm "$obj/common/zz-layers.o"
"$check" "$src" "$obj" > out 2> err; rc=$?
[ "$rc" = 2 ] && grep -q 'no object for common/zz-layers.c' err || { cat err; die "exit $rc without an object, want 2"; }
rm "$src/common/zz-layers.c"

# An allow-list entry that matches nothing fails: the list is empty since
# #13's pipeline, so a copy of the script gets one that nothing matches.
sed 's|^ALLOW=($|ALLOW=(\n\t"include pydeps/pydeps.c analyzers/elf/elf.h"|' "$check" > stale-check.sh
grep -q '"include pydeps/pydeps.c analyzers/elf/elf.h"' stale-check.sh || die "could not add an allow-list entry to the copy"
bash stale-check.sh "$src" "$obj" > out 2> err && { cat out; die "a stale allow-list entry passed"; }
grep -qF 'allow-list entry "include pydeps/pydeps.c analyzers/elf/elf.h" matches nothing' err ||
	{ cat err; die "the stale entry is not named"; }
echo "caught: stale allow-list entry"

echo "layers: clean tree passes; 14 injected violations each caught"
