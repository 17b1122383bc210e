/*
 * decode.c - entry payloads and the kernels inside cubins.
 *
 * Compression (flags in container.c): LZ4 entries hold one raw LZ4 block
 * (no frame header; nvcc --compress-mode=speed), ZSTD entries one zstd
 * frame (magic 28 b5 2f fd; --compress-mode=size/balance/default).  The
 * stream is the first `compressed size` bytes of the payload, the rest is
 * padding to 8.  Both are decoded by the libraries into a buffer of exactly
 * the declared decompressed size, so a stream can never write past it; a
 * declared size above FATBIN_MAX_RATIO times the stream, or above
 * FATBIN_MAX_DECODED, is refused before anything is allocated.  Compressed
 * LTO-IR (flag 0x10000) is not a plain stream and is never decoded.  No
 * entry compressed with zlib was found in CUDA 13's libraries; such a flag
 * would show as an unknown bit.
 *
 * Cubins are EM_CUDA ELF files read with libelf.  Kernels are the STT_FUNC
 * symbols whose st_other has bit 0x10 (set for __global__ entry points and
 * not for __device__ functions: checked on samples/cuda/ -rdc objects).  The
 * SM arch is in e_flags: bits 0-7 up to ELF ABI version 7 (CUDA <= 12),
 * bits 8-15 from ABI version 8 (CUDA 13), where the `a`/`f` variant is no
 * longer in e_flags (only in the container entry's flags).
 */
#include "fatbin.h"
#include "../../common/util.h"

#include <dlfcn.h>
#include <gelf.h>
#include <libelf.h>
#include <lz4.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#ifndef EM_CUDA
#define EM_CUDA 190
#endif
#define STO_CUDA_ENTRY 0x10
#define FATBIN_MAX_DECODED (1ull << 30)

static int check_sizes(const struct fatbin_entry *e, const char *where,
		       struct diag *d)
{
	if (e->uncomp_size > FATBIN_MAX_DECODED)
		return diag_err_at(d, where, e->file_off, "declared decompressed size 0x%llx is above the 1 GiB limit",
				   (unsigned long long)e->uncomp_size);
	uint64_t cap;
	if (!mul_ok(e->comp_size, FATBIN_MAX_RATIO, &cap) || e->uncomp_size > cap)
		return diag_err_at(d, where, e->file_off, "declared decompressed size 0x%llx is more than %u times the compressed size 0x%llx",
				   (unsigned long long)e->uncomp_size, FATBIN_MAX_RATIO,
				   (unsigned long long)e->comp_size);
	return 0;
}

int fatbin_decode(const struct fatbin_entry *e, const char *where,
		  const unsigned char **out, bool *owned, struct diag *d)
{
	*owned = false;
	*out = NULL;
	if (e->comp == FATBIN_COMP_NONE) {
		*out = e->payload;
		return 0;
	}
	if (!fatbin_decodable(e))
		return diag_err_at(d, where, e->file_off, "compressed LTO-IR is not a plain %s stream: not decoded",
				   fatbin_comp_name(e->comp));
	if (check_sizes(e, where, d))
		return -1;
	unsigned char *buf = xmalloc(e->uncomp_size);
	uint64_t got;
	if (e->comp == FATBIN_COMP_LZ4) {
		int r = LZ4_decompress_safe((const char *)e->payload, (char *)buf,
					    (int)e->comp_size, (int)e->uncomp_size);
		if (r < 0) {
			free(buf);
			return diag_err_at(d, where, e->file_off, "corrupt or truncated LZ4 stream (error at input byte %d)",
					   -r);
		}
		got = (uint64_t)r;
	} else {
		size_t r = ZSTD_decompress(buf, e->uncomp_size, e->payload, e->comp_size);
		if (ZSTD_isError(r)) {
			free(buf);
			return diag_err_at(d, where, e->file_off, "corrupt or truncated ZSTD stream: %s",
					   ZSTD_getErrorName(r));
		}
		got = r;
	}
	if (got != e->uncomp_size) {
		free(buf);
		return diag_err_at(d, where, e->file_off, "stream decodes to 0x%llx bytes, header declares 0x%llx",
				   (unsigned long long)got,
				   (unsigned long long)e->uncomp_size);
	}
	*out = buf;
	*owned = true;
	return 0;
}

typedef char *(*demangle_fn)(const char *, char *, size_t *, int *);

