/*
 * test_forecast.c — the demand forecasting methods (src/forecast.c)
 * against the textbook (cmocka).
 *
 * Takes: nothing.
 * Gives: exit status 0 iff every method's forecast equals a reference
 *   written here from Hyndman & Athanasopoulos (FPP3 §8.1–8.3) in its
 *   textbook form — 1-based arrays l[t], b[t], s[t] over the whole
 *   history, the forecast ŷ(n+h) = l[n] + h b[n] + s[n + h - m(k+1)] —
 *   on random histories, seasons and parameters; hand-computed cases for
 *   each method; the minimum histories and parameter checks; and MASE
 *   against a hand computation.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "forecast.h"

enum { MAXN = 120 };

static double method_at(ForecastKind kind, uint32_t period, double a, double b,
                        double g, const double *y, size_t n, uint32_t h)
{
    double scratch[FORECAST_MAX_PERIOD];
    ForecastMethod m = { kind, period, a, b, g };
    return forecast_at(&m, y, n, h, scratch);
}

/* ---- the references: textbook recurrences over whole arrays (y[1..n]) ---- */

static double ref_holt(const double *y1, size_t n, double a, double b, uint32_t h)
{
    double l[MAXN + 1], t[MAXN + 1];
    l[1] = y1[1];
    t[1] = y1[2] - y1[1];
    for (size_t i = 2; i <= n; i++) {
        l[i] = a * y1[i] + (1 - a) * (l[i - 1] + t[i - 1]);
        t[i] = b * (l[i] - l[i - 1]) + (1 - b) * t[i - 1];
    }
    return l[n] + h * t[n];
}

static double ref_holt_winters(const double *y1, size_t n, size_t m, double a,
                               double b, double g, uint32_t h)
{
    double l[MAXN + 1], t[MAXN + 1], s[MAXN + 1];
    double first = 0, second = 0;
    for (size_t i = 1; i <= m; i++) {
        first += y1[i];
        second += y1[m + i];
    }
    first /= (double)m;
    second /= (double)m;
    l[m] = first;
    t[m] = (second - first) / (double)m;
    for (size_t i = 1; i <= m; i++)
        s[i] = y1[i] - first;
    for (size_t i = m + 1; i <= n; i++) {
        l[i] = a * (y1[i] - s[i - m]) + (1 - a) * (l[i - 1] + t[i - 1]);
        t[i] = b * (l[i] - l[i - 1]) + (1 - b) * t[i - 1];
        s[i] = g * (y1[i] - l[i - 1] - t[i - 1]) + (1 - g) * s[i - m];
    }
    size_t k = (h - 1) / m;
    return l[n] + h * t[n] + s[n + h - m * (k + 1)];
}

static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

/* ---- the tests -------------------------------------------------------- */

static void test_hand_computed(void **state)
{
    (void)state;
    const double y[] = { 10, 12, 11, 15, 14, 18 };
    assert_true(method_at(FORECAST_NAIVE, 0, 0, 0, 0, y, 6, 3) == 18);
    /* seasonal naive, m = 4: the last season is 11 15 14 18 */
    assert_true(method_at(FORECAST_SEASONAL_NAIVE, 4, 0, 0, 0, y, 6, 1) == 11);
    assert_true(method_at(FORECAST_SEASONAL_NAIVE, 4, 0, 0, 0, y, 6, 4) == 18);
    assert_true(method_at(FORECAST_SEASONAL_NAIVE, 4, 0, 0, 0, y, 6, 6) == 15);
    /* moving average of the last 3: (15 + 14 + 18) / 3 */
    assert_true(method_at(FORECAST_MOVING_AVERAGE, 3, 0, 0, 0, y, 6, 5) == 47.0 / 3);
    /* holt with alpha = beta = 1 follows the last step: 18 + 2 * (18 - 14) */
    assert_true(method_at(FORECAST_HOLT, 0, 1, 1, 0, y, 6, 2) == 26);
    /* holt with alpha = beta = 0 keeps its start: 10 + (6 - 1 + 1) * 2 */
    assert_true(method_at(FORECAST_HOLT, 0, 0, 0, 0, y, 6, 1) == 22);
    /* holt_winters, m = 2, alpha = beta = gamma = 0: the start carried on.
     * l = 11, b = (13 - 11) / 2 = 1, s = (-1, +1); at n = 6 the level has
     * moved 4 steps of 1: l6 = 15, and y(8) = 15 + 2 * 1 + s(8 - 2) = 18 */
    assert_true(method_at(FORECAST_HOLT_WINTERS, 2, 0, 0, 0, y, 6, 2) == 18);
    assert_true(method_at(FORECAST_HOLT_WINTERS, 2, 0, 0, 0, y, 6, 1) == 15 + 1 - 1);
}

