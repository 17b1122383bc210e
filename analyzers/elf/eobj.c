/*
 * eobj.c - the dynamic view of one ELF object, read the way glibc's loader
 * reads it (elf/dl-load.c _dl_map_object_from_fd, elf/get-dynamic-info.h,
 * elf/dl-version.c _dl_check_map_versions).
 *
 * libelf (elf_memory over the mapped file) gives the ELF and program
 * headers and converts the typed tables (ELF_T_DYN, ELF_T_SYM, ELF_T_RELA,
 * ELF_T_REL) for either class and byte order.  The hash tables and version
 * chains have no size recorded in the dynamic section, so they are walked
 * in place with every step bounds-checked against the file.
 */
#include "eobj.h"
#include "../../common/diag.h"
#include "../../common/util.h"

#include <stdlib.h>
#include <string.h>

/* A word in the object's byte order: one reader per width, one rule. */
static bool foreign(const struct eobj *o)
{
	return (o->data == ELFDATA2LSB) != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
}

#define READER(name, type, bswap)                                         \
	type name(const struct eobj *o, const unsigned char *p)          \
	{                                                                 \
		type v;                                                   \
		memcpy(&v, p, sizeof v);                                  \
		return foreign(o) ? bswap(v) : v;                         \
	}
READER(eobj_u32, uint32_t, __builtin_bswap32)
READER(eobj_u64, uint64_t, __builtin_bswap64)
static READER(u16, uint16_t, __builtin_bswap16)
#undef READER

/* Pointer to address a and how many file bytes follow it in its segment. */
static const unsigned char *vptr_avail(const struct eobj *o, uint64_t a,
				       uint64_t *avail)
{
	size_t n;
	if (elf_getphdrnum(o->elf, &n))
		return NULL;
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr mem, *ph = gelf_getphdr(o->elf, (int)i, &mem);
		if (!ph || ph->p_type != PT_LOAD)
			continue;
		if (a < ph->p_vaddr || a - ph->p_vaddr >= ph->p_filesz)
			continue;
		uint64_t rel = a - ph->p_vaddr, off = ph->p_offset + rel;
		if (off >= o->mf.n)
			return NULL;
		uint64_t in_seg = ph->p_filesz - rel, in_file = o->mf.n - off;
		*avail = in_seg < in_file ? in_seg : in_file;
		return o->mf.p + off;
	}
	return NULL;
}

int64_t eobj_vaddr_off(const struct eobj *o, uint64_t a, uint64_t len)
{
	uint64_t avail;
	const unsigned char *p = vptr_avail(o, a, &avail);
	return p && len <= avail ? (int64_t)(p - o->mf.p) : -1;
}

static const char *dstr(const struct eobj *o, uint64_t off)
{
	if (!o->dynstr || off >= o->dynstr_sz)
		return NULL;
	const char *s = o->dynstr + off;
	if (!o->dynstr_nul && !memchr(s, 0, o->dynstr_sz - off))
		return NULL;
	return s;
}

bool eobj_sym(const struct eobj *o, size_t i, GElf_Sym *s)
{
	return i < o->nsyms && gelf_getsym(o->dynsym, (int)i, s) != NULL;
}

const char *eobj_symname(const struct eobj *o, const GElf_Sym *s)
{
	const char *n = dstr(o, s->st_name);
	return n ? n : "";
}

int eobj_versym(const struct eobj *o, size_t i)
{
	if (!o->versym_raw || i >= o->nsyms)
		return -1;
	return u16(o, (const unsigned char *)(o->versym_raw + i));
}


/* DT_GNU_HASH: header, bloom words, buckets, then chains; the number of
 * symbols is one past the last chain entry reachable from any bucket
 * (the way elfutils and glibc's own tools count it). */
