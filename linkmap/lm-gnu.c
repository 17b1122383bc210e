/*
 * lm-gnu.c - maps of GNU ld (BFD) and gold, read in one streaming pass.
 *
 * Both print prose blocks, each opened by a heading at column 0 (BFD:
 * ld/ldlang.c lang_map(), ld/ldmain.c add_archive_element(); gold:
 * gold/mapfile.cc Mapfile::report_include_archive_member() and
 * print_discarded_sections()):
 *
 *   Archive member included to satisfy reference by file (symbol)   BFD
 *   Archive member included because of file (symbol)                gold
 *       ARCHIVE(MEMBER)            <- column 0; padded to column 30, or
 *                                     the rest on the next line
 *                                 FILE (SYMBOL)
 *   Discarded input sections
 *    .NAME  0xADDR  0xSIZE FILE     <- NAME alone when longer than 14
 *                                      columns; the numbers on the next line
 *   Linker script and memory map   (BFD)  /  Memory map   (gold)
 *   .OUTSEC  0xADDR  0xSIZE         <- column 0
 *    .insec  0xADDR  0xSIZE FILE    <- column 1
 *    *fill*  0xADDR  0xSIZE [PAT]   <- BFD padding; gold: " ** fill"
 *    ** NAME 0xADDR  0xSIZE         <- gold: linker-made ("** merge strings")
 *                    0xADDR  SYMBOL <- a symbol or assignment: skipped
 *    *(.text .text.*)               <- a script pattern (BFD): skipped
 *   /DISCARD/                       <- BFD: its inputs are discarded
 *   Cross Reference Table           <- --cref: read by lm-cref.c (BFD)
 *
 * Numbers in these maps always carry "0x", which tells a size from a
 * symbol whose name happens to be hex digits ("add", "face").
 */
#include "linkmap.h"
#include "../common/diag.h"
#include "../common/util.h"

#include <string.h>

enum gnu_state { G_NONE, G_ARCHIVE, G_DISCARD, G_MAP, G_SKIP, G_END };

struct gnu {
	struct linkmap *m;
	struct lm_lines r;
	struct diag *d;
	struct diag_list *w;
	enum gnu_state st;
	int32_t osec;          /* current output section, -1 before any */
	bool discard_osec;     /* current output section is /DISCARD/ */
	uint32_t nolinker;     /* file index of "** ..." pieces / fills */
	uint32_t script;       /* file index of "<script>": BYTE(), LONG() */
	uint32_t synth;        /* file index of "<linker>": BFD's dynobj pieces */
	int32_t cur_file;      /* file of the last live input section */
	int32_t eh_file;       /* file of the last .eh_frame input, or -1 */
	int32_t dynobj;        /* BFD: the file it files its own sections under */
	struct hmap *symdef;   /* gold --cref: symbol -> defining file + 1 */
};

static bool starts(struct lm_str s, const char *w)
{
	size_t l = strlen(w);
	return s.n >= l && !memcmp(s.p, w, l);
}

static bool is(struct lm_str s, const char *w)
{
	return s.n == strlen(w) && !memcmp(s.p, w, s.n);
}

/* A heading at column 0 switches the block; true if s was one. */
static bool heading(struct gnu *g, struct lm_str s)
{
	if (starts(s, "Archive member included")) {
		g->st = G_ARCHIVE;
		g->m->has_pulls = true;
	} else if (is(s, "Discarded input sections")) {
		g->st = G_DISCARD;
		g->m->has_discard_list = true;
	} else if (is(s, "Linker script and memory map") || is(s, "Memory map")) {
		g->st = G_MAP;
	} else if (is(s, "Cross Reference Table")) {
		g->st = G_END;
	} else if (is(s, "Memory Configuration") ||
		   starts(s, "As-needed library included") ||
		   is(s, "Allocating common symbols") ||
		   is(s, "Merging program properties") ||
		   starts(s, "Removed property")) {
		g->st = G_SKIP;
	} else {
		return false;
	}
	return true;
}

/* "0x..." at *pp: 0 parsed, 1 absent, -1 (with d set) malformed. */
static int hex(struct gnu *g, const char **pp, const char *e, uint64_t *v)
{
	const char *p = lm_skip_spaces(*pp, e);
	if (e - p < 2 || p[0] != '0' || p[1] != 'x')
		return 1;
	int rc = lm_number(&p, e, 16, v);
	if (rc)
		return diag_err_line(g->d, g->m->path, g->r.lineno,
			"malformed or overflowing number '%.*s'",
			(int)(strcspn(p, " \t\n") < 40 ? strcspn(p, " \t\n") : 40), p);
	*pp = p;
	return 0;
}

