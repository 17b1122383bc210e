/*
 * tree-walk.c - a directory tree's entries in fts(3) order, read on two
 * threads (tree-walk.h).
 *
 * fts_read() walks one directory at a time on one thread and lstat()s
 * every entry by its whole path from the root (FTS_NOCHDIR): on /usr
 * (140k files) that walk alone took 0.55 s of the report's 5.  Here two
 * threads take directories from one stack; each opens its directory
 * relative to the root's descriptor, reads it with getdents64()
 * (common/dents.h: one call for most directories) and fstatat()s each
 * entry relative to the directory's descriptor (a one-component
 * lookup), keeping for each directory its entries sorted by name.  The
 * order fts gives (pre-order, siblings by strcmp()) is then rebuilt on
 * the calling thread by an explicit-stack walk over the directories
 * read, so the output does not depend on the threads and a deep tree
 * cannot exhaust the C stack.
 *
 * Every entry but a directory is fstatat()ed (AT_SYMLINK_NOFOLLOW), as
 * FTS_PHYSICAL lstat()s it: the stat is the inventory's.  An entry
 * getdents says is a directory is not: its stat would say nothing the
 * fstat() of its descriptor does not, when it is read -- its (device,
 * inode), compared with its ancestors' so that a bind mount of an
 * ancestor below itself is not walked forever (fts's FTS_DC, which the
 * inventory skipped silently; so does this), and with the directory
 * the caller leaves out.
 */
#include "tree-walk.h"
#include "../common/dents.h"
#include "../common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WALK_BUF (256 * 1024)   /* each thread's getdents64() buffer */

struct wdir;

struct went {                   /* one entry of a directory */
	const char *rel;
	uint32_t name;          /* offset of its last component in rel */
	uint8_t kind;           /* WE_DIR, WE_FILE, WE_LINK or WE_ERR */
	int err;
	struct walk_stat st;
	void *res;              /* WE_FILE: the file callback's */
	struct wdir *sub;       /* WE_DIR: the directory read */
};

struct wdir {
	const char *rel;
	const struct wdir *parent;
	uint64_t dev, ino;
	unsigned level;
	int err;                /* it could not be read: why */
	bool cycle;             /* an ancestor's (device, inode): not read */
	bool left_out;          /* the directory the caller left out */
	struct went *e;
	size_t n, cap;
};

struct wjob {
	int rootfd;
	uint64_t skip_dev, skip_ino;    /* a directory left out (0, 0: none) */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct wdir **stack;    /* directories to read */
	size_t n, cap;
	unsigned busy;          /* threads reading one */
	atomic_uint_fast64_t files, bytes;
};

struct wthread {
	struct wjob *j;
	struct arena *a;        /* its path strings and directories */
	unsigned th;            /* its number */
	bool main;              /* the calling thread: reports progress */
	int (*file)(void *ctx, unsigned th, int dfd, const char *name, const char *rel,
		    struct walk_stat *st, void **res);
	void (*progress)(void *ctx, uint64_t files, uint64_t bytes);
	void *ctx;
};

void walk_stat_of(struct walk_stat *w, const struct stat *st)
{
	*w = (struct walk_stat){
		.dev = (uint64_t)st->st_dev, .ino = (uint64_t)st->st_ino,
		.size = (uint64_t)st->st_size,
		.msec = st->st_mtim.tv_sec, .mnsec = (uint32_t)st->st_mtim.tv_nsec,
		.csec = st->st_ctim.tv_sec, .cnsec = (uint32_t)st->st_ctim.tv_nsec,
	};
}

static int by_name(const void *a, const void *b)
{
	const struct went *x = a, *y = b;
	return strcmp(x->rel + x->name, y->rel + y->name);
}

static void push(struct wjob *j, struct wdir *d)
{
	pthread_mutex_lock(&j->mu);
	GROW(j->stack, j->cap, j->n + 1);
	j->stack[j->n++] = d;
	pthread_cond_signal(&j->cv);
	pthread_mutex_unlock(&j->mu);
}

static struct went *add(struct wdir *d)
{
	GROW(d->e, d->cap, d->n + 1);
	struct went *e = &d->e[d->n++];
	memset(e, 0, sizeof *e);
	return e;
}

/* read directory d (buf: the thread's, WALK_BUF bytes): its entries,
 * its subdirectories pushed */
