/*
 * main.c - the `slim` command: one table of subcommands (git's git.c).
 * Each subcommand lives in cli/cmd-NAME.c; see cli.h for what adding one
 * takes.
 */
#include "cli.h"
#include "opts.h"
#include "../common/memlimit.h"
#include "../common/ofile.h"

#include <stdlib.h>
#include <string.h>

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
	const struct cli_spec *spec;  /* its option table (opts.h) */
};

static const struct command commands[] = {
	{"report", cmd_report, "what a file carries that nothing uses: all analyzers, ranked summary", &cmd_report_spec},
	{"elf", cmd_elf, "ELF dependency tree, symbol bindings, unused libraries, sizes", &cmd_elf_spec},
	{"linkmap", cmd_linkmap, "bytes per object/archive member/section from a linker map", &cmd_linkmap_spec},
	{"fatbin", cmd_fatbin, "CUDA fat binary entries per arch, prunable GPU code", &cmd_fatbin_spec},
	{"pydeps", cmd_pydeps, "Python modules used, reachable and safe to prune", &cmd_pydeps_spec},
	{"graph", cmd_graph, "render a dependency graph to SVG, DOT or JSON", &cmd_graph_spec},
	{"why", cmd_why, "every shortest path from the root to a node", &cmd_why_spec},
	{"diff", cmd_diff, "what was added, removed or grew between two reports", &cmd_diff_spec},
	{"baseline", cmd_baseline, "write a trimmed report for `slim gate`", &cmd_baseline_spec},
	{"gate", cmd_gate, "CI check of dependency and size growth against a baseline", &cmd_gate_spec},
	{"merge", cmd_merge, "join per-artifact reports into one, nothing counted twice", &cmd_merge_spec},
	{"cas", cmd_cas, "bytes a content-addressed package re-sends, by file and chunk", &cmd_cas_spec},
	{"prune", cmd_prune, "write the slimmer artifact: unloadable GPU code removed", &cmd_prune_spec},
};

/* subcommands with option tables of their own ("pydeps record"): their
 * synopsis follows their command's */
static const struct cli_spec *const subcommands[] = {&cmd_pydeps_record_spec};

static void print_subsynopses(const char *cmd)
{
	size_t n = strlen(cmd);
	for (size_t i = 0; i < sizeof subcommands / sizeof *subcommands; i++)
		if (!strncmp(subcommands[i]->cmd, cmd, n) && subcommands[i]->cmd[n] == ' ') {
			puts(".br");
			cli_print_synopsis(subcommands[i], stdout);
		}
}

static const char usage[] =
	"usage: slim [--version] [--help] [--max-memory SIZE] COMMAND [ARGS]\n"
	"\n"
	"commands:\n";

static int print_usage(FILE *fp)
{
	fputs(usage, fp);
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].help);
	fputs("\nslim COMMAND --help shows the options of one command.\n"
	      "--max-memory SIZE (any command; 512M, 4G, unlimited): the memory one\n"
	      "run may use; default 256 MiB + 16x the bytes of input read.\n"
	      "exit codes: 0 ok, 1 gate violated, 2 usage or input error\n",
	      fp);
	return 0;
}

/* --max-memory SIZE / --max-memory=SIZE, before or after the command
 * name, up to a "--" (what follows belongs to a program `slim pydeps
 * record` runs).  Removed from argv.  Returns 0, or -1 after an error. */
static int take_max_memory(int *argc, char **argv)
{
	uint64_t max = 0;
	bool given = false;
	int out = 1;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i], *val = NULL;
		if (!strcmp(a, "--")) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (!strncmp(a, "--max-memory=", 13)) {
			val = a + 13;
		} else if (!strcmp(a, "--max-memory")) {
			if (i + 1 >= *argc) {
				cli_error("--max-memory needs a size (512M, 4G, unlimited)");
				return -1;
			}
			val = argv[++i];
		} else {
			argv[out++] = argv[i];
			continue;
		}
		if (memlimit_parse(val, &max)) {
			cli_error("--max-memory: '%s' is not a size (512M, 4G, unlimited)", val);
			return -1;
		}
		given = true;
	}
	*argc = out;
	argv[out] = NULL;
	memlimit_init(max, !given);
	return 0;
}

int main(int argc, char **argv)
{
	/* jansson seeds its hash tables randomly; graphviz lays clusters out
	 * in attribute order, so a fixed seed keeps every output
	 * byte-identical across runs */
	json_object_seed(1);
	ofile_catch_signals();
	if (take_max_memory(&argc, argv))
		return EXIT_USAGE;
	if (argc < 2) {
		print_usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	/* `slim help --synopsis`: the man page's SYNOPSIS lines, from the
	 * option tables (tests/cli/test-usage.sh compares them with slim.1) */
	if (!strcmp(cmd, "help") && argc == 3 && !strcmp(argv[2], "--synopsis")) {
		bool first = true;
		for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
			if (!commands[i].spec)
				continue;
			if (!first)
				puts(".br");
			first = false;
			cli_print_synopsis(commands[i].spec, stdout);
			print_subsynopses(commands[i].name);
		}
		return cli_finish(EXIT_OK);
	}
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		print_usage(stdout);
		return cli_finish(EXIT_OK);
	}
	if (!strcmp(cmd, "--version")) {
		printf("slim %s\n", SLIM_VERSION);
		return cli_finish(EXIT_OK);
	}
	for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
		if (!strcmp(cmd, commands[i].name))
			return cli_finish(commands[i].fn(argc - 1, argv + 1));
	fprintf(stderr, "slim: '%s' is not a slim command; see 'slim --help'\n", cmd);
	return EXIT_USAGE;
}
