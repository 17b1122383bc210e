/*
 * cmd-graph.c - `slim graph IN -o OUT.svg|.dot|.json`: the dependency graph
 * for review.  Pipeline: load -> focus (--focus/--depth) -> collapse
 * (--collapse, or automatically above RENDER_AUTO_COLLAPSE nodes) -> render
 * (graph/dot.c through cgraph/gvc, or the slim-report/1 JSON of the drawn
 * graph).
 */
#include "graph-cli.h"
#include "opts.h"
#include "../common/util.h"
#include "../graph/render.h"
#include "../graph/subgraph.h"
#include "../graph/why.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { O_FMT = CLI_O_FIRST, O_FOCUS, O_DEPTH, O_COLL, O_COLLBY, O_NOCOLL, O_HL, O_BASE,
       O_FOLD, O_NOFOLD, O_LABELS, O_REDUCE };

static const struct cli_opt opts[] = {
	{'o', "output", "FILE", "where to write; the format follows the extension"},
	{O_FMT, "format", "F", "svg, dot, json, or html (the report page of\n"
			       "`slim report --html`; overrides the extension)"},
	{O_FOCUS, "focus", "NODE", "only nodes within --depth steps of NODE and\n"
				   "those on its why-paths from the roots"},
	{O_DEPTH, "depth", "N", "steps around --focus (default 2)"},
	{O_COLL, "collapse", NULL, "archive members into archives, modules into\n"
				   "packages, GPU entries into archs"},
	{O_COLLBY, "collapse-by", "dir|dist|package", "for deployables: group what does not fit\n"
		"by directory, Python distribution or package\n"
		"(py: top package, libraries by directory); the\n"
		"why-paths to findings stay drawn where they fit"},
	{O_NOCOLL, "no-collapse", NULL, "never collapse, however large"},
	{O_HL, "highlight", "NODE", "draw NODE and its why-paths bold (repeatable)"},
	{O_BASE, "baseline", "B", "mark nodes that B does not have as new"},
	{O_FOLD, "fold", "GLOBS", "libraries folded into one \"system\" node\n"
				  "(comma-separated globs; default libc.so.*,\n"
				  "libm.so.*,ld-linux*.so.*,libstdc++.so.*,libgcc_s.so.*)"},
	{O_NOFOLD, "no-fold", NULL, "draw every library, the system ones too"},
	{O_LABELS, "labels", NULL, "label each edge with the symbols bound"},
	{O_REDUCE, "reduce", NULL, "leave out an edge a longer path of the same\n"
				   "state already implies (transitive reduction)"},
	{0},
};

const struct cli_spec cmd_graph_spec = {
	"graph", "[options] IN -o OUT.svg|OUT.dot|OUT.json|OUT.html",
	"Draw the dependency graph of IN (a slim-report/1 JSON or any file slim\n"
	"analyzes): the roots on top, one rank per step from them, one edge per\n"
	"dependency (solid: used, dashed red: unused, dotted: reached only\n"
	"through unused edges), libc, libm, ld-linux, libstdc++ and libgcc_s\n"
	"folded into one \"system\" node, nodes colored by finding (red: unused,\n"
	"orange: prunable, blue outline: new since --baseline), labels with\n"
	"bytes, a legend of what is drawn and a title with the totals.  Above\n"
	"300 nodes the graph is collapsed (and, if still too large, only the\n"
	"300 largest nodes kept, the rest folded per kind; a deployable's by\n"
	"directory, as --collapse-by dir) unless --no-collapse.\n",
	opts, NULL,
};

struct graph_cli {
	const char *out, *format, *focus, *baseline;
	const char **hl;
	size_t nhl;
	long depth;
	bool depth_given;
	int collapse;           /* -1 never, 0 auto, 1 always */
	enum collapse_by by;    /* --collapse-by, CB_NONE if not given */
	const char *fold;
	bool no_fold, labels, reduce;
};

