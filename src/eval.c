/*
 * eval.c — the interpreter: the reference semantics of Strat (see eval.h),
 * and the decision pipeline built on it.
 *
 * Takes the checked Program (every Expr typed and resolved by
 * typecheck.c) and gives Results: each service's scores, decision, the
 * arm that fired, its rank and approvers.  Governance rules, waivers and
 * limits become diagnostics.  Scores are computed score by score over all
 * services (columns in, columns out), which is also the shape the JIT
 * compiles.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "demand.h"
#include "eval.h"
#include "intern.h"
#include "json.h"
#include "numeric.h"

static Value num_value(double v)
{
    Value r = {0};
    r.kind = T_NUMBER;
    r.num = v;
    return r;
}

static Value int_value(TypeKind k, int32_t i)
{
    Value r = {0};
    r.kind = k;
    r.i = i;
    return r;
}

static Value bool_value(bool b)
{
    return int_value(T_BOOL, b);
}

void eval_init(Eval *ev, Compilation *c)
{
    memset(ev, 0, sizeof *ev);
    ev->c = c;
    ev->p = c->program;
    ev->current = -1;
    Program *p = c->program;
    KindTable *svc = kind_table(c, EK_SERVICE);
    /* (a million services without risks need no 4 MB of -1s) */
    ev->risk_head = p->nrisks ? ARENA_ARRAY(&c->arena, int32_t, svc->count + 1) : NULL;
    ev->risk_next = ARENA_ARRAY(&c->arena, int32_t, p->nrisks + 1);
    for (uint32_t r = 0; p->nrisks && r < svc->count; r++)
        ev->risk_head[r] = -1;
    for (uint32_t i = p->nrisks; i-- > 0;) {
        ev->risk_next[i] = ev->risk_head[p->risks[i].service];
        ev->risk_head[p->risks[i].service] = (int32_t)i;
    }
    /* allocated here, filled on first use: a later arena mark (sensitivity
     * gives each run's scratch back) must not take them away */
    KindTable *obj = kind_table(c, EK_OBJECTIVE);
    ev->align_weight = ARENA_ARRAY(&c->arena, double, obj->count + 1);
    ev->align_state = ARENA_ARRAY(&c->arena, uint8_t, obj->count + 1);
    ev->align_stack = ARENA_ARRAY(&c->arena, int32_t, obj->count + 1);
}

static int32_t string_atom(Eval *ev, Expr *e)
{
    if (!e->aux)
        e->aux = atom_id(ev->c, intern(ev->c, e->u.str.s, e->u.str.len)) + 1;
    return e->aux - 1;
}

/* Reads row's attribute `slot` of kind k as a Value. */
static Value read_attr(Eval *ev, EntityKind k, int32_t row, int slot)
{
    KindTable *t = kind_table(ev->c, k);
    const AttrDef *a = &t->attrs[slot];
    Value v = {0};
    v.kind = a->type.kind;
    if (row < 0) {
        v.num = NAN;
        v.i = a->type.kind == T_DATE ? INT32_MIN : -1;
        return v;
    }
    switch (a->type.kind) {
    case T_NUMBER: v.num = col_num(t, slot, (uint32_t)row); break;
    case T_LIST: {
        ListSpan s = col_list(t, slot, (uint32_t)row, &v.elems);
        v.len = s.len;
        v.elem_kind = a->type.elem ? a->type.elem->kind : T_NONE;
        if (a->type.elem && a->type.elem->kind == T_ENTITY) {
            for (int kk = 0; kk < EK_COUNT; kk++)
                if (a->type.elem->kinds == KIND_BIT(kk))
                    v.ekind = (EntityKind)kk;
        }
        break;
    }
    case T_ENTITY:
        v.i = ref_decode(a->type.kinds, col_i32(t, slot, (uint32_t)row), &v.ekind);
        break;
    default: v.i = col_i32(t, slot, (uint32_t)row); break;
    }
    if (ev->tracing) {
        TraceRead *tr = ARENA_NEW(&ev->c->arena, TraceRead);
        tr->kind = k;
        tr->row = (uint32_t)row;
        tr->slot = slot;
        tr->value = v;
        ptrvec_push(&ev->c->arena, &ev->trace, tr);
    }
    return v;
}

static bool value_missing(const Value *v)
{
    switch (v->kind) {
    case T_NUMBER: return isnan(v->num);
    case T_DATE: return v->i == INT32_MIN;
    case T_LIST: case T_NONE: return v->kind == T_NONE;
    default: return v->i < 0;
    }
}

/* NaN in, NaN out: the same rule the JIT compiles. */
static double nan_min(double a, double b)
{
    if (isnan(a) || isnan(b))
        return NAN;
    return a < b ? a : b;
}

static double nan_max(double a, double b)
{
    if (isnan(a) || isnan(b))
        return NAN;
    return a > b ? a : b;
}

/* The effective weight of every objective: its weight times its
 * parent's effective weight (a missing weight counts 0, a top-level
 * objective's parent counts 1).  Worked out once for all objectives, each
 * from its parent's, with an explicit stack, so a chain of parents of any
 * depth is exact, and costs linear time and no C stack.  Parent cycles are
 * errors (S0607) and never reach the interpreter; should one get here, the
 * objectives on it get NaN rather than a loop. */
