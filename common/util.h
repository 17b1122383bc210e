/*
 * util.h - allocation that cannot fail, checked arithmetic, small helpers.
 *
 * Out-of-memory is the one condition library code does not return: like
 * git's xmalloc(), x*alloc() print "slim: out of memory" and abort, because
 * every caller would otherwise have to unwind a half-built graph.  Sizes
 * taken from input files are bounded by the input's size before they reach
 * an allocator (see common/mfile.h), so hostile input cannot trigger this.
 */
#ifndef SLIM_UTIL_H
#define SLIM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 1 when built with a sanitizer (ASan's leak check runs at exit, so what
 * is left to the kernel elsewhere is freed; memlimit.c leaves the
 * address space unlimited), else 0 */
#if defined(__SANITIZE_ADDRESS__)
#define SLIM_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
	__has_feature(thread_sanitizer)
#define SLIM_SANITIZED 1
#endif
#endif
#ifndef SLIM_SANITIZED
#define SLIM_SANITIZED 0
#endif

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
/* realloc to n*m bytes, aborting on overflow */
void *xreallocarray(void *p, size_t n, size_t m);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grow array `v` (element size `sz`) so that index `need-1` fits. */
#define GROW(v, cap, need)                                                  \
	do {                                                                \
		if ((need) > (cap)) {                                       \
			size_t nc__ = (cap) ? (cap) : 8;                    \
			while (nc__ < (need))                               \
				nc__ *= 2;                                  \
			(v) = xreallocarray((v), nc__, sizeof *(v));        \
			(cap) = nc__;                                       \
		}                                                           \
	} while (0)

/* true if [off, off+len) lies inside [0, total) without overflow */
static inline bool range_ok(uint64_t off, uint64_t len, uint64_t total)
{
	return off <= total && len <= total - off;
}

static inline bool mul_ok(uint64_t a, uint64_t b, uint64_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}

/* Human bytes: "1.5 MiB"; writes into buf (>= 16 bytes), returns buf. */
char *human_bytes(uint64_t n, char *buf, size_t len);

/* Last path component (no allocation; points into `path`). */
const char *path_base(const char *path);

/* Monotonic seconds, for --perf. */
double now_seconds(void);

#endif
