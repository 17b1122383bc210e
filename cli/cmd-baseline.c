/* cmd-baseline.c - `slim baseline`: not built yet (placeholder). */
#include "cli.h"

int cmd_baseline(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("baseline: not implemented yet");
}
