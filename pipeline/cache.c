/*
 * cache.c - `slim report --cache DIR` (cache.h says what the key holds).
 *
 * The key.  XXH3-128 (libxxhash) over, in order: "slim-cache/1",
 * SLIM_VERSION and /proc/self/exe's identity; then each argument (an
 * output path's value replaced by "<out>", --cache's value dropped); then
 * each path named: a directory by its inventory digest, a regular file by
 * its content's digest and size.  The inventory digest is the sum (two
 * 64-bit lanes, modulo 2^64) of one XXH3-128 per entry over its path
 * relative to the directory and its (mode, device, inode, size, mtime,
 * ctime, links) from fstatat() without following links: a sum does not
 * depend on the order readdir() returns entries in, so two threads walk
 * the directories from one queue (openat() relative to the root's
 * descriptor, one fstatat() per entry, nothing read).  ctime is set by
 * the kernel on every write, rename, chmod and link, so a file rewritten
 * with its old mtime restored still changes the key.
 *
 * An entry is a meta file in DIR, KEY.meta, and one file per output the
 * run wrote, KEY.main (the report: text or JSON, to stdout or -o),
 * KEY.prune, KEY.html, KEY.svg, each the output's exact bytes:
 *
 *     slim-cache/2
 *     key KEY
 *     run RUN
 *     out NAME SIZE DIGEST       one line per output written, in order
 *     warn SIZE DIGEST
 *     <the warnings text, SIZE bytes>
 *
 * DIGEST is the XXH3-128 of those bytes in 32 hex digits.  rcache_get()
 * trusts an entry only when the header parses, names this key, and every
 * size and digest matches the bytes there: a truncated, corrupt or
 * foreign file is a warning and a miss (the run recomputes and rewrites
 * the entry).  Every file is written through ofile (beside the target,
 * then renamed), the outputs before the meta, so an interrupted write
 * leaves a mismatch the reader refuses, never a half-read result.  A hit
 * replays the outputs byte for byte (cmd-report.c renders a cached run's
 * outputs into the entry first and copies them to where they go, so a
 * replay and a first run take the same path to the user's files).
 * RUN is the key's digest without the contents (version, binary,
 * arguments, the paths named): after a store, the other entries of the
 * same RUN are removed -- the same command on inputs that have changed
 * since, which no later run can hit -- so DIR keeps one entry per
 * command line.
 */
#include "cache.h"
#include "deploy.h"
#include "../common/dents.h"
#include "../common/diag.h"
#include "../common/mfile.h"
#include "../common/ofile.h"
#include "../common/util.h"
#include "../graph/graph.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY   /* XXH3_state_t on the stack */
#include <xxhash.h>

#define MAGIC "slim-cache/2"
#define DIGEST_BLOCK (1 << 20)   /* file_digest()'s and rcache_deliver()'s reads */

static const char *const out_name[RC_NOUT] = {"main", "prune", "html", "svg"};

/* one warning naming file, without an offset */
static void warn(struct diag_list *w, const char *file, const char *msg)
{
	struct diag d = {0};
	diag_err(&d, file, "%s", msg);
	diag_warn(w, &d);
}

/* ---- the inventory digest of a directory ---- */

struct inv {
	int rootfd;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char **q;              /* directories to read, relative ("" the root) */
	size_t nq, capq;
	size_t busy;           /* threads reading one */
	uint64_t lo, hi, n;    /* the sums, and the entries counted */
	uint64_t skip_dev, skip_ino;   /* the cache directory: not walked */
	struct timespec start;         /* when the walk began */
	int64_t new_sec;               /* the newest racy ctime seen (0: none) */
	long new_nsec;
	char new_path[PATH_MAX];       /* its entry */
};

/* a thread's newest racy entry (rcache_racy()), merged into v's at the
 * end; a walk whose tree changed long ago finds none */
struct racy {
	int64_t sec;
	long nsec;
	char path[PATH_MAX];
};

