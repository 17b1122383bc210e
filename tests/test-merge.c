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

/* a deployable's report: file:usr/share/x (size bytes) under root, a
 * finding on it with a relative path in attrs.paths */
static void tree_report(struct graph *g, const char *root, uint64_t size)
{
	graph_init(g);
	struct gnode *n = graph_add_node(g, "file", "file:usr/share/x", "usr/share/x");
	graph_node_set_size(n, size);
	attr_str(graph_node_attrs(n), "path", "usr/share/x");
	struct gfinding *f = graph_add_finding(g, "duplicate-file", "file:usr/share/x", NULL,
					       size, "proven", "r", "f");
	f->attrs = json_pack("{s:[s,s]}", "paths", "usr/share/x", "/abs");
	json_object_set_new(g->totals, "tree", json_pack(
		"{s:s, s:I, s:I, s:[{s:s, s:I}], s:[{s:s, s:I}], s:[s]}",
		"root", root, "files", (json_int_t)1, "bytes", (json_int_t)size,
		"dirs", "dir", "usr", "bytes", (json_int_t)size,
		"prune", "path", "usr/share/x", "bytes", (json_int_t)size,
		"roots", "file:usr/share/x"));
}

/* two deployables named by their roots' last components, "#2" for the
 * second of one name; ids, paths and totals.tree under the names; the
 * same analysis twice is one; alone, a deployable is not renamed */
Test(merge, deployables_under_their_names)
{
	struct graph a, b, a2, m;
	struct graph_merger gm;
	struct diag d = {0};
	struct diag_list w = {0};
	tree_report(&a, "x/root", 10);
	tree_report(&b, "/y/root/", 20);      /* the same path inside, other bytes */
	tree_report(&a2, "x/root", 10);
	graph_init(&m);
	graph_merge_init(&gm, &m);
	const struct graph *in[] = {&a, &b, &a2};
	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(graph_merge_plan(&gm, in[i], "R.json", &d), 0);
	graph_merge_plan_done(&gm);
	for (size_t i = 0; i < 3; i++)
		cr_assert_eq(graph_merge(&gm, in[i], "R.json", &w, &d), 0, "%s", d.msg);
	graph_merge_finish(&gm);
	cr_assert_eq(m.nnodes, 2);
	struct gnode *x = graph_node(&m, "file:root/usr/share/x"), *y = graph_node(&m, "file:root#2/usr/share/x");
	cr_assert(x && y);
	cr_assert_eq(x->size, 10);
	cr_assert_eq(y->size, 20);
	cr_assert_str_eq(y->name, "root#2/usr/share/x");
	cr_assert_str_eq(attr_get_str(y->attrs, "path"), "root#2/usr/share/x");
	cr_assert_eq(m.nfindings, 2);
	const struct gfinding *f = graph_finding(&m, "duplicate-file", "file:root#2/usr/share/x", NULL);
	cr_assert(f);
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(f->attrs, "paths"), 0)),
			 "root#2/usr/share/x");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(f->attrs, "paths"), 1)), "/abs");
	json_t *t = json_object_get(m.totals, "tree");
	cr_assert_eq(json_integer_value(json_object_get(t, "bytes")), 30);
	cr_assert_eq(json_integer_value(json_object_get(t, "files")), 2);
	cr_assert_str_eq(json_string_value(json_object_get(t, "root")), "root + root#2");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(t, "dirs"), 0), "dir")),
			 "root#2/usr");
	cr_assert_str_eq(json_string_value(json_array_get(json_object_get(t, "roots"), 1)), "file:root/usr/share/x");   /* "#" sorts before "/" */
	cr_assert_eq(json_array_size(json_object_get(t, "deployables")), 2);
	cr_assert_eq(graph_check(&m, &d), 0);
	graph_merge_done(&gm);
	graph_free(&m);

	/* one deployable twice: joined by id, not renamed */
	graph_init(&m);
	graph_merge_init(&gm, &m);
	cr_assert_eq(graph_merge_plan(&gm, &a, "A.json", &d), 0);
	cr_assert_eq(graph_merge_plan(&gm, &a2, "A2.json", &d), 0);
	graph_merge_plan_done(&gm);
	cr_assert_eq(graph_merge(&gm, &a, "A.json", &w, &d), 0);
	cr_assert_eq(graph_merge(&gm, &a2, "A2.json", &w, &d), 0);
	graph_merge_finish(&gm);
	cr_assert_eq(m.nnodes, 1);
	cr_assert(graph_node(&m, "file:usr/share/x"));
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(m.totals, "tree"), "root")), "x/root");
	graph_merge_done(&gm);
	graph_free(&m);
	graph_free(&a);
	graph_free(&b);
	graph_free(&a2);
}
