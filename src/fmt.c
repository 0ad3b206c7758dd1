/*
 * fmt.c — `strat fmt`: one canonical layout for a source file.
 *
 * Takes one file's text, parses it (imports are not followed: a file is
 * formatted on its own) and gives the same declarations printed the one
 * way, as a document for the pretty printer (layout.c) to fit in the
 * width (100 characters unless the caller says otherwise):
 *
 *  - two-space indentation; one attribute a line, `=` aligned within a
 *    block; decision names aligned in `decide`, fields in `schema`;
 *  - a block its author wrote on one line stays on one line if it fits
 *    and holds only attributes; consecutive such lines are aligned (their
 *    `{`, and their attributes in columns when every line has the same
 *    ones), as are the `=` of consecutive one-line definitions
 *    (`const`, `score`, `rule`, `limit`);
 *  - an expression that does not fit breaks at its outermost operator
 *    first: `or`, then `and`, then a comparison, `+`/`-`, `*`/`/`, each
 *    operator starting a continuation line; a quantifier breaks after its
 *    `:`, a conditional before `then` and `else`, a call or list after its
 *    bracket, one argument a line.  What fits on a line stays on it;
 *  - a continuation line is indented one level (two spaces) past the
 *    start of the line it continues — for a decide arm, past the column
 *    where `when` starts, and `because` goes under `when`, on its own
 *    line when the author put it there or the arm is too long;
 *  - single spaces and the fewest parentheses in expressions (unparse.c),
 *    numbers as their author wrote them (420k stays 420k).
 *
 * Comments are not in the syntax tree: a scan of the text finds them and
 * they are put back by position as the tokens go by (each keyword and
 * punctuation mark is found in the text from a cursor).  A comment on a
 * line of its own stays before the token it preceded, at that line's
 * indentation; a comment after code stays after the token it followed,
 * and ends that line — where its author put it when there is room, else
 * two spaces after the code.  Blank lines between statements are kept,
 * collapsed to one.
 *
 * `# fmt: off` and `# fmt: on`, each alone at the start of a line, leave
 * what is between them as written (to the end of the file without an
 * `on`).  That text is not even parsed, so a file made to show a syntax
 * error can be left alone; a region inside a declaration leaves the whole
 * declaration as written.
 *
 * A file with syntax errors is not formatted, nor one over the size limit
 * of every source file (STRAT_MAX_SOURCE_BYTES).
 */
#include <string.h>

#include "diag.h"
#include "fmt.h"
#include "intern.h"
#include "layout.h"
#include "parse.h"
#include "source.h"
#include "unparse.h"

enum { DEFAULT_WIDTH = 100, INDENT = 2 };

typedef struct Comment {
    uint32_t start, end;     /* the `#` to the end of its line, trailing space cut */
    uint32_t column;         /* characters before it on its line */
    bool own_line;           /* nothing but space before it on its line */
} Comment;

typedef struct Region {      /* left as written: [start, end) */
    uint32_t start, end;
} Region;

typedef struct Fmt {
    Compilation *c;
    Arena *a;
    const char *text;        /* what was parsed: regions blanked */
    const char *orig;        /* as written: regions are copied from it */
    uint32_t len;
    size_t width;
    Comment *comments;
    uint32_t ncomments, next;   /* next comment not yet placed */
    Region *regions;
    uint32_t nregions, next_region;
    uint32_t pos;            /* the cursor: just past the last token placed */
    uint32_t fence;          /* comments from here on belong to what follows */
    uint32_t prev_end;       /* end of what was placed last (blank lines) */
    bool wrote;              /* anything printed yet */
    Printer pr;
} Fmt;

/* ---- the text ---------------------------------------------------------------- */

static bool is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static bool is_word(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '_';
}

static bool has_bom(const Fmt *f)
{
    return f->len >= 3 && memcmp(f->text, "\xEF\xBB\xBF", 3) == 0;
}

/* From p, past white space and comments, and past parentheses when
 * `parens` (those the fewest-parentheses printing leaves out). */
static uint32_t skip_trivia(const Fmt *f, uint32_t p, bool parens)
{
    if (p == 0 && has_bom(f))
        p = 3;
    while (p < f->len) {
        char ch = f->text[p];
        if (is_space(ch) || (parens && (ch == '(' || ch == ')'))) {
            p++;
        } else if (ch == '#') {
            while (p < f->len && f->text[p] != '\n')
                p++;
        } else {
            break;
        }
    }
    return p;
}

/* Was there a blank line in the text between offsets a and b? */
static bool blank_between(const Fmt *f, uint32_t a, uint32_t b)
{
    unsigned newlines = 0;
    for (uint32_t i = a; i < b && i < f->len; i++) {
        char ch = f->text[i];
        if (ch == '\n') {
            if (++newlines >= 2)
                return true;
        } else if (ch != ' ' && ch != '\t' && ch != '\r') {
            newlines = 0;
        }
    }
    return false;
}

static bool has_newline(const Fmt *f, uint32_t a, uint32_t b)
{
    for (uint32_t i = a; i < b && i < f->len; i++)
        if (f->text[i] == '\n')
            return true;
    return false;
}

static uint32_t line_start(const Fmt *f, uint32_t p)
{
    while (p > 0 && f->orig[p - 1] != '\n')
        p--;
    return p;
}

/* Just past the newline ending p's line (or the end of the text). */
static uint32_t next_line(const Fmt *f, uint32_t p)
{
    while (p < f->len && f->orig[p] != '\n')
        p++;
    return p < f->len ? p + 1 : p;
}

/* Is p inside a `# fmt: off` region?  (They are in order and apart.) */
static bool in_region(const Fmt *f, uint32_t p)
{
    uint32_t lo = 0, hi = f->nregions;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->regions[mid].end <= p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < f->nregions && f->regions[lo].start <= p;
}

static void scan_comments(Fmt *f)
{
    const char *t = f->text;
    uint32_t n = f->len, count = 0, cap = 16, column = 0;
    Comment *cs = ARENA_ARRAY(f->a, Comment, cap);
    bool in_string = false, line_blank = true;
    for (uint32_t i = has_bom(f) ? 3 : 0; i < n; i++) {
        char ch = t[i];
        if (ch == '\n') {
            in_string = false;
            line_blank = true;
            column = 0;
            continue;
        }
        if (in_string) {
            if (ch == '\\' && i + 1 < n && t[i + 1] != '\n')
                i++, column++;
            else if (ch == '"')
                in_string = false;
        } else if (ch == '"') {
            in_string = true;
            line_blank = false;
        } else if (ch == '`') {
            /* a quoted name may hold `#` and `"` (`Spring#field`) */
            uint32_t e = source_quoted_name_end(t, i, n);
            for (uint32_t k = i; k < e; k++)
                column += ((unsigned char)t[k] & 0xC0) != 0x80;
            line_blank = false;
            i = e - 1;
            continue;
        } else if (ch == '#') {
            uint32_t e = i;
            while (e < n && t[e] != '\n')
                e++;
            uint32_t end = e;
            while (end > i && (t[end - 1] == ' ' || t[end - 1] == '\t' || t[end - 1] == '\r'))
                end--;
            if (!in_region(f, i)) {
                if (count == cap) {
                    cs = arena_realloc(f->a, cs, sizeof(Comment) * cap,
                                       sizeof(Comment) * cap * 2);
                    cap *= 2;
                }
                cs[count++] = (Comment){i, end, column, line_blank};
            }
            i = e - 1;
            continue;
        } else if (ch != ' ' && ch != '\t' && ch != '\r') {
            line_blank = false;
        }
        column += ((unsigned char)ch & 0xC0) != 0x80;
    }
    f->comments = cs;
    f->ncomments = count;
}

/* ---- `# fmt: off` regions ------------------------------------------------------ */

static bool marker_at(const Fmt *f, uint32_t p, const char *word)
{
    size_t n = strlen(word);
    if (p + n > f->len || memcmp(f->orig + p, word, n) != 0)
        return false;
    p += (uint32_t)n;
    return p == f->len || is_space(f->orig[p]);
}