static const char *format_of(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot && (!strcmp(dot, ".svg") || !strcmp(dot, ".dot") || !strcmp(dot, ".json") ||
		    !strcmp(dot, ".html")))
		return dot + 1;
	if (dot && !strcmp(dot, ".gv"))
		return "dot";
	return NULL;
}

static int parse(struct graph_cli *o, int argc, char **argv)
{
	int c;
	char *end;
	while ((c = cli_next_opt(&cmd_graph_spec, argc, argv)) >= 0) {
		switch (c) {
		case 'o': o->out = optarg; break;
		case O_FMT: o->format = optarg; break;
		case O_FOCUS: o->focus = optarg; break;
		case O_DEPTH:
			o->depth_given = true;
			o->depth = strtol(optarg, &end, 10);
			if (*end || o->depth < 0 || o->depth > 1000000)
				return cli_usage_error(&cmd_graph_spec, "--depth takes a number >= 0");
			break;
		case O_COLL: o->collapse = 1; break;
		case O_COLLBY:
			if (!strcmp(optarg, "dir"))
				o->by = CB_DIR;
			else if (!strcmp(optarg, "dist"))
				o->by = CB_DIST;
			else if (!strcmp(optarg, "package"))
				o->by = CB_PACKAGE;
			else
				return cli_usage_error(&cmd_graph_spec, "--collapse-by takes dir, dist or package");
			break;
		case O_NOCOLL: o->collapse = -1; break;
		case O_HL:
			o->hl = xreallocarray(o->hl, o->nhl + 1, sizeof *o->hl);
			o->hl[o->nhl++] = optarg;
			break;
		case O_BASE: o->baseline = optarg; break;
		case O_FOLD: o->fold = optarg; break;
		case O_NOFOLD: o->no_fold = true; break;
		case O_LABELS: o->labels = true; break;
		case O_REDUCE: o->reduce = true; break;
		}
	}
	if (c == CLI_OPT_HELP)
		exit(cli_finish(EXIT_OK));
	if (c != CLI_OPT_END)
		return cli_opt_exit(c);
	if (argc - optind != 1)
		return cli_usage_error(&cmd_graph_spec, argc == optind ? "no input" : "one input only");
	if (!o->out)
		return cli_usage_error(&cmd_graph_spec, "no output: -o OUT.svg|OUT.dot|OUT.json|OUT.html");
	if (o->depth_given && !o->focus)
		return cli_usage_error(&cmd_graph_spec, "--depth needs --focus NODE");
	if (!o->format && !(o->format = format_of(o->out)))
		return cli_error("graph: cannot tell the format of '%s': use .svg, .dot or .json, or --format", o->out);
	if (strcmp(o->format, "svg") && strcmp(o->format, "dot") && strcmp(o->format, "json") &&
	    strcmp(o->format, "html"))
		return cli_error("graph: --format must be svg, dot, json or html");
	return 0;
}

/* Whether g is a deployable's: some file id is KIND:PATH (ids.h rule 2). */
static bool has_paths(const struct graph *g)
{
	for (size_t i = 0; i < g->nnodes; i++) {
		const char *id = g->nodes[i]->id;
		if ((!strncmp(id, "lib:", 4) || !strncmp(id, "exe:", 4) ||
		     !strncmp(id, "file:", 5)) && strchr(id, '/'))
			return true;
	}
	return false;
}

