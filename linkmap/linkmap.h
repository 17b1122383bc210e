/*
 * linkmap.h - linker maps of GNU ld (BFD), gold, lld and mold.
 * (placeholder API: the parser is being built; see issue 4)
 */
#ifndef SLIM_LINKMAP_H
#define SLIM_LINKMAP_H

#include <stddef.h>

struct graph;
struct diag;
struct diag_list;

/*
 * Parse the map in [p, p+n) (read from `path`) and merge it into g: object
 * and archive-member nodes, `includes` edges from `output_node` (created
 * as kind "exe" if absent; NULL means "exe:<output file named in the map>"),
 * `pulls` edges, discarded-section / dead-archive-member findings.
 * Returns 0, or -1 with d set (file and line).  Warnings go to w.
 */
int linkmap_merge(struct graph *g, const char *path, const char *p, size_t n,
		  const char *output_node, struct diag_list *w, struct diag *d);

#endif
