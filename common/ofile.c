/* ofile.c - see ofile.h. */
#include "ofile.h"
#include "diag.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* temporaries in flight, for ofile_abort_all and the signal handler
 * (each slot is one pointer store, so a handler never sees half of one) */
static char *volatile pending[16];

static void track(char *tmp, bool add)
{
	for (size_t i = 0; i < sizeof pending / sizeof *pending; i++)
		if (add ? !pending[i] : pending[i] == tmp) {
			pending[i] = add ? tmp : NULL;
			return;
		}
}

void ofile_abort_all(void)
{
	for (size_t i = 0; i < sizeof pending / sizeof *pending; i++)
		if (pending[i]) {
			unlink(pending[i]);
			pending[i] = NULL;
		}
}

/* SIGINT, SIGTERM, SIGHUP, SIGPIPE: remove the temporaries (unlink is
 * async-signal-safe), then die of the same signal as before, so the
 * caller's shell sees the usual status. */
static void on_fatal_signal(int sig)
{
	int saved = errno;
	ofile_abort_all();   /* unlink and plain stores only */
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved;
}

void ofile_catch_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		struct sigaction sa, old;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_fatal_signal;
		sigemptyset(&sa.sa_mask);
		/* a signal the parent ignores (nohup, a shell's background
		 * job) stays ignored */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
}

FILE *ofile_open(struct ofile *o, const char *path, struct diag *d)
{
	memset(o, 0, sizeof *o);
	o->target = xstrdup(!strcmp(path, "-") ? "stdout" : path);
	if (!strcmp(path, "-")) {
		o->fp = stdout;
		return o->fp;
	}
	/* A target that exists and is not a regular file (/dev/null, a FIFO,
	 * /dev/stdout) is written in place: renaming a temporary over it
	 * would replace a device node with a file. */
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode)) {
			diag_err(d, path, "is a directory");
			free(o->target);
			memset(o, 0, sizeof *o);
			return NULL;
		}
		o->fp = fopen(path, "w");
		if (!o->fp) {
			diag_err(d, path, "cannot open output: %s", strerror(errno));
			free(o->target);
			memset(o, 0, sizeof *o);
			return NULL;
		}
		o->in_place = true;
		return o->fp;
	}
	const char *base = path_base(path);
	size_t dirlen = (size_t)(base - path);
	size_t n = dirlen + strlen(base) + 16;
	o->tmp = xmalloc(n);
	snprintf(o->tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, path, base);
	int fd = mkstemp(o->tmp);
	if (fd < 0) {
		diag_err(d, path, "cannot create output: %s", strerror(errno));
		free(o->tmp);
		free(o->target);
		memset(o, 0, sizeof *o);
		return NULL;
	}
	fchmod(fd, 0644);
	track(o->tmp, true);
	o->fp = fdopen(fd, "w");
	if (!o->fp) {
		close(fd);
		ofile_abort(o);
		diag_err(d, path, "cannot open output stream");
		return NULL;
	}
	return o->fp;
}

int ofile_commit(struct ofile *o, struct diag *d)
{
	int rc = 0;
	if (!o->fp)
		return diag_err(d, o->target, "output was not opened");
	if (!o->tmp) {
		if (fflush(o->fp) || ferror(o->fp))
			rc = diag_err(d, o->target, "write failed: %s",
				      strerror(errno));
		if (o->in_place && fclose(o->fp) && !rc)
			rc = diag_err(d, o->target, "write failed: %s", strerror(errno));
		free(o->target);
		memset(o, 0, sizeof *o);
		return rc;
	}
	if (fflush(o->fp) || ferror(o->fp) || fsync(fileno(o->fp))) {
		rc = diag_err(d, o->target, "write failed: %s", strerror(errno));
		fclose(o->fp);
		o->fp = NULL;
		ofile_abort(o);
		return rc;
	}
	if (fclose(o->fp)) {
		o->fp = NULL;
		rc = diag_err(d, o->target, "write failed: %s", strerror(errno));
		ofile_abort(o);
		return rc;
	}
	o->fp = NULL;
	if (rename(o->tmp, o->target)) {
		rc = diag_err(d, o->target, "cannot rename into place: %s",
			      strerror(errno));
		ofile_abort(o);
		return rc;
	}
	track(o->tmp, false);
	free(o->tmp);
	free(o->target);
	memset(o, 0, sizeof *o);
	return 0;
}

void ofile_abort(struct ofile *o)
{
	if (o->fp && o->fp != stdout)
		fclose(o->fp);   /* an in-place target keeps what was written */
	if (o->tmp) {
		unlink(o->tmp);
		track(o->tmp, false);
	}
	free(o->tmp);
	free(o->target);
	memset(o, 0, sizeof *o);
}

int ofile_write_all(const char *path, const void *p, size_t n, struct diag *d)
{
	struct ofile o;
	FILE *fp = ofile_open(&o, path, d);
	if (!fp)
		return -1;
	if (n && fwrite(p, 1, n, fp) != n) {
		diag_err(d, path, "write failed: %s", strerror(errno));
		ofile_abort(&o);
		return -1;
	}
	return ofile_commit(&o, d);
}
