/*
 * test_jit.c — the JIT against the interpreter (the reference), Csmith
 * style, and the JIT's cache (miss, hit, a corrupt file that is rebuilt).
 *
 * Each round generates a random well-typed strategy, decides it with the
 * interpreter and with the JIT at -O0 and -O3, and compares every score,
 * decision, arm, rank value and rank: scores and rank values bit for bit
 * (-0 is not +0; any NaN equals any NaN, since a NaN score is a diagnostic
 * and its payload is not part of the semantics).
 *
 * A comparison of services that all fail proves nothing about the decide
 * table, so the generator is built for rows that decide:
 *   - most rows have every number defined and in -10 .. 10 (some -0), and
 *     score formulas keep such inputs finite (divisors, sqrt and log are
 *     guarded, except now and then on purpose); a minority of rows has
 *     missing numbers or extreme ones (1e300, 1e-300), which fail or not;
 *   - the scores are computed first (by the interpreter), then every
 *     threshold in the decide table is a value the score or attribute
 *     really takes, so each arm holds for part of the portfolio; a draw
 *     whose scores fail on over a quarter of the rows, or whose table
 *     leaves over 40% to `otherwise`, is redone (a few times at most);
 *   - score f0 adds up defined() of a column of every type (number, bool,
 *     symbol, string, service ref, role ref, role-or-team ref, list), with
 *     rows missing each and rows holding row 0 (s0, cfo), so an off-by-one in
 *     either engine's defined() changes the bits of a score, and reads
 *     columns no service writes (a number without default, a number and a
 *     symbol with one, a list), which have no storage until the kernel
 *     asks for them (f0 is off by 100000 if one reads wrong); f1 does the
 *     same for the date column through days between dates (`date - date`
 *     with a literal and today(), which the JIT compiles: a missing date
 *     is NaN, 1969-12-31 is day -1 and not missing);
 *   - score f2 rounds x / 8 (multiples of 1/16: a quarter of the rows
 *     are exact binary ties at two decimals) and y * 0.335 (not exact),
 *     and takes floor, ceil, trunc and mod of them; f3 is 0.5 exactly on
 *     the tie rows, which the run counts; the random formulas draw
 *     round(e, 0..3), floor, ceil, trunc, mod(e, c) (c may be a 0 column:
 *     NaN) and `let` with the bound name used twice, counted per run;
 *   - `rank by` reads a column of -0, +0 and a few other values, asc or
 *     desc, so ties (-0 and +0 among them) are common.
 * Each round asserts that at least half its services are decided by a
 * `when` arm (not `otherwise`, not failed) and that the JIT compiled the
 * decide table (except in rounds whose arms read a date, which it leaves
 * to the interpreter: a quarter of them); over the run every arm index is
 * reached, some rows fail, and some -0/+0 ties are ranked.  So a generator
 * that stops producing decisions fails loudly instead of comparing
 * nothing.  The rank order itself is checked against the rank values
 * (ties in declaration order, NaN last), which neither engine can skip.
 *
 * STRAT_DIFFTEST_ROUNDS and STRAT_DIFFTEST_SEED set the run's size and
 * seed (`make difftest N=... SEED=...`).
 */
#include <fcntl.h>
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

