/*
 * dot.c - DOT and SVG of a slim graph through graphviz's libraries: cgraph
 * (agopen/agnode/agedge/agsafeset) builds the graph, gvc (gvLayout with the
 * "dot" engine, gvRenderData) lays it out and renders it in memory.  The
 * API is the one documented in graphviz's "Using Graphviz as a Library"
 * (libguide); attribute names and the SVG `class` attribute come from the
 * graphviz attribute reference.
 *
 * Drawing rules (the README explains them to users):
 *   - one cluster per node kind ("cluster_lib", "cluster_archive", ...);
 *   - label: name, then bytes; tooltip: the id;
 *   - fill by finding: unused (unused-library, unneeded-transitive,
 *     dead-archive-member, discarded-section) red; prunable (prunable-*,
 *     redundant-ptx, duplicate-gpu-code, cold-module) orange;
 *   - a node absent from --baseline: blue outline, class "new";
 *   - --highlight: thick gold outline, and the edges of its shortest paths
 *     from the roots drawn thick;
 *   - edge style by kind: needs solid, binds dashed, includes/contains
 *     dotted, imports/loads solid green;
 *   - above RENDER_FAST_LAYOUT nodes + edges, dot's iterations are bounded
 *     (nslimit, nslimit1, mclimit) and edges drawn straight, trading some
 *     crossings for a layout in seconds instead of minutes.
 * Every node gets an SVG class ("node unused new ...") so the HTML report
 * and tests can find it; graphviz emits exactly one <g class="node"> per
 * node drawn.
 */
#include "render.h"
#include "why.h"
#include "../common/diag.h"
#include "../common/util.h"

#include "gvload.h"
#include "../common/memlimit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *render_finding_class(const char *k)
{
	if (!strcmp(k, "unused-library") || !strcmp(k, "unneeded-transitive") ||
	    !strcmp(k, "dead-archive-member") || !strcmp(k, "discarded-section"))
		return "unused";
	if (!strncmp(k, "prunable", 8) || !strcmp(k, "redundant-ptx") ||
	    !strcmp(k, "duplicate-gpu-code") || !strcmp(k, "cold-module"))
		return "prunable";
	return NULL;
}

/* graphviz reports errors through a callback; keep the first line. */
static char gv_err[256];

static int gv_errf(char *msg)
{
	if (!gv_err[0]) {
		snprintf(gv_err, sizeof gv_err, "%s", msg);
		gv_err[strcspn(gv_err, "\n")] = 0;
	}
	return 0;
}

/* graphviz escString: a backslash starts an escape, so double each one. */
static void esc(struct buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			buf_putc(b, '\\');
		buf_putc(b, *s);
	}
}

static void set(void *obj, const char *k, const char *v)
{
	agsafeset(obj, (char *)k, (char *)v, "");
}

struct style {
	const struct graph *g;
	const struct render_opts *o;
	const char **cls;     /* per node: unused / prunable / NULL */
	bool *hl_node;
	bool *hl_edge;        /* per edge index */
};

static void mark_highlights(struct style *s)
{
	const struct graph *g = s->g;
	struct why_bfs w;
	why_bfs_init(&w, g);
	for (size_t i = 0; i < s->o->nhighlight; i++) {
		struct gnode *n = graph_node(g, s->o->highlight[i]);
		if (!n)
			continue;
		s->hl_node[n->idx] = true;
		struct why_path *p;
		uint64_t total;
		size_t np = why_paths(&w, n->idx, 20, &p, &total);
		for (size_t k = 0; k < np; k++)
			for (size_t j = 1; j < p[k].len; j++) {
				struct gadj *r = &w.rev;
				uint32_t b = p[k].nodes[j];
				for (uint32_t x = r->off[b]; x < r->off[b + 1]; x++)
					if (g->edges[r->edge[x]].from == p[k].nodes[j - 1])
						s->hl_edge[r->edge[x]] = true;
			}
		why_paths_free(p, np);
	}
	why_bfs_free(&w);
}

