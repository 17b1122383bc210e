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

/* A deployable analysis in the merge: its name in the joined ids
 * (NAME/PATH), the root its report names and that report's own
 * totals.tree (borrowed from nothing: held by the merger). */
struct merge_dep {
	const char *name;        /* NULL until graph_merge_plan_done() names it */
	const char *root;
	json_t *tree;
	size_t same_root;        /* the next dep of this root + 1, or 0 */
};

/* The state of one merge: the graph being built and which report first
 * gave each node (for a conflict's message), and the plan: which reports
 * are deployables and under which name each one's ids go.
 * graph_merge_init() takes an initialized, empty graph;
 * graph_merge_done() frees what the merger holds, never the graph. */
struct graph_merger {
	struct graph *g;
	const char **origin;     /* origin[node idx]: the report that gave it */
	size_t norigin;
	json_t *totals_from;     /* totals key -> path of the report that gave it */
	struct merge_dep *dep;   /* the distinct deployable analyses */
	size_t ndep;
	struct hmap dep_by_root; /* root -> its first dep + 1 */
	struct hmap dep_by_name; /* name -> its dep + 1 */
	long *slot;              /* per planned report: its dep, or -1 */
	size_t nslot, next;
	size_t nplain;           /* planned reports that hold no deployable */
	bool ns;                 /* deployables' ids go under their names */
};

void graph_merge_init(struct graph_merger *m, struct graph *g);
void graph_merge_done(struct graph_merger *m);

/*
 * The plan, before any graph_merge(): each report in the order it will be
 * merged.  A deployable's report (totals.tree) names its files by paths
 * inside it, so two deployables' ids would meet (usr/bin/python3 of two
 * images is two files).  When the reports hold more than one deployable
 * analysis, or a deployable beside other reports, every deployable's ids
 * go under its name: `KIND:NAME/REST` (NAME: its root's last component,
 * `#2`, `#3`... after it when two share one).  Two reports of one
 * deployable with the same totals.tree are one analysis, joined by id
 * as before; a merged report (totals.tree.deployables) keeps its names.
 * -1 with d set when two merged reports give one name to two analyses.
 */
int graph_merge_plan(struct graph_merger *m, const struct graph *src,
		     const char *path, struct diag *d);
void graph_merge_plan_done(struct graph_merger *m);

/*
 * Add the report `src`, read from `path` (graph_read_json()), into m->g:
 *   - a node id already present is the same node: its kind and size must
 *     agree (else -1, the error naming both reports and the id), its
 *     attrs are joined key by key, the later report's value winning;
 *   - an edge (from, to, kind) and a finding (kind, node, dependent) are
 *     added once, an edge's attrs joined as a node's, a finding's kept
 *     from the first report;
 *   - an input is added unless one of the same path and sha256 is there;
 *   - the analyzers' totals (totals.roots, fatbin, linkmap, ...): a key
 *     only one report has is kept as it is; totals.roots is joined per
 *     root; any other key two reports give differently is dropped, with a
 *     warning in w (its figures cannot be summed without the analysis);
 *     when deployables are namespaced, totals.tree is built by
 *     graph_merge_finish() instead.
 * With a plan, a deployable's ids, display names, its files' relative
 * paths (attrs.path, a dlopens edge's attrs.config, a finding's
 * attrs.paths) and the ids in attrs.trace go under its name; a fix
 * (written with paths inside the deployable) starts "in NAME: ", and a
 * reason is left as written.
 * The generic totals (counts, removable_bytes) are not copied:
 * graph_to_json() computes them from the joined graph.  `path` must
 * outlive the merger.  Returns 0, or -1 with `d` set (m->g is then only
 * partly merged).
 */
int graph_merge(struct graph_merger *m, const struct graph *src,
		const char *path, struct diag_list *w, struct diag *d);

/* After the last graph_merge(): totals.tree of the namespaced
 * deployables (merge-tree.c), when there are any. */
void graph_merge_finish(struct graph_merger *m);

/* merge-tree.c: a path or id under a deployable's name (unchanged for
 * ns NULL; an absolute path is not the deployable's and stays), and the
 * joined totals.tree of n deployables (sorts dep by name). */
const char *merge_ns_path(struct graph *g, const char *ns, const char *path);
const char *merge_ns_id(struct graph *g, const char *ns, const char *id);
/* o[key], when it is a relative path, under ns, in place */
void merge_ns_key(struct graph *g, json_t *o, const char *key, const char *ns);
json_t *merge_tree_totals(struct graph *g, struct merge_dep *dep, size_t n);

#endif
