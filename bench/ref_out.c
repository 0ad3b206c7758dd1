/*
 * ref_out.c — the analyst section's hand-written C floor: bench/analyst.strat
 * (one score, a three-arm decide table) over the CMDB export that
 * bench/gen_cmdb.c makes, written by hand.
 *
 *   ref_out csv IN OUT ARM_INVEST ARM_RETIRE ARM_TOLERATE
 *       writes OUT with the columns of `strat decide --format csv`:
 *       rank,service,decision,arm,because,roi,approver — rank is the row
 *       number (the strategy ranks nothing), arm the ARM_* label given
 *       ("analyst.strat:32"), because and approver empty; lines end in
 *       CRLF as strat's do (RFC 4180).
 *   ref_out count IN
 *       the counting job: the decision counts on stdout, in the lines of
 *       `strat decide --format summary` (without its inputs hash).
 *
 * One thread; the whole file read into memory, fields split by hand,
 * numbers converted with strtod, the score computed in double in the order
 * it is written in analyst.strat (build with -ffp-contract=off).  The CSV
 * is that of gen_cmdb.c: id,revenue,risk,cost,demand,customers with no
 * quoting; a row of another shape stops the program (exit 2).
 *
 * Scores are written with strat's own shortest round-trip formatter
 * (src/dtoa.c) when built with -DREF_DTOA and linked with it, so that the
 * bytes are strat's; otherwise (and as the bench's "c-printf" runner) with
 * printf's "%.17g", what a C programmer writes without such a formatter.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef REF_DTOA
#include "dtoa.h"
#endif

enum { D_INVEST, D_RETIRE, D_TOLERATE, ND };
static const char *const decision_name[ND] = {"invest", "retire", "tolerate"};

static void die(const char *msg)
{
    fprintf(stderr, "ref_out: %s\n", msg);
    exit(2);
}

/* The whole of PATH, NUL-terminated; its length in *len. */
static char *read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        die("cannot open the input");
    char *buf = malloc((size_t)st.st_size + 1);
    if (!buf)
        die("out of memory");
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r <= 0)
            die("cannot read the input");
        got += (size_t)r;
    }
    close(fd);
    buf[got] = '\0';
    *len = got;
    return buf;
}

/* The number at p, which must end at a comma, into *v; returns the
 * position after the comma. */
static char *number_field(char *p, double *v)
{
    char *after;
    *v = strtod(p, &after);
    if (after == p || *after != ',')
        die("a row is not id,revenue,risk,cost,demand,customers");
    return after + 1;
}

/* The output buffer, written to out when full. */
typedef struct {
    FILE *out;
    char *buf;
    size_t len, cap;
} writer;

static void flush(writer *w)
{
    if (w->len && fwrite(w->buf, 1, w->len, w->out) != w->len)
        die("cannot write the output");
    w->len = 0;
}

static void put(writer *w, const char *s, size_t n)
{
    if (w->len + n > w->cap)
        flush(w);
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

/* Digits of v (> 0) at the end of a 24-byte buffer; returns the start. */
static char *utoa(char end[24], unsigned long v)
{
    char *p = end + 24;
    do
        *--p = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    return p;
}

static int format_score(char *buf, double v)
{
#ifdef REF_DTOA
    return dtoa_format(buf, v);
#else
    return snprintf(buf, 32, "%.17g", v);
#endif
}

int main(int argc, char **argv)
{
    int csv = argc == 7 && strcmp(argv[1], "csv") == 0;
    int count = argc == 3 && strcmp(argv[1], "count") == 0;
    if (!csv && !count) {
        fputs("usage: ref_out csv IN OUT ARM_INVEST ARM_RETIRE ARM_TOLERATE\n"
              "       ref_out count IN\n",
              stderr);
        return 2;
    }
    size_t len;
    char *text = read_file(argv[2], &len);
    char *p = strchr(text, '\n');
    if (!p)
        die("no header line");
    p++;

    writer w = {0};
    size_t arm_len[ND] = {0};
    if (csv) {
        w.out = fopen(argv[3], "wb");
        w.cap = 1 << 20;
        w.buf = malloc(w.cap);
        if (!w.out || !w.buf)
            die("cannot open the output");
        for (int d = 0; d < ND; d++)
            arm_len[d] = strlen(argv[4 + d]);
        static const char header[] = "rank,service,decision,arm,because,roi,approver\r\n";
        put(&w, header, sizeof header - 1);
    }

    unsigned long counts[ND] = {0}, row = 0;
    char *text_end = text + len;
    while (p < text_end) {
        if (*p == '\n') { /* a blank line */
            p++;
            continue;
        }
        char *id = p;
        while (p < text_end && *p != ',' && *p != '\n')
            p++;
        if (p >= text_end || *p != ',')
            die("a row is not id,revenue,risk,cost,demand,customers");
        size_t id_len = (size_t)(p - id);
        p++;
        double revenue, risk, cost, demand;
        p = number_field(p, &revenue);
        p = number_field(p, &risk);
        p = number_field(p, &cost);
        p = number_field(p, &demand);
        while (p < text_end && *p != '\n') /* the customers cell */
            p++;
        p += p < text_end;

        /* score roi(s) = (s.revenue - s.cost) / s.cost * (1 - s.risk_share) */
        double roi = (revenue - cost) / cost * (1 - risk);
        int d = roi >= 1 && demand >= 5000 ? D_INVEST : roi < 0 ? D_RETIRE : D_TOLERATE;
        counts[d]++;
        row++;
        if (csv) {
            char line[512], num[24];
            if (id_len > 200)
                die("an id is too long");
            size_t n = 0;
            char *r = utoa(num, row);
            memcpy(line + n, r, (size_t)(num + 24 - r));
            n += (size_t)(num + 24 - r);
            line[n++] = ',';
            memcpy(line + n, id, id_len);
            n += id_len;
            line[n++] = ',';
            size_t dl = strlen(decision_name[d]);
            memcpy(line + n, decision_name[d], dl);
            n += dl;
            line[n++] = ',';
            if (arm_len[d] > 200)
                die("an arm label is too long");
            memcpy(line + n, argv[4 + d], arm_len[d]);
            n += arm_len[d];
            line[n++] = ',';
            line[n++] = ',';
            n += (size_t)format_score(line + n, roi);
            line[n++] = ',';
            line[n++] = '\r';
            line[n++] = '\n';
            put(&w, line, n);
        }
    }
    if (csv) {
        flush(&w);
        if (fclose(w.out) != 0)
            die("cannot write the output");
    } else {
        printf("invest     %lu\nenhance    0\nmigrate    0\nretire     %lu\n"
               "experiment 0\ntolerate   %lu\n",
               counts[D_INVEST], counts[D_RETIRE], counts[D_TOLERATE]);
    }
    return 0;
}
