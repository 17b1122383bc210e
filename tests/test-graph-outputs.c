/*
 * test-graph-outputs.c - the rules of graph/why.c, diff.c, gate.c and
 * subgraph.c on graphs built here, where the right answer is known by
 * construction (2^k paths through k diamonds, a chain deeper than any
 * stack, dates around an expiry, a summary past its cap).
 */
#include "testutil.h"

#include "../common/diag.h"
#include "../graph/diff.h"
#include "../graph/gate.h"
#include "../graph/subgraph.h"
#include "../graph/why.h"

#include <limits.h>

static struct gnode *node(struct graph *g, const char *kind, const char *id,
			  uint64_t size)
{
	struct gnode *n = graph_add_node(g, kind, id, NULL);
	graph_node_set_size(n, size);
	return n;
}

/* root -> (a_i | b_i) -> j_i -> ... : k diamonds in a row */
static void diamonds(struct graph *g, int k)
{
	char a[32], b[32], j[32], prev[32] = "exe:root";
	node(g, "exe", "exe:root", 1);
	for (int i = 0; i < k; i++) {
		snprintf(a, sizeof a, "lib:a%d", i);
		snprintf(b, sizeof b, "lib:b%d", i);
		snprintf(j, sizeof j, "lib:j%d", i);
		node(g, "lib", a, 1);
		node(g, "lib", b, 1);
		node(g, "lib", j, 1);
		graph_add_edge(g, prev, a, "needs");
		graph_add_edge(g, prev, b, "needs");
		graph_add_edge(g, a, j, "needs");
		graph_add_edge(g, b, j, "needs");
		snprintf(prev, sizeof prev, "%s", j);
	}
}

Test(why, counts_two_to_the_k_paths_and_lists_at_most_max)
{
	struct graph g;
	struct why_bfs w;
	struct why_path *p;
	uint64_t total;
	graph_init(&g);
	diamonds(&g, 10);
	why_bfs_init(&w, &g);
	size_t n = why_paths(&w, graph_node(&g, "lib:j9")->idx, 7, &p, &total);
	cr_assert_eq(total, 1024);
	cr_assert_eq(n, 7);
	for (size_t i = 0; i < n; i++) {
		cr_assert_eq(p[i].len, 21);
		cr_assert_str_eq(g.nodes[p[i].nodes[0]]->id, "exe:root");
		for (size_t k = 1; k < p[i].len; k++)
			cr_assert(graph_edge(&g, g.nodes[p[i].nodes[k - 1]]->id,
					     g.nodes[p[i].nodes[k]]->id, "needs"));
		if (i)   /* distinct, in a fixed order */
			cr_assert(memcmp(p[i].nodes, p[i - 1].nodes, 21 * sizeof *p[i].nodes));
	}
	why_paths_free(p, n);
	why_bfs_free(&w);
	graph_free(&g);
}

Test(why, path_count_saturates_instead_of_overflowing)
{
	struct graph g;
	struct why_bfs w;
	struct why_path *p;
	uint64_t total;
	graph_init(&g);
	diamonds(&g, 70);
	why_bfs_init(&w, &g);
	size_t n = why_paths(&w, graph_node(&g, "lib:j69")->idx, 3, &p, &total);
	cr_assert_eq(total, UINT64_MAX);
	cr_assert_eq(n, 3);
	why_paths_free(p, n);
	why_bfs_free(&w);
	graph_free(&g);
}

Test(why, a_chain_deeper_than_any_stack_needs_no_recursion)
{
	struct graph g;
	struct why_bfs w;
	struct why_path *p;
	uint64_t total;
	char id[32], prev[32] = "exe:root";
	graph_init(&g);
	node(&g, "exe", "exe:root", 1);
	for (int i = 0; i < 200000; i++) {
		snprintf(id, sizeof id, "py:m%d", i);
		node(&g, "module", id, 1);
		graph_add_edge(&g, prev, id, "imports");
		snprintf(prev, sizeof prev, "%s", id);
	}
	why_bfs_init(&w, &g);
	size_t n = why_paths(&w, graph_node(&g, prev)->idx, 10, &p, &total);
	cr_assert_eq(n, 1);
	cr_assert_eq(total, 1);
	cr_assert_eq(p[0].len, 200001);
	why_paths_free(p, n);
	why_bfs_free(&w);
	graph_free(&g);
}

