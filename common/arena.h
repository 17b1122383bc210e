/*
 * arena.h - bump allocator for things that live as long as an analysis
 * (interned strings, nodes).  Memory is freed all at once by arena_free().
 * Allocations are 16-byte aligned.  `limit` (0 = none) caps the total bytes
 * an arena may hold; arena_alloc_try() returns NULL past it so analyzers can
 * turn a hostile input into an error instead of exhausting memory.
 */
#ifndef SLIM_ARENA_H
#define SLIM_ARENA_H

#include <stddef.h>

struct arena_block;
struct arena {
	struct arena_block *head;
	size_t used_total;  /* bytes handed out */
	size_t limit;       /* 0: unlimited */
};

void *arena_alloc(struct arena *a, size_t n);      /* aborts on OOM/limit */
void *arena_alloc_try(struct arena *a, size_t n);  /* NULL past limit */
void *arena_zalloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void arena_free(struct arena *a);

#endif
