/* test_showback.c — show-back (showback.c): the largest-remainder split,
 * the three charging methods and the reconciliation, on a small portfolio
 * whose figures are worked out by hand below; allocated_cost and charge in
 * scores; the HTML section. */
#include <math.h>

#include "test_util.h"
#include "eval.h"
#include "showback.h"

static void split_is_exact(void **state)
{
    (void)state;
    strat_compilation *c = strat_new(NULL, NULL);
    int64_t out[4];
    /* 1 cent of 100 left over: it goes to the first of three equal parts */
    showback_split(c, 100, (double[]){1, 1, 1}, 3, out);
    assert_int_equal(out[0], 34);
    assert_int_equal(out[1], 33);
    assert_int_equal(out[2], 33);
    /* 100001 by 2:6:0 is 25000.25, 75000.75, 0: the cent to the .75 */
    showback_split(c, 100001, (double[]){2, 6, 0}, 3, out);
    assert_int_equal(out[0], 25000);
    assert_int_equal(out[1], 75001);
    assert_int_equal(out[2], 0);
    /* negative amounts split by the same rule, signs kept */
    showback_split(c, -100, (double[]){1, 1, 1}, 3, out);
    assert_int_equal(out[0], -34);
    assert_int_equal(out[2], -33);
    /* any weights: the parts add up, each within a cent of its exact share */
    srand(7);
    for (int round = 0; round < 2000; round++) {
        double w[4];
        double sum = 0;
        for (int i = 0; i < 4; i++)
            sum += w[i] = (double)(rand() % 1000) / 7.0 + (i == 0);
        int64_t total = (int64_t)rand() * 977 % 100000000;
        showback_split(c, total, w, 4, out);
        int64_t got = 0;
        for (int i = 0; i < 4; i++) {
            got += out[i];
            assert_true(fabs((double)out[i] - (double)total * w[i] / sum) < 1.0 + 1e-6);
        }
        assert_int_equal(got, total);
    }
    strat_free(c);
}

static const char *const portfolio =
    "strategy \"T\" {\n"
    "  currency = \"<USD>\"\n"
    "}\n"
    "schema service {\n"
    "  cost : number >= 0 = 0\n"
    "}\n"
    "customer a {}\n"
    "customer b {}\n"
    /* storage: 1000 of its own + 60% of the pool (600), capacity 100 of
     * which 75 used: a pays 30% of 1600 = 480, b 45% = 720, 400 unused */
    "service storage {\n"
    "  cost = 1000\n"
    "  usage { a = 30  b = 45 }\n"
    "  charge { method = capacity  capacity = 100 }\n"
    "}\n"
    /* api: 100 + 40% of the pool (400) = 500; tiered 0.5 per unit to 100,
     * 0.25 above: a 150 units = 62.50, b 20 units = 10.00, 427.50 left */
    "service api {\n"
    "  cost = 100\n"
    "  usage { a = 150  b = 20 }\n"
    "  charge { method = tiered  bands = [0, 100]  rates = [0.5, 0.25] }\n"
    "}\n"
    /* mail: 0.10, no pool share, proportional 1:2 = 0.03 (rounded up, the
     * larger remainder) and 0.07 */
    "service mail {\n"
    "  cost = 0.1\n"
    "  usage { a = 1  b = 2 }\n"
    "}\n"
    "pool shared {\n"
    "  cost = 1000\n"
    "  shares { storage = 0.6  api = 0.4 }\n"
    "}\n"
    "score full(s) = allocated_cost(s)\n"
    "score from_b(s) = charge(s, b)\n";

static const ShowbackCell *cell(const Showback *sb, strat_compilation *c, const char *svc,
                                const char *cust)
{
    int32_t s = kind_lookup(kind_table(c, EK_SERVICE), intern_cstr(c, svc));
    int32_t u = kind_lookup(kind_table(c, EK_CUSTOMER), intern_cstr(c, cust));
    for (uint32_t i = 0; i < sb->ncells; i++)
        if ((int32_t)sb->cells[i].service == s && (int32_t)sb->cells[i].customer == u)
            return &sb->cells[i];
    return NULL;
}

