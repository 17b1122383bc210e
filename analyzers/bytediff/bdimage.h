/*
 * bdimage.h - what the files of `slim diff` on two container images share
 * (analyzers/bytediff/image*.c; not public):
 *
 *   image.c        the two sides (a layout directory, or a tarball mapped
 *                  and listed), the pairs the manifests make, the run
 *   image-json.c   a JSON document pair (config, manifest, index) walked
 *                  in step: times, and digests of blobs compared before
 *   image-check.c  where a layer blob stops being gzip, zstd or tar, for
 *                  the one line a corrupt layer gets
 */
#ifndef SLIM_BDIMAGE_H
#define SLIM_BDIMAGE_H

#include "bdint.h"

#include <jansson.h>

#include "../../common/image.h"
#include "../../common/mfile.h"

/* One operand. */
struct iside {
	const char *path;             /* as given */
	int dirfd;                    /* a layout directory, else -1 */
	struct mfile tar;             /* a tarball, mapped */
	struct bd_tmem *mem;
	size_t nmem;
	struct image_manifest im;
	struct diag_list *errs;
	char *said;                   /* the document whose JSON broke while
				       * the manifests were read (said then) */
	char **v1;                    /* docker save: layer k's legacy
				       * directory (its v1 id), or NULL */
	char **names;                 /* rest_list()'s names, owned */
	bool top;                     /* index.json or manifest.json found */
	size_t nnames;
};

/* A file of one side: its bytes, where messages say it is. */
struct iblob {
	const unsigned char *p;
	size_t n;
	uint64_t base;                /* its offset in `file` */
	struct mfile m;               /* a layout's file, mapped */
	char file[4352];
};

/* One pair of what the manifests name. */
enum role { R_TOP, R_DOC, R_CONFIG, R_LAYER };
struct pair {
	enum role role;
	size_t k;                     /* the k-th doc or layer */
	const char *a, *b;            /* each side's file, NULL if none */
	const char *da, *db;          /* each side's digest, or NULL */
	const char *ia, *ib;          /* a layer's v1 id (docker save), or NULL */
	char label[128];
	size_t rowidx;                /* in the staging result; SIZE_MAX: none */
	bool done, explained;
	enum bd_cause main;           /* the cause with most of its bytes */
};


/* A tar member's name as the image's files are named: "./" and "/" cut. */
const char *bdi_clean(const char *s);
/* b's bytes as JSON (at most 16 MiB), or NULL with d set (b's file and
 * the offset where it breaks). */
json_t *bdi_parse(const struct iblob *b, const char *name, struct diag *d);

/* image-json.c: the JSON documents x and y (`what`, NEW's name) compared
 * into c->f, the pairs[0..npairs) telling what a digest names.  A side
 * that is not JSON gets a line in c->errs unless said_a/said_b (reading
 * the manifests said it), and the pair is compared as bytes. */
void bdi_json_units(struct bd_ctx *c, const struct pair *pairs, size_t npairs,
		    const char *what, const struct iblob *x, const struct iblob *y,
		    bool said_a, bool said_b);

/* image-check.c: the first place [p, p+n) stops being a gzip, zstd or
 * plain tar stream: why, with *off (in p) and *toff (in the decompressed
 * tar, or -1); NULL when it reads to its end. */
const char *bdi_layer_check(const unsigned char *p, size_t n, uint64_t *off, int64_t *toff);
/* image-check.c: a layer pair units.c found unreadable on some side
 * (lerrs: what it said): one line in errs per side that stops being a
 * gzip, zstd or tar stream, with its file and offset; lerrs as they are
 * when neither does (a member inside broke). */
void bdi_corrupt_layer(const struct pair *pr, const struct iblob *x, const struct iblob *y,
		       struct diag_list *lerrs, struct diag_list *errs);

#endif
