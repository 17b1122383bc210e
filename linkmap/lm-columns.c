/*
 * lm-columns.c - maps of lld and mold, and lld's --why-extract output.
 *
 * Both print one header line, then one line per output section, input
 * section and symbol, told apart by indentation after fixed number columns
 * (lld: lld/ELF/MapFile.cpp writeHeader()/printMap(), "%16llx %16llx %8llx
 * %5llu " then 0, 8 or 16 spaces; mold: mold/mapfile.cc print_map(),
 * "{:>18} {:>10} {:>5} " then the same indents):
 *
 *   lld:            VMA              LMA     Size Align Out     In      Symbol
 *                   2a8              2a8       1c     1 .interp
 *                   2a8              2a8       1c     1         <internal>:(.interp)
 *                  f600             f600        6     1                 sym
 *   mold:              VMA       Size Align Out     In      Symbol
 *                    0x30c         32     4 .note.ABI-tag
 *                    0x30c         32     4         /x/Scrt1.o:(.note.ABI-tag)
 *
 * lld numbers are hex without "0x" (align decimal); mold prints the VMA
 * with "0x" and size and align in decimal.  An input is "FILE:(SECTION)",
 * FILE being "ARCHIVE(MEMBER)" for archive members and "<internal>" for
 * linker-made sections.  Neither lists discarded sections nor why a member
 * was loaded: lld writes that with --why-extract=FILE, and mold's
 * --print-dependencies names every section a loaded member's sections
 * need or are needed by (both read below).
 */
#include "linkmap.h"
#include "../common/diag.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>

struct cols {
	struct linkmap *m;
	struct diag *d;
	uint32_t line;
	int32_t osec;
	uint32_t internal;   /* file index of "<internal>" */
	uint32_t script;     /* file index of "<script>": BYTE(), ALIGN() */
};

static int bad(struct cols *c, const char *what, const char *p, const char *e)
{
	size_t n = (size_t)(e - p);
	const char *sp = memchr(p, ' ', n);
	if (sp)
		n = (size_t)(sp - p);
	return diag_err_line(c->d, c->m->path, c->line, "%s '%.*s'", what,
			     (int)(n > 40 ? 40 : n), p);
}

/* One number column: base 16 (lld; mold VMA with "0x") or 10. */
static int column(struct cols *c, const char **pp, const char *e, int base,
		  uint64_t *v)
{
	const char *p = lm_skip_spaces(*pp, e);
	int rc = lm_number(&p, e, base, v);
	if (rc)
		return bad(c, rc > 0 ? "expected a number, found"
			       : "malformed or overflowing number", p, e);
	*pp = p;
	return 0;
}

/* "FILE:(SECTION)" -> file index and the section name */
static int input_spec(struct cols *c, const char *p, const char *e,
		      uint32_t *file, struct lm_str *name)
{
	const char *q = NULL;
	for (const char *s = e - 2; s >= p; s--)
		if (s[0] == ':' && s[1] == '(') {
			q = s;
			break;
		}
	if (!q || e[-1] != ')')
		return 1;
	*file = (q - p == 10 && !memcmp(p, "<internal>", 10))
		? c->internal : lm_file_intern(c->m, p, (size_t)(q - p));
	name->p = q + 2;
	name->n = (uint32_t)(e - 1 - (q + 2));
	return 0;
}

static int cols_line(struct cols *c, struct lm_str s, bool lld)
{
	struct linkmap *m = c->m;
	const char *p = s.p, *e = s.p + s.n;
	uint64_t vma, lma, size, align;
	if (column(c, &p, e, 16, &vma) ||
	    (lld && column(c, &p, e, 16, &lma)) ||
	    column(c, &p, e, lld ? 16 : 10, &size) ||
	    column(c, &p, e, 10, &align))
		return -1;
	if (align > UINT32_MAX)
		return bad(c, "alignment out of range", s.p, e);
	if (p == e || *p != ' ')
		return bad(c, "line ends after the number columns", s.p, e);
	const char *t = p + 1, *text = lm_skip_spaces(t, e);
	size_t indent = (size_t)(text - t);
	if (text == e)
		return bad(c, "line has no section or symbol name", s.p, e);
	if (indent >= 16)
		return 0;              /* a symbol */
	if (indent == 0) {
		if (memmem(text, (size_t)(e - text), " = ", 3))
			return 0;      /* a script assignment */
		c->osec = (int32_t)lm_add_osec(m, text, (size_t)(e - text), vma,
					       size, c->line);
		m->osecs[c->osec].align = (uint32_t)align;
		return 0;
	}
	if (indent != 8)
		return bad(c, "unexpected indentation before", text, e);
	uint32_t fi;
	struct lm_str name;
	int state = LM_ISEC_LIVE;
	if (input_spec(c, text, e, &fi, &name)) {
		/* a script statement: "BYTE ( 1 )", ". = ALIGN ( 32 )" with
		 * the bytes it adds (data or padding) */
		fi = c->script;
		name = (struct lm_str){text, (uint32_t)(e - text)};
		state = LM_ISEC_FILL;
	}
	if (c->osec < 0)
		return diag_err_line(c->d, m->path, c->line,
				     "input section before any output section");
	lm_add_isec(m, (uint32_t)c->osec, fi, name.p, name.n, vma, size,
		    (uint32_t)align, state, c->line);
	return 0;
}

