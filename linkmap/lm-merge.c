/*
 * lm-merge.c - a parsed linker map into the graph (DESIGN.md "The graph"):
 *
 *   exe:OUT  --includes-->  obj:libz.a(inflate.o)   attrs: symbol, by,
 *                                                   archive, member
 *   obj:main.o --pulls-->   obj:libz.a(inflate.o)   attrs: symbol
 *   obj:X    --contains-->  sec:X:.text.name        (discarded sections)
 *
 * Every input file gets an `includes` edge from the output, so each is
 * reachable from the root whatever the pull chains say; `pulls` edges give
 * `slim why` the chain from the program's own objects to a member.
 * Findings: `discarded-section` (a section --gc-sections or the script
 * dropped; bytes = its size, already absent from the output) and
 * `dead-archive-member` (a member loaded to resolve a symbol whose every
 * section was then discarded: it adds nothing to the output, and the link
 * would not change without it).  Linker-made pieces, fills and padding go
 * to g->totals["linkmap"], per output section, so that attributed bytes
 * plus those sum to each output section's size.
 */
#include "linkmap.h"
#include "../common/demangle.h"
#include "../common/diag.h"
#include "../common/util.h"
#include "../graph/graph.h"
#include "../graph/ids.h"

#include <stdlib.h>
#include <string.h>

/* A shared library's map names "libfoo.so" or "libfoo.so.1": "lib:" */
static bool is_lib_name(const char *b)
{
	const char *so = strstr(b, ".so");
	return so && (so[3] == 0 || so[3] == '.');
}

static const char *out_id(const struct linkmap *m, struct graph *g,
			  const char *output_node)
{
	if (output_node)
		return output_node;
	if (m->output)
		return ids_elf(g, !is_lib_name(path_base(m->output)), NULL, m->output);
	const char *b = path_base(m->path);
	size_t n = strlen(b);
	if (n > 4 && !strcmp(b + n - 4, ".map"))
		n -= 4;
	return ids_make(g, IDP_EXE, graph_strf(g, "%.*s", (int)n, b));
}

static struct gnode *file_node(const struct linkmap *m, struct graph *g,
			       const struct lm_file *f)
{
	struct gnode *n = graph_node(g, f->id);
	if (n)
		return n;
	n = graph_add_node(g, NK_OBJECT, f->id, NULL);
	json_t *a = graph_node_attrs(n);
	attr_str(a, "path", f->path);
	if (f->archive) {
		attr_str(a, "archive", f->archive);
		attr_str(a, "member", f->member);
	}
	if (f->lto)
		attr_bool(a, "lto", true);
	if (m->has_cref && f->loaded)
		attr_int(a, "symbols_used_elsewhere", f->xref_syms);
	return n;
}

/* Add `v` bytes of output section o to the file's attrs.bytes (an object
 * keyed by output section name; two sections of one name add up). */
static void add_bytes_to(json_t *by, const struct lm_osec *o, uint64_t v)
{
	json_t *old = json_object_getn(by, o->name.p, o->name.n);
	if (old)
		v += (uint64_t)json_integer_value(old);
	json_object_setn_new(by, o->name.p, o->name.n, json_integer((json_int_t)v));
}

static json_t *bytes_of(const struct linkmap *m, struct graph *g,
			const struct lm_file *f)
{
	json_t *a = graph_node_attrs(file_node(m, g, f));
	json_t *by = json_object_get(a, "bytes");
	if (!by) {
		by = json_object();
		json_object_set_new(a, "bytes", by);
	}
	return by;
}

static void add_bytes(const struct linkmap *m, struct graph *g,
		      const struct lm_file *f, const struct lm_osec *o, uint64_t v)
{
	add_bytes_to(bytes_of(m, g, f), o, v);
}

struct fo {             /* one live input section's bytes: (file, osec) */
	uint32_t file, osec;
	uint64_t size;
};

static int fo_cmp(const void *a, const void *b)
{
	const struct fo *x = a, *y = b;
	if (x->file != y->file)
		return x->file < y->file ? -1 : 1;
	return x->osec < y->osec ? -1 : x->osec > y->osec;
}

