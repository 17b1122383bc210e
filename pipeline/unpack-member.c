/*
 * unpack-member.c - one archive stream (libarchive) written into the
 * private root of an unpack (unpack.h, deploy.h).
 *
 * Each member, as GNU tar's extract.c and safer_name_suffix() treat it,
 * with what the root must never let through:
 *   - the name: a leading '/' is stripped with a warning (tar's
 *     "Removing leading `/' from member names"), "." components and
 *     repeated slashes dropped; a ".." component refuses the member;
 *   - its directory: opened component by component with O_NOFOLLOW from
 *     the root's fd, made as needed; a component that is a symlink (an
 *     in-root link such as Debian's lib -> usr/lib) is crossed with
 *     open_in_root() (RESOLVE_IN_ROOT), so no write ever lands outside;
 *   - regular files: created O_EXCL|O_NOFOLLOW after whatever was there
 *     is removed (a later member replaces an earlier one, as in tar and
 *     image layers), streamed in libarchive's blocks at their offsets
 *     (sparse files), every byte counted against the unpack's bound;
 *   - symlinks: kept unless a relative target climbs above the root from
 *     the link's directory (an absolute one resolves inside the root, as
 *     ld.so would see it chrooted there);
 *   - hardlinks: only to a file already unpacked, never to itself (the one
 *     cycle a tar can express) nor to a directory;
 *   - devices, fifos and sockets: skipped with a warning.
 * In an image's layers (OCI image spec, layer.md "Whiteouts"): `.wh.NAME`
 * removes NAME from the lower layers, `.wh..wh..opq` empties its directory
 * of what the lower layers put there, and every file a layer overwrites or
 * removes is recorded with its bytes and layers (struct deploy_hidden).
 */
#include "unpack.h"
#include "../common/diag.h"
#include "../common/rootopen.h"
#include "../common/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY   /* XXH3_state_t on the stack */
#include <xxhash.h>

#define PATH_LEN 4096

/* What the layered map knows of one path on disk. */
struct ux_ent {
	unsigned layer;
	bool live, dir;
	uint64_t bytes;
	char path[];
};

/* ---- names ---- */

const char *ux_clean_name(const char *in, char *out, size_t n, bool *abs)
{
	size_t o = 0;
	*abs = in[0] == '/';
	const char *p = in;
	while (*p) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *e = strchrnul(p, '/');
		size_t l = (size_t)(e - p);
		if (l == 2 && p[0] == '.' && p[1] == '.')
			return "its name has a '..' component";
		if (!(l == 1 && p[0] == '.')) {
			if (o + 1 + l + 1 > n)
				return "its name is too long";
			if (o)
				out[o++] = '/';
			memcpy(out + o, p, l);
			o += l;
		}
		p = e;
	}
	out[o] = 0;
	return NULL;
}

/* Split "a/b/c" into "a/b" and "c" (dir "" at the top). */
static void split(const char *name, char *dir, const char **base)
{
	const char *s = strrchr(name, '/');
	size_t l = s ? (size_t)(s - name) : 0;
	memcpy(dir, name, l);
	dir[l] = 0;
	*base = s ? s + 1 : name;
}

/* Does a symlink in dir (relative to the root) with this relative target
 * climb above the root, read lexically from the link's place? */
static bool link_escapes(const char *dir, const char *target)
{
	if (target[0] == '/')
		return false;
	long depth = 0;
	for (const char *p = dir; *p; p = *p ? p + 1 : p) {
		depth++;
		p = strchrnul(p, '/');
	}
	for (const char *p = target; *p;) {
		while (*p == '/')
			p++;
		const char *e = strchrnul(p, '/');
		size_t l = (size_t)(e - p);
		if (l == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return true;
		} else if (l && !(l == 1 && p[0] == '.')) {
			depth++;
		}
		p = e;
	}
	return false;
}

/* ---- messages ---- */

static void warn(struct ux *x, uint64_t pos, const char *member, const char *why)
{
	diag_warn_at(x->w, x->path, pos, "%smember '%s' refused: %s", x->label,
		     member, why);
}

/* A filesystem call failed for a member: the disk's state (full, gone
 * read-only, out of fds) stops the unpack; anything else refuses the
 * member alone. */
