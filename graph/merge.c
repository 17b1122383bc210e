/*
 * merge.c - `slim merge`: one graph from per-artifact slim-report/1
 * reports (issue #14), without double counting.
 *
 * Ids are logical and machine-independent (graph/ids.h), so the same id in
 * two reports is the same thing: libc.so.6 seen from curl's report and from
 * gdb's is one node `lib:libc.so.6`, its bytes counted once.  The join is
 * the one `slim report A B` makes when it analyzes A and B in one run: a
 * node, edge or finding that an analysis of A alone and of B alone both
 * make is made once.  A node is keyed by id, an edge by (from, to, kind)
 * (graph.c's edge_key()), a finding by (kind, node, dependent), an input
 * by (path, sha256).  Two reports that disagree on a node's kind or size
 * did not see the same file under that id (two builds, two sysroots): the
 * merge stops there rather than pick one, naming both reports.  Attrs of
 * one node or edge are joined key by key, the later report's value
 * winning, as the later input's process does in `slim report A B` (an
 * edge between two libraries both processes load carries the bindings
 * of the last one resolved); a finding keeps the first report's, as an
 * analyzer reports a verdict once per graph.
 *
 * Totals: the generic ones (counts, proven_bytes_by_kind, removable_bytes)
 * are never copied; graph_to_json() recomputes them from the joined graph,
 * removable bytes through graph_proven_bytes(), each file once.
 * totals.roots is per root process, so it joins per key.  The other
 * analyzer totals (fatbin, linkmap, python, pydeps, tree, gpu_targets)
 * hold figures over one analysis that cannot be summed key by key without
 * redoing it (shared files, percentages, rankings): kept when one report
 * has them (or all that have them agree), dropped with a warning when two
 * differ.  README "slim merge" says the same.
 */
#include "merge.h"
#include "../common/diag.h"
#include "../common/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* totals graph_to_json() computes itself */
static const char *const generic_totals[] = {
	"nodes", "edges", "findings", "nodes_by_kind", "edges_by_kind",
	"findings_by_kind", "proven_bytes_by_kind", "removable_bytes", NULL,
};

void graph_merge_init(struct graph_merger *m, struct graph *g)
{
	memset(m, 0, sizeof *m);
	m->g = g;
	m->totals_from = json_object();
}

void graph_merge_done(struct graph_merger *m)
{
	free(m->origin);
	json_decref(m->totals_from);
	memset(m, 0, sizeof *m);
}

static bool is_generic(const char *key)
{
	for (size_t i = 0; generic_totals[i]; i++)
		if (!strcmp(key, generic_totals[i]))
			return true;
	return false;
}

/* one node of src: new, or the same as the one there */
static int merge_node(struct graph_merger *m, const struct gnode *s,
		      const char *path, struct diag *d)
{
	struct gnode *n = graph_node(m->g, s->id);
	if (n) {
		const char *first = m->origin[n->idx];
		if (strcmp(n->kind, s->kind))
			return diag_err(d, path, "node '%s' is kind '%s' here but '%s' in %s",
					s->id, s->kind, n->kind, first);
		if (n->has_size && s->has_size && n->size != s->size)
			return diag_err(d, path, "node '%s' is %llu bytes here but %llu in %s",
					s->id, (unsigned long long)s->size,
					(unsigned long long)n->size, first);
	} else {
		n = graph_add_node(m->g, s->kind, s->id, s->name);
		m->origin = xreallocarray(m->origin, m->g->nnodes, sizeof *m->origin);
		m->origin[n->idx] = path;
	}
	if (!n->has_size && s->has_size)
		graph_node_set_size(n, s->size);
	if (s->attrs && json_object_size(s->attrs))
		json_object_update(graph_node_attrs(n), s->attrs);
	return 0;
}

