/*
 * parallel.h — a parallel for over rows (parallel.c), for the few big,
 * simple passes: setting fresh columns, clearing big tables, the compiled
 * kernel over a million services.
 */
#ifndef STRAT_PARALLEL_H
#define STRAT_PARALLEL_H

#include "compiler.h"

/* fn(ctx, lo, hi) over [0, n) split across the cores (one call when
 * n < 2 * min_rows); fn writes its rows only: no allocation, no
 * diagnostics.  Returns the number of slices it ran (threads). */
int parallel_rows(const Compilation *c, uint32_t n, uint32_t min_rows,
                  void (*fn)(void *ctx, uint32_t lo, uint32_t hi), void *ctx);
/* arena memory set to zero across the cores when it is large */
void *parallel_zalloc(Compilation *c, size_t bytes);
/* bytes at p set to zero across the cores (the first touch of fresh pages) */
void parallel_zero(const Compilation *c, void *p, size_t bytes);

#endif
