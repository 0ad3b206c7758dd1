/*
 * strat_test.h — knobs for strat's own tests and fuzzers, kept out of
 * strat_options so that an embedder sees only what is meant for it.  Not
 * installed (`make install` ships strat.h alone); the functions are in
 * libstrat all the same.
 */
#ifndef STRAT_STRAT_TEST_H
#define STRAT_STRAT_TEST_H

#include "strat/strat.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct strat_test_knobs {
    bool jit_O0;               /* compile JIT kernels without optimisation:
                                  the same bits, compiled faster */
    unsigned csv_block_bytes;  /* CSV bytes per parallel block; 0: the
                                  default (tiny blocks stress the seams) */
    unsigned output_block_rows;   /* CSV/JSON rows formatted per parallel
                                  block; 0: the default */
    unsigned pause_after_map_ms;  /* a wait after a large file is mapped,
                                  so a test can truncate it meanwhile */
    bool csv_whole_records;    /* every CSV record read and checked by the
                                  full reader, none by the block reader's
                                  fast path: the reference the block
                                  reader is compared with */
    bool csv_sleep_at_once;    /* a CSV worker waiting for a free slot, or
                                  the main thread for a parsed block,
                                  sleeps at once instead of yielding the CPU
                                  a while first: every hand-over goes
                                  through the wake-ups */
} strat_test_knobs;

/* Sets the knobs of c (copied); call before loading. */
void strat_set_test_knobs(strat_compilation *c, const strat_test_knobs *knobs);

#ifdef __cplusplus
}
#endif
#endif
