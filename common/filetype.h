/*
 * filetype.h - decide once, from its bytes, what an input is (after mold's
 * filetype.cc).  cli/ dispatches on the answer; analyzers never re-guess.
 */
#ifndef SLIM_FILETYPE_H
#define SLIM_FILETYPE_H

#include <stddef.h>

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
