#!/bin/bash
# check-layers.sh - the layering of slim's sources, checked (issue #13;
# `make layers`, and the first step of `make test`).
#
# usage: tests/check-layers.sh [ROOT [BUILD]]
#   ROOT   the source tree (default: the tree this script lives in)
#   BUILD  the build directory whose objects show the calls
#          (default: ROOT/build; `make layers` passes $(BUILD))
#
# The layers, lowest first (docs/ARCHITECTURE.md).  A file may use its own
# part and the layers below it, nothing above:
#
#   0  common/          the few things every part needs
#   1  graph/           the model and its views
#   2  analyzers/*/ (elf, fatbin, archive), linkmap/, pydeps/: the
#                       analyzers, peers that never reach one another (an
#                       analyzer that needs another's answer asks the run),
#                       reached from above only through their public header
#   3  pipeline/        the run: input typing, dispatch to the analyzers,
#                       the services one analyzer offers another, totals
#                       (what a run shares is declared below the analyzers,
#                       in common/run.h)
#   4  prune/           rewriting: the slimmer artifact written from the
#                       analyzers' verdicts (`slim prune`)
#   5  cli/             options, the command table, the choice of output
#
# tests/, fuzz/, bench/ and samples/ use every layer and are not checked; a
# C source in any other top-level directory is in no layer and fails until
# it is given one here.
#
# Three checks, each printing one line per violation on stderr:
#   includes  every `#include "..."` line of a .c/.h file, resolved against
#             the including file's directory as the compiler does
#   calls     every undefined symbol of BUILD's objects that an object of
#             another part defines (nm): a call or data reference that
#             needs no include (a local prototype) is caught too
#   doc       every `name()` in backquotes (or in an indented code block,
#             the data-flow diagram) of docs/ARCHITECTURE.md is a function
#             (or function-like macro) defined in the sources, and every
#             `path/file.c:name()` is defined in that file
# The allow-list below holds the violations that exist today; an entry
# that no longer matches anything fails too, so the list only shrinks.
# Exit 0 clean, 1 violations, 2 usage error or nothing to check.
set -u

# Known violations: "include FILE TARGET" or "call FILE SYMBOL".
ALLOW=(
	# pydeps asks the run (common/run.h: elf_closure, elf_peek) since
	# #13's pipeline.  bytediff's gpu.c reads fatbin entries with the
	# fatbin analyzer's own scan and decoder (issue #16: a byte diff
	# needs the entries' bytes, which no run service offers; a second
	# fatbin parser would be worse): to go when a run service lists a
	# buffer's fatbin entries
	"include analyzers/bytediff/gpu.c analyzers/fatbin/fatbin.h"
	"call analyzers/bytediff/gpu.c fatbin_scan_buf"
	"call analyzers/bytediff/gpu.c fatbin_scan_free"
	"call analyzers/bytediff/gpu.c fatbin_decode"
	"call analyzers/bytediff/gpu.c fatbin_decodable"
	"call analyzers/bytediff/gpu.c fatbin_kind_name"
	"call analyzers/bytediff/gpu.c fatbin_arch_name"
	"call analyzers/bytediff/gpu.c fatbin_comp_name"
)
# An analyzer is reached from outside its directory through the header
# named after it (analyzers/fatbin/fatbin.h, linkmap/linkmap.h, a new
# analyzers/NAME/NAME.h); one named otherwise is listed here.
PUBLIC="analyzers/elf/slim-elf.h"
# Headers above the analyzers that they may include: they only declare
# what a run shares (#13: "the struct run they take is declared below
# them, in common/ or its own header").
RUN_HEADERS=""

here=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "${1:-$here/..}" 2>/dev/null && pwd) || { echo "check-layers: ${1}: no such directory" >&2; exit 2; }
BUILD=${2:-$ROOT/build}
[ -d "$BUILD" ] || { echo "check-layers: $BUILD: no build directory (build first: make)" >&2; exit 2; }
BUILD=$(cd "$BUILD" && pwd)
command -v nm > /dev/null || { echo "check-layers: needs nm: apt-get install binutils (or make deps)" >&2; exit 2; }
cd "$ROOT" || exit 2

CONSUMERS="tests fuzz bench samples"

