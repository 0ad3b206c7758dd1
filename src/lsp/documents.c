/*
 * documents.c — the documents the client has open: their text as the
 * editor holds it (which overrides the file on disk for every check), kept
 * in step through didOpen, didChange (the whole text, or ranges in the
 * session's position encoding), didClose and didSave.
 *
 * A change marks the document for a new check, and with it every open
 * document whose last check read this one (an importer).
 *
 * An open document that another open document imports is checked through
 * that importer, not on its own (doc_covered_by): on its own it would lack
 * the names its importer declares, and show errors that are not there.
 * One that no open document imports is checked through an entry file of
 * the project that imports it, when there is one (analysis.c).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "session.h"
#include "uri.h"

Document *doc_find(LspSession *s, const char *uri)
{
    for (uint32_t i = 0; i < s->ndocs; i++)
        if (strcmp(s->docs[i]->uri, uri) == 0)
            return s->docs[i];
    return NULL;
}

Document *doc_find_path(LspSession *s, const char *path)
{
    for (uint32_t i = 0; i < s->ndocs; i++) {
        Document *d = s->docs[i];
        if ((d->path && strcmp(d->path, path) == 0) ||
            (d->real && strcmp(d->real, path) == 0))
            return d;
    }
    return NULL;
}

bool doc_reads(const Document *d, const char *real)
{
    if (!real)
        return false;
    for (size_t at = 0; d->reads && at < d->reads_size; at += strlen(d->reads + at) + 1)
        if (strcmp(d->reads + at, real) == 0)
            return true;
    return false;
}

void doc_touch_readers(LspSession *s, const char *real)
{
    for (uint32_t i = 0; i < s->ndocs; i++)
        if (doc_reads(s->docs[i], real))
            s->docs[i]->dirty = true;
}

void doc_forget_contexts(LspSession *s, const Document *keep)
{
    for (uint32_t i = 0; i < s->ndocs; i++)
        if (s->docs[i] != keep)
            s->docs[i]->context_known = false;
}

const Document *doc_covered_by(LspSession *s, const Document *d)
{
    for (uint32_t i = 0; i < s->ndocs; i++) {
        const Document *r = s->docs[i];
        /* r's check went through d as its entry: r does not cover d */
        bool through_d = r->context && d->real && strcmp(r->context, d->real) == 0;
        if (r != d && !through_d && doc_reads(r, d->real) &&
            (!doc_reads(d, r->real) || (d->context && r->real &&
                                        strcmp(d->context, r->real) == 0)))
            return r;
    }
    return NULL;
}

void doc_free(LspSession *s, Document *d)
{
    lsp_free_str(s, d->uri);
    lsp_free_str(s, d->path);
    lsp_free_str(s, d->real);
    lsp_free(s, d->text, d->cap);
    lsp_free(s, d->result, d->result_size);
    lsp_free(s, d->reads, d->reads_size);
    lsp_free_str(s, d->context);
    lsp_free(s, d, sizeof *d);
}

/* The path with its directory's symlinks resolved: the file itself may
 * not exist yet (a new buffer), its directory usually does. */
static const char *canonical(LspSession *s, const char *path)
{
    char buf[PATH_MAX];
    if (realpath(path, buf))
        return arena_strndup(&s->work, buf, strlen(buf));
    const char *slash = strrchr(path, '/');
    if (!slash)
        return NULL;
    char *dir = arena_strndup(&s->work, path, (size_t)(slash - path));
    if (!realpath(dir[0] ? dir : "/", buf))
        return NULL;
    return arena_printf(&s->work, "%s%s", strcmp(buf, "/") == 0 ? "" : buf, slash);
}

static bool fail(LspError *err, int code, const char *msg)
{
    err->code = code;
    err->message = msg;
    return false;
}

/* Replaces the document's text: false (nothing changed) when memory or
 * the size limit says no. */
