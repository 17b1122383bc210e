/*
 * report-text.c - the ranked human summary of `slim report`: per ELF input,
 * its closure and what it costs, the unused and removable libraries with
 * bytes and the fix, the largest sections and symbols, its GPU code; per
 * object or archive input what it holds (report-contents.c); then every
 * other finding, by kind, ranked by bytes; then the total.  Read from the
 * graph only, so it shows whatever the analyzers merged.
 *
 * Every figure said "removable" is a sum of the findings
 * graph_removable_counts() counts, the rule graph_proven_bytes() and JSON's
 * totals use, and each such finding is summed under exactly one heading
 * (an ELF finding under the one input block that prints it, every other
 * under its kind), so the headings add up to the total.  Proven bytes the
 * artifact no longer holds (sections the linker discarded), and those of
 * entries inside a file a finding removes whole, are said apart.
 */
#include "cli.h"
#include "report-text.h"
#include "../common/util.h"
#include "../graph/ids.h"

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

const char *report_bytes(const struct rtext *t, uint64_t n, char buf[32])
{
	if (t->o.exact) {
		snprintf(buf, 32, "%llu B", (unsigned long long)n);
		return buf;
	}
	return human_bytes(n, buf, 32);
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
			if (!strcmp(e->kind, EK_NEEDS) && !seen[e->to]) {
				seen[e->to] = true;
				q[t++] = e->to;
			}
		}
	}
	free(seen);
	free(q);
}

static bool elf_kind(const char *k)
{
	return !strcmp(k, "unused-library") || !strcmp(k, "unneeded-transitive");
}

/* The findings of `kind` printed by input block `block` (-1: the list by
 * kind); direct 1/0: only those whose dependent is / is not `root`. */
static size_t pick(const struct rtext *t, uint32_t *idx, const char *kind,
		   int32_t block, const char *root, int direct)
{
	const struct graph *g = t->g;
	size_t n = 0;
	for (size_t i = 0; i < g->nfindings; i++) {
		const struct gfinding *f = &g->findings[i];
		if (strcmp(f->kind, kind) || t->owner[i] != block)
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
static void print_name_sizes(const struct rtext *t, json_t *arr, int top)
{
	FILE *fp = t->fp;
	char sz[32];
	for (size_t i = 0; i < json_array_size(arr) && i < (size_t)top; i++) {
		json_t *s = json_array_get(arr, i);
		fprintf(fp, "%s %s %s", i ? "," : "", attr_get_str(s, "name"),
			report_bytes(t, (uint64_t)attr_get_int(s, "size", 0), sz));
	}
	fputc('\n', fp);
}

/* The largest sections, file bytes, largest symbols and compile units of
 * an analyzed ELF file (sizes.c's attrs). */
static void print_sections(const struct rtext *t, const struct gnode *n, int top)
{
	FILE *fp = t->fp;
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
			report_bytes(t, (uint64_t)bs, sz));
	}
	fputc('\n', fp);
	free(used);
	fprintf(fp, "  file bytes: %s alloc, ", report_bytes(t, (uint64_t)attr_get_int(n->attrs, "bytes_alloc", 0), sz));
	fprintf(fp, "%s debug, ", report_bytes(t, (uint64_t)attr_get_int(n->attrs, "bytes_debug", 0), sz));
	fprintf(fp, "%s other non-alloc", report_bytes(t, (uint64_t)attr_get_int(n->attrs, "bytes_nonalloc", 0), sz));
	if (attr_get_int(n->attrs, "bytes_memory_only", 0) > 0)   /* .bss & co: not in the file */
		fprintf(fp, "; %s memory only (.bss, not in the file)",
			report_bytes(t, (uint64_t)attr_get_int(n->attrs, "bytes_memory_only", 0), sz));
	fputc('\n', fp);
	json_t *syms = json_object_get(n->attrs, "largest_symbols");
	if (json_is_array(syms) && json_array_size(syms)) {
		fputs("  largest symbols:", fp);
		print_name_sizes(t, syms, top);
	}
	json_t *cus = json_object_get(n->attrs, "largest_compile_units");
	if (json_is_array(cus) && json_array_size(cus)) {
		const char *dbg = attr_get_str(n->attrs, "debug_file");
		fprintf(fp, "  code by compile unit (%lld units, %s",
			attr_get_int(n->attrs, "compile_units", 0),
			report_bytes(t, (uint64_t)attr_get_int(n->attrs, "bytes_in_compile_units", 0), sz));
		if (dbg)
			fprintf(fp, "; DWARF of %s", dbg);
		fputs("):", fp);
		print_name_sizes(t, cus, top);
	}
}

void report_print_sections(const struct gnode *n, FILE *fp, int top)
{
	struct rtext t = {.fp = fp};
	print_sections(&t, n, top);
}

