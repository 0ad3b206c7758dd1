/*
 * program.c — the checked program's tables and the helpers every stage
 * shares (program.h): kind tables and their columns, atoms, the built-in
 * attributes of each kind (builtins.def), decisions, and questions about
 * the program's expressions (which scores an expression calls, in which
 * order scores must run, which arm is which).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dates.h"
#include "intern.h"
#include "parallel.h"
#include "program.h"
#include "source.h"

const Type type_error = {T_ERROR, 0, NULL};
const Type type_number = {T_NUMBER, 0, NULL};
const Type type_bool = {T_BOOL, 0, NULL};
const Type type_date = {T_DATE, 0, NULL};
const Type type_string = {T_STRING, 0, NULL};
const Type type_symbol = {T_SYMBOL, 0, NULL};
const Type type_decision = {T_DECISION, 0, NULL};
const Type type_none = {T_NONE, 0, NULL};

static const char *const decision_texts[DEC_COUNT] = {
    "invest", "enhance", "migrate", "retire", "experiment", "tolerate"};
static const char *const activity_texts[6] = {
    "plan", "improve", "engage", "design_transition", "obtain_build",
    "deliver_support"};

const char *decision_name(Decision d)
{
    return d >= 0 && d < DEC_COUNT ? decision_texts[d] : "none";
}

/* ---- atoms: interned strings and symbols as small integers ------------ */

int32_t atom_id(Compilation *c, Name name)
{
    NameInfo *ni = name_info(name);
    if (ni->atom < 0) {
        ni->atom = (int32_t)c->program->atoms.len;
        ptrvec_push(&c->arena, &c->program->atoms, (void *)name);
    }
    return ni->atom;
}

Name atom_name(Compilation *c, int32_t id)
{
    if (id < 0 || (uint32_t)id >= c->program->atoms.len)
        return NULL;
    return c->program->atoms.items[id];
}

const char *outcome_name(const Program *p, int id)
{
    return id >= 0 && (uint32_t)id < p->ndecisions ? p->decision_names[id] : "none";
}

/* Any table's outcome, default or declared by a named table. */
Decision decision_from_name(Compilation *c, Name n)
{
    for (int i = 0; i < (int)c->program->ndecisions; i++)
        if (c->program->decision_names[i] == n)
            return (Decision)i;
    return DEC_NONE;
}

/* ---- kind tables ------------------------------------------------------- */

KindTable *kind_table(Compilation *c, EntityKind k)
{
    return &c->program->kinds[k];
}

int32_t kind_lookup(KindTable *t, Name name)
{
    if (!name)
        return -1;
    const NameInfo *ni = name_info(name);
    return name_info_kind(ni) == (int)t->kind ? name_info_row(ni) : -1;
}

/* The kind of entity `name` names, or -1. */
int name_entity_kind(Name name)
{
    return name ? name_info_kind(name_info(name)) : -1;
}

/* Whether a column has storage.  A column is allocated on its first write
 * (column_materialize): until then every row is missing, and the readers
 * (col_num, col_i32, col_list and the code that takes a column's array)
 * say so without memory.  A 1M-row load with forty attributes and five
 * CSV columns would otherwise allocate, and the kernel zero, thirty-five
 * columns of "missing". */
bool column_present(const AttrDef *a, const Column *col)
{
    switch (a->type.kind) {
    case T_NUMBER: return col->num != NULL;
    case T_LIST: return col->list != NULL;
    default: return col->i32 != NULL;
    }
}

/* Rows [from, to) of a column set to its fill: missing, or a default. */
void column_init_rows(const AttrDef *a, const Column *col, uint32_t from, uint32_t to)
{
    if (column_present(a, col)) {
        switch (a->type.kind) {
        case T_NUMBER:
            for (uint32_t r = from; r < to; r++)
                col->num[r] = col->fill_num;
            break;
        case T_LIST:
            memset(col->list + from, 0, sizeof(ListSpan) * (to - from));
            break;
        default:
            for (uint32_t r = from; r < to; r++)
                col->i32[r] = col->fill_i32;
            break;
        }
    }
    if (col->locs && to > from)
        memset(col->locs + from, 0, sizeof(Loc) * (to - from));
}

typedef struct InitRows {
    KindTable *t;
    uint32_t base;
} InitRows;

static void init_rows_slice(void *ctx, uint32_t lo, uint32_t hi)
{
    InitRows *job = ctx;
    for (uint32_t i = 0; i < job->t->nattrs; i++)
        column_init_rows(&job->t->attrs[i], &job->t->cols[i], job->base + lo,
                         job->base + hi);
}

/* Storage for rows [0, cap) of a column that has storage (and of its
 * write locations), keeping rows [0, old_cap). */
