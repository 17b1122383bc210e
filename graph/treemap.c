/*
 * treemap.c - the byte hierarchy of the HTML report's treemap (html.h):
 * file -> library -> section / archive member / GPU arch / Python package.
 *
 * Built from the graph's edges: each root's DT_NEEDED closure (breadth
 * first, a library shown under the first root that reaches it, roots in id
 * order), then each file's parts through its non-dependency edges
 * (`contains`, `includes`), grouped the way --collapse groups them.  The
 * tree is at most five levels deep by construction, so the recursive fold
 * at the end recurses on that, never on input depth.  Bytes a file has but
 * no part claims show as "[unattributed]" (as bloaty does), so the areas
 * add up to the file sizes.
 */
#include "html.h"
#include "render.h"
#include "subgraph.h"
#include "diff.h"
#include "why.h"
#include "../common/util.h"
#include "ids.h"

#include <stdlib.h>
#include <string.h>

struct tm_ctx {
	const struct graph *g;
	struct gadj out;
	const char **cls;         /* finding class per node */
};

static json_t *leaf(const char *name, const char *id, const char *kind,
		    uint64_t bytes, const char *cls)
{
	json_t *o = json_pack("{s:s,s:I}", "name", name, "bytes", (json_int_t)bytes);
	if (id)
		attr_str(o, "id", id);
	if (kind)
		attr_str(o, "kind", kind);
	if (cls)
		attr_str(o, "finding", cls);
	return o;
}

static uint64_t jbytes(json_t *o)
{
	return (uint64_t)json_integer_value(json_object_get(o, "bytes"));
}

static bool is_dep_edge(const char *k)
{
	return !strcmp(k, "needs") || !strcmp(k, "binds") || !strcmp(k, "imports") ||
	       !strcmp(k, "loads");
}

/* A file node with its parts as children. */
static json_t *file_item(struct tm_ctx *c, const struct gnode *x)
{
	const struct graph *g = c->g;
	json_t *o = leaf(x->name, x->id, x->kind, 0, c->cls[x->idx]);
	json_t *kids = json_array(), *groups = json_object();
	uint64_t sum = 0;
	char gid[1024];
	const char *gkind;
	bool adds;
	for (uint32_t k = c->out.off[x->idx]; k < c->out.off[x->idx + 1]; k++) {
		const struct gedge *e = &g->edges[c->out.edge[k]];
		const struct gnode *p = g->nodes[e->to];
		if (is_dep_edge(e->kind) || diff_is_file_kind(p->kind))
			continue;
		json_t *l = leaf(p->name, p->id, p->kind, p->size, c->cls[p->idx]);
		sum += p->size;
		if (!subgraph_group_in(g, p, gid, sizeof gid, &gkind, &adds) ||
		    !strcmp(gid, x->id)) {
			json_array_append_new(kids, l);
			continue;
		}
		json_t *grp = json_object_get(groups, gid);
		if (!grp) {
			const char *colon = strchr(gid, ':');
			grp = leaf(colon ? colon + 1 : gid, NULL, gkind, 0, NULL);
			json_object_set_new(grp, "children", json_array());
			json_object_set_new(groups, gid, grp);
			json_array_append(kids, grp);
		}
		json_array_append_new(json_object_get(grp, "children"), l);
		json_object_set_new(grp, "bytes", json_integer((json_int_t)(jbytes(grp) + p->size)));
	}
	json_decref(groups);
	if (x->size > sum && json_array_size(kids))
		json_array_append_new(kids, leaf("[unattributed]", NULL, "unattributed",
						 x->size - sum, NULL));
	json_object_set_new(o, "bytes", json_integer((json_int_t)(x->size > sum ? x->size : sum)));
	if (json_array_size(kids))
		json_object_set_new(o, "children", kids);
	else
		json_decref(kids);
	return o;
}

static void add_child(json_t *parent, json_t *child)
{
	json_t *kids = json_object_get(parent, "children");
	if (!kids)
		json_object_set_new(parent, "children", kids = json_array());
	json_object_set_new(parent, "bytes",
			    json_integer((json_int_t)(jbytes(parent) + jbytes(child))));
	json_array_append_new(kids, child);
}

/* One root: itself and the libraries of its closure not shown yet. */
static json_t *root_item(struct tm_ctx *c, uint32_t r, bool *placed,
			 uint32_t *queue)
{
	const struct graph *g = c->g;
	json_t *o = leaf(g->nodes[r]->name, NULL, "input", 0, NULL);
	size_t head = 0, tail = 0;
	queue[tail++] = r;
	placed[r] = true;
	while (head < tail) {
		uint32_t u = queue[head++];
		add_child(o, file_item(c, g->nodes[u]));
		for (uint32_t k = c->out.off[u]; k < c->out.off[u + 1]; k++) {
			const struct gedge *e = &g->edges[c->out.edge[k]];
			if (!placed[e->to] && diff_is_file_kind(g->nodes[e->to]->kind) &&
			    strcmp(g->nodes[e->to]->kind, NK_MODULE)) {
				placed[e->to] = true;
				queue[tail++] = e->to;
			}
		}
	}
	return o;
}

