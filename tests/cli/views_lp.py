#!/usr/bin/env python3
"""views_lp.py - test-views.sh's comparisons for `slim linkmap` and `slim
pydeps`: parse the text and the JSON of one run and check that every
figure the text prints is the JSON's -- not only its totals (which the
text prints from) but what the JSON's nodes, edges and findings say on
their own, and, for linker maps, the output sections readelf reads from
the linked file.  Prints what disagrees and exits 1, or exits 0 in
silence.

  views_lp.py linkmap TEXT JSON READELF_S|-
  views_lp.py pydeps TEXT JSON
"""
import json
import re
import sys
from collections import defaultdict

# the failure list, check() and human() are views.py's, shared
from views import bad, check, human  # noqa: E402 (beside this file)


def tables(lines):
    """{title: [row lines]} of the ranked tables after the summary"""
    out, cur = {}, None
    for i, l in enumerate(lines):
        m = re.match(r"^(\S.*) \((\d+), top (\d+)\)$", l)
        if m and i + 1 < len(lines):
            cur = m.group(1)
            out[cur] = {"n": int(m.group(2)), "top": int(m.group(3)), "rows": []}
            continue
        if cur and l and not l.lstrip().startswith(("bytes ", "size ")):
            out[cur]["rows"].append(l)
        if not l:
            cur = None
    return out


# --- linkmap --------------------------------------------------------------

