/*
 * graph.c - nodes, edges, findings; the invariants listed in graph.h.
 *
 * Nodes are found by id through one hmap keyed by the interned id; edges by
 * a key "from-index/to-index/kind" so that adding the same edge twice (two
 * analyzers seeing one DT_NEEDED) merges instead of duplicating.
 */
#include "graph.h"
#include "../common/diag.h"
#include "../common/util.h"
#include "ids.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void graph_init(struct graph *g)
{
	memset(g, 0, sizeof *g);
	g->strs.arena = &g->arena;
	g->totals = json_object();
}

void graph_free(struct graph *g)
{
	for (size_t i = 0; i < g->nnodes; i++)
		json_decref(g->nodes[i]->attrs);
	for (size_t i = 0; i < g->nedges; i++)
		json_decref(g->edges[i].attrs);
	for (size_t i = 0; i < g->nfindings; i++)
		json_decref(g->findings[i].attrs);
	json_decref(g->totals);
	free(g->nodes);
	free(g->edges);
	free(g->findings);
	free(g->inputs);
	hmap_free(&g->node_by_id);
	hmap_free(&g->edge_by_key);
	hmap_free(&g->finding_by_key);
	strtab_free(&g->strs);
	arena_free(&g->arena);
	memset(g, 0, sizeof *g);
}

/* Kept reachable, so leak checkers see a graph left for the kernel at
 * exit as "still reachable" (git's UNLEAK), as elf_ctx_free_at_exit()
 * keeps ELF contexts. */
struct graph_left *graph_left_at_exit;   /* global: a store the compiler keeps */

void graph_free_at_exit(struct graph *g)
{
	if (SLIM_SANITIZED) {
		graph_free(g);   /* the leak check at exit: freed, and checked */
		return;
	}
	struct graph_left *k = xmalloc(sizeof *k);
	k->g = *g;
	k->next = graph_left_at_exit;
	graph_left_at_exit = k;
	memset(g, 0, sizeof *g);
}

const char *graph_str(struct graph *g, const char *s)
{
	return s ? strtab_ins(&g->strs, s) : NULL;
}

const char *graph_strf(struct graph *g, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return graph_str(g, "");
	if ((size_t)n < sizeof small)
		return strtab_intern(&g->strs, small, (size_t)n);
	char *big = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	const char *r = strtab_intern(&g->strs, big, (size_t)n);
	free(big);
	return r;
}

struct gnode *graph_node(const struct graph *g, const char *id)
{
	return id ? hmap_gets(&g->node_by_id, id) : NULL;
}

void graph_reserve_nodes(struct graph *g, size_t n)
{
	hmap_reserve(&g->node_by_id, n);
	hmap_reserve(&g->strs.map, n);   /* an id each (a name points into it) */
	GROW(g->nodes, g->capnodes, g->nnodes + n);
}

/* the node of iid, an id interned in g->strs: found, or made */
static struct gnode *add_node(struct graph *g, const char *kind, const char *iid,
			      const char *name)
{
	bool created;
	void **slot = hmap_slot(&g->node_by_id, iid, strlen(iid), &created);
	if (!created)
		return *slot;
	struct gnode *n = arena_zalloc(&g->arena, sizeof *n);
	n->id = iid;
	n->kind = graph_str(g, kind);
	/* no name: the id's part after the first ':', which lives as
	 * long as the interned id (140k fewer lookups for a deployable) */
	const char *c = strchr(iid, ':');
	n->name = name ? graph_str(g, name) : c ? c + 1 : iid;
	GROW(g->nodes, g->capnodes, g->nnodes + 1);
	n->idx = (uint32_t)g->nnodes;
	g->nodes[g->nnodes++] = n;
	*slot = n;
	return n;
}

struct gnode *graph_add_node(struct graph *g, const char *kind,
			     const char *id, const char *name)
{
	return add_node(g, kind, graph_str(g, id), name);
}

struct gnode *graph_add_node_interned(struct graph *g, const char *kind, const char *iid)
{
	return add_node(g, kind, iid, NULL);
}

void graph_node_set_size(struct gnode *n, uint64_t size)
{
	n->size = size;
	n->has_size = true;
}

json_t *graph_node_attrs(struct gnode *n)
{
	if (!n->attrs)
		n->attrs = json_object();
	return n->attrs;
}

