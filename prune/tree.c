/*
 * tree.c - prune a whole deployable (`slim prune ROOT -o OUT`, issue #17).
 *
 * One run of the deployable as `slim report ROOT` makes it
 * (pipeline_build(): the tree's own ELF resolution, its Python
 * installations, --arch), then one walk of the root (fts, links not
 * followed) writing OUT beside its final name:
 *   - a file in the prune list (totals.tree.prune: proven findings, likely
 *     ones too with --include likely) is left out and reported;
 *   - a *.dist-info directory goes with its distribution when every file
 *     its RECORD lists outside it goes; a kept distribution's RECORD loses
 *     the rows of the files removed (the rest byte for byte), so `pip
 *     uninstall` and RECORD checks stay consistent;
 *   - an ELF file, archive or fatbin goes through prune_file() with the
 *     unused-library findings of the deployable's run (resolved inside its
 *     root, never on this system), hardlinked when nothing changes;
 *   - any other file is hardlinked to the input's (copied where link()
 *     fails: another filesystem, an unpacked archive's temporary), a
 *     symlink recreated as it was, a directory made with its mode.
 * A directory OUT is renamed into place when complete (with --in-place,
 * OUT being INPUT: the input is moved aside, the new tree renamed in,
 * the old one removed).  An archive OUT (.tar, .tar.zst, .zip, by
 * extension; .tar.gz, .tgz and .whl too) is written with libarchive from the finished tree into a
 * temporary beside it and renamed.
 */
#include "prune-int.h"
#include "../common/buf.h"
#include "../common/hmap.h"
#include "../common/filetype.h"
#include "../common/mfile.h"
#include "../common/ofile.h"
#include "../common/util.h"
#include "../graph/graph.h"
#include "../pipeline/deploy.h"
#include "../pipeline/pipeline.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <fts.h>
#include <ftw.h>
#include <libgen.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct libset {
	struct prune_lib *v;
	size_t n, cap;
};

struct tctx {
	const struct prune_tree_opts *o;
	const char *root;              /* the tree read */
	const char *dst;               /* the tree written */
	struct hmap gone;              /* rel -> finding (const char *) */
	struct hmap conf;              /* rel -> confidence */
	struct hmap libs;              /* rel -> struct libset * */
	struct hmap record;            /* rel of a RECORD -> new content (char *) */
	struct hmap gonedirs;          /* rel of a dist-info that goes whole */
	json_t *dups;                  /* --include likely: the duplicate-file
					  sets (arrays of rel), kept copy first */
	struct diag_list *w;
};

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

