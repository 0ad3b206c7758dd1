/*
 * source.c — source files in memory, and byte offsets turned into line and
 * column only when a diagnostic needs them (the table of line starts is
 * built on first use, so a million-row CSV costs nothing until it errs).
 * Columns count UTF-8 characters; a tab counts as one column.
 */
#include <string.h>

#include "source.h"

uint32_t source_add(Compilation *c, const char *path, const char *real,
                    const char *text, size_t len, bool is_stdlib)
{
    Source *s = ARENA_NEW(&c->arena, Source);
    s->path = arena_strndup(&c->arena, path, strlen(path));
    s->real = real ? arena_strndup(&c->arena, real, strlen(real)) : s->path;
    const char *slash = strrchr(s->real, '/');
    s->dir = slash ? arena_strndup(&c->arena, s->real, (size_t)(slash - s->real))
                   : ".";
    if (slash == s->real)
        s->dir = "/";
    /* two NULs after the text: flex's yy_scan_buffer scans in place */
    char *t = arena_alloc(&c->arena, len + 2);
    memcpy(t, text, len);
    t[len] = t[len + 1] = '\0';
    s->text = t;
    s->len = (uint32_t)len;
    s->is_stdlib = is_stdlib;
    ptrvec_push(&c->arena, &c->sources, s);
    return c->sources.len;   /* index + 1 */
}

Source *source_get(Compilation *c, uint32_t file)
{
    if (file == 0 || file > c->sources.len)
        return NULL;
    return c->sources.items[file - 1];
}

static void build_lines(Compilation *c, Source *s)
{
    uint32_t n = 1;
    for (const char *p = s->text, *e = s->text + s->len;
         (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
        n++;
    s->line_starts = ARENA_ARRAY(&c->arena, uint32_t, n);
    s->line_starts[0] = 0;
    uint32_t i = 1;
    for (const char *p = s->text, *e = s->text + s->len;
         (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++)
        s->line_starts[i++] = (uint32_t)(p - s->text) + 1;
    s->nlines = n;
}

static uint32_t line_index(Compilation *c, Source *s, uint32_t offset)
{
    if (!s->line_starts)
        build_lines(c, s);
    uint32_t lo = 0, hi = s->nlines;   /* last line start <= offset */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (s->line_starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

LineCol source_linecol(Compilation *c, uint32_t file, uint32_t offset)
{
    LineCol lc = {0, 0};
    Source *s = source_get(c, file);
    if (!s)
        return lc;
    if (offset > s->len)
        offset = s->len;
    uint32_t li = line_index(c, s, offset);
    uint32_t col = 1;
    for (uint32_t i = s->line_starts[li]; i < offset; i++)
        if (((unsigned char)s->text[i] & 0xC0) != 0x80)
            col++;
    lc.line = li + 1;
    lc.col = col;
    return lc;
}

Str source_line_text(Compilation *c, uint32_t file, uint32_t offset,
                     uint32_t *line_start)
{
    Str r = {"", 0};
    Source *s = source_get(c, file);
    if (!s)
        return r;
    if (offset > s->len)
        offset = s->len;
    uint32_t li = line_index(c, s, offset);
    uint32_t start = s->line_starts[li];
    uint32_t end = li + 1 < s->nlines ? s->line_starts[li + 1] - 1 : s->len;
    if (end > start && s->text[end - 1] == '\r')
        end--;
    r.s = s->text + start;
    r.len = end - start;
    if (line_start)
        *line_start = start;
    return r;
}

/* RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF. */
int utf8_sequence_len(const char *text, size_t avail)
{
    const unsigned char *s = (const unsigned char *)text;
    if (avail == 0)
        return 0;
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t k;
    unsigned char lo = 0x80, hi = 0xBF;   /* range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        k = 1;
    else if (c == 0xE0)
        k = 2, lo = 0xA0;
    else if (c >= 0xE1 && c <= 0xEF)
        k = 2, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c == 0xF0)
        k = 3, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3)
        k = 3;
    else if (c == 0xF4)
        k = 3, hi = 0x8F;
    else
        return 0;
    if (k >= avail || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t j = 2; j <= k; j++)
        if ((s[j] & 0xC0) != 0x80)
            return 0;
    return (int)k + 1;
}

uint32_t utf8_invalid_at(const char *text, size_t n)
{
    size_t i = 0;
    while (i < n) {
        int k = utf8_sequence_len(text + i, n - i);
        if (k == 0)
            return (uint32_t)i + 1;
        i += (size_t)k;
    }
    return 0;
}

Loc first_user_file(Compilation *c)
{
    for (uint32_t i = 0; i < c->sources.len; i++) {
        Source *s = c->sources.items[i];
        if (!s->is_stdlib && !s->is_csv)
            return (Loc){i + 1, 0, 0};
    }
    return (Loc){0, 0, 0};
}

uint32_t source_offset(Compilation *c, uint32_t file, uint32_t line, uint32_t col)
{
    Source *s = source_get(c, file);
    if (!s || line == 0)
        return 0;
    if (!s->line_starts)
        build_lines(c, s);
    if (line > s->nlines)
        return s->len;
    uint32_t off = s->line_starts[line - 1];
    for (uint32_t k = 1; k < col && off < s->len && s->text[off] != '\n';) {
        off++;
        if (((unsigned char)s->text[off] & 0xC0) != 0x80)
            k++;
    }
    return off;
}

uint32_t source_quoted_name_end(const char *text, uint32_t at, uint32_t len)
{
    uint32_t e = at + 1;
    while (e < len && text[e] != '`' && text[e] != '\n')
        e++;
    if (e < len && text[e] == '`')
        return e + 1;
    for (e = at + 1; e < len && !strchr("`\n{}()[],=", text[e]); e++)
        ;
    return e;
}
