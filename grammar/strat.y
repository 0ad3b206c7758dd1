/*
 * strat.y — the grammar of Strat (bison, pure, with locations).
 *
 * Takes tokens from the reentrant scanner in strat.l and gives a list of
 * Decl nodes (ast.h) for one source file.  The grammar is layered like Lua's
 * (one nonterminal per precedence level), which keeps bounds in schema
 * constraints (`>= 0`) from swallowing the next constraint.
 *
 * Error recovery works at two levels: a broken block is closed at its '}'
 * or at the next declaration keyword (a missing brace costs one message,
 * not the rest of the file), and a broken declaration is skipped up to the
 * next declaration keyword.  Messages say what was expected before what:
 * "expected '}' before 'service'".
 */
%code requires {
#include "ast.h"
#include "parse.h"
typedef Loc YYLTYPE;
#define YYLTYPE_IS_DECLARED 1
typedef void *yyscan_t;
}

%code provides {
int yylex(YYSTYPE *lval, YYLTYPE *lloc, yyscan_t scanner);
}

%code {
#include <string.h>

#include "compiler.h"
#include "diag.h"

/* A range from the first to the last symbol of a rule; empty rules sit at
 * the end of the previous symbol. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                       \
    do {                                                                  \
        if (N) {                                                          \
            (Cur).file = YYRHSLOC(Rhs, 1).file;                           \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                         \
            (Cur).end = YYRHSLOC(Rhs, N).end;                             \
        } else {                                                          \
            (Cur).file = YYRHSLOC(Rhs, 0).file;                           \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;               \
        }                                                                 \
    } while (0)

/* The parser's stacks never grow (YYINITDEPTH == YYMAXDEPTH), so they live
 * on the C stack and an allocation failure elsewhere leaks nothing; input
 * nested deeper than this is reported as too deep. */
#define YYINITDEPTH 2000
#define YYMAXDEPTH 2000

static void yyerror(YYLTYPE *loc, yyscan_t scanner, ParseState *ps,
                    const char *msg);
static Expr *let_finish(ParseState *ps, Loc loc, Expr *last, Expr *body);
static Expr *assign_as_compare(ParseState *ps, Loc loc, Loc eq, Expr *a, Expr *b);
}

%define api.pure full
%define parse.error custom
%define parse.lac none
%locations
%param {yyscan_t scanner}
%parse-param {ParseState *ps}

%union {
    double num;
    NumLit numlit;
    Name name;
    Str str;
    int32_t date;
    Expr *expr;
    ExprList exprs;
    Item *item;
    ItemList items;
    Decl *decl;
    SchemaField *field;
    FieldList fields;
    Arm *arm;
    ArmList arms;
    SetStmt *set;
    Expect *expect;
    Op op;
    int ival;
}

%token END 0 "end of file"
%token <name> IDENT "identifier"
%token <str> STRING "string"
%token <numlit> NUMBER "number"
%token <date> DATE "date"
%token ERROR_TOKEN "invalid token"
%token START_EXPR "start of an expression"   /* parse_fragment's start */

%token IMPORT "'import'" STRATEGY "'strategy'" ROLE "'role'" TEAM "'team'"
%token CUSTOMER "'customer'" OBJECTIVE "'objective'" SERVICE "'service'"
%token OFFERING "'offering'" VALUE_STREAM "'value_stream'"
%token APPETITE "'appetite'" SCHEMA "'schema'" SCORE "'score'" RULE "'rule'"
%token DECIDE "'decide'" APPROVAL "'approval'" SCENARIO "'scenario'"
%token LOAD "'load'" FROM "'from'" WAIVER "'waiver'" LIMIT "'limit'"
%token TEST "'test'" CONST "'const'" RISK "'risk'" STAGE "'stage'" LINT "'lint'"
%token REPORT "'report'"
%token WHEN "'when'" BECAUSE "'because'" OTHERWISE "'otherwise'"
%token RANK "'rank'" BY "'by'" ASC "'asc'" DESC "'desc'"
%token ALL "'all'" ANY "'any'" IN "'in'" WHERE "'where'" FOR "'for'"
%token IF "'if'" THEN "'then'" ELSE "'else'" AND "'and'" OR "'or'" LET "'let'"
%token NOT "'not'" TRUE "'true'" FALSE "'false'" NONE "'none'"
%token SET "'set'" EXPECT "'expect'" REQUIRED "'required'"
%token POOL "'pool'"   /* only as `pool NAME {` at a line's start (strat.l) */
%token LBRACE "'{'" RBRACE "'}'" LPAREN "'('" RPAREN "')'"
%token LBRACKET "'['" RBRACKET "']'" COMMA "','" DOT "'.'" COLON "':'"
%token ASSIGN "'='" EQ "'=='" NE "'!='" LT "'<'" LE "'<='" GT "'>'" GE "'>='"
%token PLUS "'+'" MINUS "'-'" STAR "'*'" SLASH "'/'" DOTDOT "'..'"