static int parse_gnu_hash(struct eobj *o, uint64_t addr, struct diag *d)
{
	uint64_t avail;
	const unsigned char *p = vptr_avail(o, addr, &avail);
	if (!p || avail < 16)
		return diag_err(d, o->path, "DT_GNU_HASH at 0x%llx is outside the file",
				(unsigned long long)addr);
	uint64_t off = (uint64_t)(p - o->mf.p);
	o->gnu_nbuckets = eobj_u32(o, p);
	o->gnu_symoffset = eobj_u32(o, p + 4);
	o->gnu_bloom_size = eobj_u32(o, p + 8);
	o->gnu_bloom_shift = eobj_u32(o, p + 12);
	uint64_t wsz = o->cls == ELFCLASS64 ? 8 : 4;
	uint64_t need = 16 + (uint64_t)o->gnu_bloom_size * wsz +
			(uint64_t)o->gnu_nbuckets * 4;
	if (need > avail || !o->gnu_bloom_size ||
	    (o->gnu_bloom_size & (o->gnu_bloom_size - 1)) || o->gnu_bloom_shift >= 32)
		return diag_err_at(d, o->path, off, "GNU hash table header is corrupt");
	o->gnu_bloom = p + 16;
	o->gnu_buckets = o->gnu_bloom + o->gnu_bloom_size * wsz;
	o->gnu_chain = o->gnu_buckets + o->gnu_nbuckets * 4;
	uint64_t chain_avail = (avail - need) / 4;
	uint32_t maxb = 0;
	for (uint32_t i = 0; i < o->gnu_nbuckets; i++) {
		uint32_t b = eobj_u32(o, o->gnu_buckets + 4 * i);
		if (b > maxb)
			maxb = b;
	}
	uint64_t nsyms = o->gnu_symoffset;
	if (maxb) {
		if (maxb < o->gnu_symoffset)
			return diag_err_at(d, o->path, off, "GNU hash bucket below symoffset");
		uint64_t i = maxb - o->gnu_symoffset;
		for (;; i++) {
			if (i >= chain_avail)
				return diag_err_at(d, o->path, off, "GNU hash chain runs past its segment");
			if (eobj_u32(o, o->gnu_chain + 4 * i) & 1)
				break;
		}
		nsyms = o->gnu_symoffset + i + 1;
	}
	o->gnu = true;
	if (nsyms > o->nsyms)
		o->nsyms = nsyms;
	return 0;
}

static int parse_sysv_hash(struct eobj *o, uint64_t addr, struct diag *d)
{
	uint64_t avail;
	const unsigned char *p = vptr_avail(o, addr, &avail);
	if (!p || avail < 8)
		return diag_err(d, o->path, "DT_HASH at 0x%llx is outside the file",
				(unsigned long long)addr);
	o->sysv_nbucket = eobj_u32(o, p);
	o->sysv_nchain = eobj_u32(o, p + 4);
	if (8 + 4 * ((uint64_t)o->sysv_nbucket + o->sysv_nchain) > avail)
		return diag_err_at(d, o->path, (uint64_t)(p - o->mf.p),
				   "SysV hash table runs past its segment");
	o->sysv_bucket = p + 8;
	o->sysv_chain = o->sysv_bucket + 4 * (uint64_t)o->sysv_nbucket;
	o->sysv = true;
	if (o->sysv_nchain > o->nsyms)
		o->nsyms = o->sysv_nchain;
	return 0;
}

/* Grow vers[] to hold index ndx. */
static struct ever *ver_at(struct eobj *o, size_t ndx)
{
	if (ndx >= o->nvers) {
		o->vers = xreallocarray(o->vers, ndx + 1, sizeof *o->vers);
		memset(o->vers + o->nvers, 0, (ndx + 1 - o->nvers) * sizeof *o->vers);
		o->nvers = ndx + 1;
	}
	return &o->vers[ndx];
}

/* glibc _dl_check_map_versions: version index -> name, hash, hidden,
 * filename, from DT_VERNEED and DT_VERDEF (the base definition is left
 * out: "the name of the base version should not be available for
 * matching a versioned symbol"). */
