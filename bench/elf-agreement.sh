#!/bin/bash
# slim's unused-dependency verdicts against `ldd -u -r` (which runs the
# loader) over every dynamically linked ELF executable in /usr/bin and every
# shared library under /usr/lib/x86_64-linux-gnu (or the dirs given), each
# with at least one DT_NEEDED entry (the others agree trivially).
# Prints "agree N/TOTAL" and every disagreement; exit 1 if any.
#   usage: bench/elf-agreement.sh [DIR...]
set -u
slim=${SLIM:-$(cd "$(dirname "$0")/.." && pwd)/slim}
dirs=("$@")
[ ${#dirs[@]} = 0 ] && dirs=(/usr/bin /usr/lib/x86_64-linux-gnu)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# ELF files that have a dynamic section (ET_EXEC/ET_DYN), regular files only
for d in "${dirs[@]}"; do
	find "$d" -type f \( -perm -u+x -o -name '*.so*' \) 2>/dev/null
done | sort -u | while read -r f; do
	[ "$(head -c4 "$f" 2>/dev/null | od -An -tx1 | tr -d ' ')" = 7f454c46 ] || continue
	readelf -d "$f" 2>/dev/null | grep -q NEEDED && printf '%s\n' "$f"
done > "$tmp/files"
total=$(wc -l < "$tmp/files")
# ground truth: ldd -u -r per file (two at a time)
xargs -a "$tmp/files" -d '\n' -P2 -I{} sh -c \
	'out=$(ldd -u -r "$1" 2>/dev/null | sed -n "s/^\t//p" | sort | tr "\n" " "); printf "%s|%s\n" "$1" "$out"' _ {} \
	| sort > "$tmp/ldd"
# slim: one run over all files
xargs -a "$tmp/files" -d '\n' "$slim" elf --unused 2> "$tmp/slim.err" | awk '
	/^\t/ { sub(/^\t/, ""); print f "|" $0; next }
	{ f = substr($0, 1, length($0) - 1) }' | sort | awk -F'|' '
	$1 != cur { if (cur != "") print cur "|" u; cur = $1; u = "" }
	{ u = u $2 " " }
	END { if (cur != "") print cur "|" u }' > "$tmp/slim.part"
# files slim printed nothing for have no unused dependencies
awk -F'|' 'NR==FNR { s[$1] = $2; next } { print $1 "|" (($1 in s) ? s[$1] : "") }' \
	"$tmp/slim.part" "$tmp/files" | sort > "$tmp/slim"
agree=$(comm -12 "$tmp/ldd" "$tmp/slim" | wc -l)
# ldd -u lists a library it could not find (its "faked" link map) as unused;
# slim reports it as not found instead.  Such files are explained, not wrong.
join -t'|' "$tmp/ldd" "$tmp/slim" | awk -F'|' '$2 != $3 {
	n = split($2, a, " "); s = ""
	for (i = 1; i <= n; i++) if (index(a[i], "/")) s = s a[i] " "
	print ($3 == s ? "explained" : "wrong") "|" $0 }' > "$tmp/diff"
explained=$(grep -c '^explained' "$tmp/diff")
wrong=$(grep -c '^wrong' "$tmp/diff")
echo "agree $agree/$total files (slim vs ldd -u -r); $explained explained (library not found), $wrong wrong"
if [ -s "$tmp/diff" ]; then
	echo "disagreements (file | ldd -u -r | slim):"
	awk -F'|' '{ print "  " $1 ": " $2 " | " $3 " | " $4 }' "$tmp/diff"
fi
[ "$wrong" = 0 ]
