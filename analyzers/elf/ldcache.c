/*
 * ldcache.c - /etc/ld.so.cache reader (glibc elf/dl-cache.c, sysdeps/
 * generic/dl-cache.h).
 *
 * Old format: "ld.so-1.7.0", nlibs, entries {int32 flags; uint32 key,
 * value} (offsets from the end of the entry array).  New format:
 * "glibc-ld.so.cache1.1", nlibs, len_strings, flags, extension_offset,
 * entries {int32 flags; uint32 key, value, osversion; uint64 hwcap}
 * (offsets from the start of the new header).  A file may hold an old
 * cache followed by a new one (glibc < 2.32 wrote both by default); the new
 * one wins, as in ld.so.  The extension section's tag 1 lists the
 * glibc-hwcaps subdirectory names that entries with bit 63 of hwcap index.
 *
 * Lookup: entries are sorted (descending, _dl_cache_libcmp) and binary
 * searched, as in ld.so, so nothing is indexed at start-up.
 * Entry choice: glibc walks the entries with the key in cache order and
 * takes the first whose flags match the loader (_dl_cache_check_flags) and
 * whose hwcaps the CPU supports, preferring glibc-hwcaps entries by the
 * priority of their subdirectory.
 */
#include "ldcache.h"
#include "../../common/diag.h"
#include "../../common/util.h"
#include "../../common/bytes.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define OLD_MAGIC "ld.so-1.7.0"
#define NEW_MAGIC "glibc-ld.so.cache1.1"
#define HWCAP_EXT (1ULL << 63)

static const char *cstr(const struct ldcache *c, uint64_t off)
{
	if (off >= c->mf.n)
		return NULL;
	const char *s = (const char *)c->mf.p + off;
	return memchr(s, 0, c->mf.n - off) ? s : NULL;
}


/* glibc's _dl_cache_libcmp: digits compare as numbers, so that
 * libfoo.so.10 sorts after libfoo.so.9; ldconfig writes the entries in
 * descending order of it, and ld.so binary-searches them. */
static int libcmp(const char *p1, const char *p2)
{
	while (*p1) {
		if (*p1 >= '0' && *p1 <= '9') {
			if (!(*p2 >= '0' && *p2 <= '9'))
				return 1;
			unsigned long long v1 = 0, v2 = 0;
			while (*p1 >= '0' && *p1 <= '9' && v1 < (1ULL << 60))
				v1 = v1 * 10 + (unsigned)(*p1++ - '0');
			while (*p2 >= '0' && *p2 <= '9' && v2 < (1ULL << 60))
				v2 = v2 * 10 + (unsigned)(*p2++ - '0');
			if (v1 != v2)
				return v1 < v2 ? -1 : 1;
		} else if (*p2 >= '0' && *p2 <= '9') {
			return -1;
		} else if (*p1 != *p2) {
			return (unsigned char)*p1 - (unsigned char)*p2;
		} else {
			p1++;
			p2++;
		}
	}
	return -(unsigned char)*p2;
}

static void read_extension(struct ldcache *c, size_t base, uint32_t ext_off)
{
	/* struct cache_extension { uint32 magic (0xEAA42174); uint32 count;
	 * struct { uint32 tag, flags, offset, size; } sections[]; } */
	uint64_t off = base + (uint64_t)ext_off;
	if (!ext_off || !range_ok(off, 8, c->mf.n) || ne32(c->mf.p + off) != 0xEAA42174u)
		return;
	uint32_t cnt = ne32(c->mf.p + off + 4);
	for (uint32_t i = 0; i < cnt && range_ok(off + 8 + 16ULL * i, 16, c->mf.n); i++) {
		const unsigned char *s = c->mf.p + off + 8 + 16ULL * i;
		if (ne32(s) != 1 /* cache_extension_tag_glibc_hwcaps */)
			continue;
		uint64_t soff = base + (uint64_t)ne32(s + 8), size = ne32(s + 12);
		if (!range_ok(soff, size, c->mf.n))
			return;
		c->nhwcaps = size / 4;
		c->hwcaps = xcalloc(c->nhwcaps + 1, sizeof *c->hwcaps);
		for (size_t k = 0; k < c->nhwcaps; k++)
			c->hwcaps[k] = cstr(c, base + ne32(c->mf.p + soff + 4 * k));
	}
}

static int parse_new(struct ldcache *c, size_t base, const char *path, struct diag *d)
{
	const unsigned char *h = c->mf.p + base;
	if (!range_ok(base, 48, c->mf.n))
		return diag_err_at(d, path, base, "ld.so.cache header truncated");
	uint32_t nlibs = ne32(h + 20);
	uint64_t need = 48 + 24ULL * nlibs;
	if (!range_ok(base, need, c->mf.n))
		return diag_err_at(d, path, base + 20, "ld.so.cache claims %u entries, more than the file holds", nlibs);
	c->e = xcalloc(nlibs + 1, sizeof *c->e);
	for (uint32_t i = 0; i < nlibs; i++) {
		const unsigned char *e = h + 48 + 24ULL * i;
		const char *k = cstr(c, base + ne32(e + 4)), *v = cstr(c, base + ne32(e + 8));
		if (!k || !v)
			return diag_err_at(d, path, (size_t)(e - c->mf.p), "ld.so.cache entry %u names a string outside the file", i);
		c->e[c->n++] = (struct ldcache_entry){(int32_t)ne32(e), ne64(e + 16), k, v};
	}
	read_extension(c, base, ne32(h + 32));
	c->format = "new";
	return 0;
}