Test(why, binds_edges_do_not_shortcut_the_load_path)
{
	struct graph g;
	struct why_bfs w;
	struct why_path *p;
	uint64_t total;
	graph_init(&g);
	node(&g, "exe", "exe:app", 1);
	node(&g, "lib", "lib:libssl.so.3", 1);
	node(&g, "lib", "lib:libcrypto.so.3", 1);
	node(&g, "lib", "lib:libonlybound.so", 1);
	graph_add_input(&g, "app", "elf", "exe:app");
	graph_add_edge(&g, "exe:app", "lib:libssl.so.3", "needs");
	graph_add_edge(&g, "lib:libssl.so.3", "lib:libcrypto.so.3", "needs");
	graph_add_edge(&g, "exe:app", "lib:libcrypto.so.3", "binds");
	graph_add_edge(&g, "exe:app", "lib:libonlybound.so", "binds");
	why_bfs_init(&w, &g);
	size_t n = why_paths(&w, graph_node(&g, "lib:libcrypto.so.3")->idx, 10, &p, &total);
	cr_assert_eq(n, 1);
	cr_assert_eq(p[0].len, 3, "the DT_NEEDED chain, not the binding");
	why_paths_free(p, n);
	n = why_paths(&w, graph_node(&g, "lib:libonlybound.so")->idx, 10, &p, &total);
	cr_assert_eq(n, 1, "a node only a binding reaches still has its path");
	cr_assert_eq(p[0].len, 2);
	why_paths_free(p, n);
	why_bfs_free(&w);
	graph_free(&g);
}

Test(why, lookup_by_id_name_ambiguity_and_suggestions)
{
	struct graph g;
	struct diag d = {0};
	graph_init(&g);
	node(&g, "lib", "lib:libcrypto.so.3", 1);
	node(&g, "lib", "lib:x", 1);
	node(&g, "module", "py:x", 1);
	cr_assert_str_eq(why_lookup(&g, "libcrypto.so.3", "f", &d)->id, "lib:libcrypto.so.3");
	cr_assert_null(why_lookup(&g, "x", "f", &d));
	cr_assert(strstr(d.msg, "ambiguous: lib:x, py:x"), "%s", d.msg);
	cr_assert_null(why_lookup(&g, "libcrpyto.so.3", "f", &d));
	cr_assert(strstr(d.msg, "did you mean: lib:libcrypto.so.3"), "%s", d.msg);
	cr_assert_null(why_lookup(&g, "zzzzzzzzzzzzzzzz", "f", &d));
	cr_assert(!strstr(d.msg, "did you mean"), "%s", d.msg);
	graph_free(&g);
}

Test(gate, dates_are_checked_as_calendar_dates)
{
	cr_assert(gate_date_ok("2024-02-29"));
	cr_assert(gate_date_ok("2000-02-29"));
	cr_assert(!gate_date_ok("1900-02-29"));
	cr_assert(!gate_date_ok("2026-02-29"));
	cr_assert(!gate_date_ok("2026-04-31"));
	cr_assert(!gate_date_ok("2026-1-01"));
	cr_assert(!gate_date_ok("2026-01-01x"));
	cr_assert(!gate_date_ok("2026-00-10"));
}

static void two_builds(struct graph *old, struct graph *new)
{
	graph_init(old);
	graph_init(new);
	node(old, "exe", "exe:app", 100);
	node(old, "lib", "lib:libc.so.6", 1000);
	graph_add_edge(old, "exe:app", "lib:libc.so.6", "needs");
	node(new, "exe", "exe:app", 100);
	node(new, "lib", "lib:libc.so.6", 1300);
	node(new, "lib", "lib:libz.so.1", 50);
	graph_add_edge(new, "exe:app", "lib:libc.so.6", "needs");
	graph_add_edge(new, "exe:app", "lib:libz.so.1", "needs");
}

