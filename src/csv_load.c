/*
 * csv_load.c — `load KIND from "file.csv" { key = "id"  attr = "Column" }`.
 *
 * Takes the load declarations and gives rows in the kind's table, cells
 * typed by the schema: numbers by the exact, locale-free parser of csv.c,
 * strings and symbols as atoms, dates as days, references kept by name
 * until every entity is known (csv_resolve_refs).  A CSV file is a source
 * like any other, so a bad cell is a diagnostic at file.csv:line:column
 * naming the column and the type it expected.  Lists in a cell are
 * separated by `;`.  No allocation per cell: names are interned, values go
 * straight into the columns.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csv.h"
#include "csv_load.h"
#include "showback_load.h"
#include "dates.h"
#include "demand.h"
#include "diag.h"
#include "digest.h"
#include "dtoa.h"
#include "intern.h"
#include "load.h"
#include "parallel.h"
#include "source.h"

enum { MAX_COLUMNS = 256, MAX_CSV_ERRORS = 100 };

typedef struct PendingRef {
    EntityKind kind;
    uint32_t row;
    int slot;
    Name name;
    Loc loc;
    bool list;               /* append to the row's list */
    char list_sep;           /* the load's list separator, for the hint */
    const char *header;      /* the CSV column's header (column_label) */
} PendingRef;

/* A CMDB export repeats a few values down a column (statuses, owners,
 * customers), not always the one above: each column keeps the text and
 * result of the last cell of each of MEMO_WAYS hash values, so a repeat
 * costs a memcmp, not an intern and a lookup. */
enum { MEMO_WAYS = 16 };

typedef struct CellMemo {
    const char *text;
    size_t len;
    int32_t value;
    bool valid;
    uint32_t hash;            /* intern_hash of the text */
} CellMemo;

typedef struct CsvLoad {
    Compilation *c;
    CellMemo *memo;          /* MEMO_WAYS per CSV column */
    uint32_t file;
    const char *data;
    size_t data_len;
    bool data_quoted;         /* a double quote occurs in data */
    /* problems reported and held back, per source file (the cap is per
     * CSV file, whatever the problem and whichever load reads the file) */
    unsigned *errors, *more;
    uint32_t nfiles;
    char list_sep;           /* the current load's list separator */
    PtrVec pending;          /* PendingRef* (references resolved later) */
    const char **headers;    /* the current load's header, per CSV column */
    const char *column;      /* the header of the cell being stored, or NULL */
    uint32_t rows_end[EK_COUNT];   /* the rows reserved for every load, per kind */
} CsvLoad;

static Loc field_loc(CsvLoad *L, const csv_field *f, size_t record_start)
{
    size_t off = record_start;
    if (f->ptr >= L->data && f->ptr <= L->data + L->data_len)
        off = (size_t)(f->ptr - L->data) - (f->quoted ? 1 : 0);
    Loc l = {L->file, (uint32_t)off, (uint32_t)(off + f->len + (f->quoted ? 2 : 0))};
    if (l.end == l.start)
        l.end = l.start + 1;
    return l;
}

/* True when one more problem of `file` may be reported; else it is
 * counted for the S1201 note. */
static bool csv_file_budget(CsvLoad *L, uint32_t file)
{
    if (file >= L->nfiles)
        return true;   /* not a CSV file of this run: never capped */
    if (L->errors[file] < MAX_CSV_ERRORS) {
        L->errors[file]++;
        return true;
    }
    L->more[file]++;
    return false;
}

static bool csv_error_budget(CsvLoad *L)
{
    return csv_file_budget(L, L->file);
}

