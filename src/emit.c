/*
 * emit.c — decisions as text: an aligned table, JSON, CSV and Markdown.
 *
 * Takes the Results of the decision pipeline and gives bytes that are the
 * same on every run for the same inputs: rows in rank order (ties in
 * declaration order), numbers in their shortest exact form, and a SHA-256 of every
 * input file (digest.c) so an audit can tie a decision record to the files
 * that produced it.
 *
 * CSV and JSON rows (a million of them is the analyst's job) are formatted
 * in parallel: a round of blocks of BLOCK_ROWS rows, each block formatted
 * by a worker into its own buffer (OutBuf), the buffers then written in
 * order by a writer thread while the next round is formatted, round after
 * round, so the output streams out and is never held whole.  The bytes of a row depend on the row only,
 * so they are the same for any number of threads.  The per-row functions
 * (row_cells, csv_row, json_row) run on worker threads: no arena, no
 * diagnostics; what they make goes in their RowText or OutBuf.
 */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include "decide.h"
#include "diag.h"
#include "digest.h"
#include "dtoa.h"
#include "emit.h"
#include "emit_html.h"
#include "intern.h"
#include "json.h"
#include "markdown.h"
#include "parallel.h"
#include "source.h"
#include "unparse.h"

/* A cell's length not known: it is scanned for what CSV quotes. */
enum { CELL_SCAN = UINT32_MAX };

/* Per arm of a decide table, made once before the rows (the rows then
 * look them up by index: no list walk, no line count per row). */
typedef struct ArmTexts {
    uint32_t n;
    const Arm **arm;          /* [n] */
    const char **where;       /* "file:line" */
    uint32_t *where_len;      /* its length, or CELL_SCAN when CSV quotes it */
    const char **file;        /* the file's path ("" when unknown) */
    unsigned *line;
    const char **json;        /* {"file": ..., "line": ...} (arm_json_texts) */
    uint32_t *json_len;
} ArmTexts;

/* The bytes that end a plain CSV cell: its NUL, and those that make it
 * quoted. */
static inline bool csv_cell_stop(unsigned char ch)
{
    return ch > '"' ? ch == ',' : ch == 0 || ch == '"' || ch == '\r' || ch == '\n';
}

/* Whether s is written in CSV as it is (no quotes needed). */
static bool csv_plain(const char *s)
{
    while (!csv_cell_stop((unsigned char)*s))
        s++;
    return !*s;
}

/* One table's arms. */
static ArmTexts table_arm_texts(Compilation *c, const Decl *d)
{
    ArmTexts t = {0};
    for (Arm *a = d ? d->arms : NULL; a; a = a->next)
        t.n++;
    t.arm = ARENA_ARRAY(&c->arena, const Arm *, t.n + 1);
    t.where = ARENA_ARRAY(&c->arena, const char *, t.n + 1);
    t.where_len = ARENA_ARRAY(&c->arena, uint32_t, t.n + 1);
    t.file = ARENA_ARRAY(&c->arena, const char *, t.n + 1);
    t.line = ARENA_ARRAY(&c->arena, unsigned, t.n + 1);
    uint32_t i = 0;
    for (Arm *a = d ? d->arms : NULL; a; a = a->next, i++) {
        Source *s = source_get(c, a->loc.file);
        LineCol lc = source_linecol(c, a->loc.file, a->loc.start);
        t.arm[i] = a;
        t.file[i] = s ? s->path : "";
        t.line[i] = lc.line;
        t.where[i] = arena_printf(&c->arena, "%s:%u", s ? s->path : "?", lc.line);
        t.where_len[i] = csv_plain(t.where[i]) ? (uint32_t)strlen(t.where[i]) : CELL_SCAN;
    }
    return t;
}

static void arm_json_texts(Compilation *c, ArmTexts *t);

/* Every decide table's arms, indexed as program_table (at least one
 * element, empty when there is no table). */
static const ArmTexts *arm_texts(Compilation *c)
{
    const Program *p = c->program;
    ArmTexts *all = ARENA_ARRAY(&c->arena, ArmTexts, p->tables.len + 1);
    for (uint32_t t = 0; t < p->tables.len; t++) {
        all[t] = table_arm_texts(c, program_table(p, t)->decl);
        arm_json_texts(c, &all[t]);
    }
    return all;
}

/* The arm that fired for a row, or NULL (as arm_at). */
static const Arm *row_arm(const ArmTexts *t, int idx)
{
    return idx >= 0 && (uint32_t)idx < t->n ? t->arm[idx] : NULL;
}

/* Four decimals are plenty for people; JSON and CSV keep every digit.
 * (40 bytes, cut as snprintf cuts: the text tables and Markdown have
 * always printed it so.) */
static const char *score_text(char buf[40], double v)
{
    if (!isfinite(v))
        return isnan(v) ? "nan" : v > 0 ? "inf" : "-inf";
    snprintf(buf, 40, "%.4f", v);
    return buf;
}

enum { MAX_SCORE_COLUMNS = 48 };

/* Decide tables shown as columns: decision, arm and because of each (the
 * first at 2..4, as before tables had names); at most MAX_TABLE_COLUMNS. */

