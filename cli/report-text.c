/*
 * report-text.c - the ranked human summary of `slim report`: per input,
 * its closure and what it costs, the unused and removable libraries with
 * bytes and the fix, the largest sections and symbols; then every other
 * analyzer's findings ranked by bytes.  Read from the graph only, so it
 * shows whatever the analyzers merged.
 */
#include "cli.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>

static const struct graph *sort_g;

static int by_bytes(const void *a, const void *b)
{
	const struct gfinding *x = &sort_g->findings[*(const uint32_t *)a];
	const struct gfinding *y = &sort_g->findings[*(const uint32_t *)b];
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	int c = strcmp(x->node, y->node);
	return c ? c : strcmp(x->dependent ? x->dependent : "", y->dependent ? y->dependent : "");
}

/* closure of root over `needs` edges: count and bytes */
static void closure(const struct graph *g, const struct gadj *adj, uint32_t root,
		    size_t *count, uint64_t *bytes)
{
	bool *seen = xcalloc(g->nnodes + 1, 1);
	uint32_t *q = xcalloc(g->nnodes + 1, sizeof *q);
	size_t h = 0, t = 0;
	seen[root] = true;
	q[t++] = root;
	*count = 0;
	*bytes = 0;
	while (h < t) {
		uint32_t u = q[h++];
		(*count)++;
		*bytes += g->nodes[u]->size;
		for (uint32_t i = adj->off[u]; i < adj->off[u + 1]; i++) {
			const struct gedge *e = &g->edges[adj->edge[i]];
			if (!strcmp(e->kind, "needs") && !seen[e->to]) {
				seen[e->to] = true;
				q[t++] = e->to;
			}
		}
	}
	free(seen);
	free(q);
}

static size_t pick(const struct graph *g, uint32_t *idx, const char *kind,
		   const char *root, int direct)
{
	size_t n = 0;
	for (size_t i = 0; i < g->nfindings; i++) {
		const struct gfinding *f = &g->findings[i];
		if (strcmp(f->kind, kind))
			continue;
		const char *r = attr_get_str(f->attrs, "root");
		if (root && (!r || strcmp(r, root)) &&
		    !(f->dependent && !strcmp(f->dependent, root)))
			continue;
		if (direct >= 0 && root && (f->dependent && !strcmp(f->dependent, root)) != direct)
			continue;
		idx[n++] = (uint32_t)i;
	}
	sort_g = g;
	qsort(idx, n, sizeof *idx, by_bytes);
	return n;
}

/* " name size, name size, ..." of a [{name, size}] array, then newline */
static void print_name_sizes(json_t *arr, int top, FILE *fp)
{
	char sz[32];
	for (size_t i = 0; i < json_array_size(arr) && i < (size_t)top; i++) {
		json_t *s = json_array_get(arr, i);
		fprintf(fp, "%s %s %s", i ? "," : "", attr_get_str(s, "name"),
			human_bytes((uint64_t)attr_get_int(s, "size", 0), sz, sizeof sz));
	}
	fputc('\n', fp);
}

