/*
 * buildid.c - a GNU build ID recomputed the way its linker computed it
 * (issue #16: "build ID ... as a consequence of another difference";
 * "the build ID recomputed").
 *
 * Each linker writes the .note.gnu.build-id descriptor last, as a hash of
 * the output file in which that descriptor is still zero.  How each one
 * hashes was read from its sources and checked on real links by
 * tests/cli/test-diff-buildid.sh, which links one program with every
 * linker installed and every --build-id style each takes:
 *
 *   GNU gold   sha1 or md5 of the whole file (gold/layout.cc
 *              write_build_id()); --build-id=tree, for files of at least
 *              --build-id-min-file-size-for-treehash: sha1 of the md5s of
 *              chunks of --build-id-chunk-size-for-treehash bytes (the
 *              chunk size is not in the file: powers of two from 4 KiB
 *              are tried below 40 MiB, gold's default 2 MiB above);
 *   lld 14     the hash of the concatenated hashes of 1 MiB chunks
 *              (lld/ELF/Writer.cpp computeHash()), even for one chunk:
 *              sha1, md5, and "fast" = xxHash64 (seed 0), each value
 *              stored little-endian (lld 16 and later hash md5 and sha1
 *              with BLAKE3, not recomputed here);
 *   mold       sha256 of the sha256s of 4 MiB shards, truncated to the
 *              length asked for (md5: 16, sha1: 20, sha256: 32 bytes);
 *   GNU ld     (BFD: sha1 or md5) hashes headers and contents, not the
 *              file (bfd/elfcode.h elf_checksum_contents()): the ELF header
 *              with e_phoff and e_shoff zeroed, every program header, then
 *              for each section its header with sh_offset zeroed and its
 *              contents -- none for SHT_NOBITS, an empty section, or
 *              .symtab, .strtab and .shstrtab (whose contents BFD does not
 *              hold when it hashes); the whole build-id note section is
 *              zeros then, not only its descriptor.  Checked against
 *              binutils 2.40 (Debian 12) in test-diff-link.sh.
 *
 * Which linker made the file is read from its marks (linkers()) so that
 * only its models are tried, each one pass over the file.
 * Hashes come from nettle (sha1, md5, sha256) and libxxhash (XXH64),
 * never written here.  The descriptor is zeroed while hashing without
 * copying the file: the bytes are fed around it.
 */
#include "bdunits.h"

#include <gelf.h>

#include <nettle/md5.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "../../common/util.h"

/* XXH64 (seed 0) behind nettle's hash interface, the value stored
 * little-endian as lld's write64le() stores it. */
static void xxh_init(void *ctx)
{
	XXH64_reset(ctx, 0);
}

static void xxh_update(void *ctx, size_t n, const uint8_t *p)
{
	XXH64_update(ctx, p, n);
}

static void xxh_digest(void *ctx, size_t n, uint8_t *out)
{
	uint64_t v = XXH64_digest(ctx);
	unsigned char le[8];
	for (int k = 0; k < 8; k++)
		le[k] = (unsigned char)(v >> (8 * k));
	memcpy(out, le, n < 8 ? n : 8);
}

static const struct nettle_hash xxh64 = {
	.name = "xxh64", .context_size = sizeof(XXH64_state_t), .digest_size = 8,
	.block_size = 32, .init = xxh_init, .update = xxh_update, .digest = xxh_digest,
};

struct file {
	const unsigned char *p;
	size_t n, dlo, dhi;         /* the descriptor, read as zeros */
};

/* Feed [lo, hi) of the file, the descriptor as zeros. */
static void feed(const struct nettle_hash *h, void *ctx, const struct file *f, size_t lo,
		 size_t hi)
{
	static const uint8_t zeros[256];
	while (lo < hi) {
		size_t end;
		if (lo >= f->dlo && lo < f->dhi) {
			end = hi < f->dhi ? hi : f->dhi;
			if (end - lo > sizeof zeros)
				end = lo + sizeof zeros;
			h->update(ctx, end - lo, zeros);
		} else {
			end = lo < f->dlo && hi > f->dlo ? f->dlo : hi;
			h->update(ctx, end - lo, f->p + lo);
		}
		lo = end;
	}
}

static void flat(const struct nettle_hash *h, const struct file *f, uint8_t *out)
{
	void *ctx = xmalloc(h->context_size);
	h->init(ctx);
	feed(h, ctx, f, 0, f->n);
	h->digest(ctx, h->digest_size, out);
	free(ctx);
}

/* outer(inner(chunk 0) || inner(chunk 1) || ...), chunks of `chunk`
 * bytes, the last one shorter; one empty chunk for an empty file. */
