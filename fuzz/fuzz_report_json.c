/*
 * fuzz_report_json.c - libFuzzer harness for the slim-report/1 reader:
 * whatever it accepts must satisfy the graph invariants and serialize
 * again to a document it accepts.
 */
#include "../common/diag.h"
#include "../graph/graph.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	struct graph g;
	struct diag d = {0};
	graph_init(&g);
	if (graph_read_json(&g, (const char *)data, n, "fuzz", &d) == 0) {
		if (graph_check(&g, &d))
			abort();
		json_t *doc = graph_to_json(&g);
		char *s = json_dumps(doc, JSON_SORT_KEYS);
		struct graph g2;
		graph_init(&g2);
		if (!s || graph_read_json(&g2, s, strlen(s), "again", &d))
			abort();   /* our own output must read back */
		graph_free(&g2);
		free(s);
		json_decref(doc);
	}
	graph_free(&g);
	return 0;
}
