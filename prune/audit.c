/*
 * audit.c - before a fatbin container is rewritten: does anything in the
 * file point into it past its start, or write into it?  (`slim prune`,
 * issue #17.)
 *
 * rewrite.c keeps every container at its offset but moves the entries
 * it keeps, so a pointer to the container's start stays right (the
 * .nvFatBinSegment wrapper, the code that registers it) while a pointer to
 * an entry inside it would not.  nvcc's output has none; the containers
 * the structural scan finds elsewhere (.rodata, .cask_resource) are only
 * known by their bytes.  So each rewritten container is checked against:
 *   - every relocation (SHT_RELA and SHT_REL sections, ELF files and
 *     archive members): one whose place lies inside the container would
 *     write into bytes that move; one whose value (a RELATIVE addend, or a
 *     defined symbol plus addend; in an object, the symbol's section and
 *     offset) lies strictly inside it points at one of its entries;
 *   - every symbol (.symtab, .dynsym) defined strictly inside it.
 * Any hit keeps the file unchanged, the reason naming the relocation or
 * symbol.  Ranges are looked up by binary search, so the check stays
 * linear in the relocations (libcublasLt: ~2,900 rewritten containers).
 */
#include "prune-int.h"
#include "../common/util.h"

#include <elf.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct span {
	size_t ndx;         /* section index */
	uint64_t s0, len;   /* offset in the section, bytes */
	uint64_t va;        /* address (sh_addr + s0); 0 in an object */
};

static int by_addr(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	if (x->ndx != y->ndx)
		return x->ndx < y->ndx ? -1 : 1;
	return x->s0 < y->s0 ? -1 : x->s0 > y->s0;
}

/* the span of section ndx holding offset off (section-relative), or NULL */
static const struct span *find(const struct span *v, size_t n, size_t ndx,
			       uint64_t off)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {   /* first span > (ndx, off) */
		size_t mid = (lo + hi) / 2;
		if (v[mid].ndx < ndx || (v[mid].ndx == ndx && v[mid].s0 <= off))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	const struct span *s = &v[lo - 1];
	return s->ndx == ndx && off - s->s0 < s->len ? s : NULL;
}

/* an address (not an object) -> its section among the spans' */
static const struct span *find_va(const struct span *v, size_t n,
				  const uint64_t *sec_addr, const uint64_t *sec_size,
				  size_t nsec, uint64_t va, size_t *ndx)
{
	for (size_t i = 0; i < n; i++) {
		/* spans are few sections: find the section, then search */
		size_t k = v[i].ndx;
		if (k < nsec && va >= sec_addr[k] && va - sec_addr[k] < sec_size[k]) {
			*ndx = k;
			return find(v, n, k, va - sec_addr[k]);
		}
		while (i + 1 < n && v[i + 1].ndx == k)
			i++;
	}
	return NULL;
}

