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
		GROW(c->s->badoff, c->s->capbadoff, c->s->nbadoff + 1);
		c->s->badoff[c->s->nbadoff++] = base + pos;
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

/*
 * .nvFatBinSegment: each 24-byte wrapper {u32 magic, u32 version, u64
 * fatbin address, u64 0} is what __cudaRegisterFatBinary receives, so it
 * names a container the runtime registers.  Every wrapper is followed to
 * its address -- the value stored in place (GNU ld writes the addend of
 * R_X86_64_RELATIVE there), else the relocation that fills the field
 * (.rela.dyn in a shared library; in an object, the RELA section applying
 * to .nvFatBinSegment, through its symbol's section) -- and that address
 * must be the start of a container already walked; one that was not (a
 * section the scan skipped, or --no-scan) is walked now; anything else is
 * an error naming the wrapper.
 */
struct seg {
	size_t ndx;
	const unsigned char *p;
	uint64_t n, addr, off;
	bool found;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* What the relocations put into each wrapper's address field, for wrappers
 * whose field is not filled in place: one pass over the RELA sections (in
 * an object, those applying to .nvFatBinSegment), the field of wrapper k
 * being at base + 24k + 8 (`base`: the section's address, or 0 in an
 * object).  val[k] gets the addend (plus the symbol's value in an
 * object), shndx[k] the symbol's section; set[k] says it was found. */
static void reloc_fields(Elf *e, const GElf_Ehdr *eh, const struct seg *sg,
			 uint64_t base, uint64_t *val, size_t *shndx, bool *set)
{
	uint64_t nw = sg->n / SEGMENT_SIZE;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_RELA || !sh.sh_entsize)
			continue;
		if (eh->e_type == ET_REL && sh.sh_info != sg->ndx)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (!data)
			continue;
		Elf_Data *syms = NULL;
		if (eh->e_type == ET_REL) {
			Elf_Scn *ss = elf_getscn(e, sh.sh_link);
			syms = ss ? elf_getdata(ss, NULL) : NULL;
		}
		size_t nrel = sh.sh_size / sh.sh_entsize;
		for (size_t i = 0; i < nrel; i++) {
			GElf_Rela r;
			if (!gelf_getrela(data, (int)i, &r) || r.r_offset < base + 8)
				continue;
			uint64_t rel = r.r_offset - base - 8;
			if (rel % SEGMENT_SIZE || rel / SEGMENT_SIZE >= nw)
				continue;
			uint64_t k = rel / SEGMENT_SIZE;
			val[k] = (uint64_t)r.r_addend;
			shndx[k] = 0;
			if (eh->e_type == ET_REL) {
				GElf_Sym sym;
				if (!syms || !gelf_getsym(syms, (int)GELF_R_SYM(r.r_info), &sym))
					continue;
				shndx[k] = sym.st_shndx;
				val[k] += sym.st_value;
			}
			set[k] = true;
		}
	}
}

