/*
 * gate-summary.c - the markdown a CI job posts on a pull request for `slim
 * gate`: verdict first, then every violation with its why-path (so the
 * reviewer sees which dependency pulled the new library in), the additions
 * the allow list accepted, and the diff.  GitHub caps a job summary at
 * 1 MiB and a comment at 65536 characters, so the summary is capped (60 KB
 * by default) at a line boundary, violations being first to survive the cut.
 */
#include "gate.h"
#include "../common/util.h"

#include <string.h>

static void violation_md(const struct gate_violation *v, size_t i,
			 const struct why_bfs *w, struct buf *b)
{
	buf_printf(b, "%zu. **%s**: %s\n", i + 1, v->rule, v->msg);
	struct gnode *n = v->node ? graph_node(w->g, v->node) : NULL;
	if (!n)
		return;
	struct why_path *p;
	uint64_t total;
	size_t np = why_paths(w, n->idx, 1, &p, &total);
	if (!np) {
		buf_puts(b, "   - not reachable from the root\n");
		return;
	}
	buf_printf(b, "   - why (%s%llu shortest path%s):\n\n   ```\n",
		   total > 1 ? "1 of " : "", (unsigned long long)total,
		   total > 1 ? "s" : "");
	why_path_format(w, &p[0], "   ", 0, b);
	buf_puts(b, "   ```\n");
	why_paths_free(p, np);
}

static void cap_summary(struct buf *b, size_t cap)
{
	static const char note[] =
		"\n\n_... summary cut at %zu KB; run `slim diff --markdown` for the rest_\n";
	if (b->len <= cap)
		return;
	size_t keep = cap > 256 ? cap - 256 : 0;
	while (keep && b->p[keep - 1] != '\n')
		keep--;
	/* close a code block the cut left open */
	size_t fences = 0;
	for (const char *s = b->p; (s = strstr(s, "```")) && (size_t)(s - b->p) < keep; s += 3)
		fences++;
	b->len = keep;
	b->p[keep] = 0;
	if (fences % 2)
		buf_puts(b, "```\n");
	buf_printf(b, note, cap / 1024);
}

/* a table cell: '|' and line breaks would end the cell or the row */
static void cell(struct buf *b, const char *s)
{
	for (; *s; s++)
		if (*s == '|')
			buf_puts(b, "\\|");
		else
			buf_putc(b, *s == '\n' || *s == '\r' ? ' ' : *s);
}

void gate_summary(const struct gate_result *r, const struct gdiff *d,
		  const struct why_bfs *w, const char *base_name,
		  const char *cur_name, size_t cap, struct buf *b)
{
	char h1[32], h2[32];
	buf_printf(b, "## slim gate: %s\n\n", r->n ? "FAILED" : "passed");
	buf_printf(b, "Baseline `%s` (%zu nodes, %s) -> `%s` (%zu nodes, %s): "
		   "%zu violation%s, %zu accepted by the allow list.\n",
		   base_name, d->old->nnodes, human_bytes(d->old_total, h1, sizeof h1),
		   cur_name, d->new->nnodes, human_bytes(d->new_total, h2, sizeof h2),
		   r->n, r->n == 1 ? "" : "s", r->naccepted);
	if (r->n) {
		buf_puts(b, "\n### Violations\n\n");
		for (size_t i = 0; i < r->n; i++)
			violation_md(&r->v[i], i, w, b);
	}
	if (r->naccepted) {
		buf_puts(b, "\n### Accepted by the allow list\n\n"
			    "| node | reason | owner | expires |\n|---|---|---|---|\n");
		for (size_t i = 0; i < r->naccepted; i++) {
			buf_printf(b, "| `%s` | ", r->accepted[i]);
			cell(b, r->accepted_by[i]->reason);
			buf_puts(b, " | ");
			cell(b, r->accepted_by[i]->owner);
			buf_printf(b, " | %s |\n", r->accepted_by[i]->expires);
		}
	}
	buf_puts(b, "\n### Changes\n\n");
	diff_format_markdown(d, b, 50);
	cap_summary(b, cap);
}