static void alignment_weights(Eval *ev)
{
    KindTable *obj = kind_table(ev->c, EK_OBJECTIVE);
    int wslot = attr_slot(obj, ev->c->n.weight);
    int pslot = attr_slot(obj, ev->c->n.parent);
    uint8_t *state = ev->align_state;   /* 0 new, 1 on the stack, 2 done */
    int32_t *stack = ev->align_stack;
    memset(state, 0, obj->count);
    for (uint32_t start = 0; start < obj->count; start++) {
        uint32_t depth = 0;
        int32_t o = (int32_t)start;
        /* up the parents to a known weight, or the top */
        while (o >= 0 && state[o] == 0) {
            state[o] = 1;
            stack[depth++] = o;
            o = col_i32(obj, pslot, (uint32_t)o);
        }
        double above = o < 0 ? 1 : state[o] == 2 ? ev->align_weight[o] : NAN;
        /* then down again, each from its parent's */
        while (depth > 0) {
            int32_t x = stack[--depth];
            double w = col_num(obj, wslot, (uint32_t)x);
            above *= isnan(w) ? 0 : w;
            ev->align_weight[x] = above;
            state[x] = 2;
        }
    }
    ev->align_ready = true;
}

void eval_inputs_changed(Eval *ev)
{
    ev->align_ready = false;
}

double eval_alignment(Eval *ev, int32_t row)
{
    if (row < 0)
        return NAN;
    KindTable *svc = kind_table(ev->c, EK_SERVICE);
    int slot = attr_slot(svc, ev->c->n.supports);
    const int32_t *elems;
    ListSpan s = col_list(svc, slot, (uint32_t)row, &elems);
    if (ev->tracing) {
        Value v = read_attr(ev, EK_SERVICE, row, slot);
        (void)v;
    }
    if (!ev->align_ready)
        alignment_weights(ev);
    double sum = 0;
    for (uint32_t i = 0; i < s.len; i++)
        sum += elems[i] >= 0 ? ev->align_weight[elems[i]] : 1;
    return sum;
}

double eval_exposure(Eval *ev, int32_t row, Name category)
{
    if (row < 0)
        return NAN;
    double best = 0;
    for (int32_t i = eval_first_risk(ev, (uint32_t)row); i >= 0; i = ev->risk_next[i]) {
        const Risk *r = &ev->p->risks[i];
        if (r->category != category)
            continue;
        double x = r->likelihood * r->impact;
        if (x > best)
            best = x;
    }
    return best;
}

/* The cache slot of a norm() call, its range over every service fixed on
 * first use from the inputs as they are then (explain fixes them all
 * before it perturbs anything: eval_fix_norm_ranges). */
static uint32_t norm_range(Eval *ev, Expr *e)
{
    if (!e->aux) {
        if (ev->nnorm == ev->norm_cap) {
            uint32_t ncap = ev->norm_cap ? ev->norm_cap * 2 : 8;
            ev->norm_lo = arena_realloc(&ev->c->arena, ev->norm_lo,
                                        sizeof(double) * ev->norm_cap, sizeof(double) * ncap);
            ev->norm_hi = arena_realloc(&ev->c->arena, ev->norm_hi,
                                        sizeof(double) * ev->norm_cap, sizeof(double) * ncap);
            ev->norm_done = arena_realloc(&ev->c->arena, ev->norm_done,
                                          sizeof(bool) * ev->norm_cap, sizeof(bool) * ncap);
            ev->norm_cap = ncap;
        }
        e->aux = (int32_t)++ev->nnorm;
        ev->norm_done[e->aux - 1] = false;
        ptrvec_push(&ev->c->arena, &ev->norm_exprs, e);
    }
    uint32_t k = (uint32_t)e->aux - 1;
    if (!ev->norm_done[k]) {
        /* the range of x over every service, computed once */
        KindTable *svc = kind_table(ev->c, EK_SERVICE);
        int32_t saved = ev->locals[0];
        EntityKind saved_kind = ev->local_kinds[0];
        bool tracing = ev->tracing;
        ev->tracing = false;
        double lo = INFINITY, hi = -INFINITY;
        for (uint32_t r = 0; r < svc->count; r++) {
            ev->locals[0] = (int32_t)r;
            ev->local_kinds[0] = EK_SERVICE;
            double v = eval_expr(ev, e->u.call.args[0]).num;
            if (isnan(v))
                continue;
            if (v < lo)
                lo = v;
            if (v > hi)
                hi = v;
        }
        ev->locals[0] = saved;
        ev->local_kinds[0] = saved_kind;
        ev->tracing = tracing;
        ev->norm_lo[k] = lo;
        ev->norm_hi[k] = hi;
        ev->norm_done[k] = true;
    }
    return k;
}

static double norm_value(Eval *ev, Expr *e, double x)
{
    uint32_t k = norm_range(ev, e);
    double lo = ev->norm_lo[k], hi = ev->norm_hi[k];
    if (isnan(x))
        return NAN;
    if (!(hi > lo))
        return 0;
    return (x - lo) / (hi - lo);
}

/* Every norm() call under e: its range fixed, the call appended to sites.
 * A quantifier's variable stands at the first row of its kind, where the
 * interpreter's first use of a call inside one would find it; the value
 * it had is put back when the walk leaves the quantifier. */
typedef struct NormWalk {
    Eval *ev;
    PtrVec *sites;
    uint32_t depth;                       /* quantifiers entered */
    int32_t saved[16];                    /* (a quantifier binds one of the */
    EntityKind saved_kind[16];            /* 16 locals: no deeper nesting) */
} NormWalk;

