/* test_money.c — num_money (numeric.c): amounts as people read them. */
#include <math.h>

#include "test_util.h"
#include "numeric.h"

static void check(double v, const char *cur, const char *want)
{
    char buf[96];
    assert_string_equal(num_money(buf, sizeof buf, v, cur), want);
}

static void thousands_and_cents(void **state)
{
    (void)state;
    check(583506.46, "USD", "583,506.46 USD");
    check(0, "EUR", "0.00 EUR");
    check(2.675, NULL, "2.67");              /* the double is below the tie */
    check(999.995, NULL, "1,000.00");        /* above it: the carry makes a group */
    check(999.999, "", "1,000.00");           /* an empty currency is none */
    check(1000, NULL, "1,000.00");
    check(100, NULL, "100.00");
    check(1234567.891, NULL, "1,234,567.89");
    check(-1234.5, "USD", "-1,234.50 USD");
    check(-0.001, NULL, "0.00");              /* no -0.00 */
    check(-0.0, NULL, "0.00");
    check(0.125, NULL, "0.12");               /* ties to even on the exact value */
    check(0.375, NULL, "0.38");
    check(999999999999999.0 - 0.5, NULL, "999,999,999,999,998.50");
    check(1e15, "USD", "1e+15 USD");           /* a cent is below resolution */
    check(INFINITY, NULL, "inf");
}

static void small_buffers_truncate(void **state)
{
    (void)state;
    char buf[6];
    assert_string_equal(num_money(buf, sizeof buf, 1234567, "USD"), "1,234");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(thousands_and_cents),
        cmocka_unit_test(small_buffers_truncate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
