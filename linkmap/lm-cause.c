/*
 * lm-cause.c - why each discarded input section is not in the output
 * (enum lm_cause in linkmap.h), so that a user can tell what can be acted
 * on (dead code --gc-sections removed) from what cannot (a second copy of
 * a template instantiation, a note the linker merged).
 *
 * Every linker discards for the same four reasons, and BFD and gold list
 * them together under "Discarded input sections" (ld/ldlang.c
 * print_discarded_sections(), gold/mapfile.cc):
 *   script  the inputs of a /DISCARD/ output section (lm-gnu.c marks them);
 *   merged  notes the linker consumes and writes its own of
 *           (.note.gnu.property, .note.GNU-stack), and a kept COMDAT
 *           group's .group record, which no executable carries;
 *   comdat  members of a COMDAT group whose signature another file's group
 *           supplied: the linker keeps the first group of a signature it
 *           reads (BFD elf.c _bfd_elf_section_already_linked(), gold
 *           Layout::find_or_add_kept_section(), lld ComdatGroups, mold
 *           ComdatGroup) and drops the others before --gc-sections runs;
 *   gc      the rest: sections of kept files nothing references.
 * Group membership is read from the inputs (SHT_GROUP with GRP_COMDAT, its
 * signature the name of the symbol sh_info names, gABI "Section Groups").
 * The kept copy of a signature is the file whose group has a section in
 * the output; where every copy went (the whole group unused) it is the
 * first file of the link, in the order the map lays the files out
 * (link_rank()).
 * A kept group's .group record is gc for BFD when the whole group was
 * collected (BFD prints it under --print-gc-sections), merged otherwise;
 * gold never collects one.
 *
 * /DISCARD/: BFD lists a script's discards with the rest (its map prints
 * the /DISCARD/ patterns, not the sections), lld and mold not at all.  But
 * --gc-sections runs on every section, so a discarded section nothing
 * references is collected (and printed as such) whatever the script says;
 * only a section --gc-sections never collects can owe its absence to the
 * script: the roots all four linkers keep (SHT_NOTE, SHT_INIT_ARRAY,
 * SHT_FINI_ARRAY, SHT_PREINIT_ARRAY, .init, .fini, .ctors, .dtors, .jcr:
 * BFD elflink.c _bfd_elf_gc_mark_extra_sections(), lld MarkLive.cpp
 * isReserved(), mold gc_sections.cc mark_nonalloc_fragments/is_init_fini).
 * A discarded root that is neither a duplicate group member nor a merged
 * note is therefore cause script.  Where an input cannot be read, names
 * decide: a name another file keeps is comdat, a root's name script, the
 * rest gc (cause_by_name).
 *
 * ICF (gold/lld --icf) folds sections into identical ones; no map these
 * linkers write says which, so slim never reports the cause icf today.
 */
#include "linkmap.h"
#include "../common/util.h"

#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *linkmap_cause_name(enum lm_cause c)
{
	switch (c) {
	case LM_CAUSE_GC: return "gc";
	case LM_CAUSE_COMDAT: return "comdat";
	case LM_CAUSE_MERGED: return "merged";
	case LM_CAUSE_SCRIPT: return "script";
	case LM_CAUSE_ICF: return "icf";
	default: return "unknown";
	}
}

struct grp {                 /* one COMDAT group of one input */
	const char *sig;
	uint32_t file;
	bool live;               /* one of its sections is in the output */
	bool has_members;
};

struct grps { struct grp **v; size_t n, cap; };

struct causes {
	struct linkmap *m;
	struct hmap member;      /* key(file, section name) -> struct grp * */
	struct grps *recs;       /* per file: its groups in section order */
	struct hmap keeper;      /* signature -> kept file + 1 */
	struct hmap roots;       /* key(file, name) of gc roots */
	struct arena arena;
};

/* "FILE NAME" as a key: file index bytes, then the name, into tmp */
static size_t key_in(char tmp[static 4096], uint32_t file, const char *name,
		     size_t len)
{
	if (len > 4096 - 8)
		len = 4096 - 8;
	memcpy(tmp, &file, 4);
	memcpy(tmp + 4, name, len);
	return len + 4;
}

/* The same key kept (interned) for a map that stores it. */
static const char *key(struct causes *x, uint32_t file, const char *name,
		       size_t len, size_t *kl)
{
	char tmp[4096];
	*kl = key_in(tmp, file, name, len);
	return strtab_intern(&x->m->strs, tmp, *kl);
}

/* Look a key up without keeping it (the hot path: every section). */
static void *get(const struct hmap *h, uint32_t file, const char *name, size_t len)
{
	char tmp[4096];
	size_t kl = key_in(tmp, file, name, len);
	return h->n ? hmap_get(h, tmp, kl) : NULL;
}

