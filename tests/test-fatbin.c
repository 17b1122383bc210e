/*
 * test-fatbin.c - the fatbin analyzer against ground truth it did not
 * compute: samples/cuda/MANIFEST (what build.sh's -gencode sets put in each
 * nvcc-built sample), readelf on the cubins slim extracts, the `.target`
 * line of the PTX it extracts, and the zstd CLI on the raw streams.
 * Run from the repository root after samples/build.sh.
 */
#include "testutil.h"
#include "../analyzers/fatbin/fatbin.h"
#include "../common/mfile.h"
#include "../common/util.h"
#include "../graph/graph.h"
#include "../graph/ids.h"

#include <elf.h>
#include <jansson.h>

#define SAMPLES "samples/out/fatbin"

static json_t *slim_json(const char *args)
{
	struct buf out = BUF_INIT;
	int rc = run_fmt(&out, "%s fatbin --json %s", slim_bin(), args);
	cr_assert_eq(rc, 0, "slim fatbin --json %s: exit %d", args, rc);
	json_error_t je;
	json_t *doc = json_loads(buf_cstr(&out), 0, &je);
	cr_assert(doc, "slim output is not JSON: %s", je.text);
	buf_free(&out);
	return doc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted lines joined with '\n' (caller frees). */
static char *join_sorted(char **v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_str);
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s\n", v[i]);
	return buf_detach(&b);
}

/* Kernel names (mangled, sorted, ',' joined) under gpu node `id`. */
static char *kernels_of(json_t *doc, const char *id)
{
	char *names[256];
	size_t n = 0;
	json_t *e;
	size_t i;
	json_array_foreach(json_object_get(doc, "edges"), i, e) {
		const char *to = json_string_value(json_object_get(e, "to"));
		if (strcmp(json_string_value(json_object_get(e, "from")), id) ||
		    strncmp(to, "kern:", 5))
			continue;
		json_t *nd;
		size_t j;
		json_array_foreach(json_object_get(doc, "nodes"), j, nd)
			if (!strcmp(json_string_value(json_object_get(nd, "id")), to) && n < 256)
				names[n++] = xstrdup(json_string_value(json_object_get(
					json_object_get(nd, "attrs"), "mangled")));
	}
	if (!n)
		return xstrdup("-");
	qsort(names, n, sizeof *names, cmp_str);
	struct buf b = BUF_INIT;
	for (size_t k = 0; k < n; k++) {
		buf_printf(&b, "%s%s", k ? "," : "", names[k]);
		free(names[k]);
	}
	return buf_detach(&b);
}

/* "C KIND ARCH KERNELS" per gpu node of the file, sorted. */
static char *slim_entries(const char *file, char **modes_out)
{
	char args[512];
	snprintf(args, sizeof args, "--kernels %s/%s", SAMPLES, file);
	json_t *doc = slim_json(args);
	char *lines[512];
	size_t n = 0;
	struct buf modes = BUF_INIT;
	json_t *nd;
	size_t i;
	json_array_foreach(json_object_get(doc, "nodes"), i, nd) {
		if (strcmp(json_string_value(json_object_get(nd, "kind")), "gpu"))
			continue;
		json_t *a = json_object_get(nd, "attrs");
		char *k = kernels_of(doc, json_string_value(json_object_get(nd, "id")));
		cr_assert(n < 512);
		if (asprintf(&lines[n++], "%lld %s %s %s",
			     (long long)json_integer_value(json_object_get(a, "container")),
			     json_string_value(json_object_get(a, "kind")),
			     json_string_value(json_object_get(a, "arch")), k) < 0)
			abort();
		buf_printf(&modes, "%s ", json_string_value(json_object_get(a, "compression")));
		free(k);
	}
	json_decref(doc);
	*modes_out = buf_detach(&modes);
	char *r = join_sorted(lines, n);
	for (size_t k = 0; k < n; k++)
		free(lines[k]);
	return r;
}

