/*
 * tree-totals.c - totals.tree: what a deployable holds and what would be
 * left of it (issue #14's summary), from the findings already in the
 * graph, each file's bytes counted once:
 *
 *   removed   a file a finding deletes whole (orphan-library,
 *             prunable-module), at its confidence: proven, or likely
 *   saved     a duplicate set keeps one copy of what is left of it: its
 *             other remaining copies are saved (hardlinks), so a copy
 *             already removed is not saved twice
 *   after     before - removed - saved, once with the proven findings
 *             only and once with the likely ones too, per category
 *             (elf, python, data; duplicates apart) and per top-level
 *             directory; the largest files ranked
 *   prune     the paths a prune list holds (relative to the root), each
 *             with the finding and its confidence; data files are never
 *             in it unless a record trace and --prune-data say so
 *             (unopened-data, pydeps' data units), nor duplicates
 *             (their fix is a hardlink)
 */
#include "tree-int.h"
#include "../common/util.h"
#include "../graph/graph.h"

#include <stdlib.h>
#include <string.h>

static const char *const cat_name[TC_NCAT] = {"elf", "python", "data"};

/* the finding kinds whose fix deletes the file */
static bool deletes(const char *kind)
{
	return !strcmp(kind, "orphan-library") || !strcmp(kind, "prunable-module") ||
	       !strcmp(kind, "unopened-data");
}

struct acc {
	uint64_t files, bytes, after[2];   /* after[0] proven, [1] likely */
};

/* a path a finding names, relative to the root: a tree node's path
 * attr is already; pydeps' paths are the root's directory + "/" + rel */
static const char *tree_rel(struct tree *t, const char *p)
{
	size_t dl = strlen(t->dir), rl = strlen(t->real);
	if (!p)
		return NULL;
	if (!strncmp(p, t->dir, dl) && p[dl] == '/')
		return p + dl + 1;
	if (!strncmp(p, t->real, rl) && p[rl] == '/')
		return p + rl + 1;
	return p[0] == '/' ? NULL : p;   /* not a path of this tree */
}

static size_t find_path(struct tree *t, const char *p)
{
	p = tree_rel(t, p);
	return p ? tree_find(t, p) : 0;
}

static void remove_one(struct tree *t, size_t i, const struct gfinding *fd,
		       json_t *prune, bool data)
{
	if (!i || (t->f[i - 1].cat == TC_DATA && !data))
		return;   /* data files: only with a record trace and --prune-data */
	uint8_t lv = !strcmp(fd->confidence, "proven") ? 1 : 2;
	struct tfile *f = &t->f[i - 1];
	if (f->removed && f->removed <= lv)
		return;
	/* (a proven finding after a likely one on the same file: the entry
	 * is written again with the stronger confidence) */
	if (f->removed) {
		for (size_t k = json_array_size(prune); k-- > 0;)
			if (!strcmp(json_string_value(json_object_get(json_array_get(prune, k), "path")), f->rel))
				json_array_remove(prune, k);
	}
	f->removed = lv;
	json_t *e = json_object();
	attr_str(e, "path", f->rel);
	attr_str(e, "finding", fd->kind);
	attr_str(e, "confidence", fd->confidence);
	attr_int(e, "bytes", (long long)f->size);
	json_array_append_new(prune, e);
}

static int by_rel(const void *a, const void *b, void *ctx)
{
	const struct tree *t = ctx;
	return strcmp(t->f[*(const uint32_t *)a].rel, t->f[*(const uint32_t *)b].rel);
}

