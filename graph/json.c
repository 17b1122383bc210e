/*
 * json.c - the slim-report/1 document (DESIGN.md "JSON"), written and read
 * with jansson.
 *
 * Determinism: nodes sorted by id, edges by (from, to, kind), findings by
 * (kind, node, dependent), inputs by path; object keys sorted on output
 * (JSON_SORT_KEYS); no timestamps.  Two runs over the same inputs give
 * byte-identical documents.
 */
#include "graph.h"
#include "../common/diag.h"
#include "../common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct graph *sort_g;

static int cmp_node(const void *a, const void *b)
{
	const struct gnode *x = *(struct gnode *const *)a;
	const struct gnode *y = *(struct gnode *const *)b;
	return strcmp(x->id, y->id);
}

static int cmp_edge(const void *a, const void *b)
{
	const struct gedge *x = &sort_g->edges[*(const uint32_t *)a];
	const struct gedge *y = &sort_g->edges[*(const uint32_t *)b];
	int c = strcmp(sort_g->nodes[x->from]->id, sort_g->nodes[y->from]->id);
	if (!c)
		c = strcmp(sort_g->nodes[x->to]->id, sort_g->nodes[y->to]->id);
	if (!c)
		c = strcmp(x->kind, y->kind);
	return c;
}

static int strcmp0(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_finding(const void *a, const void *b)
{
	const struct gfinding *x = *(struct gfinding *const *)a;
	const struct gfinding *y = *(struct gfinding *const *)b;
	int c = strcmp(x->kind, y->kind);
	if (!c)
		c = strcmp(x->node, y->node);
	if (!c)
		c = strcmp0(x->dependent, y->dependent);
	if (!c)
		c = strcmp0(x->reason, y->reason);
	return c;
}

static int cmp_input(const void *a, const void *b)
{
	const struct ginput *x = *(struct ginput *const *)a;
	const struct ginput *y = *(struct ginput *const *)b;
	return strcmp(x->path, y->path);
}

static void bump(json_t *o, const char *key, json_int_t by)
{
	json_t *v = json_object_get(o, key);
	json_object_set_new(o, key,
			    json_integer((v ? json_integer_value(v) : 0) + by));
}

static json_t *totals(const struct graph *g)
{
	json_t *t = json_deep_copy(g->totals);
	json_t *nk = json_object(), *ek = json_object(), *fk = json_object();
	json_t *fb = json_object();
	for (size_t i = 0; i < g->nnodes; i++)
		bump(nk, g->nodes[i]->kind, 1);
	for (size_t i = 0; i < g->nedges; i++)
		bump(ek, g->edges[i].kind, 1);
	for (size_t i = 0; i < g->nfindings; i++) {
		bump(fk, g->findings[i].kind, 1);
		if (!strcmp(g->findings[i].confidence, "proven"))
			bump(fb, g->findings[i].kind,
			     (json_int_t)g->findings[i].bytes);
	}
	json_object_set_new(t, "nodes", json_integer((json_int_t)g->nnodes));
	json_object_set_new(t, "edges", json_integer((json_int_t)g->nedges));
	json_object_set_new(t, "findings",
			    json_integer((json_int_t)g->nfindings));
	json_object_set_new(t, "nodes_by_kind", nk);
	json_object_set_new(t, "edges_by_kind", ek);
	json_object_set_new(t, "findings_by_kind", fk);
	json_object_set_new(t, "proven_bytes_by_kind", fb);
	json_object_set_new(t, "removable_bytes",
			    json_integer((json_int_t)graph_proven_bytes(g, NULL)));
	return t;
}

json_t *graph_to_json(const struct graph *g)
{
	json_t *doc = json_object();
	json_object_set_new(doc, "schema", json_string(SLIM_SCHEMA));
	json_object_set_new(doc, "tool", json_pack("{s:s,s:s}", "name", "slim",
						   "version", SLIM_VERSION));

	struct ginput **in = xcalloc(g->ninputs + 1, sizeof *in);
	for (size_t i = 0; i < g->ninputs; i++)
		in[i] = &g->inputs[i];
	qsort(in, g->ninputs, sizeof *in, cmp_input);
	json_t *ja = json_array();
	for (size_t i = 0; i < g->ninputs; i++) {
		json_t *o = json_object();
		attr_str(o, "path", in[i]->path);
		attr_str(o, "kind", in[i]->kind);
		if (in[i]->sha256[0])
			attr_str(o, "sha256", in[i]->sha256);
		if (in[i]->node)
			attr_str(o, "node", in[i]->node);
		json_array_append_new(ja, o);
	}
	free(in);
	json_object_set_new(doc, "inputs", ja);

	struct gnode **ns = xcalloc(g->nnodes + 1, sizeof *ns);
	memcpy(ns, g->nodes, g->nnodes * sizeof *ns);
	qsort(ns, g->nnodes, sizeof *ns, cmp_node);
	ja = json_array();
	for (size_t i = 0; i < g->nnodes; i++) {
		json_t *o = json_object();
		attr_str(o, "id", ns[i]->id);
		attr_str(o, "kind", ns[i]->kind);
		attr_str(o, "name", ns[i]->name);
		if (ns[i]->has_size)
			attr_int(o, "size", (long long)ns[i]->size);
		if (ns[i]->attrs)
			json_object_set(o, "attrs", ns[i]->attrs);
		else
			json_object_set_new(o, "attrs", json_object());
		json_array_append_new(ja, o);
	}
	free(ns);
	json_object_set_new(doc, "nodes", ja);

	uint32_t *es = xcalloc(g->nedges + 1, sizeof *es);
	for (size_t i = 0; i < g->nedges; i++)
		es[i] = (uint32_t)i;
	sort_g = g;
	qsort(es, g->nedges, sizeof *es, cmp_edge);
	ja = json_array();
	for (size_t i = 0; i < g->nedges; i++) {
		const struct gedge *e = &g->edges[es[i]];
		json_t *o = json_object();
		attr_str(o, "from", g->nodes[e->from]->id);
		attr_str(o, "to", g->nodes[e->to]->id);
		attr_str(o, "kind", e->kind);
		if (e->attrs)
			json_object_set(o, "attrs", e->attrs);
		else
			json_object_set_new(o, "attrs", json_object());
		json_array_append_new(ja, o);
	}
	free(es);
	json_object_set_new(doc, "edges", ja);

	struct gfinding **fs = xcalloc(g->nfindings + 1, sizeof *fs);
	for (size_t i = 0; i < g->nfindings; i++)
		fs[i] = &g->findings[i];
	qsort(fs, g->nfindings, sizeof *fs, cmp_finding);
	ja = json_array();
	for (size_t i = 0; i < g->nfindings; i++) {
		const struct gfinding *f = fs[i];
		json_t *o = json_object();
		attr_str(o, "kind", f->kind);
		attr_str(o, "node", f->node);
		attr_str(o, "dependent", f->dependent);
		attr_int(o, "bytes", (long long)f->bytes);
		attr_str(o, "confidence", f->confidence);
		attr_str(o, "reason", f->reason);
		attr_str(o, "fix", f->fix);
		if (f->attrs)
			json_object_set(o, "attrs", f->attrs);
		json_array_append_new(ja, o);
	}
	free(fs);
	json_object_set_new(doc, "findings", ja);
	json_object_set_new(doc, "totals", totals(g));
	return doc;
}

int graph_write_json(const struct graph *g, FILE *fp, struct diag *d)
{
	/* never write a graph that breaks its own invariants */
	if (graph_check(g, d))
		return -1;
	json_t *doc = graph_to_json(g);
	int rc = json_dumpf(doc, fp, JSON_INDENT(1) | JSON_SORT_KEYS |
					   JSON_ENSURE_ASCII);
	json_decref(doc);
	if (rc || fputc('\n', fp) == EOF)
		return diag_err(d, NULL, "write failed: %s", strerror(errno ? errno : EIO));
	return 0;
}

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int read_nodes(struct graph *g, json_t *arr, const char *path,
		      struct diag *d)
{
	size_t i;
	json_t *o;
	if (!json_is_array(arr))
		return diag_err(d, path, "report has no \"nodes\" array");
	json_array_foreach(arr, i, o) {
		const char *id = jstr(o, "id"), *kind = jstr(o, "kind");
		if (!id || !kind || !strchr(id, ':'))
			return diag_err(d, path, "node %zu: missing or malformed \"id\"/\"kind\"", i);
		if (graph_node(g, id))
			return diag_err(d, path, "node %zu: duplicate id '%s'", i, id);
		struct gnode *n = graph_add_node(g, kind, id, jstr(o, "name"));
		json_t *sz = json_object_get(o, "size");
		if (json_is_integer(sz) && json_integer_value(sz) >= 0)
			graph_node_set_size(n, (uint64_t)json_integer_value(sz));
		json_t *at = json_object_get(o, "attrs");
		if (json_is_object(at) && json_object_size(at))
			n->attrs = json_incref(at);
	}
	return 0;
}

static int read_edges(struct graph *g, json_t *arr, const char *path,
		      struct diag *d)
{
	size_t i;
	json_t *o;
	if (!json_is_array(arr))
		return diag_err(d, path, "report has no \"edges\" array");
	json_array_foreach(arr, i, o) {
		const char *from = jstr(o, "from"), *to = jstr(o, "to");
		const char *kind = jstr(o, "kind");
		if (!from || !to || !kind)
			return diag_err(d, path, "edge %zu: missing \"from\", \"to\" or \"kind\"", i);
		if (!graph_node(g, from))
			return diag_err(d, path, "edge %zu: \"from\" names unknown node '%s'", i, from);
		if (!graph_node(g, to))
			return diag_err(d, path, "edge %zu: \"to\" names unknown node '%s'", i, to);
		struct gedge *e = graph_add_edge(g, from, to, kind);
		json_t *at = json_object_get(o, "attrs");
		if (json_is_object(at) && json_object_size(at)) {
			json_decref(e->attrs);
			e->attrs = json_incref(at);
		}
	}
	return 0;
}

static int read_findings(struct graph *g, json_t *arr, const char *path,
			 struct diag *d)
{
	size_t i;
	json_t *o;
	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return diag_err(d, path, "\"findings\" is not an array");
	json_array_foreach(arr, i, o) {
		const char *kind = jstr(o, "kind"), *node = jstr(o, "node");
		const char *dep = jstr(o, "dependent"), *conf = jstr(o, "confidence");
		if (!kind || !node)
			return diag_err(d, path, "finding %zu: missing \"kind\" or \"node\"", i);
		if (!graph_node(g, node))
			return diag_err(d, path, "finding %zu: names unknown node '%s'", i, node);
		if (dep && !graph_node(g, dep))
			return diag_err(d, path, "finding %zu: dependent names unknown node '%s'", i, dep);
		if (conf && strcmp(conf, "proven") && strcmp(conf, "likely") &&
		    strcmp(conf, "unknown"))
			return diag_err(d, path, "finding %zu: confidence '%s' is not proven, likely or unknown", i, conf);
		json_t *b = json_object_get(o, "bytes");
		uint64_t bytes = json_is_integer(b) && json_integer_value(b) > 0
					 ? (uint64_t)json_integer_value(b) : 0;
		struct gfinding *f = graph_add_finding(g, kind, node, dep, bytes,
						       conf, jstr(o, "reason"),
						       jstr(o, "fix"));
		json_t *at = json_object_get(o, "attrs");
		if (json_is_object(at))
			f->attrs = json_incref(at);
	}
	return 0;
}

int graph_read_json(struct graph *g, const char *buf, size_t n,
		    const char *path, struct diag *d)
{
	json_error_t err;
	json_t *doc = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &err);
	int rc = -1;
	if (!doc)
		return diag_err_line(d, path, (uint64_t)(err.line > 0 ? err.line : 1),
				     "column %d: invalid JSON: %s", err.column,
				     err.text);
	const char *schema = jstr(doc, "schema");
	if (!json_is_object(doc) || !schema) {
		diag_err(d, path, "not a slim report (no \"schema\")");
		goto out;
	}
	if (strcmp(schema, SLIM_SCHEMA)) {
		diag_err(d, path, "schema '%s' is not %s", schema, SLIM_SCHEMA);
		goto out;
	}
	if (read_nodes(g, json_object_get(doc, "nodes"), path, d) ||
	    read_edges(g, json_object_get(doc, "edges"), path, d) ||
	    read_findings(g, json_object_get(doc, "findings"), path, d))
		goto out;
	size_t i;
	json_t *o, *ins = json_object_get(doc, "inputs");
	if (json_is_array(ins))
		json_array_foreach(ins, i, o) {
			const char *p = jstr(o, "path");
			if (!p)
				continue;
			const char *nd = jstr(o, "node");
			if (nd && !graph_node(g, nd)) {
				diag_err(d, path, "input %zu: names unknown node '%s'", i, nd);
				goto out;
			}
			struct ginput *gi = graph_add_input(g, p, jstr(o, "kind"), nd);
			const char *sha = jstr(o, "sha256");
			if (sha)
				snprintf(gi->sha256, sizeof gi->sha256, "%s", sha);
		}
	json_t *t = json_object_get(doc, "totals");
	if (json_is_object(t)) {
		json_decref(g->totals);
		g->totals = json_deep_copy(t);
	}
	rc = 0;
out:
	json_decref(doc);
	return rc;
}
