# slim's unused verdicts equal `ldd -u -r`'s on every dynamically linked
# executable in /usr/bin and shared library under /usr/lib/x86_64-linux-gnu
# (ldd runs the loader; slim runs nothing).  Explained differences (ldd
# lists a library it could not find as "unused") are allowed; wrong ones
# fail.
source "$ROOT/tests/cli/lib.sh"
need ldd libc-bin
need readelf binutils
"$ROOT/bench/elf-agreement.sh" /usr/bin /usr/lib/x86_64-linux-gnu
# The same rule on 32-bit code (libc6-i386's /usr/lib32, and a program
# built here that lists an unused -lm): slim once misread every 32-bit
# relocation's symbol and called all 304 of these libraries' dependencies
# unused.  Per file: slim --unused == ldd -u -r.
need_ldd32
printf 'int main(void) { return 0; }\n' > m32.c
gcc -m32 -nostdlib -o m32 m32.c -Wl,--no-as-needed,-e,main /usr/lib32/libm.so.6 /usr/lib32/libc.so.6 -Wl,-dynamic-linker,/lib/ld-linux.so.2 ||
	die "gcc -m32 failed (apt-get install gcc)"
n=0
for f in "$PWD/m32" /usr/lib32/*.so* /usr/lib32/gconv/*.so; do
	[ -f "$f" ] && readelf -d "$f" 2>/dev/null | grep -q NEEDED || continue
	want=$(ldd -u -r "$f" 2>/dev/null | sed -n 's/^\t//p' | xargs -r -n1 readlink -f | sort)
	got=$("$SLIM" elf --unused "$f" 2>/dev/null | sed -n 's/^\t//p' | xargs -r -n1 readlink -f | sort)
	[ "$got" = "$want" ] || die "32-bit $f: slim calls unused [$got], ldd -u -r [$want]"
	n=$((n + 1))
done
[ "$n" -gt 100 ] || die "only $n 32-bit files with DT_NEEDED found under /usr/lib32"
[ -n "$("$SLIM" elf --unused m32 | grep libm)" ] || die "m32's unused -lm not reported"
echo "32-bit: $n files agree with ldd -u -r (m32's unused libm.so.6 included)"
