#!/usr/bin/env python3
"""graph-gen.py N SEED [--mutate]: a synthetic but realistically shaped
slim-report/1 document of about N nodes, for the graph benchmarks and the
large-input tests: one executable, libraries in a random DAG of `needs`
edges, sections `contains`-ed by libraries, archive members, GPU entries,
and a Python module tree (most nodes, as in real module graphs) with
`imports` edges.  --mutate derives the "next build" of the same seed: about
1% of nodes added and 1% removed, 5% resized, a few findings changed.
Deterministic for a given N and SEED."""
import json, random, sys

def gen(n, seed, mutate):
    r = random.Random(seed)
    nodes, edges, findings = {}, set(), []
    def node(i, k, size):
        nodes[i] = {"id": i, "kind": k, "name": i.split(":", 1)[1], "size": size}
    node("exe:app", "exe", 2_000_000)
    nlib = max(3, n // 60)
    libs = ["lib:lib%03d.so.%d" % (i, i % 3) for i in range(nlib)]
    for i, l in enumerate(libs):
        node(l, "lib", r.randint(20_000, 9_000_000))
        parents = ["exe:app"] if i < 4 else r.sample(["exe:app"] + libs[:i], min(i, 2))
        for p in parents:
            edges.add((p, l, "needs"))
        for s in range(r.randint(2, 6)):
            sid = "sec:%s:.text.%d" % (l[4:], s)
            node(sid, "section", r.randint(100, 200_000))
            edges.add((l, sid, "contains"))
    for a in range(max(1, n // 400)):
        for m in range(20):
            oid = "obj:libz%d.a(m%02d.o)" % (a, m)
            node(oid, "object", r.randint(200, 40_000))
            edges.add(("exe:app", oid, "includes"))
    for g in range(max(1, n // 500)):
        for arch in ("sm_80", "sm_90"):
            gid = "gpu:%s:%s:%d" % (libs[g % nlib][4:], arch, g)
            node(gid, "gpu", r.randint(10_000, 3_000_000))
            edges.add((libs[g % nlib], gid, "contains"))
    mods = []
    pk = 0
    while len(nodes) < n:
        if not mods or r.random() < 0.05:
            pk += 1
            name = "py:pkg%04d" % pk
        else:
            name = r.choice(mods) + ".m%d" % r.randint(0, 99)
        if name in nodes:
            continue
        node(name, "module", r.randint(300, 80_000))
        imp = r.choice(mods) if mods else "exe:app"
        edges.add((imp if mods else "exe:app", name, "imports"))
        mods.append(name)
    for i in sorted(nodes)[::97]:
        if nodes[i]["kind"] in ("lib", "module", "object"):
            findings.append({"kind": {"lib": "unused-library", "module": "prunable-module",
                                      "object": "dead-archive-member"}[nodes[i]["kind"]],
                             "node": i, "dependent": "exe:app", "bytes": nodes[i]["size"],
                             "confidence": "proven", "reason": "synthetic", "fix": "drop it"})
    if mutate:
        m = random.Random(seed + 1)
        ids = sorted(i for i in nodes if i != "exe:app")
        gone = set(m.sample(ids, len(ids) // 100))
        for i in sorted(nodes):
            if i in gone:
                continue
            if m.random() < 0.05:
                nodes[i]["size"] = int(nodes[i]["size"] * m.uniform(0.8, 1.5))
        nodes = {i: v for i, v in nodes.items() if i not in gone}
        edges = {e for e in edges if e[0] not in gone and e[1] not in gone}
        findings = [f for f in findings if f["node"] not in gone][3:]
        for k in range(len(ids) // 100):
            i = "py:new%05d" % k
            node(i, "module", m.randint(300, 80_000))
            edges.add(("exe:app", i, "imports"))
        node("lib:libnew.so.1", "lib", 1_234_567)
        edges.add((libs[0], "lib:libnew.so.1", "needs"))
    return {"schema": "slim-report/1", "tool": {"name": "graph-gen.py"},
            "inputs": [{"path": "app", "kind": "elf", "node": "exe:app"}],
            "nodes": sorted(nodes.values(), key=lambda x: x["id"]),
            "edges": [{"from": a, "to": b, "kind": k, "attrs": {"why": "synthetic"}}
                      for a, b, k in sorted(edges)],
            "findings": sorted(findings, key=lambda f: (f["kind"], f["node"]))}

n, seed = int(sys.argv[1]), int(sys.argv[2])
json.dump(gen(n, seed, "--mutate" in sys.argv), sys.stdout, indent=None, sort_keys=True)
print()
