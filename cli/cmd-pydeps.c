/*
 * cmd-pydeps.c - `slim pydeps`: which Python modules a workload uses,
 * which are only reachable, which can be deleted; and `slim pydeps record`,
 * which runs a workload and writes its trace (modules imported, files
 * opened) for the first form.
 *
 * The recorder is a few lines of Python passed with -c: a PEP 578 audit
 * hook collects "open" and "ctypes.dlopen" events, an atexit handler adds
 * the files mapped in /proc/self/maps (every shared object loaded, by
 * import, ctypes or DT_NEEDED) and writes sys.modules (name and __file__),
 * the opened paths and the loaded ones as "# slim-pytrace/1" (format in
 * pydeps/trace.c), written to a temporary name and renamed.  The script
 * runs with exec() (a -m module through runpy), so the recorder adds almost
 * no imports of its own to the trace.  runpy runs a -m module under the
 * name __main__ and takes it out of sys.modules again, so the recorder
 * writes that module's real name and file itself.
 */
#include "../common/memlimit.h"
#include "cli.h"
#include "../common/ofile.h"
#include "../common/util.h"
#include "../pipeline/pipeline.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char usage[] =
	"usage: slim pydeps [options] --trace T... [--root DIR...]\n"
	"       slim pydeps record [-o OUT] -- PYTHON [PYOPTS] SCRIPT|-m MOD [ARGS...]\n"
	"\n"
	"Tell which Python modules the traced workloads used, which are only\n"
	"reachable by static imports, and which can be deleted, with the bytes\n"
	"each saves.\n"
	"\n"
	"  --trace T            import trace: `python -X importtime` stderr,\n"
	"                       `python -v` stderr, a list of module names, or\n"
	"                       `slim pydeps record` output (repeatable; also\n"
	"                       positional)\n"
	"  --root DIR           module tree: the standard library, site-packages,\n"
	"                       a zip or wheel (repeatable); DIR/lib-dynload and\n"
	"                       DIR/site-packages join as roots of their own;\n"
	"                       without --root, the installation trees the\n"
	"                       trace's module files lie in (record and -v\n"
	"                       traces name files; importtime traces need --root)\n"
	"  --script FILE        the workload's entry script: used, and its imports\n"
	"                       scanned (record traces name it themselves; give\n"
	"                       it for -X importtime / -v traces); without a\n"
	"                       trace, modulefinder's run_script() question\n"
	"  --json               write the slim-report/1 JSON\n"
	"  -o, --output FILE    write the summary or JSON to FILE (atomically)\n"
	"  --prune-list FILE    write the absolute paths safe to delete, one per line:\n"
	"                       the proven findings only (nothing traced loads,\n"
	"                       imports or names them)\n"
	"  --include likely     --prune-list also writes the likely findings\n"
	"                       (evidence incomplete: a computed import in the\n"
	"                       package; with a `record` trace, native libraries\n"
	"                       of kept packages that no run loaded and nothing\n"
	"                       names; with --prune-data, data no run opened)\n"
	"  --threads N          scan threads (default: the CPUs, at most 8)\n"
	"  --prune-data         with a `record` trace: also data files of kept\n"
	"                       packages that no recorded run opened (likely:\n"
	"                       listed only with --include likely)\n"
	"  --scan-all           scan every source (default: those the closure reaches)\n"
	"  --no-elf             do not analyze extension modules' libraries\n"
	"  --no-auto-roots      only the roots given\n"
	"  --perf               time the analysis on stderr\n"
	"  -h, --help           this help\n"
	"\n"
	"record: run the workload (PYTHON is e.g. /usr/bin/python3) and write the\n"
	"modules it imported, the files it opened and the shared objects it\n"
	"loaded (ctypes.dlopen, /proc/self/maps at exit) to OUT (default\n"
	"slim-pytrace.txt); exits with the workload's status.\n"
	"Recipe without the recorder: `python3 -X importtime app.py 2> trace.txt`,\n"
	"then `slim pydeps --trace trace.txt --script app.py --root ...`.\n";

