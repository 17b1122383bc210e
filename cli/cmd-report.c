/*
 * cmd-report.c - `slim report FILE...`: what a user runs first.  Every
 * analyzer that applies, a ranked human summary, or the slim-report/1 JSON.
 */
#include "cli.h"
#include "opts.h"
#include "graph-cli.h"
#include "../pipeline/pipeline.h"
#include "../pipeline/cache.h"
#include "report-text.h"
#include "report-tree.h"
#include "../common/memlimit.h"
#include "../common/ofile.h"
#include "../common/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { O_JSON = CLI_O_FIRST, O_HTML, O_SVG, O_MAP, O_PYT, O_PYR, O_ARCH,
       O_KERN, O_NOGPU, O_TOP, O_PERF, O_WHY, O_DERIVE,
       O_NODERIVE, O_BYTES, O_HOST, O_ENTRY, O_PRUNE, O_INCLUDE,
       O_FILES, O_NULL, O_PRUNE_DATA, O_MAX_UNPACK };

/* apart from the list above, whose tail other options grow */
enum { O_CACHE = CLI_O_FIRST + 64 };

static const struct cli_opt opts[] = {
	{O_JSON, "json", NULL, "write the slim-report/1 JSON (to stdout, or -o)"},
	{'o', "output", "FILE", "write the report to FILE (atomically): the text,\n"
				"or the JSON with --json"},
	{O_HTML, "html", "FILE", "also write a self-contained HTML report"},
	{O_SVG, "svg", "FILE", "also render the dependency graph to SVG"},
	{O_MAP, "map", "MAP", "merge a linker map of the (first) ELF input"},
	{O_WHY, "why-extract", "FILE", "lld's --why-extract output for the map: which\n"
				       "symbol pulled each archive member"},
	{O_NODERIVE, "no-derive", NULL, "do not read the objects and archives a map names\n"
					"(by default slim does, for what the map leaves out:\n"
					"lld/mold discarded sections, dead members and pull\n"
					"chains; every linker's COMDAT groups, for causes);\n"
					"--derive is accepted, a no-op"},
	{O_DERIVE, "derive", NULL, "the default (kept for old scripts)"},
	{O_FILES, "files-from", "FILE", "also analyze the files FILE lists, one a line\n"
					"(- reads stdin; blank lines skipped)"},
	{O_NULL, "null", NULL, "--files-from's names end with NUL, not newline"},
	{O_PYT, "py-trace", "T", "a Python import trace (repeatable)"},
	{O_PYR, "py-root", "DIR", "a Python module tree (repeatable)"},
	{O_HOST, "host", "PATH", "the program the other inputs and the extension\n"
				 "modules are loaded into (python3.11): what it\n"
				 "maps anyway saves nothing (totals.roots)"},
	{O_ENTRY, "entry", "PATH", "a directory input: a program inside it that runs\n"
				   "(usr/bin/python3.11), a Python script (its #!\n"
				   "interpreter too) or module (its file, or a\n"
				   "package's directory), repeatable; without it\n"
				   "every ELF program in the tree is a root"},
	{O_PRUNE, "prune-list", "FILE", "a directory input: write the paths (relative to\n"
					"it) its proven findings delete, one a line"},
	{O_INCLUDE, "include", "likely", "the prune list also takes the likely findings"},
	{O_PRUNE_DATA, "prune-data", NULL, "with a --py-trace recorded by `slim pydeps record`:\n"
					   "data files no recorded run opened are prunable\n"
					   "too (likely; without it no data file is in a\n"
					   "prune list)"},
	{O_MAX_UNPACK, "max-unpack", "SIZE", "an archive or image input: at most SIZE bytes\n"
					     "unpacked (512M, 20G, unlimited; default 8x the\n"
					     "input + 1G)"},
	{O_ARCH, "arch", "LIST", "GPU targets shipped, e.g. sm_80,sm_90"},
	{O_KERN, "kernels", NULL, "decompress cubins and list kernels"},
	{O_NOGPU, "no-gpu", NULL, "skip the CUDA fat binary scan"},
	CLI_ELF_OPTS,
	{O_TOP, "top", "N", "rows per ranked table, and symbols and compile\n"
			    "units kept per file (default 10)"},
	{O_BYTES, "bytes", NULL, "text: every figure in bytes, not rounded to KiB/MiB"},
	{O_PERF, "perf", NULL, "time each step on stderr"},
	{O_CACHE, "cache", "DIR", "a deployable: keep the result in DIR, keyed by\n"
				  "every file's identity and the options, so an\n"
				  "unchanged re-run costs a walk and a lookup"},
	{0},
};

