/*
 * linkmap.h - linker maps of GNU ld (BFD), gold, lld and mold, parsed into
 * one attribution model and merged into the graph (issue 4).
 *
 * The model (struct linkmap) is what one map says:
 *   output section -> input section -> input file (object or archive member)
 * with address, size and alignment; fills, padding and linker-generated
 * pieces (gold "** ...", lld "<internal>", mold sections with no inputs);
 * the discarded input sections (BFD and gold list them; for lld and mold
 * linkmap_derive_discarded() reads them from the inputs); for each archive
 * member the file and symbol that pulled it in (BFD and gold print it; lld
 * --why-extract or mold --print-dependencies output supplies it, else
 * linkmap_derive_pulls() derives a chain from the inputs' symbol tables);
 * and with GNU --cref, how many of each member's symbols others use.
 *
 * Files: linkmap.c (detection, model, numbers), lm-gnu.c (BFD, gold),
 * lm-cref.c (--cref), lm-columns.c (lld, mold, why-extract, deps),
 * lm-objects.c (reading the inputs: discarded sections, pulls, members
 * loaded but absent from the map), lm-cause.c (why each section was
 * discarded), lm-binary.c (does the map describe this executable), lm-load.c (a
 * map file into the graph for `slim report`), lm-read.c (the inputs, libelf),
 * lm-merge.c (graph).
 *
 * Invariants after linkmap_parse() returns 0:
 *   1. every isec's file and osec index is < nfiles / nosecs;
 *   2. files[i].pulled_by is -1 or < nfiles;
 *   3. an osec's size == inputs + linker + padding, where padding is what
 *      the map's input lines leave unexplained (alignment gaps).  Inputs
 *      count by address coverage: an input overlapping earlier ones (BFD
 *      prints merged string sections at overlapping addresses) adds only
 *      the bytes past them, and nothing outside its output section;
 *   4. strings point into the map buffer or the model's arena: keep the
 *      buffer mapped as long as the model.
 * linkmap_check() asserts 1-3; linkmap_parse() runs it before returning.
 */
#ifndef SLIM_LINKMAP_H
#define SLIM_LINKMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/arena.h"
#include "../common/hmap.h"

#include <libelf.h>

struct graph;
struct diag;
struct diag_list;

enum linkmap_linker { LM_UNKNOWN, LM_BFD, LM_GOLD, LM_LLD, LM_MOLD };

/* A string slice into the map (not NUL-terminated). */
struct lm_str {
	const char *p;
	uint32_t n;
};

struct lm_file {
	const char *path;      /* as the map prints it, NUL-terminated (arena) */
	const char *archive;   /* archive path, or NULL for a plain object */
	const char *member;    /* member name, or NULL */
	const char *id;        /* "obj:libz.a(inflate.o)" / "obj:main.o" */
	bool linker;           /* linker-generated: "<internal>", "** ..." */
	bool lto;              /* an LTO partition (ltrans, ld-temp.o) */
	bool derived;          /* pulled_by/pulled_sym derived, not printed */
	bool loaded;           /* listed as loaded from an archive (BFD and
				  gold name a thin archive's member by its
				  path alone, so archive may be NULL) */
	bool unlisted;         /* loaded, found by linkmap_derive(): the map
				  names none of its sections (all discarded) */
	bool read;             /* linkmap_derive() read it (libelf) */
	uint32_t arindex;      /* its position in its archive, from 1 (read) */
	int32_t pulled_by;     /* index of the file that pulled it, or -1 */
	const char *pulled_sym;/* the symbol, or NULL */
	uint32_t xref_syms;    /* --cref: symbols it defines others use */
	int32_t xref_by;       /* --cref: a file using the first of them */
	const char *xref_sym;  /* --cref: that symbol (as the map prints it) */
	uint64_t bytes;        /* live bytes in the output */
	uint64_t discarded;    /* bytes of its discarded input sections */
	uint32_t nlive, ndead; /* input sections kept / discarded */
};

enum { LM_ISEC_LIVE = 0, LM_ISEC_DISCARDED = 1, LM_ISEC_FILL = 2 };

