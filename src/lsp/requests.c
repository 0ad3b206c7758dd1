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

/* A Range member of params, or false. */
static bool param_range(const JsonValue *params, const char *key, LspRange *out)
{
    const JsonValue *r = json_get_kind(params, key, JSON_OBJECT);
    const JsonValue *st = json_get_kind(r, "start", JSON_OBJECT);
    const JsonValue *en = json_get_kind(r, "end", JSON_OBJECT);
    int64_t l0, c0, l1, c1;
    if (!st || !en || !json_get_int(st, "line", 0, UINT32_MAX, &l0) ||
        !json_get_int(st, "character", 0, UINT32_MAX, &c0) ||
        !json_get_int(en, "line", 0, UINT32_MAX, &l1) ||
        !json_get_int(en, "character", 0, UINT32_MAX, &c1))
        return false;
    *out = (LspRange){{(uint32_t)l0, (uint32_t)c0}, {(uint32_t)l1, (uint32_t)c1}};
    return true;
}

/* A WorkspaceEdit: {"changes": {uri: [TextEdit...]}}, edits grouped by
 * their document in the order first met. */
static void write_workspace_edit(JsonWriter *w, const LspEdit *edits, uint32_t n)
{
    jw_object_begin(w);
    jw_key(w, "changes");
    jw_object_begin(w);
    for (uint32_t i = 0; i < n; i++) {
        bool seen = false;
        for (uint32_t j = 0; j < i && !seen; j++)
            seen = strcmp(edits[j].uri, edits[i].uri) == 0;
        if (seen)
            continue;
        jw_key(w, edits[i].uri);
        jw_array_begin(w);
        for (uint32_t j = i; j < n; j++)
            if (strcmp(edits[j].uri, edits[i].uri) == 0)
                lsp_write_edit(w, edits[j].range, edits[j].text, strlen(edits[j].text));
        jw_array_end(w);
    }
    jw_object_end(w);
    jw_object_end(w);
}

bool feature_code_action(LspSession *s, const JsonValue *params, JsonWriter *w,
                         LspError *err)
{
    Document *d = lsp_request_document(s, params, err);
    if (!d)
        return false;
    LspRange range;
    if (!param_range(params, "range", &range))
        return lsp_fail(err, RPC_INVALID_PARAMS, "codeAction needs a range");
    LspAction *acts;
    uint32_t n;
    const char *why = NULL;
    if (!lsp_code_actions(s, d->uri, range, &s->work, &acts, &n, &why))
        return lsp_fail(err, LSP_REQUEST_FAILED, why ? why : "cannot list code actions");
    jw_array_begin(w);
    for (uint32_t i = 0; i < n; i++) {
        jw_object_begin(w);
        jw_key(w, "title");
        jw_cstring(w, acts[i].title);
        jw_key(w, "kind");
        jw_cstring(w, "quickfix");
        jw_key(w, "diagnostics");
        jw_array_begin(w);
        lsp_write_diagnostic(w, &acts[i].diag);
        jw_array_end(w);
        if (acts[i].preferred) {
            jw_key(w, "isPreferred");
            jw_bool(w, true);
        }
        jw_key(w, "edit");
        write_workspace_edit(w, acts[i].edits, acts[i].nedits);
        jw_object_end(w);
    }
    jw_array_end(w);
    return true;
}

bool feature_completion(LspSession *s, const JsonValue *params, JsonWriter *w,
                        LspError *err)
{
    LspPosition pos;
    Document *d = lsp_request_position(s, params, &pos, err);
    if (!d)
        return false;
    LspCompletionList list;
    const char *why = NULL;
    if (!lsp_complete(s, d->uri, pos, &s->work, &list, &why))
        return lsp_fail(err, LSP_REQUEST_FAILED, why ? why : "cannot complete");
    jw_object_begin(w);
    jw_key(w, "isIncomplete");
    jw_bool(w, list.incomplete);
    jw_key(w, "items");
    jw_array_begin(w);
    for (uint32_t i = 0; i < list.n; i++) {
        jw_object_begin(w);
        jw_key(w, "label");
        jw_cstring(w, list.items[i].label);
        jw_key(w, "kind");
        jw_int(w, list.items[i].kind);
        if (list.items[i].detail) {
            jw_key(w, "detail");
            jw_cstring(w, list.items[i].detail);
        }
        jw_object_end(w);
    }
    jw_array_end(w);
    jw_object_end(w);
    return true;
}

