/*
 * scan.c - static import scan of Python source, without running it.
 *
 * 1. blank(): one pass of a small lexer after the Python reference manual's
 *    "Lexical analysis" (string prefixes r/b/u/f in any case and order,
 *    single and triple quotes, backslash escapes, `#` comments) copies the
 *    source with comment text and string contents replaced by spaces
 *    (newlines kept, so offsets and line numbers are unchanged) and records
 *    every string literal's content span.
 * 2. Two pcre2 patterns (JIT-compiled once, matched over the blanked text):
 *    import statements at a line start, and calls of import_module( /
 *    __import__(.  Because strings and comments are blank, neither matches
 *    inside a docstring or a comment.
 * 3. One pass over logical lines (bracket depth and backslash continuation
 *    joined) keeps a stack of open blocks by indentation: def (imports below
 *    are `delayed`), try (body imports are `optional` when a following
 *    except clause names ImportError, ModuleNotFoundError, Exception or is
 *    bare; decided when the try block closes), `if TYPE_CHECKING`
 *    (`type-checking`, never run).  The stack lives on the heap; nothing
 *    recurses on nesting depth.
 * Relative imports resolve against the module's package (PEP 328:
 * importlib._bootstrap._resolve_name).  `import_module("lit")`,
 * `__import__("lit")` give an edge; a literal prefix followed by + or %, or
 * an f-string, references every module under the prefix; anything else is
 * counted as a dynamic import.  String literals that are dotted names of
 * known modules or entry-point groups are kept as `string` references.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "pyint.h"
#include "pydeps.h"
#include "../common/run.h"
#include "../common/diag.h"
#include "../common/mfile.h"
#include "../common/util.h"

#include <ctype.h>
#include <libelf.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct lit { uint32_t start, len; bool fstr; };

struct scanbuf {             /* one per thread, reused between files */
	char *b;
	size_t cap;
	struct lit *lits;
	size_t nlits, caplits;
	pcre2_match_data *md;
	size_t *imps, nimps, capimps;
	size_t *dyns, ndyns, capdyns;
};

static pcre2_code *re_import, *re_dyn;
static pthread_once_t re_once = PTHREAD_ONCE_INIT;

static void tables(void);

static void re_compile(void)
{
	int err;
	tables();
	PCRE2_SIZE eo;
	re_import = pcre2_compile((PCRE2_SPTR)
		"^[ \\t]*(?:from(?:[ \\t]|\\\\\\r?\\n)+\\.*[\\w.]*"
		"(?:[ \\t]|\\\\\\r?\\n)*import\\b|import[ \\t\\\\])",
		PCRE2_ZERO_TERMINATED, PCRE2_MULTILINE, &err, &eo, NULL);
	re_dyn = pcre2_compile((PCRE2_SPTR)
		"\\b(?:import_module|__import__)[ \\t]*\\(",
		PCRE2_ZERO_TERMINATED, 0, &err, &eo, NULL);
	if (re_import)
		pcre2_jit_compile(re_import, PCRE2_JIT_COMPLETE);
	if (re_dyn)
		pcre2_jit_compile(re_dyn, PCRE2_JIT_COMPLETE);
}

const char *py_tag_name(enum py_tag t)
{
	static const char *const n[] = {"top-level", "delayed", "optional",
		"type-checking", "string", "prefix", "entry-point", "parent",
		"elf-string"};
	return n[t];
}

const char *py_class_name(enum py_class c)
{
	static const char *const n[] = {"unreferenced", "native",
		"string-referenced", "reachable", "used"};
	return n[c];
}

/* ---- 1. blanking ---- */

/* byte classes for the hot loops (no locale lookups per byte) */
enum { CC_OTHER, CC_SPACE, CC_NL, CC_OPEN, CC_CLOSE };
static unsigned char cc[256];
static bool idtab[256], lexsp[256];

