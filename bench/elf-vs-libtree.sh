#!/bin/bash
# Where slim's dependency closure differs from libtree's, over the
# dynamically linked executables in /usr/bin (or the files given): the
# libraries each tool resolves (path, or "not found") per file.  slim
# follows the loader (breadth-first, an already loaded SONAME satisfies a
# later DT_NEEDED entry); libtree resolves depth-first and misses such
# libraries, e.g. on systemd-analyze.  Prints every difference and a count.
set -u
slim=${SLIM:-$(cd "$(dirname "$0")/.." && pwd)/slim}
command -v libtree >/dev/null || { echo "needs libtree (make deps)"; exit 2; }
files=("$@")
if [ ${#files[@]} = 0 ]; then
	for f in /usr/bin/*; do
		[ -f "$f" ] && [ "$(head -c4 "$f" 2>/dev/null | od -An -tx1 | tr -d ' ')" = 7f454c46 ] &&
			readelf -d "$f" 2>/dev/null | grep -q NEEDED && files+=("$f")
	done
fi
diffs=0
for f in "${files[@]}"; do
	a=$(libtree -p -vvv "$f" 2>/dev/null | sed -n 's/.*── \(\/[^ ]*\) .*/\1/p; s/.*── \([^ ]*\) not found.*/NOTFOUND:\1/p' |
		grep -v 'ld-linux' | sort -u)
	b=$("$slim" elf --json --no-bind "$f" 2>/dev/null | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
root = d["inputs"][0]["node"]
for n in d["nodes"]:
    if n["id"] == root or n["kind"] != "lib": continue
    p = n["attrs"].get("path")
    if "ld-linux" in (p or n["name"]): continue
    print(p if p else "NOTFOUND:" + n["name"])' | sort -u)
	if [ "$a" != "$b" ]; then
		diffs=$((diffs + 1))
		echo "$f:"
		diff <(echo "$a") <(echo "$b") | sed -n 's/^< /  libtree only: /p; s/^> /  slim only:    /p'
	fi
done
echo "${#files[@]} files, $diffs with a different closure"
