# slim report on static archives and objects lists what they hold, judged
# by binutils computed here: every member in `ar t`'s order with the bytes
# `ar tv` gives it, and the text/data/bss `size` (Berkeley: the SHF_ALLOC
# sections a link could take) counts for it -- Debian's libz.a and
# libsqlite3.a, and the linkmap samples' libdemo.a; in the text, each member
# row and the member totals.  Then the GPU code of the committed nvcc
# samples (samples/cuda/build.sh's -gencode sets, written down in MANIFEST):
# entries per arch and kind per file and per archive member as MANIFEST
# says, and their bytes: each fatbin section `size -A` measures is its
# containers' 16-byte headers plus the entries (so the entries' sum is the
# section minus 16 per container).  Without --arch the text says how to
# ask what can go; with --arch sm_80 it says how many entries no sm_80 GPU
# can load: all but the sm_80 cubins and PTX/LTO-IR for compute_80 or older
# (CUDA runs a cubin only on its own major at an equal or newer minor, an
# `a` cubin only on its exact arch, and JITs compute_XX PTX only to XX and
# newer).
source "$ROOT/tests/cli/lib.sh"
need python3 python3; need ar binutils; need size binutils
F=$ROOT/samples/out/fatbin L=$ROOT/samples/out/linkmap
[ -f "$F/MANIFEST" ] || die "missing $F/MANIFEST: run samples/build.sh (make test does)"
[ -f "$L/libdemo.a" ] || die "missing $L/libdemo.a: run samples/build.sh"
# dup.a: two members of one name (ar q appends), told apart as #2;
# libdemothin.a: a thin archive (GNU ar --thin), its members files beside it
cp "$L/util.o" "$L/main.o" .
ar qc dup.a util.o main.o util.o
archives="/usr/lib/x86_64-linux-gnu/libz.a /usr/lib/x86_64-linux-gnu/libsqlite3.a $L/libdemo.a $F/libdev.a $PWD/dup.a $L/libdemothin.a"
for a in $archives; do
	[ -f "$a" ] || die "missing $a: apt-get install zlib1g-dev libsqlite3-dev (or run \`make deps\`)"
	b=$(basename "$a")
	expect_rc 0 "$SLIM" report --json "$a" > "$b.json"
	expect_rc 0 "$SLIM" report --bytes --top 100000 "$a" > "$b.txt"
	expect_rc 0 "$SLIM" report "$a" > "$b.human"
	ar t "$a" > "$b.t"; ar tv "$a" > "$b.tv"; size "$a" > "$b.size"
	python3 - "$b" <<'PY' || die "$b: members differ from ar/size"
import json, os, re, sys
b = sys.argv[1]
d = json.load(open(b + ".json"))
mem = sorted((n for n in d["nodes"] if n["kind"] == "object" and "member" in n.get("attrs", {})),
             key=lambda n: n["attrs"]["position"])
names = open(b + ".t").read().split()
assert names, "ar t lists nothing"
thin = {n["id"]: n for n in d["nodes"]}["obj:" + b].get("attrs", {}).get("thin", False)
if thin:    # ar t names a thin archive's members by their files' paths
    assert [os.path.normpath(m["attrs"]["file"]) for m in mem] == [os.path.normpath(x) for x in names], "thin members are not ar t's"
else:
    assert [m["attrs"]["member"] for m in mem] == names, "members are not ar t's"
ids = [m["id"] for m in mem]
assert len(set(ids)) == len(ids), "member ids not unique"
for i, m in enumerate(mem):
    k = [x["attrs"]["member"] for x in mem[:i + 1]].count(m["attrs"]["member"])
    assert m["id"] == "obj:%s(%s)%s" % (b, m["attrs"]["member"], "#%d" % k if k > 1 else ""), m["id"]
assert [m["size"] for m in mem] == [int(l.split()[2]) for l in open(b + ".tv")], "sizes are not ar tv's"
rows = [l.split() for l in open(b + ".size").read().splitlines()[1:]]
elf = [m for m in mem if m["attrs"]["format"] == "elf"]
assert len(rows) == len(elf), (len(rows), len(elf))
for m, r in zip(elf, rows):
    a = m["attrs"]
    assert r[5] in (a["member"], a.get("file")), (r, a["member"])
    assert (a["bytes_text"], a["bytes_data"], a["bytes_bss"]) == tuple(map(int, r[:3])), (a, r)
assert all(e["from"] == "obj:" + b for e in d["edges"] if e["to"] in {m["id"] for m in mem})
# the text (--bytes): one row per member, and the sums
txt = open(b + ".txt").read()
for m, r in zip(elf, rows):
    row = "    %-28s %10s  text %s B, data %s B, bss %s B\n" % (m["attrs"]["member"], "%d B" % m["size"], r[0], r[1], r[2])
    assert row in txt, "no row: " + row
tot = [sum(int(r[i]) for r in rows) for i in range(3)]
want = "  members: %d (%d ELF), %d B; a link could take at most text %d B, data %d B, bss %d B" % (
    len(mem), len(elf), sum(m["size"] for m in mem), *tot)
assert want in txt, "no totals line: " + want
# default text: --top 10 rows, the largest first, the rest counted
hum = open(b + ".human").read()
shown = re.findall(r"^    (\S+) +[0-9.]+ (?:B|KiB|MiB)  text", hum, re.M)
assert shown == [m["attrs"]["member"] for m in sorted(mem, key=lambda m: (-m["size"], m["attrs"]["position"]))][:10], shown
if len(mem) > 10:
    assert "    ... and %d more (--top N, or --json for all)" % (len(mem) - 10) in hum