%type <decl> decl
%type <items> items block opt_block outcomes
%type <item> item
%type <name> attr_name kind_name
%type <expr> expr range_expr cond_expr or_expr and_expr not_expr cmp_expr
%type <expr> add_expr mul_expr unary postfix primary arg opt_where
%type <expr> let_binds let_bind let_value let_or let_and let_not let_cmp
%type <op> let_cmp_op
%type <exprs> args arg_list list_items
%type <op> cmp_op bound_op
%type <fields> schema_fields
%type <field> schema_field constraints
%type <arms> arms
%type <arm> arm
%type <str> opt_because
%type <ival> opt_order
%type <set> set_stmt set_stmts
%type <expect> expects expect

%expect 1   /* block: '{' items error . '}' shifts, as wanted */

%%

file
    : decls
    | START_EXPR expr   { ps->fragment = $2; }
    ;

decls
    : %empty
    | decls decl            { parse_add_decl(ps, $2); }
    | decls error
    ;

decl
    : IMPORT STRING
        { $$ = decl_new(ps, D_IMPORT, @1); $$->text = $2; $$->text_loc = @2; }
    | STRATEGY STRING block
        { $$ = decl_new(ps, D_STRATEGY, @1); $$->text = $2; $$->text_loc = @2;
          $$->items = $3.head; $$->end_loc = @3; }
    | ROLE IDENT block         { $$ = decl_entity(ps, EK_ROLE, @1, $2, @2, $3, @3); }
    | TEAM IDENT block         { $$ = decl_entity(ps, EK_TEAM, @1, $2, @2, $3, @3); }
    | CUSTOMER IDENT block     { $$ = decl_entity(ps, EK_CUSTOMER, @1, $2, @2, $3, @3); }
    | OBJECTIVE IDENT block    { $$ = decl_entity(ps, EK_OBJECTIVE, @1, $2, @2, $3, @3); }
    | SERVICE IDENT block      { $$ = decl_entity(ps, EK_SERVICE, @1, $2, @2, $3, @3); }
    | OFFERING IDENT block     { $$ = decl_entity(ps, EK_OFFERING, @1, $2, @2, $3, @3); }
    | VALUE_STREAM IDENT block { $$ = decl_entity(ps, EK_VALUE_STREAM, @1, $2, @2, $3, @3); }
    | APPETITE block
        { $$ = decl_new(ps, D_APPETITE, @1); $$->items = $2.head; $$->end_loc = @2; }
    | LINT block
        { $$ = decl_new(ps, D_LINT, @1); $$->items = $2.head; $$->end_loc = @2; }
    | REPORT block
        { $$ = decl_new(ps, D_REPORT, @1); $$->items = $2.head; $$->end_loc = @2; }
    | SCHEMA kind_name LBRACE schema_fields RBRACE
        { $$ = decl_new(ps, D_SCHEMA, @1); $$->name = $2; $$->name_loc = @2;
          $$->fields = $4.head; $$->end_loc = @5; }
    | SCORE IDENT LPAREN IDENT RPAREN ASSIGN expr
        { $$ = decl_new(ps, D_SCORE, @1); $$->name = $2; $$->name_loc = @2;
          $$->param = $4; $$->param_loc = @4; $$->expr = $7; }
    | RULE IDENT LPAREN IDENT RPAREN STRING ASSIGN expr
        { $$ = decl_new(ps, D_RULE, @1); $$->name = $2; $$->name_loc = @2;
          $$->severity = parse_severity(ps, $4, @4);
          $$->text = $6; $$->text_loc = @6; $$->expr = $8; }
    | RULE IDENT STRING ASSIGN expr
        { $$ = decl_new(ps, D_RULE, @1); $$->name = $2; $$->name_loc = @2;
          $$->severity = SEV_ERROR; $$->text = $3; $$->text_loc = @3; $$->expr = $5; }
    | DECIDE LBRACE arms RBRACE
        { $$ = decl_new(ps, D_DECIDE, @1); $$->arms = $3.head;
          $$->rank = $3.rank; $$->rank_order = $3.order; $$->end_loc = @4; }
    | DECIDE IDENT LPAREN outcomes RPAREN LBRACE arms RBRACE
        { $$ = decl_new(ps, D_DECIDE, @1); $$->name = $2; $$->name_loc = @2;
          $$->outcomes = $4.head; $$->arms = $7.head;
          $$->rank = $7.rank; $$->rank_order = $7.order; $$->end_loc = @8; }
    | APPROVAL IDENT block
        { $$ = decl_new(ps, D_APPROVAL, @1); $$->name = $2; $$->name_loc = @2;
          $$->items = $3.head; $$->end_loc = @3; }
    | SCENARIO IDENT LBRACE set_stmts RBRACE
        { $$ = decl_new(ps, D_SCENARIO, @1); $$->name = $2; $$->name_loc = @2;
          $$->sets = $4; $$->end_loc = @5; }
    | LOAD kind_name FROM STRING opt_block
        { $$ = decl_new(ps, D_LOAD, @1); $$->name = $2; $$->name_loc = @2;
          $$->text = $4; $$->text_loc = @4; $$->items = $5.head; $$->end_loc = @$; }
    | WAIVER IDENT block
        { $$ = decl_new(ps, D_WAIVER, @1); $$->name = $2; $$->name_loc = @2;
          $$->items = $3.head; $$->end_loc = @3; }
    | LIMIT IDENT STRING ASSIGN expr
        { $$ = decl_new(ps, D_LIMIT, @1); $$->name = $2; $$->name_loc = @2;
          $$->text = $3; $$->text_loc = @3; $$->expr = $5; }
    | TEST IDENT LBRACE expects RBRACE
        { $$ = decl_new(ps, D_TEST, @1); $$->name = $2; $$->name_loc = @2;
          $$->expects = $4; $$->end_loc = @5; }
    | CONST IDENT ASSIGN expr
        { $$ = decl_new(ps, D_CONST, @1); $$->name = $2; $$->name_loc = @2;
          $$->expr = $4; }
    | POOL IDENT block   /* a shared cost pool (show-back) */
        { $$ = decl_new(ps, D_POOL, @1); $$->name = $2; $$->name_loc = @2;
          $$->items = $3.head; $$->end_loc = @3; }
    ;

