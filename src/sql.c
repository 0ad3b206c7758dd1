/*
 * sql.c — `strat sql`: the decided strategy's scores, decide table and rank
 * as one SQL query, for PostgreSQL (and Citus), DuckDB and Spark SQL.
 *
 * Takes the checked and decided Program (the decide stage says which
 * scores are computed and written: Results.score_wanted/score_written) and
 * gives the text of one query.  Its rows: every service with rank,
 * service, each shown decide table's decision, arm (file:line) and
 * because, each written score and the approvers, in the order and with
 * the columns of `strat decide --format csv`.
 *
 * Where the rows come from: the services loaded from CSV by the one
 * `load service` are read from a table (--table; its columns named as the
 * CSV header, mapped to attributes as the load block maps them), the
 * services declared in .strat files are a VALUES list with the attributes
 * the query reads, and the two are one relation `l0` (`_ord` is the row
 * order strat itself uses: declared services first, then the table's rows
 * in its physical order).
 *
 * How an expression becomes SQL (docs/sql.md says it for users):
 *   - a missing value and NaN are NULL; every score column is passed
 *     through NULLIF(x, NaN), so an engine NaN (inf - inf) becomes NULL;
 *   - a condition is two-valued: a comparison with NULL is false
 *     (COALESCE(a < b, FALSE)), so `not` gives what the interpreter gives;
 *     equality of non-numbers is IS NOT DISTINCT FROM (two missing values
 *     are equal, as atoms -1 == -1 are);
 *   - division, log, sqrt and pow are guarded: the engines raise (or differ)
 *     where IEEE gives inf or NaN, so the query spells out the IEEE result;
 *   - min, max and clamp give NULL when an argument is NULL (GREATEST and
 *     LEAST would skip it);
 *   - number literals are CAST('text' AS DOUBLE): a bare 0.1 is a decimal
 *     in all three engines;
 *   - norm(x) is a window over the portfolio: MIN(x) OVER (), MAX(x) OVER ();
 *   - alignment(s) and exposure(s, c) read the objectives and risk blocks
 *     of the .strat files: per declared service they are values in the
 *     VALUES list; a service from the table supports nothing and has no
 *     risk blocks (a supports column in the table is refused, S1305);
 *   - each decide table is one CASE, arms in order (first match), giving
 *     the arm's index (`_arm<t>`); decision, arm and because are read off
 *     it (`_dec<t>` is what decision(s, T) and an approval's `T` read),
 *     an interpolated `because` as its pieces joined with ||;
 *   - rank is ROW_NUMBER() over the rank value of the table with `rank
 *     by` (NULL last, -0 as +0), ties by `_ord`.
 * Expressions are built bottom-up into columns of a chain of CTEs l0, l1,
 * ...: a sub-expression used more than once (a guarded divisor, the
 * argument of norm()) is a column of its own, so the text stays linear in
 * the expression's size, and a window's argument is a column of the CTE
 * before the window's.  What falls outside the subset is a located S13xx
 * diagnostic and no query at all.
 */
#include <math.h>
#include <string.h>

#include "csv.h"
#include "dates.h"
#include "decide.h"
#include "diag.h"
#include "json.h"
#include "resolve.h"
#include "source.h"
#include "sql.h"

/* A column of the chain: defined in CTE l(layer + 1) as `sql`. */
typedef struct SqlCol {
    const char *name;
    const char *sql;
    int layer;
} SqlCol;

/* A translated expression: its text, the first CTE that can evaluate it
 * (every column it names is defined in l0..l(layer)), its type, and
 * whether it can be NULL (a condition that cannot needs no COALESCE). */
typedef struct Tx {
    const char *sql;
    int layer;
    TypeKind kind;
    bool notnull;
    bool simple;             /* a column or a literal: cheap to repeat */
} Tx;

typedef struct Sql {
    Compilation *c;
    Program *p;
    Eval *ev;
    Results *res;
    SqlDialect d;
    KindTable *svc;
    SqlCol *cols;
    uint32_t ncols, cap;
    bool *attr_used;         /* per service attribute slot */
    PtrVec exp_cats;         /* Name: exposure categories read */
    bool align_used;
    int *score_layer;        /* per score: layer of its column's reference; -1 */
    int *dec_layer;          /* per decide table: layer of `_dec<t>`'s reference */
    uint32_t ndecided;       /* tables [0, ndecided) have their `_dec<t>` */
    Tx lets[LET_SLOTS];
    bool let_set[LET_SLOTS];
    uint32_t nhoist;
    bool failed;
    /* the table */
    Decl *load;              /* the load of services, or NULL */
    const char **attr_col;   /* per slot: the table column, or NULL */
    const char *key_col;
    uint32_t ndeclared;      /* rows [0, ndeclared) come from .strat files */
} Sql;

/* ---- dialect ----------------------------------------------------------------- */

static const char *dbl(const Sql *q)
{
    return q->d == SQL_POSTGRES ? "DOUBLE PRECISION" : "DOUBLE";
}

static const char *text_type(const Sql *q)
{
    return q->d == SQL_POSTGRES ? "TEXT" : q->d == SQL_DUCKDB ? "VARCHAR" : "STRING";
}

/* A quoted identifier: "x" (PostgreSQL, DuckDB) or `x` (Spark). */
static const char *ident(Sql *q, const char *name)
{
    char quote = q->d == SQL_SPARK ? '`' : '"';
    size_t n = strlen(name);
    char *out = arena_alloc(&q->c->arena, 2 * n + 3);
    size_t k = 0;
    out[k++] = quote;
    for (const char *s = name; *s; s++) {
        if (*s == quote)
            out[k++] = quote;
        out[k++] = *s;
    }
    out[k++] = quote;
    out[k] = '\0';
    return out;
}

/* A string literal: PostgreSQL and DuckDB double a quote; Spark reads
 * backslash escapes, so there a quote and a backslash are escaped. */
static const char *str_lit(Sql *q, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(&q->c->arena, 2 * n + 3);
    size_t k = 0;
    out[k++] = '\'';
    for (; *s; s++) {
        if (q->d == SQL_SPARK && (*s == '\'' || *s == '\\'))
            out[k++] = '\\';
        else if (*s == '\'')
            out[k++] = '\'';
        out[k++] = *s;
    }
    out[k++] = '\'';
    out[k] = '\0';
    return out;
}

/* A double, exactly: the shortest text that reads back as v, cast from a
 * string (a bare 0.1 is a decimal in every engine). */
static const char *num_lit(Sql *q, double v)
{
    char buf[48];
    const char *text = isnan(v) ? "NaN" : isinf(v) ? (v > 0 ? "Infinity" : "-Infinity")
                                                   : format_double(buf, sizeof buf, v);
    return arena_printf(&q->c->arena, "CAST('%s' AS %s)", text, dbl(q));
}

static const char *date_lit(Sql *q, int32_t days)
{
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    return arena_printf(&q->c->arena, "DATE '%04d-%02u-%02u'", y, m, d);
}

static Tx tx_make(const char *sql, int layer, TypeKind kind, bool notnull, bool simple)
{
    Tx t = {sql, layer, kind, notnull, simple};
    return t;
}

static Tx tx_fail(void)
{
    return tx_make("NULL", 0, T_ERROR, false, true);
}

/* ---- columns ------------------------------------------------------------------- */

static const char *add_col(Sql *q, const char *name, const char *sql, int layer)
{
    if (q->ncols == q->cap) {
        uint32_t ncap = q->cap ? q->cap * 2 : 32;
        q->cols = arena_realloc(&q->c->arena, q->cols, sizeof(SqlCol) * q->cap,
                                sizeof(SqlCol) * ncap);
        q->cap = ncap;
    }
    q->cols[q->ncols++] = (SqlCol){name, sql, layer};
    return name;
}

/* t as a column of its own (unless it is one already, or a literal). */
static Tx hoist(Sql *q, Tx t)
{
    if (t.simple)
        return t;
    const char *name = arena_printf(&q->c->arena, "_h%u", q->nhoist++);
    add_col(q, name, t.sql, t.layer);
    return tx_make(name, t.layer + 1, t.kind, t.notnull, true);
}

static int max_layer(int a, int b)
{
    return a > b ? a : b;
}

/* ---- diagnostics ------------------------------------------------------------- */

