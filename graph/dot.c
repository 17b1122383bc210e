/*
 * dot.c - DOT and SVG of a slim graph through graphviz's libraries: cgraph
 * (agopen/agnode/agedge/agsafeset) builds the graph, gvc (gvLayout with the
 * "dot" engine, gvRenderData) lays it out and renders it in memory.  The
 * API is the one documented in graphviz's "Using Graphviz as a Library"
 * (libguide); attribute names and the SVG `class` attribute come from the
 * graphviz attribute reference.
 *
 * Drawing rules (README and docs/graph-outputs.md explain them to users;
 * what is drawn -- folding, one edge per dependency, states, ranks,
 * --reduce -- is decided first in dot-model.c):
 *   - top to bottom, one rank=same subgraph per distance from the roots;
 *     an edge that does not go one rank down is drawn without constraint;
 *   - title (graph label, top): the input, its totals, what was left out;
 *   - label: "UNUSED"/"PRUNABLE" where a finding says so, name, bytes;
 *     tooltip: the id;
 *   - fill by finding: unused (unused-library, unneeded-transitive,
 *     dead-archive-member, discarded-section) red with a thick red border;
 *     prunable (prunable-*, redundant-ptx, duplicate-gpu-code, cold-module)
 *     orange with a thick orange border;
 *   - a node absent from --baseline: blue outline, class "new";
 *   - --highlight: thick gold outline, and the edges of its shortest paths
 *     from the roots drawn thick;
 *   - the folded system libraries: one dashed grey node, class "system";
 *   - edge by state: used solid grey, via-unused dotted light grey, unused
 *     dashed red; --labels puts the symbols bound in an xlabel;
 *   - a legend cluster with exactly the node classes and edge states used;
 *   - above RENDER_FAST_LAYOUT nodes + edges, dot's iterations are bounded
 *     (nslimit, nslimit1, mclimit) and edges drawn straight, trading some
 *     crossings for a layout in seconds instead of minutes.
 * Every node gets an SVG class ("node unused new ...", legend entries
 * "node legend CLASS") and every edge its state ("edge used", "edge legend
 * used") so the HTML report and tests can find them; graphviz emits exactly
 * one <g class="node"> per node drawn.
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
	    !strcmp(k, "duplicate-gpu-code") || !strcmp(k, "cold-module") ||
	    !strcmp(k, "hidden-by-layer"))
		return "prunable";
	/* nothing kept loads it, as far as slim searched: check the reason */
	if (!strcmp(k, "orphan-library") || !strcmp(k, "unopened-data"))
		return "likely";
	/* on the copy kept: the others can become hardlinks to it */
	if (!strcmp(k, "duplicate-file"))
		return "duplicate";
	return NULL;
}

/* which class wins on a node with several findings */
static int class_rank(const char *c)
{
	static const char *const order[] = {"duplicate", "likely", "prunable", "unused"};
	for (int i = 0; i < 4; i++)
		if (c && !strcmp(c, order[i]))
			return i + 1;
	return 0;
}

bool render_class_wins(const char *c, const char *over)
{
	return class_rank(c) > class_rank(over);
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
	struct draw_model *m;
};

/* Node classes, in legend order: what the legend explains.  The first
 * four with a finding class are render_finding_class()'s. */
enum { NC_KEPT, NC_UNUSED, NC_PRUNABLE, NC_LIKELY, NC_DUPLICATE, NC_GROUP,
       NC_GROUP_FINDINGS, NC_NEW, NC_HIGHLIGHT, NC_SYSTEM, NC_N };
static const struct {
	const char *name, *text, *prefix, *fill, *line, *pen;
} nc[NC_N] = {
	{"kept", "kept (bytes)", NULL, "#eef2f7", "#000000", "1"},
	{"unused", "UNUSED: can go", "UNUSED", "#f8b4b4", "#cf222e", "3"},
	{"prunable", "PRUNABLE: can go", "PRUNABLE", "#fcd9a8", "#bc4c00", "3"},
	{"likely", "LIKELY unused: check the reason", "LIKELY", "#fff2b3", "#9a6700", "3"},
	{"duplicate", "has DUPLICATE copies: hardlink them", "DUPLICATE", "#e4d7fb", "#8250df", "2"},
	{"group", "group of files (--collapse-by)", NULL, "#f6f8fa", "#57606a", "1"},
	{"group-findings", "group whose files carry findings", NULL, "#f6f8fa", "#bc4c00", "2"},
	{"new", "new since --baseline", NULL, "#cfe3ff", "#1f6feb", "3"},
	{"highlight", "--highlight and its why-paths", NULL, "#eef2f7", "#b8860b", "1"},
	{"system", "system libraries, folded", NULL, "#e6e6e6", "#000000", "1"},
};

