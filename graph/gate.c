/*
 * gate.c - policy file parsing and the gate verdict (see gate.h for the
 * policy format).  The verdict is computed from a struct gdiff only, so the
 * gate sees exactly what `slim diff` shows.
 *
 * Rules, in the order violations are listed:
 *   1. expired-allow  an allow entry whose date has passed;
 *   2. new-library    more new `lib` nodes than max_new_libraries (each
 *                     one not allow-listed is named);
 *   3. new-nodes      more new nodes of a kind than max_new_nodes allows;
 *   4. total-bytes    total growth over max_total_bytes_growth(_percent);
 *   5. node-bytes     one node grew over max_node_bytes_growth(_percent).
 */
#include "gate.h"
#include "ids.h"
#include "../common/diag.h"
#include "../common/util.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gate_policy_default(struct gate_policy *p)
{
	memset(p, 0, sizeof *p);
	p->max_new_libraries = 0;
	p->max_total_growth = p->max_node_growth = -1;
	p->max_total_pct = p->max_node_pct = -1;
}

void gate_policy_free(struct gate_policy *p)
{
	free(p->allow);
	json_decref(p->doc);
	memset(p, 0, sizeof *p);
}

bool gate_date_ok(const char *s)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, dd;
	char tail;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &dd, &tail) != 3)
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	if (m < 1 || m > 12 || dd < 1 || dd > mdays[m - 1])
		return false;
	bool leap = (y % 4 == 0 && y % 100) || y % 400 == 0;
	return !(m == 2 && dd == 29 && !leap);
}

static int num(json_t *v, const char *key, bool frac, double *out,
	       const char *path, struct diag *d)
{
	if (!(json_is_integer(v) || (frac && json_is_real(v))) ||
	    json_number_value(v) < 0)
		return diag_err(d, path, "policy: \"%s\" must be a %snumber >= 0",
				key, frac ? "" : "whole ");
	*out = json_number_value(v);
	if (*out > 9e18)   /* callers convert to long long: stay in range */
		*out = 9e18;
	return 0;
}

static int parse_allow(struct gate_policy *p, json_t *arr, const char *path,
		       struct diag *d)
{
	static const char *const keys[] = {"node", "pattern", "reason", "owner", "expires"};
	if (!json_is_array(arr))
		return diag_err(d, path, "policy: \"allow\" must be an array");
	p->allow = xcalloc(json_array_size(arr) + 1, sizeof *p->allow);
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		struct gate_allow *a = &p->allow[p->nallow++];
		const char *k;
		json_t *v;
		if (!json_is_object(o))
			return diag_err(d, path, "policy: allow[%zu] is not an object", i);
		json_object_foreach(o, k, v) {
			size_t j = 0;
			while (j < 5 && strcmp(k, keys[j]))
				j++;
			if (j == 5)
				return diag_err(d, path, "policy: allow[%zu]: unknown key \"%s\"", i, k);
			if (!json_is_string(v) || !json_string_length(v))
				return diag_err(d, path, "policy: allow[%zu]: \"%s\" must be a non-empty string", i, k);
		}
		a->node = attr_get_str(o, "node");
		a->pattern = attr_get_str(o, "pattern");
		a->reason = attr_get_str(o, "reason");
		a->owner = attr_get_str(o, "owner");
		a->expires = attr_get_str(o, "expires");
		if (!a->node == !a->pattern)
			return diag_err(d, path, "policy: allow[%zu]: give exactly one of \"node\" or \"pattern\"", i);
		if (!a->reason || !a->owner || !a->expires)
			return diag_err(d, path, "policy: allow[%zu]: \"reason\", \"owner\" and \"expires\" are required", i);
		if (!gate_date_ok(a->expires))
			return diag_err(d, path, "policy: allow[%zu]: expires '%s' is not a date YYYY-MM-DD", i, a->expires);
	}
	return 0;
}

static int parse_kinds(struct gate_policy *p, json_t *o, const char *path,
		       struct diag *d)
{
	const char *k;
	json_t *v;
	double x;
	if (!json_is_object(o))
		return diag_err(d, path, "policy: \"max_new_nodes\" must be an object of kind: count");
	json_object_foreach(o, k, v)
		if (num(v, k, false, &x, path, d))
			return -1;
	p->max_new_nodes = o;
	return 0;
}

