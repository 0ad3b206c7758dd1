/*
 * showback.c — show-back and charge-back (showback.h, DESIGN §5.7).
 *
 * Takes the checked program; gives Program.showback (the customer x
 * service report) and Program.showback_values (what allocated_cost and
 * charge read).  Two passes: the first reads and checks the declarations
 * (pools, each service's usage and charge blocks), the second, when
 * nothing blocks running, allocates in whole cents:
 *
 *   pool cost  --even / driver / shares-->  services' shared cost
 *   direct + shared  --by usage (proportional, capacity, tiered)-->  customers
 *
 * Every split is by largest remainder, so the parts of an amount add up to
 * it exactly; what cannot be charged (a pool with no target, a service
 * nobody uses, unused capacity, what tiered rates leave) goes on an
 * explicit unallocated line, and the whole is reconciled to the cent.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "eval.h"
#include "intern.h"
#include "json.h"
#include "numeric.h"
#include "resolve.h"
#include "showback.h"
#include "showback_load.h"

/* The largest amount show-back counts, in cents: 10^13 currency units,
 * where a double still holds every cent exactly many times over. */
#define MAX_CENTS 1000000000000000LL

/* What the first pass reads from a service's blocks. */
typedef struct ServiceDecl {
    Item *usage, *charge;
    ChargeMethod method;
    double capacity;
    double *bands, *rates;
    uint32_t nbands;
} ServiceDecl;

typedef struct Ctx {
    Compilation *c;
    Program *p;
    KindTable *svc, *cust;
    Showback *sb;
    ServiceDecl *sd;              /* per service row */
    ShowbackCell *cells;          /* in reading order */
    uint32_t ncells, cells_cap;
    Loc *cell_locs;
    bool overflow;
    struct Pair *pairs;           /* consumers_build's, NULL until asked */
    uint32_t npairs;
    bool *stated;                 /* per service: some customer is stated */
    double *weights;              /* allocate_pool's scratch, per service */
    uint32_t *targets, ntargets;
    bool *is_target;
} Ctx;

/* ---- small helpers ----------------------------------------------------------- */

static bool named(const Item *it, const char *word)
{
    return strcmp(it->name, word) == 0;
}

/* A constant number (literals, consts, arithmetic), or S1406. */
static bool constant(Ctx *x, Expr *e, const char *what, double *out)
{
    if (const_number(x->c, e, out, false))
        return true;
    diag_at(x->c, D_SB_BLOCK, e->loc, "%s is a constant number", what);
    return false;
}

/* A finite amount >= 0, or S1407. */
static bool not_negative(Ctx *x, double v, Loc loc, const char *what)
{
    if (v >= 0 && isfinite(v))
        return true;
    diag_at(x->c, D_SB_NEGATIVE, loc, "%s is 0 or more, not %g", what, v);
    return false;
}

/* Money to whole cents, or S1405. */
static bool to_cents(Ctx *x, double v, Loc loc, const char *what, int64_t *out)
{
    double cents = v * 100;
    double whole = round(cents);
    if (!(fabs(whole) < (double)MAX_CENTS)) {
        diag_at(x->c, D_SB_CENTS, loc, "%s %g is too large to count to the cent", what, v);
        return false;
    }
    if (fabs(cents - whole) > 1e-6) {
        Diag *d = diag_at(x->c, D_SB_CENTS, loc, "%s %.17g is not a whole number of cents",
                          what, v);
        diag_hint(x->c, d, "write it to two decimals at most");
        return false;
    }
    *out = (int64_t)whole;
    return true;
}

static int64_t add_cents(Ctx *x, int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r)) {
        x->overflow = true;
        return 0;
    }
    return r;
}

/* The numbers of a list literal, or NULL (reported). */
static double *number_list(Ctx *x, Expr *e, const char *what, uint32_t *n)
{
    if (e->kind != EX_LIST) {
        diag_at(x->c, D_SB_BLOCK, e->loc, "%s is a list of numbers, as in [0, 100, 1000]", what);
        return NULL;
    }
    uint32_t len = list_len(e);
    double *v = ARENA_ARRAY(&x->c->arena, double, len + 1);
    for (uint32_t i = 0; i < e->u.list.npacked; i++)
        v[i] = e->u.list.nums[i];
    for (uint32_t i = 0; i < e->u.list.n; i++)
        if (!constant(x, e->u.list.items[i], what, &v[e->u.list.npacked + i]))
            return NULL;
    *n = len;
    return v;
}

static void unknown_item(Ctx *x, Item *it, const char *where, const char *known)
{
    Diag *d = diag_at(x->c, D_SB_BLOCK, it->loc, "unknown item `%s` in %s", it->name, where);
    diag_hint(x->c, d, "%s holds %s", where, known);
}

/* A service or customer named in a block: its row, or -1 (reported). */
static int32_t entity_named(Ctx *x, EntityKind k, Name name, Loc loc)
{
    KindTable *t = kind_table(x->c, k);
    int32_t r = kind_lookup(t, name);
    if (r >= 0)
        return r;
    Diag *d = diag_at(x->c, D_UNDEFINED, loc, "undefined %s `%s`", entity_kind_name(k), name);
    Name near = suggest_entity(x->c, KIND_BIT(k), name);
    if (near)
        diag_hint(x->c, d, "did you mean `%s`?", near);
    return -1;
}

static bool is_live(Ctx *x, uint32_t row)
{
    int slot = attr_slot(x->svc, x->c->n.status);
    return slot >= 0 && col_i32(x->svc, slot, row) == atom_id(x->c, x->c->n.catalogue);
}

/* ---- the largest-remainder split --------------------------------------------- */

typedef struct Remainder {
    long double frac;
    uint32_t index;
} Remainder;

