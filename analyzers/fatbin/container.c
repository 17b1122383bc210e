/*
 * container.c - the fatbin container and its entry headers.
 *
 * Format (little-endian; NVIDIA does not document it: the layout below was
 * read off nvcc/fatbinary 13.0 output built for this project with known
 * -gencode sets and --compress-mode values, samples/cuda/, and checked on
 * every fatbin in /usr/local/cuda/lib64; field names follow the public
 * reverse-engineering notes, e.g. n-eiling/cuda-fatbin-decompression):
 *
 *   container header, 16 bytes:
 *     0  u32 magic 0xBA55ED50     4  u16 version (1)
 *     6  u16 header size (16)     8  u64 bytes of entries that follow
 *   then entries back to back, each:
 *     0  u16 kind (1 PTX, 2 cubin, 8 LTO-IR)
 *     2  u16 entry header version (0x0101)
 *     4  u32 header size (>= 64; the payload starts here)
 *     8  u64 payload size as stored (padded to 8)
 *    16  u32 compressed stream size (0 when stored plain)
 *    20  u32 offset of an options record in the header (0 if none)
 *    24  u16 minor, 26 u16 major (PTX ISA version, or cubin format 1.8)
 *    28  u32 SM arch (90 for sm_90, sm_90a, compute_90)
 *    32  u32 object name offset, 36 u32 length (set with -G: "k.cu")
 *    40  u64 flags: 0x1 64-bit, 0x2 debug, 0x10 linux, 0x2000 LZ4,
 *        0x8000 ZSTD, 0x10000 (with LTO-IR compression: the payload is not a
 *        plain LZ4/ZSTD stream), 0x100000 `a` variant, 0x200000 `f`
 *        variant, 0x1000000 binary options record present (sm_100+);
 *        other bits are reported by value, never rejected
 *    48  u64 (nonzero only for compressed LTO-IR)
 *    56  u64 decompressed size (0 when stored plain)
 *
 * Containers sit back to back in .nv_fatbin / __nv_relfatbin; the next one
 * starts right after the previous one's entries.  A container with no
 * entries (size 0: what `slim prune` leaves of one whose every entry went)
 * is accepted in nvcc's sections and behind a wrapper, never by the
 * structural scan, where it would be a bare magic.  Every size is checked
 * against the bytes of the section before use.
 */
#include "fatbin.h"
#include "../../common/bytes.h"
#include "../../common/util.h"

#include <stdio.h>
#include <string.h>

const char *fatbin_kind_name(unsigned kind)
{
	switch (kind) {
	case FATBIN_PTX: return "ptx";
	case FATBIN_CUBIN: return "cubin";
	case FATBIN_LTOIR: return "ltoir";
	}
	return "unknown";
}

const char *fatbin_comp_name(enum fatbin_comp c)
{
	switch (c) {
	case FATBIN_COMP_LZ4: return "lz4";
	case FATBIN_COMP_ZSTD: return "zstd";
	default: return "none";
	}
}

const char *fatbin_arch_name(const struct fatbin_entry *e, char buf[16])
{
	if (e->variant)
		snprintf(buf, 16, "sm_%u%c", e->sm, e->variant);
	else
		snprintf(buf, 16, "sm_%u", e->sm);
	return buf;
}

void fatbin_flag_names(uint64_t flags, char *out, size_t n)
{
	static const struct { uint64_t bit; const char *name; } names[] = {
		{FATBIN_F_64BIT, "64bit"}, {FATBIN_F_DEBUG, "debug"},
		{FATBIN_F_LINUX, "linux"}, {FATBIN_F_LZ4, "lz4"},
		{FATBIN_F_ZSTD, "zstd"}, {FATBIN_F_LTOENC, "lto-stream"},
		{FATBIN_F_ARCH_A, "arch-a"}, {FATBIN_F_ARCH_F, "arch-f"},
		{FATBIN_F_OPTS, "options"},
	};
	size_t len = 0;
	out[0] = 0;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if ((flags & names[i].bit) && len < n)
			len += snprintf(out + len, n - len, "%s%s",
					len ? "," : "", names[i].name);
	if ((flags & ~FATBIN_F_KNOWN) && len < n)
		snprintf(out + len, n - len, "%sunknown:0x%llx", len ? "," : "",
			 (unsigned long long)(flags & ~FATBIN_F_KNOWN));
}

