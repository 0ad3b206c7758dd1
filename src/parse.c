/*
 * parse.c — the parser's side of the syntax tree: the constructors the
 * grammar's actions call (grammar/strat.y), number lists kept packed, the
 * nesting limit, and syntax-error messages.  The scanner and parser
 * themselves are generated from grammar/strat.l and grammar/strat.y; with
 * this file they are the parse module (parse.h).
 */
#include <string.h>

#include "diag.h"
#include "intern.h"
#include "parse.h"
#include "source.h"

Name ps_name(ParseState *ps, const char *s)
{
    return intern_cstr(ps->c, s);
}

Decl *decl_new(ParseState *ps, DeclKind kind, Loc loc)
{
    Decl *d = ARENA_NEW(&ps->c->arena, Decl);
    d->kind = kind;
    d->loc = loc;
    d->source = ps->file - 1;
    return d;
}

Decl *decl_entity(ParseState *ps, EntityKind k, Loc kw, Name name,
                  Loc name_loc, ItemList items, Loc block_loc)
{
    Decl *d = decl_new(ps, D_ENTITY, kw);
    d->entity_kind = k;
    d->name = name;
    d->name_loc = name_loc;
    d->items = items.head;
    d->end_loc = block_loc;
    return d;
}

void parse_add_decl(ParseState *ps, Decl *d)
{
    if (ps->tail)
        ps->tail->next = d;
    else
        ps->head = d;
    ps->tail = d;
}

Severity parse_severity(ParseState *ps, Name word, Loc loc)
{
    if (strcmp(word, "error") == 0)
        return SEV_ERROR;
    if (strcmp(word, "warning") == 0)
        return SEV_WARNING;
    if (strcmp(word, "info") == 0)
        return SEV_INFO;
    static const char *const known[] = {"error", "warning", "info"};
    Name cands[3];
    for (int i = 0; i < 3; i++)
        cands[i] = intern_cstr(ps->c, known[i]);
    Diag *dg = diag_at(ps->c, D_SEVERITY, loc, "unknown severity `%s`", word);
    Name s = suggest_name(word, cands, 3);
    diag_hint(ps->c, dg, s ? "did you mean `%s`?" : "use error, warning or info%s",
              s ? s : "");
    return SEV_ERROR;
}

Item *item_new(ParseState *ps, ItemKind kind, Name name, Loc loc)
{
    Item *it = ARENA_NEW(&ps->c->arena, Item);
    it->kind = kind;
    it->name = name;
    it->loc = loc;
    return it;
}

void item_append(ItemList *l, Item *it)
{
    if (l->tail)
        l->tail->next = it;
    else
        l->head = it;
    l->tail = it;
}

SchemaField *field_new(ParseState *ps)
{
    return ARENA_NEW(&ps->c->arena, SchemaField);
}

void field_append(FieldList *l, SchemaField *f)
{
    if (l->tail)
        l->tail->next = f;
    else
        l->head = f;
    l->tail = f;
}

Arm *arm_new(ParseState *ps, Name decision, Loc loc)
{
    Arm *a = ARENA_NEW(&ps->c->arena, Arm);
    a->decision = decision;
    a->loc = loc;
    return a;
}

void arm_append(ArmList *l, Arm *a)
{
    if (l->tail)
        l->tail->next = a;
    else
        l->head = a;
    l->tail = a;
}

SetStmt *set_new(ParseState *ps, Loc loc, Expr *target, Expr *value,
                 Name var, Loc var_loc, Name kind, Loc kind_loc, Expr *where)
{
    SetStmt *s = ARENA_NEW(&ps->c->arena, SetStmt);
    s->loc = loc;
    s->target = target;
    s->value = value;
    s->var = var;
    s->var_loc = var_loc;
    s->kind_name = kind;
    s->kind_loc = kind_loc;
    s->where = where;
    return s;
}

SetStmt *set_append(SetStmt *list, SetStmt *s)
{
    if (!list)
        return s;
    SetStmt *t = list;
    while (t->next)
        t = t->next;
    t->next = s;
    return list;
}