static size_t violations(const char *policy, const char *today, const char *rule)
{
	struct graph old, new;
	struct gdiff df;
	struct gate_policy p;
	struct gate_result r;
	struct diag d = {0};
	two_builds(&old, &new);
	diff_graphs(&df, &old, &new);
	cr_assert_eq(gate_policy_parse(&p, policy, strlen(policy), "p.json", &d), 0, "%s", d.msg);
	gate_check(&p, &df, today, &r);
	size_t n = 0;
	for (size_t i = 0; i < r.n; i++)
		n += !rule || !strcmp(r.v[i].rule, rule);
	gate_result_free(&r);
	gate_policy_free(&p);
	diff_free(&df);
	graph_free(&old);
	graph_free(&new);
	return n;
}

Test(gate, allow_entry_holds_through_its_expiry_date_and_fails_after)
{
	const char *pol = "{\"allow\":[{\"node\":\"lib:libz.so.1\",\"reason\":\"r\","
			  "\"owner\":\"o\",\"expires\":\"2026-06-30\"}]}";
	cr_assert_eq(violations(pol, "2026-06-30", NULL), 0);
	cr_assert_eq(violations(pol, "2026-07-01", "expired-allow"), 1);
	cr_assert_eq(violations(pol, "2026-07-01", "new-library"), 1);
	cr_assert_eq(violations("{}", "2026-01-01", "new-library"), 1, "no policy key: still 0 new libraries");
}

Test(gate, byte_thresholds_absolute_and_percent)
{
	/* libc grew 300 bytes (+30%); total 1100 -> 1450, minus nothing accepted */
	cr_assert_eq(violations("{\"max_new_libraries\":1,\"max_node_bytes_growth\":299}", "2026-01-01", "node-bytes"), 1);
	cr_assert_eq(violations("{\"max_new_libraries\":1,\"max_node_bytes_growth\":300}", "2026-01-01", NULL), 0);
	cr_assert_eq(violations("{\"max_new_libraries\":1,\"max_node_bytes_growth_percent\":29.9}", "2026-01-01", "node-bytes"), 1);
	cr_assert_eq(violations("{\"max_new_libraries\":1,\"max_total_bytes_growth\":349}", "2026-01-01", "total-bytes"), 1);
	cr_assert_eq(violations("{\"max_new_libraries\":1,\"max_total_bytes_growth\":350}", "2026-01-01", NULL), 0);
	/* an accepted addition's bytes do not count toward total growth */
	cr_assert_eq(violations("{\"max_total_bytes_growth\":300,\"allow\":[{\"pattern\":\"lib:libz*\","
				"\"reason\":\"r\",\"owner\":\"o\",\"expires\":\"2099-01-01\"}]}", "2026-01-01", NULL), 0);
	cr_assert_eq(violations("{\"max_new_libraries\":1,\"max_new_nodes\":{\"*\":0}}", "2026-01-01", "new-nodes"), 1);
}

