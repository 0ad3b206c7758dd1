/*
 * server.c — the message loop of `strat lsp`: JSON-RPC 2.0 over the
 * framing of framing.c, the method table, the lifecycle (initialize,
 * shutdown, exit) and cancellation.
 *
 * The loop reads a batch: one message (waiting for it), then every
 * message already waiting, so that a `$/cancelRequest` that came behind
 * its request is seen before the request is handled.  It then handles the
 * batch in order, one reply per request.  Only when no input is waiting
 * does it analyse the documents changed meanwhile (publish.c), one at a
 * time and looking for input between them: a burst of keystrokes costs
 * one check, not one per keystroke.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"   /* feature_definition, feature_references */
#include "session.h"
#include "uri.h"

/* Messages handled in one batch at most: the rest wait for the next. */
enum { MAX_BATCH = 256 };

typedef struct Message {
    const JsonValue *id;       /* a request's id; NULL for a notification */
    const char *method;        /* NULL: nothing to dispatch */
    const JsonValue *params;   /* object, array or NULL */
    bool cancelled;
    int error;                 /* a bad message: reply this error */
    const char *error_msg;
} Message;

typedef bool (*HandlerFn)(LspSession *s, const JsonValue *params, JsonWriter *w,
                          LspError *err);

typedef struct Method {
    const char *name;
    bool is_request;
    HandlerFn fn;
    const char *capability;    /* advertised as `capability: true`, or NULL */
    const char *options;       /* or as `capability: OPTIONS` (JSON) */
} Method;

static bool handle_initialize(LspSession *s, const JsonValue *params, JsonWriter *w,
                              LspError *err);
static bool handle_initialized(LspSession *s, const JsonValue *params, JsonWriter *w,
                               LspError *err);
static bool handle_shutdown(LspSession *s, const JsonValue *params, JsonWriter *w,
                            LspError *err);
static bool handle_exit(LspSession *s, const JsonValue *params, JsonWriter *w,
                        LspError *err);
static bool handle_ignored(LspSession *s, const JsonValue *params, JsonWriter *w,
                           LspError *err);

/* Every method the server implements; a request not here gets
 * MethodNotFound, a notification not here is dropped. */
static const Method methods[] = {
    {"initialize", true, handle_initialize, NULL, NULL},
    {"initialized", false, handle_initialized, NULL, NULL},
    {"shutdown", true, handle_shutdown, NULL, NULL},
    {"exit", false, handle_exit, NULL, NULL},
    {"$/cancelRequest", false, handle_ignored, NULL, NULL},   /* seen in handle_batch */
    {"$/setTrace", false, handle_ignored, NULL, NULL},
    {"textDocument/didOpen", false, doc_did_open, NULL, NULL},
    {"textDocument/didChange", false, doc_did_change, NULL, NULL},
    {"textDocument/didClose", false, doc_did_close, NULL, NULL},
    {"textDocument/didSave", false, doc_did_save, NULL, NULL},
    {"textDocument/formatting", true, feature_formatting, "documentFormattingProvider", NULL},
    {"textDocument/documentSymbol", true, feature_document_symbols,
     "documentSymbolProvider", NULL},
    {"textDocument/definition", true, feature_definition, "definitionProvider", NULL},
    {"textDocument/references", true, feature_references, "referencesProvider", NULL},
    {"textDocument/hover", true, feature_hover, "hoverProvider", NULL},
    {"textDocument/codeAction", true, feature_code_action, "codeActionProvider", NULL},
    {"textDocument/rename", true, feature_rename, "renameProvider", NULL},
    {"textDocument/prepareRename", true, feature_prepare_rename, NULL, NULL},
    {"workspace/symbol", true, feature_workspace_symbols, "workspaceSymbolProvider", NULL},
    {"textDocument/codeLens", true, feature_code_lens, "codeLensProvider",
     "{\"resolveProvider\":false}"},
    {"textDocument/completion", true, feature_completion, "completionProvider",
     "{\"triggerCharacters\":[\"[\"]}"},
};

static const Method *find_method(const char *name)
{
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(methods[i].name, name) == 0)
            return &methods[i];
    return NULL;
}

/* ---- memory that outlives a message --------------------------------------- */

void *lsp_alloc(LspSession *s, size_t n)
{
    return s->alloc.fn(s->alloc.ud, NULL, 0, n ? n : 1);
}

void lsp_free(LspSession *s, void *p, size_t n)
{
    if (p)
        s->alloc.fn(s->alloc.ud, p, n ? n : 1, 0);
}