int lm_parse_columns(struct linkmap *m, const char *p, size_t n,
		     struct diag_list *w, struct diag *d)
{
	struct cols c = {.m = m, .d = d, .osec = -1};
	c.internal = lm_file_intern(m, "<internal>", 10);
	c.script = lm_file_intern(m, "<script>", 8);
	struct lm_lines r = {p, p + n, 0};
	struct lm_str s;
	bool lld = m->linker == LM_LLD;
	lm_next_line(&r, &s);          /* the header, checked by detect */
	while (lm_next_line(&r, &s)) {
		c.line = r.lineno;
		if (!s.n)
			continue;
		if (cols_line(&c, s, lld))
			return -1;
	}
	m->nlines = r.lineno;
	return 0;
}

/* One why-extract line: "REFERENCE<TAB>EXTRACTED<TAB>SYMBOL".  lld writes
 * "--start-lib"/"-u" and the like as the reference for command-line
 * causes; those keep pulled_by = -1 and only set the symbol. */
static int why_line(struct linkmap *m, const char *path, uint32_t line,
		    struct lm_str s, struct diag *d)
{
	const char *e = s.p + s.n;
	const char *t1 = memchr(s.p, '\t', s.n);
	const char *t2 = t1 ? memchr(t1 + 1, '\t', (size_t)(e - t1 - 1)) : NULL;
	if (!t2 || t2 + 1 == e)
		return diag_err_line(d, path, line,
				     "expected 'reference<TAB>extracted<TAB>symbol'");
	uint32_t mem = lm_file_intern(m, t1 + 1, (size_t)(t2 - t1 - 1));
	struct lm_file *f = &m->files[mem];
	f->loaded = true;
	if (f->pulled_sym)
		return 0;      /* the first reason is the one lld acted on */
	f->pulled_sym = arena_strndup(&m->arena, t2 + 1, (size_t)(e - t2 - 1));
	if (s.p[0] != '-') {
		uint32_t by = lm_file_intern(m, s.p, (size_t)(t1 - s.p));
		m->files[mem].pulled_by = (int32_t)by;
	}
	return 0;
}

/* "FILE:(SECTION)" or "FILE" -> the file part */
static struct lm_str dep_file(const char *p, const char *e)
{
	for (const char *q = e - 2; q >= p; q--)
		if (q[0] == ':' && q[1] == '(' && e[-1] == ')')
			return (struct lm_str){p, (uint32_t)(q - p)};
	return (struct lm_str){p, (uint32_t)(e - p)};
}

static bool is_member(const struct lm_str f)
{
	return f.n > 3 && f.p[f.n - 1] == ')' && memchr(f.p, '(', f.n);
}

struct dep {
	uint32_t from, to;
	const char *sym;     /* points into the deps buffer, until '\n' */
	uint32_t symlen;
	uint32_t order;      /* line order, to keep the sort stable */
};

struct deps {
	struct dep *v;
	size_t n, cap;
};

/* One mold --print-dependencies line: "SEC1<TAB>SEC2<TAB>u|w<TAB>SYMBOL",
 * SEC1 needing SEC2 for SYMBOL.  Every archive member named was loaded;
 * references between different files are kept for the pull chains. */
