/*
 * cmd-gate.c - `slim gate --baseline B IN [--policy P]`: the CI check on
 * dependency growth.  Pipeline: load baseline, current and policy -> trim
 * both graphs the way `slim baseline` does (so a trimmed baseline compares
 * with a full report) -> diff -> gate_check -> markdown summary to stdout,
 * --summary FILE and $GITHUB_STEP_SUMMARY -> exit 0 pass, 1 violated,
 * 2 usage or input error (a gate never passes on input it could not read).
 */
#include "graph-cli.h"
#include "opts.h"
#include "../common/mfile.h"
#include "../common/ofile.h"
#include "../graph/gate.h"
#include "../graph/subgraph.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { O_BASE = CLI_O_FIRST, O_POL, O_SUM, O_TODAY };

static const struct cli_opt opts[] = {
	{O_BASE, "baseline", "B", "the baseline (from `slim baseline`, or any report)"},
	{O_POL, "policy", "P", "thresholds and allow list (slim-policy/1 JSON)"},
	{O_SUM, "summary", "FILE", "also write the summary to FILE"},
	{O_TODAY, "today", "YYYY-MM-DD", "the date allow-list expiry is checked against\n"
					 "(default: today, UTC)"},
	{'q', "quiet", NULL, "print only the verdict line"},
	{0},
};

const struct cli_spec cmd_gate_spec = {
	"gate", "--baseline B [options] IN",
	"Fail (exit 1) when IN grew past the policy relative to the baseline B:\n"
	"new libraries (any, with no policy), new nodes per kind, total and\n"
	"per-node bytes.  Prints a markdown summary for a pull-request comment.\n"
	"Exit 0: passed, 1: violated, 2: usage or input error.\n",
	opts,
	"When $GITHUB_STEP_SUMMARY is set the summary is appended to that file.\n",
};

struct gate_cli {
	const char *baseline, *policy, *summary;
	char today[16];
	bool quiet;
};

static int parse(struct gate_cli *o, int argc, char **argv)
{
	int c;
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(o->today, sizeof o->today, "%Y-%m-%d", &tm);
	while ((c = cli_next_opt(&cmd_gate_spec, argc, argv)) >= 0) {
		switch (c) {
		case O_BASE: o->baseline = optarg; break;
		case O_POL: o->policy = optarg; break;
		case O_SUM: o->summary = optarg; break;
		case O_TODAY:
			if (!gate_date_ok(optarg))
				return cli_usage_error(&cmd_gate_spec, "--today '%s' is not a date YYYY-MM-DD", optarg);
			snprintf(o->today, sizeof o->today, "%s", optarg);
			break;
		case 'q': o->quiet = true; break;
		}
	}
	if (c == CLI_OPT_HELP)
		exit(cli_finish(EXIT_OK));
	if (c != CLI_OPT_END)
		return cli_opt_exit(c);
	if (!o->baseline)
		return cli_usage_error(&cmd_gate_spec, "no baseline: --baseline B");
	if (argc - optind != 1)
		return cli_usage_error(&cmd_gate_spec, argc == optind ? "no input" : "one input only");
	return 0;
}

static int load_policy(struct gate_policy *p, const char *path, struct diag *d)
{
	gate_policy_default(p);
	if (!path)
		return 0;
	struct mfile mf;
	if (mfile_open(&mf, path, d))
		return -1;
	int rc = gate_policy_parse(p, (const char *)mf.p, mf.n, path, d);
	mfile_close(&mf);
	return rc;
}

/* Append to $GITHUB_STEP_SUMMARY: a file the runner owns, so no rename. */
static int step_summary(const struct buf *b, struct diag *d)
{
	const char *p = getenv("GITHUB_STEP_SUMMARY");
	if (!p || !*p)
		return 0;
	FILE *fp = fopen(p, "a");
	if (!fp)
		return diag_err(d, p, "cannot open: %s", strerror(errno));
	size_t w = fwrite(b->p, 1, b->len, fp);
	if (fclose(fp) || w != b->len)
		return diag_err(d, p, "write failed");
	return 0;
}

static int verdict(struct gate_cli *o, struct graph *base, struct graph *cur,
		   const char *in, struct gate_policy *pol, struct diag *d)
{
	struct graph tb, tc;
	struct gdiff df;
	struct gate_result r;
	struct why_bfs w;
	struct buf b = BUF_INIT;
	graph_init(&tb);
	graph_init(&tc);
	subgraph_baseline(base, &tb);
	subgraph_baseline(cur, &tc);
	diff_graphs(&df, &tb, &tc);
	gate_check(pol, &df, o->today, &r);
	why_bfs_init(&w, cur);
	gate_summary(&r, &df, &w, o->baseline, in, GATE_SUMMARY_CAP, &b);
	int rc = r.n ? EXIT_GATE : EXIT_OK;
	if (o->quiet)
		printf("slim gate: %s (%zu violation%s)\n", r.n ? "FAILED" : "passed",
		       r.n, r.n == 1 ? "" : "s");
	else
		fputs(buf_cstr(&b), stdout);
	if ((o->summary && cli_emit(o->summary, &b, d)) || step_summary(&b, d))
		rc = cli_diag(d);
	buf_free(&b);
	why_bfs_free(&w);
	gate_result_free(&r);
	diff_free(&df);
	graph_free(&tb);
	graph_free(&tc);
	return rc;
}

int cmd_gate(int argc, char **argv)
{
	struct gate_cli o = {0};
	int rc = parse(&o, argc, argv);
	if (rc)
		return rc;
	const char *in = argv[optind];
	struct graph base, cur;
	struct gate_policy pol;
	struct diag d = {0};
	graph_init(&base);
	graph_init(&cur);
	if (load_policy(&pol, o.policy, &d) || cli_load_graph(&base, o.baseline, &d) ||
	    cli_load_graph(&cur, in, &d))
		rc = cli_diag(&d);
	else
		rc = verdict(&o, &base, &cur, in, &pol, &d);
	gate_policy_free(&pol);
	graph_free(&base);
	graph_free(&cur);
	return cli_finish(rc);
}
