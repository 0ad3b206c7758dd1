/* test_eval.c — the interpreter's semantics, built-in by built-in, and a
 * small portfolio whose scores and decisions are computed by hand. */
#include <math.h>

#include "test_util.h"

#define BASE                                                                 \
    STRATEGY_HEADER                                                          \
    "role cfo { }\nteam web { }\n"                                           \
    "objective o1 { metric = \"m\" baseline = 1 target = 2 due = 2027-06-30 " \
    "weight = 0.25 owner = cfo }\n"                                          \
    "objective o2 { metric = \"m\" baseline = 1 target = 2 due = 2027-06-30 " \
    "weight = 0.75 owner = cfo }\n"                                          \
    "value_stream vs { delivers = o1 stage engage { services = [] } }\n"     \
    "value_stream vt { delivers = o2 stage plan { services = [] } }\n"       \
    "schema service { x : number = 0  y : number = 0 }\n"

/* Evaluates score `f` for service `a` in a strategy built from BASE plus
 * `score f(s) = EXPR` and service a with attributes `attrs`. */
static double score_of(const char *expr, const char *attrs, unsigned *nan_diags)
{
    char text[2048];
    snprintf(text, sizeof text,
             BASE "service a { owner = web supports = [o1] %s }\n"
                  "service b { owner = web supports = [o2] x = 10 y = 20 }\n"
                  "score f(s) = %s\n",
             attrs, expr);
    strat_compilation *c = compile_text(text);
    if (c->nerrors && !count_code(c, D_NAN))
        dump_diags(c);
    assert_true(c->results != NULL);
    KindTable *t = kind_table(c, EK_SERVICE);
    int32_t row = kind_lookup(t, intern_cstr(c, "a"));
    double v = c->results->scores[row];
    if (nan_diags)
        *nan_diags = count_code(c, D_NAN);
    strat_free(c);
    return v;
}

static void arithmetic_and_ieee(void **state)
{
    (void)state;
    assert_true(score_of("s.x * 2 + 1", "x = 3", NULL) == 7.0);
    assert_true(score_of("0.1 + 0.2", "", NULL) == 0.1 + 0.2);
    unsigned nans;
    double v = score_of("s.x / s.y", "x = 1 y = 0", &nans);
    assert_true(isinf(v));
    assert_int_equal(nans, 1);          /* an infinite score is a finding */
    v = score_of("s.x / s.y", "x = 0 y = 0", &nans);
    assert_true(isnan(v));
    assert_int_equal(nans, 1);
}

static void min_max_clamp_propagate_nan(void **state)
{
    (void)state;
    assert_true(score_of("min(s.x, 2, 5)", "x = 3", NULL) == 2.0);
    assert_true(score_of("max(s.x, 2)", "x = 3", NULL) == 3.0);
    assert_true(score_of("clamp(s.x, 0, 1)", "x = 3", NULL) == 1.0);
    assert_true(score_of("clamp(s.x, 0, 1)", "x = -3", NULL) == 0.0);
    unsigned nans;
    assert_true(isnan(score_of("min(sqrt(s.x), 1)", "x = -1", &nans)));
    assert_int_equal(nans, 1);
}

static void math_builtins(void **state)
{
    (void)state;
    assert_true(score_of("abs(s.x)", "x = -2.5", NULL) == 2.5);
    assert_true(score_of("sqrt(s.x)", "x = 16", NULL) == 4.0);
    assert_true(score_of("log(s.x)", "x = 1", NULL) == 0.0);
    assert_true(score_of("pow(s.x, 3)", "x = 2", NULL) == 8.0);
    unsigned nans;
    assert_true(isinf(score_of("log(s.x)", "x = 0", &nans)));
    assert_int_equal(nans, 1);
}

static void if_defined_and_missing(void **state)
{
    (void)state;
    assert_true(score_of("if s.x > 2 then 1 else 0", "x = 3", NULL) == 1.0);
    assert_true(score_of("if defined(s.owner) then 1 else 0", "", NULL) == 1.0);
    /* comparisons with a missing number are false */
    assert_true(score_of("if s.x / s.y > 0 then 1 else 0", "x = 0 y = 0", NULL) == 0.0);
}

static void alignment_norm_and_count(void **state)
{
    (void)state;
    /* a supports o1 (weight 0.25) */
    assert_true(score_of("alignment(s)", "", NULL) == 0.25);
    /* x over {a: 5, b: 10}: a is the minimum */
    assert_true(score_of("norm(s.x)", "x = 5", NULL) == 0.0);
    assert_true(score_of("norm(s.x)", "x = 15", NULL) == 1.0);
    /* every service equal: 0 by definition */
    assert_true(score_of("norm(1)", "", NULL) == 0.0);
    assert_true(score_of("count(s.supports)", "", NULL) == 1.0);
    assert_true(score_of("count(t for t in service where t.x > 5)", "x = 1", NULL) == 1.0);
    assert_true(score_of("sum(t.x for t in service)", "x = 1", NULL) == 11.0);
}