static int parse_versions(struct eobj *o, uint64_t verneed, uint64_t nneed,
			  uint64_t verdef, uint64_t ndef, struct diag *d)
{
	uint64_t avail;
	if (verneed) {
		const unsigned char *p = vptr_avail(o, verneed, &avail);
		uint64_t pos = 0;
		for (uint64_t k = 0; k < nneed; k++) {
			if (!p || pos + 16 > avail)
				return diag_err(d, o->path, "DT_VERNEED entry %llu is outside the file", (unsigned long long)k);
			const unsigned char *e = p + pos;
			uint16_t cnt = u16(o, e + 2);
			const char *file = dstr(o, eobj_u32(o, e + 4));
			uint64_t apos = pos + eobj_u32(o, e + 8);
			for (uint16_t j = 0; j < cnt; j++) {
				if (apos + 16 > avail)
					return diag_err(d, o->path, "DT_VERNEED aux entry is outside the file");
				const unsigned char *a = p + apos;
				uint16_t other = u16(o, a + 6);
				struct ever *v = ver_at(o, other & 0x7fff);
				v->hash = eobj_u32(o, a);
				v->hidden = (other & 0x8000) != 0;
				v->name = dstr(o, eobj_u32(o, a + 8));
				v->filename = file;
				uint32_t next = eobj_u32(o, a + 12);
				if (!next)
					break;
				apos += next;
			}
			uint32_t next = eobj_u32(o, e + 12);
			if (!next)
				break;
			pos += next;
		}
	}
	if (verdef) {
		const unsigned char *p = vptr_avail(o, verdef, &avail);
		uint64_t pos = 0;
		for (uint64_t k = 0; k < ndef; k++) {
			if (!p || pos + 20 > avail)
				return diag_err(d, o->path, "DT_VERDEF entry %llu is outside the file", (unsigned long long)k);
			const unsigned char *e = p + pos;
			uint16_t flags = u16(o, e + 2), ndx = u16(o, e + 4);
			uint64_t apos = pos + eobj_u32(o, e + 12);
			if (!(flags & VER_FLG_BASE)) {
				if (apos + 8 > avail)
					return diag_err(d, o->path, "DT_VERDEF aux entry is outside the file");
				struct ever *v = ver_at(o, ndx & 0x7fff);
				v->hash = eobj_u32(o, e + 8);
				v->name = dstr(o, eobj_u32(o, p + apos));
				v->filename = NULL;
			}
			uint32_t next = eobj_u32(o, e + 16);
			if (!next)
				break;
			pos += next;
		}
	}
	return 0;
}

static int elf_fail(struct eobj *o, struct diag *d, const char *what)
{
	return diag_err(d, o->path, "%s: %s", what, elf_errmsg(-1));
}

/* The ELF header checks ld.so's open_verify() makes, plus what libelf
 * needs; the class/machine match against a loader is the caller's. */