/* Why a discarded input section is not in the output (lm-cause.c):
 *   GC      --gc-sections found nothing that references it
 *   COMDAT  its COMDAT group was kept from another file (an inline
 *           function or template instantiation emitted twice), or it is
 *           the .group record of such a duplicate
 *   MERGED  consumed into something the linker writes itself: the
 *           .note.gnu.property / .note.GNU-stack notes, the .group
 *           record of a kept group
 *   SCRIPT  /DISCARD/ in the linker script
 *   ICF     folded into an identical section (--icf) */
enum lm_cause { LM_CAUSE_NONE, LM_CAUSE_GC, LM_CAUSE_COMDAT, LM_CAUSE_MERGED,
		LM_CAUSE_SCRIPT, LM_CAUSE_ICF };
const char *linkmap_cause_name(enum lm_cause c);

struct lm_isec {
	struct lm_str name;
	uint32_t file;         /* index into files */
	uint32_t osec;         /* index into osecs (0 for discarded) */
	uint64_t addr, size;
	uint64_t bytes;        /* what it adds to the output: size less any
				  overlap with earlier inputs (merged strings) */
	uint32_t align;        /* 0 where the map does not say */
	uint8_t state;         /* LM_ISEC_* */
	uint8_t cause;         /* enum lm_cause, for discarded ones */
	bool cause_by_name;    /* cause from names alone (inputs unread) */
	uint32_t line;
};

struct lm_osec {
	struct lm_str name;
	uint64_t addr, size;
	uint32_t align;
	uint64_t inputs;       /* bytes of object/member input sections */
	uint64_t linker;       /* linker-generated pieces and explicit fills */
	uint64_t padding;      /* size - inputs - linker */
	uint32_t ninputs;      /* input-section lines (fills included) */
	uint32_t line;
};

struct linkmap {
	enum linkmap_linker linker;
	const char *path;      /* the map's path, for diagnostics */
	const char *output;    /* output file named in the map, or NULL */
	uint64_t nlines;       /* lines read */
	struct arena arena;
	struct strtab strs;
	struct lm_file *files;
	size_t nfiles, capfiles;
	struct hmap file_by_path;
	struct lm_osec *osecs;
	size_t nosecs, caposecs;
	struct lm_isec *isecs;
	size_t nisecs, capisecs;
	bool has_discard_list; /* the map lists discarded sections (BFD/gold) */
	bool has_pulls;        /* pulled_by comes from the map or why-extract */
	bool derived_discards; /* discarded sections read from the objects */
	bool has_cref;         /* GNU --cref table read (xref_* are set) */
	bool derived_members;  /* loaded members absent from the map searched */
	bool members_unknown;  /* they could not be: an input unread (or LTO) */
	uint32_t inputs_read;  /* linkmap_derive(): inputs read / not read */
	uint32_t inputs_unread;
	const char *unread;    /* the first input that could not be read */
};

const char *linkmap_linker_name(enum linkmap_linker l);

/* Which linker wrote the map in [p, p+n): LM_UNKNOWN if none. */
enum linkmap_linker linkmap_detect(const char *p, size_t n);

/*
 * Parse the map in [p, p+n) (read from `path`) into m (zeroed by the
 * caller).  Returns 0, or -1 with d set (file and line).  The model points
 * into [p, p+n): keep it mapped until linkmap_free().
 */
int linkmap_parse(struct linkmap *m, const char *path, const char *p,
		  size_t n, struct diag_list *w, struct diag *d);

/*
 * Read lld `--why-extract=FILE` output ("reference<TAB>extracted<TAB>
 * symbol" lines) from [p, p+n) and set each extracted member's pulled_by and
 * pulled_sym; members it names that the map lacks (all of their sections
 * were discarded) are added with no live bytes.  Returns 0 or -1 with d set.
 */
int linkmap_read_why_extract(struct linkmap *m, const char *path,
			     const char *p, size_t n, struct diag *d);
/* The same, reading the file at path (lm-load.c). */
int linkmap_read_why_file(struct linkmap *m, const char *path, struct diag *d);

/*
 * lld and mold maps list only kept sections: read the loaded objects and
 * archive members (libelf) and add each allocated section the map does not
 * list as discarded (see lm-objects.c for what is skipped).  Files that
 * cannot be read are warnings in w.  No-op for BFD and gold.  Returns 0.
 */
