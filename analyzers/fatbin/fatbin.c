/* fatbin.c - placeholder until the analyzer lands (issue 5). */
#include "fatbin.h"

int fatbin_merge(struct graph *g, const char *path, const unsigned char *p,
		 size_t n, const char *owner_node, const struct fatbin_opts *o,
		 struct diag_list *w, struct diag *d)
{
	(void)g; (void)path; (void)p; (void)n; (void)owner_node; (void)o;
	(void)w; (void)d;
	return 0;
}
