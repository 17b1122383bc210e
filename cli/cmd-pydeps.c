/*
 * cmd-pydeps.c - `slim pydeps`: which Python modules a workload uses,
 * which are only reachable, which can be deleted; and `slim pydeps record`,
 * which runs a workload and writes its trace (modules imported, files
 * opened) for the first form.
 *
 * The analysis is the pipeline's with the Python inputs only
 * (pipeline_build()); the summary is printed from the graph's totals
 * (totals.python per distribution, totals.pydeps per root), so the text
 * and the JSON cannot disagree.  Each command has its own option table
 * (cli/opts.h): "pydeps" and "pydeps record".
 *
 * The recorder is pydeps/recorder.py, embedded by cli/pyrecorder.c: it
 * runs as `PYTHON [PYOPTS] -c RECORDER SCRIPT|-m MOD ARGS`, the trace's
 * path in SLIM_PYTRACE_OUT (what it does is said atop recorder.py);
 * --print-recorder prints it to run where slim is not installed.
 */
#include "../common/memlimit.h"
#include "cli.h"
#include "opts.h"
#include "../common/ofile.h"
#include "../common/util.h"
#include "../pipeline/pipeline.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { O_TRACE = CLI_O_FIRST, O_ROOT, O_SCRIPT, O_JSON, O_PRUNE, O_INCLUDE,
       O_THREADS, O_PRUNEDATA, O_SCANALL, O_NOELF, O_NOAUTO, O_PERF, O_PRINT };

static const struct cli_opt opts[] = {
	{O_TRACE, "trace", "T", "import trace: `python -X importtime` stderr,\n"
				"`python -v` stderr, a list of module names, or\n"
				"`slim pydeps record` output (repeatable; also\n"
				"positional)"},
	{O_ROOT, "root", "DIR", "module tree: the standard library, site-packages,\n"
				"a zip or wheel (repeatable); DIR/lib-dynload and\n"
				"DIR/site-packages join as roots of their own;\n"
				"without --root, the installation trees the\n"
				"trace's module files lie in (record and -v\n"
				"traces name files; importtime traces need --root)"},
	{O_SCRIPT, "script", "FILE", "the workload's entry script: used, and its imports\n"
				     "scanned (record traces name it themselves; give\n"
				     "it for -X importtime / -v traces); without a\n"
				     "trace, modulefinder's run_script() question"},
	{O_JSON, "json", NULL, "write the slim-report/1 JSON"},
	{'o', "output", "FILE", "write the summary or JSON to FILE (atomically)"},
	{O_PRUNE, "prune-list", "FILE", "write the absolute paths safe to delete, one per line:\n"
					"the proven findings only (nothing traced loads,\n"
					"imports or names them)"},
	{O_INCLUDE, "include", "likely", "--prune-list also writes the likely findings\n"
					 "(evidence incomplete: a computed import in the\n"
					 "package; with a `record` trace, native libraries\n"
					 "of kept packages that no run loaded and nothing\n"
					 "names; with --prune-data, data no run opened)"},
	{O_THREADS, "threads", "N", "scan threads (default: the CPUs, at most 8)"},
	{O_PRUNEDATA, "prune-data", NULL, "with a `record` trace: also data files of kept\n"
					  "packages that no recorded run opened (likely:\n"
					  "listed only with --include likely)"},
	{O_SCANALL, "scan-all", NULL, "scan every source (default: those the closure reaches)"},
	{O_NOELF, "no-elf", NULL, "do not analyze extension modules' libraries"},
	{O_NOAUTO, "no-auto-roots", NULL, "only the roots given"},
	{O_PERF, "perf", NULL, "time the analysis on stderr"},
	{0},
};

const struct cli_spec cmd_pydeps_spec = {
	"pydeps", "[options] [T...]",
	"Tell which Python modules the traced workloads used, which are only\n"
	"reachable by static imports, and which can be deleted, with the bytes\n"
	"each saves.\n",
	opts,
	"slim pydeps record runs a workload and writes its trace (see\n"
	"slim pydeps record --help).\n"
	"Recipe without the recorder: `python3 -X importtime app.py 2> trace.txt`,\n"
	"then `slim pydeps --trace trace.txt --script app.py --root ...`.\n",
};

static const struct cli_opt record_opts[] = {
	{'o', "output", "FILE", "the trace (default slim-pytrace.txt)"},
	{O_PRINT, "print-recorder", NULL, "print the recorder, a Python file to run where\n"
					  "slim is not (an image, a container): `python3\n"
					  "recorder.py SCRIPT|-m MOD ARGS` writes\n"
					  "slim-pytrace.txt (or $SLIM_PYTRACE_OUT)"},
	{0},
};

