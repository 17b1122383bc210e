/* cmd-graph.c - `slim graph`: not built yet (placeholder). */
#include "cli.h"

int cmd_graph(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return cli_error("graph: not implemented yet");
}
