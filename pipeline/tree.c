/*
 * tree.c - a directory as one deployable (deploy.h, issue #14): the tree
 * is its own root file system.
 *
 *   walk      tree-walk.c over the tree, once, on two threads, in fts(3)
 *             order, physical (symlinks are never followed: a link is
 *             resolved only inside the root, as common/rootopen.h does
 *             for --sysroot), iterative whatever its depth; every regular
 *             file inventoried once per (device, inode), so hardlinks are
 *             one file
 *   type      from the bytes, on the walk's thread that met the file,
 *             while its directory is open (type_file()): ELF
 *             (filetype_detect(): program, shared library, object),
 *             Python source or bytecode (the .pyc magic's "\r\n", a .py
 *             name or a python #! line), else data; the one read also
 *             hashes the first 4 KiB (for the duplicates, tree-dup.c) and
 *             finds a Python file's tokens for the strings scan
 *             (tree-scan.c).  A file of several links is typed once,
 *             under the path the inventory names it by (type_all())
 *   nodes     every file a node KIND:PATH, PATH relative to the root
 *             (exe:, lib:, obj:, file:), so two copies of one tree under
 *             two names, or two builds of it, have the same ids
 *   live      tree-live.c: roots of liveness, the ELF analyzer inside the
 *             root (sysroot = the root: its ld.so.cache, default dirs,
 *             RUNPATH/$ORIGIN), orphan libraries
 *   dups      tree-dup.c: identical content at several paths, found on a
 *             second thread while the ELF analysis runs; that thread
 *             then finds the ELF files' tokens ahead of the strings scan
 *             (tree-scan.c: tree_prescan())
 *   gpu       with --arch, the CUDA fat binaries of every ELF file
 *             (fatbin_merge() and its verdicts), owned by the file's node
 *   totals    totals.tree: bytes before and after the proven findings
 *             and after the likely ones, per category and per top-level
 *             directory, the largest files, the Python trees found, and
 *             the prune list (paths relative to the root, each with its
 *             confidence)
 *
 * A file slim cannot analyze stays in the inventory as what its bytes
 * say and its error is a warning: never an error for the whole run.
 */
#include "tree-int.h"
#include "tree-scan.h"
#include "tree-walk.h"
#include "pipeline.h"
#include "../common/diag.h"
#include "../common/filetype.h"
#include "../common/memlimit.h"
#include "../common/mfile.h"
#include "../common/rootopen.h"
#include "../common/util.h"
#include "../graph/graph.h"
#include "../graph/ids.h"
#include "../analyzers/fatbin/fatbin.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

static const char *const cat_name[TC_NCAT] = {"elf", "python", "data"};

static void *ix(size_t i)
{
	return (void *)(uintptr_t)(i + 1);
}

const char *tree_full(struct tree *t, const struct tfile *f)
{
	return arena_printf(&t->arena, "%s/%s", t->dir, f->rel);
}

/* by_inode's key: the (device, inode) pair's 16 bytes */
struct ikey {
	uint64_t dev, ino;
};

static const char *inode_key(struct tree *t, uint64_t dev, uint64_t ino)
{
	struct ikey *k = arena_alloc(&t->arena, sizeof *k);
	*k = (struct ikey){dev, ino};
	return (const char *)k;
}

static size_t by_inode(const struct tree *t, uint64_t dev, uint64_t ino)
{
	struct ikey k = {dev, ino};
	return (size_t)(uintptr_t)hmap_get(&t->by_inode, (const char *)&k, sizeof k);
}

/* the ELF analyzer's path_of: an object's id path by its inode */
static const char *path_of(void *ctx, uint64_t dev, uint64_t ino)
{
	struct tree *t = ctx;
	size_t i = by_inode(t, dev, ino);
	return i ? t->f[i - 1].rel : NULL;
}

size_t tree_find(struct tree *t, const char *rel)
{
	while (*rel == '/')
		rel++;
	size_t i = (size_t)(uintptr_t)hmap_gets(&t->by_path, rel);
	if (i)
		return i;
	/* a symlink on the way: resolved inside the root only */
	int fd = open_in_root(t->rootfd, rel, O_PATH);
	if (fd < 0)
		return 0;
	struct stat st;
	bool bad = fstat(fd, &st) || !S_ISREG(st.st_mode);
	close(fd);
	if (bad)
		return 0;
	return by_inode(t, (uint64_t)st.st_dev, (uint64_t)st.st_ino);
}