static int fs_fail(struct ux *x, uint64_t pos, const char *member, const char *what)
{
	int e = errno;
	if (e == ENOSPC || e == EDQUOT || e == EIO || e == EROFS || e == ENOMEM ||
	    e == EMFILE || e == ENFILE)
		return diag_err_at(x->d, x->path, pos, "%smember '%s': %s: %s",
				   x->label, member, what, strerror(e));
	char why[512];
	snprintf(why, sizeof why, "%s: %s", what, strerror(e));
	warn(x, pos, member, why);
	return 0;
}

/* ---- directories below the root ---- */

/* The path of fd relative to the root, into out ("" for the root). */
static int canon_of(struct ux *x, int fd, char *out, size_t n)
{
	char proc[64], real[PATH_LEN];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	ssize_t l = readlink(proc, real, sizeof real - 1);
	if (l < 0)
		return -1;
	real[l] = 0;
	size_t rl = strlen(x->rootreal);
	if (strncmp(real, x->rootreal, rl) || (real[rl] && real[rl] != '/')) {
		errno = EXDEV;
		return -1;
	}
	snprintf(out, n, "%s", real[rl] ? real + rl + 1 : "");
	return 0;
}

/* Open the directory `dir` (a clean name) below the root, making missing
 * components when `create`; an in-root symlink on the way is crossed
 * inside the root.  canon: its path with no symlink in it.  An fd, or -1
 * with errno. */
static int open_dir(struct ux *x, const char *dir, bool create, char *canon, size_t cn)
{
	int fd = fcntl(x->rootfd, F_DUPFD_CLOEXEC, 0);
	bool crossed = false;
	const char *p = dir;
	while (fd >= 0 && *p) {
		const char *e = strchrnul(p, '/');
		char comp[256], pre[PATH_LEN];
		if ((size_t)(e - p) >= sizeof comp) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		snprintf(comp, sizeof comp, "%.*s", (int)(e - p), p);
		snprintf(pre, sizeof pre, "%.*s", (int)(e - dir), dir);
		const int fl = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
		int nfd = openat(fd, comp, fl);
		if (nfd < 0 && errno == ENOENT && create) {
			if (mkdirat(fd, comp, 0755) == 0 || errno == EEXIST)
				nfd = openat(fd, comp, fl);
		} else if (nfd < 0 && (errno == ELOOP || errno == ENOTDIR)) {
			struct stat st;
			errno = ENOTDIR;
			if (!fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode)) {
				nfd = open_in_root(x->rootfd, pre, O_DIRECTORY);
				crossed = true;
			}
		}
		int keep = errno;
		close(fd);
		errno = keep;
		fd = nfd;
		p = *e ? e + 1 : e;
	}
	if (fd < 0)
		return -1;
	if (crossed ? canon_of(x, fd, canon, cn) : (snprintf(canon, cn, "%s", dir), 0)) {
		int keep = errno;
		close(fd);
		errno = keep;
		return -1;
	}
	return fd;
}

/* dir/base into out; "" when it does not fit (names are cut at
 * PATH_LEN before they get here). */
static void join(char *out, size_t n, const char *dir, const char *base)
{
	size_t dl = strlen(dir), bl = strlen(base), o = 0;
	if (dl + 1 + bl + 1 > n) {
		out[0] = 0;
		return;
	}
	memcpy(out, dir, dl);
	o = dl;
	if (dl)
		out[o++] = '/';
	memcpy(out + o, base, bl + 1);
}

/* ---- removal ---- */

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	return flag == FTW_DP || flag == FTW_D ? rmdir(p) : unlink(p);
}

