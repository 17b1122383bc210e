/*
 * test-fatbin-bad.c - hostile and broken fatbins: each test corrupts one
 * field of a real nvcc-built sample (samples/out/fatbin/) and checks that
 * `slim fatbin` prints one line naming file, section and offset, exits 2,
 * and still lists every other entry.  Also: the structural scan finds a
 * container that gcc put in .rodata and rejects a bare magic constant, and
 * random mutations never crash the parser.
 */
#include "testutil.h"
#include "../analyzers/fatbin/fatbin.h"
#include "../common/mfile.h"
#include "../common/util.h"

#include <sys/stat.h>

#define SAMPLES "samples/out/fatbin"

struct sample {
	unsigned char *p;
	size_t n;
	struct fatbin_scan s;
};

static void load(struct sample *sm, const char *name)
{
	char path[256];
	snprintf(path, sizeof path, SAMPLES "/%s", name);
	FILE *fp = fopen(path, "rb");
	cr_assert(fp, "%s missing: run samples/build.sh", path);
	struct stat st;
	cr_assert_eq(fstat(fileno(fp), &st), 0);
	sm->n = (size_t)st.st_size;
	sm->p = xmalloc(sm->n);
	cr_assert_eq(fread(sm->p, 1, sm->n, fp), sm->n);
	fclose(fp);
	memset(&sm->s, 0, sizeof sm->s);
	struct diag d = {0};
	struct diag_list w = {0};
	cr_assert_eq(fatbin_scan_buf(&sm->s, path, sm->p, sm->n, &w, &d), 0);
	cr_assert_eq(sm->s.errors, 0);
	diag_list_free(&w);
}

/* Free the sample, its scan, and the test's temporary directory. */
static void done(struct sample *sm, char *dir, char *path)
{
	fatbin_scan_free(&sm->s);
	free(sm->p);
	if (dir)
		run_fmt(NULL, "rm -rf %s", dir);
	free(dir);
	free(path);
}

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); }

/* Write the (patched) sample as DIR/NAME; returns the path (caller frees). */
static char *save(const struct sample *sm, const char *dir, const char *name)
{
	char *path;
	if (asprintf(&path, "%s/%s", dir, name) < 0)
		abort();
	FILE *fp = fopen(path, "wb");
	cr_assert(fp);
	cr_assert_eq(fwrite(sm->p, 1, sm->n, fp), sm->n);
	fclose(fp);
	return path;
}

struct run {
	int rc;
	struct buf out, err;
	int err_lines;
};

/* prepended to the command: a resource limit for the bomb tests */
static const char *limit = "";

static void run_slim(struct run *r, const char *args, const char *path)
{
	memset(r, 0, sizeof *r);
	char errf[] = "/tmp/slim-err.XXXXXX";
	int fd = mkstemp(errf);
	cr_assert(fd >= 0);
	close(fd);
	r->rc = run_fmt(&r->out, "%s%s fatbin %s %s 2>%s", limit, slim_bin(), args, path, errf);
	run_fmt(&r->err, "cat %s", errf);
	unlink(errf);
	for (const char *p = buf_cstr(&r->err); *p; p++)
		r->err_lines += *p == '\n';
}

static void run_free(struct run *r)
{
	buf_free(&r->out);
	buf_free(&r->err);
}

/* exit 2, exactly one stderr line with file, section, offset and `what`,
 * and `entries` still listed. */
static void expect_error(struct run *r, const char *path, const char *section,
			 uint64_t off, const char *what, const char *entries)
{
	char want[512];
	snprintf(want, sizeof want, "slim: %s: section %s: offset 0x%llx: ", path,
		 section, (unsigned long long)off);
	cr_expect_eq(r->rc, 2, "exit %d", r->rc);
	cr_expect_eq(r->err_lines, 1, "stderr:\n%s", buf_cstr(&r->err));
	cr_expect(!strncmp(buf_cstr(&r->err), want, strlen(want)),
		  "stderr %s does not start with %s", buf_cstr(&r->err), want);
	cr_expect(strstr(buf_cstr(&r->err), what), "stderr %s lacks '%s'", buf_cstr(&r->err), what);
	if (entries)
		cr_expect(strstr(buf_cstr(&r->out), entries), "stdout lacks '%s':\n%s",
			  entries, buf_cstr(&r->out));
}

