/*
 * format.c - the byte answer of `slim diff` on two builds as text,
 * markdown and the "files" / "totals" members of slim-diff/1 (issue #16).
 * Files come sorted by path (walk.c), causes in the order the units were
 * compared, so the same builds always give byte-identical output.
 */
#include "bdint.h"

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 100.0;
}

static void summary(const struct bd_result *r, struct buf *b, const char *bold)
{
	buf_printf(b, "%sbytes:%s %zu files same, %zu differ, %zu added, %zu removed, %zu moved\n",
		   bold, bold, r->nsame, r->ndiffer, r->nadded, r->nremoved, r->nmoved);
}

static void totals(const struct bd_result *r, struct buf *b, bool md)
{
	buf_printf(b, "%s%llu bytes differ, %llu explained (%.1f%%), %llu unexplained\n",
		   md ? "\n**total:** " : "total: ", (unsigned long long)r->bytes_differing,
		   (unsigned long long)r->bytes_explained, pct(r->bytes_explained, r->bytes_differing),
		   (unsigned long long)(r->bytes_differing - r->bytes_explained));
	bool any = false;
	for (int k = 0; k < BC_N; k++) {
		if (!r->by_cause[k])
			continue;
		if (!any && md)
			buf_puts(b, "\n| cause | bytes | fix |\n|---|---:|---|\n");
		any = true;
		if (md)
			buf_printf(b, "| %s | %llu | %s |\n", bd_cause_name((enum bd_cause)k),
				   (unsigned long long)r->by_cause[k], bd_cause_fix((enum bd_cause)k));
		else
			buf_printf(b, "  %-12s %12llu  fix: %s\n", bd_cause_name((enum bd_cause)k),
				   (unsigned long long)r->by_cause[k], bd_cause_fix((enum bd_cause)k));
	}
}

void bytediff_format_text(const struct bd_result *r, struct buf *b, size_t limit)
{
	summary(r, b, "");
	size_t shown = 0;
	for (size_t k = 0; k < r->nfiles; k++) {
		const struct bd_file *f = &r->files[k];
		if (f->status == BD_SAME)
			continue;
		if (limit && shown++ >= limit) {
			buf_puts(b, "  ...\n");
			break;
		}
		if (f->status == BD_MOVED) {
			buf_printf(b, "  %s  moved from %s\n", f->path, f->old_path);
			continue;
		}
		buf_printf(b, "  %s  %s  %llu bytes, %llu explained\n", f->path,
			   bd_status_name(f->status), (unsigned long long)f->bytes_differing,
			   (unsigned long long)f->bytes_explained);
		for (size_t m = 0; m < f->ncauses; m++)
			buf_printf(b, "    %-12s %10llu  %s\n", bd_cause_name(f->causes[m].cause),
				   (unsigned long long)f->causes[m].bytes, f->causes[m].where);
	}
	totals(r, b, false);
}

/* A path in a table cell: '|' would end the cell, '`' the code span. */
static void md_path(struct buf *b, const char *s)
{
	buf_puts(b, "`` ");
	for (; *s; s++) {
		if (*s == '|')
			buf_putc(b, '\\');
		buf_putc(b, *s == '\n' ? ' ' : *s);
	}
	buf_puts(b, " ``");
}

void bytediff_format_markdown(const struct bd_result *r, struct buf *b, size_t limit)
{
	buf_puts(b, "\n### Why the builds differ\n\n");
	summary(r, b, "**");
	buf_puts(b, "\n| file | status | bytes | explained | causes |\n|---|---|---:|---:|---|\n");
	size_t shown = 0;
	for (size_t k = 0; k < r->nfiles; k++) {
		const struct bd_file *f = &r->files[k];
		if (f->status == BD_SAME)
			continue;
		if (limit && shown++ >= limit) {
			buf_puts(b, "| ... | | | | |\n");
			break;
		}
		uint64_t by[BC_N] = {0};
		for (size_t m = 0; m < f->ncauses; m++)
			by[f->causes[m].cause] += f->causes[m].bytes;
		buf_puts(b, "| ");
		md_path(b, f->path);
		buf_printf(b, " | %s | %llu | %llu | ", bd_status_name(f->status),
			   (unsigned long long)f->bytes_differing,
			   (unsigned long long)f->bytes_explained);
		bool first = true;
		for (int c = 0; c < BC_N; c++)
			if (by[c]) {
				buf_printf(b, "%s%s %llu", first ? "" : ", ",
					   bd_cause_name((enum bd_cause)c), (unsigned long long)by[c]);
				first = false;
			}
		buf_puts(b, " |\n");
	}
	totals(r, b, true);
}

/* A path or where as a JSON string: jansson takes UTF-8 only, so any
 * other byte is written as \xNN (a file name is bytes). */
static json_t *jstr(const char *s)
{
	json_t *j = json_string(s);
	if (j)
		return j;
	struct buf b = BUF_INIT;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x80)
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "\\x%02x", *p);
	j = json_string(buf_cstr(&b));
	buf_free(&b);
	return j;
}

void bytediff_json_add(const struct bd_result *r, json_t *doc)
{
	json_t *files = json_array();
	for (size_t k = 0; k < r->nfiles; k++) {
		const struct bd_file *f = &r->files[k];
		json_t *causes = json_array();
		for (size_t m = 0; m < f->ncauses; m++)
			json_array_append_new(causes, json_pack("{s:s,s:I,s:o}", "cause",
				bd_cause_name(f->causes[m].cause), "bytes", (json_int_t)f->causes[m].bytes,
				"where", jstr(f->causes[m].where)));
		json_t *o = json_pack("{s:o,s:s,s:I,s:I,s:I,s:I,s:o}", "path", jstr(f->path), "status",
			bd_status_name(f->status), "bytes_differing", (json_int_t)f->bytes_differing,
			"bytes_explained", (json_int_t)f->bytes_explained,
			"old_size", (json_int_t)f->old_size, "new_size", (json_int_t)f->new_size,
			"causes", causes);
		if (f->old_path)
			json_object_set_new(o, "old_path", jstr(f->old_path));
		json_array_append_new(files, o);
	}
	json_object_set_new(doc, "files", files);
	json_t *by = json_object();
	for (int c = 0; c < BC_N; c++)
		if (r->by_cause[c])
			json_object_set_new(by, bd_cause_name((enum bd_cause)c),
					    json_integer((json_int_t)r->by_cause[c]));
	json_object_set_new(doc, "totals", json_pack("{s:I,s:I,s:o,s:I,s:I,s:I,s:I,s:I}",
		"bytes_differing", (json_int_t)r->bytes_differing,
		"bytes_explained", (json_int_t)r->bytes_explained, "by_cause", by,
		"files_same", (json_int_t)r->nsame, "files_differing", (json_int_t)r->ndiffer,
		"files_added", (json_int_t)r->nadded, "files_removed", (json_int_t)r->nremoved,
		"files_moved", (json_int_t)r->nmoved));
}