static void style_node(const struct style *s, const struct gnode *n,
		       Agnode_t *an)
{
	char h[32];
	struct buf b = BUF_INIT;
	esc(&b, n->name);
	if (n->has_size)
		buf_printf(&b, "\\n%s", human_bytes(n->size, h, sizeof h));
	long long members = attr_get_int(n->attrs, "members", 0);
	if (members)
		buf_printf(&b, "\\n(%lld collapsed)", members);
	set(an, "label", buf_cstr(&b));
	buf_reset(&b);
	esc(&b, n->id);
	set(an, "tooltip", buf_cstr(&b));
	buf_reset(&b);
	const char *cls = s->cls[n->idx];
	const char *fill = cls ? (!strcmp(cls, "unused") ? "#f8b4b4" : "#fcd9a8")
			       : "#eef2f7";
	buf_puts(&b, cls ? cls : "kept");
	if (s->o->baseline && !graph_node(s->o->baseline, n->id)) {
		buf_puts(&b, " new");
		set(an, "color", "#1f6feb");
		set(an, "penwidth", "2.5");
		if (!cls)
			fill = "#cfe3ff";
	}
	if (s->hl_node[n->idx]) {
		buf_puts(&b, " highlight");
		set(an, "color", "#b8860b");
		set(an, "penwidth", "4");
	}
	set(an, "fillcolor", fill);
	set(an, "class", buf_cstr(&b));
	buf_free(&b);
}