/* exe_none: container 0 = entries 0-3 (device link), container 1 = 4-8. */
Test(fatbin_bad, container_size_past_section_keeps_the_next_container)
{
	struct sample sm;
	load(&sm, "exe_none");
	uint64_t c0 = sm.s.v[0].file_off - 16;
	put64(sm.p + c0 + 8, 0xffffffffull);
	char *dir = test_tmpdir(), *path = save(&sm, dir, "exe_none");
	struct run r;
	run_slim(&r, "", path);
	expect_error(&r, path, ".nv_fatbin", c0, "fatbin size 0xffffffff runs past the end of the section",
		     ": 5 entries");
	run_free(&r);
	done(&sm, dir, path);
}

Test(fatbin_bad, payload_size_past_container)
{
	struct sample sm;
	load(&sm, "exe_none");
	const struct fatbin_entry *e = &sm.s.v[8];
	put64(sm.p + e->file_off + 8, 1ull << 40);
	char *dir = test_tmpdir(), *path = save(&sm, dir, "exe_none");
	struct run r;
	run_slim(&r, "", path);
	expect_error(&r, path, ".nv_fatbin", e->file_off, "runs past the container end", ": 8 entries");
	run_free(&r);
	/* the graph path (slim report, --json): same one line, 8 gpu nodes */
	run_slim(&r, "--json", path);
	expect_error(&r, path, ".nv_fatbin", e->file_off, "runs past the container end",
		     "gpu:exe_none:sm_90a:8");
	cr_expect(!strstr(buf_cstr(&r.out), "gpu:exe_none:sm_90:9"));
	run_free(&r);
	done(&sm, dir, path);
}

Test(fatbin_bad, overlapping_entries_are_detected)
{
	/* entry 4's payload grows over entry 5's header: the walk then reads
	 * a header in the middle of entry 5 and must refuse it */
	struct sample sm;
	load(&sm, "exe_none");
	const struct fatbin_entry *e = &sm.s.v[4];
	put64(sm.p + e->file_off + 8, e->payload_size + 8);
	char *dir = test_tmpdir(), *path = save(&sm, dir, "exe_none");
	struct run r;
	run_slim(&r, "", path);
	expect_error(&r, path, ".nv_fatbin", sm.s.v[5].file_off + 8, "", ": 5 entries");
	run_free(&r);
	done(&sm, dir, path);
}

Test(fatbin_bad, wrong_magic_of_second_container)
{
	struct sample sm;
	load(&sm, "exe_none");
	uint64_t c1 = sm.s.v[4].file_off - 16;
	put32(sm.p + c1, 0xdeadbeef);
	char *dir = test_tmpdir(), *path = save(&sm, dir, "exe_none");
	struct run r;
	run_slim(&r, "", path);
	expect_error(&r, path, ".nv_fatbin", c1, "wrong fatbin magic 0xdeadbeef", ": 4 entries");
	run_free(&r);
	done(&sm, dir, path);
}

Test(fatbin_bad, unknown_flag_bits_are_reported_not_fatal)
{
	struct sample sm;
	load(&sm, "exe_none");
	const struct fatbin_entry *e = &sm.s.v[2];
	put64(sm.p + e->file_off + 40, e->flags | 0x40000000ull);
	char *dir = test_tmpdir(), *path = save(&sm, dir, "exe_none");
	struct run r;
	run_slim(&r, "--json", path);
	cr_expect_eq(r.rc, 0);
	cr_expect(strstr(buf_cstr(&r.out), "\"unknown_flags\": \"0x40000000\""), "%s", buf_cstr(&r.out));
	run_free(&r);
	run_slim(&r, "", path);
	cr_expect_eq(r.rc, 0);
	cr_expect(strstr(buf_cstr(&r.out), "unknown flag bits 0x40000000 in 1 entries"), "%s", buf_cstr(&r.out));
	run_free(&r);
	done(&sm, dir, path);
}

