/*
 * test_demand.c — `load demand` and forecast(s, h) end to end (demand.c):
 * a strategy and its demand CSV are compiled and decided, and the scores
 * that read forecast() are checked against forecasts computed here from
 * the textbook recurrences (Hyndman & Athanasopoulos, FPP 3rd ed.,
 * §8.1–8.3, with the initial states docs/language.md §12.1 states),
 * written out over 1-based arrays independently of src/forecast.c.  Then
 * the JIT, which reads the forecasts as precomputed columns, must give the
 * same bits as the interpreter; weekly periods and missing forecasts are
 * checked through their diagnostics and values.
 */
#include <math.h>
#include <sys/stat.h>

#include "demand.h"
#include "test_util.h"

typedef struct Text {
    char *s;
    size_t len, cap;
} Text;

static void put(Text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

static void log_line(void *ctx, const char *kind, const char *line)
{
    put(ctx, "strat: %s: %s\n", kind, line);
}

/* Compiles and decides `strat` beside `csv` (demand.csv). */
static strat_compilation *compile_demand(const char *strat, const char *csv,
                                         strat_jit_mode jit, char **log)
{
    char dir[] = "/tmp/strat-demand-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], csv_path[128];
    snprintf(path, sizeof path, "%s/t.strat", dir);
    snprintf(csv_path, sizeof csv_path, "%s/demand.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(strat, f);
    fclose(f);
    f = fopen(csv_path, "w");
    assert_non_null(f);
    fputs(csv, f);
    fclose(f);
    strat_options o = {0};
    o.stdlib_dir = STRAT_TEST_STDLIB;
    o.today = "2027-01-15";
    o.jit = jit;
    o.cache_dir = "";
    o.verbose = log != NULL;
    strat_compilation *c = strat_new(NULL, &o);
    Text t = {0};
    put(&t, "%s", "");
    if (log)
        strat_set_log(c, log_line, &t);
    const char *files[] = {path};
    if (strat_load(c, files, 1) != STRAT_FAILURE && strat_check(c) != STRAT_FAILURE)
        strat_decide(c);
    if (log)
        *log = t.s;
    else
        free(t.s);
    unlink(csv_path);
    unlink(path);
    rmdir(dir);
    return c;
}

/* ---- the textbook, over y[1..n] ------------------------------------------------ */

static double ref_naive(const double *y, size_t n, uint32_t h)
{
    (void)h;
    return y[n];
}

/* yhat(T+h) = y(T + h - m(k+1)), k = floor((h-1)/m) */
static double ref_seasonal_naive(const double *y, size_t n, size_t m, uint32_t h)
{
    size_t k = (h - 1) / m;
    return y[n + h - m * (k + 1)];
}

static double ref_moving_average(const double *y, size_t n, size_t k)
{
    double sum = 0;
    for (size_t t = n - k + 1; t <= n; t++)
        sum += y[t];
    return sum / (double)k;
}

/* l1 = y1, b1 = y2 - y1; l_t = a y_t + (1-a)(l_{t-1} + b_{t-1}),
 * b_t = b (l_t - l_{t-1}) + (1-b) b_{t-1}; yhat = l_n + h b_n */
static double ref_holt(const double *y, size_t n, double a, double b, uint32_t h)
{
    double l[64], tr[64];
    l[1] = y[1];
    tr[1] = y[2] - y[1];
    for (size_t t = 2; t <= n; t++) {
        l[t] = a * y[t] + (1 - a) * (l[t - 1] + tr[t - 1]);
        tr[t] = b * (l[t] - l[t - 1]) + (1 - b) * tr[t - 1];
    }
    return l[n] + h * tr[n];
}

/* l_m = mean(y1..ym), b_m = (mean(y_{m+1}..y_{2m}) - l_m) / m,
 * s_i = y_i - l_m (i = 1..m); for t = m+1..n:
 * l_t = a (y_t - s_{t-m}) + (1-a)(l_{t-1} + b_{t-1}),
 * b_t = b (l_t - l_{t-1}) + (1-b) b_{t-1},
 * s_t = g (y_t - l_{t-1} - b_{t-1}) + (1-g) s_{t-m};
 * yhat(n+h) = l_n + h b_n + s_{n+h-m(k+1)}, k = floor((h-1)/m) */
static double ref_holt_winters(const double *y, size_t n, size_t m, double a, double b,
                               double g, uint32_t h)
{
    double l[64], tr[64], s[64];
    double first = 0, second = 0;
    for (size_t i = 1; i <= m; i++) {
        first += y[i];
        second += y[m + i];
    }
    first /= (double)m;
    second /= (double)m;
    l[m] = first;
    tr[m] = (second - first) / (double)m;
    for (size_t i = 1; i <= m; i++)
        s[i] = y[i] - first;
    for (size_t t = m + 1; t <= n; t++) {
        l[t] = a * (y[t] - s[t - m]) + (1 - a) * (l[t - 1] + tr[t - 1]);
        tr[t] = b * (l[t] - l[t - 1]) + (1 - b) * tr[t - 1];
        s[t] = g * (y[t] - l[t - 1] - tr[t - 1]) + (1 - g) * s[t - m];
    }
    size_t k = (h - 1) / m;
    return l[n] + h * tr[n] + s[n + h - m * (k + 1)];
}

/* ---- the strategy ---------------------------------------------------------------- */

enum { NSVC = 6, NMONTHS = 18, NH = 3 };
static const char *const svc_names[NSVC] = {"nv", "sn", "ma", "ho", "hw", "nohistory"};
static const uint32_t horizons[NH] = {1, 2, 7};

/* Quantities with a trend, a season of 4 and noise, per service (none has no rows). */
static void history(double y[NSVC][NMONTHS + 1])
{
    uint64_t s = 0x9E3779B97F4A7C15u;
    for (int k = 0; k < NSVC; k++)
        for (int t = 1; t <= NMONTHS; t++) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            double noise = (double)(s % 1000) / 100.0;
            static const double season[4] = {5, -3, 8, -10};
            y[k][t] = 100 + 10 * k + 2.5 * t + season[t % 4] + noise;
        }
}

static char *demand_csv(double y[NSVC][NMONTHS + 1])
{
    Text t = {0};
    put(&t, "Service,Month,Requests\n");
    for (int k = 0; k < NSVC - 1; k++)
        for (int m = 1; m <= NMONTHS; m++)
            put(&t, "%s,%04d-%02d,%.17g\n", svc_names[k], 2025 + (m - 1) / 12, (m - 1) % 12 + 1,
                y[k][m]);
    return t.s;
}

static char *strategy(void)
{
    Text t = {0};
    put(&t, "%s", STRATEGY_HEADER);
    for (int k = 0; k < NSVC; k++)
        put(&t, "service %s { }\n", svc_names[k]);
    put(&t, "load demand from \"demand.csv\" {\n"
            "  service = \"Service\"  period = \"Month\"  quantity = \"Requests\"\n"
            "  every = month  method = naive\n"
            "  sn { method = seasonal_naive(4) }\n"
            "  ma { method = moving_average(5) }\n"
            "  ho { method = holt(0.6, 0.2) }\n"
            "  hw { method = holt_winters(0.4, 0.15, 0.3, 4) }\n"
            "}\n");
    for (int i = 0; i < NH; i++)
        put(&t, "score f%u(s) = if defined(forecast(s, %u)) then forecast(s, %u) else -1\n",
            horizons[i], horizons[i], horizons[i]);
    put(&t, "decide { invest when forecast(s, 2) > 150 because \"grows\"  tolerate otherwise }\n");
    return t.s;
}

/* Errors and the demand checks' warnings (the services' orphan warnings
 * of these small strategies do not count). */
static unsigned problems(strat_compilation *c)
{
    unsigned n = 0;
    for (uint32_t i = 0; i < c->diags.len; i++) {
        const Diag *d = c->diags.items[i];
        n += d->severity == SEV_ERROR || d->code == D_DEMAND_SHORT;
    }
    if (n)
        dump_diags(c);
    return n;
}

static double score_of(strat_compilation *c, const char *score, const char *service)
{
    Score *s = program_score(c, intern_cstr(c, score));
    assert_non_null(s);
    int32_t row = kind_lookup(kind_table(c, EK_SERVICE), intern_cstr(c, service));
    assert_true(row >= 0);
    return c->results->scores[(size_t)s->index * c->results->nservices + (uint32_t)row];
}

static double reference(int k, const double *y, uint32_t h)
{
    switch (k) {
    case 0: return ref_naive(y, NMONTHS, h);
    case 1: return ref_seasonal_naive(y, NMONTHS, 4, h);
    case 2: return ref_moving_average(y, NMONTHS, 5);
    case 3: return ref_holt(y, NMONTHS, 0.6, 0.2, h);
    case 4: return ref_holt_winters(y, NMONTHS, 4, 0.4, 0.15, 0.3, h);
    default: return -1;   /* no history: forecast() is missing, the score's else */
    }
}

/* Each method's forecast at each horizon, as forecast(s, h) in a score,
 * within 1e-9 relative of the textbook (the sums run in another order). */
static void test_methods_against_textbook(void **state)
{
    (void)state;
    double y[NSVC][NMONTHS + 1];
    history(y);
    char *csv = demand_csv(y), *text = strategy();
    strat_compilation *c = compile_demand(text, csv, STRAT_JIT_OFF, NULL);
    assert_int_equal(problems(c), 0);
    assert_non_null(c->results);
    unsigned checked = 0;
    for (int k = 0; k < NSVC; k++)
        for (int i = 0; i < NH; i++) {
            char score[16];
            snprintf(score, sizeof score, "f%u", horizons[i]);
            double got = score_of(c, score, svc_names[k]);
            double want = reference(k, y[k], horizons[i]);
            if (!(fabs(got - want) <= 1e-9 * fabs(want)))
                fail_msg("%s: forecast(s, %u) = %.17g, the textbook gives %.17g", svc_names[k],
                         horizons[i], got, want);
            checked++;
        }
    assert_int_equal(checked, NSVC * NH);
    /* the decide arm: nohistory's forecast is missing, so its comparison is
     * false and `otherwise` decides it */
    int32_t none = kind_lookup(kind_table(c, EK_SERVICE), intern_cstr(c, "nohistory"));
    assert_int_equal(c->results->decision[none], DEC_TOLERATE);
    strat_free(c);
    free(csv);
    free(text);
}

/* The JIT reads forecast(s, h) from a column per horizon: every score the
 * same bits as the interpreter's, and compiled (not left to it). */
static void test_jit_agrees(void **state)
{
    (void)state;
    double y[NSVC][NMONTHS + 1];
    history(y);
    char *csv = demand_csv(y), *text = strategy();
    strat_compilation *ref = compile_demand(text, csv, STRAT_JIT_OFF, NULL);
    char *log = NULL;
    strat_compilation *jit = compile_demand(text, csv, STRAT_JIT_ON, &log);
    if (!strstr(log, "3 of 3 scores compiled") || !strstr(log, "decide compiled"))
        fail_msg("the JIT did not compile the forecasts:\n%s", log);
    Results *a = ref->results, *b = jit->results;
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->nscores, b->nscores);
    for (size_t i = 0; i < (size_t)a->nscores * a->nservices; i++)
        assert_memory_equal(&a->scores[i], &b->scores[i], sizeof(double));
    for (uint32_t r = 0; r < a->nservices; r++)
        assert_int_equal(a->decision[r], b->decision[r]);
    free(log);
    strat_free(ref);
    strat_free(jit);
    free(csv);
    free(text);
}

