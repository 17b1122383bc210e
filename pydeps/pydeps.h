/*
 * pydeps.h - Python modules: traces, inventory, static imports, pruning.
 * (placeholder API: being built; see issue 6)
 */
#ifndef SLIM_PYDEPS_H
#define SLIM_PYDEPS_H

#include <stddef.h>

struct graph;
struct diag;
struct diag_list;

struct pydeps_opts {
	const char **traces;  /* trace files (importtime, -v, or module lists) */
	size_t ntraces;
	const char **roots;   /* module trees: dirs, zips, wheels */
	size_t nroots;
};

/* Read traces and roots, add `module` nodes, `imports`/`loads` edges and
 * prunable-module findings to g.  Returns 0 or -1 with d set. */
int pydeps_merge(struct graph *g, const struct pydeps_opts *o,
		 struct diag_list *w, struct diag *d);

#endif
