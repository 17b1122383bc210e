#!/bin/bash
# fatbin.sh - `make check-real`: slim fatbin over every ELF file and archive
# in /usr/local/cuda/lib64 (CUDA 13.0's ~2.5 GB of NVIDIA libraries; set
# CUDA_LIB64 to use another tree).  Checks, each printed as it passes:
#   1. every file is listed without an error (exit 0, empty stderr);
#   2. --kernels --verify decodes every compressed entry (cubins, PTX) to
#      exactly its declared size (slim refuses any other size; compressed
#      LTO-IR is counted, not decoded) and reads every cubin with libelf;
#      the cubin's e_flags arch equals its container entry's (a warning
#      otherwise, so stderr must hold only the perf line);
#   3. readelf -S sizes of .nv_fatbin / __nv_relfatbin equal the bytes
#      slim's containers and entries account for (fatbin-sections.py);
#   5. cuDNN's cubins, read back with readelf -h: the arch of both e_flags
#      layouts (ELF ABI 7 from pre-13 toolchains: bits 0-7; ABI 8: 8-15)
#      equals the entry's;
#   4. prints the per-arch table of libcublasLt and what --arch sm_80,sm_90
#      would save across all files (the figures in the README).
# Fails loudly when the corpus is missing.  cuobjdump is not installed
# here: comparing with `cuobjdump --list-elf --list-ptx` needs a machine
# with the full toolkit.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SLIM=${SLIM:-$ROOT/slim}
LIB=${CUDA_LIB64:-/usr/local/cuda/lib64}
die() { echo "FAIL: $*" >&2; exit 1; }
[ -d "$LIB" ] || die "corpus missing: $LIB (install the CUDA 13 toolkit + cuDNN/NCCL, or set CUDA_LIB64)"
command -v readelf >/dev/null || die "needs readelf: apt-get install binutils"
files=()
while IFS= read -r f; do
	case "$(head -c 8 "$f" | od -An -c | tr -d ' ')" in
	177ELF*|'!<arch>\n') files+=("$f") ;;
	esac
done < <(find -H "$LIB" -maxdepth 2 -type f \( -name '*.so*' -o -name '*.a' \) | sort)
[ "${#files[@]}" -ge 20 ] || die "corpus incomplete: ${#files[@]} ELF files/archives in $LIB"
bytes=$(du -cb "${files[@]}" | tail -1 | cut -f1)
echo "corpus: ${#files[@]} ELF files and archives, $bytes bytes in $LIB"
tmp=$(mktemp -d /tmp/slim-real-fatbin.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

"$SLIM" fatbin "${files[@]}" > "$tmp/list.txt" 2> "$tmp/list.err"
rc=$?
[ $rc = 0 ] && [ ! -s "$tmp/list.err" ] || { head "$tmp/list.err"; die "listing: exit $rc"; }
entries=$(awk '/^all [0-9]+ files:/ { print $4 }' "$tmp/list.txt")
echo "ok 1: listed $entries entries in ${#files[@]} files without an error"

"$SLIM" fatbin --kernels --verify --perf "${files[@]}" > "$tmp/kern.txt" 2> "$tmp/kern.err"
rc=$?
grep -v '^slim: perf:' "$tmp/kern.err" | head
[ $rc = 0 ] && ! grep -qv '^slim: perf:' "$tmp/kern.err" || die "--kernels: exit $rc or errors above"
cubins=$(grep -c '^  #[0-9]* sm_[0-9a-z]* cubin' "$tmp/kern.txt")
kernels=$(awk '/^  #[0-9]+ sm_.* cubin/ { n += $(NF-1) } END { print n }' "$tmp/kern.txt")
verified=$(awk '/^  verified:/ { n += $2 } END { print n }' "$tmp/kern.txt")
echo "ok 2: decoded and read $cubins cubins ($kernels kernels), decoded $verified other entries; $(sed 's/^slim: perf: //' "$tmp/kern.err")"

"$SLIM" fatbin --json "${files[@]}" > "$tmp/all.json" || die "--json"
python3 "$ROOT/tests/real/fatbin-sections.py" "$tmp/all.json" "${files[@]}" || die "readelf cross-check"
echo "ok 3: nvcc sections match readelf"

# cuDNN carries cubins from a pre-13 toolchain (ELF ABI version 7: the SM
# in e_flags bits 0-7, not 8-15): every cubin slim extracts is checked with
# readelf's header, independent of slim's own parse, and the arch in its
# file name (the container entry's) must equal the e_flags arch of its layout
"$SLIM" fatbin --extract "$tmp/x" "$LIB"/libcudnn_engines_precompiled.so.* > /dev/null || die "--extract cuDNN"
old=0 new=0
for f in "$tmp"/x/*.cubin; do
	h=$(readelf -h "$f") || die "readelf -h $f"
	abi=$(echo "$h" | awk '/ABI Version:/ { print $3 }')
	flags=$(echo "$h" | awk '/Flags:/ { print $2 }')
	want=$(basename "$f" | sed 's/.*\.sm_\([0-9]*\)[af]\{0,1\}\.cubin$/\1/')
	if [ "$abi" -lt 8 ]; then sm=$(( flags & 0xff )); old=$((old + 1)); else sm=$(( (flags >> 8) & 0xff )); new=$((new + 1)); fi
	[ "$sm" = "$want" ] || die "$f: readelf e_flags $flags (ABI $abi) says sm_$sm, slim's entry sm_$want"
done
[ $old -gt 0 ] || die "no pre-13 (ABI < 8) cubin found in cuDNN: the old e_flags layout went unchecked"
rm -rf "$tmp/x"
echo "ok 5: $((old + new)) cuDNN cubins checked with readelf: $old in the pre-CUDA-13 e_flags layout (ABI 7), $new in the new one"

echo "== per-arch table, libcublasLt.so"
"$SLIM" fatbin "$LIB/libcublasLt.so" || die "libcublasLt"
echo "== --arch sm_80,sm_90 over all files"
"$SLIM" fatbin --arch sm_80,sm_90 "${files[@]}" | grep -E '^(all|--arch|duplicates)' || die "--arch"
echo "ok 4"
