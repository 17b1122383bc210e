/* cli.c - helpers every subcommand shares; see cli.h. */
#include "cli.h"
#include "../common/filetype.h"
#include "../common/mfile.h"
#include "../common/ofile.h"
#include "../pipeline/pipeline.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

int cli_usage(const char *usage, bool error)
{
	fputs(usage, error ? stderr : stdout);
	return error ? EXIT_USAGE : EXIT_OK;
}

int cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("slim: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

int cli_diag(const struct diag *d)
{
	diag_print(d, stderr);
	return EXIT_USAGE;
}

int cli_print_errors(const struct diag_list *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		diag_print(&errs->v[i], stderr);
	return errs->n ? EXIT_USAGE : EXIT_OK;
}

void cli_wrote(const char *path)
{
	if (path && strcmp(path, "-"))
		fprintf(stderr, "slim: wrote %s\n", path);
}

int cli_finish(int rc)
{
	/* a failed write to stdout must not look like success (git's
	 * run_builtin(), jq's main()): a gate never passes on a truncated
	 * report */
	if (fflush(stdout) || ferror(stdout)) {
		if (rc != EXIT_USAGE)   /* one error line: not twice */
			fprintf(stderr, "slim: stdout: write failed: %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	return rc;
}

bool cli_progress_enabled(void)
{
	return isatty(2);
}

int cli_write_json(const struct graph *g, const char *path, struct diag *d)
{
	struct ofile o;
	FILE *fp = ofile_open(&o, path, d);
	if (!fp)
		return -1;
	if (graph_write_json(g, fp, d)) {
		snprintf(d->file, sizeof d->file, "%s", strcmp(path, "-") ? path : "stdout");
		ofile_abort(&o);
		return -1;
	}
	return ofile_commit(&o, d);
}

int cli_load_graph(struct graph *g, const char *path, struct diag *d)
{
	struct mfile mf;
	/* a directory is a deployable: analyzed below, never mapped */
	if (filetype_path(path) != FT_DIR) {
		if (mfile_open(&mf, path, d))
			return -1;
		enum filetype ft = filetype_detect(mf.p, mf.n);
		if (ft == FT_REPORT_JSON || ft == FT_JSON) {
			int rc = graph_read_json(g, (const char *)mf.p, mf.n, path, d);
			mfile_close(&mf);
			return rc;
		}
		mfile_close(&mf);
	}
	/* any other input: analyzed as `slim report IN` would */
	struct pipeline_opts o = {0};
	struct diag_list w = {0}, errs = {0};
	char *files[1] = {(char *)path};
	int rc = pipeline_build(g, &o, files, 1, &w, &errs);
	diag_list_print(&w, stderr);
	if (rc) {
		/* the input's one error line, printed by the caller */
		*d = errs.n ? errs.v[0] : (struct diag){0};
		struct diag_list rest = {errs.v + 1, errs.n - 1, 0, 0};
		if (errs.n > 1)
			cli_print_errors(&rest);
	}
	diag_list_free(&errs);
	diag_list_free(&w);
	return rc ? -1 : 0;
}
