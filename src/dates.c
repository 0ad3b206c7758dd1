/*
 * dates.c — calendar arithmetic for date literals, CSV cells, waiver
 * expiry and output: Howard Hinnant's days_from_civil and its inverse,
 * proleptic Gregorian, days counted from 1970-01-01.
 */
#include <stdio.h>
#include <string.h>

#include "dates.h"

int32_t days_from_civil(int y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int32_t)doe - 719468;
}

void civil_from_days(int32_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    const int era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = (unsigned)(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int yy = (int)yoe + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yy + (*m <= 2);
}

bool date_valid(int y, unsigned m, unsigned d)
{
    static const unsigned mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return false;
    unsigned max = mdays[m - 1];
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        max = 29;
    return d <= max;
}

bool date_parse_iso(const char *t, int32_t *days)
{
    if (strlen(t) != 10 || t[4] != '-' || t[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (t[i] < '0' || t[i] > '9'))
            return false;
    int y = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + (t[2] - '0') * 10 + (t[3] - '0');
    unsigned m = (unsigned)((t[5] - '0') * 10 + (t[6] - '0'));
    unsigned d = (unsigned)((t[8] - '0') * 10 + (t[9] - '0'));
    if (!date_valid(y, m, d))
        return false;
    *days = days_from_civil(y, m, d);
    return true;
}

/* Up to `max` digits at *p (at least one); their value, or -1. */
static int date_digits(const char **p, const char *end, int min, int max)
{
    int v = 0, n = 0;
    while (*p < end && n < max && **p >= '0' && **p <= '9') {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    return n >= min ? v : -1;
}

DateGuess date_guess(const char *text, size_t len, char iso[2][11])
{
    const char *p = text, *end = text + len;
    if (len < 6 || len > 10)
        return DATE_NOT_ONE;
    size_t lead = 0;
    while (lead < len && text[lead] >= '0' && text[lead] <= '9')
        lead++;
    bool year_first = lead == 4;
    int a = date_digits(&p, end, year_first ? 4 : 1, year_first ? 4 : 2);
    if (a < 0 || p == end || (*p != '-' && *p != '/' && *p != '.'))
        return DATE_NOT_ONE;
    char sep = *p++;
    int b = date_digits(&p, end, 1, 2);
    if (b < 0 || p == end || *p++ != sep)
        return DATE_NOT_ONE;
    int c = date_digits(&p, end, year_first ? 1 : 4, year_first ? 2 : 4);
    if (c < 0 || p != end)
        return DATE_NOT_ONE;
    /* the readings: year-month-day, or day-month-year and month-day-year */
    int y[2], m[2], d[2], n = 0;
    if (year_first) {
        y[0] = a, m[0] = b, d[0] = c, n = 1;
    } else {
        if (date_valid(c, (unsigned)b, (unsigned)a))
            y[n] = c, m[n] = b, d[n] = a, n++;
        if (a != b && date_valid(c, (unsigned)a, (unsigned)b))
            y[n] = c, m[n] = a, d[n] = b, n++;
    }
    if (n == 0 || (year_first && !date_valid(y[0], (unsigned)m[0], (unsigned)d[0])))
        return DATE_NO_SUCH_DAY;
    for (int i = 0; i < n; i++)
        snprintf(iso[i], 11, "%04u-%02u-%02u", (unsigned)y[i] % 10000u, (unsigned)m[i] % 100u,
                 (unsigned)d[i] % 100u);
    return n == 1 ? DATE_UNIQUE : DATE_AMBIGUOUS;
}