static void find_regions(Fmt *f)
{
    uint32_t cap = 4, n = 0;
    Region *rs = ARENA_ARRAY(f->a, Region, cap);
    for (uint32_t p = 0; p < f->len; p = next_line(f, p)) {
        if (!marker_at(f, p, "# fmt: off"))
            continue;
        uint32_t end = f->len;
        for (uint32_t q = next_line(f, p); q < f->len; q = next_line(f, q))
            if (marker_at(f, q, "# fmt: on")) {
                end = next_line(f, q);
                break;
            }
        if (n == cap) {
            rs = arena_realloc(f->a, rs, sizeof(Region) * cap, sizeof(Region) * cap * 2);
            cap *= 2;
        }
        rs[n++] = (Region){p, end};
        if (end == f->len)
            break;
        p = end - 1;   /* next_line moves past the `on` line's newline */
    }
    f->regions = rs;
    f->nregions = n;
}

/* The text with every region blanked (newlines kept, so offsets and line
 * numbers hold): what is parsed. */
static const char *blank_regions(Fmt *f)
{
    char *t = arena_alloc(f->a, (size_t)f->len + 1);
    memcpy(t, f->orig, f->len);
    t[f->len] = '\0';
    for (uint32_t i = 0; i < f->nregions; i++)
        for (uint32_t p = f->regions[i].start; p < f->regions[i].end; p++)
            if (t[p] != '\n')
                t[p] = ' ';
    return t;
}

static uint32_t decl_end(const Decl *d);

/* Past closing parentheses and white space after p: a declaration's
 * expression ends before the parentheses around it. */
static uint32_t past_parens(const Fmt *f, uint32_t p)
{
    uint32_t end = p;
    for (uint32_t q = p; q < f->len; q++) {
        if (f->text[q] == ')')
            end = q + 1;
        else if (!is_space(f->text[q]))
            break;
    }
    return end;
}

/* A region that reaches into a declaration grows to the whole lines of
 * that declaration, and so on until no declaration is cut. */
