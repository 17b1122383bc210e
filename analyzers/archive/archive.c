/*
 * archive.c - the members of a static archive and the bytes each could
 * bring into a link.
 *
 * Format: System V / GNU ar ("!<arch>\n", then per member a 60-byte header
 * whose size field (10 decimal digits at byte 48) gives the bytes that
 * follow, padded to an even offset; "/" is the symbol table, "//" the
 * long-name table, "/SYM64/" the 64-bit symbol table).  Members are walked
 * with libelf (elf_begin(ELF_C_READ_MMAP) on the archive and
 * elf_getarhdr(), as elfutils' ar.c does), which also resolves long names.
 * libelf quietly clamps a member that runs past the end of the file to the
 * bytes present and stops at a header it cannot read, so both are checked
 * here against the header's own size field and the offset the walk
 * stopped at: a cut-short archive is an error, never a shorter list.
 *
 * Thin archives (GNU ar --thin, "!<thin>\n") keep only the headers: each
 * member is the file its name gives, relative to the archive's directory;
 * libelf does not read them, so their headers are walked here, and each
 * member file is opened and must have the size its header records.
 *
 * Sizes: binutils' size.c (berkeley_or_gnu_sum) counts each SEC_ALLOC
 * section as text when it is code or read-only, as data when it has
 * contents, else as bss.  BFD derives those flags from the ELF section
 * header (elf.c, _bfd_elf_make_section_from_shdr): SEC_ALLOC from
 * SHF_ALLOC, SEC_CODE from SHF_EXECINSTR, SEC_READONLY from the absence of
 * SHF_WRITE, SEC_HAS_CONTENTS from any type but SHT_NOBITS.  The same rule
 * here makes every member's figures equal `size`'s (tests/cli/
 * test-report-archive.sh checks that on Debian's static archives).
 */
#include "archive.h"
#include "../../common/mfile.h"
#include "../../common/util.h"
#include "../../graph/graph.h"
#include "../../graph/ids.h"

#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

#define AR_HDR 60u

/* One section's place in the Berkeley split (nothing unless SHF_ALLOC). */
static void add_section(struct archive_sizes *s, const GElf_Shdr *sh)
{
	if (!(sh->sh_flags & SHF_ALLOC))
		return;
	if ((sh->sh_flags & SHF_EXECINSTR) || !(sh->sh_flags & SHF_WRITE))
		s->text += sh->sh_size;
	else if (sh->sh_type != SHT_NOBITS)
		s->data += sh->sh_size;
	else
		s->bss += sh->sh_size;
}

static int sizes_of(Elf *e, size_t n, const char *where, uint64_t base,
		    struct archive_sizes *s, struct diag *d)
{
	size_t shnum;
	GElf_Ehdr ehm, *eh = gelf_getehdr(e, &ehm);
	if (!eh)
		return diag_err_at(d, where, base, "cannot read the ELF header: %s", elf_errmsg(-1));
	/* libelf reads a table that runs past the end as no sections at all */
	if (eh->e_shoff && !range_ok(eh->e_shoff,
				     (uint64_t)(eh->e_shnum ? eh->e_shnum : 1) * eh->e_shentsize, n))
		return diag_err_at(d, where, base + eh->e_shoff,
				   "section header table (%u entries) runs past the end of the file",
				   eh->e_shnum);
	if (elf_getshdrnum(e, &shnum))
		return diag_err_at(d, where, base, "cannot read the section headers: %s",
				   elf_errmsg(-1));
	for (size_t i = 1; i < shnum; i++) {
		GElf_Shdr mem, *sh = gelf_getshdr(elf_getscn(e, i), &mem);
		if (!sh)
			return diag_err_at(d, where, base, "cannot read section header %zu: %s",
					   i, elf_errmsg(-1));
		if (sh->sh_type != SHT_NOBITS && !range_ok(sh->sh_offset, sh->sh_size, n))
			return diag_err_at(d, where, base + sh->sh_offset,
					   "section %zu (0x%llx bytes) runs past the end of the file",
					   i, (unsigned long long)sh->sh_size);
		add_section(s, sh);
	}
	return 0;
}

int archive_elf_sizes(const unsigned char *p, size_t n, const char *where,
		      uint64_t base, struct archive_sizes *s, struct diag *d)
{
	elf_version(EV_CURRENT);
	memset(s, 0, sizeof *s);
	Elf *e = elf_memory((char *)p, n);
	if (!e)
		return diag_err_at(d, where, base, "not readable by libelf: %s", elf_errmsg(-1));
	int rc = elf_kind(e) == ELF_K_ELF ? sizes_of(e, n, where, base, s, d)
		 : diag_err_at(d, where, base, "not an ELF file");
	elf_end(e);
	return rc;
}

void archive_sizes_attrs(struct graph *g, const char *node_id,
			 const struct archive_sizes *s)
{
	json_t *a = graph_node_attrs(graph_node(g, node_id));
	attr_int(a, "bytes_text", (long long)s->text);
	attr_int(a, "bytes_data", (long long)s->data);
	attr_int(a, "bytes_bss", (long long)s->bss);
}

