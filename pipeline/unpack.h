/*
 * unpack.h - what the two halves of the archive reader share (internal to
 * pipeline/; the interface is deploy.h).
 *
 *   unpack-member.c  one archive stream (libarchive) into the root: member
 *                    names cleaned as tar cleans them, every write made
 *                    with *at() calls below the root's fd, links that
 *                    would leave the root refused, bytes bounded, and in
 *                    an image's layers whiteouts applied and what each
 *                    layer hid recorded
 *   unpack.c         the entry points: detection, the private directory,
 *                    a plain archive, an OCI layout (index.json ->
 *                    manifest -> layers) and a `docker save` tarball
 *                    (manifest.json -> layer tars), cleanup
 *
 * Invariants of a struct ux while members are written:
 *   1. nothing is created except by mkdirat/openat(O_CREAT|O_EXCL|
 *      O_NOFOLLOW)/symlinkat/linkat relative to an fd that lies below
 *      rootfd (opened component by component with O_NOFOLLOW, or through
 *      open_in_root() where an in-root symlink is crossed);
 *   2. written <= limit;
 *   3. in layered mode (layer > 0) `seen` maps every path present on disk
 *      (canonical: no symlink in it) to the layer that wrote it and its
 *      bytes; entries removed are marked dead, never freed before the end.
 */
#ifndef SLIM_UNPACK_H
#define SLIM_UNPACK_H

#include "deploy.h"
#include "../common/hmap.h"

#include <stdbool.h>
#include <stdint.h>

struct archive;

struct ux {
	const char *path;          /* the input, as messages name it */
	const char *label;         /* "layer 2" in images, "" else */
	int rootfd;
	char rootreal[4096];       /* the root's real path (/proc/self/fd) */
	uint64_t limit, written;
	unsigned layer;            /* 0: a plain archive */
	struct hmap seen;          /* layered: path -> struct ux_ent */
	char **diff_ids;           /* docker save: the config's rootfs.diff_ids
				    * (hex), one per layer, or NULL */
	size_t ndiff_ids;
	struct deploy_unpacked *u;
	struct diag_list *w;
	struct diag *d;
};

/* Write every member of the open archive a into x's root.  Refusals are
 * warnings; a corrupt stream, a full disk or the byte bound an error.
 * Returns 0 or -1 with x->d set. */
int ux_extract(struct ux *x, struct archive *a);

/* Clean a member name as GNU tar does (safer_name_suffix): a leading '/'
 * stripped (*abs set), "." components and repeated '/' dropped, "" for
 * the root itself.  NULL, or why the name is refused (a ".." component,
 * longer than n). */
const char *ux_clean_name(const char *in, char *out, size_t n, bool *abs);

/* A new reader for tar and zip through gzip, bzip2, xz and zstd. */
struct archive *ux_reader(void);

/* Remove the tree at dirfd/name (no symlink followed).  0 or -1/errno. */
int ux_remove_tree(int dirfd, const char *name);

/* unpack-names.c: every string of g and every warning added to w and
 * errs since wfrom and efrom that names the private directory dir
 * rewritten to name the path inside the deployable (a diagnostic's file:
 * "NAME:PATH", NAME what the user gave).  dir may be removed after. */
struct graph;
void unpack_rename(struct graph *g, const char *dir, const char *name,
		   struct diag_list *w, size_t wfrom, struct diag_list *errs,
		   size_t efrom);

/* Free x->seen. */
void ux_free(struct ux *x);

#endif
