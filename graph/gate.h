/*
 * gate.h - the CI gate on dependency growth (`slim gate`).
 *
 * A policy (JSON, "slim-policy/1", every key optional):
 *
 *   { "schema": "slim-policy/1",
 *     "max_new_libraries": 0,                  -- default 0
 *     "max_new_nodes": {"module": 20, "*": 100},  -- per kind; "*" any other
 *     "max_total_bytes_growth": 1048576,
 *     "max_total_bytes_growth_percent": 5,
 *     "max_node_bytes_growth": 262144,
 *     "max_node_bytes_growth_percent": 20,
 *     "allow": [ {"node": "lib:libz.so.1" | "pattern": "py:numpy.*",
 *                 "reason": "...", "owner": "...", "expires": "YYYY-MM-DD"} ] }
 *
 * Thresholds left out do not apply, except max_new_libraries, which is 0
 * with or without a policy: any new library fails unless allow-listed.  An
 * allow entry accepts additions (and growth) of the nodes it matches
 * (exact id, or fnmatch(3) glob on the id) through its `expires` date;
 * from the day after, the entry is a violation itself (renew or remove it).
 * Accepted additions do not count toward new-node limits, and their bytes
 * do not count toward total growth.
 */
#ifndef SLIM_GATE_H
#define SLIM_GATE_H

#include <stdbool.h>
#include <stdint.h>

#include "diff.h"
#include "graph.h"
#include "why.h"
#include "../common/buf.h"

struct diag;

struct gate_allow {
	const char *node, *pattern, *reason, *owner, *expires;
	bool expired;
	size_t used;          /* additions / growth it accepted */
};

struct gate_policy {
	json_t *doc;          /* owns every string below */
	long long max_new_libraries;               /* -1: no limit */
	json_t *max_new_nodes;                     /* object kind -> int, or NULL */
	long long max_total_growth, max_node_growth;   /* -1: no limit */
	double max_total_pct, max_node_pct;            /* < 0: no limit */
	struct gate_allow *allow;
	size_t nallow;
};

/* The policy with no file: max_new_libraries 0, nothing else. */
void gate_policy_default(struct gate_policy *p);
/* Parse and validate a policy file's bytes; unknown keys are errors (a typo
 * must not silently disable a threshold).  -1 with d set on error. */
int gate_policy_parse(struct gate_policy *p, const char *buf, size_t n,
		      const char *path, struct diag *d);
void gate_policy_free(struct gate_policy *p);

/* true if s is a valid calendar date YYYY-MM-DD */
bool gate_date_ok(const char *s);

struct gate_violation {
	const char *rule;     /* new-library new-nodes total-bytes node-bytes expired-allow */
	const char *node;     /* node id in the new graph, or NULL */
	char *msg;            /* owned */
};

struct gate_result {
	struct gate_violation *v;
	size_t n;
	const char **accepted;         /* ids accepted by the allow list */
	const struct gate_allow **accepted_by;
	size_t naccepted;
};

/* Evaluate the policy on a diff (baseline -> current) as of `today`
 * (YYYY-MM-DD).  Deterministic: violations in rule order then id order. */
void gate_check(struct gate_policy *p, const struct gdiff *d,
		const char *today, struct gate_result *r);
void gate_result_free(struct gate_result *r);

/*
 * The markdown summary for a pull-request comment: verdict, violations
 * first (each with its why-path from `w`, a BFS over the full current
 * graph), accepted additions, then the diff.  Capped at `cap` bytes: what
 * does not fit is cut at a line boundary and the cut is said.
 */
void gate_summary(const struct gate_result *r, const struct gdiff *d,
		  const struct why_bfs *w, const char *base_name,
		  const char *cur_name, size_t cap, struct buf *b);

#define GATE_SUMMARY_CAP (60 * 1024)

#endif