#define NO_HEADER UINT64_MAX
#define BAD_SIZE (UINT64_MAX - 1)

/* The size field of the GNU/SysV header just before the member's bytes at
 * `base`: NO_HEADER when the bytes before base are not such a header (a
 * BSD "#1/len" name sits between header and bytes: libelf's size then),
 * BAD_SIZE when the field is not a decimal number (libelf takes the digits
 * before the junk). */
static uint64_t declared_size(const unsigned char *p, uint64_t base)
{
	if (base < AR_HDR + 8 || memcmp(p + base - 2, "`\n", 2))
		return NO_HEADER;
	const unsigned char *f = p + base - AR_HDR + 48;
	uint64_t v = 0;
	size_t i = 0;
	for (; i < 10 && f[i] >= '0' && f[i] <= '9'; i++)
		v = v * 10 + (uint64_t)(f[i] - '0');
	if (!i)
		return BAD_SIZE;
	for (; i < 10; i++)
		if (f[i] != ' ')
			return BAD_SIZE;
	return v;
}

struct walk {
	struct graph *g;
	const char *path, *owner;
	struct hmap seen;      /* member name -> times seen */
	size_t members;
};

/* The node of one member: its id (with #K for the K-th of one name) and
 * the attrs every member has. */
static const char *member_node(struct walk *w, const char *name, uint64_t base,
			       uint64_t size, bool elf)
{
	bool created;
	name = graph_str(w->g, name);   /* libelf reuses its name buffer */
	void **cnt = hmap_slot(&w->seen, name, strlen(name), &created);
	*cnt = (void *)((uintptr_t)*cnt + 1);
	size_t k = (size_t)(uintptr_t)*cnt;
	const char *id = ids_member(w->g, w->path, name);
	if (k > 1)
		id = graph_strf(w->g, "%s#%zu", id, k);
	struct gnode *nd = graph_add_node(w->g, NK_OBJECT, id, NULL);
	graph_node_set_size(nd, size);
	json_t *a = graph_node_attrs(nd);
	attr_str(a, "member", name);
	attr_int(a, "position", (long long)++w->members);
	attr_int(a, "offset", (long long)base);
	attr_str(a, "format", elf ? "elf" : "other");
	attr_str(graph_edge_attrs(graph_add_edge(w->g, w->owner, id, EK_CONTAINS)),
		 "analyzer", "archive");
	return id;
}

/* One member: checked against its header, added, its ELF sizes read. */
static int member(struct walk *w, Elf *sub, const unsigned char *p, size_t n,
		  uint64_t *end, struct diag *d)
{
	Elf_Arhdr *h = elf_getarhdr(sub);
	int64_t b = elf_getbase(sub);
	if (!h || b < 0)
		return diag_err_at(d, w->path, *end, "cannot read the archive member header: %s",
				   elf_errmsg(-1));
	uint64_t base = (uint64_t)b, size = declared_size(p, base);
	if (size == BAD_SIZE)
		return diag_err_at(d, w->path, base - AR_HDR + 48,
				   "archive member %s: size field is not a decimal number", h->ar_name);
	if (size == NO_HEADER)
		size = (uint64_t)h->ar_size;
	if (!range_ok(base, size, n))
		return diag_err_at(d, w->path, base >= AR_HDR ? base - AR_HDR : base,
				   "archive member %s (%llu bytes) runs past the end of the file",
				   h->ar_name, (unsigned long long)size);
	if (base + size + (size & 1) > *end)
		*end = base + size + (size & 1);
	if (h->ar_name[0] == '/')
		return 0;           /* symbol table, long-name table */
	bool elf = elf_kind(sub) == ELF_K_ELF;
	const char *id = member_node(w, h->ar_name, base, size, elf);
	if (!elf)
		return 0;
	struct archive_sizes s = {0};
	char where[1200];
	snprintf(where, sizeof where, "%s(%s)", w->path, h->ar_name);
	if (sizes_of(sub, size, where, base, &s, d))
		return -1;
	archive_sizes_attrs(w->g, id, &s);
	return 0;
}

/* A thin archive's member name: "NAME/" in the header, or "/N" for the
 * entry at offset N of the long-name table ("NAME/\n" each). */
static int thin_name(const unsigned char *h, const unsigned char *names, size_t nnames,
		     char *out, size_t len)
{
	const unsigned char *s = h, *e = h + 16;
	if (h[0] == '/') {
		uint64_t off = 0;
		size_t i = 1;
		for (; i < 16 && h[i] >= '0' && h[i] <= '9'; i++)
			off = off * 10 + (uint64_t)(h[i] - '0');
		if (i == 1 || !names || off >= nnames)
			return -1;
		s = names + off;
		e = names + nnames;
	}
	const unsigned char *end = memchr(s, '/', (size_t)(e - s));
	if (h[0] == '/')    /* a long name is a path: it ends at "/\n" */
		for (end = s; end + 1 < e && !(end[0] == '/' && end[1] == '\n'); end++)
			;
	if (!end || end >= e || end == s || (size_t)(end - s) >= len)
		return -1;
	memcpy(out, s, (size_t)(end - s));
	out[end - s] = 0;
	return 0;
}

