#!/bin/bash
# make check-real: checks over big corpora apt cannot install (CUDA's
# lib64) or that need root and Debian's archive (deploy.sh).  Runs every tests/real/*.sh; each says what it checked and fails
# loudly when its corpus is missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
export ROOT=${ROOT:-$(cd "$here/../.." && pwd)}
export SLIM=${SLIM:-$ROOT/slim}
fail=0
for t in "$here"/*.sh; do
	[ "$t" = "$here/run.sh" ] && continue
	[ "$t" = "$here/debroot.sh" ] && continue   # a helper: deploy.sh's root
	[ "$t" = "$here/deployapp.sh" ] && continue # a helper: deploy.sh's workload
	echo "== $(basename "$t")"
	bash "$t" || fail=1
done
exit $fail
