/*
 * json.c — JSON string escaping and locale-independent number formatting.
 * Numbers are printed with the fewest significant digits that read back to
 * the same double, so output is short, exact and the same on every run.
 */
#include "json.h"

#include <math.h>
#include <string.h>

#include "dtoa.h"

void json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", out); break;
        case '\\': fputs("\\\\", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

/* The text comes from dtoa.c (Ryu's shortest digits in %g's layout): no
 * printf, so no LC_NUMERIC, and no strtod to check the digits read back.
 * A buffer shorter than DTOA_BUFSIZE gets the text cut as snprintf would. */
const char *format_double(char *buf, size_t size, double v)
{
    if (size >= DTOA_BUFSIZE) {
        dtoa_format(buf, v);
        return buf;
    }
    char text[DTOA_BUFSIZE];
    size_t len = (size_t)dtoa_format(text, v);
    if (size > 0) {
        if (len > size - 1)
            len = size - 1;
        memcpy(buf, text, len);
        buf[len] = '\0';
    }
    return buf;
}

void json_number(FILE *out, double v)
{
    char buf[40];
    if (!isfinite(v)) {
        fputs("null", out);
        return;
    }
    fputs(format_double(buf, sizeof buf, v), out);
}