/* A Python installation's tree: lib/python3[.X] (the standard library,
 * lib-dynload, dist-packages under Debian's lib/python3) or any
 * site-packages / dist-packages directory (a venv, a vendored tree). */
static bool is_pytree(const char *rel, const char *base)
{
	if (!strcmp(base, "site-packages") || !strcmp(base, "dist-packages"))
		return true;
	if (strncmp(base, "python3", 7) || (base[7] && base[7] != '.'))
		return false;
	for (const char *p = base + 8; base[7] && *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	size_t bl = strlen(base), rl = strlen(rel);
	return rl >= bl + 4 && !strncmp(rel + rl - bl - 4, "lib/", 4);
}

/* A wheel's layout (PEP 427: the packages and NAME.dist-info at the top,
 * as installed into site-packages): the root itself is the Python tree
 * (rel ""), as a wheel given to `slim report` is unpacked. */
static bool wheel_root(int rootfd)
{
	int fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;
	bool yes = false;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	while (!yes && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		yes = l > 10 && !strcmp(de->d_name + l - 10, ".dist-info") &&
		      (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN);
	}
	closedir(d);
	return yes;
}

/* Python by its bytes: the .pyc magic (two bytes, then "\r\n"), a
 * python #! line; by its name: .py */
static bool is_python(const char *rel, const unsigned char *h, size_t hn)
{
	size_t l = strlen(rel);
	if (l > 3 && !strcmp(rel + l - 3, ".py"))
		return true;
	if (l > 4 && !strcmp(rel + l - 4, ".pyc") && hn >= 16 && h[2] == '\r' &&
	    h[3] == '\n')
		return true;
	if (hn > 2 && h[0] == '#' && h[1] == '!') {
		const unsigned char *nl = memchr(h, '\n', hn);
		size_t ll = nl ? (size_t)(nl - h) : hn;
		return memmem(h, ll, "python", 6) != NULL;
	}
	return false;
}

/* What typing reads of a file: its first TYPE_READ bytes (one page:
 * no dearer than 64); a Python file whole when it is at most PY_READ
 * bytes, so that its strings are scanned from the same read (tree-scan.c)
 * instead of a second open later. */
#define TYPE_READ 4096
#define PY_READ (256 * 1024)

struct type_warn {             /* a warning and the file it is for */
	size_t file;
	struct diag d;
};

struct typer {                 /* one thread's */
	struct tree *t;
	unsigned char *buf;    /* PY_READ bytes */
	void *pool;            /* its tokens (tree-scan.c) */
	uint64_t read;         /* bytes read */
};

/* An ELF file's type from its first bytes h and its dynamic segment, read
 * apart into buf (n bytes): a mapping of each of the tree's 4,400 ELF
 * files, then its munmap, flushed the TLB of the other walking thread's
 * CPU every time.  Mapped after all when the program headers lie past
 * the first bytes or the segment is larger than buf.  FT_UNKNOWN: it
 * could not be read. */
static enum filetype elf_type(int fd, const unsigned char *h, size_t hn, uint64_t size,
			      unsigned char *buf, size_t n)
{
	uint64_t at, len;
	enum filetype t = filetype_elf_split(h, hn, size, NULL, 0, 0, &at, &len);
	if (t != FT_UNKNOWN)
		return t;
	if (len && len <= n && pread(fd, buf, (size_t)len, (off_t)at) == (ssize_t)len) {
		t = filetype_elf_split(h, hn, size, buf, at, (size_t)len, &at, &len);
		if (t != FT_UNKNOWN)
			return t;
	}
	/* read-only and private: no RLIMIT_DATA charge, no memlimit
	 * bookkeeping (which is not for two threads) */
	void *m = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return FT_UNKNOWN;
	t = filetype_detect(m, (size_t)size);
	munmap(m, (size_t)size);
	return t;
}

/* Type f (its rel, size, identity and times set) from its first bytes
 * (ELF: its headers, mapped), or from the per-file cache: its type and
 * category, the XXH3-128 of its first TYPE_READ bytes (f->head: read for
 * the duplicates, tree-dup.c) and a Python file's tokens into *tok.  fd
 * is open on it, fst its fstat() taken before any read (or NULL), or fd
 * is -1: opened at (dfd, name) unless the cache knows it.
 * Takes fd.  0, or the errno that kept it unread (then it is data).
 * Thread-safe: the walk's two threads type the files they meet. */
static int type_file(struct typer *y, struct tfile *f, struct tree_tokens *tok, int fd,
		     const struct stat *fst, int dfd, const char *name)
{
	struct tree *t = y->t;
	unsigned char *h = y->buf;
	ssize_t hn = 0;
	f->type = FT_UNKNOWN;
	f->cat = TC_DATA;
	if (!f->size) {   /* nothing to read: its name says what it is */
		if (fd >= 0)
			close(fd);
		f->cat = is_python(f->rel, h, 0) ? TC_PY : TC_DATA;
		return 0;
	}
	if (t->fc && tree_fcache_type(t, f, tok)) {
		/* its bytes' results from the last run; the bytes typing would
		 * have read still count toward the default memory budget
		 * (type_all()), so a cached run is held to the budget of the
		 * run it stands for */
		if (fd >= 0)
			close(fd);
		y->read += f->cat == TC_PY && f->size <= PY_READ ? f->size
			   : f->size < TYPE_READ ? f->size : TYPE_READ;
		return 0;
	}
	if (fd < 0)
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	/* the stat of the file open: the caller's, taken on fd before this
	 * read (a later write changes ctime, so a result cached under it is
	 * never taken for the new bytes), or one after the read when the
	 * name was opened here (the name may have moved on since the walk) */
	struct stat st;
	if (fst)
		st = *fst;
	if (fd < 0 || (hn = pread(fd, h, TYPE_READ, 0)) < 0 || (!fst && fstat(fd, &st))) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		return err;
	}
	y->read += (uint64_t)hn;
	/* the file as the walk saw it: its results may be cached under the
	 * walk's stat (tree-cache.c) */
	f->typed = S_ISREG(st.st_mode) && (uint64_t)st.st_size == f->size &&
		   st.st_mtim.tv_sec == f->msec && (uint32_t)st.st_mtim.tv_nsec == f->mnsec &&
		   st.st_ctim.tv_sec == f->csec && (uint32_t)st.st_ctim.tv_nsec == f->cnsec;
	if ((uint64_t)st.st_size == f->size) {
		/* one page hashed is cheaper than knowing first whether another
		 * file has its size */
		XXH128_hash_t x = XXH3_128bits(h, (size_t)hn);
		f->head_hi = x.high64;
		f->head_lo = x.low64;
		f->head = (size_t)hn == (f->size < TYPE_READ ? f->size : TYPE_READ);
	}
	if (hn >= 4 && !memcmp(h, "\177ELF", 4) && st.st_size > 0) {
		f->type = elf_type(fd, h, (size_t)hn, (uint64_t)st.st_size, y->buf + TYPE_READ,
				   PY_READ - TYPE_READ);
		if (f->type == FT_UNKNOWN)
			f->typed = false;   /* not its bytes' answer: not kept */
		if (f->type == FT_ELF_EXEC || f->type == FT_ELF_DYN || f->type == FT_ELF_REL)
			f->cat = TC_ELF;
		else
			f->type = FT_UNKNOWN;   /* a core file, say: data */
	} else if (is_python(f->rel, h, (size_t)(hn < 64 ? hn : 64))) {
		f->cat = TC_PY;
		size_t n = (size_t)hn;
		ssize_t k;
		if ((uint64_t)st.st_size <= PY_READ) {
			while (n < (size_t)st.st_size &&
			       (k = pread(fd, h + n, (size_t)st.st_size - n, (off_t)n)) > 0)
				n += (size_t)k;
			y->read += n - (size_t)hn;
			if (n == (size_t)st.st_size)
				tree_tokens_of(h, n, y->pool, tok);
		}
	}
	close(fd);
	return 0;
}

