# LD_LIBRARY_PATH is honored only with --env, and then exactly where ld.so
# puts it: after DT_RPATH, before DT_RUNPATH and the cache.
source "$ROOT/tests/cli/lib.sh"
s=$ROOT/samples/out/elf
mkdir alt
cp "$s/runpath/dep/libb.so" alt/
# runpath/main: liba needs libb, which nothing finds (RUNPATH is not inherited)
LD_LIBRARY_PATH=$PWD/alt ldd "$s/runpath/main" | grep -q "libb.so => $PWD/alt/libb.so" || die "ldd did not use LD_LIBRARY_PATH"
LD_LIBRARY_PATH=$PWD/alt "$SLIM" elf --env "$s/runpath/main" > with 2>&1
grep -q "libb.so \[LD_LIBRARY_PATH\] $PWD/alt/libb.so" with || { cat with; die "--env: libb not found through LD_LIBRARY_PATH"; }
LD_LIBRARY_PATH=$PWD/alt "$SLIM" elf "$s/runpath/main" > without 2>&1
grep -q "libb.so not found" without || { cat without; die "without --env LD_LIBRARY_PATH must be ignored"; }
echo "LD_LIBRARY_PATH used with --env only, as ldd does"