static void note_racy(const struct inv *v, struct racy *r, const char *rel,
		      const struct stat *st)
{
	if (!rcache_racy(st->st_ctim.tv_sec, st->st_ctim.tv_nsec, &v->start) ||
	    st->st_ctim.tv_sec < r->sec ||
	    (st->st_ctim.tv_sec == r->sec && st->st_ctim.tv_nsec <= r->nsec))
		return;
	r->sec = st->st_ctim.tv_sec;
	r->nsec = st->st_ctim.tv_nsec;
	snprintf(r->path, sizeof r->path, "%s", rel);
}

static int64_t racy_tick;   /* ns: the margin of a file with a fraction */
static pthread_once_t racy_once = PTHREAD_ONCE_INIT;

static void racy_init(void)
{
	struct timespec res;
	int64_t t = 20 * 1000000LL;
	if (!clock_getres(CLOCK_REALTIME_COARSE, &res) && !res.tv_sec &&
	    2 * (int64_t)res.tv_nsec > t)
		t = 2 * (int64_t)res.tv_nsec;
	const char *e = getenv("SLIM_RACY_MS");   /* (tests: a wide window) */
	if (e && *e)
		t = strtoll(e, NULL, 10) * 1000000LL;
	racy_tick = t;
}

bool rcache_racy(int64_t sec, long nsec, const struct timespec *start)
{
	pthread_once(&racy_once, racy_init);
	int64_t tick = racy_tick;
	int64_t margin = nsec || tick > 2000 * 1000000LL ? tick : 2000 * 1000000LL;
	/* racy when sec.nsec + margin > start */
	int64_t ds = (int64_t)start->tv_sec - sec;
	if (ds > 3 + margin / 1000000000LL)
		return false;
	return ds * 1000000000LL + ((int64_t)start->tv_nsec - nsec) < margin;
}

struct ent_facts {             /* hashed after the path, packed by hand */
	uint64_t mode, dev, ino, size, msec, mnsec, csec, cnsec, nlink;
};

static void facts(const struct stat *st, struct ent_facts *f)
{
	*f = (struct ent_facts){st->st_mode, st->st_dev, st->st_ino, (uint64_t)st->st_size,
				(uint64_t)st->st_mtim.tv_sec, (uint64_t)st->st_mtim.tv_nsec,
				(uint64_t)st->st_ctim.tv_sec, (uint64_t)st->st_ctim.tv_nsec,
				st->st_nlink};
}

/* one entry's hash: its path, a NUL, its facts (or the errno that kept
 * them from us) -- one XXH3-128 over those bytes laid end to end */
static XXH128_hash_t ent_hash(const char *rel, const struct ent_facts *f)
{
	char b[PATH_MAX + 1 + sizeof *f];
	size_t n = strnlen(rel, PATH_MAX);
	memcpy(b, rel, n);
	b[n++] = 0;
	memcpy(b + n, f, sizeof *f);
	return XXH3_128bits(b, n + sizeof *f);
}

/* an entry's hash added to the directory sums */
static void add_ent(uint64_t sum[3], const char *rel, const struct ent_facts *f)
{
	XXH128_hash_t h = ent_hash(rel, f);
	sum[0] += h.low64, sum[1] += h.high64, sum[2]++;
}

static void queue_sub(char ***sub, size_t *nsub, size_t *capsub, const char *path)
{
	GROW(*sub, *capsub, *nsub + 1);
	(*sub)[(*nsub)++] = xstrdup(path);
}

#define INV_BUF (256 * 1024)   /* each thread's getdents64() buffer */

/* read one directory: its own facts and every entry but a
 * subdirectory hashed, its subdirectories queued.  A subdirectory's
 * facts are taken from its descriptor when it is read (fstat: no path
 * lookup), so it is not looked up twice; an entry whose type getdents
 * does not give is stat'ed by name. */
