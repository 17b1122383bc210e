/*
 * why.c - every shortest path from the roots to a node, with the evidence of
 * each edge (`slim why`, gate violations).
 *
 * Algorithm: one multi-source breadth-first search from the roots over the
 * out-edges (CSR from graph_adj_build) gives each node its distance and the
 * number of shortest paths reaching it (the classic BFS path count, as in
 * Brandes' betweenness algorithm: npaths[v] = sum of npaths[u] over distinct
 * predecessors u with dist[u] + 1 == dist[v]; saturating so a dense graph
 * cannot overflow).  Paths to one target are then enumerated backward over
 * the predecessor DAG with an explicit stack (no recursion on input depth),
 * predecessors in id order so the output is deterministic, stopping after
 * `max` paths; the rest are counted, not listed.
 *
 * Parallel edges between the same two nodes (a `needs` and a `binds`, say)
 * are one step of a path; the step shows the evidence of each.
 */
#include "why.h"
#include "../common/diag.h"
#include "../common/util.h"
#include "ids.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int cmp_id(const void *a, const void *b, void *g)
{
	const struct graph *gr = g;
	return strcmp(gr->nodes[*(const uint32_t *)a]->id,
		      gr->nodes[*(const uint32_t *)b]->id);
}

static void find_roots(struct why_bfs *w)
{
	const struct graph *g = w->g;
	w->roots = xcalloc(g->nnodes + 1, sizeof *w->roots);
	for (size_t i = 0; i < g->ninputs; i++) {
		struct gnode *n = g->inputs[i].node ? graph_node(g, g->inputs[i].node) : NULL;
		if (n)
			w->roots[w->nroots++] = n->idx;
	}
	/* a deployable (one input, the tree): the roots its report names */
	if (!w->nroots) {
		json_t *tr = json_object_get(json_object_get(g->totals, "tree"), "roots");
		size_t k;
		json_t *id;
		json_array_foreach(tr, k, id) {
			struct gnode *n = graph_node(g, json_string_value(id));
			if (n && w->nroots < g->nnodes)
				w->roots[w->nroots++] = n->idx;
		}
	}
	/* else the nodes nothing leads to; a `binds` edge into a program (a
	 * library's reference to the program's copy of stdout, a copy
	 * relocation) does not make the program loaded by the library */
	if (!w->nroots)
		for (size_t i = 0; i < g->nnodes; i++) {
			bool led = false;
			for (uint32_t k = w->rev.off[i]; k < w->rev.off[i + 1] && !led; k++)
				led = strcmp(g->edges[w->rev.edge[k]].kind, EK_BINDS) != 0;
			if (!led)
				w->roots[w->nroots++] = (uint32_t)i;
		}
	qsort_r(w->roots, w->nroots, sizeof *w->roots, cmp_id, (void *)g);
	/* the same node named by two inputs is one root */
	size_t k = 0;
	for (size_t i = 0; i < w->nroots; i++)
		if (!k || w->roots[k - 1] != w->roots[i])
			w->roots[k++] = w->roots[i];
	w->nroots = k;
}

/*
 * Secondary edges say why a node is used or where it sits, not why it is
 * there: a symbol binding (`binds`), and the link's `includes` of an archive
 * member (the member is there because some object's reference `pulls` it;
 * the chain of pulls is the answer).  Paths take secondary edges only to
 * reach nodes nothing else reaches (phase 1 of the search).
 */
static bool secondary(const struct gedge *e)
{
	if (!strcmp(e->kind, EK_BINDS))
		return true;
	json_t *fa = e->attrs ? json_object_get(e->attrs, "from_archive") : NULL;
	return !strcmp(e->kind, EK_INCLUDES) && json_is_true(fa);
}

static bool step_ok(const struct why_bfs *w, const struct gedge *e, uint32_t v)
{
	return w->phase[v] || !secondary(e);
}

/* One BFS step from u; `phase` says which nodes and edges it may use. */
static void relax(struct why_bfs *w, const struct gadj *out, uint32_t u,
		  uint8_t phase, uint32_t *seen_from, uint32_t *q, size_t *tail)
{
	const struct graph *g = w->g;
	for (uint32_t k = out->off[u]; k < out->off[u + 1]; k++) {
		const struct gedge *e = &g->edges[out->edge[k]];
		uint32_t v = e->to;
		if (!phase && secondary(e))
			continue;
		if (seen_from[v] == u)
			continue;   /* parallel edge: one step */
		seen_from[v] = u;
		if (w->dist[v] == UINT32_MAX) {
			w->dist[v] = w->dist[u] + 1;
			w->phase[v] = phase;
			q[(*tail)++] = v;
		}
		if (w->phase[v] == phase && w->dist[v] == w->dist[u] + 1) {
			uint64_t s = w->npaths[v] + w->npaths[u];
			w->npaths[v] = s < w->npaths[v] ? UINT64_MAX : s;
		}
	}
}

