/*
 * dot-model.c - what `slim graph` draws, decided before graphviz sees it
 * (issue 18: a graph a reviewer reads at a glance).  dot.c turns the model
 * into cgraph objects; this file only decides:
 *
 *   1. Folding.  The libraries nearly every ELF object loads (libc, libm,
 *      ld-linux, libstdc++, libgcc_s: RENDER_FOLD_DEFAULT, or the glob list
 *      of --fold) are drawn as one "system" node, with the number of
 *      dependency pairs folded into it.  A root, or a node carrying a
 *      finding, highlighted or new since --baseline, is never folded:
 *      what can go, or what changed, must stay visible.
 *   2. One edge per dependency.  Every edge between the same two drawn
 *      nodes (a `needs` and its `binds`, or the pairs folded into the
 *      system node) becomes one drawn edge.  Its state:
 *        unused      - a finding says the dependency is unused (a finding
 *                      with a `dependent`, or any edge into a node with an
 *                      unused finding and no dependent; never an
 *                      unneeded-transitive finding, which is what
 *                      via-unused says);
 *        via-unused  - its source is reached from the roots only through
 *                      unused edges;
 *        used        - otherwise.
 *      A merged edge takes the best state of its members (used, then
 *      via-unused, then unused).  Its label (--labels) is the number of
 *      symbols bound (the `count` of its binds edges).
 *      A `binds` edge with no `needs` beside it (a symbol bound through the
 *      global scope: a COPY relocation into the executable, a library
 *      using what its own DT_NEEDED do not give) is not a dependency: it
 *      is not drawn, only counted in the title (`slim why` shows it).
 *      Into the system node only the roots' edges are drawn; the others
 *      are counted on the node.
 *   3. Ranks.  why_bfs() gives each node its distance from the roots;
 *      dot.c puts each distance on one rank, so the roots are on top.
 *   4. --reduce.  A drawn edge u -> v is dropped when v is reachable from u
 *      by a path of two or more drawn edges of the same state: the path
 *      already says u depends on v.  A graph with more than
 *      RENDER_REDUCE_MAX drawn edges is not reduced (one search per edge).
 */
#include "render.h"
#include "why.h"
#include "../common/hmap.h"
#include "../common/util.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#define RENDER_FOLD_DEFAULT "libc.so.*,libm.so.*,ld-linux*.so.*,libstdc++.so.*,libgcc_s.so.*"
#define RENDER_REDUCE_MAX 20000

const char *const render_edge_state_name[ES_N] = {"used", "via-unused", "unused"};

static bool fold_match(const char *list, const char *name)
{
	char pat[256];
	/* a deployable names its libraries by path: match the file name */
	const char *slash = strrchr(name, '/');
	if (slash)
		name = slash + 1;
	while (*list) {
		size_t n = strcspn(list, ",");
		if (n && n < sizeof pat) {
			memcpy(pat, list, n);
			pat[n] = 0;
			if (!fnmatch(pat, name, 0))
				return true;
		}
		list += n + (list[n] == ',');
	}
	return false;
}

/* 1. which nodes fold into the system node */
static void fold_nodes(struct draw_model *m, const struct render_opts *o,
		       const bool *keep)
{
	const struct graph *g = m->g;
	const char *list = o->fold ? o->fold : RENDER_FOLD_DEFAULT;
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct gnode *n = g->nodes[i];
		m->at[i] = (uint32_t)i;
		if (o->no_fold || strcmp(n->kind, "lib") || keep[i] || m->dist[i] == 0 ||
		    !fold_match(list, n->name))
			continue;
		m->at[i] = DRAW_SYSTEM;
		m->nfolded++;
		m->folded_bytes += n->size;
		if (m->dist[i] < m->system_dist)
			m->system_dist = m->dist[i];
	}
}

