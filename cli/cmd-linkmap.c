/*
 * cmd-linkmap.c - `slim linkmap MAP`: where the bytes of a link come from,
 * read from the linker's map (GNU ld, gold, lld or mold; see linkmap/).
 *
 * Both views come from the graph: --json is what linkmap_to_graph()
 * writes; the text prints the totals.linkmap it writes too (the text path
 * builds those alone, linkmap_totals_to_graph(): the nodes, edges and
 * findings would cost more than the parse), checked by graph_check()
 * first, so the text and --json cannot disagree.  Text: the summary
 * (output bytes split into input sections, linker-made pieces and
 * padding; discarded sections and their causes; archive members loaded
 * and dead), then ranked tables: bytes per archive (.archives), per object
 * or member (.files), per output section (.output_sections), and the
 * archive members each pulled in by a single symbol (.files: symbol, or
 * with --cref held_by_symbol), which are the cheapest to get rid of.
 * `--by discarded` lists every discarded input section from the parsed
 * map itself: past LM_SECTION_FINDINGS_MAX the graph keeps one finding
 * per file, and this listing is the one place that names each section.
 * Unless --no-derive, the inputs the map names are read first for what
 * the map leaves out (linkmap_derive()); what stays unknown is said in
 * every view (linkmap_discards_unknown()), never shown as "0".
 */
#include "cli.h"
#include "opts.h"
#include "../common/demangle.h"
#include "../common/mfile.h"
#include "../common/ofile.h"
#include "../common/util.h"
#include "../linkmap/linkmap.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { O_JSON = CLI_O_FIRST, O_BY, O_TOP, O_WHY, O_DERIVE, O_NODERIVE };

static const struct cli_opt opts[] = {
	{O_BY, "by", "KIND", "one ranked table: per object/member, per archive or\n"
			     "per output section (default: all three); `discarded`\n"
			     "lists every discarded input section (bytes, file,\n"
			     "section, cause; tab-separated, in map order);\n"
			     "KIND is object, archive, section or discarded"},
	{O_TOP, "top", "N", "rows per table (default 20; 0 = all)"},
	{O_JSON, "json", NULL, "the slim-report/1 graph instead of text"},
	{O_WHY, "why-extract", "FILE", "lld --why-extract=FILE output, or mold\n"
				       "--print-dependencies output: which archive members\n"
				       "were loaded and the symbol that pulled each in (for\n"
				       "mold derived: a chain of the references it lists,\n"
				       "breadth-first from the program's own objects)"},
	{O_NODERIVE, "no-derive", NULL, "do not read the objects and archives the map names.\n"
					"By default slim reads them (libelf) for what the map\n"
					"leaves out, marked \"derived\": for lld and mold the\n"
					"discarded sections (SHF_MERGE and .eh_frame skipped),\n"
					"the members loaded whose every section was discarded,\n"
					"and without --why-extract a chain of symbols that\n"
					"pulled each member; for every linker the COMDAT\n"
					"groups that give each discarded section its cause:\n"
					"gc (--gc-sections: dead code, actionable at the\n"
					"source), comdat (a duplicate group), merged (notes,\n"
					"group records), script (/DISCARD/)"},
	{O_DERIVE, "derive", NULL, "accepted for compatibility: deriving is the default"},
	{'o', "output", "FILE", "write to FILE (atomically), not stdout: the text,\n"
				"or the JSON with --json"},
	{0},
};

const struct cli_spec cmd_linkmap_spec = {
	"linkmap", "[options] MAP",
	"Read a linker map of GNU ld (-Map), gold, lld or mold and say where the\n"
	"output's bytes come from.\n",
	opts, NULL,
};

enum by { BY_ALL, BY_OBJECT, BY_ARCHIVE, BY_SECTION, BY_DISCARDED };

struct linkmap_cli {
	bool json;
	enum by by;
	long top;
	const char *why;
	bool no_derive;
	const char *out;
};

struct row {
	const char *name;
	uint64_t bytes;
	uint64_t n;
	const void *p;       /* what the row is of (a node, an edge, a JSON row) */
};

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	return strcmp(x->name, y->name);
}

