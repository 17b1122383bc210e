/*
 * search.c - finding a DT_NEEDED library exactly as glibc's ld.so does
 * (elf/dl-load.c _dl_map_object, open_path, fillin_rpath,
 * _dl_dst_substitute; glibc 2.36 as shipped by Debian 12).  One function
 * per step, in the loader's order:
 *
 *   match_loaded     an object already loaded whose l_name, one of the
 *                    names it was requested by, or SONAME equals the name
 *   (name with '/')  the name itself, $ORIGIN/$LIB/$PLATFORM expanded
 *   try_rpaths       DT_RPATH of the loader, then of its loader, and so on
 *                    up to the executable -- only if the loader has no
 *                    DT_RUNPATH (an object with both ignores DT_RPATH)
 *   try_env          LD_LIBRARY_PATH, only with --env
 *   try_runpath      the loader's own DT_RUNPATH (never inherited)
 *   try_cache        /etc/ld.so.cache, unless the loader is DF_1_NODEFLIB
 *   try_default      the system directories, unless DF_1_NODEFLIB
 *
 * The lists are split as _dl_init_paths, decompose_rpath and fillin_rpath
 * split them: LD_LIBRARY_PATH at ':' and ';', DT_RPATH and DT_RUNPATH at
 * ':' only.  An unset or empty LD_LIBRARY_PATH, and an empty DT_RPATH or
 * DT_RUNPATH string, is no list at all ("Ignore empty rpaths"); an empty
 * element of a non-empty list (":", "a::b", a leading or trailing colon)
 * is the current directory, and an element that expands to nothing is
 * dropped.  A program ld.so runs with AT_SECURE (set-user-ID,
 * set-group-ID, file capabilities) ignores LD_LIBRARY_PATH (rtld.c
 * process_envvars) and takes $ORIGIN only at the start of an element and,
 * for the executable's own $ORIGIN, only inside a system directory
 * (_dl_dst_substitute, is_trusted_path_normalize).  When nothing is found
 * the places tried name every list, and why each one was skipped (as
 * libtree's print_error does).
 *
 * In every directory the glibc-hwcaps subdirectories the CPU supports are
 * tried first (glibc >= 2.33), then the legacy hwcap subdirectories glibc
 * 2.36 still searches (combinations of tls, the platform, avx512_1 and
 * x86_64, as ld.so --help lists them for the CPU); slim checks once
 * per directory whether any exists, so the common case costs one open per
 * directory.  A candidate of another ELF class or machine is skipped and
 * the search goes on (open_verify's "found_other_class"); a file that is
 * found but not a loadable ELF object ends the search, as it makes ld.so
 * fail.  Once opened, a file already loaded under another name (same
 * device and inode) is that object (_dl_map_object_from_fd).
 */
#include "elf-int.h"
#include "../../common/diag.h"
#include "../../common/rootopen.h"
#include "../../common/util.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Debian's ld.so: $LIB and the system directories (ld.so --help). */
static const char *lib_dst(uint16_t machine, int cls)
{
	switch (machine) {
	case EM_X86_64: return cls == ELFCLASS64 ? "lib/x86_64-linux-gnu" : "lib/x86_64-linux-gnux32";
	case EM_386: return "lib/i386-linux-gnu";
	case EM_AARCH64: return "lib/aarch64-linux-gnu";
	default: return "lib";
	}
}

static void default_dirs(uint16_t machine, int cls, const char *out[5])
{
	static char a[64], b[64];
	snprintf(a, sizeof a, "/%s", lib_dst(machine, cls));
	snprintf(b, sizeof b, "/usr/%s", lib_dst(machine, cls));
	out[0] = a;
	out[1] = b;
	out[2] = "/lib";
	out[3] = "/usr/lib";
	out[4] = NULL;
}

const char *elf_dirname(struct lspace *s, const char *path)
{
	const char *sl = strrchr(path, '/');
	if (!sl)
		return NULL;
	size_t len = sl == path ? 1 : (size_t)(sl - path);
	return strtab_intern(&s->strs, path, len);
}

