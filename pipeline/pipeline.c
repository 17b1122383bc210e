/*
 * pipeline.c - the run behind `slim report` and every command that takes
 * "any file slim can analyze" (mold's main.cc style: each step one call
 * with a why-comment, timed through on_step under --perf):
 *
 *   load_inputs   map each input and detect its type once from its bytes
 *   run_inputs    in the order given: ELF programs and libraries through
 *                 the run's one ELF context (elf_merge); objects, archives
 *                 (their members, analyzers/archive/) and bare fatbins
 *                 (run_object); a directory, or a tar/image/zip unpacked
 *                 by deploy_unpack(), as one deployable (run_tree:
 *                 deploy_tree(), its own root); maps and traces are kept
 *                 for later steps
 *   run_gpu       fatbin entries of every ELF object in the graph; the
 *                 --arch targets recorded in totals.gpu_targets, since
 *                 every GPU verdict depends on them
 *   run_maps      linker maps merged into the first ELF input's node
 *   run_python    traces + module trees; extension modules' closures come
 *                 from the same run (r->elf_closure)
 *   totals        pipeline_totals(): per root process, and removable
 *                 bytes each counted once
 *   check         graph invariants (graph_check) after every merge
 *
 * A bad input is one error ("FILE: offset 0x..: what") in errs and the
 * other inputs are still analyzed: each step ORs its status, as elfutils'
 * size.c does.  Nothing here prints: cli/ prints errs and w.
 */
#include "pipeline.h"
#include "unpack.h"
#include "../analyzers/archive/archive.h"
#include "../common/diag.h"
#include "../common/filetype.h"
#include "../common/mfile.h"
#include "../common/util.h"
#include "../graph/graph.h"
#include "../graph/ids.h"

#include <stdlib.h>
#include <string.h>

struct step_timer {
	const struct pipeline_opts *o;
	double t0;
};

static void step_begin(struct step_timer *t, const struct pipeline_opts *o)
{
	t->o = o;
	t->t0 = now_seconds();
}

static void step_end(struct step_timer *t, const char *what)
{
	if (t->o->on_step)
		t->o->on_step(t->o->ctx, what, now_seconds() - t->t0);
}

/* what the later steps take from the inputs */
struct later {
	struct input *maps, *traces;
	size_t nmaps, ntraces;
	const char *first_elf;     /* node of the first ELF input (the maps') */
	bool tree;                 /* a deployable took the --py-trace traces */
};

void pipeline_run_open(struct run *r, const struct elf_opts *eo,
		       struct diag_list *w)
{
	memset(r, 0, sizeof *r);
	r->w = w;
	r->elf = elf_ctx_new(eo);
	r->elf_closure = elf_run_closure;
	r->elf_peek = elf_peek;
}