static const char recorder[] =
	"import sys\n"
	"def _slim_rec():\n"
	" import os\n"
	" out = os.environ['SLIM_PYTRACE_OUT']\n"
	" seen = {}\n"
	" loads = {}\n"
	" def hook(ev, args):\n"
	"  if ev == 'open' and isinstance(args[0], (str, bytes)):\n"
	"   seen.setdefault(args[0], None)\n"
	"  elif ev == 'ctypes.dlopen' and isinstance(args[0], (str, bytes)):\n"
	"   loads.setdefault(os.fsdecode(args[0]), None)\n"
	" sys.addaudithook(hook)\n"
	" def dump():\n"
	"  try:\n"
	"   with open('/proc/self/maps', errors='surrogateescape') as m:\n"
	"    for l in m:\n"
	"     l = l.rstrip('\\n').split(None, 5)\n"
	"     if len(l) == 6 and l[5].startswith('/'):\n"
	"      loads.setdefault(l[5], None)\n"
	"  except OSError:\n"
	"   pass\n"
	"  tmp = out + '.tmp'\n"
	"  with open(tmp, 'w', encoding='utf-8', errors='surrogateescape') as f:\n"
	"   f.write('# slim-pytrace/1\\n')\n"
	"   for n, m in sorted(list(sys.modules.items())):\n"
	"    fp = getattr(m, '__file__', None)\n"
	"    fp = fp if isinstance(fp, str) else ''\n"
	"    f.write('module\\t%s\\t%s\\n' % (n, fp.replace('\\n', ' ')))\n"
	"   for n, fp in _slim_extra:\n"
	"    f.write('module\\t%s\\t%s\\n' % (n, fp))\n"
	"   for p in list(seen):\n"
	"    p = os.fsdecode(p)\n"
	"    if p != tmp and '\\n' not in p:\n"
	"     f.write('open\\t%s\\n' % os.path.abspath(p))\n"
	"   for p in list(loads):\n"
	"    if '/' in p and '\\n' not in p:\n"
	"     f.write('load\\t%s\\n' % os.path.abspath(p))\n"
	"  os.replace(tmp, out)\n"
	" import atexit\n"
	" atexit.register(dump)\n"
	"_slim_extra = []\n"
	"_slim_rec()\n"
	"del _slim_rec\n"
	"del sys.argv[0]\n"
	"if sys.argv and sys.argv[0] == '-m':\n"
	" import runpy, importlib.util\n"
	" del sys.argv[0]\n"
	" _n = sys.argv[0]\n"
	" _s = importlib.util.find_spec(_n)\n"
	" if _s is not None and _s.submodule_search_locations is not None:\n"
	"  _slim_extra.append((_n, _s.origin or ''))\n"
	"  _n += '.__main__'\n"
	"  _s = importlib.util.find_spec(_n)\n"
	" if _s is not None and _s.origin:\n"
	"  sys.modules['__main__'].__file__ = _s.origin\n"
	"  _slim_extra.append((_n, _s.origin))\n"
	" runpy.run_module(sys.argv[0], run_name='__main__', alter_sys=True)\n"
	"else:\n"
	" import os as _os\n"
	" _p = sys.argv[0]\n"
	" sys.path[0] = _os.path.dirname(_os.path.abspath(_p))\n"
	" with open(_p, 'rb') as _f:\n"
	"  _c = compile(_f.read(), _p, 'exec')\n"
	" _g = {'__name__': '__main__', '__file__': _p, '__builtins__': __builtins__}\n"
	" sys.modules['__main__'].__file__ = _os.path.abspath(_p)\n"
	" del _os, _p, _f\n"
	" exec(_c, _g)\n";

/* python options that take a value (python3 --help) */
static bool takes_value(const char *a)
{
	return !strcmp(a, "-X") || !strcmp(a, "-W") ||
	       !strcmp(a, "--check-hash-based-pycs");
}

