/*
 * lm-objects.c - what lld and mold maps leave out, derived from the input
 * files themselves: the discarded input sections.
 *
 * lld (MapFile.cpp) and mold (mapfile.cc) print only the sections they
 * kept.  Every allocated section of a loaded object or archive member that
 * the map does not list was discarded, by --gc-sections or as a duplicate
 * COMDAT group member.  The objects are read with libelf (elf_memory; an
 * archive's members through elf_begin(ELF_C_READ) on the archive and
 * elf_getarhdr(), as elfutils' ar.c does), found by the path the map
 * prints: relative paths first against the map's directory, then the
 * current one.
 *
 * Sections whose fate the map cannot show are skipped, not guessed:
 * SHF_MERGE sections (both linkers merge them into one linker-made section
 * and print that), .eh_frame (rewritten into pieces), .note.gnu.property
 * (consumed: the linker writes its own), SHT_GROUP and the non-allocated
 * ones (never in the output's memory image).  Thin archives
 * are skipped with a warning (libelf does not read them).
 * Sections found this way are marked `derived` in the model.
 */
#include "linkmap.h"
#include "../common/diag.h"
#include "../common/mfile.h"
#include "../common/util.h"

#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

struct derive;
typedef void (*visit_fn)(struct derive *x, uint32_t file, Elf *e);

