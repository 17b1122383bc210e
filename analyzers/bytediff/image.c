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
 *   or removed).  Files neither manifest names pair by path, but for a
 *   docker save's legacy directories (ID/json, ID/VERSION), which pair by
 *   the layer their ID/layer.tar holds ("layer 2 (v1)/json").
 *
 * Each pair is one row of the result, labelled "layer 2 (sha256:0123456789ab)"
 * (NEW's digest, cut to 12 hex digits as docker prints image ids).  Equal
 * bytes are `same` (a digest is never trusted alone).  A layer pair is
 * compared by units.c as any file is: its gzip or zstd stream
 * decompressed, its tar members paired by name and their header fields
 * given causes (mtime: timestamp, uid/gid/uname/gname: owner, mode), so
 * a row's `where` reads "gzip stream: usr/bin/x: tar header mtime".
 * JSON documents (config, manifests, indexes) are compared as JSON
 * (image-json.c): times are timestamps, and a digest of a pair compared
 * before follows from that pair's cause.  The pairs are compared bottom
 * up (layers, config, manifests, index) so that what a digest names is
 * known when it is met; rows are listed top down.
 *
 * Bad input: a manifest naming a blob the image lacks, a manifest or
 * config that is not JSON, a layer that stops being gzip, zstd or tar:
 * one line each naming the file (the tar, or the layout's blob) and the
 * offset (image-check.c), and the rest is still compared.
 */
#include "bdimage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../common/util.h"

#define JSON_MAX (16u << 20)      /* as pipeline/unpack.c */
#define TAR_HOPS 8                /* symlinks followed in a tarball */

/* ---------------------------------------------------------- sides --- */

const char *bdi_clean(const char *s)
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
			if (s->mem[k].name[0] != '[' && !strcmp(bdi_clean(s->mem[k].name), cur))
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
		for (const char *p = bdi_clean(tmp); *p;) {
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
	const struct bd_tmem *m = tar_find(s, bdi_clean(name));
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

json_t *bdi_parse(const struct iblob *b, const char *name, struct diag *d)
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
		j = bdi_parse(&b, name, d);
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

/*
 * A docker save's legacy directories (Docker's image/tarexport: ID/json,
 * ID/VERSION, ID/layer.tar, ID the layer's v1 id, derived from the
 * layers below): the one whose layer.tar is (or links to) layer k's file
 * is layer k's, so its files pair with the other side's directory of
 * layer k, and its id names that layer where JSON mentions it.
 */
static void v1_dirs(struct iside *s)
{
	s->v1 = xcalloc(s->im.nlayers + 1, sizeof *s->v1);
	for (size_t k = 0; k < s->im.nlayers; k++) {
		const struct bd_tmem *lk = tar_find(s, bdi_clean(s->im.layers[k].path));
		for (size_t j = 0; lk && j < s->nmem && !s->v1[k]; j++) {
			const char *n = bdi_clean(s->mem[j].name), *sl = strchr(n, '/');
			char dir[300];
			if (!sl || sl == n || strcmp(sl, "/layer.tar") || s->mem[j].name[0] == '[')
				continue;
			snprintf(dir, sizeof dir, "%.*s", (int)(sl - n), n);
			char lt[320];
			snprintf(lt, sizeof lt, "%s/layer.tar", dir);
			if (tar_find(s, lt) == lk)
				s->v1[k] = xstrdup(dir);
		}
	}
}

/* Open path as an image side: 1 an image (its manifests read, errors
 * to errs), 0 not one, 2 a tarball broken before any manifest (said in
 * errs; its members before the break listed). */
static int side_open(struct iside *s, const char *path, struct diag_list *errs)
{
	struct stat st;
	struct diag d = {0};
	int broken = 0;
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
		if (!S_ISREG(st.st_mode) || mfile_open(&s->tar, path, &d) || s->tar.n < 512 ||
		    memcmp(s->tar.p + 257, "ustar", 5))
			return 0;
		if (bd_tar_list(s->tar.p, s->tar.n, &s->mem, &s->nmem)) {
			/* a tarball cut short or spoiled: one line, and the
			 * members before the break are still an image */
			uint64_t off;
			int64_t toff;
			const char *why = bdi_layer_check(s->tar.p, s->tar.n, &off, &toff);
			if (!why || bd_tar_list(s->tar.p, off, &s->mem, &s->nmem))
				return 0;
			diag_warn_at(errs, path, off, "%s", why);
			broken = 2;
		}
		if (!tar_find(s, "oci-layout") || !tar_find(s, "index.json")) {
			struct iblob b;
			json_t *j = NULL;
			if (!get(s, "manifest.json", &b, &d)) {
				j = bdi_parse(&b, "manifest.json", &d);
				put(&b);
			}
			int rc = j && !image_read_docker(&s->im, j);
			json_decref(j);
			if (rc)
				v1_dirs(s);
			s->top = rc;
			return rc ? 1 : broken;
		}
	}
	s->top = true;
	if (image_read_oci(&s->im, load, s, path, &d))
		diag_warn(errs, &d);
	return 1;
}

static void side_close(struct iside *s)
{
	for (size_t k = 0; s->v1 && k < s->im.nlayers; k++)
		free(s->v1[k]);
	free(s->v1);
	for (size_t k = 0; k < s->nnames; k++)
		free(s->names[k]);
	free(s->names);
	image_manifest_free(&s->im);
	free(s->said);
	free(s->mem);
	mfile_close(&s->tar);
	if (s->dirfd >= 0)
		close(s->dirfd);
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
	v[n] = (struct pair){.role = R_TOP,
			     .a = !u->s[0]->top ? NULL : ma->docker ? "manifest.json" : "index.json",
			     .b = !u->s[1]->top ? NULL : mb->docker ? "manifest.json" : "index.json"};
	snprintf(v[n++].label, sizeof v->label, "%s", v[0].b ? v[0].b : v[0].a);
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
				     .da = x ? x->digest : NULL, .db = y ? y->digest : NULL,
				     .ia = x && u->s[0]->v1 ? u->s[0]->v1[k] : NULL,
				     .ib = y && u->s[1]->v1 ? u->s[1]->v1[k] : NULL};
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
			bdi_corrupt_layer(p, &x, &y, &lerrs, u->errs);
	} else {
		c.errs = u->errs;
		bdi_json_units(&c, u->pairs, u->npairs, p->b, &x, &y, said(u->s[0], p->a),
			       said(u->s[1], p->b));
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
	uint64_t base;                /* its offset in the tarball */
};

static int cmp_rent(const void *x, const void *y)
{
	return strcmp(((const struct rent *)x)->rel, ((const struct rent *)y)->rel);
}

static bool referenced(const struct irun *u, int side, const char *rel)
{
	for (size_t k = 0; k < u->npairs; k++) {
		const char *f = side ? u->pairs[k].b : u->pairs[k].a;
		if (f && !strcmp(bdi_clean(f), rel))
			return true;
	}
	return false;
}

/* A docker save's legacy file ID/NAME under the name it pairs by,
 * "layer K (v1)/NAME" (owned by s); NULL for ID/layer.tar, which is the
 * layer; rel itself for any other file. */
static const char *v1_name(struct iside *s, const char *rel)
{
	const char *sl = strchr(rel, '/');
	for (size_t k = 0; sl && s->v1 && k < s->im.nlayers; k++)
		if (s->v1[k] && strlen(s->v1[k]) == (size_t)(sl - rel) &&
		    !strncmp(rel, s->v1[k], (size_t)(sl - rel))) {
			if (!strcmp(sl, "/layer.tar"))
				return NULL;
			struct buf b = BUF_INIT;
			buf_printf(&b, "layer %zu (v1)%s", k + 1, sl);
			s->names = xreallocarray(s->names, s->nnames + 1, sizeof *s->names);
			return s->names[s->nnames++] = buf_detach(&b);
		}
	return rel;
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
			const char *rel = bdi_clean(m->name);
			if (m->name[0] == '[' || !*rel || (t != '0' && t && t != '7' && t != '2') ||
			    referenced(u, side, rel) || !(rel = v1_name(s, rel)))
				continue;
			GROW(v, cap, *n + 1);
			const unsigned char *lp = s->tar.p + m->hdr + 157;
			v[(*n)++] = t == '2' ? (struct rent){rel, NULL, lp, strnlen((const char *)lp, 100), true,
							     m->hdr + 157} :
				    (struct rent){rel, NULL, s->tar.p + m->data, m->size, false, m->data};
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
		const char *base = strrchr(y->rel, '/') ? strrchr(y->rel, '/') + 1 : y->rel;
		size_t lbase = strlen(base);
		if (!x->link && !y->link && ((lbase >= 4 && !strcmp(base + lbase - 4, "json")) ||
					     !strcmp(base, "repositories"))) {
			/* docker save's JSON files: ids of layers, times */
			struct iblob bx = {.p = pa, .n = na, .base = x->base}, by = {.p = pb, .n = nb, .base = y->base};
			snprintf(bx.file, sizeof bx.file, "%s", x->e ? x->e->abs : u->s[0]->path);
			snprintf(by.file, sizeof by.file, "%s", y->e ? y->e->abs : u->s[1]->path);
			bdi_json_units(&c, u->pairs, u->npairs, y->rel, &bx, &by, false, false);
		} else {
			bd_compare(&c, y->rel, y->link ? "symlink target: " : "", pa, na, pb, nb);
		}
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
	/* one side an image, the other one too or a tarball broken before
	 * its manifests: compared as images (the broken side's members by
	 * path), its break said once */
	if (!ia || !ib || (ia == 2 && ib == 2)) {
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