/* How f's node relates to its dependent, read from the edge between them:
 * a GPU entry or a section is in its file, a library is needed by its
 * dependent, a member pulled in by an object.  "" when no dependent. */
static const char *relation(const struct graph *g, const struct gfinding *f,
			    char *buf, size_t len)
{
	const struct gnode *dep = f->dependent ? graph_node(g, f->dependent) : NULL;
	if (!dep)
		return "";
	const struct gnode *n = graph_node(g, f->node);
	const char *member = n ? attr_get_str(n->attrs, "member") : NULL;
	if (graph_edge(g, f->dependent, f->node, "contains")) {
		if (member && attr_get_int(dep->attrs, "members", -1) >= 0)   /* in an archive's member */
			snprintf(buf, len, "in %s(%s)", dep->name, member);
		else
			snprintf(buf, len, "in %s", dep->name);
	} else if (graph_edge(g, f->dependent, f->node, "needs"))
		snprintf(buf, len, "needed by %s", f->dependent);
	else if (graph_edge(g, f->dependent, f->node, "pulls"))
		snprintf(buf, len, "pulled in by %s", dep->name);
	else if (graph_edge(g, f->dependent, f->node, "imports"))
		snprintf(buf, len, "imported by %s", dep->name);
	else
		snprintf(buf, len, "through %s", f->dependent);
	return buf;
}

static void print_findings(const struct rtext *t, const uint32_t *idx, size_t n)
{
	char sz[32], rel[1200];
	for (size_t i = 0; i < n && i < (size_t)t->o.top; i++) {
		const struct gfinding *f = &t->g->findings[idx[i]];
		const struct gnode *nd = graph_node(t->g, f->node);
		const char *r = relation(t->g, f, rel, sizeof rel);
		fprintf(t->fp, "    %-28s %10s  %-*s", nd ? nd->name : f->node,
			f->bytes ? report_bytes(t, f->bytes, sz) : "-", *r ? 7 : 0, f->confidence);
		if (*r)
			fprintf(t->fp, "  %s", r);
		fprintf(t->fp, "\n      fix: %s\n", f->fix);
	}
	if (n > (size_t)t->o.top)
		fprintf(t->fp, "    ... and %zu more (--top N, or --json for all)\n", n - (size_t)t->o.top);
}

/* Sum of the bytes the removable total counts of idx[0..n), and how many
 * of them carry bytes. */
static uint64_t removable(const struct rtext *t, const uint32_t *idx, size_t n,
			  size_t *count)
{
	uint64_t b = 0;
	*count = 0;
	for (size_t i = 0; i < n; i++)
		if (t->g->findings[idx[i]].bytes && t->counts[idx[i]] == GRC_YES) {
			b += t->g->findings[idx[i]].bytes;
			(*count)++;
		}
	return b;
}

/* The end of a heading line: the proven bytes of idx[0..n) the total
 * leaves out, and why. */
static void print_uncounted(const struct rtext *t, const uint32_t *idx, size_t n)
{
	uint64_t gone = 0, inside = 0, again = 0;
	char sz[32];
	for (size_t i = 0; i < n; i++) {
		const struct gfinding *f = &t->g->findings[idx[i]];
		if (!strcmp(f->confidence, "proven") && !graph_finding_removable(f))
			gone += f->bytes;
		else if (t->counts[idx[i]] == GRC_INSIDE)
			inside += f->bytes;
		else if (t->counts[idx[i]] == GRC_AGAIN)
			again += f->bytes;
	}
	if (gone)   /* discarded sections: proven, but not in the output */
		fprintf(t->fp, "; %s already not in the output (the linker left it out: not removable, not counted)",
			report_bytes(t, gone, sz));
	if (inside) /* GPU code of an unused library: goes with it */
		fprintf(t->fp, "; %s inside files removed whole (counted with them, not twice)",
			report_bytes(t, inside, sz));
	if (again)  /* one unused library listed by two inputs: once */
		fprintf(t->fp, "; %s of files already counted above (each file once)",
			report_bytes(t, again, sz));
	fputc('\n', t->fp);
}

static void print_not_found(const struct rtext *t, const struct gnode *r)
{
	const struct graph *g = t->g;
	for (uint32_t i = t->adj.off[r->idx]; i < t->adj.off[r->idx + 1]; i++) {
		const struct gedge *e = &g->edges[t->adj.edge[i]];
		json_t *found = json_object_get(e->attrs, "found");
		if (!strcmp(e->kind, EK_NEEDS) && found && json_is_false(found))
			fprintf(t->fp, "  not found: %s (tried: %s)\n", g->nodes[e->to]->name,
				attr_get_str(e->attrs, "tried"));
	}
}

