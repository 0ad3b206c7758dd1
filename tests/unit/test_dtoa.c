/*
 * test_dtoa.c — unit tests for src/dtoa.c and format_double (cmocka).
 *
 * Takes: STRAT_DTOA_N, doubles per random family (default 40000; each is
 *        tested with both signs; 10 families), STRAT_DTOA_SEED (default
 *        fixed), STRAT_DTOA_VERBOSE=1 to print values where the old
 *        formatter was longer than the shortest, STRAT_DTOA_BENCH=1 for the
 *        old-vs-new timing (not a pass/fail check; off by default).
 * Gives: exit status 0 iff, for every double tried:
 *   - format_double's text reads back (strtod) to the same bits;
 *   - its digit count is the smallest N in 1..17 whose "%.{N-1}e" reads
 *     back, except at a power of two, where the interval below the value
 *     is half the one above and a shorter string than printf's rounding
 *     can read back (then no string one digit shorter reads back);
 *   - its digits are printf's correctly rounded ones (nearest; glibc breaks
 *     exact ties to even) whenever those read back;
 *   - the text equals the old snprintf-and-strtod format_double (kept
 *     below as the reference) whenever the old one was shortest; the old
 *     one was longer only for subnormals and powers of two, and that rule
 *     is asserted.
 * Also: exact texts for the layout cases, snprintf-style truncation, the
 * portable 64x64 multiplication against unsigned __int128, and the tables
 * against exact powers of five.
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

/* The same source once more, with the portable multiplication and renamed,
 * to compare with the __int128 build in libstrat.a. */
#define DTOA_PORTABLE_MUL 1
#define dtoa_shortest dtoa_shortest_portable
#define dtoa_format dtoa_format_portable
#define dtoa_uint dtoa_uint_portable
#include "dtoa.c"
#undef dtoa_shortest
#undef dtoa_format
#undef dtoa_uint
dtoa_decimal dtoa_shortest(double v);
int dtoa_format(char buf[DTOA_BUFSIZE], double v);
int dtoa_uint(char buf[DTOA_BUFSIZE], uint64_t n);

#include "json.h"

/* ------------------------------------------------------------------------ */
/* The reference: format_double as it was before dtoa.c                    */
/* ------------------------------------------------------------------------ */