static void read_dir(struct wthread *w, struct wdir *d, char *buf)
{
	struct wjob *j = w->j;
	int fd = openat(j->rootfd, d->level ? d->rel : ".",
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st)) {
		d->err = errno;
		if (fd >= 0)
			close(fd);
		return;
	}
	d->dev = (uint64_t)st.st_dev;
	d->ino = (uint64_t)st.st_ino;
	if (j->skip_ino && d->ino == j->skip_ino && d->dev == j->skip_dev) {
		d->left_out = true;
		close(fd);
		return;
	}
	for (const struct wdir *p = d->parent; p; p = p->parent)
		if (p->dev == d->dev && p->ino == d->ino) {
			d->cycle = true;
			close(fd);
			return;
		}
	size_t rl = d->level ? strlen(d->rel) : 0;
	const struct dirent64 *de;
	uint64_t files = 0, bytes = 0;
	struct dents dn;
	dents_start(&dn, fd, buf, WALK_BUF, dents_fills(fd, d->dev));
	while ((de = dents_next(&dn))) {
		const char *nm = de->d_name;
		size_t nl = strlen(nm);
		char *rel = arena_alloc(w->a, rl + 1 + nl + 1);
		if (rl) {
			memcpy(rel, d->rel, rl);
			rel[rl] = '/';
		}
		size_t off = rl ? rl + 1 : 0;
		memcpy(rel + off, nm, nl + 1);
		struct went *e;
		struct walk_stat ws;
		void *res = NULL;
		if (w->file && de->d_type == DT_REG &&
		    !w->file(w->ctx, w->th, fd, nm, rel, &ws, &res)) {
			e = add(d);
			e->kind = WE_FILE;
			e->st = ws;
			e->res = res;
			files++;
			bytes += ws.size;
		} else if (de->d_type == DT_DIR) {
			/* no stat here: the directory's own, when it is read,
			 * says whether it is an ancestor or left out */
			e = add(d);
			e->kind = WE_DIR;
		} else if (fstatat(fd, nm, &st, AT_SYMLINK_NOFOLLOW)) {
			e = add(d);
			e->kind = WE_ERR;
			e->err = errno;
		} else if (S_ISREG(st.st_mode)) {
			e = add(d);
			e->kind = WE_FILE;
			walk_stat_of(&e->st, &st);
			files++;
			bytes += (uint64_t)st.st_size;
		} else if (S_ISLNK(st.st_mode)) {
			e = add(d);
			e->kind = WE_LINK;
		} else if (S_ISDIR(st.st_mode)) {
			e = add(d);
			e->kind = WE_DIR;
		} else {
			continue;   /* devices, FIFOs, sockets */
		}
		if (e->kind == WE_DIR) {
			struct wdir *s = arena_zalloc(w->a, sizeof *s);
			s->rel = rel;
			s->parent = d;
			s->level = d->level + 1;
			e->sub = s;
		}
		e->rel = rel;
		e->name = (uint32_t)off;
	}
	if (dn.err)         /* a read error part way: what was read stays */
		d->err = dn.err;
	close(fd);
	if (d->n > 1)
		qsort(d->e, d->n, sizeof *d->e, by_name);
	/* pushed in reverse: the stack pops the first name first, so the
	 * threads go through the tree roughly in its order */
	for (size_t i = d->n; i-- > 0;)
		if (d->e[i].kind == WE_DIR)
			push(j, d->e[i].sub);
	atomic_fetch_add(&j->files, files);
	atomic_fetch_add(&j->bytes, bytes);
}

static void *worker(void *arg)
{
	struct wthread *w = arg;
	struct wjob *j = w->j;
	uint64_t shown = 0;
	char *buf = xmalloc(WALK_BUF);
	pthread_mutex_lock(&j->mu);
	for (;;) {
		while (!j->n && j->busy)
			pthread_cond_wait(&j->cv, &j->mu);
		if (!j->n)
			break;   /* nothing left and nobody reading: done */
		struct wdir *d = j->stack[--j->n];
		j->busy++;
		pthread_mutex_unlock(&j->mu);
		read_dir(w, d, buf);
		uint64_t f = atomic_load(&j->files);
		if (w->main && w->progress && f / 4096 != shown / 4096) {
			w->progress(w->ctx, f, atomic_load(&j->bytes));
			shown = f;
		}
		pthread_mutex_lock(&j->mu);
		j->busy--;
	}
	pthread_cond_broadcast(&j->cv);
	pthread_mutex_unlock(&j->mu);
	free(buf);
	return NULL;
}