/* true with probability k in n */
static bool chance(Rng *r, uint32_t k, uint32_t n)
{
    return rnd(r, n) < k;
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
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->cap + (size_t)n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

enum { NSERVICES = 48, NARMS = 5, NFIXED = 4, MAX_ATTEMPTS = 6 };

/* How often the generator drew each new construct over the run. */
enum { NEW_ROUND, NEW_FLOOR, NEW_MOD, NEW_LET, NEW_TEXT, NEW_COUNT };
static unsigned drawn[NEW_COUNT];
/* this round's table may use text predicates (one round in four) */
static bool text_round;
static unsigned table_texts;   /* text predicates in the table last drawn */

static const char *const num_attrs[] = {"x", "y", "z", "w"};
static const char *const decisions[] = {"invest", "enhance", "migrate", "retire", "experiment"};

/* ---- services ------------------------------------------------------------ */

/* A number for a regular row: -10 .. 10 in halves, some -0. */
static void put_plain_number(Text *t, Rng *r)
{
    if (chance(r, 1, 12))
        put(t, "-0");
    else
        put(t, "%g", ((int)rnd(r, 41) - 20) / 2.0);
}

static void put_services(Text *t, Rng *r)
{
    static const char *const extremes[] = {"1e300", "-1e300", "1e-300", "-1e-300"};
    static const char *const ranks[] = {"-0", "0", "-0", "0", "1", "-1", "2.5"};
    static const char *const dates[] = {"1969-12-31", "1970-01-01", "1970-01-02",
                                        "2026-12-31", "2027-03-01", "2028-02-29"};
    static const char *const statuses[] = {"catalogue", "catalogue", "catalogue", "pipeline",
                                           "retired"};
    for (int i = 0; i < NSERVICES; i++) {
        /* 1 in 8 rows misses some numbers, 1 in 12 holds an extreme one */
        bool missing = chance(r, 1, 8), extreme = !missing && chance(r, 1, 12);
        int odd = (int)rnd(r, 4);
        put(t, "service s%d { owner = %s supports = [%s] status = %s", i,
            chance(r, 1, 10) ? "ops" : "cfo",
            chance(r, 1, 3) ? "o1, o2" : chance(r, 1, 2) ? "o1" : "o2",
            statuses[rnd(r, 5)]);
        for (int a = 0; a < 4; a++) {
            put(t, " %s = ", num_attrs[a]);
            if (a == odd && missing)
                put(t, "none");
            else if (a == odd && extreme)
                put(t, "%s", extremes[rnd(r, 4)]);
            else if (missing && chance(r, 1, 4))
                put(t, "none");
            else
                put_plain_number(t, r);
        }
        if (!chance(r, 1, 30))
            put(t, " t = %s", ranks[rnd(r, 7)]);
        /* every other column is missing in about 1 row in 7 */
        if (!chance(r, 1, 7))
            put(t, " flag = %s", chance(r, 1, 2) ? "true" : "false");
        if (!chance(r, 1, 7))
            put(t, " tier = %s", chance(r, 1, 3) ? "gold" : chance(r, 1, 2) ? "silver" : "bronze");
        if (!chance(r, 1, 7)) {
            /* row 0 often: an off-by-one in defined() shows there */
            if (chance(r, 1, 3))
                put(t, " partner = s0");
            else
                put(t, " partner = s%u", rnd(r, NSERVICES));
        }
        if (!chance(r, 1, 7))
            put(t, " lead = %s", chance(r, 1, 2) ? "cfo" : chance(r, 1, 2) ? "cto" : "cio");
        if (!chance(r, 1, 7))
            put(t, " review = %s", dates[rnd(r, 6)]);
        if (!chance(r, 1, 7))
            put(t, " note = \"%s\"", chance(r, 1, 3) ? "a" : chance(r, 1, 2) ? "b" : "");
        put(t, " tags = [%s] }\n",
            chance(r, 1, 3) ? "" : chance(r, 1, 2) ? "p" : "p, q");
    }
}

/* ---- score formulas -------------------------------------------------------- */

/* Numbers that stay finite on regular rows: guarded divisors, sqrt and log
 * (unguarded now and then, on purpose), and earlier scores. */
static void gen_num(Text *t, Rng *r, int depth, int score_index)
{
    static const char *const consts[] = {"0", "1", "-1", "0.5", "3", "0.1", "2.5", "10"};
    if (depth <= 0) {
        switch (rnd(r, 10)) {
        case 0: case 1: put(t, "%s", consts[rnd(r, 8)]); break;
        case 2: case 3: case 4: put(t, "s.%s", num_attrs[rnd(r, 4)]); break;
        case 5: {
            const char *a = num_attrs[rnd(r, 4)];
            put(t, "(if defined(s.%s) then s.%s else %s)", a, a, consts[rnd(r, 8)]);
            break;
        }
        case 6: put(t, "alignment(s)"); break;
        case 7: put(t, "count(s.%s)", chance(r, 1, 2) ? "supports" : "tags"); break;
        case 8:
            if (score_index > 0) {
                put(t, "f%u(s)", rnd(r, (uint32_t)score_index));
                break;
            }
            /* fall through */
        default: put(t, "s.t");
        }
        return;
    }
    switch (rnd(r, 18)) {
    case 0: case 1: case 2: {
        static const char *const ops[] = {"+", "-", "*"};
        put(t, "(");
        gen_num(t, r, depth - 1, score_index);
        put(t, " %s ", ops[rnd(r, 3)]);
        gen_num(t, r, depth - 1, score_index);
        put(t, ")");
        break;
    }
    case 3:
        put(t, "(");
        gen_num(t, r, depth - 1, score_index);
        if (chance(r, 1, 25)) {
            /* unguarded: inf or NaN where the divisor is 0 (never a
             * literal 0, which is the static error S0902) */
            put(t, " / s.%s)", num_attrs[rnd(r, 4)]);
        } else {
            put(t, " / (abs(");
            gen_num(t, r, depth - 1, score_index);
            put(t, ") + 0.5))");
        }
        break;
    case 4:
        put(t, "-(");
        gen_num(t, r, depth - 1, score_index);
        put(t, ")");
        break;
    case 5:
        put(t, "%s(", chance(r, 1, 2) ? "min" : "max");
        gen_num(t, r, depth - 1, score_index);
        put(t, ", ");
        gen_num(t, r, depth - 1, score_index);
        put(t, ")");
        break;
    case 6:
        put(t, "clamp(");
        gen_num(t, r, depth - 1, score_index);
        put(t, ", %s, %s)", chance(r, 1, 2) ? "-1" : "0", chance(r, 1, 2) ? "1" : "5");
        break;
    case 7:
        /* unguarded now and then: NaN for the rows (missing or extreme)
         * whose argument goes below -11 */
        put(t, chance(r, 1, 12) ? "sqrt(11 + (" : "sqrt(abs(");
        gen_num(t, r, 0, score_index);
        put(t, "))");
        break;
    case 8:
        put(t, chance(r, 1, 12) ? "log(12 + (" : "log(abs(");
        gen_num(t, r, 0, score_index);
        put(t, ") + 1)");
        break;
    case 9:
        if (chance(r, 1, 2)) {
            put(t, "pow(");
            gen_num(t, r, depth - 1, score_index);
            put(t, ", 2)");
        } else {
            put(t, "pow(abs(");
            gen_num(t, r, depth - 1, score_index);
            put(t, "), 0.5)");
        }
        break;
    case 10: {
        static const char *const cmp[] = {"<", "<=", ">", ">=", "==", "!="};
        put(t, "(if ");
        if (chance(r, 1, 3)) {
            put(t, "defined(s.%s)", num_attrs[rnd(r, 4)]);
        } else {
            gen_num(t, r, 0, score_index);
            put(t, " %s ", cmp[rnd(r, 6)]);
            gen_num(t, r, 0, score_index);
        }
        put(t, " then ");
        gen_num(t, r, depth - 1, score_index);
        put(t, " else ");
        gen_num(t, r, depth - 1, score_index);
        put(t, ")");
        break;
    }
    case 11:
        put(t, "norm(s.%s)", num_attrs[rnd(r, 4)]);
        break;
    case 12:
        put(t, "abs(");
        gen_num(t, r, depth - 1, score_index);
        put(t, ")");
        break;
    case 14:
        drawn[NEW_ROUND]++;
        put(t, "round(");
        gen_num(t, r, depth - 1, score_index);
        put(t, ", %u)", rnd(r, 4));
        break;
    case 15: {
        static const char *const fns[] = {"floor", "ceil", "trunc"};
        drawn[NEW_FLOOR]++;
        put(t, "%s(", fns[rnd(r, 3)]);
        gen_num(t, r, depth - 1, score_index);
        put(t, ")");
        break;
    }
    case 16: {
        static const char *const by[] = {"3", "0.5", "-2", "s.y"};
        drawn[NEW_MOD]++;
        put(t, "mod(");
        gen_num(t, r, depth - 1, score_index);
        put(t, ", %s)", by[rnd(r, 4)]);
        break;
    }
    case 17: {
        /* the bound name used twice, and a second binding using the first */
        unsigned v = drawn[NEW_LET]++;
        put(t, "(let v%u = ", v);
        gen_num(t, r, depth - 1, score_index);
        put(t, ", w%u = v%u * 0.5 in v%u - w%u + ", v, v, v, v);
        gen_num(t, r, depth - 1, score_index);
        put(t, ")");
        break;
    }
    default:
        if (score_index > 0)
            put(t, "f%u(s)", rnd(r, (uint32_t)score_index));
        else
            put(t, "s.x");
    }
}

/* The strategy up to the decide table; *nscores is set. */
static char *make_body(Rng *r, int *nscores)
{
    Text t = {0};
    put(&t, STRATEGY_HEADER
        "role cfo { }\nrole cto { }\nrole cio { }\nteam ops { }\n"
        "objective o1 { metric = \"m\" baseline = 1 target = 2 due = 2027-06-30 weight = 0.4 "
        "owner = cfo }\n"
        "objective o2 { metric = \"m\" baseline = 1 target = 2 due = 2027-06-30 weight = 0.6 "
        "owner = cfo }\n"
        "schema service { x : number  y : number  z : number  w : number  t : number\n"
        "  flag : bool  tier : symbol in [gold, silver, bronze]  partner : service\n"
        "  lead : role  review : date  note : string  tags : [symbol]\n"
        /* columns no service writes: no storage, every row missing or the
         * default (program.c's fill), which the kernel must read as such */
        "  unset : number  preset : number = 2.5  level : symbol in [coarse, fine] = fine\n"
        "  untagged : [symbol] }\n");
    put_services(&t, r);
    /* f0: defined() of every column type but the date, one bit each */
    put(&t, "score f0(s) = (if defined(s.x) then 1 else 0) + (if defined(s.flag) then 2 else 0)"
            " + (if defined(s.tier) then 4 else 0) + (if defined(s.partner) then 8 else 0)"
            " + (if defined(s.lead) then 16 else 0) + (if defined(s.note) then 32 else 0)"
            " + (if defined(s.tags) then 64 else 0) + (if defined(s.owner) then 128 else 0)"
            " + (if defined(s.t) then 256 else 0) + (if defined(s.status) then 512 else 0)"
            " + ((if defined(s.unset) then 1 else 0) + (s.preset - 2.5)"
            " + (if s.level == fine then 0 else 1) + count(s.untagged)) * 100000\n");
    /* f1: the date column as days between (compiled: 1969-12-31 is day -1
     * and still a date; a missing one is NaN, so 0.5) */
    put(&t, "score f1(s) = let d = s.review - today(), e = 2028-02-29 - s.review in"
            " if d >= 0 or d < 0 then d + e / 1000 else 0.5\n");
    /* f2: round on exact ties and on inexact products; f3: 0.5 on a tie */
    put(&t, "score f2(s) = round(s.x / 8, 2) + round(s.y * 0.335, 2) * 3 + floor(s.z / 3)"
            " - ceil(s.w / 3) + trunc(s.z / 4) + mod(s.x, 1.5)"
            " + round(s.x / 4, 0)\n");
    put(&t, "score f3(s) = (s.x / 8) * 100 - floor((s.x / 8) * 100)\n");
    int n = NFIXED + 5 + (int)rnd(r, 6);
    for (int i = NFIXED; i < n; i++) {
        put(&t, "score f%d(s) = ", i);
        gen_num(&t, r, 1 + (int)rnd(r, 3), i);
        put(&t, "\n");
    }
    *nscores = n;
    return t.s;
}

/* ---- the decide table -------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A value score k takes on a row that did not fail, from the middle half
 * of them: a comparison with it holds for a good part of the rows. */
static double score_threshold(Rng *r, const Results *res, uint32_t k)
{
    double vals[NSERVICES];
    uint32_t n = 0;
    for (uint32_t row = 0; row < res->nservices && n < NSERVICES; row++) {
        double v = res->scores[(size_t)k * res->nservices + row];
        if (!res->failed[row] && isfinite(v))
            vals[n++] = v;
    }
    if (n == 0)
        return 0;
    qsort(vals, n, sizeof vals[0], cmp_double);
    return vals[n / 4 + rnd(r, n / 2 + 1) % n];
}

static void gen_atom(Text *t, Rng *r, const Results *res, int nscores, bool dates)
{
    static const char *const cmp[] = {"<", "<=", ">", ">=", "<", ">", "==", "!="};
    static const char *const columns[] = {"x", "flag", "tier", "partner", "lead", "note",
                                          "tags", "owner", "t", "review"};
    /* 0-9 everywhere, 10 a date (date rounds), 11-15 text (text rounds) */
    uint32_t pick = rnd(r, 10 + (dates ? 1 : 0) + (dates || text_round ? 5 : 0));
    if (!dates && pick >= 10)
        pick++;
    switch (pick) {
    case 0: case 1: case 2: case 3: {
        /* a score against a value it takes: true for part of the rows */
        uint32_t k = NFIXED + rnd(r, (uint32_t)(nscores - NFIXED));
        if (chance(r, 1, 4)) {   /* a let in a condition (the JIT's plan_bool) */
            drawn[NEW_LET]++;
            put(t, "(let u = f%u(s) in u %s %.17g)", k, cmp[rnd(r, 8)],
                score_threshold(r, res, k));
            break;
        }
        put(t, "f%u(s) %s %.17g", k, cmp[rnd(r, 8)], score_threshold(r, res, k));
        break;
    }
    case 4: {
        const char *a = num_attrs[rnd(r, 4)];
        put(t, "s.%s %s %g", a, cmp[rnd(r, 6)], ((int)rnd(r, 41) - 20) / 2.0);
        break;
    }
    case 5:
        put(t, "s.tier %s %s", chance(r, 2, 3) ? "==" : "!=",
            chance(r, 1, 2) ? "gold" : "silver");
        break;
    case 6:
        if (chance(r, 1, 2))
            put(t, "s.status %s %s", chance(r, 1, 2) ? "==" : "!=",
                chance(r, 1, 2) ? "retired" : "pipeline");
        else
            put(t, "s.note == \"%s\"", chance(r, 1, 2) ? "a" : "");
        break;
    case 7:
        put(t, "defined(s.%s)", columns[rnd(r, dates ? 10 : 9)]);
        break;
    case 8:
        put(t, chance(r, 1, 2) ? "s.flag" : "count(s.tags) >= 1");
        break;
    case 9:
        put(t, "f0(s) %s %u", chance(r, 1, 2) ? ">=" : "<", 256 + 128 + rnd(r, 128));
        break;
    case 11: case 12: case 13: case 14: case 15: {
        /* text predicates (DESIGN §5.6): the JIT leaves a table that uses
         * them to the interpreter, as it does dates, and the results must
         * still agree */
        static const char *const fns[] = {"contains", "starts_with", "ends_with"};
        static const char *const texts[] = {"s.note", "lower(s.note)", "s.tier", "lower(s.tier)"};
        static const char *const needles[] = {"\"a\"", "\"A\"", "\"\"", "\"ver\"",
                                              "\"go\"", "\"b\""};
        drawn[NEW_TEXT]++;
        table_texts++;
        if (chance(r, 1, 4))
            put(t, "lower(%s) %s %s", chance(r, 1, 2) ? "s.note" : "s.tier",
                chance(r, 1, 2) ? "==" : "!=", needles[rnd(r, 6)]);
        else
            put(t, "%s(%s, %s)", fns[rnd(r, 3)], texts[rnd(r, 4)], needles[rnd(r, 6)]);
        break;
    }
    default:
        put(t, "s.review %s 2027-01-01", chance(r, 1, 2) ? "<" : ">=");
    }
}

static void gen_cond(Text *t, Rng *r, const Results *res, int nscores, bool dates)
{
    switch (rnd(r, 10)) {
    case 0: case 1: case 2: case 3: case 4:
        gen_atom(t, r, res, nscores, dates);
        break;
    case 5:
        put(t, "not (");
        gen_atom(t, r, res, nscores, dates);
        put(t, ")");
        break;
    default:
        put(t, "(");
        gen_atom(t, r, res, nscores, dates);
        put(t, chance(r, 1, 3) ? " and " : " or ");
        gen_atom(t, r, res, nscores, dates);
        put(t, ")");
    }
}

/* Five `when` arms (no two alike: that is the static error S0907) and
 * `tolerate otherwise`; rank by a column of ties. */
static char *make_decide(Rng *r, const Results *res, int nscores, bool dates, bool named)
{
    static const char *const ranks[] = {"s.t", "-(s.t)", "min(s.t, 1)", "(s.t * s.x)"};
    Text t = {0};
    table_texts = 0;
    char *conds[NARMS] = {0};
    /* named: the same arms in a named first table (the JIT compiles it),
     * and a second table the interpreter decides after it, reading it */
    if (named)
        put(&t, "decide gen (invest, enhance, migrate, retire, experiment, tolerate) {\n");
    else
        put(&t, "decide {\n");
    /* in a date round, one arm surely reads the date */
    int date_arm = dates ? (int)rnd(r, NARMS) : -1;
    for (int i = 0; i < NARMS; i++) {
        for (;;) {
            Text c = {0};
            if (i == date_arm)
                put(&c, "(s.review < 2027-01-01 or ");
            gen_cond(&c, r, res, nscores, dates);
            if (i == date_arm)
                put(&c, ")");
            bool again = false;
            for (int j = 0; j < i; j++)
                again |= strcmp(conds[j], c.s) == 0;
            if (!again) {
                conds[i] = c.s;
                break;
            }
            free(c.s);
        }
        put(&t, "  %s when %s\n", decisions[i], conds[i]);
    }
    put(&t, "  tolerate otherwise\n  rank by ");
    if (chance(r, 1, 5))
        put(&t, "f%u(s)", NFIXED + rnd(r, (uint32_t)(nscores - NFIXED)));
    else
        put(&t, "%s", ranks[rnd(r, 4)]);
    put(&t, " %s\n}\n", chance(r, 1, 2) ? "asc" : "desc");
    if (named) {
        Text c = {0};
        gen_cond(&c, r, res, nscores, dates);
        put(&t, "decide second (hi, lo) {\n"
                "  hi when %s or decision(s, gen) == invest\n"
                "     because \"{s.x} and {f0(s)}: {decision(s)}\"\n"
                "  lo otherwise because \"{round(f1(s), 2)}\"\n}\n", c.s);
        free(c.s);
    }
    for (int i = 0; i < NARMS; i++)
        free(conds[i]);
    return t.s;
}

/* ---- compiling and comparing ----------------------------------------------- */

static void log_line(void *ctx, const char *kind, const char *line)
{
    put(ctx, "strat: %s: %s\n", kind, line);
}

/* Compiles and decides `text`; with `log`, what --verbose says goes there
 * (a malloc'ed string: which scores and whether the table were compiled). */
static strat_compilation *compile_mode(const char *text, strat_jit_mode jit, bool O0,
                                       const char *cache, char **log)
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
    o.cache_dir = cache;
    o.verbose = log != NULL;
    strat_compilation *c = strat_new(NULL, &o);
    strat_set_test_knobs(c, &(strat_test_knobs){.jit_O0 = O0});
    Text t = {0};
    put(&t, "%s", "");
    if (log)   /* the library's log lines (it writes nothing to stderr) */
        strat_set_log(c, log_line, &t);
    const char *files[] = {path};
    strat_load(c, files, 1);
    strat_check(c);
    strat_decide(c);
    if (log)
        *log = t.s;
    else
        free(t.s);
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
    assert_int_equal(ra->nservices, rb->nservices);
    assert_int_equal(ra->nscores, rb->nscores);
    unsigned cases = 0;
    for (uint32_t k = 0; k < ra->nscores; k++)
        for (uint32_t r = 0; r < ra->nservices; r++, cases++) {
            double x = ra->scores[(size_t)k * ra->nservices + r];
            double y = rb->scores[(size_t)k * rb->nservices + r];
            if (!same_double(x, y)) {
                fprintf(stderr, "%s\nscore f%u service s%u: interpreter %a, jit %a\n", text, k,
                        r, x, y);
                fail();
            }
        }
    /* every table's outcome, arm and because */
    assert_int_equal(ra->ntables, rb->ntables);
    for (uint32_t t = 0; t < ra->ntables; t++)
        for (uint32_t r = 0; r < ra->nservices; r++) {
            const char *ba = result_because(a->program, ra, t, r);
            const char *bb = result_because(b->program, rb, t, r);
            if (ra->decisions[t][r] != rb->decisions[t][r] || ra->arms[t][r] != rb->arms[t][r] ||
                ((ba || bb) && (!ba || !bb || strcmp(ba, bb) != 0))) {
                fprintf(stderr, "%s\nservice s%u table %u: outcome %d/%d arm %d/%d because "
                                "%s/%s (interpreter/jit)\n",
                        text, r, t, ra->decisions[t][r], rb->decisions[t][r], ra->arms[t][r],
                        rb->arms[t][r], ba ? ba : "-", bb ? bb : "-");
                fail();
            }
            cases++;
        }
    for (uint32_t r = 0; r < ra->nservices; r++) {
        if (ra->decision[r] != rb->decision[r] || ra->arm[r] != rb->arm[r] ||
            !same_double(ra->rank_value[r], rb->rank_value[r]) ||
            ra->rank[r] != rb->rank[r] || ra->failed[r] != rb->failed[r]) {
            fprintf(stderr, "%s\nservice s%u: decision %d/%d arm %d/%d rank value %a/%a "
                            "rank %u/%u failed %d/%d (interpreter/jit)\n",
                    text, r, ra->decision[r], rb->decision[r], ra->arm[r], rb->arm[r],
                    ra->rank_value[r], rb->rank_value[r], ra->rank[r], rb->rank[r],
                    ra->failed[r], rb->failed[r]);
            fail();
        }
    }
    return cases;
}