static uint32_t shown_tables(const Results *res)
{
    return res->ntables < MAX_TABLE_COLUMNS ? res->ntables : MAX_TABLE_COLUMNS;
}

/* The first score column (after rank, service and the tables' columns). */
static uint32_t first_score_column(const Results *res)
{
    return 2 + 3 * shown_tables(res);
}

/* The text row_cells makes for one row (the cells point into it or into
 * the program): one per thread, reused row after row. */
typedef struct RowText {
    const ArmTexts *arms;
    const bool *shown;        /* the scores formatted (NULL: every one) */
    const uint32_t *pick;     /* CSV: the cells written, by index (--columns) */
    uint32_t npick;           /* (pick NULL: every cell) */
    char rank[DTOA_BUFSIZE];
    char scores[MAX_SCORE_COLUMNS][40];
    /* row_cells: each cell's length when it is known to need no CSV
     * quoting (numbers, empty cells, plain arm texts), else CELL_SCAN */
    uint32_t len[64];
} RowText;

/* The columns every format shares: rank, service, then decision, arm,
 * because of each decide table shown, scores, approvers.  May run on a worker thread (CSV): no arena. */
static uint32_t row_cells(const Compilation *c, const Results *res, uint32_t row,
                          const char **cells, bool exact, const bool *shown, RowText *text)
{
    const Program *p = c->program;
    const KindTable *svc = &p->kinds[EK_SERVICE];
    uint32_t n = 0, *len = text->len;
    len[n] = (uint32_t)dtoa_uint(text->rank, result_rank(res, row));
    cells[n++] = text->rank;
    len[n] = CELL_SCAN;
    cells[n++] = svc->names[row];
    for (uint32_t t = 0; t < shown_tables(res) && t < p->tables.len; t++) {
        int d = (t ? res->decisions[t] : res->decision)[row];
        int idx = (t ? res->arms[t] : res->arm)[row];
        const ArmTexts *at = &text->arms[t];
        const Arm *arm = row_arm(at, idx);
        bool armed = arm != NULL;
        /* (the arm in hand: result_because would walk the table's arms) */
        const char *because = result_because_of(res, t, row, arm);
        len[n] = CELL_SCAN;
        cells[n++] = res->failed[row] ? "error" : outcome_name(p, d);
        len[n] = armed ? at->where_len[idx] : 0;
        cells[n++] = armed ? at->where[idx] : "";
        len[n] = because ? CELL_SCAN : 0;
        cells[n++] = because ? because : "";
    }
    for (uint32_t s = 0; s < res->nscores && s < MAX_SCORE_COLUMNS; s++) {
        if (shown && !shown[s])
            continue;
        double v = res->scores[(size_t)s * res->nservices + row];
        /* (the shortest digits: never a comma, quote or line break) */
        if (exact) {
            len[n] = (uint32_t)dtoa_format(text->scores[s], v);
            cells[n++] = text->scores[s];
        } else {
            len[n] = CELL_SCAN;
            cells[n++] = score_text(text->scores[s], v);
        }
    }
    const char *approvers = result_approvers(res, row);
    len[n] = approvers ? CELL_SCAN : 0;
    cells[n++] = approvers ? approvers : "";
    return n;
}

static uint32_t header_cells(Compilation *c, const Results *res, const char **cells,
                             const bool *shown)
{
    uint32_t n = 0;
    Program *p = c->program;
    cells[n++] = "rank";
    cells[n++] = "service";
    for (uint32_t t = 0; t < shown_tables(res) && t < p->tables.len; t++) {
        cells[n++] = table_heading(c, program_table(p, t), "decision");
        cells[n++] = table_heading(c, program_table(p, t), "arm");
        cells[n++] = table_heading(c, program_table(p, t), "because");
    }
    for (uint32_t s = 0; s < res->nscores && s < MAX_SCORE_COLUMNS; s++)
        if (!shown || shown[s])
            cells[n++] = ((Score *)c->program->scores.items[s])->name;
    cells[n++] = "approver";
    return n;
}

/* Width in characters of a UTF-8 string (a `because` may hold é). */
static size_t utf8_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Services per outcome id of table t, and those without one. */
static void summary_counts(const Results *res, uint32_t t, unsigned *counts, unsigned *errors)
{
    const int8_t *decision = t ? res->decisions[t] : res->decision;
    memset(counts, 0, sizeof(unsigned) * MAX_OUTCOMES);
    *errors = 0;
    for (uint32_t r = 0; r < res->nservices; r++) {
        if (res->failed[r] || decision[r] < 0)
            (*errors)++;
        else
            counts[decision[r]]++;
    }
}

/* The scores the decide table's arms and `rank by` call directly: the
 * table shows these (a terminal is narrow); the other formats show all. */
