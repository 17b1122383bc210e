/*
 * test-bytediff-gpu.c - slim diff descends into CUDA fat binaries (issue
 * #16): the committed pair samples/cuda/bin/diff/{a,b} is kern.cu built
 * by nvcc 13 with -lineinfo in /tmp/slim-cuda-diff-a and -b
 * (samples/cuda/build.sh says how), as an object with plain entries, one
 * with ZSTD entries and a bare ZSTD fatbin.  Each rule is one test: the
 * build path in the PTX and in the cubin's .debug_line explains every
 * differing byte, and the rows name the container, the entry, its kind
 * and arch; a byte flipped in the cubin's code stays unexplained with
 * that entry named; a spoiled entry header on one side is one error line
 * and the rest is still compared.  The positions flipped and spoiled are
 * found with the fatbin analyzer's scan and libelf, not by hand.
 */
#include "testutil.h"
#include "../analyzers/bytediff/bytediff.h"
#include "../analyzers/fatbin/fatbin.h"
#include "../common/util.h"

#include <gelf.h>
#include <sys/stat.h>

#define PAIR "samples/cuda/bin/diff"

static char dir[64];

static void setup(void)
{
	scratch_pair(dir, sizeof dir, "/tmp/slim-bdgpu-XXXXXX");
}

static void teardown(void)
{
	scratch_remove(dir);
}

static void slurp(const char *path, struct buf *b)
{
	FILE *fp = fopen(path, "rb");
	cr_assert(fp, "%s missing (samples/cuda/build.sh makes it)", path);
	char tmp[65536];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, fp)) > 0)
		buf_add(b, tmp, n);
	fclose(fp);
}

static void put(const char *side, const char *name, const void *p, size_t n)
{
	scratch_put(dir, side, name, p, n);
}

/* Compare OLD and NEW files (or dirs); errors counted into *nerr. */
static void diff(struct bd_result *r, const char *a, const char *b, size_t *nerr)
{
	struct diag_list errs = {0};
	struct diag d = {0};
	memset(r, 0, sizeof *r);
	cr_assert_eq(bytediff_run(r, a, b, &errs, &d), 0, "%s", d.msg);
	if (nerr)
		*nerr = errs.n;
	diag_list_free(&errs);
}

/* diff() of the scratch directory's two sides, dir/a and dir/b */
static void diff_sides(struct bd_result *r, size_t *nerr)
{
	char da[96], db[96];
	snprintf(da, sizeof da, "%s/a", dir);
	snprintf(db, sizeof db, "%s/b", dir);
	diff(r, da, db, nerr);
}

/* The row of r's only file whose where holds every string given. */
static const struct bd_cause_row *row(const struct bd_result *r, enum bd_cause c,
				      const char *s1, const char *s2)
{
	for (size_t f = 0; f < r->nfiles; f++)
		for (size_t k = 0; k < r->files[f].ncauses; k++) {
			const struct bd_cause_row *x = &r->files[f].causes[k];
			if (x->cause == c && strstr(x->where, s1) && (!s2 || strstr(x->where, s2)))
				return x;
		}
	return NULL;
}

static void dump(const struct bd_result *r)
{
	struct buf b = BUF_INIT;
	bytediff_format_text(r, &b, 0);
	cr_log_info("%s", buf_cstr(&b));
	buf_free(&b);
}

TestSuite(bytediff_gpu, .init = setup, .fini = teardown);

/* The pair really differs by its build directory: the path is in each
 * side's bytes (the PTX of the plain object), the other side's not. */
Test(bytediff_gpu, the_committed_pair_embeds_its_build_directories)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	slurp(PAIR "/a/kern_plain.o", &a);
	slurp(PAIR "/b/kern_plain.o", &b);
	cr_assert(memmem(a.p, a.len, "/tmp/slim-cuda-diff-a/kern.cu", 29));
	cr_assert(memmem(b.p, b.len, "/tmp/slim-cuda-diff-b/kern.cu", 29));
	cr_assert(!memmem(b.p, b.len, "/tmp/slim-cuda-diff-a", 21));
	buf_free(&a);
	buf_free(&b);
}

