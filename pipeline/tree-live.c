/*
 * tree-live.c - what in a deployable is live, and the shared objects
 * nothing live loads (`orphan-library`, issue #14).
 *
 *   roots     --entry PATH (inside the root; a leading "/" allowed): an
 *             ELF file, or a Python script (pydeps' static question from
 *             it, and the interpreter its #! line names); without any
 *             every ELF program of the tree (conservative).  With a trace
 *             or a script pydeps judges the Python trees (tree_python())
 *             and kept modules' extension modules are live through its
 *             contains edges; without, no Python module is judged and
 *             every extension module is a root
 *   analyze   each root through the ELF analyzer with sysroot = the
 *             root (its ld.so.cache, default dirs, RUNPATH/$ORIGIN; the
 *             host is never consulted), ids by path (elf_opts.path_of)
 *   live      breadth-first from the roots over needs and dlopens edges
 *   strings   every live ELF object (its loaded data and string sections:
 *             tree-scan.c) and every Python file is scanned for
 *             the names a dlopen could use: a candidate library's SONAME,
 *             file name, or the name of a symlink to it (libfoo.so ->
 *             libfoo.so.1.2).  Tokens are maximal runs of the characters
 *             a file name holds ([A-Za-z0-9._+-]), so "/usr/lib/libfoo.so.1"
 *             names libfoo.so.1; a token with a glob or printf wildcard
 *             and a literal prefix of 4+ characters is a pattern
 *             ("libcudnn*.so*", "libnvrtc-builtins.so.%d.%d") that keeps
 *             every file name it matches (fnmatch).  A library named so is kept (a dlopens
 *             edge with the string as evidence) and analyzed as a root in
 *             turn, until nothing new is named
 *   gconv     glibc's iconv loads the modules its configuration names
 *             (DIR/gconv-modules and DIR/gconv-modules.d/NAME.conf, "module
 *             FROM TO FILE [COST]", FILE relative to DIR, ".so" added):
 *             once libc.so.6 is live each module so named is kept by a
 *             dlopens edge from libc (evidence "config"); a path read
 *             from a data file, which no string shows
 *   traces    a record trace's "load" lines (every shared object mapped
 *             at exit, or dlopen'd): each file of the tree it names is
 *             kept by a dlopens edge from the trace and analyzed as a
 *             root (a name computed at run time is seen this way only)
 *   data      --prune-data with a record trace: data files outside the
 *             Python trees that no recorded run opened (`unopened-data`,
 *             likely)
 *   orphans   a shared object outside the Python trees still not live:
 *             `likely` (a computed name or a path read from a data file
 *             is not seen), the reason says what was searched
 */
#include "tree-int.h"
#include "tree-scan.h"
#include "../common/buf.h"
#include "../common/diag.h"
#include "../common/filetype.h"
#include "../common/mfile.h"
#include "../common/run.h"
#include "../common/util.h"
#include "../graph/graph.h"
#include "../graph/ids.h"
#include "../analyzers/elf/slim-elf.h"
#include "../pydeps/pydeps.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

struct names {                 /* candidate names -> files */
	struct hmap map;       /* name -> first entry + 1 */
	const char **name;
	uint32_t *file, *next; /* entries */
	size_t n, cap;
};

static void add_root(struct tree *t, size_t i)
{
	if (t->f[i].root)
		return;
	t->f[i].root = true;
	GROW(t->roots, t->caproots, t->nroots + 1);
	t->roots[t->nroots++] = t->f[i].id;
}

/* one root through the ELF analyzer; a file it cannot read stays in the
 * inventory with its error, a warning */
static void analyze(struct tree *t, struct graph *g, const struct run *r, size_t i)
{
	struct diag d = {0};
	const char *id = NULL;
	if (r->elf_closure(r, g, tree_full(t, &t->f[i]), &id, &d)) {
		diag_warn(r->w, &d);
		attr_str(graph_node_attrs(graph_node(g, t->f[i].id)), "error", d.msg);
	}
}

