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
 *
 * Deployables: a deployable's ids are paths inside it (ids.h rule 2), so
 * usr/bin/python3 of two images would be one node.  A plan made before
 * the join (graph_merge_plan(), every report read once first) finds the
 * distinct deployable analyses (root and totals.tree); when there are two
 * or more, or one beside other reports, each one's ids, display names and
 * relative paths go under its name, KIND:NAME/REST: the join is then the
 * report of one tree whose top-level directories are the deployables, and
 * its totals.tree is theirs summed (merge-tree.c), since they share no
 * file.  Liveness is per deployable: a finding stays the verdict of the
 * analysis that made it, never widened to the others.
 */
#include "merge.h"
#include "../common/diag.h"
#include "../common/util.h"

#include <stdarg.h>
#include <stdint.h>
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
	for (size_t i = 0; i < m->ndep; i++)
		json_decref(m->dep[i].tree);
	free(m->dep);
	free(m->slot);
	hmap_free(&m->dep_by_root);
	hmap_free(&m->dep_by_name);
	memset(m, 0, sizeof *m);
}

static bool is_generic(const char *key)
{
	for (size_t i = 0; generic_totals[i]; i++)
		if (!strcmp(key, generic_totals[i]))
			return true;
	return false;
}

/* the dep of (root, tree), or -1 (a hash by root: a merge of thousands
 * of deployables compares each with those of its root only) */
static long find_dep(const struct graph_merger *m, const char *root, const json_t *tree)
{
	for (size_t i = (size_t)(uintptr_t)hmap_gets(&m->dep_by_root, root); i;
	     i = m->dep[i - 1].same_root)
		if (json_equal(m->dep[i - 1].tree, tree))
			return (long)i - 1;
	return -1;
}

static long find_name(const struct graph_merger *m, const char *name)
{
	return (long)(uintptr_t)hmap_gets(&m->dep_by_name, name) - 1;
}

static void set_name(struct graph_merger *m, struct merge_dep *dp, const char *name)
{
	dp->name = graph_str(m->g, name);
	hmap_put(&m->dep_by_name, dp->name, strlen(dp->name),
		 (void *)(uintptr_t)(dp - m->dep + 1));
}

/* one deployable analysis (root, tree), named already (an entry of a
 * merged report) or not: its dep, or -1 with d set */
static long add_dep(struct graph_merger *m, const char *name, const char *root,
		    json_t *tree, const char *path, struct diag *d)
{
	long i = find_dep(m, root, tree);
	if (name) {
		long j = find_name(m, name);
		if (j >= 0 && j != i)
			return diag_err(d, path, "deployable '%s' is another analysis here than in "
					"an earlier report: merge the per-deployable reports instead", name), -1;
		if (i >= 0 && m->dep[i].name && strcmp(m->dep[i].name, name))
			return diag_err(d, path, "deployable %s is named '%s' here but '%s' in an "
					"earlier report", root, name, m->dep[i].name), -1;
	}
	if (i < 0) {
		m->dep = xreallocarray(m->dep, m->ndep + 1, sizeof *m->dep);
		i = (long)m->ndep++;
		const char *r = graph_str(m->g, root);
		void **first = hmap_slot(&m->dep_by_root, r, strlen(r), NULL);
		m->dep[i] = (struct merge_dep){NULL, r, json_deep_copy(tree),
					       (size_t)(uintptr_t)*first};
		*first = (void *)(uintptr_t)(i + 1);
	}
	if (name && !m->dep[i].name)
		set_name(m, &m->dep[i], name);
	return i;
}

