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

#endif
