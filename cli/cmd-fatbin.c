/*
 * cmd-fatbin.c - `slim fatbin FILE...`: the CUDA fat binary entries of
 * executables, shared libraries, objects and archives, per arch, and what
 * a target arch list would save (analyzers/fatbin does the work).
 *
 * Text: one table per file (entries, bytes as stored, compressed bytes,
 * decoded bytes per arch), totals, then the --arch verdicts.  --json: the
 * slim-report/1 graph.  --extract DIR writes each decodable entry as
 * DIR/<stem>.<n>.<arch>.{cubin,ptx,ltoir}, the naming `cuobjdump -xelf all`
 * / `-xptx all` use (stem: file name up to its first '.', n counted from 1
 * per file and extension).
 */
#include "cli.h"
#include "opts.h"
#include "../analyzers/fatbin/fatbin.h"
#include "../analyzers/elf/slim-elf.h"
#include "../graph/ids.h"
#include "../common/filetype.h"
#include "../common/mfile.h"
#include "../common/ofile.h"
#include "../common/util.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { O_ARCH = CLI_O_FIRST, O_KERN, O_JSON, O_EXTRACT, O_PERF, O_NOSCAN, O_VERIFY };

static const struct cli_opt opts[] = {
	{O_ARCH, "arch", "LIST", "GPU targets shipped, e.g. sm_80,sm_90: report the\n"
				 "entries none of them can load, and redundant PTX"},
	{O_KERN, "kernels", NULL, "decompress cubins and list their kernels"},
	{O_JSON, "json", NULL, "write the slim-report/1 JSON to stdout"},
	{O_EXTRACT, "extract", "DIR", "write every entry, decoded, into DIR"},
	{O_VERIFY, "verify", NULL, "decode every entry (LZ4/ZSTD to the declared size)"},
	{O_NOSCAN, "no-scan", NULL, "read only .nv_fatbin and __nv_relfatbin, not the\n"
				    "structural scan of the other data sections"},
	{O_PERF, "perf", NULL, "time, decoded bytes and MB/s on stderr"},
	{0},
};

const struct cli_spec cmd_fatbin_spec = {
	"fatbin", "[options] FILE...",
	"List the CUDA fat binary entries (cubin, PTX, LTO-IR) of executables,\n"
	"shared libraries, objects, static archives and .fatbin files, per GPU\n"
	"arch: entries, bytes as stored (entry headers + payloads), bytes of the\n"
	"compressed entries, and decoded bytes.\n",
	opts, NULL,
};

struct fatbin_cli {
	struct fatbin_opts fo;
	struct fatbin_target t[64];
	size_t nt;
	bool json, perf, verify;
	const char *extract;
	uint64_t decoded_bytes;
	double decode_s;
};

struct row {
	unsigned sm;
	char variant;
	uint64_t n[3], entries, bytes, comp, uncomp;
};

struct sums {
	uint64_t entries, bytes, comp, uncomp;
	uint64_t prune_n, prune_b, ptx_n, ptx_b, dup_n, dup_b;
};

static int kind_col(unsigned kind)
{
	return kind == FATBIN_CUBIN ? 0 : kind == FATBIN_PTX ? 1 : 2;
}

static int cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	if (x->sm != y->sm)
		return x->sm < y->sm ? -1 : 1;
	return x->variant - y->variant;
}