static int parse_policy(struct gate_policy *p, const char *buf, size_t n,
			const char *path, struct diag *d)
{
	json_error_t err;
	gate_policy_default(p);
	p->doc = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &err);
	if (!p->doc)
		return diag_err_line(d, path, (uint64_t)(err.line > 0 ? err.line : 1),
				     "column %d: invalid JSON: %s", err.column, err.text);
	if (!json_is_object(p->doc))
		return diag_err(d, path, "policy: not a JSON object");
	const char *k;
	json_t *v;
	double x;
	json_object_foreach(p->doc, k, v) {
		int rc = 0;
		if (!strcmp(k, "schema")) {
			if (!json_is_string(v) || strcmp(json_string_value(v), "slim-policy/1"))
				rc = diag_err(d, path, "policy: schema must be \"slim-policy/1\"");
		} else if (!strcmp(k, "max_new_libraries")) {
			rc = num(v, k, false, &x, path, d);
			p->max_new_libraries = (long long)x;
		} else if (!strcmp(k, "max_new_nodes")) {
			rc = parse_kinds(p, v, path, d);
		} else if (!strcmp(k, "max_total_bytes_growth")) {
			rc = num(v, k, false, &x, path, d);
			p->max_total_growth = (long long)x;
		} else if (!strcmp(k, "max_total_bytes_growth_percent")) {
			rc = num(v, k, true, &p->max_total_pct, path, d);
		} else if (!strcmp(k, "max_node_bytes_growth")) {
			rc = num(v, k, false, &x, path, d);
			p->max_node_growth = (long long)x;
		} else if (!strcmp(k, "max_node_bytes_growth_percent")) {
			rc = num(v, k, true, &p->max_node_pct, path, d);
		} else if (!strcmp(k, "allow")) {
			rc = parse_allow(p, v, path, d);
		} else {
			rc = diag_err(d, path, "policy: unknown key \"%s\"", k);
		}
		if (rc)
			return -1;
	}
	return 0;
}

int gate_policy_parse(struct gate_policy *p, const char *buf, size_t n,
		      const char *path, struct diag *d)
{
	if (parse_policy(p, buf, n, path, d)) {
		gate_policy_free(p);   /* nothing half-built is left to the caller */
		return -1;
	}
	return 0;
}

static const struct gate_allow *allowed(struct gate_policy *p, const char *id)
{
	for (size_t i = 0; i < p->nallow; i++) {
		struct gate_allow *a = &p->allow[i];
		if (a->expired)
			continue;
		if (a->node ? !strcmp(a->node, id) : !fnmatch(a->pattern, id, 0)) {
			a->used++;
			return a;
		}
	}
	return NULL;
}

