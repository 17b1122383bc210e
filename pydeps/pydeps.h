/*
 * pydeps.h - Python modules: which an application uses (import traces),
 * which are only reachable (static import scan of the module trees), and
 * which can be deleted without breaking the traced workloads.
 *
 * Graph written by pydeps_merge():
 *   node  trace:NAME   kind "trace", one per trace file (why-paths start here)
 *   node  py:a.b       kind "module"; attrs: classification (used, reachable,
 *                      string-referenced, native, unreferenced), distribution,
 *                      bytes, files, path, root, package, extension, ...
 *   node  pydist:NAME  kind "distribution", one per *.dist-info / *.egg-info
 *   edge  loads        trace -> module (top of an import nest) or module ->
 *                      module (nested in -X importtime); attrs: trace, self_us,
 *                      cumulative_us, loader
 *   edge  imports      module -> module, static; attrs: line, tag (top-level,
 *                      delayed, optional, type-checking, string, prefix,
 *                      entry-point, parent), analyzer
 *   edge  contains     py:ext -> the ELF node of its .so (when the ELF
 *                      analyzer succeeds; its failures are warnings)
 *   finding prunable-module on the largest unit that can go (a distribution,
 *                      else a package, else a module); attrs.paths lists the
 *                      absolute paths to delete.
 *   totals.pydeps      per-classification bytes and module counts, bytes
 *                      and prunable bytes per root, files, scanned bytes.
 *
 * Sources are scanned lazily: only the modules the closure from the used
 * set reaches are read (scan_all reads every one).  An entry script
 * (scripts[], or the __main__ a recorder trace names) is scanned as a
 * module of its own and never pruned.
 */
#ifndef SLIM_PYDEPS_H
#define SLIM_PYDEPS_H

#include <stdbool.h>
#include <stddef.h>

struct graph;
struct diag;
struct diag_list;

struct pydeps_opts {
	const char **traces;  /* trace files (importtime, -v, or module lists) */
	size_t ntraces;
	const char **roots;   /* module trees: dirs, zips, wheels */
	size_t nroots;
	/* added by the pydeps work (fields only appended): */
	int threads;          /* scan threads; 0 = number of online CPUs (max 8) */
	bool no_elf;          /* do not hand extension modules to the ELF analyzer */
	bool no_auto_roots;   /* do not add ROOT/lib-dynload, ROOT/site-packages */
	const char **scripts; /* entry scripts: each is used, its directory is
				 the first root (sys.path[0]), as modulefinder's
				 run_script() question */
	size_t nscripts;
	bool scan_all;        /* scan every source, not only those reached */
	bool prune_data;      /* with a recorder trace (its opened files), data
				 files of kept packages no run opened are
				 prunable too (confidence likely) */
	const char *trace_root; /* the traces were recorded inside this
				 directory as their root (a deployable, run
				 in a chroot): their absolute paths (module
				 files, opened and loaded files) are read
				 below it; NULL: as they are */
	const struct pyscan_store *store;   /* the scans of earlier runs, or
				 NULL (below) */
};

/* Where the static scan of a source file is kept between runs (a
 * deployable's per-file cache, pipeline/tree-cache.c): get returns the
 * bytes put stored for the same file (path as the scan opens it) and
 * module name, or NULL; put stores them (it copies).  Both are called
 * from the scan's threads.  The bytes are scan.c's to read and write;
 * bytes that do not decode are scanned again. */
struct pyscan_store {
	void *ctx;
	const void *(*get)(void *ctx, const char *path, const char *module, size_t *len);
	void (*put)(void *ctx, const char *path, const char *module, const void *bytes,
		    size_t len);
};

/* The analyzer interface (common/run.h): the n traces in[] (their bytes)
 * with the roots and options of r->py (its traces field is not read) ->
 * `module` nodes, `imports`/`loads` edges and prunable-module findings in
 * g.  Corrupt or hostile traces and trees are warnings in r->w (with file
 * and line or offset); the rest is still analyzed.  Extension modules'
 * ELF closures come from r->elf_closure, whether a .so is an extension
 * module from r->elf_peek.  Returns 0, or -1 with one error in errs when
 * nothing could be read at all. */
struct input;
struct run;
int pydeps_merge(struct graph *g, const struct input *in, size_t n,
		 const struct run *r, struct diag_list *errs);

/* What a recorder trace ("# slim-pytrace/1", `slim pydeps record`) says
 * its run touched: fn is called once per "open" line (a file the run
 * opened, PEP 578's "open" audit event: Python's own opens, not a C
 * library's fopen) and "load" line (loaded true: a shared object
 * dlopen'd, or any file mapped in /proc/self/maps at exit), in order,
 * with the path as the traced process named it, valid during the call.
 * Malformed lines are skipped here (pydeps_merge() warns of them).
 * Returns 1 for a record trace, 0 for another format (which names no
 * files: fn is not called). */
int pydeps_trace_files(const char *path, const void *p, size_t n,
		       void (*fn)(void *ctx, const char *file, bool loaded), void *ctx);

#endif
