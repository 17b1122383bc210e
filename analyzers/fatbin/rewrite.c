/*
 * rewrite.c - the bytes of a file whose fatbin containers lose entries
 * (`slim prune`, issue #17).
 *
 * A container keeps its place: its header stays where it was (so every
 * .nvFatBinSegment wrapper, relocation or code pointer that names the
 * container's start still does), its size field (header +8, container.c)
 * becomes the bytes of the entries kept, and the kept entries follow it
 * back to back, byte-identical and in their order.  The bytes the removed
 * entries held, now at the container's tail, are left zero.  Nothing
 * outside a changed container moves, so section offsets, archive members
 * and their headers, program headers and symbol values all stay valid: the
 * file keeps its size and the rewrite is a list of pieces over the input.
 *
 * The plan refuses (returns -1) what it cannot rewrite with these
 * guarantees: entries that do not tile their container, or containers that
 * overlap.  The caller refuses the rest (a scan with errors, bad wrappers)
 * before asking.
 */
#include "fatbin.h"
#include "../../common/bytes.h"
#include "../../common/util.h"

#include <stdlib.h>
#include <string.h>

struct crange {
	uint64_t off, hs, fs;   /* container header offset, header and entry bytes */
	size_t first, end;      /* its entries in s->v */
};

static int cmp_crange(const void *a, const void *b)
{
	const struct crange *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

static void add_piece(struct fatbin_rewrite *rw, uint64_t out, uint64_t src,
		      uint64_t len, const unsigned char *data)
{
	if (!len)
		return;
	if (!data && rw->n) {
		struct fatbin_piece *l = &rw->v[rw->n - 1];
		if (!l->data && l->out + l->len == out && l->src + l->len == src) {
			l->len += len;
			return;
		}
	}
	GROW(rw->v, rw->cap, rw->n + 1);
	rw->v[rw->n++] = (struct fatbin_piece){out, src, len, data};
}

int fatbin_rewrite_plan(const struct fatbin_scan *s, const char *path,
			const unsigned char *p, size_t n, const bool *drop,
			struct fatbin_rewrite *rw, struct diag *d)
{
	memset(rw, 0, sizeof *rw);
	/* the containers that lose an entry; entries of one container are
	 * contiguous in s->v (container.c appends them as it walks) */
	struct crange *c = NULL;
	size_t nc = 0, cap = 0, hdr_bytes = 0;
	for (size_t i = 0; i < s->n;) {
		size_t end = i + 1;
		while (end < s->n && s->v[end].container == s->v[i].container)
			end++;
		bool any = false;
		for (size_t k = i; k < end; k++)
			any |= drop[k];
		if (any) {
			uint32_t ci = s->v[i].container;
			if (ci >= s->ncoff)
				goto bad_index;
			uint64_t off = s->coff[ci];
			if (!range_ok(off, FATBIN_HDR_SIZE, n))
				goto bad_index;
			uint64_t hs = le16(p + off + 6), fs = le64(p + off + 8);
			GROW(c, cap, nc + 1);
			c[nc++] = (struct crange){off, hs, fs, i, end};
			hdr_bytes += hs;
		}
		i = end;
	}
	if (nc)   /* qsort(NULL, 0) is undefined */
		qsort(c, nc, sizeof *c, cmp_crange);
	rw->hdrs = xmalloc(hdr_bytes + 1);
	rw->ranges = xcalloc(nc + 1, sizeof *rw->ranges);
	unsigned char *h = rw->hdrs;
	uint64_t pos = 0;
	for (size_t k = 0; k < nc; k++) {
		const struct crange *r = &c[k];
		if (r->off < pos) {
			diag_err_at(d, path, r->off, "fatbin container overlaps the one before it: not rewritten");
			goto fail;
		}
		if (!range_ok(r->off, r->hs + r->fs, n) || r->hs < FATBIN_HDR_SIZE) {
			diag_err_at(d, path, r->off, "fatbin container runs past the end of the file");
			goto fail;
		}
		/* the entries tile the container exactly */
		uint64_t at = r->off + r->hs;
		for (size_t i = r->first; i < r->end; i++) {
			const struct fatbin_entry *e = &s->v[i];
			if (e->file_off != at) {
				diag_err_at(d, path, e->file_off, "fatbin entry is not where its container's previous entry ends (0x%llx): not rewritten",
					    (unsigned long long)at);
				goto fail;
			}
			at += e->hdr_size + e->payload_size;
		}
		if (at != r->off + r->hs + r->fs) {
			diag_err_at(d, path, r->off, "fatbin container's entries end at 0x%llx, not at its declared end 0x%llx (read only in part): not rewritten",
				    (unsigned long long)at,
				    (unsigned long long)(r->off + r->hs + r->fs));
			goto fail;
		}
		add_piece(rw, pos, pos, r->off - pos, NULL);
		uint64_t kept = 0;
		for (size_t i = r->first; i < r->end; i++) {
			const struct fatbin_entry *e = &s->v[i];
			if (drop[i]) {
				rw->removed++;
				rw->freed += e->hdr_size + e->payload_size;
			} else {
				kept += e->hdr_size + e->payload_size;
			}
		}
		memcpy(h, p + r->off, r->hs);
		for (int b = 0; b < 8; b++)
			h[8 + b] = (unsigned char)(kept >> (8 * b));
		add_piece(rw, r->off, 0, r->hs, h);
		h += r->hs;
		uint64_t out = r->off + r->hs;
		for (size_t i = r->first; i < r->end; i++) {
			const struct fatbin_entry *e = &s->v[i];
			uint64_t len = e->hdr_size + e->payload_size;
			if (drop[i])
				continue;
			add_piece(rw, out, e->file_off, len, NULL);
			out += len;
		}
		/* [out, container end) stays zero */
		rw->ranges[rw->containers] = (struct fatbin_range){r->off, r->hs + r->fs};
		rw->containers++;
		pos = r->off + r->hs + r->fs;
	}
	add_piece(rw, pos, pos, n - pos, NULL);
	rw->size = n;
	free(c);
	return 0;
bad_index:
	diag_err(d, path, "fatbin scan lost a container's offset: not rewritten");
fail:
	free(c);
	fatbin_rewrite_free(rw);
	return -1;
}

void fatbin_rewrite_free(struct fatbin_rewrite *rw)
{
	free(rw->v);
	free(rw->hdrs);
	free(rw->ranges);
	memset(rw, 0, sizeof *rw);
}
