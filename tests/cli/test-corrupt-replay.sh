# Every input a fuzzer ever crashed slim with (tests/corrupt/) is replayed:
# exit 0 or 2, an exit 2 with exactly one error line, never a signal.
# Under `make asan` the replay is sanitized.
source "$ROOT/tests/cli/lib.sh"
n=0
prog=$ROOT/samples/out/elf/unused/main
"$SLIM" baseline "$prog" -o base.json || die "baseline failed"
for f in "$ROOT"/tests/corrupt/policy-*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	timeout 20 "$SLIM" gate -q --baseline base.json --policy "$f" "$prog" > /dev/null 2> err; rc=$?
	case $rc in
	0|1) ;;
	2) [ "$(wc -l < err)" = 1 ] || { cat err; die "$f: gate exit 2 without one error line"; } ;;
	*) cat err; die "$f: gate exit $rc" ;;
	esac
done
for f in "$ROOT"/tests/corrupt/*; do
	[ -f "$f" ] || continue
	case $(basename "$f") in policy-*) continue ;; esac
	n=$((n + 1))
	cmds=("report" "elf --unused" "report --json")
	case $(basename "$f") in linkmap-*) cmds+=("linkmap" "linkmap --json --by archive") ;; esac
	for cmd in "${cmds[@]}"; do
		timeout 20 "$SLIM" $cmd "$f" > /dev/null 2> err; rc=$?
		case $rc in
		0) ;;
		2) [ "$(grep -vc '^slim: warning:' err)" = 1 ] || { cat err; die "$f ($cmd): exit 2 without one error line"; } ;;
		*) cat err; die "$f ($cmd): exit $rc" ;;
		esac
	done
done
[ $n -gt 0 ] || die "tests/corrupt/ is empty"
echo "$n fuzzer finds replayed"
