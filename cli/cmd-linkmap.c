/*
 * cmd-linkmap.c - `slim linkmap MAP`: where the bytes of a link come from,
 * read from the linker's map (GNU ld, gold, lld or mold; see linkmap/).
 *
 * Text: totals (output bytes split into input sections, linker-made pieces
 * and padding; discarded sections), then ranked tables of bytes per
 * archive, per object or member, per output section, and the archive
 * members each pulled in by a single symbol (the one the map or lld's
 * --why-extract names), which are the cheapest to get rid of.
 * --json: the slim-report/1 graph of the map (what `slim why` reads).
 * Unless --no-derive, the inputs the map names are read first for what
 * the map leaves out (linkmap_derive()); what stays unknown is said in
 * every view (linkmap_discards_unknown()), never shown as "0".
 */
#include "cli.h"
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

static const char usage[] =
"usage: slim linkmap MAP [--json] [--by object|archive|section|discarded] [--top N]\n"
"                        [--why-extract FILE] [--no-derive] [-o OUT]\n"
"\n"
"Read a linker map of GNU ld (-Map), gold, lld or mold and say where the\n"
"output's bytes come from.\n"
"\n"
"  --by KIND            one ranked table: per object/member, per archive or\n"
"                       per output section (default: all three); `discarded`\n"
"                       lists every discarded input section (bytes, file,\n"
"                       section, cause; tab-separated, in map order)\n"
"  --top N              rows per table (default 20; 0 = all)\n"
"  --json               the slim-report/1 graph instead of text\n"
"  --why-extract FILE   lld --why-extract=FILE output, or mold\n"
"                       --print-dependencies output: which archive members\n"
"                       were loaded and the symbol that pulled each in (for\n"
"                       mold derived: a chain of the references it lists,\n"
"                       breadth-first from the program's own objects)\n"
"  --no-derive          do not read the objects and archives the map names.\n"
"                       By default slim reads them (libelf) for what the map\n"
"                       leaves out, marked \"derived\": for lld and mold the\n"
"                       discarded sections (SHF_MERGE and .eh_frame skipped),\n"
"                       the members loaded whose every section was discarded,\n"
"                       and without --why-extract a chain of symbols that\n"
"                       pulled each member; for every linker the COMDAT\n"
"                       groups that give each discarded section its cause:\n"
"                       gc (--gc-sections: dead code, actionable at the\n"
"                       source), comdat (a duplicate group), merged (notes,\n"
"                       group records), script (/DISCARD/)\n"
"  --derive             accepted for compatibility: deriving is the default\n"
"  -o OUT               write to OUT (default: stdout)\n"
"  -h, --help           this text\n";

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
	const struct lm_file *f;
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
	qsort(v, n, sizeof *v, row_cmp);
	fprintf(fp, "\n%s (%zu, top %zu)\n%12s %6s %8s  %s\n", title, n,
		limit(o, n), "bytes", "%", ncol, "name");
	for (size_t i = 0; i < limit(o, n); i++)
		fprintf(fp, "%12" PRIu64 " %5.1f%% %8" PRIu64 "  %s\n", v[i].bytes,
			total ? 100.0 * (double)v[i].bytes / (double)total : 0.0,
			v[i].n, v[i].name);
}

static void by_object(FILE *fp, const struct linkmap_cli *o,
		      const struct linkmap *m, uint64_t total)
{
	struct row *v = xcalloc(m->nfiles + 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < m->nfiles; i++)
		if (!m->files[i].linker)
			v[n++] = (struct row){m->files[i].id + 4, m->files[i].bytes,
					      m->files[i].nlive, &m->files[i]};
	print_rows(fp, o, v, n, total, "bytes per object or archive member", "sections");
	free(v);
}

static void by_archive(FILE *fp, const struct linkmap_cli *o,
		       const struct linkmap *m, uint64_t total)
{
	struct hmap idx = {0};
	struct row *v = xcalloc(m->nfiles + 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct lm_file *f = &m->files[i];
		if (f->linker)
			continue;
		const char *a = f->archive ? path_base(f->archive) : "(objects)";
		bool created;
		void **slot = hmap_slot(&idx, a, strlen(a), &created);
		if (created) {
			v[n] = (struct row){a, 0, 0, NULL};
			*slot = (void *)(uintptr_t)n++;
		}
		struct row *r = &v[(uintptr_t)*slot];
		r->bytes += f->bytes;
		r->n++;
	}
	print_rows(fp, o, v, n, total, "bytes per archive", "members");
	hmap_free(&idx);
	free(v);
}

