/*
 * pydeps.c - pydeps_merge(): the Python analysis as one pipeline
 *
 *   read_traces   every trace file (trace.c), union of the used modules
 *   infer_roots   without --root: the installation trees the traced
 *                 modules' files lie in (an error when the traces name
 *                 no files)
 *   inventory     every module tree (inventory.c, dist.c, zip.c)
 *   classify      closure from the used set (classify.c), scanning the
 *                 static imports of each level's sources in parallel
 *                 (scan.c; --scan-all scans every source first)
 *   emit          nodes, edges, prune units and findings (emit.c)
 *   native        kept extension modules go to the ELF analyzer (their
 *                 C-level imports were read by native.c during classify)
 *
 * The design follows DESIGN.md "Python"; the only verdict that deletes
 * anything is `unreferenced`, and the end-to-end test proves the prune list
 * on real workloads by deleting it and rerunning them.
 */
#include "pydeps.h"
#include "pyint.h"
#include "classify.h"
#include "emit.h"
#include "../common/run.h"
#include "../common/diag.h"
#include "../common/mfile.h"
#include "../common/util.h"
#include "../graph/graph.h"
#include "../graph/ids.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* An unreadable trace is an error, not a warning: without it the used set
 * shrinks and the prune list would grow.  A trace that names no module is
 * a warning (it still yields a prune list, which the user should not
 * trust). */
static const char *in_root(struct pyset *s, const char *root, const char *p)
{
	size_t n = root ? strlen(root) : 0;
	if (!root || !p || p[0] != '/' || (!strncmp(p, root, n) && p[n] == '/'))
		return p;   /* relative, or recorded outside on the root's files */
	return arena_printf(&s->arena, "%s%s", root, p);
}

static void read_traces(struct pyset *s, const struct input *in, size_t n,
			struct pytrace *tr, size_t *ntr, const char *root,
			struct diag_list *w)
{
	for (size_t i = 0; i < n; i++) {
		pytrace_parse(&tr[*ntr], in[i].path, (const char *)in[i].p, in[i].n,
			      &s->arena, w);
		/* recorded in a chroot of root: its paths are root's */
		struct pytrace *t = &tr[*ntr];
		for (size_t k = 0; root && k < t->nmods; k++)
			t->mods[k].path = in_root(s, root, t->mods[k].path);
		for (size_t k = 0; root && k < t->nopened; k++)
			t->opened[k] = in_root(s, root, t->opened[k]);
		if (!tr[*ntr].nmods)
			diag_warn_at(w, in[i].path, 0, "trace names no module "
				     "(every module of the roots will look unused)");
		(*ntr)++;
	}
}

/* The sys.path entry a traced module was found under: its file's
 * directory less one component per dotted part (two for a package's
 * __init__), each component equal to the part it stands for; NULL when
 * the path does not spell the name (os.path is posixpath.py). */
static char *root_of_module(struct arena *a, const char *name, const char *path)
{
	size_t n = strlen(path), parts = 1;
	for (const char *c = name; *c; c++)
		parts += *c == '.';
	const char *b = path_base(path);
	bool init = !strncmp(b, "__init__.", 9);
	const char *end = path + n;       /* [.., end) still to strip */
	const char *np = name + strlen(name);
	for (size_t k = 0; k < parts; k++) {
		const char *dot = np > name ? memrchr(name, '.', np - name) : NULL;
		const char *part = dot ? dot + 1 : name;
		size_t pl = np - part;
		const char *sl = memrchr(path, '/', end - path);
		if (!sl)
			return NULL;
		if (k == 0 && init) {        /* DIR/NAME/__init__.py */
			end = sl;
			sl = memrchr(path, '/', end - path);
			if (!sl)
				return NULL;
		}
		const char *comp = sl + 1;
		size_t cl = end - comp;
		bool ok = k == 0 && !init ? cl > pl && !memcmp(comp, part, pl) &&
					    comp[pl] == '.'
					  : cl == pl && !memcmp(comp, part, pl);
		if (!ok)
			return NULL;
		end = sl;
		np = dot ? dot : name;
	}
	return end > path ? arena_strndup(a, path, end - path) : NULL;
}

/* an installation's module tree, as opposed to a script's directory (whose
 * files, the workload script among them, are not for the prune list) */