static void explained_with_entries(const char *name, const char *prefix)
{
	char a[256], b[256];
	snprintf(a, sizeof a, PAIR "/a/%s", name);
	snprintf(b, sizeof b, PAIR "/b/%s", name);
	struct bd_result r;
	diff(&r, a, b, NULL);
	dump(&r);
	cr_assert_eq(r.ndiffer, 1);
	cr_assert_gt(r.bytes_differing, 0);
	cr_assert_eq(r.bytes_explained, r.bytes_differing, "%s: every differing byte explained", name);
	char ptx[128], cubin[128];
	snprintf(ptx, sizeof ptx, "%scontainer 1 entry 1 (ptx sm_80, ", prefix);
	snprintf(cubin, sizeof cubin, "%scontainer 1 entry 2 (cubin sm_80, ", prefix);
	cr_assert(row(&r, BC_BUILD_PATH, ptx, NULL), "%s: the PTX entry is named, its path explained", name);
	cr_assert(row(&r, BC_BUILD_PATH, cubin, ".debug_line"),
		  "%s: the cubin's .debug_line is named inside its entry", name);
	cr_assert(!row(&r, BC_UNEXPLAINED, "", NULL));
	bytediff_free(&r);
}

Test(bytediff_gpu, plain_entries_of_an_object_are_named_and_explained)
{
	explained_with_entries("kern_plain.o", ".nv_fatbin ");
}

Test(bytediff_gpu, zstd_entries_are_decoded_then_explained)
{
	explained_with_entries("kern_zstd.o", ".nv_fatbin ");
}

Test(bytediff_gpu, a_bare_fatbin_file_is_walked_as_containers)
{
	explained_with_entries("kern.fatbin", "");
}

/* The offset in the file of the first byte of the cubin entry's code
 * (its first .text.* section), found with the fatbin scan and libelf. */
static size_t cubin_code_offset(const struct buf *f, const char *path)
{
	struct fatbin_scan s = {0};
	struct diag_list w = {0};
	struct diag d = {0};
	cr_assert_eq(fatbin_scan_buf(&s, path, (const unsigned char *)f->p, f->len, &w, &d), 0, "%s", d.msg);
	size_t at = 0;
	for (size_t i = 0; i < s.n && !at; i++) {
		const struct fatbin_entry *e = &s.v[i];
		if (e->kind != FATBIN_CUBIN)
			continue;
		cr_assert_eq(e->comp, FATBIN_COMP_NONE);
		elf_version(EV_CURRENT);
		Elf *elf = elf_memory((char *)e->payload, e->payload_size);
		size_t shstr;
		cr_assert(elf && !elf_getshdrstrndx(elf, &shstr));
		Elf_Scn *scn = NULL;
		while ((scn = elf_nextscn(elf, scn)) && !at) {
			GElf_Shdr sh;
			cr_assert(gelf_getshdr(scn, &sh));
			const char *nm = elf_strptr(elf, shstr, sh.sh_name);
			if (nm && !strncmp(nm, ".text.", 6) && sh.sh_size > 16)
				at = (size_t)(e->payload - (const unsigned char *)f->p) + sh.sh_offset + 8;
		}
		elf_end(elf);
	}
	diag_list_free(&w);
	fatbin_scan_free(&s);
	cr_assert(at, "no cubin code found in %s", path);
	return at;
}

Test(bytediff_gpu, a_flipped_byte_in_cubin_code_stays_unexplained_with_its_entry_named)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	slurp(PAIR "/a/kern_plain.o", &a);
	slurp(PAIR "/b/kern_plain.o", &b);
	size_t at = cubin_code_offset(&b, PAIR "/b/kern_plain.o");
	b.p[at] ^= 0x40;
	put("a", "kern.o", a.p, a.len);
	put("b", "kern.o", b.p, b.len);
	struct bd_result r;
	diff_sides(&r, NULL);
	dump(&r);
	const struct bd_cause_row *u = row(&r, BC_UNEXPLAINED, ".nv_fatbin container 1 entry 2 (cubin sm_80, ", ": .text.");
	cr_assert(u, "the flipped code is unexplained, in the cubin entry's .text section");
	cr_assert_eq(r.by_cause[BC_UNEXPLAINED], u->bytes, "nothing else is unexplained");
	cr_assert(row(&r, BC_BUILD_PATH, ".nv_fatbin container 1 entry 1 (ptx sm_80, ", NULL),
		  "the PTX entry's path is still explained");
	bytediff_free(&r);
	buf_free(&a);
	buf_free(&b);
}