/* The signature of a group: the name of the symbol its sh_info names. */
static const char *signature(Elf *e, const GElf_Shdr *gsh)
{
	Elf_Scn *ss = elf_getscn(e, gsh->sh_link);
	GElf_Shdr smem, *ssh = ss ? gelf_getshdr(ss, &smem) : NULL;
	Elf_Data *sd = ssh ? elf_getdata(ss, NULL) : NULL;
	GElf_Sym sym;
	if (!sd || !gelf_getsym(sd, (int)gsh->sh_info, &sym))
		return NULL;
	return elf_strptr(e, ssh->sh_link, sym.st_name);
}

/* One group section: the group, its members keyed by name. */
static void one_group(struct causes *x, uint32_t file, Elf *e, size_t shstrndx,
		      const GElf_Shdr *gsh, Elf_Scn *gs)
{
	Elf_Data *d = elf_getdata(gs, NULL);
	const char *sig = signature(e, gsh);
	if (!d || !d->d_buf || d->d_size < 4 || !sig)
		return;
	const uint32_t *w = d->d_buf;   /* libelf converts to host order */
	if (!(w[0] & GRP_COMDAT))
		return;
	struct grp *g = arena_zalloc(&x->arena, sizeof *g);
	g->sig = strtab_intern(&x->m->strs, sig, strlen(sig));
	g->file = file;
	struct grps *r = &x->recs[file];
	GROW(r->v, r->cap, r->n + 1);
	r->v[r->n++] = g;
	for (size_t k = 1; k < d->d_size / 4; k++) {
		Elf_Scn *ms = elf_getscn(e, w[k]);
		GElf_Shdr mmem, *msh = ms ? gelf_getshdr(ms, &mmem) : NULL;
		const char *nm = msh ? elf_strptr(e, shstrndx, msh->sh_name) : NULL;
		if (!nm || !(msh->sh_flags & SHF_ALLOC))
			continue;
		size_t kl;
		const char *k2 = key(x, file, nm, strlen(nm), &kl);
		hmap_put(&x->member, k2, kl, g);
		g->has_members = true;
	}
}

static bool prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* A section --gc-sections never collects (the comment atop). */
static bool root_name(const char *n)
{
	return !strcmp(n, ".init") || !strcmp(n, ".fini") || !strcmp(n, ".jcr") ||
	       prefix(n, ".ctors") || prefix(n, ".dtors") ||
	       prefix(n, ".init_array") || prefix(n, ".fini_array") ||
	       prefix(n, ".preinit_array") ||
	       (prefix(n, ".note") && strcmp(n, ".note.gnu.property") &&
		strcmp(n, ".note.GNU-stack"));
}

static bool gc_root(const GElf_Shdr *sh, const char *name)
{
	if (sh->sh_type == SHT_NOTE || sh->sh_type == SHT_INIT_ARRAY ||
	    sh->sh_type == SHT_FINI_ARRAY || sh->sh_type == SHT_PREINIT_ARRAY)
		return strcmp(name, ".note.gnu.property") != 0;
	return root_name(name) && !prefix(name, ".note");
}

static void file_groups(struct lm_reader *r, uint32_t file, Elf *e)
{
	struct causes *x = r->ctx;
	size_t shstrndx;
	if (file == LM_NOFILE || elf_kind(e) != ELF_K_ELF ||
	    elf_getshdrstrndx(e, &shstrndx))
		return;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr mem, *sh = gelf_getshdr(scn, &mem);
		if (!sh)
			continue;
		if (sh->sh_type == SHT_GROUP) {
			one_group(x, file, e, shstrndx, sh, scn);
			continue;
		}
		const char *nm = elf_strptr(e, shstrndx, sh->sh_name);
		if (nm && (sh->sh_flags & SHF_ALLOC) && gc_root(sh, nm)) {
			size_t kl;
			const char *k = key(x, file, nm, strlen(nm), &kl);
			hmap_put(&x->roots, k, kl, (void *)1);
		}
	}
}

static void keep(struct causes *x, const char *sig, uint32_t file)
{
	bool created;
	void **v = hmap_slot(&x->keeper, sig, strlen(sig), &created);
	if (created)
		*v = (void *)(uintptr_t)(file + 1);
}

