/*
 * report-text.h - the text summary of `slim report`, shared by its two
 * files: report-text.c (the ELF blocks, the findings by kind, the headings
 * and the total) and report-contents.c (what objects, archives and files
 * with GPU code hold).
 *
 * Invariant, checked by tests/cli/test-report-totals.sh: every finding
 * the removable total counts (graph_removable_counts) is summed under
 * exactly one heading, so the headings add up to the total line, which is
 * JSON's totals.removable_bytes.
 */
#ifndef SLIM_REPORT_TEXT_H
#define SLIM_REPORT_TEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../graph/graph.h"

struct report_text_opts {
	int top;        /* rows per ranked list */
	bool exact;     /* --bytes: every figure in bytes, not KiB/MiB */
};

/* One text report being printed; read-only graph, adjacency built once. */
struct rtext {
	const struct graph *g;
	FILE *fp;
	struct report_text_opts o;
	struct gadj adj;           /* out-edges */
	struct gadj radj;          /* in-edges */
	int32_t *owner;            /* finding -> input block printing it, or -1 */
	int32_t *block_of;         /* node -> input whose block prints it, or -1 */
	unsigned char *counts;     /* finding -> enum graph_count */
};

/* Print the summary of g to fp; 0 (write errors are cli_finish's). */
int report_print_text(const struct graph *g, FILE *fp,
		      const struct report_text_opts *o);

/* n as the text shows bytes ("43.9 KiB", or "44953 B" with --bytes). */
const char *report_bytes(const struct rtext *t, uint64_t n, char buf[32]);

/* report-contents.c: an object, archive or bare fatbin input's block */
void report_print_object(struct rtext *t, const struct ginput *in);
/* The GPU code a file node contains, per arch and kind, and what --arch
 * says of it; nothing when it holds none. */
void report_print_gpu(struct rtext *t, const struct gnode *file);
/* GPU code of files the inputs load (closure libraries), one block each. */
void report_print_closure_gpu(struct rtext *t);

#endif