static void column_alloc(Compilation *c, const AttrDef *a, Column *col,
                         uint32_t old_cap, uint32_t cap)
{
    if (!column_present(a, col))
        ;
    else if (a->type.kind == T_NUMBER)
        col->num = arena_realloc(&c->arena, col->num, sizeof(double) * old_cap,
                                 sizeof(double) * cap);
    else if (a->type.kind == T_LIST)
        col->list = arena_realloc(&c->arena, col->list,
                                  sizeof(ListSpan) * old_cap, sizeof(ListSpan) * cap);
    else
        col->i32 = arena_realloc(&c->arena, col->i32, sizeof(int32_t) * old_cap,
                                 sizeof(int32_t) * cap);
    if (col->locs)
        col->locs = arena_realloc(&c->arena, col->locs, sizeof(Loc) * old_cap,
                                  sizeof(Loc) * cap);
}

typedef struct MaterializeRows {
    const AttrDef *a;
    Column *col;
} MaterializeRows;

static void materialize_slice(void *ctx, uint32_t lo, uint32_t hi)
{
    MaterializeRows *job = ctx;
    column_init_rows(job->a, job->col, lo, hi);
}

void column_materialize(Compilation *c, KindTable *t, int slot)
{
    const AttrDef *a = &t->attrs[slot];
    Column *col = &t->cols[slot];
    if (column_present(a, col) || !t->cap)
        return;
    Loc *locs = col->locs;
    col->locs = NULL;   /* (already sized: column_alloc must not grow it) */
    switch (a->type.kind) {
    case T_NUMBER: col->num = arena_alloc(&c->arena, sizeof(double) * t->cap); break;
    case T_LIST: col->list = arena_alloc(&c->arena, sizeof(ListSpan) * t->cap); break;
    default: col->i32 = arena_alloc(&c->arena, sizeof(int32_t) * t->cap); break;
    }
    /* across the cores: the first touch of the fresh pages is the cost */
    MaterializeRows job = {a, col};
    parallel_rows(c, t->ready, 1 << 16, materialize_slice, &job);
    col->locs = locs;
}

/* Room for rows [0, want) in every column, the rows past t->ready not
 * yet set: kind_set_rows sets them. */
void kind_grow(Compilation *c, KindTable *t, uint32_t want)
{
    if (want <= t->cap)
        return;
    uint32_t old = t->cap;
    uint32_t cap = t->cap ? t->cap : 16;
    while (cap < want)
        cap *= 2;
    t->names = arena_realloc(&c->arena, t->names, sizeof(Name) * old, sizeof(Name) * cap);
    t->spans = arena_realloc(&c->arena, t->spans, sizeof(RowSpan) * old, sizeof(RowSpan) * cap);
    for (uint32_t i = 0; i < t->nattrs; i++)
        column_alloc(c, &t->attrs[i], &t->cols[i], old, cap);
    t->cap = cap;
}

/* Rows [t->ready, want) of every column set to missing (want <= t->cap). */
void kind_set_rows(Compilation *c, KindTable *t, uint32_t want)
{
    if (want <= t->ready)
        return;
    /* a big reservation (a CSV load) is set across the cores: the writes
     * are cheap, the first touch of the fresh pages is not */
    InitRows job = {t, t->ready};
    parallel_rows(c, want - t->ready, 1 << 16, init_rows_slice, &job);
    t->ready = want;
}

/* Makes room for n more rows in every column, set to missing.  Rows are
 * made ready only as far as asked: capacity past them stays untouched
 * memory (a 10M-row load reserved in doublings would otherwise write
 * millions of rows it never uses). */
void kind_reserve(Compilation *c, KindTable *t, uint32_t n)
{
    kind_grow(c, t, t->count + n);
    kind_set_rows(c, t, t->count + n);
}

_Static_assert((int)EK_COUNT <= (int)NAME_NO_KIND, "every EntityKind fits in a name's header");

void kind_prepare_row(Compilation *c, KindTable *t, Loc loc, Decl *decl)
{
    /* a name's header holds the row in 29 bits: half a billion rows of one
     * kind would take some 80 GB, so a table that large fails as memory */
    if (t->count >= NAME_MAX_ROWS)
        arena_fail(&c->arena);
    kind_reserve(c, t, 1);
    uint32_t r = t->count;
    if (!t->nruns || t->runs[t->nruns - 1].file != loc.file) {
        if (t->nruns == t->runs_cap) {
            uint32_t n = t->runs_cap ? t->runs_cap * 2 : 4;
            t->runs = arena_realloc(&c->arena, t->runs, sizeof(FileRun) * t->runs_cap,
                                    sizeof(FileRun) * n);
            t->runs_cap = n;
        }
        t->runs[t->nruns++] = (FileRun){r, loc.file};
    }
    if (decl) {
        if (r >= t->decls_len) {
            /* declared rows come first, as a rule: a CSV row has none, and
             * a million of them need no slot */
            uint32_t n = t->decls_len ? t->decls_len : 16;
            while (n <= r)
                n *= 2;
            t->decls = arena_realloc(&c->arena, t->decls, sizeof(Decl *) * t->decls_len,
                                     sizeof(Decl *) * n);
            memset(t->decls + t->decls_len, 0, sizeof(Decl *) * (n - t->decls_len));
            t->decls_len = n;
        }
        t->decls[r] = decl;
    }
}

