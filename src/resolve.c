/*
 * resolve.c — from declarations to a Program: names, schemas and values.
 *
 * Takes the declarations of every loaded file (c->decls) and fills the
 * Program of program.h: one table per entity kind with a column per
 * attribute, the strategy, risks, value-stream stages, and the registered
 * consts, scores, rules, waivers and governance blocks.  In three passes,
 * each over all declarations, which the pipeline (api.c) runs around the
 * CSV loads:
 *   1. resolve_names: the schemas (attributes of each kind) and the names
 *      of every entity, const, score and rule, so that references may
 *      point forward; the strategy block;
 *   2. resolve_values: attribute values of entities (references resolved
 *      to rows), waivers, approvals, the appetite;
 *   3. resolve_defaults: defaults and required attributes.
 * Every problem is a diagnostic at the offending place; nothing stops at
 * the first error.  Expressions are typecheck.c's.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "diag.h"
#include "intern.h"
#include "resolve.h"
#include "source.h"

static const char *article(const char *word)
{
    return strchr("aeiou", word[0]) ? "an" : "a";
}


/* ---- constant expressions ---------------------------------------------- */

/* The consts const_number would meet in e, in the order it meets them:
 * through the shapes it accepts (literals, names, unary minus, + - * /). */
static void const_number_refs(Compilation *c, Expr *e, PtrVec *out)
{
    switch (e->kind) {
    case EX_UNARY:
        if (e->u.ops.op == OP_NEG)
            const_number_refs(c, e->u.ops.a, out);
        break;
    case EX_BINARY:
        if (e->u.ops.op == OP_ADD || e->u.ops.op == OP_SUB || e->u.ops.op == OP_MUL ||
            e->u.ops.op == OP_DIV) {
            const_number_refs(c, e->u.ops.a, out);
            const_number_refs(c, e->u.ops.b, out);
        }
        break;
    case EX_NAME: {
        Const *k = program_const(c, e->u.name.id);
        if (k)
            ptrvec_push(&c->arena, out, k);
        break;
    }
    default:
        break;
    }
}

/* One const being resolved, and how far through the consts it uses. */
typedef struct ConstFrame {
    Const *k;
    PtrVec deps;
    uint32_t next;
} ConstFrame;

/* Evaluates k as a constant number, each const it uses before it: a loop
 * over an explicit stack, not recursion through const_number, so a chain
 * of consts as long as a file can hold costs no C stack.  A const met
 * again while it is still on the stack closes a cycle: it stays
 * `evaluating`, and const_number reports it where the body names it. */
static void const_resolve(Compilation *c, Const *k, bool report)
{
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
            const_number_refs(c, push->decl->expr, &f->deps);
            push = NULL;
        }
        ConstFrame *top = &stack[depth - 1];
        if (top->next < top->deps.len) {
            Const *dep = top->deps.items[top->next++];
            if (!dep->evaluated && !dep->evaluating) {
                dep->evaluating = true;
                push = dep;
            }
            continue;
        }
        /* every const the body uses is known (or on a cycle) */
        Const *done = top->k;
        bool ok = const_number(c, done->decl->expr, &done->value, report);
        done->evaluating = false;
        done->evaluated = true;
        if (!ok)
            done->value = NAN;
        depth--;
    }
}

/* Evaluates a constant numeric expression: literals, consts, the
 * strategy's budget, and arithmetic.  Reports and returns false if the
 * expression is not one. */
bool const_number(Compilation *c, Expr *e, double *out, bool report)
{
    switch (e->kind) {
    case EX_NUMBER:
        *out = e->u.num.value;
        return true;
    case EX_UNARY:
        if (e->u.ops.op == OP_NEG && const_number(c, e->u.ops.a, out, report)) {
            *out = -*out;
            return true;
        }
        break;
    case EX_BINARY: {
        double a, b;
        Op op = e->u.ops.op;
        if (op != OP_ADD && op != OP_SUB && op != OP_MUL && op != OP_DIV)
            break;
        if (!const_number(c, e->u.ops.a, &a, report) ||
            !const_number(c, e->u.ops.b, &b, report))
            return false;
        if (op == OP_DIV && b == 0) {
            if (report)
                diag_at(c, D_DIV_ZERO, e->u.ops.b->loc, "division by constant zero");
            return false;
        }
        *out = op == OP_ADD ? a + b : op == OP_SUB ? a - b : op == OP_MUL ? a * b : a / b;
        return true;
    }
    case EX_NAME: {
        Const *k = program_const(c, e->u.name.id);
        /* a name no check has resolved yet (an appetite level, an
         * attribute's value) is resolved here; typecheck's answer, which
         * knows bound variables, stands where there is one */
        if (!e->u.name.sym && k)
            e->u.name.sym = &k->sym;
        if (k) {
            if (k->evaluating) {
                if (report)
                    diag_at(c, D_NOT_CONST, e->loc, "`%s` is defined in terms of itself",
                            k->name);
                return false;
            }
            if (!k->evaluated)
                const_resolve(c, k, report);
            *out = k->value;
            return !isnan(k->value);
        }
        if (e->u.name.id == c->n.budget && !isnan(c->program->strategy.budget)) {
            if (!e->u.name.sym)
                e->u.name.sym = &c->program->budget_sym;
            *out = c->program->strategy.budget;
            return true;
        }
        break;
    }
    default:
        break;
    }
    if (report)
        diag_at(c, D_TYPE, e->loc, "expected a constant number");
    return false;
}

/* ---- attribute values ---------------------------------------------------- */

/* True when `best` is the only name of `kinds` as close to `name` as it
 * is: then replacing the typo with it is safe to do unread (strat fix). */
static bool suggestion_unique(Compilation *c, unsigned kinds, Name name, Name best)
{
    Suggester all, rest;
    suggest_begin(&all, name);
    suggest_begin(&rest, name);
    for (int k = 0; k < EK_COUNT; k++) {
        if (!(kinds & KIND_BIT(k)))
            continue;
        KindTable *t = kind_table(c, (EntityKind)k);
        for (uint32_t r = 0; r < t->count && t->count <= 20000; r++) {
            suggest_offer(&all, t->names[r]);
            if (t->names[r] != best)
                suggest_offer(&rest, t->names[r]);
        }
    }
    return suggest_best(&all) == best && (!suggest_best(&rest) || rest.best_d > all.best_d);
}

static void report_undefined(Compilation *c, Loc loc, Name name, unsigned kinds)
{
    if (diag_undefined_silenced(c, name))
        return;   /* a failed import or a broken declaration says why */
    /* defined, but of another kind? */
    for (int k = 0; k < EK_COUNT; k++) {
        if (kinds & KIND_BIT(k))
            continue;
        if (kind_lookup(kind_table(c, (EntityKind)k), name) >= 0) {
            Diag *d = diag_at(c, D_WRONG_KIND, loc, "`%s` is %s %s, but %s %s is expected here",
                              name, article(entity_kind_name(k)), entity_kind_name(k),
                              article(kinds_text(c, kinds)), kinds_text(c, kinds));
            KindTable *t = kind_table(c, (EntityKind)k);
            diag_note(c, d, row_loc(t, kind_lookup(t, name)), "`%s` is declared here", name);
            return;
        }
    }
    Diag *d = diag_at(c, D_UNDEFINED, loc, "undefined %s `%s`", kinds_text(c, kinds), name);
    Name s = suggest_entity(c, kinds, name);
    if (s) {
        diag_hint(c, d, "did you mean `%s`?", s);
        size_t written = loc.end - loc.start;   /* the name as written, maybe in backticks */
        if (written == strlen(name) || written == strlen(name) + 2)
            diag_fix(c, d, loc, name_spelling(&c->arena, s), suggestion_unique(c, kinds, name, s));
    }
}

/* Resolves a reference to an entity of one of `kinds`: row, or -1 (reported). */
static int32_t resolve_ref(Compilation *c, Expr *e, unsigned kinds, EntityKind *kind_out)
{
    if (e->kind != EX_NAME) {
        diag_at(c, D_TYPE, e->loc, "expected the name of a %s", kinds_text(c, kinds));
        return -1;
    }
    for (int k = 0; k < EK_COUNT; k++) {
        if (!(kinds & KIND_BIT(k)))
            continue;
        int32_t r = kind_lookup(kind_table(c, (EntityKind)k), e->u.name.id);
        if (r >= 0) {
            e->u.name.sym = entity_symbol(c, (EntityKind)k, r);
            if (kind_out)
                *kind_out = (EntityKind)k;
            return r;
        }
    }
    report_undefined(c, e->loc, e->u.name.id, kinds);
    return -1;
}