Test(fatbin_bad, truncated_zstd_stream)
{
	struct sample sm;
	load(&sm, "exe_size");
	const struct fatbin_entry *e = &sm.s.v[5];
	cr_assert_eq(e->comp, FATBIN_COMP_ZSTD);
	put32(sm.p + e->file_off + 16, (uint32_t)(e->comp_size / 2));
	char *dir = test_tmpdir(), *path = save(&sm, dir, "exe_size");
	struct run r;
	run_slim(&r, "--kernels", path);
	expect_error(&r, path, ".nv_fatbin", e->file_off, "ZSTD stream", "#7 sm_90a cubin");
	cr_expect(strstr(buf_cstr(&r.out), "#4 sm_75 cubin"));
	run_free(&r);
	done(&sm, dir, path);
}

Test(fatbin_bad, corrupt_zstd_frame)
{
	struct sample sm;
	load(&sm, "exe_size");
	const struct fatbin_entry *e = &sm.s.v[6];
	memset(sm.p + e->file_off + e->hdr_size, 0x5a, 8);
	char *dir = test_tmpdir(), *path = save(&sm, dir, "exe_size");
	struct run r;
	run_slim(&r, "--kernels", path);
	expect_error(&r, path, ".nv_fatbin", e->file_off, "corrupt or truncated ZSTD stream", "#5 sm_80 cubin");
	run_free(&r);
	done(&sm, dir, path);
}

Test(fatbin_bad, truncated_lz4_stream)
{
	struct sample sm;
	load(&sm, "exe_speed");
	const struct fatbin_entry *e = &sm.s.v[8];
	cr_assert_eq(e->comp, FATBIN_COMP_LZ4);
	put32(sm.p + e->file_off + 16, 16);
	char *dir = test_tmpdir(), *path = save(&sm, dir, "exe_speed");
	char args[600];
	snprintf(args, sizeof args, "--extract %s/x", dir);
	struct run r;
	run_slim(&r, args, path);
	expect_error(&r, path, ".nv_fatbin", e->file_off, "LZ4", ": 9 entries");
	run_free(&r);
	done(&sm, dir, path);
}

Test(fatbin_bad, decompression_bomb_is_refused_before_allocating)
{
	struct sample sm;
	load(&sm, "exe_size");
	const struct fatbin_entry *e = &sm.s.v[4];
	put64(sm.p + e->file_off + 56, 0xfffffff0ull);
	char *dir = test_tmpdir(), *path = save(&sm, dir, "exe_size");
	struct run r;
	/* 4 GiB declared; 300 MB of address space is all slim gets */
#if defined(__SANITIZE_ADDRESS__)
	/* ASan reserves terabytes of shadow: no ulimit -v; its allocator
	 * reports any allocation this large by itself */
	limit = "";
#else
	limit = "ulimit -v 300000; ";
#endif
	run_slim(&r, "--kernels", path);
	expect_error(&r, path, ".nv_fatbin", e->file_off, "above the 1 GiB limit", "#5 sm_80 cubin");
	run_free(&r);
	put64(sm.p + e->file_off + 56, e->comp_size * (FATBIN_MAX_RATIO + 1));
	free(path);
	path = save(&sm, dir, "exe_size");
	char cmd[600];
	snprintf(cmd, sizeof cmd, "--kernels");
	run_slim(&r, cmd, path);
	expect_error(&r, path, ".nv_fatbin", e->file_off, "times the compressed size", NULL);
	run_free(&r);
	limit = "";
	done(&sm, dir, path);
}

Test(fatbin_bad, cubin_that_is_not_elf)
{
	struct sample sm;
	load(&sm, "exe_none");
	const struct fatbin_entry *e = &sm.s.v[5];
	memcpy(sm.p + e->file_off + e->hdr_size, "XELF", 4);
	char *dir = test_tmpdir(), *path = save(&sm, dir, "exe_none");
	struct run r;
	run_slim(&r, "--kernels", path);
	expect_error(&r, path, ".nv_fatbin", e->file_off, "cubin is not an ELF file", "#6 sm_86 cubin");
	run_free(&r);
	done(&sm, dir, path);
}

