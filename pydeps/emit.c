/*
 * emit.c - write the classified module set into the graph: trace and
 * module nodes, `loads` and `imports` edges with their evidence, one
 * prunable-module finding per prune unit (see classify.c for the rules),
 * totals.pydeps (per classification and root, as old readers know it) and
 * totals.python (per distribution: what `slim pydeps` prints).
 *
 * With a record trace, files of kept packages that no recorded run opened
 * or loaded are offered too, always as `likely` (another input may read
 * them): native libraries nothing names (data_units), and data files with
 * --prune-data.
 *
 * Edges are written only from kept modules: they are the evidence for a
 * verdict (a why-path from a trace node to any kept module follows them);
 * an unreferenced module's own imports prove nothing.
 */
#include "emit.h"
#include "../common/diag.h"
#include "../common/util.h"
#include "../graph/graph.h"
#include "../graph/ids.h"

#include <stdlib.h>
#include <string.h>

struct em {
	struct graph *g;
	struct pycl *c;
	struct pyset *s;
	bool *prunable;         /* per module: inside a prune unit */
	bool *unit;             /* per module: root of a prune unit */
	size_t *foff, *fidx;    /* files of module i: fidx[foff[i]..foff[i+1]) */
	uint64_t *root_bytes, *root_prunable;
	struct hmap dyn_top;    /* top-level names with a kept dynamic import */
};

static const char *mid(struct graph *g, const char *name)
{
	return ids_module(g, name, strlen(name));
}

static const char *dist_label(struct em *e, const struct pymod *m)
{
	if (m->dist >= 0)
		return e->s->dists[m->dist].name;
	const char *rp = e->s->roots[m->root].path;
	const char *b = strrchr(rp, '/');
	return graph_strf(e->g, "(%s)", b && b[1] ? b + 1 : rp);
}

static void group_files(struct em *e)
{
	struct pyset *s = e->s;
	e->foff = xcalloc(s->nmods + 2, sizeof *e->foff);
	e->fidx = xcalloc(s->nfiles + 1, sizeof *e->fidx);
	for (size_t f = 0; f < s->nfiles; f++)
		if (s->files[f].mod >= 0)
			e->foff[s->files[f].mod + 1]++;
	for (size_t i = 0; i < s->nmods; i++)
		e->foff[i + 1] += e->foff[i];
	size_t *fill = xcalloc(s->nmods + 1, sizeof *fill);
	for (size_t f = 0; f < s->nfiles; f++) {
		int m = s->files[f].mod;
		if (m >= 0)
			e->fidx[e->foff[m] + fill[m]++] = f;
	}
	free(fill);
}

static void module_nodes(struct em *e)
{
	struct pyset *s = e->s;
	for (size_t i = 0; i < s->nmods; i++) {
		struct pymod *m = &s->mods[i];
		struct gnode *n = graph_add_node(e->g, NK_MODULE, mid(e->g, m->name), m->name);
		graph_node_set_size(n, m->bytes);
		json_t *a = graph_node_attrs(n);
		attr_str(a, "classification", py_class_name(
			 m->is_ext && m->cls != PYC_USED && m->cls != PYC_UNREF
			 ? PYC_NATIVE : m->cls));
		attr_str(a, "distribution", dist_label(e, m));
		attr_int(a, "bytes", m->bytes);
		attr_int(a, "files", m->nfiles);
		attr_str(a, "root", s->roots[m->root].path);
		const char *path = m->dir ? m->dir : m->src;
		if (!path && e->foff[i + 1] > e->foff[i])
			path = s->files[e->fidx[e->foff[i]]].path;
		if (path)
			attr_str(a, "path", path);
		if (m->is_pkg) {
			attr_bool(a, "package", true);
			attr_int(a, "tree_bytes", m->tree_bytes);
		}
		if (m->is_ns && m->is_pkg)
			attr_bool(a, "namespace", true);
		if (m->is_ext)
			attr_bool(a, "extension", true);
		if (m->in_zip)
			attr_bool(a, "zipped", true);
		if (m->ndynamic)
			attr_int(a, "dynamic_imports", m->ndynamic);
		if (m->via >= 0)
			attr_str(a, "via", s->mods[m->via].name);
		if (m->scan_failed)
			attr_bool(a, "scan_failed", true);
	}
}