static size_t limit(const struct linkmap_cli *o, size_t n)
{
	return o->top > 0 && (size_t)o->top < n ? (size_t)o->top : n;
}

static void print_rows(FILE *fp, const struct linkmap_cli *o,
		       struct row *v, size_t n, uint64_t total,
		       const char *title, const char *ncol)
{
	if (n)
		qsort(v, n, sizeof *v, row_cmp);
	fprintf(fp, "\n%s (%zu, top %zu)\n%12s %6s %8s  %s\n", title, n,
		limit(o, n), "bytes", "%", ncol, "name");
	for (size_t i = 0; i < limit(o, n); i++)
		fprintf(fp, "%12" PRIu64 " %5.1f%% %8" PRIu64 "  %s\n", v[i].bytes,
			total ? 100.0 * (double)v[i].bytes / (double)total : 0.0,
			v[i].n, v[i].name);
}

/* a string of the totals; "?" where it is missing */
static const char *sget(const json_t *o, const char *key)
{
	const char *s = attr_get_str(o, key);
	return s ? s : "?";
}

/* a file's id without its "obj:" */
static const char *fname(const json_t *o, const char *key)
{
	const char *s = sget(o, key);
	return strncmp(s, "obj:", 4) ? s : s + 4;
}

static uint64_t uget(const json_t *o, const char *key)
{
	long long v = attr_get_int(o, key, 0);
	return v > 0 ? (uint64_t)v : 0;
}

/* One ranked table of totals.linkmap's ARR rows: name, bytes, a count. */
static void by_rows(FILE *fp, const struct linkmap_cli *o, const json_t *t,
		    uint64_t total, const char *arr_key,
		    const char *(*name)(const json_t *, const char *),
		    const char *name_key, const char *count_key,
		    const char *title, const char *ncol)
{
	const json_t *arr = json_object_get(t, arr_key);
	size_t n = json_array_size(arr);
	struct row *v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		const json_t *f = json_array_get(arr, i);
		v[i] = (struct row){name(f, name_key), uget(f, "bytes"),
				    uget(f, count_key), f};
	}
	print_rows(fp, o, v, n, total, title, ncol);
	free(v);
}

static void by_object(FILE *fp, const struct linkmap_cli *o,
		      const json_t *t, uint64_t total)
{
	by_rows(fp, o, t, total, "files", fname, "id", "live_sections",
		"bytes per object or archive member", "sections");
}

static void by_archive(FILE *fp, const struct linkmap_cli *o,
		       const json_t *t, uint64_t total)
{
	by_rows(fp, o, t, total, "archives", sget, "name", "files",
		"bytes per archive", "members");
}

static void by_section(FILE *fp, const struct linkmap_cli *o, const json_t *t)
{
	const json_t *arr = json_object_get(t, "output_sections");
	size_t n = json_array_size(arr);
	struct row *v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		const json_t *s = json_array_get(arr, i);
		v[i] = (struct row){sget(s, "name"), uget(s, "size"), i, s};
	}
	if (n)
		qsort(v, n, sizeof *v, row_cmp);
	fprintf(fp, "\nbytes per output section (%zu, top %zu)\n%12s %12s %10s %10s  %s\n",
		n, limit(o, n), "size", "inputs", "linker", "padding", "name");
	for (size_t i = 0; i < limit(o, n); i++) {
		const json_t *s = v[i].p;
		fprintf(fp, "%12" PRIu64 " %12" PRIu64 " %10" PRIu64 " %10" PRIu64 "  %s\n",
			uget(s, "size"), uget(s, "inputs"), uget(s, "linker"),
			uget(s, "padding"), v[i].name);
	}
	free(v);
}

/* Members that one symbol holds in the link: with --cref, those only one
 * of whose symbols anything else uses (held_by_symbol); without, every
 * member and the one symbol that pulled it in (the map's, --why-extract's
 * or derived).  Rows of totals.linkmap.files. */