/* Node sizes and per-output-section bytes of each file.  Real maps have a
 * few dozen output sections: sum into a files x sections table in one
 * pass.  Past 16M cells (a hostile map) sort (file, section) pairs
 * instead, so the cost stays O(n log n) whatever the input. */
static void file_bytes(const struct linkmap *m, struct graph *g)
{
	size_t cells = (m->nfiles + 1) * (m->nosecs + 1);
	if (m->nosecs && cells / (m->nosecs + 1) == m->nfiles + 1 &&
	    cells <= ((size_t)1 << 24)) {
		uint64_t *sum = xcalloc(cells, sizeof *sum);
		for (size_t i = 0; i < m->nisecs; i++) {
			const struct lm_isec *s = &m->isecs[i];
			if (s->state == LM_ISEC_LIVE)
				sum[(size_t)s->file * m->nosecs + s->osec] += s->bytes;
		}
		for (size_t f = 0; f < m->nfiles; f++) {
			json_t *by = NULL;    /* the file's, made on its first bytes */
			const uint64_t *row = sum + f * m->nosecs;
			for (size_t o = 0; o < m->nosecs && !m->files[f].linker; o++)
				if (row[o])
					add_bytes_to(by ? by : (by = bytes_of(m, g, &m->files[f])),
						     &m->osecs[o], row[o]);
		}
		free(sum);
	} else {
		struct fo *v = xmalloc((m->nisecs + 1) * sizeof *v);
		size_t n = 0;
		for (size_t i = 0; i < m->nisecs; i++) {
			const struct lm_isec *s = &m->isecs[i];
			if (s->state == LM_ISEC_LIVE && !m->files[s->file].linker && s->bytes)
				v[n++] = (struct fo){s->file, s->osec, s->bytes};
		}
		qsort(v, n, sizeof *v, fo_cmp);
		for (size_t i = 0, j; i < n; i = j) {
			uint64_t t = 0;
			for (j = i; j < n && v[j].file == v[i].file && v[j].osec == v[i].osec; j++)
				t += v[j].size;
			add_bytes(m, g, &m->files[v[i].file], &m->osecs[v[i].osec], t);
		}
		free(v);
	}
	for (size_t f = 0; f < m->nfiles; f++)
		if (!m->files[f].linker && (m->files[f].nlive || m->files[f].bytes)) {
			struct gnode *nd = file_node(m, g, &m->files[f]);
			graph_node_set_size(nd, nd->size + m->files[f].bytes);
		}
}

/* `slim why` prints an edge's "why" as its evidence: say where the
 * reason for loading a member came from, or that none is known. */
static void include_why(const struct linkmap *m, struct graph *g,
			const struct lm_file *f, const struct lm_file *by, json_t *a)
{
	if (!f->loaded)
		return;
	const char *sym = demangle(&g->arena, f->pulled_sym);
	if (!sym)
		sym = f->pulled_sym;
	const char *lld = m->linker == LM_LLD
		? "; lld's -Wl,--why-extract=FILE names it: give FILE to --why-extract" : "";
	if (!f->pulled_sym || !by) {
		attr_str(a, "why", graph_strf(g,
			"archive member loaded; the %s map does not say for which symbol and slim could not derive it from the inputs (%s)%s",
			linkmap_linker_name(m->linker),
			m->inputs_unread ? "they could not be read" : "--no-derive, or nothing references it",
			lld));
		return;
	}
	if (f->derived)
		attr_str(a, "why", graph_strf(g,
			"archive member pulled in by %s for symbol %s (derived from the inputs' symbol tables: the %s map does not say%s)%s",
			by->id, sym, linkmap_linker_name(m->linker), lld,
			f->unlisted ? "; the map names none of its sections: all were discarded" : ""));
}

