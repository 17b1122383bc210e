/*
 * fuzz_gate_policy.c - libFuzzer harness for the gate policy reader
 * (slim-policy/1: thresholds, allow-list entries with dates and globs);
 * an accepted policy is then evaluated on a small diff, so the allow-list
 * matching and expiry code runs on whatever the parser let through.
 */
#include "../common/diag.h"
#include "../graph/diff.h"
#include "../graph/gate.h"
#include "../graph/graph.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	struct gate_policy p;
	struct diag d = {0};
	if (gate_policy_parse(&p, (const char *)data, n, "fuzz.json", &d) == 0) {
		struct graph old, cur;
		graph_init(&old);
		graph_init(&cur);
		graph_add_node(&old, "exe", "exe:app", NULL);
		graph_add_node(&cur, "exe", "exe:app", NULL);
		struct gnode *l = graph_add_node(&cur, "lib", "lib:libnew.so.1", NULL);
		graph_node_set_size(l, 4096);
		graph_add_node(&cur, "module", "py:pkg.mod", NULL);
		graph_add_edge(&cur, "exe:app", "lib:libnew.so.1", "needs");
		struct gdiff df;
		struct gate_result r;
		diff_graphs(&df, &old, &cur);
		gate_check(&p, &df, "2026-11-23", &r);
		gate_result_free(&r);
		diff_free(&df);
		graph_free(&old);
		graph_free(&cur);
		gate_policy_free(&p);
	}
	return 0;
}
