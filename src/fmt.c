/*
 * fmt.c — `strat fmt`: one canonical layout for a source file.
 *
 * Takes one file's text, parses it (imports are not followed: a file is
 * formatted on its own) and gives the same declarations printed the one
 * way: two-space indentation, one attribute a line, `=` aligned within a
 * block, decision names aligned in `decide`, fields aligned in `schema`,
 * expressions with single spaces and the fewest parentheses (unparse.c),
 * numbers as their author wrote them (420k stays 420k).
 *
 * Comments are not in the syntax tree, so they are found by a scan of the
 * text (outside strings) and put back by position: a comment on a line of
 * its own goes before the next node at that node's indentation; a comment
 * after code on the same line stays at the end of that line.  A comment
 * inside an expression that spans lines moves to before its declaration —
 * never lost.  Blank lines between nodes are kept, collapsed to one.
 *
 * A file with syntax errors is not formatted, nor one over the size limit
 * of every source file (STRAT_MAX_SOURCE_BYTES).
 */
#include <string.h>

#include "diag.h"
#include "fmt.h"
#include "parse.h"
#include "source.h"
#include "unparse.h"

typedef struct Comment {
    uint32_t start, end;     /* the `#` to the end of its line */
    bool own_line;           /* nothing but space before it on its line */
} Comment;

typedef struct Fmt {
    Compilation *c;
    Source *src;
    FILE *out;
    Comment *comments;
    uint32_t ncomments, next;   /* next comment not yet printed */
    uint32_t prev_end;          /* end offset of the last node printed */
    bool at_line_start;
} Fmt;

enum { WIDTH = 100 };

/* ---- comments ------------------------------------------------------------ */

static void scan_comments(Fmt *f)
{
    const char *t = f->src->text;
    uint32_t n = f->src->len, count = 0, cap = 16;
    Comment *cs = ARENA_ARRAY(&f->c->arena, Comment, cap);
    bool in_string = false, line_blank = true;
    for (uint32_t i = 0; i < n; i++) {
        char ch = t[i];
        if (in_string) {
            if (ch == '\\' && i + 1 < n)
                i++;
            else if (ch == '"' || ch == '\n')
                in_string = false;
            continue;
        }
        if (ch == '"') {
            in_string = true;
            line_blank = false;
        } else if (ch == '#') {
            uint32_t e = i;
            while (e < n && t[e] != '\n')
                e++;
            uint32_t end = e;
            while (end > i && (t[end - 1] == ' ' || t[end - 1] == '\t' || t[end - 1] == '\r'))
                end--;
            if (count == cap) {
                cs = arena_realloc(&f->c->arena, cs, sizeof(Comment) * cap,
                                   sizeof(Comment) * cap * 2);
                cap *= 2;
            }
            cs[count++] = (Comment){i, end, line_blank};
            i = e - 1;
        } else if (ch == '\n') {
            line_blank = true;
        } else if (ch != ' ' && ch != '\t' && ch != '\r') {
            line_blank = false;
        }
    }
    f->comments = cs;
    f->ncomments = count;
}

/* Was there a blank line in the text between offsets a and b? */
static bool blank_between(Fmt *f, uint32_t a, uint32_t b)
{
    unsigned newlines = 0;
    for (uint32_t i = a; i < b && i < f->src->len; i++) {
        char ch = f->src->text[i];
        if (ch == '\n') {
            if (++newlines >= 2)
                return true;
        } else if (ch != ' ' && ch != '\t' && ch != '\r') {
            newlines = 0;
        }
    }
    return false;
}

static void indent(Fmt *f, int level)
{
    for (int i = 0; i < level; i++)
        fputs("  ", f->out);
}

static void print_comment_text(Fmt *f, const Comment *cm)
{
    fprintf(f->out, "%.*s", (int)(cm->end - cm->start), f->src->text + cm->start);
}

/* Own-line comments before offset `before`, at `level`; keeps a blank line
 * that stood before each.  `first` is true when nothing precedes in the
 * block (no blank line is printed at a block's top). */
static void comments_before(Fmt *f, uint32_t before, int level, bool *first)
{
    while (f->next < f->ncomments && f->comments[f->next].start < before) {
        Comment *cm = &f->comments[f->next++];
        if (!*first && blank_between(f, f->prev_end, cm->start))
            fputc('\n', f->out);
        indent(f, level);
        print_comment_text(f, cm);
        fputc('\n', f->out);
        f->prev_end = cm->end;
        *first = false;
    }
}

/* Starts a node at `start`: comments before it, then a blank line if the
 * source had one. */
static void node_start(Fmt *f, uint32_t start, int level, bool *first)
{
    comments_before(f, start, level, first);
    if (!*first && blank_between(f, f->prev_end, start))
        fputc('\n', f->out);
    *first = false;
    indent(f, level);
}

