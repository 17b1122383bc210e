/*
 * fatbin.h - CUDA fat binaries in ELF files and archives.
 * (placeholder API: the analyzer is being built; see issue 5)
 */
#ifndef SLIM_FATBIN_H
#define SLIM_FATBIN_H

#include <stdbool.h>
#include <stddef.h>

struct graph;
struct diag;
struct diag_list;

struct fatbin_opts {
	const char *arch;   /* "sm_80,sm_90" or NULL: no prunable findings */
	bool kernels;       /* decompress cubins and list kernels */
};

/*
 * Find every fatbin in the ELF file or ar archive [p, p+n) read from `path`
 * and add one `gpu` node per entry (and `kernel` nodes with o->kernels),
 * `contains` edges from `owner_node` (which must exist), and findings.
 * Returns the number of entries found (>= 0), or -1 with d set.
 */
int fatbin_merge(struct graph *g, const char *path, const unsigned char *p,
		 size_t n, const char *owner_node, const struct fatbin_opts *o,
		 struct diag_list *w, struct diag *d);

#endif