static void print_table(const struct fatbin_scan *s, struct sums *tot)
{
	struct row *r = NULL;
	size_t nr = 0, cap = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct fatbin_entry *e = &s->v[i];
		size_t k = 0;
		while (k < nr && !(r[k].sm == e->sm && r[k].variant == e->variant))
			k++;
		if (k == nr) {
			GROW(r, cap, nr + 1);
			r[nr++] = (struct row){.sm = e->sm, .variant = e->variant};
		}
		r[k].n[kind_col(e->kind)]++;
		r[k].entries++;
		r[k].bytes += e->hdr_size + e->payload_size;
		r[k].comp += e->comp ? e->hdr_size + e->payload_size : 0;
		r[k].uncomp += e->uncomp_size;
	}
	qsort(r, nr, sizeof *r, cmp_row);
	printf("  %-9s %6s %6s %6s %8s %14s %14s %14s\n", "arch", "cubin", "ptx",
	       "ltoir", "entries", "bytes", "compressed", "uncompressed");
	struct row t = {0};
	for (size_t k = 0; k < nr; k++) {
		char arch[16];
		snprintf(arch, sizeof arch, r[k].variant ? "sm_%u%c" : "sm_%u",
			 r[k].sm, r[k].variant);
		printf("  %-9s %6llu %6llu %6llu %8llu %14llu %14llu %14llu\n", arch,
		       (unsigned long long)r[k].n[0], (unsigned long long)r[k].n[1],
		       (unsigned long long)r[k].n[2], (unsigned long long)r[k].entries,
		       (unsigned long long)r[k].bytes, (unsigned long long)r[k].comp,
		       (unsigned long long)r[k].uncomp);
		for (int c = 0; c < 3; c++)
			t.n[c] += r[k].n[c];
		t.entries += r[k].entries;
		t.bytes += r[k].bytes;
		t.comp += r[k].comp;
		t.uncomp += r[k].uncomp;
	}
	printf("  %-9s %6llu %6llu %6llu %8llu %14llu %14llu %14llu\n", "total",
	       (unsigned long long)t.n[0], (unsigned long long)t.n[1],
	       (unsigned long long)t.n[2], (unsigned long long)t.entries,
	       (unsigned long long)t.bytes, (unsigned long long)t.comp,
	       (unsigned long long)t.uncomp);
	tot->entries += t.entries;
	tot->bytes += t.bytes;
	tot->comp += t.comp;
	tot->uncomp += t.uncomp;
	free(r);
}

static void print_where(const struct fatbin_scan *s)
{
	printf("  containers: %u;", s->ncontainers);
	for (size_t i = 0; i < s->nwhere; i++) {
		const struct fatbin_where *w = &s->where[i];
		if (w->member)
			printf(" %s(%s):", w->member, w->section);
		else
			printf(" %s:", w->section);
		printf(" %u%s", w->ncontainers, w->found_by_scan ? " (scan)" : "");
	}
	if (s->nsegments) {
		printf("; .nvFatBinSegment wrappers: %u", s->nsegments);
		if (s->seg_listed == s->nsegments)
			printf(" (each at a listed container)");
		else
			printf(" (%u at listed containers, %u at containers found through them, %u bad)",
			       s->seg_listed, s->seg_new, s->seg_bad);
	}
	if (s->rejected)
		printf("; magic matches rejected: %llu", (unsigned long long)s->rejected);
	printf("\n");
	uint64_t unknown = 0;
	size_t nunknown = 0;
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].flags & ~FATBIN_F_KNOWN) {
			unknown |= s->v[i].flags & ~FATBIN_F_KNOWN;
			nunknown++;
		}
	if (nunknown)
		printf("  unknown flag bits 0x%llx in %zu entries\n",
		       (unsigned long long)unknown, nunknown);
}

