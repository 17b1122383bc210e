/* cmd-gate.c - `slim gate`: not built yet (placeholder). */
#include "cli.h"

int cmd_gate(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("gate: not implemented yet");
}
