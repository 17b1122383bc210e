/*
 * lm-input.c - linker maps behind the one analyzer interface
 * (common/run.h): each map is merged into the ELF node it describes
 * (in[i].node, chosen by the pipeline: the first ELF input), and refused
 * unless it describes that file (linkmap_load() compares the allocated
 * output sections with the file's section headers).
 */
#include "linkmap.h"
#include "../common/diag.h"
#include "../common/run.h"
#include "../graph/graph.h"

int linkmap_merge(struct graph *g, const struct input *in, size_t n,
		  const struct run *r, struct diag_list *errs)
{
	static const struct linkmap_opts none;
	const struct linkmap_opts *o = r->map ? r->map : &none;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct gnode *bin = in[i].node ? graph_node(g, in[i].node) : NULL;
		struct linkmap_load_opts lo = {
			.why = o->why, .no_derive = o->no_derive,
			.bin = bin ? attr_get_str(bin->attrs, "path") : NULL,
			.output_node = in[i].node,
		};
		struct diag d = {0};
		if (linkmap_load(g, in[i].path, &lo, r->w, &d)) {
			diag_warn(errs, &d);
			rc = -1;
		}
	}
	GRAPH_DEBUG_CHECK(g);
	return rc;
}
