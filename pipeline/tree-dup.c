/*
 * tree-dup.c - identical content at several paths of a deployable
 * (`duplicate-file`, issue #14): vendored copies of one library in
 * several wheels, a data file shipped twice.
 *
 * As jdupes does it, cheapest test first: files of one size (empty files
 * are no duplicates, as jdupes counts them by default), then the XXH3
 * 128-bit hash of the whole content (libxxhash), then the bytes compared
 * with memcmp before two files are called identical -- a hash match alone
 * is never the verdict.  Hardlinks are one file already (the walk keeps
 * one entry per inode), so they are never their own duplicates.  The
 * finding is proven (the bytes are equal) and saves all copies but one;
 * its fix is a hardlink (or one copy and an RPATH to it), never a
 * deletion, so a duplicate is never in the prune list.
 */
#include "tree-int.h"
#include "../common/buf.h"
#include "../common/diag.h"
#include "../common/filetype.h"
#include "../common/mfile.h"
#include "../common/run.h"
#include "../common/util.h"
#include "../graph/graph.h"

#include <stdlib.h>
#include <string.h>
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

static void hash_one(struct tree *t, struct cand *c, struct diag_list *w)
{
	struct mfile mf;
	struct diag d = {0};
	if (mfile_open(&mf, tree_full(t, &t->f[c->file]), &d)) {
		diag_warn(w, &d);
		c->bad = true;
		return;
	}
	XXH128_hash_t h = XXH3_128bits(mf.p, mf.n);
	c->hi = h.high64;
	c->lo = h.low64;
	mfile_close(&mf);
}

/* equal bytes, checked: the hash only chose whom to compare */
static bool same_bytes(struct tree *t, uint32_t a, uint32_t b)
{
	struct mfile ma, mb;
	struct diag d = {0};
	bool same = false;
	if (mfile_open(&ma, tree_full(t, &t->f[a]), &d))
		return false;
	if (!mfile_open(&mb, tree_full(t, &t->f[b]), &d)) {
		same = ma.n == mb.n && !memcmp(ma.p, mb.p, ma.n);
		mfile_close(&mb);
	}
	mfile_close(&ma);
	return same;
}

static void add_set(struct tree *t, struct graph *g, const uint32_t *m, size_t n)
{
	GROW(t->dup, t->capdup, t->ndup + n);
	GROW(t->dupoff, t->capdupoff, t->ndupsets + 2);
	if (!t->ndupsets)
		t->dupoff[0] = 0;
	memcpy(t->dup + t->ndup, m, n * sizeof *m);
	t->ndup += n;
	t->dupoff[++t->ndupsets] = (uint32_t)t->ndup;

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

/* one run of equal hashes: split into sets of equal bytes */
static void confirm(struct tree *t, struct graph *g, struct cand *c, size_t n)
{
	uint32_t *left = xcalloc(n, sizeof *left), *set = xcalloc(n, sizeof *set);
	size_t nleft = n;
	for (size_t i = 0; i < n; i++)
		left[i] = c[i].file;
	while (nleft > 1) {
		size_t ns = 0, nl = 0;
		/* the copy kept: a live one (what runs loads it by that path),
		 * else the first the walk met */
		for (size_t i = 1; i < nleft && !t->f[left[0]].live; i++)
			if (t->f[left[i]].live) {
				uint32_t x = left[0];
				left[0] = left[i];
				left[i] = x;
			}
		set[ns++] = left[0];
		for (size_t i = 1; i < nleft; i++) {
			if (same_bytes(t, left[0], left[i]))
				set[ns++] = left[i];
			else
				left[nl++] = left[i];
		}
		if (ns > 1)
			add_set(t, g, set, ns);
		nleft = nl;
	}
	free(left);
	free(set);
}

int tree_dups(struct tree *t, struct graph *g, const struct run *r)
{
	struct cand *c = xcalloc(t->n + 1, sizeof *c);
	size_t n = 0;
	for (size_t i = 0; i < t->n; i++)
		if (t->f[i].size)
			c[n++] = (struct cand){.size = t->f[i].size, .file = (uint32_t)i};
	qsort(c, n, sizeof *c, by_size);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && c[j].size == c[i].size)
			j++;
		if (j - i > 1) {
			for (size_t k = i; k < j; k++)
				hash_one(t, &c[k], r->w);
			qsort(c + i, j - i, sizeof *c, by_hash);
			for (size_t k = i; k < j && !c[k].bad;) {
				size_t e = k + 1;
				while (e < j && !c[e].bad && c[e].hi == c[k].hi && c[e].lo == c[k].lo)
					e++;
				if (e - k > 1)
					confirm(t, g, c + k, e - k);
				k = e;
			}
		}
		i = j;
	}
	free(c);
	return 0;
}
