/* elf.c - placeholder; the analyzer is being written. */
#include "elf.h"
#include "../../common/diag.h"
#include "../../common/util.h"
#include <stdlib.h>

struct elf_ctx { int dummy; };
struct elf_ctx *elf_ctx_new(const struct elf_opts *o) { (void)o; return xcalloc(1, sizeof(struct elf_ctx)); }
void elf_ctx_free(struct elf_ctx *c) { free(c); }
int elf_analyze(struct elf_ctx *c, struct graph *g, const char *path,
		const char **root_id, struct diag_list *w, struct diag *d)
{
	(void)c; (void)g; (void)root_id; (void)w;
	return diag_err(d, path, "not implemented");
}
