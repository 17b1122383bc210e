/* memlimit.c - see memlimit.h. */
#include "memlimit.h"
#include "ofile.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>


/* pydeps scans with worker threads, each mapping files: one lock for the
 * counters and the setrlimit that follows them */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct {
	bool on, is_default;
	uint64_t max;        /* explicit budget */
	uint64_t input;      /* input bytes read so far */
	uint64_t mapped;     /* input bytes mapped now */
	uint64_t baseline;   /* data memory in use before the analysis */
	uint64_t limit;      /* RLIMIT_DATA set last */
	struct rlimit orig;
	char path[512];      /* the input read last */
} ml;

int memlimit_parse(const char *s, uint64_t *out)
{
	if (!strcmp(s, "unlimited") || !strcmp(s, "none")) {
		*out = 0;
		return 0;
	}
	char *end;
	errno = 0;
	if (*s < '0' || *s > '9')
		return -1;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	unsigned shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (shift && *end == 'i')
		end++;
	if (*end == 'B')
		end++;
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static uint64_t budget(void)
{
	if (!ml.is_default)
		return ml.max;
	uint64_t b = MEMLIMIT_BASE;
	if (ml.input > (UINT64_MAX - b) / MEMLIMIT_PER_INPUT)
		return UINT64_MAX;
	return b + MEMLIMIT_PER_INPUT * ml.input;
}

static void apply(void)
{
	if (!ml.on)
		return;
	uint64_t want = budget();
	want = want > UINT64_MAX - ml.mapped ? UINT64_MAX : want + ml.mapped;
	want = want > UINT64_MAX - ml.baseline ? UINT64_MAX : want + ml.baseline;
	if (ml.orig.rlim_cur != RLIM_INFINITY && want > ml.orig.rlim_cur)
		want = ml.orig.rlim_cur;
	if (want >= RLIM_INFINITY)
		want = RLIM_INFINITY;
	if (want == ml.limit)
		return;
	struct rlimit r = {want, ml.orig.rlim_max};
	if (!setrlimit(RLIMIT_DATA, &r))
		ml.limit = want;
}

/* VmData of this process now: the binary's data, the heap and stacks of
 * threads already made (libc's start-up allocations). */
static uint64_t vm_data(void)
{
	FILE *fp = fopen("/proc/self/status", "re");
	if (!fp)
		return 0;
	char line[256];
	unsigned long long kb = 0;
	while (fgets(line, sizeof line, fp))
		if (sscanf(line, "VmData: %llu kB", &kb) == 1)
			break;
	fclose(fp);
	return (uint64_t)kb << 10;
}

void memlimit_init(uint64_t max, bool is_default)
{
	if (!max && !is_default)
		return;
	if (SLIM_SANITIZED) {
		if (!is_default)
			fputs("slim: warning: --max-memory is not enforced in sanitizer builds\n", stderr);
		return;
	}
	if (getrlimit(RLIMIT_DATA, &ml.orig))
		return;
	ml.on = true;
	ml.is_default = is_default;
	ml.max = max;
	ml.limit = RLIM_INFINITY;
	/* an explicit budget is on top of what start-up already uses; the
	 * default's 256 MiB base covers that, and skipping /proc keeps the
	 * start-up of every run (a per-file benchmark runs thousands) cheap */
	ml.baseline = is_default ? 0 : vm_data();
	apply();
}

void memlimit_off(void)
{
	if (!ml.on)
		return;
	setrlimit(RLIMIT_DATA, &ml.orig);
	ml.on = false;
}

void memlimit_input(const char *path, uint64_t n, bool mapped)
{
	if (!ml.on)
		return;
	pthread_mutex_lock(&lock);
	snprintf(ml.path, sizeof ml.path, "%s", path ? path : "");
	ml.input = n > UINT64_MAX - ml.input ? UINT64_MAX : ml.input + n;
	if (mapped)
		ml.mapped = n > UINT64_MAX - ml.mapped ? UINT64_MAX : ml.mapped + n;
	apply();
	pthread_mutex_unlock(&lock);
}

void memlimit_unmapped(uint64_t n)
{
	if (!ml.on)
		return;
	pthread_mutex_lock(&lock);
	ml.mapped = n > ml.mapped ? 0 : ml.mapped - n;
	apply();
	pthread_mutex_unlock(&lock);
}

bool memlimit_headroom(uint64_t need)
{
	if (!ml.on || ml.limit == RLIM_INFINITY)
		return true;
	uint64_t used = vm_data();
	return used < ml.limit && ml.limit - used >= need;
}

static void mib(char *buf, size_t n, uint64_t v)
{
	if (v && v % (1ull << 30) == 0)
		snprintf(buf, n, "%llu GiB", (unsigned long long)(v >> 30));
	else if (v >= (10ull << 20) || (v && v % (1ull << 20) == 0))
		snprintf(buf, n, "%llu MiB", (unsigned long long)((v + (1ull << 19)) >> 20));
	else
		snprintf(buf, n, "%llu KiB", (unsigned long long)((v + 512) >> 10));
}

void memlimit_fail(size_t request)
{
	if (!ml.on)
		return;
	char b[32], r[32], path[sizeof ml.path];
	pthread_mutex_lock(&lock);   /* never released: this thread exits the process */
	snprintf(path, sizeof path, "%s", ml.path);
	mib(b, sizeof b, budget());
	mib(r, sizeof r, request);
	/* one line, as for any bad input; no half-written output remains */
	ofile_abort_all();
	fprintf(stderr, "slim: %s: memory limit of %s reached (an allocation of %s failed; %s)\n",
		path[0] ? path : "(no input)", b, r,
		ml.is_default ? "default: 256 MiB + 16x the input read; raise it with --max-memory SIZE"
			      : "set by --max-memory");
	_exit(2);   /* stdout's buffer is dropped, not flushed half-way */
}
