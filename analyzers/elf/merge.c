/*
 * merge.c - the ELF analyzer behind the one analyzer interface
 * (common/run.h): each input's closure, bindings, unused libraries and
 * sizes through the run's one resolution context, and the two services
 * the run offers other analyzers (pydeps' extension modules): the closure
 * of a file, and a look at one shared object's dynamic section.
 */
#include "slim-elf.h"
#include "../../common/diag.h"
#include "../../common/run.h"
#include "../../graph/graph.h"

int elf_merge(struct graph *g, const struct input *in, size_t n,
	      const struct run *r, struct diag_list *errs)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct diag d = {0};
		const char *root = NULL;
		if (elf_analyze(r->elf, g, in[i].path, &root, r->w, &d)) {
			diag_warn(errs, &d);
			rc = -1;
		}
		GRAPH_DEBUG_CHECK(g);
	}
	return rc;
}

int elf_run_closure(const struct run *r, struct graph *g, const char *path,
		    const char **id, struct diag *d)
{
	if (!r->elf)
		return diag_err(d, path, "no ELF resolution context in this run");
	int rc = elf_analyze(r->elf, g, path, id, r->w, d);
	GRAPH_DEBUG_CHECK(g);
	return rc;
}
