/*
 * cmd-prune.c - `slim prune INPUT -o OUT`: write the slimmer artifact
 * (issue #17).  Options, the refusals that need no reading, and the lines
 * it prints; prune/ does the work (prune_file()).
 *
 * Per file, one line on stdout: entries removed, containers rewritten,
 * bytes freed (the report's removable_bytes for the findings applied) and,
 * with --compressed-size, the zstd sizes before and after.  A file copied
 * unchanged for safety gets "slim: warning: FILE: copied unchanged: WHY"
 * on stderr.  OUT is never INPUT unless --in-place is given.
 */
#include "cli.h"
#include "opts.h"
#include "../prune/prune.h"
#include "../pipeline/deploy.h"
#include "../common/util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { O_ARCH = CLI_O_FIRST, O_INCLUDE, O_ZSIZE, O_INPLACE, O_ENTRY, O_PYT, O_CHECK };

/* --check: how long CMD may run on each of INPUT and OUT */
#define CHECK_TIMEOUT_S 300

static const struct cli_opt opts[] = {
	{'o', "output", "OUT", "write the pruned copy to OUT (atomically)"},
	{O_ARCH, "arch", "LIST", "GPU targets shipped, e.g. sm_80,sm_90: remove the\n"
				 "fatbin entries none of them can load"},
	{O_INCLUDE, "include", "likely", "also apply likely findings: redundant PTX and\n"
					 "duplicate GPU code"},
	{O_ZSIZE, "compressed-size", NULL, "print each file's zstd size (fast level)\n"
					   "before and after"},
	{O_INPLACE, "in-place", NULL, "allow OUT to be INPUT (replaced atomically)"},
	{O_CHECK, "check", "CMD", "run CMD with {} replaced by INPUT, then by OUT\n"
				  "(stdin /dev/null, 300 s each); a different exit\n"
				  "status or stdout removes OUT and exits 1"},
	{O_ENTRY, "entry", "PATH", "a deployable: an entry point (inside it), as\n"
				  "slim report takes it; repeatable"},
	{O_PYT, "py-trace", "T", "a deployable: a Python import trace of its workload\n"
				 "(repeatable), as slim report takes it"},
	{0},
};

const struct cli_spec cmd_prune_spec = {
	"prune", "[options] INPUT -o OUT",
	"Write a copy of INPUT without what slim proves unused: the fatbin\n"
	"entries (cubin, PTX, LTO-IR) no GPU of --arch can load, from every\n"
	"ELF file (shared library, executable, object, static archive), and\n"
	"unused DT_NEEDED entries with their version requirements.  Kept\n"
	"entries stay byte-identical and in order; freed bytes are zeroed and\n"
	"punched as holes.  A file slim cannot rewrite safely is copied\n"
	"unchanged, with a warning saying why.  INPUT may be a deployable (a\n"
	"directory, tar, zip or image, as slim report reads it): its prune\n"
	"list goes, and OUT is a directory (unchanged files hardlinked) or an\n"
	"archive by extension (.tar, .tar.zst, .zip).\n",
	opts, NULL,
};

static bool same_file(const char *a, const char *b)
{
	struct stat x, y;
	return !stat(a, &x) && !stat(b, &y) && x.st_dev == y.st_dev &&
	       x.st_ino == y.st_ino;
}