/* Open path (inside the sysroot when in_root); -1 with errno. */
static int open_candidate(struct elf_ctx *c, const char *path, bool in_root)
{
	if (in_root && c->rootfd >= 0)
		return open_in_root(c->rootfd, path, 0);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* a path's answer in this context: the object, or the errno that kept
 * it from one (an object that failed to parse is not kept here: its
 * error is said where it is first met) */
struct path_ans {
	struct eobj *o;
	int err;
};

static struct eobj *load_path(struct elf_ctx *c, const char *path, bool in_root,
			      int *err, struct diag *d)
{
	int fd = open_candidate(c, path, in_root);
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		*err = S_ISDIR(st.st_mode) ? EISDIR : EACCES;
		close(fd);
		return NULL;
	}
	char key[64];
	int kl = snprintf(key, sizeof key, "%llx:%llx", (unsigned long long)st.st_dev,
			  (unsigned long long)st.st_ino);
	struct eobj *o = hmap_get(&c->objs, key, (size_t)kl);
	if (o) {
		close(fd);
		return o;
	}
	o = xcalloc(1, sizeof *o);
	if (eobj_open_fd(o, fd, path, d)) {
		free(o);
		*err = 0;
		return NULL;
	}
	hmap_put(&c->objs, arena_strndup(&c->arena, key, (size_t)kl), (size_t)kl, o);
	return o;
}

struct eobj *elf_ctx_load(struct elf_ctx *c, const char *path, bool in_root,
			  int *err, struct diag *d)
{
	/* a path asked again (libc.so.6 once per program: 1,400 times on
	 * /usr) is answered without opening it: the files of one run do
	 * not change under it, as c->objs already assumes */
	size_t pl = strlen(path);
	char sk[PATH_MAX + 2];
	bool keyed = pl < PATH_MAX;
	if (keyed) {
		sk[0] = in_root && c->rootfd >= 0 ? 'R' : 'H';
		memcpy(sk + 1, path, pl);
		const struct path_ans *a = hmap_get(&c->paths, sk, pl + 1);
		if (a) {
			*err = a->err;
			return a->o;
		}
	}
	*err = 0;
	struct eobj *o = load_path(c, path, in_root, err, d);
	if (keyed && (o || *err)) {
		struct path_ans *a = arena_alloc(&c->arena, sizeof *a);
		*a = (struct path_ans){o, o ? 0 : *err};
		hmap_put(&c->paths, arena_strndup(&c->arena, sk, pl + 1), pl + 1, a);
	}
	return o;
}

struct lmap *elf_new_lmap(struct lspace *s, struct eobj *o, const char *name,
			  struct lmap *loader)
{
	struct lmap *l = arena_zalloc(&s->arena, sizeof *l);
	l->o = o;
	l->name = strtab_ins(&s->strs, name);
	l->loader = loader;
	l->pos = UINT32_MAX;
	l->origin = name[0] == '/' ? elf_dirname(s, name) : NULL;
	return l;
}

static void add_libname(struct lmap *l, const char *name)
{
	GROW(l->libnames, l->caplibnames, l->nlibnames + 1);
	l->libnames[l->nlibnames++] = name;
}

/* _dl_name_match_p plus the SONAME check of _dl_map_object. */
static bool name_matches(const struct lmap *l, const char *name)
{
	if (!strcmp(l->name, name))
		return true;
	for (size_t i = 0; i < l->nlibnames; i++)
		if (!strcmp(l->libnames[i], name))
			return true;
	return l->o && l->o->soname && !strcmp(l->o->soname, name);
}

static struct lmap *match_loaded(struct lspace *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->list[i]->o && name_matches(s->list[i], name))
			return s->list[i];
	if (s->rtld && name_matches(s->rtld, name))
		return s->rtld;
	return NULL;
}

static struct lmap *match_object(struct lspace *s, const struct eobj *o)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->list[i]->o == o)
			return s->list[i];
	if (s->rtld && s->rtld->o == o)
		return s->rtld;
	return NULL;
}

/* is_trusted_path_normalize: path, with "//", "/./" and "/../" folded,
 * lies in one of the system directories. */
static bool trusted_dir(struct lspace *s, const char *path)
{
	struct buf n = BUF_INIT;
	for (const char *p = path; *p;) {
		if (p[0] == '/' && p[1] == '.' && p[2] == '.' && (p[3] == '/' || !p[3])) {
			while (n.len && n.p[--n.len] != '/')
				;
			p += 3;
			continue;
		}
		if (p[0] == '/' && p[1] == '.' && (p[2] == '/' || !p[2])) {
			p += 2;
			continue;
		}
		if (p[0] == '/' && n.len && n.p[n.len - 1] == '/') {
			p++;
			continue;
		}
		buf_putc(&n, *p++);
	}
	if (!n.len || n.p[n.len - 1] != '/')
		buf_putc(&n, '/');
	const char *dirs[5];
	bool ok = false;
	default_dirs(s->main->o->machine, s->main->o->cls, dirs);
	for (int i = 0; dirs[i] && !ok; i++) {
		size_t dl = strlen(dirs[i]);
		ok = n.len > dl && !memcmp(n.p, dirs[i], dl) && n.p[dl] == '/';
	}
	buf_free(&n);
	return ok;
}