/* which edges a finding calls unused */
static void mark_unused(const struct draw_model *m, const char *const *cls,
			bool *unused)
{
	const struct graph *g = m->g;
	static const char *const kinds[] = {"needs", "binds", "dlopens", "imports",
					    "includes", "pulls", "loads", "contains"};
	bool *nodep = xcalloc(g->nnodes + 1, sizeof *nodep);
	for (size_t i = 0; i < g->nfindings; i++) {
		const struct gfinding *f = &g->findings[i];
		const char *c = render_finding_class(f->kind);
		/* unneeded-transitive: reached only through unused edges,
		 * which is what via-unused says of its edges */
		if (!c || strcmp(c, "unused") || !strcmp(f->kind, "unneeded-transitive"))
			continue;
		if (!f->dependent) {
			struct gnode *n = graph_node(g, f->node);
			if (n)
				nodep[n->idx] = true;
			continue;
		}
		for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
			struct gedge *e = graph_edge(g, f->dependent, f->node, kinds[k]);
			if (e)
				unused[e - g->edges] = true;
		}
	}
	for (size_t i = 0; i < g->nedges; i++)
		if (nodep[g->edges[i].to] && cls[g->edges[i].to])
			unused[i] = true;
	free(nodep);
}

/* live: reached from a root without crossing an unused edge */
static bool *live_nodes(const struct draw_model *m, const bool *unused,
			const uint32_t *roots, size_t nroots)
{
	const struct graph *g = m->g;
	bool *live = xcalloc(g->nnodes + 1, sizeof *live);
	uint32_t *off = xcalloc(g->nnodes + 2, sizeof *off);
	uint32_t *adj = xcalloc(g->nedges + 1, sizeof *adj);
	uint32_t *q = xcalloc(g->nnodes + 1, sizeof *q);
	for (size_t i = 0; i < g->nedges; i++)
		off[g->edges[i].from + 1]++;
	for (size_t i = 0; i < g->nnodes; i++)
		off[i + 1] += off[i];
	uint32_t *fill = xcalloc(g->nnodes + 1, sizeof *fill);
	for (size_t i = 0; i < g->nedges; i++) {
		uint32_t f = g->edges[i].from;
		adj[off[f] + fill[f]++] = (uint32_t)i;
	}
	size_t h = 0, t = 0;
	for (size_t i = 0; i < nroots; i++)
		if (!live[roots[i]]) {
			live[roots[i]] = true;
			q[t++] = roots[i];
		}
	while (h < t) {
		uint32_t u = q[h++];
		for (uint32_t x = off[u]; x < off[u + 1]; x++) {
			const struct gedge *e = &g->edges[adj[x]];
			if (!unused[adj[x]] && !live[e->to]) {
				live[e->to] = true;
				q[t++] = e->to;
			}
		}
	}
	free(off);
	free(adj);
	free(q);
	free(fill);
	return live;
}

/* 2. one drawn edge per pair of drawn endpoints */
static void merge_edges(struct draw_model *m, const bool *unused, const bool *live,
			const bool *hl_edge)
{
	const struct graph *g = m->g;
	struct hmap pairs = {0}, folded = {0};
	m->keys = xcalloc(g->nedges + 1, sizeof *m->keys);
	m->e = xcalloc(g->nedges + 1, sizeof *m->e);
	for (size_t i = 0; i < g->nedges; i++) {
		const struct gedge *ge = &g->edges[i];
		uint32_t a = m->at[ge->from], b = m->at[ge->to];
		if (a == b && a == DRAW_SYSTEM)
			continue;     /* inside the system node */
		if (!strcmp(ge->kind, "binds") &&
		    !graph_edge(g, g->nodes[ge->from]->id, g->nodes[ge->to]->id, "needs")) {
			m->binds_only++;
			continue;
		}
		m->keys[i] = (uint64_t)a << 32 | b;
		bool created;
		if (b == DRAW_SYSTEM && m->dist[ge->from] != 0) {
			/* counted once per pair, not drawn */
			hmap_slot(&folded, (const char *)&m->keys[i], sizeof m->keys[i], &created);
			m->folded_edges += created;
			continue;
		}
		enum edge_state s = unused[i] ? ES_UNUSED : live[ge->from] ? ES_USED : ES_VIA_UNUSED;
		void **slot = hmap_slot(&pairs, (const char *)&m->keys[i], sizeof m->keys[i], &created);
		struct draw_edge *d;
		if (created) {
			d = &m->e[m->ne];
			*slot = (void *)(uintptr_t)++m->ne;
			*d = (struct draw_edge){.from = a, .to = b, .state = s, .edge = (uint32_t)i};
		} else {
			d = &m->e[(uintptr_t)*slot - 1];
			if (s < d->state)
				d->state = s;
		}
		if (!strcmp(ge->kind, "binds"))
			d->symbols += attr_get_int(ge->attrs, "count", 0);
		d->hl |= hl_edge[i];
		d->nmerged++;
	}
	hmap_free(&pairs);
	hmap_free(&folded);
}

