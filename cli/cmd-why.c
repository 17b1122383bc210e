/*
 * cmd-why.c - `slim why IN NODE`: every shortest path from the root to NODE,
 * each step with the evidence of its edges (graph/why.c does the work).
 */
#include "cli.h"
#include "../graph/why.h"

#include <getopt.h>
#include <stdlib.h>

static const char usage[] =
	"usage: slim why [options] IN NODE\n"
	"\n"
	"Print every shortest path from the root (the input's node, else the\n"
	"nodes nothing points to) to NODE, each edge with its evidence.  IN is a\n"
	"slim-report/1 JSON or any file slim analyzes; NODE is a node id\n"
	"(lib:libz.so.1) or a name that names one node (libz.so.1).\n"
	"\n"
	"  --max N              list at most N paths (default 10), count the rest\n"
	"  --json               print the answer as JSON\n"
	"  -h, --help           this help\n";

int cmd_why(int argc, char **argv)
{
	enum { O_JSON = 256, O_MAX };
	static const struct option opts[] = {
		{"json", no_argument, 0, O_JSON},
		{"max", required_argument, 0, O_MAX},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	bool json = false;
	long max = 10;
	int c;
	char *end;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON: json = true; break;
		case O_MAX:
			max = strtol(optarg, &end, 10);
			if (*end || max <= 0 || max > 100000)
				return cli_error("why: --max takes a number from 1 to 100000");
			break;
		case 'h': return cli_usage(usage, false);
		default: return cli_usage(usage, true);
		}
	}
	if (argc - optind != 2)
		return cli_usage(usage, true);
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