static void rm_tree(const char *dir)
{
	nftw(dir, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

static bool in_set(const struct libset *ls, const char *node, bool dropped_only)
{
	for (size_t k = 0; k < ls->n; k++)
		if (!strcmp(ls->v[k].node, node) &&
		    (!dropped_only || ls->v[k].transitive || !ls->v[k].still_loaded))
			return true;
	return false;
}

/*
 * The libraries that stop loading with a root's removed entries: the
 * unneeded-transitive findings of its process (attr root, KIND:PATH) whose
 * first loader (the finding's dependent) is the root itself, a library
 * whose removed entry leaves it loaded by nothing else (not still_loaded),
 * or one of these in turn.  A library first needed by an object that stays
 * loaded (a kept, indirect unused entry) is not listed: it still loads.
 * settle_transitive() (needed.c) then lists them when every direct entry
 * was removed, as for a single file.
 */
static void collect_transitive(struct tctx *c, struct graph *g)
{
	bool grew = true;
	bool *taken = xcalloc(g->nfindings + 1, 1);
	while (grew) {
		grew = false;
		for (size_t k = 0; k < g->nfindings; k++) {
			const struct gfinding *f = &g->findings[k];
			const char *root = attr_get_str(f->attrs, "root");
			if (taken[k] || strcmp(f->kind, "unneeded-transitive") || !root ||
			    !f->dependent || !strchr(root, ':') ||
			    !(!strcmp(f->confidence, "proven") ||
			      (c->o->file.likely && !strcmp(f->confidence, "likely"))))
				continue;
			const char *rel = strchr(root, ':') + 1;
			struct libset *ls = hmap_gets(&c->libs, rel);
			if (!ls || (strcmp(f->dependent, root) && !in_set(ls, f->dependent, true)))
				continue;
			taken[k] = grew = true;
			GROW(ls->v, ls->cap, ls->n + 1);
			ls->v[ls->n++] = (struct prune_lib){
				.needed = xstrdup(f->node), .node = xstrdup(f->node),
				.transitive = true,
				.likely = !strcmp(f->confidence, "likely"),
				.dt_init = json_is_true(json_object_get(f->attrs, "dt_init")),
				.init_array = (uint64_t)attr_get_int(f->attrs, "init_array", 0),
			};
		}
	}
	free(taken);
}

/* rel's libs, from the deployable's unused-library findings (dependent
 * ids are KIND:PATH there), with still_loaded, and the libraries only
 * they load (collect_transitive()) */
static void collect(struct tctx *c, struct graph *g)
{
	json_t *prune = json_object_get(json_object_get(g->totals, "tree"), "prune");
	size_t i;
	json_t *e;
	json_array_foreach(prune, i, e) {
		const char *conf = json_string_value(json_object_get(e, "confidence"));
		const char *path = json_string_value(json_object_get(e, "path"));
		if (!path || !conf ||
		    !(!strcmp(conf, "proven") || (c->o->file.likely && !strcmp(conf, "likely"))))
			continue;
		hmap_put(&c->gone, xstrdup(path), strlen(path),
			 xstrdup(json_string_value(json_object_get(e, "finding"))));
		hmap_put(&c->conf, xstrdup(path), strlen(path), xstrdup(conf));
	}
	for (size_t k = 0; k < g->nfindings; k++) {
		const struct gfinding *f = &g->findings[k];
		if (strcmp(f->kind, "unused-library") || !f->dependent ||
		    !(!strcmp(f->confidence, "proven") ||
		      (c->o->file.likely && !strcmp(f->confidence, "likely"))))
			continue;
		const char *needed = attr_get_str(f->attrs, "needed");
		const char *rel = strchr(f->dependent, ':');
		if (!needed || !rel || !json_is_true(json_object_get(f->attrs, "direct")) ||
		    json_is_true(json_object_get(f->attrs, "load_bearing")))
			continue;
		rel++;
		bool created;
		void **slot = hmap_getp(&c->libs, rel, strlen(rel));
		if (!slot) {
			slot = hmap_slot(&c->libs, xstrdup(rel), strlen(rel), &created);
			*slot = xcalloc(1, sizeof(struct libset));
		}
		struct libset *ls = *slot;
		GROW(ls->v, ls->cap, ls->n + 1);
		ls->v[ls->n++] = (struct prune_lib){
			.needed = xstrdup(needed), .node = xstrdup(f->node),
			.likely = !strcmp(f->confidence, "likely"),
			.still_loaded = json_is_true(json_object_get(f->attrs, "still_loaded")),
			.dt_init = json_is_true(json_object_get(f->attrs, "dt_init")),
			.init_array = (uint64_t)attr_get_int(f->attrs, "init_array", 0),
		};
	}
	collect_transitive(c, g);
	if (!c->o->file.likely)
		return;
	/* duplicate-file findings are proven equal bytes; the fix, a
	 * hardlink, is applied only with --include likely (issue #17) */
	c->dups = json_array();
	for (size_t k = 0; k < g->nfindings; k++) {
		const struct gfinding *f = &g->findings[k];
		json_t *paths = json_object_get(f->attrs, "paths");
		if (!strcmp(f->kind, "duplicate-file") && json_array_size(paths) > 1)
			json_array_append(c->dups, paths);
	}
}

/* whether the files a and b hold the same bytes */
static bool same_content(const char *a, const char *b)
{
	struct mfile x = {0}, y = {0};
	struct diag d = {0};
	bool same = !mfile_open(&x, a, &d) && !mfile_open(&y, b, &d) && x.n == y.n &&
		    (!x.n || !memcmp(x.p, y.p, x.n));
	mfile_close(&x);
	mfile_close(&y);
	return same;
}

/*
 * --include likely: each duplicate-file set in the written tree.  The
 * first copy still there is kept; every other copy whose bytes as written
 * (a rewritten ELF file may differ from its twin's), mode and owner equal
 * it becomes a hardlink to it (a link beside it, renamed over it).  A copy
 * the prune list removed stays removed; one that differs stays as it is.
 */
static int link_dups(struct tctx *c, struct diag *d)
{
	size_t i;
	json_t *set;
	json_array_foreach(c->dups, i, set) {
		char *keep = NULL;
		const char *keeprel = NULL;
		struct stat ks = {0};
		size_t k;
		json_t *v;
		json_array_foreach(set, k, v) {
			const char *rel = json_string_value(v);
			char *p = NULL;
			struct stat st;
			if (!rel || asprintf(&p, "%s/%s", c->dst, rel) < 0)
				abort();
			if (lstat(p, &st) || !S_ISREG(st.st_mode)) {
				free(p);
				continue;
			}
			if (!keep) {
				keep = p, keeprel = rel, ks = st;
				continue;
			}
			if ((st.st_dev == ks.st_dev && st.st_ino == ks.st_ino) ||
			    st.st_mode != ks.st_mode || st.st_uid != ks.st_uid ||
			    st.st_gid != ks.st_gid || !same_content(keep, p)) {
				free(p);
				continue;
			}
			char *tmp = NULL;
			if (asprintf(&tmp, "%s.slim-link", p) < 0)
				abort();
			int rc = link(keep, tmp) || rename(tmp, p);
			if (rc) {
				diag_err(d, p, "%s", strerror(errno));
				unlink(tmp);
			}
			free(tmp);
			free(p);
			if (rc) {
				free(keep);
				return -1;
			}
			if (c->o->on_linked)
				c->o->on_linked(c->o->ctx, rel, keeprel);
		}
		free(keep);
	}
	return 0;
}

/* "a/b/../c" -> "a/c" in place (RECORD paths may climb out of
 * site-packages to bin/); NULL when it leaves the root */
static char *normalize(char *p)
{
	char *tmp = xstrdup(p), *s = tmp, *out = p;
	while (*s) {
		char *e = strchr(s, '/');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			if (out == p) {
				free(tmp);
				return NULL;
			}
			out--;   /* the '/' after the last component */
			while (out > p && out[-1] != '/')
				out--;
		} else if (len && !(len == 1 && s[0] == '.')) {
			memcpy(out, s, len);
			out += len;
			*out++ = '/';
		}
		s += len + (e ? 1 : 0);
	}
	if (out > p)
		out--;
	*out = 0;
	free(tmp);
	return p;
}

/* the first CSV field of a RECORD row (quoted or not) */
static char *record_path(const char *line, size_t len)
{
	if (len && line[0] == '"') {
		char *r = xmalloc(len + 1);
		size_t n = 0;
		for (size_t i = 1; i < len; i++) {
			if (line[i] == '"' && i + 1 < len && line[i + 1] == '"')
				r[n++] = '"', i++;
			else if (line[i] == '"')
				break;
			else
				r[n++] = line[i];
		}
		r[n] = 0;
		return r;
	}
	const char *comma = memchr(line, ',', len);
	return xstrndup(line, comma ? (size_t)(comma - line) : len);
}

/* One *.dist-info directory (rel, inside the root): its RECORD against
 * the files going. */
static void dist_info(struct tctx *c, const char *rel)
{
	char *rec = NULL, *site = xstrdup(rel), *text = NULL;
	char *slash = strrchr(site, '/');
	if (slash)
		*slash = 0;
	else
		site[0] = 0;
	if (asprintf(&rec, "%s/%s/RECORD", c->root, rel) < 0)
		abort();
	struct mfile mf = {0};
	struct diag d = {0};
	if (mfile_open(&mf, rec, &d) || !mf.n)
		goto out;
	size_t listed = 0, going = 0;
	struct buf kept = {0};
	const char *p = (const char *)mf.p, *end = p + mf.n;
	size_t rl = strlen(rel);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char *path = record_path(p, len), *full = NULL;
		if (asprintf(&full, "%s%s%s", site, *site ? "/" : "", path) < 0)
			abort();
		bool gone = false;
		if (normalize(full)) {
			bool inside = !strncmp(full, rel, rl) && full[rl] == '/';
			gone = hmap_gets(&c->gone, full) != NULL;
			if (!inside) {
				listed++;
				going += gone;
			}
		}
		if (!gone)
			buf_add(&kept, p, len + (nl ? 1 : 0));
		free(path);
		free(full);
		p += len + (nl ? 1 : 0);
	}
	if (listed && going == listed) {
		/* the whole distribution goes: its dist-info with it */
		char *dir = NULL;
		if (asprintf(&dir, "%s/%s", c->root, rel) < 0)
			abort();
		FTS *fts = fts_open((char *[]){dir, NULL}, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
		FTSENT *e;
		while (fts && (e = fts_read(fts))) {
			if (e->fts_info != FTS_F && e->fts_info != FTS_SL && e->fts_info != FTS_SLNONE)
				continue;
			const char *r = e->fts_path + strlen(c->root) + 1;
			if (!hmap_gets(&c->gone, r)) {
				hmap_put(&c->gone, xstrdup(r), strlen(r), xstrdup("distribution-removed"));
				hmap_put(&c->conf, xstrdup(r), strlen(r), xstrdup("proven"));
			}
		}
		if (fts)
			fts_close(fts);
		free(dir);
		hmap_put(&c->gonedirs, xstrdup(rel), strlen(rel), xstrdup(""));
	} else if (going) {
		char *k = NULL;
		if (asprintf(&k, "%s/RECORD", rel) < 0)
			abort();
		hmap_put(&c->record, k, strlen(k), xstrdup(buf_cstr(&kept)));
	}
	buf_free(&kept);
out:
	mfile_close(&mf);
	free(rec);
	free(site);
	free(text);
}

static int copy_file(const char *src, const char *dst, mode_t mode)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
	if (in < 0)
		return -1;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode & 07777);
	if (out < 0)
		goto done;
	for (;;) {
		ssize_t k = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (k == 0)
			break;
		if (k < 0) {
			char b[1 << 16];
			ssize_t r;
			while ((r = read(in, b, sizeof b)) > 0)
				if (write(out, b, (size_t)r) != r)
					goto done;
			if (r < 0)
				goto done;
			break;
		}
	}
	rc = fchmod(out, mode & 07777);
