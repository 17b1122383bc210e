/*
 * merge-tree.c - totals.tree of a merge of several deployables (issue
 * #14), from each deployable's own totals.tree (pipeline/tree-totals.c
 * writes them; this file reads them as JSON only).
 *
 * Deployables share no file: in the merge each one's files are named
 * under its name (NAME/PATH, merge.c), so the joined tree is one whose
 * top-level directories are the deployables.  Its figures are therefore
 * sums (files, bytes, after_proven, after_likely, symlinks, each category
 * and the duplicates), and its lists the deployables' lists with every
 * path under NAME/ and every id namespaced: dirs as NAME/DIR, the largest
 * files ranked again over all (the first 20, as one report keeps), the
 * Python trees, the prune list (by path), the roots of liveness.
 * gpu_scanned holds when it holds for every deployable.  Duplicate sets
 * are not looked for across deployables: a file in two images is shipped
 * twice and cannot be hardlinked across them.
 *
 * `deployables` keeps each one's name, root and own totals.tree
 * unchanged, so a merged report merges again exactly (merge.c's plan
 * recognizes a deployable it has already seen by its root and tree).
 */
#include "merge.h"
#include "../common/buf.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>

#define LARGEST_TOP 20   /* as tree-totals.c's largest(t, 20) */

const char *merge_ns_path(struct graph *g, const char *ns, const char *path)
{
	if (!ns || !path || path[0] == '/')
		return path;
	if (!strcmp(path, "."))                 /* a wheel's root */
		return graph_str(g, ns);
	return graph_strf(g, "%s/%s", ns, path);
}

const char *merge_ns_id(struct graph *g, const char *ns, const char *id)
{
	if (!ns || !id)
		return id;
	const char *c = strchr(id, ':');
	if (!c)
		return graph_strf(g, "%s/%s", ns, id);
	return graph_strf(g, "%.*s:%s/%s", (int)(c - id), id, ns, c + 1);
}

void merge_ns_key(struct graph *g, json_t *o, const char *key, const char *ns)
{
	const char *p = json_string_value(json_object_get(o, key));
	if (p && p[0] != '/')
		json_object_set_new(o, key, json_string(merge_ns_path(g, ns, p)));
}

/* a copy of array a, each member object's key under ns */
static void append_ns(struct graph *g, json_t *dst, const json_t *a,
		      const char *key, const char *ns)
{
	size_t i;
	json_t *e;
	json_array_foreach(a, i, e) {
		json_t *c = json_deep_copy(e);
		if (json_is_object(c))
			merge_ns_key(g, c, key, ns);
		json_array_append_new(dst, c);
	}
}

/* every integer member of src added to dst's, recursively (categories) */
static void add_ints(json_t *dst, const json_t *src)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)src, k, v) {
		json_t *have = json_object_get(dst, k);
		if (json_is_integer(v)) {
			long long x = have ? json_integer_value(have) : 0;
			json_object_set_new(dst, k, json_integer(x + json_integer_value(v)));
		} else if (json_is_object(v)) {
			if (!json_is_object(have)) {
				have = json_object();
				json_object_set_new(dst, k, have);
			}
			add_ints(have, v);
		}
	}
}

static long long ival(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static int dep_by_name(const void *a, const void *b)
{
	return strcmp(((const struct merge_dep *)a)->name, ((const struct merge_dep *)b)->name);
}

json_t *merge_tree_totals(struct graph *g, struct merge_dep *dep, size_t n)
{
	qsort(dep, n, sizeof *dep, dep_by_name);
	json_t *tt = json_object(), *cats = json_object(), *dirs = json_array(),
	       *largest = json_array(), *pyt = json_array(), *prune = json_array(),
	       *roots = json_array(), *deps = json_array();
	long long files = 0, bytes = 0, ap = 0, al = 0, links = 0;
	bool gpu = n > 0;
	struct buf root = {0};
	for (size_t i = 0; i < n; i++) {
		const json_t *t = dep[i].tree;
		const char *ns = dep[i].name;
		files += ival(t, "files");
		bytes += ival(t, "bytes");
		ap += ival(t, "after_proven");
		al += ival(t, "after_likely");
		links += ival(t, "symlinks");
		gpu = gpu && json_is_true(json_object_get(t, "gpu_scanned"));
		add_ints(cats, json_object_get(t, "categories"));
		append_ns(g, dirs, json_object_get(t, "dirs"), "dir", ns);
		append_ns(g, largest, json_object_get(t, "largest"), "path", ns);
		append_ns(g, pyt, json_object_get(t, "python_trees"), "path", ns);
		append_ns(g, prune, json_object_get(t, "prune"), "path", ns);
		size_t k;
		json_t *r;
		json_array_foreach(json_object_get(t, "roots"), k, r)
			if (json_is_string(r))
				json_array_append_new(roots, json_string(
					merge_ns_id(g, ns, json_string_value(r))));
		buf_printf(&root, "%s%s", i ? " + " : "", ns);
		json_array_append_new(deps, json_pack("{s:s, s:s, s:O}", "name", ns,
						      "root", dep[i].root, "tree", t));
	}
	attr_str(tt, "root", root.len ? root.p : "");
	buf_free(&root);
	attr_int(tt, "files", files);
	attr_int(tt, "bytes", bytes);
	attr_int(tt, "after_proven", ap);
	attr_int(tt, "after_likely", al);
	attr_int(tt, "symlinks", links);
	attr_bool(tt, "gpu_scanned", gpu);
	json_object_set_new(tt, "categories", cats);
	json_object_set_new(tt, "dirs", attrs_sorted(dirs, "bytes", "dir"));
	largest = attrs_sorted(largest, "bytes", "path");
	while (json_array_size(largest) > LARGEST_TOP)
		json_array_remove(largest, json_array_size(largest) - 1);
	json_object_set_new(tt, "largest", largest);
	json_object_set_new(tt, "python_trees", pyt);
	json_object_set_new(tt, "roots", attrs_sorted(roots, NULL, NULL));
	json_object_set_new(tt, "prune", attrs_sorted(prune, NULL, "path"));
	json_object_set_new(tt, "deployables", deps);
	return tt;
}
