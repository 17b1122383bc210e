# slim diff on two builds (issue #16), proven against diffoscope:
#   1. a real C project (slim's own common/buf,hmap,arena,util,diag,
#      memlimit,ofile .c files and a main.c using __DATE__/__TIME__) built
#      with -g into .o files, an ar archive and a program (linked from the
#      objects: linking the reordered archive would lay the program out in
#      another order, which slim calls unexplained), twice: in another
#      build directory (same length, as CI workspaces are), under faketime
#      a day later, as another user (nobody, with setpriv), with umask 077
#      and ar U (headers with dates, uids, modes) and the members in
#      reverse order (what disorderfs does to a glob); plus .pyc files of a
#      real installed package (json from Python's stdlib) compiled from the
#      same sources at two mtimes, a wheel of it (zip members with the
#      files' times and modes, in directory order), a .tar.gz of the
#      sources and a .deb of them (dpkg-deb: ar, tar, xz).  diffoscope (the oracle) and slim name the same differing
#      files and archive members; every section diffoscope names by name
#      slim names too; slim explains >= 99% of the differing bytes; the
#      program's DW_AT_comp_dir is named, as readelf shows it differs;
#      --fail-on unexplained passes and --fail-on any fails;
#   2. the same builds with the fixes (-ffile-prefix-map, SOURCE_DATE_EPOCH,
#      ar D, sorted members, py_compile checked-hash, wheel times from
#      SOURCE_DATE_EPOCH and fixed modes, tar --sort --mtime --owner
#      --mode and gzip -n, dpkg-deb --root-owner-group after fixed modes): diffoscope reports no difference, and slim
#      says 0 bytes differ (--fail-on any passes);
#   3. a file against a directory is one error line and exit 2; so is a
#      corrupt ELF or truncated archive on one side, the rest compared.
. "$ROOT/tests/cli/lib.sh"
need diffoscope diffoscope
need faketime faketime
need gcc gcc
need ar binutils
need setpriv util-linux
need dpkg-deb dpkg
T=$PWD