Expect *expect_new(ParseState *ps, Loc loc, Expr *cond)
{
    Expect *e = ARENA_NEW(&ps->c->arena, Expect);
    e->loc = loc;
    e->cond = cond;
    return e;
}

Expect *expect_append(Expect *list, Expect *e)
{
    if (!list)
        return e;
    Expect *t = list;
    while (t->next)
        t = t->next;
    t->next = e;
    return list;
}

Expr *ex_new(ParseState *ps, ExprKind kind, Loc loc)
{
    Expr *e;
    if (ps->spare) {
        e = ps->spare;
        ps->spare = e->u.ops.a;
        memset(e, 0, sizeof *e);
    } else {
        e = ARENA_NEW(&ps->c->arena, Expr);
    }
    e->kind = kind;
    e->loc = loc;
    e->depth = 1;
    return e;
}

Expr *ex_number(ParseState *ps, Loc loc, NumLit n)
{
    Expr *e = ex_new(ps, EX_NUMBER, loc);
    e->u.num.value = n.value;
    e->u.num.style = n.style;
    e->u.num.text = n.text;
    return e;
}

Expr *ex_name(ParseState *ps, Loc loc, Name id)
{
    Expr *e = ex_new(ps, EX_NAME, loc);
    e->u.name.id = id;
    return e;
}

/* Left-recursive rules build `a and b and c ...` as a tree as deep as the
 * chain is long; every later stage walks trees recursively, so height is
 * capped here, where a hostile file is caught with one message. */
enum { MAX_EXPR_DEPTH = 400 };

static Expr *depth_checked(ParseState *ps, Expr *e, uint32_t child_depth)
{
    e->depth = child_depth + 1;
    if (e->depth <= MAX_EXPR_DEPTH)
        return e;
    if (!ps->too_deep_reported) {
        ps->too_deep_reported = true;
        diag_at(ps->c, D_NESTING, e->loc,
                "expression nested deeper than %d levels", MAX_EXPR_DEPTH);
    }
    /* the error's height keeps every enclosing node over the limit, so
     * the whole chain collapses into this one node and one message */
    Expr *err = ex_new(ps, EX_ERROR, e->loc);
    err->depth = MAX_EXPR_DEPTH;
    return err;
}

static uint32_t depth_of(const Expr *e)
{
    return e ? e->depth : 0;
}

static uint32_t max3(uint32_t a, uint32_t b, uint32_t c)
{
    uint32_t m = a > b ? a : b;
    return m > c ? m : c;
}

Expr *ex_ops(ParseState *ps, ExprKind kind, Op op, Loc loc, Expr *a,
             Expr *b, Expr *c)
{
    Expr *e = ex_new(ps, kind, loc);
    e->u.ops.op = op;
    e->u.ops.a = a;
    e->u.ops.b = b;
    e->u.ops.c = c;
    return depth_checked(ps, e, max3(depth_of(a), depth_of(b), depth_of(c)));
}

Expr *ex_attr(ParseState *ps, Loc loc, Expr *obj, Name attr, Loc attr_loc)
{
    Expr *e = ex_new(ps, EX_ATTR, loc);
    e->u.attr.obj = obj;
    e->u.attr.attr = attr;
    e->u.attr.attr_loc = attr_loc;
    e->u.attr.slot = -1;
    return depth_checked(ps, e, depth_of(obj));
}

/* Lists of fewer number literals than this are nodes like any other list:
 * packing is for the long ones, where the nodes cost. */
enum { PACK_MIN = 64 };

static void exprs_push_node(ParseState *ps, ExprList *l, Expr *e);

