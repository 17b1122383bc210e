/*
 * diff-format.c - the three renderings of a struct gdiff: plain text for a
 * terminal, markdown for a pull-request comment, JSON for tools.  All three
 * walk the already-sorted lists of diff.c, so output is deterministic.
 */
#include "diff.h"
#include "../common/util.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void signed_bytes(struct buf *b, int64_t delta)
{
	char h[32];
	uint64_t mag = delta < 0 ? (uint64_t)-delta : (uint64_t)delta;
	buf_printf(b, "%c%s", delta < 0 ? '-' : '+', human_bytes(mag, h, sizeof h));
}

static void pct(struct buf *b, uint64_t old, uint64_t new)
{
	if (!old)
		buf_puts(b, new ? "new" : "0%");
	else
		buf_printf(b, "%+.1f%%", ((double)new - (double)old) * 100.0 / (double)old);
}

static void summary_line(const struct gdiff *d, struct buf *b)
{
	char h1[32], h2[32];
	buf_printf(b, "total %s -> %s (", human_bytes(d->old_total, h1, sizeof h1),
		   human_bytes(d->new_total, h2, sizeof h2));
	signed_bytes(b, (int64_t)(d->new_total - d->old_total));
	buf_puts(b, ", ");
	pct(b, d->old_total, d->new_total);
	buf_printf(b, "); nodes +%zu -%zu, %zu resized; edges +%zu -%zu; "
		   "findings +%zu -%zu\n", d->nadded, d->nremoved, d->ngrown,
		   d->neadded, d->neremoved, d->nfnew, d->nfgone);
}

static bool more(struct buf *b, size_t i, size_t n, size_t limit,
		 const char *indent)
{
	if (!limit || i < limit)
		return false;
	buf_printf(b, "%s... and %zu more\n", indent, n - i);
	return true;
}

static void finding_line(struct buf *b, const struct gfinding *f, bool md)
{
	char h[32];
	const char *q = md ? "`" : "";
	buf_printf(b, "%s %s%s%s", f->kind, q, f->node, q);
	if (f->dependent)
		buf_printf(b, " (of %s%s%s)", q, f->dependent, q);
	buf_printf(b, ", %s, %s\n", human_bytes(f->bytes, h, sizeof h), f->confidence);
}

void diff_format_text(const struct gdiff *d, struct buf *b, size_t limit)
{
	char h1[32], h2[32];
	summary_line(d, b);
	buf_puts(b, "\nby kind:\n");
	for (size_t i = 0; i < d->nkinds; i++) {
		const struct diff_kind *k = &d->kinds[i];
		buf_printf(b, "  %-10s nodes %zu -> %zu (+%zu -%zu), bytes %s -> %s (",
			   k->kind, k->old_n, k->new_n, k->added, k->removed,
			   human_bytes(k->old_bytes, h1, sizeof h1),
			   human_bytes(k->new_bytes, h2, sizeof h2));
		signed_bytes(b, (int64_t)(k->new_bytes - k->old_bytes));
		buf_puts(b, ")\n");
	}
	buf_printf(b, "\nnodes added (%zu):\n", d->nadded);
	for (size_t i = 0; i < d->nadded && !more(b, i, d->nadded, limit, "  "); i++)
		buf_printf(b, "  + %s  (%s, %s)\n", d->added[i]->id, d->added[i]->kind,
			   human_bytes(d->added[i]->size, h1, sizeof h1));
	buf_printf(b, "\nnodes removed (%zu):\n", d->nremoved);
	for (size_t i = 0; i < d->nremoved && !more(b, i, d->nremoved, limit, "  "); i++)
		buf_printf(b, "  - %s  (%s, %s)\n", d->removed[i]->id, d->removed[i]->kind,
			   human_bytes(d->removed[i]->size, h1, sizeof h1));
	buf_printf(b, "\nnodes resized (%zu):\n", d->ngrown);
	for (size_t i = 0; i < d->ngrown && !more(b, i, d->ngrown, limit, "  "); i++) {
		const struct diff_grow *g = &d->grown[i];
		buf_printf(b, "  ~ %s  %s -> %s (", g->new->id,
			   human_bytes(g->old->size, h1, sizeof h1),
			   human_bytes(g->new->size, h2, sizeof h2));
		signed_bytes(b, g->delta);
		buf_puts(b, ", ");
		pct(b, g->old->size, g->new->size);
		buf_puts(b, ")\n");
	}
	buf_printf(b, "\nedges added (%zu):\n", d->neadded);
	for (size_t i = 0; i < d->neadded && !more(b, i, d->neadded, limit, "  "); i++) {
		buf_puts(b, "  + ");
		diff_edge_name(d->new, d->eadded[i], b);
		buf_puts(b, "\n");
	}
	buf_printf(b, "\nedges removed (%zu):\n", d->neremoved);
	for (size_t i = 0; i < d->neremoved && !more(b, i, d->neremoved, limit, "  "); i++) {
		buf_puts(b, "  - ");
		diff_edge_name(d->old, d->eremoved[i], b);
		buf_puts(b, "\n");
	}
	buf_printf(b, "\nfindings new (%zu):\n", d->nfnew);
	for (size_t i = 0; i < d->nfnew && !more(b, i, d->nfnew, limit, "  "); i++) {
		buf_puts(b, "  + ");
		finding_line(b, d->fnew[i], false);
	}
	buf_printf(b, "\nfindings gone (%zu):\n", d->nfgone);
	for (size_t i = 0; i < d->nfgone && !more(b, i, d->nfgone, limit, "  "); i++) {
		buf_puts(b, "  - ");
		finding_line(b, d->fgone[i], false);
	}
}