int linkmap_derive_discarded(struct linkmap *m, struct diag_list *w,
			     struct diag *d);

/*
 * Where neither the map nor --why-extract says which symbol pulled each
 * archive member (lld, mold): read the symbol tables of the inputs the map
 * names (libelf) and derive a chain breadth-first from the program's own
 * objects, each member pulled by the first file that leaves one of its
 * symbols undefined.  Marked `derived`.  No-op when pulls are known.
 */
int linkmap_derive_pulls(struct linkmap *m, struct diag_list *w, struct diag *d);

/*
 * Everything the map leaves out that its inputs can tell (the default of
 * `slim linkmap` and `slim report --map`; --no-derive skips it): for lld and
 * mold the archive members loaded but absent from the map, the discarded
 * sections and the pulls (the three above, in that order); for every
 * linker the cause of each discarded section.  Inputs that cannot be read
 * are counted (inputs_unread) and warned about in w.  Returns 0.
 */
int linkmap_derive(struct linkmap *m, struct diag_list *w, struct diag *d);

/*
 * lld and mold: members of the archives the map names that the link must
 * have loaded although the map lists none of their sections (all were
 * discarded): those defining a symbol that a loaded file references (not
 * weakly) and no loaded file defines, to a fixed point, as lld and mold
 * search archives whatever their position.  Added as loaded, unlisted and
 * derived.  No-op when the map or --why-extract lists the loaded members.
 */
int linkmap_derive_members(struct linkmap *m, struct diag_list *w, struct diag *d);

/* The cause of every discarded section (lm-cause.c): with read_inputs,
 * read the inputs for their COMDAT groups where they can be read; names
 * alone where not (cause_by_name).  --no-derive runs it without. */
void linkmap_causes(struct linkmap *m, bool read_inputs);

/*
 * Whether the map describes the ELF file [p, p+n) read from `bin`: every
 * allocated section of the file (section headers, which survive strip)
 * that the map names as an output section has the map's address and size,
 * and at least one does.  Returns 0, or -1 with d naming the first that
 * differs.
 */
int linkmap_check_binary(const struct linkmap *m, const char *bin,
			 const void *p, size_t n, struct diag *d);

/* What a view says when the map lists no discarded sections and none
 * could be derived; NULL when they are known.  Static or arena text. */
const char *linkmap_discards_unknown(const struct linkmap *m);

/* How `slim report` loads a map (lm-load.c). */
struct linkmap_load_opts {
	const char *why;         /* lld --why-extract / mold deps file, or NULL */
	bool no_derive;          /* --no-derive: do not read the inputs */
	const char *bin;         /* the ELF file the map must describe, or NULL */
	const char *output_node; /* as linkmap_to_graph() */
};

/*
 * Read the map at `path` and merge it into g: parse, --why-extract, derive
 * (unless no_derive), refuse it unless it describes o->bin (when given),
 * then linkmap_to_graph().  Warnings (inputs unread, nothing derived) go
 * to w.  Returns 0, or -1 with d set; g is unchanged on -1.
 */
int linkmap_load(struct graph *g, const char *path,
		 const struct linkmap_load_opts *o, struct diag_list *w,
		 struct diag *d);

/* What a run asks of the maps it merges (r->map). */
struct linkmap_opts {
	const char *why;         /* lld --why-extract / mold deps file, or NULL */
	bool no_derive;          /* --no-derive */
};

/*
 * lm-input.c: the analyzer interface (common/run.h).  Each of the n maps
 * through linkmap_load() into in[i].node (the ELF file it must describe,
 * or NULL for a map on its own), with r->map's options; warnings to r->w,
 * one error per map refused to errs.  0, or -1 when any failed.
 */
struct input;
struct run;
int linkmap_merge(struct graph *g, const struct input *in, size_t n,
		  const struct run *r, struct diag_list *errs);

/* 0 if invariants 1-3 above hold, else -1 with the first broken one in d
 * (a parser bug, never an input error). */
int linkmap_check(const struct linkmap *m, struct diag *d);

void linkmap_free(struct linkmap *m);

/* Index of the file printed as `path` (created if absent). */
uint32_t lm_file_intern(struct linkmap *m, const char *path, size_t len);

