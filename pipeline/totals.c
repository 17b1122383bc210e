/*
 * totals.c - what each root process would no longer map, and the run's
 * removable bytes counted once (DESIGN.md: "Only proven findings count").
 *
 * A root process is a program analyzed (its closure is what ld.so maps),
 * or a library analyzed on its own (the process that loads just it).  With
 * --host the inputs and the extension modules are plugins of one process,
 * the host's: what they need stays mapped when the host or another plugin
 * still needs it.  For a root set R:
 *
 *   all   = closure of R over every `needs` edge
 *   kept  = closure of R over the `needs` edges no proven unused-library
 *           finding names (dependent -> node)
 *   gone  = all \ kept: the libraries the process would no longer map
 *
 * totals.roots["exe:gdb"] = {libraries, bytes, libraries_no_longer_mapped,
 * bytes_no_longer_mapped}: the libraries of the closure other than the
 * roots themselves (as the text's "with its N libraries"), bytes being the
 * files' sizes.  With a host, a
 * finding on a library the host's process keeps saves nothing there: its
 * bytes become 0 and attrs.stays_loaded_in names the host, which is how
 * two extension modules listing libm no longer claim libm's bytes while
 * python3.11 maps it anyway.  Two breadth-first passes per root over the
 * CSR adjacency: O(roots * (nodes + edges)).
 */
#include "pipeline.h"
#include "../common/hmap.h"
#include "../common/util.h"
#include "../graph/graph.h"
#include "../graph/ids.h"

#include <stdlib.h>
#include <string.h>

struct reach {
	const struct graph *g;
	struct gadj adj;
	struct hmap unused;      /* (dependent, node) index pairs of proven
				  * unused-library findings, keys in pairs */
	uint32_t *pairs;
	uint32_t *queue;
	unsigned char *seen;     /* bit 1: all, bit 2: kept */
};

static bool edge_unused(struct reach *r, const struct gedge *e)
{
	uint32_t key[2] = {e->from, e->to};
	return hmap_get(&r->unused, (const char *)key, sizeof key) != NULL;
}

/* bfs from roots[] marking bit in seen, over needs edges (all, or only
 * those no proven finding calls unused) */
static void bfs(struct reach *r, const uint32_t *roots, size_t nroots,
		unsigned char bit, bool only_used)
{
	size_t head = 0, tail = 0;
	for (size_t i = 0; i < nroots; i++)
		if (!(r->seen[roots[i]] & bit)) {
			r->seen[roots[i]] |= bit;
			r->queue[tail++] = roots[i];
		}
	while (head < tail) {
		uint32_t v = r->queue[head++];
		for (uint32_t k = r->adj.off[v]; k < r->adj.off[v + 1]; k++) {
			const struct gedge *e = &r->g->edges[r->adj.edge[k]];
			if (strcmp(e->kind, EK_NEEDS) || (r->seen[e->to] & bit))
				continue;
			if (only_used && edge_unused(r, e))
				continue;
			r->seen[e->to] |= bit;
			r->queue[tail++] = e->to;
		}
	}
}

/* one root set: the closure and what would go, into out */
static void root_totals(struct reach *r, const uint32_t *roots, size_t n,
			json_t *out)
{
	memset(r->seen, 0, r->g->nnodes);
	bfs(r, roots, n, 1, false);
	bfs(r, roots, n, 2, true);
	for (size_t i = 0; i < n; i++)   /* the roots are not their libraries */
		r->seen[roots[i]] |= 4;
	json_int_t libs = 0, bytes = 0, gone = 0, gone_bytes = 0;
	for (size_t i = 0; i < r->g->nnodes; i++) {
		const struct gnode *nd = r->g->nodes[i];
		if (!(r->seen[i] & 1) || (r->seen[i] & 4) || strcmp(nd->kind, NK_LIB))
			continue;
		libs++;
		bytes += (json_int_t)nd->size;
		if (!(r->seen[i] & 2)) {
			gone++;
			gone_bytes += (json_int_t)nd->size;
		}
	}
	json_object_set_new(out, "libraries", json_integer(libs));
	json_object_set_new(out, "bytes", json_integer(bytes));
	json_object_set_new(out, "libraries_no_longer_mapped", json_integer(gone));
	json_object_set_new(out, "bytes_no_longer_mapped", json_integer(gone_bytes));
}

