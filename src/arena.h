/*
 * arena.h — region allocation for one compilation.
 *
 * Every byte a compilation needs (AST, symbol tables, diagnostics, portfolio
 * columns) comes from its arena and is released at once when the compilation
 * is freed.  All allocation funnels through one function (the
 * strat_allocator given to strat_new), so tests can fail the Nth allocation
 * and watch the error travel.  An allocation failure never returns NULL to the caller: it
 * long-jumps to the library entry point that armed `oom_jump` (STRAT_GUARD
 * in compiler.h, used by api.c), the Lua way, so no call site needs a NULL
 * check.
 */
#ifndef STRAT_ARENA_H
#define STRAT_ARENA_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include "strat/strat.h"

/* Under AddressSanitizer, memory given back by arena_release is poisoned
 * until it is handed out again, so a pointer kept past a release is
 * caught. */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define ARENA_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define ARENA_POISON(p, n) ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

typedef struct ArenaBlock ArenaBlock;

typedef struct Arena {
    ArenaBlock *head;          /* newest block; older ones chained behind */
    char *cur, *end;           /* free space in head */
    size_t total;              /* bytes obtained from the allocator */
    const strat_allocator *alloc;
    jmp_buf *oom_jump;         /* where to go when the allocator says no */
} Arena;

void arena_init(Arena *a, const strat_allocator *alloc, jmp_buf *oom_jump);
void arena_free_all(Arena *a);

/* Never returns NULL: on failure it long-jumps to *oom_jump.  Inline, as
 * a million-row load takes two million small pieces (names). */
void *arena_alloc_block(Arena *a, size_t size);
static inline void *arena_alloc(Arena *a, size_t size)
{
    const size_t align = _Alignof(max_align_t);
    if (size > SIZE_MAX / 2)
        return arena_alloc_block(a, size);   /* fails */
    size = (size + align - 1) & ~(align - 1);
    if (size == 0)
        size = align;
    if ((size_t)(a->end - a->cur) < size)
        return arena_alloc_block(a, size);
    void *p = a->cur;
    a->cur += size;
    ARENA_UNPOISON(p, size);
    return p;
}
void *arena_zalloc(Arena *a, size_t size);
void *arena_realloc(Arena *a, void *old, size_t old_size, size_t new_size);
char *arena_strndup(Arena *a, const char *s, size_t n);
char *arena_printf(Arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A point to roll the arena back to: everything allocated after a mark is
 * freed by arena_release.  Only for work that keeps nothing: an allocation
 * after the mark that something older points to (a vector grown, a name
 * interned) would dangle. */
typedef struct ArenaMark {
    ArenaBlock *head;
    char *cur, *end;
    size_t total;
} ArenaMark;

ArenaMark arena_mark(const Arena *a);
void arena_release(Arena *a, ArenaMark m);

/* Raw allocations outside the arena (large columns, file buffers) still go
 * through the compilation's allocator so failure injection sees them. */
void *arena_raw_alloc(Arena *a, size_t size);
/* Memory that was given but cannot be used (intern.c: a name's address
 * that does not fit its slot): handled as an allocation failure. */
_Noreturn void arena_fail(Arena *a);
void arena_raw_free(Arena *a, void *p, size_t size);

#define ARENA_NEW(a, T) ((T *)arena_zalloc((a), sizeof(T)))
#define ARENA_ARRAY(a, T, n) ((T *)arena_zalloc((a), sizeof(T) * (size_t)(n)))

/* A growable array of pointers living in an arena (old storage is simply
 * abandoned on growth; the arena reclaims it at the end). */
typedef struct PtrVec {
    void **items;
    uint32_t len, cap;
} PtrVec;

void ptrvec_push(Arena *a, PtrVec *v, void *item);
/* Room for `more` items without growing in steps (a known large count). */
void ptrvec_reserve(Arena *a, PtrVec *v, uint32_t more);
/* Makes room for one more item in v, doubling (so that the push after it
 * cannot fail). */
void ptrvec_room(Arena *a, PtrVec *v);

#endif
