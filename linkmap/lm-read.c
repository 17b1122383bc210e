/*
 * lm-read.c - the inputs a linker map names, read with libelf, for what the
 * map itself leaves out (lm-objects.c: members, discarded sections, pulls;
 * lm-cause.c: COMDAT groups).
 *
 * Objects are mapped and opened with elf_memory(); an archive's members
 * through elf_begin(ELF_C_READ_MMAP) on the archive and elf_getarhdr(), as
 * elfutils' ar.c does; a thin archive's members are the files it names,
 * relative to the archive's directory (thin_names() reads its headers:
 * libelf reads no thin archive).  A path the map prints is relative
 * to the directory the link ran in, which no map records: the map's own
 * directory is tried first (maps are usually written there), then the
 * current one.  Each input read is marked `read` in the model; the first
 * that cannot be read is remembered (m->unread) for the one warning
 * linkmap_derive() gives, so several passes do not repeat it.
 */
#include "linkmap.h"
#include "../common/diag.h"
#include "../common/mfile.h"
#include "../common/util.h"

#include <gelf.h>
#include <stdlib.h>
#include <string.h>

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

static void unreadable(struct lm_reader *r, const struct diag *d)
{
	struct linkmap *m = r->m;
	if (m->unread)
		return;
	char line[2048];
	diag_format(d, line, sizeof line);
	/* "slim: FILE: what": keep "FILE: what" */
	m->unread = arena_strdup(&m->arena, strncmp(line, "slim: ", 6) ? line : line + 6);
}

static void visit_elf(struct lm_reader *r, uint32_t fi, const void *p, size_t n)
{
	Elf *e = elf_memory((char *)p, n);
	if (!e)
		return;
	if (fi != LM_NOFILE)
		r->m->files[fi].read = true;
	r->visit(r, fi, e);
	elf_end(e);
}

static void read_object(struct lm_reader *r, uint32_t fi, const char *mapdir)
{
	struct mfile mf;
	struct diag d = {0};
	if (open_near(&mf, r->m->files[fi].path, mapdir, &d)) {
		unreadable(r, &d);
		return;
	}
	visit_elf(r, fi, mf.p, mf.n);
	mfile_close(&mf);
}

/* A thin archive member's file: beside the archive unless absolute. */
static void thin_member(struct lm_reader *r, const char *apath, const char *name,
			uint32_t fi, const char *mapdir)
{
	const char *sl = strrchr(apath, '/');
	char buf[4096];
	if (name[0] != '/' &&
	    (size_t)snprintf(buf, sizeof buf, "%.*s%s", sl ? (int)(sl - apath + 1) : 0,
			     apath, name) >= sizeof buf)
		return;     /* past PATH_MAX: never a truncated name */
	struct mfile mf;
	struct diag d = {0};
	if (open_near(&mf, name[0] == '/' ? name : buf, mapdir, &d)) {
		unreadable(r, &d);
		return;
	}
	if (fi == LM_NOFILE) {
		r->archive = apath;
		r->member = name;
	}
	visit_elf(r, fi, mf.p, mf.n);
	r->archive = r->member = NULL;
	mfile_close(&mf);
}

/* The member names of a thin archive [p, p+n) (ar(5): "!<thin>\n", then
 * 60-byte headers, name in the first 16 bytes ("NAME/" or "/OFFSET" into
 * the "//" long-name table), decimal size at 48, "`\n" at 58; only the
 * symbol index and the name table have data in the archive itself).
 * libelf reads no thin archive.  Calls back with each name; stops at the
 * first malformed header. */
static void thin_names(struct lm_reader *r, const char *apath, const char *p,
		       size_t n, const char *mapdir)
{
	const char *names = NULL;
	size_t nnames = 0;
	for (size_t pos = 8; pos + 60 <= n;) {
		const char *h = p + pos;
		char num[11];
		memcpy(num, h + 48, 10);
		num[10] = 0;
		char *end;
		unsigned long long sz = strtoull(num, &end, 10);
		if (memcmp(h + 58, "`\n", 2) || end == num)
			return;
		pos += 60;
		bool data = h[0] == '/' && (h[1] == ' ' || h[1] == '/' || !memcmp(h, "/SYM64/", 7));
		if (data) {
			if (sz > n - pos)
				return;
			if (h[1] == '/')
				names = p + pos, nnames = (size_t)sz;
			pos += (size_t)sz + (sz & 1);
			continue;
		}
		char name[1024];
		size_t l;
		if (h[0] == '/') {      /* "/OFFSET" into the name table */
			unsigned long long off = strtoull(h + 1, &end, 10);
			if (!names || off >= nnames)
				return;
			const char *e = memchr(names + off, '/', nnames - off);
			l = e ? (size_t)(e - names - off) : 0;
			if (!e || l >= sizeof name)
				return;
			memcpy(name, names + off, l);
		} else {
			const char *e = memchr(h, '/', 16);
			l = e ? (size_t)(e - h) : 16;
			memcpy(name, h, l);
		}
		name[l] = 0;
		char key[4096];
		int kl = snprintf(key, sizeof key, "%s(%s)", apath, name);
		void *v = kl > 0 && (size_t)kl < sizeof key
			  ? hmap_get(&r->m->file_by_path, key, (size_t)kl) : NULL;
		if (!v && r->all_members)
			thin_member(r, apath, name, LM_NOFILE, mapdir);
	}
}

