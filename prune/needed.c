/*
 * needed.c - remove the DT_NEEDED entries `slim report` proves unused, with
 * the version requirement that names the same library (issue #17).
 *
 * Which entries: the run's verdicts (pipeline_build() of the one file,
 * binding only its own references, as `ldd -u -r` answers): every
 * `unused-library` finding that is proven (or likely, with --include
 * likely), direct (the file lists the
 * library itself) and not load-bearing (removing it would not unload a
 * library something binds to through it).
 *
 * How (64-bit little-endian ELF; the file keeps its size, nothing moves):
 *   - the dynamic array (PT_DYNAMIC) loses the DT_NEEDED entry; the entries
 *     after it move up one and DT_NULL fills the end, every other entry
 *     kept with its value, as `patchelf --remove-needed` does;
 *   - .gnu.version_r (DT_VERNEED, the section of type SHT_GNU_verneed at
 *     the same address): the Verneed record whose vn_file names the library
 *     goes with its Vernaux records.  The records left are written back to
 *     back from the section's start, each with its Vernaux records after
 *     it (vn_aux and vna_next are relative, so a record moves as a block),
 *     vn_next chaining them, the rest zeroed; DT_VERNEEDNUM and the
 *     section's sh_info count them (readelf -V reads sh_info); with none
 *     left, DT_VERNEED and DT_VERNEEDNUM go too.
 *   - a library is kept, with the reason, when a symbol's .gnu.version
 *     entry still names one of its Vernaux versions (ld.so would look the
 *     symbol up under a version no loaded object requires), or when the
 *     layout is not the one above.
 * glibc's ld.so (dl-version.c _dl_check_map_versions) checks every
 * Verneed record against the object its vn_file names, so a record left
 * behind for a library no longer loaded is an error at load time: the
 * record must go with the entry.
 */
#include "prune-int.h"
#include "../common/util.h"
#include "../graph/graph.h"
#include "../pipeline/pipeline.h"

#include <elf.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>

static void lib_free(struct prune_lib *l)
{
	free(l->needed);
	free(l->node);
}

void prune_libs_free(struct prune_result *r)
{
	for (size_t i = 0; i < r->nlibs; i++)
		lib_free(&r->libs[i]);
	free(r->libs);
	r->libs = NULL;
	r->nlibs = 0;
}

/* The proven (or likely), direct, not load-bearing unused-library findings of `path`
 * (the run of `slim report PATH`, binding only its own references). */
static void find_unused(const char *path, bool likely, struct prune_result *r)
{
	struct pipeline_opts po = {0};
	po.no_gpu = true;
	po.elf.bind_root_only = true;
	struct graph g;
	graph_init(&g);
	struct diag_list w = {0}, errs = {0};
	char *files[1] = {(char *)path};
	if (pipeline_build(&g, &po, files, 1, &w, &errs) || !g.ninputs ||
	    !g.inputs[0].node)
		goto out;
	const char *root = g.inputs[0].node;
	for (size_t i = 0; i < g.nfindings; i++) {
		struct gfinding *f = &g.findings[i];
		bool trans = !strcmp(f->kind, "unneeded-transitive");
		const char *froot = trans ? attr_get_str(f->attrs, "root") : f->dependent;
		if ((strcmp(f->kind, "unused-library") && !trans) || !froot ||
		    strcmp(froot, root) ||
		    !(!strcmp(f->confidence, "proven") || (likely && !strcmp(f->confidence, "likely"))))
			continue;
		const json_t *a = f->attrs;
		if (!strcmp(f->kind, "unneeded-transitive")) {
			GROW(r->libs, r->caplibs, r->nlibs + 1);
			r->libs[r->nlibs++] = (struct prune_lib){
				.needed = xstrdup(f->node), .node = xstrdup(f->node),
				.transitive = true,
				.likely = !strcmp(f->confidence, "likely"),
				.dt_init = json_is_true(json_object_get(a, "dt_init")),
				.init_array = (uint64_t)attr_get_int(a, "init_array", 0),
			};
			continue;
		}
		const char *needed = attr_get_str(a, "needed");
		if (!needed || !json_is_true(json_object_get(a, "direct")) ||
		    json_is_true(json_object_get(a, "load_bearing")))
			continue;
		GROW(r->libs, r->caplibs, r->nlibs + 1);
		r->libs[r->nlibs++] = (struct prune_lib){
			.needed = xstrdup(needed), .node = xstrdup(f->node),
			.likely = !strcmp(f->confidence, "likely"),
			.still_loaded = json_is_true(json_object_get(a, "still_loaded")),
			.dt_init = json_is_true(json_object_get(a, "dt_init")),
			.init_array = (uint64_t)attr_get_int(a, "init_array", 0),
		};
	}
out:
	diag_list_free(&w);
	diag_list_free(&errs);
	graph_free(&g);
}