static int check_header(struct eobj *o, struct diag *d)
{
	if (o->mf.n < EI_NIDENT || memcmp(o->mf.p, ELFMAG, SELFMAG))
		return diag_err_at(d, o->path, 0, "not an ELF file");
	o->cls = o->mf.p[EI_CLASS];
	o->data = o->mf.p[EI_DATA];
	if (o->cls != ELFCLASS32 && o->cls != ELFCLASS64)
		return diag_err_at(d, o->path, EI_CLASS, "invalid ELF class %d", o->cls);
	if (o->data != ELFDATA2LSB && o->data != ELFDATA2MSB)
		return diag_err_at(d, o->path, EI_DATA, "invalid ELF data encoding %d", o->data);
	size_t ehsz = o->cls == ELFCLASS64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (o->mf.n < ehsz)
		return diag_err_at(d, o->path, o->mf.n, "ELF header truncated (file is %zu bytes)", o->mf.n);
	o->elf = elf_memory((char *)o->mf.p, o->mf.n);
	if (!o->elf)
		return elf_fail(o, d, "cannot read ELF");
	GElf_Ehdr eh;
	if (!gelf_getehdr(o->elf, &eh))
		return elf_fail(o, d, "cannot read ELF header");
	o->machine = eh.e_machine;
	o->osabi = eh.e_ident[EI_OSABI];
	o->type = eh.e_type;
	/* libelf silently shortens a program header table that runs past
	 * the end of the file: check the header's own count */
	size_t phnum = eh.e_phnum;
	if (phnum == PN_XNUM && elf_getphdrnum(o->elf, &phnum))
		return elf_fail(o, d, "cannot read program headers");
	uint64_t phsz = o->cls == ELFCLASS64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr), tot;
	if (phnum && eh.e_phentsize != phsz)
		return diag_err_at(d, o->path, o->cls == ELFCLASS64 ? 54 : 42,
				   "e_phentsize %u is not %llu", eh.e_phentsize, (unsigned long long)phsz);
	if (phnum && (!mul_ok(phnum, phsz, &tot) || !range_ok(eh.e_phoff, tot, o->mf.n)))
		return diag_err_at(d, o->path, eh.e_phoff,
				   "program header table (%zu entries) runs past end of file", phnum);
	size_t got;
	if (elf_getphdrnum(o->elf, &got) || got != phnum)
		return elf_fail(o, d, "cannot read program headers");
	return 0;
}

/* DT_* values we keep from the dynamic section (get-dynamic-info.h). */
struct dynvals {
	uint64_t strtab, strsz, symtab, syment, hash, gnu_hash;
	uint64_t versym, verdef, verdefnum, verneed, verneednum;
	uint64_t rpath, runpath, soname;
	bool has_rpath, has_runpath, has_soname, has_strtab, has_symtab;
	size_t *needed_off;
	size_t nneeded, capneeded;
	uint64_t rela, relasz, rel, relsz, jmprel, pltrelsz, pltrel;
};

static void read_dyn_entry(struct eobj *o, struct dynvals *v, const GElf_Dyn *dy)
{
	switch (dy->d_tag) {
	case DT_NEEDED:
		GROW(v->needed_off, v->capneeded, v->nneeded + 1);
		v->needed_off[v->nneeded++] = dy->d_un.d_val;
		break;
	case DT_STRTAB: v->strtab = dy->d_un.d_ptr; v->has_strtab = true; break;
	case DT_STRSZ: v->strsz = dy->d_un.d_val; break;
	case DT_SYMTAB: v->symtab = dy->d_un.d_ptr; v->has_symtab = true; break;
	case DT_SYMENT: v->syment = dy->d_un.d_val; break;
	case DT_HASH: v->hash = dy->d_un.d_ptr; break;
	case DT_GNU_HASH: v->gnu_hash = dy->d_un.d_ptr; break;
	case DT_VERSYM: v->versym = dy->d_un.d_ptr; break;
	case DT_VERDEF: v->verdef = dy->d_un.d_ptr; break;
	case DT_VERDEFNUM: v->verdefnum = dy->d_un.d_val; break;
	case DT_VERNEED: v->verneed = dy->d_un.d_ptr; break;
	case DT_VERNEEDNUM: v->verneednum = dy->d_un.d_val; break;
	case DT_RPATH: v->rpath = dy->d_un.d_val; v->has_rpath = true; break;
	case DT_RUNPATH: v->runpath = dy->d_un.d_val; v->has_runpath = true; break;
	case DT_SONAME: v->soname = dy->d_un.d_val; v->has_soname = true; break;
	case DT_DEBUG: o->has_dt_debug = true; break;
	case DT_FLAGS: o->flags = dy->d_un.d_val; break;
	case DT_FLAGS_1: o->flags_1 = dy->d_un.d_val; break;
	case DT_SYMBOLIC: o->symbolic = true; break;
	case DT_INIT: o->has_init = true; break;
	case DT_FINI: o->has_fini = true; break;
	case DT_INIT_ARRAYSZ:
		o->init_array_n = dy->d_un.d_val / (o->cls == ELFCLASS64 ? 8 : 4);
		break;
	case DT_PREINIT_ARRAYSZ:
		o->preinit_array_n = dy->d_un.d_val / (o->cls == ELFCLASS64 ? 8 : 4);
		break;
	case DT_FILTER: case DT_AUXILIARY: o->has_filter = true; break;
	case DT_RELA: v->rela = dy->d_un.d_ptr; break;
	case DT_RELASZ: v->relasz = dy->d_un.d_val; break;
	case DT_REL: v->rel = dy->d_un.d_ptr; break;
	case DT_RELSZ: v->relsz = dy->d_un.d_val; break;
	case DT_JMPREL: v->jmprel = dy->d_un.d_ptr; break;
	case DT_PLTRELSZ: v->pltrelsz = dy->d_un.d_val; break;
	case DT_PLTREL: v->pltrel = dy->d_un.d_val; break;
	}
}

