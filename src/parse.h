/*
 * parse.h — the parse module: parse_source, which runs the generated
 * scanner and parser (grammar/strat.l, grammar/strat.y) over one loaded
 * source, and the constructors their actions call (parse.c).  Following
 * imports is load.h's.
 */
#ifndef STRAT_PARSE_H
#define STRAT_PARSE_H

#include "ast.h"

struct strat_compilation;

typedef struct NumLit {
    double value;
    NumStyle style;
    const char *text;   /* as written, for fmt */
} NumLit;

/* Elements being parsed.  Number literals are kept packed (value and
 * byte range) while every element so far is one; the first element of
 * another shape turns them into nodes. */
typedef struct ExprList {
    Expr **items;
    uint32_t n, cap;
    double *nums;
    uint32_t *spans;
    const char **texts;
    uint32_t npacked, pcap;
} ExprList;

typedef struct ItemList { Item *head, *tail; } ItemList;
typedef struct FieldList { SchemaField *head, *tail; } FieldList;
typedef struct ArmList {
    Arm *head, *tail;
    Expr *rank;
    SortOrder order;
} ArmList;

typedef struct ParseState {
    struct strat_compilation *c;
    uint32_t file;          /* source id (index + 1) */
    uint32_t offset;        /* scanner position: byte offset in the file */
    Decl *head, *tail;      /* declarations of this file, in order */
    unsigned syntax_errors;
    bool too_deep_reported;
    Expr *spare;            /* number nodes whose value went into a packed
                               list, for ex_new to hand out again */
    int start_token;        /* parse_fragment: the token that starts an
                               expression, given before the text's */
    Expr *fragment;         /* parse_fragment's expression */
} ParseState;

/* Parses one loaded source; its declarations land in ps->head (strat.l). */
void parse_source(struct strat_compilation *c, uint32_t file, ParseState *ps);

/* Parses bytes [start, end) of source `file` as one expression (a
 * `{...}` in a `because` text), with locations in that file; NULL after
 * a syntax error (reported). */
Expr *parse_fragment(struct strat_compilation *c, uint32_t file, uint32_t start,
                     uint32_t end);

/* grammar actions (parse.c) */
Name ps_name(ParseState *ps, const char *s);
Decl *decl_new(ParseState *ps, DeclKind kind, Loc loc);
Decl *decl_entity(ParseState *ps, EntityKind k, Loc kw, Name name,
                  Loc name_loc, ItemList items, Loc block_loc);
void parse_add_decl(ParseState *ps, Decl *d);
Severity parse_severity(ParseState *ps, Name word, Loc loc);
Item *item_new(ParseState *ps, ItemKind kind, Name name, Loc loc);
void item_append(ItemList *l, Item *it);
SchemaField *field_new(ParseState *ps);
void field_append(FieldList *l, SchemaField *f);
Arm *arm_new(ParseState *ps, Name decision, Loc loc);
void arm_append(ArmList *l, Arm *a);
SetStmt *set_new(ParseState *ps, Loc loc, Expr *target, Expr *value,
                 Name var, Loc var_loc, Name kind, Loc kind_loc, Expr *where);
SetStmt *set_append(SetStmt *list, SetStmt *s);
Expect *expect_new(ParseState *ps, Loc loc, Expr *cond);
Expect *expect_append(Expect *list, Expect *e);

Expr *ex_new(ParseState *ps, ExprKind kind, Loc loc);
Expr *ex_number(ParseState *ps, Loc loc, NumLit n);
Expr *ex_name(ParseState *ps, Loc loc, Name id);
Expr *ex_ops(ParseState *ps, ExprKind kind, Op op, Loc loc, Expr *a,
             Expr *b, Expr *c);
Expr *ex_attr(ParseState *ps, Loc loc, Expr *obj, Name attr, Loc attr_loc);
Expr *ex_call(ParseState *ps, Loc loc, Name fn, Loc fn_loc, ExprList args);
Expr *ex_list(ParseState *ps, Loc loc, ExprList items);
Expr *ex_quant(ParseState *ps, bool is_all, Loc loc, Name var, Loc var_loc,
               Name kind, Loc kind_loc, Expr *where, Expr *body);
Expr *ex_comprehension(ParseState *ps, Loc loc, Expr *body, Name var,
                       Loc var_loc, Name kind, Loc kind_loc, Expr *where);
ExprList exprs_empty(void);
void exprs_push(ParseState *ps, ExprList *l, Expr *e);

void parse_error_plain(ParseState *ps, Loc loc, const char *msg);
/* The declaration around loc is broken (a syntax error, a malformed name in
 * backticks): later diagnostics inside it are dropped.  Returns its start. */
uint32_t note_broken_decl(ParseState *ps, Loc loc);
void parse_syntax_error(ParseState *ps, Loc loc, const char *found,
                        const char **expected, int nexpected);

#endif
