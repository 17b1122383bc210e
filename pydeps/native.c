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
 *
 * Whether a shared object is an extension module at all is the question
 * CPython's loader asks (Python/importdl.c, _PyImport_LoadDynamicModule):
 * it looks up the export PyInit_<last name component> (PyInitU_<punycode>
 * for non-ASCII names, PEP 489) and fails the import without it.  A .so in
 * a package that exports neither is a library the package loads itself
 * (ctypes.CDLL on a path beside __file__, a DT_NEEDED of its extensions):
 * the inventory keeps it as a native file of the package, not a module.
 * The dynamic symbols are read the way ld.so reads them: the run's
 * elf_peek service (the ELF analyzer's object reader: PT_DYNAMIC, the
 * dynamic symbol table), so stripped files answer too.
 */
#include "pyint.h"
#include "../common/run.h"
#include "../common/diag.h"
#include "../common/mfile.h"
#include "../common/util.h"

#include <fcntl.h>
#include <gelf.h>
#include <ctype.h>
#include <libelf.h>
#include <stdio.h>
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

/* a defined, exported dynamic symbol named PyInit_<stem> or PyInitU_* */
struct init_want {
	const char *stem;
	size_t len;
	struct pyset *s;
};

static bool exports_init(const char *n, void *ctx)
{
	const struct init_want *iw = ctx;
	if (!strncmp(n, "PyInitU_", 8))
		return true;
	return !strncmp(n, "PyInit_", 7) && strlen(n + 7) == iw->len &&
	       !memcmp(n + 7, iw->stem, iw->len);
}

/* by file name: a DT_NEEDED with a slash is a path */
static void add_needed(const char *name, void *ctx)
{
	struct pyset *s = ((struct init_want *)ctx)->s;
	const char *b = path_base(name);
	if (!hmap_gets(&s->needed, b)) {
		const char *n = arena_strdup(&s->arena, b);
		hmap_put(&s->needed, n, strlen(n), (void *)1);
	}
}

int pynative_is_extension(struct pyset *s, const char *path, const char *stem,
			  size_t stemlen)
{
	/* without the run's ELF service nothing is known: a native file of
	 * its package, kept with it, never a module that could be pruned */
	if (!s->run || !s->run->elf_peek)
		return 0;
	struct init_want iw = {stem, stemlen, s};
	return s->run->elf_peek(path, exports_init, add_needed, &iw) == 1;
}

/* A ".so" that ends a computed library name, not a literal file name:
 * right after a quote (name + '.so', endswith(".so")), a wildcard ("*.so"),
 * a format field ("lib%s.so", f"lib{name}.so") -- and not followed by an
 * identifier character (".some").  "libfoo.so" names one file, which
 * text_names() matches by name. */
static bool so_pattern(const char *p, size_t n)
{
	for (const char *q = p; (q = memmem(q, n - (q - p), ".so", 3)); q += 3) {
		size_t at = q - p + 3;
		if (at < n && (isalnum((unsigned char)p[at]) || p[at] == '_'))
			continue;
		char b = q > p ? q[-1] : 0;
		if (b == '\'' || b == '"' || b == '*' || b == '}' || b == ')' ||
		    (b == 's' && q - p >= 2 && q[-2] == '%'))
			return true;
	}
	return false;
}

static bool text_names(const char *path, const char *base, const char *stem)
{
	struct mfile mf;
	struct diag d = {0};
	if (mfile_open(&mf, path, &d))
		return true;    /* unreadable source: it may name anything */
	const char *p = (const char *)mf.p;
	bool yes = memmem(p, mf.n, base, strlen(base)) ||
		   (strlen(stem) >= 3 && memmem(p, mf.n, stem, strlen(stem))) ||
		   so_pattern(p, mf.n);
	mfile_close(&mf);
	return yes;
}

bool pynative_named(const struct pyset *s, const char *path, int mod)
{
	const char *base = path_base(path);
	if (hmap_gets(&s->needed, base))
		return true;
	/* libfoo.so.1 / foo.cpython-311.so -> "foo" (find_library's name) */
	char stem[256];
	snprintf(stem, sizeof stem, "%s", base + (strncmp(base, "lib", 3) ? 0 : 3));
	stem[strcspn(stem, ".-")] = 0;
	if (mod < 0)
		return true;    /* not in a package: nothing to search */
	const char *top = s->mods[mod].name;
	size_t tl = strcspn(top, ".");
	for (size_t i = 0; i < s->nmods; i++) {
		const struct pymod *m = &s->mods[i];
		if (strncmp(m->name, top, tl) || (m->name[tl] && m->name[tl] != '.') ||
		    m->root != s->mods[mod].root)
			continue;
		if (m->in_zip || (m->src && text_names(m->src, base, stem)))
			return true;
	}
	return false;
}
