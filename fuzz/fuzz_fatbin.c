/*
 * fuzz_fatbin.c - libFuzzer harness for the CUDA fat binary analyzer: the
 * input is an ELF file, ar archive or bare fatbin; every container and
 * entry is walked, compressed entries decoded (bounded), cubins read for
 * kernels, and verdicts made for sm_80,sm_90.  Graph invariants checked.
 */
#include "../analyzers/fatbin/fatbin.h"
#include "../common/diag.h"
#include "../graph/graph.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	struct graph g;
	struct diag d = {0};
	struct diag_list w = {0};
	struct fatbin_opts o = {.arch = "sm_80,sm_90", .kernels = true};
	graph_init(&g);
	graph_add_node(&g, "lib", "lib:fuzz.so", NULL);
	if (fatbin_merge_buf(&g, "fuzz", data, n, "lib:fuzz.so", &o, &w, &d) >= 0 &&
	    graph_check(&g, &d))
		abort();
	graph_free(&g);
	diag_list_free(&w);
	return 0;
}
