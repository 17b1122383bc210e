/* cmd-fatbin.c - `slim fatbin`: not built yet (placeholder). */
#include "cli.h"

int cmd_fatbin(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("fatbin: not implemented yet");
}
