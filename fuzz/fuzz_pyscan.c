/*
 * fuzz_pyscan.c - libFuzzer harness for the static Python import scanner
 * (comments and strings blanked, imports found with pcre2, blocks tagged)
 * over arbitrary source text, inside a small package tree.
 */
#include "../common/arena.h"
#include "../pydeps/pyint.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	struct pyset s;
	memset(&s, 0, sizeof s);
	int p = pyset_add_mod(&s, "pkg", 0, -1);
	s.mods[p].is_pkg = true;
	int sub = pyset_add_mod(&s, "pkg.sub", 0, p);
	s.mods[sub].is_pkg = true;
	int leaf = pyset_add_mod(&s, "pkg.sub.leaf", 0, sub);
	pyset_add_mod(&s, "other", 0, -1);
	pyscan_source(&s, &s.mods[leaf], (const char *)data, n);
	for (size_t i = 0; i < s.nmods; i++)
		pyref_free_all(&s.mods[i]);
	pyset_free(&s);
	return 0;
}