/* Ends a node's line: a comment that followed it on the same source line
 * stays there. */
static void node_end(Fmt *f, uint32_t end)
{
    f->prev_end = end;
    if (f->next < f->ncomments) {
        Comment *cm = &f->comments[f->next];
        bool same_line = !cm->own_line;
        for (uint32_t i = end; same_line && i < cm->start; i++)
            if (f->src->text[i] == '\n')
                same_line = false;
        if (same_line) {
            fputs("  ", f->out);
            print_comment_text(f, cm);
            f->next++;
            f->prev_end = cm->end;
        }
    }
    fputc('\n', f->out);
}

/* ---- expressions and values ------------------------------------------------- */

static const char *expr_str(Fmt *f, const Expr *e)
{
    return expr_text(f->c, e);
}

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* A value: lists too long for the line go one element a line. */
static void print_value(Fmt *f, const Expr *e, int level, size_t used)
{
    const char *text = expr_str(f, e);
    if (e->kind != EX_LIST || used + utf8_len(text) <= WIDTH || list_len(e) < 2) {
        fputs(text, f->out);
        return;
    }
    fputs("[\n", f->out);
    Buf b = {&f->c->arena, NULL, 0, 0};
    for (uint32_t i = 0; i < e->u.list.npacked; i++) {
        b.len = 0;   /* one buffer for every element */
        unparse_list_number(&b, e, i);
        indent(f, level + 1);
        fprintf(f->out, "%.*s,\n", (int)b.len, b.s);
    }
    for (uint32_t i = 0; i < e->u.list.n; i++) {
        indent(f, level + 1);
        fprintf(f->out, "%s,\n", expr_str(f, e->u.list.items[i]));
    }
    indent(f, level);
    fputc(']', f->out);
}

static const char *string_literal(Fmt *f, Str s)
{
    Expr e = {0};
    e.kind = EX_STRING;
    e.u.str = s;
    return expr_str(f, &e);
}

/* ---- blocks ------------------------------------------------------------------ */

static void print_items(Fmt *f, Item *items, int level);

static uint32_t item_end(const Item *it)
{
    if (it->kind == ITEM_ATTR)
        return it->value ? it->value->loc.end : it->loc.end;
    return it->end_loc.end;
}

/* A block the author wrote on one line stays on one line if it still
 * fits and holds only plain attributes: `risk security { likelihood = 2
 * impact = 5 }` reads better than five lines. */
static bool print_one_line_block(Fmt *f, Item *items, size_t column, uint32_t open,
                                 uint32_t close)
{
    for (uint32_t i = open; i < close; i++)
        if (f->src->text[i] == '\n')
            return false;
    if (f->next < f->ncomments && f->comments[f->next].start < close)
        return false;
    const char *line = "{";
    for (Item *it = items; it; it = it->next) {
        if (it->kind != ITEM_ATTR)
            return false;
        line = arena_printf(&f->c->arena, "%s%s%s = %s", line, it == items ? " " : "  ",
                            it->name, expr_str(f, it->value));
    }
    line = arena_printf(&f->c->arena, "%s }", line);
    if (column + utf8_len(line) > WIDTH)
        return false;
    fputs(line, f->out);
    return true;
}

/* `{ items }`, or `{}` when empty; `open`/`close`: the braces' offsets;
 * `column`: where the brace goes on the output line. */
static void print_block(Fmt *f, Item *items, int level, size_t column, uint32_t open,
                        uint32_t close)
{
    if (!items && !(f->next < f->ncomments && f->comments[f->next].start < close)) {
        fputs("{}", f->out);
        return;
    }
    if (items && print_one_line_block(f, items, column, open, close))
        return;
    fputs("{", f->out);
    node_end(f, f->prev_end);
    print_items(f, items, level + 1);
    bool first = items == NULL;
    comments_before(f, close ? close - 1 : 0, level + 1, &first);
    indent(f, level);
    fputc('}', f->out);
}

static void print_items(Fmt *f, Item *items, int level)
{
    size_t width = 0;
    for (Item *it = items; it; it = it->next)
        if (it->kind == ITEM_ATTR && strlen(it->name) > width)
            width = strlen(it->name);
    bool first = true;
    for (Item *it = items; it; it = it->next) {
        node_start(f, it->loc.start, level, &first);
        if (it->kind == ITEM_ATTR) {
            fprintf(f->out, "%-*s = ", (int)width, it->name);
            f->prev_end = it->loc.end;
            print_value(f, it->value, level, (size_t)level * 2 + width + 3);
            node_end(f, item_end(it));
        } else {
            fprintf(f->out, "%s %s ", it->kind == ITEM_RISK ? "risk" : "stage", it->name);
            f->prev_end = it->loc.end;
            print_block(f, it->items, level,
                        (size_t)level * 2 + 7 + strlen(it->name), it->end_loc.start,
                        it->end_loc.end);
            node_end(f, it->end_loc.end);
        }
    }
}

