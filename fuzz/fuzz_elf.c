/*
 * fuzz_elf.c - libFuzzer harness for the ELF analyzer: the input is the
 * analyzed file (ELF header, program headers, dynamic section, symbol
 * tables, hash tables, versions, relocations), resolved inside an empty
 * sysroot so every run exercises parsing and binding of the input itself.
 * Checks the graph invariants after each run.
 */
#include "../analyzers/elf/slim-elf.h"
#include "../common/diag.h"
#include "../graph/graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	static char root[] = "/tmp/slim-fuzz-root.XXXXXX";
	static int ready;
	if (!ready && mkdtemp(root))
		ready = 1;
	int fd = memfd_create("elf", 0);
	if (fd < 0 || write(fd, data, n) != (ssize_t)n)
		abort();
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	struct elf_opts o = {.sysroot = root, .sizes = true};
	struct elf_ctx *c = elf_ctx_new(&o);
	struct graph g;
	struct diag d = {0};
	struct diag_list w = {0};
	graph_init(&g);
	if (elf_analyze(c, &g, path, NULL, &w, &d) == 0 && graph_check(&g, &d))
		abort();    /* an invariant broke */
	graph_free(&g);
	diag_list_free(&w);
	elf_ctx_free(c);
	close(fd);
	return 0;
}
