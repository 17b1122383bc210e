/*
 * gpu.c - CUDA fat binaries as units of a byte diff (issue #16: "fatbin
 * entries").
 *
 * A section whose both sides start with a fatbin container (.nv_fatbin,
 * __nv_relfatbin: containers back to back, zero padding between them) or
 * a bare .fatbin file is read with the fatbin analyzer's own scan
 * (fatbin_scan_buf() over the section's bytes, which walks them as a bare
 * fatbin exactly as `slim fatbin` walks the section: no second parser
 * here), and compared unit by unit:
 *
 *   - each container's 16-byte header: its size field follows from its
 *     entries (a consequence), any other field is compared as bytes;
 *   - entries pair by container and by (kind, arch, occurrence) within
 *     it; each entry's header with its three size fields (payload,
 *     compressed, decompressed) zeroed, which only move when the payload
 *     changes size, then compared as bytes (the -G object name);
 *   - each entry's payload, decompressed with fatbin_decode() (LZ4, ZSTD;
 *     counted at the larger compressed size) and compared as a file: a
 *     cubin is an ELF file, so its sections are units in turn (a build
 *     path in .debug_str or .nv_debug_line_sass), PTX is text (a build
 *     path in its .file lines).  Compressed LTO-IR is not a plain stream
 *     (container.c) and is compared as stored.
 *
 * The `where` of every row names the container and the entry: ".nv_fatbin
 * container 1 entry 2 (ptx sm_80, 0x1e50-0x4260): [bytes] [0x50-0x8c)",
 * containers and entries counted from 1 in section order, the entry's
 * byte range in the section (header included), then the unit inside its
 * payload with its offset range there.  A side whose scan reports a bad
 * container or entry is one line in c->errs (the scan's first error, its
 * offset in the section) and the pair is compared as bytes by the caller.
 *
 * bytediff reads the fatbin analyzer's public header directly: the one
 * exception to "analyzers are peers" in tests/check-layers.sh, there
 * because a byte diff needs the entries' bytes, which no run service
 * offers.
 */
#include "bdunits.h"

#include <stdlib.h>
#include <string.h>

#include "../../common/util.h"
#include "../fatbin/fatbin.h"

/* What goes between a prefix and the words after it. */
static const char *sep(const char *prefix)
{
	size_t n = strlen(prefix);
	return n && prefix[n - 1] != ' ' ? " " : "";
}

/* Scan one side; true with entries, false (s freed) otherwise. */
static bool scan_side(struct bd_ctx *c, struct fatbin_scan *s, const char *prefix,
		      const char *side, const unsigned char *p, size_t n)
{
	char where[1200];
	size_t lp = strlen(prefix);
	while (lp && (prefix[lp - 1] == ' ' || prefix[lp - 1] == ':'))
		lp--;
	snprintf(where, sizeof where, "%s%s%.*s (%s side)", c->path ? c->path : "?", lp ? ": " : "",
		 (int)lp, prefix, side);
	memset(s, 0, sizeof *s);
	s->no_scan = true;
	struct diag_list w = {0};
	struct diag d = {0};
	int rc = fatbin_scan_buf(s, where, p, n, &w, &d);
	diag_list_free(&w);
	if (!rc && !s->errors && s->n)
		return true;
	if (c->errs && (rc || s->errors))
		diag_warn(c->errs, rc ? &d : &s->first_error);
	fatbin_scan_free(s);
	return false;
}

/* Container k's offset and size (header + entries) in the section. */
static bool container_at(const struct fatbin_scan *s, uint32_t k, const unsigned char *p,
			 size_t n, uint64_t *off, uint64_t *len)
{
	if (k >= s->ncoff || !range_ok(s->coff[k], FATBIN_HDR_SIZE, n))
		return false;
	uint64_t size;
	uint16_t hs;
	memcpy(&hs, p + s->coff[k] + 6, 2);
	memcpy(&size, p + s->coff[k] + 8, 8);
	*off = s->coff[k];
	*len = hs + (size < n ? size : n);
	return true;
}

