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
 * table always did.  "total" is recomputed from "files" after every file,
 * so a file merged twice (one id) is counted once.
 */
#include "fatbin.h"
#include "../../common/util.h"
#include "../../graph/graph.h"

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

static void row_add_entry(json_t *r, const struct fatbin_entry *e)
{
	json_int_t b = (json_int_t)(e->hdr_size + e->payload_size);
	add(r, kind_key[kind_col(e->kind)], 1);
	add(r, "entries", 1);
	add(r, "bytes", b);
	add(r, "compressed", e->comp ? b : 0);
	add(r, "uncompressed", (json_int_t)e->uncomp_size);
}

/* every integer of src added into dst (same keys) */
static void row_add_row(json_t *dst, const json_t *src)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)src, k, v)
		if (json_is_integer(v) && strcmp(k, "sm"))
			add(dst, k, json_integer_value(v));
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

/* totals.fatbin.total from every file */
static void sum_files(json_t *fb)
{
	json_t *files = json_object_get(fb, "files");
	json_t *t = json_object(), *rows = json_array(), *kinds = kinds_new();
	json_t *all = new_row(NULL, 0);
	static const char *const verdict[] = {"prunable", "redundant_ptx", "duplicate"};
	const char *id;
	json_t *f;
	json_object_foreach(files, id, f) {
		json_t *r;
		size_t i;
		json_array_foreach(json_object_get(f, "arch"), i, r)
			row_add_row(arch_row(rows, json_string_value(json_object_get(r, "arch")),
					     json_integer_value(json_object_get(r, "sm"))), r);
		for (int c = 0; c < 3; c++)
			row_add_row(json_object_get(kinds, kind_key[c]),
				    json_object_get(json_object_get(f, "kind"), kind_key[c]));
		row_add_row(all, json_object_get(f, "total"));
		for (size_t k = 0; k < 3; k++) {
			json_t *p = json_object_get(f, verdict[k]);
			if (!p)
				continue;
			if (!json_object_get(t, verdict[k]))
				json_object_set_new(t, verdict[k], pair(0, 0));
			row_add_row(json_object_get(t, verdict[k]), p);
		}
	}
	json_object_set_new(t, "files", json_integer((json_int_t)json_object_size(files)));
	json_object_set_new(t, "arch", rows);
	json_object_set_new(t, "kind", kinds);
	json_object_set_new(t, "total", all);
	json_object_set_new(fb, "total", t);
}

void fatbin_write_totals(struct graph *g, const char *owner_node,
			 const struct fatbin_scan *s, const char *targets,
			 const enum fatbin_verdict *v, const size_t *dup_of)
{
	if (!worth_a_row(s))
		return;
	json_t *fb = json_object_get(g->totals, "fatbin");
	if (!fb) {
		fb = json_pack("{s{}}", "files");
		json_object_set_new(g->totals, "fatbin", fb);
	}
	json_t *f = json_object(), *rows = json_array(), *kinds = kinds_new();
	json_t *all = new_row(NULL, 0);
	for (size_t i = 0; i < s->n; i++) {
		const struct fatbin_entry *e = &s->v[i];
		char arch[16];
		row_add_entry(arch_row(rows, fatbin_arch_name(e, arch), e->sm), e);
		row_add_entry(json_object_get(kinds, kind_key[kind_col(e->kind)]), e);
		row_add_entry(all, e);
	}
	file_where(f, s);
	json_object_set_new(f, "arch", rows);
	json_object_set_new(f, "kind", kinds);
	json_object_set_new(f, "total", all);
	if (targets && v) {
		json_object_set_new(f, "targets", json_string(targets));
		file_verdicts(f, s, v, dup_of);
	}
	json_object_set_new(json_object_get(fb, "files"), owner_node, f);
	sum_files(fb);
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
