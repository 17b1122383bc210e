/*
 * tree-scan.h - the tokens holding ".so" in a deployable's files, found
 * on two threads (tree-scan.c) for tree-live.c's scan_one() to judge in
 * the inventory's order.  Not a public API: see deploy.h.
 */
#ifndef SLIM_TREE_SCAN_H
#define SLIM_TREE_SCAN_H

#include "tree-int.h"

struct tree_tokens {            /* one file's tokens */
	void *pool;             /* the thread's pool that holds them */
	size_t first;           /* offset of the first in it */
	uint32_t n;             /* how many: NUL-terminated, one after another */
};

struct tree_pools {
	void *v[2];
};

/* The tokens of files[0..n) (indexes into t->f) into res[0..n), their
 * bytes in pools (the caller frees them with tree_pools_free()).  Reads
 * the files through t->rootfd only: safe beside tree_dups_find(). */
void tree_scan_tokens(struct tree *t, const uint32_t *files, size_t n,
		      struct tree_tokens *res, struct tree_pools *pools);
/* the first of r's tokens (the next starts after its NUL), NULL if none */
const char *tree_tokens_first(const struct tree_tokens *r);
void tree_pools_free(struct tree_pools *pools);

#endif
