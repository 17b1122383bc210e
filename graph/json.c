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
#include <pthread.h>
#include <stdatomic.h>
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

/* The four arrays' members in document order (inputs by path, nodes by
 * id, edges by (from, to, kind), findings by (kind, node, dependent,
 * reason)), and one member as a JSON object: graph_to_json() puts them in
 * one tree, graph_write_json() writes them one at a time. */
struct order {
	struct ginput **in;
	struct gnode **ns;
	uint32_t *es;
	struct gfinding **fs;
};

static void order_make(const struct graph *g, struct order *r)
{
	r->in = xcalloc(g->ninputs + 1, sizeof *r->in);
	for (size_t i = 0; i < g->ninputs; i++)
		r->in[i] = &g->inputs[i];
	qsort(r->in, g->ninputs, sizeof *r->in, cmp_input);
	r->ns = xcalloc(g->nnodes + 1, sizeof *r->ns);
	if (g->nnodes)
		memcpy(r->ns, g->nodes, g->nnodes * sizeof *r->ns);
	qsort(r->ns, g->nnodes, sizeof *r->ns, cmp_node);
	r->es = xcalloc(g->nedges + 1, sizeof *r->es);
	for (size_t i = 0; i < g->nedges; i++)
		r->es[i] = (uint32_t)i;
	sort_g = g;
	qsort(r->es, g->nedges, sizeof *r->es, cmp_edge);
	r->fs = xcalloc(g->nfindings + 1, sizeof *r->fs);
	for (size_t i = 0; i < g->nfindings; i++)
		r->fs[i] = &g->findings[i];
	qsort(r->fs, g->nfindings, sizeof *r->fs, cmp_finding);
}

static void order_free(struct order *r)
{
	free(r->in);
	free(r->ns);
	free(r->es);
	free(r->fs);
}

static json_t *input_json(const struct ginput *in)
{
	json_t *o = json_object();
	attr_str(o, "path", in->path);
	attr_str(o, "kind", in->kind);
	if (in->sha256[0])
		attr_str(o, "sha256", in->sha256);
	if (in->node)
		attr_str(o, "node", in->node);
	return o;
}

static json_t *node_json(const struct gnode *n)
{
	json_t *o = json_object();
	attr_str(o, "id", n->id);
	attr_str(o, "kind", n->kind);
	attr_str(o, "name", n->name);
	if (n->has_size)
		attr_int(o, "size", (long long)n->size);
	if (n->attrs)
		json_object_set(o, "attrs", n->attrs);
	else
		json_object_set_new(o, "attrs", json_object());
	return o;
}

static json_t *edge_json(const struct graph *g, const struct gedge *e)
{
	json_t *o = json_object();
	attr_str(o, "from", g->nodes[e->from]->id);
	attr_str(o, "to", g->nodes[e->to]->id);
	attr_str(o, "kind", e->kind);
	if (e->attrs)
		json_object_set(o, "attrs", e->attrs);
	else
		json_object_set_new(o, "attrs", json_object());
	return o;
}

static json_t *finding_json(const struct gfinding *f)
{
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
	return o;
}

static json_t *tool_json(void)
{
	return json_pack("{s:s,s:s}", "name", "slim", "version", SLIM_VERSION);
}

json_t *graph_to_json(const struct graph *g)
{
	struct order r;
	order_make(g, &r);
	json_t *doc = json_object();
	json_object_set_new(doc, "schema", json_string(SLIM_SCHEMA));
	json_object_set_new(doc, "tool", tool_json());
	json_t *ja = json_array();
	for (size_t i = 0; i < g->ninputs; i++)
		json_array_append_new(ja, input_json(r.in[i]));
	json_object_set_new(doc, "inputs", ja);
	ja = json_array();
	for (size_t i = 0; i < g->nnodes; i++)
		json_array_append_new(ja, node_json(r.ns[i]));
	json_object_set_new(doc, "nodes", ja);
	ja = json_array();
	for (size_t i = 0; i < g->nedges; i++)
		json_array_append_new(ja, edge_json(g, &g->edges[r.es[i]]));
	json_object_set_new(doc, "edges", ja);
	ja = json_array();
	for (size_t i = 0; i < g->nfindings; i++)
		json_array_append_new(ja, finding_json(r.fs[i]));
	json_object_set_new(doc, "findings", ja);
	json_object_set_new(doc, "totals", totals(g));
	order_free(&r);
	return doc;
}

