/*
 * ref.c — the benchmark's hand-written C baseline: the scores and the
 * decide table of bench/portfolio.strat, written out by hand over the CSV
 * that bench/gen.c makes.
 *
 *   ref services.csv        decision counts on stdout (the same lines as
 *                           `strat decide --format summary`), and on stderr
 *                           "ref: time: kernel N ms" (one thread) and
 *                           "ref: time: kernel-mt N ms" (split over cores)
 *
 * It loads the CSV itself (the whole file read into memory, fields split by
 * hand, numbers converted with strtod) into columns, one array of doubles a
 * numeric attribute as strat's portfolio does, then times only the kernel:
 * the four scores stored into arrays and the decision of every row, first
 * matching arm wins, in the order of portfolio.strat's decide table.
 *
 * Build with -O2 -ffp-contract=off: every formula is computed in double in
 * the order it is written in the .strat file, so threshold comparisons agree
 * bit for bit with strat, awk, SQLite and LuaJIT.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { D_INVEST, D_ENHANCE, D_MIGRATE, D_RETIRE, D_EXPERIMENT, D_TOLERATE, ND };
static const char *const dname[ND] = {"invest", "enhance", "migrate", "retire", "experiment",
                                      "tolerate"};
enum { ST_CATALOGUE, ST_PIPELINE, ST_RETIRED, ST_OTHER };

/* The nine numeric columns, in CSV order from column 5 (cost) on. */
enum { C_COST, C_CSAT, C_INCIDENTS, C_FF, C_TF, C_BV, C_TC, C_RR, C_JS, NCOL };

/* The columns, and the kernel's results. */
static double *col[NCOL];
static uint8_t *status;
static double *value, *health, *fit, *wsjf;
static int8_t *decision;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *msg)
{
    fprintf(stderr, "ref: %s\n", msg);
    exit(2);
}

/* The kernel: the four scores and the decision of rows [lo, hi). */
static void kernel(size_t lo, size_t hi)
{
    const double *cost = col[C_COST], *csat = col[C_CSAT], *inc = col[C_INCIDENTS],
                 *ff = col[C_FF], *tf = col[C_TF], *bv = col[C_BV], *tc = col[C_TC],
                 *rr = col[C_RR], *js = col[C_JS];
    for (size_t i = lo; i < hi; i++) {
        /* score value(s)  = 0.5 * s.csat / 5 + 0.5 * (s.functional_fit - 1) / 3 */
        double v = 0.5 * csat[i] / 5 + 0.5 * (ff[i] - 1) / 3;
        /* score health(s) = clamp(1 - s.incidents / 100, 0, 1) */
        double h = 1 - inc[i] / 100;
        h = h < 0 ? 0 : h;
        h = h > 1 ? 1 : h;
        /* score fit(s)    = (s.technical_fit - 1) / 3 */
        double f = (tf[i] - 1) / 3;
        /* score wsjf(s)   = (s.business_value + s.time_criticality + s.risk_reduction)
         *                   / s.job_size */
        double w = (bv[i] + tc[i] + rr[i]) / js[i];
        value[i] = v;
        health[i] = h;
        fit[i] = f;
        wsjf[i] = w;
        int8_t d;
        if (status[i] == ST_PIPELINE)
            d = D_EXPERIMENT;
        else if (status[i] == ST_RETIRED)
            d = D_RETIRE;
        else if (v >= 0.7 && h >= 0.6 && f >= 0.5)
            d = D_INVEST;
        else if (v >= 0.7)
            d = D_ENHANCE;
        else if (v >= 0.4 && f < 0.4)
            d = D_MIGRATE;
        else if (v < 0.25 && cost[i] > 500000)
            d = D_RETIRE;
        else
            d = D_TOLERATE;
        decision[i] = d;
    }
}

typedef struct {
    size_t lo, hi;
} Slice;