static const bool *decide_scores(Compilation *c, const Results *res, unsigned *hidden)
{
    bool *shown = ARENA_ARRAY(&c->arena, bool, res->nscores + 1);
    *hidden = 0;
    PtrVec calls = {0};
    for (uint32_t t = 0; t < c->program->tables.len; t++) {
        Decl *d = program_table(c->program, t)->decl;
        for (Arm *a = d->arms; a; a = a->next)
            score_calls(c, a->cond, &calls);
        score_calls(c, d->rank, &calls);
    }
    unsigned n = 0;
    for (uint32_t i = 0; i < calls.len; i++) {
        Score *sc = call_score(c->program, calls.items[i]);
        if (!shown[sc->index]) {
            shown[sc->index] = true;
            n++;
        }
    }
    /* and any score that is not a number somewhere: it is why a row says
     * `error` */
    for (uint32_t r = 0; n && r < res->nservices; r++) {
        if (!res->failed[r])
            continue;
        for (uint32_t k = 0; k < res->nscores; k++)
            if (!shown[k] && !isfinite(res->scores[(size_t)k * res->nservices + r])) {
                shown[k] = true;
                n++;
            }
    }
    uint32_t nwritten = res->nscores;
    if (res->score_written) {
        nwritten = n = 0;
        for (uint32_t k = 0; k < res->nscores; k++) {
            nwritten += res->score_written[k];
            shown[k] &= res->score_written[k];
            n += shown[k];
        }
        if (!n)   /* none of them written: the table shows what is */
            return res->score_written;
    }
    *hidden = n ? nwritten - n : 0;
    return n ? shown : NULL;
}

/* In the table, a long `because` is cut at a word (the other formats
 * keep it whole). */
static const char *table_text(Compilation *c, const char *s, size_t max)
{
    if (utf8_width(s) <= max)
        return s;
    size_t bytes = 0, chars = 0, cut = 0;
    while (s[bytes] && chars < max - 1) {
        if (s[bytes] == ' ')
            cut = bytes;
        bytes++;
        while (((unsigned char)s[bytes] & 0xC0) == 0x80)
            bytes++;
        chars++;
    }
    if (cut == 0)
        cut = bytes;
    return arena_printf(&c->arena, "%.*s\u2026", (int)cut, s);
}

static void emit_table(Compilation *c, const Results *res, FILE *out)
{
    const char *head[64];
    unsigned hidden;
    const bool *shown = decide_scores(c, res, &hidden);
    uint32_t ncol = header_cells(c, res, head, shown);
    size_t width[64];
    for (uint32_t i = 0; i < ncol; i++)
        width[i] = utf8_width(head[i]);
    const char *cells[64];
    const ArmTexts *arms = arm_texts(c);
    RowText text = {.arms = arms};
    /* widths over all rows: two passes, the cells are cheap to rebuild */
    uint32_t first_score = first_score_column(res);
    for (uint32_t i = 0; i < res->nservices; i++) {
        row_cells(c, res, result_row_at(res, i), cells, false, shown, &text);
        for (uint32_t k = 4; k < first_score; k += 3)
            cells[k] = table_text(c, cells[k], 40);
        for (uint32_t k = 0; k < ncol; k++) {
            size_t w = utf8_width(cells[k]);
            if (w > width[k])
                width[k] = w;
        }
    }
    const Strategy *st = &c->program->strategy;
    fprintf(out, "# %s\n", st->title ? st->title : "strategy");
    if (c->opts.scenario)
        fprintf(out, "# scenario: %s\n", c->opts.scenario);
    fprintf(out, "# inputs sha256: %s\n", inputs_sha256(c));
    for (uint32_t k = 0; k < ncol; k++)
        fprintf(out, "%s%s%*s", k ? "  " : "", head[k],
                k + 1 < ncol ? (int)(width[k] - utf8_width(head[k])) : 0, "");
    fputc('\n', out);
    for (uint32_t i = 0; i < res->nservices; i++) {
        row_cells(c, res, result_row_at(res, i), cells, false, shown, &text);
        for (uint32_t k = 4; k < first_score; k += 3)
            cells[k] = table_text(c, cells[k], 40);
        for (uint32_t k = 0; k < ncol; k++) {
            bool numeric = k == 0 || (k >= first_score && k + 1 < ncol);
            int pad = (int)(width[k] - utf8_width(cells[k]));
            if (numeric)
                fprintf(out, "%s%*s%s", k ? "  " : "", pad, "", cells[k]);
            else
                fprintf(out, "%s%s%*s", k ? "  " : "", cells[k], k + 1 < ncol ? pad : 0, "");
        }
        fputc('\n', out);
    }
    if (hidden)
        fprintf(out, "# %u more score%s in --format json, csv or md\n", hidden,
                hidden == 1 ? "" : "s");
    Program *p = c->program;
    for (uint32_t t = 0; t < p->tables.len; t++) {
        const DecideTable *table = program_table(p, t);
        unsigned counts[MAX_OUTCOMES], errors;
        summary_counts(res, t, counts, &errors);
        if (table->name)
            fprintf(out, "# summary %s:", table->name);
        else
            fputs("# summary:", out);
        for (uint32_t k = 0; k < table->noutcomes; k++)
            fprintf(out, " %s %u%s", outcome_name(p, table->outcomes[k]),
                    counts[table->outcomes[k]], k + 1 < table->noutcomes ? "," : "");
        if (errors)
            fprintf(out, ", undecided %u", errors);
        fputc('\n', out);
    }
}

/* ---- rows into buffers, in parallel blocks ---------------------------------- */

/* Bytes being formatted.  A block's buffer (sink NULL) has a fixed
 * capacity: when a row does not fit, `full` is set and the block's loop
 * drops the row (rewinds to its start) and leaves it to the calling
 * thread.  The calling thread's buffer (sink set) writes itself out to
 * the sink when full. */
