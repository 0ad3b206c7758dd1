/*
 * publish.c — diagnostics, from a document's check to the client.
 *
 * Each open document is checked on its own (with what it imports), and
 * its last check is kept with it as JSON: the diagnostics it found, per
 * file.  One check may concern several files (an import with an error),
 * and one file several checks (two open documents importing it), so what
 * is published for a file is the merge of every document's last check:
 * the same diagnostic found twice is shown once.  A file is published to
 * when its merged list changed (an empty list clears it) — and the open
 * documents the check read always (the one checked, the open files it
 * imports), so a client can tell their check is done.
 *
 * An open document imported by another open one is not checked on its
 * own (doc_covered_by, documents.c): its diagnostics are those its
 * importer's check finds in it.  One checked through an entry file (no
 * open importer) waits for that entry's check when the entry is open and
 * due one; and a document an importer's check stops reading is checked
 * at once, before anything is published.
 */
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "reply.h"

/* The analysis as kept with its document:
 *   [{"uri": U, "diagnostics": [...]}, ...]  (diagnostics grouped by file) */
static const char *serialise(LspSession *s, const LspAnalysis *res, size_t *len)
{
    JsonWriter w;
    jw_init(&w, &s->work);
    jw_array_begin(&w);
    for (uint32_t i = 0; i < res->ndiags;) {
        const char *uri = res->diags[i].uri;
        jw_object_begin(&w);
        jw_key(&w, "uri");
        jw_cstring(&w, uri);
        jw_key(&w, "diagnostics");
        jw_array_begin(&w);
        for (; i < res->ndiags && strcmp(res->diags[i].uri, uri) == 0; i++)
            lsp_write_diagnostic(&w, &res->diags[i]);
        jw_array_end(&w);
        jw_object_end(&w);
    }
    jw_array_end(&w);
    return jw_text(&w, len);
}

/* Checks d and keeps the result with it.  False when the check failed
 * (the last result stays). */
static bool analyse(LspSession *s, Document *d)
{
    d->dirty = false;
    LspAnalysis res;
    const char *why = NULL;
    if (!lsp_analyze(s, d->uri, &s->work, &res, &why)) {
        lsp_log(s, LOG_ERROR, "cannot check %s: %s", d->uri, why ? why : "failed");
        return false;
    }
    size_t len;
    const char *text = serialise(s, &res, &len);
    size_t reads_size = 0;
    for (uint32_t i = 0; i < res.nreads; i++)
        reads_size += strlen(res.reads[i]) + 1;
    char *result = lsp_strdup(s, text, len);
    char *reads = lsp_alloc(s, reads_size);
    char *context = res.entry ? lsp_strdup(s, res.entry, strlen(res.entry)) : NULL;
    if (!result || !reads || (res.entry && !context)) {
        lsp_free(s, result, result ? len + 1 : 0);
        lsp_free(s, reads, reads_size);
        lsp_free_str(s, context);
        lsp_log(s, LOG_ERROR, "cannot check %s: out of memory", d->uri);
        return false;
    }
    size_t at = 0;
    for (uint32_t i = 0; i < res.nreads; i++) {
        size_t n = strlen(res.reads[i]) + 1;
        memcpy(reads + at, res.reads[i], n);
        at += n;
    }
    /* the open documents this check read before and reads no more (an
     * import dropped): no longer covered by it, checked on their own */
    for (uint32_t k = 0; k < s->ndocs; k++) {
        Document *other = s->docs[k];
        bool still = false;
        for (uint32_t i = 0; i < res.nreads && !still && other->real; i++)
            still = strcmp(res.reads[i], other->real) == 0;
        if (other != d && !still && doc_reads(d, other->real))
            other->released = other->dirty = true;
    }
    lsp_free(s, d->result, d->result_size);
    lsp_free(s, d->reads, d->reads_size);
    d->result = result;
    d->result_size = len + 1;
    d->reads = reads;
    d->reads_size = reads_size;
    lsp_free_str(s, d->context);
    d->context = context;
    d->context_known = true;
    return true;
}

/* ---- merging ---------------------------------------------------------- */

typedef struct Item {
    const char *uri;
    uint32_t line, character;  /* the range's start, the first sort key */
    uint32_t order;            /* document, then position in its check */
    const char *json;          /* the diagnostic, serialised */
} Item;

