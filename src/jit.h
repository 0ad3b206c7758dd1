/*
 * jit.h — scores and the decide table compiled to machine code with
 * libgccjit, one function for the whole portfolio.
 */
#ifndef STRAT_JIT_H
#define STRAT_JIT_H

#include "eval.h"

/* Scores (and, when every arm compiles, decisions and rank values) of all
 * services into res, by compiled code; what cannot be compiled is left to
 * the interpreter, which the caller runs for it.  Returns false when the
 * JIT is unavailable or failed (the caller then interprets everything).
 * *decided tells whether decisions and rank values were computed. */
bool jit_run(Eval *ev, Results *res, bool *decided);

/* Below this many services `--jit=auto` interprets: compiling costs more
 * than it saves (see docs/performance.md for the measurement). */
enum { JIT_AUTO_THRESHOLD = 20000 };

#endif
