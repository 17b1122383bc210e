/*
 * prune.h - write the slimmer artifact (`slim prune`, issue #17).
 *
 * The rewriting layer: it sits above the pipeline (it takes the analyzers'
 * verdicts and acts on them) and below cli/, which only parses options and
 * prints what prune_file() reports.  Nothing here prints.
 *
 * prune_file() writes OUT from INPUT with the GPU code no target can load
 * and the DT_NEEDED entries proven unused (needed.c) removed (analyzers/fatbin/rewrite.c says how a container is rewritten),
 * atomically (a temporary beside OUT, renamed over it), INPUT untouched.
 * An input that cannot be rewritten safely is copied unchanged, the reason
 * in the result (the caller warns with it).
 */
#ifndef SLIM_PRUNE_H
#define SLIM_PRUNE_H

#include <stdbool.h>
#include <stdint.h>

#include "../analyzers/fatbin/fatbin.h"
#include "../common/diag.h"

struct prune_opts {
	const char *arch;                /* --arch, as given; NULL: no GPU pruning */
	struct fatbin_target t[64];      /* ... parsed (fatbin_parse_arch()) */
	size_t nt;
	bool likely;                     /* --include likely: redundant PTX and
					    duplicates go too */
	bool compressed_size;            /* zstd sizes before and after */
};

/* One unused library (a proven, direct unused-library finding). */
struct prune_lib {
	char *needed;             /* the DT_NEEDED string */
	char *node;               /* the library's node id */
	bool dt_init;             /* its DT_INIT: no longer runs when removed */
	uint64_t init_array;      /* its DT_INIT_ARRAY + DT_PREINIT_ARRAY entries */
	bool removed;             /* else why */
	char why[300];
};

/* Bytes written over the output at `off` (the ELF edits). */
struct prune_patch {
	uint64_t off, len;
	unsigned char *data;      /* owned */
};

struct prune_result {
	bool gpu;                 /* the file holds fatbin entries */
	bool refused;             /* copied unchanged although it has GPU code
				     or is an ELF file slim cannot read: why */
	char why[600];
	uint64_t bytes;           /* file size (the output's too) */
	uint32_t entries;         /* fatbin entries in the input */
	uint32_t removed;         /* ... removed */
	uint32_t containers;      /* containers rewritten */
	uint64_t freed;           /* bytes of the removed entries */
	uint64_t freed_proven;    /* ... of those proven prunable */
	uint64_t zin, zout;       /* zstd sizes (compressed_size) */
	struct prune_lib *libs;   /* unused libraries: removed, or kept and why */
	size_t nlibs, caplibs;
	struct prune_patch *patches;
	size_t npatches, cappatches;
};

/* Free what prune_file() allocated in r. */
void prune_result_free(struct prune_result *r);

/*
 * Write `out` (a regular file; created or replaced atomically, with the
 * input's permission bits) from the file `in`.  Returns 0 and fills r;
 * -1 with d set when nothing could be written (input unreadable, output
 * not writable).  `out` and `in` must differ (the caller checks).
 */
int prune_file(const char *in, const char *out, const struct prune_opts *o,
	       struct prune_result *r, struct diag *d);

#endif
