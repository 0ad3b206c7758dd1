/*
 * dates.h — calendar arithmetic (dates.c): dates are days since 1970-01-01
 * in the proleptic Gregorian calendar.
 */
#ifndef STRAT_DATES_H
#define STRAT_DATES_H

#include <stdbool.h>
#include <stdint.h>

int32_t days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d);
bool date_valid(int y, unsigned m, unsigned d);
/* An existing calendar date written YYYY-MM-DD, as days; false if not one. */
bool date_parse_iso(const char *text, int32_t *days);

#endif