static void inv_dir(struct inv *v, const char *rel, uint64_t sum[3], char *buf,
		    char ***sub, size_t *nsub, size_t *capsub, struct racy *ry)
{
	int fd = *rel ? openat(v->rootfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
		      : dup(v->rootfd);
	struct stat st;
	bool fills = false;   /* dents_fills(), when the fstat says where */
	if (fd >= 0 && *rel) {
		struct ent_facts f;
		if (fstat(fd, &st))
			f = (struct ent_facts){.mode = (uint64_t)errno};
		else {
			facts(&st, &f);
			fills = dents_fills(fd, f.dev);
		}
		if (f.ino && f.dev == v->skip_dev && f.ino == v->skip_ino) {
			close(fd);
			return;     /* the cache inside the tree: its own writes
				     * must not change the key (nor the report:
				     * tree.c leaves it out too) */
		}
		if (f.ino)
			note_racy(v, ry, rel, &st);
		add_ent(sum, rel, &f);
	}
	if (fd < 0) {
		/* unreadable: the report says so; its errno keys that */
		struct ent_facts f = {.mode = (uint64_t)errno};
		add_ent(sum, rel, &f);
		return;
	}
	char path[PATH_MAX];
	size_t rl = strlen(rel);
	if (rl) {
		memcpy(path, rel, rl);
		path[rl++] = '/';
	}
	/* getdents64() into the thread's buffer (common/dents.h) */
	struct dents dn;
	const struct dirent64 *e;
	dents_start(&dn, fd, buf, INV_BUF, fills);
	while ((e = dents_next(&dn))) {
		size_t nl = strlen(e->d_name);
		if (rl + nl >= sizeof path)
			nl = sizeof path - 1 - rl;   /* (PATH_MAX deep: cut) */
		memcpy(path + rl, e->d_name, nl);
		path[rl + nl] = 0;
		if (e->d_type == DT_DIR) {
			queue_sub(sub, nsub, capsub, path);
			continue;
		}
		struct ent_facts f;
		if (fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			f = (struct ent_facts){.mode = (uint64_t)errno};
		else {
			facts(&st, &f);
			note_racy(v, ry, path, &st);
		}
		if (f.ino && S_ISDIR(f.mode)) {
			/* (a type getdents did not give) read, and
			 * hashed, like the others */
			queue_sub(sub, nsub, capsub, path);
			continue;
		}
		add_ent(sum, path, &f);
	}
	if (dn.err) {
		/* a read error part way: its errno keys that (nlink 1 tells
		 * it from the directory not opened at all) */
		struct ent_facts f = {.mode = (uint64_t)dn.err, .nlink = 1};
		add_ent(sum, rel, &f);
	}
	close(fd);
}

static void *inv_thread(void *arg)
{
	struct inv *v = arg;
	uint64_t sum[3] = {0};
	char **sub = NULL;
	size_t nsub = 0, capsub = 0;
	char *buf = xmalloc(INV_BUF);
	struct racy *ry = xcalloc(1, sizeof *ry);
	pthread_mutex_lock(&v->mu);
	for (;;) {
		while (!v->nq && v->busy)
			pthread_cond_wait(&v->cv, &v->mu);
		if (!v->nq)
			break;           /* nothing queued, nobody reading */
		char *rel = v->q[--v->nq];
		v->busy++;
		pthread_mutex_unlock(&v->mu);
		nsub = 0;
		inv_dir(v, rel, sum, buf, &sub, &nsub, &capsub, ry);
		free(rel);
		pthread_mutex_lock(&v->mu);
		if (nsub) {
			GROW(v->q, v->capq, v->nq + nsub);
			memcpy(v->q + v->nq, sub, nsub * sizeof *sub);
			v->nq += nsub;
		}
		v->busy--;
		pthread_cond_broadcast(&v->cv);
	}
	v->lo += sum[0];
	v->hi += sum[1];
	v->n += sum[2];
	if (ry->sec > v->new_sec || (ry->sec == v->new_sec && ry->nsec > v->new_nsec)) {
		v->new_sec = ry->sec;
		v->new_nsec = ry->nsec;
		memcpy(v->new_path, ry->path, sizeof v->new_path);
	}
	free(ry);
	pthread_cond_broadcast(&v->cv);
	pthread_mutex_unlock(&v->mu);
	free(sub);
	free(buf);
	return NULL;
}

/* the digest of everything under dir (the directory itself included) */
static int inv_digest(struct rcache *c, const char *dir, XXH3_state_t *key,
		      const struct stat *skip)
{
	struct inv v = {.rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC),
			.skip_dev = (uint64_t)skip->st_dev, .skip_ino = (uint64_t)skip->st_ino};
	if (v.rootfd < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &v.start);
	pthread_mutex_init(&v.mu, NULL);
	pthread_cond_init(&v.cv, NULL);
	GROW(v.q, v.capq, 1);
	v.q[v.nq++] = xstrdup("");
	pthread_t th;
	bool two = !pthread_create(&th, NULL, inv_thread, &v);
	inv_thread(&v);
	if (two)
		pthread_join(th, NULL);
	struct stat st;
	struct ent_facts f;
	fstat(v.rootfd, &st);
	facts(&st, &f);
	XXH3_128bits_update(key, &f, sizeof f);
	uint64_t s[3] = {v.lo, v.hi, v.n};
	XXH3_128bits_update(key, s, sizeof s);
	close(v.rootfd);
	free(v.q);
	pthread_mutex_destroy(&v.mu);
	pthread_cond_destroy(&v.cv);
	if (v.new_sec && (!c->racy || v.new_sec > c->racy_sec ||
			  (v.new_sec == c->racy_sec && v.new_nsec > c->racy_nsec))) {
		c->racy = true;
		c->racy_sec = v.new_sec;
		c->racy_nsec = v.new_nsec;
		c->racy_ms = (long)(((int64_t)v.start.tv_sec - v.new_sec) * 1000 +
				    ((int64_t)v.start.tv_nsec - v.new_nsec) / 1000000);
		snprintf(c->racy_path, sizeof c->racy_path, "%s/%s", dir, v.new_path);
	}
	return 0;
}

/* ---- content digests ---- */

static XXH128_hash_t digest_buf(const void *p, size_t n)
{
	return XXH3_128bits(p, n);
}

static void hex128(XXH128_hash_t h, char out[33])
{
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)h.high64,
		 (unsigned long long)h.low64);
}

