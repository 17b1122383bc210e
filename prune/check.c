/*
 * check.c - `slim prune --check CMD`: run the user's command on INPUT and
 * on OUT and compare (issue #17).  slim never runs what it analyzes; this
 * runs only the command the user gave, as they wrote it.
 *
 * CMD is run by /bin/sh -c with every "{}" replaced by the path, quoted
 * for the shell ("./NAME" for a bare name, which the shell would look up
 * in PATH); stdin is /dev/null, stdout is captured (at most
 * PRUNE_CHECK_MAX bytes are compared; more is a failure), stderr passes
 * through; the command runs in its own process group, killed (SIGKILL)
 * with its children when it outlives the timeout.  Same exit status and
 * same stdout: passed.
 */
#include "prune-int.h"
#include "../common/buf.h"
#include "../common/util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PRUNE_CHECK_MAX (64u << 20)

/* cmd with each {} replaced by path in single quotes */
static char *expand(const char *cmd, const char *path)
{
	struct buf q = {0}, b = {0};
	buf_putc(&q, '\'');
	/* a bare name would be looked up in PATH by the shell */
	if (!strchr(path, '/'))
		buf_puts(&q, "./");
	for (const char *p = path; *p; p++)
		if (*p == '\'')
			buf_puts(&q, "'\\''");
		else
			buf_putc(&q, *p);
	buf_putc(&q, '\'');
	for (const char *p = cmd; *p; p++) {
		if (p[0] == '{' && p[1] == '}') {
			buf_puts(&b, buf_cstr(&q));
			p++;
		} else {
			buf_putc(&b, *p);
		}
	}
	buf_free(&q);
	char *s = xstrdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* Run one expansion: its exit status (or 128+signal, or -1 when it timed
 * out) and its stdout into out. */
static int run_one(const char *line, unsigned timeout_s, struct buf *out,
		   bool *overflow, struct diag *d)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC))
		return diag_err(d, "--check", "pipe: %s", strerror(errno)), -2;
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return diag_err(d, "--check", "fork: %s", strerror(errno)), -2;
	}
	if (!pid) {
		setpgid(0, 0);
		int nul = open("/dev/null", O_RDONLY);
		if (nul < 0 || dup2(nul, 0) < 0 || dup2(pfd[1], 1) < 0)
			_exit(127);
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid);
	close(pfd[1]);
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool timed_out = false;
	char b[65536];
	for (;;) {
		struct timespec t;
		clock_gettime(CLOCK_MONOTONIC, &t);
		long left = (long)timeout_s * 1000 - ((t.tv_sec - t0.tv_sec) * 1000 +
						      (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0) {
			timed_out = true;
			break;
		}
		struct pollfd p = {pfd[0], POLLIN, 0};
		int r = poll(&p, 1, (int)(left > 1000 ? 1000 : left));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		ssize_t n = read(pfd[0], b, sizeof b);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len + (size_t)n > PRUNE_CHECK_MAX)
			*overflow = true;
		else
			buf_add(out, b, (size_t)n);
	}
	close(pfd[0]);
	if (timed_out)
		kill(-pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (timed_out)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int prune_check(const char *cmd, const char *in, const char *out,
		unsigned timeout_s, struct prune_check_result *r, struct diag *d)
{
	memset(r, 0, sizeof *r);
	struct buf a = {0}, b = {0};
	bool ova = false, ovb = false;
	char *la = expand(cmd, in), *lb = expand(cmd, out);
	int rc = -1;
	r->status_in = run_one(la, timeout_s, &a, &ova, d);
	if (r->status_in == -2)
		goto done;
	r->status_out = run_one(lb, timeout_s, &b, &ovb, d);
	if (r->status_out == -2)
		goto done;
	r->stdout_in = a.len;
	r->stdout_out = b.len;
	if (r->status_in == -1 || r->status_out == -1)
		snprintf(r->why, sizeof r->why, "timed out after %u s on %s", timeout_s,
			 r->status_in == -1 ? "INPUT" : "OUT");
	else if (ova || ovb)
		snprintf(r->why, sizeof r->why, "stdout longer than %u bytes", PRUNE_CHECK_MAX);
	else if (r->status_in != r->status_out)
		snprintf(r->why, sizeof r->why, "exit status %d on OUT, %d on INPUT",
			 r->status_out, r->status_in);
	else if (a.len != b.len || memcmp(buf_cstr(&a), buf_cstr(&b), a.len))
		snprintf(r->why, sizeof r->why, "stdout differs (%zu bytes on OUT, %zu on INPUT)",
			 b.len, a.len);
	else
		r->passed = true;
	rc = 0;
done:
	free(la);
	free(lb);
	buf_free(&a);
	buf_free(&b);
	return rc;
}