static bool is_elf_input(const struct ginput *in)
{
	return in->node && (!strcmp(in->kind, "elf-exec") || !strcmp(in->kind, "elf-shared"));
}

/* With a host: findings on libraries its process keeps save nothing. */
static void host_keeps(struct graph *g, struct reach *r, const char *host)
{
	for (size_t i = 0; i < g->nfindings; i++) {
		struct gfinding *f = &g->findings[i];
		const struct gnode *n = graph_node(g, f->node);
		if (!n || !(r->seen[n->idx] & 2) || !f->bytes ||
		    (strcmp(f->kind, "unused-library") && strcmp(f->kind, "unneeded-transitive")))
			continue;
		f->bytes = 0;
		attr_str(graph_finding_attrs(f), "stays_loaded_in", host);
	}
}

void pipeline_totals(struct graph *g, const char *host_node)
{
	struct reach r = {.g = g};
	graph_adj_build(g, &r.adj, false);
	r.pairs = xcalloc(2 * g->nfindings + 2, sizeof *r.pairs);
	for (size_t i = 0; i < g->nfindings; i++) {
		const struct gfinding *f = &g->findings[i];
		if (strcmp(f->kind, "unused-library") || strcmp(f->confidence, "proven") || !f->dependent)
			continue;
		const struct gnode *a = graph_node(g, f->dependent), *b = graph_node(g, f->node);
		if (!a || !b)
			continue;
		uint32_t *key = &r.pairs[2 * i];
		key[0] = (uint32_t)a->idx;
		key[1] = (uint32_t)b->idx;
		hmap_put(&r.unused, (const char *)key, 2 * sizeof *key, (void *)1);
	}
	r.queue = xcalloc(g->nnodes + 1, sizeof *r.queue);
	r.seen = xcalloc(g->nnodes + 1, 1);
	uint32_t *roots = xcalloc(g->ninputs + 1, sizeof *roots);
	size_t nroots = 0;
	json_t *jr = json_object();
	const struct gnode *hn = host_node ? graph_node(g, host_node) : NULL;
	if (hn) {
		/* one process: the host and everything loaded into it */
		roots[nroots++] = (uint32_t)hn->idx;
		for (size_t i = 0; i < g->ninputs; i++) {
			const struct gnode *n = is_elf_input(&g->inputs[i]) ? graph_node(g, g->inputs[i].node) : NULL;
			if (n && n != hn)
				roots[nroots++] = (uint32_t)n->idx;
		}
		json_t *o = json_object();
		root_totals(&r, roots, nroots, o);
		json_object_set_new(o, "plugins", json_integer((json_int_t)nroots - 1));
		json_object_set_new(jr, hn->id, o);
		host_keeps(g, &r, hn->id);
	} else {
		for (size_t i = 0; i < g->ninputs; i++) {
			const struct gnode *n = is_elf_input(&g->inputs[i]) ? graph_node(g, g->inputs[i].node) : NULL;
			if (!n || json_object_get(jr, n->id))
				continue;
			uint32_t one = (uint32_t)n->idx;
			json_t *o = json_object();
			root_totals(&r, &one, 1, o);
			json_object_set_new(jr, n->id, o);
		}
	}
	if (json_object_size(jr))
		json_object_set_new(g->totals, "roots", jr);
	else
		json_decref(jr);
	hmap_free(&r.unused);
	free(r.pairs);
	graph_adj_free(&r.adj);
	free(roots);
	free(r.queue);
	free(r.seen);
}
