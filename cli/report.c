/*
 * report.c - the pipeline behind `slim report` (mold's main.cc style: each
 * step one call with a why-comment, timed under --perf):
 *
 *   load_inputs   detect each input's type once from its bytes
 *   run_elf       closure, bindings, unused libraries per ELF input;
 *                 objects, archives (their members, analyzers/archive/)
 *                 and bare fatbins in run_object
 *   run_gpu       fatbin entries of every ELF object in the graph; the
 *                 --arch targets recorded in totals.gpu_targets, since
 *                 every GPU verdict depends on them
 *   run_maps      linker maps merged into the first ELF's node
 *   run_python    traces + module trees
 *   check         graph invariants (graph_check) after the merge
 *
 * A bad input is one error line ("slim: FILE: offset 0x..: what") and the
 * other inputs are still analyzed: each step ORs its status, as elfutils'
 * size.c does, and report_build returns 2 if any input failed.
 */
#include "report.h"
#include "cli.h"
#include "../analyzers/archive/archive.h"
#include "../common/filetype.h"
#include "../common/mfile.h"
#include "../common/util.h"
#include "../linkmap/linkmap.h"

#include <stdlib.h>
#include <string.h>

struct step_timer {
	bool on;
	double t0;
};

static void step_begin(struct step_timer *t, bool on)
{
	t->on = on;
	t->t0 = now_seconds();
}

static void step_end(struct step_timer *t, const char *what)
{
	if (t->on)
		fprintf(stderr, "slim: perf: %-10s %8.3f s\n", what,
			now_seconds() - t->t0);
}

/* The --arch targets, "sm_80" each, in totals.gpu_targets (already
 * validated by the option parser). */
static void record_targets(struct graph *g, const char *arch)
{
	struct fatbin_target t[64];
	size_t n = 0;
	struct diag d = {0};
	if (!arch || fatbin_parse_arch(arch, t, 64, &n, &d))
		return;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_sprintf("sm_%u", t[i].sm));
	json_object_set_new(g->totals, "gpu_targets", arr);
}

/* GPU code lives in the analyzed files and in every library of their
 * closure: scan each exe/lib node that has a path, once. */
static int run_gpu(struct graph *g, const struct report_opts *o,
		   struct diag_list *w)
{
	int rc = 0;
	record_targets(g, o->gpu.arch);
	size_t n = g->nnodes;
	for (size_t i = 0; i < n; i++) {
		struct gnode *nd = g->nodes[i];
		if (strcmp(nd->kind, "exe") && strcmp(nd->kind, "lib"))
			continue;
		const char *path = attr_get_str(nd->attrs, "path");
		if (!path)
			continue;
		struct mfile mf;
		struct diag d = {0};
		if (mfile_open(&mf, path, &d)) {
			diag_warn(w, &d);
			continue;
		}
		struct diag_list fw = {0};
		if (fatbin_merge(g, path, mf.p, mf.n, nd->id, &o->gpu, &fw, &d) < 0) {
			diag_print(&d, stderr);     /* one line: its first error */
			rc = EXIT_USAGE;
		} else {
			for (size_t k = 0; k < fw.n; k++)
				diag_warn(w, &fw.v[k]);
		}
		diag_list_free(&fw);
		mfile_close(&mf);
	}
	return rc;
}

/* Objects, archives and bare fatbins: what they hold (an archive's
 * members, an object's code and data bytes) and their GPU code.  One error
 * line for a bad input: the first analysis that fails says why. */
static int run_object(struct graph *g, const struct report_opts *o,
		      const char *path, enum filetype ft, const struct mfile *mf,
		      struct diag_list *w)
{
	struct diag d = {0};
	const char *id = graph_strf(g, "obj:%s", path_base(path));
	struct gnode *n = graph_add_node(g, "object", id, NULL);
	graph_node_set_size(n, mf->n);
	attr_str(graph_node_attrs(n), "path", path);
	graph_add_input(g, path, filetype_name(ft), id);
	int bad = 0;
	if (ft == FT_AR || ft == FT_AR_THIN)
		bad = archive_merge(g, path, mf->p, mf->n, id, &d) < 0;
	if (ft == FT_ELF_REL) {
		struct archive_sizes s;
		bad = archive_elf_sizes(mf->p, mf->n, path, 0, &s, &d) < 0;
		if (!bad)
			archive_sizes_attrs(g, id, &s);
	}
	struct diag fd = {0};
	struct diag_list fw = {0};
	/* a thin archive holds no member bytes to scan (the text says so) */
	if (ft != FT_AR_THIN && fatbin_merge(g, path, mf->p, mf->n, id, &o->gpu, &fw, &fd) < 0 && !bad) {
		d = fd;
		bad = 1;
	}
	/* a file already refused is one line: not again as the scan's warnings */
	for (size_t i = 0; !bad && i < fw.n; i++)
		diag_warn(w, &fw.v[i]);
	diag_list_free(&fw);
	if (bad)    /* the text marks what was read before the error */
		attr_str(graph_node_attrs(n), "incomplete",
			 d.where == DIAG_OFFSET ? graph_strf(g, "offset 0x%llx: %s",
							     (unsigned long long)d.pos, d.msg)
						: d.msg);
	return bad ? cli_diag(&d) : 0;
}