/* 4. drop u -> v when a longer path of the same state leads there: one
 * depth-first search per edge over the drawn edges (CSR by source; the
 * system node is index nnodes), O(E * (V + E)) */
static uint32_t slot_of(const struct graph *g, uint32_t v)
{
	return v == DRAW_SYSTEM ? (uint32_t)g->nnodes : v;
}

static bool reaches(const struct draw_model *m, const uint32_t *off, const uint32_t *adj,
		    size_t skip, uint8_t *seen, uint32_t *stack)
{
	const struct graph *g = m->g;
	const struct draw_edge *e = &m->e[skip];
	uint32_t v = slot_of(g, e->to);
	size_t sp = 0;
	memset(seen, 0, g->nnodes + 1);
	stack[sp++] = slot_of(g, e->from);
	while (sp) {
		uint32_t x = stack[--sp];
		for (uint32_t k = off[x]; k < off[x + 1]; k++) {
			const struct draw_edge *d = &m->e[adj[k]];
			uint32_t y = slot_of(g, d->to);
			if (adj[k] == skip || d->dropped || d->state != e->state || seen[y])
				continue;
			if (y == v)
				return true;
			seen[y] = 1;
			stack[sp++] = y;
		}
	}
	return false;
}

static void reduce(struct draw_model *m)
{
	const struct graph *g = m->g;
	if (m->ne > RENDER_REDUCE_MAX)
		return;
	uint32_t *off = xcalloc(g->nnodes + 3, sizeof *off);
	uint32_t *adj = xcalloc(m->ne + 1, sizeof *adj);
	uint32_t *fill = xcalloc(g->nnodes + 2, sizeof *fill);
	for (size_t j = 0; j < m->ne; j++)
		off[slot_of(g, m->e[j].from) + 1]++;
	for (size_t i = 0; i <= g->nnodes; i++)
		off[i + 1] += off[i];
	for (size_t j = 0; j < m->ne; j++) {
		uint32_t f = slot_of(g, m->e[j].from);
		adj[off[f] + fill[f]++] = (uint32_t)j;
	}
	uint8_t *seen = xcalloc(g->nnodes + 1, 1);
	uint32_t *stack = xcalloc(g->nnodes + 2, sizeof *stack);
	for (size_t j = 0; j < m->ne; j++)
		if (reaches(m, off, adj, j, seen, stack)) {
			m->e[j].dropped = true;
			m->reduced++;
		}
	free(off);
	free(adj);
	free(fill);
	free(seen);
	free(stack);
}

void draw_model_build(struct draw_model *m, const struct graph *g,
		      const struct render_opts *o, const char *const *cls,
		      const bool *keep, const bool *hl_edge)
{
	memset(m, 0, sizeof *m);
	m->g = g;
	m->system_dist = UINT32_MAX;
	struct why_bfs w;
	why_bfs_init(&w, g);
	m->dist = xcalloc(g->nnodes + 1, sizeof *m->dist);
	if (g->nnodes)
		memcpy(m->dist, w.dist, g->nnodes * sizeof *m->dist);
	m->at = xcalloc(g->nnodes + 1, sizeof *m->at);
	fold_nodes(m, o, keep);
	bool *unused = xcalloc(g->nedges + 1, sizeof *unused);
	mark_unused(m, cls, unused);
	bool *live = live_nodes(m, unused, w.roots, w.nroots);
	merge_edges(m, unused, live, hl_edge);
	if (o->reduce)
		reduce(m);
	for (size_t j = 0; j < m->ne; j++)
		if (!m->e[j].dropped)
			m->states |= 1u << m->e[j].state;
	free(unused);
	free(live);
	why_bfs_free(&w);
}

void draw_model_free(struct draw_model *m)
{
	free(m->dist);
	free(m->at);
	free(m->keys);
	free(m->e);
}
