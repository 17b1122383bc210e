/*
 * image.c - two container images compared through their manifests
 * (issue #16: `slim diff OLD NEW` on two builds of an image).
 *
 * An operand is an image when it is an OCI image layout directory
 * (oci-layout and index.json), or a tar holding one (skopeo's
 * oci-archive, Docker 25's save) or a `docker save` manifest.json, as
 * `slim report` reads them (pipeline/unpack.c); the manifests are read by
 * common/image.c for both.  Paired by path, a rebuilt image would show
 * each changed blob as one removed and one added file named by digest;
 * here the blobs pair by what the manifests say they are:
 *
 *   index.json (or manifest.json) with index.json, the k-th image index
 *   or manifest followed from it with the k-th, the config with the
 *   config, and layer i with layer i (a layer only one side has is added
 *   or removed).  Files neither manifest names pair by path.
 *
 * Each pair is one row of the result, labelled "layer 2 (sha256:0123456789ab)"
 * (NEW's digest, cut to 12 hex digits as docker prints image ids).  Equal
 * bytes are `same` (a digest is never trusted alone).  A layer pair is
 * compared by units.c as any file is: its gzip or zstd stream
 * decompressed, its tar members paired by name and their header fields
 * given causes (mtime: timestamp, uid/gid/uname/gname: owner, mode), so
 * a row's `where` reads "gzip stream: usr/bin/x: tar header mtime".
 * JSON documents (config, manifests, indexes) are compared as JSON, both
 * trees walked in step: a string that is an RFC 3339 time on both sides
 * is a timestamp; a digest (or a docker save's file name) that names
 * paired blobs on both sides -- a layer, the config, a manifest, or a
 * config's rootfs.diff_ids[i], the digest of layer i's tar -- and a
 * descriptor's size beside it follow from those blobs: such bytes take
 * the cause that explained most of the blob they name, or unexplained
 * when that blob is not explained in full.  Anything else that differs
 * leaves the whole document unexplained, naming where.  The pairs are
 * compared bottom up (layers, config, manifests, index) so that what a
 * digest names is known when it is met; rows are listed top down.
 *
 * Bad input: a manifest naming a blob the image lacks, a manifest or
 * config that is not JSON, a layer that stops being gzip, zstd or tar:
 * one line each naming the file (the tar, or the layout's blob) and the
 * offset, and the rest is still compared.
 */
#include "bdint.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "../../common/image.h"
#include "../../common/mfile.h"
#include "../../common/util.h"

#define JSON_MAX (16u << 20)      /* as pipeline/unpack.c */
#define TAR_HOPS 8                /* symlinks followed in a tarball */

/* One operand. */
struct iside {
	const char *path;             /* as given */
	int dirfd;                    /* a layout directory, else -1 */
	struct mfile tar;             /* a tarball, mapped */
	struct bd_tmem *mem;
	size_t nmem;
	struct image_manifest im;
	struct diag_list *errs;
	char *said;                   /* the document whose JSON broke while
				       * the manifests were read (said then) */
};

/* A file of one side: its bytes, where messages say it is. */
struct iblob {
	const unsigned char *p;
	size_t n;
	uint64_t base;                /* its offset in `file` */
	struct mfile m;               /* a layout's file, mapped */
	char file[4352];
};

/* One pair of what the manifests name. */
enum role { R_TOP, R_DOC, R_CONFIG, R_LAYER };
struct pair {
	enum role role;
	size_t k;                     /* the k-th doc or layer */
	const char *a, *b;            /* each side's file, NULL if none */
	const char *da, *db;          /* each side's digest, or NULL */
	char label[128];
	size_t rowidx;                /* in the staging result; SIZE_MAX: none */
	bool done, explained;
	enum bd_cause main;           /* the cause with most of its bytes */
};

/* ---------------------------------------------------------- sides --- */

/* A tar member's name as the image's files are named: "./" and "/" cut. */
static const char *clean(const char *s)
{
	for (;;) {
		if (s[0] == '/')
			s++;
		else if (s[0] == '.' && s[1] == '/')
			s += 2;
		else
			return s;
	}
}

/* The member named `name` (lexically normal) of a tarball side, symlinks
 * in it followed; NULL when none. */
