/*
 * render.h - the graph as DOT or SVG, drawn by graphviz in-process (cgraph
 * builds the graph, gvc lays it out and renders; nothing shells out to
 * `dot`).
 */
#ifndef SLIM_RENDER_H
#define SLIM_RENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "graph.h"
#include "../common/buf.h"

struct diag;

struct render_opts {
	const char *format;            /* "svg" or "dot" */
	const char *const *highlight;  /* node ids drawn bold, with their why-paths */
	size_t nhighlight;
	const struct graph *baseline;  /* nodes not in it are drawn as new */
	const char *title;             /* the input's name for the title, or NULL */
	const char *fold;              /* globs of libraries folded into "system"
					* (comma-separated); NULL: libc, libm,
					* ld-linux, libstdc++, libgcc_s */
	bool no_fold;                  /* draw every library */
	bool labels;                   /* label edges with the symbols bound */
	bool reduce;                   /* transitive reduction (dot-model.c) */
};

/* The drawn model (dot-model.c): folded nodes, one edge per pair. */
enum edge_state { ES_USED, ES_VIA_UNUSED, ES_UNUSED, ES_N };
extern const char *const render_edge_state_name[ES_N];
#define DRAW_SYSTEM UINT32_MAX  /* the node the system libraries fold into */

struct draw_edge {
	uint32_t from, to;       /* node indexes, or DRAW_SYSTEM */
	enum edge_state state;
	long long symbols;       /* bound symbols (binds' counts) */
	uint32_t edge;           /* the first graph edge merged in (its tooltip) */
	uint32_t nmerged;        /* graph edges merged in */
	bool hl, dropped;        /* on a --highlight path; removed by --reduce */
};

struct draw_model {
	const struct graph *g;
	uint32_t *at;            /* per node: itself, or DRAW_SYSTEM */
	uint32_t *dist;          /* per node: steps from the nearest root */
	uint64_t *keys;          /* per graph edge: drawn pair (internal) */
	struct draw_edge *e;
	size_t ne, reduced;
	size_t nfolded, folded_edges;   /* folded_edges: pairs into the system
					 * node not drawn */
	size_t binds_only;       /* binds edges without a needs: not drawn */
	uint64_t folded_bytes;
	uint32_t system_dist;
	unsigned states;         /* bit per edge_state drawn */
};

/* Build m from g: cls[i] is node i's finding class (or NULL), keep[i]
 * true for a node never folded, hl_edge[i] whether graph edge i is on a
 * highlighted path.  Free with
 * draw_model_free(); m borrows g. */
void draw_model_build(struct draw_model *m, const struct graph *g,
		      const struct render_opts *o, const char *const *cls,
		      const bool *keep, const bool *hl_edge);
void draw_model_free(struct draw_model *m);

/* Findings that color a node: "unused" (red), "prunable" (orange),
 * "likely" (yellow: orphan-library), "duplicate" (violet: the kept copy of
 * a duplicate-file), or NULL. */
const char *render_finding_class(const char *finding_kind);
/* Whether class c colours a node over class `over` (NULL: none yet):
 * unused > prunable > likely > duplicate. */
bool render_class_wins(const char *c, const char *over);

/* Render g into out.  Returns 0, or -1 with d set (graphviz's own message
 * when layout or rendering fails). */
int render_graph(const struct graph *g, const struct render_opts *o,
		 struct buf *out, struct diag *d);

/* Above this many nodes `slim graph` collapses unless told not to. */
#define RENDER_AUTO_COLLAPSE 300
/* Above this many nodes + edges the layout is bounded for speed. */
#define RENDER_FAST_LAYOUT 600

#endif
