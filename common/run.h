/*
 * run.h - what one run of slim shares, and one input as every analyzer
 * takes it (DESIGN.md, "The analyzers"; docs/ARCHITECTURE.md).
 *
 * Every analyzer has one shape:
 *
 *     int X_merge(struct graph *g, const struct input *in, const struct run *r,
 *                 struct diag *d);
 *
 * graph first, one input's bytes in, the run's shared context, 0 or -1 with
 * d set (file and offset) out.  Warnings go to r->w.  An analyzer that
 * needs another's answer asks the run, never builds its own context:
 * pydeps asks r->elf_closure() for the closure of an extension module and
 * r->elf_peek() whether a shared object exports PyInit_NAME; both are
 * answered by the ELF analyzer through the run's one resolution context
 * (sysroot, --env, --cpu, --platform), so a library is parsed once per run
 * and resolved inside the image under analysis, not on the host.
 *
 * The run is declared here, below every analyzer, so that none of them
 * reaches into the pipeline (pipeline/) that fills it in.  Analyzer
 * options are pointers to the analyzers' own option structs, opaque here.
 */
#ifndef SLIM_RUN_H
#define SLIM_RUN_H

#include <stdbool.h>
#include <stddef.h>

struct graph;
struct diag;
struct diag_list;
struct elf_ctx;
struct fatbin_opts;
struct pydeps_opts;
struct linkmap_opts;

/* One input: a mapped file whose type was detected once from its bytes. */
struct input {
	const char *path;
	const unsigned char *p;  /* its bytes (mapped), n of them */
	size_t n;
	int type;                /* enum filetype (common/filetype.h) */
	const char *node;        /* the node it merges into, where the
				  * pipeline decided one (a map: the ELF file
				  * it describes; GPU code: its file), else NULL */
};

struct run {
	struct diag_list *w;       /* warnings of the whole run */
	struct elf_ctx *elf;       /* the one ELF resolution context */
	int threads;               /* worker threads; 0 = online CPUs (max 8) */
	bool perf;                 /* time each step on stderr */

	/* what each analyzer was asked (NULL: defaults) */
	const struct fatbin_opts *gpu;
	const struct pydeps_opts *py;
	const struct linkmap_opts *map;

	/* Services, filled in by the pipeline from the ELF analyzer.
	 * elf_closure: analyze the ELF file at path and its closure into g
	 * (once per file per run), *id its node; 0, or -1 with d set.
	 * elf_peek: a look at one shared object (analyzers/elf's elf_peek():
	 * its DT_NEEDED names to needed(), its defined dynamic symbols to
	 * want() until it says yes); 1 yes, 0 no, -1 not readable ELF. */
	int (*elf_closure)(const struct run *r, struct graph *g, const char *path,
			   const char **id, struct diag *d);
	int (*elf_peek)(const char *path, bool (*want)(const char *sym, void *ctx),
			void (*needed)(const char *name, void *ctx), void *ctx);
};

#endif
