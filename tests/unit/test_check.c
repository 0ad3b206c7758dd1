/* test_check.c — resolution and the checks, each firing and staying silent. */
#include <math.h>

#include "test_util.h"
#include "dates.h"
#include "parse.h"

#define PEOPLE                                                              \
    "role cfo { }\nteam web { }\n"                                          \
    "objective grow_revenue { metric = \"m\" baseline = 1 target = 2 "      \
    "due = 2027-06-30 weight = 1 owner = cfo }\n"                          \
    "value_stream vs { delivers = grow_revenue stage engage { services = [] } }\n"

static void clean_strategy_is_clean(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER PEOPLE
                                        "service a { owner = web supports = [grow_revenue] }\n");
    if (c->nerrors || c->nwarnings)
        dump_diags(c);
    assert_int_equal(c->nerrors, 0);
    assert_int_equal(c->nwarnings, 0);
    strat_free(c);
}

/* A column no row writes has no storage (program.c: a million-row load
 * with std/itil would otherwise page in ~20 columns of "missing"); its
 * rows still read as missing or as the schema's default, and a write to
 * one row materializes it with the others kept. */
static void unwritten_columns_have_no_storage(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(
        STRATEGY_HEADER PEOPLE
        "schema service { used : number  unset : number  preset : number = 2.5\n"
        "  level : symbol in [coarse, fine] = fine  since : date  tags : [symbol] }\n"
        "service a { owner = web supports = [grow_revenue] used = 1 }\n"
        "service b { owner = web supports = [grow_revenue] used = 2 }\n"
        "score f(s) = s.used + s.preset\n"
        "decide { invest when f(s) > 3  tolerate otherwise }\n");
    if (c->nerrors)
        dump_diags(c);
    assert_int_equal(c->nerrors, 0);
    KindTable *svc = kind_table(c, EK_SERVICE);
    int used = attr_slot(svc, intern_cstr(c, "used"));
    int unset = attr_slot(svc, intern_cstr(c, "unset"));
    int preset = attr_slot(svc, intern_cstr(c, "preset"));
    int level = attr_slot(svc, intern_cstr(c, "level"));
    int since = attr_slot(svc, intern_cstr(c, "since"));
    int tags = attr_slot(svc, intern_cstr(c, "tags"));
    assert_true(column_present(&svc->attrs[used], &svc->cols[used]));
    const int absent[] = {unset, preset, level, since, tags};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        assert_false(column_present(&svc->attrs[absent[i]], &svc->cols[absent[i]]));
    /* the reads: missing, the default, the symbol default, missing date */
    assert_true(isnan(col_num(svc, unset, 1)));
    assert_true(col_num(svc, preset, 1) == 2.5);
    assert_int_equal(col_i32(svc, level, 0), atom_id(c, intern_cstr(c, "fine")));
    assert_int_equal(col_i32(svc, since, 0), INT32_MIN);
    const int32_t *elems;
    assert_int_equal(col_list(svc, tags, 0, &elems).len, 0);
    /* a first write keeps the other rows at the fill */
    column_materialize(c, svc, preset);
    assert_true(column_present(&svc->attrs[preset], &svc->cols[preset]));
    svc->cols[preset].num[0] = 7;
    assert_true(col_num(svc, preset, 0) == 7);
    assert_true(col_num(svc, preset, 1) == 2.5);
    strat_free(c);
}

/* A CSV's rows are counted before any is read and the name table reserved
 * for them: a name a row for the keys, and one more only when a column
 * fills a string attribute (a title).  The table holds four slots for
 * three names (16 B each); reserving for titles that are not there
 * doubled it.  The file is over 8 MiB, so its line breaks are counted in
 * 1 MiB pieces across the cores (csv_load.c, count_lines): a count that
 * lost pieces would reserve too little, and the table would double during
 * the load. */
static void name_table_reserved_for_what_the_csv_holds(void **state)
{
    (void)state;
    enum { ROWS = 300000 };
    for (int titled = 0; titled <= 1; titled++) {
        size_t cap = 64 + (size_t)ROWS * 64;
        char *csv = malloc(cap);
        assert_non_null(csv);
        size_t n = (size_t)snprintf(csv, cap, titled ? "id,title,cost\n" : "id,cost\n");
        for (int i = 0; i < ROWS; i++)
            n += (size_t)snprintf(csv + n, cap - n,
                                  titled ? "a-service-with-a-long-key-%07d,T%d,0.%02d\n"
                                         : "a-service-with-a-long-key-%07d,0.%02d\n",
                                  i, titled ? i : i % 100, i % 100);
        assert_true(n > (size_t)8 << 20);
        strat_compilation *c = compile_text_csv(
            STRATEGY_HEADER PEOPLE "schema service { cost : number }\n"
            "load service from \"s.csv\" { key = \"id\" }\n"
            "decide { retire when s.cost > 50  tolerate otherwise }\n",
            "s.csv", csv);
        free(csv);
        if (c->nerrors)
            dump_diags(c);
        assert_int_equal(c->nerrors, 0);
        assert_int_equal(kind_table(c, EK_SERVICE)->count, ROWS);
        /* at most three names in four slots, and not many more slots than
         * that: a third over the keys (and the strategy's names, and the
         * reserve's sixty-fourth to spare), or over a key and a title a row */
        assert_true((uint64_t)c->names.len * 4 <= (uint64_t)c->names.cap * 3);
        uint64_t reserved = titled ? 2 * ROWS : ROWS;
        assert_true(c->names.cap >= reserved * 4 / 3);
        assert_true(c->names.cap <= (reserved + reserved / 64 + 4096) * 4 / 3);
        strat_free(c);
    }
}

