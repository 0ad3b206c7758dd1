/*
 * showback_load.h — the rows of `load usage from "x.csv" { ... }` and
 * `load pool from "ledger.csv" { ... }` (showback_load.c), for show-back.
 *
 * Takes a CSV file csv_load.c has read (confined to the project root, once
 * per file) and the load's mapping of show-back's fields to the file's
 * columns; gives the rows as names and numbers with the place of each cell,
 * kept in Program.showback_rows.  Names are resolved, and quantities and
 * amounts checked, by showback.c with the declared usage and pools.
 */
#ifndef STRAT_SHOWBACK_LOAD_H
#define STRAT_SHOWBACK_LOAD_H

#include <stddef.h>

#include "program.h"

/* One usage row: quantity units of service used by customer. */
typedef struct UsageRow {
    Name service, customer;
    Loc service_loc, customer_loc, quantity_loc;
    double quantity;
} UsageRow;

/* One ledger row: an amount of a pool's cost. */
typedef struct LedgerRow {
    Name pool;
    Loc pool_loc, amount_loc;
    double amount;
} LedgerRow;

typedef struct ShowbackRows {
    UsageRow *usage;
    uint32_t nusage, usage_cap;
    LedgerRow *ledger;
    uint32_t nledger, ledger_cap;
} ShowbackRows;

/* Is `kind` (as in `load KIND from`) one show-back reads: usage or pool? */
bool showback_load_kind(Name kind);

/* Reads the rows of load `d` from the CSV text of source `file`. */
void showback_load_csv(Compilation *c, Decl *d, uint32_t file, const char *text, size_t len);

#endif