static int by_remainder(const void *a, const void *b)
{
    const Remainder *x = a, *y = b;
    if (x->frac != y->frac)
        return x->frac > y->frac ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

typedef struct WholeRemainder {
    int64_t rem;
    uint32_t index;
} WholeRemainder;

static int by_whole_remainder(const void *a, const void *b)
{
    const WholeRemainder *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The split in integers, when the weights are whole numbers once scaled by
 * 10^k for some k of 0..6 (quantities, server counts, shares written as
 * decimals such as 0.15) and total x weight fits in 64 bits: then equal
 * remainders are equal exactly and tie to the earlier part, as documented.
 * In long double, total x w / sum rounds differently for parts of
 * different size, which broke such ties either way (10 cents by drivers
 * 1, 4, 1 gave 2, 6, 2, not 2, 7, 1).  False when it does not apply. */
static bool split_whole(Compilation *c, int64_t total, const double *w, uint32_t n, int64_t *out)
{
    int64_t *scaled = ARENA_ARRAY(&c->arena, int64_t, n);
    double scale = 1;
    for (int k = 0; k <= 6; k++, scale *= 10) {
        int64_t sum = 0;
        bool whole = true;
        for (uint32_t i = 0; i < n && whole; i++) {
            double v = w[i] * scale, r = nearbyint(v);
            if (!(r >= 0 && r < 9007199254740992.0 && fabs(v - r) <= 1e-9 * fmax(1, v)))
                whole = false;
            else if ((int64_t)r > 0 && ((int64_t)r > INT64_MAX / (total > 0 ? total : 1)
                                        || sum > INT64_MAX - (int64_t)r))
                return false;   /* too large for 64 bits: the long double split */
            else {
                scaled[i] = (int64_t)r;
                sum += scaled[i];
            }
        }
        if (!whole)
            continue;
        if (sum == 0)
            return false;
        WholeRemainder *rem = ARENA_ARRAY(&c->arena, WholeRemainder, n);
        int64_t given = 0;
        for (uint32_t i = 0; i < n; i++) {
            out[i] = total * scaled[i] / sum;
            rem[i].rem = total * scaled[i] % sum;
            rem[i].index = i;
            given += out[i];
        }
        qsort(rem, n, sizeof *rem, by_whole_remainder);
        for (uint32_t k2 = 0; given < total; k2++, given++)   /* fewer than n cents */
            out[rem[k2].index]++;
        return true;
    }
    return false;
}

void showback_split(Compilation *c, int64_t total, const double *w, uint32_t n, int64_t *out)
{
    if (total < 0) {
        showback_split(c, -total, w, n, out);
        for (uint32_t i = 0; i < n; i++)
            out[i] = -out[i];
        return;
    }
    if (n > 0 && split_whole(c, total, w, n, out))
        return;
    long double sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += w[i];
    if (n == 0)
        return;
    Remainder *rem = ARENA_ARRAY(&c->arena, Remainder, n);
    int64_t given = 0;
    for (uint32_t i = 0; i < n; i++) {
        long double exact = sum > 0 ? (long double)total * w[i] / sum : 0;
        long double whole = floorl(exact);
        out[i] = (int64_t)whole;
        rem[i].frac = exact - whole;
        rem[i].index = i;
        given += out[i];
    }
    qsort(rem, n, sizeof *rem, by_remainder);
    /* the cents the floors left, one each to the largest remainders (in
     * exact arithmetic fewer than n; the loop holds whatever rounding did) */
    int64_t left = total - given;
    for (uint32_t k = 0; left > 0; k = (k + 1) % n, left--)
        out[rem[k].index]++;
    for (uint32_t k = n; left < 0; k = k ? k - 1 : n) {
        if (k < n && out[rem[k].index] > 0) {
            out[rem[k].index]--;
            left++;
        }
    }
}

/* ---- pass 1: reading and checking the blocks ---------------------------------- */

/* Who consumes what: the (service, customer) pairs the services'
 * `customers` and the offerings state, sorted, built once, so that a
 * usage file of a million rows costs a binary search each. */
typedef struct Pair {
    uint32_t service;
    int32_t customer;
} Pair;

static int by_pair(const void *a, const void *b)
{
    const Pair *x = a, *y = b;
    if (x->service != y->service)
        return x->service < y->service ? -1 : 1;
    return x->customer < y->customer ? -1 : x->customer > y->customer;
}

static void consumers_build(Ctx *x)
{
    Compilation *c = x->c;
    const int32_t *el, *ce;
    int slot = attr_slot(x->svc, c->n.customers);
    KindTable *off = kind_table(c, EK_OFFERING);
    int os = attr_slot(off, c->n.services), oc = attr_slot(off, c->n.customers);
    uint64_t n = 0;
    for (uint32_t r = 0; slot >= 0 && r < x->svc->count; r++)
        n += col_list(x->svc, slot, r, &el).len;
    for (uint32_t o = 0; os >= 0 && oc >= 0 && o < off->count; o++)
        n += (uint64_t)col_list(off, os, o, &el).len * col_list(off, oc, o, &ce).len;
    x->stated = ARENA_ARRAY(&c->arena, bool, x->svc->count + 1);
    x->pairs = arena_alloc(&c->arena, sizeof *x->pairs * (size_t)(n + 1));
    for (uint32_t r = 0; slot >= 0 && r < x->svc->count; r++) {
        ListSpan sp = col_list(x->svc, slot, r, &el);
        x->stated[r] |= sp.len > 0;
        for (uint32_t i = 0; i < sp.len; i++)
            x->pairs[x->npairs++] = (Pair){r, el[i]};
    }
    for (uint32_t o = 0; os >= 0 && oc >= 0 && o < off->count; o++) {
        ListSpan sp = col_list(off, os, o, &el);
        ListSpan cs = col_list(off, oc, o, &ce);
        for (uint32_t i = 0; i < sp.len; i++) {
            if (el[i] < 0)
                continue;
            x->stated[el[i]] |= cs.len > 0;
            for (uint32_t k = 0; k < cs.len; k++)
                x->pairs[x->npairs++] = (Pair){(uint32_t)el[i], ce[k]};
        }
    }
    if (x->npairs)
        qsort(x->pairs, x->npairs, sizeof *x->pairs, by_pair);
}

/* Is `customer` a consumer of service `row`: in its customers, or in those
 * of an offering that includes it?  True also when neither says (nothing
 * to hold the usage to).  *where: the service's customers, when set. */
static bool consumes(Ctx *x, uint32_t row, int32_t customer, Loc *where)
{
    if (!x->pairs)
        consumers_build(x);
    int slot = attr_slot(x->svc, x->c->n.customers);
    if (slot >= 0 && x->svc->cols[slot].list && x->svc->cols[slot].list[row].len)
        *where = attr_loc(x->svc, slot, row);
    if (!x->stated[row])
        return true;
    Pair key = {row, customer};
    return bsearch(&key, x->pairs, x->npairs, sizeof key, by_pair) != NULL;
}

static void add_cell(Ctx *x, uint32_t service, uint32_t customer, double q, Loc loc)
{
    if (x->ncells == x->cells_cap) {
        uint32_t cap = x->cells_cap ? x->cells_cap * 2 : 16;
        x->cells = arena_realloc(&x->c->arena, x->cells, sizeof *x->cells * x->cells_cap,
                                 sizeof *x->cells * cap);
        x->cell_locs = arena_realloc(&x->c->arena, x->cell_locs,
                                     sizeof *x->cell_locs * x->cells_cap,
                                     sizeof *x->cell_locs * cap);
        x->cells_cap = cap;
    }
    x->cells[x->ncells] = (ShowbackCell){service, customer, q, 0, 0};
    x->cell_locs[x->ncells++] = loc;
}

/* `usage { retail = 120  wholesale = 40 }` */
static void read_usage(Ctx *x, uint32_t row, Item *blk, int32_t *seen)
{
    for (Item *it = blk->items; it; it = it->next) {
        if (it->kind != ITEM_ATTR) {
            unknown_item(x, it, "a usage block", "`customer = quantity` items");
            continue;
        }
        int32_t cust = entity_named(x, EK_CUSTOMER, it->name, it->loc);
        double q;
        if (cust < 0 || !constant(x, it->value, "a usage quantity", &q) ||
            !not_negative(x, q, it->value->loc, "a usage quantity"))
            continue;
        if (seen[cust] == (int32_t)row + 1) {
            diag_at(x->c, D_DUP_ATTR, it->loc, "usage of `%s` by `%s` is given twice",
                    x->svc->names[row], it->name);
            continue;
        }
        seen[cust] = (int32_t)row + 1;
        Loc stated = {0, 0, 0};
        if (!consumes(x, row, cust, &stated)) {
            Diag *d = diag_at(x->c, D_SB_NOT_CONSUMER, it->loc,
                              "`%s` uses `%s`, but is not one of its customers", it->name,
                              x->svc->names[row]);
            if (stated.file)
                diag_note(x->c, d, stated, "the service's customers are given here");
            continue;
        }
        add_cell(x, row, (uint32_t)cust, q, it->loc);
    }
}

/* `charge { method = capacity  capacity = 500 }`,
 * `charge { method = tiered  bands = [0, 100]  rates = [12, 9] }` */
static void read_charge(Ctx *x, uint32_t row, Item *blk)
{
    ServiceDecl *sd = &x->sd[row];
    Item *method = NULL, *capacity = NULL, *bands = NULL, *rates = NULL;
    for (Item *it = blk->items; it; it = it->next) {
        Item **slot = it->kind != ITEM_ATTR  ? NULL
                      : named(it, "method")   ? &method
                      : named(it, "capacity") ? &capacity
                      : named(it, "bands")    ? &bands
                      : named(it, "rates")    ? &rates : NULL;
        if (!slot)
            unknown_item(x, it, "a charge block", "method, capacity, bands and rates");
        else if (*slot)
            diag_note(x->c, diag_at(x->c, D_DUP_ATTR, it->loc, "`%s` is set twice", it->name),
                      (*slot)->loc, "the first is here");
        else
            *slot = it;
    }
    if (method) {
        Expr *e = method->value;
        const char *m = e->kind == EX_NAME ? e->u.name.id : "";
        if (strcmp(m, "proportional") == 0)
            sd->method = CHARGE_PROPORTIONAL;
        else if (strcmp(m, "capacity") == 0)
            sd->method = CHARGE_CAPACITY;
        else if (strcmp(m, "tiered") == 0)
            sd->method = CHARGE_TIERED;
        else
            diag_at(x->c, D_SB_BLOCK, e->loc, "the method is proportional, capacity or tiered");
    }
    if (capacity && sd->method != CHARGE_CAPACITY)
        diag_at(x->c, D_SB_BLOCK, capacity->loc, "`capacity` is for `method = capacity`");
    if ((bands || rates) && sd->method != CHARGE_TIERED)
        diag_at(x->c, D_SB_BLOCK, (bands ? bands : rates)->loc,
                "`bands` and `rates` are for `method = tiered`");
    if (sd->method == CHARGE_CAPACITY) {
        double cap;
        if (!capacity)
            diag_at(x->c, D_SB_BLOCK, blk->loc, "`method = capacity` needs `capacity = UNITS`");
        else if (constant(x, capacity->value, "a capacity", &cap) &&
                 not_negative(x, cap, capacity->value->loc, "a capacity"))
            sd->capacity = cap;
    }
    if (sd->method == CHARGE_TIERED) {
        if (!bands || !rates) {
            diag_at(x->c, D_SB_TIERS, blk->loc, "`method = tiered` needs `bands` and `rates`");
            sd->method = CHARGE_PROPORTIONAL;
            return;
        }
        uint32_t nb = 0, nr = 0;
        double *b = number_list(x, bands->value, "`bands`", &nb);
        double *r = number_list(x, rates->value, "`rates`", &nr);
        bool ok = b && r;
        if (ok && (nb == 0 || nb != nr)) {
            diag_at(x->c, D_SB_TIERS, rates->value->loc,
                    "%u band%s but %u rate%s: one rate per band", nb, nb == 1 ? "" : "s", nr,
                    nr == 1 ? "" : "s");
            ok = false;
        }
        if (ok && b[0] != 0) {
            diag_at(x->c, D_SB_TIERS, bands->value->loc, "the first band starts at 0");
            ok = false;
        }
        for (uint32_t i = 1; ok && i < nb; i++)
            if (!(b[i] > b[i - 1])) {
                diag_at(x->c, D_SB_TIERS, bands->value->loc,
                        "bands are ascending lower bounds: %g does not follow %g", b[i],
                        b[i - 1]);
                ok = false;
            }
        for (uint32_t i = 0; ok && i < nr; i++)
            if (!(r[i] >= 0 && isfinite(r[i]))) {
                diag_at(x->c, D_SB_TIERS, rates->value->loc, "rates are 0 or more, not %g",
                        r[i]);
                ok = false;
            }
        if (!ok) {
            sd->method = CHARGE_PROPORTIONAL;
            return;
        }
        sd->bands = b;
        sd->rates = r;
        sd->nbands = nb;
    }
}

/* Does the driver read a score, allocated_cost or charge?  (S1408) */
static WalkStep find_score_call(Expr *e, void *ctx)
{
    if (e->kind == EX_CALL && (e->u.call.sym || e->u.call.builtin == B_ALLOCATED_COST ||
                               e->u.call.builtin == B_CHARGE)) {
        *(Expr **)ctx = e;
        return WALK_STOP;
    }
    return WALK_CHILDREN;
}

/* The rows of `load usage`: cells as declared usage is. */
static void read_usage_rows(Ctx *x, const ShowbackRows *rows)
{
    for (uint32_t i = 0; i < rows->nusage; i++) {
        const UsageRow *u = &rows->usage[i];
        int32_t svc = entity_named(x, EK_SERVICE, u->service, u->service_loc);
        int32_t cust = entity_named(x, EK_CUSTOMER, u->customer, u->customer_loc);
        if (svc < 0 || cust < 0 || !not_negative(x, u->quantity, u->quantity_loc,
                                                 "a usage quantity"))
            continue;
        Loc stated = {0, 0, 0};
        if (!consumes(x, (uint32_t)svc, cust, &stated)) {
            Diag *d = diag_at(x->c, D_SB_NOT_CONSUMER, u->customer_loc,
                              "`%s` uses `%s`, but is not one of its customers", u->customer,
                              u->service);
            if (stated.file)
                diag_note(x->c, d, stated, "the service's customers are given here");
            continue;
        }
        add_cell(x, (uint32_t)svc, (uint32_t)cust, u->quantity, u->quantity_loc);
    }
}

/* The declared pools, then the pools only the ledger names; each ledger
 * row's amount added to its pool's cost, in cents. */
static void gather_pools(Ctx *x)
{
    Compilation *c = x->c;
    Program *p = x->p;
    Showback *sb = x->sb;
    const ShowbackRows *rows = p->showback_rows;
    uint32_t cap = p->pools.len + (rows ? rows->nledger : 0);
    sb->pools = ARENA_ARRAY(&c->arena, ShowbackPool, cap + 1);
    NameMap by_name = {0};
    for (uint32_t i = 0; i < p->pools.len; i++) {
        ShowbackPool *pl = &sb->pools[sb->npools++];
        pl->decl = p->pools.items[i];
        pl->name = pl->decl->name;
        pl->loc = pl->decl->name_loc;
        namemap_put(c, &by_name, pl->name, pl);
    }
    for (uint32_t i = 0; rows && i < rows->nledger; i++) {
        const LedgerRow *l = &rows->ledger[i];
        ShowbackPool *pl = namemap_get(&by_name, l->pool);
        if (!pl) {
            pl = &sb->pools[sb->npools++];
            pl->name = l->pool;
            pl->loc = l->pool_loc;
            namemap_put(c, &by_name, pl->name, pl);
        }
        pl->from_ledger = true;
        int64_t cents;
        if (to_cents(x, l->amount, l->amount_loc, "the amount", &cents))
            pl->cost = add_cents(x, pl->cost, cents);
    }
}

/* ---- pass 2: allocating ---------------------------------------------------------- */

/* The pool's targets and their weights; false when it has none (S1403,
 * or an error said already). */
static void allocate_pool(Ctx *x, Eval *ev, ShowbackPool *pool)
{
    Compilation *c = x->c;
    Decl *d = pool->decl;
    Item *cost = NULL, *allocate = NULL, *shares = NULL, *to = NULL;
    for (Item *it = d ? d->items : NULL; it; it = it->next) {
        Item **slot = it->kind == ITEM_LIFECYCLE ? (named(it, "shares") ? &shares : NULL)
                      : it->kind != ITEM_ATTR    ? NULL
                      : named(it, "cost")        ? &cost
                      : named(it, "allocate")    ? &allocate
                      : named(it, "to")          ? &to
                      : named(it, "title")       ? &to   /* checked below */
                                                 : NULL;
        if (slot == &to && named(it, "title")) {
            if (it->value->kind != EX_STRING)
                diag_at(c, D_SB_BLOCK, it->value->loc, "a pool's title is a string");
            continue;
        }
        if (!slot)
            unknown_item(x, it, "a pool", "cost, allocate, to, shares { } and title");
        else if (*slot)
            diag_note(c, diag_at(c, D_DUP_ATTR, it->loc, "`%s` is set twice", it->name),
                      (*slot)->loc, "the first is here");
        else
            *slot = it;
    }
    double v;
    int64_t declared = 0;
    if (!cost && !pool->from_ledger)
        diag_at(c, D_SB_BLOCK, pool->loc, "pool `%s` has no `cost` (and no ledger rows)",
                pool->name);
    else if (cost && constant(x, cost->value, "a pool's cost", &v) &&
             not_negative(x, v, cost->value->loc, "a pool's cost") &&
             to_cents(x, v, cost->value->loc, "the pool's cost", &declared))
        pool->cost = add_cents(x, pool->cost, declared);
    if (pool->cost < 0) {
        diag_at(c, D_SB_NEGATIVE, pool->loc, "the ledger rows of pool `%s` sum to %lld cents: "
                "a pool's cost is 0 or more", pool->name, (long long)pool->cost);
        pool->cost = 0;
    }
    if (allocate && shares) {
        Diag *dg = diag_at(c, D_SB_BLOCK, shares->loc,
                           "a pool is allocated by `allocate` or by `shares`, not both");
        diag_note(c, dg, allocate->loc, "`allocate` is here");
        shares = NULL;
    }
    if (to && shares) {
        diag_at(c, D_SB_BLOCK, to->loc, "`shares` names the pool's services; `to` is not "
                                        "needed");
        to = NULL;
    }
    uint32_t nsvc = x->svc->count;
    if (!x->weights) {   /* one scratch for every pool: memory by services, not pools */
        x->weights = ARENA_ARRAY(&c->arena, double, nsvc + 1);
        x->targets = ARENA_ARRAY(&c->arena, uint32_t, nsvc + 1);
        x->is_target = ARENA_ARRAY(&c->arena, bool, nsvc + 1);
    }
    double *w = x->weights;
    uint32_t *rows = x->targets;
    bool *target = x->is_target;
    for (uint32_t i = 0; i < x->ntargets; i++)
        target[rows[i]] = false;   /* the last pool's */
    x->ntargets = 0;
    uint32_t n = 0;
    if (shares) {
        double sum = 0;
        for (Item *it = shares->items; it; it = it->next) {
            if (it->kind != ITEM_ATTR) {
                unknown_item(x, it, "a shares block", "`service = fraction` items");
                continue;
            }
            int32_t r = entity_named(x, EK_SERVICE, it->name, it->loc);
            double s;
            if (r < 0 || !constant(x, it->value, "a share", &s) ||
                !not_negative(x, s, it->value->loc, "a share"))
                continue;
            if (target[r]) {
                diag_at(c, D_DUP_ATTR, it->loc, "the share of `%s` is given twice", it->name);
                continue;
            }
            target[r] = true;
            rows[n] = (uint32_t)r;
            w[n++] = s;
            sum += s;
        }
        if (n && fabs(sum - 1) > 1e-9) {
            Diag *dg = diag_at(c, D_SB_SHARES, shares->loc,
                               "the shares of pool `%s` sum to %.12g, not 1", pool->name, sum);
            diag_hint(c, dg, "the pool is allocated by the shares scaled to 1");
        }
    } else {
        if (to) {
            Expr *e = to->value;
            if (e->kind != EX_LIST || e->u.list.npacked) {
                diag_at(c, D_SB_BLOCK, e->loc, "`to` is a list of services, as in [erp, crm]");
            } else {
                for (uint32_t i = 0; i < e->u.list.n; i++) {
                    Expr *el = e->u.list.items[i];
                    int32_t r = el->kind == EX_NAME
                                    ? entity_named(x, EK_SERVICE, el->u.name.id, el->loc)
                                    : -1;
                    if (el->kind != EX_NAME)
                        diag_at(c, D_SB_BLOCK, el->loc, "`to` lists services by name");
                    if (r >= 0 && !target[r]) {
                        target[r] = true;
                        rows[n++] = (uint32_t)r;
                    }
                }
            }
        } else {
            for (uint32_t r = 0; r < nsvc; r++)
                if (is_live(x, r))
                    rows[n++] = r;
        }
        Expr *driver = allocate ? allocate->value : NULL;
        if (driver && driver->kind == EX_NAME && strcmp(driver->u.name.id, "even") == 0)
            driver = NULL;
        Expr *reads = NULL;
        if (driver) {
            ExprVisitor vis = {find_score_call, NULL, &reads};
            expr_walk(driver, &vis);
            if (reads) {
                diag_at(c, D_SB_DRIVER, reads->loc, "a driver reads attributes, not `%s`: "
                        "the allocation it drives comes before scores", reads->u.call.fn);
                pool->unallocated = pool->cost;
                x->ntargets = n;   /* their marks are cleared by the next pool */
                return;
            }
        }
        bool reported = false;
        for (uint32_t i = 0; i < n; i++) {
            w[i] = 1;
            if (!driver || !ev)
                continue;
            ev->locals[0] = (int32_t)rows[i];
            ev->local_kinds[0] = EK_SERVICE;
            w[i] = eval_expr(ev, driver).num;
            if (!(w[i] >= 0 && isfinite(w[i]))) {
                if (!reported) {
                    Diag *dg = diag_at(c, D_SB_NEGATIVE, driver->loc,
                                       "the driver of pool `%s` is %g for `%s`: a driver is 0 "
                                       "or more", pool->name, w[i], x->svc->names[rows[i]]);
                    diag_note(c, dg, row_loc(x->svc, rows[i]), "`%s` is declared here",
                              x->svc->names[rows[i]]);
                }
                reported = true;
                w[i] = 0;
            }
        }
    }
    x->ntargets = n;
    double sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += w[i];
    bool listed = (shares && shares->items) ||
                  (to && to->value->kind == EX_LIST && list_len(to->value));
    if (!n && listed) {   /* every name it lists was reported */
        pool->unallocated = pool->cost;
        return;
    }
    if (!(sum > 0)) {
        Diag *dg = diag_at(c, D_SB_NO_TARGET, pool->loc,
                           "pool `%s` has no service to allocate to", pool->name);
        diag_hint(c, dg, !n && !shares && !to ? "no service is live (status catalogue)"
                         : n ? "the drivers of its services are all 0"
                             : "its list of services is empty");
        pool->unallocated = pool->cost;
        return;
    }
    if (!ev)
        return;   /* checking only */
    int64_t *part = ARENA_ARRAY(&c->arena, int64_t, n + 1);
    showback_split(c, pool->cost, w, n, part);
    for (uint32_t i = 0; i < n; i++) {
        ShowbackService *s = &x->sb->services[rows[i]];
        s->shared = add_cents(x, s->shared, part[i]);
        s->in_scope = true;
        pool->allocated = add_cents(x, pool->allocated, part[i]);
    }
}

/* The cents a tiered schedule charges for quantity q. */
static double tiered_amount(const ServiceDecl *sd, double q)
{
    double amount = 0;
    for (uint32_t b = 0; b < sd->nbands; b++) {
        double lo = sd->bands[b];
        double hi = b + 1 < sd->nbands ? sd->bands[b + 1] : INFINITY;
        if (q > lo)
            amount += ((q < hi ? q : hi) - lo) * sd->rates[b];
    }
    return amount;
}

/* One service's full cost to its cells [first, end). */
static void charge_service(Ctx *x, uint32_t row, ShowbackCell *cells, uint32_t n)
{
    Compilation *c = x->c;
    ShowbackService *s = &x->sb->services[row];
    ServiceDecl *sd = &x->sd[row];
    int64_t full = add_cents(x, s->direct, s->shared);
    double q = 0;
    for (uint32_t i = 0; i < n; i++)
        q += cells[i].quantity;
    s->quantity = q;
    s->method = sd->method;
    s->capacity = sd->capacity;
    double *w = ARENA_ARRAY(&c->arena, double, n + 2);
    int64_t *direct = ARENA_ARRAY(&c->arena, int64_t, n + 2);
    int64_t *shared = ARENA_ARRAY(&c->arena, int64_t, n + 2);
    for (uint32_t i = 0; i < n; i++)
        w[i] = cells[i].quantity;
    ChargeMethod m = sd->method;
    if (m == CHARGE_CAPACITY && q > sd->capacity) {
        Diag *d = diag_at(c, D_SB_CAPACITY, row_loc(x->svc, row),
                          "the customers of `%s` use %g units of its capacity of %g",
                          x->svc->names[row], q, sd->capacity);
        diag_hint(c, d, "they are charged proportionally");
        m = CHARGE_PROPORTIONAL;
    }
    if (m == CHARGE_TIERED) {
        int64_t charged = 0;
        for (uint32_t i = 0; i < n; i++) {
            int64_t amount;
            double whole = round(tiered_amount(sd, cells[i].quantity) * 100);
            if (!(whole < (double)MAX_CENTS)) {
                diag_at(c, D_SB_CENTS, row_loc(x->svc, row), "the tiered charge of `%s` is too "
                        "large to count to the cent", x->svc->names[row]);
                whole = 0;
            }
            amount = (int64_t)whole;
            double split[2] = {(double)s->direct, (double)s->shared};
            int64_t parts[2];
            if (full == 0)
                split[0] = 1;
            showback_split(c, amount, split, 2, parts);
            cells[i].direct = parts[0];
            cells[i].shared = parts[1];
            charged = add_cents(x, charged, amount);
        }
        s->charged = charged;
        s->unallocated = full - charged;
        if (s->unallocated)
            s->why = s->unallocated > 0 ? "not recovered by the tiered rates"
                                        : "recovered over cost by the tiered rates";
        return;
    }
    uint32_t nw = n;
    if (m == CHARGE_CAPACITY)
        w[nw++] = sd->capacity - q;   /* the unused capacity */
    double sum = 0;
    for (uint32_t i = 0; i < nw; i++)
        sum += w[i];
    if (!(sum > 0)) {
        s->unallocated = full;
        if (full) {
            s->why = m == CHARGE_CAPACITY ? "no capacity" : "no usage";
            if (m != CHARGE_CAPACITY)
                diag_at(c, D_SB_NO_USAGE, row_loc(x->svc, row),
                        "`%s` has a cost but no usage: it stays unallocated",
                        x->svc->names[row]);
        }
        return;
    }
    showback_split(c, s->direct, w, nw, direct);
    showback_split(c, s->shared, w, nw, shared);
    for (uint32_t i = 0; i < n; i++) {
        cells[i].direct = direct[i];
        cells[i].shared = shared[i];
        s->charged += direct[i] + shared[i];
    }
    if (m == CHARGE_CAPACITY) {
        s->unallocated = direct[n] + shared[n];
        if (s->unallocated)
            s->why = "unused capacity";
    }
}

static int by_service(const void *a, const void *b)
{
    const ShowbackCell *x = a, *y = b;
    if (x->service != y->service)
        return x->service < y->service ? -1 : 1;
    return x->customer < y->customer ? -1 : x->customer > y->customer;
}

static int by_customer(const void *a, const void *b)
{
    const ShowbackCell *x = a, *y = b;
    if (x->customer != y->customer)
        return x->customer < y->customer ? -1 : 1;
    return x->service < y->service ? -1 : x->service > y->service;
}

/* allocated + unallocated = cost, per pool, per service and in all (S1404). */
static void reconcile(Ctx *x)
{
    Compilation *c = x->c;
    Showback *sb = x->sb;
    bool ok = true;
    for (uint32_t i = 0; i < sb->npools; i++) {
        ShowbackPool *pl = &sb->pools[i];
        sb->pools_total = add_cents(x, sb->pools_total, pl->cost);
        sb->unallocated_total = add_cents(x, sb->unallocated_total, pl->unallocated);
        if (pl->allocated + pl->unallocated != pl->cost) {
            diag_at(c, D_SB_RECONCILE, pl->loc,
                    "pool `%s`: allocated %lld + unallocated %lld cents != cost %lld cents",
                    pl->name, (long long)pl->allocated, (long long)pl->unallocated,
                    (long long)pl->cost);
            ok = false;
        }
    }
    int64_t *charged = ARENA_ARRAY(&c->arena, int64_t, sb->nservices + 1);
    for (uint32_t i = 0; i < sb->ncells; i++)
        charged[sb->cells[i].service] = add_cents(x, charged[sb->cells[i].service],
                                                  sb->cells[i].direct + sb->cells[i].shared);
    for (uint32_t r = 0; r < sb->nservices; r++) {
        ShowbackService *s = &sb->services[r];
        if (!s->in_scope)
            continue;
        sb->direct_total = add_cents(x, sb->direct_total, s->direct);
        sb->charged_total = add_cents(x, sb->charged_total, charged[r]);
        sb->unallocated_total = add_cents(x, sb->unallocated_total, s->unallocated);
        if (charged[r] + s->unallocated != s->direct + s->shared) {
            diag_at(c, D_SB_RECONCILE, row_loc(x->svc, r),
                    "service `%s`: charged %lld + unallocated %lld cents != direct %lld + "
                    "shared %lld cents", x->svc->names[r], (long long)charged[r],
                    (long long)s->unallocated, (long long)s->direct, (long long)s->shared);
            ok = false;
        }
    }
    if (x->overflow) {
        diag_at(c, D_SB_CENTS, x->p->strategy.decl ? x->p->strategy.decl->loc : (Loc){0, 0, 0},
                "the show-back amounts add up past what can be counted to the cent");
        ok = false;
    } else if (sb->charged_total + sb->unallocated_total != sb->pools_total + sb->direct_total) {
        diag_at(c, D_SB_RECONCILE,
                x->p->strategy.decl ? x->p->strategy.decl->loc : (Loc){0, 0, 0},
                "charged %lld + unallocated %lld cents != pools %lld + direct %lld cents",
                (long long)sb->charged_total, (long long)sb->unallocated_total,
                (long long)sb->pools_total, (long long)sb->direct_total);
        ok = false;
    }
    sb->reconciled = ok;
}

static bool in_use(Compilation *c)
{
    if (c->program->pools.len || c->program->showback_rows)
        return true;
    for (uint32_t i = 0; i < c->program->loads.len; i++)
        if (showback_load_kind(((Decl *)c->program->loads.items[i])->name))
            return true;
    KindTable *svc = kind_table(c, EK_SERVICE);
    for (uint32_t r = 0; r < svc->count; r++)
        if (row_decl(svc, r))
            for (Item *it = row_decl(svc, r)->items; it; it = it->next)
                if (it->kind == ITEM_LIFECYCLE && (named(it, "usage") || named(it, "charge")))
                    return true;
    return false;
}

void showback_run(Compilation *c)
{
    if (!in_use(c))
        return;
    Program *p = c->program;
    Ctx x = {0};
    x.c = c;
    x.p = p;
    x.svc = kind_table(c, EK_SERVICE);
    x.cust = kind_table(c, EK_CUSTOMER);
    uint32_t nsvc = x.svc->count;
    Showback *sb = ARENA_NEW(&c->arena, Showback);
    x.sb = sb;
    sb->currency = p->strategy.currency;
    sb->nservices = nsvc;
    sb->services = ARENA_ARRAY(&c->arena, ShowbackService, nsvc + 1);
    x.sd = ARENA_ARRAY(&c->arena, ServiceDecl, nsvc + 1);
    int32_t *seen = ARENA_ARRAY(&c->arena, int32_t, x.cust->count + 1);
    int cost_slot = attr_slot(x.svc, c->n.cost);
    if (cost_slot >= 0 && x.svc->attrs[cost_slot].type.kind != T_NUMBER)
        cost_slot = -1;
    /* pass 1: the services' blocks and direct costs */
    for (uint32_t r = 0; r < nsvc; r++) {
        ShowbackService *s = &sb->services[r];
        s->in_scope = is_live(&x, r);
        for (Item *it = row_decl(x.svc, r) ? row_decl(x.svc, r)->items : NULL; it; it = it->next) {
            if (it->kind != ITEM_LIFECYCLE)
                continue;
            if (named(it, "usage") && !x.sd[r].usage) {
                x.sd[r].usage = it;
                read_usage(&x, r, it, seen);
            } else if (named(it, "charge") && !x.sd[r].charge) {
                x.sd[r].charge = it;
                read_charge(&x, r, it);
            }
        }
    }
    if (p->showback_rows)
        read_usage_rows(&x, p->showback_rows);
    for (uint32_t i = 0; i < x.ncells; i++)
        sb->services[x.cells[i].service].in_scope = true;
    for (uint32_t r = 0; r < nsvc; r++) {
        double v = cost_slot >= 0 ? col_num(x.svc, cost_slot, r) : NAN;
        if (!sb->services[r].in_scope || isnan(v))
            continue;
        Loc at = attr_loc(x.svc, cost_slot, r);
        if (not_negative(&x, v, at, "a service's cost"))
            to_cents(&x, v, at, "the cost", &sb->services[r].direct);
    }
    /* the pools: checked, and allocated once nothing blocks running */
    bool run = !diag_blocked(c);
    Eval *ev = NULL;
    if (run) {
        ev = ARENA_NEW(&c->arena, Eval);
        eval_init(ev, c);
    }
    gather_pools(&x);
    for (uint32_t i = 0; i < sb->npools; i++)
        allocate_pool(&x, ev, &sb->pools[i]);
    if (!run || diag_blocked(c))
        return;
    /* pass 2: each service's full cost to its customers */
    sb->cells = x.cells;
    sb->ncells = x.ncells;
    if (sb->ncells)
        qsort(sb->cells, sb->ncells, sizeof *sb->cells, by_service);
    /* rows of a long CSV for the same service and customer add up */
    uint32_t kept = 0;
    for (uint32_t k = 0; k < sb->ncells; k++) {
        if (kept && sb->cells[kept - 1].service == sb->cells[k].service &&
            sb->cells[kept - 1].customer == sb->cells[k].customer)
            sb->cells[kept - 1].quantity += sb->cells[k].quantity;
        else
            sb->cells[kept++] = sb->cells[k];
    }
    sb->ncells = kept;
    uint32_t i = 0;
    for (uint32_t r = 0; r < nsvc; r++) {
        uint32_t first = i;
        while (i < sb->ncells && sb->cells[i].service == r)
            i++;
        if (sb->services[r].in_scope)
            charge_service(&x, r, sb->cells + first, i - first);
    }
    reconcile(&x);
    /* what scores read: sorted by service, as the cells are now */
    ShowbackValues *vals = ARENA_NEW(&c->arena, ShowbackValues);
    vals->full_cost = ARENA_ARRAY(&c->arena, double, nsvc + 1);
    vals->first = ARENA_ARRAY(&c->arena, uint32_t, nsvc + 2);
    vals->customer = ARENA_ARRAY(&c->arena, int32_t, sb->ncells + 1);
    vals->charge = ARENA_ARRAY(&c->arena, double, sb->ncells + 1);
    for (uint32_t r = 0, k = 0; r <= nsvc; r++) {
        vals->first[r] = k;
        if (r == nsvc)
            break;
        ShowbackService *s = &sb->services[r];
        vals->full_cost[r] = s->in_scope ? (double)(s->direct + s->shared) / 100 : 0;
        while (k < sb->ncells && sb->cells[k].service == r) {
            vals->customer[k] = (int32_t)sb->cells[k].customer;
            vals->charge[k] = (double)(sb->cells[k].direct + sb->cells[k].shared) / 100;
            k++;
        }
    }
    if (sb->ncells)
        qsort(sb->cells, sb->ncells, sizeof *sb->cells, by_customer);
    p->showback = sb;
    p->showback_values = vals;
}

/* ---- writing ---------------------------------------------------------------------- */

/* Exact cents as a decimal: -1234.05 */
static const char *cents_text(char *buf, size_t size, int64_t cents)
{
    unsigned long long a = cents < 0 ? 0ULL - (unsigned long long)cents
                                     : (unsigned long long)cents;
    snprintf(buf, size, "%s%llu.%02llu", cents < 0 ? "-" : "", a / 100, a % 100);
    return buf;
}

static const char *money(char *buf, size_t size, int64_t cents)
{
    return num_money(buf, size, (double)cents / 100, NULL);
}

/* A row of the report: the cells of one table line, as text. */
enum { COLS = 8 };
typedef struct Line {
    const char *kind;             /* charge, customer_total, unallocated, total */
    const char *col[COLS];        /* customer, service, quantity, rate, direct,
                                     shared, total, share */
    int64_t direct, shared, total;
    double quantity, rate, share;   /* NaN when empty */
    const char *why;
} Line;

typedef struct Report {
    Line *lines;
    uint32_t n, cap;
} Report;

static Line *line_add(Compilation *c, Report *r, const char *kind)
{
    if (r->n == r->cap) {
        uint32_t cap = r->cap ? r->cap * 2 : 32;
        r->lines = arena_realloc(&c->arena, r->lines, sizeof *r->lines * r->cap,
                                 sizeof *r->lines * cap);
        r->cap = cap;
    }
    Line *l = &r->lines[r->n++];
    memset(l, 0, sizeof *l);
    l->kind = kind;
    l->quantity = l->rate = l->share = NAN;
    return l;
}

static const char *quantity_text(Compilation *c, double q)
{
    char buf[40];
    return isnan(q) ? "" : arena_printf(&c->arena, "%s", format_double(buf, sizeof buf, q));
}

/* Fills the text columns of a line from its numbers. */
static void line_text(Compilation *c, Line *l)
{
    char buf[64];
    l->col[2] = quantity_text(c, l->quantity);
    l->col[3] = isnan(l->rate) ? "" : arena_printf(&c->arena, "%.4f", l->rate);
    l->col[4] = l->kind[0] == 'u' ? "" : arena_printf(&c->arena, "%s", money(buf, sizeof buf,
                                                                               l->direct));
    l->col[5] = l->kind[0] == 'u' ? "" : arena_printf(&c->arena, "%s", money(buf, sizeof buf,
                                                                               l->shared));
    l->col[6] = arena_printf(&c->arena, "%s", money(buf, sizeof buf, l->total));
    l->col[7] = isnan(l->share) ? "" : arena_printf(&c->arena, "%.1f%%", l->share * 100);
}

/* The lines of the report, in order: per customer its charges and total,
 * then the unallocated lines, then the grand total. */
static Report build_report(Compilation *c, const Showback *sb)
{
    Report r = {0};
    KindTable *svc = kind_table(c, EK_SERVICE);
    KindTable *cust = kind_table(c, EK_CUSTOMER);
    for (uint32_t i = 0; i < sb->ncells;) {
        uint32_t who = sb->cells[i].customer;
        int64_t d = 0, s = 0;
        for (; i < sb->ncells && sb->cells[i].customer == who; i++) {
            const ShowbackCell *cell = &sb->cells[i];
            const ShowbackService *sv = &sb->services[cell->service];
            Line *l = line_add(c, &r, "charge");
            l->col[0] = cust->names[who];
            l->col[1] = svc->names[cell->service];
            l->quantity = cell->quantity;
            l->direct = cell->direct;
            l->shared = cell->shared;
            l->total = cell->direct + cell->shared;
            l->rate = cell->quantity > 0 ? (double)l->total / 100 / cell->quantity : NAN;
            int64_t full = sv->direct + sv->shared;
            l->share = full ? (double)l->total / (double)full : NAN;
            d += cell->direct;
            s += cell->shared;
        }
        Line *t = line_add(c, &r, "customer_total");
        t->col[0] = cust->names[who];
        t->col[1] = "(total)";
        t->direct = d;
        t->shared = s;
        t->total = d + s;
        t->share = sb->charged_total ? (double)t->total / (double)sb->charged_total : NAN;
    }
    for (uint32_t k = 0; k < sb->npools; k++) {
        const ShowbackPool *pl = &sb->pools[k];
        if (!pl->unallocated)
            continue;
        Line *l = line_add(c, &r, "unallocated");
        l->col[0] = "(unallocated)";
        l->col[1] = arena_printf(&c->arena, "pool %s", pl->name);
        l->total = pl->unallocated;
        l->why = "no target";
    }
    for (uint32_t k = 0; k < sb->nservices; k++) {
        const ShowbackService *sv = &sb->services[k];
        if (!sv->in_scope || !sv->unallocated)
            continue;
        Line *l = line_add(c, &r, "unallocated");
        l->col[0] = "(unallocated)";
        l->col[1] = svc->names[k];
        l->total = sv->unallocated;
        if (sv->method == CHARGE_CAPACITY && sv->why && strcmp(sv->why, "unused capacity") == 0) {
            l->quantity = sv->capacity - sv->quantity;
            l->why = arena_printf(&c->arena, "unused capacity: %s of %s units",
                                  quantity_text(c, sv->capacity - sv->quantity),
                                  quantity_text(c, sv->capacity));
        } else {
            l->why = sv->why;
        }
    }
    Line *t = line_add(c, &r, "total");
    t->col[0] = "(total)";
    t->col[1] = "";
    /* the whole cost: the services' own and the pools' */
    t->direct = sb->direct_total;
    t->shared = sb->pools_total;
    t->total = sb->charged_total + sb->unallocated_total;
    for (uint32_t k = 0; k < r.n; k++)
        line_text(c, &r.lines[k]);
    return r;
}

static const char *const headings[COLS] = {"customer", "service", "quantity", "rate",
                                            "direct", "shared", "total", "share"};

static void reconciliation_text(const Showback *sb, FILE *out)
{
    char a[64], b[64], d[64], e[64];
    fprintf(out, "pools %s + direct %s = charged %s + unallocated %s: %s\n",
            money(a, sizeof a, sb->pools_total), money(b, sizeof b, sb->direct_total),
            money(d, sizeof d, sb->charged_total), money(e, sizeof e, sb->unallocated_total),
            sb->reconciled ? "reconciled to the cent" : "DOES NOT RECONCILE");
}

static void emit_table(Compilation *c, const Showback *sb, const Report *r, FILE *out)
{
    size_t width[COLS];
    for (int k = 0; k < COLS; k++)
        width[k] = strlen(headings[k]);
    for (uint32_t i = 0; i < r->n; i++)
        for (int k = 0; k < COLS; k++)
            if (strlen(r->lines[i].col[k]) > width[k])
                width[k] = strlen(r->lines[i].col[k]);
    fprintf(out, "show-back%s%s\n\n", sb->currency ? ", amounts in " : "",
            sb->currency ? sb->currency : "");
    for (int k = 0; k < COLS; k++)
        fprintf(out, k < 2 ? "%-*s  " : k < COLS - 1 ? "%*s  " : "%*s\n", (int)width[k],
                headings[k]);
    for (uint32_t i = 0; i < r->n; i++) {
        const Line *l = &r->lines[i];
        char row[1024];
        size_t n = 0;
        for (int k = 0; k < COLS && n < sizeof row; k++)
            n += (size_t)snprintf(row + n, sizeof row - n, k < 2 ? "%-*s  " : "%*s  ",
                                  (int)width[k], l->col[k]);
        while (n > 0 && row[n - 1] == ' ')
            n--;
        fprintf(out, "%.*s\n", (int)n, row);
    }
    bool any = false;
    for (uint32_t i = 0; i < r->n; i++)
        if (r->lines[i].why) {
            if (!any)
                fputs("\nunallocated:\n", out);
            any = true;
            fprintf(out, "  %s: %s\n", r->lines[i].col[1], r->lines[i].why);
        }
    fputc('\n', out);
    reconciliation_text(sb, out);
    (void)c;
}

static void csv_field(FILE *out, const char *s)
{
    if (strpbrk(s, ",\"\n\r")) {
        fputc('"', out);
        for (; *s; s++) {
            if (*s == '"')
                fputc('"', out);
            fputc(*s, out);
        }
        fputc('"', out);
    } else {
        fputs(s, out);
    }
}

static void emit_csv(const Report *r, FILE *out)
{
    fputs("line,customer,service,quantity,rate,direct,shared,total,share,note\n", out);
    char buf[64];
    for (uint32_t i = 0; i < r->n; i++) {
        const Line *l = &r->lines[i];
        fprintf(out, "%s,", l->kind);
        csv_field(out, l->kind[0] == 'c' ? l->col[0] : "");
        fputc(',', out);
        csv_field(out, strcmp(l->kind, "charge") == 0 || l->kind[0] == 'u' ? l->col[1] : "");
        fprintf(out, ",%s,", isnan(l->quantity) ? "" : format_double(buf, sizeof buf, l->quantity));
        fprintf(out, "%s,", isnan(l->rate) ? "" : format_double(buf, sizeof buf, l->rate));
        if (l->kind[0] == 'u')
            fputs(",,", out);
        else {
            fprintf(out, "%s,", cents_text(buf, sizeof buf, l->direct));
            fprintf(out, "%s,", cents_text(buf, sizeof buf, l->shared));
        }
        fprintf(out, "%s,", cents_text(buf, sizeof buf, l->total));
        fprintf(out, "%s,", isnan(l->share) ? "" : format_double(buf, sizeof buf, l->share));
        csv_field(out, l->why ? l->why : "");
        fputc('\n', out);
    }
}

static void json_cents(FILE *out, int64_t cents)
{
    char buf[64];
    fputs(cents_text(buf, sizeof buf, cents), out);
}

static void emit_json(const Showback *sb, const Report *r, FILE *out)
{
    fputs("{\"currency\": ", out);
    if (sb->currency)
        json_string(out, sb->currency);
    else
        fputs("null", out);
    fputs(",\n \"lines\": [", out);
    for (uint32_t i = 0; i < r->n; i++) {
        const Line *l = &r->lines[i];
        fputs(i ? ",\n  {" : "\n  {", out);
        fputs("\"line\": ", out);
        json_string(out, l->kind);
        if (l->kind[0] == 'c') {
            fputs(", \"customer\": ", out);
            json_string(out, l->col[0]);
        }
        if (l->kind[0] == 'c' && strcmp(l->kind, "charge") == 0) {
            fputs(", \"service\": ", out);
            json_string(out, l->col[1]);
        }
        if (l->kind[0] == 'u') {
            fputs(strncmp(l->col[1], "pool ", 5) == 0 ? ", \"pool\": " : ", \"service\": ", out);
            json_string(out, strncmp(l->col[1], "pool ", 5) == 0 ? l->col[1] + 5 : l->col[1]);
        }
        if (!isnan(l->quantity)) {
            fputs(", \"quantity\": ", out);
            json_number(out, l->quantity);
        }
        if (!isnan(l->rate)) {
            fputs(", \"rate\": ", out);
            json_number(out, l->rate);
        }
        if (l->kind[0] != 'u') {
            fputs(", \"direct\": ", out);
            json_cents(out, l->direct);
            fputs(", \"shared\": ", out);
            json_cents(out, l->shared);
        }
        fputs(", \"total\": ", out);
        json_cents(out, l->total);
        if (!isnan(l->share)) {
            fputs(", \"share\": ", out);
            json_number(out, l->share);
        }
        if (l->why) {
            fputs(", \"note\": ", out);
            json_string(out, l->why);
        }
        fputc('}', out);
    }
    fputs("],\n \"pools\": ", out);
    json_cents(out, sb->pools_total);
    fputs(", \"direct\": ", out);
    json_cents(out, sb->direct_total);
    fputs(", \"charged\": ", out);
    json_cents(out, sb->charged_total);
    fputs(", \"unallocated\": ", out);
    json_cents(out, sb->unallocated_total);
    fprintf(out, ", \"reconciled\": %s}\n", sb->reconciled ? "true" : "false");
}

/* Markdown table cell text: | and backslash escaped. */
static void md_cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|' || *s == '\\' || *s == '*' || *s == '_')
            fputc('\\', out);
        fputc(*s, out);
    }
}

