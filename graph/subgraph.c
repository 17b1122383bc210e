/*
 * subgraph.c - graphs made from parts of one (see subgraph.h): node subsets
 * for --focus and baselines, and the collapsed view that keeps a picture of
 * thousands of nodes readable (archive members into archives, Python
 * modules into top-level packages, GPU entries into archs).
 *
 * The grouping follows the node-id grammar of DESIGN.md ("obj:AR(MEMBER)",
 * "sec:OBJ:SECTION", "gpu:FILE:ARCH:N", "kern:FILE:ARCH:NAME", "py:A.B",
 * "sym:LIB:NAME"); ids it does not recognize stay as they are.  All passes
 * are linear in nodes + edges (one id map per graph).
 */
#include "subgraph.h"
#include "../common/util.h"
#include "ids.h"
#include "why.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_node(struct graph *dst, const struct gnode *n, bool attrs)
{
	struct gnode *m = graph_add_node(dst, n->kind, n->id, n->name);
	if (n->has_size)
		graph_node_set_size(m, n->size);
	if (attrs && n->attrs)
		m->attrs = json_deep_copy(n->attrs);
}

void subgraph_copy(const struct graph *src, struct graph *dst,
		   const bool *keep, bool attrs)
{
	for (size_t i = 0; i < src->nnodes; i++)
		if (keep[i])
			copy_node(dst, src->nodes[i], attrs);
	for (size_t i = 0; i < src->nedges; i++) {
		const struct gedge *e = &src->edges[i];
		if (!keep[e->from] || !keep[e->to])
			continue;
		struct gedge *f = graph_add_edge(dst, src->nodes[e->from]->id,
						 src->nodes[e->to]->id, e->kind);
		if (attrs && e->attrs && !f->attrs)
			f->attrs = json_deep_copy(e->attrs);
	}
	for (size_t i = 0; i < src->nfindings; i++) {
		const struct gfinding *f = &src->findings[i];
		if (!graph_node(dst, f->node) ||
		    (f->dependent && !graph_node(dst, f->dependent)))
			continue;
		struct gfinding *h = graph_add_finding(dst, f->kind, f->node,
			f->dependent, f->bytes, f->confidence, f->reason, f->fix);
		if (f->attrs)
			h->attrs = json_deep_copy(f->attrs);
	}
	for (size_t i = 0; i < src->ninputs; i++) {
		const struct ginput *in = &src->inputs[i];
		const char *node = in->node && graph_node(dst, in->node) ? in->node : NULL;
		struct ginput *o = graph_add_input(dst, in->path, in->kind, node);
		memcpy(o->sha256, in->sha256, sizeof o->sha256);
	}
	if (src->totals && attrs) {
		json_decref(dst->totals);
		dst->totals = json_deep_copy(src->totals);
	}
}

/*
 * Keep every node on a shortest path from the roots to t (the paths `slim
 * why` prints): walking in-edges back from t, u before x is on one when
 * dist(u) + 1 == dist(x) in the BFS from all roots.  q: nnodes + 1 slots.
 */
static void keep_why_paths(const struct graph *g, const struct gnode *t,
			   bool *keep, uint32_t *q)
{
	struct why_bfs w;
	why_bfs_init(&w, g);
	bool *on = xcalloc(g->nnodes + 1, sizeof *on);
	size_t head = 0, tail = 0;
	if (w.dist[t->idx] != UINT32_MAX) {
		on[t->idx] = true;
		q[tail++] = t->idx;
	}
	while (head < tail) {
		uint32_t x = q[head++];
		keep[x] = true;
		for (uint32_t k = w.rev.off[x]; k < w.rev.off[x + 1]; k++) {
			uint32_t u = g->edges[w.rev.edge[k]].from;
			if (!on[u] && w.dist[u] != UINT32_MAX && w.dist[u] + 1 == w.dist[x]) {
				on[u] = true;
				q[tail++] = u;
			}
		}
	}
	free(on);
	why_bfs_free(&w);
}

