/*
 * requests.c — the requests that read the checked program (query.c),
 * turned into LSP replies: hover, completion, code actions, rename,
 * workspace symbols and code lenses.
 */
#include <string.h>

#include "analysis.h"
#include "reply.h"

bool feature_hover(LspSession *s, const JsonValue *params, JsonWriter *w, LspError *err)
{
    LspPosition pos;
    Document *d = lsp_request_position(s, params, &pos, err);
    if (!d)
        return false;
    LspHover h;
    const char *why = NULL;
    if (!lsp_hover(s, d->uri, pos, &s->work, &h, &why))
        return lsp_fail(err, LSP_REQUEST_FAILED, why ? why : "cannot hover");
    if (!h.markdown) {
        jw_null(w);
        return true;
    }
    jw_object_begin(w);
    jw_key(w, "contents");
    jw_object_begin(w);
    jw_key(w, "kind");
    jw_cstring(w, "markdown");
    jw_key(w, "value");
    jw_cstring(w, h.markdown);
    jw_object_end(w);
    jw_key(w, "range");
    lsp_write_range(w, h.range);
    jw_object_end(w);
    return true;
}
