#!/bin/bash
# diff-disorderfs.sh - `make check-real`: `slim diff` (issue #16) on two
# builds whose only difference is directory order, made by disorderfs
# itself (reproducible-builds' FUSE file system that shuffles readdir),
# not simulated.  A C project (slim's own common/*.c, -g, every other fix
# applied: -ffile-prefix-map, SOURCE_DATE_EPOCH, ar D) is built twice with
# the steps that take readdir's order, as real build scripts do: the
# archive from `find -name '*.o'`, the sources as `tar -cf src.tar src`
# and as a zip written by Python's os.walk; once in a plain directory,
# once through a disorderfs mount of the same path length.
#   1. the mount's readdir order is not the plain one (else the check
#      proves nothing);
#   2. diffoscope (the oracle) and slim name the same differing files;
#      slim explains 100% of their bytes, and every cause it names is
#      `order`;
#   3. with the order fixed (find | sort, tar --sort=name, sorted walk)
#      both tools report no difference.
# Needs root, /dev/fuse and the disorderfs package (installed when
# missing; otherwise FAILS saying what to install).
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
SLIM=${SLIM:-$ROOT/slim}
die() { echo "FAIL: $*" >&2; exit 1; }
[ -x "$SLIM" ] || die "no slim binary at $SLIM (make, or set SLIM)"
if ! command -v disorderfs > /dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq disorderfs > /dev/null 2>&1 ||
		die "disorderfs missing: apt-get install disorderfs (Debian 12)"
fi
command -v diffoscope > /dev/null || die "diffoscope missing: apt-get install diffoscope"
[ -c /dev/fuse ] || die "no /dev/fuse: disorderfs needs FUSE (run on a machine or container with /dev/fuse)"
T=$(mktemp -d /tmp/slim-disorder.XXXXXX)
cleanup() { fusermount3 -u "$T/b" 2> /dev/null || fusermount -u "$T/b" 2> /dev/null || umount "$T/b" 2> /dev/null; rm -rf "$T"; }
trap cleanup EXIT
export SOURCE_DATE_EPOCH=1700000000

# the source tree, with many files so that a shuffle is sure to differ
mkdir -p "$T/a/src" "$T/bsrc/src" "$T/b"
for f in "$ROOT"/common/*.c "$ROOT"/common/*.h; do cp "$f" "$T/a/src/"; done
cp -a "$T/a/src/." "$T/bsrc/src/"
disorderfs --shuffle-dirents=yes --multi-user=yes "$T/bsrc" "$T/b" > /dev/null 2>&1 ||
	die "disorderfs could not mount $T/bsrc on $T/b"
[ -f "$T/b/src/buf.c" ] || die "the disorderfs mount shows no files"
ls -f "$T/a/src" > "$T/order.a"; ls -f "$T/b/src" > "$T/order.b"
cmp -s "$T/order.a" "$T/order.b" && die "disorderfs gave the plain readdir order: nothing would be checked"
echo "readdir order differs through disorderfs ($(wc -l < "$T/order.a") entries)"

build() { # build DIR SORTED: DIR/out from DIR/src, readdir order unless SORTED
	local d=$1 sorted=$2 c
	mkdir -p "$d/out"
	(cd "$d" && for c in src/*.c; do   # the shell sorts its globs: no order here
		gcc -g -O1 -D_GNU_SOURCE -ffile-prefix-map="$d=." -Isrc -c "$c" -o "out/$(basename "$c" .c).o" || exit 1
	done) || die "gcc in $d"
	(cd "$d/out" &&
	 if [ "$sorted" = sorted ]; then ar rcsD lib.a $(find . -name '*.o' | LC_ALL=C sort)
	 else ar rcsD lib.a $(find . -name '*.o'); fi) || die "ar in $d"
	# the objects were written in glob order: find lists the out dir in
	# readdir order, which disorderfs shuffles in the b build
	if [ "$sorted" = sorted ]; then
		tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
			-C "$d" -cf "$d/out/src.tar" src
	else
		tar --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
			-C "$d" -cf "$d/out/src.tar" src
	fi || die "tar in $d"
	python3 - "$d" "$sorted" <<'PY' || die "zip in $d"
import os, sys, zipfile
d, sorted_ = sys.argv[1], sys.argv[2] == 'sorted'
with zipfile.ZipFile(os.path.join(d, 'out', 'src.zip'), 'w', zipfile.ZIP_DEFLATED) as z:
    for top, dirs, files in os.walk(os.path.join(d, 'src')):
        if sorted_:
            dirs.sort(); files.sort()
        for f in files:
            p = os.path.join(top, f)
            info = zipfile.ZipInfo(os.path.relpath(p, d), (2023, 11, 14, 22, 13, 20))
            info.external_attr = 0o644 << 16
            with open(p, 'rb') as fh:
                z.writestr(info, fh.read(), zipfile.ZIP_DEFLATED)
PY
}

compare() { # compare LABEL: diffoscope and slim on a/out vs b/out
	local label=$1
	diffoscope --no-progress --exclude-directory-metadata=yes --text "$T/$label.diffoscope" \
		"$T/a/out" "$T/b/out" > /dev/null 2>&1
	echo $? > "$T/$label.drc"
	"$SLIM" diff "$T/a/out" "$T/b/out" --json -o "$T/$label.json" 2> "$T/$label.err" ||
		{ cat "$T/$label.err"; die "$label: slim diff failed"; }
}

# 1-2: readdir order
build "$T/a" plain; build "$T/b" plain
compare plain
[ "$(cat "$T/plain.drc")" = 1 ] || die "diffoscope finds no difference between the two builds"
python3 - "$T/plain.json" "$T/plain.diffoscope" <<'PY' || die "order"
import json, re, sys
r = json.load(open(sys.argv[1]))
differs = {f['path'] for f in r['files'] if f['status'] != 'same'}
# diffoscope's text: "--- A/out/lib.a" / "+++ B/out/lib.a" headers, file
# names relative to the compared directories' first level
dfs = set()
for line in open(sys.argv[2], errors='replace'):
    m = re.match(r'^│?\s*--- .*?/out/([^/\s]+)$', line.rstrip())
    if m:
        dfs.add(m.group(1))
assert dfs, 'no file in diffoscope\'s report'
assert {p.split(':')[0] for p in differs} >= dfs and {'lib.a', 'src.tar', 'src.zip'} & differs, (sorted(differs), sorted(dfs))
t = r['totals']
assert t['bytes_differing'] > 0 and t['bytes_explained'] == t['bytes_differing'], t
causes = {c['cause'] for f in r['files'] for c in f.get('causes', [])}
assert causes == {'order'}, causes
print('readdir order: diffoscope and slim name', sorted(dfs), '-',
      t['bytes_differing'], 'bytes differ, 100% explained as order')
PY
# 3: fixed
rm -rf "$T/a/out" "$T/b/out"
build "$T/a" sorted; build "$T/b" sorted
compare sorted
[ "$(cat "$T/sorted.drc")" = 0 ] || { head -30 "$T/sorted.diffoscope"; die "diffoscope still finds a difference with the order fixed"; }
python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
assert r['totals']['bytes_differing'] == 0 and all(f['status'] == 'same' for f in r['files']), r['totals']
" "$T/sorted.json" || die "slim still finds a difference with the order fixed"
echo "ok: disorderfs order explained; with find|sort, tar --sort=name and a sorted walk neither tool finds a difference"