done:
	if (out >= 0 && close(out))
		rc = -1;
	close(in);
	return rc;
}

static bool rewritable(const char *path)
{
	unsigned char h[8] = {0};
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, h, sizeof h);
	close(fd);
	enum filetype t = filetype_detect(h, n > 0 ? (size_t)n : 0);
	return filetype_is_elf(t) || t == FT_AR || t == FT_FATBIN;
}

static int write_tree(struct tctx *c, struct diag *d)
{
	char *argv[] = {(char *)c->root, NULL};
	FTS *fts = fts_open(argv, FTS_PHYSICAL | FTS_NOCHDIR, NULL);
	if (!fts)
		return diag_err(d, c->root, "%s", strerror(errno));
	size_t rl = strlen(c->root);
	FTSENT *e;
	int rc = 0;
	/* dist-info first: they decide what else goes */
	while ((e = fts_read(fts))) {
		if (e->fts_info == FTS_D && e->fts_level > 0) {
			size_t l = strlen(e->fts_name);
			if (l > 10 && !strcmp(e->fts_name + l - 10, ".dist-info"))
				dist_info(c, e->fts_path + rl + 1);
		}
	}
	fts_close(fts);
	if (!(fts = fts_open(argv, FTS_PHYSICAL | FTS_NOCHDIR, NULL)))
		return diag_err(d, c->root, "%s", strerror(errno));
	while (!rc && (e = fts_read(fts))) {
		const char *rel = e->fts_level ? e->fts_path + rl + 1 : "";
		char *dst = NULL;
		if (asprintf(&dst, "%s%s%s", c->dst, *rel ? "/" : "", rel) < 0)
			abort();
		const char *finding;
		switch (e->fts_info) {
		case FTS_D:
			if (e->fts_level && mkdir(dst, 0700))
				rc = diag_err(d, dst, "%s", strerror(errno));
			break;
		case FTS_DP:
			if (hmap_gets(&c->gonedirs, rel)) {
				if (rmdir(dst))
					rc = diag_err(d, dst, "%s", strerror(errno));
				break;
			}
			if (chmod(dst, e->fts_statp->st_mode & 07777))
				rc = diag_err(d, dst, "%s", strerror(errno));
			break;
		case FTS_SL:
		case FTS_SLNONE: {
			if ((finding = hmap_gets(&c->gone, rel))) {
				c->o->on_removed(c->o->ctx, rel, finding, hmap_gets(&c->conf, rel));
				break;
			}
			char t[4096];
			ssize_t n = readlink(e->fts_path, t, sizeof t - 1);
			if (n < 0 || (t[n] = 0, symlink(t, dst)))
				rc = diag_err(d, dst, "%s", strerror(errno));
			break;
		}
		case FTS_F: {
			if ((finding = hmap_gets(&c->gone, rel))) {
				c->o->on_removed(c->o->ctx, rel, finding, hmap_gets(&c->conf, rel));
				break;
			}
			const char *rec = hmap_gets(&c->record, rel);
			if (rec) {
				if (ofile_write_all(dst, rec, strlen(rec), d) ||
				    chmod(dst, e->fts_statp->st_mode & 07777)) {
					rc = -1;
					break;
				}
				c->o->on_removed(c->o->ctx, rel, "RECORD-rewritten", "");
				break;
			}
			if (rewritable(e->fts_path)) {
				struct prune_opts po = c->o->file;
				struct libset *ls = hmap_gets(&c->libs, rel);
				po.libs_given = true;
				po.libs = ls ? ls->v : NULL;
				po.nlibs = ls ? ls->n : 0;
				po.link_unchanged = true;
				struct prune_result r;
				if (prune_file(e->fts_path, dst, &po, &r, d)) {
					rc = -1;
					break;
				}
				c->o->on_file(c->o->ctx, rel, &r);
				prune_result_free(&r);
				break;
			}
			if (link(e->fts_path, dst) &&
			    copy_file(e->fts_path, dst, e->fts_statp->st_mode))
				rc = diag_err(d, dst, "%s", strerror(errno));
			break;
		}
		case FTS_DNR:
		case FTS_ERR:
		case FTS_NS:
			rc = diag_err(d, e->fts_path, "%s", strerror(e->fts_errno));
			break;
		default:
			/* devices, FIFOs, sockets: not part of what ships */
			diag_warn_at(c->w, e->fts_path, 0, "not a file, directory or symlink: left out");
		}
		free(dst);
	}
	fts_close(fts);
	return rc;
}

