/*
 * numeric.c — round(x, n) decided on the exact value of x (numeric.h).
 *
 * Takes a double and a number of decimals; gives what printf("%.*f") and
 * strtod give, without either.  The method, for a = |x| and P = 10^n
 * (exact for n <= 22):
 *
 *   p = a * P rounded, and err = fma(a, P, -p) its exact error, so the
 *   exact a * 10^n is p + err.  Round p + err to an integer r, ties to
 *   even, deciding on the exact sum; then r / P, a correctly rounded
 *   division of two exact doubles, is the double nearest r / 10^n — what
 *   strtod reads from the digits printf prints.
 *
 *   - p < 0.25: the exact product is below 0.5, r = 0 (err is not needed,
 *     and for tiny a it could underflow).
 *   - p > 2^53: the exact a * 10^n exceeds 2^53, and then the printed
 *     digits are within 0.5 * 10^-n of x, less than half an ulp of x:
 *     strtod gives x back.  So does p == 2^53 with err > 0.
 *   - 2^52 <= p <= 2^53: p is a whole number, |err| <= 0.5, and a tie
 *     (err = +-0.5) already rounded p to even: r = p.
 *   - otherwise p < 2^52, so |err| <= 0.25 and f = floor(p), d = p - f
 *     (exact) split p.  d < 0.25: r = f.  Else d - 0.5 is exact
 *     (Sterbenz), and the sign of (d - 0.5) + err, which rounding keeps,
 *     says below, above or tie; a tie takes the even of f and f + 1.
 *
 * Every step is a correctly rounded IEEE operation or an exact libm one
 * (floor, fma, fabs, copysign), so the JIT, repeating the steps, gives the
 * same bits.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "numeric.h"

double num_round(double x, double n)
{
    if (!(n >= 0 && n <= NUM_ROUND_MAX_DIGITS) || n != floor(n))
        return NAN;
    if (isnan(x))
        return x;
    double scale = 1;
    for (double i = 0; i < n; i = i + 1)   /* each product exact up to 1e22 */
        scale = scale * 10;
    double a = fabs(x);
    double p = a * scale;
    double r;
    if (p < 0.25) {
        r = 0;
    } else if (p >= 0x1p52) {
        if (p > 0x1p53 || (p == 0x1p53 && fma(a, scale, -p) > 0))
            return x;   /* inf too */
        r = p;
    } else {
        double err = fma(a, scale, -p);
        double f = floor(p);
        double d = p - f;
        if (d < 0.25) {
            r = f;
        } else {
            double s = (d - 0.5) + err;
            if (s > 0)
                r = f + 1;
            else if (s < 0)
                r = f;
            else   /* a tie: the even one */
                r = floor(f * 0.5) == f * 0.5 ? f : f + 1;
        }
    }
    return copysign(r / scale, x);
}

/* ---- money for people (text, markdown, HTML; CSV and JSON stay exact) ---- */

char *num_money(char *buf, size_t size, double v, const char *currency)
{
    if (!buf || size == 0)
        return buf;
    const char *cur = currency && *currency ? currency : NULL;
    char digits[64];
    /* two decimals of the exact binary value (printf rounds correctly);
     * past 10^15 a cent is below a double's resolution: shortest form */
    if (!isfinite(v) || fabs(v) >= 1e15) {
        format_double(digits, sizeof digits, v);
        snprintf(buf, size, "%s%s%s", digits, cur ? " " : "", cur ? cur : "");
        return buf;
    }
    snprintf(digits, sizeof digits, "%.2f", v);
    if (strcmp(digits, "-0.00") == 0)
        memcpy(digits, "0.00", 5);   /* no "-0.00" */
    const char *p = digits;
    char out[96];
    size_t n = 0;
    if (*p == '-')
        out[n++] = *p++;
    size_t whole = strcspn(p, ".");
    for (size_t i = 0; i < whole; i++) {
        if (i > 0 && (whole - i) % 3 == 0)
            out[n++] = ',';
        out[n++] = p[i];
    }
    snprintf(out + n, sizeof out - n, "%s", p + whole);
    snprintf(buf, size, "%s%s%s", out, cur ? " " : "", cur ? cur : "");
    return buf;
}