static bool installed_tree(const char *dir)
{
	const char *b = path_base(dir);
	return !strcmp(b, "site-packages") || !strcmp(b, "dist-packages") ||
	       !strcmp(b, "lib-dynload") || !strncmp(b, "python", 6) ||
	       strstr(b, ".zip") || strstr(b, ".whl") || strstr(b, ".egg");
}

/* No --root: the roots are the installation trees the traces' module
 * paths lie in (recorder traces and -v traces name files; -X importtime
 * and module lists do not, and then the user must say). */
static int infer_roots(struct pyset *s, struct pytrace *tr, size_t ntr,
		       const char ***roots, size_t *nroots, struct diag_list *w,
		       struct diag *d)
{
	size_t other = 0, cap = 0;
	const char *skipped = NULL;
	for (size_t t = 0; t < ntr; t++)
		for (size_t i = 0; i < tr[t].nmods; i++) {
			const struct pytrace_mod *m = &tr[t].mods[i];
			if (!m->path || m->path[0] != '/' || !strcmp(m->name, "__main__"))
				continue;
			char *r = root_of_module(&s->arena, m->name, m->path);
			if (!r)
				continue;
			if (!installed_tree(r)) {
				other++;
				skipped = skipped ? skipped : r;
				continue;
			}
			size_t k = 0;
			while (k < *nroots && strcmp((*roots)[k], r))
				k++;
			if (k < *nroots)
				continue;
			GROW(*roots, cap, *nroots + 1);
			(*roots)[(*nroots)++] = r;
		}
	if (!*nroots)
		return diag_err(d, ntr ? tr[0].path : "pydeps", "no --root given and %s: "
				"give the module trees with --root DIR (slim report: --py-root)", skipped
				? "the trace's module files lie in no Python installation tree"
				: "the trace names no module file to find them from "
				  "(-X importtime and module lists carry no paths)");
	diag_warn_at(w, tr[0].path, 0, "no --root given: using the %zu module "
		     "tree%s the trace's files lie in (first %s)%s", *nroots,
		     *nroots == 1 ? "" : "s", (*roots)[0], other
		     ? "; modules outside installation trees (a script's directory) "
		       "are not analyzed: give --root for them" : "");
	return 0;
}

/* An entry script is scanned as a module of its own (named "__main__"
 * when a trace names it so, else after its file), in a root that is never
 * walked and never pruned: the script's directory may be anything (a home
 * directory, /usr/bin), and modules beside it join only through --root. */
static int add_script(struct pyset *s, const char *path, const char *name,
		      struct diag_list *w)
{
	struct stat st;
	if (stat(path, &st) || !S_ISREG(st.st_mode)) {
		diag_warn_at(w, path, 0, "cannot read script; its imports are unknown");
		return -1;
	}
	int mi = pyset_find(s, name, strlen(name));
	if (mi >= 0)
		return s->roots[s->mods[mi].root].is_script ? mi : -1;
	GROW(s->roots, s->caproots, s->nroots + 1);
	struct pyroot *r = &s->roots[s->nroots];
	memset(r, 0, sizeof *r);
	r->path = arena_strdup(&s->arena, path);
	r->is_script = true;
	mi = pyset_add_mod(s, name, (int)s->nroots++, -1);
	s->mods[mi].src = arena_strdup(&s->arena, path);
	pyset_add_file(s, path, st.st_size, mi, PYF_SOURCE);
	return mi;
}

/* The module whose source file is path (spelled as the roots spell it),
 * or -1. */
static int module_of_file(const struct pyset *s, const char *path)
{
	for (size_t i = 0; i < s->nmods; i++)
		if (s->mods[i].src && s->mods[i].root >= 0 &&
		    !s->roots[s->mods[i].root].is_script &&
		    !strcmp(s->mods[i].src, path))
			return (int)i;
	return -1;
}

