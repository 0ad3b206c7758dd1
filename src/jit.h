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

/* Where `--jit=auto` switches, as measured by `make bench` (see
 * docs/performance.md): code already in the cache pays from about a
 * thousand services; compiling it (about 50 ms) only from about 150k. */
enum { JIT_AUTO_WARM = 1000, JIT_AUTO_COLD = 150000 };

/* Releases the kernel kept for another run (strat_free). */
void jit_release(Compilation *c);

#endif