/* The continuation of a name printed alone: "   0xADDR 0xSIZE [rest]".
 * Returns 0 (consumed), 1 (next line is something else), -1 error. */
static int continuation(struct gnu *g, uint64_t *addr, uint64_t *size,
			struct lm_str *rest, bool need_size)
{
	struct lm_lines save = g->r;
	struct lm_str s;
	if (!lm_next_line(&g->r, &s) || s.n < 8 || memcmp(s.p, "        ", 8))
		goto no;
	const char *p = s.p, *e = s.p + s.n;
	int rc = hex(g, &p, e, addr);
	if (rc)
		goto bad;
	rc = hex(g, &p, e, size);
	if (rc < 0 || (rc && need_size))
		goto bad;
	p = lm_skip_spaces(p, e);
	rest->p = p;
	rest->n = (uint32_t)(e - p);
	return 0;
bad:
	if (rc < 0)
		return -1;
no:
	g->r = save;
	return 1;
}

static struct lm_str trim(const char *p, const char *e)
{
	p = lm_skip_spaces(p, e);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	return (struct lm_str){p, (uint32_t)(e - p)};
}

/* "FILE (SYMBOL)" of an archive-member entry */
static int archive_ref(struct gnu *g, uint32_t member, struct lm_str ref)
{
	struct linkmap *m = g->m;
	if (!ref.p)   /* no text after the member (found by fuzz_linkmap) */
		return diag_err_line(g->d, m->path, g->r.lineno,
				     "archive member entry without 'FILE (SYMBOL)'");
	ref = trim(ref.p, ref.p + ref.n);
	const char *lp = NULL;
	for (const char *q = ref.p; q + 1 < ref.p + ref.n; q++)
		if (q[0] == ' ' && q[1] == '(')
			lp = q;
	if (!lp || ref.p[ref.n - 1] != ')')
		return diag_err_line(g->d, m->path, g->r.lineno,
				     "archive member entry without 'FILE (SYMBOL)'");
	/* BFD with LTO: "lto-main.o (symbol from plugin) (sqlite3_exec)" */
	static const char plug[] = " (symbol from plugin)";
	size_t flen = (size_t)(lp - ref.p);
	bool ir = flen > sizeof plug - 1 &&
		  !memcmp(lp - (sizeof plug - 1), plug, sizeof plug - 1);
	if (ir)
		flen -= sizeof plug - 1;
	uint32_t by = lm_file_intern(m, ref.p, flen);
	if (ir)
		m->files[by].lto = true;
	struct lm_file *f = &m->files[member];
	f->pulled_by = (int32_t)by;
	f->pulled_sym = arena_strndup(&m->arena, lp + 2,
				      (size_t)(ref.p + ref.n - lp - 3));
	return 0;
}

static int archive_line(struct gnu *g, struct lm_str s)
{
	/* the member ends at the first run of two spaces (BFD pads to 30) */
	const char *e = s.p + s.n, *q = s.p;
	while (q + 1 < e && !(q[0] == ' ' && q[1] == ' '))
		q++;
	if (q + 1 >= e)
		q = e;
	struct lm_str mem = trim(s.p, q);
	struct lm_str rest = trim(q, e);
	struct lm_str next = {0};
	bool entry = mem.n && mem.p[mem.n - 1] == ')' && memchr(mem.p, '(', mem.n);
	if (!rest.n) {
		struct lm_lines save = g->r;
		if (lm_next_line(&g->r, &next) && next.n > 30 &&
		    !memcmp(next.p, "                              ", 30) &&
		    next.p[30] != ' ')
			entry = true;   /* a thin archive's member: a plain path */
		else
			g->r = save;
	} else if (rest.p[rest.n - 1] == ')') {
		entry = true;
	}
	if (!entry) {
		/* a heading this parser does not know: say so, skip its block */
		diag_warn_line(g->w, g->m->path, g->r.lineno,
			       "unknown heading '%.*s': block skipped",
			       (int)(s.n > 60 ? 60 : s.n), s.p);
		g->st = G_SKIP;
		return 0;
	}
	uint32_t fi = lm_file_intern(g->m, mem.p, mem.n);
	g->m->files[fi].loaded = true;
	if (rest.n)
		return archive_ref(g, fi, rest);
	return archive_ref(g, fi, next);
}