void why_bfs_init(struct why_bfs *w, const struct graph *g)
{
	memset(w, 0, sizeof *w);
	w->g = g;
	graph_adj_build(g, &w->rev, true);
	find_roots(w);
	size_t n = g->nnodes;
	w->dist = xmalloc((n + 1) * sizeof *w->dist);
	w->npaths = xcalloc(n + 1, sizeof *w->npaths);
	w->phase = xcalloc(n + 1, sizeof *w->phase);
	memset(w->dist, 0xff, (n + 1) * sizeof *w->dist);
	struct gadj out;
	graph_adj_build(g, &out, false);
	uint32_t *q1 = xmalloc((n + 1) * sizeof *q1), *q2 = xmalloc((n + 1) * sizeof *q2);
	uint32_t *seen_from = xmalloc((n + 1) * sizeof *seen_from);
	memset(seen_from, 0xff, (n + 1) * sizeof *seen_from);
	size_t h1 = 0, t1 = 0, h2 = 0, t2 = 0;
	for (size_t i = 0; i < w->nroots; i++) {
		w->dist[w->roots[i]] = 0;
		w->npaths[w->roots[i]] = 1;
		q1[t1++] = w->roots[i];
	}
	while (h1 < t1)
		relax(w, &out, q1[h1++], 0, seen_from, q1, &t1);
	/* phase 1: every edge, from the nodes phase 0 reached (in distance
	 * order: q1 is sorted by dist, q2 grows in dist order, merge them) */
	memset(seen_from, 0xff, (n + 1) * sizeof *seen_from);
	h1 = 0;
	while (h1 < t1 || h2 < t2) {
		uint32_t u;
		if (h2 == t2 || (h1 < t1 && w->dist[q1[h1]] <= w->dist[q2[h2]]))
			u = q1[h1++];
		else
			u = q2[h2++];
		relax(w, &out, u, 1, seen_from, q2, &t2);
	}
	free(q1);
	free(q2);
	free(seen_from);
	graph_adj_free(&out);
}

void why_bfs_free(struct why_bfs *w)
{
	graph_adj_free(&w->rev);
	free(w->phase);
	free(w->dist);
	free(w->npaths);
	free(w->roots);
	memset(w, 0, sizeof *w);
}

/* Distinct predecessors of v on shortest paths, sorted by id. */
static uint32_t *preds_of(const struct why_bfs *w, uint32_t v, size_t *np)
{
	const struct graph *g = w->g;
	size_t n = 0, cap = w->rev.off[v + 1] - w->rev.off[v];
	uint32_t *p = xcalloc(cap + 1, sizeof *p);
	for (uint32_t k = w->rev.off[v]; k < w->rev.off[v + 1]; k++) {
		const struct gedge *e = &g->edges[w->rev.edge[k]];
		uint32_t u = e->from;
		if (w->dist[u] != UINT32_MAX && w->dist[u] + 1 == w->dist[v] &&
		    step_ok(w, e, v))
			p[n++] = u;
	}
	qsort_r(p, n, sizeof *p, cmp_id, (void *)g);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (!k || p[k - 1] != p[i])
			p[k++] = p[i];
	*np = k;
	return p;
}

struct frame {
	uint32_t node;
	uint32_t *preds;
	size_t npreds, next;
};

