/*
 * session.h — the language server's one piece of state, and what its
 * files share.
 *
 *   server.c      the message loop, JSON-RPC, lifecycle, cancellation
 *   documents.c   open documents: didOpen/didChange/didClose/didSave
 *   publish.c     diagnostics: each document's last analysis, merged per
 *                 file and published when they change
 *   features.c    the requests on a document (formatting, symbols)
 *   navigation.c  definition and references
 *   requests.c    hover, completion, code actions, rename, workspace
 *                 symbols, code lens (the questions themselves: query.c)
 *   reply.c       what the handlers share: the request's document and
 *                 position, errors, Position/Range/Location/TextEdit JSON
 *   analysis.c    checking a document (checked.h: in its importer's
 *                 context), formatting, outline, navigation; with query.c
 *                 the only files that talk to the library's internals
 *   framing.c, json_value.c, position.c, uri.c   the plumbing
 *
 * Memory: a message and its reply live in arenas emptied after each
 * batch or message (`batch`, `work`); an allocation failure there
 * long-jumps to `oom` in server.c, which answers the message with an error
 * and goes on.  What outlives a message (documents, the last analysis of
 * each, what was published) is allocated one block at a time through the
 * allocator, and a failure there is checked where it happens: the old
 * state is kept and the client is told in a log message.
 *
 * A feature is a row of the method table in server.c (which also
 * advertises it), a handler (features.c, navigation.c, requests.c) and a
 * question in analysis.c or query.c on a document checked in its
 * context (checked.h).
 */
#ifndef STRAT_LSP_SESSION_H
#define STRAT_LSP_SESSION_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "framing.h"
#include "json_value.h"
#include "lsp.h"
#include "position.h"

/* JSON-RPC and LSP error codes */
enum {
    RPC_PARSE_ERROR = -32700,
    RPC_INVALID_REQUEST = -32600,
    RPC_METHOD_NOT_FOUND = -32601,
    RPC_INVALID_PARAMS = -32602,
    RPC_INTERNAL_ERROR = -32603,
    LSP_SERVER_NOT_INITIALIZED = -32002,
    LSP_REQUEST_FAILED = -32803,
    LSP_REQUEST_CANCELLED = -32800,
};

/* window/logMessage types */
enum { LOG_ERROR = 1, LOG_WARNING = 2, LOG_INFO = 3 };

typedef struct Document {
    char *uri;                 /* as the client spelled it */
    char *path;                /* absolute path of a file: URI, else NULL */
    char *real;                /* path with its directories' symlinks
                                  resolved (what imports are compared
                                  with), else NULL */
    char *text;                /* the buffer: overrides the file on disk */
    size_t len, cap;
    int64_t version;
    bool dirty;                /* changed since its last analysis */
    /* its last analysis (publish.c): serialised JSON, and the canonical
     * paths of the files it read, each NUL-terminated, one after another */
    char *result;
    size_t result_size;
    char *reads;
    size_t reads_size;
    char *context;             /* the entry file (canonical) its last
                                  analysis went through, or NULL */
    bool released;             /* an importer's check stopped reading it */
    bool context_known;        /* context is still what the entry scan
                                  would find: no document opened, closed,
                                  saved or changed (but this one) since */
} Document;

/* A file whose diagnostics are showing in the client: what was sent. */
typedef struct Published {
    char *uri;
    char *diagnostics;         /* the JSON array sent */
} Published;

typedef enum SessionState {
    STATE_UNINITIALIZED,       /* until `initialize` */
    STATE_RUNNING,
    STATE_SHUT_DOWN,           /* after `shutdown`: only `exit` */
} SessionState;

typedef struct LspSession {
    strat_options lib;         /* what every analysis uses */
    strat_allocator alloc;
    LspIo *io;
    FrameReader reader;
    PosEncoding encoding;      /* agreed at initialize */
    bool prepare_rename;       /* the client asks textDocument/prepareRename */
    SessionState state;
    bool exit_now;             /* `exit` received, or the client is gone */
    bool client_gone;
    char *root;                /* the workspace folder's path, or NULL */
    Document **docs;           /* in the order they were opened */
    uint32_t ndocs, docs_cap;
    Published *published;
    uint32_t npublished, published_cap;
    bool republish;            /* a document's results were dropped */
    /* what an analysis holds while it fills the work arena: freed by
     * server.c if that arena runs out of memory */
    strat_compilation *checking;
    char *scratch;             /* malloc'ed (open_memstream) */
    Arena batch;               /* the messages being handled */
    Arena work;                /* one message's handling */
    jmp_buf oom;               /* where both arenas jump on failure */
} LspSession;

typedef struct LspError {
    int code;
    const char *message;       /* in the work arena, or static */
} LspError;

/* ---- server.c ------------------------------------------------------------ */

/* Writes a complete message (a notification of the server) to the client. */
void lsp_send(LspSession *s, JsonWriter *w);
/* window/logMessage: what the client shows in its log. */
void lsp_log(LspSession *s, int type, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Memory that outlives a message: NULL when the allocator says no. */
void *lsp_alloc(LspSession *s, size_t n);
void lsp_free(LspSession *s, void *p, size_t n);
char *lsp_strdup(LspSession *s, const char *str, size_t n);
void lsp_free_str(LspSession *s, char *str);

/* The text document's uri in params (textDocument.uri), or NULL. */
const char *lsp_param_uri(const JsonValue *params);

/* ---- documents.c --------------------------------------------------------- */

Document *doc_find(LspSession *s, const char *uri);
/* The open document whose path or canonical path is `path`, or NULL. */
Document *doc_find_path(LspSession *s, const char *path);
bool doc_did_open(LspSession *s, const JsonValue *params, JsonWriter *w, LspError *err);
bool doc_did_change(LspSession *s, const JsonValue *params, JsonWriter *w, LspError *err);
bool doc_did_close(LspSession *s, const JsonValue *params, JsonWriter *w, LspError *err);
bool doc_did_save(LspSession *s, const JsonValue *params, JsonWriter *w, LspError *err);
/* Whether d's last analysis read the file `real`. */
bool doc_reads(const Document *d, const char *real);
/* Marks dirty every document whose last analysis read `real`. */
void doc_touch_readers(LspSession *s, const char *real);
/* Forgets every document's entry file but `keep`'s (NULL: all): an edit
 * of another document, or an open, close or save, may change which
 * entries import it. */
void doc_forget_contexts(LspSession *s, const Document *keep);
/* Another open document whose last analysis read d (an importer), that d
 * itself does not import (not a cycle; d's check having gone through it
 * as its entry file is not one); NULL when there is none: d is then
 * checked on its own, or through an entry file not open. */
const Document *doc_covered_by(LspSession *s, const Document *d);
void doc_free(LspSession *s, Document *d);

/* ---- publish.c ----------------------------------------------------------- */

/* Analyses the next dirty document and publishes what changed; false
 * when none is dirty (and no republishing is due). */
bool publish_next(LspSession *s);
/* Forgets what the session published (at the end). */
void publish_free(LspSession *s);

/* ---- features.c ---------------------------------------------------------- */

bool feature_formatting(LspSession *s, const JsonValue *params, JsonWriter *w,
                        LspError *err);
bool feature_document_symbols(LspSession *s, const JsonValue *params, JsonWriter *w,
                              LspError *err);

#endif