/* The program a script's #! line names, inside the tree (index + 1, or
 * 0): "#!/usr/bin/python3.11", or "#!/usr/bin/env [-S] python3" looked
 * up in usr/local/bin, usr/bin and bin as env would on a default PATH. */
static size_t shebang(struct tree *t, const struct tfile *f)
{
	char h[256], name[128], cand[160];
	int fd = openat(t->rootfd, f->rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : pread(fd, h, sizeof h - 1, 0);
	if (fd >= 0)
		close(fd);
	if (n < 3 || h[0] != '#' || h[1] != '!')
		return 0;
	h[n] = 0;
	h[strcspn(h, "\n")] = 0;
	char *save = NULL, *prog = strtok_r(h + 2, " \t", &save);
	if (!prog)
		return 0;
	if (strcmp(path_base(prog), "env"))
		return tree_find(t, prog);
	char *w;
	while ((w = strtok_r(NULL, " \t", &save)) && w[0] == '-')
		;
	if (!w || strlen(w) >= sizeof name || strchr(w, '/'))
		return 0;
	snprintf(name, sizeof name, "%s", w);
	static const char *const dirs[] = {"usr/local/bin", "usr/bin", "bin"};
	for (size_t k = 0; k < 3; k++) {
		snprintf(cand, sizeof cand, "%s/%s", dirs[k], name);
		size_t i = tree_find(t, cand);
		if (i)
			return i;
	}
	return 0;
}

/* --entry naming a package's directory: what `python -m PKG` runs, its
 * __main__.py, else the package itself (__init__.py); index + 1, or 0 */
static size_t package_entry(struct tree *t, const char *dir)
{
	static const char *const f[] = {"__main__.py", "__init__.py"};
	size_t l = strlen(dir);
	while (l && dir[l - 1] == '/')
		l--;
	for (size_t k = 0; k < 2; k++) {
		size_t i = tree_find(t, arena_printf(&t->arena, "%.*s/%s", (int)l, dir, f[k]));
		if (i && t->f[i - 1].cat == TC_PY)
			return i;
	}
	return 0;
}

/* --entry: an ELF program or library is a root; a Python script is one
 * for pydeps (modulefinder's question: what it imports, statically), and
 * the interpreter its #! line names is an ELF root */
static int entries(struct tree *t, const struct deploy_opts *o,
		   struct diag_list *errs)
{
	int rc = 0;
	for (size_t k = 0; k < o->nentries; k++) {
		struct diag d = {0};
		size_t i = tree_find(t, o->entries[k]);
		if (!i)
			i = package_entry(t, o->entries[k]);
		if (!i) {
			diag_err(&d, t->name, "--entry %s: no such file inside the tree", o->entries[k]);
		} else if (t->f[i - 1].cat == TC_PY) {
			GROW(t->scripts, t->capscripts, t->nscripts + 1);
			t->scripts[t->nscripts++] = tree_full(t, &t->f[i - 1]);
			size_t p = shebang(t, &t->f[i - 1]);
			if (p && t->f[p - 1].cat == TC_ELF)
				add_root(t, p - 1);
			continue;
		} else if (t->f[i - 1].type != FT_ELF_EXEC && t->f[i - 1].type != FT_ELF_DYN) {
			diag_err(&d, t->name, "--entry %s: neither an ELF program or library nor a Python script",
				 o->entries[k]);
		} else {
			add_root(t, i - 1);
			continue;
		}
		diag_warn(errs, &d);
		rc = -1;
	}
	return rc;
}

/* --py-trace inside the tree: pydeps over the Python trees the walk
 * found, the traces mapped here (the pipeline leaves them to the tree) */
static int tree_python(struct tree *t, struct graph *g, const struct run *r,
		       struct diag_list *errs)
{
	struct pydeps_opts po = r->py ? *r->py : (struct pydeps_opts){0};
	struct run pr = *r;
	size_t nt = po.ntraces;
	struct mfile *mf = xcalloc(nt + 1, sizeof *mf);
	struct input *in = xcalloc(nt + 1, sizeof *in);
	const char **roots = xcalloc(t->npytrees + 1, sizeof *roots);
	int rc = 0;
	for (size_t i = 0; i < t->npytrees; i++)
		roots[i] = t->pytrees[i][0] ? arena_printf(&t->arena, "%s/%s", t->dir, t->pytrees[i])
					    : t->dir;   /* a wheel: the root */
	po.roots = roots;
	po.nroots = t->npytrees;
	po.trace_root = t->dir;   /* traces are recorded inside the tree */
	po.scripts = t->scripts;
	po.nscripts = t->nscripts;
	po.store = tree_fcache_store(t);   /* sources scanned in earlier runs */
	pr.py = &po;
	for (size_t i = 0; i < nt; i++) {
		struct diag d = {0};
		if (mfile_open(&mf[i], po.traces[i], &d)) {
			diag_warn(errs, &d);
			rc = -1;
		}
		in[i] = (struct input){po.traces[i], mf[i].p, mf[i].n,
				       filetype_detect(mf[i].p, mf[i].n), NULL};
	}
	/* an unreadable trace stops the Python analysis: without it the
	 * used set shrinks and the prune list would grow */
	if (!rc && t->npytrees && pydeps_merge(g, in, nt, &pr, errs))
		rc = -1;
	for (size_t i = 0; i < nt; i++)
		mfile_close(&mf[i]);
	free(mf);
	free(in);
	free(roots);
	return rc;
}

/* ---- what a recorded run loaded ---- */

struct loads {
	struct tree *t;
	struct graph *g;
	const char *trace;     /* its path */
	const char *from;      /* its node, made on its first load */
};

/* A path the traced process loaded, as a file of the tree: recorded in
 * a chroot of the tree it is the path inside it ("/usr/lib/..."); a run
 * outside names the tree's own directory first. */
static size_t loaded_file(struct tree *t, const char *p)
{
	size_t dl = strlen(t->dir), rl = strlen(t->real);
	if (!strncmp(p, t->real, rl) && p[rl] == '/')
		p += rl;
	else if (!strncmp(p, t->dir, dl) && p[dl] == '/')
		p += dl;
	return *p == '/' ? tree_find(t, p) : 0;
}

/* The node of the trace at path: pydeps' (tree_python() ran), else one
 * made here. */
static const char *trace_node(struct graph *g, const char *path)
{
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct gnode *n = g->nodes[i];
		const char *p = strcmp(n->kind, NK_TRACE) ? NULL : attr_get_str(n->attrs, "path");
		if (p && !strcmp(p, path))
			return n->id;
	}
	const char *id = ids_trace(g, path, 1);
	for (int k = 2; graph_node(g, id); k++)
		id = ids_trace(g, path, k);
	attr_str(graph_node_attrs(graph_add_node(g, NK_TRACE, id, NULL)), "path", path);
	return id;
}

