/*
 * tree-dup.c - identical content at several paths of a deployable
 * (`duplicate-file`, issue #14): vendored copies of one library in
 * several wheels, a data file shipped twice.
 *
 * As jdupes does it, cheapest test first: files of one size (empty files
 * are no duplicates, as jdupes counts them by default), then the XXH3
 * 128-bit hash (libxxhash) of their first 4 KiB, then of the whole
 * content of those still equal, then the bytes compared with memcmp
 * before two files are called identical -- a hash match alone is never
 * the verdict.  The first hash comes with typing (tree.c's type_file()
 * reads a file's first 4 KiB once for both: f->head), so a file whose
 * head differs from the others of its size is opened once in the whole
 * run.  Files are read in chunks, not mapped (each is read once or
 * twice: a copy costs less than the faults of a mapping).
 *
 * tree_dups_find() touches no graph and no arena (files opened relative
 * to the root's descriptor, warnings to its own list), so deploy_tree()
 * runs it on a second thread while the ELF analysis runs;
 * tree_dups_emit() writes the findings after both.  Hardlinks are one
 * file already (the walk keeps one entry per inode), so they are never
 * their own duplicates.  The
 * finding is proven (the bytes are equal) and saves all copies but one;
 * its fix is a hardlink (or one copy and an RPATH to it), never a
 * deletion, so a duplicate is never in the prune list.
 */
#include "tree-int.h"
#include "../common/buf.h"
#include "../common/diag.h"
#include "../common/filetype.h"
#include "../common/run.h"
#include "../common/util.h"
#include "../graph/graph.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY   /* XXH3_state_t on the stack */
#include <xxhash.h>

struct cand {
	uint64_t size;
	uint64_t hi, lo;    /* XXH3-128 */
	uint32_t file;
	bool bad;           /* could not be read: in no set */
};

static int by_size(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return x->file < y->file ? -1 : x->file > y->file;
}

static int by_hash(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->bad != y->bad)
		return x->bad ? 1 : -1;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return x->file < y->file ? -1 : x->file > y->file;
}

/* Read in chunks, not mapped: a file read once costs a copy from the
 * page cache, a mapping a fault per few pages and a TLB flush. */
#define CHUNK (256 * 1024)
#define HEAD 4096

/* The XXH3-128 of the first `limit` bytes (all of them: UINT64_MAX); -1
 * when the file cannot be read. */
static int hash_file(struct tree *t, const struct tfile *f, uint64_t limit,
		     unsigned char *buf, XXH128_hash_t *out, struct diag_list *w)
{
	int fd = openat(t->rootfd, f->rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		char p[PATH_MAX];
		snprintf(p, sizeof p, "%s/%s", t->dir, f->rel);
		diag_warn_at(w, p, 0, "cannot read: %s (in no duplicate set)", strerror(errno));
		return -1;
	}
	XXH3_state_t st;
	XXH3_128bits_reset(&st);
	uint64_t done = 0;
	ssize_t got;
	while (done < limit &&
	       (got = read(fd, buf, limit - done < CHUNK ? (size_t)(limit - done) : CHUNK)) > 0) {
		XXH3_128bits_update(&st, buf, (size_t)got);
		done += (uint64_t)got;
	}
	close(fd);
	*out = XXH3_128bits_digest(&st);
	return 0;
}

static void hash_one(struct tree *t, struct cand *c, uint64_t limit,
		     unsigned char *buf, struct diag_list *w)
{
	XXH128_hash_t h;
	struct tfile *f = &t->f[c->file];
	if (!c->bad && limit == UINT64_MAX && f->full) {
		c->hi = f->full_hi;     /* the per-file cache's (tree-cache.c) */
		c->lo = f->full_lo;
		return;
	}
	if (c->bad || hash_file(t, f, limit, buf, &h, w)) {
		c->bad = true;
		return;
	}
	c->hi = h.high64;
	c->lo = h.low64;
	if (limit == UINT64_MAX && f->typed) {
		/* kept for the next run; this thread's fields alone */
		f->full_hi = h.high64;
		f->full_lo = h.low64;
		f->full = true;
	}
}