static int audit_elf(Elf *e, uint64_t base, const struct fatbin_rewrite *rw,
		     char *why, size_t whylen)
{
	GElf_Ehdr eh;
	size_t nsec, shstr;
	if (!gelf_getehdr(e, &eh) || elf_getshdrnum(e, &nsec) ||
	    elf_getshdrstrndx(e, &shstr))
		return 0;   /* the scan read it; nothing more to learn here */
	bool rel = eh.e_type == ET_REL;
	uint64_t *addr = xcalloc(nsec + 1, sizeof *addr), *size = xcalloc(nsec + 1, sizeof *size);
	struct span *v = NULL;
	size_t nv = 0, cap = 0;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		size_t k = elf_ndxscn(scn);
		if (!gelf_getshdr(scn, &sh) || k >= nsec)
			continue;
		addr[k] = sh.sh_addr;
		size[k] = sh.sh_size;
		if (sh.sh_type == SHT_NOBITS)
			continue;
		uint64_t a = base + sh.sh_offset, b = a + sh.sh_size;
		for (size_t i = 0; i < rw->containers; i++) {
			const struct fatbin_range *r = &rw->ranges[i];
			if (r->off >= a && r->off + r->len <= b) {
				GROW(v, cap, nv + 1);
				v[nv++] = (struct span){k, r->off - a, r->len, sh.sh_addr + (r->off - a)};
			}
		}
	}
	int rc = 0;
	if (!nv)
		goto out;
	qsort(v, nv, sizeof *v, by_addr);
	scn = NULL;
	while (!rc && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			continue;
		const char *sname = elf_strptr(e, shstr, sh.sh_name);
		Elf_Data *d = NULL;
		if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) {
			if (!(d = elf_getdata(scn, NULL)) || !sh.sh_entsize)
				continue;
			size_t ns = sh.sh_size / sh.sh_entsize;
			for (size_t i = 1; i < ns && !rc; i++) {
				GElf_Sym s;
				if (!gelf_getsym(d, (int)i, &s) || s.st_shndx == SHN_UNDEF ||
				    s.st_shndx >= SHN_LORESERVE || GELF_ST_TYPE(s.st_info) == STT_SECTION)
					continue;
				uint64_t off = rel ? s.st_value : s.st_value - addr[s.st_shndx < nsec ? s.st_shndx : 0];
				const struct span *sp = find(v, nv, s.st_shndx, off);
				if (sp && off != sp->s0) {
					const char *nm = elf_strptr(e, sh.sh_link, s.st_name);
					snprintf(why, whylen, "symbol %s (%s) points inside a fatbin container, %llu bytes past its start: its entries would move",
						 nm ? nm : "?", sname ? sname : "?", (unsigned long long)(off - sp->s0));
					rc = -1;
				}
			}
			continue;
		}
		if ((sh.sh_type != SHT_RELA && sh.sh_type != SHT_REL) || !sh.sh_entsize ||
		    !(d = elf_getdata(scn, NULL)))
			continue;
		Elf_Scn *ss = elf_getscn(e, sh.sh_link);
		Elf_Data *syms = ss ? elf_getdata(ss, NULL) : NULL;
		size_t nr = sh.sh_size / sh.sh_entsize;
		for (size_t i = 0; i < nr && !rc; i++) {
			GElf_Rela r = {0};
			if (sh.sh_type == SHT_RELA) {
				if (!gelf_getrela(d, (int)i, &r))
					continue;
			} else {
				GElf_Rel rr;
				if (!gelf_getrel(d, (int)i, &rr))
					continue;
				r.r_offset = rr.r_offset, r.r_info = rr.r_info;
			}
			/* the place */
			size_t pk = 0;
			const struct span *sp = rel ? find(v, nv, sh.sh_info, r.r_offset)
						    : find_va(v, nv, addr, size, nsec, r.r_offset, &pk);
			if (sp) {
				snprintf(why, whylen, "a relocation (%s) writes inside a fatbin container, %llu bytes past its start",
					 sname ? sname : "?", (unsigned long long)((rel ? r.r_offset : r.r_offset - addr[pk]) - sp->s0));
				rc = -1;
				break;
			}
			/* the value */
			size_t symi = GELF_R_SYM(r.r_info);
			GElf_Sym s;
			uint64_t val;
			size_t vk = 0;
			if (symi) {
				if (!syms || !gelf_getsym(syms, (int)symi, &s) || s.st_shndx == SHN_UNDEF ||
				    s.st_shndx >= SHN_LORESERVE)
					continue;
				val = s.st_value + (uint64_t)r.r_addend;
				if (rel) {
					vk = s.st_shndx;
					sp = find(v, nv, vk, val);
				} else {
					sp = find_va(v, nv, addr, size, nsec, val, &vk);
					val -= sp ? addr[vk] : 0;
				}
			} else if (sh.sh_type == SHT_RELA && !rel) {
				val = (uint64_t)r.r_addend;   /* RELATIVE, IRELATIVE */
				sp = find_va(v, nv, addr, size, nsec, val, &vk);
				val -= sp ? addr[vk] : 0;
			} else {
				continue;
			}
			if (sp && val != sp->s0) {
				snprintf(why, whylen, "a relocation (%s) points inside a fatbin container, %llu bytes past its start: its entries would move",
					 sname ? sname : "?", (unsigned long long)(val - sp->s0));
				rc = -1;
			}
		}
	}
out:
	free(v);
	free(addr);
	free(size);
	return rc;
}

int prune_audit(const unsigned char *p, size_t n, const struct fatbin_rewrite *rw,
		char *why, size_t whylen)
{
	if (!rw->containers)
		return 0;
	elf_version(EV_CURRENT);
	Elf *e = elf_memory((char *)p, n);
	if (!e)
		return 0;   /* a bare fatbin: nothing refers to it */
	int rc = 0;
	if (elf_kind(e) == ELF_K_ELF) {
		rc = audit_elf(e, 0, rw, why, whylen);
	} else if (elf_kind(e) == ELF_K_AR) {
		Elf_Cmd cmd = ELF_C_READ_MMAP;
		Elf *sub;
		while (!rc && (sub = elf_begin(-1, cmd, e))) {
			int64_t b = elf_getbase(sub);
			if (elf_kind(sub) == ELF_K_ELF && b >= 0)
				rc = audit_elf(sub, (uint64_t)b, rw, why, whylen);
			cmd = elf_next(sub);
			elf_end(sub);
		}
	}
	elf_end(e);
	return rc;
}