struct derive {
	struct linkmap *m;
	visit_fn visit;          /* what to do with each input's ELF */
	bool *done;              /* per file: visited in this pass */
	struct hmap live;        /* "FILE\0NAME" -> live count (as pointer) */
	struct diag_list *w;
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
static void object_sections(struct derive *x, uint32_t file, Elf *e)
{
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

/* A path the map prints is relative to the directory the link ran in,
 * which the map does not record: try the map's own directory first (maps
 * are usually written there), then the current directory. */
static int open_near(struct mfile *mf, const char *path, const char *mapdir,
		     struct diag *d)
{
	if (path[0] != '/' && mapdir) {
		char buf[4096];
		struct diag d2 = {0};
		int n = snprintf(buf, sizeof buf, "%s/%s", mapdir, path);
		if (n > 0 && (size_t)n < sizeof buf && !mfile_open(mf, buf, &d2)) {
			mf->path = path;
			return 0;
		}
	}
	return mfile_open(mf, path, d);
}

static void read_object(struct derive *x, uint32_t fi, const char *mapdir)
{
	struct lm_file *f = &x->m->files[fi];
	struct mfile mf;
	struct diag d = {0};
	if (open_near(&mf, f->path, mapdir, &d)) {
		diag_warn(x->w, &d);
		return;
	}
	Elf *e = elf_memory((char *)mf.p, mf.n);
	if (e) {
		x->visit(x, fi, e);
		elf_end(e);
	}
	mfile_close(&mf);
}

static void read_thin(struct derive *x, const char *apath, const char *mapdir)
{
	struct linkmap *m = x->m;
	const char *sl = strrchr(apath, '/');
	for (size_t i = 0; i < m->nfiles; i++) {
		struct lm_file *f = &m->files[i];
		if (!f->archive || strcmp(f->archive, apath) || x->done[i])
			continue;
		x->done[i] = true;
		char buf[4096];
		if ((size_t)snprintf(buf, sizeof buf, "%.*s%s", sl ? (int)(sl - apath + 1) : 0,
				     apath, f->member) >= sizeof buf && f->member[0] != '/')
			continue;   /* past PATH_MAX: never a truncated name */
		struct mfile mf;
		struct diag d = {0};
		if (open_near(&mf, f->member[0] == '/' ? f->member : buf, mapdir, &d)) {
			diag_warn(x->w, &d);
			continue;
		}
		Elf *e = elf_memory((char *)mf.p, mf.n);
		if (e) {
			x->visit(x, (uint32_t)i, e);
			elf_end(e);
		}
		mfile_close(&mf);
	}
}

/* Every loaded member of one archive, found by its printed name. */
static void read_archive(struct derive *x, const char *apath, const char *mapdir)
{
	struct linkmap *m = x->m;
	struct mfile mf;
	struct diag d = {0};
	if (open_near(&mf, apath, mapdir, &d)) {
		diag_warn(x->w, &d);
		return;
	}
	if (mf.n >= 8 && !memcmp(mf.p, "!<thin>\n", 8)) {
		/* a thin archive's members are files beside it */
		mfile_close(&mf);
		read_thin(x, apath, mapdir);
		return;
	}
	Elf *ar = elf_memory((char *)mf.p, mf.n);
	if (!ar || elf_kind(ar) != ELF_K_AR) {
		diag_warn_at(x->w, apath, 0, "not an archive libelf can read: %s", elf_errmsg(-1));
		if (ar)
			elf_end(ar);
		mfile_close(&mf);
		return;
	}
	Elf *e;
	/* a memory-backed archive hands out members with READ_MMAP only */
	Elf_Cmd cmd = ELF_C_READ_MMAP;
	char key[4096];
	while ((e = elf_begin(-1, cmd, ar))) {
		Elf_Arhdr *h = elf_getarhdr(e);
		if (h && h->ar_name && h->ar_name[0] != '/') {
			int kl = snprintf(key, sizeof key, "%s(%s)", apath, h->ar_name);
			void *v = kl > 0 && (size_t)kl < sizeof key
				  ? hmap_get(&m->file_by_path, key, (size_t)kl) : NULL;
			if (v && !x->done[(uintptr_t)v - 1]) {
				x->done[(uintptr_t)v - 1] = true;
				x->visit(x, (uint32_t)((uintptr_t)v - 1), e);
			}
		}
		cmd = elf_next(e) == ELF_C_NULL ? ELF_C_NULL : ELF_C_READ_MMAP;
		elf_end(e);
	}
	elf_end(ar);
	mfile_close(&mf);
}

/* Call x->visit on every input the map names that can be read. */
static void visit_inputs(struct derive *x)
{
	struct linkmap *m = x->m;
	char *mapdir = xstrdup(m->path);
	char *sl = strrchr(mapdir, '/');
	if (sl)
		*sl = 0;
	else
		strcpy(mapdir, ".");
	x->done = xcalloc(m->nfiles + 1, sizeof *x->done);
	struct hmap seen = {0};
	size_t nfiles = m->nfiles;
	for (size_t i = 0; i < nfiles; i++) {
		const struct lm_file *f = &m->files[i];
		if (f->linker || f->lto)
			continue;
		if (!f->archive) {
			read_object(x, (uint32_t)i, mapdir);
			continue;
		}
		bool created;
		hmap_slot(&seen, f->archive, strlen(f->archive), &created);
		if (created)
			read_archive(x, f->archive, mapdir);
	}
	hmap_free(&seen);
	free(x->done);
	x->done = NULL;
	free(mapdir);
}

int linkmap_derive_discarded(struct linkmap *m, struct diag_list *w,
			     struct diag *d)
{
	if (m->has_discard_list)
		return 0;            /* BFD and gold list them themselves */
	elf_version(EV_CURRENT);
	struct derive x = {.m = m, .w = w, .visit = object_sections};
	m->strs.arena = &m->arena;
	count_live(&x);
	visit_inputs(&x);
	hmap_free(&x.live);
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
static void object_symbols(struct derive *x, uint32_t file, Elf *e)
{
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
	struct derive x = {.m = m, .w = w, .visit = object_symbols};
	x.undef = xcalloc(m->nfiles + 1, sizeof *x.undef);
	size_t nfiles = m->nfiles;
	visit_inputs(&x);
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
	for (size_t i = 0; i < nfiles; i++)
		free(x.undef[i].v);
	free(x.undef);
	free(queue);
	free(seen);
	hmap_free(&x.def);
	m->has_pulls = true;
	(void)d;
	return 0;
}
