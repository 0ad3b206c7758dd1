/*
 * reply.h — what the request handlers share (reply.c): reading a
 * request's document and position, failing with an LSP error, and writing
 * positions, ranges, locations and text edits as LSP JSON.
 */
#ifndef STRAT_LSP_REPLY_H
#define STRAT_LSP_REPLY_H

#include "session.h"

/* Sets *err and returns false, so a handler can `return lsp_fail(...)`. */
bool lsp_fail(LspError *err, int code, const char *msg);

/* The open document a request names (textDocument.uri), or NULL with
 * *err set. */
Document *lsp_request_document(LspSession *s, const JsonValue *params, LspError *err);
/* The same, and the position of a TextDocumentPositionParams. */
Document *lsp_request_position(LspSession *s, const JsonValue *params, LspPosition *pos,
                               LspError *err);

void lsp_write_position(JsonWriter *w, LspPosition p);
void lsp_write_range(JsonWriter *w, LspRange r);
/* {"uri": ..., "range": ...} */
void lsp_write_location(JsonWriter *w, const char *uri, LspRange r);
/* A TextEdit: {"range": ..., "newText": ...} */
void lsp_write_edit(JsonWriter *w, LspRange r, const char *text, size_t len);

/* An LSP Diagnostic (analysis.h's LspDiagnostic), notes as
 * relatedInformation. */
struct LspDiagnostic;
void lsp_write_diagnostic(JsonWriter *w, const struct LspDiagnostic *d);

#endif
