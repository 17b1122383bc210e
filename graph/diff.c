/*
 * diff.c - nodes and edges added and removed, bytes grown per node and per
 * kind, findings new and gone, between two slim-report/1 graphs.
 *
 * Near-linear by construction: nodes are looked up in the other graph's id
 * map (graph_node, one hash probe); edges are keyed by three integers
 * (endpoints renumbered into the other graph, a kind id) and findings by a
 * string ("kind\x1fnode\x1fdependent"), each in a hash set built once per
 * side; per-kind tallies live in a hash map too.  The only super-linear
 * step is sorting the (usually short) change lists, which makes the output
 * deterministic.  bench/graph.sh measures 1k, 10k and 100k nodes.
 */
#include "diff.h"
#include "../common/arena.h"
#include "../common/hmap.h"
#include "../common/util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

bool diff_is_file_kind(const char *k)
{
	return !strcmp(k, "exe") || !strcmp(k, "lib") || !strcmp(k, "archive") ||
	       !strcmp(k, "module") || !strcmp(k, "file");
}

uint64_t diff_total_bytes(const struct graph *g)
{
	uint64_t files = 0, all = 0;
	bool any_file = false;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct gnode *n = g->nodes[i];
		all += n->size;
		if (diff_is_file_kind(n->kind)) {
			any_file = true;
			files += n->size;
		}
	}
	return any_file ? files : all;
}

static const char *finding_key(struct arena *a, const struct gfinding *f,
			       size_t *len)
{
	char *k = arena_printf(a, "%s\x1f%s\x1f%s", f->kind, f->node,
			       f->dependent ? f->dependent : "");
	*len = strlen(k);
	return k;
}

static struct diff_kind *kind_of(struct gdiff *d, struct hmap *m,
				 const char *kind)
{
	bool created;
	void **slot = hmap_slot(m, kind, strlen(kind), &created);
	if (created) {
		d->kinds = xreallocarray(d->kinds, d->nkinds + 1, sizeof *d->kinds);
		memset(&d->kinds[d->nkinds], 0, sizeof *d->kinds);
		d->kinds[d->nkinds].kind = kind;
		*slot = (void *)(uintptr_t)++d->nkinds;
	}
	return &d->kinds[(uintptr_t)*slot - 1];
}

/* n2o[i]: index in old of new node i (UINT32_MAX: added); o2n likewise. */
static void diff_nodes(struct gdiff *d, struct hmap *km, uint32_t *n2o,
		       uint32_t *o2n)
{
	const struct graph *o = d->old, *n = d->new;
	d->added = xcalloc(n->nnodes + 1, sizeof *d->added);
	d->removed = xcalloc(o->nnodes + 1, sizeof *d->removed);
	d->grown = xcalloc(n->nnodes + 1, sizeof *d->grown);
	for (size_t i = 0; i < n->nnodes; i++) {
		const struct gnode *nn = n->nodes[i], *on = graph_node(o, nn->id);
		n2o[i] = on ? on->idx : UINT32_MAX;
		if (on)
			o2n[on->idx] = (uint32_t)i;
		struct diff_kind *k = kind_of(d, km, nn->kind);
		k->new_n++;
		k->new_bytes += nn->size;
		if (!on) {
			d->added[d->nadded++] = nn;
			k->added++;
		} else if (on->size != nn->size) {
			struct diff_grow *gr = &d->grown[d->ngrown++];
			gr->old = on;
			gr->new = nn;
			gr->delta = (int64_t)(nn->size - on->size);
		}
	}
	for (size_t i = 0; i < o->nnodes; i++) {
		const struct gnode *on = o->nodes[i];
		struct diff_kind *k = kind_of(d, km, on->kind);
		k->old_n++;
		k->old_bytes += on->size;
		if (o2n[i] == UINT32_MAX) {
			d->removed[d->nremoved++] = on;
			k->removed++;
		}
	}
}

/* An edge as three integers: endpoints in b's node numbering, kind id. */
struct ekey {
	uint32_t from, to, kind;
};

static uint32_t kind_id(struct hmap *kinds, const char *k)
{
	bool created;
	void **slot = hmap_slot(kinds, k, strlen(k), &created);
	if (created)
		*slot = (void *)(uintptr_t)kinds->n;   /* ids from 1 */
	return (uint32_t)(uintptr_t)*slot;
}

/* Edges of `a` not among the edges of `b`: a's endpoints are renumbered
 * into b (one id lookup per node), then each edge is one probe of a hash
 * set of b's edges keyed by 12 bytes; no strings are built. */
static size_t edges_missing(const struct graph *a, const struct graph *b,
			    const uint32_t *map, struct hmap *kinds,
			    const struct gedge ***out)
{
	struct ekey *bk = xcalloc(b->nedges + 1, sizeof *bk);
	struct hmap set = {0};
	for (size_t i = 0; i < b->nedges; i++) {
		bk[i] = (struct ekey){b->edges[i].from, b->edges[i].to,
				      kind_id(kinds, b->edges[i].kind)};
		hmap_put(&set, (const char *)&bk[i], sizeof bk[i], (void *)1);
	}
	size_t n = 0;
	*out = xcalloc(a->nedges + 1, sizeof **out);
	for (size_t i = 0; i < a->nedges; i++) {
		const struct gedge *e = &a->edges[i];
		struct ekey k = {map[e->from], map[e->to], kind_id(kinds, e->kind)};
		if (k.from == UINT32_MAX || k.to == UINT32_MAX ||
		    !hmap_get(&set, (const char *)&k, sizeof k))
			(*out)[n++] = e;
	}
	hmap_free(&set);
	free(bk);
	return n;
}

