/*
 * filetype.c - input detection.  Each rule is one early return with the
 * reason beside it (elfutils' elfclassify style).  Only the first few KiB
 * are looked at, so detection is O(1) in the input size.
 */
#include "filetype.h"

#include <elf.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

static uint64_t rd(const unsigned char *p, int sz, int le)
{
	uint64_t v = 0;
	for (int i = 0; i < sz; i++)
		v |= (uint64_t)p[le ? i : sz - 1 - i] << (8 * i);
	return v;
}

static int has(const unsigned char *p, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	if (m > n)
		return 0;
	return memmem(p, n, needle, m) != NULL;
}

/* The bytes elf_kind() reads: a prefix of the file (p, n: the whole file
 * when mapped) and, apart, its dynamic segment read at its offset (dyn,
 * dynn bytes at dynoff; NULL: none); size is the file's. */
struct esrc {
	const unsigned char *p;
	size_t n;
	uint64_t size;
	const unsigned char *dyn;
	uint64_t dynoff;
	size_t dynn;
};

/* sz bytes at off, from whichever piece holds them all; false: neither */
static bool esrc_rd(const struct esrc *s, uint64_t off, int sz, int le, uint64_t *v)
{
	if (off <= s->n && (uint64_t)sz <= s->n - off) {
		*v = rd(s->p + off, sz, le);
		return true;
	}
	if (s->dyn && off >= s->dynoff && off - s->dynoff <= s->dynn &&
	    (uint64_t)sz <= s->dynn - (off - s->dynoff)) {
		*v = rd(s->dyn + (off - s->dynoff), sz, le);
		return true;
	}
	return false;
}

/* ET_DYN: a program or a library by elfutils' elfclassify rules, as the
 * ELF analyzer's eobj_is_program() decides (so every command names the
 * file alike): no PT_DYNAMIC, DF_1_PIE (static-pie), no DT_SONAME but
 * PT_INTERP, or DT_DEBUG make a program.  Reads the program headers and
 * the dynamic segment straight from the bytes; any inconsistency leaves
 * the answer at "shared library" and lets the ELF analyzer report it.
 * FT_UNKNOWN: a byte it needs is in neither piece (split reads only). */
static enum filetype elf_kind(const struct esrc *s, uint64_t *dyn_at, uint64_t *dyn_len)
{
	const unsigned char *p = s->p;
	size_t n = s->n;
	uint64_t fsz = s->size;
	if (n < EI_NIDENT + 4)
		return FT_ELF_OTHER;
	int is64 = p[EI_CLASS] == ELFCLASS64;
	int le = p[EI_DATA] == ELFDATA2LSB;
	unsigned t = le ? p[16] | p[17] << 8 : p[17] | p[16] << 8;
	if (t == ET_REL)
		return FT_ELF_REL;
	if (t == ET_EXEC)
		return FT_ELF_EXEC;
	if (t != ET_DYN)
		return FT_ELF_OTHER;
	uint64_t v;
#define RD(off, sz) (esrc_rd(s, (off), (sz), le, &v) ? v : (miss = true, 0))
	bool miss = false;
	uint64_t phoff;
	unsigned phentsize, phnum;
	size_t need = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	if (n < need)
		return fsz < need ? FT_ELF_DYN : FT_UNKNOWN;
	if (is64) {
		phoff = RD(32, 8);
		phentsize = (unsigned)RD(54, 2);
		phnum = (unsigned)RD(56, 2);
	} else {
		phoff = RD(28, 4);
		phentsize = (unsigned)RD(42, 2);
		phnum = (unsigned)RD(44, 2);
	}
	if (!phentsize || phoff > fsz)
		return FT_ELF_DYN;
	int interp = 0, pie = 0, soname = 0, debug = 0;
	uint64_t dyn = 0, dynsz = 0, w = is64 ? 8 : 4;
	for (unsigned i = 0; i < phnum; i++) {
		uint64_t o = phoff + (uint64_t)i * phentsize;
		if (o + (is64 ? 40 : 24) > fsz)
			return FT_ELF_DYN;   /* truncated table: an inconsistency */
		uint64_t type = RD(o, 4);
		if (miss)
			return FT_UNKNOWN;
		interp |= type == PT_INTERP;
		if (type == PT_DYNAMIC && !dynsz) {
			dyn = is64 ? RD(o + 8, 8) : RD(o + 4, 4);
			dynsz = is64 ? RD(o + 32, 8) : RD(o + 16, 4);
		}
	}
	if (miss)
		return FT_UNKNOWN;
	if (!dynsz || dyn > fsz || dynsz > fsz - dyn)
		return dynsz ? FT_ELF_DYN : FT_ELF_EXEC;
	if (dyn_at) {
		*dyn_at = dyn;
		*dyn_len = dynsz;
	}
	for (uint64_t o = dyn; o + 2 * w <= dyn + dynsz; o += 2 * w) {
		uint64_t tag = RD(o, w);
		if (miss)
			return FT_UNKNOWN;
		if (tag == DT_NULL)
			break;
		uint64_t val = RD(o + w, w);
		if (miss)
			return FT_UNKNOWN;
		pie |= tag == DT_FLAGS_1 && (val & DF_1_PIE);
		soname |= tag == DT_SONAME;
		debug |= tag == DT_DEBUG;
	}
	if (pie)
		return FT_ELF_EXEC;
	if (soname)
		return FT_ELF_DYN;
	return interp || debug ? FT_ELF_EXEC : FT_ELF_DYN;
#undef RD
}

