/*
 * tree-cache.c - per-file results of a deployable's report (`slim report
 * DIR --cache CDIR`, issue #14): a re-run after one file of the tree
 * changed reads every other file's results from CDIR instead of its
 * bytes.
 *
 * What is kept per file is what depends on its bytes alone (and, for the
 * Python test, its name): its type and category (tree.c's type_file():
 * an open, a read and, for ELF, a mapping), the XXH3-128 of its first
 * 4 KiB and of its whole content (tree-dup.c's candidates), its
 * tokens holding ".so" (tree-scan.c: every live ELF file's string
 * sections), and a Python source's static import scan (pydeps' bytes,
 * struct pyscan_store: found by the file's key, the hash of the path
 * and of the module's name).
 * What depends on another file -- closures, bindings, liveness, which
 * files are duplicates (the byte-for-byte comparison is made again), the
 * findings and totals -- is recomputed in every run.  A record is found
 * by (device, inode) and used only when (size, mtime, ctime) and the
 * hash of the path typing named it by are the walk's: ctime is set by
 * the kernel on every write, rename, chmod and link, so a file rewritten
 * with its old mtime restored still misses.  In an archive or image
 * unpacked for the run (new inodes and times every run) a record is
 * found by the XXH3-128 of the member's data, which the unpack computes
 * as it writes it (deploy.h, struct deploy_digest), and used when the
 * size and the path's hash are the file's: a new version of an image,
 * under the same path, takes the results of every member it shares with
 * the last one.  A file whose content
 * changed between the walk's stat and the read is stored under the
 * walk's (older) stat, which no later walk meets again.
 *
 * The file, CDIR/files-HEX.fc (HEX: XXH3-128 of slim's identity, the
 * same as the run cache's, and the tree's real path, or the archive's;
 * one file per tree and binary), all integers in host order:
 *
 *     struct fc_hdr           magic "slim-files/2", slim's identity,
 *                             record count, token bytes, scan count,
 *                             scan bytes, and the XXH3-128 of
 *                             everything after the header
 *     struct fc_rec[nrec]     sorted by (dev, ino), no two alike
 *     struct fc_scan[nscan]   sorted by (key, path hash, module hash)
 *     token bytes             each record's tokens, NUL-terminated, one
 *                             after another
 *     scan bytes              each scan's, one after another
 *
 * It is mapped read-only and checked whole before use (size, magic,
 * identity, digest); each record is checked again where used (its type,
 * its tokens' range and count).  A file that fails is one warning (to
 * the cache's own list: never part of the report's warnings, which the
 * run cache replays) and is ignored: every file is read again and the
 * cache rewritten.  It is written after the report through ofile (a
 * temporary beside it, renamed), only when a record changed, was added
 * or is gone, streaming (memory: one index per file; records and tokens
 * go straight to the file, the digest put in the header last).
 */
#include "tree-int.h"
#include "tree-scan.h"
#include "cache.h"
#include "../common/diag.h"
#include "../common/filetype.h"
#include "../common/ofile.h"
#include "../common/util.h"
#include "../pydeps/pydeps.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY   /* XXH3_state_t on the stack */
#include <xxhash.h>

#define FC_MAGIC "slim-files/2"

struct fc_hdr {
	char magic[16];
	char id[33];            /* slim's identity, hex (rcache_identity()) */
	char pad[7];
	uint64_t nrec, ntok;
	uint64_t nscan, nscanb; /* Python sources' stored scans, their bytes */
	uint64_t dig_hi, dig_lo;
};

enum { FC_HEAD = 1, FC_FULL = 2, FC_TOK = 4 };

/* What finds and checks a file's record: (device, inode) or a member's
 * digest in (a, b), then the rest; records are sorted by (a, b). */
struct fc_key {
	uint64_t a, b, size;
	int64_t msec, csec;
	uint32_t mnsec, cnsec;
};

static int key_cmp(const struct fc_key *x, const struct fc_key *y)
{
	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	return x->b < y->b ? -1 : x->b > y->b;
}