static void exposure_takes_the_worst_risk(void **state)
{
    (void)state;
    assert_true(score_of("exposure(s, security)",
                         "risk security { likelihood = 2 impact = 3 accepted_by = cfo }", NULL) ==
                6.0);
    assert_true(score_of("exposure(s, privacy)", "", NULL) == 0.0);
}

/* Hand-computed: value = 0.5*alignment + 0.5*x/10; decide on value. */
static void hand_computed_portfolio(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(
        BASE
        "service a { owner = web supports = [o1, o2] x = 8 }\n"   /* 0.5*1 + 0.4 = 0.9 */
        "service b { owner = web supports = [o2] x = 3 }\n"       /* 0.375 + 0.15 = 0.525 */
        "service d { owner = web supports = [o1] x = 1 }\n"       /* 0.125 + 0.05 = 0.175 */
        "service e { owner = web supports = [o1] x = 5 status = pipeline }\n" /* 0.375 */
        "score value(s) = 0.5 * alignment(s) + 0.5 * s.x / 10\n"
        "decide {\n experiment when s.status == pipeline\n"
        " invest when value(s) >= 0.8 because \"high\"\n"
        " enhance when value(s) >= 0.5\n retire when value(s) < 0.2\n"
        " tolerate otherwise\n rank by value(s) desc\n}\n"
        "approval big { when = decision == invest approver = cfo }\n"
        "test t1 { expect decision(a) == invest expect decision(d) == retire }\n");
    if (c->nerrors)
        dump_diags(c);
    assert_int_equal(c->nerrors, 0);
    Results *r = c->results;
    KindTable *t = kind_table(c, EK_SERVICE);
    const struct { const char *name; double value; Decision d; uint32_t rank; } want[] = {
        {"a", 0.5 * 1.0 + 0.5 * 8 / 10.0, DEC_INVEST, 1},
        {"b", 0.5 * 0.75 + 0.5 * 3 / 10.0, DEC_ENHANCE, 2},
        {"d", 0.5 * 0.25 + 0.5 * 1 / 10.0, DEC_RETIRE, 4},
        {"e", 0.5 * 0.25 + 0.5 * 5 / 10.0, DEC_EXPERIMENT, 3},
    };
    for (size_t i = 0; i < 4; i++) {
        int32_t row = kind_lookup(t, intern_cstr(c, want[i].name));
        assert_true(row >= 0);
        /* the same operations in the same order: equal to the last bit */
        assert_true(r->scores[row] == want[i].value);
        assert_int_equal(r->decision[row], want[i].d);
        assert_int_equal(r->rank[row], want[i].rank);
    }
    assert_string_equal(result_approvers(r, (uint32_t)kind_lookup(t, intern_cstr(c, "a"))), "cfo");
    assert_null(result_approvers(r, (uint32_t)kind_lookup(t, intern_cstr(c, "b"))));
    unsigned passed, failed;
    strat_test(c, NULL, &passed, &failed);
    assert_int_equal(passed, 1);
    assert_int_equal(failed, 0);
    strat_free(c);
}

/* -0 and +0 are one rank value: they tie, and ties keep declaration
 * order, whichever zero comes first and in either direction. */
static void rank_ties_signed_zeros(void **state)
{
    (void)state;
    for (int asc = 0; asc <= 1; asc++) {
        char text[2048];
        snprintf(text, sizeof text,
                 BASE "service a { owner = web supports = [o1] x = 0 }\n"
                      "service b { owner = web supports = [o1] x = -0 }\n"
                      "service c { owner = web supports = [o1] x = 1 }\n"
                      "service d { owner = web supports = [o2] x = -0 }\n"
                      "service e { owner = web supports = [o2] x = 0 }\n"
                      "decide {\n tolerate otherwise\n rank by s.x %s\n}\n",
                 asc ? "asc" : "desc");
        strat_compilation *c = compile_text(text);
        if (c->nerrors)
            dump_diags(c);
        assert_int_equal(c->nerrors, 0);
        Results *r = c->results;
        KindTable *t = kind_table(c, EK_SERVICE);
        /* the zeros really are of both signs */
        assert_true(signbit(r->rank_value[kind_lookup(t, intern_cstr(c, "b"))]));
        assert_false(signbit(r->rank_value[kind_lookup(t, intern_cstr(c, "a"))]));
        const char *desc_order[] = {"c", "a", "b", "d", "e"};
        const char *asc_order[] = {"a", "b", "d", "e", "c"};
        for (uint32_t i = 0; i < 5; i++) {
            const char *want = asc ? asc_order[i] : desc_order[i];
            uint32_t row = (uint32_t)kind_lookup(t, intern_cstr(c, want));
            if (r->rank[row] != i + 1)
                fail_msg("rank by s.x %s: `%s` is ranked %u, want %u", asc ? "asc" : "desc",
                         want, r->rank[row], i + 1);
        }
        strat_free(c);
    }
}