typedef struct OutBuf {
    char *p;
    size_t len, cap;
    FILE *sink;
    bool full;
} OutBuf;

static void ob_flush(OutBuf *b)
{
    if (b->sink && b->len)
        fwrite(b->p, 1, b->len, b->sink);
    b->len = 0;
}

/* n bytes, s to to: a cell of a row is a few bytes, too few for a call to
 * memcpy; two fixed-size copies that overlap in the middle cover 4 to 16
 * bytes without reading or writing past either end. */
static inline void copy_short(char *to, const char *s, size_t n)
{
    if (n >= 8 && n <= 16) {
        uint64_t a, z;
        memcpy(&a, s, 8);
        memcpy(&z, s + n - 8, 8);
        memcpy(to, &a, 8);
        memcpy(to + n - 8, &z, 8);
    } else if (n >= 4 && n < 8) {
        uint32_t a, z;
        memcpy(&a, s, 4);
        memcpy(&z, s + n - 4, 4);
        memcpy(to, &a, 4);
        memcpy(to + n - 4, &z, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++)
            to[i] = s[i];
    } else {
        memcpy(to, s, n);
    }
}

/* ob_put when the bytes do not fit. */
static void ob_put_full(OutBuf *b, const char *s, size_t n)
{
    if (!b->sink) {
        b->full = true;   /* the row is dropped: what follows is moot */
        return;
    }
    ob_flush(b);
    if (n > b->cap) {
        fwrite(s, 1, n, b->sink);
        return;
    }
    copy_short(b->p, s, n);
    b->len = n;
}

/* Inline, as ob_str: a JSON row is some twenty puts, most of them
 * literals whose length and copy the compiler then works out (a 1M-row
 * JSON emit stage 198 -> 173 ms). */
static inline void ob_put(OutBuf *b, const char *s, size_t n)
{
    if (__builtin_expect(b->cap - b->len < n, 0)) {
        ob_put_full(b, s, n);
        return;
    }
    copy_short(b->p + b->len, s, n);
    b->len += n;
}

static inline void ob_char(OutBuf *b, char ch)
{
    if (b->len < b->cap)
        b->p[b->len++] = ch;
    else
        ob_put(b, &ch, 1);
}

static inline void ob_str(OutBuf *b, const char *s)
{
    ob_put(b, s, strlen(s));
}

static void ob_u32(OutBuf *b, uint32_t v)
{
    char buf[DTOA_BUFSIZE];
    ob_put(b, buf, (size_t)dtoa_uint(buf, v));
}

/* A CSV field, quoted (RFC 4180) when it holds a comma, quote or newline. */
static void ob_csv_cell(OutBuf *b, const char *s)
{
    /* copied as it is scanned, in one pass: the cells are short (names,
     * numbers), and a scan then a memcpy call cost twice the bytes */
    char *to = b->p + b->len;
    size_t room = b->cap - b->len, plain = 0;
    for (; plain < room && !csv_cell_stop((unsigned char)s[plain]); plain++)
        to[plain] = s[plain];
    if (plain < room && !s[plain]) {
        b->len += plain;
        return;
    }
    /* no room (ob_put flushes or marks the buffer full), or a quoted cell */
    while (!csv_cell_stop((unsigned char)s[plain]))
        plain++;
    if (!s[plain]) {
        ob_put(b, s, plain);
        return;
    }
    ob_char(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            ob_char(b, '"');
        ob_char(b, *s);
    }
    ob_char(b, '"');
}

/* The len bytes at s escaped as json_string (json.c) escapes them. */
static void ob_json_chars(OutBuf *b, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    for (;;) {
        const unsigned char *run = p;
        while (p < end && *p >= 0x20 && *p != '"' && *p != '\\')
            p++;
        ob_put(b, (const char *)run, (size_t)(p - run));
        if (p == end)
            break;
        char esc[6] = {'\\', 0, '0', '0', 0, 0};
        size_t n = 2;
        switch (*p) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[4] = "0123456789abcdef"[*p >> 4];
            esc[5] = "0123456789abcdef"[*p & 15];
            n = 6;
        }
        ob_put(b, esc, n);
        p++;
    }
}

/* As json_string (json.c), into the buffer. */
static void ob_json_string(OutBuf *b, const char *s)
{
    ob_char(b, '"');
    ob_json_chars(b, s, strlen(s));
    ob_char(b, '"');
}

/* As json_number (json.c): the shortest round-trip digits, null when not
 * finite. */
static void ob_json_number(OutBuf *b, double v)
{
    if (!isfinite(v)) {
        ob_put(b, "null", 4);
        return;
    }
    char buf[DTOA_BUFSIZE];
    ob_put(b, buf, (size_t)dtoa_format(buf, v));
}

/* Formats the row at rank position i (result_row_at) into b.  Runs on a
 * worker thread: no arena, no diagnostics. */
typedef void RowWriter(OutBuf *b, const Compilation *c, const Results *res, uint32_t i,
                       RowText *text);

/* Rows per block and blocks per round: a round is formatted in parallel,
 * then written.  A block's buffer is sized from the first row's width
 * (block_bytes, between the two bounds); the rows that do not fit (a long
 * `because` a thousand times) are formatted by the calling thread. */
