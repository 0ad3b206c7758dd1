/* commands.h — one function per `strat` command (cmd_*.c). */
#ifndef STRAT_COMMANDS_H
#define STRAT_COMMANDS_H

#include "cli.h"

int cmd_check(CliOptions *o);
int cmd_decide(CliOptions *o);
int cmd_explain(CliOptions *o);
int cmd_test(CliOptions *o);
int cmd_fmt(CliOptions *o);
int cmd_fix(CliOptions *o);
int cmd_diff(CliOptions *o);
int cmd_graph(CliOptions *o);
int cmd_sensitivity(CliOptions *o);
int cmd_lsp(CliOptions *o);
int cmd_sql(CliOptions *o);
int cmd_showback(CliOptions *o);
int cmd_forecast(CliOptions *o);

#endif
