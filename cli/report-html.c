/*
 * report-html.c - `slim report --html FILE` and `--svg FILE`: the graph
 * outputs of graph/ (html.c, dot.c) behind the two hooks cmd-report.c
 * calls.  Both draw the collapsed graph above RENDER_AUTO_COLLAPSE nodes,
 * as `slim graph` does, and write through ofile (temp + rename).
 */
#include "graph-cli.h"
#include "../graph/html.h"
#include "../graph/render.h"
#include "../graph/subgraph.h"

/* The SVG of g, collapsed when large. */
static int svg_of(const struct graph *g, struct buf *svg, struct diag *d)
{
	struct graph c, k;
	graph_init(&c);
	graph_init(&k);
	const struct graph *view = g;
	if (g->nnodes > RENDER_AUTO_COLLAPSE) {
		subgraph_collapse(g, &c);
		view = &c;
	}
	if (view->nnodes > RENDER_AUTO_COLLAPSE) {
		subgraph_cap(view, &k, RENDER_AUTO_COLLAPSE);
		view = &k;
	}
	struct render_opts ro = {.format = "svg"};
	int rc = render_graph(view, &ro, svg, d);
	graph_free(&c);
	graph_free(&k);
	return rc;
}

int report_write_html(const struct graph *g, const char *path, struct diag *d)
{
	struct buf svg = BUF_INIT, page = BUF_INIT;
	int rc = -1;
	if (svg_of(g, &svg, d) || html_render(g, svg.p, svg.len, &page, d) ||
	    cli_emit(path, &page, d))
		goto out;
	rc = 0;
out:
	if (rc && !d->file[0])
		snprintf(d->file, sizeof d->file, "%s", path);
	buf_free(&svg);
	buf_free(&page);
	return rc;
}

int report_write_svg(const struct graph *g, const char *path, struct diag *d)
{
	struct buf svg = BUF_INIT;
	int rc = svg_of(g, &svg, d) || cli_emit(path, &svg, d) ? -1 : 0;
	if (rc && !d->file[0])
		snprintf(d->file, sizeof d->file, "%s", path);
	buf_free(&svg);
	return rc;
}