static WalkStep norm_enter(Expr *e, void *ctx)
{
    NormWalk *w = ctx;
    Eval *ev = w->ev;
    if (e->kind == EX_CALL && !e->u.call.sym && e->u.call.builtin == B_NORM) {
        norm_range(ev, e);
        if (w->sites)   /* (a tree: each call is met once) */
            ptrvec_push(&ev->c->arena, w->sites, e);
    } else if (e->kind == EX_QUANT || e->kind == EX_COMPREH) {
        int slot = e->u.quant.local;
        EntityKind k = (EntityKind)e->u.quant.entity_kind;
        w->saved[w->depth] = ev->locals[slot];
        w->saved_kind[w->depth++] = ev->local_kinds[slot];
        ev->locals[slot] = kind_table(ev->c, k)->count ? 0 : -1;
        ev->local_kinds[slot] = k;
    }
    return WALK_CHILDREN;
}

static void norm_leave(Expr *e, void *ctx)
{
    NormWalk *w = ctx;
    if (e->kind == EX_QUANT || e->kind == EX_COMPREH) {
        int slot = e->u.quant.local;
        w->depth--;
        w->ev->locals[slot] = w->saved[w->depth];
        w->ev->local_kinds[slot] = w->saved_kind[w->depth];
    }
}

static void fix_norms_in(Eval *ev, Expr *e, PtrVec *sites)
{
    NormWalk w = {.ev = ev, .sites = sites};
    expr_walk(e, &(ExprVisitor){norm_enter, norm_leave, &w});
}

void eval_fix_norm_ranges(Eval *ev, PtrVec *sites)
{
    Program *p = ev->p;
    int32_t saved = ev->locals[0];
    EntityKind saved_kind = ev->local_kinds[0];
    ev->locals[0] = 0;
    ev->local_kinds[0] = EK_SERVICE;
    for (uint32_t i = 0; i < p->scores.len; i++)
        fix_norms_in(ev, ((Score *)p->scores.items[i])->decl->expr, sites);
    for (uint32_t t = 0; t < p->tables.len; t++) {
        Decl *d = program_table(p, t)->decl;
        for (Arm *a = d->arms; a; a = a->next) {
            fix_norms_in(ev, a->cond, sites);
            for (BecausePart *part = a->parts; part; part = part->next)
                fix_norms_in(ev, part->expr, sites);
        }
        fix_norms_in(ev, d->rank, sites);
    }
    ev->locals[0] = saved;
    ev->local_kinds[0] = saved_kind;
}

static bool values_equal(const Value *a, const Value *b)
{
    if (a->kind == T_NONE || b->kind == T_NONE)
        return value_missing(a) && value_missing(b);
    if (a->kind == T_NUMBER)
        return a->num == b->num;
    if (a->kind == T_LIST) {
        if (a->len != b->len)
            return false;
        for (uint32_t i = 0; i < a->len; i++)
            if (a->nums || b->nums ? !(a->nums && b->nums && a->nums[i] == b->nums[i])
                                   : a->elems[i] != b->elems[i])
                return false;
        return true;
    }
    return a->i == b->i;
}

/* Comprehension/quantifier over every row of a kind. */
typedef enum { AGG_ALL, AGG_ANY, AGG_COUNT, AGG_SUM, AGG_MIN, AGG_MAX } Agg;

static Value aggregate(Eval *ev, Expr *q, Agg agg)
{
    EntityKind k = (EntityKind)q->u.quant.entity_kind;
    KindTable *t = kind_table(ev->c, k);
    int slot = q->u.quant.local;
    int32_t saved = ev->locals[slot];
    EntityKind saved_kind = ev->local_kinds[slot];
    double acc = agg == AGG_MIN ? INFINITY : agg == AGG_MAX ? -INFINITY : 0;
    bool result = agg == AGG_ALL;
    bool any_row = false;
    for (uint32_t r = 0; r < t->count; r++) {
        ev->locals[slot] = (int32_t)r;
        ev->local_kinds[slot] = k;
        if (q->u.quant.where) {
            Value w = eval_expr(ev, q->u.quant.where);
            if (w.i != 1)
                continue;
        }
        if (agg == AGG_COUNT && q->kind == EX_COMPREH &&
            (!q->u.quant.body->type || q->u.quant.body->type->kind != T_BOOL)) {
            acc += 1;
            continue;
        }
        Value b = eval_expr(ev, q->u.quant.body);
        any_row = true;
        switch (agg) {
        case AGG_ALL: if (b.i != 1) result = false; break;
        case AGG_ANY: if (b.i == 1) result = true; break;
        case AGG_COUNT: acc += b.i == 1; break;
        case AGG_SUM: acc += b.num; break;
        case AGG_MIN: acc = nan_min(acc, b.num); break;
        case AGG_MAX: acc = nan_max(acc, b.num); break;
        }
        if ((agg == AGG_ALL && !result) || (agg == AGG_ANY && result))
            break;
    }
    ev->locals[slot] = saved;
    ev->local_kinds[slot] = saved_kind;
    if (agg == AGG_ALL || agg == AGG_ANY)
        return bool_value(result);
    if ((agg == AGG_MIN || agg == AGG_MAX) && !any_row)
        return num_value(NAN);
    return num_value(acc);
}