int ux_remove_tree(int dirfd, const char *name)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dirfd, name, 0);
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char proc[64], real[PATH_LEN];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	ssize_t l = readlink(proc, real, sizeof real - 1);
	close(fd);
	if (l < 0)
		return -1;
	real[l] = 0;
	/* a real path (no symlink in it), walked without following any */
	return nftw(real, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* ---- the layered map ---- */

static struct ux_ent *seen(struct ux *x, const char *rel)
{
	return x->layer ? hmap_gets(&x->seen, rel) : NULL;
}

static void set_seen(struct ux *x, const char *rel, bool dir, uint64_t bytes)
{
	if (!x->layer)
		return;
	size_t l = strlen(rel);
	struct ux_ent *n = xmalloc(sizeof *n + l + 1), *o;
	memcpy(n->path, rel, l + 1);
	bool created;
	void **slot = hmap_slot(&x->seen, n->path, l, &created);
	if (created)
		*slot = n;
	else
		free(n);
	o = *slot;
	o->layer = x->layer;
	o->live = true;
	o->dir = dir;
	o->bytes = bytes;
}

static void record(struct ux *x, struct ux_ent *e, bool whiteout)
{
	e->live = false;
	if (e->dir || e->layer >= x->layer)
		return;
	struct deploy_unpacked *u = x->u;
	u->hidden = xreallocarray(u->hidden, u->nhidden + 1, sizeof *u->hidden);
	u->hidden[u->nhidden++] = (struct deploy_hidden){
		.path = xstrdup(e->path), .bytes = e->bytes, .layer = e->layer,
		.by_layer = x->layer, .whiteout = whiteout};
}

/* rel (and, for a directory, all below it) leaves the tree. */
static void hide(struct ux *x, const char *rel, bool dir, bool whiteout)
{
	if (!x->layer)
		return;
	struct ux_ent *e = seen(x, rel);
	if (e && e->live)
		record(x, e, whiteout);
	if (!dir)
		return;
	size_t l = strlen(rel);
	for (size_t i = 0; i < x->seen.cap; i++) {
		struct ux_ent *s = x->seen.slots[i].val;
		if (s && s->live && !strncmp(s->path, rel, l) && s->path[l] == '/')
			record(x, s, whiteout);
	}
}

/* Clear the place of rel (base in pfd) for a new entry.  An existing
 * directory stays for a directory member; anything else goes.  1: a
 * directory kept, 0: the place is free, -1: errno. */
static int make_room(struct ux *x, int pfd, const char *base, const char *rel, bool dir)
{
	struct stat st;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW))
		return errno == ENOENT ? 0 : -1;
	if (dir && S_ISDIR(st.st_mode))
		return 1;
	hide(x, rel, S_ISDIR(st.st_mode), false);
	return S_ISDIR(st.st_mode) ? ux_remove_tree(pfd, base) : unlinkat(pfd, base, 0);
}

/* ---- whiteouts ---- */

static int by_depth(const void *a, const void *b)
{
	size_t la = strlen((*(struct ux_ent *const *)a)->path);
	size_t lb = strlen((*(struct ux_ent *const *)b)->path);
	return la < lb ? 1 : la > lb ? -1 : 0;
}

/* Remove one lower-layer entry of an opaque directory, deepest first: a
 * directory still holding this layer's entries stays. */
static void drop_lower(struct ux *x, struct ux_ent *e)
{
	char dir[PATH_LEN], canon[PATH_LEN];
	const char *base;
	split(e->path, dir, &base);
	int pfd = open_dir(x, dir, false, canon, sizeof canon);
	if (pfd < 0)
		return;
	if (!unlinkat(pfd, base, e->dir ? AT_REMOVEDIR : 0) || errno == ENOENT)
		record(x, e, true);
	close(pfd);
}

/* `.wh..wh..opq` in dir: what lower layers put below dir goes. */
static int opaque(struct ux *x, const char *dir)
{
	char canon[PATH_LEN];
	int pfd = open_dir(x, dir, false, canon, sizeof canon);
	if (pfd < 0)
		return 0;   /* nothing below it to hide */
	close(pfd);
	size_t l = strlen(canon), n = 0;
	struct ux_ent **v = NULL;
	for (size_t i = 0; i < x->seen.cap; i++) {
		struct ux_ent *s = x->seen.slots[i].val;
		if (s && s->live && s->layer < x->layer &&
		    (!l || (!strncmp(s->path, canon, l) && s->path[l] == '/'))) {
			v = xreallocarray(v, n + 1, sizeof *v);
			v[n++] = s;
		}
	}
	if (n)
		qsort(v, n, sizeof *v, by_depth);
	for (size_t i = 0; i < n; i++)
		drop_lower(x, v[i]);
	free(v);
	return 0;
}

