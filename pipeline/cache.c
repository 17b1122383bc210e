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
 * An entry is two files in DIR: KEY.json (the report, as written) and
 * KEY.meta:
 *
 *     slim-cache/1
 *     key KEY
 *     run RUN
 *     json SIZE DIGEST
 *     warn SIZE DIGEST
 *     <the warnings text, SIZE bytes>
 *
 * DIGEST is the XXH3-128 of those bytes in 32 hex digits.  rcache_get()
 * trusts an entry only when the header parses, names this key, and both
 * sizes and digests match the bytes there: a truncated, corrupt or
 * foreign file is a warning and a miss (the run recomputes and rewrites
 * the entry).  Both files are written through ofile (beside the target,
 * then renamed), the report before the meta, so an interrupted write
 * leaves a mismatch the reader refuses, never a half-read result.
 * RUN is the key's digest without the contents (version, binary,
 * arguments, the paths named): after a store, the other entries of the
 * same RUN are removed -- the same command on inputs that have changed
 * since, which no later run can hit -- so DIR keeps one entry per
 * command line.
 */
#include "cache.h"
#include "deploy.h"
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
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY   /* XXH3_state_t on the stack */
#include <xxhash.h>

#define MAGIC "slim-cache/1"

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
};

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
 * them from us) */
static XXH128_hash_t ent_hash(const char *rel, const struct ent_facts *f)
{
	XXH3_state_t s;
	XXH3_128bits_reset(&s);
	XXH3_128bits_update(&s, rel, strlen(rel) + 1);
	XXH3_128bits_update(&s, f, sizeof *f);
	return XXH3_128bits_digest(&s);
}

/* read one directory: every entry hashed, its subdirectories queued */
static void inv_dir(struct inv *v, const char *rel, uint64_t sum[3],
		    char ***sub, size_t *nsub, size_t *capsub)
{
	int fd = *rel ? openat(v->rootfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
		      : dup(v->rootfd);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		/* unreadable: the report says so; its errno keys that */
		struct ent_facts f = {.mode = (uint64_t)errno};
		XXH128_hash_t h = ent_hash(rel, &f);
		sum[0] += h.low64, sum[1] += h.high64, sum[2]++;
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *e;
	char path[PATH_MAX];
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof path, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		struct stat st;
		struct ent_facts f;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW))
			f = (struct ent_facts){.mode = (uint64_t)errno};
		else
			facts(&st, &f);
		XXH128_hash_t h = ent_hash(path, &f);
		sum[0] += h.low64, sum[1] += h.high64, sum[2]++;
		if (f.ino && S_ISDIR(f.mode)) {
			GROW(*sub, *capsub, *nsub + 1);
			(*sub)[(*nsub)++] = xstrdup(path);
		}
	}
	closedir(d);
}

static void *inv_thread(void *arg)
{
	struct inv *v = arg;
	uint64_t sum[3] = {0};
	char **sub = NULL;
	size_t nsub = 0, capsub = 0;
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
		inv_dir(v, rel, sum, &sub, &nsub, &capsub);
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
	pthread_cond_broadcast(&v->cv);
	pthread_mutex_unlock(&v->mu);
	free(sub);
	return NULL;
}

