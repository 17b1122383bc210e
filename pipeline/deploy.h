/*
 * deploy.h - a whole deployable as one input (issue #14): a directory, a
 * tar (plain, gzip, xz, zstd, bzip2), an OCI image layout or a `docker
 * save` tarball (layers applied in order, whiteouts honoured), or a
 * zip/wheel/pex/zipapp, analyzed as its own root file system.
 *
 * Two parts, one interface:
 *
 *   unpack.c  deploy_unpack(): an archive or image into a private
 *             temporary directory (never outside it, never following a
 *             link out of it, memory bounded whatever the member sizes),
 *             with what each layer hid (hidden-by-layer findings)
 *   tree.c    deploy_tree(): the tree at a directory, walked once: every
 *             file inventoried (ELF, Python, data), ELF resolved inside
 *             the root (its ld.so.cache, default dirs, RUNPATH/$ORIGIN),
 *             Python installations found in it, liveness from the entry
 *             points, orphan libraries, duplicate files, node ids
 *             `KIND:PATH` relative to the root (DESIGN.md)
 *
 * pipeline_build() calls deploy_unpack() for an archive input, then
 * deploy_tree() on its directory (or on a directory input) with the
 * name the user gave, so ids and paths in the output never name the
 * temporary directory.
 */
#ifndef SLIM_DEPLOY_H
#define SLIM_DEPLOY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct graph;
struct diag;
struct diag_list;
struct run;
struct elf_opts;

/* What one layer of an image hid: a path written again or whited out by
 * a later layer, and the bytes it held. */
struct deploy_hidden {
	char *path;            /* relative to the root */
	uint64_t bytes;
	unsigned layer;        /* the layer (from 1) whose file was hidden */
	unsigned by_layer;     /* the later layer that hid it */
	bool whiteout;         /* removed (.wh.) rather than overwritten */
};

/* An unpacked regular file's inode and the XXH3-128 of its member's data
 * (each block with its offset, then the size): the per-file cache's key
 * for it, since an unpacked file's inode is new every run. */
struct deploy_digest {
	uint64_t ino, hi, lo;
};

struct deploy_unpacked {
	char dir[4096];        /* the private temporary directory (the root) */
	struct deploy_digest *digests;   /* one per inode written, sorted
					  * by inode (deploy_unpack()) */
	size_t ndigests, capdigests;
	unsigned nlayers;      /* 0 for a plain archive */
	struct deploy_hidden *hidden;
	size_t nhidden;
	uint64_t bytes;        /* bytes written */
	uint64_t files;
};

/*
 * Unpack the archive or image at path (a file, or an OCI layout
 * directory) into a new private directory (mode 0700) under $TMPDIR (or
 * /tmp).  u is filled in whatever it held; the caller owns it and frees
 * it with deploy_cleanup(), which may be called on a failed or zeroed u.
 * Symlinks kept in the tree may be absolute: read it only through
 * open_in_root() (common/rootopen.h) or fts without following links,
 * never by joining u->dir and a path.  Member names with "..", absolute names, links whose
 * target leaves the root, device files and hardlink cycles are refused
 * one at a time as warnings in w naming the member; the rest is unpacked.
 * A truncated or corrupt archive, or one that would decompress past the
 * run's memory/disk bound, is an error.  Returns 0, or -1 with d set (and
 * nothing left on disk).  deploy_cleanup() removes the directory.
 */
int deploy_unpack(const char *path, struct deploy_unpacked *u,
		  struct diag_list *w, struct diag *d);
void deploy_cleanup(struct deploy_unpacked *u);

/* The bounds of one unpack (deploy_unpack() takes the defaults).
 * max_bytes bounds the bytes written (regular file data, declared sizes
 * of sparse files included): a decompression bomb or a member declaring
 * more is an error naming the member, and nothing stays on disk.  0: the
 * default, DEPLOY_UNPACK_RATIO times the input's size (an OCI layout: its
 * layer blobs') plus DEPLOY_UNPACK_SLACK; deployables compress 2-5x, so
 * a legitimate one stays well under it.  A docker save or oci-archive
 * tarball is unpacked as a plain tar first and its layers applied from
 * there: the bytes of both count. */
#define DEPLOY_UNPACK_RATIO 8
#define DEPLOY_UNPACK_SLACK (1ull << 30)
struct deploy_unpack_opts {
	uint64_t max_bytes;    /* 0: the default above */
	const char *tmpdir;    /* where the private directory is made;
				* NULL: $TMPDIR, else /tmp */
};
int deploy_unpack_with(const char *path, const struct deploy_unpack_opts *o,
		       struct deploy_unpacked *u, struct diag_list *w,
		       struct diag *d);

/* Is [p, p+n) an archive deploy_unpack() reads (tar, compressed stream,
 * zip/wheel, docker save)?  An OCI layout is a directory: see
 * deploy_is_oci_dir(). */
bool deploy_is_archive(const unsigned char *p, size_t n);
bool deploy_is_oci_dir(const char *dir);

struct deploy_opts {
	const char **entries;  /* --entry PATH (inside the root), repeatable;
				* none: every ELF executable is a root */
	size_t nentries;
	bool prune_data;       /* --prune-data (with a record trace) */
	bool include_likely;   /* --include likely for the prune list */
	const struct elf_opts *elf;  /* the run's ELF options (--cpu, ...):
				* deploy_tree() makes the root's own ELF
				* context from them, sysroot = the root and
				* ids by path (elf_opts.path_of); NULL:
				* defaults */
	uint64_t max_unpack;   /* --max-unpack: an archive or image's bound
				* (deploy_unpack_opts.max_bytes; 0: the
				* default) */
	bool no_gpu;           /* --no-gpu: the tree's ELF files not scanned
				* for CUDA fat binaries */
	/* progress (on a terminal): the files and bytes inventoried so far,
	 * every few thousand files and once at the end of the walk (done);
	 * NULL: silent */
	void (*on_progress)(void *ctx, uint64_t files, uint64_t bytes, bool done);
	/* --perf: each step of the tree (walk, elf, strings, dups, totals)
	 * with its wall time; NULL: not timed */
	void (*on_step)(void *ctx, const char *step, double seconds);
	void *ctx;
	/* --cache DIR for a directory input: per-file results kept there
	 * (tree-cache.c; NULL: none), its warnings into cache_w (not the
	 * report's: the run cache replays those) */
	const char *cache_dir;
	struct diag_list *cache_w;
	/* an unpacked archive or image: its files' member digests (the
	 * per-file cache's keys) and the name the cache file is kept under
	 * (the input's real path); NULL for a directory */
	const struct deploy_digest *digests;
	size_t ndigests;
	const char *cache_name;
};

/*
 * The tree at dir as one deployable named `name` (what the user typed:
 * the directory, or the archive it came from) into g, with the run's
 * analyzers (r: its services and warnings; the root's own ELF context
 * is made here from o->elf with sysroot = dir, since its ids come from
 * the tree's inventory).  totals.tree holds the summary and the prune
 * list (tree-totals.c).  Every file-backed id is KIND:PATH, PATH relative to
 * dir.  Returns 0, or -1 with one error in errs.
 */
int deploy_tree(struct graph *g, const char *dir, const char *name,
		const struct deploy_opts *o, const struct run *r,
		struct diag_list *errs);

#endif
