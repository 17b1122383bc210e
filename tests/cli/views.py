#!/usr/bin/env python3
"""views.py - test-views.sh's comparisons: parse a command's text and its
JSON (and what other tools said about the same input) and check that every
figure the text prints is the JSON's.  One function per command; each
prints what disagrees and exits 1, or exits 0 in silence.

  views.py fatbin TEXT JSON SECDIR ARCH
  views.py elf TEXT JSON UNUSED_TEXT LDD_OUT READELF_S FILE
  views.py report TEXT JSON LDD_OUT FILE
"""
import json
import os
import re
import struct
import sys
from collections import defaultdict

bad = []


def check(cond, what):
    if not cond:
        bad.append(what)


def human(n):
    """common/util.c:human_bytes()"""
    v, i = float(n), 0
    units = ["B", "KiB", "MiB", "GiB", "TiB"]
    while v >= 1024 and i < 4:
        v /= 1024
        i += 1
    return "%d B" % n if i == 0 else "%.1f %s" % (v, units[i])


# --- fatbin ---------------------------------------------------------------

KIND = {2: "cubin", 1: "ptx"}      # anything else counts as LTO-IR


def walk_containers(b):
    """Every entry of the containers laid end to end in an nvcc section (or
    a .fatbin file), from the header layout alone: (arch, kind, bytes as
    stored, compressed?, decoded bytes), and the container count."""
    out, off, nc = [], 0, 0
    while off + 16 <= len(b):
        magic, ver, hsz, size = struct.unpack_from("<IHHQ", b, off)
        if magic != 0xBA55ED50:
            off += 8
            continue
        nc += 1
        e, end = off + hsz, off + hsz + size
        while e + 64 <= end:
            kind, _, ehsz, psz = struct.unpack_from("<HHIQ", b, e)
            sm = struct.unpack_from("<I", b, e + 28)[0]
            flags, = struct.unpack_from("<Q", b, e + 40)
            unc, = struct.unpack_from("<Q", b, e + 56)
            comp = bool(flags & (0x2000 | 0x8000))
            var = "a" if flags & 0x100000 else "f" if flags & 0x200000 else ""
            out.append(("sm_%d%s" % (sm, var), KIND.get(kind, "ltoir"),
                        ehsz + psz, comp, unc if comp else psz))
            e += ehsz + psz
        off = (end + 7) & ~7
    return out, nc


def rows_of(entries):
    """[(arch, kind, bytes, comp, unc)] -> {arch: row}, total row"""
    rows = defaultdict(lambda: defaultdict(int))
    tot = defaultdict(int)
    for arch, kind, b, comp, unc in entries:
        for r in (rows[arch], tot):
            r[kind] += 1
            r["entries"] += 1
            r["bytes"] += b
            r["compressed"] += b if comp else 0
            r["uncompressed"] += unc
    return rows, tot


COLS = ["cubin", "ptx", "ltoir", "entries", "bytes", "compressed", "uncompressed"]