static void violate(struct gate_result *r, const char *rule, const char *node,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void violate(struct gate_result *r, const char *rule, const char *node,
		    const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	r->v = xreallocarray(r->v, r->n + 1, sizeof *r->v);
	r->v[r->n].rule = rule;
	r->v[r->n].node = node;
	r->v[r->n++].msg = buf_detach(&b);
}

static void accept(struct gate_result *r, const char *id,
		   const struct gate_allow *a)
{
	r->accepted = xreallocarray(r->accepted, r->naccepted + 1, sizeof *r->accepted);
	r->accepted_by = xreallocarray(r->accepted_by, r->naccepted + 1, sizeof *r->accepted_by);
	r->accepted[r->naccepted] = id;
	r->accepted_by[r->naccepted++] = a;
}

static double pct(uint64_t old, int64_t delta)
{
	return old ? (double)delta * 100.0 / (double)old : 0;
}

/* Rules 2 and 3; *accepted_bytes gets the file bytes the allow list took. */
static void check_added(struct gate_policy *p, const struct gdiff *d,
			struct gate_result *r, const bool *ok)
{
	size_t nlib = 0;
	for (size_t i = 0; i < d->nadded; i++)
		nlib += !ok[i] && !strcmp(d->added[i]->kind, NK_LIB);
	if (p->max_new_libraries >= 0 && nlib > (size_t)p->max_new_libraries)
		for (size_t i = 0; i < d->nadded; i++)
			if (!ok[i] && !strcmp(d->added[i]->kind, NK_LIB))
				violate(r, "new-library", d->added[i]->id,
					"new library `%s` (%zu new, at most %lld allowed)",
					d->added[i]->id, nlib, p->max_new_libraries);
	if (!p->max_new_nodes)
		return;
	for (size_t k = 0; k < d->nkinds; k++) {
		const char *kind = d->kinds[k].kind;
		json_t *lim = json_object_get(p->max_new_nodes, kind);
		if (!lim)
			lim = json_object_get(p->max_new_nodes, "*");
		if (!lim || !d->kinds[k].added)
			continue;
		size_t cnt = 0, first = SIZE_MAX;
		struct buf names = BUF_INIT;
		for (size_t i = 0; i < d->nadded; i++) {
			if (ok[i] || strcmp(d->added[i]->kind, kind))
				continue;
			if (cnt < 10)
				buf_printf(&names, "%s`%s`", cnt ? ", " : "", d->added[i]->id);
			if (first == SIZE_MAX)
				first = i;
			cnt++;
		}
		if (cnt > (size_t)json_integer_value(lim))
			violate(r, "new-nodes", d->added[first]->id,
				"%zu new %s nodes (at most %lld allowed): %s%s", cnt, kind,
				(long long)json_integer_value(lim), buf_cstr(&names),
				cnt > 10 ? ", ..." : "");
		buf_free(&names);
	}
}

/* "limits: 1024 bytes, 5.0%" naming only the limits that are set */
static const char *limits(char *out, size_t n, long long abs, double pc)
{
	int k = snprintf(out, n, "limit");
	if (abs >= 0)
		k += snprintf(out + k, n - (size_t)k, " %lld bytes", abs);
	if (pc >= 0)
		snprintf(out + k, n - (size_t)k, "%s %.1f%%", abs >= 0 ? "," : "", pc);
	return out;
}

static void check_bytes(struct gate_policy *p, const struct gdiff *d,
			struct gate_result *r, int64_t accepted_bytes)
{
	char lim[96];
	int64_t growth = (int64_t)(d->new_total - d->old_total) - accepted_bytes;
	double gp = pct(d->old_total, growth);
	if ((p->max_total_growth >= 0 && growth > p->max_total_growth) ||
	    (p->max_total_pct >= 0 && d->old_total && gp > p->max_total_pct))
		violate(r, "total-bytes", NULL,
			"total bytes grew by %lld (%+.1f%%, not counting accepted additions); %s",
			(long long)growth, gp, limits(lim, sizeof lim, p->max_total_growth,
						      p->max_total_pct));
	for (size_t i = 0; i < d->ngrown; i++) {
		const struct diff_grow *g = &d->grown[i];
		double np = pct(g->old->size, g->delta);
		if (g->delta <= 0)
			continue;
		if (!((p->max_node_growth >= 0 && g->delta > p->max_node_growth) ||
		      (p->max_node_pct >= 0 && g->old->size && np > p->max_node_pct)))
			continue;
		const struct gate_allow *a = allowed(p, g->new->id);
		if (a)
			accept(r, g->new->id, a);
		else
			violate(r, "node-bytes", g->new->id,
				"`%s` grew by %lld bytes (%+.1f%%); %s",
				g->new->id, (long long)g->delta, np,
				limits(lim, sizeof lim, p->max_node_growth, p->max_node_pct));
	}
}

void gate_check(struct gate_policy *p, const struct gdiff *d,
		const char *today, struct gate_result *r)
{
	memset(r, 0, sizeof *r);
	for (size_t i = 0; i < p->nallow; i++) {
		struct gate_allow *a = &p->allow[i];
		a->expired = strcmp(today, a->expires) > 0;
		a->used = 0;
		if (a->expired)
			violate(r, "expired-allow", a->node,
				"allow-list entry for `%s` (owner %s) expired on %s: renew or remove it",
				a->node ? a->node : a->pattern, a->owner, a->expires);
	}
	bool *ok = xcalloc(d->nadded + 1, sizeof *ok);
	int64_t accepted_bytes = 0;
	for (size_t i = 0; i < d->nadded; i++) {
		const struct gate_allow *a = allowed(p, d->added[i]->id);
		if (!a)
			continue;
		ok[i] = true;
		accept(r, d->added[i]->id, a);
		if (diff_is_file_kind(d->added[i]->kind))
			accepted_bytes += (int64_t)d->added[i]->size;
	}
	check_added(p, d, r, ok);
	check_bytes(p, d, r, accepted_bytes);
	free(ok);
}

void gate_result_free(struct gate_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].msg);
	free(r->v);
	free(r->accepted);
	free(r->accepted_by);
	memset(r, 0, sizeof *r);
}
