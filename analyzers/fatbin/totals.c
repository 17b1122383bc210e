/*
 * totals.c - the fatbin analyzer's own totals in the graph
 * (totals.fatbin), the one place its tallies are computed: `slim fatbin`
 * prints its per-file tables and its all-files lines from them, and the
 * JSON of `slim fatbin` and `slim report` carries them, so text and JSON
 * cannot disagree (#13).  Bytes are as print_table() always counted them:
 * an entry's bytes as stored (header + payload); "compressed" the stored
 * bytes of the compressed entries; "uncompressed" the decoded bytes of
 * every entry.
 *
 *   totals.fatbin = {
 *     "files": { OWNER: FILE, ... },  every file with a container, an
 *                                     entry, a .nvFatBinSegment wrapper or
 *                                     a rejected magic match, by node id
 *     "total": { "files": N, "arch": [ROW...], "kind": {...}, "total": ROW,
 *                and the verdict sums below when any file has them } }
 *   FILE = { "containers", "where": [{"section", "member", "found_by_scan",
 *            "containers"}], "segments": {"wrappers", "listed", "new",
 *            "bad"}, "rejected", "unknown_flags", "unknown_flag_entries",
 *            "arch": [ROW, by sm then variant], "kind": {"cubin": ROW,
 *            "ptx": ROW, "ltoir": ROW}, "total": ROW,
 *            with targets (--arch): "targets", "prunable", "redundant_ptx",
 *            "duplicate": {"entries", "bytes"} }
 *   ROW  = { "arch" (arch rows), "sm", "cubin", "ptx", "ltoir", "entries",
 *            "bytes", "compressed", "uncompressed" }
 *
 * Entries of a kind other than cubin and PTX count as LTO-IR, as the text
 * table always did.  "total" is kept as the sum of "files": a file merged
 * again under its id replaces its old row, counted once.
 */
#include "fatbin.h"
#include "../../common/util.h"
#include "../../graph/graph.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_key[3] = {"cubin", "ptx", "ltoir"};

static int kind_col(unsigned kind)
{
	return kind == FATBIN_CUBIN ? 0 : kind == FATBIN_PTX ? 1 : 2;
}

/* add v to the integer o[key] (created at 0) */
static void add(json_t *o, const char *key, json_int_t v)
{
	json_t *x = json_object_get(o, key);
	if (x)
		json_integer_set(x, json_integer_value(x) + v);
	else
		json_object_set_new(o, key, json_integer(v));
}

static json_t *new_row(const char *arch, json_int_t sm)
{
	json_t *r = json_object();
	if (arch) {
		json_object_set_new(r, "arch", json_string(arch));
		json_object_set_new(r, "sm", json_integer(sm));
	}
	for (int c = 0; c < 3; c++)
		json_object_set_new(r, kind_key[c], json_integer(0));
	static const char *const k[] = {"entries", "bytes", "compressed", "uncompressed"};
	for (size_t i = 0; i < 4; i++)
		json_object_set_new(r, k[i], json_integer(0));
	return r;
}

/* one row as the scan is walked: counted in C, made JSON once per file
 * (a JSON update per entry cost 2.5x a plain listing) */
struct acc {
	unsigned sm;
	char variant;
	char arch[16];
	uint64_t n[3], entries, bytes, comp, uncomp;
};

static void acc_add(struct acc *r, const struct fatbin_entry *e)
{
	uint64_t b = e->hdr_size + e->payload_size;
	r->n[kind_col(e->kind)]++;
	r->entries++;
	r->bytes += b;
	r->comp += e->comp ? b : 0;
	r->uncomp += e->uncomp_size;
}

static json_t *acc_json(const struct acc *r, bool arch)
{
	json_t *o = json_object();
	if (arch) {
		json_object_set_new_nocheck(o, "arch", json_string(r->arch));
		json_object_set_new_nocheck(o, "sm", json_integer(r->sm));
	}
	for (int c = 0; c < 3; c++)
		json_object_set_new_nocheck(o, kind_key[c], json_integer((json_int_t)r->n[c]));
	json_object_set_new_nocheck(o, "entries", json_integer((json_int_t)r->entries));
	json_object_set_new_nocheck(o, "bytes", json_integer((json_int_t)r->bytes));
	json_object_set_new_nocheck(o, "compressed", json_integer((json_int_t)r->comp));
	json_object_set_new_nocheck(o, "uncompressed", json_integer((json_int_t)r->uncomp));
	return o;
}

static int cmp_acc(const void *a, const void *b)
{
	const struct acc *x = a, *y = b;
	if (x->sm != y->sm)
		return x->sm < y->sm ? -1 : 1;
	return strcmp(x->arch, y->arch);
}

