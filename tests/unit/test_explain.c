/*
 * test_explain.c — `strat explain` and the HTML report against themselves:
 * the same text whichever engine decided, and linear in the scores.
 *
 * The differential test generates strategies whose scores and arms use
 * norm() (plain, of scores, and behind guards no service passes until the
 * flip search pushes an input past them) and threshold arms over small
 * integer-valued inputs, so most services have a flip within reach.  Each
 * strategy is compiled twice from the same file, decided by the JIT and by
 * the interpreter; `explain` of every service and `decide --format html`
 * must give the same bytes.  Each round must find flips for a minimum
 * share of its services, or the comparison would compare nothing.
 *
 * The generator keeps to what the JIT compiles (s.attr, arithmetic, min,
 * max, if, norm, score calls, and/or/not, comparisons), so the JIT run
 * fixes every norm() range up front while the interpreter's are fixed on
 * first use: the case where the two used to disagree.  Elsewhere:
 * tests/golden/explain/ (fixed ranges, a strict threshold's figure, schema
 * bounds, long reads lines) and tests/security/explain_scaling_test.sh (a
 * doubling chain of scores in bounded work).
 *
 * STRAT_DIFFTEST_ROUNDS and STRAT_DIFFTEST_SEED set the run's size and
 * seed, as for test_jit.
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
    assert_true(n >= 0 && (size_t)n < sizeof buf);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->cap + (size_t)n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    memcpy(t->s + t->len, buf, (size_t)n + 1);
    t->len += (size_t)n;
}

/* ---- the generator ------------------------------------------------------- */

/* Inputs are 0 .. 20 (w has a schema bound >= 0); the guards below test
 * past that range, so no service passes them until the search moves one
 * input out of it. */
static const char *const attrs[] = {"x", "y", "z", "w"};
enum { NSERVICES = 32, NSCORES = 4, NARMS = 4 };

static void gen_num(Text *t, Rng *r, int depth, int score);

static void gen_guarded_norm(Text *t, Rng *r)
{
    static const char *const above[] = {"0.95", "1.1", "1.4"};
    static const char *const below[] = {"0.05", "-0.1", "-0.4"};
    const char *a = attrs[rnd(r, 3)];   /* not w: it cannot go below 0 */
    if (rnd(r, 2))
        put(t, "(s.%s > 20 and norm(s.%s) > %s)", a, a, above[rnd(r, 3)]);
    else
        put(t, "(s.%s < 0 and norm(s.%s) < %s)", a, a, below[rnd(r, 3)]);
}

static void gen_bool(Text *t, Rng *r, int depth, int nscores)
{
    static const char *const cmp[] = {"<", "<=", ">", ">="};
    static const char *const score_bar[] = {"0.5", "1", "3", "5", "10", "20", "40"};
    static const char *const norm_bar[] = {"0.2", "0.5", "0.8"};
    switch (depth <= 0 ? rnd(r, 5) : rnd(r, 8)) {
    case 1:
        if (nscores > 0) {
            put(t, "f%u(s) %s %s", rnd(r, (uint32_t)nscores), cmp[rnd(r, 4)],
                score_bar[rnd(r, 7)]);
            break;
        }
        /* fall through */
    case 0: put(t, "s.%s %s %u", attrs[rnd(r, 4)], cmp[rnd(r, 4)], 1 + rnd(r, 19)); break;
    case 2: put(t, "norm(s.%s) %s %s", attrs[rnd(r, 4)], cmp[rnd(r, 4)], norm_bar[rnd(r, 3)]);
        break;
    case 3: gen_guarded_norm(t, r); break;
    case 4: put(t, "s.tier %s gold", rnd(r, 2) ? "==" : "!="); break;
    case 5: case 6:
        put(t, "(");
        gen_bool(t, r, depth - 1, nscores);
        put(t, rnd(r, 2) ? " and " : " or ");
        gen_bool(t, r, depth - 1, nscores);
        put(t, ")");
        break;
    default:
        put(t, "not ");
        gen_bool(t, r, 0, nscores);
    }
}

