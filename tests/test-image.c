/*
 * test-image.c - an image's manifests as common/image.c reads them, for
 * `slim report` (pipeline/unpack.c) and `slim diff` (bytediff/image.c)
 * alike: documents given by a loader over a table of names, so each rule
 * of the OCI image spec it follows is checked on its own --
 *   - index.json -> image index -> manifest: each document followed is
 *     listed in order, then the config and the layers with digest, path
 *     (blobs/ALG/ENCODED) and size;
 *   - an index with platforms picks linux/amd64, else the first;
 *   - a digest that could name a path elsewhere ("sha256:../x") is an
 *     error naming it, and what was read before stays;
 *   - a docker save manifest.json gives Config and Layers as written; one
 *     that is no image (an object, a layer that is not a string) is not
 *     an error, only "no image".
 */
#include "testutil.h"
#include "../common/diag.h"
#include "../common/image.h"

struct doc {
	const char *name, *json;
};

static json_t *table_load(void *ctx, const char *name, struct diag *d)
{
	for (const struct doc *t = ctx; t->name; t++)
		if (!strcmp(t->name, name))
			return json_loads(t->json, 0, NULL);
	diag_err(d, "img", "%s: not in the table", name);
	return NULL;
}

#define H1 "1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "2222222222222222222222222222222222222222222222222222222222222222"
#define H3 "3333333333333333333333333333333333333333333333333333333333333333"
#define H4 "4444444444444444444444444444444444444444444444444444444444444444"

Test(image, an_index_is_followed_to_the_amd64_manifest_and_its_blobs)
{
	struct doc t[] = {
		{"index.json", "{\"manifests\":[{\"digest\":\"sha256:" H1 "\"}]}"},
		{"blobs/sha256/" H1, "{\"manifests\":["
			"{\"digest\":\"sha256:" H4 "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
			"{\"digest\":\"sha256:" H2 "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}}]}"},
		{"blobs/sha256/" H2, "{\"config\":{\"digest\":\"sha256:" H3 "\",\"size\":7},"
			"\"layers\":[{\"digest\":\"sha256:" H4 "\",\"size\":99},{\"digest\":\"sha256:" H1 "\"}]}"},
		{NULL, NULL},
	};
	struct image_manifest m;
	struct diag d = {0};
	cr_assert_eq(image_read_oci(&m, table_load, t, "img", &d), 0, "%s", d.msg);
	cr_assert_eq(m.ndocs, 2);
	cr_assert_str_eq(m.docs[0].path, "blobs/sha256/" H1);
	cr_assert_str_eq(m.docs[1].digest, "sha256:" H2);
	cr_assert_str_eq(m.config.path, "blobs/sha256/" H3);
	cr_assert_eq(m.config.size, 7);
	cr_assert_eq(m.nlayers, 2);
	cr_assert_str_eq(m.layers[0].path, "blobs/sha256/" H4);
	cr_assert_eq(m.layers[0].size, 99);
	cr_assert_eq(m.layers[1].size, -1, "no size said: -1");
	image_manifest_free(&m);
}

Test(image, a_digest_naming_a_path_elsewhere_is_refused_and_what_was_read_stays)
{
	struct doc t[] = {
		{"index.json", "{\"manifests\":[{\"digest\":\"sha256:" H1 "\"}]}"},
		{"blobs/sha256/" H1, "{\"layers\":[{\"digest\":\"sha256:" H4 "\"},"
			"{\"digest\":\"sha256:../../etc/passwd\"}]}"},
		{NULL, NULL},
	};
	struct image_manifest m;
	struct diag d = {0};
	cr_assert_eq(image_read_oci(&m, table_load, t, "img", &d), -1);
	cr_assert(strstr(d.msg, "not a digest: 'sha256:../../etc/passwd'"), "%s", d.msg);
	cr_assert_str_eq(d.file, "img");
	cr_assert_eq(m.ndocs, 1, "the manifest read before the error stays");
	cr_assert_eq(m.nlayers, 1);
	image_manifest_free(&m);
}

Test(image, a_missing_manifest_is_the_loaders_error)
{
	struct doc t[] = {
		{"index.json", "{\"manifests\":[{\"digest\":\"sha256:" H2 "\"}]}"},
		{NULL, NULL},
	};
	struct image_manifest m;
	struct diag d = {0};
	cr_assert_eq(image_read_oci(&m, table_load, t, "img", &d), -1);
	cr_assert(strstr(d.msg, "blobs/sha256/" H2 ": not in the table"), "%s", d.msg);
	cr_assert_eq(m.ndocs, 1);
	cr_assert_eq(m.nlayers, 0);
	image_manifest_free(&m);
}

Test(image, docker_saves_manifest_gives_config_and_layers_as_written)
{
	json_t *j = json_loads("[{\"Config\":\"abc.json\",\"RepoTags\":[\"x:y\"],"
			       "\"Layers\":[\"l1/layer.tar\",\"blobs/sha256/" H1 "\"]}]", 0, NULL);
	struct image_manifest m;
	cr_assert_eq(image_read_docker(&m, j), 0);
	cr_assert(m.docker);
	cr_assert_str_eq(m.config.path, "abc.json");
	cr_assert_null(m.config.digest);
	cr_assert_eq(m.nlayers, 2);
	cr_assert_str_eq(m.layers[0].path, "l1/layer.tar");
	image_manifest_free(&m);
	json_decref(j);
	j = json_loads("[{\"Layers\":[\"a\",3]}]", 0, NULL);
	cr_assert_eq(image_read_docker(&m, j), -1, "a layer that is not a string: no image");
	image_manifest_free(&m);
	json_decref(j);
	j = json_loads("{\"Layers\":[\"a\"]}", 0, NULL);
	cr_assert_eq(image_read_docker(&m, j), -1, "an object, not an array: no image");
	image_manifest_free(&m);
	json_decref(j);
}