kind_name
    : IDENT          { $$ = $1; }
    | ROLE           { $$ = ps_name(ps, "role"); }
    | TEAM           { $$ = ps_name(ps, "team"); }
    | CUSTOMER       { $$ = ps_name(ps, "customer"); }
    | OBJECTIVE      { $$ = ps_name(ps, "objective"); }
    | SERVICE        { $$ = ps_name(ps, "service"); }
    | OFFERING       { $$ = ps_name(ps, "offering"); }
    | VALUE_STREAM   { $$ = ps_name(ps, "value_stream"); }
    ;

/* ---- attribute blocks ---- */

block
    : LBRACE items RBRACE        { $$ = $2; }
    | LBRACE items error RBRACE  { $$ = $2; }
    | LBRACE items error         { $$ = $2; }
    ;

opt_block
    : %empty      { $$.head = $$.tail = NULL; }
    | block       { $$ = $1; }
    ;

items
    : %empty      { $$.head = $$.tail = NULL; }
    | items item  { $$ = $1; item_append(&$$, $2); }
    ;

attr_name
    : IDENT   { $$ = $1; }
    | RULE    { $$ = ps_name(ps, "rule"); }
    | WHEN    { $$ = ps_name(ps, "when"); }
    ;

item
    : attr_name ASSIGN expr
        { $$ = item_new(ps, ITEM_ATTR, $1, @1); $$->value = $3; }
    | RISK IDENT block
        { $$ = item_new(ps, ITEM_RISK, $2, @2); $$->items = $3.head; $$->end_loc = @3; }
    | STAGE IDENT block
        { $$ = item_new(ps, ITEM_STAGE, $2, @2); $$->items = $3.head; $$->end_loc = @3; }
    | IDENT block   /* `lifecycle { ... }` (the resolver names the block) */
        { $$ = item_new(ps, ITEM_LIFECYCLE, $1, @1); $$->items = $2.head; $$->end_loc = @2; }
    ;

/* ---- schema ---- */

schema_fields
    : %empty                      { $$.head = $$.tail = NULL; }
    | schema_fields schema_field  { $$ = $1; field_append(&$$, $2); }
    | schema_fields error         { $$ = $1; }
    ;

