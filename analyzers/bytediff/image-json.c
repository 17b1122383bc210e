/*
 * image-json.c - two JSON documents of two images compared (bdimage.h):
 * a config, a manifest, an image index, docker save's manifest.json.
 * Both trees are walked in step (objects by key, arrays by index); a
 * leaf that differs is
 *   - a timestamp when both are RFC 3339 times (a config's created,
 *     its history's, an annotation's);
 *   - a consequence when both name the same pair of blobs (a descriptor's
 *     digest, a docker save's file name or a layer's v1 id), or are a config's
 *     rootfs.diff_ids[i] (the digest of layer i's tar, image-spec
 *     config.md), or are the size beside such a digest: its bytes take
 *     the cause that explained most of that pair, or unexplained where
 *     the pair is not explained in full (the pairs are compared bottom up,
 *     so that is known);
 *   - otherwise unexplained, and the whole document with it, naming the
 *     first such place.
 * The document's bytes (the larger side) are shared among the causes in
 * proportion to the bytes of the values each took.
 */
#include "bdimage.h"

#include <stdlib.h>
#include <string.h>

#include "../../common/util.h"

struct jwalk {
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
		const char *dg = b ? p->db : p->da, *f = b ? p->b : p->a, *id = b ? p->ib : p->ia;
		if ((dg && !strcmp(dg, s)) || (id && !strcmp(id, s)) ||
		    (f && p->role != R_TOP && !strcmp(bdi_clean(f), bdi_clean(s))))
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
void bdi_json_units(struct bd_ctx *c, const struct pair *pairs, size_t npairs,
		    const char *what, const struct iblob *x, const struct iblob *y,
		    bool said_a, bool said_b)
{
	struct diag da = {0}, db = {0};
	struct jwalk jw = {.pairs = pairs, .npairs = npairs}, *w = &jw;
	json_t *a = bdi_parse(x, what, &da), *b = bdi_parse(y, what, &db);
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
	for (int k = 0; k < 2 * BC_N; k++)
		buf_free(&w->where[k / BC_N][k % BC_N]);
	json_decref(a);
	json_decref(b);
}
