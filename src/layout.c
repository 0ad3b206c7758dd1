/*
 * layout.c — the formatter's pretty printer (see layout.h).
 *
 * Takes a document tree and a width; gives the text, written to a FILE.
 * The printer walks the tree with an explicit stack of (document,
 * indentation, flat or broken).  At a group in broken context it asks
 * `fits`: would the group, flat, and what follows it up to the next
 * possible line break, stay within the width?  If so the group is printed
 * flat, else broken — its own lines become newlines and the groups inside
 * it are asked again.  Spaces are written lazily, so no line ends in a
 * space and a soft line break at the start of a line adds no empty line.
 * A trailing comment (DOC_SUFFIX) waits for the end of its line and goes
 * where its author had it when there is room, else two spaces after the
 * code.  Widths count characters (UTF-8 code points), not bytes.
 */
#include <string.h>

#include "layout.h"

static Doc *doc_new(Arena *a, DocKind kind)
{
    Doc *d = ARENA_NEW(a, Doc);
    d->kind = kind;
    return d;
}

static uint32_t utf8_width(const char *s, size_t len)
{
    uint32_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

Doc *doc_text(Arena *a, const char *s, size_t len)
{
    Doc *d = doc_new(a, DOC_TEXT);
    d->s = s;
    d->len = (uint32_t)len;
    d->width = utf8_width(s, len);
    return d;
}

Doc *doc_str(Arena *a, const char *s)
{
    return doc_text(a, s, strlen(s));
}

Doc *doc_spaces(Arena *a, size_t n)
{
    char *s = arena_alloc(a, n + 1);
    memset(s, ' ', n);
    s[n] = '\0';
    return doc_text(a, s, n);
}

Doc *doc_line(Arena *a) { return doc_new(a, DOC_LINE); }
Doc *doc_softline(Arena *a) { return doc_new(a, DOC_SOFTLINE); }
Doc *doc_hardline(Arena *a) { return doc_new(a, DOC_HARDLINE); }
Doc *doc_freshline(Arena *a) { return doc_new(a, DOC_FRESHLINE); }

Doc *doc_if_break(Arena *a, const char *s)
{
    Doc *d = doc_text(a, s, strlen(s));
    d->kind = DOC_IF_BREAK;
    return d;
}

Doc *doc_suffix(Arena *a, const char *s, size_t len, uint32_t column)
{
    Doc *d = doc_new(a, DOC_SUFFIX);
    d->s = s;
    d->len = (uint32_t)len;
    d->column = column;
    return d;
}

Doc *doc_concat(Arena *a)
{
    return doc_new(a, DOC_CONCAT);
}

void doc_add(Arena *a, Doc *concat, Doc *kid)
{
    if (concat->n == concat->cap) {
        uint32_t cap = concat->cap ? concat->cap * 2 : 4;
        concat->kids = arena_realloc(a, concat->kids, sizeof(Doc *) * concat->cap,
                                     sizeof(Doc *) * cap);
        concat->cap = cap;
    }
    concat->kids[concat->n++] = kid;
}

static Doc *wrap(Arena *a, DocKind kind, Doc *kid)
{
    Doc *d = doc_new(a, kind);
    d->kid = kid;
    return d;
}

Doc *doc_group(Arena *a, Doc *kid) { return wrap(a, DOC_GROUP, kid); }
Doc *doc_align(Arena *a, Doc *kid) { return wrap(a, DOC_ALIGN, kid); }

Doc *doc_nest(Arena *a, int n, Doc *kid)
{
    Doc *d = wrap(a, DOC_NEST, kid);
    d->nest = n;
    return d;
}

Doc *doc_custom(Arena *a, const DocCustom *custom)
{
    Doc *d = doc_new(a, DOC_CUSTOM);
    d->custom = custom;
    return d;
}

size_t doc_flat_width(const Doc *d)
{
    switch (d->kind) {
    case DOC_TEXT: return d->width;
    case DOC_LINE: return 1;
    case DOC_SOFTLINE: case DOC_IF_BREAK: case DOC_SUFFIX: return 0;
    case DOC_HARDLINE: case DOC_FRESHLINE: return SIZE_MAX;
    case DOC_GROUP: case DOC_NEST: case DOC_ALIGN: return doc_flat_width(d->kid);
    case DOC_CUSTOM: return d->custom->flat_width;
    case DOC_CONCAT: {
        size_t w = 0;
        for (uint32_t i = 0; i < d->n; i++) {
            size_t k = doc_flat_width(d->kids[i]);
            if (k == SIZE_MAX || w + k < w)
                return SIZE_MAX;
            w += k;
        }
        return w;
    }
    }
    return 0;
}

/* What propagate_breaks learns of a document. */
typedef struct Hard {
    bool inside;     /* a hard line with something after it */
    bool at_end;     /* ends with a hard line */
    bool empty;      /* prints nothing (a trailing comment does not count) */
} Hard;

/* Marks every group that holds a hard line as broken — but for one at
 * its very end: a trailing comment ends its line without breaking the
 * group it ends (`a and b  # why` stays on one line). */
static Hard propagate_breaks(Doc *d)
{
    switch (d->kind) {
    case DOC_HARDLINE: case DOC_FRESHLINE:
        return (Hard){false, true, false};
    case DOC_SUFFIX:
        return (Hard){false, false, true};
    case DOC_TEXT:
        return (Hard){false, false, d->len == 0};
    case DOC_GROUP: case DOC_NEST: case DOC_ALIGN: {
        Hard h = propagate_breaks(d->kid);
        d->breaks = h.inside;
        return h;
    }
    case DOC_CONCAT: {
        Hard all = {false, false, true};
        for (uint32_t i = 0; i < d->n; i++) {
            Hard h = propagate_breaks(d->kids[i]);
            if (h.empty)
                continue;
            all.inside |= all.at_end || h.inside;
            all.at_end = h.at_end;
            all.empty = false;
        }
        d->breaks = all.inside;
        return all;
    }
    default:
        return (Hard){false, false, false};
    }
}

/* ---- output ---------------------------------------------------------------- */

void printer_init(Printer *p, FILE *out, unsigned width)
{
    memset(p, 0, sizeof *p);
    p->out = out;
    p->width = width;
}

static void write_spaces(Printer *p, size_t n)
{
    static const char spaces[] = "                                ";
    while (n > 0) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        fwrite(spaces, 1, k, p->out);
        n -= k;
    }
}

