/*
 * diag.c - diagnostics: see diag.h.  The format mirrors elfutils' and git's
 * one-line errors: program, subject, position, what is wrong.
 */
#include "diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static void vset(struct diag *d, const char *file, enum diag_where w,
		 uint64_t pos, const char *fmt, va_list ap)
{
	if (!d)
		return;
	if (file)
		snprintf(d->file, sizeof d->file, "%s", file);
	d->where = w;
	d->pos = pos;
	vsnprintf(d->msg, sizeof d->msg, fmt, ap);
	/* one line, always: a message never carries a newline */
	for (char *p = d->msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

int diag_err(struct diag *d, const char *file, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(d, file, DIAG_NONE, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int diag_err_at(struct diag *d, const char *file, uint64_t off,
		const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(d, file, DIAG_OFFSET, off, fmt, ap);
	va_end(ap);
	return -1;
}

int diag_err_line(struct diag *d, const char *file, uint64_t line,
		  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(d, file, DIAG_LINE, line, fmt, ap);
	va_end(ap);
	return -1;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	unsigned c = p[0];
	size_t len = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* Copy s into out (size n), control characters and bytes that are not
 * UTF-8 written as \xNN: a message quotes bytes of hostile input (a map
 * line, a section name), and it must stay one line that cannot drive the
 * terminal or the CI log it is shown in. */
static void sanitize(const char *s, char *out, size_t n)
{
	size_t o = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p && o + 1 < n) {
		size_t len = *p >= 0x80 ? utf8_len(p) : (*p >= 0x20 && *p != 0x7f);
		if (len && o + len < n) {
			memcpy(out + o, p, len);
			o += len;
			p += len;
		} else if (len) {
			break;
		} else {
			if (o + 4 >= n)
				break;
			snprintf(out + o, n - o, "\\x%02x", *p++);
			o += 4;
		}
	}
	out[o] = 0;
}

void diag_format(const struct diag *d, char *out, size_t n)
{
	const char *f = d->file[0] ? d->file : "-";
	char fs[sizeof d->file], ms[sizeof d->msg];
	sanitize(f, fs, sizeof fs);
	sanitize(d->msg, ms, sizeof ms);
	switch (d->where) {
	case DIAG_OFFSET:
		snprintf(out, n, "slim: %s: offset 0x%llx: %s", fs,
			 (unsigned long long)d->pos, ms);
		break;
	case DIAG_LINE:
		snprintf(out, n, "slim: %s: line %llu: %s", fs,
			 (unsigned long long)d->pos, ms);
		break;
	default:
		snprintf(out, n, "slim: %s: %s", fs, ms);
	}
}

void diag_print(const struct diag *d, FILE *fp)
{
	if (!d->file[0] && !d->msg[0])
		return;   /* already reported where it happened */
	char line[2048];
	diag_format(d, line, sizeof line);
	fprintf(fp, "%s\n", line);
}

#define DIAG_LIST_MAX 10000

void diag_warn(struct diag_list *l, const struct diag *d)
{
	if (l->n >= DIAG_LIST_MAX) {
		l->dropped++;
		return;
	}
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		struct diag *nv = realloc(l->v, nc * sizeof *nv);
		if (!nv) {
			l->dropped++;
			return;
		}
		l->v = nv;
		l->cap = nc;
	}
	l->v[l->n++] = *d;
}

void diag_warn_line(struct diag_list *l, const char *file, uint64_t line,
		    const char *fmt, ...)
{
	struct diag d = {0};
	va_list ap;
	va_start(ap, fmt);
	vset(&d, file, DIAG_LINE, line, fmt, ap);
	va_end(ap);
	diag_warn(l, &d);
}

void diag_warn_at(struct diag_list *l, const char *file, uint64_t off,
		  const char *fmt, ...)
{
	struct diag d = {0};
	va_list ap;
	va_start(ap, fmt);
	vset(&d, file, DIAG_OFFSET, off, fmt, ap);
	va_end(ap);
	diag_warn(l, &d);
}

void diag_list_print(const struct diag_list *l, FILE *fp)
{
	for (size_t i = 0; i < l->n; i++) {
		char line[2048];
		diag_format(&l->v[i], line, sizeof line);
		/* warnings read "slim: warning: FILE: ..." */
		fprintf(fp, "slim: warning: %s\n", line + 6);
	}
	if (l->dropped)
		fprintf(fp, "slim: warning: %zu more warnings not shown\n",
			l->dropped);
}

void diag_list_free(struct diag_list *l)
{
	free(l->v);
	memset(l, 0, sizeof *l);
}
