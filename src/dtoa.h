/*
 * dtoa.h — shortest round-trip decimal form of a double, and the text
 * format_double prints for it, without printf or strtod.
 */
#ifndef STRAT_DTOA_H
#define STRAT_DTOA_H

#include <stdint.h>

/* A positive decimal digits * 10^exponent; digits has no trailing zeros. */
typedef struct {
    uint64_t digits;
    int exponent;
} dtoa_decimal;

/* The decimal with the fewest significant digits that strtod reads back as
 * |v| (v finite and nonzero; the sign is ignored).  Of several such
 * decimals, the one nearest |v|; of two equally near, the one whose last
 * digit is even. */
dtoa_decimal dtoa_shortest(double v);

/* Room dtoa_format needs, NUL included ("-1.2345678901234567e-308" is 24). */
enum { DTOA_BUFSIZE = 32 };

/* Writes v as format_double prints it and returns the length (the NUL not
 * counted): "nan", "inf", "-inf", "0" for either zero; otherwise the
 * shortest digits laid out as C's "%.*g" would lay out those digits with a
 * precision of max(15, digit count): exponent form ("1e+20", "5e-324",
 * at least two exponent digits) when the decimal exponent is below -4 or
 * at least that precision, plain form ("0.0001", "420000") otherwise. */
int dtoa_format(char buf[DTOA_BUFSIZE], double v);

/* Writes n in decimal, NUL ended, and returns the length: the digits two
 * at a time from a table, as dtoa_format writes them (a row's rank). */
int dtoa_uint(char buf[DTOA_BUFSIZE], uint64_t n);

#endif
