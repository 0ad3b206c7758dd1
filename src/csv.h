/*
 * csv.h - RFC 4180 CSV reader over an in-memory buffer, plus a
 * locale-independent, correctly rounded decimal number parser.
 *
 * Takes: a byte buffer the caller owns (may be mmapped, need not be
 *        NUL-terminated) and caller-supplied field/scratch arrays.
 * Gives: one record at a time as (ptr, len) slices with 1-based line and
 *        column (UTF-8 characters) positions, precise error locations, and
 *        csv_parse_number(), which is bit-identical to strtod() in the "C"
 *        locale for every decimal input it accepts.
 *
 * No heap allocation, no global mutable state: every function is reentrant.
 */
#ifndef STRAT_CSV_H
#define STRAT_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Error description; msg is always NUL-terminated. */
typedef struct csv_error {
    char msg[128];
    uint32_t line, col; /* 1-based; col counted in UTF-8 characters */
    size_t offset;      /* the same place as a byte offset into data */
} csv_error;

typedef struct csv_reader {
    const char *data; /* whole input; caller owns it */
    size_t len;
    size_t pos;       /* byte offset of the next record to read */
    uint32_t line;    /* 1-based line where the most recently returned record
                         started (1 before the first call) */
    /* private */
    uint32_t pos_line; /* line number at byte offset pos */
} csv_reader;

typedef struct csv_field {
    const char *ptr; /* field text (not NUL-terminated): points into data,
                        or into the caller's scratch buffer when the quoted
                        field contained "" escapes */
    size_t len;
    uint32_t line, col; /* position of the field's first character (for a
                           quoted field: the opening quote) */
    bool quoted;
} csv_field;

/* Starts reading data[0..len) (data may be NULL if len is 0); skips a
 * leading UTF-8 BOM. Bytes past data + len are never read. */
void csv_init(csv_reader *r, const char *data, size_t len);

/* How many times byte occurs in data[0..len) (a line count bounds the
 * records of a file). */
size_t csv_count_byte(const char *data, size_t len, unsigned char byte);
/* The same count of line breaks, and whether a double quote occurs
 * (where none does, no field is quoted: csv_load.c cuts a file into
 * blocks at any line break). */
size_t csv_count_lines(const char *data, size_t len, bool *quote);
/* The length of the run of plain ASCII (bytes 1 to 0x7F) s[0..n) starts
 * with: a word at a time where the machine allows. */
size_t csv_ascii_prefix(const char *s, size_t n);

/* Moves the reader to pos, which must be the start of a record (a reader
 * that only ever reads part of the input, or rereads one record).  Line
 * numbers after a seek count from 1 at pos; error offsets stay exact. */
void csv_seek(csv_reader *r, size_t pos);

/*
 * Reads one record into fields[0..cap).
 * Returns the number of fields (>= 1), 0 at end of input, -1 on error.
 *
 * Records end at LF, CRLF or a lone CR. Quoted fields may contain ',', CR,
 * LF and "" escapes; a '"' inside an unquoted field is taken literally.
 * Text after the last line break is a record only if it is non-empty, so a
 * trailing newline does not produce an empty record; a blank line anywhere
 * else yields a record with one empty field.
 *
 * scratch/scratch_cap: used only for quoted fields containing "" (they are
 * unescaped there); shared by all fields of the record, so size it for the
 * largest record. May be NULL/0 if the input never contains "". Slices into
 * scratch stay valid until the next call that uses the same scratch.
 *
 * On error *err (may be NULL) gets a message and location, fields[] holds
 * garbage, and the reader is left untouched at the start of the failing
 * record: retrying with a larger cap or scratch works; syntax errors are
 * reported again.
 * Errors: unterminated quoted field (reported where the quote opened),
 * character after a closing quote that is not ',' or a line break, more
 * than cap fields, scratch too small.
 */
int csv_next_record(csv_reader *r, csv_field *fields, int cap, char *scratch,
                    size_t scratch_cap, csv_error *err);

/* csv_next_record for a record whose line is plain ASCII (no double
 * quote, carriage return or NUL) and ends in a line feed, found sixteen
 * bytes at a time; 0, the reader untouched, for any other record and at
 * the end of the input.  Never reports an error. */
int csv_next_plain_record(csv_reader *r, csv_field *fields, int cap);

typedef enum { CSV_NUM_OK, CSV_NUM_EMPTY, CSV_NUM_INVALID } csv_num_status;

