/*
 * cmd-elf.c - `slim elf FILE...`: one analyzer, its own detail.  The
 * dependency tree (like libtree: where each library was found and why),
 * bindings per library, unused dependencies, sizes.  `--unused` prints
 * only the verdicts, in the shape of `ldd -u -r`, for scripts and for the
 * side-by-side benchmark.
 *
 * Each file goes through the run (pipeline_run_open(), elf_merge()), the
 * one resolution context `slim report` uses, so both commands resolve and
 * name a file alike.  Text: each file's graph is checked (graph_check())
 * and printed from the graph, then dropped (a run over /usr/bin stays
 * small); --json: one graph of all files.  Either goes to stdout or, with
 * -o FILE, to FILE atomically (common/ofile.h), named on stderr.
 */
#include "cli.h"
#include "opts.h"
#include "../pipeline/pipeline.h"
#include "../common/ofile.h"
#include "../common/util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { O_UNUSED = CLI_O_FIRST, O_BIND, O_JSON, O_NOBIND };

static const struct cli_opt opts[] = {
	{O_UNUSED, "unused", NULL, "only the unused direct dependencies, like `ldd -u -r`"},
	{O_BIND, "bindings", NULL, "list, per library, how many references bind to it"},
	{O_JSON, "json", NULL, "the slim-report/1 JSON of all files"},
	{'o', "output", "FILE", "write to FILE (atomically), not stdout: the text,\n"
				"or the JSON with --json"},
	{O_NOBIND, "no-bind", NULL, "resolve the tree only; skip symbol binding"},
	CLI_ELF_OPTS,
	{0},
};

const struct cli_spec cmd_elf_spec = {
	"elf", "[options] FILE...",
	"The dependency closure of ELF executables and shared libraries, resolved\n"
	"as glibc's ld.so would, with every symbol reference bound; unused and\n"
	"unneeded libraries; sizes.  Nothing is run or loaded.\n",
	opts, NULL,
};

struct elf_cli {
	struct elf_opts eo;
	const char *out;    /* -o FILE, NULL: stdout */
	bool unused, bindings, json;
};

static void print_unused(const struct graph *g, const char *root, const char *path, FILE *fp)
{
	bool first = true;
	/* findings of one file come in DT_NEEDED order, as ldd prints them */
	for (size_t i = 0; i < g->nfindings; i++) {
		const struct gfinding *f = &g->findings[i];
		if (strcmp(f->kind, "unused-library") || !f->dependent ||
		    strcmp(f->dependent, root))
			continue;
		if (first)
			fprintf(fp, "%s:\n", path);
		first = false;
		const struct gnode *n = graph_node(g, f->node);
		const char *p = attr_get_str(n->attrs, "path");
		fprintf(fp, "\t%s\n", p ? p : n->name);
	}
}

static int parse(struct elf_cli *o, int argc, char **argv)
{
	int c;
	while ((c = cli_next_opt(&cmd_elf_spec, argc, argv)) >= 0) {
		switch (c) {
		case O_UNUSED: o->unused = true; break;
		case O_BIND: o->bindings = true; break;
		case O_JSON: o->json = true; break;
		case 'o': o->out = optarg; break;
		case O_NOBIND: o->eo.no_bind = true; break;
		default:
			if (cli_elf_opt(&cmd_elf_spec, c, &o->eo) < 0)
				return EXIT_USAGE;
		}
	}
	if (c == CLI_OPT_HELP)
		exit(cli_finish(EXIT_OK));
	if (c != CLI_OPT_END)
		return cli_opt_exit(c);
	if (optind >= argc)
		return cli_usage_error(&cmd_elf_spec, "no input file");
	return 0;
}

/* One file's text, from its own graph: checked, then printed. */
static int print_one(const struct elf_cli *o, const struct graph *g,
		     const char *root, const char *path, FILE *fp)
{
	struct diag d = {0};
	if (graph_check(g, &d))
		return cli_diag(&d);
	if (o->unused) {
		print_unused(g, root, path, fp);
	} else {
		elf_print_tree(g, root, o->bindings, fp);
		report_print_sections(graph_node(g, root), fp, 5);
	}
	return 0;
}

/* Each file through the run; its text printed as it comes (to fp), or
 * all of them merged into `all` for --json.  Returns the exit code. */
static int run_files(const struct elf_cli *o, char **files, int n,
		     struct graph *all, FILE *fp)
{
	struct diag_list w = {0};
	struct run r;
	int rc = 0;
	pipeline_run_open(&r, &o->eo, &w);
	bool progress = cli_progress_enabled() && n > 20;
	for (int i = 0; i < n; i++) {
		struct graph one, *g = o->json ? all : &one;
		struct diag_list errs = {0};
		struct input in = {.path = files[i]};
		if (progress)
			fprintf(stderr, "\rslim: %d/%d files", i + 1, n);
		if (!o->json)
			graph_init(&one);
		size_t before = g->ninputs;
		if (elf_merge(g, &in, 1, &r, &errs) || g->ninputs == before)
			rc |= cli_print_errors(&errs) | EXIT_USAGE;
		else if (!o->json)
			rc |= print_one(o, g, g->inputs[before].node, files[i], fp);
		diag_list_print(&w, stderr);
		diag_list_free(&w);
		diag_list_free(&errs);
		if (!o->json)
			graph_free(&one);
	}
	if (progress)
		fputs("\r\033[K", stderr);
	pipeline_run_close(&r, true);
	return rc;
}

int cmd_elf(int argc, char **argv)
{
	struct elf_cli o = {0};
	int rc = parse(&o, argc, argv);
	if (rc)
		return rc;
	o.eo.sizes = !o.unused;
	o.eo.bind_root_only = o.unused;   /* the question ldd -u answers */
	o.eo.hash_inputs = o.json;
	const char *path = o.out ? o.out : "-";
	bool to_file = strcmp(path, "-");
	struct diag d = {0};
	struct graph all;
	struct ofile of;
	FILE *fp = NULL;
	graph_init(&all);
	if (!o.json && !(fp = ofile_open(&of, path, &d))) {
		rc = cli_diag(&d);
		goto out;
	}
	rc = run_files(&o, argv + optind, argc - optind, &all, fp);
	if (to_file && rc) {
		/* a file is never written with an input missing (as report) */
		if (fp)
			ofile_abort(&of);
	} else if (o.json) {
		if (cli_write_json(&all, path, &d))
			rc = cli_diag(&d);
		else if (to_file)
			cli_wrote(path);
	} else if (ofile_commit(&of, &d)) {
		rc = cli_diag(&d);
	} else if (to_file) {
		cli_wrote(path);
	}
out:
	graph_free(&all);
	return cli_finish(rc);
}
