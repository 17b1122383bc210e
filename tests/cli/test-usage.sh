#!/bin/bash
# The CLI contract for options, checked for every command:
#   - each command's option table (cli/opts.h) gives its --help, and the
#     man page's SYNOPSIS line is the one the table makes
#     (`slim help --synopsis`): a test fails when slim.1 and --help differ;
#   - `slim CMD --help` prints the usage to stdout and exits 0;
#   - a usage error is one line on stderr naming what is wrong and where
#     to look (`slim why: unknown option '--x'; see slim why --help`), exit
#     2, nothing on stdout -- never the whole help.
. "$ROOT/tests/cli/lib.sh"
need python3 python3
need groff groff-base
man=$ROOT/slim.1
# commands whose options are not in a table yet (cli/opts.h); each one
# converted comes off this list, and the test fails if a listed one has a
# table or an unlisted one has none
pending=""

expect_rc 0 "$SLIM" help --synopsis > syn.txt
groff -z -ww -man "$man" 2> groff.txt
[ -s groff.txt ] && { cat groff.txt; die "slim.1: groff warnings"; }
cmds=$("$SLIM" --help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}')
[ "$(echo $cmds | wc -w)" -ge 10 ] || die "slim --help lists too few commands: $cmds"
python3 - "$man" syn.txt "$pending" $cmds <<'PY' || die "slim.1 SYNOPSIS and the option tables differ"
import sys
man, syn, pending, cmds = sys.argv[1], sys.argv[2], sys.argv[3].split(), sys.argv[4:]
text = open(man).read()
a = text.index(".SH SYNOPSIS\n") + len(".SH SYNOPSIS\n")
section = text[a:text.index("\n.SH ", a)]
# keyed by the command's words after "slim": "pydeps record" is a
# subcommand with an option table of its own
key = lambda b: " ".join(b.strip().split("\n")[0].split()[2:])
man_blocks = {key(b): b.strip() for b in section.split(".br\n")}
gen = {key(b): b.strip() for b in open(syn).read().split(".br\n") if b.strip()}
cmds += ["pydeps record"]
for c in cmds:
    assert c in man_blocks, f"slim.1 SYNOPSIS has no line for {c}"
    if c in pending:
        assert c not in gen, f"{c} has an option table: take it off the pending list"
        continue
    assert c in gen, f"{c} has no option table (cli/opts.h)"
    assert man_blocks[c] == gen[c], f"slim.1 SYNOPSIS of {c}:\n{man_blocks[c]}\noption table says:\n{gen[c]}"
print(len(gen), "synopsis lines equal to the option tables")
PY
n=0
# "pydeps_record": the subcommand, its words split where it is run
for c in $cmds pydeps_record; do
	c=${c//_/ }
	expect_rc 0 "$SLIM" $c --help > out.txt 2> err.txt
	head -1 out.txt | grep -q "^usage: slim $c" || die "slim $c --help: $(head -1 out.txt)"
	[ -s err.txt ] && die "slim $c --help wrote to stderr: $(cat err.txt)"
	case " $pending " in *" $c "*) continue ;; esac
	# every option the help lists is in the man page's line for it (by
	# its long name, or its short one where the synopsis spells it so)
	sed -n 's/^  \(-[a-zA-Z]\)\{0,1\}\(, \)\{0,1\}\(--[a-z][a-z-]*\).*/\1 \3/p' out.txt > opts.txt
	while read -r s l; do
		[ "$l" = --help ] && continue
		[ -z "$l" ] && { l=$s; s=; }
		line=$(grep -m1 -A1 "^\.B slim $c\$" "$man" | tail -1)   # the SYNOPSIS one
		echo "$line" | grep -qF -- "\\fB$(echo "$l" | sed 's/-/\\-/g')\\fR" ||
			{ [ -n "$s" ] && echo "$line" | grep -qF -- "\\fB$(echo "$s" | sed 's/-/\\-/g')\\fR"; } ||
			die "slim $c --help lists $s $l, slim.1's synopsis does not"
	done < opts.txt
	for bad in --no-such-option -Z; do
		expect_rc 2 "$SLIM" $c "$bad" x > out.txt 2> err.txt
		one_line err.txt
		grep -qF "slim $c: unknown option '$bad'; see slim $c --help" err.txt || die "slim $c $bad: $(cat err.txt)"
		[ -s out.txt ] && die "slim $c $bad wrote to stdout"
	done
	expect_rc 2 "$SLIM" $c > out.txt 2> err.txt
	one_line err.txt
	grep -q "^slim $c: .*; see slim $c --help\$" err.txt || die "slim $c (no operands): $(cat err.txt)"
	n=$((n + 1))
done
# an option that needs an argument, given none
expect_rc 2 "$SLIM" why x y --max > out.txt 2> err.txt
one_line err.txt
grep -qF "slim why: option '--max' needs an argument; see slim why --help" err.txt || die "$(cat err.txt)"
# a bad value is one line too
expect_rc 2 "$SLIM" diff --limit=-3 a b 2> err.txt
one_line err.txt
echo "$n commands: --help on stdout, one-line usage errors, slim.1 synopsis equal to the option tables${pending:+ (not converted yet: $pending)}"