const struct cli_spec cmd_report_spec = {
	"report", "[options] FILE...",
	"Analyze executables, shared libraries, objects, archives, linker maps,\n"
	"Python traces and whole deployables (a directory: its own root file\n"
	"system); print what they carry that nothing uses.\n",
	opts, NULL,
};

struct report_cli {
	struct pipeline_opts r;
	const char *out;
	const char *prune_list;
	const char *files_from;     /* --files-from FILE, "-" = stdin */
	bool nul;                   /* --null */
	char **files;               /* positional inputs, then the listed */
	size_t nfiles;
	const char *html;
	const char *svg;
	bool json;
	bool exact;
	int top;
	const char *cache;          /* --cache DIR */
};

static void push(const char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = s;
}

/* --perf: each pipeline step's wall time */
static void on_step(void *ctx, const char *step, double s)
{
	fprintf(stderr, "slim: perf: %-10s %8.3f s\n", step, s);
}

/* a long run says where it is, on a terminal only */
static void on_input(void *ctx, size_t done, size_t total)
{
	fprintf(stderr, "\rslim: %zu/%zu files%s", done, total,
		done == total ? "\r\033[K" : "");
}

/* a deployable's walk: files and bytes so far and the rate, on a
 * terminal only; the line is cleared when the walk ends */
static void on_tree(void *ctx, uint64_t files, uint64_t bytes, bool done)
{
	static double t0;
	char b[32];
	double now = now_seconds();
	if (!t0)
		t0 = now;
	if (done) {
		fprintf(stderr, "\r\033[K");
		return;
	}
	fprintf(stderr, "\rslim: %llu files, %s inventoried (%.0f files/s)",
		(unsigned long long)files, human_bytes(bytes, b, sizeof b),
		now > t0 ? (double)files / (now - t0) : 0.0);
}

static int parse(struct report_cli *o, int argc, char **argv)
{
	int c;
	while ((c = cli_next_opt(&cmd_report_spec, argc, argv)) >= 0) {
		switch (c) {
		case O_JSON: o->json = true; break;
		case 'o': o->out = optarg; break;
		case O_HTML: o->html = optarg; break;
		case O_SVG: o->svg = optarg; break;
		case O_MAP: push(&o->r.maps, &o->r.nmaps, optarg); break;
		case O_WHY: o->r.map.why = optarg; break;
		case O_DERIVE: break;
		case O_NODERIVE: o->r.map.no_derive = true; break;
		case O_PYT: push(&o->r.py.traces, &o->r.py.ntraces, optarg); break;
		case O_PYR: push(&o->r.py.roots, &o->r.py.nroots, optarg); break;
		case O_HOST: o->r.host = optarg; break;
		case O_ENTRY: push(&o->r.deploy.entries, &o->r.deploy.nentries, optarg); break;
		case O_PRUNE: o->prune_list = optarg; break;
		case O_FILES: o->files_from = optarg; break;
		case O_NULL: o->nul = true; break;
		case O_INCLUDE:
			if (strcmp(optarg, "likely"))
				return cli_usage_error(&cmd_report_spec, "--include takes 'likely', not '%s'", optarg);
			o->r.deploy.include_likely = true;
			break;
		case O_PRUNE_DATA:
			o->r.py.prune_data = true;
			o->r.deploy.prune_data = true;
			break;
		case O_MAX_UNPACK:
			if (memlimit_parse(optarg, &o->r.deploy.max_unpack))
				return cli_usage_error(&cmd_report_spec, "--max-unpack takes a size (512M, 20G, unlimited), not '%s'", optarg);
			if (!o->r.deploy.max_unpack)
				o->r.deploy.max_unpack = UINT64_MAX;   /* unlimited */
			break;
		case O_ARCH: {
			struct fatbin_target tv[64];
			size_t nt;
			struct diag ad = {0};
			if (fatbin_parse_arch(optarg, tv, 64, &nt, &ad))
				return cli_diag(&ad);
			o->r.gpu.arch = optarg;
			break;
		}
		case O_KERN: o->r.gpu.kernels = true; break;
		case O_NOGPU: o->r.no_gpu = true; break;
		case O_TOP:
			o->top = atoi(optarg);
			if (o->top <= 0)
				return cli_usage_error(&cmd_report_spec, "--top takes a positive number");
			break;
		case O_PERF: o->r.on_step = on_step; break;
		case O_CACHE: o->cache = optarg; break;
		case O_BYTES: o->exact = true; break;
		default:
			if (cli_elf_opt(&cmd_report_spec, c, &o->r.elf) < 0)
				return EXIT_USAGE;
		}
	}
	if (c == CLI_OPT_HELP)
		exit(cli_finish(EXIT_OK));
	if (c != CLI_OPT_END)
		return cli_opt_exit(c);
	if (o->nul && !o->files_from)
		return cli_usage_error(&cmd_report_spec, "--null needs --files-from");
	if (optind >= argc && !o->r.py.ntraces && !o->r.py.nroots && !o->files_from)
		return cli_usage_error(&cmd_report_spec, "no input file");
	return 0;
}