static Tx refuse(Sql *q, DiagCode code, Loc loc, const char *what)
{
    q->failed = true;
    Diag *d = diag_at(q->c, code, loc, "%s cannot be translated to SQL", what);
    if (code == D_SQL_PORTFOLIO)
        diag_hint(q->c, d, "the query decides each service from its own row; "
                           "`strat decide` runs the whole strategy");
    return tx_fail();
}

/* ---- expressions --------------------------------------------------------------- */

static Tx tx_expr(Sql *q, Expr *e);

/* A condition that is never NULL. */
static const char *cond(Sql *q, Tx t)
{
    if (t.notnull)
        return t.sql;
    return arena_printf(&q->c->arena, "COALESCE(%s, FALSE)", t.sql);
}

static Tx tx_bool(Sql *q, const char *sql, int layer)
{
    (void)q;
    return tx_make(sql, layer, T_BOOL, true, false);
}

static Tx tx_num(const char *sql, int layer)
{
    return tx_make(sql, layer, T_NUMBER, false, false);
}

static const char *inf_lit(Sql *q, bool neg)
{
    return num_lit(q, neg ? -INFINITY : INFINITY);
}

/* The service variable (`s` of a score, of the decide table)? */
static bool is_service_var(const Expr *e)
{
    return e->kind == EX_NAME && !e->u.name.binder && e->u.name.sym &&
           e->u.name.sym->kind == SYM_LOCAL && e->u.name.sym->index == 0;
}

static Tx tx_attr(Sql *q, Expr *e)
{
    if (!is_service_var(e->u.attr.obj))
        return refuse(q, D_SQL_OTHER_ENTITY, e->loc,
                      arena_printf(&q->c->arena, "`.%s` of another entity than the service",
                                   e->u.attr.attr));
    int slot = e->u.attr.slot;
    if (slot < 0)
        return tx_fail();
    q->attr_used[slot] = true;
    const AttrDef *a = &q->svc->attrs[slot];
    return tx_make(arena_printf(&q->c->arena, "a_%s", a->name), 0, a->type.kind,
                   false, true);
}

static Tx tx_score_call(Sql *q, Expr *e)
{
    Score *s = call_score(q->p, e);
    if (e->u.call.nargs != 1 || !is_service_var(e->u.call.args[0]))
        return refuse(q, D_SQL_PORTFOLIO, e->loc,
                      arena_printf(&q->c->arena, "score `%s` of another entity than the "
                                                 "service", s->name));
    if (q->score_layer[s->index] < 0)   /* (scores are translated callees first) */
        return tx_fail();
    return tx_make(arena_printf(&q->c->arena, "sc_%s", s->name), q->score_layer[s->index],
                   T_NUMBER, false, true);
}

/* NaN in, NaN out: NULL when any argument is NULL (GREATEST and LEAST
 * would skip it), else the engine's GREATEST/LEAST. */
static Tx tx_minmax(Sql *q, const char *fn, Tx *args, uint32_t n)
{
    const char *nulls = "", *list = "";
    int layer = 0;
    for (uint32_t i = 0; i < n; i++) {
        args[i] = hoist(q, args[i]);
        nulls = arena_printf(&q->c->arena, "%s%s%s IS NULL", nulls, i ? " OR " : "",
                             args[i].sql);
        list = arena_printf(&q->c->arena, "%s%s%s", list, i ? ", " : "", args[i].sql);
        layer = max_layer(layer, args[i].layer);
    }
    return tx_num(arena_printf(&q->c->arena, "CASE WHEN %s THEN NULL ELSE %s(%s) END",
                               nulls, fn, list), layer);
}

/* round(x, n), half-even on the exact value of x * 10^n: numeric.c's
 * steps in SQL, with the exact error of the product, fma(a, P, -p) there,
 * from Dekker's product (Veltkamp's split of a; P = 10^n has at most 26
 * significant bits for n <= 11, so it needs no split), which is exact in
 * IEEE doubles as every engine computes them.  |x| > 2^53 (and inf) is
 * x itself, and is kept out of the products, which cannot overflow then
 * (PostgreSQL raises on overflow and underflow).  n must be a constant
 * from 0 to 11; -0 comes out as +0. */
static Tx tx_round(Sql *q, Expr *e)
{
    Arena *A = &q->c->arena;
    double n;
    Expr *digits = e->u.call.args[1];
    if (!const_number(q->c, digits, &n, false) || !(n >= 0 && n <= 11) || n != floor(n))
        return refuse(q, D_SQL_NO_EXACT, digits->loc, "round() to other than a constant 0 to 11 "
                                                      "digits");
    Tx x = tx_expr(q, e->u.call.args[0]);
    if (x.kind == T_ERROR)
        return x;
    x = hoist(q, x);
    double scale = 1;
    for (double i = 0; i < n; i = i + 1)
        scale = scale * 10;
    const char *P = num_lit(q, scale), *big = num_lit(q, 0x1p53);
    Tx a = hoist(q, tx_num(arena_printf(A, "CASE WHEN ABS(%s) > %s THEN %s ELSE ABS(%s) END",
                                        x.sql, big, num_lit(q, 0), x.sql), x.layer));
    Tx p = hoist(q, tx_num(arena_printf(A, "(%s * %s)", a.sql, P), a.layer));
    Tx cs = hoist(q, tx_num(arena_printf(A, "(%s * %s)", num_lit(q, 134217729), a.sql),
                            a.layer));
    Tx ah = hoist(q, tx_num(arena_printf(A, "(%s - (%s - %s))", cs.sql, cs.sql, a.sql),
                            max_layer(cs.layer, a.layer)));
    Tx err = hoist(q, tx_num(arena_printf(A, "((%s * %s - %s) + (%s - %s) * %s)", ah.sql, P,
                                          p.sql, a.sql, ah.sql, P),
                             max_layer(ah.layer, p.layer)));
    Tx f = hoist(q, tx_num(arena_printf(A, "FLOOR(%s)", p.sql), p.layer));
    Tx d = hoist(q, tx_num(arena_printf(A, "(%s - %s)", p.sql, f.sql), f.layer));
    Tx t = hoist(q, tx_num(arena_printf(A, "((%s - %s) + %s)", d.sql, num_lit(q, 0.5),
                                        err.sql), max_layer(d.layer, err.layer)));
    const char *one = num_lit(q, 1), *half = num_lit(q, 0.5), *quarter = num_lit(q, 0.25);
    Tx r = hoist(q, tx_num(arena_printf(A, "CASE WHEN %s < %s THEN %s WHEN %s >= %s THEN %s "
                                           "WHEN %s < %s THEN %s WHEN %s > 0 THEN %s + %s "
                                           "WHEN %s < 0 THEN %s "
                                           "WHEN FLOOR(%s * %s) = %s * %s THEN %s ELSE %s + %s END",
                                        p.sql, quarter, num_lit(q, 0), p.sql,
                                        num_lit(q, 0x1p52), p.sql, d.sql, quarter, f.sql,
                                        t.sql, f.sql, one, t.sql, f.sql, f.sql, half, f.sql,
                                        half, f.sql, f.sql, one),
                           max_layer(t.layer, max_layer(d.layer, f.layer))));
    int layer = max_layer(r.layer, max_layer(err.layer, x.layer));
    return tx_num(arena_printf(A, "CASE WHEN %s IS NULL THEN NULL WHEN ABS(%s) > %s THEN %s "
                                  "WHEN %s > %s OR (%s = %s AND %s > 0) THEN %s "
                                  "WHEN %s < 0 THEN -(%s / %s) ELSE %s / %s END",
                               x.sql, x.sql, big, x.sql, p.sql, big, p.sql, big, err.sql, x.sql,
                               x.sql, r.sql, P, r.sql, P),
                  max_layer(layer, p.layer));
}

