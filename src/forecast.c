/*
 * forecast.c — demand forecasts on one history (forecast.h).
 *
 * Each method is a fit (run the recurrence over the history, leaving a
 * small state) and a prediction from that state at any horizon, so the
 * back-test fits once and predicts every held-back period.
 */
#include <math.h>

#include "forecast.h"

/* What a fit leaves behind: the level and trend of the smoothing methods,
 * the seasonal states (a ring over scratch, the state of period t at
 * t mod m), or, for the methods that only look back, the history itself. */
typedef struct {
    const ForecastMethod *method;
    const double *y;
    size_t n;
    double level, trend;
    double *season;
} Fit;

/* alpha and beta, which holt and holt_winters share */
static const char *trend_problem(const ForecastMethod *m)
{
    if (!(m->alpha >= 0 && m->alpha <= 1))
        return "alpha must be between 0 and 1";
    if (!(m->beta >= 0 && m->beta <= 1))
        return "beta must be between 0 and 1";
    return NULL;
}

const char *forecast_method_problem(const ForecastMethod *m)
{
    switch (m->kind) {
    case FORECAST_NAIVE:
        return NULL;
    case FORECAST_SEASONAL_NAIVE:
    case FORECAST_MOVING_AVERAGE:
        if (m->period < 1 || m->period > FORECAST_MAX_PERIOD)
            return m->kind == FORECAST_MOVING_AVERAGE
                ? "the number of periods to average must be between 1 and 1000"
                : "the season length must be between 1 and 1000";
        return NULL;
    case FORECAST_HOLT_WINTERS:
        if (m->period < 2 || m->period > FORECAST_MAX_PERIOD)
            return "the season length must be between 2 and 1000";
        if (!(m->gamma >= 0 && m->gamma <= 1))
            return "gamma must be between 0 and 1";
        return trend_problem(m);
    case FORECAST_HOLT:
        return trend_problem(m);
    }
    return "unknown method";
}

size_t forecast_min_history(const ForecastMethod *m)
{
    switch (m->kind) {
    case FORECAST_NAIVE:           return 1;
    case FORECAST_SEASONAL_NAIVE:
    case FORECAST_MOVING_AVERAGE:  return m->period;
    case FORECAST_HOLT:            return 2;
    case FORECAST_HOLT_WINTERS:    return 2 * (size_t)m->period;
    }
    return SIZE_MAX;
}

static double mean(const double *y, size_t n)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += y[i];
    return sum / (double)n;
}

/* Runs the method over y[0..n); false when it cannot. */
static int fit(Fit *f, const ForecastMethod *m, const double *y, size_t n,
               double *scratch)
{
    *f = (Fit){ .method = m, .y = y, .n = n, .season = scratch };
    if (forecast_method_problem(m) || n < forecast_min_history(m))
        return 0;
    if (m->kind == FORECAST_HOLT) {
        f->level = y[0];
        f->trend = y[1] - y[0];
        for (size_t t = 1; t < n; t++) {
            double prev = f->level;
            f->level = m->alpha * y[t] + (1 - m->alpha) * (prev + f->trend);
            f->trend = m->beta * (f->level - prev) + (1 - m->beta) * f->trend;
        }
    } else if (m->kind == FORECAST_HOLT_WINTERS) {
        size_t p = m->period;
        double first = mean(y, p);
        f->level = first;
        f->trend = (mean(y + p, p) - first) / (double)p;
        for (size_t i = 0; i < p; i++)
            scratch[i] = y[i] - first;
        for (size_t t = p; t < n; t++) {
            double prev = f->level, prev_trend = f->trend;
            double s_back = scratch[t % p];         /* s at t - m */
            f->level = m->alpha * (y[t] - s_back)
                     + (1 - m->alpha) * (prev + prev_trend);
            f->trend = m->beta * (f->level - prev) + (1 - m->beta) * prev_trend;
            scratch[t % p] = m->gamma * (y[t] - prev - prev_trend)
                           + (1 - m->gamma) * s_back;
        }
    }
    return 1;
}

/* The forecast h >= 1 periods after the fitted history. */
static double predict(const Fit *f, uint32_t h)
{
    const ForecastMethod *m = f->method;
    size_t n = f->n;
    switch (m->kind) {
    case FORECAST_NAIVE:
        return f->y[n - 1];
    case FORECAST_SEASONAL_NAIVE: {
        /* y[n-1+h - m(k+1)], k = floor((h-1)/m): the same period of the
         * last season observed */
        size_t p = m->period;
        return f->y[n - p + (h - 1) % p];
    }
    case FORECAST_MOVING_AVERAGE:
        return mean(f->y + n - m->period, m->period);
    case FORECAST_HOLT:
        return f->level + h * f->trend;
    case FORECAST_HOLT_WINTERS: {
        size_t p = m->period;
        return f->level + h * f->trend + f->season[(n + (h - 1) % p) % p];
    }
    }
    return NAN;
}

double forecast_at(const ForecastMethod *m, const double *y, size_t n,
                   uint32_t h, double *scratch)
{
    Fit f;
    if (h == 0 || !fit(&f, m, y, n, scratch))
        return NAN;
    return predict(&f, h);   /* a NaN read on the way comes out as NaN */
}

double forecast_mase(const ForecastMethod *m, const double *y, size_t n,
                     size_t holdout, uint32_t season, double *scratch)
{
    if (holdout == 0 || holdout >= n || season == 0 || holdout > UINT32_MAX)
        return NAN;
    size_t train = n - holdout;
    if (train <= season)
        return NAN;
    Fit f;
    if (!fit(&f, m, y, train, scratch))
        return NAN;
    double err = 0;
    for (size_t h = 1; h <= holdout; h++)
        err += fabs(y[train + h - 1] - predict(&f, (uint32_t)h));
    double scale = 0;
    for (size_t t = season; t < train; t++)
        scale += fabs(y[t] - y[t - season]);
    scale /= (double)(train - season);
    if (!(scale > 0))
        return NAN;
    return (err / (double)holdout) / scale;
}
