/*
 * mfile.h - an input file mapped read-only.
 *
 * mfile_open() maps the whole file (MAP_PRIVATE, copy-on-write: libelf may
 * convert data in place and must never write through) so analyzers
 * touch only the pages a question needs.  Directories, devices, FIFOs and
 * unreadable paths are errors (recorded in the diag, with the path).  An
 * empty file maps to p == NULL, n == 0.  The mfile owns the mapping;
 * mfile_close() unmaps it and is safe on a zeroed or already closed mfile.
 */
#ifndef SLIM_MFILE_H
#define SLIM_MFILE_H

#include <stddef.h>
#include <stdint.h>

struct diag;

struct mfile {
	const char *path;          /* as given; not owned */
	const unsigned char *p;
	size_t n;
	uint64_t dev, ino;         /* identity, to detect the same file twice */
};

int mfile_open(struct mfile *f, const char *path, struct diag *d);
/* The same, with `path` resolved inside the directory `rootfd` (symlinks
 * and ".." cannot leave it); rootfd < 0 is plain mfile_open(). */
int mfile_open_at(struct mfile *f, int rootfd, const char *path, struct diag *d);
/* The same over an open descriptor, which it takes (always closes). */
int mfile_open_fd(struct mfile *f, int fd, const char *path, struct diag *d);
void mfile_close(struct mfile *f);

/* SHA-256 of [p, p+n) as 64 lowercase hex digits plus NUL into hex[65]. */
void sha256_hex(const void *p, size_t n, char hex[65]);
/* The same over the whole file open at fd, read in 64 KiB blocks from
 * offset 0 (memory bounded whatever its size).  0, or -1 with errno. */
int sha256_fd_hex(int fd, char hex[65]);

#endif
