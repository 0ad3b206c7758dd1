/*
 * program.h — the checked program: what the checks build from the
 * declarations and every later stage reads (program.c).
 *
 * It owns the types of the program (types, kinds and their columns,
 * attributes, atoms, scores, rules, waivers, decisions, builtins) and the
 * helpers over them that every stage shares: reading a column, looking a
 * name up, the scores an expression calls and their order, the decide
 * table's arms.  The checks (resolve.c, csv_load.c, typecheck.c,
 * consistency.c) fill a Program; the run (eval, jit, decide) and the
 * outputs read it.  Nothing here runs a stage.
 *
 * Entities are stored by kind, column by column (one array per attribute),
 * from the start: the interpreter, the JIT and the emitters all read these
 * columns, and a million services loaded from CSV never exist as a million
 * structs.
 *
 * Value encoding in columns:
 *   number          double, NaN when missing
 *   bool            int32 0/1, -1 when missing
 *   date            int32 days since 1970-01-01, INT32_MIN when missing
 *   string, symbol  int32 index into Program.atoms (interned), -1 missing
 *   entity ref      int32 row index in the referred kind's table, -1 missing
 *   list            ListSpan (offset, length) into the column's pool of
 *                   int32 elements (refs or atoms)
 */
#ifndef STRAT_PROGRAM_H
#define STRAT_PROGRAM_H

#include "arena.h"
#include "ast.h"
#include "compiler.h"
#include "intern.h"

typedef enum TypeKind {
    T_ERROR,      /* already reported: silences follow-on errors */
    T_NUMBER, T_BOOL, T_DATE, T_STRING, T_SYMBOL,
    T_ENTITY,     /* ref to one of the kinds in `kinds` (bit mask) */
    T_LIST,       /* of elem */
    T_RANGE,      /* a .. b of elem (dates or numbers) */
    T_DECISION,   /* a decision name: invest, enhance, ... */
    T_NONE
} TypeKind;

typedef struct Type {
    TypeKind kind;
    unsigned kinds;            /* T_ENTITY: 1u << EntityKind */
    const struct Type *elem;   /* T_LIST, T_RANGE */
} Type;

extern const Type type_error, type_number, type_bool, type_date, type_string,
    type_symbol, type_decision, type_none;

#define KIND_BIT(k) (1u << (k))

typedef struct ListSpan {
    uint32_t off, len;
} ListSpan;

/* An attribute of a kind: built in (title, owner, status, ...) or declared
 * in a `schema KIND { ... }` block. */
typedef struct AttrDef {
    Name name;
    Type type;
    Loc loc;                 /* schema field, or none for built-ins */
    bool required;
    bool has_min, has_max, min_excl, max_excl;
    bool whole;              /* `int`: a number that takes whole values only */
    double min, max;
    Name *allowed;           /* symbols the attribute may take, or NULL */
    uint32_t nallowed;
    Expr *default_expr;
} AttrDef;

/* Name -> declaration, for the namespaces of scores, consts, rules and the
 * named governance blocks, the attributes of a kind: a strategy with a hundred thousand of them must
 * not be checked in quadratic time. */
typedef struct NameMap {
    Name *keys;
    void **vals;
    uint32_t cap, len;
} NameMap;

void *namemap_get(const NameMap *m, Name key);
void namemap_put(Compilation *c, NameMap *m, Name key, void *val);

typedef struct Column {
    double *num;             /* T_NUMBER */
    int32_t *i32;            /* everything else */
    ListSpan *list;          /* T_LIST */
    int32_t *pool;           /* T_LIST elements */
    uint32_t pool_len, pool_cap;
    Loc *locs;               /* where each row's value was written (lazy) */
    /* The value of every row while the column has no storage (see
     * column_present): missing, or a default that applies to all rows. */
    double fill_num;
    int32_t fill_i32;
} Column;

/* What a name use denotes, recorded once by the checks on the Expr
 * (u.name.sym, u.call.sym) and read by the run, the outputs and the
 * position index.  Declarations that can be named own one Symbol each
 * (Const.sym, Score.sym, Rule.sym, the entity rows' symbols made on first
 * reference, a binder's symbol per quantifier or parameter), so every use
 * of one declaration points at the same record. */