static void by_section(FILE *fp, const struct linkmap_cli *o,
		       const struct linkmap *m)
{
	struct row *v = xcalloc(m->nosecs + 1, sizeof *v);
	char **names = xcalloc(m->nosecs + 1, sizeof *names);
	for (size_t i = 0; i < m->nosecs; i++) {
		const struct lm_osec *s = &m->osecs[i];
		names[i] = xstrndup(s->name.p, s->name.n);
		v[i] = (struct row){names[i], s->size, i, NULL};
	}
	qsort(v, m->nosecs, sizeof *v, row_cmp);
	fprintf(fp, "\nbytes per output section (%zu, top %zu)\n%12s %12s %10s %10s  %s\n",
		m->nosecs, limit(o, m->nosecs), "size", "inputs", "linker", "padding", "name");
	for (size_t i = 0; i < limit(o, m->nosecs); i++) {
		const struct lm_osec *s = &m->osecs[v[i].n];
		fprintf(fp, "%12" PRIu64 " %12" PRIu64 " %10" PRIu64 " %10" PRIu64 "  %s\n",
			s->size, s->inputs, s->linker, s->padding, v[i].name);
	}
	for (size_t i = 0; i < m->nosecs; i++)
		free(names[i]);
	free(names);
	free(v);
}

/* Members that one symbol holds in the link: with --cref, those only one
 * of whose symbols anything else uses; without, every member and the one
 * symbol that pulled it in (the map's or --why-extract's reason). */
static void pulled(FILE *fp, const struct linkmap_cli *o, struct linkmap *m)
{
	struct row *v = xcalloc(m->nfiles + 1, sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct lm_file *f = &m->files[i];
		if (f->loaded && (m->has_cref ? f->xref_syms == 1 : f->pulled_sym != NULL))
			v[n++] = (struct row){f->id + 4, f->bytes, 0, f};
	}
	qsort(v, n, sizeof *v, row_cmp);
	fprintf(fp, "\n%s (%zu, top %zu)\n%12s  %-40s %s\n",
		m->has_cref ? "archive members only one symbol holds in the link (--cref)"
			    : "archive members and the symbol that pulled each in",
		n, limit(o, n), "bytes", "member", "symbol <- used by");
	for (size_t i = 0; i < limit(o, n); i++) {
		const struct lm_file *f = v[i].f;
		const char *sym = m->has_cref ? f->xref_sym : f->pulled_sym;
		int32_t byi = m->has_cref ? f->xref_by : f->pulled_by;
		const char *by = byi >= 0 ? m->files[byi].id : NULL;
		const char *dm = demangle(&m->arena, sym);
		fprintf(fp, "%12" PRIu64 "  %-40s %s <- %s%s%s\n", v[i].bytes, v[i].name,
			dm ? dm : sym, by ? by + 4 : "(command line)",
			!m->has_cref && f->derived ? " (derived)" : "",
			!f->bytes ? "  [dead: all sections discarded]" : "");
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

/* "gc 300 (6 KiB, actionable at the source), comdat 12, ..." */
static void causes(FILE *fp, const struct linkmap *m)
{
	uint64_t n[LM_CAUSE_ICF + 1] = {0}, b[LM_CAUSE_ICF + 1] = {0};
	for (size_t i = 0; i < m->nisecs; i++) {
		const struct lm_isec *s = &m->isecs[i];
		if (s->state == LM_ISEC_DISCARDED && s->cause <= LM_CAUSE_ICF)
			n[s->cause]++, b[s->cause] += s->size;
	}
	static const char *const note[] = {
		[LM_CAUSE_GC] = "--gc-sections: dead code, actionable at the source",
		[LM_CAUSE_COMDAT] = "duplicate COMDAT groups: not actionable",
		[LM_CAUSE_MERGED] = "notes and group records the linker consumed: not actionable",
		[LM_CAUSE_SCRIPT] = "/DISCARD/ in the script: as asked",
		[LM_CAUSE_ICF] = "folded identical code",
		[LM_CAUSE_NONE] = "cause unknown",
	};
	const char *sep = "  by cause: ";
	for (int c = 1; c <= LM_CAUSE_ICF + 1; c++) {
		int k = c % (LM_CAUSE_ICF + 1);    /* unknown last */
		if (!n[k])
			continue;
		fprintf(fp, "%s%s %" PRIu64 " (%" PRIu64 " bytes; %s)", sep,
			linkmap_cause_name((enum lm_cause)k), n[k], b[k], note[k]);
		sep = ", ";
	}
	if (*sep == ',')
		fputc('\n', fp);
}

static void summary(FILE *fp, const struct linkmap *m, uint64_t *total)
{
	uint64_t size = 0, in = 0, lk = 0, pad = 0, dis = 0, ndis = 0;
	size_t members = 0, dead = 0;
	for (size_t i = 0; i < m->nosecs; i++) {
		size += m->osecs[i].size, in += m->osecs[i].inputs;
		lk += m->osecs[i].linker, pad += m->osecs[i].padding;
	}
	for (size_t i = 0; i < m->nfiles; i++) {
		const struct lm_file *f = &m->files[i];
		dis += f->discarded, ndis += f->ndead;
		members += f->loaded;
		dead += f->loaded && !f->bytes;
	}
	fprintf(fp, "linker map %s (%s)%s%s\n", m->path, linkmap_linker_name(m->linker),
		m->output ? ", output " : "", m->output ? m->output : "");
	fprintf(fp, "output sections: %zu, %" PRIu64 " bytes = inputs %" PRIu64
		" + linker-made %" PRIu64 " + padding %" PRIu64 "\n",
		m->nosecs, size, in, lk, pad);
	const char *unk = linkmap_discards_unknown(m);
	if (unk) {
		fprintf(fp, "discarded: unknown: %s\n", unk);
	} else {
		fprintf(fp, "discarded: %" PRIu64 " input sections, %" PRIu64 " bytes%s", ndis, dis,
			m->derived_discards ? " (derived from the objects)" : "");
		if (m->derived_discards && m->inputs_unread)
			fprintf(fp, "; incomplete: %u of the %u inputs the map names could not be read",
				m->inputs_unread, m->inputs_read + m->inputs_unread);
		fputc('\n', fp);
		causes(fp, m);
	}
	fprintf(fp, "archive members loaded: %zu", members);
	if (m->members_unknown)
		fprintf(fp, " listed; which are dead is unknown: the %s map does not name a member whose every section was discarded, and an input it names could not be read (or is an LTO partition) to derive them",
			linkmap_linker_name(m->linker));
	else if (m->has_pulls)
		fprintf(fp, ", %zu of them dead (every section discarded)%s", dead,
			m->derived_members ? " (derived from the inputs)" : "");
	else
		fprintf(fp, "; which are dead is unknown: the %s map does not say why a member was loaded%s",
			linkmap_linker_name(m->linker),
			m->linker == LM_LLD ? " (lld -Wl,--why-extract=FILE does: --why-extract FILE)" : "");
	fprintf(fp, "\n");
	*total = in;
}

static int text(FILE *fp, const struct linkmap_cli *o, struct linkmap *m)
{
	uint64_t total;
	if (o->by == BY_DISCARDED) {
		discarded(fp, m);
		return 0;
	}
	summary(fp, m, &total);
	if (o->by == BY_ALL || o->by == BY_ARCHIVE)
		by_archive(fp, o, m, total);
	if (o->by == BY_ALL || o->by == BY_OBJECT)
		by_object(fp, o, m, total);
	if (o->by == BY_ALL || o->by == BY_SECTION)
		by_section(fp, o, m);
	if (o->by == BY_ALL && m->has_pulls)
		pulled(fp, o, m);
	return 0;
}

static int parse_opts(int argc, char **argv, struct linkmap_cli *o)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"by", required_argument, NULL, 'b'},
		{"top", required_argument, NULL, 't'},
		{"why-extract", required_argument, NULL, 'w'},
		{"derive", no_argument, NULL, 'd'},
		{"no-derive", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int c;
	o->top = 20;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'j': o->json = true; break;
		case 'w': o->why = optarg; break;
		case 'd': break;        /* the default now */
		case 'n': o->no_derive = true; break;
		case 'o': o->out = optarg; break;
		case 'h': return cli_usage(usage, false) - 1;
		case 't':
			o->top = strtol(optarg, &end, 10);
			if (*end || end == optarg || o->top < 0)
				return cli_error("linkmap: --top wants a number >= 0, not '%s'", optarg);
			break;
		case 'b':
			if (!strcmp(optarg, "object")) o->by = BY_OBJECT;
			else if (!strcmp(optarg, "archive")) o->by = BY_ARCHIVE;
			else if (!strcmp(optarg, "section")) o->by = BY_SECTION;
			else if (!strcmp(optarg, "discarded")) o->by = BY_DISCARDED;
			else return cli_error("linkmap: --by wants object, archive, section or discarded, not '%s'", optarg);
			break;
		default: return cli_usage(usage, true);
		}
	}
	if (optind != argc - 1)
		return cli_usage(usage, true);
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