void subgraph_focus(const struct graph *src, struct graph *dst,
		    const struct gnode *center, unsigned depth)
{
	size_t n = src->nnodes;
	bool *keep = xcalloc(n + 1, sizeof *keep);
	uint32_t *dist = xmalloc((n + 1) * sizeof *dist), *q = xmalloc((n + 1) * sizeof *q);
	memset(dist, 0xff, (n + 1) * sizeof *dist);
	struct gadj out, in;
	graph_adj_build(src, &out, false);
	graph_adj_build(src, &in, true);
	size_t head = 0, tail = 0;
	dist[center->idx] = 0;
	q[tail++] = center->idx;
	while (head < tail) {
		uint32_t u = q[head++];
		keep[u] = true;
		if (dist[u] >= depth)
			continue;
		for (int side = 0; side < 2; side++) {
			const struct gadj *a = side ? &in : &out;
			for (uint32_t k = a->off[u]; k < a->off[u + 1]; k++) {
				const struct gedge *e = &src->edges[a->edge[k]];
				uint32_t v = side ? e->from : e->to;
				if (dist[v] == UINT32_MAX) {
					dist[v] = dist[u] + 1;
					q[tail++] = v;
				}
			}
		}
	}
	keep_why_paths(src, center, keep, q);
	subgraph_copy(src, dst, keep, true);
	graph_adj_free(&out);
	graph_adj_free(&in);
	free(keep);
	free(dist);
	free(q);
}

void subgraph_baseline(const struct graph *src, struct graph *dst)
{
	bool *keep = xcalloc(src->nnodes + 1, sizeof *keep);
	for (size_t i = 0; i < src->nnodes; i++)
		keep[i] = strcmp(src->nodes[i]->kind, NK_SYMBOL) != 0;
	subgraph_copy(src, dst, keep, false);
	free(keep);
}

/* "LIB:ARCH" prefix of "gpu:LIB:ARCH:N" / "kern:LIB:ARCH:NAME": the part up
 * to the second ':' after the kind prefix. */
static bool gpu_group(const char *rest, char *out, size_t outsz)
{
	const char *c1 = strchr(rest, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2)
		return false;
	snprintf(out, outsz, "gpu:%.*s", (int)(c2 - rest), rest);
	return true;
}

/* "libz.a" of "libz.a(inflate.o)...", or NULL */
static bool archive_group(const char *rest, char *out, size_t outsz)
{
	const char *p = strchr(rest, '(');
	if (!p || p == rest || !strchr(p, ')'))
		return false;
	snprintf(out, outsz, "archive:%.*s", (int)(p - rest), rest);
	return true;
}

bool subgraph_group_of(const struct gnode *n, char *out, size_t outsz,
		       const char **kind, bool *adds_size)
{
	const char *id = n->id, *rest = strchr(id, ':') + 1;
	*adds_size = false;
	if (!strncmp(id, "obj:", 4)) {
		*kind = "archive";
		*adds_size = true;
		return archive_group(rest, out, outsz);
	}
	if (!strncmp(id, "sec:", 4)) {
		if (archive_group(rest, out, outsz)) {
			*kind = "archive";
			return true;
		}
		const char *c = strrchr(rest, ':');
		if (!c)
			return false;
		*kind = "object";
		snprintf(out, outsz, "obj:%.*s", (int)(c - rest), rest);
		return true;
	}
	if (!strncmp(id, "py:", 3)) {
		*kind = "package";
		*adds_size = true;
		snprintf(out, outsz, "py:%.*s", (int)strcspn(rest, "."), rest);
		return true;
	}
	if (!strncmp(id, "gpu:", 4) || !strncmp(id, "kern:", 5)) {
		*kind = "gpu-arch";
		*adds_size = id[0] == 'g';
		return gpu_group(rest, out, outsz);
	}
	if (!strncmp(id, "sym:", 4)) {
		const char *c = strchr(rest, ':');
		if (!c)
			return false;
		*kind = "lib";
		snprintf(out, outsz, "lib:%.*s", (int)(c - rest), rest);
		return true;
	}
	return false;
}

