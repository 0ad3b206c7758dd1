/*
 * cmd_showback.c — `strat showback FILES...`.
 *
 * Takes the options main.c parsed; compiles and decides the strategy,
 * prints diagnostics on stderr, and writes strat_showback's report (table,
 * csv, json or md) to stdout or to -o FILE atomically.
 *
 * Exit 0 when clean; 1 when the strategy has findings (a show-back check
 * such as shares that do not sum to 1, or any other: the report is still
 * written, with what could be allocated); 2 when the files cannot be
 * loaded or the output cannot be written.
 */
#include "commands.h"

int cmd_showback(CliOptions *o)
{
    strat_status st;
    AtomicFile out;
    strat_compilation *c = cli_report_start(o, &out, &st);
    if (!c)
        return STRAT_FAILURE;
    strat_status ss = strat_showback(c, out.fp, o->format);
    int rc = ss != STRAT_OK || (o->lib.werror && strat_warning_count(c)) ? STRAT_FINDINGS
                                                                         : STRAT_OK;
    /* a report with findings (reconciliation, shares) is still written */
    return cli_report_finish(c, o, &out, ss == STRAT_FAILURE ? STRAT_FAILURE : STRAT_OK, rc);
}
