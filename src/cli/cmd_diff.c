/* cmd_diff.c — placeholder while `strat diff` is being written. */
#include "commands.h"

int cmd_diff(CliOptions *o)
{
    (void)o;
    fputs("strat: diff is not available yet\n", stderr);
    return STRAT_FAILURE;
}
