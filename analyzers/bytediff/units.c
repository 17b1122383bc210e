/*
 * units.c - split a differing pair of files into the units that are
 * compared one by one (issue #16: "the two versions are aligned unit by
 * unit").
 *
 *   ELF (libelf, gelf): each section by name (the k-th of a repeated name
 *     with the k-th), then the ELF header, program headers and section
 *     header table as one unit whose offsets and sizes follow from the
 *     sections (compared with sh_offset, e_shoff and the sizes of sections
 *     that changed size zeroed: a consequence of those sections' causes).
 *     The build-id note's descriptor and .debug_str / .debug_line_str are
 *     given to explain.c for the sections that copy or point into them;
 *     dwarf_note() names the DWARF attributes a build path changed.
 *   ar (the format of ar(5), headers of 60 bytes checked against the
 *     bytes left): members paired by name and occurrence; each header's
 *     date (timestamp), uid and gid (owner), mode (mode) and size fields;
 *     the symbol index as a consequence (or order when the same members
 *     came in another order); each member's data compared recursively.
 *   .pyc (PEP 552): flags, mtime (timestamp when both are mtime-based) or
 *     source hash, source size, then the marshalled body.
 *   gzip (RFC 1952): the MTIME field (timestamp), then the stream
 *     decompressed with zlib (bounded) and compared as a unit counted at
 *     its compressed size.
 *   zstd (RFC 8878) and xz (liblzma): no header fields to differ; the
 *     decompressed streams compared, counted at the larger compressed
 *     size.
 *   tar (POSIX ustar, pax, GNU long names): see tar_units().
 *   zip, wheel, jar (APPNOTE): members by name, their header fields and
 *     extra fields, their data (inflated when deflated); see zip_units().
 *   anything else: one unit.
 * Nesting stops at depth 4 (an archive in an archive in ...).
 */
#include "bdint.h"
#include "bdunits.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "../../common/util.h"

#define MAX_DEPTH 4
#define GZ_MAX ((size_t)1 << 30)      /* decompressed bytes per stream */

/* ------------------------------------------------------------- ELF --- */

struct esec {
	const char *name;
	int dup;                  /* k-th section of this name */
	uint64_t off, size;
	uint32_t type, link;
	uint64_t flags;
};

struct eview {
	Elf *e;
	struct esec *s;
	size_t n;
	size_t shoff, shsize, hdrsize;
	unsigned char cls;
	bool msb;
};

static void eview_free(struct eview *v)
{
	free(v->s);
	if (v->e)
		elf_end(v->e);
}

static int eview_open(struct eview *v, const unsigned char *p, size_t n)
{
	memset(v, 0, sizeof *v);
	elf_version(EV_CURRENT);
	v->e = elf_memory((char *)p, n);
	GElf_Ehdr eh;
	size_t shstr, nsec;
	if (!v->e || elf_kind(v->e) != ELF_K_ELF || !gelf_getehdr(v->e, &eh) ||
	    elf_getshdrstrndx(v->e, &shstr) || elf_getshdrnum(v->e, &nsec))
		return -1;
	v->cls = (unsigned char)gelf_getclass(v->e);
	v->msb = eh.e_ident[EI_DATA] == ELFDATA2MSB;
	v->shoff = eh.e_shoff;
	v->shsize = (size_t)eh.e_shentsize * nsec;
	v->hdrsize = eh.e_ehsize + (size_t)eh.e_phentsize * eh.e_phnum;
	if (!range_ok(v->shoff, v->shsize, n) || !range_ok(0, v->hdrsize, n) ||
	    !range_ok(eh.e_phoff, (uint64_t)eh.e_phentsize * eh.e_phnum, n))
		return -1;
	v->s = xcalloc(nsec ? nsec : 1, sizeof *v->s);
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(v->e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			return -1;
		const char *name = elf_strptr(v->e, shstr, sh.sh_name);
		if (!name)
			name = "";
		uint64_t size = sh.sh_type == SHT_NOBITS ? 0 : sh.sh_size;
		if (!range_ok(sh.sh_offset, size, n))
			return -1;
		int dup = 0;
		for (size_t k = 0; k < v->n; k++)
			dup += !strcmp(v->s[k].name, name);
		v->s[v->n++] = (struct esec){name, dup, sh.sh_offset, size, sh.sh_type,
					     sh.sh_link, sh.sh_flags};
	}
	return 0;
}

static const struct esec *esec_find(const struct eview *v, const char *name, int dup)
{
	for (size_t k = 0; k < v->n; k++)
		if (v->s[k].dup == dup && !strcmp(v->s[k].name, name))
			return &v->s[k];
	return NULL;
}

/* The descriptor of the GNU build-id note. */
static struct bd_bytes build_id(const struct eview *v, const unsigned char *p)
{
	const struct esec *s = esec_find(v, ".note.gnu.build-id", 0);
	if (!s || s->size < 16)
		return (struct bd_bytes){0};
	const unsigned char *q = p + s->off;
	uint32_t namesz, descsz;
	memcpy(&namesz, q, 4);
	memcpy(&descsz, q + 4, 4);
	uint64_t at = 12 + (((uint64_t)namesz + 3) & ~3ull);
	if (namesz != 4 || !range_ok(at, descsz, s->size) || !descsz)
		return (struct bd_bytes){0};
	return (struct bd_bytes){q + at, descsz};
}

/* ELF header + program headers + section header table, with what moves
 * when sections change size zeroed. */
static void headers_norm(const struct eview *v, const struct eview *o,
			 const unsigned char *p, struct buf *out)
{
	buf_add(out, p, v->hdrsize);
	size_t shoff_at = v->cls == ELFCLASS64 ? 0x28 : 0x20, w = v->cls == ELFCLASS64 ? 8 : 4;
	if (out->len >= shoff_at + w)
		memset(out->p + shoff_at, 0, w);
	size_t base = out->len;
	buf_add(out, p + v->shoff, v->shsize);
	size_t ent = v->n ? v->shsize / (v->n + 1) : 0;   /* section 0 is not listed */
	for (size_t k = 0; k < v->n && ent; k++) {
		unsigned char *sh = (unsigned char *)out->p + base + (k + 1) * ent;
		size_t offo = v->cls == ELFCLASS64 ? 0x18 : 0x10, sizo = v->cls == ELFCLASS64 ? 0x20 : 0x14;
		if (offo + w > ent || sizo + w > ent)
			break;
		memset(sh + offo, 0, w);
		const struct esec *m = esec_find(o, v->s[k].name, v->s[k].dup);
		if (!m || m->size != v->s[k].size)
			memset(sh + sizo, 0, w);
	}
}

/*
 * Which DWARF attributes carry a difference the debug sections were given
 * as build-path (libdw): the unit DIEs of both sides in order, their
 * DW_AT_comp_dir, DW_AT_name and DW_AT_producer strings compared.  Said in
 * the `where` of the first such row (it names, it does not count bytes).
 * libdw does not apply an object's relocations (in a .o every strp would
 * read as offset 0), so objects get no note.
 */
