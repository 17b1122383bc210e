/* report-text.c - the ranked human summary of `slim report` (placeholder
 * until the ELF analyzer lands), and the HTML/SVG hooks. */
#include "cli.h"

int report_print_text(const struct graph *g, FILE *fp, int top)
{
	(void)top;
	fprintf(fp, "%zu nodes, %zu edges, %zu findings\n", g->nnodes,
		g->nedges, g->nfindings);
	return 0;
}

int report_write_html(const struct graph *g, const char *path, struct diag *d)
{
	(void)g;
	return diag_err(d, path, "--html is not supported yet");
}

int report_write_svg(const struct graph *g, const char *path, struct diag *d)
{
	(void)g;
	return diag_err(d, path, "--svg is not supported yet");
}