static void typer_init(struct typer *y, struct tree *t)
{
	*y = (struct typer){t, xmalloc(PY_READ), tree_pool_new(), 0};
}

static int by_warn_file(const void *a, const void *b)
{
	const struct type_warn *x = a, *y = b;
	return x->file < y->file ? -1 : x->file > y->file;
}

struct type_job {              /* type_all()'s */
	struct tree *t;
	struct typer y[2];
	atomic_size_t next;    /* the next chunk of the inventory */
	struct type_warn *w[2];
	size_t nw[2], capw[2];
};

static void type_warn(struct type_warn **w, size_t *nw, size_t *capw, struct tree *t,
		      size_t i, int err)
{
	GROW(*w, *capw, *nw + 1);
	(*w)[*nw] = (struct type_warn){.file = i};
	diag_err(&(*w)[(*nw)++].d, arena_printf(&t->arena, "%s/%s", t->dir, t->f[i].rel),
		 "cannot read: %s (inventoried as data)", strerror(err));
}

struct type_arg {
	struct type_job *j;
	int k;
};

static void *type_thread(void *arg)
{
	struct type_arg *a = arg;
	struct type_job *j = a->j;
	struct tree *t = j->t;
	size_t from;
	while ((from = atomic_fetch_add(&j->next, 64)) < t->n)
		for (size_t i = from; i < t->n && i < from + 64; i++) {
			if (t->f[i].wtyped)
				continue;
			int err = type_file(&j->y[a->k], &t->f[i], &t->tok[i], -1, NULL,
					    t->rootfd, t->f[i].rel);
			if (err)
				type_warn(&j->w[a->k], &j->nw[a->k], &j->capw[a->k], t, i, err);
		}
	return NULL;
}