/* Column 0 in the memory map: an output section, or a script statement. */
static int map_col0(struct gnu *g, struct lm_str s)
{
	struct linkmap *m = g->m;
	if (starts(s, "OUTPUT(")) {
		const char *e = memchr(s.p, ' ', s.n);
		if (!e)
			e = memchr(s.p, ')', s.n);
		if (e && !m->output)
			m->output = arena_strndup(&m->arena, s.p + 7,
						  (size_t)(e - s.p - 7));
		return 0;
	}
	if (starts(s, "LOAD ") || starts(s, "START GROUP") ||
	    starts(s, "END GROUP") || starts(s, "TARGET(") ||
	    starts(s, "SEARCH_DIR(") || starts(s, "INPUT(") ||
	    starts(s, "GROUP(") || starts(s, "ENTRY(") ||
	    starts(s, "INSERT ") || starts(s, "OUTPUT_FORMAT("))
		return 0;
	const char *e = s.p + s.n, *p = s.p;
	while (p < e && *p != ' ' && *p != '\t')
		p++;
	struct lm_str name = {s.p, (uint32_t)(p - s.p)};
	uint64_t addr = 0, size = 0;
	int rc = hex(g, &p, e, &addr);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		if ((rc = hex(g, &p, e, &size)) < 0)
			return -1;
	} else {
		struct lm_str rest;
		if (continuation(g, &addr, &size, &rest, false) < 0)
			return -1;
	}
	g->discard_osec = is(name, "/DISCARD/");
	g->eh_file = -1;
	g->osec = (int32_t)lm_add_osec(m, name.p, name.n, addr, size, g->r.lineno);
	return 0;
}

/* BFD's note under an input whose size it changed (ldlang.c
 * print_input_section()): "            0x4 (size before relaxing)".
 * Consumed when present. */
static bool size_before_relaxing(struct gnu *g, uint64_t *before)
{
	static const char tail[] = " (size before relaxing)";
	struct lm_lines save = g->r;
	struct lm_str s;
	if (g->m->linker != LM_BFD || !lm_next_line(&g->r, &s) ||
	    s.n < sizeof tail || s.p[0] != ' ' ||
	    memcmp(s.p + s.n - (sizeof tail - 1), tail, sizeof tail - 1))
		goto no;
	const char *p = lm_skip_spaces(s.p, s.p + s.n);
	if (lm_number(&p, s.p + s.n - (sizeof tail - 1), 16, before) || p[0] != ' ')
		goto no;
	return true;
no:
	g->r = save;
	return false;
}

/* BFD makes the dynamic-linking sections itself but files them under the
 * first input (its "dynobj", elflink.c _bfd_elf_link_create_dynamic_
 * sections(), elfxx-x86.c), so the map shows " .dynsym ... Scrt1.o".  No
 * relocatable object carries these as input sections, nor relocation
 * sections in a final link: they are linker-made whatever file is named. */
static bool bfd_synthetic(struct lm_str n)
{
	static const char *const names[] = {
		".interp", ".dynsym", ".dynstr", ".hash", ".gnu.hash",
		".gnu.version", ".gnu.version_d", ".gnu.version_r", ".dynamic",
		".got", ".got.plt", ".plt", ".plt.got", ".plt.sec", ".iplt",
		".igot.plt", ".dynbss", ".eh_frame_hdr", ".note.gnu.build-id",
		NULL};
	if (starts(n, ".rela.") || starts(n, ".rel.") || is(n, ".rela") || is(n, ".rel"))
		return true;
	for (const char *const *p = names; *p; p++)
		if (is(n, *p))
			return true;
	return false;
}

/* gcc's driver puts a crt object first ("Scrt1.o", "crt1.o", "crti.o"),
 * and BFD makes that its dynobj; those objects hold no .data.rel.ro */
static bool crt_object(const char *path)
{
	const char *b = path_base(path);
	const char *c = strstr(b, "crt");
	size_t n = strlen(b);
	return c && c - b <= 2 && n > 2 && !strcmp(b + n - 2, ".o");
}

/* Which file BFD's input line really belongs to: the linker for what it
 * made itself (bfd_synthetic(); in the dynobj, also the .data.rel.ro it
 * makes for copy relocations) */
