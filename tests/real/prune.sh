#!/bin/bash
# prune.sh - `make check-real`: `slim prune` (issue #17) over every ELF
# file and archive in /usr/local/cuda/lib64 (set CUDA_LIB64 for another
# tree), for --arch sm_80,sm_90 and --arch sm_90.  Per file and arch,
# tests/cli/prune_check.py checks: the bytes freed equal the report's
# prediction (prunable-gpu-code findings of `slim report --arch`); slim
# re-reads OUT and lists exactly the kept entries, in order, their stored
# bytes and their `slim fatbin --extract` files byte-identical to the
# input's; an independent parse of each rewritten container (size field =
# the kept entries, zero tail); nothing outside the rewritten containers
# changed; the freed bytes are holes; every pruned shared library that
# dlopens (RTLD_LAZY) still does.  Then a cuobjdump that reads CUDA 13's
# files (release >= 13: $CUOBJDUMP, /usr/local/cuda/bin, PATH; NVIDIA's
# cuda-cuobjdump-13-0) lists the same entries in pruned copies of a few
# files as slim does (samples/cuda/cuobjdump-compare.sh).  Where there is
# none (here: NVIDIA's repository is unreachable, and Debian's cuobjdump is
# 11.8, which misreads or rejects CUDA 13's fatbins) that step is NOT run
# and the script says so on its last line; the independent-reader check
# is then tests/real/prune-cuda118.sh (Debian's cuobjdump 11.8 over files
# nvcc 11.8 made and Debian's CUDA 11.8 libraries), which fails when it
# cannot run.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SLIM=${SLIM:-$ROOT/slim}
LIB=${CUDA_LIB64:-/usr/local/cuda/lib64}
die() { echo "FAIL: $*" >&2; exit 1; }
[ -d "$LIB" ] || die "corpus missing: $LIB (install the CUDA 13 toolkit + cuDNN/NCCL, or set CUDA_LIB64)"
command -v python3 > /dev/null || die "needs python3"
mapfile -t files < <(find -H "$LIB" -maxdepth 2 -type f \( -name '*.so*' -o -name '*.a' \) | sort)
[ "${#files[@]}" -ge 20 ] || die "corpus incomplete: ${#files[@]} files in $LIB"
tmp=$(mktemp -d /tmp/slim-real-prune.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
for a in sm_80,sm_90 sm_90; do
	python3 "$ROOT/tests/cli/prune_check.py" "$SLIM" "$a" "$tmp/$a" "${files[@]}" || die "--arch $a"
done
echo "ok: prune_check.py over ${#files[@]} files of $LIB for both arch lists"

# A cuobjdump of release 13 or later reads CUDA 13's files.
CUOBJDUMP13=
for c in ${CUOBJDUMP:-} /usr/local/cuda/bin/cuobjdump $(type -P -a cuobjdump); do
	r=$("$c" --version 2> /dev/null | sed -n 's/.*release \([0-9]*\)\..*/\1/p' | head -1)
	found="${found:-}${found:+, }$c ($([ -n "$r" ] && echo "release $r" || echo "absent or not runnable"))"
	[ -n "$r" ] && [ "$r" -ge 13 ] && { CUOBJDUMP13=$c; break; }
done
if [ -z "$CUOBJDUMP13" ]; then
	echo "NOT checked by cuobjdump: the pruned CUDA 13 files (no cuobjdump of release 13+; found: ${found:-none}).  CUDA 13's files are checked by cuobjdump only where NVIDIA's toolkit is installed (cuda-cuobjdump-13-0, or set CUOBJDUMP); here tests/real/prune-cuda118.sh is the independent-reader check, on CUDA 11.8 files"
	exit 0
fi
CUOBJDUMP=$CUOBJDUMP13
mkdir -p "$tmp/bin" "$tmp/c"
ln -s "$CUOBJDUMP" "$tmp/bin/cuobjdump"
for f in libcudart_static.a libcurand.so.10 libcusparse.so.12 libcublas.so.13; do
	[ -f "$LIB/$f" ] || die "$LIB/$f missing"
	"$SLIM" prune --arch sm_90 "$LIB/$f" -o "$tmp/c/$f" > /dev/null || die "prune $f"
done
PATH=$tmp/bin:$PATH bash "$ROOT/samples/cuda/cuobjdump-compare.sh" "$tmp"/c/* > "$tmp/cmp.txt"
cat "$tmp/cmp.txt"
! grep -qv '^same' "$tmp/cmp.txt" || die "cuobjdump disagrees on a pruned file (above)"
echo "ok: $CUOBJDUMP (release $("$CUOBJDUMP" --version | sed -n 's/.*release \([0-9.]*\),.*/\1/p' | head -1)) lists the entries slim lists in 4 pruned files"
