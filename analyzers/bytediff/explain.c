/*
 * explain.c - why one unit differs between two builds, checked by
 * normalizing (issue #16).
 *
 * A unit (an ELF section, an ar member, a header field, a stream) that
 * differs is copied and normalized step by step:
 *
 *   1. build paths: every known prefix pair (OLD's build directory, NEW's)
 *      is replaced by one token on each side, which also undoes the shift
 *      a longer path causes.  A pair is learnt where a difference falls in
 *      an absolute path: the path token around it on each side, less their
 *      common tail (cut at a '/'), or when they share no tail, up to the end
 *      of the component that differs, as reproducible-builds.org's
 *      "build path" issue describes (DW_AT_comp_dir, .debug_str, __FILE__);
 *   2. then, with both sides of equal length, each differing region is
 *      classified where it lies: the build ID bytes (.note.gnu.build-id's
 *      descriptor, wherever it is copied); an offset into a string section
 *      whose strings are equal once normalized (DW_FORM_strp and its
 *      relocation addends move when a path before them grew: a consequence
 *      of the build path); __DATE__ ("Mmm dd yyyy") and __TIME__
 *      ("hh:mm:ss") shapes, ten-digit decimal or aligned 32/64-bit
 *      little-endian epoch seconds, or a five-byte ULEB128 of them (a
 *      DWARF file entry's mtime), outside machine code and text, between 2000 and
 *      a year past now, less than five years apart (timestamp); an alphanumeric token of six or more
 *      characters, equal in length, differing in three or more (random
 *      temporary names, hash seeds), or in any after nvcc's "tmpxft_".  Each classified region is made equal;
 *   3. a unit that still differs is tried as an order: once normalized,
 *      the same multiset of lines (or of NUL-terminated strings: GCC's
 *      .debug_line_str order follows the strings' hashes, so a build path
 *      reorders it) in another order; when a build path was replaced in
 *      the unit, the order is its consequence and counted as build-path.
 *
 * The unit is explained only when the normalized copies compare equal; its
 * bytes (the larger of its two sizes) are then shared among the causes in
 * proportion to the bytes each step changed.  Otherwise the whole unit is
 * "unexplained" with its first differing offsets.  Every step is linear in
 * the unit (memmem per path pair), bounded by BD_MAX_PATHS and ROUNDS.
 */
#include "bdint.h"
#include "bdunits.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/bytes.h"
#include "../../common/util.h"

#define ROUNDS 16
#define FIRST_OFFS 4
static const char TOKEN[] = "\x7f<build-path>\x7f";

struct work {
	unsigned char *a, *b;
	size_t na, nb;
	uint64_t touched[BC_N];
	uint64_t lo[BC_N], hi[BC_N];   /* range in the unit, per cause */
};

static void note(struct work *w, enum bd_cause c, uint64_t off, uint64_t len)
{
	if (!w->touched[c] || off < w->lo[c])
		w->lo[c] = off;
	if (!w->touched[c] || off + len > w->hi[c])
		w->hi[c] = off + len;
	w->touched[c] += len;
}

/* Replace every occurrence of pat in *p (length *n) by TOKEN; returns
 * the count.  The buffer is reallocated. */
static size_t substitute(unsigned char **p, size_t *n, const char *pat,
			 size_t lp, size_t *first)
{
	struct buf out = BUF_INIT;
	const unsigned char *s = *p, *end = *p + *n, *q;
	size_t count = 0, lt = sizeof TOKEN - 1;
	while (lp && (q = memmem(s, (size_t)(end - s), pat, lp))) {
		if (!count)
			*first = (size_t)(q - *p);
		buf_add(&out, s, (size_t)(q - s));
		buf_add(&out, TOKEN, lt);
		s = q + lp;
		count++;
	}
	if (!count)
		return 0;
	buf_add(&out, s, (size_t)(end - s));
	free(*p);
	*n = out.len;
	*p = (unsigned char *)buf_detach(&out);
	return count;
}

static void apply_pair(struct work *w, const struct bd_paths *pp, size_t i)
{
	size_t fa = 0, fb = 0;
	size_t ca = substitute(&w->a, &w->na, pp->a[i], pp->la[i], &fa);
	size_t cb = substitute(&w->b, &w->nb, pp->b[i], pp->lb[i], &fb);
	uint64_t ba = (uint64_t)ca * pp->la[i], bb = (uint64_t)cb * pp->lb[i];
	if (ca || cb)
		note(w, BC_BUILD_PATH, ca ? fa : fb, ba > bb ? ba : bb);
}

static bool pathch(unsigned char ch)
{
	return isalnum(ch) || (ch && strchr("/._-+~@%,", ch));
}