def parse_fatbin_text(path):
    files, order, allf, cur = {}, [], {}, None
    for line in open(path):
        line = line.rstrip("\n")
        m = re.match(r"^(\S.*): (\d+) entries$", line)
        if m and not line.startswith("all "):
            cur = {"entries": int(m.group(2)), "rows": {}, "total": None}
            files[m.group(1)] = cur
            order.append(m.group(1))
            continue
        m = re.match(r"^  containers: (\d+);", line)
        if m:
            cur["containers"] = int(m.group(1))
            cur["where"] = line
            continue
        m = re.match(r"^  (sm_\w+|total)\s+" + r"\s+".join([r"(\d+)"] * 7) + "$", line)
        if m:
            row = dict(zip(COLS, map(int, m.groups()[1:])))
            if m.group(1) == "total":
                cur["total"] = row
            else:
                cur["rows"][m.group(1)] = row
            continue
        m = re.match(r"^  --arch (\S+): (\d+) prunable entries, (\d+) bytes; (\d+) redundant PTX/LTO-IR entries, (\d+) bytes", line)
        if m:
            cur["verdict"] = tuple(map(int, m.groups()[1:]))
            continue
        m = re.match(r"^  duplicates: (\d+) entries, (\d+) bytes", line)
        if m:
            cur["dup"] = (int(m.group(1)), int(m.group(2)))
            continue
        m = re.match(r"^all (\d+) files: (\d+) entries, (\d+) bytes \((\d+) in compressed entries, (\d+) decoded\)$", line)
        if m:
            allf["total"] = tuple(map(int, m.groups()))
            continue
        m = re.match(r"^--arch (\S+) would save (\d+) bytes in (\d+) prunable entries \(([\d.]+)% of the GPU code\); (\d+) more in (\d+) redundant", line)
        if m:
            allf["verdict"] = (int(m.group(2)), int(m.group(3)), m.group(4),
                               int(m.group(5)), int(m.group(6)))
            continue
        m = re.match(r"^duplicates: (\d+) entries, (\d+) bytes$", line)
        if m:
            allf["dup"] = (int(m.group(1)), int(m.group(2)))
            continue
        if re.match(r"^  arch\s+cubin\s+ptx\s+ltoir\s+entries\s+bytes\s+compressed\s+uncompressed$", line):
            continue
        if line.startswith("  #") or line.startswith("    ") or line.startswith("  unknown flag"):
            continue
        bad.append("fatbin text: a line the test cannot read: %r" % line)
    return files, order, allf


def fatbin(text, js, secdir, arch):
    files, order, allf = parse_fatbin_text(text)
    doc = json.load(open(js))
    nodes = {n["id"]: n for n in doc["nodes"]}
    kids = defaultdict(list)
    for e in doc["edges"]:
        if e["kind"] == "contains" and nodes[e["to"]]["kind"] == "gpu":
            kids[e["from"]].append(nodes[e["to"]])
    fnd = defaultdict(lambda: [0, 0])
    for f in doc["findings"]:
        fnd[(f.get("dependent"), f["kind"])][0] += 1
        fnd[(f.get("dependent"), f["kind"])][1] += f["bytes"]
    tf = doc["totals"].get("fatbin", {})
    inputs = {os.path.basename(i["path"]): i["node"] for i in doc["inputs"]}
    check(len(inputs) == len(order), "fatbin: %d inputs in the JSON, %d files in the text" % (len(inputs), len(order)))
    sums = defaultdict(int)
    for path in order:
        t, name = files[path], os.path.basename(path)
        node = inputs.get(name)
        check(node is not None, "fatbin: %s not an input of the JSON" % name)
        if node is None:
            continue
        # the JSON's gpu nodes of this file, as the text tabulates them
        ents = [(g["attrs"]["arch"], g["attrs"]["kind"] if g["attrs"]["kind"] in ("cubin", "ptx") else "ltoir",
                 g["attrs"]["bytes"], g["attrs"]["compression"] != "none", g["attrs"]["uncompressed_bytes"])
                for g in kids[node]]
        rows, tot = rows_of(ents)
        check(t["entries"] == len(ents), "fatbin %s: text %d entries, JSON %d gpu nodes" % (name, t["entries"], len(ents)))
        check(t["rows"] == {a: {c: r[c] for c in COLS} for a, r in rows.items()},
              "fatbin %s: per-arch rows differ from the JSON's gpu nodes:\n  text %s\n  json %s" % (name, t["rows"], dict(rows)))
        if ents:
            check(t["total"] == {c: tot[c] for c in COLS}, "fatbin %s: total row %s, JSON %s" % (name, t["total"], dict(tot)))
        # ... as totals.fatbin has them
        jf = tf.get("files", {}).get(node, {})
        check(t["rows"] == {r["arch"]: {c: r[c] for c in COLS} for r in jf.get("arch", [])},
              "fatbin %s: per-arch rows differ from totals.fatbin" % name)
        check(t.get("containers") == jf.get("containers", 0),
              "fatbin %s: text %s containers, totals.fatbin %s" % (name, t.get("containers"), jf.get("containers")))
        check(t["containers"] == len({g["attrs"]["container"] for g in kids[node]}),
              "fatbin %s: %d containers, entries in %d" % (name, t["containers"], len({g["attrs"]["container"] for g in kids[node]})))
        # ... and as the bytes themselves say (objcopy's dump of the sections)
        walked, nc = [], 0
        for sec in sorted(os.listdir(secdir)):
            if sec.split("@")[0] == name:
                w, c = walk_containers(open(os.path.join(secdir, sec), "rb").read())
                walked += w
                nc += c
        wrows, wtot = rows_of(walked)
        check(t["rows"] == {a: {c: r[c] for c in COLS} for a, r in wrows.items()},
              "fatbin %s: per-arch rows differ from the containers walked in objcopy's dump:\n  text %s\n  walk %s" % (name, t["rows"], dict(wrows)))
        check(t["containers"] == nc, "fatbin %s: %d containers, %d in the dumped sections" % (name, t["containers"], nc))
        # verdicts: the findings on this file's entries
        pr, rp, dp = fnd[(node, "prunable-gpu-code")], fnd[(node, "redundant-ptx")], fnd[(node, "duplicate-gpu-code")]
        if arch and ents:
            check(t.get("verdict") == (pr[0], pr[1], rp[0], rp[1]),
                  "fatbin %s: --arch line %s, JSON findings %s %s" % (name, t.get("verdict"), pr, rp))
            check(t.get("dup", (0, 0)) == tuple(dp), "fatbin %s: duplicates %s, JSON %s" % (name, t.get("dup"), dp))
        else:
            check("verdict" not in t and "dup" not in t, "fatbin %s: verdicts printed without --arch" % name)
        for c in COLS:
            sums[c] += tot[c]
        for k, v in (("pn", pr[0]), ("pb", pr[1]), ("rn", rp[0]), ("rb", rp[1]), ("dn", dp[0]), ("db", dp[1])):
            sums[k] += v
    check(allf.get("total") == (len(order), sums["entries"], sums["bytes"], sums["compressed"], sums["uncompressed"]),
          "fatbin: all-files line %s, JSON sums %s" % (allf.get("total"), dict(sums)))
    jt = tf.get("total", {}).get("total", {})
    check(all(jt.get(c) == sums[c] for c in COLS), "fatbin: totals.fatbin.total %s, gpu nodes %s" % (jt, dict(sums)))
    if arch:
        pct = "%.1f" % (100.0 * sums["pb"] / sums["bytes"] if sums["bytes"] else 0.0)
        check(allf.get("verdict") == (sums["pb"], sums["pn"], pct, sums["rb"], sums["rn"]),
              "fatbin: --arch all-files line %s, JSON %s" % (allf.get("verdict"), dict(sums)))
    if arch and sums["dn"]:
        check(allf.get("dup") == (sums["dn"], sums["db"]), "fatbin: duplicates line %s" % (allf.get("dup"),))
    else:
        check("dup" not in allf, "fatbin: a duplicates line without duplicates")