void report_print_sections(const struct gnode *n, FILE *fp, int top)
{
	json_t *secs = json_object_get(n->attrs, "sections");
	if (!json_is_array(secs) || !json_array_size(secs))
		return;
	size_t m = json_array_size(secs);
	bool *used = xcalloc(m + 1, 1);
	char sz[32];
	fputs("  largest sections:", fp);
	for (int k = 0; k < top; k++) {
		size_t best = m;
		long long bs = -1;
		for (size_t i = 0; i < m; i++) {
			long long s = attr_get_int(json_array_get(secs, i), "size", 0);
			if (!used[i] && s > bs) {
				bs = s;
				best = i;
			}
		}
		if (best == m || bs <= 0)
			break;
		used[best] = true;
		fprintf(fp, "%s %s %s", k ? "," : "", attr_get_str(json_array_get(secs, best), "name"),
			human_bytes((uint64_t)bs, sz, sizeof sz));
	}
	fputc('\n', fp);
	free(used);
	fprintf(fp, "  file bytes: %s alloc, ", human_bytes((uint64_t)attr_get_int(n->attrs, "bytes_alloc", 0), sz, sizeof sz));
	fprintf(fp, "%s debug, ", human_bytes((uint64_t)attr_get_int(n->attrs, "bytes_debug", 0), sz, sizeof sz));
	fprintf(fp, "%s other non-alloc", human_bytes((uint64_t)attr_get_int(n->attrs, "bytes_nonalloc", 0), sz, sizeof sz));
	if (attr_get_int(n->attrs, "bytes_memory_only", 0) > 0)   /* .bss & co: not in the file */
		fprintf(fp, "; %s memory only (.bss, not in the file)",
			human_bytes((uint64_t)attr_get_int(n->attrs, "bytes_memory_only", 0), sz, sizeof sz));
	fputc('\n', fp);
	json_t *syms = json_object_get(n->attrs, "largest_symbols");
	if (json_is_array(syms) && json_array_size(syms)) {
		fputs("  largest symbols:", fp);
		print_name_sizes(syms, top, fp);
	}
	json_t *cus = json_object_get(n->attrs, "largest_compile_units");
	if (json_is_array(cus) && json_array_size(cus)) {
		const char *dbg = attr_get_str(n->attrs, "debug_file");
		fprintf(fp, "  code by compile unit (%lld units, %s",
			attr_get_int(n->attrs, "compile_units", 0),
			human_bytes((uint64_t)attr_get_int(n->attrs, "bytes_in_compile_units", 0),
				    sz, sizeof sz));
		if (dbg)
			fprintf(fp, "; DWARF of %s", dbg);
		fputs("):", fp);
		print_name_sizes(cus, top, fp);
	}
}

static void print_findings(const struct graph *g, const uint32_t *idx, size_t n,
			   int top, bool show_dep, FILE *fp)
{
	char sz[32];
	for (size_t i = 0; i < n && i < (size_t)top; i++) {
		const struct gfinding *f = &g->findings[idx[i]];
		const struct gnode *nd = graph_node(g, f->node);
		fprintf(fp, "    %-28s %10s  %-7s", nd ? nd->name : f->node,
			f->bytes ? human_bytes(f->bytes, sz, sizeof sz) : "-", f->confidence);
		if (show_dep && f->dependent)
			fprintf(fp, "  needed by %s", f->dependent);
		fprintf(fp, "\n      fix: %s\n", f->fix);
	}
	if (n > (size_t)top)
		fprintf(fp, "    ... and %zu more (--top N, or --json for all)\n", n - (size_t)top);
}

static void print_input(const struct graph *g, const struct gadj *adj, const struct ginput *in,
			int top, FILE *fp)
{
	const struct gnode *r = graph_node(g, in->node);
	char sz[32], sz2[32];
	size_t cnt;
	uint64_t bytes;
	uint32_t *idx = xcalloc(g->nfindings + 1, sizeof *idx);
	closure(g, adj, r->idx, &cnt, &bytes);
	fprintf(fp, "%s  %s  %s", r->id, in->path, human_bytes(r->size, sz, sizeof sz));
	if (cnt > 1)
		fprintf(fp, "; with its %zu libraries %s", cnt - 1, human_bytes(bytes, sz2, sizeof sz2));
	fputc('\n', fp);
	static const struct section {
		const char *kind, *title;
		int direct;
		bool show_dep;
	} secs[] = {
		{"unused-library", "unused direct dependencies (no reference binds to them: the rule of `ldd -u -r`)", 1, false},
		{"unused-library", "unused dependencies of libraries in the closure", 0, true},
		{"unneeded-transitive", "unneeded transitive libraries (loaded only through unused entries)", -1, true},
	};
	uint64_t removable = 0;
	size_t nrem = 0;
	for (size_t k = 0; k < sizeof secs / sizeof *secs; k++) {
		size_t n = pick(g, idx, secs[k].kind, r->id, secs[k].direct);
		if (!n)
			continue;
		fprintf(fp, "  %s: %zu\n", secs[k].title, n);
		print_findings(g, idx, n, top, secs[k].show_dep, fp);
		/* a library's bytes count once, on the finding that removes it */
		for (size_t i = 0; i < n; i++)
			if (g->findings[idx[i]].bytes && !strcmp(g->findings[idx[i]].confidence, "proven")) {
				removable += g->findings[idx[i]].bytes;
				nrem++;
			}
	}
	fprintf(fp, "  removable (proven): %zu libraries, %s\n", nrem, human_bytes(removable, sz, sizeof sz));
	for (uint32_t i = adj->off[r->idx]; i < adj->off[r->idx + 1]; i++) {
		const struct gedge *e = &g->edges[adj->edge[i]];
		json_t *found = json_object_get(e->attrs, "found");
		if (!strcmp(e->kind, "needs") && found && json_is_false(found))
			fprintf(fp, "  not found: %s (tried: %s)\n", g->nodes[e->to]->name,
				attr_get_str(e->attrs, "tried"));
	}
	report_print_sections(r, fp, top < 5 ? top : 5);
	free(idx);
}