static const struct bd_tmem *tar_find(const struct iside *s, const char *name)
{
	char cur[600], tmp[1200];
	snprintf(cur, sizeof cur, "%s", name);
	for (int hop = 0; hop < TAR_HOPS; hop++) {
		const struct bd_tmem *hit = NULL;
		for (size_t k = 0; k < s->nmem; k++)   /* the last member of a name wins, as in tar */
			if (s->mem[k].name[0] != '[' && !strcmp(clean(s->mem[k].name), cur))
				hit = &s->mem[k];
		if (!hit)
			return NULL;
		unsigned char t = s->tar.p[hit->hdr + 156];
		if (t != '2')
			return t == '0' || t == 0 || t == '7' ? hit : NULL;
		char target[101];
		snprintf(target, sizeof target, "%.100s", (const char *)s->tar.p + hit->hdr + 157);
		const char *slash = strrchr(cur, '/');
		if (target[0] == '/')
			snprintf(tmp, sizeof tmp, "%s", target);
		else
			snprintf(tmp, sizeof tmp, "%.*s%s", slash ? (int)(slash - cur + 1) : 0, cur, target);
		/* "a/b/../c" -> "a/c", lexically, never above the top */
		size_t o = 0;
		for (const char *p = clean(tmp); *p;) {
			const char *e = strchrnul(p, '/');
			size_t l = (size_t)(e - p);
			if (l == 2 && p[0] == '.' && p[1] == '.') {
				while (o > 0 && cur[o - 1] != '/')
					o--;
				if (o)
					o--;
			} else if (l && !(l == 1 && p[0] == '.') && o + l + 2 < sizeof cur) {
				if (o)
					cur[o++] = '/';
				memcpy(cur + o, p, l);
				o += l;
			}
			p = *e ? e + 1 : e;
		}
		cur[o] = 0;
	}
	return NULL;
}

/* The file `name` of side s into b: 0, or -1 with d set. */
static int get(struct iside *s, const char *name, struct iblob *b, struct diag *d)
{
	memset(b, 0, sizeof *b);
	if (s->dirfd >= 0) {
		snprintf(b->file, sizeof b->file, "%s/%s", s->path, name);
		if (mfile_open_at(&b->m, s->dirfd, name, d))
			return -1;
		b->p = b->m.p;
		b->n = b->m.n;
		return 0;
	}
	snprintf(b->file, sizeof b->file, "%s", s->path);
	const struct bd_tmem *m = tar_find(s, clean(name));
	if (!m)
		return diag_err(d, s->path, "%s: no such file in the image", name);
	b->p = s->tar.p + m->data;
	b->n = m->size;
	b->base = m->data;
	return 0;
}

static void put(struct iblob *b)
{
	mfile_close(&b->m);
}

static json_t *parse(const struct iblob *b, const char *name, struct diag *d)
{
	json_error_t err;
	json_t *j = NULL;
	if (b->n > JSON_MAX)
		diag_err(d, b->file, "%s: larger than 16 MiB: no manifest of an image", name);
	else if (!(j = json_loadb((const char *)b->p, b->n, JSON_REJECT_DUPLICATES, &err))) {
		size_t lf = strlen(b->file), ln = strlen(name);
		bool named = lf > ln && b->file[lf - ln - 1] == '/' && !strcmp(b->file + lf - ln, name);
		diag_err_at(d, b->file, b->base + (uint64_t)err.position, "%s%s%s", named ? "" : name,
			    named ? "" : ": ", err.text);
	}
	return j;
}

/* image_load_fn over a side */
static json_t *load(void *ctx, const char *name, struct diag *d)
{
	struct iblob b;
	struct iside *s = ctx;
	json_t *j = NULL;
	if (!get(s, name, &b, d)) {
		j = parse(&b, name, d);
		put(&b);
	}
	if (!j && !s->said)
		s->said = xstrdup(name);
	return j;
}

static bool has_regular(int dirfd, const char *name)
{
	struct stat st;
	return !fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode);
}

/* Open path as an image side: 1 an image (its manifests read, errors
 * to s->errs), 0 not one. */
static int side_open(struct iside *s, const char *path, struct diag_list *errs)
{
	struct stat st;
	struct diag d = {0};
	memset(s, 0, sizeof *s);
	s->path = path;
	s->dirfd = -1;
	s->errs = errs;
	if (stat(path, &st))
		return 0;
	if (S_ISDIR(st.st_mode)) {
		s->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (s->dirfd < 0 || !has_regular(s->dirfd, "oci-layout") ||
		    !has_regular(s->dirfd, "index.json"))
			return 0;
	} else {
		if (!S_ISREG(st.st_mode) || mfile_open(&s->tar, path, &d) || s->tar.n < 1024 ||
		    memcmp(s->tar.p + 257, "ustar", 5) || bd_tar_list(s->tar.p, s->tar.n, &s->mem, &s->nmem))
			return 0;
		if (!tar_find(s, "oci-layout") || !tar_find(s, "index.json")) {
			struct iblob b;
			json_t *j = NULL;
			if (!get(s, "manifest.json", &b, &d)) {
				j = parse(&b, "manifest.json", &d);
				put(&b);
			}
			int rc = j && !image_read_docker(&s->im, j);
			json_decref(j);
			return rc;
		}
	}
	if (image_read_oci(&s->im, load, s, path, &d))
		diag_warn(errs, &d);
	return 1;
}

static void side_close(struct iside *s)
{
	image_manifest_free(&s->im);
	free(s->said);
	free(s->mem);
	mfile_close(&s->tar);
	if (s->dirfd >= 0)
		close(s->dirfd);
}

/* ------------------------------------------------- a corrupt layer --- */

/* Where a layer stops being a tar: its headers walked as the bytes come
 * (ustar magic and an octal size in each, as bd_tar_list() wants them). */