static bool check_bounds(Compilation *c, const AttrDef *a, double v, Loc loc)
{
    if (a->whole && v != floor(v)) {
        char vb[32];
        snprintf(vb, sizeof vb, "%.17g", v);
        Diag *d = diag_at(c, D_TYPE, loc, "`%s` is an int: %s is not a whole number",
                          a->name, vb);
        if (a->loc.file)
            diag_note(c, d, a->loc, "the schema of `%s` is here", a->name);
        return false;
    }
    bool low = a->has_min && (a->min_excl ? !(v > a->min) : !(v >= a->min));
    bool high = a->has_max && (a->max_excl ? !(v < a->max) : !(v <= a->max));
    if (!low && !high)
        return true;
    char vb[32], lo[32], hi[32];
    snprintf(vb, sizeof vb, "%g", v);
    snprintf(lo, sizeof lo, "%g", a->min);
    snprintf(hi, sizeof hi, "%g", a->max);
    Diag *d;
    if (a->has_min && a->has_max && !a->min_excl && !a->max_excl)
        d = diag_at(c, D_RANGE, loc, "`%s` = %s is out of range %s..%s", a->name, vb, lo, hi);
    else if (a->has_min && a->has_max)   /* both bounds: the whole range */
        d = diag_at(c, D_RANGE, loc, "`%s` = %s must be %s %s and %s %s", a->name, vb,
                    a->min_excl ? ">" : ">=", lo, a->max_excl ? "<" : "<=", hi);
    else if (low)
        d = diag_at(c, D_RANGE, loc, "`%s` = %s must be %s %s", a->name, vb,
                    a->min_excl ? ">" : ">=", lo);
    else
        d = diag_at(c, D_RANGE, loc, "`%s` = %s must be %s %s", a->name, vb,
                    a->max_excl ? "<" : "<=", hi);
    if (a->loc.file)
        diag_note(c, d, a->loc, "the schema of `%s` is here", a->name);
    return false;
}

static int32_t symbol_value(Compilation *c, const AttrDef *a, Expr *e)
{
    if (e->kind != EX_NAME) {
        Diag *d = diag_at(c, D_TYPE, e->loc, "`%s` takes a symbol", a->name);
        if (a->nallowed)
            diag_hint(c, d, "one of %s", "the values listed in the schema");
        return -1;
    }
    Name v = e->u.name.id;
    if (a->nallowed) {
        for (uint32_t i = 0; i < a->nallowed; i++)
            if (a->allowed[i] == v) {
                e->u.name.sym = &c->program->value_sym;
                return atom_id(c, v);
            }
        char list[256];
        size_t n = 0;
        list[0] = '\0';
        for (uint32_t i = 0; i < a->nallowed && n < sizeof list - 40; i++)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "",
                                  a->allowed[i]);
        Diag *d = diag_at(c, D_BAD_SYMBOL, e->loc, "`%s` is not a valid %s; expected %s",
                          v, a->name, list);
        Name s = suggest_name(v, a->allowed, a->nallowed);
        if (s)
            diag_hint(c, d, "did you mean `%s`?", s);
        return -1;
    }
    e->u.name.sym = &c->program->value_sym;
    return atom_id(c, v);
}

/* `launched = "2026-06-02"`: a date in quotes is a string.  S0501 with
 * the date unquoted as the fix (both readings when day and month may be
 * swapped); false when the string is no date at all. */
static bool report_quoted_date(Compilation *c, const AttrDef *a, const Expr *e)
{
    char iso[2][11];
    DateGuess g = date_guess(e->u.str.s, e->u.str.len, iso);
    if (g != DATE_UNIQUE && g != DATE_AMBIGUOUS)
        return false;
    Diag *d = diag_at(c, D_TYPE, e->loc, "`%s` takes a date, written without quotes; "
                                         "\"%s\" is a string", a->name, e->u.str.s);
    if (g == DATE_AMBIGUOUS)
        diag_hint(c, d, "\"%s\" reads as %s (day first) or %s (month first): write the one "
                        "meant", e->u.str.s, iso[0], iso[1]);
    diag_fix(c, d, e->loc, iso[0], g == DATE_UNIQUE);
    if (g == DATE_AMBIGUOUS)
        diag_fix(c, d, e->loc, iso[1], false);
    return true;
}

/* Converts one element for a list or scalar attribute; -1 when bad. */
static int32_t scalar_i32(Compilation *c, const AttrDef *a, const Type *t, Expr *e,
                          bool *ok)
{
    *ok = true;
    switch (t->kind) {
    case T_STRING:
        if (e->kind == EX_STRING)
            return atom_id(c, intern(c, e->u.str.s, e->u.str.len));
        break;
    case T_SYMBOL: {
        int32_t v = symbol_value(c, a, e);
        *ok = v >= 0;
        return v;
    }
    case T_DATE:
        if (e->kind == EX_DATE) {
            *ok = e->u.date != INT32_MIN;   /* an invalid date, reported */
            return e->u.date;
        }
        if (e->kind == EX_STRING && report_quoted_date(c, a, e)) {
            *ok = false;
            return -1;
        }
        break;
    case T_BOOL:
        if (e->kind == EX_BOOL)
            return e->u.boolean;
        break;
    case T_ENTITY: {
        EntityKind k = EK_ROLE;
        int32_t r = resolve_ref(c, e, t->kinds, &k);
        *ok = r >= 0;
        return r >= 0 ? ref_encode(t->kinds, k, r) : -1;
    }
    default:
        break;
    }
    *ok = false;
    diag_at(c, D_TYPE, e->loc, "`%s` takes a %s", a->name, type_name(c, t));
    return -1;
}

/* Writes the value of `e` into row's column `slot`. */
static void set_attr_value(Compilation *c, KindTable *t, uint32_t row, int slot, Expr *e)
{
    const AttrDef *a = &t->attrs[slot];
    Column *col = &t->cols[slot];
    attr_set_loc(c, t, slot, row, e->loc);
    column_materialize(c, t, slot);
    if (e->kind == EX_NONE)
        return;   /* explicitly absent */
    switch (a->type.kind) {
    case T_NUMBER: {
        double v;
        if (e->kind == EX_STRING || e->kind == EX_DATE || e->kind == EX_LIST ||
            e->kind == EX_BOOL) {
            diag_at(c, D_TYPE, e->loc, "`%s` takes a number", a->name);
            return;
        }
        if (!const_number(c, e, &v, true))
            return;
        check_bounds(c, a, v, e->loc);
        col->num[row] = v;
        return;
    }
    case T_LIST: {
        Expr **items = &e;
        uint32_t n = 1;
        if (e->kind == EX_LIST && e->u.list.npacked) {
            diag_at(c, D_TYPE, e->loc, "`%s` takes a list of %s, not of numbers", a->name,
                    type_name(c, a->type.elem));
            return;
        }
        if (e->kind == EX_LIST) {
            items = e->u.list.items;
            n = e->u.list.n;
        }
        uint32_t off = col->pool_len;
        for (uint32_t i = 0; i < n; i++) {
            bool ok;
            int32_t v = scalar_i32(c, a, a->type.elem, items[i], &ok);
            if (!ok)
                continue;
            /* duplicates are looked for in lists of reasonable size only:
             * the check is quadratic */
            bool dup = false;
            for (uint32_t j = off; n <= 256 && j < col->pool_len; j++)
                dup |= col->pool[j] == v;
            if (dup) {
                diag_sev(c, D_DUP_ATTR, SEV_WARNING, items[i]->loc,
                         "`%s` lists the same value twice", a->name);
                continue;
            }
            list_push(c, col, v);
        }
        col->list[row] = (ListSpan){off, col->pool_len - off};
        return;
    }
    default: {
        bool ok;
        int32_t v = scalar_i32(c, a, &a->type, e, &ok);
        if (ok)
            col->i32[row] = v;
        return;
    }
    }
}

