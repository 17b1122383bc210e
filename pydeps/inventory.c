/*
 * inventory.c - every module, package and file under the module trees
 * given with --root, with its bytes.
 *
 * The naming rules are CPython's path-based finder (Lib/importlib/
 * _bootstrap_external.py, FileFinder): in a directory on sys.path, NAME.py
 * is a source module, NAME.<tag>.so (EXTENSION_SUFFIXES: .cpython-311-
 * x86_64-linux-gnu.so, .abi3.so, .so) an extension module, NAME.pyc a
 * sourceless module, and a directory NAME a package (regular with
 * __init__, else a namespace package, PEP 420) when NAME is an identifier.
 * Bytecode of NAME.py lives in __pycache__/NAME.<cache_tag>[.opt-N].pyc
 * (PEP 3147).  Everything else in a package directory is a data file of the
 * package; *.dist-info / *.egg-info directories are distribution metadata
 * (dist.c).
 *
 * Two things look like modules and are not.  A directory without __init__
 * is a namespace package (PEP 420) only when some module lies below it:
 * packages keep data in such directories (botocore/data, jsonschema/
 * schemas, werkzeug/debug/shared, langdetect/profiles) and read it beside
 * their own __file__, through importlib.resources, pkgutil.get_data or
 * pkg_resources -- never by importing it -- so once the walk is done a
 * module-less directory is folded into the package that holds it, as its
 * data (data_dirs()).  And a NAME.so that exports no PyInit_NAME cannot be
 * imported (native.c): it is a native library of its package (PYF_NATIVE).
 *
 * Roots may nest (site-packages inside lib/python3.X): the walk of an outer
 * root skips a directory that is another root, so a module is named by the
 * innermost root holding it.  ROOT/lib-dynload, ROOT/site-packages and
 * ROOT/dist-packages are roots of their own, as sys.path makes them.
 *
 * The walk is iterative (a stack of directories, never recursion) and
 * remembers each directory's (dev, ino), so a symlink loop is a warning,
 * not a hang.  Entries are sorted, so the result does not depend on readdir
 * order.
 */
#include "pyint.h"
#include "../common/diag.h"
#include "../common/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct walkjob {
	char *path;          /* malloc'd */
	const char *prefix;  /* dotted prefix with trailing '.', "" at a root */
	const char *pkgname; /* package this directory is, or NULL */
	int owner;           /* module that owns data files here, -1 */
	int root;
	bool modns;          /* names here are module names */
	bool pycache;
};

struct walk {
	struct pyset *s;
	struct walkjob *v;
	size_t n, cap;
	struct hmap seen;    /* (dev, ino) of directories walked */
	struct diag_list *w;
};

int pyset_find(const struct pyset *s, const char *name, size_t len)
{
	void *v = hmap_get(&s->by_name, name, len);
	return v ? (int)((uintptr_t)v - 1) : -1;
}

int pyset_add_mod(struct pyset *s, const char *name, int root, int parent)
{
	int i = pyset_find(s, name, strlen(name));
	if (i >= 0)
		return s->mods[i].root == root ? i : -1;
	GROW(s->mods, s->capmods, s->nmods + 1);
	struct pymod *m = &s->mods[s->nmods];
	memset(m, 0, sizeof *m);
	m->name = arena_strdup(&s->arena, name);
	m->root = root;
	m->parent = parent;
	m->dist = -1;
	m->via = -1;
	hmap_put(&s->by_name, m->name, strlen(m->name),
		 (void *)(uintptr_t)(s->nmods + 1));
	return (int)s->nmods++;
}

int pyset_add_file(struct pyset *s, const char *path, uint64_t size, int mod,
		   enum pyfile_kind kind)
{
	GROW(s->files, s->capfiles, s->nfiles + 1);
	struct pyfile *f = &s->files[s->nfiles];
	f->path = arena_strdup(&s->arena, path);
	f->size = size;
	f->mod = mod;
	f->dist = -1;
	f->kind = kind;
	if (mod >= 0) {
		s->mods[mod].bytes += size;
		s->mods[mod].nfiles++;
	}
	return (int)s->nfiles++;
}

