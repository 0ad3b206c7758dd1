/*
 * json.c — JSON string escaping and locale-independent number formatting.
 * Numbers are printed with the fewest significant digits that read back to
 * the same double, so output is short, exact and the same on every run.
 */
#include "json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* snprintf's %g follows LC_NUMERIC; the library never calls setlocale for
 * LC_NUMERIC, but a host program might, so the decimal point is fixed up. */
const char *format_double(char *buf, size_t size, double v)
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
    /* %.15g gives the shortest digits whenever 15 or fewer suffice (it
     * drops trailing zeros); 16 and 17 cover the rest.  Three tries, not
     * seventeen: this runs for every number of a million-row output. */
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

void json_number(FILE *out, double v)
{
    char buf[40];
    if (!isfinite(v)) {
        fputs("null", out);
        return;
    }
    fputs(format_double(buf, sizeof buf, v), out);
}