bool subgraph_group_in(const struct graph *g, const struct gnode *n,
		       char *out, size_t outsz, const char **kind,
		       bool *adds_size)
{
	static const char *const files[] = {"lib:", "exe:"};
	if (!subgraph_group_of(n, out, outsz, kind, adds_size))
		return false;
	if (strncmp(out, "obj:", 4) || graph_node(g, out))
		return true;
	char alt[1024];
	for (size_t i = 0; i < 2; i++) {
		snprintf(alt, sizeof alt, "%s%s", files[i], out + 4);
		struct gnode *f = graph_node(g, alt);
		if (f) {
			snprintf(out, outsz, "%s", alt);
			*kind = f->kind;
			return true;
		}
	}
	return true;
}

/* Map every node of src to its node in dst (itself or its group). */
static struct gnode **collapse_nodes(const struct graph *src, struct graph *dst,
				     size_t *folded)
{
	size_t n = src->nnodes;
	struct gnode **map = xcalloc(n + 1, sizeof *map);
	bool *made = xcalloc(n + 1, sizeof *made);     /* by dst idx (<= n) */
	uint64_t *sum = xcalloc(n + 1, sizeof *sum);
	uint32_t *members = xcalloc(n + 1, sizeof *members);
	char gid[1024];
	const char *kind;
	bool adds;
	*folded = 0;
	for (size_t i = 0; i < n; i++)  /* kept nodes first: containers exist */
		if (!subgraph_group_in(src, src->nodes[i], gid, sizeof gid, &kind, &adds)) {
			copy_node(dst, src->nodes[i], true);
			map[i] = graph_node(dst, src->nodes[i]->id);
		}
	for (size_t i = 0; i < n; i++) {
		if (map[i] || !subgraph_group_in(src, src->nodes[i], gid, sizeof gid, &kind, &adds))
			continue;
		struct gnode *gn = graph_node(dst, gid);
		if (!gn) {
			gn = graph_add_node(dst, kind, gid, NULL);
			made[gn->idx] = true;
		}
		map[i] = gn;
		members[gn->idx]++;
		if (adds)
			sum[gn->idx] += src->nodes[i]->size;
		++*folded;
	}
	for (size_t i = 0; i < dst->nnodes; i++) {
		struct gnode *gn = dst->nodes[i];
		if (!members[i])
			continue;
		if (made[i] || !gn->has_size)
			graph_node_set_size(gn, made[i] ? sum[i] : gn->size + sum[i]);
		attr_int(graph_node_attrs(gn), "members", members[i]);
	}
	free(made);
	free(sum);
	free(members);
	return map;
}

/* Edges, findings and inputs of src moved onto the nodes map gives them in
 * dst (self-loops dropped, parallel edges merged). */
static void fold_rest(const struct graph *src, struct graph *dst,
		      struct gnode **map)
{
	for (size_t i = 0; i < src->nedges; i++) {
		const struct gedge *e = &src->edges[i];
		struct gnode *a = map[e->from], *b = map[e->to];
		if (a == b)
			continue;
		bool fresh = !graph_edge(dst, a->id, b->id, e->kind);
		struct gedge *f = graph_add_edge(dst, a->id, b->id, e->kind);
		if (fresh && e->attrs)
			f->attrs = json_deep_copy(e->attrs);
	}
	for (size_t i = 0; i < src->nfindings; i++) {
		const struct gfinding *f = &src->findings[i];
		struct gnode *a = graph_node(src, f->node);
		struct gnode *dep = f->dependent ? graph_node(src, f->dependent) : NULL;
		struct gfinding *h = graph_add_finding(dst, f->kind, map[a->idx]->id,
			dep ? map[dep->idx]->id : NULL, f->bytes, f->confidence,
			f->reason, f->fix);
		if (f->attrs)
			h->attrs = json_deep_copy(f->attrs);
		/* on a group: which member it is about (the HTML page's click) */
		if (map[a->idx] != a && strcmp(map[a->idx]->id, a->id))
			attr_str(graph_finding_attrs(h), "member", a->id);
	}
	for (size_t i = 0; i < src->ninputs; i++) {
		const struct ginput *in = &src->inputs[i];
		struct gnode *r = in->node ? graph_node(src, in->node) : NULL;
		struct ginput *o = graph_add_input(dst, in->path, in->kind,
						   r ? map[r->idx]->id : NULL);
		memcpy(o->sha256, in->sha256, sizeof o->sha256);
	}
}