Test(gate, policy_errors_name_the_problem)
{
	static const struct { const char *pol, *msg; } bad[] = {
		{"{\"max_new_librarys\":0}", "unknown key \"max_new_librarys\""},
		{"{\"max_new_libraries\":-1}", "must be a whole number >= 0"},
		{"{\"max_new_libraries\":1.5}", "must be a whole number >= 0"},
		{"{\"max_new_nodes\":{\"lib\":\"x\"}}", "\"lib\" must be a whole number"},
		{"{\"allow\":{}}", "\"allow\" must be an array"},
		{"{\"allow\":[{\"node\":\"a\",\"reason\":\"r\",\"owner\":\"o\"}]}", "are required"},
		{"{\"allow\":[{\"node\":\"a\",\"reason\":\"r\",\"owner\":\"o\",\"expires\":\"tomorrow\"}]}", "is not a date"},
		{"{\"schema\":\"slim-policy/2\"}", "slim-policy/1"},
		{"[1]", "not a JSON object"},
		{"{\"allow\":[", "invalid JSON"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct gate_policy p;
		struct diag d = {0};
		cr_assert_eq(gate_policy_parse(&p, bad[i].pol, strlen(bad[i].pol), "p.json", &d), -1, "%s", bad[i].pol);
		cr_assert(strstr(d.msg, bad[i].msg), "%s: got '%s'", bad[i].pol, d.msg);
		gate_policy_free(&p);
	}
}

Test(gate, summary_is_capped_at_a_line_with_fences_closed)
{
	struct graph old, new;
	struct gdiff df;
	struct gate_policy p;
	struct gate_result r;
	struct why_bfs w;
	struct buf b = BUF_INIT;
	char id[64];
	graph_init(&old);
	graph_init(&new);
	node(&old, "exe", "exe:app", 1);
	node(&new, "exe", "exe:app", 1);
	graph_add_input(&new, "app", "elf", "exe:app");
	for (int i = 0; i < 500; i++) {
		snprintf(id, sizeof id, "lib:libgrowth%04d.so.1", i);
		node(&new, "lib", id, 10);
		graph_add_edge(&new, "exe:app", id, "needs");
	}
	diff_graphs(&df, &old, &new);
	gate_policy_default(&p);
	gate_check(&p, &df, "2026-01-01", &r);
	cr_assert_eq(r.n, 500);
	why_bfs_init(&w, &new);
	gate_summary(&r, &df, &w, "b.json", "app", 8192, &b);
	cr_assert_leq(b.len, 8192);
	cr_assert(strstr(b.p, "summary cut at 8 KB"));
	cr_assert(strstr(b.p, "**new-library**: new library `lib:libgrowth0000.so.1`"), "violations come first");
	size_t fences = 0;
	for (const char *s = b.p; (s = strstr(s, "```")); s += 3)
		fences++;
	cr_assert_eq(fences % 2, 0, "a code block left open");
	buf_free(&b);
	why_bfs_free(&w);
	gate_result_free(&r);
	gate_policy_free(&p);
	diff_free(&df);
	graph_free(&old);
	graph_free(&new);
}

Test(diff, output_does_not_depend_on_insertion_order)
{
	struct graph a, b, empty;
	struct gdiff d1, d2;
	struct buf t1 = BUF_INIT, t2 = BUF_INIT;
	const char *ids[] = {"lib:b", "lib:a", "py:z", "py:a.b", "obj:x.a(y.o)"};
	graph_init(&a);
	graph_init(&b);
	graph_init(&empty);
	for (int i = 0; i < 5; i++)
		node(&a, "lib", ids[i], (uint64_t)i);
	for (int i = 4; i >= 0; i--)
		node(&b, "lib", ids[i], (uint64_t)i);
	graph_add_edge(&a, "lib:a", "lib:b", "needs");
	graph_add_edge(&a, "py:z", "lib:b", "needs");
	graph_add_edge(&b, "py:z", "lib:b", "needs");
	graph_add_edge(&b, "lib:a", "lib:b", "needs");
	diff_graphs(&d1, &empty, &a);
	diff_graphs(&d2, &empty, &b);
	diff_format_text(&d1, &t1, 0);
	diff_format_text(&d2, &t2, 0);
	cr_assert_str_eq(buf_cstr(&t1), buf_cstr(&t2));
	diff_free(&d1);
	diff_graphs(&d1, &a, &b);
	cr_assert_eq(d1.nadded + d1.nremoved + d1.ngrown + d1.neadded + d1.neremoved, 0);
	buf_free(&t1);
	buf_free(&t2);
	diff_free(&d1);
	diff_free(&d2);
	graph_free(&a);
	graph_free(&b);
	graph_free(&empty);
}

Test(subgraph, collapse_groups_follow_the_id_grammar)
{
	static const struct { const char *id, *group, *kind; } t[] = {
		{"obj:libz.a(inflate.o)", "archive:libz.a", "archive"},
		{"sec:libz.a(inflate.o):.text.inflate", "archive:libz.a", "archive"},
		{"sec:main.o:.text", "obj:main.o", "object"},
		{"py:numpy.linalg.linalg", "py:numpy", "package"},
		{"py:numpy", "py:numpy", "package"},
		{"gpu:libcublas.so.13:sm_90:17", "gpu:libcublas.so.13:sm_90", "gpu-arch"},
		{"kern:libcublas.so.13:sm_90:gemm", "gpu:libcublas.so.13:sm_90", "gpu-arch"},
		{"sym:libc.so.6:malloc@GLIBC_2.2.5", "lib:libc.so.6", "lib"},
	};
	struct graph g;
	char out[256];
	const char *kind;
	bool adds;
	graph_init(&g);
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		struct gnode *n = node(&g, "x", t[i].id, 1);
		cr_assert(subgraph_group_of(n, out, sizeof out, &kind, &adds), "%s", t[i].id);
		cr_assert_str_eq(out, t[i].group);
		cr_assert_str_eq(kind, t[i].kind);
	}
	cr_assert_not(subgraph_group_of(node(&g, "lib", "lib:libc.so.6", 1), out, sizeof out, &kind, &adds));
	cr_assert_not(subgraph_group_of(node(&g, "obj", "obj:main.o", 1), out, sizeof out, &kind, &adds));
	graph_free(&g);
}