/* a file's content digest, read from its start in blocks with pread()
 * (memory bounded; a report of 65 MB in 11 ms, where mapping it took
 * 30 ms to fault its pages in); -1 with errno */
static int file_digest(int fd, XXH128_hash_t *out, uint64_t *size)
{
	XXH3_state_t s;
	XXH3_128bits_reset(&s);
	unsigned char *buf = xmalloc(DIGEST_BLOCK);
	ssize_t got;
	*size = 0;
	while ((got = pread(fd, buf, DIGEST_BLOCK, (off_t)*size)) > 0) {
		XXH3_128bits_update(&s, buf, (size_t)got);
		*size += (uint64_t)got;
	}
	free(buf);
	if (got < 0)
		return -1;
	*out = XXH3_128bits_digest(&s);
	return 0;
}

/* a path an argument names, into the key; `input` set for the run's
 * inputs, which must be deployables.  -1 with a warning: not cacheable */
static int key_path(struct rcache *c, XXH3_state_t *key, const char *path, bool input,
		    const struct stat *cdir, struct diag_list *w)
{
	struct stat st;
	if (stat(path, &st)) {
		if (input) {
			char m[256];
			snprintf(m, sizeof m, "--cache: cannot stat the input (%s): this run is not cached",
				 strerror(errno));
			warn(w, path, m);
			return -1;
		}
		return 0;    /* not a path: the argument is in the key already */
	}
	XXH3_128bits_update(key, path, strlen(path) + 1);
	if (S_ISDIR(st.st_mode))
		return inv_digest(c, path, key, cdir) ? -1 : 0;
	if (!S_ISREG(st.st_mode)) {
		warn(w, path, "--cache: neither a directory nor a regular file: this run is not cached");
		return -1;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return input ? -1 : 0;
	unsigned char head[512];
	ssize_t hn = pread(fd, head, sizeof head, 0);
	if (input && (hn <= 0 || !deploy_is_archive(head, (size_t)hn))) {
		close(fd);
		/* an ELF file or a report is resolved against the host: its
		 * libraries are not in the key */
		warn(w, path, "--cache: not a deployable (a directory, archive or image): this run is not cached");
		return -1;
	}
	XXH128_hash_t h;
	uint64_t size;
	int rc = file_digest(fd, &h, &size);
	close(fd);
	if (rc)
		return -1;
	XXH3_128bits_update(key, &h, sizeof h);
	XXH3_128bits_update(key, &size, sizeof size);
	return 0;
}

/* an option whose value is where output goes */
static bool out_opt(const char *a)
{
	static const char *const v[] = {"-o", "--output", "--html", "--svg", "--prune-list"};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		if (!strcmp(a, v[i]))
			return true;
	return false;
}

static bool out_opt_eq(const char *a, const char **val)
{
	static const char *const v[] = {"--output=", "--html=", "--svg=", "--prune-list=", "--cache="};
	for (size_t i = 0; i < sizeof v / sizeof *v; i++)
		if (!strncmp(a, v[i], strlen(v[i]))) {
			*val = a + strlen(v[i]);
			return true;
		}
	return false;
}

int rcache_key(struct rcache *c, const char *dir, int argc, char *const *argv,
	       char *const *inputs, size_t ninputs, struct diag_list *w)
{
	struct stat st;
	if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
		if (mkdir(dir, 0777) && errno != EEXIST) {
			char m[256];
			snprintf(m, sizeof m, "--cache: cannot make the directory (%s): this run is not cached",
				 strerror(errno));
			warn(w, dir, m);
			return -1;
		}
	}
	struct stat cst = {0};   /* the cache directory, left out of walks */
	stat(dir, &cst);
	c->racy = false;
	c->racy_path[0] = 0;
	XXH3_state_t key, run;
	XXH3_128bits_reset(&key);
	XXH3_128bits_reset(&run);
	XXH3_128bits_update(&key, MAGIC, sizeof MAGIC);
	XXH3_128bits_update(&key, SLIM_VERSION, sizeof SLIM_VERSION);
	struct ent_facts f = {0};
	if (!stat("/proc/self/exe", &st))
		facts(&st, &f);
	f.nlink = 0;   /* a hardlink made to the binary changes nothing */
	XXH3_128bits_update(&key, &f, sizeof f);
	XXH3_128bits_update(&run, &f, sizeof f);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val;
		if (!strcmp(a, "--cache") && i + 1 < argc) {
			i++;
			continue;
		}
		if (!strncmp(a, "--cache=", 8))
			continue;
		if (out_opt(a) && i + 1 < argc) {
			XXH3_128bits_update(&key, a, strlen(a) + 1);
			XXH3_128bits_update(&key, "<out>", 6);
			XXH3_128bits_update(&run, a, strlen(a) + 1);
			XXH3_128bits_update(&run, "<out>", 6);
			i++;
			continue;
		}
		if (out_opt_eq(a, &val)) {
			XXH3_128bits_update(&key, a, (size_t)(val - a));
			XXH3_128bits_update(&key, "<out>", 6);
			XXH3_128bits_update(&run, a, (size_t)(val - a));
			XXH3_128bits_update(&run, "<out>", 6);
			continue;
		}
		XXH3_128bits_update(&key, a, strlen(a) + 1);
		XXH3_128bits_update(&run, a, strlen(a) + 1);
		bool input = false;
		for (size_t k = 0; k < ninputs; k++)
			input |= !strcmp(inputs[k], a);
		/* a value after '=' names a path as well (--py-trace=T) */
		const char *eq = a[0] == '-' ? strchr(a, '=') : NULL;
		if (!input && key_path(c, &key, eq ? eq + 1 : a, false, &cst, w))
			return -1;
	}
	XXH3_128bits_update(&key, "\0inputs", 8);
	for (size_t k = 0; k < ninputs; k++) {
		XXH3_128bits_update(&run, inputs[k], strlen(inputs[k]) + 1);
		if (key_path(c, &key, inputs[k], true, &cst, w))
			return -1;
	}
	hex128(XXH3_128bits_digest(&key), c->key);
	hex128(XXH3_128bits_digest(&run), c->run);
	snprintf(c->dir, sizeof c->dir, "%s", dir);
	for (int k = 0; k < RC_NOUT; k++)
		snprintf(c->out[k], sizeof c->out[k], "%s/%s.%s", dir, c->key, out_name[k]);
	snprintf(c->meta, sizeof c->meta, "%s/%s.meta", dir, c->key);
	return 0;
}

