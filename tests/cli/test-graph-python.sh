# slim why and slim graph on a real Python module graph (the pydeps
# analyzer on samples/build-pydeps.sh's trace of a pygments workload over
# /usr/lib/python3.11 and dist-packages, ~2400 modules).  Every step of a
# why-path must be backed by the file it cites, read here directly: a
# `loads` step by the -X importtime line naming the module, an `imports`
# step by the importing module's source line naming what it imports.
source "$ROOT/tests/cli/lib.sh"
source "$ROOT/tests/cli/graph-lib.sh"
need python3 python3; need xmllint libxml2-utils
trace=$ROOT/samples/out/pydeps/highlight.importtime
[ -s "$trace" ] || die "missing $trace: run samples/build.sh (make test does)"
[ -d /usr/lib/python3/dist-packages/pygments ] || die "this test needs pygments: apt-get install python3-pygments"
expect_rc 0 quiet $SLIM pydeps --trace "$trace" --root /usr/lib/python3.11 \
	--root /usr/lib/python3/dist-packages --json --no-elf -o py.json
python3 - "$SLIM" "$trace" <<'PY' || die "why-paths not backed by the files they cite"
import json, os, subprocess, sys
slim, trace = sys.argv[1:]
doc = json.load(open("py.json"))
path = {n["id"]: n.get("attrs", {}).get("path") for n in doc["nodes"]}
tlines = open(trace).read().split("\n")
# sample among the modules the workload reaches: the unreferenced rest
# (their number grows with whatever else dist-packages holds) has no path
mods = sorted(n["id"] for n in doc["nodes"] if n["kind"] == "module"
              and n.get("attrs", {}).get("classification") != "unreferenced")
checked = deep = 0
for m in mods[::max(1, len(mods) // 60)]:
    w = json.loads(subprocess.run([slim, "why", "--json", "py.json", m], capture_output=True, text=True, check=True).stdout)
    if not w["reachable"]:
        continue
    for p in w["paths"]:
        for a, s in zip(p, p[1:]):
            b = s["node"][3:]
            for e in s["edges"]:
                line = e["attrs"].get("line")
                if e["kind"] == "loads":
                    assert tlines[line - 1].split("|")[-1].strip() == b, (m, line, tlines[line - 1])
                elif e["kind"] == "imports":
                    tag, last = e["attrs"].get("tag"), b.split(".")[-1]
                    if tag == "parent":      # importing a.b imports a first
                        assert a["node"][3:].startswith(b + "."), (a["node"], b)
                        continue
                    if tag not in ("top-level", "delayed", "optional", "type-checking", "string"):
                        continue
                    f = path[a["node"]]
                    f = os.path.join(f, "__init__.py") if os.path.isdir(f) else f
                    src = open(f, errors="replace").read().split("\n")
                    text = " ".join(src[line - 1:line + 10])   # a statement may wrap
                    if tag == "string":
                        assert b in src[line - 1], (a["node"], b, line, src[line - 1])
                    elif src[line - 1].lstrip().startswith("from ."):
                        # relative: resolve the dots against the importer's package
                        rel = src[line - 1].split()[1]
                        dots = len(rel) - len(rel.lstrip("."))
                        pkg = a["node"][3:].split(".")
                        if not os.path.isdir(path[a["node"]]):
                            pkg = pkg[:-1]
                        base = ".".join(pkg[:len(pkg) - dots + 1] + ([rel.lstrip(".")] if rel.lstrip(".") else []))
                        assert b == base or b.startswith(base + "."), (a["node"], b, line, src[line - 1])
                    else:
                        assert "import" in src[line - 1] and last in text, (a["node"], b, line, src[line - 1])
    deep = max(deep, w["length"]); checked += 1
assert checked >= 20 and deep >= 3, (checked, deep)
print(checked, "modules checked, deepest path", deep)
PY
# the module graph collapses into packages and draws as well-formed SVG
expect_rc 0 err_to err.txt $SLIM graph py.json -o py.svg
grep -q 'collapsed to' err.txt || die "a 2400-node graph must collapse"
xmllint --noout py.svg || die "py.svg"
expect_rc 0 quiet $SLIM graph py.json --focus pygments.lexers.c_cpp --depth 1 -o focus.svg
xmllint --noout focus.svg || die "focus.svg"
true