static int read_dynamic(struct eobj *o, struct dynvals *v, struct diag *d)
{
	size_t phnum;
	elf_getphdrnum(o->elf, &phnum);
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr mem, *ph = gelf_getphdr(o->elf, (int)i, &mem);
		if (!ph)
			return elf_fail(o, d, "cannot read program header");
		if (ph->p_type == PT_INTERP) {
			o->has_interp = true;
			if (range_ok(ph->p_offset, ph->p_filesz, o->mf.n) && ph->p_filesz &&
			    memchr(o->mf.p + ph->p_offset, 0, ph->p_filesz))
				o->interp = (const char *)o->mf.p + ph->p_offset;
		}
		if (ph->p_type != PT_DYNAMIC || o->has_dynamic)
			continue;
		if (!range_ok(ph->p_offset, ph->p_filesz, o->mf.n))
			return diag_err_at(d, o->path, ph->p_offset,
					   "PT_DYNAMIC (%llu bytes) runs past end of file",
					   (unsigned long long)ph->p_filesz);
		Elf_Data *dd = elf_getdata_rawchunk(o->elf, (int64_t)ph->p_offset,
						    ph->p_filesz, ELF_T_DYN);
		if (!dd)
			return elf_fail(o, d, "cannot read dynamic section");
		o->has_dynamic = true;
		size_t n = dd->d_size / gelf_fsize(o->elf, ELF_T_DYN, 1, EV_CURRENT);
		for (size_t k = 0; k < n; k++) {
			GElf_Dyn dmem, *dy = gelf_getdyn(dd, (int)k, &dmem);
			if (!dy || dy->d_tag == DT_NULL)
				break;
			read_dyn_entry(o, v, dy);
		}
	}
	return 0;
}

static const char *need_str(struct eobj *o, uint64_t off, const char *what,
			    struct diag *d)
{
	const char *s = dstr(o, off);
	if (!s)
		diag_err(d, o->path, "%s string at 0x%llx is outside DT_STRTAB", what,
			 (unsigned long long)off);
	return s;
}

static int read_strings(struct eobj *o, struct dynvals *v, struct diag *d)
{
	if (!v->has_strtab)
		return v->nneeded || v->has_soname
			       ? diag_err(d, o->path, "dynamic section has DT_NEEDED but no DT_STRTAB")
			       : 0;
	int64_t off = eobj_vaddr_off(o, v->strtab, v->strsz);
	if (off < 0)
		return diag_err(d, o->path, "DT_STRTAB (0x%llx, %llu bytes) is outside the file",
				(unsigned long long)v->strtab, (unsigned long long)v->strsz);
	o->dynstr = (const char *)o->mf.p + off;
	o->dynstr_sz = v->strsz;
	o->dynstr_nul = v->strsz && !o->dynstr[v->strsz - 1];
	o->needed = xcalloc(v->nneeded + 1, sizeof *o->needed);
	for (size_t i = 0; i < v->nneeded; i++)
		if (!(o->needed[o->nneeded++] = need_str(o, v->needed_off[i], "DT_NEEDED", d)))
			return -1;
	if (v->has_soname && !(o->soname = need_str(o, v->soname, "DT_SONAME", d)))
		return -1;
	/* get-dynamic-info.h: "If both DT_RPATH and DT_RUNPATH are
	 * specified, ignore DT_RPATH." */
	if (v->has_runpath && !(o->runpath = need_str(o, v->runpath, "DT_RUNPATH", d)))
		return -1;
	if (v->has_rpath && !v->has_runpath &&
	    !(o->rpath = need_str(o, v->rpath, "DT_RPATH", d)))
		return -1;
	return 0;
}

