/* cmd-diff.c - `slim diff`: not built yet (placeholder). */
#include "cli.h"

int cmd_diff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("diff: not implemented yet");
}
