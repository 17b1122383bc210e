/*
 * cmd-baseline.c - `slim baseline IN -o slim-baseline.json`: the report a
 * repository checks in for `slim gate`, trimmed to what the gate compares
 * (ids, kinds, sizes, edges, findings; no symbols, no attrs) so that it
 * stays small and its diffs stay readable.  Deterministic like every
 * slim-report/1 document.
 */
#include "cli.h"
#include "opts.h"
#include "../graph/subgraph.h"

#include <getopt.h>
#include <stdlib.h>

static const struct cli_opt opts[] = {
	{'o', "output", "FILE", "where to write (default slim-baseline.json;\n"
				"- for stdout), atomically"},
	{0},
};

const struct cli_spec cmd_baseline_spec = {
	"baseline", "IN [-o slim-baseline.json]",
	"Write the trimmed report of IN (a report JSON or any file slim\n"
	"analyzes) for `slim gate --baseline`.  Symbols and attrs are dropped;\n"
	"ids, kinds, sizes, edges and findings are kept.\n",
	opts, NULL,
};

int cmd_baseline(int argc, char **argv)
{
	const char *out = "slim-baseline.json";
	int c, rc = EXIT_OK;
	while ((c = cli_next_opt(&cmd_baseline_spec, argc, argv)) >= 0)
		if (c == 'o')
			out = optarg;
	if (c != CLI_OPT_END)
		return cli_opt_exit(c);
	if (argc - optind != 1)
		return cli_usage_error(&cmd_baseline_spec, argc == optind ? "no input; give a report or a file" :
				       "one input only");
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
