# lib.sh - sourced by tests/cli/test-*.sh: assertions that say what failed.
set -u
die() { echo "FAIL: $*" >&2; exit 1; }
# expect_rc WANT CMD...: run CMD, check its exit code
expect_rc() { local want=$1; shift; "$@"; local got=$?; [ "$got" = "$want" ] || die "exit $got, want $want: $*"; }
# one_line FILE: exactly one line in FILE (an error message)
one_line() { [ "$(wc -l < "$1")" = 1 ] || { cat "$1" >&2; die "want one stderr line in $1"; }; }
need() { command -v "$1" >/dev/null 2>&1 || die "this test needs \`$1\`: apt-get install $2 (or run \`make deps\`)"; }
# with_proc ROOT CMD...: run CMD (a chroot into ROOT, say) with a /proc
# mounted at ROOT/proc in a private mount namespace, gone afterwards (ld.so
# reads a program's $ORIGIN from /proc/self/exe).  Where "/" is no mount
# point (the test suite itself running inside a chroot), unshare cannot
# make the namespace private: there the mount is made with the parent's
# propagation and taken down explicitly after CMD.  Exit status: CMD's.
with_proc() {
	local r=$1; shift
	if unshare -m true 2> /dev/null; then
		unshare -m sh -c 'mount -t proc proc "$0/proc" && exec "$@"' "$r" "$@"
	else
		unshare -m --propagation unchanged sh -c \
			'mount -t proc proc "$0/proc" || exit 125; "$@"; rc=$?; umount "$0/proc"; exit $rc' "$r" "$@"
	fi
}