static bool key_eq(const struct fc_key *x, const struct fc_key *y)
{
	return !key_cmp(x, y) && x->size == y->size && x->msec == y->msec &&
	       x->mnsec == y->mnsec && x->csec == y->csec && x->cnsec == y->cnsec;
}

struct fc_rec {
	struct fc_key k;
	uint64_t relh;          /* XXH3-64 of the path typing named it by */
	int32_t type;
	uint8_t cat, flags;
	uint16_t pad;
	uint64_t head_hi, head_lo, full_hi, full_lo;
	uint64_t tok_off;       /* into the token bytes */
	uint32_t tok_len, tok_n;
};

/* A Python source's static scan as pydeps stored it (struct
 * pyscan_store), found by the file's key, the hash of the path it was
 * scanned at and of its module's name. */
struct fc_scan {
	struct fc_key k;
	uint64_t relh, modh;
	uint64_t off;           /* into the scan bytes */
	uint32_t len, pad;
};

struct fc_keep {                /* a scan this run used or made: written */
	struct fc_scan s;
	const char *p;          /* its bytes (in the old file, or own) */
	bool own;
};

struct tree_fcache {
	const unsigned char *map;
	size_t n;
	const struct fc_rec *rec;
	uint64_t nrec;
	const char *tok;
	uint64_t ntok;
	const struct fc_scan *scan;
	uint64_t nscan;
	const char *scanb;
	uint64_t nscanb;
	pthread_mutex_t mu;     /* for keep: the scan's threads */
	struct fc_keep *keep;
	size_t nkeep, capkeep;
	bool scan_new;          /* a scan made this run (a miss) */
	struct pyscan_store store;
	void *pool;             /* the token bytes as a tree-scan pool */
	char path[4096];
	char id[33];
	struct diag_list *w;
	atomic_size_t hits;
};

static void fc_warn(struct tree_fcache *c, const char *why)
{
	struct diag d = {0};
	diag_err(&d, c->path, "--cache: per-file results ignored (%s): every file is read again", why);
	diag_warn(c->w, &d);
}

/* the mapping checked whole; -1 (warned) when it is not this slim's
 * cache of this tree or is damaged */
static int fc_check(struct tree_fcache *c)
{
	const struct fc_hdr *h = (const void *)c->map;
	if (c->n < sizeof *h || memcmp(h->magic, FC_MAGIC, sizeof FC_MAGIC)) {
		fc_warn(c, "not a " FC_MAGIC " file");
		return -1;
	}
	if (memcmp(h->id, c->id, 32)) {
		fc_warn(c, "another slim's file");
		return -1;
	}
	uint64_t body = c->n - sizeof *h;
	if (h->nrec > body / sizeof(struct fc_rec) ||
	    h->nscan > (body - h->nrec * sizeof(struct fc_rec)) / sizeof(struct fc_scan) ||
	    h->ntok > body || h->nscanb > body ||
	    h->ntok + h->nscanb != body - h->nrec * sizeof(struct fc_rec) -
				   h->nscan * sizeof(struct fc_scan)) {
		fc_warn(c, "truncated: its size differs from its header's");
		return -1;
	}
	XXH128_hash_t x = XXH3_128bits(c->map + sizeof *h, (size_t)body);
	if (x.high64 != h->dig_hi || x.low64 != h->dig_lo) {
		fc_warn(c, "its digest differs from its header's");
		return -1;
	}
	c->rec = (const void *)(c->map + sizeof *h);
	c->nrec = h->nrec;
	c->scan = (const void *)(c->map + sizeof *h + h->nrec * sizeof(struct fc_rec));
	c->nscan = h->nscan;
	c->tok = (const char *)(c->scan + h->nscan);
	c->ntok = h->ntok;
	c->scanb = c->tok + h->ntok;
	c->nscanb = h->nscanb;
	return 0;
}

