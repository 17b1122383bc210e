/*
 * ldcache.h - /etc/ld.so.cache, both formats, looked up as glibc's
 * _dl_load_cache_lookup() (elf/dl-cache.c) does.
 */
#ifndef SLIM_LDCACHE_H
#define SLIM_LDCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "../../common/hmap.h"
#include "../../common/mfile.h"

struct diag;

struct ldcache_entry {
	int32_t flags;
	uint64_t hwcap;
	const char *key, *value;   /* point into the mapping, NUL-checked */
};

struct ldcache {
	struct mfile mf;
	const char *format;        /* "new" (glibc-ld.so.cache1.1), "old" (ld.so-1.7.0) */
	struct ldcache_entry *e;
	size_t n;
	const char **hwcaps;       /* glibc-hwcaps subdirectory names, by index */
	size_t nhwcaps;
};

/* Parse the cache at path.  A missing file is not an error (returns 0 with
 * n == 0, as ld.so works without a cache); a corrupt one is (-1, d set). */
int ldcache_open(struct ldcache *c, const char *path, struct diag *d);
void ldcache_close(struct ldcache *c);

/*
 * The path the cache gives for `name` for an object of this class and
 * machine, or NULL.  `hwcaps_ok` names the glibc-hwcaps subdirectories the
 * target CPU supports, best first (NULL-terminated).
 */
const char *ldcache_lookup(const struct ldcache *c, const char *name, int cls,
			   uint16_t machine, const char *const *hwcaps_ok);

#endif
