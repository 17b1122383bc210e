/*
 * cmd-fatbin.c - `slim fatbin FILE...`: the CUDA fat binary entries of
 * executables, shared libraries, objects and archives, per arch, and what
 * a target arch list would save (analyzers/fatbin does the work).
 *
 * Text: one table per file (entries, bytes as stored, compressed bytes,
 * decoded bytes per arch), totals, then the --arch verdicts, every figure
 * printed from the graph's totals.fatbin, which the analyzer writes
 * (fatbin_totals(); --json carries the same object), so text and JSON
 * cannot disagree.  --json: the slim-report/1 graph.  -o FILE writes
 * either to FILE atomically.  --extract DIR writes each decodable entry as
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
	{O_JSON, "json", NULL, "write the slim-report/1 JSON (to stdout, or -o)"},
	{'o', "output", "FILE", "write to FILE (atomically), not stdout: the text,\n"
				"or the JSON with --json"},
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
	const char *out;         /* -o FILE, NULL: stdout */
	struct ofile of;         /* the text's output (stdout or -o) */
	FILE *fp;
	uint64_t decoded_bytes;
	double decode_s;
};

/* totals.fatbin (analyzers/fatbin/totals.c) as the text prints it */
static json_int_t num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static unsigned long long u(const json_t *o, const char *key)
{
	return (unsigned long long)num(o, key);
}

static void print_row(FILE *fp, const char *arch, const json_t *r)
{
	fprintf(fp, "  %-9s %6llu %6llu %6llu %8llu %14llu %14llu %14llu\n", arch,
		u(r, "cubin"), u(r, "ptx"), u(r, "ltoir"), u(r, "entries"),
		u(r, "bytes"), u(r, "compressed"), u(r, "uncompressed"));
}

/* the per-arch table of one file, from its totals */
static void print_table(FILE *fp, const json_t *f)
{
	fprintf(fp, "  %-9s %6s %6s %6s %8s %14s %14s %14s\n", "arch", "cubin", "ptx",
		"ltoir", "entries", "bytes", "compressed", "uncompressed");
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(f, "arch"), i, r)
		print_row(fp, json_string_value(json_object_get(r, "arch")), r);
	print_row(fp, "total", json_object_get(f, "total"));
}

/* where the containers were found, from the file's totals (a file that
 * has none has no totals: "containers: 0;") */
static void print_where(FILE *fp, const json_t *f)
{
	fprintf(fp, "  containers: %llu;", u(f, "containers"));
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(f, "where"), i, w) {
		const char *member = json_string_value(json_object_get(w, "member"));
		const char *sec = json_string_value(json_object_get(w, "section"));
		if (member)
			fprintf(fp, " %s(%s):", member, sec);
		else
			fprintf(fp, " %s:", sec);
		fprintf(fp, " %llu%s", u(w, "containers"),
			json_is_true(json_object_get(w, "found_by_scan")) ? " (scan)" : "");
	}
	const json_t *seg = json_object_get(f, "segments");
	if (num(seg, "wrappers")) {
		fprintf(fp, "; .nvFatBinSegment wrappers: %llu", u(seg, "wrappers"));
		if (num(seg, "listed") == num(seg, "wrappers"))
			fprintf(fp, " (each at a listed container)");
		else
			fprintf(fp, " (%llu at listed containers, %llu at containers found through them, %llu bad)",
				u(seg, "listed"), u(seg, "new"), u(seg, "bad"));
	}
	if (num(f, "rejected"))
		fprintf(fp, "; magic matches rejected: %llu", u(f, "rejected"));
	fprintf(fp, "\n");
	if (num(f, "unknown_flag_entries"))
		fprintf(fp, "  unknown flag bits %s in %llu entries\n",
			json_string_value(json_object_get(f, "unknown_flags")),
			u(f, "unknown_flag_entries"));
}

static void print_verdicts(FILE *fp, const char *arch, const json_t *f)
{
	const json_t *p = json_object_get(f, "prunable"),
		*r = json_object_get(f, "redundant_ptx"),
		*dup = json_object_get(f, "duplicate");
	if (!p)
		return;
	fprintf(fp, "  --arch %s: %llu prunable entries, %llu bytes; %llu redundant PTX/LTO-IR entries, %llu bytes (PTX still serves newer GPUs)\n",
		arch, u(p, "entries"), u(p, "bytes"), u(r, "entries"), u(r, "bytes"));
	if (num(dup, "entries"))
		fprintf(fp, "  duplicates: %llu entries, %llu bytes byte-identical to an earlier entry\n",
			u(dup, "entries"), u(dup, "bytes"));
}

