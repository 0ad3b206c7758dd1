/*
 * typecheck.c — resolve and type every expression of the strategy.
 *
 * Takes the Program after resolve.c has filled the kind tables, and
 * annotates each Expr with its Type, each name with what it refers to
 * (a bound variable's slot, an entity, a const, a symbol, a decision), each
 * attribute access with its column slot and each call with its built-in or
 * score.  The interpreter and the JIT rely on these annotations and check
 * nothing themselves.
 *
 * Also here: recursion among scores, division by a constant zero, and the
 * decision table's own checks (unknown decisions, unreachable arms, no
 * `otherwise`).
 */
#include <math.h>
#include <string.h>

#include "dates.h"
#include "demand.h"
#include "diag.h"
#include "intern.h"
#include "numeric.h"
#include "parse.h"
#include "resolve.h"
#include "source.h"
#include "typecheck.h"

typedef enum Context {
    CTX_SCORE,      /* score NAME(s) = ...       s bound */
    CTX_DECIDE,     /* decide arms and rank by    s bound */
    CTX_APPROVAL,   /* approval when              s bound, `decision` */
    CTX_SCENARIO,   /* set ... for x in K         x bound */
    CTX_PORTFOLIO   /* rules, limits, tests: nothing bound */
} Context;

enum { MAX_LOCALS = 16, MAX_LETS = LET_SLOTS };

typedef struct Scope {
    Compilation *c;
    Context ctx;
    Name vars[MAX_LOCALS];
    EntityKind kinds[MAX_LOCALS];
    Symbol *syms[MAX_LOCALS];  /* each bound variable's Symbol */
    int nvars;
    /* names bound by `let`, innermost last (eval.h: Eval.lets) */
    Name let_names[MAX_LETS];
    const Type *let_types[MAX_LETS];
    Expr *let_binders[MAX_LETS];
    int nlets;
    int norm_lets;           /* inside norm's argument: the lets bound
                                outside it, which it may not read; else 0 */
    Score *score;            /* the score being checked, for recursion */
    int table;               /* CTX_DECIDE: the table being checked (its
                                arms may read the tables before it) */
    bool in_aggregate;       /* inside sum/count/any/all's comprehension */
    /* the two places a `lower(t)` may stand just now: an operand of == or
     * !=, or an argument of contains, starts_with or ends_with */
    const Expr *lower_ok[2];
} Scope;

static const Type *check_expr(Scope *sc, Expr *e);

static const Type *entity_type(Compilation *c, EntityKind k)
{
    Type *t = ARENA_NEW(&c->arena, Type);
    t->kind = T_ENTITY;
    t->kinds = KIND_BIT(k);
    return t;
}

static bool single_kind(unsigned kinds, EntityKind *out)
{
    for (int k = 0; k < EK_COUNT; k++)
        if (kinds == KIND_BIT(k)) {
            *out = (EntityKind)k;
            return true;
        }
    return false;
}

static Const *const_named(Compilation *c, Name n)
{
    return program_const(c, n);
}

static Score *score_named(Compilation *c, Name n)
{
    return program_score(c, n);
}

/* Is n one of the symbols some attribute allows (retired, business, ...)? */
static bool known_symbol(Compilation *c, Name n)
{
    for (int k = 0; k < EK_COUNT; k++) {
        KindTable *t = kind_table(c, (EntityKind)k);
        for (uint32_t i = 0; i < t->nattrs; i++)
            for (uint32_t j = 0; j < t->attrs[i].nallowed; j++)
                if (t->attrs[i].allowed[j] == n)
                    return true;
    }
    return false;
}

static bool is_error(const Type *t)
{
    return !t || t->kind == T_ERROR;
}

static void expect_type(Scope *sc, Expr *e, const Type *got, TypeKind want,
                        const char *what)
{
    if (is_error(got) || got->kind == want)
        return;
    const Type w = {want, 0, NULL};
    diag_at(sc->c, D_TYPE, e->loc, "%s must be a %s, not a %s", what,
            type_name(sc->c, &w), type_name(sc->c, got));
}

/* Whether t is an entity of exactly one kind, `want`. */
static bool is_one_kind(const Type *t, EntityKind want)
{
    EntityKind k;
    return t->kind == T_ENTITY && single_kind(t->kinds, &k) && k == want;
}

/* The service argument of a score call or of a built-in: `who` names it
 * for the message ("`forecast`", "score `x`"); returns its type. */
static const Type *expect_service(Scope *sc, Expr *arg, const char *who)
{
    const Type *t = check_expr(sc, arg);
    if (!is_error(t) && !is_one_kind(t, EK_SERVICE))
        diag_at(sc->c, D_TYPE, arg->loc, "%s takes a service, not a %s", who,
                type_name(sc->c, t));
    return t;
}

/* The text predicates read strings and symbols (a status is text too). */
static void expect_text(Scope *sc, Expr *e, const Type *got, const char *fn)
{
    if (is_error(got) || got->kind == T_STRING || got->kind == T_SYMBOL)
        return;
    diag_at(sc->c, D_TYPE, e->loc, "`%s` takes text (a string), not a %s", fn,
            type_name(sc->c, got));
}

/* Every name a reader might have meant, for "did you mean"; offered one
 * by one, never copied. */
static Name suggest_any(Scope *sc, Name n)
{
    Compilation *c = sc->c;
    if (++c->suggestions > 500)   /* as suggest_entity: a flood gets few */
        return NULL;
    Suggester sg;
    suggest_begin(&sg, n);
    for (int i = 0; i < sc->nvars; i++)
        suggest_offer(&sg, sc->vars[i]);
    for (int i = 0; i < sc->nlets; i++)
        suggest_offer(&sg, sc->let_names[i]);
    for (uint32_t i = 0; i < c->program->consts.len; i++)
        suggest_offer(&sg, ((Const *)c->program->consts.items[i])->name);
    for (uint32_t i = 0; i < c->program->ndecisions; i++)
        suggest_offer(&sg, c->program->decision_names[i]);
    for (int k = 0; k < EK_COUNT; k++) {
        KindTable *t = kind_table(c, (EntityKind)k);
        for (uint32_t i = 0; i < t->nattrs; i++)
            for (uint32_t j = 0; j < t->attrs[i].nallowed; j++)
                suggest_offer(&sg, t->attrs[i].allowed[j]);
        if (t->count <= 20000)
            for (uint32_t r = 0; r < t->count; r++)
                suggest_offer(&sg, t->names[r]);
    }
    return suggest_best(&sg);
}

/* `s.launched < "2026-06-02"`: a date compared with a string that is a
 * date in quotes; the fix unquotes it. */
static void quoted_date_fix(Compilation *c, Diag *d, const Expr *cmp, const Type *a,
                            const Type *b)
{
    const Expr *str = a->kind == T_DATE && b->kind == T_STRING   ? cmp->u.ops.b
                      : b->kind == T_DATE && a->kind == T_STRING ? cmp->u.ops.a
                                                                 : NULL;
    if (!str || str->kind != EX_STRING)
        return;
    char iso[2][11];
    DateGuess g = date_guess(str->u.str.s, str->u.str.len, iso);
    if (g != DATE_UNIQUE && g != DATE_AMBIGUOUS)
        return;
    if (g == DATE_UNIQUE)
        diag_hint(c, d, "a date is written without quotes: %s", iso[0]);
    else
        diag_hint(c, d, "a date is written without quotes: %s (day first) or %s (month "
                        "first)", iso[0], iso[1]);
    diag_fix(c, d, str->loc, iso[0], g == DATE_UNIQUE);
    if (g == DATE_AMBIGUOUS)
        diag_fix(c, d, str->loc, iso[1], false);
}

/* The innermost bound variable of kind k, and how many are bound. */
static int bound_of_kind(const Scope *sc, EntityKind k, int *count)
{
    int found = -1;
    *count = 0;
    for (int i = sc->nvars - 1; i >= 0; i--)
        if (sc->kinds[i] == k) {
            if (found < 0)
                found = i;
            (*count)++;
        }
    return found;
}

/* `rank by wsjf desc`: S0408, with the call as the fix when one service
 * variable is bound (machine-applicable), the innermost of several else. */
static void report_score_without_argument(Scope *sc, Expr *e, Name n)
{
    Compilation *c = sc->c;
    Diag *d = diag_at(c, D_SCORE_NO_ARG, e->loc, "score `%s` is used without its argument", n);
    int count;
    int v = bound_of_kind(sc, EK_SERVICE, &count);
    if (v < 0) {
        diag_hint(c, d, "a score is called with a service, `%s(s)`, where `s` is bound "
                        "(in a score, decide, an approval, or `all s in service : ...`)", n);
        return;
    }
    if (count > 1)
        diag_hint(c, d, "call it with the service meant: %d service variables are bound here",
                  count);
    if (e->loc.end - e->loc.start == strlen(n))
        diag_fix(c, d, e->loc, arena_printf(&c->arena, "%s(%s)", n, sc->vars[v]), count == 1);
}

/* A bare `incidents` where a bound variable has that attribute: the fix
 * is `s.incidents` (machine-applicable when one variable has it).  True
 * when the name is such an attribute (the help is given). */
