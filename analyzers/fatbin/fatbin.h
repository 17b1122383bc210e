/*
 * fatbin.h - CUDA fat binaries in ELF files and archives (issue 5).
 *
 * Three layers, each usable on its own (fuzz harnesses call them directly):
 *
 *   fatbin_scan_buf()   every fatbin container of an ELF file or ar archive
 *                       held in memory: the three sections nvcc writes
 *                       (.nv_fatbin, __nv_relfatbin, .nvFatBinSegment) and a
 *                       validated structural scan of every other section;
 *                       one struct fatbin_entry per entry, no decompression.
 *   fatbin_decode()     one entry's payload, decompressed (LZ4 / ZSTD) into
 *                       a buffer bounded by the size the header declares.
 *   fatbin_kernels()    the kernels of one cubin (libelf), demangled.
 *
 * and fatbin_merge(), which puts the entries, kernels and findings into a
 * struct graph for `slim report` and `slim fatbin --json`.
 *
 * Ownership: a struct fatbin_scan owns its entries and strings (one arena);
 * entries point into the caller's buffer, which must outlive the scan.
 */
#ifndef SLIM_FATBIN_H
#define SLIM_FATBIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../common/arena.h"
#include "../../common/diag.h"

struct graph;

struct fatbin_opts {
	const char *arch;   /* "sm_80,sm_90" or NULL: no prunable findings */
	bool kernels;       /* decompress cubins and list kernels */
	bool no_scan;       /* only nvcc's sections, no structural scan */
};

/* Container and entry header sizes, and the magic (little-endian). */
#define FATBIN_MAGIC 0xBA55ED50u
#define FATBIN_HDR_SIZE 16u
#define FATBIN_ENTRY_MIN 64u

/* Entry kinds as stored in the entry header's first u16. */
enum fatbin_kind {
	FATBIN_PTX = 1,
	FATBIN_CUBIN = 2,
	FATBIN_LTOIR = 8,
};

enum fatbin_comp { FATBIN_COMP_NONE, FATBIN_COMP_LZ4, FATBIN_COMP_ZSTD };

/* Entry flag bits, as observed in nvcc 13.0 output (see container.c). */
#define FATBIN_F_64BIT   0x1ull
#define FATBIN_F_DEBUG   0x2ull
#define FATBIN_F_LINUX   0x10ull
#define FATBIN_F_LZ4     0x2000ull
#define FATBIN_F_ZSTD    0x8000ull
#define FATBIN_F_LTOENC  0x10000ull    /* compressed LTO-IR: not a plain stream */
#define FATBIN_F_ARCH_A  0x100000ull   /* sm_XXa / compute_XXa */
#define FATBIN_F_ARCH_F  0x200000ull   /* sm_XXf / compute_XXf */
#define FATBIN_F_OPTS    0x1000000ull  /* header carries a binary options blob */
#define FATBIN_F_KNOWN   (FATBIN_F_64BIT | FATBIN_F_DEBUG | FATBIN_F_LINUX | \
			  FATBIN_F_LZ4 | FATBIN_F_ZSTD | FATBIN_F_LTOENC |   \
			  FATBIN_F_ARCH_A | FATBIN_F_ARCH_F | FATBIN_F_OPTS)

struct fatbin_entry {
	const char *member;      /* archive member name, or NULL */
	const char *section;     /* section the container was found in */
	bool found_by_scan;      /* not one of nvcc's three sections */
	uint32_t container;      /* index of its container in the file */
	uint64_t file_off;       /* entry header offset in the file */
	uint64_t sec_off;        /* entry header offset in its section */
	uint16_t kind;           /* enum fatbin_kind (raw value kept) */
	uint16_t ver_major, ver_minor;  /* PTX ISA / cubin format version */
	uint32_t sm;             /* 90 for sm_90, sm_90a, compute_90 */
	char variant;            /* 0, 'a' or 'f' */
	uint64_t flags;
	uint32_t hdr_size;       /* entry header bytes before the payload */
	uint64_t payload_size;   /* payload bytes as stored (padded) */
	uint64_t comp_size;      /* compressed stream bytes, 0 if stored plain */
	uint64_t uncomp_size;    /* decoded bytes (== payload_size if plain) */
	enum fatbin_comp comp;
	const unsigned char *hdr;      /* into the caller's buffer */
	const unsigned char *payload;  /* hdr + hdr_size */
	const char *obj_name;    /* source name in the header (-G builds), or NULL */
};

/* Where containers were found: one row per (member, section). */
struct fatbin_where {
	const char *member;
	const char *section;
	bool found_by_scan;
	uint32_t ncontainers;
};