static void report_unknown_attr(Compilation *c, Item *it, const char *where,
                                const Name *known, uint32_t nknown)
{
    Diag *d = diag_at(c, D_UNKNOWN_ATTR, it->loc, "unknown attribute `%s` in %s",
                      it->name, where);
    Name s = suggest_name(it->name, known, nknown);
    if (s)
        diag_hint(c, d, "did you mean `%s`?", s);
}

static void report_dup_attr(Compilation *c, Item *it, Item *first)
{
    Diag *d = diag_at(c, D_DUP_ATTR, it->loc, "`%s` is set twice", it->name);
    diag_note(c, d, first->loc, "first set here");
}

/* Fills first_dup for every item of a block in one pass over a small hash
 * table: a block with fifty thousand attributes is a hostile file, not a
 * reason for a quadratic scan. */
static void mark_duplicates(Compilation *c, Item *list)
{
    uint32_t n = 0;
    for (Item *i = list; i; i = i->next)
        n++;
    uint32_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    Item **table = ARENA_ARRAY(&c->arena, Item *, cap);
    for (Item *i = list; i; i = i->next) {
        uint32_t h = (uint32_t)(((uintptr_t)i->name >> 3) * 2654435761u) ^ (uint32_t)i->kind;
        uint32_t j = h & (cap - 1);
        i->first_dup = NULL;
        while (table[j]) {
            if (table[j]->name == i->name && table[j]->kind == i->kind) {
                i->first_dup = table[j];
                break;
            }
            j = (j + 1) & (cap - 1);
        }
        if (!table[j])
            table[j] = i;
    }
    list->dups_marked = true;
}

/* The first earlier item of the block with the same name and kind. */
static Item *find_earlier_item(Compilation *c, Item *list, Item *it)
{
    if (!list->dups_marked)
        mark_duplicates(c, list);
    return it->first_dup;
}

/* ---- risks and stages ---------------------------------------------------- */

static void add_risk(Compilation *c, uint32_t service, Item *blk)
{
    Program *p = c->program;
    if (p->nrisks == p->risks_cap) {
        uint32_t ncap = p->risks_cap ? p->risks_cap * 2 : 32;
        p->risks = arena_realloc(&c->arena, p->risks, sizeof(Risk) * p->risks_cap,
                                 sizeof(Risk) * ncap);
        p->risks_cap = ncap;
    }
    for (uint32_t i = p->nrisks; i-- > 0 && p->risks[i].service == service;)
        if (p->risks[i].category == blk->name) {
            Diag *d = diag_at(c, D_DUP_ATTR, blk->loc, "risk `%s` is declared twice",
                              blk->name);
            diag_note(c, d, p->risks[i].loc, "first declared here");
            return;
        }
    Risk *r = &p->risks[p->nrisks++];
    memset(r, 0, sizeof *r);
    r->service = service;
    r->category = blk->name;
    r->loc = blk->loc;
    r->likelihood = r->impact = NAN;
    r->owner = r->accepted_by = -1;
    Name known[] = {c->n.likelihood, c->n.impact, c->n.owner, c->n.accepted_by,
                    intern_cstr(c, "note")};
    bool likelihood_written = false, impact_written = false;
    for (Item *it = blk->items; it; it = it->next) {
        Item *first = find_earlier_item(c, blk->items, it);
        if (first) {
            report_dup_attr(c, it, first);
            continue;
        }
        if (it->kind != ITEM_ATTR) {
            diag_at(c, D_UNKNOWN_ATTR, it->loc, "a %s block cannot stand inside a risk",
                    it->kind == ITEM_RISK ? "risk" : it->kind == ITEM_STAGE ? "stage"
                                                                            : it->name);
            continue;
        }
        if (it->name == c->n.likelihood || it->name == c->n.impact) {
            /* written (right or wrong): not reported missing below */
            if (it->name == c->n.likelihood)
                likelihood_written = true;
            else
                impact_written = true;
            double v;
            if (!const_number(c, it->value, &v, true))
                continue;
            if (v < 1 || v > 5 || v != floor(v)) {
                Diag *dg = diag_at(c, D_RISK_FIELD, it->value->loc,
                                   "`%s` must be a whole number from 1 to 5, not %g", it->name,
                                   v);
                if (v > 5 && v <= 25)
                    diag_hint(c, dg, "likelihood and impact each run from 1 to 5; their "
                                     "product, the exposure, runs from 1 to 25");
                continue;
            }
            if (it->name == c->n.likelihood)
                r->likelihood = v;
            else
                r->impact = v;
        } else if (it->name == c->n.owner || it->name == c->n.accepted_by) {
            EntityKind k = EK_ROLE;
            int32_t row = resolve_ref(c, it->value,
                                      KIND_BIT(EK_ROLE) | KIND_BIT(EK_TEAM), &k);
            if (it->name == c->n.owner) {
                r->owner = row;
                r->owner_kind = k;
            } else {
                r->accepted_by = row;
                r->accepted_kind = k;
            }
        } else if (it->name == known[4]) {
            if (it->value->kind != EX_STRING)
                diag_at(c, D_TYPE, it->value->loc, "`note` takes a string");
        } else {
            report_unknown_attr(c, it, "a risk block", known, 5);
        }
    }
    if (!likelihood_written || !impact_written) {
        Diag *dg = diag_at(c, D_RISK_FIELD, blk->loc,
                           !likelihood_written && !impact_written
                               ? "risk `%s` has neither `likelihood` nor `impact`"
                           : impact_written ? "risk `%s` has no `likelihood`"
                                            : "risk `%s` has no `impact`",
                           blk->name);
        diag_hint(c, dg, "a risk needs both: `likelihood = N  impact = N`, each a whole "
                         "number from 1 to 5");
    }
}

static bool is_activity(Compilation *c, Name n)
{
    for (int i = 0; i < 6; i++)
        if (c->program->activity_names[i] == n)
            return true;
    return false;
}

static void add_stage(Compilation *c, uint32_t stream, Item *blk)
{
    Program *p = c->program;
    if (!is_activity(c, blk->name)) {
        Diag *d = diag_at(c, D_VS_ACTIVITY, blk->loc,
                          "`%s` is not an ITIL 4 value chain activity", blk->name);
        Name s = suggest_name(blk->name, p->activity_names, 6);
        if (s)
            diag_hint(c, d, "did you mean `%s`?", s);
        else
            diag_hint(c, d, "stages are plan, improve, engage, design_transition, "
                            "obtain_build or deliver_support");
    }
    if (p->nstages == p->stages_cap) {
        uint32_t ncap = p->stages_cap ? p->stages_cap * 2 : 16;
        p->stages = arena_realloc(&c->arena, p->stages, sizeof(Stage) * p->stages_cap,
                                  sizeof(Stage) * ncap);
        p->stages_cap = ncap;
    }
    Stage *st = &p->stages[p->nstages++];
    memset(st, 0, sizeof *st);
    st->stream = stream;
    st->activity = blk->name;
    st->loc = blk->loc;
    for (Item *it = blk->items; it; it = it->next) {
        if (it->kind != ITEM_ATTR || it->name != c->n.services) {
            Name known[] = {c->n.services};
            report_unknown_attr(c, it, "a stage", known, 1);
            continue;
        }
        Expr *e = it->value;
        Expr **items = &e;
        uint32_t n = 1;
        if (e->kind == EX_LIST && e->u.list.npacked) {
            diag_at(c, D_TYPE, e->loc, "`services` takes a list of services, not of numbers");
            continue;
        }
        if (e->kind == EX_LIST) {
            items = e->u.list.items;
            n = e->u.list.n;
        }
        st->services = ARENA_ARRAY(&c->arena, int32_t, n + 1);
        st->service_locs = ARENA_ARRAY(&c->arena, Loc, n + 1);
        for (uint32_t i = 0; i < n; i++) {
            int32_t r = resolve_ref(c, items[i], KIND_BIT(EK_SERVICE), NULL);
            if (r < 0)
                continue;
            st->service_locs[st->nservices] = items[i]->loc;
            st->services[st->nservices++] = r;
        }
    }
}

/* ---- entities -------------------------------------------------------------- */

/* S0405 for an attribute the kind does not have; "did you mean" over the
 * kind's attributes, offered in place (a schema may declare thousands) and
 * counted against the searches a run may make. */
