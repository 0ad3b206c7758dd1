/*
 * test_jit.c — the JIT against the interpreter (the reference), Csmith
 * style: random well-typed score expressions and random rows (NaN, zero,
 * huge, tiny values), run both ways at -O0 and -O3; every score must have
 * the same bits (any NaN counts as the same NaN: its payload is not part
 * of the semantics — a NaN score is a diagnostic, never a value) and every
 * decision, arm and rank value must be equal.  Also the cache: miss, hit,
 * and a corrupt file that is rebuilt.
 *
 * STRAT_DIFFTEST_ROUNDS and STRAT_DIFFTEST_SEED set the run's size and
 * seed (`make difftest N=...`).
 */
#include <math.h>
#include <sys/stat.h>

#include "test_util.h"

typedef struct Rng {
    uint64_t s;
} Rng;

static uint32_t rnd(Rng *r, uint32_t n)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return (uint32_t)(r->s % n);
}

typedef struct Text {
    char *s;
    size_t len, cap;
} Text;

static void put(Text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(Text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char buf[512];
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->cap + (size_t)n + 1) * 2;
        t->s = realloc(t->s, t->cap);
    }
    memcpy(t->s + t->len, buf, (size_t)n + 1);
    t->len += (size_t)n;
}

static const char *const attrs[] = {"x", "y", "z", "w"};

static void gen_num(Text *t, Rng *r, int depth, int score_index);

static void gen_bool(Text *t, Rng *r, int depth, int score_index)
{
    static const char *const cmp[] = {"<", "<=", ">", ">=", "==", "!="};
    switch (depth <= 0 ? rnd(r, 3) : rnd(r, 7)) {
    case 0: put(t, "defined(s.%s)", attrs[rnd(r, 4)]); break;
    case 1: put(t, "s.status %s retired", rnd(r, 2) ? "==" : "!="); break;
    case 2: put(t, "s.flag"); break;
    case 3:
        put(t, "(");
        gen_bool(t, r, depth - 1, score_index);
        put(t, rnd(r, 2) ? " and " : " or ");
        gen_bool(t, r, depth - 1, score_index);
        put(t, ")");
        break;
    case 4:
        put(t, "not (");
        gen_bool(t, r, depth - 1, score_index);
        put(t, ")");
        break;
    default:
        put(t, "(");
        gen_num(t, r, depth - 1, score_index);
        put(t, " %s ", cmp[rnd(r, 6)]);
        gen_num(t, r, depth - 1, score_index);
        put(t, ")");
    }
}

static void gen_num(Text *t, Rng *r, int depth, int score_index)
{
    static const char *const consts[] = {"0", "1", "-1", "0.5", "3", "1e300", "1e-300",
                                         "0.1", "100", "2.5"};
    static const char *const fn1[] = {"abs", "sqrt", "log"};
    static const char *const ops[] = {"+", "-", "*", "/"};
    if (depth <= 0) {
        switch (rnd(r, 4)) {
        case 0: put(t, "%s", consts[rnd(r, 10)]); break;
        case 1: put(t, "alignment(s)"); break;
        case 2: put(t, "count(s.supports)"); break;
        default: put(t, "s.%s", attrs[rnd(r, 4)]);
        }
        return;
    }
    switch (rnd(r, 11)) {
    case 0: case 1: case 2: {
        put(t, "(");
        gen_num(t, r, depth - 1, score_index);
        const char *op = ops[rnd(r, 4)];
        put(t, " %s ", op);
        size_t mark = t->len;
        gen_num(t, r, depth - 1, score_index);
        /* a literal 0 divisor is a static error (S0902), not a test case */
        if (op[0] == '/' && strcmp(t->s + mark, "0") == 0) {
            t->len = mark;
            put(t, "s.y");
        }
        put(t, ")");
        break;
    }
    case 3:
        put(t, "-(");
        gen_num(t, r, depth - 1, score_index);
        put(t, ")");
        break;
    case 4:
        put(t, "%s(", rnd(r, 2) ? "min" : "max");
        gen_num(t, r, depth - 1, score_index);
        put(t, ", ");
        gen_num(t, r, depth - 1, score_index);
        put(t, ")");
        break;
    case 5:
        put(t, "clamp(");
        gen_num(t, r, depth - 1, score_index);
        put(t, ", 0, 1)");
        break;
    case 6:
        put(t, "%s(", fn1[rnd(r, 3)]);
        gen_num(t, r, depth - 1, score_index);
        put(t, ")");
        break;
    case 7:
        put(t, "pow(");
        gen_num(t, r, depth - 1, score_index);
        put(t, ", %s)", rnd(r, 2) ? "2" : "0.5");
        break;
    case 8:
        put(t, "(if ");
        gen_bool(t, r, depth - 1, score_index);
        put(t, " then ");
        gen_num(t, r, depth - 1, score_index);
        put(t, " else ");
        gen_num(t, r, depth - 1, score_index);
        put(t, ")");
        break;
    case 9:
        put(t, "norm(s.%s)", attrs[rnd(r, 4)]);
        break;
    default:
        /* an earlier score: no cycles */
        if (score_index > 0)
            put(t, "f%u(s)", rnd(r, (uint32_t)score_index));
        else
            put(t, "s.x");
    }
}