/* MANIFEST rows for one file, in the same form. */
static char *manifest_entries(const char *file, char *mode, size_t modesz)
{
	FILE *fp = fopen(SAMPLES "/MANIFEST", "r");
	cr_assert(fp, "samples not built: run samples/build.sh");
	char line[4096], *lines[512];
	size_t n = 0;
	mode[0] = 0;
	while (fgets(line, sizeof line, fp)) {
		char w[5][1024];
		memset(w, 0, sizeof w);
		int f = sscanf(line, "%1023s %1023s %1023s %1023s %1023s", w[0], w[1], w[2], w[3], w[4]);
		if (f >= 3 && !strcmp(w[0], "mode") && !strcmp(w[1], file))
			snprintf(mode, modesz, "%.31s", w[2]);
		if (f < 5 || strcmp(w[0], "entry") || strcmp(w[1], file))
			continue;
		char k[4096];
		cr_assert_eq(sscanf(line, "%*s %*s %*s %*s %*s %4095s", k), 1, "bad MANIFEST line: %s", line);
		/* kernels as a sorted set */
		char *names[64];
		size_t nk = 0;
		for (char *t = strtok(k, ","); t && nk < 64; t = strtok(NULL, ","))
			names[nk++] = t;
		qsort(names, nk, sizeof *names, cmp_str);
		struct buf b = BUF_INIT;
		buf_printf(&b, "%s %s %s ", w[2], w[3], w[4]);
		for (size_t j = 0; j < nk; j++)
			buf_printf(&b, "%s%s", j ? "," : "", names[j]);
		lines[n++] = buf_detach(&b);
	}
	fclose(fp);
	char *r = join_sorted(lines, n);
	for (size_t k = 0; k < n; k++)
		free(lines[k]);
	return r;
}

/* nvcc's --compress-mode: none stores plain, size uses ZSTD throughout,
 * speed LZ4 and balance ZSTD where they pay off. */
static void check_mode(const char *file, const char *mode, const char *got)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "%s", got);
	int plain = 0, lz4 = 0, zstd = 0, n = 0;
	for (char *t = strtok(buf, " "); t; t = strtok(NULL, " ")) {
		n++;
		plain += !strcmp(t, "none");
		lz4 += !strcmp(t, "lz4");
		zstd += !strcmp(t, "zstd");
	}
	if (!strcmp(mode, "none"))
		cr_expect_eq(plain, n, "%s: mode none, compressions %s", file, got);
	else if (!strcmp(mode, "size"))
		cr_expect_eq(zstd, n, "%s: mode size, compressions %s", file, got);
	else if (!strcmp(mode, "speed"))
		cr_expect(lz4 >= 1 && lz4 + plain == n, "%s: mode speed, compressions %s", file, got);
	else if (!strcmp(mode, "balance"))
		cr_expect(zstd >= 1 && zstd + plain == n, "%s: mode balance, compressions %s", file, got);
	else
		cr_expect(0, "%s: MANIFEST has no mode", file);
}

static void check_file(const char *file)
{
	char mode[32], *modes;
	char *want = manifest_entries(file, mode, sizeof mode);
	char *got = slim_entries(file, &modes);
	cr_expect_str_eq(got, want, "%s: slim lists\n%s\nMANIFEST says\n%s", file, got, want);
	check_mode(file, mode, modes);
	free(want);
	free(got);
	free(modes);
}

Test(fatbin_samples, entries_archs_kernels_match_manifest_exe)
{
	check_file("exe_none");
	check_file("exe_size");
	check_file("exe_speed");
	check_file("exe_balance");
	check_file("exe_rdc");
}

Test(fatbin_samples, entries_archs_kernels_match_manifest_rdc_objects_and_archive)
{
	check_file("dev_rdc.o");
	check_file("lib_rdc.o");
	check_file("libdev.a");
}

Test(fatbin_samples, entries_match_manifest_lto_shared_dup)
{
	check_file("lto_none.o");
	check_file("lto_size.o");
	check_file("lto_speed.o");
	check_file("libk.so");
	check_file("libdup.so");
	check_file("dup_a.o");
	check_file("kern.fatbin");
}

/* Every cubin slim extracts is an EM_CUDA ELF file readelf reads, holding
 * the kernels MANIFEST names as FUNC symbols; every PTX names its arch in
 * `.target`. */