static int cmd_record(int argc, char **argv)
{
	const char *out = "slim-pytrace.txt";
	int i = 1;
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return cli_usage(usage, false);
		else
			break;
	}
	if (i >= argc || strcmp(argv[i], "--") || i + 2 >= argc)
		return cli_usage(usage, true);
	char **py = argv + i + 1;
	int npy = argc - i - 1, k = 1;
	while (k < npy && py[k][0] == '-' && strcmp(py[k], "-m")) {
		if (!strcmp(py[k], "-c") || !strcmp(py[k], "-"))
			return cli_error("pydeps record: give a script or -m MODULE, not %s", py[k]);
		k += takes_value(py[k]) && k + 1 < npy ? 2 : 1;
	}
	if (k >= npy)
		return cli_error("pydeps record: no script to run after %s", py[0]);
	char **av = xcalloc(npy + 3, sizeof *av);
	memcpy(av, py, k * sizeof *av);
	av[k] = "-c";
	av[k + 1] = (char *)recorder;
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

static struct distrow *row_for(struct distrow **v, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].name, name))
			return &(*v)[i];
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[*n] = (struct distrow){.name = name};
	return &(*v)[(*n)++];
}

static uint64_t likely_bytes(const struct graph *g)
{
	uint64_t b = 0;
	for (size_t i = 0; i < g->nfindings; i++)
		if (!strcmp(g->findings[i].kind, "prunable-module") &&
		    !strcmp(g->findings[i].confidence, "likely"))
			b += g->findings[i].bytes;
	return b;
}