/*
 * Streaming: the bytes json_dumpf() wrote for graph_to_json()'s tree with
 * JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII, without the tree.
 * Building 140,000 objects of a deployable, dumping them, then freeing
 * them (json_delete's frees alone were 4% of `slim report DIR`) was 14%
 * of the run; now each member is built, dumped and freed in turn.
 *
 * jansson's indented layout: a member at depth k is preceded by a newline
 * and k spaces, members are separated by ",", the closing bracket of a
 * non-empty container at depth k by a newline and k spaces; an empty one
 * is "[]" or "{}".  A value dumped on its own is laid out as at depth 0;
 * every newline of it gets `depth` more spaces.  With JSON_ENSURE_ASCII
 * every newline in the dump is layout (a string's is written "\n").  The
 * top level's keys are written in JSON_SORT_KEYS' (strcmp) order.
 * tests: test-graph-outputs.c compares the two for equality.
 */
struct jout {
	FILE *fp;               /* NULL: into mem */
	char *buf;              /* json_dumpb()'s */
	size_t cap;
	bool bad;
	char *mem;              /* a chunk's text (jpar below) */
	size_t nmem, capmem;
};

static void jraw(struct jout *j, const char *s, size_t n)
{
	if (j->bad || !n)
		return;
	if (!j->fp) {
		GROW(j->mem, j->capmem, j->nmem + n);
		memcpy(j->mem + j->nmem, s, n);
		j->nmem += n;
	} else if (fwrite(s, 1, n, j->fp) != n)
		j->bad = true;
}

/*
 * The writer: a value's bytes as jansson dumps it with those flags, at a
 * depth.  Containers, integers and the literals are written here, in
 * jansson's layout; a string whose bytes need no escape (printable
 * ASCII, no '"' or '\') is written as it is; any other string, and a
 * real, is dumped by jansson itself.  jansson's dump_string() decodes
 * every string character by character and its loop check prints and
 * hashes each container's address: a deployable's 65 MB document took
 * 0.6 s of CPU in them.  The equality with json_dumpf() is tested
 * (test-graph-outputs.c) on every shape of value.
 */
static void jdumped(struct jout *j, const json_t *v)
{
	const size_t flags = JSON_SORT_KEYS | JSON_ENSURE_ASCII | JSON_ENCODE_ANY;
	size_t n = json_dumpb(v, j->buf, j->cap, flags);
	if (n > j->cap) {
		free(j->buf);
		j->cap = n * 2;
		j->buf = xmalloc(j->cap);
		n = json_dumpb(v, j->buf, j->cap, flags);
	}
	if (!n || n > j->cap)
		j->bad = true;
	else
		jraw(j, j->buf, n);
}

/* newline and depth spaces */
static void jindent(struct jout *j, int depth)
{
	static const char sp[] = "\n                                ";
	jraw(j, sp, 1);
	for (int d = depth; d > 0; d -= 32)
		jraw(j, sp + 1, d < 32 ? (size_t)d : 32);
}

static bool plain(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			return false;
	}
	return true;
}

/* [s, s+n) written quoted when plain(); false (nothing written) if not */
static bool jplain(struct jout *j, const char *s, size_t n)
{
	if (!plain(s, n))
		return false;
	jraw(j, "\"", 1);
	jraw(j, s, n);
	jraw(j, "\"", 1);
	return true;
}

static void jstring(struct jout *j, const json_t *v)
{
	if (!jplain(j, json_string_value(v), json_string_length(v)))
		jdumped(j, v);
}

/* a C string as attr_str() stores it (NULL: null) */
static void jcstr(struct jout *j, const char *s)
{
	if (s && jplain(j, s, strlen(s)))
		return;
	json_t *o = json_object();
	attr_str(o, "v", s);
	jdumped(j, json_object_get(o, "v"));
	json_decref(o);
}

struct jkv {
	const char *key;
	size_t len;
	json_t *v;
};

/* JSON_SORT_KEYS' order (jansson 2.14's compare_keys()) */
static int cmp_jkv(const void *a, const void *b)
{
	const struct jkv *x = a, *y = b;
	int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
	return c ? c : (x->len > y->len) - (x->len < y->len);
}

