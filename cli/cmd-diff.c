/*
 * cmd-diff.c - `slim diff OLD NEW`: nodes and edges added and removed, bytes
 * grown per node and per kind, findings new and gone (graph/diff.c).
 */
#include "graph-cli.h"
#include "opts.h"
#include "../common/util.h"
#include "../graph/diff.h"

#include <getopt.h>
#include <stdlib.h>

enum { O_JSON = CLI_O_FIRST, O_MD, O_LIMIT, O_PERF };

static const struct cli_opt opts[] = {
	{O_JSON, "json", NULL, "slim-diff/1 JSON (every change, no limit)"},
	{O_MD, "markdown", NULL, "markdown for a pull-request comment"},
	{O_LIMIT, "limit", "N", "rows per list in text/markdown (default 0 = all)"},
	{'o', "output", "FILE", "write to FILE (atomically) instead of stdout"},
	{O_PERF, "perf", NULL, "time loading, diffing and formatting on stderr"},
	{0},
};

const struct cli_spec cmd_diff_spec = {
	"diff", "[options] OLD NEW",
	"Compare two reports (or any two files slim analyzes): nodes and edges\n"
	"added and removed, bytes per node and per kind, findings new and gone.\n"
	"The same inputs always give byte-identical output.\n",
	opts, NULL,
};

int cmd_diff(int argc, char **argv)
{
	int c, fmt = 0;
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
		}
	}
	if (c != CLI_OPT_END)
		return cli_opt_exit(c);
	if (argc - optind != 2)
		return cli_usage_error(&cmd_diff_spec, argc - optind < 2 ? "needs OLD and NEW" :
				       "too many operands: OLD NEW");

	struct graph old, new;
	struct diag d = {0};
	struct buf b = BUF_INIT;
	int rc = EXIT_OK;
	double t0 = now_seconds(), t1, t2;
	graph_init(&old);
	graph_init(&new);
	if (cli_load_graph(&old, argv[optind], &d) ||
	    cli_load_graph(&new, argv[optind + 1], &d)) {
		rc = cli_diag(&d);
		goto out;
	}
	struct gdiff df;
	t1 = now_seconds();
	diff_graphs(&df, &old, &new);
	t2 = now_seconds();
	if (fmt == 1) {
		json_t *doc = diff_to_json(&df);
		char *s = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		buf_puts(&b, s);
		buf_putc(&b, '\n');
		free(s);
		json_decref(doc);
	} else if (fmt == 2) {
		diff_format_markdown(&df, &b, (size_t)limit);
	} else {
		diff_format_text(&df, &b, (size_t)limit);
	}
	diff_free(&df);
	if (cli_emit(out, &b, &d))
		rc = cli_diag(&d);
	if (perf)
		fprintf(stderr, "slim: diff: perf: load %.3f s, diff %.3f s, format+write %.3f s, "
			"nodes %zu + %zu\n", t1 - t0, t2 - t1, now_seconds() - t2,
			old.nnodes, new.nnodes);
out:
	buf_free(&b);
	graph_free(&old);
	graph_free(&new);
	return cli_finish(rc);
}