int attr_slot(const KindTable *t, Name name)
{
    /* hashed: a schema of forty thousand attributes is checked in linear
     * time, not one scan of the schema per attribute set */
    uintptr_t v = (uintptr_t)namemap_get(&t->attr_map, name);
    return v ? (int)(v - 1) : -1;
}

int kind_add_attr(Compilation *c, KindTable *t, const AttrDef *def)
{
    if (t->nattrs == t->attrs_cap) {
        uint32_t ncap = t->attrs_cap ? t->attrs_cap * 2 : 16;
        t->attrs = arena_realloc(&c->arena, t->attrs, sizeof(AttrDef) * t->attrs_cap,
                                 sizeof(AttrDef) * ncap);
        t->cols = arena_realloc(&c->arena, t->cols, sizeof(Column) * t->attrs_cap,
                                sizeof(Column) * ncap);
        t->attrs_cap = ncap;
    }
    int slot = (int)t->nattrs++;
    t->attrs[slot] = *def;
    namemap_put(c, &t->attr_map, def->name, (void *)(uintptr_t)(slot + 1));
    /* no storage until written: every row is missing */
    t->cols[slot] = (Column){.fill_num = NAN,
                             .fill_i32 = def->type.kind == T_DATE ? INT32_MIN : -1};
    return slot;
}

void column_fill_missing(Compilation *c, KindTable *t, int slot, double num, int32_t i32)
{
    const AttrDef *a = &t->attrs[slot];
    Column *col = &t->cols[slot];
    if (a->type.kind == T_LIST)
        return;
    bool is_num = a->type.kind == T_NUMBER;
    if (!column_present(a, col)) {
        /* (a fill is missing until now: the whole column was) */
        if (is_num)
            col->fill_num = num;
        else
            col->fill_i32 = i32;
        return;
    }
    (void)c;
    for (uint32_t r = 0; r < t->count; r++) {
        if (is_num ? isnan(col->num[r])
                   : a->type.kind == T_DATE ? col->i32[r] == INT32_MIN : col->i32[r] < 0) {
            if (is_num)
                col->num[r] = num;
            else
                col->i32[r] = i32;
        }
    }
}

Loc attr_loc(const KindTable *t, int slot, uint32_t row)
{
    if (slot >= 0 && t->cols[slot].locs && t->cols[slot].locs[row].file)
        return t->cols[slot].locs[row];
    return row_loc(t, row);
}

void attr_set_loc(Compilation *c, KindTable *t, int slot, uint32_t row, Loc loc)
{
    Column *col = &t->cols[slot];
    if (!col->locs)
        col->locs = ARENA_ARRAY(&c->arena, Loc, t->cap);
    col->locs[row] = loc;
}

const char *entity_label(Compilation *c, EntityKind k, int32_t row)
{
    KindTable *t = kind_table(c, k);
    return row >= 0 && (uint32_t)row < t->count ? t->names[row] : "?";
}

Name suggest_entity(Compilation *c, unsigned kinds, Name name)
{
    if (++c->suggestions > MAX_NAME_SEARCHES)
        return NULL;
    Suggester sg;
    suggest_begin(&sg, name);
    for (int k = 0; k < EK_COUNT; k++) {
        if (!(kinds & KIND_BIT(k)))
            continue;
        KindTable *t = kind_table(c, (EntityKind)k);
        /* scanning a million loaded services for a typo is not worth it */
        if (t->count > 20000)
            continue;
        for (uint32_t r = 0; r < t->count; r++)
            suggest_offer(&sg, t->names[r]);
    }
    return suggest_best(&sg);
}

const char *kinds_text(Compilation *c, unsigned kinds)
{
    if (kinds == (1u << EK_COUNT) - 1)
        return "entity";
    const char *out = NULL;
    for (int k = 0; k < EK_COUNT; k++) {
        if (!(kinds & KIND_BIT(k)))
            continue;
        out = out ? arena_printf(&c->arena, "%s or %s", out, entity_kind_name(k))
                  : entity_kind_name(k);
    }
    return out ? out : "nothing";
}

