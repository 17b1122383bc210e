/*
 * cmd-report.c - `slim report FILE...`: what a user runs first.  Every
 * analyzer that applies, a ranked human summary, or the slim-report/1 JSON.
 */
#include "cli.h"
#include "report.h"
#include "report-text.h"
#include "../common/ofile.h"
#include "../common/util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: slim report [options] FILE...\n"
	"\n"
	"Analyze executables, shared libraries, objects, archives, linker maps\n"
	"and Python traces; print what they carry that nothing uses.\n"
	"\n"
	"  --json               write the slim-report/1 JSON (to stdout, or -o)\n"
	"  -o, --output FILE    write the report to FILE (written atomically)\n"
	"  --html FILE          write a self-contained HTML report\n"
	"  --svg FILE           render the dependency graph to SVG\n"
	"  --map MAP            merge a linker map of the (first) ELF input\n"
	"  --why-extract FILE   lld's --why-extract output for the map: which\n"
	"                       symbol pulled each archive member\n"
	"  --no-derive          do not read the objects and archives a map names\n"
	"                       (by default slim does, for what the map leaves out:\n"
	"                       lld/mold discarded sections, dead members and pull\n"
	"                       chains; every linker's COMDAT groups, for causes);\n"
	"                       --derive is accepted, a no-op\n"
	"  --py-trace T         a Python import trace (repeatable)\n"
	"  --py-root DIR        a Python module tree (repeatable)\n"
	"  --arch LIST          GPU targets shipped, e.g. sm_80,sm_90\n"
	"  --kernels            decompress cubins and list kernels\n"
	"  --no-gpu             skip the CUDA fat binary scan\n"
	"  --sysroot DIR        resolve libraries inside DIR, not /\n"
	"  --env                honor LD_LIBRARY_PATH as ld.so would\n"
	"  --cpu LEVEL          x86-64-v1..v4 of the machine that will run it\n"
	"                       (glibc-hwcaps, $PLATFORM; default: this one's)\n"
	"  --platform NAME      its $PLATFORM: haswell, xeon_phi or x86_64\n"
	"  --top N              rows per ranked table, and symbols and compile\n"
	"                       units kept per file (default 10)\n"
	"  --bytes              text: every figure in bytes, not rounded to KiB/MiB\n"
	"  --perf               time each step on stderr\n"
	"  -h, --help           this help\n";

struct report_cli {
	struct report_opts r;
	const char *out;
	const char *html;
	const char *svg;
	bool json;
	bool exact;
	int top;
};

int report_write_html(const struct graph *g, const char *path, struct diag *d);
int report_write_svg(const struct graph *g, const char *path, struct diag *d);

static void push(const char ***v, size_t *n, const char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[(*n)++] = s;
}

