/* test_parser.c — declarations, expressions and error recovery. */
#include "test_util.h"
#include "unparse.h"

static Decl *first_decl(strat_compilation *c, DeclKind k)
{
    for (Decl *d = c->decls; d; d = d->next)
        if (d->kind == k)
            return d;
    return NULL;
}

static void every_declaration_parses(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(
        "import \"std/itil\"\n" STRATEGY_HEADER
        "role cfo { title = \"CFO\" }\nteam web { lead = \"R\" }\ncustomer shoppers { }\n"
        "objective o { metric = \"m\" baseline = 10% target = 30% due = 2027-12-31 "
        "weight = 1 owner = cfo }\n"
        "service a { owner = web supports = [o] customers = [shoppers] cost = 1k "
        "risk security { likelihood = 1 impact = 2 owner = cfo } }\n"
        "offering bundle { services = [a] price = 10 support = \"9x5\" }\n"
        "value_stream vs { delivers = o stage engage { services = [a] } }\n"
        "appetite { security = low }\n"
        "schema service { tier : symbol in [gold, silver] = gold }\n"
        "score v(s) = 0.5 * alignment(s)\n"
        "rule r (warning) \"m\" = all s in service where s.status != retired : defined(s.owner)\n"
        "decide { invest when v(s) > 0.9 because \"x\"\n tolerate otherwise\n rank by v(s) asc }\n"
        "approval big { when = decision == invest and s.cost > 1k approver = cfo }\n"
        "scenario sc { set s.cost = s.cost * 2 for s in service where \"aws\" in s.suppliers }\n"
        "waiver w { rule = r entity = a until = 2027-06-30 approved_by = cfo }\n"
        "limit l \"m\" = sum(s.cost for s in service where decision(s) == invest) <= 10% * budget\n"
        "test t { expect decision(a) == tolerate expect v(a) == 0.5 }\n");
    assert_non_null(c);
    if (c->nerrors)
        dump_diags(c);
    assert_int_equal(c->nerrors, 0);
    Decl *dec = first_decl(c, D_DECIDE);
    assert_non_null(dec);
    assert_non_null(dec->arms->next);
    assert_null(dec->arms->next->cond);            /* otherwise */
    assert_int_equal(dec->rank_order, SORT_ASC);
    assert_string_equal(dec->arms->because.s, "x");
    strat_free(c);
}

/* The layered grammar binds as the docs say. */
static void precedence_round_trips(void **state)
{
    (void)state;
    static const struct { const char *in, *out; } cases[] = {
        {"1 + 2 * 3", "1 + 2 * 3"},
        {"(1 + 2) * 3", "(1 + 2) * 3"},
        {"1 - (2 - 3)", "1 - (2 - 3)"},
        {"not a and b or c", "not a and b or c"},
        {"not (a and b)", "not (a and b)"},
        {"-x * 2", "-x * 2"},
        {"if a then 1 else 2 + 3", "if a then 1 else 2 + 3"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[256];
        snprintf(text, sizeof text, "const k = %s\n", cases[i].in);
        strat_compilation *c = compile_text(text);
        Decl *d = first_decl(c, D_CONST);
        assert_non_null(d);
        assert_string_equal(expr_text(c, d->expr), cases[i].out);
        strat_free(c);
    }
}

static void missing_brace_recovers_at_next_declaration(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(STRATEGY_HEADER
                                        "service a { title = \"x\"\n"
                                        "service b { titel = \"y\" }\n");
    assert_int_equal(count_code(c, D_SYNTAX), 1);
    Diag *d = find_code(c, D_SYNTAX);
    LineCol lc = diag_pos(c, d);
    assert_int_equal(lc.line, 3);
    assert_int_equal(lc.col, 1);
    assert_non_null(strstr(d->msg, "expected '}' before 'service'"));
    /* the next declaration was still checked */
    assert_int_equal(count_code(c, D_UNKNOWN_ATTR), 1);
    strat_free(c);
}

static void many_syntax_errors_in_one_run(void **state)
{
    (void)state;
    /* bison reports a new error only after three good tokens, so the
     * mistakes stand a declaration apart */
    strat_compilation *c = compile_text(STRATEGY_HEADER
                                        "service a { x = = 1 }\nrole ok { }\n"
                                        "role } r\nrole ok2 { }\n"
                                        "service b { y = 2 + }\nrole ok3 { }\n"
                                        "score s(x) = \n");
    assert_true(count_code(c, D_SYNTAX) >= 4);
    strat_free(c);
}

static void deep_nesting_is_an_error_not_a_crash(void **state)
{
    (void)state;
    size_t depth = 5000;
    char *text = malloc(depth * 2 + 64);
    strcpy(text, "const k = ");
    size_t n = strlen(text);
    for (size_t i = 0; i < depth; i++)
        text[n++] = '(';
    text[n++] = '1';
    for (size_t i = 0; i < depth; i++)
        text[n++] = ')';
    text[n++] = '\n';
    text[n] = '\0';
    strat_compilation *c = compile_text(text);
    assert_int_equal(count_code(c, D_NESTING), 1);
    strat_free(c);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_declaration_parses),
        cmocka_unit_test(precedence_round_trips),
        cmocka_unit_test(missing_brace_recovers_at_next_declaration),
        cmocka_unit_test(many_syntax_errors_in_one_run),
        cmocka_unit_test(deep_nesting_is_an_error_not_a_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
