# Program or library: a static-pie executable (/sbin/ldconfig on Debian 12:
# ET_DYN, no PT_INTERP, DF_1_PIE) is a program, libc.so.6 (PT_INTERP, but a
# DT_SONAME) a library.  The judges: elfutils' eu-elfclassify (--executable
# / --shared) over every loadable file in /usr/bin and
# /usr/lib/x86_64-linux-gnu, file(1), readelf, and the kernel running
# what gcc -static-pie and -static build.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
need eu-elfclassify elfutils
need file file
need readelf binutils
need gcc gcc
kind() {   # kind FILE: "INPUT-KIND NODE-KIND NODE-ID" of slim's report
	"$SLIM" elf --json --no-bind "$1" | python3 -c '
import json, sys
d = json.load(sys.stdin)
i = d["inputs"][0]
n = next(n for n in d["nodes"] if n["id"] == i["node"])
print(i["kind"], n["kind"], n["id"])'
}
# /sbin/ldconfig: the case the issue saw
readelf -lW /sbin/ldconfig | grep -q INTERP && die "/sbin/ldconfig has PT_INTERP: not the static-pie this test expects"
readelf -dW /sbin/ldconfig | grep -q 'Flags:.*PIE' || die "/sbin/ldconfig has no DF_1_PIE"
file -L /sbin/ldconfig | grep -q 'static-pie linked' || die "file(1) does not call /sbin/ldconfig static-pie"
eu-elfclassify --executable /sbin/ldconfig || die "eu-elfclassify does not call /sbin/ldconfig an executable"
[ "$(kind /sbin/ldconfig)" = "elf-exec exe exe:ldconfig" ] || die "/sbin/ldconfig: slim says $(kind /sbin/ldconfig)"
# static-pie and static, built here and run by the kernel
printf '#include <stdio.h>\nint main(void) { puts("ran"); return 0; }\n' > hello.c
gcc -static-pie -o spie hello.c && gcc -static -o stat hello.c || die "gcc -static-pie / -static failed (apt-get install libc6-dev)"
[ "$(./spie)" = ran ] && [ "$(./stat)" = ran ] || die "the kernel did not run the static programs"
eu-elfclassify --executable spie stat || die "eu-elfclassify does not call them executables"
[ "$(kind spie)" = "elf-exec exe exe:spie" ] || die "static-pie: slim says $(kind spie)"
[ "$(kind stat)" = "elf-exec exe exe:stat" ] || die "static: slim says $(kind stat)"
# a library that can also run (PT_INTERP and a SONAME): a library
libc=/lib/x86_64-linux-gnu/libc.so.6
readelf -lW $libc | grep -q INTERP || die "$libc has no PT_INTERP: the corner case is gone"
eu-elfclassify --shared $libc || die "eu-elfclassify does not call $libc shared"
[ "$(kind $libc)" = "elf-shared lib lib:libc.so.6" ] || die "libc.so.6: slim says $(kind $libc)"
# every command names the file alike (slim fatbin types it from its bytes)
for f in /sbin/ldconfig spie stat $libc; do
	a=$(kind $f | cut -d' ' -f3)
	b=$("$SLIM" fatbin --json $f | python3 -c 'import json, sys; print(json.load(sys.stdin)["inputs"][0]["node"])')
	[ "$a" = "$b" ] || die "$f: slim elf names it $a, slim fatbin $b"
done
# the sweep: one slim run over every loadable file, each one's verdict
# against eu-elfclassify's
find /usr/bin /usr/lib/x86_64-linux-gnu -maxdepth 1 -type f | eu-elfclassify --stdin --loadable --print > loadable
[ "$(wc -l < loadable)" -gt 500 ] || die "fewer than 500 loadable files found"
xargs -a loadable -d '\n' eu-elfclassify --executable --print > exe
xargs -a loadable -d '\n' eu-elfclassify --shared --print > shared
xargs -a loadable -d '\n' "$SLIM" elf --json --no-bind > all.json 2> err || die "slim failed on the sweep: $(head -3 err)"
python3 - <<'EOF' || die "slim and eu-elfclassify disagree"
import json, sys
d = json.load(open("all.json"))
exe = set(open("exe").read().split("\n")) - {""}
shared = set(open("shared").read().split("\n")) - {""}
nodes = {n["id"]: n for n in d["nodes"]}
bad = [(i["path"], i["kind"]) for i in d["inputs"]
       if (i["kind"] == "elf-exec") != (i["path"] in exe)
       or (i["kind"] == "elf-shared") != (i["path"] in shared)
       or (nodes[i["node"]]["kind"] == "exe") != (i["path"] in exe)]
for b in bad[:20]:
    print("disagree:", *b, file=sys.stderr)
n = len(d["inputs"])
assert n == len(exe) + len(shared) and not bad, (n, len(exe), len(shared), len(bad))
print(n, len(exe), len(shared))
EOF
echo "program or library as eu-elfclassify says: ldconfig, -static-pie, -static, libc.so.6, $(wc -l < exe) executables and $(wc -l < shared) shared objects"