static void *kernel_thread(void *arg)
{
    Slice *sl = arg;
    kernel(sl->lo, sl->hi);
    return NULL;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open the CSV");
    size_t cap = 1 << 20, n = 0;
    char *buf = malloc(cap + 1);
    if (!buf)
        die("out of memory");
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap + 1);
            if (!buf)
                die("out of memory");
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p)
        die("out of memory");
    /* touched now: the kernel's time is arithmetic and memory traffic, not
     * first-touch page faults */
    memset(p, 0, size);
    return p;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fputs("usage: ref services.csv\n", stderr);
        return 2;
    }
    size_t len;
    char *text = slurp(argv[1], &len);
    char *p = text, *end = text + len;

    /* skip the header */
    char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl)
        die("no header");
    p = nl + 1;

    /* columns sized for an upper bound on the rows: one a newline */
    size_t cap = 1;
    for (char *q = p; (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++)
        cap++;
    for (int c = 0; c < NCOL; c++)
        col[c] = malloc(cap * sizeof(double));
    status = malloc(cap);
    if (!status)
        die("out of memory");

    size_t n = 0;
    while (p < end) {
        char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if (eol == p) {
            p++;
            continue;
        }
        /* id, title, customers: not needed */
        for (int f = 0; f < 3; f++) {
            char *comma = memchr(p, ',', (size_t)(eol - p));
            if (!comma)
                die("short row");
            p = comma + 1;
        }
        char *comma = memchr(p, ',', (size_t)(eol - p));
        if (!comma)
            die("short row");
        size_t sl = (size_t)(comma - p);
        status[n] = sl == 8 && memcmp(p, "pipeline", 8) == 0    ? ST_PIPELINE
                    : sl == 7 && memcmp(p, "retired", 7) == 0   ? ST_RETIRED
                    : sl == 9 && memcmp(p, "catalogue", 9) == 0 ? ST_CATALOGUE
                                                                : ST_OTHER;
        p = comma + 1;
        for (int c = 0; c < NCOL; c++) {
            char *e;
            col[c][n] = strtod(p, &e);
            if (e == p || (c < NCOL - 1 ? *e != ',' : (e != eol && *e != '\r')))
                die("bad number");
            p = e + 1;
        }
        p = eol + 1;
        n++;
    }

    value = xmalloc(n * sizeof(double));
    health = xmalloc(n * sizeof(double));
    fit = xmalloc(n * sizeof(double));
    wsjf = xmalloc(n * sizeof(double));
    decision = xmalloc(n);

    /* the kernel on one thread: the figure the benchmark compares with */
    double t0 = now_ms();
    kernel(0, n);
    double kernel_ms = now_ms() - t0;

    /* and split over the cores the way strat's JIT splits it (>= 100000
     * rows and more than one core: one slice a core, at most 8) */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    int nthreads = n >= 100000 && ncpu > 1 ? (int)(ncpu < 8 ? ncpu : 8) : 1;
    pthread_t tids[8];
    Slice slices[8];
    t0 = now_ms();
    for (int t = 0; t < nthreads; t++)
        slices[t] = (Slice){n * (size_t)t / (size_t)nthreads,
                            n * (size_t)(t + 1) / (size_t)nthreads};
    for (int t = 1; t < nthreads; t++)
        if (pthread_create(&tids[t], NULL, kernel_thread, &slices[t]) != 0)
            die("pthread_create failed");
    kernel_thread(&slices[0]);
    for (int t = 1; t < nthreads; t++)
        pthread_join(tids[t], NULL);
    double kernel_mt_ms = now_ms() - t0;

    size_t count[ND] = {0};
    double checksum = 0;
    for (size_t i = 0; i < n; i++) {
        count[decision[i]]++;
        checksum += value[i] + health[i] + fit[i] + wsjf[i];
    }
    for (int d = 0; d < ND; d++)
        printf("%-10s %zu\n", dname[d], count[d]);
    fprintf(stderr, "ref: time: kernel %.3f ms\n", kernel_ms);
    fprintf(stderr, "ref: time: kernel-mt %.3f ms (%d threads)\n", kernel_mt_ms, nthreads);
    /* the checksum keeps the score stores from being optimised away */
    fprintf(stderr, "ref: %zu rows, score checksum %.17g\n", n, checksum);
    return 0;
}
