/*
 * ofile.h - output files that are never left half-written.
 *
 * ofile_open() creates "DIR/.NAME.XXXXXX" beside the target and returns a
 * FILE* to write; ofile_commit() flushes, checks every write (fflush,
 * ferror, fsync, fclose) and renames over the target; ofile_abort() removes
 * the temporary.  An error or a kill before commit leaves the old target
 * untouched (and a temporary behind, after SIGKILL only: see
 * ofile_catch_signals).  "-" means stdout: commit then only flushes and checks it.
 * A target that exists and is not a regular file (/dev/null, a FIFO) is
 * opened and written in place, never replaced.
 */
#ifndef SLIM_OFILE_H
#define SLIM_OFILE_H

#include <stdbool.h>
#include <stdio.h>

struct diag;

struct ofile {
	char *target;     /* owned */
	char *tmp;        /* owned; NULL for stdout */
	FILE *fp;
	bool in_place;    /* target is not a regular file: written directly */
};

FILE *ofile_open(struct ofile *o, const char *path, struct diag *d);
int ofile_commit(struct ofile *o, struct diag *d);
void ofile_abort(struct ofile *o);

/* Remove every temporary not yet committed or aborted (a fatal error is
 * about to end the run: memlimit_fail). */
void ofile_abort_all(void);

/* Install handlers for SIGINT, SIGTERM, SIGHUP and SIGPIPE that remove
 * the temporaries in flight before the signal ends the run (a SIGKILL
 * still leaves one beside its untouched target). */
void ofile_catch_signals(void);

/* Write a whole buffer to `path` via ofile. */
int ofile_write_all(const char *path, const void *p, size_t n, struct diag *d);

#endif