void put_text(Printer *p, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if (s[i] == ' ') {
            /* spaces wait for the next character: none ends a line, and
             * none starts one past its indentation */
            if (p->has_text) {
                p->pending++;
                p->col++;
            }
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && s[j] != ' ')
            j++;
        write_spaces(p, p->pending);
        p->pending = 0;
        fwrite(s + i, 1, j - i, p->out);
        p->col += utf8_width(s + i, j - i);
        p->has_text = true;
        i = j;
    }
}

static void put_comment(Printer *p, const Doc *c)
{
    fwrite(c->s, 1, c->len, p->out);
}

/* Ends the line: its trailing comments first (the first where its author
 * put it if that leaves two spaces, else two spaces after the code; any
 * other on a line of its own), then a newline indented `indent`. */
void put_newline(Printer *p, unsigned indent)
{
    size_t written = p->col - p->pending;
    for (Doc *c = p->suffixes; c; c = c->next_suffix) {
        if (c == p->suffixes && p->has_text) {
            size_t at = written + 2;
            if (c->column >= at && c->column < p->width)
                at = c->column;
            write_spaces(p, at - written);
        } else {
            if (c != p->suffixes)
                fputc('\n', p->out);
            write_spaces(p, p->has_text || c != p->suffixes ? indent : p->pending);
        }
        put_comment(p, c);
    }
    p->suffixes = p->suffixes_tail = NULL;
    fputc('\n', p->out);
    p->col = p->pending = indent;
    p->has_text = false;
}

/* A line break in a broken group: none at the start of a line, where only
 * the indentation changes. */
static void soft_newline(Printer *p, unsigned indent)
{
    if (p->has_text || p->suffixes) {
        put_newline(p, indent);
    } else {
        p->col = p->pending = indent;
    }
}

typedef struct Cmd {
    const Doc *d;
    unsigned indent;
    bool flat;
} Cmd;

typedef struct Stack {
    Arena *a;
    Cmd *at;
    size_t n, cap;
} Stack;