/* the file offset of [vaddr, vaddr+len) through PT_LOAD, inside the n
 * bytes of the file, or -1 */
static int64_t off_of(Elf *e, size_t phnum, uint64_t vaddr, uint64_t len,
		      size_t n)
{
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (vaddr >= ph.p_vaddr && len <= ph.p_filesz &&
		    vaddr - ph.p_vaddr <= ph.p_filesz - len &&
		    range_ok(ph.p_offset + (vaddr - ph.p_vaddr), len, n))
			return (int64_t)(ph.p_offset + (vaddr - ph.p_vaddr));
	}
	return -1;
}

struct vn {
	uint64_t off, end;       /* record and its Vernaux, in the section */
	const char *file;
	size_t lib;              /* index in r->libs, or SIZE_MAX: kept */
};

static void keep(struct prune_lib *l, const char *fmt, const char *a,
		 const char *b)
{
	l->removed = false;
	snprintf(l->why, sizeof l->why, fmt, a, b);
}

static void keep_all(struct prune_result *r, const char *why)
{
	for (size_t i = 0; i < r->nlibs; i++)
		keep(&r->libs[i], "%s%s", why, "");
}

static void add_patch(struct prune_result *r, uint64_t off, const void *p,
		      uint64_t len)
{
	GROW(r->patches, r->cappatches, r->npatches + 1);
	unsigned char *c = xmalloc(len ? len : 1);
	memcpy(c, p, len);
	r->patches[r->npatches++] = (struct prune_patch){off, len, c};
}

void prune_patches_free(struct prune_result *r)
{
	for (size_t i = 0; i < r->npatches; i++)
		free(r->patches[i].data);
	free(r->patches);
	r->patches = NULL;
	r->npatches = 0;
}

/* Plan the edits over [p, p+n): fills r->patches, sets each lib's removed
 * or why. */
static void plan_edits(const char *path, const unsigned char *p, size_t n,
		       struct prune_result *r)
{
	if (n < sizeof(Elf64_Ehdr) || p[EI_CLASS] != ELFCLASS64 ||
	    p[EI_DATA] != ELFDATA2LSB) {
		keep_all(r, "only 64-bit little-endian ELF files are rewritten");
		return;
	}
	Elf *e = elf_memory((char *)p, n);
	GElf_Ehdr eh;
	size_t phnum, shnum;
	Elf64_Dyn *dyn = NULL;
	struct vn *vns = NULL;
	unsigned char *vbuf = NULL;
	if (!e || !gelf_getehdr(e, &eh) || elf_getphdrnum(e, &phnum) ||
	    elf_getshdrnum(e, &shnum)) {
		keep_all(r, "libelf cannot read the file");
		goto out;
	}
	/* the dynamic array */
	uint64_t doff = 0, dn = 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_DYNAMIC) {
			doff = ph.p_offset;
			dn = ph.p_filesz / sizeof(Elf64_Dyn);
		}
	}
	if (!dn || !range_ok(doff, dn * sizeof(Elf64_Dyn), n)) {
		keep_all(r, "no dynamic segment within the file");
		goto out;
	}
	dyn = xmalloc(dn * sizeof *dyn);
	memcpy(dyn, p + doff, dn * sizeof *dyn);
	uint64_t strtab = 0, strsz = 0, verneed = 0, verneednum = 0;
	size_t nd = 0;   /* entries before DT_NULL */
	while (nd < dn && dyn[nd].d_tag != DT_NULL) {
		switch (dyn[nd].d_tag) {
		case DT_STRTAB: strtab = dyn[nd].d_un.d_ptr; break;
		case DT_STRSZ: strsz = dyn[nd].d_un.d_val; break;
		case DT_VERNEED: verneed = dyn[nd].d_un.d_ptr; break;
		case DT_VERNEEDNUM: verneednum = dyn[nd].d_un.d_val; break;
		}
		nd++;
	}
	int64_t stro = off_of(e, phnum, strtab, strsz, n);
	if (!strtab || !strsz || stro < 0) {
		keep_all(r, "DT_STRTAB is not in a loaded segment");
		goto out;
	}
	const char *str = (const char *)p + stro;