struct tarcheck {
	uint64_t pos, next, at;       /* bytes seen, next header, last header */
	unsigned char h[512];
	size_t fill;
	bool end;
	const char *why;
};

static void tc_feed(struct tarcheck *t, const unsigned char *p, size_t n)
{
	while (n && !t->end && !t->why) {
		if (t->pos < t->next) {
			size_t k = t->next - t->pos < n ? (size_t)(t->next - t->pos) : n;
			t->pos += k, p += k, n -= k;
			continue;
		}
		size_t k = 512 - t->fill < n ? 512 - t->fill : n;
		memcpy(t->h + t->fill, p, k);
		t->fill += k, t->pos += k, p += k, n -= k;
		if (t->fill < 512)
			continue;
		t->fill = 0;
		t->at = t->pos - 512;
		char sz[13], *end;
		memcpy(sz, t->h + 124, 12);
		sz[12] = 0;
		unsigned long long size = strtoull(sz, &end, 8);
		if (!t->h[0])
			t->end = true;
		else if (memcmp(t->h + 257, "ustar", 5))
			t->why = "no tar header here (no ustar magic)";
		else if (end == sz)
			t->why = "a tar header whose size is not octal";
		else
			t->next = t->pos + ((size + 511) & ~511ull);
	}
}

static const char *tc_done(struct tarcheck *t)
{
	if (!t->why && !t->end && (t->fill || t->pos < t->next))
		t->why = "a tar member runs past the end of the stream";
	return t->why;
}

/* The first place [p, p+n) stops being a gzip, zstd or plain tar stream:
 * why, with *off (in p) and *toff (in the decompressed tar, or -1);
 * NULL when it reads to its end. */
static const char *layer_check(const unsigned char *p, size_t n, uint64_t *off, int64_t *toff)
{
	struct tarcheck t = {0};
	static char why[160];
	unsigned char *out = xmalloc(1 << 16);
	const char *bad = NULL;
	*off = 0;
	*toff = -1;
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
		z_stream z = {0};
		int rc = inflateInit2(&z, 16 + MAX_WBITS);
		z.next_in = (unsigned char *)p;
		z.avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
		while (rc == Z_OK && !t.why) {
			z.next_out = out;
			z.avail_out = 1 << 16;
			rc = inflate(&z, Z_NO_FLUSH);
			tc_feed(&t, out, (size_t)(z.next_out - out));
			*off = z.total_in;
			if (rc == Z_BUF_ERROR && !z.avail_in)
				break;
		}
		if (rc != Z_STREAM_END && !t.why) {
			snprintf(why, sizeof why, "gzip stream: %s", rc == Z_OK || rc == Z_BUF_ERROR ?
				 "ends early" : z.msg ? z.msg : "does not inflate");
			bad = why;
		}
		inflateEnd(&z);
	} else if (n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4)) {
		/* the input given 512 bytes at a time, so that an error's
		 * offset is known to that */
		ZSTD_DStream *z = ZSTD_createDStream();
		ZSTD_inBuffer in = {p, n < 512 ? n : 512, 0};
		size_t rc = 1;
		while (z && in.pos < n && !t.why) {
			ZSTD_outBuffer o = {out, 1 << 16, 0};
			if (in.pos == in.size)
				in.size = n - in.size < 512 ? n : in.size + 512;
			*off = in.pos;
			rc = ZSTD_decompressStream(z, &o, &in);
			if (ZSTD_isError(rc))
				break;
			*off = in.pos;
			tc_feed(&t, out, o.pos);
			if (!o.pos && !rc)
				break;
		}
		if (!t.why && (!z || ZSTD_isError(rc) || rc)) {
			snprintf(why, sizeof why, "zstd stream: %s", !z ? "cannot be read" :
				 ZSTD_isError(rc) ? ZSTD_getErrorName(rc) : "ends early");
			bad = why;
		}
		ZSTD_freeDStream(z);
	} else {
		tc_feed(&t, p, n);
		*off = t.at;
	}
	if (!bad && tc_done(&t)) {
		bad = t.why;
		*toff = (int64_t)t.at;
		if (!(n >= 2 && p[0] == 0x1f) && !(n >= 4 && p[0] == 0x28))
			*off = t.at, *toff = -1;
	}
	free(out);
	return bad;
}

/* A layer pair units.c could not read on some side: one line per side
 * that stops being a layer, naming its file and offset; any other line
 * (a member inside that does not parse) as it was. */
static void corrupt_layer(const struct pair *pr, const struct iblob *x, const struct iblob *y,
			  struct diag_list *lerrs, struct diag_list *errs)
{
	const struct iblob *v[2] = {x, y};
	bool said = false;
	for (int k = 0; k < 2; k++) {
		uint64_t off;
		int64_t toff;
		const char *why = layer_check(v[k]->p, v[k]->n, &off, &toff);
		if (!why)
			continue;
		said = true;
		if (toff >= 0)
			diag_warn_at(errs, v[k]->file, v[k]->base + off, "%s: %s at 0x%llx of the decompressed tar",
				     pr->label, why, (unsigned long long)toff);
		else
			diag_warn_at(errs, v[k]->file, v[k]->base + off, "%s: %s", pr->label, why);
	}
	for (size_t k = 0; !said && k < lerrs->n; k++)
		diag_warn(errs, &lerrs->v[k]);
}

