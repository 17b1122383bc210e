/*
 * html.c - the self-contained HTML report: one file, inline CSS and JS
 * (html-assets.c), the graph as inline SVG, the data as embedded JSON in a
 * <script type="application/json"> element.  A Content-Security-Policy
 * meta tag forbids every network fetch, so the page works offline and
 * provably loads nothing.
 *
 * Embedding: the JSON is written by jansson, then every '<' is replaced by
 * the JSON escape \u003c, so no string in the data can close the script
 * element or open a comment (the HTML spec's "script data" state ends at
 * "</script" and changes at "<!--").
 *
 * The graph panel's why-paths: data.why maps a node id to the node before
 * it on one shortest path from the roots (the first in-edge, in edge
 * order, from a node one step closer), so the page walks to a root in
 * O(path) -- for every node up to HTML_WHY_ALL nodes, above that for the
 * nodes with findings and the nodes on their paths.
 */
#include "html.h"
#include "html-assets.h"
#include "why.h"
#include "../common/diag.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>

static json_t *findings_json(const struct graph *g)
{
	json_t *doc = graph_to_json(g), *f = json_incref(json_object_get(doc, "findings"));
	size_t i;
	json_t *o;
	json_array_foreach(f, i, o)
		json_object_del(o, "attrs");
	json_decref(doc);
	return f;
}

#define HTML_WHY_ALL 5000

static json_t *why_json(const struct graph *g)
{
	struct why_bfs w;
	why_bfs_init(&w, g);
	bool *want = xcalloc(g->nnodes + 1, sizeof *want);
	for (size_t i = 0; i < g->nnodes; i++)
		want[i] = g->nnodes <= HTML_WHY_ALL;
	for (size_t i = 0; i < g->nfindings; i++) {
		struct gnode *n = graph_node(g, g->findings[i].node);
		if (n)
			want[n->idx] = true;
	}
	json_t *why = json_object();
	for (size_t i = 0; i < g->nnodes; i++) {
		uint32_t x = (uint32_t)i;
		/* walk back while the predecessor is not written yet */
		while (want[x] && w.dist[x] != UINT32_MAX && w.dist[x] > 0 &&
		       !json_object_get(why, g->nodes[x]->id)) {
			uint32_t p = UINT32_MAX;
			for (uint32_t k = w.rev.off[x]; k < w.rev.off[x + 1] && p == UINT32_MAX; k++) {
				uint32_t u = g->edges[w.rev.edge[k]].from;
				if (w.dist[u] != UINT32_MAX && w.dist[u] + 1 == w.dist[x])
					p = u;
			}
			if (p == UINT32_MAX)
				break;
			json_object_set_new(why, g->nodes[x]->id, json_string(g->nodes[p]->id));
			want[p] = true;
			x = p;
		}
	}
	free(want);
	why_bfs_free(&w);
	return why;
}

/* The nodes of a collapsed view that are not g's (groups, "other:KIND"):
 * id -> {findings (the first HTML_GROUP_FINDINGS), nfindings, why (ids
 * from a root of view to it)} */
#define HTML_GROUP_FINDINGS 100
static json_t *groups_json(const struct graph *g, const struct graph *view)
{
	json_t *groups = json_object();
	if (view == g)
		return groups;
	json_t *pred = why_json(view);
	for (size_t i = 0; i < view->nnodes; i++) {
		const char *id = view->nodes[i]->id;
		if (graph_node(g, id))
			continue;
		json_t *o = json_object(), *path = json_array();
		json_array_append_new(path, json_string(id));
		const char *x = id;
		for (size_t k = 0; k < view->nnodes; k++) {
			const char *p = json_string_value(json_object_get(pred, x));
			if (!p)
				break;
			json_array_insert_new(path, 0, json_string(p));
			x = p;
		}
		json_object_set_new(o, "why", path);
		json_object_set_new(o, "findings", json_array());
		json_object_set_new(o, "nfindings", json_integer(0));
		json_object_set_new(groups, id, o);
	}
	for (size_t i = 0; i < view->nfindings; i++) {
		const struct gfinding *f = &view->findings[i];
		json_t *o = json_object_get(groups, f->node);
		if (!o)
			continue;
		json_t *n = json_object_get(o, "nfindings");
		json_integer_set(n, json_integer_value(n) + 1);
		json_t *l = json_object_get(o, "findings");
		if (json_array_size(l) >= HTML_GROUP_FINDINGS)
			continue;
		/* the member it is about, as the full report names it */
		const char *m = f->attrs ? json_string_value(json_object_get(f->attrs, "member")) : NULL;
		json_array_append_new(l, json_pack("{s:s, s:s, s:I, s:s?, s:s?, s:s?}",
			"kind", f->kind, "node", m ? m : f->node, "bytes", (json_int_t)f->bytes,
			"confidence", f->confidence, "reason", f->reason, "fix", f->fix));
	}
	json_decref(pred);
	return groups;
}

