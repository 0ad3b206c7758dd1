/*
 * diff.c — `strat diff`: the decisions that changed between two versions
 * of a strategy, and why.
 *
 * Takes two compilations that were both checked and decided (OLD and NEW;
 * each has its own arena, names and Results).  Gives, as text or as
 * Markdown for a pull-request comment, the services added (with their
 * decision), removed (with their old one) and moved from one decision to
 * another, matched by name and listed in name order; for each, its cause:
 *   - the service's attribute and risk values that changed (old -> new,
 *     and the delta for numbers, the elements added and removed for lists);
 *   - each score whose value changed, and the arm that fired before and
 *     now (file:line and condition);
 *   - when none of the service's own values changed, the definitions it
 *     depends on that did: decide arms up to the one that fired (with the
 *     thresholds that moved), score formulas, objective weights (through
 *     alignment), consts, the budget, the scenario and stdlib modules.
 * Every definition change is also listed once, whether or not it moved a
 * decision, and a last line sums up: "N decisions changed: ...".
 *
 * Both compilations stay untouched except for arena allocations (text is
 * built in the arena of the side it describes; the change list in NEW's).
 * Output is deterministic: no addresses, no hash-table order, no clock.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "diag.h"
#include "diff.h"
#include "digest.h"
#include "intern.h"
#include "json.h"
#include "markdown.h"
#include "source.h"
#include "unparse.h"

/* ---- lines: prose and code, rendered as text or Markdown -------------- */

enum { MAX_PARTS = 32, MAX_SCORES_SHOWN = 12, MD_MAX_ROWS = 200 };

/* One line of output: prose parts and code parts (source text, names),
 * which text shows in backticks and Markdown as code spans. */
typedef struct Line {
    const char *s[MAX_PARTS];
    bool code[MAX_PARTS];
    int n;
} Line;

static void add(Line *l, bool code, const char *s)
{
    if (l->n < MAX_PARTS && s) {
        l->s[l->n] = s;
        l->code[l->n] = code;
        l->n++;
    }
}

typedef enum ChangeKind { CH_MOVED, CH_ADDED, CH_REMOVED } ChangeKind;

typedef struct Change {
    ChangeKind kind;
    const char *name;
    const char *before, *after;   /* decision names; NULL: not there */
    PtrVec lines;                 /* Line* */
} Change;

/* A change of a definition (not of a service's values). */
typedef enum DefKind {
    DC_ARM, DC_EARLIER_ARM, DC_SCORE, DC_OBJECTIVE, DC_CONST, DC_BUDGET, DC_SCENARIO,
    DC_STDLIB
} DefKind;

typedef struct DefChange {
    DefKind kind;
    int arm;                  /* DC_ARM: 0-based index */
    /* DC_EARLIER_ARM: an arm of a table decided before the one compared,
     * which its arms may read */
    const char *name;         /* score, objective, const name (relevance) */
    Line line;
} DefChange;

typedef struct Side {
    Compilation *c;
    Program *p;
    KindTable *svc;
    Results *res;
    Eval *ev;
    /* the decide table compared (--table; else the first): its decl and
     * per row its outcome id and arm index */
    const DecideTable *table;
    const int8_t *decision;
    const int16_t *arm;
    bool uses_alignment, uses_norm, uses_budget;
} Side;

typedef struct Differ {
    Side o, n;               /* old, new */
    Arena *arena;            /* NEW's */
    int *attr_old;           /* new service slot -> old slot, -1 */
    bool *old_attr_matched;  /* old slots some new slot matched */
    int *score_old;          /* new score index -> old index, -1 */
    PtrVec defs;             /* DefChange* */
    PtrVec changes;          /* Change* */
    unsigned moved, added, removed, unchanged;
    PtrVec others;           /* OtherTable*: the tables not compared */
    unsigned others_changed;
} Differ;

/* A decide table not compared, and how many outcomes changed in it. */
typedef struct OtherTable {
    const char *name;
    unsigned changed;
} OtherTable;

/* ---- small helpers ------------------------------------------------------ */

static const char *dec_text(const Side *side, uint32_t row)
{
    if (side->res->failed[row] || side->decision[row] < 0)
        return "undecided";
    return outcome_name(side->p, side->decision[row]);
}

/* A number for people: exact when short, else six digits. */
static const char *num_text(Arena *a, double v)
{
    char buf[48];
    if (isnan(v))
        return "none";
    format_double(buf, sizeof buf, v);
    if (strlen(buf) > 12)
        snprintf(buf, sizeof buf, "%.6g", v);
    return arena_strndup(a, buf, strlen(buf));
}

/* "+4, +400%" for old -> new, or NULL when either is missing. */
static const char *delta_text(Arena *a, double from, double to)
{
    if (!isfinite(from) || !isfinite(to))
        return NULL;
    double d = to - from;
    const char *s = arena_printf(a, "%s%s", d > 0 ? "+" : "", num_text(a, d));
    if (from != 0)
        s = arena_printf(a, "%s, %+.1f%%", s, 100 * d / fabs(from));
    return s;
}