static void report_unknown_entity_attr(Compilation *c, Item *it, KindTable *t, Item *block)
{
    Diag *d = diag_at(c, D_UNKNOWN_ATTR, it->loc, "unknown attribute `%s` in %s",
                      it->name, entity_kind_name(t->kind));
    if (t->nattrs > 64 && ++c->suggestions > MAX_NAME_SEARCHES)
        return;
    Suggester sg, rest;
    suggest_begin(&sg, it->name);
    for (uint32_t i = 0; i < t->nattrs; i++)
        suggest_offer(&sg, t->attrs[i].name);
    Name s = suggest_best(&sg);
    if (!s)
        return;
    diag_hint(c, d, "did you mean `%s`?", s);
    /* the attribute's name as written: rename it, by itself when no other
     * attribute is as close (`customer` -> `customers`) */
    suggest_begin(&rest, it->name);
    for (uint32_t i = 0; i < t->nattrs; i++)
        if (t->attrs[i].name != s)
            suggest_offer(&rest, t->attrs[i].name);
    bool unique = !suggest_best(&rest) || rest.best_d > sg.best_d;
    /* not when the block sets that attribute too (bounded: a hostile
     * block of thousands of unknown attributes scans a few) */
    if (unique && ++c->suggestions > MAX_NAME_SEARCHES)
        unique = false;
    for (Item *other = block; unique && other; other = other->next)
        unique = other->name != s;
    if (it->loc.end - it->loc.start == strlen(it->name))
        diag_fix(c, d, it->loc, s, unique && attr_slot(t, s) >= 0);
}

/* ---- lint levels: the strategy's `lint` block and an entity's `allow` ------ */

/* The checks a `[name, S0707, ...]` list names, each passed to `use`;
 * anything else in the list is an S0917 error where it is written. */
static void each_lint_check(Compilation *c, const Expr *list,
                            void (*use)(Compilation *, DiagCode, void *), void *ctx)
{
    if (list->kind != EX_LIST || list->u.list.npacked) {
        diag_at(c, D_TYPE, list->loc, "a list of check names is expected here, "
                "as in [orphan_service, S0709]");
        return;
    }
    for (uint32_t i = 0; i < list->u.list.n; i++) {
        const Expr *e = list->u.list.items[i];
        if (e->kind != EX_NAME && e->kind != EX_STRING) {
            diag_at(c, D_LINT_SETTING, e->loc, "a check is named by its snake_case "
                    "name (orphan_service) or its code (S0707)");
            continue;
        }
        const char *s = e->kind == EX_NAME ? e->u.name.id : e->u.str.s;
        int k = diag_find_check(s, strlen(s));
        if (k < 0) {
            Diag *d = diag_at(c, D_LINT_SETTING, e->loc, "no check is named `%s`", s);
            Suggester sg;
            suggest_begin(&sg, intern_cstr(c, s));
            for (int j = 0; j < D_CODE_COUNT; j++)
                if (diag_lintable((DiagCode)j))
                    suggest_offer(&sg, intern_cstr(c, diag_info((DiagCode)j)->name));
            Name best = suggest_best(&sg);
            if (best)
                diag_hint(c, d, "did you mean `%s`?", best);
        } else if (!diag_lintable((DiagCode)k)) {
            diag_at(c, D_LINT_SETTING, e->loc, "`%s` (%s) is an error, and errors "
                    "cannot be allowed, warned or denied", s, diag_info((DiagCode)k)->code);
        } else {
            use(c, (DiagCode)k, ctx);
        }
    }
}

static void set_file_level(Compilation *c, DiagCode code, void *level)
{
    diag_set_file_lint(c, code, *(LintLevel *)level);
}

/* lint { allow = [...]  warn = [...]  deny = [...] } */
static void fill_lint(Compilation *c, Decl *d)
{
    Name allow = intern_cstr(c, "allow"), warn = intern_cstr(c, "warn"),
         deny = intern_cstr(c, "deny");
    Name known[] = {allow, warn, deny};
    for (Item *it = d->items; it; it = it->next) {
        Item *first = find_earlier_item(c, d->items, it);
        if (first) {
            report_dup_attr(c, it, first);
            continue;
        }
        if (it->kind != ITEM_ATTR || (it->name != allow && it->name != warn && it->name != deny)) {
            report_unknown_attr(c, it, "the lint block", known, 3);
            continue;
        }
        LintLevel level = it->name == allow ? LINT_ALLOW : it->name == warn ? LINT_WARN : LINT_DENY;
        each_lint_check(c, it->value, set_file_level, &level);
    }
}

static void allow_in_span(Compilation *c, DiagCode code, void *span)
{
    diag_allow_within(c, *(Loc *)span, code);
}

/* `lifecycle { end_of_support = D  end_of_extended_support = D  end_of_life = D }`
 * in a service (DESIGN §5.9): the vendor's milestones, which are the
 * service's built-in date attributes of those names (builtins.def), so a
 * CSV column maps to them as to any attribute.  The block only groups them:
 * each may be written outside it instead, but not both. */
static void fill_lifecycle(Compilation *c, Decl *d, KindTable *t, uint32_t row, Item *blk)
{
    Name known[] = {intern_cstr(c, "end_of_support"),
                    intern_cstr(c, "end_of_extended_support"), intern_cstr(c, "end_of_life")};
    for (Item *it = blk->items; it; it = it->next) {
        Item *first = find_earlier_item(c, blk->items, it);
        if (first) {
            report_dup_attr(c, it, first);
            continue;
        }
        if (it->kind != ITEM_ATTR ||
            (it->name != known[0] && it->name != known[1] && it->name != known[2])) {
            report_unknown_attr(c, it, "a lifecycle block", known, 3);
            continue;
        }
        int slot = attr_slot(t, it->name);
        if (slot < 0)
            continue;
        for (Item *flat = d->items; flat; flat = flat->next)
            if (flat->kind == ITEM_ATTR && flat->name == it->name) {
                report_dup_attr(c, it, flat);
                slot = -1;
                break;
            }
        if (slot >= 0)
            set_attr_value(c, t, row, slot, it->value);
    }
}

static void fill_entity(Compilation *c, Decl *d, uint32_t row)
{
    KindTable *t = kind_table(c, d->entity_kind);
    for (Item *it = d->items; it; it = it->next) {
        if (it->kind == ITEM_LIFECYCLE) {
            Item *first = find_earlier_item(c, d->items, it);
            Name lifecycle = intern_cstr(c, "lifecycle");
            if (it->name == intern_cstr(c, "usage") || it->name == intern_cstr(c, "charge")) {
                /* show-back's `usage { }` and `charge { }`: showback.c reads them */
                if (d->entity_kind != EK_SERVICE)
                    diag_at(c, D_UNKNOWN_ATTR, it->loc, "%s blocks belong in services",
                            it->name);
                else if (first)
                    diag_note(c, diag_at(c, D_DUP_ATTR, it->loc, "a service has one %s "
                                         "block", it->name), first->loc, "the first is here");
            } else if (it->name != lifecycle) {
                Diag *dg = diag_at(c, D_UNKNOWN_ATTR, it->loc, "unknown block `%s`: the "
                                   "nested blocks are risk and lifecycle (services) and "
                                   "stage (value streams)", it->name);
                if (suggest_name(it->name, &lifecycle, 1))
                    diag_hint(c, dg, "did you mean `lifecycle`?");
            } else if (d->entity_kind != EK_SERVICE)
                diag_at(c, D_UNKNOWN_ATTR, it->loc, "lifecycle blocks belong in services");
            else if (first)
                diag_note(c, diag_at(c, D_DUP_ATTR, it->loc, "a service has one lifecycle "
                                     "block"), first->loc, "the first is here");
            else
                fill_lifecycle(c, d, t, row, it);
            continue;
        }
        if (it->kind == ITEM_RISK) {
            if (d->entity_kind == EK_SERVICE)
                add_risk(c, row, it);
            else
                diag_at(c, D_UNKNOWN_ATTR, it->loc, "risk blocks belong in services");
            continue;
        }
        if (it->kind == ITEM_STAGE) {
            if (d->entity_kind == EK_VALUE_STREAM)
                add_stage(c, row, it);
            else
                diag_at(c, D_UNKNOWN_ATTR, it->loc, "stage blocks belong in value streams");
            continue;
        }
        Item *first = find_earlier_item(c, d->items, it);
        if (first) {
            report_dup_attr(c, it, first);
            continue;
        }
        if (it->name == intern_cstr(c, "allow") && attr_slot(t, it->name) < 0) {
            /* checks silenced on this entity's own diagnostics */
            Loc span = {d->loc.file, d->loc.start, d->end_loc.end};
            each_lint_check(c, it->value, allow_in_span, &span);
            continue;
        }
        int slot = attr_slot(t, it->name);
        if (slot < 0) {
            report_unknown_entity_attr(c, it, t, d->items);
            continue;
        }
        set_attr_value(c, t, row, slot, it->value);
    }
}

