/*
 * report.c — the `report { x = ...  y = ...  size = ...  title = "..." }`
 * block (report.h): the HTML report's chart axes, bubble size and page
 * title, chosen in the strategy.
 *
 * Takes the parsed declarations after the expressions are checked; gives
 * diagnostics S1601-S1605 and, to the HTML report, the block's parts.  The
 * expressions read the service `s` as a decide arm does (a score, an
 * attribute, decision(s, TABLE)); check_service_expr (typecheck.c) binds
 * it.  Nothing here evaluates: the report runs the interpreter on them.
 */
#include <string.h>

#include "diag.h"
#include "intern.h"
#include "report.h"
#include "typecheck.h"

static const char *const KEYS[] = {"x", "y", "size", "title"};
enum { NKEYS = sizeof KEYS / sizeof KEYS[0] };

static int key_index(const char *name)
{
    for (int k = 0; k < NKEYS; k++)
        if (strcmp(name, KEYS[k]) == 0)
            return k;
    return -1;
}

static void check_block(Compilation *c, const Decl *d)
{
    Name keys[NKEYS];
    for (int k = 0; k < NKEYS; k++)
        keys[k] = intern_cstr(c, KEYS[k]);
    const Item *seen[NKEYS] = {0};
    for (const Item *it = d->items; it; it = it->next) {
        int k = it->kind == ITEM_ATTR ? key_index(it->name) : -1;
        if (k < 0) {
            Diag *dg = diag_at(c, D_REPORT_KEY, it->loc,
                               "`%s` is not a key of the report block", it->name);
            Name s = suggest_name(it->name, keys, NKEYS);
            if (s)
                diag_hint(c, dg, "did you mean `%s`?", s);
            else
                diag_hint(c, dg, "the keys are x, y, size and title");
            continue;
        }
        if (seen[k]) {
            Diag *dg = diag_at(c, D_REPORT_KEY_TWICE, it->loc,
                               "`%s` is set twice in the report block", it->name);
            diag_note(c, dg, seen[k]->loc, "first set here");
            continue;
        }
        seen[k] = it;
        if (k == 3) {
            if (it->value->kind != EX_STRING)
                diag_at(c, D_REPORT_TITLE, it->value->loc,
                        "the report's title is a string, as in `title = \"Review 2027\"`");
            continue;
        }
        const Type *t = check_service_expr(c, it->value);
        if (t->kind != T_ERROR && t->kind != T_NUMBER) {
            Diag *dg = diag_at(c, D_REPORT_NOT_NUMBER, it->value->loc,
                               "the report's `%s` is a number for each service `s`; "
                               "this is a %s",
                               it->name, type_name(c, t));
            diag_hint(c, dg, "use a score or a number attribute, as in `%s = %s`", it->name,
                      k == 2 ? "s.cost" : k == 0 ? "value(s)" : "health(s)");
        }
    }
}

void report_check(Compilation *c)
{
    const Decl *first = NULL;
    for (const Decl *d = c->decls; d; d = d->next) {
        if (d->kind != D_REPORT)
            continue;
        if (first) {
            Diag *dg = diag_at(c, D_REPORT_TWICE, d->loc,
                               "a portfolio has one report block; this is a second");
            diag_note(c, dg, first->loc, "the first is here");
            continue;
        }
        first = d;
        check_block(c, d);
    }
}

ReportSpec report_spec(Compilation *c)
{
    ReportSpec r = {0};
    for (const Decl *d = c->decls; d; d = d->next) {
        if (d->kind != D_REPORT)
            continue;
        r.decl = d;
        for (const Item *it = d->items; it; it = it->next) {
            int k = it->kind == ITEM_ATTR ? key_index(it->name) : -1;
            if (k == 0 && !r.x)
                r.x = it->value;
            else if (k == 1 && !r.y)
                r.y = it->value;
            else if (k == 2 && !r.size)
                r.size = it->value;
            else if (k == 3 && !r.title && it->value->kind == EX_STRING)
                r.title = it->value->u.str.s;
        }
        break;
    }
    return r;
}
