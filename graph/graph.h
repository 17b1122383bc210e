/*
 * graph.h - the one model every analyzer writes into (see DESIGN.md).
 *
 * Nodes have logical, machine-independent ids ("lib:libssl.so.3",
 * "obj:libz.a(inflate.o)", "gpu:libcublas.so.13:sm_90:17", "py:numpy");
 * paths, sizes, arch and the like live in attrs.  Edges connect node ids
 * with a kind ("needs", "binds", "includes", "pulls", "contains", "imports",
 * "loads") and carry their evidence in attrs ("why", "analyzer", ...).
 * Findings say what can go, the bytes, the confidence and the fix.
 *
 * Invariants (checked by graph_check(), asserted after each analyzer merges
 * in debug builds):
 *   1. node ids are unique and non-empty, and start with "<prefix>:";
 *   2. every edge endpoint is a node of the graph;
 *   3. (from, to, kind) is unique among edges;
 *   4. every finding's node (and dependent, when set) is a node;
 *   5. a finding's confidence is "proven", "likely" or "unknown";
 *   6. attrs, where present, are JSON objects.
 *
 * Ownership: the graph owns every node, edge, finding, string and attrs
 * object it hands out; pointers stay valid until graph_free() (nodes are
 * allocated individually, so adding nodes never moves existing ones; edges
 * and findings live in arrays: do not keep their pointers across an add).
 */
#ifndef SLIM_GRAPH_H
#define SLIM_GRAPH_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../common/arena.h"
#include "../common/hmap.h"

struct diag;

struct gnode {
	const char *id;     /* interned, unique */
	const char *kind;   /* exe lib symbol object section gpu kernel module ... */
	const char *name;   /* display name */
	uint64_t size;
	bool has_size;
	json_t *attrs;      /* object or NULL */
	uint32_t idx;       /* position in graph.nodes */
};

struct gedge {
	uint32_t from, to;  /* node indexes */
	const char *kind;
	json_t *attrs;      /* object or NULL */
};

struct gfinding {
	const char *kind;        /* unused-library, unneeded-transitive, ... */
	const char *node;        /* node id */
	const char *dependent;   /* node id or NULL */
	uint64_t bytes;
	const char *confidence;  /* proven | likely | unknown */
	const char *reason;      /* interned */
	const char *fix;         /* interned */
	json_t *attrs;           /* extra evidence, or NULL */
};

struct ginput {
	const char *path;
	const char *kind;
	const char *node;        /* root node made from this input, or NULL */
	char sha256[65];         /* "" until computed */
};

struct graph {
	struct arena arena;
	struct strtab strs;
	struct gnode **nodes;
	size_t nnodes, capnodes;
	struct hmap node_by_id;
	struct gedge *edges;
	size_t nedges, capedges;
	struct hmap edge_by_key;
	struct gfinding *findings;
	size_t nfindings, capfindings;
	struct hmap finding_by_key;  /* "kind|node|dependent" -> index + 1 */
	struct ginput *inputs;
	size_t ninputs, capinputs;
	json_t *totals;          /* analyzer-specific totals merged into output */
};

/* libgvc exports its own graph_init(), which gvLayout() calls; a global of
 * the same name in slim would interpose it and crash every layout. */
#define graph_init slim_graph_init
void graph_init(struct graph *g);
void graph_free(struct graph *g);
/* The process is about to exit: a deployable's graph (140k nodes' attrs,
 * a free each) is left to the kernel.  Freed under AddressSanitizer,
 * whose leak check would otherwise see it. */
void graph_free_at_exit(struct graph *g);
struct graph_left {
	struct graph g;
	struct graph_left *next;
};
extern struct graph_left *graph_left_at_exit;

