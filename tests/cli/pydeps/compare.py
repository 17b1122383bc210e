"""Compare slim's pydeps JSON with truth.py's output: the module set must
be equal; import edges (from, to) must be equal; tags must agree.

usage: compare.py truth.json slim.json TOP...
"""
import json
import sys

truth = json.load(open(sys.argv[1]))
rep = json.load(open(sys.argv[2]))
tops = set(sys.argv[3:])
top = lambda n: n.split(".")[0] in tops
mods = {n["id"][3:] for n in rep["nodes"]
        if n["kind"] == "module" and top(n["id"][3:])
        and not n.get("attrs", {}).get("namespace")}
want = set(truth["modules"])
bad = 0
for m in sorted(want - mods):
    print("module missing from slim:", m); bad += 1
for m in sorted(mods - want):
    print("module slim invents:", m); bad += 1
TAGS = {"top-level", "delayed", "optional", "type-checking"}
got, anytag = {}, set()
for e in rep["edges"]:
    t = e.get("attrs", {}).get("tag")
    k = e["from"][3:] + " " + e["to"][3:]
    if e["kind"] == "imports" and top(e["from"][3:]):
        anytag.add(k)   # an edge made first by a prefix or string reference
        if t in TAGS:
            got[k] = t
w = truth["edges"]
for k in sorted(set(w) - anytag):
    print("edge missing from slim:", k, w[k]); bad += 1
for k in sorted(set(got) - set(w)):
    print("edge slim invents:", k, got[k]); bad += 1
tagbad = [k for k in set(w) & set(got) if w[k] != got[k]]
for k in sorted(tagbad):
    print("tag differs:", k, "slim", got[k], "ast", w[k])
print(f"{len(want)} modules, {len(w)} edges from ast; {len(mods)} modules, "
      f"{len(got)} edges from slim; {bad} set differences, {len(tagbad)} tag differences")
sys.exit(1 if bad or tagbad else 0)