int cmd_report(int argc, char **argv)
{
	enum { O_JSON = 256, O_HTML, O_SVG, O_MAP, O_PYT, O_PYR, O_ARCH,
	       O_KERN, O_NOGPU, O_SYSROOT, O_ENV, O_TOP, O_PERF, O_CPU, O_WHY, O_DERIVE, O_NODERIVE,
	       O_PLATFORM, O_BYTES };
	static const struct option opts[] = {
		{"json", no_argument, 0, O_JSON},
		{"output", required_argument, 0, 'o'},
		{"html", required_argument, 0, O_HTML},
		{"svg", required_argument, 0, O_SVG},
		{"map", required_argument, 0, O_MAP},
		{"why-extract", required_argument, 0, O_WHY},
		{"derive", no_argument, 0, O_DERIVE},
		{"no-derive", no_argument, 0, O_NODERIVE},
		{"py-trace", required_argument, 0, O_PYT},
		{"py-root", required_argument, 0, O_PYR},
		{"arch", required_argument, 0, O_ARCH},
		{"kernels", no_argument, 0, O_KERN},
		{"no-gpu", no_argument, 0, O_NOGPU},
		{"sysroot", required_argument, 0, O_SYSROOT},
		{"env", no_argument, 0, O_ENV},
		{"cpu", required_argument, 0, O_CPU},
		{"platform", required_argument, 0, O_PLATFORM},
		{"top", required_argument, 0, O_TOP},
		{"bytes", no_argument, 0, O_BYTES},
		{"perf", no_argument, 0, O_PERF},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	struct report_cli o = {.top = 10};
	int c, rc;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case O_JSON: o.json = true; break;
		case 'o': o.out = optarg; break;
		case O_HTML: o.html = optarg; break;
		case O_SVG: o.svg = optarg; break;
		case O_MAP: push(&o.r.maps, &o.r.nmaps, optarg); break;
		case O_WHY: o.r.map_why = optarg; break;
		case O_DERIVE: o.r.map_derive = true; break;
		case O_NODERIVE: o.r.map_no_derive = true; break;
		case O_PYT: push(&o.r.py.traces, &o.r.py.ntraces, optarg); break;
		case O_PYR: push(&o.r.py.roots, &o.r.py.nroots, optarg); break;
		case O_ARCH: {
			struct fatbin_target tv[64];
			size_t nt;
			struct diag ad = {0};
			if (fatbin_parse_arch(optarg, tv, 64, &nt, &ad))
				return cli_diag(&ad);
			o.r.gpu.arch = optarg;
			break;
		}
		case O_KERN: o.r.gpu.kernels = true; break;
		case O_NOGPU: o.r.no_gpu = true; break;
		case O_SYSROOT: o.r.elf.sysroot = optarg; break;
		case O_PLATFORM:
			if (!elf_platform_ok(optarg))
				return cli_error("report: --platform: '%s' is not a platform name (haswell, xeon_phi, x86_64)", optarg);
			o.r.elf.platform = optarg;
			break;
		case O_CPU:
			if ((o.r.elf.cpu_level = elf_parse_cpu_level(optarg)) < 0)
				return cli_error("report: --cpu: '%s' is not x86-64-v1..v4 or host", optarg);
			break;
		case O_ENV: o.r.elf.ld_library_path = elf_env_library_path(); break;
		case O_TOP: o.top = atoi(optarg);
			if (o.top <= 0)
				return cli_error("report: --top takes a positive number");
			break;
		case O_PERF: o.r.perf = true; break;
		case O_BYTES: o.exact = true; break;
		case 'h': return cli_usage(usage, false);
		default: return cli_usage(usage, true);
		}
	}
	if (optind >= argc && !o.r.py.ntraces && !o.r.py.nroots)
		return cli_usage(usage, true);
	o.r.elf.sizes = true;
	o.r.elf.top_symbols = o.top;   /* symbols and compile units kept per file */
	o.r.elf.hash_inputs = o.json || o.out || o.html;

	struct graph g;
	struct diag_list w = {0};
	struct diag d = {0};
	graph_init(&g);
	rc = report_build(&g, &o.r, argv + optind, argc - optind, &w);
	diag_list_print(&w, stderr);

	/* emit: JSON to -o or stdout; text summary otherwise.  A report with
	 * an input missing is never written as a file: a gate must not pass
	 * on it (the text summary still shows what was analyzed). */
	bool files = o.json || o.out || o.html || o.svg;
	if (files && rc) {
		/* the input's error line already said why: nothing written */
	} else if (o.json || (o.out && !o.html && !o.svg)) {
		if (cli_write_json(&g, o.out ? o.out : "-", &d))
			rc = cli_diag(&d);
	} else if (!files && g.ninputs) {
		struct report_text_opts to = {o.top, o.exact};
		if (report_print_text(&g, stdout, &to))
			rc = EXIT_USAGE;
	}
	if (!rc && o.html && report_write_html(&g, o.html, &d))
		rc = cli_diag(&d);
	if (!rc && o.svg && report_write_svg(&g, o.svg, &d))
		rc = cli_diag(&d);

	diag_list_free(&w);
	graph_free(&g);
	free(o.r.maps);
	free(o.r.py.traces);
	free(o.r.py.roots);
	return rc;
}