static void undefined_reference_suggests(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER PEOPLE
                                        "service a { owner = web supports = [grow_revnue] }\n");
    Diag *d = find_code(c, D_UNDEFINED);
    assert_non_null(d);
    assert_non_null(d->hint);
    assert_string_equal(d->hint, "did you mean `grow_revenue`?");
    LineCol lc = diag_pos(c, d);
    assert_int_equal(lc.line, 6);
    assert_int_equal(lc.col, 37);
    strat_free(c);
}

static void wrong_kind_and_duplicate(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER PEOPLE
                                        "service a { owner = web supports = [grow_revenue] }\n"
                                        "service b { owner = web supports = [a] }\n"
                                        "service a { owner = web }\n");
    assert_int_equal(count_code(c, D_WRONG_KIND), 1);
    assert_int_equal(count_code(c, D_DUPLICATE), 1);
    Diag *d = find_code(c, D_DUPLICATE);
    assert_non_null(d->notes);   /* points at the first definition */
    strat_free(c);
}

static void schema_types_ranges_required(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER PEOPLE
                                        "schema service { csat : number in 0..5 = 3\n"
                                        "  tier : symbol in [gold, silver] required }\n"
                                        "service a { owner = web supports = [grow_revenue] "
                                        "csat = 7 tier = gold }\n"
                                        "service b { owner = web supports = [grow_revenue] "
                                        "csat = \"x\" tier = bronze }\n"
                                        "service d { owner = web supports = [grow_revenue] }\n");
    assert_int_equal(count_code(c, D_RANGE), 1);
    assert_int_equal(count_code(c, D_TYPE), 1);
    assert_int_equal(count_code(c, D_BAD_SYMBOL), 1);
    assert_int_equal(count_code(c, D_REQUIRED), 1);
    /* the default applied where nothing was written */
    KindTable *t = kind_table(c, EK_SERVICE);
    int slot = attr_slot(t, intern_cstr(c, "csat"));
    assert_true(t->cols[slot].num[kind_lookup(t, intern_cstr(c, "d"))] == 3.0);
    strat_free(c);
}

/* `> a < b` is an exclusive lower and upper bound: the ends themselves
 * are out of range, a value between them is not (and so for `>= a <= b`,
 * whose ends are in). */
static void exclusive_and_inclusive_bounds(void **state)
{
    (void)state;
    static const struct { const char *value; unsigned out_of_range; } cases[] = {
        {"0", 1}, {"100", 1}, {"0.5", 0}, {"99.5", 0}, {"-1", 1}, {"101", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int inclusive = 0; inclusive <= 1; inclusive++) {
            char text[2048];
            snprintf(text, sizeof text,
                     STRATEGY_HEADER PEOPLE "schema service { sla : number %s 0 %s 100 }\n"
                     "service a { owner = web supports = [grow_revenue] sla = %s }\n",
                     inclusive ? ">=" : ">", inclusive ? "<=" : "<", cases[i].value);
            strat_compilation *c = compile_text(text);
            /* the ends are in range when the bounds are inclusive */
            bool end = strcmp(cases[i].value, "0") == 0 || strcmp(cases[i].value, "100") == 0;
            unsigned want = inclusive && end ? 0 : cases[i].out_of_range;
            if (count_code(c, D_RANGE) != want) {
                dump_diags(c);
                fail_msg("sla = %s with %s bounds: %u out-of-range diagnostics, want %u",
                         cases[i].value, inclusive ? "inclusive" : "exclusive",
                         count_code(c, D_RANGE), want);
            }
            strat_free(c);
        }
    }
}

/* A date before 1970 is a negative day number, not a missing date: the
 * schema default does not replace it, and `required` is satisfied. */
static void dates_before_1970_are_values(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(
        STRATEGY_HEADER PEOPLE
        "schema service { founded : date = 2000-01-01  audited : date required }\n"
        "service a { owner = web supports = [grow_revenue] founded = 1969-12-31 "
        "audited = 1950-06-01 }\n"
        "service b { owner = web supports = [grow_revenue] audited = 1970-01-01 }\n");
    if (c->nerrors)
        dump_diags(c);
    assert_int_equal(count_code(c, D_REQUIRED), 0);
    KindTable *t = kind_table(c, EK_SERVICE);
    int slot = attr_slot(t, intern_cstr(c, "founded"));
    assert_int_equal(t->cols[slot].i32[kind_lookup(t, intern_cstr(c, "a"))], -1);
    assert_int_equal(t->cols[slot].i32[kind_lookup(t, intern_cstr(c, "b"))],
                     days_from_civil(2000, 1, 1));
    strat_free(c);
}

