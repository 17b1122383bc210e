/*
 * fuzz_linkmap.c - libFuzzer harness for the linker-map parsers (GNU ld,
 * gold, lld, mold: the dialect is detected from the text, so one harness
 * with seeds of each covers all four).  Graph invariants checked.
 */
#include "../common/diag.h"
#include "../graph/graph.h"
#include "../linkmap/linkmap.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	struct graph g;
	struct diag d = {0};
	struct diag_list w = {0};
	graph_init(&g);
	if (linkmap_merge_buf(&g, "fuzz.map", (const char *)data, n, NULL, &w, &d) == 0 &&
	    graph_check(&g, &d))
		abort();
	graph_free(&g);
	diag_list_free(&w);
	return 0;
}
