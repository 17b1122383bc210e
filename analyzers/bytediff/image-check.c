/*
 * image-check.c - where a layer blob of an image stops being a layer
 * (bdimage.h), for the one line `slim diff` says about a corrupt layer:
 * the blob decompressed as it is stored (gzip, RFC 1952, with zlib; zstd,
 * RFC 8878, with libzstd, fed 512 bytes at a time so an error's offset is
 * known to that), and the tar inside walked header by header as the
 * bytes come, wanting what bd_tar_list() wants of each (the ustar magic,
 * an octal size) and every member's data before the end.  Only run when
 * units.c could not read a layer pair, so the layer is read once more
 * only where it is broken.
 */
#include "bdimage.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "../../common/util.h"

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
const char *bdi_layer_check(const unsigned char *p, size_t n, uint64_t *off, int64_t *toff)
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
void bdi_corrupt_layer(const struct pair *pr, const struct iblob *x, const struct iblob *y,
		       struct diag_list *lerrs, struct diag_list *errs)
{
	const struct iblob *v[2] = {x, y};
	bool said = false;
	for (int k = 0; k < 2; k++) {
		uint64_t off;
		int64_t toff;
		const char *why = bdi_layer_check(v[k]->p, v[k]->n, &off, &toff);
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
