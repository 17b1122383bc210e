/*
 * tree-int.h - the inventory of one deployable tree, shared by tree.c
 * (the walk, nodes, totals), tree-live.c (roots, liveness, orphan
 * libraries) and tree-dup.c (duplicate files).  Not a public API: see
 * deploy.h.
 *
 * Invariants:
 *   1. one tfile per (device, inode): hardlinks are one file, named by
 *      the first path the walk met (its other paths are aliases);
 *   2. rel is relative to the root, without a leading "/" or "./";
 *   3. id is the file's node id, KIND:rel (graph/ids.c ids_path()).
 */
#ifndef SLIM_TREE_INT_H
#define SLIM_TREE_INT_H

#include "deploy.h"
#include "tree-walk.h"
#include "../common/arena.h"
#include "../common/hmap.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>
#include <stdint.h>

enum tcat { TC_ELF, TC_PY, TC_DATA, TC_NCAT };

struct tfile {
	const char *rel;        /* path relative to the root (invariant 2) */
	const char *id;         /* node id (invariant 3) */
	uint32_t node;          /* its node's index in the graph */
	uint64_t size, dev, ino;
	int type;               /* enum filetype for ELF files, else FT_UNKNOWN */
	uint8_t cat;            /* enum tcat */
	bool pytree;            /* inside a Python installation's tree */
	bool root, live, scanned, named;
	bool opened;            /* a record trace's run opened or mapped it */
	uint8_t removed;        /* 0, or 1 proven / 2 likely: a finding removes it */
	uint32_t naliases;      /* other paths of the same inode */
	bool wtyped;            /* typed on the walk's thread that met it */
	bool head;              /* head_hi/lo hold the XXH3-128 of its first
				 * min(size, 4096) bytes, read by typing */
	uint64_t head_hi, head_lo;
	bool full;              /* full_hi/lo hold the XXH3-128 of its whole
				 * content (tree-dup.c; written by its thread) */
	bool typed;             /* typed from its bytes or its cached record:
				 * its results go to the per-file cache */
	bool fc_hit;            /* typed from the per-file cache */
	uint64_t full_hi, full_lo;
	int64_t msec, csec;     /* the walk's mtime and ctime (tree-cache.c) */
	uint32_t mnsec, cnsec;
};

struct tree_tokens {            /* one file's tokens holding ".so" (tree-scan.c) */
	void *pool;             /* the pool that holds them; NULL: not scanned */
	size_t first;           /* offset of the first in it */
	uint32_t n;             /* how many: NUL-terminated, one after another */
};

struct tree_pools {             /* the tokens' pools, one per thread */
	void *v[3];
};

/* The ELF files' tokens found ahead (tree-scan.c: tree_prescan()), on
 * the duplicate thread once its own work is done, while the main thread
 * resolves the closures; the strings scan takes a file found already,
 * claims one not begun, or waits for one in flight. */
struct tree_prescan {
	_Atomic unsigned char *state;   /* per file: 0 free, 1 claimed, 2 done */
	atomic_bool stop;               /* the scan began: claim no more */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool started, finished;
};

struct tlink {                  /* a symlink inside the root to a file */
	const char *rel;
	uint32_t file;
};

struct tree {
	const char *dir;        /* the directory walked (host path) */
	const char *name;       /* what the user named */
	const char *real;       /* dir's real path (other analyzers' paths) */
	int rootfd;
	struct timespec walk_start;   /* when the walk began (a file changed
				       * since just before it is not stored
				       * in the per-file cache: rcache_racy()) */
	struct arena arena;
	struct arena walked[WALK_THREADS];  /* the walk's path strings */
	struct tfile *f;
	size_t n, cap;
	struct tlink *links;
	size_t nlinks, caplinks;
	struct hmap by_inode;   /* "dev:ino" -> index + 1 */
	struct hmap by_path;    /* rel -> index + 1 (every path, aliases too) */
	bool traced;            /* --py-trace given: pydeps judged the trees */
	bool recorded;          /* a record trace given: what no recorded
				 * run opened is known (--prune-data) */
	bool gpu;               /* the ELF files were scanned for GPU code */
	const char **pytrees;   /* Python installations' trees, rel */
	size_t npytrees, cappytrees;
	const char **scripts;   /* --entry Python scripts (host paths) */
	size_t nscripts, capscripts;
	const char **roots;     /* node ids of the roots of liveness */
	size_t nroots, caproots;
	uint32_t *dup;          /* duplicate sets: files dup[dupoff[k] ..
				 * dupoff[k+1]), the first the copy kept */
	size_t ndup, capdup;
	uint32_t *dupoff;       /* ndupsets + 1 */
	size_t ndupsets, capdupoff;
	struct tree_tokens *tok;  /* per file: a Python file's tokens, found
				   * by typing (PY_READ bytes at most) */
	size_t captok;
	struct tree_pools pools;  /* theirs */
	struct tree_prescan pre;
	struct tree_fcache *fc; /* --cache: per-file results (tree-cache.c),
				 * NULL without */
	const struct deploy_digest *digests;   /* an unpacked archive's
						* (deploy.h), else NULL */
	size_t ndigests;
	const char *cache_name; /* the per-file cache's name for the tree:
				 * the archive's path, else NULL (real) */
	void **kept;            /* token pools kept for the per-file cache */
	size_t nkept, capkept;
};

/* index + 1 of the file at rel (aliases and symlinks inside the root
 * followed), 0 when none */
size_t tree_find(struct tree *t, const char *rel);
/* "dir/rel" for opening (interned in the tree's arena) */
const char *tree_full(struct tree *t, const struct tfile *f);

/* tree-live.c: roots (entries, or every ELF program and, without a
 * trace, every extension module), liveness over needs edges and strings
 * naming libraries, orphan-library findings.  0, or -1 with errs. */
int tree_live(struct tree *t, struct graph *g, const struct deploy_opts *o,
	      const struct run *r, struct diag_list *errs);

/* tree-totals.c: totals.tree (deploy.h's summary and prune list) */
void tree_totals(struct tree *t, struct graph *g, const struct deploy_opts *o);

/* tree-dup.c: duplicate sets (XXH3-128, then memcmp) into t->dup;
 * thread-safe beside tree_live() (reads t->f's paths and sizes only,
 * warnings to w); then their duplicate-file findings */
void tree_dups_find(struct tree *t, struct diag_list *w);
void tree_dups_emit(struct tree *t, struct graph *g);

/* tree-cache.c: per-file results kept in the --cache directory.
 * tree_fcache_open() maps cdir's file for this tree (t->real) into t->fc
 * (a missing file is an empty cache; a damaged or foreign one a warning
 * in w, and empty); tree_fcache_type() types file f (its tokens into tok) from its record
 * (true), thread-safe; tree_fcache_write() stores every typed file's
 * results when any changed (a failure is a warning in w);
 * tree_fcache_close() frees t->fc. */
void tree_fcache_open(struct tree *t, const char *cdir, struct diag_list *w);
bool tree_fcache_type(struct tree *t, struct tfile *f, struct tree_tokens *tok);
void tree_fcache_write(struct tree *t);
/* the store of Python sources' scans for pydeps (its threads), or NULL
 * without --cache */
struct pyscan_store;
const struct pyscan_store *tree_fcache_store(struct tree *t);
/* no per-file results to look up (none kept yet, or no --cache) */
bool tree_fcache_empty(const struct tree *t);
void tree_fcache_close(struct tree *t);

#endif
