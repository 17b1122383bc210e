/*
 * lm-load.c - one linker map from its file into the graph, as `slim report`
 * merges it (`slim report BIN --map MAP`, or a map among the inputs):
 *
 *   parse -> --why-extract -> derive (default) -> check against BIN -> graph
 *
 * The check refuses a map of another program before anything is merged
 * (lm-binary.c).  Where the map lists no discarded sections and none could
 * be derived, a warning says so, as `slim linkmap` does in its text.
 */
#include "linkmap.h"
#include "../common/diag.h"
#include "../common/mfile.h"

#include <string.h>

int linkmap_read_why_file(struct linkmap *m, const char *path, struct diag *d)
{
	struct mfile wf;
	if (mfile_open(&wf, path, d))
		return -1;
	int rc = linkmap_read_why_extract(m, path, (const char *)wf.p, wf.n, d);
	mfile_close(&wf);
	return rc;
}

static int check_bin(const struct linkmap *m, const char *bin, struct diag *d)
{
	struct mfile bf;
	if (mfile_open(&bf, bin, d))
		return -1;
	int rc = linkmap_check_binary(m, bin, bf.p, bf.n, d);
	mfile_close(&bf);
	return rc;
}

int linkmap_load(struct graph *g, const char *path,
		 const struct linkmap_load_opts *o, struct diag_list *w,
		 struct diag *d)
{
	struct mfile mf;
	if (mfile_open(&mf, path, d))
		return -1;
	struct linkmap m = {0};
	int rc = -1;
	if (linkmap_parse(&m, path, (const char *)mf.p, mf.n, w, d) ||
	    (o->why && linkmap_read_why_file(&m, o->why, d)))
		goto out;
	if (o->bin && check_bin(&m, o->bin, d))
		goto out;
	if (o->no_derive)
		linkmap_causes(&m, false);
	else if (linkmap_derive(&m, w, d))
		goto out;
	const char *unk = linkmap_discards_unknown(&m);
	if (unk)
		diag_warn_at(w, path, 0, "%s", unk);
	if (m.members_unknown)
		diag_warn_at(w, path, 0, "dead members are unknown: the %s map does not name a member whose every section was discarded, and an input it names could not be read (or is an LTO partition) to derive them",
			     linkmap_linker_name(m.linker));
	else if (!m.has_pulls)
		diag_warn_at(w, path, 0, "the %s map does not say why each archive member was loaded, and nothing was derived: dead members are unknown%s",
			     linkmap_linker_name(m.linker),
			     m.linker == LM_LLD ? " (lld -Wl,--why-extract=FILE writes it: --why-extract FILE)" : "");
	rc = linkmap_to_graph(&m, g, o->output_node, d);
out:
	linkmap_free(&m);
	mfile_close(&mf);
	return rc;
}