enum filetype filetype_elf_split(const unsigned char *head, size_t hn, uint64_t size,
				 const unsigned char *dyn, uint64_t dynoff, size_t dynn,
				 uint64_t *dyn_at, uint64_t *dyn_len)
{
	if (hn < 4 || memcmp(head, ELFMAG, SELFMAG))
		return FT_UNKNOWN;
	*dyn_at = *dyn_len = 0;
	struct esrc s = {head, hn, size, dyn, dynoff, dynn};
	return elf_kind(&s, dyn_at, dyn_len);
}

enum filetype filetype_detect(const unsigned char *p, size_t n)
{
	if (n == 0)
		return FT_EMPTY;
	/* ELF: the identification bytes */
	if (n >= 4 && !memcmp(p, ELFMAG, SELFMAG)) {
		struct esrc s = {p, n, n, NULL, 0, 0};
		return elf_kind(&s, NULL, NULL);
	}
	/* ar(1) archives, regular and GNU thin */
	if (n >= 8 && !memcmp(p, "!<arch>\n", 8))
		return FT_AR;
	if (n >= 8 && !memcmp(p, "!<thin>\n", 8))
		return FT_AR_THIN;
	/* nvcc -fatbin / fatbinary --create: the container header (magic
	 * 0xBA55ED50, version 1, header size 16, little-endian) */
	if (n >= 16 && rd(p, 4, 1) == 0xBA55ED50u && rd(p + 4, 2, 1) == 1 &&
	    rd(p + 6, 2, 1) == 16)
		return FT_FATBIN;
	size_t head = n < 8192 ? n : 8192;
	/* JSON: first non-blank byte is '{' */
	size_t i = 0;
	while (i < head && (p[i] == ' ' || p[i] == '\n' || p[i] == '\t' ||
			    p[i] == '\r'))
		i++;
	if (i < head && p[i] == '{')
		return has(p, head, "\"slim-report/") ? FT_REPORT_JSON : FT_JSON;
	/* python -X importtime: every line starts "import time:" */
	if (has(p, head, "import time:") &&
	    has(p, head, "| cumulative | imported package"))
		return FT_PY_IMPORTTIME;
	/* python -v: "# installing zipimport hook", "import 'x' # <...>" */
	if (has(p, head, "# installing zipimport hook") ||
	    (has(p, head, "import '") && has(p, head, "# <class '")) ||
	    has(p, head, "# code object from"))
		return FT_PY_VERBOSE;
	/* GNU ld and gold maps name their sections in prose */
	if (has(p, head, "Archive member included") ||
	    has(p, head, "Memory Configuration") ||
	    has(p, head, "Linker script and memory map") ||
	    has(p, head, "Memory map\n") ||
	    has(p, head, "Discarded input sections"))
		return FT_LINKMAP;
	/* lld and mold: a column header line */
	if (has(p, head, "VMA") && has(p, head, "Size") &&
	    has(p, head, "Align") && has(p, head, "Symbol"))
		return FT_LINKMAP;
	return FT_UNKNOWN;
}

const char *filetype_name(enum filetype t)
{
	switch (t) {
	case FT_EMPTY: return "empty";
	case FT_ELF_EXEC: return "elf-exec";
	case FT_ELF_DYN: return "elf-shared";
	case FT_ELF_REL: return "elf-object";
	case FT_ELF_OTHER: return "elf-other";
	case FT_AR: return "archive";
	case FT_AR_THIN: return "thin-archive";
	case FT_FATBIN: return "fatbin";
	case FT_LINKMAP: return "linkmap";
	case FT_PY_IMPORTTIME: return "py-importtime";
	case FT_PY_VERBOSE: return "py-verbose";
	case FT_REPORT_JSON: return "report";
	case FT_JSON: return "json";
	case FT_DIR: return "directory";
	default: return "unknown";
	}
}

enum filetype filetype_path(const char *path)
{
	struct stat st;
	return !stat(path, &st) && S_ISDIR(st.st_mode) ? FT_DIR : FT_UNKNOWN;
}