bool fatbin_decodable(const struct fatbin_entry *e)
{
	if (e->comp == FATBIN_COMP_NONE)
		return true;
	/* compressed LTO-IR is not a plain LZ4/ZSTD stream (checked on nvcc
	 * 13 output: no frame magic, and LZ4 block decoding fails) */
	return e->kind != FATBIN_LTOIR;
}

/* Check one entry header at [p, p+left) and fill e.  Returns 0, or -1 with
 * a message in d (offset `off`). */
static int parse_entry(struct fatbin_entry *e, const unsigned char *p,
		       uint64_t left, const char *where, uint64_t off,
		       struct diag *d)
{
	if (left < FATBIN_ENTRY_MIN)
		return diag_err_at(d, where, off, "entry header truncated (%llu bytes left in the container)",
				   (unsigned long long)left);
	e->kind = le16(p);
	if (e->kind != FATBIN_PTX && e->kind != FATBIN_CUBIN && e->kind != FATBIN_LTOIR)
		return diag_err_at(d, where, off, "unknown entry kind %u", e->kind);
	if (le16(p + 2) != 0x0101)
		return diag_err_at(d, where, off, "unknown entry header version 0x%x", le16(p + 2));
	e->hdr_size = le32(p + 4);
	if (e->hdr_size < FATBIN_ENTRY_MIN || e->hdr_size % 8 || e->hdr_size > left)
		return diag_err_at(d, where, off, "entry header size 0x%x is invalid or runs past the container end",
				   e->hdr_size);
	e->payload_size = le64(p + 8);
	if (e->payload_size > left - e->hdr_size)
		return diag_err_at(d, where, off, "payload size 0x%llx runs past the container end (0x%llx bytes left)",
				   (unsigned long long)e->payload_size,
				   (unsigned long long)(left - e->hdr_size));
	e->comp_size = le32(p + 16);
	e->ver_minor = le16(p + 24);
	e->ver_major = le16(p + 26);
	e->sm = le32(p + 28);
	if (e->sm < 10 || e->sm > 999)
		return diag_err_at(d, where, off, "implausible SM arch %u", e->sm);
	e->flags = le64(p + 40);
	e->uncomp_size = le64(p + 56);
	bool lz4 = e->flags & FATBIN_F_LZ4, zstd = e->flags & FATBIN_F_ZSTD;
	if (lz4 && zstd)
		return diag_err_at(d, where, off, "entry flags 0x%llx claim both LZ4 and ZSTD",
				   (unsigned long long)e->flags);
	e->comp = lz4 ? FATBIN_COMP_LZ4 : zstd ? FATBIN_COMP_ZSTD : FATBIN_COMP_NONE;
	if (e->comp == FATBIN_COMP_NONE) {
		e->comp_size = 0;
		e->uncomp_size = e->payload_size;
	} else if (!e->comp_size || e->comp_size > e->payload_size ||
		   !e->uncomp_size) {
		return diag_err_at(d, where, off, "compressed size 0x%llx / decompressed size 0x%llx do not fit payload size 0x%llx",
				   (unsigned long long)e->comp_size,
				   (unsigned long long)e->uncomp_size,
				   (unsigned long long)e->payload_size);
	}
	e->variant = (e->flags & FATBIN_F_ARCH_A) ? 'a' :
		     (e->flags & FATBIN_F_ARCH_F) ? 'f' : 0;
	return 0;
}

/* The object name record: optional, must lie inside the entry header. */
static int entry_name(struct fatbin_scan *s, struct fatbin_entry *e,
		      const char *where, struct diag *d)
{
	uint32_t noff = le32(e->hdr + 32), nlen = le32(e->hdr + 36);
	e->obj_name = NULL;
	if (!nlen)
		return 0;
	if (noff < FATBIN_ENTRY_MIN || !range_ok(noff, nlen, e->hdr_size))
		return diag_err_at(d, where, e->file_off, "object name (offset 0x%x, length %u) runs past the entry header",
				   noff, nlen);
	e->obj_name = arena_strndup(&s->arena, (const char *)e->hdr + noff,
				    strnlen((const char *)e->hdr + noff, nlen));
	return 0;
}