# --- elf ------------------------------------------------------------------

TREE = re.compile(r"^((?:│   |    )*)(?:├──|└──) (\S+)(?: not found \(tried: .*\)| \[([^\]]+)\] (\S*)(  UNUSED|  binds (\d+))?)(  \(see above\))?$")


def realpath_set(paths):
    return {os.path.realpath(p) for p in paths if p}


def elf_tree(lines, doc, nodes, root):
    out = defaultdict(list)
    for e in doc["edges"]:
        out[(e["from"], e["kind"])].append(e)
    byname = {}
    for n in doc["nodes"]:
        byname.setdefault(n["name"], []).append(n)
    stack, seen, paths = [root], {root}, []
    for line in lines:
        m = TREE.match(line)
        if not m:
            return line
        depth = len(m.group(1)) // 4
        parent = stack[depth]
        cand = [e for e in out[(parent, "needs")] if nodes[e["to"]]["name"] == m.group(2)]
        check(len(cand) == 1, "elf: %r: no needs edge from %s to %s" % (line, parent, m.group(2)))
        if not cand:
            continue
        e = cand[0]
        to, a = nodes[e["to"]], e.get("attrs", {})
        if m.group(3):
            check(a.get("via") == m.group(3), "elf: %r: JSON via %s" % (line, a.get("via")))
            check(to.get("attrs", {}).get("path", "") == m.group(4), "elf: %r: JSON path %s" % (line, to.get("attrs", {}).get("path")))
            paths.append(m.group(4))
            if m.group(5) == "  UNUSED":
                check(a.get("used") is False, "elf: %r: UNUSED, JSON used=%s" % (line, a.get("used")))
            elif m.group(6):
                check(a.get("used") is True and a.get("binds") == int(m.group(6)),
                      "elf: %r: JSON binds %s" % (line, a.get("binds")))
        check(bool(m.group(7)) == (to["id"] in seen and to["id"] != root and m.group(3) is not None),
              "elf: %r: '(see above)' wrong" % line)
        del stack[depth + 1:]
        if to["id"] not in seen and m.group(3):
            seen.add(to["id"])
        stack.append(to["id"])
    return paths


