/*
 * bdunits.h - what units.c asks of the files that read one format each
 * for it (gpu.c: CUDA fat binaries; buildid.c: build IDs recomputed;
 * symorder.c: symbol tables in another order), and what they ask back of
 * units.c and explain.c.  Not public.
 */
#ifndef SLIM_BDUNITS_H
#define SLIM_BDUNITS_H

#include "bdint.h"

/* bd_compare() of decompressed contents, the rows it writes scaled so
 * that they count `bytes` (the compressed size the file holds) in all. */
void bd_compare_scaled(struct bd_ctx *c, const char *name, const char *where,
		       const unsigned char *a, size_t na, const unsigned char *b,
		       size_t nb, uint64_t bytes);
/* explain.c: the same lines (or NUL-terminated strings) in another order. */
bool bd_same_lines(const unsigned char *a, size_t na, const unsigned char *b, size_t nb);

/* gpu.c: a pair whose both sides are CUDA fatbin containers back to back
 * (.nv_fatbin, __nv_relfatbin, a bare .fatbin file), compared container
 * by container and entry by entry.  false (nothing written) when either
 * side does not start with a container that scans; a side whose scan
 * fails adds one line to c->errs. */
bool bd_gpu_units(struct bd_ctx *c, const char *prefix, const unsigned char *a,
		  size_t na, const unsigned char *b, size_t nb);

/* buildid.c: the hash a linker computes for the build ID stored at
 * [desc, desc+len) of the ELF file [p, p+n), over the file with that
 * descriptor zeroed, tried for each linker whose hashing is known and
 * whose marks the file bears (its .comment [comment, +ncomment), NULL
 * when it has none; gold_note: it has .note.gnu.gold-version); a
 * static phrase naming it ("sha1 over the file, as GNU gold and lld
 * ..."), or NULL when no known hash gives the stored bytes. */
const char *bd_buildid_recompute(const unsigned char *p, size_t n, size_t desc, size_t len,
				 const unsigned char *comment, size_t ncomment, bool gold_note);

/* symorder.c: two symbol tables (ELF class `is64`, byte order `msb`,
 * their string tables) holding the same multiset of symbols (name
 * resolved through its string table, value, size, info, other, section
 * index) in another order; *count gets the symbols' number. */
bool bd_symtab_same_set(const unsigned char *a, size_t na, struct bd_bytes stra,
			const unsigned char *b, size_t nb, struct bd_bytes strb,
			bool is64, bool msb, size_t *count);
/* A string table that holds nothing but the names its symbol table
 * points to (every byte is in one of them; suffixes may be shared):
 * with bd_symtab_same_set() true, another layout of the same names. */
bool bd_strtab_only_names(const unsigned char *sym, size_t nsym, struct bd_bytes str,
			  bool is64, bool msb);

#endif