/* Weekly periods: an ISO week and a date in the next week are
 * consecutive across a year's end (2020 has a week 53, 2021 none), two
 * dates of one week are a duplicate, a skipped week a gap. */
static void test_weekly_periods(void **state)
{
    (void)state;
    const char *text = STRATEGY_HEADER
        "service a { }\nservice b { }\nservice c { }\n"
        "load demand from \"demand.csv\" { period = \"week\"  every = week  method = naive }\n"
        "score next(s) = if defined(forecast(s, 1)) then forecast(s, 1) else -1\n";
    strat_compilation *c = compile_demand(text,
                                          "service,week,quantity\n"
                                          "a,2020-W52,1\na,2020-W53,2\na,2021-01-04,3\n"
                                          "a,2021-W02,4\n",
                                          STRAT_JIT_OFF, NULL);
    assert_int_equal(problems(c), 0);
    assert_true(score_of(c, "next", "a") == 4);
    strat_free(c);
    c = compile_demand(text,
                       "service,week,quantity\n"
                       "b,2021-W53,1\n"                       /* 2021 has 52 weeks */
                       "c,2026-01-12,1\nc,2026-01-18,2\n"     /* Monday and Sunday of W03 */
                       "c,2026-W05,3\n",                      /* W04 skipped */
                       STRAT_JIT_OFF, NULL);
    assert_int_equal(count_code(c, D_DEMAND_CELL), 1);
    assert_int_equal(count_code(c, D_DEMAND_DUPLICATE), 1);
    assert_int_equal(count_code(c, D_DEMAND_GAP), 1);
    LineCol at = diag_pos(c, find_code(c, D_DEMAND_GAP));
    assert_int_equal(at.line, 5);
    assert_int_equal(at.col, 3);
    strat_free(c);
}