static void add_scripts(struct pycl *c, const struct pydeps_opts *o,
			struct pytrace *tr, size_t ntr, struct diag_list *w)
{
	struct pyset *s = c->s;
	for (size_t i = 0; i < o->nscripts; i++) {
		/* a module of the roots given by its file (a deployable's
		 * --entry usr/lib/python3/dist-packages/yaml/__init__.py):
		 * used under its own name, so that its relative imports
		 * resolve in its package, as `python -m yaml` runs it */
		int own = module_of_file(s, o->scripts[i]);
		if (own >= 0) {
			pycl_mark_used(c, own);
			continue;
		}
		const char *b = path_base(o->scripts[i]);
		const char *dot = strrchr(b, '.');
		char *name = arena_strndup(&s->arena, b, dot ? (size_t)(dot - b) : strlen(b));
		if (!py_is_dotted_name(name, strlen(name)) || pyset_find(s, name, strlen(name)) >= 0)
			name = "__main__";
		int mi = add_script(s, o->scripts[i], name, w);
		if (mi >= 0)
			pycl_mark_used(c, mi);
	}
	/* the recorder names the script that ran: module __main__ PATH */
	for (size_t t = 0; t < ntr; t++)
		for (size_t i = 0; i < tr[t].nmods; i++)
			if (!strcmp(tr[t].mods[i].name, "__main__") && tr[t].mods[i].path &&
			    pyset_find(s, "__main__", 8) < 0) {
				int mi = add_script(s, tr[t].mods[i].path, "__main__", w);
				if (mi >= 0)
					pycl_mark_used(c, mi);
			}
	/* the workload's own script is where its delayed imports hide */
	bool any = false;
	for (size_t r = 0; r < s->nroots; r++)
		any |= s->roots[r].is_script;
	if (ntr && !any)
		diag_warn_at(w, tr[0].path, 0, "no entry script: imports inside the "
			     "workload script's own functions are unknown (give --script "
			     "FILE, or record with `slim pydeps record`)");
}

/* The recorder's opened paths, spelled as under the root that holds them
 * (roots may be given through symlinks: both sides go through realpath). */
static void opened_files(struct pyset *s, struct pytrace *tr, size_t ntr)
{
	char **real = xcalloc(s->nroots + 1, sizeof *real);
	for (size_t r = 0; r < s->nroots; r++)
		real[r] = s->roots[r].is_script ? NULL : realpath(s->roots[r].path, NULL);
	for (size_t t = 0; t < ntr; t++) {
		if (!strcmp(tr[t].format, "record"))
			s->have_opens = true;
		for (size_t i = 0; i < tr[t].nopened; i++) {
			char *rp = realpath(tr[t].opened[i], NULL);
			for (size_t r = 0; rp && r < s->nroots; r++) {
				size_t l = real[r] ? strlen(real[r]) : 0;
				if (!l || strncmp(rp, real[r], l) || rp[l] != '/')
					continue;
				const char *p = arena_printf(&s->arena, "%s%s",
							     s->roots[r].path, rp + l);
				hmap_put(&s->opened, p, strlen(p), (void *)1);
			}
			free(rp);
		}
	}
	for (size_t r = 0; r < s->nroots; r++)
		free(real[r]);
	free(real);
}

static void build_groups(struct pyset *s)
{
	for (size_t d = 0; d < s->ndists; d++)
		for (size_t e = 0; e < s->dists[d].nep; e++) {
			const char *g = s->dists[d].ep_group[e];
			hmap_put(&s->ep_groups, g, strlen(g), (void *)1);
		}
}

static void mark_used(struct pycl *c, struct pytrace *tr, size_t ntr)
{
	for (size_t t = 0; t < ntr; t++)
		for (size_t i = 0; i < tr[t].nmods; i++) {
			int mi = pyset_find(c->s, tr[t].mods[i].name,
					    strlen(tr[t].mods[i].name));
			if (mi >= 0)
				pycl_mark_used(c, mi);
		}
}

/* kept extension modules: their shared-library dependencies join g,
 * resolved by the run's one ELF context (inside --sysroot, each library
 * parsed once per run) */
