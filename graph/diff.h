/*
 * diff.h - what changed between two graphs (`slim diff`, `slim gate`).
 *
 * Nodes match by id, edges by (from id, to id, kind), findings by (kind,
 * node, dependent).  Every list is sorted by id so that the same inputs give
 * byte-identical output.  The diff points into both graphs: keep them alive
 * until diff_free().
 */
#ifndef SLIM_DIFF_H
#define SLIM_DIFF_H

#include <stdint.h>

#include "graph.h"
#include "../common/buf.h"

struct diff_grow {            /* a node in both graphs whose size changed */
	const struct gnode *old, *new;
	int64_t delta;
};

struct diff_kind {            /* per node kind */
	const char *kind;
	size_t old_n, new_n, added, removed;
	uint64_t old_bytes, new_bytes;
};

struct diff_edge {
	const struct graph *g;
	const struct gedge *e;
};

struct gdiff {
	const struct graph *old, *new;
	const struct gnode **added, **removed;      /* nodes of new / of old */
	size_t nadded, nremoved;
	struct diff_grow *grown;                    /* delta != 0 */
	size_t ngrown;
	const struct gedge **eadded, **eremoved;    /* edges of new / of old */
	size_t neadded, neremoved;
	const struct gfinding **fnew, **fgone;      /* findings of new / of old */
	size_t nfnew, nfgone;
	struct diff_kind *kinds;                    /* sorted by kind */
	size_t nkinds;
	uint64_t old_total, new_total;              /* diff_total_bytes() */
};

/* Compare; O(nodes + edges + findings) expected, then sorting. */
void diff_graphs(struct gdiff *d, const struct graph *old,
		 const struct graph *new);
void diff_free(struct gdiff *d);

/*
 * The bytes of a graph as a whole: the sizes of nodes that are files on
 * their own (exe, lib, archive, module, file); a graph with none of those
 * sums every node.  Sections, members and GPU entries lie inside their
 * file, so adding them again would count bytes twice.
 */
uint64_t diff_total_bytes(const struct graph *g);
bool diff_is_file_kind(const char *kind);

/* Renderings.  `limit` rows per list (0 = all) in text/markdown. */
void diff_format_text(const struct gdiff *d, struct buf *b, size_t limit);
void diff_format_markdown(const struct gdiff *d, struct buf *b, size_t limit);
json_t *diff_to_json(const struct gdiff *d);

/* "lib:a -needs-> lib:b" */
void diff_edge_name(const struct graph *g, const struct gedge *e,
		    struct buf *b);

#endif
