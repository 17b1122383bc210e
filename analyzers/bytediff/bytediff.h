/*
 * bytediff.h - why two builds of the same thing differ, byte by byte, and
 * what a content-addressed store would re-send (issue #16: `slim diff`
 * on two builds, `slim cas`).
 *
 * bytediff_run() pairs the files of OLD and NEW (two files, or two
 * directories walked with fts) by relative path, then the unpaired ones
 * by content digest (XXH3-128, libxxhash) as moves.  A pair of equal size
 * is proven equal by memcmp of the two mappings, never by size or digest
 * alone.  A differing pair is aligned unit by unit (units.c): ELF
 * sections by name plus the ELF and section header tables, ar and tar
 * members and their header fields, zip members with their header and
 * extra fields, .pyc header fields and body, gzip header fields and the
 * decompressed stream, zstd and xz streams; anything else is one unit.  A unit's differing
 * bytes are the larger of its two sizes.  explain.c then normalizes the
 * causes it finds (build-path prefixes replaced, timestamps and build IDs
 * zeroed, archive owner and mode fields, order sorted, random temporary
 * names) and calls the unit explained only when the normalized versions
 * compare equal; the unit's bytes are shared among the causes it took, in
 * proportion to the bytes each normalization changed.  Otherwise the whole
 * unit is "unexplained", with its first differing offsets.
 *
 * Ownership: a struct bd_result owns every string and array in it;
 * bytediff_free() releases them.  Errors (a file vs a directory, an
 * unreadable file, a corrupt member) go to `errs`, one per input, and the
 * rest is still compared; bytediff_run() returns -1 only when nothing
 * could be compared at all (d set).
 */
#ifndef SLIM_BYTEDIFF_H
#define SLIM_BYTEDIFF_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../common/buf.h"
#include "../../common/diag.h"

enum bd_status { BD_SAME, BD_DIFFERS, BD_ADDED, BD_REMOVED, BD_MOVED };

enum bd_cause {
	BC_BUILD_ID, BC_BUILD_PATH, BC_TIMESTAMP, BC_OWNER, BC_MODE,
	BC_ORDER, BC_RANDOM, BC_UNEXPLAINED, BC_N
};

struct bd_cause_row {
	enum bd_cause cause;
	uint64_t bytes;
	char *where;              /* "unit [0xlo-0xhi)", owned */
};

struct bd_file {
	char *path;               /* relative to NEW (OLD for removed); owned */
	char *old_path;           /* moved: relative to OLD; else NULL */
	enum bd_status status;
	uint64_t old_size, new_size;
	uint64_t bytes_differing; /* sum over units; added/removed: the size */
	uint64_t bytes_explained;
	struct bd_cause_row *causes;
	size_t ncauses, capcauses;
};

struct bd_result {
	struct bd_file *files;    /* sorted by path */
	size_t nfiles, capfiles;
	size_t nsame, ndiffer, nadded, nremoved, nmoved;
	uint64_t bytes_differing, bytes_explained;
	uint64_t old_bytes, new_bytes;
	uint64_t by_cause[BC_N];
};

const char *bd_cause_name(enum bd_cause c);
const char *bd_status_name(enum bd_status s);
/* The fix for a cause, one line ("-ffile-prefix-map=OLD=NEW ..."). */
const char *bd_cause_fix(enum bd_cause c);

/* Compare OLD and NEW (two regular files or two directories).  r is
 * filled (zero it first); errors per file go to errs.  0, or -1 with d
 * set when the operands cannot be compared at all (missing, or a file
 * against a directory). */
int bytediff_run(struct bd_result *r, const char *old, const char *new,
		 struct diag_list *errs, struct diag *d);
void bytediff_free(struct bd_result *r);

/* Renderings (format.c).  `limit` files per list in text/markdown (0 =
 * all).  bytediff_json_add() adds "files" and "totals" to a slim-diff/1
 * document. */
void bytediff_format_text(const struct bd_result *r, struct buf *b, size_t limit);
void bytediff_format_markdown(const struct bd_result *r, struct buf *b, size_t limit);
void bytediff_json_add(const struct bd_result *r, json_t *doc);

/*
 * `slim cas` (cas.c): the bytes NEW uploads to a store that holds OLDs,
 * per file (XXH3-128 of each file) and per content-defined chunk
 * (FastCDC: gear hash, normalized chunking with masks of avg's bits +-2,
 * min = avg/4, max = avg*4, as casync's limits), and the same when the
 * causes bytediff_run() explains were fixed (a NEW file explained in
 * full against any OLD would be byte-equal to that OLD's file, which the
 * store holds, so it uploads nothing).
 */
struct cas_side {
	uint64_t files, files_new, bytes, file_bytes_new;
	uint64_t chunks, chunks_new, chunk_bytes_new;
};
struct cas_result {
	struct cas_side now, fixed;
	uint64_t store_files, store_chunks, store_bytes;
	size_t chunk_min, chunk_avg, chunk_max;
};
/* olds[0..nold) and new: files or directories.  0 or -1 with d set; a
 * file that cannot be read goes to errs and is left out. */
int cas_run(struct cas_result *c, const char *const *olds, size_t nold,
	    const char *new, size_t chunk_avg, struct diag_list *errs,
	    struct diag *d);

#endif
