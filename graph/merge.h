/*
 * merge.h - join per-artifact slim-report/1 reports into one graph
 * (`slim merge`, issue #14): each report made on its own, by any build
 * system, in parallel; the joined graph counts every node, edge, finding
 * and input once, so its totals do not double count.
 */
#ifndef SLIM_MERGE_H
#define SLIM_MERGE_H

#include "graph.h"

struct diag;
struct diag_list;

/* The state of one merge: the graph being built and which report first
 * gave each node (for a conflict's message).  graph_merge_init() takes an
 * initialized, empty graph; graph_merge_done() frees what the merger
 * holds, never the graph. */
struct graph_merger {
	struct graph *g;
	const char **origin;     /* origin[node idx]: the report that gave it */
	size_t norigin;
	json_t *totals_from;     /* totals key -> path of the report that gave it */
};

void graph_merge_init(struct graph_merger *m, struct graph *g);
void graph_merge_done(struct graph_merger *m);

/*
 * Add the report `src`, read from `path` (graph_read_json()), into m->g:
 *   - a node id already present is the same node: its kind and size must
 *     agree (else -1, the error naming both reports and the id), its
 *     attrs take the keys it lacked (the first report's value wins);
 *   - an edge (from, to, kind) and a finding (kind, node, dependent) are
 *     added once, the first report's attrs kept;
 *   - an input is added unless one of the same path and sha256 is there;
 *   - the analyzers' totals (totals.roots, fatbin, linkmap, ...): a key
 *     only one report has is kept as it is; totals.roots is joined per
 *     root; any other key two reports give differently is dropped, with a
 *     warning in w (its figures cannot be summed without the analysis).
 * The generic totals (counts, removable_bytes) are not copied:
 * graph_to_json() computes them from the joined graph.  `path` must
 * outlive the merger.  Returns 0, or -1 with `d` set (m->g is then only
 * partly merged).
 */
int graph_merge(struct graph_merger *m, const struct graph *src,
		const char *path, struct diag_list *w, struct diag *d);

#endif
