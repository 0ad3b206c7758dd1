/*
 * dates.h — calendar arithmetic (dates.c): dates are days since 1970-01-01
 * in the proleptic Gregorian calendar.
 */
#ifndef STRAT_DATES_H
#define STRAT_DATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int32_t days_from_civil(int y, unsigned m, unsigned d);
void civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d);
bool date_valid(int y, unsigned m, unsigned d);
/* An existing calendar date written YYYY-MM-DD, as days; false if not one. */
bool date_parse_iso(const char *text, int32_t *days);

/* A date written another way than YYYY-MM-DD, for the fix-its of S0109,
 * S0501 and S1103: `2029-9-30`, `2029/09/30`, `30/09/2029`, `30.09.2029`
 * (the separators of one text all alike).  DATE_UNIQUE: one reading,
 * iso[0] holds it (YYYY-MM-DD); DATE_AMBIGUOUS: day and month may be
 * swapped (`03/09/2029`), iso[0] the day-first and iso[1] the month-first
 * reading; DATE_NO_SUCH_DAY: the shape of a date, but no reading exists;
 * DATE_NOT_ONE: not a date's shape. */
typedef enum DateGuess {
    DATE_NOT_ONE, DATE_UNIQUE, DATE_AMBIGUOUS, DATE_NO_SUCH_DAY
} DateGuess;
DateGuess date_guess(const char *text, size_t len, char iso[2][11]);

#endif
