/*
 * test-rewrite.c - fatbin_rewrite_plan() (analyzers/fatbin/rewrite.c) on
 * bare fatbins built here byte by byte: the output the pieces describe is
 * built, then scanned again with fatbin_scan_buf(); every kept entry is
 * compared with the input's bytes.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../analyzers/fatbin/fatbin.h"

static void put16(unsigned char *p, unsigned v) { p[0] = v, p[1] = v >> 8; }
static void put32(unsigned char *p, uint32_t v) { for (int i = 0; i < 4; i++) p[i] = v >> (8 * i); }
static void put64(unsigned char *p, uint64_t v) { for (int i = 0; i < 8; i++) p[i] = v >> (8 * i); }

/* one plain cubin entry for sm at p: 64-byte header + `len` payload bytes
 * of value `fill`; returns its size */
static size_t entry(unsigned char *p, unsigned sm, size_t len, int fill)
{
	memset(p, 0, 64);
	put16(p, FATBIN_CUBIN);
	put16(p + 2, 0x0101);
	put32(p + 4, 64);
	put64(p + 8, len);
	put16(p + 24, 8);
	put16(p + 26, 1);
	put32(p + 28, sm);
	put64(p + 40, FATBIN_F_64BIT | FATBIN_F_LINUX);
	memset(p + 64, fill, len);
	return 64 + len;
}

/* a container of cubins for sms[0..n) at p; returns its size */
static size_t container(unsigned char *p, const unsigned *sms, size_t n, int fill)
{
	size_t at = 16;
	for (size_t i = 0; i < n; i++)
		at += entry(p + at, sms[i], 32 + 8 * i, fill + (int)i);
	put32(p, FATBIN_MAGIC);
	put16(p + 4, 1);
	put16(p + 6, 16);
	put64(p + 8, at - 16);
	return at;
}

/* the output the plan describes */
static unsigned char *build(const unsigned char *in, const struct fatbin_rewrite *rw)
{
	unsigned char *o = calloc(1, rw->size + 1);
	for (size_t i = 0; i < rw->n; i++) {
		const struct fatbin_piece *pc = &rw->v[i];
		cr_assert(pc->out + pc->len <= rw->size);
		cr_assert(i == 0 || rw->v[i - 1].out + rw->v[i - 1].len <= pc->out,
			  "pieces overlap or are out of order");
		memcpy(o + pc->out, pc->data ? pc->data : in + pc->src, pc->len);
	}
	return o;
}

static void scan(struct fatbin_scan *s, const unsigned char *p, size_t n)
{
	struct diag_list w = {0};
	struct diag d = {0};
	memset(s, 0, sizeof *s);
	cr_assert_eq(fatbin_scan_buf(s, "t.fatbin", p, n, &w, &d), 0, "%s", d.msg);
	cr_assert_eq(s->errors, 0, "%s", s->first_error.msg);
	diag_list_free(&w);
}