bool feature_rename(LspSession *s, const JsonValue *params, JsonWriter *w, LspError *err)
{
    LspPosition pos;
    Document *d = lsp_request_position(s, params, &pos, err);
    if (!d)
        return false;
    const JsonValue *nv = json_get_kind(params, "newName", JSON_STRING);
    if (!nv)
        return lsp_fail(err, RPC_INVALID_PARAMS, "rename needs newName");
    const char *name = nv->u.str.s;
    if (strlen(name) != nv->u.str.len)
        return lsp_fail(err, LSP_REQUEST_FAILED, "a name has only letters, digits and _");
    LspRename r;
    const char *why = NULL;
    if (!lsp_rename(s, d->uri, pos, name, &s->work, &r, &why))
        return lsp_fail(err, LSP_REQUEST_FAILED, why ? why : "cannot rename");
    if (r.refusal)
        return lsp_fail(err, LSP_REQUEST_FAILED, r.refusal);
    write_workspace_edit(w, r.edits, r.nedits);
    return true;
}

/* textDocument/prepareRename: {range, placeholder} of the name at the
 * position, or an error saying why it cannot be renamed (the client shows
 * it before asking for a new name). */
bool feature_prepare_rename(LspSession *s, const JsonValue *params, JsonWriter *w,
                            LspError *err)
{
    LspPosition pos;
    Document *d = lsp_request_position(s, params, &pos, err);
    if (!d)
        return false;
    LspRenameTarget t;
    const char *why = NULL;
    if (!lsp_prepare_rename(s, d->uri, pos, &s->work, &t, &why))
        return lsp_fail(err, LSP_REQUEST_FAILED, why ? why : "cannot rename");
    if (t.refusal)
        return lsp_fail(err, LSP_REQUEST_FAILED, t.refusal);
    jw_object_begin(w);
    jw_key(w, "range");
    lsp_write_range(w, t.range);
    jw_key(w, "placeholder");
    jw_cstring(w, t.placeholder);
    jw_object_end(w);
    return true;
}

bool feature_workspace_symbols(LspSession *s, const JsonValue *params, JsonWriter *w,
                               LspError *err)
{
    const char *query = json_get_string(params, "query");
    if (!query)
        return lsp_fail(err, RPC_INVALID_PARAMS, "workspace/symbol needs a query");
    LspWorkspaceSymbol *syms;
    uint32_t n;
    const char *why = NULL;
    if (!lsp_workspace_symbols(s, query, &s->work, &syms, &n, &why))
        return lsp_fail(err, LSP_REQUEST_FAILED, why ? why : "cannot list the symbols");
    jw_array_begin(w);
    for (uint32_t i = 0; i < n; i++) {
        jw_object_begin(w);
        jw_key(w, "name");
        jw_cstring(w, syms[i].name);
        jw_key(w, "kind");
        jw_int(w, syms[i].kind);
        jw_key(w, "containerName");
        jw_cstring(w, syms[i].container);
        jw_key(w, "location");
        lsp_write_location(w, syms[i].uri, syms[i].range);
        jw_object_end(w);
    }
    jw_array_end(w);
    return true;
}

bool feature_code_lens(LspSession *s, const JsonValue *params, JsonWriter *w, LspError *err)
{
    Document *d = lsp_request_document(s, params, err);
    if (!d)
        return false;
    LspLens *lenses;
    uint32_t n;
    const char *why = NULL;
    if (!lsp_code_lenses(s, d->uri, &s->work, &lenses, &n, &why))
        return lsp_fail(err, LSP_REQUEST_FAILED, why ? why : "cannot list the code lenses");
    jw_array_begin(w);
    for (uint32_t i = 0; i < n; i++) {
        jw_object_begin(w);
        jw_key(w, "range");
        lsp_write_range(w, lenses[i].range);
        /* a title without a command to run: the lens informs */
        jw_key(w, "command");
        jw_object_begin(w);
        jw_key(w, "title");
        jw_cstring(w, lenses[i].title);
        jw_key(w, "command");
        jw_cstring(w, "");
        jw_object_end(w);
        jw_object_end(w);
    }
    jw_array_end(w);
    return true;
}