static void tables(void)
{
	for (int c = 0; c < 256; c++) {
		idtab[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
		lexsp[c] = c == '#' || c == '\'' || c == '"';
	}
	cc[' '] = cc['\t'] = cc['\r'] = cc['\f'] = cc['\v'] = CC_SPACE;
	cc['\n'] = CC_NL;
	cc['('] = cc['['] = cc['{'] = CC_OPEN;
	cc[')'] = cc[']'] = cc['}'] = CC_CLOSE;
}

static inline bool idch(unsigned char c) { return idtab[c]; }

static void add_lit(struct scanbuf *sb, size_t st, size_t len, bool f)
{
	GROW(sb->lits, sb->caplits, sb->nlits + 1);
	sb->lits[sb->nlits++] = (struct lit){st, len, f};
}

/* string prefix letters just before the quote at q: is it an f-string? */
static bool prefix_f(const char *p, size_t q)
{
	size_t k = q;
	while (k > 0 && q - k < 3 && strchr("rRbBuUfF", p[k - 1]) && p[k - 1])
		k--;
	if (k > 0 && idch(p[k - 1]))
		return false;
	for (size_t i = k; i < q; i++)
		if (p[i] == 'f' || p[i] == 'F')
			return true;
	return false;
}

static void blank(struct scanbuf *sb, const char *p, size_t n)
{
	/* 16 zero bytes after the text: PCRE2's JIT reads the subject in
	 * aligned 16-byte blocks and may load (and ignore) bytes past its
	 * end; they are then inside the block and defined (Valgrind found
	 * the over-read; pcre2's maintainers document it as by design) */
	if (sb->cap < n + 16) {
		sb->cap = n + 16;
		sb->b = xrealloc(sb->b, sb->cap);
	}
	char *b = sb->b;
	if (n)
		memcpy(b, p, n);
	memset(b + n, 0, 16);
	sb->nlits = 0;
	for (size_t i = 0; i < n;) {
		if (!lexsp[(unsigned char)p[i]]) {
			/* jump to the next quote or '#' (b[n] == 0 stops it;
			 * a NUL byte in the source only costs one step) */
			size_t skip = strcspn(b + i, "#'\"");
			i += skip ? skip : 1;
			continue;
		}
		char c = p[i];
		if (c == '#') {
			while (i < n && p[i] != '\n')
				b[i++] = ' ';
			continue;
		}
		if (c != '\'' && c != '"') {
			i++;
			continue;
		}
		bool f = prefix_f(p, i);
		bool triple = i + 2 < n && p[i + 1] == c && p[i + 2] == c;
		size_t q = triple ? 3 : 1, st = i + q, j = st;
		while (j < n) {
			if (p[j] == '\\' && j + 1 < n) {
				j += 2;
				continue;
			}
			if (p[j] == c && (!triple || (j + 2 < n && p[j + 1] == c &&
						      p[j + 2] == c)))
				break;
			if (p[j] == '\n' && !triple)
				break;    /* unterminated: ends at the line */
			j++;
		}
		if (j > n)
			j = n;
		add_lit(sb, st, j - st, f);
		for (size_t k = st; k < j; k++)
			if (b[k] != '\n')
				b[k] = ' ';
		i = j < n && p[j] == c ? j + q : j;
	}
}

static void find_all(struct scanbuf *sb, pcre2_code *re, size_t **v,
		     size_t *nv, size_t *cap, size_t n, bool at_end)
{
	*nv = 0;
	if (!re)
		return;
	size_t off = 0;
	while (off <= n && pcre2_match(re, (PCRE2_SPTR)sb->b, n, off, 0,
				       sb->md, NULL) >= 0) {
		PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sb->md);
		GROW(*v, *cap, *nv + 1);
		(*v)[(*nv)++] = at_end ? ov[1] : ov[0];
		off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
	}
}

/* ---- references ---- */

static struct pyref *add_ref(struct pymod *m, const char *name, size_t len,
			     uint32_t line, enum py_tag tag, uint32_t try_id)
{
	GROW(m->refs, m->caprefs, m->nrefs + 1);
	struct pyref *r = &m->refs[m->nrefs++];
	memset(r, 0, sizeof *r);
	r->name = xstrndup(name, len);
	r->line = line;
	r->tag = tag;
	r->try_id = try_id;
	return r;
}

/* the package a relative import of `level` dots starts from, into out */
static bool rel_base(const struct pyset *s, const struct pymod *m, size_t level,
		     char *out, size_t outsz)
{
	const char *pkg = m->is_pkg ? m->name
			  : m->parent >= 0 ? s->mods[m->parent].name : NULL;
	if (!pkg)
		return false;
	size_t len = strlen(pkg);
	for (size_t l = 1; l < level; l++) {
		const char *d = memrchr(pkg, '.', len);
		if (!d)
			return false;
		len = d - pkg;
	}
	if (len + 1 > outsz)
		return false;
	memcpy(out, pkg, len);
	out[len] = 0;
	return true;
}

