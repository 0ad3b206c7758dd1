/* test_walk.c — the one walk over an expression (ast.c: expr_walk) and
 * the program's questions written with it (program.c: score_calls,
 * const_refs, order_scores): every child position is visited, in order;
 * leave pairs with enter; a visitor can stop the walk or skip a subtree. */
#include "test_util.h"

/* A score that calls a score and names a const in every position a child
 * can have: an operator's operands (the `else` too), a call's arguments,
 * a comprehension's `where` and body. */
#define WALKED                                                               \
    STRATEGY_HEADER                                                          \
    "role cfo { }\nteam web { }\ncustomer all_staff { }\n"                   \
    "service a { owner = web customers = [all_staff] }\n"                    \
    "const k1 = 1\nconst k2 = 2\nconst k3 = 3\nconst k4 = 4\nconst k5 = 5\n" \
    "score s1(s) = 1\nscore s2(s) = 2\nscore s3(s) = 3\n"                    \
    "score s4(s) = 4\nscore s5(s) = 5\n"                                     \
    "score top(s) = if s1(s) > k1 then s2(s) + k2\n"                         \
    "  else max(s3(s), k3) + count(x for x in service where s4(x) > k4)\n"   \
    "       + sum(s5(x) * k5 for x in service)\n"

static Score *score_named(strat_compilation *c, const char *name)
{
    return program_score(c, intern_cstr(c, name));
}

static void every_child_position_is_visited(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(WALKED);
    if (c->nerrors)
        dump_diags(c);
    assert_int_equal(c->nerrors, 0);
    Expr *top = score_named(c, "top")->decl->expr;

    PtrVec calls = {0};
    score_calls(c, top, &calls);
    assert_int_equal(calls.len, 5);
    for (uint32_t i = 0; i < calls.len; i++) {
        char want[16];
        snprintf(want, sizeof want, "s%u", i + 1);
        assert_string_equal(((Expr *)calls.items[i])->u.call.fn, want);
    }

    PtrVec consts = {0};
    const_refs(c, top, &consts);
    assert_int_equal(consts.len, 5);
    for (uint32_t i = 0; i < consts.len; i++) {
        char want[16];
        snprintf(want, sizeof want, "k%u", i + 1);
        assert_string_equal(((Expr *)consts.items[i])->u.name.id, want);
    }

    /* the scores top calls come before it, each once */
    PtrVec order = {0};
    bool seen[16] = {false};
    order_scores(c, score_named(c, "top"), &order, seen);
    assert_int_equal(order.len, 6);
    for (uint32_t i = 0; i < 5; i++) {
        char want[16];
        snprintf(want, sizeof want, "s%u", i + 1);
        assert_string_equal(((Score *)order.items[i])->name, want);
    }
    assert_string_equal(((Score *)order.items[5])->name, "top");
    strat_free(c);
}

typedef struct Counts {
    unsigned entered, left, depth, max_depth;
    ExprKind stop_at;        /* EX_ERROR: never stop */
    ExprKind skip;           /* EX_ERROR: never skip */
} Counts;

static WalkStep count_enter(Expr *e, void *ctx)
{
    Counts *k = ctx;
    k->entered++;
    if (e->kind == k->stop_at)
        return WALK_STOP;
    if (e->kind == k->skip)
        return WALK_SKIP;   /* its leave still comes, without its children */
    if (++k->depth > k->max_depth)
        k->max_depth = k->depth;
    return WALK_CHILDREN;
}

static void count_leave(Expr *e, void *ctx)
{
    Counts *k = ctx;
    k->left++;
    if (e->kind != k->skip)
        k->depth--;
}

static void leave_pairs_with_enter_and_stop_stops(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(WALKED);
    Expr *top = score_named(c, "top")->decl->expr;

    Counts all = {0, 0, 0, 0, EX_ERROR, EX_ERROR};
    assert_int_equal(expr_walk(top, &(ExprVisitor){count_enter, count_leave, &all}),
                     WALK_CHILDREN);
    assert_true(all.entered > 20);
    assert_int_equal(all.left, all.entered);
    assert_int_equal(all.depth, 0);

    /* skipping the comprehensions leaves their where and body unseen */
    Counts skip = {0, 0, 0, 0, EX_ERROR, EX_COMPREH};
    expr_walk(top, &(ExprVisitor){count_enter, count_leave, &skip});
    assert_true(skip.entered < all.entered);
    assert_int_equal(skip.left, skip.entered);

    /* the first call stops the walk: the condition's first operand */
    Counts stop = {0, 0, 0, 0, EX_CALL, EX_ERROR};
    assert_int_equal(expr_walk(top, &(ExprVisitor){count_enter, count_leave, &stop}),
                     WALK_STOP);
    assert_int_equal(stop.entered, 3);   /* if, >, s1(s) */
    assert_int_equal(stop.left, 0);

    /* a NULL expression is an empty walk */
    Counts none = {0, 0, 0, 0, EX_ERROR, EX_ERROR};
    assert_int_equal(expr_walk(NULL, &(ExprVisitor){count_enter, count_leave, &none}),
                     WALK_CHILDREN);
    assert_int_equal(none.entered, 0);
    strat_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_child_position_is_visited),
        cmocka_unit_test(leave_pairs_with_enter_and_stop_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