static void print_summary(const struct graph *g, FILE *fp, bool include_likely)
{
	struct distrow *rows = NULL;
	size_t nrows = 0;
	char b1[16], b2[16], b3[16];
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct gnode *n = g->nodes[i];
		if (strcmp(n->kind, "module"))
			continue;
		const char *d = attr_get_str(n->attrs, "distribution");
		const char *c = attr_get_str(n->attrs, "classification");
		long long by = attr_get_int(n->attrs, "bytes", 0);
		struct distrow *r = row_for(&rows, &nrows, d ? d : "?");
		r->nmods++;
		if (json_is_true(json_object_get(n->attrs, "prunable")))
			r->prunable += by;
		else if (c && !strcmp(c, "used"))
			r->used += by;
		else
			r->reach += by;
	}
	for (size_t i = 0; i < g->nnodes; i++) {
		const struct gnode *n = g->nodes[i];
		if (!strcmp(n->kind, "distribution") &&
		    json_is_false(json_object_get(n->attrs, "kept")))
			row_for(&rows, &nrows, n->name)->prunable +=
				attr_get_int(n->attrs, "metadata_bytes", 0);
	}
	if (nrows)
		qsort(rows, nrows, sizeof *rows, cmp_row);
	fprintf(fp, "%-28s %7s %10s %10s %10s\n", "distribution", "modules",
		"used", "kept", "prunable");
	for (size_t i = 0; i < nrows; i++)
		fprintf(fp, "%-28s %7lld %10s %10s %10s\n", rows[i].name,
			rows[i].nmods, human_bytes(rows[i].used, b1, sizeof b1),
			human_bytes(rows[i].reach, b2, sizeof b2),
			human_bytes(rows[i].prunable, b3, sizeof b3));
	free(rows);
	json_t *t = json_object_get(g->totals, "pydeps");
	json_t *roots = json_object_get(t, "roots");
	for (size_t i = 0; i < json_array_size(roots); i++) {
		json_t *r = json_array_get(roots, i);
		long long by = attr_get_int(r, "bytes", 0);
		long long pr = attr_get_int(r, "prunable_bytes", 0);
		fprintf(fp, "root %s: %s of %s prunable (%.1f%%)\n",
			attr_get_str(r, "path"), human_bytes(pr, b1, sizeof b1),
			human_bytes(by, b2, sizeof b2), by ? 100.0 * pr / by : 0.0);
	}
	long long tb = attr_get_int(t, "total_bytes", 0);
	long long pb = attr_get_int(t, "prunable_bytes", 0);
	uint64_t proven = graph_proven_bytes(g, "prunable-module");
	fprintf(fp, "total: %s of %s prunable (%.1f%%)\n",
		human_bytes(pb, b1, sizeof b1), human_bytes(tb, b2, sizeof b2),
		tb ? 100.0 * pb / tb : 0.0);
	fprintf(fp, "  proven: %s: no traced run loaded it and no kept module imports it, "
		"names it in a string or loads it by entry point (what --prune-list writes)\n",
		human_bytes(proven, b1, sizeof b1));
	fprintf(fp, "  likely: %s: evidence incomplete (a computed import in its package, "
		"a native library or data no recorded run loaded or opened); %s\n",
		human_bytes(likely_bytes(g), b2, sizeof b2),
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

static int emit(const struct graph *g, const struct pydeps_cli *o)
{
	struct diag d = {0};
	int rc = 0;
	if (o->prune && write_prune_list(g, o->prune, o->include_likely, &d))
		rc = cli_diag(&d);
	if (o->json) {
		if (cli_write_json(g, o->out ? o->out : "-", &d))
			rc = cli_diag(&d);
		return rc;
	}
	struct ofile of;
	FILE *fp = ofile_open(&of, o->out ? o->out : "-", &d);
	if (!fp)
		return cli_diag(&d);
	print_summary(g, fp, o->include_likely);
	if (ofile_commit(&of, &d))
		rc = cli_diag(&d);
	return rc;
}

int cmd_pydeps(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "record"))
		return cmd_record(argc - 1, argv + 1);
	enum { O_TRACE = 256, O_ROOT, O_JSON, O_PRUNE, O_THREADS, O_NOELF,
	       O_NOAUTO, O_PERF, O_SCRIPT, O_SCANALL, O_PRUNEDATA, O_INCLUDE };
	static const struct option opts[] = {
		{"trace", required_argument, 0, O_TRACE},
		{"root", required_argument, 0, O_ROOT},
		{"json", no_argument, 0, O_JSON},
		{"output", required_argument, 0, 'o'},
		{"prune-list", required_argument, 0, O_PRUNE},
		{"threads", required_argument, 0, O_THREADS},
		{"no-elf", no_argument, 0, O_NOELF},
		{"no-auto-roots", no_argument, 0, O_NOAUTO},
		{"perf", no_argument, 0, O_PERF},
		{"script", required_argument, 0, O_SCRIPT},
		{"scan-all", no_argument, 0, O_SCANALL},
		{"prune-data", no_argument, 0, O_PRUNEDATA},
		{"include", required_argument, 0, O_INCLUDE},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	struct pydeps_cli o = {0};
	int c, rc = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case O_TRACE: push(&o.py.traces, &o.py.ntraces, optarg); break;
		case O_ROOT: push(&o.py.roots, &o.py.nroots, optarg); break;
		case O_JSON: o.json = true; break;
		case 'o': o.out = optarg; break;
		case O_PRUNE: o.prune = optarg; break;
		case O_THREADS: o.py.threads = atoi(optarg);
			if (o.py.threads <= 0 || o.py.threads > 64) {
				rc = cli_error("pydeps: --threads takes 1 to 64");
				goto out;
			}
			break;
		case O_NOELF: o.py.no_elf = true; break;
		case O_NOAUTO: o.py.no_auto_roots = true; break;
		case O_PERF: o.perf = true; break;
		case O_SCANALL: o.py.scan_all = true; break;
		case O_PRUNEDATA: o.py.prune_data = true; break;
		case O_INCLUDE:
			if (strcmp(optarg, "likely") && strcmp(optarg, "proven")) {
				rc = cli_error("pydeps: --include takes likely (proven is always included), not %s", optarg);
				goto out;
			}
			o.include_likely |= !strcmp(optarg, "likely");
			break;
		case O_SCRIPT: push(&o.py.scripts, &o.py.nscripts, optarg); break;
		case 'h': rc = cli_usage(usage, false); goto out;
		default: rc = cli_usage(usage, true); goto out;
		}
	}
	for (int i = optind; i < argc; i++)
		push(&o.py.traces, &o.py.ntraces, argv[i]);
	if (!o.py.ntraces && !o.py.nroots && !o.py.nscripts) {
		rc = cli_usage(usage, true);
		goto out;
	}
	for (size_t i = 0; i < o.py.nroots + o.py.nscripts; i++) {
		const char *p = i < o.py.nroots ? o.py.roots[i] : o.py.scripts[i - o.py.nroots];
		if (access(p, F_OK)) {
			rc = cli_error("%s: %s", p, strerror(errno));
			goto out;
		}
	}

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
	return rc;
}
