/*
 * fatbin-floor.c - the least work any tool listing fatbin entries must do,
 * for bench/fatbin-floor.sh: read the 64-byte header of every entry at
 * offsets known in advance (no container walk, no section lookup, no
 * output), with pread (argv[2] = "pread") or through one read-only mapping
 * per file ("mmap").  stdin: lines "PATH OFFSET", grouped by file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int use_mmap = argc > 1 && !strcmp(argv[1], "mmap");
	char path[4096], prev[4096] = "";
	unsigned long long off;
	unsigned long sum = 0;
	int fd = -1;
	unsigned char *m = NULL, hdr[64];
	size_t size = 0;
	while (scanf("%4095s %llu", path, &off) == 2) {
		if (strcmp(path, prev)) {
			if (m)
				munmap(m, size);
			if (fd >= 0)
				close(fd);
			m = NULL;
			fd = open(path, O_RDONLY);
			struct stat st;
			if (fd < 0 || fstat(fd, &st))
				return perror(path), 1;
			size = (size_t)st.st_size;
			if (use_mmap && (m = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED)
				return perror(path), 1;
			strcpy(prev, path);
		}
		if (off + 64 > size)
			continue;
		if (use_mmap) {
			sum += m[off] + m[off + 28];
		} else {
			if (pread(fd, hdr, 64, (off_t)off) != 64)
				return perror(path), 1;
			sum += hdr[0] + hdr[28];
		}
	}
	printf("%lu\n", sum);
	return 0;
}