static bool same_number(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static const char *arm_text(Compilation *c, const Arm *a)
{
    return a->cond ? arena_printf(&c->arena, "%s when %s", a->decision, expr_text(c, a->cond))
                   : arena_printf(&c->arena, "%s otherwise", a->decision);
}

static const char *where_text(Compilation *c, Loc loc)
{
    Source *s = source_get(c, loc.file);
    LineCol lc = source_linecol(c, loc.file, loc.start);
    return arena_printf(&c->arena, "(%s:%u)", s ? s->path : "?", lc.line);
}

/* ---- expressions: walking and comparing --------------------------------- */

typedef bool (*ExprPred)(const Expr *e, const void *ctx);

typedef struct AnyExpr {
    ExprPred pred;
    const void *ctx;
} AnyExpr;

static WalkStep any_enter(Expr *e, void *ctx)
{
    const AnyExpr *a = ctx;
    return a->pred(e, a->ctx) ? WALK_STOP : WALK_CHILDREN;
}

/* Whether pred holds for e or a node below it. */
static bool expr_any(Expr *e, ExprPred pred, const void *ctx)
{
    AnyExpr a = {pred, ctx};
    return expr_walk(e, &(ExprVisitor){any_enter, NULL, &a}) == WALK_STOP;
}

static bool is_builtin_call(const Expr *e, const void *ctx)
{
    return e->kind == EX_CALL && e->u.call.builtin == *(const int *)ctx;
}

static bool is_name(const Expr *e, const void *ctx)
{
    return e->kind == EX_NAME && name_slot(e) < 0 &&
           strcmp(e->u.name.id, (const char *)ctx) == 0;
}

/* Whether a score or a decide arm of p reads what pred finds. */
static bool program_uses(const Program *p, ExprPred pred, const void *ctx)
{
    for (uint32_t i = 0; i < p->scores.len; i++)
        if (expr_any(((Score *)p->scores.items[i])->decl->expr, pred, ctx))
            return true;
    for (uint32_t t = 0; t < p->tables.len; t++)
        for (const Arm *a = program_table(p, t)->decl->arms; a; a = a->next)
            if (expr_any(a->cond, pred, ctx))
                return true;
    return false;
}

static const char *number_literal(Arena *a, const Expr *e)
{
    char buf[48];
    if (e->u.num.text)
        return e->u.num.text;
    format_double(buf, sizeof buf, e->u.num.value);
    return arena_strndup(a, buf, strlen(buf));
}

static bool same_str(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* Compares two expressions (from different compilations) shape by shape.
 * False when they differ in more than number literals; the literals that
 * differ are appended to *nums as "old -> new". */
static bool same_shape(Arena *ar, const Expr *a, const Expr *b, const char **nums)
{
    if (!a || !b)
        return !a && !b;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case EX_NUMBER:
        if (a->u.num.value != b->u.num.value) {
            const char *one = arena_printf(ar, "%s -> %s", number_literal(ar, a),
                                           number_literal(ar, b));
            *nums = *nums ? arena_printf(ar, "%s, %s", *nums, one) : one;
        }
        return true;
    case EX_STRING: return same_str(a->u.str.s, b->u.str.s);
    case EX_DATE: return a->u.date == b->u.date;
    case EX_BOOL: return a->u.boolean == b->u.boolean;
    case EX_NONE: case EX_ERROR: return true;
    case EX_NAME: return same_str(a->u.name.id, b->u.name.id);
    case EX_ATTR:
        return same_str(a->u.attr.attr, b->u.attr.attr) &&
               same_shape(ar, a->u.attr.obj, b->u.attr.obj, nums);
    case EX_CALL:
        if (!same_str(a->u.call.fn, b->u.call.fn) || a->u.call.nargs != b->u.call.nargs)
            return false;
        for (uint32_t i = 0; i < a->u.call.nargs; i++)
            if (!same_shape(ar, a->u.call.args[i], b->u.call.args[i], nums))
                return false;
        return true;
    case EX_LIST:
        if (a->u.list.n != b->u.list.n || a->u.list.npacked != b->u.list.npacked)
            return false;
        for (uint32_t i = 0; i < a->u.list.npacked; i++)
            if (a->u.list.nums[i] != b->u.list.nums[i])
                return false;
        for (uint32_t i = 0; i < a->u.list.n; i++)
            if (!same_shape(ar, a->u.list.items[i], b->u.list.items[i], nums))
                return false;
        return true;
    case EX_UNARY: case EX_BINARY: case EX_IF: case EX_RANGE:
        return a->u.ops.op == b->u.ops.op && same_shape(ar, a->u.ops.a, b->u.ops.a, nums) &&
               same_shape(ar, a->u.ops.b, b->u.ops.b, nums) &&
               same_shape(ar, a->u.ops.c, b->u.ops.c, nums);
    case EX_QUANT: case EX_COMPREH:
        return a->u.quant.is_all == b->u.quant.is_all &&
               same_str(a->u.quant.var, b->u.quant.var) &&
               same_str(a->u.quant.kind_name, b->u.quant.kind_name) &&
               same_shape(ar, a->u.quant.where, b->u.quant.where, nums) &&
               same_shape(ar, a->u.quant.body, b->u.quant.body, nums);
    case EX_LET:
        return same_str(a->u.let.var, b->u.let.var) &&
               same_shape(ar, a->u.let.value, b->u.let.value, nums) &&
               same_shape(ar, a->u.let.body, b->u.let.body, nums);
    }
    return false;
}

/* "threshold 0.7 -> 0.8" when only number literals differ, else NULL. */
static const char *literal_detail(Arena *ar, const Expr *a, const Expr *b,
                                  const char *what)
{
    const char *nums = NULL;
    if (!same_shape(ar, a, b, &nums) || !nums)
        return NULL;
    return arena_printf(ar, "%s%s %s", what, strchr(nums, ',') ? "s" : "", nums);
}

/* ---- attribute values --------------------------------------------------- */

/* One element of a list column (an atom or a reference) as text. */
static const char *elem_text(Compilation *c, const Type *elem, int32_t v)
{
    Value x = {0};
    x.kind = elem ? elem->kind : T_NONE;
    x.i = v;
    if (x.kind == T_ENTITY) {
        EntityKind k = EK_SERVICE;
        x.i = ref_decode(elem->kinds, v, &k);
        x.ekind = k;
    }
    return value_text(c, &x);
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A list cell's elements as texts, and (sorted) as a set. */
typedef struct ListText {
    const char **items, **sorted;
    uint32_t n;
    const char *text;     /* "[a, b]" in written order */
} ListText;

static ListText list_text(Compilation *c, const KindTable *t, int slot, uint32_t row)
{
    ListText lt = {0};
    const int32_t *elems;
    ListSpan s = col_list(t, slot, row, &elems);
    lt.n = s.len;
    lt.items = ARENA_ARRAY(&c->arena, const char *, s.len + 1);
    lt.sorted = ARENA_ARRAY(&c->arena, const char *, s.len + 1);
    const char *text = "[";
    for (uint32_t i = 0; i < s.len; i++) {
        lt.items[i] = lt.sorted[i] = elem_text(c, t->attrs[slot].type.elem, elems[i]);
        text = arena_printf(&c->arena, "%s%s%s", text, i ? ", " : "", lt.items[i]);
    }
    lt.text = arena_printf(&c->arena, "%s]", text);
    if (lt.n > 1)
        qsort(lt.sorted, lt.n, sizeof *lt.sorted, cmp_cstr);
    return lt;
}

static const char *scalar_text(Compilation *c, const KindTable *t, int slot, uint32_t row)
{
    const AttrDef *a = &t->attrs[slot];
    Value v = {0};
    v.kind = a->type.kind;
    switch (a->type.kind) {
    case T_NUMBER:
        return num_text(&c->arena, col_num(t, slot, row));
    case T_ENTITY: {
        EntityKind k = EK_SERVICE;
        v.i = ref_decode(a->type.kinds, col_i32(t, slot, row), &k);
        v.ekind = k;
        break;
    }
    case T_BOOL: case T_DATE: case T_STRING: case T_SYMBOL:
        v.i = col_i32(t, slot, row);
        break;
    default:
        return "none";
    }
    return value_text(c, &v);
}

/* "+c, -b": elements only in one of two sorted lists. */
static const char *set_delta(Arena *ar, const ListText *o, const ListText *n)
{
    const char *plus = "", *minus = "";
    uint32_t i = 0, j = 0;
    while (i < o->n || j < n->n) {
        int k = i >= o->n ? 1 : j >= n->n ? -1 : strcmp(o->sorted[i], n->sorted[j]);
        if (k == 0) {
            i++;
            j++;
        } else if (k < 0) {
            minus = arena_printf(ar, "%s, -%s", minus, o->sorted[i++]);
        } else {
            plus = arena_printf(ar, "%s, +%s", plus, n->sorted[j++]);
        }
    }
    const char *all = arena_printf(ar, "%s%s", plus, minus);
    return *all ? all + 2 : NULL;
}

static bool same_set(const ListText *o, const ListText *n)
{
    if (o->n != n->n)
        return false;
    for (uint32_t i = 0; i < o->n; i++)
        if (strcmp(o->sorted[i], n->sorted[i]) != 0)
            return false;
    return true;
}

static Line *new_line(Differ *df, Change *ch)
{
    Line *l = ARENA_NEW(df->arena, Line);
    ptrvec_push(df->arena, &ch->lines, l);
    return l;
}

/* Compares one attribute of a service (slots may be -1: not in that
 * version's schema).  Adds a line and returns true when it changed. */
static bool diff_attr(Differ *df, Change *ch, uint32_t orow, int oslot, uint32_t nrow,
                      int nslot)
{
    Compilation *oc = df->o.c, *nc = df->n.c;
    const KindTable *ot = df->o.svc, *nt = df->n.svc;
    const AttrDef *oa = oslot >= 0 ? &ot->attrs[oslot] : NULL;
    const AttrDef *na = nslot >= 0 ? &nt->attrs[nslot] : NULL;
    const char *name = na ? na->name : oa->name;
    const char *from, *to, *detail = NULL;
    if (oa && na && oa->type.kind == T_NUMBER && na->type.kind == T_NUMBER) {
        double a = col_num(ot, oslot, orow), b = col_num(nt, nslot, nrow);
        if (same_number(a, b))
            return false;
        from = num_text(df->arena, a);
        to = num_text(df->arena, b);
        detail = delta_text(df->arena, a, b);
    } else if (oa && na && oa->type.kind == T_LIST && na->type.kind == T_LIST) {
        ListText a = list_text(oc, ot, oslot, orow), b = list_text(nc, nt, nslot, nrow);
        if (same_set(&a, &b))
            return false;
        from = a.text;
        to = b.text;
        detail = set_delta(df->arena, &a, &b);
    } else {
        from = !oa ? "none" : oa->type.kind == T_LIST ? list_text(oc, ot, oslot, orow).text
                                                       : scalar_text(oc, ot, oslot, orow);
        to = !na ? "none" : na->type.kind == T_LIST ? list_text(nc, nt, nslot, nrow).text
                                                     : scalar_text(nc, nt, nslot, nrow);
        if (strcmp(from, to) == 0)
            return false;
    }
    Line *l = new_line(df, ch);
    add(l, false, "attribute ");
    add(l, true, name);
    add(l, false, arena_printf(df->arena, ": %s -> %s", from, to));
    if (!oa || !na)
        add(l, false, !oa ? " (new in the schema)" : " (no longer in the schema)");
    if (detail)
        add(l, false, arena_printf(df->arena, " (%s)", detail));
    return true;
}

/* The riskiest risk of each category of a service, as "L x I". */
static const Risk *risk_of(const Side *s, uint32_t row, const char *category)
{
    const Risk *best = NULL;
    for (int32_t i = eval_first_risk(s->ev, row); i >= 0; i = s->ev->risk_next[i]) {
        const Risk *r = &s->p->risks[i];
        if (strcmp(r->category, category) == 0 &&
            (!best || r->likelihood * r->impact > best->likelihood * best->impact))
            best = r;
    }
    return best;
}

static const char *risk_text(Arena *a, const Risk *r)
{
    if (!r)
        return "none";
    return arena_printf(a, "%s x %s", num_text(a, r->likelihood), num_text(a, r->impact));
}

static bool diff_risks(Differ *df, Change *ch, uint32_t orow, uint32_t nrow)
{
    bool changed = false;
    /* categories of either side, each once, in the order met */
    PtrVec cats = {0};
    for (int side = 0; side < 2; side++) {
        const Side *s = side ? &df->n : &df->o;
        uint32_t row = side ? nrow : orow;
        for (int32_t i = eval_first_risk(s->ev, row); i >= 0; i = s->ev->risk_next[i]) {
            const char *cat = s->p->risks[i].category;
            bool seen = false;
            for (uint32_t k = 0; k < cats.len && !seen; k++)
                seen = strcmp(cats.items[k], cat) == 0;
            if (!seen)
                ptrvec_push(df->arena, &cats, (void *)cat);
        }
    }
    if (cats.len > 1)
        qsort(cats.items, cats.len, sizeof *cats.items, cmp_cstr);
    for (uint32_t k = 0; k < cats.len; k++) {
        const Risk *a = risk_of(&df->o, orow, cats.items[k]);
        const Risk *b = risk_of(&df->n, nrow, cats.items[k]);
        if (a && b && a->likelihood == b->likelihood && a->impact == b->impact)
            continue;
        Line *l = new_line(df, ch);
        add(l, false, "risk ");
        add(l, true, cats.items[k]);
        add(l, false, arena_printf(df->arena, ": %s -> %s", risk_text(df->arena, a),
                                   risk_text(df->arena, b)));
        double ea = a ? a->likelihood * a->impact : NAN;
        double eb = b ? b->likelihood * b->impact : NAN;
        add(l, false, arena_printf(df->arena, " (exposure %s -> %s)", num_text(df->arena, ea),
                                   num_text(df->arena, eb)));
        changed = true;
    }
    return changed;
}

/* ---- definitions that changed ------------------------------------------- */

static DefChange *new_def(Differ *df, DefKind k)
{
    DefChange *d = ARENA_NEW(df->arena, DefChange);
    d->kind = k;
    d->arm = -1;
    ptrvec_push(df->arena, &df->defs, d);
    return d;
}

/* "SUBJECT: `from` -> `to` (detail)", "SUBJECT added: `to`", ... */
static void def_line(Line *l, const char *from, const char *to, bool code, const char *detail,
                     Arena *a)
{
    if (from && to) {
        add(l, false, ": ");
        add(l, code, from);
        add(l, false, " -> ");
        add(l, code, to);
    } else if (to) {
        add(l, false, " added: ");
        add(l, code, to);
    } else if (from) {
        add(l, false, " removed (was ");
        add(l, code, from);
        add(l, false, ")");
    }
    if (detail)
        add(l, false, arena_printf(a, " (%s)", detail));
}

/* label: "decide" for the table compared, "decide table `x`" for an
 * earlier one */
static void arm_change(Differ *df, const char *label, const Arm *a, int ia, const Arm *b, int ib)
{
    DefChange *d = new_def(df, strcmp(label, "decide") == 0 ? DC_ARM : DC_EARLIER_ARM);
    d->arm = b ? ib : ia;
    const char *ta = a ? arm_text(df->o.c, a) : NULL;
    const char *tb = b ? arm_text(df->n.c, b) : NULL;
    if (a && b && ia != ib)
        add(&d->line, false, arena_printf(df->arena, "%s arm %d (was %d)", label, ib + 1, ia + 1));
    else
        add(&d->line, false, arena_printf(df->arena, "%s arm %d", label, (b ? ib : ia) + 1));
    const char *detail = NULL;
    if (a && b && a->cond && b->cond && strcmp(a->decision, b->decision) == 0)
        detail = literal_detail(df->arena, a->cond, b->cond, "threshold");
    def_line(&d->line, ta, tb, true, detail, df->arena);
}

/* Arms are aligned by their text (longest common subsequence), so an arm
 * inserted or removed reads as that, not as every later arm changing; an
 * arm removed and one added at the same place read as one arm changed. */
static void diff_arms(Differ *df, const DecideTable *ot, const DecideTable *nt, const char *label)
{
    int no = 0, nn = 0;
    const Arm *first_o = ot ? ot->decl->arms : NULL;
    const Arm *first_n = nt ? nt->decl->arms : NULL;
    for (const Arm *a = first_o; a; a = a->next)
        no++;
    for (const Arm *a = first_n; a; a = a->next)
        nn++;
    const Arm **oa = ARENA_ARRAY(df->arena, const Arm *, no + 1);
    const Arm **na = ARENA_ARRAY(df->arena, const Arm *, nn + 1);
    const char **to = ARENA_ARRAY(df->arena, const char *, no + 1);
    const char **tn = ARENA_ARRAY(df->arena, const char *, nn + 1);
    no = nn = 0;
    for (const Arm *a = first_o; a; a = a->next, no++) {
        oa[no] = a;
        to[no] = arm_text(df->o.c, a);
    }
    for (const Arm *a = first_n; a; a = a->next, nn++) {
        na[nn] = a;
        tn[nn] = arm_text(df->n.c, a);
    }
    /* lcs(i, j): longest common run of to[i..] and tn[j..]; past a few
     * thousand arms a side the table stays zero, which compares arms by
     * position */
    size_t cells = (size_t)(no + 1) * (size_t)(nn + 1);
    bool align = no < 4096 && nn < 4096 && cells <= ((size_t)1 << 22);
    uint16_t *lcs = ARENA_ARRAY(df->arena, uint16_t, align ? cells : 1);
#define LCS(i, j) (align ? lcs[(size_t)(i) * (size_t)(nn + 1) + (size_t)(j)] : 0)
    for (int i = no - 1; align && i >= 0; i--)
        for (int j = nn - 1; j >= 0; j--)
            lcs[(size_t)i * (size_t)(nn + 1) + (size_t)j] =
                strcmp(to[i], tn[j]) == 0 ? (uint16_t)(LCS(i + 1, j + 1) + 1)
                : LCS(i + 1, j) > LCS(i, j + 1) ? LCS(i + 1, j) : LCS(i, j + 1);
    int i = 0, j = 0;
    while (i < no || j < nn) {
        if (i < no && j < nn && strcmp(to[i], tn[j]) == 0) {
            i++;
            j++;
            continue;
        }
        /* the run of removed and added arms up to the next common one */
        int i0 = i, j0 = j;
        while (i < no || j < nn) {
            if (i < no && j < nn && strcmp(to[i], tn[j]) == 0)
                break;
            if (j >= nn || (i < no && LCS(i + 1, j) >= LCS(i, j + 1)))
                i++;
            else
                j++;
        }
        int k = 0;
        for (; i0 + k < i && j0 + k < j; k++)
            arm_change(df, label, oa[i0 + k], i0 + k, na[j0 + k], j0 + k);
        for (int x = i0 + k; x < i; x++)
            arm_change(df, label, oa[x], x, NULL, -1);
        for (int y = j0 + k; y < j; y++)
            arm_change(df, label, NULL, -1, na[y], y);
    }
#undef LCS
}

static Score *score_named(Program *p, const char *name)
{
    for (uint32_t i = 0; i < p->scores.len; i++)
        if (strcmp(((Score *)p->scores.items[i])->name, name) == 0)
            return p->scores.items[i];
    return NULL;
}

static void diff_scores(Differ *df)
{
    for (int side = 0; side < 2; side++) {
        Program *p = side ? df->n.p : df->o.p, *q = side ? df->o.p : df->n.p;
        for (uint32_t i = 0; i < p->scores.len; i++) {
            Score *s = p->scores.items[i];
            Score *t = score_named(q, s->name);
            if (side == 1 && t)
                continue;   /* in both: seen from the old side */
            Score *so = side ? t : s, *sn = side ? s : t;
            const char *ta = so ? expr_text(df->o.c, so->decl->expr) : NULL;
            const char *tb = sn ? expr_text(df->n.c, sn->decl->expr) : NULL;
            if (ta && tb && strcmp(ta, tb) == 0)
                continue;
            DefChange *d = new_def(df, DC_SCORE);
            d->name = s->name;
            add(&d->line, false, "score ");
            add(&d->line, true, s->name);
            const char *detail = so && sn ? literal_detail(df->arena, so->decl->expr,
                                                           sn->decl->expr, "constant")
                                          : NULL;
            def_line(&d->line, ta, tb, true, detail, df->arena);
        }
    }
}

static int32_t row_named(KindTable *t, const char *name)
{
    for (uint32_t r = 0; r < t->count; r++)
        if (strcmp(t->names[r], name) == 0)
            return (int32_t)r;
    return -1;
}

static void diff_objectives(Differ *df)
{
    Compilation *oc = df->o.c, *nc = df->n.c;
    KindTable *ot = kind_table(oc, EK_OBJECTIVE), *nt = kind_table(nc, EK_OBJECTIVE);
    int ow = attr_slot(ot, oc->n.weight), nw = attr_slot(nt, nc->n.weight);
    int op = attr_slot(ot, oc->n.parent), np = attr_slot(nt, nc->n.parent);
    /* new objectives in declaration order, then the removed ones */
    for (uint32_t r = 0; r < nt->count; r++) {
        int32_t o = row_named(ot, nt->names[r]);
        double b = col_num(nt, nw, r);
        if (o < 0) {
            DefChange *d = new_def(df, DC_OBJECTIVE);
            d->name = nt->names[r];
            add(&d->line, false, "objective ");
            add(&d->line, true, nt->names[r]);
            add(&d->line, false, arena_printf(df->arena, " added (weight %s)",
                                              num_text(df->arena, b)));
            continue;
        }
        double a = col_num(ot, ow, (uint32_t)o);
        if (!same_number(a, b)) {
            DefChange *d = new_def(df, DC_OBJECTIVE);
            d->name = nt->names[r];
            add(&d->line, false, "objective ");
            add(&d->line, true, nt->names[r]);
            add(&d->line, false, " weight");
            def_line(&d->line, num_text(df->arena, a), num_text(df->arena, b), false,
                     delta_text(df->arena, a, b), df->arena);
        }
        int32_t pa = col_i32(ot, op, (uint32_t)o), pb = col_i32(nt, np, r);
        const char *na = pa >= 0 ? ot->names[pa] : "none";
        const char *nb = pb >= 0 ? nt->names[pb] : "none";
        if (strcmp(na, nb) != 0) {
            DefChange *d = new_def(df, DC_OBJECTIVE);
            d->name = nt->names[r];
            add(&d->line, false, "objective ");
            add(&d->line, true, nt->names[r]);
            add(&d->line, false, " parent");
            def_line(&d->line, na, nb, true, NULL, df->arena);
        }
    }
    for (uint32_t r = 0; r < ot->count; r++) {
        if (row_named(nt, ot->names[r]) >= 0)
            continue;
        DefChange *d = new_def(df, DC_OBJECTIVE);
        d->name = ot->names[r];
        add(&d->line, false, "objective ");
        add(&d->line, true, ot->names[r]);
        add(&d->line, false, arena_printf(df->arena, " removed (weight was %s)",
                                          num_text(df->arena, col_num(ot, ow, r))));
    }
}

static Const *const_named(Program *p, const char *name)
{
    for (uint32_t i = 0; i < p->consts.len; i++)
        if (strcmp(((Const *)p->consts.items[i])->name, name) == 0)
            return p->consts.items[i];
    return NULL;
}

static void diff_consts(Differ *df)
{
    for (int side = 0; side < 2; side++) {
        Program *p = side ? df->n.p : df->o.p, *q = side ? df->o.p : df->n.p;
        for (uint32_t i = 0; i < p->consts.len; i++) {
            Const *k = p->consts.items[i];
            Const *other = const_named(q, k->name);
            if (side == 1 && other)
                continue;
            Const *ko = side ? other : k, *kn = side ? k : other;
            const char *ta = ko && ko->decl->expr ? expr_text(df->o.c, ko->decl->expr) : NULL;
            const char *tb = kn && kn->decl->expr ? expr_text(df->n.c, kn->decl->expr) : NULL;
            if (same_str(ta, tb))
                continue;
            DefChange *d = new_def(df, DC_CONST);
            d->name = k->name;
            add(&d->line, false, "const ");
            add(&d->line, true, k->name);
            def_line(&d->line, ta, tb, true, NULL, df->arena);
        }
    }
}

static void diff_budget(Differ *df)
{
    double a = df->o.p->strategy.budget, b = df->n.p->strategy.budget;
    if (same_number(a, b))
        return;
    DefChange *d = new_def(df, DC_BUDGET);
    add(&d->line, false, "strategy budget");
    def_line(&d->line, num_text(df->arena, a), num_text(df->arena, b), false,
             delta_text(df->arena, a, b), df->arena);
}

static const char *scenario_text(Compilation *c, const char *name)
{
    const Decl *d = NULL;
    for (uint32_t i = 0; i < c->program->scenarios.len && !d; i++) {
        const Decl *x = c->program->scenarios.items[i];
        if (strcmp(x->name, name) == 0)
            d = x;
    }
    if (!d)
        return NULL;
    const char *out = "";
    for (const SetStmt *st = d->sets; st; st = st->next) {
        out = arena_printf(&c->arena, "%s%sset %s = %s for %s in %s", out, *out ? "; " : "",
                           expr_text(c, st->target), expr_text(c, st->value), st->var,
                           st->kind_name);
        if (st->where)
            out = arena_printf(&c->arena, "%s where %s", out, expr_text(c, st->where));
    }
    return out;
}

static void diff_scenario(Differ *df)
{
    const char *name = df->n.c->opts.scenario;
    if (!name)
        return;
    const char *a = scenario_text(df->o.c, name), *b = scenario_text(df->n.c, name);
    if (same_str(a, b))
        return;
    DefChange *d = new_def(df, DC_SCENARIO);
    d->name = name;
    add(&d->line, false, "scenario ");
    add(&d->line, true, name);
    def_line(&d->line, a, b, true, NULL, df->arena);
}

static Source *stdlib_source(Compilation *c, const char *path)
{
    for (uint32_t i = 0; i < c->sources.len; i++) {
        Source *s = c->sources.items[i];
        if (s->is_stdlib && strcmp(s->path, path) == 0)
            return s;
    }
    return NULL;
}

static void diff_stdlib(Differ *df)
{
    for (int side = 0; side < 2; side++) {
        Compilation *c = side ? df->n.c : df->o.c, *other = side ? df->o.c : df->n.c;
        for (uint32_t i = 0; i < c->sources.len; i++) {
            Source *s = c->sources.items[i];
            if (!s->is_stdlib)
                continue;
            Source *t = stdlib_source(other, s->path);
            const char *what;
            if (!t)
                what = side ? "now imported" : "no longer imported";
            else if (side == 0 && (s->len != t->len || memcmp(s->text, t->text, s->len) != 0))
                what = "differs between the versions (another strat release?)";
            else
                continue;
            DefChange *d = new_def(df, DC_STDLIB);
            d->name = s->path;
            add(&d->line, false, "stdlib module ");
            add(&d->line, true, s->path);
            add(&d->line, false, arena_printf(df->arena, " %s", what));
        }
    }
}

/* ---- one service ---------------------------------------------------------- */

static void add_def_line(Differ *df, Change *ch, const DefChange *d)
{
    Line *l = new_line(df, ch);
    add(l, false, "cause: ");
    for (int i = 0; i < d->line.n; i++)
        add(l, d->line.code[i], d->line.s[i]);
}

/* Names of the objectives a service supports, and their ancestors. */
static void objective_names(const Side *s, uint32_t row, PtrVec *out, Arena *a)
{
    KindTable *obj = kind_table(s->c, EK_OBJECTIVE);
    int slot = attr_slot(s->svc, s->c->n.supports);
    int pslot = attr_slot(obj, s->c->n.parent);
    const int32_t *elems;
    ListSpan span = col_list(s->svc, slot, row, &elems);
    for (uint32_t i = 0; i < span.len; i++) {
        int32_t o = elems[i];
        for (int depth = 0; o >= 0 && (uint32_t)o < obj->count && depth < 64; depth++) {
            ptrvec_push(a, out, (void *)obj->names[o]);
            o = col_i32(obj, pslot, (uint32_t)o);
        }
    }
}

static bool in_names(const PtrVec *v, const char *name)
{
    for (uint32_t i = 0; i < v->len; i++)
        if (strcmp(v->items[i], name) == 0)
            return true;
    return false;
}

static void arm_line(Differ *df, Change *ch, const char *label, const Side *s, uint32_t row)
{
    const Arm *a = s->table ? table_arm_at(s->table, s->arm[row]) : NULL;
    Line *l = new_line(df, ch);
    add(l, false, label);
    if (!a) {
        add(l, false, s->res->failed[row] ? "none (a score is not a number)" : "none");
        return;
    }
    add(l, true, arm_text(s->c, a));
    add(l, false, " ");
    add(l, false, where_text(s->c, a->loc));
}

/* "scores: `value` 0.4, `health` 0.7" for a service only one side has. */
static void scores_line(Differ *df, Change *ch, const Side *s, uint32_t row)
{
    if (!s->res->nscores)
        return;
    Line *l = new_line(df, ch);
    add(l, false, "scores: ");
    for (uint32_t i = 0; i < s->res->nscores && i < MAX_SCORES_SHOWN; i++) {
        add(l, true, ((Score *)s->p->scores.items[i])->name);
        double v = s->res->scores[(size_t)i * s->res->nservices + row];
        add(l, false, arena_printf(df->arena, " %s%s", num_text(df->arena, v),
                                   i + 1 < s->res->nscores ? ", " : ""));
    }
    if (s->res->nscores > MAX_SCORES_SHOWN)
        add(l, false, arena_printf(df->arena, "and %u more",
                                   s->res->nscores - MAX_SCORES_SHOWN));
}

static void explain_move(Differ *df, Change *ch, uint32_t orow, uint32_t nrow)
{
    KindTable *ot = df->o.svc, *nt = df->n.svc;
    bool attrs_changed = false;
    for (uint32_t ns = 0; ns < nt->nattrs; ns++)
        attrs_changed |= diff_attr(df, ch, orow, df->attr_old[ns], nrow, (int)ns);
    for (uint32_t os = 0; os < ot->nattrs; os++)
        if (!df->old_attr_matched[os])
            attrs_changed |= diff_attr(df, ch, orow, (int)os, nrow, -1);
    attrs_changed |= diff_risks(df, ch, orow, nrow);

    /* scores */
    PtrVec moved_scores = {0};
    for (uint32_t s = 0; s < df->n.res->nscores; s++) {
        int os = df->score_old[s];
        if (os < 0)
            continue;
        double a = df->o.res->scores[(size_t)os * df->o.res->nservices + orow];
        double b = df->n.res->scores[(size_t)s * df->n.res->nservices + nrow];
        if (same_number(a, b))
            continue;
        const char *name = ((Score *)df->n.p->scores.items[s])->name;
        ptrvec_push(df->arena, &moved_scores, (void *)name);
        Line *l = new_line(df, ch);
        add(l, false, "score ");
        add(l, true, name);
        add(l, false, arena_printf(df->arena, ": %s -> %s", num_text(df->arena, a),
                                   num_text(df->arena, b)));
        const char *d = delta_text(df->arena, a, b);
        if (d)
            add(l, false, arena_printf(df->arena, " (%s)", d));
    }
    double al_a = NAN, al_b = NAN;
    bool alignment = df->o.uses_alignment || df->n.uses_alignment;
    if (alignment) {
        al_a = eval_alignment(df->o.ev, (int32_t)orow);
        al_b = eval_alignment(df->n.ev, (int32_t)nrow);
        if (!same_number(al_a, al_b)) {
            Line *l = new_line(df, ch);
            add(l, true, "alignment(s)");
            add(l, false, arena_printf(df->arena, ": %s -> %s (%s)", num_text(df->arena, al_a),
                                       num_text(df->arena, al_b),
                                       delta_text(df->arena, al_a, al_b)));
        }
    }
    arm_line(df, ch, "arm before: ", &df->o, orow);
    arm_line(df, ch, "arm now: ", &df->n, nrow);

    /* definitions: a changed scenario always (values above are after it);
     * the rest when none of the service's own values changed */
    bool found = false;
    int last_arm = df->o.arm[orow] > df->n.arm[nrow] ? df->o.arm[orow] : df->n.arm[nrow];
    if (df->o.arm[orow] < 0 || df->n.arm[nrow] < 0)
        last_arm = 1 << 30;
    PtrVec objs = {0};
    if (alignment && !same_number(al_a, al_b)) {
        objective_names(&df->o, orow, &objs, df->arena);
        objective_names(&df->n, nrow, &objs, df->arena);
    }
    for (uint32_t i = 0; i < df->defs.len; i++) {
        const DefChange *d = df->defs.items[i];
        bool relevant = false;
        switch (d->kind) {
        case DC_SCENARIO: relevant = true; break;
        case DC_ARM: relevant = !attrs_changed && d->arm <= last_arm; break;
        case DC_EARLIER_ARM: relevant = !attrs_changed; break;
        case DC_SCORE: relevant = !attrs_changed && in_names(&moved_scores, d->name); break;
        case DC_OBJECTIVE: relevant = !attrs_changed && in_names(&objs, d->name); break;
        case DC_CONST:
            relevant = !attrs_changed &&
                       (program_uses(df->o.p, is_name, d->name) ||
                        program_uses(df->n.p, is_name, d->name));
            break;
        case DC_BUDGET:
            relevant = !attrs_changed && (df->o.uses_budget || df->n.uses_budget);
            break;
        case DC_STDLIB: relevant = !attrs_changed; break;
        }
        if (relevant) {
            add_def_line(df, ch, d);
            found |= d->kind != DC_STDLIB;
        }
    }
    if (attrs_changed || found)
        return;
    Line *l = new_line(df, ch);
    if (df->o.uses_norm || df->n.uses_norm) {
        add(l, false, "cause: none of its values or definitions changed; ");
        add(l, true, "norm()");
        add(l, false, " scales by the whole portfolio, so changes to other services "
                      "move its scores");
    } else {
        add(l, false, "cause: none of its values or the definitions it reads changed; "
                      "compare ");
        add(l, true, "strat explain");
        add(l, false, " of both versions");
    }
}

/* ---- matching services ---------------------------------------------------- */

typedef struct Entry {
    const char *name;
    uint32_t row;
} Entry;

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const Entry *)a)->name, ((const Entry *)b)->name);
}

