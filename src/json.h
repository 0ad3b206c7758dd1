/* json.h — the few JSON writing helpers every emitter shares. */
#ifndef STRAT_JSON_H
#define STRAT_JSON_H

#include <stdio.h>

/* Writes s as a JSON string literal, quotes included. */
void json_string(FILE *out, const char *s);
/* Writes a finite double in the shortest form that reads back exactly
 * (locale-independent); non-finite values become null. */
void json_number(FILE *out, double v);
/* Formats v into buf like json_number (no "null": NaN gives "nan"). */
const char *format_double(char *buf, size_t size, double v);

#endif
