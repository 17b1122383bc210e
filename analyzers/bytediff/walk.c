/*
 * walk.c - pair the files of two builds and prove the equal ones equal
 * (issue #16, bytediff.h).
 *
 * Each side is walked once with fts (physical: a symlink is compared by
 * its target, never followed), keeping regular files and symlinks by path
 * relative to the root.  Both lists are sorted and merged by path.  A pair
 * of equal sizes is compared with read(2) into two buffers and memcmp, as
 * diff(1) does (cheaper than mapping each of a tree's many small files),
 * on two threads; a pair that differs, or differs in size, is mapped for
 * units.c.  The files left on one side only are digested with
 * XXH3-128 (libxxhash) and an OLD file whose digest and size match a NEW
 * one (memcmp again: a digest alone proves nothing) is a move.  Differing
 * pairs go to units.c.
 */
#include "bdint.h"

#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../common/hmap.h"
#include "../../common/mfile.h"
#include "../../common/util.h"

static const char *const cause_names[BC_N] = {
	"build-id", "build-path", "timestamp", "owner", "mode", "order", "random",
	"unexplained",
};
static const char *const cause_fixes[BC_N] = {
	"follows from the other differences (or link with --build-id=none)",
	"-ffile-prefix-map=$PWD=. (gcc, clang), or build in one fixed directory",
	"SOURCE_DATE_EPOCH; ar D (deterministic headers); "
	"python -m py_compile --invalidation-mode checked-hash; gzip -n",
	"ar D; tar --owner=0 --group=0 --numeric-owner",
	"ar D; tar --mode=go-w; a fixed umask",
	"sort inputs (LC_ALL=C) before archiving or linking",
	"-frandom-seed=FILE; PYTHONHASHSEED=0; fixed temporary names",
	"none known: look at the first differing offsets",
};
static const char *const status_names[] = {"same", "differs", "added", "removed", "moved"};

const char *bd_cause_name(enum bd_cause c) { return c < BC_N ? cause_names[c] : "?"; }
const char *bd_cause_fix(enum bd_cause c) { return c < BC_N ? cause_fixes[c] : "?"; }
const char *bd_status_name(enum bd_status s) { return status_names[s]; }

static int cmp_ent(const void *x, const void *y)
{
	return strcmp(((const struct bd_ent *)x)->rel, ((const struct bd_ent *)y)->rel);
}

int bd_walk(struct bd_side *s, const char *root, struct diag_list *errs)
{
	char *argv[] = {(char *)root, NULL};
	FTS *fts = fts_open(argv, FTS_PHYSICAL | FTS_NOCHDIR | FTS_COMFOLLOW, NULL);
	if (!fts)
		return -1;
	size_t rl = strlen(root);
	FTSENT *e;
	while ((e = fts_read(fts))) {
		if (e->fts_info == FTS_DNR || e->fts_info == FTS_ERR || e->fts_info == FTS_NS) {
			diag_warn_at(errs, e->fts_path, 0, "cannot read: %s", strerror(e->fts_errno));
			continue;
		}
		if (e->fts_info != FTS_F && e->fts_info != FTS_SL && e->fts_info != FTS_SLNONE)
			continue;
		const char *rel = e->fts_path + rl;
		while (*rel == '/')
			rel++;
		GROW(s->v, s->cap, s->n + 1);
		s->v[s->n++] = (struct bd_ent){
			.rel = xstrdup(*rel ? rel : e->fts_name), .abs = xstrdup(e->fts_path),
			.link = e->fts_info != FTS_F, .size = (uint64_t)e->fts_statp->st_size,
		};
	}
	fts_close(fts);
	qsort(s->v, s->n, sizeof *s->v, cmp_ent);
	return 0;
}

