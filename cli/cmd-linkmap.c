/* cmd-linkmap.c - `slim linkmap`: not built yet (placeholder). */
#include "cli.h"

int cmd_linkmap(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("linkmap: not implemented yet");
}
