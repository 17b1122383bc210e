/*
 * test-bytediff.c - the rules of analyzers/bytediff/ (issue #16) on small
 * builds written here, one rule per test: each cause is given only when
 * normalizing it makes both sides equal, and nothing else is; moves and
 * equal files; hostile archives on one side are one error each and the
 * rest is still compared.  The real builds are tests/cli/test-diff-builds.sh
 * (against diffoscope) and test-cas.sh (against sha256 and casync).
 */
#include "testutil.h"
#include "../analyzers/bytediff/bytediff.h"
#include "../common/util.h"

#include <sys/stat.h>

static char dir[64];

static void setup(void)
{
	scratch_pair(dir, sizeof dir, "/tmp/slim-bd-XXXXXX");
}

static void teardown(void)
{
	scratch_remove(dir);
}

static void put(const char *side, const char *name, const void *p, size_t n)
{
	scratch_put(dir, side, name, p, n);
}

/* Compare a/ and b/; the errors are counted into *nerr. */
static void run(struct bd_result *r, size_t *nerr)
{
	char a[128], b[128];
	struct diag_list errs = {0};
	struct diag d = {0};
	snprintf(a, sizeof a, "%s/a", dir);
	snprintf(b, sizeof b, "%s/b", dir);
	memset(r, 0, sizeof *r);
	cr_assert_eq(bytediff_run(r, a, b, &errs, &d), 0, "%s", d.msg);
	if (nerr)
		*nerr = errs.n;
	diag_list_free(&errs);
}

static uint64_t cause(const struct bd_result *r, enum bd_cause c)
{
	return r->by_cause[c];
}

TestSuite(bytediff, .init = setup, .fini = teardown);

Test(bytediff, date_and_time_shapes_are_timestamps)
{
	static const char a[] = "built on Jan  5 2026 at 10:11:12 by cc", b[] = "built on Feb 17 2026 at 23:59:01 by cc";
	put("a", "x", a, sizeof a);
	put("b", "x", b, sizeof b);
	struct bd_result r;
	run(&r, NULL);
	cr_assert_eq(r.ndiffer, 1);
	cr_assert_eq(r.bytes_explained, r.bytes_differing);
	cr_assert_eq(cause(&r, BC_TIMESTAMP), sizeof a);
	bytediff_free(&r);
}

Test(bytediff, text_that_reads_as_epoch_seconds_is_no_timestamp)
{
	/* "w1/b" is 0x622f3177 little-endian: a date in 2022 */
	static const char a[] = "id=w1/b;", b[] = "id=w2/b;";
	put("a", "x", a, sizeof a);
	put("b", "x", b, sizeof b);
	struct bd_result r;
	run(&r, NULL);
	cr_assert_eq(r.bytes_explained, 0);
	cr_assert_eq(cause(&r, BC_UNEXPLAINED), sizeof a);
	bytediff_free(&r);
}

Test(bytediff, a_longer_build_path_is_learnt_and_explains_the_shift)
{
	static const char a[] = "/home/ci/build-7/src/x.c\0/home/ci/build-7\0tail",
			  b[] = "/home/ci/build-1234/src/x.c\0/home/ci/build-1234\0tail";
	put("a", "x", a, sizeof a);
	put("b", "x", b, sizeof b);
	struct bd_result r;
	run(&r, NULL);
	cr_assert_eq(r.bytes_explained, r.bytes_differing);
	cr_assert_eq(cause(&r, BC_BUILD_PATH), sizeof b, "the larger size counts");
	bytediff_free(&r);
}

Test(bytediff, a_real_change_beside_a_path_stays_unexplained)
{
	static const char a[] = "/home/ci/build-7/src/x.c\0return 1;",
			  b[] = "/home/ci/build-8/src/x.c\0return 2;";
	put("a", "x", a, sizeof a);
	put("b", "x", b, sizeof b);
	struct bd_result r;
	run(&r, NULL);
	cr_assert_eq(r.bytes_explained, 0, "a unit is explained only when it becomes equal");
	bytediff_free(&r);
}

Test(bytediff, temporary_names_are_random)
{
	static const char a[] = "obj /tmp/ccAbX12q.o end", b[] = "obj /tmp/ccZr9PwK.o end";
	put("a", "x", a, sizeof a);
	put("b", "x", b, sizeof b);
	struct bd_result r;
	run(&r, NULL);
	cr_assert_eq(cause(&r, BC_RANDOM), sizeof a);
	bytediff_free(&r);
}

Test(bytediff, the_same_lines_in_another_order_are_order)
{
	static const char a[] = "alpha\nbeta\ngamma\n", b[] = "gamma\nalpha\nbeta\n";
	put("a", "x", a, sizeof a - 1);
	put("b", "x", b, sizeof b - 1);
	struct bd_result r;
	run(&r, NULL);
	cr_assert_eq(cause(&r, BC_ORDER), sizeof a - 1);
	bytediff_free(&r);
}