static size_t skip_ws(const char *b, size_t i, size_t e)
{
	while (i < e && (b[i] == ' ' || b[i] == '\t' || b[i] == '\\' ||
			 b[i] == '\n' || b[i] == '\r' || b[i] == '(' || b[i] == ')'))
		i++;
	return i;
}

static size_t word(const char *b, size_t i, size_t e, bool dots)
{
	while (i < e && (idch(b[i]) || (dots && b[i] == '.')))
		i++;
	return i;
}

/* parse "import a.b as c, d" or "from X import a, b" in b[i..e) */
static void import_stmt(const struct pyset *s, struct pymod *m, const char *b,
			size_t i, size_t e, uint32_t line, enum py_tag tag,
			uint32_t try_id)
{
	i = skip_ws(b, i, e);
	if (e - i > 4 && !memcmp(b + i, "from", 4)) {
		i = skip_ws(b, i + 4, e);
		size_t level = 0;
		while (i < e && b[i] == '.')
			level++, i++;
		size_t ns = i;
		i = word(b, i, e, true);
		char name[1024];
		if (level) {
			if (!rel_base(s, m, level, name, sizeof name))
				return;
			if (i > ns && strlen(name) + 1 + (i - ns) < sizeof name)
				snprintf(name + strlen(name), sizeof name - strlen(name),
					 ".%.*s", (int)(i - ns), b + ns);
		} else {
			if (i == ns || i - ns >= sizeof name)
				return;
			snprintf(name, sizeof name, "%.*s", (int)(i - ns), b + ns);
		}
		i = skip_ws(b, i, e);
		if (e - i < 6 || memcmp(b + i, "import", 6))
			return;
		struct pyref *r = add_ref(m, name, strlen(name), line, tag, try_id);
		r->from_import = true;
		for (i += 6; i < e;) {
			i = skip_ws(b, i, e);
			size_t ws = i;
			i = word(b, i, e, false);
			if (i == ws)
				break;
			if (!(i - ws == 2 && !memcmp(b + ws, "as", 2))) {
				r->sub = xreallocarray(r->sub, r->nsub + 1, sizeof *r->sub);
				r->sub[r->nsub++] = xstrndup(b + ws, i - ws);
			} else {
				i = word(b, skip_ws(b, i, e), e, false);
			}
			i = skip_ws(b, i, e);
			if (i < e && b[i] == ',')
				i++;
			else if (!(i < e && b[i] == 'a'))
				break;
		}
		return;
	}
	i += 6;   /* "import" */
	while (i < e) {
		i = skip_ws(b, i, e);
		size_t ns = i;
		i = word(b, i, e, true);
		if (i == ns)
			break;
		add_ref(m, b + ns, i - ns, line, tag, try_id);
		i = skip_ws(b, i, e);
		if (e - i > 2 && !memcmp(b + i, "as", 2) && !idch(b[i + 2]))
			i = word(b, skip_ws(b, i + 2, e), e, false);
		i = skip_ws(b, i, e);
		if (i >= e || b[i] != ',')
			break;
		i++;
	}
}