size_t subgraph_collapse(const struct graph *src, struct graph *dst)
{
	size_t folded;
	struct gnode **map = collapse_nodes(src, dst, &folded);
	fold_rest(src, dst, map);
	free(map);
	return folded;
}

static const struct graph *cap_g;

static int cmp_size_desc(const void *a, const void *b)
{
	const struct gnode *x = cap_g->nodes[*(const uint32_t *)a];
	const struct gnode *y = cap_g->nodes[*(const uint32_t *)b];
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return strcmp(x->id, y->id);
}

size_t subgraph_cap(const struct graph *src, struct graph *dst, size_t max)
{
	size_t n = src->nnodes;
	uint32_t *order = xmalloc((n + 1) * sizeof *order);
	bool *keep = xcalloc(n + 1, sizeof *keep);
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	cap_g = src;
	qsort(order, n, sizeof *order, cmp_size_desc);
	for (size_t i = 0; i < src->ninputs; i++) {   /* roots always stay */
		struct gnode *r = src->inputs[i].node ? graph_node(src, src->inputs[i].node) : NULL;
		if (r)
			keep[r->idx] = true;
	}
	for (size_t i = 0; i < n && i < max; i++)
		keep[order[i]] = true;
	struct gnode **map = xcalloc(n + 1, sizeof *map);
	for (size_t i = 0; i < n; i++)
		if (keep[i]) {
			copy_node(dst, src->nodes[i], true);
			map[i] = graph_node(dst, src->nodes[i]->id);
		}
	size_t folded = 0;
	char id[256];
	for (size_t i = 0; i < n; i++) {
		if (keep[i])
			continue;
		snprintf(id, sizeof id, "other:%s", src->nodes[i]->kind);
		struct gnode *o = graph_node(dst, id);
		if (!o) {
			o = graph_add_node(dst, NK_OTHER, id, NULL);
			graph_node_set_size(o, 0);
		}
		graph_node_set_size(o, o->size + src->nodes[i]->size);
		attr_int(graph_node_attrs(o), "members",
			 attr_get_int(o->attrs, "members", 0) + 1);
		map[i] = o;
		folded++;
	}
	fold_rest(src, dst, map);
	free(map);
	free(keep);
	free(order);
	return folded;
}

/*
 * --collapse-by dir|dist|package (subgraph.h).  Every node gets a group
 * key; the nodes on one why-path (root .. finding, one shortest path, the
 * largest findings first) stay themselves while the budget allows, the
 * rest fold into their group.  Paths come from rule 2 of ids.h (KIND:PATH
 * inside a deployable; things inside a file use their owner's path) or
 * from a "path" attr; directory groups start at the top level and the
 * largest splits while the groups still fit (split_dirs(); a deployable is
 * "usr/..." all through, so the top level alone would be one node).
 */

/* Nodes on why-paths drawn as themselves at most (the largest findings'
 * paths; the rest ride on their groups): a readable picture, not 300. */
#define SUBGRAPH_KEEP_PATHS 60

/* Members of size: files and modules, not what lies inside a file. */
static bool is_contained(const struct gnode *n)
{
	return !strncmp(n->id, "sec:", 4) || !strncmp(n->id, "sym:", 4) ||
	       !strncmp(n->id, "gpu:", 4) || !strncmp(n->id, "kern:", 5);
}