static uint32_t bfd_owner(struct gnu *g, struct lm_str name, uint32_t fi)
{
	if (bfd_synthetic(name)) {
		if (g->dynobj < 0)
			g->dynobj = (int32_t)fi;
		return g->synth;
	}
	if ((int32_t)fi == g->dynobj && is(name, ".data.rel.ro") &&
	    crt_object(g->m->files[fi].path))
		return g->synth;
	return fi;
}

/* Column 1: an input section, a fill, a gold "** piece", or a pattern. */
static int map_input(struct gnu *g, struct lm_str s, bool discarded)
{
	struct linkmap *m = g->m;
	const char *e = s.p + s.n, *p = s.p + 1;
	struct lm_str name;
	bool piece = e - p > 3 && !memcmp(p, "** ", 3);
	if (piece) {
		/* gold's name has spaces: it ends where "0x" begins */
		const char *q = p;
		while (q + 2 < e && !(q[0] == ' ' && q[1] == '0' && q[2] == 'x'))
			q++;
		name = trim(p, q + 2 < e ? q : e);
		p = q + 2 < e ? q : e;
	} else {
		const char *q = p;
		while (q < e && *q != ' ' && *q != '\t')
			q++;
		name = (struct lm_str){p, (uint32_t)(q - p)};
		p = q;
	}
	if (!piece && name.n && name.p[0] == '*' && !is(name, "*fill*"))
		return 0;      /* a script pattern: *(.text .text.*) */
	uint64_t addr = 0, size = 0;
	struct lm_str rest;
	int rc = hex(g, &p, e, &addr);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		if ((rc = hex(g, &p, e, &size)) < 0)
			return -1;
		if (rc)
			return 0;   /* " NAME 0xADDR text": an assignment */
		rest = trim(p, e);
	} else {
		if (lm_skip_spaces(p, e) != e)
			return 0;   /* "KEEP (*(.init))" and other statements */
		rc = continuation(g, &addr, &size, &rest, true);
		if (rc)
			return rc < 0 ? -1 : 0;
		rest = trim(rest.p, rest.p + rest.n);
	}
	/* gold's pieces are their own linker-made "file"; fills and inputs
	 * that name no file go to "<fill>" */
	uint32_t fi = piece ? lm_file_intern(m, name.p, name.n)
		      : is(name, "*fill*") || !rest.n ? g->nolinker
		      : lm_file_intern(m, rest.p, rest.n);
	if (!discarded && m->linker == LM_BFD && !piece && fi != g->nolinker)
		fi = bfd_owner(g, name, fi);
	/* BFD also files the PLT's unwind entries as further .eh_frame pieces
	 * of the dynobj, right after its own: an object has one .eh_frame */
	if (m->linker == LM_BFD && !discarded && is(name, ".eh_frame")) {
		if ((int32_t)fi == g->eh_file)
			fi = g->synth;
		else
			g->eh_file = (int32_t)fi;
	}
	if (!discarded && g->osec < 0)
		return diag_err_line(g->d, m->path, g->r.lineno,
				     "input section before any output section");
	int state = discarded ? LM_ISEC_DISCARDED
		    : is(name, "*fill*") ? LM_ISEC_FILL : LM_ISEC_LIVE;
	g->cur_file = discarded ? -1 : (int32_t)fi;
	uint64_t before;
	if (!discarded && size_before_relaxing(g, &before) && before < size &&
	    !m->files[fi].linker) {
		/* BFD grew it (merged strings filed under this input, .eh_frame
		 * re-aligned): the input keeps its own size, the rest is the
		 * linker's */
		lm_add_isec(m, (uint32_t)g->osec, fi, name.p, name.n, addr, before,
			    0, state, g->r.lineno);
		lm_add_isec(m, (uint32_t)g->osec, g->synth, name.p, name.n,
			    addr + before, size - before, 0, LM_ISEC_FILL, g->r.lineno);
		return 0;
	}
	lm_add_isec(m, discarded ? 0 : (uint32_t)g->osec, fi, name.p, name.n,
		    addr, size, 0, state, g->r.lineno);
	if (g->discard_osec)     /* /DISCARD/ in the script (lm-cause.c) */
		m->isecs[m->nisecs - 1].cause = LM_CAUSE_SCRIPT;
	return 0;
}

