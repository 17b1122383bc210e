#!/usr/bin/env python3
# fatbin-sections.py - tests/real/fatbin.sh's cross-check: for every file,
# the bytes of .nv_fatbin / __nv_relfatbin that readelf reports must equal
# what slim's entries account for (16-byte container headers + entry
# headers + payloads), up to zero padding between containers, which is
# counted and checked to be smaller than 8 bytes per container.
# usage: fatbin-sections.py SLIM_JSON FILE...  (JSON of `slim fatbin --json`)
import collections, json, subprocess, sys

doc = json.load(open(sys.argv[1]))
owner_of = {}
for e in doc["edges"]:
    if e["kind"] == "contains" and e["to"].startswith("gpu:"):
        owner_of[e["to"]] = e["from"].split(":", 1)[1]
acc = collections.defaultdict(int)
conts = collections.defaultdict(set)
for n in doc["nodes"]:
    if n["kind"] != "gpu":
        continue
    a = n["attrs"]
    if a["found_by_scan"]:
        continue
    key = (owner_of[n["id"]], a.get("member", ""), a["section"])
    acc[key] += a["bytes"]
    conts[key].add(a["container"])
bad = checked = 0
for path in sys.argv[2:]:
    base = path.rsplit("/", 1)[-1]
    out = subprocess.run(["readelf", "-S", "-W", path], capture_output=True, text=True).stdout
    member = ""
    for line in out.splitlines():
        if line.startswith("File: ") and line.endswith(")"):
            member = line[line.rindex("(") + 1:-1]
        f = line.replace("[ ", "[").split()
        if len(f) > 5 and f[1] in (".nv_fatbin", "__nv_relfatbin"):
            size = int(f[5], 16)
            key = (base, member, f[1])
            got = acc[key] + 16 * len(conts[key])
            pad = size - got
            checked += 1
            if pad < 0 or pad >= 8 * max(1, len(conts[key])):
                bad += 1
                print(f"MISMATCH {base}({member}) {f[1]}: readelf size {size}, slim accounts for {got}")
print(f"sections checked against readelf: {checked}, mismatches: {bad}")
sys.exit(1 if bad or not checked else 0)
