/*
 * csv.c - RFC 4180 CSV reader and correctly rounded decimal parser.
 *
 * Takes: an in-memory buffer (not necessarily NUL-terminated, possibly
 *        mmapped, so we never read past data + len) and caller-owned arrays.
 * Gives: records as slices into the buffer (or into caller scratch when ""
 *        escapes must be removed), with line/column positions; and
 *        csv_parse_number(), bit-identical to strtod() in the "C" locale.
 *
 * Speed comes from splitting a plain line (ASCII, no quotes) sixteen bytes
 * a step with SSE2 masks, scanning other lines 8 bytes at a time for the
 * few bytes that end a field (SWAR), and from never copying unquoted
 * fields.
 *
 * Numbers never touch the C library's locale-dependent conversions. With
 * at most 19 significant digits w and value w * 10^e we use, in order:
 * Clinger's exact fast path (w <= 2^53, |e| <= 22), exact 128-bit integer
 * arithmetic (|e| up to ~30), and exact multi-limb arithmetic on 5^|e|
 * (any e). With more digits, w is their 19-digit prefix and we try
 * rounding w and w + 1; only when those differ (a near-tie) do we run a
 * simple arbitrary-precision decimal algorithm (the shift-by-powers-of-two
 * method that was Go's strconv fallback). All are exact, so results match a
 * correctly rounding strtod bit for bit, with no locale object or global
 * state. Without unsigned __int128 only Clinger and the decimal path run.
 */
#include "csv.h"

#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void csv_fail(csv_error *err, uint32_t line, uint32_t col, size_t offset,
                     const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->line = line;
    err->col = col;
    err->offset = offset;
}

/* ------------------------------------------------------------------------ */
/* Byte scanning                                                            */
/* ------------------------------------------------------------------------ */

/* SWAR needs a little-endian load (so the lowest flagged byte is the first
 * in memory) and a count-trailing-zeros builtin; otherwise use bytes. */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define CSV_SWAR 1
#else
#define CSV_SWAR 0
#endif

#define CSV_ONES 0x0101010101010101ull
#define CSV_HIGHS 0x8080808080808080ull

#if CSV_SWAR
/* High bit set in each zero byte of v. Bytes above a true zero may be
 * flagged spuriously (borrow), but the lowest flag is always exact, which
 * is all we use. */
static inline uint64_t csv_zero_bytes(uint64_t v)
{
    return (v - CSV_ONES) & ~v & CSV_HIGHS;
}
#endif

/*
 * Returns the first p' in [p, end) whose byte is a, b or c, or end.
 * ORs every byte passed over into *hi, so the caller learns for free
 * whether the skipped text was pure ASCII (column = byte count).
 */
static inline const char *csv_scan3(const char *p, const char *end,
                                    unsigned char a, unsigned char b,
                                    unsigned char c, uint64_t *hi)
{
#if CSV_SWAR
    const uint64_t ma = CSV_ONES * a, mb = CSV_ONES * b, mc = CSV_ONES * c;
    while (end - p >= 8) {
        uint64_t x;
        memcpy(&x, p, 8); /* unaligned-safe; compiles to one load */
        uint64_t m = csv_zero_bytes(x ^ ma) | csv_zero_bytes(x ^ mb) |
                     csv_zero_bytes(x ^ mc);
        if (m) {
            unsigned k = (unsigned)__builtin_ctzll(m) >> 3;
            *hi |= x & ((1ull << (k * 8)) - 1);
            return p + k;
        }
        *hi |= x;
        p += 8;
    }
#endif
    for (; p < end; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == a || ch == b || ch == c)
            return p;
        *hi |= ch;
    }
    return end;
}

/* Number of UTF-8 characters in p[0..n): every byte that is not a
 * continuation byte (10xxxxxx) starts one. Invalid UTF-8 still counts
 * something sensible. */
static uint32_t csv_utf8_chars(const char *p, size_t n)
{
    size_t cont = 0;
    for (size_t i = 0; i < n; i++)
        cont += ((unsigned char)p[i] & 0xC0) == 0x80;
    return (uint32_t)(n - cont);
}

/* Columns spanned by p[0..n), given the OR of those bytes. */
static inline uint32_t csv_cols(const char *p, size_t n, uint64_t hi)
{
    return (hi & CSV_HIGHS) ? csv_utf8_chars(p, n) : (uint32_t)n;
}

/* ------------------------------------------------------------------------ */
/* Reader                                                                   */
/* ------------------------------------------------------------------------ */