/* A whiteout member `.wh.NAME` in dir (layered archives only). */
static int whiteout(struct ux *x, const char *dir, const char *base,
		    uint64_t pos, const char *member)
{
	if (!strcmp(base, ".wh..wh..opq"))
		return opaque(x, dir);
	if (!strncmp(base, ".wh..wh.", 8))
		return 0;   /* aufs' own metadata (.wh..wh.plnk): no whiteout */
	const char *victim = base + 4;
	if (!*victim || !strcmp(victim, ".") || !strcmp(victim, "..")) {
		warn(x, pos, member, "a whiteout of no name");
		return 0;
	}
	char canon[PATH_LEN], rel[PATH_LEN];
	int pfd = open_dir(x, dir, false, canon, sizeof canon);
	if (pfd < 0)
		return 0;   /* nothing there to remove */
	struct stat st;
	int rc = 0;
	if (!fstatat(pfd, victim, &st, AT_SYMLINK_NOFOLLOW)) {
		join(rel, sizeof rel, canon, victim);
		hide(x, rel, S_ISDIR(st.st_mode), true);
		if (ux_remove_tree(pfd, victim))
			rc = fs_fail(x, pos, member, "cannot remove what it whites out");
	}
	close(pfd);
	return rc;
}

/* ---- members ---- */

/* Where a member goes: its clean name, directory fd and canonical path. */
struct place {
	const char *member;    /* the name as the archive gives it */
	uint64_t pos;          /* its header's offset in the stream */
	int pfd;
	const char *base;
	char rel[PATH_LEN];
};

/* The member's data into fd at libarchive's offsets (sparse blocks),
 * never past its declared size (size < 0: none declared).  0, 1 when the
 * member is refused (warned), -1 on error. */
static int write_blocks(struct ux *x, struct archive *a, int fd,
			const struct place *pl, int64_t size, uint64_t *bytes,
			XXH3_state_t *dig)
{
	for (;;) {
		const void *b;
		size_t len;
		la_int64_t off;
		int r = archive_read_data_block(a, &b, &len, &off);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r == ARCHIVE_FATAL)
			return diag_err_at(x->d, x->path, (uint64_t)archive_filter_bytes(a, -1),
					   "%smember '%s': %s", x->label, pl->member,
					   archive_error_string(a) ? archive_error_string(a) : "unreadable data");
		if (r != ARCHIVE_OK) {
			warn(x, pl->pos, pl->member, archive_error_string(a) ?
			     archive_error_string(a) : "unreadable data");
			return 1;
		}
		if (off < 0 || (size >= 0 && (len > (uint64_t)size || off > size - (int64_t)len))) {
			warn(x, pl->pos, pl->member, "data past its declared size");
			return 1;
		}
		if (len > x->limit - x->written)
			return diag_err_at(x->d, x->path, pl->pos,
					   "%smember '%s': unpacking would write more than the limit of %llu bytes",
					   x->label, pl->member, (unsigned long long)x->limit);
		for (size_t done = 0; done < len;) {
			ssize_t w = pwrite(fd, (const char *)b + done, len - done, off + (off_t)done);
			if (w < 0)
				return fs_fail(x, pl->pos, pl->member, "cannot write it") ? -1 : 1;
			done += (size_t)w;
		}
		int64_t o64 = off;
		XXH3_128bits_update(dig, &o64, sizeof o64);
		XXH3_128bits_update(dig, b, len);
		x->written += len;
		*bytes += len;
	}
}