static void gen_num(Text *t, Rng *r, int depth, int score)
{
    static const char *const consts[] = {"0.5", "1", "2", "3", "10"};
    static const char *const ops[] = {"+", "-", "*"};
    if (depth <= 0) {
        switch (rnd(r, 5)) {
        case 0: put(t, "%s", consts[rnd(r, 5)]); break;
        case 1: put(t, "norm(s.%s)", attrs[rnd(r, 4)]); break;
        case 2:
            if (score > 0) {
                put(t, "f%u(s)", rnd(r, (uint32_t)score));
                break;
            }
            /* fall through */
        default: put(t, "s.%s", attrs[rnd(r, 4)]);
        }
        return;
    }
    switch (rnd(r, 8)) {
    case 0: case 1:
        put(t, "(");
        gen_num(t, r, depth - 1, score);
        put(t, " %s ", ops[rnd(r, 3)]);
        gen_num(t, r, depth - 1, score);
        put(t, ")");
        break;
    case 2:
        put(t, "%s(", rnd(r, 2) ? "min" : "max");
        gen_num(t, r, depth - 1, score);
        put(t, ", ");
        gen_num(t, r, depth - 1, score);
        put(t, ")");
        break;
    case 3:
        put(t, "10 * norm(");
        gen_num(t, r, depth - 1, score);
        put(t, ")");
        break;
    case 4: {
        /* a norm() only the flip search reaches */
        const char *a = attrs[rnd(r, 3)];
        put(t, "(if s.%s %s then %u * norm(s.%s) else ", a, rnd(r, 2) ? "> 20" : "< 0",
            10 + rnd(r, 30), a);
        gen_num(t, r, depth - 1, score);
        put(t, ")");
        break;
    }
    case 5:
        put(t, "(if ");
        gen_bool(t, r, 0, score > 0 ? score : 0);
        put(t, " then ");
        gen_num(t, r, depth - 1, score);
        put(t, " else ");
        gen_num(t, r, depth - 1, score);
        put(t, ")");
        break;
    default:
        gen_num(t, r, 0, score);
    }
}

static char *make_strategy(Rng *r)
{
    Text t = {0};
    put(&t, STRATEGY_HEADER "role cfo { }\n"
                            "objective o1 { metric = \"m\" baseline = 1 target = 2 due = "
                            "2027-06-30 weight = 1 owner = cfo }\n"
                            "schema service { x : number  y : number  z : number\n"
                            "  w : number >= 0\n"
                            "  tier : symbol in [gold, silver, bronze] = silver }\n");
    static const char *const tiers[] = {"gold", "silver", "bronze"};
    for (int i = 0; i < NSERVICES; i++) {
        put(&t, "service s%d { owner = cfo supports = [o1] status = catalogue tier = %s", i,
            tiers[rnd(r, 3)]);
        for (int a = 0; a < 4; a++)
        {
            uint32_t v = rnd(r, 41);   /* 0, 0.5, ... 20 */
            put(&t, " %s = %u%s", attrs[a], v / 2, v % 2 ? ".5" : "");
        }
        put(&t, " }\n");
    }
    for (int i = 0; i < NSCORES; i++) {
        put(&t, "score f%d(s) = ", i);
        gen_num(&t, r, 1 + (int)rnd(r, 3), i);
        put(&t, "\n");
    }
    put(&t, "decide {\n");
    static const char *const decs[] = {"invest", "enhance", "migrate", "retire"};
    /* first a plain threshold on an unbounded input: every service can
     * cross it, and the arms after it are left unevaluated for the
     * services it decides (where a norm() fixed late would show) */
    static const char *const cmp[] = {"<", "<=", ">", ">="};
    put(&t, "  %s when s.%s %s %u\n", decs[0], attrs[rnd(r, 3)], cmp[rnd(r, 4)],
        1 + rnd(r, 19));
    for (int i = 1; i < NARMS; i++) {
        put(&t, "  %s when ", decs[i]);
        gen_bool(&t, r, 2, NSCORES);
        if (rnd(r, 2)) {
            put(&t, " or ");
            gen_guarded_norm(&t, r);
        }
        put(&t, "\n");
    }
    put(&t, "  tolerate otherwise\n  rank by f%u(s) desc\n}\n", rnd(r, NSCORES));
    return t.s;
}

/* ---- compiling and explaining -------------------------------------------- */

/* A strategy in a file of its own, so two compilations name the same path. */
typedef struct Case {
    char dir[64], path[128];
} Case;