int graph_merge_plan(struct graph_merger *m, const struct graph *src,
		     const char *path, struct diag *d)
{
	json_t *tree = json_object_get(src->totals, "tree");
	json_t *deps = json_object_get(tree, "deployables");
	long slot = -1;
	if (json_is_array(deps)) {
		size_t i;
		json_t *e;
		json_array_foreach(deps, i, e) {
			const char *name = json_string_value(json_object_get(e, "name"));
			const char *root = json_string_value(json_object_get(e, "root"));
			json_t *t = json_object_get(e, "tree");
			if (!name || !root || !json_is_object(t))
				return diag_err(d, path, "totals.tree.deployables[%zu]: no name, root "
						"or tree", i);
			/* a name is one component of the ids it goes into */
			if (!*name || strpbrk(name, "/:"))
				return diag_err(d, path, "totals.tree.deployables[%zu]: '%s' is no "
						"deployable name (empty, or a '/' or ':' in it)", i, name);
			if (add_dep(m, name, root, t, path, d) < 0)
				return -1;
		}
		m->ns = true;   /* its ids are under the names already */
	} else if (json_is_object(tree)) {
		const char *root = json_string_value(json_object_get(tree, "root"));
		if (!root)
			return diag_err(d, path, "totals.tree has no root");
		if ((slot = add_dep(m, NULL, root, tree, path, d)) < 0)
			return -1;
	} else {
		m->nplain++;
	}
	m->slot = xreallocarray(m->slot, m->nslot + 1, sizeof *m->slot);
	m->slot[m->nslot++] = slot;
	return 0;
}

/* NAME: the root's last component (a trailing '/' dropped, ':' -> '_' so
 * the id's kind stays the part before its first colon), "#K" after it
 * from the second deployable of one name */
static void name_dep(struct graph_merger *m, struct merge_dep *dp)
{
	size_t n = strlen(dp->root);
	while (n > 1 && dp->root[n - 1] == '/')
		n--;
	char *base = xstrndup(dp->root, n);
	const char *b = path_base(base);
	if (!*b || !strcmp(b, ".") || !strcmp(b, "/"))
		b = "root";
	char *c = xstrdup(b);
	for (char *p = c; *p; p++)
		if (*p == ':')
			*p = '_';
	const char *name = c;
	for (int k = 2; find_name(m, name) >= 0; k++)
		name = graph_strf(m->g, "%s#%d", c, k);
	set_name(m, dp, name);
	free(c);
	free(base);
}

void graph_merge_plan_done(struct graph_merger *m)
{
	if (m->ndep > 1 || (m->ndep == 1 && m->nplain))
		m->ns = true;
	if (m->ns)
		for (size_t i = 0; i < m->ndep; i++)
			if (!m->dep[i].name)
				name_dep(m, &m->dep[i]);
}

void graph_merge_finish(struct graph_merger *m)
{
	if (!m->ns)
		return;
	if (!m->g->totals)
		m->g->totals = json_object();
	json_object_set_new(m->g->totals, "tree", merge_tree_totals(m->g, m->dep, m->ndep));
}

/* src's attrs into dst's, its relative paths and trace id under ns */
static void join_attrs(struct graph *g, json_t *dst, const json_t *src,
		       const char *ns)
{
	json_object_update(dst, (json_t *)src);
	if (!ns)
		return;
	static const char *const paths[] = {"path", "config", NULL};
	for (size_t i = 0; paths[i]; i++)
		if (json_object_get(src, paths[i]))   /* (dst's own are ns'd already) */
			merge_ns_key(g, dst, paths[i], ns);
	const char *t = json_string_value(json_object_get(src, "trace"));
	if (t)
		json_object_set_new(dst, "trace", json_string(merge_ns_id(g, ns, t)));
}

