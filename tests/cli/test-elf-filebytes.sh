# "file bytes" are bytes in the file: a SHT_NOBITS section (.bss, .tbss,
# .lbss) has a size but no byte in the file, so it is reported apart
# (attrs.bytes_memory_only) and a node's size stays the file's size.  For
# every loadable file in /usr/bin and /usr/lib/x86_64-linux-gnu (and a
# program with a 64 MiB .bss built here), readelf -S -W computes the truth
# in this run: alloc + debug + other non-alloc == the sum of the non-NOBITS
# sections, never more than the file; memory only == the sum of the
# allocated NOBITS sections; size == the file's size.
source "$ROOT/tests/cli/lib.sh"
need python3 python3
need readelf binutils
need eu-elfclassify elfutils
need gcc gcc
printf 'static char big[64 << 20]; __thread char tls[4096];\nint main(int c, char **v) { big[c] = 1; tls[c] = 2; return big[0] + tls[0]; }\n' > bss.c
gcc -O0 -o bss bss.c || die "gcc failed"
find /usr/bin /usr/lib/x86_64-linux-gnu -maxdepth 1 -type f | eu-elfclassify --stdin --loadable --print > files
# CUDA's libraries where installed (libcublasLt: 84 MiB of .bss/.lbss/.tbss
# in a 516 MiB file, once counted as 600 MiB of file bytes)
for d in /usr/local/cuda-*/lib64; do [ -d "$d" ] && find "$(readlink -f "$d")" -maxdepth 1 -type f -name '*.so*'; done |
	sort -u | eu-elfclassify --stdin --loadable --print > cuda
cat cuda >> files
echo "$PWD/bss" >> files
[ "$(wc -l < files)" -gt 500 ] || die "fewer than 500 loadable files found"
xargs -a files -d '\n' "$SLIM" elf --json --no-bind > all.json 2> err || die "slim failed: $(head -3 err)"
while read -r f; do
	printf '%s\t%s\n' "$f" "$(readelf -S -W "$f" 2>/dev/null | sed -n 's/^ *\[ *[0-9]*\] //p' | tr '\n' '|')"
done < files > sections
python3 - <<'EOF' || die "file bytes disagree with readelf"
import json, os, sys
d = json.load(open("all.json"))
nodes = {n["id"]: n for n in d["nodes"]}
truth = {}
for line in open("sections"):
    path, secs = line.rstrip("\n").split("\t")
    filebytes = memonly = 0
    for s in secs.split("|"):
        f = s.split()
        if len(f) < 6 or f[1] == "NULL":
            continue
        # Name Type Address Off Size ES Flg ...
        size, flags = int(f[4], 16), f[6] if len(f) > 6 and not f[6].isdigit() else ""
        if f[1] == "NOBITS":
            memonly += size if "A" in flags else 0
        else:
            filebytes += size
    truth[path] = (filebytes, memonly)
bad, n, over, most = [], 0, 0, (0, "")
for i in d["inputs"]:
    a = nodes[i["node"]]["attrs"]
    size = os.path.getsize(i["path"])
    fb = a["bytes_alloc"] + a["bytes_debug"] + a["bytes_nonalloc"]
    want_fb, want_mem = truth[i["path"]]
    n += 1
    if fb != want_fb or a["bytes_memory_only"] != want_mem or fb > size or \
       nodes[i["node"]]["size"] != size or a["bytes_unattributed"] != max(size - fb, 0):
        bad.append((i["path"], fb, want_fb, a["bytes_memory_only"], want_mem, size))
    # what the old count (NOBITS in "alloc") would have claimed past the file
    if fb + want_mem > size:
        over += 1
    most = max(most, (want_mem, i["path"]))
for b in bad[:20]:
    print("wrong: %s file bytes %d (readelf %d), memory only %d (readelf %d), file %d" % b, file=sys.stderr)
assert n == len(truth) and not bad, (n, len(truth), len(bad))
print("%d files; %d would exceed their size if NOBITS counted; largest memory-only %d B in %s" % (n, over, *most))
EOF
"$SLIM" elf bss > out
grep -q 'file bytes: .*; 64.0 MiB memory only' out || { cat out; die "the text must show the 64 MiB .bss apart from the file bytes"; }
echo "file bytes equal readelf's non-NOBITS sums on $(wc -l < files) files ($(wc -l < cuda) of CUDA's lib64$([ -s cuda ] || echo ': none installed')); NOBITS reported as memory only"