/* Defaults and required attributes, for every row. */
static void apply_defaults(Compilation *c, KindTable *t)
{
    for (uint32_t s = 0; s < t->nattrs; s++) {
        AttrDef *a = &t->attrs[s];
        Column *col = &t->cols[s];
        bool have_default = false;
        double dnum = NAN;
        int32_t di32 = -1;
        if (a->default_expr) {
            if (a->type.kind == T_NUMBER) {
                have_default = const_number(c, a->default_expr, &dnum, false);
            } else if (a->type.kind != T_LIST) {
                bool ok;
                di32 = scalar_i32(c, a, &a->type, a->default_expr, &ok);
                have_default = ok;
            }
        }
        if ((!have_default && !a->required) || a->type.kind == T_LIST)
            continue;   /* nothing to fill in or to report: skip the column */
        if (have_default) {
            /* (a column no row wrote takes the default as its fill) */
            column_fill_missing(c, t, (int)s, dnum, di32);
            continue;
        }
        for (uint32_t r = 0; r < t->count; r++) {
            bool missing = a->type.kind == T_NUMBER ? isnan(col_num(t, (int)s, r))
                         : a->type.kind == T_DATE   ? col_i32(t, (int)s, r) == INT32_MIN
                                                    : col_i32(t, (int)s, r) < 0;
            if (missing && !(col->locs && col->locs[r].file)) {
                /* (a value that was written but rejected is reported
                 * already; "missing" would be a second message for it) */
                Diag *d = diag_at(c, D_REQUIRED, row_loc(t, r),
                                  "%s `%s` lacks required attribute `%s`",
                                  entity_kind_name(t->kind), t->names[r], a->name);
                if (a->loc.file)
                    diag_note(c, d, a->loc, "`%s` is required by the schema here", a->name);
            }
        }
    }
}

/* ---- schemas ------------------------------------------------------------- */

static bool kind_from_name(Compilation *c, Name n, EntityKind *out)
{
    for (int k = 0; k < EK_COUNT; k++)
        if (strcmp(n, entity_kind_name((EntityKind)k)) == 0) {
            *out = (EntityKind)k;
            return true;
        }
    (void)c;
    return false;
}

static bool field_type(Compilation *c, SchemaField *f, Type *out, bool *whole)
{
    Name n = f->type_name;
    const Type *base = NULL;
    EntityKind k;
    *whole = strcmp(n, "int") == 0;   /* a number held to whole values */
    if (n == c->n.number || *whole)
        base = &type_number;
    else if (n == c->n.string)
        base = &type_string;
    else if (n == c->n.date)
        base = &type_date;
    else if (n == c->n.bool_)
        base = &type_bool;
    else if (strcmp(n, "symbol") == 0)
        base = &type_symbol;
    else if (kind_from_name(c, n, &k))
        base = type_new(c, T_ENTITY, KIND_BIT(k), NULL);
    if (!base) {
        static const char *const known[] = {"number", "string", "date", "bool", "symbol",
                                            "role", "team", "customer", "objective",
                                            "service", "offering", "value_stream", "int"};
        Name cands[13];
        for (int i = 0; i < 13; i++)
            cands[i] = intern_cstr(c, known[i]);
        Diag *d = diag_at(c, D_SCHEMA_TYPE, f->type_loc, "unknown type `%s`", n);
        Name s = suggest_name(n, cands, 13);
        if (s)
            diag_hint(c, d, "did you mean `%s`?", s);
        return false;
    }
    if (f->is_list && base->kind != T_ENTITY && base->kind != T_STRING &&
        base->kind != T_SYMBOL) {
        diag_at(c, D_SCHEMA_TYPE, f->type_loc, "lists hold names or strings; a list of %s "
                                               "is not supported", n);
        return false;
    }
    if (f->is_list)
        *out = *type_new(c, T_LIST, 0, base);
    else
        *out = *base;
    return true;
}

static void add_schema(Compilation *c, Decl *d)
{
    EntityKind k;
    if (!kind_from_name(c, d->name, &k)) {
        diag_at(c, D_SCHEMA_TYPE, d->name_loc,
                "`%s` is not a kind of entity; schemas extend role, team, customer, "
                "objective, service, offering or value_stream", d->name);
        return;
    }
    KindTable *t = kind_table(c, k);
    NameMap seen = {0};   /* field name -> its first declaration here */
    for (SchemaField *f = d->fields; f; f = f->next) {
        SchemaField *g = namemap_get(&seen, f->name);
        if (g) {
            Diag *dg = diag_at(c, D_DUP_ATTR, f->loc, "`%s` is declared twice", f->name);
            diag_note(c, dg, g->loc, "first declared here");
            continue;
        }
        namemap_put(c, &seen, f->name, f);
        AttrDef a = {0};
        a.name = f->name;
        a.loc = f->loc;
        if (!field_type(c, f, &a.type, &a.whole))
            continue;
        a.required = f->required;
        a.default_expr = f->default_value;
        if (f->in) {
            if (f->in->kind == EX_RANGE && a.type.kind == T_NUMBER) {
                a.has_min = const_number(c, f->in->u.ops.a, &a.min, true);
                a.has_max = const_number(c, f->in->u.ops.b, &a.max, true);
            } else if (f->in->kind == EX_LIST && f->in->u.list.npacked) {
                diag_at(c, D_TYPE, f->in->loc, "allowed values are names, not numbers");
            } else if (f->in->kind == EX_LIST &&
                       (a.type.kind == T_SYMBOL || a.type.kind == T_STRING)) {
                a.type = type_symbol;
                a.allowed = ARENA_ARRAY(&c->arena, Name, f->in->u.list.n + 1);
                for (uint32_t i = 0; i < f->in->u.list.n; i++) {
                    Expr *e = f->in->u.list.items[i];
                    if (e->kind != EX_NAME) {
                        diag_at(c, D_TYPE, e->loc, "allowed values are names");
                        continue;
                    }
                    a.allowed[a.nallowed++] = e->u.name.id;
                }
            } else {
                diag_at(c, D_TYPE, f->in->loc,
                        "`in` takes a range a .. b for numbers or a list of names "
                        "for symbols");
            }
        }
        for (int b = 0; b < 2; b++) {
            Op op = b ? f->cmp2 : f->cmp;
            Expr *bound = b ? f->cmp2_value : f->cmp_value;
            double v;
            if (op == OP_NONE)
                continue;
            if (a.type.kind != T_NUMBER)
                diag_at(c, D_TYPE, bound->loc, "bounds apply to numbers only");
            else if (const_number(c, bound, &v, true)) {
                if (op == OP_GE || op == OP_GT) {
                    a.has_min = true;
                    a.min = v;
                    a.min_excl = op == OP_GT;
                } else {
                    a.has_max = true;
                    a.max = v;
                    a.max_excl = op == OP_LT;
                }
            }
        }
        int slot = attr_slot(t, f->name);
        if (slot >= 0) {
            /* a later schema refines an attribute: same type, new bounds
             * or default (user files come after the stdlib they import) */
            AttrDef *old = &t->attrs[slot];
            if (old->type.kind != a.type.kind) {
                Diag *dg = diag_at(c, D_TYPE, f->type_loc,
                                   "`%s` is already a %s attribute of %s",
                                   f->name, type_name(c, &old->type), entity_kind_name(k));
                if (old->loc.file)
                    diag_note(c, dg, old->loc, "declared here");
                continue;
            }
            if (!a.allowed && old->allowed) {
                a.allowed = old->allowed;
                a.nallowed = old->nallowed;
            }
            /* what the refinement does not restate, it keeps */
            if (!a.has_min && old->has_min) {
                a.has_min = true;
                a.min = old->min;
                a.min_excl = old->min_excl;
            }
            if (!a.has_max && old->has_max) {
                a.has_max = true;
                a.max = old->max;
                a.max_excl = old->max_excl;
            }
            if (!a.default_expr)
                a.default_expr = old->default_expr;
            a.required |= old->required;
            a.whole |= old->whole;   /* an int stays whole */
            if (old->type.kind == T_LIST || old->type.kind == T_ENTITY)
                a.type = old->type;
            *old = a;
        } else {
            slot = kind_add_attr(c, t, &a);
        }
        /* the default must lie in the attribute's own range */
        const AttrDef *fin = &t->attrs[slot];
        double dv;
        Expr *dflt = fin->default_expr;
        if (fin->type.kind == T_NUMBER && dflt && const_number(c, dflt, &dv, true) &&
            !check_bounds(c, fin, dv, dflt->loc) && dflt != f->default_value)
            diag_note(c, c->diags.items[c->diags.len - 1], f->loc,
                      "the default is inherited; this refinement narrows the range");
    }
}

