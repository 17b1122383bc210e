/*
 * cmd-why.c - `slim why IN NODE`: every shortest path from the root to NODE,
 * each step with the evidence of its edges (graph/why.c does the work).
 */
#include "cli.h"
#include "opts.h"
#include "../graph/why.h"

#include <getopt.h>
#include <stdlib.h>

enum { O_JSON = CLI_O_FIRST, O_MAX };

static const struct cli_opt opts[] = {
	{O_MAX, "max", "N", "list at most N paths (default 10), count the rest"},
	{O_JSON, "json", NULL, "print the answer as JSON"},
	{0},
};

const struct cli_spec cmd_why_spec = {
	"why", "[options] IN NODE",
	"Print every shortest path from the root (the input's node, else the\n"
	"nodes nothing points to) to NODE, each edge with its evidence.  IN is a\n"
	"slim-report/1 JSON or any file slim analyzes; NODE is a node id\n"
	"(lib:libz.so.1) or a name that names one node (libz.so.1).\n",
	opts, NULL,
};

int cmd_why(int argc, char **argv)
{
	bool json = false;
	long max = 10;
	int c;
	char *end;
	while ((c = cli_next_opt(&cmd_why_spec, argc, argv)) >= 0) {
		switch (c) {
		case O_JSON: json = true; break;
		case O_MAX:
			max = strtol(optarg, &end, 10);
			if (*end || max <= 0 || max > 100000)
				return cli_usage_error(&cmd_why_spec, "--max takes a number from 1 to 100000");
			break;
		}
	}
	if (c != CLI_OPT_END)
		return cli_opt_exit(c);
	if (argc - optind != 2)
		return cli_usage_error(&cmd_why_spec, argc - optind < 2 ? "needs IN and NODE" :
				       "too many operands: IN NODE");
	const char *in = argv[optind], *q = argv[optind + 1];

	struct graph g;
	struct diag d = {0};
	int rc = EXIT_OK;
	graph_init(&g);
	if (cli_load_graph(&g, in, &d)) {
		rc = cli_diag(&d);
		goto out;
	}
	struct gnode *n = why_lookup(&g, q, in, &d);
	if (!n) {
		rc = cli_diag(&d);
		goto out;
	}
	struct why_bfs w;
	why_bfs_init(&w, &g);
	if (json) {
		json_t *doc = why_report_json(&w, n->idx, (size_t)max);
		json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		fputc('\n', stdout);
		json_decref(doc);
	} else {
		struct buf b = BUF_INIT;
		why_report_text(&w, n->idx, (size_t)max, &b);
		fputs(buf_cstr(&b), stdout);
		buf_free(&b);
	}
	why_bfs_free(&w);
out:
	graph_free(&g);
	return cli_finish(rc);
}
