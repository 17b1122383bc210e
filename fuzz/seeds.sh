#!/bin/bash
# Seed corpora per harness from samples/ and real files on the machine.
set -u
cd "$(dirname "$0")"
c=out/corpus
mkdir -p "$c"/fuzz_elf "$c"/fuzz_ldcache "$c"/fuzz_report_json
../samples/build.sh
for f in /bin/ls /bin/true /usr/lib/x86_64-linux-gnu/libz.so.1 ../samples/out/elf/*/main \
	 ../samples/out/elf/*/*.so ../samples/out/evil/libevil.so; do
	[ -f "$f" ] && cp "$f" "$c/fuzz_elf/$(echo "$f" | tr / _)" 2>/dev/null
done
cp /etc/ld.so.cache "$c/fuzz_ldcache/new" 2>/dev/null
tmp=$(mktemp -d); mkdir -p "$tmp/etc"; echo /lib > "$tmp/etc/ld.so.conf"
ldconfig -c old -r "$tmp" 2>/dev/null && cp "$tmp/etc/ld.so.cache" "$c/fuzz_ldcache/old"
rm -rf "$tmp"
../slim report --json ../samples/out/elf/unused/main > "$c/fuzz_report_json/unused.json" 2>/dev/null
../slim report --json ../samples/out/elf/cycle/main > "$c/fuzz_report_json/cycle.json" 2>/dev/null
true