static int class_index(const char *cls)
{
	for (int k = NC_UNUSED; k <= NC_DUPLICATE; k++)
		if (cls && !strcmp(cls, nc[k].name))
			return k;
	return NC_KEPT;
}

static bool is_group(const struct gnode *n)
{
	return attr_get_str(n->attrs, "collapsed_by") != NULL;
}
/* Edge states as drawn (dot-model.c decides them); legend() draws the same */
static const char *const es_style[ES_N] = {"solid", "dotted", "dashed"};
static const char *const es_color[ES_N] = {"#57606a", "#a0a7b0", "#cf222e"};
static const char *const es_text[ES_N] = {
	"used dependency", "reached only through unused", "unused dependency"};

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
	const char *cls = s->cls[n->idx];
	int k = class_index(cls);
	if (nc[k].prefix)
		buf_printf(&b, "%s\\n", nc[k].prefix);
	esc(&b, n->name);
	if (n->has_size)
		buf_printf(&b, "\\n%s", human_bytes(n->size, h, sizeof h));
	long long members = attr_get_int(n->attrs, "members", 0);
	if (members)
		buf_printf(&b, "\\n(%lld collapsed)", members);
	/* --collapse-by: the findings its members carry, exact in the tooltip */
	long long mf = attr_get_int(n->attrs, "member_findings", 0);
	long long mb = attr_get_int(n->attrs, "member_finding_bytes", 0);
	if (mf)
		buf_printf(&b, "\\n%lld finding%s, %s", mf, mf == 1 ? "" : "s",
			   human_bytes((uint64_t)mb, h, sizeof h));
	set(an, "label", buf_cstr(&b));
	buf_reset(&b);
	esc(&b, n->id);
	if (attr_get_str(n->attrs, "collapsed_by"))
		buf_printf(&b, ": %lld members, %lld findings, %lld bytes",
			   members, mf, mb);
	set(an, "tooltip", buf_cstr(&b));
	buf_reset(&b);
	if (k == NC_KEPT && is_group(n))
		k = mf ? NC_GROUP_FINDINGS : NC_GROUP;
	const char *fill = nc[k].fill;
	buf_puts(&b, nc[k].name);
	if (k == NC_GROUP || k == NC_GROUP_FINDINGS) {
		set(an, "shape", "folder");
		set(an, "color", nc[k].line);
		set(an, "penwidth", nc[k].pen);
	} else if (cls) {
		set(an, "color", nc[k].line);
		set(an, "penwidth", nc[k].pen);
		set(an, "fontname", "Helvetica-Bold");
	}
	if (s->m->dist[n->idx] == 0)
		set(an, "penwidth", "2");
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

static void style_edge(const struct style *s, const struct draw_edge *d,
		       Agedge_t *ae)
{
	set(ae, "style", es_style[d->state]);
	set(ae, "color", es_color[d->state]);
	if (d->state == ES_UNUSED)
		set(ae, "penwidth", "2");
	if (d->hl) {
		set(ae, "penwidth", "3");
		set(ae, "color", "#b8860b");
	}
	char n[32];
	if (s->o->labels && d->symbols) {
		snprintf(n, sizeof n, "%lld", d->symbols);
		/* xlabel: graphviz 2.43 double-frees laying out a "label"
		 * on an edge between two nodes of one rank (`slim graph
		 * curl --labels` aborted); an xlabel is placed afterwards */
		set(ae, "xlabel", n);
	}
	const struct gedge *ge = &s->g->edges[d->edge];
	struct buf b = BUF_INIT;
	if (d->to == DRAW_SYSTEM)
		buf_printf(&b, "%s -> system libraries: %u dependencies",
			   s->g->nodes[ge->from]->id, d->nmerged);
	else {
		buf_printf(&b, "%s -> %s: ", s->g->nodes[ge->from]->id, s->g->nodes[ge->to]->id);
		why_edge_evidence(s->g, ge, &b);
	}
	struct buf e = BUF_INIT;
	esc(&e, buf_cstr(&b));
	set(ae, "tooltip", buf_cstr(&e));
	set(ae, "class", render_edge_state_name[d->state]);
	buf_free(&e);
	buf_free(&b);
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp((*(struct gnode *const *)a)->id, (*(struct gnode *const *)b)->id);
}

