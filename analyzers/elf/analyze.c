/*
 * analyze.c - one ELF file and its dependency closure into the graph.
 *
 *   load_main      the input, its $ORIGIN (its real path's directory, as
 *                  ld.so reads /proc/self/exe), and the interpreter named
 *                  by PT_INTERP, preloaded as ld.so itself is
 *   map_deps       _dl_map_object_deps: breadth-first over DT_NEEDED,
 *                  each library searched for by search.c; the order is the
 *                  global scope symbol lookups walk
 *   bind_all       every symbol reference of every object bound (bind.c)
 *   verdicts       a DT_NEEDED entry no reference of its object binds to is
 *                  unused (`ldd -u -r`'s rule); libraries that stay loaded
 *                  only through unused entries are unneeded-transitive
 *   emit           nodes, needs/binds edges with their evidence, findings
 */
#include "elf-int.h"
#include "../../common/diag.h"
#include "../../common/mfile.h"
#include "../../common/util.h"
#include "../../graph/graph.h"
#include "../../graph/ids.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#if defined(__x86_64__) && __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>
#endif
#if defined(__x86_64__) && __has_include(<cpuid.h>)
#include <cpuid.h>
#endif

#if defined(__x86_64__) && __has_include(<sys/platform/x86.h>)
/* x86_cpu_active() of <sys/platform/x86.h>, with the shift done unsigned:
 * glibc's inline shifts a signed 1 into bit 31 (undefined behaviour that
 * UBSan reports for features in bit 31, such as AVX512VL). */
static bool cpu_active(unsigned int index)
{
	const struct cpuid_feature *f = __x86_get_cpuid_feature_leaf(index / 128);
	unsigned int reg = index & 127, bit = reg & 31;
	return (f->active_array[reg / 32] >> bit) & 1u;
}
#define CPU_ACTIVE(name) cpu_active(x86_cpu_##name)
#endif

bool elf_platform_ok(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 31)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '_' || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

int elf_parse_cpu_level(const char *s)
{
	if (!strcmp(s, "host"))
		return 0;
	if (!strncmp(s, "x86-64-", 7))
		s += 7;
	if (*s == 'v')
		s++;
	if (s[0] >= '1' && s[0] <= '4' && !s[1])
		return s[0] - '0';
	return -1;
}

