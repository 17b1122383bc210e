/*
 * lm-binary.c - does a linker map describe this executable?  `slim report
 * BIN --map MAP` merges the map's findings into BIN's node, so a map of
 * another program (or of an older build) must be refused, not merged.
 *
 * Every linker prints each output section with its address and size (BFD
 * ldlang.c print_output_section_statement(), gold mapfile.cc, lld
 * MapFile.cpp, mold mapfile.cc), and the section headers of the output
 * carry the same two numbers; strip(1) removes symbol and debug sections
 * but never moves or resizes an allocated one, so a stripped BIN still
 * matches its map.  The check: every SHF_ALLOC section of BIN with a size
 * that the map names as an output section has the map's address and size,
 * and at least one section is compared.  Section headers are read with
 * libelf (elf_memory, gelf_getshdr).  Output sections the map names twice
 * (a script can split one name) are compared with the first; .text is
 * compared first, so a refusal names it when it differs.
 */
#include "linkmap.h"
#include "../common/diag.h"
#include "../common/util.h"

#include <gelf.h>
#include <inttypes.h>
#include <string.h>

static const struct lm_osec *find_osec(const struct linkmap *m, const char *name)
{
	size_t l = strlen(name);
	for (size_t i = 0; i < m->nosecs; i++)
		if (m->osecs[i].name.n == l && !memcmp(m->osecs[i].name.p, name, l))
			return &m->osecs[i];
	return NULL;
}

int linkmap_check_binary(const struct linkmap *m, const char *bin,
			 const void *p, size_t n, struct diag *d)
{
	elf_version(EV_CURRENT);
	Elf *e = elf_memory((char *)p, n);
	size_t shstrndx;
	int rc = -1;
	if (!e || elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx)) {
		diag_err_at(d, bin, 0, "cannot read section headers: %s", elf_errmsg(-1));
		goto out;
	}
	/* .text first: the section a reader recognizes, where it differs */
	size_t compared = 0;
	for (int pass = 0; pass < 2; pass++) {
		Elf_Scn *scn = NULL;
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);
			if (!sh || !(sh->sh_flags & SHF_ALLOC) || !sh->sh_size)
				continue;
			const char *name = elf_strptr(e, shstrndx, sh->sh_name);
			if (!name || (pass == 0) != !strcmp(name, ".text"))
				continue;
			const struct lm_osec *o = find_osec(m, name);
			if (!o)
				continue;
			if (o->addr != sh->sh_addr || o->size != sh->sh_size) {
				diag_err(d, m->path, "%s map does not describe %s: %s at 0x%" PRIx64
					 " size %" PRIu64 " in the map, 0x%" PRIx64 " size %" PRIu64
					 " in the file", linkmap_linker_name(m->linker), bin, name,
					 o->addr, o->size, (uint64_t)sh->sh_addr, (uint64_t)sh->sh_size);
				goto out;
			}
			compared++;
		}
	}
	if (!compared) {
		diag_err(d, m->path, "%s map does not describe %s: none of its allocated sections is an output section of the map",
			 linkmap_linker_name(m->linker), bin);
		goto out;
	}
	rc = 0;
out:
	if (e)
		elf_end(e);
	return rc;
}