void pipeline_run_close(struct run *r, bool exiting)
{
	elf_ctx_free_at_exit(r->elf, exiting);
	r->elf = NULL;
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
static int run_gpu(struct graph *g, const struct run *r, struct diag_list *errs)
{
	int rc = 0;
	size_t n = g->nnodes;
	for (size_t i = 0; i < n; i++) {
		struct gnode *nd = g->nodes[i];
		if (strcmp(nd->kind, NK_EXE) && strcmp(nd->kind, NK_LIB))
			continue;
		const char *path = attr_get_str(nd->attrs, "path");
		/* a deployable's files have paths inside it (not scanned yet) */
		if (!path || attr_get_str(nd->attrs, "deployable"))
			continue;
		struct mfile mf;
		struct diag d = {0};
		if (mfile_open(&mf, path, &d)) {
			diag_warn(r->w, &d);
			continue;
		}
		struct input in = {path, mf.p, mf.n, FT_UNKNOWN, nd->id};
		rc |= fatbin_merge(g, &in, 1, r, errs);
		mfile_close(&mf);
	}
	return rc;
}

/* Objects, archives and bare fatbins: what they hold (an archive's
 * members, an object's code and data bytes) and their GPU code.  One error
 * for a bad input: the first analysis that fails says why. */
static int run_object(struct graph *g, const struct run *r, struct input *in,
		      struct diag_list *errs)
{
	struct diag d = {0};
	const char *id = ids_object(g, in->path);
	struct gnode *n = graph_add_node(g, NK_OBJECT, id, NULL);
	graph_node_set_size(n, in->n);
	attr_str(graph_node_attrs(n), "path", in->path);
	graph_add_input(g, in->path, filetype_name(in->type), id);
	in->node = id;
	int bad = 0;
	if (in->type == FT_AR || in->type == FT_AR_THIN)
		bad = archive_merge(g, in->path, in->p, in->n, id, &d) < 0;
	if (in->type == FT_ELF_REL) {
		struct archive_sizes s;
		bad = archive_elf_sizes(in->p, in->n, in->path, 0, &s, &d) < 0;
		if (!bad)
			archive_sizes_attrs(g, id, &s);
	}
	/* a thin archive holds no member bytes to scan (the text says so);
	 * a file already refused is one line: not again as the scan's
	 * warnings, so the scan reports into a run of its own */
	struct diag_list fw = {0}, fe = {0};
	struct run fr = *r;
	fr.w = &fw;
	if (in->type != FT_AR_THIN && fatbin_merge(g, in, 1, &fr, &fe) < 0 && !bad) {
		d = fe.v[0];
		bad = 1;
	}
	for (size_t i = 0; !bad && i < fw.n; i++)
		diag_warn(r->w, &fw.v[i]);
	diag_list_free(&fw);
	diag_list_free(&fe);
	if (bad)    /* the text marks what was read before the error */
		attr_str(graph_node_attrs(n), "incomplete",
			 d.where == DIAG_OFFSET ? graph_strf(g, "offset 0x%llx: %s",
							     (unsigned long long)d.pos, d.msg)
						: d.msg);
	if (bad)
		diag_warn(errs, &d);
	return bad ? -1 : 0;
}

/* A type no analyzer takes: one error saying what it is. */
static int refuse(const struct input *in, struct diag_list *errs)
{
	struct diag d = {0};
	if (in->type == FT_EMPTY)
		diag_err_at(&d, in->path, 0, "empty file");
	else if (in->type == FT_ELF_OTHER)
		diag_err_at(&d, in->path, 16, "ELF type is neither executable, shared library nor object");
	else
		diag_err_at(&d, in->path, 0, "not a file slim can analyze (%s)",
			    filetype_name(in->type));
	diag_warn(errs, &d);
	return -1;
}

/* hidden-by-layer: what a later layer of an image overwrote or whited
 * out still ships in the earlier layer's bytes, which nothing in the
 * container can read.  The finding goes on the file's node where the path
 * is still in the tree (overwritten), else on a file: node of its own
 * marked hidden (whited out). */
static void hidden_findings(struct graph *g, const struct deploy_unpacked *u)
{
	static const char *const pre[] = {IDP_EXE, IDP_LIB, IDP_OBJ, IDP_FILE};
	for (size_t i = 0; i < u->nhidden; i++) {
		const struct deploy_hidden *h = &u->hidden[i];
		const char *id = NULL;
		for (size_t k = 0; k < 4 && !id; k++) {
			const char *c = ids_path(g, pre[k], h->path);
			if (graph_node(g, c))
				id = c;
		}
		if (!id) {
			id = ids_path(g, IDP_FILE, h->path);
			json_t *a = graph_node_attrs(graph_add_node(g, NK_FILE, id, NULL));
			attr_str(a, "path", h->path);
			attr_bool(a, "hidden", true);
		}
		struct gfinding *f = graph_add_finding(g, "hidden-by-layer", id, NULL, h->bytes, "proven",
			graph_strf(g, "layer %u's %s (%llu bytes) is %s by layer %u: the image still ships its bytes, and nothing in the container can read them",
				   h->layer, h->path, (unsigned long long)h->bytes,
				   h->whiteout ? "deleted" : "overwritten", h->by_layer),
			graph_strf(g, "do not add %s in layer %u (remove or rewrite it where it is made), or squash the layers",
				   h->path, h->layer));
		json_t *a = graph_finding_attrs(f);
		attr_int(a, "layer", h->layer);
		attr_int(a, "by_layer", h->by_layer);
		attr_bool(a, "whiteout", h->whiteout);
	}
}

/* A directory, or an archive or image unpacked into a private one, as
 * one deployable: its own root, named as the user named it. */
static int run_tree(struct graph *g, const struct pipeline_opts *o,
		    const struct run *r, const struct input *in,
		    struct diag_list *errs)
{
	struct deploy_opts d = o->deploy;
	d.elf = &o->elf;
	d.on_step = o->on_step;
	d.on_progress = o->on_tree;
	d.no_gpu = o->no_gpu;
	d.ctx = o->ctx;
	if (in->type == FT_DIR && !deploy_is_oci_dir(in->path))
		return deploy_tree(g, in->path, in->path, &d, r, errs);
	struct deploy_unpacked u;
	struct diag e = {0};
	struct deploy_unpack_opts uo = {.max_bytes = o->deploy.max_unpack};
	if (deploy_unpack_with(in->path, &uo, &u, r->w, &e)) {
		diag_warn(errs, &e);
		return -1;
	}
	size_t before = g->ninputs, wfrom = r->w ? r->w->n : 0, efrom = errs->n;
	/* an unpacked file's inode is new every run: the per-file cache
	 * keys it by its member's digest, under the input's real path */
	char *real = realpath(in->path, NULL);
	d.digests = u.digests;
	d.ndigests = u.ndigests;
	d.cache_name = real ? real : in->path;
	int rc = deploy_tree(g, u.dir, in->path, &d, r, errs);
	free(real);
	if (g->ninputs > before)   /* the input is the archive or image */
		g->inputs[g->ninputs - 1].kind = graph_str(g, u.nlayers ? "image" : "archive");
	/* what the tree's analyzers said names the private directory */
	unpack_rename(g, u.dir, in->path, r->w, wfrom, errs, efrom);
	hidden_findings(g, &u);
	deploy_cleanup(&u);
	return rc;
}

/* One deployable per run: two trees' files would share their KIND:PATH
 * ids (and totals.tree), and --entry and --py-trace name paths inside one
 * root, so a second is refused, in its turn; `slim merge` joins the
 * reports of several, each one's ids under its name (graph/merge.c). */
static int one_tree(struct graph *g, const struct pipeline_opts *o,
		    const struct run *r, const struct input *in, struct later *l,
		    struct diag_list *errs)
{
	if (l->tree) {
		struct diag d = {0};
		diag_err(&d, in->path, "one deployable per run (its --entry and --py-trace are paths inside it): report each on its own and join the reports with slim merge");
		diag_warn(errs, &d);
		return -1;
	}
	l->tree = true;
	return run_tree(g, o, r, in, errs);
}

static void keep(struct input **v, size_t *n, const struct input *in)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = *in;
}