static void read_thin(struct lm_reader *r, const char *apath, const char *p,
		      size_t n, const char *mapdir)
{
	struct linkmap *m = r->m;
	for (size_t i = 0; i < r->nfiles; i++) {
		struct lm_file *f = &m->files[i];
		if (!f->archive || strcmp(f->archive, apath) || r->done[i])
			continue;
		r->done[i] = true;
		thin_member(r, apath, f->member, (uint32_t)i, mapdir);
	}
	thin_names(r, apath, p, n, mapdir);
}

/* One member: the file the map names it as, or LM_NOFILE. */
static void archive_member(struct lm_reader *r, const char *apath, Elf *e)
{
	struct linkmap *m = r->m;
	Elf_Arhdr *h = elf_getarhdr(e);
	if (!h || !h->ar_name || h->ar_name[0] == '/')
		return;     /* the symbol index, the long-name table */
	r->arindex++;
	char key[4096];
	int kl = snprintf(key, sizeof key, "%s(%s)", apath, h->ar_name);
	void *v = kl > 0 && (size_t)kl < sizeof key
		  ? hmap_get(&m->file_by_path, key, (size_t)kl) : NULL;
	if (v && (uintptr_t)v - 1 < r->nfiles) {
		uint32_t fi = (uint32_t)((uintptr_t)v - 1);
		if (r->done[fi])
			return;
		r->done[fi] = true;
		m->files[fi].read = true;
		m->files[fi].arindex = r->arindex;
		r->visit(r, fi, e);
	} else if (r->all_members && !v) {
		r->archive = apath;
		r->member = h->ar_name;
		r->visit(r, LM_NOFILE, e);
		r->archive = r->member = NULL;
	}
}

/* Every member of one archive the map names (all of them with
 * r->all_members), found by its printed name. */
static void read_archive(struct lm_reader *r, const char *apath, const char *mapdir)
{
	struct mfile mf;
	struct diag d = {0};
	if (open_near(&mf, apath, mapdir, &d)) {
		unreadable(r, &d);
		return;
	}
	if (mf.n >= 8 && !memcmp(mf.p, "!<thin>\n", 8)) {
		/* a thin archive's members are files beside it */
		read_thin(r, apath, (const char *)mf.p, mf.n, mapdir);
		mfile_close(&mf);
		return;
	}
	Elf *ar = elf_memory((char *)mf.p, mf.n);
	if (!ar || elf_kind(ar) != ELF_K_AR) {
		diag_err_at(&d, apath, 0, "not an archive libelf can read: %s", elf_errmsg(-1));
		unreadable(r, &d);
		if (ar)
			elf_end(ar);
		mfile_close(&mf);
		return;
	}
	Elf *e;
	/* a memory-backed archive hands out members with READ_MMAP only */
	Elf_Cmd cmd = ELF_C_READ_MMAP;
	r->arindex = 0;
	while ((e = elf_begin(-1, cmd, ar))) {
		archive_member(r, apath, e);
		cmd = elf_next(e) == ELF_C_NULL ? ELF_C_NULL : ELF_C_READ_MMAP;
		elf_end(e);
	}
	elf_end(ar);
	mfile_close(&mf);
}

void lm_visit_inputs(struct lm_reader *r)
{
	struct linkmap *m = r->m;
	char *mapdir = xstrdup(m->path);
	char *sl = strrchr(mapdir, '/');
	if (sl)
		*sl = 0;
	else
		strcpy(mapdir, ".");
	elf_version(EV_CURRENT);
	/* files a visitor adds (derived members) are not visited again */
	r->nfiles = m->nfiles;
	r->done = xcalloc(m->nfiles + 1, sizeof *r->done);
	struct hmap seen = {0};
	for (size_t i = 0; i < r->nfiles; i++) {
		const struct lm_file *f = &m->files[i];
		if (f->linker || f->lto)
			continue;
		if (!f->archive) {
			read_object(r, (uint32_t)i, mapdir);
			continue;
		}
		bool created;
		hmap_slot(&seen, f->archive, strlen(f->archive), &created);
		if (created)
			read_archive(r, f->archive, mapdir);
	}
	hmap_free(&seen);
	free(r->done);
	r->done = NULL;
	free(mapdir);
}