/* ---- strategy, appetite, waivers ------------------------------------------ */

static void fill_strategy(Compilation *c, Decl *d)
{
    Strategy *s = &c->program->strategy;
    s->title = d->text.s;
    Name known[] = {c->n.vision, c->n.horizon, c->n.currency, c->n.budget, c->n.run_max};
    for (Item *it = d->items; it; it = it->next) {
        Item *first = find_earlier_item(c, d->items, it);
        if (first) {
            report_dup_attr(c, it, first);
            continue;
        }
        Expr *e = it->value;
        if (it->kind != ITEM_ATTR) {
            diag_at(c, D_UNKNOWN_ATTR, it->loc, "the strategy holds no nested blocks");
        } else if (it->name == c->n.vision || it->name == c->n.currency) {
            if (e->kind != EX_STRING)
                diag_at(c, D_TYPE, e->loc, "`%s` takes a string", it->name);
            else if (it->name == c->n.vision)
                s->vision = e->u.str.s;
            else
                s->currency = e->u.str.s;
        } else if (it->name == c->n.horizon) {
            if (e->kind != EX_RANGE || e->u.ops.a->kind != EX_DATE ||
                e->u.ops.b->kind != EX_DATE)
                diag_at(c, D_TYPE, e->loc, "`horizon` takes a date range, e.g. "
                                           "2027-01-01 .. 2027-12-31");
            else if (e->u.ops.b->u.date < e->u.ops.a->u.date)
                diag_at(c, D_RANGE, e->loc, "the horizon ends before it starts");
            else {
                s->horizon_start = e->u.ops.a->u.date;
                s->horizon_end = e->u.ops.b->u.date;
            }
        } else if (it->name == c->n.budget || it->name == c->n.run_max) {
            double v;
            if (!const_number(c, e, &v, true))
                continue;
            if (it->name == c->n.budget) {
                if (v < 0)
                    diag_at(c, D_RANGE, e->loc, "the budget cannot be negative");
                s->budget = v;
            } else {
                if (v < 0 || v > 1)
                    diag_at(c, D_RANGE, e->loc, "`run_max` is a share from 0%% to 100%%");
                s->run_max = v;
            }
        } else {
            report_unknown_attr(c, it, "the strategy", known, 5);
        }
    }
    /* both are optional (a pure scoring job needs neither): one note says
     * which checks are skipped for want of them (consistency.c) */
    bool no_horizon = s->horizon_start == INT32_MIN, no_budget = isnan(s->budget);
    if (no_horizon || no_budget)
        diag_at(c, D_STRATEGY_FIELD, d->loc, "the strategy has no %s: %s skipped",
                no_horizon && no_budget ? "`budget` and no `horizon`"
                : no_budget ? "`budget`" : "`horizon`",
                no_horizon && no_budget ? "the budget, run share and due-date checks are"
                : no_budget ? "the budget and run share checks are"
                : "the due-date check is");
}

/* The level a common word for one means (`medium` is std/itil's
 * `moderate`), when that const exists; else NULL. */
static Name appetite_synonym(Compilation *c, Name word)
{
    static const struct { const char *word, *level; } synonyms[] = {
        {"medium", "moderate"}, {"med", "moderate"}, {"mid", "moderate"},
        {"middle", "moderate"}, {"average", "moderate"}, {"normal", "moderate"},
        {"none", "minimal"}, {"very_low", "minimal"}, {"negligible", "minimal"},
        {"minimum", "minimal"}, {"lowest", "minimal"},
        {"very_high", "high"}, {"critical", "high"}, {"severe", "high"},
        {"extreme", "high"}, {"maximum", "high"}, {"highest", "high"},
    };
    for (size_t i = 0; i < sizeof synonyms / sizeof synonyms[0]; i++)
        if (strcmp(word, synonyms[i].word) == 0) {
            Name level = intern_cstr(c, synonyms[i].level);
            return program_const(c, level) ? level : NULL;
        }
    return NULL;
}

/* `security = medium`: S0401 with the nearest real level as the fix (a
 * synonym, or a close spelling), or how to get the levels. */
static void report_appetite_level(Compilation *c, Expr *value)
{
    Program *p = c->program;
    Name word = value->u.name.id;
    Diag *dg = diag_at(c, D_UNDEFINED, value->loc, "undefined appetite level `%s`", word);
    Name s = appetite_synonym(c, word);
    bool unique = s != NULL;
    if (!s && ++c->suggestions <= MAX_NAME_SEARCHES) {
        Suggester sg, rest;
        suggest_begin(&sg, word);
        for (uint32_t i = 0; i < p->consts.len; i++)
            suggest_offer(&sg, ((Const *)p->consts.items[i])->name);
        s = suggest_best(&sg);
        suggest_begin(&rest, word);
        for (uint32_t i = 0; s && i < p->consts.len; i++)
            if (((Const *)p->consts.items[i])->name != s)
                suggest_offer(&rest, ((Const *)p->consts.items[i])->name);
        unique = s && (!suggest_best(&rest) || rest.best_d > sg.best_d);
    }
    if (!s) {
        bool itil = program_const(c, intern_cstr(c, "moderate")) != NULL;
        diag_hint(c, dg, itil ? "a level is a number from 1 to 25, or a const: std/itil's "
                                "minimal (3), low (6), moderate (12), high (20)"
                              : "import \"std/itil\" for the levels minimal, low, moderate, "
                                "high");
        return;
    }
    Const *k = program_const(c, s);
    double v;
    if (k && k->decl && k->decl->expr && const_number(c, k->decl->expr, &v, false))
        diag_hint(c, dg, "the nearest level is `%s` (%g)", s, v);
    else
        diag_hint(c, dg, "did you mean `%s`?", s);
    if (value->loc.end - value->loc.start == strlen(word))
        diag_fix(c, dg, value->loc, s, unique);
}

static void fill_appetite(Compilation *c, Decl *d)
{
    Program *p = c->program;
    uint32_t n = 0;
    for (Item *it = d->items; it; it = it->next)
        n++;
    p->appetite = ARENA_ARRAY(&c->arena, AppetiteLevel, n + 1);
    for (Item *it = d->items; it; it = it->next) {
        Item *first = find_earlier_item(c, d->items, it);
        if (first) {
            report_dup_attr(c, it, first);
            continue;
        }
        if (it->kind != ITEM_ATTR) {
            diag_at(c, D_UNKNOWN_ATTR, it->loc, "the appetite holds `category = level` lines");
            continue;
        }
        double v;
        if (it->value->kind == EX_NAME && !program_const(c, it->value->u.name.id)) {
            report_appetite_level(c, it->value);
            continue;
        }
        if (!const_number(c, it->value, &v, true))
            continue;
        if (v < 1 || v > 25)
            diag_at(c, D_RANGE, it->value->loc,
                    "appetite is a maximum exposure from 1 to 25 (likelihood x impact)");
        p->appetite[p->nappetite++] = (AppetiteLevel){it->name, v, it->loc};
    }
}

