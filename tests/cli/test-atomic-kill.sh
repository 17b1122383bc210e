# Every output file survives a kill mid-way: slim writes to a temporary
# beside the target and renames it.  strace injects SIGKILL into slim at
# the first write(2) to the temporary (half-written) and at the rename (all
# written, not yet in place); the old target must be byte-identical after
# both, and the temporary must have existed (proof the kill came mid-way).
# Outputs: report -o, --html, --svg; graph -o; baseline -o; gate --summary;
# linkmap -o; pydeps --prune-list.
source "$ROOT/tests/cli/lib.sh"
need strace strace
if [ -n "${SLIM_VALGRIND:-}" ]; then
	# strace would count Valgrind's own writes; the plain and ASan runs
	# (make test, make asan) do these kills
	echo "under Valgrind: the kills run in make test and make asan"
	exit 0
fi
need python3 python3
prog=$ROOT/samples/out/elf/unused/main
map=$ROOT/samples/out/linkmap/prog-bfd.map
[ -x "$prog" ] && [ -s "$map" ] || die "samples missing (samples/build.sh)"
"$SLIM" baseline "$prog" -o base.json || die "baseline"
mkdir -p ktree && echo 'x = 1' > ktree/spare.py && echo 'import os' > ktree/app.py
"$SLIM" pydeps record -o t.modules -- python3 ktree/app.py || die "pydeps record"
# kill_at SYSCALL-SPEC TARGET CMD...: run CMD under strace killing it at the
# syscall; TARGET must keep its old content
kill_at() {
	local spec=$1 target=$2; shift 2
	echo "old content of $target" > "$target"
	local before; before=$(sha256sum < "$target")
	rm -f .tmpseen
	# (in a subshell: the shell's own "Killed" notice stays out of the log)
	local rc; rc=$( (strace -f -o /dev/null -e inject="$spec" "$@" > /dev/null 2>&1); echo $?) 2> /dev/null
	[ $rc = 137 ] || die "$* ($spec): exit $rc, want 137 (killed)"
	[ "$(sha256sum < "$target")" = "$before" ] || die "$* ($spec): $target changed"
	local d; d=$(dirname "$target")
	ls -A "$d" | grep -q "^\.$(basename "$target")\." || die "$* ($spec): no temporary beside $target: the kill was not mid-way"
	rm -f "$d"/."$(basename "$target")".*
	n=$((n + 1))
}
n=0
for spec in 'write:signal=KILL:when=1' 'rename:signal=KILL'; do
	kill_at "$spec" r.json "$SLIM" report "$prog" --json -o r.json
	kill_at "$spec" r.html "$SLIM" report "$prog" --html r.html
	kill_at "$spec" r.svg "$SLIM" report "$prog" --svg r.svg
	kill_at "$spec" g.svg "$SLIM" graph base.json -o g.svg
	kill_at "$spec" b.json "$SLIM" baseline "$prog" -o b.json
	kill_at "$spec" sum.md "$SLIM" gate -q --baseline base.json --summary sum.md "$prog"
	kill_at "$spec" lm.json "$SLIM" linkmap "$map" --json -o lm.json
	kill_at "$spec" p.list "$SLIM" pydeps --trace t.modules --root ktree --no-auto-roots --prune-list p.list
done
echo "$n kills (at the first write and at the rename): every old target intact"