static void on_file(void *ctx, const char *path, bool loaded)
{
	struct loads *c = ctx;
	size_t i = loaded_file(c->t, path);
	struct tfile *f = i ? &c->t->f[i - 1] : NULL;
	if (f)
		f->opened = true;
	/* extension modules: pydeps keeps those its kept modules load */
	if (!f || !loaded || f->cat != TC_ELF || f->pytree)
		return;
	if (!c->from)
		c->from = trace_node(c->g, c->trace);
	/* a shared object the run loaded: dlopens (#14); the program that
	 * ran (mapped too): loads, as a trace's modules */
	const char *kind = f->type == FT_ELF_EXEC ? EK_LOADS : EK_DLOPENS;
	json_t *a = graph_edge_attrs(graph_add_edge(c->g, c->from, f->id, kind));
	attr_str(a, "analyzer", "tree");
	attr_str(a, "evidence", "trace");
	attr_str(a, "name", graph_str(c->g, path));
	f->named = true;
}

/* Every library named since the last call (by a trace, a string or a
 * configuration) becomes a root and is analyzed in turn. */
static void root_named(struct tree *t, struct graph *g, const struct run *r)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->f[i].named && !t->f[i].root) {
			add_root(t, i);
			analyze(t, g, r, i);
		}
}

/* Record traces name every shared object the run mapped (/proc/self/maps
 * at exit) or dlopen'd: each one of the tree is kept, by a dlopens edge
 * from the trace (evidence "trace"), and analyzed as a root, so that a
 * library loaded through a name computed at run time, which no string
 * shows, is no orphan when a recorded run saw it load.  Every file a
 * recorded run opened or mapped is marked opened (--prune-data). */