/* How many times byte occurs in data[0..len), and whether look does.
 * Sixteen bytes a step in the compiler's vector types (SSE2 on x86-64,
 * no intrinsics): a byte compare gives 0 or -1 per lane, subtracted into
 * byte counters summed every 255 steps before they can wrap.  Eight
 * bytes a step (SWAR) took 9 ms for a 44 MB inventory, this 2. */
#if CSV_SWAR
typedef unsigned char csv_v16 __attribute__((vector_size(16)));

static inline uint64_t csv_v16_word(csv_v16 v, int half)
{
    uint64_t w;
    memcpy(&w, (const char *)&v + 8 * half, 8);
    return w;
}

/* The sum of the sixteen byte counters. */
static inline size_t csv_v16_sum(csv_v16 acc)
{
    const uint64_t m = 0x00FF00FF00FF00FFull;
    uint64_t lo = csv_v16_word(acc, 0), hi = csv_v16_word(acc, 1);
    uint64_t pairs = (lo & m) + ((lo >> 8) & m) + (hi & m) + ((hi >> 8) & m);
    return (size_t)((pairs * 0x0001000100010001ull) >> 48);
}
#endif

static inline size_t count_and_look(const char *data, size_t len, unsigned char byte,
                                    unsigned char look, bool *seen)
{
    size_t n = 0, i = 0;
    bool found = false;
#if CSV_SWAR
    csv_v16 vbyte, vlook, any = {0};
    for (int k = 0; k < 16; k++) {
        vbyte[k] = byte;
        vlook[k] = look;
    }
    while (len - i >= 16) {
        size_t steps = (len - i) / 16 < 255 ? (len - i) / 16 : 255;
        csv_v16 acc = {0};
        for (size_t s = 0; s < steps; s++, i += 16) {
            csv_v16 x;
            memcpy(&x, data + i, 16);
            acc -= (csv_v16)(x == vbyte);
            any |= (csv_v16)(x == vlook);
        }
        n += csv_v16_sum(acc);
    }
    found = (csv_v16_word(any, 0) | csv_v16_word(any, 1)) != 0;
#endif
    for (; i < len; i++) {
        n += (unsigned char)data[i] == byte;
        found |= (unsigned char)data[i] == look;
    }
    *seen = found;
    return n;
}

size_t csv_count_byte(const char *data, size_t len, unsigned char byte)
{
    bool unused;
    return count_and_look(data, len, byte, byte, &unused);
}

size_t csv_count_lines(const char *data, size_t len, bool *quote)
{
    return count_and_look(data, len, '\n', '"', quote);
}

size_t csv_ascii_prefix(const char *s, size_t n)
{
    size_t i = 0;
#if CSV_SWAR
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if ((w & CSV_HIGHS) || csv_zero_bytes(w))
            break;   /* a byte >= 0x80, or a zero byte */
    }
#endif
    while (i < n && (unsigned char)s[i] - 1u < 0x7Fu)
        i++;
    return i;
}

void csv_init(csv_reader *r, const char *data, size_t len)
{
    r->data = data;
    r->len = len;
    r->pos = 0;
    r->line = 1;
    r->pos_line = 1;
    if (len >= 3 && (unsigned char)data[0] == 0xEF &&
        (unsigned char)data[1] == 0xBB && (unsigned char)data[2] == 0xBF)
        r->pos = 3;
}

void csv_seek(csv_reader *r, size_t pos)
{
    r->pos = pos;
    r->line = r->pos_line = 1;
}