const char *type_name(Compilation *c, const Type *t)
{
    switch (t->kind) {
    case T_ERROR: return "<error>";
    case T_NUMBER: return "number";
    case T_BOOL: return "bool";
    case T_DATE: return "date";
    case T_STRING: return "string";
    case T_SYMBOL: return "symbol";
    case T_ENTITY: return kinds_text(c, t->kinds);
    case T_LIST:
        return arena_printf(&c->arena, "list of %s", t->elem ? type_name(c, t->elem) : "?");
    case T_RANGE:
        return arena_printf(&c->arena, "range of %s", t->elem ? type_name(c, t->elem) : "?");
    case T_DECISION: return "decision";
    case T_NONE: return "none";
    }
    return "?";
}

/* ---- built-in attributes ---------------------------------------------- */

enum { ALLOW_STATUS, ALLOW_SERVICE_KIND, ALLOW_INVESTMENT };

Type *type_new(Compilation *c, TypeKind k, unsigned kinds, const Type *elem)
{
    Type *t = ARENA_NEW(&c->arena, Type);
    t->kind = k;
    t->kinds = kinds;
    t->elem = elem;
    return t;
}

static void set_allowed(Compilation *c, AttrDef *a, const char *const *names, int n)
{
    a->allowed = ARENA_ARRAY(&c->arena, Name, n);
    for (int i = 0; i < n; i++)
        a->allowed[i] = intern_cstr(c, names[i]);
    a->nallowed = (uint32_t)n;
}

static void add_builtin_attrs(Compilation *c)
{
    static const char *const status[] = {"pipeline", "catalogue", "retired"};
    static const char *const skind[] = {"business", "supporting"};
    static const char *const invest[] = {"run", "grow", "transform"};
    const Type *ts = &type_string;
#define NUM type_number
#define STR *ts
#define DATE type_date
#define SYM(which) type_symbol
#define REF(mask) *type_new(c, T_ENTITY, (mask), NULL)
#define LIST_REF(mask) *type_new(c, T_LIST, 0, type_new(c, T_ENTITY, (mask), NULL))
#define LIST_STR *type_new(c, T_LIST, 0, &type_string)
#define REQ 1
#define A(KIND, NAME, TYPE, EXTRA)                                           \
    {                                                                        \
        AttrDef a = {0};                                                     \
        a.name = intern_cstr(c, NAME);                                       \
        a.type = TYPE;                                                       \
        a.required = (EXTRA) == REQ;                                         \
        kind_add_attr(c, kind_table(c, KIND), &a);                                \
    }
#include "builtins.def"
#undef A
#undef NUM
#undef STR
#undef DATE
#undef SYM
#undef REF
#undef LIST_REF
#undef LIST_STR
#undef REQ
    KindTable *svc = kind_table(c, EK_SERVICE);
    set_allowed(c, &svc->attrs[attr_slot(svc, c->n.status)], status, 3);
    set_allowed(c, &svc->attrs[attr_slot(svc, c->n.kind)], skind, 2);
    set_allowed(c, &svc->attrs[attr_slot(svc, c->n.investment)], invest, 3);
}

/* ---- names of the program ------------------------------------------------- */