/* The edge index key "from/to/kind" in buf (cut at 255 bytes); its length. */
static size_t edge_key(char buf[256], uint32_t a, uint32_t b, const char *kind)
{
	int n = snprintf(buf, 256, "%u/%u/%s", a, b, kind);
	return n < 0 || n >= 256 ? 255 : (size_t)n;
}

struct gedge *graph_edge(const struct graph *g, const char *from,
			 const char *to, const char *kind)
{
	struct gnode *a = graph_node(g, from), *b = graph_node(g, to);
	char k[256];
	size_t n = a && b ? edge_key(k, a->idx, b->idx, kind) : 0;
	void *v = n ? hmap_get(&g->edge_by_key, k, n) : NULL;
	return v ? &g->edges[(uintptr_t)v - 1] : NULL;
}

/* One key format, one hash lookup: the slot is filled only when the edge
 * is new, and only then is the key copied into the arena. */
struct gedge *graph_add_edge(struct graph *g, const char *from,
			     const char *to, const char *kind)
{
	struct gnode *a = graph_node(g, from), *b = graph_node(g, to);
	char k[256];
	if (!a || !b)
		return NULL;
	size_t n = edge_key(k, a->idx, b->idx, kind);
	void *v = hmap_get(&g->edge_by_key, k, n);
	if (v)
		return &g->edges[(uintptr_t)v - 1];
	GROW(g->edges, g->capedges, g->nedges + 1);
	struct gedge *e = &g->edges[g->nedges++];
	e->from = a->idx;
	e->to = b->idx;
	e->kind = graph_str(g, kind);
	e->attrs = NULL;
	hmap_put(&g->edge_by_key, arena_strndup(&g->arena, k, n), n,
		 (void *)(uintptr_t)g->nedges);
	return e;
}

json_t *graph_edge_attrs(struct gedge *e)
{
	if (!e->attrs)
		e->attrs = json_object();
	return e->attrs;
}

struct gfinding *graph_add_finding(struct graph *g, const char *kind,
				   const char *node, const char *dependent,
				   uint64_t bytes, const char *confidence,
				   const char *reason, const char *fix)
{
	GROW(g->findings, g->capfindings, g->nfindings + 1);
	struct gfinding *f = &g->findings[g->nfindings++];
	f->kind = graph_str(g, kind);
	f->node = graph_str(g, node);
	f->dependent = graph_str(g, dependent);
	f->bytes = bytes;
	f->confidence = graph_str(g, confidence ? confidence : "unknown");
	f->reason = graph_str(g, reason ? reason : "");
	f->fix = graph_str(g, fix ? fix : "");
	f->attrs = NULL;
	const char *key = arena_printf(&g->arena, "%s|%s|%s", kind, node,
				       dependent ? dependent : "");
	bool created;
	void **slot = hmap_slot(&g->finding_by_key, key, strlen(key), &created);
	if (created)
		*slot = (void *)(uintptr_t)g->nfindings;
	return f;
}

struct gfinding *graph_finding(const struct graph *g, const char *kind,
			       const char *node, const char *dependent)
{
	char small[1024];
	int n = snprintf(small, sizeof small, "%s|%s|%s", kind, node,
			 dependent ? dependent : "");
	if (n < 0 || (size_t)n >= sizeof small)
		return NULL;
	void *v = hmap_get(&g->finding_by_key, small, (size_t)n);
	return v ? &g->findings[(uintptr_t)v - 1] : NULL;
}

json_t *graph_finding_attrs(struct gfinding *f)
{
	if (!f->attrs)
		f->attrs = json_object();
	return f->attrs;
}