static Tx tx_builtin(Sql *q, Expr *e)
{
    Expr **args = e->u.call.args;
    uint32_t n = e->u.call.nargs;
    Arena *A = &q->c->arena;
    Builtin b = (Builtin)e->u.call.builtin;
    switch (b) {
    case B_ALIGNMENT:
        if (!is_service_var(args[0]))
            return refuse(q, D_SQL_PORTFOLIO, e->loc, "alignment() of another entity");
        q->align_used = true;
        return tx_make("_align", 0, T_NUMBER, false, true);
    case B_EXPOSURE: {
        if (!is_service_var(args[0]))
            return refuse(q, D_SQL_PORTFOLIO, e->loc, "exposure() of another entity");
        Name cat = args[1]->u.name.id;
        uint32_t i = 0;
        while (i < q->exp_cats.len && q->exp_cats.items[i] != (void *)cat)
            i++;
        if (i == q->exp_cats.len)
            ptrvec_push(A, &q->exp_cats, (void *)cat);
        return tx_make(arena_printf(A, "_exp%u", i), 0, T_NUMBER, false, true);
    }
    case B_NORM: {
        Tx x = tx_expr(q, args[0]);
        if (x.kind == T_ERROR)
            return x;
        /* the argument a column, its range a window over it, the value
         * from both (a window cannot nest in the expression that defines
         * the column it reads) */
        x = hoist(q, tx_num(arena_printf(A, "NULLIF(%s, %s)", x.sql, num_lit(q, NAN)),
                            x.layer));
        const char *lo = add_col(q, arena_printf(A, "_h%u", q->nhoist++),
                                 arena_printf(A, "MIN(%s) OVER ()", x.sql), x.layer);
        const char *hi = add_col(q, arena_printf(A, "_h%u", q->nhoist++),
                                 arena_printf(A, "MAX(%s) OVER ()", x.sql), x.layer);
        return tx_num(arena_printf(A, "CASE WHEN %s IS NULL THEN NULL WHEN COALESCE(%s > %s, "
                                      "FALSE) THEN (%s - %s) / (%s - %s) ELSE %s END",
                                   x.sql, hi, lo, x.sql, lo, hi, lo, num_lit(q, 0)),
                      x.layer + 1);
    }
    case B_MIN: case B_MAX: {
        if (n == 1)
            return refuse(q, args[0]->kind == EX_COMPREH ? D_SQL_PORTFOLIO : D_SQL_EXPR,
                          e->loc, "min() or max() over a list or comprehension");
        Tx *t = ARENA_ARRAY(A, Tx, n);
        for (uint32_t i = 0; i < n; i++) {
            t[i] = tx_expr(q, args[i]);
            if (t[i].kind == T_ERROR)
                return t[i];
        }
        return tx_minmax(q, b == B_MIN ? "LEAST" : "GREATEST", t, n);
    }
    case B_CLAMP: {
        Tx t[3];
        for (int i = 0; i < 3; i++) {
            t[i] = tx_expr(q, args[i]);
            if (t[i].kind == T_ERROR)
                return t[i];
        }
        Tx inner = tx_minmax(q, "GREATEST", t, 2);
        Tx outer[2] = {inner, t[2]};
        return tx_minmax(q, "LEAST", outer, 2);
    }
    case B_ABS: case B_LOG: case B_SQRT: case B_FLOOR: case B_CEIL: case B_TRUNC: {
        Tx x = tx_expr(q, args[0]);
        if (x.kind == T_ERROR)
            return x;
        if (b == B_ABS)
            return tx_num(arena_printf(A, "ABS(%s)", x.sql), x.layer);
        x = hoist(q, x);
        const char *s = x.sql;
        switch (b) {
        case B_LOG:   /* PostgreSQL raises at 0 and below */
            return tx_num(arena_printf(A, "CASE WHEN %s > 0 THEN LN(%s) WHEN %s = 0 THEN %s "
                                          "ELSE NULL END", s, s, s, inf_lit(q, true)), x.layer);
        case B_SQRT:
            return tx_num(arena_printf(A, "CASE WHEN %s >= 0 THEN SQRT(%s) ELSE NULL END",
                                       s, s), x.layer);
        case B_FLOOR:
            return tx_num(arena_printf(A, "CAST(FLOOR(%s) AS %s)", s, dbl(q)), x.layer);
        case B_CEIL:
            return tx_num(arena_printf(A, "CAST(CEIL(%s) AS %s)", s, dbl(q)), x.layer);
        default:   /* trunc: toward zero (Spark's TRUNC is for dates) */
            return tx_num(arena_printf(A, "CAST(CASE WHEN %s < 0 THEN CEIL(%s) ELSE FLOOR(%s) "
                                          "END AS %s)", s, s, s, dbl(q)), x.layer);
        }
    }
    case B_POW: {
        Tx a = tx_expr(q, args[0]), p = tx_expr(q, args[1]);
        if (a.kind == T_ERROR || p.kind == T_ERROR)
            return tx_fail();
        a = hoist(q, a);
        p = hoist(q, p);
        /* C pow: pow(1, y) and pow(x, 0) are 1 even for NaN; a negative base
         * with a fractional exponent is NaN; 0 to a negative power is inf
         * (the engines raise for the last two) */
        return tx_num(arena_printf(A, "CASE WHEN %s = 1 OR %s = 0 THEN %s "
                                      "WHEN %s IS NULL OR %s IS NULL THEN NULL "
                                      "WHEN %s < 0 AND %s <> FLOOR(%s) THEN NULL "
                                      "WHEN %s = 0 AND %s < 0 THEN %s "
                                      "ELSE POWER(%s, %s) END",
                                   a.sql, p.sql, num_lit(q, 1), a.sql, p.sql, a.sql, p.sql,
                                   p.sql, a.sql, p.sql, inf_lit(q, false), a.sql, p.sql),
                      max_layer(a.layer, p.layer));
    }
    case B_DEFINED: {
        Tx x = tx_expr(q, args[0]);
        if (x.kind == T_ERROR)
            return x;
        if (x.kind == T_LIST)
            return tx_bool(q, "TRUE", 0);
        return tx_bool(q, arena_printf(A, "(%s IS NOT NULL)", x.sql), x.layer);
    }
    case B_COUNT: {
        if (args[0]->kind != EX_COMPREH) {
            Tx l = tx_expr(q, args[0]);
            if (l.kind == T_ERROR)
                return l;
            if (l.kind == T_LIST && l.simple)   /* ';a;b;': separators less one */
                return tx_num(arena_printf(A, "CAST(LENGTH(%s) - LENGTH(REPLACE(%s, ';', '')) "
                                              "- 1 AS %s)", l.sql, l.sql, dbl(q)),
                              l.layer);
            return refuse(q, D_SQL_EXPR, e->loc, "count() of a list literal");
        }
        return refuse(q, D_SQL_PORTFOLIO, e->loc, "count() over the portfolio");
    }
    case B_SUM: case B_ANY: case B_ALL:
        return refuse(q, args[0]->kind == EX_COMPREH ? D_SQL_PORTFOLIO : D_SQL_EXPR, e->loc,
                      arena_printf(A, "%s()", builtin_name(b)));
    case B_DECISION: {
        /* the service's own decision in a table decided before (the
         * checker allows no other in an arm; approvals come after all) */
        const Symbol *table = n == 2 ? args[1]->u.name.sym : NULL;
        int t = table && table->kind == SYM_TABLE ? (int)table->index : 0;
        if (!is_service_var(args[0]))
            return refuse(q, D_SQL_PORTFOLIO, e->loc, "decision() of another service");
        if (t < 0 || (uint32_t)t >= q->ndecided)
            return refuse(q, D_SQL_EXPR, e->loc, "decision() outside a decide table or approval");
        return tx_make(arena_printf(A, "_dec%d", t), q->dec_layer[t], T_DECISION, false, true);
    }
    case B_ROUND:
        return tx_round(q, e);
    case B_MOD:
        return refuse(q, D_SQL_NO_EXACT, e->loc, "mod()");
    case B_LOWER: {
        /* ASCII A-Z folded, as eval.c folds (LOWER would fold more, by
         * the engine's locale) */
        Tx t = tx_expr(q, args[0]);
        if (t.kind == T_ERROR)
            return t;
        return tx_make(arena_printf(A, "TRANSLATE(%s, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
                                       "'abcdefghijklmnopqrstuvwxyz')", t.sql),
                       t.layer, T_STRING, t.notnull, false);
    }
    case B_CONTAINS: case B_STARTS_WITH: case B_ENDS_WITH: {
        /* a missing text holds nothing; UTF-8 matched by characters is
         * matched by bytes, as eval.c matches */
        Tx t = tx_expr(q, args[0]), x = tx_expr(q, args[1]);
        if (t.kind == T_ERROR || x.kind == T_ERROR)
            return tx_fail();
        t = hoist(q, t);
        x = hoist(q, x);
        const char *test =
            b == B_CONTAINS ? arena_printf(A, "POSITION(%s IN %s) > 0", x.sql, t.sql)
            : b == B_STARTS_WITH ? arena_printf(A, "SUBSTR(%s, 1, LENGTH(%s)) = %s", t.sql, x.sql,
                                                x.sql)
            : arena_printf(A, "LENGTH(%s) <= LENGTH(%s) AND SUBSTR(%s, LENGTH(%s) - LENGTH(%s) "
                              "+ 1) = %s", x.sql, t.sql, t.sql, t.sql, x.sql, x.sql);
        return tx_bool(q, arena_printf(A, "COALESCE(%s, FALSE)", test),
                       max_layer(t.layer, x.layer));
    }
    case B_TODAY:   /* the run's date, as the interpreter has it (--today) */
        return tx_make(date_lit(q, q->c->program->today), 0, T_DATE, true, true);
    /* a forecast and show-back's allocation are computed over the whole
     * history or ledger, not row by row: outside the subset (docs/sql.md) */
    case B_FORECAST:
        return refuse(q, D_SQL_EXPR, e->loc, "forecast()");
    case B_ALLOCATED_COST:
        return refuse(q, D_SQL_EXPR, e->loc, "allocated_cost()");
    case B_CHARGE:
        return refuse(q, D_SQL_EXPR, e->loc, "charge()");
    case B_COUNT_OF_BUILTINS:
        break;
    }
    return tx_fail();
}