/* the per-arch rows, the per-kind rows and the file's total row */
static void file_rows(json_t *f, const struct fatbin_scan *s)
{
	struct acc *r = NULL, kinds[3] = {{0}}, all = {0};
	size_t nr = 0, cap = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct fatbin_entry *e = &s->v[i];
		size_t k = 0;
		while (k < nr && !(r[k].sm == e->sm && r[k].variant == e->variant))
			k++;
		if (k == nr) {
			GROW(r, cap, nr + 1);
			r[nr] = (struct acc){.sm = e->sm, .variant = e->variant};
			fatbin_arch_name(e, r[nr++].arch);
		}
		acc_add(&r[k], e);
		acc_add(&kinds[kind_col(e->kind)], e);
	}
	for (int c = 0; c < 3; c++) {
		all.n[c] = kinds[c].entries;
		all.entries += kinds[c].entries;
		all.bytes += kinds[c].bytes;
		all.comp += kinds[c].comp;
		all.uncomp += kinds[c].uncomp;
	}
	if (nr)   /* qsort(NULL, 0) is undefined */
		qsort(r, nr, sizeof *r, cmp_acc);
	json_t *rows = json_array(), *kv = json_object();
	for (size_t k = 0; k < nr; k++)
		json_array_append_new(rows, acc_json(&r[k], true));
	for (int c = 0; c < 3; c++)
		json_object_set_new(kv, kind_key[c], acc_json(&kinds[c], false));
	json_object_set_new(f, "arch", rows);
	json_object_set_new(f, "kind", kv);
	json_object_set_new(f, "total", acc_json(&all, false));
	free(r);
}

/* every integer of src added into dst (same keys), times sign */
static void row_add_row(json_t *dst, const json_t *src, json_int_t sign)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)src, k, v)
		if (json_is_integer(v) && strcmp(k, "sm"))
			add(dst, k, sign * json_integer_value(v));
}

/* the row of arch name in rows (sorted by sm, then name), made on first use */
static json_t *arch_row(json_t *rows, const char *arch, json_int_t sm)
{
	size_t i, n = json_array_size(rows);
	for (i = 0; i < n; i++) {
		json_t *r = json_array_get(rows, i);
		json_int_t rsm = json_integer_value(json_object_get(r, "sm"));
		int c = strcmp(json_string_value(json_object_get(r, "arch")), arch);
		if (rsm == sm && !c)
			return r;
		if (rsm > sm || (rsm == sm && c > 0))
			break;
	}
	json_t *r = new_row(arch, sm);
	json_array_insert_new(rows, i, r);
	return r;
}

static json_t *kinds_new(void)
{
	json_t *k = json_object();
	for (int c = 0; c < 3; c++)
		json_object_set_new(k, kind_key[c], new_row(NULL, 0));
	return k;
}

static json_t *pair(uint64_t entries, uint64_t bytes)
{
	return json_pack("{sIsI}", "entries", (json_int_t)entries,
			 "bytes", (json_int_t)bytes);
}

/* where the containers were found, and what the scan rejected */
static void file_where(json_t *f, const struct fatbin_scan *s)
{
	json_object_set_new(f, "containers", json_integer(s->ncontainers));
	json_t *wv = json_array();
	for (size_t i = 0; i < s->nwhere; i++) {
		const struct fatbin_where *w = &s->where[i];
		json_t *o = json_pack("{sssbsI}", "section", w->section,
				      "found_by_scan", w->found_by_scan,
				      "containers", (json_int_t)w->ncontainers);
		if (w->member)
			json_object_set_new(o, "member", json_string(w->member));
		json_array_append_new(wv, o);
	}
	json_object_set_new(f, "where", wv);
	json_object_set_new(f, "segments", json_pack("{sIsIsIsI}",
		"wrappers", (json_int_t)s->nsegments, "listed", (json_int_t)s->seg_listed,
		"new", (json_int_t)s->seg_new, "bad", (json_int_t)s->seg_bad));
	json_object_set_new(f, "rejected", json_integer((json_int_t)s->rejected));
	uint64_t unknown = 0;
	json_int_t nunknown = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].flags & ~FATBIN_F_KNOWN) {
			unknown |= s->v[i].flags & ~FATBIN_F_KNOWN;
			nunknown++;
		}
	json_object_set_new(f, "unknown_flags", json_sprintf("0x%llx", (unsigned long long)unknown));
	json_object_set_new(f, "unknown_flag_entries", json_integer(nunknown));
}

