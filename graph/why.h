/*
 * why.h - shortest dependency paths from the roots of a graph to one node
 * (`slim why`, and the why-path of every gate violation), plus node lookup
 * with near-match suggestions.
 *
 * Paths follow every edge kind but the secondary ones, `binds` (a symbol
 * binding says why a library is used, not why it is loaded) and `includes`
 * of an archive member (the chain of `pulls` says why it was pulled); a
 * node only secondary edges reach gets paths through them.  Roots are the `node` of each input (struct ginput.node) that exists in the
 * graph; when no input names one, every node with no incoming edge.
 */
#ifndef SLIM_WHY_H
#define SLIM_WHY_H

#include <stdint.h>

#include "graph.h"
#include "../common/buf.h"

/* One breadth-first search from all roots, reusable for many targets. */
struct why_bfs {
	const struct graph *g;
	struct gadj rev;         /* in-edges, for walking paths backward */
	uint32_t *dist;          /* UINT32_MAX: unreachable */
	uint64_t *npaths;        /* shortest paths from any root (saturating) */
	uint8_t *phase;          /* 1: reached only through a secondary edge */
	uint32_t *roots;
	size_t nroots;
};

/* Build the BFS over every edge kind.  Free with why_bfs_free(). */
void why_bfs_init(struct why_bfs *w, const struct graph *g);
void why_bfs_free(struct why_bfs *w);

/* One path: node indexes root .. target (len nodes, len-1 steps). */
struct why_path {
	uint32_t *nodes;
	size_t len;
};

/*
 * Up to `max` shortest paths to `target`, in a deterministic order (by the
 * ids along the path, target first going backward).  Returns how many were
 * stored in *out (caller frees with why_paths_free); *total is the count of
 * all shortest paths (saturating at UINT64_MAX).  0 paths with *total 0:
 * target is not reachable from any root.
 */
size_t why_paths(const struct why_bfs *w, uint32_t target, size_t max,
		 struct why_path **out, uint64_t *total);
void why_paths_free(struct why_path *p, size_t n);

/* "needs: DT_NEEDED via RUNPATH" style evidence of one edge into b. */
void why_edge_evidence(const struct graph *g, const struct gedge *e,
		       struct buf *b);

/* Text of one path: "a -needs-> b -binds-> c" with evidence, one step per
 * line, each line prefixed by `indent`.  markdown: backquoted ids. */
void why_path_format(const struct why_bfs *w, const struct why_path *p,
		     const char *indent, int markdown, struct buf *b);

/* The whole why answer (text or JSON) for one node. */
void why_report_text(const struct why_bfs *w, uint32_t target, size_t max,
		     struct buf *b);
json_t *why_report_json(const struct why_bfs *w, uint32_t target,
			size_t max);

/*
 * Resolve what a user typed: an exact id, else a node whose name or id
 * after the kind prefix equals `q`.  Returns the node, or NULL with d set:
 * "no node 'q' (did you mean: a, b, c?)" or "'q' is ambiguous: a, b".
 */
struct gnode *why_lookup(const struct graph *g, const char *q,
			 const char *file, struct diag *d);

#endif