static void push_own(struct report_cli *o, const char *s)
{
	o->files = xreallocarray(o->files, o->nfiles + 1, sizeof *o->files);
	o->files[o->nfiles++] = xstrdup(s);
}

/* --files-from: the positional inputs, then one per line (NUL with
 * --null) of the list, blank ones skipped; a name missing on disk is that
 * input's error, as a positional one's is (pipeline_build()) */
static int read_files_from(struct report_cli *o, int argc, char **argv)
{
	for (int i = optind; i < argc; i++)
		push_own(o, argv[i]);
	if (!o->files_from)
		return 0;
	bool std = !strcmp(o->files_from, "-");
	FILE *fp = std ? stdin : fopen(o->files_from, "r");
	if (!fp)
		return cli_error("%s: %s", o->files_from, strerror(errno));
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getdelim(&line, &cap, o->nul ? '\0' : '\n', fp)) > 0) {
		if (line[n - 1] == (o->nul ? '\0' : '\n'))
			line[--n] = '\0';
		if (n)
			push_own(o, line);
	}
	int err = ferror(fp);
	free(line);
	if (!std)
		fclose(fp);
	if (err)
		return cli_error("%s: read failed", o->files_from);
	if (!o->nfiles && !o->r.py.ntraces && !o->r.py.nroots)
		return cli_usage_error(&cmd_report_spec, "no input file (%s lists none)", o->files_from);
	return 0;
}

/* the text report to path ("-": stdout), atomically */
static int write_text(const struct graph *g, const struct report_cli *o,
		      const char *path, struct diag *d)
{
	struct report_text_opts to = {o->top, o->exact};
	if (!strcmp(path, "-"))
		return report_print_tree(g, stdout, &to) ||
		       report_print_text(g, stdout, &to) ? -1 : 0;
	struct ofile of;
	FILE *fp = ofile_open(&of, path, d);
	if (!fp)
		return -1;
	if (report_print_tree(g, fp, &to) || report_print_text(g, fp, &to)) {
		ofile_abort(&of);
		return diag_err(d, path, "write failed");
	}
	return ofile_commit(&of, d);
}

/* --prune-list: the paths of totals.tree.prune (relative to the tree's
 * root), proven only unless --include likely; sorted, one a line */