int csv_next_record(csv_reader *r, csv_field *fields, int cap, char *scratch,
                    size_t scratch_cap, csv_error *err)
{
    if (r->pos >= r->len) /* checked first: data may be NULL when len 0 */
        return 0;
    const char *p = r->data + r->pos;
    const char *const end = r->data + r->len;

    /* Work on locals and commit only on success, so an error leaves the
     * reader at the start of the record. */
    uint32_t line = r->pos_line;
    const uint32_t rec_line = line;
    uint32_t col = 1; /* records always start at a line start */
    size_t used = 0;  /* bytes of scratch used by this record */
    int n = 0;

    for (;;) {
        if (n >= cap) {
            csv_fail(err, line, col, (size_t)(p - r->data),
                     "record has more than %d fields", cap);
            return -1;
        }
        csv_field *f = &fields[n++];
        f->line = line;
        f->col = col;

        if (p < end && *p == '"') {
            const char *open = p;
            const char *q = p + 1;   /* scan position */
            const char *seg = q;     /* content not yet copied to scratch */
            const char *cpos = open; /* column reference point ... */
            uint32_t ccol = col;     /* ... and its column */
            uint64_t hi = 0;
            bool unescaping = false;
            size_t start = used;
            for (;;) {
                const char *t = csv_scan3(q, end, '"', '\n', '\r', &hi);
                if (t == end) {
                    csv_fail(err, f->line, f->col, (size_t)(open - r->data),
                             "unterminated quoted field");
                    return -1;
                }
                if (*t != '"') {
                    /* Line break inside quotes: kept verbatim, but line and
                     * column bookkeeping restart. */
                    line++;
                    if (*t == '\r' && t + 1 < end && t[1] == '\n')
                        t++;
                    q = cpos = t + 1;
                    ccol = 1;
                    hi = 0;
                    continue;
                }
                if (t + 1 < end && t[1] == '"') {
                    /* "" escape: copy content so far plus one quote. */
                    size_t k = (size_t)(t + 1 - seg);
                    if (k > scratch_cap - used) {
                        csv_fail(err, f->line, f->col, (size_t)(open - r->data),
                                 "scratch buffer too small (%zu bytes) to "
                                 "unescape quoted field",
                                 scratch_cap);
                        return -1;
                    }
                    unescaping = true;
                    memcpy(scratch + used, seg, k);
                    used += k;
                    q = seg = t + 2;
                    continue;
                }
                /* Closing quote. */
                if (unescaping) {
                    size_t k = (size_t)(t - seg);
                    if (k > scratch_cap - used) {
                        csv_fail(err, f->line, f->col, (size_t)(open - r->data),
                                 "scratch buffer too small (%zu bytes) to "
                                 "unescape quoted field",
                                 scratch_cap);
                        return -1;
                    }
                    memcpy(scratch + used, seg, k);
                    used += k;
                    f->ptr = scratch + start;
                    f->len = used - start;
                } else {
                    f->ptr = open + 1;
                    f->len = (size_t)(t - (open + 1));
                }
                f->quoted = true;
                p = t + 1;
                col = ccol + csv_cols(cpos, (size_t)(p - cpos), hi);
                break;
            }
            if (p < end && *p != ',' && *p != '\n' && *p != '\r') {
                csv_fail(err, line, col, (size_t)(p - r->data),
                         "unexpected character after closing quote "
                         "(expected ',' or end of line)");
                return -1;
            }
        } else {
            uint64_t hi = 0;
            const char *t = csv_scan3(p, end, ',', '\n', '\r', &hi);
            f->ptr = p;
            f->len = (size_t)(t - p);
            f->quoted = false;
            col += csv_cols(p, f->len, hi);
            p = t;
        }

        /* p is at a delimiter or at end of input. */
        if (p >= end)
            break;
        char c = *p++;
        if (c == ',') {
            col++;
            continue;
        }
        if (c == '\r' && p < end && *p == '\n')
            p++;
        line++;
        break;
    }

    r->pos = (size_t)(p - r->data);
    r->pos_line = line;
    r->line = rec_line;
    return n;
}

/*
 * The record at r's position split sixteen bytes a step, when its line is
 * plain: no double quote, carriage return, NUL or byte >= 0x80 before its
 * line feed, and the line feed within the input.  Each step classifies
 * sixteen bytes at once into a bit mask (SSE2), and the fields end at its
 * set bits: a CMDB record of 40 bytes is three steps, not a scan per field.
 * Gives what csv_next_record gives for such a record; 0 for any other
 * (the reader untouched: the caller reads it with csv_next_record).
 */
#if defined(__SSE2__)
#include <emmintrin.h>

static inline unsigned csv_mask(__m128i x, char byte)
{
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(byte)));
}
#endif

