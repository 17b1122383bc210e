/*
 * report-contents.c - what a file holds, in `slim report`'s text: an
 * archive's members (largest first, with the text/data/bss bytes binutils'
 * `size` counts for each: what a link could take from it), a relocatable
 * object's text/data/bss, and the GPU code of any file (fatbin entries per
 * arch and kind, per archive member, and what --arch says can go).
 *
 * Read from the graph only: member nodes come from analyzers/archive/
 * (contains edges from the archive, attrs.member/position/bytes_*), GPU
 * entries from analyzers/fatbin/ (contains edges to `gpu` nodes,
 * attrs.arch/kind/member), the --arch targets from totals.gpu_targets
 * (cli/report.c records them), verdicts from prunable-gpu-code findings.
 */
#include "cli.h"
#include "report-text.h"
#include "../common/util.h"
#include "../graph/ids.h"

#include <stdlib.h>
#include <string.h>

enum { K_CUBIN, K_PTX, K_LTOIR, K_OTHER, NKIND };
static const char *const kind_label[NKIND] = {"cubin", "PTX", "LTO-IR", "other"};

struct arow {               /* one arch's entries, by kind */
	const char *arch;
	size_t n[NKIND];
	uint64_t b[NKIND];
};

static int kind_index(const char *k)
{
	if (!k)
		return K_OTHER;
	return !strcmp(k, "cubin") ? K_CUBIN : !strcmp(k, "ptx") ? K_PTX
	       : !strcmp(k, "ltoir") ? K_LTOIR : K_OTHER;
}

/* sm_80 < sm_90 < sm_90a < sm_100f < sm_120: by number, then variant */
static int cmp_arch(const void *a, const void *b)
{
	const char *x = ((const struct arow *)a)->arch, *y = ((const struct arow *)b)->arch;
	char *ex, *ey;
	unsigned long nx = strtoul(x + strcspn(x, "0123456789"), &ex, 10);
	unsigned long ny = strtoul(y + strcspn(y, "0123456789"), &ey, 10);
	if (nx != ny)
		return nx < ny ? -1 : 1;
	return strcmp(ex, ey);
}

/* The gpu nodes file contains (those of one archive member, or all with
 * member NULL) into idx; returns how many. */
static size_t gpu_entries(const struct rtext *t, const struct gnode *file,
			  const char *member, uint32_t *idx)
{
	const struct graph *g = t->g;
	size_t n = 0;
	for (uint32_t i = t->adj.off[file->idx]; i < t->adj.off[file->idx + 1]; i++) {
		const struct gedge *e = &g->edges[t->adj.edge[i]];
		const struct gnode *to = g->nodes[e->to];
		if (strcmp(e->kind, EK_CONTAINS) || strcmp(to->kind, NK_GPU))
			continue;
		const char *m = attr_get_str(to->attrs, "member");
		if (member && (!m || strcmp(m, member)))
			continue;
		idx[n++] = to->idx;
	}
	return n;
}

/* Per-arch rows of the entries idx[0..n), sorted; *bytes their sum. */
static size_t arch_rows(const struct graph *g, const uint32_t *idx, size_t n,
			struct arow *rows, uint64_t *bytes)
{
	size_t nr = 0;
	*bytes = 0;
	for (size_t i = 0; i < n; i++) {
		const struct gnode *e = g->nodes[idx[i]];
		const char *arch = attr_get_str(e->attrs, "arch");
		arch = arch ? arch : "?";
		size_t r = 0;
		while (r < nr && strcmp(rows[r].arch, arch))
			r++;
		if (r == nr)
			rows[nr++] = (struct arow){.arch = arch};
		int k = kind_index(attr_get_str(e->attrs, "kind"));
		rows[r].n[k]++;
		rows[r].b[k] += e->size;
		*bytes += e->size;
	}
	qsort(rows, nr, sizeof *rows, cmp_arch);
	return nr;
}

/* "2 cubin 9.4 KiB, 1 PTX 3.3 KiB" of one row */
static void print_row_kinds(const struct rtext *t, const struct arow *r)
{
	char sz[32];
	bool first = true;
	for (int k = 0; k < NKIND; k++) {
		if (!r->n[k])
			continue;
		fprintf(t->fp, "%s%zu %s %s", first ? "" : ", ", r->n[k], kind_label[k],
			report_bytes(t, r->b[k], sz));
		first = false;
	}
}

/* Per member of an archive: "    dev_rdc.o: 4 entries, 4.4 KiB: sm_80 1
 * cubin 1.6 KiB; ..." in member order (attrs.position). */
