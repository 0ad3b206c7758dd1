/*
 * sensitivity.h — `strat sensitivity` (sensitivity.c): which decisions are
 * knife-edge under Monte-Carlo perturbation of the inputs.
 */
#ifndef STRAT_SENSITIVITY_H
#define STRAT_SENSITIVITY_H

#include <stdio.h>

#include "eval.h"

/* strat_sensitivity documents the options; needs a decided portfolio
 * (STRAT_FINDINGS, writing nothing, without one). */
strat_status sensitivity_run(Compilation *c, FILE *out, const strat_sensitivity_options *o);

#endif
