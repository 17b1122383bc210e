/*
 * linkmap.c - the linker-map model shared by the four parsers: detection of
 * the linker from the text, the input-file table (object files and archive
 * members, split into archive and member the way BFD prints them:
 * "ARCHIVE(MEMBER)"), number parsing with overflow checks, and the closing
 * pass that sums input sections per output section and per file.
 *
 * Detection (from the linkers' sources: BFD ldlang.c/ldmain.c print the
 * prose headers "Archive member included to satisfy reference by file
 * (symbol)", "Linker script and memory map"; gold mapfile.cc prints
 * "Archive member included because of file (symbol)" and "Memory map";
 * lld MapFile.cpp prints the column header "VMA LMA Size Align Out In
 * Symbol"; mold mapfile.cc prints "VMA Size Align Out In Symbol").
 */
#include "linkmap.h"
#include "../common/diag.h"
#include "../common/util.h"
#include "../graph/ids.h"

#include <stdlib.h>
#include <string.h>

const char *linkmap_linker_name(enum linkmap_linker l)
{
	switch (l) {
	case LM_BFD: return "bfd";
	case LM_GOLD: return "gold";
	case LM_LLD: return "lld";
	case LM_MOLD: return "mold";
	default: return "unknown";
	}
}

/* The column header of lld / mold: words separated by spaces. */
static bool header_is(const char *p, const char *e, const char *const *words)
{
	for (; *words; words++) {
		p = lm_skip_spaces(p, e);
		size_t wl = strlen(*words);
		if ((size_t)(e - p) < wl || memcmp(p, *words, wl))
			return false;
		p += wl;
		if (p < e && *p != ' ' && *p != '\t')
			return false;
	}
	return lm_skip_spaces(p, e) == e;
}

/* `line` appears as a whole line (LF or CRLF ended) in [p, p+n) */
static bool has_line(const char *p, size_t n, const char *line)
{
	size_t l = strlen(line);
	const char *q = p, *e = p + n;
	while ((q = memmem(q, (size_t)(e - q), line, l))) {
		bool start = q == p || q[-1] == '\n';
		const char *t = q + l;
		if (start && t < e && (*t == '\n' || *t == '\r'))
			return true;
		q++;
	}
	return false;
}

enum linkmap_linker linkmap_detect(const char *p, size_t n)
{
	static const char *const lld_h[] = {"VMA", "LMA", "Size", "Align",
					    "Out", "In", "Symbol", NULL};
	static const char *const mold_h[] = {"VMA", "Size", "Align", "Out",
					     "In", "Symbol", NULL};
	const char *nl = memchr(p, '\n', n);
	const char *e = nl ? nl : p + n;
	if (e > p && e[-1] == '\r')
		e--;
	if (header_is(p, e, lld_h))
		return LM_LLD;
	if (header_is(p, e, mold_h))
		return LM_MOLD;
	/* GNU maps open with the archive list when there is one */
	static const char bfd1[] = "Archive member included to satisfy reference by file (symbol)";
	static const char gold1[] = "Archive member included because of file (symbol)";
	if (n >= sizeof bfd1 - 1 && !memcmp(p, bfd1, sizeof bfd1 - 1))
		return LM_BFD;
	if (n >= sizeof gold1 - 1 && !memcmp(p, gold1, sizeof gold1 - 1))
		return LM_GOLD;
	/* else BFD's memory-map heading differs from gold's */
	if (has_line(p, n, "Linker script and memory map"))
		return LM_BFD;
	if (has_line(p, n, "Memory map"))
		return LM_GOLD;
	return LM_UNKNOWN;
}