/* Number of dynamic symbols: from the hash tables ld.so uses (GNU first,
 * as do_lookup_x does), else the .dynsym section header. */
static int read_symbols(struct eobj *o, struct dynvals *v, struct diag *d)
{
	if (!v->has_symtab)
		return 0;
	if (v->gnu_hash && parse_gnu_hash(o, v->gnu_hash, d))
		return -1;
	if (v->hash && parse_sysv_hash(o, v->hash, d))
		return -1;
	size_t esz = gelf_fsize(o->elf, ELF_T_SYM, 1, EV_CURRENT);
	/* The hash tables reach only defined symbols: undefined ones may lie
	 * past the last chain (GNU ld puts an executable's undefined
	 * symbols after symoffset when it defines none), and relocations
	 * name them.  The .dynsym section header, where there is one and it
	 * lies inside the mapped bytes, counts them all. */
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(o->elf, scn))) {
		GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);
		uint64_t n = sh && sh->sh_type == SHT_DYNSYM && sh->sh_entsize == esz
			? sh->sh_size / esz : 0;
		if (n > o->nsyms && (!(o->gnu || o->sysv) ||
				     eobj_vaddr_off(o, v->symtab, n * esz) >= 0))
			o->nsyms = n;
	}
	if (v->syment && v->syment != esz)
		return diag_err(d, o->path, "DT_SYMENT %llu is not %zu",
				(unsigned long long)v->syment, esz);
	uint64_t bytes;
	if (!mul_ok(o->nsyms, esz, &bytes))
		return diag_err(d, o->path, "symbol count %zu overflows", o->nsyms);
	if (!o->nsyms)
		return 0;
	int64_t off = eobj_vaddr_off(o, v->symtab, bytes);
	if (off < 0)
		return diag_err(d, o->path, "DT_SYMTAB (%zu symbols) is outside the file", o->nsyms);
	o->dynsym = elf_getdata_rawchunk(o->elf, off, bytes, ELF_T_SYM);
	if (!o->dynsym)
		return elf_fail(o, d, "cannot read dynamic symbols");
	if (v->versym) {
		int64_t voff = eobj_vaddr_off(o, v->versym, 2 * (uint64_t)o->nsyms);
		if (voff < 0)
			return diag_err(d, o->path, "DT_VERSYM is outside the file");
		o->versym_raw = (const uint16_t *)(o->mf.p + voff);
	}
	return parse_versions(o, v->verneed, v->verneednum, v->verdef, v->verdefnum, d);
}

int eobj_open_fd(struct eobj *o, int fd, const char *path, struct diag *d)
{
	struct dynvals v = {0};
	memset(o, 0, sizeof *o);
	o->path = xstrdup(path);
	int rc = -1;
	if (mfile_open_fd(&o->mf, fd, o->path, d))
		goto out;
	if (check_header(o, d) || read_dynamic(o, &v, d) || read_strings(o, &v, d))
		goto out;
	o->dv = xmalloc(sizeof *o->dv);
	*o->dv = v;
	o->dv->needed_off = NULL;
	o->rela = v.rela; o->relasz = v.relasz;
	o->rel = v.rel; o->relsz = v.relsz;
	o->jmprel = v.jmprel; o->pltrelsz = v.pltrelsz; o->pltrel = v.pltrel;
	rc = 0;
out:
	free(v.needed_off);
	if (rc)
		eobj_close(o);
	return rc;
}

