/*
 * test_sensitivity.c — unit tests for src/sensitivity.c (cmocka): the
 * Monte-Carlo finds the decisions that sit on a threshold, leaves the
 * portfolio as it found it, and gives the same bytes for the same seed.
 */
#include "test_util.h"

/* on_the_line sits exactly on the invest bar (value 0.7), cheap_or_not
 * exactly on the retire bar (cost 500k), near 0.08 above the bar, far can
 * never move (csat 5 moves at most to 4.5: value 0.9). */
static const char knife[] =
    "strategy \"Knife\" { horizon = 2027-01-01 .. 2027-12-31  budget = 10M }\n"
    "customer everyone { title = \"Everyone\" }\n"
    "schema service {\n"
    "  cost : number >= 0 = 0\n"
    "  csat : number in 0 .. 5 = 3\n"
    "}\n"
    "service on_the_line { customers = [everyone]  csat = 3.5  cost = 100k }\n"
    "service near { customers = [everyone]  csat = 3.9  cost = 100k }\n"
    "service far { customers = [everyone]  csat = 5  cost = 100k }\n"
    "service cheap_or_not { customers = [everyone]  csat = 1  cost = 500k }\n"
    "score value(s) = s.csat / 5\n"
    "decide {\n"
    "  invest   when value(s) >= 0.7\n"
    "  retire   when s.cost >= 500k\n"
    "  tolerate otherwise\n"
    "}\n";

static char *run(strat_compilation *c, unsigned runs, double spread,
                 unsigned long long seed, const char *format, strat_status *st)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    strat_sensitivity_options o = {runs, spread, seed, 0, format};
    *st = strat_sensitivity(c, out, &o);
    fclose(out);
    return buf;
}

/* The changed percentage of a service in CSV output, or -1 if not listed. */
static double changed(const char *csv, const char *service)
{
    char key[64];
    snprintf(key, sizeof key, "\n%s,", service);
    const char *p = strstr(csv, key);
    if (!p)
        return -1;
    p = strchr(p + 1, ',');           /* after the service */
    p = strchr(p + 1, ',');           /* after the decision */
    return strtod(p + 1, NULL);
}

static void threshold_services_flip_about_half_the_time(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(knife);
    strat_status st;
    char *csv = run(c, 400, 0.10, 7, "csv", &st);
    assert_int_equal(st, STRAT_OK);
    /* binomial(400, 1/2): a standard deviation is 2.5 points */
    assert_true(changed(csv, "on_the_line") > 35 && changed(csv, "on_the_line") < 65);
    assert_true(changed(csv, "cheap_or_not") > 35 && changed(csv, "cheap_or_not") < 65);
    /* 0.08 above a bar that moves by up to 0.1: about a tenth of runs */
    assert_true(changed(csv, "near") > 3 && changed(csv, "near") < 20);
    assert_true(changed(csv, "far") < 0);
    free(csv);
    strat_free(c);
}

static void a_tiny_spread_moves_only_what_is_on_a_threshold(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(knife);
    strat_status st;
    char *csv = run(c, 100, 1e-9, 0, "csv", &st);
    assert_int_equal(st, STRAT_OK);
    assert_true(changed(csv, "on_the_line") > 20);
    assert_true(changed(csv, "cheap_or_not") > 20);
    assert_true(changed(csv, "near") < 0);
    assert_true(changed(csv, "far") < 0);
    free(csv);
    strat_free(c);
}

static char *decisions(strat_compilation *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(strat_emit_decisions(c, out, "csv"), STRAT_OK);
    fclose(out);
    return buf;
}

/* norm() ranges and objective weights (alignment) move with the draws */
static const char with_norm[] =
    "strategy \"N\" { horizon = 2027-01-01 .. 2027-12-31  budget = 10M }\n"
    "role cio { title = \"CIO\" }\n"
    "customer everyone { title = \"Everyone\" }\n"
    "objective grow { title = \"g\"  metric = \"m\"  baseline = 1%  target = 2%\n"
    "  due = 2027-12-31  weight = 0.6  owner = cio }\n"
    "objective keep { title = \"k\"  metric = \"m\"  baseline = 1%  target = 2%\n"
    "  due = 2027-12-31  weight = 0.4  owner = cio }\n"
    "schema service { cost : number >= 0 = 0 }\n"
    "service a { customers = [everyone]  supports = [grow]  cost = 100k }\n"
    "service b { customers = [everyone]  supports = [keep]  cost = 300k }\n"
    "service c { customers = [everyone]  supports = [grow, keep]  cost = 200k }\n"
    "score cheap(s) = 1 - norm(s.cost)\n"
    "score fit(s) = 0.5 * cheap(s) + 0.5 * alignment(s)\n"
    "decide {\n"
    "  invest   when fit(s) >= 0.6\n"
    "  tolerate otherwise\n"
    "  rank by fit(s) desc\n"
    "}\n";