static void trace_loads(struct tree *t, struct graph *g, const struct run *r)
{
	size_t nt = r->py ? r->py->ntraces : 0;
	for (size_t k = 0; k < nt; k++) {
		struct mfile mf;
		struct diag d = {0};
		if (mfile_open(&mf, r->py->traces[k], &d))
			continue;   /* tree_python() said so */
		struct loads c = {t, g, r->py->traces[k], NULL};
		if (pydeps_trace_files(r->py->traces[k], mf.p, mf.n, on_file, &c))
			t->recorded = true;
		mfile_close(&mf);
	}
	root_named(t, g, r);
}

static void mark_live(struct tree *t, struct graph *g)
{
	struct gadj a;
	graph_adj_build(g, &a, false);
	bool *seen = xcalloc(g->nnodes + 1, 1);
	uint32_t *q = xcalloc(g->nnodes + 1, sizeof *q);
	size_t qh = 0, qt = 0;
	for (size_t i = 0; i < t->n; i++) {
		uint32_t n = t->f[i].node;
		if ((t->f[i].root || t->f[i].named) && !seen[n]) {
			seen[n] = true;
			q[qt++] = n;
		}
	}
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct gnode *n = g->nodes[i];
		const char *cls = strcmp(n->kind, NK_MODULE) ? NULL
				  : attr_get_str(n->attrs, "classification");
		if (cls && strcmp(cls, "unreferenced") && !seen[i]) {
			seen[i] = true;     /* a module pydeps keeps */
			q[qt++] = (uint32_t)i;
		}
	}
	while (qh < qt) {
		uint32_t u = q[qh++];
		for (uint32_t k = a.off[u]; k < a.off[u + 1]; k++) {
			const struct gedge *e = &g->edges[a.edge[k]];
			if ((!strcmp(e->kind, EK_NEEDS) || !strcmp(e->kind, EK_DLOPENS) ||
			     !strcmp(e->kind, EK_CONTAINS)) && !seen[e->to]) {
				seen[e->to] = true;
				q[qt++] = e->to;
			}
		}
	}
	for (size_t i = 0; i < t->n; i++)
		t->f[i].live = seen[t->f[i].node];
	free(seen);
	free(q);
	graph_adj_free(&a);
}

static bool candidate(const struct tfile *f)
{
	return f->type == FT_ELF_DYN && !f->pytree;
}

static void add_name(struct names *nm, const char *name, uint32_t file)
{
	GROW(nm->name, nm->cap, nm->n + 1);
	nm->file = xreallocarray(nm->file, nm->cap, sizeof *nm->file);
	nm->next = xreallocarray(nm->next, nm->cap, sizeof *nm->next);
	size_t first = (size_t)(uintptr_t)hmap_gets(&nm->map, name);
	for (size_t e = first; e; e = nm->next[e - 1])
		if (nm->file[e - 1] == file)
			return;
	nm->name[nm->n] = name;
	nm->file[nm->n] = file;
	nm->next[nm->n] = (uint32_t)first;
	nm->n++;
	hmap_put(&nm->map, name, strlen(name), (void *)(uintptr_t)nm->n);
}