static int run_file(struct graph *g, struct elf_ctx *ec,
		    const struct report_opts *o, const char *path,
		    const char **root, const char ***traces, size_t *ntraces,
		    const char ***maps, size_t *nmaps, struct diag_list *w)
{
	struct diag d = {0};
	struct mfile mf;
	int rc = 0;
	if (mfile_open(&mf, path, &d))
		return cli_diag(&d);
	enum filetype ft = filetype_detect(mf.p, mf.n);
	switch (ft) {
	case FT_ELF_EXEC:
	case FT_ELF_DYN:
		mfile_close(&mf);
		if (elf_analyze(ec, g, path, root, w, &d))
			return cli_diag(&d);
		return 0;
	case FT_ELF_REL:
	case FT_AR:
	case FT_AR_THIN:
	case FT_FATBIN:
		rc = run_object(g, o, path, ft, &mf, w);
		break;
	case FT_LINKMAP:
		*maps = xreallocarray(*maps, *nmaps + 1, sizeof **maps);
		(*maps)[(*nmaps)++] = path;
		break;
	case FT_PY_IMPORTTIME:
	case FT_PY_VERBOSE:
		*traces = xreallocarray(*traces, *ntraces + 1, sizeof **traces);
		(*traces)[(*ntraces)++] = path;
		break;
	case FT_EMPTY:
		diag_err_at(&d, path, 0, "empty file");
		rc = cli_diag(&d);
		break;
	case FT_ELF_OTHER:
		diag_err_at(&d, path, 16, "ELF type is neither executable, shared library nor object");
		rc = cli_diag(&d);
		break;
	default:
		diag_err_at(&d, path, 0, "not a file slim can analyze (%s)",
			    filetype_name(ft));
		rc = cli_diag(&d);
	}
	mfile_close(&mf);
	return rc;
}

int report_build(struct graph *g, const struct report_opts *o,
		 char **files, int nfiles, struct diag_list *w)
{
	int rc = 0;
	struct step_timer t;
	const char **traces = NULL, **maps = NULL;
	size_t ntraces = 0, nmaps = 0;
	const char *first_root = NULL;

	/* load_inputs + run_elf: one elf_ctx for all files so shared
	 * libraries are parsed once */
	step_begin(&t, o->perf);
	struct elf_ctx *ec = elf_ctx_new(&o->elf);
	bool progress = cli_progress_enabled() && nfiles > 20;
	for (int i = 0; i < nfiles; i++) {
		const char *root = NULL;
		if (progress)   /* a long run says where it is, on a terminal only */
			fprintf(stderr, "\rslim: %d/%d files", i + 1, nfiles);
		rc |= run_file(g, ec, o, files[i], &root, &traces, &ntraces,
			       &maps, &nmaps, w);
		if (root && !first_root)
			first_root = root;
	}
	elf_ctx_free_at_exit(ec, true);
	if (progress)
		fputs("\r\033[K", stderr);
	step_end(&t, "elf");

	/* run_gpu: GPU code of every object in the closure */
	if (!o->no_gpu) {
		step_begin(&t, o->perf);
		rc |= run_gpu(g, o, w);
		step_end(&t, "fatbin");
	}

	/* run_maps: a map describes the link of the first ELF input, and is
	 * refused unless it does (linkmap_load checks its sections) */
	if (o->map_why && !(o->nmaps + nmaps))
		rc |= cli_error("report: --why-extract needs a linker map (--map MAP, or a map among the inputs)");
	step_begin(&t, o->perf);
	struct gnode *rn = first_root ? graph_node(g, first_root) : NULL;
	struct linkmap_load_opts lo = {.why = o->map_why, .no_derive = o->map_no_derive,
		.bin = rn ? attr_get_str(rn->attrs, "path") : NULL, .output_node = first_root};
	for (size_t i = 0; i < o->nmaps + nmaps; i++) {
		struct diag d = {0};
		if (linkmap_load(g, i < o->nmaps ? o->maps[i] : maps[i - o->nmaps], &lo, w, &d))
			rc |= cli_diag(&d);
	}
	step_end(&t, "linkmap");

	/* run_python: traces given positionally join --py-trace */
	if (o->py.ntraces + ntraces || o->py.nroots) {
		step_begin(&t, o->perf);
		struct pydeps_opts po = o->py;
		const char **all = xcalloc(o->py.ntraces + ntraces + 1, sizeof *all);
		if (o->py.ntraces)      /* memcpy from NULL is UB even for 0 */
			memcpy(all, o->py.traces, o->py.ntraces * sizeof *all);
		if (ntraces)
			memcpy(all + o->py.ntraces, traces, ntraces * sizeof *all);
		po.traces = all;
		po.ntraces = o->py.ntraces + ntraces;
		struct diag d = {0};
		if (pydeps_merge(g, &po, w, &d))
			rc |= cli_diag(&d);
		free(all);
		step_end(&t, "pydeps");
	}

	/* check: invariants hold after every analyzer merged */
	struct diag d = {0};
	if (graph_check(g, &d)) {
		diag_print(&d, stderr);
		rc = EXIT_USAGE;
	}
	free(traces);
	free(maps);
	return rc ? EXIT_USAGE : 0;
}

int cli_load_graph(struct graph *g, const char *path, struct diag *d)
{
	struct mfile mf;
	if (mfile_open(&mf, path, d))
		return -1;
	enum filetype ft = filetype_detect(mf.p, mf.n);
	if (ft == FT_REPORT_JSON || ft == FT_JSON) {
		int rc = graph_read_json(g, (const char *)mf.p, mf.n, path, d);
		mfile_close(&mf);
		return rc;
	}
	mfile_close(&mf);
	struct report_opts o = {0};
	struct diag_list w = {0};
	char *files[1] = {(char *)path};
	int rc = report_build(g, &o, files, 1, &w);
	diag_list_print(&w, stderr);
	diag_list_free(&w);
	if (rc) {
		/* report_build printed each error as it happened: an empty
		 * diag, which cli_diag does not print again (one line) */
		memset(d, 0, sizeof *d);
		return -1;
	}
	return 0;
}