static void tree(const struct nettle_hash *inner, const struct nettle_hash *outer,
		 const struct file *f, size_t chunk, uint8_t *out)
{
	size_t nch = f->n ? (f->n + chunk - 1) / chunk : 1, ds = inner->digest_size;
	uint8_t *hs = xmalloc(nch * ds);
	void *ctx = xmalloc(inner->context_size > outer->context_size ? inner->context_size :
			    outer->context_size);
	for (size_t k = 0; k < nch; k++) {
		size_t lo = k * chunk, hi = lo + chunk < f->n ? lo + chunk : f->n;
		inner->init(ctx);
		feed(inner, ctx, f, lo, hi);
		inner->digest(ctx, ds, hs + k * ds);
	}
	outer->init(ctx);
	outer->update(ctx, nch * ds, hs);
	outer->digest(ctx, outer->digest_size, out);
	free(ctx);
	free(hs);
}

/* Feed `len` bytes at `at` of the file with the `w`-byte field at
 * `zero` (relative to at; none when w is 0) read as zeros. */
static void feed_zeroing(const struct nettle_hash *h, void *ctx, const unsigned char *p,
			 size_t at, size_t len, size_t zero, size_t w)
{
	static const uint8_t zeros[16];   /* e_phoff and e_shoff of ELF64 */
	if (!w || w > 16 || zero + w > len) {
		h->update(ctx, len, p + at);
		return;
	}
	h->update(ctx, zero, p + at);
	h->update(ctx, w, zeros);
	h->update(ctx, len - zero - w, p + at + zero + w);
}

/* GNU ld's hash (the header comment): false when the file's headers do
 * not read. */
static bool bfd_hash(const struct nettle_hash *h, const struct file *f, uint8_t *out)
{
	Elf *e = elf_memory((char *)f->p, f->n);
	GElf_Ehdr eh;
	size_t nsec, shstr;
	bool ok = false;
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) ||
	    elf_getshdrnum(e, &nsec) || elf_getshdrstrndx(e, &shstr))
		goto out;
	bool is64 = gelf_getclass(e) == ELFCLASS64;
	size_t w = is64 ? 8 : 4, ehsize = is64 ? 64 : 52, shent = is64 ? 64 : 40;
	size_t phent = is64 ? 56 : 32;
	if (eh.e_ehsize != ehsize || (eh.e_phnum && eh.e_phentsize != phent) ||
	    (nsec && eh.e_shentsize != shent) || !range_ok(0, ehsize, f->n) ||
	    !range_ok(eh.e_phoff, (uint64_t)phent * eh.e_phnum, f->n) ||
	    !range_ok(eh.e_shoff, (uint64_t)shent * nsec, f->n))
		goto out;
	void *ctx = xmalloc(h->context_size);
	h->init(ctx);
	/* the header, e_phoff and e_shoff (adjacent) zeroed */
	feed_zeroing(h, ctx, f->p, 0, ehsize, is64 ? 0x20 : 0x1c, 2 * w);
	h->update(ctx, (size_t)phent * eh.e_phnum, f->p + eh.e_phoff);
	ok = true;
	for (size_t k = 0; k < nsec && ok; k++) {
		GElf_Shdr sh;
		Elf_Scn *scn = elf_getscn(e, k);
		if (!scn || !gelf_getshdr(scn, &sh)) {
			ok = false;
			break;
		}
		feed_zeroing(h, ctx, f->p, eh.e_shoff + k * shent, shent, is64 ? 0x18 : 0x10, w);
		if (sh.sh_type == SHT_NOBITS || !sh.sh_size)
			continue;
		const char *name = elf_strptr(e, shstr, sh.sh_name);
		if (name && (!strcmp(name, ".symtab") || !strcmp(name, ".strtab") ||
			     !strcmp(name, ".shstrtab")))
			continue;
		if (!range_ok(sh.sh_offset, sh.sh_size, f->n)) {
			ok = false;
			break;
		}
		if (f->dlo >= sh.sh_offset && f->dlo < sh.sh_offset + sh.sh_size) {
			/* the build-id note: all zeros */
			static const uint8_t zeros[256];
			for (uint64_t left = sh.sh_size; left; ) {
				size_t c = left < sizeof zeros ? (size_t)left : sizeof zeros;
				h->update(ctx, c, zeros);
				left -= c;
			}
			continue;
		}
		h->update(ctx, sh.sh_size, f->p + sh.sh_offset);
	}
	h->digest(ctx, h->digest_size, out);
	free(ctx);
