# --sysroot: a root file system that is not the running one.  Libraries
# are resolved inside it (its own ld.so.cache, in the new and the old
# format, and absolute symlinks that point inside it), and the answer is
# the one its own loader gives (ld.so --list run under chroot).
source "$ROOT/tests/cli/lib.sh"
need ldconfig libc-bin
need chroot coreutils
[ "$(id -u)" = 0 ] || die "this test runs the root's own loader under chroot: run it as root"
mkdir -p sr/bin sr/lib64 sr/opt/real sr/opt/lib sr/etc
cp /bin/ls sr/bin/
for l in $(ldd /bin/ls | awk '$3 ~ /^\// {print $3}'); do cp "$l" sr/opt/real/; done
cp /lib64/ld-linux-x86-64.so.2 sr/lib64/
# absolute symlinks, meaningful only inside the root
for l in sr/opt/real/*; do ln -s "/opt/real/$(basename "$l")" "sr/opt/lib/$(basename "$l")"; done
ln -s ../../../../../opt/real sr/opt/up
closure() { awk '$2 == "=>" { print $1, $3 }' | sort; }
# twice: through openat2(RESOLVE_IN_ROOT), and through the component walk
# used where the kernel (or Valgrind, or a seccomp profile) lacks it
for mode in openat2 walk; do
for conf in /opt/lib /opt/up; do
for fmt in new old; do
	[ $mode = walk ] && export SLIM_NO_OPENAT2=1
	# /opt/up: a directory link whose ".." run above the root
	echo $conf > sr/etc/ld.so.conf
	ldconfig -c $fmt -r sr || die "ldconfig -c $fmt failed"
	want=$(chroot sr /lib64/ld-linux-x86-64.so.2 --list /bin/ls | closure)
	[ -n "$want" ] || die "the root's loader listed nothing"
	got=$("$SLIM" elf --json --sysroot "$PWD/sr" sr/bin/ls | python3 -c '
import json, sys
d = json.load(sys.stdin)
nodes = {n["id"]: n for n in d["nodes"]}
for e in d["edges"]:
    if e["kind"] == "needs" and not e["attrs"]["name"].startswith("ld-linux"):
        print(e["attrs"]["name"], nodes[e["to"]]["attrs"].get("path", "not-found"))
' | sort -u)
	[ "$got" = "$want" ] || die "$fmt cache, $conf ($mode): slim resolved
$got
the root's loader:
$want"
done
done
done
# the host's cache does not leak in: without the root's cache and dirs,
# nothing is found
rm sr/etc/ld.so.cache
"$SLIM" elf --sysroot "$PWD/sr" sr/bin/ls > out 2>&1
grep -q 'libc.so.6 not found' out || { cat out; die "without its cache the root's libc must not be found"; }
echo "closure matches the root's own loader (new and old ld.so.cache, openat2 and the walk)"