static void edges(const struct linkmap *m, struct graph *g, const char *out)
{
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct lm_file *f = &m->files[i];
		if (f->linker)
			continue;
		struct gnode *n = file_node(m, g, f);
		if (!n->has_size)
			graph_node_set_size(n, 0);
		struct gedge *e = graph_add_edge(g, out, f->id, EK_INCLUDES);
		json_t *a = graph_edge_attrs(e);
		attr_str(a, "analyzer", "linkmap");
		if (f->archive) {
			attr_str(a, "archive", path_base(f->archive));
			attr_str(a, "member", f->member);
		}
		if (f->loaded)
			attr_bool(a, "from_archive", true);
		const char *dm = demangle(&g->arena, f->pulled_sym);
		if (f->pulled_sym)
			attr_str(a, "symbol", f->pulled_sym);
		if (dm)
			attr_str(a, "symbol_demangled", dm);
		const struct lm_file *by = f->pulled_by >= 0 ? &m->files[f->pulled_by] : NULL;
		if (by && !by->linker) {
			attr_str(a, "by", by->id);
			file_node(m, g, by);
			struct gedge *pe = graph_add_edge(g, by->id, f->id, EK_PULLS);
			json_t *pa = graph_edge_attrs(pe);
			attr_str(pa, "analyzer", "linkmap");
			if (f->pulled_sym)
				attr_str(pa, "symbol", f->pulled_sym);
			if (f->derived) {
				attr_bool(pa, "derived", true);
				attr_str(pa, "why", graph_strf(g,
					"member needed for symbol %s (derived from the inputs' symbol tables: the %s map does not say%s)",
					dm ? dm : f->pulled_sym, linkmap_linker_name(m->linker),
					m->linker == LM_LLD ? "; lld -Wl,--why-extract=FILE would" : ""));
			}
		}
		if (f->derived)
			attr_bool(a, "derived", true);
		if (f->unlisted)
			attr_bool(a, "unlisted", true);
		include_why(m, g, f, by, a);
	}
}

/* Up to this many discarded sections, each gets its own node and finding;
 * past it (a big program built with -ffunction-sections discards 10^5 and
 * more) one finding per file carries the count and its largest sections,
 * which keeps the report readable and --json within 2x of the text run.
 * `slim linkmap MAP --by discarded` always lists every one. */
#define LM_SECTION_FINDINGS_MAX 20000

/* What each cause means and whether the user can act on it. */
static const char *cause_text(uint8_t c)
{
	switch (c) {
	case LM_CAUSE_GC:
		return "--gc-sections removed it: nothing in the link references it";
	case LM_CAUSE_COMDAT:
		return "a duplicate COMDAT group (an inline function or template instantiation another object also emitted): the linker kept the other copy";
	case LM_CAUSE_MERGED:
		return "the linker consumed it into what it writes itself (a merged note, a group record)";
	case LM_CAUSE_SCRIPT:
		return "/DISCARD/ in the linker script dropped it";
	case LM_CAUSE_ICF:
		return "identical code folding merged it into an identical section";
	default:
		return "the linker discarded it";
	}
}

static const char *cause_fix(uint8_t c)
{
	switch (c) {
	case LM_CAUSE_GC:
		return "actionable at the source, not in the output (already without it): dead code in this program; delete it or stop compiling it if nothing else links it";
	case LM_CAUSE_COMDAT:
		return "not actionable: duplicates are how C++ inline functions and templates link; an explicit instantiation (extern template) would stop compiling it twice";
	case LM_CAUSE_SCRIPT:
		return "not actionable: the script asks for it";
	default:
		return "not actionable: the output never carries it";
	}
}

static bool actionable(uint8_t c)
{
	return c == LM_CAUSE_GC;
}

/* One node and finding per discarded section.  A file may hold several
 * sections of one name: the second is "sec:F:NAME#2", and so on (`seen`
 * counts them, so this stays linear). */