static void pulled(FILE *fp, const struct linkmap_cli *o, struct graph *g,
		   const json_t *t, bool cref)
{
	const json_t *arr = json_object_get(t, "files");
	size_t n = json_array_size(arr), k = 0;
	struct row *v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++) {
		const json_t *f = json_array_get(arr, i);
		if (json_is_true(json_object_get(f, "loaded")) &&
		    attr_get_str(f, cref ? "held_by_symbol" : "symbol"))
			v[k++] = (struct row){fname(f, "id"), uget(f, "bytes"), 0, f};
	}
	if (k)
		qsort(v, k, sizeof *v, row_cmp);
	fprintf(fp, "\n%s (%zu, top %zu)\n%12s  %-40s %s\n",
		cref ? "archive members only one symbol holds in the link (--cref)"
		     : "archive members and the symbol that pulled each in",
		k, limit(o, k), "bytes", "member", "symbol <- used by");
	for (size_t i = 0; i < limit(o, k); i++) {
		const json_t *f = v[i].p;
		const char *sym = sget(f, cref ? "held_by_symbol" : "symbol");
		const char *by = attr_get_str(f, cref ? "held_by" : "by");
		const char *dm = demangle(&g->arena, sym);
		fprintf(fp, "%12" PRIu64 "  %-40s %s <- %s%s%s\n", v[i].bytes, v[i].name,
			dm ? dm : sym, by ? fname(f, cref ? "held_by" : "by") : "(command line)",
			!cref && json_is_true(json_object_get(f, "derived")) ? " (derived)" : "",
			!v[i].bytes ? "  [dead: all sections discarded]" : "");
	}
	free(v);
}

/* Every discarded input section, tab-separated, in map order: bytes,
 * file, section, cause.  When none are known, one "#" line says why. */
static void discarded(FILE *fp, const struct linkmap *m)
{
	const char *unk = linkmap_discards_unknown(m);
	if (unk)
		fprintf(fp, "# %s\n", unk);
	for (size_t i = 0; i < m->nisecs; i++) {
		const struct lm_isec *s = &m->isecs[i];
		if (s->state == LM_ISEC_DISCARDED)
			fprintf(fp, "%" PRIu64 "\t%s\t%.*s\t%s\n", s->size,
				m->files[s->file].path, (int)s->name.n, s->name.p,
				linkmap_cause_name(s->cause));
	}
}

/* "gc 300 (6 KiB, actionable at the source), comdat 12, ...": from
 * totals.linkmap.discarded_by_cause, cause unknown last */
static void causes(FILE *fp, const json_t *t)
{
	static const char *const note[] = {
		[LM_CAUSE_GC] = "--gc-sections: dead code, actionable at the source",
		[LM_CAUSE_COMDAT] = "duplicate COMDAT groups: not actionable",
		[LM_CAUSE_MERGED] = "notes and group records the linker consumed: not actionable",
		[LM_CAUSE_SCRIPT] = "/DISCARD/ in the script: as asked",
		[LM_CAUSE_ICF] = "folded identical code",
		[LM_CAUSE_NONE] = "cause unknown",
	};
	const json_t *bc = json_object_get(t, "discarded_by_cause");
	const char *sep = "  by cause: ";
	for (int c = 1; c <= LM_CAUSE_ICF + 1; c++) {
		int k = c % (LM_CAUSE_ICF + 1);    /* unknown last */
		const char *name = linkmap_cause_name((enum lm_cause)k);
		const json_t *e = json_object_get(bc, name);
		if (!uget(e, "sections"))
			continue;
		fprintf(fp, "%s%s %" PRIu64 " (%" PRIu64 " bytes; %s)", sep, name,
			uget(e, "sections"), uget(e, "bytes"), note[k]);
		sep = ", ";
	}
	if (*sep == ',')
		fputc('\n', fp);
}

static void discard_line(FILE *fp, const json_t *t)
{
	const char *how = attr_get_str(t, "discards");
	if (how && !strcmp(how, "unknown")) {
		fprintf(fp, "discarded: unknown: %s\n", sget(t, "discards_note"));
		return;
	}
	bool derived = how && !strcmp(how, "derived");
	fprintf(fp, "discarded: %" PRIu64 " input sections, %" PRIu64 " bytes%s",
		uget(t, "discarded_sections"), uget(t, "discarded_bytes"),
		derived ? " (derived from the objects)" : "");
	if (derived && uget(t, "inputs_unread"))
		fprintf(fp, "; incomplete: %" PRIu64 " of the %" PRIu64 " inputs the map names could not be read",
			uget(t, "inputs_unread"), uget(t, "inputs_read") + uget(t, "inputs_unread"));
	fputc('\n', fp);
	causes(fp, t);
}