/* the first position of ord (the files sorted by rel) whose rel >= key */
static size_t lower(const struct tree *t, const uint32_t *ord, const char *key)
{
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(t->f[ord[mid]].rel, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* every file below the directory rel (a package unit pydeps names by its
 * directory): the files sorted by path once (*ord, made on the first
 * call), then those in ["rel/", "rel0") -- '0' follows '/' -- by two
 * binary searches, so a tree with thousands of such units stays linear */
static void remove_dir(struct tree *t, uint32_t **ord, const char *rel,
		       const struct gfinding *fd, json_t *prune, bool data)
{
	size_t l = rel ? strlen(rel) : 0;
	if (!l)
		return;
	if (!*ord) {
		*ord = xcalloc(t->n + 1, sizeof **ord);
		for (size_t i = 0; i < t->n; i++)
			(*ord)[i] = (uint32_t)i;
		qsort_r(*ord, t->n, sizeof **ord, by_rel, t);
	}
	char *lo = xmalloc(l + 2), *hi = xmalloc(l + 2);
	memcpy(lo, rel, l);
	memcpy(hi, rel, l);
	lo[l] = '/', hi[l] = '0';
	lo[l + 1] = hi[l + 1] = 0;
	for (size_t k = lower(t, *ord, lo), e = lower(t, *ord, hi); k < e; k++)
		remove_one(t, (*ord)[k] + 1, fd, prune, data);
	free(lo);
	free(hi);
}

static void mark_removed(struct tree *t, struct graph *g, json_t *prune, bool data)
{
	uint32_t *ord = NULL;   /* remove_dir()'s index, made on demand */
	for (size_t k = 0; k < g->nfindings; k++) {
		const struct gfinding *fd = &g->findings[k];
		if (!deletes(fd->kind) || !strcmp(fd->confidence, "unknown"))
			continue;
		const json_t *paths = json_object_get(fd->attrs, "paths");
		if (paths) {   /* pydeps: a unit of several files */
			size_t j;
			json_t *p;
			json_array_foreach(paths, j, p) {
				size_t i = find_path(t, json_string_value(p));
				if (i)
					remove_one(t, i, fd, prune, data);
				else   /* a package's directory: every file in it */
					remove_dir(t, &ord, tree_rel(t, json_string_value(p)), fd, prune, data);
			}
			continue;
		}
		const struct gnode *n = graph_node(g, fd->node);
		remove_one(t, find_path(t, n ? attr_get_str(n->attrs, "path") : NULL), fd, prune, data);
	}
	free(ord);
}



static json_t *acc_json(const struct acc *a)
{
	json_t *o = json_object();
	attr_int(o, "files", (long long)a->files);
	attr_int(o, "bytes", (long long)a->bytes);
	attr_int(o, "after_proven", (long long)a->after[0]);
	attr_int(o, "after_likely", (long long)a->after[1]);
	return o;
}

/* the top-level directory of rel ("." for a file at the root) */
static size_t top_len(const char *rel)
{
	const char *s = strchr(rel, '/');
	return s ? (size_t)(s - rel) : 0;
}

static struct acc *dir_acc(struct hmap *dirs, struct acc **v, size_t *n,
			   const char **names, const char *rel)
{
	size_t l = top_len(rel);
	const char *key = l ? rel : ".";
	size_t kl = l ? l : 1;
	size_t i = (size_t)(uintptr_t)hmap_get(dirs, key, kl);
	if (!i) {
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		memset(&(*v)[*n], 0, sizeof **v);
		names[*n] = key;
		hmap_put(dirs, key, kl, (void *)(uintptr_t)(*n + 1));
		i = ++*n;
	}
	return &(*v)[i - 1];
}


/* per file: its bytes left after each level, duplicates apart */
static void account(struct tree *t, struct acc cat[TC_NCAT], struct acc *dup,
		    json_t *dirs_out)
{
	struct hmap dm = {0};
	struct acc *dv = NULL;
	size_t nd = 0;
	const char **dn = xcalloc(t->n + 2, sizeof *dn);
	for (size_t i = 0; i < t->n; i++) {
		struct tfile *f = &t->f[i];
		struct acc *c = &cat[f->cat], *d = dir_acc(&dm, &dv, &nd, dn, f->rel);
		for (struct acc *a = c; a; a = a == c ? d : NULL) {
			a->files++;
			a->bytes += f->size;
			a->after[0] += f->removed == 1 ? 0 : f->size;
			a->after[1] += f->removed ? 0 : f->size;
		}
	}
	/* duplicates: every copy left but one is saved, at each level */
	for (size_t s = 0; s < t->ndupsets; s++) {
		uint32_t *m = t->dup + t->dupoff[s];
		size_t n = t->dupoff[s + 1] - t->dupoff[s];
		dup->files += n;
		for (int lv = 0; lv < 2; lv++) {
			size_t left = 0;
			for (size_t k = 0; k < n; k++) {
				struct tfile *f = &t->f[m[k]];
				if (f->removed == 1 || (lv && f->removed))
					continue;
				if (left++) {   /* a copy beyond the first kept */
					dup->after[lv] += f->size;
					dir_acc(&dm, &dv, &nd, dn, f->rel)->after[lv] -= f->size;
				}
			}
		}
		dup->bytes += t->f[m[0]].size * (n - 1);
	}
	for (size_t i = 0; i < nd; i++) {
		json_t *o = acc_json(&dv[i]);
		size_t l = top_len(dn[i]);
		json_object_set_new(o, "dir", json_stringn(dn[i], l ? l : strlen(dn[i])));
		json_array_append_new(dirs_out, o);
	}
	hmap_free(&dm);
	free(dv);
	free(dn);
}


static json_t *largest(struct tree *t, size_t top)
{
	json_t *all = json_array();
	/* a bounded pass: the files at least as large as the top-th largest */
	uint64_t *sz = xcalloc(t->n + 1, sizeof *sz);
	for (size_t i = 0; i < t->n; i++)
		sz[i] = t->f[i].size;
	uint64_t floor = 0;
	if (t->n > top) {
		for (size_t k = 0; k < top; k++) {      /* top is small */
			size_t best = k;
			for (size_t i = k + 1; i < t->n; i++)
				if (sz[i] > sz[best])
					best = i;
			uint64_t x = sz[k];
			sz[k] = sz[best];
			sz[best] = x;
		}
		floor = top ? sz[top - 1] : 0;
	}
	free(sz);
	for (size_t i = 0; i < t->n; i++) {
		if (t->f[i].size < floor)
			continue;
		json_t *e = json_object();
		attr_str(e, "path", t->f[i].rel);
		attr_str(e, "category", cat_name[t->f[i].cat]);
		attr_int(e, "bytes", (long long)t->f[i].size);
		json_array_append_new(all, e);
	}
	all = attrs_sorted(all, "bytes", "path");
	while (json_array_size(all) > top)
		json_array_remove(all, json_array_size(all) - 1);
	return all;
}

static json_t *python_trees(struct tree *t)
{
	json_t *v = json_array();
	for (size_t k = 0; k < t->npytrees; k++) {
		const char *p = t->pytrees[k];
		size_t pl = strlen(p);
		struct acc a = {0};
		for (size_t i = 0; i < t->n; i++)
			if (!pl || (!strncmp(t->f[i].rel, p, pl) && t->f[i].rel[pl] == '/')) {
				a.files++;
				a.bytes += t->f[i].size;
			}
		json_t *o = json_object();
		attr_str(o, "path", pl ? p : ".");   /* a wheel's root */
		attr_int(o, "files", (long long)a.files);
		attr_int(o, "bytes", (long long)a.bytes);
		attr_bool(o, "judged", t->traced);
		json_array_append_new(v, o);
	}
	return v;
}

void tree_totals(struct tree *t, struct graph *g, const struct deploy_opts *o)
{
	json_t *tt = json_object(), *prune = json_array(), *dirs = json_array();
	mark_removed(t, g, prune, o->prune_data && t->recorded);
	struct acc cat[TC_NCAT] = {{0}}, dup = {0}, all = {0};
	account(t, cat, &dup, dirs);
	for (int c = 0; c < TC_NCAT; c++) {
		all.files += cat[c].files;
		all.bytes += cat[c].bytes;
		all.after[0] += cat[c].after[0];
		all.after[1] += cat[c].after[1];
	}
	all.after[0] -= dup.after[0];
	all.after[1] -= dup.after[1];
	attr_str(tt, "root", t->name);
	attr_int(tt, "files", (long long)all.files);
	attr_int(tt, "bytes", (long long)all.bytes);
	attr_int(tt, "after_proven", (long long)all.after[0]);
	attr_int(tt, "after_likely", (long long)all.after[1]);
	attr_int(tt, "symlinks", (long long)t->nlinks);
	attr_bool(tt, "gpu_scanned", t->gpu);
	json_t *cats = json_object();
	for (int c = 0; c < TC_NCAT; c++)
		json_object_set_new(cats, cat_name[c], acc_json(&cat[c]));
	json_t *d = json_object();
	attr_int(d, "sets", (long long)t->ndupsets);
	attr_int(d, "files", (long long)dup.files);
	attr_int(d, "bytes", (long long)dup.bytes);
	attr_int(d, "saved_proven", (long long)dup.after[0]);
	attr_int(d, "saved_likely", (long long)dup.after[1]);
	json_object_set_new(cats, "duplicates", d);
	json_object_set_new(tt, "categories", cats);
	json_object_set_new(tt, "dirs", attrs_sorted(dirs, "bytes", "dir"));
	json_object_set_new(tt, "largest", largest(t, 20));
	json_object_set_new(tt, "python_trees", python_trees(t));
	json_t *roots = json_array();
	for (size_t i = 0; i < t->nroots; i++)
		json_array_append_new(roots, json_string(t->roots[i]));
	json_object_set_new(tt, "roots", roots);
	json_object_set_new(tt, "prune", attrs_sorted(prune, NULL, "path"));
	json_object_set_new(g->totals, "tree", tt);
}