static int write_prune_list(const struct graph *g, const struct report_cli *o,
			    const char *path, struct diag *d)
{
	json_t *tree = json_object_get(g->totals, "tree");
	if (!tree)
		return diag_err(d, o->prune_list, "--prune-list needs a directory input (a deployable)");
	struct ofile of;
	FILE *fp = ofile_open(&of, path, d);
	if (!fp)
		return -1;
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(tree, "prune"), i, e) {
		const char *conf = json_string_value(json_object_get(e, "confidence"));
		if (!strcmp(conf, "proven") || (o->r.deploy.include_likely && !strcmp(conf, "likely")))
			fprintf(fp, "%s\n", json_string_value(json_object_get(e, "path")));
	}
	return ofile_commit(&of, d);
}

/* Where output k goes ("-": stdout; NULL: nowhere), in the order emit()
 * writes them: the report (the text, or the JSON with --json, to stdout
 * or -o), the prune list, the HTML, the SVG. */
static const char *dest_of(const struct report_cli *o, int k)
{
	switch (k) {
	case RC_MAIN: return o->out ? o->out : "-";
	case RC_PRUNE: return o->prune_list;
	case RC_HTML: return o->html;
	default: return o->svg;
	}
}

/* whether the run writes output k (a text report only when something
 * was analyzed) */
static bool wants(const struct graph *g, const struct report_cli *o, int k)
{
	return k == RC_MAIN ? o->json || g->ninputs : dest_of(o, k) != NULL;
}

/* output k of g rendered to path (its destination, or a cache entry's
 * file); 0, or -1 with d set (or empty: stdout failed) */
static int render(const struct graph *g, const struct report_cli *o, int k,
		  const char *path, struct diag *d)
{
	switch (k) {
	case RC_MAIN:
		return o->json ? cli_write_json(g, path, d) : write_text(g, o, path, d);
	case RC_PRUNE: return write_prune_list(g, o, path, d);
	case RC_HTML: return report_write_html(g, path, d);
	default: return report_write_svg(g, path, d);
	}
}

static int emit_failed(struct diag *d)
{
	return d->msg[0] ? cli_diag(d) : EXIT_USAGE;
}

/* emit: the text (or JSON with --json) to stdout or -o, and the files
 * --prune-list/--html/--svg ask for beside it.  A report with an input
 * missing is never written as a file: a gate must not pass on it (the
 * text on stdout still shows what was analyzed). */
static int emit(const struct graph *g, const struct report_cli *o, int rc)
{
	struct diag d = {0};
	bool to_file = o->out && strcmp(o->out, "-");
	if (rc && (o->json || to_file || o->html || o->svg || o->prune_list))
		return rc;      /* each input's error line already said why */
	for (int k = 0; k < RC_NOUT; k++) {
		if (!wants(g, o, k))
			continue;
		if (render(g, o, k, dest_of(o, k), &d))
			return emit_failed(&d);
		cli_wrote(dest_of(o, k));
	}
	return rc;
}

/* output k, an entry's file, delivered to where it goes, as emit()
 * would have written it */
static int copy_out(const struct report_cli *o, int k, const struct rcache_src *s)
{
	struct diag d = {0};
	const char *to = dest_of(o, k);
	if (rcache_deliver(s, to, &d))
		return emit_failed(&d);
	cli_wrote(to);
	return EXIT_OK;
}

/* --cache: a result found under this run's key is the run's outputs,
 * each copied byte for byte where this run's options send it, with the
 * warnings the run printed.  true when it was (*rc its exit status). */
static bool cached(const struct report_cli *o, const struct rcache *ck,
		   struct diag_list *w, int *rc)
{
	struct rcache_hit h;
	if (!rcache_get(ck, &h, w))
		return false;
	diag_list_print(w, stderr);
	fputs(h.warn, stderr);
	*rc = EXIT_OK;
	for (int k = 0; k < RC_NOUT && *rc == EXIT_OK; k++)
		if (h.out[k].present)
			*rc = copy_out(o, k, &h.out[k]);
	rcache_release(&h);
	return true;
}

/* --cache, a complete run: each output rendered into the cache entry
 * first, then copied to where it goes (as a hit copies it: one path to
 * the user's files, so a hit's bytes are a miss's), then the entry's
 * meta with the run's warnings (w from w0).  An output that cannot be
 * rendered into the entry (DIR full, say) falls back to emit(): the
 * report is written as without --cache, with a warning when DIR was to
 * blame. */
