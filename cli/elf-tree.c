/*
 * elf-tree.c - the text views of an ELF analysis, read from the graph:
 * the dependency tree (libtree's layout: each library expanded at its
 * first appearance, later ones marked), and the per-file summary that
 * `slim report` ranks.  Iterative (an explicit stack), so no input depth
 * can exhaust the C stack.
 */
#include "cli.h"
#include "../common/util.h"
#include "../graph/ids.h"

#include <stdlib.h>
#include <string.h>

struct frame {
	uint32_t node;
	uint32_t *kids;       /* edge indexes of `needs` edges, in DT_NEEDED order */
	size_t nkids, next;
	char prefix[256];
};

static const struct graph *cmp_g;
static int cmp_order(const void *a, const void *b)
{
	const struct gedge *x = &cmp_g->edges[*(const uint32_t *)a];
	const struct gedge *y = &cmp_g->edges[*(const uint32_t *)b];
	long long ox = attr_get_int(x->attrs, "order", 0), oy = attr_get_int(y->attrs, "order", 0);
	return ox < oy ? -1 : ox > oy;
}

static void kids_of(const struct graph *g, const struct gadj *adj, uint32_t n, struct frame *f)
{
	f->nkids = f->next = 0;
	f->kids = xcalloc(adj->off[n + 1] - adj->off[n] + 1, sizeof *f->kids);
	for (uint32_t i = adj->off[n]; i < adj->off[n + 1]; i++)
		if (!strcmp(g->edges[adj->edge[i]].kind, EK_NEEDS))
			f->kids[f->nkids++] = adj->edge[i];
	cmp_g = g;
	qsort(f->kids, f->nkids, sizeof *f->kids, cmp_order);
}

static void print_line(const struct graph *g, const struct gedge *e, const char *prefix,
		       bool last, bool seen, FILE *fp)
{
	const struct gnode *t = g->nodes[e->to];
	const json_t *a = e->attrs;
	fprintf(fp, "%s%s %s", prefix, last ? "└──" : "├──", t->name);
	json_t *found = json_object_get(a, "found");
	if (found && json_is_false(found)) {
		fprintf(fp, " not found (tried: %s)\n", attr_get_str(a, "tried"));
		return;
	}
	const char *p = attr_get_str(t->attrs, "path");
	fprintf(fp, " [%s] %s", attr_get_str(a, "via"), p ? p : "");
	json_t *used = json_object_get(a, "used");
	if (used && json_is_false(used))
		fputs("  UNUSED", fp);
	else if (used)
		fprintf(fp, "  binds %lld", attr_get_int(a, "binds", 0));
	if (seen)
		fputs("  (see above)", fp);
	fputc('\n', fp);
}

int elf_print_tree(const struct graph *g, const char *root, bool bindings, FILE *fp)
{
	const struct gnode *r = graph_node(g, root);
	if (!r)
		return -1;
	struct gadj adj;
	graph_adj_build(g, &adj, false);
	bool *seen = xcalloc(g->nnodes + 1, 1);
	struct frame *st = xcalloc(g->nnodes + 1, sizeof *st);
	size_t sp = 0;
	char sz[32];
	fprintf(fp, "%s [%s] %s  %s\n", r->name, r->kind, attr_get_str(r->attrs, "path"),
		human_bytes(r->size, sz, sizeof sz));
	seen[r->idx] = true;
	st[0].node = r->idx;
	st[0].prefix[0] = 0;
	kids_of(g, &adj, r->idx, &st[0]);
	sp = 1;
	while (sp) {
		struct frame *f = &st[sp - 1];
		if (f->next == f->nkids) {
			free(f->kids);
			sp--;
			continue;
		}
		const struct gedge *e = &g->edges[f->kids[f->next++]];
		bool last = f->next == f->nkids, was = seen[e->to];
		json_t *found = json_object_get(e->attrs, "found");
		bool missing = found && json_is_false(found);
		print_line(g, e, f->prefix, last, was && e->to != r->idx && !missing, fp);
		/* a search that failed loads nothing, even where a later search
		 * for the same name found a library (ld.so skips its faked
		 * entry and searches again from the next loader) */
		if (was || missing || sp >= g->nnodes)
			continue;
		seen[e->to] = true;
		struct frame *nf = &st[sp++];
		nf->node = e->to;
		size_t pl = strlen(f->prefix);
		if (pl + 8 < sizeof nf->prefix) {
			memcpy(nf->prefix, f->prefix, pl);
			strcpy(nf->prefix + pl, last ? "    " : "│   ");
		} else {
			strcpy(nf->prefix, f->prefix);
		}
		kids_of(g, &adj, e->to, nf);
	}
	if (bindings) {
		fputs("\nbindings (references of each object, by the library they bind to):\n", fp);
		for (size_t i = 0; i < g->nedges; i++) {
			const struct gedge *e = &g->edges[i];
			if (strcmp(e->kind, EK_BINDS))
				continue;
			fprintf(fp, "  %-28s -> %-28s %6lld  e.g. ", g->nodes[e->from]->name,
				g->nodes[e->to]->name, attr_get_int(e->attrs, "count", 0));
			json_t *smp = json_object_get(e->attrs, "sample");
			size_t k;
			json_t *v;
			json_array_foreach(smp, k, v) fprintf(fp, "%s%s", k ? ", " : "", json_string_value(v));
			fputc('\n', fp);
		}
	}
	free(seen);
	free(st);
	graph_adj_free(&adj);
	return 0;
}