#define STR(o) ((o) < strsz && memchr(str + (o), 0, strsz - (o)) ? str + (o) : NULL)
	/* each lib: its DT_NEEDED entry */
	bool *drop = xcalloc(dn, 1);
	for (size_t k = 0; k < r->nlibs; k++) {
		struct prune_lib *l = &r->libs[k];
		if (l->transitive)
			continue;   /* decided below, from the entries removed */
		l->removed = false;
		for (size_t i = 0; i < nd; i++) {
			const char *s = dyn[i].d_tag == DT_NEEDED ? STR(dyn[i].d_un.d_val) : NULL;
			if (s && !strcmp(s, l->needed) && !drop[i]) {
				drop[i] = l->removed = true;
				break;
			}
		}
		if (!l->removed)
			keep(l, "no DT_NEEDED entry names %s%s", l->needed, "");
	}
	/* the version requirements */
	size_t nvn = 0, vsec = 0;
	GElf_Shdr vsh = {0};
	if (verneed) {
		Elf_Scn *scn = NULL;
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_GNU_verneed &&
			    sh.sh_addr == verneed) {
				vsh = sh;
				vsec = elf_ndxscn(scn);
			}
		}
		if (!vsec || !range_ok(vsh.sh_offset, vsh.sh_size, n)) {
			for (size_t k = 0; k < r->nlibs; k++)
				if (r->libs[k].removed)
					keep(&r->libs[k], "DT_VERNEED is at no SHT_GNU_verneed section: the version requirements cannot be rewritten%s%s", "", "");
			goto edit;
		}
		const unsigned char *v = p + vsh.sh_offset;
		uint64_t pos = 0;
		if (verneednum > vsh.sh_size / sizeof(Elf64_Verneed)) {
			for (size_t k = 0; k < r->nlibs; k++)
				if (r->libs[k].removed)
					keep(&r->libs[k], "DT_VERNEEDNUM is larger than .gnu.version_r holds%s%s", "", "");
			goto edit;
		}
		vns = xcalloc(verneednum + 1, sizeof *vns);
		bool bad = false;
		for (uint64_t i = 0; i < verneednum && !bad; i++) {
			Elf64_Verneed vn;
			if (!range_ok(pos, sizeof vn, vsh.sh_size)) {
				bad = true;
				break;
			}
			memcpy(&vn, v + pos, sizeof vn);
			struct vn *x = &vns[nvn++];
			x->off = pos;
			x->end = pos + sizeof vn;
			x->file = STR(vn.vn_file);
			x->lib = SIZE_MAX;
			uint64_t a = pos + vn.vn_aux;
			for (unsigned j = 0; j < vn.vn_cnt; j++) {
				Elf64_Vernaux aux;
				if (!range_ok(a, sizeof aux, vsh.sh_size)) {
					bad = true;
					break;
				}
				memcpy(&aux, v + a, sizeof aux);
				if (a < pos)
					bad = true;
				if (a + sizeof aux > x->end)
					x->end = a + sizeof aux;
				a += aux.vna_next;
				if (!aux.vna_next)
					break;
			}
			if (!vn.vn_next)
				break;
			if (vn.vn_next < x->end - pos)
				bad = true;   /* the next record inside this one's block */
			pos += vn.vn_next;
		}
		if (bad || nvn != verneednum || !verneednum) {
			for (size_t k = 0; k < r->nlibs; k++)
				if (r->libs[k].removed)
					keep(&r->libs[k], "its .gnu.version_r records are not laid out one block per library%s%s", "", "");
			goto edit;
		}
		for (size_t i = 0; i < nvn; i++)
			for (size_t k = 0; k < r->nlibs && vns[i].file; k++)
				if (r->libs[k].removed && !strcmp(vns[i].file, r->libs[k].needed))
					vns[i].lib = k;
		/* a symbol whose version is one of a removed record's */
		scn = NULL;
		Elf_Data *vs = NULL, *ds = NULL;
		size_t dstr = 0;
		while ((scn = elf_nextscn(e, scn))) {
			GElf_Shdr sh;
			if (!gelf_getshdr(scn, &sh))
				continue;
			if (sh.sh_type == SHT_GNU_versym)
				vs = elf_getdata(scn, NULL);
			if (sh.sh_type == SHT_DYNSYM) {
				ds = elf_getdata(scn, NULL);
				dstr = sh.sh_link;
			}
		}
		for (size_t i = 0; i < nvn; i++) {
			if (vns[i].lib == SIZE_MAX)
				continue;
			Elf64_Verneed vn;
			memcpy(&vn, v + vns[i].off, sizeof vn);
			uint64_t a = vns[i].off + vn.vn_aux;
			for (unsigned j = 0; j < vn.vn_cnt; j++) {
				Elf64_Vernaux aux;
				memcpy(&aux, v + a, sizeof aux);
				for (size_t s = 0; vs && s < vs->d_size / 2; s++) {
					uint16_t x;
					memcpy(&x, (const char *)vs->d_buf + 2 * s, 2);
					if ((x & 0x7fff) != aux.vna_other || (x & 0x7fff) < 2)
						continue;
					GElf_Sym sym;
					const char *name = ds && gelf_getsym(ds, (int)s, &sym)
						? elf_strptr(e, dstr, sym.st_name) : NULL;
					struct prune_lib *l = &r->libs[vns[i].lib];
					const char *ver = STR(aux.vna_name);
					keep(l, "symbol %s still requires version %s of it (.gnu.version_r)",
					     name ? name : "?", ver ? ver : "?");
					vns[i].lib = SIZE_MAX;
					goto next_vn;
				}
				a += aux.vna_next;
				if (!aux.vna_next)
					break;
			}
next_vn:;
		}
		/* the records left, back to back from the section's start */
		vbuf = xcalloc(vsh.sh_size + 1, 1);
		uint64_t at = 0, left = 0, prev = UINT64_MAX;
		for (size_t i = 0; i < nvn; i++) {
			if (vns[i].lib != SIZE_MAX)
				continue;
			uint64_t len = vns[i].end - vns[i].off;
			memcpy(vbuf + at, v + vns[i].off, len);
			if (prev != UINT64_MAX) {
				Elf64_Verneed pv;
				memcpy(&pv, vbuf + prev, sizeof pv);
				pv.vn_next = (Elf64_Word)(at - prev);
				memcpy(vbuf + prev, &pv, sizeof pv);
			}
			Elf64_Verneed cv;
			memcpy(&cv, vbuf + at, sizeof cv);
			cv.vn_next = 0;
			memcpy(vbuf + at, &cv, sizeof cv);
			prev = at;
			at += len;
			left++;
		}
		if (left != nvn) {
			add_patch(r, vsh.sh_offset, vbuf, vsh.sh_size);
			uint32_t info = (uint32_t)left;
			uint64_t so = eh.e_shoff + (uint64_t)vsec * eh.e_shentsize +
				      offsetof(Elf64_Shdr, sh_info);
			if (range_ok(so, 4, n))
				add_patch(r, so, &info, 4);
			for (size_t i = 0; i < nd; i++) {
				if (dyn[i].d_tag == DT_VERNEEDNUM)
					dyn[i].d_un.d_val = left;
				if (!left && (dyn[i].d_tag == DT_VERNEEDNUM ||
					      dyn[i].d_tag == DT_VERNEED))
					drop[i] = true;
			}
		}
	}
