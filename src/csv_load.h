/*
 * csv_load.h — rows from `load KIND from "file.csv"` blocks (csv_load.c).
 */
#ifndef STRAT_CSV_LOAD_H
#define STRAT_CSV_LOAD_H

#include "program.h"

/* Adds the rows of every load block, once the declared entities' names
 * are known (resolve_names) and before values are resolved, so that a
 * declaration may refer to a loaded row.  References in cells wait for
 * csv_resolve_refs, once every name is known (resolve_values). */
void csv_load_rows(Compilation *c);
void csv_resolve_refs(Compilation *c);

#endif
