/*
 * render.h - the graph as DOT or SVG, drawn by graphviz in-process (cgraph
 * builds the graph, gvc lays it out and renders; nothing shells out to
 * `dot`).
 */
#ifndef SLIM_RENDER_H
#define SLIM_RENDER_H

#include <stdbool.h>

#include "graph.h"
#include "../common/buf.h"

struct diag;

struct render_opts {
	const char *format;            /* "svg" or "dot" */
	const char *const *highlight;  /* node ids drawn bold, with their why-paths */
	size_t nhighlight;
	const struct graph *baseline;  /* nodes not in it are drawn as new */
	const char *title;             /* graph label, or NULL */
};

/* Findings that color a node: "unused" (red), "prunable" (orange), or NULL. */
const char *render_finding_class(const char *finding_kind);

/* Render g into out.  Returns 0, or -1 with d set (graphviz's own message
 * when layout or rendering fails). */
int render_graph(const struct graph *g, const struct render_opts *o,
		 struct buf *out, struct diag *d);

/* Above this many nodes `slim graph` collapses unless told not to. */
#define RENDER_AUTO_COLLAPSE 300
/* Above this many nodes + edges the layout is bounded for speed. */
#define RENDER_FAST_LAYOUT 600

#endif
