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
#include "reply.h"

static void write_location(JsonWriter *w, const LspLocation *l)
{
    lsp_write_location(w, l->uri, l->range);
}

bool feature_definition(LspSession *s, const JsonValue *params, JsonWriter *w,
                        LspError *err)
{
    LspPosition pos;
    Document *d = lsp_request_position(s, params, &pos, err);
    if (!d)
        return false;
    LspLocation *locs;
    uint32_t n;
    const char *why = NULL;
    if (!lsp_navigate(s, d->uri, pos, NAV_DEFINITION, &s->work, &locs, &n, &why))
        return lsp_fail(err, LSP_REQUEST_FAILED, why ? why : "cannot find the definition");
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
    Document *d = lsp_request_position(s, params, &pos, err);
    if (!d)
        return false;
    const JsonValue *ctx = json_get_kind(params, "context", JSON_OBJECT);
    const JsonValue *decl = ctx ? json_get_kind(ctx, "includeDeclaration", JSON_BOOL) : NULL;
    LspNavigate what = decl && decl->u.boolean ? NAV_REFERENCES_AND_DECL : NAV_REFERENCES;
    LspLocation *locs;
    uint32_t n;
    const char *why = NULL;
    if (!lsp_navigate(s, d->uri, pos, what, &s->work, &locs, &n, &why))
        return lsp_fail(err, LSP_REQUEST_FAILED, why ? why : "cannot find the references");
    jw_array_begin(w);
    for (uint32_t i = 0; i < n; i++)
        write_location(w, &locs[i]);
    jw_array_end(w);
    return true;
}
