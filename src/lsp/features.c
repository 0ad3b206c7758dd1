/*
 * features.c — the requests about one document, turned from what
 * analysis.c gives into LSP replies: formatting (one edit, the smallest
 * that turns the buffer into its canonical layout) and the outline.
 */
#include <string.h>

#include "analysis.h"
#include "reply.h"

static bool is_continuation(char c)
{
    return ((unsigned char)c & 0xC0) == 0x80;
}

bool feature_formatting(LspSession *s, const JsonValue *params, JsonWriter *w,
                        LspError *err)
{
    Document *d = lsp_request_document(s, params, err);
    if (!d)
        return false;
    const char *text, *why = NULL;
    size_t len;
    if (!lsp_format(s, d->uri, &s->work, &text, &len, &why))
        return lsp_fail(err, LSP_REQUEST_FAILED, why ? why : "cannot format");
    /* one edit over what differs: the common start and end stay, so the
     * editor keeps the cursor and marks outside the change */
    const char *old = d->text;
    size_t olen = d->len, pre = 0, suf = 0;
    while (pre < olen && pre < len && old[pre] == text[pre])
        pre++;
    while (suf < olen - pre && suf < len - pre &&
           old[olen - 1 - suf] == text[len - 1 - suf])
        suf++;
    /* never between the bytes of a character or of a "\r\n" */
    while (pre > 0 && ((pre < olen && is_continuation(old[pre])) ||
                       (old[pre - 1] == '\r' && pre < olen && old[pre] == '\n')))
        pre--;
    size_t oend = olen - suf, nend = len - suf;
    while (oend < olen && (is_continuation(old[oend]) ||
                           (oend > 0 && old[oend - 1] == '\r' && old[oend] == '\n')))
        oend++, nend++;
    jw_array_begin(w);
    if (pre != olen || pre != len || olen != len) {
        LineIndex li;
        line_index_build(&s->work, &li, old, (uint32_t)olen);
        lsp_write_edit(w, line_index_range(&li, (uint32_t)pre, (uint32_t)oend, s->encoding),
                       text + pre, nend - pre);
    }
    jw_array_end(w);
    return true;
}

static void write_symbol(JsonWriter *w, const LspSymbol *sym)
{
    jw_object_begin(w);
    jw_key(w, "name");
    jw_cstring(w, sym->name && sym->name[0] ? sym->name : "?");
    if (sym->detail) {
        jw_key(w, "detail");
        jw_cstring(w, sym->detail);
    }
    jw_key(w, "kind");
    jw_int(w, sym->kind);
    jw_key(w, "range");
    lsp_write_range(w, sym->range);
    jw_key(w, "selectionRange");
    lsp_write_range(w, sym->selection);
    if (sym->nchildren) {
        jw_key(w, "children");
        jw_array_begin(w);
        for (uint32_t i = 0; i < sym->nchildren; i++)
            write_symbol(w, &sym->children[i]);
        jw_array_end(w);
    }
    jw_object_end(w);
}

bool feature_document_symbols(LspSession *s, const JsonValue *params, JsonWriter *w,
                              LspError *err)
{
    Document *d = lsp_request_document(s, params, err);
    if (!d)
        return false;
    LspSymbol *syms;
    uint32_t n;
    const char *why = NULL;
    if (!lsp_document_symbols(s, d->uri, &s->work, &syms, &n, &why))
        return lsp_fail(err, LSP_REQUEST_FAILED, why ? why : "cannot list the symbols");
    jw_array_begin(w);
    for (uint32_t i = 0; i < n; i++)
        write_symbol(w, &syms[i]);
    jw_array_end(w);
    return true;
}