/* Each input in the order given, to the analyzer for its type. */
static int run_inputs(struct graph *g, const struct pipeline_opts *o,
		      const struct run *r, struct input *in, size_t n,
		      const struct diag *unread, struct later *l,
		      struct diag_list *errs)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (o->on_input)
			o->on_input(o->ctx, i + 1, n);
		if (unread[i].msg[0]) {
			/* not mapped: its error in its turn, so errors come
			 * in the order of the inputs */
			diag_warn(errs, &unread[i]);
			rc = -1;
			continue;
		}
		switch (in[i].type) {
		case FT_ELF_EXEC:
		case FT_ELF_DYN: {
			size_t before = g->ninputs;
			rc |= elf_merge(g, &in[i], 1, r, errs);
			if (!l->first_elf && g->ninputs > before)
				l->first_elf = g->inputs[before].node;
			break;
		}
		case FT_ELF_REL:
		case FT_AR:
		case FT_AR_THIN:
		case FT_FATBIN:
			rc |= run_object(g, r, &in[i], errs);
			break;
		case FT_LINKMAP:
			keep(&l->maps, &l->nmaps, &in[i]);
			break;
		case FT_PY_IMPORTTIME:
		case FT_PY_VERBOSE:
			keep(&l->traces, &l->ntraces, &in[i]);
			break;
		case FT_DIR:
			rc |= one_tree(g, o, r, &in[i], l, errs);
			break;
		default:
			if (deploy_is_archive(in[i].p, in[i].n))
				rc |= one_tree(g, o, r, &in[i], l, errs);
			else
				rc |= refuse(&in[i], errs);
		}
	}
	return rc;
}

/* Maps and traces named by options join those given as inputs; each is
 * mapped here, an unreadable one an error. */
static int load_named(const char **paths, size_t n, struct mfile *mf,
		      struct input **v, size_t *nv, struct diag_list *errs)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		struct diag d = {0};
		if (mfile_open(&mf[i], paths[i], &d)) {
			diag_warn(errs, &d);
			rc = -1;
			continue;
		}
		struct input in = {paths[i], mf[i].p, mf[i].n,
				   filetype_detect(mf[i].p, mf[i].n), NULL};
		keep(v, nv, &in);
	}
	return rc;
}

/* run_maps: a map describes the link of the first ELF input, and is
 * refused unless it does (linkmap_load checks its sections) */
static int run_maps(struct graph *g, const struct pipeline_opts *o,
		    const struct run *r, struct later *l, struct diag_list *errs)
{
	int rc = 0;
	struct mfile *mf = xcalloc(o->nmaps + 1, sizeof *mf);
	if (load_named(o->maps, o->nmaps, mf, &l->maps, &l->nmaps, errs))
		rc = -1;
	if (o->map.why && !l->nmaps) {
		struct diag d = {0};
		diag_err(&d, o->map.why, "--why-extract needs a linker map (--map MAP, or a map among the inputs)");
		diag_warn(errs, &d);
		rc = -1;
	}
	for (size_t i = 0; i < l->nmaps; i++)
		l->maps[i].node = l->first_elf;
	if (l->nmaps && linkmap_merge(g, l->maps, l->nmaps, r, errs))
		rc = -1;
	for (size_t i = 0; i < o->nmaps; i++)
		mfile_close(&mf[i]);
	free(mf);
	return rc;
}

