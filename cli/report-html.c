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

/* What is drawn: g, or its collapsed form when large (c and k hold it;
 * the caller frees them). */
static const struct graph *view_of(const struct graph *g, struct graph *c,
				   struct graph *k)
{
	graph_init(c);
	graph_init(k);
	const struct graph *view = g;
	if (g->nnodes > RENDER_AUTO_COLLAPSE) {
		subgraph_collapse(g, c);
		view = c;
	}
	if (view->nnodes > RENDER_AUTO_COLLAPSE) {
		subgraph_cap(view, k, RENDER_AUTO_COLLAPSE);
		view = k;
	}
	return view;
}

/* The title names the inputs, as `slim graph FILE`'s does. */
static void title_of(const struct graph *g, struct buf *t)
{
	for (size_t i = 0; i < g->ninputs && i < 3; i++)
		buf_printf(t, "%s%s", i ? ", " : "", g->inputs[i].path);
	if (g->ninputs > 3)
		buf_printf(t, " and %zu more", g->ninputs - 3);
}

static int write_drawing(const struct graph *g, const char *path, bool html,
			 struct diag *d)
{
	struct graph c, k;
	const struct graph *view = view_of(g, &c, &k);
	struct buf svg = BUF_INIT, page = BUF_INIT, t = BUF_INIT;
	title_of(g, &t);
	struct render_opts ro = {.format = "svg", .title = t.len ? buf_cstr(&t) : NULL};
	int rc = render_graph(view, &ro, &svg, d) ||
		 (html && html_render(g, view, svg.p, svg.len, &page, d)) ||
		 cli_emit(path, html ? &page : &svg, d) ? -1 : 0;
	if (rc && !d->file[0])
		snprintf(d->file, sizeof d->file, "%s", path);
	graph_free(&c);
	graph_free(&k);
	buf_free(&svg);
	buf_free(&page);
	buf_free(&t);
	return rc;
}

int report_write_html(const struct graph *g, const char *path, struct diag *d)
{
	return write_drawing(g, path, true, d);
}

int report_write_svg(const struct graph *g, const char *path, struct diag *d)
{
	return write_drawing(g, path, false, d);
}