static bool is_ident(const char *s, size_t n)
{
	return n && !memchr(s, '.', n) && py_is_dotted_name(s, n);
}

static bool ends(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !memcmp(s + a - b, suf, b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void push(struct walk *k, const char *path, const char *prefix,
		 const char *pkgname, int owner, int root, bool modns,
		 bool pycache)
{
	GROW(k->v, k->cap, k->n + 1);
	k->v[k->n++] = (struct walkjob){xstrdup(path), prefix, pkgname, owner,
					root, modns, pycache};
}

static bool is_other_root(const struct pyset *s, int root, const struct stat *st)
{
	for (size_t i = 0; i < s->nroots; i++)
		if ((int)i != root && s->roots[i].dev == st->st_dev &&
		    s->roots[i].ino == st->st_ino)
			return true;
	return false;
}

/* true the first time a directory identity is seen */
static bool first_visit(struct walk *k, const struct stat *st)
{
	uint64_t key[2] = {st->st_dev, st->st_ino};
	if (hmap_get(&k->seen, (const char *)key, sizeof key))
		return false;
	char *kp = arena_alloc(&k->s->arena, sizeof key);
	memcpy(kp, key, sizeof key);
	hmap_put(&k->seen, kp, sizeof key, (void *)1);
	return true;
}

/* a file in a directory whose names are module names */
static void module_file(struct walk *k, const struct walkjob *j,
			const char *path, const char *name, uint64_t size)
{
	struct pyset *s = k->s;
	const char *dot = strchr(name, '.');
	size_t stem = dot ? (size_t)(dot - name) : strlen(name);
	enum pyfile_kind kind;
	if (ends(name, ".py") && dot == name + strlen(name) - 3)
		kind = PYF_SOURCE;
	else if (ends(name, ".so"))
		kind = PYF_EXT;
	else if (ends(name, ".pyc") && dot == name + strlen(name) - 4)
		kind = PYF_BYTECODE;
	else
		kind = PYF_DATA;
	if (kind == PYF_DATA || !is_ident(name, stem)) {
		pyset_add_file(s, path, size, j->owner, PYF_DATA);
		return;
	}
	/* invariant 5: no PyInit_<name>, no extension module (a compiled
	 * package's __init__ exports PyInit_<package>) */
	if (kind == PYF_EXT) {
		const char *nm = name;
		size_t nl = stem;
		if (stem == 8 && !memcmp(name, "__init__", 8) && j->owner >= 0) {
			const char *pk = s->mods[j->owner].name, *d = strrchr(pk, '.');
			nm = d ? d + 1 : pk;
			nl = strlen(nm);
		}
		if (!pynative_is_extension(s, path, nm, nl)) {
			pyset_add_file(s, path, size, j->owner, PYF_NATIVE);
			return;
		}
	}
	int mi;
	bool is_init = stem == 8 && !memcmp(name, "__init__", 8);
	if (is_init) {
		mi = j->owner;      /* the package's own __init__ */
	} else {
		char *full = arena_printf(&s->arena, "%s%.*s", j->prefix,
					  (int)stem, name);
		mi = pyset_add_mod(s, full, j->root, j->owner);
		if (mi < 0) {
			s->shadowed += size;
			return;
		}
	}
	if (mi < 0) {
		pyset_add_file(s, path, size, -1, PYF_DATA);
		return;
	}
	struct pymod *m = &s->mods[mi];
	if (kind == PYF_SOURCE && !m->src)
		m->src = arena_strdup(&s->arena, path);
	if (kind == PYF_EXT) {
		m->is_ext = true;
		if (!m->so)
			m->so = arena_strdup(&s->arena, path);
	}
	if (is_init)
		m->is_ns = false;
	pyset_add_file(s, path, size, mi, kind);
}

/* __pycache__/NAME.cpython-311[.opt-N].pyc belongs to module NAME */
static void pycache_file(struct walk *k, const struct walkjob *j,
			 const char *path, const char *name, uint64_t size)
{
	struct pyset *s = k->s;
	const char *dot = strchr(name, '.');
	int mi = -1;
	if (dot && ends(name, ".pyc")) {
		size_t stem = dot - name;
		if (stem == 8 && !memcmp(name, "__init__", 8)) {
			mi = j->owner;
		} else {
			char *full = arena_printf(&s->arena, "%s%.*s", j->prefix,
						  (int)stem, name);
			mi = pyset_find(s, full, strlen(full));
			if (mi >= 0 && s->mods[mi].root != j->root)
				mi = -1;
		}
	}
	pyset_add_file(s, path, size, mi >= 0 ? mi : j->owner,
		       mi >= 0 ? PYF_BYTECODE : PYF_DATA);
}

static void subdir(struct walk *k, const struct walkjob *j, const char *path,
		   const char *name, const struct stat *st, bool is_link)
{
	struct pyset *s = k->s;
	if (is_other_root(s, j->root, st))
		return;
	if (!first_visit(k, st)) {
		diag_warn_at(k->w, path, 0, "%s, not walked again",
			     is_link ? "symlink loop or second link to a directory"
				     : "directory seen twice");
		return;
	}
	if (j->modns && !j->pycache && !strcmp(name, "__pycache__")) {
		push(k, path, j->prefix, NULL, j->owner, j->root, true, true);
		return;
	}
	if (j->modns && !j->pycache && is_ident(name, strlen(name))) {
		char *full = arena_printf(&s->arena, "%s%s", j->prefix, name);
		char *pre = arena_printf(&s->arena, "%s.", full);
		push(k, path, pre, full, j->owner, j->root, true, false);
		return;
	}
	if (j->modns && !*j->prefix &&
	    (ends(name, ".dist-info") || ends(name, ".egg-info"))) {
		pydist_read(s, j->root, path, k->w);
		return;
	}
	push(k, path, j->prefix, NULL, j->owner, j->root, false, false);
}

static void entry(struct walk *k, struct walkjob *j, int dfd,
		  const char *name)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof path, "%s/%s", j->path, name) >= sizeof path) {
		diag_warn_at(k->w, j->path, 0, "path too long under this directory: %.40s...", name);
		return;
	}
	struct stat st, lst;
	if (fstatat(dfd, name, &lst, AT_SYMLINK_NOFOLLOW)) {
		diag_warn_at(k->w, path, 0, "cannot stat: %s", strerror(errno));
		return;
	}
	bool is_link = S_ISLNK(lst.st_mode);
	st = lst;
	if (is_link && fstatat(dfd, name, &st, 0)) {
		diag_warn_at(k->w, path, 0, "cannot stat: %s", strerror(errno));
		return;
	}
	/* a symlink frees only its own bytes when deleted; a linked directory
	 * is walked only where it can hold modules (a package name) */
	if (is_link && S_ISDIR(st.st_mode) &&
	    !(j->modns && !j->pycache && is_ident(name, strlen(name)))) {
		pyset_add_file(k->s, path, lst.st_size, j->owner, PYF_DATA);
		return;
	}
	if (is_link)
		st.st_size = lst.st_size;
	if (S_ISDIR(st.st_mode))
		subdir(k, j, path, name, &st, is_link);
	else if (!S_ISREG(st.st_mode))
		return;
	else if (j->pycache)
		pycache_file(k, j, path, name, st.st_size);
	else if (!*j->prefix && j->modns && ends(name, ".pth"))
		pyset_add_file(k->s, path, st.st_size, -1, PYF_DATA);
	else if (j->modns)
		module_file(k, j, path, name, st.st_size);
	else
		pyset_add_file(k->s, path, st.st_size, j->owner, PYF_DATA);
}