void *namemap_get(const NameMap *m, Name key)
{
    if (!m->cap || !key)
        return NULL;
    uint32_t j = (uint32_t)(((uintptr_t)key >> 3) * 2654435761u) & (m->cap - 1);
    while (m->keys[j]) {
        if (m->keys[j] == key)
            return m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

void namemap_put(Compilation *c, NameMap *m, Name key, void *val)
{
    if ((m->len + 1) * 2 > m->cap) {
        NameMap old = *m;
        m->cap = old.cap ? old.cap * 2 : 64;
        m->keys = ARENA_ARRAY(&c->arena, Name, m->cap);
        m->vals = ARENA_ARRAY(&c->arena, void *, m->cap);
        m->len = 0;
        for (uint32_t i = 0; i < old.cap; i++)
            if (old.keys[i])
                namemap_put(c, m, old.keys[i], old.vals[i]);
    }
    uint32_t j = (uint32_t)(((uintptr_t)key >> 3) * 2654435761u) & (m->cap - 1);
    while (m->keys[j] && m->keys[j] != key)
        j = (j + 1) & (m->cap - 1);
    if (!m->keys[j])
        m->len++;
    m->keys[j] = key;
    m->vals[j] = val;
}

Const *program_const(Compilation *c, Name n)
{
    return namemap_get(&c->program->const_map, n);
}

Score *program_score(Compilation *c, Name n)
{
    return namemap_get(&c->program->score_map, n);
}

Rule *program_rule(Compilation *c, Name n)
{
    return namemap_get(&c->program->rule_map, n);
}

/* Room for `more` elements beyond those the pool holds.  A CSV load
 * reserves one a row, so that a million rows do not double the pool (and
 * copy it) fourteen times on the way, touching twice the memory they
 * keep; room never written is never paged in. */
void list_reserve(Compilation *c, Column *col, uint32_t more)
{
    uint64_t want = (uint64_t)col->pool_len + more;
    if (want <= col->pool_cap || want > UINT32_MAX / 2)
        return;
    col->pool = arena_realloc(&c->arena, col->pool, sizeof(int32_t) * col->pool_cap,
                              sizeof(int32_t) * want);
    col->pool_cap = (uint32_t)want;
}

void list_push(Compilation *c, Column *col, int32_t v)
{
    if (col->pool_len == col->pool_cap) {
        uint32_t ncap = col->pool_cap ? col->pool_cap * 2 : 64;
        col->pool = arena_realloc(&c->arena, col->pool, sizeof(int32_t) * col->pool_cap,
                                  sizeof(int32_t) * ncap);
        col->pool_cap = ncap;
    }
    col->pool[col->pool_len++] = v;
}

/* ---- a new program ----------------------------------------------------------- */

static int32_t today_days(Compilation *c)
{
    const char *t = c->opts.today;
    if (t && strlen(t) == 10) {
        int y = atoi(t);
        unsigned m = (unsigned)atoi(t + 5), d = (unsigned)atoi(t + 8);
        if (date_valid(y, m, d))
            return days_from_civil(y, m, d);
    }
    time_t now = time(NULL);
    return (int32_t)(now / 86400);
}


Program *program_new(Compilation *c)
{
    Program *p = ARENA_NEW(&c->arena, Program);
    c->program = p;
    p->strategy.horizon_start = p->strategy.horizon_end = INT32_MIN;
    p->strategy.budget = p->strategy.run_max = NAN;
    for (int k = 0; k < EK_COUNT; k++)
        p->kinds[k].kind = (EntityKind)k;
    for (int i = 0; i < DEC_COUNT; i++)
        p->decision_names[i] = intern_cstr(c, decision_texts[i]);
    p->ndecisions = DEC_COUNT;
    for (int i = 0; i < 6; i++)
        p->activity_names[i] = intern_cstr(c, activity_texts[i]);
    p->today = today_days(c);
    for (int i = 0; i < DEC_COUNT; i++)
        p->decision_syms[i] = (Symbol){SYM_DECISION, -1, i, p->decision_names[i], {0, 0, 0}};
    p->budget_sym = (Symbol){SYM_BUDGET, -1, -1, c->n.budget, {0, 0, 0}};
    p->approval_decision_sym = (Symbol){SYM_APPROVAL_DECISION, -1, 0, c->n.decision, {0, 0, 0}};
    p->value_sym = (Symbol){SYM_VALUE, -1, -1, NULL, {0, 0, 0}};
    add_builtin_attrs(c);
    return p;
}

/* ---- questions about expressions ------------------------------------------- */

static const char *const builtin_names[B_COUNT_OF_BUILTINS] = {
    "alignment", "exposure", "norm", "min", "max", "clamp", "abs", "log",
    "sqrt", "pow", "defined", "count", "sum", "any", "all", "decision",
    "round", "floor", "ceil", "trunc", "mod",
    "contains", "starts_with", "ends_with", "lower", "today",
    "allocated_cost", "charge", "forecast"};

const char *builtin_name(Builtin b)
{
    return b >= 0 && b < B_COUNT_OF_BUILTINS ? builtin_names[b] : "?";
}

typedef struct Collect {
    Compilation *c;
    PtrVec *out;
} Collect;

static WalkStep collect_score_call(Expr *e, void *ctx)
{
    Collect *k = ctx;
    if (e->kind == EX_CALL && e->u.call.sym)
        ptrvec_push(&k->c->arena, k->out, e);
    return WALK_CHILDREN;
}

void score_calls(Compilation *c, Expr *e, PtrVec *out)
{
    Collect k = {c, out};
    expr_walk(e, &(ExprVisitor){collect_score_call, NULL, &k});
}

static WalkStep collect_const_ref(Expr *e, void *ctx)
{
    Collect *k = ctx;
    if (e->kind == EX_NAME && name_const(k->c->program, e))
        ptrvec_push(&k->c->arena, k->out, e);
    return WALK_CHILDREN;
}

void const_refs(Compilation *c, Expr *e, PtrVec *out)
{
    Collect k = {c, out};
    expr_walk(e, &(ExprVisitor){collect_const_ref, NULL, &k});
}

typedef struct Deps {
    Compilation *c;
    PtrVec *out;
    bool *seen;
} Deps;

static WalkStep order_called_score(Expr *e, void *ctx)
{
    Deps *d = ctx;
    if (e->kind == EX_CALL && e->u.call.sym)
        order_scores(d->c, call_score(d->c->program, e), d->out, d->seen);
    return WALK_CHILDREN;
}

void score_deps(Compilation *c, Expr *e, PtrVec *out, bool *seen)
{
    Deps d = {c, out, seen};
    expr_walk(e, &(ExprVisitor){order_called_score, NULL, &d});
}

void order_scores(Compilation *c, Score *s, PtrVec *out, bool *seen)
{
    if (seen[s->index])
        return;
    seen[s->index] = true;
    score_deps(c, s->decl->expr, out, seen);
    ptrvec_push(&c->arena, out, s);
}

void approval_parts(Compilation *c, const Decl *d, Expr **when, Expr **who)
{
    *when = *who = NULL;
    for (Item *it = d->items; it; it = it->next) {
        if (it->name == c->n.when)
            *when = it->value;
        else if (it->name == c->n.approver)
            *who = it->value;
    }
    if (*who && (*who)->kind != EX_NAME)
        *who = NULL;
}

const Arm *arm_at(const Program *p, int idx)
{
    const Arm *a = p->decide ? p->decide->arms : NULL;
    for (int i = 0; a && i < idx; i++)
        a = a->next;
    return idx >= 0 ? a : NULL;
}

const Arm *table_arm_at(const DecideTable *t, int idx)
{
    const Arm *a = t && t->decl ? t->decl->arms : NULL;
    for (int i = 0; a && i < idx; i++)
        a = a->next;
    return idx >= 0 ? a : NULL;
}

DecideTable *program_table_named(Compilation *c, Name n)
{
    return n ? namemap_get(&c->program->table_map, n) : NULL;
}

const char *table_heading(Compilation *c, const DecideTable *t, const char *what)
{
    if (!t->name)
        return what;
    if (strcmp(what, "decision") == 0)
        return t->name;
    return arena_printf(&c->arena, "%s_%s", t->name, what);
}

/* ---- what names denote --------------------------------------------------------- */

static const char *const symbol_kind_names[] = {
    "nothing", "variable", "decision of the service", "const", "budget", "decision",
    "entity", "symbol", "score", "rule", "builtin", "attribute", "decide table"};

const char *symbol_kind_name(SymbolKind k)
{
    return k >= SYM_NONE && k <= SYM_TABLE ? symbol_kind_names[k] : "?";
}

Symbol *symbol_new(Compilation *c, SymbolKind k, int entity_kind, int32_t index, Name name,
                   Loc loc)
{
    Symbol *s = ARENA_NEW(&c->arena, Symbol);
    *s = (Symbol){k, entity_kind, index, name, loc};
    return s;
}

Symbol *entity_symbol(Compilation *c, EntityKind k, int32_t row)
{
    KindTable *t = kind_table(c, k);
    if (row < 0 || (uint32_t)row >= t->count)
        return NULL;
    if ((uint32_t)row >= t->row_syms_len) {
        uint32_t n = t->count;
        t->row_syms = arena_realloc(&c->arena, t->row_syms,
                                    sizeof(Symbol *) * t->row_syms_len, sizeof(Symbol *) * n);
        memset(t->row_syms + t->row_syms_len, 0, sizeof(Symbol *) * (n - t->row_syms_len));
        t->row_syms_len = n;
    }
    if (!t->row_syms[row])
        t->row_syms[row] = symbol_new(c, SYM_ENTITY, (int)k, row, t->names[row], row_loc(t, row));
    return t->row_syms[row];
}

bool symbol_same(const Symbol *a, const Symbol *b)
{
    if (a->kind != b->kind || a->index != b->index || a->entity_kind != b->entity_kind)
        return false;
    if (a->kind == SYM_LOCAL)   /* binders: the same variable, written once */
        return a->loc.file == b->loc.file && a->loc.start == b->loc.start;
    if (a->kind == SYM_VALUE)
        return a->name == b->name;
    return true;
}

/* ---- the position index --------------------------------------------------------- */

/* Every site of every file, sorted by (file, start); built once, from the
 * Symbols the checks recorded on the tree and the program's tables. */
typedef struct PositionIndex {
    SymbolSite *sites;
    uint32_t len, cap;
} PositionIndex;

typedef struct IndexBuild {
    Compilation *c;
    PositionIndex *ix;
} IndexBuild;

static void site_add(IndexBuild *b, Loc loc, bool is_decl, Symbol sym)
{
    PositionIndex *ix = b->ix;
    if (!loc.file || sym.kind == SYM_NONE)
        return;
    if (ix->len == ix->cap) {
        uint32_t ncap = ix->cap ? ix->cap * 2 : 64;
        ix->sites = arena_realloc(&b->c->arena, ix->sites, sizeof(SymbolSite) * ix->cap,
                                  sizeof(SymbolSite) * ncap);
        ix->cap = ncap;
    }
    ix->sites[ix->len++] = (SymbolSite){loc, is_decl, sym};
}

static bool single_entity_kind(const Type *t, EntityKind *out)
{
    if (!t || t->kind != T_ENTITY)
        return false;
    for (int k = 0; k < EK_COUNT; k++)
        if (t->kinds == KIND_BIT(k)) {
            *out = (EntityKind)k;
            return true;
        }
    return false;
}

static Symbol attr_symbol(Compilation *c, EntityKind k, int slot)
{
    const AttrDef *a = &kind_table(c, k)->attrs[slot];
    return (Symbol){SYM_ATTR, (int)k, slot, a->name, a->loc};
}

static WalkStep index_expr(Expr *e, void *ctx)
{
    IndexBuild *b = ctx;
    EntityKind k;
    switch (e->kind) {
    case EX_NAME:
        if (e->u.name.sym) {
            Symbol s = *e->u.name.sym;
            if (s.kind == SYM_VALUE)
                s.name = e->u.name.id;
            site_add(b, e->loc, false, s);
        }
        break;
    case EX_CALL:
        if (e->u.call.sym)
            site_add(b, e->u.call.fn_loc, false, *e->u.call.sym);
        else if (e->u.call.builtin >= 0)
            site_add(b, e->u.call.fn_loc, false,
                     (Symbol){SYM_BUILTIN, -1, e->u.call.builtin, e->u.call.fn, {0, 0, 0}});
        break;
    case EX_ATTR:
        if (e->u.attr.slot >= 0 && single_entity_kind(e->u.attr.obj->type, &k))
            site_add(b, e->u.attr.attr_loc, false, attr_symbol(b->c, k, e->u.attr.slot));
        break;
    case EX_QUANT:
    case EX_COMPREH:
        if (e->u.quant.local >= 0)
            site_add(b, e->u.quant.var_loc, true,
                     (Symbol){SYM_LOCAL, e->u.quant.entity_kind, e->u.quant.local,
                              e->u.quant.var, e->u.quant.var_loc});
        break;
    default:
        break;
    }
    return WALK_CHILDREN;
}

static void index_walk(IndexBuild *b, Expr *e)
{
    expr_walk(e, &(ExprVisitor){index_expr, NULL, b});
}

/* A block's items: `attr = value` sets an attribute of the entity (a use
 * of the attribute) when the block is an entity's. */
static void index_items(IndexBuild *b, Item *items, int entity_kind)
{
    for (Item *it = items; it; it = it->next) {
        if (it->kind == ITEM_ATTR && entity_kind >= 0 && !it->first_dup) {
            KindTable *t = kind_table(b->c, (EntityKind)entity_kind);
            int slot = attr_slot(t, it->name);
            if (slot >= 0)
                site_add(b, it->loc, false, attr_symbol(b->c, (EntityKind)entity_kind, slot));
        }
        if (it->value)
            index_walk(b, it->value);
        index_items(b, it->items, it->kind == ITEM_LIFECYCLE ? entity_kind : -1);
    }
}

static void index_decl(IndexBuild *b, Decl *d)
{
    Compilation *c = b->c;
    Program *p = c->program;
    switch (d->kind) {
    case D_CONST: {
        Const *k = program_const(c, d->name);
        if (k && k->decl == d)
            site_add(b, d->name_loc, true, k->sym);
        break;
    }
    case D_SCORE: {
        Score *s = program_score(c, d->name);
        if (s && s->decl == d) {
            site_add(b, d->name_loc, true, s->sym);
            site_add(b, d->param_loc, true,
                     (Symbol){SYM_LOCAL, EK_SERVICE, 0, d->param, d->param_loc});
        }
        break;
    }
    case D_RULE: {
        Rule *r = program_rule(c, d->name);
        if (r && r->decl == d)
            site_add(b, d->name_loc, true, r->sym);
        break;
    }
    case D_ENTITY: {
        KindTable *t = kind_table(c, d->entity_kind);
        int32_t row = kind_lookup(t, d->name);
        if (row >= 0 && row_decl(t, (uint32_t)row) == d)
            site_add(b, d->name_loc, true, *entity_symbol(c, d->entity_kind, row));
        break;
    }
    case D_SCHEMA: {
        KindTable *t = kind_table(c, d->entity_kind);
        for (SchemaField *f = d->fields; f; f = f->next) {
            int slot = attr_slot(t, f->name);
            if (slot >= 0 && t->attrs[slot].loc.file == f->loc.file &&
                t->attrs[slot].loc.start == f->loc.start)
                site_add(b, f->loc, true, attr_symbol(c, d->entity_kind, slot));
            index_walk(b, f->in);
            index_walk(b, f->cmp_value);
            index_walk(b, f->cmp2_value);
            index_walk(b, f->default_value);
        }
        break;
    }
    default:
        break;
    }
    index_items(b, d->items, d->kind == D_ENTITY ? (int)d->entity_kind : -1);
    index_walk(b, d->expr);
    index_walk(b, d->rank);
    for (Arm *a = d->arms; a; a = a->next) {
        Decision dec = decision_from_name(c, a->decision);
        if (dec != DEC_NONE)
            site_add(b, a->loc, false, p->decision_syms[dec]);
        index_walk(b, a->cond);
    }
    for (SetStmt *st = d->sets; st; st = st->next) {
        if (st->target && st->target->kind == EX_ATTR) {
            int slot = name_slot(st->target->u.attr.obj);
            if (slot >= 0)
                site_add(b, st->var_loc, true,
                         (Symbol){SYM_LOCAL, st->entity_kind, slot, st->var, st->var_loc});
        }
        index_walk(b, st->target);
        index_walk(b, st->value);
        index_walk(b, st->where);
    }
    for (Expect *x = d->expects; x; x = x->next)
        index_walk(b, x->cond);
}

static int site_order(const void *pa, const void *pb)
{
    const SymbolSite *a = pa, *b = pb;
    if (a->loc.file != b->loc.file)
        return a->loc.file < b->loc.file ? -1 : 1;
    if (a->loc.start != b->loc.start)
        return a->loc.start < b->loc.start ? -1 : 1;
    return (int)b->is_decl - (int)a->is_decl;
}

static PositionIndex *position_index(Compilation *c)
{
    Program *p = c->program;
    if (!p)
        return NULL;
    if (p->index)
        return p->index;
    PositionIndex *ix = ARENA_NEW(&c->arena, PositionIndex);
    IndexBuild b = {c, ix};
    for (Decl *d = c->decls; d; d = d->next)
        index_decl(&b, d);
    /* rows loaded from CSV: their declaration is the name cell */
    for (int k = 0; k < EK_COUNT; k++) {
        KindTable *t = kind_table(c, (EntityKind)k);
        for (uint32_t r = 0; r < t->count; r++)
            if (!row_decl(t, r) && row_loc(t, r).file)
                site_add(&b, row_loc(t, r), true,
                         (Symbol){SYM_ENTITY, k, (int32_t)r, t->names[r], row_loc(t, r)});
    }
    if (ix->len)
        qsort(ix->sites, ix->len, sizeof *ix->sites, site_order);
    p->index = ix;
    return ix;
}

bool program_symbol_at(Compilation *c, uint32_t file, uint32_t offset, SymbolSite *out)
{
    PositionIndex *ix = position_index(c);
    if (!ix)
        return false;
    /* the last site starting at or before offset */
    uint32_t lo = 0, hi = ix->len;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const Loc *l = &ix->sites[mid].loc;
        if (l->file < file || (l->file == file && l->start <= offset))
            lo = mid + 1;
        else
            hi = mid;
    }
    for (uint32_t i = lo; i-- > 0;) {
        const SymbolSite *s = &ix->sites[i];
        if (s->loc.file != file || s->loc.end <= offset)
            break;
        if (s->loc.start <= offset) {
            *out = *s;
            return true;
        }
    }
    return false;
}

bool program_symbol_at_line(Compilation *c, const char *path, uint32_t line, uint32_t col,
                            SymbolSite *out)
{
    for (uint32_t i = 0; i < c->sources.len; i++) {
        const Source *src = c->sources.items[i];
        if (strcmp(src->path, path) == 0)
            return program_symbol_at(c, i + 1, source_offset(c, i + 1, line, col), out);
    }
    return false;
}

uint32_t program_references(Compilation *c, const Symbol *sym, bool with_decl,
                            const SymbolSite **out)
{
    PositionIndex *ix = position_index(c);
    *out = NULL;
    if (!ix || !ix->len)
        return 0;
    SymbolSite *found = NULL;
    uint32_t n = 0, cap = 0;
    for (uint32_t i = 0; i < ix->len; i++) {
        const SymbolSite *s = &ix->sites[i];
        if ((!with_decl && s->is_decl) || !symbol_same(&s->sym, sym))
            continue;
        if (n == cap) {
            uint32_t ncap = cap ? cap * 2 : 16;
            found = arena_realloc(&c->arena, found, sizeof *found * cap, sizeof *found * ncap);
            cap = ncap;
        }
        found[n++] = *s;
    }
    *out = found;
    return n;
}

bool program_definition(Compilation *c, const Symbol *sym, SymbolSite *out)
{
    if (!sym->loc.file)
        return false;
    const SymbolSite *refs;
    uint32_t n = program_references(c, sym, true, &refs);
    for (uint32_t i = 0; i < n; i++)
        if (refs[i].is_decl) {
            *out = refs[i];
            return true;
        }
    *out = (SymbolSite){sym->loc, true, *sym};   /* e.g. a built-in attribute's */
    return true;
}
