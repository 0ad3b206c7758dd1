/*
 * csv_load.c — `load KIND from "file.csv" { key = "id"  attr = "Column" }`.
 *
 * Takes the load declarations and gives rows in the kind's table, cells
 * typed by the schema: numbers by the exact, locale-free parser of csv.c,
 * strings and symbols as atoms, dates as days, references kept by name
 * until every entity is known (resolve_csv_refs).  A CSV file is a source
 * like any other, so a bad cell is a diagnostic at file.csv:line:column
 * naming the column and the type it expected.  Lists in a cell are
 * separated by `;`.  No allocation per cell: names are interned, values go
 * straight into the columns.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "csv.h"
#include "parse.h"

enum { MAX_COLUMNS = 256, MAX_CSV_ERRORS = 100 };

typedef struct PendingRef {
    EntityKind kind;
    uint32_t row;
    int slot;
    Name name;
    Loc loc;
    bool list;               /* append to the row's list */
} PendingRef;

/* A CMDB export repeats the same few values down a column (statuses,
 * owners, customers): the last cell's text and result are kept per column
 * so a repeat costs a memcmp, not a hash lookup. */
typedef struct CellMemo {
    const char *text;
    size_t len;
    int32_t value;
    bool valid;
} CellMemo;

typedef struct CsvLoad {
    Compilation *c;
    CellMemo *memo;          /* per CSV column */
    uint32_t file;
    const char *data;
    size_t data_len;
    unsigned errors, more;
    PtrVec pending;          /* PendingRef* (references resolved later) */
} CsvLoad;

static Loc field_loc(CsvLoad *L, const csv_field *f, size_t record_start)
{
    size_t off = record_start;
    if (f->ptr >= L->data && f->ptr <= L->data + source_get(L->c, L->file)->len)
        off = (size_t)(f->ptr - L->data) - (f->quoted ? 1 : 0);
    Loc l = {L->file, (uint32_t)off, (uint32_t)(off + f->len + (f->quoted ? 2 : 0))};
    if (l.end == l.start)
        l.end = l.start + 1;
    return l;
}