static void md_nodes(struct buf *b, const char *title,
		     const struct gnode *const *v, size_t n, size_t limit)
{
	char h[32];
	if (!n)
		return;
	buf_printf(b, "\n#### %s (%zu)\n\n| node | kind | bytes |\n|---|---|---:|\n",
		   title, n);
	for (size_t i = 0; i < n && !more(b, i, n, limit, ""); i++)
		buf_printf(b, "| `%s` | %s | %s |\n", v[i]->id, v[i]->kind,
			   human_bytes(v[i]->size, h, sizeof h));
}

void diff_format_markdown(const struct gdiff *d, struct buf *b, size_t limit)
{
	char h1[32], h2[32];
	buf_puts(b, "**");
	summary_line(d, b);
	b->len--;                    /* the newline summary_line ended with */
	buf_puts(b, "**\n\n| kind | nodes | added | removed | bytes | change |\n"
		    "|---|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < d->nkinds; i++) {
		const struct diff_kind *k = &d->kinds[i];
		buf_printf(b, "| %s | %zu -> %zu | %zu | %zu | %s -> %s | ", k->kind,
			   k->old_n, k->new_n, k->added, k->removed,
			   human_bytes(k->old_bytes, h1, sizeof h1),
			   human_bytes(k->new_bytes, h2, sizeof h2));
		signed_bytes(b, (int64_t)(k->new_bytes - k->old_bytes));
		buf_puts(b, " |\n");
	}
	md_nodes(b, "Nodes added", d->added, d->nadded, limit);
	md_nodes(b, "Nodes removed", d->removed, d->nremoved, limit);
	if (d->ngrown) {
		buf_printf(b, "\n#### Nodes resized (%zu)\n\n| node | before | after | change |\n|---|---:|---:|---:|\n", d->ngrown);
		for (size_t i = 0; i < d->ngrown && !more(b, i, d->ngrown, limit, ""); i++) {
			const struct diff_grow *g = &d->grown[i];
			buf_printf(b, "| `%s` | %s | %s | ", g->new->id,
				   human_bytes(g->old->size, h1, sizeof h1),
				   human_bytes(g->new->size, h2, sizeof h2));
			signed_bytes(b, g->delta);
			buf_puts(b, " (");
			pct(b, g->old->size, g->new->size);
			buf_puts(b, ") |\n");
		}
	}
	if (d->neadded || d->neremoved) {
		buf_printf(b, "\n#### Edges (+%zu -%zu)\n\n", d->neadded, d->neremoved);
		for (size_t i = 0; i < d->neadded && !more(b, i, d->neadded, limit, ""); i++) {
			buf_puts(b, "- added `");
			diff_edge_name(d->new, d->eadded[i], b);
			buf_puts(b, "`\n");
		}
		for (size_t i = 0; i < d->neremoved && !more(b, i, d->neremoved, limit, ""); i++) {
			buf_puts(b, "- removed `");
			diff_edge_name(d->old, d->eremoved[i], b);
			buf_puts(b, "`\n");
		}
	}
	if (d->nfnew || d->nfgone) {
		buf_printf(b, "\n#### Findings (+%zu -%zu)\n\n", d->nfnew, d->nfgone);
		for (size_t i = 0; i < d->nfnew && !more(b, i, d->nfnew, limit, ""); i++) {
			buf_puts(b, "- new: ");
			finding_line(b, d->fnew[i], true);
		}
		for (size_t i = 0; i < d->nfgone && !more(b, i, d->nfgone, limit, ""); i++) {
			buf_puts(b, "- gone: ");
			finding_line(b, d->fgone[i], true);
		}
	}
}