void prune_remove(const char *path)
{
	struct stat st;
	if (lstat(path, &st))
		return;
	if (S_ISDIR(st.st_mode))
		rm_tree(path);
	else
		unlink(path);
}

int prune_replace(const char *tmp, const char *target, struct diag *d)
{
	struct stat st;
	if (lstat(tmp, &st))
		return diag_err(d, tmp, "%s", strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		if (rename(tmp, target))
			return diag_err(d, target, "%s", strerror(errno));
		return 0;
	}
	char *aside = NULL;
	if (asprintf(&aside, "%s.slim-prune-old.%ld", target, (long)getpid()) < 0)
		abort();
	int rc = 0;
	if (rename(target, aside))
		rc = diag_err(d, target, "%s", strerror(errno));
	else if (rename(tmp, target)) {
		rc = diag_err(d, target, "%s", strerror(errno));
		rename(aside, target);
	} else {
		rm_tree(aside);
	}
	free(aside);
	return rc;
}

static bool ends_with(const char *s, const char *x)
{
	size_t a = strlen(s), b = strlen(x);
	return a >= b && !strcmp(s + a - b, x);
}

/*
 * libarchive's pax and zip writers call this one helper, which libarchive
 * keeps in archive_write_set_format.o beside archive_write_set_format(),
 * whose table of every format drags in the xar writer and with it libxml2
 * (which the static link leaves out, Makefile).  Defined here, that object
 * is never pulled in.  Same behaviour as libarchive 3.6's: an error naming
 * the entry; never reached for what write_archive() writes (files,
 * directories and symlinks, which both formats take).
 */