static void widen_regions(Fmt *f, Decl *decls)
{
    for (bool changed = true; changed;) {
        changed = false;
        for (Decl *d = decls; d && f->nregions; d = d->next) {
            uint32_t ds = line_start(f, d->loc.start);
            uint32_t de = next_line(f, past_parens(f, decl_end(d)));
            /* the regions that end after ds, while they start before de */
            uint32_t lo = 0, hi = f->nregions;
            while (lo < hi) {
                uint32_t mid = lo + (hi - lo) / 2;
                if (f->regions[mid].end <= ds)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            for (uint32_t i = lo; i < f->nregions && f->regions[i].start < de; i++) {
                Region *r = &f->regions[i];
                if (r->start > ds || r->end < de) {
                    r->start = r->start < ds ? r->start : ds;
                    r->end = r->end > de ? r->end : de;
                    changed = true;
                }
            }
        }
        /* merge regions that now overlap */
        for (uint32_t i = 0; i + 1 < f->nregions; i++) {
            Region *r = &f->regions[i], *s = &f->regions[i + 1];
            if (s->start <= r->end) {
                r->end = r->end > s->end ? r->end : s->end;
                memmove(s, s + 1, sizeof(Region) * (f->nregions - i - 2));
                f->nregions--;
                i--;
                changed = true;
            }
        }
    }
}

/* ---- building documents ------------------------------------------------------------- */

static Doc *cat(Fmt *f)
{
    return doc_concat(f->a);
}

static void add(Fmt *f, Doc *out, Doc *d)
{
    doc_add(f->a, out, d);
}

static void add_str(Fmt *f, Doc *out, const char *s)
{
    add(f, out, doc_str(f->a, s));
}

static void add_spaces(Fmt *f, Doc *out, size_t n)
{
    if (n > 0)
        add(f, out, doc_spaces(f->a, n));
}

static Doc *comment_doc(Fmt *f, const Comment *cm)
{
    return doc_text(f->a, f->text + cm->start, cm->end - cm->start);
}

static Doc *suffix_doc(Fmt *f, const Comment *cm)
{
    return doc_suffix(f->a, f->text + cm->start, cm->end - cm->start, cm->column);
}

static Comment *next_comment(Fmt *f)
{
    return f->next < f->ncomments ? &f->comments[f->next] : NULL;
}

/* The comments not yet placed before offset `at` (and before the fence):
 * one on a line of its own goes on a line of its own; one that followed
 * code whose token was left out (a parenthesis) ends the line here. */
static void comments_before_token(Fmt *f, Doc *out, uint32_t at)
{
    Comment *cm;
    while ((cm = next_comment(f)) && cm->start < at && cm->start < f->fence) {
        f->next++;
        if (cm->own_line) {
            add(f, out, doc_freshline(f->a));
            add(f, out, comment_doc(f, cm));
        } else {
            add(f, out, suffix_doc(f, cm));
        }
        add(f, out, doc_freshline(f->a));
        f->prev_end = cm->end;
    }
}

/* Is the comment on the same line as `end`, after it, with nothing but
 * space and closing parentheses between? */
static bool follows_on_line(const Fmt *f, const Comment *cm, uint32_t end)
{
    if (cm->own_line || cm->start < end)
        return false;
    for (uint32_t i = end; i < cm->start; i++) {
        char ch = f->text[i];
        if (ch != ' ' && ch != '\t' && ch != '\r' && ch != ')')
            return false;
    }
    return true;
}

/* A comment right after the token ending at `end`, inside the statement:
 * it stays after that token and ends the line there. */
static void comment_after_token(Fmt *f, Doc *out, uint32_t end)
{
    Comment *cm = next_comment(f);
    if (cm && cm->start < f->fence && follows_on_line(f, cm, end)) {
        f->next++;
        add(f, out, suffix_doc(f, cm));
        add(f, out, doc_freshline(f->a));
        f->prev_end = cm->end;
    }
}

/* A token at a known place in the text. */
static void place(Fmt *f, Doc *out, const char *s, uint32_t start, uint32_t end)
{
    comments_before_token(f, out, start);
    add_str(f, out, s);
    if (end > f->pos)
        f->pos = end;
    comment_after_token(f, out, end);
}

/* A name as the source writes it: in backticks unless an identifier
 * (`Email Archive Platform`, DESIGN §5.2).  A name its author wrote bare
 * stays bare: where the grammar takes a keyword as a name (`when =` in an
 * approval, `in service`), it is valid as written. */
static const char *name_shown(Fmt *f, const char *name, uint32_t start)
{
    if (start < f->len && f->text[start] != '`')
        return name;
    return name_spelling(f->a, name);
}

static void place_name(Fmt *f, Doc *out, const char *name, uint32_t start, uint32_t end)
{
    place(f, out, name_shown(f, name, start), start, end);
}

/* Where the token `s` starts if it is the next one from the cursor, else
 * UINT32_MAX (a token the layout adds: `desc` when the author left it
 * implicit, `(error)` in a rule). */
static uint32_t find_token(Fmt *f, const char *s)
{
    size_t n = strlen(s);
    uint32_t p = skip_trivia(f, f->pos, s[0] != '(' && s[0] != ')');
    if (p + n > f->len || memcmp(f->text + p, s, n) != 0)
        return UINT32_MAX;
    if (is_word(s[n - 1]) && p + n < f->len && is_word(f->text[p + n]))
        return UINT32_MAX;
    return p;
}

/* A keyword or punctuation mark, found in the text from the cursor. */
static void tok(Fmt *f, Doc *out, const char *s)
{
    uint32_t p = find_token(f, s);
    if (p == UINT32_MAX)
        add_str(f, out, s);
    else
        place(f, out, s, p, p + (uint32_t)strlen(s));
}

/* A string literal next from the cursor, printed as `shown`. */
static void tok_string(Fmt *f, Doc *out, const char *shown)
{
    uint32_t p = skip_trivia(f, f->pos, true);
    if (p >= f->len || f->text[p] != '"') {
        add_str(f, out, shown);
        return;
    }
    uint32_t q = p + 1;
    while (q < f->len && f->text[q] != '"' && f->text[q] != '\n')
        q += f->text[q] == '\\' && q + 1 < f->len ? 2 : 1;
    place(f, out, shown, p, q < f->len ? q + 1 : q);
}

/* The comments left inside a statement once its tokens are placed; they
 * go after it, at its indentation. */
static void leftover_comments(Fmt *f, Doc *out, uint32_t end)
{
    Comment *cm;
    while ((cm = next_comment(f)) && cm->start < end) {
        f->next++;
        if (cm->own_line) {
            add(f, out, doc_hardline(f->a));
            add(f, out, comment_doc(f, cm));
        } else {
            add(f, out, suffix_doc(f, cm));
        }
        f->prev_end = cm->end;
    }
}

/* Ends a statement that ended at `end`: what was left inside it, and a
 * comment after it on the same line. */
static void statement_end(Fmt *f, Doc *out, uint32_t end)
{
    leftover_comments(f, out, end);
    if (end > f->prev_end)
        f->prev_end = end;
    Comment *cm = next_comment(f);
    if (cm && follows_on_line(f, cm, end)) {
        f->next++;
        add(f, out, suffix_doc(f, cm));
        f->prev_end = cm->end;
    }
}

/* Own-line comments before offset `at` inside a block, each on its line
 * (a newline first), keeping a blank line that stood before one. */
static void comments_until(Fmt *f, Doc *out, uint32_t at, bool *first)
{
    Comment *cm;
    while ((cm = next_comment(f)) && cm->start < at) {
        f->next++;
        if (!*first && blank_between(f, f->prev_end, cm->start))
            add(f, out, doc_hardline(f->a));
        if (cm->own_line) {
            add(f, out, doc_hardline(f->a));
            add(f, out, comment_doc(f, cm));
        } else {
            add(f, out, suffix_doc(f, cm));
        }
        f->prev_end = cm->end;
        *first = false;
    }
}

/* Starts a statement of a block at `start`: the comments before it, a
 * blank line if the text had one, the newline. */
static void statement_start(Fmt *f, Doc *out, uint32_t start, bool *first)
{
    comments_until(f, out, start, first);
    if (!*first && blank_between(f, f->prev_end, start))
        add(f, out, doc_hardline(f->a));
    add(f, out, doc_hardline(f->a));
    *first = false;
    f->pos = start;
}

/* ---- expressions ---------------------------------------------------------------- */

static void expr(Fmt *f, Doc *out, const Expr *e);

static void sub(Fmt *f, Doc *out, const Expr *e, int min_prec)
{
    if (unparse_prec(e) < min_prec) {
        tok(f, out, "(");
        expr(f, out, e);
        tok(f, out, ")");
    } else {
        expr(f, out, e);
    }
}

static void atom(Fmt *f, Doc *out, const Expr *e)
{
    place(f, out, expr_text(f->c, e), e->loc.start, e->loc.end);
}

/* `a op b op c`: one group, broken before every operator. */
static void chain(Fmt *f, Doc *out, const Expr *e)
{
    int p = unparse_prec(e);
    uint32_t n = 0;
    for (const Expr *x = e; x->kind == EX_BINARY && unparse_prec(x) == p; x = x->u.ops.a)
        n++;
    const Expr **links = ARENA_ARRAY(f->a, const Expr *, n);
    uint32_t i = n;
    for (const Expr *x = e; x->kind == EX_BINARY && unparse_prec(x) == p; x = x->u.ops.a)
        links[--i] = x;
    Doc *g = cat(f), *rest = cat(f);
    sub(f, g, links[0]->u.ops.a, p);
    for (i = 0; i < n; i++) {
        add(f, rest, doc_line(f->a));
        tok(f, rest, op_text(links[i]->u.ops.op));
        add_str(f, rest, " ");
        sub(f, rest, links[i]->u.ops.b, p + 1);
    }
    add(f, g, doc_nest(f->a, INDENT, rest));
    add(f, out, doc_group(f->a, g));
}

static void comparison(Fmt *f, Doc *out, const Expr *e)
{
    int p = unparse_prec(e);
    Doc *g = cat(f), *rest = cat(f);
    sub(f, g, e->u.ops.a, p + 1);
    add(f, rest, doc_line(f->a));
    tok(f, rest, op_text(e->u.ops.op));
    add_str(f, rest, " ");
    sub(f, rest, e->u.ops.b, p + 1);
    add(f, g, doc_nest(f->a, INDENT, rest));
    add(f, out, doc_group(f->a, g));
}

/* `var in kind` and ` where cond` of a quantifier or comprehension; the
 * `where` may start a continuation line: one of `out`'s group, or, when
 * `own_group`, one of its own (a quantifier's head breaks there before
 * its condition breaks). */
static void binder(Fmt *f, Doc *out, const Expr *e, bool own_group)
{
    place_name(f, out, e->u.quant.var, e->u.quant.var_loc.start, e->u.quant.var_loc.end);
    add_str(f, out, " ");
    tok(f, out, "in");
    add_str(f, out, " ");
    place_name(f, out, e->u.quant.kind_name, e->u.quant.kind_loc.start, e->u.quant.kind_loc.end);
    if (e->u.quant.where) {
        Doc *w = cat(f);
        add(f, w, doc_line(f->a));
        tok(f, w, "where");
        add_str(f, w, " ");
        expr(f, w, e->u.quant.where);
        add(f, out, own_group ? doc_group(f->a, doc_nest(f->a, INDENT, w)) : w);
    }
}

/* A list of numbers kept packed (Expr.u.list.npacked) prints itself: a
 * million elements would be a million documents. */
typedef struct PackedList {
    Compilation *c;
    const Expr *list;
} PackedList;

static void packed_print(const void *data, Printer *p, bool flat, unsigned indent)
{
    const PackedList *pl = data;
    Buf b = {&pl->c->arena, NULL, 0, 0};
    put_text(p, "[", 1);
    for (uint32_t i = 0; i < pl->list->u.list.npacked; i++) {
        b.len = 0;
        unparse_list_number(&b, pl->list, i);
        if (flat) {
            if (i)
                put_text(p, ", ", 2);
        } else {
            put_newline(p, indent + INDENT);
        }
        put_text(p, b.s, b.len);
        if (!flat)
            put_text(p, ",", 1);
    }
    if (!flat)
        put_newline(p, indent);
    put_text(p, "]", 1);
}

/* The first comment that starts at or after p (binary search: the
 * comments are in text order). */
static uint32_t comment_at(const Fmt *f, uint32_t p)
{
    uint32_t lo = 0, hi = f->ncomments;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (f->comments[mid].start < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool comment_within(const Fmt *f, uint32_t a, uint32_t b)
{
    uint32_t i = comment_at(f, a);
    return i < f->ncomments && f->comments[i].start < b;
}

static void list(Fmt *f, Doc *out, const Expr *e)
{
    uint32_t np = e->u.list.npacked;
    if (np > 0 && !comment_within(f, e->loc.start, e->loc.end)) {
        comments_before_token(f, out, e->loc.start);
        PackedList *pl = ARENA_NEW(f->a, PackedList);
        pl->c = f->c;
        pl->list = e;
        DocCustom *dc = ARENA_NEW(f->a, DocCustom);
        Buf b = {f->a, NULL, 0, 0};
        size_t w = 2 + (size_t)(np - 1) * 2;
        for (uint32_t i = 0; i < np; i++) {
            b.len = 0;
            unparse_list_number(&b, e, i);
            for (size_t k = 0; k < b.len; k++)
                w += ((unsigned char)b.s[k] & 0xC0) != 0x80;
        }
        dc->flat_width = w;
        dc->print = packed_print;
        dc->data = pl;
        add(f, out, doc_custom(f->a, dc));
        f->pos = e->loc.end;
        comment_after_token(f, out, e->loc.end);
        return;
    }
    Doc *g = cat(f);
    tok(f, g, "[");
    if (list_len(e) > 0) {
        Doc *items = cat(f);
        add(f, items, doc_softline(f->a));
        Buf b = {f->a, NULL, 0, 0};
        for (uint32_t i = 0; i < np + e->u.list.n; i++) {
            if (i) {
                tok(f, items, ",");
                add(f, items, doc_line(f->a));
            }
            if (i < np) {
                b.s = NULL, b.len = b.cap = 0;
                unparse_list_number(&b, e, i);
                place(f, items, b.s, e->u.list.spans[2 * i], e->u.list.spans[2 * i + 1]);
            } else {
                expr(f, items, e->u.list.items[i - np]);
            }
        }
        /* a trailing comma, written or not, shows only when broken */
        uint32_t comma = find_token(f, ",");
        if (comma != UINT32_MAX) {
            comments_before_token(f, items, comma);
            add(f, items, doc_if_break(f->a, ","));
            f->pos = comma + 1;
            comment_after_token(f, items, comma + 1);
        } else {
            add(f, items, doc_if_break(f->a, ","));
        }
        add(f, g, doc_nest(f->a, INDENT, items));
        add(f, g, doc_softline(f->a));
    }
    tok(f, g, "]");
    add(f, out, doc_group(f->a, g));
}

static void call(Fmt *f, Doc *out, const Expr *e)
{
    place_name(f, out, e->u.call.fn, e->u.call.fn_loc.start, e->u.call.fn_loc.end);
    Doc *g = cat(f);
    tok(f, g, "(");
    if (e->u.call.nargs > 0) {
        Doc *args = cat(f);
        add(f, args, doc_softline(f->a));
        for (uint32_t i = 0; i < e->u.call.nargs; i++) {
            if (i) {
                tok(f, args, ",");
                add(f, args, doc_line(f->a));
            }
            expr(f, args, e->u.call.args[i]);
        }
        add(f, g, doc_nest(f->a, INDENT, args));
        add(f, g, doc_softline(f->a));
    }
    tok(f, g, ")");
    add(f, out, doc_group(f->a, g));
}

static void expr(Fmt *f, Doc *out, const Expr *e)
{
    switch (e->kind) {
    case EX_NUMBER: case EX_STRING: case EX_DATE: case EX_BOOL: case EX_NONE:
    case EX_NAME: case EX_ERROR:
        atom(f, out, e);
        return;
    case EX_ATTR:
        sub(f, out, e->u.attr.obj, 10);
        tok(f, out, ".");
        place_name(f, out, e->u.attr.attr, e->u.attr.attr_loc.start, e->u.attr.attr_loc.end);
        return;
    case EX_CALL:
        call(f, out, e);
        return;
    case EX_LIST:
        list(f, out, e);
        return;
    case EX_UNARY:
        if (e->u.ops.op == OP_NOT) {
            tok(f, out, "not");
            add_str(f, out, " ");
        } else {
            tok(f, out, "-");
        }
        sub(f, out, e->u.ops.a, unparse_prec(e));
        return;
    case EX_BINARY:
        if (unparse_prec(e) == 6)
            comparison(f, out, e);
        else
            chain(f, out, e);
        return;
    case EX_IF: {
        Doc *g = cat(f), *rest = cat(f);
        tok(f, g, "if");
        add_str(f, g, " ");
        expr(f, g, e->u.ops.a);
        add(f, rest, doc_line(f->a));
        tok(f, rest, "then");
        add_str(f, rest, " ");
        expr(f, rest, e->u.ops.b);
        add(f, rest, doc_line(f->a));
        tok(f, rest, "else");
        add_str(f, rest, " ");
        sub(f, rest, e->u.ops.c, 2);
        add(f, g, doc_nest(f->a, INDENT, rest));
        add(f, out, doc_group(f->a, g));
        return;
    }
    case EX_RANGE:
        sub(f, out, e->u.ops.a, 2);
        add_str(f, out, " ");
        tok(f, out, "..");
        add_str(f, out, " ");
        sub(f, out, e->u.ops.b, 2);
        return;
    case EX_QUANT: {
        Doc *g = cat(f), *body = cat(f);
        tok(f, g, e->u.quant.is_all ? "all" : "any");
        add_str(f, g, " ");
        binder(f, g, e, true);
        add_str(f, g, " ");
        tok(f, g, ":");
        add(f, body, doc_line(f->a));
        sub(f, body, e->u.quant.body, 2);
        add(f, g, doc_nest(f->a, INDENT, body));
        add(f, out, doc_group(f->a, g));
        return;
    }
    case EX_LET: {
        /* the whole let on one line if it fits; else the body on the
         * next line, and the bindings on one line if they fit, else one
         * a line */
        Doc *g = cat(f), *binds = cat(f);
        tok(f, g, "let");
        add_str(f, g, " ");
        for (;;) {
            place_name(f, binds, e->u.let.var, e->u.let.var_loc.start, e->u.let.var_loc.end);
            add_str(f, binds, " ");
            tok(f, binds, "=");
            add_str(f, binds, " ");
            if (unparse_let_value_parens(e->u.let.value)) {
                tok(f, binds, "(");
                expr(f, binds, e->u.let.value);
                tok(f, binds, ")");
            } else {
                expr(f, binds, e->u.let.value);
            }
            if (!e->u.let.chained)
                break;
            tok(f, binds, ",");
            add(f, binds, doc_line(f->a));
            e = e->u.let.body;
        }
        add(f, g, doc_group(f->a, doc_nest(f->a, 4, binds)));
        add_str(f, g, " ");
        tok(f, g, "in");
        Doc *body = cat(f);
        add(f, body, doc_line(f->a));
        sub(f, body, e->u.let.body, 2);
        add(f, g, doc_nest(f->a, INDENT, body));
        add(f, out, doc_group(f->a, g));
        return;
    }
    case EX_COMPREH: {
        Doc *g = cat(f), *rest = cat(f);
        expr(f, g, e->u.quant.body);
        add(f, rest, doc_line(f->a));
        tok(f, rest, "for");
        add_str(f, rest, " ");
        binder(f, rest, e, false);
        add(f, g, doc_nest(f->a, INDENT, rest));
        add(f, out, doc_group(f->a, g));
        return;
    }
    }
}

/* Measuring: a document built with no comment placed and the cursor put
 * back afterwards. */
typedef struct Saved {
    uint32_t pos, fence, next, prev_end;
    ArenaMark mark;          /* the document is freed once measured */
} Saved;

static Saved measuring(Fmt *f)
{
    Saved s = {f->pos, f->fence, f->next, f->prev_end, arena_mark(f->a)};
    f->fence = 0;
    return s;
}

static size_t measured(Fmt *f, Saved s, const Doc *d)
{
    f->pos = s.pos, f->fence = s.fence, f->next = s.next, f->prev_end = s.prev_end;
    size_t w = doc_flat_width(d);
    arena_release(f->a, s.mark);
    return w;
}

/* The width of e on one line. */
static size_t measure_expr(Fmt *f, const Expr *e)
{
    Saved s = measuring(f);
    Doc *d = cat(f);
    expr(f, d, e);
    return measured(f, s, d);
}

static const char *string_literal(Fmt *f, Str s)
{
    Expr e = {0};
    e.kind = EX_STRING;
    e.u.str = s;
    return expr_text(f->c, &e);
}

static size_t text_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Columns a name takes as written (backticks and all). */
static size_t name_width(Fmt *f, const char *name, uint32_t start)
{
    return text_width(name_shown(f, name, start));
}

/* ---- blocks ------------------------------------------------------------------ */

static uint32_t item_end(const Item *it)
{
    if (it->kind == ITEM_ATTR)
        return it->value->loc.end;
    return it->end_loc.end;
}

/* Where the word before p starts (`risk` before a risk's name, `by`
 * before `rank by (x)`). */
static uint32_t word_before(const Fmt *f, uint32_t p)
{
    while (p > 0 && (is_space(f->text[p - 1]) || f->text[p - 1] == '('))
        p--;
    while (p > 0 && is_word(f->text[p - 1]))
        p--;
    return p;
}

static uint32_t item_start(const Fmt *f, const Item *it)
{
    return it->kind == ITEM_ATTR || it->kind == ITEM_LIFECYCLE ? it->loc.start
                                                                : word_before(f, it->loc.start);
}

/* A row of a run: a block that stays on one line (each attribute
 * `name = value` a cell), or a definition on one line. */
typedef struct Row {
    bool ok;                 /* can be one line */
    size_t head;             /* what precedes ` {` or ` =` */
    size_t body;             /* `{ ... }`, or `= expr` */
    uint32_t ncells;
    size_t *cells;
    Item *items;
    size_t pad_head;         /* the head padded to this width; 0: not */
    const size_t *cols;      /* the cells padded to these widths, or NULL */
} Row;

/* Can the block between braces at `open` and `close` (offsets of `{` and
 * `}`) stay on one line?  Its author wrote it so, with attributes only and
 * no comment; fills in the cells. */
static bool one_line_block(Fmt *f, Item *items, uint32_t open, uint32_t close, Row *row)
{
    if (has_newline(f, open, close) || comment_within(f, open, close))
        return false;
    uint32_t n = 0;
    for (Item *it = items; it; it = it->next) {
        if (it->kind != ITEM_ATTR)
            return false;
        n++;
    }
    row->items = items;
    row->ncells = n;
    row->cells = ARENA_ARRAY(f->a, size_t, n ? n : 1);
    row->body = n ? 4 : 2;   /* `{ ` and ` }`, or `{}` */
    uint32_t i = 0;
    for (Item *it = items; it; it = it->next, i++) {
        row->cells[i] = name_width(f, it->name, it->loc.start) + 3 + measure_expr(f, it->value);
        row->body += row->cells[i] + (i ? 2 : 0);
    }
    return true;
}

/* `name = value` */
static void attribute(Fmt *f, Doc *out, const Item *it, size_t pad_to)
{
    place_name(f, out, it->name, it->loc.start, it->loc.end);
    size_t len = name_width(f, it->name, it->loc.start);
    add_spaces(f, out, (pad_to > len ? pad_to - len : 0) + 1);
    tok(f, out, "=");
    add_str(f, out, " ");
    expr(f, out, it->value);
}

static void block_one_line(Fmt *f, Doc *out, const Row *row)
{
    Doc *g = cat(f);
    tok(f, g, "{");
    if (row->ncells == 0) {
        tok(f, g, "}");
        add(f, out, g);
        return;
    }
    add_str(f, g, " ");
    uint32_t i = 0;
    for (Item *it = row->items; it; it = it->next, i++) {
        if (i)
            add_spaces(f, g, (row->cols ? row->cols[i - 1] - row->cells[i - 1] : 0) + 2);
        attribute(f, g, it, 0);
    }
    add_str(f, g, " ");
    tok(f, g, "}");
    add(f, out, doc_group(f->a, g));
}

static bool same_names(const Row *a, const Row *b)
{
    if (a->ncells != b->ncells)
        return false;
    for (Item *x = a->items, *y = b->items; x; x = x->next, y = y->next)
        if (x->name != y->name)
            return false;
    return true;
}

/* Are two one-line statements on consecutive lines (or the same line),
 * with no blank line or comment line between? */
static bool adjacent(const Fmt *f, uint32_t end, uint32_t start)
{
    if (blank_between(f, end, start))
        return false;
    for (uint32_t i = comment_at(f, end); i < f->ncomments && f->comments[i].start < start; i++)
        if (f->comments[i].own_line)
            return false;
    return true;
}

/* Lines up a run of one-line rows at `column`: the heads padded to the
 * longest, and the cells in columns when every row has the same
 * attributes and all the rows lined up still fit.  A row that would no
 * longer fit with its head padded takes no part (it keeps single
 * spacing), and the others are lined up without it. */
static void align_run(Fmt *f, Row *rows, uint32_t n, size_t column, bool cells)
{
    if (n < 2)
        return;
    bool *in = ARENA_ARRAY(f->a, bool, n);
    for (uint32_t i = 0; i < n; i++)
        in[i] = true;
    size_t head;
    uint32_t count;
    for (bool changed = true; changed;) {
        changed = false;
        head = 0;
        for (uint32_t i = 0; i < n; i++)
            if (in[i] && rows[i].head > head)
                head = rows[i].head;
        count = 0;
        for (uint32_t i = 0; i < n; i++) {
            if (in[i] && column + head + 1 + rows[i].body > f->width) {
                in[i] = false;
                changed = true;
            }
            count += in[i];
        }
    }
    if (count < 2)
        return;
    for (uint32_t i = 0; i < n; i++)
        if (in[i])
            rows[i].pad_head = head;
    uint32_t nc = rows[0].ncells;
    bool table = cells && nc >= 2;
    for (uint32_t i = 1; table && i < n; i++)
        table = same_names(&rows[0], &rows[i]);
    if (!table)
        return;
    size_t *cols = ARENA_ARRAY(f->a, size_t, nc);
    for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; in[i] && j < nc; j++)
            cols[j] = rows[i].cells[j] > cols[j] ? rows[i].cells[j] : cols[j];
    size_t body = 4 + (nc - 1) * 2;
    for (uint32_t j = 0; j + 1 < nc; j++)
        body += cols[j];
    for (uint32_t i = 0; i < n; i++)
        if (in[i] && column + head + 1 + body + rows[i].cells[nc - 1] > f->width)
            return;   /* a table for all the aligned rows or none */
    for (uint32_t i = 0; i < n; i++)
        if (in[i])
            rows[i].cols = cols;
}

static void print_items(Fmt *f, Doc *out, Item *items, uint32_t close, int level,
                        bool keep_lines);

/* `{`, the items at level + 1, `}`; `open`/`close`: the offsets of the
 * braces. */
static void block_lines(Fmt *f, Doc *out, Item *items, uint32_t open, uint32_t close, int level)
{
    f->pos = open;
    f->fence = close;
    tok(f, out, "{");
    if (!items && !comment_within(f, open, close)) {
        tok(f, out, "}");
        return;
    }
    Doc *body = cat(f);
    print_items(f, body, items, close, level + 1, has_newline(f, open, close));
    add(f, out, doc_nest(f->a, INDENT, body));
    add(f, out, doc_hardline(f->a));
    place(f, out, "}", close, close + 1);
}

/* A block at `column`: on one line when `row` says it can be, else a line
 * an item. */
static void block(Fmt *f, Doc *out, Item *items, uint32_t open, uint32_t close, int level,
                  const Row *row)
{
    if (row && row->ok) {
        f->pos = open;
        block_one_line(f, out, row);
    } else {
        block_lines(f, out, items, open, close, level);
    }
}

/* The head of a `risk` or `stage` item: `risk NAME`; of a lifecycle block,
 * its keyword alone. */
static size_t item_head(Fmt *f, const Item *it)
{
    if (it->kind == ITEM_LIFECYCLE)
        return name_width(f, it->name, it->loc.start);
    return (it->kind == ITEM_RISK ? 4 : 5) + 1 + name_width(f, it->name, it->loc.start);
}

/* The items of a block, at `level`.  Attributes the author put on one
 * line stay on one line (two spaces apart) when it fits and `keep_lines`
 * (the block was written on several lines).  In each section (lines
 * without a blank line between) the `=` are aligned unless a line holds
 * several attributes.  Consecutive one-line `risk` or `stage` blocks are
 * lined up. */
static void print_items(Fmt *f, Doc *out, Item *items, uint32_t close, int level,
                        bool keep_lines)
{
    uint32_t n = 0;
    for (Item *it = items; it; it = it->next)
        n++;
    if (n == 0) {
        bool first = true;
        comments_until(f, out, close, &first);
        return;
    }
    Item **at = ARENA_ARRAY(f->a, Item *, n);
    bool *joins = ARENA_ARRAY(f->a, bool, n);   /* on the line of the one before */
    size_t *eq = ARENA_ARRAY(f->a, size_t, n);  /* name padded to this width */
    Row *rows = ARENA_ARRAY(f->a, Row, n);
    size_t column = (size_t)level * INDENT;
    uint32_t i = 0;
    for (Item *it = items; it; it = it->next)
        at[i++] = it;
    for (i = 1; i < n; i++)
        joins[i] = keep_lines && at[i]->kind == ITEM_ATTR && at[i - 1]->kind == ITEM_ATTR &&
                   !has_newline(f, item_end(at[i - 1]), item_start(f, at[i]));
    /* a line of attributes that no longer fits: one a line */
    for (uint32_t s = 0, e; s < n; s = e) {
        for (e = s + 1; e < n && joins[e]; e++)
            ;
        if (e == s + 1)
            continue;
        size_t w = column + name_width(f, at[s]->name, at[s]->loc.start) + 3 + measure_expr(f, at[s]->value);
        for (e = s + 1; e < n && joins[e]; e++)
            w += 2 + name_width(f, at[e]->name, at[e]->loc.start) + 3 + measure_expr(f, at[e]->value);
        if (w > f->width)
            for (uint32_t k = s + 1; k < e; k++)
                joins[k] = false;
    }
    /* sections */
    for (uint32_t s = 0, e; s < n; s = e) {
        bool several = false;
        size_t w = 0;
        for (e = s; e < n; e++) {
            if (e > s && blank_between(f, item_end(at[e - 1]), item_start(f, at[e])))
                break;
            several |= joins[e];
            if (at[e]->kind == ITEM_ATTR && name_width(f, at[e]->name, at[e]->loc.start) > w)
                w = name_width(f, at[e]->name, at[e]->loc.start);
        }
        for (uint32_t k = s; k < e; k++)
            eq[k] = several ? 0 : w;
    }
    /* runs of one-line `risk` or `stage` blocks on consecutive lines */
    for (i = 0; i < n; i++) {
        Item *it = at[i];
        if (it->kind != ITEM_ATTR &&
            one_line_block(f, it->items, it->end_loc.start, it->end_loc.end - 1, &rows[i])) {
            rows[i].head = item_head(f, it);
            rows[i].ok = column + rows[i].head + 1 + rows[i].body <= f->width;
        }
    }
    for (uint32_t s = 0, e; s < n; s = e) {
        for (e = s + 1; rows[s].ok && e < n && rows[e].ok && at[e]->kind == at[s]->kind &&
                        adjacent(f, item_end(at[e - 1]), item_start(f, at[e]));
             e++)
            ;
        align_run(f, rows + s, e - s, column, true);
    }
    bool first = true;
    for (i = 0; i < n; i++) {
        Item *it = at[i];
        if (joins[i]) {
            add_str(f, out, "  ");
            f->pos = item_start(f, it);
        } else {
            statement_start(f, out, item_start(f, it), &first);
        }
        Doc *s = cat(f);
        uint32_t end = item_end(it);
        f->fence = end;
        if (it->kind == ITEM_ATTR) {
            attribute(f, s, it, eq[i]);
        } else {
            if (it->kind != ITEM_LIFECYCLE) {
                tok(f, s, it->kind == ITEM_RISK ? "risk" : "stage");
                add_str(f, s, " ");
            }
            place_name(f, s, it->name, it->loc.start, it->loc.end);
            size_t pad = rows[i].pad_head ? rows[i].pad_head - item_head(f, it) : 0;
            add_spaces(f, s, pad + 1);
            block(f, s, it->items, it->end_loc.start, it->end_loc.end - 1, level, &rows[i]);
        }
        statement_end(f, s, end);
        add(f, out, s);
    }
    comments_until(f, out, close, &first);
}

/* ---- declarations ------------------------------------------------------------- */

static uint32_t decl_end(const Decl *d)
{
    switch (d->kind) {
    case D_IMPORT:
        return d->text_loc.end;
    case D_SCORE: case D_RULE: case D_LIMIT: case D_CONST:
        return d->expr->loc.end;
    default:
        return d->end_loc.end;
    }
}

static bool has_block(const Decl *d)
{
    switch (d->kind) {
    case D_STRATEGY: case D_ENTITY: case D_APPETITE: case D_APPROVAL: case D_WAIVER:
    case D_LINT: case D_POOL: case D_REPORT:
        return true;
    case D_LOAD:
        return d->items != NULL;
    default:
        return false;
    }
}

static bool is_definition(const Decl *d)
{
    return d->kind == D_SCORE || d->kind == D_RULE || d->kind == D_LIMIT || d->kind == D_CONST;
}

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
    case D_LINT: return "lint";
    case D_POOL: return "pool";
    case D_REPORT: return "report";
    }
    return "?";
}