static size_t findings_missing(const struct graph *a, const struct graph *b,
			       struct arena *ar, const struct gfinding ***out)
{
	struct hmap m = {0};
	size_t len, n = 0;
	for (size_t i = 0; i < b->nfindings; i++) {
		const char *k = finding_key(ar, &b->findings[i], &len);
		hmap_put(&m, k, len, (void *)1);
	}
	*out = xcalloc(a->nfindings + 1, sizeof **out);
	for (size_t i = 0; i < a->nfindings; i++) {
		const char *k = finding_key(ar, &a->findings[i], &len);
		if (!hmap_get(&m, k, len))
			(*out)[n++] = &a->findings[i];
	}
	hmap_free(&m);
	return n;
}

static int cmp_node(const void *a, const void *b)
{
	return strcmp((*(const struct gnode *const *)a)->id,
		      (*(const struct gnode *const *)b)->id);
}

static int cmp_grow(const void *a, const void *b)
{
	return strcmp(((const struct diff_grow *)a)->new->id,
		      ((const struct diff_grow *)b)->new->id);
}

static int cmp_kind(const void *a, const void *b)
{
	return strcmp(((const struct diff_kind *)a)->kind,
		      ((const struct diff_kind *)b)->kind);
}

static int cmp_edge(const void *a, const void *b, void *gp)
{
	const struct graph *g = gp;
	const struct gedge *x = *(const struct gedge *const *)a;
	const struct gedge *y = *(const struct gedge *const *)b;
	int c = strcmp(g->nodes[x->from]->id, g->nodes[y->from]->id);
	if (!c)
		c = strcmp(g->nodes[x->to]->id, g->nodes[y->to]->id);
	return c ? c : strcmp(x->kind, y->kind);
}

static int cmp_finding(const void *a, const void *b)
{
	const struct gfinding *x = *(const struct gfinding *const *)a;
	const struct gfinding *y = *(const struct gfinding *const *)b;
	int c = strcmp(x->kind, y->kind);
	if (!c)
		c = strcmp(x->node, y->node);
	return c ? c : strcmp(x->dependent ? x->dependent : "",
			      y->dependent ? y->dependent : "");
}

void diff_graphs(struct gdiff *d, const struct graph *old,
		 const struct graph *new)
{
	memset(d, 0, sizeof *d);
	d->old = old;
	d->new = new;
	struct hmap km = {0};
	struct arena ar = {0};
	uint32_t *n2o = xmalloc((new->nnodes + 1) * sizeof *n2o);
	uint32_t *o2n = xmalloc((old->nnodes + 1) * sizeof *o2n);
	memset(o2n, 0xff, (old->nnodes + 1) * sizeof *o2n);
	diff_nodes(d, &km, n2o, o2n);
	struct hmap kinds = {0};
	d->neadded = edges_missing(new, old, n2o, &kinds, &d->eadded);
	d->neremoved = edges_missing(old, new, o2n, &kinds, &d->eremoved);
	free(n2o);
	free(o2n);
	hmap_free(&kinds);
	d->nfnew = findings_missing(new, old, &ar, &d->fnew);
	d->nfgone = findings_missing(old, new, &ar, &d->fgone);
	arena_free(&ar);
	hmap_free(&km);
	qsort(d->added, d->nadded, sizeof *d->added, cmp_node);
	qsort(d->removed, d->nremoved, sizeof *d->removed, cmp_node);
	qsort(d->grown, d->ngrown, sizeof *d->grown, cmp_grow);
	qsort(d->kinds, d->nkinds, sizeof *d->kinds, cmp_kind);
	qsort_r(d->eadded, d->neadded, sizeof *d->eadded, cmp_edge, (void *)new);
	qsort_r(d->eremoved, d->neremoved, sizeof *d->eremoved, cmp_edge, (void *)old);
	qsort(d->fnew, d->nfnew, sizeof *d->fnew, cmp_finding);
	qsort(d->fgone, d->nfgone, sizeof *d->fgone, cmp_finding);
	d->old_total = diff_total_bytes(old);
	d->new_total = diff_total_bytes(new);
}

void diff_free(struct gdiff *d)
{
	free(d->added);
	free(d->removed);
	free(d->grown);
	free(d->eadded);
	free(d->eremoved);
	free(d->fnew);
	free(d->fgone);
	free(d->kinds);
	memset(d, 0, sizeof *d);
}

void diff_edge_name(const struct graph *g, const struct gedge *e,
		    struct buf *b)
{
	buf_printf(b, "%s -%s-> %s", g->nodes[e->from]->id, e->kind,
		   g->nodes[e->to]->id);
}