static void members_line(FILE *fp, const json_t *t)
{
	const char *unk = attr_get_str(t, "dead_members_unknown");
	const char *linker = sget(t, "linker");
	fprintf(fp, "archive members loaded: %" PRIu64, uget(t, "members_loaded"));
	if (unk && !strcmp(unk, "unread"))
		fprintf(fp, " listed; which are dead is unknown: the %s map does not name a member whose every section was discarded, and an input it names could not be read (or is an LTO partition) to derive them",
			linker);
	else if (!unk)
		fprintf(fp, ", %" PRIu64 " of them dead (every section discarded)%s",
			uget(t, "members_dead"),
			json_is_true(json_object_get(t, "members_derived")) ? " (derived from the inputs)" : "");
	else
		fprintf(fp, "; which are dead is unknown: the %s map does not say why a member was loaded%s",
			linker, !strcmp(linker, "lld")
			? " (lld -Wl,--why-extract=FILE does: --why-extract FILE)" : "");
	fputc('\n', fp);
}

/* The summary lines, from totals.linkmap. */
static void summary(FILE *fp, const json_t *t)
{
	const char *out = attr_get_str(t, "output");
	fprintf(fp, "linker map %s (%s)%s%s\n", sget(t, "map"),
		sget(t, "linker"), out ? ", output " : "", out ? out : "");
	fprintf(fp, "output sections: %zu, %" PRIu64 " bytes = inputs %" PRIu64
		" + linker-made %" PRIu64 " + padding %" PRIu64 "\n",
		json_array_size(json_object_get(t, "output_sections")),
		uget(t, "output_bytes"), uget(t, "input_bytes"),
		uget(t, "linker_bytes"), uget(t, "padding_bytes"));
	discard_line(fp, t);
	members_line(fp, t);
}

/* The text of the map: --by discarded from the parsed map (m), every
 * other view from the graph (g). */
static int text(FILE *fp, const struct linkmap_cli *o, const struct linkmap *m,
		struct graph *g)
{
	if (o->by == BY_DISCARDED) {
		discarded(fp, m);
		return 0;
	}
	const json_t *t = json_object_get(g->totals, "linkmap");
	uint64_t total = uget(t, "input_bytes");
	summary(fp, t);
	if (o->by == BY_ALL || o->by == BY_ARCHIVE)
		by_archive(fp, o, t, total);
	if (o->by == BY_ALL || o->by == BY_OBJECT)
		by_object(fp, o, t, total);
	if (o->by == BY_ALL || o->by == BY_SECTION)
		by_section(fp, o, t);
	if (o->by == BY_ALL && json_is_true(json_object_get(t, "pulls")))
		pulled(fp, o, g, t, json_is_true(json_object_get(t, "cref")));
	return 0;
}

static int parse_opts(int argc, char **argv, struct linkmap_cli *o)
{
	const struct cli_spec *sp = &cmd_linkmap_spec;
	int c;
	o->top = 20;
	while ((c = cli_next_opt(sp, argc, argv)) >= 0) {
		char *end;
		switch (c) {
		case O_JSON: o->json = true; break;
		case O_WHY: o->why = optarg; break;
		case O_DERIVE: break;        /* the default now */
		case O_NODERIVE: o->no_derive = true; break;
		case 'o': o->out = optarg; break;
		case O_TOP:
			o->top = strtol(optarg, &end, 10);
			if (*end || end == optarg || o->top < 0)
				return cli_usage_error(sp, "--top wants a number >= 0, not '%s'", optarg);
			break;
		case O_BY:
			if (!strcmp(optarg, "object")) o->by = BY_OBJECT;
			else if (!strcmp(optarg, "archive")) o->by = BY_ARCHIVE;
			else if (!strcmp(optarg, "section")) o->by = BY_SECTION;
			else if (!strcmp(optarg, "discarded")) o->by = BY_DISCARDED;
			else return cli_usage_error(sp, "--by wants object, archive, section or discarded, not '%s'", optarg);
			break;
		}
	}
	if (c != CLI_OPT_END)
		return cli_opt_exit(c) ? EXIT_USAGE : -1;
	if (optind >= argc)
		return cli_usage_error(sp, "no linker map");
	if (optind != argc - 1)
		return cli_usage_error(sp, "one linker map at a time, not %d", argc - optind);
	return 0;
}

