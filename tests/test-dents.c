/*
 * test-dents.c - common/dents.c against readdir(3): the same entries, on
 * directories made here (3,000 names of every length from 1 to 255
 * bytes, so a small buffer ends mid-directory at every kind of boundary)
 * on /tmp's file system and on /dev/shm (tmpfs), and on the largest real
 * directory of this machine (/usr/lib/x86_64-linux-gnu); each read with
 * the smallest buffer and a large one, trusting a short read where
 * dents_fills() says so and not trusting it; and procfs, which is not
 * in dents_fills()'s list.  A file system that does not fill its
 * buffer but were in the list would lose entries here.
 */
#include "testutil.h"
#include "../common/dents.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the names in dir (but . and ..), sorted, by readdir() */
static char **by_readdir(const char *dir, size_t *n)
{
	DIR *d = opendir(dir);
	cr_assert(d, "opendir %s", dir);
	char **v = NULL;
	size_t cap = 0;
	*n = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (*n == cap)
			v = realloc(v, (cap = cap ? 2 * cap : 256) * sizeof *v);
		v[(*n)++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(v, *n, sizeof *v, by_str);
	return v;
}

/* the same by dents, with a buffer of cap bytes */
static char **by_dents(const char *dir, size_t cap, bool fills, size_t *n)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert(fd >= 0, "open %s", dir);
	char *buf = malloc(cap);
	struct dents d;
	dents_start(&d, fd, buf, cap, fills);
	char **v = NULL;
	size_t vc = 0;
	*n = 0;
	const struct dirent64 *e;
	while ((e = dents_next(&d))) {
		if (*n == vc)
			v = realloc(v, (vc = vc ? 2 * vc : 256) * sizeof *v);
		v[(*n)++] = strdup(e->d_name);
	}
	cr_assert_eq(d.err, 0, "%s: getdents64: %s", dir, strerror(d.err));
	close(fd);
	free(buf);
	qsort(v, *n, sizeof *v, by_str);
	return v;
}

static void same(const char *dir)
{
	size_t nw, nd;
	char **want = by_readdir(dir, &nw);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	cr_assert(fd >= 0 && !fstat(fd, &st));
	bool fills = dents_fills(fd, (uint64_t)st.st_dev);
	close(fd);
	size_t caps[] = {DENTS_MIN, 256 * 1024};
	for (int f = 0; f < 2; f++)
		for (int c = 0; c < 2; c++) {
			bool trust = f ? fills : false;
			char **got = by_dents(dir, caps[c], trust, &nd);
			cr_assert_eq(nd, nw, "%s (buffer %zu, short read %s the end): %zu entries, readdir %zu",
				     dir, caps[c], trust ? "taken for" : "not taken for", nd, nw);
			for (size_t i = 0; i < nw; i++)
				cr_assert_str_eq(got[i], want[i], "%s (buffer %zu): entry %zu", dir,
						 caps[c], i);
			for (size_t i = 0; i < nd; i++)
				free(got[i]);
			free(got);
		}
	for (size_t i = 0; i < nw; i++)
		free(want[i]);
	free(want);
}

/* a directory under base with 3,000 names of lengths 1..255 */
static char *make_dir(const char *base)
{
	char *dir = malloc(strlen(base) + 32);
	sprintf(dir, "%s/slim-dents.XXXXXX", base);
	cr_assert(mkdtemp(dir), "mkdtemp in %s", base);
	char name[300];
	for (int i = 0; i < 3000; i++) {
		int len = 1 + (i * 37) % 255;
		int k = snprintf(name, sizeof name, "%s/%d-", dir, i);
		int want = (int)strlen(dir) + 1 + len;
		for (; k < want; k++)
			name[k] = (char)('a' + k % 26);
		name[k] = 0;
		int fd = open(name, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
		cr_assert(fd >= 0, "create %s: %s", name, strerror(errno));
		close(fd);
	}
	return dir;
}

static void drop_dir(char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(dir);
}

Test(dents, made_directory_on_tmp)
{
	char *d = make_dir("/tmp");
	same(d);
	drop_dir(d);
}

Test(dents, made_directory_on_tmpfs)
{
	struct statfs sf;
	cr_assert(!statfs("/dev/shm", &sf) && sf.f_type == TMPFS_MAGIC,
		  "needs /dev/shm mounted as tmpfs (a tmpfs the test can write)");
	char *d = make_dir("/dev/shm");
	int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	cr_assert(fd >= 0 && !fstat(fd, &st));
	cr_assert(dents_fills(fd, (uint64_t)st.st_dev), "tmpfs fills getdents' buffer: in the list");
	close(fd);
	same(d);
	drop_dir(d);
}

Test(dents, largest_real_directory)
{
	same("/usr/lib/x86_64-linux-gnu");
	same("/usr/bin");
}

Test(dents, procfs_is_not_trusted)
{
	/* /proc/sys/kernel: procfs, and the same sysctl names on every read
	 * (/sys may be missing in a chroot; /proc is mounted wherever slim's
	 * tests run: they read /proc/self/exe) */
	int fd = open("/proc/sys/kernel", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat st;
	cr_assert(fd >= 0 && !fstat(fd, &st), "needs /proc mounted");
	cr_assert(!dents_fills(fd, (uint64_t)st.st_dev), "procfs is not in the list");
	close(fd);
	same("/proc/sys/kernel");
}