static void emit_markdown(const Showback *sb, const Report *r, FILE *out)
{
    fprintf(out, "## Show-back%s%s%s\n\n", sb->currency ? " (" : "",
            sb->currency ? sb->currency : "", sb->currency ? ")" : "");
    for (int k = 0; k < COLS; k++)
        fprintf(out, "| %s ", headings[k]);
    fputs("|\n", out);
    for (int k = 0; k < COLS; k++)
        fputs(k < 2 ? "|---" : "|---:", out);
    fputs("|\n", out);
    for (uint32_t i = 0; i < r->n; i++) {
        const Line *l = &r->lines[i];
        bool strong = strcmp(l->kind, "charge") != 0;
        for (int k = 0; k < COLS; k++) {
            fputs("| ", out);
            if (strong && *l->col[k])
                fputs("**", out);
            md_cell(out, l->col[k]);
            if (strong && *l->col[k])
                fputs("**", out);
            fputc(' ', out);
        }
        fputs("|\n", out);
    }
    bool any = false;
    for (uint32_t i = 0; i < r->n; i++)
        if (r->lines[i].why) {
            if (!any)
                fputs("\nUnallocated:\n\n", out);
            any = true;
            fputs("- ", out);
            md_cell(out, r->lines[i].col[1]);
            fputs(": ", out);
            md_cell(out, r->lines[i].why);
            fputc('\n', out);
        }
    fputc('\n', out);
    reconciliation_text(sb, out);
}