static void jvalue(struct jout *j, json_t *v, int depth)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		size_t n = json_object_size(v), k = 0, kl;
		if (!n) {
			jraw(j, "{}", 2);
			return;
		}
		struct jkv small[16], *kv = n <= 16 ? small : xmalloc(n * sizeof *kv);
		const char *key;
		json_t *val;
		json_object_keylen_foreach(v, key, kl, val) {
			if (k < n)
				kv[k++] = (struct jkv){key, kl, val};
		}
		if (k > 1)
			qsort(kv, k, sizeof *kv, cmp_jkv);
		jraw(j, "{", 1);
		for (size_t i = 0; i < k; i++) {
			if (i)
				jraw(j, ",", 1);
			jindent(j, depth + 1);
			if (!jplain(j, kv[i].key, kv[i].len)) {
				json_t *ks = json_stringn_nocheck(kv[i].key, kv[i].len);
				jdumped(j, ks);
				json_decref(ks);
			}
			jraw(j, ": ", 2);
			jvalue(j, kv[i].v, depth + 1);
		}
		jindent(j, depth);
		jraw(j, "}", 1);
		if (kv != small)
			free(kv);
		return;
	}
	case JSON_ARRAY: {
		size_t n = json_array_size(v);
		if (!n) {
			jraw(j, "[]", 2);
			return;
		}
		jraw(j, "[", 1);
		for (size_t i = 0; i < n; i++) {
			if (i)
				jraw(j, ",", 1);
			jindent(j, depth + 1);
			jvalue(j, json_array_get(v, i), depth + 1);
		}
		jindent(j, depth);
		jraw(j, "]", 1);
		return;
	}
	case JSON_STRING:
		jstring(j, v);
		return;
	case JSON_INTEGER: {
		char b[32];
		int n = snprintf(b, sizeof b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		jraw(j, b, (size_t)n);
		return;
	}
	case JSON_TRUE:
		jraw(j, "true", 4);
		return;
	case JSON_FALSE:
		jraw(j, "false", 5);
		return;
	case JSON_NULL:
		jraw(j, "null", 4);
		return;
	default:   /* JSON_REAL: jansson's own digits */
		jdumped(j, v);
		return;
	}
}

/* v, whose reference is taken, at depth */
static void jvalue_new(struct jout *j, json_t *v, int depth)
{
	jvalue(j, v, depth);
	json_decref(v);
}

/* `"key": ` at depth, after the separator */
static void jmember(struct jout *j, const char *key, bool first, int depth)
{
	if (!first)
		jraw(j, ",", 1);
	jindent(j, depth);
	jraw(j, "\"", 1);
	jraw(j, key, strlen(key));
	jraw(j, "\": ", 3);
}

/* a member object at depth 2 opened, with its "attrs" (first in key
 * order) written */
static void jopen_attrs(struct jout *j, json_t *attrs)
{
	jraw(j, "{", 1);
	jmember(j, "attrs", true, 3);
	if (attrs)
		jvalue(j, attrs, 3);
	else
		jraw(j, "{}", 2);
}

/* node_json()'s object at depth 2, written without building it */
static void jnode(struct jout *j, const struct gnode *n)
{
	jopen_attrs(j, n->attrs);
	jmember(j, "id", false, 3);
	jcstr(j, n->id);
	jmember(j, "kind", false, 3);
	jcstr(j, n->kind);
	jmember(j, "name", false, 3);
	jcstr(j, n->name);
	if (n->has_size) {
		char b[32];
		jmember(j, "size", false, 3);
		jraw(j, b, (size_t)snprintf(b, sizeof b, "%lld", (long long)n->size));
	}
	jindent(j, 2);
	jraw(j, "}", 1);
}

/* edge_json()'s */
static void jedge(struct jout *j, const struct graph *g, const struct gedge *e)
{
	jopen_attrs(j, e->attrs);
	jmember(j, "from", false, 3);
	jcstr(j, g->nodes[e->from]->id);
	jmember(j, "kind", false, 3);
	jcstr(j, e->kind);
	jmember(j, "to", false, 3);
	jcstr(j, g->nodes[e->to]->id);
	jindent(j, 2);
	jraw(j, "}", 1);
}

/* `"key": ` at depth 1, after the separator */
static void jkey(struct jout *j, const char *key, bool first)
{
	jmember(j, key, first, 1);
}

enum jarr { J_INPUTS, J_NODES, J_EDGES, J_FINDINGS };

/* members [from, to) of one array, each after its separator */
static void jmembers(struct jout *j, const struct graph *g, const struct order *r,
		     enum jarr which, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++) {
		if (i)
			jraw(j, ",", 1);
		jindent(j, 2);
		if (which == J_NODES)
			jnode(j, r->ns[i]);
		else if (which == J_EDGES)
			jedge(j, g, &g->edges[r->es[i]]);
		else
			jvalue_new(j, which == J_INPUTS ? input_json(r->in[i]) :
				   finding_json(r->fs[i]), 2);
	}
}

/*
 * The members are built and dumped on two threads, in chunks: a
 * deployable's 140,000 nodes took a fifth of `slim report DIR`, all on
 * one core.  Each chunk's text goes to its own buffer; the calling thread
 * writes the chunks in order, dumping the next one not taken while the
 * one due is not done, so the bytes are the one-thread writer's.  The
 * second thread runs at most JAHEAD chunks ahead of the writing.
 * jansson (2.14) dumps without touching the values and counts references
 * atomically: members sharing a value (a node's attrs holds strings
 * shared by every node) may be dumped at once.
 */
#define JCHUNK 1024
#define JAHEAD 64