def elf(text, js, unused, ldd, secs, path):
    doc = json.load(open(js))
    nodes = {n["id"]: n for n in doc["nodes"]}
    root = doc["inputs"][0]["node"]
    r = nodes[root]
    lines = [l.rstrip("\n") for l in open(text)]
    head = "%s [%s] %s  %s" % (r["name"], r["kind"], r["attrs"]["path"], human(r["size"]))
    check(lines[0] == head, "elf: first line %r, JSON says %r" % (lines[0], head))
    check(r["size"] == os.stat(path).st_size, "elf: root size %d, stat %d" % (r["size"], os.stat(path).st_size))
    tree = [l for l in lines[1:] if not l.startswith("  ")]
    rest = [l for l in lines[1:] if l.startswith("  ")]
    paths = elf_tree(tree, doc, nodes, root)
    if isinstance(paths, str):
        bad.append("elf: a tree line the test cannot read: %r" % paths)
        paths = []
    # ld.so maps exactly the libraries of the tree (ldd runs it)
    # (and the program interpreter, the one line without "=>", which the
    # tree shows only where a DT_NEEDED names it)
    mapped = [l.split("=>")[1].split()[0] for l in open(ldd) if "=>" in l and "/" in l.split("=>")[1]]
    interp = [l.split()[0] for l in open(ldd) if "=>" not in l and l.strip().startswith("/")]
    check(realpath_set(mapped) <= realpath_set(paths) <= realpath_set(mapped + interp),
          "elf: tree libraries %s, ldd %s" % (sorted(realpath_set(paths)), sorted(realpath_set(mapped))))
    # sections and file bytes, from the root node's attrs, and readelf's sizes
    attrs = r["attrs"]
    top = sorted([s for s in attrs.get("sections", []) if s["size"] > 0], key=lambda s: -s["size"])[:5]
    want = "  largest sections:" + ",".join(" %s %s" % (s["name"], human(s["size"])) for s in top)
    check(want in rest, "elf: no line %r in %r" % (want, rest))
    rsz = {}
    for l in open(secs):
        m = re.match(r"^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+[0-9a-f]+\s+[0-9a-f]+\s+([0-9a-f]+)\s", l)
        if m:
            rsz[m.group(1)] = (int(m.group(3), 16), m.group(2))
    for s in top:
        check(s["name"] in rsz and (rsz[s["name"]][0] == s["size"]),
              "elf: section %s %d bytes, readelf says %s" % (s["name"], s["size"], rsz.get(s["name"])))
    fb = "  file bytes: %s alloc, %s debug, %s other non-alloc" % (
        human(attrs.get("bytes_alloc", 0)), human(attrs.get("bytes_debug", 0)), human(attrs.get("bytes_nonalloc", 0)))
    if attrs.get("bytes_memory_only", 0) > 0:
        fb += "; %s memory only (.bss, not in the file)" % human(attrs["bytes_memory_only"])
    check(fb in rest, "elf: no line %r in %r" % (fb, rest))
    # --unused: the unused-library findings of the root, in their order
    want = [nodes[f["node"]].get("attrs", {}).get("path") or nodes[f["node"]]["name"]
            for f in doc["findings"] if f["kind"] == "unused-library" and f.get("dependent") == root]
    got = [l.strip() for l in open(unused) if l.startswith("\t")]
    check(got == want, "elf --unused: %s, JSON findings %s" % (got, want))


# --- report ---------------------------------------------------------------