static void print_elf_input(const struct rtext *t, const struct ginput *in, int32_t block)
{
	const struct graph *g = t->g;
	const struct gnode *r = graph_node(g, in->node);
	char sz[32], sz2[32];
	size_t cnt;
	uint64_t bytes;
	uint32_t *idx = xcalloc(g->nfindings + 1, sizeof *idx);
	closure(g, &t->adj, r->idx, &cnt, &bytes);
	fprintf(t->fp, "%s  %s  %s", r->id, in->path, report_bytes(t, r->size, sz));
	if (cnt > 1)
		fprintf(t->fp, "; with its %zu libraries %s", cnt - 1, report_bytes(t, bytes, sz2));
	fputc('\n', t->fp);
	static const struct section {
		const char *kind, *title;
		int direct;
	} secs[] = {
		{"unused-library", "unused direct dependencies (no reference binds to them: the rule of `ldd -u -r`)", 1},
		{"unused-library", "unused dependencies of libraries in the closure", 0},
		{"unneeded-transitive", "unneeded transitive libraries (loaded only through unused entries)", -1},
	};
	uint64_t rem = 0;
	size_t nrem = 0, nall = 0;
	uint32_t *all = xcalloc(g->nfindings + 1, sizeof *all);
	for (size_t k = 0; k < sizeof secs / sizeof *secs; k++) {
		size_t n = pick(t, idx, secs[k].kind, block, r->id, secs[k].direct), c;
		if (!n)
			continue;
		fprintf(t->fp, "  %s: %zu\n", secs[k].title, n);
		print_findings(t, idx, n);
		/* a library's bytes count once, on the finding that removes it */
		rem += removable(t, idx, n, &c);
		nrem += c;
		memcpy(all + nall, idx, n * sizeof *idx);
		nall += n;
	}
	fprintf(t->fp, "  removable (proven): %zu libraries, %s", nrem, report_bytes(t, rem, sz));
	print_uncounted(t, all, nall);
	print_not_found(t, r);
	print_sections(t, r, t->o.top < 5 ? t->o.top : 5);
	report_print_gpu((struct rtext *)t, r);
	free(all);
	free(idx);
}

/* An ELF input another analyzer reached (a Python extension module that
 * pydeps contains) gets its own block only when something is found. */
