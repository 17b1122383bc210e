/*
 * dents.c - a directory's entries with getdents64() (dents.h).
 */
#include "dents.h"

#include <errno.h>
#include <linux/magic.h>
#include <stddef.h>
#include <string.h>
#include <sys/vfs.h>

/* the longest record getdents64() gives: the header, a 255-byte name,
 * its NUL, rounded up to 8 */
#define DENT_MAX ((offsetof(struct dirent64, d_name) + 256 + 7) & ~(size_t)7)

void dents_start(struct dents *d, int fd, char *buf, size_t cap, bool fills)
{
	*d = (struct dents){.fd = fd, .buf = buf, .cap = cap, .fills = fills};
}

const struct dirent64 *dents_next(struct dents *d)
{
	for (;;) {
		if (d->at >= d->got) {
			if (d->done)
				return NULL;
			ssize_t n = getdents64(d->fd, d->buf, d->cap);
			if (n <= 0) {
				d->err = n < 0 ? errno : 0;
				d->done = true;
				return NULL;
			}
			d->at = 0;
			d->got = (size_t)n;
			/* room left for the longest entry: the directory ended */
			if (d->fills && d->got + DENT_MAX <= d->cap)
				d->done = true;
		}
		const struct dirent64 *e = (const struct dirent64 *)(d->buf + d->at);
		if (e->d_reclen < offsetof(struct dirent64, d_name) + 1 ||
		    e->d_reclen > d->got - d->at) {
			d->err = EIO;   /* (not what the kernel writes) */
			d->done = true;
			d->at = d->got;
			return NULL;
		}
		d->at += e->d_reclen;
		const char *nm = e->d_name;
		if (nm[0] == '.' && (!nm[1] || (nm[1] == '.' && !nm[2])))
			continue;
		return e;
	}
}

bool dents_fills(int fd, uint64_t dev)
{
	static __thread uint64_t last_dev;
	static __thread int last = -1;
	if (last >= 0 && dev == last_dev)
		return last;
	struct statfs sf;
	int fills = 0;
	if (!fstatfs(fd, &sf))
		switch ((unsigned long)sf.f_type) {
		case EXT4_SUPER_MAGIC:   /* ext2, ext3 and ext4 */
		case TMPFS_MAGIC:
			fills = 1;
			break;
		default:
			break;
		}
	last_dev = dev;
	last = fills;
	return fills;
}