/*
 * -o to an existing file that is not a regular file (/dev/null, a FIFO, a
 * terminal) is written in place: ofile's temp-and-rename would replace the
 * device node with a regular file (as root it can).  Returns the stream, or
 * NULL with *use_ofile set when ofile should handle the target.
 */
static FILE *open_special(const char *path, bool *use_ofile, struct diag *d)
{
	struct stat st;
	*use_ofile = true;
	if (!path || !strcmp(path, "-") || stat(path, &st) || S_ISREG(st.st_mode))
		return NULL;
	*use_ofile = false;
	FILE *fp = fopen(path, "w");
	if (!fp)
		diag_err(d, path, "cannot open for writing: %s", strerror(errno));
	return fp;
}

/* The graph every view but --by discarded prints from, checked once
 * (graph_write_json() checks it again for --json). */
static int build(const struct linkmap_cli *o, const struct linkmap *m,
		 struct graph *g, struct diag *d)
{
	if (o->json)
		return linkmap_to_graph(m, g, NULL, d);
	if (o->by != BY_DISCARDED)
		linkmap_totals_to_graph(m, g, NULL);
	return graph_check(g, d);
}

static int write_view(FILE *fp, const struct linkmap_cli *o,
		      const struct linkmap *m, struct graph *g, struct diag *d)
{
	return o->json ? graph_write_json(g, fp, d) : text(fp, o, m, g);
}

/* The text, or the JSON with --json, to stdout or -o FILE (atomically;
 * named on stderr). */
static int write_out(const struct linkmap_cli *o, struct linkmap *m,
		     struct graph *g, struct diag *d)
{
	bool use_ofile;
	if (build(o, m, g, d))
		return -1;
	FILE *sp = open_special(o->out, &use_ofile, d);
	if (!use_ofile) {
		if (!sp)
			return -1;
		int rc = write_view(sp, o, m, g, d);
		if (fclose(sp) || rc)
			return rc ? -1 : diag_err(d, o->out, "write failed: %s", strerror(errno));
		return 0;
	}
	const char *out = o->out ? o->out : "-";
	if (o->json) {
		if (cli_write_json(g, out, d))
			return -1;
	} else {
		struct ofile of;
		FILE *fp = ofile_open(&of, out, d);
		if (!fp)
			return -1;
		text(fp, o, m, g);
		if (ofile_commit(&of, d))
			return -1;
	}
	cli_wrote(out);
	return 0;
}

int cmd_linkmap(int argc, char **argv)
{
	struct linkmap_cli o = {0};
	int rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;
	const char *path = argv[optind];
	struct diag d = {0};
	struct diag_list w = {0};
	struct mfile mf = {0};
	struct linkmap m = {0};
	struct graph g;
	graph_init(&g);
	rc = EXIT_USAGE;
	if (mfile_open(&mf, path, &d) ||
	    linkmap_parse(&m, path, (const char *)mf.p, mf.n, &w, &d) ||
	    (o.why && linkmap_read_why_file(&m, o.why, &d)) ||
	    (!o.no_derive && linkmap_derive(&m, &w, &d))) {
		cli_diag(&d);
		goto out;
	}
	if (o.no_derive)
		linkmap_causes(&m, false);
	if (write_out(&o, &m, &g, &d)) {
		cli_diag(&d);
		goto out;
	}
	rc = 0;
out:
	if (!rc)      /* an error is one line; warnings only follow success */
		diag_list_print(&w, stderr);
	diag_list_free(&w);
	linkmap_free(&m);
	graph_free(&g);
	mfile_close(&mf);
	return cli_finish(rc);
}