static int write_out(const struct linkmap_cli *o, struct linkmap *m,
		     struct graph *g, struct diag *d)
{
	bool use_ofile;
	FILE *sp = open_special(o->out, &use_ofile, d);
	if (!use_ofile && !sp)
		return -1;
	if (o->json && linkmap_to_graph(m, g, NULL, d))
		goto fail;
	if (!use_ofile) {
		int rc = o->json ? graph_write_json(g, sp, d) : text(sp, o, m);
		if (fclose(sp) || rc)
			return rc ? -1 : diag_err(d, o->out, "write failed: %s", strerror(errno));
		return 0;
	}
	if (o->json)
		return cli_write_json(g, o->out ? o->out : "-", d);
	struct ofile of;
	FILE *fp = ofile_open(&of, o->out ? o->out : "-", d);
	if (!fp)
		return -1;
	text(fp, o, m);
	return ofile_commit(&of, d);
fail:
	if (sp)
		fclose(sp);
	return -1;
}

static int read_why(struct linkmap *m, const char *path, struct diag *d)
{
	struct mfile wf;
	if (mfile_open(&wf, path, d))
		return -1;
	int rc = linkmap_read_why_extract(m, path, (const char *)wf.p, wf.n, d);
	mfile_close(&wf);
	return rc;
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
	    (o.why && read_why(&m, o.why, &d)) ||
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
