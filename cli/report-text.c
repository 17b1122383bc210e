/* report-text.c - the ranked human summary of `slim report` (placeholder
 * until the ELF analyzer lands). */
#include "cli.h"

int report_print_text(const struct graph *g, FILE *fp, int top)
{
	(void)top;
	fprintf(fp, "%zu nodes, %zu edges, %zu findings\n", g->nnodes,
		g->nedges, g->nfindings);
	return 0;
}