/* one node of src: new, or the same as the one there */
static int merge_node(struct graph_merger *m, const struct gnode *s,
		      const char *ns, const char *path, struct diag *d)
{
	const char *id = merge_ns_id(m->g, ns, s->id);
	struct gnode *n = graph_node(m->g, id);
	if (n) {
		const char *first = m->origin[n->idx];
		if (strcmp(n->kind, s->kind))
			return diag_err(d, path, "node '%s' is kind '%s' here but '%s' in %s",
					id, s->kind, n->kind, first);
		if (n->has_size && s->has_size && n->size != s->size)
			return diag_err(d, path, "node '%s' is %llu bytes here but %llu in %s",
					id, (unsigned long long)s->size,
					(unsigned long long)n->size, first);
	} else {
		/* shown under its deployable's name too (libc.so.6 missing
		 * from two deployables is two nodes, named apart) */
		n = graph_add_node(m->g, s->kind, id, merge_ns_path(m->g, ns, s->name));
		m->origin = xreallocarray(m->origin, m->g->nnodes, sizeof *m->origin);
		m->origin[n->idx] = path;
	}
	if (!n->has_size && s->has_size)
		graph_node_set_size(n, s->size);
	if (s->attrs && json_object_size(s->attrs))
		join_attrs(m->g, graph_node_attrs(n), s->attrs, ns);
	return 0;
}

static void merge_edges(struct graph *g, const struct graph *src, const char *ns)
{
	for (size_t i = 0; i < src->nedges; i++) {
		const struct gedge *e = &src->edges[i];
		const char *from = merge_ns_id(g, ns, src->nodes[e->from]->id);
		const char *to = merge_ns_id(g, ns, src->nodes[e->to]->id);
		struct gedge *ne = graph_edge(g, from, to, e->kind);
		if (!ne)
			ne = graph_add_edge(g, from, to, e->kind);
		if (e->attrs && json_object_size(e->attrs))
			join_attrs(g, graph_edge_attrs(ne), e->attrs, ns);
	}
}

static void merge_findings(struct graph *g, const struct graph *src, const char *ns)
{
	for (size_t i = 0; i < src->nfindings; i++) {
		const struct gfinding *f = &src->findings[i];
		const char *node = merge_ns_id(g, ns, f->node);
		const char *dep = merge_ns_id(g, ns, f->dependent);
		if (graph_finding(g, f->kind, node, dep))
			continue;
		/* the fix names paths inside its deployable: which one */
		const char *fix = ns && f->fix ? graph_strf(g, "in %s: %s", ns, f->fix) : f->fix;
		struct gfinding *nf = graph_add_finding(g, f->kind, node, dep,
							f->bytes, f->confidence,
							f->reason, fix);
		if (!f->attrs)
			continue;
		nf->attrs = json_deep_copy(f->attrs);
		json_t *ps = json_object_get(nf->attrs, "paths");
		size_t k;
		json_t *p;
		json_array_foreach(ps, k, p)
			if (ns && json_is_string(p))
				json_array_set_new(ps, k, json_string(
					merge_ns_path(g, ns, json_string_value(p))));
	}
}

static void merge_inputs(struct graph *g, const struct graph *src, const char *ns)
{
	for (size_t i = 0; i < src->ninputs; i++) {
		const struct ginput *in = &src->inputs[i];
		bool seen = false;
		for (size_t j = 0; j < g->ninputs && !seen; j++)
			seen = !strcmp(g->inputs[j].path, in->path) &&
			       !strcmp(g->inputs[j].sha256, in->sha256);
		if (seen)
			continue;
		struct ginput *ni = graph_add_input(g, in->path, in->kind,
						    merge_ns_id(g, ns, in->node));
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
		if (is_generic(key) || json_is_null(from) || (m->ns && !strcmp(key, "tree")))
			continue;       /* recomputed, dropped already, or joined at the end */
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
	long slot = m->next < m->nslot ? m->slot[m->next++] : -1;
	const char *ns = m->ns && slot >= 0 ? m->dep[slot].name : NULL;
	for (size_t i = 0; i < src->nnodes; i++)
		if (merge_node(m, src->nodes[i], ns, path, d))
			return -1;
	merge_edges(m->g, src, ns);
	merge_findings(m->g, src, ns);
	merge_inputs(m->g, src, ns);
	merge_totals(m, src->totals, path, w);
	return 0;
}
