/*
 * scan.c - where fatbins live in ELF files and ar archives.
 *
 * nvcc puts fatbin containers in .nv_fatbin (executables and shared
 * libraries: the device-link fatbin plus one container per translation unit)
 * and __nv_relfatbin (-rdc=true objects and the libraries linked from them);
 * .nvFatBinSegment holds 24-byte wrappers {u32 magic 0x466243b1, u32
 * version, u64 fatbin address, u64 0} that __cudaRegisterFatBinary takes,
 * not containers.  Real NVIDIA libraries also embed containers elsewhere
 * (.rodata in libcusparse/libcupti, .ldata in libcufft, .cask_resource in
 * libcublasLt/libcudnn), so every other PROGBITS data section is scanned for
 * the magic and each hit is kept only when the whole container validates:
 * header, every entry header, and entries that tile it exactly
 * (container.c).  A bare magic is not enough: 0xBA55ED50 also occurs as an
 * immediate in .text (libnvJitLink, libcudnn_engines_precompiled), which is
 * why executable sections are not scanned at all.
 *
 * A file that starts with the magic is a bare fatbin (nvcc -fatbin); its
 * containers are walked as if it were one section named "(file)".
 *
 * Sections and archive members are read with libelf (elf_memory over the
 * caller's mapping; archives through elf_begin/elf_next); section offsets
 * and sizes are checked against the bytes present before use.
 */
#include "fatbin.h"
#include "../../common/util.h"

#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#define SEGMENT_MAGIC 0x466243b1u
#define SEGMENT_SIZE 24u

struct ctx {
	struct fatbin_scan *s;
	const char *path;
	struct diag_list *w;
};

static void record_error(struct ctx *c, const struct diag *d)
{
	if (!c->s->errors++)
		c->s->first_error = *d;
	diag_warn(c->w, d);
}

/* nvcc's own sections: containers back to back; zero padding between them
 * is skipped; anything else is an error, after which the walk resyncs at
 * the next magic so later containers are still read. */
static void walk_strict(struct ctx *c, const char *member, const char *sec,
			const unsigned char *p, uint64_t n, uint64_t base)
{
	static const unsigned char magic[4] = {0x50, 0xED, 0x55, 0xBA};
	uint64_t pos = 0;
	while (pos < n) {
		if (p[pos] == 0) {
			pos++;
			continue;
		}
		struct diag d = {0};
		uint64_t len = fatbin_walk_container(c->s, c->path, member, sec,
						     false, p + pos, n - pos,
						     base + pos, pos, &d);
		if (len) {
			pos += len;
			continue;
		}
		record_error(c, &d);
		const unsigned char *next = memmem(p + pos + 1, n - pos - 1, magic, 4);
		if (!next)
			break;
		pos = (uint64_t)(next - p);
	}
}

/* Next 8-aligned position >= pos (alignment counted from `align0`, the
 * section's address) whose first 4 bytes are the magic, or n.  memchr
 * (vectorized in libc) finds the magic's last byte 0xBA, then alignment and
 * the other three bytes are checked: measured 1.5-2x faster over lib64
 * than a word loop, and 4x faster than memmem. */
static uint64_t next_magic(const unsigned char *p, uint64_t n, uint64_t pos,
			   uint64_t align0)
{
	while (pos + 4 <= n) {
		const unsigned char *q = memchr(p + pos + 3, 0xBA, n - pos - 3);
		if (!q)
			return n;
		uint64_t at = (uint64_t)(q - p) - 3;
		uint32_t v;
		memcpy(&v, p + at, 4);
		if ((align0 + at) % 8 == 0 && v == FATBIN_MAGIC)
			return at;
		pos = at + 1;
	}
	return n;
}

/* Any other data section: keep only containers that validate whole.  A
 * container is 8-byte aligned in memory (nvcc emits it as an array of
 * unsigned long long, and its header holds u64 fields), so only those
 * positions are candidates. */
static void walk_scan(struct ctx *c, const char *member, const char *sec,
		      const unsigned char *p, uint64_t n, uint64_t base,
		      uint64_t align0)
{
	uint64_t pos = 0;
	while ((pos = next_magic(p, n, pos, align0)) + FATBIN_HDR_SIZE <= n) {
		struct diag d = {0};
		uint64_t len = fatbin_walk_container(c->s, c->path, member, sec,
						     true, p + pos, n - pos,
						     base + pos, pos, &d);
		if (len) {
			pos += len;
		} else {
			c->s->rejected++;
			pos += 8;
		}
	}
}

static void count_segments(struct ctx *c, const unsigned char *p, uint64_t n)
{
	for (uint64_t i = 0; i + SEGMENT_SIZE <= n; i += SEGMENT_SIZE) {
		uint32_t m;
		memcpy(&m, p + i, 4);
		if (m == SEGMENT_MAGIC)
			c->s->nsegments++;
	}
}

/* A section that cannot hold a fatbin: no bytes, code, metadata, debug. */
static bool skip_section(const GElf_Shdr *sh, const char *name)
{
	if (sh->sh_type != SHT_PROGBITS || !sh->sh_size)
		return true;
	/* fatbins are data: the magic in code is an immediate */
	if (sh->sh_flags & SHF_EXECINSTR)
		return true;
	/* debug info and notes describe the host code only */
	return !strncmp(name, ".debug", 6) || !strncmp(name, ".zdebug", 7) ||
	       !strcmp(name, ".comment") || !strncmp(name, ".gnu_debug", 10);
}

