/*
 * fatbin.c - verdicts on fatbin entries, and the merge into the graph.
 *
 * fatbin_classify() decides, for a scanned file and a target arch list:
 *   prunable-gpu-code  no target can load the entry (compat.c's rules);
 *   redundant-ptx      PTX/LTO-IR that a target could JIT, but every target
 *                      already has a cubin it can load in the same
 *                      container (the same translation unit's kernels); the
 *                      PTX still serves GPUs newer than the targets;
 *   duplicate-gpu-code an entry byte-identical (kind, arch and stored
 *                      payload) to an earlier entry of the same file.
 * Duplicates are found without hashing every payload: entries are sorted by
 * (kind, arch, sizes) and only runs of equal keys are hashed and compared.
 *
 * fatbin_merge() writes one `gpu` node per entry, id
 * gpu:<owner>:<arch>:<N> (N = position in the file, from 1 as cuobjdump
 * numbers entries), `kernel` nodes
 * kern:<owner>:<arch>:<mangled name> with --kernels, `contains` edges, and
 * the findings.  Bytes are the entry's bytes as stored (header + payload).
 * It also writes totals.fatbin (totals.c), which every view prints from.
 */
#include "fatbin.h"
#include "../../common/hmap.h"
#include "../../common/run.h"
#include "../../common/util.h"
#include "../../graph/graph.h"
#include "../../graph/ids.h"

#include <elf.h>
#include <stdlib.h>
#include <string.h>

static const struct fatbin_scan *sort_scan;
static const uint64_t *sort_hash;   /* NULL in the first sort */

/* (kind, arch, sizes[, payload hash], file order) */
static int cmp_dupkey(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct fatbin_entry *x = &sort_scan->v[i], *y = &sort_scan->v[j];
#define CMP(f) if (x->f != y->f) return x->f < y->f ? -1 : 1
	CMP(kind); CMP(sm); CMP(variant); CMP(payload_size); CMP(comp_size);
	CMP(uncomp_size);
#undef CMP
	if (sort_hash && sort_hash[i] != sort_hash[j])
		return sort_hash[i] < sort_hash[j] ? -1 : 1;
	return i < j ? -1 : 1;
}

static bool same_key(const struct fatbin_scan *s, const uint64_t *h,
		     size_t i, size_t j)
{
	const struct fatbin_entry *x = &s->v[i], *y = &s->v[j];
	return x->kind == y->kind && x->sm == y->sm && x->variant == y->variant &&
	       x->payload_size == y->payload_size && x->comp_size == y->comp_size &&
	       x->uncomp_size == y->uncomp_size && (!h || h[i] == h[j]);
}

/* dup_of[i] = the first entry (file order) identical to i, or SIZE_MAX.
 * Sort by key; hash the payloads of entries whose key repeats; sort again
 * with the hash; compare bytes only inside groups of equal key and hash
 * (O(n log n), payloads read at most twice). */
static void find_duplicates(const struct fatbin_scan *s, size_t *dup_of)
{
	size_t n = s->n, *idx = xcalloc(n ? n : 1, sizeof *idx);
	uint64_t *h = xcalloc(n ? n : 1, sizeof *h);
	for (size_t i = 0; i < n; i++) {
		idx[i] = i;
		dup_of[i] = SIZE_MAX;
	}
	sort_scan = s;
	sort_hash = NULL;
	qsort(idx, n, sizeof *idx, cmp_dupkey);
	for (size_t r = 0, end; r < n; r = end) {
		for (end = r + 1; end < n && same_key(s, NULL, idx[r], idx[end]); end++)
			;
		for (size_t j = r; end - r > 1 && j < end; j++)
			h[idx[j]] = hmap_hash(s->v[idx[j]].payload, s->v[idx[j]].payload_size);
	}
	sort_hash = h;
	qsort(idx, n, sizeof *idx, cmp_dupkey);
	for (size_t r = 0, end; r < n; r = end) {
		for (end = r + 1; end < n && same_key(s, h, idx[r], idx[end]); end++)
			;
		/* equal hashes: the bytes match the group's first entry unless
		 * the hash collided; then try the group's other originals */
		for (size_t j = r + 1; j < end; j++) {
			const struct fatbin_entry *e = &s->v[idx[j]];
			for (size_t k = r; k < j; k++) {
				if (dup_of[idx[k]] != SIZE_MAX)
					continue;
				if (!memcmp(s->v[idx[k]].payload, e->payload, e->payload_size)) {
					dup_of[idx[j]] = idx[k];
					break;
				}
			}
		}
	}
	free(idx);
	free(h);
}

