/*
 * cmd_forecast.c — `strat forecast FILES... [--horizon N] [--holdout N]
 * [--format table|csv|json] [-o FILE]`.
 *
 * Takes the options main.c parsed; loads and checks the strategy, prints
 * its diagnostics on stderr, and writes strat_forecast's report (each
 * service's history length, method, forecast and back-test MASE) to
 * stdout or to -o FILE atomically.
 *
 * Exit 0 when clean; 1 when the strategy has findings (the report is still
 * written) or no `load demand` block (nothing written); 2 on usage or I/O
 * failure, or when errors stop the strategy.
 */
#include "commands.h"

int cmd_forecast(CliOptions *o)
{
    if (!o->forecast.horizon)
        o->forecast.horizon = 1;
    if (!o->forecast.holdout)
        o->forecast.holdout = 3;
    o->forecast.format = o->format;
    strat_status st;
    AtomicFile out;
    strat_compilation *c = cli_report_start(o, &out, &st);
    if (!c)
        return STRAT_FAILURE;
    int rc = st != STRAT_OK || (o->lib.werror && strat_warning_count(c)) ? STRAT_FINDINGS
                                                                         : STRAT_OK;
    strat_status fs = strat_forecast(c, out.fp, &o->forecast);
    if (fs == STRAT_FINDINGS && !strat_out_of_memory(c) && strat_error_count(c) == 0)
        fputs("strat forecast: the strategy has no `load demand` block to forecast "
              "from\n", stderr);
    return cli_report_finish(c, o, &out, fs, rc);
}