static void walk_dir(struct walk *k, struct walkjob *j)
{
	struct pyset *s = k->s;
	if (j->pkgname) {
		int mi = pyset_add_mod(s, j->pkgname, j->root, j->owner);
		if (mi < 0) {
			s->shadowed++;
			return;
		}
		s->mods[mi].is_pkg = true;
		s->mods[mi].is_ns = true;   /* until an __init__ shows up */
		s->mods[mi].dir = arena_strdup(&s->arena, j->path);
		j->owner = mi;
	}
	DIR *dp = opendir(j->path);
	if (!dp) {
		diag_warn_at(k->w, j->path, 0, "cannot read directory: %s",
			     strerror(errno));
		return;
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(dp))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		GROW(names, cap, n + 1);
		names[n++] = xstrdup(de->d_name);
	}
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		entry(k, j, dirfd(dp), names[i]);
		free(names[i]);
	}
	free(names);
	closedir(dp);
}

static void add_root(struct pyset *s, const char *path, bool auto_added,
		     struct diag_list *w)
{
	struct stat st;
	if (stat(path, &st)) {
		diag_warn_at(w, path, 0, "cannot read module tree: %s", strerror(errno));
		return;
	}
	for (size_t i = 0; i < s->nroots; i++)
		if (s->roots[i].dev == st.st_dev && s->roots[i].ino == st.st_ino)
			return;
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		diag_warn_at(w, path, 0, "not a directory, zip or wheel");
		return;
	}
	GROW(s->roots, s->caproots, s->nroots + 1);
	struct pyroot *r = &s->roots[s->nroots++];
	memset(r, 0, sizeof *r);
	/* absolute (prune lists name absolute paths), symlinks left alone */
	char cwd[PATH_MAX];
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (path[0] != '/' && getcwd(cwd, sizeof cwd))
		path = arena_printf(&s->arena, "%s/%s", cwd, path);
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	if (len > 2 && !memcmp(path + len - 2, "/.", 2))
		len -= 2;
	r->path = arena_strndup(&s->arena, path, len);
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	r->is_zip = S_ISREG(st.st_mode);
	r->auto_added = auto_added;
}