void fatbin_classify(const struct fatbin_scan *s, const struct fatbin_target *t,
		     size_t nt, enum fatbin_verdict *verdict, size_t *dup_of)
{
	find_duplicates(s, dup_of);
	/* served[c * nt + k]: container c has a cubin target k can load
	 * (one pass, so a container of many entries stays linear) */
	bool *served = xcalloc((size_t)s->ncontainers * nt + 1, sizeof *served);
	for (size_t i = 0; i < s->n; i++)
		for (size_t k = 0; k < nt && s->v[i].kind == FATBIN_CUBIN; k++)
			if (fatbin_loadable(&s->v[i], t[k].sm))
				served[(size_t)s->v[i].container * nt + k] = true;
	for (size_t i = 0; i < s->n; i++) {
		const struct fatbin_entry *e = &s->v[i];
		verdict[i] = FATBIN_KEEP;
		bool any = false, all_served = nt > 0;
		for (size_t k = 0; k < nt; k++) {
			any |= fatbin_loadable(e, t[k].sm);
			all_served &= served[(size_t)e->container * nt + k];
		}
		if (nt && !any)
			verdict[i] = FATBIN_PRUNABLE;
		else if (e->kind != FATBIN_CUBIN && all_served)
			verdict[i] = FATBIN_REDUNDANT;
	}
	free(served);
}

struct merge {
	struct graph *g;
	const char *path, *owner_node, *owner;
	const struct fatbin_opts *o;
	const struct fatbin_scan *s;
	struct diag_list *w;     /* the caller's: warnings, errors after the first */
	struct diag_list errs;   /* every error, in order */
};

static void merge_error(struct merge *m, const struct diag *d)
{
	diag_warn(&m->errs, d);
}

static const char *gpu_id(struct merge *m, size_t i)
{
	char arch[16];
	return ids_gpu(m->g, m->owner, fatbin_arch_name(&m->s->v[i], arch), i + 1);
}

static void entry_attrs(json_t *a, const struct fatbin_entry *e)
{
	char buf[160];
	attr_str(a, "kind", fatbin_kind_name(e->kind));
	attr_str(a, "arch", fatbin_arch_name(e, buf));
	attr_str(a, "section", e->section);
	if (e->member)
		attr_str(a, "member", e->member);
	attr_bool(a, "found_by_scan", e->found_by_scan);
	attr_str(a, "compression", fatbin_comp_name(e->comp));
	attr_int(a, "bytes", (long long)(e->hdr_size + e->payload_size));
	attr_int(a, "header_bytes", e->hdr_size);
	attr_int(a, "stored_bytes", (long long)(e->comp ? e->comp_size : e->payload_size));
	attr_int(a, "uncompressed_bytes", (long long)e->uncomp_size);
	attr_bool(a, "decodable", fatbin_decodable(e));
	attr_int(a, "offset", (long long)e->file_off);
	attr_int(a, "container", e->container);
	snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)e->flags);
	attr_str(a, "flags", buf);
	fatbin_flag_names(e->flags, buf, sizeof buf);
	attr_str(a, "flag_names", buf);
	if (e->flags & ~FATBIN_F_KNOWN) {
		snprintf(buf, sizeof buf, "0x%llx",
			 (unsigned long long)(e->flags & ~FATBIN_F_KNOWN));
		attr_str(a, "unknown_flags", buf);
	}
	snprintf(buf, sizeof buf, "%u.%u", e->ver_major, e->ver_minor);
	attr_str(a, "version", buf);
	if (e->obj_name)
		attr_str(a, "object_name", e->obj_name);
}

