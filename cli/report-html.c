/* report-html.c - `slim report --html` and `--svg` (placeholders until
 * graph/ outputs land, issue 7). */
#include "cli.h"

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