static bool same_kind(const struct fatbin_entry *x, const struct fatbin_entry *y)
{
	return x->container == y->container && x->kind == y->kind && x->sm == y->sm &&
	       x->variant == y->variant;
}

/* The entry of `t` that pairs with s->v[i]: same container, kind and
 * arch, the same occurrence among those. */
static const struct fatbin_entry *pair_of(const struct fatbin_scan *s, size_t i,
					  const struct fatbin_scan *t)
{
	size_t occ = 0;
	for (size_t k = 0; k < i; k++)
		occ += same_kind(&s->v[k], &s->v[i]);
	for (size_t k = 0; k < t->n; k++)
		if (same_kind(&t->v[k], &s->v[i]) && !occ--)
			return &t->v[k];
	return NULL;
}

/* The entry's number in its container, from 1. */
static size_t entry_no(const struct fatbin_scan *s, size_t i)
{
	size_t no = 1;
	for (size_t k = 0; k < i; k++)
		no += s->v[k].container == s->v[i].container;
	return no;
}

static void entry_name(const struct fatbin_scan *s, size_t i, const char *prefix, char *out,
		       size_t cap)
{
	const struct fatbin_entry *e = &s->v[i];
	char arch[16];
	snprintf(out, cap, "%s%scontainer %u entry %zu (%s %s, 0x%llx-0x%llx)", prefix,
		 sep(prefix), e->container + 1, entry_no(s, i), fatbin_kind_name(e->kind),
		 fatbin_arch_name(e, arch), (unsigned long long)e->sec_off,
		 (unsigned long long)(e->sec_off + e->hdr_size + e->payload_size));
}

/* The entry header with the fields that follow from the payload's size
 * zeroed. */
static unsigned char *hdr_norm(const struct fatbin_entry *e)
{
	unsigned char *h = xmalloc(e->hdr_size);
	memcpy(h, e->hdr, e->hdr_size);
	memset(h + 8, 0, 12);           /* payload size, compressed size */
	memset(h + 56, 0, 8);           /* decompressed size */
	return h;
}

static void payload(struct bd_ctx *c, const char *name, const struct fatbin_entry *x,
		    const struct fatbin_entry *y)
{
	char where[1300];
	const char *inner = x->kind == FATBIN_PTX ? "ptx" : x->kind == FATBIN_CUBIN ? "cubin" : "ltoir";
	snprintf(where, sizeof where, "%s: ", name);
	uint64_t bytes = x->payload_size > y->payload_size ? x->payload_size : y->payload_size;
	if (x->payload_size == y->payload_size && !memcmp(x->payload, y->payload, x->payload_size))
		return;
	if (x->comp == FATBIN_COMP_NONE && y->comp == FATBIN_COMP_NONE) {
		c->depth++;
		bd_compare(c, inner, where, x->payload, x->payload_size, y->payload, y->payload_size);
		c->depth--;
		return;
	}
	const unsigned char *da = NULL, *db = NULL;
	bool oa = false, ob = false;
	struct diag d = {0};
	if (fatbin_decodable(x) && fatbin_decodable(y) &&
	    !fatbin_decode(x, c->path, &da, &oa, &d) && !fatbin_decode(y, c->path, &db, &ob, &d)) {
		bd_compare_scaled(c, inner, where, da, x->uncomp_size, db, y->uncomp_size, bytes);
	} else {
		if (d.msg[0] && c->errs)
			diag_warn(c->errs, &d);
		snprintf(where, sizeof where, "%s: [%s payload as stored, %s]", name, inner,
			 fatbin_comp_name(x->comp));
		bd_unit(c, where, x->payload, x->payload_size, y->payload, y->payload_size, 0);
	}
	if (oa)
		free((void *)da);
	if (ob)
		free((void *)db);
}