const struct cli_spec cmd_pydeps_record_spec = {
	"pydeps record", "[options] -- PYTHON [PYOPTS] SCRIPT|-m MOD [ARGS...]",
	"Run the workload (PYTHON is e.g. /usr/bin/python3) and write the\n"
	"modules it imported, the files it opened and the shared objects it\n"
	"loaded (ctypes.dlopen, /proc/self/maps at exit) to the trace;\n"
	"exits with the workload's status.\n",
	record_opts, NULL,
};

/* pydeps/recorder.py, NUL-terminated (cli/pyrecorder.c) */
extern const char slim_recorder_py[];

/* python options that take a value (python3 --help) */
static bool takes_value(const char *a)
{
	return !strcmp(a, "-X") || !strcmp(a, "-W") ||
	       !strcmp(a, "--check-hash-based-pycs");
}

/* --print-recorder: the recorder as a standalone Python file */
static int print_recorder(void)
{
	fputs(slim_recorder_py, stdout);
	return EXIT_OK;
}

static int cmd_record(int argc, char **argv)
{
	const struct cli_spec *sp = &cmd_pydeps_record_spec;
	const char *out = "slim-pytrace.txt";
	bool print = false;
	int c;
	while ((c = cli_next_opt(sp, argc, argv)) >= 0) {
		if (c == 'o')
			out = optarg;
		else if (c == O_PRINT)
			print = true;
	}
	if (c != CLI_OPT_END)
		return cli_opt_exit(c);
	if (print)
		return optind == argc ? print_recorder()
			: cli_usage_error(sp, "--print-recorder takes no program");
	if (optind < 2 || strcmp(argv[optind - 1], "--"))
		return cli_usage_error(sp, optind < argc ? "put -- before the program to run"
					   : "no program to run (-- PYTHON SCRIPT)");
	if (optind + 1 >= argc)
		return cli_usage_error(sp, "no script to run after --");
	char **py = argv + optind;
	int npy = argc - optind, k = 1;
	while (k < npy && py[k][0] == '-' && strcmp(py[k], "-m")) {
		if (!strcmp(py[k], "-c") || !strcmp(py[k], "-"))
			return cli_usage_error(sp, "give a script or -m MODULE, not %s", py[k]);
		k += takes_value(py[k]) && k + 1 < npy ? 2 : 1;
	}
	if (k >= npy)
		return cli_usage_error(sp, "no script to run after %s", py[0]);
	char **av = xcalloc(npy + 3, sizeof *av);
	memcpy(av, py, k * sizeof *av);
	av[k] = "-c";
	av[k + 1] = (char *)slim_recorder_py;
	memcpy(av + k + 2, py + k, (npy - k) * sizeof *av);
	char *abs = realpath(".", NULL);
	char *outp = out[0] == '/' || !abs ? xstrdup(out) : NULL;
	if (!outp) {
		size_t l = strlen(abs) + strlen(out) + 2;
		outp = xmalloc(l);
		snprintf(outp, l, "%s/%s", abs, out);
	}
	free(abs);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		memlimit_off();   /* the workload gets the user's limits, not slim's */
		setenv("SLIM_PYTRACE_OUT", outp, 1);
		execvp(av[0], av);
		fprintf(stderr, "slim: pydeps record: %s: %s\n", av[0], strerror(errno));
		_exit(127);
	}
	int st = 0, rc;
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		rc = cli_error("pydeps record: cannot run %s: %s", av[0], strerror(errno));
	else if (WIFEXITED(st))
		rc = WEXITSTATUS(st);
	else
		rc = cli_error("pydeps record: %s killed by signal %d", av[0], WTERMSIG(st));
	if (access(outp, R_OK))
		rc = cli_error("pydeps record: %s: no trace written", outp);
	else
		cli_wrote(out);
	free(outp);
	free(av);
	return rc;
}

struct pydeps_cli {
	struct pydeps_opts py;
	const char *out, *prune;
	bool json, perf;
	bool include_likely;   /* --include likely: the prune list takes both */
};

struct distrow {
	const char *name;
	long long nmods, used, reach, prunable;
};