void rcache_identity(char hex[33])
{
	XXH3_state_t s;
	struct stat st;
	struct ent_facts f = {0};
	XXH3_128bits_reset(&s);
	XXH3_128bits_update(&s, SLIM_VERSION, sizeof SLIM_VERSION);
	if (!stat("/proc/self/exe", &st))
		facts(&st, &f);
	f.nlink = 0;
	XXH3_128bits_update(&s, &f, sizeof f);
	hex128(XXH3_128bits_digest(&s), hex);
}

/* ---- entries ---- */

void rcache_src_close(struct rcache_src *s)
{
	if (s->fd >= 0)
		close(s->fd);
	*s = (struct rcache_src){.fd = -1};
}

void rcache_release(struct rcache_hit *h)
{
	for (int k = 0; k < RC_NOUT; k++)
		rcache_src_close(&h->out[k]);
	free(h->warn);
	memset(h, 0, sizeof *h);
}

/* s: the file at path, open, with its size and digest; -1 with errno */
static int src_open(const char *path, struct rcache_src *s)
{
	*s = (struct rcache_src){.fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC),
				 .path = path};
	XXH128_hash_t h;
	if (s->fd < 0 || file_digest(s->fd, &h, &s->n)) {
		int e = errno;
		rcache_src_close(s);
		errno = e;
		return -1;
	}
	s->hi = h.high64;
	s->lo = h.low64;
	s->present = true;
	return 0;
}