static void discarded_one(const struct linkmap *m, struct graph *g,
			  struct hmap *seen, const struct lm_isec *s)
{
	const struct lm_file *f = &m->files[s->file];
	const char *fid = ids_owner(f->id);
	const char *id = ids_section(g, fid, s->name.p, s->name.n, 1);
	bool created;
	void **cnt = hmap_slot(seen, id, strlen(id), &created);
	*cnt = (void *)((uintptr_t)*cnt + 1);
	if ((uintptr_t)*cnt > 1)
		id = ids_section(g, fid, s->name.p, s->name.n, (size_t)(uintptr_t)*cnt);
	struct gnode *n = graph_add_node(g, NK_SECTION, id, NULL);
	graph_node_set_size(n, s->size);
	attr_bool(graph_node_attrs(n), "discarded", true);
	file_node(m, g, f);
	attr_str(graph_edge_attrs(graph_add_edge(g, f->id, id, EK_CONTAINS)),
		 "analyzer", "linkmap");
	bool derived = m->derived_discards && !s->line;
	const char *where = derived
		? graph_strf(g, "derived: %s, not in the %s map", f->path, linkmap_linker_name(m->linker))
		: graph_strf(g, "%s, map line %u", f->path, s->line);
	struct gfinding *fd = graph_add_finding(g, "discarded-section", id, f->id, s->size, "proven",
		graph_strf(g, "%.*s (%s) is not in the output: %s%s", (int)s->name.n, s->name.p,
			   where, cause_text(s->cause),
			   s->cause_by_name ? " (cause from section names: the input could not be read)" : ""),
		cause_fix(s->cause));
	json_t *a = graph_finding_attrs(fd);
	attr_str(a, "cause", linkmap_cause_name(s->cause));
	attr_bool(a, "actionable", actionable(s->cause));
	if (s->cause_by_name)
		attr_str(a, "cause_from", "names");
	if (derived)
		attr_bool(a, "derived", true);
}

/* One finding per file: its discarded bytes, count and 3 largest. */
static void discarded_per_file(const struct linkmap *m, struct graph *g)
{
	struct top { uint64_t size; uint32_t isec; } (*best)[3] =
		xcalloc(m->nfiles + 1, sizeof *best);
	uint32_t (*nc)[LM_CAUSE_ICF + 1] = xcalloc(m->nfiles + 1, sizeof *nc);
	for (size_t i = 0; i < m->nisecs; i++) {
		const struct lm_isec *s = &m->isecs[i];
		if (s->state != LM_ISEC_DISCARDED || !s->size)
			continue;
		nc[s->file][s->cause <= LM_CAUSE_ICF ? s->cause : 0]++;
		struct top *t = best[s->file];
		int k = 3;
		while (k > 0 && t[k - 1].size < s->size)
			k--;
		if (k == 3)
			continue;
		memmove(&t[k + 1], &t[k], (size_t)(2 - k) * sizeof *t);
		t[k] = (struct top){s->size, (uint32_t)i};
	}
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct lm_file *f = &m->files[i];
		if (f->linker || !f->discarded)
			continue;
		file_node(m, g, f);
		struct gfinding *fd = graph_add_finding(g, "discarded-section", f->id, NULL,
			f->discarded, "proven",
			graph_strf(g, "the linker discarded %u of its input sections (%llu bytes): they are not in the output; attrs.causes counts them per cause (gc: --gc-sections, comdat: duplicate COMDAT groups, merged: notes and group records the linker consumed, script: /DISCARD/)",
				   f->ndead, (unsigned long long)f->discarded),
			nc[i][LM_CAUSE_GC] ? cause_fix(LM_CAUSE_GC) : cause_fix(LM_CAUSE_MERGED));
		json_t *a = graph_finding_attrs(fd), *arr = json_array();
		attr_int(a, "sections", f->ndead);
		for (int k = 0; k < 3 && best[i][k].size; k++) {
			const struct lm_isec *s = &m->isecs[best[i][k].isec];
			json_t *o = json_object();
			json_object_set_new(o, "name", json_stringn(s->name.p, s->name.n));
			attr_int(o, "bytes", (long long)s->size);
			json_array_append_new(arr, o);
		}
		json_object_set_new(a, "largest", arr);
		json_t *by = json_object();   /* sections per cause */
		for (int c = 0; c <= LM_CAUSE_ICF; c++)
			if (nc[i][c])
				attr_int(by, linkmap_cause_name((enum lm_cause)c), nc[i][c]);
		json_object_set_new(a, "causes", by);
		attr_bool(a, "actionable", nc[i][LM_CAUSE_GC] > 0);
	}
	free(nc);
	free(best);
}

