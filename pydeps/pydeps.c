/*
 * pydeps.c - pydeps_merge(): the Python analysis as one pipeline
 *
 *   read_traces   every trace file (trace.c), union of the used modules
 *   inventory     every module tree (inventory.c, dist.c, zip.c)
 *   classify      closure from the used set (classify.c), scanning the
 *                 static imports of each level's sources in parallel
 *                 (scan.c; --scan-all scans every source first)
 *   native        extension modules kept go to the ELF analyzer
 *   emit          nodes, edges, prune units and findings (emit.c)
 *
 * The design follows DESIGN.md "Python"; the only verdict that deletes
 * anything is `unreferenced`, and the end-to-end test proves the prune list
 * on real workloads by deleting it and rerunning them.
 */
#include "pydeps.h"
#include "pyint.h"
#include "classify.h"
#include "emit.h"
#include "../analyzers/elf/elf.h"
#include "../common/diag.h"
#include "../common/mfile.h"
#include "../common/util.h"
#include "../graph/graph.h"

#include <stdlib.h>
#include <string.h>

/* An unreadable trace is an error, not a warning: without it the used set
 * shrinks and the prune list would grow.  A trace that names no module is
 * a warning (it still yields a prune list, which the user should not
 * trust). */
static int read_traces(struct pyset *s, const struct pydeps_opts *o,
		       struct pytrace *tr, size_t *ntr, struct diag_list *w,
		       struct diag *d)
{
	for (size_t i = 0; i < o->ntraces; i++) {
		struct mfile mf;
		if (mfile_open(&mf, o->traces[i], d))
			return -1;
		pytrace_parse(&tr[*ntr], o->traces[i], (const char *)mf.p, mf.n,
			      &s->arena, w);
		if (!tr[*ntr].nmods)
			diag_warn_at(w, o->traces[i], 0, "trace names no module "
				     "(every module of the roots will look unused)");
		(*ntr)++;
		mfile_close(&mf);
	}
	return 0;
}

static const char *script_dir(struct pyset *s, const char *script)
{
	const char *sl = strrchr(script, '/');
	if (!sl)
		return ".";
	return arena_strndup(&s->arena, script, sl == script ? 1 : (size_t)(sl - script));
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

/* kept extension modules: their shared-library dependencies join g */
static void native(struct graph *g, struct pyset *s, struct diag_list *w)
{
	struct elf_opts eo = {0};
	eo.no_bind = true;
	struct elf_ctx *ec = elf_ctx_new(&eo);
	size_t failed = 0;
	struct diag first = {0};
	for (size_t f = 0; f < s->nfiles; f++) {
		struct pyfile *pf = &s->files[f];
		if (pf->kind != PYF_EXT || pf->mod < 0 ||
		    s->mods[pf->mod].cls == PYC_UNREF || s->mods[pf->mod].in_zip)
			continue;
		const char *root = NULL;
		struct diag d = {0};
		if (!ec || elf_analyze(ec, g, pf->path, &root, w, &d)) {
			if (!failed++)
				first = d;
			continue;
		}
		const char *from = graph_strf(g, "py:%s", s->mods[pf->mod].name);
		if (root && graph_node(g, from)) {
			struct gedge *e = graph_add_edge(g, from, root, "contains");
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
	if (ec)
		elf_ctx_free(ec);
}

int pydeps_merge(struct graph *g, const struct pydeps_opts *o,
		 struct diag_list *w, struct diag *d)
{
	struct pyset s = {0};
	s.arena.limit = 0;
	struct pytrace *tr = xcalloc(o->ntraces + 1, sizeof *tr);
	size_t ntr = 0;
	size_t warn0 = w->n + w->dropped;

	if (read_traces(&s, o, tr, &ntr, w, d)) {
		for (size_t i = 0; i < ntr; i++)
			pytrace_free(&tr[i]);
		free(tr);
		pyset_free(&s);
		return -1;
	}
	/* sys.path order: each script's directory, then the roots */
	const char **roots = xcalloc(o->nscripts + o->nroots + 1, sizeof *roots);
	for (size_t i = 0; i < o->nscripts; i++)
		roots[i] = script_dir(&s, o->scripts[i]);
	memcpy(roots + o->nscripts, o->roots, o->nroots * sizeof *roots);
	pydeps_inventory(&s, roots, o->nscripts + o->nroots, !o->no_auto_roots, w);
	free(roots);
	if (!ntr && !s.nroots) {
		int rc = diag_err(d, o->ntraces ? o->traces[0] :
				  o->nroots ? o->roots[0] : "pydeps",
				  "no readable trace or module tree");
		if (w->n + w->dropped > warn0 && w->n)
			*d = w->v[w->n - 1];
		free(tr);
		pyset_free(&s);
		return rc;
	}
	build_groups(&s);
	if (o->scan_all)
		pyscan_list(&s, NULL, 0, o->threads, w);

	struct pycl c;
	pycl_init(&c, &s);
	/* with scripts and no trace (modulefinder's question) nothing ran, so
	 * strings in statically reachable modules are the only evidence */
	c.strings_from_reach = !ntr;
	mark_used(&c, tr, ntr);
	for (size_t i = 0; i < o->nscripts; i++) {
		const char *b = path_base(o->scripts[i]);
		const char *dot = strrchr(b, '.');
		int mi = pyset_find(&s, b, dot ? (size_t)(dot - b) : strlen(b));
		if (mi >= 0)
			pycl_mark_used(&c, mi);
		else
			diag_warn_at(w, o->scripts[i], 0, "script is not a module of its directory");
	}
	pycl_closure(&c, o->threads, w);
	pycl_subtrees(&c);
	pyemit(g, &c, tr, ntr, w);
	if (!o->no_elf)
		native(g, &s, w);

	pycl_free(&c);
	for (size_t i = 0; i < ntr; i++)
		pytrace_free(&tr[i]);
	free(tr);
	pyset_free(&s);
	return 0;
}