static void test_against_textbook(void **state)
{
    (void)state;
    uint64_t seed = 0x9e3779b97f4a7c15u;
    int holt_cases = 0, hw_cases = 0;
    for (int round = 0; round < 2000; round++) {
        double y1[MAXN + 1];
        size_t n = 2 + rng_next(&seed) % (MAXN - 1);
        double trend = rng_unit(&seed) * 4 - 2;
        for (size_t i = 1; i <= n; i++)
            y1[i] = 100 + trend * (double)i + rng_unit(&seed) * 30
                  + 10 * sin((double)i);
        double a = rng_unit(&seed), b = rng_unit(&seed), g = rng_unit(&seed);
        uint32_t h = 1 + (uint32_t)(rng_next(&seed) % 30);

        double got = method_at(FORECAST_HOLT, 0, a, b, 0, y1 + 1, n, h);
        assert_true(got == ref_holt(y1, n, a, b, h));
        holt_cases++;

        size_t m = 2 + rng_next(&seed) % 12;
        double hw = method_at(FORECAST_HOLT_WINTERS, (uint32_t)m, a, b, g, y1 + 1, n, h);
        if (n < 2 * m) {
            assert_true(isnan(hw));
            continue;
        }
        double want = ref_holt_winters(y1, n, m, a, b, g, h);
        if (hw != want)
            fail_msg("holt_winters n=%zu m=%zu h=%u: %.17g, textbook %.17g",
                     n, m, h, hw, want);
        hw_cases++;
    }
    /* the generator reaches both methods' fitted paths, not only the NaN */
    assert_true(holt_cases == 2000);
    assert_true(hw_cases > 500);
}

static void test_short_history_and_parameters(void **state)
{
    (void)state;
    const double y[] = { 1, 2, 3, 4, 5, 6, 7 };
    ForecastMethod hw = { FORECAST_HOLT_WINTERS, 4, 0.5, 0.5, 0.5 };
    assert_int_equal(forecast_min_history(&hw), 8);
    assert_true(isnan(method_at(FORECAST_HOLT_WINTERS, 4, 0.5, 0.5, 0.5, y, 7, 1)));
    assert_false(isnan(method_at(FORECAST_HOLT_WINTERS, 3, 0.5, 0.5, 0.5, y, 7, 1)));
    assert_true(isnan(method_at(FORECAST_HOLT, 0, 0.5, 0.5, 0, y, 1, 1)));
    assert_true(isnan(method_at(FORECAST_MOVING_AVERAGE, 8, 0, 0, 0, y, 7, 1)));
    assert_true(isnan(method_at(FORECAST_NAIVE, 0, 0, 0, 0, y, 0, 1)));
    assert_true(isnan(method_at(FORECAST_NAIVE, 0, 0, 0, 0, y, 7, 0)));

    ForecastMethod bad = { FORECAST_HOLT, 0, 1.5, 0.2, 0 };
    assert_string_equal(forecast_method_problem(&bad), "alpha must be between 0 and 1");
    bad = (ForecastMethod){ FORECAST_HOLT_WINTERS, 12, 0.2, 0.2, NAN };
    assert_string_equal(forecast_method_problem(&bad), "gamma must be between 0 and 1");
    bad = (ForecastMethod){ FORECAST_HOLT_WINTERS, 1, 0.2, 0.2, 0.2 };
    assert_non_null(forecast_method_problem(&bad));
    bad = (ForecastMethod){ FORECAST_MOVING_AVERAGE, 0, 0, 0, 0 };
    assert_non_null(forecast_method_problem(&bad));
    assert_null(forecast_method_problem(&hw));
}

static void test_mase(void **state)
{
    (void)state;
    double scratch[4];
    /* fit naive on 2 4 6 8 (season 1 scale: mean |step| = 2), hold out
     * 9 and 13: errors |9 - 8| and |13 - 8|, mean 3; MASE = 3 / 2 */
    const double y[] = { 2, 4, 6, 8, 9, 13 };
    ForecastMethod naive = { FORECAST_NAIVE, 0, 0, 0, 0 };
    assert_true(forecast_mase(&naive, y, 6, 2, 1, scratch) == 1.5);
    /* a flat fitted part has no scale */
    const double flat[] = { 5, 5, 5, 5, 6 };
    assert_true(isnan(forecast_mase(&naive, flat, 5, 1, 1, scratch)));
    /* holdout must leave more than one season to fit */
    assert_true(isnan(forecast_mase(&naive, y, 6, 5, 1, scratch)));
    assert_true(isnan(forecast_mase(&naive, y, 6, 0, 1, scratch)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_against_textbook),
        cmocka_unit_test(test_short_history_and_parameters),
        cmocka_unit_test(test_mase),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
