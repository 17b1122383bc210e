/*
 * dist.c - which distribution a module belongs to, and its plugins.
 *
 * Formats (PyPA "Recording installed projects" and setuptools' egg-info):
 *   *.dist-info/RECORD       CSV "path,hash,size" relative to the root;
 *   *.dist-info/top_level.txt, *.egg-info/top_level.txt
 *                            one top-level import name per line;
 *   entry_points.txt         INI: "[group]" then "name = module:attr [x]".
 * The distribution's name is the directory name up to the first '-'
 * ("Flask-2.2.2.egg-info" -> Flask).  top_level.txt wins; without it the
 * first path components of RECORD name the top-level modules.
 * Metadata files are counted (their bytes go with the distribution when
 * all its modules are prunable) but never parsed beyond these three.
 */
#include "pyint.h"
#include "../common/diag.h"
#include "../common/mfile.h"
#include "../common/util.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void add_top(struct pyset *s, struct pydist *d, const char *p, size_t n)
{
	if (!n || n > 512)
		return;
	for (size_t i = 0; i < d->ntop; i++)
		if (strlen(d->top[i]) == n && !memcmp(d->top[i], p, n))
			return;
	d->top = xreallocarray(d->top, d->ntop + 1, sizeof *d->top);
	d->top[d->ntop++] = arena_strndup(&s->arena, p, n);
}

static void trim(const char **p, const char **e)
{
	while (*p < *e && isspace((unsigned char)**p))
		(*p)++;
	while (*e > *p && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

/* call fn(line, end) for each line of the file; false if unreadable */
static bool each_line(const char *path, struct diag_list *w,
		      void (*fn)(void *, const char *, const char *), void *ctx)
{
	struct mfile mf;
	struct diag d = {0};
	if (mfile_open(&mf, path, &d))
		return false;
	const char *p = (const char *)mf.p, *e = p + mf.n;
	while (p < e) {
		const char *nl = memchr(p, '\n', e - p);
		const char *le = nl ? nl : e;
		fn(ctx, p, le);
		p = le + 1;
	}
	mfile_close(&mf);
	(void)w;
	return true;
}

struct lctx {
	struct pyset *s;
	struct pydist *d;
	char group[256];
};

static void top_line(void *c, const char *p, const char *e)
{
	struct lctx *l = c;
	trim(&p, &e);
	if (py_is_dotted_name(p, e - p))
		add_top(l->s, l->d, p, e - p);
}

static void record_line(void *c, const char *p, const char *e)
{
	struct lctx *l = c;
	const char *comma = memchr(p, ',', e - p);
	const char *end = comma ? comma : e;
	const char *slash = memchr(p, '/', end - p);
	const char *stem = slash ? slash : end;
	if (!slash) {
		/* a top-level module file: NAME.py or NAME.<tag>.so */
		const char *dot = memchr(p, '.', end - p);
		if (!dot || !(end - dot >= 3 && (!memcmp(end - 3, ".py", 3) ||
						 !memcmp(end - 3, ".so", 3))))
			return;
		stem = dot;
	}
	if (py_is_dotted_name(p, stem - p) && !memchr(p, '.', stem - p) &&
	    !(stem - p == 11 && !memcmp(p, "__pycache__", 11)))
		add_top(l->s, l->d, p, stem - p);
}

static void ep_line(void *c, const char *p, const char *e)
{
	struct lctx *l = c;
	trim(&p, &e);
	if (p < e && *p == '[' && e[-1] == ']') {
		snprintf(l->group, sizeof l->group, "%.*s", (int)(e - p - 2), p + 1);
		return;
	}
	const char *eq = memchr(p, '=', e - p);
	if (!eq || !l->group[0])
		return;
	const char *m = eq + 1, *me = e;
	const char *colon = memchr(m, ':', me - m);
	if (colon)
		me = colon;
	const char *br = memchr(m, '[', me - m);
	if (br)
		me = br;
	trim(&m, &me);
	if (!py_is_dotted_name(m, me - m))
		return;
	struct pydist *d = l->d;
	d->ep_group = xreallocarray(d->ep_group, d->nep + 1, sizeof *d->ep_group);
	d->ep_target = xreallocarray(d->ep_target, d->nep + 1, sizeof *d->ep_target);
	d->ep_group[d->nep] = xstrdup(l->group);
	d->ep_target[d->nep++] = xstrndup(m, me - m);
}

/* bytes of every regular file in dir (flat; subdirectories one level) */
static uint64_t dir_bytes(const char *dir, int depth)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return 0;
	uint64_t sum = 0;
	struct dirent *de;
	while ((de = readdir(dp))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] ||
		    (de->d_name[1] == '.' && !de->d_name[2])))
			continue;
		char p[4096];
		struct stat st;
		if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, de->d_name) >= sizeof p ||
		    lstat(p, &st))
			continue;
		if (S_ISREG(st.st_mode))
			sum += st.st_size;
		else if (S_ISDIR(st.st_mode) && depth < 2)
			sum += dir_bytes(p, depth + 1);   /* bounded: 2 levels */
	}
	closedir(dp);
	return sum;
}

void pydist_read(struct pyset *s, int root, const char *dir,
		 struct diag_list *w)
{
	GROW(s->dists, s->capdists, s->ndists + 1);
	struct pydist *d = &s->dists[s->ndists];
	memset(d, 0, sizeof *d);
	const char *base = strrchr(dir, '/');
	base = base ? base + 1 : dir;
	size_t n = strlen(base);
	n -= n > 10 && !strcmp(base + n - 10, ".dist-info") ? 10 :
	     n > 9 && !strcmp(base + n - 9, ".egg-info") ? 9 : 0;
	const char *dash = memchr(base, '-', n);
	if (dash)
		n = dash - base;
	d->name = arena_strndup(&s->arena, base, n);
	d->meta_dir = arena_strdup(&s->arena, dir);
	d->root = root;
	d->meta_bytes = dir_bytes(dir, 0);
	struct lctx l = {s, d, ""};
	char p[4096];
	if (strlen(dir) + sizeof "/entry_points.txt" > sizeof p)
		return;   /* past PATH_MAX: open(2) could not read these either */
	snprintf(p, sizeof p, "%s/top_level.txt", dir);
	if (!each_line(p, w, top_line, &l) || !d->ntop) {
		snprintf(p, sizeof p, "%s/RECORD", dir);
		each_line(p, w, record_line, &l);
	}
	snprintf(p, sizeof p, "%s/entry_points.txt", dir);
	each_line(p, w, ep_line, &l);
	s->ndists++;
}

void pydist_assign(struct pyset *s)
{
	for (size_t i = 0; i < s->ndists; i++)
		for (size_t t = 0; t < s->dists[i].ntop; t++) {
			const char *nm = s->dists[i].top[t];
			int mi = pyset_find(s, nm, strlen(nm));
			if (mi >= 0 && s->mods[mi].root == s->dists[i].root &&
			    s->mods[mi].dist < 0)
				s->mods[mi].dist = (int)i;
		}
	/* children inherit their top-level module's distribution; parents
	 * precede children in s->mods (the walk creates a package first) */
	for (size_t i = 0; i < s->nmods; i++)
		if (s->mods[i].parent >= 0)
			s->mods[i].dist = s->mods[s->mods[i].parent].dist;
}
