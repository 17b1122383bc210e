#!/bin/bash
# test-prune-tree.sh - `slim prune` of a whole deployable (issue #17): a
# root made of this machine's files (python3.11 with its standard library,
# two programs with proven-unused libraries, a CUDA sample library, two
# wheel-style distributions with RECORD files), pruned with a Python trace
# recorded in it:
#   1. OUT holds exactly the root's files less the prune list `slim report
#      --prune-list` writes for the same inputs (and the dist-info of a
#      distribution that list removes whole); each removal is listed;
#   2. the kept distribution's RECORD lost exactly the rows of its removed
#      files; the removed distribution's dist-info is gone;
#   3. the workload, an input the trace never saw, and both programs'
#      --version print the same in OUT (chroot) as in the root; the
#      programs lost their unused DT_NEEDED entries; the CUDA library its
#      unloadable entries; unchanged files are hardlinks of the root's;
#      what slim lists as no longer loaded (a removed entry nothing else
#      loads, a library only it loaded) is exactly what ld.so --list in a
#      chroot of the root loads and of OUT does not;
#   4. OUT as .tar, .tar.zst and .zip holds the same tree (extracted and
#      compared with diff -r); INPUT as a tar gives the same tree;
#   5. --in-place replaces the root with the same tree; an existing OUT is
#      refused and left alone.
. "$ROOT/tests/cli/lib.sh"
. "$ROOT/tests/cli/tree-lib.sh"
need python3.11 python3
need ldd libc-bin
need ldconfig libc-bin
need chroot coreutils
need tar tar
need zstd zstd
need unzip unzip
[ "$(id -u)" = 0 ] || die "this test needs root (chroot runs the tree's programs)"
py=/usr/lib/python3.11
tree_init "$PWD/root"
closure /usr/bin/python3.11
closure /usr/bin/gio
closure /usr/bin/xgettext
for so in $py/lib-dynload/*.so; do
	for f in $(ldd "$so" | grep -o '/[^ ]*'); do place "$f"; done
done
cp -a $py "$R/usr/lib/" || die "cp $py"
rm -rf "$R$py/test" "$R$py/idlelib" "$R$py/tkinter" "$R$py/lib2to3" "$R$py/ensurepip"
find "$R$py" -name __pycache__ -prune -exec rm -rf {} +
cp "$ROOT/samples/out/fatbin/libk.so" "$R/usr/lib/libk.so"
# a program whose unused libuna.so alone loads libunb.so (samples/build-elf.sh)
E=$ROOT/samples/out/elf/trans
[ -f "$E/main" ] || die "samples not built: run samples/build.sh"
cp "$E/libuna.so" "$E/libunb.so" "$R/usr/lib/" && cp "$E/main" "$R/usr/bin/trans-main" || die "cp $E"
sp=$R/usr/lib/python3/dist-packages
mkdir -p "$sp/usedpkg" "$sp/usedpkg-1.0.dist-info" "$sp/gonepkg" "$sp/gonepkg-2.0.dist-info"
echo 'from usedpkg.core import VALUE' > "$sp/usedpkg/__init__.py"
echo 'VALUE = 42' > "$sp/usedpkg/core.py"
echo 'EXTRA = 1' > "$sp/usedpkg/extra.py"
echo 'GONE = 1' > "$sp/gonepkg/__init__.py"
for d in usedpkg-1.0 gonepkg-2.0; do
	printf 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' "${d%-*}" "${d#*-}" > "$sp/$d.dist-info/METADATA"
done
cat > "$sp/usedpkg-1.0.dist-info/RECORD" <<'REC'
usedpkg/__init__.py,sha256=x,31
usedpkg/core.py,sha256=y,11
usedpkg/extra.py,sha256=z,10
usedpkg-1.0.dist-info/METADATA,,
usedpkg-1.0.dist-info/RECORD,,
REC
cat > "$sp/gonepkg-2.0.dist-info/RECORD" <<'REC'
gonepkg/__init__.py,sha256=g,9
gonepkg-2.0.dist-info/METADATA,,
gonepkg-2.0.dist-info/RECORD,,
REC
# duplicates (issue #17: applied only with --include likely): two equal
# data files, and a third copy with another mode, which no hardlink can be
mkdir -p "$sp/usedpkg/data" "$sp/usedpkg/more"
seq 1 500 > "$sp/usedpkg/data/table.txt"
cp "$sp/usedpkg/data/table.txt" "$sp/usedpkg/more/table.txt"
install -m 0600 "$sp/usedpkg/data/table.txt" "$sp/usedpkg/more/private.txt"
tree_done
work='import json, usedpkg; print(json.dumps({"a": [usedpkg.VALUE]}))'
other='import json, usedpkg; print(json.loads("[3, {\"b\": null}]"), usedpkg.VALUE)'
chroot "$R" /usr/bin/python3.11 -B -X importtime -c "$work" 2> trace.txt > want1.txt || die "python3.11 does not run in the root"
chroot "$R" /usr/bin/python3.11 -B -c "$other" > want2.txt || die "the other input"
for p in gio xgettext; do chroot "$R" /usr/bin/$p --version > want-$p.txt 2>&1 < /dev/null || die "$p --version in the root"; done
chroot "$R" /usr/bin/trans-main > want-trans-main.txt 2>&1 < /dev/null || die "trans-main in the root"

# --- 1. OUT = root less the prune list ------------------------------------
args=(--entry /usr/bin/python3.11 --entry /usr/bin/gio --entry /usr/bin/xgettext --entry /usr/bin/trans-main --entry /usr/lib/libk.so --py-trace trace.txt --arch sm_90)
"$SLIM" report "$R" "${args[@]}" --prune-list list.txt > /dev/null 2>&1 || die "slim report --prune-list"
grep -qx 'usr/lib/python3/dist-packages/gonepkg/__init__.py' list.txt || die "gonepkg not in the prune list: $(grep dist-packages list.txt)"
grep -qx 'usr/lib/python3/dist-packages/usedpkg/extra.py' list.txt || die "usedpkg/extra.py not in the prune list"
"$SLIM" prune "$R" "${args[@]}" -o out > out.txt 2> err.txt || die "slim prune: $(cat err.txt)"
(cd "$R" && find . ! -type d | sort) > all.txt
(cd out && find . ! -type d | sort) > kept.txt
{ sed 's|^|./|' list.txt; echo ./usr/lib/python3/dist-packages/gonepkg-2.0.dist-info/METADATA
  echo ./usr/lib/python3/dist-packages/gonepkg-2.0.dist-info/RECORD; } | sort -u > gone.txt
comm -23 all.txt gone.txt > want-kept.txt
diff want-kept.txt kept.txt > d.txt || die "OUT is not the root less the prune list: $(head d.txt)"
while read -r p; do
	grep -q "^removed ${p#./} (" out.txt || die "removal of $p not listed"
done < gone.txt
echo "ok 1: OUT = the root's $(wc -l < all.txt) files less $(wc -l < gone.txt) (the prune list and a dist-info), each listed"

# --- 2. RECORD ------------------------------------------------------------
grep -v '^usedpkg/extra.py,' "$sp/usedpkg-1.0.dist-info/RECORD" > want-record.txt
cmp -s want-record.txt out/usr/lib/python3/dist-packages/usedpkg-1.0.dist-info/RECORD ||
	die "RECORD: $(diff want-record.txt out/usr/lib/python3/dist-packages/usedpkg-1.0.dist-info/RECORD)"
grep -q "^rewrote usr/lib/python3/dist-packages/usedpkg-1.0.dist-info/RECORD" out.txt || die "RECORD rewrite not listed"
[ ! -e out/usr/lib/python3/dist-packages/gonepkg-2.0.dist-info ] || die "gonepkg's dist-info left"
echo "ok 2: the kept distribution's RECORD lost exactly its removed row; the removed one's dist-info went"

# --- 3. it still runs -----------------------------------------------------
chroot out /usr/bin/python3.11 -B -c "$work" > got1.txt || die "the workload fails in OUT"
chroot out /usr/bin/python3.11 -B -c "$other" > got2.txt || die "the other input fails in OUT"
cmp -s want1.txt got1.txt && cmp -s want2.txt got2.txt || die "Python output changed in OUT"
for p in gio xgettext; do
	chroot out /usr/bin/$p --version > got-$p.txt 2>&1 < /dev/null || die "$p --version fails in OUT"
	cmp -s want-$p.txt got-$p.txt || die "$p --version differs in OUT"
	grep -q "^  removed DT_NEEDED" <(sed -n "/^usr\/bin\/$p:/,/^[^ ]/p" out.txt) || die "$p: no DT_NEEDED removed: $(cat out.txt | grep -A2 $p)"
done
! readelf -dW out/usr/bin/gio | grep -q "libgmodule" || die "gio still needs libgmodule"
chroot out /usr/bin/trans-main > got-trans-main.txt 2>&1 < /dev/null || die "trans-main fails in OUT"
cmp -s want-trans-main.txt got-trans-main.txt || die "trans-main prints another output in OUT"
# what stops loading, as the loader of each root sees it (ld.so --list in
# a chroot): exactly the removed entries slim says nothing else loads, and
# the libraries it lists as "no longer loaded"
loaded() { # ROOTDIR PROGRAM: the node ids (lib:PATH) of what ld.so loads
	local r p
	r=$(realpath "$1")
	chroot "$r" /lib64/ld-linux-x86-64.so.2 --list "$2" > ldl.txt 2>&1 || die "ld.so --list $2 in $1: $(cat ldl.txt)"
	for p in $(sed -n 's/.* => \(\/[^ ]*\) .*/\1/p' ldl.txt); do
		realpath "$r$p" || echo "unresolved:$p"
	done | sed "s|^$r/|lib:|" | sort -u
}
for p in gio xgettext trans-main; do
	sed -n "/^usr\/bin\/$p:/,/^[^ ]/p" out.txt > block.txt
	{ grep '^  removed DT_NEEDED' block.txt | grep -v 'still load it' | sed 's/^  removed DT_NEEDED [^ ]* (\([^,]*\),.*/\1/'
	  sed -n 's/^  no longer loaded: \([^ ]*\) .*/\1/p' block.txt; } | sort -u > said-$p.txt
	loaded "$R" /usr/bin/$p > before.txt
	loaded out /usr/bin/$p > after.txt
	[ -s after.txt ] || die "ld.so lists nothing for $p in OUT"
	comm -23 before.txt after.txt > lost-$p.txt
	diff said-$p.txt lost-$p.txt > d.txt || die "$p: what slim says stops loading differs from ld.so: $(cat d.txt)"