/* Learn a prefix pair from a difference at i (a[0..i) == b[0..i)). */
static bool learn_path(struct work *w, struct bd_paths *pp, size_t i)
{
	size_t s = i, ea = i, eb = i;
	while (s > 0 && pathch(w->a[s - 1]))
		s--;
	while (s < i && w->a[s] != '/')      /* the path starts at a '/' */
		s++;
	if (s >= w->na || w->a[s] != '/' || s > i)
		return false;
	while (ea < w->na && pathch(w->a[ea]))
		ea++;
	while (eb < w->nb && pathch(w->b[eb]))
		eb++;
	size_t suf = 0, max = (ea < eb ? ea : eb) - i;
	while (suf < max && w->a[ea - suf - 1] == w->b[eb - suf - 1])
		suf++;
	while (suf > 0 && w->a[ea - suf] != '/')
		suf--;
	if (!suf) {
		/* no common tail (the two strings are not the same path, as
		 * when a table's order moved): the pair ends with the path
		 * component that holds the difference */
		ea = eb = i;
		while (ea < w->na && pathch(w->a[ea]) && w->a[ea] != '/')
			ea++;
		while (eb < w->nb && pathch(w->b[eb]) && w->b[eb] != '/')
			eb++;
	}
	size_t la = ea - suf - s, lb = eb - suf - s;
	if (la < 4 || lb < 4 || pp->n >= BD_MAX_PATHS)
		return false;
	for (size_t k = 0; k < pp->n; k++)
		if (pp->la[k] == la && pp->lb[k] == lb &&
		    !memcmp(pp->a[k], w->a + s, la) && !memcmp(pp->b[k], w->b + s, lb))
			return false;
	pp->a[pp->n] = xstrndup((const char *)w->a + s, la);
	pp->b[pp->n] = xstrndup((const char *)w->b + s, lb);
	pp->la[pp->n] = la;
	pp->lb[pp->n] = lb;
	pp->n++;
	return true;
}

/* The string at off in sec, with the path pairs' side normalized, equal
 * to the other side's: both non-empty. */
static bool str_equal(const struct bd_paths *pp, struct bd_bytes sa, uint64_t oa,
		      struct bd_bytes sb, uint64_t ob)
{
	if (oa >= sa.n || ob >= sb.n)
		return false;
	const char *x = (const char *)sa.p + oa, *y = (const char *)sb.p + ob;
	size_t lx = strnlen(x, sa.n - oa), ly = strnlen(y, sb.n - ob);
	if (!lx || !ly || lx == sa.n - oa || ly == sb.n - ob)
		return false;
	if (lx == ly && !memcmp(x, y, lx))
		return true;
	for (size_t k = 0; k < pp->n; k++) {
		const char *px = memmem(x, lx, pp->a[k], pp->la[k]);
		const char *py = memmem(y, ly, pp->b[k], pp->lb[k]);
		if (!px || !py || px - x != py - y || memcmp(x, y, (size_t)(px - x)))
			continue;
		const char *tx = px + pp->la[k], *ty = py + pp->lb[k];
		if (lx - (size_t)(tx - x) == ly - (size_t)(ty - y) &&
		    !memcmp(tx, ty, lx - (size_t)(tx - x)))
			return true;
	}
	return false;
}

static uint64_t word(const unsigned char *p, size_t w)
{
	return w == 4 ? le32(p) : le64(p);
}

/* Region lengths of the classifiers below: 0 when it does not apply. */
static size_t at_build_id(const struct bd_ctx *c, struct work *w, size_t i, size_t *start)
{
	size_t n = c->bida.n;
	if (!n || n != c->bidb.n)
		return 0;
	for (size_t off = i + 1 > n ? i + 1 - n : 0; off <= i && off + n <= w->na; off++)
		if (!memcmp(w->a + off, c->bida.p, n) && !memcmp(w->b + off, c->bidb.p, n)) {
			*start = off;
			return n;
		}
	return 0;
}

static size_t at_strp(const struct bd_ctx *c, struct work *w, size_t i, size_t *start)
{
	static const size_t widths[] = {4, 8};
	for (size_t wi = 0; wi < 2; wi++) {
		size_t wd = widths[wi];
		for (size_t k = 0; k < wd && k <= i; k++) {
			size_t off = i - k;
			if (off + wd > w->na)
				continue;
			uint64_t va = word(w->a + off, wd), vb = word(w->b + off, wd);
			if (va == vb)
				continue;
			for (size_t s = 0; s < c->nstr; s++)
				if (str_equal(c->paths, c->stra[s], va, c->strb[s], vb)) {
					*start = off;
					return wd;
				}
		}
	}
	return 0;
}

