/*
 * subgraph.h - new graphs made from parts of one: a node subset (--focus,
 * baseline trimming) and the collapsed view (--collapse: archive members
 * into archives, modules into top-level packages, GPU entries and kernels
 * into their arch, sections into their object, symbols into their library).
 * The results are ordinary graphs the caller frees with graph_free().
 */
#ifndef SLIM_SUBGRAPH_H
#define SLIM_SUBGRAPH_H

#include <stdbool.h>

#include "graph.h"

/* Copy the nodes with keep[idx] set, the edges and findings between them,
 * and the inputs whose node is kept.  attrs false: drop node and edge
 * attrs (a baseline needs ids, kinds, sizes and findings only). */
void subgraph_copy(const struct graph *src, struct graph *dst,
		   const bool *keep, bool attrs);

/* Nodes within `depth` undirected steps of `center`, and every node on a
 * shortest path from the roots to it (its why-paths). */
void subgraph_focus(const struct graph *src, struct graph *dst,
		    const struct gnode *center, unsigned depth);

/* The trimmed baseline: every node but symbols (those change with every
 * rebuild and only answer questions about one build). */
void subgraph_baseline(const struct graph *src, struct graph *dst);

/*
 * The id of the group node `id` collapses into, written into out (size
 * outsz), with its kind in *kind; returns false if the node stays itself.
 *   obj:libz.a(inflate.o)             -> archive:libz.a
 *   sec:libz.a(inflate.o):.text.x     -> archive:libz.a
 *   sec:main.o:.text                  -> obj:main.o
 *   py:numpy.linalg.linalg            -> py:numpy     (kind package)
 *   gpu:libcublas.so.13:sm_90:17      -> gpu:libcublas.so.13:sm_90 (gpu-arch)
 *   kern:libcublas.so.13:sm_90:name   -> gpu:libcublas.so.13:sm_90
 *   sym:libc.so.6:malloc@GLIBC_2.2.5  -> lib:libc.so.6
 */
bool subgraph_group_of(const struct gnode *n, char *out, size_t outsz,
		       const char **kind, bool *adds_size);

/* The same, resolved in g: a section "sec:X:S" of a file that is a node
 * "lib:X" or "exe:X" (not an object "obj:X") folds into that node. */
bool subgraph_group_in(const struct graph *g, const struct gnode *n,
		       char *out, size_t outsz, const char **kind,
		       bool *adds_size);

/* The collapsed graph: groups with summed sizes, member counts in attrs
 * ("members"), edges between groups (self-loops dropped), findings moved
 * to their group.  Returns how many nodes were folded. */
size_t subgraph_collapse(const struct graph *src, struct graph *dst);

/*
 * --collapse-by: group what does not fit by directory (CB_DIR: the path of
 * a deployable's KIND:PATH id, or a "path" attr; the largest directory
 * split into its subdirectories while the groups fit in max/4), by Python distribution (CB_DIST: the
 * "distribution" attr into its pydist: node, the rest by directory) or by
 * package (CB_PACKAGE: py: modules into their top package, files into
 * their own directory).  With more than `max` nodes, for each finding
 * (largest first) the nodes of one shortest why-path to it stay themselves
 * while they fit in max minus the groups (and 60 at most).  A group node
 * carries attrs "members" (count), "member_ids" (array), and
 * "member_findings"/"member_finding_bytes" (the findings of its members,
 * which move onto it).  Nodes with no path fold into "other:KIND".  Package groups over 2/3 of max
 * (a synthetic 100k-module report: 4426) fall back to distributions.
 * Returns how many nodes were folded.
 */
enum collapse_by { CB_NONE, CB_DIR, CB_DIST, CB_PACKAGE };
size_t subgraph_collapse_by(const struct graph *src, struct graph *dst,
			    enum collapse_by by, size_t max);

/* At most `max` nodes (plus the roots): the largest by size stay, the rest
 * fold into one "other:KIND" node per kind.  For graphs that are still too
 * large to draw after collapsing.  Returns how many nodes were folded. */
size_t subgraph_cap(const struct graph *src, struct graph *dst, size_t max);

#endif