schema_field
    : IDENT COLON kind_name constraints
        { $$ = $4; $$->name = $1; $$->loc = @1; $$->type_name = $3; $$->type_loc = @3;
          $$->span = @$; }
    | IDENT COLON LBRACKET kind_name RBRACKET constraints
        { $$ = $6; $$->name = $1; $$->loc = @1; $$->type_name = $4; $$->type_loc = @4;
          $$->is_list = true; $$->span = @$; }
    ;

constraints
    : %empty                          { $$ = field_new(ps); }
    | constraints IN add_expr DOTDOT add_expr
        { $$ = $1; $$->in = ex_ops(ps, EX_RANGE, OP_NONE, loc_span(@3, @5), $3, $5, NULL); }
    | constraints IN LBRACKET list_items RBRACKET
        { $$ = $1; $$->in = ex_list(ps, loc_span(@3, @5), $4); }
    | constraints bound_op unary
        { $$ = $1;
          if ($2 == OP_GE || $2 == OP_GT) { $$->cmp = $2; $$->cmp_value = $3; }
          else { $$->cmp2 = $2; $$->cmp2_value = $3; } }
    | constraints REQUIRED            { $$ = $1; $$->required = true; }
    | constraints ASSIGN unary        { $$ = $1; $$->default_value = $3; }
    ;

bound_op
    : GE { $$ = OP_GE; } | GT { $$ = OP_GT; } | LE { $$ = OP_LE; } | LT { $$ = OP_LT; }
    ;

/* ---- decide ---- */

outcomes
    : IDENT
        { $$.head = $$.tail = NULL; item_append(&$$, item_new(ps, ITEM_ATTR, $1, @1)); }
    | outcomes COMMA IDENT
        { $$ = $1; item_append(&$$, item_new(ps, ITEM_ATTR, $3, @3)); }
    ;

arms
    : %empty      { $$.head = $$.tail = NULL; $$.rank = NULL; $$.order = SORT_DESC; }
    | arms arm    { $$ = $1; arm_append(&$$, $2); }
    | arms RANK BY expr opt_order
        { $$ = $1; $$.rank = $4; $$.order = $5; }
    | arms error  { $$ = $1; }
    ;

arm
    : IDENT WHEN expr opt_because
        { $$ = arm_new(ps, $1, @1); $$->cond = $3; $$->because = $4;
          $$->because_loc = @4; $$->span = @$; }
    | IDENT OTHERWISE opt_because
        { $$ = arm_new(ps, $1, @1); $$->because = $3;
          $$->because_loc = @3; $$->span = @$; }
    ;

opt_because
    : %empty          { $$.s = NULL; $$.len = 0; }
    | BECAUSE STRING  { $$ = $2; }
    ;

opt_order
    : %empty  { $$ = SORT_DESC; }
    | DESC    { $$ = SORT_DESC; }
    | ASC     { $$ = SORT_ASC; }
    ;

/* ---- scenario and test ---- */

set_stmts
    : %empty                { $$ = NULL; }
    | set_stmts set_stmt    { $$ = set_append($1, $2); }
    | set_stmts error       { $$ = $1; }
    ;

set_stmt
    : SET postfix ASSIGN expr FOR IDENT IN kind_name opt_where
        { $$ = set_new(ps, @1, $2, $4, $6, @6, $8, @8, $9); $$->span = @$; }
    ;

expects
    : %empty            { $$ = NULL; }
    | expects expect    { $$ = expect_append($1, $2); }
    | expects error     { $$ = $1; }
    ;

expect
    : EXPECT expr       { $$ = expect_new(ps, @1, $2); $$->span = @$; }
    ;

/* ---- expressions, lowest precedence first ---- */

expr
    : range_expr
    ;

range_expr
    : cond_expr
    | cond_expr DOTDOT cond_expr  { $$ = ex_ops(ps, EX_RANGE, OP_NONE, @$, $1, $3, NULL); }
    ;

cond_expr
    : or_expr
    | IF expr THEN expr ELSE cond_expr
        { $$ = ex_ops(ps, EX_IF, OP_NONE, @$, $2, $4, $6); }
    | ALL IDENT IN kind_name opt_where COLON cond_expr
        { $$ = ex_quant(ps, true, @$, $2, @2, $4, @4, $5, $7); }
    | ANY IDENT IN kind_name opt_where COLON cond_expr
        { $$ = ex_quant(ps, false, @$, $2, @2, $4, @4, $5, $7); }
    | LET let_binds IN cond_expr
        { $$ = let_finish(ps, @$, $2, $4); }
    ;