static bool parse_date_cell(const char *s, size_t n, int32_t *out)
{
    if (n != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (size_t i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
    unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
    if (!date_valid(y, m, d))
        return false;
    *out = days_from_civil(y, m, d);
    return true;
}

/* The column a cell problem names: as the CSV's header has it, and the
 * attribute it fills when that is another name ("`Tier` (attribute
 * `tier`)"): the analyst looks for the header, the author for the name. */
static const char *column_label(Compilation *c, const char *header, const AttrDef *a)
{
    if (header && strcmp(header, a->name) != 0)
        return arena_printf(&c->arena, "`%s` (attribute `%s`)", header, a->name);
    return arena_printf(&c->arena, "`%s`", a->name);
}

static void bad_cell(CsvLoad *L, Loc loc, const AttrDef *a, const char *s, size_t n,
                     const char *expected)
{
    if (!csv_error_budget(L))
        return;
    diag_at(L->c, D_CSV_CELL, loc, "column %s expects %s, not `%.*s`", column_label(L->c, L->column, a),
            expected, (int)(n > 40 ? 40 : n), s);
}

/* `120k`, `1.6M`, `30%`, `1_000` in a number cell: CSV numbers are plain
 * (a suffix is `.strat` syntax), so the cell is an error; the plain
 * number it stands for is the help, and a fix for a person (strat fix
 * never edits a CSV file).  False when the cell is no such number. */
static bool suffixed_number_cell(CsvLoad *L, Loc loc, const AttrDef *a, const char *s,
                                 size_t n)
{
    char buf[80];
    size_t len = 0;
    int shift = 0;
    size_t body = n;
    if (n == 0 || n > 60)
        return false;
    switch (s[n - 1]) {
    case 'k': case 'K': shift = 3; break;
    case 'M': case 'm': shift = 6; break;
    case 'B': case 'b': shift = 9; break;
    case '%': shift = -2; break;
    default: break;
    }
    if (shift)
        body--;
    bool underscore = false;
    for (size_t i = 0; i < body; i++) {
        if (s[i] == '_' && i > 0 && i + 1 < body && s[i + 1] >= '0' && s[i + 1] <= '9') {
            underscore = true;
            continue;
        }
        buf[len++] = s[i];
    }
    if (!shift && !underscore)
        return false;
    if (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t'))
        return false;   /* `120 k`: not a number either way */
    /* the suffix folded into the exponent, as the lexer reads `120k` */
    char *e = memchr(buf, 'e', len);
    if (!e)
        e = memchr(buf, 'E', len);
    int exp = 0;
    if (e) {
        buf[len] = '\0';
        exp = atoi(e + 1);
        len = (size_t)(e - buf);
    }
    len += (size_t)snprintf(buf + len, sizeof buf - len, "e%d", exp + shift);
    double v;
    if (csv_parse_number(buf, len, &v) != CSV_NUM_OK || !(v - v == 0))
        return false;
    if (!csv_error_budget(L))
        return true;
    char plain[DTOA_BUFSIZE];
    dtoa_format(plain, v);
    Diag *d = diag_at(L->c, D_CSV_CELL, loc, "column %s expects a plain number, not `%.*s`",
                      column_label(L->c, L->column, a), (int)n, s);
    diag_hint(L->c, d, "CSV numbers take no %s: write %s",
              shift ? "suffix (k, M, B, %)" : "`_`", plain);
    diag_fix(L->c, d, loc, plain, false);
    return true;
}

static void add_pending(CsvLoad *L, EntityKind k, uint32_t row, int slot,
                        const char *s, size_t n, Loc loc, bool list)
{
    PendingRef *p = ARENA_NEW(&L->c->arena, PendingRef);
    p->kind = k;
    p->row = row;
    p->slot = slot;
    p->name = intern(L->c, s, n);
    p->loc = loc;
    p->list = list;
    p->list_sep = L->list_sep;
    p->header = L->column;
    ptrvec_push(&L->c->arena, &L->pending, p);
}

/* A nonzero digit before the exponent, yet the value read is 0. */
static bool underflowed(const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i] != 'e' && s[i] != 'E'; i++)
        if (s[i] >= '1' && s[i] <= '9')
            return true;
    return false;
}

/* A cell holds UTF-8 text without NUL bytes, reported at the byte. */
static bool cell_text_ok(CsvLoad *L, const char *s, size_t n, const csv_field *f,
                         size_t rec_start)
{
    const char *nul = memchr(s, '\0', n);
    uint32_t bad = nul ? 0 : utf8_invalid_at(s, n);
    if (!nul && !bad)
        return true;
    if (!csv_error_budget(L))
        return false;
    Loc loc = field_loc(L, f, rec_start);
    uint32_t off = nul ? (uint32_t)(nul - s) : bad - 1;
    /* the cell's text starts at loc unless it was quoted */
    uint32_t base = s >= L->data && s < L->data + L->data_len ? (uint32_t)(s - L->data)
                                                               : loc.start;
    Loc at = {loc.file, base + off, base + off + 1};
    if (nul)
        diag_at(L->c, D_CSV_SYNTAX, at, "NUL byte in a CSV cell");
    else
        diag_at(L->c, D_LEX_UTF8, at, "invalid UTF-8 in a CSV cell");
    return false;
}

/* A reference to an entity already declared, encoded for a column of
 * these kinds; -1 when the name is not (yet) known. */
static int32_t resolve_now(Compilation *c, unsigned kinds, const char *s, size_t n)
{
    Name name = intern(c, s, n);
    for (int k = 0; k < EK_COUNT; k++) {
        if (!(kinds & KIND_BIT(k)))
            continue;
        KindTable *kt = kind_table(c, (EntityKind)k);
        int32_t v = kind_lookup(kt, name);
        if (v >= 0 && row_decl(kt, (uint32_t)v))
            return ref_encode(kinds, (EntityKind)k, v);
    }
    return -1;
}

/* a;b;c — strings are stored now; references now when every one of them
 * is already declared (the common `customers = everyone`), else all of
 * them later, so the list keeps the cell's order either way. */
static void store_list(CsvLoad *L, KindTable *t, uint32_t row, int slot, const char *s,
                       size_t n, const csv_field *f, size_t rec_start, CellMemo *memo)
{
    Compilation *c = L->c;
    const AttrDef *a = &t->attrs[slot];
    Column *col = &t->cols[slot];
    bool refs = a->type.elem && a->type.elem->kind == T_ENTITY;
    uint32_t off = col->pool_len;
    col->list[row] = (ListSpan){off, 0};
    if (!L->list_sep)
        return;   /* the load's list_separator is bad (reported) */
    const char *end = s + n;
    for (int pass = 0; pass < 2; pass++) {
        /* pass 0 stores (refs: only while each resolves); pass 1 defers */
        for (const char *p = s; p <= end;) {
            const char *semi = memchr(p, L->list_sep, (size_t)(end - p));
            const char *e = semi ? semi : end;
            const char *item = p;
            size_t len = (size_t)(e - p);
            csv_trim(&item, &len);
            if (len) {
                if (pass == 1) {
                    add_pending(L, t->kind, row, slot, item, len,
                                field_loc(L, f, rec_start), true);
                } else if (!refs) {
                    list_push(c, col, atom_id(c, intern(c, item, len)));
                    col->list[row].len++;
                } else {
                    int32_t v = resolve_now(c, a->type.elem->kinds, item, len);
                    if (v < 0)
                        break;
                    list_push(c, col, v);
                    col->list[row].len++;
                }
            }
            if (!semi) {
                if (pass == 0)   /* a repeat of this cell copies the row */
                    *memo = (CellMemo){s, n, (int32_t)row, true, memo->hash};
                return;
            }
            p = semi + 1;
        }
        /* an unknown reference: drop what pass 0 stored, defer them all */
        col->pool_len = off;
        col->list[row] = (ListSpan){off, 0};
    }
}

/* The range a number attribute allows, as the schema says it: `0..5`,
 * `>= 0`, `> 0 and <= 1`. */
static const char *range_text(Compilation *c, const AttrDef *a)
{
    char lo[DTOA_BUFSIZE], hi[DTOA_BUFSIZE];
    dtoa_format(lo, a->min);
    dtoa_format(hi, a->max);
    if (a->has_min && a->has_max && !a->min_excl && !a->max_excl)
        return arena_printf(&c->arena, "%s..%s", lo, hi);
    if (a->has_min && a->has_max)
        return arena_printf(&c->arena, "%s %s and %s %s", a->min_excl ? ">" : ">=", lo,
                            a->max_excl ? "<" : "<=", hi);
    if (a->has_min)
        return arena_printf(&c->arena, "%s %s", a->min_excl ? ">" : ">=", lo);
    return arena_printf(&c->arena, "%s %s", a->max_excl ? "<" : "<=", hi);
}

/* `f` and `rec_start` give the cell's location, worked out only when a
 * diagnostic needs it: a million clean rows never pay for it. */
static void store_cell(CsvLoad *L, KindTable *t, uint32_t row, int slot,
                       const csv_field *f, size_t rec_start, CellMemo *memos,
                       const uint32_t *checked_hash)
{
    const char *s = f->ptr;
    size_t n = f->len;
    Compilation *c = L->c;
    CellMemo no_memo = {0};
    CellMemo *memo = &no_memo;
    const AttrDef *a = &t->attrs[slot];
    Column *col = &t->cols[slot];
    csv_trim(&s, &n);
    if (n == 0)
        return;   /* empty: missing, the default applies */
    /* a worker thread has checked the text and hashed it, or not */
    if (!checked_hash && !cell_text_ok(L, s, n, f, rec_start))
        return;
    uint32_t hash = checked_hash ? *checked_hash : 0;
    switch (a->type.kind) {
    case T_NUMBER: {
        double v;
        if (csv_parse_number(s, n, &v) != CSV_NUM_OK || !(v - v == 0)) {
            if (!suffixed_number_cell(L, field_loc(L, f, rec_start), a, s, n))
                bad_cell(L, field_loc(L, f, rec_start), a, s, n, "a number");
            return;
        }
        if (v == 0 && underflowed(s, n)) {
            bad_cell(L, field_loc(L, f, rec_start), a, s, n,
                     "a number (this one rounds to 0)");
            return;
        }
        if (a->whole && v != floor(v)) {   /* schema `int` */
            bad_cell(L, field_loc(L, f, rec_start), a, s, n, "a whole number (int)");
            return;
        }
        bool low = a->has_min && (a->min_excl ? !(v > a->min) : !(v >= a->min));
        bool high = a->has_max && (a->max_excl ? !(v < a->max) : !(v <= a->max));
        if ((low || high) && csv_error_budget(L)) {
            Diag *d = diag_at(c, D_RANGE, field_loc(L, f, rec_start),
                              "column %s: %.*s is out of range %s", column_label(L->c, L->column, a),
                              (int)(n > 40 ? 40 : n), s, range_text(c, a));
            if (a->loc.file)
                diag_note(c, d, a->loc, "the schema of `%s` is here", a->name);
        }
        col->num[row] = v;
        return;
    }
    case T_STRING:
    case T_SYMBOL:
    case T_ENTITY:
    case T_LIST:
        /* (cells unescaped into the scratch buffer are not remembered: the
         * next record overwrites it) */
        if (s >= L->data && s < L->data + L->data_len) {
            hash = checked_hash ? hash : intern_hash(s, n);
            memo = &memos[hash & (MEMO_WAYS - 1)];
            if (memo->hash != hash)
                memo->valid = false;   /* (a way holds one text; this one replaces it) */
            memo->hash = hash;
        }
        if (memo->valid && memo->len == n && memcmp(memo->text, s, n) == 0) {
            if (a->type.kind != T_LIST) {
                col->i32[row] = memo->value;
                return;
            }
            /* the same list as the row before: the same elements again */
            ListSpan prev = col->list[memo->value];
            col->list[row] = (ListSpan){col->pool_len, prev.len};
            for (uint32_t k = 0; k < prev.len; k++) {
                int32_t v = col->pool[prev.off + k];
                list_push(c, col, v);
            }
            return;
        }
        break;
    default:
        break;
    }
    switch (a->type.kind) {
    case T_STRING:
        col->i32[row] = atom_id(c, checked_hash ? intern_hashed(c, s, n, hash)
                                                : intern(c, s, n));
        *memo = (CellMemo){s, n, col->i32[row], true, hash};
        return;
    case T_SYMBOL: {
        Name v = checked_hash ? intern_hashed(c, s, n, hash) : intern(c, s, n);
        if (a->nallowed) {
            bool ok = false;
            for (uint32_t i = 0; i < a->nallowed; i++)
                ok |= a->allowed[i] == v;
            if (!ok) {
                if (csv_error_budget(L)) {
                    Diag *d = diag_at(c, D_CSV_CELL, field_loc(L, f, rec_start),
                                      "column %s: `%s` is not a valid %s",
                                      column_label(L->c, L->column, a), v, a->name);
                    Name sug = suggest_name(v, a->allowed, a->nallowed);
                    if (sug)
                        diag_hint(c, d, "did you mean `%s`?", sug);
                }
                return;
            }
        }
        col->i32[row] = atom_id(c, v);
        *memo = (CellMemo){s, n, col->i32[row], true, hash};
        return;
    }
    case T_DATE: {
        int32_t d;
        if (!parse_date_cell(s, n, &d))
            bad_cell(L, field_loc(L, f, rec_start), a, s, n, "a date YYYY-MM-DD");
        else {
            col->i32[row] = d;
            /* an end of life already past: the cell is where S0935 may
             * point (consistency.c); only those cells pay for their place */
            if (d < c->program->today && strcmp(a->name, "end_of_life") == 0)
                attr_set_loc(c, t, slot, row, field_loc(L, f, rec_start));
        }
        return;
    }
    case T_BOOL:
        if (n == 4 && memcmp(s, "true", 4) == 0)
            col->i32[row] = 1;
        else if (n == 5 && memcmp(s, "false", 5) == 0)
            col->i32[row] = 0;
        else
            bad_cell(L, field_loc(L, f, rec_start), a, s, n, "true or false");
        return;
    case T_ENTITY: {
        /* a name declared in the strategy resolves now; rows of this or
         * another CSV may still be coming, so the rest wait */
        int32_t v = resolve_now(c, a->type.kinds, s, n);
        if (v >= 0) {
            col->i32[row] = v;
            *memo = (CellMemo){s, n, v, true, hash};
            return;
        }
        add_pending(L, t->kind, row, slot, s, n, field_loc(L, f, rec_start), false);
        return;
    }
    case T_LIST:
        store_list(L, t, row, slot, s, n, f, rec_start, memo);
        return;
    default:
        bad_cell(L, field_loc(L, f, rec_start), a, s, n, "a value of a supported type");
    }
}

static bool kind_by_name(Name n, EntityKind *out)
{
    for (int k = 0; k < EK_COUNT; k++)
        if (strcmp(n, entity_kind_name((EntityKind)k)) == 0) {
            *out = (EntityKind)k;
            return true;
        }
    return false;
}

/* ---- rows --------------------------------------------------------------- */

/* What the header decided: where each column goes. */
typedef struct RowPlan {
    KindTable *t;
    const char *key;          /* the key column's name */
    const char *file;         /* the load's file name, for progress */
    int ncols, key_col;
    int *col_slot;            /* attribute slot of each CSV column, or -1 */
    int nnum;                 /* number columns, parsed on worker threads */
    int *num_col;
    const AttrDef **num_attr;
    int ntext;                /* every other mapped column */
    int *text_col;
} RowPlan;

/* The row for a record's key, or -1 when the key is empty, invalid or
 * taken (reported). */
static int32_t add_keyed_row(CsvLoad *L, const RowPlan *P, const csv_field *kf,
                             size_t rec_start, const uint32_t *checked_hash)
{
    Compilation *c = L->c;
    KindTable *t = P->t;
    const char *ks = kf->ptr;
    size_t kn = kf->len;
    csv_trim(&ks, &kn);
    Loc kl = field_loc(L, kf, rec_start);
    if (kn == 0) {
        if (csv_error_budget(L))
            diag_at(c, D_CSV_CELL, kl, "the key column `%s` is empty", P->key);
        return -1;
    }
    if (!checked_hash && !cell_text_ok(L, ks, kn, kf, rec_start))
        return -1;
    Name name = checked_hash ? intern_hashed(c, ks, kn, *checked_hash) : intern(c, ks, kn);
    if (name_info(name)->kind_row == NAME_NO_KIND)
        return (int32_t)kind_add_row(c, t, name, kl, NULL);   /* (the common case) */
    int other = name_entity_kind(name);
    if (other >= 0 && other != (int)t->kind) {
        if (csv_error_budget(L)) {
            KindTable *ot = kind_table(c, (EntityKind)other);
            Diag *dg = diag_at(c, D_DUPLICATE, kl, "`%s` is already the name of a %s",
                               name, entity_kind_name((EntityKind)other));
            diag_note(c, dg, row_loc(ot, kind_lookup(ot, name)), "`%s` is declared here", name);
        }
        return -1;
    }
    int32_t dup = kind_lookup(t, name);
    if (dup >= 0) {
        if (csv_error_budget(L)) {
            Diag *dg = diag_at(c, D_DUPLICATE, kl, "duplicate %s `%s`",
                               entity_kind_name(t->kind), name);
            diag_note(c, dg, row_loc(t, dup), "`%s` is first declared here", name);
        }
        return -1;
    }
    return (int32_t)kind_add_row(c, t, name, kl, NULL);
}

/* Reads the record at r's position with the full reader and stores it.
 * False at the end of the input, or after a syntax error the reader
 * cannot resynchronise from. */
static bool read_record(CsvLoad *L, const RowPlan *P, csv_reader *r, csv_field *fields,
                        char *scratch, size_t scratch_cap)
{
    size_t rec_start = r->pos;
    csv_error err;
    int n = csv_next_record(r, fields, MAX_COLUMNS, scratch, scratch_cap, &err);
    if (n == 0)
        return false;
    if (n < 0) {
        Loc at = {L->file, (uint32_t)err.offset, (uint32_t)err.offset + 1};
        if (csv_error_budget(L))
            diag_at(L->c, D_CSV_SYNTAX, at, "%s", err.msg);
        return false;
    }
    if (n == 1 && fields[0].len == 0 && !fields[0].quoted)
        return true;   /* blank line */
    if (n != P->ncols) {
        if (csv_error_budget(L)) {
            Loc at = field_loc(L, &fields[n - 1], rec_start);
            diag_at(L->c, D_CSV_ROW, at, "row has %d fields; the header has %d", n,
                    P->ncols);
        }
        return true;
    }
    int32_t row = add_keyed_row(L, P, &fields[P->key_col], rec_start, NULL);
    if (row < 0)
        return true;
    for (int i = 0; i < P->ncols; i++)
        if (P->col_slot[i] >= 0) {
            L->column = L->headers[i];
            store_cell(L, P->t, (uint32_t)row, P->col_slot[i], &fields[i], rec_start,
                       &L->memo[(size_t)i * MEMO_WAYS], NULL);
        }
    L->column = NULL;
    return true;
}

/* ---- parallel parsing ----------------------------------------------------
 *
 * A large file is cut into blocks at line breaks.  Worker threads split a
 * block's records into fields and parse the number cells (the bulk of the
 * work); the main thread takes the blocks in file order and does all that
 * touches the compilation: interning keys and text, adding rows, every
 * diagnostic.  So the result, diagnostics included, is the sequential
 * reader's, byte for byte, whatever the threads and block sizes:
 *   - a worker marks a record it cannot take whole (wrong field count,
 *     escaped quotes, a number cell that is not a clean in-range number)
 *     and the main thread rereads it with read_record;
 *   - a worker stops at anything the reader rejects, and the main thread
 *     reads on sequentially from there;
 *   - a block's start is only a guess (a line break with an even number of
 *     quotes before it), so the main thread uses a block only when it
 *     starts exactly where the previous record ended; otherwise it reads
 *     the rest of the file sequentially.
 */
enum {
    BLOCK_BYTES = 256 << 10,     /* default block size */
    BLOCK_RECORDS = 1 << 14,     /* records a block holds; a worker stops there */
    PARALLEL_MIN_BYTES = 2 << 20,
    MAX_WORKERS = 8,
    SLOTS_PER_WORKER = 3,
    PREFETCH_AHEAD = 8,
};

#define SPAN_QUOTED 0x80000000u

/* A cell's text: a byte offset and length in the file (CSV sources are at
 * most 256 MiB), the top bit of len saying it was quoted. */
typedef struct CellSpan {
    uint32_t off, len;
} CellSpan;

typedef struct ParsedBlock {
    uint32_t start, end;      /* the bytes given to the worker */
    uint32_t stop;            /* where its reader stopped: end, or short */
    uint32_t nrec;
    uint32_t *rec;            /* record start offsets */
    uint8_t *slow;            /* 1: reread with read_record */
    double *num;              /* nnum columns of BLOCK_RECORDS values */
    CellSpan *text;           /* ntext + 1 columns; the key is the last */
    uint32_t *hash;           /* intern_hash of each trimmed text cell */
} ParsedBlock;

/* ---- the work ahead of the store ----
 *
 * The main thread stores the rows; the workers parse blocks for it and
 * are idle whenever the slots are full.  Then they work ahead of the
 * main thread on the memory it is about to write: they fault in the
 * fresh pages (the rows' columns, names and locations, the keys' text, a
 * list column's elements), and set the reserved rows' columns to
 * missing.  Fresh memory is the load's largest cost on a virtual machine
 * whose host has taken freed pages back (about 3.5 ms a 2 MiB page), and
 * the main thread is the one the load waits for.
 *
 * Faulting in (MADV_POPULATE_WRITE) changes no byte, so it may run
 * anywhere near the main thread.  Setting rows writes them, so the main
 * thread stores a row only once its piece is set (rows_ready), setting a
 * piece itself when no worker has taken it. */
#define FRESH_AHEAD ((size_t)4 << 20)   /* how far ahead of the main thread */
#define FRESH_PIECE ((size_t)512 << 10) /* faulted in at a time */

typedef struct FreshRegion {
    char *base;               /* the first byte the load will write */
    size_t len;
    size_t used;              /* atomic: written by the main thread, as of its last block */
    size_t done;              /* atomic: faulted in */
    /* (main thread) where it writes next: *cursor, or element *count of
     * an array of stride-byte elements whose element count0 is at base */
    char *const *cursor;
    const uint32_t *count;
    uint32_t count0;
    size_t stride;
} FreshRegion;

/* The workers set copies of the columns, taken before they start (the
 * main thread may change a Column while they run: a list's pool, a
 * column's write locations). */
enum { SET_PIECE_ROWS = 1 << 11, SET_AHEAD_ROWS = 1 << 16 };

typedef struct RowSetter {
    const AttrDef *attrs;
    Column *cols;             /* copies */
    uint32_t nattrs;
    uint32_t from, end;       /* rows [from, end) */
    uint32_t npieces;
    uint32_t claimed;         /* atomic: pieces taken */
    uint8_t *done;            /* atomic, per piece */
    uint32_t ready;           /* atomic: the main thread's t->ready */
} RowSetter;

typedef struct BlockReader {
    const RowPlan *plan;
    const char *data;
    size_t len;
    uint32_t nblocks;
    uint32_t *bound;          /* block k is [bound[k], bound[k + 1]) */
    uint32_t nslots;
    ParsedBlock *slots;       /* block k uses slot k % nslots */
    int64_t *slot_block;      /* which block a slot holds, once parsed */
    int32_t *row_of;          /* the row of each record of the block taken */
    csv_field *fields[MAX_WORKERS + 1];
    char *scratch[MAX_WORKERS + 1];
    size_t scratch_cap;
    /* shared with the workers: atomics, and mu and the two condition
     * variables only for a thread that sleeps (wait_until) */
    pthread_mutex_t mu;
    pthread_cond_t parsed;    /* the main thread sleeps here for a block */
    pthread_cond_t freed;     /* workers sleep here for a free slot */
    int main_sleeps, workers_sleeping;
    uint32_t next;            /* next block a worker takes */
    uint32_t consumed;        /* blocks the main thread is done with */
    bool cancel;
    int nworkers;             /* started; 0: the main thread parses */
    int wait_yields;          /* WAIT_YIELDS, or 0 (csv_sleep_at_once) */
    RowSetter set;
    FreshRegion *fresh;
    int nfresh, fresh_cap;
    bool fresh_refused;       /* atomic: the kernel has no MADV_POPULATE_WRITE */
    uintptr_t page;           /* the page size */
} BlockReader;

typedef struct Worker {
    BlockReader *R;
    int index;
    pthread_t thread;
} Worker;

static bool span_in(const char *p, const char *lo, size_t n)
{
    return p >= lo && p < lo + n;
}

static bool number_fits(const AttrDef *a, double v)
{
    if (a->whole && v != floor(v))
        return false;
    bool low = a->has_min && (a->min_excl ? !(v > a->min) : !(v >= a->min));
    bool high = a->has_max && (a->max_excl ? !(v < a->max) : !(v <= a->max));
    return !low && !high;
}

/* No NUL and valid UTF-8 (what cell_text_ok asks of a cell): the plain
 * ASCII a word at a time, the full checks from the first other byte. */
static bool cell_text_clean(const char *s, size_t n)
{
    size_t i = csv_ascii_prefix(s, n);
    return i == n || (!memchr(s + i, '\0', n - i) && !utf8_invalid_at(s + i, n - i));
}

/* Stores record i of block b from its fields when every cell is clean
 * (the right number of fields, number cells that parse and fit the schema,
 * text that is UTF-8 without NUL, nothing unescaped): then store_cell would
 * say nothing about it.  False sends the record to read_record.  A plain
 * record (csv_next_plain_record) is ASCII without NUL or quotes: its text
 * is clean and in the file. */
static bool parse_record_fast(const BlockReader *R, const csv_field *fields, int n,
                              bool plain, const char *scratch, ParsedBlock *b, uint32_t i)
{
    const RowPlan *P = R->plan;
    if (n != P->ncols)
        return false;
    for (int j = 0; j <= P->ntext; j++) {
        const csv_field *f = &fields[j < P->ntext ? P->text_col[j] : P->key_col];
        if (!plain && span_in(f->ptr, scratch, R->scratch_cap))
            return false;   /* unescaped: the text is not in the file */
        const char *s = f->ptr;
        size_t len = f->len;
        csv_trim(&s, &len);
        if (!plain && !cell_text_clean(s, len))
            return false;   /* for cell_text_ok to report */
        b->text[(size_t)j * BLOCK_RECORDS + i] =
            (CellSpan){(uint32_t)(f->ptr - R->data),
                       (uint32_t)f->len | (f->quoted ? SPAN_QUOTED : 0)};
        b->hash[(size_t)j * BLOCK_RECORDS + i] = intern_hash(s, len);
    }
    for (int j = 0; j < P->nnum; j++) {
        const csv_field *f = &fields[P->num_col[j]];
        const char *s = f->ptr;
        size_t len = f->len;
        if (!plain && span_in(s, scratch, R->scratch_cap))
            return false;
        csv_trim(&s, &len);
        double v = NAN;   /* empty: missing */
        if (len && (csv_parse_number_in(s, len, R->data + R->len, &v) != CSV_NUM_OK ||
                    !(v - v == 0) ||
                    (v == 0 && underflowed(s, len)) || !number_fits(P->num_attr[j], v)))
            return false;
        b->num[(size_t)j * BLOCK_RECORDS + i] = v;
    }
    return true;
}

static void parse_block(const BlockReader *R, int who, ParsedBlock *b, uint32_t k)
{
    b->start = R->bound[k];
    b->end = R->bound[k + 1];
    b->nrec = 0;
    csv_reader r;
    csv_init(&r, R->data, b->end);
    csv_seek(&r, b->start);
    while (r.pos < b->end && b->nrec < BLOCK_RECORDS) {
        size_t rec_start = r.pos;
        /* a plain line (ASCII, no quotes) split fast, and its text known clean */
        int n = csv_next_plain_record(&r, R->fields[who], MAX_COLUMNS);
        bool plain = n > 0;
        if (!plain)
            n = csv_next_record(&r, R->fields[who], MAX_COLUMNS, R->scratch[who],
                                R->scratch_cap, NULL);
        if (n <= 0)
            break;   /* the main thread reads on from rec_start and reports */
        uint32_t i = b->nrec++;
        b->rec[i] = (uint32_t)rec_start;
        b->slow[i] = !parse_record_fast(R, R->fields[who], n, plain, R->scratch[who], b, i);
    }
    b->stop = (uint32_t)r.pos;
}

/* ---- the hand-over of blocks ----
 *
 * A worker waits for a free slot, the main thread for a parsed block.  A
 * wake-up through the kernel costs the waker a system call and, on a
 * virtual machine, an interrupt to the sleeping vCPU: 120 us a block
 * measured here, 20 ms of a million-row load, all on the main thread.  So
 * a waiter first yields the CPU for a while, looking again each time (a
 * block is parsed or stored in a few hundred microseconds), and only then
 * sleeps; and a waker calls the kernel only for a thread that sleeps.
 * The state is atomic; a sleeper counts itself (sequentially consistent)
 * before it looks at the state the last time, and a waker changes the
 * state before it looks at the count, so one of them sees the other. */
enum { WAIT_YIELDS = 200 };

static bool slot_free(BlockReader *R, uint32_t k)
{
    return k < __atomic_load_n(&R->consumed, __ATOMIC_SEQ_CST) + R->nslots ||
           __atomic_load_n(&R->cancel, __ATOMIC_SEQ_CST);
}

static bool block_parsed(BlockReader *R, uint32_t k)
{
    return __atomic_load_n(&R->slot_block[k % R->nslots], __ATOMIC_SEQ_CST) == (int64_t)k;
}

static void wait_until(BlockReader *R, bool (*ready)(BlockReader *, uint32_t), uint32_t k,
                       int *sleepers, pthread_cond_t *cv)
{
    for (int i = 0; i < R->wait_yields; i++) {
        if (ready(R, k))
            return;
        sched_yield();
    }
    pthread_mutex_lock(&R->mu);
    __atomic_add_fetch(sleepers, 1, __ATOMIC_SEQ_CST);
    while (!ready(R, k))
        pthread_cond_wait(cv, &R->mu);
    __atomic_sub_fetch(sleepers, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&R->mu);
}

/* After a change another thread may sleep on (the change made first). */
static void wake_sleepers(BlockReader *R, int *sleepers, pthread_cond_t *cv)
{
    if (__atomic_load_n(sleepers, __ATOMIC_SEQ_CST) == 0)
        return;
    pthread_mutex_lock(&R->mu);
    pthread_cond_broadcast(cv);
    pthread_mutex_unlock(&R->mu);
}

static void set_piece(RowSetter *S, uint32_t p)
{
    uint32_t lo = S->from + p * SET_PIECE_ROWS;
    uint32_t hi = S->end - lo > SET_PIECE_ROWS ? lo + SET_PIECE_ROWS : S->end;
    for (uint32_t i = 0; i < S->nattrs; i++)
        column_init_rows(&S->attrs[i], &S->cols[i], lo, hi);
    __atomic_store_n(&S->done[p], 1, __ATOMIC_RELEASE);
}

/* Sets the next piece of rows no thread has taken; false when none is
 * due (at most SET_AHEAD_ROWS past the main thread). */
static bool set_rows_ahead(RowSetter *S)
{
    uint32_t p = __atomic_load_n(&S->claimed, __ATOMIC_RELAXED);
    uint32_t ready = __atomic_load_n(&S->ready, __ATOMIC_RELAXED);
    if (p >= S->npieces || S->from + (uint64_t)p * SET_PIECE_ROWS >= (uint64_t)ready + SET_AHEAD_ROWS)
        return false;
    if (__atomic_compare_exchange_n(&S->claimed, &p, p + 1, false, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED))
        set_piece(S, p);
    return true;
}

/* Faults in the next piece of fresh memory due (at most FRESH_AHEAD past
 * what the main thread has written); false when none is.  Populating
 * changes no byte, so a piece the main thread has reached meanwhile is
 * harmless. */
static bool fault_in_ahead(BlockReader *R)
{
#ifdef MADV_POPULATE_WRITE
    if (__atomic_load_n(&R->fresh_refused, __ATOMIC_RELAXED))
        return false;
    for (int n = 0; n < R->nfresh; n++) {
        FreshRegion *f = &R->fresh[n];
        size_t used = __atomic_load_n(&f->used, __ATOMIC_RELAXED);
        size_t done = __atomic_load_n(&f->done, __ATOMIC_RELAXED);
        size_t due = f->len - used > FRESH_AHEAD ? used + FRESH_AHEAD : f->len;
        size_t from = done > used ? done : used;
        if (from >= due)
            continue;
        size_t to = due - from > FRESH_PIECE ? from + FRESH_PIECE : due;
        if (!__atomic_compare_exchange_n(&f->done, &done, to, false, __ATOMIC_RELAXED,
                                         __ATOMIC_RELAXED))
            return true;   /* another worker took a piece: look again */
        uintptr_t lo = (uintptr_t)(f->base + from) & ~(R->page - 1);
        uintptr_t hi = ((uintptr_t)(f->base + to) + R->page - 1) & ~(R->page - 1);
        if (madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE) != 0 && errno == EINVAL)
            __atomic_store_n(&R->fresh_refused, true, __ATOMIC_RELAXED);
        return true;
    }
#else
    (void)R;
#endif
    return false;
}

