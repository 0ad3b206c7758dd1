/*
 * explain.h — `strat explain` (explain.c): why one service got its
 * decision, and the smallest change of one input that would flip it.
 */
#ifndef STRAT_EXPLAIN_H
#define STRAT_EXPLAIN_H

#include <stdio.h>

#include "eval.h"

/* STRAT_FINDINGS when nothing was decided; STRAT_FAILURE (reported) when
 * there is no such service. */
strat_status explain_service(Compilation *c, FILE *out, const char *service);

#endif
