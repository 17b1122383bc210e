"""Ground truth for slim's Python inventory and import scan, from CPython
itself: pkgutil.iter_modules (the path finder's own listing) for the module
set, and the ast module for every import statement and literal
import_module()/__import__() call, with the same tags slim gives
(top-level, delayed, optional, type-checking).

usage: truth.py ROOT TOP... > truth.json
"""
import ast
import json
import os
import pkgutil
import sys

root, tops = sys.argv[1], set(sys.argv[2:])
mods = {}   # name -> (source path or None, ispkg)


def walk(path, prefix):
    stack = [(path, prefix)]
    while stack:
        p, pre = stack.pop()
        for mi in pkgutil.iter_modules([p], pre):
            base = os.path.join(p, mi.name[len(pre):])
            src = os.path.join(base, "__init__.py") if mi.ispkg else base + ".py"
            mods[mi.name] = (src if os.path.isfile(src) else None, mi.ispkg)
            if mi.ispkg:
                stack.append((base, mi.name + "."))


walk(root, "")
CATCH = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def catches(t):
    for h in t.handlers:
        if h.type is None:
            return True
        names = [h.type] if not isinstance(h.type, ast.Tuple) else h.type.elts
        for n in names:
            if isinstance(n, ast.Name) and n.id in CATCH:
                return True
            if isinstance(n, ast.Attribute) and n.attr in CATCH:
                return True
    return False


def longest(name):
    while name:
        if name in mods:
            return name
        name = name.rpartition(".")[0]
    return None


def tagged(tree):
    """(node, tag) for every node, tag from the enclosing blocks"""
    out = []
    stack = [(tree, False, False, False)]
    while stack:
        node, fn, opt, tc = stack.pop()
        out.append((node, "type-checking" if tc else "optional" if opt
                    else "delayed" if fn else "top-level"))
        for field, value in ast.iter_fields(node):
            kids = value if isinstance(value, list) else [value]
            for k in kids:
                if not isinstance(k, ast.AST):
                    continue
                f2, o2, t2 = fn, opt, tc
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                    f2 = True
                if isinstance(node, ast.Try) and field == "body" and catches(node):
                    o2 = True
                if isinstance(node, ast.If) and field == "body" and "TYPE_CHECKING" in ast.unparse(node.test):
                    t2 = True
                stack.append((k, f2, o2, t2))
    return out


edges = {}
for name, (src, ispkg) in sorted(mods.items()):
    if name.split(".")[0] not in tops or not src:
        continue
    with open(src, "rb") as f:
        try:
            tree = ast.parse(f.read(), src)
        except SyntaxError:
            continue
    pkg = name if ispkg else name.rpartition(".")[0]
    found = []

    def rel(level, mod):
        base = pkg
        for _ in range(level - 1):
            base = base.rpartition(".")[0]
        return base + ("." + mod if mod else "") if base else None

    for node, tag in tagged(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                found.append((node.lineno, longest(a.name), tag))
        elif isinstance(node, ast.ImportFrom):
            base = rel(node.level, node.module) if node.level else node.module
            if not base:
                continue
            t = longest(base)
            found.append((node.lineno, t, tag))
            if t == base:
                for a in node.names:
                    found.append((node.lineno, mods.get(base + "." + a.name) and base + "." + a.name, tag))
        elif (isinstance(node, ast.Call) and node.args and
              isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str) and
              ((isinstance(node.func, ast.Name) and node.func.id in ("__import__", "import_module")) or
               (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module"))):
            lit = node.args[0].value
            if lit.startswith("."):
                lvl = len(lit) - len(lit.lstrip("."))
                lit = rel(lvl, lit[lvl:])
            if lit:
                found.append((node.lineno, longest(lit), tag))
    for line, t, tag in sorted(found, key=lambda x: x[0]):
        if t and t != name:
            edges.setdefault(name + " " + t, tag)

json.dump({"modules": sorted(m for m in mods if m.split(".")[0] in tops),
           "edges": edges}, sys.stdout, indent=0, sort_keys=True)