static bool date_shape(const unsigned char *p)
{
	static const char mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	bool m = false;
	for (int k = 0; k < 12; k++)
		m |= !memcmp(p, mon + 3 * k, 3);
	return m && p[3] == ' ' && (p[4] == ' ' || isdigit(p[4])) && isdigit(p[5]) &&
	       p[6] == ' ' && isdigit(p[7]) && isdigit(p[8]) && isdigit(p[9]) && isdigit(p[10]);
}

static bool time_shape(const unsigned char *p)
{
	return isdigit(p[0]) && isdigit(p[1]) && p[2] == ':' && isdigit(p[3]) &&
	       isdigit(p[4]) && p[5] == ':' && isdigit(p[6]) && isdigit(p[7]);
}

static bool epoch_pair(const struct bd_ctx *c, uint64_t a, uint64_t b)
{
	const uint64_t lo = 946684800, span = 5ull * 366 * 86400;
	uint64_t hi = c->now + 366ull * 86400;
	return a >= lo && b >= lo && a <= hi && b <= hi &&
	       (a > b ? a - b : b - a) < span;
}

/* Printable bytes: a word of text ("w1/b" reads as 2022) is no epoch. */
static bool text(const unsigned char *p, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (p[k] < 0x20 || p[k] > 0x7e)
			return false;
	return true;
}

/* An unsigned LEB128 of at most `max` bytes at p: its value and length
 * (0: none, or longer). */
static size_t uleb(const unsigned char *p, size_t max, uint64_t *v)
{
	*v = 0;
	for (size_t k = 0; k < max && k < 9; k++) {
		*v |= (uint64_t)(p[k] & 0x7f) << (7 * k);
		if (!(p[k] & 0x80))
			return k + 1;
	}
	return 0;
}

/* Epoch seconds as a ULEB128 of five bytes, as a DWARF line table's file
 * entry holds the source's mtime (nvcc writes it in a cubin's
 * .debug_line; GCC writes 0): the same length on both sides, starting
 * after a byte that ends another LEB (or anything without the high bit),
 * and covering i. */
static size_t at_uleb_epoch(const struct bd_ctx *c, struct work *w, size_t i, size_t *start)
{
	for (size_t k = 0; k < 5 && k <= i; k++) {
		size_t s = i - k;
		uint64_t va, vb;
		if (s > 0 && ((w->a[s - 1] & 0x80) || (w->b[s - 1] & 0x80)))
			continue;
		size_t la = uleb(w->a + s, w->na - s, &va), lb = uleb(w->b + s, w->nb - s, &vb);
		if (la == 5 && lb == 5 && s + la > i && va != vb && epoch_pair(c, va, vb)) {
			*start = s;
			return la;
		}
	}
	return 0;
}

static size_t at_timestamp(const struct bd_ctx *c, struct work *w, size_t i, size_t *start)
{
	for (size_t k = 0; k < 11 && k <= i; k++) {
		size_t off = i - k;
		if (off + 11 <= w->na && date_shape(w->a + off) && date_shape(w->b + off)) {
			*start = off;
			return 11;
		}
		if (k < 8 && off + 8 <= w->na && time_shape(w->a + off) && time_shape(w->b + off)) {
			*start = off;
			return 8;
		}
	}
	/* ten decimal digits, delimited, maybe with a fraction (pax's
	 * "mtime=1733561234.123456789") */
	size_t s = i, e;
	while (s > 0 && (isdigit(w->a[s - 1]) || w->a[s - 1] == '.') &&
	       (isdigit(w->b[s - 1]) || w->b[s - 1] == '.'))
		s--;
	e = s;
	while (e < w->na && isdigit(w->a[e]) && isdigit(w->b[e]))
		e++;
	size_t frac = e;
	if (e - s == 10 && frac < w->na && w->a[frac] == '.' && w->b[frac] == '.') {
		frac++;
		while (frac < w->na && isdigit(w->a[frac]) && isdigit(w->b[frac]))
			frac++;
	}
	if (e - s == 10 && i < frac && (s == 0 || !isdigit(w->a[s - 1]))) {
		char ta[11], tb[11];
		memcpy(ta, w->a + s, 10);
		memcpy(tb, w->b + s, 10);
		ta[10] = tb[10] = 0;
		if (epoch_pair(c, strtoull(ta, NULL, 10), strtoull(tb, NULL, 10))) {
			*start = s;
			return frac - s;
		}
	}
	/* binary: aligned words of data, never of code */
	static const size_t widths[] = {4, 8};
	for (size_t wi = 0; wi < 2 && !c->code; wi++) {
		size_t wd = widths[wi];
		size_t off = i - i % wd;
		if (off + wd <= w->na) {
			uint64_t va = word(w->a + off, wd), vb = word(w->b + off, wd);
			if (va != vb && epoch_pair(c, va, vb) && !text(w->a + off, wd) &&
			    !text(w->b + off, wd)) {
				*start = off;
				return wd;
			}
		}
	}
	return c->code ? 0 : at_uleb_epoch(c, w, i, start);
}

