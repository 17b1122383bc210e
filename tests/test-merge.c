/*
 * test-merge.c - graph_merge()'s rules (graph/merge.c) on graphs built
 * here, where the joined graph is known by construction: a shared node and
 * edge once, attrs joined with the later report winning, a finding kept
 * from the first report, inputs by path and sha256, removable bytes of a
 * library two reports find unused counted once, conflicts named with both
 * reports.  tests/cli/test-merge.sh checks the same on real reports.
 */
#include "testutil.h"

#include "../common/diag.h"
#include "../graph/merge.h"

/* exe:NAME -> lib:shared (unused, 100 bytes) and lib:NAME-only */
static void report(struct graph *g, const char *name, const char *via)
{
	char exe[64], own[64];
	snprintf(exe, sizeof exe, "exe:%s", name);
	snprintf(own, sizeof own, "lib:%s-only", name);
	graph_init(g);
	graph_node_set_size(graph_add_node(g, "exe", exe, NULL), 10);
	graph_node_set_size(graph_add_node(g, "lib", "lib:shared", NULL), 100);
	graph_node_set_size(graph_add_node(g, "lib", own, NULL), 7);
	attr_str(graph_node_attrs(graph_node(g, "lib:shared")), "from", name);
	graph_add_edge(g, exe, "lib:shared", "needs");
	graph_add_edge(g, exe, own, "needs");
	attr_str(graph_edge_attrs(graph_add_edge(g, own, "lib:shared", "needs")), "via", via);
	attr_str(graph_edge_attrs(graph_add_edge(g, "lib:shared", "lib:shared", "binds")), "via", via);
	graph_add_finding(g, "unused-library", "lib:shared", NULL, 100, "proven", name, "drop it");
	struct ginput *in = graph_add_input(g, name, "elf-exec", exe);
	snprintf(in->sha256, sizeof in->sha256, "%s", "ab");
	json_object_set_new(g->totals, "roots", json_pack("{s:i}", exe, 1));
}

Test(merge, shared_once_later_attrs_first_finding)
{
	struct graph a, b, m;
	struct graph_merger gm;
	struct diag d = {0};
	struct diag_list w = {0};
	report(&a, "a", "cache");
	report(&b, "b", "loaded");
	graph_init(&m);
	graph_merge_init(&gm, &m);
	cr_assert_eq(graph_merge(&gm, &a, "A.json", &w, &d), 0);
	cr_assert_eq(graph_merge(&gm, &b, "B.json", &w, &d), 0);
	cr_assert_eq(graph_merge(&gm, &a, "A.json", &w, &d), 0);   /* again: no change */
	cr_assert_eq(w.n, 0);
	cr_assert_eq(m.nnodes, 5);      /* exe:a exe:b lib:shared lib:a-only lib:b-only */
	cr_assert_eq(m.nedges, 7);      /* 3 needs per report, the binds edge once */
	cr_assert_eq(m.nfindings, 1);
	cr_assert_str_eq(m.findings[0].reason, "a");
	cr_assert_eq(m.ninputs, 2);
	cr_assert_str_eq(attr_get_str(graph_node(&m, "lib:shared")->attrs, "from"), "a");
	struct gedge *e = graph_edge(&m, "lib:shared", "lib:shared", "binds");
	cr_assert_str_eq(attr_get_str(e->attrs, "via"), "cache");   /* the last merge: A */
	cr_assert_eq(graph_proven_bytes(&m, NULL), 100);
	cr_assert_eq(json_object_size(json_object_get(m.totals, "roots")), 2);
	cr_assert_eq(graph_check(&m, &d), 0);
	graph_merge_done(&gm);
	graph_free(&a);
	graph_free(&b);
	graph_free(&m);
}

Test(merge, conflicts_name_both_reports)
{
	struct graph a, b, m;
	struct graph_merger gm;
	struct diag d = {0};
	struct diag_list w = {0};
	char msg[600];
	report(&a, "a", "x");
	report(&b, "b", "x");
	graph_node_set_size(graph_node(&b, "lib:shared"), 101);
	graph_init(&m);
	graph_merge_init(&gm, &m);
	cr_assert_eq(graph_merge(&gm, &a, "A.json", &w, &d), 0);
	cr_assert_eq(graph_merge(&gm, &b, "B.json", &w, &d), -1);
	diag_format(&d, msg, sizeof msg);
	cr_assert(strstr(msg, "B.json") && strstr(msg, "in A.json") && strstr(msg, "lib:shared"), "%s", msg);
	graph_node_set_size(graph_node(&b, "lib:shared"), 100);
	graph_node(&b, "exe:b")->kind = "lib";
	graph_merge_done(&gm);
	graph_free(&m);
	graph_init(&m);
	graph_merge_init(&gm, &m);
	cr_assert_eq(graph_merge(&gm, &b, "B.json", &w, &d), 0);
	graph_node(&a, "exe:a")->kind = "exe";
	struct graph c;
	report(&c, "b", "x");         /* exe:b is an exe here, a lib in B.json */
	cr_assert_eq(graph_merge(&gm, &c, "C.json", &w, &d), -1);
	diag_format(&d, msg, sizeof msg);
	cr_assert(strstr(msg, "kind 'exe' here but 'lib' in B.json"), "%s", msg);
	graph_merge_done(&gm);
	graph_free(&a);
	graph_free(&b);
	graph_free(&c);
	graph_free(&m);
}
