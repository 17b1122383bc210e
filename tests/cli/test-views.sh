#!/bin/bash
# Every figure a text view prints equals the JSON's (#13): the text and the
# JSON of one command on one input are two views of one graph, so they
# cannot disagree.  One function per command (case_NAME), each on real
# inputs, parsing both views in Python and comparing figure by figure; and
# where a tool other than slim can say what the figure must be, with it
# too (the fat binary containers walked from the bytes objcopy dumps, the
# section sizes readelf prints, the libraries ld.so maps per ldd, file sizes
# from stat).  CASES="fatbin elf" runs some of them.
. "$ROOT/tests/cli/lib.sh"
need python3 python3
need objcopy binutils
need readelf binutils
need ar binutils
need ldd libc-bin
PY=$ROOT/tests/cli/views.py
[ -f "$PY" ] || die "tests/cli/views.py missing"

# slim fatbin: each file's per-arch table, total row, containers, --arch
# verdicts and the all-files lines, against the JSON's gpu nodes and
# findings (made by merge_entries/add_findings, not by the totals), against
# totals.fatbin, and against the containers walked by Python in the
# sections objcopy dumps (ar x for archive members; a bare .fatbin as is).
case_fatbin() {
	local S=$ROOT/samples/out/fatbin f files=()
	for f in exe_balance exe_none exe_rdc exe_size exe_speed libk.so libdup.so \
		 libdev.a dev_rdc.o lib_rdc.o dup_a.o lto_none.o lto_size.o lto_speed.o kern.fatbin; do
		[ -f "$S/$f" ] || die "samples/out/fatbin/$f missing: run samples/build.sh"
		files+=("$S/$f")
	done
	# the ground truth: each file's nvcc sections, dumped by objcopy
	mkdir -p fb-sec
	for f in "${files[@]}"; do
		local b; b=$(basename "$f")
		case $b in
		*.fatbin) cp "$f" "fb-sec/$b@file" ;;
		*.a) mkdir -p "fb-ar/$b"; (cd "fb-ar/$b" && ar x "$f") || die "ar x $b"
		     for m in "fb-ar/$b"/*; do dump_nv "$m" "fb-sec/$b@$(basename "$m")"; done ;;
		*) dump_nv "$f" "fb-sec/$b" ;;
		esac
	done
	local arch
	for arch in "" sm_80 sm_90,sm_75 sm_100; do
		local opt=()
		[ -n "$arch" ] && opt=(--arch "$arch")
		expect_rc 0 "$SLIM" fatbin "${opt[@]}" "${files[@]}" > fb.txt
		expect_rc 0 "$SLIM" fatbin --json "${opt[@]}" "${files[@]}" > fb.json
		# -o writes the same text and JSON, and says so on stderr
		expect_rc 0 "$SLIM" fatbin "${opt[@]}" -o fb-o.txt "${files[@]}" 2> fb-o.err
		cmp -s fb.txt fb-o.txt || die "fatbin -o FILE differs from stdout's text"
		grep -qx "slim: wrote fb-o.txt" fb-o.err || die "fatbin -o: no 'slim: wrote fb-o.txt' on stderr"
		expect_rc 0 "$SLIM" fatbin --json "${opt[@]}" -o fb-o.json "${files[@]}" 2> /dev/null
		cmp -s fb.json fb-o.json || die "fatbin --json -o FILE differs from stdout's JSON"
		python3 "$PY" fatbin fb.txt fb.json fb-sec "$arch" || die "fatbin ${opt[*]}: text and JSON disagree"
	done
	echo "fatbin: ${#files[@]} nvcc-built files, 4 target lists: every figure of the text equals the JSON's and the containers' own"
}

# dump_nv FILE OUT: the fat binary sections nvcc writes, OUT@SECTION each
dump_nv() {
	local s
	for s in .nv_fatbin __nv_relfatbin; do
		if readelf -S -W "$1" | grep -q " $s "; then
			objcopy --dump-section "$s=$2@$s" "$1" "$2.tmp" || die "objcopy --dump-section $s $1"
			rm -f "$2.tmp"
		fi
	done
}

# slim elf: the tree (names, how each was found, paths, binds, UNUSED, seen
# above), the root's size, the largest sections and file bytes, and the
# --unused list, against the JSON of the same file; the tree's libraries
# against those ld.so maps (ldd), the root's size against stat, the
# sections against readelf.
case_elf() {
	local f files=(/usr/bin/curl) l
	for l in libcurl.so.4 libz.so.1 libcrypto.so.3; do
		f=$(ldd /usr/bin/curl | awk -v l="$l" '$1 == l { print $3 }')
		[ -n "$f" ] && [ -f "$f" ] || die "ldd /usr/bin/curl maps no $l: apt-get install curl (make deps)"
		files+=("$f")
	done
	for f in "${files[@]}"; do
		expect_rc 0 "$SLIM" elf "$f" > elf.txt
		expect_rc 0 "$SLIM" elf --json "$f" > elf.json
		expect_rc 0 "$SLIM" elf --unused "$f" > elf-u.txt
		ldd "$f" > elf-ldd.txt || die "ldd $f"
		readelf -S -W "$f" > elf-sec.txt || die "readelf -S $f"
		python3 "$PY" elf elf.txt elf.json elf-u.txt elf-ldd.txt elf-sec.txt "$f" ||
			die "elf $f: text and JSON disagree"
		expect_rc 0 "$SLIM" elf -o elf-o.txt "$f" 2> elf-o.err
		cmp -s elf.txt elf-o.txt || die "elf -o FILE differs from stdout's text"
		grep -qx "slim: wrote elf-o.txt" elf-o.err || die "elf -o: no 'slim: wrote elf-o.txt'"
		expect_rc 0 "$SLIM" elf --json -o elf-o.json "$f" 2> /dev/null
		cmp -s elf.json elf-o.json || die "elf --json -o FILE differs from stdout's JSON"
	done
	echo "elf: ${#files[@]} files (curl and 3 of its libraries): tree, sizes and unused list equal the JSON's, ldd's and readelf's"
}

# slim report: each input's line (its size, its closure's library count and
# bytes), removable libraries and bytes (totals.roots), every finding's
# line, the GPU code lines (totals.fatbin and the gpu nodes) and the total
# line, against the JSON; the closure against ldd.
case_report() {
	local f
	for f in /usr/bin/curl "$ROOT/samples/out/fatbin/libk.so"; do
		[ -f "$f" ] || die "$f missing"
		expect_rc 0 "$SLIM" report --bytes "$f" > rep.txt
		expect_rc 0 "$SLIM" report --json "$f" > rep.json
		ldd "$f" > rep-ldd.txt || die "ldd $f"
		python3 "$PY" report rep.txt rep.json rep-ldd.txt "$f" || die "report $f: text and JSON disagree"
	done
	echo "report: curl and libk.so: per-input and total figures equal the JSON's"
}

for c in ${CASES:-fatbin elf report}; do
	case_$c
done