/* A name that is not UTF-8 (a corrupt map, a foreign file name) is written
 * with '?' for each bad byte, never dropped: every node keeps its id and
 * the document reads back (jansson refuses such strings). */
Test(json, names_that_are_not_utf8_are_kept_with_question_marks)
{
	struct graph g, r;
	struct diag d = {0};
	graph_init(&g);
	graph_add_node(&g, "object", "obj:a\xff" "b(\xc3\x28.o)", NULL);
	graph_add_node(&g, "exe", "exe:prog", NULL);
	cr_assert_not_null(graph_add_edge(&g, "exe:prog", "obj:a\xff" "b(\xc3\x28.o)", "includes"));
	json_t *doc = graph_to_json(&g);
	char *s = json_dumps(doc, JSON_SORT_KEYS);
	json_decref(doc);
	cr_assert(strstr(s, "\"obj:a?b(?(.o)\""), "%s", s);
	graph_init(&r);
	cr_assert_eq(graph_read_json(&r, s, strlen(s), "t.json", &d), 0, "%s", d.msg);
	cr_assert_not_null(graph_node(&r, "obj:a?b(?(.o)"));
	cr_assert_eq(r.nedges, 1);
	free(s);
	graph_free(&g);
	graph_free(&r);
}

/* graph_write_json() writes the document member by member (no tree of the
 * whole graph): its bytes are json_dumpf()'s of graph_to_json()'s tree
 * with the same flags, for an empty graph and for one with every shape
 * of member -- inputs with and without sha256 and node, nodes with and
 * without size and attrs, nested attrs (objects, arrays, empty ones,
 * non-ASCII and control characters, a newline inside a string), findings
 * with and without attrs, analyzer totals. */
static void same_as_tree_dump(const struct graph *g)
{
	struct diag d = {0};
	char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	FILE *fa = open_memstream(&a, &na), *fb = open_memstream(&b, &nb);
	cr_assert_eq(graph_write_json(g, fa, &d), 0, "%s", d.msg);
	json_t *doc = graph_to_json(g);
	cr_assert_eq(json_dumpf(doc, fb, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII), 0);
	fputc('\n', fb);
	json_decref(doc);
	fclose(fa);
	fclose(fb);
	cr_assert_eq(na, nb, "streamed %zu bytes, tree %zu:\n%s\n--\n%s", na, nb, a, b);
	cr_assert(!memcmp(a, b, na), "streamed:\n%s\n--\ntree:\n%s", a, b);
	free(a);
	free(b);
}

