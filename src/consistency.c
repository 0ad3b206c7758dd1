/*
 * consistency.c — the portfolio-wide checks of DESIGN.md §1.
 *
 * Takes the checked Program (program.h) once every attribute, default and
 * reference is in place, and reports what no single declaration shows on
 * its own:
 *
 *   objectives (S06xx)  measurable, time-bound inside the horizon, owned,
 *                       target away from baseline, top-level weights sum
 *                       to 1, parent cycles;
 *   services (S07xx)    dependency cycles, live services depending on
 *                       retired ones, value streams using retired
 *                       services, unserved objectives, business services
 *                       in no value stream, orphans, offerings bundling
 *                       services that are not live, possible duplicates;
 *   risk, money (S08xx) exposure above appetite, categories without an
 *                       appetite, total cost above budget, run share
 *                       above run_max.
 *
 * Every finding is reported at the offending entity with notes at the
 * related places.  Everything iterates in row order, so the output is the
 * same on every run; everything is O(n) or O(n log n) in the number of
 * services (a CSV load may bring a million), and walks graphs with
 * explicit stacks, never recursion.  Scratch arrays come from the arena.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "consistency.h"
#include "dates.h"
#include "diag.h"
#include "intern.h"
#include "numeric.h"
#include "source.h"

/* Long lists (a cycle through a million services) are cut in messages and
 * notes: this many hops are shown. */
enum { SHOW_HOPS = 10, SHOW_NOTES = 24, SHOW_COSTLIEST = 3 };

typedef struct Ctx {
    Compilation *c;
    Program *p;
    KindTable *svc, *obj, *vs, *off;
    uint32_t nsvc;
    /* service slots */
    int s_status, s_kind, s_invest, s_supports, s_depends, s_customers,
        s_capability, s_cost;
    /* objective slots */
    int o_metric, o_baseline, o_target, o_due, o_weight, o_owner, o_parent;
    int32_t a_retired, a_pipeline, a_business, a_run;
    /* per-service flags */
    uint8_t *flags;
} Ctx;

enum {
    F_IN_STAGE = 1,        /* some value-stream stage lists it */
    F_LIVE_DEPENDENT = 2,  /* another live service depends on it */
    F_BUNDLED = 4          /* some offering bundles it */
};

/* ---- small helpers -------------------------------------------------------- */

static bool svc_retired(const Ctx *x, uint32_t row)
{
    return col_i32(x->svc, x->s_status, row) == x->a_retired;
}

static bool valid_row(const KindTable *t, int32_t r)
{
    return r >= 0 && (uint32_t)r < t->count;
}

/* True when the row's attribute was written in its declaration but holds
 * no value: the value was wrong and has been reported already (an explicit
 * `none` does not count). */
static bool attr_failed(const KindTable *t, int slot, uint32_t row)
{
    if (slot < 0 || !t->cols[slot].locs || !t->cols[slot].locs[row].file)
        return false;
    Decl *d = t->decls[row];
    if (!d)
        return false;
    Name name = t->attrs[slot].name;
    for (Item *it = d->items; it; it = it->next)
        if (it->kind == ITEM_ATTR && it->name == name)
            return it->value && it->value->kind != EX_NONE;
    return false;
}

/* Where the strategy sets `name`, the value's location. */
static bool strategy_value_loc(const Ctx *x, Name name, Loc *out)
{
    Decl *d = x->p->strategy.decl;
    if (!d)
        return false;
    for (Item *it = d->items; it; it = it->next)
        if (it->kind == ITEM_ATTR && it->name == name && it->value) {
            *out = it->value->loc;
            return true;
        }
    return false;
}

static const char *fmt_date(Compilation *c, int32_t days)
{
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    return arena_printf(&c->arena, "%04d-%02u-%02u", y, m, d);
}

/* The shortest %g text without an exponent (up to max_digits significant
 * digits) that reads back as v within a relative 1e-12. */
static void fmt_short(char *buf, size_t n, double v, int max_digits)
{
    for (int p = 1; p <= max_digits; p++) {
        snprintf(buf, n, "%.*g", p, v);
        if (strchr(buf, 'e'))
            continue;   /* 1e+01: write 10 */
        double back = strtod(buf, NULL);
        if (back == v || fabs(back - v) <= 1e-12 * fabs(v))
            return;
    }
    snprintf(buf, n, "%.*g", max_digits, v);
}

static const char *fmt_num(Compilation *c, double v)
{
    char buf[64];
    fmt_short(buf, sizeof buf, v, 15);
    return arena_strndup(&c->arena, buf, strlen(buf));
}

/* An amount of money as the language writes it (420k, 4.2M), with the
 * strategy's currency when it has one. */
static const char *fmt_money(const Ctx *x, double v)
{
    char buf[96];
    num_money(buf, sizeof buf, v, x->p->strategy.currency);
    return arena_strndup(&x->c->arena, buf, strlen(buf));
}

static const char *fmt_pct(Compilation *c, double share)
{
    char buf[64];
    fmt_short(buf, sizeof buf, share * 100, 3);
    return arena_printf(&c->arena, "%s%%", buf);
}

/* A growable string in the arena. */
typedef struct Buf {
    char *s;
    size_t len, cap;
} Buf;

