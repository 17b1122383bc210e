/*
 * unpack.c - archives and images into a private directory (deploy.h): the
 * entry points, detection, and the two image formats; one archive stream
 * is written by unpack-member.c (unpack.h).
 *
 * The root is made with mkdtemp() (mode 0700) under $TMPDIR or /tmp and
 * every write goes through its fd.  What is read:
 *   - a tar (plain, gzip, bzip2, xz, zstd) or a zip, wheel, pex or zipapp:
 *     libarchive's tar and zip readers, the zip one seekable from the
 *     central directory, so a shebang line before the zip (pex, zipapp)
 *     is read as Python's zipimport reads it;
 *   - an OCI image layout (image-spec image-layout.md): oci-layout and
 *     index.json, the manifest it names (an image index is followed to the
 *     linux/amd64 manifest, else its first), then each layer blob in
 *     order (layer.md: tar through any of the filters), whiteouts applied;
 *   - a `docker save` tarball (Docker's image/tarexport: manifest.json, an
 *     array whose first entry's Layers name the layer tars in order), and
 *     an OCI layout sent as a tar (skopeo's oci-archive, Docker 25's save):
 *     the tarball is unpacked as a plain archive first, then if its top
 *     holds an OCI layout or such a manifest.json its layers are applied
 *     into a second root and the first removed.
 * The manifests of both image formats are read by common/image.c, as
 * `slim diff` reads them to pair two images' blobs.
 * Bytes written are bounded (struct deploy_unpack_opts); on any error the
 * directory is removed before returning.
 */
#include "unpack.h"
#include "../common/diag.h"
#include "../common/image.h"
#include "../common/mfile.h"
#include "../common/rootopen.h"
#include "../common/util.h"

#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JSON_MAX (16u << 20)   /* an index or manifest larger is no image's */

/* ---- detection ---- */

static uint64_t octal(const unsigned char *p, size_t n)
{
	uint64_t v = 0;
	size_t i = 0;
	while (i < n && p[i] == ' ')
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '7'; i++)
		v = v * 8 + (uint64_t)(p[i] - '0');
	return v;
}

/* A tar header (POSIX ustar, GNU, or v7): its checksum adds up, counting
 * the checksum field as spaces, unsigned (tar.h) or signed (old tars). */
static bool tar_header(const unsigned char *p, size_t n)
{
	if (n < 512 || !p[0] || (!(p[148] >= '0' && p[148] <= '7') && p[148] != ' '))
		return false;
	uint64_t want = octal(p + 148, 8), su = 0;
	int64_t ss = 0;
	for (size_t i = 0; i < 512; i++) {
		unsigned char c = i >= 148 && i < 156 ? ' ' : p[i];
		su += c;
		ss += (signed char)c;
	}
	return want == su || (uint64_t)ss == want;
}

/* A zip behind a `#!` line (pex, zipapp): the next line starts a local
 * header, and the end-of-central-directory record lies in the last 64 KiB
 * + 22 bytes, as zipimport looks for it. */
static bool shebang_zip(const unsigned char *p, size_t n)
{
	const unsigned char *nl = memchr(p, '\n', n);
	if (!nl || (size_t)(nl + 1 - p) + 4 > n || memcmp(nl + 1, "PK\3\4", 4))
		return false;
	size_t from = n > 65557 ? n - 65557 : 0;
	for (size_t i = n - 22 + 1; i-- > from;)
		if (!memcmp(p + i, "PK\5\6", 4))
			return true;
	return false;
}

/* gzip, xz, zstd or bzip2: a layer stored compressed, whose diff_id is
 * of the bytes inside */
static bool deploy_is_compressed(const unsigned char *p, size_t n)
{
	return (n >= 2 && p[0] == 0x1f && p[1] == 0x8b) ||
	       (n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6)) ||
	       (n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4)) ||
	       (n >= 3 && !memcmp(p, "BZh", 3));
}

