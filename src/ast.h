/*
 * ast.h — the syntax tree the parser builds (parse.h) and the checker
 * annotates, and the one walk over an expression (ast.c).
 *
 * Nodes live in the compilation's arena.  Lists are singly linked through
 * `next` (built in source order by the parser), which is all the later
 * stages need: they walk, they never index.
 *
 * Most declarations share one shape — a keyword, a name and a block of
 * `attr = expr` items — so the grammar stays small and the checker, which
 * knows what each kind of block may hold, gives the precise messages
 * ("unknown attribute `titel` in objective; did you mean `title`?").
 */
#ifndef STRAT_AST_H
#define STRAT_AST_H

#include "compiler.h"

typedef enum ExprKind {
    EX_NUMBER,   /* num */
    EX_STRING,   /* str */
    EX_DATE,     /* date: days since 1970-01-01 */
    EX_BOOL,     /* boolean */
    EX_NONE,
    EX_NAME,     /* name */
    EX_ATTR,     /* a.attr */
    EX_CALL,     /* fn(args) */
    EX_LIST,     /* [args] */
    EX_UNARY,    /* op a */
    EX_BINARY,   /* a op b */
    EX_IF,       /* if a then b else c */
    EX_RANGE,    /* a .. b */
    EX_QUANT,    /* all|any var in kind [where a] : b */
    EX_COMPREH,  /* b for var in kind [where a]   (only as a call argument) */
    EX_LET,      /* let var = value in body */
    EX_ERROR     /* stands for an expression already reported (too deep) */
} ExprKind;

/* Names a `let` may bind at once, in one expression (the checker's limit,
 * and the interpreter's room for their values). */
enum { LET_SLOTS = 64 };

typedef enum Op {
    OP_NONE,
    OP_NEG, OP_NOT,
    OP_ADD, OP_SUB, OP_MUL, OP_DIV,
    OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE,
    OP_AND, OP_OR, OP_IN
} Op;

/* How a number was written, so fmt can keep the author's choice. */
typedef enum NumStyle { NUM_PLAIN, NUM_PERCENT, NUM_K, NUM_M, NUM_B } NumStyle;

struct Type;
struct Symbol;

typedef struct Expr {
    ExprKind kind;
    Loc loc;
    const struct Type *type;      /* set by the checker */
    int32_t aux;                  /* evaluator's cache slot + 1 (0: unset) */
    uint32_t depth;               /* height of the tree below, for the limit */
    union {
        struct { double value; NumStyle style; const char *text; } num;
        Str str;
        int32_t date;
        bool boolean;
        struct {
            Name id;
            /* What the name denotes (program.h), set once by the checks
             * (resolve.c, typecheck.c); NULL when it denotes nothing.
             * The run reads it and never looks the name up again. */
            struct Symbol *sym;
            int local;             /* a let's slot (eval.h: Eval.lets), when
                                      binder is set */
            struct Expr *binder;   /* the EX_LET that binds it, set by the
                                      checker; NULL otherwise */
        } name;
        struct {
            struct Expr *obj;
            Name attr;
            Loc attr_loc;
            int slot;              /* attribute index in the kind, set by checker */
        } attr;
        struct {
            Name fn;
            Loc fn_loc;
            struct Expr **args;
            uint32_t nargs;
            int builtin;           /* Builtin or -1 */
            struct Symbol *sym;    /* a user score's Symbol, else NULL */
        } call;
        struct {
            struct Expr **items;
            uint32_t n;            /* items; 0 for a packed list */
            /* A long list of number literals is kept packed, without a
             * node per element (a 99 MB list took 5 GB as nodes): each
             * element's value, its byte range in the list's file, and
             * its text where that is not the value's shortest form. */
            uint32_t npacked;
            const double *nums;
            const uint32_t *spans;       /* start, end per element */
            const char *const *texts;    /* NULL, or NULL per plain element */
        } list;
        struct { Op op; struct Expr *a, *b, *c; } ops;  /* unary/binary/if/range */
        struct {
            bool is_all;           /* EX_QUANT: all vs any */
            Name var;
            Loc var_loc;
            Name kind_name;
            Loc kind_loc;
            int entity_kind;       /* set by the resolver */
            int local;             /* slot of the bound variable */
            struct Expr *where;    /* may be NULL */
            struct Expr *body;
        } quant;
        struct {
            Name var;
            Loc var_loc;
            struct Expr *value;
            struct Expr *body;     /* sees var; NULL only while parsing */
            int local;             /* slot of the value, set by the checker */
            bool chained;          /* `let a = 1, b = 2 in ...`: body is the
                                      next binding of the same let */
        } let;
    } u;
} Expr;

/* A block item: `name = value`, or a nested `risk NAME { ... }` /
 * `stage NAME { ... }` block, or a `lifecycle { ... }` block (ITEM_LIFECYCLE,
 * named by its keyword: a contextual one, so `lifecycle` stays a name). */
typedef enum ItemKind { ITEM_ATTR, ITEM_RISK, ITEM_STAGE, ITEM_LIFECYCLE } ItemKind;

typedef struct Item {
    ItemKind kind;
    Name name;
    Loc loc;             /* the name */
    Expr *value;         /* ITEM_ATTR */
    struct Item *items;  /* nested blocks */
    Loc end_loc;         /* closing brace of a nested block */
    struct Item *first_dup;   /* checker: an earlier item of the same name
                                 and kind in this block, or NULL */
    bool dups_marked;    /* checker: set on a block's first item once
                            first_dup is filled for the whole block */
    struct Item *next;
} Item;

