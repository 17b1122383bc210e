/*
 * report.h - building the one graph from the inputs of `slim report` (and
 * of every command that accepts "any file slim can analyze").
 */
#ifndef SLIM_REPORT_H
#define SLIM_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "../analyzers/elf/elf.h"
#include "../analyzers/fatbin/fatbin.h"
#include "../pydeps/pydeps.h"

struct graph;
struct diag_list;

struct report_opts {
	struct elf_opts elf;
	const char **maps;          /* --map MAP (merged into the first ELF) */
	size_t nmaps;
	const char *map_why;        /* --why-extract FILE (lld) for the maps */
	bool map_derive;            /* --derive: accepted, the default now */
	bool map_no_derive;         /* --no-derive: do not read the map's inputs */
	struct pydeps_opts py;      /* --py-trace / --py-root */
	struct fatbin_opts gpu;     /* --arch, --kernels */
	bool no_gpu;                /* --no-gpu: skip the fatbin scan */
	bool perf;                  /* --perf: time each step on stderr */
};

/*
 * Analyze every file (dispatching on its detected type), then the maps and
 * Python inputs, into g.  Per-file errors are printed as they happen and
 * the other files are still analyzed.  Returns 0 if every input was
 * analyzed, 2 if any failed.
 */
int report_build(struct graph *g, const struct report_opts *o,
		 char **files, int nfiles, struct diag_list *w);

#endif
