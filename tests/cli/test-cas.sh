# slim cas (issue #16): the upload of a content-addressed package, proven
# against two references computed here:
#   - file level: NEW's distinct sha256 digests that no OLD file has, their
#     sizes summed (sha256sum, python) == slim's files_new/file_bytes_new;
#   - chunk level: casync (Debian's casync) indexes OLD and NEW with the
#     same chunk limits (--chunk-size=4096:16384:65536, slim's
#     --chunk-avg 16K); the uncompressed bytes of NEW's distinct chunks that
#     OLD's index lacks (read from the .caidx: chunk ends and digests) are
#     within 5% of slim's chunk_bytes_new;
#   - with OLD as NEW, nothing uploads; "fixed" never exceeds "new";
#   - "fixed" looks in every OLD: of three builds, NEW's gzip files differ
#     from the first OLD's in their header time only (explained) and from
#     the second's in content; were the time fixed NEW would upload
#     nothing (`slim cas b1 b2 b3`), while against the second alone it
#     still uploads them (`slim cas b2 b3`).
# The tree: real files (Python's stdlib email, json, unittest and two
# sanitizer runtimes); NEW bumps one library (libasan's bytes become
# libtsan's), edits twenty .py files in the middle, removes one file, adds
# one, and copies one file that OLD already has.
. "$ROOT/tests/cli/lib.sh"
need casync casync
need sha256sum coreutils
T=$PWD
L=/usr/lib/x86_64-linux-gnu
mkdir -p old/lib old/py
cp -r /usr/lib/python3.11/email /usr/lib/python3.11/json /usr/lib/python3.11/unittest old/py/ ||
	die "Python's stdlib is missing"
rm -rf old/py/*/__pycache__ old/py/*/*/__pycache__
for f in libasan.so.8 libubsan.so.1; do
	cp -L "$L/$f" old/lib/ || die "$L/$f is missing: apt-get install gcc"
done
cp -a old new
cp -L "$L/libtsan.so.2" new/lib/libasan.so.8 || die "$L/libtsan.so.2 is missing"
rm new/py/json/tool.py
cp -L "$L/liblsan.so.0" new/lib/ || die "$L/liblsan.so.0 is missing"
cp old/py/email/parser.py new/py/parser-copy.py
find new/py -name '*.py' -size +8k | sort | head -20 | while read -r f; do
	python3 - "$f" <<'PY'
import sys
p = sys.argv[1]; s = open(p).read(); h = len(s) // 2
open(p, 'w').write(s[:h] + '\n# edited for the next release\n' + s[h:])
PY
done

expect_rc 0 $SLIM cas --json --chunk-avg 16K old new > cas.json
expect_rc 0 $SLIM cas --json --chunk-avg 16K old old > same.json
$SLIM cas --chunk-avg 16K old new > cas.txt || die "slim cas text"
grep -q '^  by chunk:' cas.txt || die "no chunk line in the text"

casync make --store=store --chunk-size=4096:16384:65536 old.caidx old > /dev/null 2>&1 || die "casync make old"
casync make --store=store --chunk-size=4096:16384:65536 new.caidx new > /dev/null 2>&1 || die "casync make new"

python3 - cas.json same.json old new old.caidx new.caidx <<'PY' || die "slim cas disagrees with the references"
import hashlib, json, os, struct, sys
c, same, old, new, oidx, nidx = sys.argv[1:]
c, same = json.load(open(c)), json.load(open(same))
assert c['schema'] == 'slim-cas/1', c
def digests(root):
    out = []
    for d, _, fs in os.walk(root):
        for f in fs:
            p = os.path.join(d, f)
            out.append((hashlib.sha256(open(p, 'rb').read()).hexdigest(), os.path.getsize(p)))
    return out
have = {h for h, _ in digests(old)}
fresh = {h: n for h, n in digests(new) if h not in have}
want_files, want_bytes = len(fresh), sum(fresh.values())
got = c['new']
assert (got['files_new'], got['file_bytes_new']) == (want_files, want_bytes), \
    ('file level', got, want_files, want_bytes)