/* `let a = e1, b = e2 in e3`.  A value stops before a top-level `in`
 * (which ends the bindings), so a membership test, an `if` or a
 * quantifier as a value is written in parentheses.  The bindings are
 * collected last first (each node's body points to the one before) and
 * put in order by let_finish. */
let_binds
    : let_bind
    | let_binds COMMA let_bind     { $$ = $3; $$->u.let.body = $1; }
    ;

let_bind
    : IDENT ASSIGN let_value
        { $$ = ex_new(ps, EX_LET, @$); $$->u.let.var = $1; $$->u.let.var_loc = @1;
          $$->u.let.value = $3; $$->u.let.local = -1; }
    ;

let_value
    : let_or
    ;

let_or
    : let_and
    | let_or OR let_and       { $$ = ex_ops(ps, EX_BINARY, OP_OR, @$, $1, $3, NULL); }
    ;

let_and
    : let_not
    | let_and AND let_not     { $$ = ex_ops(ps, EX_BINARY, OP_AND, @$, $1, $3, NULL); }
    ;

let_not
    : let_cmp
    | NOT let_not             { $$ = ex_ops(ps, EX_UNARY, OP_NOT, @$, $2, NULL, NULL); }
    ;

let_cmp
    : add_expr
    | add_expr let_cmp_op add_expr { $$ = ex_ops(ps, EX_BINARY, $2, @$, $1, $3, NULL); }
    ;

let_cmp_op
    : EQ { $$ = OP_EQ; } | NE { $$ = OP_NE; } | LT { $$ = OP_LT; }
    | LE { $$ = OP_LE; } | GT { $$ = OP_GT; } | GE { $$ = OP_GE; }
    ;

opt_where
    : %empty        { $$ = NULL; }
    | WHERE expr    { $$ = $2; }
    ;

or_expr
    : and_expr
    | or_expr OR and_expr     { $$ = ex_ops(ps, EX_BINARY, OP_OR, @$, $1, $3, NULL); }
    ;

and_expr
    : not_expr
    | and_expr AND not_expr   { $$ = ex_ops(ps, EX_BINARY, OP_AND, @$, $1, $3, NULL); }
    ;

not_expr
    : cmp_expr
    | NOT not_expr            { $$ = ex_ops(ps, EX_UNARY, OP_NOT, @$, $2, NULL, NULL); }
    ;

cmp_expr
    : add_expr
    | add_expr cmp_op add_expr { $$ = ex_ops(ps, EX_BINARY, $2, @$, $1, $3, NULL); }
    | add_expr ASSIGN add_expr { $$ = assign_as_compare(ps, @$, @2, $1, $3); }
    ;

cmp_op
    : EQ { $$ = OP_EQ; } | NE { $$ = OP_NE; } | LT { $$ = OP_LT; }
    | LE { $$ = OP_LE; } | GT { $$ = OP_GT; } | GE { $$ = OP_GE; }
    | IN { $$ = OP_IN; }
    ;

add_expr
    : mul_expr
    | add_expr PLUS mul_expr   { $$ = ex_ops(ps, EX_BINARY, OP_ADD, @$, $1, $3, NULL); }
    | add_expr MINUS mul_expr  { $$ = ex_ops(ps, EX_BINARY, OP_SUB, @$, $1, $3, NULL); }
    ;

mul_expr
    : unary
    | mul_expr STAR unary      { $$ = ex_ops(ps, EX_BINARY, OP_MUL, @$, $1, $3, NULL); }
    | mul_expr SLASH unary     { $$ = ex_ops(ps, EX_BINARY, OP_DIV, @$, $1, $3, NULL); }
    ;

unary
    : postfix
    | MINUS unary              { $$ = ex_ops(ps, EX_UNARY, OP_NEG, @$, $2, NULL, NULL); }
    ;

postfix
    : primary
    | postfix DOT IDENT        { $$ = ex_attr(ps, @$, $1, $3, @3); }
    | IDENT LPAREN args RPAREN { $$ = ex_call(ps, @$, $1, @1, $3); }
    | ALL LPAREN args RPAREN   { $$ = ex_call(ps, @$, ps_name(ps, "all"), @1, $3); }
    | ANY LPAREN args RPAREN   { $$ = ex_call(ps, @$, ps_name(ps, "any"), @1, $3); }
    ;