/* One piece of the work ahead of the main thread: the rows it will store
 * next set, else the memory it will write next faulted in.  False when
 * there is none to do. */
static bool work_ahead(BlockReader *R)
{
    return set_rows_ahead(&R->set) || fault_in_ahead(R);
}

static void *worker_main(void *arg)
{
    Worker *w = arg;
    BlockReader *R = w->R;
    while (!__atomic_load_n(&R->cancel, __ATOMIC_SEQ_CST)) {
        uint32_t k = __atomic_load_n(&R->next, __ATOMIC_SEQ_CST);
        if (k >= R->nblocks)
            break;
        if (!slot_free(R, k)) {
            /* the slots are full: work ahead, holding no block (the main
             * thread may want the next at any moment), or wait */
            if (!work_ahead(R))
                wait_until(R, slot_free, k, &R->workers_sleeping, &R->freed);
            continue;
        }
        if (!__atomic_compare_exchange_n(&R->next, &k, k + 1, false, __ATOMIC_SEQ_CST,
                                         __ATOMIC_SEQ_CST))
            continue;   /* another worker took it */
        parse_block(R, w->index, &R->slots[k % R->nslots], k);
        __atomic_store_n(&R->slot_block[k % R->nslots], (int64_t)k, __ATOMIC_SEQ_CST);
        wake_sleepers(R, &R->main_sleeps, &R->parsed);
    }
    return NULL;
}

