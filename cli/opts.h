/*
 * opts.h - every option of a command said once (git's parse-options.h):
 * one table per command gives getopt_long its option array and short-option
 * string, `slim CMD --help` its option list, and the man page its synopsis
 * line (`slim help --synopsis`, which tests/cli/test-usage.sh compares with
 * slim.1).
 *
 * A command declares
 *
 *     static const struct cli_opt opts[] = {
 *         {'o', "output", "FILE", "where to write"},
 *         {O_JSON, "json", NULL, "print JSON"},
 *         {0},
 *     };
 *     static const struct cli_spec spec = {"why", "[options] IN NODE",
 *         "Print every shortest path ...", opts, NULL};
 *
 * and loops `while ((c = cli_next_opt(&spec, argc, argv)) >= 0)`.
 * An id below 128 is also the short option (`-o`); longer-only options take
 * ids from CLI_O_FIRST up.  `--help`/`-h` is added to every table.
 * Usage errors are one line (`slim why: unknown option '--x'; see slim why
 * --help`) and exit 2; the whole help goes to stdout on --help only.
 */
#ifndef SLIM_OPTS_H
#define SLIM_OPTS_H

#include <stdio.h>

enum { CLI_O_FIRST = 256 };

/* cli_next_opt()'s answers besides an option id */
enum {
	CLI_OPT_END = -1,   /* no more options: operands start at optind */
	CLI_OPT_HELP = -2,  /* --help printed to stdout: exit 0 */
	CLI_OPT_BAD = -3,   /* unknown option or missing argument, said in one
			     * line on stderr: exit 2 */
};

struct cli_opt {
	int id;              /* < 128: also the short option; 0 ends the table */
	const char *name;    /* the long option, without "--" */
	const char *arg;     /* the argument's name ("FILE"), NULL for a flag */
	const char *help;    /* its help; '\n' starts a continuation line */
};

struct cli_spec {
	const char *cmd;      /* "why" */
	const char *synopsis; /* what follows `slim why` on the usage line */
	const char *about;    /* paragraph under the usage line, or NULL */
	const struct cli_opt *opts;
	const char *epilog;   /* text after the options, or NULL */
};

/* The next option of argv (getopt_long over the table, optarg set), or one
 * of CLI_OPT_*.  Keeps its state per spec between calls; restarts when
 * called with another spec or after it returned a negative value. */
int cli_next_opt(const struct cli_spec *s, int argc, char **argv);

/*
 * The ELF resolution options every command that resolves libraries takes
 * (report, elf), said once: rows to put in a command's table with
 * CLI_ELF_OPTS, and cli_elf_opt() to apply one.  Their ids sit above any
 * command's own.
 */
enum { CLI_O_SYSROOT = 1000, CLI_O_ENV, CLI_O_CPU, CLI_O_PLATFORM };
#define CLI_ELF_OPTS \
	{CLI_O_SYSROOT, "sysroot", "DIR", "resolve libraries inside DIR, not /"}, \
	{CLI_O_ENV, "env", NULL, "honor LD_LIBRARY_PATH as ld.so would (unset or empty:\n" \
				 "none; ':' and ';' separate; an empty element is the\n" \
				 "current directory; ignored for set-user-ID programs)"}, \
	{CLI_O_CPU, "cpu", "LEVEL", "x86-64-v1..v4 of the machine that will run it: the\n" \
				    "glibc-hwcaps subdirectories and $PLATFORM the loader\n" \
				    "uses (default: this machine's)"}, \
	{CLI_O_PLATFORM, "platform", "NAME", "$PLATFORM and the legacy platform subdirectory of the\n" \
					     "machine that will run it: haswell or xeon_phi (Intel\n" \
					     "CPUs with those features), x86_64 (any other)"}
struct elf_opts;
/* Apply option c (with optarg) to eo: 1 when c is one of CLI_ELF_OPTS, 0
 * when it is not, -1 after a one-line usage error (exit 2). */
int cli_elf_opt(const struct cli_spec *s, int c, struct elf_opts *eo);

/* What a command returns when cli_next_opt() stopped on something other
 * than CLI_OPT_END: 0 after --help, 2 after a bad option. */
static inline int cli_opt_exit(int c)
{
	return c == CLI_OPT_HELP ? 0 : 2;
}

/* `slim CMD --help`: the usage line, about, the options, the epilog. */
void cli_print_help(const struct cli_spec *s, FILE *fp);

/* A usage error in one line: "slim CMD: WHAT; see slim CMD --help".
 * Returns 2. */
int cli_usage_error(const struct cli_spec *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The man page's SYNOPSIS line of the command, in roff (`.B slim why` then
 * every option with its argument, then the operands). */
void cli_print_synopsis(const struct cli_spec *s, FILE *fp);

/* each converted command's table (cli/cmd-NAME.c) */
extern const struct cli_spec cmd_report_spec, cmd_why_spec, cmd_graph_spec, cmd_gate_spec,
	cmd_diff_spec, cmd_baseline_spec, cmd_fatbin_spec;
extern const struct cli_spec cmd_elf_spec;
extern const struct cli_spec cmd_linkmap_spec, cmd_pydeps_spec,
	cmd_pydeps_record_spec;
extern const struct cli_spec cmd_merge_spec;
extern const struct cli_spec cmd_prune_spec;
extern const struct cli_spec cmd_cas_spec;

#endif