size_t why_paths(const struct why_bfs *w, uint32_t target, size_t max,
		 struct why_path **out, uint64_t *total)
{
	*out = NULL;
	*total = 0;
	if (target >= w->g->nnodes || w->dist[target] == UINT32_MAX)
		return 0;
	*total = w->npaths[target];
	size_t depth = (size_t)w->dist[target] + 1, sp = 0, nout = 0;
	struct frame *st = xcalloc(depth, sizeof *st);
	struct why_path *res = xcalloc(max + 1, sizeof *res);
	st[0].node = target;
	st[0].preds = preds_of(w, target, &st[0].npreds);
	sp = 1;
	while (sp && nout < max) {
		struct frame *f = &st[sp - 1];
		if (w->dist[f->node] == 0) {
			/* reached a root: the stack, reversed, is a path */
			struct why_path *p = &res[nout++];
			p->len = sp;
			p->nodes = xmalloc(sp * sizeof *p->nodes);
			for (size_t i = 0; i < sp; i++)
				p->nodes[i] = st[sp - 1 - i].node;
		}
		if (w->dist[f->node] == 0 || f->next == f->npreds) {
			free(f->preds);
			sp--;
			continue;
		}
		uint32_t u = f->preds[f->next++];
		st[sp].node = u;
		st[sp].next = 0;
		st[sp].preds = preds_of(w, u, &st[sp].npreds);
		sp++;
	}
	while (sp)
		free(st[--sp].preds);
	free(st);
	*out = res;
	return nout;
}

void why_paths_free(struct why_path *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(p[i].nodes);
	free(p);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Up to 4 strings of an array attr: "a, b, c, d, ..." */
static void sample(struct buf *b, const json_t *arr)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (i == 4) {
			buf_puts(b, ", ...");
			break;
		}
		if (json_is_string(v))
			buf_printf(b, "%s%s", i ? ", " : "", json_string_value(v));
	}
}

/* The evidence the ELF, linker-map and Python analyzers record, in words. */
static bool known_evidence(const struct gedge *e, struct buf *b)
{
	const char *name = attr_get_str(e->attrs, "name");
	if (!strcmp(e->kind, EK_NEEDS) && name) {
		const char *via = attr_get_str(e->attrs, "via");
		const char *dir = attr_get_str(e->attrs, "dir");
		buf_printf(b, ": DT_NEEDED %s", name);
		if (via)
			buf_printf(b, " via %s", via);
		if (dir)
			buf_printf(b, " in %s", dir);
		return true;
	}
	long long count = attr_get_int(e->attrs, "count", -1);
	if (!strcmp(e->kind, EK_BINDS) && count >= 0) {
		json_t *smp = json_object_get(e->attrs, "sample");
		buf_printf(b, ": %lld symbol%s", count, count == 1 ? "" : "s");
		if (json_array_size(smp)) {
			buf_puts(b, " (");
			sample(b, smp);
			buf_puts(b, ")");
		}
		return true;
	}
	const char *sym = attr_get_str(e->attrs, "symbol");
	if (!strcmp(e->kind, EK_PULLS) && sym) {
		buf_printf(b, ": member needed for symbol %s", sym);
		return true;
	}
	const char *by = attr_get_str(e->attrs, "by");
	if (!strcmp(e->kind, EK_INCLUDES) && sym && by) {
		buf_printf(b, ": archive member pulled in by %s for symbol %s", by, sym);
		return true;
	}
	long long line = attr_get_int(e->attrs, "line", -1);
	if (!strcmp(e->kind, EK_IMPORTS) && line >= 0) {
		const char *tag = attr_get_str(e->attrs, "tag");
		buf_printf(b, ": import at line %lld%s%s", line, tag ? ", " : "", tag ? tag : "");
		return true;
	}
	const char *trace = attr_get_str(e->attrs, "trace");
	if (!strcmp(e->kind, EK_LOADS) && trace && line >= 0) {
		buf_printf(b, ": imported at run time (%s, line %lld)", trace, line);
		return true;
	}
	return false;
}

void why_edge_evidence(const struct graph *g, const struct gedge *e,
		       struct buf *b)
{
	(void)g;
	buf_puts(b, e->kind);
	const char *why = attr_get_str(e->attrs, "why");
	if (why) {
		buf_printf(b, ": %s", why);
		return;
	}
	if (!e->attrs || !json_object_size(e->attrs) || known_evidence(e, b))
		return;
	/* otherwise every attr but "analyzer", keys sorted */
	size_t n = json_object_size(e->attrs), k = 0;
	const char **keys = xcalloc(n, sizeof *keys);
	const char *key;
	json_t *v;
	json_object_foreach(e->attrs, key, v)
		keys[k++] = key;
	qsort(keys, k, sizeof *keys, cmp_str);
	const char *sep = ": ";
	for (size_t i = 0; i < k; i++) {
		v = json_object_get(e->attrs, keys[i]);
		if (!strcmp(keys[i], "analyzer"))
			continue;
		buf_printf(b, "%s%s=", sep, keys[i]);
		if (json_is_string(v))
			buf_puts(b, json_string_value(v));
		else if (json_is_integer(v))
			buf_printf(b, "%lld", (long long)json_integer_value(v));
		else if (json_is_boolean(v))
			buf_puts(b, json_is_true(v) ? "true" : "false");
		else if (json_is_array(v)) {
			buf_putc(b, '[');
			sample(b, v);
			buf_putc(b, ']');
		} else
			buf_puts(b, "{...}");
		sep = ", ";
	}
	free(keys);
}

