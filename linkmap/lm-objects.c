/*
 * lm-objects.c - what lld and mold maps leave out, derived from the input
 * files themselves: the archive members loaded although the map names none
 * of their sections, the discarded input sections, and a chain of symbols
 * that pulled each member in.
 *
 * lld (MapFile.cpp) and mold (mapfile.cc) print only the sections they
 * kept.  Every allocated section of a loaded object or archive member that
 * the map does not list was discarded, by --gc-sections or as a duplicate
 * COMDAT group member.  The objects are read with libelf (elf_memory; an
 * archive's members through elf_begin(ELF_C_READ) on the archive and
 * elf_getarhdr(), as elfutils' ar.c does), found by the path the map
 * prints: relative paths first against the map's directory, then the
 * current one (lm-read.c).
 *
 * Sections whose fate the map cannot show are skipped, not guessed:
 * SHF_MERGE sections (both linkers merge them into one linker-made section
 * and print that), .eh_frame (rewritten into pieces), .note.gnu.property
 * (consumed: the linker writes its own), SHT_GROUP and the non-allocated
 * ones (never in the output's memory image).  Thin archives
 * are skipped with a warning (libelf does not read them).
 * Sections found this way are marked `derived` in the model.
 *
 * Loaded members absent from the map: lld (InputFiles.cpp, LazySymbol
 * extract()) and mold (resolve_symbols, mark_live_objects) load an archive
 * member when a loaded file references a symbol it defines and no loaded
 * file defines it, whatever the archive's position on the command line.
 * A member whose every section --gc-sections then drops appears nowhere in
 * their maps: linkmap_derive_members() replays that rule over the members
 * of the archives the map names (an archive none of whose members kept a
 * section is not named, and cannot be searched).  Weak references never
 * load a member (ELF gABI; both linkers).
 */
#include "linkmap.h"
#include "../common/diag.h"
#include "../common/util.h"

#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

struct derive {
	struct lm_reader r;      /* r.ctx points back here */
	struct linkmap *m;
	struct hmap live;        /* "FILE\0NAME" -> live count (as pointer) */
	uint32_t added;
	/* pulls */
	struct hmap def;         /* symbol -> defining member + 1 */
	struct syms { const char **v; size_t n, cap; } *undef;  /* per file */
};

static const char *live_key(struct derive *x, uint32_t file, const char *name,
			    size_t len, size_t *klen)
{
	char tmp[4096];
	if (len > sizeof tmp - 8)
		len = sizeof tmp - 8;
	memcpy(tmp, &file, 4);
	memcpy(tmp + 4, name, len);
	*klen = len + 4;
	return strtab_intern(&x->m->strs, tmp, *klen);
}

static void count_live(struct derive *x)
{
	struct linkmap *m = x->m;
	for (size_t i = 0; i < m->nisecs; i++) {
		const struct lm_isec *s = &m->isecs[i];
		if (s->state != LM_ISEC_LIVE || m->files[s->file].linker)
			continue;
		size_t kl;
		const char *k = live_key(x, s->file, s->name.p, s->name.n, &kl);
		bool created;
		void **v = hmap_slot(&x->live, k, kl, &created);
		*v = (void *)((uintptr_t)*v + 1);
	}
}

/* The allocated sections of one object the map does not list. */
static void object_sections(struct lm_reader *r, uint32_t file, Elf *e)
{
	struct derive *x = r->ctx;
	size_t shstrndx;
	if (elf_kind(e) != ELF_K_ELF || elf_getshdrstrndx(e, &shstrndx))
		return;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);
		if (!sh || !(sh->sh_flags & SHF_ALLOC) || (sh->sh_flags & SHF_MERGE) ||
		    sh->sh_type == SHT_GROUP)
			continue;
		const char *name = elf_strptr(e, shstrndx, sh->sh_name);
		if (!name || !*name || !strcmp(name, ".eh_frame") ||
		    !strcmp(name, ".note.gnu.property"))
			continue;
		size_t kl;
		const char *k = live_key(x, file, name, strlen(name), &kl);
		void **v = hmap_getp(&x->live, k, kl);
		if (v && *v) {
			*v = (void *)((uintptr_t)*v - 1);
			continue;
		}
		const char *nm = strtab_intern(&x->m->strs, name, strlen(name));
		lm_add_isec(x->m, 0, file, nm, strlen(nm), 0, sh->sh_size, 0,
			    LM_ISEC_DISCARDED, 0);
		x->added++;
	}
}