static void print_result(const char *in, const struct prune_opts *o,
			 const struct prune_result *r)
{
	if (r->refused)
		fprintf(stderr, "slim: warning: %s: copied unchanged: %s\n", in, r->why);
	size_t removed = 0;
	for (size_t i = 0; i < r->nlibs; i++)
		removed += r->libs[i].removed && !r->libs[i].transitive;
	if (!r->gpu)
		printf("%s: no GPU code%s\n", in, removed ? "" : "; copied unchanged");
	else if (!o->nt)
		printf("%s: %u GPU entries kept (no --arch)\n", in, r->entries);
	else
		printf("%s: removed %u of %u GPU entries from %u containers: %llu bytes freed%s\n",
		       in, r->removed, r->entries, r->containers,
		       (unsigned long long)r->freed, r->refused ? " (copied unchanged)" : "");
	for (size_t i = 0; i < r->nlibs; i++) {
		const struct prune_lib *l = &r->libs[i];
		if (l->transitive) {
			if (!l->removed)
				continue;
			printf("  no longer loaded: %s (only the removed entries loaded it)", l->node);
			if (l->dt_init || l->init_array)
				printf("; its initializers no longer run: %s%s%llu DT_INIT_ARRAY entries",
				       l->dt_init ? "DT_INIT" : "", l->dt_init ? ", " : "",
				       (unsigned long long)l->init_array);
			printf("\n");
			continue;
		}
		if (!l->removed) {
			fprintf(stderr, "slim: warning: %s: DT_NEEDED %s kept: %s\n", in,
				l->needed, l->why);
			continue;
		}
		printf("  removed DT_NEEDED %s (%s, %s unused)", l->needed, l->node,
		       l->likely ? "likely" : "proven");
		if (l->still_loaded)
			printf("; other objects still load it, so its initializers still run");
		else if (l->dt_init || l->init_array)
			printf("; its initializers no longer run: %s%s%llu DT_INIT_ARRAY entries",
			       l->dt_init ? "DT_INIT" : "", l->dt_init ? ", " : "",
			       (unsigned long long)l->init_array);
		printf("\n");
	}
	if (o->compressed_size)
		printf("  zstd -1: %llu -> %llu bytes\n", (unsigned long long)r->zin,
		       (unsigned long long)r->zout);
}

static void on_removed(void *ctx, const char *rel, const char *finding,
		       const char *confidence)
{
	(void)ctx;
	if (!strcmp(finding, "RECORD-rewritten"))
		printf("rewrote %s: the rows of the files removed dropped\n", rel);
	else
		printf("removed %s (%s, %s)\n", rel, finding, confidence);
}

static void on_linked(void *ctx, const char *rel, const char *to)
{
	(void)ctx;
	printf("linked %s to %s (duplicate-file, likely: the same bytes)\n", rel, to);
}

static void on_file(void *ctx, const char *rel, const struct prune_result *r)
{
	const struct prune_opts *o = ctx;
	size_t removed = 0, kept = 0;
	for (size_t i = 0; i < r->nlibs; i++)
		if (!r->libs[i].transitive)
			removed += r->libs[i].removed, kept += !r->libs[i].removed;
	if (r->removed || removed || kept || r->refused || o->compressed_size)
		print_result(rel, o, r);
}

static bool is_dir_or_archive(const char *in)
{
	struct stat st;
	if (stat(in, &st))
		return false;
	if (S_ISDIR(st.st_mode))
		return true;
	/* tar (any compression), zip/wheel, docker save: what slim report
	 * reads as a deployable */
	FILE *fp = fopen(in, "rb");
	unsigned char h[512] = {0};
	size_t n = fp ? fread(h, 1, sizeof h, fp) : 0;
	if (fp)
		fclose(fp);
	return deploy_is_archive(h, n);
}

/* INPUT (a file or a deployable) to OUT; prints each change.  0, or the
 * exit code after printing the error. */
static int prune_one(const char *in, const char *out, const struct prune_opts *o,
		     struct prune_tree_opts *to, bool in_place, struct diag *d)
{
	if (is_dir_or_archive(in)) {
		struct stat st;
		if (!in_place && !lstat(out, &st) && S_ISDIR(st.st_mode))
			return cli_error("prune: %s: exists; a deployable is written to a new directory or an archive", out);
		struct diag_list w = {0};
		to->file = *o;
		to->in_place = in_place;
		to->on_removed = on_removed;
		to->on_file = on_file;
		to->on_linked = on_linked;
		to->ctx = &to->file;
		int rc = prune_tree(in, out, to, &w, d);
		diag_list_print(&w, stderr);
		diag_list_free(&w);
		return rc ? cli_diag(d) : 0;
	}
	if (to->nentries || to->ntraces)
		return cli_error("prune: --entry and --py-trace take a deployable (a directory or archive), not %s", in);
	struct prune_result r;
	if (prune_file(in, out, o, &r, d))
		return cli_diag(d);
	print_result(in, o, &r);
	prune_result_free(&r);
	return 0;
}

