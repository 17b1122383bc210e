/* libdemo.a member pulled in only by util.o's helper_unused(): the linker
 * loads it before --gc-sections runs, then discards every section of it,
 * which is what a dead-archive-member finding says. */
static int dead_table[512] = {7};

int demo_dead(int x)
{
	return dead_table[x & 511] + x;
}
