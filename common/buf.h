/*
 * buf.h - the one growable byte buffer (after git's strbuf).
 *
 * Invariants: p is NULL (empty, never allocated) or points to cap bytes with
 * p[len] == 0, so buf_cstr() is always a valid C string.  The buffer owns p;
 * buf_free() releases it and leaves an empty buffer; buf_detach() hands p to
 * the caller.
 */
#ifndef SLIM_BUF_H
#define SLIM_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *p;
	size_t len, cap;
};

#define BUF_INIT {0}

void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);        /* len = 0, keeps memory */
void buf_free(struct buf *b);
char *buf_detach(struct buf *b);      /* caller frees; buffer is empty after */
const char *buf_cstr(const struct buf *b); /* "" when empty */

#endif