void tree_fcache_open(struct tree *t, const char *cdir, struct diag_list *w)
{
	struct tree_fcache *c = xcalloc(1, sizeof *c);
	c->w = w;
	pthread_mutex_init(&c->mu, NULL);
	rcache_identity(c->id);
	char name[33];
	XXH3_state_t s;
	XXH3_128bits_reset(&s);
	XXH3_128bits_update(&s, c->id, 32);
	const char *which = t->cache_name ? t->cache_name : t->real;
	XXH3_128bits_update(&s, which, strlen(which) + 1);
	XXH128_hash_t x = XXH3_128bits_digest(&s);
	snprintf(name, sizeof name, "%016llx%016llx", (unsigned long long)x.high64,
		 (unsigned long long)x.low64);
	snprintf(c->path, sizeof c->path, "%s/files-%s.fc", cdir, name);
	atomic_init(&c->hits, 0);
	t->fc = c;
	int fd = open(c->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return;           /* none yet: every file a miss, nothing to say */
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		fc_warn(c, "not a regular file");
		return;
	}
	if (st.st_size > 0) {
		/* read-only and private: page cache, no RLIMIT_DATA charge */
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			c->map = m;
			c->n = (size_t)st.st_size;
		}
	}
	close(fd);
	if (fc_check(c)) {
		if (c->map)
			munmap((void *)c->map, c->n);
		c->map = NULL;
		c->nrec = 0;
		return;
	}
	c->pool = tree_pool_wrap(c->tok, (size_t)c->ntok);
}

static uint64_t rel_hash(const char *rel)
{
	return XXH3_64bits(rel, strlen(rel));
}

/* f's key: in a directory its (device, inode) and (size, mtime, ctime);
 * in an unpacked archive or image (t->digests) its member's digest and
 * its size, since the unpack's inodes and times are new every run.
 * false: no key (no member wrote it), never cached. */
static bool fc_key_of(const struct tree *t, const struct tfile *f, struct fc_key *k)
{
	if (!t->digests) {
		*k = (struct fc_key){f->dev, f->ino, f->size, f->msec, f->csec, f->mnsec, f->cnsec};
		return true;
	}
	size_t lo = 0, hi = t->ndigests;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->digests[mid].ino < f->ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == t->ndigests || t->digests[lo].ino != f->ino)
		return false;
	*k = (struct fc_key){t->digests[lo].hi, t->digests[lo].lo, f->size, 0, 0, 0, 0};
	return true;
}

/* f's record, when its key and the hash of its path are the record's
 * and the record's fields are sound; NULL otherwise */