/* a == b as the interpreter's values_equal: numbers by IEEE (NaN equals
 * nothing), everything else by value with missing == missing. */
static Tx tx_equal(Sql *q, Tx a, Tx b, bool negate)
{
    Arena *A = &q->c->arena;
    const char *eq;
    if (a.kind == T_NONE || b.kind == T_NONE)
        eq = arena_printf(A, "(%s IS NULL AND %s IS NULL)", a.sql, b.sql);
    else if (a.kind == T_NUMBER)
        eq = arena_printf(A, "COALESCE(%s = %s, FALSE)", a.sql, b.sql);
    else if (q->d == SQL_SPARK)
        eq = arena_printf(A, "(%s <=> %s)", a.sql, b.sql);
    else
        eq = arena_printf(A, "(%s IS NOT DISTINCT FROM %s)", a.sql, b.sql);
    if (negate)
        eq = arena_printf(A, "(NOT %s)", eq);
    return tx_bool(q, eq, max_layer(a.layer, b.layer));
}

static Tx tx_in(Sql *q, Expr *e, Tx x)
{
    Arena *A = &q->c->arena;
    Expr *l = e->u.ops.b;
    if (l->kind == EX_LIST) {
        if (l->u.list.npacked) {
            const char *items = "";
            for (uint32_t i = 0; i < l->u.list.npacked; i++)
                items = arena_printf(A, "%s%s%s", items, i ? ", " : "",
                                     num_lit(q, l->u.list.nums[i]));
            return tx_bool(q, arena_printf(A, "COALESCE(%s IN (%s), FALSE)", x.sql, items),
                           x.layer);
        }
        if (l->u.list.n == 0)
            return tx_bool(q, "FALSE", 0);
        const char *items = "";
        int layer = x.layer;
        for (uint32_t i = 0; i < l->u.list.n; i++) {
            Tx it = tx_expr(q, l->u.list.items[i]);
            if (it.kind == T_ERROR)
                return it;
            items = arena_printf(A, "%s%s%s", items, i ? ", " : "", it.sql);
            layer = max_layer(layer, it.layer);
        }
        return tx_bool(q, arena_printf(A, "COALESCE(%s IN (%s), FALSE)", x.sql, items), layer);
    }
    Tx list = tx_expr(q, l);
    if (list.kind == T_ERROR)
        return list;
    if (list.kind != T_LIST || x.kind == T_NUMBER)
        return refuse(q, D_SQL_EXPR, e->loc, "this `in`");
    /* ';a;b;' holds ';x;' */
    return tx_bool(q, arena_printf(A, "COALESCE(POSITION(';' || %s || ';' IN %s) > 0, FALSE)",
                                   x.sql, list.sql),
                   max_layer(x.layer, list.layer));
}

static Tx tx_binary(Sql *q, Expr *e)
{
    Arena *A = &q->c->arena;
    Op op = e->u.ops.op;
    Tx a = tx_expr(q, e->u.ops.a);
    if (a.kind == T_ERROR)
        return a;
    if (op == OP_IN)
        return tx_in(q, e, a);
    Tx b = tx_expr(q, e->u.ops.b);
    if (b.kind == T_ERROR)
        return b;
    int layer = max_layer(a.layer, b.layer);
    switch (op) {
    case OP_AND: case OP_OR:
        return tx_bool(q, arena_printf(A, "(%s %s %s)", cond(q, a), op == OP_AND ? "AND" : "OR",
                                       cond(q, b)), layer);
    case OP_ADD: return tx_num(arena_printf(A, "(%s + %s)", a.sql, b.sql), layer);
    case OP_MUL: return tx_num(arena_printf(A, "(%s * %s)", a.sql, b.sql), layer);
    case OP_SUB:
        if (a.kind == T_DATE)   /* days between */
            return tx_num(q->d == SQL_SPARK
                              ? arena_printf(A, "CAST(DATEDIFF(%s, %s) AS %s)", a.sql, b.sql,
                                             dbl(q))
                              : arena_printf(A, "CAST((%s - %s) AS %s)", a.sql, b.sql, dbl(q)),
                          layer);
        return tx_num(arena_printf(A, "(%s - %s)", a.sql, b.sql), layer);
    case OP_DIV: {
        /* IEEE: x / 0 is inf with x's sign, 0 / 0 NaN (PostgreSQL and
         * Spark raise, DuckDB gives NULL) */
        a = hoist(q, a);
        b = hoist(q, b);
        return tx_num(arena_printf(A, "CASE WHEN %s = 0 THEN (CASE WHEN %s > 0 THEN %s WHEN %s < "
                                      "0 THEN %s ELSE NULL END) ELSE %s / %s END",
                                   b.sql, a.sql, inf_lit(q, false), a.sql, inf_lit(q, true),
                                   a.sql, b.sql),
                      max_layer(a.layer, b.layer));
    }
    case OP_LT: case OP_LE: case OP_GT: case OP_GE:
        return tx_bool(q, arena_printf(A, "COALESCE(%s %s %s, FALSE)", a.sql, op_text(op),
                                       b.sql), layer);
    case OP_EQ: case OP_NE:
        return tx_equal(q, a, b, op == OP_NE);
    default:
        return refuse(q, D_SQL_EXPR, e->loc, "this operator");
    }
}

static Tx tx_name(Sql *q, Expr *e)
{
    Arena *A = &q->c->arena;
    if (e->u.name.binder) {
        int slot = e->u.name.local;
        if (slot < 0 || slot >= LET_SLOTS || !q->let_set[slot])
            return refuse(q, D_SQL_EXPR, e->loc, "this name");
        return q->lets[slot];
    }
    const Symbol *s = e->u.name.sym;
    if (!s)
        return tx_fail();
    switch (s->kind) {
    case SYM_LOCAL:
        if (s->index == 0)
            return tx_make("service", 0, T_ENTITY, true, true);
        return refuse(q, D_SQL_PORTFOLIO, e->loc, "a quantifier's variable");
    case SYM_APPROVAL_DECISION:
        /* `decision` or a table's name: the table's decision column */
        if (s->index < 0 || (uint32_t)s->index >= q->ndecided)
            return refuse(q, D_SQL_EXPR, e->loc, arena_printf(A, "`%s`", e->u.name.id));
        return tx_make(arena_printf(A, "_dec%d", (int)s->index), q->dec_layer[s->index],
                       T_DECISION, false, true);
    case SYM_CONST: {
        double v = eval_expr(q->ev, e).num;   /* evaluated once, as decide did */
        return tx_make(num_lit(q, v), 0, T_NUMBER, !isnan(v), true);
    }
    case SYM_BUDGET:
        return tx_make(num_lit(q, q->p->strategy.budget), 0, T_NUMBER, false, true);
    case SYM_DECISION:
        return tx_make(str_lit(q, outcome_name(q->p, s->index)), 0, T_DECISION, true,
                       true);
    case SYM_ENTITY:
        return tx_make(str_lit(q, entity_label(q->c, (EntityKind)s->entity_kind, s->index)), 0,
                       T_ENTITY, true, true);
    case SYM_VALUE:
        return tx_make(str_lit(q, e->u.name.id), 0, T_SYMBOL, true, true);
    default:
        return refuse(q, D_SQL_EXPR, e->loc, arena_printf(A, "`%s`", e->u.name.id));
    }
}