struct elf_ctx *elf_ctx_new(const struct elf_opts *o)
{
	struct elf_ctx *c = xcalloc(1, sizeof *c);
	elf_version(EV_CURRENT);
	c->o = *o;
	c->rootfd = -1;
	c->strs.arena = &c->arena;
	if (o->sysroot && o->sysroot[0] && strcmp(o->sysroot, "/"))
		c->rootfd = open(o->sysroot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	/* glibc-hwcaps levels of the CPU slim runs on: a static analysis
	 * has to assume one, and the host is the best guess.  Read from
	 * glibc's own cpu_features (<sys/platform/x86.h>): executing cpuid
	 * again costs tens of microseconds in a VM. */
	size_t n = 0;
	bool v2 = false, v3 = false, v4 = false;
#if defined(__x86_64__) && __has_include(<sys/platform/x86.h>)
	v2 = CPU_ACTIVE(CMPXCHG16B) && CPU_ACTIVE(LAHF64_SAHF64) &&
	     CPU_ACTIVE(POPCNT) && CPU_ACTIVE(SSE3) &&
	     CPU_ACTIVE(SSE4_1) && CPU_ACTIVE(SSE4_2) &&
	     CPU_ACTIVE(SSSE3);
	v3 = v2 && CPU_ACTIVE(AVX) && CPU_ACTIVE(AVX2) &&
	     CPU_ACTIVE(BMI1) && CPU_ACTIVE(BMI2) &&
	     CPU_ACTIVE(F16C) && CPU_ACTIVE(FMA) &&
	     CPU_ACTIVE(LZCNT) && CPU_ACTIVE(MOVBE) &&
	     CPU_ACTIVE(OSXSAVE);
	v4 = v3 && CPU_ACTIVE(AVX512F) && CPU_ACTIVE(AVX512BW) &&
	     CPU_ACTIVE(AVX512CD) && CPU_ACTIVE(AVX512DQ) &&
	     CPU_ACTIVE(AVX512VL);
#endif
	if (o->cpu_level > 0) {
		/* the machine that will run it, not this one (--cpu) */
		v2 = o->cpu_level >= 2;
		v3 = o->cpu_level >= 3;
		v4 = o->cpu_level >= 4;
	}
	if (v4)
		c->hwcaps[n++] = "x86-64-v4";
	if (v3)
		c->hwcaps[n++] = "x86-64-v3";
	if (v2)
		c->hwcaps[n++] = "x86-64-v2";
	return c;
}

/*
 * glibc 2.36's init_cpu_features (sysdeps/x86/cpu-features.c): on x86-64
 * dl_hwcap is HWCAP_X86_64, plus HWCAP_X86_AVX512_1 on an Intel CPU with
 * AVX512CD, BW, DQ and VL but not AVX512ER; dl_platform is the kernel's
 * AT_PLATFORM ("x86_64"), replaced on Intel CPUs only by "xeon_phi"
 * (AVX512CD, ER, PF) or else "haswell" (AVX2, FMA, BMI1, BMI2, LZCNT,
 * MOVBE, POPCNT).  An AMD CPU with all of those is still "x86_64".  The
 * legacy subdirectories are built from dl_hwcap's names in bit order, the
 * platform, and "tls" (elf/dl-hwcaps.c _dl_important_hwcaps).  Run only
 * when a directory has such subdirectories or a path says $PLATFORM: the
 * vendor takes one cpuid.
 */
void elf_ctx_legacy(struct elf_ctx *c)
{
	if (c->legacy_done)
		return;
	c->legacy_done = true;
	const char *plat = NULL;
	bool avx512_1 = false;
#if defined(__x86_64__) && __has_include(<sys/platform/x86.h>) && __has_include(<cpuid.h>)
	unsigned int a, b, cx, d;
	bool intel = __get_cpuid(0, &a, &b, &cx, &d) &&
		     b == 0x756e6547 && d == 0x49656e69 && cx == 0x6c65746e;   /* GenuineIntel */
	if (intel && c->o.cpu_level > 0) {
		/* --cpu: that level on a CPU of this one's vendor */
		avx512_1 = c->o.cpu_level >= 4;
		plat = c->o.cpu_level >= 3 ? "haswell" : NULL;
	} else if (intel) {
		if (CPU_ACTIVE(AVX512CD)) {
			if (CPU_ACTIVE(AVX512ER)) {
				if (CPU_ACTIVE(AVX512PF))
					plat = "xeon_phi";
			} else {
				avx512_1 = CPU_ACTIVE(AVX512BW) && CPU_ACTIVE(AVX512DQ) &&
					   CPU_ACTIVE(AVX512VL);
			}
		}
		if (!plat && CPU_ACTIVE(AVX2) && CPU_ACTIVE(FMA) && CPU_ACTIVE(BMI1) &&
		    CPU_ACTIVE(BMI2) && CPU_ACTIVE(LZCNT) && CPU_ACTIVE(MOVBE) &&
		    CPU_ACTIVE(POPCNT))
			plat = "haswell";
	}
#endif
	if (c->o.platform)
		plat = c->o.platform;
	if (!plat)
		plat = (const char *)getauxval(AT_PLATFORM);
	c->platform = plat;
	size_t n = 0;
#ifdef __x86_64__
	c->legacy[n++] = "x86_64";
#endif
	if (avx512_1)
		c->legacy[n++] = "avx512_1";
	if (plat && *plat)
		c->legacy[n++] = plat;
	c->legacy[n++] = "tls";
	c->nlegacy = n;
}

int elf_ctx_rootfd_ok(const struct elf_ctx *c)
{
	return !(c->o.sysroot && c->o.sysroot[0] && strcmp(c->o.sysroot, "/")) || c->rootfd >= 0;
}

void elf_ctx_free(struct elf_ctx *c)
{
	elf_ctx_free_at_exit(c, false);
}

/* Kept reachable, so leak checkers see memory left for the kernel to
 * reclaim at exit as "still reachable" rather than lost (git's UNLEAK): a
 * list, since a run may make several (slim diff analyzes two inputs). */
struct elf_ctx *elf_ctx_left_at_exit;   /* global: a store the compiler keeps */

void elf_ctx_free_at_exit(struct elf_ctx *c, bool exiting)
{
	if (!c)
		return;
	if (exiting) {
		/* the process is about to exit: freeing dozens of libelf
		 * descriptors and mappings one by one costs more than a small
		 * program's whole analysis */
		c->left_next = elf_ctx_left_at_exit;
		elf_ctx_left_at_exit = c;
		return;
	}
	for (size_t i = 0; i < c->objs.cap; i++)
		if (c->objs.slots[i].key) {
			struct eobj *o = c->objs.slots[i].val;
			eobj_close(o);
			free(o);
		}
	hmap_free(&c->objs);
	hmap_free(&c->paths);
	hmap_free(&c->realdirs);
	hmap_free(&c->ids);
	hmap_free(&c->bind_memo);
	hmap_free(&c->bind_pairs);
	hmap_free(&c->subdirs);
	ldcache_close(&c->cache);
	strtab_free(&c->strs);
	arena_free(&c->arena);
	if (c->rootfd >= 0)
		close(c->rootfd);
	free(c);
}

static void push(struct lspace *s, struct lmap *l)
{
	GROW(s->list, s->cap, s->n + 1);
	l->pos = (uint32_t)s->n;
	l->in_list = true;
	s->list[s->n++] = l;
}

/* Inside a deployable an object is a program whenever the walk typed it
 * so (filetype_detect() mirrors eobj_is_program()), wherever it sits in
 * the closure: one file, one id.  Elsewhere only the analyzed file is. */
static bool is_exe(const struct lspace *s, const struct lmap *l)
{
	if (s->c->o.path_of && l->o)
		return eobj_is_program(l->o);
	return l->is_main && eobj_is_program(l->o);
}

/* "lib:SONAME" (or the file name) for libraries, "exe:NAME" for programs;
 * inside a deployable "KIND:PATH" (ids.h rule 2) */
static const char *node_id(struct lspace *s, struct lmap *l, struct graph *g)
{
	const struct elf_opts *eo = &s->c->o;
	const char *rel = l->o && eo->path_of
		? eo->path_of(eo->path_ctx, l->o->mf.dev, l->o->mf.ino) : NULL;
	if (rel)
		return ids_path(g, is_exe(s, l) ? IDP_EXE : IDP_LIB, rel);
	return ids_elf(g, l->is_main && eobj_is_program(l->o),
		       l->o ? l->o->soname : NULL, l->name);
}

/* Why the kernel would start the program at path with AT_SECURE for a
 * user it raises privileges for (fs/exec.c, security/commoncap.c):
 * set-user-ID, set-group-ID (with group execute; without, the bit means
 * mandatory locking), or file capabilities.  NULL when none. */
static const char *secure_exec(const char *path, const struct stat *lst)
{
	struct stat st;
	if (lst && S_ISREG(lst->st_mode))
		st = *lst;   /* not a link: its lstat is its stat */
	else if (stat(path, &st) || !S_ISREG(st.st_mode))
		return NULL;
	if (st.st_mode & S_ISUID)
		return "set-user-ID";
	if ((st.st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		return "set-group-ID";
	if (getxattr(path, "security.capability", NULL, 0) > 0)
		return "file capabilities";
	return NULL;
}

const char *elf_env_library_path(void)
{
	extern char **environ;
	const char *v = "";
	for (char **e = environ; e && *e; e++)
		if (!strncmp(*e, "LD_LIBRARY_PATH=", 16))
			v = *e + 16;
	return v;
}

/* path's real path into rp (PATH_MAX) when path is no symlink itself:
 * its directory's real path, asked once per directory in this context
 * (a deployable's 2,400 programs lie in a few dozen: realpath() reads
 * every component of each), then its name.  false: realpath() failed. */
static bool real_dir_of(struct elf_ctx *c, const char *path, char *rp)
{
	const char *sl = strrchr(path, '/');
	const char *base = sl ? sl + 1 : path;
	size_t dl = sl ? (size_t)(sl - path) : 0;
	char dir[PATH_MAX];
	if (dl >= sizeof dir)
		return realpath(path, rp) != NULL;
	memcpy(dir, path, dl);
	dir[dl] = 0;
	if (!sl)
		strcpy(dir, ".");
	else if (!dl)
		strcpy(dir, "/");
	const char *real = hmap_gets(&c->realdirs, dir);
	if (!real) {
		char r[PATH_MAX];
		if (!realpath(dir, r))
			return false;
		real = arena_strdup(&c->arena, r);
		hmap_put(&c->realdirs, arena_strdup(&c->arena, dir), strlen(dir), (void *)real);
	}
	size_t rl = strlen(real), bl = strlen(base);
	if (rl + 1 + bl >= PATH_MAX)
		return false;
	memcpy(rp, real, rl);
	size_t at = rl;
	if (!(rl == 1 && real[0] == '/'))
		rp[at++] = '/';
	memcpy(rp + at, base, bl + 1);
	return true;
}

static int load_main(struct lspace *s, const char *path, struct diag *d)
{
	struct elf_ctx *c = s->c;
	int err = 0;
	struct eobj *o = elf_ctx_load(c, path, false, &err, d);
	if (!o) {
		if (err)
			diag_err(d, path, "cannot open: %s", strerror(err));
		return -1;
	}
	if (o->type != ET_EXEC && o->type != ET_DYN)
		return diag_err_at(d, path, 16, "not an executable or shared library (e_type %u)", o->type);
	if (!o->has_dynamic && o->type == ET_DYN)
		return diag_err_at(d, path, 0, "shared object without a dynamic section (no PT_DYNAMIC)");
	s->main = elf_new_lmap(s, o, path, NULL);
	s->main->is_main = true;
	struct stat lst;
	bool plain = !lstat(path, &lst) && S_ISREG(lst.st_mode);
	s->secure = secure_exec(path, plain ? &lst : NULL);
	/* $ORIGIN of the executable: the directory of its real path, inside
	 * the sysroot when there is one */
	char rp[PATH_MAX];
	if (plain ? real_dir_of(c, path, rp) : realpath(path, rp) != NULL) {
		const char *in = rp;
		size_t sl = c->o.sysroot ? strlen(c->o.sysroot) : 0;
		while (sl > 1 && c->o.sysroot[sl - 1] == '/')
			sl--;
		if (c->rootfd >= 0 && !strncmp(rp, c->o.sysroot, sl) && rp[sl] == '/')
			in = rp + sl;
		s->main->origin = elf_dirname(s, in);
	}
	push(s, s->main);
	/* ld.so itself is loaded before any dependency (rtld.c) and matches
	 * a DT_NEEDED entry by its SONAME or interpreter path */
	if (o->interp) {
		struct diag rd = {0};
		struct eobj *ro = elf_ctx_load(c, o->interp, true, &err, &rd);
		if (ro && ro != o) {
			s->rtld = elf_new_lmap(s, ro, o->interp, NULL);
			s->rtld->is_rtld = true;
		} else if (!ro) {
			struct diag wd = {0};
			diag_err(&wd, path, "interpreter %s not found", o->interp);
			diag_warn(s->w, &wd);
		}
	}
	return 0;
}

static int map_deps(struct lspace *s, struct diag *d)
{
	for (size_t i = 0; i < s->n; i++) {
		struct lmap *l = s->list[i];
		if (!l->o || !l->o->nneeded)
			continue;
		l->ndeps = l->o->nneeded;
		l->deps = arena_zalloc(&s->arena, l->ndeps * sizeof *l->deps);
		for (size_t k = 0; k < l->ndeps; k++) {
			struct lmap *dep = elf_map_object(s, l, l->o->needed[k], &l->deps[k]);
			l->deps[k].to = dep;
			if (dep && !dep->in_list) {
				if (s->n >= ELF_MAX_OBJECTS)
					return diag_err(d, s->main->name,
							"dependency closure exceeds %d objects", ELF_MAX_OBJECTS);
				push(s, dep);
			}
		}
	}
	return 0;
}

/* A corrupt table in the analyzed file is an error; in a library of its
 * closure, a warning, and that library's verdicts are only "likely". */
static int bind_all(struct lspace *s, bool *partial, struct diag *err)
{
	/* every object's symbols first: lookups walk the whole scope */
	for (size_t i = 0; i < s->n; i++) {
		struct diag d = {0};
		if (s->list[i]->o && eobj_symbols(s->list[i]->o, &d)) {
			/* (symbols of every object: lookups walk the scope) */
			if (i == 0) {
				*err = d;
				return -1;
			}
			diag_warn(s->w, &d);
			partial[i] = true;
		}
	}
	for (size_t i = 0; i < (s->c->o.bind_root_only ? 1 : s->n); i++) {
		struct diag d = {0};
		if (elf_bind_object(s, s->list[i], &d)) {
			if (i == 0) {
				*err = d;
				return -1;
			}
			diag_warn(s->w, &d);
			partial[i] = true;
		}
		partial[i] |= s->list[i]->refs_incomplete;
	}
	return 0;
}

/* Which objects must stay loaded, and which unused DT_NEEDED entries are
 * nonetheless load-bearing.  required: the executable and every object a
 * required object binds to.  live: reachable from the executable over
 * used (or kept) entries of live objects.  A required object that is not
 * live is loaded only through unused entries: the entries on one
 * breadth-first path to it are marked kept, until required <= live. */
static void verdicts(struct lspace *s, bool *live)
{
	size_t n = s->n;
	bool *req = xcalloc(n, 1);
	uint32_t *queue = xcalloc(n, sizeof *queue), *parent = xcalloc(n, sizeof *parent);
	size_t *pdep = xcalloc(n, sizeof *pdep);
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < s->list[i]->ndeps; k++) {
			struct ldep *dp = &s->list[i]->deps[k];
			/* an object whose references were not bound is not
			 * judged: its entries count as used */
			dp->used = !s->list[i]->binds_done ||
				   (dp->to && dp->to->pos != UINT32_MAX &&
				    s->list[i]->nbind[dp->to->pos] > 0);
		}
	size_t qh = 0, qt = 0;
	req[0] = true;
	queue[qt++] = 0;
	while (qh < qt) {
		struct lmap *l = s->list[queue[qh++]];
		for (size_t p = 0; l->nbind && p < n; p++)
			if (l->nbind[p] && !req[p]) {
				req[p] = true;
				queue[qt++] = (uint32_t)p;
			}
	}
	for (;;) {
		memset(live, 0, n);
		qh = qt = 0;
		live[0] = true;
		queue[qt++] = 0;
		while (qh < qt) {
			struct lmap *l = s->list[queue[qh++]];
			for (size_t k = 0; k < l->ndeps; k++) {
				struct ldep *dp = &l->deps[k];
				if (dp->to && (dp->used || dp->kept) && dp->to->in_list &&
				    !live[dp->to->pos]) {
					live[dp->to->pos] = true;
					queue[qt++] = dp->to->pos;
				}
			}
		}
		size_t miss = n;
		for (size_t i = 0; i < n && miss == n; i++)
			if (req[i] && !live[i])
				miss = i;
		if (miss == n)
			break;
		/* breadth-first path over all entries to the missing one */
		bool *seen = xcalloc(n, 1);
		qh = qt = 0;
		seen[0] = true;
		queue[qt++] = 0;
		while (qh < qt && !seen[miss]) {
			uint32_t u = queue[qh++];
			struct lmap *l = s->list[u];
			for (size_t k = 0; k < l->ndeps; k++) {
				struct lmap *t = l->deps[k].to;
				if (t && t->in_list && !seen[t->pos]) {
					seen[t->pos] = true;
					parent[t->pos] = u;
					pdep[t->pos] = k;
					queue[qt++] = t->pos;
				}
			}
		}
		bool reached = seen[miss];
		free(seen);
		if (!reached)
			break;   /* cannot happen: everything in the list was reached */
		for (uint32_t v = (uint32_t)miss; v; v = parent[v])
			s->list[parent[v]]->deps[pdep[v]].kept = true;
	}
	free(req);
	free(queue);
	free(parent);
	free(pdep);
}

static const char *lflag(struct graph *g, const char *soname)
{
	/* libfoo.so.1 -> -lfoo: what to drop from the link line */
	const char *b = soname;
	if (strncmp(b, "lib", 3))
		return graph_strf(g, "%s", b);
	const char *e = strstr(b, ".so");
	return graph_strf(g, "-l%.*s", (int)((e ? e : b + strlen(b)) - b - 3), b + 3);
}

static void emit_node(struct lspace *s, struct graph *g, struct lmap *l)
{
	const char *kind = ids_elf_kind(is_exe(s, l));
	struct gnode *nd = graph_add_node(g, kind, l->id, NULL);
	json_t *a = graph_node_attrs(nd);
	if (!l->o) {
		attr_bool(a, "found", false);
		return;
	}
	graph_node_set_size(nd, l->o->mf.n);
	if (!json_object_get(a, "path"))
		attr_str(a, "path", l->name);
	attr_bool(a, "found", true);
	if (l->found_via)
		attr_str(a, "found_via", l->found_via);
	if (l->o->soname)
		attr_str(a, "soname", l->o->soname);
	if (l->o->rpath)
		attr_str(a, "rpath", l->o->rpath);
	if (l->o->runpath)
		attr_str(a, "runpath", l->o->runpath);
	attr_str(a, "class", l->o->cls == ELFCLASS64 ? "ELF64" : "ELF32");
	attr_int(a, "machine", l->o->machine);
	if (l->o->has_init || l->o->init_array_n || l->o->preinit_array_n) {
		json_t *in = json_object();
		attr_bool(in, "DT_INIT", l->o->has_init);
		attr_int(in, "DT_INIT_ARRAY", (long long)l->o->init_array_n);
		json_object_set_new(a, "initializers", in);
	}
	if (l->nundef) {
		attr_int(a, "undefined_refs", l->nundef);
		attr_str(a, "undefined_sample", l->undef_sample);
	}
	if (l->is_main && s->c->o.sizes)
		elf_sizes(s->c, l->o, a, s->c->o.top_symbols > 0 ? s->c->o.top_symbols : 10,
			  s->w);
}

static void emit_edges(struct lspace *s, struct graph *g, struct lmap *l)
{
	for (size_t k = 0; k < l->ndeps; k++) {
		struct ldep *dp = &l->deps[k];
		const char *to = dp->to ? dp->to->id : ids_make(g, IDP_LIB, dp->name);
		if (!dp->to) {
			struct gnode *m = graph_add_node(g, NK_LIB, to, NULL);
			if (!json_object_get(graph_node_attrs(m), "found"))
				attr_bool(graph_node_attrs(m), "found", false);
		}
		struct gedge *e = graph_add_edge(g, l->id, to, EK_NEEDS);
		json_t *a = graph_edge_attrs(e);
		attr_str(a, "analyzer", "elf");
		attr_str(a, "name", dp->name);
		attr_int(a, "order", (long long)k);
		if (dp->to) {
			attr_str(a, "via", dp->via);
			if (dp->dir)
				attr_str(a, "dir", dp->dir);
			if (l->binds_done) {
				attr_bool(a, "used", dp->used);
				attr_int(a, "binds", dp->to->in_list ? l->nbind[dp->to->pos] : 0);
			}
		} else {
			attr_bool(a, "found", false);
			attr_str(a, "tried", dp->tried);
		}
	}
	for (size_t p = 0; l->nbind && p < s->n; p++) {
		if (!l->nbind[p] || s->list[p] == l)
			continue;
		struct gedge *e = graph_add_edge(g, l->id, s->list[p]->id, EK_BINDS);
		json_t *a = graph_edge_attrs(e), *smp = json_array();
		attr_str(a, "analyzer", "elf");
		attr_int(a, "count", l->nbind[p]);
		for (int i = 0; i < ELF_SAMPLES && i < (int)l->nbind[p]; i++)
			json_array_append_new(smp, json_string(l->samples[p][i]));
		json_object_set_new(a, "sample", smp);
	}
}

static void may_matter(struct lspace *s, struct lmap *l, struct lmap *d,
		       bool still_loaded, struct buf *why, json_t *mm)
{
	const char *smp = NULL;
	if (d->o->has_init || d->o->init_array_n || d->o->preinit_array_n) {
		buf_printf(why, "; its initializers still run at load time (DT_INIT %s, DT_INIT_ARRAY %llu)",
			   d->o->has_init ? "yes" : "no", (unsigned long long)d->o->init_array_n);
		json_array_append_new(mm, json_string("initializers"));
	}
	uint32_t sh = elf_shadowed_refs(s, l, d, &smp);
	if (sh) {
		buf_printf(why, "; it also defines %u symbols %s references (e.g. %s), bound earlier in the load order: it would interpose them if loaded first",
			   sh, l->id, smp);
		json_array_append_new(mm, json_string("interposition"));
	}
	if (still_loaded)
		buf_printf(why, "; other objects in the process still load it, so dropping the entry saves no bytes here");
}

/* d's initializers, which stop running when it is no longer loaded
 * (`slim prune` lists them) */
static void init_attrs(json_t *a, const struct lmap *d)
{
	if (d->o->has_init)
		attr_bool(a, "dt_init", true);
	if (d->o->init_array_n || d->o->preinit_array_n)
		json_object_set_new(a, "init_array",
				    json_integer((json_int_t)(d->o->init_array_n +
							      d->o->preinit_array_n)));
}

static void emit_findings(struct lspace *s, struct graph *g, const bool *live,
			  const bool *partial)
{
	size_t n = s->n;
	bool *counted = xcalloc(n, 1);
	struct buf why = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		struct lmap *l = s->list[i];
		for (size_t k = 0; k < l->ndeps; k++) {
			struct ldep *dp = &l->deps[k];
			struct lmap *d = dp->to;
			if (!d || dp->used || d == l || !d->in_list || !l->binds_done)
				continue;
			uint64_t bytes = 0;
			if (live[i] && !live[d->pos] && !counted[d->pos]) {
				bytes = d->o->mf.n;
				counted[d->pos] = true;
			}
			/* the same entry found unused in another input's process
			 * (gdb's closure, then libipt.so.2 on its own): one
			 * finding, which also accounts for it in this process, so
			 * it is no "unneeded-transitive" here */
			if (graph_finding(g, "unused-library", d->id, l->id))
				continue;
			buf_reset(&why);
			buf_printf(&why, "no symbol reference of %s binds to %s (DT_NEEDED %s, found via %s)",
				   l->id, d->id, dp->name, dp->via);
			json_t *mm = json_array();
			may_matter(s, l, d, live[d->pos], &why, mm);
			if (dp->kept && !live[d->pos])
				dp->kept = false;
			if (dp->kept)
				buf_printf(&why, "; but removing it would unload a library %s binds to through it: link that library directly first",
					   s->main->id);
			const char *fix = l->is_main
				? graph_strf(g, "drop %s from the link of %s, or link with -Wl,--as-needed",
					     lflag(g, dp->name), path_base(l->name))
				: graph_strf(g, "relink %s without %s, or with -Wl,--as-needed",
					     path_base(l->name), lflag(g, dp->name));
			struct gfinding *f = graph_add_finding(g, "unused-library", d->id, l->id, bytes,
							       partial[i] ? "likely" : "proven",
							       buf_cstr(&why), fix);
			json_t *a = graph_finding_attrs(f);
			json_object_set_new(a, "may_matter", mm);
			attr_str(a, "root", s->main->id);
			attr_bool(a, "direct", l->is_main);
			/* what `slim prune` removes, and what stops running */
			attr_str(a, "needed", dp->name);
			if (live[d->pos])
				attr_bool(a, "still_loaded", true);
			init_attrs(a, d);
			if (dp->kept)
				attr_bool(a, "load_bearing", true);
		}
	}
	for (size_t i = 1; i < n; i++) {
		struct lmap *d = s->list[i];
		if (live[i] || counted[i] || d->is_rtld)
			continue;
		struct lmap *by = d->loader ? d->loader : s->main;
		if (graph_finding(g, "unneeded-transitive", d->id, by->id))
			continue;
		buf_reset(&why);
		buf_printf(&why, "%s loads it only through DT_NEEDED entries no reference binds to (first needed by %s)",
			   s->main->id, by->id);
		struct gfinding *f = graph_add_finding(g, "unneeded-transitive", d->id, by->id, d->o->mf.n,
						       partial[0] ? "likely" : "proven", buf_cstr(&why),
						       "goes away with the unused DT_NEEDED entries that load it");
		attr_str(graph_finding_attrs(f), "root", s->main->id);
		init_attrs(graph_finding_attrs(f), d);
	}
	buf_free(&why);
	free(counted);
}

/* Whether id already names another file in this run: two inputs (or two
 * closures) of one run may hold different files with one SONAME -- CUDA's
 * libcheckpoint.so in lib64 and Debian's in /usr/lib -- which one node
 * would conflate (the first's path with the second's size). */
static bool names_other(struct elf_ctx *c, const char *id, const struct eobj *o)
{
	const struct eobj *had = hmap_gets(&c->ids, id);
	return had && had != o;
}

/* Node ids: unique within the process image (two objects with one SONAME
 * cannot both be loaded; two unnamed ones with one file name can), and
 * within the run: an id naming another file gets the same "~K" suffix. */
static void assign_ids(struct lspace *s, struct graph *g)
{
	struct hmap used = {0};
	for (size_t i = 0; i < s->n; i++) {
		struct lmap *l = s->list[i];
		const char *id = node_id(s, l, g);
		for (int k = 2; hmap_gets(&used, id) || (l->o && names_other(s->c, id, l->o)); k++)
			id = graph_strf(g, "%s~%d", node_id(s, l, g), k);
		hmap_put(&used, id, strlen(id), l);
		if (l->o && !hmap_gets(&s->c->ids, id)) {
			const char *key = arena_strdup(&s->c->arena, id);
			hmap_put(&s->c->ids, key, strlen(key), l->o);
		}
		l->id = id;
	}
	hmap_free(&used);
}

int elf_analyze(struct elf_ctx *c, struct graph *g, const char *path,
		const char **root_id, struct diag_list *w, struct diag *d)
{
	struct lspace s = {.c = c, .w = w};
	s.strs.arena = &s.arena;
	int rc = -1;
	bool *live = NULL, *partial = NULL;
	if (!elf_ctx_rootfd_ok(c)) {
		diag_err(d, c->o.sysroot, "cannot open sysroot directory");
		goto out;
	}
	if (load_main(&s, path, d) || map_deps(&s, d))
		goto out;
	assign_ids(&s, g);
	live = xcalloc(s.n, 1);
	partial = xcalloc(s.n, 1);
	if (!c->o.no_bind) {
		if (bind_all(&s, partial, d))
			goto out;
		verdicts(&s, live);
		if (s.rtld && s.rtld->in_list)
			live[s.rtld->pos] = true;   /* the interpreter is always loaded */
	}
	for (size_t i = 0; i < s.n; i++)
		emit_node(&s, g, s.list[i]);
	for (size_t i = 0; i < s.n; i++)
		emit_edges(&s, g, s.list[i]);
	if (!c->o.no_bind)
		emit_findings(&s, g, live, partial);
	struct ginput *in = graph_add_input(g, path, eobj_is_program(s.main->o) ? "elf-exec" : "elf-shared",
					    s.list[0]->id);
	if (c->o.hash_inputs)
		sha256_hex(s.main->o->mf.p, s.main->o->mf.n, in->sha256);
	if (root_id)
		*root_id = s.list[0]->id;
	rc = 0;
out:
	free(live);
	free(partial);
	for (size_t i = 0; i < s.n; i++)
		free(s.list[i]->libnames);
	if (s.rtld && !s.rtld->in_list)
		free(s.rtld->libnames);
	free(s.list);
	strtab_free(&s.strs);
	arena_free(&s.arena);
	return rc;
}