static const char *severity_name(Severity s)
{
    static const char *const names[] = {"error", "warning", "info", "note"};
    return names[s];
}

/* The `{` of a declaration's block. */
static uint32_t block_open(const Fmt *f, const Decl *d)
{
    if (d->kind == D_LOAD)
        return skip_trivia(f, d->text_loc.end, false);
    return d->end_loc.start;
}

/* What precedes ` {` or ` =` in a declaration, and its width. */
static size_t head_width(Fmt *f, const Decl *d)
{
    switch (d->kind) {
    case D_STRATEGY:
        return 9 + text_width(string_literal(f, d->text));
    case D_APPETITE:
        return 8;
    case D_LINT:
        return 4;
    case D_REPORT:
        return 6;
    case D_LOAD:
        return 11 + name_width(f, d->name, d->name_loc.start) + text_width(string_literal(f, d->text));
    case D_SCORE:
        return 8 + name_width(f, d->name, d->name_loc.start) + name_width(f, d->param, d->param_loc.start);
    case D_RULE:
        return 9 + name_width(f, d->name, d->name_loc.start) + strlen(severity_name(d->severity)) +
               text_width(string_literal(f, d->text));
    case D_LIMIT:
        return 7 + name_width(f, d->name, d->name_loc.start) + text_width(string_literal(f, d->text));
    default:
        return strlen(decl_keyword(d)) + 1 + name_width(f, d->name, d->name_loc.start);
    }
}