/* The order agrees with the rank values: better values first, equal ones
 * (-0 and +0 are equal) in declaration order, NaN last.  Returns how many
 * neighbours tie across -0 and +0. */
static unsigned check_rank_order(const Results *res, const char *text)
{
    const char *order_text = strstr(text, " asc\n}") ? "asc" : "desc";
    bool desc = order_text[0] == 'd';
    unsigned signed_zero_ties = 0;
    for (uint32_t i = 0; i < res->nservices; i++) {
        uint32_t b = res->order[i];
        if (res->rank[b] != i + 1) {
            fprintf(stderr, "%s\nservice s%u is at place %u but has rank %u\n", text, b, i + 1,
                    res->rank[b]);
            fail();
        }
        if (i == 0)
            continue;
        uint32_t a = res->order[i - 1];
        double va = res->rank_value[a], vb = res->rank_value[b];
        bool ok;
        if (isnan(va))
            ok = isnan(vb) && a < b;
        else if (isnan(vb))
            ok = true;
        else if (va == vb)
            ok = a < b;
        else
            ok = desc ? va > vb : va < vb;
        if (!ok) {
            fprintf(stderr, "%s\nrank by ... %s: s%u (%a) is ranked before s%u (%a)\n", text,
                    order_text, a, va, b, vb);
            fail();
        }
        signed_zero_ties += va == 0 && vb == 0 && signbit(va) != signbit(vb);
    }
    return signed_zero_ties;
}