static void note_where(struct fatbin_scan *s, const char *member,
		       const char *section, bool by_scan)
{
	for (size_t i = s->nwhere; i-- > 0;) {
		struct fatbin_where *w = &s->where[i];
		if (w->member == member && w->section == section) {
			w->ncontainers++;
			return;
		}
	}
	GROW(s->where, s->capwhere, s->nwhere + 1);
	s->where[s->nwhere++] = (struct fatbin_where){
		member, section, by_scan, 1};
}

/* The container header: magic, version, size within the section. */
static int parse_header(const unsigned char *p, uint64_t n, const char *where,
			uint64_t off, bool allow_empty, uint64_t *hs,
			uint64_t *fs, struct diag *d)
{
	if (n < FATBIN_HDR_SIZE)
		return diag_err_at(d, where, off, "fatbin header truncated (%llu bytes left in the section)",
				   (unsigned long long)n);
	if (le32(p) != FATBIN_MAGIC)
		return diag_err_at(d, where, off, "wrong fatbin magic 0x%08x (want 0x%08x)",
				   le32(p), FATBIN_MAGIC);
	if (le16(p + 4) != 1)
		return diag_err_at(d, where, off, "unknown fatbin version %u", le16(p + 4));
	*hs = le16(p + 6);
	*fs = le64(p + 8);
	if (*hs < FATBIN_HDR_SIZE || *hs > n)
		return diag_err_at(d, where, off, "fatbin header size %llu is invalid",
				   (unsigned long long)*hs);
	if ((*fs < FATBIN_ENTRY_MIN && !(allow_empty && !*fs)) || *fs > n - *hs)
		return diag_err_at(d, where, off, "fatbin size 0x%llx runs past the end of the section (0x%llx bytes left)",
				   (unsigned long long)*fs,
				   (unsigned long long)(n - *hs));
	return 0;
}

void fatbin_where_str(const struct fatbin_entry *e, const char *path,
		      char *out, size_t n)
{
	if (e->member)
		snprintf(out, n, "%s(%s): section %s", path, e->member, e->section);
	else
		snprintf(out, n, "%s: section %s", path, e->section);
}

uint64_t fatbin_walk_container(struct fatbin_scan *s, const char *path,
			       const char *member, const char *section,
			       bool found_by_scan, const unsigned char *p,
			       uint64_t n, uint64_t base_off, uint64_t sec_off,
			       struct diag *d)
{
	char where[1024];
	if (member)
		snprintf(where, sizeof where, "%s(%s): section %s", path, member, section);
	else
		snprintf(where, sizeof where, "%s: section %s", path, section);
	uint64_t hs = 0, fs = 0;
	if (parse_header(p, n, where, base_off, !found_by_scan, &hs, &fs, d))
		return 0;
	size_t first = s->n;
	uint64_t pos = hs, end = hs + fs;
	while (pos < end) {
		struct fatbin_entry e = {0};
		uint64_t off = base_off + pos;
		if (parse_entry(&e, p + pos, end - pos, where, off, d))
			goto bad;
		e.member = member;
		e.section = section;
		e.found_by_scan = found_by_scan;
		e.container = s->ncontainers;
		e.file_off = off;
		e.sec_off = sec_off + pos;
		e.hdr = p + pos;
		e.payload = p + pos + e.hdr_size;
		if (entry_name(s, &e, where, d))
			goto bad;
		GROW(s->v, s->cap, s->n + 1);
		s->v[s->n++] = e;
		pos += e.hdr_size + e.payload_size;
	}
	s->ncontainers++;
	note_where(s, member, section, found_by_scan);
	GROW(s->coff, s->capcoff, s->ncoff + 1);
	s->coff[s->ncoff++] = base_off;
	return end;
bad:
	/* a structural-scan candidate counts only when whole; a container in
	 * nvcc's own sections keeps the entries read before the bad one */
	if (found_by_scan)
		s->n = first;
	else if (s->n > first) {
		s->ncontainers++;
		note_where(s, member, section, found_by_scan);
		GROW(s->coff, s->capcoff, s->ncoff + 1);
		s->coff[s->ncoff++] = base_off;
	}
	return 0;
}