/* SONAME, file name and symlink names of every candidate */
static void candidate_names(struct tree *t, struct graph *g, struct names *nm)
{
	for (size_t i = 0; i < t->n; i++) {
		if (!candidate(&t->f[i]))
			continue;
		add_name(nm, path_base(t->f[i].rel), (uint32_t)i);
		const char *id = NULL, *kind = NULL;
		struct diag d = {0};
		if (!elf_file_id(g, tree_full(t, &t->f[i]), &id, &kind, &d))
			add_name(nm, ids_owner(id), (uint32_t)i);
	}
	for (size_t k = 0; k < t->nlinks; k++) {
		uint32_t i = t->links[k].file;
		if (i && candidate(&t->f[i - 1]))
			add_name(nm, path_base(t->links[k].rel), i - 1);
	}
}

/* A token with a wildcard as an fnmatch() pattern: a glob as it is
 * ("libcudnn*.so*"), a printf conversion as '*'
 * ("libnvrtc-builtins.so.%d.%d").  Only with a literal prefix of four
 * characters or more: "lib%s.so" or "*.so" would name every library.
 * 0 when the token is no such pattern. */
static int as_pattern(const unsigned char *s, size_t n, char *out, size_t cap)
{
	size_t lit = 0;
	while (lit < n && s[lit] != '*' && s[lit] != '?' && s[lit] != '%')
		lit++;
	if (lit >= n || lit < 4 || n >= cap)
		return 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '%') {
			out[o++] = (char)s[i];
			continue;
		}
		/* %[flags][width][.prec][length]conv -> '*' */
		while (i + 1 < n && strchr("-+ #0123456789.lhzjt", s[i + 1]))
			i++;
		if (i + 1 < n && strchr("diouxXsc", s[i + 1]))
			i++;
		out[o++] = '*';
	}
	out[o] = 0;
	return 1;
}

/* dlopens edges from file i to every candidate whose name the pattern
 * matches (kept by the pattern); how many became named */
static size_t match_pattern(struct tree *t, struct graph *g, struct names *nm,
			    size_t i, const char *pat)
{
	size_t found = 0;
	for (size_t e = 0; e < nm->n; e++) {
		struct tfile *c = &t->f[nm->file[e]];
		if (c == &t->f[i] || c->live || c->named || fnmatch(pat, nm->name[e], 0))
			continue;
		c->named = true;
		found++;
		json_t *a = graph_edge_attrs(graph_add_edge(g, t->f[i].id, c->id, EK_DLOPENS));
		attr_str(a, "analyzer", "tree");
		attr_str(a, "evidence", "pattern");
		attr_str(a, "name", graph_str(g, pat));
	}
	return found;
}

/* the tokens of one file that name a candidate: dlopens edges; returns
 * how many candidates became named */
/* The DT_NEEDED names of the node at u: such a string in its own
 * .dynstr is explained by its needs edge (resolved, to one file), and a
 * dlopen of the same name would find that file again. */
static size_t needed_names(const struct graph *g, const struct gadj *a, uint32_t u,
			   const char ***v)
{
	size_t n = 0;
	*v = xcalloc(a->off[u + 1] - a->off[u] + 1, sizeof **v);
	for (uint32_t k = a->off[u]; k < a->off[u + 1]; k++) {
		const struct gedge *e = &g->edges[a->edge[k]];
		const char *name = attr_get_str(e->attrs, "name");
		if (!strcmp(e->kind, EK_NEEDS) && name)
			(*v)[n++] = name;
	}
	return n;
}

static bool in_list(const char *s, size_t len, const char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(v[i]) == len && !memcmp(v[i], s, len))
			return true;
	return false;
}

/* A name a live library already answers to: ld.so matches a dlopen'd
 * name against the loaded objects' names and SONAMEs first, so the
 * string is explained by that library, not by another file of the name. */
static bool live_named(const struct tree *t, const struct names *nm, size_t e)
{
	for (; e; e = nm->next[e - 1])
		if (t->f[nm->file[e - 1]].live)
			return true;
	return false;
}

