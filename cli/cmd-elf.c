/*
 * cmd-elf.c - `slim elf FILE...`: one analyzer, its own detail.  The
 * dependency tree (like libtree: where each library was found and why),
 * bindings per library, unused dependencies, sizes.  `--unused` prints
 * only the verdicts, in the shape of `ldd -u -r`, for scripts and for the
 * side-by-side benchmark.
 */
#include "cli.h"
#include "../analyzers/elf/slim-elf.h"
#include "../common/util.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
	"usage: slim elf [options] FILE...\n"
	"\n"
	"The dependency closure of ELF executables and shared libraries, resolved\n"
	"as glibc's ld.so would, with every symbol reference bound; unused and\n"
	"unneeded libraries; sizes.  Nothing is run or loaded.\n"
	"\n"
	"  --unused        only the unused direct dependencies, like `ldd -u -r`\n"
	"  --bindings      list, per library, how many references bind to it\n"
	"  --json          the slim-report/1 JSON of all files\n"
	"  --no-bind       resolve the tree only; skip symbol binding\n"
	"  --sysroot DIR   resolve libraries inside DIR, not /\n"
	"  --env           honor LD_LIBRARY_PATH as ld.so would (unset or empty:\n"
	"                  none; ':' and ';' separate; an empty element is the\n"
	"                  current directory; ignored for set-user-ID programs)\n"
	"  --cpu LEVEL     x86-64-v1..v4 of the machine that will run it: the\n"
	"                  glibc-hwcaps subdirectories and $PLATFORM the loader\n"
	"                  uses (default: this machine's)\n"
	"  --platform NAME $PLATFORM and the legacy platform subdirectory of the\n"
	"                  machine that will run it: haswell or xeon_phi (Intel\n"
	"                  CPUs with those features), x86_64 (any other)\n"
	"  -h, --help      this help\n";

struct elf_cli {
	struct elf_opts eo;
	bool unused, bindings, json;
};


static void print_unused(const struct graph *g, const char *root, const char *path, FILE *fp)
{
	bool first = true;
	/* findings of one file come in DT_NEEDED order, as ldd prints them */
	for (size_t i = 0; i < g->nfindings; i++) {
		const struct gfinding *f = &g->findings[i];
		if (strcmp(f->kind, "unused-library") || !f->dependent ||
		    strcmp(f->dependent, root))
			continue;
		if (first)
			fprintf(fp, "%s:\n", path);
		first = false;
		const struct gnode *n = graph_node(g, f->node);
		const char *p = attr_get_str(n->attrs, "path");
		fprintf(fp, "\t%s\n", p ? p : n->name);
	}
}

int cmd_elf(int argc, char **argv)
{
	enum { O_UNUSED = 256, O_BIND, O_JSON, O_NOBIND, O_SYSROOT, O_ENV, O_CPU, O_PLATFORM };
	static const struct option opts[] = {
		{"unused", no_argument, 0, O_UNUSED},
		{"bindings", no_argument, 0, O_BIND},
		{"json", no_argument, 0, O_JSON},
		{"no-bind", no_argument, 0, O_NOBIND},
		{"sysroot", required_argument, 0, O_SYSROOT},
		{"env", no_argument, 0, O_ENV},
		{"cpu", required_argument, 0, O_CPU},
		{"platform", required_argument, 0, O_PLATFORM},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	struct elf_cli o = {0};
	int c, rc = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_UNUSED: o.unused = true; break;
		case O_BIND: o.bindings = true; break;
		case O_JSON: o.json = true; break;
		case O_NOBIND: o.eo.no_bind = true; break;
		case O_SYSROOT: o.eo.sysroot = optarg; break;
		case O_CPU:
			if ((o.eo.cpu_level = elf_parse_cpu_level(optarg)) < 0)
				return cli_error("elf: --cpu: '%s' is not x86-64-v1..v4 or host", optarg);
			break;
		case O_PLATFORM:
			if (!elf_platform_ok(optarg))
				return cli_error("elf: --platform: '%s' is not a platform name (haswell, xeon_phi, x86_64)", optarg);
			o.eo.platform = optarg;
			break;
		case O_ENV:
			o.eo.ld_library_path = elf_env_library_path();
			break;
		case 'h': return cli_usage(usage, false);
		default: return cli_usage(usage, true);
		}
	}
	if (optind >= argc)
		return cli_usage(usage, true);
	o.eo.sizes = !o.unused;
	o.eo.bind_root_only = o.unused;   /* the question ldd -u answers */
	o.eo.hash_inputs = o.json;
	struct elf_ctx *ec = elf_ctx_new(&o.eo);
	struct graph all;
	graph_init(&all);
	bool progress = cli_progress_enabled() && argc - optind > 20;
	for (int i = optind; i < argc; i++) {
		struct graph one, *g = o.json ? &all : &one;
		if (progress)
			fprintf(stderr, "\rslim: %d/%d files", i - optind + 1, argc - optind);
		struct diag_list w = {0};
		struct diag d = {0};
		const char *root = NULL;
		if (!o.json)
			graph_init(&one);
		if (elf_analyze(ec, g, argv[i], &root, &w, &d)) {
			rc = cli_diag(&d);
		} else if (o.unused) {
			print_unused(g, root, argv[i], stdout);
		} else if (!o.json) {
			elf_print_tree(g, root, o.bindings, stdout);
			report_print_sections(graph_node(g, root), stdout, 5);
		}
		diag_list_print(&w, stderr);
		diag_list_free(&w);
		if (!o.json)
			graph_free(&one);
	}
	if (progress)
		fputs("\r\033[K", stderr);
	if (o.json) {
		struct diag d = {0};
		if (cli_write_json(&all, "-", &d))
			rc = cli_diag(&d);
	}
	graph_free(&all);
	elf_ctx_free_at_exit(ec, true);
	return rc;
}