static bool csv_error_budget(CsvLoad *L)
{
    if (L->errors < MAX_CSV_ERRORS) {
        L->errors++;
        return true;
    }
    L->more++;
    return false;
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

static void bad_cell(CsvLoad *L, Loc loc, const AttrDef *a, const char *s, size_t n,
                     const char *expected)
{
    if (!csv_error_budget(L))
        return;
    diag_at(L->c, D_CSV_CELL, loc, "column `%s` expects %s, not `%.*s`", a->name,
            expected, (int)(n > 40 ? 40 : n), s);
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
    ptrvec_push(&L->c->arena, &L->pending, p);
}

/* Trims spaces around a cell or list element. */
static void trim(const char **s, size_t *n)
{
    while (*n && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
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

/* `f` and `rec_start` give the cell's location, worked out only when a
 * diagnostic needs it: a million clean rows never pay for it. */
static void store_cell(CsvLoad *L, KindTable *t, uint32_t row, int slot,
                       const csv_field *f, size_t rec_start, CellMemo *memo)
{
    const char *s = f->ptr;
    size_t n = f->len;
    Compilation *c = L->c;
    CellMemo no_memo = {0};
    const AttrDef *a = &t->attrs[slot];
    Column *col = &t->cols[slot];
    trim(&s, &n);
    if (n == 0)
        return;   /* empty: missing, the default applies */
    if (!cell_text_ok(L, s, n, f, rec_start))
        return;
    switch (a->type.kind) {
    case T_NUMBER: {
        double v;
        if (csv_parse_number(s, n, &v) != CSV_NUM_OK || !(v - v == 0)) {
            bad_cell(L, field_loc(L, f, rec_start), a, s, n, "a number");
            return;
        }
        if (v == 0 && underflowed(s, n)) {
            bad_cell(L, field_loc(L, f, rec_start), a, s, n,
                     "a number (this one rounds to 0)");
            return;
        }
        bool low = a->has_min && (a->min_excl ? !(v > a->min) : !(v >= a->min));
        bool high = a->has_max && (a->max_excl ? !(v < a->max) : !(v <= a->max));
        if ((low || high) && csv_error_budget(L)) {
            diag_at(c, D_RANGE, field_loc(L, f, rec_start),
                    "column `%s`: %.*s is out of the schema's range",
                    a->name, (int)(n > 40 ? 40 : n), s);
        }
        col->num[row] = v;
        return;
    }
    case T_STRING:
    case T_SYMBOL:
    case T_ENTITY:
        /* (cells unescaped into the scratch buffer are not remembered: the
         * next record overwrites it) */
        if (s < L->data || s >= L->data + L->data_len)
            memo = &no_memo;
        if (memo->valid && memo->len == n && memcmp(memo->text, s, n) == 0) {
            col->i32[row] = memo->value;
            return;
        }
        break;
    default:
        break;
    }
    switch (a->type.kind) {
    case T_STRING:
        col->i32[row] = atom_id(c, intern(c, s, n));
        *memo = (CellMemo){s, n, col->i32[row], true};
        return;
    case T_SYMBOL: {
        Name v = intern(c, s, n);
        if (a->nallowed) {
            bool ok = false;
            for (uint32_t i = 0; i < a->nallowed; i++)
                ok |= a->allowed[i] == v;
            if (!ok) {
                if (csv_error_budget(L)) {
                    Diag *d = diag_at(c, D_CSV_CELL, field_loc(L, f, rec_start),
                                      "column `%s`: `%s` is not a "
                                                          "valid %s", a->name, v, a->name);
                    Name sug = suggest_name(v, a->allowed, a->nallowed);
                    if (sug)
                        diag_hint(c, d, "did you mean `%s`?", sug);
                }
                return;
            }
        }
        col->i32[row] = atom_id(c, v);
        *memo = (CellMemo){s, n, col->i32[row], true};
        return;
    }
    case T_DATE: {
        int32_t d;
        if (!parse_date_cell(s, n, &d))
            bad_cell(L, field_loc(L, f, rec_start), a, s, n, "a date YYYY-MM-DD");
        else
            col->i32[row] = d;
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
        unsigned kinds = a->type.kinds;
        for (int k = 0; k < EK_COUNT; k++) {
            if (!(kinds & KIND_BIT(k)))
                continue;
            KindTable *kt = kind_table(c, (EntityKind)k);
            int32_t v = kind_lookup(kt, intern(c, s, n));
            if (v >= 0 && kt->decls[v]) {
                col->i32[row] = ref_encode(kinds, (EntityKind)k, v);
                *memo = (CellMemo){s, n, col->i32[row], true};
                return;
            }
        }
        add_pending(L, t->kind, row, slot, s, n, field_loc(L, f, rec_start), false);
        return;
    }
    case T_LIST: {
        /* a;b;c — strings are stored now, references later */
        col->list[row] = (ListSpan){col->pool_len, 0};
        const char *p = s, *end = s + n;
        while (p <= end) {
            const char *semi = memchr(p, ';', (size_t)(end - p));
            const char *e = semi ? semi : end;
            const char *item = p;
            size_t len = (size_t)(e - p);
            trim(&item, &len);
            if (len) {
                if (a->type.elem && a->type.elem->kind == T_ENTITY) {
                    add_pending(L, t->kind, row, slot, item, len,
                                field_loc(L, f, rec_start), true);
                } else {
                    list_push(c, col, atom_id(c, intern(c, item, len)));
                    col->list[row].len++;
                }
            }
            if (!semi)
                break;
            p = semi + 1;
        }
        return;
    }
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

static void load_one(Compilation *c, CsvLoad *L, Decl *d)
{
    EntityKind kind;
    if (!kind_by_name(d->name, &kind)) {
        diag_at(c, D_UNDEFINED, d->name_loc, "`%s` is not a kind of entity to load", d->name);
        return;
    }
    KindTable *t = kind_table(c, kind);
    /* the mapping: key column, and attribute = "Column" lines */
    const char *key = "id";
    Name *map_attr = ARENA_ARRAY(&c->arena, Name, MAX_COLUMNS);
    const char **map_col = ARENA_ARRAY(&c->arena, const char *, MAX_COLUMNS);
    uint32_t nmap = 0;
    for (Item *it = d->items; it; it = it->next) {
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
            map_attr[nmap] = it->name;
            map_col[nmap++] = it->value->u.str.s;
        }
    }
    Source *from = source_get(c, d->source + 1);
    if (d->text.s[0] == '/') {
        diag_at(c, D_IMPORT_ESCAPE, d->text_loc, "`%s` is an absolute path; a load names "
                                                 "a file relative to its strategy file",
                d->text.s);
        return;
    }
    char *path = arena_printf(&c->arena, "%s/%s", from->dir, d->text.s);
    char real[PATH_MAX];
    if (!realpath(path, real)) {
        diag_at(c, D_IO, d->text_loc, "cannot read `%s`: no such file", d->text.s);
        return;
    }
    if (c->root && !from->is_stdlib && !path_inside(real, c->root)) {
        diag_at(c, D_IMPORT_ESCAPE, d->text_loc, "`%s` lies outside the project root",
                d->text.s);
        return;
    }
    size_t len;
    const char *why;
    DiagCode code;
    char *text = load_read_file(c, real, &len, &why, &code);
    if (!text) {
        diag_at(c, code, d->text_loc, "cannot read `%s`: %s", d->text.s, why);
        return;
    }
    const char *slash = strrchr(from->path, '/');
    const char *shown = slash ? arena_printf(&c->arena, "%.*s/%s", (int)(slash - from->path),
                                             from->path, d->text.s)
                              : d->text.s;
    L->file = source_adopt(c, shown, real, text, len, false);
    source_get(c, L->file)->is_csv = true;
    L->data = text;
    L->data_len = len;

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
    L->memo = ARENA_ARRAY(&c->arena, CellMemo, ncols);
    int key_col = -1;
    for (int i = 0; i < ncols; i++) {
        col_slot[i] = -1;
        const char *h = fields[i].ptr;
        size_t hn = fields[i].len;
        trim(&h, &hn);
        Loc hl = field_loc(L, &fields[i], rec_start);
        if (!cell_text_ok(L, h, hn, &fields[i], rec_start))
            continue;
        for (int j = 0; j < i; j++) {
            if (fields[j].len == fields[i].len &&
                memcmp(fields[j].ptr, fields[i].ptr, fields[i].len) == 0) {
                diag_at(c, D_CSV_HEADER, hl, "column `%.*s` appears twice", (int)hn, h);
                goto next_col;
            }
        }
        if (strlen(key) == hn && memcmp(key, h, hn) == 0) {
            key_col = i;
            continue;
        }
        for (uint32_t m = 0; m < nmap; m++)
            if (strlen(map_col[m]) == hn && memcmp(map_col[m], h, hn) == 0)
                col_slot[i] = attr_slot(t, map_attr[m]);
        if (col_slot[i] < 0) {
            Name hname = intern(c, h, hn);
            col_slot[i] = attr_slot(t, hname);
            if (col_slot[i] < 0) {
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
    if (key_col < 0) {
        Loc at = {L->file, 0, 1};
        Diag *dg = diag_at(c, D_CSV_HEADER, at, "the header has no key column `%s`", key);
        diag_note(c, dg, d->loc, "the load names its key column with `key = \"...\"`");
        return;
    }
    /* reserve once: a newline count bounds the rows */
    uint32_t lines = 0;
    for (const char *p = text; (p = memchr(p, '\n', (size_t)(text + len - p))); p++)
        lines++;
    uint32_t first_row = t->count;
    double started = now_ms();
    bool progress_shown = false;
    kind_reserve(c, t, lines + 1);
    /* a name per row, and as many again for text columns */
    intern_reserve(c, 2 * lines + 16);
    for (;;) {
        rec_start = r.pos;
        n = csv_next_record(&r, fields, MAX_COLUMNS, scratch, scratch_cap, &err);
        if (n == 0)
            break;
        if (n < 0) {
            uint32_t off = source_offset(c, L->file, err.line, err.col);
            Loc at = {L->file, off, off + 1};
            if (csv_error_budget(L))
                diag_at(c, D_CSV_SYNTAX, at, "%s", err.msg);
            break;   /* the reader cannot resynchronise reliably */
        }
        if (n == 1 && fields[0].len == 0 && !fields[0].quoted)
            continue;   /* blank line */
        if (n != ncols) {
            if (csv_error_budget(L)) {
                Loc at = field_loc(L, &fields[n - 1], rec_start);
                diag_at(c, D_CSV_ROW, at, "row has %d fields; the header has %d", n, ncols);
            }
            continue;
        }
        const char *ks = fields[key_col].ptr;
        size_t kn = fields[key_col].len;
        trim(&ks, &kn);
        Loc kl = field_loc(L, &fields[key_col], rec_start);
        if (kn == 0) {
            if (csv_error_budget(L))
                diag_at(c, D_CSV_CELL, kl, "the key column `%s` is empty", key);
            continue;
        }
        if (!cell_text_ok(L, ks, kn, &fields[key_col], rec_start))
            continue;
        Name name = intern(c, ks, kn);
        int other = name_entity_kind(name);
        if (other >= 0 && other != (int)t->kind) {
            if (csv_error_budget(L)) {
                KindTable *ot = kind_table(c, (EntityKind)other);
                Diag *dg = diag_at(c, D_DUPLICATE, kl, "`%s` is already the name of a %s",
                                   name, entity_kind_name((EntityKind)other));
                diag_note(c, dg, ot->locs[kind_lookup(ot, name)], "`%s` is declared here",
                          name);
            }
            continue;
        }
        int32_t dup = kind_lookup(t, name);
        if (dup >= 0) {
            if (csv_error_budget(L)) {
                Diag *dg = diag_at(c, D_DUPLICATE, kl, "duplicate %s `%s`",
                                   entity_kind_name(kind), name);
                diag_note(c, dg, t->locs[dup], "`%s` is first declared here", name);
            }
            continue;
        }
        uint32_t row = kind_add_row(c, t, name, kl, NULL);
        /* progress, only for loads that take more than a second */
        if (c->opts.progress && (row & 0xFFFF) == 0 && now_ms() - started > 1000) {
            fprintf(stderr, "\rstrat: loading %s: %3d%%", d->text.s,
                    (int)(100.0 * (double)r.pos / (double)(len ? len : 1)));
            progress_shown = true;
        }
        for (int i = 0; i < ncols; i++) {
            if (col_slot[i] < 0)
                continue;
            store_cell(L, t, row, col_slot[i], &fields[i], rec_start, &L->memo[i]);
        }
    }
    (void)first_row;
    if (progress_shown)
        fputs("\r\033[K", stderr);
    if (L->more)
        diag_at(c, D_CSV_CELL, (Loc){L->file, 0, 1}, "%u more problems in this file not "
                                                     "shown", L->more);
}

void load_csv_all(Compilation *c)
{
    Program *p = c->program;
    CsvLoad *L = ARENA_NEW(&c->arena, CsvLoad);
    L->c = c;
    for (uint32_t i = 0; i < p->loads.len; i++) {
        L->errors = L->more = 0;
        load_one(c, L, p->loads.items[i]);
    }
    p->csv_pending = L;
}

void resolve_csv_refs(Compilation *c)
{
    CsvLoad *L = c->program->csv_pending;
    if (!L)
        return;
    /* list references of one row arrive together; append in order */
    for (uint32_t i = 0; i < L->pending.len; i++) {
        PendingRef *pr = L->pending.items[i];
        KindTable *t = kind_table(c, pr->kind);
        const AttrDef *a = &t->attrs[pr->slot];
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
            Diag *d = diag_at(c, D_CSV_CELL, pr->loc, "column `%s`: undefined `%s`", a->name,
                              pr->name);
            Name s = suggest_entity(c, kinds, pr->name);
            if (s)
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
}
