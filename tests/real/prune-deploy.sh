#!/bin/bash
# prune-deploy.sh - `make check-real`: issue #17's Python proof,
# prune-and-rerun on the real Debian 12 deployable of issue #14's proof
# (tests/real/debroot.sh's root with deploy.sh's workload, deployapp.sh).
#   1. `slim prune ROOT -o OUT --py-trace T` (OUT a directory) holds
#      exactly the root's files less the proven prune list `slim report
#      ROOT --py-trace T --prune-list L` writes, less the dist-info of each
#      distribution L removes whole (and nothing else); each removal is
#      listed (the root's devices, dev/console..., are no files that ship:
#      left out with a warning); every file whose bytes changed is one the
#      listing says it rewrote: a RECORD (its rows of removed files gone,
#      every other row byte for byte) or an ELF file (its NEEDED entries
#      less exactly the ones listed as removed, by readelf);
#   2. the workload prints in a chroot of OUT what it printed in the root,
#      on the traced input and on the untraced one (plugins on);
#   3. OUT as .tar.zst extracts to the same tree (diff -r) and the
#      workload runs the same in it; slim's private unpack directory is
#      left empty;
#   4. with --include likely (the likely list goes too, deploy.sh runs it
#      deleted): each duplicate-file copy listed as linked shares one inode
#      with its kept copy in OUT, both the root's identical bytes; every
#      path of the report's duplicate sets is still there but those the
#      likely list removes; both inputs print the same in a chroot of it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
ROOT=${ROOT:-$(cd "$here/../.." && pwd)}
SLIM=${SLIM:-$ROOT/slim}
. "$ROOT/tests/cli/lib.sh"
. "$here/debroot.sh"
. "$here/deployapp.sh"
[ "$(id -u)" = 0 ] || die "prune-deploy.sh needs root (debootstrap, chroot)"
need debootstrap debootstrap
need zstd zstd
need gcc build-essential
need python3 python3
need readelf binutils
[ -x "$SLIM" ] || die "no slim at $SLIM (make, or set SLIM)"
deploy_work prune-deploy
deploy_app "$R"

# --- 1. OUT = the root less the proven prune list ---------------------------
"$SLIM" report "$R" --py-trace trace.txt --prune-list list.txt > /dev/null 2> report.err ||
	{ cat report.err; die "slim report --prune-list"; }
[ -s list.txt ] || die "empty prune list"
"$SLIM" prune "$R" --py-trace trace.txt -o out > out.txt 2> err.txt || { cat err.txt; die "slim prune -o out"; }
(cd "$R" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort) > all.txt
(cd out && find . ! -type d | sed 's|^\./||' | sort) > kept.txt
sort list.txt > list.sorted
comm -23 all.txt kept.txt > gone.txt
comm -13 all.txt kept.txt > new.txt
[ ! -s new.txt ] || die "OUT has files the root has not: $(head -3 new.txt)"
comm -13 gone.txt list.sorted > d.txt
[ ! -s d.txt ] || die "prune list files left in OUT: $(head -3 d.txt)"
# what went beyond the list: only whole dist-info directories of removed distributions
comm -23 gone.txt list.sorted > extra.txt
while read -r f; do
	di=$(echo "$f" | grep -o '^.*\.dist-info/') || die "$f left out, neither in the prune list nor in a dist-info"
	[ ! -e "out/$di" ] || die "$f left out of $di, which stays"
	grep -qx "removed $f (distribution-removed, proven)" out.txt || die "$f: removal not listed"
done < extra.txt
while read -r f; do
	grep -q "^removed $f (" out.txt || die "removal of $f not listed"
done < list.sorted
bytes=$(cd "$R" && xargs -d '\n' stat -c %s < "$tmp/gone.txt" | awk '{s += $1} END {print s + 0}')
# every file whose bytes changed is listed as rewritten, and rightly
nrec=0 nelf=0
while read -r f; do
	[ -L "out/$f" ] && { [ "$(readlink "out/$f")" = "$(readlink "$R/$f")" ] || die "symlink $f changed"; continue; }
	cmp -s "$R/$f" "out/$f" && continue
	case $f in
	*.dist-info/RECORD)
		grep -qx "rewrote $f: the rows of the files removed dropped" out.txt || die "$f changed, not listed"
		python3 - "$R" "$f" gone.txt <<'PY' || die "$f: not the root's RECORD less the removed files' rows"
