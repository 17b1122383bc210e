/*
 * cmd-cas.c - `slim cas OLD... NEW`: the files and bytes a content-addressed
 * package of NEW uploads to a store that holds the OLD builds, per file and
 * per content-defined chunk, now and once the non-determinism `slim diff`
 * explains were fixed (issue #16; analyzers/bytediff/cas.c).
 */
#include "graph-cli.h"
#include "opts.h"
#include "../analyzers/bytediff/bytediff.h"
#include "../common/memlimit.h"

#include <getopt.h>
#include <stdlib.h>

enum { O_JSON = CLI_O_FIRST, O_CHUNK_AVG };

static const struct cli_opt opts[] = {
	{O_CHUNK_AVG, "chunk-avg", "SIZE", "average chunk size (default 64K; min = SIZE/4,\n"
					   "max = SIZE*4, as casync's --chunk-size)"},
	{O_JSON, "json", NULL, "slim-cas/1 JSON"},
	{'o', "output", "FILE", "write to FILE (atomically) instead of stdout"},
	{0},
};

const struct cli_spec cmd_cas_spec = {
	"cas", "[options] OLD... NEW",
	"What NEW uploads to a content-addressed store holding the OLD builds\n"
	"(files or directories): files and bytes keyed by XXH3-128 of each file,\n"
	"and chunks and bytes cut by FastCDC over the files in path order; then\n"
	"the same were every difference `slim diff` explains fixed.\n",
	opts, NULL,
};

static json_t *side_json(const struct cas_side *s)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "files", (json_int_t)s->files,
			 "files_new", (json_int_t)s->files_new, "bytes", (json_int_t)s->bytes,
			 "file_bytes_new", (json_int_t)s->file_bytes_new,
			 "chunks", (json_int_t)s->chunks, "chunks_new", (json_int_t)s->chunks_new,
			 "chunk_bytes_new", (json_int_t)s->chunk_bytes_new);
}

static void side_text(struct buf *b, const char *what, const struct cas_side *s)
{
	buf_printf(b, "%s: %llu bytes in %llu files\n", what, (unsigned long long)s->bytes,
		   (unsigned long long)s->files);
	buf_printf(b, "  by file:   upload %llu of %llu files, %llu bytes (%.1f%%)\n",
		   (unsigned long long)s->files_new, (unsigned long long)s->files,
		   (unsigned long long)s->file_bytes_new,
		   s->bytes ? 100.0 * (double)s->file_bytes_new / (double)s->bytes : 0.0);
	buf_printf(b, "  by chunk:  upload %llu of %llu chunks, %llu bytes (%.1f%%)\n",
		   (unsigned long long)s->chunks_new, (unsigned long long)s->chunks,
		   (unsigned long long)s->chunk_bytes_new,
		   s->bytes ? 100.0 * (double)s->chunk_bytes_new / (double)s->bytes : 0.0);
}

int cmd_cas(int argc, char **argv)
{
	int c;
	bool json = false;
	uint64_t avg = 65536;
	const char *out = "-";
	while ((c = cli_next_opt(&cmd_cas_spec, argc, argv)) >= 0) {
		switch (c) {
		case O_JSON: json = true; break;
		case 'o': out = optarg; break;
		case O_CHUNK_AVG:
			if (memlimit_parse(optarg, &avg) || avg < 64 || avg > (1u << 28))
				return cli_usage_error(&cmd_cas_spec,
						       "--chunk-avg takes a size from 64 to 256M");
			break;
		}
	}
	if (c != CLI_OPT_END)
		return cli_opt_exit(c);
	if (argc - optind < 2)
		return cli_usage_error(&cmd_cas_spec, "needs OLD... and NEW");
	struct cas_result r;
	struct diag d = {0};
	struct diag_list errs = {0};
	struct buf b = BUF_INIT;
	int rc = EXIT_OK;
	if (cas_run(&r, (const char *const *)argv + optind, (size_t)(argc - optind - 1),
		    argv[argc - 1], (size_t)avg, &errs, &d)) {
		rc = cli_diag(&d);
		goto out;
	}
	rc |= cli_print_errors(&errs);
	if (json) {
		json_t *doc = json_pack("{s:s,s:{s:I,s:I,s:I},s:{s:I,s:I,s:I},s:o,s:o}",
			"schema", "slim-cas/1",
			"chunking", "min", (json_int_t)r.chunk_min, "avg", (json_int_t)r.chunk_avg,
			"max", (json_int_t)r.chunk_max,
			"store", "files", (json_int_t)r.store_files, "chunks",
			(json_int_t)r.store_chunks, "bytes", (json_int_t)r.store_bytes,
			"new", side_json(&r.now), "fixed", side_json(&r.fixed));
		char *s = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
		buf_puts(&b, s);
		buf_putc(&b, '\n');
		free(s);
		json_decref(doc);
	} else {
		buf_printf(&b, "store: %llu files, %llu chunks, %llu bytes (chunks %zu/%zu/%zu "
			   "min/avg/max)\n", (unsigned long long)r.store_files,
			   (unsigned long long)r.store_chunks, (unsigned long long)r.store_bytes,
			   r.chunk_min, r.chunk_avg, r.chunk_max);
		side_text(&b, "new", &r.now);
		side_text(&b, "new, were the differences slim diff explains fixed", &r.fixed);
	}
	if (cli_emit(out, &b, &d))
		rc = cli_diag(&d);
out:
	diag_list_free(&errs);
	buf_free(&b);
	return cli_finish(rc);
}