static void buf_add(Compilation *c, Buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 128;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        b->s = arena_realloc(&c->arena, b->s, b->cap, ncap);
        b->cap = ncap;
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

/* "a -> b -> c -> a" for the cycle rows[0..n), cut in the middle when
 * long. */
static const char *cycle_text(Compilation *c, const KindTable *t,
                              const uint32_t *rows, uint32_t n)
{
    Buf b = {0};
    buf_add(c, &b, "");
    for (uint32_t i = 0; i < n; i++) {
        if (n > SHOW_HOPS && i == SHOW_HOPS - 2) {
            buf_add(c, &b, "... -> ");
            i = n - 1;
        }
        buf_add(c, &b, t->names[rows[i]]);
        buf_add(c, &b, " -> ");
    }
    buf_add(c, &b, t->names[rows[0]]);
    return b.s;
}

/* ---- objectives (S06xx) ----------------------------------------------------- */

static void check_objective_fields(Ctx *x)
{
    Compilation *c = x->c;
    KindTable *t = x->obj;
    const Strategy *st = &x->p->strategy;
    Loc horizon_loc = {0, 0, 0};
    bool have_horizon = st->horizon_start != INT32_MIN &&
                        strategy_value_loc(x, c->n.horizon, &horizon_loc);
    for (uint32_t r = 0; r < t->count; r++) {
        Name name = t->names[r];
        /* measurable */
        int32_t metric = col_i32(t, x->o_metric, r);
        Name mtext = atom_name(c, metric);
        bool no_metric = mtext ? !*mtext : !attr_failed(t, x->o_metric, r);
        bool no_target = isnan(col_num(t, x->o_target, r)) &&
                         !attr_failed(t, x->o_target, r);
        if (no_metric || no_target)
            diag_at(c, D_OBJ_MEASURABLE, row_loc(t, r),
                    "objective `%s` is not measurable: it has no %s", name,
                    no_metric && no_target ? "metric and no target"
                    : no_metric            ? "metric"
                                           : "target");
        /* time-bound */
        int32_t due = col_i32(t, x->o_due, r);
        if (due == INT32_MIN) {
            if (!attr_failed(t, x->o_due, r))
                diag_at(c, D_OBJ_TIMEBOUND, row_loc(t, r),
                        "objective `%s` has no due date", name);
        } else if (have_horizon &&
                   (due < st->horizon_start || due > st->horizon_end)) {
            bool late = due > st->horizon_end;
            Diag *d = diag_at(c, D_OBJ_TIMEBOUND, attr_loc(t, x->o_due, r),
                              "objective `%s` is due on %s, %s the strategy horizon %s "
                              "on %s",
                              name, fmt_date(c, due), late ? "after" : "before",
                              late ? "ends" : "starts",
                              fmt_date(c, late ? st->horizon_end : st->horizon_start));
            diag_note(c, d, horizon_loc, "the horizon is %s .. %s",
                      fmt_date(c, st->horizon_start), fmt_date(c, st->horizon_end));
        }
        /* owned */
        if (col_i32(t, x->o_owner, r) < 0 && !attr_failed(t, x->o_owner, r))
            diag_at(c, D_OBJ_OWNER, row_loc(t, r), "objective `%s` has no owner", name);
        /* direction */
        double base = col_num(t, x->o_baseline, r), target = col_num(t, x->o_target, r);
        if (!isnan(base) && !isnan(target) && base == target) {
            Diag *d = diag_at(c, D_OBJ_DIRECTION, attr_loc(t, x->o_target, r),
                              "the target of `%s` equals its baseline (%s)", name,
                              fmt_num(c, target));
            diag_note(c, d, attr_loc(t, x->o_baseline, r), "the baseline is set here");
        }
    }
}

static void check_objective_weights(Ctx *x)
{
    Compilation *c = x->c;
    KindTable *t = x->obj;
    double sum = 0;
    uint32_t ntop = 0;
    int32_t first = -1;
    for (uint32_t r = 0; r < t->count; r++) {
        if (col_i32(t, x->o_parent, r) >= 0 || attr_failed(t, x->o_parent, r))
            continue;
        double w = col_num(t, x->o_weight, r);
        if (!isnan(w))
            sum += w;
        if (first < 0)
            first = (int32_t)r;
        ntop++;
    }
    if (first < 0 || fabs(sum - 1) <= 1e-9)
        return;
    char text[64];
    fmt_short(text, sizeof text, sum, 6);
    if (strcmp(text, "1") == 0)   /* off by more than 1e-9 but prints as 1 */
        snprintf(text, sizeof text, "%.15g", sum);
    Diag *d = diag_at(c, D_OBJ_WEIGHTS, row_loc(t, first),
                      "the weights of the %u top-level objective%s sum to %s, not 1",
                      ntop, ntop == 1 ? "" : "s", text);
    uint32_t shown = 0;
    for (uint32_t r = 0; r < t->count; r++) {
        if (col_i32(t, x->o_parent, r) >= 0 || attr_failed(t, x->o_parent, r))
            continue;
        if (shown == SHOW_NOTES) {
            diag_note(c, d, row_loc(t, r), "... and %u more top-level objectives",
                      ntop - shown);
            break;
        }
        shown++;
        double w = col_num(t, x->o_weight, r);
        if (isnan(w))
            diag_note(c, d, row_loc(t, r), "`%s` has no weight", t->names[r]);
        else
            diag_note(c, d, attr_loc(t, x->o_weight, r), "`%s` has weight %s",
                      t->names[r], fmt_num(c, w));
    }
}

/* Each objective has at most one parent, so every walk up the parents
 * either ends or runs into a cycle; marking each walk with its own id finds
 * every cycle once, in O(n). */
static void check_objective_cycles(Ctx *x)
{
    Compilation *c = x->c;
    KindTable *t = x->obj;
    uint32_t n = t->count;
    if (!n || x->o_parent < 0)
        return;
    uint32_t *walk = ARENA_ARRAY(&c->arena, uint32_t, n);
    uint32_t *cyc = ARENA_ARRAY(&c->arena, uint32_t, n);
    for (uint32_t r = 0; r < n; r++) {
        if (walk[r])
            continue;
        uint32_t id = r + 1;
        int32_t v = (int32_t)r;
        while (valid_row(t, v) && !walk[v]) {
            walk[v] = id;
            v = col_i32(t, x->o_parent, (uint32_t)v);
        }
        if (!valid_row(t, v) || walk[v] != id)
            continue;
        /* v is on a new cycle: start it at its first declared objective */
        uint32_t len = 0, start = (uint32_t)v, u = (uint32_t)v;
        do {
            if (u < start)
                start = u;
            u = (uint32_t)col_i32(t, x->o_parent, u);
        } while (u != (uint32_t)v);
        u = start;
        do {
            cyc[len++] = u;
            u = (uint32_t)col_i32(t, x->o_parent, u);
        } while (u != start);
        Diag *d = diag_at(c, D_OBJ_PARENT_CYCLE, row_loc(t, start),
                          "objective parent cycle: %s", cycle_text(c, t, cyc, len));
        for (uint32_t i = 0; i < len; i++) {
            uint32_t from = cyc[i], to = cyc[(i + 1) % len];
            if (len > SHOW_NOTES && i == SHOW_NOTES - 1) {
                diag_note(c, d, attr_loc(t, x->o_parent, cyc[len - 1]),
                          "`%s` has parent `%s`, closing the cycle (%u hops not shown)",
                          t->names[cyc[len - 1]], t->names[start], len - SHOW_NOTES);
                break;
            }
            diag_note(c, d, attr_loc(t, x->o_parent, from), "`%s` has parent `%s`",
                      t->names[from], t->names[to]);
        }
    }
}

/* ---- dependency cycles (S0701) ----------------------------------------------- */

static ListSpan deps_of(const Ctx *x, uint32_t row, const int32_t **elems)
{
    return col_list(x->svc, x->s_depends, row, elems);
}

static void report_dep_cycle(Ctx *x, const uint32_t *cyc, uint32_t len)
{
    Compilation *c = x->c;
    KindTable *t = x->svc;
    Diag *d = diag_at(c, D_DEP_CYCLE, row_loc(t, cyc[0]), "dependency cycle%s: %s",
                      len > SHOW_HOPS ? arena_printf(&c->arena, " of %u services", len)
                                      : "",
                      cycle_text(c, t, cyc, len));
    for (uint32_t i = 0; i < len; i++) {
        uint32_t from = cyc[i], to = cyc[(i + 1) % len];
        if (len > SHOW_NOTES && i == SHOW_NOTES - 1) {
            diag_note(c, d, attr_loc(t, x->s_depends, cyc[len - 1]),
                      "`%s` depends on `%s`, closing the cycle (%u hops not shown)",
                      t->names[cyc[len - 1]], t->names[cyc[0]], len - SHOW_NOTES);
            break;
        }
        diag_note(c, d, attr_loc(t, x->s_depends, from),
                  from == to ? "`%s` depends on itself" : "`%s` depends on `%s`",
                  t->names[from], t->names[to]);
    }
}

typedef struct Frame {
    uint32_t node, pos;
} Frame;

/* Tarjan's strongly connected components with an explicit stack, then for
 * each component of two or more services the shortest cycle through its
 * first declared service (breadth first, edges in list order).  So a knot
 * of services is reported once, at its first service, with one concrete
 * cycle; a service depending on itself is reported on its own.  O(n + e). */
static void check_dep_cycles(Ctx *x)
{
    Compilation *c = x->c;
    KindTable *t = x->svc;
    uint32_t n = x->nsvc;
    if (!n || x->s_depends < 0)
        return;
    /* an inventory loaded from CSV often has no dependencies at all */
    const ListSpan *dep_spans = t->cols[x->s_depends].list;
    if (!dep_spans)
        return;   /* no service has any */
    uint32_t first_dep = 0;
    while (first_dep < n && dep_spans[first_dep].len == 0)
        first_dep++;
    if (first_dep == n)
        return;
    uint32_t *idx = ARENA_ARRAY(&c->arena, uint32_t, n);     /* 0: unvisited */
    uint32_t *low = ARENA_ARRAY(&c->arena, uint32_t, n);
    int32_t *comp = ARENA_ARRAY(&c->arena, int32_t, n);
    uint32_t *stack = ARENA_ARRAY(&c->arena, uint32_t, n);
    Frame *frames = ARENA_ARRAY(&c->arena, Frame, n);
    /* first (smallest) row of each component, and its size; at most n */
    uint32_t *comp_first = NULL, *comp_id = NULL;
    uint32_t ncomp = 0, nbig = 0;
    for (uint32_t r = 0; r < n; r++)
        comp[r] = -1;
    uint32_t counter = 0, sp = 0;
    for (uint32_t root = 0; root < n; root++) {
        if (idx[root])
            continue;
        uint32_t fp = 0;
        idx[root] = low[root] = ++counter;
        stack[sp++] = root;
        frames[fp++] = (Frame){root, 0};
        while (fp) {
            Frame *f = &frames[fp - 1];
            uint32_t u = f->node;
            const int32_t *deps;
            ListSpan s = deps_of(x, u, &deps);
            if (f->pos < s.len) {
                int32_t v = deps[f->pos++];
                if (!valid_row(t, v))
                    continue;
                if (!idx[v]) {
                    idx[v] = low[v] = ++counter;
                    stack[sp++] = (uint32_t)v;
                    frames[fp++] = (Frame){(uint32_t)v, 0};
                } else if (comp[v] < 0 && idx[v] < low[u]) {
                    low[u] = idx[v];   /* v is on the stack */
                }
                continue;
            }
            fp--;
            if (fp && low[u] < low[frames[fp - 1].node])
                low[frames[fp - 1].node] = low[u];
            if (low[u] != idx[u])
                continue;
            /* u roots a component: pop it */
            uint32_t first = u, size = 0, w;
            do {
                w = stack[--sp];
                comp[w] = (int32_t)ncomp;
                if (w < first)
                    first = w;
                size++;
            } while (w != u);
            if (size > 1) {
                if (!comp_first) {
                    comp_first = ARENA_ARRAY(&c->arena, uint32_t, n / 2 + 1);
                    comp_id = ARENA_ARRAY(&c->arena, uint32_t, n / 2 + 1);
                }
                comp_first[nbig] = first;
                comp_id[nbig++] = (uint32_t)ncomp;
            }
            ncomp++;
        }
    }
    /* self-dependencies */
    for (uint32_t r = 0; r < n; r++) {
        const int32_t *deps;
        ListSpan s = deps_of(x, r, &deps);
        for (uint32_t i = 0; i < s.len; i++)
            if (deps[i] == (int32_t)r) {
                report_dep_cycle(x, &r, 1);
                break;
            }
    }
    if (!nbig)
        return;
    /* shortest cycle through each big component's first service: BFS with
     * parent links; idx and low are free again (parent, queue) */
    uint32_t *parent = idx, *queue = low, *cyc = stack;
    const uint32_t NOPARENT = UINT32_MAX;
    for (uint32_t r = 0; r < n; r++)
        parent[r] = NOPARENT;
    for (uint32_t k = 0; k < nbig; k++) {
        uint32_t m = comp_first[k];
        int32_t cid = (int32_t)comp_id[k];
        uint32_t head = 0, tail = 0;
        int64_t closing = -1;
        queue[tail++] = m;
        parent[m] = m;
        while (head < tail && closing < 0) {
            uint32_t u = queue[head++];
            const int32_t *deps;
            ListSpan s = deps_of(x, u, &deps);
            for (uint32_t i = 0; i < s.len; i++) {
                int32_t v = deps[i];
                if (!valid_row(t, v) || comp[v] != cid)
                    continue;
                if ((uint32_t)v == m) {
                    if (u == m)
                        continue;   /* the self-dependency, reported above */
                    closing = u;
                    break;
                }
                if (parent[v] == NOPARENT) {
                    parent[v] = u;
                    queue[tail++] = (uint32_t)v;
                }
            }
        }
        if (closing < 0)
            continue;   /* cannot happen in a strongly connected component */
        uint32_t len = 0;
        for (uint32_t u = (uint32_t)closing; u != m; u = parent[u])
            cyc[len++] = u;
        cyc[len++] = m;
        for (uint32_t i = 0; i < len / 2; i++) {   /* m first */
            uint32_t tmp = cyc[i];
            cyc[i] = cyc[len - 1 - i];
            cyc[len - 1 - i] = tmp;
        }
        report_dep_cycle(x, cyc, len);
    }
}

/* ---- services (S07xx) ---------------------------------------------------------- */

static void check_retired_deps(Ctx *x)
{
    Compilation *c = x->c;
    KindTable *t = x->svc;
    for (uint32_t r = 0; r < x->nsvc; r++) {
        const int32_t *deps;
        ListSpan s = deps_of(x, r, &deps);
        bool live = !svc_retired(x, r);
        for (uint32_t i = 0; i < s.len; i++) {
            int32_t v = deps[i];
            if (!valid_row(t, v) || (uint32_t)v == r)
                continue;
            if (live)
                x->flags[v] |= F_LIVE_DEPENDENT;
            if (live && svc_retired(x, (uint32_t)v)) {
                Diag *d = diag_at(c, D_DEP_RETIRED, attr_loc(t, x->s_depends, r),
                                  "`%s` depends on `%s`, which is retired", t->names[r],
                                  t->names[v]);
                diag_note(c, d, attr_loc(t, x->s_status, (uint32_t)v),
                          "`%s` is retired here", t->names[v]);
            }
        }
    }
}

static void check_value_streams(Ctx *x)
{
    Compilation *c = x->c;
    Program *p = x->p;
    KindTable *t = x->svc;
    for (uint32_t i = 0; i < p->nstages; i++) {
        Stage *st = &p->stages[i];
        for (uint32_t j = 0; j < st->nservices; j++) {
            int32_t v = st->services[j];
            if (!valid_row(t, v))
                continue;
            x->flags[v] |= F_IN_STAGE;
            if (svc_retired(x, (uint32_t)v)) {
                Diag *d = diag_at(c, D_VS_RETIRED, st->service_locs[j],
                                  "stage `%s` of value stream `%s` uses `%s`, which is "
                                  "retired",
                                  st->activity, entity_label(c, EK_VALUE_STREAM,
                                                             (int32_t)st->stream),
                                  t->names[v]);
                diag_note(c, d, attr_loc(t, x->s_status, (uint32_t)v),
                          "`%s` is retired here", t->names[v]);
            }
        }
    }
    /* objectives no value stream delivers; delivering a sub-objective
     * serves its parents too */
    KindTable *ot = x->obj;
    if (!ot->count)
        return;
    uint8_t *served = ARENA_ARRAY(&c->arena, uint8_t, ot->count);
    int vs_delivers = attr_slot(x->vs, c->n.delivers);
    for (uint32_t s = 0; s < x->vs->count; s++) {
        int32_t o = col_i32(x->vs, vs_delivers, s);
        while (valid_row(ot, o) && !served[o]) {
            served[o] = 1;
            o = col_i32(ot, x->o_parent, (uint32_t)o);
        }
    }
    for (uint32_t o = 0; o < ot->count; o++)
        if (!served[o])
            diag_at(c, D_UNSERVED, row_loc(ot, o), "no value stream delivers objective `%s`",
                    ot->names[o]);
}

static void check_offerings(Ctx *x)
{
    Compilation *c = x->c;
    KindTable *ot = x->off, *t = x->svc;
    int slot = attr_slot(ot, c->n.services);
    for (uint32_t r = 0; r < ot->count; r++) {
        const int32_t *el;
        ListSpan s = col_list(ot, slot, r, &el);
        for (uint32_t i = 0; i < s.len; i++) {
            int32_t v = el[i];
            if (!valid_row(t, v))
                continue;
            x->flags[v] |= F_BUNDLED;
            int32_t status = col_i32(t, x->s_status, (uint32_t)v);
            if (status != x->a_retired && status != x->a_pipeline)
                continue;
            bool retired = status == x->a_retired;
            Diag *d = diag_at(c, D_OFFER_SERVICE, attr_loc(ot, slot, r),
                              "offering `%s` bundles `%s`, which is %s", ot->names[r],
                              t->names[v], retired ? "retired" : "still in the pipeline");
            diag_note(c, d, attr_loc(t, x->s_status, (uint32_t)v), "`%s` is %s here",
                      t->names[v], retired ? "retired" : "in the pipeline");
        }
    }
}

/* Business services in no value stream, and orphans. */
static void check_unused(Ctx *x)
{
    Compilation *c = x->c;
    KindTable *t = x->svc;
    for (uint32_t r = 0; r < x->nsvc; r++) {
        if (svc_retired(x, r))
            continue;
        if (col_i32(t, x->s_kind, r) == x->a_business && !(x->flags[r] & F_IN_STAGE))
            diag_at(c, D_UNUSED_SERVICE, row_loc(t, r),
                    "business service `%s` takes part in no value stream", t->names[r]);
        const int32_t *el;
        if (col_list(t, x->s_supports, r, &el).len || col_list(t, x->s_customers, r, &el).len ||
            (x->flags[r] & (F_LIVE_DEPENDENT | F_BUNDLED)))
            continue;
        /* a list whose names did not resolve is reported already */
        if (attr_failed(t, x->s_supports, r) || attr_failed(t, x->s_customers, r))
            continue;
        diag_at(c, D_ORPHAN, row_loc(t, r),
                "service `%s` supports no objective, has no customer, and no live service "
                "or offering needs it: nobody can explain why it exists",
                t->names[r]);
    }
}

/* ---- duplicates (S0709) ---------------------------------------------------------- */

typedef struct KeyRow {
    uint64_t key;
    uint32_t row;
} KeyRow;

static int keyrow_cmp(const void *pa, const void *pb)
{
    const KeyRow *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

static uint64_t mix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Order-independent hash of a list of rows. */
static uint64_t set_hash(const int32_t *el, uint32_t n, uint64_t salt)
{
    uint64_t h = mix64(n ^ salt);
    for (uint32_t i = 0; i < n; i++)
        h += mix64((uint64_t)(uint32_t)el[i] ^ salt);
    return h;
}

static int i32_cmp(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return a < b ? -1 : a > b;
}

static bool same_set(const int32_t *a, const int32_t *b, uint32_t n,
                     int32_t *sa, int32_t *sb)
{
    memcpy(sa, a, sizeof *a * n);
    memcpy(sb, b, sizeof *b * n);
    qsort(sa, n, sizeof *sa, i32_cmp);
    qsort(sb, n, sizeof *sb, i32_cmp);
    return memcmp(sa, sb, sizeof *sa * n) == 0;
}

static bool same_sets(const Ctx *x, uint32_t r1, uint32_t r2, int32_t *sa, int32_t *sb)
{
    int slots[2] = {x->s_supports, x->s_customers};
    for (int k = 0; k < 2; k++) {
        const int32_t *a, *b;
        ListSpan la = col_list(x->svc, slots[k], r1, &a);
        ListSpan lb = col_list(x->svc, slots[k], r2, &b);
        if (la.len != lb.len || !same_set(a, b, la.len, sa, sb))
            return false;
    }
    return true;
}

static Name nonempty_capability(const Ctx *x, uint32_t r)
{
    Name cap = atom_name(x->c, col_i32(x->svc, x->s_capability, r));
    return cap && *cap ? cap : NULL;
}

/* A title reduced to what tells services apart: lower-case letters and
 * digits, one space between words. */
static char *normal_title(Compilation *c, const char *t)
{
    size_t n = strlen(t);
    char *out = arena_alloc(&c->arena, n + 1);
    size_t k = 0;
    bool gap = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)t[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch >= 0x80) {
            if (gap && k)
                out[k++] = ' ';
            out[k++] = (char)ch;
            gap = false;
        } else if (ch >= 'A' && ch <= 'Z') {
            if (gap && k)
                out[k++] = ' ';
            out[k++] = (char)(ch - 'A' + 'a');
            gap = false;
        } else {
            gap = true;
        }
    }
    out[k] = 0;
    return out;
}

