#!/usr/bin/env python3
"""prune_check.py - `slim prune --arch` checked against what slim did not
compute in the prune (tests/cli/test-prune.sh on the nvcc samples,
tests/real/prune.sh on CUDA's lib64).

usage: prune_check.py SLIM ARCH WORKDIR FILE...

For each FILE: `slim prune FILE -o WORKDIR/out/NAME --arch ARCH`, then
  1. the bytes freed it prints equal the report's prediction: the bytes of
     the prunable-gpu-code findings of `slim report --arch ARCH --json` (one
     report over all files) whose dependent is FILE's node;
  2. slim re-reads OUT and lists exactly the entries of FILE that are not
     prunable, in their order (arch, kind, stored bytes), and OUT has no
     prunable finding left;
  3. each kept entry's stored bytes (header + payload) in OUT are
     byte-identical to FILE's (read here from the offsets slim lists);
  4. `slim fatbin --extract` of FILE and of OUT: each kept entry's
     extracted file (cuobjdump's naming) is byte-identical;
  5. an independent parse of OUT's containers (this script's, at each
     container offset slim lists): magic, version, header size, and the
     size field equal to the kept entries' bytes; the bytes after them up to
     the old end are zero;
  6. OUT has the input's size and mode, every byte outside the changed
     containers is FILE's, and the freed bytes are holes: OUT's allocated
     blocks are at most FILE's less the freed bytes (block slack allowed);
  7. a shared library (ET_DYN without PT_INTERP) still dlopens
     (RTLD_LAZY) in a fresh python process, where FILE does.
Prints one summary line; exits 1 on the first failure, naming the file.
"""
import ctypes, json, os, re, stat, struct, subprocess, sys

SLIM, ARCH, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
FILES = sys.argv[4:]
os.makedirs(WORK + "/out", exist_ok=True)