typedef enum SymbolKind {
    SYM_NONE,
    SYM_LOCAL,       /* a bound variable (score parameter, quantifier,
                        decide/approval `s`): index is its slot */
    SYM_APPROVAL_DECISION,   /* `decision` (or a table's name) in an approval:
                                the bound service's outcome in table `index` */
    SYM_CONST,       /* index in Program.consts */
    SYM_BUDGET,      /* the strategy's budget */
    SYM_DECISION,    /* a decision name: index is the Decision */
    SYM_ENTITY,      /* row `index` of kind entity_kind */
    SYM_VALUE,       /* a symbol value (retired, business): declared by no
                        one place; index -1 */
    SYM_SCORE,       /* index in Program.scores */
    SYM_RULE,        /* index in Program.rules (a waiver's rule) */
    SYM_BUILTIN,     /* a built-in function: index is the Builtin */
    SYM_ATTR,        /* attribute slot `index` of kind entity_kind */
    SYM_TABLE        /* a decide table by name (decision(s, NAME)): index
                        in Program.tables */
} SymbolKind;

typedef struct Symbol {
    SymbolKind kind;
    int entity_kind;         /* SYM_ENTITY, SYM_ATTR, SYM_LOCAL; else -1 */
    int32_t index;
    Name name;
    Loc loc;                 /* the declaration's name (a CSV row's name
                                cell; a binder's variable); file 0 when
                                there is none (builtins, decisions) */
} Symbol;

const char *symbol_kind_name(SymbolKind k);

typedef struct RowSpan {
    uint32_t start, end;
} RowSpan;

typedef struct FileRun {
    uint32_t first_row;      /* rows from here to the next run's first */
    uint32_t file;
} FileRun;

typedef struct KindTable {
    EntityKind kind;
    uint32_t count, cap;
    uint32_t ready;          /* rows [0, ready) of every column are set */
    Name *names;
    /* where each row's name is (its declaration, or its CSV cell): read
     * with row_loc.  A row keeps its offsets only; the file is that of
     * the run of rows it falls in (rows come a file at a time), 8 bytes a
     * row instead of 12. */
    RowSpan *spans;
    FileRun *runs;           /* [nruns]: by first row, ascending */
    uint32_t nruns, runs_cap;
    Decl **decls;            /* per row, up to decls_len: read with row_decl */
    uint32_t decls_len;
    AttrDef *attrs;
    uint32_t nattrs, attrs_cap;
    NameMap attr_map;        /* attribute name -> slot + 1 */
    Column *cols;            /* one per attribute */
    Symbol **row_syms;       /* per row, made on first reference (lazy) */
    uint32_t row_syms_len;
} KindTable;

/* The declaration of row r, or NULL for a row loaded from CSV. */
static inline Decl *row_decl(const KindTable *t, uint32_t r)
{
    return r < t->decls_len ? t->decls[r] : NULL;
}

/* Where row r's name is (r < t->count). */
static inline Loc row_loc(const KindTable *t, uint32_t r)
{
    uint32_t lo = 0, hi = t->nruns;   /* the last run that starts at or before r */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->runs[mid].first_row <= r)
            lo = mid;
        else
            hi = mid;
    }
    return (Loc){t->nruns ? t->runs[lo].file : 0, t->spans[r].start, t->spans[r].end};
}

typedef struct Risk {
    uint32_t service;
    Name category;
    Loc loc;
    double likelihood, impact;
    int32_t owner, accepted_by;     /* role/team row, or -1 */
    unsigned owner_kind, accepted_kind;
} Risk;

typedef struct Stage {
    uint32_t stream;                /* value_stream row */
    Name activity;
    Loc loc;
    int32_t *services;
    Loc *service_locs;
    uint32_t nservices;
} Stage;

typedef struct Score {
    Name name;
    Decl *decl;
    uint32_t index;
    Symbol sym;
    int state;                      /* recursion check: 0 new, 1 on stack, 2 done */
} Score;

typedef struct Rule {
    Name name;
    Decl *decl;
    uint32_t index;
    Symbol sym;
} Rule;

typedef struct Waiver {
    Name name;
    Decl *decl;
    Rule *rule;
    bool past_end_of_life;          /* waives that check (S0935), not a rule */
    EntityKind entity_kind;
    int32_t entity;                 /* row, or -1 */
    int32_t until;                  /* days */
    bool used;
} Waiver;

typedef enum Decision {
    DEC_INVEST, DEC_ENHANCE, DEC_MIGRATE, DEC_RETIRE, DEC_EXPERIMENT,
    DEC_TOLERATE, DEC_COUNT, DEC_NONE = -1
} Decision;