struct jchunk {
	enum jarr which;
	size_t from, to;
	char *text;
	size_t n;
	bool bad;
	atomic_bool done;
};

struct jpar {
	const struct graph *g;
	const struct order *r;
	struct jchunk *c;
	size_t n;
	atomic_size_t next;     /* the first chunk no thread took */
	atomic_size_t written;  /* chunks written */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static void jchunk_dump(struct jpar *p, struct jout *j, size_t k)
{
	struct jchunk *c = &p->c[k];
	j->mem = NULL;
	j->nmem = j->capmem = 0;
	j->bad = false;
	jmembers(j, p->g, p->r, c->which, c->from, c->to);
	c->text = j->mem;
	c->n = j->nmem;
	c->bad = j->bad;
	pthread_mutex_lock(&p->mu);
	atomic_store(&c->done, true);
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void *jhelper(void *arg)
{
	struct jpar *p = arg;
	struct jout j = {.cap = 1 << 16};
	j.buf = xmalloc(j.cap);
	size_t k;
	while ((k = atomic_fetch_add(&p->next, 1)) < p->n) {
		pthread_mutex_lock(&p->mu);
		while (k > atomic_load(&p->written) + JAHEAD)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		jchunk_dump(p, &j, k);
	}
	free(j.buf);
	return NULL;
}

/* the chunks of one array, written in order to out */
static void jwrite_chunks(struct jpar *p, struct jout *out, struct jout *mine,
			  size_t from, size_t to)
{
	for (size_t k = from; k < to; k++) {
		struct jchunk *c = &p->c[k];
		while (!atomic_load(&c->done)) {
			size_t t = atomic_fetch_add(&p->next, 1);
			if (t < p->n) {
				jchunk_dump(p, mine, t);
				continue;
			}
			pthread_mutex_lock(&p->mu);
			while (!atomic_load(&c->done))
				pthread_cond_wait(&p->cv, &p->mu);
			pthread_mutex_unlock(&p->mu);
		}
		jraw(out, c->text, c->n);
		out->bad |= c->bad;
		free(c->text);
		c->text = NULL;
		pthread_mutex_lock(&p->mu);
		atomic_store(&p->written, k + 1);
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
}

int graph_write_json(const struct graph *g, FILE *fp, struct diag *d)
{
	/* never write a graph that breaks its own invariants */
	if (graph_check(g, d))
		return -1;
	struct order r;
	order_make(g, &r);
	struct jout j = {.fp = fp, .cap = 1 << 16}, mine = {.cap = 1 << 16};
	j.buf = xmalloc(j.cap);
	mine.buf = xmalloc(mine.cap);
	/* the top level's keys in strcmp order, as JSON_SORT_KEYS writes them;
	 * the four arrays' chunks first */
	static const struct {
		const char *key;
		enum jarr which;
	} arr[4] = {{"edges", J_EDGES}, {"findings", J_FINDINGS}, {"inputs", J_INPUTS},
		    {"nodes", J_NODES}};
	size_t count[4] = {g->nedges, g->nfindings, g->ninputs, g->nnodes}, first[5] = {0};
	struct jpar p = {.g = g, .r = &r};
	size_t capc = 0;
	for (int a = 0; a < 4; a++) {
		first[a] = p.n;
		for (size_t i = 0; i < count[a]; i += JCHUNK) {
			GROW(p.c, capc, p.n + 1);
			p.c[p.n++] = (struct jchunk){.which = arr[a].which, .from = i,
						     .to = i + JCHUNK < count[a] ? i + JCHUNK : count[a]};
		}
		first[a + 1] = p.n;
	}
	atomic_init(&p.next, 0);
	atomic_init(&p.written, 0);
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	pthread_t th;
	bool two = p.n > 1 && !pthread_create(&th, NULL, jhelper, &p);
	jraw(&j, "{", 1);
	for (int a = 0; a < 4; a++) {
		jkey(&j, arr[a].key, a == 0);
		if (!count[a]) {
			jraw(&j, "[]", 2);
			continue;
		}
		jraw(&j, "[", 1);
		jwrite_chunks(&p, &j, &mine, first[a], first[a + 1]);
		jindent(&j, 1);
		jraw(&j, "]", 1);
	}
	if (two)
		pthread_join(th, NULL);
	jkey(&j, "schema", false);
	jvalue_new(&j, json_string(SLIM_SCHEMA), 1);
	jkey(&j, "tool", false);
	jvalue_new(&j, tool_json(), 1);
	jkey(&j, "totals", false);
	jvalue_new(&j, totals(g), 1);
	jindent(&j, 0);
	jraw(&j, "}", 1);
	free(j.buf);
	free(mine.buf);
	free(p.c);
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.cv);
	order_free(&r);
	if (j.bad || fputc('\n', fp) == EOF)
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
