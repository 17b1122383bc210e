/* cmd-elf.c - `slim elf FILE...` (placeholder). */
#include "cli.h"

int cmd_elf(int argc, char **argv)
{
	(void)argc; (void)argv;
	return cli_error("elf: not implemented yet");
}