void bd_tally(struct bd_result *r)
{
	for (size_t k = 0; k < r->nfiles; k++) {
		const struct bd_file *f = &r->files[k];
		r->nsame += f->status == BD_SAME;
		r->ndiffer += f->status == BD_DIFFERS;
		r->nadded += f->status == BD_ADDED;
		r->nremoved += f->status == BD_REMOVED;
		r->nmoved += f->status == BD_MOVED;
		r->bytes_differing += f->bytes_differing;
		r->bytes_explained += f->bytes_explained;
		for (size_t m = 0; m < f->ncauses; m++)
			r->by_cause[f->causes[m].cause] += f->causes[m].bytes;
	}
}

struct bd_file *bd_add_file(struct bd_result *r, const char *path, enum bd_status st)
{
	GROW(r->files, r->capfiles, r->nfiles + 1);
	struct bd_file *f = &r->files[r->nfiles++];
	memset(f, 0, sizeof *f);
	f->path = xstrdup(path);
	f->status = st;
	return f;
}

/* Map one side's file (a symlink: its target as the bytes). */
static int load(struct bd_ent *e, struct mfile *m, char *lbuf, size_t lcap,
		struct diag_list *errs)
{
	struct diag d = {0};
	memset(m, 0, sizeof *m);
	if (e->link) {
		ssize_t n = readlink(e->abs, lbuf, lcap);
		if (n < 0) {
			diag_warn_at(errs, e->abs, 0, "cannot read link: %s", strerror(errno));
			return -1;
		}
		m->p = (unsigned char *)lbuf;
		m->n = (size_t)n;
		return 0;
	}
	if (mfile_open(m, e->abs, &d)) {
		diag_warn(errs, &d);
		return -1;
	}
	return 0;
}

static void unload(struct bd_ent *e, struct mfile *m)
{
	if (!e->link)
		mfile_close(m);
}

/* Equal bytes, read as diff(1) reads them (two buffers, no mapping: a
 * mapping costs more than the read for the many small files of a tree):
 * 1 equal, 0 not, -1 when one cannot be read (*bad names it, errno set). */
enum { CHUNK = 1 << 17 };
static int same_bytes(const char *pa, const char *pb, unsigned char *ba, unsigned char *bb,
		      const char **bad)
{
	int fa = open(pa, O_RDONLY | O_CLOEXEC), fb = -1, r = -1;
	*bad = pa;
	if (fa < 0)
		return -1;
	*bad = pb;
	fb = open(pb, O_RDONLY | O_CLOEXEC);
	if (fb < 0)
		goto out;
	for (;;) {
		ssize_t na = read(fa, ba, CHUNK), nb = 0;
		if (na < 0) {
			*bad = pa;
			goto out;
		}
		while (nb < na) {
			ssize_t k = read(fb, bb + nb, (size_t)(na - nb));
			if (k <= 0)
				break;
			nb += k;
		}
		if (nb != na || memcmp(ba, bb, (size_t)na)) {
			r = 0;
			goto out;
		}
		if (!na) {
			/* OLD ended: NEW must end too */
			r = read(fb, bb, 1) == 0;
			goto out;
		}
	}
out:
	if (fa >= 0)
		close(fa);
	if (fb >= 0)
		close(fb);
	return r;
}

/*
 * The equal-size pairs are proven equal (or not) on two threads before the
 * pairs are walked in order: reading is most of the time on a tree, and
 * the order of the answer stays the merge's.  Each job is written by the
 * one thread that took its index.
 */
struct eqjob {
	struct bd_ent *x, *y;
	int res, err;             /* same_bytes(); errno when -1 */
	const char *bad;
};
struct eqpool {
	struct eqjob *v;
	size_t n;
	size_t next;              /* __atomic */
};

static void *eq_thread(void *arg)
{
	struct eqpool *p = arg;
	unsigned char *ba = xmalloc(CHUNK), *bb = xmalloc(CHUNK);
	for (;;) {
		size_t i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
		if (i >= p->n)
			break;
		struct eqjob *j = &p->v[i];
		j->res = same_bytes(j->x->abs, j->y->abs, ba, bb, &j->bad);
		j->err = j->res < 0 ? errno : 0;
	}
	free(ba);
	free(bb);
	return NULL;
}

