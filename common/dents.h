/*
 * dents.h - a directory's entries read with getdents64() into the
 * caller's buffer: no DIR (fdopendir()'s two fcntl() calls, a 32 KiB
 * buffer of its own), and on a file system whose getdents fills the
 * buffer until the directory ends, no second call to learn that it did.
 *
 * Every getdents64() returns as many whole entries as fit, but only some
 * file systems keep going until the buffer is full: ext2/3/4 (linear
 * and hashed directories) and tmpfs do; FUSE returns at most a page per
 * call, NFS and others may stop short.  So a short read is taken for the
 * end only on the file systems in dents_fills()'s list (by statfs
 * f_type), where a read that leaves room for the longest entry (a
 * 255-byte name) ended because the directory did.  Anywhere else the
 * next call's 0 says so, as readdir() would.  The two walks of a
 * deployable (pipeline/tree-walk.c, pipeline/cache.c's key) read their
 * 18k directories on /usr with one call each instead of two.
 */
#ifndef SLIM_DENTS_H
#define SLIM_DENTS_H

#include <dirent.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct dents {
	int fd;
	char *buf;
	size_t cap;
	size_t at, got;         /* the entries of the last read: [at, got) */
	bool fills;             /* a short read is the end (dents_fills()) */
	bool done;              /* the end, or an error (err) was read */
	int err;                /* getdents64()'s errno, 0 */
};

/* Start reading the directory open at fd into buf (cap bytes, at least
 * DENTS_MIN); fills: dents_fills() of it. */
#define DENTS_MIN 4096
void dents_start(struct dents *d, int fd, char *buf, size_t cap, bool fills);

/* The next entry but "." and "..", or NULL at the end or on a read
 * error (d->err: its errno; the entries before it were given). */
const struct dirent64 *dents_next(struct dents *d);

/* Whether getdents64() on the directory open at fd, of device dev, fills
 * its buffer until the directory ends (the file system of dev is asked
 * once per thread: the last device's answer is kept). */
bool dents_fills(int fd, uint64_t dev);

#endif
