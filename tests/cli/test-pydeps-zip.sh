# Sources inside a zip (or wheel) root are scanned like files: stored and
# deflated members both.  Ground truth is Python importing from the same
# zip: every module it loads must be used or reachable, never prunable.
source "$ROOT/tests/cli/lib.sh"
need /usr/bin/python3 python3
/usr/bin/python3 - <<'PY'
import zipfile
with zipfile.ZipFile("mods.zip", "w") as z:
    z.writestr("zpkg/__init__.py", "from . import inner\n", compress_type=zipfile.ZIP_DEFLATED)
    z.writestr("zpkg/inner.py", "import zpkg.leaf\ndef f():\n    import zpkg.late\n", compress_type=zipfile.ZIP_STORED)
    z.writestr("zpkg/leaf.py", "X = 1\n" * 200, compress_type=zipfile.ZIP_DEFLATED)
    z.writestr("zpkg/late.py", "Y = 2\n", compress_type=zipfile.ZIP_DEFLATED)
    z.writestr("zpkg/unused.py", "Z = 3\n", compress_type=zipfile.ZIP_DEFLATED)
PY
# the workload: import zpkg from the zip; Python says what it loaded
/usr/bin/python3 -c 'import sys; sys.path.insert(0, "mods.zip"); import zpkg; print("\n".join(sorted(m for m in sys.modules if m.startswith("zpkg"))))' > loaded
echo zpkg > trace.txt
"$SLIM" pydeps --json --trace trace.txt --root mods.zip --no-auto-roots > r.json 2> err || { cat err; die "pydeps failed"; }
/usr/bin/python3 - loaded r.json <<'PY' || exit 1
import json, sys
loaded = open(sys.argv[1]).read().split()
d = json.load(open(sys.argv[2]))
cls = {n["id"][3:]: n["attrs"].get("classification") for n in d["nodes"] if n["id"].startswith("py:")}
for m in loaded:
    assert cls.get(m) in ("used", "reachable"), (m, cls.get(m))
# the delayed import inside a function is reachable too (read from the zip)
assert cls.get("zpkg.late") == "reachable", cls.get("zpkg.late")
assert cls.get("zpkg.unused") == "unreferenced", cls.get("zpkg.unused")
edges = {(e["from"], e["to"]) for e in d["edges"] if e["kind"] == "imports"}
assert ("py:zpkg.inner", "py:zpkg.leaf") in edges, "stored member not scanned"
assert ("py:zpkg", "py:zpkg.inner") in edges, "deflated member not scanned"
prunable = [f for f in d["findings"] if f["kind"] == "prunable-module"]
PY
echo "zipped sources scanned (stored and deflated); every module Python loaded is kept"
