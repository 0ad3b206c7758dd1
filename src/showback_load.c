/*
 * showback_load.c — show-back's rows from CSV (showback_load.h).
 *
 *   load usage from "usage.csv" { service = "Service"  customer = "Business Unit"
 *                                 quantity = "Units" }
 *   load pool from "ledger.csv" { pool = "Cost Pool"  amount = "Amount" }
 *
 * The mapping names the column of each field (by default the field's own
 * name); other columns are read for nothing.  Each record gives one row;
 * a cell that cannot be read is S1103 at the cell, a missing column S1102
 * at the header, a ragged record S1104, as for the other loads.  At most
 * MAX_ROW_ERRORS problems per load are reported.
 */
#include <string.h>

#include "csv.h"
#include "diag.h"
#include "intern.h"
#include "showback_load.h"

enum { MAX_FIELDS = 1024, MAX_ROW_ERRORS = 20 };

bool showback_load_kind(Name kind)
{
    return strcmp(kind, "usage") == 0 || strcmp(kind, "pool") == 0;
}

static Loc cell_loc(uint32_t file, const char *text, size_t len, const csv_field *f,
                    size_t record_start)
{
    size_t off = record_start;
    if (f->ptr >= text && f->ptr <= text + len)
        off = (size_t)(f->ptr - text) - (f->quoted ? 1 : 0);
    Loc l = {file, (uint32_t)off, (uint32_t)(off + f->len + (f->quoted ? 2 : 0))};
    if (l.end == l.start)
        l.end = l.start + 1;
    return l;
}

static ShowbackRows *rows_of(Compilation *c)
{
    Program *p = c->program;
    if (!p->showback_rows)
        p->showback_rows = ARENA_NEW(&c->arena, ShowbackRows);
    return p->showback_rows;
}

void showback_load_csv(Compilation *c, Decl *d, uint32_t file, const char *text, size_t len)
{
    bool usage = strcmp(d->name, "usage") == 0;
    const char *names[3] = {usage ? "service" : "pool", usage ? "customer" : "amount",
                            usage ? "quantity" : NULL};
    int nnames = usage ? 3 : 2;
    const char *column[3] = {names[0], names[1], names[2]};
    Loc map_loc[3] = {d->name_loc, d->name_loc, d->name_loc};
    for (Item *it = d->items; it; it = it->next) {
        int k = -1;
        for (int i = 0; i < nnames; i++)
            if (it->kind == ITEM_ATTR && strcmp(it->name, names[i]) == 0)
                k = i;
        if (k < 0) {
            Diag *dg = diag_at(c, D_SB_BLOCK, it->loc, "unknown item `%s` in a load %s block",
                               it->name, d->name);
            diag_hint(c, dg, usage ? "it maps service, customer and quantity to columns"
                                   : "it maps pool and amount to columns");
            continue;
        }
        if (it->value->kind != EX_STRING) {
            diag_at(c, D_SB_BLOCK, it->value->loc, "a load block maps `%s` to a CSV column "
                    "name: `%s = \"Column\"`", it->name, it->name);
            continue;
        }
        column[k] = it->value->u.str.s;
        map_loc[k] = it->value->loc;
    }
    csv_reader r;
    csv_init(&r, text, len);
    csv_field *fields = ARENA_ARRAY(&c->arena, csv_field, MAX_FIELDS);
    char *scratch = arena_alloc(&c->arena, len + 1);
    csv_error err;
    int nh = csv_next_record(&r, fields, MAX_FIELDS, scratch, len + 1, &err);
    if (nh <= 0) {
        Loc at = {file, (uint32_t)(nh < 0 ? err.offset : 0), (uint32_t)(nh < 0 ? err.offset : 0) + 1};
        diag_at(c, nh < 0 ? D_CSV_SYNTAX : D_CSV_HEADER, at, "%s",
                nh < 0 ? err.msg : "the file has no header");
        return;
    }
    int col_of[3] = {-1, -1, -1};
    for (int k = 0; k < nnames; k++) {
        for (int i = 0; i < nh; i++) {
            const char *s = fields[i].ptr;
            size_t n = fields[i].len;
            csv_trim(&s, &n);
            if (n == strlen(column[k]) && memcmp(s, column[k], n) == 0)
                col_of[k] = i;
        }
        if (col_of[k] < 0) {
            Diag *dg = diag_at(c, D_CSV_HEADER, (Loc){file, 0, 1},
                               "the header has no column `%s` (%s)", column[k], names[k]);
            diag_note(c, dg, map_loc[k], "the load reads %s from it", names[k]);
            return;
        }
    }
    ShowbackRows *rows = rows_of(c);
    unsigned errors = 0;
    for (;;) {
        size_t start = r.pos;
        int n = csv_next_record(&r, fields, MAX_FIELDS, scratch, len + 1, &err);
        if (n == 0)
            break;
        if (n < 0) {
            diag_at(c, D_CSV_SYNTAX, (Loc){file, (uint32_t)err.offset, (uint32_t)err.offset + 1},
                    "%s", err.msg);
            return;
        }
        if (n == 1 && fields[0].len == 0)
            continue;   /* a blank line */
        if (n != nh) {
            if (errors++ < MAX_ROW_ERRORS)
                diag_at(c, D_CSV_ROW, (Loc){file, (uint32_t)start, (uint32_t)start + 1},
                        "row has %d field%s; the header has %d", n, n == 1 ? "" : "s",
                        nh);
            continue;
        }
        Name name[2] = {NULL, NULL};
        Loc loc[3];
        bool ok = true;
        for (int k = 0; k < nnames; k++) {
            const csv_field *f = &fields[col_of[k]];
            const char *s = f->ptr;
            size_t len_k = f->len;
            csv_trim(&s, &len_k);
            loc[k] = cell_loc(file, text, len, f, start);
            bool number = k == nnames - 1;
            double v = 0;
            if (number ? csv_parse_number(s, len_k, &v) != CSV_NUM_OK : len_k == 0) {
                if (errors++ < MAX_ROW_ERRORS)
                    diag_at(c, D_CSV_CELL, loc[k], "`%.*s` in column `%s` is not %s",
                            (int)(len_k > 60 ? 60 : len_k), s, column[k],
                            number ? "a number" : "a name");
                ok = false;
                continue;
            }
            if (number) {
                if (usage) {
                    if (rows->nusage == rows->usage_cap) {
                        uint32_t cap = rows->usage_cap ? rows->usage_cap * 2 : 64;
                        rows->usage = arena_realloc(&c->arena, rows->usage,
                                                    sizeof *rows->usage * rows->usage_cap,
                                                    sizeof *rows->usage * cap);
                        rows->usage_cap = cap;
                    }
                    if (ok)
                        rows->usage[rows->nusage++] =
                            (UsageRow){name[0], name[1], loc[0], loc[1], loc[2], v};
                } else {
                    if (rows->nledger == rows->ledger_cap) {
                        uint32_t cap = rows->ledger_cap ? rows->ledger_cap * 2 : 64;
                        rows->ledger = arena_realloc(&c->arena, rows->ledger,
                                                     sizeof *rows->ledger * rows->ledger_cap,
                                                     sizeof *rows->ledger * cap);
                        rows->ledger_cap = cap;
                    }
                    if (ok)
                        rows->ledger[rows->nledger++] = (LedgerRow){name[0], loc[0], loc[1], v};
                }
            } else {
                name[k] = intern(c, s, len_k);
            }
        }
    }
}
