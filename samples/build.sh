#!/bin/bash
# Builds the small sample inputs tests need into samples/out/ (ignored by
# git).  Each sample's source sits in samples/ beside this script.  Quick and
# idempotent: a sample is rebuilt only when its sources are newer.
set -eu
cd "$(dirname "$0")"
mkdir -p out
for s in build-*.sh; do
	[ -e "$s" ] || continue
	bash "$s"
done