/* ----------------------------------------------------------- JSON --- */

struct jwalk {
	const struct iside *sa, *sb;
	const struct pair *pairs;
	size_t npairs;
	/* [0]: a time written in the document, [1]: bytes that follow from
	 * a blob it names, by that blob's cause */
	uint64_t w[2][BC_N];
	struct buf where[2][BC_N];
	size_t nwhere[2][BC_N];
	char first[512];              /* the first difference no cause explains */
};

/* RFC 3339: yyyy-mm-ddThh:mm:ss[.frac](Z|+hh:mm|-hh:mm) */
static bool rfc3339(const char *s)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	for (size_t i = 0; i < sizeof shape - 1; i++)
		if (shape[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != shape[i])
			return false;
	s += sizeof shape - 1;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if (*s == 'Z')
		return !s[1];
	return (*s == '+' || *s == '-') && strlen(s) == 6 && s[3] == ':';
}

/* The pair whose blob side `b` (0 OLD, 1 NEW) names by s (a digest or,
 * in a docker save, a file name), or NULL. */
static const struct pair *named(const struct jwalk *w, int b, const char *s)
{
	for (size_t k = 0; k < w->npairs; k++) {
		const struct pair *p = &w->pairs[k];
		const char *dg = b ? p->db : p->da, *f = b ? p->b : p->a;
		if ((dg && !strcmp(dg, s)) || (f && p->role != R_TOP && !strcmp(clean(f), clean(s))))
			return p;
	}
	return NULL;
}

static void jnote(struct jwalk *w, int kind, enum bd_cause c, uint64_t bytes, const char *path)
{
	w->w[kind][c] += bytes;
	if (w->nwhere[kind][c]++ < 3)
		buf_printf(&w->where[kind][c], "%s%s", w->nwhere[kind][c] > 1 ? ", " : "",
			   *path ? path : ".");
}

/* Bytes that follow from a paired blob: its cause, or unexplained. */
static void jconsequence(struct jwalk *w, const struct pair *p, uint64_t bytes, const char *path)
{
	jnote(w, 1, p && p->done && p->explained ? p->main : BC_UNEXPLAINED, bytes, path);
}

static void jmismatch(struct jwalk *w, const char *path)
{
	if (!w->first[0])
		snprintf(w->first, sizeof w->first, "%s", *path ? path : ".");
}

/* a and b walked in step; path names where (".a.b[2]"); desc: the
 * descriptor a and b are members of names the same pair on both sides
 * (its size follows from that blob); key: a's key in it. */
static void jcompare(struct jwalk *w, json_t *a, json_t *b, const char *path, int depth,
		     const struct pair *desc, const char *key)
{
	char sub[512];
	if (json_typeof(a) != json_typeof(b) || depth > 64) {
		jmismatch(w, path);
		return;
	}
	if (json_is_object(a)) {
		const char *k;
		json_t *v;
		const struct pair *pd = NULL;
		const char *dga = json_string_value(json_object_get(a, "digest"));
		const char *dgb = json_string_value(json_object_get(b, "digest"));
		if (dga && dgb && strcmp(dga, dgb) && named(w, 0, dga) && named(w, 0, dga) == named(w, 1, dgb))
			pd = named(w, 0, dga);
		json_object_foreach(a, k, v) {
			json_t *u = json_object_get(b, k);
			snprintf(sub, sizeof sub, "%s.%s", path, k);
			if (!u) {
				jmismatch(w, sub);
				continue;
			}
			jcompare(w, v, u, sub, depth + 1, pd, k);
		}
		json_object_foreach(b, k, v)
			if (!json_object_get(a, k)) {
				snprintf(sub, sizeof sub, "%s.%s", path, k);
				jmismatch(w, sub);
			}
		return;
	}
	if (json_is_array(a)) {
		size_t i;
		json_t *v;
		if (json_array_size(a) != json_array_size(b)) {
			jmismatch(w, path);
			return;
		}
		json_array_foreach(a, i, v) {
			snprintf(sub, sizeof sub, "%s[%zu]", path, i);
			jcompare(w, v, json_array_get(b, i), sub, depth + 1, NULL, NULL);
		}
		return;
	}
	if (json_is_string(a)) {
		const char *x = json_string_value(a), *y = json_string_value(b);
		size_t lx = strlen(x), ly = strlen(y), l = lx > ly ? lx : ly;
		if (!strcmp(x, y))
			return;
		if (rfc3339(x) && rfc3339(y)) {
			jnote(w, 0, BC_TIMESTAMP, l, path);
			return;
		}
		const struct pair *px = named(w, 0, x), *py = named(w, 1, y);
		if (px && px == py) {
			jconsequence(w, px, l, path);
			return;
		}
		/* a config's rootfs.diff_ids[i]: the digest of layer i's tar */
		const char *br = strrchr(path, '[');
		if (br && strstr(path, ".rootfs.diff_ids[") && !strchr(br, '.')) {
			size_t i = strtoul(br + 1, NULL, 10);
			for (size_t k = 0; k < w->npairs; k++)
				if (w->pairs[k].role == R_LAYER && w->pairs[k].k == i) {
					jconsequence(w, &w->pairs[k], l, path);
					return;
				}
		}
		jmismatch(w, path);
		return;
	}
	if (json_equal(a, b))
		return;
	if (json_is_integer(a) && desc && key && !strcmp(key, "size")) {
		char n1[32], n2[32];
		int l1 = snprintf(n1, sizeof n1, "%lld", (long long)json_integer_value(a));
		int l2 = snprintf(n2, sizeof n2, "%lld", (long long)json_integer_value(b));
		jconsequence(w, desc, (uint64_t)(l1 > l2 ? l1 : l2), path);
		return;
	}
	jmismatch(w, path);
}