def chunks(idx):
    b = open(idx, 'rb').read()
    size, typ = struct.unpack_from('<QQ', b, 0)
    assert typ == 0x96824d9c7b129ff9 and size == 48, 'not a caidx'
    off = 48 + 16; prev = 0; out = []
    while off + 40 <= len(b):
        end, = struct.unpack_from('<Q', b, off)
        if end == 0:
            break
        out.append((b[off + 8:off + 40], end - prev)); prev = end; off += 40
    return out
have = {d for d, _ in chunks(oidx)}
nchunks = chunks(nidx)
fresh = {d: n for d, n in nchunks if d not in have}
ca = sum(fresh.values())
sl = got['chunk_bytes_new']
ratio = sl / ca
assert abs(ratio - 1) <= 0.05, ('chunk level: slim', sl, 'casync', ca)
s = same['new']
assert s['files_new'] == 0 and s['chunks_new'] == 0 and s['chunk_bytes_new'] == 0, s
assert c['fixed']['chunk_bytes_new'] <= sl and c['fixed']['file_bytes_new'] <= got['file_bytes_new']
print('file level: %d files, %d bytes, as sha256 says; chunk level: slim %d bytes (%d chunks), '
      'casync %d bytes (%d chunks of %d), ratio %.3f' % (want_files, want_bytes, sl, got['chunks_new'],
      ca, len(fresh), len(nchunks), ratio))
PY
expect_rc 2 $SLIM cas --chunk-avg 3 old new 2> bad.txt; one_line bad.txt
expect_rc 2 $SLIM cas old 2> bad.txt; one_line bad.txt

# --- "fixed" against every OLD: the match is only in the first ----------
mkdir b1 b2 b3
cp -r old/py/email b1/ && cp -r old/py/email b2/ && cp -r old/py/email b3/ || die "cp"
python3 - <<'PY' || die "gzip builds"
import glob, gzip, os
for i, f in enumerate(sorted(glob.glob('/usr/lib/python3.11/json/*.py'))):
    data = open(f, 'rb').read()
    name = os.path.basename(f) + '.gz'
    # the same bytes at two times (b1, b3), other bytes in b2
    open('b1/' + name, 'wb').write(gzip.compress(data, mtime=1700000000 + i))
    open('b2/' + name, 'wb').write(gzip.compress(data + b'# b2\n', mtime=1700000000 + i))
    open('b3/' + name, 'wb').write(gzip.compress(data, mtime=1800000000 + i))
PY
ngz=$(ls b3/*.gz | wc -l)
gzbytes=$(cat b3/*.gz | wc -c)
expect_rc 0 $SLIM cas --json --chunk-avg 16K b1 b2 b3 > three.json
expect_rc 0 $SLIM cas --json --chunk-avg 16K b2 b3 > second.json
python3 - three.json second.json "$ngz" "$gzbytes" <<'PY' || die "slim cas: fixed does not look in every OLD"
import json, sys
three, second = (json.load(open(f)) for f in sys.argv[1:3])
ngz, gzbytes = int(sys.argv[3]), int(sys.argv[4])
for c in (three, second):   # slim-cas/1's fields, exactly
    assert sorted(c) == ['chunking', 'fixed', 'new', 'schema', 'store'], sorted(c)
    assert sorted(c['new']) == sorted(c['fixed']) == ['bytes', 'chunk_bytes_new', 'chunks',
        'chunks_new', 'file_bytes_new', 'files', 'files_new'], sorted(c['new'])
# now: the gzip files are new to the store either way
assert (three['new']['files_new'], three['new']['file_bytes_new']) == (ngz, gzbytes), three['new']
assert (second['new']['files_new'], second['new']['file_bytes_new']) == (ngz, gzbytes), second['new']
# fixed: b1 explains them (header time), so nothing is left to upload
assert three['fixed']['files_new'] == 0 and three['fixed']['file_bytes_new'] == 0, three['fixed']
assert three['fixed']['chunk_bytes_new'] == 0, three['fixed']
# b2 alone does not: its gzip files hold other bytes
assert (second['fixed']['files_new'], second['fixed']['file_bytes_new']) == (ngz, gzbytes), second['fixed']
print('fixed with 3 builds: 0 of %d gzip files (%d bytes) upload; against b2 alone all do' % (ngz, gzbytes))
PY
echo "slim cas agrees with sha256 and casync; fixed looks in every OLD"
