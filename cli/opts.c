/*
 * opts.c - one option table per command turned into getopt_long's
 * arguments, the --help text and the man page synopsis (see opts.h).
 *
 * getopt_long runs with opterr = 0 and a leading ':' in the short-option
 * string, so that a bad option comes back here ('?' or ':') and is said in
 * one line naming the option, never as getopt's message followed by the
 * whole help.
 */
#include "opts.h"
#include "cli.h"
#include "../analyzers/elf/slim-elf.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

enum { MAX_OPTS = 64, HELP_COL = 23 };

static const struct cli_opt help_opt = {'h', "help", NULL, "this help"};

/* the table plus --help, as getopt_long wants it */
static struct {
	const struct cli_spec *spec;
	struct option lopts[MAX_OPTS + 2];
	char shorts[2 * MAX_OPTS + 4];
} st;

static void build(const struct cli_spec *s)
{
	size_t n = 0, k = 0;
	st.shorts[k++] = ':';
	for (const struct cli_opt *o = s->opts; o->id && n < MAX_OPTS; o++, n++) {
		st.lopts[n] = (struct option){o->name, o->arg ? required_argument : no_argument,
					      NULL, o->id};
		if (o->id < 128) {
			st.shorts[k++] = (char)o->id;
			if (o->arg)
				st.shorts[k++] = ':';
		}
	}
	st.lopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
	st.lopts[n] = (struct option){0};
	st.shorts[k++] = 'h';
	st.shorts[k] = 0;
	st.spec = s;
	optind = 1;
	opterr = 0;
}

/* the option as the user wrote it: "--name" (without "=value") or "-c" */
static void bad_option_name(char **argv, char *out, size_t n)
{
	const char *a = optind > 0 ? argv[optind - 1] : "";
	if (optopt && optopt < 128 && strncmp(a, "--", 2)) {
		snprintf(out, n, "-%c", optopt);
		return;
	}
	snprintf(out, n, "%.*s", (int)strcspn(a, "="), a);
}

int cli_next_opt(const struct cli_spec *s, int argc, char **argv)
{
	if (st.spec != s)
		build(s);
	int c = getopt_long(argc, argv, st.shorts, st.lopts, NULL);
	char name[64];
	switch (c) {
	case -1:
		st.spec = NULL;
		return CLI_OPT_END;
	case 'h':
		st.spec = NULL;
		cli_print_help(s, stdout);
		return CLI_OPT_HELP;
	case '?':
		st.spec = NULL;
		bad_option_name(argv, name, sizeof name);
		cli_usage_error(s, "unknown option '%s'", name);
		return CLI_OPT_BAD;
	case ':':
		st.spec = NULL;
		bad_option_name(argv, name, sizeof name);
		cli_usage_error(s, "option '%s' needs an argument", name);
		return CLI_OPT_BAD;
	default:
		return c;
	}
}

static void print_opt(const struct cli_opt *o, FILE *fp)
{
	char left[96];
	int n = snprintf(left, sizeof left, "  %s%s%s--%s%s%s",
			 o->id < 128 ? "-" : "", o->id < 128 ? (char[]){(char)o->id, 0} : "",
			 o->id < 128 ? ", " : "", o->name, o->arg ? " " : "",
			 o->arg ? o->arg : "");
	fputs(left, fp);
	if (n >= HELP_COL - 1)
		fprintf(fp, "\n%*s", HELP_COL, "");
	else
		fprintf(fp, "%*s", HELP_COL - n, "");
	for (const char *h = o->help; *h;) {
		size_t len = strcspn(h, "\n");
		fprintf(fp, "%.*s\n", (int)len, h);
		h += len;
		if (*h == '\n' && *++h)
			fprintf(fp, "%*s", HELP_COL, "");
	}
}

void cli_print_help(const struct cli_spec *s, FILE *fp)
{
	fprintf(fp, "usage: slim %s %s\n", s->cmd, s->synopsis);
	if (s->about)
		fprintf(fp, "\n%s", s->about);
	fputc('\n', fp);
	for (const struct cli_opt *o = s->opts; o->id; o++)
		print_opt(o, fp);
	print_opt(&help_opt, fp);
	if (s->epilog)
		fprintf(fp, "\n%s", s->epilog);
}

int cli_usage_error(const struct cli_spec *s, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "slim %s: ", s->cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see slim %s --help\n", s->cmd);
	return EXIT_USAGE;
}

/* roff: '-' is "\-" */
static void roff(FILE *fp, const char *font, const char *w, size_t n)
{
	fprintf(fp, "\\f%s", font);
	for (size_t i = 0; i < n; i++)
		fputs(w[i] == '-' ? "\\-" : (char[]){w[i], 0}, fp);
	fputs("\\fR", fp);
}

/* an option the synopsis spells out itself is not repeated */
static bool in_synopsis(const struct cli_spec *s, const struct cli_opt *o)
{
	char buf[80];
	snprintf(buf, sizeof buf, "--%s ", o->name);
	if (strstr(s->synopsis, buf))
		return true;
	snprintf(buf, sizeof buf, "-%c ", o->id);
	return o->id < 128 && strstr(s->synopsis, buf);
}

static void synopsis_options(const struct cli_spec *s, FILE *fp, bool *first)
{
	for (const struct cli_opt *o = s->opts; o->id; o++) {
		if (in_synopsis(s, o))
			continue;
		char flag[80];
		int n = snprintf(flag, sizeof flag, "--%s", o->name);
		fputs(*first ? "[" : " [", fp);
		*first = false;
		roff(fp, "B", flag, (size_t)n);
		if (o->arg) {
			fputc(' ', fp);
			roff(fp, "I", o->arg, strlen(o->arg));
		}
		fputc(']', fp);
	}
}

/* Each word of the synopsis: "[options]" becomes the option list, an
 * option is bold, an operand (upper case) italic, the rest as it is. */
void cli_print_synopsis(const struct cli_spec *s, FILE *fp)
{
	fprintf(fp, ".B slim %s\n", s->cmd);
	bool first = true;
	for (const char *w = s->synopsis; *w;) {
		w += strspn(w, " ");
		size_t n = strcspn(w, " ");
		if (!n)
			break;
		if (n == 9 && !strncmp(w, "[options]", 9)) {
			synopsis_options(s, fp, &first);
		} else {
			if (!first)
				fputc(' ', fp);
			first = false;
			size_t lead = strspn(w, "[");
			size_t core = n - lead;
			while (core && strchr("].,", w[lead + core - 1]))
				core--;
			fprintf(fp, "%.*s", (int)lead, w);
			roff(fp, w[lead] == '-' ? "B" : "I", w + lead, core);
			fprintf(fp, "%.*s", (int)(n - lead - core), w + lead + core);
		}
		w += n;
	}
	fputc('\n', fp);
}

int cli_elf_opt(const struct cli_spec *s, int c, struct elf_opts *eo)
{
	switch (c) {
	case CLI_O_SYSROOT:
		eo->sysroot = optarg;
		return 1;
	case CLI_O_ENV:
		eo->ld_library_path = elf_env_library_path();
		return 1;
	case CLI_O_CPU:
		if ((eo->cpu_level = elf_parse_cpu_level(optarg)) < 0) {
			cli_usage_error(s, "--cpu: '%s' is not x86-64-v1..v4 or host", optarg);
			return -1;
		}
		return 1;
	case CLI_O_PLATFORM:
		if (!elf_platform_ok(optarg)) {
			cli_usage_error(s, "--platform: '%s' is not a platform name (haswell, xeon_phi, x86_64)", optarg);
			return -1;
		}
		eo->platform = optarg;
		return 1;
	}
	return 0;
}