bool deploy_is_archive(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return true;   /* gzip */
	if (n >= 6 && !memcmp(p, "\xfd" "7zXZ\0", 6))
		return true;   /* xz */
	if (n >= 4 && !memcmp(p, "\x28\xb5\x2f\xfd", 4))
		return true;   /* zstd frame */
	if (n >= 10 && !memcmp(p, "BZh", 3) && p[3] >= '1' && p[3] <= '9' &&
	    (!memcmp(p + 4, "\x31\x41\x59\x26\x53\x59", 6) ||
	     !memcmp(p + 4, "\x17\x72\x45\x38\x50\x90", 6)))
		return true;   /* bzip2: a block, or the end of an empty stream */
	if (n >= 4 && (!memcmp(p, "PK\3\4", 4) || !memcmp(p, "PK\5\6", 4)))
		return true;   /* zip, wheel; an empty zip */
	if (n >= 26 && p[0] == '#' && p[1] == '!' && shebang_zip(p, n))
		return true;   /* pex, zipapp */
	if (n >= 512 && !memcmp(p + 257, "ustar", 5))
		return tar_header(p, n);
	return tar_header(p, n);   /* v7 */
}

bool deploy_is_oci_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat a, b;
	bool ok = !fstatat(fd, "oci-layout", &a, 0) && S_ISREG(a.st_mode) &&
		  !fstatat(fd, "index.json", &b, 0) && S_ISREG(b.st_mode);
	close(fd);
	return ok;
}

/* ---- the private root ---- */

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return flag == FTW_DP || flag == FTW_D ? rmdir(p) : unlink(p);
}

