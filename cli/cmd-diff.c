/*
 * cmd-diff.c - `slim diff OLD NEW`: nodes and edges added and removed, bytes
 * grown per node and per kind, findings new and gone (graph/diff.c).  Two
 * builds (files or directories, anything but two report JSONs) also get
 * the byte answer beside it (issue #16, analyzers/bytediff/): which files
 * differ, why, and how many bytes each cause explains; --fail-on makes
 * that a CI check.
 */
#include "graph-cli.h"
#include "opts.h"
#include "../common/util.h"
#include "../graph/diff.h"
#include "../analyzers/bytediff/bytediff.h"
#include "../common/filetype.h"
#include "../common/mfile.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { O_JSON = CLI_O_FIRST, O_MD, O_LIMIT, O_PERF, O_FAIL_ON };

static const struct cli_opt opts[] = {
	{O_JSON, "json", NULL, "slim-diff/1 JSON (every change, no limit)"},
	{O_MD, "markdown", NULL, "markdown for a pull-request comment"},
	{O_LIMIT, "limit", "N", "rows per list in text/markdown (default 0 = all)"},
	{'o', "output", "FILE", "write to FILE (atomically) instead of stdout"},
	{O_PERF, "perf", NULL, "time loading, diffing and formatting on stderr"},
	{O_FAIL_ON, "fail-on", "WHAT", "two builds: exit 1 when bytes differ unexplained\n"
				      "(WHAT = unexplained) or at all (WHAT = any)"},
	{0},
};

const struct cli_spec cmd_diff_spec = {
	"diff", "[options] OLD NEW",
	"Compare two reports (or any two files slim analyzes): nodes and edges\n"
	"added and removed, bytes per node and per kind, findings new and gone.\n"
	"Two builds (files or directories) also get the byte answer: files paired\n"
	"by path and by content (moves), each differing file split into units\n"
	"(ELF sections, ar members and headers, .pyc and gzip headers) and each\n"
	"unit's bytes given a cause (build-id, build-path, timestamp, owner, mode,\n"
	"order, random) only when normalizing it makes both sides equal, else\n"
	"unexplained.  The same inputs always give byte-identical output.\n",
	opts, NULL,
};

/* A report JSON (today's graph diff only), or a build. */
static bool is_report(const char *path)
{
	struct mfile mf;
	struct diag d = {0};
	if (filetype_path(path) == FT_DIR || mfile_open(&mf, path, &d))
		return false;
	enum filetype ft = filetype_detect(mf.p, mf.n);
	mfile_close(&mf);
	return ft == FT_REPORT_JSON || ft == FT_JSON;
}

/* A build slim's report analyzes (a directory, ELF, archive...): it gets
 * the graph diff too; a .pyc or a text file gets the byte answer only. */
static bool graphable(const char *path)
{
	struct mfile mf;
	struct diag d = {0};
	if (filetype_path(path) == FT_DIR)
		return true;
	if (mfile_open(&mf, path, &d))
		return false;
	enum filetype ft = filetype_detect(mf.p, mf.n);
	mfile_close(&mf);
	return ft != FT_UNKNOWN && ft != FT_EMPTY;
}

static void emit_json(struct buf *b, const struct gdiff *df, const struct bd_result *r)
{
	json_t *doc = df ? diff_to_json(df) : json_pack("{s:s}", "schema", "slim-diff/1");
	if (r)
		bytediff_json_add(r, doc);
	char *s = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	buf_puts(b, s);
	buf_putc(b, '\n');
	free(s);
	json_decref(doc);
}

int cmd_diff(int argc, char **argv)
{
	int c, fmt = 0, fail_on = 0;
	bool perf = false;
	long limit = 0;
	const char *out = "-";
	char *end;
	while ((c = cli_next_opt(&cmd_diff_spec, argc, argv)) >= 0) {
		switch (c) {
		case O_JSON: fmt = 1; break;
		case O_MD: fmt = 2; break;
		case O_LIMIT:
			limit = strtol(optarg, &end, 10);
			if (*end || limit < 0)
				return cli_usage_error(&cmd_diff_spec, "--limit takes a number >= 0");
			break;
		case 'o': out = optarg; break;
		case O_PERF: perf = true; break;
		case O_FAIL_ON:
			if (!strcmp(optarg, "unexplained"))
				fail_on = 1;
			else if (!strcmp(optarg, "any"))
				fail_on = 2;
			else
				return cli_usage_error(&cmd_diff_spec, "--fail-on takes unexplained or any");
			break;
		}
	}
	if (c != CLI_OPT_END)
		return cli_opt_exit(c);
	if (argc - optind != 2)
		return cli_usage_error(&cmd_diff_spec, argc - optind < 2 ? "needs OLD and NEW" :
				       "too many operands: OLD NEW");

	const char *a = argv[optind], *bn = argv[optind + 1];
	struct graph old, new;
	struct diag d = {0};
	struct buf b = BUF_INIT;
	struct bd_result r = {0};
	struct gdiff df;
	struct diag_list errs = {0};
	int rc = EXIT_OK;
	bool builds = !is_report(a) && !is_report(bn), graphs = true, bytes = false;
	double t0 = now_seconds(), t1, t2, t3;
	graph_init(&old);
	graph_init(&new);
	if (fail_on && !builds) {
		rc = cli_usage_error(&cmd_diff_spec, "--fail-on compares two builds, not reports");
		goto out;
	}
	if (builds) {
		/* the byte answer first: it also says when the operands do
		 * not pair (a file against a directory) */
		if (bytediff_run(&r, a, bn, &errs, &d)) {
			rc = cli_diag(&d);
			goto out;
		}
		bytes = true;
		rc |= cli_print_errors(&errs);
		graphs = graphable(a) && graphable(bn);
	}
	t1 = now_seconds();
	if (graphs && (cli_load_graph(&old, a, &d) || cli_load_graph(&new, bn, &d))) {
		/* an operand the byte answer already said is broken (an
		 * image whose manifest names a missing blob) is not said
		 * twice */
		if (!builds || !errs.n)
			rc = cli_diag(&d);
		if (!builds)
			goto out;
		graphs = false;        /* the byte answer stands on its own */
	}
	t2 = now_seconds();
	if (graphs)
		diff_graphs(&df, &old, &new);
	t3 = now_seconds();
	if (fmt == 1) {
		emit_json(&b, graphs ? &df : NULL, bytes ? &r : NULL);
	} else {
		if (graphs && fmt == 2)
			diff_format_markdown(&df, &b, (size_t)limit);
		else if (graphs)
			diff_format_text(&df, &b, (size_t)limit);
		if (bytes && fmt == 2)
			bytediff_format_markdown(&r, &b, (size_t)limit);
		else if (bytes)
			bytediff_format_text(&r, &b, (size_t)limit);
	}
	if (graphs)
		diff_free(&df);
	if (cli_emit(out, &b, &d))
		rc = cli_diag(&d);
	if (perf)
		fprintf(stderr, "slim: diff: perf: bytes %.3f s, load %.3f s, diff %.3f s, "
			"format+write %.3f s, nodes %zu + %zu\n", t1 - t0, t2 - t1, t3 - t2,
			now_seconds() - t3, old.nnodes, new.nnodes);
	if (rc == EXIT_OK && bytes &&
	    ((fail_on == 1 && r.bytes_differing > r.bytes_explained) ||
	     (fail_on == 2 && (r.bytes_differing || r.nmoved))))
		rc = EXIT_GATE;
out:
	bytediff_free(&r);
	diag_list_free(&errs);
	buf_free(&b);
	graph_free(&old);
	graph_free(&new);
	return cli_finish(rc);
}