/* "        0xADDR  0xSIZE BYTE 0x1": data a script statement puts in the
 * section (BYTE SHORT LONG QUAD SQUAD); other indented lines (symbols,
 * assignments) have no size column and are skipped. */
static int script_data(struct gnu *g, struct lm_str s)
{
	const char *p = s.p, *e = s.p + s.n;
	uint64_t addr, size;
	if (hex(g, &p, e, &addr))
		return g->d->msg[0] ? -1 : 0;
	const char *q = lm_skip_spaces(p, e);
	if (e - q < 2 || q[0] != '0' || q[1] != 'x') {
		/* "0xADDR  symbol": who defines what, for gold's --cref */
		if (g->symdef && q < e && g->cur_file >= 0 &&
		    g->m->files[g->cur_file].loaded) {
			struct lm_str sym = trim(q, e);
			bool created;
			void **v = hmap_slot(g->symdef, sym.p, sym.n, &created);
			if (created)
				*v = (void *)(uintptr_t)(g->cur_file + 1);
		}
		return 0;
	}
	if (hex(g, &p, e, &size))
		return -1;
	struct lm_str kw = {lm_skip_spaces(p, e), 0};
	while (kw.p + kw.n < e && kw.p[kw.n] != ' ')
		kw.n++;
	if (!is(kw, "BYTE") && !is(kw, "SHORT") && !is(kw, "LONG") &&
	    !is(kw, "QUAD") && !is(kw, "SQUAD"))
		return 0;
	struct lm_str name = trim(kw.p, e);
	lm_add_isec(g->m, (uint32_t)g->osec, g->script, name.p, name.n, addr,
		    size, 0, LM_ISEC_FILL, g->r.lineno);
	return 0;
}

/* `line` is a whole line of [p, p+n) */
static bool has_heading(const char *p, size_t n, const char *line)
{
	size_t l = strlen(line);
	for (const char *q = p; (q = memmem(q, (size_t)(p + n - q), line, l)); q++)
		if ((q == p || q[-1] == '\n') && q + l < p + n &&
		    (q[l] == '\n' || q[l] == '\r'))
			return true;
	return false;
}

static int gnu_line(struct gnu *g, struct lm_str s)
{
	if (s.p[0] != ' ') {
		if (heading(g, s))
			return 0;
		switch (g->st) {
		case G_ARCHIVE: return archive_line(g, s);
		case G_MAP: return map_col0(g, s);
		default: return 0;
		}
	}
	if (s.n < 2 || s.p[1] == ' ') {
		if (g->st == G_MAP && g->osec >= 0 && !g->discard_osec)
			return script_data(g, s);
		return 0;      /* symbols, assignments: not needed */
	}
	if (g->st == G_DISCARD)
		return map_input(g, s, true);
	if (g->st == G_MAP && g->osec >= 0)
		return map_input(g, s, g->discard_osec);
	return 0;
}

int lm_parse_gnu(struct linkmap *m, const char *p, size_t n,
		 struct diag_list *w, struct diag *d)
{
	struct gnu g = {.m = m, .d = d, .w = w, .osec = -1, .cur_file = -1,
			.eh_file = -1, .dynobj = -1};
	/* gold's --cref names no definer for symbols a shared library
	 * resolves ("free  main.o ..."): learn from the memory map's symbol
	 * lines which member defines what, and trust only those */
	struct hmap symdef = {0};
	if (m->linker == LM_GOLD && has_heading(p, n, "Cross Reference Table"))
		g.symdef = &symdef;
	g.r.p = p;
	g.r.end = p + n;
	g.nolinker = lm_file_intern(m, "<fill>", 6);
	g.script = lm_file_intern(m, "<script>", 8);
	g.synth = lm_file_intern(m, "<linker>", 8);
	bool seen_map = false;
	int rc = -1;
	struct lm_str s;
	while (g.st != G_END && lm_next_line(&g.r, &s)) {
		if (!s.n)
			continue;
		if (gnu_line(&g, s))
			goto out;
		seen_map |= g.st == G_MAP;
	}
	if (g.st == G_END)
		lm_parse_cref(m, &g.r, g.symdef);
	m->nlines = g.r.lineno;
	if (!seen_map) {
		diag_err_line(d, m->path, g.r.lineno,
			      "map ends before its memory map (truncated?)");
		goto out;
	}
	rc = 0;
out:
	hmap_free(&symdef);
	return rc;
}
