/*
 * decide.h — running the program (decide.c): the last stage.
 */
#ifndef STRAT_DECIDE_H
#define STRAT_DECIDE_H

#include <stdio.h>

#include "eval.h"

/* Scenario, scores, decisions, rank, approvals, then rules (with waivers)
 * and limits as diagnostics.  Sets c->results and c->eval, and returns
 * the results (owned by the compilation); NULL when --scenario names no
 * scenario (reported).  Without a decide block the scores and rules still
 * run; Results.decided says whether there are decisions. */
Results *decide_run(Compilation *c);
/* Computes the score columns options.scores left out (the HTML report
 * shows every score) and makes every one written; returns c->results. */
Results *decide_all_scores(Compilation *c);
/* One service's decision and arm in table 0 from its scores (no ranking). */
void decide_row(Eval *ev, uint32_t row);
/* The same in table t (Program.tables). */
void decide_table_row(Eval *ev, uint32_t t, uint32_t row);
/* Runs every test block: a line per test on out (when not NULL), a
 * diagnostic per failed expectation; counts. */
void decide_tests(Compilation *c, FILE *out, unsigned *passed, unsigned *failed);
/* Whether the portfolio was decided: false when nothing ran (an error
 * blocked it), and false with S0907 reported when the strategy has no
 * decide block. */
bool decide_have_results(Compilation *c);

/* The decide table --table names (options.table), 0 without one; -1 when
 * it names none (S0921, with a did-you-mean: a diagnostic, or a log line
 * when the diagnostics are printed already). */
int decide_table_option(Compilation *c, bool printed);

#endif
