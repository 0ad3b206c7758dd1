/*
 * sql.h — `strat sql` (sql.c): the strategy's scores, decide table and
 * rank as one SQL query over the inventory table, for PostgreSQL, DuckDB
 * and Spark SQL.
 */
#ifndef STRAT_SQL_H
#define STRAT_SQL_H

#include <stdio.h>

#include "eval.h"

typedef enum SqlDialect { SQL_POSTGRES, SQL_DUCKDB, SQL_SPARK } SqlDialect;

typedef struct SqlOptions {
    SqlDialect dialect;
    const char *table;       /* the inventory table; NULL: the load's file name */
    const char *view;        /* CREATE OR REPLACE VIEW name AS ...; NULL: a query */
    const char *row_order;   /* the table's column numbering its rows in CSV
                                order; NULL: the engine's physical order */
} SqlOptions;

/* A table or view name the query may hold as written: letters, digits,
 * `_` and `.` (schema.table). */
bool sql_name_ok(const char *name);

/* Writes the query for the decided portfolio onto out.  STRAT_FINDINGS,
 * writing nothing, when nothing was decided or something cannot be
 * translated (each a located S13xx diagnostic). */
strat_status sql_emit(Compilation *c, FILE *out, const SqlOptions *opts);

#endif