/* Decides `text` by the interpreter; it must check (NaN scores aside). */
static strat_compilation *compile_checked(const char *text)
{
    strat_compilation *c = compile_mode(text, STRAT_JIT_OFF, false, "", NULL);
    if (!c->results || (c->nerrors && !count_code(c, D_NAN))) {
        dump_diags(c);
        fail_msg("generated strategy does not check:\n%s", text);
    }
    return c;
}

static unsigned count_true(const bool *v, uint32_t n)
{
    unsigned k = 0;
    for (uint32_t i = 0; i < n; i++)
        k += v[i];
    return k;
}

/* Services decided by a `when` arm: not failed, not `otherwise`. */
static unsigned decided_by_when(const Results *res)
{
    unsigned k = 0;
    for (uint32_t r = 0; r < res->nservices; r++)
        k += res->arm[r] >= 0 && res->arm[r] < NARMS;
    return k;
}

static void jit_agrees_with_interpreter(void **state)
{
    (void)state;
    const char *rounds_env = getenv("STRAT_DIFFTEST_ROUNDS");
    const char *seed_env = getenv("STRAT_DIFFTEST_SEED");
    int rounds = rounds_env ? atoi(rounds_env) : 12;
    Rng rng = {seed_env ? strtoull(seed_env, NULL, 10) : 0x5eedf00dULL};
    if (rng.s == 0)
        rng.s = 1;   /* xorshift stays at 0 */
    unsigned cases = 0, exprs = 0, rows = 0, by_when = 0, failed = 0, ties = 0;
    unsigned min_share = 100, arms_reached = 0, redrawn = 0, round_ties = 0;
    memset(drawn, 0, sizeof drawn);
    for (int round = 0; round < rounds; round++) {
        int nscores = 0;
        /* a quarter of the rounds read a date in an arm: the JIT leaves
         * that table to the interpreter */
        bool dates = round % 4 == 3;
        text_round = round % 4 == 1;
        /* rejection sampling, a few tries at most: scores that fail on
         * more than a quarter of the rows, or a table that leaves more
         * than 40% to `otherwise`, are drawn again (a generator that
         * cannot do better fails the share assertion below) */
        char *body = NULL;
        strat_compilation *probe = NULL;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++, redrawn += attempt > 0) {
            free(body);
            if (probe)
                strat_free(probe);
            body = make_body(&rng, &nscores);
            Text t = {0};
            put(&t, "%sdecide {\n  tolerate otherwise\n}\n", body);
            probe = compile_checked(t.s);
            free(t.s);
            if (4 * count_true(probe->results->failed, NSERVICES) <= NSERVICES)
                break;
        }
        Text text = {0};
        strat_compilation *ref = NULL;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++, redrawn += attempt > 0) {
            if (ref)
                strat_free(ref);
            char *decide = make_decide(&rng, probe->results, nscores, dates, round % 2 == 1);
            text.len = 0;
            put(&text, "%s%s", body, decide);
            free(decide);
            ref = compile_checked(text.s);
            if (10 * decided_by_when(ref->results) >= 6 * NSERVICES)
                break;
        }
        strat_free(probe);
        free(body);
        Results *res = ref->results;
        unsigned decided = decided_by_when(res);
        unsigned round_failed = count_true(res->failed, res->nservices);
        for (uint32_t r = 0; r < res->nservices; r++)
            if (res->arm[r] >= 0)
                arms_reached |= 1u << res->arm[r];
        ties += check_rank_order(res, text.s);
        unsigned share = 100 * decided / res->nservices;
        if (share < min_share)
            min_share = share;
        failed += round_failed;
        for (uint32_t r = 0; r < res->nservices; r++)   /* f3: the tie rows of f2 */
            round_ties += res->scores[3 * res->nservices + r] == 0.5;
        if (getenv("STRAT_DIFFTEST_VERBOSE"))
            fprintf(stderr, "round %d: %u decided by a `when` arm, %u failed, %u otherwise\n",
                    round, decided, round_failed, res->nservices - decided - round_failed);
        if (2 * decided < res->nservices)
            fail_msg("round %d: only %u of %u services are decided by a `when` arm (%u "
                     "failed): the generator no longer exercises the decide table\n%s",
                     round, decided, res->nservices, round_failed, text.s);
        rows += res->nservices;
        by_when += decided;
        for (int O0 = 0; O0 <= 1; O0++) {
            char *log = NULL;
            strat_compilation *jit = compile_mode(text.s, STRAT_JIT_ON, O0, "", &log);
            /* the JIT must really have run, and compiled the table when it can */
            /* a table with a date or a text predicate is interpreted */
            bool interpreted = dates || table_texts > 0;
            if (!strstr(log, "scores compiled") ||
                !strstr(log, interpreted ? "decide interpreted" : "decide compiled"))
                fail_msg("round %d: the JIT did not run as expected (%s):\n%s\n%s", round,
                         interpreted ? "table interpreted" : "table compiled", log, text.s);
            free(log);
            cases += compare_results(ref, jit, text.s);
            check_rank_order(jit->results, text.s);
            strat_free(jit);
        }
        exprs += (unsigned)nscores + NARMS + 1;
        strat_free(ref);
        free(text.s);
    }
    fprintf(stderr, "difftest: %d rounds, %u expressions, %u score comparisons, all equal; "
                    "%u of %u services decided by a `when` arm (%u%%, at least %u%% a round), "
                    "%u failed, %u -0/+0 ties ranked, %u draws redone; %u rows rounded a tie, "
                    "drawn: %u round, %u floor/ceil/trunc, %u mod, %u let, %u text\n",
            rounds, exprs, cases, by_when, rows, rows ? 100 * by_when / rows : 0, min_share,
            failed, ties, redrawn, round_ties, drawn[NEW_ROUND], drawn[NEW_FLOOR],
            drawn[NEW_MOD], drawn[NEW_LET], drawn[NEW_TEXT]);
    if (rounds >= 4) {
        /* over a run of a few rounds, the generator reaches everything */
        if (arms_reached != (1u << (NARMS + 1)) - 1)
            fail_msg("arms reached over the run: mask %#x, want every one of %d", arms_reached,
                     NARMS + 1);
        if (failed == 0)
            fail_msg("no service failed over the run: the NaN paths went untested");
        if (ties == 0)
            fail_msg("no -0/+0 tie was ranked over the run");
        if (round_ties == 0)
            fail_msg("no row of f2 rounded an exact binary tie over the run");
        static const char *const what[NEW_COUNT] = {"round", "floor/ceil/trunc", "mod",
                                                    "let", "text predicate"};
        for (int k = 0; k < NEW_COUNT; k++)
            if (drawn[k] == 0)
                fail_msg("the generator drew no %s over the run", what[k]);
    }
}