def report(text, js, ldd, path):
    doc = json.load(open(js))
    nodes = {n["id"]: n for n in doc["nodes"]}
    root = doc["inputs"][0]["node"]
    r = nodes[root]
    lines = [l.rstrip("\n") for l in open(text)]
    roots = doc["totals"]["roots"][root]
    # the closure: the root and what its needs edges reach (bytes with the
    # root's own); its libraries are those ld.so maps (ldd)
    needs = defaultdict(list)
    for e in doc["edges"]:
        if e["kind"] == "needs":
            needs[e["from"]].append(e["to"])
    seen, q = {root}, [root]
    while q:
        for t in needs[q.pop()]:
            if t not in seen:
                seen.add(t)
                q.append(t)
    head = "%s  %s  %d B; with its %d libraries %d B" % (root, doc["inputs"][0]["path"], r["size"],
                                                        len(seen) - 1, sum(nodes[i].get("size", 0) for i in seen))
    check(lines[0] == head, "report: first line %r, JSON's closure says %r" % (lines[0], head))
    libs = [nodes[i].get("attrs", {}).get("path") for i in seen if i != root]
    mapped = [l.split("=>")[1].split()[0] for l in open(ldd) if "=>" in l and "/" in l.split("=>")[1]]
    interp = [l.split()[0] for l in open(ldd) if "=>" not in l and l.strip().startswith("/")]
    check(realpath_set(mapped) <= realpath_set(libs) <= realpath_set(mapped + interp),
          "report: closure %s, ldd %s" % (sorted(realpath_set(libs)), sorted(realpath_set(mapped))))
    rem = [l for l in lines if l.startswith("  removable (proven):")]
    want = "  removable (proven): %d libraries, %d B" % (roots["libraries_no_longer_mapped"], roots["bytes_no_longer_mapped"])
    check(rem and rem[0].startswith(want), "report: %r, JSON roots say %r" % (rem, want))
    t = doc["totals"]
    tot = "total: %d nodes, %d edges, %d findings; %d B removable (proven findings only)" % (
        t["nodes"], t["edges"], t["findings"], t["removable_bytes"])
    check(lines[-1] == tot, "report: last line %r, JSON %r" % (lines[-1], tot))
    check(t["nodes"] == len(doc["nodes"]) and t["edges"] == len(doc["edges"]) and t["findings"] == len(doc["findings"]),
          "report: JSON totals count other arrays")
    # each finding line: its node's name, bytes and confidence
    for f in doc["findings"]:
        n = nodes[f["node"]]
        pat = re.compile(r"^    %s\s+%s\s+%s" % (re.escape(n["name"]), "%d B" % f["bytes"] if f["bytes"] else "-", f["confidence"]))
        check(any(pat.match(l) for l in lines), "report: no line for finding %s %s" % (f["kind"], f["node"]))
    # the GPU code lines of the input, and totals.fatbin's row for it
    fb = t.get("fatbin", {}).get("files", {}).get(root)
    g = [l for l in lines if l.startswith("  GPU code: ")]
    if fb:
        tt = fb["total"]
        want = "  GPU code: %d fatbin %s, %d B, by arch:" % (tt["entries"], "entry" if tt["entries"] == 1 else "entries", tt["bytes"])
        check(g and g[0] == want, "report: %r, totals.fatbin says %r" % (g, want))
        for row in fb["arch"]:
            parts = ["%d %s %d B" % (row[k], {"cubin": "cubin", "ptx": "PTX", "ltoir": "LTO-IR"}[k],
                                     sum(n["attrs"]["bytes"] for n in doc["nodes"] if n["kind"] == "gpu"
                                         and n["attrs"]["arch"] == row["arch"] and n["attrs"]["kind"] == k
                                         and n["id"].startswith("gpu:" + root.split(":", 1)[1] + ":")))
                     for k in ("cubin", "ptx", "ltoir") if row[k]]
            want = "    %-9s %s" % (row["arch"], ", ".join(parts))
            check(want in lines, "report: no line %r" % want)
    else:
        check(not g, "report: GPU code printed, no totals.fatbin row")


def main():
    cmd = sys.argv[1]
    {"fatbin": fatbin, "elf": elf, "report": report}[cmd](*sys.argv[2:])
    for b in bad:
        print("FAIL: " + b, file=sys.stderr)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
