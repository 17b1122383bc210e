/*
 * report-tree.h - the text summary of a whole deployable (totals.tree,
 * written by pipeline/tree-totals.c): printed by `slim report DIR` before
 * the findings.
 */
#ifndef SLIM_REPORT_TREE_H
#define SLIM_REPORT_TREE_H

#include <stdio.h>

#include "report-text.h"

/* The tree summary of g to fp when g holds one (totals.tree); nothing
 * otherwise.  0 (write errors are cli_finish's). */
int report_print_tree(const struct graph *g, FILE *fp,
		      const struct report_text_opts *o);

#endif