static bool bare_attribute_fix(Scope *sc, Expr *e, Diag *d, Name n)
{
    Compilation *c = sc->c;
    int first = -1, count = 0;
    for (int i = sc->nvars - 1; i >= 0; i--)
        if (attr_slot(kind_table(c, sc->kinds[i]), n) >= 0) {
            if (first < 0)
                first = i;
            count++;
        }
    if (first < 0) {
        if (attr_slot(kind_table(c, EK_SERVICE), n) < 0)
            return false;
        diag_hint(c, d, "`%s` is an attribute of a service: write `s.%s` where `s` is bound "
                        "(`all s in service : s.%s ...`)", n, n, n);
        return true;
    }
    diag_hint(c, d, "`%s` is an attribute: write `%s.%s`", n, sc->vars[first], n);
    if (e->loc.end - e->loc.start == strlen(n))
        diag_fix(c, d, e->loc, arena_printf(&c->arena, "%s.%s", sc->vars[first], n), count == 1);
    return true;
}

/* The table argument of decision(s, NAME): a bare name of a decide table
 * (S0921 otherwise, with "did you mean" over the tables). */
static int32_t check_table_arg(Compilation *c, Expr *e)
{
    Program *p = c->program;
    e->type = &type_symbol;
    if (e->kind != EX_NAME) {
        diag_at(c, D_UNKNOWN_TABLE, e->loc, "the second argument of `decision` is the name "
                                            "of a decide table");
        return -1;
    }
    DecideTable *t = program_table_named(c, e->u.name.id);
    if (t) {
        e->u.name.sym = &t->sym;
        return (int32_t)t->index;
    }
    Diag *d = diag_at(c, D_UNKNOWN_TABLE, e->loc, "no decide table is named `%s`",
                      e->u.name.id);
    Suggester sg;
    suggest_begin(&sg, e->u.name.id);
    for (uint32_t i = 0; i < p->tables.len; i++)
        if (program_table(p, i)->name)
            suggest_offer(&sg, program_table(p, i)->name);
    Name hint = suggest_best(&sg);
    if (hint)
        diag_hint(c, d, "did you mean `%s`?", hint);
    else
        diag_hint(c, d, "declare it as `decide %s (...) { ... }`", e->u.name.id);
    return -1;
}

/* Resolves a name once, recording on e what it denotes (e->u.name.sym)
 * for the run and the position index; returns its type. */
static const Type *check_name(Scope *sc, Expr *e)
{
    Compilation *c = sc->c;
    Program *p = c->program;
    Name n = e->u.name.id;
    e->u.name.sym = NULL;
    for (int i = sc->nlets - 1; i >= 0; i--)
        if (sc->let_names[i] == n) {
            if (i < sc->norm_lets) {
                /* norm evaluates its argument for every service, where
                 * a value bound for this one does not hold */
                Diag *d = diag_at(c, D_TYPE, e->loc, "`norm` scales its argument across "
                                                     "every service; `%s` is bound by `let` "
                                                     "outside it", n);
                diag_hint(c, d, "write the expression itself inside norm(...)");
                return &type_error;
            }
            e->u.name.local = i;
            e->u.name.binder = sc->let_binders[i];
            return sc->let_types[i];
        }
    for (int i = sc->nvars - 1; i >= 0; i--)
        if (sc->vars[i] == n) {
            e->u.name.sym = sc->syms[i];
            return entity_type(c, sc->kinds[i]);
        }
    if (n == c->n.decision && sc->ctx == CTX_APPROVAL) {
        e->u.name.sym = &p->approval_decision_sym;
        return &type_decision;
    }
    DecideTable *table = sc->ctx == CTX_APPROVAL ? program_table_named(c, n) : NULL;
    if (table) {   /* `when = action == consolidate`: that table's outcome */
        e->u.name.sym = &table->approval_sym;
        return &type_decision;
    }
    Const *k = const_named(c, n);
    if (k) {
        e->u.name.sym = &k->sym;
        return &type_number;
    }
    if (n == c->n.budget) {
        e->u.name.sym = &p->budget_sym;
        /* read without one, it would be NaN: every limit on it violated */
        if (p->strategy.decl && isnan(p->strategy.budget) &&
            !diag_undefined_silenced(c, n)) {
            Diag *d = diag_at(c, D_UNDEFINED, e->loc, "`budget` is read here, but the "
                                                      "strategy sets no budget");
            diag_hint(c, d, "add `budget = ...` to the strategy block");
            return &type_error;
        }
        return &type_number;
    }
    Decision dec = decision_from_name(c, n);
    if (dec != DEC_NONE) {
        e->u.name.sym = &p->decision_syms[dec];
        return &type_decision;
    }
    for (int ek = 0; ek < EK_COUNT; ek++) {
        int32_t row = kind_lookup(kind_table(c, (EntityKind)ek), n);
        if (row >= 0) {
            e->u.name.sym = entity_symbol(c, (EntityKind)ek, row);
            return entity_type(c, (EntityKind)ek);
        }
    }
    if (known_symbol(c, n)) {
        e->u.name.sym = &p->value_sym;
        return &type_symbol;
    }
    if (diag_undefined_silenced(c, n))
        return &type_error;
    if (score_named(c, n)) {
        report_score_without_argument(sc, e, n);
        return &type_error;
    }
    Diag *d = diag_at(c, D_UNDEFINED, e->loc, "undefined name `%s`", n);
    if (bare_attribute_fix(sc, e, d, n))
        return &type_error;
    Name s = suggest_any(sc, n);
    if (s)
        diag_hint(c, d, "did you mean `%s`?", s);
    else if (n == c->n.s)
        diag_hint(c, d, "`s` is bound only inside scores, decide, approvals and "
                        "quantifiers such as `all s in service : ...`");
    return &type_error;
}

static const Type *check_attr(Scope *sc, Expr *e)
{
    Compilation *c = sc->c;
    const Type *ot = check_expr(sc, e->u.attr.obj);
    if (is_error(ot))
        return &type_error;
    EntityKind k;
    if (ot->kind != T_ENTITY || !single_kind(ot->kinds, &k)) {
        diag_at(c, D_TYPE, e->u.attr.obj->loc,
                "only entities have attributes; this is a %s", type_name(c, ot));
        return &type_error;
    }
    KindTable *t = kind_table(c, k);
    int slot = attr_slot(t, e->u.attr.attr);
    if (slot < 0) {
        Diag *d = diag_at(c, D_UNKNOWN_ATTR, e->u.attr.attr_loc,
                          "%s has no attribute `%s`", entity_kind_name(k), e->u.attr.attr);
        Suggester sg;
        suggest_begin(&sg, e->u.attr.attr);
        for (uint32_t i = 0; i < t->nattrs; i++)
            suggest_offer(&sg, t->attrs[i].name);
        Name s = suggest_best(&sg);
        if (s)
            diag_hint(c, d, "did you mean `%s`?", s);
        else if (k == EK_SERVICE)
            diag_hint(c, d, "declare it in `schema service { ... }`, or import \"std/itil\"");
        return &type_error;
    }
    e->u.attr.slot = slot;
    return &t->attrs[slot].type;
}

/* `s.status == retird`: a bare name compared with a symbol attribute must
 * be one of the attribute's values. */
static void check_symbol_against(Scope *sc, Expr *attr, Expr *name)
{
    Compilation *c = sc->c;
    if (attr->kind != EX_ATTR || attr->u.attr.slot < 0 || name->kind != EX_NAME)
        return;
    const Type *ot = attr->u.attr.obj->type;
    EntityKind k;
    if (!ot || ot->kind != T_ENTITY || !single_kind(ot->kinds, &k))
        return;
    const AttrDef *a = &kind_table(c, k)->attrs[attr->u.attr.slot];
    if (!a->nallowed)
        return;
    for (uint32_t i = 0; i < a->nallowed; i++)
        if (a->allowed[i] == name->u.name.id)
            return;
    Diag *d = diag_at(c, D_BAD_SYMBOL, name->loc, "`%s` is not a value of `%s`",
                      name->u.name.id, a->name);
    Name s = suggest_name(name->u.name.id, a->allowed, a->nallowed);
    if (s)
        diag_hint(c, d, "did you mean `%s`?", s);
}

static bool same_type(const Type *a, const Type *b)
{
    if (a->kind != b->kind)
        return a->kind == T_NONE || b->kind == T_NONE ||
               (a->kind == T_SYMBOL && b->kind == T_STRING) ||
               (a->kind == T_STRING && b->kind == T_SYMBOL);
    if (a->kind == T_ENTITY)
        return (a->kinds & b->kinds) != 0;
    return true;
}

/* A divisor that folds to zero without looking at any service. */
static bool const_zero(Compilation *c, Expr *e)
{
    double v;
    return const_number(c, e, &v, false) && v == 0;
}

/* Would `n` resolve as a name in this scope? */
static bool name_resolves(Scope *sc, Name n)
{
    Compilation *c = sc->c;
    for (int i = 0; i < sc->nvars; i++)
        if (sc->vars[i] == n)
            return true;
    for (int i = 0; i < sc->nlets; i++)
        if (sc->let_names[i] == n)
            return true;
    if (const_named(c, n) || n == c->n.budget || decision_from_name(c, n) != DEC_NONE ||
        known_symbol(c, n) || (n == c->n.decision && sc->ctx == CTX_APPROVAL) ||
        (sc->ctx == CTX_APPROVAL && program_table_named(c, n)))
        return true;
    for (int k = 0; k < EK_COUNT; k++)
        if (kind_lookup(kind_table(c, (EntityKind)k), n) >= 0)
            return true;
    return false;
}

