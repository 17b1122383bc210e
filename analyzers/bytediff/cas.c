/*
 * cas.c - what a content-addressed package of NEW uploads to a store that
 * holds OLD builds (`slim cas`, issue #16, bytediff.h).
 *
 * Files: keyed by XXH3-128 of their bytes (libxxhash), as a store keys
 * them; a NEW file uploads when no OLD file and no earlier NEW file has its
 * digest.  Chunks: each side's files, in path order, are one stream (as
 * casync's catar serializes a tree) cut by FastCDC (Xia et al., "FastCDC:
 * a Fast and Efficient Content-Defined Chunking Approach", USENIX ATC
 * 2016): a gear hash h = (h << 1) + gear[byte], a cut where the top bits
 * selected by the mask are zero, normalized chunking of level 2 (a mask of
 * log2(avg)+2 bits below avg, log2(avg)-2 bits past it), no cut before min
 * and always one at max.  The gear table is a fixed SplitMix64 sequence, so
 * boundaries are the same on every run.  A chunk uploads when its XXH3-128
 * digest is in no OLD chunk and no earlier NEW chunk.
 * "fixed": the same counts with every NEW file that bytediff_run() explains
 * in full against any OLD replaced by that OLD version (a file the store
 * holds): the bytes a deterministic build would have sent.
 * Memory: one chunk buffer (max bytes) and 24 bytes per chunk and file.
 */
#include "bdint.h"

#include <errno.h>
#include <fts.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "../../common/mfile.h"
#include "../../common/util.h"

struct key {
	XXH128_hash_t h;
	uint64_t size;
};

struct keys {
	struct key *v;
	size_t n, cap;
};

struct chunker {
	uint64_t gear[256];
	uint64_t mask_s, mask_l, h;
	size_t min, avg, max, len;
	unsigned char *buf;
	struct keys *out;
};

struct path {
	char *rel, *abs;
};

struct plist {
	struct path *v;
	size_t n, cap;
};

static void keys_add(struct keys *k, XXH128_hash_t h, uint64_t size)
{
	GROW(k->v, k->cap, k->n + 1);
	k->v[k->n++] = (struct key){h, size};
}

static int cmp_key(const void *x, const void *y)
{
	const struct key *a = x, *b = y;
	if (a->h.high64 != b->h.high64)
		return a->h.high64 < b->h.high64 ? -1 : 1;
	if (a->h.low64 != b->h.low64)
		return a->h.low64 < b->h.low64 ? -1 : 1;
	return 0;
}

/* Sort and drop repeats; returns the bytes of the distinct keys. */
static uint64_t keys_unique(struct keys *k)
{
	if (!k->n)
		return 0;
	qsort(k->v, k->n, sizeof *k->v, cmp_key);
	size_t j = 0;
	for (size_t i = 0; i < k->n; i++)
		if (!j || cmp_key(&k->v[j - 1], &k->v[i]))
			k->v[j++] = k->v[i];
	k->n = j;
	uint64_t sum = 0;
	for (size_t i = 0; i < j; i++)
		sum += k->v[i].size;
	return sum;
}

static uint64_t mask_top(unsigned bits)
{
	return bits >= 64 ? ~0ull : ((1ull << bits) - 1) << (64 - bits);
}

static void chunker_init(struct chunker *c, size_t avg, struct keys *out)
{
	memset(c, 0, sizeof *c);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < 256; i++) {     /* SplitMix64 */
		uint64_t z = (x += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		c->gear[i] = z ^ (z >> 31);
	}
	unsigned bits = 0;
	while (((size_t)1 << (bits + 1)) <= avg)
		bits++;
	c->mask_s = mask_top(bits + 2);
	c->mask_l = mask_top(bits > 2 ? bits - 2 : 1);
	c->avg = avg;
	c->min = avg / 4;
	c->max = avg * 4;
	c->buf = xmalloc(c->max);
	c->out = out;
}

static void chunk_emit(struct chunker *c)
{
	if (c->len)
		keys_add(c->out, XXH3_128bits(c->buf, c->len), c->len);
	c->len = 0;
	c->h = 0;
}

static void chunker_feed(struct chunker *c, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		c->buf[c->len++] = p[i];
		c->h = (c->h << 1) + c->gear[p[i]];
		if (c->len < c->min)
			continue;
		if (c->len >= c->max || !(c->h & (c->len < c->avg ? c->mask_s : c->mask_l)))
			chunk_emit(c);
	}
}

static int cmp_path(const void *x, const void *y)
{
	return strcmp(((const struct path *)x)->rel, ((const struct path *)y)->rel);
}

static int list_files(struct plist *l, const char *root, struct diag *d)
{
	struct stat st;
	if (stat(root, &st))
		return diag_err(d, root, "cannot read: %s", strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		GROW(l->v, l->cap, l->n + 1);
		const char *b = strrchr(root, '/');
		l->v[l->n++] = (struct path){xstrdup(b ? b + 1 : root), xstrdup(root)};
		return 0;
	}
	char *argv[] = {(char *)root, NULL};
	FTS *fts = fts_open(argv, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	if (!fts)
		return diag_err(d, root, "cannot walk: %s", strerror(errno));
	size_t rl = strlen(root);
	FTSENT *e;
	while ((e = fts_read(fts)))
		if (e->fts_info == FTS_F) {
			const char *rel = e->fts_path + rl;
			while (*rel == '/')
				rel++;
			GROW(l->v, l->cap, l->n + 1);
			l->v[l->n++] = (struct path){xstrdup(rel), xstrdup(e->fts_path)};
		}
	fts_close(fts);
	qsort(l->v, l->n, sizeof *l->v, cmp_path);
	return 0;
}

static void plist_free(struct plist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].rel);
		free(l->v[i].abs);
	}
	free(l->v);
}