static void merge_edges(struct graph *g, const struct graph *src)
{
	for (size_t i = 0; i < src->nedges; i++) {
		const struct gedge *e = &src->edges[i];
		const char *from = src->nodes[e->from]->id, *to = src->nodes[e->to]->id;
		struct gedge *ne = graph_edge(g, from, to, e->kind);
		if (!ne)
			ne = graph_add_edge(g, from, to, e->kind);
		if (e->attrs && json_object_size(e->attrs))
			json_object_update(graph_edge_attrs(ne), e->attrs);
	}
}

static void merge_findings(struct graph *g, const struct graph *src)
{
	for (size_t i = 0; i < src->nfindings; i++) {
		const struct gfinding *f = &src->findings[i];
		if (graph_finding(g, f->kind, f->node, f->dependent))
			continue;
		struct gfinding *nf = graph_add_finding(g, f->kind, f->node, f->dependent,
							f->bytes, f->confidence,
							f->reason, f->fix);
		if (f->attrs)
			nf->attrs = json_deep_copy(f->attrs);
	}
}

static void merge_inputs(struct graph *g, const struct graph *src)
{
	for (size_t i = 0; i < src->ninputs; i++) {
		const struct ginput *in = &src->inputs[i];
		bool seen = false;
		for (size_t j = 0; j < g->ninputs && !seen; j++)
			seen = !strcmp(g->inputs[j].path, in->path) &&
			       !strcmp(g->inputs[j].sha256, in->sha256);
		if (seen)
			continue;
		struct ginput *ni = graph_add_input(g, in->path, in->kind, in->node);
		memcpy(ni->sha256, in->sha256, sizeof ni->sha256);
	}
}

/* a warning about the report at path, without a line or offset */
static void __attribute__((format(printf, 3, 4)))
warn(struct diag_list *w, const char *path, const char *fmt, ...)
{
	struct diag d = {0};
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	diag_err(&d, path, "%s", msg);
	diag_warn(w, &d);
}

/* totals.roots: one entry per root process; a root two reports give
 * differently keeps the first report's figures, with a warning */
static void merge_roots(struct graph_merger *m, json_t *dst, json_t *src,
			const char *path, struct diag_list *w)
{
	const char *root;
	json_t *v;
	json_object_foreach(src, root, v) {
		json_t *have = json_object_get(dst, root);
		if (!have)
			json_object_set_new(dst, root, json_deep_copy(v));
		else if (!json_equal(have, v))
			warn(w, path, "totals.roots of '%s' differ from %s's: the first kept",
			     root, json_string_value(json_object_get(m->totals_from, "roots")));
	}
}

static void merge_totals(struct graph_merger *m, const json_t *src,
			 const char *path, struct diag_list *w)
{
	if (!json_is_object(src))
		return;
	if (!m->g->totals)
		m->g->totals = json_object();
	json_t *dst = m->g->totals;
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)src, key, v) {
		json_t *have = json_object_get(dst, key);
		json_t *from = json_object_get(m->totals_from, key);
		if (is_generic(key) || json_is_null(from))
			continue;       /* recomputed, or dropped already */
		if (!from) {
			json_object_set_new(dst, key, json_deep_copy(v));
			json_object_set_new(m->totals_from, key, json_string(path));
		} else if (!strcmp(key, "roots") && json_is_object(have) && json_is_object(v)) {
			merge_roots(m, have, v, path, w);
		} else if (!json_equal(have, v)) {
			warn(w, path, "totals.%s differs from %s's: dropped (slim report "
			     "over all the inputs computes it)", key, json_string_value(from));
			json_object_del(dst, key);
			json_object_set_new(m->totals_from, key, json_null());
		}
	}
}

int graph_merge(struct graph_merger *m, const struct graph *src,
		const char *path, struct diag_list *w, struct diag *d)
{
	for (size_t i = 0; i < src->nnodes; i++)
		if (merge_node(m, src->nodes[i], path, d))
			return -1;
	merge_edges(m->g, src);
	merge_findings(m->g, src);
	merge_inputs(m->g, src);
	merge_totals(m, src->totals, path, w);
	return 0;
}