static void print_gpu_members(const struct rtext *t, const struct gnode *ar,
			      uint32_t *idx, struct arow *rows)
{
	const struct graph *g = t->g;
	char sz[32];
	for (uint32_t i = t->adj.off[ar->idx]; i < t->adj.off[ar->idx + 1]; i++) {
		const struct gedge *e = &g->edges[t->adj.edge[i]];
		const char *m = attr_get_str(g->nodes[e->to]->attrs, "member");
		if (strcmp(e->kind, EK_CONTAINS) || strcmp(g->nodes[e->to]->kind, NK_OBJECT) || !m)
			continue;
		size_t n = gpu_entries(t, ar, m, idx);
		if (!n)
			continue;
		uint64_t bytes;
		size_t nr = arch_rows(g, idx, n, rows, &bytes);
		fprintf(t->fp, "    %s: %zu %s, %s:", m, n, n == 1 ? "entry" : "entries",
			report_bytes(t, bytes, sz));
		for (size_t r = 0; r < nr; r++) {
			fprintf(t->fp, "%s %s ", r ? ";" : "", rows[r].arch);
			print_row_kinds(t, &rows[r]);
		}
		fputc('\n', t->fp);
	}
}

/* What --arch said of the entries idx[0..n), or that it was not given. */
static void print_gpu_verdict(const struct rtext *t, const uint32_t *idx, size_t n)
{
	const struct graph *g = t->g;
	json_t *targets = json_object_get(g->totals, "gpu_targets");
	if (!json_is_array(targets) || !json_array_size(targets)) {
		fputs("  no --arch given: which of these can go depends on the GPUs you ship for;"
		      " --arch LIST (e.g. --arch sm_80,sm_90) lists the entries no target can load\n", t->fp);
		return;
	}
	bool *mine = xcalloc(g->nnodes + 1, 1);
	for (size_t i = 0; i < n; i++)
		mine[idx[i]] = true;
	size_t cnt = 0;
	uint64_t bytes = 0;
	for (size_t i = 0; i < g->nfindings; i++) {
		const struct gfinding *f = &g->findings[i];
		const struct gnode *nd = graph_node(g, f->node);
		if (nd && mine[nd->idx] && !strcmp(f->kind, "prunable-gpu-code") &&
		    graph_finding_removable(f)) {
			cnt++;
			bytes += f->bytes;
		}
	}
	free(mine);
	char sz[32];
	fputs("  for --arch ", t->fp);
	for (size_t i = 0; i < json_array_size(targets); i++)
		fprintf(t->fp, "%s%s", i ? "," : "", json_string_value(json_array_get(targets, i)));
	fprintf(t->fp, ": %zu of %zu entries (%s) no target can load", cnt, n,
		report_bytes(t, bytes, sz));
	fputs(cnt ? " (prunable-gpu-code below)\n" : "\n", t->fp);
}

void report_print_gpu(struct rtext *t, const struct gnode *file)
{
	const struct graph *g = t->g;
	uint32_t *idx = xcalloc(g->nnodes + 1, sizeof *idx);
	struct arow *rows = xcalloc(g->nnodes + 1, sizeof *rows);
	size_t n = gpu_entries(t, file, NULL, idx);
	if (!n)
		goto out;
	uint64_t bytes;
	char sz[32];
	size_t nr = arch_rows(g, idx, n, rows, &bytes);
	fprintf(t->fp, "  GPU code: %zu fatbin %s, %s, by arch:\n", n, n == 1 ? "entry" : "entries",
		report_bytes(t, bytes, sz));
	for (size_t r = 0; r < nr; r++) {
		fprintf(t->fp, "    %-9s ", rows[r].arch);
		print_row_kinds(t, &rows[r]);
		fputc('\n', t->fp);
	}
	print_gpu_verdict(t, idx, n);
	if (attr_get_int(file->attrs, "members", -1) >= 0) {
		uint32_t *midx = xcalloc(g->nnodes + 1, sizeof *midx);
		fputs("  GPU code by member:\n", t->fp);
		print_gpu_members(t, file, midx, rows);
		free(midx);
	}
out:
	free(idx);
	free(rows);
}

static const struct graph *sort_g;

static int by_size(const void *a, const void *b)
{
	const struct gnode *x = sort_g->nodes[*(const uint32_t *)a];
	const struct gnode *y = sort_g->nodes[*(const uint32_t *)b];
	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return (int)(attr_get_int(x->attrs, "position", 0) - attr_get_int(y->attrs, "position", 0));
}

/* "text 1.2 KiB, data 0 B, bss 16 B" of a node with bytes_* attrs */
static void print_tdb(const struct rtext *t, uint64_t text, uint64_t data, uint64_t bss)
{
	char a[32], b[32], c[32];
	fprintf(t->fp, "text %s, data %s, bss %s", report_bytes(t, text, a),
		report_bytes(t, data, b), report_bytes(t, bss, c));
}