static int emit_cached(const struct graph *g, const struct report_cli *o,
		       const struct rcache *ck, const struct diag_list *w, size_t w0)
{
	bool present[RC_NOUT] = {false};
	struct diag d = {0};
	for (int k = 0; k < RC_NOUT; k++) {
		if (!wants(g, o, k))
			continue;
		if (render(g, o, k, ck->out[k], &d)) {
			if (!strncmp(d.file, ck->dir, strlen(ck->dir)))
				fprintf(stderr, "slim: warning: --cache: %s: %s (not stored)\n",
					d.file, d.msg);
			for (int j = 0; j < k; j++)
				if (present[j])
					unlink(ck->out[j]);
			return emit(g, o, EXIT_OK);
		}
		present[k] = true;
	}
	for (int k = 0; k < RC_NOUT; k++) {
		if (!present[k])
			continue;
		struct rcache_src src;
		if (rcache_src_open(ck->out[k], &src, &d))
			return cli_diag(&d);
		int rc = copy_out(o, k, &src);
		rcache_src_close(&src);
		if (rc)
			return rc;
	}
	struct diag_list run = {w->v + w0, w->n - w0, 0, w->dropped};
	char *warn = NULL;
	size_t nwarn = 0;
	FILE *ms = open_memstream(&warn, &nwarn);
	if (!ms)
		return EXIT_OK;
	diag_list_print(&run, ms);
	fclose(ms);
	if (rcache_put(ck, present, warn, &d))
		fprintf(stderr, "slim: warning: --cache: %s%s%s (not stored)\n",
			d.file[0] ? d.file : "", d.file[0] ? ": " : "", d.msg);
	free(warn);
	return EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	struct report_cli o = {.top = 10};
	int rc = parse(&o, argc, argv);
	if (!rc)
		rc = read_files_from(&o, argc, argv);
	if (rc)
		goto out;
	o.r.elf.sizes = true;
	o.r.elf.top_symbols = o.top;   /* symbols and compile units kept per file */
	o.r.elf.hash_inputs = o.json || o.out || o.html;
	if (cli_progress_enabled() && o.nfiles > 20)
		o.r.on_input = on_input;
	if (cli_progress_enabled())
		o.r.on_tree = on_tree;

	struct graph g;
	struct diag_list w = {0}, errs = {0}, cw = {0};
	graph_init(&g);
	struct rcache ck;
	bool cache = o.cache &&
		     !rcache_key(&ck, o.cache, argc, argv, o.files, o.nfiles, &w);
	if (cache && cached(&o, &ck, &w, &rc))
		goto done;
	if (cache && ck.racy) {
		/* computed, but not stored: the next run stores it */
		struct diag rd = {0};
		diag_err(&rd, ck.racy_path,
			 "--cache: changed %ld ms before this run, too recently for its times to show a "
			 "change in the same clock tick: the result is not stored", ck.racy_ms);
		diag_warn(&w, &rd);
	}
	size_t w0 = w.n;    /* the cache's own warnings are not the run's */
	if (cache) {        /* a directory's per-file results (tree-cache.c) */
		o.r.deploy.cache_dir = o.cache;
		o.r.deploy.cache_w = &cw;
	}
	rc = pipeline_build(&g, &o.r, o.files, o.nfiles, &w, &errs)
		? EXIT_USAGE : EXIT_OK;
	diag_list_print(&cw, stderr);
	cli_print_errors(&errs);
	diag_list_print(&w, stderr);
	if (cache && !ck.racy && rc == EXIT_OK && !errs.n)
		rc = emit_cached(&g, &o, &ck, &w, w0);
	else
		rc = emit(&g, &o, rc);
done:
	diag_list_free(&errs);
	diag_list_free(&w);
	diag_list_free(&cw);
	graph_free_at_exit(&g);
out:
	for (size_t i = 0; i < o.nfiles; i++)
		free(o.files[i]);
	free(o.files);
	free(o.r.maps);
	free(o.r.py.traces);
	free(o.r.py.roots);
	free(o.r.deploy.entries);
	return rc;
}