/* A JSON document pair into c->f: explained when the walk above finds
 * nothing else differing, its bytes shared among the causes by weight. */
static void json_units(struct bd_ctx *c, struct jwalk *w, const char *what,
		       const struct iblob *x, const struct iblob *y, bool said_a, bool said_b)
{
	struct diag da = {0}, db = {0};
	json_t *a = parse(x, what, &da), *b = parse(y, what, &db);
	uint64_t unit = x->n > y->n ? x->n : y->n, sum = 0, given = 0;
	if (!a || !b) {
		/* one line per side that breaks, unless reading the
		 * manifests said it */
		if (!a && !said_a)
			diag_warn(c->errs, &da);
		if (!b && !said_b)
			diag_warn(c->errs, &db);
		bd_compare(c, what, "", x->p, x->n, y->p, y->n);
		goto out;
	}
	jcompare(w, a, b, "", 0, NULL, NULL);
	int last = -1;
	for (int k = 0; k < 2 * BC_N; k++)
		if (w->w[k / BC_N][k % BC_N]) {
			sum += w->w[k / BC_N][k % BC_N];
			last = k;
		}
	if (w->first[0] || !sum) {
		if (w->first[0])
			bd_row(c, BC_UNEXPLAINED, unit, "[json] (first differing at %s)", w->first);
		else
			bd_row(c, BC_UNEXPLAINED, unit, "[json]: the same JSON, written otherwise");
		goto out;
	}
	for (int k = 0; k < 2 * BC_N; k++) {
		int kind = k / BC_N, cause = k % BC_N;
		if (!w->w[kind][cause])
			continue;
		uint64_t share = k == last ? unit - given :
			(uint64_t)((double)unit * w->w[kind][cause] / sum);
		given += share;
		bd_row(c, (enum bd_cause)cause, share, "[json]: %s%s%s", buf_cstr(&w->where[kind][cause]),
		       w->nwhere[kind][cause] > 3 ? ", ..." : "",
		       !kind ? " (RFC 3339 times)" : cause == BC_UNEXPLAINED ?
		       " (names a blob not explained in full)" : " (names blobs compared above)");
	}
out:
	json_decref(a);
	json_decref(b);
}

/* ---------------------------------------------------------- pairs --- */

struct irun {
	struct iside *s[2];
	struct pair *pairs;
	size_t npairs;
	struct bd_result st;          /* rows in the order compared */
	struct bd_paths pp;
	uint64_t now;
	struct diag_list *errs;
};

static void short_name(char *out, size_t n, const char *dg, const char *file)
{
	const char *c = dg ? strchr(dg, ':') : NULL;
	if (c)
		snprintf(out, n, "%.*s:%.12s", (int)(c - dg), dg, c + 1);
	else
		snprintf(out, n, "%s", file ? file : "?");
}

static size_t max_of(size_t a, size_t b)
{
	return a > b ? a : b;
}