/* The path a node lives at, into out: its id's PATH part when that has a
 * '/', else its "path" attr; false if neither. */
static bool node_path(const struct gnode *n, char *out, size_t outsz)
{
	const char *rest = strchr(n->id, ':');
	rest = rest ? rest + 1 : n->id;
	const char *slash = strchr(rest, '/');
	if (slash) {
		/* sec:/gpu:/kern:/sym: ids end in ":NAME" after the owner's path */
		size_t len = strlen(rest);
		const char *last = strrchr(rest, '/');
		const char *c = strchr(last, ':');
		if (c && strncmp(n->id, "lib:", 4) && strncmp(n->id, "exe:", 4) &&
		    strncmp(n->id, "obj:", 4) && strncmp(n->id, "file:", 5))
			len = (size_t)(c - rest);
		snprintf(out, outsz, "%.*s", (int)len, rest);
		return true;
	}
	const char *p = attr_get_str(n->attrs, "path");
	if (p && *p) {
		snprintf(out, outsz, "%s", p[0] == '/' ? p + 1 : p);
		return true;
	}
	return false;
}

/* An absolute module path inside the deployable `root` (an input of kind
 * "directory", maybe given relative): the part after "/BASENAME(root)/",
 * so modules group with the files of the same directory.  A heuristic for
 * the Python analyzer's absolute paths; out is left alone on no match. */
static void under_root(const struct graph *g, char *out, size_t outsz)
{
	char pat[512];
	for (size_t i = 0; i < g->ninputs; i++) {
		const struct ginput *in = &g->inputs[i];
		if (!in->kind || strcmp(in->kind, "directory") || !in->path)
			continue;
		size_t len = strlen(in->path);
		while (len > 1 && in->path[len - 1] == '/')
			len--;
		const char *b = in->path + len;
		while (b > in->path && b[-1] != '/')
			b--;
		snprintf(pat, sizeof pat, "/%.*s/", (int)(in->path + len - b), b);
		char tmp[1040];
		snprintf(tmp, sizeof tmp, "/%s", out);
		const char *hit = NULL;
		for (const char *q = strstr(tmp, pat); q; q = strstr(q + 1, pat))
			hit = q;
		if (hit) {
			snprintf(out, outsz, "%s", hit + strlen(pat));
			return;
		}
	}
}

/* "dir:A/B" of path "A/B/C/file" at depth 2 (never the file itself). */
static void dir_key(const char *path, unsigned depth, char *out, size_t outsz)
{
	const char *p = path, *end = path;
	for (unsigned d = 0; d < depth; d++) {
		const char *s = strchr(p, '/');
		if (!s)
			break;
		end = s;
		p = s + 1;
	}
	if (end == path)
		snprintf(out, outsz, "dir:/");
	else
		snprintf(out, outsz, "dir:%.*s", (int)(end - path), path);
}

/* The group key of n at directory depth `depth`, with its node kind; a
 * node with nothing to group by folds into "other:KIND". */
