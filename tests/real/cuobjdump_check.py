#!/usr/bin/env python3
"""cuobjdump_check.py - `slim prune --arch` checked by an independent
reader, cuobjdump (tests/real/prune-cuda118.sh: Debian's CUDA 11.8 one
over files nvcc 11.8 made and over Debian's CUDA 11.8 libraries).

usage: cuobjdump_check.py SLIM CUOBJDUMP ARCH WORKDIR FILE...

For each FILE: `slim prune --arch ARCH FILE -o WORKDIR/NAME`, then
  1. cuobjdump --list-elf --list-ptx of FILE and of OUT: OUT lists, in
     order, exactly the entries of FILE that some target of ARCH can load,
     by CUDA's rule applied here to cuobjdump's names (a cubin sm_XY runs
     on a GPU of major X and minor >= Y, sm_XYa on sm_XY only; PTX of
     compute_XY is JIT-compiled for any GPU >= XY, compute_XYa for sm_XY
     only), and at least one entry went and one stayed per FILE;
  2. the containers cuobjdump does not read inside the file (those slim's
     scan finds outside .nv_fatbin, and __nv_relfatbin in an executable or
     shared library) are carved at the offsets slim lists, their headers
     parsed here, and read by cuobjdump as bare fatbins, from FILE and OUT,
     with checks 1 and 4 (every one, or an even sample of SCAN_CAP);
     slim's own numbers agree with cuobjdump's: the entries slim lists where
     cuobjdump reads equal cuobjdump's, and "removed N of M" has M = all
     cuobjdump lists (whole file + carved) + LTO-IR (which cuobjdump 11.8
     does not list: counted, reported, not checked), M - N likewise in OUT;
  3. `slim fatbin --extract` of OUT names the same entries as cuobjdump's
     listing of OUT (cuobjdump -xelf's naming, as cuobjdump-compare.sh);
  4. cuobjdump -xelf all -xptx all of FILE and of OUT: the extracted kept
     entries are byte-identical, in order;
  5. a shared library that dlopens (RTLD_LAZY, fresh python process) before
     still does after.
Prints per FILE what was checked and the figures; exits 1 on a failure,
naming the file and the entry.
"""
import json, os, re, shutil, struct, subprocess, sys

SLIM, CUOBJDUMP, ARCH, WORK = sys.argv[1:5]
FILES = sys.argv[5:]
SCAN_CAP = 400  # scanned containers carved per file
TARGETS = []
for t in ARCH.split(","):
    m = re.fullmatch(r"sm_(\d+)(\d)", t)
    if not m:
        sys.exit(f"FAIL: target {t}: this check knows plain sm_XY targets only")
    TARGETS.append((int(m.group(1)), int(m.group(2))))
fails = 0


def fail(msg):
    global fails
    print("FAIL: " + msg, file=sys.stderr)
    fails += 1


def run(args, **kw):
    return subprocess.run(args, capture_output=True, **kw)


NAME = re.compile(r"^(ELF|PTX) file\s+\d+:\s*(\S+)$")
ARCHNAME = re.compile(r"\.sm_(\d+)(\d)([a-z]?)\.(cubin|ptx)$")


def listing(path):
    """cuobjdump's entries of PATH in order: [(kind, name, (X, Y, suffix))]."""
    p = run([CUOBJDUMP, "--list-elf", "--list-ptx", path], timeout=600)
    if p.returncode:
        fail(f"{path}: cuobjdump --list-elf --list-ptx: exit {p.returncode}: "
             f"{p.stderr.decode(errors='replace').strip()[:200]}")
        return None
    out = []
    for line in p.stdout.decode(errors="replace").splitlines():
        m = NAME.match(line.strip())
        if not m:
            continue
        a = ARCHNAME.search(m.group(2))
        if not a:
            fail(f"{path}: cuobjdump entry {m.group(2)}: no arch in its name")
            return None
        out.append((m.group(1), m.group(2), (int(a.group(1)), int(a.group(2)), a.group(3))))
    return out