import csv, io, os, sys
root, rec, gone = sys.argv[1], sys.argv[2], set(open(sys.argv[3]).read().split('\n'))
site = os.path.dirname(os.path.dirname(rec))
old = open(os.path.join(root, rec), newline='').read().splitlines(keepends=True)
want = [l for l in old if os.path.normpath(os.path.join(site, next(csv.reader(io.StringIO(l)))[0])) not in gone]
got = open(os.path.join('out', rec), newline='').read().splitlines(keepends=True)
assert got == want and len(got) < len(old), (len(old), len(want), len(got))
PY
		nrec=$((nrec + 1)) ;;
	*)
		sed -n "\\|^$f: |,/^[^ ]/p" out.txt | grep '^  removed DT_NEEDED' | awk '{print $3}' | sort > said.txt
		[ -s said.txt ] || die "$f changed, but no rewrite of it is listed"
		readelf -dW "$R/$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort > n0.txt
		readelf -dW "out/$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort > n1.txt
		[ "$(comm -23 n0.txt n1.txt)" = "$(cat said.txt)" ] && [ -z "$(comm -13 n0.txt n1.txt)" ] ||
			die "$f: NEEDED went from $(echo $(cat n0.txt)) to $(echo $(cat n1.txt)), the listing says $(echo $(cat said.txt))"
		nelf=$((nelf + 1)) ;;
	esac
done < kept.txt
echo "ok 1: OUT = the root's $(wc -l < all.txt) files and symlinks less the $(wc -l < list.txt) of the proven prune list and $(wc -l < extra.txt) of whole dist-info directories ($bytes bytes), each listed; $nrec RECORD files and $nelf ELF files rewritten as listed, the rest byte-identical"

# --- 2. the workload in OUT -------------------------------------------------
rerun() { # TREE NAME: both inputs print what they did in the root
	in_root "$1" python3 -B /opt/app/app.py /opt/app/in1.yaml > $2.got1 2> $2.err1 ||
		{ tail -3 $2.err1; die "$2: the traced input fails in the pruned tree"; }
	in_root "$1" python3 -B /opt/app/app.py /opt/app/in2.yaml > $2.got2 2> $2.err2 ||
		{ tail -3 $2.err2; die "$2: the untraced input fails in the pruned tree"; }
	cmp -s want1.txt $2.got1 && cmp -s want2.txt $2.got2 || die "$2: output changed once pruned"
}
rerun out dir
echo "ok 2: in a chroot of OUT the traced and the untraced input print what they printed in the root"

# --- 3. OUT as .tar.zst -----------------------------------------------------
"$SLIM" prune "$R" --py-trace trace.txt -o out.tar.zst > /dev/null 2> err.txt || { cat err.txt; die "slim prune -o out.tar.zst"; }
mkdir x && tar --zstd -xpf out.tar.zst -C x || die "extract out.tar.zst"
diff -r --no-dereference out x > d.txt || die "out.tar.zst differs from the directory OUT: $(head -5 d.txt)"
rerun x tar
[ -z "$(ls -A "$TMPDIR")" ] || die "a private directory was left behind: $(ls "$TMPDIR")"
echo "ok 3: OUT as .tar.zst ($(stat -c %s out.tar.zst) bytes) extracts to the same tree, where both inputs print the same"

# --- 4. --include likely: duplicates hardlinked, never deleted --------------
"$SLIM" report "$R" --py-trace trace.txt --include likely --prune-list likely.txt --json -o likely.json > /dev/null 2> report.err ||
	{ cat report.err; die "slim report --include likely"; }
"$SLIM" prune "$R" --py-trace trace.txt --include likely -o outl > outl.txt 2> err.txt || { cat err.txt; die "slim prune --include likely"; }
n=0
while read -r _ a _ b _; do
	[ "$(stat -c %i "outl/$a")" = "$(stat -c %i "outl/$b")" ] || die "linked $a to $b: two inodes"
	cmp -s "outl/$a" "$R/$a" && cmp -s "$R/$a" "$R/$b" || die "linked $a to $b: not the root's identical bytes"
	n=$((n + 1))
done < <(grep '^linked ' outl.txt)
[ $n -gt 0 ] || die "no duplicate linked in the Debian root"
python3 - likely.json likely.txt <<'PY' || die "a duplicate copy went missing"
import json, os, sys
r = json.load(open(sys.argv[1])); gone = set(open(sys.argv[2]).read().split('\n'))
paths = [p for f in r['findings'] if f['kind'] == 'duplicate-file' for p in f['attrs']['paths']]
missing = [p for p in paths if p not in gone and not os.path.lexists(os.path.join('outl', p))]
assert paths and not missing, missing[:5]
print(len(paths), 'paths of duplicate sets:', len([p for p in paths if p in gone]), 'in the likely prune list, the rest all in OUT')
PY
rerun outl likely
echo "ok 4: --include likely: $n duplicate copies hardlinked to their kept copy, none deleted but by the likely list; both inputs print the same"