/* count/sum/min/max of a list value; numbers come from literal lists
 * (columns hold no numeric lists), with the aggregates' NaN rules. */
static Value list_aggregate(Value l, Agg agg, Eval *ev)
{
    (void)ev;
    if (agg == AGG_COUNT)
        return num_value((double)l.len);
    if (!l.nums)
        return num_value(NAN);
    if ((agg == AGG_MIN || agg == AGG_MAX) && l.len == 0)
        return num_value(NAN);
    double acc = agg == AGG_MIN ? INFINITY : agg == AGG_MAX ? -INFINITY : 0;
    for (uint32_t i = 0; i < l.len; i++)
        acc = agg == AGG_SUM ? acc + l.nums[i]
            : agg == AGG_MIN ? nan_min(acc, l.nums[i]) : nan_max(acc, l.nums[i]);
    return num_value(acc);
}

/* ---- text predicates (DESIGN §5.6) -------------------------------------- */

static bool is_lower_call(const Expr *e)
{
    return e->kind == EX_CALL && !e->u.call.sym && e->u.call.builtin == B_LOWER;
}

/* The text an argument gives, or NULL when it is missing; *lowered when
 * it is `lower(t)` (ASCII A-Z folded as it is compared: no new string). */
static const char *text_arg(Eval *ev, Expr *a, bool *lowered)
{
    *lowered = is_lower_call(a);
    if (*lowered)
        a = a->u.call.args[0];
    if (a->kind == EX_STRING)
        return a->u.str.s;
    Value v = eval_expr(ev, a);
    return v.i < 0 ? NULL : atom_name(ev->c, v.i);
}