static const struct lit *lit_at(const struct scanbuf *sb, size_t start)
{
	size_t lo = 0, hi = sb->nlits;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (sb->lits[mid].start < start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sb->nlits && sb->lits[lo].start == start ? &sb->lits[lo] : NULL;
}

/* import_module( / __import__( : the '(' ends at `at` */
static void dyn_call(const struct pyset *s, struct pymod *m,
		     const struct scanbuf *sb, const char *src, size_t at,
		     size_t n, uint32_t line, enum py_tag tag, uint32_t try_id)
{
	const char *b = sb->b;
	size_t i = at;
	while (i < n && isspace((unsigned char)b[i]))
		i++;
	while (i < n && strchr("rRbBuUfF", b[i]) && b[i])
		i++;
	const struct lit *l = NULL;
	if (i < n && (b[i] == '\'' || b[i] == '"')) {
		bool triple = i + 2 < n && b[i + 1] == b[i] && b[i + 2] == b[i];
		l = lit_at(sb, i + (triple ? 3 : 1));
	}
	if (!l) {
		m->ndynamic++;
		return;
	}
	const char *c = src + l->start;
	size_t len = l->len, after = l->start + l->len;
	while (after < n && (b[after] == '\'' || b[after] == '"'))
		after++;
	while (after < n && isspace((unsigned char)b[after]))
		after++;
	bool prefix = after < n && (b[after] == '+' || b[after] == '%');
	const char *brace = l->fstr ? memchr(c, '{', len) : NULL;
	const char *pct = memchr(c, '%', len);
	if (brace || (prefix && pct)) {
		len = (brace ? brace : pct) - c;
		prefix = true;
	}
	char name[1024];
	size_t k = 0;
	if (len && c[0] == '.') {       /* relative, package=__name__ assumed */
		size_t level = 0;
		while (level < len && c[level] == '.')
			level++;
		if (!rel_base(s, m, level, name, sizeof name))
			return;
		k = strlen(name);
		c += level, len -= level;
		if (len && k + 1 < sizeof name)
			name[k++] = '.';
	}
	if (k + len >= sizeof name)
		return;
	memcpy(name + k, c, len);
	k += len;
	while (k && name[k - 1] == '.')
		k--;
	if (!k || !py_is_dotted_name(name, k)) {
		m->ndynamic++;
		return;
	}
	add_ref(m, name, k, line, prefix ? PYT_PREFIX : tag, try_id);
}

/* ---- 3. blocks by indentation ---- */

enum { BK_OTHER, BK_FUNC, BK_CLASS, BK_TRY, BK_TYPECHECK };

struct blk {
	uint32_t indent, id, outer_try;
	uint8_t kind;
	bool catches, in_handler;
	size_t first_ref;
};

struct blocks {
	struct blk *v;
	size_t n, cap;
	uint32_t next_id;
};

static void blk_pop(struct pymod *m, struct blocks *c)
{
	struct blk *k = &c->v[--c->n];
	if (k->kind != BK_TRY || k->catches)
		return;
	for (size_t r = k->first_ref; r < m->nrefs; r++)
		if (m->refs[r].try_id == k->id)
			m->refs[r].try_id = k->outer_try;
}

static void blk_ctx(const struct blocks *c, enum py_tag *tag, uint32_t *try_id)
{
	bool tc = false, fn = false;
	*try_id = 0;
	for (size_t i = 0; i < c->n; i++) {
		tc |= c->v[i].kind == BK_TYPECHECK;
		fn |= c->v[i].kind == BK_FUNC;
		if (c->v[i].kind == BK_TRY && !c->v[i].in_handler)
			*try_id = c->v[i].id;
	}
	*tag = tc ? PYT_TYPECHECK : fn ? PYT_DELAYED : PYT_TOP;
}

static bool kw_is(const char *b, size_t i, size_t e, const char *kw)
{
	size_t k = strlen(kw);
	return e - i >= k && !memcmp(b + i, kw, k) && (e - i == k || !idch(b[i + k]));
}

static bool catches_import_error(const char *b, size_t i, size_t e)
{
	size_t j = skip_ws(b, i + 6, e);
	if (j < e && b[j] == ':')
		return true;     /* bare except */
	return memmem(b + i, e - i, "ImportError", 11) ||
	       memmem(b + i, e - i, "ModuleNotFoundError", 19) ||
	       memmem(b + i, e - i, "Exception", 9);
}

/* a logical line starting at indent `ind`, keyword at b[k..le) */
static void blk_line(struct pymod *m, struct blocks *c, const char *b,
		     size_t k, size_t le, uint32_t ind, bool opener)
{
	bool exc = kw_is(b, k, le, "except"), els = kw_is(b, k, le, "else");
	bool fin = kw_is(b, k, le, "finally"), elif = kw_is(b, k, le, "elif");
	while (c->n && c->v[c->n - 1].indent >= ind) {
		struct blk *t = &c->v[c->n - 1];
		if (t->indent == ind && t->kind == BK_TRY && (exc || els || fin)) {
			t->in_handler = true;
			if (exc && catches_import_error(b, k, le))
				t->catches = true;
			return;
		}
		blk_pop(m, c);
		(void)elif;
	}
	if (!opener)
		return;
	GROW(c->v, c->cap, c->n + 1);
	struct blk *nb = &c->v[c->n];
	memset(nb, 0, sizeof *nb);
	nb->indent = ind;
	nb->first_ref = m->nrefs;
	if (kw_is(b, k, le, "def") || (kw_is(b, k, le, "async") &&
	    memmem(b + k, le - k, "def", 3)))
		nb->kind = BK_FUNC;
	else if (kw_is(b, k, le, "class"))
		nb->kind = BK_CLASS;
	else if (kw_is(b, k, le, "try")) {
		enum py_tag tg;
		nb->kind = BK_TRY;
		nb->id = ++c->next_id;
		blk_ctx(c, &tg, &nb->outer_try);
	} else if ((kw_is(b, k, le, "if") || elif) &&
		   memmem(b + k, le - k, "TYPE_CHECKING", 13))
		nb->kind = BK_TYPECHECK;
	c->n++;
}

static bool open_tries(const struct blocks *c)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].kind == BK_TRY)
			return true;
	return false;
}

