#!/bin/bash
# End-to-end tests of the built binary: every tests/cli/test-*.sh runs with
# $SLIM set, in its own temporary directory; a script passes when it exits 0.
# Closes with the line "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export SLIM=${SLIM:-$root/slim} ROOT=$root
pass=0 fail=0 failed=()
for t in "$here"/test-*.sh; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	tmp=$(mktemp -d /tmp/slim-cli.XXXXXX)
	if (cd "$tmp" && bash "$t") > "$tmp.log" 2>&1; then
		pass=$((pass + 1)); echo "ok   $name  ($(tail -1 "$tmp.log"))"
	else
		fail=$((fail + 1)); failed+=("$name"); echo "FAIL $name"; sed 's/^/     | /' "$tmp.log" | tail -40
	fi
	rm -rf "$tmp" "$tmp.log"
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