struct fatbin_scan {
	bool no_scan;            /* input: skip the structural scan */
	struct arena arena;
	struct fatbin_entry *v;
	size_t n, cap;
	struct fatbin_where *where;
	size_t nwhere, capwhere;
	uint32_t ncontainers;
	uint32_t nsegments;      /* .nvFatBinSegment wrappers (magic 0x466243b1) */
	uint32_t seg_listed;     /* ... pointing at a container already walked */
	uint32_t seg_new;        /* ... at one only they led to (walked then) */
	uint32_t seg_bad;        /* ... unresolved, or at no valid container */
	uint64_t *coff;          /* file offsets of the containers walked */
	size_t ncoff, capcoff;
	uint64_t *badoff;        /* ... and of those that failed (reported) */
	size_t nbadoff, capbadoff;
	uint64_t rejected;       /* magic matches outside nvcc's sections that
				    did not validate as a container */
	size_t errors;           /* bad containers/entries, each warned in w */
	struct diag first_error; /* the first of them */
};

/*
 * Scan the ELF file, ar archive or bare fatbin [p, p+n) read from `path`:
 * append every entry of every valid container to s (zero it first, then set
 * s->no_scan if wanted; entries point into p).  A bad container or
 * entry is recorded as a warning in w (one line naming file, section and
 * offset), counted in s->errors, and the scan goes on.  Returns 0, or -1 with
 * d set when the input is not an ELF file or archive at all.
 */
int fatbin_scan_buf(struct fatbin_scan *s, const char *path,
		    const unsigned char *p, size_t n, struct diag_list *w,
		    struct diag *d);
void fatbin_scan_free(struct fatbin_scan *s);

/*
 * Walk one container at [p, p+n) (n = bytes available from the magic to
 * the end of its section).  `base_off` is the file offset of p, used in
 * diagnostics.  Returns the container's total size (header + entries) and
 * appends its entries to s, or 0 with d set if it does not validate.  With
 * `found_by_scan` (structural scan) nothing is appended unless the whole
 * container validates; in nvcc's own sections the entries read before a bad
 * one are kept.
 */
uint64_t fatbin_walk_container(struct fatbin_scan *s, const char *path,
			       const char *member, const char *section,
			       bool found_by_scan, const unsigned char *p,
			       uint64_t n, uint64_t base_off, uint64_t sec_off,
			       struct diag *d);

/* "sm_90a", "sm_120f", "sm_80": the entry's arch (PTX/LTO-IR as sm_XX). */
const char *fatbin_arch_name(const struct fatbin_entry *e, char buf[16]);
const char *fatbin_kind_name(unsigned kind);      /* cubin ptx ltoir unknown */
const char *fatbin_comp_name(enum fatbin_comp c); /* none lz4 zstd */
/* Flag names joined by ',' ("64bit,linux,zstd,unknown:0x40000"). */
void fatbin_flag_names(uint64_t flags, char *out, size_t n);
/* true if the payload can be decoded (plain, or LZ4/ZSTD that is not
 * LTO-IR's scrambled stream). */
bool fatbin_decodable(const struct fatbin_entry *e);

/* "FILE: section S" or "FILE(MEMBER): section S", the subject of an
 * entry's diagnostics. */
void fatbin_where_str(const struct fatbin_entry *e, const char *path,
		      char *out, size_t n);

/* Largest decoded/compressed ratio accepted (decompression bombs). */
#define FATBIN_MAX_RATIO 4096u

/*
 * Decode the payload of e.  A plain payload is returned in place
 * (*owned = false); a compressed one into a new malloc'd buffer of exactly
 * e->uncomp_size bytes (*owned = true, caller frees).  Errors: a stream that
 * is corrupt, truncated, decodes to another size than declared, or claims a
 * ratio above FATBIN_MAX_RATIO.  `where` names the file in diagnostics.
 */
int fatbin_decode(const struct fatbin_entry *e, const char *where,
		  const unsigned char **out, bool *owned, struct diag *d);

struct fatbin_kernel {
	const char *name;        /* mangled, as in the cubin's symtab */
	const char *demangled;   /* or == name when not a C++ name */
	uint64_t code_bytes;     /* st_size, else its .text.<name> section */
};

/*
 * The kernels (STT_FUNC symbols with CUDA's entry bit in st_other) of the
 * cubin [p, p+n), sorted by name, strings in `a`.  Also returns the cubin's
 * SM arch from e_flags (both layouts: ELF ABI version < 8 keeps it in bits
 * 0-7, ABI version 8 (CUDA 13) in bits 8-15).  -1 with d set if the cubin is
 * not a valid EM_CUDA ELF file.
 */
int fatbin_kernels(const unsigned char *p, size_t n, struct arena *a,
		   struct fatbin_kernel **out, size_t *nout, unsigned *sm,
		   const char *where, uint64_t off, struct diag *d);

/* --- targets and CUDA's compatibility rules (compat.c) --- */
struct fatbin_target {
	unsigned sm;     /* 80, 90, 120 */
};
/* Parse "sm_80,sm_90,120" into v (at most cap); -1 with d set on junk. */
int fatbin_parse_arch(const char *list, struct fatbin_target *v, size_t cap,
		      size_t *n, struct diag *d);