void __archive_write_entry_filetype_unsupported(struct archive *a,
						 struct archive_entry *entry,
						 const char *format);
void __archive_write_entry_filetype_unsupported(struct archive *a,
						 struct archive_entry *entry,
						 const char *format)
{
	archive_set_error(a, EINVAL,
			  "%s: %s format cannot archive files with mode 0%lo",
			  archive_entry_pathname(entry), format,
			  (unsigned long)archive_entry_mode(entry));
}

static void free_map(struct hmap *m, bool libsets)
{
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		free((char *)m->slots[i].key);
		if (libsets) {
			struct libset *ls = m->slots[i].val;
			for (size_t k = 0; k < ls->n; k++) {
				free(ls->v[k].needed);
				free(ls->v[k].node);
			}
			free(ls->v);
		}
		free(m->slots[i].val);
	}
	hmap_free(m);
}

/* an entry's header: ARCHIVE_WARN is an entry written whose name could
 * not be translated to UTF-8 (not valid UTF-8 in the first place): the pax
 * writer then stores its bytes as they are (hdrcharset=BINARY), as bsdtar
 * does */
static int put_header(struct archive *a, struct archive_entry *ae)
{
	int r = archive_write_header(a, ae);
	return r == ARCHIVE_WARN ? ARCHIVE_OK : r;
}