/* _dl_dst_substitute: expand $ORIGIN, $LIB, $PLATFORM (and the ${...}
 * forms) in one path element.  false when the element must be dropped:
 * it uses $ORIGIN and the origin is unknown, or the program runs with
 * AT_SECURE and $ORIGIN is not the element's start or the executable's
 * origin is outside the system directories. */
static bool expand_dst(struct lspace *s, const struct lmap *l, const char *in,
		       size_t len, struct buf *out)
{
	static const char *const names[] = {"ORIGIN", "PLATFORM", "LIB"};
	bool check_trusted = false;
	buf_reset(out);
	for (size_t i = 0; i < len;) {
		if (in[i] != '$') {
			buf_putc(out, in[i++]);
			continue;
		}
		int which = -1;
		size_t skip = 0;
		for (int k = 0; k < 3 && which < 0; k++) {
			size_t nl = strlen(names[k]);
			const char *p = in + i + 1;
			size_t left = len - i - 1;
			if (left >= nl + 2 && p[0] == '{' && !memcmp(p + 1, names[k], nl) &&
			    p[nl + 1] == '}') {
				which = k;
				skip = nl + 3;
			} else if (left >= nl && !memcmp(p, names[k], nl) &&
				   (left == nl || !(p[nl] == '_' || (p[nl] >= 'a' && p[nl] <= 'z') ||
						    (p[nl] >= 'A' && p[nl] <= 'Z') ||
						    (p[nl] >= '0' && p[nl] <= '9')))) {
				which = k;
				skip = nl + 1;
			}
		}
		if (which < 0) {
			buf_putc(out, in[i++]);
			continue;
		}
		const char *rep;
		if (which == 0 && s->secure &&
		    !(i == 0 && (i + skip == len || in[i + skip] == '/'))) {
			s->dropped = "$ORIGIN not at its start, under AT_SECURE";
			return false;
		}
		if (which == 0) {
			rep = l ? l->origin : NULL;
			check_trusted |= s->secure && l == s->main;
		}
		else if (which == 1)
			rep = (elf_ctx_legacy(s->c), s->c->platform);
		else
			rep = lib_dst(s->main->o->machine, s->main->o->cls);
		if (!rep) {
			s->dropped = which == 0 ? "$ORIGIN unknown" : "$PLATFORM unknown";
			return false;
		}
		buf_puts(out, rep);
		i += skip;
	}
	if (check_trusted && !trusted_dir(s, buf_cstr(out))) {
		s->dropped = "the program's $ORIGIN is outside the system directories, under AT_SECURE";
		return false;
	}
	return true;
}