PY
done
grep -q "^obj:libdemothin.a .* thin archive" libdemothin.a.human || die "thin archive not said"
grep -q "^    util.o " dup.a.txt || die "dup.a: no util.o row"
[ "$(grep -c '^    util.o ' dup.a.txt)" = 2 ] || die "dup.a: want two util.o rows"
echo "members of $(echo $archives | wc -w) archives (one thin, one with a name twice) equal ar t / ar tv / size"

# GPU code per file, per arch and kind, against MANIFEST; bytes against
# size -A's fatbin sections
for f in exe_none exe_size libk.so libdev.a lto_size.o kern.fatbin; do
	expect_rc 0 "$SLIM" report --bytes "$F/$f" > "$f.gpu"
	expect_rc 0 "$SLIM" report --bytes --arch sm_80 "$F/$f" > "$f.gpu80"
	size -A "$F/$f" > "$f.sizeA" 2> /dev/null || : > "$f.sizeA"   # a bare fatbin is no ELF
	python3 - "$F" "$f" <<'PY' || die "$f: GPU summary differs from MANIFEST/size -A"
import collections, os, re, sys
F, f = sys.argv[1], sys.argv[2]
label = {"cubin": "cubin", "ptx": "PTX", "ltoir": "LTO-IR"}
want = collections.Counter()               # (member or None, arch, kind) -> entries
conts = collections.defaultdict(set)       # member or None -> containers
members = None
if f.endswith(".a"):
    members = os.popen("ar t " + F + "/" + f).read().split()
for l in open(F + "/MANIFEST"):
    w = l.split()
    if w[:1] == ["entry"] and w[1] == f:
        m = members[int(w[2])] if members else None     # one container per member here
        want[(m, w[4], label[w[3]])] += 1
        conts[m].add(w[2])
assert want, "MANIFEST has no entries for " + f
txt = open(f + ".gpu").read()
n = sum(want.values())
# section bytes (size -A; per member for an archive) minus 16 per container
sec, cur = collections.Counter(), None
for l in open(f + ".sizeA"):
    mm = re.match(r"(\S+)\s+\(ex ", l)
    if mm:
        cur = mm.group(1)
    w = l.split()
    if w and w[0] in (".nv_fatbin", "__nv_relfatbin"):
        sec[cur if members else None] += int(w[1])
if f.endswith(".fatbin"):
    sec[None] = os.path.getsize(F + "/" + f)      # the file is one container
total = sum(sec[m] - 16 * len(conts[m]) for m in conts)
head = "  GPU code: %d fatbin %s, %d B, by arch:\n" % (n, "entry" if n == 1 else "entries", total)
assert head in txt, "want " + head + txt
arch = collections.defaultdict(collections.Counter)
for (m, a, k), c in want.items():
    arch[a][k] += c
for a, ks in arch.items():
    got = re.search(r"^    %s +(.*)$" % re.escape(a), txt, re.M)
    assert got, "no row for " + a
    kinds = {k: int(c) for c, k in re.findall(r"(\d+) (cubin|PTX|LTO-IR) \d+ B", got.group(1))}
    assert kinds == dict(ks), (a, kinds, dict(ks))
assert len(re.findall(r"^    sm_\d+[af]? +\d", txt, re.M)) == len(arch), "rows beyond MANIFEST's archs"
assert "no --arch given" in txt and "--arch LIST" in txt, "no hint to use --arch"
if members:
    for m in members:
        mine = {(a, k): c for (mm, a, k), c in want.items() if mm == m}
        got = re.search(r"^    %s: (\d+) entr(?:y|ies), (\d+) B: (.*)$" % re.escape(m), txt, re.M)
        assert got, "no GPU line for member " + m
        assert int(got.group(1)) == sum(mine.values())
        assert int(got.group(2)) == sec[m] - 16 * len(conts[m]), (m, got.group(2))
        have = {(a, k): int(c) for a, c, k in re.findall(r"(sm_\d+[af]?) (\d+) (cubin|PTX|LTO-IR)", got.group(3))}
        assert have == mine, (m, have, mine)
# --arch sm_80: everything but the sm_80 cubins and compute_80-or-older
# PTX/LTO-IR can go
t80 = open(f + ".gpu80").read()
def loads(a, k):
    num = re.fullmatch(r"sm_(\d+)([af]?)", a)
    if k == "cubin":
        return a == "sm_80"
    return not num.group(2) and int(num.group(1)) <= 80
keep = sum(c for (m, a, k), c in want.items() if loads(a, k))
assert "  for --arch sm_80: %d of %d entries" % (n - keep, n) in t80, t80
assert "no --arch given" not in t80
PY
done
# an entry is in its file, never "needed by" it
expect_rc 0 "$SLIM" report --arch sm_90 "$F/exe_none" "$F/libdev.a" > rel.txt
grep -E '(cubin|ptx|ltoir) #[0-9]+ ' rel.txt > rows.txt || die "no GPU finding rows"
grep -q 'needed by' rows.txt && die "GPU entries 'needed by' their file: $(grep 'needed by' rows.txt | head -1)"
[ "$(grep -c '  in exe_none$' rows.txt)" -ge 1 ] || die "no 'in exe_none': $(head -3 rows.txt)"
grep -Eq '  in libdev\.a\((dev|lib)_rdc\.o\)$' rows.txt || die "an archive's entry is not 'in AR(MEMBER)'"
# a relocatable object: its text/data/bss as size counts them
o=$L/util.o
expect_rc 0 "$SLIM" report --bytes "$o" > o.txt
set -- $(size "$o" | tail -1)
grep -q "relocatable object: text $1 B, data $2 B, bss $3 B" o.txt || die "util.o: $(head -1 o.txt), size says $1 $2 $3"
echo "GPU entries per arch, kind and member as MANIFEST; bytes as size -A; --arch verdict counts"