static void summary(const struct graph *g, struct buf *b)
{
	char h[32];
	buf_printf(b, "%zu inputs, %zu nodes, %zu edges, %zu findings; removable "
		   "(proven): %s", g->ninputs, g->nnodes, g->nedges, g->nfindings,
		   human_bytes(graph_proven_bytes(g, NULL), h, sizeof h));
}

static void put_json(struct buf *b, json_t *data)
{
	char *s = json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	for (const char *p = s; *p; p++)
		if (*p == '<')
			buf_puts(b, "\\u003c");
		else
			buf_putc(b, *p);
	free(s);
}

/* graphviz's SVG starts with an XML declaration and a DOCTYPE; inline SVG
 * in HTML takes the <svg> element only. */
static void put_svg(struct buf *b, const char *svg, size_t n)
{
	const char *p = svg ? memmem(svg, n, "<svg", 4) : NULL;
	if (!p) {
		buf_puts(b, "<p>(no graph)</p>");
		return;
	}
	buf_add(b, p, n - (size_t)(p - svg));
}

int html_render(const struct graph *g, const struct graph *view,
		const char *svg, size_t svglen, struct buf *out, struct diag *d)
{
	(void)d;
	struct buf s = BUF_INIT;
	summary(g, &s);
	json_t *data = json_object();
	json_object_set_new(data, "schema", json_string(SLIM_SCHEMA));
	json_object_set_new(data, "summary", json_string(buf_cstr(&s)));
	json_object_set_new(data, "treemap", html_treemap(g));
	json_object_set_new(data, "findings", findings_json(g));
	json_object_set_new(data, "why", why_json(g));
	json_object_set_new(data, "groups", groups_json(g, view ? view : g));
	buf_free(&s);

	buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		 "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		 "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
		 "<title>slim report</title>\n<style>\n");
	buf_puts(out, html_css);
	buf_puts(out, "</style></head><body>\n<header><h1>slim report</h1>"
		 "<div class=\"sum\" id=\"summary\"></div></header>\n"
		 "<section><h2>Bytes <small id=\"tm-status\"></small></h2>"
		 "<div id=\"crumbs\"></div><div class=\"legend\">"
		 "<span class=\"f-unused\">unused</span><span class=\"f-prunable\">prunable</span>"
		 "<span class=\"f-likely\">likely unused</span><span class=\"f-duplicate\">has duplicates</span>"
		 "click an area to zoom in</div><div id=\"treemap\"></div></section>\n"
		 "<section><h2>Findings <small id=\"f-status\"></small></h2>"
		 "<input id=\"search\" type=\"search\" placeholder=\"search findings\">"
		 "<table id=\"ftable\"><thead><tr><th data-k=\"kind\">kind</th>"
		 "<th data-k=\"node\">node</th><th data-k=\"dependent\">dependent</th>"
		 "<th data-k=\"bytes\">bytes</th><th data-k=\"confidence\">confidence</th>"
		 "<th data-k=\"reason\">reason</th><th data-k=\"fix\">fix</th></tr></thead>"
		 "<tbody></tbody></table></section>\n"
		 "<section><h2>Graph</h2><div class=\"legend\">wheel: zoom, drag: pan, "
		 "click a node: its findings and why-path</div><div id=\"gsel\"></div>"
		 "<div id=\"graph\">\n");
	put_svg(out, svg, svglen);
	buf_puts(out, "\n</div></section>\n<script type=\"application/json\" id=\"slim-data\">");
	put_json(out, data);
	buf_puts(out, "</script>\n<script>\n");
	buf_puts(out, html_js);
	buf_puts(out, "</script>\n</body></html>\n");
	json_decref(data);
	return 0;
}