Test(fatbin_extract, readelf_reads_extracted_cubins_and_ptx_targets_match)
{
	need_tool("readelf", "binutils");
	char *dir = test_tmpdir();
	struct buf out = BUF_INIT;
	cr_assert_eq(run_fmt(NULL, "%s fatbin --extract %s " SAMPLES "/exe_size " SAMPLES "/libdev.a "
			     SAMPLES "/exe_speed >/dev/null", slim_bin(), dir), 0);
	/* exe_size: 8 cubins + 1 PTX; libdev.a: 6 + 2; names as cuobjdump -x */
	run_fmt(&out, "ls %s | sort | tr '\\n' ' '", dir);
	cr_expect(strstr(buf_cstr(&out), "exe_size.1.sm_75.cubin exe_size.1.sm_90.ptx"), "%s", buf_cstr(&out));
	cr_expect(strstr(buf_cstr(&out), "libdev.3.sm_120a.cubin"), "%s", buf_cstr(&out));
	cr_expect(strstr(buf_cstr(&out), "libdev.2.sm_100f.cubin"), "%s", buf_cstr(&out));
	buf_reset(&out);
	run_fmt(&out, "for f in %s/exe_size.[5-8].*.cubin; do readelf -hsW $f; done", dir);
	const char *s = buf_cstr(&out);
	cr_expect(strstr(s, "NVIDIA CUDA"), "readelf does not see EM_CUDA");
	buf_reset(&out);
	run_fmt(&out, "for f in %s/exe_size.[5-8].*.cubin; do readelf -sW $f; done | "
		"awk '$4 == \"FUNC\" && $NF == \"_ZN5slimk7add_oneEPfi\"' | wc -l", dir);
	int n = atoi(buf_cstr(&out));
	cr_expect_eq(n, 4, "add_one in %d of the 4 kernel cubins", n);
	buf_reset(&out);
	run_fmt(&out, "grep -h '^.target' %s/exe_size.1.sm_90.ptx %s/exe_speed.1.sm_90.ptx %s/libdev.1.sm_120.ptx",
		dir, dir, dir);
	cr_expect_str_eq(buf_cstr(&out), ".target sm_90\n.target sm_90\n.target sm_120\n");
	run_fmt(NULL, "rm -rf %s", dir);
	buf_free(&out);
	free(dir);
}

/* slim's ZSTD decoding equals the zstd CLI's on the raw stream cut from
 * the file at the offsets slim reports. */
Test(fatbin_extract, zstd_cli_decodes_the_same_bytes)
{
	need_tool("zstd", "zstd");
	char *dir = test_tmpdir();
	cr_assert_eq(run_fmt(NULL, "%s fatbin --extract %s " SAMPLES "/exe_size >/dev/null", slim_bin(), dir), 0);
	json_t *doc = slim_json(SAMPLES "/exe_size");
	json_t *nd;
	size_t i;
	int checked = 0;
	json_array_foreach(json_object_get(doc, "nodes"), i, nd) {
		json_t *a = json_object_get(nd, "attrs");
		if (strcmp(json_string_value(json_object_get(nd, "kind")), "gpu") ||
		    strcmp(json_string_value(json_object_get(a, "compression")), "zstd") ||
		    strcmp(json_string_value(json_object_get(a, "kind")), "cubin"))
			continue;
		long long off = json_integer_value(json_object_get(a, "offset")) +
				json_integer_value(json_object_get(a, "header_bytes"));
		long long len = json_integer_value(json_object_get(a, "stored_bytes"));
		const char *id = json_string_value(json_object_get(nd, "id"));
		long long idx = atoll(strrchr(id, ':') + 1);
		/* extracted names count cubins from 1 in file order, and
		 * ids count entries from 1: every entry before the PTX (the
		 * 9th) is a cubin, so the two numbers agree here */
		int rc = run_fmt(NULL, "tail -c +%lld " SAMPLES "/exe_size | head -c %lld | zstd -dq -c | cmp -s - %s/exe_size.%lld.%s.cubin",
				 off + 1, len, dir, idx,
				 json_string_value(json_object_get(a, "arch")));
		cr_expect_eq(rc, 0, "entry %s: zstd CLI output differs from slim's", id);
		checked++;
	}
	cr_expect_eq(checked, 8);
	json_decref(doc);
	run_fmt(NULL, "rm -rf %s", dir);
	free(dir);
}

