# lib.sh - sourced by tests/cli/test-*.sh: assertions that say what failed.
set -u
die() { echo "FAIL: $*" >&2; exit 1; }
# expect_rc WANT CMD...: run CMD, check its exit code
expect_rc() { local want=$1; shift; "$@"; local got=$?; [ "$got" = "$want" ] || die "exit $got, want $want: $*"; }
# one_line FILE: exactly one line in FILE (an error message)
one_line() { [ "$(wc -l < "$1")" = 1 ] || { cat "$1" >&2; die "want one stderr line in $1"; }; }
need() { command -v "$1" >/dev/null 2>&1 || die "this test needs \`$1\`: apt-get install $2 (or run \`make deps\`)"; }
# need_ldd32: `ldd` answers for 32-bit files too.  ldd runs the 32-bit
# ld.so; where the kernel cannot run 32-bit code (ENOEXEC: a PVM guest,
# ia32_emulation=0), that same ld.so runs under qemu-i386-static (user
# mode: slim's ground truth is still the real loader's answer): a copy
# of ldd whose loader list names a wrapper goes first on PATH.
need_ldd32() {
	[ -e /lib/ld-linux.so.2 ] || die "this test needs the 32-bit loader: apt-get install libc6-i386 (or run \`make deps\`)"
	/lib/ld-linux.so.2 --version > /dev/null 2>&1 && return 0
	command -v qemu-i386-static > /dev/null ||
		die "this kernel cannot run 32-bit programs, which ldd's 32-bit answers need: apt-get install qemu-user-static (or run \`make deps\`)"
	local b=$PWD/ldd32.bin
	mkdir -p "$b" || die "mkdir $b"
	# the wrapper is static: ldd's LD_TRACE_LOADED_OBJECTS=1 would make
	# a dynamic one (a shell script's sh) list its own libraries instead
	cat > "$b/ldw.c" <<-'EOF'
	#include <stdlib.h>
	#include <unistd.h>
	int main(int argc, char **argv)
	{
		char **v = calloc((size_t)argc + 2, sizeof *v);
		v[0] = "qemu-i386-static";
		v[1] = "/lib/ld-linux.so.2";
		for (int i = 1; i < argc; i++)
			v[i + 1] = argv[i];
		execvp(v[0], v);
		return 127;
	}
	EOF
	gcc -static -O -o "$b/ld-linux.so.2" "$b/ldw.c" || die "gcc -static failed (apt-get install libc6-dev)"
	sed "s|^RTLDLIST=\"/lib/ld-linux.so.2 |RTLDLIST=\"$b/ld-linux.so.2 |" "$(command -v ldd)" > "$b/ldd"
	chmod +x "$b/ldd"
	grep -q "^RTLDLIST=\"$b/ld-linux.so.2 " "$b/ldd" || die "ldd's RTLDLIST line is not the one need_ldd32 knows"
	"$b/ld-linux.so.2" --version > /dev/null 2>&1 || die "qemu-i386-static cannot run the 32-bit ld.so"
	export PATH="$b:$PATH"
	echo "(this kernel runs no 32-bit code: the 32-bit ld.so runs under qemu-i386-static)"
}
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
