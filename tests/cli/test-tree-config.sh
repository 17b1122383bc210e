#!/bin/bash
# Libraries a deployable loads through a path read from its configuration
# (issue #14, "Orphans"): glibc's iconv dlopens the gconv modules its
# gconv-modules files name (DIR/gconv-modules, DIR/gconv-modules.d/*.conf),
# and PAM the modules /etc/pam.d names.  A tree of this machine's
# /usr/bin/iconv with glibc's whole gconv directory, a module planted in
# the directory that no configuration names, and /etc/pam.d/login with
# the PAM modules: slim keeps every module a configuration names (a
# dlopens edge from libc.so.6, evidence "config"; from the pam.d file,
# evidence "string") and calls only the planted ones orphans.  Judged by
# running iconv in the tree (chroot): with the likely prune list deleted
# from a copy, iconv still converts EUC-JP (the charset of the recorded
# LD_DEBUG run, whose module needs libJIS.so) and ISO-8859-7 and
# IBM1047 (conversions it never ran) to the same bytes.
. "$ROOT/tests/cli/lib.sh"
. "$ROOT/tests/cli/tree-lib.sh"
need gcc build-essential
need iconv libc-bin
need ldconfig libc-bin
need chroot coreutils
need python3 python3
[ "$(id -u)" = 0 ] || die "this test needs root (chroot runs the tree's program)"
G=/usr/lib/x86_64-linux-gnu/gconv
[ -f $G/gconv-modules ] && [ -f $G/EUC-JP.so ] || die "this test needs glibc's gconv modules in $G (libc6)"
[ -d /usr/lib/x86_64-linux-gnu/security ] && [ -f /etc/pam.d/login ] || die "this test needs PAM (libpam-modules, login)"
tree_init "$PWD/root"
closure /usr/bin/iconv
mkdir -p "$R$G" "$R/etc/pam.d" "$R/usr/lib/x86_64-linux-gnu/security"
cp -a $G/. "$R$G/" || die "cp $G"
echo 'int planted(void) { return 3; }' > p.c
gcc -shared -fPIC -o "$R$G/SLIMPLANTED.so" p.c || die gcc
cp /etc/pam.d/login "$R/etc/pam.d/login"
cp /usr/lib/x86_64-linux-gnu/security/*.so "$R/usr/lib/x86_64-linux-gnu/security/"
tree_done
printf 'slim \244\242\244\352\244\254\244\310\n' > eucjp.txt     # "slim" + hiragana in EUC-JP
printf 'slim \341\353\354\341\n' > greek.txt
printf 'slim gconv\n' > ascii.txt
run_iconv() {   # ROOT: the three conversions, output and status
	chroot "$1" /usr/bin/iconv -f EUC-JP -t UTF-8 < eucjp.txt; echo "rc=$?"
	chroot "$1" /usr/bin/iconv -f ISO-8859-7 -t UTF-8 < greek.txt; echo "rc=$?"
	chroot "$1" /usr/bin/iconv -f UTF-8 -t IBM1047 < ascii.txt | od -An -tx1; echo "rc=$?"
}
run_iconv "$R" > want.txt 2>&1
grep -c 'rc=0' want.txt | grep -qx 3 || { cat want.txt; die "iconv does not run in the tree"; }
LD_DEBUG=files chroot "$R" /usr/bin/iconv -f EUC-JP -t UTF-8 < eucjp.txt 2>&1 >/dev/null |
	grep -q 'file=.*libJIS.so' || die "ld.so does not show iconv loading libJIS.so through EUC-JP.so"

$SLIM report root --json -o r.json --prune-list likely.txt --include likely 2> err.txt || { cat err.txt; die "report"; }
python3 - r.json "${G#/}" <<'PY' || die "configured modules"
import json, sys
r = json.load(open(sys.argv[1])); g = sys.argv[2]
orph = {f['node'] for f in r['findings'] if f['kind'] == 'orphan-library'}
dl = {}
for e in r['edges']:
    if e['kind'] == 'dlopens':
        dl.setdefault(e['to'], []).append(e)
mods = [n['id'] for n in r['nodes'] if n['id'].startswith('lib:' + g + '/')]
assert len(mods) > 200, len(mods)
planted = 'lib:' + g + '/SLIMPLANTED.so'
assert orph & set(mods) == {planted}, sorted(orph & set(mods))[:5]
e = dl.get('lib:' + g + '/EUC-JP.so')
assert e and e[0]['attrs']['evidence'] == 'config' and e[0]['from'].endswith('/libc.so.6') \
    and e[0]['attrs']['name'] == 'EUC-JP', e
def names(conf, mod):   # the configuration file holds "module FROM TO MOD"
    return any(l.split()[:1] == ['module'] and l.split()[3:4] == [mod] for l in open('root/' + conf))
assert names(e[0]['attrs']['config'], 'EUC-JP'), e
assert any(x['kind'] == 'needs' and x['from'] == 'lib:' + g + '/EUC-JP.so' and x['to'] == 'lib:' + g + '/libJIS.so'
           for x in r['edges']), 'EUC-JP.so needs libJIS.so'
e = dl.get('lib:' + g + '/IBM1047.so')
assert e and names(e[0]['attrs']['config'], 'IBM1047'), e
confs = {x['attrs']['config'] for v in dl.values() for x in v if x['attrs']['evidence'] == 'config'}
assert confs == {g + '/gconv-modules', g + '/gconv-modules.d/gconv-modules-extra.conf'}, confs
# PAM: the modules /etc/pam.d/login names are kept by the string
sec = 'lib:usr/lib/x86_64-linux-gnu/security/'
named = set()
for line in open('root/etc/pam.d/login'):
    for w in line.split():
        if w.endswith('.so'):
            named.add(sec + w)
assert named, 'pam.d/login names no module'
for n in named:
    assert n not in orph and any(x['from'] == 'file:etc/pam.d/login' for x in dl.get(n, ())), (n, dl.get(n))
others = {n['id'] for n in r['nodes'] if n['id'].startswith(sec)} - named
assert others and others <= orph, sorted(others - orph)
print(len(mods), 'gconv modules kept by their configuration, the planted one an orphan;',
      len(named), 'PAM modules kept by /etc/pam.d/login,', len(others), 'others orphans')
PY
grep -qx "${G#/}/SLIMPLANTED.so" likely.txt || die "the planted module is not in the likely list"
grep -q "${G#/}/EUC-JP.so\|${G#/}/libJIS.so\|${G#/}/IBM1047.so" likely.txt && die "a configured gconv module is in the prune list"
cp -a "$R" pruned
while read -r p; do rm -- "pruned/$p" || die "rm $p"; done < likely.txt
run_iconv "$PWD/pruned" > got.txt 2>&1
cmp -s want.txt got.txt || { diff want.txt got.txt; die "iconv's output changed once the likely list is deleted"; }
echo "ok: iconv converts the same with the $(wc -l < likely.txt) likely paths deleted"
