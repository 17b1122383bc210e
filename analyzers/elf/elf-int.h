/*
 * elf-int.h - state shared by the ELF analyzer's files (not a public API).
 *
 * struct lmap mirrors glibc's struct link_map for what the loader decides:
 * the name an object was found as (l_name), the names it was requested by
 * (l_libname), the object that first loaded it (l_loader), its $ORIGIN,
 * and its place in the global scope (the executable's l_searchlist, built
 * breadth-first by _dl_map_object_deps).
 */
#ifndef SLIM_ELF_INT_H
#define SLIM_ELF_INT_H

#include "slim-elf.h"
#include "eobj.h"
#include "ldcache.h"
#include "../../common/arena.h"
#include "../../common/buf.h"
#include "../../common/hmap.h"

#include <jansson.h>

struct lmap;

struct ldep {                /* one DT_NEEDED entry of an object */
	const char *name;    /* as written */
	struct lmap *to;     /* NULL: not found */
	const char *via;     /* "rpath", "LD_LIBRARY_PATH", "runpath",
			      * "ld.so.cache", "default", "path", "loaded" */
	const char *dir;     /* directory it was found in, or NULL */
	const char *tried;   /* every place tried, "; "-separated (not found) */
	bool used;           /* some reference of the object binds to `to` */
	bool kept;           /* unused, but removal would unload a bound lib */
};

struct lmap {
	struct eobj *o;          /* NULL when not found (glibc's l_faked) */
	const char *name;        /* l_name: the path found, or the DT_NEEDED name */
	const char **libnames;   /* names requested by */
	size_t nlibnames, caplibnames;
	struct lmap *loader;     /* l_loader */
	const char *origin;      /* $ORIGIN, NULL when unknown */
	const char *id;          /* graph node id */
	const char *found_via;
	uint32_t pos;            /* index in the scope; UINT32_MAX: not in it */
	bool is_main, is_rtld, in_list;
	struct ldep *deps;
	size_t ndeps;
	uint32_t *nbind;         /* references bound to scope[i] (n entries) */
	const char ***samples;   /* up to ELF_SAMPLES symbol names per target */
	uint32_t nundef;         /* strong references nothing defines */
	const char *undef_sample;
	bool binds_done;
	bool refs_incomplete;    /* a reference could not be read: what it
				  * binds to is unknown */
};

#define ELF_SAMPLES 5
#define ELF_MAX_OBJECTS 4096

struct elf_ctx {
	struct elf_opts o;
	struct elf_ctx *left_next;   /* the contexts left for the kernel at exit */
	int rootfd;                  /* sysroot dir fd, -1 for / */
	struct ldcache cache;
	bool cache_tried;
	struct hmap objs;            /* "dev:ino" -> struct eobj* */
	struct hmap paths;           /* 'R' (in the root) or 'H', then a path ->
				      * its answer (search.c, elf_ctx_load()) */
	struct hmap realdirs;        /* a program's directory -> its real path
				      * (analyze.c, real_dir_of()) */
	struct hmap subdirs;         /* dir -> (void*)1 has hwcaps subdirs, 2 none */
	struct hmap ids;             /* node id -> the object it names in this run (multi-file runs) */
	struct hmap findings;        /* findings already emitted (multi-file runs) */
	struct hmap bind_memo;       /* a library's bindings in the scope after
				      * the executable (bind.c) */
	struct hmap bind_pairs;      /* (library, definer) -> what the definer
				      * defines of the library's references */
	struct arena arena;          /* keys, strings that live with the ctx */
	struct strtab strs;
	const char *hwcaps[4];       /* supported glibc-hwcaps, best first */
	/* $PLATFORM (NULL: none) and the components of the legacy hwcap
	 * subdirectories in glibc's order (hwcap bits, platform, "tls");
	 * set by elf_ctx_legacy() on first use */
	bool legacy_done;
	const char *platform;
	const char *legacy[4];
	size_t nlegacy;
};

/* Fill c->platform and c->legacy as ld.so would on the machine that runs
 * the program (this CPU, or --cpu's level with this CPU's vendor). */
void elf_ctx_legacy(struct elf_ctx *c);

struct lspace {                      /* one analysis: a process image */
	struct elf_ctx *c;
	struct lmap **list;          /* scope: breadth-first load order */
	size_t n, cap;
	struct lmap *main, *rtld;
	const char *secure;          /* why ld.so runs the program with
				      * AT_SECURE ("set-user-ID", ...), or NULL */
	const char *dropped;         /* why expand_dst() last dropped a path */
	struct arena arena;
	struct diag_list *w;
	struct strtab strs;
};

/* search.c: _dl_map_object for one DT_NEEDED `name` of `loader`.  Returns
 * the lmap (possibly one already loaded) or NULL with dep->tried filled. */
struct lmap *elf_map_object(struct lspace *s, struct lmap *loader,
			    const char *name, struct ldep *dep);
/* Load (or reuse) the object at path inside the root; NULL + d on error. */
struct eobj *elf_ctx_load(struct elf_ctx *c, const char *path, bool in_root,
			  int *err, struct diag *d);
struct lmap *elf_new_lmap(struct lspace *s, struct eobj *o, const char *name,
			  struct lmap *loader);
/* dirname of path (interned), for $ORIGIN */
const char *elf_dirname(struct lspace *s, const char *path);

/* bind.c: resolve every symbol reference of l in the scope. */
int elf_bind_object(struct lspace *s, struct lmap *l, struct diag *d);

/* References of l that d also defines (bound elsewhere, earlier in the
 * scope): what d could interpose if the load order changed. */
uint32_t elf_shadowed_refs(struct lspace *s, struct lmap *l, struct lmap *d,
			   const char **sample);

/* sizes.c: per-section and largest-symbol sizes of the analyzed file. */
void elf_sizes(struct elf_ctx *c, struct eobj *o, json_t *attrs, int top,
	       struct diag_list *w);

#endif