static Entry *sorted_entries(Arena *a, const KindTable *t)
{
    Entry *e = ARENA_ARRAY(a, Entry, t->count + 1);
    for (uint32_t r = 0; r < t->count; r++) {
        e[r].name = t->names[r];
        e[r].row = r;
    }
    qsort(e, t->count, sizeof *e, cmp_entry);
    return e;
}

static Change *new_change(Differ *df, ChangeKind k, const char *name)
{
    Change *ch = ARENA_NEW(df->arena, Change);
    ch->kind = k;
    ch->name = name;
    ptrvec_push(df->arena, &df->changes, ch);
    return ch;
}

static void match_services(Differ *df)
{
    Entry *a = sorted_entries(df->arena, df->o.svc), *b = sorted_entries(df->arena, df->n.svc);
    uint32_t na = df->o.svc->count, nb = df->n.svc->count, i = 0, j = 0;
    while (i < na || j < nb) {
        int k = i >= na ? 1 : j >= nb ? -1 : strcmp(a[i].name, b[j].name);
        if (k < 0) {
            Change *ch = new_change(df, CH_REMOVED, a[i].name);
            ch->before = dec_text(&df->o, a[i].row);
            arm_line(df, ch, "arm was: ", &df->o, a[i].row);
            scores_line(df, ch, &df->o, a[i].row);
            df->removed++;
            i++;
        } else if (k > 0) {
            Change *ch = new_change(df, CH_ADDED, b[j].name);
            ch->after = dec_text(&df->n, b[j].row);
            arm_line(df, ch, "arm: ", &df->n, b[j].row);
            scores_line(df, ch, &df->n, b[j].row);
            df->added++;
            j++;
        } else {
            const char *da = dec_text(&df->o, a[i].row), *db = dec_text(&df->n, b[j].row);
            if (strcmp(da, db) != 0) {
                Change *ch = new_change(df, CH_MOVED, b[j].name);
                ch->before = da;
                ch->after = db;
                explain_move(df, ch, a[i].row, b[j].row);
                df->moved++;
            } else {
                df->unchanged++;
            }
            i++;
            j++;
        }
    }
}