/* the entries in fts order, from the directories read */
static void replay(struct wdir *root, uint64_t files,
		   void (*fn)(void *, const struct walk_ent *), void *ctx)
{
	struct frame {
		struct wdir *d;
		size_t next;
	};
	struct frame *st = NULL;
	size_t n = 0, cap = 0;
	struct walk_ent ev = {.kind = WE_DIR, .rel = "", .name = "", .level = 0,
			      .st.size = files};
	fn(ctx, &ev);
	GROW(st, cap, 1);
	st[n++] = (struct frame){root, 0};
	while (n) {
		struct frame *f = &st[n - 1];
		struct wdir *d = f->d;
		if (f->next == 0 && d->err && !d->n) {
			/* unreadable: fts reports it in place of its entries */
			ev = (struct walk_ent){.kind = WE_ERR, .rel = d->level ? d->rel : "",
					       .level = d->level, .err = d->err};
			ev.name = ev.rel;
			fn(ctx, &ev);
		}
		if (f->next == d->n) {
			if (d->err && d->n) {   /* read part way */
				ev = (struct walk_ent){.kind = WE_ERR, .rel = d->rel,
						       .name = d->rel, .level = d->level,
						       .err = d->err};
				fn(ctx, &ev);
			}
			ev = (struct walk_ent){.kind = WE_POST, .rel = d->level ? d->rel : "",
					       .level = d->level};
			const char *sl = d->level ? strrchr(ev.rel, '/') : NULL;
			ev.name = sl ? sl + 1 : ev.rel;
			fn(ctx, &ev);
			n--;
			continue;
		}
		struct went *e = &d->e[f->next++];
		ev = (struct walk_ent){.kind = (enum walk_kind)e->kind, .rel = e->rel,
				       .name = e->rel + e->name, .level = d->level + 1,
				       .err = e->err, .st = e->st, .res = e->res};
		if (e->kind == WE_DIR && (e->sub->cycle || e->sub->left_out))
			continue;   /* fts's FTS_DC: skipped; or left out */
		fn(ctx, &ev);
		if (e->kind == WE_DIR) {
			GROW(st, cap, n + 1);
			st[n++] = (struct frame){e->sub, 0};
		}
	}
	free(st);
}

static void free_dirs(struct wdir *d)
{
	/* the same explicit stack: a deep tree must not recurse */
	struct wdir **st = NULL;
	size_t n = 0, cap = 0;
	GROW(st, cap, 1);
	st[n++] = d;
	while (n) {
		struct wdir *x = st[--n];
		for (size_t i = 0; i < x->n; i++)
			if (x->e[i].kind == WE_DIR) {
				GROW(st, cap, n + 1);
				st[n++] = x->e[i].sub;
			}
		free(x->e);
	}
	free(st);
}

int tree_walk(int rootfd, struct arena keep[WALK_THREADS],
	      void (*fn)(void *ctx, const struct walk_ent *e),
	      int (*file)(void *ctx, unsigned th, int dfd, const char *name, const char *rel,
			  struct walk_stat *st, void **res),
	      void (*progress)(void *ctx, uint64_t files, uint64_t bytes), void *ctx,
	      const struct walk_stat *skip)
{
	struct wjob j = {.rootfd = rootfd, .skip_dev = skip ? skip->dev : 0,
			 .skip_ino = skip ? skip->ino : 0};
	pthread_mutex_init(&j.mu, NULL);
	pthread_cond_init(&j.cv, NULL);
	atomic_init(&j.files, 0);
	atomic_init(&j.bytes, 0);
	struct wdir *root = arena_zalloc(&keep[0], sizeof *root);
	root->rel = "";
	push(&j, root);
	struct wthread w[WALK_THREADS];
	pthread_t th[WALK_THREADS];
	bool started[WALK_THREADS] = {false};
	for (int k = 0; k < WALK_THREADS; k++)
		w[k] = (struct wthread){&j, &keep[k], (unsigned)k, k == 0, file, progress, ctx};
	for (int k = 1; k < WALK_THREADS; k++)
		started[k] = !pthread_create(&th[k], NULL, worker, &w[k]);
	worker(&w[0]);
	for (int k = 1; k < WALK_THREADS; k++)
		if (started[k])
			pthread_join(th[k], NULL);
	int rc = 0;
	if (root->err)
		rc = root->err;
	else
		replay(root, atomic_load(&j.files), fn, ctx);
	free_dirs(root);
	free(j.stack);
	pthread_mutex_destroy(&j.mu);
	pthread_cond_destroy(&j.cv);
	return rc;
}