static void dep_line(struct linkmap *m, struct deps *ds, struct lm_str s)
{
	const char *e = s.p + s.n, *t[3];
	const char *q = s.p;
	for (int i = 0; i < 3; i++) {
		t[i] = memchr(q, '\t', (size_t)(e - q));
		if (!t[i])
			return;    /* comments, "removing unused section" */
		q = t[i] + 1;
	}
	struct lm_str from = dep_file(s.p, t[0]), to = dep_file(t[0] + 1, t[1]);
	if (!is_member(to) || (from.n == to.n && !memcmp(from.p, to.p, from.n)))
		return;
	uint32_t ti = lm_file_intern(m, to.p, to.n);
	m->files[ti].loaded = true;
	void *fv = hmap_get(&m->file_by_path, from.p, from.n);
	if (!fv && !is_member(from))
		return;    /* a shared library: not an input object */
	uint32_t fi = fv ? (uint32_t)(uintptr_t)fv - 1 : lm_file_intern(m, from.p, from.n);
	GROW(ds->v, ds->cap, ds->n + 1);
	ds->v[ds->n] = (struct dep){fi, ti, t[2] + 1, (uint32_t)(e - t[2] - 1), (uint32_t)ds->n};
	ds->n++;
}

static int dep_cmp(const void *a, const void *b)
{
	const struct dep *x = a, *y = b;
	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* mold does not say which reference loaded a member.  Derive a chain that
 * is a real one: breadth-first from the program's own objects over the
 * references mold printed, each member pulled by the first file (in the
 * map's order) at the least depth that references it. */
static void deps_chains(struct linkmap *m, struct deps *ds)
{
	qsort(ds->v, ds->n, sizeof *ds->v, dep_cmp);
	size_t *first = xmalloc((m->nfiles + 1) * sizeof *first);
	for (size_t i = 0; i <= m->nfiles; i++)
		first[i] = SIZE_MAX;
	for (size_t i = ds->n; i-- > 0;)
		first[ds->v[i].from] = i;
	uint32_t *queue = xmalloc((m->nfiles + 1) * sizeof *queue);
	bool *seen = xcalloc(m->nfiles + 1, sizeof *seen);
	size_t qh = 0, qt = 0;
	for (size_t i = 0; i < m->nfiles; i++)
		if (!m->files[i].linker && !m->files[i].loaded) {
			queue[qt++] = (uint32_t)i;
			seen[i] = true;
		}
	while (qh < qt) {
		uint32_t f = queue[qh++];
		for (size_t k = first[f]; k < ds->n && ds->v[k].from == f; k++) {
			uint32_t t = ds->v[k].to;
			if (seen[t])
				continue;
			seen[t] = true;
			queue[qt++] = t;
			struct lm_file *mf = &m->files[t];
			mf->pulled_by = (int32_t)f;
			mf->pulled_sym = arena_strndup(&m->arena, ds->v[k].sym, ds->v[k].symlen);
			mf->derived = true;
		}
	}
	free(first);
	free(queue);
	free(seen);
}

static const char mold_deps[] =
	"# This is an output of the mold linker's --print-dependencies option.";

static int read_deps(struct linkmap *m, const char *p, size_t n)
{
	struct lm_lines r = {p, p + n, 0};
	struct lm_str s;
	struct deps ds = {0};
	while (lm_next_line(&r, &s)) {
		dep_line(m, &ds, s);
	}
	/* a member only shared libraries reference: loaded, reason unknown */
	deps_chains(m, &ds);
	free(ds.v);
	m->has_pulls = true;
	return 0;
}

int linkmap_read_why_extract(struct linkmap *m, const char *path,
			     const char *p, size_t n, struct diag *d)
{
	struct lm_lines r = {p, p + n, 0};
	struct lm_str s;
	if (n && memchr(p, 0, n))
		return diag_err_line(d, path, 1, "NUL byte: not lld --why-extract output");
	/* mold prints --print-gc-sections lines to the same stdout first */
	const char *md = memmem(p, n, mold_deps, sizeof mold_deps - 1);
	if (md && (md == p || md[-1] == '\n'))
		return read_deps(m, p, n);
	if (!lm_next_line(&r, &s) || s.n < 26 ||
	    memcmp(s.p, "reference\textracted\tsymbol", 26))
		return diag_err_line(d, path, 1,
				     "neither lld --why-extract nor mold --print-dependencies output");
	while (lm_next_line(&r, &s)) {
		if (s.n && why_line(m, path, r.lineno, s, d))
			return -1;
	}
	m->has_pulls = true;
	return 0;
}