static json_t *node_json(const struct gnode *n)
{
	return json_pack("{s:s,s:s,s:I}", "id", n->id, "kind", n->kind,
			 "size", (json_int_t)n->size);
}

static json_t *edge_json(const struct graph *g, const struct gedge *e)
{
	return json_pack("{s:s,s:s,s:s}", "from", g->nodes[e->from]->id,
			 "to", g->nodes[e->to]->id, "kind", e->kind);
}

static json_t *finding_json(const struct gfinding *f)
{
	json_t *o = json_pack("{s:s,s:s,s:I,s:s}", "kind", f->kind, "node", f->node,
			      "bytes", (json_int_t)f->bytes, "confidence", f->confidence);
	attr_str(o, "dependent", f->dependent);
	return o;
}

json_t *diff_to_json(const struct gdiff *d)
{
	json_t *doc = json_object(), *a;
	attr_str(doc, "schema", "slim-diff/1");
	json_object_set_new(doc, "total_bytes", json_pack("{s:I,s:I,s:I}",
		"old", (json_int_t)d->old_total, "new", (json_int_t)d->new_total,
		"delta", (json_int_t)(d->new_total - d->old_total)));
	json_object_set_new(doc, "nodes_added", a = json_array());
	for (size_t i = 0; i < d->nadded; i++)
		json_array_append_new(a, node_json(d->added[i]));
	json_object_set_new(doc, "nodes_removed", a = json_array());
	for (size_t i = 0; i < d->nremoved; i++)
		json_array_append_new(a, node_json(d->removed[i]));
	json_object_set_new(doc, "nodes_resized", a = json_array());
	for (size_t i = 0; i < d->ngrown; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:I,s:I,s:I}",
			"id", d->grown[i].new->id, "kind", d->grown[i].new->kind,
			"old", (json_int_t)d->grown[i].old->size,
			"new", (json_int_t)d->grown[i].new->size,
			"delta", (json_int_t)d->grown[i].delta));
	json_object_set_new(doc, "edges_added", a = json_array());
	for (size_t i = 0; i < d->neadded; i++)
		json_array_append_new(a, edge_json(d->new, d->eadded[i]));
	json_object_set_new(doc, "edges_removed", a = json_array());
	for (size_t i = 0; i < d->neremoved; i++)
		json_array_append_new(a, edge_json(d->old, d->eremoved[i]));
	json_object_set_new(doc, "findings_new", a = json_array());
	for (size_t i = 0; i < d->nfnew; i++)
		json_array_append_new(a, finding_json(d->fnew[i]));
	json_object_set_new(doc, "findings_gone", a = json_array());
	for (size_t i = 0; i < d->nfgone; i++)
		json_array_append_new(a, finding_json(d->fgone[i]));
	json_object_set_new(doc, "by_kind", a = json_object());
	for (size_t i = 0; i < d->nkinds; i++) {
		const struct diff_kind *k = &d->kinds[i];
		json_object_set_new(a, k->kind, json_pack("{s:I,s:I,s:I,s:I,s:I,s:I}",
			"old_nodes", (json_int_t)k->old_n, "new_nodes", (json_int_t)k->new_n,
			"added", (json_int_t)k->added, "removed", (json_int_t)k->removed,
			"old_bytes", (json_int_t)k->old_bytes,
			"new_bytes", (json_int_t)k->new_bytes));
	}
	return doc;
}