int rcache_src_open(const char *path, struct rcache_src *s, struct diag *d)
{
	if (!src_open(path, s))
		return 0;
	diag_err(d, path, "cannot read: %s", strerror(errno));
	return -1;
}

/* whether the regular file at path (one link, not a symlink) holds s's
 * bytes (its size and digest); if so its mtime is set to now, as a
 * rewrite would */
static bool holds(const char *path, const struct rcache_src *s)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	XXH128_hash_t h;
	uint64_t n;
	bool same = !fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
		    (uint64_t)st.st_size == s->n && !file_digest(fd, &h, &n) && n == s->n &&
		    h.high64 == s->hi && h.low64 == s->lo;
	/* (no permission to set the time: written as usual) */
	same = same && !futimens(fd, NULL);
	close(fd);
	return same;
}

int rcache_deliver(const struct rcache_src *s, const char *to, struct diag *d)
{
	if (strcmp(to, "-") && holds(to, s))
		return 0;
	struct ofile of;
	FILE *fp = ofile_open(&of, to, d);
	if (!fp)
		return -1;
	char *buf = xmalloc(DIGEST_BLOCK);
	ssize_t got = 0;
	for (uint64_t at = 0; at < s->n; at += (uint64_t)got) {
		size_t want = s->n - at < DIGEST_BLOCK ? (size_t)(s->n - at) : DIGEST_BLOCK;
		got = pread(s->fd, buf, want, (off_t)at);
		if (got <= 0 || fwrite(buf, 1, (size_t)got, fp) != (size_t)got) {
			diag_err(d, got <= 0 ? s->path : to, "%s: %s",
				 got <= 0 ? "cannot read" : "write failed",
				 got < 0 ? strerror(errno) : got ? strerror(errno) : "truncated");
			free(buf);
			ofile_abort(&of);
			return -1;
		}
	}
	free(buf);
	return ofile_commit(&of, d);
}