static char *explained(strat_compilation *c, const char *service)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    strat_explain(c, out, service);
    fclose(out);
    return buf;
}

static void the_portfolio_is_left_as_it_was(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(with_norm);
    assert_int_equal(strat_error_count(c), 0);
    char *before = decisions(c);
    char *why_before = explained(c, "c");   /* shows the norm() ranges */
    strat_status st;
    char *first = run(c, 50, 0.5, 3, NULL, &st);
    char *again = run(c, 50, 0.5, 3, NULL, &st);
    char *after = decisions(c);
    char *why_after = explained(c, "c");
    assert_string_equal(before, after);
    assert_string_equal(why_before, why_after);
    free(why_before);
    free(why_after);
    /* and a second study starts from the same inputs: the same report */
    assert_string_equal(first, again);
    free(before);
    free(after);
    free(first);
    free(again);
    strat_free(c);
}

/* A norm() and a string met only on a branch that a perturbation takes
 * (no service has csat above 4.8 until one is moved there): what the run
 * makes then must outlive it (under ASan a freed norm() cache would be a
 * use after free in the next run). */
static void a_branch_only_a_perturbation_takes(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(
        "strategy \"B\" { horizon = 2027-01-01 .. 2027-12-31  budget = 10M }\n"
        "customer everyone { title = \"Everyone\" }\n"
        "schema service { cost : number >= 0 = 0\n  csat : number in 0 .. 5 = 3 }\n"
        "service a { customers = [everyone]  csat = 4.7  cost = 100k  title = \"x\" }\n"
        "service b { customers = [everyone]  csat = 2  cost = 300k  title = \"y\" }\n"
        "score v(s) = if s.csat > 4.8 then norm(s.cost) + 0.5 else 0.1\n"
        "score t(s) = if s.csat > 4.8 and s.title == \"rare\" then 1 else 0\n"
        "decide {\n"
        "  invest   when v(s) + t(s) >= 0.5\n"
        "  tolerate otherwise\n"
        "}\n");
    assert_int_equal(strat_error_count(c), 0);
    strat_status st;
    char *csv = run(c, 300, 0.1, 5, "csv", &st);
    assert_int_equal(st, STRAT_OK);
    /* a moves above 4.8 now and then (needs u > 0.2: about 40% of runs) */
    assert_true(changed(csv, "a") > 20 && changed(csv, "a") < 60);
    assert_true(changed(csv, "b") < 0);
    free(csv);
    strat_free(c);
}

static void the_seed_fixes_the_draws(void **state)
{
    (void)state;
    strat_compilation *a = compile_text(knife);
    strat_compilation *b = compile_text(knife);
    strat_status st;
    char *a1 = run(a, 200, 0.1, 11, "json", &st);
    char *b1 = run(b, 200, 0.1, 11, "json", &st);
    char *b2 = run(b, 200, 0.1, 12, "json", &st);
    assert_string_equal(a1, b1);
    assert_string_not_equal(b1, b2);
    free(a1);
    free(b1);
    free(b2);
    strat_free(a);
    strat_free(b);
}

static void no_decide_block_is_a_finding(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(
        "strategy \"S\" { horizon = 2027-01-01 .. 2027-12-31  budget = 1M }\n"
        "customer everyone { title = \"E\" }\n"
        "service a { customers = [everyone] }\n");
    strat_status st;
    char *out = run(c, 10, 0.1, 0, NULL, &st);
    assert_int_equal(st, STRAT_FINDINGS);
    assert_string_equal(out, "");
    free(out);
    strat_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(threshold_services_flip_about_half_the_time),
        cmocka_unit_test(a_tiny_spread_moves_only_what_is_on_a_threshold),
        cmocka_unit_test(the_portfolio_is_left_as_it_was),
        cmocka_unit_test(a_branch_only_a_perturbation_takes),
        cmocka_unit_test(the_seed_fixes_the_draws),
        cmocka_unit_test(no_decide_block_is_a_finding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