static const char *value_text_rnd(Rng *r)
{
    static const char *const vals[] = {"0", "1", "-1", "2.5", "1e300", "-1e300", "1e-300",
                                       "0.3", "7", "-0.5", "1000000", "none"};
    return vals[rnd(r, 12)];
}

enum { NSERVICES = 48 };

static char *make_strategy(Rng *r, int nscores)
{
    Text t = {0};
    put(&t, STRATEGY_HEADER "role cfo { }\n"
                            "objective o1 { metric = \"m\" baseline = 1 target = 2 due = "
                            "2027-06-30 weight = 0.4 owner = cfo }\n"
                            "objective o2 { metric = \"m\" baseline = 1 target = 2 due = "
                            "2027-06-30 weight = 0.6 owner = cfo }\n"
                            "schema service { x : number  y : number  z : number  w : number\n"
                            "  flag : bool = false }\n");
    for (int i = 0; i < NSERVICES; i++) {
        put(&t, "service s%d { owner = cfo supports = [%s] status = %s flag = %s", i,
            rnd(r, 3) == 0 ? "o1, o2" : rnd(r, 2) ? "o1" : "o2",
            rnd(r, 5) == 0 ? "retired" : "catalogue", rnd(r, 2) ? "true" : "false");
        for (int a = 0; a < 4; a++)
            put(&t, " %s = %s", attrs[a], value_text_rnd(r));
        put(&t, " }\n");
    }
    for (int i = 0; i < nscores; i++) {
        put(&t, "score f%d(s) = ", i);
        gen_num(&t, r, 1 + (int)rnd(r, 4), i);
        put(&t, "\n");
    }
    put(&t, "decide {\n");
    static const char *const decs[] = {"invest", "enhance", "migrate", "retire", "experiment"};
    for (int i = 0; i < 5; i++) {
        put(&t, "  %s when ", decs[i]);
        gen_bool(&t, r, 3, nscores);
        put(&t, "\n");
    }
    put(&t, "  tolerate otherwise\n  rank by f%u(s) desc\n}\n", rnd(r, (uint32_t)nscores));
    return t.s;
}

static strat_compilation *compile_mode(const char *text, strat_jit_mode jit, bool O0,
                                       const char *cache)
{
    char dir[] = "/tmp/strat-jit-XXXXXX";
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
    o.jit_O0 = O0;
    o.cache_dir = cache;
    strat_compilation *c = strat_new(NULL, &o);
    const char *files[] = {path};
    strat_load(c, files, 1);
    strat_check(c);
    unlink(path);
    rmdir(dir);
    return c;
}

static bool same_double(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return memcmp(&a, &b, sizeof a) == 0;
}