Test(rewrite, drops_entries_keeps_order_bytes_and_container_offsets)
{
	unsigned char in[4096] = {0};
	const unsigned a[] = {75, 80, 90, 86}, b[] = {90, 75};
	size_t n1 = container(in, a, 4, 0x10);
	size_t n2 = container(in + n1 + 16, b, 2, 0x40);   /* 16 bytes of zero padding between */
	size_t n = n1 + 16 + n2 + 8;
	struct fatbin_scan s;
	scan(&s, in, n);
	cr_assert_eq(s.n, 6);
	bool drop[6] = {true, false, false, true, false, true};  /* sm_75, sm_86, sm_75 */
	struct fatbin_rewrite rw;
	struct diag d = {0};
	cr_assert_eq(fatbin_rewrite_plan(&s, "t.fatbin", in, n, drop, &rw, &d), 0, "%s", d.msg);
	cr_assert_eq(rw.removed, 3);
	cr_assert_eq(rw.containers, 2);
	uint64_t freed = 0;
	for (size_t i = 0; i < 6; i++)
		if (drop[i])
			freed += s.v[i].hdr_size + s.v[i].payload_size;
	cr_assert_eq(rw.freed, freed);
	cr_assert_eq(rw.size, n);
	unsigned char *out = build(in, &rw);
	struct fatbin_scan t;
	scan(&t, out, n);
	cr_assert_eq(t.n, 3);
	cr_assert_eq(t.ncontainers, 2);
	/* containers where they were; kept entries identical and in order */
	cr_assert_eq(t.coff[0], s.coff[0]);
	cr_assert_eq(t.coff[1], s.coff[1]);
	size_t k = 0;
	for (size_t i = 0; i < 6; i++) {
		if (drop[i])
			continue;
		cr_assert_eq(t.v[k].sm, s.v[i].sm);
		cr_assert_eq(t.v[k].hdr_size + t.v[k].payload_size,
			     s.v[i].hdr_size + s.v[i].payload_size);
		cr_assert(!memcmp(t.v[k].hdr, s.v[i].hdr, s.v[i].hdr_size + s.v[i].payload_size));
		k++;
	}
	/* the freed bytes are zero: the output's non-zero bytes are the kept
	 * entries and the two headers */
	size_t nz_in = 0, nz_out = 0;
	for (size_t i = 0; i < n; i++)
		nz_out += out[i] != 0;
	for (size_t i = 0; i < 3; i++)
		for (uint64_t j = 0; j < t.v[i].hdr_size + t.v[i].payload_size; j++)
			nz_in += t.v[i].hdr[j] != 0;
	for (size_t c = 0; c < 2; c++)
		for (size_t j = 0; j < 16; j++)
			nz_in += out[t.coff[c] + j] != 0;
	cr_assert_eq(nz_out, nz_in, "bytes outside the kept entries and headers are not zero");
	free(out);
	fatbin_rewrite_free(&rw);
	fatbin_scan_free(&s);
	fatbin_scan_free(&t);
}

Test(rewrite, a_container_that_loses_every_entry_reads_back_empty)
{
	unsigned char in[1024] = {0};
	const unsigned a[] = {75, 75}, b[] = {90};
	size_t n1 = container(in, a, 2, 1);
	size_t n = n1 + container(in + n1, b, 1, 7);
	struct fatbin_scan s;
	scan(&s, in, n);
	bool drop[3] = {true, true, false};
	struct fatbin_rewrite rw;
	struct diag d = {0};
	cr_assert_eq(fatbin_rewrite_plan(&s, "t.fatbin", in, n, drop, &rw, &d), 0, "%s", d.msg);
	unsigned char *out = build(in, &rw);
	struct fatbin_scan t;
	scan(&t, out, n);
	cr_assert_eq(t.n, 1);
	cr_assert_eq(t.ncontainers, 2, "the emptied container (size 0) is still walked");
	cr_assert_eq(t.v[0].sm, 90);
	free(out);
	fatbin_rewrite_free(&rw);
	fatbin_scan_free(&s);
	fatbin_scan_free(&t);
}

Test(rewrite, nothing_dropped_is_one_copy_of_the_whole_file)
{
	unsigned char in[512] = {0};
	const unsigned a[] = {80};
	size_t n = container(in, a, 1, 3) + 24;
	struct fatbin_scan s;
	scan(&s, in, n);
	bool drop[1] = {false};
	struct fatbin_rewrite rw;
	struct diag d = {0};
	cr_assert_eq(fatbin_rewrite_plan(&s, "t.fatbin", in, n, drop, &rw, &d), 0);
	cr_assert_eq(rw.n, 1);
	cr_assert_eq(rw.v[0].src, 0);
	cr_assert_eq(rw.v[0].len, n);
	cr_assert_eq(rw.removed, 0);
	fatbin_rewrite_free(&rw);
	fatbin_scan_free(&s);
}

Test(rewrite, entries_that_do_not_tile_their_container_are_refused)
{
	unsigned char in[512] = {0};
	const unsigned a[] = {75, 90};
	size_t n = container(in, a, 2, 5);
	struct fatbin_scan s;
	scan(&s, in, n);
	/* pretend the scan saw the second entry elsewhere */
	s.v[1].file_off += 8;
	bool drop[2] = {true, false};
	struct fatbin_rewrite rw;
	struct diag d = {0};
	cr_assert_eq(fatbin_rewrite_plan(&s, "t.fatbin", in, n, drop, &rw, &d), -1);
	cr_assert(strstr(d.msg, "not rewritten"), "%s", d.msg);
	cr_assert_eq(rw.n, 0);
	fatbin_scan_free(&s);
}