/* `s.status == retird`: an unknown bare name compared with a symbol
 * attribute is judged against that attribute's values, so the suggestion
 * is `retired`, not the decision `retire`. */
static bool symbol_operand(Scope *sc, Expr *attr, const Type *at, Expr *name)
{
    if (name->kind != EX_NAME || !at || at->kind != T_SYMBOL || attr->kind != EX_ATTR ||
        name_resolves(sc, name->u.name.id))
        return false;
    check_symbol_against(sc, attr, name);
    name->type = &type_symbol;
    name->u.name.sym = &sc->c->program->value_sym;
    return true;
}

static const Type *check_binary_ops(Scope *sc, Expr *e);

static const Type *check_binary(Scope *sc, Expr *e)
{
    Op op = e->u.ops.op;
    const Expr *saved_lower_ok[2] = {sc->lower_ok[0], sc->lower_ok[1]};
    if (op == OP_EQ || op == OP_NE) {
        sc->lower_ok[0] = e->u.ops.a;
        sc->lower_ok[1] = e->u.ops.b;
    }
    const Type *t = check_binary_ops(sc, e);
    sc->lower_ok[0] = saved_lower_ok[0];
    sc->lower_ok[1] = saved_lower_ok[1];
    return t;
}

static const Type *check_binary_ops(Scope *sc, Expr *e)
{
    Compilation *c = sc->c;
    Op op = e->u.ops.op;
    if (op == OP_EQ || op == OP_NE) {
        const Type *a = check_expr(sc, e->u.ops.a);
        if (symbol_operand(sc, e->u.ops.a, a, e->u.ops.b))
            return &type_bool;
        if (e->u.ops.a->kind == EX_NAME && e->u.ops.b->kind == EX_ATTR &&
            !name_resolves(sc, e->u.ops.a->u.name.id)) {
            const Type *b = check_expr(sc, e->u.ops.b);
            if (symbol_operand(sc, e->u.ops.b, b, e->u.ops.a))
                return &type_bool;
        }
    }
    const Type *a = e->u.ops.a->type ? e->u.ops.a->type : check_expr(sc, e->u.ops.a);
    const Type *b = e->u.ops.b->type ? e->u.ops.b->type : check_expr(sc, e->u.ops.b);
    switch (op) {
    case OP_ADD: case OP_SUB: case OP_MUL: case OP_DIV:
        if (op == OP_DIV && const_zero(c, e->u.ops.b))
            diag_at(c, D_DIV_ZERO, e->u.ops.b->loc, "division by constant zero");
        if (op == OP_SUB && !is_error(a) && !is_error(b) && a->kind == T_DATE &&
            b->kind == T_DATE)
            return &type_number;   /* days between two dates */
        expect_type(sc, e->u.ops.a, a, T_NUMBER, "an operand of arithmetic");
        expect_type(sc, e->u.ops.b, b, T_NUMBER, "an operand of arithmetic");
        return &type_number;
    case OP_AND: case OP_OR:
        expect_type(sc, e->u.ops.a, a, T_BOOL, "an operand of `and`/`or`");
        expect_type(sc, e->u.ops.b, b, T_BOOL, "an operand of `and`/`or`");
        return &type_bool;
    case OP_LT: case OP_LE: case OP_GT: case OP_GE:
        if (!is_error(a) && !is_error(b) &&
            !((a->kind == T_NUMBER && b->kind == T_NUMBER) ||
              (a->kind == T_DATE && b->kind == T_DATE)))
            quoted_date_fix(c, diag_at(c, D_TYPE, e->loc, "`%s` compares two numbers or two "
                                                          "dates, not a %s and a %s",
                                       op_text(op), type_name(c, a), type_name(c, b)),
                            e, a, b);
        return &type_bool;
    case OP_EQ: case OP_NE:
        if (!is_error(a) && !is_error(b)) {

            if (!same_type(a, b))
                quoted_date_fix(c, diag_at(c, D_TYPE, e->loc, "`%s` compares a %s with a %s",
                                           op_text(op), type_name(c, a), type_name(c, b)),
                                e, a, b);
            else if (a->kind == T_SYMBOL || b->kind == T_SYMBOL) {
                check_symbol_against(sc, e->u.ops.a, e->u.ops.b);
                check_symbol_against(sc, e->u.ops.b, e->u.ops.a);
            }
        }
        return &type_bool;
    case OP_IN:
        if (!is_error(a) && !is_error(b)) {
            if (b->kind != T_LIST)
                diag_at(c, D_TYPE, e->u.ops.b->loc, "`in` needs a list on its right, "
                                                    "not a %s", type_name(c, b));
            else if (b->elem && !same_type(a, b->elem))
                diag_at(c, D_TYPE, e->u.ops.a->loc, "a %s cannot be in a %s",
                        type_name(c, a), type_name(c, b));
        }
        return &type_bool;
    default:
        return &type_error;
    }
}

/* A name bound twice in one scope (a quantifier's variable or a let's)
 * would leave a reader guessing which one a use means: an error. */
static bool bound_here(Scope *sc, Name n, Loc at)
{
    bool bound = false;
    for (int i = 0; i < sc->nvars && !bound; i++)
        bound = sc->vars[i] == n;
    for (int i = 0; i < sc->nlets && !bound; i++)
        bound = sc->let_names[i] == n;
    if (bound)
        diag_at(sc->c, D_DUPLICATE, at, "`%s` is already bound here; pick another name", n);
    return bound;
}

/* `let var = value in body`: the value is checked without var, the body
 * with it. */
static const Type *check_let(Scope *sc, Expr *e)
{
    Compilation *c = sc->c;
    const Type *vt = check_expr(sc, e->u.let.value);
    if (vt && vt->kind == T_NONE) {
        diag_at(c, D_TYPE, e->u.let.value->loc, "`let` names a value; `none` is the "
                                                "absence of one");
        vt = &type_error;
    }
    /* bound twice: reported, and bound anyway (names look lets up
     * first), so the body's uses raise nothing more */
    bound_here(sc, e->u.let.var, e->u.let.var_loc);
    if (sc->nlets >= MAX_LETS) {
        diag_at(c, D_NESTING, e->u.let.var_loc, "more than %d names bound by `let` at once",
                MAX_LETS);
        return &type_error;
    }
    int slot = sc->nlets++;
    e->u.let.local = slot;
    sc->let_names[slot] = e->u.let.var;
    sc->let_types[slot] = vt;
    sc->let_binders[slot] = e;
    const Type *bt = check_expr(sc, e->u.let.body);
    sc->nlets--;
    return bt;
}

/* Binds the quantified variable, checks where and body. */
static bool bind_var(Scope *sc, Expr *e)
{
    Compilation *c = sc->c;
    EntityKind k = EK_SERVICE;
    bool found = false;
    for (int i = 0; i < EK_COUNT; i++)
        if (strcmp(e->u.quant.kind_name, entity_kind_name((EntityKind)i)) == 0) {
            k = (EntityKind)i;
            found = true;
        }
    if (!found) {
        diag_at(c, D_UNDEFINED, e->u.quant.kind_loc,
                "`%s` is not a kind of entity to range over", e->u.quant.kind_name);
        return false;
    }
    if (sc->nvars >= MAX_LOCALS) {
        diag_at(c, D_NESTING, e->loc, "quantifiers nested too deep");
        return false;
    }
    if (bound_here(sc, e->u.quant.var, e->u.quant.var_loc))
        return false;
    e->u.quant.entity_kind = (int)k;
    e->u.quant.local = sc->nvars;
    sc->vars[sc->nvars] = e->u.quant.var;
    sc->kinds[sc->nvars] = k;
    sc->syms[sc->nvars] = symbol_new(c, SYM_LOCAL, (int)k, sc->nvars, e->u.quant.var,
                                     e->u.quant.var_loc);
    sc->nvars++;
    return true;
}

static const Type *check_quant(Scope *sc, Expr *e)
{
    if (!bind_var(sc, e))
        return &type_error;
    if (e->u.quant.where)
        expect_type(sc, e->u.quant.where, check_expr(sc, e->u.quant.where), T_BOOL,
                    "a `where` condition");
    const Type *bt = check_expr(sc, e->u.quant.body);
    sc->nvars--;
    if (e->kind == EX_QUANT) {
        expect_type(sc, e->u.quant.body, bt, T_BOOL, "the body of a quantifier");
        return &type_bool;
    }
    return bt;   /* comprehension: the element type; the caller decides */
}

/* forecast(s, h): a service, a constant whole horizon (each one a column
 * the JIT reads, demand.h), and a `load demand` block to forecast from. */
static void check_forecast_call(Scope *sc, Expr *e)
{
    Compilation *c = sc->c;
    Expr **args = e->u.call.args;
    expect_service(sc, args[0], "`forecast`");
    check_expr(sc, args[1]);
    double h;
    if (!const_number(c, args[1], &h, false) || !(h >= 1 && h <= FORECAST_MAX_PERIOD) ||
        h != floor(h)) {
        Diag *d = diag_at(c, D_FORECAST_CALL, args[1]->loc, "the horizon of `forecast` is a "
                                                            "constant whole number of periods "
                                                            "from 1 to %d", FORECAST_MAX_PERIOD);
        diag_hint(c, d, "forecast(s, 3): the demand three periods after the history's last");
    }
    if (!c->program->demand)
        diag_at(c, D_FORECAST_CALL, e->loc, "`forecast` needs a `load demand` block to "
                                            "forecast from");
}