/* the modules that are data directories (invariant 4): a namespace
 * package with no module in its subtree.  Parents precede children. */
static bool *find_data_dirs(const struct pyset *s, size_t *ndata)
{
	bool *code = xcalloc(s->nmods + 1, sizeof *code);
	bool *data = xcalloc(s->nmods + 1, sizeof *data);
	for (size_t i = 0; i < s->nmods; i++)
		code[i] = !(s->mods[i].is_pkg && s->mods[i].is_ns);
	/* a directory NAME beside NAME.so or NAME.py (cryptography's _rust/
	 * of type stubs beside _rust.abi3.so) is the same module: the file
	 * wins, as in FileFinder, and the module is code */
	for (size_t f = 0; f < s->nfiles; f++) {
		const struct pyfile *pf = &s->files[f];
		if (pf->mod >= 0 && (pf->kind == PYF_SOURCE || pf->kind == PYF_EXT ||
				     pf->kind == PYF_BYTECODE))
			code[pf->mod] = true;
	}
	for (size_t i = s->nmods; i-- > 0;)
		if (code[i] && s->mods[i].parent >= 0)
			code[s->mods[i].parent] = true;
	*ndata = 0;
	for (size_t i = 0; i < s->nmods; i++)
		if (!code[i] && !s->mods[i].in_zip) {
			data[i] = true;
			(*ndata)++;
		}
	free(code);
	return data;
}

/* Fold each data directory into the nearest enclosing package that is not
 * one (or into no module at a root: kept, like other files there): its
 * files become that package's data, the module goes, and the indexes of
 * the rest are renumbered (parents, files, the name map). */