/* The packed numbers of l as nodes, ahead of its other items. */
static void exprs_unpack(ParseState *ps, ExprList *l)
{
    ExprList out = exprs_empty();
    uint32_t np = l->npacked;
    l->npacked = 0;
    for (uint32_t i = 0; i < np; i++) {
        Loc at = {ps->file, l->spans[2 * i], l->spans[2 * i + 1]};
        NumLit n = {l->nums[i], NUM_PLAIN, l->texts ? l->texts[i] : NULL};
        if (n.text) {
            char last = n.text[strlen(n.text) - 1];
            n.style = last == 'k' ? NUM_K : last == 'M' ? NUM_M : last == 'B' ? NUM_B
                    : last == '%' ? NUM_PERCENT : NUM_PLAIN;
        }
        exprs_push_node(ps, &out, ex_number(ps, at, n));
    }
    for (uint32_t i = 0; i < l->n; i++)
        exprs_push_node(ps, &out, l->items[i]);
    *l = out;
}

Expr *ex_call(ParseState *ps, Loc loc, Name fn, Loc fn_loc, ExprList args)
{
    if (args.npacked)
        exprs_unpack(ps, &args);
    Expr *e = ex_new(ps, EX_CALL, loc);
    e->u.call.fn = fn;
    e->u.call.fn_loc = fn_loc;
    e->u.call.args = args.items;
    e->u.call.nargs = args.n;
    e->u.call.builtin = -1;
    uint32_t d = 0;
    for (uint32_t i = 0; i < args.n; i++)
        d = d > depth_of(args.items[i]) ? d : depth_of(args.items[i]);
    return depth_checked(ps, e, d);
}

Expr *ex_list(ParseState *ps, Loc loc, ExprList items)
{
    if (items.npacked && items.npacked < PACK_MIN)
        exprs_unpack(ps, &items);
    Expr *e = ex_new(ps, EX_LIST, loc);
    if (items.npacked) {
        e->u.list.npacked = items.npacked;
        e->u.list.nums = items.nums;
        e->u.list.spans = items.spans;
        e->u.list.texts = (const char *const *)items.texts;
        return depth_checked(ps, e, 1);
    }
    e->u.list.items = items.items;
    e->u.list.n = items.n;
    uint32_t d = 0;
    for (uint32_t i = 0; i < items.n; i++)
        d = d > depth_of(items.items[i]) ? d : depth_of(items.items[i]);
    return depth_checked(ps, e, d);
}

Expr *ex_quant(ParseState *ps, bool is_all, Loc loc, Name var, Loc var_loc,
               Name kind, Loc kind_loc, Expr *where, Expr *body)
{
    Expr *e = ex_new(ps, EX_QUANT, loc);
    e->u.quant.is_all = is_all;
    e->u.quant.var = var;
    e->u.quant.var_loc = var_loc;
    e->u.quant.kind_name = kind;
    e->u.quant.kind_loc = kind_loc;
    e->u.quant.where = where;
    e->u.quant.body = body;
    e->u.quant.local = -1;
    return depth_checked(ps, e, depth_of(where) > depth_of(body) ? depth_of(where)
                                                                 : depth_of(body));
}

Expr *ex_comprehension(ParseState *ps, Loc loc, Expr *body, Name var,
                       Loc var_loc, Name kind, Loc kind_loc, Expr *where)
{
    Expr *e = ex_quant(ps, false, loc, var, var_loc, kind, kind_loc, where, body);
    if (e->kind == EX_QUANT)
        e->kind = EX_COMPREH;
    return e;
}

ExprList exprs_empty(void)
{
    ExprList l = {0};
    return l;
}

void exprs_push(ParseState *ps, ExprList *l, Expr *e)
{
    Arena *a = &ps->c->arena;
    if (e->kind == EX_NUMBER && l->n == 0) {
        /* packed: the value and where it was written; the node goes back
         * to ex_new for the next literal */
        if (l->npacked == l->pcap) {
            uint32_t ncap = l->pcap ? l->pcap * 2 : 16;
            l->nums = arena_realloc(a, l->nums, sizeof(double) * l->pcap,
                                    sizeof(double) * ncap);
            l->spans = arena_realloc(a, l->spans, sizeof(uint32_t) * 2 * l->pcap,
                                     sizeof(uint32_t) * 2 * ncap);
            if (l->texts)
                l->texts = arena_realloc(a, l->texts, sizeof(char *) * l->pcap,
                                         sizeof(char *) * ncap);
            l->pcap = ncap;
        }
        uint32_t i = l->npacked++;
        l->nums[i] = e->u.num.value;
        l->spans[2 * i] = e->loc.start;
        l->spans[2 * i + 1] = e->loc.end;
        if (e->u.num.text && !l->texts)
            l->texts = ARENA_ARRAY(a, const char *, l->pcap);
        if (l->texts)
            l->texts[i] = e->u.num.text;
        e->u.ops.a = ps->spare;
        ps->spare = e;
        return;
    }
    if (l->npacked)
        exprs_unpack(ps, l);
    exprs_push_node(ps, l, e);
}