static void native(struct graph *g, struct pyset *s, const struct run *r)
{
	struct diag_list *w = r->w;
	size_t failed = 0;
	struct diag first = {0};
	for (size_t f = 0; f < s->nfiles; f++) {
		struct pyfile *pf = &s->files[f];
		if (pf->kind != PYF_EXT || pf->mod < 0 ||
		    s->mods[pf->mod].cls == PYC_UNREF || s->mods[pf->mod].in_zip)
			continue;
		const char *root = NULL;
		struct diag d = {0};
		if (r->elf_closure(r, g, pf->path, &root, &d)) {
			if (!failed++)
				first = d;
			continue;
		}
		const char *from = ids_module(g, s->mods[pf->mod].name, strlen(s->mods[pf->mod].name));
		if (root && graph_node(g, from)) {
			struct gedge *e = graph_add_edge(g, from, root, EK_CONTAINS);
			if (e)
				attr_str(graph_edge_attrs(e), "analyzer", "pydeps");
		}
	}
	if (failed) {
		if (!first.file[0])
			snprintf(first.file, sizeof first.file, "%s", "pydeps");
		char msg[sizeof first.msg];
		snprintf(msg, sizeof msg, "%.300s (ELF analysis of %zu extension "
			 "module%s skipped)", first.msg, failed, failed == 1 ? "" : "s");
		snprintf(first.msg, sizeof first.msg, "%s", msg);
		diag_warn(w, &first);
	}
}

int pydeps_merge(struct graph *g, const struct input *in, size_t n,
		 const struct run *r, struct diag_list *errs)
{
	static const struct pydeps_opts none;
	const struct pydeps_opts *o = r->py ? r->py : &none;
	struct diag_list *w = r->w;
	struct diag dd = {0}, *d = &dd;
	struct pyset s = {.run = r};
	struct pycl c = {0};
	struct pytrace *tr = xcalloc(n + 1, sizeof *tr);
	size_t ntr = 0, warn0 = w->n;
	const char **iroots = NULL;
	int rc = -1;

	/* read_traces + inventory (roots from the traces when none given) */
	read_traces(&s, in, n, tr, &ntr, o->trace_root, w);
	const char **roots = o->roots;
	size_t nroots = o->nroots;
	if (!nroots && ntr && infer_roots(&s, tr, ntr, &iroots, &nroots, w, d))
		goto out;
	if (!o->nroots)
		roots = iroots;
	pydeps_inventory(&s, roots, nroots, !o->no_auto_roots, w);
	if (!ntr && !s.nroots) {
		diag_err(d, n ? in[0].path : o->nroots ? o->roots[0]
			 : "pydeps", "no readable trace or module tree");
		if (w->n > warn0)
			*d = w->v[w->n - 1];   /* the reason, with its path */
		goto out;
	}
	build_groups(&s);
	if (o->scan_all)
		pyscan_list(&s, NULL, 0, o->threads, w);

	/* classify: with scripts and no trace (modulefinder's question)
	 * nothing ran, so strings in statically reachable modules are the only
	 * evidence of loading by name */
	pycl_init(&c, &s);
	c.strings_from_reach = !ntr;
	mark_used(&c, tr, ntr);
	add_scripts(&c, o, tr, ntr, w);
	if (!c.nq) {
		s.no_evidence = true;
		if (ntr || o->nscripts)
			diag_warn_at(w, s.nroots ? s.roots[0].path : "pydeps", 0,
				     "no traced or script module lies under the roots given (%s): "
				     "nothing is known to be used there, so no module is offered for deletion",
				     s.nroots ? "check --root" : "no --root");
		else
			diag_warn_at(w, s.nroots ? s.roots[0].path : "pydeps", 0,
				     "no trace and no script: nothing is known to be used, "
				     "so no module is offered for deletion");
	}
	/* what recorded runs opened and loaded: native libraries nothing
	 * loads are offered (likely) from a record trace alone, data files
	 * with --prune-data too */
	s.prune_data = o->prune_data;
	opened_files(&s, tr, ntr);
	pycl_closure(&c, o->threads, w);
	pycl_subtrees(&c);

	/* emit, then native: the ELF analyzer adds lib nodes for kept
	 * extension modules */
	pyemit(g, &c, tr, ntr, w);
	if (!o->no_elf && r->elf_closure)
		native(g, &s, r);
	GRAPH_DEBUG_CHECK(g);
	rc = 0;
out:
	if (rc)
		diag_warn(errs, d);
	pycl_free(&c);
	for (size_t i = 0; i < ntr; i++)
		pytrace_free(&tr[i]);
	free(tr);
	free(iroots);
	pyset_free(&s);
	return rc;
}