def linkmap(text, js, readelf):
    lines = open(text).read().split("\n")
    doc = json.load(open(js))
    t = doc["totals"]["linkmap"]
    nodes = {n["id"]: n for n in doc["nodes"]}
    inc = [e for e in doc["edges"] if e["kind"] == "includes"
           and e.get("attrs", {}).get("analyzer") == "linkmap"]
    fnd = doc["findings"]

    m = re.match(r"^linker map (\S+) \((\w+)\)", lines[0])
    check(m and m.group(2) == t["linker"], "linkmap: linker line %r" % lines[0])
    m = re.match(r"^output sections: (\d+), (\d+) bytes = inputs (\d+) \+ linker-made (\d+)"
                 r" \+ padding (\d+)$", lines[1])
    check(m, "linkmap: no output sections line: %r" % lines[1])
    os_ = t["output_sections"]
    n, size, ins, lk, pad = map(int, m.groups())
    check(n == len(os_), "linkmap: %d output sections, JSON %d" % (n, len(os_)))
    check(size == sum(s["size"] for s in os_) == t["output_bytes"],
          "linkmap: output bytes %d, JSON sections sum %d" % (size, sum(s["size"] for s in os_)))
    check(ins == sum(s["inputs"] for s in os_) == t["input_bytes"], "linkmap: inputs %d" % ins)
    check(lk == sum(s["linker"] for s in os_) == t["linker_bytes"], "linkmap: linker-made %d" % lk)
    check(pad == sum(s["padding"] for s in os_) == t["padding_bytes"], "linkmap: padding %d" % pad)

    # discarded: against totals and against the discarded-section findings
    dl = [l for l in lines if l.startswith("discarded: ")]
    check(len(dl) == 1, "linkmap: %d discarded lines" % len(dl))
    dis = [f for f in fnd if f["kind"] == "discarded-section"]
    m = re.match(r"^discarded: (\d+) input sections, (\d+) bytes", dl[0])
    if t.get("discards") == "unknown":
        check(dl[0].startswith("discarded: unknown: ") and not dis, "linkmap: %r" % dl[0])
    else:
        check(m, "linkmap: %r" % dl[0])
        k, b = int(m.group(1)), int(m.group(2))
        check(k == t["discarded_sections"] and b == t["discarded_bytes"],
              "linkmap: discarded %d/%d, totals %d/%d" % (k, b, t["discarded_sections"], t["discarded_bytes"]))
        check(b == sum(f["bytes"] for f in dis),
              "linkmap: discarded bytes %d, findings %d" % (b, sum(f["bytes"] for f in dis)))
        if t.get("discarded_findings") == "per-section":
            check(k >= len(dis), "linkmap: %d discarded, %d findings" % (k, len(dis)))
            bycause = defaultdict(int)
            for f in dis:
                bycause[f["attrs"]["cause"]] += f["bytes"]
            cl = [l for l in lines if l.startswith("  by cause: ")]
            got = {c: (int(a), int(b)) for c, a, b in
                   re.findall(r"(\w+) (\d+) \((\d+) bytes;", cl[0] if cl else "")}
            want = {c: (v["sections"], v["bytes"]) for c, v in t["discarded_by_cause"].items()}
            check(got == want, "linkmap: causes %s, totals %s" % (got, want))
            check({c: v[1] for c, v in got.items() if v[1]} == {c: v for c, v in bycause.items() if v},
                  "linkmap: cause bytes %s, findings %s" % (got, dict(bycause)))

    # members: against the includes edges and the dead-archive-member findings
    ml = [l for l in lines if l.startswith("archive members loaded: ")][0]
    loaded = [e for e in inc if e.get("attrs", {}).get("from_archive")]
    check(int(re.match(r"archive members loaded: (\d+)", ml).group(1)) == len(loaded) == t["members_loaded"],
          "linkmap: %r, %d includes edges from archives" % (ml, len(loaded)))
    dead = [f for f in fnd if f["kind"] == "dead-archive-member"]
    m = re.search(r", (\d+) of them dead", ml)
    if "dead_members_unknown" in t:
        check(not m and "unknown" in ml and not dead, "linkmap: %r" % ml)
    else:
        check(m and int(m.group(1)) == len(dead) == t["members_dead"],
              "linkmap: %r, %d dead-archive-member findings" % (ml, len(dead)))

    tab = tables(lines)
    total = t["input_bytes"]

    def pct(b):
        return "%.1f%%" % (100.0 * b / total if total else 0.0)

    # per archive: the includes edges grouped by archive, node sizes summed
    ar = defaultdict(lambda: [0, 0])
    for e in inc:
        a = e.get("attrs", {}).get("archive", "(objects)")
        ar[a][0] += nodes[e["to"]]["size"]
        ar[a][1] += 1
    rows = tab["bytes per archive"]
    check(rows["n"] == len(ar) and len(rows["rows"]) == rows["top"], "linkmap: archive table size")
    for r in rows["rows"]:
        b, p, k, name = r.split(None, 3)
        check(name in ar and [int(b), int(k)] == ar[name] and p == pct(int(b)),
              "linkmap: archive row %r, edges say %s" % (r, ar.get(name)))
    # per object: the object nodes' sizes
    rows = tab["bytes per object or archive member"]
    files = {f["id"][4:]: f for f in t["files"]}
    check(rows["n"] == len(inc) == len(files), "linkmap: %d object rows, %d includes edges" % (rows["n"], len(inc)))
    for r in rows["rows"]:
        b, p, k, name = r.split(None, 3)
        nd = nodes.get("obj:" + name)
        check(nd and nd["size"] == int(b) and p == pct(int(b)) and files[name]["live_sections"] == int(k),
              "linkmap: object row %r, node %s" % (r, nd and nd["size"]))
    # per output section: totals, and readelf's sizes of the linked file
    rows = tab["bytes per output section"]
    secs = defaultdict(list)            # BFD can name two output sections alike
    for s_ in os_:
        secs[s_["name"]].append([s_["size"], s_["inputs"], s_["linker"], s_["padding"]])
    elf = {}
    if readelf != "-":
        for l in open(readelf):
            m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)", l)
            if m:
                elf[m.group(1)] = int(m.group(2), 16)
    check(len(rows["rows"]) == rows["top"] == rows["n"] == len(os_), "linkmap: section table size")
    printed = defaultdict(int)
    for r in rows["rows"]:
        sz, i, lk_, pd, name = r.split(None, 4)
        check(list(map(int, (sz, i, lk_, pd))) in secs.get(name, []),
              "linkmap: section row %r, JSON %s" % (r, secs.get(name)))
        printed[name] += int(sz)
    seen_elf = 0
    for name, sz in printed.items():
        if name in elf and not name.startswith(".debug"):
            seen_elf += 1
            check(elf[name] == sz, "linkmap: %s is %d bytes, readelf says %d" % (name, sz, elf[name]))
    check(readelf == "-" or seen_elf >= 10, "linkmap: only %d sections checked with readelf" % seen_elf)
    # pulled in: the includes edges' symbol and by (or, with --cref, the
    # held_by_symbol rows of totals.linkmap.files)
    title = [k for k in tab if k.startswith("archive members")]
    if t["pulls"]:
        rows = tab[title[0]]
        cref = t.get("cref", False)
        if not cref:
            want = [e for e in loaded if e.get("attrs", {}).get("symbol")]
            check(rows["n"] == len(want), "linkmap: %d pulled rows, %d edges with a symbol" % (rows["n"], len(want)))
        byname = {e["to"][4:]: e for e in loaded}
        for r in rows["rows"]:
            b, rest = r.split(None, 1)
            name, rest = rest.split(None, 1)     # member names have no spaces
            rest = re.sub(r"(  \[dead: all sections discarded\])?$", "", rest)
            derived = rest.endswith(" (derived)")
            rest = rest[:-len(" (derived)")] if derived else rest
            sym, by = rest.rsplit(" <- ", 1)
            e = byname.get(name)
            check(e and nodes[e["to"]]["size"] == int(b), "linkmap: pulled row %r: no such member" % r)
            if not e or cref:
                continue
            a = e["attrs"]
            check(sym in (a.get("symbol"), a.get("symbol_demangled")), "linkmap: %r: symbol %s" % (r, a.get("symbol")))
            if "by" in a:
                check(a["by"][4:] == by, "linkmap: %r: pulled by %s" % (r, a["by"]))
            check(derived == bool(a.get("derived")), "linkmap: %r: derived %s" % (r, a.get("derived")))
            check(("[dead" in r) == (int(b) == 0), "linkmap: %r: dead mark" % r)
    else:
        check(not title, "linkmap: a pulled table, the JSON knows no pulls")