static void data_dirs(struct pyset *s)
{
	size_t ndata;
	bool *data = find_data_dirs(s, &ndata);
	if (!ndata) {
		free(data);
		return;
	}
	int *to = xcalloc(s->nmods + 1, sizeof *to);
	size_t n = 0;
	for (size_t i = 0; i < s->nmods; i++) {
		/* a data dir's parent precedes it: its `to` is already final */
		int p = s->mods[i].parent;
		to[i] = !data[i] ? (int)n++ : p >= 0 ? to[p] : -1;
	}
	for (size_t f = 0; f < s->nfiles; f++) {
		int m = s->files[f].mod;
		if (m < 0)
			continue;
		if (data[m] && s->files[f].kind != PYF_NATIVE)
			s->files[f].kind = PYF_DATA;
		s->files[f].mod = to[m];
	}
	hmap_free(&s->by_name);
	memset(&s->by_name, 0, sizeof s->by_name);
	for (size_t i = 0; i < s->nmods; i++) {
		if (data[i])
			continue;
		struct pymod m = s->mods[i];
		m.parent = m.parent >= 0 ? to[m.parent] : -1;
		m.bytes = 0;
		m.nfiles = 0;
		s->mods[to[i]] = m;
		hmap_put(&s->by_name, m.name, strlen(m.name),
			 (void *)(uintptr_t)(to[i] + 1));
	}
	s->nmods = n;
	for (size_t f = 0; f < s->nfiles; f++)
		if (s->files[f].mod >= 0) {
			s->mods[s->files[f].mod].bytes += s->files[f].size;
			s->mods[s->files[f].mod].nfiles++;
		}
	free(to);
	free(data);
}

void pydeps_inventory(struct pyset *s, const char **roots, size_t nroots,
		      bool auto_roots, struct diag_list *w)
{
	static const char *const nested[] = {"lib-dynload", "site-packages",
					     "dist-packages"};
	for (size_t i = 0; i < nroots; i++)
		add_root(s, roots[i], false, w);
	for (size_t i = 0, n = s->nroots; auto_roots && i < n; i++) {
		if (s->roots[i].is_zip)
			continue;
		for (size_t k = 0; k < 3; k++) {
			char *p = arena_printf(&s->arena, "%s/%s", s->roots[i].path, nested[k]);
			struct stat st;
			if (!stat(p, &st) && S_ISDIR(st.st_mode))
				add_root(s, p, true, w);
		}
	}
	struct walk k = {.s = s, .w = w};
	for (size_t r = 0; r < s->nroots; r++) {
		if (s->roots[r].is_zip) {
			pyzip_inventory(s, (int)r, w);
			continue;
		}
		struct stat st;
		if (!stat(s->roots[r].path, &st))
			first_visit(&k, &st);
		push(&k, s->roots[r].path, "", NULL, -1, (int)r, true, false);
		while (k.n) {
			struct walkjob j = k.v[--k.n];
			walk_dir(&k, &j);
			free(j.path);
		}
	}
	free(k.v);
	hmap_free(&k.seen);
	data_dirs(s);
	pydist_assign(s);
}

void pyset_free(struct pyset *s)
{
	for (size_t i = 0; i < s->nmods; i++)
		pyref_free_all(&s->mods[i]);
	for (size_t i = 0; i < s->ndists; i++) {
		struct pydist *d = &s->dists[i];
		for (size_t e = 0; e < d->nep; e++) {
			free(d->ep_group[e]);
			free(d->ep_target[e]);
		}
		free(d->ep_group);
		free(d->ep_target);
		free(d->top);
	}
	free(s->roots);
	free(s->mods);
	free(s->files);
	free(s->dists);
	hmap_free(&s->by_name);
	hmap_free(&s->dist_by_top);
	hmap_free(&s->ep_groups);
	hmap_free(&s->opened);
	hmap_free(&s->needed);
	arena_free(&s->arena);
	memset(s, 0, sizeof *s);
}