/* 3. the title: the input, then the totals of what is drawn */
static void title(const struct style *s, Agraph_t *ag)
{
	const struct graph *g = s->g;
	uint64_t bytes = 0, removable = 0;
	size_t nfind = 0;
	char h1[32], h2[32];
	for (size_t i = 0; i < g->nnodes; i++)
		bytes += g->nodes[i]->size;
	for (size_t i = 0; i < g->nfindings; i++) {
		nfind++;
		if (g->findings[i].confidence && !strcmp(g->findings[i].confidence, "proven"))
			removable += g->findings[i].bytes;
	}
	struct buf b = BUF_INIT;
	buf_puts(&b, "slim graph");
	if (s->o->title) {
		buf_puts(&b, " of ");
		esc(&b, s->o->title);
	}
	buf_printf(&b, "\\n%zu nodes, %zu edges, %s; %zu findings, %s proven removable",
		   g->nnodes, g->nedges, human_bytes(bytes, h1, sizeof h1), nfind,
		   human_bytes(removable, h2, sizeof h2));
	size_t drawn = 0;
	for (size_t j = 0; j < s->m->ne; j++)
		drawn += !s->m->e[j].dropped;
	buf_printf(&b, "\\n%zu edges drawn, one per dependency", drawn);
	if (s->m->binds_only)
		buf_printf(&b, "; %zu binding%s with no DT_NEEDED not drawn (slim why shows %s)",
			   s->m->binds_only, s->m->binds_only == 1 ? "" : "s",
			   s->m->binds_only == 1 ? "it" : "them");
	if (s->m->reduced)
		buf_printf(&b, "; %zu implied edges not drawn (--reduce)", s->m->reduced);
	set(ag, "label", buf_cstr(&b));
	set(ag, "labelloc", "t");
	set(ag, "fontsize", "14");
	buf_free(&b);
}

static Agnode_t *system_node(const struct style *s, Agraph_t *ag)
{
	char h[32];
	struct buf b = BUF_INIT;
	buf_puts(&b, "system libraries (--no-fold draws them)");
	for (size_t i = 0; i < s->g->nnodes; i++)
		if (s->m->at[i] == DRAW_SYSTEM)
			buf_printf(&b, "\\n%s", s->g->nodes[i]->name);
	buf_printf(&b, "\\n%s; %zu edges into it folded",
		   human_bytes(s->m->folded_bytes, h, sizeof h), s->m->folded_edges);
	Agnode_t *n = agnode(ag, "system", 1);
	set(n, "label", buf_cstr(&b));
	set(n, "fillcolor", "#e6e6e6");
	set(n, "style", "rounded,filled,dashed");
	set(n, "class", "system");
	buf_reset(&b);
	buf_puts(&b, "folded (--no-fold draws them):");
	for (size_t i = 0; i < s->g->nnodes; i++)
		if (s->m->at[i] == DRAW_SYSTEM)
			buf_printf(&b, " %s", s->g->nodes[i]->id);
	set(n, "tooltip", buf_cstr(&b));
	buf_free(&b);
	return n;
}

/* 3. ranks by distance from the roots: one rank=same subgraph per step;
 * returns the (sub)graph each node is made in, and sets *sysg for the
 * system node */
static Agraph_t **rank(const struct style *s, Agraph_t *ag, Agraph_t **sysg)
{
	const struct graph *g = s->g;
	uint32_t max = 0;
	for (size_t i = 0; i < g->nnodes; i++)
		if (s->m->dist[i] != UINT32_MAX && s->m->dist[i] > max)
			max = s->m->dist[i];
	Agraph_t **r = xcalloc((size_t)max + 1, sizeof *r);
	Agraph_t **in = xcalloc(g->nnodes + 1, sizeof *in);
	char name[32];
	*sysg = ag;
	for (size_t i = 0; i <= g->nnodes; i++) {
		uint32_t d = i < g->nnodes ? s->m->dist[i] : s->m->system_dist;
		bool sys = i == g->nnodes;
		if (i < g->nnodes)
			in[i] = ag;
		if (d == UINT32_MAX || (sys && !s->m->nfolded) ||
		    (!sys && s->m->at[i] == DRAW_SYSTEM))
			continue;
		if (!r[d]) {
			snprintf(name, sizeof name, "rank%u", d);
			r[d] = agsubg(ag, name, 1);
			set(r[d], "rank", d ? "same" : "min");
		}
		*(sys ? sysg : &in[i]) = r[d];
	}
	free(r);
	return in;
}

