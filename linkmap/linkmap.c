/* linkmap.c - placeholder until the parsers land (issue 4). */
#include "linkmap.h"
#include "../common/diag.h"

int linkmap_merge(struct graph *g, const char *path, const char *p, size_t n,
		  const char *output_node, struct diag_list *w, struct diag *d)
{
	(void)g; (void)p; (void)n; (void)output_node; (void)w;
	return diag_err(d, path, "linker maps are not supported yet");
}