static int refuse(struct diag_list *w, const char *file, const char *why)
{
	char m[700];
	snprintf(m, sizeof m, "--cache: ignored (%s): the report is computed again", why);
	warn(w, file, m);
	return 0;
}

struct meta {                   /* a meta file's header, parsed */
	char key[33], run[33];
	bool present[RC_NOUT];
	unsigned long long size[RC_NOUT], wsize;
	char digest[RC_NOUT][33], wdigest[33];
	size_t len;             /* the header's bytes: the warnings follow */
};

/* one line of [p, end) into line (NUL-terminated, without its '\n');
 * the next line's start, or NULL when there is no whole line */
static const char *line_of(const char *p, const char *end, char *line, size_t cap)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl || (size_t)(nl - p) >= cap)
		return NULL;
	memcpy(line, p, (size_t)(nl - p));
	line[nl - p] = 0;
	return nl + 1;
}

/* the header of a meta (-1: not one) */
static int parse_meta(const char *p, size_t n, struct meta *m)
{
	memset(m, 0, sizeof *m);
	const char *q = p, *end = p + n;
	char l[200], name[16];
	int len = 0;
	if (!n || !(q = line_of(q, end, l, sizeof l)) || strcmp(l, MAGIC) ||
	    !(q = line_of(q, end, l, sizeof l)) ||
	    sscanf(l, "key %32[0-9a-f]%n", m->key, &len) != 1 || l[len] || strlen(m->key) != 32 ||
	    !(q = line_of(q, end, l, sizeof l)) ||
	    sscanf(l, "run %32[0-9a-f]%n", m->run, &len) != 1 || l[len])
		return -1;
	for (int last = -1;;) {
		if (!(q = line_of(q, end, l, sizeof l)))
			return -1;
		unsigned long long sz;
		char dg[40];
		if (sscanf(l, "warn %llu %32[0-9a-f]%n", &m->wsize, m->wdigest, &len) == 2 && !l[len])
			break;
		if (sscanf(l, "out %15s %llu %32[0-9a-f]%n", name, &sz, dg, &len) != 3 || l[len])
			return -1;
		int k = 0;
		while (k < RC_NOUT && strcmp(name, out_name[k]))
			k++;
		if (k == RC_NOUT || k <= last)   /* unknown, repeated or out of order */
			return -1;
		last = k;
		m->present[k] = true;
		m->size[k] = sz;
		memcpy(m->digest[k], dg, 33);
	}
	m->len = (size_t)(q - p);
	return 0;
}

