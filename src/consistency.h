/*
 * consistency.h — the portfolio-wide checks (consistency.c).
 */
#ifndef STRAT_CONSISTENCY_H
#define STRAT_CONSISTENCY_H

#include "program.h"

/* The portfolio-wide checks of DESIGN.md §1 (SMART objectives, dependency
 * cycles, retired dependencies, value streams, offerings, appetite, budget
 * and run_max, duplicates, orphans), on a resolved and typed program. */
void check_consistency(Compilation *c);

#endif