enum { BLOCK_ROWS = 1024, ROUND_BLOCKS = 16, BLOCK_BYTES_MIN = 1 << 14, BLOCK_BYTES_MAX = 1 << 20,
       SINK_BYTES = 1 << 16 };

typedef struct Block {
    OutBuf buf;
    uint32_t lo, hi;     /* rank positions */
    uint32_t done;       /* rows [lo, done) are in buf */
    RowText text;
} Block;

typedef struct RowJob {
    const Compilation *c;
    const Results *res;
    RowWriter *write;
    Block *blocks;
} RowJob;

static void format_blocks(void *ctx, uint32_t lo, uint32_t hi)
{
    RowJob *job = ctx;
    for (uint32_t k = lo; k < hi; k++) {
        Block *bl = &job->blocks[k];
        bl->buf.len = 0;
        bl->buf.full = false;
        uint32_t i = bl->lo;
        for (; i < bl->hi; i++) {
            size_t start = bl->buf.len;
            job->write(&bl->buf, job->c, job->res, i, &bl->text);
            if (bl->buf.full) {
                bl->buf.len = start;
                break;
            }
        }
        bl->done = i;
    }
}

/* The bytes a block's buffer holds: its rows at the first row's width and
 * half as much again, a power of two.  A fixed half megabyte was 8 MB of
 * buffers for a CSV whose blocks fill 70 KB each. */
static size_t block_bytes(Compilation *c, const Results *res, RowWriter *write, RowText *text,
                          uint32_t block_rows)
{
    OutBuf probe = {arena_alloc(&c->arena, BLOCK_BYTES_MIN), 0, BLOCK_BYTES_MIN, NULL, false};
    write(&probe, c, res, 0, text);
    size_t row = probe.full ? BLOCK_BYTES_MIN : probe.len;
    size_t want = row * block_rows + row * block_rows / 2, bytes = BLOCK_BYTES_MIN;
    while (bytes < want && bytes < BLOCK_BYTES_MAX)
        bytes *= 2;
    return bytes;
}

/* A round's blocks, formatted, onto the sink in order; the rows a block
 * could not hold formatted into the sink itself. */
typedef struct RoundWrite {
    const Compilation *c;
    const Results *res;
    OutBuf *sink;
    RowWriter *write;
    RowText *text;             /* the sink's: only this writer uses it */
    Block *blocks;
    uint32_t nblocks;
} RoundWrite;

static void write_round(RoundWrite *w)
{
    for (uint32_t k = 0; k < w->nblocks; k++) {
        Block *bl = &w->blocks[k];
        ob_flush(w->sink);
        fwrite(bl->buf.p, 1, bl->buf.len, w->sink->sink);
        for (uint32_t i = bl->done; i < bl->hi; i++)
            w->write(w->sink, w->c, w->res, i, w->text);
    }
}

static void *write_round_main(void *arg)
{
    write_round(arg);
    return NULL;
}

/* The next round's blocks, from rank position *first on; their count. */
static uint32_t next_round(Block *blocks, uint32_t *first, uint32_t n, uint32_t block_rows)
{
    uint32_t nblocks = 0;
    for (; nblocks < ROUND_BLOCKS && *first < n; nblocks++) {
        Block *bl = &blocks[nblocks];
        bl->lo = *first;
        bl->hi = n - *first > block_rows ? *first + block_rows : n;
        *first = bl->hi;
    }
    return nblocks;
}

/* Every row, in rank order, through write onto sink's FILE: in parallel
 * rounds of blocks when there are more rows than a block holds.  Two sets
 * of blocks take turns: while a thread writes one round, the next is
 * formatted into the other set (writing a 65 MB CSV is a fifth of the
 * output's time, hidden this way). */
static void write_rows(Compilation *c, const Results *res, OutBuf *sink, RowWriter *write,
                       const RowText *proto)
{
    uint32_t n = res->nservices;
    uint32_t block_rows = c->test.output_block_rows ? c->test.output_block_rows : BLOCK_ROWS;
    RowText *text = ARENA_NEW(&c->arena, RowText);
    *text = *proto;
    if (n <= block_rows) {
        for (uint32_t i = 0; i < n; i++)
            write(sink, c, res, i, text);
        return;
    }
    size_t bytes = block_bytes(c, res, write, text, block_rows);
    Block *sets[2];
    for (int s = 0; s < 2; s++) {
        sets[s] = ARENA_ARRAY(&c->arena, Block, ROUND_BLOCKS);
        for (uint32_t k = 0; k < ROUND_BLOCKS; k++) {
            sets[s][k].buf = (OutBuf){arena_alloc(&c->arena, bytes), 0, bytes, NULL, false};
            sets[s][k].text = *proto;
        }
    }
    uint32_t first = 0;
    RoundWrite w = {c, res, sink, write, text, sets[0], next_round(sets[0], &first, n, block_rows)};
    RowJob job = {c, res, write, sets[0]};
    parallel_rows(c, w.nblocks, 1, format_blocks, &job);
    for (int s = 0;; s ^= 1) {
        w.blocks = sets[s];
        job.blocks = sets[s ^ 1];
        uint32_t next = next_round(job.blocks, &first, n, block_rows);
        if (!next) {
            write_round(&w);
            return;
        }
        pthread_t writer;
        bool apart = pthread_create(&writer, NULL, write_round_main, &w) == 0;
        parallel_rows(c, next, 1, format_blocks, &job);
        if (apart)
            pthread_join(writer, NULL);
        else
            write_round(&w);   /* no thread: written after, as before */
        w.nblocks = next;
    }
}