static void follow_segments(struct ctx *c, Elf *e, const GElf_Ehdr *eh,
			    const char *member, const char *where,
			    const unsigned char *p, size_t n, uint64_t base,
			    const struct seg *sg, size_t first_coff)
{
	size_t nc = c->s->ncoff - first_coff;
	uint64_t *known = xmalloc((nc + 1) * sizeof *known);
	if (nc)
		memcpy(known, c->s->coff + first_coff, nc * sizeof *known);
	qsort(known, nc, sizeof *known, cmp_u64);
	/* relocated address fields, looked up once for all wrappers */
	uint64_t nw = sg->n / SEGMENT_SIZE;
	uint64_t *rval = NULL;
	size_t *rshndx = NULL;
	bool *rset = NULL;
	bool need = eh->e_type == ET_REL;
	for (uint64_t k = 0; k < nw && !need; k++) {
		uint64_t v;
		memcpy(&v, sg->p + k * SEGMENT_SIZE + 8, 8);
		need = !v;
	}
	if (need) {
		rval = xcalloc(nw + 1, sizeof *rval);
		rshndx = xcalloc(nw + 1, sizeof *rshndx);
		rset = xcalloc(nw + 1, sizeof *rset);
		reloc_fields(e, eh, sg, eh->e_type == ET_REL ? 0 : sg->addr, rval, rshndx, rset);
	}
	for (uint64_t i = 0; i + SEGMENT_SIZE <= sg->n; i += SEGMENT_SIZE) {
		uint32_t m;
		memcpy(&m, sg->p + i, 4);
		if (m != SEGMENT_MAGIC)
			continue;
		c->s->nsegments++;
		uint64_t val, k = i / SEGMENT_SIZE;
		memcpy(&val, sg->p + i + 8, 8);
		size_t shndx = 0;
		if (!val || eh->e_type == ET_REL) {
			val = rset && rset[k] ? rval[k] : 0;
			shndx = rset && rset[k] ? rshndx[k] : 0;
		}
		/* the section holding the address */
		Elf_Scn *scn = NULL;
		GElf_Shdr sh;
		const char *name = NULL;
		bool hit = false;
		if (eh->e_type == ET_REL) {
			scn = shndx ? elf_getscn(e, shndx) : NULL;
			hit = scn && gelf_getshdr(scn, &sh) && sh.sh_type != SHT_NOBITS &&
			      val < sh.sh_size;
		} else if (val) {
			while ((scn = elf_nextscn(e, scn)))
				if (gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_ALLOC) &&
				    sh.sh_type != SHT_NOBITS && sh.sh_addr <= val &&
				    val - sh.sh_addr < sh.sh_size) {
					val -= sh.sh_addr;
					hit = true;
					break;
				}
		}
		size_t shstrndx;
		if (hit && !elf_getshdrstrndx(e, &shstrndx))
			name = elf_strptr(e, shstrndx, sh.sh_name);
		struct diag d = {0};
		if (!hit || !range_ok(sh.sh_offset, sh.sh_size, n)) {
			diag_err_at(&d, where, base + sg->off + i,
				    ".nvFatBinSegment wrapper %llu: its fatbin address 0x%llx is in no section with contents",
				    (unsigned long long)(i / SEGMENT_SIZE),
				    (unsigned long long)val);
			record_error(c, &d);
			c->s->seg_bad++;
			continue;
		}
		uint64_t at = base + sh.sh_offset + val;
		if (bsearch(&at, known, nc, sizeof *known, cmp_u64)) {
			c->s->seg_listed++;
			continue;
		}
		const char *sec = arena_strdup(&c->s->arena, name ? name : "?");
		uint64_t len = fatbin_walk_container(c->s, c->path, member, sec, false,
						     p + sh.sh_offset + val, sh.sh_size - val,
						     at, val, &d);
		bool told = false;   /* the section walk already reported it */
		for (size_t j = 0; !len && j < c->s->nbadoff; j++)
			told |= c->s->badoff[j] == at;
		if (len) {
			c->s->seg_new++;
		} else if (told) {
			c->s->seg_bad++;
		} else {
			struct diag wd = {0};
			diag_err_at(&wd, where, at, ".nvFatBinSegment wrapper %llu points at %s+0x%llx, where no fatbin container validates (%s)",
				    (unsigned long long)(i / SEGMENT_SIZE), sec,
				    (unsigned long long)val, d.msg);
			record_error(c, &wd);
			c->s->seg_bad++;
		}
	}
	free(known);
	free(rval);
	free(rshndx);
	free(rset);
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
	struct seg sg = {0};
	size_t first_coff = c->s->ncoff;
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
		if (!strcmp(name, ".nvFatBinSegment") && sh->sh_type == SHT_PROGBITS)
			sg = (struct seg){elf_ndxscn(scn), sp, sh->sh_size,
					  sh->sh_addr, sh->sh_offset, true};
		else if (nv || (!c->s->no_scan && !skip_section(sh, name))) {
			const char *sec = arena_strdup(&c->s->arena, name);
			if (nv)
				walk_strict(c, member, sec, sp, sh->sh_size, sbase);
			else
				walk_scan(c, member, sec, sp, sh->sh_size, sbase,
					  sh->sh_addr ? sh->sh_addr : sh->sh_offset);
		}
	}
	if (sg.found)
		follow_segments(c, e, &eh, member, where, p, n, base, &sg, first_coff);
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
	free(s->coff);
	free(s->badoff);
	arena_free(&s->arena);
	bool no_scan = s->no_scan;
	memset(s, 0, sizeof *s);
	s->no_scan = no_scan;
}