static void dwarf_note(struct bd_ctx *c, size_t first_row, Elf *ea, Elf *eb)
{
	struct bd_cause_row *row = NULL;
	for (size_t k = first_row; k < c->f->ncauses && !row; k++)
		if (c->f->causes[k].cause == BC_BUILD_PATH && strstr(c->f->causes[k].where, ".debug_"))
			row = &c->f->causes[k];
	GElf_Ehdr eh;
	if (!row || !gelf_getehdr(ea, &eh) || eh.e_type == ET_REL)
		return;
	Dwarf *da = dwarf_begin_elf(ea, DWARF_C_READ, NULL), *db = dwarf_begin_elf(eb, DWARF_C_READ, NULL);
	static const struct { int at; const char *name; } attrs[] = {
		{DW_AT_comp_dir, "DW_AT_comp_dir"}, {DW_AT_name, "DW_AT_name"},
		{DW_AT_producer, "DW_AT_producer"},
	};
	size_t counts[3] = {0}, units = 0;
	Dwarf_Off oa = 0, ob = 0, na, nb;
	size_t ha, hb;
	while (da && db && units < 100000 &&
	       !dwarf_nextcu(da, oa, &na, &ha, NULL, NULL, NULL) &&
	       !dwarf_nextcu(db, ob, &nb, &hb, NULL, NULL, NULL)) {
		Dwarf_Die x, y;
		if (dwarf_offdie(da, oa + ha, &x) && dwarf_offdie(db, ob + hb, &y))
			for (int k = 0; k < 3; k++) {
				Dwarf_Attribute aa, ab;
				const char *sa = dwarf_formstring(dwarf_attr(&x, attrs[k].at, &aa));
				const char *sb = dwarf_formstring(dwarf_attr(&y, attrs[k].at, &ab));
				counts[k] += sa && sb && strcmp(sa, sb);
			}
		units++;
		oa = na;
		ob = nb;
	}
	struct buf w = BUF_INIT;
	buf_puts(&w, row->where);
	const char *sep = " (DWARF: ";
	for (int k = 0; k < 3; k++)
		if (counts[k]) {
			buf_printf(&w, "%s%s differs in %zu of %zu units", sep, attrs[k].name, counts[k], units);
			sep = ", ";
		}
	if (*sep == ',') {
		buf_putc(&w, ')');
		free(row->where);
		row->where = buf_detach(&w);
	}
	buf_free(&w);
	if (da)
		dwarf_end(da);
	if (db)
		dwarf_end(db);
}

/* The length of a name's stem when it ends in '.' and digits (nvcc's
 * .nv_debug_ptx_txt.2934094814: a hash of its temporary file's name), or
 * 0. */
static size_t numbered_stem(const char *name)
{
	size_t n = strlen(name), k = n;
	while (k > 0 && name[k - 1] >= '0' && name[k - 1] <= '9')
		k--;
	return k > 1 && k < n && name[k - 1] == '.' ? k : 0;
}

/* The section of w that x of v pairs with when only the number after its
 * name's last '.' differs: the j-th of v's sections with that stem and no
 * namesake in w pairs with the j-th such of w's, of the same type.
 * Symmetric, so a NEW section paired here is not also "only in NEW". */
static const struct esec *renamed(const struct eview *v, const struct eview *w,
				  const struct esec *x)
{
	size_t stem = numbered_stem(x->name), j = 0;
	if (!stem)
		return NULL;
	for (const struct esec *o = v->s; o < x; o++)
		j += numbered_stem(o->name) == stem && !strncmp(o->name, x->name, stem) &&
		     !esec_find(w, o->name, o->dup);
	for (size_t k = 0; k < w->n; k++) {
		const struct esec *y = &w->s[k];
		if (numbered_stem(y->name) == stem && !strncmp(y->name, x->name, stem) &&
		    !esec_find(v, y->name, y->dup) && !j--)
			return y->type == x->type ? y : NULL;
	}
	return NULL;
}

/* The symbol table whose string table is `str`, and the string table of
 * `sym`; NULL when there is none. */
static const struct esec *symtab_of(const struct eview *v, const struct esec *str)
{
	size_t idx = (size_t)(str - v->s) + 1;
	for (size_t k = 0; k < v->n; k++)
		if (v->s[k].type == SHT_SYMTAB && v->s[k].link == idx)
			return &v->s[k];
	return NULL;
}

static const struct esec *strtab_of(const struct eview *v, const struct esec *sym)
{
	const struct esec *t = sym->link >= 1 && sym->link <= v->n ? &v->s[sym->link - 1] : NULL;
	return t && t->type == SHT_STRTAB ? t : NULL;
}

/*
 * .symtab and its .strtab in another order (symorder.c): the symbol
 * table is `order` when both hold the same multiset of symbols, names
 * resolved through each side's string table; the string table when its
 * strings are the same multiset in another order, or when each side
 * holds nothing but its symbols' names (suffixes shared as the linker
 * chose) and the symbol tables are the same set.  One row; false when
 * the check fails (the caller compares the unit as bytes).
 */
static bool symbol_order(struct bd_ctx *c, const char *where, const struct eview *va,
			 const struct esec *x, const unsigned char *a, const struct eview *vb,
			 const struct esec *y, const unsigned char *b)
{
	const struct esec *sa, *sb, *ta, *tb;
	if (x->type == SHT_SYMTAB && y->type == SHT_SYMTAB) {
		sa = x, sb = y, ta = strtab_of(va, x), tb = strtab_of(vb, y);
	} else if (x->type == SHT_STRTAB && y->type == SHT_STRTAB) {
		ta = x, tb = y, sa = symtab_of(va, x), sb = symtab_of(vb, y);
	} else {
		return false;
	}
	if (!sa || !sb || !ta || !tb || va->cls != vb->cls || va->msb != vb->msb)
		return false;
	struct bd_bytes stra = {a + ta->off, ta->size}, strb = {b + tb->off, tb->size};
	bool is64 = va->cls == ELFCLASS64;
	size_t count = 0;
	uint64_t bytes = x->size > y->size ? x->size : y->size;
	bool same = bd_symtab_same_set(a + sa->off, sa->size, stra, b + sb->off, sb->size, strb,
				       is64, va->msb, &count);
	if (x->type == SHT_SYMTAB) {
		if (same)
			bd_row(c, BC_ORDER, bytes, "%s (the same %zu symbols in another order)", where, count);
		return same;
	}
	if (bd_same_lines(stra.p, stra.n, strb.p, strb.n)) {
		bd_row(c, BC_ORDER, bytes, "%s (the same strings in another order)", where);
		return true;
	}
	if (same && bd_strtab_only_names(a + sa->off, sa->size, stra, is64, va->msb) &&
	    bd_strtab_only_names(b + sb->off, sb->size, strb, is64, vb->msb)) {
		bd_row(c, BC_ORDER, bytes, "%s (the names of the same %zu symbols, laid out in another order)",
		       where, count);
		return true;
	}
	return false;
}

/*
 * A build ID that differs: recomputed on each side with the hash its
 * linker uses (buildid.c).  When both recompute and nothing else of the
 * file is unexplained, the ID is a consequence of the other differences;
 * when either does not, the ID is still `build-id` but not verified.
 * Said in the `where` of the file's build-id rows.
 */
