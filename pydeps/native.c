/*
 * native.c - what an extension module imports from C.
 *
 * C code imports with PyImport_ImportModule("name") and friends, so the
 * names are NUL-terminated strings in the shared object's read-only data
 * (CPython's Modules/_datetimemodule.c imports "_strptime" only when
 * strptime() is called; Modules/_pickle.c imports "copyreg" and
 * "_compat_pickle").  We read the .rodata* sections with libelf and keep
 * every string that is exactly the dotted name of a module in the
 * inventory, as an `elf-string` reference followed like an import: a
 * module a kept extension can import by name is never pruned.  This is a
 * heuristic that errs on keeping: a C string that happens to equal a
 * module name keeps that module.
 */
#include "pyint.h"
#include "../common/diag.h"
#include "../common/mfile.h"
#include "../common/util.h"

#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

static void strings(const struct pyset *s, struct pymod *m, const char *p,
		    size_t n)
{
	size_t i = 0;
	while (i < n) {
		const char *z = memchr(p + i, 0, n - i);
		size_t len = z ? (size_t)(z - (p + i)) : n - i;
		if (len >= 2 && len <= 128 && py_is_dotted_name(p + i, len) &&
		    pyset_find(s, p + i, len) >= 0) {
			GROW(m->refs, m->caprefs, m->nrefs + 1);
			struct pyref *r = &m->refs[m->nrefs++];
			memset(r, 0, sizeof *r);
			r->name = xstrndup(p + i, len);
			r->tag = PYT_ELFSTR;
		}
		i += len + 1;
	}
}

void pynative_scan(const struct pyset *s, struct pymod *m)
{
	struct mfile mf;
	struct diag d = {0};
	if (!m->so || mfile_open(&mf, m->so, &d)) {
		m->scan_failed = true;
		return;
	}
	Elf *e = elf_memory((char *)mf.p, mf.n);
	size_t shstrndx;
	if (!e || elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx)) {
		m->scan_failed = true;
		goto out;
	}
	for (Elf_Scn *scn = elf_nextscn(e, NULL); scn; scn = elf_nextscn(e, scn)) {
		GElf_Shdr mem;
		GElf_Shdr *sh = gelf_getshdr(scn, &mem);
		if (!sh || sh->sh_type != SHT_PROGBITS)
			continue;
		const char *name = elf_strptr(e, shstrndx, sh->sh_name);
		if (!name || strncmp(name, ".rodata", 7))
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (data && data->d_buf && data->d_size)
			strings(s, m, data->d_buf, data->d_size);
	}
out:
	if (e)
		elf_end(e);
	mfile_close(&mf);
}
