#!/bin/bash
# build.sh - rebuild the committed CUDA samples with nvcc (CUDA 13.0, in
# /usr/local/cuda/bin).  Not run by `make test`: machines without CUDA use
# the committed binaries (samples/build-fatbin.sh copies them).  MANIFEST
# lists what each -gencode set below must put in each file.
set -eu
cd "$(dirname "$0")"
export PATH=/usr/local/cuda/bin:$PATH
command -v nvcc >/dev/null || { echo "build.sh: needs nvcc (CUDA toolkit)" >&2; exit 1; }
out=bin
mkdir -p $out
# Same seed every build, so rebuilding gives the same bytes where nvcc can.
NV="nvcc -O2 -cudart shared -frandom-seed=slim"

# G1: three plain cubins, an `a` variant cubin, and compute_90 PTX.
G1="-gencode arch=compute_75,code=sm_75 -gencode arch=compute_80,code=sm_80
    -gencode arch=compute_86,code=sm_86 -gencode arch=compute_90a,code=sm_90a
    -gencode arch=compute_90,code=compute_90"
for m in none size speed balance; do
	$NV $G1 --compress-mode=$m -o $out/exe_$m kern.cu
done

# G2: -rdc=true objects and a static library from them: cubins sm_80,
# an `f` variant sm_100f, an `a` variant sm_120a, and compute_120 PTX.
G2="-gencode arch=compute_80,code=sm_80 -gencode arch=compute_100f,code=sm_100f
    -gencode arch=compute_120a,code=sm_120a -gencode arch=compute_120,code=compute_120"
$NV -rdc=true $G2 --compress-mode=size -c -o $out/dev_rdc.o dev.cu
$NV -rdc=true $G2 --compress-mode=size -c -o $out/lib_rdc.o lib.cu
$NV -lib -o $out/libdev.a $out/dev_rdc.o $out/lib_rdc.o

# LTO-IR (-dlto) in each compression mode: counted, never decoded.
for m in none size speed; do
	$NV -rdc=true -gencode arch=compute_90,code=lto_90 --compress-mode=$m \
		-c -o $out/lto_$m.o lib.cu
done

# A shared library linked by nvcc: device-link fatbin plus lib.cu's.
$NV -shared -Xcompiler -fPIC -gencode arch=compute_80,code=sm_80 \
	-gencode arch=compute_80,code=compute_80 --compress-mode=none \
	-o $out/libk.so lib.cu

# -rdc=true executable: kernels live in the device-link cubin.
$NV -rdc=true -gencode arch=compute_86,code=sm_86 --compress-mode=none \
	-o $out/exe_rdc kern.cu

# The same translation unit twice: byte-identical entries.
$NV -gencode arch=compute_80,code=sm_80 --compress-mode=none -Xcompiler -fPIC \
	-c -o $out/dup_a.o dup.cu
cp $out/dup_a.o $out/dup_b.o
$NV -shared -gencode arch=compute_80,code=sm_80 --compress-mode=none \
	-o $out/libdup.so $out/dup_a.o dup2.cu
# A bare fatbin file (no ELF around it).
$NV -fatbin -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=compute_90 \
	--compress-mode=size -o $out/kern.fatbin kern.cu

# Two builds of kern.cu in two build directories of equal length, with
# -lineinfo so that PTX and the cubin's .debug_line carry the path (slim
# diff names the fatbin entries and explains them as build-path: tests/
# test-bytediff-gpu.c): an object with plain entries, one with ZSTD ones,
# a bare fatbin.  -frandom-seed is left out on purpose: the host object's
# temporary names differ as they do between two real builds.
for side in a b; do
	d=/tmp/slim-cuda-diff-$side
	rm -rf $d && mkdir -p $d $out/diff/$side && cp kern.cu $d/
	G="-lineinfo -gencode arch=compute_80,code=sm_80 -gencode arch=compute_80,code=compute_80"
	(cd $d && nvcc $G --compress-mode=none -c -o kern_plain.o $d/kern.cu &&
	 nvcc $G --compress-mode=size -c -o kern_zstd.o $d/kern.cu &&
	 nvcc $G --compress-mode=size -fatbin -o kern.fatbin $d/kern.cu)
	cp $d/kern_plain.o $d/kern_zstd.o $d/kern.fatbin $out/diff/$side/
	rm -rf $d
done

strip --strip-unneeded $out/exe_* $out/libk.so $out/libdup.so
rm -f $out/dup_b.o
ls -l $out
