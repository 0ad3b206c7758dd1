/*
 * outcheck.c — the analyst section's output checker: reads one runner's
 * per-service output and writes it in a canonical form that bench/run.sh
 * compares byte for byte with the C floor's.
 *
 *   outcheck N FILE CANON
 *
 * FILE is CSV (a header line naming the columns) or JSON (one document, an
 * array, or one object a line as DuckDB writes them): told apart by its
 * first byte that is not white space, `{` or `[` for JSON.  A record is
 *   CSV:  a row; the id from the column "service" (strat) or "id", the
 *         decision from "decision", the score from "roi";
 *   JSON: an object with an id ("service" or "id") and a "decision"
 *         string; "roi" is a number in that object or in an object one
 *         level inside it (strat's "scores": {"roi": ...}).
 * Ids are those of bench/gen_cmdb.c, "svc" and the row number: every row
 * number below N must come exactly once, and nothing else.
 *
 * CANON gets N lines, in row-number order, "DECISION SCORE" with the score
 * read as a double and written in hexadecimal ("%a"), so two runners that
 * print one double differently ("1.5", "1.5000000000000000") agree, and
 * any other difference shows.  stdout gets one line of counts:
 * "rows=N invest=I retire=R tolerate=T other=O".  Any problem: a message
 * on stderr naming the line, exit 1.
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

enum { DECISION_MAX = 15 };

typedef struct {
    char decision[DECISION_MAX + 1];
    double score;
    int seen;
} row;

static const char *file_name;
static const char *text, *text_end;
static row *rows;
static long n_rows, n_records;

/* The 1-based line of position p, for messages. */
static long line_of(const char *p)
{
    long line = 1;
    for (const char *q = text; q < p && q < text_end; q++)
        line += *q == '\n';
    return line;
}

static void fail_at(const char *p, const char *msg)
{
    fprintf(stderr, "outcheck: %s:%ld: %s\n", file_name, line_of(p), msg);
    exit(1);
}

/* Records one row; where points into the file for messages. */
static void record(const char *where, const char *id, size_t id_len, const char *dec,
                   size_t dec_len, const char *score, size_t score_len)
{
    if (id_len < 4 || memcmp(id, "svc", 3) != 0)
        fail_at(where, "an id that is not svcNNNNNNN");
    long k = 0;
    for (size_t i = 3; i < id_len; i++) {
        if (id[i] < '0' || id[i] > '9' || k > 1000000000L)
            fail_at(where, "an id that is not svcNNNNNNN");
        k = k * 10 + (id[i] - '0');
    }
    if (k >= n_rows)
        fail_at(where, "an id beyond the row count");
    if (rows[k].seen)
        fail_at(where, "an id that came before");
    if (dec_len == 0 || dec_len > DECISION_MAX)
        fail_at(where, "no decision, or a decision too long");
    char num[64];
    if (score_len == 0 || score_len >= sizeof num)
        fail_at(where, "no score");
    memcpy(num, score, score_len);
    num[score_len] = '\0';
    char *end;
    double v = strtod(num, &end);
    if (*end != '\0')
        fail_at(where, "a score that is not a number");
    rows[k].seen = 1;
    memcpy(rows[k].decision, dec, dec_len);
    rows[k].decision[dec_len] = '\0';
    rows[k].score = v;
    n_records++;
}

/* ---- CSV ----------------------------------------------------------------- */

enum { MAX_FIELDS = 64 };

/* Splits the record at p into fields (RFC 4180 quotes allowed; a quoted
 * field is given with its quotes removed only when it holds no "" escape,
 * which no checked column has).  Returns the start of the next record. */
