# lib.sh - sourced by tests/cli/test-*.sh: assertions that say what failed.
set -u
die() { echo "FAIL: $*" >&2; exit 1; }
# expect_rc WANT CMD...: run CMD, check its exit code
expect_rc() { local want=$1; shift; "$@"; local got=$?; [ "$got" = "$want" ] || die "exit $got, want $want: $*"; }
# one_line FILE: exactly one line in FILE (an error message)
one_line() { [ "$(wc -l < "$1")" = 1 ] || { cat "$1" >&2; die "want one stderr line in $1"; }; }
need() { command -v "$1" >/dev/null 2>&1 || die "this test needs \`$1\`: apt-get install $2 (or run \`make deps\`)"; }