static int cmp_row(const void *a, const void *b)
{
	const struct distrow *x = a, *y = b;
	if (x->prunable != y->prunable)
		return x->prunable > y->prunable ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* One row per distribution of totals.python, most prunable first. */
static void print_dists(const json_t *py, FILE *fp)
{
	const json_t *dists = json_object_get(py, "distributions");
	size_t n = json_array_size(dists);
	struct distrow *rows = xcalloc(n + 1, sizeof *rows);
	char b1[16], b2[16], b3[16];
	for (size_t i = 0; i < n; i++) {
		const json_t *d = json_array_get(dists, i);
		const char *name = attr_get_str(d, "name");   /* NULL: not UTF-8 */
		rows[i] = (struct distrow){name ? name : "?",
			attr_get_int(d, "modules", 0), attr_get_int(d, "used_bytes", 0),
			attr_get_int(d, "reachable_bytes", 0), attr_get_int(d, "prunable_bytes", 0)};
	}
	if (n)
		qsort(rows, n, sizeof *rows, cmp_row);
	fprintf(fp, "%-28s %7s %10s %10s %10s\n", "distribution", "modules",
		"used", "kept", "prunable");
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%-28s %7lld %10s %10s %10s\n", rows[i].name,
			rows[i].nmods, human_bytes(rows[i].used, b1, sizeof b1),
			human_bytes(rows[i].reach, b2, sizeof b2),
			human_bytes(rows[i].prunable, b3, sizeof b3));
	free(rows);
}

/* The summary, from the graph's totals only: totals.python per
 * distribution and by confidence, totals.pydeps per root. */
static void print_summary(const struct graph *g, FILE *fp, bool include_likely)
{
	char b1[16], b2[16];
	const json_t *py = json_object_get(g->totals, "python");
	print_dists(py, fp);
	json_t *t = json_object_get(g->totals, "pydeps");
	json_t *roots = json_object_get(t, "roots");
	for (size_t i = 0; i < json_array_size(roots); i++) {
		json_t *r = json_array_get(roots, i);
		long long by = attr_get_int(r, "bytes", 0);
		long long pr = attr_get_int(r, "prunable_bytes", 0);
		const char *path = attr_get_str(r, "path");
		fprintf(fp, "root %s: %s of %s prunable (%.1f%%)\n", path ? path : "?", human_bytes(pr, b1, sizeof b1),
			human_bytes(by, b2, sizeof b2), by ? 100.0 * pr / by : 0.0);
	}
	long long tb = attr_get_int(t, "total_bytes", 0);
	long long pb = attr_get_int(t, "prunable_bytes", 0);
	const json_t *pc = json_object_get(py, "prunable_bytes_by_confidence");
	fprintf(fp, "total: %s of %s prunable (%.1f%%)\n",
		human_bytes(pb, b1, sizeof b1), human_bytes(tb, b2, sizeof b2),
		tb ? 100.0 * pb / tb : 0.0);
	fprintf(fp, "  proven: %s: no traced run loaded it and no kept module imports it, "
		"names it in a string or loads it by entry point (what --prune-list writes)\n",
		human_bytes(attr_get_int(pc, "proven", 0), b1, sizeof b1));
	fprintf(fp, "  likely: %s: evidence incomplete (a computed import in its package, "
		"a native library or data no recorded run loaded or opened); %s\n",
		human_bytes(attr_get_int(pc, "likely", 0), b2, sizeof b2),
		include_likely ? "--include likely: in the prune list too"
			       : "not in the prune list unless --include likely");
}

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* every path of every proven prunable-module finding (and likely ones
 * with --include likely), sorted, one per line */