static void build_id_verdict(struct bd_ctx *c, size_t first_row, const struct eview *va,
			     const unsigned char *a, size_t na, const struct eview *vb,
			     const unsigned char *b, size_t nb)
{
	if (!c->bida.n || !c->bidb.n ||
	    (c->bida.n == c->bidb.n && !memcmp(c->bida.p, c->bidb.p, c->bida.n)))
		return;
	bool rest = true, any = false;
	for (size_t k = first_row; k < c->f->ncauses; k++) {
		rest &= c->f->causes[k].cause != BC_UNEXPLAINED;
		any |= c->f->causes[k].cause == BC_BUILD_ID;
	}
	if (!any)
		return;
	const struct esec *ca = esec_find(va, ".comment", 0), *cb = esec_find(vb, ".comment", 0);
	/* NEW first: when it does not recompute, OLD is not hashed (each
	 * model is a pass over the file) */
	const char *hb = bd_buildid_recompute(b, nb, (size_t)(c->bidb.p - b), c->bidb.n,
					      cb ? b + cb->off : NULL, cb ? cb->size : 0,
					      esec_find(vb, ".note.gnu.gold-version", 0));
	const char *ha = !hb ? NULL :
		bd_buildid_recompute(a, na, (size_t)(c->bida.p - a), c->bida.n,
				     ca ? a + ca->off : NULL, ca ? ca->size : 0,
				     esec_find(va, ".note.gnu.gold-version", 0));
	char note[400];
	if (ha && hb && rest)
		snprintf(note, sizeof note, " (recomputed: consequence of the other differences; %s)", hb);
	else if (ha && hb)
		snprintf(note, sizeof note, " (recomputed on both sides, %s: it follows from the differences, the unexplained ones included)", hb);
	else
		snprintf(note, sizeof note, " (not verified: the ID stored in %s is not a hash any known linker computes over the file)",
			 hb ? "OLD" : "NEW");
	for (size_t k = first_row; k < c->f->ncauses; k++) {
		struct bd_cause_row *r = &c->f->causes[k];
		if (r->cause != BC_BUILD_ID || strstr(r->where, "(recomputed") || strstr(r->where, "(not verified"))
			continue;
		struct buf w = BUF_INIT;
		buf_puts(&w, r->where);
		buf_puts(&w, note);
		free(r->where);
		r->where = buf_detach(&w);
	}
}

static bool elf_units(struct bd_ctx *c, const char *prefix, const unsigned char *a,
		      size_t na, const unsigned char *b, size_t nb)
{
	struct eview va, vb;
	bool ok = false;
	int ra = eview_open(&va, a, na), rb = eview_open(&vb, b, nb);
	if (ra || rb || va.cls != vb.cls)
		goto out;
	ok = true;
	struct bd_ctx saved = *c;
	size_t first_row = c->f->ncauses;
	c->bida = build_id(&va, a);
	c->bidb = build_id(&vb, b);
	c->nstr = 0;
	static const char *const strs[] = {".debug_str", ".debug_line_str", ".strtab", ".dynstr"};
	for (size_t k = 0; k < 4; k++) {
		const struct esec *x = esec_find(&va, strs[k], 0), *y = esec_find(&vb, strs[k], 0);
		if (x && y && c->nstr < BD_MAX_STRSEC) {
			c->stra[c->nstr] = (struct bd_bytes){a + x->off, x->size};
			c->strb[c->nstr++] = (struct bd_bytes){b + y->off, y->size};
		}
	}
	/* content: OLD's string sections first (where build paths are
	 * learnt), then the others in order, then NEW's missing from OLD */
	for (size_t pass = 0; pass < 2; pass++)
	for (size_t k = 0; k < va.n; k++) {
		const struct esec *x = &va.s[k], *y = esec_find(&vb, x->name, x->dup);
		bool strings = x->type == SHT_STRTAB || (x->flags & SHF_STRINGS);
		if (strings != (pass == 0))
			continue;
		char where[512];
		snprintf(where, sizeof where, "%s%s", prefix, *x->name ? x->name : "[section 0]");
		if (!y && (y = renamed(&va, &vb, x)))
			snprintf(where, sizeof where, "%s%s (%s in NEW)", prefix, x->name, y->name);
		if (!y) {
			bd_row(c, BC_UNEXPLAINED, x->size, "%ssection %s only in OLD", prefix, x->name);
			continue;
		}
		if (x->size == y->size && !memcmp(a + x->off, b + y->off, x->size))
			continue;
		if (symbol_order(c, where, &va, x, a, &vb, y, b) ||
		    bd_gpu_units(c, where, a + x->off, x->size, b + y->off, y->size))
			continue;
		c->code = x->flags & SHF_EXECINSTR;
		c->table = x->type == SHT_SYMTAB || x->type == SHT_DYNSYM;
		bd_unit(c, where, a + x->off, x->size, b + y->off, y->size, 0);
		c->code = c->table = false;
	}
	for (size_t k = 0; k < vb.n; k++)
		if (!esec_find(&va, vb.s[k].name, vb.s[k].dup) && !renamed(&vb, &va, &vb.s[k]))
			bd_row(c, BC_UNEXPLAINED, vb.s[k].size, "%ssection %s only in NEW", prefix,
			       vb.s[k].name);
	dwarf_note(c, first_row, va.e, vb.e);
	/* the headers: raw equal, or equal once what moves is zeroed */
	struct buf ha = BUF_INIT, hb = BUF_INIT;
	buf_add(&ha, a, va.hdrsize);
	buf_add(&ha, a + va.shoff, va.shsize);
	buf_add(&hb, b, vb.hdrsize);
	buf_add(&hb, b + vb.shoff, vb.shsize);
	if (ha.len != hb.len || memcmp(ha.p, hb.p, ha.len)) {
		uint64_t bytes = ha.len > hb.len ? ha.len : hb.len;
		buf_reset(&ha);
		buf_reset(&hb);
		headers_norm(&va, &vb, a, &ha);
		headers_norm(&vb, &va, b, &hb);
		char where[512];
		snprintf(where, sizeof where, "%s[ELF and section headers]", prefix);
		if (ha.len == hb.len && !memcmp(ha.p, hb.p, ha.len))
			bd_consequence(c, where, bytes);
		else
			bd_unit(c, where, (unsigned char *)ha.p, ha.len, (unsigned char *)hb.p,
				hb.len, bytes);
	}
	buf_free(&ha);
	buf_free(&hb);
	build_id_verdict(c, first_row, &va, a, na, &vb, b, nb);
	c->bida = saved.bida;
	c->bidb = saved.bidb;
	c->nstr = saved.nstr;
	memcpy(c->stra, saved.stra, sizeof c->stra);
	memcpy(c->strb, saved.strb, sizeof c->strb);
out:
	eview_free(&va);
	eview_free(&vb);
	return ok;
}

/* -------------------------------------------------------------- ar --- */

struct amem {
	char name[256];
	int dup;
	size_t hdr;               /* offset of the 60-byte header */
	size_t data, size;
};