static const char *loader_name(enum py_loader l)
{
	static const char *const n[] = {NULL, "source", "bytecode", "extension",
					"builtin", "frozen", "namespace"};
	return n[l];
}

static void trace_nodes(struct em *e, struct pytrace *tr, size_t ntr)
{
	struct graph *g = e->g;
	for (size_t t = 0; t < ntr; t++) {
		const char *tid = ids_trace(g, tr[t].path, 1);
		for (int k = 2; graph_node(g, tid); k++)
			tid = ids_trace(g, tr[t].path, k);
		struct gnode *tn = graph_add_node(g, NK_TRACE, tid, NULL);
		json_t *a = graph_node_attrs(tn);
		attr_str(a, "path", tr[t].path);
		attr_str(a, "format", tr[t].format);
		attr_int(a, "modules", tr[t].nmods);
		if (tr[t].nopened)
			attr_int(a, "opened_files", tr[t].nopened);
		graph_add_input(g, tr[t].path, graph_strf(g, "py-%s", tr[t].format), tid);
		for (size_t i = 0; i < tr[t].nmods; i++) {
			struct pytrace_mod *tm = &tr[t].mods[i];
			const char *to = mid(g, tm->name);
			if (!graph_node(g, to)) {
				struct gnode *n = graph_add_node(g, NK_MODULE, to, tm->name);
				json_t *na = graph_node_attrs(n);
				attr_str(na, "classification", "used");
				/* importtime prints failed imports too: a name in
				 * no root is either that or a module elsewhere */
				attr_str(na, "distribution",
					 tm->loader == PYL_BUILTIN ? "(builtin)" :
					 tm->loader == PYL_FROZEN ? "(frozen)" :
					 "(not in any root)");
				attr_bool(na, "in_roots", false);
				attr_int(na, "bytes", 0);
				if (tm->path)
					attr_str(na, "path", tm->path);
			}
		}
		for (size_t i = 0; i < tr[t].nmods; i++) {
			struct pytrace_mod *tm = &tr[t].mods[i];
			const char *from = tm->parent ? mid(g, tm->parent) : tid;
			struct gedge *ed = graph_add_edge(g, from, mid(g, tm->name), EK_LOADS);
			if (!ed || ed->attrs)
				continue;
			json_t *ea = graph_edge_attrs(ed);
			attr_str(ea, "trace", tid);
			attr_int(ea, "line", tm->line);
			attr_str(ea, "analyzer", "pydeps");
			if (tm->self_us >= 0) {
				attr_int(ea, "self_us", tm->self_us);
				attr_int(ea, "cumulative_us", tm->cum_us);
			}
			if (loader_name(tm->loader))
				attr_str(ea, "loader", loader_name(tm->loader));
		}
	}
}

struct edgectx {
	struct em *e;
	int from;
	const struct pyref *r;
};

static void edge_cb(void *ctx, int t, enum py_tag tag)
{
	struct edgectx *x = ctx;
	struct pyset *s = x->e->s;
	if (t == x->from)
		return;
	struct gedge *ed = graph_add_edge(x->e->g, mid(x->e->g, s->mods[x->from].name),
					  mid(x->e->g, s->mods[t].name), EK_IMPORTS);
	if (!ed || ed->attrs)
		return;
	json_t *a = graph_edge_attrs(ed);
	attr_int(a, "line", x->r->line);
	attr_str(a, "tag", py_tag_name(tag));
	attr_str(a, "analyzer", "pydeps");
	if (tag == PYT_PREFIX || tag == PYT_STRING || tag == PYT_ENTRY ||
	    tag == PYT_ELFSTR)
		attr_str(a, "name", x->r->name);
}

static void import_edges(struct em *e)
{
	struct pyset *s = e->s;
	for (size_t i = 0; i < s->nmods; i++) {
		struct pymod *m = &s->mods[i];
		if (m->cls == PYC_UNREF)
			continue;
		for (size_t k = 0; k < m->nrefs; k++) {
			struct edgectx x = {e, (int)i, &m->refs[k]};
			pycl_resolve(e->c, &m->refs[k], edge_cb, &x);
		}
		if (m->parent >= 0) {
			struct pyref pr = {.line = 0, .tag = PYT_PARENT};
			struct edgectx x = {e, (int)i, &pr};
			edge_cb(&x, m->parent, PYT_PARENT);
		}
	}
}