static void merge_kernels(struct merge *m, size_t i, const char *gid)
{
	const struct fatbin_entry *e = &m->s->v[i];
	char where[1100], arch[16];
	fatbin_where_str(e, m->path, where, sizeof where);
	const unsigned char *buf;
	bool owned;
	struct diag d = {0};
	if (fatbin_decode(e, where, &buf, &owned, &d)) {
		merge_error(m, &d);
		return;
	}
	struct arena a = {0};
	struct fatbin_kernel *k;
	size_t nk;
	unsigned sm;
	if (fatbin_kernels(buf, e->uncomp_size, &a, &k, &nk, &sm, where,
			   e->file_off, &d)) {
		merge_error(m, &d);
		goto out;
	}
	if (sm != e->sm)
		diag_warn_at(m->w, where, e->file_off, "cubin e_flags say sm_%u, the container entry says sm_%u",
			     sm, e->sm);
	fatbin_arch_name(e, arch);
	json_t *ga = graph_node_attrs(graph_node(m->g, gid));
	attr_int(ga, "kernels", (long long)nk);
	attr_int(ga, "elf_abi_version", buf[EI_ABIVERSION]);
	for (size_t j = 0; j < nk; j++) {
		const char *kid = ids_kernel(m->g, m->owner, arch, k[j].name);
		struct gnode *n = graph_add_node(m->g, NK_KERNEL, kid, k[j].demangled);
		graph_node_set_size(n, k[j].code_bytes);
		json_t *at = graph_node_attrs(n);
		attr_str(at, "mangled", k[j].name);
		attr_str(at, "arch", arch);
		attr_int(at, "code_bytes", (long long)k[j].code_bytes);
		struct gedge *ed = graph_add_edge(m->g, gid, kid, EK_CONTAINS);
		if (ed)
			attr_str(graph_edge_attrs(ed), "analyzer", "fatbin");
	}
	free(k);
out:
	arena_free(&a);
	if (owned)
		free((void *)buf);
}

static const char *rule_text(const struct fatbin_entry *e)
{
	if (e->variant == 'a')
		return "an `a` variant runs only on its exact arch";
	if (e->variant == 'f')
		return "an `f` variant runs only within its family (same major version, equal or higher minor)";
	if (e->kind == FATBIN_CUBIN)
		return "a cubin runs only on its own major version with equal or higher minor";
	return "PTX and LTO-IR are JIT-compiled only for equal or newer archs";
}

static void add_findings(struct merge *m, const enum fatbin_verdict *v,
			 const size_t *dup_of)
{
	for (size_t i = 0; i < m->s->n; i++) {
		const struct fatbin_entry *e = &m->s->v[i];
		char arch[16];
		fatbin_arch_name(e, arch);
		const char *gid = gpu_id(m, i), *kind = fatbin_kind_name(e->kind);
		uint64_t bytes = e->hdr_size + e->payload_size;
		if (v[i] == FATBIN_PRUNABLE)
			graph_add_finding(m->g, "prunable-gpu-code", gid, m->owner_node, bytes, "proven",
				graph_strf(m->g, "%s %s: no target in --arch %s can load it (%s)",
					   arch, kind, m->o->arch, rule_text(e)),
				graph_strf(m->g, "build %s without -gencode for %s (code=%s%s), or nvprune its objects to --arch %s",
					   m->owner, arch, e->kind == FATBIN_CUBIN ? "sm_" : "compute_",
					   arch + 3, m->o->arch));
		else if (v[i] == FATBIN_REDUNDANT)
			graph_add_finding(m->g, "redundant-ptx", gid, m->owner_node, bytes, "likely",
				graph_strf(m->g, "%s %s: every target in --arch %s already has a cubin for this module; the %s still serves GPUs newer than the targets",
					   arch, kind, m->o->arch, kind),
				graph_strf(m->g, "drop code=compute_%s from the -gencode list of %s if no newer GPU must run it",
					   arch + 3, m->owner));
		if (dup_of[i] != SIZE_MAX) {
			struct gfinding *f = graph_add_finding(m->g, "duplicate-gpu-code", gid, m->owner_node, bytes, "likely",
				graph_strf(m->g, "%s %s is byte-identical to entry %zu of the same file (another container: the module is embedded twice)",
					   arch, kind, dup_of[i]),
				graph_strf(m->g, "compile the duplicated device code into one translation unit or library of %s", m->owner));
			attr_str(graph_finding_attrs(f), "same_as", gpu_id(m, dup_of[i]));
		}
	}
}