/* libstdc++ is part of every toolchain slim runs beside; loading it on
 * demand keeps the C build free of a C++ link. */
static demangle_fn demangler(void)
{
	static int tried;
	static demangle_fn fn;
	if (!tried) {
		tried = 1;
		void *h = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
		if (h)
			*(void **)&fn = dlsym(h, "__cxa_demangle");
	}
	return fn;
}

const char *fatbin_demangle(struct arena *a, const char *name)
{
	if (strncmp(name, "_Z", 2))
		return NULL;
	demangle_fn fn = demangler();
	if (!fn)
		return NULL;
	int st = 0;
	char *r = fn(name, NULL, NULL, &st);
	if (!r || st) {
		free(r);
		return NULL;
	}
	const char *out = arena_strdup(a, r);
	free(r);
	return out;
}

static int cmp_kernel(const void *x, const void *y)
{
	const struct fatbin_kernel *a = x, *b = y;
	return strcmp(a->name, b->name);
}

/* The SM arch from e_flags, by ELF ABI version (see the top comment). */
static unsigned cubin_sm(const GElf_Ehdr *eh)
{
	if (eh->e_ident[EI_ABIVERSION] >= 8)
		return (eh->e_flags >> 8) & 0xff;
	return eh->e_flags & 0xff;
}

static int read_symtab(Elf *e, struct arena *a, struct fatbin_kernel **out,
		       size_t *nout, const char *where, uint64_t off,
		       struct diag *d)
{
	size_t cap = 0;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr mem;
		GElf_Shdr *sh = gelf_getshdr(scn, &mem);
		if (!sh)
			return diag_err_at(d, where, off, "cubin: %s", elf_errmsg(-1));
		if (sh->sh_type != SHT_SYMTAB || !sh->sh_entsize)
			continue;
		Elf_Data *data = elf_getdata(scn, NULL);
		if (!data)
			return diag_err_at(d, where, off, "cubin symbol table: %s", elf_errmsg(-1));
		size_t nsym = sh->sh_size / sh->sh_entsize;
		for (size_t i = 0; i < nsym; i++) {
			GElf_Sym sm;
			if (!gelf_getsym(data, (int)i, &sm))
				return diag_err_at(d, where, off, "cubin symbol %zu: %s", i, elf_errmsg(-1));
			if (GELF_ST_TYPE(sm.st_info) != STT_FUNC ||
			    !(sm.st_other & STO_CUDA_ENTRY))
				continue;
			const char *nm = elf_strptr(e, sh->sh_link, sm.st_name);
			if (!nm)
				return diag_err_at(d, where, off, "cubin symbol %zu: name out of range", i);
			GROW(*out, cap, *nout + 1);
			struct fatbin_kernel *k = &(*out)[(*nout)++];
			k->name = arena_strdup(a, nm);
			const char *dm = fatbin_demangle(a, nm);
			k->demangled = dm ? dm : k->name;
			k->code_bytes = sm.st_size;
		}
	}
	return 0;
}

int fatbin_kernels(const unsigned char *p, size_t n, struct arena *a,
		   struct fatbin_kernel **out, size_t *nout, unsigned *sm,
		   const char *where, uint64_t off, struct diag *d)
{
	*out = NULL;
	*nout = 0;
	elf_version(EV_CURRENT);
	if (n < EI_NIDENT || memcmp(p, ELFMAG, SELFMAG))
		return diag_err_at(d, where, off, "cubin is not an ELF file");
	Elf *e = elf_memory((char *)p, n);
	if (!e)
		return diag_err_at(d, where, off, "cubin: %s", elf_errmsg(-1));
	int rc = -1;
	GElf_Ehdr eh;
	if (!gelf_getehdr(e, &eh)) {
		diag_err_at(d, where, off, "cubin ELF header: %s", elf_errmsg(-1));
		goto out;
	}
	if (eh.e_machine != EM_CUDA) {
		diag_err_at(d, where, off, "cubin machine is %u, not EM_CUDA", eh.e_machine);
		goto out;
	}
	*sm = cubin_sm(&eh);
	rc = read_symtab(e, a, out, nout, where, off, d);
	if (!rc && *nout)
		qsort(*out, *nout, sizeof **out, cmp_kernel);
out:
	if (rc) {
		free(*out);
		*out = NULL;
		*nout = 0;
	}
	elf_end(e);
	return rc;
}