static int ar_list(const unsigned char *p, size_t n, struct amem **out, size_t *count)
{
	struct amem *v = NULL;
	size_t cap = 0, k = 0, off = 8;
	const unsigned char *names = NULL;
	size_t nnames = 0;
	while (off + 60 <= n) {
		const unsigned char *h = p + off;
		if (h[58] != '`' || h[59] != '\n')
			goto bad;
		char sz[11];
		memcpy(sz, h + 48, 10);
		sz[10] = 0;
		char *end;
		unsigned long long size = strtoull(sz, &end, 10);
		if (end == sz || !range_ok(off + 60, size, n))
			goto bad;
		GROW(v, cap, k + 1);
		struct amem *m = &v[k];
		memset(m, 0, sizeof *m);
		m->hdr = off;
		m->data = off + 60;
		m->size = (size_t)size;
		size_t l = 16;
		while (l > 0 && h[l - 1] == ' ')
			l--;
		memcpy(m->name, h, l);
		if (!strcmp(m->name, "//")) {
			names = p + m->data;
			nnames = m->size;
		} else if (m->name[0] == '/' && m->name[1] >= '0' && m->name[1] <= '9' && names) {
			unsigned long lo = strtoul(m->name + 1, NULL, 10);
			size_t j = 0;
			while (lo < nnames && j + 1 < sizeof m->name && lo + j < nnames &&
			       names[lo + j] != '/' && names[lo + j] != '\n')
				m->name[j] = (char)names[lo + j], j++;
			m->name[j] = 0;
		} else if (l > 1 && m->name[l - 1] == '/') {
			m->name[l - 1] = 0;
		}
		for (size_t j = 0; j < k; j++)
			m->dup += !strcmp(v[j].name, m->name);
		k++;
		off += 60 + size + (size & 1);
	}
	*out = v;
	*count = k;
	return 0;
bad:
	free(v);
	return -1;
}

static const struct amem *amem_find(const struct amem *v, size_t n, const char *name, int dup)
{
	for (size_t k = 0; k < n; k++)
		if (v[k].dup == dup && !strcmp(v[k].name, name))
			return &v[k];
	return NULL;
}

static bool is_index(const char *name)
{
	return !strcmp(name, "/") || !strcmp(name, "/SYM64/") || !strcmp(name, "");
}

static bool ar_units(struct bd_ctx *c, const char *prefix, const unsigned char *a,
		     size_t na, const unsigned char *b, size_t nb)
{
	struct amem *ma = NULL, *mb = NULL;
	size_t ka = 0, kb = 0;
	if (ar_list(a, na, &ma, &ka) || ar_list(b, nb, &mb, &kb)) {
		free(ma);
		free(mb);
		return false;
	}
	bool reordered = false;
	const struct amem *ia = NULL, *ib = NULL;
	for (size_t k = 0, j = 0; k < ka; k++) {
		if (is_index(ma[k].name)) {
			ia = &ma[k];
			continue;
		}
		while (j < kb && is_index(mb[j].name))
			j++;
		if (j < kb && (strcmp(mb[j].name, ma[k].name) || mb[j].dup != ma[k].dup))
			reordered = true;
		j++;
	}
	for (size_t k = 0; k < kb; k++)
		if (is_index(mb[k].name))
			ib = &mb[k];
	char where[768];
	for (size_t k = 0; k < ka; k++) {
		const struct amem *x = &ma[k];
		if (is_index(x->name))
			continue;
		const struct amem *y = amem_find(mb, kb, x->name, x->dup);
		if (!y) {
			bd_row(c, BC_UNEXPLAINED, x->size + 60, "%smember %s only in OLD", prefix, x->name);
			continue;
		}
		const unsigned char *ha = a + x->hdr, *hb = b + y->hdr;
		snprintf(where, sizeof where, "%s%s: ar header date", prefix, x->name);
		bd_field(c, where, ha + 16, hb + 16, 12, BC_TIMESTAMP);
		snprintf(where, sizeof where, "%s%s: ar header uid/gid", prefix, x->name);
		bd_field(c, where, ha + 28, hb + 28, 12, BC_OWNER);
		snprintf(where, sizeof where, "%s%s: ar header mode", prefix, x->name);
		bd_field(c, where, ha + 40, hb + 40, 8, BC_MODE);
		snprintf(where, sizeof where, "%s%s: ", prefix, x->name);
		c->depth++;
		bd_compare(c, x->name, where, a + x->data, x->size, b + y->data, y->size);
		c->depth--;
		if (memcmp(ha + 48, hb + 48, 10)) {
			snprintf(where, sizeof where, "%s%s: ar header size", prefix, x->name);
			bd_consequence(c, where, 10);
		}
	}
	for (size_t k = 0; k < kb; k++)
		if (!is_index(mb[k].name) && !amem_find(ma, ka, mb[k].name, mb[k].dup))
			bd_row(c, BC_UNEXPLAINED, mb[k].size + 60, "%smember %s only in NEW", prefix,
			       mb[k].name);
	if (reordered)
		bd_row(c, BC_ORDER, 0, "%smembers in another order", prefix);
	size_t sa = ia ? ia->size : 0, sb = ib ? ib->size : 0;
	if (sa != sb || (sa && memcmp(a + ia->data, b + ib->data, sa))) {
		snprintf(where, sizeof where, "%s[ar symbol index]", prefix);
		if (reordered)
			bd_row(c, BC_ORDER, sa > sb ? sa : sb, "%s", where);
		else
			bd_consequence(c, where, sa > sb ? sa : sb);
	}
	free(ma);
	free(mb);
	return true;
}

/* ------------------------------------------------------------- pyc --- */

static bool pyc_units(struct bd_ctx *c, const char *prefix, const unsigned char *a,
		      size_t na, const unsigned char *b, size_t nb)
{
	if (na < 16 || nb < 16 || memcmp(a, b, 4) || a[2] != '\r' || a[3] != '\n')
		return false;
	char where[768];
	uint32_t fa, fb;
	memcpy(&fa, a + 4, 4);
	memcpy(&fb, b + 4, 4);
	snprintf(where, sizeof where, "%spyc header flags", prefix);
	bd_field(c, where, a + 4, b + 4, 4, BC_UNEXPLAINED);
	if (fa == fb && fa == 0) {
		snprintf(where, sizeof where, "%spyc header mtime", prefix);
		bd_field(c, where, a + 8, b + 8, 4, BC_TIMESTAMP);
		snprintf(where, sizeof where, "%spyc header source size", prefix);
		bd_field(c, where, a + 12, b + 12, 4, BC_UNEXPLAINED);
	} else {
		snprintf(where, sizeof where, "%spyc header source hash or mtime", prefix);
		bd_field(c, where, a + 8, b + 8, 8, BC_UNEXPLAINED);
	}
	snprintf(where, sizeof where, "%spyc body", prefix);
	bd_unit(c, where, a + 16, na - 16, b + 16, nb - 16, 0);
	return true;
}

/* ------------------------------------------------------------ gzip --- */

/* Compare decompressed content, then scale the rows it wrote so that
 * they count `bytes` (the compressed size the file holds) in all. */
static void compare_scaled(struct bd_ctx *c, const char *name, const char *where,
			   const struct buf *ua, const struct buf *ub, uint64_t bytes)
{
	bd_compare_scaled(c, name, where, (const unsigned char *)ua->p, ua->len,
			  (const unsigned char *)ub->p, ub->len, bytes);
}