/* The tables not compared (named in both versions): how many of the
 * services both have changed outcome in each, as lines for the end. */
static void count_other_tables(Differ *df)
{
    Entry *a = sorted_entries(df->arena, df->o.svc), *b = sorted_entries(df->arena, df->n.svc);
    uint32_t na = df->o.svc->count, nb = df->n.svc->count;
    for (uint32_t t = 0; t < df->n.p->tables.len; t++) {
        const DecideTable *now = program_table(df->n.p, t);
        if (now == df->n.table || !now->name || t >= df->n.res->ntables)
            continue;
        const DecideTable *was = program_table_named(df->o.c, intern_cstr(df->o.c, now->name));
        if (!was || was->index >= df->o.res->ntables)
            continue;
        const int8_t *dn = df->n.res->decisions[t], *dout = df->o.res->decisions[was->index];
        unsigned changed = 0;
        for (uint32_t i = 0, j = 0; i < na && j < nb;) {
            int k = strcmp(a[i].name, b[j].name);
            if (k == 0) {
                bool fo = df->o.res->failed[a[i].row], fn = df->n.res->failed[b[j].row];
                const char *x = fo ? "" : outcome_name(df->o.p, dout[a[i].row]);
                const char *y = fn ? "" : outcome_name(df->n.p, dn[b[j].row]);
                changed += strcmp(x, y) != 0;
            }
            i += k <= 0;
            j += k >= 0;
        }
        OtherTable *o = ARENA_NEW(df->arena, OtherTable);
        o->name = now->name;
        o->changed = changed;
        ptrvec_push(df->arena, &df->others, o);
        df->others_changed += changed;
    }
}

