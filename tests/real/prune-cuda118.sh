#!/bin/bash
# prune-cuda118.sh - `make check-real`: `slim prune --arch` (issue #17)
# checked by an independent reader, cuobjdump.  NVIDIA's cuobjdump for
# CUDA 13 is not installable here; Debian 12's nvidia-cuda-toolkit (11.8,
# non-free) is, and its cuobjdump reads what nvcc 11.8 makes.  So: build
# kernels with Debian's nvcc 11.8 (known -gencode sets: several cubins and
# PTX) into a shared library, an executable and an -rdc static library;
# take a few of Debian's CUDA 11.8 libraries; prune each for --arch sm_80
# and --arch sm_75,sm_90; and let tests/real/cuobjdump_check.py check with
# cuobjdump 11.8 that OUT lists, in order, exactly the input's entries some
# target can load (CUDA's rule, applied to cuobjdump's listing), that
# slim's counts and `slim fatbin --extract` names agree with cuobjdump's,
# that cuobjdump's -xelf/-xptx extracts of the kept entries are
# byte-identical, that the containers cuobjdump does not read in place
# (those slim's scan finds outside .nv_fatbin, as cuFFT's and cuSPARSE's;
# __nv_relfatbin in a linked file), carved at their offsets, pass the same checks,
# and that every pruned library still dlopens.  LTO-IR entries are counted
# but cuobjdump 11.8 cannot list them: the summary says how many.
#
# Installs the toolkit when missing (root and Debian's archive needed);
# otherwise FAILS with the commands to run.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SLIM=${SLIM:-$ROOT/slim}
DEBLIB=/usr/lib/x86_64-linux-gnu
SRC=/etc/apt/sources.list.d/slim-nonfree.sources
die() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$SLIM" ] || die "no slim binary at $SLIM (make, or set SLIM)"
# Debian's tools by path: /usr/local/cuda/bin (CUDA 13) comes first on
# many PATHs, and CUDA 13's ptxas has no sm_70.
export PATH=/usr/bin:/bin:/usr/sbin:/sbin
# nvcc 11.8 takes gcc <= 11 or clang <= 14 as host compiler; Debian 12's gcc is 12.
hostcc() {
	for c in g++-11 clang-14 g++-10 clang-13; do
		command -v $c > /dev/null && { echo $c; return; }
	done
}
have118() {
	nvcc --version 2> /dev/null | grep -q 'release 11\.8' &&
		cuobjdump --version 2> /dev/null | grep -q 'release 11\.8' && [ -n "$(hostcc)" ]
}
if ! have118; then
	install="cat > $SRC <<EOF
Types: deb
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: contrib non-free
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
apt-get update && apt-get install -y --no-install-recommends nvidia-cuda-toolkit clang-14"
	[ "$(id -u)" = 0 ] || die "Debian's CUDA 11.8 toolkit is missing; as root run:
$install"
	echo "installing Debian's nvidia-cuda-toolkit 11.8 (non-free, ~1.6 GB download) and clang-14:"
	echo "$install"
	DEBIAN_FRONTEND=noninteractive bash -c "$install" > /tmp/slim-cuda118-install.log 2>&1 ||
		die "install failed (log: /tmp/slim-cuda118-install.log); the commands were:
$install"
	have118 || die "nvcc/cuobjdump 11.8 or clang-14 still missing after the install"
fi
CUOBJDUMP=$(command -v cuobjdump)
cc=$(hostcc)

tmp=$(mktemp -d /tmp/slim-real-cuda118.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
s=$ROOT/samples/cuda
NV="nvcc -ccbin $cc -O2"
# libk118.so: cubins sm_70, sm_75, sm_80, sm_86, PTX compute_70, compute_86.
$NV -shared -Xcompiler -fPIC \
	-gencode arch=compute_70,code=sm_70 -gencode arch=compute_75,code=sm_75 \
	-gencode arch=compute_80,code=sm_80 -gencode arch=compute_86,code=sm_86 \
	-gencode arch=compute_70,code=compute_70 -gencode arch=compute_86,code=compute_86 \
	-o "$tmp/libk118.so" "$s/lib.cu" || die "nvcc 11.8: libk118.so"
# exe118: cubins sm_60, sm_75, sm_80, sm_90, PTX compute_75, compute_90.
$NV -gencode arch=compute_60,code=sm_60 -gencode arch=compute_75,code=sm_75 \
	-gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90 \
	-gencode arch=compute_75,code=compute_75 -gencode arch=compute_90,code=compute_90 \
	-o "$tmp/exe118" "$s/kern.cu" || die "nvcc 11.8: exe118"
# libdev118.a: -rdc=true objects, cubins sm_61, sm_80, sm_89, PTX compute_80.
G="-gencode arch=compute_61,code=sm_61 -gencode arch=compute_80,code=sm_80
   -gencode arch=compute_89,code=sm_89 -gencode arch=compute_80,code=compute_80"
$NV -rdc=true $G -Xcompiler -fPIC -c -o "$tmp/dev.o" "$s/dev.cu" &&
	$NV -rdc=true $G -Xcompiler -fPIC -c -o "$tmp/lib.o" "$s/lib.cu" &&
	$NV -lib -o "$tmp/libdev118.a" "$tmp/dev.o" "$tmp/lib.o" || die "nvcc 11.8: libdev118.a"
echo "built with $(nvcc --version | grep -o 'release [0-9.]*') (-ccbin $cc): libk118.so exe118 libdev118.a"

libs=()
for f in libcurand.so.10 libcublas.so.11 libcusparse.so.11 libcufft.so.10 libnvjpeg.so.11 libnppig.so.11; do
	[ -f "$DEBLIB/$f" ] || die "$DEBLIB/$f missing (Debian's libcurand10 libcublas11 libcusparse11 libcufft10 libnvjpeg11 libnppig11)"
	libs+=("$DEBLIB/$f")
done
fail=0
for a in sm_80 sm_75,sm_90; do
	echo "-- --arch $a"
	python3 "$ROOT/tests/real/cuobjdump_check.py" "$SLIM" "$CUOBJDUMP" "$a" "$tmp/w-$a" \
		"$tmp/libk118.so" "$tmp/exe118" "$tmp/libdev118.a" "${libs[@]}" || fail=1
	rm -rf "$tmp/w-$a"
done
[ $fail = 0 ] || die "cuobjdump 11.8 disagrees with slim prune (above)"
echo "ok: cuobjdump $(cuobjdump --version | grep -o 'release [0-9.]*') agrees with slim prune on 3 nvcc 11.8 files and ${#libs[@]} Debian CUDA 11.8 libraries, both arch lists"