/* ---- prune units (rules in classify.c) ---- */

static const char *top_name(struct graph *g, const char *name)
{
	const char *d = strchr(name, '.');
	return d ? graph_strf(g, "%.*s", (int)(d - name), name) : name;
}

static void dyn_tops(struct em *e)
{
	struct pyset *s = e->s;
	for (size_t i = 0; i < s->nmods; i++)
		if (s->mods[i].cls != PYC_UNREF && s->mods[i].ndynamic) {
			const char *t = top_name(e->g, s->mods[i].name);
			hmap_put(&e->dyn_top, t, strlen(t), (void *)1);
		}
}

/* the paths that delete module i's unit: its directory, or its files */
static uint64_t unit_paths(struct em *e, int i, json_t *paths)
{
	struct pymod *m = &e->s->mods[i];
	if (m->is_pkg && m->dir) {
		json_array_append_new(paths, json_string(m->dir));
		return m->tree_bytes;
	}
	for (size_t k = e->foff[i]; k < e->foff[i + 1]; k++)
		json_array_append_new(paths, json_string(e->s->files[e->fidx[k]].path));
	return m->bytes;
}

static void add_finding(struct em *e, const char *node, uint64_t bytes,
			bool likely, json_t *paths, size_t nmods)
{
	const char *first = json_string_value(json_array_get(paths, 0));
	size_t np = json_array_size(paths);
	const char *fix = np > 1
		? graph_strf(e->g, "delete %s and %zu more path%s (all in attrs.paths; slim pydeps --prune-list FILE writes them)",
			     first, np - 1, np == 2 ? "" : "s")
		: graph_strf(e->g, "delete %s", first);
	const char *why = likely
		? "no trace loads it and no kept module imports it or names it in a "
		  "string, but a kept module of the same package imports by a "
		  "computed name"
		: "no trace loads it and no kept module imports it, names it in a "
		  "string or loads it through an entry point";
	struct gfinding *f = graph_add_finding(e->g, "prunable-module", node, NULL,
					       bytes, likely ? "likely" : "proven",
					       why, fix);
	json_t *a = graph_finding_attrs(f);
	json_object_set_new(a, "paths", paths);
	attr_int(a, "modules", nmods);
}

static size_t mark_subtree(struct em *e, int i)
{
	/* parents precede children: one forward pass marks the subtree */
	struct pyset *s = e->s;
	size_t n = 0;
	e->prunable[i] = true;
	for (size_t k = i + 1; k < s->nmods; k++)
		if (s->mods[k].parent >= 0 && e->prunable[s->mods[k].parent] &&
		    !e->prunable[k] && s->mods[k].cls == PYC_UNREF) {
			e->prunable[k] = true;
			n++;
		}
	return n + 1;
}

static void dist_units(struct em *e)
{
	struct pyset *s = e->s;
	for (size_t d = 0; d < s->ndists; d++) {
		struct pydist *pd = &s->dists[d];
		if (pd->kept)
			continue;
		json_t *paths = json_array();
		uint64_t bytes = pd->meta_bytes;
		size_t nmods = 0;
		bool likely = false;
		for (size_t i = 0; i < s->nmods; i++) {
			struct pymod *m = &s->mods[i];
			if (m->dist != (int)d || m->parent >= 0)
				continue;
			bytes += unit_paths(e, (int)i, paths);
			nmods += mark_subtree(e, (int)i);
			e->root_prunable[m->root] += m->is_pkg ? m->tree_bytes : m->bytes;
			likely |= hmap_gets(&e->dyn_top, m->name) != NULL;
		}
		json_array_append_new(paths, json_string(pd->meta_dir));
		e->root_prunable[pd->root] += pd->meta_bytes;
		const char *id = ids_make(e->g, IDP_DIST, pd->name);
		if (!graph_node(e->g, id) || strcmp(graph_node(e->g, id)->kind, NK_DIST))
			continue;
		add_finding(e, id, bytes, likely, paths, nmods);
	}
}