static bool set_text(LspSession *s, Document *d, const char *text, size_t len,
                     LspError *err)
{
    if (len > STRAT_MAX_SOURCE_BYTES)
        return fail(err, LSP_REQUEST_FAILED, "the document is larger than 256 MiB");
    if (len + 1 > d->cap) {
        char *t = lsp_alloc(s, len + 1);
        if (!t)
            return fail(err, RPC_INTERNAL_ERROR, "out of memory");
        lsp_free(s, d->text, d->cap);
        d->text = t;
        d->cap = len + 1;
    }
    memcpy(d->text, text, len);
    d->text[len] = '\0';
    d->len = len;
    return true;
}

/* Replaces text[start, end) with repl[0, n). */
static bool splice(LspSession *s, Document *d, size_t start, size_t end,
                   const char *repl, size_t n, LspError *err)
{
    size_t len = d->len - (end - start) + n;
    if (len > STRAT_MAX_SOURCE_BYTES)
        return fail(err, LSP_REQUEST_FAILED, "the document would be larger than 256 MiB");
    if (len + 1 > d->cap) {
        size_t cap = d->cap * 2 > len + 1 ? d->cap * 2 : len + 1;
        char *t = s->alloc.fn(s->alloc.ud, d->text, d->cap, cap);
        if (!t)
            return fail(err, RPC_INTERNAL_ERROR, "out of memory");
        d->text = t;
        d->cap = cap;
    }
    memmove(d->text + start + n, d->text + end, d->len - end);
    memcpy(d->text + start, repl, n);
    d->len = len;
    d->text[len] = '\0';
    return true;
}

static bool take_position(const JsonValue *v, LspPosition *p)
{
    int64_t line, ch;
    if (!json_get_int(v, "line", 0, UINT32_MAX, &line) ||
        !json_get_int(v, "character", 0, UINT32_MAX, &ch))
        return false;
    p->line = (uint32_t)line;
    p->character = (uint32_t)ch;
    return true;
}

bool doc_did_open(LspSession *s, const JsonValue *params, JsonWriter *w, LspError *err)
{
    (void)w;
    const JsonValue *td = json_get_kind(params, "textDocument", JSON_OBJECT);
    const char *uri = json_get_string(td, "uri");
    const JsonValue *text = json_get_kind(td, "text", JSON_STRING);
    int64_t version = 0;
    if (!uri || !text)
        return fail(err, RPC_INVALID_PARAMS, "textDocument needs uri and text");
    json_get_int(td, "version", INT64_MIN, INT64_MAX, &version);
    Document *d = doc_find(s, uri);
    if (!d) {
        /* the work arena first: a failure there long-jumps, and must not
         * leave a Document allocated behind it */
        const char *path = uri_to_path(&s->work, uri);
        const char *real = path ? canonical(s, path) : NULL;
        if (s->ndocs == s->docs_cap) {
            uint32_t cap = s->docs_cap ? s->docs_cap * 2 : 8;
            Document **docs = s->alloc.fn(s->alloc.ud, s->docs,
                                          sizeof *s->docs * s->docs_cap,
                                          sizeof *s->docs * cap);
            if (!docs)
                return fail(err, RPC_INTERNAL_ERROR, "out of memory");
            s->docs = docs;
            s->docs_cap = cap;
        }
        d = lsp_alloc(s, sizeof *d);
        if (!d)
            return fail(err, RPC_INTERNAL_ERROR, "out of memory");
        memset(d, 0, sizeof *d);
        d->uri = lsp_strdup(s, uri, strlen(uri));
        d->path = path ? lsp_strdup(s, path, strlen(path)) : NULL;
        d->real = real ? lsp_strdup(s, real, strlen(real)) : NULL;
        if (!d->uri || (path && !d->path) || (real && !d->real) ||
            !set_text(s, d, text->u.str.s, text->u.str.len, err)) {
            doc_free(s, d);
            return err->code ? false : fail(err, RPC_INTERNAL_ERROR, "out of memory");
        }
        s->docs[s->ndocs++] = d;
    } else if (!set_text(s, d, text->u.str.s, text->u.str.len, err)) {
        return false;
    }
    d->version = version;
    d->dirty = true;
    doc_touch_readers(s, d->real);
    doc_forget_contexts(s, NULL);
    return true;
}