static void fill_waiver(Compilation *c, Decl *d)
{
    Waiver *w = ARENA_NEW(&c->arena, Waiver);
    w->name = d->name;
    w->decl = d;
    w->entity = -1;
    w->until = INT32_MIN;
    ptrvec_push(&c->arena, &c->program->waivers, w);
    Name known[] = {c->n.rule, c->n.entity, c->n.until, c->n.approved_by, c->n.reason};
    Item *rule_item = NULL;
    for (Item *it = d->items; it; it = it->next) {
        Item *first = find_earlier_item(c, d->items, it);
        if (first) {
            report_dup_attr(c, it, first);
            continue;
        }
        Expr *e = it->value;
        if (it->kind != ITEM_ATTR) {
            diag_at(c, D_UNKNOWN_ATTR, it->loc, "a waiver holds no nested blocks");
        } else if (it->name == c->n.rule) {
            rule_item = it;
            if (e->kind != EX_NAME) {
                diag_at(c, D_TYPE, e->loc, "`rule` takes the name of a rule");
                continue;
            }
            w->rule = program_rule(c, e->u.name.id);
            if (w->rule)
                e->u.name.sym = &w->rule->sym;
            /* the one check a waiver may name (by its name or code), as a
             * rule's finding: a live service past its end of life */
            const char *check = diag_info(D_PAST_END_OF_LIFE)->name;
            if (!w->rule && diag_find_check(e->u.name.id, strlen(e->u.name.id)) ==
                                (int)D_PAST_END_OF_LIFE)
                w->past_end_of_life = true;
            else if (!w->rule) {
                Diag *dg = diag_at(c, D_UNDEFINED, e->loc, "undefined rule `%s`", e->u.name.id);
                Name s = NULL;
                if (++c->suggestions <= MAX_NAME_SEARCHES) {
                    Suggester sg;
                    suggest_begin(&sg, e->u.name.id);
                    for (uint32_t i = 0; i < c->program->rules.len; i++)
                        suggest_offer(&sg, ((Rule *)c->program->rules.items[i])->name);
                    suggest_offer(&sg, intern_cstr(c, check));
                    s = suggest_best(&sg);
                }
                if (s)
                    diag_hint(c, dg, "did you mean `%s`?", s);
            }
        } else if (it->name == c->n.entity) {
            unsigned all = (1u << EK_COUNT) - 1;
            w->entity = resolve_ref(c, e, all, &w->entity_kind);
        } else if (it->name == c->n.until) {
            if (e->kind != EX_DATE)
                diag_at(c, D_TYPE, e->loc, "`until` takes a date");
            else   /* an invalid date is reported; do not also call it missing */
                w->until = e->u.date != INT32_MIN ? e->u.date : INT32_MAX;
        } else if (it->name == c->n.approved_by) {
            resolve_ref(c, e, KIND_BIT(EK_ROLE) | KIND_BIT(EK_TEAM), NULL);
        } else if (it->name == c->n.reason) {
            if (e->kind != EX_STRING)
                diag_at(c, D_TYPE, e->loc, "`reason` takes a string");
        } else {
            report_unknown_attr(c, it, "a waiver", known, 5);
        }
    }
    if (!rule_item)
        diag_at(c, D_REQUIRED, d->name_loc, "waiver `%s` names no `rule`", d->name);
    if (w->until == INT32_MIN) {
        diag_at(c, D_REQUIRED, d->name_loc, "waiver `%s` has no `until` date: waivers "
                                            "are dated exceptions", d->name);
    } else if (w->until < c->program->today) {
        int y;
        unsigned m, dd;
        civil_from_days(w->until, &y, &m, &dd);
        Diag *dg = diag_at(c, D_WAIVER_EXPIRED, d->name_loc,
                           "waiver `%s` expired on %04d-%02u-%02u", d->name, y, m, dd);
        diag_hint(c, dg, "renew the waiver with a new `until`, or fix the finding");
    }
}

static void check_approval_items(Compilation *c, Decl *d)
{
    Name known[] = {c->n.when, c->n.approver};
    bool has_approver = false;
    for (Item *it = d->items; it; it = it->next) {
        Item *first = find_earlier_item(c, d->items, it);
        if (first) {
            report_dup_attr(c, it, first);
            continue;
        }
        if (it->kind == ITEM_ATTR && it->name == c->n.approver) {
            has_approver = true;
            resolve_ref(c, it->value, KIND_BIT(EK_ROLE) | KIND_BIT(EK_TEAM), NULL);
        } else if (!(it->kind == ITEM_ATTR && it->name == c->n.when)) {
            report_unknown_attr(c, it, "an approval", known, 2);
        }
    }
    if (!has_approver)
        diag_at(c, D_REQUIRED, d->name_loc, "approval `%s` names no `approver`", d->name);
}

/* ---- registration of named declarations ------------------------------------ */

static void report_duplicate(Compilation *c, const char *what, Name name, Loc loc,
                             Loc first)
{
    Diag *d = diag_at(c, D_DUPLICATE, loc, "duplicate %s `%s`", what, name);
    diag_note(c, d, first, "`%s` is first declared here", name);
}


/* The outcome id of `name`, made when it is new (S0923 past MAX_OUTCOMES:
 * -1). */
static int outcome_id(Compilation *c, Name name, Loc loc)
{
    Program *p = c->program;
    Decision d = decision_from_name(c, name);
    if (d != DEC_NONE)
        return d;
    if (p->ndecisions >= MAX_OUTCOMES) {
        diag_at(c, D_TOO_MANY_OUTCOMES, loc, "too many outcomes: the decide tables may "
                                             "name at most %d", MAX_OUTCOMES);
        return -1;
    }
    uint32_t id = p->ndecisions++;
    p->decision_names[id] = name;
    p->decision_syms[id] = (Symbol){SYM_DECISION, -1, (int32_t)id, name, {0, 0, 0}};
    return (int)id;
}

static DecideTable *table_new(Compilation *c, Decl *d)
{
    Program *p = c->program;
    DecideTable *t = ARENA_NEW(&c->arena, DecideTable);
    t->name = d->name;
    t->decl = d;
    t->index = p->tables.len;
    ptrvec_push(&c->arena, &p->tables, t);
    if (d->name)
        namemap_put(c, &p->table_map, d->name, t);
    t->sym = (Symbol){SYM_TABLE, -1, (int32_t)t->index, d->name, d->name_loc};
    t->approval_sym = (Symbol){SYM_APPROVAL_DECISION, -1, (int32_t)t->index, d->name,
                               d->name_loc};
    if (!d->name) {
        for (int i = 0; i < DEC_COUNT; i++)
            t->outcomes[t->noutcomes++] = (int8_t)i;
        return t;
    }
    for (Item *o = d->outcomes; o; o = o->next) {
        int id = outcome_id(c, o->name, o->loc);
        if (id < 0)
            break;
        bool dup = false;
        for (uint32_t k = 0; k < t->noutcomes && !dup; k++)
            dup = t->outcomes[k] == id;
        if (dup) {
            diag_at(c, D_DUPLICATE_TABLE, o->loc, "decide table `%s` lists outcome `%s` twice",
                    d->name, o->name);
            continue;
        }
        t->outcomes[t->noutcomes++] = (int8_t)id;
    }
    return t;
}

/* Program.tables: the unnamed table first (decision(s) is its), then the
 * named ones in declaration order; a name declared twice is S0919. */
static void register_tables(Compilation *c, PtrVec *named)
{
    Program *p = c->program;
    if (p->decide)
        table_new(c, p->decide);
    for (uint32_t i = 0; i < named->len; i++) {
        Decl *d = named->items[i];
        DecideTable *old = program_table_named(c, d->name);
        if (old) {
            Diag *dg = diag_at(c, D_DUPLICATE_TABLE, d->name_loc,
                               "decide table `%s` is declared twice", d->name);
            diag_note(c, dg, old->decl->name_loc, "first declared here");
            continue;
        }
        table_new(c, d);
    }
    if (p->tables.len)
        p->decide = program_table(p, 0)->decl;
    /* one table ranks: the first with `rank by` */
    p->rank_decl = p->decide;
    for (uint32_t i = 0; i < p->tables.len; i++) {
        Decl *d = program_table(p, i)->decl;
        if (!d->rank)
            continue;
        if (p->rank_decl && p->rank_decl->rank && p->rank_decl != d) {
            Diag *dg = diag_at(c, D_SINGLETON, d->rank->loc,
                               "only one decide table may have `rank by`");
            diag_note(c, dg, p->rank_decl->rank->loc, "the services are ranked here");
            continue;
        }
        p->rank_decl = d;
    }
}