Test(json, streamed_document_is_the_tree_dump_byte_for_byte)
{
	struct graph g;
	graph_init(&g);
	same_as_tree_dump(&g);

	graph_add_input(&g, "b/prog", "elf", "exe:prog");
	struct ginput *in = graph_add_input(&g, "a/lib.so", "elf", NULL);
	memcpy(in->sha256, "ab12", 5);
	node(&g, "exe", "exe:prog", 4096);
	graph_add_node(&g, "lib", "lib:libc.so.6", "libc.so.6");
	struct gnode *n = graph_add_node(&g, "file", "file:\xc3\xa9t\xc3\xa9/\xe2\x82\xac.txt", NULL);
	json_t *at = graph_node_attrs(n);
	attr_str(at, "path", "line one\nline \"two\"\t\x01 \xf0\x9f\x98\x80");
	attr_int(at, "zeta", -3);
	attr_bool(at, "alpha", true);
	json_object_set_new(at, "list", json_pack("[i,s,{s:[]},{},[[],{s:i}]]", 1, "x", "k", "m", 2));
	json_object_set_new(at, "empty", json_object());
	json_object_set_new(at, "real", json_real(0.5));
	json_object_set_new(at, "none", json_null());
	/* what the writer hands to jansson and what it writes itself: a
	 * DEL, a '/', keys that need escaping, integers at their limits,
	 * reals of every form, a nesting deeper than one indent buffer */
	attr_str(at, "slash/del", "a/b\x7f c");
	json_object_set_new(at, "k\"\xc3\xa9y\n", json_true());
	json_object_set_new(at, "", json_false());
	json_object_set_new(at, "min", json_integer(LLONG_MIN));
	json_object_set_new(at, "max", json_integer(LLONG_MAX));
	json_object_set_new(at, "reals", json_pack("[f,f,f,f]", 1e300, -0.0, 3.0, 1.0 / 3));
	json_t *deep = json_string("bottom");
	for (int k = 0; k < 40; k++)
		deep = k % 2 ? json_pack("[o]", deep) : json_pack("{s:o,s:i}", "d", deep, "k", k);
	json_object_set_new(at, "deep", deep);
	cr_assert_not_null(graph_add_edge(&g, "exe:prog", "lib:libc.so.6", "needs"));
	struct gedge *e = graph_add_edge(&g, "exe:prog", "file:\xc3\xa9t\xc3\xa9/\xe2\x82\xac.txt", "opens");
	attr_str(graph_edge_attrs(e), "why", "a\\b/c");
	graph_add_finding(&g, "unused-library", "lib:libc.so.6", "exe:prog", 7, "proven",
			  "no symbol bound", "drop -lc");
	struct gfinding *f = graph_add_finding(&g, "orphan-library", "lib:libc.so.6", NULL, 0,
					       "likely", "nothing loads it", "delete it");
	attr_int(graph_finding_attrs(f), "n", 1);
	json_decref(g.totals);
	g.totals = json_pack("{s:i,s:{s:s}}", "roots", 1, "tree", "k", "v");
	same_as_tree_dump(&g);

	/* thousands of members: written in chunks dumped on two threads
	 * (more chunks than the second thread may run ahead), one attrs
	 * value shared by every node, edges and findings over many chunks */
	json_t *shared = json_string("shared");
	for (int i = 0; i < 70000; i++) {
		char id[32];
		snprintf(id, sizeof id, "file:f%05d", i);
		struct gnode *m = node(&g, "file", id, (uint64_t)i);
		json_object_set(graph_node_attrs(m), "deployable", shared);
		attr_int(graph_node_attrs(m), "i", i);
		if (i % 3 == 0)
			cr_assert_not_null(graph_add_edge(&g, "exe:prog", id, "contains"));
		if (i % 20 == 0)
			graph_add_finding(&g, "duplicate-file", id, NULL, (uint64_t)i, "proven",
					  "same bytes", "hardlink");
	}
	json_decref(shared);
	same_as_tree_dump(&g);
	graph_free(&g);
}
