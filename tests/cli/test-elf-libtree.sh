# libtree's own test suite (samples/build-elf-libtree.sh recreates its
# cases), run with slim in libtree's place and judged by ld.so itself:
# for every case, in the case's directory (the current directory matters:
# an empty LD_LIBRARY_PATH element means it) and with the environment the
# case sets, the set of "DT_NEEDED name => path | not found" that
# `slim elf --env --json` resolves must equal the one ld.so lists
# (ldd, i.e. ld.so --list; chroot + the root's ld.so for --sysroot), and
# the unused verdicts must equal `ldd -u -r`'s.
# Then the rules said in words: an unset or empty LD_LIBRARY_PATH is none
# (not the current directory), a not-found names why each list was
# skipped, the version ld.so refuses is reported.
source "$ROOT/tests/cli/lib.sh"
need ldd libc-bin
need python3 python3
need chroot coreutils
need gcc gcc
need_ldd32   # (case 05)
[ "$(id -u)" = 0 ] || die "case 09 runs the root's own loader under chroot: run it as root"
bash "$ROOT/samples/build-elf-libtree.sh" || die "samples/build-elf-libtree.sh failed"
src=$ROOT/samples/out/elf-libtree
cp -a "$src" cases
here=$PWD

cat > pairs.py <<'EOF'
# pairs.py ldd|slim|norm: "name => path" lines (normalized, sorted, unique)
# from ldd output or from slim's JSON on stdin (the loader itself and the
# vDSO left out: ldd prints them apart); norm: paths, one a line.
import json, os, sys
out = set()
def add(name, path):
    if os.path.basename(name).startswith(("ld-linux", "linux-vdso", "linux-gate")):
        return
    out.add("%s => %s" % (name, os.path.normpath(path) if path != "not found" else path))
if sys.argv[1] == "norm":
    out = {os.path.normpath(l.strip()) for l in sys.stdin if l.strip()}
elif sys.argv[1] == "ldd":
    for line in sys.stdin:
        f = line.split()
        if len(f) >= 3 and f[1] == "=>":
            add(f[0], "not found" if f[2] == "not" else f[2])
        elif len(f) == 2 and f[1].startswith("(0x"):
            add(f[0], f[0])   # found at the name itself (a path, or "" + name)
else:
    d = json.load(sys.stdin)
    nodes = {n["id"]: n for n in d["nodes"]}
    for e in d["edges"]:
        if e["kind"] == "needs":
            found = e["attrs"].get("found", True)   # the edge says: one name, two searches
            add(e["attrs"]["name"], nodes[e["to"]]["attrs"]["path"] if found else "not found")
print("\n".join(sorted(out)))
EOF

n=0
# judge CASE FILE [VAR=VALUE | -]: ld.so and slim, in the case directory,
# with LD_LIBRARY_PATH unset (-) or as given
judge() {
	local dir=$here/cases/$1 file=$2 env=${3:--} want got
	local e=(env -u LD_LIBRARY_PATH)
	[ "$env" != - ] && e+=("$env")
	want=$(cd "$dir" && "${e[@]}" ldd "$dir/$file" 2>/dev/null | python3 "$here/pairs.py" ldd)
	got=$(cd "$dir" && "${e[@]}" "$SLIM" elf --env --json "$dir/$file" 2>/dev/null | python3 "$here/pairs.py" slim)
	[ -n "$want" ] || die "$1/$file ($env): ldd listed nothing"
	[ "$got" = "$want" ] || die "$1/$file with ${env/#-/LD_LIBRARY_PATH unset}: slim resolved
$got
ld.so:
$want"
	# and the verdicts: the found direct dependencies ld.so's `ldd -u -r`
	# calls unused (it also lists those it could not find, by name)
	want=$(cd "$dir" && "${e[@]}" ldd -u -r "$dir/$file" 2>/dev/null | awk '/^\t\//' | python3 "$here/pairs.py" norm)
	got=$(cd "$dir" && "${e[@]}" "$SLIM" elf --env --unused "$dir/$file" 2>/dev/null | awk '/^\t/' | python3 "$here/pairs.py" norm)
	[ "$got" = "$want" ] || die "$1/$file with ${env/#-/LD_LIBRARY_PATH unset}: slim calls unused
$got
ldd -u -r:
$want"
	n=$((n + 1))
}

judge 01_origin exe_rpath
judge 01_origin exe_runpath
c=02_rpath_of_parents_parent
judge $c liba.so                                  # libb.so lies in the current directory: not found
judge $c liba.so LD_LIBRARY_PATH=                 # empty: ignored, as unset
judge $c liba.so "LD_LIBRARY_PATH=$here/cases/$c" # found through LD_LIBRARY_PATH
judge $c liba.so LD_LIBRARY_PATH=:                # one empty element: the current directory
judge $c liba.so LD_LIBRARY_PATH=/nonexistent::/x # a::b
judge $c liba.so "LD_LIBRARY_PATH=/nonexistent;$here/cases/$c"   # ';' separates too
judge $c liba.so 'LD_LIBRARY_PATH=/x:${ORIGIN}/'  # $ORIGIN: the main object's
judge $c exe                                      # through exe's RPATH
# the current directory's glibc-hwcaps subdirectories come first, relative
cp -a cases/$c cases/02_hwcaps_in_cwd
mkdir -p cases/02_hwcaps_in_cwd/glibc-hwcaps/x86-64-v2
cp cases/$c/libb.so cases/02_hwcaps_in_cwd/glibc-hwcaps/x86-64-v2/
judge 02_hwcaps_in_cwd liba.so LD_LIBRARY_PATH=:
judge 03_direct_and_absolute_rpath exe_a
judge 03_direct_and_absolute_rpath exe_b
c=04_rpath_over_env_over_runpath
for e in - "LD_LIBRARY_PATH=$here/cases/$c/dir"; do
	judge $c exe_rpath "$e"
	judge $c exe_runpath "$e"
