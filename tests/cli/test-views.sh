#!/bin/bash
# Every figure a text view prints equals the JSON's (#13): the text and the
# JSON of one command on one input are two views of one graph, so they
# cannot disagree.  One function per command (case_NAME), each on real
# inputs, parsing both views in Python and comparing figure by figure; and
# where a tool other than slim can say what the figure must be, with it
# too (the fat binary containers walked from the bytes objcopy dumps, the
# section sizes readelf prints, the libraries ld.so maps per ldd, file sizes
# from stat).  CASES="fatbin elf" runs some of them.  linkmap and pydeps
# are compared by views_lp.py.
. "$ROOT/tests/cli/lib.sh"
need python3 python3
need objcopy binutils
need readelf binutils
need ar binutils
need ldd libc-bin
PY=$ROOT/tests/cli/views.py
[ -f "$PY" ] || die "tests/cli/views.py missing"
PYLP=$ROOT/tests/cli/views_lp.py    # linkmap and pydeps
[ -f "$PYLP" ] || die "tests/cli/views_lp.py missing"

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

# slim linkmap: the summary lines (output sections, discarded sections and
# their causes, archive members loaded and dead), every row of the
# archive, object, output section and pulled-in tables (--top 0), against
# the JSON's totals.linkmap and, on their own, its includes edges, object
# nodes and discarded-section / dead-archive-member findings; the output
# sections against readelf -S of the linked file.  Maps of the four
# linkers (samples/out/linkmap), with and without reading the inputs,
# with --cref (BFD, gold) and with lld's --why-extract.
case_linkmap() {
	local L=$ROOT/samples/out/linkmap m opt n=0
	for m in crypto-bfd crypto-gold crypto-lld crypto-mold cref-bfd cref-gold; do
		[ -f "$L/$m.map" ] && [ -f "$L/$m" ] || die "samples/out/linkmap/$m missing: run samples/build.sh"
		readelf -S -W "$L/$m" > lm-re.txt || die "readelf -S $m"
		for opt in "" --no-derive "--why-extract $L/crypto-lld.why"; do
			case $opt in --why*) [ $m = crypto-lld ] || continue ;; esac
			expect_rc 0 "$SLIM" linkmap --top 0 $opt "$L/$m.map" > lm.txt 2> /dev/null
			expect_rc 0 "$SLIM" linkmap --json $opt "$L/$m.map" > lm.json 2> /dev/null
			python3 "$PYLP" linkmap lm.txt lm.json lm-re.txt || die "linkmap $m $opt: text and JSON disagree"
			n=$((n + 1))
		done
	done
	# -o writes the same text and JSON atomically, and says so on stderr
	expect_rc 0 "$SLIM" linkmap --top 0 -o lm-o.txt "$L/crypto-lld.map" 2> lm-o.err
	expect_rc 0 "$SLIM" linkmap --top 0 "$L/crypto-lld.map" > lm.txt 2> /dev/null
	cmp -s lm.txt lm-o.txt || die "linkmap -o FILE differs from stdout's text"
	grep -qx "slim: wrote lm-o.txt" lm-o.err || die "linkmap -o: no 'slim: wrote lm-o.txt' on stderr"
	expect_rc 0 "$SLIM" linkmap --json --output lm-o.json "$L/crypto-lld.map" 2> lm-o.err
	expect_rc 0 "$SLIM" linkmap --json "$L/crypto-lld.map" > lm.json 2> /dev/null
	cmp -s lm.json lm-o.json || die "linkmap --json -o FILE differs from stdout's JSON"
	grep -qx "slim: wrote lm-o.json" lm-o.err || die "linkmap --json -o: not named on stderr"
	echo "linkmap: $n runs over maps of bfd, gold, lld and mold: every figure of the text equals the JSON's and readelf's"
}

# slim pydeps: every distribution row (modules, used, kept, prunable),
# the root lines, the total line and the proven/likely lines, against the
# JSON's totals.python and totals.pydeps and, on their own, its module
# and distribution nodes and prunable-module findings.  The samples'
# -X importtime and -v traces over /usr/lib/python3.11 and dist-packages,
# and a trace recorded here with --prune-data --include likely.
case_pydeps() {
	local P=$ROOT/samples/out/pydeps t n=0
	local roots=(--root /usr/lib/python3.11 --root /usr/lib/python3/dist-packages)
	/usr/bin/python3.11 -c 'import pygments' 2> /dev/null ||
		die "this test needs pygments: apt-get install python3-pygments"
	"$SLIM" pydeps record -o py-rec.txt -- /usr/bin/python3.11 "$ROOT/samples/python/highlight.py" \
		"$ROOT/samples/python/sample.c" c > /dev/null 2>&1 || die "pydeps record failed"
	for t in "$P/highlight.importtime" "$P/highlight.v" py-rec.txt; do
		[ -f "$t" ] || die "$t missing: run samples/build.sh"
		local opt=()
		[ "$t" = py-rec.txt ] && opt=(--prune-data --include likely)
		expect_rc 0 "$SLIM" pydeps --trace "$t" "${roots[@]}" "${opt[@]}" > py.txt 2> /dev/null
		expect_rc 0 "$SLIM" pydeps --json --trace "$t" "${roots[@]}" "${opt[@]}" > py.json 2> /dev/null
		python3 "$PYLP" pydeps py.txt py.json || die "pydeps $t: text and JSON disagree"
		n=$((n + 1))
	done
	grep -q "^  likely: [1-9]" py.txt || die "pydeps: the recorded trace has no likely bytes to compare"
	# -o and --prune-list: written atomically, each named on stderr
	expect_rc 0 "$SLIM" pydeps --trace py-rec.txt "${roots[@]}" -o py-o.txt --prune-list py-prune.txt 2> py-o.err
	expect_rc 0 "$SLIM" pydeps --trace py-rec.txt "${roots[@]}" > py.txt 2> /dev/null
	cmp -s py.txt py-o.txt || die "pydeps -o FILE differs from stdout's text"
	grep -qx "slim: wrote py-o.txt" py-o.err || die "pydeps -o: not named on stderr"
	grep -qx "slim: wrote py-prune.txt" py-o.err || die "pydeps --prune-list: not named on stderr"
	[ -s py-prune.txt ] || die "pydeps --prune-list: empty"
	expect_rc 0 "$SLIM" pydeps --json -o py-o.json --trace py-rec.txt "${roots[@]}" 2> py-o.err
	expect_rc 0 "$SLIM" pydeps --json --trace py-rec.txt "${roots[@]}" > py.json 2> /dev/null
	cmp -s py.json py-o.json || die "pydeps --json -o FILE differs from stdout's JSON"
	grep -qx "slim: wrote py-o.json" py-o.err || die "pydeps --json -o: not named on stderr"
	echo "pydeps: $n traces over python3.11: every figure of the summary equals the JSON's nodes and findings"
}

for c in ${CASES:-fatbin elf report linkmap pydeps}; do
	case_$c
done
