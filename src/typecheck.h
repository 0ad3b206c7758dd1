/*
 * typecheck.h — the expression checker (typecheck.c).
 */
#ifndef STRAT_TYPECHECK_H
#define STRAT_TYPECHECK_H

#include "program.h"

/* Resolves and types every expression (scores, rules, decide, approvals,
 * scenarios, limits, tests), annotating each node for the interpreter and
 * the JIT; checks score recursion, constant division by zero, the decide
 * table, and what quantifiers would cost over this portfolio. */
void check_expressions(Compilation *c);

/* Checks e, an expression of the service `s` (bound as in a decide arm;
 * every decide table's decision readable), and gives its type. */
const Type *check_service_expr(Compilation *c, Expr *e);

#endif
