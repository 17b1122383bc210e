/*
 * cmd-baseline.c - `slim baseline IN -o slim-baseline.json`: the report a
 * repository checks in for `slim gate`, trimmed to what the gate compares
 * (ids, kinds, sizes, edges, findings; no symbols, no attrs) so that it
 * stays small and its diffs stay readable.  Deterministic like every
 * slim-report/1 document.
 */
#include "cli.h"
#include "../graph/subgraph.h"

#include <getopt.h>
#include <stdlib.h>

static const char usage[] =
	"usage: slim baseline IN [-o slim-baseline.json]\n"
	"\n"
	"Write the trimmed report of IN (a report JSON or any file slim\n"
	"analyzes) for `slim gate --baseline`.  Symbols and attrs are dropped;\n"
	"ids, kinds, sizes, edges and findings are kept.\n"
	"\n"
	"  -o, --output FILE    where to write (default slim-baseline.json;\n"
	"                       - for stdout), atomically\n"
	"  -h, --help           this help\n";

int cmd_baseline(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, 0, 'o'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *out = "slim-baseline.json";
	int c, rc = EXIT_OK;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 'h': return cli_usage(usage, false);
		default: return cli_usage(usage, true);
		}
	}
	if (argc - optind != 1)
		return cli_usage(usage, true);
	struct graph g, t;
	struct diag d = {0};
	graph_init(&g);
	graph_init(&t);
	if (cli_load_graph(&g, argv[optind], &d)) {
		rc = cli_diag(&d);
	} else {
		subgraph_baseline(&g, &t);
		if (cli_write_json(&t, out, &d))
			rc = cli_diag(&d);
	}
	graph_free(&g);
	graph_free(&t);
	return cli_finish(rc);
}