/* Block boundaries: after a line break, about `step` bytes apart, with an
 * even number of quotes in each block (so, in a well-formed file, not
 * inside a quoted field).  A text without quotes (the line count saw
 * none) is cut at the first line break past each step, unscanned. */
static uint32_t cut_blocks(const char *text, size_t from, size_t len, size_t step,
                           bool quoted, uint32_t *bound)
{
    uint32_t n = 0;
    bound[n++] = (uint32_t)from;
    size_t at = from;
    while (len - at > step) {
        size_t b = at + step;
        unsigned quotes = 0;
        for (const char *q = text + at; quoted && (q = memchr(q, '"', (size_t)(text + b - q)));
             q++)
            quotes++;
        for (;;) {
            const char *nl = memchr(text + b, '\n', len - b);
            if (!nl) {
                b = len;
                break;
            }
            for (const char *q = text + b; quoted && (q = memchr(q, '"', (size_t)(nl - q))); q++)
                quotes++;
            b = (size_t)(nl - text) + 1;
            if (quotes % 2 == 0)
                break;
        }
        if (b >= len)
            break;
        bound[n++] = (uint32_t)b;
        at = b;
    }
    bound[n] = (uint32_t)len;
    return n;
}

static void stop_workers(BlockReader *R, Worker *w)
{
    __atomic_store_n(&R->cancel, true, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&R->mu);
    pthread_cond_broadcast(&R->freed);
    pthread_mutex_unlock(&R->mu);
    for (int i = 0; i < R->nworkers; i++)
        pthread_join(w[i].thread, NULL);
    pthread_cond_destroy(&R->parsed);
    pthread_cond_destroy(&R->freed);
    pthread_mutex_destroy(&R->mu);
}

/* The parsed block k, parsed here when there are no workers. */
static ParsedBlock *take_block(BlockReader *R, uint32_t k)
{
    ParsedBlock *b = &R->slots[k % R->nslots];
    if (R->nworkers == 0) {
        parse_block(R, 0, b, k);
        return b;
    }
    wait_until(R, block_parsed, k, &R->main_sleeps, &R->parsed);
    return b;
}

static void release_block(BlockReader *R, uint32_t k)
{
    if (R->nworkers == 0)
        return;
    __atomic_store_n(&R->consumed, k + 1, __ATOMIC_SEQ_CST);
    wake_sleepers(R, &R->workers_sleeping, &R->freed);
}

/* (main thread, before the workers start) rows [t->ready, end) to be set
 * ahead of the store.  The columns are copied here, so every column the
 * load writes has storage by now (load_one materializes them): one given
 * storage later would have rows set by nobody. */