static void group_key(const struct graph *g, const struct gnode *n,
		      enum collapse_by by, unsigned depth, bool own_dir,
		      char *out, size_t outsz, const char **kind)
{
	char path[1024];
	const char *rest = strchr(n->id, ':') + 1;
	if (by == CB_DIST) {
		const char *d = attr_get_str(n->attrs, "distribution");
		if (!strncmp(n->id, "pydist:", 7)) {
			snprintf(out, outsz, "%s", n->id);
			*kind = NK_DIST;
			return;
		}
		if (d && *d) {
			snprintf(out, outsz, "pydist:%s", d);
			*kind = NK_DIST;
			return;
		}
	}
	if (by == CB_PACKAGE && !strncmp(n->id, "py:", 3)) {
		/* a top-level plain module (the stdlib has 200 of them) is no
		 * package: it goes with its distribution's other modules */
		const char *d = attr_get_str(n->attrs, "distribution");
		const json_t *pk = n->attrs ? json_object_get(n->attrs, "package") : NULL;
		if (!strchr(rest, '.') && !json_is_true(pk) && d && *d) {
			snprintf(out, outsz, "pydist:%s", d);
			*kind = NK_DIST;
			return;
		}
		snprintf(out, outsz, "py:%.*s", (int)strcspn(rest, "."), rest);
		*kind = "package";
		return;
	}
	if (node_path(n, path, sizeof path)) {
		if (!strncmp(n->id, "py:", 3))
			under_root(g, path, sizeof path);
		/* package: an ELF file's own directory (its package of
		 * libraries); other files as dir */
		bool elf = !strcmp(n->kind, NK_LIB) || !strcmp(n->kind, NK_EXE) ||
			   !strcmp(n->kind, NK_OBJECT) || is_contained(n);
		dir_key(path, by == CB_PACKAGE && elf && own_dir ? 64 : depth,
			out, outsz);
		*kind = "dir";
		return;
	}
	snprintf(out, outsz, "other:%s", n->kind);
	*kind = NK_OTHER;
}

/* Distinct group keys of all nodes, node i at directory depth dep[i]. */
static size_t count_groups(const struct graph *src, enum collapse_by by,
			   const unsigned *dep, bool own_dir)
{
	struct graph t;
	char key[1100];
	const char *kind;
	graph_init(&t);
	for (size_t i = 0; i < src->nnodes; i++) {
		group_key(src, src->nodes[i], by, dep[i], own_dir, key, sizeof key, &kind);
		if (!graph_node(&t, key))
			graph_add_node(&t, kind, key, NULL);
	}
	size_t n = t.nnodes;
	graph_free(&t);
	return n;
}

/*
 * Per-node directory depths: all start at 1 ("usr/"); the largest "dir:"
 * group whose members one level deeper still keep the total within
 * `limit` is split, again and again (64 splits at most).  A uniform depth
 * would leave a deployable as "usr/" (51,873 members) because
 * usr/include alone has 100 subdirectories.  Each try walks only the
 * group's members.
 */
static void split_dirs(const struct graph *src, enum collapse_by by,
		       unsigned *dep, size_t limit)
{
	size_t n = src->nnodes;
	char key[1100], key2[1100];
	const char *kind;
	struct graph t, tried;
	graph_init(&tried);
	uint32_t *gof = xmalloc((n + 1) * sizeof *gof);
	for (int round = 0; round < 64; round++) {
		graph_init(&t);
		for (size_t i = 0; i < n; i++) {
			group_key(src, src->nodes[i], by, dep[i], false, key, sizeof key, &kind);
			struct gnode *gn = graph_node(&t, key);
			if (!gn) {
				gn = graph_add_node(&t, kind, key, NULL);
				graph_node_set_size(gn, 0);
			}
			gn->size++;
			gof[i] = gn->idx;
		}
		size_t total = t.nnodes;
		struct gnode *best = NULL;
		for (size_t k = 0; k < t.nnodes; k++) {
			struct gnode *c = t.nodes[k];
			if (strncmp(c->id, "dir:", 4) || c->size < 2 || graph_node(&tried, c->id))
				continue;
			if (!best || c->size > best->size)
				best = c;
		}
		if (!best) {
			graph_free(&t);
			break;
		}
		struct graph kids;
		graph_init(&kids);
		bool deeper = false;
		for (size_t i = 0; i < n; i++) {
			if (gof[i] != best->idx)
				continue;
			group_key(src, src->nodes[i], by, dep[i] + 1, false, key2, sizeof key2, &kind);
			if (!graph_node(&kids, key2))
				graph_add_node(&kids, kind, key2, NULL);
			deeper |= strcmp(key2, best->id) != 0;
		}
		bool fits = deeper && total - 1 + kids.nnodes <= limit;
		if (fits) {
			for (size_t i = 0; i < n; i++)
				if (gof[i] == best->idx)
					dep[i]++;
		} else {
			graph_add_node(&tried, "dir", best->id, NULL);
		}
		graph_free(&kids);
		graph_free(&t);
	}
	graph_free(&tried);
	free(gof);
}