static const Type *check_call(Scope *sc, Expr *e)
{
    Compilation *c = sc->c;
    Name fn = e->u.call.fn;
    uint32_t n = e->u.call.nargs;
    Expr **args = e->u.call.args;
    int b = -1;
    for (int i = 0; i < B_COUNT_OF_BUILTINS; i++)
        if (strcmp(fn, builtin_name((Builtin)i)) == 0)
            b = i;
    Score *score = b < 0 ? score_named(c, fn) : NULL;
    if (b < 0 && !score) {
        Diag *d = diag_at(c, D_UNDEFINED, e->u.call.fn_loc, "undefined function `%s`", fn);
        Name s = NULL;
        if (++c->suggestions <= MAX_NAME_SEARCHES) {
            Suggester sg;
            suggest_begin(&sg, fn);
            for (int i = 0; i < B_COUNT_OF_BUILTINS; i++)
                suggest_offer(&sg, intern_cstr(c, builtin_name((Builtin)i)));
            for (uint32_t i = 0; i < c->program->scores.len; i++)
                suggest_offer(&sg, ((Score *)c->program->scores.items[i])->name);
            s = suggest_best(&sg);
        }
        if (s)
            diag_hint(c, d, "did you mean `%s`?", s);
        for (uint32_t i = 0; i < n; i++)
            if (args[i]->kind != EX_COMPREH)
                check_expr(sc, args[i]);
        return &type_error;
    }
    e->u.call.builtin = b;
    e->u.call.sym = score ? &score->sym : NULL;

    /* aggregates take a comprehension or a list */
    if (b == B_COUNT || b == B_SUM || b == B_ANY || b == B_ALL ||
        ((b == B_MIN || b == B_MAX) && n == 1)) {
        if (n != 1) {
            diag_at(c, D_ARITY, e->loc, "`%s` takes one argument", fn);
            return &type_error;
        }
        Expr *a = args[0];
        const Type *et;
        if (a->kind == EX_COMPREH) {
            et = check_quant(sc, a);
        } else {
            const Type *lt = check_expr(sc, a);
            if (is_error(lt))
                return b == B_ANY || b == B_ALL ? &type_bool : &type_number;
            if (lt->kind != T_LIST) {
                diag_at(c, D_TYPE, a->loc, "`%s` takes a list or `x for x in kind`", fn);
                return &type_error;
            }
            et = lt->elem ? lt->elem : &type_error;
        }
        if (b == B_COUNT)
            return &type_number;
        if (b == B_ANY || b == B_ALL) {
            expect_type(sc, a, et, T_BOOL, "each element");
            return &type_bool;
        }
        expect_type(sc, a, et, T_NUMBER, "each element");
        return &type_number;
    }
    for (uint32_t i = 0; i < n; i++)
        if (args[i]->kind == EX_COMPREH) {
            diag_at(c, D_TYPE, args[i]->loc, "`... for x in kind` may only stand in "
                                             "count, sum, min, max, any or all");
            return &type_error;
        }
    if (score) {
        if (n != 1) {
            diag_at(c, D_ARITY, e->loc, "score `%s` takes one service", fn);
            return &type_number;
        }
        expect_service(sc, args[0], arena_printf(&c->arena, "score `%s`", fn));
        return &type_number;
    }
    static const struct { int min, max; } arity[B_COUNT_OF_BUILTINS] = {
        [B_ALIGNMENT] = {1, 1}, [B_EXPOSURE] = {2, 2}, [B_NORM] = {1, 1},
        [B_MIN] = {2, 16}, [B_MAX] = {2, 16}, [B_CLAMP] = {3, 3}, [B_ABS] = {1, 1},
        [B_LOG] = {1, 1}, [B_SQRT] = {1, 1}, [B_POW] = {2, 2}, [B_DEFINED] = {1, 1},
        [B_DECISION] = {1, 2}, [B_ROUND] = {2, 2}, [B_FLOOR] = {1, 1},
        [B_CEIL] = {1, 1}, [B_TRUNC] = {1, 1}, [B_MOD] = {2, 2},
        [B_CONTAINS] = {2, 2}, [B_STARTS_WITH] = {2, 2}, [B_ENDS_WITH] = {2, 2},
        [B_LOWER] = {1, 1}, [B_TODAY] = {0, 0}, [B_ALLOCATED_COST] = {1, 1},
        [B_CHARGE] = {2, 2}, [B_FORECAST] = {2, 2}};
    if ((int)n < arity[b].min || (int)n > arity[b].max) {
        if (arity[b].min == arity[b].max)
            diag_at(c, D_ARITY, e->loc, "`%s` takes %d argument%s, not %u", fn,
                    arity[b].min, arity[b].min == 1 ? "" : "s", n);
        else
            diag_at(c, D_ARITY, e->loc, "`%s` takes %d to %d arguments, not %u", fn,
                    arity[b].min, arity[b].max, n);
        return b == B_TODAY ? &type_date : &type_error;   /* a date all the same */
    }
    switch ((Builtin)b) {
    case B_ALLOCATED_COST: case B_CHARGE: {   /* show-back (showback.c) */
        expect_service(sc, args[0], arena_printf(&c->arena, "`%s`", fn));
        if (b == B_CHARGE) {
            const Type *u = check_expr(sc, args[1]);
            if (!is_error(u) && !is_one_kind(u, EK_CUSTOMER))
                diag_at(c, D_TYPE, args[1]->loc, "`charge` takes a customer second, not a %s",
                        type_name(c, u));
        }
        return &type_number;
    }
    case B_ALIGNMENT:
    case B_DECISION:
    case B_EXPOSURE: {
        expect_service(sc, args[0], arena_printf(&c->arena, "`%s`", fn));
        if (b == B_EXPOSURE) {
            /* the category is a bare name: security, availability, ... */
            if (args[1]->kind != EX_NAME)
                diag_at(c, D_TYPE, args[1]->loc, "the risk category is a name, such as "
                                                 "security");
            else
                args[1]->type = &type_symbol;
            return &type_number;
        }
        if (b == B_DECISION) {
            int32_t table = 0;
            if (n == 2 && (table = check_table_arg(c, args[1])) < 0)
                return &type_decision;   /* reported */
            if (sc->ctx == CTX_DECIDE && table < sc->table)
                return &type_decision;   /* an earlier table: decided first */
            if (sc->ctx == CTX_DECIDE && n == 2) {
                Diag *d = diag_at(c, D_SCORE_RECURSION, e->loc,
                                  "decide table `%s` is not decided before this one",
                                  args[1]->u.name.id);
                diag_hint(c, d, "an arm may read the tables before its own: the unnamed "
                                "table first, then the named ones in declaration order");
                return &type_decision;
            }
            if (sc->ctx == CTX_DECIDE)
                diag_at(c, D_SCORE_RECURSION, e->loc,
                        "`decision` cannot be used while deciding");
            else if (sc->ctx == CTX_SCORE)
                diag_at(c, D_SCORE_RECURSION, e->loc,
                        "scores are computed before decisions; `decision` cannot be "
                        "used in a score");
            return &type_decision;
        }
        return &type_number;
    }
    case B_DEFINED:
        check_expr(sc, args[0]);
        return &type_bool;
    case B_TODAY:   /* the current UTC date, or --today: what waivers expire by */
        return &type_date;
    case B_FORECAST:   /* forecast(s, h): demand.h */
        check_forecast_call(sc, e);
        return &type_number;
    case B_ROUND: {
        for (uint32_t i = 0; i < n; i++)
            expect_type(sc, args[i], check_expr(sc, args[i]), T_NUMBER, "an argument");
        /* decimals known now are held to what round takes (numeric.h) */
        double digits;
        if (!is_error(args[1]->type) && const_number(c, args[1], &digits, false) &&
            !(digits >= 0 && digits <= NUM_ROUND_MAX_DIGITS && digits == floor(digits)))
            diag_at(c, D_RANGE, args[1]->loc, "`round` takes a whole number of decimals "
                                              "from 0 to %d, not %g",
                    NUM_ROUND_MAX_DIGITS, digits);
        return &type_number;
    }
    case B_CONTAINS: case B_STARTS_WITH: case B_ENDS_WITH: {
        const Expr *saved[2] = {sc->lower_ok[0], sc->lower_ok[1]};
        sc->lower_ok[0] = args[0];
        sc->lower_ok[1] = args[1];
        for (uint32_t i = 0; i < n; i++)
            expect_text(sc, args[i], check_expr(sc, args[i]), fn);
        sc->lower_ok[0] = saved[0];
        sc->lower_ok[1] = saved[1];
        return &type_bool;
    }
    case B_LOWER: {
        bool placed = e == sc->lower_ok[0] || e == sc->lower_ok[1];
        sc->lower_ok[0] = sc->lower_ok[1] = NULL;   /* not inside its own argument */
        expect_text(sc, args[0], check_expr(sc, args[0]), fn);
        if (placed)
            return &type_string;
        diag_at(c, D_TYPE, e->loc, "`lower(t)` stands as an argument of contains, "
                                   "starts_with or ends_with, or beside == or !=");
        return &type_error;   /* said once: no follow-on about its type */
    }
    case B_NORM: {
        if (sc->ctx != CTX_SCORE && sc->ctx != CTX_DECIDE)
            diag_at(c, D_TYPE, e->loc, "`norm` scales across the portfolio and needs the "
                                       "service `s`: use it in scores or decide");
        int saved = sc->norm_lets;
        sc->norm_lets = sc->nlets;
        expect_type(sc, args[0], check_expr(sc, args[0]), T_NUMBER, "an argument");
        sc->norm_lets = saved;
        return &type_number;
    }
    default:
        for (uint32_t i = 0; i < n; i++)
            expect_type(sc, args[i], check_expr(sc, args[i]), T_NUMBER, "an argument");
        return &type_number;
    }
}

