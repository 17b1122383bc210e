/*
 * Sections a linker script throws away with /DISCARD/ (discard.ld).  The
 * note is a garbage-collection root (linkers never collect SHT_NOTE), so
 * only the script removes it: cause "script".  The .discard.* pair is
 * referenced by nothing, so --gc-sections removes it before the script
 * is applied, and every linker prints it under --print-gc-sections:
 * cause "gc".
 */
#include <stdio.h>

__attribute__((section(".note.slim.discard"), used, aligned(4)))
static const unsigned int tag[4] = {5, 4, 0x5a, 0x534c494d};
__attribute__((section(".discard.text"), used)) int discard_me(int x) { return x * 7; }
__attribute__((section(".discard.data"), used)) int discard_table[64] = {1, 2, 3};

int main(void)
{
	puts("discard");
	return 0;
}