/* ---- declarations ------------------------------------------------------------- */

static const char *decl_keyword(const Decl *d)
{
    switch (d->kind) {
    case D_IMPORT: return "import";
    case D_STRATEGY: return "strategy";
    case D_ENTITY: return entity_kind_name(d->entity_kind);
    case D_APPETITE: return "appetite";
    case D_SCHEMA: return "schema";
    case D_SCORE: return "score";
    case D_RULE: return "rule";
    case D_DECIDE: return "decide";
    case D_APPROVAL: return "approval";
    case D_SCENARIO: return "scenario";
    case D_LOAD: return "load";
    case D_WAIVER: return "waiver";
    case D_LIMIT: return "limit";
    case D_TEST: return "test";
    case D_CONST: return "const";
    }
    return "?";
}

/* `head = expr`, broken after `=` when too long. */
static void print_definition(Fmt *f, const char *head, const Expr *e, int level)
{
    const char *body = expr_str(f, e);
    if (utf8_len(head) + 3 + utf8_len(body) + (size_t)level * 2 <= WIDTH) {
        fprintf(f->out, "%s = %s", head, body);
    } else {
        fprintf(f->out, "%s =\n", head);
        indent(f, level + 1);
        fputs(body, f->out);
    }
}

static void print_schema(Fmt *f, Decl *d)
{
    fprintf(f->out, "schema %s {", d->name);
    node_end(f, d->name_loc.end);
    size_t width = 0;
    for (SchemaField *x = d->fields; x; x = x->next)
        if (strlen(x->name) > width)
            width = strlen(x->name);
    bool first = true;
    for (SchemaField *x = d->fields; x; x = x->next) {
        node_start(f, x->span.start, 1, &first);
        fprintf(f->out, "%-*s : %s%s%s", (int)width, x->name, x->is_list ? "[" : "",
                x->type_name, x->is_list ? "]" : "");
        if (x->in)
            fprintf(f->out, " in %s", expr_str(f, x->in));
        if (x->cmp != OP_NONE)
            fprintf(f->out, " %s %s", op_text(x->cmp), expr_str(f, x->cmp_value));
        if (x->cmp2 != OP_NONE)
            fprintf(f->out, " %s %s", op_text(x->cmp2), expr_str(f, x->cmp2_value));
        if (x->required)
            fputs(" required", f->out);
        if (x->default_value)
            fprintf(f->out, " = %s", expr_str(f, x->default_value));
        node_end(f, x->span.end);
    }
    comments_before(f, d->end_loc.start, 1, &first);
    fputc('}', f->out);
}

static void print_decide(Fmt *f, Decl *d)
{
    fputs("decide {", f->out);
    node_end(f, d->loc.end);
    size_t width = 0;
    for (Arm *a = d->arms; a; a = a->next)
        if (strlen(a->decision) > width)
            width = strlen(a->decision);
    bool first = true;
    for (Arm *a = d->arms; a; a = a->next) {
        node_start(f, a->span.start, 1, &first);
        fprintf(f->out, "%-*s %s", (int)width, a->decision,
                a->cond ? "when " : "otherwise");
        if (a->cond)
            fputs(expr_str(f, a->cond), f->out);
        if (a->because.s)
            fprintf(f->out, " because %s", string_literal(f, a->because));
        node_end(f, a->span.end);
    }
    if (d->rank) {
        node_start(f, d->rank->loc.start, 1, &first);
        fprintf(f->out, "rank by %s %s", expr_str(f, d->rank),
                d->rank_order == SORT_ASC ? "asc" : "desc");
        node_end(f, d->rank->loc.end);
    }
    comments_before(f, d->end_loc.start, 1, &first);
    fputc('}', f->out);
}