build() { # build DIR FIXED ORDER: the C project into DIR/out
	local d=$1 fixed=$2 order=$3 f flags="-g -O1"
	mkdir -p "$d/src" "$d/out"
	for f in buf hmap arena util diag memlimit ofile; do
		cp "$ROOT/common/$f.c" "$ROOT/common/$f.h" "$d/src/" || die "cp into $d"
	done
	cat > "$d/src/main.c" <<'C'
#include <stdio.h>
#include "buf.h"
int main(void)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "built on %s at %s", __DATE__, __TIME__);
	puts(buf_cstr(&b));
	buf_free(&b);
	return 0;
}
C
	[ "$fixed" = fixed ] && flags="$flags -ffile-prefix-map=$d=."
	(cd "$d" && for f in buf hmap arena util diag memlimit ofile main; do
		gcc $flags -c "$d/src/$f.c" -o "out/$f.o" || exit 1; done) || die "gcc in $d"
	local members="out/buf.o out/hmap.o out/arena.o out/util.o out/diag.o out/memlimit.o out/ofile.o"
	[ "$order" = reverse ] && members=$(echo $members | tr ' ' '\n' | tac | tr '\n' ' ')
	(cd "$d" && ar "rcs$([ "$fixed" = fixed ] && echo D || echo U)" out/libc.a $members &&
	 gcc -g -o out/prog out/main.o out/buf.o out/hmap.o out/arena.o out/util.o out/diag.o \
		out/memlimit.o out/ofile.o) || die "ar/ld in $d"
	# the sources as a tarball
	if [ "$fixed" = fixed ]; then
		tar --sort=name --mtime="@$SOURCE_DATE_EPOCH" --owner=0 --group=0 --numeric-owner \
			--mode='a=rX,u+w' -C "$d" -cf - src | gzip -n > "$d/out/src.tar.gz"
	else
		tar -C "$d" -czf "$d/out/src.tar.gz" src
	fi || die "tar in $d"
	# and as a Debian package (ar, control.tar.xz, data.tar.xz)
	mkdir -p "$d/pkg/DEBIAN" "$d/pkg/usr/src/common" &&
	cp "$d"/src/*.c "$d/pkg/usr/src/common/" &&
	printf 'Package: slim-common-src\nVersion: 1.0\nArchitecture: all\nMaintainer: t <t@t>\nDescription: t\n' \
		> "$d/pkg/DEBIAN/control" || die "pkg in $d"
	if [ "$fixed" = fixed ]; then   # as dh_fixperms and dpkg-buildpackage do
		chmod -R a+rX,go-w "$d/pkg" && dpkg-deb --root-owner-group -Zxz --build "$d/pkg" "$d/out/src.deb"
	else                            # dpkg-deb wants DEBIAN/ 0755 whatever the umask
		chmod 755 "$d/pkg/DEBIAN" && dpkg-deb -Zxz --build "$d/pkg" "$d/out/src.deb"
	fi > /dev/null || die "dpkg-deb in $d"
}
wheel() { # wheel OUT FIXED: the json package as a wheel (zip)
	python3 - "$T/pysrc" "$1" "$2" <<'PY' || die "zipfile"
import os, sys, time, zipfile
src, out, fixed = sys.argv[1:]
names = sorted(f for f in os.listdir(src) if f.endswith('.py'))
um = os.umask(0); os.umask(um)
if fixed != 'fixed':                # member order as the directory lists it
    names = names[::-1] if os.path.basename(os.path.dirname(os.path.dirname(out))) == 'w2' else names
with zipfile.ZipFile(os.path.join(out, 'json-2.0-py3-none-any.whl'), 'w', zipfile.ZIP_DEFLATED) as z:
    for n in names:
        p = os.path.join(src, n)
        t = time.gmtime(int(os.environ['SOURCE_DATE_EPOCH'])) if fixed == 'fixed' else \
            time.localtime(os.path.getmtime(p))
        i = zipfile.ZipInfo('json/' + n, t[:6])
        i.external_attr = (0o100644 if fixed == 'fixed' else 0o100000 | (0o666 & ~um)) << 16
        i.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(i, open(p, 'rb').read())
PY
}
pyc() { # pyc OUT MODE: the stdlib json package compiled into OUT
	python3 - "$T/pysrc" "$1" "$2" <<'PY' || die "py_compile"
import os, py_compile, sys
src, out, mode = sys.argv[1:]
for f in sorted(os.listdir(src)):
    if f.endswith('.py'):
        py_compile.compile(os.path.join(src, f), cfile=os.path.join(out, f + 'c'), doraise=True,
                           invalidation_mode=py_compile.PycInvalidationMode[mode])
PY
}

cp -r /usr/lib/python3.11/json "$T/pysrc" || die "no /usr/lib/python3.11/json"
rm -rf "$T/pysrc/__pycache__"

# --- 1. unfixed: another dir, another clock, another umask, another order
build "$T/w1/b" plain sorted
pyc "$T/w1/b/out" TIMESTAMP
wheel "$T/w1/b/out" plain
# the second build as another user (nobody), a day later, umask 077
# (libfaketime preloaded as nobody, not the faketime wrapper: the wrapper
# needs a POSIX semaphore in /dev/shm, which a chroot or a container may
# not offer)
FTLIB=$(dpkg -L libfaketime 2> /dev/null | grep '/libfaketime\.so\.1$' | head -n 1)
[ -n "$FTLIB" ] || die "this test needs libfaketime (apt-get install faketime)"
fake() { setpriv --reuid=65534 --regid=65534 --clear-groups env LD_PRELOAD="$FTLIB" FAKETIME=+1d "$@"; }
[ "$(fake date +%F)" = "$(date -d tomorrow +%F)" ] || die "libfaketime does not shift the clock: $(fake date 2>&1)"
mkdir -p "$T/w2" && chown 65534:65534 "$T/w2" && chmod 755 "$T"
# the sources where nobody can read them ($ROOT may be under /root)
mkdir -p "$T/src-root/common" && cp "$ROOT"/common/*.[ch] "$T/src-root/common/" &&
	chmod -R a+rX "$T/src-root" || die "copy of common/"
fake \
	bash -c "umask 077; $(declare -f build die); ROOT='$T/src-root' build '$T/w2/b' plain reverse" ||
	die "the second build (as nobody)"
touch -d '2024-03-01 12:00' "$T"/pysrc/*.py
pyc "$T/w2/b/out" TIMESTAMP
(umask 077; wheel "$T/w2/b/out" plain)
chmod -R a+rX "$T/w2"

diffoscope --json dos.json --exclude-directory-metadata=recursive w1/b/out w2/b/out > /dev/null 2>&1
[ $? = 1 ] || die "diffoscope found no difference between the unfixed builds"
expect_rc 0 $SLIM diff --json w1/b/out w2/b/out > slim.json 2> err.txt
[ -s err.txt ] && { cat err.txt; }
python3 - dos.json slim.json <<'PY' || die "slim and diffoscope disagree"
import json, re, sys
dos, sl = (json.load(open(f)) for f in sys.argv[1:])
assert sl['schema'] == 'slim-diff/1' and 'nodes_added' in sl, 'the graph diff is gone'
# diffoscope: the differing files and archive members, and the sections
# it names by name (string/hex dumps) or by DWARF table
root = dos['source1'].rstrip('/') + '/'
dfiles, dsecs = set(), {}
def walk(n, owner):
    s = n['source1']
    if n.get('details') is None and not n.get('unified_diff'):
        return
    if s.startswith(root):                      # a file of the tree
        owner = s[len(root):]
        dfiles.add(owner)
    elif owner and owner.endswith('.a') and ':' not in owner and re.fullmatch(r'[\w.+-]+', s):
        owner = owner + ':' + s                   # an archive member
        dfiles.add(owner)
    else:
        m = re.search(r'--(?:string|hex)-dump=(\S+)', s)
        # a DWARF dump renders the strings .debug_info and .debug_line
        # point to: any .debug_* section of the file answers it
        sec = m.group(1) if m else '.debug_*' if '--debug-dump=' in s else None
        if sec:
            dsecs.setdefault(owner, set()).add(sec)
    for c in n.get('details') or []:
        walk(c, owner)
for c in dos.get('details') or []:
    walk(c, None)
# slim: the differing files, members (the "where" prefix) and sections
sfiles, ssecs = set(), {}
for f in sl['files']:
    if f['status'] == 'same':
        continue
    sfiles.add(f['path'])
    for c in f['causes']:
        w = c['where']; owner = f['path']
        m = re.match(r'([^ :\[]+\.o): (.*)', w)
        if m and f['path'].endswith('.a'):
            owner = f['path'] + ':' + m.group(1); w = m.group(2); sfiles.add(owner)
        ssecs.setdefault(owner, set()).add(w.split(' ')[0])
assert dfiles == sfiles, ('files: diffoscope only', sorted(dfiles - sfiles), 'slim only', sorted(sfiles - dfiles))
for owner, secs in dsecs.items():
    for s in secs:
        assert any(x == s or x == '.rela' + s or (s == '.debug_*' and
                   x.startswith(('.debug_', '.rela.debug_'))) for x in ssecs.get(owner, ())), \
            (owner, s, 'named by diffoscope, not by slim', sorted(ssecs.get(owner, ())))
t = sl['totals']
pct = 100.0 * t['bytes_explained'] / t['bytes_differing']
assert pct >= 99.0, ('explained', pct)
causes = t['by_cause']
for c in ('build-path', 'timestamp', 'owner', 'mode', 'order', 'build-id'):
    assert causes.get(c), (c, 'not found', causes)
print('%d files and members differ, as diffoscope says; %d sections diffoscope names, all named; '
      '%d of %d bytes explained (%.2f%%): %s' % (len(dfiles), sum(map(len, dsecs.values())),
      t['bytes_explained'], t['bytes_differing'], pct, causes))
PY
# the DWARF attribute named where the debug info differs: readelf agrees
# that the program's units name two different compilation directories
readelf --debug-dump=info w1/b/out/prog | grep -m1 DW_AT_comp_dir > cd1.txt
readelf --debug-dump=info w2/b/out/prog | grep -m1 DW_AT_comp_dir > cd2.txt
[ -s cd1.txt ] && ! cmp -s cd1.txt cd2.txt || die "readelf sees one DW_AT_comp_dir in both programs"
$SLIM diff w1/b/out/prog w2/b/out/prog 2> /dev/null | grep -q 'DWARF: DW_AT_comp_dir differs' ||
	die "slim does not name DW_AT_comp_dir"
expect_rc 0 $SLIM diff --fail-on unexplained w1/b/out w2/b/out > text.out 2> /dev/null
expect_rc 1 $SLIM diff --fail-on any w1/b/out w2/b/out > /dev/null 2>&1
grep -q '^total: .* explained' text.out || die "no total line in the text"
$SLIM diff --markdown w1/b/out w2/b/out 2> /dev/null | grep -q '^| build-path | ' || die "markdown lacks the causes table"

# --- 2. fixed: both tools see no difference
export SOURCE_DATE_EPOCH=1700000000
build "$T/v1/b" fixed sorted
pyc "$T/v1/b/out" CHECKED_HASH
wheel "$T/v1/b/out" fixed
mkdir -p "$T/v2" && chown 65534:65534 "$T/v2"
fake \
	bash -c "umask 077; $(declare -f build die); ROOT='$T/src-root' build '$T/v2/b' fixed sorted" ||
	die "the second fixed build"
touch -d '2024-04-01 12:00' "$T"/pysrc/*.py
pyc "$T/v2/b/out" CHECKED_HASH
(umask 077; wheel "$T/v2/b/out" fixed)
unset SOURCE_DATE_EPOCH
chmod -R a+rX "$T/v2"
diffoscope --exclude-directory-metadata=recursive v1/b/out v2/b/out > dos-fixed.txt 2>&1 ||
	{ head -40 dos-fixed.txt; die "diffoscope still sees a difference with the fixes"; }
expect_rc 0 $SLIM diff --json --fail-on any v1/b/out v2/b/out > fixed.json 2> /dev/null
python3 - fixed.json <<'PY' || die "slim sees a difference with the fixes"
import json, sys
d = json.load(open(sys.argv[1]))
assert d['totals']['bytes_differing'] == 0 and all(f['status'] == 'same' for f in d['files']), d['totals']
print('fixed builds: %d files, diffoscope and slim see no difference' % len(d['files']))
PY

# --- 3. bad operands: a file against a directory; a corrupt ELF and a
# truncated archive on one side are one line each, the rest still compared
expect_rc 2 $SLIM diff w1/b/out w1/b/out/prog > /dev/null 2> bad.txt; one_line bad.txt
$SLIM report --json -o r.json w1/b/out/prog 2> /dev/null || die "slim report"
expect_rc 2 $SLIM diff --fail-on any r.json r.json > /dev/null 2> bad.txt; one_line bad.txt
mkdir bad1 bad2
cp w1/b/out/prog w1/b/out/libc.a w1/b/out/main.o bad1/
cp w2/b/out/prog w2/b/out/libc.a w2/b/out/main.o bad2/
python3 - <<'PY'
b = bytearray(open('bad2/prog', 'rb').read()); b[0x28:0x30] = b'\xff' * 8   # e_shoff
open('bad2/prog', 'wb').write(b)
b = open('bad2/libc.a', 'rb').read(); open('bad2/libc.a', 'wb').write(b[:len(b) // 2])
PY
expect_rc 2 $SLIM diff --json bad1 bad2 > bad.json 2> bad.txt
[ "$(grep -c 'does not parse on one side' bad.txt)" = 2 ] || { cat bad.txt; die "want one line per corrupt file"; }
python3 - bad.json <<'PY' || die "the rest was not compared"
import json, sys
f = {x['path']: x for x in json.load(open(sys.argv[1]))['files']}
assert f['main.o']['status'] == 'differs' and f['main.o']['bytes_explained'] == f['main.o']['bytes_differing'], f['main.o']
assert f['prog']['causes'][0]['cause'] == 'unexplained' and f['libc.a']['bytes_differing'] > 0
PY
echo "slim diff of two builds agrees with diffoscope"
