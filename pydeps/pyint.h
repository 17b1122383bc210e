/*
 * pyint.h - what the files of pydeps/ share (not a public API; the tests
 * use it to reach the parsers directly).
 *
 * Invariants of a struct pyset after pydeps_inventory():
 *   1. mods[i].name is unique (the first root in --root order that holds a
 *      name wins; later copies are counted in `shadowed`);
 *   2. a module's parent (a.b for a.b.c) is a module of the set, or -1 for
 *      a top-level name;
 *   3. every file belongs to at most one module (pyfile.mod) or to a
 *      distribution's metadata (pyfile.dist with mod == -1);
 *   4. a namespace package (is_ns) has a module in its subtree, or is
 *      itself a module file (NAME.py, NAME.so beside a directory NAME): a
 *      directory without __init__ and without any module below it is data
 *      of the package holding it (its files are that package's PYF_DATA),
 *      never a module of its own;
 *   5. an extension module (is_ext, walked from a directory) exports
 *      PyInit_<name>; any other shared object is a PYF_NATIVE file.
 */
#ifndef SLIM_PYINT_H
#define SLIM_PYINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/hmap.h"

struct diag_list;

/* ---- traces (trace.c) ---- */
enum py_loader { PYL_UNKNOWN, PYL_SOURCE, PYL_BYTECODE, PYL_EXTENSION,
		 PYL_BUILTIN, PYL_FROZEN, PYL_NAMESPACE };

struct pytrace_mod {
	const char *name;        /* arena */
	const char *path;        /* arena or NULL */
	const char *parent;      /* enclosing import in importtime, or NULL */
	long long self_us, cum_us;  /* -1 when not known */
	enum py_loader loader;
	uint64_t line;
};

struct pytrace {
	const char *path;
	const char *format;      /* importtime, verbose, record, list */
	struct pytrace_mod *mods;
	size_t nmods, cap;
	const char **opened;     /* files opened (recorder traces) */
	size_t nopened, capopened;
	const char **loaded;     /* of those, the "load" lines: shared
				  * objects dlopen'd or mapped at exit */
	size_t nloaded, caploaded;
};

/* Parse one trace held in [p, p+n); never fails: malformed lines become
 * warnings (file and line) in w.  Strings live in arena a. */
void pytrace_parse(struct pytrace *t, const char *path, const char *p,
		   size_t n, struct arena *a, struct diag_list *w);
void pytrace_free(struct pytrace *t);
bool py_is_dotted_name(const char *s, size_t n);

/* ---- inventory (inventory.c, dist.c, zip.c) ---- */
/* PYF_NATIVE: a shared object of a package that exports no PyInit_<name>,
 * so no import can load it: a native library the package loads itself
 * (ctypes, DT_NEEDED of an extension); kept with its package like data */
enum pyfile_kind { PYF_SOURCE, PYF_BYTECODE, PYF_EXT, PYF_DATA, PYF_META,
		   PYF_NATIVE };

struct pyfile {
	const char *path;        /* absolute or as given with the root */
	uint64_t size;
	int mod;                 /* owning module, -1: none */
	int dist;                /* owning distribution (metadata), -1 */
	enum pyfile_kind kind;
};

enum py_class { PYC_UNREF, PYC_NATIVE, PYC_STRING, PYC_REACH, PYC_USED };

enum py_tag { PYT_TOP, PYT_DELAYED, PYT_OPTIONAL, PYT_TYPECHECK, PYT_STRING,
	      PYT_PREFIX, PYT_ENTRY, PYT_PARENT, PYT_ELFSTR };

struct pyref {               /* one static reference found by the scan */
	char *name;              /* absolute dotted name (malloc'd) */
	uint32_t line;
	enum py_tag tag;
	uint32_t try_id;         /* scan only: innermost try body, 0 none */
	bool from_import;        /* `from name import x`: x listed in `sub` */
	char **sub;              /* names after import, malloc'd */
	size_t nsub;
};

struct pymod {
	const char *name;        /* dotted, arena */
	const char *dir;         /* package directory, or NULL */
	const char *src;         /* source file to scan, or NULL */
	const char *so;          /* extension module's shared object, or NULL */
	const char *zip;         /* zip holding the source (in_zip), or NULL */
	uint64_t zlho, zcsize, zusize;   /* the source member in that zip */
	unsigned zmethod;
	int root;
	int parent;              /* module index or -1 */
	int dist;                /* distribution index or -1 */
	bool is_pkg, is_ext, is_ns, in_zip;
	uint64_t bytes;          /* own files (not submodules') */
	uint32_t nfiles;
	/* scan results (written by one scan thread only) */
	struct pyref *refs;
	size_t nrefs, caprefs;
	unsigned ndynamic;       /* imports by a non-literal name */
	bool scan_failed;
	bool scanned;            /* scan attempted (sources are scanned lazily) */
	/* classification */
	enum py_class cls;
	int via;                 /* module that made it kept, -1 */
	bool subtree_kept;       /* this or some descendant is kept */
	uint64_t tree_bytes;     /* bytes of the package subtree */
};