/* prunable, redundant PTX/LTO-IR and duplicate entries and their bytes */
static void file_verdicts(json_t *f, const struct fatbin_scan *s,
			  const enum fatbin_verdict *v, const size_t *dup_of)
{
	uint64_t pn = 0, pb = 0, rn = 0, rb = 0, dn = 0, db = 0;
	for (size_t i = 0; i < s->n; i++) {
		uint64_t b = s->v[i].hdr_size + s->v[i].payload_size;
		if (v[i] == FATBIN_PRUNABLE)
			pn++, pb += b;
		if (v[i] == FATBIN_REDUNDANT)
			rn++, rb += b;
		if (dup_of[i] != SIZE_MAX)
			dn++, db += b;
	}
	json_object_set_new(f, "prunable", pair(pn, pb));
	json_object_set_new(f, "redundant_ptx", pair(rn, rb));
	json_object_set_new(f, "duplicate", pair(dn, db));
}

static bool worth_a_row(const struct fatbin_scan *s)
{
	return s->n || s->ncontainers || s->nsegments || s->rejected || s->nwhere;
}

/* file f's rows added to (sign 1) or taken from (-1) totals.fatbin.total;
 * an arch row left with no entries goes */
static void sum_file(json_t *t, const json_t *f, json_int_t sign)
{
	static const char *const verdict[] = {"prunable", "redundant_ptx", "duplicate"};
	json_t *rows = json_object_get(t, "arch"), *r;
	size_t i;
	json_array_foreach(json_object_get(f, "arch"), i, r) {
		json_t *to = arch_row(rows, json_string_value(json_object_get(r, "arch")),
				      json_integer_value(json_object_get(r, "sm")));
		row_add_row(to, r, sign);
	}
	for (i = json_array_size(rows); i-- > 0;)
		if (!json_integer_value(json_object_get(json_array_get(rows, i), "entries")))
			json_array_remove(rows, i);
	for (int c = 0; c < 3; c++)
		row_add_row(json_object_get(json_object_get(t, "kind"), kind_key[c]),
			    json_object_get(json_object_get(f, "kind"), kind_key[c]), sign);
	row_add_row(json_object_get(t, "total"), json_object_get(f, "total"), sign);
	for (size_t k = 0; k < 3; k++) {
		json_t *p = json_object_get(f, verdict[k]);
		if (!p)
			continue;
		if (!json_object_get(t, verdict[k]))
			json_object_set_new(t, verdict[k], pair(0, 0));
		row_add_row(json_object_get(t, verdict[k]), p, sign);
	}
}

/* totals.fatbin, made on first use */
static json_t *fatbin_totals_obj(struct graph *g)
{
	json_t *fb = json_object_get(g->totals, "fatbin");
	if (fb)
		return fb;
	json_t *t = json_object();
	json_object_set_new(t, "files", json_integer(0));
	json_object_set_new(t, "arch", json_array());
	json_object_set_new(t, "kind", kinds_new());
	json_object_set_new(t, "total", new_row(NULL, 0));
	fb = json_object();
	json_object_set_new(fb, "files", json_object());
	json_object_set_new(fb, "total", t);
	json_object_set_new(g->totals, "fatbin", fb);
	return fb;
}

void fatbin_write_totals(struct graph *g, const char *owner_node,
			 const struct fatbin_scan *s, const char *targets,
			 const enum fatbin_verdict *v, const size_t *dup_of)
{
	if (!worth_a_row(s))
		return;
	json_t *fb = fatbin_totals_obj(g);
	json_t *files = json_object_get(fb, "files"), *t = json_object_get(fb, "total");
	json_t *f = json_object();
	file_rows(f, s);
	file_where(f, s);
	if (targets && v) {
		json_object_set_new(f, "targets", json_string(targets));
		file_verdicts(f, s, v, dup_of);
	}
	json_t *old = json_object_get(files, owner_node);
	if (old)     /* one file merged again: counted once */
		sum_file(t, old, -1);
	sum_file(t, f, 1);
	json_object_set_new(files, owner_node, f);
	json_object_set_new(t, "files", json_integer((json_int_t)json_object_size(files)));
}

int fatbin_totals(struct graph *g, const char *owner_node,
		  const struct fatbin_scan *s, const char *targets,
		  struct diag *d)
{
	struct fatbin_target t[64];
	size_t nt = 0;
	if (targets && fatbin_parse_arch(targets, t, 64, &nt, d))
		return -1;
	if (!nt) {
		fatbin_write_totals(g, owner_node, s, NULL, NULL, NULL);
		return 0;
	}
	enum fatbin_verdict *v = xcalloc(s->n ? s->n : 1, sizeof *v);
	size_t *dup_of = xcalloc(s->n ? s->n : 1, sizeof *dup_of);
	fatbin_classify(s, t, nt, v, dup_of);
	fatbin_write_totals(g, owner_node, s, targets, v, dup_of);
	free(v);
	free(dup_of);
	return 0;
}