static void entry(struct bd_ctx *c, const char *name, const struct fatbin_entry *x,
		  const struct fatbin_entry *y)
{
	char where[1300];
	if (x->hdr_size != y->hdr_size || memcmp(x->hdr, y->hdr, x->hdr_size)) {
		unsigned char *ha = hdr_norm(x), *hb = hdr_norm(y);
		uint64_t bytes = x->hdr_size > y->hdr_size ? x->hdr_size : y->hdr_size;
		snprintf(where, sizeof where, "%s: entry header", name);
		if (x->hdr_size == y->hdr_size && !memcmp(ha, hb, x->hdr_size)) {
			/* sizes only: decided after the payload's causes */
			payload(c, name, x, y);
			bd_consequence(c, where, bytes);
		} else {
			bd_unit(c, where, ha, x->hdr_size, hb, y->hdr_size, bytes);
			payload(c, name, x, y);
		}
		free(ha);
		free(hb);
		return;
	}
	payload(c, name, x, y);
}

bool bd_gpu_units(struct bd_ctx *c, const char *prefix, const unsigned char *a,
		  size_t na, const unsigned char *b, size_t nb)
{
	uint32_t ma = 0, mb = 0;
	if (na < FATBIN_HDR_SIZE || nb < FATBIN_HDR_SIZE)
		return false;
	memcpy(&ma, a, 4);
	memcpy(&mb, b, 4);
	if (ma != FATBIN_MAGIC || mb != FATBIN_MAGIC)
		return false;
	struct fatbin_scan sa, sb;
	if (!scan_side(c, &sa, prefix, "OLD", a, na))
		return false;
	if (!scan_side(c, &sb, prefix, "NEW", b, nb)) {
		fatbin_scan_free(&sa);
		return false;
	}
	char name[1200];
	/* container headers: the size field follows from the entries */
	for (uint32_t k = 0; k < sa.ncoff || k < sb.ncoff; k++) {
		uint64_t oa = 0, la = 0, ob = 0, lb = 0;
		bool ha = container_at(&sa, k, a, na, &oa, &la), hb = container_at(&sb, k, b, nb, &ob, &lb);
		if (ha != hb) {
			bd_row(c, BC_UNEXPLAINED, ha ? la : lb, "%s%scontainer %u only in %s", prefix,
			       sep(prefix), k + 1, ha ? "OLD" : "NEW");
			continue;
		}
		if (!memcmp(a + oa, b + ob, FATBIN_HDR_SIZE))
			continue;
		snprintf(name, sizeof name, "%s%scontainer %u header", prefix, sep(prefix), k + 1);
		if (!memcmp(a + oa, b + ob, 8))
			continue;   /* size only: counted with the entries below */
		bd_unit(c, name, a + oa, 8, b + ob, 8, FATBIN_HDR_SIZE);
	}
	for (size_t i = 0; i < sa.n; i++) {
		const struct fatbin_entry *y = pair_of(&sa, i, &sb);
		entry_name(&sa, i, prefix, name, sizeof name);
		if (!y) {
			bd_row(c, BC_UNEXPLAINED, sa.v[i].hdr_size + sa.v[i].payload_size, "%s only in OLD", name);
			continue;
		}
		/* named by NEW's position, as the rows of a file are */
		entry_name(&sb, (size_t)(y - sb.v), prefix, name, sizeof name);
		entry(c, name, &sa.v[i], y);
	}
	for (size_t i = 0; i < sb.n; i++)
		if (!pair_of(&sb, i, &sa)) {
			entry_name(&sb, i, prefix, name, sizeof name);
			bd_row(c, BC_UNEXPLAINED, sb.v[i].hdr_size + sb.v[i].payload_size, "%s only in NEW", name);
		}
	/* a container whose size moved: a consequence of its entries */
	for (uint32_t k = 0; k < sa.ncoff && k < sb.ncoff; k++) {
		uint64_t oa = 0, la = 0, ob = 0, lb = 0;
		if (container_at(&sa, k, a, na, &oa, &la) && container_at(&sb, k, b, nb, &ob, &lb) &&
		    !memcmp(a + oa, b + ob, 8) && memcmp(a + oa + 8, b + ob + 8, 8)) {
			snprintf(name, sizeof name, "%s%scontainer %u header size", prefix, sep(prefix), k + 1);
			bd_consequence(c, name, FATBIN_HDR_SIZE);
		}
	}
	fatbin_scan_free(&sa);
	fatbin_scan_free(&sb);
	return true;
}