out:
	if (e)
		elf_end(e);
	return ok;
}

enum shape { FLAT, TREE, TREE_TRUNC, GOLD_TREE, BFD_SECTIONS };
enum linker { GOLD = 1, LLD = 2, MOLD = 4, BFD = 8, ANY = 15 };

static const struct model {
	enum linker ld;
	enum shape shape;
	const struct nettle_hash *inner, *outer;
	size_t chunk;
	const char *says;
} models[] = {
	{GOLD, FLAT, &nettle_sha1, &nettle_sha1, 0, "sha1 of the file, as GNU gold computes it"},
	{GOLD, FLAT, &nettle_md5, &nettle_md5, 0, "md5 of the file, as GNU gold computes it"},
	{LLD, TREE, &nettle_sha1, &nettle_sha1, 1 << 20, "sha1 of the sha1s of 1 MiB chunks, as lld computes it"},
	{LLD, TREE, &nettle_md5, &nettle_md5, 1 << 20, "md5 of the md5s of 1 MiB chunks, as lld computes it"},
	{LLD, TREE, &xxh64, &xxh64, 1 << 20, "xxhash64 of the xxhash64s of 1 MiB chunks, as lld --build-id=fast computes it"},
	{MOLD, TREE_TRUNC, &nettle_sha256, &nettle_sha256, 4 << 20, "sha256 of the sha256s of 4 MiB shards, truncated, as mold computes it"},
	{GOLD, GOLD_TREE, &nettle_md5, &nettle_sha1, 0, "sha1 of the md5s of the file's chunks, as GNU gold --build-id=tree computes it"},
	{BFD, BFD_SECTIONS, &nettle_sha1, &nettle_sha1, 0, "sha1 of the headers and sections, as GNU ld computes it"},
	{BFD, BFD_SECTIONS, &nettle_md5, &nettle_md5, 0, "md5 of the headers and sections, as GNU ld computes it"},
};

/* Which linkers may have made the file: lld and mold sign .comment
 * ("Linker: Debian LLD 14.0.6", "mold 1.10.1"), gold writes a
 * .note.gnu.gold-version section, GNU ld neither; a file with a .comment
 * and none of these marks is GNU ld's; without a .comment (stripped
 * away), any.  Each model tried is one pass over the file. */
static unsigned linkers(const unsigned char *comment, size_t n, bool gold_note)
{
	if (gold_note)
		return GOLD;
	if (!comment || !n)
		return ANY;
	if (memmem(comment, n, "LLD ", 4))
		return LLD;
	if (memmem(comment, n, "mold ", 5))
		return MOLD;
	return BFD;
}

static bool matches(const struct model *m, const struct file *f, const uint8_t *id, size_t len)
{
	uint8_t out[64];
	if (m->shape == TREE_TRUNC ? len > m->outer->digest_size : len != m->outer->digest_size)
		return false;
	switch (m->shape) {
	case FLAT:
		flat(m->outer, f, out);
		return !memcmp(out, id, len);
	case TREE:
	case TREE_TRUNC:
		tree(m->inner, m->outer, f, m->chunk, out);
		return !memcmp(out, id, len);
	case BFD_SECTIONS:
		return bfd_hash(m->outer, f, out) && !memcmp(out, id, len);
	case GOLD_TREE:
		/* the chunk size is not in the file: every power of two for
		 * files under gold's default minimum (40 MiB, where the tree
		 * needs the option anyway), the default 2 MiB above it */
		for (size_t chunk = f->n < ((size_t)40 << 20) ? 4096 : (size_t)2 << 20;
		     chunk <= ((size_t)64 << 20); chunk <<= 1) {
			if (chunk >= f->n || (f->n >= ((size_t)40 << 20) && chunk > ((size_t)2 << 20)))
				return false;   /* one chunk: gold hashes flat */
			tree(m->inner, m->outer, f, chunk, out);
			if (!memcmp(out, id, len))
				return true;
		}
		return false;
	}
	return false;
}

const char *bd_buildid_recompute(const unsigned char *p, size_t n, size_t desc, size_t len,
				 const unsigned char *comment, size_t ncomment, bool gold_note)
{
	if (!len || len > 32 || !range_ok(desc, len, n))
		return NULL;
	struct file f = {p, n, desc, desc + len};
	unsigned ld = linkers(comment, ncomment, gold_note);
	for (size_t k = 0; k < sizeof models / sizeof *models; k++)
		if ((models[k].ld & ld) && matches(&models[k], &f, p + desc, len))
			return models[k].says;
	return NULL;
}