/* ---- output ------------------------------------------------------------------ */

static void text_line(FILE *out, const Line *l)
{
    for (int i = 0; i < l->n; i++)
        fprintf(out, l->code[i] ? "`%s`" : "%s", l->s[i]);
}

/* Prose and code parts through markdown.c: names, values and source text
 * come from the strategy, so from whoever wrote the pull request. */
static void md_line(FILE *out, const Line *l, bool in_table)
{
    for (int i = 0; i < l->n; i++) {
        if (l->code[i])
            md_code(out, l->s[i], in_table);
        else
            md_text(out, l->s[i]);
    }
}

static void summary(FILE *out, const Differ *df)
{
    unsigned n = df->moved + df->added + df->removed;
    fprintf(out, "%u decision%s changed: %u moved, %u added, %u removed (%u unchanged)\n", n,
            n == 1 ? "" : "s", df->moved, df->added, df->removed, df->unchanged);
}

static void emit_text(FILE *out, Differ *df)
{
    fprintf(out, "# old inputs sha256: %s\n", inputs_sha256(df->o.c));
    fprintf(out, "# new inputs sha256: %s\n", inputs_sha256(df->n.c));
    if (df->n.c->opts.scenario)
        fprintf(out, "# scenario: %s\n", df->n.c->opts.scenario);
    if (df->changes.len)
        fputc('\n', out);
    for (uint32_t i = 0; i < df->changes.len; i++) {
        const Change *ch = df->changes.items[i];
        switch (ch->kind) {
        case CH_MOVED:
            fprintf(out, "~ %s: %s -> %s\n", ch->name, ch->before, ch->after);
            break;
        case CH_ADDED:
            fprintf(out, "+ %s: added as %s\n", ch->name, ch->after);
            break;
        case CH_REMOVED:
            fprintf(out, "- %s: removed (was %s)\n", ch->name, ch->before);
            break;
        }
        for (uint32_t k = 0; k < ch->lines.len; k++) {
            fputs("    ", out);
            text_line(out, ch->lines.items[k]);
            fputc('\n', out);
        }
    }
    if (df->defs.len) {
        fputs("\ndefinition changes:\n", out);
        for (uint32_t i = 0; i < df->defs.len; i++) {
            fputs("    ", out);
            text_line(out, &((DefChange *)df->defs.items[i])->line);
            fputc('\n', out);
        }
    }
    fputc('\n', out);
    summary(out, df);
    for (uint32_t i = 0; i < df->others.len; i++) {
        const OtherTable *o = df->others.items[i];
        fprintf(out, "decide table `%s`: %u decision%s changed", o->name, o->changed,
                o->changed == 1 ? "" : "s");
        if (o->changed)
            fprintf(out, " (`strat diff --table %s` lists %s)", o->name,
                    o->changed == 1 ? "it" : "them");
        fputc('\n', out);
    }
}