static void exprs_push_node(ParseState *ps, ExprList *l, Expr *e)
{
    if (l->n == l->cap) {
        uint32_t ncap = l->cap ? l->cap * 2 : 4;
        l->items = arena_realloc(&ps->c->arena, l->items,
                                 sizeof(Expr *) * l->cap, sizeof(Expr *) * ncap);
        l->cap = ncap;
    }
    l->items[l->n++] = e;
}


/* ---- what a syntax error broke ----------------------------------------- */

/* Declarations start at the left margin with a keyword (the formatter and
 * every example keep them there), so the source text says which one a
 * syntax error is in without trusting the parser's recovery. */
static const char *const decl_words[] = {
    "import", "strategy", "role", "team", "customer", "objective", "service",
    "offering", "value_stream", "appetite", "schema", "score", "rule",
    "decide", "approval", "scenario", "load", "waiver", "limit", "test",
    "const"};

/* Length of the declaration keyword the line at `ls` starts with, or 0. */
static size_t decl_word_at(const char *t, uint32_t len, uint32_t ls)
{
    for (size_t i = 0; i < sizeof decl_words / sizeof decl_words[0]; i++) {
        size_t n = strlen(decl_words[i]);
        if (ls + n < len && memcmp(t + ls, decl_words[i], n) == 0 &&
            (t[ls + n] == ' ' || t[ls + n] == '\t'))
            return n;
    }
    return 0;
}

/* How far the text scans below look for a declaration's edges, and how
 * many syntax errors of a file mark theirs: a hostile file of a million
 * broken lines costs a bounded amount each, for a bounded number. */
enum { MAX_DECL_SCAN = 1 << 16, MAX_BROKEN_PER_FILE = 100 };

static uint32_t line_start(const char *t, uint32_t off)
{
    uint32_t stop = off > MAX_DECL_SCAN ? off - MAX_DECL_SCAN : 0;
    while (off > stop && t[off - 1] != '\n')
        off--;
    return off;
}

static uint32_t line_indent(const char *t, uint32_t len, uint32_t ls)
{
    uint32_t i = ls;
    while (i < len && (t[i] == ' ' || t[i] == '\t'))
        i++;
    return i - ls;
}

/* The start of the declaration the byte at `off` belongs to; an error
 * found at a declaration keyword on the margin belongs to the one before
 * (the parser met the next declaration while still inside the last). */
static uint32_t decl_start(const char *t, uint32_t len, uint32_t off)
{
    uint32_t ls = line_start(t, off), first = ls;
    if (ls == off && decl_word_at(t, len, ls)) {
        if (ls == 0)
            return 0;
        ls = line_start(t, ls - 1);
    }
    for (;;) {
        if (decl_word_at(t, len, ls) || ls == 0)
            return ls;
        if (off - ls > MAX_DECL_SCAN)
            return first;   /* hostile input: no declaration in sight */
        ls = line_start(t, ls - 1);
    }
}

/* The end of that declaration: the next declaration keyword on the margin
 * after the line of `off` (or `off` itself when it is one), else the end. */
