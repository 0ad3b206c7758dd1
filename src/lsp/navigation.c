/*
 * navigation.c — textDocument/definition and textDocument/references:
 * takes the request's document and position, asks analysis.c
 * (lsp_navigate, on the program's position index of program.h) what the
 * name there denotes, and replies with LSP Locations: the declaration
 * (a Location, or null where there is no name or it is declared nowhere)
 * or every use across the files of the strategy (a Location[], with the
 * declaration when the client's context.includeDeclaration asks for it).
 */
#include <string.h>

#include "analysis.h"

static bool fail(LspError *err, int code, const char *msg)
{
    err->code = code;
    err->message = msg;
    return false;
}

/* The open document and the position a TextDocumentPositionParams names. */
static Document *request_position(LspSession *s, const JsonValue *params, LspPosition *pos,
                                  LspError *err)
{
    const char *uri = lsp_param_uri(params);
    const JsonValue *p = json_get_kind(params, "position", JSON_OBJECT);
    int64_t line, character;
    if (!uri || !p || !json_get_int(p, "line", 0, UINT32_MAX, &line) ||
        !json_get_int(p, "character", 0, UINT32_MAX, &character)) {
        fail(err, RPC_INVALID_PARAMS, "the request needs textDocument.uri and position");
        return NULL;
    }
    *pos = (LspPosition){(uint32_t)line, (uint32_t)character};
    Document *d = doc_find(s, uri);
    if (!d)
        fail(err, LSP_REQUEST_FAILED, "the document is not open");
    return d;
}

static void write_position(JsonWriter *w, LspPosition p)
{
    jw_object_begin(w);
    jw_key(w, "line");
    jw_int(w, p.line);
    jw_key(w, "character");
    jw_int(w, p.character);
    jw_object_end(w);
}

static void write_location(JsonWriter *w, const LspLocation *l)
{
    jw_object_begin(w);
    jw_key(w, "uri");
    jw_cstring(w, l->uri);
    jw_key(w, "range");
    jw_object_begin(w);
    jw_key(w, "start");
    write_position(w, l->range.start);
    jw_key(w, "end");
    write_position(w, l->range.end);
    jw_object_end(w);
    jw_object_end(w);
}

bool feature_definition(LspSession *s, const JsonValue *params, JsonWriter *w,
                        LspError *err)
{
    LspPosition pos;
    Document *d = request_position(s, params, &pos, err);
    if (!d)
        return false;
    LspLocation *locs;
    uint32_t n;
    const char *why = NULL;
    if (!lsp_navigate(s, d->uri, pos, NAV_DEFINITION, &s->work, &locs, &n, &why))
        return fail(err, LSP_REQUEST_FAILED, why ? why : "cannot find the definition");
    if (n)
        write_location(w, &locs[0]);
    else
        jw_null(w);
    return true;
}

bool feature_references(LspSession *s, const JsonValue *params, JsonWriter *w,
                        LspError *err)
{
    LspPosition pos;
    Document *d = request_position(s, params, &pos, err);
    if (!d)
        return false;
    const JsonValue *ctx = json_get_kind(params, "context", JSON_OBJECT);
    const JsonValue *decl = ctx ? json_get_kind(ctx, "includeDeclaration", JSON_BOOL) : NULL;
    LspNavigate what = decl && decl->u.boolean ? NAV_REFERENCES_AND_DECL : NAV_REFERENCES;
    LspLocation *locs;
    uint32_t n;
    const char *why = NULL;
    if (!lsp_navigate(s, d->uri, pos, what, &s->work, &locs, &n, &why))
        return fail(err, LSP_REQUEST_FAILED, why ? why : "cannot find the references");
    jw_array_begin(w);
    for (uint32_t i = 0; i < n; i++)
        write_location(w, &locs[i]);
    jw_array_end(w);
    return true;
}