def die(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def run(args, **kw):
    p = subprocess.run(args, capture_output=True, text=True, **kw)
    return p


def fatbin_json(path):
    p = run([SLIM, "fatbin", "--json", "--arch", ARCH, path])
    if p.returncode:
        die(f"slim fatbin --json {path}: exit {p.returncode}: {p.stderr.strip()}")
    g = json.loads(p.stdout)
    ents = [n for n in g["nodes"] if n["kind"] == "gpu"]
    # gpu:<owner>:<arch>:<N>, N from 1 in file order
    ents.sort(key=lambda n: int(n["id"].rsplit(":", 1)[1]))
    prunable = {f["node"] for f in g["findings"] if f["kind"] == "prunable-gpu-code"}
    return ents, prunable


def ext_of(kind):
    return {"cubin": "cubin", "ptx": "ptx", "ltoir": "ltoir"}.get(kind, "bin")


def extract_names(path, ents):
    """The name `slim fatbin --extract` gives each entry (cmd-fatbin.c:
    stem, a counter per kind in file order, arch, extension)."""
    base = os.path.basename(path)
    stem = base[:base.rfind(".")] if "." in base[1:] else base
    count, names = {}, []
    for n in ents:
        k = n["attrs"]["kind"]
        col = {"cubin": 0, "ptx": 1}.get(k, 2)
        count[col] = count.get(col, 0) + 1
        names.append(f"{stem}.{count[col]}.{n['attrs']['arch']}.{ext_of(k)}")
    return names


def is_shared_lib(data):
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return False
    e_type, = struct.unpack_from("<H", data, 16)
    if e_type != 3:
        return False
    phoff, = struct.unpack_from("<Q", data, 32)
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    for i in range(phnum):
        p_type, = struct.unpack_from("<I", data, phoff + i * phentsize)
        if p_type == 3:  # PT_INTERP: a program
            return False
    return True


def elf_edit_spans(data):
    """[start, end) of what needed.c may rewrite: PT_DYNAMIC, the
    SHT_GNU_verneed section, and that section's header."""
    spans = []
    phoff, = struct.unpack_from("<Q", data, 32)
    shoff, = struct.unpack_from("<Q", data, 40)
    phentsize, phnum, shentsize, shnum = struct.unpack_from("<HHHH", data, 54)
    for i in range(phnum):
        t, _, off, _, _, filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if t == 2:
            spans.append((off, off + filesz))
    for i in range(shnum):
        h = shoff + i * shentsize
        _, t, _, _, off, size = struct.unpack_from("<IIQQQQ", data, h)
        if t == 0x6ffffffe:
            spans += [(off, off + size), (h, h + shentsize)]
    return spans


def dlopens(path):
    code = "import ctypes,os,sys; ctypes.CDLL(sys.argv[1], mode=os.RTLD_LAZY)"
    p = run([sys.executable, "-c", code, path], timeout=120)
    return p.returncode == 0, p.stderr.strip().splitlines()[-1:] if p.stderr else ""


# 1. the report's prediction, one report over all files
rep = WORK + "/report.json"
p = run([SLIM, "report", "--arch", ARCH, "--json", "-o", rep] + FILES)
if p.returncode:
    die(f"slim report --arch {ARCH}: exit {p.returncode}: {p.stderr.strip()[:400]}")
g = json.load(open(rep))
node_of = {os.path.realpath(i["path"]): i["node"] for i in g["inputs"]}
predicted = {}
for f in g["findings"]:
    if f["kind"] == "prunable-gpu-code":
        predicted[f["dependent"]] = predicted.get(f["dependent"], 0) + f["bytes"]

tot = dict(needed=0, files=0, gpu=0, entries=0, removed=0, freed=0, extracted=0, dlopen=0, holes=0)
for path in FILES:
    tot["files"] += 1
    name = os.path.basename(path)
    out = f"{WORK}/out/{name}"
    p = run([SLIM, "prune", path, "-o", out, "--arch", ARCH])
    if p.returncode:
        die(f"{path}: slim prune: exit {p.returncode}: {p.stderr.strip()}")
    if "copied unchanged" in p.stderr:
        die(f"{path}: refused: {p.stderr.strip()}")
    m = re.search(r"removed (\d+) of (\d+) GPU entries from (\d+) containers: (\d+) bytes freed", p.stdout)
    if not m:
        if "no GPU code" not in p.stdout:
            die(f"{path}: unexpected output: {p.stdout!r}")
        removed = entries = containers = freed = 0
    else:
        removed, entries, containers, freed = map(int, m.groups())
    node = node_of.get(os.path.realpath(path))
    want = predicted.get(node, 0)
    if freed != want:
        die(f"{path}: {freed} bytes freed, the report predicted {want} (node {node})")

    ein, pin = fatbin_json(path)
    eout, pout = fatbin_json(out)
    if len(ein) != entries:
        die(f"{path}: prune counted {entries} entries, slim fatbin {len(ein)}")
    kept = [n for n in ein if n["id"] not in pin]
    if len(ein) - len(kept) != removed:
        die(f"{path}: removed {removed}, {len(ein) - len(kept)} prunable")
    if pout:
        die(f"{out}: {len(pout)} prunable entries left")
    # 2. exactly the kept entries, in order
    sig = lambda n: (n["attrs"]["arch"], n["attrs"]["kind"], n["attrs"]["bytes"], n["attrs"]["header_bytes"])
    if [sig(n) for n in kept] != [sig(n) for n in eout]:
        die(f"{out}: lists {[sig(n) for n in eout][:5]}..., want the kept {[sig(n) for n in kept][:5]}...")
    din, dout = open(path, "rb").read(), open(out, "rb").read()
    # 6. size and mode
    if len(din) != len(dout):
        die(f"{out}: {len(dout)} bytes, input {len(din)}")
    if stat.S_IMODE(os.stat(path).st_mode) != stat.S_IMODE(os.stat(out).st_mode):
        die(f"{out}: mode differs from the input's")
    # 3. stored bytes identical
    for a, b in zip(kept, eout):
        oa, ob, n = a["attrs"]["offset"], b["attrs"]["offset"], a["attrs"]["bytes"]
        if din[oa:oa + n] != dout[ob:ob + n]:
            die(f"{out}: entry {b['id']} at 0x{ob:x} differs from the input's at 0x{oa:x}")
    # 5. containers, parsed here; 6. nothing else changed
    changed = {}
    for n in ein:
        off = n["attrs"]["offset"]
        changed.setdefault(n["attrs"]["container"], []).append(n)
    spans = []
    for c, es in changed.items():
        if all(e["id"] not in pin for e in es):
            continue
        start = min(e["attrs"]["offset"] for e in es)
        hs = 16
        coff = start - hs
        magic, ver, hsz, size = struct.unpack_from("<IHHQ", dout, coff)
        if magic != 0xBA55ED50 or ver != 1 or hsz != 16:
            die(f"{out}: container at 0x{coff:x}: magic 0x{magic:x} version {ver} header {hsz}")
        _, _, _, oldsize = struct.unpack_from("<IHHQ", din, coff)
        keptb = sum(e["attrs"]["bytes"] for e in es if e["id"] not in pin)
        if size != keptb:
            die(f"{out}: container at 0x{coff:x} declares {size} bytes, kept entries hold {keptb}")
        if any(dout[coff + hs + size:coff + hs + oldsize]):
            die(f"{out}: container at 0x{coff:x}: freed bytes are not zero")
        if din[coff:coff + 8] != dout[coff:coff + 8]:
            die(f"{out}: container header at 0x{coff:x} changed beyond its size field")
        spans.append((coff, coff + hs + oldsize))
    # unused DT_NEEDED entries removed too: the dynamic array, the
    # version requirements and their section header's sh_info may differ
    gone = re.findall(r"^  removed DT_NEEDED (\S+)", p.stdout, re.M)
    if gone:
        spans += elf_edit_spans(din)
        needed = lambda d: re.findall(r"\(NEEDED\).*\[(.*)\]", d)
        nin = needed(run(["readelf", "-dW", path]).stdout)
        nout = needed(run(["readelf", "-dW", out]).stdout)
        if [x for x in nin if x not in gone] != nout:
            die(f"{out}: DT_NEEDED {nout}, want {nin} without {gone}")
        tot["needed"] += len(gone)
    spans.sort()
    pos = 0
    for a, b in spans + [(len(din), len(din))]:
        if din[pos:a] != dout[pos:a]:
            die(f"{out}: bytes outside the rewritten containers changed in [0x{pos:x}, 0x{a:x})")
        pos = max(pos, b)
    alloc_in, alloc_out = os.stat(path).st_blocks * 512, os.stat(out).st_blocks * 512
    if freed and alloc_out > alloc_in - freed + 8192 * (containers + 1):
        die(f"{out}: {alloc_out} bytes allocated, input {alloc_in}: freed {freed} bytes were not punched as holes")
    if freed >= 1 << 16:
        tot["holes"] += 1
    # 4. --extract of both
    xin, xout = f"{WORK}/x/in-{name}", f"{WORK}/x/out-{name}"
    for d, f in ((xin, path), (xout, out)):
        os.makedirs(d, exist_ok=True)
        p = run([SLIM, "fatbin", "--extract", d, f])
        if p.returncode:
            die(f"slim fatbin --extract {f}: exit {p.returncode}: {p.stderr.strip()[:300]}")
    nin = dict(zip([n["id"] for n in ein], extract_names(path, ein)))
    nout = extract_names(out, eout)
    for a, bname in zip(kept, nout):
        fa, fb = f"{xin}/{nin[a['id']]}", f"{xout}/{bname}"
        if not os.path.exists(fa):
            if os.path.exists(fb):
                die(f"{fb}: extracted from OUT only")
            continue   # compressed LTO-IR: not extracted from either
        if open(fa, "rb").read() != open(fb, "rb").read():
            die(f"{fb}: differs from {fa}")
        tot["extracted"] += 1
    subprocess.run(["rm", "-rf", xin, xout])
    # 7. dlopen
    if is_shared_lib(din):
        ok_in, _ = dlopens(path)
        if ok_in:
            ok, err = dlopens(out)
            if not ok:
                die(f"{out}: no longer dlopens: {err}")
            tot["dlopen"] += 1
    tot["gpu"] += entries > 0
    tot["entries"] += entries
    tot["removed"] += removed
    tot["freed"] += freed
    os.unlink(out)

print(f"--arch {ARCH}: {tot['files']} files ({tot['gpu']} with GPU code): removed {tot['removed']} of "
      f"{tot['entries']} entries, {tot['freed']} bytes freed = the report's prediction; kept entries "
      f"byte-identical ({tot['extracted']} extracted files equal); {tot['holes']} files with holes; "
      f"{tot['dlopen']} pruned libraries dlopen; {tot['needed']} unused DT_NEEDED entries removed")