/* The name of a default decision (the six above). */
const char *decision_name(Decision d);

/* Outcome ids: every outcome name of every decide table has one id in the
 * program (Program.decision_names); the six defaults keep their Decision
 * values, a named table's other outcomes follow in declaration order.
 * Results hold ids, so `decision(s, time) == invest` compares ids whatever
 * the table. */
enum { MAX_OUTCOMES = 64 };

/* A decide table: the unnamed `decide { }` (the six default outcomes) or
 * `decide NAME (a, b, c) { }`.  Program.tables holds them, the unnamed one
 * first, then the named ones in declaration order; table 0 is the one
 * `decision(s)` and the `decision` columns of the outputs read.  Iterate
 * them with program_table(p, i) for i < p->tables.len. */
typedef struct DecideTable {
    Name name;               /* NULL for the unnamed table */
    Decl *decl;
    uint32_t index;          /* in Program.tables */
    int8_t outcomes[MAX_OUTCOMES];   /* outcome ids, in declared order */
    uint32_t noutcomes;
    bool interpolates;       /* an arm's `because` has `{expression}` */
    Symbol sym;              /* SYM_TABLE: the name in decision(s, NAME) */
    Symbol approval_sym;     /* SYM_APPROVAL_DECISION: the name in an approval */
} DecideTable;

/* Program.decision_names[id], or "none". */
const char *outcome_name(const struct Program *p, int id);

/* Built-in functions; Expr.u.call.builtin holds one of these or -1. */
typedef enum Builtin {
    B_ALIGNMENT, B_EXPOSURE, B_NORM, B_MIN, B_MAX, B_CLAMP, B_ABS, B_LOG,
    B_SQRT, B_POW, B_DEFINED, B_COUNT, B_SUM, B_ANY, B_ALL, B_DECISION,
    B_ROUND, B_FLOOR, B_CEIL, B_TRUNC, B_MOD,
    B_CONTAINS, B_STARTS_WITH, B_ENDS_WITH, B_LOWER,   /* text (DESIGN §5.6) */
    B_TODAY,                                            /* the run's date (§5.9) */
    B_ALLOCATED_COST, B_CHARGE,                         /* show-back (§5.7) */
    B_FORECAST,                                         /* demand (§5.8, demand.h) */
    B_COUNT_OF_BUILTINS
} Builtin;

const char *builtin_name(Builtin b);

typedef struct Strategy {
    Decl *decl;
    const char *title;
    const char *vision, *currency;
    int32_t horizon_start, horizon_end;   /* INT32_MIN when absent */
    double budget, run_max;               /* NaN when absent */
} Strategy;

/* A const's value is worked out once: at check time when something needs
 * a constant number (const_number), else on its first use by the
 * interpreter.  Either way the consts it depends on are evaluated first,
 * in a loop, so a chain of a million consts costs no C stack. */
typedef struct Const {
    Name name;
    Decl *decl;
    uint32_t index;          /* in Program.consts */
    Symbol sym;
    double value;
    bool evaluated, evaluating;
} Const;

typedef struct AppetiteLevel {
    Name category;
    double max_exposure;
    Loc loc;
} AppetiteLevel;

typedef struct Program {
    Strategy strategy;
    KindTable kinds[EK_COUNT];
    PtrVec atoms;                   /* Name, indexed by atom id (ids live in
                                       each name's NameInfo) */
    Risk *risks;
    uint32_t nrisks, risks_cap;
    Stage *stages;
    uint32_t nstages, stages_cap;
    PtrVec consts;                  /* Const* */
    PtrVec scores;                  /* Score* */
    PtrVec rules;                   /* Rule* */
    PtrVec waivers;                 /* Waiver* */
    PtrVec approvals, scenarios, limits, tests, loads;   /* Decl* */
    NameMap const_map, score_map, rule_map;              /* -> Const*, Score*, Rule* */
    NameMap approval_map, scenario_map, limit_map, test_map;   /* -> Decl* */
    AppetiteLevel *appetite;
    uint32_t nappetite;
    Decl *decide;                   /* table 0's declaration, or NULL */
    Decl *rank_decl;                /* the table with `rank by`, else decide */
    PtrVec tables;                  /* DecideTable*, see above */
    NameMap table_map;              /* name -> DecideTable* */
    Decl *appetite_decl;
    Name decision_names[MAX_OUTCOMES];   /* by outcome id */
    uint32_t ndecisions;
    Name activity_names[6];
    int32_t today;                  /* days, for waivers */
    /* The symbols of names that no declaration owns. */
    Symbol decision_syms[MAX_OUTCOMES], budget_sym, approval_decision_sym, value_sym;
    struct PositionIndex *index;    /* program_symbol_at's, built on first use */
    struct CsvLoad *csv_pending;    /* references in CSV cells, to resolve */
    /* show-back (showback.h): the `pool` declarations, and what the
     * allocation gave (NULL until it ran, or when errors stopped it) */
    PtrVec pools;                   /* Decl* */
    NameMap pool_map;               /* name -> Decl* */
    struct Showback *showback;
    struct ShowbackValues *showback_values;
    struct ShowbackRows *showback_rows;   /* `load usage`/`load pool` rows */
    struct Demand *demand;          /* `load demand` (demand.h), or NULL */
} Program;