int linkmap_derive_discarded(struct linkmap *m, struct diag_list *w,
			     struct diag *d)
{
	if (m->has_discard_list)
		return 0;            /* BFD and gold list them themselves */
	elf_version(EV_CURRENT);
	struct derive x = {.m = m, .r = {.m = m, .visit = object_sections}};
	x.r.ctx = &x;
	m->strs.arena = &m->arena;
	count_live(&x);
	lm_visit_inputs(&x.r);
	hmap_free(&x.live);
	bool any = false;
	for (size_t i = 0; i < m->nfiles && !any; i++)
		any = m->files[i].read;
	if (!any)
		return 0;            /* nothing read: the views say so */
	/* the new sections count toward their files */
	for (size_t i = 0; i < m->nfiles; i++)
		m->files[i].discarded = 0, m->files[i].ndead = 0;
	for (size_t i = 0; i < m->nisecs; i++) {
		const struct lm_isec *s = &m->isecs[i];
		if (s->state == LM_ISEC_DISCARDED) {
			m->files[s->file].discarded += s->size;
			m->files[s->file].ndead++;
		}
	}
	m->has_discard_list = true;
	m->derived_discards = true;
	(void)d;
	return 0;
}

/* Global symbols: defined ones of archive members into x->def (the first
 * member defining a name wins, as the archive index would), undefined
 * ones of every file into x->undef[file], in symbol-table order. */
static void object_symbols(struct lm_reader *r, uint32_t file, Elf *e)
{
	struct derive *x = r->ctx;
	struct linkmap *m = x->m;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);
		if (!sh || sh->sh_type != SHT_SYMTAB || !sh->sh_entsize)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t n = data ? sh->sh_size / sh->sh_entsize : 0;
		for (size_t i = sh->sh_info; i < n; i++) {
			GElf_Sym sm, *sym = gelf_getsym(data, (int)i, &sm);
			if (!sym || (GELF_ST_BIND(sym->st_info) != STB_GLOBAL &&
				     GELF_ST_BIND(sym->st_info) != STB_WEAK))
				continue;
			const char *name = elf_strptr(e, sh->sh_link, sym->st_name);
			if (!name || !*name)
				continue;
			const char *in = strtab_intern(&m->strs, name, strlen(name));
			if (sym->st_shndx == SHN_UNDEF) {
				if (GELF_ST_BIND(sym->st_info) == STB_WEAK)
					continue;   /* never loads a member */
				struct syms *u = &x->undef[file];
				GROW(u->v, u->cap, u->n + 1);
				u->v[u->n++] = in;
			} else if (m->files[file].loaded) {
				bool created;
				void **v = hmap_slot(&x->def, in, strlen(in), &created);
				if (created)
					*v = (void *)(uintptr_t)(file + 1);
			}
		}
		break;
	}
}