/* The pairs the two manifests make, top down. */
static void make_pairs(struct irun *u)
{
	const struct image_manifest *ma = &u->s[0]->im, *mb = &u->s[1]->im;
	size_t nd = max_of(ma->ndocs, mb->ndocs), nl = max_of(ma->nlayers, mb->nlayers), n = 0;
	struct pair *v = u->pairs = xcalloc(nd + nl + 2, sizeof *v);
	char s[96];
	v[n] = (struct pair){.role = R_TOP, .a = ma->docker ? "manifest.json" : "index.json",
			     .b = mb->docker ? "manifest.json" : "index.json"};
	snprintf(v[n++].label, sizeof v->label, "%s", v[0].b);
	for (size_t k = 0; k < nd; k++) {
		const struct image_blob *x = k < ma->ndocs ? &ma->docs[k] : NULL;
		const struct image_blob *y = k < mb->ndocs ? &mb->docs[k] : NULL;
		size_t last = (y ? mb->ndocs : ma->ndocs) - 1;
		short_name(s, sizeof s, y ? y->digest : x->digest, NULL);
		v[n] = (struct pair){.role = R_DOC, .k = k, .a = x ? x->path : NULL, .b = y ? y->path : NULL,
				     .da = x ? x->digest : NULL, .db = y ? y->digest : NULL};
		snprintf(v[n++].label, sizeof v->label, "%s (%s)", k == last ? "manifest" : "image index", s);
	}
	if (ma->config.path || mb->config.path) {
		const struct image_blob *x = ma->config.path ? &ma->config : NULL;
		const struct image_blob *y = mb->config.path ? &mb->config : NULL;
		short_name(s, sizeof s, y ? y->digest : x->digest, y ? y->path : x->path);
		v[n] = (struct pair){.role = R_CONFIG, .a = x ? x->path : NULL, .b = y ? y->path : NULL,
				     .da = x ? x->digest : NULL, .db = y ? y->digest : NULL};
		snprintf(v[n++].label, sizeof v->label, "config (%s)", s);
	}
	for (size_t k = 0; k < nl; k++) {
		const struct image_blob *x = k < ma->nlayers ? &ma->layers[k] : NULL;
		const struct image_blob *y = k < mb->nlayers ? &mb->layers[k] : NULL;
		short_name(s, sizeof s, y ? y->digest : x->digest, y ? y->path : x->path);
		v[n] = (struct pair){.role = R_LAYER, .k = k, .a = x ? x->path : NULL, .b = y ? y->path : NULL,
				     .da = x ? x->digest : NULL, .db = y ? y->digest : NULL};
		snprintf(v[n++].label, sizeof v->label, "layer %zu (%s)", k + 1, s);
	}
	u->npairs = n;
	for (size_t k = 0; k < n; k++)
		v[k].rowidx = SIZE_MAX;
}

static bool said(const struct iside *s, const char *name)
{
	return name && s->said && !strcmp(s->said, name);
}

/* One side's file of a pair: 0, or -1 with one line said. */
static int fetch(struct irun *u, int side, const struct pair *p, const char *name, struct iblob *b)
{
	struct diag d = {0}, e = {0};
	if (!get(u->s[side], name, b, &d))
		return 0;
	if (said(u->s[side], name))
		return -1;                      /* reading the manifests said it */
	if (u->s[side]->dirfd < 0 || errno == ENOENT)
		diag_err(&e, u->s[side]->path, "%s: the manifest names %s, which is not in the image",
			 p->label, name);
	else
		diag_err(&e, u->s[side]->path, "%s: %s: %s", p->label, name, d.msg);
	diag_warn(u->errs, &e);
	return -1;
}

static struct bd_file *row(struct irun *u, const char *path, enum bd_status st, size_t *idx)
{
	*idx = u->st.nfiles;
	return bd_add_file(&u->st, path, st);
}

static void conclude(struct pair *p, const struct bd_file *f)
{
	uint64_t by[BC_N] = {0};
	for (size_t k = 0; k < f->ncauses; k++)
		by[f->causes[k].cause] += f->causes[k].bytes;
	p->main = BC_UNEXPLAINED;
	for (int k = 0; k < BC_UNEXPLAINED; k++)
		if (by[k] && (p->main == BC_UNEXPLAINED || by[k] > by[p->main]))
			p->main = (enum bd_cause)k;
	p->explained = f->bytes_explained == f->bytes_differing;
	p->done = true;
}

/* One digest names other bytes on the two sides: the side whose bytes are
 * not that digest (sha256; another algorithm, or neither side: NEW) was
 * changed after its manifest was written.  One line. */
static void damaged(struct irun *u, const struct pair *p, const struct iblob *x,
		    const struct iblob *y)
{
	if (!p->da || !p->db || strcmp(p->da, p->db))
		return;
	const struct iblob *bad = y;
	char hex[65];
	if (!strncmp(p->da, "sha256:", 7)) {
		sha256_hex(y->p, y->n, hex);
		if (!strcmp(hex, p->db + 7)) {
			sha256_hex(x->p, x->n, hex);
			if (strcmp(hex, p->da + 7))
				bad = x;
		}
	}
	diag_warn_at(u->errs, bad->file, bad->base, "%s: its bytes are not the digest its manifest "
		     "names (changed after the manifest was written)", p->label);
}

