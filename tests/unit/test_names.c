/* test_names.c — names in backticks (DESIGN §5.2): lexing, the malformed
 * ones, and how a name is written back (intern.c's name_spelling). */
#include "test_util.h"

static int32_t service_row(strat_compilation *c, const char *name)
{
    return kind_lookup(kind_table(c, EK_SERVICE), intern_cstr(c, name));
}

static void backtick_names_are_names(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(
        STRATEGY_HEADER
        "team `Parks & Recreation` {}\n"
        "service `Email Archive Platform` { owner = `Parks & Recreation`\n"
        "  depends_on = [`Benefits Administration`] }\n"
        "service `Benefits Administration` { owner = `Parks & Recreation` }\n"
        "service `in` { owner = `Parks & Recreation` }\n"
        "service `plain` { owner = `Parks & Recreation` }\n");
    assert_non_null(c);
    assert_int_equal(c->nerrors, 0);
    assert_true(service_row(c, "Email Archive Platform") >= 0);
    assert_true(service_row(c, "Benefits Administration") >= 0);
    /* a keyword in backticks is a name; an identifier in backticks is itself */
    assert_true(service_row(c, "in") >= 0);
    assert_true(service_row(c, "plain") >= 0);
    assert_true(kind_lookup(kind_table(c, EK_TEAM), intern_cstr(c, "Parks & Recreation")) >= 0);
    strat_free(c);
}

static void malformed_backtick_names(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER
                                        "service `` { }\n"
                                        "service ` padded` { }\n"
                                        "service `tab\there` { }\n"
                                        "service `open { }\n");
    assert_non_null(c);
    assert_int_equal(count_code(c, D_NAME_QUOTED), 4);
    Diag *d = find_code(c, D_NAME_QUOTED);
    LineCol lc = diag_pos(c, d);
    assert_int_equal(lc.line, 2);
    assert_int_equal(lc.col, 9);
    /* the tab is reported at its own byte */
    unsigned seen_tab = 0;
    for (uint32_t i = 0; i < c->diags.len; i++) {
        Diag *x = c->diags.items[i];
        if (x->code != D_NAME_QUOTED)
            continue;
        LineCol at = diag_pos(c, x);
        seen_tab += at.line == 4 && at.col == 13;
    }
    assert_int_equal(seen_tab, 1);
    strat_free(c);
}

static void identifiers_and_spellings(void **state)
{
    (void)state;
    assert_true(name_is_identifier("payments"));
    assert_true(name_is_identifier("_x9"));
    assert_true(name_is_identifier("to"));            /* `to` is a keyword only before a date */
    assert_false(name_is_identifier("in"));           /* keywords */
    assert_false(name_is_identifier("service"));
    assert_false(name_is_identifier("value_stream"));
    assert_false(name_is_identifier("9lives"));
    assert_false(name_is_identifier("Email Archive Platform"));
    assert_false(name_is_identifier("café"));
    assert_false(name_is_identifier(""));
    assert_true(name_writable("Parks & Recreation"));
    assert_false(name_writable(" x"));
    assert_false(name_writable("a`b"));
    assert_false(name_writable(""));
    strat_options o = {0};
    strat_compilation *c = strat_new(NULL, &o);
    assert_non_null(c);
    Arena *a = &c->arena;
    assert_string_equal(name_spelling(a, "payments"), "payments");
    assert_string_equal(name_spelling(a, "Email Archive Platform"), "`Email Archive Platform`");
    assert_string_equal(name_spelling(a, "all"), "`all`");
    assert_int_equal(name_spelled_len("all"), 5);
    assert_int_equal(name_spelled_len("cost"), 4);
    strat_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backtick_names_are_names),
        cmocka_unit_test(malformed_backtick_names),
        cmocka_unit_test(identifiers_and_spellings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