/* Every file the walk's threads did not type (a hardlink whose first
 * path in the inventory's order is not the one a thread met first), on
 * two threads taking chunks of the inventory; the walk's warnings (w0)
 * and these in the inventory's order whatever thread met them. */
static void type_all(struct tree *t, struct typer wy[2], struct type_warn *w0, size_t nw0,
		     struct diag_list *w)
{
	struct type_job j = {.t = t, .y = {wy[0], wy[1]}, .w = {w0, NULL}, .nw = {nw0, 0},
			     .capw = {nw0, 0}};
	atomic_init(&j.next, 0);
	size_t left = 0;
	for (size_t i = 0; i < t->n; i++)
		left += !t->f[i].wtyped;
	if (left) {
		struct type_arg a[2] = {{&j, 0}, {&j, 1}};
		pthread_t th;
		bool two = left > 64 && !pthread_create(&th, NULL, type_thread, &a[1]);
		type_thread(&a[0]);
		if (two)
			pthread_join(th, NULL);
	}
	size_t nw = j.nw[0] + j.nw[1];
	struct type_warn *all = xcalloc(nw + 1, sizeof *all);
	/* j.w[k] is NULL when that side warned of nothing */
	if (j.nw[0])
		memcpy(all, j.w[0], j.nw[0] * sizeof *all);
	if (j.nw[1])
		memcpy(all + j.nw[0], j.w[1], j.nw[1] * sizeof *all);
	qsort(all, nw, sizeof *all, by_warn_file);
	for (size_t i = 0; i < nw; i++)
		diag_warn(w, &all[i].d);
	free(all);
	for (int k = 0; k < 2; k++) {
		free(j.y[k].buf);
		free(j.w[k]);
		t->pools.v[k] = j.y[k].pool;
	}
	/* the bytes typing read are input read, as a mapped file's are:
	 * the default memory budget grows with them (memlimit.h), once
	 * here (its bookkeeping is not for two threads) */
	memlimit_input(t->dir, j.y[0].read + j.y[1].read, false);
}

/* a file as the walk met it, nothing known of its bytes yet */
static void tfile_init(struct tfile *f, const char *rel, const struct walk_stat *st)
{
	*f = (struct tfile){.rel = rel, .size = st->size, .dev = st->dev, .ino = st->ino,
			    .msec = st->msec, .mnsec = st->mnsec, .csec = st->csec,
			    .cnsec = st->cnsec};
}

