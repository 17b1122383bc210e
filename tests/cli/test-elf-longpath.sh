# A search path whose candidate path runs past PATH_MAX: open(2) tells
# ld.so ENAMETOOLONG and the library is not found there.  slim must not
# truncate the path instead: here the first 4095 bytes of
# "$ORIGIN/././.../libhw.so" name an existing file "$ORIGIN/lib", a copy
# of the library, which a truncating lookup would report as found.
# Ground truth: the loader itself (ldd).
source "$ROOT/tests/cli/lib.sh"
need cc gcc
need ldd libc-bin
echo 'int hw(void) { return 1; }' > hw.c
mkdir -p d
cc -shared -fPIC -o d/libhw.so hw.c || die "cc libhw"
cp d/libhw.so lib
echo 'int hw(void); int main(void) { return hw() - 1; }' > main.c
# the expanded directory must be 4092 bytes, so that dir + "libhw.so"
# truncated to 4095 bytes reads dir + "lib"
L=${#PWD}
pad=$(( 4092 - L - 1 ))
dots=$(printf '%*s' $((pad / 2)) '' | sed 's| |./|g')
[ $((pad % 2)) = 1 ] && dots="/$dots"
rp="\$ORIGIN/$dots"
[ $(( L + 1 + ${#dots} )) = 4092 ] || die "padding arithmetic"
cc -o main main.c -Ld -lhw -Wl,-rpath,"$rp",--enable-new-dtags || die "cc main"
want=$(ldd ./main | awk '$1 == "libhw.so" { print $3, $4 }')
[ "$want" = "not found" ] || die "the loader found libhw.so ($want): the test's premise is gone"
"$SLIM" elf main > out.txt 2>&1
grep -q 'libhw.so.*not found' out.txt || { cat out.txt; die "slim found libhw.so through a truncated path; the loader did not"; }
grep -q 'File name too long' out.txt || { cat out.txt; die "the places tried do not say the path was too long"; }
echo "a path past PATH_MAX is not found, as for ld.so"