static void row_setter_plan(BlockReader *R, Compilation *c, KindTable *t, uint32_t end)
{
    RowSetter *S = &R->set;
    *S = (RowSetter){.from = t->ready, .end = end > t->ready ? end : t->ready, .ready = t->ready};
    if (S->end == S->from)
        return;
    S->attrs = t->attrs;
    S->nattrs = t->nattrs;
    S->cols = ARENA_ARRAY(&c->arena, Column, t->nattrs + 1);
    memcpy(S->cols, t->cols, sizeof *t->cols * t->nattrs);
    S->npieces = (S->end - S->from + SET_PIECE_ROWS - 1) / SET_PIECE_ROWS;
    S->done = ARENA_ARRAY(&c->arena, uint8_t, S->npieces);
}

/* (main thread) rows [0, want) set, as far as they were reserved: the
 * pieces done by workers counted, the others set here; then the workers
 * set nothing more below t->ready.  Past the reservation, every piece is
 * done first: the columns may then be grown (moved). */
static void rows_ready(BlockReader *R, KindTable *t, uint32_t want)
{
    RowSetter *S = &R->set;
    while (t->ready < want && t->ready < S->end) {
        uint32_t p = (t->ready - S->from) / SET_PIECE_ROWS;
        uint32_t claimed = p;
        if (__atomic_compare_exchange_n(&S->claimed, &claimed, p + 1, false, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
            set_piece(S, p);
        else
            while (!__atomic_load_n(&S->done[p], __ATOMIC_ACQUIRE))
                sched_yield();
        uint32_t hi = S->end - t->ready > SET_PIECE_ROWS ? t->ready + SET_PIECE_ROWS : S->end;
        t->ready = hi;
    }
    __atomic_store_n(&S->ready, t->ready, __ATOMIC_RELAXED);
}

/* (main thread, the workers stopped) the pieces they set, counted */
static void rows_ready_done(BlockReader *R, KindTable *t)
{
    RowSetter *S = &R->set;
    while (t->ready >= S->from && t->ready < S->end &&
           __atomic_load_n(&S->done[(t->ready - S->from) / SET_PIECE_ROWS], __ATOMIC_ACQUIRE))
        t->ready = S->end - t->ready > SET_PIECE_ROWS ? t->ready + SET_PIECE_ROWS : S->end;
}

static void fresh_rows(BlockReader *R, void *array, size_t stride, const uint32_t *count,
                       uint32_t end)
{
    if (R->nfresh < R->fresh_cap && array && end > *count)
        R->fresh[R->nfresh++] = (FreshRegion){(char *)array + stride * *count,
                                              stride * (end - *count), 0, 0, NULL, count,
                                              *count, stride};
}

/* The memory this load's store will write (rows [t->count, end)), for
 * fault_in_ahead. */
static void fresh_plan(BlockReader *R, Compilation *c, const RowPlan *P, uint32_t end)
{
    KindTable *t = P->t;
    R->fresh_cap = 2 * (int)t->nattrs + P->ntext + 3;
    R->fresh = ARENA_ARRAY(&c->arena, FreshRegion, R->fresh_cap);
    fresh_rows(R, t->names, sizeof *t->names, &t->count, end);
    fresh_rows(R, t->spans, sizeof *t->spans, &t->count, end);
    for (uint32_t i = 0; i < t->nattrs; i++) {
        const Column *col = &t->cols[i];
        switch (t->attrs[i].type.kind) {
        case T_NUMBER: fresh_rows(R, col->num, sizeof *col->num, &t->count, end); break;
        case T_LIST: fresh_rows(R, col->list, sizeof *col->list, &t->count, end); break;
        default: fresh_rows(R, col->i32, sizeof *col->i32, &t->count, end); break;
        }
        fresh_rows(R, col->locs, sizeof *col->locs, &t->count, end);
    }
    Interner *in = &c->names;
    if (R->nfresh < R->fresh_cap && in->text_end > in->text_cur)
        R->fresh[R->nfresh++] = (FreshRegion){in->text_cur, (size_t)(in->text_end - in->text_cur),
                                              0, 0, &in->text_cur, NULL, 0, 0};
    for (int j = 0; j < P->ntext; j++) {
        Column *col = &t->cols[P->col_slot[P->text_col[j]]];
        if (t->attrs[P->col_slot[P->text_col[j]]].type.kind == T_LIST)
            fresh_rows(R, col->pool, sizeof *col->pool, &col->pool_len, col->pool_cap);
    }
}

/* (main thread, after each block) how far it has written */
static void fresh_publish(BlockReader *R)
{
    for (int n = 0; n < R->nfresh; n++) {
        FreshRegion *f = &R->fresh[n];
        size_t used = f->len;   /* a cursor gone to other memory: nothing more here */
        if (f->cursor && *f->cursor >= f->base && *f->cursor <= f->base + f->len)
            used = (size_t)(*f->cursor - f->base);
        else if (f->count && *f->count >= f->count0 &&
                 (size_t)(*f->count - f->count0) <= f->len / f->stride)
            used = (size_t)(*f->count - f->count0) * f->stride;
        __atomic_store_n(&f->used, used, __ATOMIC_RELAXED);
    }
}

static csv_field span_field(const char *data, CellSpan s)
{
    return (csv_field){data + s.off, s.len & ~SPAN_QUOTED, 0, 0, (s.len & SPAN_QUOTED) != 0};
}

/* Starts the cache misses of interning record i's key and text. */
static void prefetch_record(const CsvLoad *L, const RowPlan *P, const ParsedBlock *b,
                            uint32_t i)
{
    if (b->slow[i])
        return;
    for (int j = 0; j <= P->ntext; j++) {
        uint32_t h = b->hash[(size_t)j * BLOCK_RECORDS + i];
        /* a text remembered (store_cell) is not interned */
        const CellMemo *m =
            j < P->ntext ? &L->memo[(size_t)P->text_col[j] * MEMO_WAYS + (h & (MEMO_WAYS - 1))]
                         : NULL;
        if (!m || !m->valid || m->hash != h)
            intern_prefetch(L->c, h);
    }
}

/* Stores the key and text cells of the parsed record i of block b; gives
 * its row (numbers follow per column, in store_numbers), or -1. */
static int32_t store_parsed(CsvLoad *L, const RowPlan *P, const ParsedBlock *b, uint32_t i)
{
    size_t rec_start = b->rec[i];
    csv_field kf = span_field(L->data, b->text[(size_t)P->ntext * BLOCK_RECORDS + i]);
    int32_t row = add_keyed_row(L, P, &kf, rec_start,
                                &b->hash[(size_t)P->ntext * BLOCK_RECORDS + i]);
    if (row < 0)
        return -1;
    for (int j = 0; j < P->ntext; j++) {
        int col = P->text_col[j];
        csv_field f = span_field(L->data, b->text[(size_t)j * BLOCK_RECORDS + i]);
        L->column = L->headers[col];
        store_cell(L, P->t, (uint32_t)row, P->col_slot[col], &f, rec_start,
                   &L->memo[(size_t)col * MEMO_WAYS],
                   &b->hash[(size_t)j * BLOCK_RECORDS + i]);
    }
    L->column = NULL;
    return row;
}

/* The number cells of a block's parsed records, a column at a time: two
 * streams through memory, not one per column at once. */
static void store_numbers(const RowPlan *P, const ParsedBlock *b, const int32_t *row_of)
{
    for (int j = 0; j < P->nnum; j++) {
        double *col = P->t->cols[P->col_slot[P->num_col[j]]].num;
        const double *v = &b->num[(size_t)j * BLOCK_RECORDS];
        for (uint32_t i = 0; i < b->nrec; i++)
            if (row_of[i] >= 0)
                col[row_of[i]] = v[i];
    }
}

typedef struct RowProgress {
    double started;
    bool shown;
    uint32_t calls;
    int percent;              /* last shown */
} RowProgress;

/* Progress on stderr, once the load has taken a second, when the percentage
 * moves. */
static void show_progress(CsvLoad *L, const RowPlan *P, size_t pos, RowProgress *pr)
{
    if (!L->c->opts.progress || (pr->calls++ & 0xFFF) != 0 || now_ms() - pr->started < 1000)
        return;
    int percent = (int)(100.0 * (double)pos / (double)(L->data_len ? L->data_len : 1));
    if (pr->shown && percent == pr->percent)
        return;
    diag_log(L->c, "progress", "loading %s: %3d%%", P->file, percent);
    pr->percent = percent;
    pr->shown = true;
}

/* The blocks in file order, while each starts where the last record
 * ended; gives the offset reached. */
static size_t read_blocks(CsvLoad *L, const RowPlan *P, BlockReader *R, csv_reader *r,
                          csv_field *fields, char *scratch, bool *more, RowProgress *pr)
{
    size_t pos = r->pos;
    for (uint32_t k = 0; k < R->nblocks && *more; k++) {
        ParsedBlock *b = take_block(R, k);
        if (b->start != pos)
            break;   /* the guessed start was inside a record */
        rows_ready(R, P->t, P->t->count + b->nrec);   /* a record adds a row at most */
        for (uint32_t i = 0; i < b->nrec; i++) {
            if (i + PREFETCH_AHEAD < b->nrec)
                prefetch_record(L, P, b, i + PREFETCH_AHEAD);
            R->row_of[i] = -1;
            if (!b->slow[i]) {
                R->row_of[i] = store_parsed(L, P, b, i);
                continue;
            }
            csv_seek(r, b->rec[i]);
            read_record(L, P, r, fields, scratch, R->scratch_cap);
        }
        store_numbers(P, b, R->row_of);
        fresh_publish(R);
        pos = b->stop;
        size_t end = b->end;
        release_block(R, k);   /* (a worker may now refill *b) */
        /* what the worker left: a record it could not read, or a full block */
        while (*more && pos < end) {
            rows_ready(R, P->t, P->t->count + 1);
            csv_seek(r, pos);
            *more = read_record(L, P, r, fields, scratch, R->scratch_cap);
            pos = r->pos;
        }
        pr->calls = 0;
        show_progress(L, P, pos, pr);
    }
    return pos;
}

/* Every record after the header, r at the first. */
static void read_rows(CsvLoad *L, const RowPlan *P, csv_reader *r, csv_field *fields,
                      char *scratch, size_t scratch_cap)
{
    Compilation *c = L->c;
    KindTable *t = P->t;
    uint32_t rows_end = L->rows_end[t->kind];
    if (c->test.csv_whole_records) {
        /* (the block reader's fast path is also the path of a small file
         * on one thread: a test's reference must not share it) */
        kind_set_rows(c, t, rows_end);
        while (read_record(L, P, r, fields, scratch, scratch_cap))
            ;
        return;
    }
    size_t len = L->data_len;
    size_t step = c->test.csv_block_bytes ? c->test.csv_block_bytes : BLOCK_BYTES;
    long ncpu = c->opts.threads ? (long)c->opts.threads : sysconf(_SC_NPROCESSORS_ONLN);
    const int nworkers = ncpu > 1 && (len >= PARALLEL_MIN_BYTES || c->test.csv_block_bytes)
                       ? (int)(ncpu < MAX_WORKERS ? ncpu : MAX_WORKERS)
                       : 0;
    BlockReader *R = ARENA_NEW(&c->arena, BlockReader);
    R->plan = P;
    R->data = L->data;
    R->len = len;
    R->bound = arena_alloc(&c->arena, sizeof(uint32_t) * ((len - r->pos) / step + 2));
    R->nblocks = cut_blocks(L->data, r->pos, len, step, L->data_quoted, R->bound);
    R->nslots = nworkers ? (uint32_t)nworkers * SLOTS_PER_WORKER : 1;
    R->slots = ARENA_ARRAY(&c->arena, ParsedBlock, R->nslots);
    R->slot_block = arena_alloc(&c->arena, sizeof(int64_t) * R->nslots);
    for (uint32_t s = 0; s < R->nslots; s++) {
        ParsedBlock *b = &R->slots[s];
        R->slot_block[s] = -1;
        b->rec = arena_alloc(&c->arena, sizeof(uint32_t) * BLOCK_RECORDS);
        b->slow = arena_alloc(&c->arena, BLOCK_RECORDS);
        b->num = arena_alloc(&c->arena, sizeof(double) * BLOCK_RECORDS * (size_t)P->nnum);
        b->text = arena_alloc(&c->arena,
                              sizeof(CellSpan) * BLOCK_RECORDS * (size_t)(P->ntext + 1));
        b->hash = arena_alloc(&c->arena,
                              sizeof(uint32_t) * BLOCK_RECORDS * (size_t)(P->ntext + 1));
    }
    R->row_of = arena_alloc(&c->arena, sizeof(int32_t) * BLOCK_RECORDS);
    R->scratch_cap = scratch_cap;
    R->wait_yields = c->test.csv_sleep_at_once ? 0 : WAIT_YIELDS;
    for (int w = 0; w <= nworkers; w++) {
        R->fields[w] = arena_alloc(&c->arena, sizeof(csv_field) * MAX_COLUMNS);
        R->scratch[w] = arena_alloc(&c->arena, scratch_cap);
    }
    pthread_mutex_init(&R->mu, NULL);
    pthread_cond_init(&R->parsed, NULL);
    pthread_cond_init(&R->freed, NULL);
    if (nworkers) {
        R->page = (uintptr_t)sysconf(_SC_PAGESIZE);
        row_setter_plan(R, c, t, rows_end);
        fresh_plan(R, c, P, rows_end);
    } else {
        kind_set_rows(c, t, rows_end);
    }
    Worker *workers = ARENA_ARRAY(&c->arena, Worker, nworkers + 1);
    for (int w = 0; w < nworkers; w++) {
        workers[w] = (Worker){R, w + 1, 0};
        if (pthread_create(&workers[w].thread, NULL, worker_main, &workers[w]) != 0)
            break;
        R->nworkers++;
    }
    /* a worker that could not start leaves its blocks to the others; with
     * none, this thread parses each block itself */

    /* an allocation failure must not leave workers reading freed memory */
    jmp_buf here;
    jmp_buf *outer = c->arena.oom_jump;
    if (setjmp(here)) {
        c->arena.oom_jump = outer;
        stop_workers(R, workers);
        longjmp(*outer, 1);
    }
    c->arena.oom_jump = &here;
    RowProgress pr = {now_ms(), false, 0, 0};
    bool more = true;
    size_t pos = read_blocks(L, P, R, r, fields, scratch, &more, &pr);
    c->arena.oom_jump = outer;
    stop_workers(R, workers);
    rows_ready_done(R, t);
    kind_set_rows(c, t, rows_end);
    /* the sequential rest, after a block that did not start on a record */
    csv_seek(r, pos);
    while (more && read_record(L, P, r, fields, scratch, scratch_cap))
        show_progress(L, P, r->pos, &pr);
    if (pr.shown)
        diag_log(L->c, "progress-end", "%s", "");
}

/* One load's file, read before any is parsed, so that the rows of every
 * file are reserved at once (a second file would otherwise grow every
 * column, copying it). */
typedef struct LoadFile {
    bool kind_ok;
    EntityKind kind;
    uint32_t file;            /* source id; 0 when it could not be read */
    const char *text;
    size_t len;
    uint32_t lines;
    bool quoted;              /* a double quote occurs in the text */
    int32_t first;            /* the first load of the same file, or -1 */
    unsigned kinds_reserved;  /* (first load of a file) kinds its rows were
                                 reserved in */
    bool strings_reserved;    /* (first load of a file) names reserved for a
                                 string column */
} LoadFile;

/* Whether the header line of text holds the column name col (cells split
 * at commas, trimmed, unquoted: an estimate, a quoted comma is rare). */
static bool header_has(const char *text, size_t len, const char *col)
{
    size_t want = strlen(col), i = 0;
    while (i < len && text[i] != '\n') {
        size_t start = i;
        while (i < len && text[i] != ',' && text[i] != '\n' && text[i] != '\r')
            i++;
        const char *cell = text + start;
        size_t n = i - start;
        csv_trim(&cell, &n);
        if (n >= 2 && cell[0] == '"' && cell[n - 1] == '"') {
            cell++;
            n -= 2;
        }
        if (n == want && memcmp(cell, col, n) == 0)
            return true;
        while (i < len && (text[i] == ',' || text[i] == '\r'))
            i++;
    }
    return false;
}

/* Whether load d may intern a name a row besides the key: a column that
 * fills a string attribute (a title is every row's own).  Symbols, entity
 * names and list items repeat and are not counted.  The name table is
 * reserved from this before any row is read: a miss costs one growth of
 * the table during the load (the old one stays in the arena), a false hit
 * a table twice the size (16 B a slot, two slots a name). */
static bool load_fills_strings(Compilation *c, const Decl *d, const LoadFile *f)
{
    const KindTable *t = kind_table(c, f->kind);
    for (uint32_t a = 0; a < t->nattrs; a++) {
        if (t->attrs[a].type.kind != T_STRING)
            continue;
        const char *col = t->attrs[a].name;
        for (const Item *it = d->items; it; it = it->next)
            if (it->kind == ITEM_ATTR && it->name == t->attrs[a].name &&
                it->value->kind == EX_STRING)
                col = it->value->u.str.s;
        if (header_has(f->text, f->len, col))
            return true;
    }
    return false;
}

/* The files read so far, so that each is read once however many loads
 * name it: by the path as written (the same `load` text in one directory
 * is not even looked up again) and by real path (two spellings of one
 * file).  Open addressing; a slot holds an index into files[], or -1. */
typedef struct PathIndex {
    const char **key;
    int32_t *load;
    uint32_t mask;
} PathIndex;

static void path_index_init(Compilation *c, PathIndex *ix, uint32_t n)
{
    uint32_t cap = 16;
    while (cap < 2 * n && cap < (1u << 30))
        cap *= 2;
    ix->key = ARENA_ARRAY(&c->arena, const char *, cap);
    ix->load = ARENA_ARRAY(&c->arena, int32_t, cap);
    memset(ix->load, 0xff, sizeof(int32_t) * cap);   /* -1: empty */
    ix->mask = cap - 1;
}

/* The slot of key: its load, or an empty one to fill (set key and load). */
static uint32_t path_index_find(const PathIndex *ix, const char *key)
{
    uint32_t h = intern_hash(key, strlen(key)) & ix->mask;
    while (ix->load[h] >= 0 && strcmp(ix->key[h], key) != 0)
        h = (h + 1) & ix->mask;
    return h;
}

typedef struct ReadFiles {
    PathIndex by_text, by_real;
} ReadFiles;

/* The line breaks of a file, counted across the cores in 1 MiB pieces.
 * This is the first pass over a mapped file, and on a virtual machine the
 * first touch of each of its pages, not the counting, is most of the cost
 * (27 ms for 44 MB on one core, against 5 for a second pass): shared out,
 * each core pays for its half. */
typedef struct LineCount {
    const char *text;
    size_t len;
    size_t *counts;           /* per piece */
    bool *quoted;             /* per piece: a double quote occurs */
} LineCount;

enum { COUNT_PIECE = 1 << 20 };

static void count_slice(void *ctx, uint32_t lo, uint32_t hi)
{
    LineCount *job = ctx;
    for (uint32_t k = lo; k < hi; k++) {
        size_t from = (size_t)k * COUNT_PIECE;
        size_t n = job->len - from < COUNT_PIECE ? job->len - from : COUNT_PIECE;
        job->counts[k] = csv_count_lines(job->text + from, n, &job->quoted[k]);
    }
}

static size_t count_lines(Compilation *c, const char *text, size_t len, bool *quoted)
{
    uint32_t pieces = (uint32_t)((len + COUNT_PIECE - 1) / COUNT_PIECE);
    LineCount job = {text, len, ARENA_ARRAY(&c->arena, size_t, pieces + 1),
                     ARENA_ARRAY(&c->arena, bool, pieces + 1)};
    parallel_rows(c, pieces, 4, count_slice, &job);
    size_t lines = 0;
    *quoted = false;
    for (uint32_t k = 0; k < pieces; k++) {
        lines += job.counts[k];
        *quoted |= job.quoted[k];
    }
    return lines;
}

static void reuse_file(LoadFile *f, const LoadFile *files, int32_t first)
{
    const LoadFile *g = &files[first];
    f->file = g->file;
    f->text = g->text;
    f->len = g->len;
    f->lines = g->lines;
    f->quoted = g->quoted;
    f->first = g->first >= 0 ? g->first : first;   /* the load that read it */
}

static void load_file(Compilation *c, Decl *d, LoadFile *files, uint32_t index,
                      ReadFiles *rf)
{
    LoadFile *f = &files[index];
    memset(f, 0, sizeof *f);
    f->first = -1;
    f->kind_ok = kind_by_name(d->name, &f->kind);
    if (!f->kind_ok && !showback_load_kind(d->name) && !demand_is_load(c, d)) {
        diag_at(c, D_UNDEFINED, d->name_loc, "`%s` is not a kind of entity to load", d->name);
        return;
    }
    Source *from = source_get(c, d->source + 1);
    if (d->text.s[0] == '/') {
        diag_at(c, D_IMPORT_ESCAPE, d->text_loc, "`%s` is an absolute path; a load names "
                                                 "a file relative to its strategy file",
                d->text.s);
        return;
    }
    char *path = arena_printf(&c->arena, "%s/%s", from->dir, d->text.s);
    uint32_t at_text = path_index_find(&rf->by_text, path);
    if (rf->by_text.load[at_text] >= 0) {
        reuse_file(f, files, rf->by_text.load[at_text]);
        return;
    }
    const char *slash = strrchr(from->path, '/');
    const char *shown = slash ? arena_printf(&c->arena, "%.*s/%s", (int)(slash - from->path),
                                             from->path, d->text.s)
                              : d->text.s;
    /* all it needs before the file is opened (see load_open_beneath) */
    Source *src = load_prepare_source(c, shown, false);
    ptrvec_room(&c->arena, &c->sources);
    Confined r = from->is_stdlib
                     ? load_open_beneath(c, c->stdlib_fd, c->stdlib_real, path)
                     : load_open_beneath(c, c->root_fd, c->root, path);
    if (r.status == CONFINED_OUTSIDE) {
        Diag *dg = diag_at(c, D_IMPORT_ESCAPE, d->text_loc,
                           "load `%s` leaves the project root", d->text.s);
        diag_hint(c, dg, "%s", ROOT_HINT);
        return;
    }
    if (r.status == CONFINED_FAILED) {
        diag_at(c, D_IO, d->text_loc, "cannot read `%s`: %s", d->text.s, strerror(r.err));
        return;
    }
    uint32_t at_real = path_index_find(&rf->by_real, r.real);
    if (rf->by_real.load[at_real] >= 0) {
        /* read already for an earlier load: its text serves both */
        close(r.fd);
        reuse_file(f, files, rf->by_real.load[at_real]);
    } else {
        src->real = r.real;
        src->dir = r.dir;
        src->is_csv = true;
        const char *why;
        DiagCode code;
        if (!load_read_fd(c, r.fd, src, &why, &code)) {
            diag_at(c, code, d->text_loc, "cannot read `%s`: %s", d->text.s, why);
            return;
        }
        f->file = load_list_source(c, src);
        f->text = src->text;
        f->len = src->len;
        f->lines = (uint32_t)count_lines(c, f->text, f->len, &f->quoted);
        rf->by_real.key[at_real] = src->real;
        rf->by_real.load[at_real] = (int32_t)index;
    }
    rf->by_text.key[at_text] = path;
    rf->by_text.load[at_text] = (int32_t)index;
}

static void load_one(Compilation *c, CsvLoad *L, Decl *d, const LoadFile *f)
{
    if (!f->kind_ok) {   /* `load usage` and `load pool`: show-back's rows */
        if (f->file && showback_load_kind(d->name))
            showback_load_csv(c, d, f->file, f->text, f->len);
        return;
    }
    EntityKind kind = f->kind;
    KindTable *t = kind_table(c, kind);
    /* the mapping: key column, and attribute = "Column" lines */
    const char *key = "id";
    Name *map_attr = ARENA_ARRAY(&c->arena, Name, MAX_COLUMNS);
    const char **map_col = ARENA_ARRAY(&c->arena, const char *, MAX_COLUMNS);
    uint32_t nmap = 0;
    Loc *map_loc = ARENA_ARRAY(&c->arena, Loc, MAX_COLUMNS);
    /* ignore = ["Vendor", "Comments"]: columns read for nothing */
    Name ignore_name = intern_cstr(c, "ignore");
    const Expr *ignore = NULL;
    /* list_separator = ",": what splits a list cell (default `;`) */
    Name sep_name = intern_cstr(c, "list_separator");
    L->list_sep = ';';
    for (Item *it = d->items; it; it = it->next) {
        if (it->kind == ITEM_ATTR && it->name == sep_name && attr_slot(t, it->name) < 0) {
            const Expr *v = it->value;
            unsigned char ch = v->kind == EX_STRING && v->u.str.len == 1
                                   ? (unsigned char)v->u.str.s[0] : 0;
            /* a bad one leaves list cells unread (0): the error says why,
             * and no cell is reported for being split the other way */
            L->list_sep = ch > ' ' && ch < 0x7F && ch != '"' ? (char)ch : 0;
            if (!L->list_sep)
                diag_at(c, D_TYPE, v->loc, "`list_separator` takes one character (not a "
                        "quote or white space) that splits a list cell, such as \";\" "
                        "(the default), \",\" or \"|\"");
            continue;
        }
        if (it->kind == ITEM_ATTR && it->name == ignore_name && attr_slot(t, it->name) < 0) {
            bool strings = it->value->kind == EX_LIST && !it->value->u.list.npacked;
            for (uint32_t i = 0; strings && i < it->value->u.list.n; i++)
                strings = it->value->u.list.items[i]->kind == EX_STRING;
            if (strings)
                ignore = it->value;
            else
                diag_at(c, D_TYPE, it->value->loc, "`ignore` takes a list of CSV column "
                        "names: `ignore = [\"Vendor\", \"Comments\"]`");
            continue;
        }
        if (it->kind != ITEM_ATTR || it->value->kind != EX_STRING) {
            diag_at(c, D_TYPE, it->kind == ITEM_ATTR ? it->value->loc : it->loc,
                    "a load block maps names to CSV column names: `cost = \"Annual "
                    "cost\"`");
            continue;
        }
        if (it->name == c->n.key) {
            key = it->value->u.str.s;
            continue;
        }
        if (attr_slot(t, it->name) < 0) {
            Diag *dg = diag_at(c, D_UNKNOWN_ATTR, it->loc, "%s has no attribute `%s`",
                               entity_kind_name(kind), it->name);
            Name *names = ARENA_ARRAY(&c->arena, Name, t->nattrs + 1);
            for (uint32_t i = 0; i < t->nattrs; i++)
                names[i] = t->attrs[i].name;
            Name s = suggest_name(it->name, names, t->nattrs);
            if (s)
                diag_hint(c, dg, "did you mean `%s`?", s);
            continue;
        }
        if (nmap < MAX_COLUMNS) {
            map_loc[nmap] = it->value->loc;
            map_attr[nmap] = it->name;
            map_col[nmap++] = it->value->u.str.s;
        }
    }
    if (!f->file)
        return;   /* not read: reported by load_file */
    L->file = f->file;
    L->data = f->text;
    L->data_len = f->len;
    L->data_quoted = f->quoted;
    const char *text = f->text;
    size_t len = f->len;

    csv_reader r;
    csv_init(&r, text, len);
    csv_field *fields = ARENA_ARRAY(&c->arena, csv_field, MAX_COLUMNS);
    size_t scratch_cap = 1 << 16;
    char *scratch = arena_alloc(&c->arena, scratch_cap);
    csv_error err;
    size_t rec_start = r.pos;
    int n = csv_next_record(&r, fields, MAX_COLUMNS, scratch, scratch_cap, &err);
    if (n <= 0) {
        Loc at = {L->file, 0, 1};
        diag_at(c, D_CSV_HEADER, at, n == 0 ? "the CSV file is empty: it needs a header "
                                              "line"
                                            : "malformed CSV header: %s", err.msg);
        return;
    }
    /* header: which attribute each column fills */
    int ncols = n;
    int *col_slot = ARENA_ARRAY(&c->arena, int, ncols);
    L->memo = ARENA_ARRAY(&c->arena, CellMemo, (size_t)ncols * MEMO_WAYS);
    L->headers = ARENA_ARRAY(&c->arena, const char *, ncols);
    L->column = NULL;
    int key_col = -1;
    bool *map_found = ARENA_ARRAY(&c->arena, bool, nmap + 1);
    uint32_t nignore = ignore ? ignore->u.list.n : 0;
    bool *ignore_found = ARENA_ARRAY(&c->arena, bool, nignore + 1);
    int *key_slots = ARENA_ARRAY(&c->arena, int, nmap + 1);   /* fed by the key */
    uint32_t nkey_slots = 0;
    for (int i = 0; i < ncols; i++) {
        col_slot[i] = -1;
        const char *h = fields[i].ptr;
        size_t hn = fields[i].len;
        csv_trim(&h, &hn);
        L->headers[i] = arena_strndup(&c->arena, h, hn);
        Loc hl = field_loc(L, &fields[i], rec_start);
        if (!cell_text_ok(L, h, hn, &fields[i], rec_start))
            continue;
        for (int j = 0; j < i; j++) {
            if (fields[j].len == fields[i].len &&
                memcmp(fields[j].ptr, fields[i].ptr, fields[i].len) == 0) {
                if (csv_error_budget(L))
                    diag_at(c, D_CSV_HEADER, hl, "column `%.*s` appears twice", (int)hn, h);
                goto next_col;
            }
        }
        bool ignored = false;
        for (uint32_t g = 0; g < nignore; g++) {
            const Str *gs = &ignore->u.list.items[g]->u.str;
            if (gs->len == hn && memcmp(gs->s, h, hn) == 0)
                ignored = ignore_found[g] = true;
        }
        if (strlen(key) == hn && memcmp(key, h, hn) == 0) {
            key_col = i;
            /* the key column may feed string attributes too (title) */
            for (uint32_t m = 0; m < nmap; m++) {
                if (strlen(map_col[m]) != hn || memcmp(map_col[m], h, hn) != 0)
                    continue;
                map_found[m] = true;
                int slot = attr_slot(t, map_attr[m]);
                if (t->attrs[slot].type.kind == T_STRING)
                    key_slots[nkey_slots++] = slot;
                else
                    diag_at(c, D_CSV_HEADER, map_loc[m], "`%s` is not a string: only "
                            "string attributes can take the key column `%s`",
                            map_attr[m], key);
            }
            continue;
        }
        if (ignored)
            continue;
        for (uint32_t m = 0; m < nmap; m++)
            if (strlen(map_col[m]) == hn && memcmp(map_col[m], h, hn) == 0) {
                col_slot[i] = attr_slot(t, map_attr[m]);
                map_found[m] = true;
            }
        if (col_slot[i] < 0) {
            Name hname = intern(c, h, hn);
            col_slot[i] = attr_slot(t, hname);
            if (col_slot[i] < 0 && csv_error_budget(L)) {
                Diag *dg = diag_at(c, D_CSV_HEADER, hl, "column `%s` is not an attribute "
                                                        "of %s", hname,
                                   entity_kind_name(kind));
                Name *names = ARENA_ARRAY(&c->arena, Name, t->nattrs + 1);
                for (uint32_t k = 0; k < t->nattrs; k++)
                    names[k] = t->attrs[k].name;
                Name s = suggest_name(hname, names, t->nattrs);
                if (s)
                    diag_hint(c, dg, "did you mean `%s`? (or map it: `%s = \"%s\"`)", s, s,
                              hname);
            }
        }
    next_col:;
    }
    /* a mapping or an ignore naming no column of the header */
    for (uint32_t m = 0; m < nmap + nignore; m++) {
        bool mapping = m < nmap;
        if (mapping ? map_found[m] : ignore_found[m - nmap])
            continue;
        const char *col = mapping ? map_col[m] : ignore->u.list.items[m - nmap]->u.str.s;
        Loc at = mapping ? map_loc[m] : ignore->u.list.items[m - nmap]->loc;
        if (mapping && strcmp(col, key) == 0)
            continue;   /* the key is reported below when it is missing */
        Diag *dg = diag_at(c, D_CSV_HEADER, at, "the header of %s has no column `%s`",
                           d->text.s, col);
        Name *heads = ARENA_ARRAY(&c->arena, Name, (size_t)ncols + 1);
        for (int i = 0; i < ncols; i++) {
            const char *h = fields[i].ptr;
            size_t hn = fields[i].len;
            csv_trim(&h, &hn);
            heads[i] = intern(c, h, hn);
        }
        Name best = suggest_name(intern_cstr(c, col), heads, (uint32_t)ncols);
        if (best)
            diag_hint(c, dg, "did you mean `%s`?", best);
    }
    if (key_col < 0) {
        Loc at = {L->file, 0, 1};
        Diag *dg = diag_at(c, D_CSV_HEADER, at, "the header has no key column `%s`", key);
        diag_note(c, dg, d->loc, "the load names its key column with `key = \"...\"`");
        return;
    }
    RowPlan *P = ARENA_NEW(&c->arena, RowPlan);
    *P = (RowPlan){t, key, d->text.s, ncols, key_col, col_slot, 0, NULL, NULL, 0, NULL};
    P->num_col = ARENA_ARRAY(&c->arena, int, ncols);
    P->num_attr = ARENA_ARRAY(&c->arena, const AttrDef *, ncols);
    P->text_col = ARENA_ARRAY(&c->arena, int, ncols);
    for (int i = 0; i < ncols; i++) {
        if (col_slot[i] < 0)
            continue;
        column_materialize(c, t, col_slot[i]);   /* before the threads write */
        if (t->attrs[col_slot[i]].type.kind == T_LIST)
            list_reserve(c, &t->cols[col_slot[i]], f->lines);   /* an element a row */
        if (t->attrs[col_slot[i]].type.kind == T_NUMBER) {
            P->num_attr[P->nnum] = &t->attrs[col_slot[i]];
            P->num_col[P->nnum++] = i;
        } else {
            P->text_col[P->ntext++] = i;
        }
    }
    /* (the rows were reserved for every load at once, in csv_load_rows) */
    uint32_t first_row = t->count;
    read_rows(L, P, &r, fields, scratch, scratch_cap);
    for (uint32_t k = 0; k < nkey_slots; k++) {
        column_materialize(c, t, key_slots[k]);
        Column *col = &t->cols[key_slots[k]];
        for (uint32_t row = first_row; row < t->count; row++)
            if (col->i32[row] < 0)
                col->i32[row] = atom_id(c, t->names[row]);
    }
}

void csv_load_rows(Compilation *c)
{
    Program *p = c->program;
    CsvLoad *L = ARENA_NEW(&c->arena, CsvLoad);
    L->c = c;
    LoadFile *files = ARENA_ARRAY(&c->arena, LoadFile, p->loads.len + 1);
    ReadFiles rf;
    path_index_init(c, &rf.by_text, p->loads.len);
    path_index_init(c, &rf.by_real, p->loads.len);
    uint64_t names = 16;
    uint64_t name_bytes = 0;  /* room for the names: a line's name is at most the line */
    uint64_t rows[EK_COUNT] = {0};
    uint64_t bytes_before = c->bytes_read;
    uint32_t files_before = c->files_read;
    for (uint32_t i = 0; i < p->loads.len; i++) {
        LoadFile *f = &files[i];
        load_file(c, p->loads.items[i], files, i, &rf);
        if (!f->file || !f->kind_ok)
            continue;
        /* names are shared by every load of one file; rows once per kind */
        LoadFile *first = f->first >= 0 ? &files[f->first] : f;
        uint64_t line_bytes = f->len / (f->lines + 1);
        uint64_t name_room = sizeof(NameInfo) + 4 + (line_bytes < 64 ? line_bytes : 64);
        if (f->first < 0) {
            names += f->lines;   /* a key a row */
            name_bytes += f->lines * name_room;
        }
        if (!first->strings_reserved && load_fills_strings(c, p->loads.items[i], f)) {
            first->strings_reserved = true;
            names += f->lines;   /* and a title a row */
            name_bytes += f->lines * name_room;
        }
        if (!(first->kinds_reserved & KIND_BIT(f->kind))) {
            first->kinds_reserved |= KIND_BIT(f->kind);
            rows[f->kind] += f->lines + 1;
        }
    }
    if (c->opts.verbose)
        diag_log(c, "read", "%u CSV loads, %u files, %llu bytes", p->loads.len,
                c->files_read - files_before,
                (unsigned long long)(c->bytes_read - bytes_before));
    /* every file's rows at once: a newline count bounds them */
    for (int k = 0; k < EK_COUNT; k++) {
        KindTable *t = kind_table(c, (EntityKind)k);
        uint64_t end = t->count + rows[k];
        L->rows_end[k] = end > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)end;
        kind_grow(c, t, L->rows_end[k]);   /* set as each load reaches them (read_rows) */
    }
    intern_reserve(c, names > UINT32_MAX / 4 ? UINT32_MAX / 4 : (uint32_t)names);
    intern_reserve_text(c, (size_t)(name_bytes < 2 * (c->bytes_read - bytes_before)
                                        ? name_bytes : 2 * (c->bytes_read - bytes_before)));
    /* a text column is an atom a row, as a rule (titles) */
    ptrvec_reserve(&c->arena, &p->atoms, (uint32_t)(names / 2 < UINT32_MAX / 4 ? names / 2
                                                                             : UINT32_MAX / 4));
    /* every CSV source is known now: the problems counted per file */
    L->nfiles = c->sources.len + 1;
    L->errors = ARENA_ARRAY(&c->arena, unsigned, L->nfiles);
    L->more = ARENA_ARRAY(&c->arena, unsigned, L->nfiles);
    for (uint32_t i = 0; i < p->loads.len; i++)
        load_one(c, L, p->loads.items[i], &files[i]);
    for (int k = 0; k < EK_COUNT; k++)   /* (a load that stopped at its header) */
        kind_set_rows(c, kind_table(c, (EntityKind)k), L->rows_end[k]);
    /* demand history (demand.c), once every service row is known */
    for (uint32_t i = 0; i < p->loads.len; i++)
        if (demand_is_load(c, p->loads.items[i]))
            demand_load(c, p->loads.items[i], files[i].file, files[i].text, files[i].len);
    /* the inputs hash, on a thread while the rows are checked and decided:
     * started before the load, it took a core from the load's workers */
    digest_start(c);
    p->csv_pending = L;
}

/* `staff, partners` read as one name in a list cell: the separator the
 * author used (`,` or `|` or `;`, not the load's), or 0. */
static char list_separator_in(Name name, char sep)
{
    static const char seps[] = ",;|";
    for (const char *p = seps; *p; p++)
        if (*p != sep && strchr(name, *p))
            return *p;
    return 0;
}

void csv_resolve_refs(Compilation *c)
{
    CsvLoad *L = c->program->csv_pending;
    if (!L)
        return;
    /* list references of one row arrive together; append in order */
    for (uint32_t i = 0; i < L->pending.len; i++) {
        PendingRef *pr = L->pending.items[i];
        KindTable *t = kind_table(c, pr->kind);
        const AttrDef *a = &t->attrs[pr->slot];
        column_materialize(c, t, pr->slot);
        Column *col = &t->cols[pr->slot];
        unsigned kinds = a->type.kind == T_LIST ? a->type.elem->kinds : a->type.kinds;
        int32_t v = -1;
        EntityKind found = EK_ROLE;
        for (int k = 0; k < EK_COUNT && v < 0; k++)
            if (kinds & KIND_BIT(k)) {
                v = kind_lookup(kind_table(c, (EntityKind)k), pr->name);
                found = (EntityKind)k;
            }
        if (v < 0) {
            if (diag_undefined_silenced(c, pr->name) || !csv_file_budget(L, pr->loc.file))
                continue;
            Diag *d = diag_at(c, D_CSV_CELL, pr->loc, "column %s: undefined `%s`",
                              column_label(c, pr->header, a), pr->name);
            char other = list_separator_in(pr->name, pr->list_sep);
            Name s = other ? NULL : suggest_entity(c, kinds, pr->name);
            if (other)
                diag_hint(c, d, "the elements of a list cell are separated by `%c`; for `%c`, "
                                "write `list_separator = \"%c\"` in the load block",
                          pr->list_sep, other, other);
            else if (s)
                diag_hint(c, d, "did you mean `%s`?", s);
            continue;
        }
        v = ref_encode(kinds, found, v);
        if (!pr->list) {
            col->i32[pr->row] = v;
            continue;
        }
        ListSpan *ls = &col->list[pr->row];
        if (ls->len == 0)
            ls->off = col->pool_len;
        list_push(c, col, v);
        ls->len++;
    }
    /* the problems held back, once per file, after every kind of them */
    for (uint32_t f = 1; f < L->nfiles; f++)
        if (L->more[f])
            diag_at(c, D_TOO_MANY, (Loc){f, 0, 1}, "%u more problems in this file not shown",
                    L->more[f]);
}
