/*
 * sizes.c - where the bytes of the analyzed file are: every section's size
 * (split alloc / non-alloc / debug, as `size -A` and bloaty count them),
 * the bytes no section covers (headers, padding), the largest symbols of
 * .symtab where the file still has one (elfutils src/size.c, nm -S), and,
 * where DWARF exists (in the file, or in the separate debug file its
 * build ID names under /usr/lib/debug/.build-id, as gdb finds it), the
 * code bytes of each compile unit: the sum of its address ranges
 * (DW_AT_low_pc/high_pc or DW_AT_ranges, read with libdw).
 *
 * Bytes are file bytes: an allocated SHT_NOBITS section (.bss, .tbss,
 * .lbss) takes memory at run time but no byte of the file, so its size is
 * counted apart (bytes_memory_only), and bytes_alloc + bytes_debug +
 * bytes_nonalloc + bytes_unattributed equals the file's size wherever
 * sections neither overlap nor run past the end.
 */
#include "elf-int.h"
#include "../../common/diag.h"
#include "../../common/memlimit.h"
#include "../../common/mfile.h"
#include "../../common/util.h"
#include "../../graph/graph.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <stdlib.h>
#include <string.h>

struct top { const char *name; uint64_t size; };

static int cmp_top(const void *a, const void *b)
{
	const struct top *x = a, *y = b;
	if (x->size != y->size)
		return x->size < y->size ? 1 : -1;
	return strcmp(x->name, y->name);
}

static void put_top(json_t *attrs, const char *key, struct top *t, size_t m, int top)
{
	if (m)   /* t may be NULL then */
		qsort(t, m, sizeof *t, cmp_top);
	json_t *arr = json_array();
	for (size_t i = 0; i < m && i < (size_t)top; i++)
		json_array_append_new(arr, json_pack("{s:s,s:I}", "name", t[i].name,
						     "size", (json_int_t)t[i].size));
	json_object_set_new(attrs, key, arr);
}

static void top_symbols(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, json_t *attrs, int top)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	if (!data || !sh->sh_entsize)
		return;
	size_t n = sh->sh_size / sh->sh_entsize, m = 0;
	struct top *t = calloc(n + 1, sizeof *t);
	for (size_t i = 0; t && i < n; i++) {
		GElf_Sym mem, *sym = gelf_getsym(data, (int)i, &mem);
		if (!sym || !sym->st_size || sym->st_shndx == SHN_UNDEF)
			continue;
		int type = GELF_ST_TYPE(sym->st_info);
		if (type != STT_FUNC && type != STT_OBJECT && type != STT_TLS)
			continue;
		const char *name = elf_strptr(elf, sh->sh_link, sym->st_name);
		if (name && *name)
			t[m++] = (struct top){name, sym->st_size};
	}
	if (!t)
		return;
	put_top(attrs, "largest_symbols", t, m, top);
	free(t);
}

/* Bytes libdw would allocate to decompress the DWARF sections of `elf`
 * (it inflates every compressed .debug_* section it knows at once). */
static uint64_t inflated_debug_bytes(Elf *elf)
{
	size_t shstrndx;
	uint64_t sum = 0;
	if (elf_getshdrstrndx(elf, &shstrndx))
		return 0;
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(elf, scn));) {
		GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);
		const char *name = sh ? elf_strptr(elf, shstrndx, sh->sh_name) : NULL;
		if (!name || sh->sh_type == SHT_NOBITS)
			continue;
		if ((sh->sh_flags & SHF_COMPRESSED) && !strncmp(name, ".debug", 6)) {
			GElf_Chdr ch;
			if (gelf_getchdr(scn, &ch))
				sum += ch.ch_size;
		} else if (!strncmp(name, ".zdebug", 7)) {
			/* GNU style: "ZLIB" and the size, big-endian */
			Elf_Data *d = elf_rawdata(scn, NULL);
			if (d && d->d_size >= 12 && !memcmp(d->d_buf, "ZLIB", 4)) {
				const unsigned char *b = (const unsigned char *)d->d_buf + 4;
				uint64_t v = 0;
				for (int i = 0; i < 8; i++)
					v = v << 8 | b[i];
				sum += v;
			}
		}
	}
	return sum;
}

/* Code bytes per compile unit of `elf`.  Returns false when it has no
 * DWARF; a unit or range list libdw cannot read ends the walk with a
 * warning (units before it are kept). */
static bool compile_units(Elf *elf, const char *path, json_t *attrs, int top,
			  struct diag_list *w)
{
	uint64_t inflate = inflated_debug_bytes(elf);
	if (inflate && !memlimit_headroom(inflate + (64ull << 20))) {
		struct diag d = {0};
		diag_err(&d, path, "compile units not counted: its compressed DWARF "
			 "inflates to %llu MiB, past the memory limit (--max-memory)",
			 (unsigned long long)(inflate >> 20));
		diag_warn(w, &d);
		return true;
	}
	Dwarf *dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	if (!dw)
		return false;
	struct top *t = NULL;
	size_t m = 0, cap = 0;
	uint64_t total = 0;
	Dwarf_CU *cu = NULL;
	Dwarf_Die cudie;
	uint8_t type;
	int rc;
	while ((rc = dwarf_get_units(dw, cu, &cu, NULL, &type, &cudie, NULL)) == 0) {
		if (type != DW_UT_compile && type != DW_UT_skeleton && type != DW_UT_partial)
			continue;
		uint64_t bytes = 0;
		Dwarf_Addr base, start, end;
		ptrdiff_t off = 0;
		while ((off = dwarf_ranges(&cudie, off, &base, &start, &end)) > 0)
			if (end > start)
				bytes += end - start;
		if (off < 0) {
			diag_warn_at(w, path, dwarf_dieoffset(&cudie),
				     "compile unit's address ranges unreadable: %s",
				     dwarf_errmsg(-1));
			break;
		}
		if (!bytes)
			continue;
		const char *name = dwarf_diename(&cudie);
		GROW(t, cap, m + 1);
		t[m++] = (struct top){name && *name ? name : "?", bytes};
		total += bytes;
	}
	if (rc < 0) {
		struct diag d = {0};
		diag_err(&d, path, ".debug_info: a unit libdw cannot read (%s); "
			 "compile units after it not counted", dwarf_errmsg(-1));
		diag_warn(w, &d);
	}
	attr_int(attrs, "compile_units", (long long)m);
	attr_int(attrs, "bytes_in_compile_units", (long long)total);
	/* names point into the DWARF data: copied by json before dwarf_end */
	put_top(attrs, "largest_compile_units", t, m, top);
	free(t);
	dwarf_end(dw);
	return true;
}

