/*
 * parallel.c — a parallel for over rows, for the few big, simple passes
 * (setting a million-row table's columns to "missing", clearing the name
 * table) that would otherwise make the main thread take every page fault
 * of fresh memory, which on some machines costs more than the work, and
 * for the JIT's compiled kernel over the services.
 *
 * The body must only write its own rows: no allocation, no diagnostics.
 */
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "parallel.h"

enum { MAX_PARALLEL = 8 };

typedef struct Slice {
    void (*fn)(void *ctx, uint32_t lo, uint32_t hi);
    void *ctx;
    uint32_t lo, hi;
} Slice;

static void *run_slice(void *arg)
{
    Slice *s = arg;
    s->fn(s->ctx, s->lo, s->hi);
    return NULL;
}

int parallel_rows(const Compilation *c, uint32_t n, uint32_t min_rows,
                  void (*fn)(void *ctx, uint32_t lo, uint32_t hi), void *ctx)
{
    /* too few rows to share: no thread, and no sysconf either (it reads
     * /sys each time, and a check makes thousands of small calls) */
    if (n < 2 * (uint64_t)min_rows) {
        fn(ctx, 0, n);
        return 1;
    }
    long ncpu = c->opts.threads ? (long)c->opts.threads : sysconf(_SC_NPROCESSORS_ONLN);
    int nthreads = ncpu > MAX_PARALLEL ? MAX_PARALLEL : ncpu < 1 ? 1 : (int)ncpu;
    if (nthreads == 1) {
        fn(ctx, 0, n);
        return 1;
    }
    Slice slices[MAX_PARALLEL];
    pthread_t tids[MAX_PARALLEL];
    bool started[MAX_PARALLEL] = {false};
    for (int t = 0; t < nthreads; t++)
        slices[t] = (Slice){fn, ctx, (uint32_t)((uint64_t)n * t / nthreads),
                            (uint32_t)((uint64_t)n * (t + 1) / nthreads)};
    /* slice 0 here; a thread that cannot start has its slice done here too */
    for (int t = 1; t < nthreads; t++)
        started[t] = pthread_create(&tids[t], NULL, run_slice, &slices[t]) == 0;
    run_slice(&slices[0]);
    for (int t = 1; t < nthreads; t++) {
        if (started[t])
            pthread_join(tids[t], NULL);
        else
            run_slice(&slices[t]);
    }
    return nthreads;
}

typedef struct ZeroJob {
    char *p;
    size_t bytes;
} ZeroJob;

enum { ZERO_CHUNK = 1 << 16 };

static void zero_slice(void *ctx, uint32_t lo, uint32_t hi)
{
    ZeroJob *z = ctx;
    size_t from = (size_t)lo * ZERO_CHUNK;
    size_t to = (size_t)hi * ZERO_CHUNK < z->bytes ? (size_t)hi * ZERO_CHUNK : z->bytes;
    memset(z->p + from, 0, to - from);
}

void parallel_zero(const Compilation *c, void *p, size_t bytes)
{
    ZeroJob z = {p, bytes};
    uint64_t chunks = (bytes + ZERO_CHUNK - 1) / ZERO_CHUNK;
    if (chunks > UINT32_MAX)
        memset(z.p, 0, bytes);
    else
        parallel_rows(c, (uint32_t)chunks, 64, zero_slice, &z);   /* 4 MiB a thread at least */
}

void *parallel_zalloc(Compilation *c, size_t bytes)
{
    void *p = arena_alloc(&c->arena, bytes);
    parallel_zero(c, p, bytes);
    return p;
}