Test(bytediff, equal_moved_added_removed)
{
	static const char s[] = "same bytes", m[] = "moved bytes", o[] = "only old", n[] = "only new";
	put("a", "same", s, sizeof s);
	put("b", "same", s, sizeof s);
	put("a", "m1", m, sizeof m);
	put("b", "m2", m, sizeof m);
	put("a", "o", o, sizeof o);
	put("b", "n", n, sizeof n);
	struct bd_result r;
	run(&r, NULL);
	cr_assert_eq(r.nsame, 1);
	cr_assert_eq(r.nmoved, 1);
	cr_assert_eq(r.nadded, 1);
	cr_assert_eq(r.nremoved, 1);
	for (size_t k = 0; k < r.nfiles; k++)
		if (r.files[k].status == BD_MOVED) {
			cr_assert_str_eq(r.files[k].path, "m2");
			cr_assert_str_eq(r.files[k].old_path, "m1");
		}
	cr_assert_eq(r.bytes_differing, sizeof o + sizeof n);
	bytediff_free(&r);
}

/* An ar archive with one member whose header date, uid and mode are given. */
static void ar_one(struct buf *b, const char *date, const char *uid, const char *mode,
		   const char *data)
{
	char h[96];   /* 60 bytes written; room for what -Wformat-truncation fears */
	buf_add(b, "!<arch>\n", 8);
	snprintf(h, sizeof h, "%-16s%-12s%-6s%-6s%-8s%-10zu`\n", "m.o/", date, uid, "0", mode,
		 strlen(data));
	buf_add(b, h, 60);
	buf_puts(b, data);
	if (strlen(data) & 1)
		buf_putc(b, '\n');
}

Test(bytediff, ar_header_fields_are_timestamp_owner_mode)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	ar_one(&a, "1700000000", "0", "100644", "payload");
	ar_one(&b, "1700000900", "1000", "100600", "payload");
	put("a", "l.a", a.p, a.len);
	put("b", "l.a", b.p, b.len);
	struct bd_result r;
	run(&r, NULL);
	cr_assert_eq(cause(&r, BC_TIMESTAMP), 12);
	cr_assert_eq(cause(&r, BC_OWNER), 12);
	cr_assert_eq(cause(&r, BC_MODE), 8);
	cr_assert_eq(r.bytes_explained, r.bytes_differing);
	bytediff_free(&r);
	buf_free(&a);
	buf_free(&b);
}

Test(bytediff, a_truncated_archive_on_one_side_is_one_error_and_still_counted)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	ar_one(&a, "0", "0", "644", "payload");
	ar_one(&b, "0", "0", "644", "payload");
	b.len -= 4;
	put("a", "l.a", a.p, a.len);
	put("b", "l.a", b.p, b.len);
	put("a", "ok", "x", 1);
	put("b", "ok", "y", 1);
	struct bd_result r;
	size_t nerr;
	run(&r, &nerr);
	cr_assert_eq(nerr, 1);
	cr_assert_eq(r.ndiffer, 2, "the rest is still compared");
	cr_assert_eq(cause(&r, BC_UNEXPLAINED), a.len + 1);
	bytediff_free(&r);
	buf_free(&a);
	buf_free(&b);
}

Test(bytediff, a_zip_whose_directory_points_outside_is_one_error)
{
	unsigned char z[64] = "PK\3\4";
	memset(z + 4, 0, sizeof z - 4);
	unsigned char *e = z + sizeof z - 22;
	memcpy(e, "PK\5\6", 4);
	e[10] = 1;                  /* one entry */
	e[12] = 0x40;               /* directory size */
	e[16] = 0xff; e[17] = 0xff; /* at an offset past the end */
	put("a", "x.zip", z, sizeof z);
	z[8] = 1;
	put("b", "x.zip", z, sizeof z);
	struct bd_result r;
	size_t nerr;
	run(&r, &nerr);
	cr_assert_eq(nerr, 1);
	cr_assert_eq(cause(&r, BC_UNEXPLAINED), sizeof z);
	bytediff_free(&r);
}

Test(bytediff, a_file_against_a_directory_is_refused)
{
	char a[128], b[128];
	struct bd_result r = {0};
	struct diag_list errs = {0};
	struct diag d = {0};
	put("a", "f", "x", 1);
	snprintf(a, sizeof a, "%s/a/f", dir);
	snprintf(b, sizeof b, "%s/b", dir);
	cr_assert_eq(bytediff_run(&r, a, b, &errs, &d), -1);
	cr_assert(strstr(d.msg, "directory"), "%s", d.msg);
	bytediff_free(&r);
}