const char *lm_skip_spaces(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

/* digit values; 0xff: not a digit (hot path: one load per character) */
static unsigned char digit[256];

static void digit_init(void)
{
	if (digit['1'])
		return;
	memset(digit, 0xff, sizeof digit);
	for (int c = 0; c < 10; c++)
		digit['0' + c] = (unsigned char)c;
	for (int c = 0; c < 6; c++)
		digit['a' + c] = digit['A' + c] = (unsigned char)(10 + c);
}

int lm_number(const char **pp, const char *end, int base, uint64_t *out)
{
	const char *p = *pp;
	digit_init();
	if (base == 16 && end - p > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		p += 2;
	uint64_t v = 0;
	const char *s = p;
	for (; p < end; p++) {
		unsigned d = digit[(unsigned char)*p];
		if (d >= (unsigned)base)
			break;
		if (__builtin_mul_overflow(v, (uint64_t)base, &v) ||
		    __builtin_add_overflow(v, (uint64_t)d, &v))
			return -1;
	}
	if (p == s)
		return 1;
	if (p < end && *p != ' ' && *p != '\t')
		return -1;     /* "0x12zz", "12.5": junk glued to the digits */
	*out = v;
	*pp = p;
	return 0;
}

/* "ARCHIVE(MEMBER)" -> archive / member; false for a plain object.  BFD,
 * gold and lld print members this way; a thin archive's member is a path. */
static bool split_member(const char *s, size_t n, size_t *apos)
{
	if (n < 4 || s[n - 1] != ')')
		return false;
	const char *a = memmem(s, n, ".a(", 3);
	if (a) {
		*apos = (size_t)(a - s) + 2;
		return true;
	}
	const char *lp = memrchr(s, '(', n);
	if (!lp || lp == s)
		return false;
	*apos = (size_t)(lp - s);
	return true;
}

/* LTO partitions get a random temporary name from GCC ("/tmp/ccAbc.ltrans0
 * .ltrans.o"); ids must not change between runs, so name them by index. */
static const char *lto_name(struct linkmap *m, const char *base)
{
	const char *t = strstr(base, ".ltrans");
	if (!t)
		return NULL;
	return arena_printf(&m->arena, "lto%s", t);
}

uint32_t lm_file_intern(struct linkmap *m, const char *path, size_t len)
{
	void *v = hmap_get(&m->file_by_path, path, len);
	if (v)
		return (uint32_t)(uintptr_t)v - 1;
	GROW(m->files, m->capfiles, m->nfiles + 1);
	struct lm_file *f = &m->files[m->nfiles];
	memset(f, 0, sizeof *f);
	f->pulled_by = -1;
	f->xref_by = -1;
	/* the key is the arena copy: the caller's bytes may go */
	f->path = arena_strndup(&m->arena, path, len);
	hmap_put(&m->file_by_path, f->path, len, (void *)(uintptr_t)(m->nfiles + 1));
	size_t ap;
	if (f->path[0] == '<' || !strncmp(f->path, "** ", 3) ||
	    !strcmp(f->path, "linker stubs")) {
		f->linker = true;
		f->id = NULL;
	} else if (split_member(f->path, len, &ap)) {
		f->archive = arena_strndup(&m->arena, f->path, ap);
		f->member = arena_strndup(&m->arena, f->path + ap + 1, len - ap - 2);
		f->loaded = true;
		f->id = ids_member_in(&m->arena, f->archive, path_base(f->member));
	} else {
		const char *base = path_base(f->path);
		const char *lto = lto_name(m, base);
		f->lto = lto || !strcmp(base, "ld-temp.o");
		f->id = ids_object_in(&m->arena, lto ? lto : base);
	}
	return (uint32_t)m->nfiles++;
}

uint32_t lm_add_osec(struct linkmap *m, const char *name, size_t len,
		     uint64_t addr, uint64_t size, uint32_t line)
{
	GROW(m->osecs, m->caposecs, m->nosecs + 1);
	struct lm_osec *o = &m->osecs[m->nosecs];
	memset(o, 0, sizeof *o);
	o->name.p = name;
	o->name.n = (uint32_t)len;
	o->addr = addr;
	o->size = size;
	o->line = line;
	return (uint32_t)m->nosecs++;
}

void lm_add_isec(struct linkmap *m, uint32_t osec, uint32_t file,
		 const char *name, size_t len, uint64_t addr, uint64_t size,
		 uint32_t align, int state, uint32_t line)
{
	GROW(m->isecs, m->capisecs, m->nisecs + 1);
	struct lm_isec *s = &m->isecs[m->nisecs++];
	s->name.p = name;
	s->name.n = (uint32_t)len;
	s->file = file;
	s->osec = osec;
	s->addr = addr;
	s->size = size;
	s->align = align;
	s->state = (uint8_t)state;
	s->cause = LM_CAUSE_NONE;
	s->cause_by_name = false;
	s->line = line;
}

/* The bytes an input adds: its part of [osec start, osec end) past what
 * earlier inputs of the same output section already covered. */
static uint64_t coverage(const struct lm_osec *o, uint64_t *cursor,
			 const struct lm_isec *s)
{
	uint64_t lo = s->addr, hi;
	if (__builtin_add_overflow(s->addr, s->size, &hi))
		hi = UINT64_MAX;
	uint64_t oend;
	if (__builtin_add_overflow(o->addr, o->size, &oend))
		oend = UINT64_MAX;
	if (lo < *cursor)
		lo = *cursor;
	if (lo < o->addr)
		lo = o->addr;
	if (hi > oend)
		hi = oend;
	if (hi <= lo)
		return 0;
	*cursor = hi;
	return hi - lo;
}

int lm_finish(struct linkmap *m, struct diag *d)
{
	uint32_t *nin = xcalloc(m->nosecs + 1, sizeof *nin);
	uint64_t *cur = xcalloc(m->nosecs + 1, sizeof *cur);
	for (size_t i = 0; i < m->nosecs; i++)
		cur[i] = m->osecs[i].addr;
	for (size_t i = 0; i < m->nisecs; i++) {
		struct lm_isec *s = &m->isecs[i];
		struct lm_file *f = &m->files[s->file];
		if (s->state == LM_ISEC_DISCARDED) {
			s->bytes = s->size;
			f->discarded += s->size;
			f->ndead++;
			continue;
		}
		struct lm_osec *o = &m->osecs[s->osec];
		nin[s->osec]++;
		s->bytes = coverage(o, &cur[s->osec], s);
		if (f->linker || s->state == LM_ISEC_FILL)
			o->linker += s->bytes;
		else
			o->inputs += s->bytes;
		f->bytes += s->bytes;
		f->nlive++;
	}
	for (size_t i = 0; i < m->nosecs; i++) {
		struct lm_osec *o = &m->osecs[i];
		o->ninputs = nin[i];
		if (!nin[i])
			o->linker = o->size;   /* made by the linker: .dynsym, EHDR */
		/* coverage() keeps inputs + linker within the section */
		o->padding = o->size - o->inputs - o->linker;
	}
	free(nin);
	free(cur);
	(void)d;
	return 0;
}

static bool has_osec(const struct linkmap *m, const char *name)
{
	size_t l = strlen(name);
	for (size_t i = m->nosecs; i-- > 0;)
		if (m->osecs[i].name.n == l && !memcmp(m->osecs[i].name.p, name, l))
			return true;
	return false;
}

/* A map cut at a line boundary still parses; each linker ends its map
 * with something a cut loses: BFD the OUTPUT(...) line of its script
 * (ldlang.c), gold and lld the section-name table .shstrtab with its
 * linker-made input, mold the section header chunk SHDR (mapfile.cc
 * prints chunks in file order, SHDR last). */
static int check_complete(const struct linkmap *m, uint64_t lines, struct diag *d)
{
	const char *want = NULL;
	switch (m->linker) {
	case LM_BFD:
		if (!m->output)
			want = "its OUTPUT(...) line";
		break;
	case LM_GOLD:
		if (!has_osec(m, ".shstrtab"))
			want = "its .shstrtab section";
		break;
	case LM_LLD:
		if (!has_osec(m, ".shstrtab") ||
		    (m->nisecs && m->isecs[m->nisecs - 1].osec != m->nosecs - 1))
			want = "its .shstrtab section and the last section's input";
		break;
	case LM_MOLD:
		if (!has_osec(m, "SHDR"))
			want = "its SHDR (section headers) line";
		break;
	default:
		break;
	}
	if (want)
		return diag_err_line(d, m->path, lines,
				     "map ends before %s: truncated?", want);
	return 0;
}

int linkmap_check(const struct linkmap *m, struct diag *d)
{
	for (size_t i = 0; i < m->nisecs; i++) {
		const struct lm_isec *s = &m->isecs[i];
		if (s->file >= m->nfiles ||
		    (s->state != LM_ISEC_DISCARDED && s->osec >= m->nosecs))
			return diag_err(d, m->path, "invariant 1: input section %zu out of range", i);
	}
	for (size_t i = 0; i < m->nfiles; i++)
		if (m->files[i].pulled_by >= (int64_t)m->nfiles)
			return diag_err(d, m->path, "invariant 2: file %zu pulled by %d", i,
					m->files[i].pulled_by);
	for (size_t i = 0; i < m->nosecs; i++) {
		const struct lm_osec *o = &m->osecs[i];
		if (o->inputs + o->linker + o->padding != o->size ||
		    o->inputs + o->linker > o->size)
			return diag_err(d, m->path, "invariant 3: output section %.*s does not add up",
					(int)o->name.n, o->name.p);
	}
	return 0;
}

int linkmap_parse(struct linkmap *m, const char *path, const char *p,
		  size_t n, struct diag_list *w, struct diag *d)
{
	m->path = path;
	m->strs.arena = &m->arena;
	digit_init();
	if (n == 0)
		return diag_err_line(d, path, 1, "empty linker map");
	const char *nul = memchr(p, 0, n);
	if (nul) {
		const char *q = p;
		uint64_t line = 1;
		while ((q = memchr(q, '\n', (size_t)(nul - q))))
			q++, line++;
		return diag_err_line(d, path, line, "NUL byte: a binary file, not a linker map");
	}
	if (p[n - 1] != '\n') {
		uint64_t line = 1;
		for (const char *q = p; (q = memchr(q, '\n', (size_t)(p + n - q))); q++)
			line++;
		return diag_err_line(d, path, line, "map is truncated (its last line has no newline)");
	}
	m->linker = linkmap_detect(p, n);
	switch (m->linker) {
	case LM_BFD:
	case LM_GOLD:
		if (lm_parse_gnu(m, p, n, w, d))
			return -1;
		break;
	case LM_LLD:
	case LM_MOLD:
		if (lm_parse_columns(m, p, n, w, d))
			return -1;
		break;
	default:
		return diag_err_line(d, path, 1, "not a linker map of GNU ld, gold, lld or mold");
	}
	if (check_complete(m, m->nlines, d) || lm_finish(m, d))
		return -1;
	return linkmap_check(m, d);
}

void linkmap_free(struct linkmap *m)
{
	free(m->files);
	free(m->osecs);
	free(m->isecs);
	hmap_free(&m->file_by_path);
	strtab_free(&m->strs);
	arena_free(&m->arena);
	memset(m, 0, sizeof *m);
}

int linkmap_merge_buf(struct graph *g, const char *path, const char *p, size_t n,
		      const char *output_node, struct diag_list *w, struct diag *d)
{
	struct linkmap m = {0};
	int rc = linkmap_parse(&m, path, p, n, w, d);
	if (!rc)
		rc = linkmap_to_graph(&m, g, output_node, d);
	linkmap_free(&m);
	return rc;
}