static int add_relocs(struct eobj *o, uint64_t addr, uint64_t size, bool rela,
		      struct diag *d)
{
	if (!addr || !size)
		return 0;
	int64_t off = eobj_vaddr_off(o, addr, size);
	if (off < 0)
		return diag_err(d, o->path, "relocation table at 0x%llx (%llu bytes) is outside the file",
				(unsigned long long)addr, (unsigned long long)size);
	Elf_Type t = rela ? ELF_T_RELA : ELF_T_REL;
	Elf_Data *dd = elf_getdata_rawchunk(o->elf, off, size, t);
	if (!dd)
		return elf_fail(o, d, "cannot read relocations");
	size_t esz = gelf_fsize(o->elf, t, 1, EV_CURRENT), n = dd->d_size / esz;
	o->relocs = xreallocarray(o->relocs, o->nrelocs + n + 1, sizeof *o->relocs);
	for (size_t i = 0; i < n; i++) {
		uint64_t info;
		if (rela) {
			GElf_Rela m, *r = gelf_getrela(dd, (int)i, &m);
			if (!r)
				break;
			info = r->r_info;
		} else {
			GElf_Rel m, *r = gelf_getrel(dd, (int)i, &m);
			if (!r)
				break;
			info = r->r_info;
		}
		/* gelf_getrel(a) hands ELFCLASS32 r_info over in the 64-bit
		 * layout (ELF64_R_INFO of the 32-bit symbol and type) */
		uint32_t sym = (uint32_t)GELF_R_SYM(info);
		uint32_t type = (uint32_t)GELF_R_TYPE(info);
		if (sym)
			o->relocs[o->nrelocs++] = (struct ereloc){sym, type};
	}
	return 0;
}

int eobj_symbols(struct eobj *o, struct diag *d)
{
	if (o->symbols_state)
		return o->symbols_state > 0 ? 0 : -1;
	o->symbols_state = -1;
	if (read_symbols(o, o->dv, d)) {
		o->nsyms = 0;   /* nothing can be found in it */
		o->gnu = o->sysv = false;
		return -1;
	}
	o->symbols_state = 1;
	return 0;
}

int eobj_relocs(struct eobj *o, struct diag *d)
{
	if (o->relocs_parsed)
		return 0;
	o->relocs_parsed = true;
	bool plt_rela = o->pltrel ? o->pltrel == DT_RELA : o->cls == ELFCLASS64;
	if (add_relocs(o, o->rela, o->relasz, true, d) ||
	    add_relocs(o, o->rel, o->relsz, false, d) ||
	    add_relocs(o, o->jmprel, o->pltrelsz, plt_rela, d))
		return -1;
	return 0;
}

void eobj_close(struct eobj *o)
{
	if (o->elf)
		elf_end(o->elf);
	mfile_close(&o->mf);
	free(o->needed);
	free(o->vers);
	free(o->relocs);
	free(o->refs);
	free(o->badsym);
	free(o->dv);
	free(o->path);
	memset(o, 0, sizeof *o);
}

bool eobj_is_program(const struct eobj *o)
{
	/* "The ELF type is very clear: this is an executable." */
	if (o->type == ET_EXEC)
		return true;
	/* without a dynamic section it cannot be loaded as a library */
	if (!o->has_dynamic)
		return true;
	/* DF_1_PIE: linked as an executable (-pie, -static-pie) */
	if (o->flags_1 & DF_1_PIE)
		return true;
	/* a DT_SONAME says library, even with PT_INTERP (libc.so.6) */
	if (o->soname)
		return false;
	/* PT_INTERP without a SONAME: a PIE from an older linker */
	if (o->has_interp)
		return true;
	/* the low-priority hint: linkers put DT_DEBUG in executables */
	return o->has_dt_debug;
}
