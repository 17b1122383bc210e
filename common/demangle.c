/* demangle.c - see demangle.h. */
#include "demangle.h"
#include "arena.h"

#include <libiberty/demangle.h>
#include <stdlib.h>
#include <string.h>

const char *demangle(struct arena *a, const char *sym)
{
	if (!sym || strncmp(sym, "_Z", 2))
		return NULL;
	/* "_ZN3foo3barEv@@VERS": demangle the name, keep the version */
	const char *at = strchr(sym, '@');
	size_t n = at ? (size_t)(at - sym) : strlen(sym);
	char small[4096], *buf = n < sizeof small ? small : malloc(n + 1);
	if (!buf)
		return NULL;
	memcpy(buf, sym, n);
	buf[n] = 0;
	char *d = cplus_demangle(buf, DMGL_PARAMS | DMGL_ANSI | DMGL_VERBOSE);
	if (buf != small)
		free(buf);
	if (!d)
		return NULL;
	const char *r = arena_printf(a, "%s%s", d, at ? at : "");
	free(d);
	return r;
}