/* `attr : type constraints [= default]` in a schema block. */
typedef struct SchemaField {
    Name name;
    Loc loc;
    Name type_name;      /* number, string, date, bool, or an entity kind */
    Loc type_loc;
    bool is_list;        /* [type] */
    bool required;
    Expr *in;            /* `in a .. b` or `in [x, y]`, or NULL */
    Op cmp;              /* lower bound `>= e` or `> e`, OP_NONE if absent */
    Expr *cmp_value;
    Op cmp2;             /* upper bound `<= e` or `< e`, OP_NONE if absent */
    Expr *cmp2_value;
    Expr *default_value;
    Loc span;            /* the whole field, for the formatter */
    struct SchemaField *next;
} SchemaField;

/* A piece of a `because` text that interpolates: literal text, or an
 * `{expression}` (set by the checker, in order). */
typedef struct BecausePart {
    const char *text;    /* literal text (escapes and `{{` resolved), or NULL */
    Expr *expr;          /* the expression, or NULL */
    struct BecausePart *next;
} BecausePart;

typedef struct Arm {
    Name decision;       /* invest, enhance, ... */
    int dec;             /* its outcome id (program.h), set by the checker */
    Loc loc;
    Expr *cond;          /* NULL for otherwise */
    Str because;         /* .s == NULL when absent */
    Loc because_loc;     /* the string literal */
    BecausePart *parts;  /* checker: the pieces when `because` has a `{`, else NULL */
    Loc span;            /* the whole arm */
    struct Arm *next;
} Arm;

typedef struct SetStmt {
    Expr *target;        /* s.attr */
    Expr *value;
    Name var;
    Loc var_loc;
    Name kind_name;
    Loc kind_loc;
    int entity_kind;
    Expr *where;
    Loc loc;
    Loc span;
    struct SetStmt *next;
} SetStmt;

typedef struct Expect {
    Expr *cond;
    Loc loc;
    Loc span;
    struct Expect *next;
} Expect;

typedef enum DeclKind {
    D_IMPORT, D_STRATEGY, D_ENTITY, D_APPETITE, D_SCHEMA, D_SCORE, D_RULE,
    D_DECIDE, D_APPROVAL, D_SCENARIO, D_LOAD, D_WAIVER, D_LIMIT, D_TEST,
    D_CONST, D_LINT,
    D_POOL,      /* `pool NAME { ... }`: a shared cost pool (show-back, showback.c) */
    D_REPORT     /* `report { x = ... }`: the HTML report's chart (report.h) */
} DeclKind;

/* Entity kinds: things with names that other things refer to. */
typedef enum EntityKind {
    EK_ROLE, EK_TEAM, EK_CUSTOMER, EK_OBJECTIVE, EK_SERVICE, EK_OFFERING,
    EK_VALUE_STREAM, EK_COUNT
} EntityKind;

typedef enum SortOrder { SORT_DESC, SORT_ASC } SortOrder;

typedef struct Decl {
    DeclKind kind;
    Loc loc;             /* the keyword */
    Loc end_loc;         /* closing brace, when there is one */
    Name name;           /* NULL for strategy/appetite/decide/import */
    Loc name_loc;
    EntityKind entity_kind;   /* D_ENTITY, D_SCHEMA, D_LOAD */
    Str text;            /* strategy title, import/load path, rule/limit message */
    Loc text_loc;
    Item *items;         /* generic attribute blocks */
    SchemaField *fields; /* D_SCHEMA */
    Name param;          /* score/rule parameter, e.g. `s` */
    Loc param_loc;
    Severity severity;   /* D_RULE */
    Expr *expr;          /* score/rule/limit/const body */
    Arm *arms;           /* D_DECIDE */
    Item *outcomes;      /* D_DECIDE: a named table's outcomes (value NULL), in
                            order; NULL for the unnamed table */
    Expr *rank;          /* D_DECIDE: rank by */
    SortOrder rank_order;
    SetStmt *sets;       /* D_SCENARIO */
    Expect *expects;     /* D_TEST */
    uint32_t source;     /* index of the source file */
    struct Decl *next;
} Decl;

/* The number of elements of a list literal, packed or not. */
static inline uint32_t list_len(const Expr *e)
{
    return e->u.list.n + e->u.list.npacked;
}

const char *entity_kind_name(EntityKind k);
const char *op_text(Op op);

/* ---- walking an expression ------------------------------------------------ */

/* What a visitor says about the node it was just shown. */
typedef enum WalkStep {
    WALK_CHILDREN,   /* go on into its children */
    WALK_SKIP,       /* not into its children (leave is still called) */
    WALK_STOP        /* end the whole walk now */
} WalkStep;

typedef struct ExprVisitor {
    WalkStep (*enter)(Expr *e, void *ctx);   /* before e's children */
    void (*leave)(Expr *e, void *ctx);       /* after them; may be NULL */
    void *ctx;
} ExprVisitor;

/* Shows the visitor e and every node below it, depth first: an attribute's
 * object, a call's arguments, a list's element nodes (a packed list of
 * numbers has none), an operator's operands, a quantifier's or
 * comprehension's `where` and then its body, a let's value and then its
 * body.  e may be NULL.  Returns
 * WALK_STOP when the visitor stopped the walk, else WALK_CHILDREN.  Every
 * search over an expression's nodes is written with it. */
WalkStep expr_walk(Expr *e, const ExprVisitor *v);

#endif
