/*
 * graph-cli.h - what the graph-output commands (graph, why, diff, baseline,
 * gate) and the report's --html/--svg hooks share beyond cli.h.
 */
#ifndef SLIM_GRAPH_CLI_H
#define SLIM_GRAPH_CLI_H

#include "cli.h"
#include "../common/buf.h"

/* Write a buffer to path ("-" = stdout) through ofile (temp + rename).
 * Returns 0 or -1 with d set. */
int cli_emit(const char *path, const struct buf *b, struct diag *d);

/* `slim report --html` / `--svg` (cli/report-html.c). */
int report_write_html(const struct graph *g, const char *path, struct diag *d);
int report_write_svg(const struct graph *g, const char *path, struct diag *d);

#endif