static void discarded(const struct linkmap *m, struct graph *g)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nisecs; i++)
		n += m->isecs[i].state == LM_ISEC_DISCARDED && m->isecs[i].size &&
		     !m->files[m->isecs[i].file].linker;
	attr_str(json_object_get(g->totals, "linkmap"), "discarded_findings",
		 n <= LM_SECTION_FINDINGS_MAX ? "per-section" : "per-file");
	if (n > LM_SECTION_FINDINGS_MAX) {
		discarded_per_file(m, g);
		return;
	}
	struct hmap seen = {0};
	for (size_t i = 0; i < m->nisecs; i++) {
		const struct lm_isec *s = &m->isecs[i];
		if (s->state == LM_ISEC_DISCARDED && s->size && !m->files[s->file].linker)
			discarded_one(m, g, &seen, s);
	}
	hmap_free(&seen);
}

static void dead_members(const struct linkmap *m, struct graph *g)
{
	if (!m->has_pulls)
		return;     /* mold: no list of loaded members to compare with */
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct lm_file *f = &m->files[i];
		if (!f->loaded || f->bytes || f->linker)
			continue;
		const struct lm_file *by = f->pulled_by >= 0 ? &m->files[f->pulled_by] : NULL;
		const char *sym = f->pulled_sym ? f->pulled_sym : "?";
		struct gfinding *fd = graph_add_finding(g, "dead-archive-member", f->id,
			by && !by->linker ? by->id : NULL, 0, "proven",
			graph_strf(g, "loaded to resolve %s (referenced by %s), but the linker discarded %u of its sections (%llu bytes) and the %u it kept add no bytes: the output holds none of it",
				   sym, by ? by->path : "the command line", f->ndead,
				   (unsigned long long)f->discarded, f->nlive),
			graph_strf(g, "drop the reference to %s from %s, or %s from the link line if nothing else needs it",
				   sym, by ? path_base(by->path) : "the command line",
				   f->archive ? path_base(f->archive) : f->path));
		attr_int(graph_finding_attrs(fd), "discarded_bytes", (long long)f->discarded);
	}
}

/* A JSON string of s (n bytes) that is always one: the bytes of a map
 * need not be UTF-8 (a mutated or foreign map), and jansson refuses those,
 * which would leave a row without its name; each byte of an invalid
 * sequence becomes '?'. */
static json_t *jstrn(const char *s, size_t n)
{
	json_t *v = json_stringn(s, n);
	if (v)
		return v;
	char *c = xmalloc(n + 1);
	for (size_t i = 0; i < n; i++)
		c[i] = (unsigned char)s[i] >= 0x80 || !s[i] ? '?' : s[i];
	c[n] = 0;
	v = json_stringn(c, n);
	free(c);
	return v;
}

static json_t *jstr(const char *s)
{
	return jstrn(s, strlen(s));
}

/* totals.linkmap.archives: per archive (by file name; plain objects
 * under "(objects)"), sorted by name: its files in the link, the bytes
 * they put in the output, the members loaded, and of those the dead ones
 * (loaded, no byte in the output) with their discarded bytes.  `slim
 * linkmap --by archive` prints these rows. */
struct arow { const char *name; uint64_t bytes, files, loaded, dead, dead_bytes; };

static int arow_cmp(const void *a, const void *b)
{
	return strcmp(((const struct arow *)a)->name, ((const struct arow *)b)->name);
}