static int scan_elf(struct ctx *c, Elf *e, const char *member,
		    const unsigned char *p, size_t n, uint64_t base,
		    struct diag *d)
{
	char where[1024];
	snprintf(where, sizeof where, member ? "%s(%s)" : "%s", c->path, member);
	GElf_Ehdr eh;
	size_t shnum, shstrndx;
	uint64_t shsize;
	if (!gelf_getehdr(e, &eh) || elf_getshdrnum(e, &shnum))
		return diag_err_at(d, where, 0, "cannot read ELF header: %s", elf_errmsg(-1));
	/* libelf quietly sees no sections when the table is cut off */
	if (!mul_ok(shnum, eh.e_shentsize, &shsize) || !range_ok(eh.e_shoff, shsize, n))
		return diag_err_at(d, where, eh.e_shoff, "section header table (%zu entries) runs past the end of the file",
				   shnum);
	if (elf_getshdrstrndx(e, &shstrndx))
		return diag_err_at(d, where, 0, "cannot read section headers: %s", elf_errmsg(-1));
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr mem;
		GElf_Shdr *sh = gelf_getshdr(scn, &mem);
		if (!sh)
			return diag_err_at(d, where, 0, "cannot read section header: %s", elf_errmsg(-1));
		const char *name = elf_strptr(e, shstrndx, sh->sh_name);
		if (!name)
			name = "?";
		if (sh->sh_type == SHT_NOBITS || !sh->sh_size)
			continue;
		if (!range_ok(sh->sh_offset, sh->sh_size, n)) {
			struct diag sd = {0};
			diag_err_at(&sd, where, base + sh->sh_offset, "section %s (size 0x%llx) runs past the end of the file",
				    name, (unsigned long long)sh->sh_size);
			record_error(c, &sd);
			continue;
		}
		const unsigned char *sp = p + sh->sh_offset;
		uint64_t sbase = base + sh->sh_offset;
		bool nv = !strcmp(name, ".nv_fatbin") || !strcmp(name, "__nv_relfatbin");
		if (nv || (!c->s->no_scan && !skip_section(sh, name))) {
			const char *sec = arena_strdup(&c->s->arena, name);
			if (nv)
				walk_strict(c, member, sec, sp, sh->sh_size, sbase);
			else if (!strcmp(name, ".nvFatBinSegment"))
				count_segments(c, sp, sh->sh_size);
			else
				walk_scan(c, member, sec, sp, sh->sh_size, sbase,
					  sh->sh_addr ? sh->sh_addr : sh->sh_offset);
		}
	}
	return 0;
}

/* ar members, each an ELF file or skipped (symbol tables, non-ELF data). */
static int scan_ar(struct ctx *c, Elf *ar, const unsigned char *p, size_t n,
		   struct diag *d)
{
	Elf_Cmd cmd = ELF_C_READ_MMAP;
	Elf *sub;
	while ((sub = elf_begin(-1, cmd, ar))) {
		Elf_Arhdr *h = elf_getarhdr(sub);
		size_t msize = 0;
		const unsigned char *mp = (const unsigned char *)elf_rawfile(sub, &msize);
		int64_t mbase = elf_getbase(sub);
		if (h && mp && mbase >= 0 && elf_kind(sub) == ELF_K_ELF &&
		    range_ok((uint64_t)mbase, msize, n)) {
			const char *member = arena_strdup(&c->s->arena, h->ar_name);
			struct diag md = {0};
			if (scan_elf(c, sub, member, mp, msize, (uint64_t)mbase, &md))
				record_error(c, &md);
		}
		cmd = elf_next(sub);
		elf_end(sub);
	}
	return 0;
}

int fatbin_scan_buf(struct fatbin_scan *s, const char *path,
		    const unsigned char *p, size_t n, struct diag_list *w,
		    struct diag *d)
{
	struct ctx c = {s, path, w};
	if (n >= 8 && !memcmp(p, "!<thin>\n", 8))
		return diag_err_at(d, path, 0, "thin archive: its members are separate files, pass those instead");
	uint32_t m0 = 0;
	if (n >= 4)
		memcpy(&m0, p, 4);
	if (m0 == FATBIN_MAGIC) {
		/* a bare fatbin file (nvcc -fatbin, fatbinary --create) */
		walk_strict(&c, NULL, "(file)", p, n, 0);
		return 0;
	}
	elf_version(EV_CURRENT);
	Elf *e = elf_memory((char *)p, n);
	if (!e)
		return diag_err_at(d, path, 0, "not readable by libelf: %s", elf_errmsg(-1));
	int rc;
	switch (elf_kind(e)) {
	case ELF_K_ELF:
		rc = scan_elf(&c, e, NULL, p, n, 0, d);
		break;
	case ELF_K_AR:
		rc = scan_ar(&c, e, p, n, d);
		break;
	default:
		rc = diag_err_at(d, path, 0, "neither an ELF file nor an ar archive");
	}
	elf_end(e);
	return rc;
}

void fatbin_scan_free(struct fatbin_scan *s)
{
	free(s->v);
	free(s->where);
	arena_free(&s->arena);
	bool no_scan = s->no_scan;
	memset(s, 0, sizeof *s);
	s->no_scan = no_scan;
}
