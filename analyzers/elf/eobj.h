/*
 * eobj.h - one ELF object as ld.so sees it (internal to analyzers/elf).
 *
 * Everything the loader reads comes through the program headers, as in
 * glibc's _dl_map_object_from_fd() and elf_get_dynamic_info(): PT_DYNAMIC
 * for the dynamic section, and DT_SYMTAB / DT_STRTAB / DT_GNU_HASH /
 * DT_HASH / DT_VERSYM / DT_VERDEF / DT_VERNEED / DT_RELA / DT_JMPREL
 * addresses mapped to file offsets through PT_LOAD.  Section headers are
 * consulted only for sizes (and may be absent: stripped files work).
 *
 * Invariants after eobj_parse() returns 0:
 *   1. every pointer into the mapping (dynstr, hash tables) has been
 *      bounds-checked against the file size for the extent used;
 *   2. nsyms is the number of dynamic symbols the hash tables can reach
 *      (so symbol indexes from hash chains and relocations < nsyms are
 *      safe to read; larger ones are rejected where read);
 *   3. vers[i] for i < nvers is the version (definition or need) whose
 *      index is i, name NULL where the index is unused (glibc l_versions).
 */
#ifndef SLIM_EOBJ_H
#define SLIM_EOBJ_H

#include <gelf.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../common/mfile.h"

struct diag;
struct dynvals;

struct ever {
	const char *name;      /* NULL: index unused */
	uint32_t hash;         /* ELF hash of name (vd_hash / vna_hash) */
	bool hidden;           /* VERSYM_HIDDEN on a definition, 0x8000 on vna_other */
	const char *filename;  /* verneed: the file that should define it */
};

struct ereloc {
	uint32_t sym;          /* symbol index (non-zero) */
	uint32_t type;         /* machine relocation type */
};

struct eref {                  /* a symbol reference as binding looks it up:
				* one per (symbol, class) of an object, in
				* relocation order (bind.c) */
	const char *name;
	const struct ever *ver;   /* NULL: unversioned */
	uint32_t gnu_hash;
	uint8_t tclass;
	bool weak;
};

struct eobj {
	char *path;            /* the path it was found at (glibc l_name); owned */
	struct mfile mf;
	Elf *elf;
	int cls;               /* ELFCLASS32/64 */
	int data;              /* ELFDATA2LSB/MSB */
	uint16_t machine;
	uint8_t osabi;
	uint16_t type;         /* e_type */
	bool has_interp;
	const char *interp;    /* PT_INTERP string (NUL-checked), or NULL */
	bool has_dynamic;
	bool has_dt_debug;     /* DT_DEBUG: linkers add it to executables */

	/* dynamic section */
	const char *soname;
	const char **needed;   /* DT_NEEDED in order */
	size_t nneeded;
	const char *rpath;     /* NULL when absent, or ignored because RUNPATH is set */
	const char *runpath;
	uint64_t flags, flags_1;
	bool symbolic;         /* DT_SYMBOLIC or DF_SYMBOLIC */
	bool has_init, has_fini;
	uint64_t init_array_n, preinit_array_n;
	bool has_filter;       /* DT_FILTER / DT_AUXILIARY present */

	/* dynamic symbols */
	Elf_Data *dynsym;      /* ELF_T_SYM chunk of nsyms entries */
	size_t nsyms;
	const char *dynstr;
	size_t dynstr_sz;
	bool dynstr_nul;       /* its last byte is NUL: every string in it
				* ends inside it (no search per string) */
	const uint16_t *versym_raw; /* raw Elf_Half array (object byte order) */

	/* GNU hash (preferred by ld.so when present) */
	bool gnu;
	uint32_t gnu_nbuckets, gnu_symoffset, gnu_bloom_size, gnu_bloom_shift;
	const unsigned char *gnu_bloom, *gnu_buckets, *gnu_chain;
	/* SysV hash */
	bool sysv;
	uint32_t sysv_nbucket, sysv_nchain;
	const unsigned char *sysv_bucket, *sysv_chain;

	struct ever *vers;
	size_t nvers;

	uint64_t rela, relasz, rel, relsz, jmprel, pltrelsz, pltrel;
	struct ereloc *relocs; /* relocations that carry a symbol */
	size_t nrelocs;
	bool relocs_parsed;
	struct eref *refs;     /* what binding looks up (bind.c), built once
				* for every process image the object is in */
	size_t nrefs;
	uint32_t *badsym;      /* relocations naming a symbol past nsyms */
	size_t nbadsym;
	bool refs_built;

	struct dynvals *dv;    /* the dynamic entries, for the lazy parses */
	int symbols_state;     /* 0 not parsed, 1 parsed, -1 corrupt */
};

/* Map and parse the dynamic view of the open file fd (taken and closed)
 * found at `path`.  `path` is copied.
 * On error returns -1 with d set (file and offset) and leaves o closed. */
int eobj_open_fd(struct eobj *o, int fd, const char *path, struct diag *d);
/* Whether o is (primarily) a program rather than a shared library, by
 * elfutils' elfclassify rules (is_shared): ET_EXEC, no dynamic section,
 * DF_1_PIE, no DT_SONAME but PT_INTERP, or DT_DEBUG.  So a static-pie
 * (/sbin/ldconfig: ET_DYN, no PT_INTERP, DF_1_PIE) is a program and
 * libc.so.6 (PT_INTERP, but a DT_SONAME) a library. */
bool eobj_is_program(const struct eobj *o);
/* Parse the dynamic symbol table, hash tables and versions (once; lazy, so
 * a tree-only run never touches them).  -1 with d set when corrupt; the
 * object then defines nothing. */
int eobj_symbols(struct eobj *o, struct diag *d);
/* Parse relocations (once); -1 with d set on a corrupt table. */
int eobj_relocs(struct eobj *o, struct diag *d);
void eobj_close(struct eobj *o);

/* File offset of virtual address a for len bytes, or -1 if no PT_LOAD
 * maps all of it from the file. */
int64_t eobj_vaddr_off(const struct eobj *o, uint64_t a, uint64_t len);

/* Symbol i (i < nsyms) into *s; false if unreadable. */
bool eobj_sym(const struct eobj *o, size_t i, GElf_Sym *s);
/* Name of symbol s, or "" when st_name is out of range. */
const char *eobj_symname(const struct eobj *o, const GElf_Sym *s);
/* versym of symbol i, or -1 when the object has no DT_VERSYM. */
int eobj_versym(const struct eobj *o, size_t i);

/* Read 32/64-bit words in the object's byte order. */
uint32_t eobj_u32(const struct eobj *o, const unsigned char *p);
uint64_t eobj_u64(const struct eobj *o, const unsigned char *p);

/* Hashes: libelf's elf_hash() (SysV) and elf_gnu_hash() (DJB). */

#endif