char *lsp_strdup(LspSession *s, const char *str, size_t n)
{
    char *p = lsp_alloc(s, n + 1);
    if (p) {
        memcpy(p, str, n);
        p[n] = '\0';
    }
    return p;
}

void lsp_free_str(LspSession *s, char *str)
{
    if (str)
        lsp_free(s, str, strlen(str) + 1);
}

/* ---- writing ----------------------------------------------------------------- */

void lsp_send(LspSession *s, JsonWriter *w)
{
    if (s->client_gone)
        return;
    size_t len;
    const char *text = jw_text(w, &len);
    if (!frame_write(s->io, text, len)) {
        s->client_gone = true;
        s->exit_now = true;
    }
}

/* s[0, n) as the inside of a JSON string into out (room for 6 bytes a
 * byte of s); a byte that is not UTF-8 becomes `?`. */
static size_t escape_into(char *out, const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        if (c == '"' || c == '\\') {
            out[k++] = '\\';
            out[k++] = (char)c;
        } else if (c < 0x20) {
            k += (size_t)sprintf(out + k, "\\u%04x", c);
        } else if (c >= 0x80) {
            int len = json_utf8_decode((const unsigned char *)s + i, n - i, &cp);
            if (len == 0) {
                out[k++] = '?';
            } else {
                memcpy(out + k, s + i, (size_t)len);
                k += (size_t)len;
                i += (size_t)len;
                continue;
            }
        } else {
            out[k++] = (char)c;
        }
        i++;
    }
    return k;
}

/* Written on the stack, not in an arena: it also reports that an arena
 * ran out of memory. */