static OutBuf sink_buffer(Compilation *c, FILE *out)
{
    return (OutBuf){arena_alloc(&c->arena, SINK_BYTES), 0, SINK_BYTES, out, false};
}

/* One CSV record of cells (those text->pick names, or all), CRLF ended;
 * len (or NULL): the cells known to be plain, by length (row_cells) */
static void csv_record(OutBuf *b, const char *const *cells, const uint32_t *len, uint32_t n,
                       const RowText *text)
{
    uint32_t m = text->pick ? text->npick : n;
    for (uint32_t k = 0; k < m; k++) {
        if (k)
            ob_char(b, ',');
        uint32_t cell = text->pick ? text->pick[k] : k;
        if (len && len[cell] != CELL_SCAN)
            ob_put(b, cells[cell], len[cell]);   /* no byte to look at */
        else
            ob_csv_cell(b, cells[cell]);
    }
    ob_put(b, "\r\n", 2);
}

/* The CSV record of the row at rank position i. */
static void csv_row(OutBuf *b, const Compilation *c, const Results *res, uint32_t i,
                    RowText *text)
{
    const char *cells[64];
    uint32_t n = row_cells(c, res, result_row_at(res, i), cells, true, text->shown, text);
    csv_record(b, cells, text->len, n, text);
}

/* --columns (options.columns): the header cells it names, in its order,
 * into text->pick, and only the scores it names formatted (decide.c has
 * computed and marked written every score it names).  False when a name
 * is no column (reported: nothing is written). */
static bool pick_columns(Compilation *c, const Results *res, RowText *text)
{
    const char *spec = c->opts.columns;
    Program *p = c->program;
    const char *head[64];
    uint32_t n = header_cells(c, res, head, res->score_written);
    uint32_t count = 1;
    for (const char *at = spec; *at; at++)
        count += *at == ',';
    Name *names = ARENA_ARRAY(&c->arena, Name, count);
    bool *shown = ARENA_ARRAY(&c->arena, bool, res->nscores + 1);
    uint32_t nnames = 0;
    bool ok = true;
    for (const char *at = spec;; at++) {
        size_t len = strcspn(at, ",");
        Name name = intern(c, at, len);
        names[nnames++] = name;
        uint32_t k = 0;
        while (k < n && strcmp(head[k], name) != 0)
            k++;
        Score *score = namemap_get(&p->score_map, name);
        if (k == n) {
            Diag *d = diag_at(c, D_UNKNOWN_COLUMN, (Loc){0, 0, 0},
                              "--columns names no column `%s`", name);
            Name hint = suggest_name(name, head, n);
            if (hint)
                diag_hint(c, d, "did you mean `%s`?", hint);
            ok = false;
        } else if (score) {
            shown[score->index] = true;
        }
        at += len;
        if (!*at)
            break;
    }
    if (!ok)
        return false;
    /* the header again with only the named scores: the cells' indices */
    n = header_cells(c, res, head, shown);
    uint32_t *pick = ARENA_ARRAY(&c->arena, uint32_t, nnames);
    for (uint32_t i = 0; i < nnames; i++)   /* (each is there: found above) */
        for (pick[i] = 0; pick[i] + 1 < n && strcmp(head[pick[i]], names[i]) != 0;)
            pick[i]++;
    text->shown = shown;
    text->pick = pick;
    text->npick = nnames;
    return true;
}

static strat_status emit_csv(Compilation *c, const Results *res, FILE *out)
{
    RowText proto = {.arms = arm_texts(c), .shown = res->score_written};
    if (c->opts.columns && !pick_columns(c, res, &proto))
        return STRAT_FINDINGS;
    OutBuf sink = sink_buffer(c, out);
    const char *cells[64];
    uint32_t n = header_cells(c, res, cells, proto.shown);
    csv_record(&sink, cells, NULL, n, &proto);
    write_rows(c, res, &sink, csv_row, &proto);
    ob_flush(&sink);
    return STRAT_OK;
}