/* What `strat explain` prints for one service. */
static char *explain_text(strat_compilation *c, const char *service)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    strat_explain(c, out, service);
    fclose(out);
    return buf;
}

/* The short figure of a flip is rounded away from the current value, so
 * it crosses a strict threshold: x = 5 with `x < 3` flips at 2.999 (not
 * 3, which does not flip), x = -5 with `x > -3` at -2.999. */
static void explain_short_figure_crosses_the_threshold(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(
        BASE "service a { owner = web supports = [o1] x = 5 }\n"
             "service b { owner = web supports = [o2] x = -5 }\n"
             "decide {\n invest when s.x < 3 and s.x > 0\n"
             " retire when s.x > -3 and s.x < 0\n tolerate otherwise\n}\n");
    if (c->nerrors)
        dump_diags(c);
    assert_int_equal(c->nerrors, 0);
    char *a = explain_text(c, "a"), *b = explain_text(c, "b");
    if (!strstr(a, " 5 -> 2.999 ") || !strstr(a, "would make it invest"))
        fail_msg("explain a: want the flip 5 -> 2.999 to invest:\n%s", a);
    if (!strstr(b, " -5 -> -2.999 ") || !strstr(b, "would make it retire"))
        fail_msg("explain b: want the flip -5 -> -2.999 to retire:\n%s", b);
    free(a);
    free(b);
    strat_free(c);
}

static void rules_waivers_limits(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(
        BASE
        "service a { owner = web supports = [o1] x = 8 }\n"
        "service b { supports = [o2] }\n"
        "service d { supports = [o2] }\n"
        "rule owned (warning) \"owned\" = all s in service : defined(s.owner)\n"
        "waiver w { rule = owned entity = b until = 2027-12-31 approved_by = cfo }\n"
        "waiver v { rule = owned entity = a until = 2027-12-31 approved_by = cfo }\n"
        "waiver old { rule = owned entity = d until = 2026-12-31 approved_by = cfo }\n"
        "decide { tolerate otherwise }\n"
        "limit few \"at most one\" = count(s for s in service where decision(s) == tolerate) <= 1\n");
    /* d breaks the rule (its waiver lapsed, itself an error), b is waived,
     * and the waiver for a is unused */
    assert_int_equal(count_code(c, D_WAIVER_EXPIRED), 1);
    strat_free(c);
    c = compile_text(
        BASE
        "service a { owner = web supports = [o1] x = 8 }\n"
        "service b { supports = [o2] }\n"
        "service d { supports = [o2] }\n"
        "rule owned (warning) \"owned\" = all s in service : defined(s.owner)\n"
        "waiver w { rule = owned entity = b until = 2027-12-31 approved_by = cfo }\n"
        "waiver v { rule = owned entity = a until = 2027-12-31 approved_by = cfo }\n"
        "decide { tolerate otherwise }\n"
        "limit few \"at most one\" = count(s for s in service where decision(s) == tolerate) <= 1\n");
    assert_int_equal(count_code(c, D_RULE_VIOLATION), 1);
    Diag *d = find_code(c, D_RULE_VIOLATION);
    assert_int_equal(d->severity, SEV_WARNING);
    assert_non_null(strstr(d->msg, "`d`"));
    assert_int_equal(count_code(c, D_WAIVER_UNUSED), 1);
    assert_int_equal(count_code(c, D_LIMIT_VIOLATION), 1);
    assert_non_null(strstr(find_code(c, D_LIMIT_VIOLATION)->msg, "3 <= 1"));
    strat_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arithmetic_and_ieee),
        cmocka_unit_test(min_max_clamp_propagate_nan),
        cmocka_unit_test(math_builtins),
        cmocka_unit_test(if_defined_and_missing),
        cmocka_unit_test(alignment_norm_and_count),
        cmocka_unit_test(exposure_takes_the_worst_risk),
        cmocka_unit_test(hand_computed_portfolio),
        cmocka_unit_test(rules_waivers_limits),
        cmocka_unit_test(rank_ties_signed_zeros),
        cmocka_unit_test(explain_short_figure_crosses_the_threshold),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