bool doc_did_change(LspSession *s, const JsonValue *params, JsonWriter *w, LspError *err)
{
    (void)w;
    const JsonValue *td = json_get_kind(params, "textDocument", JSON_OBJECT);
    const char *uri = json_get_string(td, "uri");
    const JsonValue *changes = json_get_kind(params, "contentChanges", JSON_ARRAY);
    if (!uri || !changes)
        return fail(err, RPC_INVALID_PARAMS, "didChange needs textDocument.uri and "
                                              "contentChanges");
    Document *d = doc_find(s, uri);
    if (!d)
        return fail(err, RPC_INVALID_PARAMS, "didChange of a document that is not open");
    bool ok = true;
    for (const JsonValue *c = changes->u.list.head; c && ok; c = c->next) {
        const JsonValue *text = json_get_kind(c, "text", JSON_STRING);
        const JsonValue *range = json_get_kind(c, "range", JSON_OBJECT);
        if (!text) {
            ok = fail(err, RPC_INVALID_PARAMS, "a content change without text");
        } else if (!range) {
            ok = set_text(s, d, text->u.str.s, text->u.str.len, err);
        } else {
            LspPosition a, b;
            if (!take_position(json_get(range, "start"), &a) ||
                !take_position(json_get(range, "end"), &b)) {
                ok = fail(err, RPC_INVALID_PARAMS, "a change's range is not two positions");
                break;
            }
            LineIndex li;
            line_index_build(&s->work, &li, d->text, (uint32_t)d->len);
            uint32_t start = line_index_offset(&li, a, s->encoding);
            uint32_t end = line_index_offset(&li, b, s->encoding);
            if (end < start) {
                uint32_t t = start;
                start = end;
                end = t;
            }
            ok = splice(s, d, start, end, text->u.str.s, text->u.str.len, err);
        }
    }
    int64_t version;
    if (json_get_int(td, "version", INT64_MIN, INT64_MAX, &version))
        d->version = version;
    d->dirty = true;           /* even a change half applied: check what is there */
    doc_touch_readers(s, d->real);
    /* its own text aside, the scan's answer for it stands (its imports do
     * not make others import it) */
    doc_forget_contexts(s, d);
    return ok;
}

bool doc_did_close(LspSession *s, const JsonValue *params, JsonWriter *w, LspError *err)
{
    (void)w;
    const char *uri = lsp_param_uri(params);
    if (!uri)
        return fail(err, RPC_INVALID_PARAMS, "didClose needs textDocument.uri");
    for (uint32_t i = 0; i < s->ndocs; i++) {
        Document *d = s->docs[i];
        if (strcmp(d->uri, uri) != 0)
            continue;
        memmove(s->docs + i, s->docs + i + 1, sizeof *s->docs * (s->ndocs - i - 1));
        s->ndocs--;
        /* its importers read the file on disk from now on, and the open
         * files it imported are checked on their own again */
        doc_touch_readers(s, d->real);
        for (uint32_t k = 0; k < s->ndocs; k++)
            if (doc_reads(d, s->docs[k]->real))
                s->docs[k]->dirty = true;
        if (d->result)
            s->republish = true;
        doc_forget_contexts(s, NULL);
        doc_free(s, d);
        return true;
    }
    return fail(err, RPC_INVALID_PARAMS, "didClose of a document that is not open");
}

bool doc_did_save(LspSession *s, const JsonValue *params, JsonWriter *w, LspError *err)
{
    (void)w;
    const char *uri = lsp_param_uri(params);
    Document *d = uri ? doc_find(s, uri) : NULL;
    if (!d)
        return fail(err, RPC_INVALID_PARAMS, "didSave of a document that is not open");
    /* files it reads may have been saved too (CSV inventories, imports
     * edited elsewhere): check it again, and what reads it */
    d->dirty = true;
    doc_touch_readers(s, d->real);
    doc_forget_contexts(s, NULL);
    return true;
}
