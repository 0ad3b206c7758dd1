/* unparse.h — expressions back to source text (unparse.c). */
#ifndef STRAT_UNPARSE_H
#define STRAT_UNPARSE_H

#include "ast.h"

typedef struct Buf {
    Arena *arena;
    char *s;
    size_t len, cap;
} Buf;

void unparse_expr(Buf *b, const Expr *e);
/* How tightly e binds, as in the grammar's layers: 1 (a range) to 10 (an
 * atom); a child that binds less than its place needs is parenthesised. */
int unparse_prec(const Expr *e);
/* Element i of a packed list of numbers (Expr.u.list.npacked), as written. */
void unparse_list_number(Buf *b, const Expr *list, uint32_t i);
const char *expr_text(Compilation *c, const Expr *e);

#endif