static const char *csv_record(const char *p, const char **start, size_t *len, int *n)
{
    *n = 0;
    for (;;) {
        if (*n == MAX_FIELDS)
            fail_at(p, "too many fields");
        const char *f = p;
        if (p < text_end && *p == '"') {
            p++;
            f = p;
            while (p < text_end && !(*p == '"' && (p + 1 >= text_end || p[1] != '"')))
                p += *p == '"' ? 2 : 1;
            if (p >= text_end)
                fail_at(f, "an unterminated quote");
            start[*n] = f;
            len[(*n)++] = (size_t)(p - f);
            p++;
        } else {
            while (p < text_end && *p != ',' && *p != '\n' && *p != '\r')
                p++;
            start[*n] = f;
            len[(*n)++] = (size_t)(p - f);
        }
        if (p < text_end && *p == ',') {
            p++;
            continue;
        }
        if (p < text_end && *p == '\r')
            p++;
        if (p < text_end && *p == '\n')
            p++;
        return p;
    }
}

static const char *next_line(const char *p)
{
    const char *nl = memchr(p, '\n', (size_t)(text_end - p));
    return nl ? nl + 1 : text_end;
}

static int column(const char **start, const size_t *len, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (len[i] == strlen(name) && memcmp(start[i], name, len[i]) == 0)
            return i;
    return -1;
}

static void check_csv(void)
{
    const char *start[MAX_FIELDS];
    size_t len[MAX_FIELDS];
    int n;
    const char *p = text;
    while (p < text_end && *p == '#') /* comment lines before the header */
        p = next_line(p);
    const char *header = p;
    p = csv_record(p, start, len, &n);
    int id = column(start, len, n, "service");
    if (id < 0)
        id = column(start, len, n, "id");
    int dec = column(start, len, n, "decision");
    int score = column(start, len, n, "roi");
    if (id < 0 || dec < 0 || score < 0)
        fail_at(header, "the header has no service or id, decision or roi column");
    int fields = n;
    while (p < text_end) {
        if (*p == '\n' || *p == '#') { /* blank or comment line */
            p = next_line(p);
            continue;
        }
        const char *at = p;
        p = csv_record(p, start, len, &n);
        if (n != fields)
            fail_at(at, "a row with another number of fields than the header");
        record(at, start[id], len[id], start[dec], len[dec], start[score], len[score]);
    }
}

/* ---- JSON ---------------------------------------------------------------- */

/* What one object has said so far. */
typedef struct {
    const char *id, *dec, *score;
    size_t id_len, dec_len, score_len;
} object;

static const char *json_value(const char *p, int depth, object *parent, const char **key,
                              size_t key_len);

