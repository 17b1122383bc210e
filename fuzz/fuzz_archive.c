/*
 * fuzz_archive.c - libFuzzer harness for the archive member walk
 * (analyzers/archive/): the input is taken as an ar archive (members,
 * their headers and ELF section headers) and as a lone ELF object (its
 * text/data/bss); graph invariants checked after a successful walk.
 */
#include "../analyzers/archive/archive.h"
#include "../common/diag.h"
#include "../graph/graph.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	struct graph g;
	struct diag d = {0};
	struct archive_sizes s;
	graph_init(&g);
	graph_add_node(&g, "object", "obj:fuzz.a", NULL);
	if (archive_merge(&g, "fuzz.a", data, n, "obj:fuzz.a", &d) >= 0 &&
	    graph_check(&g, &d))
		abort();
	archive_elf_sizes(data, n, "fuzz.o", 0, &s, &d);
	graph_free(&g);
	return 0;
}