static size_t at_random(struct work *w, size_t i, size_t *start)
{
	size_t s = i, e = i, ndiff = 0;
	while (s > 0 && isalnum(w->a[s - 1]) && isalnum(w->b[s - 1]))
		s--;
	while (e < w->na && isalnum(w->a[e]) && isalnum(w->b[e]))
		e++;
	if (e - s < 6)
		return 0;
	for (size_t k = s; k < e; k++)
		ndiff += w->a[k] != w->b[k];
	/* nvcc's temporary files are tmpxft_PPPPPPPP_CCCCCCCC-N_NAME (P the
	 * process id in hex): there any change of the id is random */
	bool tmpxft = s >= 7 && !memcmp(w->a + s - 7, "tmpxft_", 7) && !memcmp(w->b + s - 7, "tmpxft_", 7);
	if (ndiff < 3 && !(tmpxft && ndiff))
		return 0;
	*start = s;
	return e - s;
}

static int cmp_line(const void *x, const void *y)
{
	const struct bd_bytes *a = x, *b = y;
	size_t n = a->n < b->n ? a->n : b->n;
	int r = memcmp(a->p, b->p, n);
	return r ? r : (a->n > b->n) - (a->n < b->n);
}

static struct bd_bytes *lines(const unsigned char *p, size_t n, unsigned char sep,
			       size_t *count)
{
	struct bd_bytes *v = NULL;
	size_t cap = 0, k = 0, s = 0;
	for (size_t i = 0; i <= n; i++)
		if (i == n || p[i] == sep) {
			GROW(v, cap, k + 1);
			v[k++] = (struct bd_bytes){p + s, i - s};
			s = i + 1;
		}
	qsort(v, k, sizeof *v, cmp_line);
	*count = k;
	return v;
}

/* The same lines (or strings) in another order. */
bool bd_same_lines(const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
	if (na != nb || !na)
		return false;
	unsigned char sep = memchr(a, '\n', na) ? '\n' : 0;
	if (!sep && (a[na - 1] || b[nb - 1]))
		return false;
	size_t ka, kb;
	struct bd_bytes *la = lines(a, na, sep, &ka), *lb = lines(b, nb, sep, &kb);
	bool eq = ka == kb && ka > 1;
	for (size_t k = 0; eq && k < ka; k++)
		eq = !cmp_line(&la[k], &lb[k]);
	free(la);
	free(lb);
	return eq;
}

/* One pass over equal-length buffers; false at the first region no
 * classifier takes (*at = its offset). */
static bool classify(const struct bd_ctx *c, struct work *w, size_t *at)
{
	size_t i = 0;
	while (i < w->na) {
		if (w->a[i] == w->b[i]) {
			const unsigned char *pa = w->a + i, *pb = w->b + i;
			size_t left = w->na - i, k = 0;
			/* skip the equal run quickly */
			while (k < left && pa[k] == pb[k])
				k++;
			i += k;
			continue;
		}
		size_t st = i, len;
		enum bd_cause cause;
		if ((len = at_build_id(c, w, i, &st)))
			cause = BC_BUILD_ID;
		else if ((len = at_strp(c, w, i, &st)))
			cause = BC_BUILD_PATH;
		else if ((len = at_timestamp(c, w, i, &st)))
			cause = BC_TIMESTAMP;
		else if ((len = at_random(w, i, &st)))
			cause = BC_RANDOM;
		else {
			*at = i;
			return false;
		}
		memcpy(w->b + st, w->a + st, len);
		note(w, cause, st, len);
		i = st + len;
	}
	return true;
}

static size_t first_diff(const struct work *w)
{
	size_t n = w->na < w->nb ? w->na : w->nb, i = 0;
	while (i < n && w->a[i] == w->b[i])
		i++;
	return i;
}

static bool normalize(struct bd_ctx *c, struct work *w, size_t *at)
{
	for (size_t k = 0; k < c->paths->n; k++)
		apply_pair(w, c->paths, k);
	for (int round = 0; round < ROUNDS; round++) {
		if (w->na == w->nb && !memcmp(w->a, w->b, w->na))
			return true;
		size_t i = first_diff(w);
		if (w->na == w->nb && classify(c, w, &i))
			return true;
		/* a path where the rest did not help: learn it and go again */
		size_t before = c->paths->n;
		if (!learn_path(w, c->paths, i)) {
			*at = i;
			return false;
		}
		for (size_t k = before; k < c->paths->n; k++)
			apply_pair(w, c->paths, k);
	}
	*at = first_diff(w);
	return false;
}