/* Python modules by top-level package. */
static json_t *python_item(struct tm_ctx *c, bool *placed)
{
	const struct graph *g = c->g;
	json_t *o = leaf("python", NULL, "python", 0, NULL), *groups = json_object();
	char gid[1024];
	const char *gkind;
	bool adds;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct gnode *n = g->nodes[i];
		if (strcmp(n->kind, NK_MODULE) || placed[i] ||
		    !subgraph_group_of(n, gid, sizeof gid, &gkind, &adds))
			continue;
		placed[i] = true;
		json_t *grp = json_object_get(groups, gid);
		if (!grp) {
			grp = leaf(gid + 3, NULL, "package", 0, NULL);
			json_object_set_new(groups, gid, grp);
		}
		add_child(grp, leaf(n->name, n->id, n->kind, n->size, c->cls[i]));
	}
	const char *k;
	json_t *v;
	json_object_foreach(groups, k, v)
		add_child(o, json_incref(v));
	json_decref(groups);
	return o;
}

static int cmp_child(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	uint64_t bx = jbytes(x), by = jbytes(y);
	if (bx != by)
		return bx > by ? -1 : 1;
	return strcmp(attr_get_str(x, "name"), attr_get_str(y, "name"));
}

/* Largest children first, at most HTML_TREE_FANOUT, the rest folded. */
static void fold(json_t *o, int depth)
{
	json_t *kids = json_object_get(o, "children");
	size_t n = json_array_size(kids);
	if (!n || depth > 8)
		return;
	json_t **v = xcalloc(n, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(kids, i));
	qsort(v, n, sizeof *v, cmp_child);
	json_t *nk = json_array();
	uint64_t rest = 0;
	for (size_t i = 0; i < n; i++) {
		if (i < HTML_TREE_FANOUT) {
			fold(v[i], depth + 1);
			json_array_append(nk, v[i]);
		} else {
			rest += jbytes(v[i]);
		}
		json_decref(v[i]);
	}
	if (n > HTML_TREE_FANOUT) {
		char name[64];
		snprintf(name, sizeof name, "[%zu smaller]", n - HTML_TREE_FANOUT);
		json_array_append_new(nk, leaf(name, NULL, "folded", rest, NULL));
	}
	json_object_set_new(o, "children", nk);
	free(v);
}

json_t *html_treemap(const struct graph *g)
{
	struct tm_ctx c = {.g = g};
	struct why_bfs w;
	graph_adj_build(g, &c.out, false);
	why_bfs_init(&w, g);
	c.cls = xcalloc(g->nnodes + 1, sizeof *c.cls);
	for (size_t i = 0; i < g->nfindings; i++) {
		struct gnode *n = graph_node(g, g->findings[i].node);
		const char *k = render_finding_class(g->findings[i].kind);
		if (n && k && render_class_wins(k, c.cls[n->idx]))
			c.cls[n->idx] = k;
	}
	bool *placed = xcalloc(g->nnodes + 1, sizeof *placed);
	uint32_t *queue = xcalloc(g->nnodes + 1, sizeof *queue);
	json_t *top = leaf("all", NULL, "root", 0, NULL);
	for (size_t i = 0; i < w.nroots; i++)
		if (!placed[w.roots[i]] && diff_is_file_kind(g->nodes[w.roots[i]]->kind) &&
		    strcmp(g->nodes[w.roots[i]]->kind, NK_MODULE))
			add_child(top, root_item(&c, w.roots[i], placed, queue));
	json_t *py = python_item(&c, placed);
	if (json_object_get(py, "children"))
		add_child(top, py);
	else
		json_decref(py);
	json_t *other = leaf("(not reached from a root)", NULL, "other", 0, NULL);
	for (size_t i = 0; i < g->nnodes; i++)
		if (!placed[i] && diff_is_file_kind(g->nodes[i]->kind) && g->nodes[i]->size)
			add_child(other, file_item(&c, g->nodes[i]));
	if (json_object_get(other, "children"))
		add_child(top, other);
	else
		json_decref(other);
	fold(top, 0);
	free(placed);
	free(queue);
	free(c.cls);
	why_bfs_free(&w);
	graph_adj_free(&c.out);
	return top;
}