done
judge 05_32_bits exe32
judge 05_32_bits exe64
judge 06_symbol_versions exe_v1
judge 06_symbol_versions exe_v2
c=07_origin_is_relative_to_symlink_location_not_realpath
judge $c exe
judge $c exe "LD_LIBRARY_PATH=$here/cases/$c/a"
judge 08_nodeflib exe_a
judge 08_nodeflib exe_b
judge 10_rpath_order liba.so
judge 10_rpath_order exe

# 09_sysroot: the root's own loader under chroot is the judge
root=$here/cases/09_sysroot
mkdir -p "$root/lib64"
cp /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
for exe in exe_rpath exe_runpath; do
	want=$(env -u LD_LIBRARY_PATH chroot "$root" /lib64/ld-linux-x86-64.so.2 --list /$exe | python3 pairs.py ldd)
	got=$(env -u LD_LIBRARY_PATH "$SLIM" elf --env --json --sysroot "$root" "$root/$exe" | python3 pairs.py slim)
	[ -n "$want" ] && [ "$got" = "$want" ] || die "09_sysroot/$exe: slim resolved
$got
the root's ld.so:
$want"
	n=$((n + 1))
done

# the rules in words
c=$here/cases/02_rpath_of_parents_parent
(cd "$c" && env -u LD_LIBRARY_PATH "$SLIM" elf --env liba.so) > out 2>&1
grep -q 'libb.so not found (tried:.*LD_LIBRARY_PATH: unset or empty, ignored as ld.so does' out ||
	{ cat out; die "02: liba.so must not find libb.so in the current directory, and say LD_LIBRARY_PATH was unset"; }
(cd "$c" && LD_LIBRARY_PATH=: "$SLIM" elf --env liba.so) > out 2>&1
grep -q 'libb.so \[LD_LIBRARY_PATH\] libb.so' out || { cat out; die "02: LD_LIBRARY_PATH=: is the current directory"; }
# two LD_LIBRARY_PATH entries in one environment: ld.so takes the last
cat > dupenv.c <<'EOF'
#include <stdio.h>
#include <string.h>
#include <unistd.h>
/* dupenv [-t] A B PROG ARGS...: PROG with LD_LIBRARY_PATH=A, then =B, in
 * its environment; -t adds ldd's LD_TRACE_LOADED_OBJECTS=1 (ld.so lists
 * the libraries, a missing one included, and runs nothing) */
int main(int c, char **v)
{
	static char a[4096], b[4096];
	int t = c > 1 && !strcmp(v[1], "-t");
	snprintf(a, sizeof a, "LD_LIBRARY_PATH=%s", v[1 + t]);
	snprintf(b, sizeof b, "LD_LIBRARY_PATH=%s", v[2 + t]);
	char *env[] = {a, b, t ? "LD_TRACE_LOADED_OBJECTS=1" : 0, 0};
	execve(v[3 + t], v + 3 + t, env);
	return 127;
}
EOF
gcc -o dupenv dupenv.c || die "gcc failed"
for order in "/nonexistent $c" "$c /nonexistent"; do
	want=$(./dupenv -t $order /lib64/ld-linux-x86-64.so.2 "$c/liba.so" 2>/dev/null | python3 pairs.py ldd)
	got=$(./dupenv $order "$SLIM" elf --env --json "$c/liba.so" 2>/dev/null | python3 pairs.py slim)
	[ -n "$want" ] && [ "$got" = "$want" ] || die "LD_LIBRARY_PATH twice ($order): slim
$got
ld.so:
$want"
done
# 08: libc.so.6 of a -z nodefaultlib object: nothing tried, every list's reason given
"$SLIM" elf "$here/cases/08_nodeflib/exe_b" > out 2>&1
for why in 'DT_RPATH .*08_nodeflib' 'LD_LIBRARY_PATH: not read' 'DT_RUNPATH: none in' \
	   'ld.so.cache: skipped, .* is DF_1_NODEFLIB' 'default dirs: skipped, .* is DF_1_NODEFLIB'; do
	grep -q "libc.so.6 not found (tried:.*$why" out || { cat out; die "08: the not-found line does not say: $why"; }
done
# 06: ld.so takes v1/libx.so and then refuses it for the missing VER_2
ldd "$here/cases/06_symbol_versions/exe_v2" 2>&1 | grep -q "version .VER_2' not found" || die "06: ld.so did not refuse VER_2"
"$SLIM" elf --json "$here/cases/06_symbol_versions/exe_v2" | python3 -c '
import json, sys
d = json.load(sys.stdin)
exe = next(n for n in d["nodes"] if n["id"] == "exe:exe_v2")
assert exe["attrs"].get("undefined_refs", 0) >= 1 and "xyz" in exe["attrs"]["undefined_sample"], exe["attrs"]
' || die "06: slim must report xyz@VER_2 as a reference nothing defines"
echo "$n libtree cases resolved as ld.so resolves them (LD_LIBRARY_PATH unset, empty, ':', 'a::b', ';', twice); nodeflib reasons; VER_2 refused"