done
grep -q "^  no longer loaded: lib:usr/lib/libunb.so (only the removed entries loaded it); its initializers no longer run: DT_INIT" \
	<(sed -n '/^usr\/bin\/trans-main:/,/^[^ ]/p' out.txt) || die "trans-main: libunb.so not listed as no longer loaded: $(cat out.txt)"
grep -q "^  removed DT_NEEDED libgmodule-2.0.so.0 .*other objects still load it" out.txt ||
	die "gio: libgmodule (still loaded through libgio) not said to stay loaded: $(grep -A2 '^usr/bin/gio' out.txt)"
[ -s lost-trans-main.txt ] && [ ! -s lost-gio.txt ] || die "the ld.so check proves nothing: trans-main lost $(cat lost-trans-main.txt), gio $(cat lost-gio.txt)"
echo "ok 3b: what stops loading (ld.so --list in both roots) is exactly what slim lists: libuna.so and libunb.so for trans-main with their initializers, nothing for gio and xgettext"
"$SLIM" fatbin --arch sm_90 out/usr/lib/libk.so | grep -q ": 0 prunable entries" || die "libk.so still has prunable entries"
[ "$(stat -c %i "$R/usr/bin/python3.11")" = "$(stat -c %i out/usr/bin/python3.11)" ] || die "python3.11 (unchanged) not hardlinked"
[ "$(stat -c %i "$R/usr/bin/gio")" != "$(stat -c %i out/usr/bin/gio)" ] || die "gio (rewritten) shares the root's inode"
echo "ok 3: the workload, an untraced input and both programs print the same in OUT; unchanged files hardlinked"