static void emit_md(Compilation *c, const Results *res, FILE *out)
{
    const Strategy *st = &c->program->strategy;
    fprintf(out, "## Decisions: ");
    md_text(out, st->title ? st->title : "strategy");
    fputs("\n\n", out);
    Program *p = c->program;
    for (uint32_t t = 0; t < p->tables.len; t++) {
        const DecideTable *table = program_table(p, t);
        unsigned counts[MAX_OUTCOMES], errors;
        summary_counts(res, t, counts, &errors);
        fprintf(out, "| %s | services |\n|---|---:|\n", table_heading(c, table, "decision"));
        for (uint32_t k = 0; k < table->noutcomes; k++)
            fprintf(out, "| %s | %u |\n", outcome_name(p, table->outcomes[k]),
                    counts[table->outcomes[k]]);
        if (errors)
            fprintf(out, "| undecided | %u |\n", errors);
        fputc('\n', out);
    }
    uint32_t first_score = first_score_column(res);
    const char *cells[64];
    uint32_t n = header_cells(c, res, cells, res->score_written);
    const ArmTexts *arms = arm_texts(c);
    RowText text = {.arms = arms};
    fputs("|", out);
    for (uint32_t k = 0; k < n; k++) {
        fputc(' ', out);
        md_text(out, cells[k]);
        fputs(" |", out);
    }
    fputs("\n|", out);
    for (uint32_t k = 0; k < n; k++)
        fputs(k == 0 || (k >= first_score && k + 1 < n) ? "---:|" : "---|", out);
    fputc('\n', out);
    for (uint32_t i = 0; i < res->nservices; i++) {
        n = row_cells(c, res, result_row_at(res, i), cells, false, res->score_written, &text);
        fputs("|", out);
        for (uint32_t k = 0; k < n; k++) {
            fputc(' ', out);
            md_text(out, cells[k]);
            fputs(" |", out);
        }
        fputc('\n', out);
    }
    fprintf(out, "\n<sub>inputs sha256 `%s`", inputs_sha256(c));
    if (c->opts.scenario) {
        fputs(", scenario ", out);
        md_text(out, c->opts.scenario);
    }
    fputs("</sub>\n", out);
}

/* Each arm's {"file": ..., "line": ...}, made once: a million JSON rows
 * copy it instead of escaping the path again. */
static void arm_json_texts(Compilation *c, ArmTexts *t)
{
    t->json = ARENA_ARRAY(&c->arena, const char *, t->n + 1);
    t->json_len = ARENA_ARRAY(&c->arena, uint32_t, t->n + 1);
    for (uint32_t i = 0; i < t->n; i++) {
        /* a character escapes to at most six */
        size_t cap = 6 * strlen(t->file[i]) + 64;
        OutBuf b = {arena_alloc(&c->arena, cap), 0, cap, NULL, false};
        ob_str(&b, "{\"file\": ");
        ob_json_string(&b, t->file[i]);
        ob_str(&b, ", \"line\": ");
        ob_u32(&b, t->line[i]);
        ob_char(&b, '}');
        t->json[i] = b.p;
        t->json_len[i] = (uint32_t)b.len;
    }
}

/* "decision": ..., "arm": {...}, "because": ... of row r in table t. */
static void ob_json_table_fields(OutBuf *b, const Program *p, const Results *res, uint32_t t,
                                 uint32_t r, const ArmTexts *arms)
{
    bool known = t < res->ntables && t < p->tables.len;
    int d = known ? (t ? res->decisions[t] : res->decision)[r] : -1;
    int idx = known ? (t ? res->arms[t] : res->arm)[r] : -1;
    const char *because = known ? result_because(p, res, t, r) : NULL;
    ob_str(b, "\"decision\": ");
    if (d >= 0 && !res->failed[r])
        ob_json_string(b, outcome_name(p, d));
    else
        ob_str(b, "null");
    ob_str(b, ", \"arm\": ");
    if (known && row_arm(&arms[t], idx))
        ob_put(b, arms[t].json[idx], arms[t].json_len[idx]);
    else
        ob_str(b, "null");
    ob_str(b, ", \"because\": ");
    if (because)
        ob_json_string(b, because);
    else
        ob_str(b, "null");
}

/* , "tables": {"NAME": {decision, arm, because}, ...} for the named tables
 * (none: nothing, as before tables had names). */
static void ob_json_named_tables(OutBuf *b, const Program *p, const Results *res, uint32_t r,
                                 const ArmTexts *arms)
{
    bool any = false;
    for (uint32_t t = 0; t < p->tables.len && t < res->ntables; t++) {
        const DecideTable *table = program_table(p, t);
        if (!table->name)
            continue;
        ob_str(b, any ? ", " : ", \"tables\": {");
        any = true;
        ob_json_string(b, table->name);
        ob_str(b, ": {");
        ob_json_table_fields(b, p, res, t, r, arms);
        ob_char(b, '}');
    }
    if (any)
        ob_char(b, '}');
}

/* One element of "decisions": the row at rank position i, after a comma
 * unless it is the first. */
static void json_row(OutBuf *b, const Compilation *c, const Results *res, uint32_t i,
                     RowText *text)
{
    const Program *p = c->program;
    const KindTable *svc = &p->kinds[EK_SERVICE];
    uint32_t r = result_row_at(res, i);
    ob_str(b, i ? ",\n    {\"rank\": " : "\n    {\"rank\": ");
    ob_u32(b, result_rank(res, r));
    ob_str(b, ", \"service\": ");
    ob_json_string(b, svc->names[r]);
    ob_str(b, ", ");
    ob_json_table_fields(b, p, res, 0, r, text->arms);
    ob_json_named_tables(b, p, res, r, text->arms);
    ob_str(b, ", \"rank_value\": ");
    ob_json_number(b, result_rank_value(res, r));
    ob_str(b, ", \"scores\": {");
    for (uint32_t s = 0, shown = 0; s < res->nscores; s++) {
        if (res->score_written && !res->score_written[s])
            continue;
        ob_str(b, shown++ ? ", " : "");
        ob_json_string(b, ((Score *)p->scores.items[s])->name);
        ob_str(b, ": ");
        ob_json_number(b, res->scores[(size_t)s * res->nservices + r]);
    }
    ob_str(b, "}, \"approvers\": [");
    if (result_approvers(res, r)) {
        /* the list is "a, b": each name as a JSON string */
        const char *s = result_approvers(res, r);
        bool first = true;
        while (*s) {
            const char *e = strstr(s, ", ");
            size_t len = e ? (size_t)(e - s) : strlen(s);
            ob_str(b, first ? "\"" : ", \"");
            ob_json_chars(b, s, len);
            ob_char(b, '"');
            first = false;
            s += len + (e ? 2 : 0);
        }
    }
    ob_str(b, "]}");
}