static const char *old_format_double(char *buf, size_t size, double v)
{
    if (isnan(v)) {
        snprintf(buf, size, "nan");
        return buf;
    }
    if (isinf(v)) {
        snprintf(buf, size, v > 0 ? "inf" : "-inf");
        return buf;
    }
    if (v == 0) {
        snprintf(buf, size, "0");
        return buf;
    }
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        for (char *p = buf; *p; p++)
            if (*p == ',')
                *p = '.';
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static uint64_t next_random(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x >> 12, x ^= x << 25, x ^= x >> 27;
    *s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

static uint64_t bits_of(double v)
{
    uint64_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

static double from_bits(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

static bool reads_back(const char *text, double v)
{
    return bits_of(strtod(text, NULL)) == bits_of(v);
}

/* The significant digits of a decimal text ("-0.000123e+5" style): digits
 * without leading or trailing zeros and the power of ten of the last. */
static void parse_decimal(const char *s, uint64_t *digits, int *exponent)
{
    uint64_t d = 0;
    int exp = 0, ndigits = 0;
    bool after_point = false;
    const char *p = s;
    if (*p == '-')
        p++;
    for (; *p && *p != 'e'; p++) {
        if (*p == '.') {
            after_point = true;
            continue;
        }
        if (d == 0 && *p == '0') {
            exp -= after_point;
            continue;
        }
        if (ndigits < 19) {
            d = d * 10 + (uint64_t)(*p - '0');
            ndigits++;
            exp -= after_point;
        } else {
            exp += !after_point; /* more digits than we keep: never here */
        }
    }
    if (*p == 'e')
        exp += atoi(p + 1);
    while (d != 0 && d % 10 == 0) {
        d /= 10;
        exp++;
    }
    *digits = d;
    *exponent = exp;
}

static int count_digits(uint64_t d)
{
    int k = 1;
    while (d >= 10) {
        d /= 10;
        k++;
    }
    return k;
}

/* printf's correctly rounded n digits of |v| as digits (n of them, not
 * stripped) and the power of ten of the last. */
static void printf_digits(double v, int n, uint64_t *digits, int *exponent)
{
    char text[64];
    snprintf(text, sizeof text, "%.*e", n - 1, fabs(v));
    uint64_t d = 0;
    const char *p = text;
    for (; *p != 'e'; p++)
        if (*p != '.')
            d = d * 10 + (uint64_t)(*p - '0');
    *digits = d;
    *exponent = atoi(p + 1) - (n - 1);
}

static bool decimal_reads_back(uint64_t digits, int exponent, double v)
{
    char text[64];
    snprintf(text, sizeof text, "%s%llue%d", v < 0 ? "-" : "", (unsigned long long)digits,
             exponent);
    return reads_back(text, v);
}

static bool printf_reads_back(double v, int n)
{
    char text[64];
    snprintf(text, sizeof text, "%.*e", n - 1, v);
    return reads_back(text, v);
}

/* The smallest N in 1..17 whose "%.{N-1}e" reads back. */
static int shortest_by_printf(double v)
{
    for (int n = 1; n <= 17; n++)
        if (printf_reads_back(v, n))
            return n;
    return 18;
}

/* No n-digit decimal reads back: printf's rounding and both neighbours on
 * the n-digit grid fail (any other is farther from v than one of them). */
static bool no_decimal_of_length(double v, int n)
{
    if (n < 1)
        return true;
    uint64_t d;
    int e;
    printf_digits(v, n, &d, &e);
    return !decimal_reads_back(d, e, v) && !decimal_reads_back(d + 1, e, v) &&
           (d == 0 || !decimal_reads_back(d - 1, e, v));
}

static bool is_power_of_two(double v)
{
    uint64_t b = bits_of(v);
    return (b & ((UINT64_C(1) << 52) - 1)) == 0 && (b >> 52 & 0x7ff) > 1;
}

static bool is_subnormal(double v) { return (bits_of(v) >> 52 & 0x7ff) == 0; }

/* The number of significant digits in a %g-style text. */
static int text_digits(const char *s)
{
    uint64_t d;
    int e;
    parse_decimal(s, &d, &e);
    return count_digits(d);
}

typedef struct {
    const char *family;
    unsigned long checked;
    unsigned long old_longer;   /* the old formatter was not shortest */
    unsigned long shorter_than_printf; /* powers of two beating printf */
    unsigned long ties;         /* exactly halfway at the shortest length */
    bool verbose;
} Tally;

/* Every property in the header comment, for v (finite, nonzero). */
static void check_value(Tally *t, double v)
{
    char text[64], direct[DTOA_BUFSIZE], portable[DTOA_BUFSIZE], old[64];
    format_double(text, sizeof text, v);
    dtoa_format(direct, v);
    dtoa_format_portable(portable, v);
    if (strcmp(text, direct) != 0 || strcmp(text, portable) != 0)
        fail_msg("%a: format_double %s, dtoa_format %s, portable %s", v, text, direct, portable);
    if (!reads_back(text, v))
        fail_msg("%a (%.17g): \"%s\" reads back as %.17g", v, v, text, strtod(text, NULL));

    dtoa_decimal d = dtoa_shortest(v);
    uint64_t td;
    int te;
    parse_decimal(text, &td, &te);
    if (td != d.digits || te != d.exponent)
        fail_msg("%a: text %s is not dtoa_shortest's %llue%d", v, text,
                 (unsigned long long)d.digits, d.exponent);
    int k = count_digits(d.digits);

    /* shortest */
    bool symmetric = !is_power_of_two(v);
    int n;
    if (symmetric && printf_reads_back(v, k) && (k == 1 || !printf_reads_back(v, k - 1)))
        n = k; /* with equal halves, reading back is monotone in N */
    else
        n = shortest_by_printf(v);
    if (k > n || (symmetric && k != n))
        fail_msg("%a (%.17g): %s has %d digits, printf needs %d", v, v, text, k, n);
    if (!symmetric && !no_decimal_of_length(v, k - 1))
        fail_msg("%a (%.17g): %s is not shortest: a %d-digit decimal reads back", v, v, text,
                 k - 1);
    t->shorter_than_printf += k < n;

    /* nearest: printf's correct rounding when that reads back */
    uint64_t pd;
    int pe;
    printf_digits(v, k, &pd, &pe);
    if (decimal_reads_back(pd, pe, v)) {
        char exact[64];
        snprintf(exact, sizeof exact, "%llue%d", (unsigned long long)pd, pe);
        uint64_t nd;
        int ne;
        parse_decimal(exact, &nd, &ne);
        if (nd != d.digits || ne != d.exponent)
            fail_msg("%a (%.40g): %s is not the nearest %d digits %s", v, v, text, k, exact);
        /* an exact tie: v's exact expansion is the k digits and a 5.
         * That needs |v| in [4.5e-9, 2^53] (with 10^e the last digit's
         * place: no tie for e > 0; for e < 0, 5^-e divides the 2D + 1 of
         * v = (2D + 1) 10^e / 2, so -e <= 24, and the gap must reach 10^e);
         * there 120 places show every digit of v. */
        double a = fabs(v);
        if (a >= 0x1p-30 && a <= 0x1p53) {
            char full[160];
            snprintf(full, sizeof full, "%.120e", a);
            const char *rest = full + k + 1; /* "d.ddd": digit k+1 */
            if (*rest == '5') {
                const char *z = rest + 1;
                while (*z == '0')
                    z++;
                t->ties += *z == 'e';
            }
        }
    } else {
        /* only at a power of two: the neighbour on the wider side */
        if (symmetric)
            fail_msg("%a: printf's %d digits do not read back", v, k);
        char up[64], down[64];
        snprintf(up, sizeof up, "%llue%d", (unsigned long long)(pd + 1), pe);
        snprintf(down, sizeof down, "%llue%d", (unsigned long long)(pd - 1), pe);
        uint64_t ud, dd;
        int ue, de;
        parse_decimal(up, &ud, &ue);
        parse_decimal(down, &dd, &de);
        if (!((ud == d.digits && ue == d.exponent) || (dd == d.digits && de == d.exponent)))
            fail_msg("%a: %s is not next to printf's %llue%d", v, text, (unsigned long long)pd,
                     pe);
    }

    /* same text as the old formatter wherever that was shortest */
    old_format_double(old, sizeof old, v);
    int old_k = text_digits(old);
    if (old_k == k) {
        if (strcmp(old, text) != 0)
            fail_msg("%a: old \"%s\", new \"%s\"", v, old, text);
    } else if (old_k < k || !(is_subnormal(v) || is_power_of_two(v))) {
        fail_msg("%a: old \"%s\" (%d digits), new \"%s\" (%d)", v, old, old_k, text, k);
    } else {
        t->old_longer++;
        if (t->verbose)
            fprintf(stderr, "  old longer: %-26s new: %s\n", old, text);
    }
    t->checked++;
}

static void check_both_signs(Tally *t, double v)
{
    if (!isfinite(v) || v == 0)
        return;
    check_value(t, v);
    check_value(t, -v);
}

static void report(const Tally *t)
{
    fprintf(stderr,
            "dtoa %-14s %9lu checked, %lu old longer, %lu shorter than printf, %lu ties\n",
            t->family, t->checked, t->old_longer, t->shorter_than_printf, t->ties);
}

static unsigned long per_family(void)
{
    const char *s = getenv("STRAT_DTOA_N");
    return s ? strtoul(s, NULL, 10) : 40000;
}

static uint64_t seed(void)
{
    const char *s = getenv("STRAT_DTOA_SEED");
    return s ? strtoull(s, NULL, 0) | 1 : 0x9e3779b97f4a7c15ULL;
}

static Tally tally(const char *family)
{
    Tally t = {0};
    t.family = family;
    t.verbose = getenv("STRAT_DTOA_VERBOSE") != NULL;
    return t;
}

static double parse_decimal_text(uint64_t digits, int exponent)
{
    char s[64];
    snprintf(s, sizeof s, "%llue%d", (unsigned long long)digits, exponent);
    return strtod(s, NULL);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                    */
/* ------------------------------------------------------------------------ */

static void exact_texts(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *text;
    } cases[] = {
        {0.0, "0"},
        {-0.0, "0"},
        {1, "1"},
        {-1, "-1"},
        {0.1, "0.1"},
        {0.3, "0.3"},
        {0.1 + 0.2, "0.30000000000000004"},
        {0.5, "0.5"},
        {2.0 / 3, "0.6666666666666666"},
        {420000, "420000"},
        {583506.46, "583506.46"},
        {1e20, "1e+20"},
        {1e21, "1e+21"},
        {1e23, "1e+23"},
        {1e100, "1e+100"},
        {1e-100, "1e-100"},
        {1e-5, "1e-05"},
        {1.23e-5, "1.23e-05"},
        {9.9999999999999991e-05, "9.999999999999999e-05"},
        {1e-4, "0.0001"},
        {0.00012345678901234567, "0.00012345678901234567"},
        {123456789012345, "123456789012345"},
        {1e14, "100000000000000"},
        {1e15, "1e+15"},
        {1.5e15, "1.5e+15"},
        {1234567890123456, "1234567890123456"}, /* 16 digits: %.16g, plain */
        {1234567890123456e1, "1.234567890123456e+16"},
        {12345678901234568, "12345678901234568"}, /* 17 digits: %.17g, plain */
        {123456789012345680, "1.2345678901234568e+17"},
        {9007199254740992, "9007199254740992"},   /* 2^53 */
        {9007199254740991, "9007199254740991"},   /* 2^53 - 1 */
        {9007199254740994, "9007199254740994"},   /* 2^53 + 2 */
        {9223372036854775808.0, "9.223372036854776e+18"},
        {DBL_MAX, "1.7976931348623157e+308"},
        {-DBL_MAX, "-1.7976931348623157e+308"},
        {DBL_MIN, "2.2250738585072014e-308"},
        {DBL_TRUE_MIN, "5e-324"}, /* the old formatter: 4.94065645841247e-324 */
        {5e-310, "5e-310"},
        {562949953421312.25, "562949953421312.2"}, /* a tie: the even digit */
        {562949953421312.75, "562949953421312.8"},
        {INFINITY, "inf"},
        {-INFINITY, "-inf"},
        {NAN, "nan"},
        {-NAN, "nan"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        format_double(buf, sizeof buf, cases[i].v);
        if (strcmp(buf, cases[i].text) != 0)
            fail_msg("%a: \"%s\", expected \"%s\"", cases[i].v, buf, cases[i].text);
    }
}

/* Buffers shorter than DTOA_BUFSIZE get what snprintf would have left. */
static void short_buffers_cut_like_snprintf(void **state)
{
    (void)state;
    const double values[] = {-1.7976931348623157e308, 0.1, -INFINITY, 420000};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char full[64];
        format_double(full, sizeof full, values[i]);
        for (size_t size = 0; size <= strlen(full) + 1; size++) {
            char got[64], want[64];
            memset(got, 'x', sizeof got);
            memset(want, 'x', sizeof want);
            format_double(got, size, values[i]);
            snprintf(want, size, "%s", full);
            assert_memory_equal(got, want, sizeof got);
        }
    }
}

/* The generated tables are floor(5^i 2^125 / 2^L) and ceil(2^(L+124) / 5^q),
 * recomputed here with exact multi-word arithmetic. */
typedef struct {
    uint32_t w[40]; /* little-endian 32-bit words; 5^325 needs 755 bits */
    int n;
} Big;

static void big_mul_small(Big *b, uint32_t m)
{
    uint64_t carry = 0;
    for (int i = 0; i < b->n; i++) {
        uint64_t x = (uint64_t)b->w[i] * m + carry;
        b->w[i] = (uint32_t)x;
        carry = x >> 32;
    }
    if (carry)
        b->w[b->n++] = (uint32_t)carry;
}

static int big_bits(const Big *b)
{
    int top = 32 * (b->n - 1);
    for (uint32_t x = b->w[b->n - 1]; x; x >>= 1)
        top++;
    return top;
}

static int big_bit(const Big *b, int i) { return i < 0 || i >= 32 * b->n ? 0 : b->w[i / 32] >> (i % 32) & 1; }

/* bits [from, from + 128) of b as {low, high} */
static void big_window(const Big *b, int from, uint64_t out[2])
{
    out[0] = out[1] = 0;
    for (int i = 0; i < 128; i++)
        if (big_bit(b, from + i))
            out[i / 64] |= UINT64_C(1) << (i % 64);
}

static void tables_are_exact_powers_of_five(void **state)
{
    (void)state;
    Big p = {{1}, 1};
    for (int i = 0; i < DTOA_POW5_COUNT; i++) {
        int L = big_bits(&p);
        assert_int_equal(L, pow5_bits(i));
        uint64_t want[2];
        big_window(&p, L - 125, want); /* floor(5^i 2^125 / 2^L) */
        if (want[0] != dtoa_pow5[i][0] || want[1] != dtoa_pow5[i][1])
            fail_msg("dtoa_pow5[%d]", i);
        big_mul_small(&p, 5);
    }
    /* ceil(2^(L+124) / 5^q) by long division of 2^(L+124), a bit at a time */
    Big f = {{1}, 1};
    for (int q = 0; q < DTOA_POW5_INV_COUNT; q++) {
        int L = big_bits(&f);
        /* r = remainder so far (< 5^q), as a Big; quotient bits collected
         * in 128-bit words (the quotient has at most 126 bits) */
        Big r = {{0}, 1};
        uint64_t quot[2] = {0, 0};
        for (int bit = L + 124; bit >= 0; bit--) {
            /* r = 2r + (bit == L + 124) */
            uint32_t carry = bit == L + 124;
            for (int i = 0; i < r.n; i++) {
                uint32_t top = r.w[i] >> 31;
                r.w[i] = r.w[i] << 1 | carry;
                carry = top;
            }
            if (carry)
                r.w[r.n++] = carry;
            /* if r >= 5^q: r -= 5^q, quotient bit set */
            int cmp = 0;
            int n = r.n > f.n ? r.n : f.n;
            for (int i = n - 1; i >= 0 && cmp == 0; i--) {
                uint32_t a = i < r.n ? r.w[i] : 0, b = i < f.n ? f.w[i] : 0;
                cmp = a > b ? 1 : a < b ? -1 : 0;
            }
            quot[1] = quot[1] << 1 | quot[0] >> 63;
            quot[0] <<= 1;
            if (cmp >= 0) {
                int64_t borrow = 0;
                for (int i = 0; i < r.n; i++) {
                    int64_t x = (int64_t)r.w[i] - (i < f.n ? f.w[i] : 0) - borrow;
                    borrow = x < 0;
                    r.w[i] = (uint32_t)(x + (borrow ? INT64_C(1) << 32 : 0));
                }
                while (r.n > 1 && r.w[r.n - 1] == 0)
                    r.n--;
                quot[0] |= 1;
            }
        }
        bool remainder = r.n > 1 || r.w[0] != 0;
        quot[0] += remainder;
        quot[1] += remainder && quot[0] == 0;
        if (quot[0] != dtoa_pow5_inv[q][0] || quot[1] != dtoa_pow5_inv[q][1])
            fail_msg("dtoa_pow5_inv[%d]", q);
        big_mul_small(&f, 5);
    }
}

static void random_bit_patterns(void **state)
{
    (void)state;
    Tally t = tally("bits");
    uint64_t rng = seed();
    for (unsigned long i = 0; i < per_family(); i++) {
        uint64_t b = next_random(&rng) & ~(UINT64_C(1) << 63);
        if ((b >> 52) == 0x7ff) /* nan or inf: another exponent */
            b ^= (next_random(&rng) % 0x7ff + 1) << 52;
        check_both_signs(&t, from_bits(b));
    }
    report(&t);
}

/* Short decimals: what strtod gives for them must print as themselves
 * when the result is normal (15 digits always survive the round trip). */
static void nice_decimals(void **state)
{
    (void)state;
    Tally t = tally("nice");
    uint64_t rng = seed() ^ 0x1234;
    static const uint64_t pow10[] = {1,         10,         100,         1000,        10000,
                                     100000,    1000000,    10000000,    100000000,   1000000000,
                                     10000000000ULL, 100000000000ULL, 1000000000000ULL,
                                     10000000000000ULL, 100000000000000ULL, 1000000000000000ULL};
    for (unsigned long i = 0; i < per_family(); i++) {
        uint64_t r = next_random(&rng);
        uint64_t digits;
        int exponent;
        switch (r % 3) {
        case 0: /* k/100: money */
            digits = next_random(&rng) % 1000000000, exponent = -2;
            break;
        case 1: /* k * 10^e over the whole range */
            digits = next_random(&rng) % pow10[1 + next_random(&rng) % 15];
            exponent = (int)(next_random(&rng) % 650) - 340;
            break;
        default: /* a few digits near 1 */
            digits = next_random(&rng) % pow10[1 + next_random(&rng) % 6];
            exponent = (int)(next_random(&rng) % 12) - 8;
            break;
        }
        double v = parse_decimal_text(digits, exponent);
        check_both_signs(&t, v);
        if (digits != 0 && fabs(v) >= DBL_MIN && isfinite(v)) {
            dtoa_decimal d = dtoa_shortest(v);
            while (digits % 10 == 0)
                digits /= 10, exponent++;
            if (d.digits != digits || d.exponent != exponent)
                fail_msg("%llue%d prints as %llue%d", (unsigned long long)digits, exponent,
                         (unsigned long long)d.digits, d.exponent);
        }
    }
    report(&t);
}

/* Scores in [0, 1): uniform doubles and 17-digit decimals. */
static void scores(void **state)
{
    (void)state;
    Tally t = tally("scores");
    uint64_t rng = seed() ^ 0x5c0e;
    for (unsigned long i = 0; i < per_family(); i++) {
        check_both_signs(&t, (double)(next_random(&rng) >> 11) * 0x1p-53);
        check_both_signs(&t, parse_decimal_text(next_random(&rng) % 100000000000000000ULL, -17));
    }
    report(&t);
}

/* Dyadic fractions where exact ties at the shortest length happen:
 * n + t/2^s in [2^(52-s), 2^(53-s)), whose spacing is 2^-s. */
static void ties(void **state)
{
    (void)state;
    Tally t = tally("ties");
    uint64_t rng = seed() ^ 0x7135;
    for (unsigned long i = 0; i < per_family(); i++) {
        int s = 1 + (int)(next_random(&rng) % 12);
        uint64_t top = UINT64_C(1) << (52 - s);
        uint64_t n = top + next_random(&rng) % top;
        uint64_t frac = next_random(&rng) % (UINT64_C(1) << s);
        check_both_signs(&t, ldexp((double)(n << s | frac), -s));
    }
    report(&t);
    assert_true(t.ties > 0);
}

/* Around the points where the layout switches (1e-5, 1e-4, 1e15..1e17):
 * neighbours in ulps, and 1..17 nines below each power of ten. */
static void layout_switches(void **state)
{
    (void)state;
    Tally t = tally("layout");
    for (int e = -7; e <= 19; e++) {
        double p = parse_decimal_text(1, e);
        double up = p, down = p;
        for (int step = 0; step < 300; step++) {
            check_both_signs(&t, up);
            check_both_signs(&t, down);
            up = nextafter(up, INFINITY);
            down = nextafter(down, 0);
        }
        uint64_t nines = 0;
        for (int n = 1; n <= 17; n++) {
            nines = nines * 10 + 9;
            check_both_signs(&t, parse_decimal_text(nines, e - n));
            check_both_signs(&t, parse_decimal_text(nines * 10 + 5, e - n - 1));
        }
    }
    report(&t);
}

static void edge_cases(void **state)
{
    (void)state;
    Tally t = tally("edges");
    const double fixed[] = {DBL_MIN, DBL_MAX, DBL_TRUE_MIN, 0x1p53 - 1, 0x1p53, 0x1p53 + 2,
                            0x1p63, 0x1p64, 0x1.fffffffffffffp-1023, 0x1p-1022, 0x1p-1023};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        for (int step = -3; step <= 3; step++) {
            double v = fixed[i];
            for (int s = 0; s < abs(step); s++)
                v = nextafter(v, step < 0 ? 0 : INFINITY);
            check_both_signs(&t, v);
        }
    /* every power of two, and its neighbours */
    for (int e = -1074; e <= 1023; e++) {
        double p = ldexp(1, e);
        check_both_signs(&t, p);
        check_both_signs(&t, nextafter(p, 0));
        check_both_signs(&t, nextafter(p, INFINITY));
        check_both_signs(&t, nextafter(nextafter(p, INFINITY), INFINITY));
    }
    /* every power of ten strtod can give, and its neighbours */
    for (int e = -323; e <= 308; e++) {
        double p = parse_decimal_text(1, e);
        check_both_signs(&t, p);
        check_both_signs(&t, nextafter(p, 0));
        check_both_signs(&t, nextafter(p, INFINITY));
    }
    /* subnormals: the smallest thousand, and random ones */
    for (uint64_t m = 1; m <= 1000; m++)
        check_both_signs(&t, from_bits(m));
    uint64_t rng = seed() ^ 0x50b;
    for (unsigned long i = 0; i < per_family() / 4; i++)
        check_both_signs(&t, from_bits(next_random(&rng) & ((UINT64_C(1) << 52) - 1)));
    /* integers around 2^53 and the largest exact ones */
    for (int64_t d = -50; d <= 50; d++) {
        check_both_signs(&t, (double)((INT64_C(1) << 53) + d));
        check_both_signs(&t, (double)((INT64_C(1) << 54) + 4 * d));
    }
    report(&t);
}

/* Costs: integers and cents. */
static void costs(void **state)
{
    (void)state;
    Tally t = tally("costs");
    uint64_t rng = seed() ^ 0xc057;
    for (unsigned long i = 0; i < per_family(); i++) {
        check_both_signs(&t, (double)(next_random(&rng) % 100000000));
        check_both_signs(&t, (double)(next_random(&rng) % 10000000000ULL) / 100);
        check_both_signs(&t, (double)(next_random(&rng) % 1000) * 1000);
    }
    report(&t);
}

/* ------------------------------------------------------------------------ */
/* Benchmark (STRAT_DTOA_BENCH=1): ns per double, old vs new               */
/* ------------------------------------------------------------------------ */

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* dtoa_uint against printf's %llu: every power of ten and its
 * neighbours (each digit count, both ends), and random values. */
static void unsigned_integers(void **state)
{
    (void)state;
    char got[DTOA_BUFSIZE], want[32];
    uint64_t p = 1;
    for (int i = 0; i <= 19; i++, p *= 10) {
        const uint64_t around[] = {p - 1, p, p + 1, p * 2 - 1, p / 2 + 7};
        for (size_t j = 0; j < sizeof around / sizeof *around; j++) {
            int n = dtoa_uint(got, around[j]);
            snprintf(want, sizeof want, "%llu", (unsigned long long)around[j]);
            assert_string_equal(got, want);
            assert_int_equal(n, (int)strlen(want));
        }
    }
    const uint64_t ends[] = {0, UINT32_MAX, UINT64_MAX};
    for (size_t j = 0; j < 3; j++) {
        dtoa_uint(got, ends[j]);
        snprintf(want, sizeof want, "%llu", (unsigned long long)ends[j]);
        assert_string_equal(got, want);
    }
    uint64_t rng = seed() ^ 0x77;
    for (int i = 0; i < 100000; i++) {
        uint64_t v = next_random(&rng) >> (next_random(&rng) % 64);
        dtoa_uint(got, v);
        snprintf(want, sizeof want, "%llu", (unsigned long long)v);
        assert_string_equal(got, want);
    }
}

static void benchmark(void **state)
{
    (void)state;
    if (!getenv("STRAT_DTOA_BENCH")) {
        skip();
        return;
    }
    enum { N = 10000000 };
    double *values = malloc(N * sizeof *values);
    assert_non_null(values);
    static const char *names[] = {"scores 0..1", "costs 420000", "cents 583506.46", "mixed"};
    uint64_t rng = seed();
    for (int kind = 0; kind < 4; kind++) {
        for (int i = 0; i < N; i++) {
            int k = kind == 3 ? i % 3 : kind;
            uint64_t r = next_random(&rng);
            values[i] = k == 0   ? (double)(r >> 11) * 0x1p-53
                        : k == 1 ? (double)(r % 1000 + 1) * 1000
                                 : (double)(r % 100000000) / 100;
        }
        char buf[40];
        size_t sum_old = 0, sum_new = 0;
        double t0 = now_ns();
        for (int i = 0; i < N; i++)
            sum_old += strlen(old_format_double(buf, sizeof buf, values[i]));
        double t1 = now_ns();
        for (int i = 0; i < N; i++)
            sum_new += strlen(format_double(buf, sizeof buf, values[i]));
        double t2 = now_ns();
        fprintf(stderr, "dtoa bench %-16s old %7.1f ns/double, new %5.1f ns/double (%.1fx)%s\n",
                names[kind], (t1 - t0) / N, (t2 - t1) / N, (t1 - t0) / (t2 - t1),
                sum_old == sum_new ? "" : "  (lengths differ)");
    }
    free(values);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(exact_texts),
        cmocka_unit_test(short_buffers_cut_like_snprintf),
        cmocka_unit_test(tables_are_exact_powers_of_five),
        cmocka_unit_test(edge_cases),
        cmocka_unit_test(layout_switches),
        cmocka_unit_test(ties),
        cmocka_unit_test(random_bit_patterns),
        cmocka_unit_test(nice_decimals),
        cmocka_unit_test(scores),
        cmocka_unit_test(costs),
        cmocka_unit_test(unsigned_integers),
        cmocka_unit_test(benchmark),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