/* The separate debug file of `o` (Debian's -dbgsym/-dbg packages, and
 * `objcopy --only-keep-debug` by hand): /usr/lib/debug/.build-id/NN/REST.debug
 * inside the sysroot, taken only when its own build ID is the same. */
static void debug_file(struct elf_ctx *c, struct eobj *o, json_t *attrs, int top,
		       struct diag_list *w)
{
	const void *id;
	ssize_t n = dwelf_elf_gnu_build_id(o->elf, &id);
	if (n < 2 || n > 64)
		return;
	char path[200];
	int at = snprintf(path, sizeof path, "/usr/lib/debug/.build-id/%02x/",
			  ((const unsigned char *)id)[0]);
	for (ssize_t i = 1; i < n; i++)
		at += snprintf(path + at, sizeof path - (size_t)at, "%02x",
			       ((const unsigned char *)id)[i]);
	snprintf(path + at, sizeof path - (size_t)at, ".debug");
	struct mfile f = {0};
	struct diag d = {0};
	if (mfile_open_at(&f, c->rootfd, path, &d))
		return;   /* none installed: the common case */
	Elf *e = elf_memory((char *)f.p, f.n);
	const void *id2;
	if (e && elf_kind(e) == ELF_K_ELF && dwelf_elf_gnu_build_id(e, &id2) == n &&
	    !memcmp(id, id2, (size_t)n)) {
		if (compile_units(e, path, attrs, top, w))
			attr_str(attrs, "debug_file", path);
	} else {
		struct diag d2 = {0};
		diag_err(&d2, path, "not the debug file of %s (%s)", o->mf.path,
			 e && elf_kind(e) == ELF_K_ELF ? "another build ID" : "not ELF");
		diag_warn(w, &d2);
	}
	if (e)
		elf_end(e);
	mfile_close(&f);
}

void elf_sizes(struct elf_ctx *c, struct eobj *o, json_t *attrs, int top,
	       struct diag_list *w)
{
	size_t shstrndx;
	uint64_t alloc = 0, nonalloc = 0, debug = 0, covered = 0, memonly = 0;
	bool has_dwarf = false;
	json_t *secs = json_array();
	Elf_Scn *scn = NULL, *symtab = NULL;
	GElf_Shdr symsh = {0};
	if (elf_getshdrstrndx(o->elf, &shstrndx))
		shstrndx = 0;
	while ((scn = elf_nextscn(o->elf, scn))) {
		GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);
		if (!sh || sh->sh_type == SHT_NULL)
			continue;
		const char *name = elf_strptr(o->elf, shstrndx, sh->sh_name);
		if (!name)
			name = "?";
		if (sh->sh_type == SHT_SYMTAB) {
			symtab = scn;
			symsh = *sh;
		}
		uint64_t fsz = sh->sh_type == SHT_NOBITS ? 0 : sh->sh_size;
		if ((sh->sh_flags & SHF_ALLOC) && sh->sh_type == SHT_NOBITS)
			memonly += sh->sh_size;
		else if (sh->sh_flags & SHF_ALLOC)
			alloc += fsz;
		else if (!strncmp(name, ".debug", 6) || !strncmp(name, ".zdebug", 7)) {
			debug += fsz;
			has_dwarf |= !strcmp(name, ".debug_info") || !strcmp(name, ".zdebug_info");
		}
		else
			nonalloc += fsz;
		covered += fsz;
		json_array_append_new(secs, json_pack("{s:s,s:I,s:I,s:b}", "name", name,
						      "size", (json_int_t)sh->sh_size,
						      "file_bytes", (json_int_t)fsz,
						      "alloc", (sh->sh_flags & SHF_ALLOC) != 0));
	}
	json_object_set_new(attrs, "sections", secs);
	attr_int(attrs, "bytes_alloc", (long long)alloc);
	attr_int(attrs, "bytes_nonalloc", (long long)nonalloc);
	attr_int(attrs, "bytes_debug", (long long)debug);
	attr_int(attrs, "bytes_memory_only", (long long)memonly);
	attr_int(attrs, "bytes_unattributed", (long long)(o->mf.n > covered ? o->mf.n - covered : 0));
	if (symtab)
		top_symbols(o->elf, symtab, &symsh, attrs, top);
	/* (libdw only where there is DWARF to read: no allocation for the
	 * common stripped file, whose debug file is one failed open away) */
	if (!has_dwarf || !compile_units(o->elf, o->mf.path, attrs, top, w))
		debug_file(c, o, attrs, top, w);
}