/* A history shorter than its method needs: the warning, and a missing
 * forecast (the score's else branch). */
static void test_short_history(void **state)
{
    (void)state;
    const char *text = STRATEGY_HEADER
        "service a { }\n"
        "load demand from \"demand.csv\" { every = month  method = holt_winters(0.5, 0.1, "
        "0.1, 3) }\n"
        "score next(s) = if defined(forecast(s, 1)) then forecast(s, 1) else -1\n";
    strat_compilation *c = compile_demand(text,
                                          "service,period,quantity\n"
                                          "a,2026-01,1\na,2026-02,2\na,2026-03,3\n"
                                          "a,2026-04,4\na,2026-05,5\n",
                                          STRAT_JIT_OFF, NULL);
    assert_int_equal(count_code(c, D_DEMAND_SHORT), 1);
    assert_true(score_of(c, "next", "a") == -1);
    strat_free(c);
}

/* A flood of bad rows: 100 reported, then one note counting the rest. */
static void test_problem_cap(void **state)
{
    (void)state;
    const char *text = STRATEGY_HEADER
        "service a { }\n"
        "load demand from \"demand.csv\" { every = month  method = naive }\n";
    Text csv = {0};
    put(&csv, "service,period,quantity\n");
    for (int i = 0; i < 130; i++)
        put(&csv, "a,2026-%02d,lots\n", i % 12 + 1);
    strat_compilation *c = compile_demand(text, csv.s, STRAT_JIT_OFF, NULL);
    assert_int_equal(count_code(c, D_DEMAND_CELL), 100);
    assert_int_equal(count_code(c, D_TOO_MANY), 1);
    assert_non_null(strstr(find_code(c, D_TOO_MANY)->msg, "30 more"));
    strat_free(c);
    free(csv.s);
}