int linkmap_derive_pulls(struct linkmap *m, struct diag_list *w, struct diag *d)
{
	if (m->has_pulls)
		return 0;            /* the map or --why-extract said it */
	elf_version(EV_CURRENT);
	m->strs.arena = &m->arena;
	struct derive x = {.m = m, .r = {.m = m, .visit = object_symbols}};
	x.r.ctx = &x;
	x.undef = xcalloc(m->nfiles + 1, sizeof *x.undef);
	size_t nfiles = m->nfiles;
	lm_visit_inputs(&x.r);
	/* breadth-first from the program's own objects, in map order: each
	 * member is pulled by the first file at the least depth that leaves
	 * one of its symbols undefined */
	uint32_t *queue = xmalloc((nfiles + 1) * sizeof *queue);
	bool *seen = xcalloc(nfiles + 1, sizeof *seen);
	size_t qh = 0, qt = 0;
	for (size_t i = 0; i < nfiles; i++)
		if (!m->files[i].linker && !m->files[i].loaded) {
			queue[qt++] = (uint32_t)i;
			seen[i] = true;
		}
	while (qh < qt) {
		uint32_t f = queue[qh++];
		const struct syms *u = &x.undef[f];
		for (size_t k = 0; k < u->n; k++) {
			void *v = hmap_get(&x.def, u->v[k], strlen(u->v[k]));
			if (!v || seen[(uintptr_t)v - 1])
				continue;
			uint32_t t = (uint32_t)((uintptr_t)v - 1);
			seen[t] = true;
			queue[qt++] = t;
			m->files[t].pulled_by = (int32_t)f;
			m->files[t].pulled_sym = u->v[k];
			m->files[t].derived = true;
		}
	}
	bool any = false;    /* nothing read: no pulls known, say so */
	for (size_t i = 0; i < nfiles; i++) {
		any |= m->files[i].read;
		free(x.undef[i].v);
	}
	free(x.undef);
	free(queue);
	free(seen);
	hmap_free(&x.def);
	m->has_pulls = any;
	(void)d;
	return 0;
}

/* --- loaded members the map does not name --- */

struct cand {            /* an archive member the map does not name */
	const char *path;    /* "ARCHIVE(MEMBER)", as the map would print it */
	struct syms defs, undefs;
	bool loaded;
};

struct members {
	struct linkmap *m;
	struct hmap defined;     /* symbols loaded files define */
	struct hmap cdef;        /* symbol -> candidate + 1 (first wins) */
	struct cand *c;
	size_t nc, capc;
	struct syms work;        /* strong undefined references to resolve */
};

static void push(struct syms *s, const char *v)
{
	GROW(s->v, s->cap, s->n + 1);
	s->v[s->n++] = v;
}

/* One file's global symbols: definitions into `defs` (or the defined set),
 * strong undefined references into `undefs`.  A common symbol defines
 * nothing that loads a member (lld and mold do not extract for one). */
static void member_symbols(struct lm_reader *r, uint32_t file, Elf *e)
{
	struct members *x = r->ctx;
	struct cand *c = NULL;
	if (file == LM_NOFILE) {
		GROW(x->c, x->capc, x->nc + 1);
		c = &x->c[x->nc++];
		memset(c, 0, sizeof *c);
		c->path = arena_printf(&x->m->arena, "%s(%s)", r->archive, r->member);
	}
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);
		if (!sh || sh->sh_type != SHT_SYMTAB || !sh->sh_entsize)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		size_t n = data ? sh->sh_size / sh->sh_entsize : 0;
		for (size_t i = sh->sh_info; i < n; i++) {
			GElf_Sym sm, *sym = gelf_getsym(data, (int)i, &sm);
			int bind = sym ? GELF_ST_BIND(sym->st_info) : -1;
			if (bind != STB_GLOBAL && bind != STB_WEAK)
				continue;
			const char *name = elf_strptr(e, sh->sh_link, sym->st_name);
			if (!name || !*name)
				continue;
			const char *in = strtab_intern(&x->m->strs, name, strlen(name));
			bool undef = sym->st_shndx == SHN_UNDEF;
			if (undef && bind == STB_WEAK)
				continue;
			if (c)
				push(undef ? &c->undefs : &c->defs, in);
			else if (undef)
				push(&x->work, in);
			else
				hmap_put(&x->defined, in, strlen(in), (void *)1);
		}
		break;
	}
	if (!c)
		return;
	uint32_t ci = (uint32_t)x->nc;
	for (size_t k = 0; k < c->defs.n; k++) {
		bool created;
		void **v = hmap_slot(&x->cdef, c->defs.v[k], strlen(c->defs.v[k]), &created);
		if (created)
			*v = (void *)(uintptr_t)ci;
	}
}