static void merge_entries(struct merge *m)
{
	for (size_t i = 0; i < m->s->n; i++) {
		const struct fatbin_entry *e = &m->s->v[i];
		char arch[16];
		const char *gid = gpu_id(m, i);
		struct gnode *n = graph_add_node(m->g, NK_GPU, gid,
			graph_strf(m->g, "%s %s #%zu", fatbin_arch_name(e, arch),
				   fatbin_kind_name(e->kind), i));
		graph_node_set_size(n, e->hdr_size + e->payload_size);
		entry_attrs(graph_node_attrs(n), e);
		struct gedge *ed = graph_add_edge(m->g, m->owner_node, gid, EK_CONTAINS);
		if (ed) {
			json_t *a = graph_edge_attrs(ed);
			attr_str(a, "analyzer", "fatbin");
			attr_str(a, "why", graph_strf(m->g, "fatbin entry in section %s%s",
						      e->section, e->found_by_scan ? " (structural scan)" : ""));
		}
		if (m->o->kernels && e->kind == FATBIN_CUBIN)
			merge_kernels(m, i, gid);
	}
}

int fatbin_merge_buf(struct graph *g, const char *path, const unsigned char *p,
		     size_t n, const char *owner_node, const struct fatbin_opts *o,
		     struct diag_list *w, struct diag *d)
{
	struct fatbin_scan s = {0};
	struct fatbin_target t[64];
	size_t nt = 0;
	if (o->arch && fatbin_parse_arch(o->arch, t, 64, &nt, d))
		return -1;
	s.no_scan = o->no_scan;
	struct merge m = {g, path, owner_node, NULL, o, &s, w, {0}};
	if (fatbin_scan_buf(&s, path, p, n, &m.errs, d)) {
		diag_list_free(&m.errs);
		return -1;
	}
	m.owner = ids_owner(owner_node);
	enum fatbin_verdict *v = xcalloc(s.n ? s.n : 1, sizeof *v);
	size_t *dup_of = xcalloc(s.n ? s.n : 1, sizeof *dup_of);
	fatbin_classify(&s, t, nt, v, dup_of);
	merge_entries(&m);
	add_findings(&m, v, dup_of);
	fatbin_write_totals(g, owner_node, &s, o->arch, nt ? v : NULL, dup_of);
	GRAPH_DEBUG_CHECK(g);
	/* the first error is the return value's; the others are warnings */
	int rc = (int)s.n;
	if (m.errs.n) {
		*d = m.errs.v[0];
		rc = -1;
	}
	for (size_t i = 1; i < m.errs.n; i++)
		diag_warn(w, &m.errs.v[i]);
	diag_list_free(&m.errs);
	free(v);
	free(dup_of);
	fatbin_scan_free(&s);
	return rc;
}

int fatbin_merge(struct graph *g, const struct input *in, size_t n,
		 const struct run *r, struct diag_list *errs)
{
	static const struct fatbin_opts none;
	const struct fatbin_opts *o = r->gpu ? r->gpu : &none;
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct diag d = {0};
		if (fatbin_merge_buf(g, in[i].path, in[i].p, in[i].n, in[i].node, o,
				     r->w, &d) < 0) {
			diag_warn(errs, &d);
			rc = -1;
		}
	}
	return rc;
}