void bd_compare_scaled(struct bd_ctx *c, const char *name, const char *where,
		       const unsigned char *a, size_t na, const unsigned char *b,
		       size_t nb, uint64_t bytes)
{
	size_t before = c->f->ncauses;
	uint64_t b0 = c->f->bytes_differing;
	c->depth++;
	bd_compare(c, name, where, a, na, b, nb);
	c->depth--;
	uint64_t got = c->f->bytes_differing - b0, given = 0;
	for (size_t k = before; k < c->f->ncauses && got; k++) {
		struct bd_cause_row *r = &c->f->causes[k];
		uint64_t share = k + 1 == c->f->ncauses ? bytes - given :
			(uint64_t)((double)bytes * r->bytes / got);
		c->f->bytes_differing += share - r->bytes;
		if (r->cause != BC_UNEXPLAINED)
			c->f->bytes_explained += share - r->bytes;
		r->bytes = share;
		given += share;
	}
}

/* Inflate one gzip stream (header included), at most GZ_MAX bytes. */
static int gunzip(const unsigned char *p, size_t n, struct buf *out)
{
	z_stream z = {0};
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)p;
	z.avail_in = n > UINT32_MAX ? UINT32_MAX : (uInt)n;
	int rc;
	do {
		if (out->len >= GZ_MAX) {
			rc = Z_BUF_ERROR;
			break;
		}
		buf_grow(out, 1 << 16);
		z.next_out = (unsigned char *)out->p + out->len;
		z.avail_out = 1 << 16;
		rc = inflate(&z, Z_NO_FLUSH);
		out->len = (size_t)((char *)z.next_out - out->p);
	} while (rc == Z_OK);
	inflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

/* The header's length (RFC 1952 2.3: FEXTRA, FNAME, FCOMMENT, FHCRC), the
 * name field's offset and length; 0 when it runs past the end. */
static size_t gzip_hdr_len(const unsigned char *p, size_t n, size_t *name, size_t *lname)
{
	size_t off = 10;
	unsigned flg = p[3];
	*name = *lname = 0;
	if (flg & 4) {
		if (off + 2 > n)
			return 0;
		off += 2 + (size_t)(p[off] | p[off + 1] << 8);
	}
	for (unsigned bit = 8; bit <= 16; bit <<= 1) {
		if (!(flg & bit))
			continue;
		const unsigned char *z = off < n ? memchr(p + off, 0, n - off) : NULL;
		if (!z)
			return 0;
		if (bit == 8) {
			*name = off;
			*lname = (size_t)(z - (p + off));
		}
		off = (size_t)(z - p) + 1;
	}
	if (flg & 2)
		off += 2;
	return off < n ? off : 0;
}

static bool gzip_units(struct bd_ctx *c, const char *prefix, const unsigned char *a,
		       size_t na, const unsigned char *b, size_t nb)
{
	if (na < 18 || nb < 18 || a[0] != 0x1f || a[1] != 0x8b || b[0] != 0x1f || b[1] != 0x8b)
		return false;
	struct buf da = BUF_INIT, db = BUF_INIT;
	if (gunzip(a, na, &da) || gunzip(b, nb, &db)) {
		buf_free(&da);
		buf_free(&db);
		return false;
	}
	char where[768];
	size_t nma, lna, nmb, lnb;
	size_t ha = gzip_hdr_len(a, na, &nma, &lna), hb = gzip_hdr_len(b, nb, &nmb, &lnb);
	snprintf(where, sizeof where, "%sgzip header mtime", prefix);
	bd_field(c, where, a + 4, b + 4, 4, BC_TIMESTAMP);
	snprintf(where, sizeof where, "%sgzip header flags, xfl, os", prefix);
	if (a[3] != b[3] || a[8] != b[8] || a[9] != b[9])
		bd_row(c, BC_UNEXPLAINED, 3, "%s", where);
	if (ha && hb && lna + lnb) {
		snprintf(where, sizeof where, "%sgzip header name", prefix);
		bd_unit(c, where, a + nma, lna, b + nmb, lnb, 0);
	}
	/* the deflate data and trailer, counted once, explained by content */
	if (!ha || !hb)
		ha = hb = 10;
	uint64_t rest = na - ha > nb - hb ? na - ha : nb - hb;
	if (na - ha == nb - hb && !memcmp(a + ha, b + hb, na - ha))
		goto out;
	snprintf(where, sizeof where, "%sgzip stream (decompressed)", prefix);
	if (da.len == db.len && !memcmp(da.p, db.p, da.len))
		bd_row(c, BC_UNEXPLAINED, rest, "%s: same content, other compression", where);
	else {
		snprintf(where, sizeof where, "%sgzip stream: ", prefix);
		compare_scaled(c, "", where, &da, &db, rest);
	}
out:
	buf_free(&da);
	buf_free(&db);
	return true;
}

/* ------------------------------------------------------------ zstd --- */

/* RFC 8878: frames carry no time or name; a pair of streams is compared
 * by content (libzstd's streaming decoder, bounded), counted at the
 * larger compressed size. */
static int unzstd(const unsigned char *p, size_t n, struct buf *out)
{
	ZSTD_DStream *z = ZSTD_createDStream();
	if (!z)
		return -1;
	ZSTD_inBuffer in = {p, n, 0};
	size_t rc = 1;
	while (in.pos < in.size && out->len < GZ_MAX) {
		buf_grow(out, 1 << 16);
		ZSTD_outBuffer o = {out->p + out->len, 1 << 16, 0};
		rc = ZSTD_decompressStream(z, &o, &in);
		out->len += o.pos;
		if (ZSTD_isError(rc))
			break;
		if (!o.pos && !rc)
			break;
	}
	ZSTD_freeDStream(z);
	return ZSTD_isError(rc) || rc || in.pos != in.size ? -1 : 0;
}

/* Two compressed streams compared by content: decompressed by inflate
 * (bounded by GZ_MAX) on both sides, the same content is "other
 * compression", else the contents' differences scaled to the stream size.
 * False when a side does not decompress. */
static bool stream_units(struct bd_ctx *c, const char *prefix, const char *what,
			 int (*inflate)(const unsigned char *, size_t, struct buf *),
			 const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
	struct buf da = BUF_INIT, db = BUF_INIT;
	bool ok = !inflate(a, na, &da) && !inflate(b, nb, &db);
	if (ok) {
		char where[768];
		snprintf(where, sizeof where, "%s%s stream: ", prefix, what);
		if (da.len == db.len && !memcmp(da.p, db.p, da.len))
			bd_row(c, BC_UNEXPLAINED, na > nb ? na : nb,
			       "%s same content, other compression", where);
		else
			compare_scaled(c, "", where, &da, &db, na > nb ? na : nb);
	}
	buf_free(&da);
	buf_free(&db);
	return ok;
}

static bool zstd_units(struct bd_ctx *c, const char *prefix, const unsigned char *a,
		       size_t na, const unsigned char *b, size_t nb)
{
	return stream_units(c, prefix, "zstd", unzstd, a, na, b, nb);
}

/* -------------------------------------------------------------- xz --- */

/* The .xz format (liblzma): no times or names in it either (a .deb's
 * data.tar.xz); compared by content like zstd. */