static void finish_tags(struct pymod *m, size_t from)
{
	for (size_t r = from; r < m->nrefs; r++) {
		struct pyref *x = &m->refs[r];
		if (x->try_id && (x->tag == PYT_TOP || x->tag == PYT_DELAYED))
			x->tag = PYT_OPTIONAL;
		x->try_id = 0;
	}
}

/* A dotted string literal of a source, with its line: what a string
 * reference can be, by the source's bytes alone. */
struct dlit {
	uint32_t line, len;
	const char *p;
};

static size_t dotted_lits(const struct scanbuf *sb, const char *src, struct dlit **out)
{
	uint32_t line = 1;
	size_t at = 0, n = 0, cap = 0;
	*out = NULL;
	for (size_t i = 0; i < sb->nlits; i++) {
		const struct lit *l = &sb->lits[i];
		const char *c = src + l->start;
		if (l->len < 2 || l->len > 256 || !py_is_dotted_name(c, l->len))
			continue;
		for (const char *q = src + at; (q = memchr(q, '\n', (size_t)(c - q))); q++)
			line++;
		at = l->start;
		GROW(*out, cap, n + 1);
		(*out)[n++] = (struct dlit){line, l->len, c};
	}
	return n;
}

/* those naming a module of this run or an entry-point group (other
 * files: never kept in the store) */
static void string_refs(const struct pyset *s, struct pymod *m, const struct dlit *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *c = v[i].p;
		bool mod = memchr(c, '.', v[i].len) && pyset_find(s, c, v[i].len) >= 0;
		if (!mod && !hmap_get(&s->ep_groups, c, v[i].len))
			continue;
		add_ref(m, c, v[i].len, v[i].line, PYT_STRING, 0);
	}
}

/* m's references from its source; its dotted literals into *lits (the
 * caller frees them), or freed here when lits is NULL */
