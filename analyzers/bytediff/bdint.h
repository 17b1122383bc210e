/*
 * bdint.h - what the files of analyzers/bytediff/ share (not public).
 *
 * A struct bd_ctx is one file pair being compared: the file row its units
 * write into, the run's path-prefix pairs (shared by every file: a build
 * directory found in one file explains it in the next), and what the
 * current ELF pair says about itself (build IDs, string sections).
 */
#ifndef SLIM_BDINT_H
#define SLIM_BDINT_H

#include "bytediff.h"

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#define BD_MAX_PATHS 64
#define BD_MAX_STRSEC 4

struct bd_paths {                 /* prefix pairs: old, new (owned) */
	char *a[BD_MAX_PATHS], *b[BD_MAX_PATHS];
	size_t la[BD_MAX_PATHS], lb[BD_MAX_PATHS];
	size_t n;
};

struct bd_bytes {
	const unsigned char *p;
	size_t n;
};

struct bd_ctx {
	struct bd_file *f;
	struct bd_paths *paths;
	uint64_t now;                 /* the run's clock, for epoch seconds */
	struct bd_bytes bida, bidb;   /* build-id descriptors, or empty */
	struct bd_bytes stra[BD_MAX_STRSEC], strb[BD_MAX_STRSEC];
	size_t nstr;                  /* string sections paired by index */
	int depth;                    /* nesting of members and streams */
	struct diag_list *errs;       /* a side that is corrupt: one line */
	const char *path;             /* NEW's file, for those lines */
	bool code;                    /* the unit is machine code: no
				       * numbers are read as timestamps */
	bool table;                   /* a table of binary records (a symbol
				       * table): never read as lines or
				       * strings in another order */
};

/* explain.c: compare one unit.  `unit_bytes` is what it counts when it
 * differs (0: the larger of na, nb).  Rows go to c->f. */
void bd_unit(struct bd_ctx *c, const char *where, const unsigned char *a,
	     size_t na, const unsigned char *b, size_t nb, uint64_t unit_bytes);
/* A header field whose difference is `cause` by what the field is (an ar
 * member's date, uid, mode): one row when a and b differ. */
void bd_field(struct bd_ctx *c, const char *where, const unsigned char *a,
	      const unsigned char *b, size_t n, enum bd_cause cause);
/* A unit whose difference follows from others (offsets and sizes in a
 * section header table, an archive's symbol index): `bytes` go to the
 * file's largest cause so far (build-id last), or to unexplained. */
void bd_consequence(struct bd_ctx *c, const char *where, uint64_t bytes);
void bd_row(struct bd_ctx *c, enum bd_cause cause, uint64_t bytes,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* units.c: split a differing pair into units by format and compare each. */
void bd_compare(struct bd_ctx *c, const char *name, const char *prefix,
		const unsigned char *a, size_t na, const unsigned char *b,
		size_t nb);
/* units.c: the members of a ustar/pax/GNU tar in [p, p+n), in order, into
 * *out (the caller frees it): each header's offset, its data's offset and
 * size (checked against n), its name (a GNU long name applied; a pax or
 * long-name header is a member named "[... header K]").  0, or -1 when a
 * header lacks the ustar magic or a size runs past the end. */
struct bd_tmem {
	char name[300];
	int dup;                      /* k-th member of this name */
	size_t hdr, data, size;
};
int bd_tar_list(const unsigned char *p, size_t n, struct bd_tmem **out, size_t *count);

/* walk.c: one side of a pair of directories, walked with fts (physical):
 * regular files and symlinks by path relative to the root, sorted. */
struct bd_ent {
	char *rel;            /* owned */
	char *abs;            /* owned */
	bool link;
	uint64_t size;
	XXH128_hash_t h;
	bool hashed, used;
	struct bd_ent *next;  /* same digest, in unpaired() */
};
struct bd_side {
	struct bd_ent *v;
	size_t n, cap;
};
int bd_walk(struct bd_side *s, const char *root, struct diag_list *errs);
void bd_side_free(struct bd_side *s);
/* walk.c: a new row of r (path copied), zeroed but for path and status. */
struct bd_file *bd_add_file(struct bd_result *r, const char *path, enum bd_status st);
/* walk.c: r's counts and totals summed from its files. */
void bd_tally(struct bd_result *r);

/* image.c: OLD and NEW as two container images (OCI layouts, or tars
 * holding one or a docker save): 1 when they are and r is filled, 0 when
 * either is no image (nothing done), -1 with d set when nothing could be
 * compared. */
int bd_image_run(struct bd_result *r, const char *old, const char *new,
		 struct diag_list *errs, struct diag *d);

#endif