/* One member of a thin archive: its bytes are the file it names, relative
 * to the archive's directory (GNU ar --thin). */
static int thin_member(struct walk *w, const char *name, uint64_t hoff, uint64_t size,
		       struct diag *d)
{
	const char *slash = strrchr(w->path, '/');
	const char *file = name[0] == '/' || !slash ? graph_str(w->g, name)
			   : graph_strf(w->g, "%.*s/%s", (int)(slash - w->path), w->path, name);
	struct mfile mf;
	if (mfile_open(&mf, file, d))
		return diag_err_at(d, w->path, hoff, "thin archive member %s: cannot open %s",
				   name, file);
	struct archive_sizes s;
	bool elf = mf.n >= 4 && !memcmp(mf.p, "\177ELF", 4);
	const char *id = member_node(w, name, hoff, size, elf);
	attr_str(graph_node_attrs(graph_node(w->g, id)), "file", file);
	int rc = 0;
	if (mf.n != size)
		rc = diag_err_at(d, w->path, hoff, "thin archive member %s: the archive says %llu bytes, %s has %zu",
				 name, (unsigned long long)size, file, mf.n);
	else if (elf && !(rc = archive_elf_sizes(mf.p, mf.n, file, 0, &s, d)))
		archive_sizes_attrs(w->g, id, &s);
	mfile_close(&mf);
	return rc;
}

/* GNU thin archive ("!<thin>\n"): headers only (libelf reads none of it);
 * the symbol and long-name tables keep their bytes inline. */
static int walk_thin(struct walk *w, const unsigned char *p, size_t n, struct diag *d)
{
	const unsigned char *names = NULL;
	size_t nnames = 0;
	uint64_t off = 8;
	while (off < n) {
		const unsigned char *h = p + off;
		if (!range_ok(off, AR_HDR, n) || memcmp(h + 58, "`\n", 2))
			return diag_err_at(d, w->path, off, "archive member header cut short or corrupt");
		uint64_t size = declared_size(p, off + AR_HDR);
		if (size == BAD_SIZE)
			return diag_err_at(d, w->path, off + 48, "archive member: size field is not a decimal number");
		if (h[0] == '/' && (h[1] == ' ' || h[1] == '/' || !memcmp(h, "/SYM64/", 7))) {
			if (!range_ok(off + AR_HDR, size, n))
				return diag_err_at(d, w->path, off, "archive table (%llu bytes) runs past the end of the file",
						   (unsigned long long)size);
			if (h[1] == '/') {
				names = h + AR_HDR;
				nnames = (size_t)size;
			}
			off += AR_HDR + size + (size & 1);
			continue;
		}
		char name[4096];
		if (thin_name(h, names, nnames, name, sizeof name))
			return diag_err_at(d, w->path, off, "archive member name unreadable");
		if (thin_member(w, name, off, size, d))
			return -1;
		off += AR_HDR;
	}
	return 0;
}

int archive_merge(struct graph *g, const char *path, const unsigned char *p,
		  size_t n, const char *owner_node, struct diag *d)
{
	if (n >= 8 && !memcmp(p, "!<thin>\n", 8)) {
		struct walk w = {g, path, owner_node, {0}, 0};
		int rc = walk_thin(&w, p, n, d);
		attr_int(graph_node_attrs(graph_node(g, owner_node)), "members", (long long)w.members);
		attr_bool(graph_node_attrs(graph_node(g, owner_node)), "thin", true);
		hmap_free(&w.seen);
		GRAPH_DEBUG_CHECK(g);
		return rc ? -1 : (int)w.members;
	}
	elf_version(EV_CURRENT);
	Elf *ar = elf_memory((char *)p, n);
	if (!ar || elf_kind(ar) != ELF_K_AR) {
		if (ar)
			elf_end(ar);
		return diag_err_at(d, path, 0, "not an ar archive");
	}
	struct walk w = {g, path, owner_node, {0}, 0};
	uint64_t end = 8;
	int rc = 0;
	Elf_Cmd cmd = ELF_C_READ_MMAP;
	Elf *sub;
	while (!rc && (sub = elf_begin(-1, cmd, ar))) {
		rc = member(&w, sub, p, n, &end, d);
		cmd = elf_next(sub);
		elf_end(sub);
	}
	/* libelf stops quietly at a header it cannot read: anything but the
	 * end of the file (or one padding newline) left over is one */
	if (!rc && end < n && !(end + 1 == n && p[end] == '\n'))
		rc = diag_err_at(d, path, end, "archive member header cut short or corrupt (%zu bytes left)",
				 (size_t)(n - end));
	attr_int(graph_node_attrs(graph_node(g, owner_node)), "members", (long long)w.members);
	hmap_free(&w.seen);
	elf_end(ar);
	GRAPH_DEBUG_CHECK(g);
	return rc ? -1 : (int)w.members;
}