int csv_next_plain_record(csv_reader *r, csv_field *fields, int cap)
{
#if defined(__SSE2__)
    if (r->pos >= r->len)
        return 0;
    const char *const rec = r->data + r->pos;
    const char *const end = r->data + r->len;
    const char *field = rec;   /* the current field's first byte */
    int n = 0;
    for (const char *q = rec; end - q >= 16; q += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
        unsigned lf = csv_mask(x, '\n');
        /* the bytes up to the first line feed, if one is here */
        unsigned mine = lf ? ((lf & (0u - lf)) << 1) - 1 : 0xFFFFu;
        unsigned odd = csv_mask(x, '"') | csv_mask(x, '\r') | csv_mask(x, '\0') |
                       (unsigned)_mm_movemask_epi8(x);
        if (odd & mine)
            return 0;
        for (unsigned ends = (csv_mask(x, ',') | lf) & mine; ends; ends &= ends - 1) {
            if (n == cap)
                return 0;   /* csv_next_record reports it */
            const char *at = q + __builtin_ctz(ends);
            fields[n++] = (csv_field){field, (size_t)(at - field), r->pos_line,
                                      (uint32_t)(field - rec) + 1, false};
            field = at + 1;
        }
        if (lf) {
            r->pos = (size_t)(field - r->data);
            r->line = r->pos_line++;
            return n;
        }
    }
#else
    (void)r;
    (void)fields;
    (void)cap;
#endif
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Numbers: slow path (arbitrary-precision decimal)                         */
/* ------------------------------------------------------------------------ */

/*
 * A decimal 0.d[0]d[1]...d[nd-1] * 10^dp with digit values 0..9.
 * 800 digits is enough: the exact decimal expansion of any halfway point
 * between two doubles has at most 767 significant digits, so digits past
 * that only matter as a sticky "something nonzero was dropped" (trunc).
 */
enum { CSV_DEC_MAX = 800, CSV_MAX_SHIFT = 60 };

typedef struct {
    uint8_t d[CSV_DEC_MAX + 24]; /* slack: a left shift adds <= 21 digits */
    int nd, dp;
    bool trunc;
} csv_decimal;

static void csv_dec_trim(csv_decimal *a)
{
    while (a->nd > 0 && a->d[a->nd - 1] == 0)
        a->nd--;
    if (a->nd == 0)
        a->dp = 0;
}

/* a /= 2^k, k <= 60 (so 10 * 2^k fits in 64 bits). */
static void csv_dec_rshift(csv_decimal *a, unsigned k)
{
    int r = 0, w = 0;
    uint64_t n = 0;
    for (; (n >> k) == 0; r++) {
        if (r >= a->nd) {
            if (n == 0) {
                a->nd = 0;
                return;
            }
            while ((n >> k) == 0) {
                n *= 10;
                r++;
            }
            break;
        }
        n = n * 10 + a->d[r];
    }
    a->dp -= r - 1;

    const uint64_t mask = ((uint64_t)1 << k) - 1;
    for (; r < a->nd; r++) {
        uint64_t dig = n >> k;
        n &= mask;
        a->d[w++] = (uint8_t)dig;
        n = n * 10 + a->d[r];
    }
    while (n > 0) {
        uint64_t dig = n >> k;
        n &= mask;
        if (w < CSV_DEC_MAX)
            a->d[w++] = (uint8_t)dig;
        else if (dig > 0)
            a->trunc = true;
        n *= 10;
    }
    a->nd = w;
    csv_dec_trim(a);
}

/* a *= 2^k, k <= 60. Writes right to left into the slack area, then slides
 * the result down; 2^k < 10^(k/3+1) bounds the number of new digits. */
static void csv_dec_lshift(csv_decimal *a, unsigned k)
{
    const int extra = (int)k / 3 + 1;
    int w = a->nd + extra;
    uint64_t n = 0;
    for (int r = a->nd - 1; r >= 0; r--) {
        n += (uint64_t)a->d[r] << k;
        uint64_t quo = n / 10;
        a->d[--w] = (uint8_t)(n - quo * 10);
        n = quo;
    }
    while (n > 0) {
        uint64_t quo = n / 10;
        a->d[--w] = (uint8_t)(n - quo * 10);
        n = quo;
    }
    int produced = a->nd + extra - w;
    memmove(a->d, a->d + w, (size_t)produced);
    a->dp += produced - a->nd;
    a->nd = produced;
    if (a->nd > CSV_DEC_MAX) {
        for (int i = CSV_DEC_MAX; i < a->nd; i++)
            if (a->d[i])
                a->trunc = true;
        a->nd = CSV_DEC_MAX;
    }
    csv_dec_trim(a);
}

static void csv_dec_shift(csv_decimal *a, int k)
{
    if (a->nd == 0)
        return;
    for (; k > CSV_MAX_SHIFT; k -= CSV_MAX_SHIFT)
        csv_dec_lshift(a, CSV_MAX_SHIFT);
    for (; k < -CSV_MAX_SHIFT; k += CSV_MAX_SHIFT)
        csv_dec_rshift(a, CSV_MAX_SHIFT);
    if (k > 0)
        csv_dec_lshift(a, (unsigned)k);
    else if (k < 0)
        csv_dec_rshift(a, (unsigned)-k);
}

/* Round-half-even at digit position nd (i.e. keep nd digits). */
static bool csv_dec_round_up(const csv_decimal *a, int nd)
{
    if (nd < 0 || nd >= a->nd)
        return false;
    if (a->d[nd] == 5 && nd + 1 == a->nd) {
        /* Exactly halfway unless something nonzero was dropped. */
        if (a->trunc)
            return true;
        return nd > 0 && (a->d[nd - 1] & 1);
    }
    return a->d[nd] >= 5;
}

static uint64_t csv_dec_rounded_int(const csv_decimal *a)
{
    if (a->dp > 20)
        return UINT64_MAX;
    uint64_t n = 0;
    int i = 0;
    for (; i < a->dp && i < a->nd; i++)
        n = n * 10 + a->d[i];
    for (; i < a->dp; i++)
        n *= 10;
    if (csv_dec_round_up(a, a->dp))
        n++;
    return n;
}

#define CSV_INF_BITS 0x7FF0000000000000ull

/* IEEE-754 binary64 bits of |a|, correctly rounded. */
static uint64_t csv_dec_to_bits(csv_decimal *a)
{
    /* Binary shift that moves the decimal point by about dp digits. */
    static const int powtab[] = {1, 3, 6, 9, 13, 16, 19, 23, 26};
    if (a->nd == 0)
        return 0;

    int exp = 0;
    while (a->dp > 0) {
        int n = a->dp >= 9 ? 27 : powtab[a->dp];
        csv_dec_shift(a, -n);
        exp += n;
    }
    while (a->dp < 0 || (a->dp == 0 && a->d[0] < 5)) {
        int n = -a->dp >= 9 ? 27 : powtab[-a->dp];
        csv_dec_shift(a, n);
        exp -= n;
    }
    /* Now a in [0.5, 1); IEEE significands are in [1, 2). */
    exp--;
    if (exp < -1022) { /* subnormal: fix exponent, lose precision */
        int n = -1022 - exp;
        csv_dec_shift(a, -n);
        exp += n;
    }
    if (exp + 1023 >= 0x7FF)
        return CSV_INF_BITS;

    csv_dec_shift(a, 53);
    uint64_t mant = csv_dec_rounded_int(a);
    if (mant == (1ull << 53)) { /* rounding carried into a new bit */
        mant >>= 1;
        exp++;
        if (exp + 1023 >= 0x7FF)
            return CSV_INF_BITS;
    }
    if (!(mant & (1ull << 52)))
        exp = -1023; /* subnormal or zero */
    return (mant & ((1ull << 52) - 1)) | ((uint64_t)(exp + 1023) << 52);
}

/* Slow path: mantissa text [p, end) (already validated: digits and at most
 * one '.') times 10^exp10. */
static uint64_t csv_slow_bits(const char *p, const char *end, int64_t exp10)
{
    csv_decimal a;
    int64_t nsig = 0, dp = 0;
    bool dot = false;
    a.trunc = false;
    for (; p < end; p++) {
        if (*p == '.') {
            dot = true;
            dp = nsig;
            continue;
        }
        uint8_t c = (uint8_t)(*p - '0');
        if (c == 0 && nsig == 0) { /* leading zero */
            dp--;
            continue;
        }
        if (nsig < CSV_DEC_MAX)
            a.d[nsig] = c;
        else if (c)
            a.trunc = true;
        nsig++;
    }
    if (!dot)
        dp = nsig;
    a.nd = nsig < CSV_DEC_MAX ? (int)nsig : CSV_DEC_MAX;
    csv_dec_trim(&a);
    if (a.nd == 0)
        return 0;
    dp += exp10;
    /* Obvious overflow/underflow (also keeps dp in int range). */
    if (dp > 310)
        return CSV_INF_BITS;
    if (dp < -330)
        return 0;
    a.dp = (int)dp;
    return csv_dec_to_bits(&a);
}

/* ------------------------------------------------------------------------ */
/* Numbers: exact paths for mantissas of at most 19 digits                  */
/* ------------------------------------------------------------------------ */


static double csv_from_bits(uint64_t b)
{
    double d;
    memcpy(&d, &b, sizeof d);
    return d;
}

#if defined(__SIZEOF_INT128__)
__extension__ typedef unsigned __int128 csv_u128;

/* 5^0 .. 5^27 (5^27 is the largest power of five below 2^64). */
static const uint64_t csv_pow5[28] = {
    1ull,
    5ull,
    25ull,
    125ull,
    625ull,
    3125ull,
    15625ull,
    78125ull,
    390625ull,
    1953125ull,
    9765625ull,
    48828125ull,
    244140625ull,
    1220703125ull,
    6103515625ull,
    30517578125ull,
    152587890625ull,
    762939453125ull,
    3814697265625ull,
    19073486328125ull,
    95367431640625ull,
    476837158203125ull,
    2384185791015625ull,
    11920928955078125ull,
    59604644775390625ull,
    298023223876953125ull,
    1490116119384765625ull,
    7450580596923828125ull,
};

static int csv_bitlen64(uint64_t x)
{
    return x ? 64 - __builtin_clzll(x) : 0;
}

/*
 * Correctly rounded (q + sticky * tiny) * 2^bexp for q != 0, where sticky
 * says the true value is a little above q. Handles the whole range:
 * subnormals, underflow to zero and overflow to infinity.
 */
static double csv_round64(uint64_t q, int bexp, bool sticky)
{
    int top = csv_bitlen64(q) - 1 + bexp; /* exponent of q's leading bit */
    if (top > 1023)
        return csv_from_bits(CSV_INF_BITS);
    bool normal = top >= -1022;
    /* Exponent of the last significand bit we keep. */
    int lsb = normal ? top - 52 : -1074;
    int sh = lsb - bexp; /* low bits of q to round away */
    uint64_t m;
    bool guard = false;
    if (sh <= 0) {
        m = q << -sh; /* exact: fits in 53 bits */
    } else if (sh > 64) {
        m = 0; /* below half the smallest subnormal */
    } else {
        m = sh == 64 ? 0 : q >> sh;
        guard = (q >> (sh - 1)) & 1;
        sticky |= (q & ((1ull << (sh - 1)) - 1)) != 0;
    }
    if (guard && (sticky || (m & 1)))
        m++;
    if (!normal)
        return csv_from_bits(m); /* m == 2^52 encodes DBL_MIN: still right */
    /* m in [2^52, 2^53]; a carry to 2^53 bumps the exponent field, and
     * from the top binade that yields exactly the infinity bit pattern. */
    return csv_from_bits(((uint64_t)(top + 1023) << 52) + (m - (1ull << 52)));
}

/*
 * Little-endian 64-bit-limb integers, just big enough for w * 5^308 and
 * w * 2^s against 5^343 (under 900 bits).
 */
enum { CSV_BIG_LIMBS = 16 };
typedef struct {
    uint64_t l[CSV_BIG_LIMBS];
    int n; /* limbs in use; l[n-1] != 0 unless the value is 0 */
} csv_big;

static void csv_big_mul(csv_big *b, uint64_t m)
{
    uint64_t carry = 0;
    for (int i = 0; i < b->n; i++) {
        csv_u128 p = (csv_u128)b->l[i] * m + carry;
        b->l[i] = (uint64_t)p;
        carry = (uint64_t)(p >> 64);
    }
    if (carry)
        b->l[b->n++] = carry;
}

static void csv_big_mul_pow5(csv_big *b, int k)
{
    for (; k > 27; k -= 27)
        csv_big_mul(b, csv_pow5[27]);
    csv_big_mul(b, csv_pow5[k]);
}

static int csv_big_bitlen(const csv_big *b)
{
    return (b->n - 1) * 64 + csv_bitlen64(b->l[b->n - 1]);
}

/* Compares a and b, both with exactly n limbs (leading zeros allowed). */
static int csv_big_cmp(const uint64_t *a, const uint64_t *b, int n)
{
    for (int i = n - 1; i >= 0; i--)
        if (a[i] != b[i])
            return a[i] < b[i] ? -1 : 1;
    return 0;
}

/*
 * w * 10^e for any e, w != 0, exactly: 10^e = 5^e * 2^e, so only the
 * power of five needs big arithmetic. e >= 0: round the top 64 bits of
 * w * 5^e with a sticky bit. e < 0: one 64-bit quotient limb of
 * (w * 2^s) / 5^k (Knuth's algorithm D, a single step) plus a sticky
 * remainder. Only multiplications, one 128/64 division and compares.
 */
static double csv_big_number(uint64_t w, int64_t e)
{
    if (e > 308) /* w >= 1, so >= 1e309 */
        return csv_from_bits(CSV_INF_BITS);
    if (e < -343) /* w < 1.9e19, so < 1.9e-325: below half of 4.9e-324 */
        return 0.0;
    csv_big b = {.l = {w}, .n = 1};
    if (e >= 0) {
        csv_big_mul_pow5(&b, (int)e);
        int shift = csv_big_bitlen(&b) - 64;
        if (shift <= 0)
            return csv_round64(b.l[0], (int)e, false);
        int li = shift / 64, bo = shift % 64;
        uint64_t q = b.l[li] >> bo;
        if (bo)
            q |= b.l[li + 1] << (64 - bo);
        bool sticky = bo && (b.l[li] << (64 - bo)) != 0;
        for (int i = 0; i < li && !sticky; i++)
            sticky = b.l[i] != 0;
        return csv_round64(q, (int)e + shift, sticky);
    }

    int k = (int)-e;
    csv_big d = {.l = {1}, .n = 1};
    csv_big_mul_pow5(&d, k);
    /* Pick s so that num = w * 2^s has bitlen(d) + 63 bits: then the
     * quotient lies in (2^62, 2^64), one limb with >= 63 significant bits. */
    int s = csv_big_bitlen(&d) + 63 - csv_bitlen64(w);
    /* Normalize: shift both by t so d's top limb has its high bit set. */
    int n = d.n, t = __builtin_clzll(d.l[n - 1]);
    if (t) {
        for (int i = n - 1; i > 0; i--)
            d.l[i] = (d.l[i] << t) | (d.l[i - 1] >> (64 - t));
        d.l[0] <<= t;
    }
    /* num = w << (s + t) has exactly 64n + 63 bits, i.e. n + 1 limbs. */
    uint64_t num[CSV_BIG_LIMBS + 1] = {0};
    int st = s + t, li = st / 64, bo = st % 64;
    num[li] = w << bo;
    if (bo)
        num[li + 1] = w >> (64 - bo);
    /* num[n] < 2^63 <= d.l[n-1], so the estimate fits in 64 bits and is
     * at most 2 too large (Knuth 4.3.1, Theorem B). */
    csv_u128 top2 = ((csv_u128)num[n] << 64) | num[n - 1];
    uint64_t q = (uint64_t)(top2 / d.l[n - 1]);
    /* prod = q * d, as n + 1 limbs */
    uint64_t prod[CSV_BIG_LIMBS + 1];
    uint64_t carry = 0;
    for (int i = 0; i < n; i++) {
        csv_u128 p = (csv_u128)d.l[i] * q + carry;
        prod[i] = (uint64_t)p;
        carry = (uint64_t)(p >> 64);
    }
    prod[n] = carry;
    while (csv_big_cmp(prod, num, n + 1) > 0) { /* q too big: prod -= d */
        q--;
        uint64_t borrow = 0;
        for (int i = 0; i <= n; i++) {
            uint64_t di = i < n ? d.l[i] : 0;
            uint64_t r = prod[i] - di - borrow;
            borrow = (prod[i] < di) || (prod[i] - di < borrow);
            prod[i] = r;
        }
    }
    bool sticky = csv_big_cmp(prod, num, n + 1) != 0;
    return csv_round64(q, -k - s, sticky);
}

static int csv_bitlen128(csv_u128 n)
{
    uint64_t hi = (uint64_t)(n >> 64);
    return hi ? 64 + csv_bitlen64(hi) : csv_bitlen64((uint64_t)n);
}

/* Correctly rounded (n + sticky*epsilon) * 2^bexp for n != 0, when the
 * result is known to be a normal double. */
static double csv_round_u128(csv_u128 n, int bexp, bool sticky)
{
    int len = csv_bitlen128(n);
    if (len <= 64)
        return csv_round64((uint64_t)n, bexp, sticky);
    int sh = len - 64;
    if ((n & ((((csv_u128)1) << sh) - 1)) != 0)
        sticky = true;
    return csv_round64((uint64_t)(n >> sh), bexp + sh, sticky);
}
#endif

/*
 * Exact w * 10^e, correctly rounded; false if not handled here (then the
 * caller uses the decimal slow path). w has at most 19 digits and no
 * nonzero digits were dropped.
 */
static bool csv_exact_number(uint64_t w, int64_t e, double *out)
{
    /* Clinger: w and 10^|e| are exact doubles and one IEEE operation rounds
     * correctly. Requires plain double evaluation (not x87 extended). */
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
    static const double p10[23] = {
        1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    };
    static const uint64_t pow10u[16] = {
        1ull,           10ull,           100ull,           1000ull,
        10000ull,       100000ull,       1000000ull,       10000000ull,
        100000000ull,   1000000000ull,   10000000000ull,   100000000000ull,
        1000000000000ull, 10000000000000ull, 100000000000000ull,
        1000000000000000ull,
    };
    const uint64_t max_exact = 1ull << 53;
    if (w <= max_exact) {
        if (e >= -22 && e <= 22) {
            double d = (double)w;
            *out = e < 0 ? d / p10[-e] : d * p10[e];
            return true;
        }
        /* Small mantissa, big exponent: move zeros into the mantissa while
         * it stays exact ("1e30" = 1e8 * 1e22). */
        if (e > 22 && e <= 22 + 15) {
            uint64_t m = pow10u[e - 22];
            if (w <= max_exact / m) {
                *out = (double)(w * m) * 1e22;
                return true;
            }
        }
    }
#endif
#if defined(__SIZEOF_INT128__)
    /* 16-19 digit mantissas (e.g. "%.17g" output) with moderate exponents:
     * w * 5^e (e <= 27) or w * 2^s / 5^k (k <= 31) fit in 128 bits and
     * leave >= 55 significant quotient bits plus a sticky remainder. */
    if (e >= 0 && e <= 27) {
        *out = csv_round_u128((csv_u128)w * csv_pow5[e], (int)e, false);
        return true;
    }
    if (e < 0 && e >= -31) {
        int k = (int)-e;
        csv_u128 d5 = k <= 27 ? (csv_u128)csv_pow5[k]
                              : (csv_u128)csv_pow5[27] * csv_pow5[k - 27];
        int s = 64 + __builtin_clzll(w); /* w != 0: top bit to bit 127 */
        csv_u128 num = (csv_u128)w << s;
        csv_u128 q = num / d5;
        bool rem = num - q * d5 != 0;
        *out = csv_round_u128(q, -k - s, rem);
        return true;
    }
    /* Everything else, e.g. "6.62607015e-34" or "1.7976931348623157e308". */
    *out = csv_big_number(w, e);
    return true;
#else
    (void)w; /* unused when no exact path is available */
    (void)e;
    (void)out;
    return false;
#endif
}

static inline bool csv_is_digit(char c)
{
    return (unsigned char)(c - '0') < 10;
}

const double csv_exact_pow10[16] = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
};

