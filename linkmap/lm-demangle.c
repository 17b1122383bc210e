/*
 * lm-demangle.c - C++ symbol names shown demangled (issue 4).
 *
 * The Itanium C++ ABI demangler every GNU toolchain uses is
 * abi::__cxa_demangle in libstdc++ (c++filt uses libiberty's copy of the
 * same code).  slim is C and does not link libstdc++, so the function is
 * looked up once in libstdc++.so.6 with dlopen/dlsym (in glibc's libc since
 * 2.34); where that library is absent names stay mangled, which is what the
 * map printed, so nothing is lost but readability.
 */
#include "linkmap.h"
#include "../common/arena.h"

#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

typedef char *(*cxa_demangle_fn)(const char *, char *, size_t *, int *);

static cxa_demangle_fn demangler(void)
{
	static int tried;
	static cxa_demangle_fn fn;
	if (!tried) {
		tried = 1;
		void *h = dlopen("libstdc++.so.6", RTLD_LAZY | RTLD_LOCAL);
		if (h)
			fn = (cxa_demangle_fn)dlsym(h, "__cxa_demangle");
	}
	return fn;
}

const char *lm_demangle(struct arena *a, const char *sym)
{
	if (!sym || strncmp(sym, "_Z", 2))
		return NULL;
	cxa_demangle_fn fn = demangler();
	if (!fn)
		return NULL;
	/* "_ZN3foo3barEv@@VERS": demangle the name, keep the version */
	const char *at = strchr(sym, '@');
	char buf[4096];
	size_t n = at ? (size_t)(at - sym) : strlen(sym);
	if (n >= sizeof buf)
		return NULL;
	memcpy(buf, sym, n);
	buf[n] = 0;
	int st = 0;
	char *d = fn(buf, NULL, NULL, &st);
	if (!d || st)
		return NULL;
	const char *r = arena_printf(a, "%s%s", d, at ? at : "");
	free(d);
	return r;
}