struct ginput *graph_add_input(struct graph *g, const char *path,
			       const char *kind, const char *node)
{
	GROW(g->inputs, g->capinputs, g->ninputs + 1);
	struct ginput *in = &g->inputs[g->ninputs++];
	memset(in, 0, sizeof *in);
	in->path = graph_str(g, path);
	in->kind = graph_str(g, kind);
	in->node = graph_str(g, node);
	return in;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0: overlong forms,
 * surrogates and code points past U+10FFFF are invalid, as jansson
 * judges them. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned c = p[0];
	size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 :
		   (c & 0xf8) == 0xf0 ? 4 : 0;
	if (n <= 1)
		return n;
	unsigned v = c & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
	if (v < min[n] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	return n;
}

void attr_str(json_t *o, const char *key, const char *val)
{
	json_t *v = val ? json_string(val) : json_null();
	if (!v) {
		/* not UTF-8 (a name from a corrupt or foreign input): each bad
		 * byte becomes '?', so the value is never silently dropped */
		size_t n = strlen(val), k = 0;
		char *c = xmalloc(n + 1);
		for (size_t i = 0; i < n;) {
			size_t l = utf8_len((const unsigned char *)val + i);
			if (!l) {
				c[k++] = '?';
				i++;
				continue;
			}
			memcpy(c + k, val + i, l);
			k += l;
			i += l;
		}
		c[k] = 0;
		v = json_string(c);
		free(c);
	}
	json_object_set_new(o, key, v);
}

void attr_int(json_t *o, const char *key, long long val)
{
	json_object_set_new(o, key, json_integer(val));
}

void attr_bool(json_t *o, const char *key, bool val)
{
	json_object_set_new(o, key, json_boolean(val));
}

const char *attr_get_str(const json_t *o, const char *key)
{
	json_t *v = o ? json_object_get(o, key) : NULL;
	return json_is_string(v) ? json_string_value(v) : NULL;
}

long long attr_get_int(const json_t *o, const char *key, long long dflt)
{
	json_t *v = o ? json_object_get(o, key) : NULL;
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

struct sort_keys {
	const char *bytes, *name;
};

static const char *sort_name(const json_t *v, const char *key)
{
	const char *s = json_string_value(key ? json_object_get(v, key) : v);
	return s ? s : "";
}

static int by_keys(const void *a, const void *b, void *arg)
{
	const struct sort_keys *k = arg;
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	if (k->bytes) {
		json_int_t bx = json_integer_value(json_object_get(x, k->bytes));
		json_int_t by = json_integer_value(json_object_get(y, k->bytes));
		if (bx != by)
			return bx > by ? -1 : 1;
	}
	return strcmp(sort_name(x, k->name), sort_name(y, k->name));
}

json_t *attrs_sorted(json_t *arr, const char *bytes_key, const char *name_key)
{
	struct sort_keys k = {bytes_key, name_key};
	size_t n = json_array_size(arr);
	json_t **v = xcalloc(n + 1, sizeof *v), *out = json_array();
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(arr, i));
	qsort_r(v, n, sizeof *v, by_keys, &k);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(out, v[i]);
	free(v);
	json_decref(arr);
	return out;
}

void graph_debug_check(const struct graph *g, const char *file, int line)
{
	struct diag d = {0};
	if (graph_check(g, &d) == 0)
		return;
	fprintf(stderr, "slim: %s:%d: graph invariant broken: %s\n", file, line, d.msg);
	abort();
}

int graph_check(const struct graph *g, struct diag *d)
{
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct gnode *n = g->nodes[i];
		if (!n->id[0] || !strchr(n->id, ':'))
			return diag_err(d, NULL, "graph: node id '%s' has no kind prefix", n->id);
		if (n->idx != i)
			return diag_err(d, NULL, "graph: node '%s' index mismatch", n->id);
		if (n->attrs && !json_is_object(n->attrs))
			return diag_err(d, NULL, "graph: node '%s' attrs not an object", n->id);
	}
	/* ids unique: the index holds one entry per node, each under its
	 * node's own id (its keys are distinct) -- one pass over its slots
	 * instead of a lookup per node */
	if (g->node_by_id.n != g->nnodes)
		return diag_err(d, NULL, "graph: node ids not unique");
	for (size_t i = 0; i < g->node_by_id.cap; i++) {
		const struct hmap_slot *sl = &g->node_by_id.slots[i];
		const struct gnode *n = sl->val;
		if (sl->key && (!n || n->idx >= g->nnodes || g->nodes[n->idx] != n ||
				sl->len != strlen(n->id) || memcmp(sl->key, n->id, sl->len)))
			return diag_err(d, NULL, "graph: node id '%.*s' not unique",
					(int)sl->len, sl->key);
	}
	for (size_t i = 0; i < g->nedges; i++) {
		const struct gedge *e = &g->edges[i];
		if (e->from >= g->nnodes || e->to >= g->nnodes)
			return diag_err(d, NULL, "graph: edge %zu has a dangling endpoint", i);
		if (e->attrs && !json_is_object(e->attrs))
			return diag_err(d, NULL, "graph: edge %zu attrs not an object", i);
	}
	if (g->edge_by_key.n != g->nedges)
		return diag_err(d, NULL, "graph: duplicate edges");
	for (size_t i = 0; i < g->nfindings; i++) {
		const struct gfinding *f = &g->findings[i];
		if (!graph_node(g, f->node))
			return diag_err(d, NULL, "graph: finding on missing node '%s'", f->node);
		if (f->dependent && !graph_node(g, f->dependent))
			return diag_err(d, NULL, "graph: finding names missing dependent '%s'", f->dependent);
		if (strcmp(f->confidence, "proven") && strcmp(f->confidence, "likely") &&
		    strcmp(f->confidence, "unknown"))
			return diag_err(d, NULL, "graph: finding confidence '%s'", f->confidence);
	}
	return 0;
}

