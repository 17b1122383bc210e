/*
 * sizes.c - where the bytes of the analyzed file are: every section's size
 * (split alloc / non-alloc / debug, as `size -A` and bloaty count them),
 * the bytes no section covers (headers, padding), and the largest symbols
 * of .symtab where the file still has one (elfutils src/size.c, nm -S).
 */
#include "elf-int.h"
#include "../../graph/graph.h"

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
	qsort(t, m, sizeof *t, cmp_top);
	json_t *arr = json_array();
	for (size_t i = 0; i < m && i < (size_t)top; i++)
		json_array_append_new(arr, json_pack("{s:s,s:I}", "name", t[i].name,
						     "size", (json_int_t)t[i].size));
	json_object_set_new(attrs, "largest_symbols", arr);
	free(t);
}

void elf_sizes(struct eobj *o, json_t *attrs, int top)
{
	size_t shstrndx;
	uint64_t alloc = 0, nonalloc = 0, debug = 0, covered = 0;
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
		if (sh->sh_flags & SHF_ALLOC)
			alloc += sh->sh_size;
		else if (!strncmp(name, ".debug", 6) || !strncmp(name, ".zdebug", 7))
			debug += fsz;
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
	attr_int(attrs, "bytes_unattributed", (long long)(o->mf.n > covered ? o->mf.n - covered : 0));
	if (symtab)
		top_symbols(o->elf, symtab, &symsh, attrs, top);
}