static struct fatbin_entry ent(unsigned kind, unsigned sm, char variant)
{
	return (struct fatbin_entry){.kind = (uint16_t)kind, .sm = sm, .variant = variant};
}

Test(fatbin_compat, cubin_runs_on_same_major_equal_or_higher_minor)
{
	struct fatbin_entry e = ent(FATBIN_CUBIN, 80, 0);
	cr_expect(fatbin_loadable(&e, 80));
	cr_expect(fatbin_loadable(&e, 86));
	cr_expect(fatbin_loadable(&e, 89));
	cr_expect(!fatbin_loadable(&e, 90));
	cr_expect(!fatbin_loadable(&e, 75));
	e = ent(FATBIN_CUBIN, 86, 0);
	cr_expect(!fatbin_loadable(&e, 80));
}

Test(fatbin_compat, a_variant_only_on_its_exact_arch)
{
	struct fatbin_entry e = ent(FATBIN_CUBIN, 90, 'a');
	cr_expect(fatbin_loadable(&e, 90));
	cr_expect(!fatbin_loadable(&e, 100));
	e = ent(FATBIN_PTX, 90, 'a');
	cr_expect(fatbin_loadable(&e, 90));
	cr_expect(!fatbin_loadable(&e, 120));
	e = ent(FATBIN_CUBIN, 100, 'a');
	cr_expect(!fatbin_loadable(&e, 103));
}

Test(fatbin_compat, f_variant_within_its_family)
{
	struct fatbin_entry e = ent(FATBIN_CUBIN, 100, 'f');
	cr_expect(fatbin_loadable(&e, 100));
	cr_expect(fatbin_loadable(&e, 103));
	cr_expect(!fatbin_loadable(&e, 110));
	cr_expect(!fatbin_loadable(&e, 120));
	e = ent(FATBIN_CUBIN, 103, 'f');
	cr_expect(!fatbin_loadable(&e, 100));
}

Test(fatbin_compat, ptx_jits_for_equal_or_newer)
{
	struct fatbin_entry e = ent(FATBIN_PTX, 90, 0);
	cr_expect(fatbin_loadable(&e, 90));
	cr_expect(fatbin_loadable(&e, 120));
	cr_expect(!fatbin_loadable(&e, 89));
	e = ent(FATBIN_LTOIR, 80, 0);
	cr_expect(fatbin_loadable(&e, 90));
	cr_expect(!fatbin_loadable(&e, 75));
}

Test(fatbin_compat, arch_list_parses_and_rejects_junk)
{
	struct fatbin_target t[8];
	size_t n;
	struct diag d = {0};
	cr_assert_eq(fatbin_parse_arch("sm_80,sm_90a,120,compute_86", t, 8, &n, &d), 0);
	cr_assert_eq(n, 4);
	cr_expect_eq(t[0].sm, 80);
	cr_expect_eq(t[1].sm, 90);
	cr_expect_eq(t[2].sm, 120);
	cr_expect_eq(t[3].sm, 86);
	cr_expect_eq(fatbin_parse_arch("sm_8x", t, 8, &n, &d), -1);
	cr_expect_eq(fatbin_parse_arch("", t, 8, &n, &d), -1);
	cr_expect_eq(fatbin_parse_arch("sm_80,,sm_90", t, 8, &n, &d), -1);
	cr_expect(strstr(d.msg, "not an SM arch"), "%s", d.msg);
}

/* "node kind" of every finding, sorted, and the bytes of one kind. */
static char *findings(json_t *doc, const char *kind, long long *bytes)
{
	char *v[256];
	size_t n = 0;
	json_t *f;
	size_t i;
	*bytes = 0;
	json_array_foreach(json_object_get(doc, "findings"), i, f) {
		if (strcmp(json_string_value(json_object_get(f, "kind")), kind))
			continue;
		v[n++] = xstrdup(json_string_value(json_object_get(f, "node")));
		*bytes += json_integer_value(json_object_get(f, "bytes"));
	}
	char *r = join_sorted(v, n);
	for (size_t k = 0; k < n; k++)
		free(v[k]);
	return r;
}

