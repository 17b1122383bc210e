/* A small real program for linker-map tests: it uses zlib, sqlite3 and
 * jansson from Debian's static archives, so each linker must pull a
 * realistic set of archive members and discard unused sections. */
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

int helper_used(int x);
int helper_unused(int x);

static int cb(void *arg, int n, char **v, char **names)
{
	(void)names;
	json_t *a = arg;
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i] ? v[i] : ""));
	return 0;
}

int main(int argc, char **argv)
{
	const char *text = argc > 1 ? argv[1] : "hello, linker maps";
	unsigned char out[256];
	uLongf outlen = sizeof out;
	if (compress(out, &outlen, (const unsigned char *)text, strlen(text)) != Z_OK)
		return 1;
	sqlite3 *db;
	if (sqlite3_open(":memory:", &db) != SQLITE_OK)
		return 1;
	json_t *a = json_array();
	sqlite3_exec(db, "select 1, 'two'", cb, a, NULL);
	sqlite3_close(db);
	char *s = json_dumps(a, JSON_COMPACT);
	printf("%lu %s %d\n", (unsigned long)outlen, s, helper_used(argc));
	free(s);
	json_decref(a);
	return 0;
}
