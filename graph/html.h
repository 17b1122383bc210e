/*
 * html.h - the self-contained HTML report (`slim report --html`): a treemap
 * of bytes, the findings table (sortable, searchable) and the graph as
 * inline SVG, in one file with inline CSS and JS and no network access.
 */
#ifndef SLIM_HTML_H
#define SLIM_HTML_H

#include "graph.h"
#include "../common/buf.h"

struct diag;

/*
 * The byte hierarchy the treemap draws, as JSON {name, id, kind, bytes,
 * children}: root -> each input's file -> the file itself and every library
 * in its DT_NEEDED closure -> their parts (sections, archive members, GPU
 * entries grouped by arch), with "[unattributed]" for bytes no part
 * claims; Python modules under "python" by top-level package.  Each level
 * keeps its HTML_TREE_FANOUT largest children and folds the rest.
 */
#define HTML_TREE_FANOUT 60
json_t *html_treemap(const struct graph *g);

/* The page; svg is the rendered graph (may be empty), drawn from view
 * (g itself, or its collapsed form: a click on a group node then shows the
 * findings its members carry and the group's why-path in view, from
 * data.groups). */
int html_render(const struct graph *g, const struct graph *view,
		const char *svg, size_t svglen, struct buf *out, struct diag *d);

#endif
