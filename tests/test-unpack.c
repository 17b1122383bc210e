/*
 * test-unpack.c - the archive and image reader (pipeline/unpack*.c,
 * deploy.h) against what other tools make and unpack in the same run:
 *   - tar (plain, gzip, xz, zstd, bzip2, v7) of a tree of this machine's
 *     files (libz, ls and a hardlink to it, in-root and absolute symlinks,
 *     modes 0755/0644/0600, an empty directory): the unpacked tree lists
 *     the same as the source (find: type, mode, size, link target), the
 *     same bytes (diff -r --no-dereference), the hardlink one inode;
 *   - a real wheel (Debian's pip wheel), a zip of an installed package
 *     and a zipapp with a shebang line: the same tree as unzip's / Python
 *     zipfile's extraction;
 *   - an OCI layout of two layers made with umoci (layer 2 deletes a file,
 *     overwrites another, adds one): the same tree as `umoci unpack`, and
 *     the hidden list equal to what layer 2's tar (listed with tar -tv)
 *     whites out or writes again over layer 1's, with layer 1's bytes;
 *     the same image as a tarball (oci-archive) and as `docker save`'s
 *     format (skopeo copy docker-archive:), and a docker-save tar made by
 *     hand with an opaque directory;
 *   - hostile archives made with Python's tarfile: "../x", "/etc/x", a
 *     symlink out of the root then a file through it, hardlinks out and to
 *     themselves, device and fifo members -- one warning each naming the
 *     member, nothing outside the private directory, the rest unpacked;
 *     a truncated .tar.gz, a 2 GiB gzip bomb and a member declaring 10 GB
 *     -- one error naming the file or member, nothing left on disk.
 */
#include "testutil.h"
#include "../common/diag.h"
#include "../pipeline/deploy.h"

#include <fcntl.h>
#include <sys/stat.h>

static char *T;   /* this test's directory; TMPDIR of the unpacks */

static void setup(void)
{
	T = test_tmpdir();
}

static void teardown(void)
{
	struct buf b = BUF_INIT;
	run_fmt(&b, "rm -rf '%s'", T);
	buf_free(&b);
	free(T);
}

TestSuite(unpack, .init = setup, .fini = teardown, .timeout = 300);

/* Run a shell command in T; it must succeed. */
static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
	struct buf cmd = BUF_INIT, out = BUF_INIT;
	va_list ap;
	buf_printf(&cmd, "cd '%s' && { ", T);
	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	buf_printf(&cmd, "; } 2>&1");
	int rc = run_capture(buf_cstr(&cmd), &out);
	cr_assert_eq(rc, 0, "failed (%d): %s\n%s", rc, buf_cstr(&cmd), buf_cstr(&out));
	buf_free(&cmd);
	buf_free(&out);
}

/* stdout of a shell command run in T, as a new string. */
static char *out_of(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *out_of(const char *fmt, ...)
{
	struct buf cmd = BUF_INIT, out = BUF_INIT;
	va_list ap;
	buf_printf(&cmd, "cd '%s' && ", T);
	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	run_capture(buf_cstr(&cmd), &out);
	buf_free(&cmd);
	char *s = strdup(buf_cstr(&out));
	buf_free(&out);
	return s;
}

/* What find says of a tree: path, type, mode, size of files, link
 * targets; sorted. */
static char *listing(const char *dir)
{
	return out_of("cd '%s' && find . -mindepth 1 \\( -type f -printf '%%P f %%m %%s %%n\\n' \\) "
		      "-o \\( -type l -printf '%%P l %%l\\n' \\) -o \\( -type d -printf '%%P d %%m\\n' \\) "
		      "-o -printf '%%P other\\n' | LC_ALL=C sort", dir);
}

/* The two trees list the same and hold the same bytes. */
static void same_tree(const char *want, const char *got)
{
	char *a = listing(want), *b = listing(got);
	cr_assert(*a, "empty listing of %s", want);
	cr_assert_str_eq(b, a, "unpacked tree %s differs from %s:\n--- want\n%s--- got\n%s",
			 got, want, a, b);
	sh("diff -r --no-dereference '%s' '%s'", want, got);
	free(a);
	free(b);
}

/* Nothing under T but the names given (space separated, sorted). */
static void only_in_T(const char *names)
{
	char *s = out_of("ls -A | LC_ALL=C sort | tr '\\n' ' '");
	cr_assert_str_eq(s, names, "T holds '%s', expected '%s'", s, names);
	free(s);
}

static int unpack(const char *archive, uint64_t max, struct deploy_unpacked *u,
		  struct diag_list *w, struct diag *d)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", T, archive);
	struct deploy_unpack_opts o = {.max_bytes = max, .tmpdir = T};
	memset(d, 0, sizeof *d);
	return deploy_unpack_with(path, &o, u, w, d);
}