static bool has_statements(const Decl *d);
static void statements_row(Fmt *f, const Decl *d, Row *row);

/* A declaration as a row of a run: a block that stays on one line, or a
 * definition that fits on one. */
static void decl_row(Fmt *f, const Decl *d, Row *row)
{
    memset(row, 0, sizeof *row);
    if (has_block(d)) {
        if (one_line_block(f, d->items, block_open(f, d), d->end_loc.end - 1, row)) {
            row->head = head_width(f, d);
            row->ok = row->head + 1 + row->body <= f->width;
        }
    } else if (has_statements(d)) {
        statements_row(f, d, row);
    } else if (is_definition(d) && !comment_within(f, d->loc.start, d->expr->loc.end)) {
        row->head = head_width(f, d);
        row->body = 2 + measure_expr(f, d->expr);
        row->ok = row->head + 1 + row->body <= f->width;
    }
}

static void head_name(Fmt *f, Doc *out, const Decl *d)
{
    tok(f, out, decl_keyword(d));
    add_str(f, out, " ");
    place_name(f, out, d->name, d->name_loc.start, d->name_loc.end);
}

static void definition(Fmt *f, Doc *out, const Decl *d, const Row *row)
{
    f->fence = d->expr->loc.end;
    head_name(f, out, d);
    switch (d->kind) {
    case D_SCORE:
        tok(f, out, "(");
        place_name(f, out, d->param, d->param_loc.start, d->param_loc.end);
        tok(f, out, ")");
        break;
    case D_RULE:
        add_str(f, out, " ");
        tok(f, out, "(");
        tok(f, out, severity_name(d->severity));
        tok(f, out, ")");
        add_str(f, out, " ");
        place(f, out, string_literal(f, d->text), d->text_loc.start, d->text_loc.end);
        break;
    case D_LIMIT:
        add_str(f, out, " ");
        place(f, out, string_literal(f, d->text), d->text_loc.start, d->text_loc.end);
        break;
    default:
        break;
    }
    add_spaces(f, out, row->pad_head ? row->pad_head - row->head + 1 : 1);
    tok(f, out, "=");
    Doc *body = cat(f);
    add(f, body, doc_line(f->a));
    expr(f, body, d->expr);
    add(f, out, doc_group(f->a, doc_nest(f->a, INDENT, body)));
}