static void methods_and_reconciliation(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(portfolio);
    if (c->nerrors)
        dump_diags(c);
    assert_int_equal(c->nerrors, 0);
    const Showback *sb = c->program->showback;
    assert_non_null(sb);
    assert_true(sb->reconciled);
    const ShowbackCell *x = cell(sb, c, "storage", "a");
    assert_int_equal(x->direct + x->shared, 48000);
    assert_int_equal(x->direct, 30000);      /* 30% of 1000 */
    x = cell(sb, c, "storage", "b");
    assert_int_equal(x->direct + x->shared, 72000);
    x = cell(sb, c, "api", "a");
    assert_int_equal(x->direct + x->shared, 6250);
    assert_int_equal(x->direct, 1250);       /* 100/500 of 62.50 */
    x = cell(sb, c, "api", "b");
    assert_int_equal(x->direct + x->shared, 1000);
    assert_int_equal(cell(sb, c, "mail", "a")->direct, 3);
    assert_int_equal(cell(sb, c, "mail", "b")->direct, 7);
    int32_t storage = kind_lookup(kind_table(c, EK_SERVICE), intern_cstr(c, "storage"));
    int32_t api = kind_lookup(kind_table(c, EK_SERVICE), intern_cstr(c, "api"));
    assert_int_equal(sb->services[storage].unallocated, 40000);
    assert_int_equal(sb->services[api].unallocated, 42750);
    assert_int_equal(sb->pools_total, 100000);
    assert_int_equal(sb->direct_total, 110010);
    assert_int_equal(sb->charged_total, 48000 + 72000 + 6250 + 1000 + 10);
    assert_int_equal(sb->unallocated_total, 40000 + 42750);
    /* in scores, through the interpreter (decide's engine by default is
     * the JIT when built with it; both must read the same columns) */
    Results *r = c->results;
    Score *full = program_score(c, intern_cstr(c, "full"));
    Score *from_b = program_score(c, intern_cstr(c, "from_b"));
    assert_true(r->scores[full->index * r->nservices + (uint32_t)storage] == 1600);
    assert_true(r->scores[full->index * r->nservices + (uint32_t)api] == 500);
    assert_true(r->scores[from_b->index * r->nservices + (uint32_t)storage] == 720);
    assert_true(r->scores[from_b->index * r->nservices + (uint32_t)api] == 10);
    strat_free(c);
}

static void html_section(void **state)
{
    (void)state;
    strat_compilation *c = compile_text(portfolio);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    showback_emit_html(c, f);
    fclose(f);
    assert_non_null(strstr(buf, "<section id=\"showback\">"));
    assert_non_null(strstr(buf, "(&lt;USD&gt;)"));            /* escaped */
    assert_null(strstr(buf, "<USD>"));
    assert_non_null(strstr(buf, "<td>storage</td>"));
    assert_non_null(strstr(buf, "<tr class=\"unallocated\"><td>(unallocated)</td><td>api</td>"));
    assert_non_null(strstr(buf, "reconciled to the cent"));
    assert_non_null(strstr(buf, "</section>"));
    free(buf);
    strat_free(c);
}

typedef struct Log {
    char text[4096];
    size_t len;
} Log;

static void log_line(void *ctx, const char *kind, const char *line)
{
    Log *l = ctx;
    int n = snprintf(l->text + l->len, sizeof l->text - l->len, "%s: %s\n", kind, line);
    if (n > 0 && l->len + (size_t)n < sizeof l->text)
        l->len += (size_t)n;
}

static strat_compilation *compile_jit(const char *text, strat_jit_mode jit, Log *log)
{
    char dir[] = "/tmp/strat-sb-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/t.strat", dir);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    strat_options o = {0};
    o.stdlib_dir = STRAT_TEST_STDLIB;
    o.today = "2027-01-15";
    o.jit = jit;
    o.cache_dir = "";
    o.verbose = true;
    strat_compilation *c = strat_new(NULL, &o);
    strat_set_log(c, log_line, log);
    const char *files[] = {path};
    strat_load(c, files, 1);
    strat_check(c);
    strat_decide(c);
    unlink(path);
    rmdir(dir);
    return c;
}

/* The JIT reads allocated_cost and charge as columns: the same bits as the
 * interpreter, and it really compiled the scores (when built with it). */
static void jit_agrees(void **state)
{
    (void)state;
    Log on = {0}, off = {0};
    strat_compilation *a = compile_jit(portfolio, STRAT_JIT_ON, &on);
    strat_compilation *b = compile_jit(portfolio, STRAT_JIT_OFF, &off);
    Results *ra = a->results, *rb = b->results;
    assert_int_equal(ra->nscores, rb->nscores);
    for (uint32_t k = 0; k < ra->nscores * ra->nservices; k++)
        assert_memory_equal(&ra->scores[k], &rb->scores[k], sizeof(double));
    if (strstr(on.text, "jit: ")) {   /* built with libgccjit */
        if (!strstr(on.text, "2 of 2 scores compiled"))
            fprintf(stderr, "%s", on.text);
        assert_non_null(strstr(on.text, "2 of 2 scores compiled"));
    }
    strat_free(a);
    strat_free(b);
}

static void off_without_pools_or_usage(void **state)
{
    (void)state;
    strat_compilation *c = compile_text("strategy \"T\" {}\nservice x {}\n");
    assert_null(c->program->showback);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    showback_emit_html(c, f);
    fclose(f);
    assert_int_equal(len, 0);
    free(buf);
    strat_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(split_is_exact),
        cmocka_unit_test(methods_and_reconciliation),
        cmocka_unit_test(html_section),
        cmocka_unit_test(jit_agrees),
        cmocka_unit_test(off_without_pools_or_usage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