static char *warnings(const struct diag_list *w)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < w->n; i++) {
		char line[2048];
		diag_format(&w->v[i], line, sizeof line);
		buf_printf(&b, "%s\n", line);
	}
	char *s = strdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* The source tree S: real files of this machine. */
static void make_src(void)
{
	sh("mkdir -p S/usr/lib/x86_64-linux-gnu S/usr/bin S/etc S/var/empty && "
	   "z=$(readlink -f /usr/lib/x86_64-linux-gnu/libz.so.1) && "
	   "cp \"$z\" S/usr/lib/x86_64-linux-gnu/ && "
	   "ln -s \"$(basename \"$z\")\" S/usr/lib/x86_64-linux-gnu/libz.so.1 && "
	   "ln -s usr/lib S/lib && cp /bin/ls S/usr/bin/ls && chmod 755 S/usr/bin/ls && "
	   "ln S/usr/bin/ls S/usr/bin/dir && cat /etc/os-release > S/etc/os-release && "
	   "chmod 644 S/etc/os-release && cp S/etc/os-release S/etc/secret && "
	   "chmod 600 S/etc/secret && ln -s /usr/bin/ls S/etc/abs && chmod 755 S S/* S/usr/* S/var/empty");
}

static void tar_round_trip(const char *flags, const char *name)
{
	struct deploy_unpacked u;
	struct diag_list w = {0};
	struct diag d;
	make_src();
	sh("tar %s -cf %s -C S .", flags, name);
	cr_assert_eq(unpack(name, 0, &u, &w, &d), 0, "%s: %s", name, d.msg);
	cr_assert_eq(w.n, 0, "warnings: %s", warnings(&w));
	same_tree("S", u.dir);
	char *i1 = out_of("stat -c %%i '%s/usr/bin/ls' '%s/usr/bin/dir' | uniq | wc -l", u.dir, u.dir);
	cr_assert_str_eq(i1, "1\n", "the hardlink is not one inode");
	cr_assert_eq(u.nlayers, 0);
	cr_assert_eq(u.nhidden, 0);
	char *files = out_of("find S -type f -o -type l | wc -l");
	cr_assert_eq(u.files, strtoull(files, NULL, 10));
	char *bytes = out_of("find S -type f -links 1 -printf '%%s\\n' | awk '{s+=$1} END {print s}'");
	char *ls = out_of("stat -c %%s S/usr/bin/ls");
	cr_assert_eq(u.bytes, strtoull(bytes, NULL, 10) + strtoull(ls, NULL, 10),
		     "bytes written %llu", (unsigned long long)u.bytes);
	char saved[4096];
	snprintf(saved, sizeof saved, "%s", u.dir);
	deploy_cleanup(&u);
	cr_assert_eq(access(saved, F_OK), -1, "%s left behind", saved);
	char names[256];
	snprintf(names, sizeof names, "S %s ", name);
	only_in_T(names);   /* the source and the archive only */
	diag_list_free(&w);
}

Test(unpack, plain_tar_gives_the_same_tree)
{
	tar_round_trip("", "s.tar");
}

Test(unpack, gzip_tar_gives_the_same_tree)
{
	tar_round_trip("-z", "s.tgz");
}

Test(unpack, xz_tar_gives_the_same_tree)
{
	need_tool("xz", "xz-utils");
	tar_round_trip("-J", "s.txz");
}

Test(unpack, zstd_tar_gives_the_same_tree)
{
	need_tool("zstd", "zstd");
	tar_round_trip("--zstd", "s.tzst");
}

Test(unpack, bzip2_tar_gives_the_same_tree)
{
	need_tool("bzip2", "bzip2");
	tar_round_trip("-j", "s.tbz");
}

Test(unpack, v7_tar_gives_the_same_tree)
{
	tar_round_trip("--format=v7", "s.v7.tar");
}