static void case_write(Case *k, const char *text)
{
    snprintf(k->dir, sizeof k->dir, "/tmp/strat-explain-XXXXXX");
    assert_non_null(mkdtemp(k->dir));
    snprintf(k->path, sizeof k->path, "%s/t.strat", k->dir);
    FILE *f = fopen(k->path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void case_remove(Case *k)
{
    unlink(k->path);
    rmdir(k->dir);
}

static strat_compilation *compile_case(const Case *k, strat_jit_mode jit)
{
    strat_options o = {0};
    o.stdlib_dir = STRAT_TEST_STDLIB;
    o.today = "2027-01-15";
    o.jit = jit;
    o.jit_O0 = true;      /* the bits are the same at -O0; compiling is faster */
    o.cache_dir = "";     /* in memory: no cache shared with other tests */
    strat_compilation *c = strat_new(NULL, &o);
    assert_non_null(c);
    const char *files[] = {k->path};
    strat_load(c, files, 1);
    strat_check(c);
    strat_decide(c);
    return c;
}

/* What f(c, out, arg) printed, as a malloc'ed string. */
static char *captured(strat_compilation *c, const char *service)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *ms = open_memstream(&buf, &len);
    assert_non_null(ms);
    strat_status st = service ? strat_explain(c, ms, service)
                              : strat_emit_decisions(c, ms, "html");
    assert_int_equal(fclose(ms), 0);
    assert_int_equal(st, STRAT_OK);
    return buf;
}

static bool has_flip(const char *explained)
{
    const char *h = strstr(explained, "smallest single change that flips the decision:\n");
    assert_non_null(h);
    return strncmp(strchr(h, '\n') + 1, "  none found", 12) != 0;
}

static void print_first_difference(const char *a, const char *b)
{
    size_t i = 0;
    while (a[i] && a[i] == b[i])
        i++;
    size_t line = i;
    while (line > 0 && a[line - 1] != '\n')
        line--;
    fprintf(stderr, "jit:         %.*s\ninterpreter: %.*s\n", (int)strcspn(a + line, "\n"),
            a + line, (int)strcspn(b + line, "\n"), b + line);
}

static void explain_same_under_jit_and_interpreter(void **state)
{
    (void)state;
    const char *rounds_env = getenv("STRAT_DIFFTEST_ROUNDS");
    const char *seed_env = getenv("STRAT_DIFFTEST_SEED");
    int rounds = rounds_env ? atoi(rounds_env) : 16;
    Rng rng = {seed_env ? strtoull(seed_env, NULL, 10) : 0xe8b1a1dULL};
    unsigned compared = 0, flipped = 0, html_bytes = 0;
    for (int round = 0; round < rounds; round++) {
        char *text = make_strategy(&rng);
        Case k;
        case_write(&k, text);
        strat_compilation *jit = compile_case(&k, STRAT_JIT_ON);
        strat_compilation *interp = compile_case(&k, STRAT_JIT_OFF);
        if (interp->nerrors) {
            dump_diags(interp);
            fail_msg("generated strategy does not check:\n%s", text);
        }
        /* the JIT did decide (or this would compare the interpreter with
         * itself) */
        assert_non_null(jit->jit_kept);
        unsigned round_flipped = 0;
        KindTable *svc = kind_table(interp, EK_SERVICE);
        for (uint32_t r = 0; r < svc->count; r++) {
            char *a = captured(jit, svc->names[r]);
            char *b = captured(interp, svc->names[r]);
            if (strcmp(a, b) != 0) {
                fprintf(stderr, "explain %s differs (round %d):\n", svc->names[r], round);
                print_first_difference(a, b);
                fprintf(stderr, "%s\n", text);
                fail();
            }
            round_flipped += has_flip(a);
            compared++;
            free(a);
            free(b);
        }
        /* most services have a flip within reach: a round where few do
         * would pass without testing the search */
        if (round_flipped * 2 < svc->count) {
            fprintf(stderr, "round %d: only %u of %u services have a flip:\n%s\n", round,
                    round_flipped, svc->count, text);
            fail();
        }
        flipped += round_flipped;
        char *ha = captured(jit, NULL);
        char *hb = captured(interp, NULL);
        if (strcmp(ha, hb) != 0) {
            fprintf(stderr, "the HTML report differs (round %d):\n", round);
            print_first_difference(ha, hb);
            fprintf(stderr, "%s\n", text);
            fail();
        }
        html_bytes += (unsigned)strlen(ha);
        free(ha);
        free(hb);
        strat_free(jit);
        strat_free(interp);
        case_remove(&k);
        free(text);
    }
    fprintf(stderr, "explain difftest: %d rounds, %u services explained both ways (%u with a "
                    "flip), %u bytes of HTML, all equal\n",
            rounds, compared, flipped, html_bytes);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(explain_same_under_jit_and_interpreter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
