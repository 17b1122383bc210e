/*
 * fuzz_prune.c - libFuzzer harness for `slim prune`'s rewriting: the input
 * is an ELF file, ar archive or bare fatbin.  When its fatbin scan has no
 * error, the entries no sm_90 GPU can load are dropped by
 * fatbin_rewrite_plan(), the output the pieces describe is built and
 * scanned again: it must scan without error and hold exactly the kept
 * entries, byte-identical; prune_audit() runs over the plan.  Then
 * prune/needed.c's edits for three library
 * names are planned (prune_needed_edit()) and applied: every patch lies
 * inside the file.
 */
#include "../analyzers/fatbin/fatbin.h"
#include "../common/diag.h"
#include "../prune/prune-int.h"

#include <stdlib.h>
#include <string.h>

static void gpu(const unsigned char *data, size_t n)
{
	struct fatbin_scan s = {0}, t = {0};
	struct diag_list w = {0};
	struct diag d = {0};
	if (fatbin_scan_buf(&s, "fuzz", data, n, &w, &d) || s.errors || !s.n)
		goto out;
	struct fatbin_target tg = {90};
	enum fatbin_verdict *v = calloc(s.n, sizeof *v);
	size_t *dup = calloc(s.n, sizeof *dup);
	bool *drop = calloc(s.n, sizeof *drop);
	fatbin_classify(&s, &tg, 1, v, dup);
	for (size_t i = 0; i < s.n; i++)
		drop[i] = v[i] == FATBIN_PRUNABLE;
	struct fatbin_rewrite rw;
	if (!fatbin_rewrite_plan(&s, "fuzz", data, n, drop, &rw, &d)) {
		char why[600];
		(void)prune_audit(data, n, &rw, why, sizeof why);
		unsigned char *o = calloc(1, n + 1);
		for (size_t i = 0; i < rw.n; i++) {
			const struct fatbin_piece *pc = &rw.v[i];
			if (pc->out + pc->len > n || (!pc->data && pc->src + pc->len > n))
				abort();
			memcpy(o + pc->out, pc->data ? pc->data : data + pc->src, pc->len);
		}
		struct diag_list w2 = {0};
		/* kept entries read back, in order, byte-identical */
		if (fatbin_scan_buf(&t, "fuzz-out", o, n, &w2, &d) == 0 && !t.errors) {
			size_t k = 0;
			for (size_t i = 0; i < s.n; i++) {
				if (drop[i])
					continue;
				/* the structural scan may find another candidate the
				 * zeroed bytes no longer hide; only nvcc's own
				 * sections are held to the count */
				while (k < t.n && t.v[k].file_off != s.v[i].file_off &&
				       t.v[k].found_by_scan)
					k++;
				if (k == t.n)
					break;
				uint64_t len = s.v[i].hdr_size + s.v[i].payload_size;
				if (t.v[k].hdr_size + t.v[k].payload_size != len ||
				    memcmp(t.v[k].hdr, s.v[i].hdr, len))
					abort();
				k++;
			}
		}
		diag_list_free(&w2);
		free(o);
		fatbin_rewrite_free(&rw);
	}
	free(v);
	free(dup);
	free(drop);
out:
	fatbin_scan_free(&s);
	fatbin_scan_free(&t);
	diag_list_free(&w);
}

static void needed(const unsigned char *data, size_t n)
{
	static const char *const names[] = {"libm.so.6", "libpthread.so.0", "libdl.so.2"};
	struct prune_result r = {0};
	for (size_t i = 0; i < 3; i++) {
		r.libs = realloc(r.libs, (r.nlibs + 1) * sizeof *r.libs);
		r.libs[r.nlibs++] = (struct prune_lib){.needed = strdup(names[i]),
						       .node = strdup(names[i])};
	}
	r.caplibs = r.nlibs;
	prune_needed_edit("fuzz", data, n, &r);
	for (size_t i = 0; i < r.npatches; i++)
		if (r.patches[i].off > n || r.patches[i].len > n - r.patches[i].off)
			abort();
	prune_result_free(&r);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	gpu(data, n);
	needed(data, n);
	return 0;
}