csv_num_status csv_parse_number_general(const char *s, size_t len, double *out)
{
    if (len == 0) /* before any arithmetic on s, which may be NULL */
        return CSV_NUM_EMPTY;
    const char *p = s, *end = s + len;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    if (p == end)
        return CSV_NUM_EMPTY;

    bool neg = false;
    if (*p == '+' || *p == '-') {
        neg = *p == '-';
        p++;
    }

    /* Up to 19 significant digits go into w (fits uint64); e10 tracks the
     * decimal exponent of w's last digit; dropped = nonzero digits lost. */
    const char *mant = p;
    uint64_t w = 0;
    int nd = 0;
    int64_t e10 = 0;
    bool dropped = false;
    for (; p < end && csv_is_digit(*p); p++) {
        unsigned d = (unsigned)(*p - '0');
        if (nd < 19) {
            w = w * 10 + d;
            nd += w != 0;
        } else {
            e10++;
            dropped |= d != 0;
        }
    }
    const char *int_end = p;
    if (p < end && *p == '.') {
        p++;
        for (; p < end && csv_is_digit(*p); p++) {
            unsigned d = (unsigned)(*p - '0');
            if (nd < 19) {
                w = w * 10 + d;
                nd += w != 0;
                e10--;
            } else {
                dropped |= d != 0;
            }
        }
    }
    const char *mant_end = p;
    /* At least one digit, before or after the point. */
    if (int_end == mant && mant_end - int_end <= 1)
        return CSV_NUM_INVALID;

    int64_t ex = 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-')) {
            eneg = *p == '-';
            p++;
        }
        if (p == end || !csv_is_digit(*p))
            return CSV_NUM_INVALID;
        for (; p < end && csv_is_digit(*p); p++)
            if (ex < 100000000000000000) /* saturate: result is 0 or inf */
                ex = ex * 10 + (*p - '0');
        if (eneg)
            ex = -ex;
    }
    if (p != end)
        return CSV_NUM_INVALID;

    double v, hi;
    if (w == 0) {
        v = 0.0; /* no nonzero digit at all (dropped implies w != 0) */
    } else if (!dropped) {
        if (!csv_exact_number(w, e10 + ex, &v))
            v = csv_from_bits(csv_slow_bits(mant, mant_end, ex));
    } else {
        /* More than 19 digits: the value lies strictly between w * 10^e
         * and (w + 1) * 10^e (w + 1 <= 10^19 still fits). Rounding is
         * monotonic, so if both round alike that is the answer; only
         * near-ties need every digit. */
        if (!csv_exact_number(w, e10 + ex, &v) ||
            !csv_exact_number(w + 1, e10 + ex, &hi) ||
            memcmp(&v, &hi, sizeof v) != 0)
            v = csv_from_bits(csv_slow_bits(mant, mant_end, ex));
    }
    *out = neg ? -v : v;
    return CSV_NUM_OK;
}