/* Sum of the "bytes" attrs of the gpu nodes whose arch is in `archs`. */
static long long entry_bytes(json_t *doc, const char *const *archs)
{
	long long sum = 0;
	json_t *nd;
	size_t i;
	json_array_foreach(json_object_get(doc, "nodes"), i, nd) {
		json_t *a = json_object_get(nd, "attrs");
		const char *arch = json_string_value(json_object_get(a, "arch"));
		for (const char *const *p = archs; arch && *p; p++)
			if (!strcmp(arch, *p))
				sum += json_integer_value(json_object_get(a, "bytes"));
	}
	return sum;
}

/* CUDA's rules on MANIFEST's G1 set (sm_75 sm_80 sm_86 sm_90a cubins,
 * compute_90 PTX) for A100 + H100: sm_75 and sm_86 load on neither (sm_86
 * needs an 8.6+ GPU), sm_90a loads on H100, and the PTX is redundant since
 * both targets have a cubin in its container. */
Test(fatbin_verdicts, a100_h100_prunes_sm75_sm86_and_flags_ptx_redundant)
{
	json_t *doc = slim_json("--arch sm_80,sm_90 " SAMPLES "/exe_none");
	long long b;
	char *got = findings(doc, "prunable-gpu-code", &b);
	cr_expect_str_eq(got, "gpu:exe_none:sm_75:1\ngpu:exe_none:sm_75:5\n"
			 "gpu:exe_none:sm_86:3\ngpu:exe_none:sm_86:7\n");
	static const char *const pr[] = {"sm_75", "sm_86", NULL};
	cr_expect_eq(b, entry_bytes(doc, pr));
	free(got);
	got = findings(doc, "redundant-ptx", &b);
	cr_expect_str_eq(got, "gpu:exe_none:sm_90:9\n");
	free(got);
	json_t *f;
	size_t i;
	json_array_foreach(json_object_get(doc, "findings"), i, f)
		if (!strcmp(json_string_value(json_object_get(f, "kind")), "redundant-ptx"))
			cr_expect(strstr(json_string_value(json_object_get(f, "reason")), "newer"));
	json_decref(doc);
}

Test(fatbin_verdicts, a100_only_prunes_the_a_variant_and_newer_ptx)
{
	json_t *doc = slim_json("--arch sm_80 " SAMPLES "/exe_none");
	long long b;
	char *got = findings(doc, "prunable-gpu-code", &b);
	cr_expect_str_eq(got, "gpu:exe_none:sm_75:1\ngpu:exe_none:sm_75:5\n"
			 "gpu:exe_none:sm_86:3\ngpu:exe_none:sm_86:7\n"
			 "gpu:exe_none:sm_90:9\ngpu:exe_none:sm_90a:4\ngpu:exe_none:sm_90a:8\n");
	free(got);
	json_decref(doc);
}

Test(fatbin_verdicts, newer_gpu_keeps_only_the_ptx)
{
	json_t *doc = slim_json("--arch sm_120 " SAMPLES "/exe_none");
	long long b;
	char *got = findings(doc, "prunable-gpu-code", &b);
	static const char *const cub[] = {"sm_75", "sm_80", "sm_86", "sm_90a", NULL};
	cr_expect_eq(b, entry_bytes(doc, cub));
	free(got);
	got = findings(doc, "redundant-ptx", &b);
	cr_expect_str_eq(got, "");
	free(got);
	json_decref(doc);
}

Test(fatbin_verdicts, family_variant_serves_its_family)
{
	/* G2: sm_80, sm_100f, sm_120a cubins + compute_120 PTX; B300 (10.3)
	 * loads sm_100f; nothing else but the PTX would serve 12.1 */
	json_t *doc = slim_json("--arch sm_103 " SAMPLES "/dev_rdc.o");
	long long b;
	char *got = findings(doc, "prunable-gpu-code", &b);
	cr_expect_str_eq(got, "gpu:dev_rdc.o:sm_120:4\ngpu:dev_rdc.o:sm_120a:3\ngpu:dev_rdc.o:sm_80:1\n");
	free(got);
	json_decref(doc);
}