/* --- internal to linkmap/: reading the inputs the map names (libelf) --- */
struct lm_reader;
/* Called with each readable input: file is its index, or LM_NOFILE for an
 * archive member the map does not name (only when r->all_members), then
 * r->archive / r->member say which. */
#define LM_NOFILE UINT32_MAX
typedef void (*lm_visit_fn)(struct lm_reader *r, uint32_t file, Elf *e);
struct lm_reader {
	struct linkmap *m;
	lm_visit_fn visit;
	void *ctx;               /* the visitor's own state */
	bool all_members;        /* visit members the map does not name too */
	const char *archive;     /* archive of the member being visited */
	const char *member;      /* its name (LM_NOFILE visits) */
	bool *done;              /* per file: visited in this pass */
	size_t nfiles;           /* files when the pass began */
	uint32_t arindex;        /* members of the current archive so far */
};
/* Call r->visit on every input the map names that can be read. */
void lm_visit_inputs(struct lm_reader *r);

/*
 * Merge a parsed model into g: object nodes, `includes` edges from
 * `output_node` (created as kind "exe" if absent; NULL means
 * "exe:<output named in the map>", else "exe:<map file name>"), `pulls`
 * edges, discarded-section / dead-archive-member findings, and the
 * per-output-section totals under g->totals["linkmap"].
 */
int linkmap_to_graph(const struct linkmap *m, struct graph *g,
		     const char *output_node, struct diag *d);

/*
 * Only the output node, the map as an input and g->totals["linkmap"] (the
 * same totals linkmap_to_graph() writes): what `slim linkmap`'s text
 * prints, without the nodes, edges and findings it does not need.
 */
void linkmap_totals_to_graph(const struct linkmap *m, struct graph *g,
			     const char *output_node);

/*
 * Parse the map in [p, p+n) (read from `path`) and merge it into g: object
 * and archive-member nodes, `includes` edges from `output_node` (created
 * as kind "exe" if absent; NULL means "exe:<output file named in the map>"),
 * `pulls` edges, discarded-section / dead-archive-member findings.
 * Returns 0, or -1 with d set (file and line).  Warnings go to w.
 */
int linkmap_merge_buf(struct graph *g, const char *path, const char *p, size_t n,
		      const char *output_node, struct diag_list *w, struct diag *d);

/* --- internal to linkmap/: the line reader and number parsing --- */
struct lm_lines {
	const char *p, *end;
	uint32_t lineno;
};
/* Next line (without '\n', or "\r\n") into *s; false at the end. */
static inline bool lm_next_line(struct lm_lines *r, struct lm_str *s)
{
	if (r->p >= r->end)
		return false;
	const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
	const char *e = nl ? nl : r->end;
	if (e > r->p && e[-1] == '\r')
		e--;
	s->p = r->p;
	s->n = (uint32_t)(e - r->p);
	r->p = nl ? nl + 1 : r->end;
	r->lineno++;
	return true;
}

/* Parse a number at *pp (within end): hex with or without "0x" (base 16)
 * or decimal (base 10).  Returns 0 and advances *pp past it, 1 if there is
 * no number there, -1 if it overflows 64 bits or has trailing junk. */
int lm_number(const char **pp, const char *end, int base, uint64_t *out);
const char *lm_skip_spaces(const char *p, const char *end);

int lm_parse_gnu(struct linkmap *m, const char *p, size_t n,
		 struct diag_list *w, struct diag *d);
/* The --cref table, from r's position to the end (lm-cref.c); symdef
 * (gold): symbol -> defining file + 1 from the memory map, or NULL. */
void lm_parse_cref(struct linkmap *m, struct lm_lines *r,
		   const struct hmap *symdef);
int lm_parse_columns(struct linkmap *m, const char *p, size_t n,
		     struct diag_list *w, struct diag *d);
uint32_t lm_add_osec(struct linkmap *m, const char *name, size_t len,
		     uint64_t addr, uint64_t size, uint32_t line);
void lm_add_isec(struct linkmap *m, uint32_t osec, uint32_t file,
		 const char *name, size_t len, uint64_t addr, uint64_t size,
		 uint32_t align, int state, uint32_t line);
/* Close the model: per-osec totals, per-file totals; -1 on an overrun. */
int lm_finish(struct linkmap *m, struct diag *d);

#endif