/* the finished tree dir into the archive `out` (atomically) */
static int write_archive(const char *dir, const char *out, struct diag *d)
{
	struct ofile of = {0};
	FILE *fp = ofile_open(&of, out, d);
	if (!fp)
		return -1;
	/* names are bytes, UTF-8 ones in a real root (Debian's
	 * ca-certificates): in the C locale slim runs in, libarchive cannot
	 * translate them to the UTF-8 a pax or zip header holds, so this
	 * thread writes in C.UTF-8 */
	locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	locale_t was = utf8 ? uselocale(utf8) : (locale_t)0;
	struct archive *a = archive_write_new();
	bool zip = ends_with(out, ".zip") || ends_with(out, ".whl");
	int r = zip ? archive_write_set_format_zip(a)
		    : archive_write_set_format_pax_restricted(a);
	if (r == ARCHIVE_OK && ends_with(out, ".zst"))
		r = archive_write_add_filter_zstd(a);
	if (r == ARCHIVE_OK && (ends_with(out, ".gz") || ends_with(out, ".tgz")))
		r = archive_write_add_filter_gzip(a);
	if (r == ARCHIVE_OK)
		r = archive_write_open_fd(a, fileno(fp));
	char *argv[] = {(char *)dir, NULL};
	FTS *fts = r == ARCHIVE_OK ? fts_open(argv, FTS_PHYSICAL | FTS_NOCHDIR, NULL) : NULL;
	FTSENT *e;
	size_t dl = strlen(dir);
	/* a tar keeps the tree's hardlinks (files linked together in it: the
	 * input's own, and duplicates linked by link_dups()) as hardlink
	 * entries; a zip has none, so each gets its bytes.  Links to the
	 * input's files from outside the tree are no links here. */
	struct hmap inodes = {0};   /* "dev:ino" -> first path */
	while (fts && r == ARCHIVE_OK && (e = fts_read(fts))) {
		if (!e->fts_level || e->fts_info == FTS_DP)
			continue;
		struct archive_entry *ae = archive_entry_new();
		archive_entry_set_pathname(ae, e->fts_path + dl + 1);
		archive_entry_copy_stat(ae, e->fts_statp);
		archive_entry_set_nlink(ae, 1);
		if (!zip && e->fts_info == FTS_F && e->fts_statp->st_nlink > 1) {
			char key[64];
			int kl = snprintf(key, sizeof key, "%llu:%llu",
					  (unsigned long long)e->fts_statp->st_dev,
					  (unsigned long long)e->fts_statp->st_ino);
			const char *first = hmap_get(&inodes, key, (size_t)kl);
			if (first) {
				archive_entry_set_hardlink(ae, first);
				archive_entry_set_size(ae, 0);
				r = put_header(a, ae);
				archive_entry_free(ae);
				continue;
			}
			hmap_put(&inodes, xstrdup(key), (size_t)kl, xstrdup(e->fts_path + dl + 1));
		}
		if (e->fts_info == FTS_SL || e->fts_info == FTS_SLNONE) {
			char t[4096];
			ssize_t n = readlink(e->fts_path, t, sizeof t - 1);
			t[n > 0 ? n : 0] = 0;
			archive_entry_set_symlink(ae, t);
		}
		r = put_header(a, ae);
		if (r == ARCHIVE_OK && e->fts_info == FTS_F) {
			int fd = open(e->fts_path, O_RDONLY | O_CLOEXEC);
			char b[1 << 16];
			ssize_t n;
			while (fd >= 0 && (n = read(fd, b, sizeof b)) > 0)
				if (archive_write_data(a, b, (size_t)n) != n) {
					r = ARCHIVE_FATAL;
					break;
				}
			if (fd < 0)
				r = ARCHIVE_FATAL;
			else
				close(fd);
		}
		archive_entry_free(ae);
	}
	if (fts)
		fts_close(fts);
	free_map(&inodes, false);
	if (r == ARCHIVE_OK)
		r = archive_write_close(a);
	if (utf8) {
		uselocale(was);
		freelocale(utf8);
	}
	if (r != ARCHIVE_OK) {
		diag_err(d, out, "cannot write the archive: %s", archive_error_string(a) ?
			 archive_error_string(a) : strerror(errno));
		archive_write_free(a);
		ofile_abort(&of);
		return -1;
	}
	archive_write_free(a);
	return ofile_commit(&of, d);
}

