/* temporary driver */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "strat/strat.h"
int main(int argc, char **argv)
{
    strat_options o = {0};
    o.stdlib_dir = "stdlib";
    strat_compilation *c = strat_new(NULL, &o);
    strat_status st = strat_load(c, (const char *const *)argv + 2, argc - 2);
    if (st != STRAT_FAILURE) st = strat_check(c);
    strat_print_diagnostics(c, stderr, STRAT_DIAG_TEXT, false);
    strat_free(c);
    return st;
}