Test(fatbin_bad, truncated_file_and_not_elf_are_one_line_errors)
{
	struct sample sm;
	load(&sm, "exe_none");
	sm.n = sm.s.v[6].file_off;
	char *dir = test_tmpdir(), *path = save(&sm, dir, "exe_none");
	struct run r;
	run_slim(&r, "", path);
	cr_expect_eq(r.rc, 2);
	cr_expect_eq(r.err_lines, 1, "%s", buf_cstr(&r.err));
	cr_expect(strstr(buf_cstr(&r.err), path));
	run_free(&r);
	char *txt;
	if (asprintf(&txt, "%s/notes.txt", dir) < 0)
		abort();
	FILE *fp = fopen(txt, "w");
	fputs("just text\n", fp);
	fclose(fp);
	run_slim(&r, "", txt);
	cr_expect_eq(r.rc, 2);
	cr_expect_eq(r.err_lines, 1, "%s", buf_cstr(&r.err));
	cr_expect(strstr(buf_cstr(&r.err), "notes.txt: offset 0x0: not an ELF file or archive"), "%s",
		  buf_cstr(&r.err));
	run_free(&r);
	free(txt);
	done(&sm, dir, path);
}

/* gcc puts a copy of a real container in .rodata (as nvcc's host stub
 * would: an 8-aligned array of unsigned long long), next to a bare magic
 * constant followed by junk: the scan keeps the first, rejects the second. */
Test(fatbin_scan, container_in_rodata_found_bare_magic_rejected)
{
	need_tool("cc", "gcc");
	struct sample sm;
	load(&sm, "exe_none");
	uint64_t c1 = sm.s.v[4].file_off - 16, end = sm.s.v[8].file_off +
		sm.s.v[8].hdr_size + sm.s.v[8].payload_size;
	char *dir = test_tmpdir(), *src, *obj;
	if (asprintf(&src, "%s/embed.c", dir) < 0 || asprintf(&obj, "%s/embed.o", dir) < 0)
		abort();
	FILE *fp = fopen(src, "w");
	fprintf(fp, "const unsigned long long fake[4] = {0x00010010ba55ed50ull, 0x40ull, 7, 9};\n"
		    "const unsigned long long blob[] = {");
	for (uint64_t o = c1; o < end; o += 8) {
		uint64_t v;
		memcpy(&v, sm.p + o, 8);
		fprintf(fp, "0x%llxull,", (unsigned long long)v);
	}
	fprintf(fp, "};\n");
	fclose(fp);
	cr_assert_eq(run_fmt(NULL, "cc -c -o %s %s", obj, src), 0);
	struct run r;
	run_slim(&r, "--json", obj);
	cr_expect_eq(r.rc, 0, "%s", buf_cstr(&r.err));
	const char *o = buf_cstr(&r.out);
	cr_expect(strstr(o, "\"section\": \".rodata\""), "%s", o);
	cr_expect(strstr(o, "\"found_by_scan\": true"));
	cr_expect(strstr(o, "gpu:embed.o:sm_90:5"), "the PTX (5th entry) is missing");
	cr_expect(!strstr(o, "gpu:embed.o:sm_90:6"), "more than the 5 real entries");
	run_free(&r);
	run_slim(&r, "", obj);
	cr_expect(strstr(buf_cstr(&r.out), "magic matches rejected: 1"), "%s", buf_cstr(&r.out));
	run_free(&r);
	free(src);
	free(obj);
	done(&sm, dir, NULL);
}

/* Random byte mutations of real fatbins, through every layer the CLI
 * uses (scan, decode, kernels): no crash, no hang, errors only.  Under
 * `make asan` this also checks every read stays in bounds. */