static void eq_run(struct eqpool *p)
{
	pthread_t th;
	bool two = p->n > 1 && !pthread_create(&th, NULL, eq_thread, p);
	eq_thread(p);
	if (two)
		pthread_join(th, NULL);
}

/* Compare a differing pair's units into f (its rows reset first). */
static void units(struct bd_file *f, struct bd_paths *pp, uint64_t now, struct bd_ent *x,
		  struct bd_ent *y, const struct mfile *ma, const struct mfile *mb,
		  struct diag_list *errs)
{
	for (size_t m = 0; m < f->ncauses; m++)
		free(f->causes[m].where);
	f->ncauses = 0;
	f->bytes_differing = f->bytes_explained = 0;
	struct bd_ctx c = {.f = f, .paths = pp, .now = now, .errs = errs, .path = y->abs};
	bd_compare(&c, y->rel, x->link ? "symlink target: " : "", ma->p, ma->n, mb->p, mb->n);
	if (!f->ncauses)   /* nothing paired a unit: count the file */
		bd_row(&c, BC_UNEXPLAINED, ma->n > mb->n ? ma->n : mb->n, "[file]");
}

/* A file left with unexplained bytes, compared again if a later file
 * teaches a build path (GCC may put the first file's strings in another
 * order, where no path can be learnt from the first difference). */
struct retry {
	size_t idx, npaths;
	struct bd_ent *x, *y;
};

static void compare_pair(struct bd_result *r, struct bd_paths *pp, uint64_t now,
			 struct bd_ent *x, struct bd_ent *y, const struct eqjob *job,
			 struct diag_list *errs, struct retry *retry)
{
	if (x->link != y->link) {
		diag_warn_at(errs, y->abs, 0, "a %s in OLD, a %s in NEW", x->link ? "symlink" : "file",
			     y->link ? "symlink" : "file");
		return;
	}
	if (job) {
		if (job->res < 0) {
			diag_warn_at(errs, job->bad, 0, "cannot read: %s", strerror(job->err));
			return;
		}
		if (job->res) {
			struct bd_file *f = bd_add_file(r, y->rel, BD_SAME);
			f->old_size = f->new_size = x->size;
			r->old_bytes += x->size;
			r->new_bytes += y->size;
			return;
		}
	}
	struct mfile ma, mb;
	char la[4096], lb[4096];
	if (load(x, &ma, la, sizeof la, errs))
		return;
	if (load(y, &mb, lb, sizeof lb, errs)) {
		unload(x, &ma);
		return;
	}
	r->old_bytes += ma.n;
	r->new_bytes += mb.n;
	bool same = ma.n == mb.n && (!ma.n || !memcmp(ma.p, mb.p, ma.n));
	struct bd_file *f = bd_add_file(r, y->rel, same ? BD_SAME : BD_DIFFERS);
	f->old_size = ma.n;
	f->new_size = mb.n;
	if (!same) {
		units(f, pp, now, x, y, &ma, &mb, errs);
		if (f->bytes_explained < f->bytes_differing)
			*retry = (struct retry){r->nfiles - 1, pp->n, x, y};
	}
	unload(x, &ma);
	unload(y, &mb);
}

static void retry_file(struct bd_result *r, struct bd_paths *pp, uint64_t now,
		       const struct retry *t)
{
	struct mfile ma, mb;
	char la[4096], lb[4096];
	struct diag_list quiet = {0};     /* its errors were said the first time */
	if (!load(t->x, &ma, la, sizeof la, &quiet)) {
		if (!load(t->y, &mb, lb, sizeof lb, &quiet)) {
			units(&r->files[t->idx], pp, now, t->x, t->y, &ma, &mb, &quiet);
			unload(t->y, &mb);
		}
		unload(t->x, &ma);
	}
	diag_list_free(&quiet);
}

