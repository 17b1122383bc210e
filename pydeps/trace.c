/*
 * trace.c - readers for the import traces of real Python runs.
 *
 * Four formats, told apart by their first lines:
 *   importtime  `python -X importtime` stderr (CPython Python/import.c,
 *               import_find_and_load()): a header "import time: self [us] |
 *               cumulative | imported package", then one line per import
 *               *after* it finished, "import time: SELF | CUMUL | <2k
 *               spaces>NAME", k the nesting depth.  Because children are
 *               printed before their parent, a line's parent is the next
 *               line printed at depth k-1; we resolve that with a stack of
 *               pending children per depth.  Other stderr output of the
 *               program interleaves and is ignored; an "import time:" line
 *               that does not parse is a warning.
 *   verbose     `python -v` stderr (Lib/importlib/_bootstrap.py
 *               _verbose_message): "import 'NAME' # <LOADER>" per module,
 *               "# code object from 'PATH'", "# extension module 'NAME'
 *               loaded from 'PATH'", "# PYC matches PY".
 *   record      what `slim pydeps record` writes (cli/cmd-pydeps.c): a line
 *               "# slim-pytrace/1", then "module\tNAME\tPATH" and
 *               "open\tPATH" lines (sys.modules at exit plus the "open"
 *               audit events, PEP 578) and "load\tPATH" lines (the
 *               "ctypes.dlopen" audit events and the files mapped in
 *               /proc/self/maps at exit: shared objects loaded).
 *   list        a plain list of module names (a sys.modules dump), one per
 *               line; "#" comments and blank lines are skipped.
 * Malformed lines (binary garbage, a 100 MB line) are warnings with file
 * and line; parsing is one linear pass with no allocation per byte.
 */
#include "pydeps.h"
#include "pyint.h"
#include "../common/diag.h"
#include "../common/util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NAME 1024   /* longer "module names" are rejected as garbage */
#define MAX_DEPTH 4096  /* importtime nesting we keep parents for */

bool py_is_dotted_name(const char *s, size_t n)
{
	if (n == 0 || n > MAX_NAME)
		return false;
	bool start = true;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c == '.') {
			if (start)
				return false;
			start = true;
			continue;
		}
		if (!(isalpha(c) || c == '_' || (!start && isdigit(c))))
			return false;
		start = false;
	}
	return !start;
}

static struct pytrace_mod *add_mod(struct pytrace *t, struct arena *a,
				   const char *name, size_t len, uint64_t line)
{
	GROW(t->mods, t->cap, t->nmods + 1);
	struct pytrace_mod *m = &t->mods[t->nmods++];
	memset(m, 0, sizeof *m);
	m->name = arena_strndup(a, name, len);
	m->self_us = m->cum_us = -1;
	m->line = line;
	return m;
}