static Tx tx_expr(Sql *q, Expr *e)
{
    Arena *A = &q->c->arena;
    switch (e->kind) {
    case EX_NUMBER:
        return tx_make(num_lit(q, e->u.num.value), 0, T_NUMBER, true, true);
    case EX_STRING:
        return tx_make(str_lit(q, e->u.str.s), 0, T_STRING, true, true);
    case EX_DATE:
        return tx_make(date_lit(q, e->u.date), 0, T_DATE, true, true);
    case EX_BOOL:
        return tx_make(e->u.boolean ? "TRUE" : "FALSE", 0, T_BOOL, true, true);
    case EX_NONE:
        return tx_make("NULL", 0, T_NONE, false, true);
    case EX_NAME:
        return tx_name(q, e);
    case EX_ATTR:
        return tx_attr(q, e);
    case EX_CALL:
        return e->u.call.sym ? tx_score_call(q, e) : tx_builtin(q, e);
    case EX_UNARY: {
        Tx a = tx_expr(q, e->u.ops.a);
        if (a.kind == T_ERROR)
            return a;
        if (e->u.ops.op == OP_NEG)
            return tx_num(arena_printf(A, "(-%s)", a.sql), a.layer);
        return tx_bool(q, arena_printf(A, "(NOT %s)", cond(q, a)), a.layer);
    }
    case EX_BINARY:
        return tx_binary(q, e);
    case EX_IF: {
        Tx c = tx_expr(q, e->u.ops.a), a = tx_expr(q, e->u.ops.b), b = tx_expr(q, e->u.ops.c);
        if (c.kind == T_ERROR || a.kind == T_ERROR || b.kind == T_ERROR)
            return tx_fail();
        Tx r = tx_make(arena_printf(A, "CASE WHEN %s THEN %s ELSE %s END", cond(q, c), a.sql,
                                    b.sql),
                       max_layer(c.layer, max_layer(a.layer, b.layer)),
                       a.kind == T_NONE ? b.kind : a.kind, a.notnull && b.notnull, false);
        return r;
    }
    case EX_LET: {
        int slot = e->u.let.local;
        if (slot < 0 || slot >= LET_SLOTS)
            return tx_fail();
        Tx v = tx_expr(q, e->u.let.value);
        if (v.kind == T_ERROR)
            return v;
        Tx saved = q->lets[slot];
        bool was = q->let_set[slot];
        q->lets[slot] = hoist(q, v);   /* named once, used often */
        q->let_set[slot] = true;
        Tx r = tx_expr(q, e->u.let.body);
        q->lets[slot] = saved;
        q->let_set[slot] = was;
        return r;
    }
    case EX_QUANT:
    case EX_COMPREH:
        return refuse(q, D_SQL_PORTFOLIO, e->loc, "a quantifier over the portfolio");
    case EX_LIST:
        return refuse(q, D_SQL_EXPR, e->loc, "a list literal outside `in`");
    case EX_RANGE:
        return refuse(q, D_SQL_EXPR, e->loc, "a range");
    case EX_ERROR:
        break;
    }
    return tx_fail();
}

/* ---- the rows: VALUES for declared services, the table for loaded ones ---------- */

/* A value of a column as a SQL literal (NULL when missing). */
static const char *cell_lit(Sql *q, const KindTable *t, int slot, uint32_t row)
{
    const AttrDef *a = &t->attrs[slot];
    Arena *A = &q->c->arena;
    switch (a->type.kind) {
    case T_NUMBER: {
        double v = col_num(t, slot, row);
        return isnan(v) ? "NULL" : num_lit(q, v);
    }
    case T_BOOL: {
        int32_t v = col_i32(t, slot, row);
        return v < 0 ? "NULL" : v ? "TRUE" : "FALSE";
    }
    case T_DATE: {
        int32_t v = col_i32(t, slot, row);
        return v == INT32_MIN ? "NULL" : date_lit(q, v);
    }
    case T_STRING: case T_SYMBOL: {
        Name n = atom_name(q->c, col_i32(t, slot, row));
        return n ? str_lit(q, n) : "NULL";
    }
    case T_ENTITY: {
        EntityKind k = EK_SERVICE;
        int32_t v = ref_decode(a->type.kinds, col_i32(t, slot, row), &k);
        return v < 0 ? "NULL" : str_lit(q, entity_label(q->c, k, v));
    }
    case T_LIST: {
        const int32_t *elems;
        ListSpan s = col_list(t, slot, row, &elems);
        const char *out = ";";
        bool refs = a->type.elem && a->type.elem->kind == T_ENTITY;
        for (uint32_t i = 0; i < s.len; i++) {
            const char *name = "";
            if (refs) {
                EntityKind k = EK_SERVICE;
                int32_t v = ref_decode(a->type.elem->kinds, elems[i], &k);
                name = v >= 0 ? entity_label(q->c, k, v) : "";
            } else {
                Name n = atom_name(q->c, elems[i]);
                name = n ? n : "";
            }
            out = arena_printf(A, "%s%s;", out, name);
        }
        return str_lit(q, out);
    }
    default:
        return "NULL";
    }
}

static const char *sql_type(Sql *q, TypeKind k)
{
    switch (k) {
    case T_NUMBER: return dbl(q);
    case T_BOOL: return "BOOLEAN";
    case T_DATE: return "DATE";
    default: return text_type(q);
    }
}

/* The default a loaded row gets for an empty cell or a column the table
 * lacks, as a literal (NULL when there is none): resolve_defaults' rule. */
static const char *default_lit(Sql *q, const AttrDef *a)
{
    Compilation *c = q->c;
    Expr *d = a->default_expr;
    if (!d) {
        if (a->name == c->n.status)
            return str_lit(q, c->n.catalogue);
        if (a->name == c->n.kind)
            return str_lit(q, c->n.supporting);
        if (a->name == c->n.investment)
            return str_lit(q, c->n.run);
        return "NULL";
    }
    switch (a->type.kind) {
    case T_NUMBER: {
        double v;
        return const_number(c, d, &v, false) ? num_lit(q, v) : "NULL";
    }
    case T_BOOL:
        return d->kind == EX_BOOL ? (d->u.boolean ? "TRUE" : "FALSE") : "NULL";
    case T_DATE:
        return d->kind == EX_DATE ? date_lit(q, d->u.date) : "NULL";
    case T_STRING:
        return d->kind == EX_STRING ? str_lit(q, d->u.str.s) : "NULL";
    case T_SYMBOL: case T_ENTITY:
        return d->kind == EX_NAME ? str_lit(q, d->u.name.id) : "NULL";
    default:
        return "NULL";
    }
}

/* The table's column of attribute a read as the loader reads a cell:
 * trimmed, empty is missing, then the default. */
static const char *table_read(Sql *q, const AttrDef *a, const char *col)
{
    Arena *A = &q->c->arena;
    const char *dflt = default_lit(q, a);
    if (!col)
        return arena_printf(A, "CAST(%s AS %s)", dflt, sql_type(q, a->type.kind));
    const char *ref = arena_printf(A, "t.%s", ident(q, col));
    const char *txt = arena_printf(A, "NULLIF(TRIM(BOTH ' \t' FROM CAST(%s AS %s)), '')", ref,
                                   text_type(q));
    const char *v;
    switch (a->type.kind) {
    case T_NUMBER: v = arena_printf(A, "CAST(%s AS %s)", ref, dbl(q)); break;
    case T_BOOL:
        v = arena_printf(A, "CASE %s WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END", txt);
        break;
    case T_DATE: v = arena_printf(A, "CAST(%s AS DATE)", txt); break;
    case T_LIST: {
        /* a ; b;;c -> ';a;b;c;' (items trimmed, empty ones dropped); empty
         * -> ';' (a list has no default) */
        const char *items = arena_printf(A, "NULLIF(TRIM(BOTH ';' FROM REGEXP_REPLACE(%s, "
                                            "'[ \t]*(;[ \t]*)+', ';'%s)), '')",
                                         txt, q->d == SQL_SPARK ? "" : ", 'g'");
        return arena_printf(A, "COALESCE(';' || %s || ';', ';')", items);
    }
    default: v = txt; break;
    }
    if (strcmp(dflt, "NULL") == 0)
        return v;
    return arena_printf(A, "COALESCE(%s, %s)", v, dflt);
}