static bool digest(struct bd_ent *e, struct diag_list *errs)
{
	if (e->hashed)
		return true;
	struct mfile m;
	char lb[4096];
	if (load(e, &m, lb, sizeof lb, errs))
		return false;
	e->h = XXH3_128bits(m.p, m.n);
	e->hashed = true;
	unload(e, &m);
	return true;
}

static bool equal_files(struct bd_ent *x, struct bd_ent *y, struct diag_list *errs)
{
	struct mfile ma, mb;
	char la[4096], lb[4096];
	if (load(x, &ma, la, sizeof la, errs))
		return false;
	if (load(y, &mb, lb, sizeof lb, errs)) {
		unload(x, &ma);
		return false;
	}
	bool eq = ma.n == mb.n && (!ma.n || !memcmp(ma.p, mb.p, ma.n));
	unload(x, &ma);
	unload(y, &mb);
	return eq;
}

/* Files on one side only: moves (digest, then bytes), else added/removed. */
static void unpaired(struct bd_result *r, struct bd_ent **gone, size_t ng, struct bd_ent **new,
		     size_t nn, struct diag_list *errs)
{
	struct hmap by = {0};
	for (size_t i = 0; nn && i < ng; i++)
		if (digest(gone[i], errs)) {
			void **slot = hmap_slot(&by, (const char *)&gone[i]->h, sizeof gone[i]->h, NULL);
			gone[i]->next = *slot;
			*slot = gone[i];
		}
	for (size_t j = 0; ng && j < nn; j++) {
		struct bd_ent *y = new[j];
		if (!digest(y, errs))
			continue;
		for (struct bd_ent *x = hmap_get(&by, (const char *)&y->h, sizeof y->h); x; x = x->next) {
			if (x->used || x->size != y->size || x->link != y->link ||
			    !equal_files(x, y, errs))
				continue;
			x->used = y->used = true;
			struct bd_file *f = bd_add_file(r, y->rel, BD_MOVED);
			f->old_path = xstrdup(x->rel);
			f->old_size = f->new_size = y->size;
			r->old_bytes += x->size;
			r->new_bytes += y->size;
			break;
		}
	}
	hmap_free(&by);
	for (size_t i = 0; i < ng; i++)
		if (!gone[i]->used) {
			struct bd_file *f = bd_add_file(r, gone[i]->rel, BD_REMOVED);
			f->old_size = gone[i]->size;
			struct bd_ctx c = {.f = f};
			bd_row(&c, BC_UNEXPLAINED, f->old_size, "removed");
			r->old_bytes += f->old_size;
		}
	for (size_t j = 0; j < nn; j++)
		if (!new[j]->used) {
			struct bd_file *f = bd_add_file(r, new[j]->rel, BD_ADDED);
			f->new_size = new[j]->size;
			struct bd_ctx c = {.f = f};
			bd_row(&c, BC_UNEXPLAINED, f->new_size, "added");
			r->new_bytes += f->new_size;
		}
}

static int cmp_file(const void *x, const void *y)
{
	return strcmp(((const struct bd_file *)x)->path, ((const struct bd_file *)y)->path);
}

void bd_side_free(struct bd_side *s)
{
	for (size_t k = 0; k < s->n; k++) {
		free(s->v[k].rel);
		free(s->v[k].abs);
	}
	free(s->v);
}