static int unxz(const unsigned char *p, size_t n, struct buf *out)
{
	lzma_stream z = LZMA_STREAM_INIT;
	if (lzma_stream_decoder(&z, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
		return -1;
	z.next_in = p;
	z.avail_in = n;
	lzma_ret rc = LZMA_OK;
	while (rc == LZMA_OK && out->len < GZ_MAX) {
		buf_grow(out, 1 << 16);
		z.next_out = (uint8_t *)out->p + out->len;
		z.avail_out = 1 << 16;
		rc = lzma_code(&z, LZMA_FINISH);
		out->len = (size_t)((char *)z.next_out - out->p);
	}
	lzma_end(&z);
	return rc == LZMA_STREAM_END ? 0 : -1;
}

static bool xz_units(struct bd_ctx *c, const char *prefix, const unsigned char *a,
		     size_t na, const unsigned char *b, size_t nb)
{
	return stream_units(c, prefix, "xz", unxz, a, na, b, nb);
}

/* ------------------------------------------------------------- zip --- */

/* APPNOTE.TXT (PKWARE) 4.3: the end of central directory record, then
 * each central header names a member and where its local header is.
 * Members pair by name; per member: the DOS time/date of both headers
 * (timestamp), the external attributes (mode: st_mode in the top half),
 * the extra fields by id (0x5455 extended timestamp: timestamp; 0x7875
 * and 0x7855 Unix uid/gid: owner; others unexplained), then the data:
 * stored data compared as a file, deflated data inflated (zlib, raw) and
 * compared, counted at its compressed size.  CRCs, sizes and offsets are
 * consequences; another member order is order. */
struct zmem {
	const unsigned char *cen, *loc;   /* central and local headers */
	const char *name;
	size_t lname, data, csize, usize;
	unsigned method;
};

static uint16_t u16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32(const unsigned char *p) { return (uint32_t)u16(p) | (uint32_t)u16(p + 2) << 16; }

static int zip_list(const unsigned char *p, size_t n, struct zmem **out, size_t *count,
		    const unsigned char **eocd)
{
	size_t e = n >= 22 ? n - 22 : 0, stop = n > 65557 ? n - 65557 : 0;
	for (;; e--) {
		if (n >= 22 && u32(p + e) == 0x06054b50)
			break;
		if (e == stop || n < 22)
			return -1;
	}
	*eocd = p + e;
	size_t cnt = u16(p + e + 10), cdsize = u32(p + e + 12), cdoff = u32(p + e + 16);
	if (!range_ok(cdoff, cdsize, e))
		return -1;
	struct zmem *v = xcalloc(cnt + 1, sizeof *v);
	size_t off = cdoff, k = 0;
	for (; k < cnt; k++) {
		if (off + 46 > cdoff + cdsize || u32(p + off) != 0x02014b50)
			goto bad;
		const unsigned char *c = p + off;
		size_t ln = u16(c + 28), lx = u16(c + 30), lc = u16(c + 32), lo = u32(c + 42);
		if (!range_ok(off + 46, ln + lx + lc, cdoff + cdsize) || !range_ok(lo, 30, cdoff) ||
		    u32(p + lo) != 0x04034b50)
			goto bad;
		const unsigned char *l = p + lo;
		size_t data = lo + 30 + u16(l + 26) + u16(l + 28);
		v[k] = (struct zmem){c, l, (const char *)c + 46, ln, data, u32(c + 20), u32(c + 24), u16(c + 10)};
		if (!range_ok(data, v[k].csize, cdoff))
			goto bad;
		off += 46 + ln + lx + lc;
	}
	*out = v;
	*count = k;
	return 0;
bad:
	free(v);
	return -1;
}

static const struct zmem *zmem_find(const struct zmem *v, size_t n, const struct zmem *x)
{
	for (size_t k = 0; k < n; k++)
		if (v[k].lname == x->lname && !memcmp(v[k].name, x->name, x->lname))
			return &v[k];
	return NULL;
}

static const unsigned char *zextra(const unsigned char *x, size_t n, unsigned id, size_t *len)
{
	for (size_t off = 0; off + 4 <= n;) {
		size_t l = u16(x + off + 2);
		if (off + 4 + l > n)
			break;
		if (u16(x + off) == id) {
			*len = l;
			return x + off + 4;
		}
		off += 4 + l;
	}
	return NULL;
}

/* The extra fields of one header: each id present on either side. */
static void zip_extras(struct bd_ctx *c, const char *where, const unsigned char *xa,
		       size_t na, const unsigned char *xb, size_t nb)
{
	if (na == nb && !memcmp(xa, xb, na))
		return;
	static const unsigned ids[3] = {0x5455, 0x7875, 0x7855};
	static const enum bd_cause causes[3] = {BC_TIMESTAMP, BC_OWNER, BC_OWNER};
	size_t rest_a = na, rest_b = nb;
	for (int k = 0; k < 3; k++) {
		size_t la = 0, lb = 0;
		const unsigned char *fa = zextra(xa, na, ids[k], &la), *fb = zextra(xb, nb, ids[k], &lb);
		if (fa)
			rest_a -= la + 4;
		if (fb)
			rest_b -= lb + 4;
		if (!fa && !fb)
			continue;
		if (la != lb || !fa || !fb || memcmp(fa, fb, la))
			bd_row(c, fa && fb && la == lb ? causes[k] : BC_UNEXPLAINED,
			       (la > lb ? la : lb) + 4, "%s extra 0x%04x", where, ids[k]);
	}
	if (rest_a != rest_b)
		bd_row(c, BC_UNEXPLAINED, rest_a > rest_b ? rest_a : rest_b, "%s other extra fields", where);
}

static int inflate_raw(const unsigned char *p, size_t n, size_t want, struct buf *out)
{
	z_stream z = {0};
	if (want > GZ_MAX || inflateInit2(&z, -MAX_WBITS) != Z_OK)
		return -1;
	buf_grow(out, want + 1);
	z.next_in = (unsigned char *)p;
	z.avail_in = (uInt)n;
	z.next_out = (unsigned char *)out->p;
	z.avail_out = (uInt)want;
	int rc = inflate(&z, Z_FINISH);
	out->len = want - z.avail_out;
	inflateEnd(&z);
	return rc == Z_STREAM_END && out->len == want ? 0 : -1;
}

static void zip_data(struct bd_ctx *c, const char *prefix, const char *name,
		     const unsigned char *a, const struct zmem *x,
		     const unsigned char *b, const struct zmem *y)
{
	const unsigned char *da = a + x->data, *db = b + y->data;
	char where[768];
	snprintf(where, sizeof where, "%s%s: ", prefix, name);
	if (x->csize == y->csize && !memcmp(da, db, x->csize))
		return;
	if (x->method == 0 && y->method == 0) {
		c->depth++;
		bd_compare(c, name, where, da, x->csize, db, y->csize);
		c->depth--;
		return;
	}
	struct buf ua = BUF_INIT, ub = BUF_INIT;
	uint64_t bytes = x->csize > y->csize ? x->csize : y->csize;
	if (x->method != 8 || y->method != 8 || inflate_raw(da, x->csize, x->usize, &ua) ||
	    inflate_raw(db, y->csize, y->usize, &ub)) {
		bd_row(c, BC_UNEXPLAINED, bytes, "%s[zip data, method %u vs %u]", where, x->method, y->method);
	} else if (ua.len == ub.len && !memcmp(ua.p, ub.p, ua.len)) {
		bd_row(c, BC_UNEXPLAINED, bytes, "%s[zip data]: same content, other compression", where);
	} else {
		compare_scaled(c, name, where, &ua, &ub, bytes);
	}
	buf_free(&ua);
	buf_free(&ub);
}

static bool zip_units(struct bd_ctx *c, const char *prefix, const unsigned char *a,
		      size_t na, const unsigned char *b, size_t nb)
{
	struct zmem *ma = NULL, *mb = NULL;
	size_t ka = 0, kb = 0;
	const unsigned char *ea, *eb;
	if (zip_list(a, na, &ma, &ka, &ea) || zip_list(b, nb, &mb, &kb, &eb)) {
		free(ma);
		free(mb);
		return false;
	}
	char where[768], name[512];
	bool reordered = false;
	for (size_t k = 0; k < ka; k++) {
		const struct zmem *y = zmem_find(mb, kb, &ma[k]);
		reordered |= y && (size_t)(y - mb) != k;
	}
	for (size_t k = 0; k < ka; k++) {
		const struct zmem *x = &ma[k], *y = zmem_find(mb, kb, x);
		snprintf(name, sizeof name, "%.*s", (int)(x->lname < 400 ? x->lname : 400), x->name);
		if (!y) {
			bd_row(c, BC_UNEXPLAINED, x->csize + 30 + x->lname, "%smember %s only in OLD", prefix, name);
			continue;
		}
		snprintf(where, sizeof where, "%s%s: local header time", prefix, name);
		bd_field(c, where, x->loc + 10, y->loc + 10, 4, BC_TIMESTAMP);
		snprintf(where, sizeof where, "%s%s: central header time", prefix, name);
		bd_field(c, where, x->cen + 12, y->cen + 12, 4, BC_TIMESTAMP);
		snprintf(where, sizeof where, "%s%s: external attributes", prefix, name);
		bd_field(c, where, x->cen + 38, y->cen + 38, 4, BC_MODE);
		snprintf(where, sizeof where, "%s%s: local header", prefix, name);
		zip_extras(c, where, x->loc + 30 + x->lname, u16(x->loc + 28),
			   y->loc + 30 + y->lname, u16(y->loc + 28));
		snprintf(where, sizeof where, "%s%s: central header", prefix, name);
		zip_extras(c, where, x->cen + 46 + x->lname, u16(x->cen + 30),
			   y->cen + 46 + y->lname, u16(y->cen + 30));
		zip_data(c, prefix, name, a, x, b, y);
		if (memcmp(x->cen + 16, y->cen + 16, 12) || memcmp(x->cen + 42, y->cen + 42, 4)) {
			snprintf(where, sizeof where, "%s%s: crc, sizes, offset", prefix, name);
			if (reordered && !memcmp(x->cen + 16, y->cen + 16, 12))
				bd_row(c, BC_ORDER, 16, "%s", where);
			else
				bd_consequence(c, where, 16);
		}
	}
	for (size_t k = 0; k < kb; k++)
		if (!zmem_find(ma, ka, &mb[k]))
			bd_row(c, BC_UNEXPLAINED, mb[k].csize + 30 + mb[k].lname, "%smember %.*s only in NEW",
			       prefix, (int)(mb[k].lname < 400 ? mb[k].lname : 400), mb[k].name);
	if (reordered)
		bd_row(c, BC_ORDER, 0, "%smembers in another order", prefix);
	if (memcmp(ea + 12, eb + 12, 8)) {
		snprintf(where, sizeof where, "%s[zip end of central directory]", prefix);
		bd_consequence(c, where, 8);
	}
	free(ma);
	free(mb);
	return true;
}

/* ------------------------------------------------------------- tar --- */

/* POSIX ustar (and GNU tar's variant): 512-byte headers, each member's
 * data padded to 512.  Members pair by name and occurrence (a pax 'x' or
 * GNU 'L' header is a member of its own, named after the one it
 * describes).  Per member: mtime (timestamp), uid, gid, uname, gname
 * (owner), mode (mode), the checksum and size as consequences, the pax
 * records compared as text (their mtime/atime/ctime values are epoch
 * decimals: timestamp), the data compared as a file. */
static bool tar_magic(const unsigned char *p, size_t n)
{
	return n >= 512 && !memcmp(p + 257, "ustar", 5);
}

int bd_tar_list(const unsigned char *p, size_t n, struct bd_tmem **out, size_t *count)
{
	struct bd_tmem *v = NULL;
	size_t cap = 0, k = 0, off = 0;
	char next[256] = "";
	while (off + 512 <= n) {
		const unsigned char *h = p + off;
		if (!h[0])
			break;                      /* the end blocks */
		if (memcmp(h + 257, "ustar", 5))
			goto bad;
		char sz[13];
		memcpy(sz, h + 124, 12);
		sz[12] = 0;
		char *end;
		unsigned long long size = strtoull(sz, &end, 8);
		if (end == sz || !range_ok(off + 512, size, n))
			goto bad;
		GROW(v, cap, k + 1);
		struct bd_tmem *m = &v[k];
		memset(m, 0, sizeof *m);
		m->hdr = off;
		m->data = off + 512;
		m->size = (size_t)size;
		if (h[156] == 'x' || h[156] == 'L')
			snprintf(m->name, sizeof m->name, "[%s header %zu]", h[156] == 'x' ? "pax" : "long name", k);
		else if (*next)
			snprintf(m->name, sizeof m->name, "%s", next);
		else if (h[345])
			snprintf(m->name, sizeof m->name, "%.155s/%.100s", (const char *)h + 345, (const char *)h);
		else
			snprintf(m->name, sizeof m->name, "%.100s", (const char *)h);
		*next = 0;
		if (h[156] == 'L')
			snprintf(next, sizeof next, "%.*s", (int)(size < 255 ? size : 255), (const char *)p + m->data);
		for (size_t j = 0; j < k; j++)
			m->dup += !strcmp(v[j].name, m->name);
		k++;
		off += 512 + ((size + 511) & ~(size_t)511);
	}
	*out = v;
	*count = k;
	return 0;
bad:
	free(v);
	return -1;
}

/* A pax header pair: the same records but for the times is a timestamp
 * (GNU tar writes nanoseconds without trailing zeros, so the records'
 * lengths move too); anything else compares as bytes. */
static void pax_compare(struct bd_ctx *c, const char *where, const unsigned char *a,
			size_t na, const unsigned char *b, size_t nb)
{
	static const char *const times[] = {"mtime", "atime", "ctime"};
	struct buf xa = BUF_INIT, xb = BUF_INIT;
	bool times_only = true;
	for (int pass = 0; pass < 2; pass++) {
		const unsigned char *p = pass ? b : a;
		size_t n = pass ? nb : na;
		struct buf *o = pass ? &xb : &xa;
		for (size_t off = 0; off < n;) {
			char *end, num[24];
			size_t m = n - off < sizeof num - 1 ? n - off : sizeof num - 1;
			memcpy(num, p + off, m);
			num[m] = 0;
			unsigned long rl = strtoul(num, &end, 10);
			if (end == num || *end != ' ' || !rl || rl > n - off) {
				times_only = false;
				break;
			}
			const char *r = (const char *)p + off + (size_t)(end - num) + 1;
			size_t left = rl - (size_t)(end - num) - 1;
			bool t = false;
			for (int k = 0; k < 3; k++)
				t |= left > 6 && !memcmp(r, times[k], 5) && r[5] == '=';
			if (!t)
				buf_add(o, r, left);   /* the record less its length */
			off += rl;
		}
	}
	if (times_only && xa.len == xb.len && !memcmp(xa.p, xb.p, xa.len)) {
		bd_row(c, BC_TIMESTAMP, na > nb ? na : nb, "%s (mtime, atime, ctime records)", where);
	} else {
		bd_unit(c, where, a, na, b, nb, 0);
	}
	buf_free(&xa);
	buf_free(&xb);
}

static bool tar_units(struct bd_ctx *c, const char *prefix, const unsigned char *a,
		      size_t na, const unsigned char *b, size_t nb)
{
	struct bd_tmem *ma = NULL, *mb = NULL;
	size_t ka = 0, kb = 0;
	if (bd_tar_list(a, na, &ma, &ka) || bd_tar_list(b, nb, &mb, &kb)) {
		free(ma);
		free(mb);
		return false;
	}
	/* pax headers pair by position among pax headers: name them after
	 * the member they precede */
	for (int side = 0; side < 2; side++) {
		struct bd_tmem *v = side ? mb : ma;
		size_t n = side ? kb : ka;
		for (size_t k = 0; k + 1 < n; k++)
			if (v[k].name[0] == '[') {
				char t[sizeof v[k].name + 20];
				snprintf(t, sizeof t, "%s [extended header]", v[k + 1].name);
				snprintf(v[k].name, sizeof v[k].name, "%.280s", t);
			}
	}
	bool reordered = false;
	for (size_t k = 0; k < ka && k < kb; k++)
		reordered |= strcmp(ma[k].name, mb[k].name) != 0;
	char where[768];
	static const struct { size_t off, len; enum bd_cause cause; const char *what; } fields[] = {
		{100, 8, BC_MODE, "mode"}, {108, 8, BC_OWNER, "uid"}, {116, 8, BC_OWNER, "gid"},
		{136, 12, BC_TIMESTAMP, "mtime"}, {265, 32, BC_OWNER, "uname"}, {297, 32, BC_OWNER, "gname"},
	};
	for (size_t k = 0; k < ka; k++) {
		const struct bd_tmem *x = &ma[k], *y = NULL;
		for (size_t j = 0; j < kb && !y; j++)
			if (mb[j].dup == x->dup && !strcmp(mb[j].name, x->name))
				y = &mb[j];
		if (!y) {
			bd_row(c, BC_UNEXPLAINED, 512 + x->size, "%smember %s only in OLD", prefix, x->name);
			continue;
		}
		const unsigned char *ha = a + x->hdr, *hb = b + y->hdr;
		for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
			snprintf(where, sizeof where, "%s%s: tar header %s", prefix, x->name, fields[f].what);
			bd_field(c, where, ha + fields[f].off, hb + fields[f].off, fields[f].len, fields[f].cause);
		}
		snprintf(where, sizeof where, "%s%s: ", prefix, x->name);
		if (ha[156] == 'x' && hb[156] == 'x') {
			if (x->size != y->size || memcmp(a + x->data, b + y->data, x->size)) {
				snprintf(where, sizeof where, "%s%s: pax records", prefix, x->name);
				pax_compare(c, where, a + x->data, x->size, b + y->data, y->size);
			}
		} else {
			c->depth++;
			bd_compare(c, x->name, where, a + x->data, x->size, b + y->data, y->size);
			c->depth--;
		}
		if (memcmp(ha + 124, hb + 124, 12) || memcmp(ha + 148, hb + 148, 8)) {
			snprintf(where, sizeof where, "%s%s: tar header size, checksum", prefix, x->name);
			bd_consequence(c, where, 20);
		}
	}
	for (size_t j = 0; j < kb; j++) {
		bool found = false;
		for (size_t k = 0; k < ka && !found; k++)
			found = ma[k].dup == mb[j].dup && !strcmp(ma[k].name, mb[j].name);
		if (!found)
			bd_row(c, BC_UNEXPLAINED, 512 + mb[j].size, "%smember %s only in NEW", prefix, mb[j].name);
	}
	if (reordered)
		bd_row(c, BC_ORDER, 0, "%smembers in another order", prefix);
	free(ma);
	free(mb);
	return true;
}

/* ---------------------------------------------------------- dispatch --- */

/* A format both sides claim by their magic that one side breaks: one
 * line, and the pair is still compared as bytes. */
static void corrupt(struct bd_ctx *c, const char *prefix, const char *what)
{
	struct diag d = {0};
	if (!c->errs)
		return;
	diag_err(&d, c->path, "%s%s does not parse on one side: compared as bytes", prefix, what);
	diag_warn(c->errs, &d);
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && !strcmp(s + n - m, suf);
}

void bd_compare(struct bd_ctx *c, const char *name, const char *prefix,
		const unsigned char *a, size_t na, const unsigned char *b, size_t nb)
{
	if (na == nb && (!na || !memcmp(a, b, na)))
		return;
	if (c->depth < MAX_DEPTH && na >= 8 && nb >= 8) {
		if (!memcmp(a, "\177ELF", 4) && !memcmp(b, "\177ELF", 4)) {
			if (elf_units(c, prefix, a, na, b, nb))
				return;
			corrupt(c, prefix, "ELF");
		}
		if (!memcmp(a, "!<arch>\n", 8) && !memcmp(b, "!<arch>\n", 8)) {
			if (ar_units(c, prefix, a, na, b, nb))
				return;
			corrupt(c, prefix, "ar archive");
		}
		if (has_suffix(name, ".pyc") && pyc_units(c, prefix, a, na, b, nb))
			return;
		if (a[0] == 0x1f && a[1] == 0x8b && b[0] == 0x1f && b[1] == 0x8b) {
			if (gzip_units(c, prefix, a, na, b, nb))
				return;
			corrupt(c, prefix, "gzip stream");
		}
		if (!memcmp(a, "\x28\xb5\x2f\xfd", 4) && !memcmp(b, "\x28\xb5\x2f\xfd", 4)) {
			if (zstd_units(c, prefix, a, na, b, nb))
				return;
			corrupt(c, prefix, "zstd stream");
		}
		if (!memcmp(a, "\xfd" "7zXZ", 6) && !memcmp(b, "\xfd" "7zXZ", 6)) {
			if (xz_units(c, prefix, a, na, b, nb))
				return;
			corrupt(c, prefix, "xz stream");
		}
		if (tar_magic(a, na) && tar_magic(b, nb)) {
			if (tar_units(c, prefix, a, na, b, nb))
				return;
			corrupt(c, prefix, "tar archive");
		}
		if (!memcmp(a, "PK\3\4", 4) && !memcmp(b, "PK\3\4", 4)) {
			if (zip_units(c, prefix, a, na, b, nb))
				return;
			corrupt(c, prefix, "zip archive");
		}
		if (bd_gpu_units(c, prefix, a, na, b, nb))
			return;
	}
	char where[768];
	snprintf(where, sizeof where, "%s%s", prefix, *prefix ? "[bytes]" : "[file]");
	bd_unit(c, where, a, na, b, nb, 0);
}