static uint64_t attr_u(const struct gnode *n, const char *k)
{
	long long v = attr_get_int(n->attrs, k, 0);
	return v > 0 ? (uint64_t)v : 0;
}

/* An archive's members: how many, their sums, the largest top rows. */
static void print_members(const struct rtext *t, const struct gnode *ar)
{
	const struct graph *g = t->g;
	uint32_t *idx = xcalloc(g->nnodes + 1, sizeof *idx);
	size_t n = 0, nelf = 0;
	uint64_t bytes = 0, text = 0, data = 0, bss = 0;
	for (uint32_t i = t->adj.off[ar->idx]; i < t->adj.off[ar->idx + 1]; i++) {
		const struct gedge *e = &g->edges[t->adj.edge[i]];
		const struct gnode *m = g->nodes[e->to];
		if (strcmp(e->kind, EK_CONTAINS) || strcmp(m->kind, NK_OBJECT) ||
		    !attr_get_str(m->attrs, "member"))
			continue;
		idx[n++] = m->idx;
		bytes += m->size;
		nelf += json_object_get(m->attrs, "bytes_text") != NULL;
		text += attr_u(m, "bytes_text");
		data += attr_u(m, "bytes_data");
		bss += attr_u(m, "bytes_bss");
	}
	char sz[32];
	fprintf(t->fp, "  members: %zu (%zu ELF), %s; a link could take at most ", n, nelf,
		report_bytes(t, bytes, sz));
	print_tdb(t, text, data, bss);
	fputs(" (as `size` counts)\n", t->fp);
	sort_g = g;
	qsort(idx, n, sizeof *idx, by_size);
	if (n)
		fputs("  largest members:\n", t->fp);
	for (size_t i = 0; i < n && i < (size_t)t->o.top; i++) {
		const struct gnode *m = g->nodes[idx[i]];
		fprintf(t->fp, "    %-28s %10s  ", attr_get_str(m->attrs, "member"),
			report_bytes(t, m->size, sz));
		if (json_object_get(m->attrs, "bytes_text"))
			print_tdb(t, attr_u(m, "bytes_text"), attr_u(m, "bytes_data"), attr_u(m, "bytes_bss"));
		else
			fputs("not ELF", t->fp);
		fputc('\n', t->fp);
	}
	if (n > (size_t)t->o.top)
		fprintf(t->fp, "    ... and %zu more (--top N, or --json for all)\n", n - (size_t)t->o.top);
	free(idx);
}

void report_print_object(struct rtext *t, const struct ginput *in)
{
	const struct gnode *n = graph_node(t->g, in->node);
	const char *bad = attr_get_str(n->attrs, "incomplete");
	bool thin = !strcmp(in->kind, "thin-archive");
	bool ar = thin || !strcmp(in->kind, "archive");
	char sz[32];
	fprintf(t->fp, "%s  %s  %s; ", n->id, in->path, report_bytes(t, n->size, sz));
	if (ar) {
		fputs(thin ? "thin archive (its members are the files it names)\n" : "static archive\n", t->fp);
	} else if (!strcmp(in->kind, "elf-object")) {
		fputs("relocatable object: ", t->fp);
		print_tdb(t, attr_u(n, "bytes_text"), attr_u(n, "bytes_data"), attr_u(n, "bytes_bss"));
		fputs(" (as `size` counts)\n", t->fp);
	} else {
		fprintf(t->fp, "%s\n", !strcmp(in->kind, "fatbin") ? "CUDA fat binary" : in->kind);
	}
	if (bad)    /* its error line said why; say it here too */
		fprintf(t->fp, "  INCOMPLETE (%s): only what was read before it is shown\n", bad);
	if (ar)
		print_members(t, n);
	if (thin)
		fputs("  GPU code: not scanned in a thin archive (give its member files as inputs)\n", t->fp);
	report_print_gpu(t, n);
}

void report_print_closure_gpu(struct rtext *t)
{
	const struct graph *g = t->g;
	uint32_t *idx = xcalloc(g->nnodes + 1, sizeof *idx);
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct gnode *n = g->nodes[i];
		if (t->block_of[i] >= 0 || strcmp(n->kind, NK_GPU) == 0 ||
		    !gpu_entries(t, n, NULL, idx))
			continue;
		const char *path = attr_get_str(n->attrs, "path");
		fprintf(t->fp, "%s  %s  (loaded by the inputs)\n", n->id, path ? path : "");
		report_print_gpu(t, n);
	}
	free(idx);
}
