/*
 * image.h - the manifests of a container image, read one way for every
 * command: `slim report` applies the layers they name (pipeline/unpack.c),
 * `slim diff` pairs two images' blobs through them
 * (analyzers/bytediff/image.c).
 *
 *   OCI image layout (image-spec image-layout.md, manifest.md,
 *   image-index.md): index.json, then the manifest it names (an image
 *   index is followed to its linux/amd64 manifest where platforms are
 *   said, else its first, at most IMAGE_NEST_MAX deep), then the
 *   manifest's config and layers, each a descriptor whose digest names
 *   blobs/ALG/HEX.
 *   `docker save` (Docker's image/tarexport): manifest.json, an array
 *   whose first entry names its Config file and its Layers in order.
 *
 * This file parses JSON only: the caller reads the image's files (a
 * directory, a tar in memory) through an image_load_fn.
 */
#ifndef SLIM_IMAGE_H
#define SLIM_IMAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag;

#define IMAGE_NEST_MAX 4        /* image indexes followed at most */

/* One blob an image names. */
struct image_blob {
	char *digest;           /* "ALG:ENCODED" as the descriptor says; NULL
				 * in a docker save's manifest.json; owned */
	char *path;             /* its file below the image's root:
				 * "blobs/ALG/ENCODED", or the name
				 * manifest.json gives, as written; owned */
	int64_t size;           /* the descriptor's size; -1 where none */
};

struct image_manifest {
	bool docker;            /* read from manifest.json */
	struct image_blob *docs;     /* OCI: each index or manifest blob
				 * followed from index.json, in order (the
				 * last is the manifest); docker: none */
	size_t ndocs;
	struct image_blob config;    /* path NULL where none is named */
	struct image_blob *layers;   /* in order, the lowest first */
	size_t nlayers;
};

/* Read the image file `name` (below the image's root) as JSON: a new
 * reference, or NULL with d set (file = the image, and the offset where
 * the JSON breaks where there is one). */
typedef json_t *image_load_fn(void *ctx, const char *name, struct diag *d);

/* The OCI layout read through load, into m (zeroed first; the caller
 * frees it with image_manifest_free() whatever the result).  0, or -1
 * with d set (file = `file`) and m holding what was read before the
 * error: the documents followed so far. */
int image_read_oci(struct image_manifest *m, image_load_fn *load, void *ctx,
		   const char *file, struct diag *d);

/* The first image of a parsed manifest.json into m (zeroed first): 0, or
 * -1 when it names no image (not an array of objects with Layers, a
 * Layers entry that is not a string); never sets a diagnostic, as a
 * tarball holding some other manifest.json is a plain archive. */
int image_read_docker(struct image_manifest *m, json_t *manifest);

/* blobs/ALG/ENCODED for a descriptor's digest into out[n], refusing
 * anything image-spec descriptor.md does not allow (algorithm
 * [a-z0-9]+([+._-][a-z0-9]+)*, encoded [a-zA-Z0-9=_-]+), so a digest
 * cannot name a path elsewhere.  0, or -1 with d set. */
int image_blob_path(const char *digest, char *out, size_t n, const char *file,
		    struct diag *d);

void image_manifest_free(struct image_manifest *m);

#endif