void lsp_log(LspSession *s, int type, const char *fmt, ...)
{
    char msg[512], body[512 * 6 + 128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1;
    int head = snprintf(body, sizeof body, "{\"jsonrpc\":\"2.0\",\"method\":"
                        "\"window/logMessage\",\"params\":{\"type\":%d,\"message\":\"",
                        type);
    size_t k = (size_t)head + escape_into(body + head, msg, len);
    memcpy(body + k, "\"}}", 3);
    k += 3;
    if (!s->client_gone && !frame_write(s->io, body, k))
        s->client_gone = s->exit_now = true;
}

static void write_id(JsonWriter *w, const JsonValue *id)
{
    if (id)
        jw_value(w, id);
    else
        jw_null(w);
}

static void begin_response(JsonWriter *w, const JsonValue *id)
{
    jw_reset(w);
    jw_object_begin(w);
    jw_key(w, "jsonrpc");
    jw_cstring(w, "2.0");
    jw_key(w, "id");
    write_id(w, id);
}

static void send_error(LspSession *s, const JsonValue *id, int code, const char *message)
{
    JsonWriter w;
    jw_init(&w, &s->work);
    begin_response(&w, id);
    jw_key(&w, "error");
    jw_object_begin(&w);
    jw_key(&w, "code");
    jw_int(&w, code);
    jw_key(&w, "message");
    jw_cstring(&w, message);
    jw_object_end(&w);
    jw_object_end(&w);
    lsp_send(s, &w);
}

const char *lsp_param_uri(const JsonValue *params)
{
    return json_get_string(json_get_kind(params, "textDocument", JSON_OBJECT), "uri");
}

/* ---- the lifecycle ---------------------------------------------------------- */

/* The client's UTF-8 offer (general.positionEncodings, LSP 3.17): taken,
 * as offsets in bytes are what Strat keeps.  Else UTF-16, the default. */
static PosEncoding choose_encoding(const JsonValue *params)
{
    const JsonValue *general = json_get_kind(json_get_kind(params, "capabilities",
                                                           JSON_OBJECT),
                                             "general", JSON_OBJECT);
    const JsonValue *offered = json_get_kind(general, "positionEncodings", JSON_ARRAY);
    for (const JsonValue *e = offered ? offered->u.list.head : NULL; e; e = e->next)
        if (e->kind == JSON_STRING && strcmp(e->u.str.s, "utf-8") == 0)
            return POS_UTF8;
    return POS_UTF16;
}

/* The workspace: the first folder, else rootUri, else rootPath. */
static const char *workspace_root(LspSession *s, const JsonValue *params)
{
    const JsonValue *folders = json_get_kind(params, "workspaceFolders", JSON_ARRAY);
    const char *uri = NULL;
    if (folders && folders->u.list.head)
        uri = json_get_string(folders->u.list.head, "uri");
    if (!uri)
        uri = json_get_string(params, "rootUri");
    if (uri)
        return uri_to_path(&s->work, uri);
    const char *path = json_get_string(params, "rootPath");
    return path && path[0] == '/' ? path : NULL;
}

static bool handle_initialize(LspSession *s, const JsonValue *params, JsonWriter *w,
                              LspError *err)
{
    if (s->state != STATE_UNINITIALIZED) {
        err->code = RPC_INVALID_REQUEST;
        err->message = "the server is initialized already";
        return false;
    }
    if (!params || params->kind != JSON_OBJECT) {
        err->code = RPC_INVALID_PARAMS;
        err->message = "initialize takes an object of parameters";
        return false;
    }
    s->encoding = choose_encoding(params);
    const JsonValue *rename = json_get_kind(
        json_get_kind(json_get_kind(params, "capabilities", JSON_OBJECT), "textDocument",
                      JSON_OBJECT),
        "rename", JSON_OBJECT);
    const JsonValue *prepare = json_get(rename, "prepareSupport");
    s->prepare_rename = prepare && prepare->kind == JSON_BOOL && prepare->u.boolean;
    const char *root = s->lib.project_root ? NULL : workspace_root(s, params);
    if (root) {
        s->root = lsp_strdup(s, root, strlen(root));
        if (!s->root) {
            err->code = RPC_INTERNAL_ERROR;
            err->message = "out of memory";
            return false;
        }
    }
    s->state = STATE_RUNNING;
    jw_object_begin(w);
    jw_key(w, "capabilities");
    jw_object_begin(w);
    jw_key(w, "positionEncoding");
    jw_cstring(w, s->encoding == POS_UTF8 ? "utf-8" : "utf-16");
    jw_key(w, "textDocumentSync");
    jw_object_begin(w);
    jw_key(w, "openClose");
    jw_bool(w, true);
    jw_key(w, "change");
    jw_int(w, 2);                      /* TextDocumentSyncKind.Incremental */
    jw_key(w, "save");
    jw_object_begin(w);
    jw_key(w, "includeText");
    jw_bool(w, false);
    jw_object_end(w);
    jw_object_end(w);
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (methods[i].capability) {
            jw_key(w, methods[i].capability);
            /* RenameOptions only to a client that can ask prepareRename */
            if (methods[i].fn == feature_rename && s->prepare_rename)
                jw_raw(w, "{\"prepareProvider\":true}", 24);
            else if (methods[i].options)
                jw_raw(w, methods[i].options, strlen(methods[i].options));
            else
                jw_bool(w, true);
        }
    jw_object_end(w);
    jw_key(w, "serverInfo");
    jw_object_begin(w);
    jw_key(w, "name");
    jw_cstring(w, "strat");
    jw_key(w, "version");
    jw_cstring(w, STRAT_VERSION);
    jw_object_end(w);
    jw_object_end(w);
    return true;
}

static bool handle_initialized(LspSession *s, const JsonValue *params, JsonWriter *w,
                               LspError *err)
{
    (void)s, (void)params, (void)w, (void)err;
    return true;
}

static bool handle_shutdown(LspSession *s, const JsonValue *params, JsonWriter *w,
                            LspError *err)
{
    (void)params, (void)err;
    s->state = STATE_SHUT_DOWN;
    jw_null(w);
    return true;
}

static bool handle_exit(LspSession *s, const JsonValue *params, JsonWriter *w,
                        LspError *err)
{
    (void)params, (void)w, (void)err;
    s->exit_now = true;
    return true;
}

static bool handle_ignored(LspSession *s, const JsonValue *params, JsonWriter *w,
                           LspError *err)
{
    (void)s, (void)params, (void)w, (void)err;
    return true;
}

/* ---- reading and dispatching ------------------------------------------------- */

/* What a body is: a request, a notification, a reply to us (ignored), or
 * a bad message with the error to answer. */
static void classify(LspSession *s, Message *m, char *body, size_t len)
{
    JsonError jerr;
    JsonValue *root = json_parse(&s->batch, body, len, &jerr);
    if (!root) {
        m->error = RPC_PARSE_ERROR;
        m->error_msg = arena_printf(&s->batch, "invalid JSON at byte %zu: %s",
                                    jerr.offset, jerr.msg);
        return;
    }
    if (root->kind != JSON_OBJECT) {
        m->error = RPC_INVALID_REQUEST;
        m->error_msg = root->kind == JSON_ARRAY ? "batches are not supported"
                                                : "a message is a JSON object";
        return;
    }
    const JsonValue *id = json_get(root, "id");
    if (id && !(id->kind == JSON_STRING || (id->kind == JSON_NUMBER && id->u.num.is_int)))
        id = NULL;             /* answered with id null, as JSON-RPC says */
    bool has_id = json_get(root, "id") != NULL;
    const char *version = json_get_string(root, "jsonrpc");
    const JsonValue *method = json_get(root, "method");
    if (!method && has_id && (json_get(root, "result") || json_get(root, "error")))
        return;                /* a reply: the server sends no requests */
    m->id = id;
    /* an invalid message is answered, with its id when it has a valid
     * one, else with id null (JSON-RPC 2.0, 5.1) */
    if (!version || strcmp(version, "2.0") != 0) {
        m->error = RPC_INVALID_REQUEST;
        m->error_msg = "not a JSON-RPC 2.0 message (\"jsonrpc\": \"2.0\")";
        return;
    }
    if (!method || method->kind != JSON_STRING) {
        m->error = RPC_INVALID_REQUEST;
        m->error_msg = "a message without a method";
        return;
    }
    if (has_id && !id) {
        m->error = RPC_INVALID_REQUEST;
        m->error_msg = "an id is an integer or a string";
        return;
    }
    const JsonValue *params = json_get(root, "params");
    if (params && params->kind != JSON_OBJECT && params->kind != JSON_ARRAY) {
        m->error = RPC_INVALID_REQUEST;
        m->error_msg = "params is an object or an array";
        return;
    }
    m->method = method->u.str.s;
    m->params = params;
}

/* Reads one message, waiting for it, then what else is waiting.  False
 * when the input has ended and nothing came. */
static bool read_batch(LspSession *s, PtrVec *batch)
{
    do {
        char *body;
        size_t len;
        const char *why = NULL;
        FrameStatus st = frame_read(&s->reader, &s->batch, &body, &len, &why);
        if (st == FRAME_END)
            break;
        Message *m = ARENA_NEW(&s->batch, Message);
        if (st == FRAME_BAD) {
            m->error = RPC_PARSE_ERROR;
            m->error_msg = why;
        } else {
            classify(s, m, body, len);
        }
        ptrvec_push(&s->batch, batch, m);
    } while (batch->len < MAX_BATCH && !s->reader.eof && frame_pending(&s->reader));
    return batch->len > 0;
}

/* A `$/cancelRequest` cancels the request of its id read before it in
 * the batch (and so not yet answered); any other is answered already. */
static void apply_cancellations(PtrVec *batch)
{
    for (uint32_t i = 0; i < batch->len; i++) {
        Message *c = batch->items[i];
        if (!c->method || c->id || strcmp(c->method, "$/cancelRequest") != 0)
            continue;
        const JsonValue *target = json_get(c->params, "id");
        for (uint32_t j = 0; j < i; j++) {
            Message *r = batch->items[j];
            if (r->id && r->method && !r->cancelled && json_id_equal(r->id, target))
                r->cancelled = true;
        }
    }
}

static void handle_message(LspSession *s, Message *m)
{
    if (m->error) {
        send_error(s, m->id, m->error, m->error_msg);
        return;
    }
    if (!m->method)
        return;
    bool is_request = m->id != NULL;
    const Method *method = find_method(m->method);
    if (m->cancelled) {
        send_error(s, m->id, LSP_REQUEST_CANCELLED, "request cancelled");
        return;
    }
    if (!method || method->is_request != is_request) {
        if (is_request)
            send_error(s, m->id, RPC_METHOD_NOT_FOUND,
                       arena_printf(&s->work, "no method `%s`", m->method));
        return;                /* an unknown notification is dropped */
    }
    if (method->fn == handle_exit) {
        handle_exit(s, m->params, NULL, NULL);
        return;
    }
    if (s->state == STATE_UNINITIALIZED && method->fn != handle_initialize) {
        if (is_request)
            send_error(s, m->id, LSP_SERVER_NOT_INITIALIZED,
                       "the server is not initialized yet");
        return;
    }
    if (s->state == STATE_SHUT_DOWN) {
        if (is_request)
            send_error(s, m->id, RPC_INVALID_REQUEST, "the server is shut down");
        return;
    }
    LspError err = {0, NULL};
    if (!is_request) {
        if (!method->fn(s, m->params, NULL, &err) && err.message)
            lsp_log(s, LOG_ERROR, "%s: %s", m->method, err.message);
        return;
    }
    JsonWriter w;
    jw_init(&w, &s->work);
    begin_response(&w, m->id);
    jw_key(&w, "result");
    if (!method->fn(s, m->params, &w, &err)) {
        send_error(s, m->id, err.code ? err.code : RPC_INTERNAL_ERROR,
                   err.message ? err.message : "failed");
        return;
    }
    jw_object_end(&w);
    lsp_send(s, &w);
}

/* What an analysis held when memory ran out under it (session.h). */
static void release_scratch(LspSession *s)
{
    strat_free(s->checking);
    s->checking = NULL;
    free(s->scratch);
    s->scratch = NULL;
}

/* The reply when memory ran out in the middle of a message: written from
 * the stack, as the arenas are what failed. */
static void send_out_of_memory(LspSession *s, const JsonValue *id)
{
    release_scratch(s);
    char buf[160];
    int n;
    if (id && id->kind == JSON_NUMBER)
        n = snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":%lld,\"error\":"
                     "{\"code\":%d,\"message\":\"out of memory\"}}",
                     (long long)id->u.num.i, RPC_INTERNAL_ERROR);
    else
        n = snprintf(buf, sizeof buf, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":"
                     "{\"code\":%d,\"message\":\"out of memory\"}}", RPC_INTERNAL_ERROR);
    if (!s->client_gone && !frame_write(s->io, buf, (size_t)n))
        s->client_gone = s->exit_now = true;
}

