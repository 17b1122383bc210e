/*
 * prune.c - one file in, its pruned copy out (`slim prune`, issue #17).
 *
 * prune_file() maps the input, finds its fatbin entries as `slim report
 * --arch` does (fatbin_scan_buf(), fatbin_classify(): the same verdicts,
 * so the bytes freed are the report's removable_bytes for those
 * findings), asks analyzers/fatbin/rewrite.c for the pieces of the output
 * and writes them:
 *   - the output is created beside its target (ofile_open()), given the
 *     input's permission bits and size (ftruncate: all zero, no blocks);
 *   - each copied piece goes file to file with copy_file_range() (the
 *     kernel copies; no pass through user space), falling back to write()
 *     from the mapping where the filesystems do not support it;
 *   - rewritten container headers are written with pwrite();
 *   - the gaps (the removed entries' bytes) are never written, and are
 *     punched (fallocate PUNCH_HOLE) so that a partial block written by a
 *     neighbour keeps no stale data and whole blocks hold none;
 *   - the ELF edits of needed.c (unused DT_NEEDED entries and their
 *     version records) are written over the copy with pwrite();
 *   - ofile_commit() checks, syncs and renames over the target.
 * What cannot be rewritten safely is copied unchanged, the reason kept in
 * the result: a fatbin scan with an error (an unknown container version, a
 * bad entry, a .nvFatBinSegment wrapper that points at no container), an
 * ELF file without a section header table (its GPU code cannot be
 * located), containers whose entries do not tile them, a relocation or
 * symbol pointing into a container past its start (audit.c).  In a
 * deployable (prune_opts.link_unchanged) a file with nothing to change is
 * hardlinked instead of copied.
 */
#include "prune-int.h"
#include "../common/filetype.h"
#include "../common/mfile.h"
#include "../common/ofile.h"
#include "../common/util.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

/* [src, src+len) of the input to [dst, dst+len) of the output */
static int copy_range(int in, const unsigned char *p, int out, uint64_t src,
		      uint64_t dst, uint64_t len, bool *no_cfr)
{
	while (len && !*no_cfr) {
		loff_t a = (loff_t)src, b = (loff_t)dst;
		ssize_t k = copy_file_range(in, &a, out, &b, len, 0);
		if (k > 0) {
			src += (uint64_t)k, dst += (uint64_t)k, len -= (uint64_t)k;
			continue;
		}
		if (k == 0)
			break;   /* input shorter than mapped: write the rest */
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != ENOSYS && errno != EINVAL &&
		    errno != EOPNOTSUPP && errno != EBADF)
			return -1;
		*no_cfr = true;
	}
	while (len) {
		ssize_t k = pwrite(out, p + src, len > (1u << 30) ? (1u << 30) : len,
				   (off_t)dst);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		src += (uint64_t)k, dst += (uint64_t)k, len -= (uint64_t)k;
	}
	return 0;
}