/* `keyword name {`, the statements (by `each`), `}`. */
static Doc *open_braces(Fmt *f, Doc *out, const Decl *d, uint32_t close)
{
    f->fence = close;
    head_name(f, out, d);
    add_str(f, out, " ");
    tok(f, out, "{");
    return cat(f);
}

static void close_braces(Fmt *f, Doc *out, Doc *body, uint32_t close, bool *first)
{
    comments_until(f, body, close, first);
    add(f, out, doc_nest(f->a, INDENT, body));
    add(f, out, doc_hardline(f->a));
    place(f, out, "}", close, close + 1);
}

static void arm(Fmt *f, Doc *out, const Arm *a, size_t width)
{
    place_name(f, out, a->decision, a->loc.start, a->loc.end);
    add_spaces(f, out, width - strlen(a->decision) + 1);
    Doc *clause = cat(f);
    if (a->cond) {
        tok(f, clause, "when");
        add_str(f, clause, " ");
        expr(f, clause, a->cond);
    } else {
        tok(f, clause, "otherwise");
    }
    if (a->because.s) {
        /* on its own line if the author put it there */
        uint32_t kw = find_token(f, "because");
        bool own = kw != UINT32_MAX && has_newline(f, f->pos, kw);
        add(f, clause, own ? doc_freshline(f->a) : doc_line(f->a));
        tok(f, clause, "because");
        add_str(f, clause, " ");
        tok_string(f, clause, string_literal(f, a->because));
    }
    add(f, out, doc_align(f->a, doc_group(f->a, clause)));
}