/*
 * Parses s[0..len) (no NUL needed) as a decimal number:
 *   [spaces] [+|-] (digits [. [digits]] | . digits) [(e|E) [+|-] digits] [spaces]
 * where "spaces" are ' ' or '\t'. Always '.' as decimal point, whatever the
 * C locale. "inf", "nan", hex floats and anything else are CSV_NUM_INVALID;
 * an empty or all-space string is CSV_NUM_EMPTY (*out untouched unless OK).
 *
 * The result is correctly rounded (round-half-even), i.e. bit-identical to
 * strtod() in the "C" locale, including subnormals, "-0" -> -0.0, and
 * overflow -> +/-HUGE_VAL (still CSV_NUM_OK; check isinf() if that matters).
 * Assumes the default floating-point rounding mode.
 */
csv_num_status csv_parse_number_general(const char *s, size_t len, double *out);

/* 10^0 .. 10^15, each an exact double (csv.c) */
extern const double csv_exact_pow10[16];

/* The common cell, `-`? digits with at most one `.`, 15 digits or fewer
 * and nothing else, in one pass: the digits are an integer below 2^53 and
 * the point a division by an exact power of ten, so one IEEE division
 * rounds correctly (Clinger's fast path) and the value is strtod's.  A
 * million-row load parses four million of these on its workers; anything
 * else goes to csv_parse_number_general. */
static inline csv_num_status csv_parse_number(const char *s, size_t len, double *out)
{
    if (len == 0 || len > 17)
        return csv_parse_number_general(s, len, out);
    const char *p = s, *end = s + len, *dot = NULL;
    bool neg = *p == '-';
    p += neg;
    uint64_t w = 0;
    for (; p < end; p++) {
        unsigned d = (unsigned)(unsigned char)*p - '0';
        if (d < 10)
            w = w * 10 + d;
        else if (*p == '.' && !dot)
            dot = p;
        else
            return csv_parse_number_general(s, len, out);
    }
    size_t digits = len - neg - (dot != NULL);
    if (digits == 0 || digits > 15)
        return csv_parse_number_general(s, len, out);
    double v = (double)w;
    if (dot)
        v /= csv_exact_pow10[end - dot - 1];
    *out = neg ? -v : v;
    return CSV_NUM_OK;
}

/* csv_parse_number for a cell inside a buffer readable up to `limit`:
 * a cell of at most eight digits and points (after a `-`) with eight
 * readable bytes from its start is read as one word, the digits checked
 * and combined a word at a time (Lemire's eight-digit conversion), without
 * the loop's mispredicted exit at a number's variable end.  The value is
 * the same integer divided by the same power of ten as in
 * csv_parse_number; anything else goes there. */
static inline csv_num_status csv_parse_number_in(const char *s, size_t len, const char *limit,
                                                 double *out)
{
    const char *p = s;
    size_t n = len;
    bool neg = n > 1 && *p == '-';
    p += neg;
    n -= neg;
    if (n == 0 || n > 8 || limit - p < 8)
        return csv_parse_number(s, len, out);
    uint64_t w;
    memcpy(&w, p, 8);
    if (n < 8)   /* the n bytes at the top, '0's below them */
        w = w << (8 * (8 - n)) | UINT64_C(0x3030303030303030) >> (8 * n);
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    uint64_t x = w ^ UINT64_C(0x2E2E2E2E2E2E2E2E);   /* '.' bytes are 0 in x */
    uint64_t dots = (x - ones) & ~x & highs;
    unsigned frac = 0;
    if (dots) {
        if (dots & (dots - 1) || n == 1)
            return csv_parse_number(s, len, out);   /* two points, or "." alone */
        unsigned at = (unsigned)__builtin_ctzll(dots) / 8;   /* the point's byte */
        frac = 7 - at;
        uint64_t below = w & ((UINT64_C(1) << (8 * at)) - 1);
        uint64_t above = at == 7 ? 0 : w >> (8 * (at + 1)) << (8 * (at + 1));
        w = above | below << 8 | 0x30;   /* the point taken out, a '0' below */
    }
    if (((w + UINT64_C(0x4646464646464646)) | (w - UINT64_C(0x3030303030303030))) & highs)
        return csv_parse_number(s, len, out);   /* a byte that is not a digit */
    w -= UINT64_C(0x3030303030303030);
    w = w * 10 + (w >> 8);
    w = ((w & UINT64_C(0x000000FF000000FF)) * (100 + (UINT64_C(1000000) << 32)) +
         ((w >> 16) & UINT64_C(0x000000FF000000FF)) * (1 + (UINT64_C(10000) << 32))) >> 32;
    double v = (double)w;
    if (frac)
        v /= csv_exact_pow10[frac];
    *out = neg ? -v : v;
    return CSV_NUM_OK;
}

/* Narrows s[0..*n) to leave out the spaces and tabs around a cell or a
 * list element (the loaders' cells are read trimmed).  Inline: the CSV
 * load calls it for every cell. */
static inline void csv_trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

#endif /* STRAT_CSV_H */