/* equal bytes, checked: the hash only chose whom to compare */
static bool same_bytes(struct tree *t, uint32_t a, uint32_t b, unsigned char *buf)
{
	int fa = openat(t->rootfd, t->f[a].rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	int fb = openat(t->rootfd, t->f[b].rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	bool same = fa >= 0 && fb >= 0;
	while (same) {
		ssize_t na = read(fa, buf, CHUNK), nb = na > 0 ? read(fb, buf + CHUNK, (size_t)na) : 0;
		if (na <= 0) {
			same = na == 0 && read(fb, buf + CHUNK, 1) == 0;
			break;
		}
		same = nb == na && !memcmp(buf, buf + CHUNK, (size_t)na);
	}
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return same;
}

static void add_set(struct tree *t, const uint32_t *m, size_t n)
{
	GROW(t->dup, t->capdup, t->ndup + n);
	GROW(t->dupoff, t->capdupoff, t->ndupsets + 2);
	if (!t->ndupsets)
		t->dupoff[0] = 0;
	memcpy(t->dup + t->ndup, m, n * sizeof *m);
	t->ndup += n;
	t->dupoff[++t->ndupsets] = (uint32_t)t->ndup;
}

/* the finding of one set; the copy kept is a live one (what runs loads
 * it by that path), else the first the walk met */
static void emit_set(struct tree *t, struct graph *g, uint32_t *m, size_t n)
{
	for (size_t i = 1; i < n && !t->f[m[0]].live; i++)
		if (t->f[m[i]].live) {
			uint32_t x = m[0];
			m[0] = m[i];
			m[i] = x;
		}
	const struct tfile *keep = &t->f[m[0]];
	struct buf why = BUF_INIT;
	json_t *paths = json_array();
	buf_printf(&why, "%zu files of %llu bytes have the same content (XXH3-128 equal, then compared byte for byte):",
		   n, (unsigned long long)keep->size);
	for (size_t i = 0; i < n; i++) {
		buf_printf(&why, "%s %s", i ? "," : "", t->f[m[i]].rel);
		json_array_append_new(paths, json_string(t->f[m[i]].rel));
	}
	const char *fix = keep->type == FT_ELF_DYN
		? graph_strf(g, "keep %s and make the other copies hardlinks to it, or ship one copy and an RPATH to its directory", keep->rel)
		: graph_strf(g, "keep %s and make the other copies hardlinks to it", keep->rel);
	struct gfinding *f = graph_add_finding(g, "duplicate-file", keep->id, NULL,
					       keep->size * (n - 1), "proven", buf_cstr(&why), fix);
	json_t *a = graph_finding_attrs(f);
	json_object_set_new(a, "paths", paths);
	attr_int(a, "copies", (long long)n);
	buf_free(&why);
}

void tree_dups_emit(struct tree *t, struct graph *g)
{
	for (size_t k = 0; k < t->ndupsets; k++)
		emit_set(t, g, t->dup + t->dupoff[k], t->dupoff[k + 1] - t->dupoff[k]);
}

/* one run of equal hashes: split into sets of equal bytes */
static void confirm(struct tree *t, struct cand *c, size_t n, unsigned char *buf)
{
	uint32_t *left = xcalloc(n, sizeof *left), *set = xcalloc(n, sizeof *set);
	size_t nleft = n;
	for (size_t i = 0; i < n; i++)
		left[i] = c[i].file;
	while (nleft > 1) {
		size_t ns = 0, nl = 0;
		set[ns++] = left[0];
		for (size_t i = 1; i < nleft; i++) {
			if (same_bytes(t, left[0], left[i], buf))
				set[ns++] = left[i];
			else
				left[nl++] = left[i];
		}
		if (ns > 1)
			add_set(t, set, ns);
		nleft = nl;
	}
	free(left);
	free(set);
}

/* [c, c+n): candidates of one size; hashed over their first HEAD bytes
 * (or all of them), then those equal so far over all their bytes, then
 * each run of equal hashes confirmed byte for byte. */
static void one_size(struct tree *t, struct cand *c, size_t n,
		     unsigned char *buf, struct diag_list *w)
{
	bool small = c[0].size <= HEAD;
	for (size_t k = 0; k < n; k++) {
		const struct tfile *f = &t->f[c[k].file];
		if (f->head) {   /* typing read those bytes already */
			c[k].hi = f->head_hi;
			c[k].lo = f->head_lo;
			continue;
		}
		hash_one(t, &c[k], small ? UINT64_MAX : HEAD, buf, w);
	}
	qsort(c, n, sizeof *c, by_hash);
	for (size_t k = 0; k < n && !c[k].bad;) {
		size_t e = k + 1;
		while (e < n && !c[e].bad && c[e].hi == c[k].hi && c[e].lo == c[k].lo)
			e++;
		if (e - k > 1 && small) {
			confirm(t, c + k, e - k, buf);
		} else if (e - k > 1) {
			/* equal heads: the whole content now */
			for (size_t i = k; i < e; i++)
				hash_one(t, &c[i], UINT64_MAX, buf, w);
			qsort(c + k, e - k, sizeof *c, by_hash);
			for (size_t i = k; i < e && !c[i].bad;) {
				size_t j = i + 1;
				while (j < e && !c[j].bad && c[j].hi == c[i].hi && c[j].lo == c[i].lo)
					j++;
				if (j - i > 1)
					confirm(t, c + i, j - i, buf);
				i = j;
			}
		}
		k = e;
	}
}

void tree_dups_find(struct tree *t, struct diag_list *w)
{
	struct cand *c = xcalloc(t->n + 1, sizeof *c);
	unsigned char *buf = xmalloc(2 * CHUNK);
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->f[i].size)
			c[n++] = (struct cand){.size = t->f[i].size, .file = (uint32_t)i};
	qsort(c, n, sizeof *c, by_size);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && c[j].size == c[i].size)
			j++;
		if (j - i > 1)
			one_size(t, c + i, j - i, buf, w);
		i = j;
	}
	free(buf);
	free(c);
}
