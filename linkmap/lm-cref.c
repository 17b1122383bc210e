/*
 * lm-cref.c - the cross-reference table GNU ld and gold append to a map
 * with --cref (BFD ld/ldcref.c output_cref(); gold/cref.cc):
 *
 *   Cross Reference Table
 *
 *   Symbol                                            File
 *   inflate                                           /x/libz.a(inflate.o)
 *                                                     main.o
 *   a_very_long_demangled(name) const /x/libz.a(y.o)
 *
 * A symbol at column 0, padded to column 50 (or followed by one space when
 * longer), then the file defining it; each further line, indented 50
 * columns, names a file referencing it.  From this slim counts, for each
 * loaded archive member, the symbols it defines that some other file uses:
 * a member only one symbol holds in the link is the cheapest to get rid of
 * (drop that one use and the member goes).  Files the map does not know
 * (shared libraries defining a symbol) are skipped, never added.
 *
 * gold prints the same layout but no defining file for a symbol a shared
 * library resolves ("free   main.o / memory.o"), so there the first file
 * is not always the definer (found by tests/cli/test-linkmap-cref.sh
 * against nm): for gold the caller passes `symdef`, which member defines
 * which symbol per the memory map's symbol lines, and only those count.
 */
#include "linkmap.h"
#include "../common/diag.h"
#include "../common/util.h"

#include <stdlib.h>

#include <string.h>

#define CREF_COL 50

static int32_t known(struct linkmap *m, const char *p, size_t n)
{
	void *v = hmap_get(&m->file_by_path, p, n);
	return v ? (int32_t)((uintptr_t)v - 1) : -1;
}

/* Split a symbol line into symbol and defining file. */
static bool symbol_line(struct lm_str s, struct lm_str *sym, struct lm_str *file)
{
	const char *e = s.p + s.n;
	const char *f = NULL;
	if (s.n > CREF_COL && s.p[CREF_COL - 1] == ' ' && s.p[CREF_COL] != ' ')
		f = s.p + CREF_COL;
	else
		f = memrchr(s.p, ' ', s.n);
	if (!f || f == s.p)
		return false;
	if (*f == ' ')
		f++;
	const char *se = f;
	while (se > s.p && se[-1] == ' ')
		se--;
	*sym = (struct lm_str){s.p, (uint32_t)(se - s.p)};
	*file = (struct lm_str){f, (uint32_t)(e - f)};
	return sym->n && file->n;
}

/* gold: does `def`, listed first for `sym`, define it?  Yes if the memory
 * map printed the symbol in one of def's sections.  A member none of whose
 * sections was kept (a dead one) prints no symbols: trust the table there. */
static bool gold_defines(const struct linkmap *m, const struct hmap *symdef,
			 const bool *live, struct lm_str sym, int32_t def)
{
	uintptr_t v = (uintptr_t)hmap_get(symdef, sym.p, sym.n);
	if (v)
		return v == (uintptr_t)def + 1;
	(void)m;
	return !live[def];
}

void lm_parse_cref(struct linkmap *m, struct lm_lines *r, const struct hmap *symdef)
{
	struct lm_str s, sym = {0}, file;
	int32_t def = -1;
	bool counted = false;
	m->has_cref = true;
	bool *live = xcalloc(m->nfiles + 1, sizeof *live);
	for (size_t i = 0; i < m->nisecs; i++)
		if (m->isecs[i].state == LM_ISEC_LIVE && m->isecs[i].size)
			live[m->isecs[i].file] = true;
	while (lm_next_line(r, &s)) {
		if (!s.n || (s.n >= 6 && !memcmp(s.p, "Symbol", 6) && r->lineno < 8))
			continue;
		if (s.p[0] != ' ') {
			def = symbol_line(s, &sym, &file) ? known(m, file.p, file.n) : -1;
			if (def >= 0 && !m->files[def].loaded)
				def = -1;   /* only archive members are of interest */
			if (def >= 0 && symdef && !gold_defines(m, symdef, live, sym, def))
				def = -1;   /* gold: the first file only uses it */
			counted = false;
			continue;
		}
		if (def < 0 || counted)
			continue;
		const char *f = s.p;
		while (f < s.p + s.n && *f == ' ')
			f++;
		int32_t ref = known(m, f, (size_t)(s.p + s.n - f));
		if (ref < 0 || ref == def)
			continue;
		struct lm_file *d = &m->files[def];
		if (!d->xref_syms++) {
			d->xref_sym = arena_strndup(&m->arena, sym.p, sym.n);
			d->xref_by = ref;
		}
		counted = true;
	}
	free(live);
}