Test(bytediff_gpu, a_spoiled_entry_header_on_one_side_is_one_error_and_the_rest_compared)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	slurp(PAIR "/a/kern_plain.o", &a);
	slurp(PAIR "/b/kern_plain.o", &b);
	struct fatbin_scan s = {0};
	struct diag_list w = {0};
	struct diag d = {0};
	cr_assert_eq(fatbin_scan_buf(&s, "b", (const unsigned char *)b.p, b.len, &w, &d), 0);
	cr_assert_gt(s.n, 1);
	size_t hdr = (size_t)(s.v[1].hdr - (const unsigned char *)b.p);
	fatbin_scan_free(&s);
	diag_list_free(&w);
	b.p[hdr] = 7;               /* an entry kind no fatbin has */
	put("a", "kern.o", a.p, a.len);
	put("b", "kern.o", b.p, b.len);
	put("a", "other", "x", 1);
	put("b", "other", "y", 1);
	struct bd_result r;
	size_t nerr;
	diff_sides(&r, &nerr);
	dump(&r);
	cr_assert_eq(nerr, 1, "one line for the bad side");
	cr_assert_eq(r.ndiffer, 2, "the rest is still compared");
	cr_assert(row(&r, BC_UNEXPLAINED, ".nv_fatbin", NULL), "the section compared as bytes");
	bytediff_free(&r);
	buf_free(&a);
	buf_free(&b);
}

/* nvcc 11.8 names its temporary files tmpxft_<pid in hex>_...: two builds
 * differ there in as little as two hex digits (0000741a vs 0000763a, as
 * its host objects' .strtab showed), which is random only after that
 * prefix; elsewhere two digits stay unexplained. */
Test(bytediff_gpu, an_nvcc_temporary_name_is_random_however_few_digits_differ)
{
	static const char a[] = "f\0tmpxft_0000741a_00000000-6_kern.cudafe1.cpp\0",
			  b[] = "f\0tmpxft_0000763a_00000000-6_kern.cudafe1.cpp\0",
			  c[] = "f\0xxxxxx_0000741a_00000000-6_kern.cudafe1.cpp\0",
			  d[] = "f\0xxxxxx_0000763a_00000000-6_kern.cudafe1.cpp\0";
	put("a", "t", a, sizeof a);
	put("b", "t", b, sizeof b);
	put("a", "u", c, sizeof c);
	put("b", "u", d, sizeof d);
	struct bd_result r;
	diff_sides(&r, NULL);
	cr_assert_eq(r.ndiffer, 2);
	cr_assert_eq(r.by_cause[BC_RANDOM], sizeof a, "the tmpxft_ name is random");
	cr_assert_eq(r.by_cause[BC_UNEXPLAINED], sizeof c, "two digits elsewhere are not");
	bytediff_free(&r);
}

/* Build one object with its data in section NAME into side/x.o (gcc). */
static void object_with_section(const char *side, const char *name)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd,
		 "cd %s && printf 'const char s[] __attribute__((section(\"%s\"), used)) = \"ptx text\";\\n' > x.c && "
		 "gcc -c -o %s/x.o x.c && rm x.c", dir, name, side);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

/* A -rdc cubin names its PTX section .nv_debug_ptx_txt.<hash of a
 * temporary name>: sections whose names differ only in the number after
 * the last '.' pair as one unit (here equal), the names themselves being
 * random in .shstrtab; other renamed sections stay only in OLD / NEW. */
Test(bytediff_gpu, a_section_renamed_by_its_number_pairs_with_its_counterpart)
{
	object_with_section("a", ".nv_debug_ptx_txt.2934094814");
	object_with_section("b", ".nv_debug_ptx_txt.2934750175");
	struct bd_result r;
	diff_sides(&r, NULL);
	dump(&r);
	cr_assert_eq(r.ndiffer, 1);
	cr_assert(!row(&r, BC_UNEXPLAINED, "only in", NULL), "the sections pair");
	cr_assert_eq(r.bytes_explained, r.bytes_differing);
	bytediff_free(&r);
	object_with_section("a", ".nv_debug_ptx_txt.abc");
	object_with_section("b", ".nv_debug_ptx_txt.abd");
	diff_sides(&r, NULL);
	cr_assert(row(&r, BC_UNEXPLAINED, "section .nv_debug_ptx_txt.abc only in OLD", NULL));
	cr_assert(row(&r, BC_UNEXPLAINED, "section .nv_debug_ptx_txt.abd only in NEW", NULL));
	bytediff_free(&r);
}