static void module_units(struct em *e)
{
	struct pyset *s = e->s;
	for (size_t i = 0; i < s->nmods; i++) {
		struct pymod *m = &s->mods[i];
		if (e->prunable[i] || m->cls != PYC_UNREF || m->subtree_kept ||
		    m->in_zip || s->roots[m->root].is_script ||
		    (m->parent >= 0 && e->prunable[m->parent]))
			continue;
		json_t *paths = json_array();
		uint64_t bytes = unit_paths(e, (int)i, paths);
		if (!json_array_size(paths)) {
			json_decref(paths);
			continue;
		}
		size_t nmods = mark_subtree(e, (int)i);
		e->root_prunable[m->root] += bytes;
		bool likely = hmap_gets(&e->dyn_top, top_name(e->g, m->name)) != NULL;
		add_finding(e, mid(e->g, m->name), bytes, likely, paths, nmods);
	}
}

/* a shared object by its name: NAME.so, NAME.so.1, or a PYF_NATIVE */
static bool shared_object(const struct pyfile *f)
{
	const char *so = strstr(path_base(f->path), ".so");
	return f->kind == PYF_NATIVE || (so && (so[3] == 0 || so[3] == '.'));
}

/* A file of a kept package that a record trace lets go (likely): never
 * bytecode, never opened or loaded by a recorded run; a shared object
 * only when nothing could load it (pynative_named: no DT_NEEDED, not its
 * name, stem or a .so pattern in the package's sources); other data only
 * with --prune-data. */
static bool data_prunable(const struct pyset *s, const struct pyfile *f)
{
	if ((f->kind != PYF_DATA && f->kind != PYF_NATIVE) ||
	    strstr(f->path, "/__pycache__/") || hmap_gets(&s->opened, f->path))
		return false;
	if (shared_object(f))
		return !pynative_named(s, f->path, f->mod);
	return s->prune_data;
}

/* With a record trace: native libraries of kept packages nothing loads,
 * and with --prune-data their data files no recorded run opened (never
 * __pycache__, never a package's modules, never metadata); one likely
 * finding per package. */
static void data_units(struct em *e)
{
	struct pyset *s = e->s;
	if (!s->have_opens)
		return;
	for (size_t i = 0; i < s->nmods; i++) {
		struct pymod *m = &s->mods[i];
		if (e->prunable[i] || !m->is_pkg || m->in_zip ||
		    (m->cls == PYC_UNREF && !m->subtree_kept))
			continue;
		json_t *paths = json_array();
		uint64_t bytes = 0;
		size_t nso = 0;
		for (size_t k = e->foff[i]; k < e->foff[i + 1]; k++) {
			const struct pyfile *f = &s->files[e->fidx[k]];
			if (!data_prunable(s, f))
				continue;
			json_array_append_new(paths, json_string(f->path));
			bytes += f->size;
			nso += shared_object(f);
		}
		size_t np = json_array_size(paths);
		if (!np) {
			json_decref(paths);
			continue;
		}
		e->root_prunable[m->root] += bytes;
		const char *why = nso == np
			? "native libraries of a kept package that no recorded run loaded and "
			  "that no DT_NEEDED, no source of the package and no .so pattern names"
			: "data files of a kept package that no recorded run opened "
			  "(shared objects among them: none loaded or named)";
		struct gfinding *fd = graph_add_finding(e->g, "prunable-module",
			mid(e->g, m->name), NULL, bytes, "likely", why,
			graph_strf(e->g, "delete %s%s", json_string_value(json_array_get(paths, 0)),
				   np > 1 ? " and the other files in attrs.paths" : ""));
		json_t *a = graph_finding_attrs(fd);
		json_object_set_new(a, "paths", paths);
		attr_bool(a, "data", true);
		if (nso)
			attr_int(a, "native_libraries", nso);
	}
}

static void dist_nodes(struct em *e)
{
	struct pyset *s = e->s;
	for (size_t d = 0; d < s->ndists; d++) {
		struct pydist *pd = &s->dists[d];
		const char *id = graph_strf(e->g, "pydist:%s", pd->name);
		if (graph_node(e->g, id))
			continue;     /* the same name in two roots: first wins */
		struct gnode *n = graph_add_node(e->g, NK_DIST, id, pd->name);
		graph_node_set_size(n, pd->meta_bytes);
		json_t *a = graph_node_attrs(n);
		attr_str(a, "metadata", pd->meta_dir);
		attr_int(a, "metadata_bytes", pd->meta_bytes);
		attr_bool(a, "kept", pd->kept);
		json_t *top = json_array();
		for (size_t t = 0; t < pd->ntop; t++)
			json_array_append_new(top, json_string(pd->top[t]));
		json_object_set_new(a, "top_level", top);
	}
}