static void style_edge(const struct style *s, size_t i, Agedge_t *ae)
{
	const char *k = s->g->edges[i].kind;
	if (!strcmp(k, "binds"))
		set(ae, "style", "dashed");
	else if (!strcmp(k, "includes") || !strcmp(k, "contains"))
		set(ae, "style", "dotted");
	else if (!strcmp(k, "imports") || !strcmp(k, "loads"))
		set(ae, "color", "#2e7d32");
	if (s->hl_edge[i]) {
		set(ae, "penwidth", "3");
		set(ae, "color", "#b8860b");
	}
	struct buf b = BUF_INIT;
	buf_printf(&b, "%s -> %s: ", s->g->nodes[s->g->edges[i].from]->id,
		   s->g->nodes[s->g->edges[i].to]->id);
	why_edge_evidence(s->g, &s->g->edges[i], &b);
	struct buf e = BUF_INIT;
	esc(&e, buf_cstr(&b));
	set(ae, "tooltip", buf_cstr(&e));
	set(ae, "class", k);
	buf_free(&e);
	buf_free(&b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp((*(struct gnode *const *)a)->id, (*(struct gnode *const *)b)->id);
}

/* One cluster per kind, created in kind order so output is deterministic. */
static Agraph_t *build(const struct style *s)
{
	const struct graph *g = s->g;
	Agraph_t *ag = agopen("slim", Agdirected, NULL);
	set(ag, "rankdir", "LR");
	set(ag, "fontname", "Helvetica");
	set(ag, "fontsize", "11");
	if (g->nnodes + g->nedges > RENDER_FAST_LAYOUT) {
		/* dot's network simplex and crossing minimization dominate
		 * on dense graphs (300 package nodes, 1000 edges: 42 s);
		 * bounded iterations and straight edges: 3 s */
		set(ag, "nslimit", "2");
		set(ag, "nslimit1", "2");
		set(ag, "mclimit", "0.1");
		set(ag, "splines", "line");
	}
	if (s->o->title)
		set(ag, "label", s->o->title);
	agattr(ag, AGNODE, "shape", "box");
	agattr(ag, AGNODE, "style", "rounded,filled");
	agattr(ag, AGNODE, "fontname", "Helvetica");
	agattr(ag, AGNODE, "fontsize", "10");
	agattr(ag, AGEDGE, "arrowsize", "0.6");
	agattr(ag, AGEDGE, "color", "#57606a");

	const char **kinds = xcalloc(g->nnodes + 1, sizeof *kinds);
	size_t nk = 0;
	struct hmap seen = {0};
	for (size_t i = 0; i < g->nnodes; i++)
		if (!hmap_gets(&seen, g->nodes[i]->kind)) {
			hmap_put(&seen, g->nodes[i]->kind, strlen(g->nodes[i]->kind), (void *)1);
			kinds[nk++] = g->nodes[i]->kind;
		}
	qsort(kinds, nk, sizeof *kinds, cmp_str);
	struct buf b = BUF_INIT;
	for (size_t k = 0; k < nk; k++) {
		buf_reset(&b);
		buf_printf(&b, "cluster_%s", kinds[k]);
		Agraph_t *sub = agsubg(ag, (char *)buf_cstr(&b), 1);
		hmap_put(&seen, kinds[k], strlen(kinds[k]), sub);
		set(sub, "label", kinds[k]);
		set(sub, "style", "rounded");
		set(sub, "color", "#d0d7de");
	}
	/* nodes in id order (the report's order) */
	struct gnode **ns = xcalloc(g->nnodes + 1, sizeof *ns);
	memcpy(ns, g->nodes, g->nnodes * sizeof *ns);
	qsort(ns, g->nnodes, sizeof *ns, cmp_node);
	Agnode_t **an = xcalloc(g->nnodes + 1, sizeof *an);
	for (size_t i = 0; i < g->nnodes; i++) {
		Agraph_t *sub = hmap_gets(&seen, ns[i]->kind);
		an[ns[i]->idx] = agnode(sub, (char *)ns[i]->id, 1);
		style_node(s, ns[i], an[ns[i]->idx]);
	}
	for (size_t i = 0; i < g->nedges; i++) {
		Agedge_t *ae = agedge(ag, an[g->edges[i].from], an[g->edges[i].to], NULL, 1);
		style_edge(s, i, ae);
	}
	free(ns);
	free(an);
	free(kinds);
	hmap_free(&seen);
	buf_free(&b);
	return ag;
}

/*
 * One graphviz context for the whole process.  gvFreeContext() followed by
 * a second gvContext() is a use-after-free inside graphviz 2.43 (the
 * textspan font cache keeps a font name the first context freed; ASan shows
 * it as soon as `slim report --svg --html` renders twice), so the context
 * is made once and left to process exit.
 */
static GVC_t *gv_context(void)
{
	static GVC_t *gvc;
	if (!gvc)
		gvc = gvContext();
	return gvc;
}

int render_graph(const struct graph *g, const struct render_opts *o,
		 struct buf *out, struct diag *d)
{
	/* graphviz's text layout (pango) g_error()s -- a trap, not an error
	 * return -- when it cannot start its thread under a tight limit */
	if (!memlimit_headroom(64ull << 20))
		return diag_err(d, NULL, "the memory limit leaves less than 64 MiB for graphviz to draw with: raise --max-memory");
	if (gv_load(d))
		return -1;
	struct style s = {.g = g, .o = o};
	s.cls = xcalloc(g->nnodes + 1, sizeof *s.cls);
	s.hl_node = xcalloc(g->nnodes + 1, sizeof *s.hl_node);
	s.hl_edge = xcalloc(g->nedges + 1, sizeof *s.hl_edge);
	for (size_t i = 0; i < g->nfindings; i++) {
		const char *c = render_finding_class(g->findings[i].kind);
		struct gnode *n = graph_node(g, g->findings[i].node);
		if (c && n && (!s.cls[n->idx] || !strcmp(c, "unused")))
			s.cls[n->idx] = c;
	}
	if (o->nhighlight)
		mark_highlights(&s);
	int rc = -1;
	gv_err[0] = 0;
	agseterrf(gv_errf);
	agseterr(AGERR);
	GVC_t *gvc = gv_context();
	Agraph_t *ag = build(&s);
	if (!strcmp(o->format, "dot")) {
		char *mem = NULL;
		size_t len = 0;
		FILE *fp = open_memstream(&mem, &len);
		if (fp && agwrite(ag, fp) == 0 && fclose(fp) == 0) {
			buf_add(out, mem, len);
			rc = 0;
		} else {
			diag_err(d, NULL, "graphviz: cannot write DOT");
		}
		free(mem);
	} else if (gvLayout(gvc, ag, g->nnodes > 4000 ? "neato" : "dot")) {
		diag_err(d, NULL, "graphviz layout failed: %s", gv_err[0] ? gv_err : "unknown error");
	} else {
		char *data = NULL;
		unsigned int len = 0;
		if (gvRenderData(gvc, ag, o->format, &data, &len) || !data)
			diag_err(d, NULL, "graphviz cannot render %s: %s", o->format,
				 gv_err[0] ? gv_err : "unknown error");
		else {
			buf_add(out, data, len);
			rc = 0;
		}
		gvFreeRenderData(data);
		gvFreeLayout(gvc, ag);
	}
	agclose(ag);
	free(s.cls);
	free(s.hl_node);
	free(s.hl_edge);
	return rc;
}