/*
 * Link order, as far as the map shows it: every linker lays out the inputs
 * of one output section in the order it loaded their files (lld and gold
 * in load order, mold by file priority, BFD in script order, which follows
 * loading within a pattern), so the files' first inputs in the output
 * section that most files contribute to (.text, nearly always) rank them.
 * A file with no input there ranks right after the ranked file whose
 * input precedes its first one in another output section; a file with no
 * kept input at all (a dead member) last, in map order.  Exact for the
 * links of the tests; on an LLVM link with lld, where a member all of
 * whose sections went can be loaded anywhere, 65 of 18,495 gc sections
 * are the other copy of a group no copy of which was kept (the README).
 */
struct rk { uint64_t key; uint32_t file; };

static int rk_cmp(const void *a, const void *b)
{
	const struct rk *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* mold numbers files once, before it loads anything (input_files.cc,
 * read_input_files): command-line order, an archive's members in archive
 * order, so its first-wins choice among groups follows that priority:
 * an archive ranks where its first-laid member does, members within it
 * by their place in it. */
static void mold_priority(const struct linkmap *m, struct rk *v)
{
	struct hmap ar = {0};      /* archive path -> its least key + 1 */
	for (size_t f = 0; f < m->nfiles; f++) {
		const char *a = m->files[f].archive;
		if (!a)
			continue;
		bool created;
		void **slot = hmap_slot(&ar, a, strlen(a), &created);
		uint64_t k = v[f].key >> 32;
		if (created || k + 1 < (uintptr_t)*slot)
			*slot = (void *)(uintptr_t)(k + 1);
	}
	for (size_t f = 0; f < m->nfiles; f++) {
		const struct lm_file *fl = &m->files[f];
		if (!fl->archive || !fl->arindex)
			continue;
		uint64_t k = (uintptr_t)hmap_get(&ar, fl->archive, strlen(fl->archive)) - 1;
		v[f].key = (k << 32) | fl->arindex;
	}
	hmap_free(&ar);
}

static uint32_t *link_rank(const struct linkmap *m)
{
	uint32_t *cnt = xcalloc(m->nosecs + 1, sizeof *cnt);
	uint32_t *first = xcalloc(m->nfiles + 1, sizeof *first);
	for (size_t i = 0; i < m->nisecs; i++)
		if (m->isecs[i].state == LM_ISEC_LIVE)
			cnt[m->isecs[i].osec]++;
	uint32_t best = 0;
	for (uint32_t o = 1; o < m->nosecs; o++)
		if (cnt[o] > cnt[best])
			best = o;
	uint32_t next = 1;
	for (size_t i = 0; i < m->nisecs; i++) {
		const struct lm_isec *s = &m->isecs[i];
		if (s->state == LM_ISEC_LIVE && s->osec == best && !first[s->file])
			first[s->file] = next++;
	}
	/* a file with nothing there: right after the ranked file whose input
	 * precedes its first one in its own output section */
	struct rk *v = xmalloc((m->nfiles + 1) * sizeof *v);
	bool *placed = xcalloc(m->nfiles + 1, sizeof *placed);
	uint64_t anchor = 0, seq = 0;
	uint32_t osec = UINT32_MAX;
	for (size_t i = 0; i < m->nisecs; i++) {
		const struct lm_isec *s = &m->isecs[i];
		if (s->state != LM_ISEC_LIVE)
			continue;
		if (s->osec != osec)
			osec = s->osec, anchor = 0;
		if (first[s->file])
			anchor = first[s->file];
		else if (!placed[s->file]) {
			placed[s->file] = true;
			v[s->file] = (struct rk){(anchor << 32) | ++seq, s->file};
		}
	}
	for (size_t f = 0; f < m->nfiles; f++)
		if (first[f])
			v[f] = (struct rk){(uint64_t)first[f] << 32, (uint32_t)f};
	for (size_t f = 0; f < m->nfiles; f++)
		if (!first[f] && !placed[f])
			v[f] = (struct rk){((uint64_t)UINT32_MAX << 32) | ++seq, (uint32_t)f};
	if (m->linker == LM_MOLD)
		mold_priority(m, v);
	qsort(v, m->nfiles, sizeof *v, rk_cmp);
	uint32_t *rank = first;     /* reused: 1-based rank per file */
	for (size_t r = 0; r < m->nfiles; r++)
		rank[v[r].file] = (uint32_t)r + 1;
	free(v);
	free(placed);
	free(cnt);
	return rank;
}

/* Which file supplied each signature: the one whose group is in the
 * output, else the first in link order (link_rank()). */
static void keepers(struct causes *x)
{
	struct linkmap *m = x->m;
	for (size_t i = 0; i < m->nisecs && x->member.n; i++) {
		const struct lm_isec *s = &m->isecs[i];
		if (s->state != LM_ISEC_LIVE || s->file >= m->nfiles ||
		    !m->files[s->file].read)
			continue;
		struct grp *g = get(&x->member, s->file, s->name.p, s->name.n);
		if (g) {
			g->live = true;
			keep(x, g->sig, g->file);
		}
	}
	if (!x->member.n)
		return;
	uint32_t *rank = link_rank(m);
	uint32_t *by = xmalloc((m->nfiles + 1) * sizeof *by);
	for (size_t f = 0; f < m->nfiles; f++)
		by[rank[f] - 1] = (uint32_t)f;
	for (size_t r = 0; r < m->nfiles; r++)
		for (size_t k = 0; k < x->recs[by[r]].n; k++)
			keep(x, x->recs[by[r]].v[k]->sig, by[r]);
	free(by);
	free(rank);
}

static bool is_name(const struct lm_isec *s, const char *n)
{
	return s->name.n == strlen(n) && !memcmp(s->name.p, n, s->name.n);
}

/* The cause of one discarded section of a file that was read. */
static uint8_t cause_read(struct causes *x, const struct lm_isec *s,
			  size_t *nrec)
{
	struct linkmap *m = x->m;
	struct grp *g;
	bool rec = is_name(s, ".group");
	if (rec) {      /* the k-th record listed is the file's k-th group */
		size_t k = nrec[s->file]++;
		g = k < x->recs[s->file].n ? x->recs[s->file].v[k] : NULL;
	} else {
		g = get(&x->member, s->file, s->name.p, s->name.n);
	}
	if (!g) {
		if (!rec && get(&x->roots, s->file, s->name.p, s->name.n))
			return LM_CAUSE_SCRIPT;
		return rec ? LM_CAUSE_MERGED : LM_CAUSE_GC;
	}
	uintptr_t kf = (uintptr_t)hmap_get(&x->keeper, g->sig, strlen(g->sig));
	if (kf && kf - 1 != s->file)
		return LM_CAUSE_COMDAT;
	if (!rec)
		return LM_CAUSE_GC;
	return m->linker == LM_BFD && !g->live && g->has_members
	       ? LM_CAUSE_GC : LM_CAUSE_MERGED;
}

/* Names alone: a section name that another file keeps is comdat. */
static uint8_t cause_by_name(const struct linkmap *m, const struct hmap *live,
			     const struct lm_isec *s)
{
	if (is_name(s, ".group"))
		return LM_CAUSE_COMDAT;
	if (hmap_get(live, s->name.p, s->name.n))
		return LM_CAUSE_COMDAT;
	char nm[256];
	snprintf(nm, sizeof nm, "%.*s", (int)s->name.n, s->name.p);
	return root_name(nm) ? LM_CAUSE_SCRIPT : LM_CAUSE_GC;
}

static void live_names(const struct linkmap *m, struct hmap *live)
{
	for (size_t i = 0; i < m->nisecs; i++) {
		const struct lm_isec *s = &m->isecs[i];
		if (s->state == LM_ISEC_LIVE && !m->files[s->file].linker)
			hmap_put(live, s->name.p, s->name.n, (void *)1);
	}
}

static void assign(struct causes *x)
{
	struct linkmap *m = x->m;
	size_t *nrec = xcalloc(m->nfiles + 1, sizeof *nrec);
	struct hmap live = {0};    /* names kept: made when first needed */
	bool have_live = false;
	for (size_t i = 0; i < m->nisecs; i++) {
		struct lm_isec *s = &m->isecs[i];
		if (s->state != LM_ISEC_DISCARDED || s->cause == LM_CAUSE_SCRIPT)
			continue;
		if (is_name(s, ".note.gnu.property") || is_name(s, ".note.GNU-stack")) {
			s->cause = LM_CAUSE_MERGED;
			continue;
		}
		if (m->files[s->file].read) {
			s->cause = cause_read(x, s, nrec);
			s->cause_by_name = false;
		} else {
			if (!have_live)
				live_names(m, &live);
			have_live = true;
			s->cause = cause_by_name(m, &live, s);
			s->cause_by_name = true;
		}
	}
	hmap_free(&live);
	free(nrec);
}

void linkmap_causes(struct linkmap *m, bool read_inputs)
{
	struct causes x = {.m = m};
	m->strs.arena = &m->arena;
	x.recs = xcalloc(m->nfiles + 1, sizeof *x.recs);
	struct lm_reader r = {.m = m, .visit = file_groups, .ctx = &x};
	if (read_inputs)
		lm_visit_inputs(&r);
	keepers(&x);
	assign(&x);
	for (size_t f = 0; f < m->nfiles; f++)
		free(x.recs[f].v);
	free(x.recs);
	hmap_free(&x.member);
	hmap_free(&x.keeper);
	hmap_free(&x.roots);
	arena_free(&x.arena);
}
