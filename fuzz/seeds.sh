#!/bin/bash
# Seed corpora per harness from samples/ and real files on the machine.
set -u
cd "$(dirname "$0")"
c=out/corpus
mkdir -p "$c"/fuzz_elf "$c"/fuzz_ldcache "$c"/fuzz_report_json "$c"/fuzz_fatbin \
	"$c"/fuzz_linkmap "$c"/fuzz_pytrace "$c"/fuzz_pyscan "$c"/fuzz_gate_policy "$c"/fuzz_archive "$c"/fuzz_unpack
../samples/build.sh
for f in /bin/ls /bin/true /usr/lib/x86_64-linux-gnu/libz.so.1 ../samples/out/elf/*/main \
	 ../samples/out/elf/*/*.so ../samples/out/evil/libevil.so; do
	[ -f "$f" ] && cp "$f" "$c/fuzz_elf/$(echo "$f" | tr / _)" 2>/dev/null
done
# DWARF for the compile-unit sizes (libdw): gcc and clang -g builds
printf 'int f(int x) { return x * 7; }\nint main(int c, char **v) { return f(c) + v[0][0]; }\n' > "$c/dw.c"
cc -g -O2 -o "$c/fuzz_elf/dwarf-gcc" "$c/dw.c" 2>/dev/null
clang -g -O2 -o "$c/fuzz_elf/dwarf-clang" "$c/dw.c" 2>/dev/null
rm -f "$c/dw.c"
cp /etc/ld.so.cache "$c/fuzz_ldcache/new" 2>/dev/null
tmp=$(mktemp -d); mkdir -p "$tmp/etc"; echo /lib > "$tmp/etc/ld.so.conf"
ldconfig -c old -r "$tmp" 2>/dev/null && cp "$tmp/etc/ld.so.cache" "$c/fuzz_ldcache/old"
rm -rf "$tmp"
../slim report --json ../samples/out/elf/unused/main > "$c/fuzz_report_json/unused.json" 2>/dev/null
../slim report --json ../samples/out/elf/cycle/main > "$c/fuzz_report_json/cycle.json" 2>/dev/null
for f in ../samples/cuda/bin/*; do cp "$f" "$c/fuzz_fatbin/" 2>/dev/null; done
mkdir -p "$c"/fuzz_prune
for f in ../samples/cuda/bin/* /usr/bin/gio /usr/bin/make; do cp "$f" "$c/fuzz_prune/" 2>/dev/null; done
for f in ../samples/out/linkmap/*.a ../samples/out/linkmap/util.o ../samples/cuda/bin/*.a \
	 ../samples/cuda/bin/*.o /usr/lib/x86_64-linux-gnu/libz.a; do
	[ -f "$f" ] && cp "$f" "$c/fuzz_archive/$(basename "$f")"
done
for f in ../samples/out/linkmap/*.map; do
	[ "$(stat -c %s "$f")" -lt 300000 ] && cp "$f" "$c/fuzz_linkmap/"
done
for f in ../samples/out/linkmap/*.map; do head -c 200000 "$f" > "$c/fuzz_linkmap/head-$(basename "$f")"; done
for m in json csv; do
	/usr/bin/python3 -X importtime -c "import $m" 2> "$c/fuzz_pytrace/importtime-$m"
	/usr/bin/python3 -v -c "import $m" 2> "$c/fuzz_pytrace/verbose-$m"
done
for f in /usr/lib/python3.11/json/*.py /usr/lib/python3.11/importlib/__init__.py \
	 /usr/lib/python3.11/encodings/__init__.py; do cp "$f" "$c/fuzz_pyscan/$(echo "$f" | tr / _)"; done
cat > "$c/fuzz_gate_policy/full.json" <<'JSON'
{"schema": "slim-policy/1", "max_new_libraries": 1, "max_new_nodes": {"lib": 2, "*": 10},
 "max_total_bytes_growth": 100000, "max_total_bytes_growth_percent": 5,
 "max_node_bytes_growth": 5000, "max_node_bytes_growth_percent": 10,
 "allow": [{"node": "lib:libnew.so.1", "reason": "r", "owner": "o", "expires": "2027-01-31"},
           {"pattern": "py:pkg.*", "reason": "r", "owner": "o", "expires": "2026-01-01"}]}
JSON
for f in ../tests/cli/*policy*.json ../samples/*policy*.json; do [ -f "$f" ] && cp "$f" "$c/fuzz_gate_policy/"; done
# archives and images: small trees of samples/ in each container
u=$(mktemp -d); cu="$(pwd)/$c/fuzz_unpack"; mkdir -p "$u/t/usr/lib" "$u/t/bin"
cp ../samples/out/elf/unused/main "$u/t/bin/" 2>/dev/null; echo hi > "$u/t/usr/lib/data.txt"
ln -s ../usr/lib "$u/t/bin/lib"; ln "$u/t/usr/lib/data.txt" "$u/t/usr/lib/hard"
tar -C "$u/t" -cf "$c/fuzz_unpack/t.tar" .
tar -C "$u/t" --format=v7 -cf "$c/fuzz_unpack/t-v7.tar" .
for z in gzip xz zstd bzip2; do tar -C "$u/t" -cf - . | $z -c > "$c/fuzz_unpack/t.tar.$z"; done
(cd "$u/t" && zip -qry "$cu/t.zip" .)
{ echo '#!/usr/bin/env python3'; cat "$c/fuzz_unpack/t.zip"; } > "$c/fuzz_unpack/t.pyz"
# a docker save shaped tar: two layers, a whiteout and an opaque directory
mkdir -p "$u/l1/etc/d" "$u/l2/etc/d" "$u/ds/a" "$u/ds/b"; echo 1 > "$u/l1/etc/x"; echo 2 > "$u/l1/etc/d/y"
touch "$u/l2/etc/.wh.x" "$u/l2/etc/d/.wh..wh..opq"; echo 3 > "$u/l2/etc/z"
tar -C "$u/l1" -cf "$u/ds/a/layer.tar" .; tar -C "$u/l2" -cf "$u/ds/b/layer.tar" .
echo '[{"Config":"c.json","RepoTags":["t:1"],"Layers":["a/layer.tar","b/layer.tar"]}]' > "$u/ds/manifest.json"
tar -C "$u/ds" -cf "$c/fuzz_unpack/docker-save.tar" .
# an OCI layout as a tar (oci-archive)
if command -v umoci > /dev/null; then
	(cd "$u" && umoci init --layout oci > /dev/null && umoci new --image oci:t > /dev/null &&
	 umoci unpack --image oci:t b > /dev/null && cp -r t/. b/rootfs/ &&
	 umoci repack --image oci:t b > /dev/null && tar -C oci -cf "$cu/oci.tar" .) > /dev/null 2>&1
fi
rm -rf "$u"
true
