/*
 * classify.h - reachability over the static references (classify.c).
 */
#ifndef SLIM_PYCLASSIFY_H
#define SLIM_PYCLASSIFY_H

#include "pyint.h"

struct pycl {
	struct pyset *s;
	int *sorted;            /* module indexes sorted by name */
	int *queue;             /* modules in the order they were kept */
	size_t nq, capq, done;
	int *later;             /* (module, via) pairs named by strings */
	size_t nlater, caplater;
	bool strings_from_reach; /* no trace: strings of reachable modules count */
};

void pycl_init(struct pycl *c, struct pyset *s);
void pycl_free(struct pycl *c);
int pycl_longest(const struct pyset *s, const char *name);
/* call fn(ctx, module, tag) for each module reference r resolves to */
void pycl_resolve(const struct pycl *c, const struct pyref *r,
		  void (*fn)(void *, int, enum py_tag), void *ctx);
void pycl_mark_used(struct pycl *c, int i);
/* Expand the used set level by level; each level's sources are scanned
 * first, in parallel (only modules the closure reaches are ever read). */
void pycl_closure(struct pycl *c, int threads, struct diag_list *w);
void pycl_subtrees(struct pycl *c);

#endif