/* Near-identical titles: equal once normalised, or (both at least 8
 * characters) within an edit distance of one in ten characters with the
 * same digits, so "Customer Portal" ~ "Customer Portl" but "App 1" and
 * "App 2", or "Payroll" and "Payroll EMEA", are not alike. */
static bool titles_alike(const char *a, const char *b)
{
    if (!*a || !*b)
        return false;
    if (strcmp(a, b) == 0)
        return true;
    size_t la = strlen(a), lb = strlen(b);
    size_t longer = la > lb ? la : lb;
    if (la < 8 || lb < 8 || longer > 200)
        return false;
    size_t allowed = longer / 10;
    if ((la > lb ? la - lb : lb - la) > allowed)
        return false;
    /* the digits, in order, must be the same */
    const char *p = a, *q = b;
    for (;;) {
        while (*p && (*p < '0' || *p > '9'))
            p++;
        while (*q && (*q < '0' || *q > '9'))
            q++;
        if (*p != *q)
            return false;
        if (!*p)
            break;
        p++, q++;
    }
    /* Levenshtein over two rows */
    size_t prev[201], cur[201];
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        size_t best = cur[0];
        for (size_t j = 1; j <= lb; j++) {
            size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            if (cur[j] < best)
                best = cur[j];
        }
        if (best > allowed)
            return false;
        memcpy(prev, cur, sizeof(size_t) * (lb + 1));
    }
    return prev[lb] <= allowed;
}