static void register_decls(Compilation *c)
{
    PtrVec named_tables = {0};
    Program *p = c->program;
    Decl *strategy = NULL, *appetite = NULL, *lint = NULL;
    for (Decl *d = c->decls; d; d = d->next) {
        switch (d->kind) {
        case D_ENTITY: {
            KindTable *t = kind_table(c, d->entity_kind);
            int32_t r = kind_lookup(t, d->name);
            if (r >= 0) {
                report_duplicate(c, entity_kind_name(d->entity_kind), d->name,
                                 d->name_loc, row_loc(t, r));
                break;
            }
            /* one namespace: `owner = cio` must not depend on which kind
             * the reader guesses */
            bool clash = false;
            for (int k = 0; k < EK_COUNT && !clash; k++) {
                KindTable *o = kind_table(c, (EntityKind)k);
                int32_t orow = k == (int)d->entity_kind ? -1 : kind_lookup(o, d->name);
                if (orow >= 0) {
                    Diag *dg = diag_at(c, D_DUPLICATE, d->name_loc,
                                       "`%s` is already the name of a %s", d->name,
                                       entity_kind_name((EntityKind)k));
                    diag_note(c, dg, row_loc(o, orow), "`%s` is declared here", d->name);
                    clash = true;
                }
            }
            if (clash)
                break;
            kind_add_row(c, t, d->name, d->name_loc, d);
            break;
        }
        case D_STRATEGY:
            if (strategy) {
                Diag *dg = diag_at(c, D_STRATEGY_COUNT, d->loc,
                                   "a portfolio has exactly one strategy");
                diag_note(c, dg, strategy->loc, "the first strategy is here");
            } else {
                strategy = d;
            }
            break;
        case D_APPETITE:
            if (appetite) {
                Diag *dg = diag_at(c, D_SINGLETON, d->loc, "appetite is declared twice");
                diag_note(c, dg, appetite->loc, "first declared here");
            } else {
                appetite = d;
            }
            break;
        case D_LINT:
            if (lint) {
                Diag *dg = diag_at(c, D_SINGLETON, d->loc, "lint is declared twice");
                diag_note(c, dg, lint->loc, "first declared here");
            } else {
                lint = d;
            }
            break;
        case D_DECIDE:
            if (d->name) {
                ptrvec_push(&c->arena, &named_tables, d);
            } else if (p->decide) {
                Diag *dg = diag_at(c, D_SINGLETON, d->loc, "decide is declared twice");
                diag_note(c, dg, p->decide->loc, "first declared here");
            } else {
                p->decide = d;
            }
            break;
        case D_CONST: {
            Const *k = program_const(c, d->name);
            if (k) {
                report_duplicate(c, "const", d->name, d->name_loc, k->decl->name_loc);
                break;
            }
            k = ARENA_NEW(&c->arena, Const);
            k->name = d->name;
            k->decl = d;
            k->index = p->consts.len;
            k->sym = (Symbol){SYM_CONST, -1, (int32_t)k->index, d->name, d->name_loc};
            ptrvec_push(&c->arena, &p->consts, k);
            namemap_put(c, &p->const_map, d->name, k);
            break;
        }
        case D_SCORE: {
            Score *old = program_score(c, d->name);
            if (old) {
                report_duplicate(c, "score", d->name, d->name_loc, old->decl->name_loc);
                break;
            }
            Score *s = ARENA_NEW(&c->arena, Score);
            s->name = d->name;
            s->decl = d;
            s->index = p->scores.len;
            s->sym = (Symbol){SYM_SCORE, -1, (int32_t)s->index, d->name, d->name_loc};
            ptrvec_push(&c->arena, &p->scores, s);
            namemap_put(c, &p->score_map, d->name, s);
            break;
        }
        case D_RULE: {
            Rule *old = program_rule(c, d->name);
            if (old) {
                report_duplicate(c, "rule", d->name, d->name_loc, old->decl->name_loc);
                break;
            }
            Rule *r = ARENA_NEW(&c->arena, Rule);
            r->name = d->name;
            r->decl = d;
            r->index = p->rules.len;
            r->sym = (Symbol){SYM_RULE, -1, (int32_t)r->index, d->name, d->name_loc};
            ptrvec_push(&c->arena, &p->rules, r);
            namemap_put(c, &p->rule_map, d->name, r);
            break;
        }
#define NAMED(vec, map, what)                                                   \
    {                                                                           \
        Decl *old = namemap_get(&p->map, d->name);                              \
        if (old) {                                                              \
            report_duplicate(c, what, d->name, d->name_loc, old->name_loc);     \
        } else {                                                                \
            ptrvec_push(&c->arena, &p->vec, d);                                 \
            namemap_put(c, &p->map, d->name, d);                                \
        }                                                                       \
        break;                                                                  \
    }
        case D_APPROVAL: NAMED(approvals, approval_map, "approval")
        case D_SCENARIO: NAMED(scenarios, scenario_map, "scenario")
        case D_LIMIT: NAMED(limits, limit_map, "limit")
        case D_TEST: NAMED(tests, test_map, "test")
        case D_POOL: NAMED(pools, pool_map, "pool")
#undef NAMED
        case D_LOAD:
            ptrvec_push(&c->arena, &p->loads, d);
            break;
        case D_WAIVER:
        case D_SCHEMA:
        case D_IMPORT:
        case D_REPORT:   /* checked by report.c */
            break;
        }
    }
    if (strategy) {
        p->strategy.decl = strategy;
    } else {
        /* at the top of the first file the user named */
        Loc at = first_user_file(c);
        if (c->sources.len)
            diag_at(c, D_STRATEGY_COUNT, at, "no strategy block: a portfolio has exactly one");
    }
    if (appetite)
        p->appetite_decl = appetite;
    register_tables(c, &named_tables);
    /* before any check runs: the levels apply to every warning to come */
    diag_lint_from_options(c);
    if (lint)
        fill_lint(c, lint);
}

/* ---- the passes ------------------------------------------------------------- */

/* The vendor's lifecycle milestones of a service (DESIGN §5.9): date
 * attributes every service has, set in a `lifecycle { }` block (or as plain
 * attributes, or CSV columns) and read by the past-end-of-life check and
 * std/itil's lifecycle_risk.  Added after the schemas, not with the other
 * built-ins: a schema may declare them first (to make one `required`), and
 * the slots of the attributes before them stay where they were (strat
 * sensitivity keys its draws by slot). */
static void add_lifecycle_attrs(Compilation *c)
{
    static const char *const names[] = {"end_of_support", "end_of_extended_support",
                                        "end_of_life"};
    KindTable *svc = kind_table(c, EK_SERVICE);
    for (int i = 0; i < 3; i++) {
        AttrDef a = {0};
        a.name = intern_cstr(c, names[i]);
        a.type = type_date;
        if (attr_slot(svc, a.name) < 0)
            kind_add_attr(c, svc, &a);
    }
}

void resolve_names(Compilation *c)
{
    Program *p = program_new(c);
    /* names (consts first, so schemas may use them), schemas */
    register_decls(c);
    for (Decl *d = c->decls; d; d = d->next)
        if (d->kind == D_SCHEMA)
            add_schema(c, d);
    add_lifecycle_attrs(c);
    if (p->strategy.decl)
        fill_strategy(c, p->strategy.decl);
}

void resolve_values(Compilation *c)
{
    Program *p = c->program;
    for (Decl *d = c->decls; d; d = d->next) {
        if (d->kind == D_ENTITY) {
            KindTable *t = kind_table(c, d->entity_kind);
            int32_t r = kind_lookup(t, d->name);
            if (r >= 0 && row_decl(t, (uint32_t)r) == d)
                fill_entity(c, d, (uint32_t)r);
        } else if (d->kind == D_WAIVER) {
            fill_waiver(c, d);
        } else if (d->kind == D_APPROVAL) {
            check_approval_items(c, d);
        }
    }
    if (p->appetite_decl)
        fill_appetite(c, p->appetite_decl);
}

void resolve_defaults(Compilation *c)
{
    KindTable *svc = kind_table(c, EK_SERVICE);
    /* built-in defaults of the service lifecycle attributes */
    struct { Name attr, value; } defs[] = {
        {c->n.status, c->n.catalogue},
        {c->n.kind, c->n.supporting},
        {c->n.investment, c->n.run}};
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        int slot = attr_slot(svc, defs[i].attr);
        if (svc->attrs[slot].default_expr)
            continue;   /* a schema's own default wins */
        column_fill_missing(c, svc, slot, NAN, atom_id(c, defs[i].value));
    }
    for (int k = 0; k < EK_COUNT; k++)
        apply_defaults(c, kind_table(c, (EntityKind)k));
}