static size_t scan_one(struct tree *t, struct graph *g, struct names *nm, size_t i,
		       const struct gadj *adj, const struct tree_tokens *tok)
{
	size_t found = 0;
	if (!tok->n)
		return 0;
	const char **need;
	size_t nneed = needed_names(g, adj, t->f[i].node, &need);
	/* every name a dlopen could use holds ".so": the tokens around each
	 * ".so" of the file, in order (tree-scan.c) */
	const char *s = tree_tokens_first(tok);
	for (uint32_t k = 0; k < tok->n; k++, s += strlen(s) + 1) {
		size_t len = strlen(s);
		char pat[256];
		if (as_pattern((const unsigned char *)s, len, pat, sizeof pat)) {
			found += match_pattern(t, g, nm, i, pat);
			continue;
		}
		size_t e = (size_t)(uintptr_t)hmap_get(&nm->map, s, len);
		if (e && (in_list(s, len, need, nneed) || live_named(t, nm, e)))
			continue;
		for (; e; e = nm->next[e - 1]) {
			struct tfile *c = &t->f[nm->file[e - 1]];
			if (c == &t->f[i] || c->live || c->named)
				continue;
			c->named = true;
			found++;
			struct gedge *ed = graph_add_edge(g, t->f[i].id, c->id, EK_DLOPENS);
			json_t *a = graph_edge_attrs(ed);
			attr_str(a, "analyzer", "tree");
			attr_str(a, "evidence", "string");
			attr_str(a, "name", nm->name[e - 1]);
		}
	}
	free(need);
	return found;
}

/* scan every live ELF object and Python file not scanned yet (their
 * tokens found on two threads first); the newly named libraries become
 * roots */
static size_t scan_strings(struct tree *t, struct graph *g, struct names *nm,
			   const struct run *r)
{
	size_t found = 0, n = 0;
	struct gadj adj;
	graph_adj_build(g, &adj, false);
	uint32_t *files = xcalloc(t->n + 1, sizeof *files);
	for (size_t i = 0; i < t->n; i++) {
		struct tfile *f = &t->f[i];
		/* the system's configuration names modules to load too
		 * (/etc/pam.d: "pam_unix.so", openssl.cnf's engines) */
		bool conf = f->cat == TC_DATA && !strncmp(f->rel, "etc/", 4) &&
			    strncmp(f->rel, "etc/ld.so.", 10); /* the loader's index
			    * and search path name every library: no load */
		if (f->scanned || !((f->live && f->cat == TC_ELF) || f->cat == TC_PY || conf))
			continue;
		f->scanned = true;
		files[n++] = (uint32_t)i;
	}
	struct tree_tokens *tok = xcalloc(n + 1, sizeof *tok);
	struct tree_pools pools;
	tree_scan_tokens(t, files, n, tok, &pools);
	for (size_t k = 0; k < n; k++)
		found += scan_one(t, g, nm, files[k], &adj, &tok[k]);
	if (t->fc) {
		/* the tokens kept for the per-file cache (tree-cache.c) */
		for (size_t k = 0; k < n; k++)
			if (!t->tok[files[k]].pool && t->f[files[k]].typed)
				t->tok[files[k]] = tok[k];
		for (int k = 0; k < 3; k++)
			if (pools.v[k]) {
				GROW(t->kept, t->capkept, t->nkept + 1);
				t->kept[t->nkept++] = pools.v[k];
			}
	} else
		tree_pools_free(&pools);
	free(tok);
	free(files);
	graph_adj_free(&adj);
	if (found)
		root_named(t, g, r);
	return found;
}

/* glibc's iconv: the gconv-modules configuration names the modules
 * iconv_open() may dlopen (glibc's gconv_conf.c: "module FROM TO FILE
 * [COST]" lines, FILE absolute or relative to the configuration's
 * directory, ".so" appended unless present; DIR/gconv-modules.d/NAME.conf
 * read as part of DIR).  Each module of the tree so named is kept by a
 * dlopens edge from the live libc.so.6 (evidence "config", the
 * configuration file as "config"); how many became named. */
