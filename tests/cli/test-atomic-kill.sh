# Every output file survives a kill mid-way: slim writes to a temporary
# beside the target and renames it.  strace injects SIGKILL into slim at
# the first write(2) to the temporary (half-written) and at the rename (all
# written, not yet in place); the old target must be byte-identical after
# both, and the temporary must have existed (proof the kill came mid-way).
# SIGTERM, SIGINT, SIGHUP at the first write: the old target is intact
# as well, the temporary is removed by slim's handler (strace shows the
# unlink), and slim dies of that signal.
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
# Drawing starts fontconfig, which on a fresh machine writes and renames
# its cache files first: the injected signal must meet slim's own write
# and rename, so the caches are made before any kill.
"$SLIM" report "$prog" --svg warm.svg --html warm.html || die "warm-up draw"
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
# catch_at SIG TARGET CMD...: SIG delivered at the first write; the
# handler removes the temporary and re-raises
catch_at() {
	local sig=$1 target=$2; shift 2
	echo "old content of $target" > "$target"
	local before; before=$(sha256sum < "$target")
	# (write must be traced for the injection to happen; strace's exit
	# status is not always slim's, its log says how slim ended)
	# (as above, the shell's notice "Terminated" stays out of the log)
	: "$( (strace -f -o strace.log -e trace=write,unlink,unlinkat,rename,renameat,renameat2 \
		-e inject="write:signal=$sig:when=1" "$@" > /dev/null 2>&1); echo $?)" 2> /dev/null
	grep -q "+++ killed by SIG$sig +++" strace.log ||
		die "$* (SIG$sig): slim was not killed by SIG$sig: $(tail -1 strace.log)"
	[ "$(sha256sum < "$target")" = "$before" ] || die "$* (SIG$sig): $target changed"
	local d b; d=$(dirname "$target"); b=$(basename "$target")
	grep -q "unlink.*\.$b\.[A-Za-z0-9]\{6\}\") *= 0" strace.log ||
		die "$* (SIG$sig): no unlink of a temporary of $target: $(grep -c . strace.log) lines traced"
	! ls -A "$d" | grep -q "^\.$b\." || die "$* (SIG$sig): a temporary of $target is left: $(ls -A "$d" | grep "^\.$b\.")"
	n2=$((n2 + 1))
}
n2=0
for sig in TERM INT HUP; do
	catch_at $sig r.json "$SLIM" report "$prog" --json -o r.json
	catch_at $sig r.html "$SLIM" report "$prog" --html r.html
	catch_at $sig g.svg "$SLIM" graph base.json -o g.svg
	catch_at $sig sum.md "$SLIM" gate -q --baseline base.json --summary sum.md "$prog"
	catch_at $sig lm.json "$SLIM" linkmap "$map" --json -o lm.json
	catch_at $sig p.list "$SLIM" pydeps --trace t.modules --root ktree --no-auto-roots --prune-list p.list
done
echo "$n kills (at the first write and at the rename): every old target intact; $n2 TERM/INT/HUP: old target intact, temporary removed"