static int item_cmp(const void *pa, const void *pb)
{
    const Item *a = pa, *b = pb;
    int d = strcmp(a->uri, b->uri);
    if (d)
        return d;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    if (a->character != b->character)
        return a->character < b->character ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

static uint32_t start_field(const JsonValue *diag, const char *key)
{
    int64_t v = 0;
    json_get_int(json_get(json_get(diag, "range"), "start"), key, 0, UINT32_MAX, &v);
    return (uint32_t)v;
}

/* Every document's last check, as one array of items sorted by file and
 * position. */
static Item *gather(LspSession *s, uint32_t *count)
{
    PtrVec diags = {0};        /* JsonValue* of each diagnostic */
    PtrVec uris = {0};
    for (uint32_t i = 0; i < s->ndocs; i++) {
        Document *d = s->docs[i];
        if (!d->result || doc_covered_by(s, d))
            continue;
        char *copy = arena_strndup(&s->work, d->result, d->result_size - 1);
        JsonError jerr;
        JsonValue *files = json_parse(&s->work, copy, d->result_size - 1, &jerr);
        for (JsonValue *f = files ? files->u.list.head : NULL; f; f = f->next) {
            const char *uri = json_get_string(f, "uri");
            const JsonValue *list = json_get_kind(f, "diagnostics", JSON_ARRAY);
            for (JsonValue *e = list ? list->u.list.head : NULL; e && uri; e = e->next) {
                ptrvec_push(&s->work, &diags, e);
                ptrvec_push(&s->work, &uris, (void *)uri);
            }
        }
    }
    Item *items = ARENA_ARRAY(&s->work, Item, diags.len + 1);
    for (uint32_t i = 0; i < diags.len; i++) {
        JsonWriter w;
        jw_init(&w, &s->work);
        jw_value(&w, diags.items[i]);
        items[i] = (Item){uris.items[i], start_field(diags.items[i], "line"),
                          start_field(diags.items[i], "character"), i,
                          jw_text(&w, NULL)};
    }
    qsort(items, diags.len, sizeof *items, item_cmp);
    *count = diags.len;
    return items;
}

static Published *find_published(LspSession *s, const char *uri)
{
    for (uint32_t i = 0; i < s->npublished; i++)
        if (strcmp(s->published[i].uri, uri) == 0)
            return &s->published[i];
    return NULL;
}

static void forget_published(LspSession *s, Published *p)
{
    lsp_free_str(s, p->uri);
    lsp_free_str(s, p->diagnostics);
    *p = s->published[--s->npublished];
}

/* Room for one more entry in s->published. */
static bool published_room(LspSession *s)
{
    if (s->npublished < s->published_cap)
        return true;
    uint32_t cap = s->published_cap ? s->published_cap * 2 : 8;
    Published *np = s->alloc.fn(s->alloc.ud, s->published,
                                sizeof *np * s->published_cap, sizeof *np * cap);
    if (!np)
        return false;
    s->published = np;
    s->published_cap = cap;
    return true;
}

/* Remembers what was sent for uri ("[]": nothing showing).  False when
 * memory says no (it will then be sent again next time). */
static bool remember(LspSession *s, const char *uri, const char *list)
{
    Published *p = find_published(s, uri);
    if (strcmp(list, "[]") == 0) {
        if (p)
            forget_published(s, p);
        return true;
    }
    char *copy = lsp_strdup(s, list, strlen(list));
    if (!copy)
        return false;
    if (p) {
        lsp_free_str(s, p->diagnostics);
        p->diagnostics = copy;
        return true;
    }
    char *uri_copy = lsp_strdup(s, uri, strlen(uri));
    if (!uri_copy || !published_room(s)) {
        lsp_free_str(s, uri_copy);
        lsp_free_str(s, copy);
        return false;
    }
    s->published[s->npublished++] = (Published){uri_copy, copy};
    return true;
}

/* The checks just made: the document checked, and those it released
 * (publish_next). */
typedef struct Checked {
    const Document **docs;
    uint32_t n;
} Checked;

/* The open document at uri when one of the checks just made read its text
 * (the document checked, or an open file it imports): it is published to
 * whatever changed, with its version.  NULL otherwise. */
static const Document *checked_with(LspSession *s, const Checked *checked, const char *uri)
{
    for (uint32_t i = 0; i < checked->n; i++) {
        const Document *c = checked->docs[i];
        if (strcmp(c->uri, uri) == 0)
            return c;
        const Document *d = doc_find(s, uri);
        if (d && doc_reads(c, d->real))
            return d;
    }
    return NULL;
}

static void send_publication(LspSession *s, const char *uri, const Checked *checked,
                             const char *list)
{
    JsonWriter w;
    jw_init(&w, &s->work);
    jw_object_begin(&w);
    jw_key(&w, "jsonrpc");
    jw_cstring(&w, "2.0");
    jw_key(&w, "method");
    jw_cstring(&w, "textDocument/publishDiagnostics");
    jw_key(&w, "params");
    jw_object_begin(&w);
    jw_key(&w, "uri");
    jw_cstring(&w, uri);
    const Document *open_doc = checked_with(s, checked, uri);
    if (open_doc) {
        jw_key(&w, "version");
        jw_int(&w, open_doc->version);
    }
    jw_key(&w, "diagnostics");
    jw_raw(&w, list, strlen(list));
    jw_object_end(&w);
    jw_object_end(&w);
    lsp_send(s, &w);
    if (!remember(s, uri, list))
        lsp_log(s, LOG_ERROR, "out of memory: diagnostics of %s will be sent again", uri);
}

/* Publishes, for every file with diagnostics now or before, the merged
 * list when it changed; and the checked document's always. */
static void publish_merged(LspSession *s, const Checked *checked)
{
    uint32_t n;
    Item *items = gather(s, &n);
    for (uint32_t i = 0; i < n;) {
        const char *uri = items[i].uri;
        JsonWriter w;
        jw_init(&w, &s->work);
        jw_array_begin(&w);
        uint32_t first = i;
        for (; i < n && strcmp(items[i].uri, uri) == 0; i++) {
            bool seen = false;
            for (uint32_t j = first; j < i && !seen; j++)
                seen = strcmp(items[j].json, items[i].json) == 0;
            if (!seen)
                jw_raw(&w, items[i].json, strlen(items[i].json));
        }
        jw_array_end(&w);
        const char *list = jw_text(&w, NULL);
        Published *p = find_published(s, uri);
        if (checked_with(s, checked, uri) || !p || strcmp(p->diagnostics, list) != 0)
            send_publication(s, uri, checked, list);
    }
    /* files published to before that nothing concerns now: cleared.
     * (The loop walks a copy: send_publication changes the list.) */
    uint32_t np = s->npublished;
    const char **gone = ARENA_ARRAY(&s->work, const char *, np + 1);
    uint32_t ngone = 0;
    for (uint32_t k = 0; k < np; k++) {
        const char *uri = s->published[k].uri;
        bool current = false;
        for (uint32_t i = 0; i < n && !current; i++)
            current = strcmp(items[i].uri, uri) == 0;
        if (!current)
            gone[ngone++] = arena_strndup(&s->work, uri, strlen(uri));
    }
    for (uint32_t k = 0; k < ngone; k++)
        send_publication(s, gone[k], checked, "[]");
    /* the open documents checked with nothing at all: still told */
    for (uint32_t k = 0; k < s->ndocs; k++) {
        const Document *d = s->docs[k];
        if (!checked_with(s, checked, d->uri) || find_published(s, d->uri))
            continue;
        bool sent = false;
        for (uint32_t i = 0; i < n && !sent; i++)
            sent = strcmp(items[i].uri, d->uri) == 0;
        for (uint32_t j = 0; j < ngone && !sent; j++)
            sent = strcmp(gone[j], d->uri) == 0;
        if (!sent)
            send_publication(s, d->uri, checked, "[]");
    }
}

bool publish_next(LspSession *s)
{
    for (uint32_t i = 0; i < s->ndocs; i++) {
        Document *d = s->docs[i];
        if (!d->dirty)
            continue;
        /* checked through an entry that is open and due a check itself:
         * after it, which may then cover it (one check, not two) */
        Document *entry = d->context ? doc_find_path(s, d->context) : NULL;
        if (entry && entry != d && entry->dirty && !entry->context)
            continue;
        if (doc_covered_by(s, d)) {
            /* checked through its importer (marked dirty with it) */
            d->dirty = false;
            s->republish = true;
            continue;
        }
        if (analyse(s, d)) {
            /* a document it released is checked now, before anything is
             * published: else its last check (through d) would show again;
             * and it is told its check is done, as d is */
            Checked done = {ARENA_ARRAY(&s->work, const Document *, s->ndocs + 1), 0};
            done.docs[done.n++] = d;
            for (uint32_t k = 0; k < s->ndocs; k++) {
                Document *other = s->docs[k];
                if (other->released && !doc_covered_by(s, other) && analyse(s, other))
                    done.docs[done.n++] = other;
                other->released = false;
            }
            publish_merged(s, &done);
        }
        return true;
    }
    if (s->republish) {
        s->republish = false;
        publish_merged(s, &(Checked){NULL, 0});
        return true;
    }
    return false;
}

void publish_free(LspSession *s)
{
    while (s->npublished)
        forget_published(s, &s->published[0]);
    lsp_free(s, s->published, sizeof *s->published * s->published_cap);
}
