/*
 * graph-cli.c - small helpers the graph-output commands (graph, why, diff,
 * baseline, gate) share, kept out of the shared cli.c.
 */
#include "graph-cli.h"
#include "../common/buf.h"
#include "../common/ofile.h"

/* Write a buffer to path ("-" = stdout) through ofile (temp + rename). */
int cli_emit(const char *path, const struct buf *b, struct diag *d)
{
	struct ofile o;
	FILE *fp = ofile_open(&o, path, d);
	if (!fp)
		return -1;
	if (b->len && fwrite(b->p, 1, b->len, fp) != b->len) {
		ofile_abort(&o);
		return diag_err(d, path, "write failed");
	}
	return ofile_commit(&o, d);
}

/*
 * LeakSanitizer reads this hook at exit (under `make asan` only; a plain
 * build never calls it).  graphviz keeps its plugin tables and fontconfig
 * its font cache for the life of the process by design; their allocations
 * are not slim's leaks.
 */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libgvc.so\nleak:libcgraph.so\nleak:libfontconfig.so\n"
	       "leak:libpango\nleak:libcairo\nleak:libglib\nleak:libgobject\n"
	       "leak:libgvplugin\n";
}

/* ... and without the "Suppressions used" table at exit: its counts vary
 * from run to run (fontconfig's cache), and the tests compare slim's
 * stderr byte for byte (test-tree-cache: cold = warm = uncached). */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
	return "print_suppressions=0";
}