static size_t gconv_one(struct tree *t, struct graph *g, size_t libc, const struct tfile *cf, const char *dir)
{
	struct mfile mf;
	struct diag d = {0};
	size_t found = 0;
	if (mfile_open_at(&mf, t->rootfd, cf->rel, &d))
		return 0;   /* unreadable: its modules stay orphans (likely) */
	const char *p = (const char *)mf.p, *end = p + mf.n;
	struct buf path = BUF_INIT;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		/* the line's words: module FROM TO FILE [COST] */
		const char *w[4];
		size_t wl[4], nw = 0;
		const char *q = p;
		while (q < eol && nw < 4) {
			while (q < eol && (*q == ' ' || *q == '\t' || *q == '\r'))
				q++;
			if (q >= eol || *q == '#')
				break;
			w[nw] = q;
			while (q < eol && *q != ' ' && *q != '\t' && *q != '\r' && *q != '#')
				q++;
			wl[nw] = (size_t)(q - w[nw]);
			nw++;
		}
		p = eol + 1;
		if (nw < 4 || wl[0] != 6 || memcmp(w[0], "module", 6) || wl[3] > 4096)
			continue;
		buf_reset(&path);
		if (w[3][0] != '/')
			buf_printf(&path, "%s/", dir);
		buf_add(&path, w[3], wl[3]);
		if (wl[3] < 3 || memcmp(w[3] + wl[3] - 3, ".so", 3))
			buf_add(&path, ".so", 3);
		size_t i = tree_find(t, buf_cstr(&path));
		struct tfile *c = i ? &t->f[i - 1] : NULL;
		if (!c || !candidate(c) || c->live || c->named)
			continue;
		c->named = true;
		found++;
		json_t *a = graph_edge_attrs(graph_add_edge(g, t->f[libc].id, c->id, EK_DLOPENS));
		attr_str(a, "analyzer", "tree");
		attr_str(a, "evidence", "config");
		attr_str(a, "name", graph_strf(g, "%.*s", (int)wl[3], w[3]));
		attr_str(a, "config", cf->rel);
	}
	buf_free(&path);
	mfile_close(&mf);
	return found;
}

/* Once libc.so.6 is live: read once (*done), every module its
 * configuration names is named then, and liveness keeps them after. */
static size_t gconv_modules(struct tree *t, struct graph *g, struct names *nm,
			    const struct run *r, bool *done)
{
	if (*done)
		return 0;
	size_t e = (size_t)(uintptr_t)hmap_gets(&nm->map, "libc.so.6"), libc = 0;
	for (; e && !libc; e = nm->next[e - 1])
		if (t->f[nm->file[e - 1]].live)
			libc = nm->file[e - 1] + 1;
	if (!libc)
		return 0;
	*done = true;
	size_t found = 0;
	struct buf dir = BUF_INIT;
	for (size_t i = 0; i < t->n; i++) {
		const struct tfile *f = &t->f[i];
		const char *base = path_base(f->rel);
		size_t dl = (size_t)(base - f->rel);
		buf_reset(&dir);
		if (!strcmp(base, "gconv-modules")) {
			buf_printf(&dir, "/%.*s", (int)(dl ? dl - 1 : 0), f->rel);
		} else if (dl > 16 && !memcmp(f->rel + dl - 16, "gconv-modules.d/", 16) &&
			   strlen(base) > 5 && !strcmp(base + strlen(base) - 5, ".conf")) {
			/* DIR/gconv-modules.d/X.conf: relative to DIR */
			buf_printf(&dir, "/%.*s", (int)(dl > 17 ? dl - 17 : 0), f->rel);
		} else {
			continue;
		}
		found += gconv_one(t, g, libc - 1, f, buf_cstr(&dir));
	}
	buf_free(&dir);
	if (found)
		root_named(t, g, r);
	return found;
}

