/*
 * tree-walk.h - a directory tree's entries in fts(3) order, read on two
 * threads (tree-walk.c).  Not a public API: see deploy.h.
 *
 * The order is fts_open(FTS_PHYSICAL) with siblings compared by strcmp()
 * of their names: pre-order, a directory's WE_DIR before its entries and
 * its WE_POST after them.  Symlinks are never followed.  Devices, FIFOs
 * and sockets are not reported (nothing a deployable ships).
 */
#ifndef SLIM_TREE_WALK_H
#define SLIM_TREE_WALK_H

#include "../common/arena.h"

#include <stdint.h>

enum walk_kind {
	WE_DIR,         /* a directory, before its entries */
	WE_POST,        /* the same directory, after them */
	WE_FILE,        /* a regular file, with its stat */
	WE_LINK,        /* a symbolic link (not followed) */
	WE_ERR,         /* a directory that could not be read, or an entry
			 * that could not be stat'ed: err says why */
};

struct walk_stat {              /* what the walk's lstat said */
	uint64_t dev, ino, size;
	int64_t msec, csec;
	uint32_t mnsec, cnsec;
};

struct stat;
/* the walk's fields of an lstat()/fstat() answer */
void walk_stat_of(struct walk_stat *w, const struct stat *st);

struct walk_ent {
	enum walk_kind kind;
	const char *rel;        /* relative to the root, no leading "/";
				 * "" for the root itself.  Lives as long as
				 * the arenas given to tree_walk() */
	const char *name;       /* its last component (rel for the root) */
	unsigned level;         /* 0 for the root, as fts_level */
	int err;                /* WE_ERR: the errno */
	struct walk_stat st;    /* WE_FILE; for the root's WE_DIR, st.size
				 * is the count of regular files met */
	void *res;              /* WE_FILE: what the file callback gave */
};

#define WALK_THREADS 2

/* Walks the directory open at rootfd, then calls fn once per entry in
 * the order above, on the calling thread.  file (may be NULL) is called
 * on the walking thread `th` (0 .. WALK_THREADS-1) for each entry
 * readdir() says is a regular file, with its directory's descriptor
 * open, to stat it into *st and keep a result in *res (e.g. from its
 * bytes, read while the lookup is one component): 0, or -1 when it is
 * not a regular file after all (the walk stats it itself).  progress (may be NULL) is
 * called on the calling thread while the walk runs, with the files and
 * bytes met so far.  A directory with skip's (dev, ino) (skip may be
 * NULL) is left out with everything in it: --cache's directory.  Path strings go to keep[0..WALK_THREADS), which the
 * caller frees.  0, or an errno when the walk could not start. */
int tree_walk(int rootfd, struct arena keep[WALK_THREADS],
	      void (*fn)(void *ctx, const struct walk_ent *e),
	      int (*file)(void *ctx, unsigned th, int dfd, const char *name, const char *rel,
			  struct walk_stat *st, void **res),
	      void (*progress)(void *ctx, uint64_t files, uint64_t bytes), void *ctx,
	      const struct walk_stat *skip);

#endif
