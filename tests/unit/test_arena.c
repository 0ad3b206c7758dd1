/* test_arena.c — the arena's blocks (arena.c): every piece handed out lies
 * inside a block the allocator gave, big blocks are used from a 2 MiB
 * boundary (where their pages can be huge), and a refused block long-jumps. */
#include "test_util.h"

#include <sys/mman.h>

#include "arena.h"

/* An allocator that remembers the blocks it gave (malloc underneath), and
 * refuses once `refuse_after` blocks are out. */
enum { MAX_BLOCKS = 256 };
typedef struct Tracker {
    char *start[MAX_BLOCKS];
    size_t size[MAX_BLOCKS];
    unsigned n, refuse_after;
} Tracker;

static void *tracking_alloc(void *ud, void *ptr, size_t old_size, size_t new_size)
{
    Tracker *t = ud;
    if (new_size == 0) {
        for (unsigned i = 0; i < t->n; i++)
            if (t->start[i] == ptr && t->size[i] == old_size)
                t->start[i] = NULL;
        free(ptr);
        return NULL;
    }
    if (ptr || t->n == MAX_BLOCKS || (t->refuse_after && t->n >= t->refuse_after))
        return NULL;
    char *p = malloc(new_size);
    if (p) {
        t->start[t->n] = p;
        t->size[t->n++] = new_size;
    }
    return p;
}

/* Whether [p, p + n) lies inside one block the tracker gave out. */
static bool inside_a_block(const Tracker *t, const void *p, size_t n)
{
    const char *q = p;
    for (unsigned i = 0; i < t->n; i++)
        if (t->start[i] && q >= t->start[i] && q + n <= t->start[i] + t->size[i])
            return true;
    return false;
}

static void pieces_lie_inside_blocks_and_big_ones_on_huge_boundaries(void **state)
{
    (void)state;
    Tracker t = {0};
    strat_allocator alloc = {tracking_alloc, &t};
    jmp_buf oom;
    Arena a;
    arena_init(&a, &alloc, &oom);
    if (setjmp(oom))
        fail_msg("an allocation failed");
    /* small pieces, then pieces big enough for blocks of their own, then
     * small ones again (cut from the big blocks' rest), up to the very end
     * of a block: each is written whole (under ASan, a piece reaching past
     * its block is an overflow of the malloc'd block) */
    static const size_t sizes[] = {24, 100, 70000, (5u << 20) + 12345, 1 << 16, 16,
                                   (2u << 20) - 1, (9u << 20) + 7, 3, (4u << 20)};
    unsigned huge_seen = 0;
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
            size_t n = sizes[i];
            const ArenaBlock *before = a.head;
            char *p = arena_alloc(&a, n);
            memset(p, (int)i, n);
            assert_true(inside_a_block(&t, p, n));
            if (a.head != before && n >= (4u << 20)) {
                huge_seen++;
#ifdef MADV_HUGEPAGE
                /* a new big block is used from a boundary on */
                assert_int_equal((uintptr_t)p & ((2u << 20) - 1), 0);
#endif
            }
        }
    }
    assert_true(huge_seen >= 3);
    /* what is left of the current block is inside it too, to its last byte */
    size_t rest = (size_t)(a.end - a.cur) & ~(size_t)(_Alignof(max_align_t) - 1);
    if (rest) {
        char *p = arena_alloc(&a, rest);
        memset(p, 0xAB, rest);
        assert_true(inside_a_block(&t, p, rest));
    }
    arena_free_all(&a);
    for (unsigned i = 0; i < t.n; i++)
        assert_null(t.start[i]);   /* every block given back, at its size */
}

static void a_refused_big_block_long_jumps(void **state)
{
    (void)state;
    Tracker t = {0};
    t.refuse_after = 2;
    strat_allocator alloc = {tracking_alloc, &t};
    jmp_buf oom;
    Arena a;
    arena_init(&a, &alloc, &oom);
    volatile int failed = 0;
    if (setjmp(oom)) {
        failed = 1;
    } else {
        for (int i = 0; i < 4; i++)
            (void)arena_alloc(&a, 6u << 20);
    }
    assert_int_equal(failed, 1);
    assert_int_equal(t.n, 2);
    arena_free_all(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pieces_lie_inside_blocks_and_big_ones_on_huge_boundaries),
        cmocka_unit_test(a_refused_big_block_long_jumps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
