/*
 * reply.c — the request handlers' shared plumbing (reply.h): the
 * document and position a request names, errors, and the LSP shapes
 * every reply writes (Position, Range, Location, TextEdit).
 */
#include "analysis.h"
#include "reply.h"

bool lsp_fail(LspError *err, int code, const char *msg)
{
    err->code = code;
    err->message = msg;
    return false;
}

Document *lsp_request_document(LspSession *s, const JsonValue *params, LspError *err)
{
    const char *uri = lsp_param_uri(params);
    if (!uri) {
        lsp_fail(err, RPC_INVALID_PARAMS, "the request needs textDocument.uri");
        return NULL;
    }
    Document *d = doc_find(s, uri);
    if (!d)
        lsp_fail(err, LSP_REQUEST_FAILED, "the document is not open");
    return d;
}

Document *lsp_request_position(LspSession *s, const JsonValue *params, LspPosition *pos,
                               LspError *err)
{
    const char *uri = lsp_param_uri(params);
    const JsonValue *p = json_get_kind(params, "position", JSON_OBJECT);
    int64_t line, character;
    if (!uri || !p || !json_get_int(p, "line", 0, UINT32_MAX, &line) ||
        !json_get_int(p, "character", 0, UINT32_MAX, &character)) {
        lsp_fail(err, RPC_INVALID_PARAMS, "the request needs textDocument.uri and position");
        return NULL;
    }
    *pos = (LspPosition){(uint32_t)line, (uint32_t)character};
    Document *d = doc_find(s, uri);
    if (!d)
        lsp_fail(err, LSP_REQUEST_FAILED, "the document is not open");
    return d;
}

void lsp_write_position(JsonWriter *w, LspPosition p)
{
    jw_object_begin(w);
    jw_key(w, "line");
    jw_int(w, p.line);
    jw_key(w, "character");
    jw_int(w, p.character);
    jw_object_end(w);
}

void lsp_write_range(JsonWriter *w, LspRange r)
{
    jw_object_begin(w);
    jw_key(w, "start");
    lsp_write_position(w, r.start);
    jw_key(w, "end");
    lsp_write_position(w, r.end);
    jw_object_end(w);
}

void lsp_write_location(JsonWriter *w, const char *uri, LspRange r)
{
    jw_object_begin(w);
    jw_key(w, "uri");
    jw_cstring(w, uri);
    jw_key(w, "range");
    lsp_write_range(w, r);
    jw_object_end(w);
}

void lsp_write_edit(JsonWriter *w, LspRange r, const char *text, size_t len)
{
    jw_object_begin(w);
    jw_key(w, "range");
    lsp_write_range(w, r);
    jw_key(w, "newText");
    jw_string(w, text, len);
    jw_object_end(w);
}

void lsp_write_diagnostic(JsonWriter *w, const LspDiagnostic *d)
{
    jw_object_begin(w);
    jw_key(w, "range");
    lsp_write_range(w, d->range);
    jw_key(w, "severity");
    jw_int(w, d->severity);
    jw_key(w, "code");
    jw_cstring(w, d->code);
    jw_key(w, "source");
    jw_cstring(w, "strat");
    jw_key(w, "message");
    jw_cstring(w, d->message);
    if (d->nnotes) {
        jw_key(w, "relatedInformation");
        jw_array_begin(w);
        for (uint32_t i = 0; i < d->nnotes; i++) {
            jw_object_begin(w);
            jw_key(w, "location");
            jw_object_begin(w);
            jw_key(w, "uri");
            jw_cstring(w, d->notes[i].uri);
            jw_key(w, "range");
            lsp_write_range(w, d->notes[i].range);
            jw_object_end(w);
            jw_key(w, "message");
            jw_cstring(w, d->notes[i].message);
            jw_object_end(w);
        }
        jw_array_end(w);
    }
    jw_object_end(w);
}