typedef struct Transition {
    const char *before, *after;
    unsigned count;
} Transition;

static int cmp_transition(const void *a, const void *b)
{
    const Transition *x = *(const Transition *const *)a, *y = *(const Transition *const *)b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    int k = strcmp(x->before, y->before);
    return k ? k : strcmp(x->after, y->after);
}

static void emit_md(FILE *out, Differ *df)
{
    unsigned n = df->moved + df->added + df->removed;
    fprintf(out, "## Strategy diff: %u decision%s changed\n\n", n, n == 1 ? "" : "s");
    if (df->n.c->opts.scenario) {
        fputs("Scenario ", out);
        md_code(out, df->n.c->opts.scenario, false);
        fputs(".\n\n", out);
    }
    if (n) {
        /* how many went from where to where: the shape of a big change */
        PtrVec ts = {0};
        for (uint32_t i = 0; i < df->changes.len; i++) {
            const Change *ch = df->changes.items[i];
            const char *b = ch->before ? ch->before : "(added)";
            const char *a = ch->after ? ch->after : "(removed)";
            Transition *t = NULL;
            for (uint32_t k = 0; k < ts.len && !t; k++) {
                Transition *x = ts.items[k];
                if (strcmp(x->before, b) == 0 && strcmp(x->after, a) == 0)
                    t = x;
            }
            if (!t) {
                t = ARENA_NEW(df->arena, Transition);
                t->before = b;
                t->after = a;
                ptrvec_push(df->arena, &ts, t);
            }
            t->count++;
        }
        qsort(ts.items, ts.len, sizeof *ts.items, cmp_transition);
        fputs("| before | after | services |\n|---|---|---:|\n", out);
        for (uint32_t k = 0; k < ts.len; k++) {
            Transition *t = ts.items[k];
            fprintf(out, "| %s | %s | %u |\n", t->before, t->after, t->count);
        }
        fputs("\n| service | before | after | cause |\n|---|---|---|---|\n", out);
        uint32_t shown = df->changes.len < MD_MAX_ROWS ? df->changes.len : MD_MAX_ROWS;
        for (uint32_t i = 0; i < shown; i++) {
            const Change *ch = df->changes.items[i];
            fputs("| ", out);
            md_text(out, ch->name);
            fprintf(out, " | %s | %s | ", ch->before ? ch->before : "(added)",
                    ch->after ? ch->after : "(removed)");
            for (uint32_t k = 0; k < ch->lines.len; k++) {
                if (k)
                    fputs("<br>", out);
                md_line(out, ch->lines.items[k], true);
            }
            fputs(" |\n", out);
        }
        if (shown < df->changes.len)
            fprintf(out, "\n... and %u more; run `strat diff` for the full list.\n",
                    df->changes.len - shown);
        fputc('\n', out);
    }
    if (df->defs.len) {
        fputs("**Definition changes**\n\n", out);
        for (uint32_t i = 0; i < df->defs.len; i++) {
            fputs("- ", out);
            md_line(out, &((DefChange *)df->defs.items[i])->line, false);
            fputc('\n', out);
        }
        fputc('\n', out);
    }
    summary(out, df);
    for (uint32_t i = 0; i < df->others.len; i++) {
        const OtherTable *o = df->others.items[i];
        fputs(i ? "- decide table " : "\n- decide table ", out);
        md_code(out, o->name, false);
        fprintf(out, ": %u decision%s changed", o->changed, o->changed == 1 ? "" : "s");
        if (o->changed) {
            fputs(" (", out);
            md_code(out, arena_printf(df->arena, "strat diff --table %s", o->name), false);
            fprintf(out, " lists %s)", o->changed == 1 ? "it" : "them");
        }
        fputc('\n', out);
    }
    fprintf(out, "\n<sub>inputs sha256: old `%s`, new `%s`</sub>\n", inputs_sha256(df->o.c),
            inputs_sha256(df->n.c));
}

