/*
 * slim-elf.h - ELF dependency analysis (named so that it cannot be taken
 * for the system <elf.h>): DT_NEEDED resolved as glibc's ld.so
 * does, every symbol reference bound as ld.so would bind it, unused and
 * unneeded libraries, sizes.  Static: nothing is ever run or loaded.
 *
 * An elf_ctx caches what does not change between input files (ld.so.cache,
 * parsed libraries, directory listings), so one `slim report /usr/bin/...`
 * parses libc once.  The ctx owns every mapped file until elf_ctx_free().
 */
#ifndef SLIM_ELF_H
#define SLIM_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct graph;
struct diag;
struct diag_list;

struct elf_opts {
	const char *sysroot;          /* NULL or "" : the running system */
	const char *ld_library_path;  /* used only when non-NULL (--env);
				       * "" for unset or empty, which ld.so
				       * ignores (elf_env_library_path()) */
	const char *platform;         /* $PLATFORM and the legacy platform
				       * subdirectory (--platform); NULL: as
				       * ld.so sets it on this CPU */
	int cpu_level;                /* x86-64 level 1-4 of the machine that
				       * will run it (glibc-hwcaps subdirs,
				       * $PLATFORM); 0: this machine's */
	bool no_bind;                 /* skip symbol binding (tree only) */
	bool bind_root_only;          /* bind only the analyzed file's references:
				       * its own verdicts (what `ldd -u -r`
				       * answers), not its libraries' */
	bool sizes;                   /* per-section sizes, largest symbols,
				       * DWARF compile units */
	int top_symbols;              /* how many largest symbols and compile
				       * units (default 10) */
	bool hash_inputs;             /* SHA-256 of each input (for JSON) */
	/* Inside a deployable (pipeline/deploy.h): when set, every object
	 * found is named KIND:PATH (graph/ids.c ids_path()), PATH what
	 * path_of() answers for its (device, inode): its path relative to
	 * the deployable's root, so hardlinks and symlinks name one file
	 * one way.  NULL from path_of: the usual id (ids.h rule 1). */
	const char *(*path_of)(void *ctx, uint64_t dev, uint64_t ino);
	void *path_ctx;
};

struct elf_ctx;

/* LD_LIBRARY_PATH as ld.so reads it from this process's environment: the
 * last LD_LIBRARY_PATH= entry (rtld.c process_envvars walks them all),
 * "" when there is none.  Points into the environment. */
const char *elf_env_library_path(void);

/* "x86-64-v3" (or "v3", "3") -> 3; "host" -> 0; -1 if neither. */
int elf_parse_cpu_level(const char *s);
/* A --platform name: 1-31 of [A-Za-z0-9_]. */
bool elf_platform_ok(const char *s);

struct elf_ctx *elf_ctx_new(const struct elf_opts *o);
void elf_ctx_free(struct elf_ctx *c);
/* The same, but when the process is about to exit everything is left to
 * the kernel: tearing down dozens of mapped libraries and their libelf
 * descriptors one at a time costs more than a small program's analysis. */
void elf_ctx_free_at_exit(struct elf_ctx *c, bool exiting);
/* where elf_ctx_free_at_exit() leaves the context: reachable for leak checkers */
extern struct elf_ctx *elf_ctx_left_at_exit;
/* 0 when --sysroot was given but cannot be opened */
int elf_ctx_rootfd_ok(const struct elf_ctx *c);

/*
 * Analyze the ELF file at `path` and its dependency closure into g: an
 * exe:/lib: node per object (attrs: path, found_via, soname, ...), `needs`
 * edges (attrs: via, dir, order, tried), `binds` edges (attrs: count,
 * sample), unused-library and unneeded-transitive findings, `sym:` nodes
 * not made (only counts).  *root_id receives the node id of the file.
 * Returns 0, or -1 with d set (file unreadable, not ELF, corrupt).  A
 * library not found is a warning in w and a node with attrs.found=false.
 */
int elf_analyze(struct elf_ctx *c, struct graph *g, const char *path,
		const char **root_id, struct diag_list *w, struct diag *d);

/*
 * ident.c: the node id and kind elf_analyze() gives the file at path when
 * it is the analyzed file (graph/ids.h's rule), without resolving anything;
 * for commands that name a file alone (`slim fatbin --json`).  *id is
 * interned in g.  Returns 0, or -1 with d set.
 */
int elf_file_id(struct graph *g, const char *path, const char **id,
		const char **kind, struct diag *d);

/*
 * ident.c: a look at one shared object for another analyzer (through the
 * run's elf_peek service): needed() is called with each DT_NEEDED name in
 * order, then want() with each defined global or weak dynamic symbol until
 * it returns true.  Returns 1 when want() did, 0 when it never did, -1
 * when the file cannot be read as ELF.  Either callback may be NULL.
 */
int elf_peek(const char *path, bool (*want)(const char *sym, void *ctx),
	     void (*needed)(const char *name, void *ctx), void *ctx);

/*
 * merge.c: the analyzer interface (common/run.h).  elf_merge() analyzes
 * each of the n inputs with r->elf, warnings to r->w, one error per input
 * that failed to errs; 0, or -1 when any failed.  elf_run_closure() is the
 * run's elf_closure service: elf_analyze() of one file with r->elf.
 */
struct input;
struct run;
int elf_merge(struct graph *g, const struct input *in, size_t n,
	      const struct run *r, struct diag_list *errs);
int elf_run_closure(const struct run *r, struct graph *g, const char *path,
		    const char **id, struct diag *d);

#endif