static int write_all_at(int fd, const unsigned char *p, uint64_t len, uint64_t off)
{
	while (len) {
		ssize_t k = pwrite(fd, p, len, (off_t)off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k, len -= (uint64_t)k, off += (uint64_t)k;
	}
	return 0;
}

/* zstd at a fast level (1): a figure, not an archive.  Feeds `len` bytes
 * of p, or zeros when p is NULL. */
struct zcount {
	ZSTD_CCtx *cc;
	unsigned char *buf;
	size_t cap;
	uint64_t total;
};

static void zfeed(struct zcount *z, const unsigned char *p, uint64_t len,
		  ZSTD_EndDirective end)
{
	static const unsigned char zero[1 << 16];
	do {
		size_t chunk = len > (1u << 20) ? (1u << 20) : len;
		if (!p && chunk > sizeof zero)
			chunk = sizeof zero;
		ZSTD_inBuffer in = {p ? p : zero, chunk, 0};
		ZSTD_EndDirective mode = chunk == len ? end : ZSTD_e_continue;
		size_t left;
		do {
			ZSTD_outBuffer out = {z->buf, z->cap, 0};
			left = ZSTD_compressStream2(z->cc, &out, &in, mode);
			if (ZSTD_isError(left))
				return;
			z->total += out.pos;
		} while (in.pos < in.size || (mode == ZSTD_e_end && left));
		if (p)
			p += chunk;
		len -= chunk;
	} while (len);
}

static void zopen(struct zcount *z)
{
	z->cc = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(z->cc, ZSTD_c_compressionLevel, 1);
	/* threads where libzstd has them (ignored otherwise) */
	ZSTD_CCtx_setParameter(z->cc, ZSTD_c_nbWorkers, 2);
	z->cap = ZSTD_CStreamOutSize();
	z->buf = xmalloc(z->cap);
	z->total = 0;
}

static void zclose(struct zcount *z)
{
	ZSTD_freeCCtx(z->cc);
	free(z->buf);
}

/* the zstd sizes of the input and of the output as written (read back
 * through a mapping of the temporary, so every edit is in it) */
static void zsizes(const unsigned char *p, size_t n, int fd,
		   struct prune_result *r)
{
	struct zcount z;
	zopen(&z);
	zfeed(&z, p, n, ZSTD_e_end);
	r->zin = z.total;
	zclose(&z);
	void *m = n ? mmap(NULL, n, PROT_READ, MAP_SHARED, fd, 0) : NULL;
	if (m == MAP_FAILED) {
		r->zout = 0;
		return;
	}
	zopen(&z);
	zfeed(&z, m, n, ZSTD_e_end);
	r->zout = z.total;
	zclose(&z);
	if (m)
		munmap(m, n);
}

static void refuse(struct prune_result *r, const char *prefix, const char *msg)
{
	r->refused = true;
	snprintf(r->why, sizeof r->why, "%s%.500s", prefix, msg);
}

/* Decide what goes: fills rw, or leaves it empty (copy unchanged, with
 * r->refused set when that is for safety). */
static void plan(const char *in, const struct mfile *mf,
		 const struct prune_opts *o, struct prune_result *r,
		 struct fatbin_rewrite *rw)
{
	enum filetype ft = filetype_detect(mf->p, mf->n);
	if (ft != FT_FATBIN && ft != FT_AR && !filetype_is_elf(ft))
		return;
	if (filetype_is_elf(ft) && mf->n >= sizeof(Elf64_Ehdr) &&
	    mf->p[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;
		memcpy(&eh, mf->p, sizeof eh);
		if (!eh.e_shoff || !eh.e_shnum) {
			refuse(r, "", "no section header table: its GPU code cannot be located");
			return;
		}
	}
	struct fatbin_scan s = {0};
	struct diag_list w = {0};
	struct diag d = {0};
	char msg[1200];
	if (fatbin_scan_buf(&s, in, mf->p, mf->n, &w, &d)) {
		diag_format(&d, msg, sizeof msg);
		refuse(r, "", msg);
		goto out;
	}
	r->entries = (uint32_t)s.n;
	r->gpu = s.n > 0;
	if (s.errors) {
		diag_format(&s.first_error, msg, sizeof msg);
		refuse(r, "fatbin not rewritten: ", msg);
		goto out;
	}
	if (!s.n || !o->nt)
		goto out;
	enum fatbin_verdict *v = xcalloc(s.n, sizeof *v);
	size_t *dup_of = xcalloc(s.n, sizeof *dup_of);
	bool *drop = xcalloc(s.n, sizeof *drop);
	fatbin_classify(&s, o->t, o->nt, v, dup_of);
	bool any = false;
	for (size_t i = 0; i < s.n; i++) {
		drop[i] = v[i] == FATBIN_PRUNABLE ||
			  (o->likely && (v[i] == FATBIN_REDUNDANT || dup_of[i] != SIZE_MAX));
		if (v[i] == FATBIN_PRUNABLE)
			r->freed_proven += s.v[i].hdr_size + s.v[i].payload_size;
		any |= drop[i];
	}
	if (any && fatbin_rewrite_plan(&s, in, mf->p, mf->n, drop, rw, &d)) {
		diag_format(&d, msg, sizeof msg);
		refuse(r, "", msg);
		r->freed_proven = 0;
	} else if (any && prune_audit(mf->p, mf->n, rw, msg, sizeof msg)) {
		refuse(r, "fatbin not rewritten: ", msg);
		fatbin_rewrite_free(rw);
		r->freed_proven = 0;
	}
	r->removed = rw->removed;
	r->freed = rw->freed;
	r->containers = rw->containers;
	free(v);
	free(dup_of);
	free(drop);
out:
	diag_list_free(&w);
	fatbin_scan_free(&s);
}

void prune_result_free(struct prune_result *r)
{
	prune_libs_free(r);
	prune_patches_free(r);
}

int prune_file(const char *in, const char *out, const struct prune_opts *o,
	       struct prune_result *r, struct diag *d)
{
	memset(r, 0, sizeof *r);
	struct mfile mf = {0};
	struct fatbin_rewrite rw = {0};
	struct ofile of = {0};
	int ifd = -1, rc = -1;
	struct stat st;
	if (mfile_open(&mf, in, d))
		return -1;
	if ((ifd = open(in, O_RDONLY | O_CLOEXEC)) < 0 || fstat(ifd, &st)) {
		diag_err(d, in, "%s", strerror(errno));
		goto out;
	}
	r->bytes = mf.n;
	plan(in, &mf, o, r, &rw);
	enum filetype ft = filetype_detect(mf.p, mf.n);
	if (o->libs_given) {
		for (size_t i = 0; i < o->nlibs; i++) {
			struct prune_lib l = o->libs[i];
			l.needed = xstrdup(l.needed);
			l.node = xstrdup(l.node);
			GROW(r->libs, r->caplibs, r->nlibs + 1);
			r->libs[r->nlibs++] = l;
		}
		if (r->nlibs)
			prune_needed_edit(in, mf.p, mf.n, r);
	} else if (ft == FT_ELF_EXEC || ft == FT_ELF_DYN) {
		prune_needed(in, mf.p, mf.n, o->likely, r);
	}
	if (o->link_unchanged && !rw.n && !r->npatches && !o->compressed_size &&
	    !link(in, out)) {
		r->linked = true;
		rc = 0;
		goto out;
	}
	FILE *fp = ofile_open(&of, out, d);
	if (!fp)
		goto out;
	int fd = fileno(fp);
	bool no_cfr = false;
	if (fchmod(fd, st.st_mode & 07777) || ftruncate(fd, (off_t)mf.n))
		goto io;
	if (!rw.n) {
		if (copy_range(ifd, mf.p, fd, 0, 0, mf.n, &no_cfr))
			goto io;
	} else {
		uint64_t pos = 0;
		for (size_t i = 0; i < rw.n; i++) {
			const struct fatbin_piece *pc = &rw.v[i];
			if (pc->out > pos &&
			    fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				      (off_t)pos, (off_t)(pc->out - pos)) &&
			    errno != EOPNOTSUPP && errno != ENOSYS)
				goto io;
			if (pc->data ? write_all_at(fd, pc->data, pc->len, pc->out)
				     : copy_range(ifd, mf.p, fd, pc->src, pc->out, pc->len, &no_cfr))
				goto io;
			pos = pc->out + pc->len;
		}
	}
	for (size_t i = 0; i < r->npatches; i++)
		if (write_all_at(fd, r->patches[i].data, r->patches[i].len,
				 r->patches[i].off))
			goto io;
	if (o->compressed_size)
		zsizes(mf.p, mf.n, fd, r);
	if (ofile_commit(&of, d))
		goto out;
	rc = 0;
	goto out;
io:
	diag_err(d, out, "cannot write: %s", strerror(errno));
	ofile_abort(&of);
out:
	if (ifd >= 0)
		close(ifd);
	fatbin_rewrite_free(&rw);
	mfile_close(&mf);
	return rc;
}
