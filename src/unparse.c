/*
 * unparse.c — an expression back to source text, with the fewest
 * parentheses that keep its meaning.  `explain` prints decide arms with it
 * and the formatter writes expressions with it.
 */
#include <string.h>

#include "dates.h"
#include "intern.h"
#include "json.h"
#include "unparse.h"

/* Binding strength, as in the grammar's layers (strat.y). */
int unparse_prec(const Expr *e)
{
    switch (e->kind) {
    case EX_RANGE: return 1;
    case EX_IF: case EX_QUANT: case EX_LET: return 2;
    case EX_BINARY:
        switch (e->u.ops.op) {
        case OP_OR: return 3;
        case OP_AND: return 4;
        case OP_EQ: case OP_NE: case OP_LT: case OP_LE: case OP_GT: case OP_GE:
        case OP_IN: return 6;
        case OP_ADD: case OP_SUB: return 7;
        case OP_MUL: case OP_DIV: return 8;
        default: return 10;
        }
    case EX_UNARY: return e->u.ops.op == OP_NOT ? 5 : 9;
    default: return 10;
    }
}

static void put(Buf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 128;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        b->s = arena_realloc(b->arena, b->s, b->cap, ncap);
        b->cap = ncap;
    }
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

/* A name as the source writes it: `Email Archive Platform` in backticks */
static void put_name(Buf *b, const char *name)
{
    bool plain = name_is_identifier(name);
    put(b, plain ? "" : "`");
    put(b, name);
    put(b, plain ? "" : "`");
}

static void string_lit(Buf *b, const char *s)
{
    put(b, "\"");
    char one[8];
    for (; *s; s++) {
        switch (*s) {
        case '"': put(b, "\\\""); break;
        case '\\': put(b, "\\\\"); break;
        case '\n': put(b, "\\n"); break;
        case '\t': put(b, "\\t"); break;
        case '\r': put(b, "\\r"); break;
        default:
            one[0] = *s;
            one[1] = '\0';
            put(b, one);
        }
    }
    put(b, "\"");
}

static void sub(Buf *b, const Expr *e, int min_prec)
{
    if (unparse_prec(e) < min_prec) {
        put(b, "(");
        unparse_expr(b, e);
        put(b, ")");
    } else {
        unparse_expr(b, e);
    }
}

static void date_lit(Buf *b, int32_t days)
{
    int y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    char buf[16];
    snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
    put(b, buf);
}

static void binder(Buf *b, const Expr *e)
{
    put_name(b, e->u.quant.var);
    put(b, " in ");
    put(b, e->u.quant.kind_name);   /* a kind: `service` is a keyword, and valid here */
    if (e->u.quant.where) {
        put(b, " where ");
        unparse_expr(b, e->u.quant.where);
    }
}

bool unparse_let_value_parens(const Expr *v)
{
    if (unparse_prec(v) < 3)
        return true;
    if (v->kind == EX_BINARY && v->u.ops.op == OP_IN)
        return true;
    if (v->kind == EX_BINARY && (v->u.ops.op == OP_OR || v->u.ops.op == OP_AND))
        return unparse_let_value_parens(v->u.ops.a) || unparse_let_value_parens(v->u.ops.b);
    if (v->kind == EX_UNARY && v->u.ops.op == OP_NOT)
        return unparse_let_value_parens(v->u.ops.a);
    return false;
}

void unparse_list_number(Buf *b, const Expr *list, uint32_t i)
{
    char buf[48];
    const char *text = list->u.list.texts ? list->u.list.texts[i] : NULL;
    put(b, text ? text : format_double(buf, sizeof buf, list->u.list.nums[i]));
}

void unparse_expr(Buf *b, const Expr *e)
{
    char buf[48];
    switch (e->kind) {
    case EX_NUMBER:
        if (e->u.num.text)
            put(b, e->u.num.text);
        else
            put(b, format_double(buf, sizeof buf, e->u.num.value));
        break;
    case EX_STRING: string_lit(b, e->u.str.s); break;
    case EX_DATE: date_lit(b, e->u.date); break;
    case EX_BOOL: put(b, e->u.boolean ? "true" : "false"); break;
    case EX_NONE: put(b, "none"); break;
    case EX_NAME: put_name(b, e->u.name.id); break;
    case EX_ATTR:
        sub(b, e->u.attr.obj, 10);
        put(b, ".");
        put_name(b, e->u.attr.attr);
        break;
    case EX_CALL:
        put_name(b, e->u.call.fn);
        put(b, "(");
        for (uint32_t i = 0; i < e->u.call.nargs; i++) {
            if (i)
                put(b, ", ");
            unparse_expr(b, e->u.call.args[i]);
        }
        put(b, ")");
        break;
    case EX_LIST:
        put(b, "[");
        for (uint32_t i = 0; i < e->u.list.npacked; i++) {
            if (i)
                put(b, ", ");
            unparse_list_number(b, e, i);
        }
        for (uint32_t i = 0; i < e->u.list.n; i++) {
            if (i)
                put(b, ", ");
            unparse_expr(b, e->u.list.items[i]);
        }
        put(b, "]");
        break;
    case EX_UNARY:
        put(b, e->u.ops.op == OP_NOT ? "not " : "-");
        sub(b, e->u.ops.a, unparse_prec(e));
        break;
    case EX_BINARY: {
        int p = unparse_prec(e);
        /* left-associative: the right operand needs one level more */
        bool cmp = p == 6;
        sub(b, e->u.ops.a, cmp ? p + 1 : p);
        put(b, " ");
        put(b, op_text(e->u.ops.op));
        put(b, " ");
        sub(b, e->u.ops.b, p + 1);
        break;
    }
    case EX_IF:
        put(b, "if ");
        unparse_expr(b, e->u.ops.a);
        put(b, " then ");
        unparse_expr(b, e->u.ops.b);
        put(b, " else ");
        sub(b, e->u.ops.c, 2);
        break;
    case EX_RANGE:
        sub(b, e->u.ops.a, 2);
        put(b, " .. ");
        sub(b, e->u.ops.b, 2);
        break;
    case EX_QUANT:
        put(b, e->u.quant.is_all ? "all " : "any ");
        binder(b, e);
        put(b, " : ");
        sub(b, e->u.quant.body, 2);
        break;
    case EX_COMPREH:
        unparse_expr(b, e->u.quant.body);
        put(b, " for ");
        binder(b, e);
        break;
    case EX_LET:
        put(b, "let ");
        for (;;) {
            put_name(b, e->u.let.var);
            put(b, " = ");
            bool parens = unparse_let_value_parens(e->u.let.value);
            put(b, parens ? "(" : "");
            unparse_expr(b, e->u.let.value);
            put(b, parens ? ")" : "");
            if (!e->u.let.chained)
                break;
            put(b, ", ");
            e = e->u.let.body;
        }
        put(b, " in ");
        sub(b, e->u.let.body, 2);
        break;
    case EX_ERROR:
        put(b, "<error>");
        break;
    }
}

const char *expr_text(Compilation *c, const Expr *e)
{
    Buf b = {&c->arena, NULL, 0, 0};
    put(&b, "");
    unparse_expr(&b, e);
    return b.s;
}
