/*
 * prune-int.h - what the files of prune/ share.
 */
#ifndef SLIM_PRUNE_INT_H
#define SLIM_PRUNE_INT_H

#include "prune.h"

/* The unused DT_NEEDED entries of the ELF file [p, p+n) read from `path`
 * (needed.c), proven ones (and likely ones with `likely`): fills r->libs
 * and, for those it can remove, r->patches. */
void prune_needed(const char *path, const unsigned char *p, size_t n,
		  bool likely, struct prune_result *r);
/* The same with r->libs given (a deployable's verdicts). */
void prune_needed_edit(const char *path, const unsigned char *p, size_t n,
		       struct prune_result *r);
void prune_libs_free(struct prune_result *r);
void prune_patches_free(struct prune_result *r);

/* 0, or -1 with why set when a relocation or symbol of the ELF file or
 * archive [p, p+n) points inside, or writes into, one of rw's containers
 * past its start (audit.c): the file is then not rewritten. */
int prune_audit(const unsigned char *p, size_t n, const struct fatbin_rewrite *rw,
		char *why, size_t whylen);

#endif
