/*
 * zip.c - module trees packed in a zip file or a wheel (python311.zip,
 * *.whl), listed from the central directory.
 *
 * Format: PKWARE APPNOTE.TXT 4.3.12 (central directory file header, 46
 * bytes + name + extra + comment) and 4.3.16 (end of central directory
 * record, 22 bytes + comment, searched backwards over at most the last
 * 65557 bytes), 4.3.7 (local file header, 30 bytes + name + extra, then
 * the data).  ZIP64 archives are reported as unsupported.  Sources are read
 * (stored, or deflated through zlib's raw inflate, bounded by the declared
 * size) and scanned like files; members never appear in a prune list (a
 * member cannot be deleted with rm).  Every offset and length is checked
 * against the mapped bytes before use.
 */
#include "pyint.h"
#include "../common/diag.h"
#include "../common/mfile.h"
#include "../common/bytes.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int pyzip_walk(const unsigned char *p, size_t n, const char *path,
	       void (*cb)(void *ctx, const struct pyzip_member *m),
	       void *ctx, struct diag_list *w)
{
	if (n < 22) {
		diag_warn_at(w, path, 0, "too short for a zip archive");
		return -1;
	}
	size_t lo = n > 65557 ? n - 65557 : 0, eocd = SIZE_MAX;
	for (size_t i = n - 22 + 1; i-- > lo;)
		if (le32(p + i) == 0x06054b50) {
			eocd = i;
			break;
		}
	if (eocd == SIZE_MAX) {
		diag_warn_at(w, path, n - 22, "no end of central directory record");
		return -1;
	}
	uint64_t count = le16(p + eocd + 10), size = le32(p + eocd + 12);
	uint64_t off = le32(p + eocd + 16);
	if (count == 0xffff || off == 0xffffffff) {
		diag_warn_at(w, path, eocd, "zip64 archives are not supported");
		return -1;
	}
	if (!range_ok(off, size, eocd)) {
		diag_warn_at(w, path, eocd + 12, "central directory runs past end of file");
		return -1;
	}
	uint64_t at = off;
	for (uint64_t i = 0; i < count; i++) {
		if (!range_ok(at, 46, off + size) || le32(p + at) != 0x02014b50) {
			diag_warn_at(w, path, at, "bad central directory entry %llu",
				     (unsigned long long)i);
			return -1;
		}
		uint64_t nl = le16(p + at + 28), xl = le16(p + at + 30),
			 cl = le16(p + at + 32);
		if (!range_ok(at + 46, nl + xl + cl, off + size)) {
			diag_warn_at(w, path, at, "central directory entry runs past its end");
			return -1;
		}
		struct pyzip_member m = {
			.name = (const char *)p + at + 46, .namelen = nl,
			.csize = le32(p + at + 20), .usize = le32(p + at + 24),
			.lho = le32(p + at + 42), .method = le16(p + at + 10),
		};
		cb(ctx, &m);
		at += 46 + nl + xl + cl;
	}
	return 0;
}

struct zctx {
	struct pyset *s;
	int root;
	const char *zpath;
};

/* a.b/c.py -> module "a.b.c"? only when every directory is an identifier */
static void member(void *c, const struct pyzip_member *zm)
{
	struct zctx *z = c;
	struct pyset *s = z->s;
	const char *name = zm->name;
	size_t nl = zm->namelen;
	uint64_t cs = zm->csize;
	if (!nl || name[nl - 1] == '/' || nl > 1024)
		return;
	char *path = arena_printf(&s->arena, "%s/%.*s", z->zpath, (int)nl, name);
	bool py = nl > 3 && !memcmp(name + nl - 3, ".py", 3);
	bool so = nl > 3 && !memcmp(name + nl - 3, ".so", 3);
	int parent = -1;
	const char *p = name, *e = name + nl;
	char buf[1100];
	size_t bl = 0;
	for (;;) {
		const char *sl = memchr(p, '/', e - p);
		if (!sl)
			break;
		if (!py_is_dotted_name(p, sl - p) || memchr(p, '.', sl - p))
			goto data;
		bl += snprintf(buf + bl, sizeof buf - bl, "%s%.*s", bl ? "." : "",
			       (int)(sl - p), p);
		int mi = pyset_add_mod(s, buf, z->root, parent);
		if (mi < 0)
			return;
		s->mods[mi].is_pkg = s->mods[mi].in_zip = true;
		parent = mi;
		p = sl + 1;
	}
	const char *dot = memchr(p, '.', e - p);
	if ((py || so) && dot && py_is_dotted_name(p, dot - p)) {
		int mi = parent;
		if (!(dot - p == 8 && !memcmp(p, "__init__", 8))) {
			snprintf(buf + bl, sizeof buf - bl, "%s%.*s", bl ? "." : "",
				 (int)(dot - p), p);
			mi = pyset_add_mod(s, buf, z->root, parent);
		}
		if (mi >= 0) {
			s->mods[mi].in_zip = true;
			s->mods[mi].is_ext |= so;
			if (py && !s->mods[mi].zip) {
				s->mods[mi].src = path;   /* "ZIP/member.py", read from the zip */
				s->mods[mi].zip = z->zpath;
				s->mods[mi].zlho = zm->lho;
				s->mods[mi].zcsize = zm->csize;
				s->mods[mi].zusize = zm->usize;
				s->mods[mi].zmethod = zm->method;
			}
			pyset_add_file(s, path, cs, mi, py ? PYF_SOURCE : PYF_EXT);
			return;
		}
	}
data:
	pyset_add_file(s, path, cs, parent, PYF_DATA);
}

void pyzip_inventory(struct pyset *s, int root, struct diag_list *w)
{
	struct mfile mf;
	struct diag d = {0};
	const char *zpath = s->roots[root].path;
	if (mfile_open(&mf, zpath, &d)) {
		diag_warn(w, &d);
		return;
	}
	struct zctx z = {s, root, zpath};
	pyzip_walk(mf.p, mf.n, zpath, member, &z, w);
	mfile_close(&mf);
}

#define ZIP_MEMBER_MAX (64u << 20)

int pyzip_read(const unsigned char *p, size_t n, uint64_t lho, unsigned method,
	       uint64_t csize, uint64_t usize, char **out, size_t *outn)
{
	if (!range_ok(lho, 30, n) || le32(p + lho) != 0x04034b50 || usize > ZIP_MEMBER_MAX)
		return -1;
	uint64_t data = lho + 30 + le16(p + lho + 26) + le16(p + lho + 28);
	if (!range_ok(data, csize, n))
		return -1;
	char *buf = malloc(usize + 1);
	if (!buf)
		return -1;
	if (method == 0) {
		if (csize != usize) {
			free(buf);
			return -1;
		}
		memcpy(buf, p + data, usize);
	} else if (method == 8) {
		z_stream zs = {0};
		if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) {
			free(buf);
			return -1;
		}
		zs.next_in = (unsigned char *)(p + data);
		zs.avail_in = (uInt)csize;
		zs.next_out = (unsigned char *)buf;
		zs.avail_out = (uInt)usize;
		int rc = inflate(&zs, Z_FINISH);
		bool ok = rc == Z_STREAM_END && zs.total_out == usize;
		inflateEnd(&zs);
		if (!ok) {
			free(buf);
			return -1;
		}
	} else {
		free(buf);
		return -1;
	}
	buf[usize] = 0;
	*out = buf;
	*outn = usize;
	return 0;
}