static void prune_units(struct em *e)
{
	struct pyset *s = e->s;
	e->prunable = xcalloc(s->nmods + 1, sizeof *e->prunable);
	e->root_prunable = xcalloc(s->nroots + 1, sizeof *e->root_prunable);
	dyn_tops(e);
	dist_nodes(e);
	if (!s->no_evidence) {
		dist_units(e);
		module_units(e);
		data_units(e);
	}
	for (size_t i = 0; i < s->nmods; i++)
		if (e->prunable[i])
			attr_bool(graph_node_attrs(graph_node(e->g, mid(e->g, s->mods[i].name))),
				  "prunable", true);
}

/* the innermost root holding a path */
static int root_of(const struct pyset *s, const char *path)
{
	int best = -1;
	size_t bl = 0;
	for (size_t r = 0; r < s->nroots; r++) {
		size_t l = strlen(s->roots[r].path);
		if (l > bl && !strncmp(path, s->roots[r].path, l) && path[l] == '/')
			best = (int)r, bl = l;
	}
	return best;
}

static void totals(struct em *e)
{
	struct pyset *s = e->s;
	json_t *t = json_object(), *mods = json_object(), *bytes = json_object();
	uint64_t by[5] = {0}, nm[5] = {0}, total = 0, prunable = 0;
	for (size_t i = 0; i < s->nmods; i++) {
		by[s->mods[i].cls] += s->mods[i].bytes;
		nm[s->mods[i].cls]++;
	}
	for (int c = 0; c < 5; c++) {
		attr_int(mods, py_class_name(c), nm[c]);
		attr_int(bytes, py_class_name(c), by[c]);
	}
	e->root_bytes = xcalloc(s->nroots + 1, sizeof *e->root_bytes);
	for (size_t f = 0; f < s->nfiles; f++) {
		int r = s->files[f].mod >= 0 ? s->mods[s->files[f].mod].root
					     : root_of(s, s->files[f].path);
		if (r >= 0)
			e->root_bytes[r] += s->files[f].size;
	}
	for (size_t d = 0; d < s->ndists; d++)
		e->root_bytes[s->dists[d].root] += s->dists[d].meta_bytes;
	json_t *roots = json_array();
	for (size_t r = 0; r < s->nroots; r++) {
		if (s->roots[r].is_script)
			continue;
		json_t *o = json_object();
		attr_str(o, "path", s->roots[r].path);
		attr_int(o, "bytes", e->root_bytes[r]);
		attr_int(o, "prunable_bytes", e->root_prunable[r]);
		json_array_append_new(roots, o);
		total += e->root_bytes[r];
		prunable += e->root_prunable[r];
	}
	json_object_set_new(t, "modules", mods);
	json_object_set_new(t, "bytes", bytes);
	json_object_set_new(t, "roots", roots);
	attr_int(t, "total_bytes", total);
	attr_int(t, "prunable_bytes", prunable);
	attr_int(t, "scanned_bytes", s->scanned_bytes);
	attr_int(t, "files", s->nfiles);
	json_object_set_new(e->g->totals, "pydeps", t);
}

/*
 * totals.python: per distribution (a module outside any is counted under
 * "(ROOT)", its root's last path component), sorted by name: modules and
 * their own bytes; of those bytes, used (in a trace), reachable (kept
 * otherwise), unreferenced (classification) and prunable (inside a prune
 * unit, plus the metadata of a distribution no kept module belongs to);
 * and the bytes of its prunable-module findings by confidence.  `slim
 * pydeps`' table and its proven/likely lines print these.
 */
struct drow {
	const char *name;
	uint64_t mods, bytes, used, reach, unref, prunable, proven, likely;
};

static struct drow *drow_of(struct hmap *idx, struct drow **v, size_t *n,
			    const char *name)
{
	bool created;
	void **slot = hmap_slot(idx, name, strlen(name), &created);
	if (created) {
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[*n] = (struct drow){.name = name};
		*slot = (void *)(uintptr_t)(*n)++;
	}
	return &(*v)[(uintptr_t)*slot];
}

static int drow_cmp(const void *a, const void *b)
{
	return strcmp(((const struct drow *)a)->name, ((const struct drow *)b)->name);
}

