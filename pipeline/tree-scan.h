/*
 * tree-scan.h - the tokens holding ".so" in a deployable's files, found
 * on two threads (tree-scan.c) for tree-live.c's scan_one() to judge in
 * the inventory's order.  Not a public API: see deploy.h.
 */
#ifndef SLIM_TREE_SCAN_H
#define SLIM_TREE_SCAN_H

#include "tree-int.h"

/* The tokens of files[0..n) (indexes into t->f) into res[0..n), their
 * bytes in pools (the caller frees them with tree_pools_free()); a file
 * typing scanned already (t->tok[i].pool set) is not read again.  Reads
 * the files through t->rootfd only: safe beside tree_dups_find(). */
void tree_scan_tokens(struct tree *t, const uint32_t *files, size_t n,
		      struct tree_tokens *res, struct tree_pools *pools);
/* the first of r's tokens (the next starts after its NUL), NULL if none */
const char *tree_tokens_first(const struct tree_tokens *r);
void tree_pools_free(struct tree_pools *pools);
/* Before tree_dups_find()'s thread starts: the prescan's state.  Then on
 * that thread, tree_prescan() finds the tokens of every ELF file until
 * the strings scan begins; tree_prescan_end() (the scan calls it; again
 * harmless) stops it and waits until it has.  tree_prescan_free() after
 * the thread is joined. */
void tree_prescan_init(struct tree *t);
void tree_prescan(struct tree *t);
void tree_prescan_end(struct tree *t);
void tree_prescan_free(struct tree *t);
/* a new, empty pool (freed by tree_pools_free() once in a tree_pools) */
void *tree_pool_new(void);
/* bytes [p, p+n) (NUL-terminated tokens, not owned) as a pool to read
 * tokens from, never to add to; freed by tree_pool_unwrap() (NULL: no-op) */
void *tree_pool_wrap(const char *p, size_t n);
void tree_pool_unwrap(void *pool);
/* the tokens of [b, b+n) into pool, their place into *res */
void tree_tokens_of(const unsigned char *b, size_t n, void *pool, struct tree_tokens *res);
/* the same for bytes [off, off+len) of fd, read in pieces of SCAN_READ
 * as the scan reads every file (a run of name characters as long as a
 * piece is no name, and is dropped) */
#define SCAN_READ (256 * 1024)
void tree_tokens_of_fd(int fd, uint64_t off, uint64_t len, void *pool, struct tree_tokens *res);

#endif