/* Can a GPU of arch `t` load entry e? (cubin: same major, minor >= ; `a`
 * exact; `f` same family; PTX/LTO-IR: JIT for equal or newer, `a` exact,
 * `f` family) */
bool fatbin_loadable(const struct fatbin_entry *e, unsigned t);

enum fatbin_verdict { FATBIN_KEEP, FATBIN_PRUNABLE, FATBIN_REDUNDANT };
/*
 * Verdicts on every entry of s for targets t[0..nt) (nt == 0: all KEEP):
 * verdict[i] and dup_of[i] (the first byte-identical earlier entry, or
 * SIZE_MAX).  Both arrays have s->n elements, owned by the caller.
 */
void fatbin_classify(const struct fatbin_scan *s, const struct fatbin_target *t,
		     size_t nt, enum fatbin_verdict *verdict, size_t *dup_of);

/*
 * totals.fatbin for one scanned file (totals.c, which documents the
 * shape): its containers, its entries per arch and per kind, and with
 * targets (the --arch list, as given) the prunable, redundant-PTX and
 * duplicate entries and bytes; then the sums over every file.  The file is
 * keyed by owner_node; a file with nothing GPU-related adds nothing.
 * fatbin_totals() classifies s itself; -1 with d set when targets is junk.
 * fatbin_write_totals() takes the verdicts already made (v and dup_of as
 * fatbin_classify() fills them; v NULL: no verdicts).  Every view of the
 * fatbin analyzer's tallies prints them from here.
 */
int fatbin_totals(struct graph *g, const char *owner_node,
		  const struct fatbin_scan *s, const char *targets,
		  struct diag *d);
void fatbin_write_totals(struct graph *g, const char *owner_node,
			 const struct fatbin_scan *s, const char *targets,
			 const enum fatbin_verdict *v, const size_t *dup_of);

/*
 * Find every fatbin in the ELF file or ar archive [p, p+n) read from `path`
 * and add one `gpu` node per entry (and `kernel` nodes with o->kernels),
 * `contains` edges from `owner_node` (which must exist), and findings.
 * Returns the number of entries found (>= 0), or -1 with d set: the input is
 * not ELF/ar, or some container/entry was bad (the first such error is in d,
 * the rest in w; every good entry is still merged).
 */
int fatbin_merge_buf(struct graph *g, const char *path, const unsigned char *p,
		     size_t n, const char *owner_node, const struct fatbin_opts *o,
		     struct diag_list *w, struct diag *d);

/*
 * The analyzer interface (common/run.h): the GPU code of each of the n
 * inputs, owned by its in[i].node (which must exist), with r->gpu's
 * options (NULL: list only).  Warnings go to r->w; an input with a bad
 * container or entry adds one error to errs (its first; every good entry
 * is still merged).  Returns 0, or -1 when any input failed.
 */
struct input;
struct run;
int fatbin_merge(struct graph *g, const struct input *in, size_t n,
		 const struct run *r, struct diag_list *errs);

/* --- rewriting: a file with entries removed (rewrite.c) --- */

/* One piece of the output: `len` bytes at output offset `out`, copied from
 * input offset `src`, or written from `data` (a rewritten container
 * header).  Pieces are sorted by `out` and do not overlap; the bytes
 * between them are zero (the removed entries' bytes). */
struct fatbin_piece {
	uint64_t out, src, len;
	const unsigned char *data;
};

struct fatbin_rewrite {
	struct fatbin_piece *v;
	size_t n, cap;
	unsigned char *hdrs;     /* the rewritten container headers, owned */
	uint64_t size;           /* output bytes: always the input's */
	uint64_t freed;          /* bytes (entry headers + payloads) removed */
	uint32_t removed;        /* entries removed */
	uint32_t containers;     /* containers rewritten */
	struct fatbin_range {    /* ... each: its input bytes, header included */
		uint64_t off, len;
	} *ranges;               /* sorted by off */
};

/*
 * Plan the file [p, p+n) (read from `path`, scanned into s without errors)
 * with every entry i where drop[i] removed: each container that loses an
 * entry keeps its offset and header (its size field set to the kept
 * entries' bytes), its kept entries follow back to back in their order,
 * byte-identical, and its tail is zeroed; nothing else changes or moves.
 * Fills rw (free with fatbin_rewrite_free(); its pieces point into its own
 * header copies, and name input offsets of p).  -1 with d set when the
 * containers cannot be rewritten so (entries that do not tile their
 * container, overlapping containers); rw is then empty.
 */
int fatbin_rewrite_plan(const struct fatbin_scan *s, const char *path,
			const unsigned char *p, size_t n, const bool *drop,
			struct fatbin_rewrite *rw, struct diag *d);
void fatbin_rewrite_free(struct fatbin_rewrite *rw);

#endif
