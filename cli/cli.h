/*
 * cli.h - what the subcommands share.
 *
 * Adding a command takes: a `cmd_NAME` in cli/cmd-NAME.c with its own
 * option table, usage string and options struct; a line in `commands[]` in
 * cli/main.c; a test in tests/cli/; a section in the man page (slim.1).
 * The Makefile picks up new files by wildcard.
 *
 * Exit codes: 0 success (or gate passed), 1 gate violated, 2 usage or input
 * error.  Errors go to stderr as one line each ("slim: FILE: ...").
 */
#ifndef SLIM_CLI_H
#define SLIM_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "../common/diag.h"
#include "../graph/graph.h"

#define EXIT_OK 0
#define EXIT_GATE 1
#define EXIT_USAGE 2

int cmd_report(int argc, char **argv);
int cmd_elf(int argc, char **argv);
int cmd_linkmap(int argc, char **argv);
int cmd_fatbin(int argc, char **argv);
int cmd_pydeps(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_why(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_prune(int argc, char **argv);
int cmd_cas(int argc, char **argv);

/* Print `usage` to stdout (for --help, returns 0) or to stderr (a usage
 * error, returns 2). */
int cli_usage(const char *usage, bool error);
/* "slim: CMD: msg" to stderr, returns 2. */
int cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the diag, returns 2. */
int cli_diag(const struct diag *d);

/* Print each error of a multi-input run, one line each ("slim: FILE:
 * offset 0x..: what"); 2 if there was any, else 0. */
int cli_print_errors(const struct diag_list *errs);

/* "slim: wrote PATH" on stderr for a file an output option wrote (stdout
 * stays the report's); nothing for "-" (stdout itself). */
void cli_wrote(const char *path);

/* Close stdout and check for errors: a write failure is exit 2. */
int cli_finish(int rc);

/*
 * Load IN into an empty graph: a slim-report/1 JSON is read as is; any other
 * input slim can analyze (ELF, map, trace) is analyzed as `slim report IN`
 * would with default options.  Returns 0 or -1 with d set.
 */
int cli_load_graph(struct graph *g, const char *path, struct diag *d);

/* Write the graph as JSON to path ("-" = stdout) through ofile. */
int cli_write_json(const struct graph *g, const char *path, struct diag *d);

/* report-text.c: the largest sections and symbols of an analyzed file */
void report_print_sections(const struct gnode *n, FILE *fp, int top);
/* elf-tree.c: the dependency tree of root (libtree's layout) */
int elf_print_tree(const struct graph *g, const char *root, bool bindings, FILE *fp);

/* true when stderr is a terminal (progress indicator) */
bool cli_progress_enabled(void);

#endif
