/* cmd-pydeps.c - `slim pydeps`: not built yet (placeholder). */
#include "cli.h"

int cmd_pydeps(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("pydeps: not implemented yet");
}