Test(fatbin_verdicts, identical_translation_units_are_duplicates)
{
	json_t *doc = slim_json(SAMPLES "/libdup.so");
	long long b;
	char *got = findings(doc, "duplicate-gpu-code", &b);
	cr_expect_str_eq(got, "gpu:libdup.so:sm_80:3\n");
	json_t *f;
	size_t i;
	json_array_foreach(json_object_get(doc, "findings"), i, f)
		cr_expect_str_eq(json_string_value(json_object_get(json_object_get(f, "attrs"), "same_as")),
				 "gpu:libdup.so:sm_80:2");
	free(got);
	json_decref(doc);
}

Test(fatbin_verdicts, ltoir_is_counted_not_decoded)
{
	json_t *doc = slim_json("--kernels " SAMPLES "/lto_size.o");
	json_t *nd;
	size_t i;
	int n = 0;
	json_array_foreach(json_object_get(doc, "nodes"), i, nd) {
		json_t *a = json_object_get(nd, "attrs");
		if (strcmp(json_string_value(json_object_get(nd, "kind")), "gpu"))
			continue;
		cr_expect_str_eq(json_string_value(json_object_get(a, "kind")), "ltoir");
		cr_expect_str_eq(json_string_value(json_object_get(a, "compression")), "zstd");
		cr_expect(json_is_false(json_object_get(a, "decodable")));
		n++;
	}
	cr_expect_eq(n, 1);
	json_decref(doc);
}

/* The two e_flags layouts: CUDA 13 (ELF ABI version 8) keeps the SM in
 * bits 8-15, earlier toolkits (ABI version 7) in bits 0-7.  A real sm_86
 * cubin from the samples, then the same cubin relabelled the CUDA 12 way. */
Test(fatbin_cubin, sm_from_both_e_flags_layouts)
{
	FILE *fp = fopen(SAMPLES "/exe_none", "rb");
	cr_assert(fp, "samples not built");
	static unsigned char file[1 << 20];
	size_t n = fread(file, 1, sizeof file, fp);
	fclose(fp);
	struct fatbin_scan s = {0};
	struct diag d = {0};
	struct diag_list w = {0};
	cr_assert_eq(fatbin_scan_buf(&s, "exe_none", file, n, &w, &d), 0);
	const struct fatbin_entry *e = &s.v[6];
	cr_assert_eq(e->sm, 86);
	unsigned char *cub = xmalloc(e->payload_size);
	memcpy(cub, e->payload, e->payload_size);
	struct arena a = {0};
	struct fatbin_kernel *k;
	size_t nk;
	unsigned sm = 0;
	cr_assert_eq(cub[EI_ABIVERSION], 8);
	cr_assert_eq(fatbin_kernels(cub, e->payload_size, &a, &k, &nk, &sm, "x", 0, &d), 0, "%s", d.msg);
	cr_expect_eq(sm, 86);
	cr_expect_eq(nk, 4);
	free(k);
	uint32_t flags = 0x00560056;   /* CUDA 12: sm in bits 0-7 and 16-23 */
	cub[EI_ABIVERSION] = 7;
	memcpy(cub + 48, &flags, 4);   /* e_flags of an ELF64 header */
	cr_assert_eq(fatbin_kernels(cub, e->payload_size, &a, &k, &nk, &sm, "x", 0, &d), 0, "%s", d.msg);
	cr_expect_eq(sm, 86);
	free(k);
	cub[18] = 62;                  /* e_machine = EM_X86_64: not a cubin */
	cr_expect_eq(fatbin_kernels(cub, e->payload_size, &a, &k, &nk, &sm, "x", 0, &d), -1);
	cr_expect(strstr(d.msg, "not EM_CUDA"), "%s", d.msg);
	arena_free(&a);
	free(cub);
	fatbin_scan_free(&s);
	diag_list_free(&w);
}