/* What show-back gives scores (showback.c fills it; the interpreter and the
 * JIT read it): each service's full cost after allocation (direct plus its
 * share of the pools), and the charge of each (service, customer) pair with
 * usage, sorted by service then customer. */
typedef struct ShowbackValues {
    double *full_cost;           /* per service row */
    uint32_t *first;             /* per service row, and one more: its pairs */
    int32_t *customer;           /* per pair, the customer row */
    double *charge;              /* per pair */
} ShowbackValues;

/* allocated_cost(s): NaN when show-back did not run (nothing to allocate,
 * or errors stopped it). */
static inline double showback_full_cost(const struct Program *p, int32_t row)
{
    const ShowbackValues *v = p->showback_values;
    return v && row >= 0 ? v->full_cost[row] : __builtin_nan("");
}
/* charge(s, customer): 0 for a customer without usage of the service. */
static inline double showback_charge(const struct Program *p, int32_t row, int32_t customer)
{
    const ShowbackValues *v = p->showback_values;
    if (!v || row < 0 || customer < 0)
        return __builtin_nan("");
    for (uint32_t i = v->first[row]; i < v->first[row + 1]; i++)
        if (v->customer[i] == customer)
            return v->charge[i];
    return 0;
}

/* A reference that may point into several kinds (owner: role or team)
 * keeps the kind in its top bits; a single-kind reference is the row. */
#define REF_KIND_SHIFT 27
static inline int32_t ref_encode(unsigned kinds, EntityKind k, int32_t row)
{
    return (kinds & (kinds - 1)) ? (int32_t)(((uint32_t)k << REF_KIND_SHIFT) | (uint32_t)row)
                                 : row;
}
static inline int32_t ref_decode(unsigned kinds, int32_t v, EntityKind *k)
{
    if (v < 0 || !(kinds & (kinds - 1))) {
        for (int i = 0; i < EK_COUNT; i++)
            if (kinds & (1u << i))
                *k = (EntityKind)i;
        return v;
    }
    *k = (EntityKind)((uint32_t)v >> REF_KIND_SHIFT);
    return (int32_t)((uint32_t)v & ((1u << REF_KIND_SHIFT) - 1));
}

/* ---- the program and its tables ------------------------------------------- */

/* A fresh, empty Program in c->program: the built-in attributes of each
 * kind (builtins.def), the decision and activity names, and today (for
 * waivers) from the options.  The resolver starts with it. */
Program *program_new(Compilation *c);

KindTable *kind_table(Compilation *c, EntityKind k);
int32_t kind_lookup(KindTable *t, Name name);          /* row or -1 */
int name_entity_kind(Name name);                       /* EntityKind or -1 */
int attr_slot(const KindTable *t, Name name);          /* slot or -1 */
/* Adds an attribute (its column set to missing); returns its slot. */
int kind_add_attr(Compilation *c, KindTable *t, const AttrDef *def);
int32_t atom_id(Compilation *c, Name name);            /* interns */
Name atom_name(Compilation *c, int32_t id);
Decision decision_from_name(Compilation *c, Name n);
/* A printable name for row `row` of kind `k`. */
const char *entity_label(Compilation *c, EntityKind k, int32_t row);
/* A column has storage once written: column_materialize gives it some
 * (rows set to missing) before a first write; column_present says whether
 * it has.  A writer that holds a column's array, or writes from several
 * threads, materializes first; readers go through col_* (or check). */
bool column_present(const AttrDef *a, const Column *col);
void column_materialize(Compilation *c, KindTable *t, int slot);
/* Sets every row of column `slot` that is missing to a value: without
 * storage, by making the value the column's fill. */
