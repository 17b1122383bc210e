/*
 * emit.h - the Python analysis into the graph (emit.c).
 */
#ifndef SLIM_PYEMIT_H
#define SLIM_PYEMIT_H

#include "classify.h"

struct graph;
struct diag_list;

void pyemit(struct graph *g, struct pycl *c, struct pytrace *tr, size_t ntr,
	    struct diag_list *w);

#endif