edit:;
	/* a DT_NEEDED entry goes only with a library still removed */
	bool any = false;
	for (size_t i = 0; i < nd; i++) {
		if (drop[i] && dyn[i].d_tag == DT_NEEDED) {
			const char *s = STR(dyn[i].d_un.d_val);
			bool still = false;
			for (size_t k = 0; k < r->nlibs && s; k++)
				still |= r->libs[k].removed && !strcmp(s, r->libs[k].needed);
			drop[i] = still;
		}
		any |= drop[i];
	}
	if (any) {
		Elf64_Dyn *nw = xcalloc(dn, sizeof *nw);
		size_t m = 0;
		for (size_t i = 0; i < nd; i++)
			if (!drop[i])
				nw[m++] = dyn[i];
		add_patch(r, doff, nw, dn * sizeof *nw);
		free(nw);
	} else {
		/* nothing left to remove: no patch at all */
		prune_patches_free(r);
	}
	free(drop);
#undef STR
out:
	free(dyn);
	free(vns);
	free(vbuf);
	if (e)
		elf_end(e);
	(void)path;
}

/* A library loaded only through unused entries stops loading when every
 * one of them goes; with one kept, it may still load through it. */
static void settle_transitive(struct prune_result *r)
{
	bool all = true, any = false;
	for (size_t k = 0; k < r->nlibs; k++)
		if (!r->libs[k].transitive) {
			all &= r->libs[k].removed;
			any |= r->libs[k].removed;
		}
	for (size_t k = 0; k < r->nlibs; k++)
		if (r->libs[k].transitive) {
			r->libs[k].removed = all && any;
			snprintf(r->libs[k].why, sizeof r->libs[k].why, "%s",
				 "an unused entry that loads it is kept");
		}
}

void prune_needed(const char *path, const unsigned char *p, size_t n,
		  bool likely, struct prune_result *r)
{
	find_unused(path, likely, r);
	if (r->nlibs)
		plan_edits(path, p, n, r);
	settle_transitive(r);
}

void prune_needed_edit(const char *path, const unsigned char *p, size_t n,
		       struct prune_result *r)
{
	plan_edits(path, p, n, r);
	settle_transitive(r);
}