/* `<` and its kin compare two numbers or two dates, never one of each. */
static void date_and_number_do_not_compare(void **state)
{
    (void)state;
    static const char *const exprs[] = {"s.founded < 5", "5 >= s.founded",
                                        "s.founded <= 2027-01-01", "s.x > 1"};
    for (size_t i = 0; i < sizeof exprs / sizeof exprs[0]; i++) {
        char text[2048];
        snprintf(text, sizeof text,
                 STRATEGY_HEADER PEOPLE "schema service { founded : date  x : number }\n"
                 "service a { owner = web supports = [grow_revenue] founded = 2020-01-01 "
                 "x = 1 }\nscore f(s) = if %s then 1 else 0\n",
                 exprs[i]);
        strat_compilation *c = compile_text(text);
        unsigned want = i < 2 ? 1 : 0;
        if (count_code(c, D_TYPE) != want) {
            dump_diags(c);
            fail_msg("`%s`: %u type errors, want %u", exprs[i], count_code(c, D_TYPE), want);
        }
        strat_free(c);
    }
}

static void dependency_cycle_and_retired_dependency(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER PEOPLE
                                        "service a { owner = web supports = [grow_revenue] "
                                        "depends_on = [b] }\n"
                                        "service b { owner = web depends_on = [a, old] }\n"
                                        "service old { owner = web status = retired }\n");
    assert_int_equal(count_code(c, D_DEP_CYCLE), 1);
    assert_int_equal(count_code(c, D_DEP_RETIRED), 1);
    Diag *d = find_code(c, D_DEP_CYCLE);
    assert_non_null(strstr(d->msg, "a -> b -> a"));
    strat_free(c);
}

static void smart_objectives(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(
        STRATEGY_HEADER "role cfo { }\n"
        "objective a { metric = \"m\" baseline = 1 target = 1 due = 2028-06-30 weight = 0.5 }\n"
        "objective b { target = 2 due = 2027-06-30 weight = 0.4 owner = cfo }\n");
    assert_int_equal(count_code(c, D_OBJ_DIRECTION), 1);
    assert_int_equal(count_code(c, D_OBJ_TIMEBOUND), 1);
    assert_int_equal(count_code(c, D_OBJ_OWNER), 1);
    assert_int_equal(count_code(c, D_OBJ_MEASURABLE), 1);
    assert_int_equal(count_code(c, D_OBJ_WEIGHTS), 1);
    strat_free(c);
}

static void appetite_and_acceptance(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(
        STRATEGY_HEADER PEOPLE "const low = 6\nappetite { security = low }\n"
        "service a { owner = web supports = [grow_revenue] "
        "risk security { likelihood = 2 impact = 5 } }\n"
        "service b { owner = web supports = [grow_revenue] "
        "risk security { likelihood = 2 impact = 5 accepted_by = cfo } }\n");
    assert_int_equal(count_code(c, D_OVER_APPETITE), 1);
    strat_free(c);
}

static void score_recursion_and_division(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER PEOPLE
                                        "score f(s) = g(s) + 1\nscore g(s) = f(s) / 0\n"
                                        "score h(s) = h(s)\n");
    assert_int_equal(count_code(c, D_SCORE_RECURSION), 2);
    assert_int_equal(count_code(c, D_DIV_ZERO), 1);
    strat_free(c);
}

static void decide_table_checks(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER PEOPLE
                                        "service a { owner = web supports = [grow_revenue] }\n"
                                        "decide { invst when true\n"
                                        " invest when s.status == pipeline\n"
                                        " enhance when s.status == pipeline\n"
                                        " tolerate otherwise\n retire when true }\n");
    assert_int_equal(count_code(c, D_UNKNOWN_DECISION), 1);
    assert_int_equal(count_code(c, D_UNREACHABLE_ARM), 2);
    assert_int_equal(count_code(c, D_NO_DECISION), 0);
    strat_free(c);
}

static void symbol_typo_in_comparison(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER PEOPLE
                                        "rule r \"m\" = all s in service : s.status != retird\n");
    Diag *d = find_code(c, D_BAD_SYMBOL);
    assert_non_null(d);
    assert_string_equal(d->hint, "did you mean `retired`?");
    strat_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clean_strategy_is_clean),
        cmocka_unit_test(unwritten_columns_have_no_storage),
        cmocka_unit_test(name_table_reserved_for_what_the_csv_holds),
        cmocka_unit_test(undefined_reference_suggests),
        cmocka_unit_test(wrong_kind_and_duplicate),
        cmocka_unit_test(schema_types_ranges_required),
        cmocka_unit_test(exclusive_and_inclusive_bounds),
        cmocka_unit_test(dates_before_1970_are_values),
        cmocka_unit_test(date_and_number_do_not_compare),
        cmocka_unit_test(dependency_cycle_and_retired_dependency),
        cmocka_unit_test(smart_objectives),
        cmocka_unit_test(appetite_and_acceptance),
        cmocka_unit_test(score_recursion_and_division),
        cmocka_unit_test(decide_table_checks),
        cmocka_unit_test(symbol_typo_in_comparison),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