struct pydist {
	const char *name;        /* "Flask" */
	const char *meta_dir;    /* the *.dist-info / *.egg-info directory */
	int root;
	const char **top;        /* top_level.txt names / RECORD top names */
	size_t ntop;
	char **ep_group, **ep_target; /* entry points (group, module) */
	size_t nep;
	uint64_t meta_bytes;
	bool kept;
};

struct pyroot {
	const char *path;
	uint64_t dev, ino;
	bool is_zip;
	bool auto_added;
	bool is_script;          /* one entry script: never walked or pruned */
};

struct run;

struct pyset {
	struct arena arena;
	struct pyroot *roots;
	size_t nroots, caproots;
	struct pymod *mods;
	size_t nmods, capmods;
	struct pyfile *files;
	size_t nfiles, capfiles;
	struct pydist *dists;
	size_t ndists, capdists;
	struct hmap by_name;     /* module name -> index+1 */
	struct hmap dist_by_top; /* top-level name -> dist index+1 */
	struct hmap ep_groups;   /* entry-point group name -> (void *)1 */
	uint64_t shadowed;
	uint64_t scanned_bytes;
	struct hmap opened;      /* files the traced runs opened or loaded
				    (shared objects), as root paths */
	bool have_opens;         /* some trace is a record trace: what it did
				    not open or load, no recorded run did */
	bool prune_data;         /* --prune-data: data files nobody opened go */
	bool no_evidence;        /* no trace, no script: classify, prune nothing */
	struct hmap needed;      /* DT_NEEDED names of every .so walked */
	const struct run *run;   /* the run: ELF questions go to its services */
};

/* Walk every root (directories and zip/wheel files) into s.  Unreadable
 * entries, symlink loops and corrupt archives are warnings. */
void pydeps_inventory(struct pyset *s, const char **roots, size_t nroots,
		      bool auto_roots, struct diag_list *w);
int pyset_find(const struct pyset *s, const char *name, size_t len);
int pyset_add_mod(struct pyset *s, const char *name, int root, int parent);
int pyset_add_file(struct pyset *s, const char *path, uint64_t size,
		   int mod, enum pyfile_kind kind);
void pyset_free(struct pyset *s);

/* dist.c: read *.dist-info / *.egg-info (top_level.txt, RECORD,
 * entry_points.txt) of directory `dir`; then map modules to dists. */
void pydist_read(struct pyset *s, int root, const char *dir,
		 struct diag_list *w);
void pydist_assign(struct pyset *s);

/* zip.c: list a zip or wheel's central directory into s as root `root`. */
void pyzip_inventory(struct pyset *s, int root, struct diag_list *w);
/* Parse a central directory held in [p, p+n); calls cb per member.  Returns
 * 0, or -1 with a warning (offset) in w when the archive is corrupt. */
struct pyzip_member {
	const char *name;        /* points into the archive, not NUL-terminated */
	size_t namelen;
	uint64_t csize, usize;   /* compressed and uncompressed sizes */
	uint64_t lho;            /* offset of the local file header */
	unsigned method;         /* 0 stored, 8 deflate */
};
int pyzip_walk(const unsigned char *p, size_t n, const char *path,
	       void (*cb)(void *ctx, const struct pyzip_member *m),
	       void *ctx, struct diag_list *w);
/* The bytes of one member of the zip [p, p+n): stored or deflated (zlib),
 * never more than the declared size (itself capped at 64 MiB).  0 with a
 * malloc'd buffer the caller frees, or -1 when corrupt or unsupported. */
int pyzip_read(const unsigned char *p, size_t n, uint64_t lho, unsigned method,
	       uint64_t csize, uint64_t usize, char **out, size_t *outn);

/* ---- static scan (scan.c) ---- */
/* Scan one module's source text [p, p+n) (comments and strings blanked,
 * imports found with pcre2, tagged by block); results go to m->refs and
 * m->ndynamic.  `s` is only read (module and entry-point lookups), so
 * several threads may scan different modules at once. */
void pyscan_source(const struct pyset *s, struct pymod *m, const char *p,
		   size_t n);
/* Scan the listed modules (those with a source file, not yet scanned)
 * with `threads` threads; NULL/0 = every module. */
void pyscan_list(struct pyset *s, const int *mods, size_t n, int threads,
		 struct diag_list *w);
void pyref_free_all(struct pymod *m);
/* native.c: module names among an extension module's .rodata strings
 * become `elf-string` references (thread-safe like pyscan_source). */
void pynative_scan(const struct pyset *s, struct pymod *m);
/* 1 when the shared object at path exports PyInit_<stem> (or PyInitU_*,
 * PEP 489's name for non-ASCII modules): an extension module; 0 when it
 * does not, or is no readable ELF (Python could not import it either).
 * Its DT_NEEDED names join s->needed. */
int pynative_is_extension(struct pyset *s, const char *path, const char *stem,
			  size_t stemlen);
/* whether a kept package's shared object (native library) may be loaded:
 * named by some DT_NEEDED walked, or by its name, its stem, or a ".so"
 * pattern in a source of its top-level package (raw text: errs on yes) */
bool pynative_named(const struct pyset *s, const char *path, int mod);
const char *py_tag_name(enum py_tag t);
const char *py_class_name(enum py_class c);

#endif