static void print_decl(Fmt *f, Decl *d)
{
    char head[600];
    switch (d->kind) {
    case D_IMPORT:
        fprintf(f->out, "import %s", string_literal(f, d->text));
        node_end(f, d->text_loc.end);
        return;
    case D_STRATEGY:
        fprintf(f->out, "strategy %s ", string_literal(f, d->text));
        f->prev_end = d->text_loc.end;
        print_block(f, d->items, 0, 10 + utf8_len(string_literal(f, d->text)),
                    d->end_loc.start, d->end_loc.end);
        node_end(f, d->end_loc.end);
        return;
    case D_ENTITY: case D_APPROVAL: case D_WAIVER:
        fprintf(f->out, "%s %s ", decl_keyword(d), d->name);
        f->prev_end = d->name_loc.end;
        print_block(f, d->items, 0, strlen(decl_keyword(d)) + strlen(d->name) + 2,
                    d->end_loc.start, d->end_loc.end);
        node_end(f, d->end_loc.end);
        return;
    case D_APPETITE:
        fputs("appetite ", f->out);
        f->prev_end = d->loc.end;
        print_block(f, d->items, 0, 9, d->end_loc.start, d->end_loc.end);
        node_end(f, d->end_loc.end);
        return;
    case D_LOAD:
        fprintf(f->out, "load %s from %s", d->name, string_literal(f, d->text));
        f->prev_end = d->text_loc.end;
        if (d->items) {
            fputc(' ', f->out);
            print_block(f, d->items, 0,
                        12 + strlen(d->name) + utf8_len(string_literal(f, d->text)),
                        d->text_loc.end, d->end_loc.end);
        }
        node_end(f, d->end_loc.end);
        return;
    case D_SCHEMA:
        print_schema(f, d);
        node_end(f, d->end_loc.end);
        return;
    case D_DECIDE:
        print_decide(f, d);
        node_end(f, d->end_loc.end);
        return;
    case D_SCORE:
        snprintf(head, sizeof head, "score %s(%s)", d->name, d->param);
        print_definition(f, head, d->expr, 0);
        node_end(f, d->expr->loc.end);
        return;
    case D_RULE: {
        static const char *const sev[] = {"error", "warning", "info", "note"};
        snprintf(head, sizeof head, "rule %s (%s) %s", d->name, sev[d->severity],
                 string_literal(f, d->text));
        print_definition(f, head, d->expr, 0);
        node_end(f, d->expr->loc.end);
        return;
    }
    case D_LIMIT:
        snprintf(head, sizeof head, "limit %s %s", d->name, string_literal(f, d->text));
        print_definition(f, head, d->expr, 0);
        node_end(f, d->expr->loc.end);
        return;
    case D_CONST:
        snprintf(head, sizeof head, "const %s", d->name);
        print_definition(f, head, d->expr, 0);
        node_end(f, d->expr->loc.end);
        return;
    case D_SCENARIO: {
        fprintf(f->out, "scenario %s {", d->name);
        node_end(f, d->name_loc.end);
        bool first = true;
        for (SetStmt *st = d->sets; st; st = st->next) {
            node_start(f, st->span.start, 1, &first);
            fprintf(f->out, "set %s = %s for %s in %s", expr_str(f, st->target),
                    expr_str(f, st->value), st->var, st->kind_name);
            if (st->where)
                fprintf(f->out, " where %s", expr_str(f, st->where));
            node_end(f, st->span.end);
        }
        comments_before(f, d->end_loc.start, 1, &first);
        fputc('}', f->out);
        node_end(f, d->end_loc.end);
        return;
    }
    case D_TEST: {
        fprintf(f->out, "test %s {", d->name);
        node_end(f, d->name_loc.end);
        bool first = true;
        for (Expect *x = d->expects; x; x = x->next) {
            node_start(f, x->span.start, 1, &first);
            fprintf(f->out, "expect %s", expr_str(f, x->cond));
            node_end(f, x->span.end);
        }
        comments_before(f, d->end_loc.start, 1, &first);
        fputc('}', f->out);
        node_end(f, d->end_loc.end);
        return;
    }
    }
}

strat_status fmt_source(Compilation *c, const char *path, const char *text, size_t len,
                        FILE *out)
{
    /* a source's length and offsets are 32-bit: past the limit, a 4 GiB +
     * 30 B text would be formatted as its first 30 bytes */
    if (len > STRAT_MAX_SOURCE_BYTES) {
        diag_at(c, D_FILE_TOO_LARGE, (Loc){0, 0, 0}, "cannot format `%s`: it is larger than %zu MiB",
                path, STRAT_MAX_SOURCE_BYTES >> 20);
        return STRAT_FAILURE;
    }
    uint32_t file = source_add(c, path, NULL, text, len, false);
    ParseState ps;
    unsigned errors_before = c->nerrors;
    parse_source(c, file, &ps);
    if (c->nerrors > errors_before)
        return STRAT_FINDINGS;
    Fmt fs = {0};
    Fmt *f = &fs;
    f->c = c;
    f->src = source_get(c, file);
    f->out = out;
    scan_comments(f);
    bool first = true;
    for (Decl *d = ps.head; d; d = d->next) {
        node_start(f, d->loc.start, 0, &first);
        print_decl(f, d);
    }
    comments_before(f, f->src->len + 1, 0, &first);
    return STRAT_OK;
}