static void print_verdicts(const struct fatbin_cli *o, const struct fatbin_scan *s,
			   struct sums *tot)
{
	enum fatbin_verdict *v = xcalloc(s->n ? s->n : 1, sizeof *v);
	size_t *dup = xcalloc(s->n ? s->n : 1, sizeof *dup);
	fatbin_classify(s, o->t, o->nt, v, dup);
	struct sums f = {0};
	for (size_t i = 0; i < s->n; i++) {
		uint64_t b = s->v[i].hdr_size + s->v[i].payload_size;
		if (v[i] == FATBIN_PRUNABLE)
			f.prune_n++, f.prune_b += b;
		if (v[i] == FATBIN_REDUNDANT)
			f.ptx_n++, f.ptx_b += b;
		if (dup[i] != SIZE_MAX)
			f.dup_n++, f.dup_b += b;
	}
	if (o->nt)
		printf("  --arch %s: %llu prunable entries, %llu bytes; %llu redundant PTX/LTO-IR entries, %llu bytes (PTX still serves newer GPUs)\n",
		       o->fo.arch, (unsigned long long)f.prune_n,
		       (unsigned long long)f.prune_b, (unsigned long long)f.ptx_n,
		       (unsigned long long)f.ptx_b);
	if (f.dup_n)
		printf("  duplicates: %llu entries, %llu bytes byte-identical to an earlier entry\n",
		       (unsigned long long)f.dup_n, (unsigned long long)f.dup_b);
	tot->prune_n += f.prune_n;
	tot->prune_b += f.prune_b;
	tot->ptx_n += f.ptx_n;
	tot->ptx_b += f.ptx_b;
	tot->dup_n += f.dup_n;
	tot->dup_b += f.dup_b;
	free(v);
	free(dup);
}

/* Decode entry i (timed for --perf); NULL after printing the error. */
static const unsigned char *decode(struct fatbin_cli *o, const struct fatbin_entry *e,
				   const char *path, bool *owned, int *rc)
{
	char where[1100];
	fatbin_where_str(e, path, where, sizeof where);
	const unsigned char *buf;
	struct diag d = {0};
	double t0 = now_seconds();
	if (fatbin_decode(e, where, &buf, owned, &d)) {
		*rc = cli_diag(&d);
		return NULL;
	}
	o->decode_s += now_seconds() - t0;
	o->decoded_bytes += e->uncomp_size;
	return buf;
}

static void print_kernels(struct fatbin_cli *o, const struct fatbin_scan *s,
			  const char *path, int *rc)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct fatbin_entry *e = &s->v[i];
		if (e->kind != FATBIN_CUBIN)
			continue;
		bool owned;
		const unsigned char *buf = decode(o, e, path, &owned, rc);
		if (!buf)
			continue;
		struct arena a = {0};
		struct fatbin_kernel *k;
		size_t nk;
		unsigned sm;
		char where[1100], arch[16];
		fatbin_where_str(e, path, where, sizeof where);
		struct diag d = {0};
		if (fatbin_kernels(buf, e->uncomp_size, &a, &k, &nk, &sm, where,
				   e->file_off, &d)) {
			*rc = cli_diag(&d);
		} else {
			if (sm != e->sm)
				fprintf(stderr, "slim: warning: %s: offset 0x%llx: cubin e_flags say sm_%u, the container entry says sm_%u\n",
					where, (unsigned long long)e->file_off, sm, e->sm);
			printf("  #%zu %s cubin (%s, offset 0x%llx): %zu kernels\n", i,
			       fatbin_arch_name(e, arch), e->section,
			       (unsigned long long)e->file_off, nk);
			for (size_t j = 0; j < nk; j++)
				printf("    %10llu  %s\n", (unsigned long long)k[j].code_bytes,
				       k[j].demangled);
			free(k);
		}
		arena_free(&a);
		if (owned)
			free((void *)buf);
	}
}

/* --verify: decode every decodable entry once (cubins already decoded by
 * --kernels are skipped); errors are printed, nothing else. */
static void verify(struct fatbin_cli *o, const struct fatbin_scan *s,
		   const char *path, int *rc)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct fatbin_entry *e = &s->v[i];
		if (!fatbin_decodable(e) || (o->fo.kernels && e->kind == FATBIN_CUBIN))
			continue;
		bool owned;
		const unsigned char *buf = decode(o, e, path, &owned, rc);
		if (owned)
			free((void *)buf);
		n += buf != NULL;
	}
	printf("  verified: %zu entries decoded to their declared size\n", n);
}

static const char *ext_of(unsigned kind)
{
	return kind == FATBIN_CUBIN ? "cubin" : kind == FATBIN_PTX ? "ptx" : "ltoir";
}