static json_t *archives(const struct linkmap *m, uint64_t *loaded, uint64_t *dead)
{
	struct hmap idx = {0};
	struct arow *v = xcalloc(m->nfiles + 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct lm_file *f = &m->files[i];
		if (f->linker)
			continue;
		const char *a = f->archive ? path_base(f->archive) : "(objects)";
		bool created;
		void **slot = hmap_slot(&idx, a, strlen(a), &created);
		if (created) {
			v[n].name = a;
			*slot = (void *)(uintptr_t)n++;
		}
		struct arow *r = &v[(uintptr_t)*slot];
		r->bytes += f->bytes, r->files++, r->loaded += f->loaded;
		if (f->loaded && !f->bytes)
			r->dead++, r->dead_bytes += f->discarded;
	}
	if (n)
		qsort(v, n, sizeof *v, arow_cmp);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "name", jstr(v[i].name));
		attr_int(o, "bytes", (long long)v[i].bytes);
		attr_int(o, "files", (long long)v[i].files);
		attr_int(o, "members_loaded", (long long)v[i].loaded);
		if (m->has_pulls && !m->members_unknown) {
			attr_int(o, "dead_members", (long long)v[i].dead);
			attr_int(o, "dead_member_bytes", (long long)v[i].dead_bytes);
		}
		json_array_append_new(arr, o);
		*loaded += v[i].loaded, *dead += v[i].dead;
	}
	hmap_free(&idx);
	free(v);
	return arr;
}

/* totals.linkmap.files: one row per input file of the link, in map
 * order: its id, the bytes it puts in the output and its live input
 * sections; for an archive member loaded, the symbol that pulled it in
 * and the file whose reference did (the map's, --why-extract's, or
 * derived), and with --cref the one symbol that holds it in the link when
 * only one does.  `slim linkmap`'s object and pulled-in tables print these
 * (the object nodes say the same per output section; the text does not
 * build them, to stay as fast as the parse). */