/* totals.fatbin (analyzers/fatbin/totals.c) against the entries the same
 * merge wrote as gpu nodes: one file merged twice under one id counts
 * once (a second id counts again), and arch rows go by SM number, not by
 * name (sm_80 before sm_100f, which sorts first as a string). */
static json_int_t total_of(const struct graph *g, const char *id, const char *key)
{
	json_t *fb = json_object_get(g->totals, "fatbin");
	json_t *row = id ? json_object_get(json_object_get(json_object_get(fb, "files"), id), "total")
			 : json_object_get(json_object_get(fb, "total"), "total");
	return json_integer_value(json_object_get(row, key));
}

static void merge_sample(struct graph *g, const char *name, const char *id)
{
	struct mfile mf;
	struct diag d = {0};
	struct diag_list w = {0};
	char path[256];
	snprintf(path, sizeof path, SAMPLES "/%s", name);
	cr_assert_eq(mfile_open(&mf, path, &d), 0, "%s", d.msg);
	if (!graph_node(g, id))
		graph_add_node(g, NK_OBJECT, id, name);
	static const struct fatbin_opts o = {.arch = "sm_80"};
	cr_assert(fatbin_merge_buf(g, path, mf.p, mf.n, id, &o, &w, &d) > 0, "%s", d.msg);
	diag_list_free(&w);
	mfile_close(&mf);
}

Test(fatbin_totals, one_file_merged_twice_counts_once_and_rows_go_by_sm)
{
	struct graph g;
	graph_init(&g);
	merge_sample(&g, "dev_rdc.o", "obj:dev_rdc.o");
	json_int_t n = 0, bytes = 0;
	for (size_t i = 0; i < g.nnodes; i++)
		if (!strcmp(g.nodes[i]->kind, NK_GPU)) {
			n++;
			bytes += (json_int_t)g.nodes[i]->size;
		}
	cr_assert_gt(n, 0);
	cr_expect_eq(total_of(&g, "obj:dev_rdc.o", "entries"), n);
	cr_expect_eq(total_of(&g, "obj:dev_rdc.o", "bytes"), bytes);
	/* --arch verdicts: the findings' entries and bytes (before the same
	 * file is merged again, which adds its findings again) */
	json_int_t pn = 0, pb = 0;
	for (size_t k = 0; k < g.nfindings; k++)
		if (!strcmp(g.findings[k].kind, "prunable-gpu-code") &&
		    !strcmp(g.findings[k].dependent, "obj:dev_rdc.o"))
			pn++, pb += (json_int_t)g.findings[k].bytes;
	json_t *p = json_object_get(json_object_get(json_object_get(json_object_get(g.totals, "fatbin"), "files"), "obj:dev_rdc.o"), "prunable");
	cr_expect_eq(json_integer_value(json_object_get(p, "entries")), pn);
	cr_expect_eq(json_integer_value(json_object_get(p, "bytes")), pb);
	cr_expect_gt(pn, 0);
	merge_sample(&g, "dev_rdc.o", "obj:dev_rdc.o");
	cr_expect_eq(total_of(&g, NULL, "entries"), n, "merged again: counted twice");
	cr_expect_eq(total_of(&g, NULL, "bytes"), bytes);
	merge_sample(&g, "dev_rdc.o", "obj:copy.o");
	cr_expect_eq(total_of(&g, NULL, "entries"), 2 * n);
	json_t *fb = json_object_get(g.totals, "fatbin");
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(fb, "total"), "files")), 2);
	json_t *rows = json_object_get(json_object_get(fb, "total"), "arch"), *r;
	size_t i;
	json_int_t last = 0;
	json_array_foreach(rows, i, r) {
		json_int_t sm = json_integer_value(json_object_get(r, "sm"));
		cr_expect_geq(sm, last, "arch rows out of SM order at %s",
			      json_string_value(json_object_get(r, "arch")));
		last = sm;
	}
	cr_expect_geq(last, 100, "dev_rdc.o has sm_100f and sm_120 entries (MANIFEST)");
	graph_free(&g);
}