/* the digest of everything under dir (the directory itself included) */
static int inv_digest(const char *dir, XXH3_state_t *key)
{
	struct inv v = {.rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
	if (v.rootfd < 0)
		return -1;
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

/* a file's content digest, read in blocks (memory bounded); -1 with errno */
static int file_digest(int fd, XXH128_hash_t *out, uint64_t *size)
{
	XXH3_state_t s;
	XXH3_128bits_reset(&s);
	enum { B = 1 << 20 };
	unsigned char *buf = xmalloc(B);
	ssize_t got;
	*size = 0;
	while ((got = read(fd, buf, B)) > 0) {
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
static int key_path(XXH3_state_t *key, const char *path, bool input, struct diag_list *w)
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
		return inv_digest(path, key) ? -1 : 0;
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
		if (!input && key_path(&key, eq ? eq + 1 : a, false, w))
			return -1;
	}
	XXH3_128bits_update(&key, "\0inputs", 8);
	for (size_t k = 0; k < ninputs; k++) {
		XXH3_128bits_update(&run, inputs[k], strlen(inputs[k]) + 1);
		if (key_path(&key, inputs[k], true, w))
			return -1;
	}
	hex128(XXH3_128bits_digest(&key), c->key);
	hex128(XXH3_128bits_digest(&run), c->run);
	snprintf(c->dir, sizeof c->dir, "%s", dir);
	snprintf(c->json, sizeof c->json, "%s/%s.json", dir, c->key);
	snprintf(c->meta, sizeof c->meta, "%s/%s.meta", dir, c->key);
	return 0;
}

/* ---- entries ---- */

void rcache_release(const char *p, size_t n)
{
	if (p && n)
		munmap((void *)p, n);
}

static int refuse(struct diag_list *w, const char *file, const char *why)
{
	char m[700];
	snprintf(m, sizeof m, "--cache: ignored (%s): the report is computed again", why);
	warn(w, file, m);
	return 0;
}

int rcache_get(const struct rcache *c, const char **p, size_t *n, char **wtext,
	       struct diag_list *w)
{
	*p = NULL;
	*n = 0;
	*wtext = NULL;
	if (access(c->meta, F_OK))
		return 0;    /* no entry: a miss, nothing to say */
	struct mfile mm = {0}, mj = {0};
	struct diag d = {0};
	int hit = 0;
	if (mfile_open(&mm, c->meta, &d)) {
		refuse(w, c->meta, d.msg);
		goto out;
	}
	/* the header: four lines, then the warnings */
	char key[40] = "", run[40] = "", jd[40] = "", wd[40] = "", hdr[512];
	unsigned long long jn = 0, wn = 0;
	size_t hl = 0;
	for (int lines = 0; hl < mm.n && hl < sizeof hdr - 1 && lines < 5; hl++)
		lines += mm.p[hl] == '\n';
	if (hl)         /* an empty meta maps to NULL */
		memcpy(hdr, mm.p, hl);
	hdr[hl] = 0;
	int len = 0;
	if (sscanf(hdr, MAGIC "\nkey %32[0-9a-f]\nrun %32[0-9a-f]\njson %llu %32[0-9a-f]\nwarn %llu %32[0-9a-f]%n",
		   key, run, &jn, jd, &wn, wd, &len) != 6 || (size_t)len + 1 != hl || hdr[len] != '\n') {
		refuse(w, c->meta, "not a slim-cache/1 header");
		goto out;
	}
	if (strcmp(key, c->key)) {
		refuse(w, c->meta, "another key's entry");
		goto out;
	}
	if (wn != mm.n - hl) {
		refuse(w, c->meta, "truncated: the warnings' size differs");
		goto out;
	}
	char hx[33];
	hex128(digest_buf(mm.p + hl, (size_t)wn), hx);
	if (strcmp(hx, wd)) {
		refuse(w, c->meta, "the warnings' digest differs");
		goto out;
	}
	if (mfile_open(&mj, c->json, &d)) {
		refuse(w, c->json, d.msg);
		goto out;
	}
	if (mj.n != jn) {
		refuse(w, c->json, "truncated: its size differs from the meta's");
		goto out;
	}
	hex128(digest_buf(mj.p, mj.n), hx);
	if (strcmp(hx, jd)) {
		refuse(w, c->json, "its digest differs from the meta's");
		goto out;
	}
	*wtext = xcalloc((size_t)wn + 1, 1);
	memcpy(*wtext, mm.p + hl, (size_t)wn);
	*p = (const char *)mj.p;
	*n = mj.n;
	mj.p = NULL;    /* the caller's now */
	mj.n = 0;
	hit = 1;
out:
	mfile_close(&mm);
	mfile_close(&mj);
	return hit;
}

/* the other entries of c's command line (cache.c's header): removed,
 * the meta first so that no reader takes the report alone; a meta that
 * does not parse is left alone */
static void evict(const struct rcache *c)
{
	DIR *d = opendir(c->dir);
	if (!d)
		return;
	struct dirent *e;
	char path[sizeof c->dir + 300], key[40], run[40], hdr[128];
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
		if (sscanf(hdr, MAGIC "\nkey %32[0-9a-f]\nrun %32[0-9a-f]\n", key, run) != 2 ||
		    strcmp(run, c->run) || strncmp(key, e->d_name, 32))
			continue;
		unlink(path);
		snprintf(path, sizeof path, "%s/%.32s.json", c->dir, e->d_name);
		unlink(path);
	}
	closedir(d);
}

int rcache_put(const struct rcache *c, const char *json_path, const struct graph *g,
	       const char *wtext, struct diag *d)
{
	struct mfile mj = {0};
	if (!json_path) {
		/* the graph serialized into the entry itself */
		struct ofile of;
		FILE *fp = ofile_open(&of, c->json, d);
		if (!fp)
			return -1;
		if (graph_write_json(g, fp, d)) {
			ofile_abort(&of);
			return -1;
		}
		if (ofile_commit(&of, d))
			return -1;
	}
	if (mfile_open(&mj, json_path ? json_path : c->json, d))
		return -1;
	char jd[33], wd[33];
	hex128(digest_buf(mj.p, mj.n), jd);
	int rc = json_path ? ofile_write_all(c->json, mj.p, mj.n, d) : 0;
	size_t jn = mj.n;
	mfile_close(&mj);
	if (rc)
		return -1;
	size_t wn = strlen(wtext);
	hex128(digest_buf(wtext, wn), wd);
	struct ofile of;
	FILE *fp = ofile_open(&of, c->meta, d);
	if (!fp)
		return -1;
	fprintf(fp, MAGIC "\nkey %s\nrun %s\njson %zu %s\nwarn %zu %s\n", c->key, c->run, jn, jd,
		wn, wd);
	fwrite(wtext, 1, wn, fp);
	if (ofile_commit(&of, d))
		return -1;
	evict(c);
	return 0;
}