static const Type *check_expr_inner(Scope *sc, Expr *e)
{
    Compilation *c = sc->c;
    switch (e->kind) {
    case EX_NUMBER: return &type_number;
    case EX_STRING: return &type_string;
    case EX_DATE: return &type_date;
    case EX_BOOL: return &type_bool;
    case EX_NONE: return &type_none;
    case EX_NAME: return check_name(sc, e);
    case EX_ATTR: return check_attr(sc, e);
    case EX_CALL: return check_call(sc, e);
    case EX_LIST: {
        const Type *elem = e->u.list.npacked ? &type_number : NULL;
        for (uint32_t i = 0; i < e->u.list.n; i++) {
            const Type *t = check_expr(sc, e->u.list.items[i]);
            if (is_error(t))
                continue;
            if (!elem)
                elem = t;
            else if (!same_type(elem, t))
                diag_at(c, D_TYPE, e->u.list.items[i]->loc,
                        "a list holds values of one type: %s, not %s",
                        type_name(c, elem), type_name(c, t));
        }
        Type *lt = ARENA_NEW(&c->arena, Type);
        lt->kind = T_LIST;
        lt->elem = elem ? elem : &type_none;
        return lt;
    }
    case EX_UNARY: {
        const Type *t = check_expr(sc, e->u.ops.a);
        if (e->u.ops.op == OP_NEG) {
            expect_type(sc, e->u.ops.a, t, T_NUMBER, "the operand of `-`");
            return &type_number;
        }
        expect_type(sc, e->u.ops.a, t, T_BOOL, "the operand of `not`");
        return &type_bool;
    }
    case EX_BINARY: return check_binary(sc, e);
    case EX_IF: {
        expect_type(sc, e->u.ops.a, check_expr(sc, e->u.ops.a), T_BOOL,
                    "the condition of `if`");
        const Type *a = check_expr(sc, e->u.ops.b);
        const Type *b = check_expr(sc, e->u.ops.c);
        if (!is_error(a) && !is_error(b) && !same_type(a, b))
            diag_at(c, D_TYPE, e->loc, "the branches of `if` differ: %s and %s",
                    type_name(c, a), type_name(c, b));
        return is_error(a) ? b : a;
    }
    case EX_RANGE:
        diag_at(c, D_TYPE, e->loc, "a range a .. b is a value of the strategy's horizon "
                                   "or a schema bound, not of an expression");
        return &type_error;
    case EX_QUANT: return check_quant(sc, e);
    case EX_LET: return check_let(sc, e);
    case EX_COMPREH:
        diag_at(c, D_TYPE, e->loc, "`... for x in kind` may only stand in count, sum, "
                                   "min, max, any or all");
        return &type_error;
    case EX_ERROR:
        return &type_error;
    }
    return &type_error;
}

static const Type *check_expr(Scope *sc, Expr *e)
{
    const Type *t = check_expr_inner(sc, e);
    e->type = t;
    return t;
}

/* ---- score recursion ---------------------------------------------------- */

/* Depth-first over the call graph; a score met again while on the stack
 * closes a cycle, reported once at the call that closes it. */
/* Scores are evaluated by recursion (a score calls the ones it uses), so
 * the longest chain of calls is bounded like any nesting. */
enum { MAX_SCORE_CHAIN = 256 };

static bool visit_score(Compilation *c, Score *s, PtrVec *path)
{
    if (s->state == 2)
        return true;
    if (s->state == 1)
        return false;
    if (path->len >= MAX_SCORE_CHAIN) {
        Score *top = path->items[0];
        diag_at(c, D_NESTING, s->decl->name_loc,
                "scores call each other more than %d deep (from `%s`)", MAX_SCORE_CHAIN,
                top->name);
        s->state = 2;
        for (uint32_t i = 0; i < path->len; i++)   /* report the chain once */
            ((Score *)path->items[i])->state = 2;
        return false;
    }
    s->state = 1;
    ptrvec_push(&c->arena, path, s);
    PtrVec calls = {0};
    score_calls(c, s->decl->expr, &calls);
    for (uint32_t i = 0; i < calls.len; i++) {
        Expr *call = calls.items[i];
        Score *callee = call_score(c->program, call);
        if (callee->state == 1) {
            Diag *d;
            if (callee == s) {
                d = diag_at(c, D_SCORE_RECURSION, call->loc, "score `%s` calls itself",
                            s->name);
            } else {
                const char *chain = NULL;
                bool in = false;
                for (uint32_t j = 0; j < path->len; j++) {
                    Score *hop = path->items[j];
                    in |= hop == callee;
                    if (in)
                        chain = chain ? arena_printf(&c->arena, "%s -> %s", chain, hop->name)
                                      : hop->name;
                }
                d = diag_at(c, D_SCORE_RECURSION, call->loc,
                            "scores call each other in a cycle: %s -> %s", chain,
                            callee->name);
                in = false;
                for (uint32_t j = 0; j < path->len; j++) {
                    Score *hop = path->items[j];
                    in |= hop == callee;
                    if (in)
                        diag_note(c, d, hop->decl->name_loc, "score `%s` is here",
                                  hop->name);
                }
            }
            /* no cascade: treat the cycle as broken */
            call->u.call.sym = NULL;
            call->type = &type_error;
            continue;
        }
        visit_score(c, callee, path);
    }
    path->len--;
    s->state = 2;
    return true;
}

/* ---- decision table ---------------------------------------------------- */

static bool expr_equal(const Expr *a, const Expr *b)
{
    if (!a || !b)
        return a == b;
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case EX_NUMBER: return a->u.num.value == b->u.num.value;
    case EX_STRING: return strcmp(a->u.str.s, b->u.str.s) == 0;
    case EX_DATE: return a->u.date == b->u.date;
    case EX_BOOL: return a->u.boolean == b->u.boolean;
    case EX_NONE: case EX_ERROR: return true;
    case EX_NAME: return a->u.name.id == b->u.name.id;
    case EX_ATTR:
        return a->u.attr.attr == b->u.attr.attr && expr_equal(a->u.attr.obj, b->u.attr.obj);
    case EX_CALL:
        if (a->u.call.fn != b->u.call.fn || a->u.call.nargs != b->u.call.nargs)
            return false;
        for (uint32_t i = 0; i < a->u.call.nargs; i++)
            if (!expr_equal(a->u.call.args[i], b->u.call.args[i]))
                return false;
        return true;
    case EX_LIST:
        if (a->u.list.n != b->u.list.n || a->u.list.npacked != b->u.list.npacked)
            return false;
        for (uint32_t i = 0; i < a->u.list.npacked; i++)
            if (a->u.list.nums[i] != b->u.list.nums[i])
                return false;
        for (uint32_t i = 0; i < a->u.list.n; i++)
            if (!expr_equal(a->u.list.items[i], b->u.list.items[i]))
                return false;
        return true;
    case EX_UNARY: case EX_BINARY: case EX_IF: case EX_RANGE:
        return a->u.ops.op == b->u.ops.op && expr_equal(a->u.ops.a, b->u.ops.a) &&
               expr_equal(a->u.ops.b, b->u.ops.b) && expr_equal(a->u.ops.c, b->u.ops.c);
    case EX_QUANT: case EX_COMPREH:
        return a->u.quant.is_all == b->u.quant.is_all &&
               a->u.quant.var == b->u.quant.var &&
               a->u.quant.kind_name == b->u.quant.kind_name &&
               expr_equal(a->u.quant.where, b->u.quant.where) &&
               expr_equal(a->u.quant.body, b->u.quant.body);
    case EX_LET:
        return a->u.let.var == b->u.let.var && expr_equal(a->u.let.value, b->u.let.value) &&
               expr_equal(a->u.let.body, b->u.let.body);
    }
    return false;
}

/* Appends one byte-range of a because text's raw source to buf, its
 * escapes decoded (the scanner reported bad ones already); `{{` and `}}`
 * are one brace. */
