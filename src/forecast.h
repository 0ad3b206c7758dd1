/*
 * forecast.h — the demand forecasting methods of DESIGN §5.8, on one
 * service's history: naive, seasonal_naive(m), moving_average(k),
 * holt(alpha, beta) and holt_winters(alpha, beta, gamma, m) additive, and a
 * back-test error (MASE against seasonal naive on a held-back tail).
 *
 * Pure arithmetic on a array of quantities, oldest first, one per period;
 * the caller has already checked the history for gaps, duplicates and
 * order.  The recurrences and their initial states are those of Hyndman &
 * Athanasopoulos, "Forecasting: Principles and Practice" (3rd ed.), §8.1–8.3,
 * with the simple (not optimised) initialisation docs/language.md states:
 *
 *   holt:          l = y1, b = y2 - y1, then t = 2..n
 *   holt_winters:  l = mean(y1..ym), b = (mean(ym+1..y2m) - mean(y1..ym)) / m,
 *                  s_i = y_i - l for i = 1..m, then t = m+1..n
 *
 * tests/unit/test_forecast.c checks each against the textbook recurrences
 * written out over whole arrays.
 */
#ifndef STRAT_FORECAST_H
#define STRAT_FORECAST_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    FORECAST_NAIVE,
    FORECAST_SEASONAL_NAIVE,     /* period = m */
    FORECAST_MOVING_AVERAGE,     /* period = k */
    FORECAST_HOLT,               /* alpha, beta */
    FORECAST_HOLT_WINTERS        /* alpha, beta, gamma, period = m */
} ForecastKind;

/* The most periods a season or a moving average may span. */
enum { FORECAST_MAX_PERIOD = 1000 };

typedef struct {
    ForecastKind kind;
    uint32_t period;             /* m for the seasonal methods, k for moving_average */
    double alpha, beta, gamma;   /* smoothing parameters, each in [0, 1] */
} ForecastMethod;

/* NULL when the method's parameters are usable, else what is wrong, in
 * words a diagnostic can print ("alpha must be between 0 and 1"). */
const char *forecast_method_problem(const ForecastMethod *m);

/* The fewest periods of history the method needs: 1 (naive), m, k, 2
 * (holt), 2m (holt_winters). */
size_t forecast_min_history(const ForecastMethod *m);

/* The forecast h periods after the last of the n quantities y (h >= 1).
 * NaN when the method is not usable, n is below its minimum history, h is
 * 0, or a quantity in the part of y the method reads is NaN.  scratch
 * holds at least m doubles for holt_winters (the seasonal states) and may
 * be NULL for the other methods. */
double forecast_at(const ForecastMethod *m, const double *y, size_t n,
                   uint32_t h, double *scratch);

/* The back-test error: fit on the first n - holdout quantities, forecast
 * the held-back holdout ones at horizons 1..holdout, and divide their mean
 * absolute error by the in-sample mean absolute error of seasonal naive
 * with period season on the fitted part (MASE, Hyndman & Koehler 2006).
 * NaN when the fitted part is too short for the method or for the scale
 * (it needs more than season periods), or when that scale is 0.
 * scratch as for forecast_at. */
double forecast_mase(const ForecastMethod *m, const double *y, size_t n,
                     size_t holdout, uint32_t season, double *scratch);

#endif