/* run_python: traces given positionally join --py-trace */
static int run_python(struct graph *g, const struct pipeline_opts *o,
		      const struct run *r, struct later *l, struct diag_list *errs)
{
	int rc = 0;
	struct mfile *mf = xcalloc(o->py.ntraces + 1, sizeof *mf);
	/* --py-trace first, then the traces among the inputs, as before */
	struct input *all = NULL;
	size_t nall = 0;
	/* an unreadable trace stops the Python analysis: without it the used
	 * set shrinks and the prune list would grow */
	if (load_named(o->py.traces, o->py.ntraces, mf, &all, &nall, errs))
		rc = -1;
	for (size_t i = 0; i < l->ntraces; i++)
		keep(&all, &nall, &l->traces[i]);
	if (!rc && (nall || o->py.nroots || o->py.nscripts) &&
	    pydeps_merge(g, all, nall, r, errs))
		rc = -1;
	for (size_t i = 0; i < o->py.ntraces; i++)
		mfile_close(&mf[i]);
	free(mf);
	free(all);
	return rc;
}

/* load_inputs: map each file and type it once; why one cannot be read
 * goes in unread[i] (said in its turn by run_inputs) */
static void load_inputs(char **files, size_t n, struct mfile *mf,
			struct input *in, struct diag *unread)
{
	for (size_t i = 0; i < n; i++) {
		in[i].path = files[i];
		/* a directory is a deployable: typed by stat, never mapped */
		if ((in[i].type = filetype_path(files[i])) == FT_DIR)
			continue;
		if (mfile_open(&mf[i], files[i], &unread[i])) {
			in[i].type = FT_UNKNOWN;
			continue;
		}
		in[i].p = mf[i].p;
		in[i].n = mf[i].n;
		in[i].type = filetype_detect(mf[i].p, mf[i].n);
	}
}

/* --host names the process everything is loaded into: analyzed as an
 * input too, after the others, when it is not one already */
static char **with_host(const struct pipeline_opts *o, char **files, size_t *n)
{
	char **v = xcalloc(*n + 2, sizeof *v);
	bool have = false;
	for (size_t i = 0; i < *n; i++) {
		v[i] = files[i];
		have |= o->host && !strcmp(files[i], o->host);
	}
	if (o->host && !have)
		v[(*n)++] = (char *)o->host;
	return v;
}

int pipeline_build(struct graph *g, const struct pipeline_opts *o,
		   char **given, size_t nfiles, struct diag_list *w,
		   struct diag_list *errs)
{
	int rc = 0;
	char **files = with_host(o, given, &nfiles);
	struct step_timer t;
	struct later l = {0};
	struct mfile *mf = xcalloc(nfiles + 1, sizeof *mf);
	struct input *in = xcalloc(nfiles + 1, sizeof *in);
	struct diag *unread = xcalloc(nfiles + 1, sizeof *unread);
	struct run r;

	/* load_inputs + run_inputs: one run, one ELF context for all files,
	 * so shared libraries are parsed once */
	step_begin(&t, o);
	pipeline_run_open(&r, &o->elf, w);
	r.gpu = &o->gpu;
	r.py = &o->py;
	r.map = &o->map;
	r.perf = o->on_step != NULL;
	load_inputs(files, nfiles, mf, in, unread);
	rc |= run_inputs(g, o, &r, in, nfiles, unread, &l, errs);
	step_end(&t, "elf");

	/* run_gpu: GPU code of every object in the closure */
	record_targets(g, o->gpu.arch);
	if (!o->no_gpu) {
		step_begin(&t, o);
		rc |= run_gpu(g, &r, errs);
		step_end(&t, "fatbin");
	}

	step_begin(&t, o);
	rc |= run_maps(g, o, &r, &l, errs);
	step_end(&t, "linkmap");

	/* (a deployable classified its own Python trees with the traces) */
	if (!l.tree && (o->py.ntraces + l.ntraces || o->py.nroots || o->py.nscripts)) {
		step_begin(&t, o);
		rc |= run_python(g, o, &r, &l, errs);
		step_end(&t, "pydeps");
	}
	pipeline_run_close(&r, true);

	/* totals: what leaves each root process, each byte counted once */
	const char *host = NULL;
	if (o->host) {
		for (size_t i = 0; i < g->ninputs && !host; i++)
			if (!strcmp(g->inputs[i].path, o->host))
				host = g->inputs[i].node;
	}
	pipeline_totals(g, host);

	/* check: invariants hold after every analyzer merged */
	struct diag d = {0};
	if (graph_check(g, &d)) {
		diag_warn(errs, &d);
		rc = -1;
	}
	for (size_t i = 0; i < nfiles; i++)
		mfile_close(&mf[i]);
	free(mf);
	free(in);
	free(unread);
	free(files);
	free(l.maps);
	free(l.traces);
	return rc ? -1 : 0;
}