static char *decode_literal(Compilation *c, const char *raw, uint32_t len)
{
    char *out = arena_alloc(&c->arena, (size_t)len + 1);
    uint32_t n = 0;
    for (uint32_t i = 0; i < len; i++) {
        char ch = raw[i];
        if ((ch == '{' || ch == '}') && i + 1 < len && raw[i + 1] == ch) {
            out[n++] = ch;
            i++;
        } else if (ch == '\\' && i + 1 < len) {
            char e = raw[++i];
            if (e == 'u' && i + 1 < len && raw[i + 1] == '{') {
                uint32_t cp = 0;
                for (i += 2; i < len && raw[i] != '}'; i++)
                    cp = cp * 16 + (uint32_t)(raw[i] <= '9' ? raw[i] - '0'
                                                            : (raw[i] | 0x20) - 'a' + 10);
                if (cp < 0x80) {
                    out[n++] = (char)cp;
                } else if (cp < 0x800) {
                    out[n++] = (char)(0xC0 | cp >> 6);
                    out[n++] = (char)(0x80 | (cp & 0x3F));
                } else {   /* \u{} is at most 6 digits: room enough (len) */
                    char tmp[4];
                    int k = 0;
                    if (cp < 0x10000) {
                        tmp[k++] = (char)(0xE0 | cp >> 12);
                    } else {
                        tmp[k++] = (char)(0xF0 | cp >> 18);
                        tmp[k++] = (char)(0x80 | ((cp >> 12) & 0x3F));
                    }
                    tmp[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                    tmp[k++] = (char)(0x80 | (cp & 0x3F));
                    for (int j = 0; j < k && n < len; j++)
                        out[n++] = tmp[j];
                }
            } else {
                out[n++] = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
            }
        } else {
            out[n++] = ch;
        }
    }
    out[n] = '\0';
    return out;
}

/* Splits an arm's `because` into text and `{expression}` parts, read from
 * the source (so an expression's locations are its place in the file) and
 * checked in the decide scope.  A text without `{` keeps parts NULL. */
static void check_because(Scope *sc, Arm *a, DecideTable *t)
{
    Compilation *c = sc->c;
    Source *src = source_get(c, a->because_loc.file);
    if (!a->because.s || !src || !strchr(a->because.s, '{'))
        return;
    uint32_t at = a->because_loc.start;
    while (at < a->because_loc.end && src->text[at] != '"')
        at++;
    uint32_t end = a->because_loc.end;   /* after the closing quote */
    if (at >= end || end - at < 2)
        return;
    const char *raw = src->text;
    uint32_t open = at + 1, close = end - 1, lit = open;
    BecausePart head = {0}, *tail = &head;
    bool ok = true;
    for (uint32_t i = open; i < close; i++) {
        char ch = raw[i];
        if (ch == '\\') {   /* an escape: \u{...} holds braces of its own */
            if (i + 1 < close && raw[i + 1] == 'u')
                while (i < close && raw[i] != '}')
                    i++;
            else
                i++;
            continue;
        }
        if (ch != '{')
            continue;
        if (i + 1 < close && raw[i + 1] == '{') {
            i++;
            continue;
        }
        uint32_t j = i + 1;
        while (j < close && raw[j] != '}' && raw[j] != '"' && raw[j] != '\\')
            j++;
        Loc where = {a->because_loc.file, i, j < close ? j + 1 : close};
        if (j >= close || raw[j] != '}') {
            diag_at(c, D_BAD_BECAUSE, where, j >= close ? "`{` in a because text is not "
                                                         "closed: write `{{` for a brace"
                                                       : "an interpolated expression cannot "
                                                         "hold a string or an escape");
            ok = false;
            break;
        }
        bool blank = true;
        for (uint32_t k = i + 1; k < j; k++)
            blank &= raw[k] == ' ' || raw[k] == '\t';
        if (blank) {
            diag_at(c, D_BAD_BECAUSE, where, "`{}` in a because text holds no expression: "
                                             "write `{{}}` for braces");
            ok = false;
            i = j;
            continue;
        }
        BecausePart *text = ARENA_NEW(&c->arena, BecausePart);
        text->text = decode_literal(c, raw + lit, i - lit);
        tail = tail->next = text;
        Expr *e = parse_fragment(c, a->because_loc.file, i + 1, j);
        if (e) {
            const Type *ty = check_expr(sc, e);
            if (!is_error(ty) && (ty->kind == T_LIST || ty->kind == T_RANGE))
                diag_at(c, D_BAD_BECAUSE, e->loc, "an interpolated expression is one value, "
                                                  "not a %s", type_name(c, ty));
            BecausePart *part = ARENA_NEW(&c->arena, BecausePart);
            part->expr = e;
            tail = tail->next = part;
        } else {
            ok = false;
        }
        lit = j + 1;
        i = j;
    }
    if (!ok || !head.next)
        return;
    BecausePart *text = ARENA_NEW(&c->arena, BecausePart);
    text->text = decode_literal(c, raw + lit, close - lit);
    tail->next = text;
    a->parts = head.next;
    t->interpolates = true;
}

static bool table_has(const DecideTable *t, int id)
{
    for (uint32_t k = 0; k < t->noutcomes; k++)
        if (t->outcomes[k] == id)
            return true;
    return false;
}

static void check_decide(Compilation *c, DecideTable *t)
{
    Decl *d = t->decl;
    Program *p = c->program;
    Scope sc = {.c = c, .ctx = CTX_DECIDE, .table = (int)t->index};
    sc.vars[0] = c->n.s;
    sc.kinds[0] = EK_SERVICE;
    sc.syms[0] = symbol_new(c, SYM_LOCAL, EK_SERVICE, 0, c->n.s, (Loc){0, 0, 0});
    sc.nvars = 1;
    Arm *otherwise = NULL;
    for (Arm *a = d->arms; a; a = a->next) {
        a->dec = decision_from_name(c, a->decision);
        if (t->name && !table_has(t, a->dec)) {
            Diag *dg = diag_at(c, D_UNKNOWN_OUTCOME, a->loc, "`%s` is not an outcome of "
                                                             "decide table `%s`",
                               a->decision, t->name);
            Name names[MAX_OUTCOMES];
            for (uint32_t k = 0; k < t->noutcomes; k++)
                names[k] = p->decision_names[t->outcomes[k]];
            Name s = suggest_name(a->decision, names, t->noutcomes);
            if (s)
                diag_hint(c, dg, "did you mean `%s`?", s);
            else
                diag_hint(c, dg, "add it to the table's outcomes: `decide %s (..., %s)`",
                          t->name, a->decision);
            a->dec = DEC_NONE;
        } else if (!t->name && (a->dec < 0 || a->dec >= DEC_COUNT)) {
            a->dec = DEC_NONE;
            Diag *dg = diag_at(c, D_UNKNOWN_DECISION, a->loc, "unknown decision `%s`",
                               a->decision);
            Name s = suggest_name(a->decision, c->program->decision_names, DEC_COUNT);
            diag_hint(c, dg, s ? "did you mean `%s`?" : "decisions are invest, enhance, "
                                                       "migrate, retire, experiment, "
                                                       "tolerate%s", s ? s : "");
        }
        if (a->cond)
            expect_type(&sc, a->cond, check_expr(&sc, a->cond), T_BOOL,
                        "the condition of an arm");
        check_because(&sc, a, t);
        if (otherwise) {
            Diag *dg = diag_at(c, D_UNREACHABLE_ARM, a->loc,
                               "arm `%s` can never fire: it follows `otherwise`", a->decision);
            diag_note(c, dg, otherwise->loc, "`otherwise` is here");
            continue;
        }
        if (!a->cond) {
            otherwise = a;
            continue;
        }
        for (Arm *b = d->arms; b != a; b = b->next)
            if (b->cond && expr_equal(a->cond, b->cond)) {
                Diag *dg = diag_at(c, D_UNREACHABLE_ARM, a->loc,
                                   "arm `%s` can never fire: an earlier arm has the same "
                                   "condition", a->decision);
                diag_note(c, dg, b->loc, "arm `%s` fires first", b->decision);
                break;
            }
    }
    if (!d->arms)
        diag_at(c, D_NO_DECISION, d->loc, t->name ? arena_printf(&c->arena, "decide table "
                                                               "`%s` has no arms", t->name)
                                                  : "the decision table has no arms");
    else if (!otherwise) {
        Diag *dg = diag_at(c, D_NO_DECISION, t->name ? d->name_loc : d->loc,
                           t->name ? arena_printf(&c->arena, "services matching no arm of "
                                                  "`%s` are left without an outcome", t->name)
                                   : "services matching no arm are left without a decision");
        diag_hint(c, dg, t->name ? arena_printf(&c->arena, "end the table with `%s otherwise`",
                                                t->noutcomes ? p->decision_names[t->outcomes[0]]
                                                             : "tolerate")
                                 : "end the table with `tolerate otherwise`");
    }
    /* an outcome no arm names is a list that says more than the table does */
    Item *o = d->outcomes;
    for (uint32_t k = 0; t->name && o; o = o->next) {
        int id = decision_from_name(c, o->name);
        bool named = false;
        for (Arm *a = d->arms; a && !named; a = a->next)
            named = a->dec == id;
        if (!named && d->arms)
            diag_at(c, D_OUTCOME_UNUSED, o->loc, "outcome `%s` of decide table `%s` is named "
                                                 "by no arm", o->name, t->name);
        k++;
    }
    if (d->rank)
        expect_type(&sc, d->rank, check_expr(&sc, d->rank), T_NUMBER, "`rank by`");
}

static void check_bool_portfolio(Compilation *c, Expr *e, const char *what)
{
    Scope sc = {.c = c, .ctx = CTX_PORTFOLIO};
    expect_type(&sc, e, check_expr(&sc, e), T_BOOL, what);
}

/* One const on Tarjan's stack of calls, and how far through its refs. */
typedef struct ConstVisit {
    uint32_t k;
    PtrVec refs;
    uint32_t next;
} ConstVisit;

/* Marks the consts defined in terms of themselves, directly or through
 * other consts: those in a strongly connected component of the reference
 * graph with more than one const, or that name themselves.  Tarjan's
 * algorithm, linear in the consts and their references, with an explicit
 * stack: a chain of a million consts costs no C stack, and each const is
 * found by its index, not by a scan. */
static void const_cycles(Compilation *c, bool *on_cycle)
{
    Program *p = c->program;
    uint32_t n = p->consts.len;
    uint32_t *order = ARENA_ARRAY(&c->arena, uint32_t, n + 1);   /* visit order + 1 */
    uint32_t *low = ARENA_ARRAY(&c->arena, uint32_t, n + 1);
    bool *on_stack = ARENA_ARRAY(&c->arena, bool, n + 1);
    uint32_t *component = ARENA_ARRAY(&c->arena, uint32_t, n + 1);
    ConstVisit *calls = ARENA_ARRAY(&c->arena, ConstVisit, n + 1);
    uint32_t ncomponent = 0, ncalls = 0, visited = 0;
    for (uint32_t root = 0; root < n; root++) {
        if (order[root])
            continue;
        for (int64_t push = root; push >= 0 || ncalls;) {
            if (push >= 0) {
                uint32_t v = (uint32_t)push;
                order[v] = low[v] = ++visited;
                on_stack[v] = true;
                component[ncomponent++] = v;
                ConstVisit *f = &calls[ncalls++];
                memset(f, 0, sizeof *f);
                f->k = v;
                const_refs(c, ((Const *)p->consts.items[v])->decl->expr, &f->refs);
                push = -1;
            }
            ConstVisit *f = &calls[ncalls - 1];
            uint32_t v = f->k;
            if (f->next < f->refs.len) {
                Const *to = const_named(c, ((Expr *)f->refs.items[f->next++])->u.name.id);
                if (!to)
                    continue;
                uint32_t w = to->index;
                if (w == v)
                    on_cycle[v] = true;
                if (!order[w])
                    push = w;
                else if (on_stack[w] && order[w] < low[v])
                    low[v] = order[w];
                continue;
            }
            if (low[v] == order[v]) {
                /* v roots a component: everything above it on the stack */
                uint32_t from = ncomponent;
                while (component[from - 1] != v)
                    from--;
                from--;
                for (uint32_t i = from; i < ncomponent; i++) {
                    on_stack[component[i]] = false;
                    if (ncomponent - from > 1)
                        on_cycle[component[i]] = true;
                }
                ncomponent = from;
            }
            ncalls--;
            if (ncalls && low[v] < low[calls[ncalls - 1].k])
                low[calls[ncalls - 1].k] = low[v];
        }
    }
}

/* ---- cost of nested quantifiers ------------------------------------------ */

/* Quantifiers nest, and their costs multiply: six nested `all` over forty
 * services are 40^6 = 4.1e9 evaluations of the innermost body, minutes of
 * work in a 2 KB file.  Before anything is evaluated, the number of
 * quantifier steps each rule, score, arm, ... can take is worked out from
 * the sizes of the kinds the quantifiers range over (the worst case: as if
 * no `all` stopped early and every `where` held), and an expression over
 * the bound is an error at its outermost quantifier. */
#define MAX_QUANT_STEPS 1e8

typedef struct CostCtx {
    Compilation *c;
    bool scores_cached;   /* a call reads the score's column, or evaluates it */
    double *score_cost;   /* uncached: a score's own cost, by index (< 0: unknown) */
    uint32_t call_depth;
} CostCtx;

static double quant_steps(CostCtx *cx, const Expr *e);

/* What one evaluation of score s costs when a call evaluates it again
 * (a scenario, which runs before any score is computed). */
static double score_steps(CostCtx *cx, Score *s)
{
    if (cx->score_cost[s->index] >= 0)
        return cx->score_cost[s->index];
    /* chains deeper than this are S0202 already (visit_score) */
    if (cx->call_depth >= MAX_SCORE_CHAIN)
        return 0;
    cx->call_depth++;
    double w = quant_steps(cx, s->decl->expr);
    cx->call_depth--;
    cx->score_cost[s->index] = w;
    return w;
}

static uint32_t kind_size(Compilation *c, const Expr *q)
{
    /* an unresolved quantifier (reported) has no kind */
    if (q->u.quant.local < 0)
        return 0;
    return kind_table(c, (EntityKind)q->u.quant.entity_kind)->count;
}

/* The quantifier steps one evaluation of e can take, at most. */
static double quant_steps(CostCtx *cx, const Expr *e)
{
    if (!e)
        return 0;
    switch (e->kind) {
    case EX_QUANT: case EX_COMPREH:
        return (double)kind_size(cx->c, e) *
               (1 + quant_steps(cx, e->u.quant.where) + quant_steps(cx, e->u.quant.body));
    case EX_ATTR:
        return quant_steps(cx, e->u.attr.obj);
    case EX_CALL: {
        double w = 0;
        for (uint32_t i = 0; i < e->u.call.nargs; i++)
            w += quant_steps(cx, e->u.call.args[i]);
        if (e->u.call.sym && !cx->scores_cached)
            w += score_steps(cx, call_score(cx->c->program, e));
        return w;
    }
    case EX_LIST: {
        double w = 0;
        for (uint32_t i = 0; i < e->u.list.n; i++)
            w += quant_steps(cx, e->u.list.items[i]);
        return w;
    }
    case EX_UNARY: case EX_BINARY: case EX_IF: case EX_RANGE:
        return quant_steps(cx, e->u.ops.a) + quant_steps(cx, e->u.ops.b) +
               quant_steps(cx, e->u.ops.c);
    case EX_LET:
        return quant_steps(cx, e->u.let.value) + quant_steps(cx, e->u.let.body);
    default:
        return 0;
    }
}

/* The outermost quantifier in e that costs the most, and its cost. */
static const Expr *costliest_quant(CostCtx *cx, const Expr *e, double *cost)
{
    if (!e)
        return NULL;
    if (e->kind == EX_QUANT || e->kind == EX_COMPREH) {
        *cost = quant_steps(cx, e);
        return e;
    }
    const Expr *kids[3] = {NULL, NULL, NULL};
    const Expr *best = NULL;
    double best_cost = -1;
    uint32_t n = 0;
    Expr *const *many = NULL;
    switch (e->kind) {
    case EX_ATTR: kids[0] = e->u.attr.obj; break;
    case EX_CALL: many = e->u.call.args; n = e->u.call.nargs; break;
    case EX_LIST: many = e->u.list.items; n = e->u.list.n; break;
    case EX_UNARY: case EX_BINARY: case EX_IF: case EX_RANGE:
        kids[0] = e->u.ops.a;
        kids[1] = e->u.ops.b;
        kids[2] = e->u.ops.c;
        break;
    case EX_LET:
        kids[0] = e->u.let.value;
        kids[1] = e->u.let.body;
        break;
    default:
        break;
    }
    for (uint32_t i = 0; i < (many ? n : 3); i++) {
        double w = 0;
        const Expr *q = costliest_quant(cx, many ? many[i] : kids[i], &w);
        if (q && w > best_cost) {
            best = q;
            best_cost = w;
        }
    }
    *cost = best_cost;
    return best;
}

/* "40 x 40 x 40": the sizes along the costliest chain of nested
 * quantifiers from q down. */
static const char *quant_chain(CostCtx *cx, const Expr *q)
{
    const char *out = arena_printf(&cx->c->arena, "%u", kind_size(cx->c, q));
    for (int guard = 0; guard < 64; guard++) {
        double ww = 0, wb = 0;
        const Expr *a = costliest_quant(cx, q->u.quant.where, &ww);
        const Expr *b = costliest_quant(cx, q->u.quant.body, &wb);
        q = a && (!b || ww > wb) ? a : b;
        if (!q)
            break;
        out = arena_printf(&cx->c->arena, "%s x %u", out, kind_size(cx->c, q));
    }
    return out;
}

/* S1003 when e, evaluated `times` times (once per service for a score or
 * an arm), can take more quantifier steps than the bound. */
static void check_cost(CostCtx *cx, Expr *e, double times, const char *what)
{
    if (!e)
        return;
    double steps = times * quant_steps(cx, e);
    if (!(steps > MAX_QUANT_STEPS))
        return;
    Compilation *c = cx->c;
    double w = 0;
    const Expr *q = costliest_quant(cx, e, &w);
    if (!q)
        q = e;
    const char *head = q->kind == EX_QUANT
        ? arena_printf(&c->arena, "%s %s in %s", q->u.quant.is_all ? "all" : "any",
                       q->u.quant.var, q->u.quant.kind_name)
        : q->kind == EX_COMPREH
        ? arena_printf(&c->arena, "... for %s in %s", q->u.quant.var, q->u.quant.kind_name)
        : "this expression";
    Diag *d = diag_at(c, D_TOO_COSTLY, q->loc,
                      "`%s` in %s may take %.3g evaluation steps; the limit is %.0e",
                      head, what, steps, MAX_QUANT_STEPS);
    if (q->kind == EX_QUANT || q->kind == EX_COMPREH)
        diag_hint(c, d, "nested quantifiers multiply: %s entities%s; nest fewer, or "
                        "compute an inner one once per service in a score",
                  quant_chain(cx, q),
                  times > 1 ? arena_printf(&c->arena, ", for each of %.0f services", times)
                            : "");
}

static void check_costs(Compilation *c)
{
    Program *p = c->program;
    double nsvc = kind_table(c, EK_SERVICE)->count;
    CostCtx cx = {c, true, NULL, 0};
    cx.score_cost = ARENA_ARRAY(&c->arena, double, p->scores.len + 1);
    for (uint32_t i = 0; i < p->scores.len; i++)
        cx.score_cost[i] = -1;
    /* in the pipeline a score is computed for every service, once, and a
     * call reads its column */
    for (uint32_t i = 0; i < p->scores.len; i++) {
        Score *s = p->scores.items[i];
        check_cost(&cx, s->decl->expr, nsvc,
                   arena_printf(&c->arena, "score `%s`", s->name));
    }
    for (uint32_t t = 0; t < p->tables.len; t++) {
        Decl *d = program_table(p, t)->decl;
        for (Arm *a = d->arms; a; a = a->next) {
            check_cost(&cx, a->cond, nsvc,
                       arena_printf(&c->arena, "the `%s` arm", a->decision));
            for (BecausePart *part = a->parts; part; part = part->next)
                check_cost(&cx, part->expr, nsvc,
                           arena_printf(&c->arena, "the `%s` arm's because", a->decision));
        }
        check_cost(&cx, d->rank, nsvc, "`rank by`");
    }
    for (uint32_t i = 0; i < p->approvals.len; i++) {
        Decl *d = p->approvals.items[i];
        for (Item *it = d->items; it; it = it->next)
            if (it->kind == ITEM_ATTR && it->name == c->n.when)
                check_cost(&cx, it->value, nsvc,
                           arena_printf(&c->arena, "approval `%s`", d->name));
    }
    for (uint32_t i = 0; i < p->rules.len; i++) {
        Rule *r = p->rules.items[i];
        check_cost(&cx, r->decl->expr, 1, arena_printf(&c->arena, "rule `%s`", r->name));
    }
    for (uint32_t i = 0; i < p->limits.len; i++) {
        Decl *d = p->limits.items[i];
        check_cost(&cx, d->expr, 1, arena_printf(&c->arena, "limit `%s`", d->name));
    }
    for (uint32_t i = 0; i < p->tests.len; i++) {
        Decl *d = p->tests.items[i];
        for (Expect *x = d->expects; x; x = x->next)
            check_cost(&cx, x->cond, 1, arena_printf(&c->arena, "test `%s`", d->name));
    }
    /* a scenario runs before any score is computed, and a const may be
     * first used there: their calls evaluate the score each time */
    cx.scores_cached = false;
    for (uint32_t i = 0; i < p->consts.len; i++) {
        Const *k = p->consts.items[i];
        check_cost(&cx, k->decl->expr, 1, arena_printf(&c->arena, "const `%s`", k->name));
    }
    for (uint32_t i = 0; i < p->scenarios.len; i++) {
        Decl *d = p->scenarios.items[i];
        for (SetStmt *st = d->sets; st; st = st->next) {
            if (st->entity_kind < 0 || st->entity_kind >= EK_COUNT)
                continue;
            double n = kind_table(c, (EntityKind)st->entity_kind)->count;
            const char *what = arena_printf(&c->arena, "scenario `%s`", d->name);
            check_cost(&cx, st->where, n, what);
            check_cost(&cx, st->value, n, what);
        }
    }
}

void check_expressions(Compilation *c)
{
    Program *p = c->program;
    bool *on_cycle = ARENA_ARRAY(&c->arena, bool, p->consts.len + 1);
    const_cycles(c, on_cycle);
    for (uint32_t i = 0; i < p->consts.len; i++) {
        Const *k = p->consts.items[i];
        if (on_cycle[i])
            diag_at(c, D_NOT_CONST, k->decl->name_loc,
                    "const `%s` is defined in terms of itself", k->name);
    }
    for (uint32_t i = 0; i < p->consts.len; i++) {
        Const *k = p->consts.items[i];
        Scope sc = {.c = c, .ctx = CTX_PORTFOLIO};
        expect_type(&sc, k->decl->expr, check_expr(&sc, k->decl->expr), T_NUMBER,
                    "a const");
    }
    for (uint32_t i = 0; i < p->scores.len; i++) {
        Score *s = p->scores.items[i];
        Scope sc = {.c = c, .ctx = CTX_SCORE, .score = s};
        sc.vars[0] = s->decl->param;
        sc.kinds[0] = EK_SERVICE;
        sc.syms[0] = symbol_new(c, SYM_LOCAL, EK_SERVICE, 0, s->decl->param,
                                s->decl->param_loc);
        sc.nvars = 1;
        expect_type(&sc, s->decl->expr, check_expr(&sc, s->decl->expr), T_NUMBER,
                    "a score");
    }
    PtrVec path = {0};
    for (uint32_t i = 0; i < p->scores.len; i++)
        visit_score(c, p->scores.items[i], &path);
    for (uint32_t i = 0; i < p->rules.len; i++)
        check_bool_portfolio(c, ((Rule *)p->rules.items[i])->decl->expr, "a rule");
    for (uint32_t i = 0; i < p->tables.len; i++)
        check_decide(c, program_table(p, i));
    for (uint32_t i = 0; i < p->approvals.len; i++) {
        Decl *d = p->approvals.items[i];
        for (Item *it = d->items; it; it = it->next) {
            if (it->kind != ITEM_ATTR || it->name != c->n.when)
                continue;
            Scope sc = {.c = c, .ctx = CTX_APPROVAL};
            sc.vars[0] = c->n.s;
            sc.kinds[0] = EK_SERVICE;
            sc.syms[0] = symbol_new(c, SYM_LOCAL, EK_SERVICE, 0, c->n.s, (Loc){0, 0, 0});
            sc.nvars = 1;
            expect_type(&sc, it->value, check_expr(&sc, it->value), T_BOOL,
                        "an approval's `when`");
        }
    }
    /* a pool's driver, `allocate = s.servers` (the service `s` bound; the
     * word `even` is no expression: showback.c reads it) */
    for (uint32_t i = 0; i < p->pools.len; i++) {
        Decl *d = p->pools.items[i];
        for (Item *it = d->items; it; it = it->next) {
            if (it->kind != ITEM_ATTR || strcmp(it->name, "allocate") != 0 ||
                (it->value->kind == EX_NAME && strcmp(it->value->u.name.id, "even") == 0))
                continue;
            Scope sc = {.c = c, .ctx = CTX_SCORE};
            sc.vars[0] = c->n.s;
            sc.kinds[0] = EK_SERVICE;
            sc.syms[0] = symbol_new(c, SYM_LOCAL, EK_SERVICE, 0, c->n.s, (Loc){0, 0, 0});
            sc.nvars = 1;
            expect_type(&sc, it->value, check_expr(&sc, it->value), T_NUMBER, "a driver");
        }
    }
    for (uint32_t i = 0; i < p->scenarios.len; i++) {
        Decl *d = p->scenarios.items[i];
        for (SetStmt *st = d->sets; st; st = st->next) {
            Scope sc = {.c = c, .ctx = CTX_SCENARIO};
            Expr binder = {0};
            binder.kind = EX_COMPREH;
            binder.loc = st->loc;
            binder.u.quant.var = st->var;
            binder.u.quant.var_loc = st->var_loc;
            binder.u.quant.kind_name = st->kind_name;
            binder.u.quant.kind_loc = st->kind_loc;
            if (!bind_var(&sc, &binder))
                continue;
            st->entity_kind = binder.u.quant.entity_kind;
            if (st->where)
                expect_type(&sc, st->where, check_expr(&sc, st->where), T_BOOL,
                            "a `where` condition");
            if (st->target->kind != EX_ATTR || st->target->u.attr.obj->kind != EX_NAME ||
                st->target->u.attr.obj->u.name.id != st->var) {
                diag_at(c, D_TYPE, st->target->loc, "`set` changes an attribute of `%s`, "
                                                    "as in `set %s.cost = ...`",
                        st->var, st->var);
                continue;
            }
            const Type *tt = check_expr(&sc, st->target);
            const Type *vt = check_expr(&sc, st->value);
            if (!is_error(tt) && tt->kind == T_LIST) {
                diag_at(c, D_TYPE, st->target->loc, "`set` changes one value; `%s` is a list",
                        st->target->u.attr.attr);
                continue;
            }
            if (!is_error(tt) && !is_error(vt) && !same_type(tt, vt))
                diag_at(c, D_TYPE, st->value->loc, "`%s` is a %s attribute; the value is "
                                                   "a %s", st->target->u.attr.attr,
                        type_name(c, tt), type_name(c, vt));
        }
    }
    for (uint32_t i = 0; i < p->limits.len; i++)
        check_bool_portfolio(c, ((Decl *)p->limits.items[i])->expr, "a limit");
    for (uint32_t i = 0; i < p->tests.len; i++)
        for (Expect *x = ((Decl *)p->tests.items[i])->expects; x; x = x->next)
            check_bool_portfolio(c, x->cond, "an expectation");
    check_costs(c);
}

/* An expression of the service `s` outside any score (the report block's
 * axes, report.c): checked as a decide arm is, every table readable. */
const Type *check_service_expr(Compilation *c, Expr *e)
{
    Scope sc = {.c = c, .ctx = CTX_DECIDE, .table = (int)c->program->tables.len};
    sc.vars[0] = c->n.s;
    sc.kinds[0] = EK_SERVICE;
    sc.syms[0] = symbol_new(c, SYM_LOCAL, EK_SERVICE, 0, c->n.s, (Loc){0, 0, 0});
    sc.nvars = 1;
    return check_expr(&sc, e);
}
