/*
 * report-tree.c - the summary of a deployable, from totals.tree only (so
 * the text and the JSON cannot disagree): bytes before, after the proven
 * findings and after the likely ones too, per category and per
 * top-level directory; the duplicates; the largest files ranked; the
 * Python trees found; how long the prune list is at each confidence.
 */
#include "report-tree.h"
#include "../common/util.h"

#include <string.h>

static const char *sz(const struct report_text_opts *o, json_int_t n, char *b, size_t l)
{
	if (o->exact) {
		snprintf(b, l, "%lld", (long long)n);
		return b;
	}
	return human_bytes((uint64_t)n, b, l);
}

static json_int_t num(const json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static void row(FILE *fp, const struct report_text_opts *o, const char *name,
		const json_t *a)
{
	char b1[32], b2[32], b3[32];
	fprintf(fp, "  %-22s %8lld %12s %14s %14s\n", name, (long long)num(a, "files"),
		sz(o, num(a, "bytes"), b1, sizeof b1),
		sz(o, num(a, "after_proven"), b2, sizeof b2),
		sz(o, num(a, "after_likely"), b3, sizeof b3));
}

static void categories(FILE *fp, const struct report_text_opts *o, const json_t *t)
{
	const json_t *c = json_object_get(t, "categories");
	static const char *const names[] = {"elf", "python", "data"};
	char b1[32], b2[32];
	fprintf(fp, "  %-22s %8s %12s %14s %14s\n", "category", "files", "bytes",
		"after proven", "after likely");
	for (size_t i = 0; i < 3; i++)
		row(fp, o, names[i], json_object_get(c, names[i]));
	row(fp, o, "total", t);
	const json_t *d = json_object_get(c, "duplicates");
	fprintf(fp, "  duplicates: %lld sets, %lld files; hardlinking them saves %s (counted in\n"
		"  'after proven'), %s of what the likely removals leave\n",
		(long long)num(d, "sets"), (long long)num(d, "files"),
		sz(o, num(d, "saved_proven"), b1, sizeof b1),
		sz(o, num(d, "saved_likely"), b2, sizeof b2));
}

static void dirs(FILE *fp, const struct report_text_opts *o, const json_t *t)
{
	size_t i;
	json_t *e;
	fprintf(fp, "by top-level directory:\n");
	json_array_foreach(json_object_get(t, "dirs"), i, e) {
		if ((int)i >= o->top)
			break;
		row(fp, o, json_string_value(json_object_get(e, "dir")), e);
	}
}

static void largest(FILE *fp, const struct report_text_opts *o, const json_t *t)
{
	size_t i;
	json_t *e;
	char b[32];
	fprintf(fp, "largest files:\n");
	json_array_foreach(json_object_get(t, "largest"), i, e) {
		if ((int)i >= o->top)
			break;
		fprintf(fp, "  %12s  %-6s %s\n", sz(o, num(e, "bytes"), b, sizeof b),
			json_string_value(json_object_get(e, "category")),
			json_string_value(json_object_get(e, "path")));
	}
}

static void rest(FILE *fp, const struct report_text_opts *o, const json_t *t)
{
	size_t i, np = 0, nl = 0;
	json_t *e;
	char b[32];
	json_array_foreach(json_object_get(t, "python_trees"), i, e)
		fprintf(fp, "Python tree %s: %lld files, %s (%s)\n",
			json_string_value(json_object_get(e, "path")), (long long)num(e, "files"),
			sz(o, num(e, "bytes"), b, sizeof b),
			json_is_true(json_object_get(e, "judged"))
				? "judged against the traces given"
				: "no trace given: none of it judged or pruned");
	json_array_foreach(json_object_get(t, "prune"), i, e) {
		if (!strcmp(json_string_value(json_object_get(e, "confidence")), "proven"))
			np++;
		else
			nl++;
	}
	fprintf(fp, "prune list: %zu proven, %zu more likely (--prune-list FILE, --include likely)\n",
		np, nl);
	if (!json_is_true(json_object_get(t, "gpu_scanned")))
		fprintf(fp, "GPU code: not scanned (--arch LIST scans every ELF file and judges it)\n");
	fputc('\n', fp);
}

int report_print_tree(const struct graph *g, FILE *fp,
		      const struct report_text_opts *o)
{
	const json_t *t = json_object_get(g->totals, "tree");
	if (!t)
		return 0;
	char b[32];
	fprintf(fp, "deployable %s: %lld files, %s, %lld symlinks; %zu roots of liveness\n",
		json_string_value(json_object_get(t, "root")), (long long)num(t, "files"),
		sz(o, num(t, "bytes"), b, sizeof b), (long long)num(t, "symlinks"),
		json_array_size(json_object_get(t, "roots")));
	categories(fp, o, t);
	dirs(fp, o, t);
	largest(fp, o, t);
	rest(fp, o, t);
	return 0;
}