static bool elf_kind(const char *k)
{
	return !strcmp(k, "unused-library") || !strcmp(k, "unneeded-transitive");
}

/* An ELF input another analyzer reached (a Python extension module that
 * pydeps contains) gets its own block only when something is found. */
static bool worth_a_block(const struct graph *g, const struct gadj *radj, const char *id)
{
	const struct gnode *n = graph_node(g, id);
	bool contained = false;
	for (uint32_t i = radj->off[n->idx]; i < radj->off[n->idx + 1]; i++)
		contained |= !strcmp(g->edges[radj->edge[i]].kind, "contains");
	if (!contained)
		return true;    /* no other analyzer reached it: given by the user */
	for (size_t i = 0; i < g->nfindings; i++) {
		const struct gfinding *f = &g->findings[i];
		const char *r = attr_get_str(f->attrs, "root");
		if ((f->dependent && !strcmp(f->dependent, id)) || (r && !strcmp(r, id)))
			return true;
	}
	return false;
}

int report_print_text(const struct graph *g, FILE *fp, int top)
{
	struct gadj adj, radj;
	char sz[32];
	graph_adj_build(g, &adj, false);
	graph_adj_build(g, &radj, true);
	for (size_t i = 0; i < g->ninputs; i++) {
		const struct ginput *in = &g->inputs[i];
		if (in->node && graph_node(g, in->node) &&
		    (!strcmp(in->kind, "elf-exec") || !strcmp(in->kind, "elf-shared")) &&
		    worth_a_block(g, &radj, in->node))
			print_input(g, &adj, in, top, fp);
	}
	graph_adj_free(&radj);
	/* every other analyzer's findings, by kind, ranked by bytes */
	uint32_t *idx = xcalloc(g->nfindings + 1, sizeof *idx);
	const char *kinds[64];
	size_t nk = 0;
	for (size_t i = 0; i < g->nfindings && nk < 64; i++) {
		const char *k = g->findings[i].kind;
		bool seen = elf_kind(k);
		for (size_t j = 0; j < nk && !seen; j++)
			seen = !strcmp(kinds[j], k);
		if (!seen)
			kinds[nk++] = k;
	}
	for (size_t j = 0; j < nk; j++) {
		size_t n = pick(g, idx, kinds[j], NULL, -1);
		uint64_t b = 0;
		for (size_t i = 0; i < n; i++)
			if (!strcmp(g->findings[idx[i]].confidence, "proven"))
				b += g->findings[idx[i]].bytes;
		fprintf(fp, "%s: %zu findings, %s proven removable\n", kinds[j], n,
			human_bytes(b, sz, sizeof sz));
		print_findings(g, idx, n, top, true, fp);
	}
	fprintf(fp, "total: %zu nodes, %zu edges, %zu findings; %s removable (proven findings only)\n",
		g->nnodes, g->nedges, g->nfindings, human_bytes(graph_proven_bytes(g, NULL), sz, sizeof sz));
	free(idx);
	graph_adj_free(&adj);
	return 0;
}