/* rel lives in the walk's arenas (t->walked); the index of its file */
static size_t add_file(struct tree *t, const char *rel, const struct walk_stat *st,
		       bool pytree, bool *alias)
{
	size_t i = by_inode(t, st->dev, st->ino);
	*alias = i != 0;
	if (i) {               /* a hardlink of a file already met */
		t->f[i - 1].naliases++;
		hmap_put(&t->by_path, rel, strlen(rel), ix(i - 1));
		return i - 1;
	}
	GROW(t->f, t->cap, t->n + 1);
	GROW(t->tok, t->captok, t->n + 2);
	struct tfile *f = &t->f[t->n];
	tfile_init(f, rel, st);
	memset(&t->tok[t->n], 0, sizeof *t->tok);
	f->pytree = pytree;
	hmap_put(&t->by_inode, inode_key(t, st->dev, st->ino), sizeof(struct ikey), ix(t->n));
	hmap_put(&t->by_path, rel, strlen(rel), ix(t->n));
	return t->n++;
}

/* symlinks are kept to name the files they point at (a dlopen of
 * "libfoo.so" finds libfoo.so.1.2 through one); resolved after the walk */
static void add_link(struct tree *t, const char *rel)
{
	GROW(t->links, t->caplinks, t->nlinks + 1);
	t->links[t->nlinks].rel = rel;
	t->links[t->nlinks++].file = 0;
}

struct wtyped {                /* a file typed on a walk's thread */
	struct tfile f;
	struct tree_tokens tok;
	int err;               /* typing could not read it */
};

struct walker {                /* the inventory's side of tree_walk() */
	struct tree *t;
	const struct deploy_opts *o;
	struct diag_list *w;
	unsigned pylevel;      /* 1 + the level of the Python tree we are
				* in, 0 outside one */
	uint64_t bytes;
	struct typer y[WALK_THREADS];
	struct arena tmp[WALK_THREADS];   /* the results, until replayed */
	pthread_mutex_t mu;
	struct hmap claimed;   /* inodes of several links a thread typed */
	struct type_warn *tw;  /* the walk's typing warnings */
	size_t ntw, captw;
	bool direct;           /* no per-file results to look up: each file
				* opened at once, not stat'ed first */
};

/* whether this thread is the first to meet the inode (a file of several
 * links is typed once, by the first path met; the inventory names it by
 * its first path in order, and types it again when that path is another:
 * a name can change the type, a .py) */
static bool claim(struct walker *k, unsigned th, uint64_t dev, uint64_t ino)
{
	struct ikey *key = arena_alloc(&k->tmp[th], sizeof *key);
	*key = (struct ikey){dev, ino};
	bool created;
	pthread_mutex_lock(&k->mu);
	hmap_slot(&k->claimed, (const char *)key, sizeof *key, &created);
	pthread_mutex_unlock(&k->mu);
	return created;
}

/* tree_walk()'s file callback: the walk's stat of a regular file and,
 * while its directory is open, its type (type_file()) */
static int walk_file(void *ctx, unsigned th, int dfd, const char *name, const char *rel,
		     struct walk_stat *ws, void **res)
{
	struct walker *k = ctx;
	struct stat st;
	int fd = -1, oerr = 0;
	if (k->direct) {   /* (with results cached, a hit needs no open) */
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
		oerr = fd < 0 ? errno : 0;
	}
	if (fd >= 0 ? fstat(fd, &st) : fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return -1;   /* the walk's own fstatat() says what it is */
	}
	walk_stat_of(ws, &st);
	if (st.st_nlink > 1 && !claim(k, th, ws->dev, ws->ino)) {
		if (fd >= 0)
			close(fd);
		*res = NULL;   /* another path of it is typed */
		return 0;
	}
	struct wtyped *r = arena_zalloc(&k->tmp[th], sizeof *r);
	tfile_init(&r->f, rel, ws);
	if (oerr) {     /* unreadable: data, as type_file() leaves it */
		r->f.type = FT_UNKNOWN;
		r->f.cat = TC_DATA;
		r->err = oerr;
	} else
		r->err = type_file(&k->y[th], &r->f, &r->tok, fd, fd >= 0 ? &st : NULL, dfd, name);
	*res = r;
	return 0;
}

