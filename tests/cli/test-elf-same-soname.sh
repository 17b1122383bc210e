# Two different files with one SONAME in one run (CUDA's libcheckpoint.so
# in its lib64 and Debian's CUDA 11.8 one in /usr/lib once shared a node:
# the first's path with the second's size): each input keeps a node of its
# own -- the second named "lib:SONAME~2" as two unnamed objects of one
# process image are -- with its own path and size, equal to stat's; the
# same file given twice is still one node.
source "$ROOT/tests/cli/lib.sh"
need gcc gcc; need python3 python3
mkdir a b
printf 'int f(void) { return 1; }\n' > a.c
printf 'static char big[100000] = {1}; int f(void) { return big[7]; }\nint g(void) { return 2; }\n' > b.c
gcc -shared -fPIC -Wl,-soname,libsame.so.1 -o a/libsame.so.1 a.c || die "gcc a"
gcc -shared -fPIC -Wl,-soname,libsame.so.1 -o b/libsame.so.1 b.c || die "gcc b"
$SLIM elf --json --no-bind a/libsame.so.1 b/libsame.so.1 a/libsame.so.1 > r.json 2> err || die "slim elf: $(cat err)"
python3 - <<'PY' || die "one SONAME, two files"
import json, os
d = json.load(open('r.json'))
nodes = {n['id']: n for n in d['nodes']}
ins = [(i['path'], i['node']) for i in d['inputs']]
assert len({n for _, n in ins}) == 2, ins
byp = dict(ins)
assert byp == {'a/libsame.so.1': 'lib:libsame.so.1', 'b/libsame.so.1': 'lib:libsame.so.1~2'}, ins
for p, n in ins:
    assert nodes[n]['size'] == os.path.getsize(p), (p, n, nodes[n]['size'])
    assert os.path.samefile(nodes[n]['attrs']['path'], p), (p, nodes[n]['attrs']['path'])
print('two files, two nodes:', sorted(byp.values()))
PY
