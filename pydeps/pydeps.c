/* pydeps.c - placeholder until the analyzer lands (issue 6). */
#include "pydeps.h"
#include "../common/diag.h"

int pydeps_merge(struct graph *g, const struct pydeps_opts *o,
		 struct diag_list *w, struct diag *d)
{
	(void)g; (void)o; (void)w;
	return diag_err(d, NULL, "python analysis is not supported yet");
}