static void on_entry(void *ctx, const struct walk_ent *e)
{
	struct walker *k = ctx;
	struct tree *t = k->t;
	switch (e->kind) {
	case WE_DIR:
		if (!e->level) {   /* the root, first: the count of files */
			hmap_reserve(&t->by_inode, (size_t)e->st.size);
			hmap_reserve(&t->by_path, (size_t)e->st.size);
		}
		if (!k->pylevel && (e->level > 0 ? is_pytree(e->rel, e->name)
						 : wheel_root(t->rootfd))) {
			k->pylevel = e->level + 1;
			GROW(t->pytrees, t->cappytrees, t->npytrees + 1);
			t->pytrees[t->npytrees++] = e->rel;
		}
		break;
	case WE_POST:
		if (k->pylevel == e->level + 1)
			k->pylevel = 0;
		break;
	case WE_FILE: {
		bool alias;
		size_t i = add_file(t, e->rel, &e->st, k->pylevel > 0, &alias);
		struct wtyped *r = e->res;
		k->bytes += e->st.size;
		if (alias || !r)
			break;
		/* the thread's file: the same path and stat (tfile_init() of
		 * both), and what typing found; the walk adds where it lies */
		struct tfile *f = &t->f[i];
		bool pytree = f->pytree;
		*f = r->f;
		f->pytree = pytree;
		f->wtyped = true;
		t->tok[i] = r->tok;
		if (r->err)
			type_warn(&k->tw, &k->ntw, &k->captw, t, i, r->err);
		break;
	}
	case WE_LINK:
		add_link(t, e->rel);
		break;
	case WE_ERR:
		diag_warn_at(k->w, *e->rel ? arena_printf(&t->arena, "%s/%s", t->dir, e->rel)
					   : t->dir,
			     0, "cannot read: %s (left out of the inventory)", strerror(e->err));
		break;
	}
}

static void on_walk_progress(void *ctx, uint64_t files, uint64_t bytes)
{
	struct walker *k = ctx;
	k->o->on_progress(k->o->ctx, (size_t)files, bytes, false);
}

/* The walk, with each file typed on the thread that met it while its
 * directory is open (one lookup of one component, and no second walk
 * of the inventory to type it), then the files it did not type. */
static int walk(struct tree *t, const struct deploy_opts *o,
		struct diag_list *w, struct diag *d)
{
	struct walker k = {.t = t, .o = o, .w = w, .direct = tree_fcache_empty(t)};
	for (int i = 0; i < WALK_THREADS; i++)
		typer_init(&k.y[i], t);
	pthread_mutex_init(&k.mu, NULL);
	/* --cache's directory, when it is inside the tree, is not part of
	 * the deployable (and its writes would change every next run's key) */
	struct stat cst;
	struct walk_stat skip = {0};
	if (o->cache_dir && !stat(o->cache_dir, &cst))
		walk_stat_of(&skip, &cst);
	clock_gettime(CLOCK_REALTIME, &t->walk_start);
	int err = tree_walk(t->rootfd, t->walked, on_entry, walk_file,
			    o->on_progress ? on_walk_progress : NULL, &k, skip.ino ? &skip : NULL);
	pthread_mutex_destroy(&k.mu);
	hmap_free(&k.claimed);
	for (int i = 0; i < WALK_THREADS; i++)
		arena_free(&k.tmp[i]);
	if (o->on_progress)
		o->on_progress(o->ctx, t->n, k.bytes, true);
	if (err) {
		for (int i = 0; i < WALK_THREADS; i++) {
			free(k.y[i].buf);
			struct tree_pools p = {{k.y[i].pool, NULL, NULL}};
			tree_pools_free(&p);
		}
		free(k.tw);
		return diag_err(d, t->name, "walk failed: %s", strerror(err));
	}
	if (!t->tok)
		t->tok = xcalloc(1, sizeof *t->tok);
	for (size_t i = 0; i < t->nlinks; i++)
		t->links[i].file = (uint32_t)tree_find(t, t->links[i].rel);
	type_all(t, k.y, k.tw, k.ntw, w);
	return 0;
}