/* One live service with both supports and customers, among those whose
 * two sets are equal (one `cls` per distinct pair of sets). */
typedef struct DupRow {
    uint32_t cls, row;
    int32_t cap;              /* capability atom, -1 when empty */
    const char *title;        /* normalised */
    const char *eltit;        /* the same, reversed */
} DupRow;

static int duprow_by_cap(const void *pa, const void *pb)
{
    const DupRow *a = pa, *b = pb;
    if (a->cls != b->cls)
        return a->cls < b->cls ? -1 : 1;
    if (a->cap != b->cap)
        return a->cap < b->cap ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

static int duprow_by_title(const void *pa, const void *pb)
{
    const DupRow *a = pa, *b = pb;
    if (a->cls != b->cls)
        return a->cls < b->cls ? -1 : 1;
    int r = strcmp(a->title, b->title);
    if (r)
        return r;
    return a->row < b->row ? -1 : a->row > b->row;
}

static int duprow_by_eltit(const void *pa, const void *pb)
{
    const DupRow *a = pa, *b = pb;
    if (a->cls != b->cls)
        return a->cls < b->cls ? -1 : 1;
    int r = strcmp(a->eltit, b->eltit);
    if (r)
        return r;
    return a->row < b->row ? -1 : a->row > b->row;
}

static const char *reversed(Compilation *c, const char *s)
{
    size_t n = strlen(s);
    char *out = arena_alloc(&c->arena, n + 1);
    for (size_t i = 0; i < n; i++)
        out[i] = s[n - 1 - i];
    out[n] = 0;
    return out;
}

/* S0709 needs two kinds of evidence: the same objectives for the same
 * customers (sets, in any order), and either the same capability or
 * near-identical titles.  Sets are grouped by a hash and compared for real
 * within runs of equal hashes; inside a group, capabilities are sorted
 * (equal ones are adjacent) and titles too, forwards and reversed (titles
 * one edit apart share a prefix or a suffix of half their length, so they
 * sort near each other one way or the other: each is compared with the
 * three before it), so the work is n log n however many services share
 * sets.  A heuristic: it can miss a pair, never invents one. */
static void check_duplicates(Ctx *x)
{
    Compilation *c = x->c;
    KindTable *t = x->svc;
    uint32_t n = x->nsvc;
    if (!n)
        return;
    KeyRow *recs = arena_alloc(&c->arena, sizeof(KeyRow) * n);
    uint32_t k = 0;
    uint32_t maxlen = 0;
    for (uint32_t r = 0; r < n; r++) {
        const int32_t *sup, *cus;
        ListSpan ls = col_list(t, x->s_supports, r, &sup);
        ListSpan lc = col_list(t, x->s_customers, r, &cus);
        if (svc_retired(x, r) || !ls.len || !lc.len)
            continue;
        uint64_t h = set_hash(sup, ls.len, 0x5151) * 31 + set_hash(cus, lc.len, 0xc0c0);
        recs[k++] = (KeyRow){h, r};
        if (ls.len > maxlen)
            maxlen = ls.len;
        if (lc.len > maxlen)
            maxlen = lc.len;
    }
    if (k < 2)
        return;
    qsort(recs, k, sizeof *recs, keyrow_cmp);
    int32_t *sa = ARENA_ARRAY(&c->arena, int32_t, maxlen + 1);
    int32_t *sb = ARENA_ARRAY(&c->arena, int32_t, maxlen + 1);
    uint32_t *reps = ARENA_ARRAY(&c->arena, uint32_t, k);
    DupRow *rows = ARENA_ARRAY(&c->arena, DupRow, k);
    int title_slot = attr_slot(t, c->n.title);
    uint32_t ncls = 0;
    /* classes of equal sets */
    for (uint32_t i = 0; i < k;) {
        uint32_t end = i + 1;
        while (end < k && recs[end].key == recs[i].key)
            end++;
        uint32_t nreps = 0, base = ncls;
        for (uint32_t j = i; j < end; j++) {
            uint32_t r = recs[j].row, cls = UINT32_MAX;
            for (uint32_t q = 0; q < nreps && cls == UINT32_MAX; q++)
                if (same_sets(x, reps[q], r, sa, sb))
                    cls = base + q;
            if (cls == UINT32_MAX) {
                cls = base + nreps;
                reps[nreps++] = r;
            }
            Name cap = nonempty_capability(x, r);
            Name title = title_slot >= 0 ? atom_name(c, col_i32(t, title_slot, r)) : NULL;
            const char *norm = normal_title(c, title ? title : "");
            rows[j] = (DupRow){cls, r, cap ? col_i32(t, x->s_capability, r) : -1, norm,
                               reversed(c, norm)};
        }
        ncls = base + nreps;
        i = end;
    }
    /* same sets and the same capability: against the first of the group */
    qsort(rows, k, sizeof *rows, duprow_by_cap);
    for (uint32_t i = 0; i < k;) {
        uint32_t end = i + 1;
        while (end < k && rows[end].cls == rows[i].cls && rows[end].cap == rows[i].cap)
            end++;
        for (uint32_t j = i + 1; j < end && rows[i].cap >= 0; j++) {
            uint32_t first = rows[i].row, r = rows[j].row;
            Diag *d = diag_at(c, D_DUP_SERVICE, row_loc(t, r),
                              "`%s` may duplicate `%s`: both have capability \"%s\" and "
                              "support the same objectives for the same customers",
                              t->names[r], t->names[first], nonempty_capability(x, r));
            diag_note(c, d, attr_loc(t, x->s_capability, first),
                      "`%s` has the same capability here", t->names[first]);
        }
        i = end;
    }
    /* same sets and near-identical titles (not already one capability),
     * each service reported once */
    uint8_t *reported = ARENA_ARRAY(&c->arena, uint8_t, n);
    for (int pass = 0; pass < 2; pass++) {
        qsort(rows, k, sizeof *rows, pass ? duprow_by_eltit : duprow_by_title);
        enum { TITLE_WINDOW = 3 };
        for (uint32_t j = 1; j < k; j++) {
            for (uint32_t back = 1; back <= TITLE_WINDOW && back <= j; back++) {
                const DupRow *a = &rows[j - back], *b = &rows[j];
                if (a->cls != b->cls)
                    break;
                if (a->cap >= 0 && a->cap == b->cap)
                    continue;   /* reported above */
                uint32_t first = a->row < b->row ? a->row : b->row;
                uint32_t r = a->row < b->row ? b->row : a->row;
                if (reported[r] || !titles_alike(a->title, b->title))
                    continue;
                reported[r] = 1;
                Diag *d = diag_at(c, D_DUP_SERVICE, row_loc(t, r),
                                  "`%s` may duplicate `%s`: their titles are alike and both "
                                  "support the same objectives for the same customers",
                                  t->names[r], t->names[first]);
                diag_note(c, d, row_loc(t, first), "`%s` is declared here", t->names[first]);
            }
        }
    }
}

/* ---- risk and appetite (S0801, S0805) ---------------------------------------------- */

static void check_risks(Ctx *x)
{
    Compilation *c = x->c;
    Program *p = x->p;
    if (!p->nrisks)
        return;
    /* categories as atoms, so "reported once" is a flag per atom */
    int32_t *cat = ARENA_ARRAY(&c->arena, int32_t, p->nrisks);
    for (uint32_t i = 0; i < p->nrisks; i++)
        cat[i] = atom_id(c, p->risks[i].category);
    uint8_t *reported = ARENA_ARRAY(&c->arena, uint8_t, p->atoms.len + 1);
    Name *cats = ARENA_ARRAY(&c->arena, Name, p->nappetite + 1);
    for (uint32_t a = 0; a < p->nappetite; a++)
        cats[a] = p->appetite[a].category;
    for (uint32_t i = 0; i < p->nrisks; i++) {
        Risk *rk = &p->risks[i];
        if (valid_row(x->svc, (int32_t)rk->service) && svc_retired(x, rk->service))
            continue;   /* a retired service exposes nothing any more */
        const AppetiteLevel *lvl = NULL;
        for (uint32_t a = 0; a < p->nappetite && !lvl; a++)
            if (p->appetite[a].category == rk->category)
                lvl = &p->appetite[a];
        if (!lvl) {
            if (!p->appetite_decl || reported[cat[i]])
                continue;
            reported[cat[i]] = 1;
            /* close to a category the appetite names: a typo, which would
             * escape the appetite check, so an error with the fix */
            Name s = suggest_name(rk->category, cats, p->nappetite);
            Diag *d = s ? diag_at(c, D_RISK_CAT_TYPO, rk->loc,
                                  "risk category `%s` is not in the appetite block", rk->category)
                        : diag_at(c, D_APPETITE_CAT, rk->loc,
                                  "no appetite is set for risk category `%s`", rk->category);
            if (s) {
                diag_hint(c, d, "did you mean `%s`?", s);
                Name rest[64];
                uint32_t nrest = 0;
                for (uint32_t a = 0; a < p->nappetite && nrest < 64; a++)
                    if (cats[a] != s)
                        rest[nrest++] = cats[a];
                /* safe unread when no other category is as close */
                Suggester one, others;
                suggest_begin(&one, rk->category);
                suggest_offer(&one, s);
                suggest_begin(&others, rk->category);
                for (uint32_t a = 0; a < nrest; a++)
                    suggest_offer(&others, rest[a]);
                bool unique = !suggest_best(&others) || others.best_d > one.best_d;
                size_t written = rk->loc.end - rk->loc.start;
                if (written == strlen(rk->category) || written == strlen(rk->category) + 2)
                    diag_fix(c, d, rk->loc, name_spelling(&c->arena, s), unique);
            } else {
                diag_hint(c, d, "add `%s = LEVEL` to the appetite block", rk->category);
            }
            diag_note(c, d, p->appetite_decl->loc, "the appetite block is here");
            continue;
        }
        if (isnan(rk->likelihood) || isnan(rk->impact) || rk->accepted_by >= 0)
            continue;
        double exposure = rk->likelihood * rk->impact;
        if (!(exposure > lvl->max_exposure))
            continue;
        Diag *d = diag_at(c, D_OVER_APPETITE, rk->loc,
                          "exposure %s (likelihood %s x impact %s) exceeds the %s "
                          "appetite of %s",
                          fmt_num(c, exposure), fmt_num(c, rk->likelihood),
                          fmt_num(c, rk->impact), rk->category,
                          fmt_num(c, lvl->max_exposure));
        diag_note(c, d, lvl->loc, "the %s appetite is set here", rk->category);
    }
}

/* ---- money (S0803, S0804) ------------------------------------------------------------ */

typedef struct Top {
    uint32_t row[SHOW_COSTLIEST];
    double cost[SHOW_COSTLIEST];
    uint32_t n;
} Top;

/* Keeps the costliest rows; on a tie the earlier row stays ahead. */
static void top_add(Top *top, uint32_t row, double cost)
{
    uint32_t i = top->n < SHOW_COSTLIEST ? top->n++ : SHOW_COSTLIEST;
    if (i == SHOW_COSTLIEST && !(cost > top->cost[SHOW_COSTLIEST - 1]))
        return;
    if (i == SHOW_COSTLIEST)
        i--;
    while (i > 0 && cost > top->cost[i - 1]) {
        top->row[i] = top->row[i - 1];
        top->cost[i] = top->cost[i - 1];
        i--;
    }
    top->row[i] = row;
    top->cost[i] = cost;
}

static void note_costliest(Ctx *x, Diag *d, const Top *top)
{
    for (uint32_t i = 0; i < top->n; i++)
        diag_note(x->c, d, attr_loc(x->svc, x->s_cost, top->row[i]), "`%s` costs %s",
                  x->svc->names[top->row[i]], fmt_money(x, top->cost[i]));
}

static void check_money(Ctx *x)
{
    Compilation *c = x->c;
    KindTable *t = x->svc;
    const Strategy *st = &x->p->strategy;
    if (x->s_cost < 0 || t->attrs[x->s_cost].type.kind != T_NUMBER || isnan(st->budget))
        return;
    double total = 0, run = 0;
    Top top_all = {0}, top_run = {0};
    for (uint32_t r = 0; r < x->nsvc; r++) {
        double cost = col_num(t, x->s_cost, r);
        if (isnan(cost) || svc_retired(x, r))
            continue;
        total += cost;
        top_add(&top_all, r, cost);
        if (col_i32(t, x->s_invest, r) == x->a_run) {
            run += cost;
            top_add(&top_run, r, cost);
        }
    }
    Loc loc;
    if (total > st->budget && strategy_value_loc(x, c->n.budget, &loc)) {
        Diag *d = diag_at(c, D_BUDGET, loc,
                          "live services cost %s in total, %s over the budget of %s",
                          fmt_money(x, total), fmt_money(x, total - st->budget),
                          fmt_money(x, st->budget));
        note_costliest(x, d, &top_all);
    }
    if (!isnan(st->run_max) && st->budget > 0 && run / st->budget > st->run_max &&
        strategy_value_loc(x, c->n.run_max, &loc)) {
        Diag *d = diag_at(c, D_RUN_MAX, loc,
                          "run-class services cost %s, %s of the budget of %s; run_max "
                          "is %s",
                          fmt_money(x, run), fmt_pct(c, run / st->budget),
                          fmt_money(x, st->budget), fmt_pct(c, st->run_max));
        note_costliest(x, d, &top_run);
    }
}

/* ---- lifecycle (S0935) ----------------------------------------------------------------- */

/* A live (not retired) service whose end_of_life is before today (the run's
 * date, --today) is an error at its end_of_life value, unless a waiver in
 * force names the check (`rule = past_end_of_life`) and the service.  On
 * its end-of-life day a service is not yet past it.  A waiver of the check
 * that excuses nothing is unused (S0912), as a rule's is. */
static void check_lifecycle(Ctx *x)
{
    Compilation *c = x->c;
    Program *p = x->p;
    KindTable *t = x->svc;
    int eol = attr_slot(t, intern_cstr(c, "end_of_life"));
    if (eol < 0 || t->attrs[eol].type.kind != T_DATE)
        return;   /* a schema made it something else: reported there */
    if (!column_present(&t->attrs[eol], &t->cols[eol]) &&
        !(t->cols[eol].fill_i32 != INT32_MIN && t->cols[eol].fill_i32 < p->today))
        return;   /* no end of life anywhere, or none passed */
    /* the waivers in force by row, only when there are any: a million-row
     * load without them allocates nothing here */
    Waiver **waiver = NULL;
    for (uint32_t i = 0; i < p->waivers.len; i++) {
        Waiver *w = p->waivers.items[i];
        if (!w->past_end_of_life || w->entity_kind != EK_SERVICE || !valid_row(t, w->entity) ||
            w->until < p->today)
            continue;
        if (!waiver)
            waiver = ARENA_ARRAY(&c->arena, Waiver *, x->nsvc + 1);
        if (!waiver[w->entity])
            waiver[w->entity] = w;   /* the first declared, as for rules */
    }
    for (uint32_t r = 0; r < x->nsvc; r++) {
        int32_t day = col_i32(t, eol, r);
        if (day == INT32_MIN || day >= p->today || svc_retired(x, r))
            continue;
        if (waiver && waiver[r]) {
            waiver[r]->used = true;
            continue;
        }
        Diag *d = diag_at(c, D_PAST_END_OF_LIFE, attr_loc(t, eol, r),
                          "service `%s` is live past its end of life (%s)", t->names[r],
                          fmt_date(c, day));
        diag_hint(c, d, "retire or replace it, or waive the finding: `waiver NAME { rule = "
                        "past_end_of_life  entity = %s  until = DATE }`", t->names[r]);
    }
    for (uint32_t i = 0; i < p->waivers.len; i++) {
        Waiver *w = p->waivers.items[i];
        if (w->past_end_of_life && !w->used && w->entity >= 0 && w->until >= p->today) {
            Diag *d = diag_at(c, D_WAIVER_UNUSED, w->decl->name_loc,
                              "waiver `%s` is unused: `%s` is not a live service past its "
                              "end of life", w->name, entity_label(c, w->entity_kind, w->entity));
            diag_hint(c, d, "remove the waiver");
        }
    }
}

/* ---- entry --------------------------------------------------------------------------- */

void check_consistency(Compilation *c)
{
    Program *p = c->program;
    Ctx x = {0};
    x.c = c;
    x.p = p;
    x.svc = kind_table(c, EK_SERVICE);
    x.obj = kind_table(c, EK_OBJECTIVE);
    x.vs = kind_table(c, EK_VALUE_STREAM);
    x.off = kind_table(c, EK_OFFERING);
    x.nsvc = x.svc->count;
    x.s_status = attr_slot(x.svc, c->n.status);
    x.s_kind = attr_slot(x.svc, c->n.kind);
    x.s_invest = attr_slot(x.svc, c->n.investment);
    x.s_supports = attr_slot(x.svc, c->n.supports);
    x.s_depends = attr_slot(x.svc, c->n.depends_on);
    x.s_customers = attr_slot(x.svc, c->n.customers);
    x.s_capability = attr_slot(x.svc, c->n.capability);
    x.s_cost = attr_slot(x.svc, c->n.cost);
    x.o_metric = attr_slot(x.obj, c->n.metric);
    x.o_baseline = attr_slot(x.obj, c->n.baseline);
    x.o_target = attr_slot(x.obj, c->n.target);
    x.o_due = attr_slot(x.obj, c->n.due);
    x.o_weight = attr_slot(x.obj, c->n.weight);
    x.o_owner = attr_slot(x.obj, c->n.owner);
    x.o_parent = attr_slot(x.obj, c->n.parent);
    x.a_retired = atom_id(c, c->n.retired);
    x.a_pipeline = atom_id(c, c->n.pipeline);
    x.a_business = atom_id(c, c->n.business);
    x.a_run = atom_id(c, c->n.run);
    x.flags = ARENA_ARRAY(&c->arena, uint8_t, x.nsvc + 1);

    check_objective_fields(&x);
    check_objective_weights(&x);
    check_objective_cycles(&x);
    check_dep_cycles(&x);
    check_retired_deps(&x);     /* sets F_LIVE_DEPENDENT */
    check_value_streams(&x);    /* sets F_IN_STAGE */
    check_offerings(&x);        /* sets F_BUNDLED */
    check_unused(&x);
    check_duplicates(&x);
    check_risks(&x);
    check_money(&x);
    check_lifecycle(&x);
}