/* Digest every file of l (files into fk, chunks into ck); alt[i], when
 * set, is read instead of l->v[i] (the OLD version of an explained file). */
static void scan(const struct plist *l, char **alt, size_t avg, struct keys *fk,
		 struct keys *ck, uint64_t *bytes, struct diag_list *errs)
{
	struct chunker c;
	chunker_init(&c, avg, ck);
	for (size_t i = 0; i < l->n; i++) {
		struct mfile m;
		struct diag d = {0};
		const char *p = alt && alt[i] ? alt[i] : l->v[i].abs;
		if (mfile_open(&m, p, &d)) {
			diag_warn(errs, &d);
			continue;
		}
		keys_add(fk, XXH3_128bits(m.p, m.n), m.n);
		*bytes += m.n;
		chunker_feed(&c, m.p, m.n);
		mfile_close(&m);
	}
	chunk_emit(&c);
	free(c.buf);
}

static bool in_store(const struct keys *store, const struct key *k)
{
	return bsearch(k, store->v, store->n, sizeof *store->v, cmp_key) != NULL;
}

/* Count NEW's keys (in order) against the store, each distinct key once. */
static void count(const struct keys *store, struct keys *k, uint64_t *n, uint64_t *nnew,
		  uint64_t *bytes_new)
{
	*n = k->n;
	struct keys fresh = {0};
	for (size_t i = 0; i < k->n; i++)
		if (!in_store(store, &k->v[i]))
			keys_add(&fresh, k->v[i].h, k->v[i].size);
	*bytes_new = keys_unique(&fresh);
	*nnew = fresh.n;
	free(fresh.v);
}

static void side(struct cas_side *s, const struct plist *l, char **alt, size_t avg,
		 const struct keys *fstore, const struct keys *cstore, struct diag_list *errs)
{
	struct keys fk = {0}, ck = {0};
	scan(l, alt, avg, &fk, &ck, &s->bytes, errs);
	count(fstore, &fk, &s->files, &s->files_new, &s->file_bytes_new);
	count(cstore, &ck, &s->chunks, &s->chunks_new, &s->chunk_bytes_new);
	free(fk.v);
	free(ck.v);
}

/*
 * Every NEW file that bytediff_run() explains in full against the OLD
 * build `old` (status differs, every byte given a cause) gets that OLD
 * version in alt[] (the bytes a deterministic build would have made,
 * already in the store), unless an earlier OLD gave it one: any OLD of the
 * store will do, not only the last.
 */
static void explained_olds(const struct plist *nl, char **alt, const char *old,
			   const char *new)
{
	struct bd_result r = {0};
	struct diag_list berrs = {0};
	struct diag bd = {0};
	struct stat st;
	bool dir = !stat(old, &st) && S_ISDIR(st.st_mode);
	if (!bytediff_run(&r, old, new, &berrs, &bd))
		for (size_t k = 0; k < r.nfiles; k++) {
			const struct bd_file *f = &r.files[k];
			if (f->status != BD_DIFFERS || f->bytes_explained != f->bytes_differing)
				continue;
			struct path key = {.rel = f->path};
			struct path *p = bsearch(&key, nl->v, nl->n, sizeof *nl->v, cmp_path);
			if (!p || alt[p - nl->v])
				continue;
			struct buf b = BUF_INIT;
			if (dir)
				buf_printf(&b, "%s/%s", old, f->path);
			else
				buf_puts(&b, old);
			alt[p - nl->v] = buf_detach(&b);
		}
	bytediff_free(&r);
	diag_list_free(&berrs);
}

int cas_run(struct cas_result *c, const char *const *olds, size_t nold, const char *new,
	    size_t chunk_avg, struct diag_list *errs, struct diag *d)
{
	memset(c, 0, sizeof *c);
	if (chunk_avg < 64 || chunk_avg > ((size_t)1 << 28))
		return diag_err(d, NULL, "--chunk-avg must lie between 64 bytes and 256 MiB");
	c->chunk_avg = chunk_avg;
	c->chunk_min = chunk_avg / 4;
	c->chunk_max = chunk_avg * 4;
	struct keys fstore = {0}, cstore = {0};
	struct plist nl = {0};
	char **alt = NULL;
	int rc = -1;
	for (size_t i = 0; i < nold; i++) {
		struct plist ol = {0};
		uint64_t bytes = 0;
		if (list_files(&ol, olds[i], d)) {
			plist_free(&ol);
			goto out;
		}
		scan(&ol, NULL, chunk_avg, &fstore, &cstore, &bytes, errs);
		plist_free(&ol);
	}
	c->store_bytes = keys_unique(&cstore);
	c->store_chunks = cstore.n;
	keys_unique(&fstore);
	c->store_files = fstore.n;
	if (list_files(&nl, new, d))
		goto out;
	side(&c->now, &nl, NULL, chunk_avg, &fstore, &cstore, errs);
	/* fixed: explained files as their OLD versions */
	alt = xcalloc(nl.n + 1, sizeof *alt);
	for (size_t i = 0; i < nold; i++)
		explained_olds(&nl, alt, olds[i], new);
	side(&c->fixed, &nl, alt, chunk_avg, &fstore, &cstore, errs);
	rc = 0;
out:
	for (size_t i = 0; alt && i < nl.n; i++)
		free(alt[i]);
	free(alt);
	plist_free(&nl);
	free(fstore.v);
	free(cstore.v);
	return rc;
}