/* The HTML report's sparkline: the history solid, the forecasts dashed
 * from the last observed point, on one scale (lowest at the bottom). */
static void test_sparkline(void **state)
{
    (void)state;
    const char *text = STRATEGY_HEADER
        "service a { }\nservice b { }\n"
        "load demand from \"demand.csv\" { every = month  method = naive }\n";
    strat_compilation *c = compile_demand(text,
                                          "service,period,quantity\n"
                                          "a,2026-01,1\na,2026-02,2\na,2026-03,3\n",
                                          STRAT_JIT_OFF, NULL);
    assert_int_equal(problems(c), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    KindTable *svc = kind_table(c, EK_SERVICE);
    assert_true(demand_sparkline_svg(c->program->demand,
                                     kind_lookup(svc, intern_cstr(c, "a")), 2, f));
    assert_false(demand_sparkline_svg(c->program->demand,
                                      kind_lookup(svc, intern_cstr(c, "b")), 2, f));
    fclose(f);
    assert_non_null(strstr(buf, "points=\"10,230 305,120 600,10\"/>"));
    assert_non_null(strstr(buf, "stroke-dasharray=\"30 20\" points=\"600,10 895,10 1190,10\""));
    assert_int_equal(strncmp(buf + len - 6, "</svg>", 6), 0);
    free(buf);
    strat_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_methods_against_textbook),
        cmocka_unit_test(test_jit_agrees),
        cmocka_unit_test(test_weekly_periods),
        cmocka_unit_test(test_short_history),
        cmocka_unit_test(test_problem_cap),
        cmocka_unit_test(test_sparkline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