/* One message, its work arena emptied after it whatever happens. */
static void handle_guarded(LspSession *s, Message *m)
{
    if (setjmp(s->oom)) {
        arena_free_all(&s->work);
        send_out_of_memory(s, m->id);
        return;
    }
    handle_message(s, m);
    arena_free_all(&s->work);
}

static void handle_batch(LspSession *s, PtrVec *batch)
{
    apply_cancellations(batch);
    for (uint32_t i = 0; i < batch->len && !s->exit_now; i++)
        handle_guarded(s, batch->items[i]);
}

/* ---- the loop ------------------------------------------------------------------- */

static void session_free(LspSession *s)
{
    for (uint32_t i = 0; i < s->ndocs; i++)
        doc_free(s, s->docs[i]);
    lsp_free(s, s->docs, sizeof *s->docs * s->docs_cap);
    publish_free(s);
    lsp_free_str(s, s->root);
    arena_free_all(&s->batch);
    arena_free_all(&s->work);
    strat_allocator a = s->alloc;
    a.fn(a.ud, s, sizeof *s, 0);
}

static void *default_alloc(void *ud, void *ptr, size_t old, size_t size)
{
    (void)ud, (void)old;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

/* Idle: checks the next document changed meanwhile.  False when there
 * was nothing to do. */
static bool idle_work(LspSession *s)
{
    if (setjmp(s->oom)) {
        arena_free_all(&s->work);
        release_scratch(s);
        lsp_log(s, LOG_ERROR, "out of memory while checking a document");
        return false;
    }
    bool more = publish_next(s);
    arena_free_all(&s->work);
    return more;
}

/* Reads a batch and handles it.  False at the end of input. */
static bool read_and_handle(LspSession *s)
{
    PtrVec batch = {0};
    if (setjmp(s->oom)) {
        arena_free_all(&s->batch);
        send_out_of_memory(s, NULL);
        return true;
    }
    if (!read_batch(s, &batch))
        return false;
    handle_batch(s, &batch);
    arena_free_all(&s->batch);
    return true;
}

int lsp_serve(const strat_options *lib, const strat_allocator *alloc, LspIo *io)
{
    strat_allocator a = alloc ? *alloc : (strat_allocator){default_alloc, NULL};
    LspSession *s = a.fn(a.ud, NULL, 0, sizeof *s);
    if (!s)
        return 1;
    memset(s, 0, sizeof *s);
    s->alloc = a;
    if (lib)
        s->lib = *lib;
    s->io = io;
    frame_reader_init(&s->reader, io);
    arena_init(&s->batch, &s->alloc, &s->oom);
    arena_init(&s->work, &s->alloc, &s->oom);
    while (!s->exit_now) {
        if (!frame_pending(&s->reader) && idle_work(s))
            continue;
        if (!read_and_handle(s))
            break;             /* the end of input */
    }
    int code = s->state == STATE_SHUT_DOWN ? 0 : 1;
    session_free(s);
    return code;
}
