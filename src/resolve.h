/*
 * resolve.h — the resolver (resolve.c): declarations into a Program of
 * tables, in three passes the pipeline (api.c) runs around the CSV loads
 * (csv_load.h): names, then values, then defaults.
 */
#ifndef STRAT_RESOLVE_H
#define STRAT_RESOLVE_H

#include "program.h"

/* Pass 1: a new Program (program_new) with the name of every entity,
 * const, score, rule and governance block registered, so references may
 * point forward; the schemas; the strategy block. */
void resolve_names(Compilation *c);
/* Pass 2, once every row exists (CSV rows too): the attribute values of
 * the declared entities with their references resolved to rows, waivers,
 * approvals, the appetite. */
void resolve_values(Compilation *c);
/* Pass 3, once CSV cells' references are resolved too: the built-in
 * lifecycle defaults, schema defaults, required attributes. */
void resolve_defaults(Compilation *c);

/* Folds a constant numeric expression (literals, consts, budget,
 * arithmetic); false when it is not one (reported if `report`). */
bool const_number(Compilation *c, Expr *e, double *out, bool report);

#endif
