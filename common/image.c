/*
 * image.c - an image's manifests (image.h): the OCI layout's chain
 * index.json -> image indexes -> manifest -> config and layers, after
 * the OCI image spec (image-layout.md, image-index.md, manifest.md,
 * descriptor.md), and a `docker save` tarball's manifest.json (Docker's
 * image/tarexport/save.go writes it: [{"Config", "RepoTags", "Layers"}]).
 * Moved here from pipeline/unpack.c so that `slim diff` pairs two images
 * through the same reading that `slim report` unpacks them with.
 */
#include "image.h"
#include "diag.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

int image_blob_path(const char *digest, char *out, size_t n, const char *file,
		    struct diag *d)
{
	const char *c = digest ? strchr(digest, ':') : NULL;
	bool ok = c && c > digest && c[1] && strlen(digest) < 256;
	for (const char *p = digest; ok && p < c; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		     (strchr("+._-", *p) && p > digest && p + 1 < c && !strchr("+._-", p[1]));
	for (const char *p = c ? c + 1 : ""; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		     (*p >= '0' && *p <= '9') || strchr("=_-", *p);
	if (!ok)
		return diag_err(d, file, "not a digest: '%s'", digest ? digest : "(none)");
	snprintf(out, n, "blobs/%.*s/%s", (int)(c - digest), digest, c + 1);
	return 0;
}

/* An index's manifests[]: the linux/amd64 one where platforms are said,
 * else the first. */
static json_t *pick(json_t *idx)
{
	json_t *ms = json_object_get(idx, "manifests"), *m;
	size_t i;
	json_array_foreach(ms, i, m) {
		json_t *pl = json_object_get(m, "platform");
		const char *os = json_string_value(json_object_get(pl, "os"));
		const char *arch = json_string_value(json_object_get(pl, "architecture"));
		if (os && arch && !strcmp(os, "linux") && !strcmp(arch, "amd64"))
			return m;
	}
	return json_array_get(ms, 0);
}

/* A descriptor as a blob: 0, or -1 with d set (its digest names no blob). */
static int desc_blob(struct image_blob *b, json_t *desc, const char *file, struct diag *d)
{
	char p[512];
	const char *dg = json_string_value(json_object_get(desc, "digest"));
	if (image_blob_path(dg, p, sizeof p, file, d))
		return -1;
	json_t *sz = json_object_get(desc, "size");
	*b = (struct image_blob){xstrdup(dg), xstrdup(p),
				 json_is_integer(sz) ? (int64_t)json_integer_value(sz) : -1};
	return 0;
}

int image_read_oci(struct image_manifest *m, image_load_fn *load, void *ctx,
		   const char *file, struct diag *d)
{
	memset(m, 0, sizeof *m);
	json_t *j = load(ctx, "index.json", d);
	for (int depth = 0; j && depth < IMAGE_NEST_MAX; depth++) {
		json_t *layers = json_object_get(j, "layers"), *l;
		if (json_is_array(layers)) {
			struct diag quiet = {0};
			size_t i;
			/* a config whose digest names no blob is no config:
			 * unpacking needs only the layers */
			if (json_object_get(j, "config") &&
			    desc_blob(&m->config, json_object_get(j, "config"), file, &quiet))
				memset(&m->config, 0, sizeof m->config);
			m->layers = xcalloc(json_array_size(layers) + 1, sizeof *m->layers);
			json_array_foreach(layers, i, l) {
				if (desc_blob(&m->layers[m->nlayers], l, file, d))
					goto fail;
				m->nlayers++;
			}
			json_decref(j);
			return 0;
		}
		json_t *desc = pick(j);
		if (!desc) {
			diag_err(d, file, "index.json: no manifest for an image");
			goto fail;
		}
		m->docs = xreallocarray(m->docs, m->ndocs + 1, sizeof *m->docs);
		if (desc_blob(&m->docs[m->ndocs], desc, file, d))
			goto fail;
		m->ndocs++;
		json_decref(j);
		j = load(ctx, m->docs[m->ndocs - 1].path, d);
	}
	if (j)
		diag_err(d, file, "index.json: image indexes nested deeper than %d", IMAGE_NEST_MAX);
fail:
	json_decref(j);
	return -1;
}

int image_read_docker(struct image_manifest *m, json_t *manifest)
{
	memset(m, 0, sizeof *m);
	m->docker = true;
	json_t *image = json_array_get(manifest, 0), *l;
	json_t *layers = json_object_get(image, "Layers");
	const char *cfg = json_string_value(json_object_get(image, "Config"));
	size_t i;
	if (!json_is_array(layers) || !json_array_size(layers))
		return -1;
	m->layers = xcalloc(json_array_size(layers) + 1, sizeof *m->layers);
	json_array_foreach(layers, i, l) {
		if (!json_is_string(l))
			return -1;
		m->layers[m->nlayers++] = (struct image_blob){NULL, xstrdup(json_string_value(l)), -1};
	}
	if (cfg)
		m->config = (struct image_blob){NULL, xstrdup(cfg), -1};
	return 0;
}

static void blob_free(struct image_blob *b)
{
	free(b->digest);
	free(b->path);
}

void image_manifest_free(struct image_manifest *m)
{
	for (size_t i = 0; i < m->ndocs; i++)
		blob_free(&m->docs[i]);
	for (size_t i = 0; i < m->nlayers; i++)
		blob_free(&m->layers[i]);
	blob_free(&m->config);
	free(m->docs);
	free(m->layers);
	memset(m, 0, sizeof *m);
}
