#!/bin/bash
# make bench: every benchmark, side by side with its peer tools.
set -u
here=$(cd "$(dirname "$0")" && pwd)
for b in elf-speed.sh fatbin.sh fatbin-floor.sh prune.sh diff.sh; do
	[ -f "$here/$b" ] || continue
	echo "== $b"
	bash "$here/$b"
done
for b in "$here"/linkmap*.sh "$here"/pydeps*.sh "$here"/graph*.sh; do
	[ -f "$b" ] || continue
	echo "== $(basename "$b")"
	bash "$b"
done
