/*
 * testutil.h - what the Criterion suites share: running a command and
 * capturing its output (for ground truth from ldd, readelf, the linkers),
 * the path of the slim binary under test ($SLIM), and fixture paths.
 *
 * Tests that need a tool the machine lacks fail with a message saying what
 * to install (need_tool()); nothing is skipped silently.
 */
#ifndef SLIM_TESTUTIL_H
#define SLIM_TESTUTIL_H

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/buf.h"

/* Run `cmd` with /bin/sh; capture stdout into out (if non-NULL).
 * Returns the exit status (or 128+signal). */
static inline int run_capture(const char *cmd, struct buf *out)
{
	FILE *p = popen(cmd, "r");
	cr_assert(p, "popen failed: %s", cmd);
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, p)) > 0)
		if (out)
			buf_add(out, tmp, n);
	int st = pclose(p);
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

static inline int run_fmt(struct buf *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int run_fmt(struct buf *out, const char *fmt, ...)
{
	struct buf cmd = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&cmd, fmt, ap);
	va_end(ap);
	int rc = run_capture(buf_cstr(&cmd), out);
	buf_free(&cmd);
	return rc;
}

/* A scratch directory made from tmpl ("/tmp/slim-x-XXXXXX", into dir)
 * with the two sides of a comparison, dir/a and dir/b; and its removal. */
static inline void scratch_pair(char *dir, size_t cap, const char *tmpl)
{
	snprintf(dir, cap, "%s", tmpl);
	cr_assert(mkdtemp(dir), "mkdtemp %s", tmpl);
	struct buf p = BUF_INIT;
	buf_printf(&p, "%s/a", dir);
	cr_assert_eq(mkdir(buf_cstr(&p), 0755), 0);
	buf_reset(&p);
	buf_printf(&p, "%s/b", dir);
	cr_assert_eq(mkdir(buf_cstr(&p), 0755), 0);
	buf_free(&p);
}

/* n bytes at p as dir/side/name */
static inline void scratch_put(const char *dir, const char *side, const char *name,
			       const void *p, size_t n)
{
	struct buf path = BUF_INIT;
	buf_printf(&path, "%s/%s/%s", dir, side, name);
	FILE *fp = fopen(buf_cstr(&path), "wb");
	cr_assert(fp, "%s", buf_cstr(&path));
	cr_assert_eq(fwrite(p, 1, n, fp), n);
	fclose(fp);
	buf_free(&path);
}

static inline void scratch_remove(const char *dir)
{
	cr_assert_eq(run_fmt(NULL, "rm -rf '%s'", dir), 0);
}

/* The slim binary under test: $SLIM or ./slim. */
static inline const char *slim_bin(void)
{
	const char *s = getenv("SLIM");
	return s && *s ? s : "./slim";
}

/* Fail (not skip) when a tool the test needs is missing. */
static inline void need_tool(const char *tool, const char *package)
{
	struct buf b = BUF_INIT;
	int rc = run_fmt(&b, "command -v %s >/dev/null 2>&1", tool);
	buf_free(&b);
	cr_assert(rc == 0, "this test needs `%s`: apt-get install %s (or run `make deps`)",
		  tool, package);
}

/* A fresh temporary directory for one test; caller frees. */
static inline char *test_tmpdir(void)
{
	char *t = strdup("/tmp/slim-test.XXXXXX");
	cr_assert(mkdtemp(t), "mkdtemp failed");
	return t;
}

#endif