static void scan_one(const struct pyset *s, struct pymod *m,
		     struct scanbuf *sb, const char *src, size_t n,
		     struct dlit **lits, size_t *nlits)
{
	pthread_once(&re_once, re_compile);
	blank(sb, src, n);
	const char *b = sb->b;
	find_all(sb, re_import, &sb->imps, &sb->nimps, &sb->capimps, n, false);
	/* a memmem for either name is far cheaper than running the pattern
	 * over a file that has neither */
	if (memmem(b, n, "import_module", 13) || memmem(b, n, "__import__", 10))
		find_all(sb, re_dyn, &sb->dyns, &sb->ndyns, &sb->capdyns, n, true);
	else
		sb->ndyns = 0;
	size_t first = m->nrefs, ki = 0, kd = 0;
	struct blocks c = {0};
	uint32_t lineno = 1;
	for (size_t i = 0; i < n;) {
		/* past the last import and with no try block open, the rest
		 * cannot change a tag (data-heavy modules end early) */
		if (ki >= sb->nimps && kd >= sb->ndyns && !open_tries(&c))
			break;
		size_t ls = i, last = SIZE_MAX, j;
		uint32_t lline = lineno;
		int depth = 0;
		for (j = i; j < n; j++) {
			unsigned char k = cc[(unsigned char)b[j]];
			if (k == CC_OTHER) {
				last = j;
				continue;
			}
			if (k == CC_NL) {
				lineno++;
				if (depth > 0 || (last != SIZE_MAX && b[last] == '\\'))
					continue;
				break;
			}
			if (k == CC_OPEN)
				depth++, last = j;
			else if (k == CC_CLOSE)
				depth -= depth > 0, last = j;
		}
		size_t le = j;
		i = j + 1;
		if (last == SIZE_MAX)
			continue;           /* blank or comment-only */
		uint32_t ind = 0;
		size_t k = ls;
		for (; k < le && (b[k] == ' ' || b[k] == '\t'); k++)
			ind = b[k] == '\t' ? (ind / 8 + 1) * 8 : ind + 1;
		blk_line(m, &c, b, k, le, ind, b[last] == ':');
		enum py_tag tag;
		uint32_t try_id;
		blk_ctx(&c, &tag, &try_id);
		while (ki < sb->nimps && sb->imps[ki] < ls)
			ki++;
		if (ki < sb->nimps && sb->imps[ki] == ls) {
			import_stmt(s, m, b, k, le, lline, tag, try_id);
			ki++;
		}
		while (ki < sb->nimps && sb->imps[ki] < le)
			ki++;          /* matches on continuation lines */
		for (; kd < sb->ndyns && sb->dyns[kd] < le; kd++)
			if (sb->dyns[kd] >= ls)
				dyn_call(s, m, sb, src, sb->dyns[kd], n, lline, tag, try_id);
	}
	while (c.n)
		blk_pop(m, &c);
	free(c.v);
	finish_tags(m, first);
	struct dlit *v;
	size_t nv = dotted_lits(sb, src, &v);
	string_refs(s, m, v, nv);
	if (lits) {
		*lits = v;
		*nlits = nv;
	} else
		free(v);
}

/*
 * The store (pydeps.h, struct pyscan_store): a source's scan kept as
 * bytes -- what depends on its bytes and its module's name alone: the
 * import and dynamic-import references (tags final), the count of
 * imports by a computed name, and the dotted string literals with their
 * lines.  Which literals name a module or an entry-point group depends
 * on the other files of the run: string_refs() asks again on every use.
 * Host order: u64 the source's size, u32 nrefs, ndynamic, nlits; per reference u32 line, u32
 * tag, u32 from_import, u32 name length, u32 nsub, the name, then per
 * sub u32 length and its bytes; per literal u32 line, u32 length, bytes.
 */
static void put_u32(char **b, size_t *n, size_t *cap, uint32_t v)
{
	GROW(*b, *cap, *n + 4);
	memcpy(*b + *n, &v, 4);
	*n += 4;
}

static void put_bytes(char **b, size_t *n, size_t *cap, const char *p, size_t len)
{
	GROW(*b, *cap, *n + len + 1);
	memcpy(*b + *n, p, len);
	*n += len;
}

static char *store_encode(const struct pymod *m, size_t first, const struct dlit *v,
			  size_t nv, uint64_t srcsize, size_t *len)
{
	char *b = NULL;
	size_t n = 0, cap = 0, nrefs = 0;
	for (size_t i = first; i < m->nrefs; i++)
		nrefs += m->refs[i].tag != PYT_STRING;
	put_bytes(&b, &n, &cap, (const char *)&srcsize, sizeof srcsize);
	put_u32(&b, &n, &cap, (uint32_t)nrefs);
	put_u32(&b, &n, &cap, m->ndynamic);
	put_u32(&b, &n, &cap, (uint32_t)nv);
	for (size_t i = first; i < m->nrefs; i++) {
		const struct pyref *r = &m->refs[i];
		if (r->tag == PYT_STRING)
			continue;   /* string_refs()' own, made again */
		size_t nl = strlen(r->name);
		put_u32(&b, &n, &cap, r->line);
		put_u32(&b, &n, &cap, (uint32_t)r->tag);
		put_u32(&b, &n, &cap, r->from_import);
		put_u32(&b, &n, &cap, (uint32_t)nl);
		put_u32(&b, &n, &cap, (uint32_t)r->nsub);
		put_bytes(&b, &n, &cap, r->name, nl);
		for (size_t k = 0; k < r->nsub; k++) {
			size_t sl = strlen(r->sub[k]);
			put_u32(&b, &n, &cap, (uint32_t)sl);
			put_bytes(&b, &n, &cap, r->sub[k], sl);
		}
	}
	for (size_t i = 0; i < nv; i++) {
		put_u32(&b, &n, &cap, v[i].line);
		put_u32(&b, &n, &cap, v[i].len);
		put_bytes(&b, &n, &cap, v[i].p, v[i].len);
	}
	*len = n;
	return b;
}