const char *graph_str(struct graph *g, const char *s);          /* intern */
const char *graph_strf(struct graph *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct gnode *graph_node(const struct graph *g, const char *id);
/* Find or create.  An existing node keeps its kind; `name` NULL means the
 * part of the id after the first ':'. */
/* room for n more nodes (their ids and names) without growing */
void graph_reserve_nodes(struct graph *g, size_t n);
struct gnode *graph_add_node(struct graph *g, const char *kind,
			     const char *id, const char *name);
/* The same for an id interned in g (graph_str(), ids_path()...): one
 * lookup fewer; its name is the part after the first ':'. */
struct gnode *graph_add_node_interned(struct graph *g, const char *kind, const char *iid);
void graph_node_set_size(struct gnode *n, uint64_t size);
json_t *graph_node_attrs(struct gnode *n);     /* creates on first use */

/* Find or create the edge (from, to, kind).  NULL if an endpoint is not a
 * node (a programming error; graph_check() would catch it too). */
struct gedge *graph_add_edge(struct graph *g, const char *from,
			     const char *to, const char *kind);
struct gedge *graph_edge(const struct graph *g, const char *from,
			 const char *to, const char *kind);
json_t *graph_edge_attrs(struct gedge *e);

struct gfinding *graph_add_finding(struct graph *g, const char *kind,
				   const char *node, const char *dependent,
				   uint64_t bytes, const char *confidence,
				   const char *reason, const char *fix);
json_t *graph_finding_attrs(struct gfinding *f);
/* The first finding of this kind on node (and dependent, NULL for none),
 * or NULL.  Analyzers use it to report a verdict once per graph. */
struct gfinding *graph_finding(const struct graph *g, const char *kind,
			       const char *node, const char *dependent);

struct ginput *graph_add_input(struct graph *g, const char *path,
			       const char *kind, const char *node);

/* attrs helpers: set key to a string / integer / bool (steals nothing) */
void attr_str(json_t *o, const char *key, const char *val);
void attr_int(json_t *o, const char *key, long long val);
void attr_bool(json_t *o, const char *key, bool val);
const char *attr_get_str(const json_t *o, const char *key);
long long attr_get_int(const json_t *o, const char *key, long long dflt);
/* arr (its reference taken) sorted into a new array: by the integer at
 * bytes_key, largest first, when bytes_key is not NULL, then by strcmp()
 * of the string at name_key (name_key NULL: the members are strings).
 * The one order of totals' lists (a deployable's dirs, largest and prune
 * list, pipeline/tree-totals.c; the same lists joined, merge-tree.c). */
json_t *attrs_sorted(json_t *arr, const char *bytes_key, const char *name_key);

/* Returns 0, or -1 with the first broken invariant described in `d`.
 * O(nodes + edges + findings): every command runs it once before it
 * writes anything (graph_write_json() does, and the text views' commands
 * call it); debug builds also after every analyzer's merge, below. */
int graph_check(const struct graph *g, struct diag *d);

/* After each analyzer merges: in `make debug` (SLIM_DEBUG) a broken
 * invariant is a programming error, reported on stderr with where it was
 * found, and the process aborts, as assert() does; release builds compile
 * it away. */
#ifdef SLIM_DEBUG
#define GRAPH_DEBUG_CHECK(g) graph_debug_check((g), __FILE__, __LINE__)
#else
#define GRAPH_DEBUG_CHECK(g) ((void)0)
#endif
void graph_debug_check(const struct graph *g, const char *file, int line);

/* Out-adjacency in CSR form: edges of node i are adj_edge[adj_off[i] ..
 * adj_off[i+1]).  Built once, after all edges are added; caller frees. */
struct gadj {
	uint32_t *off;   /* nnodes + 1 */
	uint32_t *edge;  /* nedges */
};
void graph_adj_build(const struct graph *g, struct gadj *a, bool reverse);
void graph_adj_free(struct gadj *a);

/* --- JSON (graph/json.c) --- */
#define SLIM_SCHEMA "slim-report/1"
#ifndef SLIM_VERSION
#define SLIM_VERSION "0.1.0"
#endif
/* The whole report as a new JSON value, arrays sorted by id, totals
 * computed.  Caller owns the result (json_decref). */
json_t *graph_to_json(const struct graph *g);
/* Serialize deterministically to fp (sorted keys, 1-space indent). */
int graph_write_json(const struct graph *g, FILE *fp, struct diag *d);
/* Read a slim-report/1 document from a buffer into an empty graph.
 * Errors: not JSON (with line/column), wrong schema, dangling edge ids. */
int graph_read_json(struct graph *g, const char *buf, size_t n,
		    const char *path, struct diag *d);

/* Bytes of proven findings of one kind; with kind NULL, the removable
 * total: the findings graph_removable_counts() counts. */
uint64_t graph_proven_bytes(const struct graph *g, const char *kind);
/* Is f removable at all?  Proven, and of a kind whose bytes are still in
 * the artifact (not discarded-section: the linker already left those out). */
bool graph_finding_removable(const struct gfinding *f);
/* Which findings the removable total (graph_proven_bytes(g, NULL), JSON
 * totals.removable_bytes) counts, counts[i] for finding i (the caller
 * allocates g->nfindings): the removable ones, except a finding on what a
 * file contains when a counted finding with bytes removes that file whole
 * (the GPU entries of an unused library go with it; its bytes hold
 * theirs), and a second finding with bytes on a node already counted (two
 * inputs listing one unused library: its bytes once).  Every view that
 * sums removable bytes asks this. */
enum graph_count {
	GRC_NO,       /* not removable (likely, or already out of the artifact) */
	GRC_YES,      /* counted */
	GRC_INSIDE,   /* inside a file a counted finding removes whole */
	GRC_AGAIN,    /* its file's bytes already counted on another finding */
};
void graph_removable_counts(const struct graph *g, unsigned char *counts);

#endif