/* {"outcome": n, ..., "undecided": n} of table t. */
static void json_counts(Compilation *c, const Results *res, uint32_t t, FILE *out)
{
    Program *p = c->program;
    unsigned counts[MAX_OUTCOMES], errors;
    summary_counts(res, t, counts, &errors);
    const DecideTable *table = t < p->tables.len ? program_table(p, t) : NULL;
    uint32_t n = table ? table->noutcomes : DEC_COUNT;
    fputc('{', out);
    for (uint32_t k = 0; k < n; k++) {
        int id = table ? table->outcomes[k] : (int)k;
        fprintf(out, "%s\"%s\": %u", k ? ", " : "", outcome_name(p, id), counts[id]);
    }
    fprintf(out, ", \"undecided\": %u}", errors);
}

/* "summary": table 0's counts; "table_summaries": each named table's. */
static void json_summaries(Compilation *c, const Results *res, FILE *out)
{
    Program *p = c->program;
    fputs(",\n  \"summary\": ", out);
    json_counts(c, res, 0, out);
    bool any = false;
    for (uint32_t t = 0; t < p->tables.len; t++) {
        const DecideTable *table = program_table(p, t);
        if (!table->name)
            continue;
        fputs(any ? ", " : ",\n  \"table_summaries\": {", out);
        any = true;
        json_string(out, table->name);
        fputs(": ", out);
        json_counts(c, res, t, out);
    }
    if (any)
        fputc('}', out);
}

static void emit_json(Compilation *c, const Results *res, FILE *out)
{
    Program *p = c->program;
    fputs("{\n  \"format_version\": \"" STRAT_JSON_FORMAT_VERSION "\",\n  \"strategy\": ", out);
    json_string(out, p->strategy.title ? p->strategy.title : "");
    fputs(",\n  \"inputs_sha256\": ", out);
    json_string(out, inputs_sha256(c));
    fputs(",\n  \"scenario\": ", out);
    if (c->opts.scenario)
        json_string(out, c->opts.scenario);
    else
        fputs("null", out);
    json_summaries(c, res, out);
    fputs(",\n  \"decisions\": [", out);
    OutBuf sink = sink_buffer(c, out);
    RowText proto = {.arms = arm_texts(c)};   /* (json_row writes res->score_written's) */
    write_rows(c, res, &sink, json_row, &proto);
    ob_flush(&sink);
    fputs(res->nservices ? "\n  ]\n}\n" : "]\n}\n", out);
}

/* Counts per decision only: for dashboards, CI logs, and the benchmark
 * (which compares the deciding, not the printing of a million rows). */
static void emit_summary(Compilation *c, const Results *res, FILE *out)
{
    Program *p = c->program;
    fprintf(out, "# inputs sha256: %s\n", inputs_sha256(c));
    for (uint32_t t = 0; t < p->tables.len; t++) {
        const DecideTable *table = program_table(p, t);
        unsigned counts[MAX_OUTCOMES], errors;
        summary_counts(res, t, counts, &errors);
        if (table->name)
            fprintf(out, "# table %s\n", table->name);
        int width = 10;   /* the counts line up: the longest outcome, at least 10 */
        for (uint32_t k = 0; k < table->noutcomes; k++)
            if ((int)strlen(outcome_name(p, table->outcomes[k])) > width)
                width = (int)strlen(outcome_name(p, table->outcomes[k]));
        for (uint32_t k = 0; k < table->noutcomes; k++)
            fprintf(out, "%-*s %u\n", width, outcome_name(p, table->outcomes[k]),
                    counts[table->outcomes[k]]);
        if (errors)
            fprintf(out, "%-*s %u\n", width, "undecided", errors);
    }
}

strat_status emit_decisions(Compilation *c, FILE *out, const char *format)
{
    if (!decide_have_results(c))
        return STRAT_FINDINGS;
    const Results *res = c->results;
    if (!format || strcmp(format, "table") == 0)
        emit_table(c, res, out);
    else if (strcmp(format, "json") == 0)
        emit_json(c, res, out);
    else if (strcmp(format, "csv") == 0)
        return emit_csv(c, res, out);
    else if (strcmp(format, "md") == 0)
        emit_md(c, res, out);
    else if (strcmp(format, "summary") == 0)
        emit_summary(c, res, out);
    else if (strcmp(format, "html") == 0)
        emit_html(c, decide_all_scores(c), out);   /* the report shows them all */
    else
        return STRAT_FAILURE;
    return STRAT_OK;
}