/* The CSV source of the load and its header: attr_col per slot. */
static bool read_table_shape(Sql *q)
{
    Compilation *c = q->c;
    Program *p = q->p;
    Arena *A = &c->arena;
    q->attr_col = ARENA_ARRAY(A, const char *, q->svc->nattrs + 1);
    for (uint32_t i = 0; i < p->loads.len; i++) {
        Decl *d = p->loads.items[i];
        if (strcmp(d->name, entity_kind_name(EK_SERVICE)) != 0)
            continue;
        if (q->load) {
            Diag *dg = diag_at(c, D_SQL_TABLE, d->loc, "a second `load service` cannot be "
                                                       "translated to SQL: the query reads one "
                                                       "table");
            diag_note(c, dg, q->load->loc, "the first is here");
            q->failed = true;
            return false;
        }
        q->load = d;
    }
    if (!q->load)
        return true;
    /* the file as load_file shows it: next to the strategy file */
    Source *from = source_get(c, q->load->source + 1);
    const char *slash = from ? strrchr(from->path, '/') : NULL;
    const char *shown = slash ? arena_printf(A, "%.*s/%s", (int)(slash - from->path),
                                             from->path, q->load->text.s)
                              : q->load->text.s;
    Source *csv = NULL;
    for (uint32_t i = 0; i < c->sources.len && !csv; i++) {
        Source *s = c->sources.items[i];
        if (s->is_csv && strcmp(s->path, shown) == 0)
            csv = s;
    }
    if (!csv)
        return true;   /* reported by the load */
    csv_reader r;
    csv_init(&r, csv->text, csv->len);
    csv_field fields[256];
    char scratch[4096];
    int n = csv_next_record(&r, fields, 256, scratch, sizeof scratch, NULL);
    const char *key = "id";
    for (Item *it = q->load->items; it; it = it->next)
        if (it->kind == ITEM_ATTR && it->name == c->n.key && it->value->kind == EX_STRING)
            key = it->value->u.str.s;
    for (int f = 0; f < n; f++) {
        const char *h = fields[f].ptr;
        size_t hn = fields[f].len;
        while (hn && (*h == ' ' || *h == '\t'))
            h++, hn--;
        while (hn && (h[hn - 1] == ' ' || h[hn - 1] == '\t'))
            hn--;
        const char *name = arena_strndup(A, h, hn);
        if (strcmp(name, key) == 0) {
            q->key_col = name;
            continue;
        }
        /* mapped by `attr = "Column"`, else named as the attribute */
        Name attr = NULL;
        for (Item *it = q->load->items; it; it = it->next)
            if (it->kind == ITEM_ATTR && it->value->kind == EX_STRING &&
                it->name != c->n.key && strcmp(it->value->u.str.s, name) == 0)
                attr = it->name;
        int slot = attr ? attr_slot(q->svc, attr) : -1;
        if (slot < 0) {
            bool remapped = false;   /* the column named as an attribute mapped elsewhere */
            for (Item *it = q->load->items; it; it = it->next)
                remapped |= it->kind == ITEM_ATTR && strcmp(it->name, name) == 0;
            for (uint32_t s = 0; !remapped && s < q->svc->nattrs; s++)
                if (strcmp(q->svc->attrs[s].name, name) == 0)
                    slot = (int)s;
        }
        if (slot >= 0)
            q->attr_col[slot] = name;
    }
    if (!q->key_col)
        q->key_col = key;
    return true;
}

static void emit_rows(Sql *q, FILE *out, const char *table, const char *row_order)
{
    Compilation *c = q->c;
    Arena *A = &c->arena;
    KindTable *svc = q->svc;
    const char *cols = "_ord, service";
    for (uint32_t s = 0; s < svc->nattrs; s++)
        if (q->attr_used[s])
            cols = arena_printf(A, "%s, a_%s", cols, svc->attrs[s].name);
    if (q->align_used)
        cols = arena_printf(A, "%s, _align", cols);
    for (uint32_t i = 0; i < q->exp_cats.len; i++)
        cols = arena_printf(A, "%s, _exp%u", cols, i);
    bool have_decl = q->ndeclared > 0;
    bool have_table = q->load != NULL;
    if (have_decl) {
        fprintf(out, "declared AS (\n  SELECT * FROM %sVALUES\n", q->d == SQL_SPARK ? "" : "(");
        for (uint32_t r = 0; r < q->ndeclared; r++) {
            fprintf(out, "    (%u, %s", r, str_lit(q, svc->names[r]));
            for (uint32_t s = 0; s < svc->nattrs; s++)
                if (q->attr_used[s])
                    fprintf(out, ", %s", cell_lit(q, svc, (int)s, r));
            if (q->align_used)
                fprintf(out, ", %s", num_lit(q, eval_alignment(q->ev, (int32_t)r)));
            for (uint32_t i = 0; i < q->exp_cats.len; i++)
                fprintf(out, ", %s", num_lit(q, eval_exposure(q->ev, (int32_t)r,
                                                              q->exp_cats.items[i])));
            fprintf(out, ")%s\n", r + 1 < q->ndeclared ? "," : "");
        }
        fprintf(out, "  %s AS v(%s)\n),\n", q->d == SQL_SPARK ? "" : ")", cols);
        /* typed: a column of NULLs would otherwise be text */
        fprintf(out, "declared_typed AS (\n  SELECT _ord, service");
        for (uint32_t s = 0; s < svc->nattrs; s++)
            if (q->attr_used[s])
                fprintf(out, ", CAST(a_%s AS %s) AS a_%s", svc->attrs[s].name,
                        sql_type(q, svc->attrs[s].type.kind), svc->attrs[s].name);
        if (q->align_used)
            fprintf(out, ", _align");
        for (uint32_t i = 0; i < q->exp_cats.len; i++)
            fprintf(out, ", _exp%u", i);
        fprintf(out, " FROM declared\n),\n");
    }
    if (have_table) {
        const char *phys = row_order ? arena_printf(A, "t.%s", ident(q, row_order))
                         : q->d == SQL_POSTGRES ? "t.ctid"
                         : q->d == SQL_DUCKDB   ? "t.rowid"
                                                : "monotonically_increasing_id()";
        fprintf(out, "loaded AS (\n  SELECT %u + ROW_NUMBER() OVER (ORDER BY %s) - 1 AS _ord,\n"
                     "    TRIM(BOTH ' \t' FROM CAST(t.%s AS %s)) AS service",
                q->ndeclared, phys, ident(q, q->key_col), text_type(q));
        for (uint32_t s = 0; s < svc->nattrs; s++)
            if (q->attr_used[s])
                fprintf(out, ",\n    %s AS a_%s", table_read(q, &svc->attrs[s], q->attr_col[s]),
                        svc->attrs[s].name);
        /* a loaded row supports nothing (no supports column: refused
         * otherwise) and has no risk blocks */
        if (q->align_used)
            fprintf(out, ",\n    %s AS _align",
                    num_lit(q, svc->count > q->ndeclared
                                   ? eval_alignment(q->ev, (int32_t)q->ndeclared) : 0));
        for (uint32_t i = 0; i < q->exp_cats.len; i++)
            fprintf(out, ",\n    %s AS _exp%u", num_lit(q, 0), i);
        fprintf(out, "\n  FROM %s AS t\n),\n", table);
    }
    fprintf(out, "l0 AS (\n");
    if (have_decl)
        fprintf(out, "  SELECT %s FROM declared_typed\n", cols);
    if (have_decl && have_table)
        fprintf(out, "  UNION ALL\n");
    if (have_table)
        fprintf(out, "  SELECT %s FROM loaded\n", cols);
    if (!have_decl && !have_table)   /* no services: an empty relation of the shape */
        fprintf(out, "  SELECT 0 AS _ord, CAST(NULL AS %s) AS service WHERE FALSE\n",
                text_type(q));
    fprintf(out, ")");
}