/* The edge that says why a node is there (needs) before the one that says
 * what it is used for (binds); otherwise by name. */
static int kind_order(const char *a, const char *b)
{
	int ra = !strcmp(a, "binds"), rb = !strcmp(b, "binds");
	return ra != rb ? ra - rb : strcmp(a, b);
}

/* Every edge a -> b (any kind), in kind order. */
static void step_edges(const struct graph *g, uint32_t a, uint32_t b,
		       const struct gadj *rev, const struct gedge **v, size_t *n,
		       size_t cap)
{
	*n = 0;
	for (uint32_t k = rev->off[b]; k < rev->off[b + 1] && *n < cap; k++) {
		const struct gedge *e = &g->edges[rev->edge[k]];
		if (e->from == a)
			v[(*n)++] = e;
	}
	for (size_t i = 1; i < *n; i++)
		for (size_t j = i; j > 0 && kind_order(v[j - 1]->kind, v[j]->kind) > 0; j--) {
			const struct gedge *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void path_format(const struct graph *g, const struct gadj *rev,
			const struct why_path *p, const char *indent,
			int markdown, struct buf *b)
{
	const char *q = markdown ? "`" : "";
	buf_printf(b, "%s%s%s%s\n", indent, q, g->nodes[p->nodes[0]]->id, q);
	for (size_t i = 1; i < p->len; i++) {
		const struct gedge *es[16];
		size_t ne;
		step_edges(g, p->nodes[i - 1], p->nodes[i], rev, es, &ne, 16);
		buf_printf(b, "%s  -> %s%s%s", indent, q, g->nodes[p->nodes[i]]->id, q);
		for (size_t k = 0; k < ne; k++) {
			buf_puts(b, k ? "; " : "  [");
			why_edge_evidence(g, es[k], b);
		}
		buf_puts(b, ne ? "]\n" : "\n");
	}
}

void why_path_format(const struct why_bfs *w, const struct why_path *p,
		     const char *indent, int markdown, struct buf *b)
{
	path_format(w->g, &w->rev, p, indent, markdown, b);
}

void why_report_text(const struct why_bfs *w, uint32_t target, size_t max,
		     struct buf *b)
{
	const struct graph *g = w->g;
	struct why_path *p;
	uint64_t total;
	size_t n = why_paths(w, target, max, &p, &total);
	const char *id = g->nodes[target]->id;
	if (!n) {
		buf_printf(b, "%s: not reachable from any root (", id);
		for (size_t i = 0; i < w->nroots && i < 5; i++)
			buf_printf(b, "%s%s", i ? ", " : "", g->nodes[w->roots[i]]->id);
		buf_printf(b, "%s)\n", w->nroots > 5 ? ", ..." : "");
		return;
	}
	buf_printf(b, "%s: %llu shortest path%s of length %u", id,
		   (unsigned long long)total, total == 1 ? "" : "s",
		   w->dist[target]);
	if (total > n)
		buf_printf(b, " (showing %zu)", n);
	buf_puts(b, "\n");
	for (size_t i = 0; i < n; i++) {
		buf_printf(b, "path %zu:\n", i + 1);
		path_format(g, &w->rev, &p[i], "  ", 0, b);
	}
	if (total > n)
		buf_printf(b, "... and %llu more shortest path%s\n",
			   (unsigned long long)(total - n), total - n == 1 ? "" : "s");
	why_paths_free(p, n);
}

json_t *why_report_json(const struct why_bfs *w, uint32_t target, size_t max)
{
	const struct graph *g = w->g;
	struct why_path *p;
	uint64_t total;
	size_t n = why_paths(w, target, max, &p, &total);
	json_t *doc = json_object(), *paths = json_array();
	attr_str(doc, "node", g->nodes[target]->id);
	attr_bool(doc, "reachable", n > 0);
	attr_int(doc, "total_paths", total > (uint64_t)INT64_MAX ? INT64_MAX : (long long)total);
	attr_int(doc, "shown_paths", (long long)n);
	attr_int(doc, "length", n ? (long long)w->dist[target] : -1);
	for (size_t i = 0; i < n; i++) {
		json_t *steps = json_array();
		for (size_t k = 0; k < p[i].len; k++) {
			json_t *s = json_object(), *ev = json_array();
			attr_str(s, "node", g->nodes[p[i].nodes[k]]->id);
			if (k) {
				const struct gedge *es[16];
				size_t ne;
				step_edges(g, p[i].nodes[k - 1], p[i].nodes[k], &w->rev, es, &ne, 16);
				for (size_t j = 0; j < ne; j++) {
					json_t *e = json_object();
					attr_str(e, "kind", es[j]->kind);
					json_object_set_new(e, "attrs", es[j]->attrs
						? json_deep_copy(es[j]->attrs) : json_object());
					json_array_append_new(ev, e);
				}
				json_object_set_new(s, "edges", ev);
			} else {
				json_decref(ev);
			}
			json_array_append_new(steps, s);
		}
		json_array_append_new(paths, steps);
	}
	json_object_set_new(doc, "paths", paths);
	why_paths_free(p, n);
	return doc;
}

/* --- lookup with suggestions --- */

static const char *after_prefix(const char *id)
{
	const char *c = strchr(id, ':');
	return c ? c + 1 : id;
}

/* Levenshtein distance, two rows, capped at `cap` (returns cap+1 past it). */
static size_t edit_distance(const char *a, const char *b, size_t cap)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 256 || lb > 256 || (la > lb ? la - lb : lb - la) > cap)
		return cap + 1;
	size_t row[2][257];
	for (size_t j = 0; j <= lb; j++)
		row[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t *cur = row[i & 1], *prev = row[(i - 1) & 1], best;
		cur[0] = best = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t c = prev[j - 1] + (tolower((unsigned char)a[i - 1]) !=
						  tolower((unsigned char)b[j - 1]));
			if (prev[j] + 1 < c)
				c = prev[j] + 1;
			if (cur[j - 1] + 1 < c)
				c = cur[j - 1] + 1;
			cur[j] = c;
			if (c < best)
				best = c;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[la & 1][lb];
}

struct cand {
	size_t score;
	const char *id;
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->score != y->score)
		return x->score < y->score ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Up to 5 near matches: substrings first (score 0), then by edit distance. */
static void suggest(const struct graph *g, const char *q, struct buf *b)
{
	size_t cap = strlen(q) / 3 + 2, n = 0;
	struct cand *c = xcalloc(g->nnodes + 1, sizeof *c);
	for (size_t i = 0; i < g->nnodes; i++) {
		const char *id = g->nodes[i]->id;
		size_t s;
		if (strcasestr(id, q))
			s = 0;
		else if ((s = edit_distance(q, after_prefix(id), cap)) > cap &&
			 (s = edit_distance(q, id, cap)) > cap)
			continue;
		c[n].score = s;
		c[n++].id = id;
	}
	qsort(c, n, sizeof *c, cmp_cand);
	for (size_t i = 0; i < n && i < 5; i++)
		buf_printf(b, "%s%s", i ? ", " : "", c[i].id);
	free(c);
}

struct gnode *why_lookup(const struct graph *g, const char *q,
			 const char *file, struct diag *d)
{
	struct gnode *n = graph_node(g, q), *hit = NULL;
	if (n)
		return n;
	size_t nhits = 0;
	struct buf amb = BUF_INIT;
	for (size_t i = 0; i < g->nnodes; i++) {
		struct gnode *m = g->nodes[i];
		if (strcmp(after_prefix(m->id), q) && strcmp(m->name, q))
			continue;
		if (nhits++ < 5)
			buf_printf(&amb, "%s%s", nhits > 1 ? ", " : "", m->id);
		if (!hit || strcmp(m->id, hit->id) < 0)
			hit = m;
	}
	if (nhits == 1) {
		buf_free(&amb);
		return hit;
	}
	if (nhits > 1) {
		diag_err(d, file, "node '%s' is ambiguous: %s%s", q, buf_cstr(&amb),
			 nhits > 5 ? ", ..." : "");
		buf_free(&amb);
		return NULL;
	}
	buf_free(&amb);
	struct buf s = BUF_INIT;
	suggest(g, q, &s);
	if (s.len)
		diag_err(d, file, "no node '%s' (did you mean: %s?)", q, buf_cstr(&s));
	else
		diag_err(d, file, "no node '%s'", q);
	buf_free(&s);
	return NULL;
}
