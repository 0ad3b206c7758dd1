/*
 * arena.c — bump allocation in blocks obtained from the compilation's
 * allocator; see arena.h for why failure long-jumps.
 */
#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

struct ArenaBlock {
    ArenaBlock *prev;
    size_t size;               /* bytes of the whole block, header included */
    max_align_t data[];
};

enum { ARENA_BLOCK_MIN = 64 * 1024, ARENA_BLOCK_MAX_GROW = 32 << 20 };

void arena_init(Arena *a, const strat_allocator *alloc, jmp_buf *oom_jump)
{
    memset(a, 0, sizeof *a);
    a->alloc = alloc;
    a->oom_jump = oom_jump;
}

static _Noreturn void arena_oom(Arena *a)
{
    longjmp(*a->oom_jump, 1);
}

_Noreturn void arena_fail(Arena *a)
{
    arena_oom(a);
}

void *arena_raw_alloc(Arena *a, size_t size)
{
    void *p = a->alloc->fn(a->alloc->ud, NULL, 0, size ? size : 1);
    if (!p)
        arena_oom(a);
    return p;
}

void arena_raw_free(Arena *a, void *p, size_t size)
{
    if (p)
        a->alloc->fn(a->alloc->ud, p, size, 0);
}

/* Big blocks (columns, the name table of a million-row load) take
 * transparent huge pages on Linux, where the kernel gives them only when
 * asked (THP "madvise").  Fresh memory costs its page faults more than its
 * bytes, above all on a virtual machine: writing 100 MB took 260-350 ms in
 * 4 KiB pages and 10-180 ms in 2 MiB ones.  Only whole 2 MiB pages inside
 * the advised range are huge, so a big block is allocated two of them
 * longer and used between its first and last 2 MiB boundaries: before,
 * the unaligned ends of the blocks took a million-row load 5,000 small
 * faults.  A refusal of the advice is harmless. */
enum { HUGE = 2u << 20, HUGE_BLOCK_MIN = 2 * HUGE };

static bool block_is_huge(size_t want)
{
#ifdef MADV_HUGEPAGE
    return want >= HUGE_BLOCK_MIN;
#else
    (void)want;
    return false;
#endif
}

/* The first HUGE boundary at or after p. */
static char *huge_align(char *p)
{
    return (char *)(((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1));
}

void arena_free_all(Arena *a)
{
    ArenaBlock *b = a->head;
    while (b) {
        ArenaBlock *prev = b->prev;
        arena_raw_free(a, b, b->size);
        b = prev;
    }
    a->head = NULL;
    a->cur = a->end = NULL;
    a->total = 0;
}

/* arena_alloc's slow path: a new block for a size (already aligned) that
 * does not fit in the current one. */
void *arena_alloc_block(Arena *a, size_t size)
{
    /* blocks grow with the arena (an eighth of it, up to 32 MiB), so a
     * large compilation takes few of them, in huge pages */
    size_t grow = a->total / 8 < ARENA_BLOCK_MAX_GROW ? a->total / 8 : ARENA_BLOCK_MAX_GROW;
    size_t want = sizeof(ArenaBlock) + size;
    if (want < ARENA_BLOCK_MIN)
        want = ARENA_BLOCK_MIN;
    if (want < grow)
        want = grow;
    if (want < sizeof(ArenaBlock) + size || size > SIZE_MAX / 2) /* overflow */
        arena_oom(a);
    bool huge = block_is_huge(want);
    if (huge)
        want += 2 * HUGE;   /* (virtual: what lies outside the boundaries stays untouched) */
    ArenaBlock *b = arena_raw_alloc(a, want);
    b->prev = a->head;
    b->size = want;
    a->head = b;
    a->total += want;
    a->cur = (char *)b->data;
    a->end = (char *)b + want;
    if (huge) {
        a->cur = huge_align(a->cur);
        a->end = huge_align(a->end - HUGE + 1);   /* the last boundary */
#ifdef MADV_HUGEPAGE
        madvise(a->cur, (size_t)(a->end - a->cur), MADV_HUGEPAGE);
#endif
    }
    void *p = a->cur;
    a->cur += size;
    return p;
}

ArenaMark arena_mark(const Arena *a)
{
    return (ArenaMark){a->head, a->cur, a->end, a->total};
}

void arena_release(Arena *a, ArenaMark m)
{
    while (a->head && a->head != m.head) {
        ArenaBlock *b = a->head;
        a->head = b->prev;
        arena_raw_free(a, b, b->size);
    }
    a->cur = m.cur;
    a->end = m.end;
    a->total = m.total;
    if (a->cur)
        ARENA_POISON(a->cur, (size_t)(a->end - a->cur));
}

void *arena_zalloc(Arena *a, size_t size)
{
    void *p = arena_alloc(a, size);
    memset(p, 0, size);
    return p;
}

void *arena_realloc(Arena *a, void *old, size_t old_size, size_t new_size)
{
    if (new_size <= old_size)
        return old;
    void *p = arena_alloc(a, new_size);
    if (old && old_size)
        memcpy(p, old, old_size);
    return p;
}

char *arena_strndup(Arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_printf(Arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    char *p = arena_alloc(a, (size_t)n + 1);
    if ((size_t)n < sizeof small) {
        memcpy(p, small, (size_t)n + 1);
    } else {
        va_start(ap, fmt);
        vsnprintf(p, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    return p;
}

void ptrvec_reserve(Arena *a, PtrVec *v, uint32_t more)
{
    uint64_t want = (uint64_t)v->len + more;
    if (want <= v->cap || want > UINT32_MAX / 2)
        return;
    v->items = arena_realloc(a, v->items, sizeof(void *) * v->cap, sizeof(void *) * want);
    v->cap = (uint32_t)want;
}

void ptrvec_push(Arena *a, PtrVec *v, void *item)
{
    if (v->len == v->cap) {
        uint32_t ncap = v->cap ? v->cap * 2 : 8;
        v->items = arena_realloc(a, v->items, sizeof(void *) * v->cap,
                                 sizeof(void *) * ncap);
        v->cap = ncap;
    }
    v->items[v->len++] = item;
}

void ptrvec_room(Arena *a, PtrVec *v)
{
    if (v->len == v->cap)
        ptrvec_reserve(a, v, v->cap ? v->cap : 8);
}