/* g -> *view: focus then collapse; returns the graph to draw. */
static struct graph *shape(struct graph_cli *o, struct graph *g,
			   struct graph *focused, struct graph *collapsed,
			   struct graph *capped, const char *in, struct diag *d)
{
	if (o->focus) {
		struct gnode *n = why_lookup(g, o->focus, in, d);
		if (!n)
			return NULL;
		subgraph_focus(g, focused, n, (unsigned)o->depth);
		g = focused;
	}
	if (o->by != CB_NONE && o->collapse >= 0) {
		size_t before = g->nnodes;
		subgraph_collapse_by(g, collapsed, o->by, RENDER_AUTO_COLLAPSE);
		if (collapsed->nnodes < before)
			fprintf(stderr, "slim: graph: %zu nodes, collapsed to %zu\n",
				before, collapsed->nnodes);
		g = collapsed;
		if (g->nnodes > RENDER_AUTO_COLLAPSE) {
			subgraph_cap(g, capped, RENDER_AUTO_COLLAPSE);
			g = capped;
		}
		return g;
	}
	bool auto_c = o->collapse == 0 && g->nnodes > RENDER_AUTO_COLLAPSE;
	if (o->collapse == 1 || auto_c) {
		size_t before = g->nnodes;
		subgraph_collapse(g, collapsed);
		if (auto_c && collapsed->nnodes > RENDER_AUTO_COLLAPSE &&
		    has_paths(g)) {
			/* a deployable: its directories, not the largest nodes */
			graph_free(collapsed);
			graph_init(collapsed);
			subgraph_collapse_by(g, collapsed, CB_DIR, RENDER_AUTO_COLLAPSE);
		}
		g = collapsed;
		if (g->nnodes > RENDER_AUTO_COLLAPSE) {
			/* still too many: keep the largest, fold the rest by kind */
			subgraph_cap(g, capped, RENDER_AUTO_COLLAPSE);
			g = capped;
		}
		if (auto_c || g == capped)
			fprintf(stderr, "slim: graph: %zu nodes, collapsed to %zu%s so the "
				"picture stays readable (--no-collapse draws them all)\n",
				before, g->nnodes, g == capped ? " (the largest kept, "
				"the rest folded per kind)" : "");
	}
	return g;
}

int cmd_graph(int argc, char **argv)
{
	struct graph_cli o = {.depth = 2};
	/* jansson seeds its hash tables from /dev/urandom; a fixed seed keeps
	 * every allocation, and so graphviz's address-ordered internals, the
	 * same from run to run */
	json_object_seed(1);
	int rc = parse(&o, argc, argv);
	if (rc)
		return rc;
	const char *in = argv[optind];
	struct graph g, focused, collapsed, capped, base;
	struct diag d = {0};
	struct buf b = BUF_INIT;
	graph_init(&g);
	graph_init(&focused);
	graph_init(&collapsed);
	graph_init(&capped);
	graph_init(&base);
	if (cli_load_graph(&g, in, &d) ||
	    (o.baseline && cli_load_graph(&base, o.baseline, &d))) {
		rc = cli_diag(&d);
		goto out;
	}
	for (size_t i = 0; i < o.nhl; i++) {
		struct gnode *n = why_lookup(&g, o.hl[i], in, &d);
		if (!n) {
			rc = cli_diag(&d);
			goto out;
		}
		o.hl[i] = n->id;
	}
	if (!strcmp(o.format, "html"))
		o.collapse = -1;    /* the page collapses only its own drawing */
	struct graph *view = shape(&o, &g, &focused, &collapsed, &capped, in, &d);
	if (!view) {
		rc = cli_diag(&d);
		goto out;
	}
	if (!strcmp(o.format, "html")) {
		rc = report_write_html(view, o.out, &d) ? cli_diag(&d) : EXIT_OK;
		goto out;
	}
	if (!strcmp(o.format, "json")) {
		rc = cli_write_json(view, o.out, &d) ? cli_diag(&d) : EXIT_OK;
		goto out;
	}
	struct render_opts ro = {.format = o.format, .highlight = o.hl,
				 .nhighlight = o.nhl,
				 .baseline = o.baseline ? &base : NULL,
				 .title = in, .fold = o.fold, .no_fold = o.no_fold,
				 .labels = o.labels, .reduce = o.reduce};
	if (render_graph(view, &ro, &b, &d) || cli_emit(o.out, &b, &d)) {
		if (!d.file[0])
			snprintf(d.file, sizeof d.file, "%s", o.out);
		rc = cli_diag(&d);
	}
out:
	buf_free(&b);
	free(o.hl);
	graph_free(&g);
	graph_free(&focused);
	graph_free(&collapsed);
	graph_free(&capped);
	graph_free(&base);
	return cli_finish(rc);
}