static const struct graph *fb_g;

static int cmp_finding_bytes(const void *a, const void *b)
{
	const struct gfinding *x = &fb_g->findings[*(const uint32_t *)a];
	const struct gfinding *y = &fb_g->findings[*(const uint32_t *)b];
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* Per finding (largest first) one shortest why-path, while at most
 * `budget` nodes are kept.  Not every root: in a deployable each plain file
 * is one (nothing points at it), and 200 headers side by side on the top
 * rank are neither readable nor a finding. */
static void keep_finding_paths(const struct graph *src, bool *keep,
			       size_t budget)
{
	struct why_bfs w;
	why_bfs_init(&w, src);
	size_t nkept = 0;
	for (size_t i = 0; i < src->ninputs && nkept < budget; i++) {
		/* the inputs' own nodes and the traces head the picture */
		const struct gnode *r = src->inputs[i].node ?
			graph_node(src, src->inputs[i].node) : NULL;
		if (r && !keep[r->idx]) {
			keep[r->idx] = true;
			nkept++;
		}
	}
	for (size_t i = 0; i < src->nnodes && nkept < budget; i++)
		if (!strcmp(src->nodes[i]->kind, NK_TRACE) && !keep[i]) {
			keep[i] = true;     /* a merged report keeps no input for it */
			nkept++;
		}
	uint32_t *order = xmalloc((src->nfindings + 1) * sizeof *order);
	uint32_t *path = xmalloc((src->nnodes + 1) * sizeof *path);
	for (size_t i = 0; i < src->nfindings; i++)
		order[i] = (uint32_t)i;
	fb_g = src;
	qsort(order, src->nfindings, sizeof *order, cmp_finding_bytes);
	for (size_t i = 0; i < src->nfindings && nkept < budget; i++) {
		const struct gnode *t = graph_node(src, src->findings[order[i]].node);
		size_t len = 0, fresh = 0;
		uint32_t x = t->idx;
		for (;;) {   /* back along one shortest path to a root */
			path[len++] = x;
			fresh += !keep[x];
			if (w.dist[x] == 0 || w.dist[x] == UINT32_MAX)
				break;
			uint32_t next = UINT32_MAX;
			for (uint32_t k = w.rev.off[x]; k < w.rev.off[x + 1]; k++) {
				uint32_t u = src->edges[w.rev.edge[k]].from;
				if (w.dist[u] != UINT32_MAX && w.dist[u] + 1 == w.dist[x]) {
					next = u;
					break;
				}
			}
			if (next == UINT32_MAX)
				break;
			x = next;
		}
		if (nkept + fresh > budget)
			continue;    /* does not fit: its finding rides on its group */
		for (size_t k = 0; k < len; k++)
			keep[path[k]] = true;
		nkept += fresh;
	}
	free(path);
	free(order);
	why_bfs_free(&w);
}

size_t subgraph_collapse_by(const struct graph *src, struct graph *dst,
			    enum collapse_by by, size_t max)
{
	size_t n = src->nnodes;
	unsigned *dep = xmalloc((n + 1) * sizeof *dep);
	for (size_t i = 0; i < n; i++)
		dep[i] = 1;
	/* directories split, largest first, while the groups leave most of
	 * the budget to the nodes on why-paths (a quarter: the groups sit
	 * side by side on few ranks, and more than ~75 there are a picture
	 * no one reads) */
	split_dirs(src, by, dep, max / 4);
	/* package: libraries by their own directory where those fit */
	bool own = by == CB_PACKAGE && count_groups(src, by, dep, true) <= max * 2 / 3;
	size_t ngroups = count_groups(src, by, dep, own);
	if (by == CB_PACKAGE && ngroups > max * 2 / 3 &&
	    count_groups(src, CB_DIST, dep, false) < ngroups) {
		/* thousands of top packages: their distributions instead */
		by = CB_DIST;
		ngroups = count_groups(src, by, dep, false);
	}
	bool *keep = xcalloc(n + 1, sizeof *keep);
	if (n <= max)
		memset(keep, 1, n * sizeof *keep);
	else
		keep_finding_paths(src, keep, max > ngroups ?
				   (max - ngroups < SUBGRAPH_KEEP_PATHS ?
				    max - ngroups : SUBGRAPH_KEEP_PATHS) : 0);
	struct gnode **map = xcalloc(n + 1, sizeof *map);
	for (size_t i = 0; i < n; i++)
		if (keep[i]) {
			copy_node(dst, src->nodes[i], true);
			map[i] = graph_node(dst, src->nodes[i]->id);
		}
	/* per dst node: members, summed size, findings and their bytes */
	size_t cap = n + 1;
	uint64_t *sum = xcalloc(cap, sizeof *sum), *fbytes = xcalloc(cap, sizeof *fbytes);
	uint32_t *members = xcalloc(cap, sizeof *members), *nfind = xcalloc(cap, sizeof *nfind);
	json_t **ids = xcalloc(cap, sizeof *ids);
	char key[1100];
	const char *kind;
	size_t folded = 0;
	for (size_t i = 0; i < n; i++) {
		if (keep[i])
			continue;
		const struct gnode *m = src->nodes[i];
		group_key(src, m, by, dep[i], own, key, sizeof key, &kind);
		struct gnode *gn = graph_node(dst, key);
		if (!gn) {
			/* names say what a group is: "usr/lib/", "other module
			 * nodes", the package or distribution itself */
			const char *colon = strchr(key, ':') + 1;
			char name[1200];
			if (!strncmp(key, "dir:", 4))
				snprintf(name, sizeof name, "%s%s", colon,
					 strcmp(colon, "/") ? "/" : "");
			else if (!strncmp(key, "other:", 6))
				snprintf(name, sizeof name, "other %s nodes", colon);
			else
				snprintf(name, sizeof name, "%s", colon);
			gn = graph_add_node(dst, kind, key, name);
		}
		map[i] = gn;
		if (!ids[gn->idx])
			ids[gn->idx] = json_array();
		json_array_append_new(ids[gn->idx], json_string(m->id));
		members[gn->idx]++;
		if (!is_contained(m))
			sum[gn->idx] += m->size;
		folded++;
	}
	for (size_t i = 0; i < src->nfindings; i++) {
		const struct gnode *a = graph_node(src, src->findings[i].node);
		uint32_t k = map[a->idx]->idx;
		if (!keep[a->idx]) {
			nfind[k]++;
			fbytes[k] += src->findings[i].bytes;
		}
	}
	for (size_t i = 0; i < dst->nnodes; i++) {
		struct gnode *gn = dst->nodes[i];
		if (!members[i])
			continue;
		/* a kept pydist node that also takes its modules keeps its size */
		graph_node_set_size(gn, (gn->has_size ? gn->size : 0) + sum[i]);
		json_t *at = graph_node_attrs(gn);
		attr_int(at, "members", members[i]);
		attr_int(at, "member_findings", nfind[i]);
		attr_int(at, "member_finding_bytes", (long long)fbytes[i]);
		json_object_set_new(at, "member_ids", ids[i]);
		ids[i] = NULL;
		attr_str(at, "collapsed_by", by == CB_DIST ? "dist" :
			 by == CB_PACKAGE ? "package" : "dir");
	}
	fold_rest(src, dst, map);
	for (size_t i = 0; i < cap; i++)
		json_decref(ids[i]);
	free(ids);
	free(sum);
	free(fbytes);
	free(members);
	free(nfind);
	free(map);
	free(keep);
	free(dep);
	return folded;
}