static int extract(struct fatbin_cli *o, const struct fatbin_scan *s,
		   const char *path)
{
	int rc = 0;
	unsigned count[3] = {0};
	/* cuobjdump -xelf/-xptx names: the file name without its last
	 * extension, a counter per kind (cubins and PTX numbered apart) in
	 * file order, the arch: public listings show "_core.abi3.1.sm_75.cubin"
	 * and "_core.abi3.1.sm_120.ptx" for _core.abi3.so, "hello.2.sm_75.cubin"
	 * for an executable `hello` */
	const char *base = path_base(path);
	const char *dot = strrchr(base, '.');
	size_t stem = dot && dot > base ? (size_t)(dot - base) : strlen(base);
	for (size_t i = 0; i < s->n; i++) {
		const struct fatbin_entry *e = &s->v[i];
		char arch[16];
		unsigned n = ++count[kind_col(e->kind)];
		char *out = NULL;
		if (asprintf(&out, "%s/%.*s.%u.%s.%s", o->extract, (int)stem, base, n,
			     fatbin_arch_name(e, arch), ext_of(e->kind)) < 0)
			abort();
		if (!fatbin_decodable(e)) {
			fprintf(stderr, "slim: %s: entry %zu (%s %s) not extracted: compressed LTO-IR is not a plain stream\n",
				path, i, arch, ext_of(e->kind));
			free(out);
			continue;
		}
		bool owned;
		const unsigned char *buf = decode(o, e, path, &owned, &rc);
		if (buf) {
			size_t len = e->uncomp_size;
			/* PTX is text: drop the NUL padding after it */
			while (e->kind == FATBIN_PTX && len && !buf[len - 1])
				len--;
			struct diag d = {0};
			if (ofile_write_all(out, buf, len, &d))
				rc = cli_diag(&d);
			if (owned)
				free((void *)buf);
		}
		free(out);
	}
	return rc;
}

static int one_file(struct fatbin_cli *o, const char *path, struct graph *g,
		    struct sums *tot)
{
	struct mfile mf;
	struct diag d = {0};
	struct diag_list w = {0};
	struct fatbin_scan s = {0};
	int rc = 0;
	if (mfile_open(&mf, path, &d))
		return cli_diag(&d);
	enum filetype ft = filetype_detect(mf.p, mf.n);
	uint32_t magic = 0;
	if (mf.n >= 4)
		memcpy(&magic, mf.p, 4);
	if (!filetype_is_elf(ft) && ft != FT_AR && ft != FT_AR_THIN &&
	    magic != FATBIN_MAGIC) {
		diag_err_at(&d, path, 0, "not an ELF file or archive (%s)", filetype_name(ft));
		rc = cli_diag(&d);
		goto out;
	}
	if (o->json) {
		/* the id slim report and slim elf give this file */
		const char *base = path_base(path), *id, *kind = NK_OBJECT;
		if (ft == FT_ELF_EXEC || ft == FT_ELF_DYN) {
			if (elf_file_id(g, path, &id, &kind, &d)) {
				rc = cli_diag(&d);
				goto out;
			}
		} else {
			id = ids_object(g, path);
		}
		struct gnode *n = graph_add_node(g, kind, id, base);
		graph_node_set_size(n, mf.n);
		graph_add_input(g, path, filetype_name(ft), id);
		if (fatbin_merge_buf(g, path, mf.p, mf.n, id, &o->fo, &w, &d) < 0)
			rc = cli_diag(&d);
		/* the first error is d; the others, and warnings, are in w */
		for (size_t i = 0; i < w.n; i++)
			diag_print(&w.v[i], stderr);
		goto out;
	}
	s.no_scan = o->fo.no_scan;
	if (fatbin_scan_buf(&s, path, mf.p, mf.n, &w, &d)) {
		rc = cli_diag(&d);
		goto out;
	}
	/* everything the scan reports is an error of this file */
	for (size_t i = 0; i < w.n; i++)
		diag_print(&w.v[i], stderr);
	if (s.errors)
		rc = EXIT_USAGE;
	printf("%s: %zu entries\n", path, s.n);
	print_where(&s);
	if (s.n)
		print_table(&s, tot);
	/* verdicts (and the duplicate search, which reads payloads) only
	 * when asked: a plain listing touches entry headers only */
	if (s.n && o->nt)
		print_verdicts(o, &s, tot);
	if (o->fo.kernels)
		print_kernels(o, &s, path, &rc);
	if (o->verify)
		verify(o, &s, path, &rc);
	if (o->extract)
		rc |= extract(o, &s, path);
out:
	fatbin_scan_free(&s);
	diag_list_free(&w);
	mfile_close(&mf);
	return rc;
}

