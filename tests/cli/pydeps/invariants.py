"""What a prune must never delete, checked on the file system (not from
slim's report): .pth files; in a package directory that survives, its
__init__ and its data files (anything but .py, .pyc, .so); the metadata of a
distribution whose top-level modules survive; and a removed *.dist-info /
*.egg-info must take its top-level modules with it.

usage: invariants.py snap DIR... > snap.json;  invariants.py check snap.json [--data-ok]
(--data-ok: slim ran with --prune-data, data files of kept packages may go)
"""
import json
import os
import sys

MOD = (".py", ".pyc", ".so")


def snap(dirs):
    files, metas = [], {}
    for d in dirs:
        for dp, dns, fns in os.walk(d):
            for f in fns:
                files.append(os.path.join(dp, f))
            for n in dns:
                if n.endswith((".dist-info", ".egg-info")) and dp == d:
                    top = os.path.join(dp, n, "top_level.txt")
                    names = open(top).read().split() if os.path.exists(top) else []
                    metas[os.path.join(dp, n)] = [os.path.join(dp, t) for t in names]
    return {"files": files, "metas": metas}


def exists_mod(p):
    d = os.path.dirname(p)
    b = os.path.basename(p)
    return os.path.isdir(p) or any(f.split(".")[0] == b and f.endswith(MOD)
                                   for f in (os.listdir(d) if os.path.isdir(d) else []))


def check(s, data_ok):
    bad = []
    for f in s["files"]:
        if os.path.lexists(f):
            continue
        d, b = os.path.dirname(f), os.path.basename(f)
        if b.endswith(".pth"):
            bad.append("deleted .pth: " + f)
        elif os.path.isdir(d) and os.path.exists(os.path.join(d, "__init__.py")):
            if b.startswith("__init__."):
                bad.append("deleted __init__ of a kept package: " + f)
            elif not b.endswith(MOD) and "__pycache__" not in d and not data_ok:
                bad.append("deleted data file of a kept package: " + f)
    for meta, tops in s["metas"].items():
        alive = [t for t in tops if exists_mod(t)]
        if os.path.exists(meta) is False and alive:
            bad.append(f"deleted {meta} but kept {alive}")
        if os.path.exists(meta) and tops and not alive:
            pass  # keeping metadata is always safe
    for b in bad[:20]:
        print(b)
    print(f"invariants: {len(s['files'])} files, {len(s['metas'])} distributions checked, {len(bad)} violations")
    return not bad


if sys.argv[1] == "snap":
    json.dump(snap(sys.argv[2:]), sys.stdout)
else:
    sys.exit(0 if check(json.load(open(sys.argv[2])), "--data-ok" in sys.argv) else 1)