int bytediff_run(struct bd_result *r, const char *old, const char *new,
		 struct diag_list *errs, struct diag *d)
{
	struct stat sa, sb;
	if (stat(old, &sa))
		return diag_err(d, old, "cannot read: %s", strerror(errno));
	if (stat(new, &sb))
		return diag_err(d, new, "cannot read: %s", strerror(errno));
	/* two container images pair their blobs through their manifests */
	int img = bd_image_run(r, old, new, errs, d);
	if (img)
		return img < 0 ? -1 : 0;
	if (S_ISDIR(sa.st_mode) != S_ISDIR(sb.st_mode))
		return diag_err(d, new, "a %s against the %s %s: compare two files or two directories",
				S_ISDIR(sb.st_mode) ? "directory" : "file",
				S_ISDIR(sa.st_mode) ? "directory" : "file", old);
	struct bd_side A = {0}, B = {0};
	struct bd_paths pp = {0};
	uint64_t now = (uint64_t)time(NULL);
	if (!S_ISDIR(sa.st_mode)) {
		const char *base = strrchr(new, '/');
		A.v = xcalloc(1, sizeof *A.v);
		B.v = xcalloc(1, sizeof *B.v);
		A.v[0] = (struct bd_ent){.rel = xstrdup(base ? base + 1 : new), .abs = xstrdup(old),
				      .size = (uint64_t)sa.st_size};
		B.v[0] = (struct bd_ent){.rel = xstrdup(base ? base + 1 : new), .abs = xstrdup(new),
				      .size = (uint64_t)sb.st_size};
		A.n = B.n = 1;
	} else if (bd_walk(&A, old, errs) || bd_walk(&B, new, errs)) {
		bd_side_free(&A);
		bd_side_free(&B);
		return diag_err(d, old, "cannot walk: %s", strerror(errno));
	}
	struct bd_ent **gone = xcalloc(A.n + 1, sizeof *gone), **added = xcalloc(B.n + 1, sizeof *added);
	size_t ng = 0, nn = 0, i = 0, j = 0, q = 0;
	struct eqpool pool = {0};
	size_t capjobs = 0, nretries = 0, capretries = 0;
	struct retry *retries = NULL;
	while (i < A.n && j < B.n) {
		int c = strcmp(A.v[i].rel, B.v[j].rel);
		if (!c && !A.v[i].link && !B.v[j].link && A.v[i].size == B.v[j].size) {
			GROW(pool.v, capjobs, pool.n + 1);
			pool.v[pool.n++] = (struct eqjob){.x = &A.v[i], .y = &B.v[j]};
		}
		i += c <= 0;
		j += c >= 0;
	}
	eq_run(&pool);
	i = j = 0;
	while (i < A.n || j < B.n) {
		int c = i >= A.n ? 1 : j >= B.n ? -1 : strcmp(A.v[i].rel, B.v[j].rel);
		if (c < 0) {
			gone[ng++] = &A.v[i++];
		} else if (c > 0) {
			added[nn++] = &B.v[j++];
		} else {
			const struct eqjob *job = q < pool.n && pool.v[q].x == &A.v[i] ? &pool.v[q++] : NULL;
			struct retry t = {0};
			compare_pair(r, &pp, now, &A.v[i++], &B.v[j++], job, errs, &t);
			if (t.x) {
				GROW(retries, capretries, nretries + 1);
				retries[nretries++] = t;
			}
		}
	}
	free(pool.v);
	for (size_t m = 0; m < nretries; m++)
		if (pp.n > retries[m].npaths)
			retry_file(r, &pp, now, &retries[m]);
	free(retries);
	unpaired(r, gone, ng, added, nn, errs);
	qsort(r->files, r->nfiles, sizeof *r->files, cmp_file);
	bd_tally(r);
	for (size_t k = 0; k < pp.n; k++) {
		free(pp.a[k]);
		free(pp.b[k]);
	}
	free(gone);
	free(added);
	bd_side_free(&A);
	bd_side_free(&B);
	return 0;
}

void bytediff_free(struct bd_result *r)
{
	for (size_t k = 0; k < r->nfiles; k++) {
		struct bd_file *f = &r->files[k];
		for (size_t m = 0; m < f->ncauses; m++)
			free(f->causes[m].where);
		free(f->causes);
		free(f->path);
		free(f->old_path);
	}
	free(r->files);
	memset(r, 0, sizeof *r);
}