static inline char fold(char ch, bool lowered)
{
    return lowered && ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* Whether t (folded if lt) holds p (folded if lp) at byte offset at. */
static bool text_at(const char *t, bool lt, size_t at, const char *p, bool lp, size_t np)
{
    for (size_t i = 0; i < np; i++)
        if (fold(t[at + i], lt) != fold(p[i], lp))
            return false;
    return true;
}

static Value eval_text_predicate(Eval *ev, Expr *e)
{
    bool lt, lp;
    const char *t = text_arg(ev, e->u.call.args[0], &lt);
    const char *p = text_arg(ev, e->u.call.args[1], &lp);
    if (!t || !p)
        return bool_value(false);   /* a missing text holds nothing */
    size_t nt = strlen(t), np = strlen(p);
    if (np > nt)
        return bool_value(false);
    switch ((Builtin)e->u.call.builtin) {
    case B_STARTS_WITH: return bool_value(text_at(t, lt, 0, p, lp, np));
    case B_ENDS_WITH: return bool_value(text_at(t, lt, nt - np, p, lp, np));
    default:
        for (size_t at = 0; at + np <= nt; at++)
            if (text_at(t, lt, at, p, lp, np))
                return bool_value(true);
        return bool_value(false);
    }
}

/* `lower(a) == b`: equal texts after folding; missing equals only missing. */
static bool lowered_equal(Eval *ev, Expr *a, Expr *b)
{
    bool la, lb;
    const char *x = text_arg(ev, a, &la);
    const char *y = text_arg(ev, b, &lb);
    if (!x || !y)
        return !x && !y;
    size_t n = strlen(x);
    return strlen(y) == n && text_at(x, la, 0, y, lb, n);
}

static Value eval_call(Eval *ev, Expr *e)
{
    Expr **args = e->u.call.args;
    if (e->u.call.sym) {
        Value a = eval_expr(ev, args[0]);
        if (a.i < 0)
            return num_value(NAN);
        return num_value(eval_score(ev, call_score(ev->p, e), (uint32_t)a.i));
    }
    switch ((Builtin)e->u.call.builtin) {
    case B_ALIGNMENT: return num_value(eval_alignment(ev, eval_expr(ev, args[0]).i));
    case B_EXPOSURE: return num_value(eval_exposure(ev, eval_expr(ev, args[0]).i,
                                               args[1]->u.name.id));
    case B_NORM: return num_value(norm_value(ev, e, eval_expr(ev, args[0]).num));
    case B_MIN: case B_MAX: {
        if (e->u.call.nargs == 1) {
            if (args[0]->kind == EX_COMPREH)
                return aggregate(ev, args[0], e->u.call.builtin == B_MIN ? AGG_MIN : AGG_MAX);
            return list_aggregate(eval_expr(ev, args[0]),
                                  e->u.call.builtin == B_MIN ? AGG_MIN : AGG_MAX, ev);
        }
        double acc = eval_expr(ev, args[0]).num;
        for (uint32_t i = 1; i < e->u.call.nargs; i++) {
            double v = eval_expr(ev, args[i]).num;
            acc = e->u.call.builtin == B_MIN ? nan_min(acc, v) : nan_max(acc, v);
        }
        return num_value(acc);
    }
    case B_CLAMP: {
        double x = eval_expr(ev, args[0]).num;
        double lo = eval_expr(ev, args[1]).num;
        double hi = eval_expr(ev, args[2]).num;
        return num_value(nan_min(nan_max(x, lo), hi));
    }
    case B_ABS: return num_value(fabs(eval_expr(ev, args[0]).num));
    case B_LOG: return num_value(log(eval_expr(ev, args[0]).num));
    case B_SQRT: return num_value(sqrt(eval_expr(ev, args[0]).num));
    case B_POW: {
        double a = eval_expr(ev, args[0]).num;
        double b = eval_expr(ev, args[1]).num;
        return num_value(pow(a, b));
    }
    case B_DEFINED: {
        Value v = eval_expr(ev, args[0]);
        return bool_value(!value_missing(&v));
    }
    case B_COUNT: case B_SUM: case B_ANY: case B_ALL: {
        Agg agg = e->u.call.builtin == B_COUNT ? AGG_COUNT
                : e->u.call.builtin == B_SUM   ? AGG_SUM
                : e->u.call.builtin == B_ANY   ? AGG_ANY : AGG_ALL;
        if (args[0]->kind == EX_COMPREH)
            return aggregate(ev, args[0], agg);
        Value l = eval_expr(ev, args[0]);
        if (agg == AGG_ANY || agg == AGG_ALL) {
            bool r = agg == AGG_ALL;
            for (uint32_t i = 0; i < l.len; i++)
                r = agg == AGG_ALL ? r && l.elems[i] == 1 : r || l.elems[i] == 1;
            return bool_value(r);
        }
        return list_aggregate(l, agg, ev);
    }
    case B_ROUND: {
        double x = eval_expr(ev, args[0]).num;
        double digits = eval_expr(ev, args[1]).num;
        return num_value(num_round(x, digits));
    }
    case B_FLOOR: return num_value(floor(eval_expr(ev, args[0]).num));
    case B_CEIL: return num_value(ceil(eval_expr(ev, args[0]).num));
    case B_TRUNC: return num_value(trunc(eval_expr(ev, args[0]).num));
    case B_MOD: {
        double a = eval_expr(ev, args[0]).num;
        double b = eval_expr(ev, args[1]).num;
        return num_value(fmod(a, b));
    }
    case B_CONTAINS: case B_STARTS_WITH: case B_ENDS_WITH:
        return eval_text_predicate(ev, e);
    case B_LOWER:   /* only beside the above and == (typecheck.c): the text as is */
        return eval_expr(ev, args[0]);
    case B_TODAY:
        return int_value(T_DATE, ev->p->today);
    case B_FORECAST:   /* the reference the JIT's columns agree with (demand.h) */
        return num_value(demand_forecast(ev->p->demand, eval_expr(ev, args[0]).i,
                                         (uint32_t)eval_expr(ev, args[1]).num));
    case B_DECISION: {
        Value a = eval_expr(ev, args[0]);
        Results *res = ev->res;
        if (a.i < 0 || !res || !res->decided)
            return int_value(T_DECISION, DEC_NONE);
        const Symbol *table = e->u.call.nargs == 2 ? args[1]->u.name.sym : NULL;
        if (table && table->kind == SYM_TABLE && table->index > 0 &&
            (uint32_t)table->index < res->ntables)
            return int_value(T_DECISION, res->decisions[table->index][a.i]);
        return int_value(T_DECISION, res->decision[a.i]);
    }
    case B_ALLOCATED_COST:   /* show-back's allocation, worked out at check time */
        return num_value(showback_full_cost(ev->p, eval_expr(ev, args[0]).i));
    case B_CHARGE:
        return num_value(showback_charge(ev->p, eval_expr(ev, args[0]).i,
                                         eval_expr(ev, args[1]).i));
    case B_COUNT_OF_BUILTINS:
        break;
    }
    return num_value(NAN);
}

static Value eval_binary(Eval *ev, Expr *e)
{
    Op op = e->u.ops.op;
    if (op == OP_AND || op == OP_OR) {
        Value a = eval_expr(ev, e->u.ops.a);
        if (op == OP_AND && a.i != 1)
            return bool_value(false);
        if (op == OP_OR && a.i == 1)
            return bool_value(true);
        Value b = eval_expr(ev, e->u.ops.b);
        return bool_value(b.i == 1);
    }
    if ((op == OP_EQ || op == OP_NE) &&
        (is_lower_call(e->u.ops.a) || is_lower_call(e->u.ops.b)))
        return bool_value(lowered_equal(ev, e->u.ops.a, e->u.ops.b) == (op == OP_EQ));
    Value a = eval_expr(ev, e->u.ops.a);
    Value b = eval_expr(ev, e->u.ops.b);
    switch (op) {
    case OP_ADD: return num_value(a.num + b.num);
    case OP_SUB:
        if (a.kind == T_DATE)
            return num_value(a.i == INT32_MIN || b.i == INT32_MIN ? NAN
                                                                  : (double)a.i - b.i);
        return num_value(a.num - b.num);
    case OP_MUL: return num_value(a.num * b.num);
    case OP_DIV: return num_value(a.num / b.num);
    case OP_LT: case OP_LE: case OP_GT: case OP_GE: {
        double x, y;
        if (a.kind == T_DATE) {
            if (a.i == INT32_MIN || b.i == INT32_MIN)
                return bool_value(false);
            x = a.i;
            y = b.i;
        } else {
            x = a.num;
            y = b.num;
        }
        bool r = op == OP_LT ? x < y : op == OP_LE ? x <= y : op == OP_GT ? x > y : x >= y;
        return bool_value(r);
    }
    case OP_EQ: return bool_value(values_equal(&a, &b));
    case OP_NE: return bool_value(!values_equal(&a, &b));
    case OP_IN:
        for (uint32_t i = 0; i < b.len; i++)
            if (b.nums ? b.nums[i] == a.num : b.elems[i] == a.i)
                return bool_value(true);
        return bool_value(false);
    default:
        return num_value(NAN);
    }
}

/* One const being evaluated, and how far through the consts it names. */
typedef struct ConstFrame {
    Const *k;
    PtrVec refs;             /* Expr*: the names of consts in its body */
    uint32_t next;
} ConstFrame;

/* A const on its first use: the consts it names are evaluated before it,
 * in a loop over an explicit stack, so that a chain of consts as long as a
 * file can hold costs no C stack (each body then finds the consts it names
 * evaluated already).  Consts on a cycle are errors and never get here. */
static void eval_const(Eval *ev, Const *k)
{
    Compilation *c = ev->c;
    ConstFrame *stack = NULL;
    uint32_t depth = 0, cap = 0;
    k->evaluating = true;
    for (Const *push = k; push || depth;) {
        if (push) {
            if (depth == cap) {
                uint32_t ncap = cap ? cap * 2 : 16;
                stack = arena_realloc(&c->arena, stack, sizeof *stack * cap,
                                      sizeof *stack * ncap);
                cap = ncap;
            }
            ConstFrame *f = &stack[depth++];
            memset(f, 0, sizeof *f);
            f->k = push;
            const_refs(c, push->decl->expr, &f->refs);
            push = NULL;
        }
        ConstFrame *top = &stack[depth - 1];
        if (top->next < top->refs.len) {
            Const *dep = name_const(ev->p, top->refs.items[top->next++]);
            if (dep && !dep->evaluated && !dep->evaluating) {
                dep->evaluating = true;
                push = dep;
            }
            continue;
        }
        Const *done = top->k;
        done->value = eval_expr(ev, done->decl->expr).num;
        done->evaluating = false;
        done->evaluated = true;
        depth--;
    }
}

Value eval_expr(Eval *ev, Expr *e)
{
    switch (e->kind) {
    case EX_NUMBER: return num_value(e->u.num.value);
    case EX_STRING: return int_value(T_STRING, string_atom(ev, e));
    case EX_DATE: return int_value(T_DATE, e->u.date);
    case EX_BOOL: return bool_value(e->u.boolean);
    case EX_NONE: {
        Value v = {0};
        v.kind = T_NONE;
        v.num = NAN;
        v.i = -1;
        return v;
    }
    case EX_NAME: {
        /* what the name denotes was recorded once by the checker */
        Compilation *c = ev->c;
        if (e->u.name.binder)   /* bound by `let` */
            return ev->lets[e->u.name.local];
        const Symbol *s = e->u.name.sym;
        if (s && s->kind == SYM_LOCAL) {
            Value v = int_value(T_ENTITY, ev->locals[s->index]);
            v.ekind = ev->local_kinds[s->index];
            return v;
        }
        if (s && s->kind == SYM_APPROVAL_DECISION) {
            Results *res = ev->res;
            if (!res || ev->current < 0 || (uint32_t)s->index >= res->ntables)
                return int_value(T_DECISION, DEC_NONE);
            return int_value(T_DECISION, (s->index ? res->decisions[s->index]
                                                   : res->decision)[ev->current]);
        }
        const Type *t = e->type;
        if (!t)
            return num_value(NAN);
        switch (t->kind) {
        case T_NUMBER: {
            if (s && s->kind == SYM_BUDGET)
                return num_value(ev->p->strategy.budget);
            Const *k = name_const(ev->p, e);
            if (k) {
                if (!k->evaluated && !k->evaluating)
                    eval_const(ev, k);
                return num_value(k->evaluated ? k->value : NAN);
            }
            return num_value(NAN);
        }
        case T_DECISION:
            return int_value(T_DECISION, s && s->kind == SYM_DECISION ? s->index : DEC_NONE);
        case T_ENTITY: {
            Value v = int_value(T_ENTITY, -1);
            if (s && s->kind == SYM_ENTITY) {
                v.i = s->index;
                v.ekind = (EntityKind)s->entity_kind;
            }
            return v;
        }
        case T_SYMBOL:
            if (!e->aux)
                e->aux = atom_id(c, e->u.name.id) + 1;
            return int_value(T_SYMBOL, e->aux - 1);
        default:
            return num_value(NAN);
        }
    }
    case EX_ATTR: {
        Value o = eval_expr(ev, e->u.attr.obj);
        if (e->u.attr.slot < 0)
            return num_value(NAN);
        return read_attr(ev, o.ekind, o.i, e->u.attr.slot);
    }
    case EX_CALL: return eval_call(ev, e);
    case EX_LIST: {
        uint32_t n = e->u.list.n;
        Value v = {0};
        v.kind = T_LIST;
        v.len = n;
        if (e->u.list.npacked) {
            /* number literals, packed by the parser: read in place */
            v.len = e->u.list.npacked;
            v.nums = e->u.list.nums;
            v.elem_kind = T_NUMBER;
            return v;
        }
        const Type *et = e->type && e->type->elem ? e->type->elem : NULL;
        if (et && et->kind == T_NUMBER) {
            double *nums = ARENA_ARRAY(&ev->c->arena, double, n + 1);
            for (uint32_t i = 0; i < n; i++)
                nums[i] = eval_expr(ev, e->u.list.items[i]).num;
            v.nums = nums;
            v.elem_kind = T_NUMBER;
            return v;
        }
        int32_t *elems = ARENA_ARRAY(&ev->c->arena, int32_t, n + 1);
        for (uint32_t i = 0; i < n; i++)
            elems[i] = eval_expr(ev, e->u.list.items[i]).i;
        v.elems = elems;
        if (et)
            v.elem_kind = et->kind;
        return v;
    }
    case EX_UNARY: {
        Value a = eval_expr(ev, e->u.ops.a);
        if (e->u.ops.op == OP_NEG)
            return num_value(-a.num);
        return bool_value(a.i != 1);
    }
    case EX_BINARY: return eval_binary(ev, e);
    case EX_IF: {
        Value cnd = eval_expr(ev, e->u.ops.a);
        return eval_expr(ev, cnd.i == 1 ? e->u.ops.b : e->u.ops.c);
    }
    case EX_QUANT:
        return aggregate(ev, e, e->u.quant.is_all ? AGG_ALL : AGG_ANY);
    case EX_LET: {
        /* the value once, then the body; the slot's previous value put
         * back (a sibling let may use the same slot) */
        int slot = e->u.let.local;
        if (slot < 0)   /* reported by the checker */
            return num_value(NAN);
        Value saved = ev->lets[slot];
        ev->lets[slot] = eval_expr(ev, e->u.let.value);
        Value v = eval_expr(ev, e->u.let.body);
        ev->lets[slot] = saved;
        return v;
    }
    case EX_RANGE:
    case EX_COMPREH:
    case EX_ERROR:
        break;
    }
    return num_value(NAN);
}

/* ---- the score memo (eval.h) ---------------------------------------------- */

typedef struct ScoreMemo {
    uint32_t epoch;          /* the entry counts when it is ev->memo_epoch */
    uint32_t score, row;
    uint32_t nreads;
    double value;
    TraceRead **reads;       /* its distinct reads, when traced */
    bool traced;
} ScoreMemo;

void eval_memo_invalidate(Eval *ev)
{
    ev->memo_live = 0;
    if (++ev->memo_epoch == 0) {   /* wrapped: no old entry may look current */
        for (uint32_t i = 0; i < ev->memo_cap; i++)
            ev->memo[i].epoch = 0;
        ev->memo_epoch = 1;
    }
}

void eval_memo_begin(Eval *ev)
{
    ev->memo_on = true;
    eval_memo_invalidate(ev);
}

void eval_memo_end(Eval *ev)
{
    ev->memo_on = false;
    eval_memo_invalidate(ev);
}

/* The current entry of (score, row), or the free slot where it goes
 * (open addressing; a stale entry is a free slot).  memo_cap is a power of
 * two at least twice memo_live, so the probe ends. */
static ScoreMemo *memo_slot(Eval *ev, uint32_t score, uint32_t row)
{
    uint32_t mask = ev->memo_cap - 1;
    uint64_t h = ((uint64_t)score << 32 | row) * 0x9e3779b97f4a7c15ULL;
    for (uint32_t i = (uint32_t)(h >> 32) & mask;; i = (i + 1) & mask) {
        ScoreMemo *m = &ev->memo[i];
        if (m->epoch != ev->memo_epoch || (m->score == score && m->row == row))
            return m;
    }
}

static void memo_put(Eval *ev, const ScoreMemo *entry)
{
    if (2 * ((uint64_t)ev->memo_live + 1) > ev->memo_cap) {
        if (ev->memo_cap >= (1u << 30)) {
            eval_memo_invalidate(ev);   /* a billion entries: start over */
        } else {
            ScoreMemo *old = ev->memo;
            uint32_t old_cap = ev->memo_cap;
            ev->memo_cap = old_cap ? old_cap * 2 : 64;
            ev->memo = ARENA_ARRAY(&ev->c->arena, ScoreMemo, ev->memo_cap);
            ev->memo_live = 0;
            for (uint32_t i = 0; i < old_cap; i++)
                if (old[i].epoch == ev->memo_epoch) {
                    *memo_slot(ev, old[i].score, old[i].row) = old[i];
                    ev->memo_live++;
                }
        }
    }
    ScoreMemo *m = memo_slot(ev, entry->score, entry->row);
    if (m->epoch != ev->memo_epoch)
        ev->memo_live++;
    *m = *entry;
    m->epoch = ev->memo_epoch;
}

/* Keeps the first of each read (kind, row, slot) in trace[from..]: what a
 * score read, each once, in the order it was first read. */
static void trace_compact(Eval *ev, uint32_t from)
{
    uint32_t n = ev->trace.len - from;
    if (n < 2)
        return;
    uint32_t cap = 4;
    while (cap < 2 * n)
        cap *= 2;
    TraceRead **seen = ARENA_ARRAY(&ev->c->arena, TraceRead *, cap);
    uint32_t kept = from;
    for (uint32_t i = from; i < ev->trace.len; i++) {
        TraceRead *t = ev->trace.items[i];
        uint64_t h = (((uint64_t)t->kind << 32 | t->row) * 31 + (uint32_t)t->slot) *
                     0x9e3779b97f4a7c15ULL;
        uint32_t j = (uint32_t)(h >> 32) & (cap - 1);
        bool dup = false;
        for (; seen[j]; j = (j + 1) & (cap - 1))
            if (seen[j]->kind == t->kind && seen[j]->row == t->row &&
                seen[j]->slot == t->slot) {
                dup = true;
                break;
            }
        if (dup)
            continue;
        seen[j] = t;
        ev->trace.items[kept++] = t;
    }
    ev->trace.len = kept;
}

static double score_compute(Eval *ev, Score *s, uint32_t row)
{
    int32_t saved = ev->locals[0];
    EntityKind saved_kind = ev->local_kinds[0];
    ev->locals[0] = (int32_t)row;
    ev->local_kinds[0] = EK_SERVICE;
    double v = eval_expr(ev, s->decl->expr).num;
    ev->locals[0] = saved;
    ev->local_kinds[0] = saved_kind;
    return v;
}

static double score_memoised(Eval *ev, Score *s, uint32_t row)
{
    if (ev->memo_cap) {
        ScoreMemo *m = memo_slot(ev, s->index, row);
        if (m->epoch == ev->memo_epoch && (m->traced || !ev->tracing)) {
            for (uint32_t i = 0; ev->tracing && i < m->nreads; i++)
                ptrvec_push(&ev->c->arena, &ev->trace, m->reads[i]);
            return m->value;
        }
    }
    uint32_t from = ev->trace.len;
    ScoreMemo entry = {0};
    entry.score = s->index;
    entry.row = row;
    entry.value = score_compute(ev, s, row);
    if (ev->tracing) {
        trace_compact(ev, from);
        entry.traced = true;
        entry.nreads = ev->trace.len - from;
        entry.reads = ARENA_ARRAY(&ev->c->arena, TraceRead *, entry.nreads + 1);
        if (entry.nreads)   /* trace.items is NULL while nothing was read */
            memcpy(entry.reads, ev->trace.items + from, sizeof(TraceRead *) * entry.nreads);
    }
    memo_put(ev, &entry);
    return entry.value;
}

double eval_score(Eval *ev, Score *s, uint32_t row)
{
    Results *res = ev->res;
    /* within the pipeline scores run in dependency order, so a score
     * called by another is already in its column */
    if (res && res->score_ready && res->score_ready[s->index] && !ev->tracing)
        return res->scores[(size_t)s->index * res->nservices + row];
    if (ev->memo_on)
        return score_memoised(ev, s, row);
    /* a score evaluated on its own, outside the columns (a NaN report, a
     * norm() range the JIT fixes before the columns exist): the scores it
     * calls are memoised for as long as it runs, since nothing changes
     * meanwhile; itself is not, so the common case, a score whose callees
     * are in their columns, costs an increment (the next session starts by
     * invalidating what this one left) */
    ev->memo_on = true;
    eval_memo_invalidate(ev);
    double v = score_compute(ev, s, row);
    ev->memo_on = false;
    return v;
}

const char *result_because(const Program *p, const Results *res, uint32_t t, uint32_t row)
{
    if (t >= res->ntables || t >= p->tables.len)
        return NULL;
    return result_because_of(res, t, row,
                             table_arm_at(program_table(p, t), (t ? res->arms[t] : res->arm)[row]));
}

/* ---- values as text ----------------------------------------------------------- */

const char *value_text(Compilation *c, const Value *v)
{
    char buf[48];
    switch (v->kind) {
    case T_NUMBER:
        return arena_strndup(&c->arena, format_double(buf, sizeof buf, v->num),
                             strlen(format_double(buf, sizeof buf, v->num)));
    case T_BOOL: return v->i == 1 ? "true" : v->i == 0 ? "false" : "none";
    case T_DATE: {
        if (v->i == INT32_MIN)
            return "none";
        int y;
        unsigned m, d;
        civil_from_days(v->i, &y, &m, &d);
        return arena_printf(&c->arena, "%04d-%02u-%02u", y, m, d);
    }
    case T_STRING: {
        Name n = atom_name(c, v->i);
        if (!n)
            return "none";
        /* as a string literal, escapes and all */
        size_t len = strlen(n);
        char *out = arena_alloc(&c->arena, 2 * len + 3);
        size_t k = 0;
        out[k++] = '"';
        for (const char *p = n; *p; p++) {
            char e = *p == '\n' ? 'n' : *p == '\t' ? 't' : *p == '\r' ? 'r'
                   : *p == '"' || *p == '\\' ? *p : 0;
            if (e) {
                out[k++] = '\\';
                out[k++] = e;
            } else {
                out[k++] = *p;
            }
        }
        out[k++] = '"';
        out[k] = '\0';
        return out;
    }
    case T_SYMBOL: {
        Name n = atom_name(c, v->i);
        return n ? n : "none";
    }
    case T_ENTITY:
        return v->i >= 0 ? entity_label(c, v->ekind, v->i) : "none";
    case T_DECISION:
        return outcome_name(c->program, v->i);
    case T_LIST: {
        const char *out = "[";
        for (uint32_t i = 0; v->nums && i < v->len; i++)
            out = arena_printf(&c->arena, "%s%s%s", out, i ? ", " : "",
                               format_double(buf, sizeof buf, v->nums[i]));
        for (uint32_t i = 0; !v->nums && i < v->len; i++) {
            Value e = {0};
            e.kind = v->elem_kind;
            e.i = v->elems[i];
            e.ekind = v->ekind;
            out = arena_printf(&c->arena, "%s%s%s", out, i ? ", " : "", value_text(c, &e));
        }
        return arena_printf(&c->arena, "%s]", out);
    }
    default:
        return "none";
    }
}