/* the distribution a prunable-module finding's node belongs to */
static const char *finding_dist(const struct graph *g, const struct gfinding *f)
{
	const struct gnode *n = graph_node(g, f->node);
	if (!n)
		return NULL;
	if (!strcmp(n->kind, NK_DIST))
		return n->name;
	return attr_get_str(n->attrs, "distribution");
}

/* Rows from the module and distribution nodes this analyzer wrote (those
 * the trace alone names, builtin or outside every root, included). */
static void dist_rows(struct em *e, struct hmap *idx, struct drow **v, size_t *n)
{
	const char *unref = py_class_name(PYC_UNREF), *used = py_class_name(PYC_USED);
	for (size_t i = 0; i < e->g->nnodes; i++) {
		const struct gnode *nd = e->g->nodes[i];
		const json_t *a = nd->attrs;
		if (!strcmp(nd->kind, NK_DIST)) {
			if (json_is_false(json_object_get(a, "kept")))
				drow_of(idx, v, n, nd->name)->prunable +=
					(uint64_t)attr_get_int(a, "metadata_bytes", 0);
			continue;
		}
		if (strcmp(nd->kind, NK_MODULE))
			continue;
		const char *d = attr_get_str(a, "distribution");
		const char *c = attr_get_str(a, "classification");
		uint64_t by = (uint64_t)attr_get_int(a, "bytes", 0);
		struct drow *r = drow_of(idx, v, n, d ? d : "?");
		r->mods++, r->bytes += by;
		if (json_is_true(json_object_get(a, "prunable")))
			r->prunable += by;
		else if (c && !strcmp(c, used))
			r->used += by;
		else
			r->reach += by;
		if (c && !strcmp(c, unref))
			r->unref += by;
	}
	for (size_t i = 0; i < e->g->nfindings; i++) {
		const struct gfinding *f = &e->g->findings[i];
		const char *dn = strcmp(f->kind, "prunable-module") ? NULL : finding_dist(e->g, f);
		if (!dn)
			continue;
		struct drow *r = drow_of(idx, v, n, dn);
		if (!strcmp(f->confidence, "proven"))
			r->proven += f->bytes;
		else if (!strcmp(f->confidence, "likely"))
			r->likely += f->bytes;
	}
}

static void python_totals(struct em *e)
{
	struct hmap idx = {0};
	struct drow *v = NULL;
	size_t n = 0;
	dist_rows(e, &idx, &v, &n);
	if (n)
		qsort(v, n, sizeof *v, drow_cmp);
	json_t *t = json_object(), *arr = json_array();
	uint64_t proven = 0, likely = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_object();
		attr_str(o, "name", v[i].name);
		attr_int(o, "modules", (long long)v[i].mods);
		attr_int(o, "bytes", (long long)v[i].bytes);
		attr_int(o, "used_bytes", (long long)v[i].used);
		attr_int(o, "reachable_bytes", (long long)v[i].reach);
		attr_int(o, "unreferenced_bytes", (long long)v[i].unref);
		attr_int(o, "prunable_bytes", (long long)v[i].prunable);
		json_t *pc = json_object();
		attr_int(pc, "proven", (long long)v[i].proven);
		attr_int(pc, "likely", (long long)v[i].likely);
		json_object_set_new(o, "prunable_bytes_by_confidence", pc);
		json_array_append_new(arr, o);
		proven += v[i].proven, likely += v[i].likely;
	}
	json_object_set_new(t, "distributions", arr);
	json_t *pc = json_object();
	attr_int(pc, "proven", (long long)proven);
	attr_int(pc, "likely", (long long)likely);
	json_object_set_new(t, "prunable_bytes_by_confidence", pc);
	json_object_set_new(e->g->totals, "python", t);
	hmap_free(&idx);
	free(v);
}

void pyemit(struct graph *g, struct pycl *c, struct pytrace *tr, size_t ntr,
	    struct diag_list *w)
{
	struct em e = {.g = g, .c = c, .s = c->s};
	(void)w;
	group_files(&e);
	module_nodes(&e);
	trace_nodes(&e, tr, ntr);
	import_edges(&e);
	prune_units(&e);
	totals(&e);
	python_totals(&e);
	free(e.prunable);
	free(e.unit);
	free(e.foff);
	free(e.fidx);
	free(e.root_bytes);
	free(e.root_prunable);
	hmap_free(&e.dyn_top);
}