/* OUT/NAME when a file is pruned into a directory; cmd_prune() frees it */
static char *into;

static int run_prune(int argc, char **argv, struct prune_tree_opts *tp)
{
	struct prune_opts o = {0};
	struct prune_tree_opts *top = tp;   /* the caller frees its arrays */
	const char *out = NULL, *check = NULL;
	bool in_place = false;
	struct diag d = {0};
	int c;
	while ((c = cli_next_opt(&cmd_prune_spec, argc, argv)) >= 0) {
		switch (c) {
		case 'o': out = optarg; break;
		case O_ARCH: o.arch = optarg; break;
		case O_INCLUDE:
			if (strcmp(optarg, "likely"))
				return cli_usage_error(&cmd_prune_spec, "--include takes 'likely', not '%s'", optarg);
			o.likely = true;
			break;
		case O_ZSIZE: o.compressed_size = true; break;
		case O_INPLACE: in_place = true; break;
		case O_CHECK: check = optarg; break;
		case O_ENTRY:
			top->entries = xreallocarray(top->entries, top->nentries + 1, sizeof *top->entries);
			top->entries[top->nentries++] = optarg;
			break;
		case O_PYT:
			top->py_traces = xreallocarray(top->py_traces, top->ntraces + 1, sizeof *top->py_traces);
			top->py_traces[top->ntraces++] = optarg;
			break;
		}
	}
	if (c != CLI_OPT_END)
		return cli_opt_exit(c);
	if (optind >= argc)
		return cli_usage_error(&cmd_prune_spec, "no INPUT");
	if (argc - optind > 1)
		return cli_usage_error(&cmd_prune_spec, "one INPUT only");
	if (!out)
		return cli_usage_error(&cmd_prune_spec, "no -o OUT");
	const char *in = argv[optind];
	if (!strcmp(out, "-"))
		return cli_error("prune: OUT must be a file, not stdout");
	/* a file into a directory: OUT/NAME */
	struct stat st;
	if (!stat(out, &st) && S_ISDIR(st.st_mode) && !is_dir_or_archive(in)) {
		if (asprintf(&into, "%s/%s", out, path_base(in)) < 0)
			abort();
		out = into;
	}
	if (same_file(in, out) && !in_place)
		return cli_error("prune: %s: OUT is INPUT; give --in-place to replace it", out);
	if (o.arch && fatbin_parse_arch(o.arch, o.t, 64, &o.nt, &d))
		return cli_diag(&d);
	/* with --check and --in-place, OUT is a temporary beside INPUT that
	 * replaces it only once the check passes */
	char *tmp = NULL;
	const char *final = out;
	if (check && in_place) {
		if (asprintf(&tmp, "%s.slim-prune-check.%ld", in, (long)getpid()) < 0)
			abort();
		out = tmp;
		in_place = false;
	}
	int rc = prune_one(in, out, &o, top, in_place, &d);
	if (rc) {
		free(tmp);
		return cli_finish(rc);
	}
	if (check) {
		struct prune_check_result cr;
		if (prune_check(check, in, out, CHECK_TIMEOUT_S, &cr, &d)) {
			prune_remove(out);
			free(tmp);
			return cli_finish(cli_diag(&d));
		}
		if (!cr.passed) {
			prune_remove(out);
			if (tmp)
				fprintf(stderr, "slim: prune: --check failed: %s; the pruned copy removed, %s left as it was\n",
					cr.why, in);
			else
				fprintf(stderr, "slim: prune: --check failed: %s; %s removed\n", cr.why, out);
			free(tmp);
			return cli_finish(EXIT_GATE);
		}
		printf("check passed: exit status %d and %zu bytes of stdout on both\n",
		       cr.status_in, cr.stdout_in);
		if (tmp && prune_replace(tmp, final, &d)) {
			prune_remove(tmp);
			free(tmp);
			return cli_finish(cli_diag(&d));
		}
	}
	free(tmp);
	cli_wrote(final);
	return cli_finish(0);
}

int cmd_prune(int argc, char **argv)
{
	struct prune_tree_opts to = {0};
	int rc = run_prune(argc, argv, &to);
	free(to.entries);
	free(into);
	into = NULL;
	free(to.py_traces);
	return rc;
}
