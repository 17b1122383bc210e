# slim why on archive members, against the linker's own record: GNU ld's
# map lists, for every archive member it loaded, the file and the symbol
# whose reference pulled it in ("Archive member included to satisfy
# reference by file (symbol)").  Following those records back from a member
# to a plain object file gives the one pull chain the linker took; slim's
# why-path must be exactly that chain, each step naming the same symbol.
# Samples: samples/build-linkmap.sh (prog: our libdemo.a and Debian's static
# sqlite/zlib/jansson; crypto: libcrypto.a, chains nine members deep).
source "$ROOT/tests/cli/lib.sh"
source "$ROOT/tests/cli/graph-lib.sh"
need python3 python3
for s in prog-bfd crypto-bfd; do
	exe=$ROOT/samples/out/linkmap/$s
	[ -f "$exe" ] && [ -f "$exe.map" ] || die "missing $exe(.map): run samples/build.sh (make test does)"
	$SLIM report --json "$exe" --map "$exe.map" -o $s.json || die "report $s"
	python3 - "$SLIM" $s.json "$exe.map" "exe:$s" <<'PY' || die "why-paths of $s disagree with the map"
import json, os, re, subprocess, sys
slim, rep, mapf, root = sys.argv[1:]
def node(f):  # a map file name as a node id: archive basename(member)
    m = re.match(r"(.*)\((.*)\)$", f)
    return "obj:%s(%s)" % (os.path.basename(m.group(1)), m.group(2)) if m else "obj:" + os.path.basename(f)
lines = open(mapf).read().split("\n")
assert lines[0].startswith("Archive member included"), lines[0]
rec, i = {}, 2
while i < len(lines) and lines[i].strip():
    member = lines[i].strip()
    by = lines[i + 1].strip() if not lines[i].startswith(" ") and len(lines[i].split()) == 1 else None
    if by is None:            # "member  file (symbol)" on one line
        member, by = lines[i].split(None, 1); i += 1
    else:
        i += 2
    m = re.match(r"(.*) \((.*)\)$", by)
    rec[node(member)] = (node(m.group(1)), m.group(2))
assert len(rec) >= 5, len(rec)
def chain(n):
    c = [n]
    while c[-1] in rec:
        c.append(rec[c[-1]][0])
        assert len(c) < 10000
    return c[::-1]
members = sorted(rec)
sample = members[::max(1, len(members) // 40)] + [max(members, key=lambda m: len(chain(m)))]
for mem in sample:
    out = subprocess.run([slim, "why", "--json", rep, mem], capture_output=True, text=True)
    assert out.returncode == 0, (mem, out.stderr)
    w = json.loads(out.stdout)
    assert w["total_paths"] == 1, (mem, w["total_paths"])
    got = [s["node"] for s in w["paths"][0]]
    want = [root] + chain(mem)
    assert got == want, (mem, got, want)
    for s in w["paths"][0][2:]:
        syms = [e["attrs"].get("symbol") for e in s["edges"] if e["kind"] == "pulls"]
        assert syms == [rec[s["node"]][1]], (s["node"], syms, rec[s["node"]])
print(len(sample), "members of", len(rec), "checked; longest chain", max(len(chain(m)) for m in members))
PY
done
$SLIM why prog-bfd.json 'libdemo.a(demo_dead.o)' > dead.txt
grep -q -- '-> obj:libdemo.a(demo_dead.o)  \[pulls: member needed for symbol demo_dead\]' dead.txt || { cat dead.txt; die "evidence wording"; }
true
