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

/* One unused library (a proven, direct unused-library finding). */
struct prune_lib {
	char *needed;             /* the DT_NEEDED string */
	char *node;               /* the library's node id */
	bool likely;              /* a likely finding (--include likely) */
	bool still_loaded;        /* another object still loads it: its
				     initializers still run */
	bool transitive;          /* not a DT_NEEDED entry of the file: a library
				     loaded only through removed entries, which
				     stops loading with them */
	bool dt_init;             /* its DT_INIT: no longer runs when removed */
	uint64_t init_array;      /* its DT_INIT_ARRAY + DT_PREINIT_ARRAY entries */
	bool removed;             /* else why */
	char why[300];
};

struct prune_opts {
	const char *arch;                /* --arch, as given; NULL: no GPU pruning */
	struct fatbin_target t[64];      /* ... parsed (fatbin_parse_arch()) */
	size_t nt;
	bool likely;                     /* --include likely: redundant PTX and
					    duplicates go too */
	bool compressed_size;            /* zstd sizes before and after */
	/* inside a deployable: the unused libraries of this file, from the
	 * deployable's own run (resolved inside its root), instead of a run
	 * of the file on this system */
	bool libs_given;
	const struct prune_lib *libs;
	size_t nlibs;
	bool link_unchanged;             /* nothing to change: hardlink OUT to
					    INPUT (a copy where link() fails) */
};

/* Bytes written over the output at `off` (the ELF edits). */
struct prune_patch {
	uint64_t off, len;
	unsigned char *data;      /* owned */
};

struct prune_result {
	bool gpu;                 /* the file holds fatbin entries */
	bool linked;              /* OUT is a hardlink to INPUT (link_unchanged) */
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

/* What a deployable's prune does, file by file (prune/tree.c). */
struct prune_tree_opts {
	struct prune_opts file;          /* --arch, --include likely, ... */
	const char **entries;            /* --entry PATH, as slim report takes */
	size_t nentries;
	const char **py_traces;          /* --py-trace T */
	size_t ntraces;
	bool in_place;                   /* OUT is INPUT (--in-place) */
	/* each change: a file removed (finding and confidence), a file
	 * rewritten (its result), a RECORD rewritten; rel is the path
	 * relative to the root */
	void (*on_removed)(void *ctx, const char *rel, const char *finding,
			   const char *confidence);
	void (*on_file)(void *ctx, const char *rel, const struct prune_result *r);
	/* with file.likely: a duplicate-file copy made a hardlink of the kept
	 * copy `to` (in an archive OUT: a tar hardlink entry) */
	void (*on_linked)(void *ctx, const char *rel, const char *to);
	void *ctx;
};

/*
 * Prune the deployable `in` (a directory, or an archive or image as `slim
 * report` reads them) into `out`: a new directory (unchanged files
 * hardlinked to the input's where it is a directory on the same
 * filesystem, else copied), or an archive chosen by out's extension (.tar,
 * .tar.zst, .zip).  What goes: the deployable's prune list (proven
 * findings, likely ones too with file.likely), a dist-info directory with
 * its distribution when every file its RECORD lists goes, the RECORD
 * lines of the files removed from a kept distribution; every ELF file is
 * rewritten by prune_file() with the unused libraries the deployable's
 * own run found.  With file.likely, each copy of a duplicate-file set
 * whose written bytes, mode and owner equal the kept copy's becomes a
 * hardlink to it (never a deletion).  out is made beside its final name and renamed into
 * place (out == in: the input is replaced only when all is written).
 * Returns 0, or -1 with d set (nothing left at out).
 */
int prune_tree(const char *in, const char *out, const struct prune_tree_opts *o,
	       struct diag_list *w, struct diag *d);

/*
 * Write `out` (a regular file; created or replaced atomically, with the
 * input's permission bits) from the file `in`.  Returns 0 and fills r;
 * -1 with d set when nothing could be written (input unreadable, output
 * not writable).  `out` and `in` must differ (the caller checks).
 */
int prune_file(const char *in, const char *out, const struct prune_opts *o,
	       struct prune_result *r, struct diag *d);

/* Remove a file or a whole tree (what a failed --check leaves). */
void prune_remove(const char *path);
/* Put tmp (a file or a directory, beside target) in target's place: a
 * rename, or for a directory the target moved aside, tmp renamed in, the
 * old tree removed.  -1 with d set (target then as it was). */
int prune_replace(const char *tmp, const char *target, struct diag *d);

/* --check CMD: run on INPUT then on OUT, compared (prune/check.c). */
struct prune_check_result {
	bool passed;
	int status_in, status_out;   /* exit status; -1: timed out */
	size_t stdout_in, stdout_out;
	char why[200];               /* when not passed */
};

/*
 * Run CMD (/bin/sh -c, each "{}" replaced by the quoted path) on in, then
 * on out, each with stdin from /dev/null and at most timeout_s seconds
 * (then killed with its process group); passed when exit status and
 * stdout are the same.  Returns 0 and fills r, or -1 with d set when a
 * command could not be started.
 */
int prune_check(const char *cmd, const char *in, const char *out,
		unsigned timeout_s, struct prune_check_result *r, struct diag *d);

#endif