static const char *skip_space(const char *p)
{
    while (p < text_end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* The string at p (at its opening quote): its raw contents in *s, *len;
 * returns the position after the closing quote. */
static const char *json_string(const char *p, const char **s, size_t *len)
{
    const char *q = p + 1;
    while (q < text_end && *q != '"')
        q += *q == '\\' ? 2 : 1;
    if (q >= text_end)
        fail_at(p, "an unterminated string");
    *s = p + 1;
    *len = (size_t)(q - p - 1);
    return q + 1;
}

static int key_is(const char *k, size_t n, const char *name)
{
    return n == strlen(name) && memcmp(k, name, n) == 0;
}

static const char *json_object(const char *p, int depth, object *parent)
{
    object o = {0};
    const char *at = p;
    p = skip_space(p + 1);
    if (p < text_end && *p == '}')
        p++;
    else
        for (;;) {
            p = skip_space(p);
            if (p >= text_end || *p != '"')
                fail_at(p, "expected a key");
            const char *k;
            size_t kl;
            p = skip_space(json_string(p, &k, &kl));
            if (p >= text_end || *p != ':')
                fail_at(p, "expected ':'");
            p = json_value(skip_space(p + 1), depth + 1, &o, &k, kl);
            p = skip_space(p);
            if (p < text_end && *p == ',') {
                p++;
                continue;
            }
            if (p < text_end && *p == '}') {
                p++;
                break;
            }
            fail_at(p, "expected ',' or '}'");
        }
    if (o.id && o.dec) {
        if (!o.score)
            fail_at(at, "a record without a roi number");
        record(at, o.id, o.id_len, o.dec, o.dec_len, o.score, o.score_len);
    } else if (parent && o.score && !o.id && !parent->score) {
        parent->score = o.score; /* "scores": {"roi": ...} */
        parent->score_len = o.score_len;
    }
    return p;
}

static const char *json_value(const char *p, int depth, object *parent, const char **key,
                              size_t key_len)
{
    if (depth > 64)
        fail_at(p, "nested too deeply");
    if (p >= text_end)
        fail_at(p, "expected a value");
    if (*p == '{')
        return json_object(p, depth, parent);
    if (*p == '[') {
        p = skip_space(p + 1);
        if (p < text_end && *p == ']')
            return p + 1;
        for (;;) {
            p = skip_space(json_value(skip_space(p), depth + 1, NULL, NULL, 0));
            if (p < text_end && *p == ',') {
                p++;
                continue;
            }
            if (p < text_end && *p == ']')
                return p + 1;
            fail_at(p, "expected ',' or ']'");
        }
    }
    if (*p == '"') {
        const char *s;
        size_t n;
        p = json_string(p, &s, &n);
        if (parent && key) {
            if (key_is(*key, key_len, "service") || key_is(*key, key_len, "id"))
                parent->id = s, parent->id_len = n;
            else if (key_is(*key, key_len, "decision"))
                parent->dec = s, parent->dec_len = n;
        }
        return p;
    }
    const char *v = p; /* a number, true, false or null */
    while (p < text_end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\n' &&
           *p != '\r' && *p != '\t')
        p++;
    if (p == v)
        fail_at(p, "expected a value");
    if (parent && key && key_is(*key, key_len, "roi") && (*v == '-' || (*v >= '0' && *v <= '9')))
        parent->score = v, parent->score_len = (size_t)(p - v);
    return p;
}

static void check_json(void)
{
    const char *p = skip_space(text);
    while (p < text_end) {
        p = skip_space(json_value(p, 0, NULL, NULL, 0));
        if (p < text_end && *p == ',') /* tolerate nothing else between values */
            fail_at(p, "',' between top-level values");
    }
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fputs("usage: outcheck N FILE CANON\n", stderr);
        return 2;
    }
    n_rows = atol(argv[1]);
    file_name = argv[2];
    if (n_rows < 0)
        return 2;
    rows = calloc((size_t)n_rows + 1, sizeof *rows);
    int fd = open(file_name, O_RDONLY);
    struct stat st;
    if (!rows || fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "outcheck: cannot read %s\n", file_name);
        return 1;
    }
    if (st.st_size == 0) {
        fprintf(stderr, "outcheck: %s is empty\n", file_name);
        return 1;
    }
    text = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (text == MAP_FAILED) {
        fprintf(stderr, "outcheck: cannot map %s\n", file_name);
        return 1;
    }
    posix_madvise((void *)text, (size_t)st.st_size, POSIX_MADV_SEQUENTIAL);
    text_end = text + st.st_size;
    const char *first = skip_space(text);
    if (first < text_end && (*first == '{' || *first == '['))
        check_json();
    else
        check_csv();
    if (n_records != n_rows) {
        fprintf(stderr, "outcheck: %s has %ld records, expected %ld\n", file_name, n_records,
                n_rows);
        return 1;
    }
    FILE *canon = fopen(argv[3], "w");
    if (!canon) {
        fprintf(stderr, "outcheck: cannot write %s\n", argv[3]);
        return 1;
    }
    static char buf[1 << 16];
    setvbuf(canon, buf, _IOFBF, sizeof buf);
    long invest = 0, retire = 0, tolerate = 0;
    for (long k = 0; k < n_rows; k++) {
        fprintf(canon, "%s %a\n", rows[k].decision, rows[k].score);
        invest += strcmp(rows[k].decision, "invest") == 0;
        retire += strcmp(rows[k].decision, "retire") == 0;
        tolerate += strcmp(rows[k].decision, "tolerate") == 0;
    }
    if (fclose(canon) != 0) {
        fprintf(stderr, "outcheck: cannot write %s\n", argv[3]);
        return 1;
    }
    printf("rows=%ld invest=%ld retire=%ld tolerate=%ld other=%ld\n", n_rows, invest, retire,
           tolerate, n_rows - invest - retire - tolerate);
    return 0;
}