static void decide(Fmt *f, Doc *out, const Decl *d)
{
    uint32_t close = d->end_loc.start;
    f->fence = close;
    tok(f, out, "decide");
    add_str(f, out, " ");
    if (d->name) {   /* decide NAME (a, b, c) { */
        place(f, out, d->name, d->name_loc.start, d->name_loc.end);
        add_str(f, out, " ");
        tok(f, out, "(");
        for (const Item *o = d->outcomes; o; o = o->next) {
            place(f, out, o->name, o->loc.start, o->loc.end);
            if (o->next) {
                tok(f, out, ",");
                add_str(f, out, " ");
            }
        }
        tok(f, out, ")");
        add_str(f, out, " ");
    }
    tok(f, out, "{");
    Doc *body = cat(f);
    bool first = true;
    size_t width = 0;
    for (Arm *a = d->arms, *prev = NULL; a; prev = a, a = a->next) {
        /* the names are aligned in each section (arms without a blank line between) */
        if (!prev || blank_between(f, prev->span.end, a->span.start)) {
            width = strlen(a->decision);
            for (Arm *b = a; b->next && !blank_between(f, b->span.end, b->next->span.start);
                 b = b->next)
                width = strlen(b->next->decision) > width ? strlen(b->next->decision) : width;
        }
        statement_start(f, body, a->span.start, &first);
        f->fence = a->span.end;
        Doc *s = cat(f);
        arm(f, s, a, width);
        statement_end(f, s, a->span.end);
        add(f, body, s);
    }
    if (d->rank) {
        uint32_t start = word_before(f, word_before(f, d->rank->loc.start));
        uint32_t end = d->rank->loc.end, p = skip_trivia(f, end, true);
        const char *order = d->rank_order == SORT_ASC ? "asc" : "desc";
        if (p + strlen(order) <= f->len && memcmp(f->text + p, order, strlen(order)) == 0)
            end = p + (uint32_t)strlen(order);
        statement_start(f, body, start, &first);
        f->fence = end;
        Doc *s = cat(f);
        tok(f, s, "rank");
        add_str(f, s, " ");
        tok(f, s, "by");
        add_str(f, s, " ");
        expr(f, s, d->rank);
        add_str(f, s, " ");
        tok(f, s, order);
        statement_end(f, s, end);
        add(f, body, s);
    }
    close_braces(f, out, body, close, &first);
}

static void field(Fmt *f, Doc *s, const SchemaField *x, size_t width)
{
    place_name(f, s, x->name, x->loc.start, x->loc.end);
    add_spaces(f, s, (width > name_width(f, x->name, x->loc.start) ? width - name_width(f, x->name, x->loc.start) : 0) + 1);
    tok(f, s, ":");
    add_str(f, s, " ");
    if (x->is_list)
        tok(f, s, "[");
    place_name(f, s, x->type_name, x->type_loc.start, x->type_loc.end);
    if (x->is_list)
        tok(f, s, "]");
    if (x->in) {
        add_str(f, s, " ");
        tok(f, s, "in");
        add_str(f, s, " ");
        expr(f, s, x->in);
    }
    if (x->cmp != OP_NONE) {
        add_str(f, s, " ");
        tok(f, s, op_text(x->cmp));
        add_str(f, s, " ");
        expr(f, s, x->cmp_value);
    }
    if (x->cmp2 != OP_NONE) {
        add_str(f, s, " ");
        tok(f, s, op_text(x->cmp2));
        add_str(f, s, " ");
        expr(f, s, x->cmp2_value);
    }
    if (x->required) {
        add_str(f, s, " ");
        tok(f, s, "required");
    }
    if (x->default_value) {
        add_str(f, s, " ");
        tok(f, s, "=");
        add_str(f, s, " ");
        expr(f, s, x->default_value);
    }
}

/* `set target = value for var in kind where cond`, broken before `for`
 * and `where` when too long. */
static void set_statement(Fmt *f, Doc *s, const SetStmt *st)
{
    Doc *rest = cat(f);
    tok(f, s, "set");
    add_str(f, s, " ");
    expr(f, s, st->target);
    add_str(f, s, " ");
    tok(f, s, "=");
    add_str(f, s, " ");
    expr(f, s, st->value);
    add(f, rest, doc_line(f->a));
    tok(f, rest, "for");
    add_str(f, rest, " ");
    place_name(f, rest, st->var, st->var_loc.start, st->var_loc.end);
    add_str(f, rest, " ");
    tok(f, rest, "in");
    add_str(f, rest, " ");
    place_name(f, rest, st->kind_name, st->kind_loc.start, st->kind_loc.end);
    if (st->where) {
        add(f, rest, doc_line(f->a));
        tok(f, rest, "where");
        add_str(f, rest, " ");
        expr(f, rest, st->where);
    }
    add(f, s, doc_group(f->a, doc_nest(f->a, INDENT, rest)));
}

/* The statements of a schema, scenario or test block. */
typedef struct Stmt {
    uint32_t start, end;
    const void *node;
    size_t name;             /* a field's name, for alignment */
} Stmt;

static uint32_t statements(Fmt *f, const Decl *d, Stmt **out)
{
    uint32_t n = 0, i = 0;
    for (const SchemaField *x = d->fields; d->kind == D_SCHEMA && x; x = x->next)
        n++;
    for (const SetStmt *x = d->sets; d->kind == D_SCENARIO && x; x = x->next)
        n++;
    for (const Expect *x = d->expects; d->kind == D_TEST && x; x = x->next)
        n++;
    Stmt *st = ARENA_ARRAY(f->a, Stmt, n ? n : 1);
    for (const SchemaField *x = d->fields; d->kind == D_SCHEMA && x; x = x->next)
        st[i++] = (Stmt){x->span.start, x->span.end, x, name_width(f, x->name, x->loc.start)};
    for (const SetStmt *x = d->sets; d->kind == D_SCENARIO && x; x = x->next)
        st[i++] = (Stmt){x->span.start, x->span.end, x, 0};
    for (const Expect *x = d->expects; d->kind == D_TEST && x; x = x->next)
        st[i++] = (Stmt){x->span.start, x->span.end, x, 0};
    *out = st;
    return n;
}

static void statement(Fmt *f, Doc *s, const Decl *d, const Stmt *st, size_t width)
{
    switch (d->kind) {
    case D_SCHEMA:
        field(f, s, st->node, width);
        return;
    case D_SCENARIO:
        set_statement(f, s, st->node);
        return;
    default:
        tok(f, s, "expect");
        add_str(f, s, " ");
        expr(f, s, ((const Expect *)st->node)->cond);
        return;
    }
}

static bool has_statements(const Decl *d)
{
    return d->kind == D_SCHEMA || d->kind == D_SCENARIO || d->kind == D_TEST;
}

/* A schema, scenario or test on one line, as `row` measured it. */
static void statements_one_line(Fmt *f, Doc *out, const Decl *d, const Row *row)
{
    Doc *g = cat(f);
    f->fence = d->end_loc.start;
    head_name(f, g, d);
    add_spaces(f, g, (row->pad_head ? row->pad_head - row->head : 0) + 1);
    tok(f, g, "{");
    Stmt *st;
    uint32_t n = statements(f, d, &st);
    for (uint32_t i = 0; i < n; i++) {
        add_str(f, g, i ? "  " : " ");
        statement(f, g, d, &st[i], 0);
    }
    add_str(f, g, n ? " " : "");
    tok(f, g, "}");
    add(f, out, doc_group(f->a, g));
}

/* A schema (its field names aligned in each section: fields without a
 * blank line between), scenario or test, a statement a line. */
static void statements_block(Fmt *f, Doc *out, const Decl *d, const Row *row)
{
    if (row && row->ok) {
        statements_one_line(f, out, d, row);
        return;
    }
    uint32_t close = d->end_loc.start;
    Doc *body = open_braces(f, out, d, close);
    bool first = true;
    Stmt *st;
    uint32_t n = statements(f, d, &st);
    size_t width = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i == 0 || blank_between(f, st[i - 1].end, st[i].start)) {
            width = st[i].name;
            for (uint32_t k = i + 1; k < n && !blank_between(f, st[k - 1].end, st[k].start); k++)
                width = st[k].name > width ? st[k].name : width;
        }
        statement_start(f, body, st[i].start, &first);
        f->fence = st[i].end;
        Doc *s = cat(f);
        statement(f, s, d, &st[i], width);
        statement_end(f, s, st[i].end);
        add(f, body, s);
    }
    close_braces(f, out, body, close, &first);
}