def loadable(kind, arch):
    x, y, suf = arch
    for tx, ty in TARGETS:
        if suf == "a":  # arch-specific: that GPU only, cubin or PTX
            if (tx, ty) == (x, y):
                return True
        elif suf:
            sys.exit(f"FAIL: suffix {suf!r} unknown to this check")
        elif kind == "ELF" and tx == x and ty >= y:
            return True
        elif kind == "PTX" and (tx, ty) >= (x, y):
            return True
    return False


def extract(path, d):
    """cuobjdump -xelf all -xptx all into D: {name: bytes}."""
    os.makedirs(d, exist_ok=True)
    p = run([CUOBJDUMP, "-xelf", "all", "-xptx", "all", os.path.abspath(path)],
            cwd=d, timeout=1200)
    if p.returncode:
        fail(f"{path}: cuobjdump -xelf all -xptx all: exit {p.returncode}")
        return None
    got = {}
    for n in os.listdir(d):
        with open(os.path.join(d, n), "rb") as f:
            got[n] = f.read()
        os.unlink(os.path.join(d, n))
    os.rmdir(d)
    return got


def slim_names(path, d):
    """`slim fatbin --no-scan --extract` names (the containers cuobjdump
    reads: .nv_fatbin, __nv_relfatbin), LTO-IR left out."""
    p = run([SLIM, "fatbin", "--no-scan", "--extract", d, path])
    if p.returncode:
        fail(f"{path}: slim fatbin --extract: exit {p.returncode}")
        return None
    return sorted(n for n in os.listdir(d) if not n.endswith(".ltoir"))


def slim_entries(path):
    p = run([SLIM, "fatbin", "--json", path])
    if p.returncode:
        fail(f"{path}: slim fatbin --json: exit {p.returncode}")
        return None
    return [n["attrs"] for n in json.loads(p.stdout)["nodes"] if n["kind"] == "gpu"]


def carve(e, linked):
    """Entries cuobjdump does not read in the whole file: those slim's scan
    found, and in an executable or shared library those of __nv_relfatbin
    (the -rdc objects' fatbins nvlink keeps; the runtime loads .nv_fatbin)."""
    return e["found_by_scan"] or (linked and e["section"] == "__nv_relfatbin")


def is_linked(path):
    with open(path, "rb") as h:
        b = h.read(18)
    return b[:4] == b"\x7fELF" and struct.unpack_from("<H", b, 16)[0] in (2, 3)


