# Code bytes per compile unit (DWARF, libdw) against what slim did not
# compute:
#  - Debian's own glibc: libc.so.6 is stripped, its DWARF is in libc6-dbg's
#    /usr/lib/debug/.build-id/NN/REST.debug (compressed sections, dwz);
#    every unit's bytes and name must equal binutils' readelf reading of
#    .debug_aranges and the CU DIEs (dwarf_truth.py).
#  - gcc (DWARF 5 with aranges) and clang (DWARF 5, DW_AT_ranges, no
#    aranges) builds of three sources: each unit's bytes equal the code
#    sections (.text*) of its object file as `size -A` counts them.
#  - the same program stripped, its debug file found by build ID inside a
#    --sysroot; a debug file of another build ID is refused with a warning.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
need readelf binutils
need objcopy binutils
need cc gcc
need clang clang
# units NODE < report.json: "name size" lines, sorted, then "#debug_file
# PATH"; NODE "" is the first node with compile units
units() { python3 -c '
import json, sys
d = json.load(sys.stdin)
a = next((n["attrs"] for n in d["nodes"]
          if n["id"] == sys.argv[1] or (not sys.argv[1] and "compile_units" in n["attrs"])), {})
for u in sorted((u["name"], u["size"]) for u in a.get("largest_compile_units", [])):
    print(u[0], u[1])
print("#debug_file", a.get("debug_file", "-"))' "$1"; }
# truth DEBUGFILE: readelf's units in the same shape (dwarf_truth.py)
truth() { python3 "$ROOT/tests/cli/dwarf_truth.py" "$1" |
	python3 -c 'import json, sys; [print(n, s) for n, s in sorted(map(tuple, json.load(sys.stdin)))]'; }

# 1. Debian's libc
libc=/lib/x86_64-linux-gnu/libc.so.6
id=$(readelf -n "$libc" | awk '/Build ID:/ { print $3 }')
dbg=/usr/lib/debug/.build-id/${id:0:2}/${id:2}.debug
[ -f "$dbg" ] || die "no debug file $dbg for $libc: apt-get install libc6-dbg (or make deps)"
"$SLIM" report --json --top 100000 "$libc" > libc.json || die "report libc"
units lib:libc.so.6 < libc.json > got || die "no compile units for libc"
grep -qx "#debug_file $dbg" got || die "debug file not named: $(tail -1 got)"
truth "$dbg" > want
[ "$(wc -l < want)" -gt 1000 ] || die "readelf found only $(wc -l < want) units in $dbg"
grep -v '^#' got > got.units
diff want got.units > d.txt || die "libc units differ from readelf's (< readelf, > slim): $(head -5 d.txt)"
nlibc=$(wc -l < want)
"$SLIM" report "$libc" | grep -q "code by compile unit ($nlibc units, .*DWARF of $dbg)" ||
	die "text report lacks the compile-unit line"
# every 8th of the other files libc6-dbg has a debug file for (ld.so, libm,
# gconv modules, the programs; SLIM_DWARF_ALL=1 checks all of them: 273
# here, all equal)
step=${SLIM_DWARF_ALL:+1}; step=${step:-8}
others=0; k=0
while read -r f; do
	fid=$(readelf -n "$f" 2> /dev/null | awk '/Build ID:/ { print $3; exit }')
	[ -n "$fid" ] || continue
	fdbg=/usr/lib/debug/.build-id/${fid:0:2}/${fid:2}.debug
	[ -f "$fdbg" ] && [ "$fdbg" != "$dbg" ] || continue
	k=$((k + 1)); [ $((k % step)) = 0 ] || continue
	"$SLIM" report --json --top 100000 "$f" > o.json 2> /dev/null || die "report $f"
	units "" < o.json | grep -v '^#' > o.got
	truth "$fdbg" > o.want
	diff o.want o.got > d.txt || die "$f: units differ from readelf's on $fdbg: $(head -4 d.txt)"
	others=$((others + 1))
done < <(find /usr/lib/x86_64-linux-gnu /usr/bin /usr/sbin -type f \( -name '*.so*' -o -perm -u+x \) 2> /dev/null | sort)
[ $others -gt 10 ] || die "only $others other files with libc6-dbg debug files"

# 2. gcc and clang builds of three sources
cat > a.c <<'EOF'
int a1(int x) { int s = 0; for (int i = 0; i < x; i++) s += i * x; return s; }
int a2(int x) { return x * 3 + a1(x); }
EOF
cat > b.c <<'EOF'
#include <string.h>
static char buf[64];
const char *b1(const char *s) { strncpy(buf, s, sizeof buf - 1); return buf; }
__attribute__((cold)) int b2(int x) { return x ? x / 7 : -1; }
EOF
cat > main.c <<'EOF'
int a2(int); const char *b1(const char *); int b2(int);
int main(int argc, char **argv) { return a2(argc) + b1(argv[0])[0] + b2(argc); }
EOF
checked=0
for cc in gcc clang; do
	mkdir -p $cc
	for s in a b main; do $cc -g -O2 -c -o $cc/$s.o $s.c || die "$cc $s.c"; done
	$cc -g -o $cc/prog $cc/a.o $cc/b.o $cc/main.o || die "$cc link"
	"$SLIM" report --json $cc/prog > $cc.json || die "report $cc/prog"
	units exe:prog < $cc.json | grep -v '^#' > $cc.got
	for s in a b main; do
		want=$(size -A $cc/$s.o | awk '$1 ~ /^\.text/ { n += $2 } END { print n }')
		got=$(awk -v n=$s.c '$1 == n { print $2 }' $cc.got)
		[ "$got" = "$want" ] || die "$cc: $s.c: slim $got code bytes, size -A of $s.o: $want"
		checked=$((checked + 1))
	done
done

# 3. stripped, with its debug file found by build ID in a sysroot
objcopy --only-keep-debug gcc/prog prog.debug || die "objcopy --only-keep-debug"
objcopy --strip-debug gcc/prog stripped || die "objcopy --strip-debug"
pid=$(readelf -n stripped | awk '/Build ID:/ { print $3 }')
[ -n "$pid" ] || die "gcc wrote no build ID"
mkdir -p root/usr/lib/debug/.build-id/${pid:0:2}
cp prog.debug root/usr/lib/debug/.build-id/${pid:0:2}/${pid:2}.debug
"$SLIM" report --json --sysroot root stripped > s.json 2> s.err || die "report stripped: $(cat s.err)"
units exe:stripped < s.json > s.got
grep -qx "#debug_file /usr/lib/debug/.build-id/${pid:0:2}/${pid:2}.debug" s.got || die "debug file not used: $(tail -1 s.got)"
diff <(grep -v '^#' s.got) gcc.got > /dev/null || die "units from the debug file differ from the unstripped program's"
"$SLIM" report --json stripped > n.json || die "report stripped without root"
! grep -q largest_compile_units n.json || die "units claimed for a stripped program with no debug file"
# a debug file whose build ID is another's
cp "$dbg" root/usr/lib/debug/.build-id/${pid:0:2}/${pid:2}.debug
"$SLIM" report --json --sysroot root stripped > m.json 2> m.err || die "report with a foreign debug file"
grep -q "warning: .*${pid:2}.debug: not the debug file of stripped" m.err || die "no warning for a foreign debug file: $(cat m.err)"
! grep -q largest_compile_units m.json || die "units taken from a foreign debug file"
# an empty or non-ELF file at that path: a warning, the report still made
for bad in empty garbage; do
	[ $bad = empty ] && : > root/usr/lib/debug/.build-id/${pid:0:2}/${pid:2}.debug
	[ $bad = garbage ] && head -c 5000 /dev/urandom > root/usr/lib/debug/.build-id/${pid:0:2}/${pid:2}.debug
	"$SLIM" report --json --sysroot root stripped > b.json 2> b.err || die "report with a $bad debug file"
	grep -q "warning: .*${pid:2}.debug: not the debug file of stripped (not ELF)" b.err || die "$bad debug file: $(cat b.err)"
done
echo "libc: $nlibc units and $others more glibc files equal to readelf's; $checked gcc/clang units equal to size -A; debug file by build ID used; a foreign, empty or non-ELF one refused"