/* ---- the decide table ------------------------------------------------------------- */

static const char *arm_where(Compilation *c, const Arm *a)
{
    Source *s = source_get(c, a->loc.file);
    LineCol lc = source_linecol(c, a->loc.file, a->loc.start);
    return arena_printf(&c->arena, "%s:%u", s ? s->path : "?", lc.line);
}

/* Decide table t's arms as column `_arm<t>`: the index of the first arm
 * whose condition holds, NULL for none or a failed row (`failed` is the
 * column saying a score was not a finite number).  Its layer. */
static int decide_table(Sql *q, uint32_t t, Decl *d, Tx failed)
{
    Arena *A = &q->c->arena;
    const char *arms = "";
    int layer = failed.layer;
    int i = 0;
    for (Arm *a = d->arms; a; a = a->next, i++) {
        if (!a->cond) {
            arms = arena_printf(A, "%s WHEN TRUE THEN %d", arms, i);
            continue;
        }
        Tx c = tx_expr(q, a->cond);
        if (c.kind == T_ERROR)
            continue;
        arms = arena_printf(A, "%s WHEN %s THEN %d", arms, cond(q, c), i);
        layer = max_layer(layer, c.layer);
    }
    add_col(q, arena_printf(A, "_arm%u", t),
            arena_printf(A, "CASE WHEN %s THEN NULL%s ELSE NULL END", failed.sql, arms), layer);
    return layer + 1;
}

/* The rank value `_rv` of the table that ranks (NULL last, as NaN is;
 * -0 with +0). */
static void rank_value(Sql *q, const Decl *d, Tx failed)
{
    Arena *A = &q->c->arena;
    Tx rv = d && d->rank ? tx_expr(q, d->rank) : tx_make("NULL", 0, T_NUMBER, false, true);
    add_col(q, "_rv", arena_printf(A, "CASE WHEN %s THEN NULL ELSE NULLIF(%s, %s) + %s END",
                                   failed.sql, rv.sql, num_lit(q, NAN), num_lit(q, 0)),
            max_layer(failed.layer, rv.layer));
}

/* A number as strat writes it in a `because` (format_double): NaN and a
 * missing value `nan`, infinities `inf`, an integer below 10^15 in digits
 * (DuckDB and Spark would add `.0`, and -0 is 0), other numbers as the
 * engine writes the shortest digits that read back, which is strat's text
 * from 0.0001 to 10^15 (docs/sql.md says where the engines differ). */
static const char *number_text(Sql *q, Tx v)
{
    Arena *A = &q->c->arena;
    Tx x = hoist(q, tx_num(arena_printf(A, "NULLIF(%s, %s)", v.sql, num_lit(q, NAN)), v.layer));
    const char *txt = text_type(q);
    return arena_printf(A, "CASE WHEN %s IS NULL THEN 'nan' WHEN %s = %s THEN 'inf' "
                           "WHEN %s = %s THEN '-inf' "
                           "WHEN %s = FLOOR(%s) AND ABS(%s) < %s THEN CAST(CAST(%s AS BIGINT) AS %s) "
                           "ELSE CAST(%s AS %s) END",
                        x.sql, x.sql, inf_lit(q, false), x.sql, inf_lit(q, true), x.sql, x.sql,
                        x.sql, num_lit(q, 1e15), x.sql, txt, x.sql, txt);
}

/* An interpolated value as text, as value_text writes it (a text as
 * itself); `none` when missing.  Its layer goes to *layer. */
static const char *value_as_text(Sql *q, Expr *e, int *layer)
{
    Arena *A = &q->c->arena;
    Tx v = tx_expr(q, e);
    if (v.kind == T_ERROR)
        return NULL;
    *layer = max_layer(*layer, v.layer);
    switch (v.kind) {
    case T_NUMBER:
        *layer = max_layer(*layer, v.layer + 1);   /* number_text hoists it */
        return number_text(q, v);
    case T_BOOL:
        return arena_printf(A, "CASE WHEN %s THEN 'true' WHEN NOT %s THEN 'false' "
                               "ELSE 'none' END", v.sql, v.sql);
    case T_DATE:
        return arena_printf(A, "COALESCE(CAST(%s AS %s), 'none')", v.sql, text_type(q));
    case T_STRING: case T_SYMBOL: case T_ENTITY: case T_DECISION:
        return arena_printf(A, "COALESCE(%s, 'none')", v.sql);
    case T_NONE:
        return "'none'";
    default:
        refuse(q, D_SQL_EXPR, e->loc, "a list in a `because`");
        return NULL;
    }
}

/* Arm a's `because` as SQL text: the literal, or its pieces joined with
 * each {expression} as text; NULL when a piece cannot be translated. */
static const char *because_text(Sql *q, const Arm *a, int *layer)
{
    Arena *A = &q->c->arena;
    if (!a->parts)
        return str_lit(q, a->because.s ? a->because.s : "");
    const char *out = NULL;
    for (const BecausePart *part = a->parts; part; part = part->next) {
        if (!part->expr && (!part->text || !*part->text))
            continue;
        const char *piece = part->expr ? value_as_text(q, part->expr, layer)
                                       : str_lit(q, part->text ? part->text : "");
        if (!piece)
            return NULL;
        out = out ? arena_printf(A, "%s || %s", out, piece) : piece;
    }
    return out ? out : "''";
}

/* Table t's decision, arm and because, read off `_arm<t>` (at layer
 * arm_layer): columns `_dec<t>`, and when the table is shown `_where<t>`
 * and `_why<t>`. */
static void table_columns(Sql *q, uint32_t t, const Decl *d, int arm_layer, bool shown)
{
    Compilation *c = q->c;
    Arena *A = &c->arena;
    const char *dec = "", *where = "", *why = "";
    int why_layer = arm_layer;
    int i = 0;
    for (const Arm *a = d->arms; a; a = a->next, i++) {
        dec = arena_printf(A, "%s WHEN %d THEN %s", dec, i, str_lit(q, outcome_name(q->p, a->dec)));
        where = arena_printf(A, "%s WHEN %d THEN %s", where, i, str_lit(q, arm_where(c, a)));
        const char *text = shown ? because_text(q, a, &why_layer) : NULL;
        if (text)
            why = arena_printf(A, "%s WHEN %d THEN %s", why, i, text);
    }
    add_col(q, arena_printf(A, "_dec%u", t), arena_printf(A, "CASE _arm%u%s END", t, dec),
            arm_layer);
    if (!shown)
        return;
    add_col(q, arena_printf(A, "_where%u", t),
            arena_printf(A, "CASE _arm%u%s ELSE '' END", t, where), arm_layer);
    add_col(q, arena_printf(A, "_why%u", t),
            arena_printf(A, "CASE _arm%u%s ELSE '' END", t, why), why_layer);
}

/* ---- the query ------------------------------------------------------------------- */

bool sql_name_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9') || *s == '_' || *s == '.'))
            return false;
    return true;
}