/* the NC_* bits of the node classes drawn, as style_node() decides them */
static unsigned node_classes(const struct style *s)
{
	const struct graph *g = s->g;
	unsigned c = s->m->nfolded ? 1u << NC_SYSTEM : 0;
	for (size_t i = 0; i < g->nnodes; i++) {
		if (s->m->at[i] == DRAW_SYSTEM)
			continue;
		int k = class_index(s->cls[i]);
		if (k == NC_KEPT && is_group(g->nodes[i]))
			k = attr_get_int(g->nodes[i]->attrs, "member_findings", 0) ?
			    NC_GROUP_FINDINGS : NC_GROUP;
		c |= 1u << k;
		if (s->o->baseline && !graph_node(s->o->baseline, g->nodes[i]->id))
			c |= 1u << NC_NEW;
		if (s->hl_node[i])
			c |= 1u << NC_HIGHLIGHT;
	}
	return c;
}

/*
 * 3. The legend: exactly the node classes and edge states drawn.  Each
 * entry is a node of class "legend CLASS" (edges: a point and a label
 * joined by an edge of class "legend STATE"), stacked in one cluster by
 * invisible edges, so a test can compare them with the drawing.
 */
static void legend(Agraph_t *ag, unsigned edge_states, unsigned node_classes)
{
	Agraph_t *c = agsubg(ag, "cluster_legend", 1);
	set(c, "label", "legend");
	set(c, "style", "rounded");
	set(c, "color", "#d0d7de");
	char name[64], cls[64];
	Agnode_t *prev = NULL;
	for (int k = 0; k < NC_N; k++) {
		if (!(node_classes & 1u << k))
			continue;
		snprintf(name, sizeof name, "legend:%s", nc[k].name);
		snprintf(cls, sizeof cls, "legend %s", nc[k].name);
		Agnode_t *n = agnode(c, name, 1);
		set(n, "label", nc[k].text);
		set(n, "fillcolor", nc[k].fill);
		set(n, "color", nc[k].line);
		set(n, "penwidth", nc[k].pen);
		if (k == NC_SYSTEM)
			set(n, "style", "rounded,filled,dashed");
		if (k == NC_GROUP || k == NC_GROUP_FINDINGS)
			set(n, "shape", "folder");
		set(n, "class", cls);
		set(n, "tooltip", nc[k].text);
		if (prev)
			set(agedge(c, prev, n, NULL, 1), "style", "invis");
		prev = n;
	}
	for (int k = 0; k < ES_N; k++) {
		if (!(edge_states & 1u << k))
			continue;
		snprintf(name, sizeof name, "legend:row:%s", render_edge_state_name[k]);
		Agraph_t *row = agsubg(c, name, 1);
		set(row, "rank", "same");
		snprintf(name, sizeof name, "legend:from:%s", render_edge_state_name[k]);
		Agnode_t *a = agnode(row, name, 1);
		snprintf(name, sizeof name, "legend:edge:%s", render_edge_state_name[k]);
		Agnode_t *n = agnode(row, name, 1);
		for (int j = 0; j < 2; j++) {
			Agnode_t *x = j ? n : a;
			set(x, "shape", "plaintext");
			set(x, "style", "");
			set(x, "label", j ? es_text[k] : "");
			set(x, "width", "0.3");
			snprintf(cls, sizeof cls, "legend edge-%s", render_edge_state_name[k]);
			set(x, "class", cls);
		}
		Agedge_t *e = agedge(c, a, n, NULL, 1);
		snprintf(cls, sizeof cls, "legend %s", render_edge_state_name[k]);
		set(e, "class", cls);
		set(e, "style", es_style[k]);
		set(e, "color", es_color[k]);
		if (k == ES_UNUSED)
			set(e, "penwidth", "2");
		if (prev)
			set(agedge(c, prev, a, NULL, 1), "style", "invis");
		prev = a;
	}
}