/* every file a node KIND:PATH; attrs: its path, category, type */
static void add_nodes(struct tree *t, struct graph *g)
{
	/* "deployable" and "category" take a few values over 100k nodes:
	 * one JSON string each, shared (the same output, 140k fewer
	 * strings to allocate, dump and free) */
	json_t *dep = NULL, *cat[TC_NCAT] = {NULL};
	graph_reserve_nodes(g, t->n);
	for (size_t i = 0; i < t->n; i++) {
		struct tfile *f = &t->f[i];
		const char *kind = NK_FILE, *pre = IDP_FILE;
		if (f->type == FT_ELF_EXEC)
			kind = NK_EXE, pre = IDP_EXE;
		else if (f->type == FT_ELF_DYN)
			kind = NK_LIB, pre = IDP_LIB;
		else if (f->type == FT_ELF_REL)
			kind = NK_OBJECT, pre = IDP_OBJ;
		f->id = ids_path(g, pre, f->rel);   /* interned: "PRE:" f->rel */
		struct gnode *n = graph_add_node_interned(g, kind, f->id);
		f->node = n->idx;
		graph_node_set_size(n, f->size);
		json_t *a = graph_node_attrs(n);
		attr_str(a, "path", f->rel);
		if (dep) {
			json_object_set(a, "deployable", dep);
		} else {
			attr_str(a, "deployable", t->name);
			dep = json_object_get(a, "deployable");
		}
		if (cat[f->cat]) {
			json_object_set(a, "category", cat[f->cat]);
		} else {
			attr_str(a, "category", cat_name[f->cat]);
			cat[f->cat] = json_object_get(a, "category");
		}
		if (f->pytree)
			attr_bool(a, "python_tree", true);
		if (f->naliases)
			attr_int(a, "hardlinks", f->naliases + 1);
	}
}

struct dup_job {
	struct tree *t;
	struct diag_list w;
};

static void *dup_thread(void *arg)
{
	struct dup_job *j = arg;
	tree_dups_find(j->t, &j->w);
	tree_prescan(j->t);
	return NULL;
}

/* The GPU code of every ELF file of the tree, owned by its node (the
 * pipeline's run_gpu() skips a tree's nodes: their paths are inside it).
 * A bad container in one file is a warning: never an error for the tree. */
static void tree_gpu(struct tree *t, struct graph *g, const struct run *r)
{
	for (size_t i = 0; i < t->n; i++) {
		struct tfile *f = &t->f[i];
		if (f->cat != TC_ELF)
			continue;
		const char *full = tree_full(t, f);
		struct mfile mf;
		struct diag d = {0};
		int fd = openat(t->rootfd, f->rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || mfile_open_fd(&mf, fd, full, &d))
			continue;   /* typed from its bytes a moment ago */
		struct input in = {full, mf.p, mf.n, f->type, f->id};
		struct diag_list e = {0};
		fatbin_merge(g, &in, 1, r, &e);
		for (size_t k = 0; k < e.n; k++)
			diag_warn(r->w, &e.v[k]);
		diag_list_free(&e);
		mfile_close(&mf);
	}
}

static void step(const struct deploy_opts *o, const char *what, double *t0)
{
	double t = now_seconds();
	if (o->on_step)
		o->on_step(o->ctx, what, t - *t0);
	*t0 = t;
}

/* The root's own ELF context (sysroot = the root, ids by path), its
 * liveness and orphans, with the duplicates found meanwhile on a second
 * thread (they read bytes; the ELF analysis mostly headers and tables),
 * and the GPU code.  0, or -1 when an --entry or trace was bad. */
