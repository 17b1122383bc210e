/*
 * diag.h - one diagnostic, recorded below and reported above.
 *
 * Library code (common/, graph/, analyzers/, linkmap/, pydeps/) never prints
 * and never exits.  On failure it fills a caller-supplied struct diag with the
 * file, the byte offset (or line) where the problem is, and one lowercase
 * sentence, and returns -1.  cli/ formats it once:
 *
 *     slim: FILE: offset 0x1f0: section header table runs past end of file
 *
 * Warnings (problems that do not stop an analysis) go to a struct diag_list
 * owned by the caller; cli/ prints them after the run.
 */
#ifndef SLIM_DIAG_H
#define SLIM_DIAG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum diag_where { DIAG_NONE, DIAG_OFFSET, DIAG_LINE };

struct diag {
	char file[1024];
	enum diag_where where;
	uint64_t pos;           /* byte offset or 1-based line, per `where` */
	char msg[512];
};

/* Record an error; always returns -1 so callers can `return diag_err(...)`.
 * `file` may be NULL (kept as is if already set).  Formats printf-style. */
int diag_err(struct diag *d, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int diag_err_at(struct diag *d, const char *file, uint64_t off,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int diag_err_line(struct diag *d, const char *file, uint64_t line,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Format `d` as one line "slim: FILE: offset 0x..: msg" into `out`. */
void diag_format(const struct diag *d, char *out, size_t n);
/* Print d as one line; nothing for an empty diag (file and message unset:
 * the error was already printed where it happened). */
void diag_print(const struct diag *d, FILE *fp);

/* A growable list of warnings; each is a full struct diag. */
struct diag_list {
	struct diag *v;
	size_t n, cap;
	size_t dropped;         /* warnings past the cap, counted only */
};
/* Append a warning (capped at 10000 entries; the rest are counted). */
void diag_warn(struct diag_list *l, const struct diag *d);
void diag_warn_line(struct diag_list *l, const char *file, uint64_t line,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void diag_warn_at(struct diag_list *l, const char *file, uint64_t off,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void diag_list_print(const struct diag_list *l, FILE *fp);
void diag_list_free(struct diag_list *l);

#endif
