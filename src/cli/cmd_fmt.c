/* cmd_fmt.c — placeholder while `strat fmt` is being written. */
#include "commands.h"

int cmd_fmt(CliOptions *o)
{
    (void)o;
    fputs("strat: fmt is not available yet\n", stderr);
    return STRAT_FAILURE;
}
