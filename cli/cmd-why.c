/* cmd-why.c - `slim why`: not built yet (placeholder). */
#include "cli.h"

int cmd_why(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("why: not implemented yet");
}
