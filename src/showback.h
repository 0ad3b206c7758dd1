/*
 * showback.h — show-back and charge-back (DESIGN §5.7): shared cost pools
 * allocated to services, then each service's full cost to the customers
 * that use it (showback.c).
 *
 * Takes the checked program: the `pool NAME { }` declarations, each
 * service's direct `cost`, its `usage { customer = quantity }` and
 * `charge { method = ... }` blocks.  Gives a Showback: every amount in
 * whole cents (int64), split so that nothing is lost to rounding (the
 * largest-remainder method), and reconciled — allocated + unallocated =
 * the pools' and the services' costs, to the cent, or an S1404 error.
 * The checks it makes (S1401–S1411) are located at the block or value
 * they are about.  It also fills Program.showback_values, which
 * allocated_cost(s) and charge(s, customer) read in scores.
 *
 * The writers (table, CSV, JSON, Markdown, an HTML section) print a
 * Showback; money goes through num_money (text) or exact cents (CSV, JSON).
 */
#ifndef STRAT_SHOWBACK_H
#define STRAT_SHOWBACK_H

#include <stdint.h>
#include <stdio.h>

#include "program.h"

typedef enum ChargeMethod {
    CHARGE_PROPORTIONAL,   /* full recovery, by quantity */
    CHARGE_CAPACITY,       /* cost per unit of capacity; the unused rest unallocated */
    CHARGE_TIERED          /* rates per band of quantity; the difference unallocated */
} ChargeMethod;

/* One customer's use of one service. */
typedef struct ShowbackCell {
    uint32_t service, customer;   /* rows */
    double quantity;
    int64_t direct, shared;       /* cents charged, from the service's own cost
                                     and from the pools */
} ShowbackCell;

typedef struct ShowbackService {
    bool in_scope;                /* live, used, or a pool's target */
    ChargeMethod method;
    double capacity;              /* CHARGE_CAPACITY: units */
    double quantity;              /* all customers' */
    int64_t direct, shared;       /* cents: its cost, its share of the pools */
    int64_t charged;              /* cents charged to customers */
    int64_t unallocated;          /* direct + shared - charged (may be < 0:
                                     tiered rates over-recover) */
    const char *why;              /* what the unallocated amount is, or NULL */
} ShowbackService;

typedef struct ShowbackPool {
    Name name;
    Decl *decl;                   /* NULL: a pool only the ledger names */
    Loc loc;                      /* its name, declared or in the ledger */
    bool from_ledger;             /* ledger rows give (part of) its cost */
    int64_t cost;                 /* cents */
    int64_t allocated;            /* cents given to services */
    int64_t unallocated;          /* no target: the whole cost */
} ShowbackPool;

typedef struct Showback {
    const char *currency;         /* the strategy's, or NULL */
    uint32_t nservices;
    ShowbackService *services;    /* per service row */
    ShowbackCell *cells;          /* sorted by customer row, then service row */
    uint32_t ncells;
    ShowbackPool *pools;
    uint32_t npools;
    int64_t pools_total, direct_total, charged_total, unallocated_total;
    bool reconciled;
} Showback;

/* Checks the show-back declarations and computes the allocation; sets
 * Program.showback and Program.showback_values.  Does nothing when the
 * program declares no pool and no usage (show-back is not in use), and
 * computes nothing after an error that blocks running.  Run once, after
 * the checks and before decide. */
void showback_run(Compilation *c);

typedef enum ShowbackFormat {
    SHOWBACK_TABLE, SHOWBACK_CSV, SHOWBACK_JSON, SHOWBACK_MARKDOWN
} ShowbackFormat;

/* Writes the customer x service report of Program.showback (an empty
 * report when show-back is not in use). */
void showback_emit(Compilation *c, FILE *out, ShowbackFormat fmt);

/* The report as an HTML fragment for the decide report (emit_html.c): one
 * <section id="showback"> with the customer x service table, the
 * customers' totals, the unallocated lines and the reconciliation; nothing
 * when show-back is not in use.  Text is escaped. */
void showback_emit_html(Compilation *c, FILE *out);

/* The largest-remainder split of `total` cents by weights w[0..n) (each
 * >= 0, their sum > 0): out[i] is w[i]/sum of total, rounded so that the
 * parts add up to total exactly; ties go to the lower index.  Exposed for
 * the unit tests. */
void showback_split(Compilation *c, int64_t total, const double *w, uint32_t n,
                    int64_t *out);

#endif