static uint32_t decl_end(const char *t, uint32_t len, uint32_t off)
{
    uint32_t ls = line_start(t, off);
    if (ls == off && decl_word_at(t, len, ls))
        return off;
    for (uint32_t i = off; i < len && i - off <= MAX_DECL_SCAN; i++)
        if (t[i] == '\n' && i + 1 < len && decl_word_at(t, len, i + 1))
            return i + 1;
    return len - off <= MAX_DECL_SCAN ? len : off + MAX_DECL_SCAN;
}

/* Records the declaration a syntax error at `loc` broke: the diagnostics
 * of later stages inside it are dropped, and the name it declares is
 * never reported undefined elsewhere (diag.c).  Returns its start. */
uint32_t note_broken_decl(ParseState *ps, Loc loc)
{
    Compilation *c = ps->c;
    Source *src = source_get(c, ps->file);
    if (!src || !src->text || loc.start > src->len || ps->syntax_errors > MAX_BROKEN_PER_FILE)
        return 0;
    const char *t = src->text;
    uint32_t start = decl_start(t, src->len, loc.start);
    for (uint32_t i = 0; i < c->broken_decls.len; i++) {
        BrokenDecl *b = c->broken_decls.items[i];
        if (b->file == ps->file && b->start == start)
            return start;
    }
    BrokenDecl *b = ARENA_NEW(&c->arena, BrokenDecl);
    b->file = ps->file;
    b->start = start;
    b->end = decl_end(t, src->len, loc.start);
    size_t kw = decl_word_at(t, src->len, start);
    if (kw && strncmp(t + start, "strategy", kw) != 0 && strncmp(t + start, "import", kw) != 0) {
        uint32_t i = start + (uint32_t)kw;
        while (i < src->len && (t[i] == ' ' || t[i] == '\t'))
            i++;
        uint32_t n = i;
        if (i < src->len && t[i] == '`') {   /* `a name in backticks` */
            const char *q = memchr(t + i + 1, '`', src->len - i - 1);
            const char *nl = memchr(t + i + 1, '\n', src->len - i - 1);
            if (q && (!nl || q < nl) && q > t + i + 1)
                b->name = intern(c, t + i + 1, (size_t)(q - t - i - 1));
            n = i;
        }
        while (n < src->len && (t[n] == '_' || (t[n] >= 'a' && t[n] <= 'z') ||
                                (t[n] >= 'A' && t[n] <= 'Z') || (t[n] >= '0' && t[n] <= '9')))
            n++;
        if (n > i)
            b->name = intern(c, t + i, n - i);
    }
    ptrvec_push(&c->arena, &c->broken_decls, b);
    return start;
}

/* The unclosed '{' of a declaration whose '}' is missing, guessed from the
 * indentation as rustc does: a '}' that starts a line indented less than
 * the line of the '{' it would close belongs to an outer block, so that
 * '{' is the one left open; failing that, the innermost open '{'.  Fills
 * *open_at and returns true when one is found; *by_indent says which way. */
static bool guess_unclosed(const char *t, uint32_t from, uint32_t to,
                           uint32_t len, uint32_t *open_at, bool *by_indent)
{
    enum { MAX_OPEN = 64 };
    uint32_t stack[MAX_OPEN];
    int depth = 0;
    for (uint32_t i = from; i < to; i++) {
        char ch = t[i];
        if (ch == '#') {
            while (i < to && t[i] != '\n')
                i++;
        } else if (ch == '`') {
            i = source_quoted_name_end(t, i, to) - 1;   /* `a {b}` holds no brace */
        } else if (ch == '"') {
            for (i++; i < to && t[i] != '"' && t[i] != '\n'; i++)
                if (t[i] == '\\')
                    i++;
        } else if (ch == '{') {
            if (depth < MAX_OPEN)
                stack[depth] = i;
            depth++;
        } else if (ch == '}' && depth > 0) {
            depth--;
            if (depth >= MAX_OPEN)
                continue;
            uint32_t ls = line_start(t, i), ols = line_start(t, stack[depth]);
            bool first_on_line = line_indent(t, len, ls) == i - ls;
            if (first_on_line && ls != ols &&
                line_indent(t, len, ols) > line_indent(t, len, ls)) {
                *open_at = stack[depth];
                *by_indent = true;
                return true;
            }
        }
    }
    if (depth > 0 && depth <= MAX_OPEN) {
        *open_at = stack[depth - 1];
        *by_indent = false;
        return true;
    }
    return false;
}