static const struct fc_rec *fc_find(const struct tree_fcache *c, const struct tree *t,
				    const struct tfile *f)
{
	struct fc_key k;
	if (!fc_key_of(t, f, &k))
		return NULL;
	size_t lo = 0, hi = (size_t)c->nrec;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct fc_rec *r = &c->rec[mid];
		if (key_cmp(&r->k, &k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == c->nrec)
		return NULL;
	const struct fc_rec *r = &c->rec[lo];
	if (!key_eq(&r->k, &k) || r->relh != rel_hash(f->rel))
		return NULL;
	bool elf = r->type == FT_ELF_EXEC || r->type == FT_ELF_DYN || r->type == FT_ELF_REL;
	if (elf ? r->cat != TC_ELF : r->type != FT_UNKNOWN || (r->cat != TC_PY && r->cat != TC_DATA))
		return NULL;
	if (r->flags & FC_TOK) {
		/* its tokens: inside the token bytes, tok_n NUL-terminated */
		if (r->tok_off > c->ntok || r->tok_len > c->ntok - r->tok_off ||
		    (r->tok_len && c->tok[r->tok_off + r->tok_len - 1]) || (!r->tok_len) != (!r->tok_n))
			return NULL;
		uint32_t nul = 0;
		for (uint32_t k2 = 0; k2 < r->tok_len; k2++)
			nul += !c->tok[r->tok_off + k2];
		if (nul != r->tok_n)
			return NULL;
	}
	return r;
}

/* ---- Python sources' scans (pydeps.h, struct pyscan_store) ---- */

/* the scan's key for the source at path (as pydeps opens it: the
 * tree's directory, then the path inside) and module; false: none */
static bool scan_key(struct tree *t, const char *path, const char *module, struct fc_scan *k)
{
	/* (pydeps names its roots' files by their real paths) */
	const char *rel = NULL;
	for (int w = 0; w < 2 && !rel; w++) {
		const char *d = w ? t->real : t->dir;
		size_t dl = strlen(d);
		if (!strncmp(path, d, dl) && path[dl] == '/')
			rel = path + dl + 1;
	}
	size_t i = rel ? (size_t)(uintptr_t)hmap_gets(&t->by_path, rel) : 0;
	struct fc_key fk;
	if (!i || !fc_key_of(t, &t->f[i - 1], &fk))
		return false;
	*k = (struct fc_scan){fk, rel_hash(rel), XXH3_64bits(module, strlen(module)), 0, 0, 0};
	return true;
}

static int scan_cmp(const struct fc_scan *x, const struct fc_scan *y)
{
	int c = key_cmp(&x->k, &y->k);
	if (c)
		return c;
	if (x->relh != y->relh)
		return x->relh < y->relh ? -1 : 1;
	return x->modh < y->modh ? -1 : x->modh > y->modh;
}

static bool scan_same(const struct fc_scan *x, const struct fc_scan *y)
{
	return !scan_cmp(x, y) && key_eq(&x->k, &y->k);
}

static void keep(struct tree_fcache *c, const struct fc_scan *k, const char *p, bool own)
{
	pthread_mutex_lock(&c->mu);
	GROW(c->keep, c->capkeep, c->nkeep + 1);
	c->keep[c->nkeep++] = (struct fc_keep){*k, p, own};
	c->scan_new |= own;
	pthread_mutex_unlock(&c->mu);
}

static const void *scan_get(void *ctx, const char *path, const char *module, size_t *len)
{
	struct tree *t = ctx;
	struct tree_fcache *c = t->fc;
	struct fc_scan k;
	if (!c || !c->nscan || !scan_key(t, path, module, &k))
		return NULL;
	size_t lo = 0, hi = (size_t)c->nscan;
	while (lo < hi) {   /* sorted by scan_cmp(), no two alike */
		size_t mid = lo + (hi - lo) / 2;
		if (scan_cmp(&c->scan[mid], &k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == c->nscan || !scan_same(&c->scan[lo], &k))
		return NULL;
	const struct fc_scan *r = &c->scan[lo];
	if (r->off > c->nscanb || r->len > c->nscanb - r->off)
		return NULL;
	keep(c, r, c->scanb + r->off, false);
	*len = r->len;
	return c->scanb + r->off;
}

static void scan_put(void *ctx, const char *path, const char *module, const void *bytes,
		     size_t len)
{
	struct tree *t = ctx;
	struct fc_scan k;
	if (!t->fc || len > UINT32_MAX || !scan_key(t, path, module, &k))
		return;
	char *p = xmalloc(len + 1);
	memcpy(p, bytes, len);
	k.len = (uint32_t)len;
	keep(t->fc, &k, p, true);
}

bool tree_fcache_empty(const struct tree *t)
{
	return !t->fc || !t->fc->nrec;
}

const struct pyscan_store *tree_fcache_store(struct tree *t)
{
	struct tree_fcache *c = t->fc;
	if (!c)
		return NULL;
	c->store = (struct pyscan_store){t, scan_get, scan_put};
	return &c->store;
}

static int by_scan(const void *a, const void *b)
{
	return scan_cmp(&((const struct fc_keep *)a)->s, &((const struct fc_keep *)b)->s);
}

bool tree_fcache_type(struct tree *t, struct tfile *f, struct tree_tokens *tok)
{
	struct tree_fcache *c = t->fc;
	const struct fc_rec *r = c && c->nrec ? fc_find(c, t, f) : NULL;
	if (!r)
		return false;
	f->type = r->type;
	f->cat = r->cat;
	if (r->flags & FC_HEAD) {
		f->head = true;
		f->head_hi = r->head_hi;
		f->head_lo = r->head_lo;
	}
	if (r->flags & FC_FULL) {
		f->full = true;
		f->full_hi = r->full_hi;
		f->full_lo = r->full_lo;
	}
	if (r->flags & FC_TOK)
		*tok = (struct tree_tokens){c->pool, (size_t)r->tok_off, r->tok_n};
	f->typed = true;
	f->fc_hit = true;
	atomic_fetch_add(&c->hits, 1);
	return true;
}

/* the bytes of a file's tokens (n strings, each NUL-terminated) */
static size_t tok_bytes(const struct tree_tokens *k)
{
	const char *s = tree_tokens_first(k);
	size_t len = 0;
	for (uint32_t j = 0; j < k->n; j++) {
		size_t l = strlen(s) + 1;
		len += l;
		s += l;
	}
	return len;
}

struct fc_ix {                  /* a file to store, by its key */
	struct fc_key k;
	uint32_t file;
};

static int by_key(const void *a, const void *b)
{
	const struct fc_ix *x = a, *y = b;
	int c = key_cmp(&x->k, &y->k);
	return c ? c : x->file < y->file ? -1 : x->file > y->file;
}

/* whether anything in the cache would change: a file typed from its
 * bytes (a miss), a result found in this run that its record lacks, or
 * a record of a file no longer there */
static bool fc_dirty(const struct tree *t, const struct fc_ix *ix, size_t nstore)
{
	const struct tree_fcache *c = t->fc;
	if (nstore != c->nrec || atomic_load(&c->hits) != nstore)
		return true;
	for (size_t k = 0; k < nstore; k++) {
		const struct tfile *f = &t->f[ix[k].file];
		const struct fc_rec *r = fc_find(c, t, f);
		if (!r || (f->full && !(r->flags & FC_FULL)) ||
		    (t->tok[ix[k].file].pool && !(r->flags & FC_TOK)))
			return true;
	}
	return false;
}

/* bytes after the header: written and digested (ofile_commit() finds a
 * write error) */
static void fc_put(FILE *fp, XXH3_state_t *s, const void *p, size_t n)
{
	fwrite(p, 1, n, fp);
	XXH3_128bits_update(s, p, n);
}

/* whether f's bytes may change without its times showing it
 * (rcache_racy()): a file of a directory changed just before the walk.
 * (In an unpacked archive a file is found by its content's digest.) */
static bool racy(const struct tree *t, const struct tfile *f)
{
	return !t->digests && rcache_racy(f->csec, (long)f->cnsec, &t->walk_start);
}

void tree_fcache_write(struct tree *t)
{
	struct tree_fcache *c = t->fc;
	if (!c)
		return;
	/* every typed file with a key, one per key (in an archive two files
	 * of one content share one: the first in the inventory keeps it) */
	struct fc_ix *ix = xcalloc(t->n + 1, sizeof *ix);
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->f[i].typed && !racy(t, &t->f[i]) && fc_key_of(t, &t->f[i], &ix[n].k))
			ix[n++].file = (uint32_t)i;
	qsort(ix, n, sizeof *ix, by_key);
	size_t u = 0;
	for (size_t k = 0; k < n; k++)
		if (!u || key_cmp(&ix[k].k, &ix[u - 1].k))
			ix[u++] = ix[k];
	n = u;
	/* the scans: one per key (a module scanned twice keeps the first),
	 * none of a racy file */
	size_t nk = 0;
	for (size_t k = 0; k < c->nkeep; k++)
		if (!t->digests && rcache_racy(c->keep[k].s.k.csec, c->keep[k].s.k.cnsec,
					       &t->walk_start)) {
			c->scan_new = true;   /* (the file is written without it) */
			if (c->keep[k].own)
				free((char *)c->keep[k].p);
		} else
			c->keep[nk++] = c->keep[k];
	c->nkeep = nk;
	if (c->nkeep > 1)
		qsort(c->keep, c->nkeep, sizeof *c->keep, by_scan);
	size_t ns = 0;
	for (size_t k = 0; k < c->nkeep; k++)
		if (!ns || scan_cmp(&c->keep[k].s, &c->keep[ns - 1].s))
			c->keep[ns++] = c->keep[k];
		else if (c->keep[k].own)
			free((char *)c->keep[k].p);
	c->nkeep = ns;
	if (!fc_dirty(t, ix, n) && !c->scan_new && ns == c->nscan) {
		free(ix);
		return;
	}
	struct diag d = {0};
	struct ofile of;
	FILE *fp = ofile_open(&of, c->path, &d);
	if (!fp)
		goto fail;
	struct fc_hdr h = {.nrec = n, .nscan = ns};
	memcpy(h.magic, FC_MAGIC, sizeof FC_MAGIC);
	memcpy(h.id, c->id, 33);
	fwrite(&h, sizeof h, 1, fp);
	XXH3_state_t s;
	XXH3_128bits_reset(&s);
	uint64_t off = 0;
	for (size_t k = 0; k < n; k++) {
		const struct tfile *f = &t->f[ix[k].file];
		const struct tree_tokens *tk = &t->tok[ix[k].file];
		const struct fc_key *ky = &ix[k].k;
		struct fc_rec r = {*ky, rel_hash(f->rel), f->type, f->cat, 0, 0,
				   f->head_hi, f->head_lo, f->full_hi, f->full_lo, 0, 0, 0};
		r.flags = (f->head ? FC_HEAD : 0) | (f->full ? FC_FULL : 0) | (tk->pool ? FC_TOK : 0);
		if (!f->head)
			r.head_hi = r.head_lo = 0;
		if (!f->full)
			r.full_hi = r.full_lo = 0;
		if (tk->pool) {
			size_t len = tok_bytes(tk);
			r.tok_off = off;
			r.tok_len = (uint32_t)len;
			r.tok_n = tk->n;
			off += len;
		}
		fc_put(fp, &s, &r, sizeof r);
	}
	uint64_t soff = 0;
	for (size_t k = 0; k < ns; k++) {
		struct fc_scan r = c->keep[k].s;
		r.off = soff;
		r.pad = 0;
		soff += r.len;
		fc_put(fp, &s, &r, sizeof r);
	}
	for (size_t k = 0; k < n; k++) {
		const struct tree_tokens *tk = &t->tok[ix[k].file];
		if (!tk->pool || !tk->n)
			continue;
		size_t len = tok_bytes(tk);
		fc_put(fp, &s, tree_tokens_first(tk), len);
	}
	for (size_t k = 0; k < ns; k++) {
		fc_put(fp, &s, c->keep[k].p, c->keep[k].s.len);
	}
	XXH128_hash_t x = XXH3_128bits_digest(&s);
	h.ntok = off;
	h.nscanb = soff;
	h.dig_hi = x.high64;
	h.dig_lo = x.low64;
	if (fseek(fp, 0, SEEK_SET) || fwrite(&h, sizeof h, 1, fp) != 1) {
		ofile_abort(&of);
		diag_err(&d, c->path, "write failed: %s", strerror(errno));
		goto fail;
	}
	if (ofile_commit(&of, &d))
		goto fail;
	free(ix);
	return;
fail:
	free(ix);
	{
		struct diag e = {0};
		diag_err(&e, d.file[0] ? d.file : c->path, "--cache: per-file results not stored: %s", d.msg);
		diag_warn(c->w, &e);
	}
}

void tree_fcache_close(struct tree *t)
{
	struct tree_fcache *c = t->fc;
	if (!c)
		return;
	if (c->map)
		munmap((void *)c->map, c->n);
	tree_pool_unwrap(c->pool);
	for (size_t k = 0; k < c->nkeep; k++)
		if (c->keep[k].own)
			free((char *)c->keep[k].p);
	free(c->keep);
	pthread_mutex_destroy(&c->mu);
	free(c);
	t->fc = NULL;
}