void showback_emit(Compilation *c, FILE *out, ShowbackFormat fmt)
{
    const Showback *sb = c->program ? c->program->showback : NULL;
    Showback empty = {0};
    if (!sb) {
        empty.currency = c->program ? c->program->strategy.currency : NULL;
        empty.reconciled = true;
        sb = &empty;
    }
    Report r = build_report(c, sb);
    switch (fmt) {
    case SHOWBACK_TABLE: emit_table(c, sb, &r, out); break;
    case SHOWBACK_CSV: emit_csv(&r, out); break;
    case SHOWBACK_JSON: emit_json(sb, &r, out); break;
    case SHOWBACK_MARKDOWN: emit_markdown(sb, &r, out); break;
    }
}

static void html_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*s, out);
        }
    }
}

void showback_emit_html(Compilation *c, FILE *out)
{
    const Showback *sb = c->program ? c->program->showback : NULL;
    if (!sb)
        return;
    Report r = build_report(c, sb);
    fputs("<section id=\"showback\">\n<h2>Show-back", out);
    if (sb->currency) {
        fputs(" (", out);
        html_text(out, sb->currency);
        fputc(')', out);
    }
    fputs("</h2>\n<table class=\"showback\">\n<thead><tr>", out);
    for (int k = 0; k < COLS; k++)
        fprintf(out, "<th%s>%s</th>", k < 2 ? "" : " class=\"num\"", headings[k]);
    fputs("</tr></thead>\n<tbody>\n", out);
    for (uint32_t i = 0; i < r.n; i++) {
        const Line *l = &r.lines[i];
        fprintf(out, "<tr class=\"%s\">", l->kind);
        for (int k = 0; k < COLS; k++) {
            fputs(k < 2 ? "<td>" : "<td class=\"num\">", out);
            html_text(out, l->col[k]);
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
    bool any = false;
    for (uint32_t i = 0; i < r.n; i++)
        if (r.lines[i].why) {
            fputs(any ? "" : "<ul class=\"unallocated\">\n", out);
            any = true;
            fputs("<li>", out);
            html_text(out, r.lines[i].col[1]);
            fputs(": ", out);
            html_text(out, r.lines[i].why);
            fputs("</li>\n", out);
        }
    if (any)
        fputs("</ul>\n", out);
    char a[64], b[64], d[64], e[64];
    fprintf(out, "<p class=\"reconciliation\">pools %s + direct %s = charged %s + unallocated "
                 "%s: %s</p>\n</section>\n",
            money(a, sizeof a, sb->pools_total), money(b, sizeof b, sb->direct_total),
            money(d, sizeof d, sb->charged_total), money(e, sizeof e, sb->unallocated_total),
            sb->reconciled ? "reconciled to the cent" : "does not reconcile");
}
