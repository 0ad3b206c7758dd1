/*
 * diff.h — `strat diff` (diff.c): the decisions that changed between two
 * versions of a strategy, and why.
 */
#ifndef STRAT_DIFF_H
#define STRAT_DIFF_H

#include <stdio.h>

#include "eval.h"

/* The report onto out, as text or (md) Markdown, between two compilations
 * both checked and decided; *changes (may be NULL) gets the services
 * added, removed or moved.  STRAT_FINDINGS, writing nothing, when either
 * side has nothing decided.  Allocates in both arenas. */
strat_status diff_report(Compilation *old, Compilation *new_, FILE *out, bool md,
                         unsigned *changes);

#endif