# --- 4. archives out and in -----------------------------------------------
for ext in tar tar.zst tar.gz zip whl; do
	"$SLIM" prune "$R" "${args[@]}" -o "o.$ext" > /dev/null 2> err.txt || die "-o o.$ext: $(cat err.txt)"
	rm -rf x && mkdir x
	case $ext in
	tar) tar -xf o.tar -C x ;;
	tar.zst) tar --zstd -xf o.tar.zst -C x ;;
	tar.gz) tar -xzf o.tar.gz -C x ;;
	zip|whl) (cd x && unzip -q "../o.$ext") ;;
	esac || die "cannot extract o.$ext"
	diff -r --no-dereference out x > d.txt || die "o.$ext differs from the directory OUT: $(head -5 d.txt)"
done
tar -C "$R" -cf root.tar . || die "tar the root"
"$SLIM" prune root.tar "${args[@]}" -o out2 > /dev/null 2> err.txt || die "INPUT root.tar: $(cat err.txt)"
diff -r --no-dereference out out2 > d.txt || die "INPUT as a tar gives another tree: $(head -5 d.txt)"
echo "ok 4: OUT as .tar, .tar.zst, .tar.gz, .zip and .whl and INPUT as .tar: the same tree"

# --- 5. --in-place, and an existing OUT -----------------------------------
cp -a "$R" inplace
expect_rc 2 "$SLIM" prune inplace "${args[@]}" -o inplace > /dev/null 2> err.txt
"$SLIM" prune inplace "${args[@]}" --in-place -o inplace > /dev/null 2> err.txt || die "--in-place: $(cat err.txt)"
diff -r --no-dereference out inplace > d.txt || die "--in-place gives another tree: $(head -5 d.txt)"
ls -A | grep -q '^\.slim-prune' && die "temporaries left: $(ls -A | grep '^\.slim')"
expect_rc 2 "$SLIM" prune "$R" "${args[@]}" -o out > /dev/null 2> err.txt
one_line err.txt
diff -r --no-dereference inplace out > /dev/null || die "a refused OUT was changed"
echo "ok 5: --in-place replaces the root with the same tree; an existing OUT is refused"