/* ---- entry point ---------------------------------------------------------------- */

/* One version's side of the diff of decide table `name` (NULL: the
 * first table); false when it was not decided or has no such table. */
static bool init_side(Side *s, Compilation *c, Name name)
{
    s->c = c;
    s->p = c->program;
    s->res = c->results;
    s->ev = c->eval;
    if (!s->p || !s->res || !s->res->decided || !s->ev)
        return false;
    s->svc = kind_table(c, EK_SERVICE);
    s->decision = s->res->decision;
    s->arm = s->res->arm;
    s->table = s->p->tables.len ? program_table(s->p, 0) : NULL;
    if (name) {
        s->table = program_table_named(c, name);
        if (!s->table || s->table->index >= s->res->ntables)
            return false;
        s->decision = s->res->decisions[s->table->index];
        s->arm = s->res->arms[s->table->index];
    }
    int b_align = B_ALIGNMENT, b_norm = B_NORM;
    s->uses_alignment = program_uses(s->p, is_builtin_call, &b_align);
    s->uses_norm = program_uses(s->p, is_builtin_call, &b_norm);
    s->uses_budget = program_uses(s->p, is_name, "budget");
    return true;
}

/* The work, below the guards of strat_diff (no local of the guarded frame
 * lives across its setjmp). */