static int do_file(struct ux *x, struct archive *a, struct archive_entry *e,
		   const struct place *pl)
{
	bool sized = archive_entry_size_is_set(e);
	int64_t size = sized ? archive_entry_size(e) : 0;
	if (size < 0 || (uint64_t)size > x->limit - x->written)
		return diag_err_at(x->d, x->path, pl->pos,
				   "%smember '%s' declares %lld bytes, more than the %llu left of the unpack limit of %llu bytes",
				   x->label, pl->member, (long long)size,
				   (unsigned long long)(x->limit - x->written),
				   (unsigned long long)x->limit);
	if (make_room(x, pl->pfd, pl->base, pl->rel, false) < 0)
		return fs_fail(x, pl->pos, pl->member, "cannot replace what is there");
	int fd = openat(pl->pfd, pl->base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return fs_fail(x, pl->pos, pl->member, "cannot create it");
	uint64_t bytes = 0;
	XXH3_state_t dig;
	XXH3_128bits_reset(&dig);
	int rc = write_blocks(x, a, fd, pl, sized ? size : -1, &bytes, &dig);
	if (!rc && sized && ftruncate(fd, size) && (uint64_t)size > bytes)
		rc = fs_fail(x, pl->pos, pl->member, "cannot size it") ? -1 : 1;
	struct stat st;
	if (!rc && !fstat(fd, &st)) {
		/* the per-file cache's key (deploy.h): a later write to a
		 * reused inode number comes later in the list */
		XXH3_128bits_update(&dig, &size, sizeof size);
		XXH128_hash_t h = XXH3_128bits_digest(&dig);
		struct deploy_unpacked *u = x->u;
		GROW(u->digests, u->capdigests, u->ndigests + 1);
		u->digests[u->ndigests++] = (struct deploy_digest){(uint64_t)st.st_ino, h.high64,
								   h.low64};
	}
	if (!rc) {
		struct timespec t[2] = {{.tv_nsec = UTIME_OMIT},
			{.tv_sec = archive_entry_mtime(e), .tv_nsec = archive_entry_mtime_nsec(e)}};
		if (!archive_entry_mtime_is_set(e))
			t[1].tv_nsec = UTIME_OMIT;
		fchmod(fd, archive_entry_perm(e) & 0777);
		futimens(fd, t);
	}
	close(fd);
	if (rc) {   /* refused or failed: no half file stays */
		unlinkat(pl->pfd, pl->base, 0);
		return rc < 0 ? -1 : 0;
	}
	set_seen(x, pl->rel, false, bytes);
	x->u->files++;
	x->u->bytes += bytes;
	return 0;
}

static int do_dir(struct ux *x, struct archive_entry *e, const struct place *pl)
{
	int r = make_room(x, pl->pfd, pl->base, pl->rel, true);
	if (r < 0 || (!r && mkdirat(pl->pfd, pl->base, 0700)))
		return fs_fail(x, pl->pos, pl->member, "cannot make the directory");
	/* owner rwx always: later members go in, cleanup removes them */
	fchmodat(pl->pfd, pl->base, (archive_entry_perm(e) & 0777) | 0700, 0);
	set_seen(x, pl->rel, true, 0);
	return 0;
}

static int do_symlink(struct ux *x, struct archive_entry *e, const struct place *pl,
		      const char *dir)
{
	const char *t = archive_entry_symlink(e);
	char why[PATH_LEN + 64];
	if (!t || !*t) {
		warn(x, pl->pos, pl->member, "a symlink with no target");
		return 0;
	}
	if (link_escapes(dir, t)) {
		snprintf(why, sizeof why, "its target '%s' leaves the root", t);
		warn(x, pl->pos, pl->member, why);
		return 0;
	}
	if (make_room(x, pl->pfd, pl->base, pl->rel, false) < 0 ||
	    symlinkat(t, pl->pfd, pl->base))
		return fs_fail(x, pl->pos, pl->member, "cannot make the symlink");
	set_seen(x, pl->rel, false, 0);
	x->u->files++;
	return 0;
}

static int do_hardlink(struct ux *x, const char *target, const struct place *pl)
{
	char tn[PATH_LEN], tdir[PATH_LEN], tcanon[PATH_LEN], trel[PATH_LEN], why[PATH_LEN + 64];
	const char *tbase;
	bool abs;
	const char *bad = ux_clean_name(target, tn, sizeof tn, &abs);
	if (bad || !*tn) {
		snprintf(why, sizeof why, "its link target '%s' is not in the archive", target);
		warn(x, pl->pos, pl->member, why);
		return 0;
	}
	split(tn, tdir, &tbase);
	int tfd = open_dir(x, tdir, false, tcanon, sizeof tcanon);
	struct stat st;
	bool there = tfd >= 0 && !fstatat(tfd, tbase, &st, AT_SYMLINK_NOFOLLOW);
	if (!there || S_ISDIR(st.st_mode)) {
		snprintf(why, sizeof why, "a hardlink to '%s', %s", tn,
			 there ? "a directory" : "which is not unpacked (yet)");
		if (tfd >= 0)
			close(tfd);
		warn(x, pl->pos, pl->member, why);
		return 0;
	}
	join(trel, sizeof trel, tcanon, tbase);
	int rc = 0;
	if (!strcmp(trel, pl->rel)) {
		warn(x, pl->pos, pl->member, "a hardlink to itself");
	} else if (make_room(x, pl->pfd, pl->base, pl->rel, false) < 0 ||
		   linkat(tfd, tbase, pl->pfd, pl->base, 0)) {
		rc = fs_fail(x, pl->pos, pl->member, "cannot make the hardlink");
	} else {
		struct ux_ent *s = seen(x, trel);
		set_seen(x, pl->rel, false, s ? s->bytes : (uint64_t)st.st_size);
		x->u->files++;
	}
	close(tfd);
	return rc;
}

static int one_member(struct ux *x, struct archive *a, struct archive_entry *e)
{
	struct place pl = {.pos = (uint64_t)archive_read_header_position(a), .pfd = -1};
	char name[PATH_LEN], dir[PATH_LEN], canon[PATH_LEN];
	bool abs;
	pl.member = archive_entry_pathname(e);
	if (!pl.member)
		pl.member = archive_entry_pathname_utf8(e);
	if (!pl.member) {
		warn(x, pl.pos, "", "it has no name");
		return 0;
	}
	const char *why = ux_clean_name(pl.member, name, sizeof name, &abs);
	if (why) {
		warn(x, pl.pos, pl.member, why);
		return 0;
	}
	if (abs)
		diag_warn_at(x->w, x->path, pl.pos, "%smember '%s': leading '/' removed from the name, as tar does",
			     x->label, pl.member);
	if (!*name)
		return 0;   /* the root itself */
	split(name, dir, &pl.base);
	if (x->layer && !strncmp(pl.base, ".wh.", 4))
		return whiteout(x, dir, pl.base, pl.pos, pl.member);
	const char *hl = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	if (!hl && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK) {
		warn(x, pl.pos, pl.member, "a device, fifo or socket (skipped)");
		return 0;
	}
	pl.pfd = open_dir(x, dir, true, canon, sizeof canon);
	if (pl.pfd < 0)
		return fs_fail(x, pl.pos, pl.member, "cannot open its directory");
	join(pl.rel, sizeof pl.rel, canon, pl.base);
	int rc;
	if (hl)
		rc = do_hardlink(x, hl, &pl);
	else if (type == AE_IFDIR)
		rc = do_dir(x, e, &pl);
	else if (type == AE_IFLNK)
		rc = do_symlink(x, e, &pl, canon);
	else
		rc = do_file(x, a, e, &pl);
	close(pl.pfd);
	return rc;
}

int ux_extract(struct ux *x, struct archive *a)
{
	struct archive_entry *e;
	int retries = 0;
	for (;;) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			return 0;
		if (r == ARCHIVE_RETRY && ++retries < 16)
			continue;
		if (r < ARCHIVE_WARN) {
			const char *m = archive_error_string(a);
			return diag_err_at(x->d, x->path, (uint64_t)archive_filter_bytes(a, -1),
					   "%s%s", x->label, m ? m : "unreadable archive");
		}
		retries = 0;
		if (one_member(x, a, e) < 0)
			return -1;
	}
}

struct archive *ux_reader(void)
{
	struct archive *a = archive_read_new();
	if (!a)
		return NULL;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_zip(a);
	return a;
}

void ux_free(struct ux *x)
{
	for (size_t i = 0; i < x->seen.cap; i++)
		free(x->seen.slots[i].val);
	hmap_free(&x->seen);
	for (size_t i = 0; i < x->ndiff_ids; i++)
		free(x->diff_ids[i]);
	free(x->diff_ids);
	x->diff_ids = NULL;
	x->ndiff_ids = 0;
}
