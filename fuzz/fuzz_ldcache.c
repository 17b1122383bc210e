/*
 * fuzz_ldcache.c - libFuzzer harness for the /etc/ld.so.cache reader (old
 * and new formats, the hwcaps extension) and its binary-search lookup.
 */
#include "../analyzers/elf/ldcache.h"
#include "../common/diag.h"

#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	static const char *names[] = {"libc.so.6", "libm.so.6", "libz.so.1", "", "a"};
	static const char *const hw[] = {"x86-64-v3", "x86-64-v2", NULL};
	int fd = memfd_create("cache", 0);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n)
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct ldcache c;
	struct diag d = {0};
	if (ldcache_open(&c, path, &d) == 0) {
		for (size_t i = 0; i < sizeof names / sizeof *names; i++)
			ldcache_lookup(&c, names[i], ELFCLASS64, EM_X86_64, hw);
		for (size_t i = 0; i < c.n && i < 64; i++)
			ldcache_lookup(&c, c.e[i].key, ELFCLASS64, EM_X86_64, hw);
		ldcache_close(&c);
	}
	close(fd);
	return 0;
}
