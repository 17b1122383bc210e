/*
 * classify.c - from the traces and the static references to a verdict per
 * module, and from the verdicts to what can be deleted.
 *
 * Reachability is a breadth-first closure (a queue, no recursion) from the
 * modules a trace saw, over every static reference except those under
 * `if TYPE_CHECKING` (they never run): imports at top level, inside
 * functions, inside try/except ImportError, literal import_module() /
 * __import__() names, literal prefixes, string literals naming a module,
 * entry-point groups named by a string, and each module's parent package
 * (importing a.b.c runs a and a.b first).  A module's class is the
 * strongest way it was reached: used > reachable > string-referenced >
 * native (an extension module reached only statically); what is never
 * reached is unreferenced, the only class that may be pruned.
 *
 * Prune units, largest first, so no path is listed twice: a distribution
 * all of whose modules are unreferenced (its package directories, module
 * files and its *.dist-info / *.egg-info); else a package directory whose
 * whole subtree is unreferenced; else a module's own files (source,
 * __pycache__ bytecode, extension).  Never pruned: __init__ and data files
 * of a kept package, .pth files and other files at a root, metadata of a
 * kept distribution, members of zip roots.
 */
#include "pyint.h"
#include "classify.h"
#include "../common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* longest prefix of name (at component boundaries) that is a module */
int pycl_longest(const struct pyset *s, const char *name)
{
	size_t len = strlen(name);
	for (;;) {
		int i = pyset_find(s, name, len);
		if (i >= 0)
			return i;
		const char *d = memrchr(name, '.', len);
		if (!d)
			return -1;
		len = d - name;
	}
}

static int cmp_mod_name(const void *a, const void *b, void *ctx)
{
	const struct pyset *s = ctx;
	return strcmp(s->mods[*(const int *)a].name, s->mods[*(const int *)b].name);
}

void pycl_init(struct pycl *c, struct pyset *s)
{
	memset(c, 0, sizeof *c);
	c->s = s;
	c->sorted = xcalloc(s->nmods + 1, sizeof *c->sorted);
	for (size_t i = 0; i < s->nmods; i++)
		c->sorted[i] = (int)i;
	qsort_r(c->sorted, s->nmods, sizeof *c->sorted, cmp_mod_name, s);
}

void pycl_free(struct pycl *c)
{
	free(c->later);
	free(c->sorted);
	free(c->queue);
}

/* every module named P or P.* */
static void each_under(const struct pycl *c, const char *p,
		       void (*fn)(void *, int, enum py_tag), void *ctx)
{
	const struct pyset *s = c->s;
	size_t lo = 0, hi = s->nmods, pl = strlen(p);
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(s->mods[c->sorted[mid]].name, p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < s->nmods; i++) {
		const char *nm = s->mods[c->sorted[i]].name;
		if (strncmp(nm, p, pl))
			break;
		if (nm[pl] == 0 || nm[pl] == '.' || (pl && p[pl - 1] == '.'))
			fn(ctx, c->sorted[i], PYT_PREFIX);
	}
}

void pycl_resolve(const struct pycl *c, const struct pyref *r,
		  void (*fn)(void *, int, enum py_tag), void *ctx)
{
	const struct pyset *s = c->s;
	if (r->tag == PYT_PREFIX) {
		each_under(c, r->name, fn, ctx);
		return;
	}
	if (r->tag == PYT_STRING) {
		int i = pyset_find(s, r->name, strlen(r->name));
		if (i >= 0)
			fn(ctx, i, PYT_STRING);
		for (size_t d = 0; d < s->ndists; d++)
			for (size_t e = 0; e < s->dists[d].nep; e++)
				if (!strcmp(s->dists[d].ep_group[e], r->name)) {
					int t = pycl_longest(s, s->dists[d].ep_target[e]);
					if (t >= 0)
						fn(ctx, t, PYT_ENTRY);
				}
		return;
	}
	int t = pycl_longest(s, r->name);
	if (t < 0)
		return;
	fn(ctx, t, r->tag);
	if (!r->from_import || strcmp(s->mods[t].name, r->name))
		return;
	char buf[2048];
	for (size_t k = 0; k < r->nsub; k++) {
		if ((size_t)snprintf(buf, sizeof buf, "%s.%s", r->name, r->sub[k]) >= sizeof buf)
			continue;
		int sub = pyset_find(s, buf, strlen(buf));
		if (sub >= 0)
			fn(ctx, sub, r->tag);
	}
}

