/*
 * fuzz_unpack.c - libFuzzer harness for the archive and image reader
 * (pipeline/unpack*.c): the input is written to a memfd and unpacked
 * through its /proc/self/fd path as deploy_unpack() reads any file (tar,
 * the four filters, zip, an OCI layout or docker save tarball inside),
 * with a 16 MiB bound on bytes written.  Checked after every input:
 * an error leaves nothing on disk, and deploy_cleanup() leaves the
 * private TMPDIR empty, so nothing was written beside the root.
 */
#include "../pipeline/deploy.h"
#include "../common/diag.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static char tmp[] = "/tmp/fuzz-unpack.XXXXXX";
static int mfd = -1;

static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *e;
	if (!d)
		abort();
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	if (mfd < 0 && (!mkdtemp(tmp) || (mfd = memfd_create("fuzz", 0)) < 0))
		abort();
	if (ftruncate(mfd, 0) || (n && pwrite(mfd, data, n, 0) != (ssize_t)n))
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", mfd);
	struct deploy_unpack_opts o = {.max_bytes = 16u << 20, .tmpdir = tmp};
	struct deploy_unpacked u;
	struct diag_list w = {0};
	struct diag d = {0};
	int rc = deploy_unpack_with(path, &o, &u, &w, &d);
	(void)deploy_is_archive(data, n);
	if (rc && entries(tmp))
		abort();   /* an error left files behind */
	if (!rc && entries(tmp) != 1)
		abort();   /* something beside the private root */
	deploy_cleanup(&u);
	if (entries(tmp))
		abort();
	diag_list_free(&w);
	return 0;
}