# every C source and header of the tree outside the consumers and build
# directories, as a path relative to ROOT
sources() {
	find . -path './build*' -prune -o -path './.git' -prune -o \
	     \( -name '*.c' -o -name '*.h' \) -type f -print | sed 's|^\./||' |
	while read -r f; do
		case " $CONSUMERS " in *" ${f%%/*} "*) continue ;; esac
		[ "${f%%/*}" = "$f" ] && continue     # top-level file: none today
		echo "$f"
	done | sort
}
mapfile -t FILES < <(sources)
[ ${#FILES[@]} -gt 0 ] || { echo "check-layers: $ROOT: no C sources" >&2; exit 2; }

# The rule itself, shared by the include and call checks: reads lines
# "KIND FROM LINE TARGET" (KIND include or call; TARGET a path relative to
# ROOT, for a call "PATH SYMBOL") and prints "KIND FROM TARGET\tmessage"
# for each violation.
RULES='
function part(p,   a) { split(p, a, "/"); return a[1] == "analyzers" ? a[1] "/" a[2] : a[1] }
function rank(c) {
	if (c == "common") return 0
	if (c == "graph") return 1
	if (c ~ /^analyzers\/[^\/]+$/ || c == "linkmap" || c == "pydeps") return 2
	if (c == "pipeline") return 3
	if (c == "prune") return 4
	if (c == "cli") return 5
	return -1
}
function public_header(t, c,   n, a) {
	if (t in pub) return 1
	n = split(c, a, "/")
	return t == c "/" a[n] ".h"
}
function consumer(c) { return c == "tests" || c == "fuzz" || c == "bench" || c == "samples" }
BEGIN { n = split(public, pv, " "); for (i = 1; i <= n; i++) pub[pv[i]] = 1
	n = split(runh, rv, " "); for (i = 1; i <= n; i++) runok[rv[i]] = 1 }
{
	kind = $1; from = $2; where = $3; to = $4; what = (kind == "call") ? $5 : to
	fc = part(from); tc = part(to); rf = rank(fc); rt = rank(tc)
	verb = kind == "include" ? "includes " to : "uses " $5 " (" to ")"
	msg = ""
	if (rf < 0)
		msg = fc "/ is in no layer: give it one in tests/check-layers.sh"
	else if (fc == tc)
		next
	else if (consumer(tc) || rt < 0)
		msg = tc "/ is not part of the program (" (consumer(tc) ? "tests, fuzz, bench and samples use it, never the reverse" : "no layer") ")"
	else if (rt > rf && !(rt == 3 && rf == 2 && kind == "include" && (to in runok)))
		msg = fc "/ (layer " rf ") reaches " tc "/ (layer " rt ") above it"
	else if (rt == 2 && rf == 2)
		msg = "analyzer " fc "/ reaches analyzer " tc "/: ask the run for its answer"
	else if (kind == "include" && rt == 2 && !public_header(to, tc))
		msg = to " is internal to " tc "/: use its public header"
	if (msg != "")
		printf "%s %s %s\t%s%s: %s: %s\n", kind, from, what, from, where == "-" ? "" : ":" where, verb, msg
}'

# --- includes ---------------------------------------------------------
# "include FROM LINE TARGET" for each quoted include; TARGET normalized
# (dir of FROM + the quoted path, "." and ".." folded).
includes() {
	for f in "${FILES[@]}"; do
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" /dev/null
	done | awk -F: '{
		file = $1; line = $2; s = $0; sub(/^[^:]*:[^:]*:/, "", s)
		sub(/^[^"]*"/, "", s); sub(/".*$/, "", s)
		d = file; sub(/[^\/]*$/, "", d)
		n = split(d s, p, "/"); m = 0
		for (i = 1; i <= n; i++) {
			if (p[i] == "" || p[i] == ".") continue
			if (p[i] == ".." && m > 0 && q[m] != "..") { m--; continue }
			q[++m] = p[i]
		}
		t = ""; for (i = 1; i <= m; i++) t = t (i > 1 ? "/" : "") q[i]
		print "include", file, line, t
	}'
}

# --- calls ------------------------------------------------------------
# "call FROM - DEFINER SYMBOL" for each undefined symbol of a .c file's
# object that the object of another .c file defines.  An object missing
# or older than its source is an error (exit 2): the answer would be
# about other code.
calls() {
	local objs=() stale=0 f o
	for f in "${FILES[@]}"; do
		[ "${f%.c}" = "$f" ] && continue
		o=$BUILD/${f%.c}.o
		if [ ! -f "$o" ]; then
			echo "check-layers: $o: no object for $f (build first: make BUILD=${BUILD#"$ROOT"/})" >&2
			stale=1
		elif [ "$f" -nt "$o" ]; then
			echo "check-layers: $o: older than $f (rebuild first: make BUILD=${BUILD#"$ROOT"/})" >&2
			stale=1
		fi
		objs+=("$o")
	done
	[ "$stale" = 0 ] || return 1
	nm -A -g "${objs[@]}" | awk -v b="$BUILD/" '
		{ f = $1; sub(/:[^:]*$/, "", f); if (index(f, b) == 1) f = substr(f, length(b) + 1)
		  sub(/\.o$/, ".c", f); t = $(NF - 1); s = $NF
		  if (t == "U") { nu++; uf[nu] = f; us[nu] = s }
		  else if (t ~ /^[TDBRVWGSC]$/ && !(s in def)) def[s] = f }
		END { for (i = 1; i <= nu; i++)
			if ((us[i] in def) && def[us[i]] != uf[i])
				print "call", uf[i], "-", def[us[i]], us[i] }'
}

# --- doc --------------------------------------------------------------
# Every `name()` in backquotes (outside fenced blocks) or on an indented
# code line of the doc, as
# "FILE NAME" (FILE "-" when not given), then whether the sources define
# it: a column-0 line whose first "identifier(" is NAME and which reaches
# "{" before ";" (a definition, not a prototype), or "#define NAME(".
DOC=docs/ARCHITECTURE.md
doc_names() {
	awk '/^```/ { fence = !fence; next } fence { next }
	{ n = split($0, part, "`"); first = 2
	  if ($0 ~ /^    /) { n = 1; part[1] = $0; first = 1 }
	  for (i = first; i <= n; i += 2) {
		s = part[i]
		while (match(s, /([A-Za-z0-9_.\/-]+:)?[A-Za-z_][A-Za-z0-9_]*\(\)/)) {
			w = substr(s, RSTART, RLENGTH - 2); s = substr(s, RSTART + RLENGTH)
			file = "-"; k = index(w, ":")
			if (k) { file = substr(w, 1, k - 1); w = substr(w, k + 1) }
			print file, w
		}
	  } }' "$DOC" | sort -u
}
definitions() {
	find common graph analyzers linkmap pydeps pipeline prune cli tests fuzz bench \
	     samples -name '*.[ch]' -type f 2>/dev/null | sort | xargs awk '
	FNR == 1 { pend = "" }
	pend != "" { s = $0
		a = index(s, "{"); c = index(s, ";")
		if (a && (!c || a < c)) { print pendf, pend; pend = "" }
		else if (c) pend = ""
		next }
	/^#[ \t]*define[ \t]+[A-Za-z_][A-Za-z0-9_]*\(/ {
		s = $0; sub(/^#[ \t]*define[ \t]+/, "", s); sub(/\(.*/, "", s)
		print FILENAME, s; next }
	/^[A-Za-z_]/ && match($0, /[A-Za-z_][A-Za-z0-9_]*\(/) {
		name = substr($0, RSTART, RLENGTH - 1); rest = substr($0, RSTART + RLENGTH)
		if (name ~ /^(typedef|return|sizeof|if|while|for|switch|__attribute__)$/) next
		a = index(rest, "{"); c = index(rest, ";")
		if (a && (!c || a < c)) print FILENAME, name
		else if (!c) { pend = name; pendf = FILENAME } }'
}
doc_check() {
	if [ ! -f "$DOC" ]; then
		echo "doc - $DOC	$DOC: missing (the map of the code, issue #13)"
		return
	fi
	definitions > "$TMP/defs"
	doc_names > "$TMP/names"
	awk 'NR == FNR { d[$2] = d[$2] " " $1 " "; next }
	     { nd++
	       if (!($2 in d))
		       printf "doc - %s\t%s: `%s()` is defined nowhere in the sources\n", $2, doc, $2
	       else if ($1 != "-" && index(d[$2], " " $1 " ") == 0)
		       printf "doc - %s\t%s: `%s:%s()` is not defined in %s (defined in:%s)\n", $1 ":" $2, doc, $1, $2, $1, d[$2] }
	     END { print nd + 0 > "/dev/stderr" }' doc="$DOC" "$TMP/defs" "$TMP/names" 2> "$TMP/ndoc"
}

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
includes > "$TMP/inc"
calls > "$TMP/calls" || exit 2
{
	awk '{ print $1, $2, $3, $4 }' "$TMP/inc"
	awk '{ print $1, $2, $3, $4, $5 }' "$TMP/calls"
} | awk -v public="$PUBLIC" -v runh="$RUN_HEADERS" "$RULES" > "$TMP/viol"
doc_check > "$TMP/docviol"

# Allowed: drop the violations the list names; an entry that matched
# nothing is itself a violation.
{ [ ${#ALLOW[@]} -eq 0 ] || printf '%s\n' "${ALLOW[@]}"; } > "$TMP/allow"
awk -F'\t' 'NR == FNR { allow[$0] = 1; next }
	    ($1 in allow) { used[$1] = 1; next }
	    { print $2 }
	    END { for (a in allow) if (!(a in used))
		    print "tests/check-layers.sh: allow-list entry \"" a "\" matches nothing: remove it" | "sort" }' \
	"$TMP/allow" "$TMP/viol" > "$TMP/bad"
cut -f2 "$TMP/docviol" >> "$TMP/bad"

nfiles=${#FILES[@]}
ninc=$(wc -l < "$TMP/inc")
ncalls=$(wc -l < "$TMP/calls")
ndoc=$(cat "$TMP/ndoc" 2>/dev/null || echo 0)
nbad=$(wc -l < "$TMP/bad")
sed 's/^/layers: /' "$TMP/bad" >&2
echo "layers: $nfiles files, $ninc include lines, ${#ALLOW[@]} allowed exceptions;" \
     "$ncalls calls across files; $ndoc functions named in $DOC;" \
     "$nbad violation$([ "$nbad" = 1 ] || echo s)"
[ "$nbad" = 0 ] || exit 1
