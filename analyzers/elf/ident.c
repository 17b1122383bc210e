/*
 * ident.c - the node id and kind of an ELF file, by the one rule of
 * graph/ids.h, for commands that name a file without analyzing its closure
 * (`slim fatbin --json`): the same id `slim report` and `slim elf` give it.
 *
 * A file analyzed on its own is a program (exe:NAME) when eobj_is_program()
 * says so, the test elf_analyze() applies to its root (elfutils'
 * elfclassify rules); otherwise a library named by its DT_SONAME, or by its
 * file name when it has none.
 *
 * elf_peek() answers what another analyzer may ask of one shared object
 * without analyzing it (pydeps: does it export PyInit_NAME, what does it
 * list in DT_NEEDED), through the same object reader ld.so's view is built
 * on (PT_DYNAMIC, the dynamic symbol table), so stripped files answer too.
 */
#include "slim-elf.h"
#include "eobj.h"
#include "../../common/diag.h"
#include "../../graph/ids.h"

#include <errno.h>
#include <libelf.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int elf_file_id(struct graph *g, const char *path, const char **id,
		const char **kind, struct diag *d)
{
	elf_version(EV_CURRENT);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return diag_err(d, path, "%s", strerror(errno));
	struct eobj o;
	if (eobj_open_fd(&o, fd, path, d))
		return -1;
	bool exe = eobj_is_program(&o);
	*id = ids_elf(g, exe, o.soname, path);
	*kind = ids_elf_kind(exe);
	eobj_close(&o);
	return 0;
}

int elf_peek(const char *path, bool (*want)(const char *sym, void *ctx),
	     void (*needed)(const char *name, void *ctx), void *ctx)
{
	elf_version(EV_CURRENT);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct eobj o;
	struct diag d = {0};
	if (eobj_open_fd(&o, fd, path, &d))
		return -1;    /* eobj_open_fd took fd and closed it */
	for (size_t i = 0; needed && i < o.nneeded; i++)
		needed(o.needed[i], ctx);
	int rc = 0;
	if (want && !eobj_symbols(&o, &d)) {
		for (size_t i = 1; i < o.nsyms && !rc; i++) {
			GElf_Sym sym;
			if (!eobj_sym(&o, i, &sym) || sym.st_shndx == SHN_UNDEF)
				continue;
			int b = GELF_ST_BIND(sym.st_info);
			if (b == STB_GLOBAL || b == STB_WEAK)
				rc = want(eobj_symname(&o, &sym), ctx);
		}
	}
	eobj_close(&o);
	return rc;
}
