/*
 * fuzz_pytrace.c - libFuzzer harness for the Python trace readers
 * (-X importtime, -v, the recorder's format, plain module lists): any
 * bytes, any line length, never a crash; malformed lines are warnings.
 */
#include "../common/arena.h"
#include "../common/diag.h"
#include "../pydeps/pyint.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t n)
{
	struct pytrace t;
	struct arena a = {0};
	struct diag_list w = {0};
	memset(&t, 0, sizeof t);
	pytrace_parse(&t, "fuzz.trace", (const char *)data, n, &a, &w);
	pytrace_free(&t);
	arena_free(&a);
	diag_list_free(&w);
	return 0;
}
