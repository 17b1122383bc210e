/* mfile.c - see mfile.h. */
#include "mfile.h"
#include "diag.h"
#include "memlimit.h"
#include "rootopen.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint64_t mapped_bytes(size_t n)
{
	return ((uint64_t)n + 4095) & ~(uint64_t)4095;
}

int mfile_open(struct mfile *f, const char *path, struct diag *d)
{
	return mfile_open_at(f, -1, path, d);
}

int mfile_open_at(struct mfile *f, int rootfd, const char *path, struct diag *d)
{
	int fd = rootfd >= 0 ? open_in_root(rootfd, path, O_NOCTTY | O_NONBLOCK)
			     : open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		memset(f, 0, sizeof *f);
		f->path = path;
		return diag_err(d, path, "cannot open: %s", strerror(errno));
	}
	return mfile_open_fd(f, fd, path, d);
}

int mfile_open_fd(struct mfile *f, int fd, const char *path, struct diag *d)
{
	memset(f, 0, sizeof *f);
	f->path = path;
	struct stat st;
	int rc = -1;
	if (fstat(fd, &st) < 0) {
		diag_err(d, path, "cannot stat: %s", strerror(errno));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		diag_err(d, path, "is a directory");
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		diag_err(d, path, "not a regular file");
		goto out;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->n = (size_t)st.st_size;
	if (f->n) {
		/* the mapping counts against --max-memory's RLIMIT_DATA: raise
		 * the limit first (and add the input to the default budget) */
		memlimit_input(path, mapped_bytes(f->n), true);
		void *m = mmap(NULL, f->n, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED) {
			diag_err(d, path, "cannot map: %s", strerror(errno));
			memlimit_unmapped(mapped_bytes(f->n));
			f->n = 0;
			goto out;
		}
		f->p = m;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

void mfile_close(struct mfile *f)
{
	if (f->p) {
		munmap((void *)f->p, f->n);
		memlimit_unmapped(mapped_bytes(f->n));
	}
	f->p = NULL;
	f->n = 0;
}

void sha256_hex(const void *p, size_t n, char hex[65])
{
	/* nettle, not libcrypto: libcrypto's start-up (relocations and
	 * constructors) alone cost more than analyzing a small program */
	unsigned char md[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	sha256_update(&ctx, n, p);
	sha256_digest(&ctx, sizeof md, md);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = 0;
}

int sha256_fd_hex(int fd, char hex[65])
{
	unsigned char md[SHA256_DIGEST_SIZE];
	static __thread unsigned char b[1 << 16];
	struct sha256_ctx ctx;
	sha256_init(&ctx);
	for (off_t off = 0;;) {
		ssize_t k = pread(fd, b, sizeof b, off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		if (!k)
			break;
		sha256_update(&ctx, (size_t)k, b);
		off += k;
	}
	sha256_digest(&ctx, sizeof md, md);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = 0;
	return 0;
}
