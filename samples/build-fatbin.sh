#!/bin/bash
# build-fatbin.sh - CUDA fat binary samples for the fatbin tests.  Needs no
# CUDA: the nvcc-built binaries are committed in samples/cuda/bin/ (their
# sources, exact nvcc commands and expected contents are beside them:
# samples/cuda/build.sh, samples/cuda/MANIFEST).  This only checks that
# every file MANIFEST names is there and copies them to out/fatbin/.
set -eu
cd "$(dirname "$0")"
src=cuda/bin dst=out/fatbin
mkdir -p "$dst"
for f in $(awk '$1 == "mode" || $1 == "entry" { print $2 }' cuda/MANIFEST | sort -u); do
	[ -f "$src/$f" ] || { echo "build-fatbin.sh: $src/$f missing (run samples/cuda/build.sh with CUDA installed)" >&2; exit 1; }
	cp -u "$src/$f" "$dst/$f"
done
cp -u cuda/MANIFEST "$dst/MANIFEST"