int prune_tree(const char *in, const char *out, const struct prune_tree_opts *o,
	       struct diag_list *w, struct diag *d)
{
	struct deploy_unpacked u = {0};
	struct tctx c = {.o = o, .root = in, .w = w};
	struct graph g;
	graph_init(&g);
	char *tmp = NULL, *old = NULL, *outc = xstrdup(out);
	int rc = -1;
	struct stat st;
	if (stat(in, &st))
		return diag_err(d, in, "%s", strerror(errno));
	bool archive_out = ends_with(out, ".tar") || ends_with(out, ".tar.zst") ||
			   ends_with(out, ".tar.gz") || ends_with(out, ".tgz") ||
			   ends_with(out, ".zip") || ends_with(out, ".whl");
	if (!S_ISDIR(st.st_mode) || deploy_is_oci_dir(in)) {
		if (deploy_unpack(in, &u, w, d))
			goto out;
		c.root = u.dir;
	}
	/* the deployable's run, as slim report makes it */
	struct pipeline_opts po = {0};
	po.gpu.arch = o->file.arch;
	po.deploy.include_likely = o->file.likely;
	po.deploy.entries = o->entries;
	po.deploy.nentries = o->nentries;
	po.py.traces = o->py_traces;
	po.py.ntraces = o->ntraces;
	struct diag_list errs = {0};
	char *files[1] = {(char *)in};
	int brc = pipeline_build(&g, &po, files, 1, w, &errs);
	if (brc || !json_object_get(g.totals, "tree")) {
		if (errs.n)
			*d = errs.v[0];
		else
			diag_err(d, in, "not a deployable slim can read");
		diag_list_free(&errs);
		goto out;
	}
	diag_list_free(&errs);
	collect(&c, &g);
	/* the new tree, beside OUT (or in $TMPDIR for an archive OUT) */
	char *dn = dirname(outc);
	if (asprintf(&tmp, "%s/.slim-prune.XXXXXX", archive_out ? (getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp") : dn) < 0)
		abort();
	if (!mkdtemp(tmp)) {
		diag_err(d, tmp, "%s", strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	c.dst = tmp;
	if (write_tree(&c, d) || (c.dups && link_dups(&c, d)))
		goto out;
	if (chmod(tmp, st.st_mode & 07777))
		goto io;
	if (archive_out) {
		if (write_archive(tmp, out, d))
			goto out;
	} else if (o->in_place) {
		if (asprintf(&old, "%s/.slim-prune-old.XXXXXX", dn) < 0 || !mkdtemp(old))
			goto io;
		char *aside = NULL;
		if (asprintf(&aside, "%s/tree", old) < 0)
			abort();
		if (rename(in, aside)) {
			free(aside);
			goto io;
		}
		if (rename(tmp, out)) {
			rename(aside, in);
			free(aside);
			goto io;
		}
		free(aside);
		free(tmp);
		tmp = NULL;
	} else {
		if (rename(tmp, out))
			goto io;
		free(tmp);
		tmp = NULL;
	}
	rc = 0;
	goto out;
io:
	diag_err(d, out, "%s", strerror(errno));
out:
	if (tmp)
		rm_tree(tmp);
	if (old)
		rm_tree(old);
	free(tmp);
	free(old);
	free(outc);
	free_map(&c.gone, false);
	free_map(&c.conf, false);
	free_map(&c.libs, true);
	free_map(&c.record, false);
	free_map(&c.gonedirs, false);
	json_decref(c.dups);
	deploy_cleanup(&u);
	graph_free(&g);
	return rc;
}
