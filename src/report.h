/*
 * report.h — the `report { ... }` block (report.c): what the HTML report's
 * chart plots, chosen in the strategy.
 *
 *   report {
 *     x     = value(s)        # a number per service `s`: the x axis
 *     y     = health(s)       # the y axis
 *     size  = s.cost          # bubble area (0 for a negative or missing size)
 *     title = "Portfolio review 2027"   # the page's heading
 *   }
 *
 * Every key is optional; one block per portfolio.  report_check checks it
 * (S1601-S1605) after the expressions; report_spec gives the block's
 * parts to the HTML report, which evaluates them with the interpreter.
 */
#ifndef STRAT_REPORT_H
#define STRAT_REPORT_H

#include "program.h"

typedef struct ReportSpec {
    const Decl *decl;        /* the block, or NULL when there is none */
    Expr *x, *y, *size;      /* NULL: the default */
    const char *title;       /* decoded, or NULL */
} ReportSpec;

/* Checks the portfolio's report blocks: one at most (S1603), known keys
 * (S1601, with "did you mean"), each once (S1605), numbers on the axes and
 * size (S1602), a string literal for the title (S1604). */
void report_check(Compilation *c);

/* The first report block's parts; NULL for what it does not set (the
 * defaults then), and all NULL when there is no block. */
ReportSpec report_spec(Compilation *c);

#endif