static bool get_u32(const char *b, size_t n, size_t *at, uint32_t *v)
{
	if (n - *at < 4)
		return false;
	memcpy(v, b + *at, 4);
	*at += 4;
	return true;
}

/* m's references from a stored scan: 0, or -1 (nothing added) when the
 * bytes are not a sound scan -- then the source is scanned again */
static int store_decode(const struct pyset *s, struct pymod *m, const char *b, size_t n,
			uint64_t *srcsize)
{
	size_t at = 8, first = m->nrefs;
	uint32_t nrefs, ndyn, nv;
	if (n < 8)
		return -1;
	memcpy(srcsize, b, 8);
	if (!get_u32(b, n, &at, &nrefs) || !get_u32(b, n, &at, &ndyn) ||
	    !get_u32(b, n, &at, &nv) || nrefs > n || nv > n)
		return -1;
	for (uint32_t i = 0; i < nrefs; i++) {
		uint32_t line, tag, fi, nl, nsub;
		if (!get_u32(b, n, &at, &line) || !get_u32(b, n, &at, &tag) ||
		    !get_u32(b, n, &at, &fi) || !get_u32(b, n, &at, &nl) ||
		    !get_u32(b, n, &at, &nsub) || tag == PYT_STRING || tag > PYT_PREFIX || fi > 1 ||
		    nl == 0 || nl > n - at || nsub > n)
			goto bad;
		struct pyref *r = add_ref(m, b + at, nl, line, (enum py_tag)tag, 0);
		at += nl;
		r->from_import = fi;
		for (uint32_t k = 0; k < nsub; k++) {
			uint32_t sl;
			if (!get_u32(b, n, &at, &sl) || sl > n - at)
				goto bad;
			r->sub = xreallocarray(r->sub, r->nsub + 1, sizeof *r->sub);
			r->sub[r->nsub++] = xstrndup(b + at, sl);
			at += sl;
		}
	}
	struct dlit *v = xcalloc(nv + 1, sizeof *v);
	for (uint32_t i = 0; i < nv; i++) {
		uint32_t line, len;
		if (!get_u32(b, n, &at, &line) || !get_u32(b, n, &at, &len) || len > n - at) {
			free(v);
			goto bad;
		}
		v[i] = (struct dlit){line, len, b + at};
		at += len;
	}
	if (at != n) {
		free(v);
		goto bad;
	}
	m->ndynamic = ndyn;
	string_refs(s, m, v, nv);
	free(v);
	return 0;
bad:
	while (m->nrefs > first) {
		struct pyref *r = &m->refs[--m->nrefs];
		free(r->name);
		for (size_t k = 0; k < r->nsub; k++)
			free(r->sub[k]);
		free(r->sub);
	}
	return -1;
}

static void scanbuf_free(struct scanbuf *sb)
{
	free(sb->b);
	free(sb->lits);
	free(sb->imps);
	free(sb->dyns);
	if (sb->md)
		pcre2_match_data_free(sb->md);
}

void pyscan_source(const struct pyset *s, struct pymod *m, const char *p,
		   size_t n)
{
	struct scanbuf sb = {0};
	sb.md = pcre2_match_data_create(4, NULL);
	scan_one(s, m, &sb, p, n, NULL, NULL);
	scanbuf_free(&sb);
}

/* ---- threads ---- */

struct pool {
	struct pyset *s;
	size_t *todo, ntodo;
	atomic_size_t next;
	atomic_uint_fast64_t bytes;
};