static json_t *file_rows(const struct linkmap *m)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct lm_file *f = &m->files[i];
		if (f->linker)
			continue;
		json_t *o = json_object();
		json_object_set_new_nocheck(o, "id", jstr(f->id));
		json_object_set_new_nocheck(o, "bytes", json_integer((json_int_t)f->bytes));
		json_object_set_new_nocheck(o, "live_sections", json_integer(f->nlive));
		if (f->loaded)
			json_object_set_new_nocheck(o, "loaded", json_true());
		if (f->loaded && f->pulled_sym)
			json_object_set_new_nocheck(o, "symbol", jstr(f->pulled_sym));
		if (f->loaded && f->pulled_by >= 0)
			json_object_set_new_nocheck(o, "by", jstr(m->files[f->pulled_by].id));
		if (f->derived)
			json_object_set_new_nocheck(o, "derived", json_true());
		if (m->has_cref && f->loaded && f->xref_syms == 1 && f->xref_sym) {
			json_object_set_new_nocheck(o, "held_by_symbol", jstr(f->xref_sym));
			if (f->xref_by >= 0)
				json_object_set_new_nocheck(o, "held_by",
							    jstr(m->files[f->xref_by].id));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

/* What the map says (or not) of archive members: the text's last summary
 * line reads these. */
static void member_totals(const struct linkmap *m, json_t *t)
{
	uint64_t loaded = 0, dead = 0;
	json_object_set_new(t, "archives", archives(m, &loaded, &dead));
	json_object_set_new(t, "files", file_rows(m));
	attr_int(t, "members_loaded", (long long)loaded);
	attr_bool(t, "pulls", m->has_pulls);
	if (m->has_cref)
		attr_bool(t, "cref", true);
	if (m->members_unknown)
		attr_str(t, "dead_members_unknown", "unread");
	else if (!m->has_pulls)
		attr_str(t, "dead_members_unknown", "no-pulls");
	else
		attr_int(t, "members_dead", (long long)dead);
	if (m->derived_members)
		attr_bool(t, "members_derived", true);
}

static void totals(const struct linkmap *m, struct graph *g)
{
	json_t *t = json_object(), *secs = json_array();
	uint64_t in = 0, lk = 0, pad = 0, dis = 0, ndis = 0, size = 0;
	for (size_t i = 0; i < m->nosecs; i++) {
		const struct lm_osec *o = &m->osecs[i];
		json_t *s = json_object();
		json_object_set_new(s, "name", jstrn(o->name.p, o->name.n));
		attr_int(s, "size", (long long)o->size);
		attr_int(s, "inputs", (long long)o->inputs);
		attr_int(s, "linker", (long long)o->linker);
		attr_int(s, "padding", (long long)o->padding);
		attr_int(s, "input_sections", (long long)o->ninputs);
		json_array_append_new(secs, s);
		in += o->inputs, lk += o->linker, pad += o->padding;
		size += o->size;
	}
	for (size_t i = 0; i < m->nfiles; i++)
		dis += m->files[i].discarded, ndis += m->files[i].ndead;
	attr_str(t, "linker", linkmap_linker_name(m->linker));
	json_object_set_new(t, "map", jstr(m->path));
	if (m->output)
		json_object_set_new(t, "output", jstr(m->output));
	attr_int(t, "output_bytes", (long long)size);
	attr_int(t, "input_bytes", (long long)in);
	attr_int(t, "linker_bytes", (long long)lk);
	attr_int(t, "padding_bytes", (long long)pad);
	attr_int(t, "discarded_bytes", (long long)dis);
	attr_int(t, "discarded_sections", (long long)ndis);
	json_t *bc = json_object();    /* counted in C: one JSON row per cause */
	uint64_t nc[256] = {0}, bytes[256] = {0};
	for (size_t i = 0; i < m->nisecs; i++) {
		const struct lm_isec *s = &m->isecs[i];
		if (s->state == LM_ISEC_DISCARDED)
			nc[s->cause]++, bytes[s->cause] += s->size;
	}
	for (int c = 0; c < 256; c++) {
		if (!nc[c])
			continue;
		const char *cn = linkmap_cause_name((enum lm_cause)c);
		json_t *o = json_object_get(bc, cn);   /* names may repeat */
		if (!o) {
			o = json_object();
			json_object_set_new(bc, cn, o);
		}
		attr_int(o, "sections", attr_get_int(o, "sections", 0) + (long long)nc[c]);
		attr_int(o, "bytes", attr_get_int(o, "bytes", 0) + (long long)bytes[c]);
	}
	json_object_set_new(t, "discarded_by_cause", bc);
	const char *unk = linkmap_discards_unknown(m);
	attr_str(t, "discards", unk ? "unknown" : m->derived_discards ? "derived" : "listed");
	if (unk)
		attr_str(t, "discards_note", unk);
	if (m->members_unknown || (!m->has_pulls && (m->linker == LM_LLD || m->linker == LM_MOLD)))
		attr_str(t, "dead_members", "unknown");
	if (m->derived_members || m->inputs_read || m->inputs_unread) {
		attr_int(t, "inputs_read", m->inputs_read);
		attr_int(t, "inputs_unread", m->inputs_unread);
	}
	json_object_set_new(t, "output_sections", secs);
	member_totals(m, t);
	json_object_set_new(g->totals, "linkmap", t);
}

/* The link's output node and the map as an input. */
static const char *output(const struct linkmap *m, struct graph *g,
			  const char *output_node)
{
	const char *out = out_id(m, g, output_node);
	if (!graph_node(g, out))
		graph_add_node(g, ids_has_prefix(out, IDP_LIB) ? NK_LIB : NK_EXE, out, NULL);
	graph_add_input(g, m->path, "linkmap", out);
	return out;
}

void linkmap_totals_to_graph(const struct linkmap *m, struct graph *g,
			     const char *output_node)
{
	output(m, g, output_node);
	totals(m, g);
}

int linkmap_to_graph(const struct linkmap *m, struct graph *g,
		     const char *output_node, struct diag *d)
{
	const char *out = output(m, g, output_node);
	file_bytes(m, g);
	edges(m, g, out);
	totals(m, g);
	discarded(m, g);
	dead_members(m, g);
	(void)d;
	return 0;
}