/* Names the '{' a missing '}' leaves open, with a note at it and a fix:
 * " }" at the end of its line when the block was on one line (safe to
 * apply), else a '}' before the place the parser stopped. */
static void explain_unclosed(ParseState *ps, Diag *d, Loc at)
{
    Compilation *c = ps->c;
    Source *src = source_get(c, ps->file);
    if (!src || !src->text || d == &c->diag_sink || ps->syntax_errors > MAX_BROKEN_PER_FILE)
        return;
    const char *t = src->text;
    uint32_t from = decl_start(t, src->len, at.start);
    uint32_t open_at;
    bool by_indent;
    if (!guess_unclosed(t, from, at.start, src->len, &open_at, &by_indent))
        return;
    LineCol lc = source_linecol(c, ps->file, open_at);
    if (by_indent) {
        /* what followed the unclosed '{' was read inside it: blocks nested
         * in the wrong parent, whose complaints are follow-ons */
        BrokenDecl *b = ARENA_NEW(&c->arena, BrokenDecl);
        *b = (BrokenDecl){ps->file, open_at, at.start, NULL};
        ptrvec_push(&c->arena, &c->broken_decls, b);
    }
    diag_note(c, d, (Loc){ps->file, open_at, open_at + 1},
              by_indent ? "this `{` is not closed: the `}` on a line indented less "
                          "than it closes an outer block"
                        : "this `{` is not closed");
    /* the end of the '{' line, before a comment and trailing blanks */
    uint32_t e = open_at + 1;
    bool in_str = false;
    while (e < src->len && t[e] != '\n' && (in_str || t[e] != '#')) {
        if (t[e] == '`' && !in_str) {
            e = source_quoted_name_end(t, e, (uint32_t)src->len);
            continue;
        }
        if (t[e] == '"')
            in_str = !in_str;
        e++;
    }
    while (e > open_at + 1 && (t[e - 1] == ' ' || t[e - 1] == '\t'))
        e--;
    if (e > open_at + 1 && !in_str) {
        diag_fix(c, d, (Loc){ps->file, e, e}, " }", by_indent);
    } else {
        /* before the declaration that met it, or at the end of the file */
        uint32_t rest = at.start;
        while (rest < src->len && (t[rest] == ' ' || t[rest] == '\t' || t[rest] == '\n' ||
                                   t[rest] == '\r'))
            rest++;
        uint32_t ls = rest >= src->len ? src->len : line_start(t, at.start);
        diag_hint(c, d, "close the block opened on line %u", lc.line);
        diag_fix(c, d, (Loc){ps->file, ls, ls},
                 arena_printf(&c->arena, "%s%*s}\n",
                              ls > 0 && t[ls - 1] != '\n' ? "\n" : "",
                              (int)line_indent(t, src->len, line_start(t, open_at)), ""),
                 false);
    }
}

/* A missing '{' after `service name`: insert it after the name. */
static void fix_missing_open(ParseState *ps, Diag *d, Loc at)
{
    Compilation *c = ps->c;
    Source *src = source_get(c, ps->file);
    if (!src || !src->text || d == &c->diag_sink)
        return;
    uint32_t p = at.start;
    while (p > 0 && (src->text[p - 1] == ' ' || src->text[p - 1] == '\t' ||
                     src->text[p - 1] == '\n' || src->text[p - 1] == '\r'))
        p--;
    diag_fix(c, d, (Loc){ps->file, p, p}, " {", true);
}

/* ---- syntax errors ---------------------------------------------------- */

void parse_error_plain(ParseState *ps, Loc loc, const char *msg)
{
    ps->syntax_errors++;
    note_broken_decl(ps, loc);
    if (strstr(msg, "exhausted"))
        diag_at(ps->c, D_NESTING, loc,
                "nesting too deep: the parser's stack is full");
    else
        diag_at(ps->c, D_SYNTAX, loc, "%s", msg);
}

