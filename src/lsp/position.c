/*
 * position.c — byte offsets to LSP positions and back (see position.h).
 */
#include "position.h"

#include "json_value.h"

static bool line_break_at(const char *t, uint32_t len, uint32_t i, uint32_t *after)
{
    if (t[i] == '\n') {
        *after = i + 1;
        return true;
    }
    if (t[i] == '\r') {
        *after = i + 1 < len && t[i + 1] == '\n' ? i + 2 : i + 1;
        return true;
    }
    return false;
}

void line_index_build(Arena *a, LineIndex *li, const char *text, uint32_t len)
{
    uint32_t n = 1, after;
    for (uint32_t i = 0; i < len; i++)
        if (line_break_at(text, len, i, &after)) {
            n++;
            i = after - 1;
        }
    li->text = text;
    li->len = len;
    li->nlines = n;
    li->starts = ARENA_ARRAY(a, uint32_t, n);
    li->starts[0] = 0;
    n = 1;
    for (uint32_t i = 0; i < len; i++)
        if (line_break_at(text, len, i, &after)) {
            li->starts[n++] = after;
            i = after - 1;
        }
}

/* The end of line `line`'s content (before its line break). */
static uint32_t line_end(const LineIndex *li, uint32_t line)
{
    uint32_t end = line + 1 < li->nlines ? li->starts[line + 1] : li->len;
    if (line + 1 < li->nlines) {
        if (end > 0 && li->text[end - 1] == '\n')
            end--;
        if (end > li->starts[line] && li->text[end - 1] == '\r')
            end--;
    }
    return end;
}

/* Units of the character at t[i] (with k bytes to read), and its bytes. */
static uint32_t char_units(const char *t, uint32_t i, uint32_t end, PosEncoding enc,
                           uint32_t *bytes)
{
    uint32_t cp;
    int k = json_utf8_decode((const unsigned char *)t + i, end - i, &cp);
    if (k == 0) {
        *bytes = 1;
        return 1;
    }
    *bytes = (uint32_t)k;
    if (enc == POS_UTF8)
        return (uint32_t)k;
    return cp >= 0x10000 ? 2 : 1;
}

LspPosition line_index_position(const LineIndex *li, uint32_t offset, PosEncoding enc)
{
    if (offset > li->len)
        offset = li->len;
    uint32_t lo = 0, hi = li->nlines;   /* the last line start <= offset */
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (li->starts[mid] <= offset)
            lo = mid;
        else
            hi = mid;
    }
    uint32_t end = line_end(li, lo);
    if (offset > end)
        offset = end;   /* inside the line break: its start */
    LspPosition p = {lo, 0};
    uint32_t i = li->starts[lo];
    while (i < offset) {
        uint32_t bytes;
        uint32_t units = char_units(li->text, i, end, enc, &bytes);
        if (i + bytes > offset)
            break;      /* offset inside a character: count up to its start */
        p.character += units;
        i += bytes;
    }
    return p;
}

uint32_t line_index_offset(const LineIndex *li, LspPosition pos, PosEncoding enc)
{
    if (pos.line >= li->nlines)
        return li->len;
    uint32_t end = line_end(li, pos.line);
    uint32_t i = li->starts[pos.line], units = 0;
    while (i < end) {
        uint32_t bytes;
        uint32_t u = char_units(li->text, i, end, enc, &bytes);
        if (units + u > pos.character)
            break;
        units += u;
        i += bytes;
    }
    return i;
}

LspRange line_index_range(const LineIndex *li, uint32_t start, uint32_t end,
                          PosEncoding enc)
{
    LspRange r;
    r.start = line_index_position(li, start, enc);
    r.end = line_index_position(li, end < start ? start : end, enc);
    return r;
}
