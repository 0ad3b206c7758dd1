/*
 * numeric.h — the arithmetic built-ins whose definition is more than one
 * libm call: round(x, n) to n decimals.  floor, ceil, trunc and mod are
 * libm's floor, ceil, trunc and fmod, and need nothing here.
 *
 * The interpreter calls num_round; the JIT compiles the same steps, in the
 * same order, into its kernel (jit.c, gen_round_fn), so both give the same
 * bits.  tests/unit/test_round.c holds num_round to printf.
 */
#ifndef STRAT_NUMERIC_H
#define STRAT_NUMERIC_H

/* The most decimals round takes: 10^22 is the largest power of ten a
 * double holds exactly, which the exact method below needs. */
enum { NUM_ROUND_MAX_DIGITS = 22 };

/* x rounded to n decimals: the double strtod reads back from what
 * printf("%.*f", n, x) prints, on every double x — so ties go to the even
 * last digit on the exact binary value of x (round(0.125, 2) = 0.12, and
 * round(2.675, 2) = 2.67 because the double 2.675 is below 2.675).  The
 * sign of x is kept (round(-0.001, 2) = -0).  NaN, inf and -inf come back
 * as they are.  n must be a whole number from 0 to NUM_ROUND_MAX_DIGITS;
 * any other n (negative, fractional, larger, NaN) gives NaN. */
double num_round(double x, double n);

#include <stddef.h>

/* An amount of money as people read it: thousands separated by commas,
 * two decimals (of the exact binary value, as printf rounds), then the
 * currency after a space when there is one: 583,506.46 USD.  -0 prints
 * as 0.00; inf, NaN and amounts of 10^15 or more (where a cent is below a
 * double's resolution) print in shortest form.  For text, markdown and
 * HTML; CSV and JSON print amounts exactly (format_double).  Returns buf;
 * 64 bytes hold any result with a currency code of up to 8 bytes. */
char *num_money(char *buf, size_t size, double v, const char *currency);

#endif