/* Compare one pair into the staging result. */
static void compare_pair(struct irun *u, struct pair *p)
{
	size_t *rowidx = &p->rowidx;
	struct iblob x = {0}, y = {0};
	bool hx = p->a && !fetch(u, 0, p, p->a, &x), hy = p->b && !fetch(u, 1, p, p->b, &y);
	size_t idx;
	*rowidx = SIZE_MAX;
	if ((p->a && !hx) || (p->b && !hy))
		goto out;                       /* said; what names it is unexplained */
	if (!p->a || !p->b) {
		struct bd_file *f = row(u, p->label, hx ? BD_REMOVED : BD_ADDED, rowidx);
		struct bd_ctx c = {.f = f};
		if (hx)
			u->st.old_bytes += f->old_size = x.n;
		else
			u->st.new_bytes += f->new_size = y.n;
		bd_row(&c, BC_UNEXPLAINED, hx ? x.n : y.n, "%s", hx ? "removed" : "added");
		conclude(p, f);
		goto out;
	}
	u->st.old_bytes += x.n;
	u->st.new_bytes += y.n;
	bool same = x.n == y.n && (!x.n || !memcmp(x.p, y.p, x.n));
	struct bd_file *f = row(u, p->label, same ? BD_SAME : BD_DIFFERS, rowidx);
	f->old_size = x.n;
	f->new_size = y.n;
	idx = *rowidx;
	if (same) {
		conclude(p, f);
		goto out;
	}
	size_t before = u->errs->n;
	struct diag_list lerrs = {0};
	char cpath[4600];
	snprintf(cpath, sizeof cpath, "%s:%s", u->s[1]->path, p->label);
	struct bd_ctx c = {.f = f, .paths = &u->pp, .now = u->now, .errs = &lerrs, .path = cpath};
	if (p->role == R_LAYER) {
		bd_compare(&c, p->label, "", x.p, x.n, y.p, y.n);
		f = &u->st.files[idx];
		if (!f->ncauses)
			bd_row(&c, BC_UNEXPLAINED, x.n > y.n ? x.n : y.n, "[file]");
		if (lerrs.n)
			corrupt_layer(p, &x, &y, &lerrs, u->errs);
	} else {
		struct jwalk w = {.sa = u->s[0], .sb = u->s[1], .pairs = u->pairs, .npairs = u->npairs};
		c.errs = u->errs;
		json_units(&c, &w, p->b, &x, &y, said(u->s[0], p->a), said(u->s[1], p->b));
		for (int k = 0; k < 2 * BC_N; k++)
			buf_free(&w.where[k / BC_N][k % BC_N]);
	}
	diag_list_free(&lerrs);
	if (u->errs->n == before && !said(u->s[0], p->a) && !said(u->s[1], p->b))
		damaged(u, p, &x, &y);
	conclude(p, &u->st.files[idx]);
out:
	if (hx)
		put(&x);
	if (hy)
		put(&y);
}

/* ----------------------------------------------------- other files --- */

/* A file of one side that no manifest names (oci-layout, a blob left by
 * an earlier build, docker's repositories): its bytes by path. */
struct rent {
	const char *rel;
	const struct bd_ent *e;       /* a layout directory's file */
	const unsigned char *p;       /* a tarball's member */
	size_t n;
	bool link;
};

static int cmp_rent(const void *x, const void *y)
{
	return strcmp(((const struct rent *)x)->rel, ((const struct rent *)y)->rel);
}

static bool referenced(const struct irun *u, int side, const char *rel)
{
	for (size_t k = 0; k < u->npairs; k++) {
		const char *f = side ? u->pairs[k].b : u->pairs[k].a;
		if (f && !strcmp(clean(f), rel))
			return true;
	}
	return false;
}

static struct rent *rest_list(struct irun *u, int side, struct bd_side *walked, size_t *n)
{
	struct iside *s = u->s[side];
	struct rent *v = NULL;
	size_t cap = 0;
	*n = 0;
	if (s->dirfd >= 0) {
		bd_walk(walked, s->path, u->errs);
		for (size_t k = 0; k < walked->n; k++)
			if (!referenced(u, side, walked->v[k].rel)) {
				GROW(v, cap, *n + 1);
				v[(*n)++] = (struct rent){.rel = walked->v[k].rel, .e = &walked->v[k],
							  .link = walked->v[k].link};
			}
	} else {
		for (size_t k = 0; k < s->nmem; k++) {
			const struct bd_tmem *m = &s->mem[k];
			unsigned char t = s->tar.p[m->hdr + 156];
			const char *rel = clean(m->name);
			if (m->name[0] == '[' || !*rel || (t != '0' && t && t != '7' && t != '2') ||
			    referenced(u, side, rel))
				continue;
			GROW(v, cap, *n + 1);
			const unsigned char *lp = s->tar.p + m->hdr + 157;
			v[(*n)++] = t == '2' ? (struct rent){rel, NULL, lp, strnlen((const char *)lp, 100), true} :
				    (struct rent){rel, NULL, s->tar.p + m->data, m->size, false};
		}
	}
	if (*n)
		qsort(v, *n, sizeof *v, cmp_rent);
	return v;
}

/* Its bytes: 0, or -1 with a line said. */
static int rent_bytes(struct irun *u, const struct rent *r, struct mfile *m, char *lb, size_t lcap,
		      const unsigned char **p, size_t *n)
{
	struct diag d = {0};
	memset(m, 0, sizeof *m);
	if (!r->e) {
		*p = r->p;
		*n = r->n;
		return 0;
	}
	if (r->link) {
		ssize_t l = readlink(r->e->abs, lb, lcap);
		if (l < 0) {
			diag_warn_at(u->errs, r->e->abs, 0, "cannot read link: %s", strerror(errno));
			return -1;
		}
		*p = (const unsigned char *)lb;
		*n = (size_t)l;
		return 0;
	}
	if (mfile_open(m, r->e->abs, &d)) {
		diag_warn(u->errs, &d);
		return -1;
	}
	*p = m->p;
	*n = m->n;
	return 0;
}