/* Can a schema, scenario or test stay on one line?  Its author wrote it
 * so, with no comment inside; fills in the row. */
static void statements_row(Fmt *f, const Decl *d, Row *row)
{
    uint32_t open = skip_trivia(f, d->name_loc.end, false), close = d->end_loc.start;
    if (has_newline(f, open, close) || comment_within(f, open, close))
        return;
    Stmt *st;
    uint32_t n = statements(f, d, &st);
    row->head = head_width(f, d);
    row->body = n ? 4 + (n - 1) * 2 : 2;
    for (uint32_t i = 0; i < n; i++) {
        Saved sv = measuring(f);
        Doc *s = cat(f);
        statement(f, s, d, &st[i], 0);
        row->body += measured(f, sv, s);
    }
    row->ok = row->head + 1 + row->body <= f->width;
}

static void block_decl(Fmt *f, Doc *out, const Decl *d, const Row *row)
{
    uint32_t open = block_open(f, d), close = d->end_loc.end - 1;
    f->fence = close;
    tok(f, out, decl_keyword(d));
    switch (d->kind) {
    case D_STRATEGY:
        add_str(f, out, " ");
        place(f, out, string_literal(f, d->text), d->text_loc.start, d->text_loc.end);
        break;
    case D_APPETITE:
    case D_LINT:
    case D_REPORT:
        break;
    case D_LOAD:
        add_str(f, out, " ");
        place_name(f, out, d->name, d->name_loc.start, d->name_loc.end);
        add_str(f, out, " ");
        tok(f, out, "from");
        add_str(f, out, " ");
        place(f, out, string_literal(f, d->text), d->text_loc.start, d->text_loc.end);
        break;
    default:
        add_str(f, out, " ");
        place_name(f, out, d->name, d->name_loc.start, d->name_loc.end);
        break;
    }
    add_spaces(f, out, (row->pad_head ? row->pad_head - row->head : 0) + 1);
    block(f, out, d->items, open, close, 0, row);
}

static void decl(Fmt *f, Doc *out, const Decl *d, const Row *row)
{
    f->pos = d->loc.start;
    if (has_block(d)) {
        block_decl(f, out, d, row);
        return;
    }
    switch (d->kind) {
    case D_IMPORT:
        f->fence = d->text_loc.end;
        tok(f, out, "import");
        add_str(f, out, " ");
        place(f, out, string_literal(f, d->text), d->text_loc.start, d->text_loc.end);
        return;
    case D_LOAD:
        f->fence = d->text_loc.end;
        tok(f, out, "load");
        add_str(f, out, " ");
        place_name(f, out, d->name, d->name_loc.start, d->name_loc.end);
        add_str(f, out, " ");
        tok(f, out, "from");
        add_str(f, out, " ");
        place(f, out, string_literal(f, d->text), d->text_loc.start, d->text_loc.end);
        return;
    case D_SCHEMA: case D_SCENARIO: case D_TEST:
        statements_block(f, out, d, row);
        return;
    case D_DECIDE:
        decide(f, out, d);
        return;
    case D_SCORE: case D_RULE: case D_LIMIT: case D_CONST:
        definition(f, out, d, row);
        return;
    default:
        return;
    }
}

/* ---- the file ----------------------------------------------------------------- */

/* Comments at the top level before offset `at`, a line each. */
static void top_comments(Fmt *f, Doc *out, uint32_t at)
{
    Comment *cm;
    while ((cm = next_comment(f)) && cm->start < at) {
        f->next++;
        if (f->wrote && blank_between(f, f->prev_end, cm->start))
            add(f, out, doc_hardline(f->a));
        add(f, out, comment_doc(f, cm));
        add(f, out, doc_hardline(f->a));
        f->prev_end = cm->end;
        f->wrote = true;
    }
}

static void flush_doc(Fmt *f, Doc *d)
{
    f->fence = 0;
    doc_print(&f->pr, f->a, d);
}

/* The regions that start before `at`, as written. */
static void regions_before(Fmt *f, uint32_t at)
{
    while (f->next_region < f->nregions && f->regions[f->next_region].start < at) {
        Region *r = &f->regions[f->next_region++];
        Doc *d = cat(f);
        top_comments(f, d, r->start);
        if (f->wrote && blank_between(f, f->prev_end, r->start))
            add(f, d, doc_hardline(f->a));
        flush_doc(f, d);
        fwrite(f->orig + r->start, 1, r->end - r->start, f->pr.out);
        if (r->end == r->start || f->orig[r->end - 1] != '\n')
            fputc('\n', f->pr.out);
        f->prev_end = r->end - 1;
        f->wrote = true;
        while (f->next < f->ncomments && f->comments[f->next].start < r->end)
            f->next++;
    }
}

static bool decl_in_region(const Fmt *f, const Decl *d)
{
    return in_region(f, d->loc.start);
}

static void print_decl(Fmt *f, const Decl *d, const Row *row)
{
    Doc *doc = cat(f);
    top_comments(f, doc, d->loc.start);
    if (f->wrote && blank_between(f, f->prev_end, d->loc.start))
        add(f, doc, doc_hardline(f->a));
    decl(f, doc, d, row);
    statement_end(f, doc, decl_end(d));
    add(f, doc, doc_hardline(f->a));
    f->wrote = true;
    flush_doc(f, doc);
}

/* Can `b` join the run that `a` ends? */
static bool same_run(const Fmt *f, const Decl *a, const Row *ra, const Decl *b, const Row *rb)
{
    if (!ra->ok || !rb->ok || decl_in_region(f, b))
        return false;
    if (a->kind != b->kind || (a->kind == D_ENTITY && a->entity_kind != b->entity_kind))
        return false;
    return adjacent(f, decl_end(a), b->loc.start);
}

static void print_file(Fmt *f, Decl *decls)
{
    for (const Decl *d = decls; d;) {
        regions_before(f, d->loc.start);
        if (decl_in_region(f, d)) {
            d = d->next;
            continue;
        }
        ArenaMark mark = arena_mark(f->a);
        uint32_t n = 1, cap = 4;
        Row *rows = ARENA_ARRAY(f->a, Row, cap);
        decl_row(f, d, &rows[0]);
        const Decl *last = d;
        while (rows[n - 1].ok && last->next) {
            if (n == cap) {
                rows = arena_realloc(f->a, rows, sizeof(Row) * cap, sizeof(Row) * cap * 2);
                cap *= 2;
            }
            decl_row(f, last->next, &rows[n]);
            if (!same_run(f, last, &rows[n - 1], last->next, &rows[n]))
                break;
            last = last->next;
            n++;
        }
        align_run(f, rows, n, 0, has_block(d));
        for (uint32_t i = 0; i < n; i++, d = d->next) {
            ArenaMark each = arena_mark(f->a);
            print_decl(f, d, &rows[i]);
            arena_release(f->a, each);
        }
        arena_release(f->a, mark);
    }
    regions_before(f, UINT32_MAX);
    Doc *tail = cat(f);
    top_comments(f, tail, UINT32_MAX);
    flush_doc(f, tail);
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
    Fmt fs = {0};
    Fmt *f = &fs;
    f->c = c;
    f->a = &c->arena;
    f->orig = text;
    f->len = (uint32_t)len;
    f->width = c->opts.fmt_width ? c->opts.fmt_width : DEFAULT_WIDTH;
    find_regions(f);
    const char *parsed = f->nregions ? blank_regions(f) : text;
    uint32_t file = source_add(c, path, NULL, parsed, len, false);
    ParseState ps;
    unsigned errors_before = c->nerrors;
    parse_source(c, file, &ps);
    if (c->nerrors > errors_before)
        return STRAT_FINDINGS;
    f->text = source_get(c, file)->text;
    widen_regions(f, ps.head);
    scan_comments(f);
    printer_init(&f->pr, out, (unsigned)f->width);
    print_file(f, ps.head);
    return STRAT_OK;
}