static void cache_miss_hit_and_corrupt(void **state)
{
    (void)state;
    char dir[] = "/tmp/strat-cache-XXXXXX";
    assert_non_null(mkdtemp(dir));
    Rng rng = {42};
    int nscores = 0;
    char *body = make_body(&rng, &nscores);
    Text text = {0};
    put(&text, "%sdecide {\n  invest when f2(s) > 0\n  tolerate otherwise\n  rank by s.t\n}\n",
        body);
    free(body);
    strat_compilation *ref = compile_mode(text.s, STRAT_JIT_OFF, false, "", NULL);
    /* miss: compiles and writes exactly one object */
    strat_compilation *a = compile_mode(text.s, STRAT_JIT_ON, false, dir, NULL);
    compare_results(ref, a, text.s);
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
    strat_compilation *b = compile_mode(text.s, STRAT_JIT_ON, false, dir, NULL);
    compare_results(ref, b, text.s);
    strat_free(b);
    assert_int_equal(stat(so, &st2), 0);
    assert_true(st1.st_mtim.tv_sec == st2.st_mtim.tv_sec &&
                st1.st_mtim.tv_nsec == st2.st_mtim.tv_nsec);   /* not rewritten */
    /* corrupt: ignored, rebuilt, still right */
    FILE *f = fopen(so, "w");
    fputs("not an object file", f);
    fclose(f);
    strat_compilation *d = compile_mode(text.s, STRAT_JIT_ON, false, dir, NULL);
    compare_results(ref, d, text.s);
    strat_free(d);
    assert_int_equal(stat(so, &st2), 0);
    assert_true(st2.st_size > 100);
    strat_free(ref);
    free(text.s);
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