void column_fill_missing(Compilation *c, KindTable *t, int slot, double num, int32_t i32);
/* Column reads, -1/NaN (INT32_MIN for dates) when missing.  Inline: the
 * checks read a million services' columns through them, several times. */
static inline double col_num(const KindTable *t, int slot, uint32_t row)
{
    if (slot < 0)
        return __builtin_nan("");
    const Column *col = &t->cols[slot];
    return col->num ? col->num[row] : col->fill_num;
}

static inline int32_t col_i32(const KindTable *t, int slot, uint32_t row)
{
    if (slot < 0)
        return -1;
    const Column *col = &t->cols[slot];
    return col->i32 ? col->i32[row] : col->fill_i32;
}

static inline ListSpan col_list(const KindTable *t, int slot, uint32_t row,
                                const int32_t **elems)
{
    if (slot < 0 || !t->cols[slot].list) {
        *elems = NULL;
        return (ListSpan){0, 0};
    }
    const Column *col = &t->cols[slot];
    ListSpan s = col->list[row];
    *elems = col->pool ? col->pool + s.off : NULL;
    return s;
}
/* Where row's attribute was set, or the entity's name if not set. */
Loc attr_loc(const KindTable *t, int slot, uint32_t row);
void attr_set_loc(Compilation *c, KindTable *t, int slot, uint32_t row, Loc loc);
/* "did you mean" over a kind's names.  A compilation makes at most
 * MAX_NAME_SEARCHES such searches over all names (c->suggestions counts
 * them): each costs an edit distance per name, so a flood of typos gets
 * few. */
enum { MAX_NAME_SEARCHES = 500 };
Name suggest_entity(Compilation *c, unsigned kinds, Name name);
/* "role or team", "entity": the kinds a reference may name, for messages */
const char *kinds_text(Compilation *c, unsigned kinds);
const char *type_name(Compilation *c, const Type *t);
/* A type in the arena (the constants above are the simple ones). */
Type *type_new(Compilation *c, TypeKind k, unsigned kinds, const Type *elem);

/* Room in a list column's pool for `more` elements beyond its length. */
void list_reserve(Compilation *c, Column *col, uint32_t more);
/* Appends one element to a list column's pool. */
void list_push(Compilation *c, Column *col, int32_t v);

/* Row management, for loaders.  kind_reserve makes room for n more rows,
 * set to missing; a loader that sets rows itself, ahead of its writes
 * (csv_load.c), makes room with kind_grow, sets pieces with
 * column_init_rows and marks them with t->ready, or has kind_set_rows
 * set rows [t->ready, want) at once. */
void kind_reserve(Compilation *c, KindTable *t, uint32_t n);
void kind_grow(Compilation *c, KindTable *t, uint32_t want);
void kind_set_rows(Compilation *c, KindTable *t, uint32_t want);
/* Rows [from, to) of a column (with storage) set to its fill: missing, or
 * a default. */
void column_init_rows(const AttrDef *a, const Column *col, uint32_t from, uint32_t to);
/* kind_add_row's uncommon part (program.c): room for the row, a new file
 * run, the declaration's slot. */
void kind_prepare_row(Compilation *c, KindTable *t, Loc loc, Decl *decl);

/* Adds a row; the caller has checked the name is new.  Inline: a CSV load
 * adds a million rows, each already reserved, from one file. */
static inline uint32_t kind_add_row(Compilation *c, KindTable *t, Name name, Loc loc,
                                    Decl *decl)
{
    if (decl || t->count >= t->ready || t->count >= NAME_MAX_ROWS || !t->nruns ||
        t->runs[t->nruns - 1].file != loc.file)
        kind_prepare_row(c, t, loc, decl);
    uint32_t r = t->count++;
    t->names[r] = name;
    t->spans[r] = (RowSpan){loc.start, loc.end};
    name_info(name)->kind_row = r << NAME_KIND_BITS | (uint32_t)t->kind;
    return r;
}

/* The named declarations, by name (NULL when none). */
Const *program_const(Compilation *c, Name n);
Score *program_score(Compilation *c, Name n);
Rule *program_rule(Compilation *c, Name n);

/* ---- questions about expressions of the program --------------------------- */

/* The calls to scores that e makes itself (the EX_CALL nodes), not
 * following into the scores' bodies. */