def carved(f, out, ents, work, linked):
    """The containers cuobjdump does not read inside the file (carve()):
    each carved at the same
    offset from FILE and from OUT (header parsed here) into a bare .fatbin
    that cuobjdump lists and extracts.  Returns (containers checked, of,
    entries listed in, in OUT, extracted identical) or None."""
    conts = {}
    for e in ents:
        if carve(e, linked):
            conts.setdefault(e["container"], []).append(e)
    keys = sorted(conts)
    if len(keys) > SCAN_CAP:  # every k-th, SCAN_CAP in all
        keys = keys[::-(-len(keys) // SCAN_CAP)]
    with open(f, "rb") as a, open(out, "rb") as b:
        din, dout = a.read(), b.read()
    n_in = n_out = same = 0
    os.makedirs(work, exist_ok=True)
    for c in keys:
        off = min(e["offset"] for e in conts[c]) - 16
        hdr = []
        for d in (din, dout):
            magic, ver, hsz, size = struct.unpack_from("<IHHQ", d, off)
            if magic != 0xBA55ED50 or hsz != 16:
                fail(f"{f}: scanned container at 0x{off:x}: magic 0x{magic:x} header {hsz}")
                return None
            hdr.append(size)
        lists = []
        for tag, d, size in (("in", din, hdr[0]), ("out", dout, hdr[1])):
            cf = os.path.join(work, f"c{tag}.fatbin")
            with open(cf, "wb") as w:
                w.write(d[off:off + 16 + size])
            lists.append((listing(cf) if size else [], extract(cf, os.path.join(work, f"x{tag}")) if size else {}))
        (lin, xin), (lout, xout) = lists
        if lin is None or lout is None or xin is None or xout is None:
            return None
        want = [(k, a) for k, _, a in lin if loadable(k, a)]
        if want != [(k, a) for k, _, a in lout]:
            fail(f"{f}: scanned container at 0x{off:x}: cuobjdump lists {len(lout)} entries "
                 f"in OUT, CUDA's rule keeps {len(want)} of {len(lin)}")
            return None
        kin = [xin[n] for k, n, a in lin if loadable(k, a)]
        kout = [xout[n] for _, n, _ in lout]
        if kin != kout:
            fail(f"{f}: scanned container at 0x{off:x}: an extracted kept entry differs")
            return None
        n_in, n_out, same = n_in + len(lin), n_out + len(lout), same + len(kout)
    return len(keys), len(conts), n_in, n_out, same


def dlopens(path):
    return run([sys.executable, "-c", "import ctypes,sys; ctypes.CDLL(sys.argv[1])",
                path], timeout=120).returncode == 0


os.makedirs(WORK, exist_ok=True)
tot = dict(files=0, entries=0, removed=0, freed=0, identical=0, dl=0, lto=0, scan=0)
for i, f in enumerate(FILES):
    name = os.path.basename(f)
    out = os.path.join(WORK, name)
    p = run([SLIM, "prune", "--arch", ARCH, f, "-o", out])
    if p.returncode:
        fail(f"{f}: slim prune --arch {ARCH}: exit {p.returncode}: "
             f"{p.stderr.decode(errors='replace').strip()}")
        continue
    said = p.stdout.decode() + p.stderr.decode()
    m = re.search(r"removed (\d+) of (\d+) GPU entries from (\d+) containers: (\d+) bytes freed", said)
    if not m:
        fail(f"{f}: slim prune printed no GPU summary: {said.strip()}")
        continue
    removed, total, conts, freed = map(int, m.groups())
    lin, lout = listing(f), listing(out)
    if lin is None or lout is None:
        continue
    # 1. OUT = the loadable entries of FILE, in order (by kind and arch;
    # cuobjdump renumbers the names, so the names are compared in 3.).
    want = [(k, a) for k, _, a in lin if loadable(k, a)]
    have = [(k, a) for k, _, a in lout]
    if want != have:
        fail(f"{f} --arch {ARCH}: cuobjdump lists in OUT {len(have)} entries, "
             f"CUDA's rule keeps {len(want)} of the input's {len(lin)}")
        for j, (w, h) in enumerate(zip(want + [None] * len(have), have + [None] * len(want))):
            if w != h:
                print(f"  first difference at kept entry {j}: rule {w}, OUT {h}", file=sys.stderr)
                break
        continue
    if not want or len(want) == len(lin):
        fail(f"{f} --arch {ARCH}: {len(want)} of {len(lin)} entries kept: "
             "pick a FILE and ARCH where some go and some stay")
    # 2. slim's entries: those cuobjdump reads in the file, those of the
    # containers it does not read there (carved and read by it), LTO-IR.
    ein, eout = slim_entries(f), slim_entries(out)
    linked = is_linked(f)
    if ein is None or eout is None:
        continue
    def split(es):
        return (sum(not carve(e, linked) and e["kind"] != "ltoir" for e in es),
                sum(e["kind"] == "ltoir" for e in es))
    (vis_in, lto_in), (vis_out, lto_out) = split(ein), split(eout)
    sc = carved(f, out, ein, os.path.join(WORK, f"s{i}"), linked)
    if sc is None:
        continue
    sc_checked, sc_all, sc_in, sc_out, sc_same = sc
    if vis_in != len(lin) or vis_out != len(lout):
        fail(f"{f}: slim lists {vis_in} -> {vis_out} entries where cuobjdump reads, "
             f"cuobjdump {len(lin)} -> {len(lout)}")
    if sc_checked == sc_all and (total != len(lin) + sc_in + lto_in or
                                 total - removed != len(lout) + sc_out + lto_out):
        fail(f"{f}: slim says removed {removed} of {total}; cuobjdump lists "
             f"{len(lin)} + {sc_in} scanned in FILE, {len(lout)} + {sc_out} in OUT "
             f"(+ LTO-IR {lto_in}, {lto_out}, which cuobjdump 11.8 does not list)")
    # 3. slim's names of OUT = cuobjdump's.
    cnames = sorted(n for _, n, _ in lout)
    snames = slim_names(out, os.path.join(WORK, f"x{i}-out"))
    if snames is None:
        continue
    # __nv_relfatbin entries of a linked file: slim names them too
    # (cuobjdump read them carved, above)
    rel = sum(carve(e, linked) and not e["found_by_scan"] and e["kind"] != "ltoir"
              for e in eout)
    if not set(cnames) <= set(snames) or len(snames) - len(cnames) != rel:
        fail(f"{f}: slim fatbin --extract of OUT names {len(snames)} entries "
             f"({rel} in __nv_relfatbin), cuobjdump lists {len(cnames)}: "
             f"{sorted(set(cnames) ^ set(snames))[:4]}")
    # 4. cuobjdump's extracted kept entries, byte-identical and in order.
    xin = extract(f, os.path.join(WORK, f"c{i}-in"))
    xout = extract(out, os.path.join(WORK, f"c{i}-out"))
    if xin is None or xout is None:
        continue
    if len(xin) != len(lin) or len(xout) != len(lout):
        fail(f"{f}: cuobjdump extracted {len(xin)}/{len(xout)} files for "
             f"{len(lin)}/{len(lout)} listed entries (names collide)")
        continue
    kin = [xin[n] for k, n, a in lin if loadable(k, a)]
    kout = [xout[n] for _, n, _ in lout]
    same = sum(a == b for a, b in zip(kin, kout))
    if same != len(kout):
        j = next(j for j, (a, b) in enumerate(zip(kin, kout)) if a != b)
        fail(f"{f}: cuobjdump's extract of OUT entry {lout[j][1]} differs from the input's")
    # 5. dlopen.
    dl = ""
    if name.endswith(".so") or ".so." in name:
        if dlopens(f):
            if dlopens(out):
                dl, tot["dl"] = ", dlopens", tot["dl"] + 1
            else:
                fail(f"{out}: dlopened before pruning, not after")
        else:
            dl = ", input does not dlopen"
    sample = " (an even sample: slim's total not compared)" if sc_checked < sc_all else ""
    scan = (f"; containers carved: {sc_checked} of {sc_all}{sample}, cuobjdump lists "
            f"{sc_in} -> {sc_out} = CUDA's rule, {sc_same} identical" if sc_all else "")
    lto = f"; LTO-IR {lto_in} -> {lto_out} (slim's count only)" if lto_in else ""
    print(f"  {name} --arch {ARCH}: cuobjdump lists {len(lin)} -> {len(lout)} entries "
          f"= CUDA's rule, {same} extracted identical{scan}{lto}; slim: removed "
          f"{removed} of {total} from {conts} containers, {freed} bytes freed{dl}")
    shutil.rmtree(os.path.join(WORK, f"x{i}-out"), ignore_errors=True)
    shutil.rmtree(os.path.join(WORK, f"s{i}"), ignore_errors=True)
    tot["lto"] += lto_in - lto_out
    tot["scan"] += sc_in - sc_out
    tot["files"] += 1
    tot["entries"] += total
    tot["removed"] += removed
    tot["freed"] += freed
    tot["identical"] += same + sc_same
print(f"ok --arch {ARCH}: {tot['files']} of {len(FILES)} files; {tot['removed']} of "
      f"{tot['entries']} entries removed, {tot['freed']} bytes freed, "
      f"{tot['identical']} kept entries byte-identical by cuobjdump, "
      f"{tot['dl']} libraries dlopen; of the removed, {tot['scan']} in the "
      f"carved containers checked, {tot['lto']} LTO-IR (not checked by cuobjdump)" if not fails else f"FAIL: {fails} failures --arch {ARCH}")
sys.exit(1 if fails else 0)