/* The load's file name without directory and extension, as a name. */
static const char *default_table(Sql *q)
{
    if (!q->load)
        return "inventory";
    const char *path = q->load->text.s;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strcspn(base, ".");
    char *out = arena_strndup(&q->c->arena, base, n);
    for (char *p = out; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_'))
            *p = '_';
    return *out ? out : "inventory";
}

strat_status sql_emit(Compilation *c, FILE *out, const SqlOptions *opts)
{
    if (!decide_have_results(c))
        return STRAT_FINDINGS;
    Arena *A = &c->arena;
    Sql q0 = {0}, *q = &q0;
    q->c = c;
    q->p = c->program;
    q->ev = c->eval;
    q->res = c->results;
    q->d = opts->dialect;
    q->svc = kind_table(c, EK_SERVICE);
    q->attr_used = ARENA_ARRAY(A, bool, q->svc->nattrs + 1);
    Program *p = q->p;
    Results *res = q->res;
    for (uint32_t r = 0; r < q->svc->count && row_decl(q->svc, r); r++)
        q->ndeclared = r + 1;
    if (!read_table_shape(q))
        return STRAT_FINDINGS;
    for (uint32_t r = q->ndeclared; r < q->svc->count; r++)
        if (row_decl(q->svc, r)) {   /* (declared services come first; see resolve.c) */
            diag_at(c, D_SQL_TABLE, row_loc(q->svc, r), "service `%s` is declared after the "
                    "loaded ones: the query cannot keep strat's row order", q->svc->names[r]);
            return STRAT_FINDINGS;
        }
    int sup = attr_slot(q->svc, c->n.supports);

    /* scores, callees first: those computed (a NaN in any fails the row) */
    q->score_layer = ARENA_ARRAY(A, int, p->scores.len + 1);
    for (uint32_t i = 0; i < p->scores.len; i++)
        q->score_layer[i] = -1;
    PtrVec order = {0};
    bool *seen = ARENA_ARRAY(A, bool, p->scores.len + 1);
    for (uint32_t i = 0; i < p->scores.len; i++)
        if (!res->score_wanted || res->score_wanted[i])
            order_scores(c, p->scores.items[i], &order, seen);
    const char *finite = "";
    int flayer = 0;
    for (uint32_t i = 0; i < order.len; i++) {
        Score *s = order.items[i];
        Tx t = tx_expr(q, s->decl->expr);
        if (t.kind == T_ERROR)
            continue;
        const char *name = arena_printf(A, "sc_%s", s->name);
        add_col(q, name, arena_printf(A, "NULLIF(%s, %s)", t.sql, num_lit(q, NAN)), t.layer);
        q->score_layer[s->index] = t.layer + 1;
        finite = arena_printf(A, "%s%sCOALESCE(ABS(%s) < %s, FALSE)", finite,
                              *finite ? " AND " : "", name, inf_lit(q, false));
        flayer = max_layer(flayer, t.layer + 1);
    }
    add_col(q, "_failed", *finite ? arena_printf(A, "NOT (%s)", finite) : "FALSE", flayer);
    Tx failed = tx_make("_failed", flayer + 1, T_BOOL, true, true);
    /* every decide table (an approval may read any), the first few
     * written as columns; and the one that ranks */
    uint32_t shown = p->tables.len < MAX_TABLE_COLUMNS ? p->tables.len : MAX_TABLE_COLUMNS;
    int *arm_layer = ARENA_ARRAY(A, int, p->tables.len + 1);
    q->dec_layer = ARENA_ARRAY(A, int, p->tables.len + 1);
    for (uint32_t t = 0; t < p->tables.len; t++) {
        arm_layer[t] = decide_table(q, t, program_table(p, t)->decl, failed);
        q->dec_layer[t] = arm_layer[t] + 1;
        q->ndecided = t + 1;
    }
    rank_value(q, p->rank_decl, failed);

    /* approvals: each role once, when any approval naming it holds for
     * the decision just made (the interpreter lists the roles in the order
     * their first matching approval is declared; here in the order each
     * role is first named) */
    const char **roles = ARENA_ARRAY(A, const char *, p->approvals.len + 1);
    const char **role_cond = ARENA_ARRAY(A, const char *, p->approvals.len + 1);
    int *role_layer = ARENA_ARRAY(A, int, p->approvals.len + 1);
    uint32_t nroles = 0;
    for (uint32_t i = 0; i < p->approvals.len; i++) {
        Expr *when, *who;
        approval_parts(c, p->approvals.items[i], &when, &who);
        if (!who)
            continue;
        Tx t = when ? tx_expr(q, when) : tx_bool(q, "TRUE", 0);
        if (t.kind == T_ERROR)
            continue;
        uint32_t k = 0;
        while (k < nroles && roles[k] != who->u.name.id)
            k++;
        if (k == nroles) {
            roles[nroles] = who->u.name.id;
            role_cond[nroles] = cond(q, t);
            role_layer[nroles++] = t.layer;
        } else {
            role_cond[k] = arena_printf(A, "%s OR %s", role_cond[k], cond(q, t));
            role_layer[k] = max_layer(role_layer[k], t.layer);
        }
    }
    if (sup >= 0 && q->align_used && q->load && q->attr_col[sup]) {
        diag_at(c, D_SQL_TABLE, q->load->loc, "alignment() of services loaded with a `%s` "
                "column cannot be translated to SQL", q->attr_col[sup]);
        q->failed = true;
    }
    if (q->failed)
        return STRAT_FINDINGS;

    /* each table's decision, arm and because; table 0's decision is the
     * one approvals read (`_dec0`; an approval's `decision` names it) */
    for (uint32_t t = 0; t < p->tables.len; t++)
        table_columns(q, t, program_table(p, t)->decl, arm_layer[t], t < shown);
    if (!p->tables.len)
        add_col(q, "_dec0", arena_printf(A, "CAST(NULL AS %s)", text_type(q)), 0);
    if (q->failed)
        return STRAT_FINDINGS;
    int dec_layer = p->tables.len ? q->dec_layer[0] : 1;
    /* approval columns read _dec0 (an approval is for table 0's decision) */
    const char *approver_parts = "";
    for (uint32_t k = 0; k < nroles; k++) {
        const char *col = arena_printf(A, "_ap%u", k);
        add_col(q, col, arena_printf(A, "CASE WHEN _dec0 IS NOT NULL AND (%s) THEN %s END",
                                     role_cond[k], str_lit(q, roles[k])),
                max_layer(role_layer[k], dec_layer));
        approver_parts = arena_printf(A, "%s%s%s", approver_parts, k ? ", " : "", col);
    }

    int top = 0;
    for (uint32_t k = 0; k < q->ncols; k++)
        top = max_layer(top, q->cols[k].layer + 1);

    /* the text */
    const char *table = opts->table ? opts->table : default_table(q);
    if (opts->view)
        fprintf(out, "CREATE OR REPLACE VIEW %s AS\n", opts->view);
    fprintf(out, "-- strat sql --dialect %s: the decisions of `strat decide`\nWITH\n",
            q->d == SQL_POSTGRES ? "postgres" : q->d == SQL_DUCKDB ? "duckdb" : "spark");
    emit_rows(q, out, table, opts->row_order);
    for (int layer = 0; layer < top; layer++) {
        fprintf(out, ",\nl%d AS (\n  SELECT *", layer + 1);
        for (uint32_t k = 0; k < q->ncols; k++)
            if (q->cols[k].layer == layer)
                fprintf(out, ",\n    %s AS %s", q->cols[k].sql, q->cols[k].name);
        fprintf(out, "\n  FROM l%d\n)", layer);
    }
    bool desc = !(p->rank_decl && p->rank_decl->rank_order == SORT_ASC);
    fprintf(out, "\nSELECT ROW_NUMBER() OVER (ORDER BY _rv %s NULLS LAST, _ord) AS %s,\n"
                 "  service AS %s",
            desc ? "DESC" : "ASC", ident(q, "rank"), ident(q, "service"));
    for (uint32_t t = 0; t < shown; t++) {
        const DecideTable *dt = program_table(p, t);
        fprintf(out, ",\n  CASE WHEN _failed THEN 'error' ELSE COALESCE(_dec%u, 'none') END AS %s,"
                     "\n  _where%u AS %s,\n  _why%u AS %s",
                t, ident(q, table_heading(c, dt, "decision")), t,
                ident(q, table_heading(c, dt, "arm")), t, ident(q, table_heading(c, dt, "because")));
    }
    for (uint32_t k = 0; k < p->scores.len; k++) {
        if (res->score_written && !res->score_written[k])
            continue;
        Score *s = p->scores.items[k];
        if (q->score_layer[k] < 0)
            continue;
        fprintf(out, ",\n  sc_%s AS %s", s->name, ident(q, s->name));
    }
    if (nroles)
        fprintf(out, ",\n  COALESCE(CONCAT_WS(', ', %s), '') AS %s", approver_parts,
                ident(q, "approver"));
    else
        fprintf(out, ",\n  '' AS %s", ident(q, "approver"));
    fprintf(out, "\nFROM l%d\nORDER BY 1;\n", top);
    return STRAT_OK;
}