static void push(Stack *s, const Doc *d, unsigned indent, bool flat)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        s->at = arena_realloc(s->a, s->at, sizeof(Cmd) * s->cap, sizeof(Cmd) * cap);
        s->cap = cap;
    }
    s->at[s->n++] = (Cmd){d, indent, flat};
}

/* Would `next` laid out flat, followed by the rest of the stack up to its
 * first line break, take at most `room` characters? */
static bool fits(Cmd next, const Stack *rest, long room, Stack *work)
{
    work->n = 0;
    push(work, next.d, next.indent, next.flat);
    size_t ri = rest->n;
    while (room >= 0) {
        if (work->n == 0) {
            if (ri == 0)
                return true;
            Cmd r = rest->at[--ri];
            push(work, r.d, r.indent, r.flat);
            continue;
        }
        Cmd c = work->at[--work->n];
        const Doc *d = c.d;
        switch (d->kind) {
        case DOC_TEXT:
            room -= (long)d->width;
            break;
        case DOC_IF_BREAK:
            if (!c.flat)
                room -= (long)d->width;
            break;
        case DOC_LINE:
            if (!c.flat)
                return true;
            room -= 1;
            break;
        case DOC_SOFTLINE:
            if (!c.flat)
                return true;
            break;
        case DOC_HARDLINE: case DOC_FRESHLINE:
            return true;
        case DOC_SUFFIX:
            break;
        case DOC_CONCAT:
            for (uint32_t i = d->n; i-- > 0;)
                push(work, d->kids[i], c.indent, c.flat);
            break;
        case DOC_NEST: case DOC_ALIGN:
            push(work, d->kid, c.indent, c.flat);
            break;
        case DOC_GROUP:
            push(work, d->kid, c.indent, c.flat && !d->breaks);
            break;
        case DOC_CUSTOM:
            if (!c.flat)
                return room >= 1;   /* `[` and a newline */
            if (d->custom->flat_width > (size_t)room)
                return false;
            room -= (long)d->custom->flat_width;
            break;
        }
    }
    return false;
}

void doc_print(Printer *p, Arena *a, Doc *root)
{
    propagate_breaks(root);
    Stack stack = {a, NULL, 0, 0}, work = {a, NULL, 0, 0};
    push(&stack, root, (unsigned)p->pending, false);
    while (stack.n > 0) {
        Cmd c = stack.at[--stack.n];
        const Doc *d = c.d;
        switch (d->kind) {
        case DOC_TEXT:
            put_text(p, d->s, d->len);
            break;
        case DOC_IF_BREAK:
            if (!c.flat)
                put_text(p, d->s, d->len);
            break;
        case DOC_LINE:
            if (c.flat)
                put_text(p, " ", 1);
            else
                soft_newline(p, c.indent);
            break;
        case DOC_SOFTLINE:
            if (!c.flat)
                soft_newline(p, c.indent);
            break;
        case DOC_HARDLINE:
            put_newline(p, c.indent);
            break;
        case DOC_FRESHLINE:
            soft_newline(p, c.indent);
            break;
        case DOC_SUFFIX: {
            Doc *s = (Doc *)d;
            s->next_suffix = NULL;
            if (p->suffixes_tail)
                p->suffixes_tail->next_suffix = s;
            else
                p->suffixes = s;
            p->suffixes_tail = s;
            break;
        }
        case DOC_CONCAT:
            for (uint32_t i = d->n; i-- > 0;)
                push(&stack, d->kids[i], c.indent, c.flat);
            break;
        case DOC_NEST:
            push(&stack, d->kid, (unsigned)((int)c.indent + d->nest), c.flat);
            break;
        case DOC_ALIGN:
            push(&stack, d->kid, (unsigned)p->col, c.flat);
            break;
        case DOC_GROUP: {
            bool flat = c.flat;
            if (!flat && !d->breaks) {
                long room = (long)p->width - (long)p->col;
                flat = fits((Cmd){d->kid, c.indent, true}, &stack, room, &work);
            }
            push(&stack, d->kid, c.indent, flat);
            break;
        }
        case DOC_CUSTOM: {
            bool flat = c.flat;
            if (!flat) {
                long room = (long)p->width - (long)p->col;
                flat = fits((Cmd){d, c.indent, true}, &stack, room, &work);
            }
            d->custom->print(d->custom->data, p, flat, c.indent);
            break;
        }
        }
    }
}