static void trim(const char **s, size_t *n)
{
	while (*n && isspace((unsigned char)**s))
		(*s)++, (*n)--;
	while (*n && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* ---- -X importtime ---- */

struct it_state {
	/* pending[k]: indexes of modules at depth k waiting for their parent */
	size_t **pend;
	size_t *npend, *cappend;
	size_t depth_cap;
};

static bool parse_us(const char **s, const char *e, long long *v)
{
	const char *p = *s;
	while (p < e && *p == ' ')
		p++;
	if (p == e || !isdigit((unsigned char)*p))
		return false;
	long long x = 0;
	while (p < e && isdigit((unsigned char)*p)) {
		if (x > (1LL << 50))
			return false;
		x = x * 10 + (*p++ - '0');
	}
	while (p < e && *p == ' ')
		p++;
	*v = x;
	*s = p;
	return true;
}

static void it_line(struct pytrace *t, struct it_state *st, struct arena *a,
		    const char *s, size_t n, uint64_t line,
		    struct diag_list *w)
{
	static const char pre[] = "import time:";
	const char *e = s + n;
	if (n < sizeof pre - 1 || memcmp(s, pre, sizeof pre - 1))
		return;     /* the program's own stderr */
	const char *p = s + sizeof pre - 1;
	if (memmem(p, e - p, "imported package", 16))
		return;     /* the header */
	long long self, cum;
	if (!parse_us(&p, e, &self) || p == e || *p++ != '|' ||
	    !parse_us(&p, e, &cum) || p == e || *p++ != '|') {
		diag_warn_line(w, t->path, line, "malformed importtime line");
		return;
	}
	size_t sp = 0;
	while (p + sp < e && p[sp] == ' ')
		sp++;
	const char *name = p + sp;
	size_t len = e - name;
	trim(&name, &len);
	if (!py_is_dotted_name(name, len) || sp == 0) {
		diag_warn_line(w, t->path, line, "importtime line names no module");
		return;
	}
	size_t depth = (sp - 1) / 2;
	if (depth >= MAX_DEPTH)
		depth = MAX_DEPTH - 1;
	struct pytrace_mod *m = add_mod(t, a, name, len, line);
	m->self_us = self;
	m->cum_us = cum;
	size_t idx = t->nmods - 1;
	/* children of this module were printed before it, one level deeper */
	if (depth + 1 < st->depth_cap) {
		for (size_t i = 0; i < st->npend[depth + 1]; i++)
			t->mods[st->pend[depth + 1][i]].parent = m->name;
		st->npend[depth + 1] = 0;
	}
	if (depth >= st->depth_cap) {
		size_t nc = st->depth_cap ? st->depth_cap : 16;
		while (nc <= depth)
			nc *= 2;
		st->pend = xreallocarray(st->pend, nc, sizeof *st->pend);
		st->npend = xreallocarray(st->npend, nc, sizeof *st->npend);
		st->cappend = xreallocarray(st->cappend, nc, sizeof *st->cappend);
		for (size_t i = st->depth_cap; i < nc; i++)
			st->pend[i] = NULL, st->npend[i] = st->cappend[i] = 0;
		st->depth_cap = nc;
	}
	GROW(st->pend[depth], st->cappend[depth], st->npend[depth] + 1);
	st->pend[depth][st->npend[depth]++] = idx;
}

/* ---- python -v ---- */

static enum py_loader loader_of(const char *s, size_t n)
{
	if (memmem(s, n, "BuiltinImporter", 15))
		return PYL_BUILTIN;
	if (memmem(s, n, "FrozenImporter", 14))
		return PYL_FROZEN;
	if (memmem(s, n, "ExtensionFileLoader", 19))
		return PYL_EXTENSION;
	if (memmem(s, n, "SourcelessFileLoader", 20))
		return PYL_BYTECODE;
	if (memmem(s, n, "SourceFileLoader", 16))
		return PYL_SOURCE;
	if (memmem(s, n, "NamespaceLoader", 15))
		return PYL_NAMESPACE;
	return PYL_UNKNOWN;
}

/* "'xxx'" at s: the quoted text, or false */
static bool quoted(const char *s, const char *e, const char **q, size_t *qn)
{
	if (s >= e || *s != '\'')
		return false;
	const char *c = memchr(s + 1, '\'', e - s - 1);
	if (!c)
		return false;
	*q = s + 1;
	*qn = c - s - 1;
	return true;
}

static void v_line(struct pytrace *t, struct arena *a, const char *s,
		   size_t n, uint64_t line, const char **pend_path,
		   struct diag_list *w)
{
	const char *e = s + n, *q;
	size_t qn;
	static const char imp[] = "import '";
	static const char ext[] = "# extension module '";
	static const char code[] = "# code object from '";
	if (n > sizeof code - 1 && !memcmp(s, code, sizeof code - 1)) {
		if (quoted(s + sizeof code - 2, e, &q, &qn))
			*pend_path = arena_strndup(a, q, qn);
		return;
	}
	if (n > sizeof ext - 1 && !memcmp(s, ext, sizeof ext - 1)) {
		const char *l = memmem(s, n, " from '", 7);
		if (l && quoted(l + 6, e, &q, &qn))
			*pend_path = arena_strndup(a, q, qn);
		return;
	}
	if (n < sizeof imp - 1 || memcmp(s, imp, sizeof imp - 1))
		return;
	if (!quoted(s + sizeof imp - 2, e, &q, &qn) || !py_is_dotted_name(q, qn)) {
		diag_warn_line(w, t->path, line, "malformed import line in -v trace");
		return;
	}
	struct pytrace_mod *m = add_mod(t, a, q, qn, line);
	m->loader = loader_of(s, n);
	if (m->loader != PYL_BUILTIN && m->loader != PYL_FROZEN)
		m->path = *pend_path;
	*pend_path = NULL;
}

/* ---- recorder and plain lists ---- */

static void rec_line(struct pytrace *t, struct arena *a, const char *s,
		     size_t n, uint64_t line, struct diag_list *w)
{
	const char *tab = memchr(s, '\t', n);
	/* "load": a shared object dlopen'd (ctypes.dlopen audit event) or
	 * mapped at exit; pruning treats it as opened */
	if (tab && tab - s == 4 && (!memcmp(s, "open", 4) || !memcmp(s, "load", 4))) {
		GROW(t->opened, t->capopened, t->nopened + 1);
		t->opened[t->nopened++] = arena_strndup(a, tab + 1, s + n - tab - 1);
		if (s[0] == 'l') {
			GROW(t->loaded, t->caploaded, t->nloaded + 1);
			t->loaded[t->nloaded++] = t->opened[t->nopened - 1];
		}
		return;
	}
	if (tab && tab - s == 6 && !memcmp(s, "module", 6)) {
		const char *nm = tab + 1, *e = s + n;
		const char *t2 = memchr(nm, '\t', e - nm);
		size_t len = (t2 ? t2 : e) - nm;
		if (py_is_dotted_name(nm, len)) {
			struct pytrace_mod *m = add_mod(t, a, nm, len, line);
			if (t2 && t2 + 1 < e)
				m->path = arena_strndup(a, t2 + 1, e - t2 - 1);
			return;
		}
	}
	diag_warn_line(w, t->path, line, "malformed line in slim-pytrace");
}

static void list_line(struct pytrace *t, struct arena *a, const char *s,
		      size_t n, uint64_t line, struct diag_list *w)
{
	trim(&s, &n);
	if (n == 0 || *s == '#')
		return;
	/* "name" or "name <whitespace> anything" (a repr of the module) */
	size_t k = 0;
	while (k < n && !isspace((unsigned char)s[k]))
		k++;
	if (!py_is_dotted_name(s, k)) {
		diag_warn_line(w, t->path, line, "not a module name%s",
			       n > MAX_NAME ? " (line too long)" : "");
		return;
	}
	add_mod(t, a, s, k, line);
}

static const char *detect(const char *p, size_t n)
{
	size_t h = n < 65536 ? n : 65536;
	if (!h)   /* an empty file maps to NULL: nothing to search */
		return "list";
	if (h >= 16 && !memcmp(p, "# slim-pytrace/1", 16))
		return "record";
	if (memmem(p, h, "import time: self [us]", 22))
		return "importtime";
	if (memmem(p, h, "# installing zipimport hook", 27) ||
	    memmem(p, h, "# code object from '", 20) ||
	    (memmem(p, h, "import '", 8) && memmem(p, h, "# <", 3)))
		return "verbose";
	return "list";
}

void pytrace_parse(struct pytrace *t, const char *path, const char *p,
		   size_t n, struct arena *a, struct diag_list *w)
{
	memset(t, 0, sizeof *t);
	t->path = path;
	t->format = detect(p, n);
	struct it_state st = {0};
	const char *pend_path = NULL;
	uint64_t line = 0;
	for (size_t off = 0; off < n;) {
		const char *s = p + off;
		const char *nl = memchr(s, '\n', n - off);
		size_t len = nl ? (size_t)(nl - s) : n - off;
		off += len + (nl != NULL);
		line++;
		if (len && s[len - 1] == '\r')
			len--;
		switch (t->format[0]) {
		case 'i': it_line(t, &st, a, s, len, line, w); break;
		case 'v': v_line(t, a, s, len, line, &pend_path, w); break;
		case 'r':
			if (line > 1)
				rec_line(t, a, s, len, line, w);
			break;
		default: list_line(t, a, s, len, line, w);
		}
	}
	for (size_t i = 0; i < st.depth_cap; i++)
		free(st.pend[i]);
	free(st.pend);
	free(st.npend);
	free(st.cappend);
}

void pytrace_free(struct pytrace *t)
{
	free(t->mods);
	free(t->opened);
	free(t->loaded);
	memset(t, 0, sizeof *t);
}

int pydeps_trace_files(const char *path, const void *p, size_t n,
		       void (*fn)(void *ctx, const char *file, bool loaded), void *ctx)
{
	struct arena a = {0};
	struct diag_list w = {0};   /* pydeps_merge() reports them */
	struct pytrace t;
	pytrace_parse(&t, path, p, n, &a, &w);
	int record = !strcmp(t.format, "record");
	/* loaded[] points into opened[]: a load is the one whose string is */
	size_t k = 0;
	for (size_t i = 0; i < t.nopened; i++) {
		bool ld = k < t.nloaded && t.loaded[k] == t.opened[i];
		k += ld;
		fn(ctx, t.opened[i], ld);
	}
	pytrace_free(&t);
	diag_list_free(&w);
	arena_free(&a);
	return record;
}