static void print_totals(const struct fatbin_cli *o, const struct sums *t, int nfiles)
{
	if (nfiles < 2)
		return;
	printf("all %d files: %llu entries, %llu bytes (%llu in compressed entries, %llu decoded)\n",
	       nfiles, (unsigned long long)t->entries, (unsigned long long)t->bytes,
	       (unsigned long long)t->comp, (unsigned long long)t->uncomp);
	if (o->nt)
		printf("--arch %s would save %llu bytes in %llu prunable entries (%.1f%% of the GPU code); %llu more in %llu redundant PTX/LTO-IR entries\n",
		       o->fo.arch, (unsigned long long)t->prune_b,
		       (unsigned long long)t->prune_n,
		       t->bytes ? 100.0 * (double)t->prune_b / (double)t->bytes : 0.0,
		       (unsigned long long)t->ptx_b, (unsigned long long)t->ptx_n);
	if (t->dup_n)
		printf("duplicates: %llu entries, %llu bytes\n",
		       (unsigned long long)t->dup_n, (unsigned long long)t->dup_b);
}

int cmd_fatbin(int argc, char **argv)
{
	struct fatbin_cli o = {0};
	struct diag d = {0};
	int c;
	while ((c = cli_next_opt(&cmd_fatbin_spec, argc, argv)) >= 0) {
		switch (c) {
		case O_ARCH: o.fo.arch = optarg; break;
		case O_KERN: o.fo.kernels = true; break;
		case O_JSON: o.json = true; break;
		case O_EXTRACT: o.extract = optarg; break;
		case O_PERF: o.perf = true; break;
		case O_NOSCAN: o.fo.no_scan = true; break;
		case O_VERIFY: o.verify = true; break;
		}
	}
	if (c != CLI_OPT_END)
		return cli_opt_exit(c);
	if (optind >= argc)
		return cli_usage_error(&cmd_fatbin_spec, "no input file");
	if (o.fo.arch && fatbin_parse_arch(o.fo.arch, o.t, 64, &o.nt, &d))
		return cli_diag(&d);
	struct stat st;
	if (o.extract && mkdir(o.extract, 0777) && errno != EEXIST)
		return cli_error("fatbin: %s: %s", o.extract, strerror(errno));
	if (o.extract && (stat(o.extract, &st) || !S_ISDIR(st.st_mode)))
		return cli_error("fatbin: %s: not a directory", o.extract);
	struct graph g;
	graph_init(&g);
	struct sums tot = {0};
	int rc = 0;
	double t0 = now_seconds();
	for (int i = optind; i < argc; i++)
		rc |= one_file(&o, argv[i], &g, &tot);
	if (o.json) {
		if (cli_write_json(&g, "-", &d))
			rc = cli_diag(&d);
	} else {
		print_totals(&o, &tot, argc - optind);
	}
	if (o.perf)
		fprintf(stderr, "slim: perf: %.3f s total; decoded %.1f MB in %.3f s (%.1f MB/s)\n",
			now_seconds() - t0, (double)o.decoded_bytes / 1e6, o.decode_s,
			o.decode_s > 0 ? (double)o.decoded_bytes / 1e6 / o.decode_s : 0.0);
	graph_free(&g);
	return cli_finish(rc ? EXIT_USAGE : 0);
}
