/*
 * filetype.h - decide once, from its bytes, what an input is (after mold's
 * filetype.cc).  cli/ dispatches on the answer; analyzers never re-guess.
 */
#ifndef SLIM_FILETYPE_H
#define SLIM_FILETYPE_H

#include <stddef.h>
#include <stdint.h>

enum filetype {
	FT_UNKNOWN,
	FT_EMPTY,
	FT_ELF_EXEC,      /* ET_EXEC, or ET_DYN with PT_INTERP (PIE) */
	FT_ELF_DYN,       /* shared library */
	FT_ELF_REL,       /* relocatable object */
	FT_ELF_OTHER,     /* core, or an e_type we do not analyze */
	FT_AR,            /* "!<arch>\n" */
	FT_AR_THIN,       /* "!<thin>\n" */
	FT_FATBIN,        /* a bare CUDA fatbin (nvcc -fatbin): 0xBA55ED50 */
	FT_LINKMAP,       /* a linker map: GNU ld, gold, lld or mold */
	FT_PY_IMPORTTIME, /* python -X importtime stderr */
	FT_PY_VERBOSE,    /* python -v stderr */
	FT_REPORT_JSON,   /* slim-report/N */
	FT_JSON,          /* some other JSON (a policy, say) */
	FT_DIR,           /* a directory: a deployable's root (its type comes
			   * from stat, not bytes: filetype_path()) */
};

enum filetype filetype_detect(const unsigned char *p, size_t n);
/* filetype_detect() of an ELF file of `size` bytes read in pieces: its
 * first bytes (head, hn) and its dynamic segment (dyn, dynn bytes read
 * at dynoff; NULL at first).  FT_UNKNOWN when a byte the answer needs is
 * in neither piece: then *dyn_at and *dyn_len (when not 0) say where the
 * dynamic segment is, to read and ask again (a program header table
 * past the head: map the file instead).  The same answer as
 * filetype_detect() over the whole file. */
enum filetype filetype_elf_split(const unsigned char *head, size_t hn, uint64_t size,
				 const unsigned char *dyn, uint64_t dynoff, size_t dynn,
				 uint64_t *dyn_at, uint64_t *dyn_len);
const char *filetype_name(enum filetype t);
/* FT_DIR when path is a directory (symlinks followed: the user named
 * it), else FT_UNKNOWN: the caller maps the file and asks
 * filetype_detect(). */
enum filetype filetype_path(const char *path);
static inline int filetype_is_elf(enum filetype t)
{
	return t == FT_ELF_EXEC || t == FT_ELF_DYN || t == FT_ELF_REL ||
	       t == FT_ELF_OTHER;
}

#endif