/* One file's text, from the graph: the file's totals.fatbin row */
static void print_file(const struct fatbin_cli *o, const struct graph *g,
		       const char *path, const char *id)
{
	static const json_t *none;
	if (!none)
		none = json_object();
	const json_t *f = json_object_get(json_object_get(json_object_get(g->totals, "fatbin"),
							  "files"), id);
	if (!f)
		f = none;
	json_int_t n = num(json_object_get(f, "total"), "entries");
	fprintf(o->fp, "%s: %lld entries\n", path, (long long)n);
	print_where(o->fp, f);
	if (n)
		print_table(o->fp, f);
	if (n)
		print_verdicts(o->fp, o->fo.arch, f);
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
			fprintf(o->fp, "  #%zu %s cubin (%s, offset 0x%llx): %zu kernels\n", i,
			       fatbin_arch_name(e, arch), e->section,
			       (unsigned long long)e->file_off, nk);
			for (size_t j = 0; j < nk; j++)
				fprintf(o->fp, "    %10llu  %s\n", (unsigned long long)k[j].code_bytes,
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
	fprintf(o->fp, "  verified: %zu entries decoded to their declared size\n", n);
}

/* cuobjdump counts cubins, PTX and LTO-IR apart */
static int kind_col(unsigned kind)
{
	return kind == FATBIN_CUBIN ? 0 : kind == FATBIN_PTX ? 1 : 2;
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

/* The node of this file, named as slim report and slim elf name it:
 * exe:/lib: by elf_file_id(), obj: for objects, archives and bare
 * fatbins; with its input. */
static int owner(struct graph *g, const char *path, const struct mfile *mf,
		 enum filetype ft, const char **id, struct diag *d)
{
	const char *kind = NK_OBJECT;
	if (ft == FT_ELF_EXEC || ft == FT_ELF_DYN) {
		if (elf_file_id(g, path, id, &kind, d))
			return -1;
	} else {
		*id = ids_object(g, path);
	}
	struct gnode *n = graph_add_node(g, kind, *id, path_base(path));
	graph_node_set_size(n, mf->n);
	graph_add_input(g, path, filetype_name(ft), *id);
	return 0;
}

/* --json: every entry into the graph (fatbin_merge_buf: nodes, findings,
 * totals.fatbin), written once all files are in */
static int merge_file(struct fatbin_cli *o, const char *path, struct graph *g,
		      const struct mfile *mf, const char *id)
{
	struct diag d = {0};
	struct diag_list w = {0};
	int rc = 0;
	if (fatbin_merge_buf(g, path, mf->p, mf->n, id, &o->fo, &w, &d) < 0)
		rc = cli_diag(&d);
	/* the first error is d; the others, and warnings, are in w */
	for (size_t i = 0; i < w.n; i++)
		diag_print(&w.v[i], stderr);
	diag_list_free(&w);
	return rc;
}

/* Text: the scan's tallies go into the graph (fatbin_totals(), the
 * function --json's merge uses) and are printed from there; a plain
 * listing touches entry headers only (no gpu nodes, and verdicts -- the
 * duplicate search reads payloads -- only with --arch).  The scan itself
 * serves --kernels, --verify and --extract. */
static int list_file(struct fatbin_cli *o, const char *path, struct graph *g,
		     const struct mfile *mf, const char *id)
{
	struct diag d = {0};
	struct diag_list w = {0};
	struct fatbin_scan s = {0};
	int rc = 0;
	s.no_scan = o->fo.no_scan;
	if (fatbin_scan_buf(&s, path, mf->p, mf->n, &w, &d)) {
		rc = cli_diag(&d);
		goto out;
	}
	/* everything the scan reports is an error of this file */
	for (size_t i = 0; i < w.n; i++)
		diag_print(&w.v[i], stderr);
	if (s.errors)
		rc = EXIT_USAGE;
	if (fatbin_totals(g, id, &s, o->fo.arch, &d) || graph_check(g, &d)) {
		rc = cli_diag(&d);
		goto out;
	}
	print_file(o, g, path, id);
	if (o->fo.kernels)
		print_kernels(o, &s, path, &rc);
	if (o->verify)
		verify(o, &s, path, &rc);
	if (o->extract)
		rc |= extract(o, &s, path);
out:
	fatbin_scan_free(&s);
	diag_list_free(&w);
	return rc;
}

static int one_file(struct fatbin_cli *o, const char *path, struct graph *g)
{
	struct mfile mf;
	struct diag d = {0};
	int rc = 0;
	if (mfile_open(&mf, path, &d))
		return cli_diag(&d);
	enum filetype ft = filetype_detect(mf.p, mf.n);
	uint32_t magic = 0;
	if (mf.n >= 4)
		memcpy(&magic, mf.p, 4);
	const char *id;
	if (!filetype_is_elf(ft) && ft != FT_AR && ft != FT_AR_THIN &&
	    magic != FATBIN_MAGIC) {
		diag_err_at(&d, path, 0, "not an ELF file or archive (%s)", filetype_name(ft));
		rc = cli_diag(&d);
	} else if (owner(g, path, &mf, ft, &id, &d)) {
		rc = cli_diag(&d);
	} else {
		rc = o->json ? merge_file(o, path, g, &mf, id)
			     : list_file(o, path, g, &mf, id);
	}
	mfile_close(&mf);
	return rc;
}

/* the all-files lines, from totals.fatbin.total */
static void print_totals(const struct fatbin_cli *o, const struct graph *g, int nfiles)
{
	if (nfiles < 2)
		return;
	const json_t *t = json_object_get(json_object_get(g->totals, "fatbin"), "total");
	const json_t *all = json_object_get(t, "total"),
		*p = json_object_get(t, "prunable"),
		*r = json_object_get(t, "redundant_ptx"),
		*dup = json_object_get(t, "duplicate");
	fprintf(o->fp, "all %d files: %llu entries, %llu bytes (%llu in compressed entries, %llu decoded)\n",
		nfiles, u(all, "entries"), u(all, "bytes"), u(all, "compressed"),
		u(all, "uncompressed"));
	if (o->nt)
		fprintf(o->fp, "--arch %s would save %llu bytes in %llu prunable entries (%.1f%% of the GPU code); %llu more in %llu redundant PTX/LTO-IR entries\n",
			o->fo.arch, u(p, "bytes"), u(p, "entries"),
			num(all, "bytes") ? 100.0 * (double)num(p, "bytes") / (double)num(all, "bytes") : 0.0,
			u(r, "bytes"), u(r, "entries"));
	if (num(dup, "entries"))
		fprintf(o->fp, "duplicates: %llu entries, %llu bytes\n",
			u(dup, "entries"), u(dup, "bytes"));
}

/* -o FILE, or stdout: the text, or the JSON with --json, atomically;
 * a file is never written with an input missing (as slim report) */
static int finish(struct fatbin_cli *o, const struct graph *g, int rc, int nfiles)
{
	struct diag d = {0};
	const char *path = o->out ? o->out : "-";
	bool to_file = strcmp(path, "-");
	if (o->json) {
		if (to_file && rc)
			return rc;
		if (cli_write_json(g, path, &d))
			return cli_diag(&d);
	} else {
		print_totals(o, g, nfiles);
		if (to_file && rc) {
			ofile_abort(&o->of);
			return rc;
		}
		if (ofile_commit(&o->of, &d))
			return cli_diag(&d);
	}
	if (to_file)
		cli_wrote(path);
	return rc;
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
		case 'o': o.out = optarg; break;
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
	if (!o.json && !(o.fp = ofile_open(&o.of, o.out ? o.out : "-", &d)))
		return cli_diag(&d);
	/* static: left to the kernel at exit but reachable (git's UNLEAK);
	 * freeing the totals of CUDA's lib64 one object at a time cost 2%
	 * of a plain listing */
	static struct graph g;
	graph_init(&g);
	int rc = 0;
	double t0 = now_seconds();
	for (int i = optind; i < argc; i++)
		rc |= one_file(&o, argv[i], &g);
	rc = finish(&o, &g, rc, argc - optind);
	if (o.perf)
		fprintf(stderr, "slim: perf: %.3f s total; decoded %.1f MB in %.3f s (%.1f MB/s)\n",
			now_seconds() - t0, (double)o.decoded_bytes / 1e6, o.decode_s,
			o.decode_s > 0 ? (double)o.decoded_bytes / 1e6 / o.decode_s : 0.0);
	return cli_finish(rc ? EXIT_USAGE : 0);
}
