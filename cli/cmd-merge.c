/*
 * cmd-merge.c - `slim merge A.json B.json... -o ALL.json`: one report from
 * per-artifact reports made apart (one build step per artifact, in
 * parallel), joined by graph_merge() (graph/merge.c) so nothing is
 * counted twice.  Reports only: an input that is not slim-report/1 JSON is
 * an error, as a corrupt one is; the joined report is written only when
 * every input merged.
 */
#include "cli.h"
#include "opts.h"
#include "../common/diag.h"
#include "../common/mfile.h"
#include "../graph/merge.h"

#include <getopt.h>
#include <stdlib.h>

static const struct cli_opt opts[] = {
	{'o', "output", "FILE", "where to write the joined report (atomically;\n"
				"default: stdout)"},
	{0},
};

const struct cli_spec cmd_merge_spec = {
	"merge", "[options] REPORT... [-o OUT.json]",
	"Join slim-report/1 reports (each from `slim report --json` over one\n"
	"artifact) into one report: a node id, an edge, a finding or an input\n"
	"that several reports hold is counted once, and the totals are computed\n"
	"again over the joined graph.  Two reports that give one node id another\n"
	"kind or size are an error naming both.  Reports of several deployables\n"
	"(directories, archives, images) are joined as one tree whose top-level\n"
	"directories are the deployables: each one's ids go under its name\n"
	"(`lib:NAME/usr/lib/libz.so.1`, NAME its root's last component).\n",
	opts, NULL,
};

/* one report into m: read, then planned (plan) or joined */
static int merge_one(struct graph_merger *m, const char *path, bool plan,
		     struct diag_list *w, struct diag *d)
{
	struct mfile mf;
	struct graph src;
	if (mfile_open(&mf, path, d))
		return -1;
	graph_init(&src);
	int rc = graph_read_json(&src, (const char *)mf.p, mf.n, path, d);
	if (!rc)
		rc = plan ? graph_merge_plan(m, &src, path, d)
			  : graph_merge(m, &src, path, w, d);
	graph_free(&src);
	mfile_close(&mf);
	return rc;
}

int cmd_merge(int argc, char **argv)
{
	const char *out = "-";
	int c;
	while ((c = cli_next_opt(&cmd_merge_spec, argc, argv)) >= 0)
		if (c == 'o')
			out = optarg;
	if (c != CLI_OPT_END)
		return cli_finish(cli_opt_exit(c));
	if (optind >= argc)
		return cli_usage_error(&cmd_merge_spec, "no report to merge");

	struct graph g;
	struct graph_merger m;
	struct diag d = {0};
	struct diag_list w = {0};
	int rc = EXIT_OK;
	graph_init(&g);
	graph_merge_init(&m, &g);
	/* two passes: which reports are deployables decides every id (the
	 * plan), then the join */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = optind; i < argc && rc == EXIT_OK; i++)
			if (merge_one(&m, argv[i], !pass, &w, &d))
				rc = cli_diag(&d);
		if (!pass && rc == EXIT_OK)
			graph_merge_plan_done(&m);
	}
	if (rc == EXIT_OK)
		graph_merge_finish(&m);
	diag_list_print(&w, stderr);
	if (rc == EXIT_OK && cli_write_json(&g, out, &d))
		rc = cli_diag(&d);
	graph_merge_done(&m);
	diag_list_free(&w);
	graph_free(&g);
	return cli_finish(rc);
}
