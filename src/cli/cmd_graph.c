/* cmd_graph.c — placeholder while `strat graph` is being written. */
#include "commands.h"

int cmd_graph(CliOptions *o)
{
    (void)o;
    fputs("strat: graph is not available yet\n", stderr);
    return STRAT_FAILURE;
}
