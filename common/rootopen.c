/* rootopen.c - see rootopen.h. */
#include "rootopen.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_LINKS 40
#define MAX_PATH 4096

static int walk(int rootfd, const char *path, int flags)
{
	/* `done`: the resolved prefix, relative to the root ("" = the root);
	 * `rest`: what is left to resolve */
	char done[MAX_PATH] = "", rest[MAX_PATH], link[MAX_PATH];
	size_t dl = 0;
	int links = 0;
	if (strlen(path) >= sizeof rest) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(rest, path);
	char *r = rest;
	while (*r) {
		while (*r == '/')
			r++;
		if (!*r)
			break;
		char *end = strchr(r, '/');
		size_t cl = end ? (size_t)(end - r) : strlen(r);
		char *next = r + cl;
		if (cl == 1 && r[0] == '.') {
			r = next;
			continue;
		}
		if (cl == 2 && r[0] == '.' && r[1] == '.') {
			/* never above the root */
			while (dl && done[dl - 1] != '/')
				dl--;
			if (dl)
				dl--;
			done[dl] = 0;
			r = next;
			continue;
		}
		if (dl + 1 + cl >= sizeof done) {
			errno = ENAMETOOLONG;
			return -1;
		}
		size_t keep = dl;
		if (dl)
			done[dl++] = '/';
		memcpy(done + dl, r, cl);
		dl += cl;
		done[dl] = 0;
		struct stat st;
		if (fstatat(rootfd, done, &st, AT_SYMLINK_NOFOLLOW))
			return -1;
		if (!S_ISLNK(st.st_mode)) {
			r = next;
			continue;
		}
		if (++links > MAX_LINKS) {
			errno = ELOOP;
			return -1;
		}
		ssize_t ll = readlinkat(rootfd, done, link, sizeof link - 1);
		if (ll < 0)
			return -1;
		link[ll] = 0;
		/* the link's target, then what followed the link */
		size_t nl = strlen(next);
		if ((size_t)ll + 1 + nl >= sizeof rest) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memmove(rest + ll + 1, next, nl + 1);
		memcpy(rest, link, (size_t)ll);
		rest[ll] = '/';
		r = rest;
		dl = link[0] == '/' ? 0 : keep;   /* absolute: from the root */
		done[dl] = 0;
	}
	return openat(rootfd, dl ? done : ".", flags | O_NOFOLLOW);
}

int open_in_root(int rootfd, const char *path, int extra_flags)
{
	static int have = -1;   /* openat2 usable: -1 unknown, 0 no, 1 yes */
	int flags = O_RDONLY | O_CLOEXEC | extra_flags;
	if (have < 0) {
		const char *e = getenv("SLIM_NO_OPENAT2");
		have = !(e && *e && strcmp(e, "0"));
	}
	if (have) {
		struct open_how how = {.flags = (unsigned)flags, .resolve = RESOLVE_IN_ROOT};
		int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return fd;
		/* ENOSYS: no openat2 here, never try again; EPERM: a seccomp
		 * filter's answer or a real permission error -- the walk
		 * tells them apart by trying */
		if (errno == ENOSYS)
			have = 0;
	}
	return walk(rootfd, path, flags);
}