static bool worth_a_block(const struct rtext *t, const char *id)
{
	const struct graph *g = t->g;
	const struct gnode *n = graph_node(g, id);
	bool contained = false;
	for (uint32_t i = t->radj.off[n->idx]; i < t->radj.off[n->idx + 1]; i++)
		contained |= !strcmp(g->edges[t->radj.edge[i]].kind, EK_CONTAINS);
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

static bool elf_block(const struct rtext *t, const struct ginput *in)
{
	return in->node && graph_node(t->g, in->node) &&
	       (!strcmp(in->kind, "elf-exec") || !strcmp(in->kind, "elf-shared")) &&
	       worth_a_block(t, in->node);
}

/* The block that prints each input node (the first input naming it) and
 * the one block that prints each ELF finding: the input it was found for
 * (attrs.root), else the input that depends on it; -1 (listed by kind)
 * when neither has a block. */
static void assign_owners(struct rtext *t)
{
	const struct graph *g = t->g;
	for (size_t i = 0; i < g->nnodes; i++)
		t->block_of[i] = -1;
	for (size_t i = 0; i < g->ninputs; i++) {
		const struct ginput *in = &g->inputs[i];
		const struct gnode *n = in->node ? graph_node(g, in->node) : NULL;
		if (n && t->block_of[n->idx] < 0 &&
		    (elf_block(t, in) || !strcmp(n->kind, NK_OBJECT)))
			t->block_of[n->idx] = (int32_t)i;
	}
	for (size_t i = 0; i < g->nfindings; i++) {
		const struct gfinding *f = &g->findings[i];
		const char *root = attr_get_str(f->attrs, "root");
		const struct gnode *r = root ? graph_node(g, root) : NULL;
		const struct gnode *d = f->dependent ? graph_node(g, f->dependent) : NULL;
		t->owner[i] = -1;
		if (!elf_kind(f->kind))
			continue;
		if (r && t->block_of[r->idx] >= 0)
			t->owner[i] = t->block_of[r->idx];
		else if (d && t->block_of[d->idx] >= 0)
			t->owner[i] = t->block_of[d->idx];
	}
}

/* Every finding no input block printed, by kind, ranked by bytes. */
static void print_by_kind(const struct rtext *t)
{
	const struct graph *g = t->g;
	uint32_t *idx = xcalloc(g->nfindings + 1, sizeof *idx);
	const char *kinds[64];
	size_t nk = 0;
	char sz[32];
	for (size_t i = 0; i < g->nfindings; i++) {
		const char *k = g->findings[i].kind;
		bool seen = t->owner[i] >= 0;
		for (size_t j = 0; j < nk && !seen; j++)
			seen = !strcmp(kinds[j], k);
		if (!seen && nk < 64)
			kinds[nk++] = k;
	}
	for (size_t j = 0; j < nk; j++) {
		size_t n = pick(t, idx, kinds[j], -1, NULL, -1), c;
		uint64_t b = removable(t, idx, n, &c);
		fprintf(t->fp, "%s: %zu findings, %s proven removable", kinds[j], n,
			report_bytes(t, b, sz));
		print_uncounted(t, idx, n);
		print_findings(t, idx, n);
	}
	free(idx);
}

/* What a linker map could not tell (lld and mold maps list neither
 * discarded sections nor why a member was loaded; with the inputs unread
 * nothing was derived), from totals.linkmap: said, never a silent 0. */
static void print_map_unknowns(const struct rtext *t)
{
	json_t *lm = json_object_get(t->g->totals, "linkmap");
	const char *map = attr_get_str(lm, "map"), *note = attr_get_str(lm, "discards_note");
	const char *disc = attr_get_str(lm, "discards"), *dead = attr_get_str(lm, "dead_members");
	bool dunk = disc && !strcmp(disc, "unknown"), munk = dead && !strcmp(dead, "unknown");
	if (!lm || (!dunk && !munk))
		return;
	fprintf(t->fp, "linker map %s: %s%s%s%s\n", map ? map : "",
		dunk ? "discarded sections unknown" : "", dunk && note ? " (" : "",
		dunk && note ? note : "", dunk && note ? ")" : "");
	if (munk)
		fprintf(t->fp, "linker map %s: dead archive members unknown (no pull chains%s)\n",
			map ? map : "", attr_get_str(lm, "linker") && !strcmp(attr_get_str(lm, "linker"), "lld")
			? ": give lld's --why-extract output with --why-extract FILE" : "");
}

/* With --host, the one process everything is loaded into, from
 * totals.roots (pipeline_totals): a root that has plugins. */
static void print_host(const struct rtext *t)
{
	json_t *roots = json_object_get(t->g->totals, "roots");
	const char *id;
	json_t *r;
	char a[32], b[32];
	json_object_foreach(roots, id, r) {
		if (!json_object_get(r, "plugins"))
			continue;
		fprintf(t->fp, "process %s (--host) with %lld inputs and extension modules loaded: "
			"%lld libraries, %s; would no longer map %lld of them, %s\n", id,
			(long long)json_integer_value(json_object_get(r, "plugins")),
			(long long)json_integer_value(json_object_get(r, "libraries")),
			report_bytes(t, (uint64_t)json_integer_value(json_object_get(r, "bytes")), a),
			(long long)json_integer_value(json_object_get(r, "libraries_no_longer_mapped")),
			report_bytes(t, (uint64_t)json_integer_value(json_object_get(r, "bytes_no_longer_mapped")), b));
	}
}

int report_print_text(const struct graph *g, FILE *fp, const struct report_text_opts *o)
{
	struct rtext t = {g, fp, *o, {0}, {0}, NULL, NULL, NULL};
	char sz[32];
	graph_adj_build(g, &t.adj, false);
	graph_adj_build(g, &t.radj, true);
	t.owner = xcalloc(g->nfindings + 1, sizeof *t.owner);
	t.block_of = xcalloc(g->nnodes + 1, sizeof *t.block_of);
	t.counts = xcalloc(g->nfindings + 1, sizeof *t.counts);
	graph_removable_counts(g, t.counts);
	assign_owners(&t);
	for (size_t i = 0; i < g->ninputs; i++) {
		const struct ginput *in = &g->inputs[i];
		const struct gnode *n = in->node ? graph_node(g, in->node) : NULL;
		if (!n || t.block_of[n->idx] != (int32_t)i)
			continue;
		if (!strcmp(n->kind, NK_OBJECT))
			report_print_object(&t, in);
		else
			print_elf_input(&t, in, (int32_t)i);
	}
	report_print_closure_gpu(&t);
	print_by_kind(&t);
	print_host(&t);
	print_map_unknowns(&t);
	fprintf(fp, "total: %zu nodes, %zu edges, %zu findings; %s removable (proven findings only)\n",
		g->nnodes, g->nedges, g->nfindings, report_bytes(&t, graph_proven_bytes(g, NULL), sz));
	free(t.owner);
	free(t.block_of);
	free(t.counts);
	graph_adj_free(&t.adj);
	graph_adj_free(&t.radj);
	return 0;
}