struct reach {
	struct pycl *c;
	int from;
	enum py_class cls;      /* class of the module being expanded */
};

static void push(struct pycl *c, int i, enum py_class cls, int via)
{
	struct pymod *m = &c->s->mods[i];
	if (m->cls >= cls)
		return;
	m->cls = cls;
	m->via = via;
	GROW(c->queue, c->capq, c->nq + 1);
	c->queue[c->nq++] = i;
}

/* Import edges carry the expanding module's class (capped at reachable);
 * strings and entry-point groups count only from a used module (the
 * issue's rule: a plugin group named in code that ran).  Expanding all
 * reachable modules before any string-referenced one makes each module's
 * class final when first expanded, so `via` never forms a cycle. */
static void reach_cb(void *ctx, int t, enum py_tag tag)
{
	struct reach *r = ctx;
	if (tag == PYT_TYPECHECK)
		return;
	if (tag == PYT_STRING || tag == PYT_ENTRY) {
		bool from = r->cls == PYC_USED ||
			    (r->c->strings_from_reach && r->cls == PYC_REACH);
		if (from && r->c->s->mods[t].cls < PYC_STRING) {
			GROW(r->c->later, r->c->caplater, r->c->nlater + 2);
			r->c->later[r->c->nlater++] = t;
			r->c->later[r->c->nlater++] = r->from;
		}
		return;
	}
	push(r->c, t, r->cls == PYC_USED ? PYC_REACH : r->cls, r->from);
}

void pycl_mark_used(struct pycl *c, int i)
{
	push(c, i, PYC_USED, -1);
}

static void expand(struct pycl *c, int threads, struct diag_list *w)
{
	struct pyset *s = c->s;
	while (c->done < c->nq) {
		size_t end = c->nq;
		pyscan_list(s, c->queue + c->done, end - c->done, threads, w);
		for (; c->done < end; c->done++) {
			int u = c->queue[c->done];
			struct pymod *m = &s->mods[u];
			struct reach r = {c, u, m->cls};
			if (m->parent >= 0)
				push(c, m->parent, m->cls == PYC_USED ? PYC_REACH : m->cls, u);
			for (size_t k = 0; k < m->nrefs; k++)
				pycl_resolve(c, &m->refs[k], reach_cb, &r);
		}
	}
}

void pycl_closure(struct pycl *c, int threads, struct diag_list *w)
{
	expand(c, threads, w);           /* used and reachable */
	for (size_t k = 0; k + 1 < c->nlater; k += 2)
		push(c, c->later[k], PYC_STRING, c->later[k + 1]);
	expand(c, threads, w);           /* string-referenced */
}

/* subtree flags and bytes: parents precede children in s->mods */
void pycl_subtrees(struct pycl *c)
{
	struct pyset *s = c->s;
	for (size_t i = 0; i < s->nmods; i++) {
		s->mods[i].tree_bytes = s->mods[i].bytes;
		s->mods[i].subtree_kept = s->mods[i].cls != PYC_UNREF;
	}
	for (size_t i = s->nmods; i-- > 0;) {
		struct pymod *m = &s->mods[i];
		if (m->parent < 0)
			continue;
		s->mods[m->parent].tree_bytes += m->tree_bytes;
		s->mods[m->parent].subtree_kept |= m->subtree_kept;
	}
	for (size_t d = 0; d < s->ndists; d++)
		s->dists[d].kept = false;
	/* a distribution is kept when any of its modules is, or when it has
	 * none in the inventory (nothing proves it unused) */
	bool *has = xcalloc(s->ndists + 1, sizeof *has);
	for (size_t i = 0; i < s->nmods; i++) {
		struct pymod *m = &s->mods[i];
		if (m->dist < 0)
			continue;
		has[m->dist] = true;
		if (m->subtree_kept || m->in_zip)
			s->dists[m->dist].kept = true;
	}
	for (size_t d = 0; d < s->ndists; d++)
		if (!has[d])
			s->dists[d].kept = true;
	free(has);
}