static int write_prune_list(const struct graph *g, const char *path,
			    bool include_likely, struct diag *d)
{
	const char **v = NULL;
	size_t n = 0, cap = 0;
	for (size_t i = 0; i < g->nfindings; i++) {
		const struct gfinding *f = &g->findings[i];
		if (strcmp(f->kind, "prunable-module") ||
		    (strcmp(f->confidence, "proven") &&
		     !(include_likely && !strcmp(f->confidence, "likely"))))
			continue;
		json_t *paths = json_object_get(f->attrs, "paths");
		for (size_t k = 0; k < json_array_size(paths); k++) {
			GROW(v, cap, n + 1);
			v[n++] = json_string_value(json_array_get(paths, k));
		}
	}
	if (n)   /* qsort(NULL, 0) is UB */
		qsort(v, n, sizeof *v, cmp_cstr);
	struct ofile o;
	FILE *fp = ofile_open(&o, path, d);
	if (!fp) {
		free(v);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (v[i] && (i == 0 || strcmp(v[i], v[i - 1])))
			fprintf(fp, "%s\n", v[i]);
	free(v);
	return ofile_commit(&o, d);
}

static void push(const char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = s;
}

/* the prune list, then the summary (or JSON with --json) to stdout or
 * -o FILE atomically; each file written is named on stderr */
static int emit(const struct graph *g, const struct pydeps_cli *o)
{
	struct diag d = {0};
	int rc = 0;
	if (o->prune) {
		if (write_prune_list(g, o->prune, o->include_likely, &d))
			rc = cli_diag(&d);
		else
			cli_wrote(o->prune);
	}
	const char *out = o->out ? o->out : "-";
	if (o->json) {
		if (cli_write_json(g, out, &d))
			return cli_diag(&d);
		cli_wrote(out);
		return rc;
	}
	struct ofile of;
	FILE *fp = ofile_open(&of, out, &d);
	if (!fp)
		return cli_diag(&d);
	print_summary(g, fp, o->include_likely);
	if (ofile_commit(&of, &d))
		return cli_diag(&d);
	cli_wrote(out);
	return rc;
}

/* argv into o; 0, or the command's exit code (after --help or an error) */
static int parse(struct pydeps_cli *o, int argc, char **argv)
{
	const struct cli_spec *sp = &cmd_pydeps_spec;
	int c;
	while ((c = cli_next_opt(sp, argc, argv)) >= 0) {
		switch (c) {
		case O_TRACE: push(&o->py.traces, &o->py.ntraces, optarg); break;
		case O_ROOT: push(&o->py.roots, &o->py.nroots, optarg); break;
		case O_JSON: o->json = true; break;
		case 'o': o->out = optarg; break;
		case O_PRUNE: o->prune = optarg; break;
		case O_THREADS: o->py.threads = atoi(optarg);
			if (o->py.threads <= 0 || o->py.threads > 64)
				return cli_usage_error(sp, "--threads takes 1 to 64");
			break;
		case O_NOELF: o->py.no_elf = true; break;
		case O_NOAUTO: o->py.no_auto_roots = true; break;
		case O_PERF: o->perf = true; break;
		case O_SCANALL: o->py.scan_all = true; break;
		case O_PRUNEDATA: o->py.prune_data = true; break;
		case O_INCLUDE:
			if (strcmp(optarg, "likely") && strcmp(optarg, "proven"))
				return cli_usage_error(sp, "--include takes likely (proven is always included), not %s", optarg);
			o->include_likely |= !strcmp(optarg, "likely");
			break;
		case O_SCRIPT: push(&o->py.scripts, &o->py.nscripts, optarg); break;
		}
	}
	if (c != CLI_OPT_END)
		return cli_opt_exit(c) ? EXIT_USAGE : -1;
	for (int i = optind; i < argc; i++)
		push(&o->py.traces, &o->py.ntraces, argv[i]);
	if (!o->py.ntraces && !o->py.nroots && !o->py.nscripts)
		return cli_usage_error(sp, "no trace, --root or --script");
	for (size_t i = 0; i < o->py.nroots + o->py.nscripts; i++) {
		const char *p = i < o->py.nroots ? o->py.roots[i] : o->py.scripts[i - o->py.nroots];
		if (access(p, F_OK))
			return cli_error("%s: %s", p, strerror(errno));
	}
	return 0;
}

int cmd_pydeps(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "record"))
		return cmd_record(argc - 1, argv + 1);
	struct pydeps_cli o = {0};
	int rc = parse(&o, argc, argv);
	if (rc)
		goto out;

	/* the pipeline with the Python inputs only: extension modules'
	 * closures through its one ELF context (unbound: their libraries,
	 * not the bindings, are this command's question) */
	struct pipeline_opts po = {.py = o.py, .no_gpu = true};
	po.elf.no_bind = true;
	struct graph g;
	struct diag_list w = {0}, errs = {0};
	graph_init(&g);
	double t0 = now_seconds();
	if (pipeline_build(&g, &po, NULL, 0, &w, &errs))
		rc = EXIT_USAGE;
	if (o.perf)
		fprintf(stderr, "slim: perf: pydeps %8.3f s\n", now_seconds() - t0);
	cli_print_errors(&errs);
	diag_list_print(&w, stderr);
	if (!rc)
		rc = emit(&g, &o);
	diag_list_free(&errs);
	diag_list_free(&w);
	graph_free(&g);
out:
	free(o.py.traces);
	free(o.py.roots);
	free(o.py.scripts);
	return rc < 0 ? EXIT_OK : rc;   /* -1: --help printed */
}
