/* Helpers in their own object: with -ffunction-sections, --gc-sections
 * discards helper_unused and its data,
 * and with them everything of libdemo.a(demo_dead.o) it pulled in. */
#include <zlib.h>

int demo_dead(int x);
int demo_live(int x);

static char unused_table[4096] = {1};

int helper_used(int x)
{
	return demo_live(x) + (int)crc32(0, (const unsigned char *)"x", 1);
}

int helper_unused(int x)
{
	return demo_dead(x) + unused_table[x & 4095];
}
