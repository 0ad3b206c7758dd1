/*
 * ast.c — what every stage needs of the syntax tree: the names of kinds and
 * operators, and the one walk over an expression's nodes (expr_walk) that
 * the stages' searches are written with.  The tree's constructors are the
 * parser's (parse.c).
 */
#include "ast.h"

const char *entity_kind_name(EntityKind k)
{
    static const char *const names[EK_COUNT] = {
        "role", "team", "customer", "objective", "service", "offering",
        "value_stream"};
    return k < EK_COUNT ? names[k] : "?";
}

const char *op_text(Op op)
{
    switch (op) {
    case OP_NONE: return "";
    case OP_NEG: return "-";
    case OP_NOT: return "not";
    case OP_ADD: return "+";
    case OP_SUB: return "-";
    case OP_MUL: return "*";
    case OP_DIV: return "/";
    case OP_EQ: return "==";
    case OP_NE: return "!=";
    case OP_LT: return "<";
    case OP_LE: return "<=";
    case OP_GT: return ">";
    case OP_GE: return ">=";
    case OP_AND: return "and";
    case OP_OR: return "or";
    case OP_IN: return "in";
    }
    return "?";
}

WalkStep expr_walk(Expr *e, const ExprVisitor *v)
{
    if (!e)
        return WALK_CHILDREN;
    WalkStep step = v->enter(e, v->ctx);
    if (step == WALK_STOP)
        return WALK_STOP;
    if (step == WALK_CHILDREN) {
        Expr *const *kids = NULL;
        Expr *three[3] = {NULL, NULL, NULL};
        uint32_t n = 0;
        switch (e->kind) {
        case EX_ATTR: three[0] = e->u.attr.obj; n = 1; break;
        case EX_CALL: kids = e->u.call.args; n = e->u.call.nargs; break;
        case EX_LIST: kids = e->u.list.items; n = e->u.list.n; break;
        case EX_UNARY: case EX_BINARY: case EX_IF: case EX_RANGE:
            three[0] = e->u.ops.a;
            three[1] = e->u.ops.b;
            three[2] = e->u.ops.c;
            n = 3;
            break;
        case EX_QUANT: case EX_COMPREH:
            three[0] = e->u.quant.where;
            three[1] = e->u.quant.body;
            n = 2;
            break;
        default:
            break;
        }
        for (uint32_t i = 0; i < n; i++)
            if (expr_walk(kids ? kids[i] : three[i], v) == WALK_STOP)
                return WALK_STOP;
    }
    if (v->leave)
        v->leave(e, v->ctx);
    return WALK_CHILDREN;
}