static int parse_old(struct ldcache *c, const char *path, struct diag *d)
{
	const unsigned char *h = c->mf.p;
	if (c->mf.n < 16)
		return diag_err_at(d, path, 0, "ld.so.cache header truncated");
	uint32_t nlibs = ne32(h + 12);
	uint64_t strbase = 16 + 12ULL * nlibs;
	if (strbase > c->mf.n)
		return diag_err_at(d, path, 12, "ld.so.cache claims %u entries, more than the file holds", nlibs);
	/* a new-format cache may follow, aligned to 8 */
	uint64_t nb = (strbase + 7) & ~7ULL;
	if (range_ok(nb, sizeof NEW_MAGIC - 1, c->mf.n) &&
	    !memcmp(c->mf.p + nb, NEW_MAGIC, sizeof NEW_MAGIC - 1))
		return parse_new(c, (size_t)nb, path, d);
	c->e = xcalloc(nlibs + 1, sizeof *c->e);
	for (uint32_t i = 0; i < nlibs; i++) {
		const unsigned char *e = h + 16 + 12ULL * i;
		const char *k = cstr(c, strbase + ne32(e + 4)), *v = cstr(c, strbase + ne32(e + 8));
		if (!k || !v)
			return diag_err_at(d, path, 16 + 12ULL * i, "ld.so.cache entry %u names a string outside the file", i);
		c->e[c->n++] = (struct ldcache_entry){(int32_t)ne32(e), 0, k, v};
	}
	c->format = "old";
	return 0;
}

int ldcache_open(struct ldcache *c, const char *path, struct diag *d)
{
	memset(c, 0, sizeof *c);
	struct diag tmp = {0};
	if (mfile_open(&c->mf, path, &tmp))
		return 0; /* no cache: ld.so goes on with the default dirs */
	int rc;
	if (c->mf.n >= sizeof NEW_MAGIC - 1 && !memcmp(c->mf.p, NEW_MAGIC, sizeof NEW_MAGIC - 1))
		rc = parse_new(c, 0, path, d);
	else if (c->mf.n >= sizeof OLD_MAGIC - 1 && !memcmp(c->mf.p, OLD_MAGIC, sizeof OLD_MAGIC - 1))
		rc = parse_old(c, path, d);
	else
		rc = diag_err_at(d, path, 0, "not an ld.so.cache (unknown magic)");
	if (rc) {
		ldcache_close(c);
		return -1;
	}
	return 0;
}

void ldcache_close(struct ldcache *c)
{
	mfile_close(&c->mf);
	free(c->e);
	free(c->hwcaps);
	memset(c, 0, sizeof *c);
}

/* _DL_CACHE_DEFAULT_ID per ABI (sysdeps/.../dl-cache.h); FLAG_ELF_LIBC6 = 3 */
static int32_t cache_id(int cls, uint16_t machine)
{
	switch (machine) {
	case EM_X86_64: return cls == ELFCLASS64 ? 0x0303 : 0x0803; /* x32 */
	case EM_AARCH64: return 0x0a03;
	case EM_386: return 0x0003;
	case EM_RISCV: return cls == ELFCLASS64 ? 0x1003 : 0x0f03;
	case EM_PPC64: return 0x0503;
	case EM_S390: return cls == ELFCLASS64 ? 0x0403 : 0x0003;
	default: return 0x0003;
	}
}

const char *ldcache_lookup(const struct ldcache *c, const char *name, int cls,
			   uint16_t machine, const char *const *hwcaps_ok)
{
	/* search_cache(): binary search, then back to the first equal key */
	long left = 0, right = (long)c->n - 1, mid = -1;
	while (left <= right) {
		long m = left + (right - left) / 2;
		int r = libcmp(name, c->e[m].key);
		if (!r) {
			mid = m;
			break;
		}
		if (r < 0)
			left = m + 1;
		else
			right = m - 1;
	}
	if (mid < 0)
		return NULL;
	while (mid > 0 && !libcmp(name, c->e[mid - 1].key))
		mid--;
	int32_t id = cache_id(cls, machine);
	const char *best = NULL, *plain = NULL;
	int best_prio = 1 << 30;
	for (size_t i = (size_t)mid; i < c->n && !libcmp(name, c->e[i].key); i++) {
		const struct ldcache_entry *e = &c->e[i];
		if (c->format[0] == 'n' ? e->flags != id : (e->flags & 0xff) != 3)
			continue;
		if (e->hwcap & HWCAP_EXT) {
			uint32_t k = (uint32_t)e->hwcap;
			if (k >= c->nhwcaps || !c->hwcaps[k])
				continue;
			for (int p = 0; hwcaps_ok && hwcaps_ok[p]; p++)
				if (!strcmp(hwcaps_ok[p], c->hwcaps[k]) && p < best_prio) {
					best_prio = p;
					best = e->value;
				}
			continue;
		}
		if (e->hwcap)   /* legacy hwcap entries: not chosen statically */
			continue;
		if (!plain)
			plain = e->value;
	}
	return best ? best : plain;
}
