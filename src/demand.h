/*
 * demand.h — demand history and forecasts in the language (DESIGN §5.8).
 *
 * Takes a `load demand from "x.csv" { service = "Service"  period = "Month"
 * quantity = "Requests"  every = month  method = holt(0.5, 0.1) }` block
 * (with `NAME { method = ... }` sub-blocks overriding the method of one
 * service) and its CSV file, a long table of one row per service and
 * period.  Gives each service's history, oldest first, checked: every cell
 * readable, periods in order without gaps or duplicates, enough of them for
 * the method; each problem a diagnostic at its CSV cell or at the method.
 * Then the forecasts forecast(s, h) reads (forecast.c's arithmetic): one at
 * a time for the interpreter, or a column per horizon for the JIT.
 *
 * Periods: `every = month` takes `YYYY-MM`; `every = week` takes an ISO
 * week `YYYY-Www` or a date `YYYY-MM-DD` (the ISO week, Monday first, that
 * holds it).
 */
#ifndef STRAT_DEMAND_H
#define STRAT_DEMAND_H

#include <stdio.h>

#include "forecast.h"
#include "program.h"

typedef enum { DEMAND_MONTH, DEMAND_WEEK } DemandEvery;

typedef struct DemandHistory {
    int32_t service;              /* row in the service table */
    double *y;                    /* quantities, oldest first */
    uint32_t n;
    int32_t first_period;         /* month or week index of y[0] (see demand_period_text) */
    ForecastMethod method;        /* the load's, or the service's override */
    Loc method_loc;
    Loc first_loc;                /* its first period cell */
    bool usable;                  /* no problem in the rows, and n >= the method's minimum */
} DemandHistory;

typedef struct DemandColumn {
    uint32_t h;
    double *value;                /* per service row; NaN without a forecast */
} DemandColumn;

typedef struct Demand {
    const Decl *decl;
    DemandEvery every;
    ForecastMethod method;        /* the load's default */
    bool method_ok;
    Loc method_loc;
    DemandHistory *histories;     /* in the order the file first names them */
    uint32_t nhistories;
    int32_t *history_of;          /* per service row: index in histories, or -1 */
    uint32_t nservices;
    PtrVec columns;               /* DemandColumn*, one per horizon asked for */
} Demand;

/* True for `load demand ...` (not a kind of entity: this file reads it). */
bool demand_is_load(Compilation *c, const Decl *d);

/* Reads one `load demand` block and its file (file 0 when the file could
 * not be read: the settings are still checked), into c->program->demand. */
void demand_load(Compilation *c, const Decl *d, uint32_t file, const char *text, size_t len);

/* The history of a service row, or NULL. */
const DemandHistory *demand_history(const Demand *dm, int32_t service);

/* forecast(s, h): the forecast h periods after the service's last, by its
 * method; NaN (missing) when the service has no usable history. */
double demand_forecast(const Demand *dm, int32_t service, uint32_t h);

/* The same for every service row at once, computed once per horizon and
 * kept (the JIT reads it as a column). */
const double *demand_column(Compilation *c, Demand *dm, uint32_t h);

/* A period as the CSV writes it: `2026-03`, `2026-W05`. */
const char *demand_period_text(Compilation *c, DemandEvery every, int32_t period);

/* `holt(0.5, 0.1)`: a method as the source writes it. */
const char *demand_method_text(Compilation *c, const ForecastMethod *m);

/* `strat forecast`: per service with a history (in the order the services
 * are declared), its length, first and last period, method, the forecast
 * `opts->horizon` periods ahead and its back-test error: the MASE of the
 * method fitted without the last `opts->holdout` periods, scaled by the
 * in-sample error of seasonal naive (season m for seasonal_naive(m) and
 * holt_winters, 1 for the other methods).  Formats "table" (default),
 * "csv", "json".  STRAT_FINDINGS, writing nothing, without a usable
 * `load demand` block (an error blocks the program, or there is none). */
strat_status demand_report(Compilation *c, FILE *out, const strat_forecast_options *opts);

/* A small inline SVG sparkline (120 x 24 px) of a service's history, a
 * solid line, and its forecasts 1..horizon after it, dashed, on one
 * scale; for the HTML report.  Writes nothing and returns false when the
 * service has no history.  Coordinates are whole numbers of a 1200 x 240
 * view box, so the text is the same in every locale. */
bool demand_sparkline_svg(const Demand *dm, int32_t service, uint32_t horizon, FILE *out);

#endif