int rcache_get(const struct rcache *c, struct rcache_hit *h, struct diag_list *w)
{
	memset(h, 0, sizeof *h);
	if (access(c->meta, F_OK))
		return 0;    /* no entry: a miss, nothing to say */
	struct mfile mm = {0};
	struct diag d = {0};
	struct meta m;
	int hit = 0;
	for (int k = 0; k < RC_NOUT; k++)
		h->out[k].fd = -1;
	if (mfile_open(&mm, c->meta, &d)) {
		refuse(w, c->meta, d.msg);
		goto out;
	}
	if (parse_meta((const char *)mm.p, mm.n, &m)) {
		refuse(w, c->meta, "not a " MAGIC " header");
		goto out;
	}
	if (strcmp(m.key, c->key)) {
		refuse(w, c->meta, "another key's entry");
		goto out;
	}
	if (m.wsize != mm.n - m.len) {
		refuse(w, c->meta, "truncated: the warnings' size differs");
		goto out;
	}
	char hx[33];
	hex128(digest_buf(mm.p + m.len, (size_t)m.wsize), hx);
	if (strcmp(hx, m.wdigest)) {
		refuse(w, c->meta, "the warnings' digest differs");
		goto out;
	}
	for (int k = 0; k < RC_NOUT; k++) {
		if (!m.present[k])
			continue;
		struct rcache_src *s = &h->out[k];
		if (src_open(c->out[k], s)) {
			refuse(w, c->out[k], strerror(errno));
			goto out;
		}
		if (s->n != m.size[k]) {
			refuse(w, c->out[k], "truncated: its size differs from the meta's");
			goto out;
		}
		hex128((XXH128_hash_t){.high64 = s->hi, .low64 = s->lo}, hx);
		if (strcmp(hx, m.digest[k])) {
			refuse(w, c->out[k], "its digest differs from the meta's");
			goto out;
		}
	}
	h->warn = xcalloc((size_t)m.wsize + 1, 1);
	memcpy(h->warn, mm.p + m.len, (size_t)m.wsize);
	hit = 1;
out:
	mfile_close(&mm);
	if (!hit)
		rcache_release(h);
	return hit;
}

/* the other entries of c's command line (cache.c's header): removed,
 * the meta first so that no reader takes an output alone; a meta that
 * does not parse is left alone (an entry of an older slim, slim-cache/1,
 * is removed with its KEY.json) */
static void evict(const struct rcache *c)
{
	DIR *d = opendir(c->dir);
	if (!d)
		return;
	struct dirent *e;
	char path[sizeof c->dir + 300], key[40], run[40], hdr[128];
	int ver;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);
		if (l != 37 || strcmp(e->d_name + 32, ".meta") || !strncmp(e->d_name, c->key, 32))
			continue;
		snprintf(path, sizeof path, "%s/%s", c->dir, e->d_name);
		int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : pread(fd, hdr, sizeof hdr - 1, 0);
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			continue;
		hdr[n] = 0;
		if (sscanf(hdr, "slim-cache/%d\nkey %32[0-9a-f]\nrun %32[0-9a-f]\n", &ver, key, run) != 3 ||
		    strcmp(run, c->run) || strncmp(key, e->d_name, 32))
			continue;
		unlink(path);
		snprintf(path, sizeof path, "%s/%.32s.json", c->dir, e->d_name);
		unlink(path);
		for (int k = 0; k < RC_NOUT; k++) {
			snprintf(path, sizeof path, "%s/%.32s.%s", c->dir, e->d_name, out_name[k]);
			unlink(path);
		}
	}
	closedir(d);
}

int rcache_put(const struct rcache *c, const bool present[RC_NOUT], const char *wtext,
	       struct diag *d)
{
	char line[RC_NOUT][128], hx[33];
	for (int k = 0; k < RC_NOUT; k++) {
		line[k][0] = 0;
		if (!present[k])
			continue;
		struct rcache_src o;
		if (rcache_src_open(c->out[k], &o, d))
			return -1;
		hex128((XXH128_hash_t){.high64 = o.hi, .low64 = o.lo}, hx);
		snprintf(line[k], sizeof line[k], "out %s %llu %s\n", out_name[k],
			 (unsigned long long)o.n, hx);
		rcache_src_close(&o);
	}
	size_t wn = strlen(wtext);
	hex128(digest_buf(wtext, wn), hx);
	struct ofile of;
	FILE *fp = ofile_open(&of, c->meta, d);
	if (!fp)
		return -1;
	fprintf(fp, MAGIC "\nkey %s\nrun %s\n", c->key, c->run);
	for (int k = 0; k < RC_NOUT; k++)
		fputs(line[k], fp);
	fprintf(fp, "warn %zu %s\n", wn, hx);
	fwrite(wtext, 1, wn, fp);
	if (ofile_commit(&of, d))
		return -1;
	evict(c);
	return 0;
}
