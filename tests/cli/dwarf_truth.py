# dwarf_truth.py FILE: code bytes per compile unit as binutils' readelf
# reads them, for comparison with slim's: the .debug_aranges sets (address
# ranges per CU offset) summed, named from the CU DIEs (--dwarf-depth=1).
# Prints a JSON list of [name, bytes], largest first, units with code only.
import re, subprocess, sys, json
f = sys.argv[1]
ar = subprocess.run(["readelf", "--debug-dump=aranges", f], capture_output=True, text=True).stdout
sizes = {}
off = None
dumps = 0
for line in ar.splitlines():
    if line.startswith("Contents of"):
        dumps += 1   # readelf may print the section twice
        if dumps > 1:
            break
    m = re.search(r"Offset into \.debug_info:\s+(0x[0-9a-f]+|0)\s*$", line)
    if m:
        off = int(m.group(1), 16); sizes.setdefault(off, 0); continue
    m = re.match(r"\s+([0-9a-f]{8,16}) ([0-9a-f]{8,16})\s*$", line)
    if m and off is not None:
        sizes[off] += int(m.group(2), 16)
info = subprocess.run(["readelf", "--debug-dump=info", "--dwarf-depth=1", f], capture_output=True, text=True).stdout
names = {}
cur = None
dumps = 0
for line in info.splitlines():
    if line.startswith("Contents of"):
        dumps += 1
        if dumps > 1:
            break
    m = re.search(r"Compilation Unit @ offset (0x[0-9a-f]+|0):", line)
    if m:
        cur = int(m.group(1), 16); continue
    m = re.search(r"DW_AT_name\s*:\s*(?:\([^)]*\):\s*)?(.*)$", line)
    if m and cur is not None and cur not in names:
        names[cur] = m.group(1).strip()
out = sorted(((names.get(o, "?"), s) for o, s in sizes.items() if s), key=lambda x: (-x[1], x[0]))
json.dump(out, sys.stdout)