static void remove_dir(const char *dir)
{
	if (*dir)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

void deploy_cleanup(struct deploy_unpacked *u)
{
	remove_dir(u->dir);
	for (size_t i = 0; i < u->nhidden; i++)
		free(u->hidden[i].path);
	free(u->hidden);
	free(u->digests);
	memset(u, 0, sizeof *u);
}

struct dig_at {
	struct deploy_digest d;
	size_t at;              /* the write's order */
};

static int by_ino(const void *a, const void *b)
{
	const struct dig_at *x = a, *y = b;
	if (x->d.ino != y->d.ino)
		return x->d.ino < y->d.ino ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

/* one digest per inode, the last written (a freed inode number can be
 * reused by a later member), sorted by inode for tree-cache.c */
static void digests_final(struct deploy_unpacked *u)
{
	size_t n = u->ndigests, k = 0;
	struct dig_at *v = xcalloc(n + 1, sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = (struct dig_at){u->digests[i], i};
	qsort(v, n, sizeof *v, by_ino);
	for (size_t i = 0; i < n; i++)
		if (i + 1 == n || v[i + 1].d.ino != v[i].d.ino)
			u->digests[k++] = v[i].d;
	u->ndigests = k;
	free(v);
}

/* A new mkdtemp() root in u->dir, open as x->rootfd. */
static int make_root(struct ux *x, const struct deploy_unpack_opts *o)
{
	const char *t = o->tmpdir ? o->tmpdir : getenv("TMPDIR");
	if (!t || !*t)
		t = "/tmp";
	struct deploy_unpacked *u = x->u;
	if ((size_t)snprintf(u->dir, sizeof u->dir, "%s/slim-unpack.XXXXXX", t) >= sizeof u->dir ||
	    !mkdtemp(u->dir)) {
		int e = errno;
		u->dir[0] = 0;
		return diag_err(x->d, x->path, "cannot make a directory to unpack into under %s: %s",
				t, strerror(e));
	}
	x->rootfd = open(u->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", x->rootfd);
	ssize_t l = x->rootfd < 0 ? -1 : readlink(proc, x->rootreal, sizeof x->rootreal - 1);
	if (l < 0)
		return diag_err(x->d, x->path, "cannot open %s: %s", u->dir, strerror(errno));
	x->rootreal[l] = 0;
	return 0;
}

static uint64_t bound(const struct deploy_unpack_opts *o, uint64_t in)
{
	uint64_t b;
	if (o->max_bytes)
		return o->max_bytes;
	if (!mul_ok(in, DEPLOY_UNPACK_RATIO, &b) || b > UINT64_MAX - DEPLOY_UNPACK_SLACK)
		return UINT64_MAX;
	return b + DEPLOY_UNPACK_SLACK;
}

/* One archive (or layer) from an open fd into the root; fd is closed. */
static int extract_fd(struct ux *x, int fd)
{
	struct archive *a = ux_reader();
	int rc = -1;
	if (!a) {
		close(fd);
		return diag_err(x->d, x->path, "%scannot start libarchive", x->label);
	}
	if (archive_read_open_fd(a, fd, 65536) != ARCHIVE_OK) {
		const char *m = archive_error_string(a);
		/* where reading stopped: a short stream fails while the
		 * formats bid, before libarchive counts any bytes */
		off_t off = lseek(fd, 0, SEEK_CUR);
		diag_err_at(x->d, x->path, off > 0 ? (uint64_t)off : 0, "%s%s", x->label,
			    m ? m : "not an archive");
	} else {
		rc = ux_extract(x, a);
	}
	archive_read_free(a);
	close(fd);
	return rc;
}

/* ---- images ---- */

/* The JSON file `name` below dirfd (inside it), at most JSON_MAX bytes. */
static json_t *load_json(struct ux *x, int dirfd, const char *name)
{
	int fd = open_in_root(dirfd, name, 0);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > JSON_MAX) {
		diag_err(x->d, x->path, "%s: %s", name, fd < 0 ? strerror(errno) :
			 "not a regular file of at most 16 MiB");
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	FILE *fp = fdopen(fd, "r");
	json_error_t err;
	json_t *j = fp ? json_loadf(fp, JSON_REJECT_DUPLICATES, &err) : NULL;
	if (fp)
		fclose(fp);
	else
		close(fd);
	if (!j)
		diag_err_at(x->d, x->path, fp ? (uint64_t)err.position : 0, "%s: %s", name,
			    fp ? err.text : "cannot read it");
	return j;
}

/* index.json and the blobs it leads to, read below dirfd */
struct oci_load {
	struct ux *x;
	int dirfd;
};

static json_t *oci_load(void *ctx, const char *name, struct diag *d)
{
	struct oci_load *l = ctx;
	return load_json(l->x, l->dirfd, name);
}

/* The layer paths of the OCI layout at dirfd, in order, into *v
 * (common/image.c reads the chain of manifests). */
static int oci_layers(struct ux *x, int dirfd, char ***v, size_t *n)
{
	struct image_manifest m;
	struct oci_load l = {x, dirfd};
	int rc = image_read_oci(&m, oci_load, &l, x->path, x->d);
	for (size_t i = 0; !rc && i < m.nlayers; i++) {
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[(*n)++] = xstrdup(m.layers[i].path);
	}
	image_manifest_free(&m);
	return rc;
}

/* The image config a docker save names (manifest.json's Config): its
 * rootfs.diff_ids, the sha256 of each layer's uncompressed tar (image
 * spec config.md), into x->diff_ids when there is one per layer.  A
 * config that cannot be read leaves them unchecked, as before. */
static void docker_diff_ids(struct ux *x, int dirfd, const char *c, size_t nlayers)
{
	char name[4096];
	bool abs;
	struct diag quiet = {0}, *keep = x->d;
	if (!c || ux_clean_name(c, name, sizeof name, &abs) || !*name)
		return;
	x->d = &quiet;   /* no config: no check, no error */
	json_t *cfg = load_json(x, dirfd, name);
	x->d = keep;
	json_t *ids = json_object_get(json_object_get(cfg, "rootfs"), "diff_ids"), *id;
	size_t i;
	if (json_array_size(ids) == nlayers) {
		x->diff_ids = xcalloc(nlayers + 1, sizeof *x->diff_ids);
		json_array_foreach(ids, i, id) {
			const char *s = json_string_value(id);
			if (s && !strncmp(s, "sha256:", 7) && strlen(s) == 71)
				x->diff_ids[i] = xstrdup(s + 7);
		}
		x->ndiff_ids = nlayers;
	}
	json_decref(cfg);
}

/* `docker save`'s manifest.json: the first image's Layers.  0 with none
 * found (not a docker save tarball), 1 with layers, -1 on error. */
static int docker_layers(struct ux *x, int dirfd, char ***v, size_t *n)
{
	struct stat st;
	if (fstatat(dirfd, "manifest.json", &st, AT_SYMLINK_NOFOLLOW) || !S_ISREG(st.st_mode))
		return 0;
	json_error_t err;
	json_t *j = NULL;
	int fd = openat(dirfd, "manifest.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	FILE *fp = fd >= 0 && st.st_size <= JSON_MAX ? fdopen(fd, "r") : NULL;
	if (fp) {
		j = json_loadf(fp, 0, &err);
		fclose(fp);
	} else if (fd >= 0) {
		close(fd);
	}
	struct image_manifest m;
	bool image = !image_read_docker(&m, j);
	for (size_t i = 0; image && i < m.nlayers; i++) {
		char name[4096];
		bool abs;
		const char *s = m.layers[i].path;
		struct stat ls;
		int lfd = -1;
		/* Docker 25 writes ID/layer.tar as a symlink into blobs/:
		 * followed inside the tarball's tree only */
		bool ok = !ux_clean_name(s, name, sizeof name, &abs) && *name &&
			  (lfd = open_in_root(dirfd, name, 0)) >= 0 && !fstat(lfd, &ls) &&
			  S_ISREG(ls.st_mode);
		if (lfd >= 0)
			close(lfd);
		if (!ok)
			break;
		*v = xreallocarray(*v, *n + 1, sizeof **v);
		(*v)[(*n)++] = xstrdup(name);
	}
	int rc = image && *n && *n == m.nlayers;
	if (rc)
		docker_diff_ids(x, dirfd, m.config.path, *n);
	image_manifest_free(&m);
	json_decref(j);
	return rc;
}

/* A content-addressed layer (blobs/sha256/HEX: an OCI layout's, or a
 * docker save of Docker 25) is the bytes its digest names (image-spec
 * descriptor.md: the digest of the blob as stored, compressed), checked
 * before anything of it is written: a blob damaged or swapped after the
 * manifest was made is an error naming the layer.  Layers named
 * otherwise (older docker save's ID/layer.tar) carry no digest of their
 * own: there the image config's rootfs.diff_ids are, the sha256 of each
 * layer's uncompressed tar, checked where the layer is stored as a plain
 * tar; other algorithms than sha256 are not checked. */
static int verify_blob(struct ux *x, int fd, const char *path, size_t layer)
{
	static const char pre[] = "blobs/sha256/";
	const char *want = path + sizeof pre - 1, *what = "the digest the manifest names";
	char got[65];
	if (strncmp(path, pre, sizeof pre - 1) || strlen(want) != 64) {
		/* docker save: the config's diff_id, of the uncompressed tar */
		unsigned char h[6];
		want = layer <= x->ndiff_ids ? x->diff_ids[layer - 1] : NULL;
		what = "the diff_id the image config names";
		if (!want || pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h ||
		    deploy_is_compressed(h, sizeof h))
			return 0;
	}
	if (sha256_fd_hex(fd, got))
		return diag_err(x->d, x->path, "layer %zu (%s): cannot read it: %s", layer, path,
				strerror(errno));
	if (strcmp(got, want))
		return diag_err(x->d, x->path, "layer %zu (%s): its sha256 is %s, not %s",
				layer, path, got, what);
	return 0;
}

/* Apply layers (paths below dirfd) in order into x's root. */
static int apply_layers(struct ux *x, int dirfd, char **v, size_t n,
			const struct deploy_unpack_opts *o)
{
	uint64_t in = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		int fd = open_in_root(dirfd, v[i], 0);
		if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			return diag_err(x->d, x->path, "layer %zu (%s): %s", i + 1, v[i],
					fd < 0 ? strerror(e) : "not a regular file");
		}
		int bad = verify_blob(x, fd, v[i], i + 1);
		close(fd);
		if (bad)
			return -1;
		in += (uint64_t)st.st_size;
	}
	/* (an OCI layout directory set no bound before: max_bytes, when
	 * given, is its bound too) */
	x->limit = bound(o, in);
	x->u->nlayers = (unsigned)n;
	x->u->bytes = x->u->files = 0;
	char label[64];
	for (size_t i = 0; i < n; i++) {
		x->layer = (unsigned)i + 1;
		snprintf(label, sizeof label, "layer %zu: ", i + 1);
		x->label = label;
		int fd = open_in_root(dirfd, v[i], 0);
		if (fd < 0)
			return diag_err(x->d, x->path, "layer %zu (%s): %s", i + 1, v[i], strerror(errno));
		if (extract_fd(x, fd))
			return -1;
	}
	x->label = "";
	return 0;
}

/* The root x holds an image (an OCI layout or a docker save tarball,
 * unpacked as a plain archive): apply its layers into a new root and
 * remove the first.  0 when it is no image, or when applied. */
static int image_in_root(struct ux *x, const struct deploy_unpack_opts *o)
{
	char **v = NULL, stage[sizeof x->u->dir];
	size_t n = 0;
	struct stat a, b;
	bool oci = !fstatat(x->rootfd, "oci-layout", &a, AT_SYMLINK_NOFOLLOW) && S_ISREG(a.st_mode) &&
		   !fstatat(x->rootfd, "index.json", &b, AT_SYMLINK_NOFOLLOW) && S_ISREG(b.st_mode);
	int rc = oci ? (oci_layers(x, x->rootfd, &v, &n) ? -1 : 1) : docker_layers(x, x->rootfd, &v, &n);
	if (rc > 0) {
		int stagefd = x->rootfd;
		snprintf(stage, sizeof stage, "%s", x->u->dir);
		rc = make_root(x, o);
		if (!rc)
			rc = apply_layers(x, stagefd, v, n, o);
		close(stagefd);
		remove_dir(stage);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return rc < 0 ? -1 : 0;
}

/* An OCI layout directory at path. */
static int oci_dir(struct ux *x, const char *path, const struct deploy_unpack_opts *o)
{
	char **v = NULL;
	size_t n = 0;
	int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return diag_err(x->d, path, "cannot open it: %s", strerror(errno));
	int rc = oci_layers(x, dfd, &v, &n);
	if (!rc)
		rc = make_root(x, o);
	if (!rc)
		rc = apply_layers(x, dfd, v, n, o);
	close(dfd);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return rc;
}

int deploy_unpack_with(const char *path, const struct deploy_unpack_opts *o,
		       struct deploy_unpacked *u, struct diag_list *w, struct diag *d)
{
	static const struct deploy_unpack_opts defaults;
	struct ux x = {.path = path, .label = "", .rootfd = -1, .u = u, .w = w, .d = d};
	struct stat st;
	int rc;
	memset(u, 0, sizeof *u);
	if (!o)
		o = &defaults;
	if (stat(path, &st))
		return diag_err(d, path, "cannot read it: %s", strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		rc = deploy_is_oci_dir(path) ? oci_dir(&x, path, o) :
		     diag_err(d, path, "a directory, but not an OCI image layout (no oci-layout and index.json)");
	} else {
		x.limit = bound(o, (uint64_t)st.st_size);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		rc = fd < 0 ? diag_err(d, path, "cannot read it: %s", strerror(errno)) : make_root(&x, o);
		if (!rc)
			rc = extract_fd(&x, fd);
		else if (fd >= 0)
			close(fd);
		if (!rc)
			rc = image_in_root(&x, o);
	}
	if (x.rootfd >= 0)
		close(x.rootfd);
	ux_free(&x);
	if (rc)
		deploy_cleanup(u);
	else
		digests_final(u);
	return rc;
}

int deploy_unpack(const char *path, struct deploy_unpacked *u,
		  struct diag_list *w, struct diag *d)
{
	return deploy_unpack_with(path, NULL, u, w, d);
}