/* A candidate the link loaded: into the model, its symbols into play. */
static void load_candidate(struct members *x, struct cand *c)
{
	struct linkmap *m = x->m;
	c->loaded = true;
	uint32_t fi = lm_file_intern(m, c->path, strlen(c->path));
	m->files[fi].loaded = m->files[fi].unlisted = m->files[fi].derived = true;
	for (size_t k = 0; k < c->defs.n; k++)
		hmap_put(&x->defined, c->defs.v[k], strlen(c->defs.v[k]), (void *)1);
	for (size_t k = 0; k < c->undefs.n; k++)
		push(&x->work, c->undefs.v[k]);
}

int linkmap_derive_members(struct linkmap *m, struct diag_list *w, struct diag *d)
{
	(void)w, (void)d;
	if (m->has_pulls || m->linker == LM_BFD || m->linker == LM_GOLD)
		return 0;    /* the map or --why-extract lists every member */
	m->strs.arena = &m->arena;
	struct members x = {.m = m};
	struct lm_reader r = {.m = m, .visit = member_symbols, .ctx = &x,
			      .all_members = true};
	lm_visit_inputs(&r);
	/* a loaded file that could not be read (or an LTO partition) may
	 * define what the rule would look for in an archive: no guessing */
	bool blind = false;
	for (size_t i = 0; i < r.nfiles && !blind; i++)
		blind = !m->files[i].linker && !m->files[i].read;
	if (blind)
		x.work.n = 0;
	m->members_unknown = blind;
	/* the linkers' rule, to a fixed point: an undefined reference no
	 * loaded file defines loads the member that defines it */
	while (x.work.n) {
		const char *s = x.work.v[--x.work.n];
		if (hmap_get(&x.defined, s, strlen(s)))
			continue;
		void *v = hmap_get(&x.cdef, s, strlen(s));
		if (v && !x.c[(uintptr_t)v - 1].loaded)
			load_candidate(&x, &x.c[(uintptr_t)v - 1]);
	}
	for (size_t i = 0; i < x.nc; i++)
		free(x.c[i].defs.v), free(x.c[i].undefs.v);
	free(x.c);
	free(x.work.v);
	hmap_free(&x.defined);
	hmap_free(&x.cdef);
	m->derived_members = !blind;
	return 0;
}

const char *linkmap_discards_unknown(const struct linkmap *m)
{
	if (m->has_discard_list)
		return NULL;
	if (m->inputs_read == 0 && m->inputs_unread)
		return arena_printf((struct arena *)&m->arena,
			"%s maps do not list discarded sections and none of the %u inputs the map names could be read (%s): nothing derived; run slim where the link ran%s",
			linkmap_linker_name(m->linker), m->inputs_unread,
			m->unread ? m->unread : "?",
			m->linker == LM_LLD ? ", and give lld's --why-extract=FILE output to --why-extract" : "");
	return arena_printf((struct arena *)&m->arena,
		"%s maps do not list discarded sections (derivation from the inputs was skipped: --no-derive)",
		linkmap_linker_name(m->linker));
}

int linkmap_derive(struct linkmap *m, struct diag_list *w, struct diag *d)
{
	if (linkmap_derive_members(m, w, d) || linkmap_derive_discarded(m, w, d) ||
	    linkmap_derive_pulls(m, w, d))
		return -1;
	linkmap_causes(m, true);
	m->inputs_read = m->inputs_unread = 0;
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct lm_file *f = &m->files[i];
		if (f->linker || f->lto)
			continue;
		if (f->read)
			m->inputs_read++;
		else
			m->inputs_unread++;
	}
	/* none read and no discards known: linkmap_discards_unknown() says it */
	if (m->inputs_unread && (m->inputs_read || m->has_discard_list))
		diag_warn_at(w, m->path, 0, "%u of the %u inputs the map names could not be read (first: %s): what they would tell is missing",
			     m->inputs_unread, m->inputs_read + m->inputs_unread,
			     m->unread ? m->unread : "?");
	return 0;
}