void score_calls(Compilation *c, Expr *e, PtrVec *out);
/* The references to consts in e (EX_NAME nodes), in walk order. */
void const_refs(Compilation *c, Expr *e, PtrVec *out);
/* Scores in dependency order: order_scores appends s after the scores it
 * calls (the checker has ruled out cycles); score_deps appends what e
 * calls, each after its own dependencies.  `seen` is indexed by
 * Score.index. */
void order_scores(Compilation *c, Score *s, PtrVec *out, bool *seen);
void score_deps(Compilation *c, Expr *e, PtrVec *out, bool *seen);

/* Arm number idx of table 0 (Results.arm), or NULL. */
const Arm *arm_at(const Program *p, int idx);
/* An approval's `when` (NULL: always) and its approver, a name (NULL when
 * it has none or another expression: the checker reported it). */
void approval_parts(Compilation *c, const Decl *d, Expr **when, Expr **who);
/* Arm number idx of a table (Results.arms[t]), or NULL. */
const Arm *table_arm_at(const DecideTable *t, int idx);
static inline DecideTable *program_table(const Program *p, uint32_t i)
{
    return p->tables.items[i];
}
/* A table by name (NULL: none). */
DecideTable *program_table_named(Compilation *c, Name n);
/* Column headings of table t: "decision", "arm", "because" for the
 * unnamed table, NAME, NAME_arm, NAME_because for a named one. */
const char *table_heading(Compilation *c, const DecideTable *t, const char *what);

/* ---- what names denote (Symbol, above) ------------------------------------- */

/* A new Symbol in the arena (binders; the program's own are embedded). */
Symbol *symbol_new(Compilation *c, SymbolKind k, int entity_kind, int32_t index,
                   Name name, Loc loc);
/* The one Symbol of row `row` of kind k, made on its first reference. */
Symbol *entity_symbol(Compilation *c, EntityKind k, int32_t row);
/* Do a and b denote the same declaration? (Binders compare by place.) */
bool symbol_same(const Symbol *a, const Symbol *b);

/* The slot of the bound variable e names, or -1. */
static inline int name_slot(const Expr *e)
{
    return e->kind == EX_NAME && e->u.name.sym && e->u.name.sym->kind == SYM_LOCAL
               ? e->u.name.sym->index
               : -1;
}
/* The score a call calls, or NULL (a builtin, or unresolved): the Score
 * that holds the call's Symbol (no table to read on the interpreter's
 * hot path).  p is for symmetry with lookups that need the program. */
static inline Score *call_score(const Program *p, const Expr *e)
{
    (void)p;
    Symbol *s = e->u.call.sym;
    return s ? (Score *)(void *)((char *)s - offsetof(Score, sym)) : NULL;
}
/* The const a name denotes, or NULL: the Const that holds its Symbol. */
static inline Const *name_const(const Program *p, const Expr *e)
{
    (void)p;
    Symbol *s = e->u.name.sym;
    return s && s->kind == SYM_CONST ? (Const *)(void *)((char *)s - offsetof(Const, sym))
                                     : NULL;
}

/* ---- the position index ------------------------------------------------------ */

/* One place in the sources where a name is written: a use (a name, a call,
 * an attribute after `.`, an attribute set in a block) or a declaration
 * (a const's, score's, rule's or entity's name, a schema field, a bound
 * variable, a CSV row's name cell), with what it denotes. */
typedef struct SymbolSite {
    Loc loc;               /* the name as written */
    bool is_decl;
    Symbol sym;            /* what it denotes (a copy) */
} SymbolSite;

/* The site whose name covers byte `offset` of source `file` (index + 1):
 * false at whitespace, punctuation, literals and keywords.  The index is
 * built on the first question, from the records the checks left on the
 * tree; ask after typecheck. */
bool program_symbol_at(Compilation *c, uint32_t file, uint32_t offset, SymbolSite *out);
/* The same by path (as loaded) and 1-based line and character column. */
bool program_symbol_at_line(Compilation *c, const char *path, uint32_t line,
                            uint32_t col, SymbolSite *out);
/* The sites denoting what `sym` denotes, in file and offset order: its
 * declaration (when `with_decl`) and every use, across all files.  *out
 * points into the index; returns the count. */
uint32_t program_references(Compilation *c, const Symbol *sym, bool with_decl,
                            const SymbolSite **out);
/* The declaration site of what sym denotes (false for builtins,
 * decisions, symbol values). */
bool program_definition(Compilation *c, const Symbol *sym, SymbolSite *out);

#endif