void bd_row(struct bd_ctx *c, enum bd_cause cause, uint64_t bytes, const char *fmt, ...)
{
	struct bd_file *f = c->f;
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	GROW(f->causes, f->capcauses, f->ncauses + 1);
	f->causes[f->ncauses++] = (struct bd_cause_row){cause, bytes, buf_detach(&b)};
	f->bytes_differing += bytes;
	if (cause != BC_UNEXPLAINED)
		f->bytes_explained += bytes;
}

/* Up to FIRST_OFFS offsets where the originals differ, for the reader. */
static void first_offsets(struct buf *o, const unsigned char *a, size_t na,
			  const unsigned char *b, size_t nb)
{
	size_t n = na < nb ? na : nb, shown = 0;
	for (size_t i = 0; i < n && shown < FIRST_OFFS; i++)
		if (a[i] != b[i]) {
			buf_printf(o, "%s0x%zx", shown++ ? ", " : "", i);
			while (i + 1 < n && a[i + 1] != b[i + 1])
				i++;
		}
	if (shown < FIRST_OFFS && na != nb)
		buf_printf(o, "%ssize 0x%zx vs 0x%zx", shown ? ", " : "", na, nb);
}

void bd_unit(struct bd_ctx *c, const char *where, const unsigned char *a,
	     size_t na, const unsigned char *b, size_t nb, uint64_t unit_bytes)
{
	if (na == nb && (!na || !memcmp(a, b, na)))
		return;
	if (!unit_bytes)
		unit_bytes = na > nb ? na : nb;
	struct work w = {0};
	w.a = xmalloc(na + 1);
	w.b = xmalloc(nb + 1);
	memcpy(w.a, a, na);
	memcpy(w.b, b, nb);
	w.na = na;
	w.nb = nb;
	size_t at = 0;
	bool ok = normalize(c, &w, &at);
	if (!ok && !c->table && bd_same_lines(w.a, w.na, w.b, w.nb)) {
		/* reordered by a path's hash: the path is the cause to fix */
		note(&w, w.touched[BC_BUILD_PATH] ? BC_BUILD_PATH : BC_ORDER, 0, w.na);
		ok = true;
	}
	if (!ok) {
		struct buf o = BUF_INIT;
		first_offsets(&o, a, na, b, nb);
		bd_row(c, BC_UNEXPLAINED, unit_bytes, "%s (first differing at %s)", where,
		       buf_cstr(&o));
		buf_free(&o);
		goto out;
	}
	/* share unit_bytes in proportion to what each cause touched */
	uint64_t sum = 0, given = 0;
	int last = -1;
	for (int k = 0; k < BC_N; k++)
		if (w.touched[k]) {
			sum += w.touched[k];
			last = k;
		}
	for (int k = 0; k < BC_N && sum; k++) {
		if (!w.touched[k])
			continue;
		uint64_t share = k == last ? unit_bytes - given :
			(uint64_t)((double)unit_bytes * w.touched[k] / sum);
		given += share;
		bd_row(c, (enum bd_cause)k, share, "%s [0x%llx-0x%llx)", where,
		       (unsigned long long)w.lo[k], (unsigned long long)w.hi[k]);
	}
out:
	free(w.a);
	free(w.b);
}

void bd_field(struct bd_ctx *c, const char *where, const unsigned char *a,
	      const unsigned char *b, size_t n, enum bd_cause cause)
{
	if (memcmp(a, b, n))
		bd_row(c, cause, n, "%s", where);
}

void bd_consequence(struct bd_ctx *c, const char *where, uint64_t bytes)
{
	uint64_t by[BC_N] = {0};
	const struct bd_file *f = c->f;
	for (size_t k = 0; k < f->ncauses; k++)
		by[f->causes[k].cause] += f->causes[k].bytes;
	int best = -1;
	for (int k = 0; k < BC_N; k++)
		if (k != BC_UNEXPLAINED && k != BC_BUILD_ID && by[k] &&
		    (best < 0 || by[k] > by[best]))
			best = k;
	if (best < 0)
		best = by[BC_BUILD_ID] ? BC_BUILD_ID : BC_UNEXPLAINED;
	bd_row(c, (enum bd_cause)best, bytes, "%s (offsets and sizes of the units above)", where);
}