static bool has_name(const char **names, int n, const char *want)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], want) == 0)
            return true;
    return false;
}

static bool is_decl_keyword(const char *tok)
{
    static const char *const kws[] = {
        "'import'", "'strategy'", "'role'", "'team'", "'customer'",
        "'objective'", "'service'", "'offering'", "'value_stream'",
        "'appetite'", "'schema'", "'score'", "'rule'", "'decide'",
        "'approval'", "'scenario'", "'load'", "'waiver'", "'limit'",
        "'test'", "'const'", "'lint'", "'report'"};
    for (size_t i = 0; i < sizeof kws / sizeof kws[0]; i++)
        if (strcmp(tok, kws[i]) == 0)
            return true;
    return false;
}

/* Bison lists every token that could come next; a reader wants the few
 * that matter: a missing '}' when a new declaration starts, "an
 * expression" rather than fifteen ways to start one, and names without the
 * keywords that may double as attribute names. */
void parse_syntax_error(ParseState *ps, Loc loc, const char *found,
                        const char **expected, int nexpected)
{
    ps->syntax_errors++;
    if (found && strcmp(found, "end of file") == 0)
        found = NULL;
    const char *what = found ? found : "end of file";
    Compilation *c = ps->c;
    if (found && is_decl_keyword(found) && has_name(expected, nexpected, "'}'")) {
        Diag *d = diag_at(c, D_SYNTAX, loc, "expected '}' before %s", what);
        diag_hint(c, d, "the block before this declaration is not closed");
        explain_unclosed(ps, d, loc);
        return;
    }
    if (!found && has_name(expected, nexpected, "'}'")) {
        Diag *d = diag_at(c, D_SYNTAX, loc, "expected '}' before end of file");
        explain_unclosed(ps, d, loc);
        return;
    }
    /* a missing '}' closes its block where the parser stopped, losing
     * nothing (explain_unclosed marks a mis-nested block); any other
     * syntax error breaks its declaration */
    note_broken_decl(ps, loc);
    if (found && nexpected == 1 && strcmp(expected[0], "'{'") == 0) {
        Diag *d = diag_at(c, D_SYNTAX, loc, "expected '{' before %s", what);
        fix_missing_open(ps, d, loc);
        return;
    }
    const char *shown[8];
    int n = 0;
    bool expr = has_name(expected, nexpected, "number") &&
                has_name(expected, nexpected, "'('");
    bool ident = has_name(expected, nexpected, "identifier");
    if (expr)
        shown[n++] = "an expression";
    for (int i = 0; i < nexpected && n < 8; i++) {
        const char *t = expected[i];
        if (expr && (strcmp(t, "number") == 0 || strcmp(t, "string") == 0 ||
                     strcmp(t, "date") == 0 || strcmp(t, "identifier") == 0 ||
                     strcmp(t, "'('") == 0 || strcmp(t, "'['") == 0 ||
                     strcmp(t, "'-'") == 0 || (t[0] == '\'' && t[1] >= 'a' && t[1] <= 'z')))
            continue;
        if (ident && t[0] == '\'' && t[1] >= 'a' && t[1] <= 'z' &&
            strcmp(t, "'risk'") != 0 && strcmp(t, "'stage'") != 0)
            continue;   /* keywords usable as names */
        if (strcmp(t, "end of file") == 0)
            continue;
        shown[n++] = strcmp(t, "identifier") == 0 ? "a name" : t;
    }
    char buf[400];
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++) {
        const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
        int w = snprintf(buf + len, sizeof buf - len, "%s%s", sep, shown[i]);
        if (w < 0 || (size_t)w >= sizeof buf - len)
            break;
        len += (size_t)w;
    }
    if (n > 0 && n <= 6)
        diag_at(c, D_SYNTAX, loc, "expected %s before %s", buf, what);
    else
        diag_at(c, D_SYNTAX, loc, "unexpected %s", what);
}