static void rest_pair(struct irun *u, const struct rent *x, const struct rent *y)
{
	struct mfile ma, mb;
	char la[4096], lb[4096];
	const unsigned char *pa, *pb;
	size_t na, nb, idx;
	if (rent_bytes(u, x, &ma, la, sizeof la, &pa, &na))
		return;
	if (rent_bytes(u, y, &mb, lb, sizeof lb, &pb, &nb)) {
		mfile_close(&ma);
		return;
	}
	u->st.old_bytes += na;
	u->st.new_bytes += nb;
	bool same = x->link == y->link && na == nb && (!na || !memcmp(pa, pb, na));
	struct bd_file *f = row(u, y->rel, same ? BD_SAME : BD_DIFFERS, &idx);
	f->old_size = na;
	f->new_size = nb;
	if (!same) {
		char cpath[4600];
		snprintf(cpath, sizeof cpath, "%s:%s", u->s[1]->path, y->rel);
		struct bd_ctx c = {.f = f, .paths = &u->pp, .now = u->now, .errs = u->errs, .path = cpath};
		bd_compare(&c, y->rel, y->link ? "symlink target: " : "", pa, na, pb, nb);
		if (!u->st.files[idx].ncauses)
			bd_row(&c, BC_UNEXPLAINED, na > nb ? na : nb, "[file]");
	}
	mfile_close(&ma);
	mfile_close(&mb);
}

static void rest_one(struct irun *u, const struct rent *e, bool gone)
{
	size_t idx;
	uint64_t size = e->e ? e->e->size : e->n;
	struct bd_file *f = row(u, e->rel, gone ? BD_REMOVED : BD_ADDED, &idx);
	struct bd_ctx c = {.f = f};
	if (gone)
		u->st.old_bytes += f->old_size = size;
	else
		u->st.new_bytes += f->new_size = size;
	bd_row(&c, BC_UNEXPLAINED, size, "%s", gone ? "removed" : "added");
}

/* The files no manifest names, paired by path (sorted). */
static void rest(struct irun *u)
{
	struct bd_side wa = {0}, wb = {0};
	size_t na, nb, i = 0, j = 0;
	struct rent *a = rest_list(u, 0, &wa, &na), *b = rest_list(u, 1, &wb, &nb);
	while (i < na || j < nb) {
		int c = i >= na ? 1 : j >= nb ? -1 : strcmp(a[i].rel, b[j].rel);
		if (c < 0)
			rest_one(u, &a[i++], true);
		else if (c > 0)
			rest_one(u, &b[j++], false);
		else
			rest_pair(u, &a[i++], &b[j++]);
	}
	free(a);
	free(b);
	bd_side_free(&wa);
	bd_side_free(&wb);
}

/* ------------------------------------------------------------ run --- */

int bd_image_run(struct bd_result *r, const char *old, const char *new,
		 struct diag_list *errs, struct diag *d)
{
	struct iside A, B;
	struct diag_list ea = {0}, eb = {0};
	int ia = side_open(&A, old, &ea), ib = ia ? side_open(&B, new, &eb) : 0;
	if (!ia || !ib) {
		side_close(&A);
		if (ia)
			side_close(&B);
		diag_list_free(&ea);
		diag_list_free(&eb);
		return 0;
	}
	for (size_t k = 0; k < ea.n; k++)
		diag_warn(errs, &ea.v[k]);
	for (size_t k = 0; k < eb.n; k++)
		diag_warn(errs, &eb.v[k]);
	struct irun u = {.s = {&A, &B}, .now = (uint64_t)time(NULL), .errs = errs};
	make_pairs(&u);
	/* bottom up: what a document names is compared before it */
	for (size_t k = u.npairs; k-- > 0;)
		if (u.pairs[k].role == R_LAYER)
			compare_pair(&u, &u.pairs[k]);
	for (size_t k = u.npairs; k-- > 0;)
		if (u.pairs[k].role != R_LAYER)
			compare_pair(&u, &u.pairs[k]);
	size_t from = u.st.nfiles;
	rest(&u);
	/* top down: index, manifests, config, layers, then the rest */
	r->files = xcalloc(u.st.nfiles + 1, sizeof *r->files);
	r->capfiles = u.st.nfiles + 1;
	for (size_t k = 0; k < u.npairs; k++)
		if (u.pairs[k].rowidx != SIZE_MAX)
			r->files[r->nfiles++] = u.st.files[u.pairs[k].rowidx];
	for (size_t k = from; k < u.st.nfiles; k++)
		r->files[r->nfiles++] = u.st.files[k];
	r->old_bytes = u.st.old_bytes;
	r->new_bytes = u.st.new_bytes;
	bd_tally(r);
	free(u.st.files);
	free(u.pairs);
	for (size_t k = 0; k < u.pp.n; k++) {
		free(u.pp.a[k]);
		free(u.pp.b[k]);
	}
	side_close(&A);
	side_close(&B);
	diag_list_free(&ea);
	diag_list_free(&eb);
	(void)d;
	return 1;
}