# --- 6. duplicates: hardlinks with --include likely, untouched without ----
d=usr/lib/python3/dist-packages/usedpkg
for f in data/table.txt more/table.txt more/private.txt; do
	[ "$(stat -c %i "out/$d/$f")" = "$(stat -c %i "$R/$d/$f")" ] || die "without --include likely, $f is not the root's own file"
done
"$SLIM" prune "$R" "${args[@]}" --include likely -o outl > outl.txt 2> err.txt || die "--include likely: $(cat err.txt)"
grep -Eq "^linked $d/(more|data)/table.txt to $d/(data|more)/table.txt \(duplicate-file" outl.txt || die "table.txt copies not linked: $(grep '^linked' outl.txt)"
! grep -q "^linked .*private.txt" outl.txt || die "a copy with another mode was linked"
[ "$(stat -c %i "outl/$d/data/table.txt")" = "$(stat -c %i "outl/$d/more/table.txt")" ] || die "table.txt copies: not one inode in OUT"
[ "$(stat -c %i "outl/$d/more/private.txt")" != "$(stat -c %i "outl/$d/data/table.txt")" ] || die "private.txt linked"
n=0
while read -r _ a _ b _; do
	[ -f "outl/$a" ] && [ -f "outl/$b" ] || die "linked $a to $b: a copy is missing"
	[ "$(stat -c %i "outl/$a")" = "$(stat -c %i "outl/$b")" ] || die "linked $a to $b: two inodes"
	cmp -s "outl/$a" "$R/$a" && cmp -s "outl/$b" "$R/$b" && cmp -s "$R/$a" "$R/$b" ||
		die "linked $a to $b: not the root's identical bytes"
	n=$((n + 1))
done < <(grep '^linked ' outl.txt)
chroot outl /usr/bin/python3.11 -B -c "$work" > got1.txt || die "the workload fails in the --include likely OUT"
cmp -s want1.txt got1.txt || die "the workload prints another output in the --include likely OUT"
"$SLIM" prune "$R" "${args[@]}" --include likely -o outl.tar > /dev/null 2> err.txt || die "-o outl.tar: $(cat err.txt)"
tar -tvf outl.tar | grep -Eq "^h.* $d/(more|data)/table.txt link to $d/(data|more)/table.txt$" || die "outl.tar: no hardlink entry for table.txt"
rm -rf x && mkdir x && tar -xf outl.tar -C x || die "extract outl.tar"
diff -r --no-dereference outl x > d.txt || die "outl.tar differs from the directory OUT: $(head -5 d.txt)"
[ "$(stat -c %i "x/$d/data/table.txt")" = "$(stat -c %i "x/$d/more/table.txt")" ] || die "outl.tar extracts table.txt as two files"
echo "ok 6: with --include likely $n duplicate copies became hardlinks of identical kept copies (tar: hardlink entries), another mode kept apart, the workload runs; without it, untouched"

# --- 7. names that are not ASCII (Debian's ca-certificates has UTF-8 ones) -
mkdir -p names/d && echo cert > "names/d/Főtanúsítvány.pem" && ln -s "Főtanúsítvány.pem" names/d/link.pem &&
	echo raw > "names/d/$(printf 'raw\377')" || die "make names/"
for ext in tar zip; do
	"$SLIM" prune names -o "names.$ext" > /dev/null 2> err.txt || die "names -o names.$ext: $(cat err.txt)"
	rm -rf x && mkdir x
	case $ext in
	tar) tar -xf names.tar -C x 2> /dev/null ;;
	zip) (cd x && unzip -q ../names.zip) ;;
	esac || die "cannot extract names.$ext"
	if [ $ext = tar ]; then
		diff -r --no-dereference names x > d.txt || die "names.tar: $(cat d.txt)"
	else
		# zip names are UTF-8: the raw byte comes back as what unzip makes of it
		cmp -s "names/d/Főtanúsítvány.pem" "x/d/Főtanúsítvány.pem" &&
			[ "$(readlink x/d/link.pem)" = "Főtanúsítvány.pem" ] || die "names.zip: $(ls -la x/d)"
	fi
done
tar -tvf names.tar 2>&1 | grep -q "link.pem -> Főtanúsítvány.pem$" || die "names.tar: the UTF-8 link target"
echo "ok 7: UTF-8 names and link targets round-trip through .tar and .zip, a name of raw bytes through .tar"