primary
    : NUMBER   { $$ = ex_number(ps, @1, $1); }
    | STRING   { $$ = ex_new(ps, EX_STRING, @1); $$->u.str = $1; }
    | DATE     { $$ = ex_new(ps, EX_DATE, @1); $$->u.date = $1; }
    | TRUE     { $$ = ex_new(ps, EX_BOOL, @1); $$->u.boolean = true; }
    | FALSE    { $$ = ex_new(ps, EX_BOOL, @1); $$->u.boolean = false; }
    | NONE     { $$ = ex_new(ps, EX_NONE, @1); }
    | IDENT    { $$ = ex_name(ps, @1, $1); }
    | LPAREN expr RPAREN            { $$ = $2; }
    | LBRACKET list_items RBRACKET  { $$ = ex_list(ps, @$, $2); }
    ;

list_items
    : %empty           { $$ = exprs_empty(); }
    | arg_list         { $$ = $1; }
    | arg_list COMMA   { $$ = $1; }
    ;

args
    : %empty           { $$ = exprs_empty(); }
    | arg_list         { $$ = $1; }
    ;

arg_list
    : arg                  { $$ = exprs_empty(); exprs_push(ps, &$$, $1); }
    | arg_list COMMA arg   { $$ = $1; exprs_push(ps, &$$, $3); }
    ;

arg
    : expr
    | expr FOR IDENT IN kind_name opt_where
        { $$ = ex_comprehension(ps, @$, $1, $3, @3, $5, @5, $6); }
    ;

%%

/* The bindings of one `let`, collected last first, put in source order
 * with body after the last; each node spans from its binding to the end
 * of the body.  Heights are capped like every expression's (parse.c): a
 * let of thousands of bindings is one "nested too deep" error. */
static Expr *let_finish(ParseState *ps, Loc loc, Expr *last, Expr *body)
{
    enum { MAX_LET_DEPTH = 400 };
    Expr *inner = body;
    for (Expr *b = last; b;) {
        Expr *before = b->u.let.body;
        b->u.let.body = inner;
        b->u.let.chained = inner != body;
        b->loc.end = loc.end;
        uint32_t hv = b->u.let.value ? b->u.let.value->depth : 0;
        uint32_t hb = inner ? inner->depth : 0;
        b->depth = (hv > hb ? hv : hb) + 1;
        if (b->depth > MAX_LET_DEPTH) {
            if (!ps->too_deep_reported) {
                ps->too_deep_reported = true;
                diag_at(ps->c, D_NESTING, b->loc, "expression nested deeper than %d levels",
                        MAX_LET_DEPTH);
            }
            b = ex_new(ps, EX_ERROR, b->loc);
            b->depth = MAX_LET_DEPTH;
        }
        inner = b;
        b = before;
    }
    inner->loc = loc;
    return inner;
}

/* `s.status = retired` in an expression: S0203 with the fix `==`, read as
 * the comparison meant, so nothing follows on. */
static Expr *assign_as_compare(ParseState *ps, Loc loc, Loc eq, Expr *a, Expr *b)
{
    Diag *d = diag_at(ps->c, D_ASSIGN_IN_EXPR, eq,
                      "`=` gives an attribute its value; a comparison is written `==`");
    diag_fix(ps->c, d, eq, "==", true);
    return ex_ops(ps, EX_BINARY, OP_EQ, loc, a, b, NULL);
}

static void yyerror(YYLTYPE *loc, yyscan_t scanner, ParseState *ps,
                    const char *msg)
{
    (void)scanner;
    parse_error_plain(ps, *loc, msg);
}

/* "expected '}' before 'service'": the expected tokens and the token that
 * was found; parse_syntax_error (ast.c) words them. */
static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner,
                                 ParseState *ps)
{
    (void)scanner;
    enum { MAX_EXPECTED = 64 };
    yysymbol_kind_t expected[MAX_EXPECTED];
    int n = yypcontext_expected_tokens(ctx, expected, MAX_EXPECTED);
    const char *names[MAX_EXPECTED];
    if (n < 0)
        n = 0;
    for (int i = 0; i < n; i++)
        names[i] = yysymbol_name(expected[i]);
    yysymbol_kind_t found = yypcontext_token(ctx);
    parse_syntax_error(ps, *yypcontext_location(ctx),
                       found == YYSYMBOL_YYEMPTY ? NULL : yysymbol_name(found),
                       names, n);
    return 0;
}