void graph_adj_build(const struct graph *g, struct gadj *a, bool reverse)
{
	a->off = xcalloc(g->nnodes + 1, sizeof *a->off);
	a->edge = xcalloc(g->nedges ? g->nedges : 1, sizeof *a->edge);
	for (size_t i = 0; i < g->nedges; i++)
		a->off[(reverse ? g->edges[i].to : g->edges[i].from) + 1]++;
	for (size_t i = 0; i < g->nnodes; i++)
		a->off[i + 1] += a->off[i];
	uint32_t *fill = xcalloc(g->nnodes + 1, sizeof *fill);
	for (size_t i = 0; i < g->nedges; i++) {
		uint32_t s = reverse ? g->edges[i].to : g->edges[i].from;
		a->edge[a->off[s] + fill[s]++] = (uint32_t)i;
	}
	free(fill);
}

void graph_adj_free(struct gadj *a)
{
	free(a->off);
	free(a->edge);
	a->off = a->edge = NULL;
}

/* Sections --gc-sections already discarded are not in the output: their
 * bytes are what the build compiled for nothing, not bytes to remove. */
static bool already_removed(const char *kind)
{
	return !strcmp(kind, "discarded-section");
}

bool graph_finding_removable(const struct gfinding *f)
{
	return !strcmp(f->confidence, "proven") && !already_removed(f->kind);
}

void graph_removable_counts(const struct graph *g, unsigned char *counts)
{
	/* files a counted finding removes whole (its bytes are the file's) */
	bool *gone = xcalloc(g->nnodes + 1, 1), *inside = xcalloc(g->nnodes + 1, 1);
	for (size_t i = 0; i < g->nfindings; i++) {
		const struct gnode *n = graph_node(g, g->findings[i].node);
		if (n && g->findings[i].bytes && graph_finding_removable(&g->findings[i]))
			gone[n->idx] = true;
	}
	for (size_t i = 0; i < g->nedges; i++)
		if (gone[g->edges[i].from] && !strcmp(g->edges[i].kind, EK_CONTAINS))
			inside[g->edges[i].to] = true;
	/* a file's bytes once, however many findings name it (two inputs
	 * that both list the same unused library): again[] marks the nodes
	 * already counted */
	bool *again = xcalloc(g->nnodes + 1, 1);
	for (size_t i = 0; i < g->nfindings; i++) {
		const struct gnode *n = graph_node(g, g->findings[i].node);
		if (!graph_finding_removable(&g->findings[i]))
			counts[i] = GRC_NO;
		else if (n && inside[n->idx])
			counts[i] = GRC_INSIDE;
		else if (n && again[n->idx] && g->findings[i].bytes)
			counts[i] = GRC_AGAIN;
		else
			counts[i] = GRC_YES;
		if (counts[i] == GRC_YES && n && g->findings[i].bytes)
			again[n->idx] = true;
	}
	free(again);
	free(gone);
	free(inside);
}

uint64_t graph_proven_bytes(const struct graph *g, const char *kind)
{
	uint64_t t = 0;
	if (!kind) {
		unsigned char *counts = xcalloc(g->nfindings + 1, 1);
		graph_removable_counts(g, counts);
		for (size_t i = 0; i < g->nfindings; i++)
			t += counts[i] == GRC_YES ? g->findings[i].bytes : 0;
		free(counts);
		return t;
	}
	for (size_t i = 0; i < g->nfindings; i++)
		if (!strcmp(g->findings[i].confidence, "proven") && !strcmp(g->findings[i].kind, kind))
			t += g->findings[i].bytes;
	return t;
}
