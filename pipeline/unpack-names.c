/*
 * unpack-names.c - an archive or image is analyzed in a private directory
 * (deploy_unpack(): /tmp/slim-unpack.XXXXXX), but what slim says about it
 * names paths inside the deployable, never that directory: the analyzers
 * below the tree (the ELF search's "tried" lists, a closure's error, a
 * module's path) are given host paths to open, so once the tree is done
 * every string of the graph and every warning is rewritten here.
 *
 *   graph      node names and attrs, edge attrs, findings' reasons, fixes
 *              and attrs, the inputs' paths, the totals: the directory's
 *              prefix dropped, so "/tmp/slim-unpack.X/usr/lib/libz.so.1"
 *              reads "/usr/lib/libz.so.1", the path inside the root
 *   warnings   a diagnostic's file under the directory becomes
 *              "NAME:PATH" (the archive the user named, then the member's
 *              path inside it: "app.tar:usr/lib/libz.so.1"); its message
 *              is rewritten as the graph's strings are
 *
 * One pass over the graph's strings after deploy_tree() (linear in its
 * size); strings without the prefix are left as they are.
 */
#include "unpack.h"
#include "../common/buf.h"
#include "../common/diag.h"
#include "../common/util.h"
#include "../graph/graph.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct prefixes {
	const char *p[2];      /* the directory as made, and its real path */
	size_t n[2];
};

/* s with every prefix dropped ("/" where the directory itself is named);
 * NULL when s holds none */
static char *strip(const struct prefixes *x, const char *s)
{
	if (!s || (!strstr(s, x->p[0]) && (!x->n[1] || !strstr(s, x->p[1]))))
		return NULL;
	struct buf b = BUF_INIT;
	for (;;) {
		const char *hit = NULL;
		size_t k = 0;
		for (int j = 0; j < 2; j++) {
			const char *h = x->n[j] ? strstr(s, x->p[j]) : NULL;
			if (h && (!hit || h < hit))
				hit = h, k = x->n[j];
		}
		if (!hit) {
			buf_puts(&b, s);
			break;
		}
		buf_add(&b, s, (size_t)(hit - s));
		s = hit + k;
		if (*s != '/')
			buf_putc(&b, '/');
	}
	return buf_detach(&b);
}

static const char *strip_interned(struct graph *g, const struct prefixes *x, const char *s)
{
	char *t = strip(x, s);
	if (!t)
		return s;
	const char *r = graph_str(g, t);
	free(t);
	return r;
}

static void strip_json(const struct prefixes *x, json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;
	if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			strip_json(x, v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			strip_json(x, v);
	} else if (json_is_string(j)) {
		char *t = strip(x, json_string_value(j));
		if (t)
			json_string_set(j, t);
		free(t);
	}
}

static void strip_diags(const struct prefixes *x, struct diag_list *l, size_t from,
			const char *name)
{
	for (size_t i = from; l && i < l->n; i++) {
		struct diag *d = &l->v[i];
		for (int j = 0; j < 2; j++) {
			size_t n = x->n[j];
			if (n && !strncmp(d->file, x->p[j], n) && (!d->file[n] || d->file[n] == '/')) {
				char f[sizeof d->file];
				snprintf(f, sizeof f, "%s:%s", name,
					 d->file[n] ? d->file + n + 1 : "");
				memcpy(d->file, f, sizeof f);
				break;
			}
		}
		char *m = strip(x, d->msg);
		if (m)
			snprintf(d->msg, sizeof d->msg, "%s", m);
		free(m);
	}
}

void unpack_rename(struct graph *g, const char *dir, const char *name,
		   struct diag_list *w, size_t wfrom, struct diag_list *errs,
		   size_t efrom)
{
	char *real = realpath(dir, NULL);
	struct prefixes x = {{dir, real}, {strlen(dir), real && strcmp(real, dir) ? strlen(real) : 0}};
	for (size_t i = 0; i < g->nnodes; i++) {
		g->nodes[i]->name = strip_interned(g, &x, g->nodes[i]->name);
		strip_json(&x, g->nodes[i]->attrs);
	}
	for (size_t i = 0; i < g->nedges; i++)
		strip_json(&x, g->edges[i].attrs);
	for (size_t i = 0; i < g->nfindings; i++) {
		struct gfinding *f = &g->findings[i];
		f->reason = strip_interned(g, &x, f->reason);
		f->fix = strip_interned(g, &x, f->fix);
		strip_json(&x, f->attrs);
	}
	for (size_t i = 0; i < g->ninputs; i++)
		g->inputs[i].path = strip_interned(g, &x, g->inputs[i].path);
	strip_json(&x, g->totals);
	strip_diags(&x, w, wfrom, name);
	strip_diags(&x, errs, efrom, name);
	free(real);
}