static int analyze_tree(struct tree *t, struct graph *g, const struct deploy_opts *o,
			const struct run *r, struct diag_list *errs, double *t0)
{
	struct elf_opts eo = o->elf ? *o->elf : (struct elf_opts){0};
	/* the real path: the ELF analyzer takes $ORIGIN from a program's
	 * real path with the sysroot's prefix removed (a relative DIR
	 * would leave a host path there) */
	eo.sysroot = t->real;
	eo.path_of = path_of;
	eo.path_ctx = t;
	eo.sizes = false;
	eo.hash_inputs = false;
	struct run tr = *r;
	tr.elf = elf_ctx_new(&eo);
	size_t ninputs = g->ninputs;
	struct dup_job job = {t, {0}};
	pthread_t th;
	tree_prescan_init(t);
	bool threaded = !pthread_create(&th, NULL, dup_thread, &job);
	if (!threaded)
		tree_prescan_free(t);   /* no second thread: no prescan */
	/* the nodes while that thread runs: it reads the files' paths,
	 * sizes and first bytes' hashes, add_nodes() writes their ids */
	add_nodes(t, g);
	step(o, "tree-nodes", t0);
	int rc = tree_live(t, g, o, &tr, errs);
	tree_prescan_end(t);
	step(o, "tree-live", t0);
	/* the programs analyzed are roots of the tree, not inputs */
	g->ninputs = ninputs;
	graph_add_input(g, t->name, filetype_name(FT_DIR), NULL);
	if (threaded) {
		pthread_join(th, NULL);
		tree_prescan_free(t);
	} else
		tree_dups_find(t, &job.w);
	for (size_t i = 0; i < job.w.n; i++)
		diag_warn(r->w, &job.w.v[i]);
	diag_list_free(&job.w);
	tree_dups_emit(t, g);
	step(o, "tree-dups", t0);
	/* every data section of every ELF file is read for the magic (real
	 * CUDA libraries embed containers outside .nv_fatbin): 3.4 s on
	 * /usr, so only when --arch asks for verdicts; totals.tree.gpu and
	 * the text say which */
	t->gpu = !o->no_gpu && r->gpu && r->gpu->arch;
	if (t->gpu) {
		tree_gpu(t, g, &tr);
		step(o, "tree-gpu", t0);
	}
	/* its mapped objects are left for the kernel at exit, as the
	 * pipeline's own context is (pipeline_run_close()) */
	elf_ctx_free_at_exit(tr.elf, true);
	return rc;
}

static void tree_free(struct tree *t)
{
	if (t->rootfd >= 0)
		close(t->rootfd);
	hmap_free(&t->by_inode);
	hmap_free(&t->by_path);
	free(t->f);
	free(t->links);
	free(t->dup);
	free(t->dupoff);
	free(t->pytrees);
	free(t->roots);
	free(t->scripts);
	tree_fcache_close(t);
	for (size_t i = 0; i < t->nkept; i++) {
		struct tree_pools p = {{t->kept[i], NULL, NULL}};
		tree_pools_free(&p);
	}
	free(t->kept);
	free(t->tok);
	tree_pools_free(&t->pools);
	arena_free(&t->arena);
	for (int k = 0; k < WALK_THREADS; k++)
		arena_free(&t->walked[k]);
}

int deploy_tree(struct graph *g, const char *dir, const char *name,
		const struct deploy_opts *o, const struct run *r,
		struct diag_list *errs)
{
	struct tree t = {0};
	struct diag d = {0};
	int rc = -1;
	double t0 = now_seconds();
	size_t dl = strlen(dir);
	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	t.dir = arena_strndup(&t.arena, dir, dl);
	t.name = name;
	t.traced = r->py && r->py->ntraces;
	t.rootfd = open(t.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *real = realpath(t.dir, NULL);
	t.real = arena_strdup(&t.arena, real ? real : t.dir);
	free(real);
	if (t.rootfd < 0) {
		diag_err(&d, name, "cannot open directory: %s", strerror(errno));
		goto out;
	}
	t.digests = o->digests;
	t.ndigests = o->ndigests;
	t.cache_name = o->cache_name;
	if (o->cache_dir)
		tree_fcache_open(&t, o->cache_dir, o->cache_w);
	if (walk(&t, o, r->w, &d))
		goto out;
	step(o, "tree-walk", &t0);
	rc = analyze_tree(&t, g, o, r, errs, &t0);
	tree_totals(&t, g, o);
	step(o, "tree-totals", &t0);
	if (t.fc && !rc) {
		tree_fcache_write(&t);
		step(o, "tree-cache", &t0);
	}
out:
	if (d.msg[0])
		diag_warn(errs, &d);
	tree_free(&t);
	return rc;
}