static void *worker(void *arg)
{
	struct pool *pl = arg;
	const struct pyscan_store *st = pl->s->run && pl->s->run->py ? pl->s->run->py->store : NULL;
	struct scanbuf sb = {0};
	sb.md = pcre2_match_data_create(4, NULL);
	for (;;) {
		size_t i = atomic_fetch_add(&pl->next, 1);
		if (i >= pl->ntodo)
			break;
		struct pymod *m = &pl->s->mods[pl->todo[i]];
		if (m->zip) {   /* a source inside a zip or wheel */
			struct mfile mf;
			struct diag d = {0};
			char *buf;
			size_t bn;
			if (mfile_open(&mf, m->zip, &d) ||
			    pyzip_read(mf.p, mf.n, m->zlho, m->zmethod, m->zcsize,
				       m->zusize, &buf, &bn)) {
				m->scan_failed = true;
				mfile_close(&mf);
				continue;
			}
			scan_one(pl->s, m, &sb, buf, bn, NULL, NULL);
			atomic_fetch_add(&pl->bytes, bn);
			free(buf);
			mfile_close(&mf);
			continue;
		}
		if (!m->src) {
			pynative_scan(pl->s, m);
			continue;
		}
		size_t blen;
		const void *blob = st ? st->get(st->ctx, m->src, m->name, &blen) : NULL;
		uint64_t srcsize;
		if (blob && !store_decode(pl->s, m, blob, blen, &srcsize)) {
			/* scanned in an earlier run: the store's */
			atomic_fetch_add(&pl->bytes, srcsize);
			continue;
		}
		struct mfile mf;
		struct diag d = {0};
		if (mfile_open(&mf, m->src, &d)) {
			m->scan_failed = true;
			continue;
		}
		struct dlit *v;
		size_t nv, first = m->nrefs;
		scan_one(pl->s, m, &sb, (const char *)mf.p, mf.n, &v, &nv);
		if (st) {
			char *e = store_encode(m, first, v, nv, mf.n, &blen);
			st->put(st->ctx, m->src, m->name, e, blen);
			free(e);
		}
		free(v);
		atomic_fetch_add(&pl->bytes, mf.n);
		mfile_close(&mf);
	}
	scanbuf_free(&sb);
	return NULL;
}

void pyscan_list(struct pyset *s, const int *mods, size_t n, int threads,
		 struct diag_list *w)
{
	struct pool pl = {.s = s};
	size_t total = mods ? n : s->nmods;
	pl.todo = xcalloc(total + 1, sizeof *pl.todo);
	for (size_t k = 0; k < total; k++) {
		size_t i = mods ? (size_t)mods[k] : k;
		if ((s->mods[i].src || s->mods[i].so) &&
		    (!s->mods[i].in_zip || s->mods[i].zip) && !s->mods[i].scanned) {
			s->mods[i].scanned = true;
			pl.todo[pl.ntodo++] = i;
		}
	}
	if (!pl.ntodo) {
		free(pl.todo);
		return;
	}
	atomic_init(&pl.next, 0);
	atomic_init(&pl.bytes, 0);
	if (threads <= 0) {
		long c = sysconf(_SC_NPROCESSORS_ONLN);
		threads = c < 1 ? 1 : c > 8 ? 8 : (int)c;
	}
	if ((size_t)threads > pl.ntodo)
		threads = (int)pl.ntodo;
	pthread_once(&re_once, re_compile);
	elf_version(EV_CURRENT);
	pthread_t *t = xcalloc(threads, sizeof *t);
	int started = 0;
	for (int i = 1; i < threads; i++)
		if (!pthread_create(&t[started], NULL, worker, &pl))
			started++;
	worker(&pl);
	for (int i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	free(t);
	s->scanned_bytes += atomic_load(&pl.bytes);
	for (size_t i = 0; i < pl.ntodo; i++)
		if (s->mods[pl.todo[i]].scan_failed)
			diag_warn_at(w, s->mods[pl.todo[i]].src ? s->mods[pl.todo[i]].src
				     : s->mods[pl.todo[i]].so, 0, "cannot read %s; its imports "
				     "are unknown", s->mods[pl.todo[i]].src ? "source"
				     : "extension module");
	free(pl.todo);
}

void pyref_free_all(struct pymod *m)
{
	for (size_t i = 0; i < m->nrefs; i++) {
		free(m->refs[i].name);
		for (size_t k = 0; k < m->refs[i].nsub; k++)
			free(m->refs[i].sub[k]);
		free(m->refs[i].sub);
	}
	free(m->refs);
	m->refs = NULL;
	m->nrefs = m->caprefs = 0;
}
