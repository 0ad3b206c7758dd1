/* test_lexer.c — tokens, literals and lexical errors, through the parser. */
#include "test_util.h"

static Expr *const_expr(strat_compilation *c, const char *name)
{
    for (Decl *d = c->decls; d; d = d->next)
        if (d->kind == D_CONST && strcmp(d->name, name) == 0)
            return d->expr;
    return NULL;
}

static void numbers_with_suffixes(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER
                                        "const a = 420k\nconst b = 1.2M\nconst p = 30%\n"
                                        "const u = 1_000_000\nconst g = 4.2B\n"
                                        "const e = 1.5e3\n");
    assert_non_null(c);
    assert_int_equal(c->nerrors, 0);
    assert_true(const_expr(c, "a")->u.num.value == 420000.0);
    assert_true(const_expr(c, "b")->u.num.value == 1200000.0);
    /* 30% is read as 30e-2: the correctly rounded 0.3 */
    assert_true(const_expr(c, "p")->u.num.value == 0.3);
    assert_true(const_expr(c, "u")->u.num.value == 1e6);
    assert_true(const_expr(c, "g")->u.num.value == 4.2e9);
    assert_true(const_expr(c, "e")->u.num.value == 1500.0);
    assert_int_equal(const_expr(c, "p")->u.num.style, NUM_PERCENT);
    strat_free(c);
}

static void malformed_numbers(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER
                                        "const a = 5kg\nconst b = 1__0\nconst d = 10_\n");
    assert_int_equal(count_code(c, D_LEX_NUMBER), 3);
    Diag *d = find_code(c, D_LEX_NUMBER);
    LineCol lc = diag_pos(c, d);
    assert_int_equal(lc.line, 2);
    assert_int_equal(lc.col, 11);
    strat_free(c);
}

static void dates_are_validated(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER
                                        "waiver w { until = 2027-02-30 }\n"
                                        "waiver v { until = 2028-02-29 }\n"
                                        "waiver x { until = 2027-13-01 }\n");
    assert_int_equal(count_code(c, D_LEX_DATE), 2);
    strat_free(c);
}

/* The Gregorian rule, also behind --today (strat_valid_date): every 4th
 * year, but not centuries, but every 400th. */
static void leap_years(void **state)
{
    (void)state;
    const struct { const char *date; bool valid; } cases[] = {
        {"2000-02-29", true},  {"2024-02-29", true},  {"1600-02-29", true},
        {"2028-02-29", true},  {"2100-02-29", false}, {"1900-02-29", false},
        {"2023-02-29", false}, {"2027-02-29", false}, {"2000-02-30", false},
        {"2024-02-28", true},  {"2100-03-01", true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (strat_valid_date(cases[i].date) != cases[i].valid)
            fail_msg("strat_valid_date(\"%s\") should be %s", cases[i].date,
                     cases[i].valid ? "true" : "false");
    }
    /* the lexer says the same of date literals */
    strat_compilation *c = compile_text(STRATEGY_HEADER
                                        "waiver a { until = 2000-02-29 }\n"
                                        "waiver b { until = 2100-02-29 }\n"
                                        "waiver d { until = 1900-02-29 }\n"
                                        "waiver e { until = 2024-02-29 }\n"
                                        "waiver f { until = 2023-02-29 }\n");
    assert_int_equal(count_code(c, D_LEX_DATE), 3);
    strat_free(c);
}

static void string_escapes(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER
                                        "role r { title = \"a\\\"b\\\\c\\n\\u{e9}\" }\n");
    assert_int_equal(c->nerrors, 0);
    Decl *d = c->decls;
    while (d && d->kind != D_ENTITY)
        d = d->next;
    assert_non_null(d);
    assert_string_equal(d->items->value->u.str.s, "a\"b\\c\n\xc3\xa9");
    strat_free(c);
}

static void bad_escapes_and_unterminated(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER
                                        "role r { title = \"a\\qb\" }\n"
                                        "role s { title = \"\\u{D800}\" }\n"
                                        "role t { title = \"open\n }\n");
    assert_int_equal(count_code(c, D_LEX_ESCAPE), 2);
    assert_int_equal(count_code(c, D_LEX_STRING), 1);
    strat_free(c);
}

/* Columns count UTF-8 characters, not bytes. */
static void columns_count_characters(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER
                                        "role r { title = \"été\" x = @ }\n");
    Diag *d = find_code(c, D_LEX_CHAR);
    assert_non_null(d);
    LineCol lc = diag_pos(c, d);
    assert_int_equal(lc.line, 2);
    assert_int_equal(lc.col, 28);
    strat_free(c);
}

static void invalid_utf8_and_nul(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER "role r { title = \"a\xff\" }\n"
                                                        "\x80\n");
    assert_int_equal(count_code(c, D_LEX_UTF8), 2);
    strat_free(c);
}

static void bom_and_crlf_are_accepted(void **state)
{
    (void)state;
    strat_compilation *c = compile_text("\xEF\xBB\xBFstrategy \"t\" {\r\n  horizon = "
                                        "2027-01-01 .. 2027-12-31\r\n  budget = 1M\r\n}\r\n");
    assert_int_equal(c->nerrors, 0);
    strat_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_with_suffixes),
        cmocka_unit_test(malformed_numbers),
        cmocka_unit_test(dates_are_validated),
        cmocka_unit_test(leap_years),
        cmocka_unit_test(string_escapes),
        cmocka_unit_test(bad_escapes_and_unterminated),
        cmocka_unit_test(columns_count_characters),
        cmocka_unit_test(invalid_utf8_and_nul),
        cmocka_unit_test(bom_and_crlf_are_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
