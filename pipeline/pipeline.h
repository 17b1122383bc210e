/*
 * pipeline.h - the run every command that analyzes files shares:
 *
 *   inputs -> file type (once, from the bytes) -> analyzers -> graph
 *          -> totals
 *
 * One struct run (common/run.h) per run owns what the analyzers share:
 * the one ELF resolution context (sysroot, --env, --cpu, --platform), the
 * warnings, and the services through which one analyzer asks another
 * (pydeps asks for the ELF closure of its extension modules).  cli/ only
 * fills pipeline_opts from the command line and chooses the output.
 */
#ifndef SLIM_PIPELINE_H
#define SLIM_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "../analyzers/elf/slim-elf.h"
#include "../analyzers/fatbin/fatbin.h"
#include "../common/run.h"
#include "../linkmap/linkmap.h"
#include "../pydeps/pydeps.h"
#include "deploy.h"

struct graph;
struct diag_list;

struct pipeline_opts {
	struct elf_opts elf;
	const char **maps;          /* --map MAP (merged into the first ELF) */
	size_t nmaps;
	struct linkmap_opts map;    /* --why-extract, --no-derive */
	struct pydeps_opts py;      /* --py-trace / --py-root and the rest */
	struct fatbin_opts gpu;     /* --arch, --kernels */
	struct deploy_opts deploy;  /* a directory or archive input: --entry,
				     * --include likely (pipeline/deploy.h) */
	bool no_gpu;                /* --no-gpu: skip the fatbin scan */
	const char *host;           /* --host PATH: the process the other ELF
				     * inputs and extension modules are loaded
				     * into (totals.roots, removable bytes) */
	/* --perf: called after each step with its wall time; NULL: not timed */
	void (*on_step)(void *ctx, const char *step, double seconds);
	/* progress: called before each input; NULL: silent */
	void (*on_input)(void *ctx, size_t done, size_t total);
	/* progress of a deployable's walk (deploy_opts.on_progress) */
	void (*on_tree)(void *ctx, uint64_t files, uint64_t bytes, bool done);
	void *ctx;
};

/*
 * Analyze every file (its type detected once from its bytes, dispatched to
 * the analyzer for it), then the maps and the Python inputs, into g, and
 * write the run's totals.  A bad input is one error in errs (file and
 * offset) and the other inputs are still analyzed; warnings go to w.
 * Returns 0 when every input was analyzed, -1 when any failed.
 */
int pipeline_build(struct graph *g, const struct pipeline_opts *o,
		   char **files, size_t nfiles, struct diag_list *w,
		   struct diag_list *errs);

/*
 * For a command that calls one analyzer itself (slim pydeps, slim elf): a
 * run with the ELF context for eo and every service set, warnings to w.
 * pipeline_run_close() frees the context (left to the kernel when the
 * process is about to exit).
 */
void pipeline_run_open(struct run *r, const struct elf_opts *eo,
		       struct diag_list *w);
void pipeline_run_close(struct run *r, bool exiting);

/*
 * totals.roots and totals.removable_bytes (pipeline/totals.c): per root
 * process (each program or library analyzed as its own process, or with
 * host the one process everything is loaded into) the library bytes it
 * would no longer map once the proven unused DT_NEEDED entries go; each
 * file's bytes counted once however many findings name it.
 */
void pipeline_totals(struct graph *g, const char *host_node);

#endif
