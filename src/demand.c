/*
 * demand.c — `load demand` blocks, their histories and forecasts
 * (demand.h).
 *
 * Takes the block's settings and its CSV text (read and confined by
 * csv_load.c, which dispatches here); gives c->program->demand: per service
 * row its history, checked row by row with a located diagnostic per
 * problem, and its method.  Forecasts are forecast.c's arithmetic on the
 * history; nothing here is global or cached outside the compilation.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "dates.h"
#include "demand.h"
#include "diag.h"
#include "intern.h"
#include "json.h"
#include "source.h"

enum { DEMAND_MAX_COLUMNS = 256, DEMAND_MAX_ERRORS = 100 };

bool demand_is_load(Compilation *c, const Decl *d)
{
    return d->kind == D_LOAD && d->name == intern_cstr(c, "demand");
}

/* ---- periods ------------------------------------------------------------- */

static bool digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

static int number_of(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Monday-first week index of a day: day 0 (1970-01-01) was a Thursday. */
static int32_t week_of_day(int32_t days)
{
    int32_t x = days + 3;
    return x >= 0 ? x / 7 : -((-x + 6) / 7);
}

/* The week index of ISO week w of ISO year y, or INT32_MIN when the year
 * has no such week (52 or 53 of them). */
static int32_t iso_week(int y, int w)
{
    if (w < 1 || w > 53)
        return INT32_MIN;
    int32_t week1 = week_of_day(days_from_civil(y, 1, 4));   /* Jan 4 is in week 1 */
    int32_t idx = week1 + w - 1;
    int32_t thursday = idx * 7 - 3 + 3;
    int yy;
    unsigned m, d;
    civil_from_days(thursday, &yy, &m, &d);
    return yy == y ? idx : INT32_MIN;
}

/* A period cell as the load's `every` states, or false. */
static bool parse_period(DemandEvery every, const char *s, size_t n, int32_t *out)
{
    if (every == DEMAND_MONTH) {
        if (n != 7 || s[4] != '-' || !digits(s, 4) || !digits(s + 5, 2))
            return false;
        int m = number_of(s + 5, 2);
        if (m < 1 || m > 12)
            return false;
        *out = number_of(s, 4) * 12 + (m - 1);
        return true;
    }
    if (n == 8 && s[4] == '-' && s[5] == 'W' && digits(s, 4) && digits(s + 6, 2)) {
        int32_t w = iso_week(number_of(s, 4), number_of(s + 6, 2));
        if (w == INT32_MIN)
            return false;
        *out = w;
        return true;
    }
    if (n == 10 && s[4] == '-' && s[7] == '-' && digits(s, 4) && digits(s + 5, 2) &&
        digits(s + 8, 2)) {
        int y = number_of(s, 4);
        unsigned m = (unsigned)number_of(s + 5, 2), d = (unsigned)number_of(s + 8, 2);
        if (!date_valid(y, m, d))
            return false;
        *out = week_of_day(days_from_civil(y, m, d));
        return true;
    }
    return false;
}

const char *demand_period_text(Compilation *c, DemandEvery every, int32_t period)
{
    if (every == DEMAND_MONTH) {
        int32_t y = period >= 0 ? period / 12 : -((-period + 11) / 12);
        return arena_printf(&c->arena, "%04d-%02d", (int)y, (int)(period - y * 12 + 1));
    }
    int32_t thursday = period * 7;   /* Monday (period * 7 - 3) + 3 */
    int y;
    unsigned m, d;
    civil_from_days(thursday, &y, &m, &d);
    int32_t week1 = week_of_day(days_from_civil(y, 1, 4));
    return arena_printf(&c->arena, "%04d-W%02d", y, (int)(period - week1 + 1));
}

/* ---- methods ------------------------------------------------------------- */

const char *demand_method_text(Compilation *c, const ForecastMethod *m)
{
    switch (m->kind) {
    case FORECAST_NAIVE:
        return "naive";
    case FORECAST_SEASONAL_NAIVE:
        return arena_printf(&c->arena, "seasonal_naive(%u)", m->period);
    case FORECAST_MOVING_AVERAGE:
        return arena_printf(&c->arena, "moving_average(%u)", m->period);
    case FORECAST_HOLT:
        return arena_printf(&c->arena, "holt(%g, %g)", m->alpha, m->beta);
    case FORECAST_HOLT_WINTERS:
        return arena_printf(&c->arena, "holt_winters(%g, %g, %g, %u)", m->alpha, m->beta,
                            m->gamma, m->period);
    }
    return "?";
}

static bool number_arg(const Expr *e, double *out)
{
    if (e->kind == EX_NUMBER) {
        *out = e->u.num.value;
        return true;
    }
    if (e->kind == EX_UNARY && e->u.ops.op == OP_NEG && e->u.ops.a->kind == EX_NUMBER) {
        *out = -e->u.ops.a->u.num.value;
        return true;
    }
    return false;
}

/* `naive`, `naive()`, `holt(0.5, 0.1)`, ...: false after reporting. */
static bool parse_method(Compilation *c, const Expr *e, ForecastMethod *out)
{
    static const struct {
        const char *name;
        ForecastKind kind;
        uint32_t nargs;
        const char *shape;
    } methods[] = {
        {"naive", FORECAST_NAIVE, 0, "naive"},
        {"seasonal_naive", FORECAST_SEASONAL_NAIVE, 1, "seasonal_naive(m)"},
        {"moving_average", FORECAST_MOVING_AVERAGE, 1, "moving_average(k)"},
        {"holt", FORECAST_HOLT, 2, "holt(alpha, beta)"},
        {"holt_winters", FORECAST_HOLT_WINTERS, 4, "holt_winters(alpha, beta, gamma, m)"},
    };
    Name fn = e->kind == EX_NAME ? e->u.name.id : e->kind == EX_CALL ? e->u.call.fn : NULL;
    uint32_t nargs = e->kind == EX_CALL ? e->u.call.nargs : 0;
    int which = -1;
    for (int i = 0; fn && i < 5; i++)
        if (strcmp(fn, methods[i].name) == 0)
            which = i;
    if (which < 0) {
        Diag *dg = diag_at(c, D_FORECAST_METHOD, e->loc, "not a forecasting method");
        diag_hint(c, dg, "the methods are naive, seasonal_naive(m), moving_average(k), "
                         "holt(alpha, beta) and holt_winters(alpha, beta, gamma, m)");
        return false;
    }
    if (nargs != methods[which].nargs) {
        diag_at(c, D_FORECAST_METHOD, e->loc, "`%s` takes %u argument%s: `%s`",
                methods[which].name, methods[which].nargs,
                methods[which].nargs == 1 ? "" : "s", methods[which].shape);
        return false;
    }
    double a[4] = {0, 0, 0, 0};
    for (uint32_t i = 0; i < nargs; i++)
        if (!number_arg(e->u.call.args[i], &a[i])) {
            diag_at(c, D_FORECAST_METHOD, e->u.call.args[i]->loc,
                    "a method's arguments are numbers written out: `%s`",
                    methods[which].shape);
            return false;
        }
    ForecastMethod m = {methods[which].kind, 0, 0, 0, 0};
    double period = 0;
    int period_arg = -1;
    switch (m.kind) {
    case FORECAST_NAIVE:
        break;
    case FORECAST_SEASONAL_NAIVE:
    case FORECAST_MOVING_AVERAGE:
        period = a[0];
        period_arg = 0;
        break;
    case FORECAST_HOLT:
        m.alpha = a[0];
        m.beta = a[1];
        break;
    case FORECAST_HOLT_WINTERS:
        m.alpha = a[0];
        m.beta = a[1];
        m.gamma = a[2];
        period = a[3];
        period_arg = 3;
        break;
    }
    if (period_arg >= 0) {
        if (!(period >= 0 && period <= FORECAST_MAX_PERIOD + 1.0 && period == floor(period))) {
            diag_at(c, D_FORECAST_METHOD, e->u.call.args[period_arg]->loc,
                    "a number of periods is a whole number from 1 to %d, not %g",
                    FORECAST_MAX_PERIOD, period);
            return false;
        }
        m.period = (uint32_t)period;
    }
    const char *why = forecast_method_problem(&m);
    if (why) {
        diag_at(c, D_FORECAST_METHOD, e->loc, "%s: %s", methods[which].name, why);
        return false;
    }
    *out = m;
    return true;
}

/* ---- the CSV -------------------------------------------------------------- */

typedef struct DemandRow {
    int32_t service;
    int32_t period;
    double quantity;
    Loc loc;        /* the period cell */
} DemandRow;

typedef struct Reader {
    Compilation *c;
    uint32_t file;
    const char *data;
    unsigned errors, more;
} Reader;

static Loc cell_loc(const Reader *R, const csv_field *f, size_t record_start)
{
    size_t off = record_start;
    if (f->ptr >= R->data && f->ptr <= R->data + source_get(R->c, R->file)->len)
        off = (size_t)(f->ptr - R->data) - (f->quoted ? 1 : 0);
    Loc l = {R->file, (uint32_t)off, (uint32_t)(off + f->len + (f->quoted ? 2 : 0))};
    if (l.end == l.start)
        l.end = l.start + 1;
    return l;
}

static bool budget(Reader *R)
{
    if (R->errors < DEMAND_MAX_ERRORS) {
        R->errors++;
        return true;
    }
    R->more++;
    return false;
}

/* The settings of the block; false when the file should not be read. */
typedef struct Settings {
    const char *col[3];          /* service, period, quantity headers */
    Loc col_loc[3];
    bool every_set;
} Settings;

static const char *const setting_names[3] = {"service", "period", "quantity"};

static void read_override(Compilation *c, Demand *dm, const Item *it, ForecastMethod *methods,
                          Loc *locs, bool *has)
{
    KindTable *svc = kind_table(c, EK_SERVICE);
    int32_t row = kind_lookup(svc, it->name);
    if (row < 0) {
        Diag *dg = diag_at(c, D_DEMAND_LOAD, it->loc, "`%s` is not a service", it->name);
        Name s = suggest_entity(c, KIND_BIT(EK_SERVICE), it->name);
        if (s)
            diag_hint(c, dg, "did you mean `%s`?", s);
        return;
    }
    Name method = intern_cstr(c, "method");
    for (const Item *m = it->items; m; m = m->next) {
        if (m->kind != ITEM_ATTR || m->name != method) {
            diag_at(c, D_DEMAND_LOAD, m->loc, "a service's block in `load demand` sets its "
                                              "`method` only");
            continue;
        }
        ForecastMethod fm;
        if (parse_method(c, m->value, &fm) && (uint32_t)row < dm->nservices) {
            methods[row] = fm;
            locs[row] = m->value->loc;
            has[row] = true;
        }
    }
}

void demand_load(Compilation *c, const Decl *d, uint32_t file, const char *text, size_t len)
{
    Program *p = c->program;
    if (p->demand) {
        Diag *dg = diag_at(c, D_DEMAND_LOAD, d->loc, "a second `load demand` block");
        diag_note(c, dg, p->demand->decl->loc, "the first is here");
        diag_hint(c, dg, "put every service's history in one file");
        return;
    }
    Demand *dm = ARENA_NEW(&c->arena, Demand);
    p->demand = dm;
    dm->decl = d;
    KindTable *svc = kind_table(c, EK_SERVICE);
    dm->nservices = svc->count;
    dm->history_of = ARENA_ARRAY(&c->arena, int32_t, dm->nservices + 1);
    for (uint32_t i = 0; i < dm->nservices; i++)
        dm->history_of[i] = -1;
    ForecastMethod *override = ARENA_ARRAY(&c->arena, ForecastMethod, dm->nservices + 1);
    Loc *override_loc = ARENA_ARRAY(&c->arena, Loc, dm->nservices + 1);
    bool *has_override = ARENA_ARRAY(&c->arena, bool, dm->nservices + 1);

    Settings S = {{"service", "period", "quantity"}, {d->name_loc, d->name_loc, d->name_loc},
                  false};
    bool method_set = false, ok = true, every_bad = false;
    Name every = intern_cstr(c, "every"), method = intern_cstr(c, "method");
    for (const Item *it = d->items; it; it = it->next) {
        if (it->kind == ITEM_LIFECYCLE) {
            read_override(c, dm, it, override, override_loc, has_override);
            continue;
        }
        if (it->kind != ITEM_ATTR) {
            diag_at(c, D_DEMAND_LOAD, it->loc, "not a setting of `load demand`");
            continue;
        }
        if (it->name == every) {
            Name v = it->value->kind == EX_NAME ? it->value->u.name.id : NULL;
            if (v && strcmp(v, "month") == 0) {
                dm->every = DEMAND_MONTH;
                S.every_set = true;
            } else if (v && strcmp(v, "week") == 0) {
                dm->every = DEMAND_WEEK;
                S.every_set = true;
            } else {
                diag_at(c, D_DEMAND_LOAD, it->value->loc, "`every` is `month` (periods "
                                                          "written 2026-03) or `week` "
                                                          "(2026-W05, or a date in the week)");
                every_bad = true;
            }
            continue;
        }
        if (it->name == method) {
            method_set = true;
            dm->method_loc = it->value->loc;
            dm->method_ok = parse_method(c, it->value, &dm->method);
            continue;
        }
        int which = -1;
        for (int i = 0; i < 3; i++)
            if (strcmp(it->name, setting_names[i]) == 0)
                which = i;
        if (which < 0) {
            Diag *dg = diag_at(c, D_DEMAND_LOAD, it->loc, "`%s` is not a setting of `load "
                                                          "demand`", it->name);
            diag_hint(c, dg, "the settings are service, period and quantity (the CSV's "
                             "column names), every and method");
            continue;
        }
        if (it->value->kind != EX_STRING) {
            diag_at(c, D_DEMAND_LOAD, it->value->loc, "`%s` names a CSV column: `%s = "
                                                      "\"%s\"`", it->name, it->name,
                    which == 0 ? "Service" : which == 1 ? "Month" : "Requests");
            ok = false;
            continue;
        }
        S.col[which] = it->value->u.str.s;
        S.col_loc[which] = it->value->loc;
    }
    if (!S.every_set && !every_bad) {
        Diag *dg = diag_at(c, D_DEMAND_LOAD, d->name_loc, "`load demand` states how long a "
                                                         "period is");
        diag_hint(c, dg, "add `every = month` (periods written 2026-03) or `every = week` "
                         "(2026-W05)");
    }
    if (!S.every_set)
        ok = false;
    if (!method_set) {
        Diag *dg = diag_at(c, D_DEMAND_LOAD, d->name_loc, "`load demand` names a "
                                                         "forecasting method");
        diag_hint(c, dg, "add `method = naive`, or seasonal_naive(m), moving_average(k), "
                         "holt(alpha, beta), holt_winters(alpha, beta, gamma, m)");
    }
    if (!file || !ok)
        return;

    /* the header */
    Reader R = {c, file, text, 0, 0};
    csv_reader r;
    csv_init(&r, text, len);
    csv_field *fields = ARENA_ARRAY(&c->arena, csv_field, DEMAND_MAX_COLUMNS);
    size_t scratch_cap = 1 << 16;
    char *scratch = arena_alloc(&c->arena, scratch_cap);
    csv_error err;
    int n = csv_next_record(&r, fields, DEMAND_MAX_COLUMNS, scratch, scratch_cap, &err);
    if (n <= 0) {
        Loc at = {file, 0, 1};
        diag_at(c, D_CSV_HEADER, at, n == 0 ? "the CSV file is empty: it needs a header line"
                                            : "malformed CSV header: %s", err.msg);
        return;
    }
    int col[3] = {-1, -1, -1};
    for (int i = 0; i < n; i++) {
        const char *h = fields[i].ptr;
        size_t hn = fields[i].len;
        csv_trim(&h, &hn);
        for (int k = 0; k < 3; k++)
            if (col[k] < 0 && strlen(S.col[k]) == hn && memcmp(S.col[k], h, hn) == 0)
                col[k] = i;
    }
    for (int k = 0; k < 3; k++)
        if (col[k] < 0) {
            Loc at = {file, 0, 1};
            Diag *dg = diag_at(c, D_CSV_HEADER, at, "the header has no column `%s` (the %s "
                                                    "of each row)", S.col[k], setting_names[k]);
            diag_note(c, dg, S.col_loc[k], "the load names it here");
            ok = false;
        }
    if (!ok)
        return;

    /* the rows */
    size_t cap = csv_count_byte(text, len, '\n') + 2;
    DemandRow *rows = ARENA_ARRAY(&c->arena, DemandRow, cap);
    size_t nrows = 0;
    int need = col[0] > col[1] ? col[0] : col[1];
    if (col[2] > need)
        need = col[2];
    for (;;) {
        size_t start = r.pos;
        n = csv_next_record(&r, fields, DEMAND_MAX_COLUMNS, scratch, scratch_cap, &err);
        if (n == 0)
            break;
        if (n < 0) {
            Loc at = {file, (uint32_t)err.offset, (uint32_t)err.offset + 1};
            diag_at(c, D_CSV_SYNTAX, at, "%s", err.msg);
            break;
        }
        if (n == 1 && fields[0].len == 0)
            continue;   /* a blank line */
        if (n <= need) {
            if (budget(&R)) {
                Loc at = {file, (uint32_t)start, (uint32_t)start + 1};
                diag_at(c, D_CSV_ROW, at, "the row has %d field%s; the demand columns need "
                                          "%d", n, n == 1 ? "" : "s", need + 1);
            }
            continue;
        }
        bool good = true;
        const csv_field *fs = &fields[col[0]], *fp = &fields[col[1]], *fq = &fields[col[2]];
        const char *s = fs->ptr;
        size_t sn = fs->len;
        csv_trim(&s, &sn);
        Name name = intern(c, s, sn);
        int32_t row = kind_lookup(svc, name);
        if (row < 0 || (uint32_t)row >= dm->nservices) {
            good = false;
            if (budget(&R)) {
                Diag *dg = diag_at(c, D_DEMAND_CELL, cell_loc(&R, fs, start),
                                   "`%.*s` is not a service", (int)(sn > 40 ? 40 : sn), s);
                Name guess = sn ? suggest_entity(c, KIND_BIT(EK_SERVICE), name) : NULL;
                if (guess)
                    diag_hint(c, dg, "did you mean `%s`?", guess);
            }
        }
        const char *ps = fp->ptr;
        size_t pn = fp->len;
        csv_trim(&ps, &pn);
        int32_t period = 0;
        if (!parse_period(dm->every, ps, pn, &period)) {
            good = false;
            if (budget(&R))
                diag_at(c, D_DEMAND_CELL, cell_loc(&R, fp, start),
                        "column `%s` holds %s, not `%.*s`", S.col[1],
                        dm->every == DEMAND_MONTH
                            ? "a month written YYYY-MM (2026-03)"
                            : "a week written YYYY-Www (2026-W05) or a date in it (2026-01-26)",
                        (int)(pn > 40 ? 40 : pn), ps);
        }
        double q = NAN;
        csv_num_status st = csv_parse_number(fq->ptr, fq->len, &q);
        if (st != CSV_NUM_OK || !(q >= 0) || isinf(q)) {
            good = false;
            if (budget(&R))
                diag_at(c, D_DEMAND_CELL, cell_loc(&R, fq, start),
                        "column `%s` holds a quantity of at least 0, not `%.*s`", S.col[2],
                        (int)(fq->len > 40 ? 40 : fq->len), fq->ptr);
        }
        if (good && nrows < cap)
            rows[nrows++] = (DemandRow){row, period, q, cell_loc(&R, fp, start)};
    }

    /* per service, in the order the file first names it */
    uint32_t *count = ARENA_ARRAY(&c->arena, uint32_t, dm->nservices + 1);
    for (size_t i = 0; i < nrows; i++)
        if (count[rows[i].service]++ == 0)
            dm->nhistories++;
    dm->histories = ARENA_ARRAY(&c->arena, DemandHistory, dm->nhistories + 1);
    uint32_t next = 0;
    int32_t *last_row = ARENA_ARRAY(&c->arena, int32_t, dm->nservices + 1);
    for (size_t i = 0; i < nrows; i++) {
        const DemandRow *w = &rows[i];
        int32_t hi = dm->history_of[w->service];
        if (hi < 0) {
            hi = dm->history_of[w->service] = (int32_t)next++;
            DemandHistory *h = &dm->histories[hi];
            h->service = w->service;
            h->y = ARENA_ARRAY(&c->arena, double, count[w->service]);
            h->first_period = w->period;
            h->first_loc = w->loc;
            h->usable = true;
            h->method = has_override[w->service] ? override[w->service] : dm->method;
            h->method_loc = has_override[w->service] ? override_loc[w->service]
                                                     : dm->method_loc;
            if (!has_override[w->service] && !dm->method_ok)
                h->usable = false;
            h->y[h->n++] = w->quantity;
            last_row[w->service] = (int32_t)i;
            continue;
        }
        DemandHistory *h = &dm->histories[hi];
        const DemandRow *prev = &rows[last_row[w->service]];
        const char *sname = svc->names[w->service];
        if (w->period == prev->period) {
            h->usable = false;
            if (budget(&R)) {
                Diag *dg = diag_at(c, D_DEMAND_DUPLICATE, w->loc, "`%s` has two rows for %s",
                                   sname, demand_period_text(c, dm->every, w->period));
                diag_note(c, dg, prev->loc, "the first is here");
            }
            continue;
        }
        if (w->period < prev->period) {
            h->usable = false;
            if (budget(&R)) {
                Diag *dg = diag_at(c, D_DEMAND_ORDER, w->loc, "`%s`'s %s comes after %s",
                                   sname, demand_period_text(c, dm->every, w->period),
                                   demand_period_text(c, dm->every, prev->period));
                diag_note(c, dg, prev->loc, "the later period is here");
                diag_hint(c, dg, "a service's rows go oldest first");
            }
            continue;
        }
        if (w->period > prev->period + 1) {
            h->usable = false;
            if (budget(&R)) {
                int32_t missing = w->period - prev->period - 1;
                Diag *dg = diag_at(c, D_DEMAND_GAP, w->loc,
                                   missing == 1 ? "`%s` has no row for %s" :
                                                  "`%s` has no rows from %s to %s",
                                   sname, demand_period_text(c, dm->every, prev->period + 1),
                                   demand_period_text(c, dm->every, w->period - 1));
                diag_note(c, dg, prev->loc, "the history before the gap ends here");
                diag_hint(c, dg, "give every period a row, 0 when there was no demand");
            }
        }
        h->y[h->n++] = w->quantity;
        last_row[w->service] = (int32_t)i;
    }
    if (R.more) {
        Loc at = {file, 0, 1};
        diag_at(c, D_TOO_MANY, at, "%u more problems in this file not shown", R.more);
    }

    /* enough history for each service's method */
    for (uint32_t i = 0; i < dm->nhistories; i++) {
        DemandHistory *h = &dm->histories[i];
        if (!h->usable)
            continue;
        size_t need_n = forecast_min_history(&h->method);
        if (h->n >= need_n)
            continue;
        h->usable = false;
        const char *unit = dm->every == DEMAND_MONTH ? "month" : "week";
        Diag *dg = diag_at(c, D_DEMAND_SHORT, h->method_loc,
                           "`%s` has %u %s%s of history; %s needs %zu: its forecast is "
                           "missing", svc->names[h->service], h->n, unit, h->n == 1 ? "" : "s",
                           demand_method_text(c, &h->method), need_n);
        diag_note(c, dg, h->first_loc, "the history starts at %s",
                  demand_period_text(c, dm->every, h->first_period));
    }
}

const DemandHistory *demand_history(const Demand *dm, int32_t service)
{
    if (!dm || service < 0 || (uint32_t)service >= dm->nservices ||
        dm->history_of[service] < 0)
        return NULL;
    return &dm->histories[dm->history_of[service]];
}

double demand_forecast(const Demand *dm, int32_t service, uint32_t h)
{
    const DemandHistory *hist = demand_history(dm, service);
    if (!hist || !hist->usable)
        return NAN;
    double scratch[FORECAST_MAX_PERIOD];
    return forecast_at(&hist->method, hist->y, hist->n, h, scratch);
}

const double *demand_column(Compilation *c, Demand *dm, uint32_t h)
{
    for (uint32_t i = 0; i < dm->columns.len; i++) {
        DemandColumn *col = dm->columns.items[i];
        if (col->h == h)
            return col->value;
    }
    DemandColumn *col = ARENA_NEW(&c->arena, DemandColumn);
    col->h = h;
    uint32_t n = kind_table(c, EK_SERVICE)->count;
    col->value = ARENA_ARRAY(&c->arena, double, n + 1);
    for (uint32_t r = 0; r < n; r++)
        col->value[r] = demand_forecast(dm, (int32_t)r, h);
    ptrvec_push(&c->arena, &dm->columns, col);
    return col->value;
}

/* ---- strat forecast ------------------------------------------------------------ */

typedef struct ReportRow {
    const char *service, *method, *first, *last, *at;
    uint32_t periods;
    double forecast, mase;
} ReportRow;

/* A CSV cell: quoted when it holds a comma, a quote or a line break. */
static void csv_cell(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

static uint32_t mase_season(const ForecastMethod *m)
{
    return m->kind == FORECAST_SEASONAL_NAIVE || m->kind == FORECAST_HOLT_WINTERS ? m->period
                                                                                  : 1;
}

strat_status demand_report(Compilation *c, FILE *out, const strat_forecast_options *opts)
{
    Demand *dm = c->program ? c->program->demand : NULL;
    if (!dm || diag_blocked(c))
        return STRAT_FINDINGS;
    KindTable *svc = kind_table(c, EK_SERVICE);
    ReportRow *rows = ARENA_ARRAY(&c->arena, ReportRow, dm->nhistories + 1);
    uint32_t n = 0;
    double scratch[FORECAST_MAX_PERIOD];
    size_t wide[5] = {7, 7, 6, 8, 8};   /* service, periods, method, forecast, mase */
    for (uint32_t r = 0; r < dm->nservices; r++) {
        const DemandHistory *h = demand_history(dm, (int32_t)r);
        if (!h)
            continue;
        ReportRow *w = &rows[n++];
        w->service = svc->names[r];
        w->method = demand_method_text(c, &h->method);
        w->periods = h->n;
        w->first = demand_period_text(c, dm->every, h->first_period);
        w->last = demand_period_text(c, dm->every, h->first_period + (int32_t)h->n - 1);
        w->at = demand_period_text(c, dm->every,
                                   h->first_period + (int32_t)h->n - 1 + (int32_t)opts->horizon);
        w->forecast = demand_forecast(dm, (int32_t)r, opts->horizon);
        w->mase = h->usable ? forecast_mase(&h->method, h->y, h->n, opts->holdout,
                                            mase_season(&h->method), scratch)
                            : NAN;
        size_t len = strlen(w->service);
        wide[0] = len > wide[0] ? len : wide[0];
        len = strlen(w->method);
        wide[2] = len > wide[2] ? len : wide[2];
    }
    const char *fmt = opts->format ? opts->format : "table";
    const char *every = dm->every == DEMAND_MONTH ? "month" : "week";
    char buf[64];
    if (strcmp(fmt, "json") == 0) {
        fprintf(out, "{\"every\": \"%s\", \"horizon\": %u, \"holdout\": %u, \"services\": [",
                every, opts->horizon, opts->holdout);
        for (uint32_t i = 0; i < n; i++) {
            const ReportRow *w = &rows[i];
            fputs(i ? ",\n  {\"service\": " : "\n  {\"service\": ", out);
            json_string(out, w->service);
            fprintf(out, ", \"periods\": %u, \"first\": \"%s\", \"last\": \"%s\", \"method\": ",
                    w->periods, w->first, w->last);
            json_string(out, w->method);
            fprintf(out, ", \"period\": \"%s\", \"forecast\": ", w->at);
            json_number(out, w->forecast);
            fputs(", \"mase\": ", out);
            json_number(out, w->mase);
            fputc('}', out);
        }
        fputs(n ? "\n]}\n" : "]}\n", out);
    } else if (strcmp(fmt, "csv") == 0) {
        fputs("service,periods,first,last,method,period,forecast,mase\n", out);
        for (uint32_t i = 0; i < n; i++) {
            const ReportRow *w = &rows[i];
            csv_cell(out, w->service);
            fprintf(out, ",%u,%s,%s,", w->periods, w->first, w->last);
            csv_cell(out, w->method);
            fprintf(out, ",%s,", w->at);
            if (!isnan(w->forecast))
                fputs(format_double(buf, sizeof buf, w->forecast), out);
            fputc(',', out);
            if (!isnan(w->mase))
                fputs(format_double(buf, sizeof buf, w->mase), out);
            fputc('\n', out);
        }
    } else {
        fprintf(out, "# demand per %s: forecast %u %s%s after each history's last; MASE of "
                     "the last %u held back, against seasonal naive\n",
                every, opts->horizon, every, opts->horizon == 1 ? "" : "s", opts->holdout);
        fprintf(out, "%-*s  %7s  %-8s  %-8s  %-*s  %-8s  %10s  %6s\n", (int)wide[0], "service",
                "periods", "first", "last", (int)wide[2], "method", "period", "forecast",
                "mase");
        for (uint32_t i = 0; i < n; i++) {
            const ReportRow *w = &rows[i];
            char f[32] = "-", m[32] = "-";
            if (!isnan(w->forecast))
                snprintf(f, sizeof f, "%.2f", w->forecast);
            if (!isnan(w->mase))
                snprintf(m, sizeof m, "%.3f", w->mase);
            fprintf(out, "%-*s  %7u  %-8s  %-8s  %-*s  %-8s  %10s  %6s\n", (int)wide[0],
                    w->service, w->periods, w->first, w->last, (int)wide[2], w->method, w->at,
                    f, m);
        }
    }
    return ferror(out) ? STRAT_FAILURE : STRAT_OK;
}

/* ---- a sparkline for the HTML report ----------------------------------------- */

enum { SPARK_W = 1200, SPARK_H = 240, SPARK_PAD = 10, SPARK_MAX_AHEAD = 60 };

static long spark_x(size_t i, size_t points)
{
    return points < 2 ? SPARK_W / 2
                      : SPARK_PAD + (long)((double)i * (SPARK_W - 2 * SPARK_PAD) /
                                           (double)(points - 1) + 0.5);
}

static long spark_y(double v, double lo, double hi)
{
    double share = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    return SPARK_PAD + (long)((1 - share) * (SPARK_H - 2 * SPARK_PAD) + 0.5);
}

bool demand_sparkline_svg(const Demand *dm, int32_t service, uint32_t horizon, FILE *out)
{
    const DemandHistory *h = demand_history(dm, service);
    if (!h || !h->n)
        return false;
    if (horizon > SPARK_MAX_AHEAD)
        horizon = SPARK_MAX_AHEAD;
    double ahead[SPARK_MAX_AHEAD + 1];
    uint32_t nahead = 0;
    for (uint32_t k = 1; k <= horizon; k++) {
        double f = demand_forecast(dm, service, k);
        if (!isfinite(f))
            break;
        ahead[nahead++] = f;
    }
    double lo = INFINITY, hi = -INFINITY;
    for (uint32_t i = 0; i < h->n; i++) {
        lo = fmin(lo, h->y[i]);
        hi = fmax(hi, h->y[i]);
    }
    for (uint32_t i = 0; i < nahead; i++) {
        lo = fmin(lo, ahead[i]);
        hi = fmax(hi, ahead[i]);
    }
    size_t points = (size_t)h->n + nahead;
    fprintf(out, "<svg class=\"spark\" width=\"120\" "
                 "height=\"24\" viewBox=\"0 0 %d %d\" role=\"img\"><polyline fill=\"none\" "
                 "stroke=\"currentColor\" stroke-width=\"12\" points=\"",
            SPARK_W, SPARK_H);
    for (uint32_t i = 0; i < h->n; i++)
        fprintf(out, "%s%ld,%ld", i ? " " : "", spark_x(i, points), spark_y(h->y[i], lo, hi));
    fputs("\"/>", out);
    if (nahead) {
        /* from the last observed point on, dashed */
        fputs("<polyline fill=\"none\" stroke=\"currentColor\" stroke-width=\"12\" "
              "stroke-dasharray=\"30 20\" points=\"", out);
        fprintf(out, "%ld,%ld", spark_x(h->n - 1, points), spark_y(h->y[h->n - 1], lo, hi));
        for (uint32_t i = 0; i < nahead; i++)
            fprintf(out, " %ld,%ld", spark_x(h->n + i, points), spark_y(ahead[i], lo, hi));
        fputs("\"/>", out);
    }
    fputs("</svg>", out);
    return !ferror(out);
}