static bool exists_in_root(struct elf_ctx *c, const char *path)
{
	int fd = open_candidate(c, path, true);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* The subdirectories glibc 2.36 tries inside dir, best first, when any
 * exists; otherwise only dir itself (the common case, checked once): the
 * supported glibc-hwcaps levels, then every combination of the legacy
 * components (x86_64, avx512_1, the platform, tls) as
 * _dl_important_hwcaps lists them -- for components c0..cN-1 the masks
 * 2^N-1 down to 1, each path naming its components from the highest
 * index down ("tls/haswell/avx512_1/x86_64" first). */
#define MAX_CANDIDATES 24
static size_t dir_candidates(struct elf_ctx *c, const char *dir,
			     const char *out[MAX_CANDIDATES])
{
	size_t n = 0;
	size_t dl = strlen(dir);
	/* "" is the current directory: its subdirectories stay relative
	 * ("glibc-hwcaps/x86-64-v3/libfoo.so", as LD_DEBUG shows ld.so try) */
	const char *sep = dl ? "/" : "";
	void **v = hmap_getp(&c->subdirs, dir, dl);
	uintptr_t has = v ? (uintptr_t)*v : 0;
	if (!has) {
		elf_ctx_legacy(c);
		char p[4096];
		has = 2;
		if ((size_t)snprintf(p, sizeof p, "%s%sglibc-hwcaps", dir, sep) < sizeof p &&
		    exists_in_root(c, p))
			has = 1;
		for (size_t k = 0; k < c->nlegacy && has == 2; k++)
			if ((size_t)snprintf(p, sizeof p, "%s%s%s", dir, sep, c->legacy[k]) < sizeof p &&
			    exists_in_root(c, p))
				has = 1;
		hmap_put(&c->subdirs, arena_strndup(&c->arena, dir, dl), dl, (void *)has);
	}
	if (has == 1) {
		for (size_t k = 0; k < 3 && c->hwcaps[k]; k++)
			out[n++] = arena_printf(&c->arena, "%s%sglibc-hwcaps/%s", dir, sep, c->hwcaps[k]);
		for (unsigned mask = (1u << c->nlegacy) - 1; mask > 0; mask--) {
			struct buf b = BUF_INIT;
			buf_puts(&b, dir);
			for (size_t k = c->nlegacy; k-- > 0;)
				if (mask & (1u << k))
					buf_printf(&b, "%s%s", b.len ? "/" : "", c->legacy[k]);
			out[n++] = arena_strndup(&c->arena, b.p, b.len);
			buf_free(&b);
		}
	}
	out[n++] = dir;
	return n;
}

struct found {
	struct eobj *o;
	const char *path;
	const char *dir;
	bool fatal;         /* a file that ends the search (not loadable) */
	struct diag err;
};

/* Try dir/name (and its hwcaps subdirectories).  Returns true when the
 * search is over (found, or a fatal file). */
static bool try_dir(struct lspace *s, const char *dir, const char *name,
		    struct buf *tried, struct found *f)
{
	const char *cand[MAX_CANDIDATES];
	size_t nc = dir_candidates(s->c, dir, cand);
	for (size_t k = 0; k < nc; k++) {
		char path[4096];
		int pl;
		if (cand[k][0])
			pl = snprintf(path, sizeof path, "%s%s%s", cand[k],
				      cand[k][strlen(cand[k]) - 1] == '/' ? "" : "/", name);
		else
			pl = snprintf(path, sizeof path, "%s", name);
		if (pl < 0 || (size_t)pl >= sizeof path) {
			/* what open(2) says to ld.so for a path past PATH_MAX;
			 * a truncated path could name another file */
			buf_printf(tried, "%s%.60s... (%s)", tried->len ? "; " : "", path,
				   strerror(ENAMETOOLONG));
			continue;
		}
		int err = 0;
		struct diag d = {0};
		struct eobj *o = elf_ctx_load(s->c, path, true, &err, &d);
		if (!o && err) {
			if (err != ENOENT && err != ENOTDIR)
				buf_printf(tried, "%s%s (%s)", tried->len ? "; " : "", path, strerror(err));
			continue;
		}
		if (!o) {
			f->fatal = true;
			f->err = d;
			f->path = strtab_ins(&s->strs, path);
			return true;
		}
		if (o->cls != s->main->o->cls || o->machine != s->main->o->machine) {
			buf_printf(tried, "%s%s (wrong ELF class or machine)", tried->len ? "; " : "", path);
			continue;
		}
		f->o = o;
		f->path = strtab_ins(&s->strs, path);
		f->dir = strtab_ins(&s->strs, cand[k]);
		return true;
	}
	return false;
}

static void note(struct buf *tried, const char *fmt, const char *arg)
{
	if (tried->len)
		buf_puts(tried, "; ");
	buf_printf(tried, fmt, arg);
}

/* fillin_rpath + open_path over one list, split at any of `sep`.  An
 * empty list is none (decompose_rpath: "Ignore empty rpaths"; an empty
 * LD_LIBRARY_PATH never gets here). */
static bool try_list(struct lspace *s, const struct lmap *owner, const char *list,
		     const char *sep, const char *name, const char *what,
		     struct buf *tried, struct found *f)
{
	if (!*list) {
		note(tried, "%s: empty, ignored as ld.so does", what);
		return false;
	}
	struct buf dir = BUF_INIT;
	bool done = false;
	for (const char *p = list; !done;) {
		size_t len = strcspn(p, sep);
		/* an empty element is the current directory */
		s->dropped = NULL;
		bool keep = len == 0 ? (buf_reset(&dir), true) : expand_dst(s, owner, p, len, &dir);
		if (!keep && s->dropped)
			buf_printf(tried, "%s%.*s (dropped: %s)", tried->len ? "; " : "", (int)len, p,
				   s->dropped);
		if (keep && len && !dir.len)
			keep = false;       /* expands to nothing: ignored */
		while (keep && dir.len > 1 && dir.p[dir.len - 1] == '/')
			dir.p[--dir.len] = 0;
		if (keep)
			done = try_dir(s, buf_cstr(&dir), name, tried, f);
		if (!p[len])
			break;
		p += len + 1;
	}
	if (!done)
		buf_printf(tried, "%s%s %s", tried->len ? "; " : "", what, list);
	buf_free(&dir);
	return done;
}

static bool nodeflib(const struct lmap *l)
{
	return l && l->o && (l->o->flags_1 & DF_1_NODEFLIB);
}

static bool try_rpaths(struct lspace *s, struct lmap *loader, const char *name,
		       struct buf *tried, struct found *f, const char **via)
{
	if (loader->o->runpath) {
		/* "When the object has the RUNPATH information we don't
		 * use any RPATHs." */
		note(tried, "DT_RPATH: not used, %s has DT_RUNPATH", loader->id ? loader->id : loader->name);
		return false;
	}
	bool any = false;
	for (struct lmap *l = loader; l; l = l->loader) {
		if (!l->o || !l->o->rpath)
			continue;
		any = true;
		const char *what = l == loader ? "DT_RPATH" :
			strtab_ins(&s->strs, arena_printf(&s->arena, "DT_RPATH of %s", l->id ? l->id : l->name));
		if (try_list(s, l, l->o->rpath, ":", name, what, tried, f)) {
			*via = l == loader ? "rpath" : "inherited-rpath";
			return true;
		}
	}
	if (!any)
		note(tried, "DT_RPATH: none in %s or its loaders", loader->id ? loader->id : loader->name);
	return false;
}

/* LD_LIBRARY_PATH as _dl_init_paths takes it: only with --env, not for
 * an AT_SECURE program, and not when unset or empty. */
static bool try_env(struct lspace *s, const char *name, struct buf *tried,
		    struct found *f, const char **via)
{
	const char *llp = s->c->o.ld_library_path;
	if (!llp) {
		note(tried, "LD_LIBRARY_PATH: %s", "not read (--env reads it)");
		return false;
	}
	if (s->secure) {
		note(tried, "LD_LIBRARY_PATH: ignored, ld.so runs the program with AT_SECURE (%s)",
		     s->secure);
		return false;
	}
	if (!*llp) {
		note(tried, "LD_LIBRARY_PATH: %s", "unset or empty, ignored as ld.so does");
		return false;
	}
	if (!try_list(s, s->main, llp, ":;", name, "LD_LIBRARY_PATH", tried, f))
		return false;
	*via = "LD_LIBRARY_PATH";
	return true;
}

static bool try_runpath(struct lspace *s, struct lmap *loader, const char *name,
			struct buf *tried, struct found *f, const char **via)
{
	if (!loader->o->runpath) {
		note(tried, "DT_RUNPATH: none in %s", loader->id ? loader->id : loader->name);
		return false;
	}
	if (!try_list(s, loader, loader->o->runpath, ":", name, "DT_RUNPATH", tried, f))
		return false;
	*via = "runpath";
	return true;
}

static bool try_cache(struct lspace *s, struct lmap *loader, const char *name,
		      struct buf *tried, struct found *f)
{
	struct elf_ctx *c = s->c;
	if (nodeflib(loader)) {
		note(tried, "ld.so.cache: skipped, %s is DF_1_NODEFLIB (-z nodefaultlib)",
		     loader->id ? loader->id : loader->name);
		return false;
	}
	if (!c->cache_tried) {
		/* a sysroot has its own cache; its paths are inside the root */
		char p[4096];
		struct diag d = {0};
		c->cache_tried = true;
		snprintf(p, sizeof p, "%s/etc/ld.so.cache", c->rootfd >= 0 ? c->o.sysroot : "");
		if (ldcache_open(&c->cache, p, &d))
			diag_warn(s->w, &d);
	}
	const char *p = ldcache_lookup(&c->cache, name, s->main->o->cls,
				       s->main->o->machine, c->hwcaps);
	if (!p) {
		buf_printf(tried, "%sld.so.cache: no entry", tried->len ? "; " : "");
		return false;
	}
	int err = 0;
	struct diag d = {0};
	struct eobj *o = elf_ctx_load(c, p, true, &err, &d);
	if (o && o->cls == s->main->o->cls && o->machine == s->main->o->machine) {
		f->o = o;
		f->path = strtab_ins(&s->strs, p);
		f->dir = elf_dirname(s, p);
		return true;
	}
	if (!o && !err) {
		f->fatal = true;
		f->err = d;
		f->path = strtab_ins(&s->strs, p);
		return true;
	}
	buf_printf(tried, "%sld.so.cache: %s (%s)", tried->len ? "; " : "", p,
		   o ? "wrong ELF class or machine" : strerror(err));
	return false;
}

static bool try_default(struct lspace *s, struct lmap *loader, const char *name,
			struct buf *tried, struct found *f)
{
	const char *dirs[5];
	if (nodeflib(loader)) {
		note(tried, "default dirs: skipped, %s is DF_1_NODEFLIB (-z nodefaultlib)",
		     loader->id ? loader->id : loader->name);
		return false;
	}
	default_dirs(s->main->o->machine, s->main->o->cls, dirs);
	for (int i = 0; dirs[i]; i++)
		if (try_dir(s, dirs[i], name, tried, f))
			return true;
	buf_printf(tried, "%sdefault dirs %s:%s:%s:%s", tried->len ? "; " : "",
		   dirs[0], dirs[1], dirs[2], dirs[3]);
	return false;
}

static bool search(struct lspace *s, struct lmap *loader, const char *name,
		   struct buf *tried, struct found *f, const char **via)
{
	if (try_rpaths(s, loader, name, tried, f, via) ||
	    try_env(s, name, tried, f, via) ||
	    try_runpath(s, loader, name, tried, f, via))
		return true;
	if (try_cache(s, loader, name, tried, f)) {
		*via = "ld.so.cache";
		return true;
	}
	if (try_default(s, loader, name, tried, f)) {
		*via = "default";
		return true;
	}
	return false;
}

struct lmap *elf_map_object(struct lspace *s, struct lmap *loader,
			    const char *name, struct ldep *dep)
{
	struct lmap *l = match_loaded(s, name);
	dep->name = name;
	if (l) {
		dep->via = "loaded";
		dep->dir = l->o ? elf_dirname(s, l->name) : NULL;
		return l;
	}
	struct buf tried = BUF_INIT;
	struct found f = {0};
	const char *via = NULL;
	bool done;
	if (strchr(name, '/')) {
		/* "The path may contain dynamic string tokens." */
		struct buf p = BUF_INIT;
		s->dropped = NULL;
		done = expand_dst(s, loader, name, strlen(name), &p);
		if (done) {
			int err = 0;
			struct diag d = {0};
			f.path = strtab_ins(&s->strs, buf_cstr(&p));
			f.o = elf_ctx_load(s->c, f.path, true, &err, &d);
			if (!f.o && !err) {
				f.fatal = true;
				f.err = d;
			} else if (!f.o) {
				buf_printf(&tried, "%s (%s)", f.path, strerror(err));
			} else if (f.o->cls != s->main->o->cls ||
				   f.o->machine != s->main->o->machine) {
				buf_printf(&tried, "%s (wrong ELF class or machine)", f.path);
				f.o = NULL;
			}
			via = "path";
			f.dir = elf_dirname(s, f.path);
		} else {
			buf_printf(&tried, "%s (dropped: %s)", name, s->dropped);
		}
		buf_free(&p);
		done = f.o || f.fatal;
	} else {
		done = search(s, loader, name, &tried, &f, &via);
	}
	if (f.fatal) {
		diag_warn_at(s->w, f.path, f.err.where == DIAG_OFFSET ? f.err.pos : 0,
			     "needed by %s as %s, but cannot be loaded: %s",
			     loader->name, name, f.err.msg);
		buf_printf(&tried, "%s%s (%s)", tried.len ? "; " : "", f.path, f.err.msg);
		done = false;
	}
	if (!done) {
		dep->tried = strtab_ins(&s->strs, buf_cstr(&tried));
		buf_free(&tried);
		return NULL;
	}
	buf_free(&tried);
	dep->via = via;
	dep->dir = f.dir;
	l = match_object(s, f.o);   /* the same file under another name */
	if (l) {
		add_libname(l, strtab_ins(&s->strs, name));
		return l;
	}
	l = elf_new_lmap(s, f.o, f.path, loader);
	add_libname(l, strtab_ins(&s->strs, name));
	l->found_via = via;
	return l;
}
