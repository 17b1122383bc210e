#!/usr/bin/env python3
"""graph-ldd-report.py EXE: a slim-report/1 document of EXE's shared-library
closure built WITHOUT slim, from the ground-truth tools: `ldd` (what ld.so
loads, and from where) and `readelf -d` (each object's DT_NEEDED).  The graph
tests use it as independent input and as the reference for why-paths.
Node ids follow DESIGN.md: exe:<file name>, lib:<SONAME or file name>."""
import json, os, re, subprocess, sys

def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout

def needed_and_soname(path):
    out = run("readelf", "-dW", path)
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    so = re.findall(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", out)
    return needed, (so[0] if so else None)

def main():
    exe = sys.argv[1]
    paths = {}
    for line in run("ldd", exe).splitlines():
        m = re.match(r"\s*(\S+) => (\S+) \(0x", line)
        if m:
            paths[m.group(1)] = m.group(2)
            continue
        m = re.match(r"\s*(/\S+) \(0x", line)      # the interpreter
        if m:
            needed, so = needed_and_soname(m.group(1))
            paths[so or os.path.basename(m.group(1))] = m.group(1)
    root = "exe:" + os.path.basename(exe)
    nodes = {root: {"id": root, "kind": "exe", "name": os.path.basename(exe),
                    "size": os.path.getsize(exe), "attrs": {"path": exe}}}
    edges = []
    todo = [(root, exe)]
    seen = {exe}
    while todo:
        nid, path = todo.pop()
        needed, _ = needed_and_soname(path)
        for n in needed:
            lid = "lib:" + n
            if n not in paths:
                continue
            if lid not in nodes:
                nodes[lid] = {"id": lid, "kind": "lib", "name": n,
                              "size": os.path.getsize(paths[n]),
                              "attrs": {"path": os.path.realpath(paths[n])}}
            edges.append({"from": nid, "to": lid, "kind": "needs",
                          "attrs": {"why": "DT_NEEDED (readelf -d)"}})
            if paths[n] not in seen:
                seen.add(paths[n])
                todo.append((lid, paths[n]))
    doc = {"schema": "slim-report/1", "tool": {"name": "graph-ldd-report.py"},
           "inputs": [{"path": exe, "kind": "elf", "node": root}],
           "nodes": sorted(nodes.values(), key=lambda n: n["id"]),
           "edges": sorted(edges, key=lambda e: (e["from"], e["to"], e["kind"])),
           "findings": []}
    json.dump(doc, sys.stdout, indent=1, sort_keys=True)
    print()

main()
