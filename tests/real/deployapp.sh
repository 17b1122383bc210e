#!/bin/bash
# deployapp.sh - sourced by tests/real/deploy.sh and prune-deploy.sh: the
# workload of issue #14's proof put into a copy of the Debian root.
#
#   deploy_app R     in the current directory (the test's work directory):
#                    /opt/app of R (app.py, in1.yaml, in2.yaml, the
#                    libraries libslimcalc42.so, plugins/libslimplug_fast.so
#                    and the orphan libslimorphan.so, built with gcc here),
#                    trace.txt (input 1 recorded in a chroot of R by `slim
#                    pydeps record --print-recorder`'s recorder), want1.txt
#                    and want2.txt (the outputs of input 1 and the untraced
#                    input 2 in R)
#   in_root R CMD..  CMD in a chroot of R with a /proc
#   deploy_work NAME a work directory /var/tmp/slim-NAME.XXXXXX ($tmp,
#                    removed at exit unless KEEP=1), made current, with
#                    slim's private unpack directories in $TMPDIR (checked
#                    empty at the end) and R = a copy of debroot's root
#
# Needs $SLIM, lib.sh's die and with_proc, gcc, root.

# run CMD... in a chroot of root $1 with a /proc (the recorder reads
# /proc/self/maps at exit)
in_root() { local r=$1; shift; with_proc "$r" chroot "$r" "$@"; }

deploy_work() {
B=$(debroot) || die "could not build the Debian 12 root (see above)"
tmp=$(mktemp -d "/var/tmp/slim-$1.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || die "cd $tmp"
export TMPDIR=$tmp/slimtmp
mkdir "$TMPDIR" || die "mkdir"
R=$tmp/root
cp -a "$B" "$R" || die "cp -a $B"
rm -f "$R/.slim-debroot-done"
}

deploy_app() {
local R=$1
mkdir -p "$R/opt/app/lib" "$R/opt/app/plugins"
echo 'int slim_calc(int n) { return 1000 + n * n; }' > calc.c
echo 'int slim_plugin(int n) { return 7 * n; }' > plug.c
echo 'int slim_orphan(int n) { return -n; }' > orph.c
gcc -shared -fPIC -O2 -o "$R/opt/app/lib/libslimcalc42.so" calc.c &&
gcc -shared -fPIC -O2 -o "$R/opt/app/plugins/libslimplug_fast.so" plug.c &&
gcc -shared -fPIC -O2 -o "$R/opt/app/lib/libslimorphan.so" orph.c || die "gcc"
cat > "$R/opt/app/app.py" <<'PY'
import sys, ctypes, glob, json
import yaml
import numpy as np
from lxml import etree
import requests

cfg = yaml.safe_load(open(sys.argv[1]))
a = np.array(cfg['values'], dtype=float)
m = np.array(cfg['matrix'], dtype=float)
out = {'n': int(a.size), 'mean': round(float(a.mean()), 6),
       'dot': round(float(a @ a), 6), 'inv': np.round(np.linalg.inv(m), 6).tolist(),
       'svd': np.round(np.linalg.svd(m, compute_uv=False), 6).tolist()}
doc = etree.fromstring(cfg['xml'].encode())
out['xpath'] = [e.text for e in doc.xpath(cfg['xpath'])]
out['url'] = requests.Request('GET', cfg['url'], params=cfg['params']).prepare().url
# a library loaded through a name computed at run time: no string holds it
calc = ctypes.CDLL('/opt/app/lib/' + 'lib' + 'slim' + 'calc' + str(6 * 7) + '.so')
out['calc'] = calc.slim_calc(len(cfg['values']))
if cfg.get('plugins'):
    # plugins found by a glob: only the pattern names them
    out['plugins'] = [ctypes.CDLL(p).slim_plugin(3)
                      for p in sorted(glob.glob('/opt/app/plugins/libslimplug*.so'))]
out['yaml'] = yaml.safe_dump({'k': cfg['params']}, sort_keys=True)
print(json.dumps(out, sort_keys=True))
PY
cat > "$R/opt/app/in1.yaml" <<'Y'
values: [1, 2, 3, 4.5]
matrix: [[2, 1], [1, 3]]
xml: '<r><i k="a">x</i><i k="b">y</i></r>'
xpath: '//i[@k="b"]'
url: http://example.org/a
params: {q: slim, n: 1}
plugins: false
Y
cat > "$R/opt/app/in2.yaml" <<'Y'
# never traced: other numbers, a 3x3 matrix, nested XML, plugins on
values: [10.5, -3, 7, 0.25, 9, 1e3]
matrix: [[4, 1, 0], [1, 5, 2], [0, 2, 6]]
xml: '<doc><sec n="1"><p>alpha</p></sec><sec n="2"><p>beta</p><p>gamma</p></sec></doc>'
xpath: '//sec[@n="2"]/p'
url: https://example.net/search/
params: {term: "a b&c", page: 3, lang: [en, fr]}
plugins: true
when: 2026-12-07
Y
"$SLIM" pydeps record --print-recorder > rec.py || die "slim pydeps record --print-recorder"
cp rec.py "$R/rec.py"
in_root "$R" env SLIM_PYTRACE_OUT=/trace.txt python3 -B /rec.py /opt/app/app.py /opt/app/in1.yaml > want1.txt ||
	die "the workload does not run in the root"
mv "$R/trace.txt" trace.txt && rm "$R/rec.py"
in_root "$R" python3 -B /opt/app/app.py /opt/app/in2.yaml > want2.txt || die "input 2 does not run in the root"
grep -q '"plugins": \[21\]' want2.txt || die "input 2 did not load the plugin: $(cat want2.txt)"
grep -q $'^load\t/opt/app/lib/libslimcalc42.so$' trace.txt || die "the trace does not show libslimcalc42.so loaded"
grep -q 'libslimplug' trace.txt && die "the traced run loaded the plugin: it must not"
}