# --- pydeps ---------------------------------------------------------------

def pydeps(text, js):
    lines = open(text).read().split("\n")
    doc = json.load(open(js))
    py, pd = doc["totals"]["python"], doc["totals"]["pydeps"]
    # the rows as the module and distribution nodes say (what the text
    # computed before totals.python existed)
    want = defaultdict(lambda: [0, 0, 0, 0])
    for n in doc["nodes"]:
        a = n.get("attrs", {})
        if n["kind"] == "module":
            r = want[a.get("distribution", "?")]
            r[0] += 1
            by = a.get("bytes", 0)
            if a.get("prunable"):
                r[3] += by
            elif a.get("classification") == "used":
                r[1] += by
            else:
                r[2] += by
        elif n["kind"] == "distribution" and a.get("kept") is False:
            want[n["name"]][3] += a.get("metadata_bytes", 0)
    tot = {d["name"]: [d["modules"], d["used_bytes"], d["reachable_bytes"], d["prunable_bytes"]]
           for d in py["distributions"]}
    check(tot == dict(want), "pydeps: totals.python differs from the nodes: %s" %
          {k: (tot.get(k), want.get(k)) for k in set(tot) | set(want) if tot.get(k) != want.get(k)})
    check(lines[0].split() == ["distribution", "modules", "used", "kept", "prunable"], "pydeps: header %r" % lines[0])
    rows = [l for l in lines[1:] if l and not l.startswith(("root ", "total: ", "  "))]
    check(len(rows) == len(want), "pydeps: %d rows, %d distributions" % (len(rows), len(want)))
    for r in rows:
        f = r.split()
        name, k = " ".join(f[:-7]), int(f[-7])
        hum = [" ".join(f[-6:-4]), " ".join(f[-4:-2]), " ".join(f[-2:])]
        w = want.get(name)
        check(w and k == w[0] and hum == [human(x) for x in w[1:]],
              "pydeps: row %r, nodes say %s" % (r, w))
    # most prunable first, then by name
    order = [" ".join(r.split()[:-7]) for r in rows]
    check(order == sorted(order, key=lambda n: (-want[n][3], n)), "pydeps: rows out of order")
    for r in pd["roots"]:
        by, pr = r["bytes"], r["prunable_bytes"]
        l = "root %s: %s of %s prunable (%.1f%%)" % (r["path"], human(pr), human(by), 100.0 * pr / by if by else 0.0)
        check(l in lines, "pydeps: no line %r" % l)
    tb, pb = pd["total_bytes"], pd["prunable_bytes"]
    l = "total: %s of %s prunable (%.1f%%)" % (human(pb), human(tb), 100.0 * pb / tb if tb else 0.0)
    check(l in lines, "pydeps: no line %r" % l)
    conf = defaultdict(int)
    for f in doc["findings"]:
        if f["kind"] == "prunable-module":
            conf[f["confidence"]] += f["bytes"]
    check(conf["proven"] == doc["totals"]["proven_bytes_by_kind"].get("prunable-module", 0)
          == py["prunable_bytes_by_confidence"]["proven"], "pydeps: proven bytes %s" % dict(conf))
    check(conf["likely"] == py["prunable_bytes_by_confidence"]["likely"], "pydeps: likely bytes %s" % dict(conf))
    check(any(l.startswith("  proven: %s: " % human(conf["proven"])) for l in lines),
          "pydeps: no proven line of %s" % human(conf["proven"]))
    check(any(l.startswith("  likely: %s: " % human(conf["likely"])) for l in lines),
          "pydeps: no likely line of %s" % human(conf["likely"]))


def main():
    {"linkmap": linkmap, "pydeps": pydeps}[sys.argv[1]](*sys.argv[2:])
    for b in bad:
        print("FAIL: " + b, file=sys.stderr)
    sys.exit(1 if bad else 0)


main()