static Agraph_t *build(const struct style *s)
{
	const struct graph *g = s->g;
	Agraph_t *ag = agopen("slim", Agdirected, NULL);
	set(ag, "rankdir", "TB");
	set(ag, "fontname", "Helvetica");
	set(ag, "nodesep", "0.25");
	set(ag, "ranksep", "0.6");
	if (g->nnodes + g->nedges > RENDER_FAST_LAYOUT) {
		/* dot's network simplex and crossing minimization dominate
		 * on dense graphs (300 package nodes, 1000 edges: 42 s);
		 * bounded iterations and straight edges: 3 s */
		set(ag, "nslimit", "2");
		set(ag, "nslimit1", "2");
		set(ag, "mclimit", "0.1");
		set(ag, "splines", "line");
	}
	for (size_t i = 0; i < g->nnodes; i++)
		if (attr_get_str(g->nodes[i]->attrs, "collapsed_by")) {
			/* a deployable's groups are mostly unconnected: dot
			 * would put them all on the top rank, 20000pt wide;
			 * packed as an array of components, a page */
			set(ag, "pack", "true");
			set(ag, "packmode", "array_u");
			break;
		}
	title(s, ag);
	agattr(ag, AGNODE, "shape", "box");
	agattr(ag, AGNODE, "style", "rounded,filled");
	agattr(ag, AGNODE, "fontname", "Helvetica");
	agattr(ag, AGNODE, "fontsize", "10");
	agattr(ag, AGEDGE, "arrowsize", "0.6");
	agattr(ag, AGEDGE, "color", "#57606a");
	agattr(ag, AGEDGE, "fontname", "Helvetica");
	agattr(ag, AGEDGE, "fontsize", "9");

	legend(ag, s->m->states, node_classes(s));
	/* nodes in id order (the report's order) */
	struct gnode **ns = xcalloc(g->nnodes + 1, sizeof *ns);
	if (g->nnodes)      /* g->nodes is NULL in an empty graph */
		memcpy(ns, g->nodes, g->nnodes * sizeof *ns);
	qsort(ns, g->nnodes, sizeof *ns, cmp_node);
	Agnode_t **an = xcalloc(g->nnodes + 1, sizeof *an);
	Agraph_t *sysg;
	Agraph_t **in = rank(s, ag, &sysg);
	for (size_t i = 0; i < g->nnodes; i++) {
		if (s->m->at[ns[i]->idx] == DRAW_SYSTEM)
			continue;
		an[ns[i]->idx] = agnode(in[ns[i]->idx], (char *)ns[i]->id, 1);
		style_node(s, ns[i], an[ns[i]->idx]);
	}
	free(in);
	Agnode_t *sys = s->m->nfolded ? system_node(s, sysg) : NULL;
	for (size_t j = 0; j < s->m->ne; j++) {
		const struct draw_edge *d = &s->m->e[j];
		if (d->dropped)
			continue;
		Agnode_t *a = d->from == DRAW_SYSTEM ? sys : an[d->from];
		Agnode_t *b = d->to == DRAW_SYSTEM ? sys : an[d->to];
		Agedge_t *ae = agedge(ag, a, b, NULL, 1);
		style_edge(s, d, ae);
		uint32_t da = d->from == DRAW_SYSTEM ? s->m->system_dist : s->m->dist[d->from];
		uint32_t db = d->to == DRAW_SYSTEM ? s->m->system_dist : s->m->dist[d->to];
		if (db <= da)
			set(ae, "constraint", "false");
	}
	free(ns);
	free(an);
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
		/* a --collapse-by group carries its members' findings in its
		 * label; drawn as "unused" it would say the whole group can go */
		if (n && attr_get_str(n->attrs, "collapsed_by"))
			continue;
		if (c && n && render_class_wins(c, s.cls[n->idx]))
			s.cls[n->idx] = c;
	}
	if (o->nhighlight)
		mark_highlights(&s);
	bool *keep = xcalloc(g->nnodes + 1, sizeof *keep);
	for (size_t i = 0; i < g->nnodes; i++)
		keep[i] = s.cls[i] || s.hl_node[i] ||
			  attr_get_int(g->nodes[i]->attrs, "member_findings", 0) ||
			  (o->baseline && !graph_node(o->baseline, g->nodes[i]->id));
	struct draw_model m;
	draw_model_build(&m, g, o, s.cls, keep, s.hl_edge);
	free(keep);
	s.m = &m;
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
	draw_model_free(&m);
	free(s.cls);
	free(s.hl_node);
	free(s.hl_edge);
	return rc;
}