strat_status diff_report(Compilation *old, Compilation *new_, FILE *out, bool md,
                             unsigned *changes)
{
    Differ *df = ARENA_NEW(&new_->arena, Differ);
    df->arena = &new_->arena;
    if (!decide_have_results(old) || !decide_have_results(new_))
        return STRAT_FINDINGS;
    /* --table: that table in both versions (by name) */
    Name name = NULL;
    if (new_->opts.table) {
        int t = decide_table_option(new_, true);
        if (t < 0)
            return STRAT_FAILURE;
        name = program_table(new_->program, (uint32_t)t)->name;
        if (name && !program_table_named(old, intern_cstr(old, name))) {
            diag_log(new_, "error", "decide table `%s` is new: the old version has none to "
                     "compare with [S0921]", name);
            return STRAT_FAILURE;
        }
    }
    if (!init_side(&df->o, old, name ? intern_cstr(old, name) : NULL) ||
        !init_side(&df->n, new_, name))
        return STRAT_FINDINGS;

    KindTable *ot = df->o.svc, *nt = df->n.svc;
    df->attr_old = ARENA_ARRAY(df->arena, int, nt->nattrs + 1);
    df->old_attr_matched = ARENA_ARRAY(df->arena, bool, ot->nattrs + 1);
    for (uint32_t ns = 0; ns < nt->nattrs; ns++) {
        df->attr_old[ns] = -1;
        for (uint32_t os = 0; os < ot->nattrs; os++)
            if (strcmp(nt->attrs[ns].name, ot->attrs[os].name) == 0) {
                df->attr_old[ns] = (int)os;
                df->old_attr_matched[os] = true;
                break;
            }
    }
    df->score_old = ARENA_ARRAY(df->arena, int, df->n.p->scores.len + 1);
    for (uint32_t s = 0; s < df->n.p->scores.len; s++) {
        Score *o = score_named(df->o.p, ((Score *)df->n.p->scores.items[s])->name);
        df->score_old[s] = o ? (int)o->index : -1;
    }

    /* the tables decided before the one compared (its arms may read
     * them; matched by name), then its own */
    for (uint32_t t = 0; df->n.table && t < df->n.table->index; t++) {
        const DecideTable *now = program_table(df->n.p, t);
        const DecideTable *was =
            now->name ? program_table_named(old, intern_cstr(old, now->name))
            : old->program->tables.len && !program_table(old->program, 0)->name
                ? program_table(old->program, 0) : NULL;
        if (was)
            diff_arms(df, was, now, now->name ? arena_printf(df->arena, "decide table `%s`",
                                                             now->name)
                                              : "the unnamed decide table,");
    }
    diff_arms(df, df->o.table, df->n.table, "decide");
    diff_scores(df);
    diff_objectives(df);
    diff_consts(df);
    diff_budget(df);
    diff_scenario(df);
    diff_stdlib(df);
    match_services(df);
    if (!new_->opts.table)
        count_other_tables(df);

    if (md)
        emit_md(out, df);
    else
        emit_text(out, df);
    if (changes)   /* (any table's: CI gates on every outcome) */
        *changes = df->moved + df->added + df->removed + df->others_changed;
    return STRAT_OK;
}