static void orphans(struct tree *t, struct graph *g, const struct names *nm)
{
	size_t nlive = 0;
	for (size_t i = 0; i < t->n; i++)
		nlive += t->f[i].live && t->f[i].cat == TC_ELF;
	struct buf why = BUF_INIT;
	for (size_t i = 0; i < t->n; i++) {
		struct tfile *f = &t->f[i];
		if (!candidate(f) || f->live)
			continue;
		buf_reset(&why);
		buf_printf(&why, "nothing live loads it: no DT_NEEDED of the %zu live ELF objects (from %zu roots) resolves to it, and none of them nor any Python file of the tree holds",
			   nlive, t->nroots);
		size_t k = 0;
		for (size_t e = 0; e < nm->n; e++)
			if (nm->file[e] == i)
				buf_printf(&why, "%s \"%s\"", k++ ? "," : "", nm->name[e]);
		buf_printf(&why, " as a string; a dlopen of a computed name or of a path read from a data file would not be seen");
		graph_add_finding(g, "orphan-library", f->id, NULL, f->size, "likely",
				  buf_cstr(&why),
				  graph_strf(g, "delete %s, then rerun the workload in the pruned tree", f->rel));
	}
	buf_free(&why);
}

/* --prune-data with a record trace: a data file outside the Python
 * trees (pydeps judges theirs) that no recorded run opened or mapped.
 * Likely only: the recorder sees Python's opens and the files mapped at
 * exit, not what a C library read with fopen() and closed (time zones,
 * nsswitch.conf, certificates read by OpenSSL). */
static void unopened_data(struct tree *t, struct graph *g, const struct deploy_opts *o,
			  const struct run *r)
{
	if (!o->prune_data || !t->recorded)
		return;
	size_t nt = r->py ? r->py->ntraces : 0;
	for (size_t i = 0; i < t->n; i++) {
		struct tfile *f = &t->f[i];
		if (f->cat != TC_DATA || f->pytree || f->opened || !f->size)
			continue;
		graph_add_finding(g, "unopened-data", f->id, NULL, f->size, "likely",
			graph_strf(g, "a data file no recorded run opened or mapped (%zu trace%s, --prune-data); a file a C library reads with fopen() and closes again is not recorded",
				   nt, nt == 1 ? "" : "s"),
			graph_strf(g, "delete %s, then rerun the workload in the pruned tree on inputs it has not seen", f->rel));
	}
}

int tree_live(struct tree *t, struct graph *g, const struct deploy_opts *o,
	      const struct run *r, struct diag_list *errs)
{
	int rc = entries(t, o, errs);
	/* pydeps judges the Python trees when a trace or an entry script
	 * says what runs */
	bool traced = (r->py && r->py->ntraces) || t->nscripts;
	t->traced = traced;
	for (size_t i = 0; i < t->n; i++) {
		struct tfile *f = &t->f[i];
		if ((!o->nentries && f->type == FT_ELF_EXEC) ||
		    (!traced && f->pytree && f->type == FT_ELF_DYN))
			add_root(t, i);
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->f[i].root)
			analyze(t, g, r, i);
	/* with a trace, pydeps judges the Python trees: the extension
	 * modules of the modules it keeps are live through its contains
	 * edges (their closures resolved by this root's ELF context) */
	if (traced && tree_python(t, g, r, errs))
		rc = -1;
	trace_loads(t, g, r);
	struct names nm = {0};
	candidate_names(t, g, &nm);
	size_t more;
	bool gconv = false;
	do {
		mark_live(t, g);
		more = scan_strings(t, g, &nm, r);
		more += gconv_modules(t, g, &nm, r, &gconv);
	} while (more);
	orphans(t, g, &nm);
	unopened_data(t, g, o, r);
	hmap_free(&nm.map);
	free(nm.name);
	free(nm.file);
	free(nm.next);
	return rc;
}