static unsigned compare_results(strat_compilation *a, strat_compilation *b, const char *text)
{
    Results *ra = a->results, *rb = b->results;
    assert_non_null(ra);
    assert_non_null(rb);
    unsigned cases = 0;
    for (uint32_t k = 0; k < ra->nscores; k++)
        for (uint32_t r = 0; r < ra->nservices; r++, cases++) {
            double x = ra->scores[(size_t)k * ra->nservices + r];
            double y = rb->scores[(size_t)k * rb->nservices + r];
            if (!same_double(x, y)) {
                fprintf(stderr, "score f%u service s%u: interpreter %a, jit %a\n%s\n", k, r, x,
                        y, text);
                fail();
            }
        }
    for (uint32_t r = 0; r < ra->nservices; r++) {
        if (ra->decision[r] != rb->decision[r] || ra->arm[r] != rb->arm[r] ||
            !same_double(ra->rank_value[r], rb->rank_value[r]) ||
            ra->rank[r] != rb->rank[r] || ra->failed[r] != rb->failed[r]) {
            fprintf(stderr, "service s%u: decision %d/%d arm %d/%d rank %a/%a\n%s\n", r,
                    ra->decision[r], rb->decision[r], ra->arm[r], rb->arm[r],
                    ra->rank_value[r], rb->rank_value[r], text);
            fail();
        }
    }
    return cases;
}

static void jit_agrees_with_interpreter(void **state)
{
    (void)state;
    const char *rounds_env = getenv("STRAT_DIFFTEST_ROUNDS");
    const char *seed_env = getenv("STRAT_DIFFTEST_SEED");
    int rounds = rounds_env ? atoi(rounds_env) : 8;
    Rng rng = {seed_env ? strtoull(seed_env, NULL, 10) : 0x5eedf00dULL};
    unsigned cases = 0, exprs = 0;
    for (int round = 0; round < rounds; round++) {
        int nscores = 100;
        char *text = make_strategy(&rng, nscores);
        strat_compilation *ref = compile_mode(text, STRAT_JIT_OFF, false, "");
        if (ref->nerrors && !count_code(ref, D_NAN)) {
            dump_diags(ref);
            fail_msg("generated strategy does not check:\n%s", text);
        }
        for (int O0 = 0; O0 <= 1; O0++) {
            strat_compilation *jit = compile_mode(text, STRAT_JIT_ON, O0, "");
            cases += compare_results(ref, jit, text);
            strat_free(jit);
        }
        exprs += (unsigned)nscores + 6;
        strat_free(ref);
        free(text);
    }
    fprintf(stderr, "difftest: %d rounds, %u expressions, %u score comparisons, all equal\n",
            rounds, exprs, cases);
}

static void cache_miss_hit_and_corrupt(void **state)
{
    (void)state;
    char dir[] = "/tmp/strat-cache-XXXXXX";
    assert_non_null(mkdtemp(dir));
    Rng rng = {42};
    char *text = make_strategy(&rng, 20);
    strat_compilation *ref = compile_mode(text, STRAT_JIT_OFF, false, "");
    /* miss: compiles and writes exactly one object */
    strat_compilation *a = compile_mode(text, STRAT_JIT_ON, false, dir);
    compare_results(ref, a, text);
    strat_free(a);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls %s/*.so | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int count = 0;
    assert_int_equal(fscanf(p, "%d", &count), 1);
    pclose(p);
    assert_int_equal(count, 1);
    /* hit: same object, same answers */
    snprintf(cmd, sizeof cmd, "ls %s/*.so", dir);
    p = popen(cmd, "r");
    char so[256];
    assert_non_null(fgets(so, sizeof so, p));
    pclose(p);
    so[strcspn(so, "\n")] = '\0';
    struct stat st1, st2;
    assert_int_equal(stat(so, &st1), 0);
    strat_compilation *b = compile_mode(text, STRAT_JIT_ON, false, dir);
    compare_results(ref, b, text);
    strat_free(b);
    assert_int_equal(stat(so, &st2), 0);
    assert_true(st1.st_mtim.tv_sec == st2.st_mtim.tv_sec &&
                st1.st_mtim.tv_nsec == st2.st_mtim.tv_nsec);   /* not rewritten */
    /* corrupt: ignored, rebuilt, still right */
    FILE *f = fopen(so, "w");
    fputs("not an object file", f);
    fclose(f);
    strat_compilation *d = compile_mode(text, STRAT_JIT_ON, false, dir);
    compare_results(ref, d, text);
    strat_free(d);
    assert_int_equal(stat(so, &st2), 0);
    assert_true(st2.st_size > 100);
    strat_free(ref);
    free(text);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(jit_agrees_with_interpreter),
        cmocka_unit_test(cache_miss_hit_and_corrupt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
