/*
 * rootopen.h - open a path inside a directory treated as the root (a
 * --sysroot): absolute symlinks and ".." resolve inside it, as they would
 * for a loader running chrooted there.
 *
 * openat2(RESOLVE_IN_ROOT) does this in the kernel (Linux >= 5.6).  Where
 * it is missing -- older kernels, containers whose seccomp profile answers
 * unknown syscalls with EPERM, Valgrind 3.19 -- the same walk is done here,
 * one component at a time: fstatat(AT_SYMLINK_NOFOLLOW), readlinkat for
 * symlinks (an absolute target restarts at the root), ".." never above the
 * root, at most 40 links (ELOOP, as the kernel).  SLIM_NO_OPENAT2=1 forces
 * the walk (tests run both).
 */
#ifndef SLIM_ROOTOPEN_H
#define SLIM_ROOTOPEN_H

/* An fd for `path` (O_RDONLY | O_CLOEXEC | extra) below rootfd, or -1
 * with errno. */
int open_in_root(int rootfd, const char *path, int extra_flags);

#endif
