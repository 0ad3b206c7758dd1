/*
 * cmd_sql.c — `strat sql --dialect D FILES... [--table NAME] [--view NAME]`.
 *
 * Takes the options main.c parsed; compiles and decides the strategy (the
 * query computes what decide computes, and the decide stage says which
 * scores that is), prints diagnostics on stderr, and writes strat_sql's
 * query to stdout or to -o FILE atomically.
 *
 * Exit 0 when clean; 1 when the strategy has findings (the query is still
 * written) or part of it cannot be translated (no query); 2 on usage or
 * I/O failure, or when the strategy has errors that stop deciding.
 */
#include <string.h>

#include "commands.h"

static int sql_usage(const char *fmt, const char *arg)
{
    fputs("strat sql: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry `strat sql --help`.\n", stderr);
    return STRAT_FAILURE;
}

int cmd_sql(CliOptions *o)
{
    const char *d = o->sql.dialect;
    const char *bad = strat_sql_bad_option(&o->sql);
    if (bad && !d)
        return sql_usage("%s", "--dialect postgres, duckdb or spark is required");
    if (bad && strcmp(bad, "dialect") == 0)
        return sql_usage("--dialect takes postgres, duckdb or spark, not `%s`", d);
    if (bad && strcmp(bad, "table") == 0)
        return sql_usage("--table takes a name of letters, digits, `_` and `.`, not `%s`",
                         o->sql.table);
    if (bad && strcmp(bad, "view") == 0)
        return sql_usage("--view takes a name of letters, digits, `_` and `.`, not `%s`",
                         o->sql.view);
    if (bad)
        return sql_usage("--row-order takes a column name of letters, digits and `_`, not "
                         "`%s`", o->sql.row_order);
    if (o->lib.scenario)
        return sql_usage("%s", "--scenario is not translated: the query decides the "
                               "inventory as it is");
    /* the scores decide computes and writes by default (strat.h) */
    if (!o->lib.scores)
        o->lib.scores = "";
    strat_status st;
    AtomicFile out;
    strat_compilation *c = cli_report_start(o, &out, &st);
    if (!c)
        return STRAT_FAILURE;
    int rc = st != STRAT_OK || (o->lib.werror && strat_warning_count(c)) ? STRAT_FINDINGS
                                                                         : STRAT_OK;
    return cli_report_finish(c, o, &out, strat_sql(c, out.fp, &o->sql), rc);
}