Test(fatbin_scan, random_mutations_never_crash, .timeout = 60)
{
	static const char *const names[] = {"exe_size", "exe_speed", "libdev.a", "exe_none"};
	unsigned seed = 12345;
	for (int f = 0; f < 4; f++) {
		struct sample sm;
		load(&sm, names[f]);
		uint64_t lo = sm.s.v[0].file_off - 16;
		uint64_t hi = sm.s.v[sm.s.n - 1].file_off + 64;
		unsigned char *orig = xmalloc(sm.n);
		memcpy(orig, sm.p, sm.n);
		for (int it = 0; it < 600; it++) {
			memcpy(sm.p, orig, sm.n);
			int k = 1 + (int)(rand_r(&seed) % 8);
			/* odd rounds anywhere in the file (ELF and ar headers,
			 * section table), even rounds inside the fatbins */
			uint64_t from = it % 2 ? 0 : lo, to = it % 2 ? sm.n : hi;
			for (int j = 0; j < k; j++)
				sm.p[from + rand_r(&seed) % (to - from)] = (unsigned char)rand_r(&seed);
			struct fatbin_scan s = {0};
			struct diag d = {0};
			struct diag_list w = {0};
			if (fatbin_scan_buf(&s, names[f], sm.p, sm.n, &w, &d) == 0) {
				for (size_t i = 0; i < s.n; i++) {
					const unsigned char *buf;
					bool owned;
					if (fatbin_decode(&s.v[i], "x", &buf, &owned, &d))
						continue;
					struct arena a = {0};
					struct fatbin_kernel *kv;
					size_t nk;
					unsigned smv;
					if (s.v[i].kind == FATBIN_CUBIN &&
					    fatbin_kernels(buf, s.v[i].uncomp_size, &a, &kv, &nk, &smv, "x", 0, &d) == 0)
						free(kv);
					arena_free(&a);
					if (owned)
						free((void *)buf);
				}
			}
			fatbin_scan_free(&s);
			diag_list_free(&w);
		}
		free(orig);
		done(&sm, NULL, NULL);
	}
}

/* A hostile container of 200000 tiny entries in one container, half of
 * them identical: scanning and every verdict stay near-linear (a quadratic
 * pass would take minutes). */
Test(fatbin_scan, many_entries_stay_linear, .timeout = 20)
{
	const size_t ne = 200000, esz = 64 + 8;
	size_t n = 16 + ne * esz;
	unsigned char *p = xcalloc(n, 1);
	put32(p, FATBIN_MAGIC);
	p[4] = 1;
	p[6] = 16;
	put64(p + 8, ne * esz);
	for (size_t i = 0; i < ne; i++) {
		unsigned char *e = p + 16 + i * esz;
		e[0] = i % 3 ? FATBIN_CUBIN : FATBIN_PTX;
		e[2] = 1;
		e[3] = 1;
		put32(e + 4, 64);
		put64(e + 8, 8);
		put32(e + 28, 70 + (uint32_t)(i % 5) * 10);
		put64(e + 64, i % 2 ? 42 : i | 1ull << 40);   /* odd entries identical */
	}
	struct fatbin_scan s = {0};
	struct diag d = {0};
	struct diag_list w = {0};
	double t0 = now_seconds();
	cr_assert_eq(fatbin_scan_buf(&s, "many", p, n, &w, &d), 0);
	cr_assert_eq(s.n, ne);
	struct fatbin_target t[3] = {{80}, {90}, {100}};
	enum fatbin_verdict *v = xcalloc(ne, sizeof *v);
	size_t *dup = xcalloc(ne, sizeof *dup);
	fatbin_classify(&s, t, 3, v, dup);
	size_t ndup = 0, nprune = 0;
	for (size_t i = 0; i < ne; i++) {
		ndup += dup[i] != SIZE_MAX;
		nprune += v[i] == FATBIN_PRUNABLE;
	}
	/* odd entries share a payload; kind (PTX or cubin) and arch (5
	 * values) split them into 10 classes, each keeping one original */
	cr_expect_eq(ndup, ne / 2 - 10, "%zu duplicates", ndup);
	cr_expect_gt(nprune, 0);
	cr_expect_lt(now_seconds() - t0, 10.0);
	free(v);
	free(dup);
	fatbin_scan_free(&s);
	diag_list_free(&w);
	free(p);
}
