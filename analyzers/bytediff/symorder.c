/*
 * symorder.c - a symbol table in another order (issue #16: "member or
 * symbol order (same multiset, other order)").
 *
 * Two ELF symbol tables hold the same symbols when, each entry's st_name
 * resolved through its own side's string table, the sorted lists of
 * (name, and the entry's other bytes: value, size, info, other, section
 * index) compare equal.  That is the normalization "the order sorted" of
 * the issue, applied and checked: a symbol whose value or section moved
 * is not the same symbol, so a link that laid the code out in another
 * order is never called `order` here.  The string table is then another
 * layout of the same names when every byte of it lies in a name some
 * symbol points to (linkers share suffixes, as gold does, so a string
 * table need not be a permutation of NUL-terminated strings); the caller
 * takes a plain permutation of strings first (bd_same_lines()).
 *
 * Layouts (the ELF gABI): Elf64_Sym is st_name u32, st_info u8, st_other
 * u8, st_shndx u16, st_value u64, st_size u64 (24 bytes); Elf32_Sym is
 * st_name, st_value, st_size u32, st_info, st_other u8, st_shndx u16 (16
 * bytes).  Only st_name is read as a number (in the file's byte order);
 * the rest compares as bytes, which needs no byte order.  A name offset
 * past its string table, or a name without its NUL, fails the check.
 */
#include "bdunits.h"

#include <stdlib.h>
#include <string.h>

#include "../../common/bytes.h"
#include "../../common/util.h"

struct sym {
	const char *name;
	size_t lname;
	unsigned char rest[20];     /* the entry less st_name, zero-filled */
};

static size_t entsize(bool is64)
{
	return is64 ? 24 : 16;
}

static int cmp_sym(const void *x, const void *y)
{
	const struct sym *a = x, *b = y;
	size_t n = a->lname < b->lname ? a->lname : b->lname;
	int r = memcmp(a->name, b->name, n);
	if (r || a->lname != b->lname)
		return r ? r : (a->lname > b->lname) - (a->lname < b->lname);
	return memcmp(a->rest, b->rest, sizeof a->rest);
}

static uint32_t name_of(const unsigned char *ent, bool msb)
{
	return msb ? (uint32_t)ent[0] << 24 | (uint32_t)ent[1] << 16 | (uint32_t)ent[2] << 8 | ent[3] :
		     le32(ent);
}

/* The symbols of one table, names resolved; NULL when a name does not
 * resolve. */
static struct sym *syms(const unsigned char *p, size_t n, struct bd_bytes str, bool is64,
			bool msb, size_t *count)
{
	size_t w = entsize(is64), k = n / w;
	if (!k || n % w)
		return NULL;
	struct sym *v = xcalloc(k, sizeof *v);
	for (size_t i = 0; i < k; i++) {
		const unsigned char *e = p + i * w;
		uint32_t off = name_of(e, msb);
		if (off >= str.n || !memchr(str.p + off, 0, str.n - off)) {
			free(v);
			return NULL;
		}
		v[i].name = (const char *)str.p + off;
		v[i].lname = strlen(v[i].name);
		memcpy(v[i].rest, e + 4, w - 4);
	}
	*count = k;
	return v;
}

bool bd_symtab_same_set(const unsigned char *a, size_t na, struct bd_bytes stra,
			const unsigned char *b, size_t nb, struct bd_bytes strb,
			bool is64, bool msb, size_t *count)
{
	size_t ka = 0, kb = 0;
	struct sym *va = syms(a, na, stra, is64, msb, &ka), *vb = syms(b, nb, strb, is64, msb, &kb);
	bool same = va && vb && ka == kb;
	if (same) {
		qsort(va, ka, sizeof *va, cmp_sym);
		qsort(vb, kb, sizeof *vb, cmp_sym);
		for (size_t i = 0; same && i < ka; i++)
			same = !cmp_sym(&va[i], &vb[i]);
		*count = ka;
	}
	free(va);
	free(vb);
	return same;
}

bool bd_strtab_only_names(const unsigned char *sym, size_t nsym, struct bd_bytes str,
			  bool is64, bool msb)
{
	size_t w = entsize(is64);
	if (!str.n || nsym % w)
		return false;
	unsigned char *used = xcalloc(str.n, 1);
	used[0] = 1;                 /* the empty name */
	bool ok = true;
	for (size_t i = 0; ok && i < nsym / w; i++) {
		uint32_t off = name_of(sym + i * w, msb);
		const unsigned char *z = off < str.n ? memchr(str.p + off, 0, str.n - off) : NULL;
		if (!z) {
			ok = false;
			break;
		}
		memset(used + off, 1, (size_t)(z - (str.p + off)) + 1);
	}
	for (size_t i = 0; ok && i < str.n; i++)
		ok = used[i];
	free(used);
	return ok;
}
