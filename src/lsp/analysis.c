/*
 * analysis.c — the language server's bridge to the library (analysis.h):
 * checking an open document, formatting it, and its outline.
 *
 * Checking goes through the public API alone: the document's text is
 * loaded with strat_load_buffer() under the project root of the check,
 * its imports come from a reader (strat_set_reader) that answers with an
 * open document's text where there is one, and otherwise from disk under
 * the library's confinement (the stdlib under its own directory); then
 * strat_check() runs and the diagnostics are read with strat_diag_get(),
 * their ranges mapped to the session's encoding over the text of each
 * file (strat_file_get).  The outline still reads the parser's
 * declarations (library-internal headers) until the library has an
 * outline of its own.
 *
 * The project root of a check: --root when given; else the workspace
 * folder when the document lies in it; else the document's directory.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "checked.h"
#include "compiler.h"
#include "parse.h"
#include "program.h"
#include "source.h"
#include "strat/strat.h"
#include "uri.h"

/* Diagnostics sent for one check at most (the command line's default
 * --max-errors): a file broken everywhere does not flood the editor. */
enum { DEFAULT_MAX_DIAGNOSTICS = 500 };

/* The code of "too many diagnostics" (diag_codes.def: D_TOO_MANY). */
#define TOO_MANY_CODE "S1201"

static char *canonical(Arena *a, const char *path)
{
    char buf[PATH_MAX];
    if (!path || !realpath(path, buf))
        return NULL;
    return arena_strndup(a, buf, strlen(buf));
}

static char *dir_of(Arena *a, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return arena_strndup(a, "/", 1);
    return arena_strndup(a, path, (size_t)(slash - path));
}

static bool path_inside(const char *path, const char *root)
{
    size_t n = strlen(root);
    if (strcmp(root, "/") == 0)
        return path[0] == '/';
    return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* The compilation's options: the session's, quiet. */
static strat_options check_options(LspSession *s)
{
    strat_options o = s->lib;
    o.progress = false;
    o.verbose = false;
    o.hash_inputs = false;
    /* the interpreter: an editor's check must not wait for a C compiler */
    o.jit = STRAT_JIT_OFF;
    return o;
}

/* The project root of a check (see the top of the file), canonical, or
 * NULL when none can be resolved. */
static const char *check_root(LspSession *s, Arena *a, const char *doc_real)
{
    if (s->lib.project_root)
        return canonical(a, s->lib.project_root);
    const char *ws = canonical(a, s->root);
    if (ws && doc_real && path_inside(doc_real, ws))
        return ws;
    if (doc_real)
        return canonical(a, dir_of(a, doc_real));
    return ws ? ws : canonical(a, ".");
}

/* The reader: an open document's text for an import, if one is open there. */
static const char *open_document_text(void *ctx, const char *path, size_t *len)
{
    Document *d = doc_find_path(ctx, path);
    if (!d)
        return NULL;
    *len = d->len;
    return d->text;
}

/* ---- diagnostics as data ------------------------------------------------ */

static const char *file_uri(Files *F, size_t file)
{
    strat_file f;
    if (file >= F->nfiles || !strat_file_get(F->c, file, &f) ||
        strcmp(f.real_path, F->doc_real) == 0)
        return F->doc->uri;
    if (!F->uris[file]) {
        Document *open_doc = f.is_stdlib ? NULL : doc_find_path(F->s, f.real_path);
        F->uris[file] = open_doc ? open_doc->uri : uri_from_path(F->a, f.real_path);
    }
    return F->uris[file];
}

static LspRange file_range(Files *F, const strat_range *r)
{
    LspRange none = {{0, 0}, {0, 0}};
    strat_file f;
    if (r->file_index >= F->nfiles || !strat_file_get(F->c, r->file_index, &f))
        return none;
    if (!F->lines[r->file_index]) {
        LineIndex *li = ARENA_NEW(F->a, LineIndex);
        line_index_build(F->a, li, f.text, (uint32_t)f.len);
        F->lines[r->file_index] = li;
    }
    return line_index_range(F->lines[r->file_index], (uint32_t)r->start_byte,
                            (uint32_t)r->end_byte, F->s->encoding);
}

static int lsp_severity(strat_severity s)
{
    switch (s) {
    case STRAT_SEVERITY_ERROR: return LSP_SEV_ERROR;
    case STRAT_SEVERITY_WARNING: return LSP_SEV_WARNING;
    case STRAT_SEVERITY_INFO: return LSP_SEV_INFORMATION;
    case STRAT_SEVERITY_NOTE: return LSP_SEV_INFORMATION;
    }
    return LSP_SEV_ERROR;
}

typedef struct SortKey {
    const char *uri;
    size_t start, index;
    strat_diag_info info;
} SortKey;

/* By file (its URI), then position; ties in the library's order. */
static int key_cmp(const void *pa, const void *pb)
{
    const SortKey *a = pa, *b = pb;
    int r = strcmp(a->uri, b->uri);
    if (r)
        return r;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

static const char *copy(Arena *a, const char *text)
{
    return arena_strndup(a, text, strlen(text));
}

static void collect(Files *F, LspAnalysis *out)
{
    strat_compilation *c = F->c;
    Arena *a = F->a;
    size_t n = strat_diag_count(c);
    SortKey *keys = ARENA_ARRAY(a, SortKey, n + 1);
    size_t got = 0;
    for (size_t i = 0; i < n; i++) {
        SortKey *k = &keys[got];
        if (!strat_diag_get(c, i, &k->info))
            break;
        k->uri = file_uri(F, k->info.range.file_index);
        k->start = k->info.range.start_byte;
        k->index = i;
        got++;
    }
    n = got;
    qsort(keys, n, sizeof *keys, key_cmp);
    size_t max = F->s->lib.max_errors ? F->s->lib.max_errors : DEFAULT_MAX_DIAGNOSTICS;
    size_t kept = n < max ? n : max;
    out->diags = ARENA_ARRAY(a, LspDiagnostic, kept + 1);
    out->ndiags = (uint32_t)kept;
    for (size_t i = 0; i < kept; i++) {
        const strat_diag_info *d = &keys[i].info;
        LspDiagnostic *x = &out->diags[i];
        x->uri = keys[i].uri;
        x->range = file_range(F, &d->range);
        x->severity = lsp_severity(d->severity);
        x->code = d->code;
        x->message = d->hint ? arena_printf(a, "%s\nhelp: %s", d->message, d->hint)
                             : copy(a, d->message);
        x->notes = ARENA_ARRAY(a, LspNote, d->nnotes + 1);
        for (size_t k = 0; k < d->nnotes; k++) {
            const char *msg;
            strat_range r;
            if (!strat_diag_note(c, keys[i].index, k, &msg, &r))
                break;
            LspNote *nt = &x->notes[x->nnotes++];
            nt->uri = file_uri(F, r.file_index);
            nt->range = file_range(F, &r);
            nt->message = copy(a, msg);
        }
    }
    if (kept < n) {
        /* one line at the top of the document says how many were left out */
        LspDiagnostic *x = &out->diags[out->ndiags++];
        *x = (LspDiagnostic){F->doc->uri, {{0, 0}, {0, 0}}, LSP_SEV_INFORMATION,
                             TOO_MANY_CODE,
                             arena_printf(a, "%zu more diagnostics not shown (the limit "
                                          "is %zu)", n - kept, max),
                             NULL, 0};
    }
    out->reads = ARENA_ARRAY(a, const char *, F->nfiles + 1);
    for (size_t k = 0; k < F->nfiles; k++) {
        strat_file f;
        if (strat_file_get(c, k, &f))
            out->reads[out->nreads++] = copy(a, f.real_path);
    }
}

/* The entry file a document with no `strategy` block is checked through:
 * the first (by path) of the project's files with one that import it,
 * the open documents' text standing in for their files; NULL when it has
 * a strategy block, or nothing imports it (it is then checked alone).
 * On c, which has the reader and the check's root; under the root. */
static const char *importing_entry(strat_compilation *c, const char *root, Document *d)
{
    if (!d->real || !root || !path_inside(d->real, root) || strat_is_entry_file(c, d->real))
        return NULL;
    /* the last scan's answer, while nothing it read can have changed
     * (doc_forget_contexts): a keystroke does not walk the project */
    if (d->context_known)
        return d->context;
    const char *const *paths = NULL;
    size_t n = 0;
    if (strat_find_entries(c, root, d->real, &paths, &n) != STRAT_OK || n == 0)
        return NULL;
    return paths[0];
}

/* A compilation of the open document `d` in the context of its project,
 * with open documents standing in for the files they edit, checked; NULL
 * when out of memory.  *real is the path the document was loaded under;
 * *entry the entry file loaded in its stead (the document then comes in
 * as its import), or NULL.  The caller frees it (and sets s->checking
 * back to NULL). */
static strat_compilation *check_document(LspSession *s, Document *d, Arena *a,
                                         const char **real, const char **entry)
{
    strat_options o = check_options(s);
    o.project_root = check_root(s, a, d->real);
    *entry = NULL;
    strat_compilation *c = strat_new(&s->alloc, &o);
    if (!c)
        return NULL;
    s->checking = c;           /* freed by the server if `a` runs out */
    strat_set_reader(c, open_document_text, s);
    *real = d->real ? d->real
                    : arena_printf(a, "%s/untitled.strat",
                                   o.project_root ? o.project_root : ".");
    const char *via = importing_entry(c, o.project_root, d);
    if (strat_out_of_memory(c))
        return c;
    Document *open_entry = via ? doc_find_path(s, via) : NULL;
    if (via)
        *entry = arena_strndup(a, via, strlen(via));
    /* shown relative to the root, as the command line run there would */
    const char *loaded = *entry ? *entry : *real;
    const char *name = loaded;
    size_t n = o.project_root ? strlen(o.project_root) : 0;
    if (n && path_inside(loaded, o.project_root) && loaded[n] == '/')
        name = loaded + n + (strcmp(o.project_root, "/") != 0);
    strat_status st;
    if (*entry && !open_entry)
        st = strat_load(c, entry, 1);
    else if (*entry)
        st = strat_load_buffer(c, name, open_entry->text, open_entry->len);
    else
        st = strat_load_buffer(c, name, d->text, d->len);
    /* decided, as `strat check` does: a run has findings of its own (rules,
     * limits, scores that are not numbers), and hover shows decisions */
    if (st != STRAT_FAILURE && !strat_out_of_memory(c))
        st = strat_check(c);
    if (st != STRAT_FAILURE && !strat_out_of_memory(c))
        strat_decide(c);
    return c;
}

bool lsp_analyze(LspSession *s, const char *uri, Arena *a, LspAnalysis *out,
                 const char **why)
{
    memset(out, 0, sizeof *out);
    Document *d = doc_find(s, uri);
    if (!d) {
        *why = "the document is not open";
        return false;
    }
    const char *real = NULL, *entry = NULL;
    strat_compilation *c = check_document(s, d, a, &real, &entry);
    out->entry = entry;
    if (!c) {
        *why = "out of memory";
        return false;
    }
    bool ok = !strat_out_of_memory(c);
    if (ok) {
        Files F = {s, c, a, d, real, NULL, NULL, strat_file_count(c)};
        F.uris = ARENA_ARRAY(a, const char *, F.nfiles + 1);
        F.lines = ARENA_ARRAY(a, LineIndex *, F.nfiles + 1);
        collect(&F, out);
        ok = !strat_out_of_memory(c);
    }
    if (!ok)
        *why = "out of memory";
    s->checking = NULL;
    strat_free(c);
    return ok;
}

/* ---- a document in its context (checked.h) ------------------------------- */

bool checked_document(LspSession *s, const char *uri, Arena *a, LspChecked *k, const char **why)
{
    Document *d = doc_find(s, uri);
    if (!d) {
        memset(k, 0, sizeof *k);
        *why = "the document is not open";
        return false;
    }
    return checked_open(s, d, a, k, why);
}

bool checked_open(LspSession *s, Document *d, Arena *a, LspChecked *k, const char **why)
{
    memset(k, 0, sizeof *k);
    Document *loaded = (Document *)doc_covered_by(s, d);
    if (!loaded)
        loaded = d;
    const char *real = NULL, *entry = NULL;
    strat_compilation *c = check_document(s, loaded, a, &real, &entry);
    if (!c || strat_out_of_memory(c)) {
        s->checking = NULL;
        strat_free(c);
        *why = "out of memory";
        return false;
    }
    k->s = s;
    k->a = a;
    k->c = c;
    k->doc = d;
    k->F = (Files){s, c, a, loaded, real, NULL, NULL, strat_file_count(c)};
    k->F.uris = ARENA_ARRAY(a, const char *, k->F.nfiles + 1);
    k->F.lines = ARENA_ARRAY(a, LineIndex *, k->F.nfiles + 1);
    const char *want = loaded == d ? real : d->real;
    for (size_t i = 0; want && i < k->F.nfiles; i++) {
        strat_file f;
        if (strat_file_get(c, i, &f) && strcmp(f.real_path, want) == 0) {
            k->file = (uint32_t)i + 1;
            break;
        }
    }
    line_index_build(a, &k->lines, d->text, (uint32_t)d->len);
    return true;
}

void checked_close(LspChecked *k)
{
    k->s->checking = NULL;
    strat_free(k->c);
    k->c = NULL;
}

const char *checked_uri(LspChecked *k, Loc l)
{
    return file_uri(&k->F, l.file ? l.file - 1 : STRAT_NO_FILE);
}

LspRange checked_range(LspChecked *k, Loc l)
{
    strat_range r = {NULL, l.file ? l.file - 1 : STRAT_NO_FILE, 0, 0, 0, 0, l.start, l.end};
    return file_range(&k->F, &r);
}

uint32_t checked_offset(const LspChecked *k, LspPosition pos)
{
    return line_index_offset(&k->lines, pos, k->s->encoding);
}

/* ---- formatting ------------------------------------------------------------ */

bool lsp_format(LspSession *s, const char *uri, Arena *a, const char **text,
                size_t *len, const char **why)
{
    Document *d = doc_find(s, uri);
    if (!d) {
        *why = "the document is not open";
        return false;
    }
    strat_options o = check_options(s);
    strat_compilation *c = strat_new(&s->alloc, &o);
    char *buf = NULL;
    size_t n = 0;
    FILE *out = c ? open_memstream(&buf, &n) : NULL;
    if (!out) {
        strat_free(c);
        *why = "out of memory";
        return false;
    }
    strat_status st = strat_format(c, d->path ? d->path : "untitled", d->text, d->len, out);
    bool written = fclose(out) == 0;
    s->checking = c;           /* both freed by the server if `a` runs out */
    s->scratch = buf;
    bool ok = st == STRAT_OK && written && !strat_out_of_memory(c);
    if (ok) {
        *text = arena_strndup(a, buf ? buf : "", n);
        *len = n;
    } else if (st == STRAT_FINDINGS && strat_diag_count(c)) {
        /* the first syntax error, with its place (the document is file 0) */
        strat_diag_info first, x;
        strat_diag_get(c, 0, &first);
        for (size_t i = 1; strat_diag_get(c, i, &x); i++)
            if (x.range.start_byte < first.range.start_byte)
                first = x;
        LineIndex li;
        line_index_build(a, &li, d->text, (uint32_t)d->len);
        LspPosition p = line_index_position(&li, (uint32_t)first.range.start_byte,
                                            s->encoding);
        *why = arena_printf(a, "cannot format: %s at line %u, character %u [%s]",
                            first.message, p.line + 1, p.character + 1, first.code);
    } else {
        *why = strat_out_of_memory(c) || !written ? "out of memory" : "cannot format the document";
    }
    s->checking = NULL;
    s->scratch = NULL;
    free(buf);
    strat_free(c);
    return ok;
}

/* ---- the outline --------------------------------------------------------- */

typedef struct Outline {
    LspSession *s;
    Arena *a;
    LineIndex lines;
} Outline;

static LspRange range_of(Outline *O, uint32_t start, uint32_t end)
{
    return line_index_range(&O->lines, start, end, O->s->encoding);
}

static uint32_t max_end(uint32_t a, Loc l)
{
    return l.file && l.end > a ? l.end : a;
}

/* The end of a declaration: its closing brace, or the end of what it
 * holds last. */
static uint32_t decl_end(const Decl *d)
{
    uint32_t end = d->loc.end;
    end = max_end(end, d->name_loc);
    end = max_end(end, d->text_loc);
    end = max_end(end, d->end_loc);
    if (d->expr)
        end = max_end(end, d->expr->loc);
    return end;
}

static const char *str_of(Outline *O, Str s)
{
    return s.s ? arena_strndup(O->a, s.s, s.len) : "";
}

static LspSymbol symbol(Outline *O, const char *name, const char *detail, int kind,
                        uint32_t start, uint32_t end, Loc name_loc)
{
    /* names live in the compilation, freed before the reply is written */
    LspSymbol sym = {arena_strndup(O->a, name, strlen(name)),
                     detail ? arena_strndup(O->a, detail, strlen(detail)) : NULL, kind,
                     range_of(O, start, end), {{0, 0}, {0, 0}}, NULL, 0};
    /* the selection lies inside the range, as LSP requires */
    if (name_loc.file && name_loc.start >= start && name_loc.end <= end)
        sym.selection = range_of(O, name_loc.start, name_loc.end);
    else
        sym.selection = range_of(O, start, start);
    return sym;
}

static void nested_blocks(Outline *O, LspSymbol *parent, const Item *items)
{
    uint32_t n = 0;
    for (const Item *it = items; it; it = it->next)
        n += it->kind != ITEM_ATTR;
    if (!n)
        return;
    parent->children = ARENA_ARRAY(O->a, LspSymbol, n);
    for (const Item *it = items; it; it = it->next) {
        if (it->kind == ITEM_ATTR)
            continue;
        uint32_t end = max_end(it->loc.end, it->end_loc);
        LspSymbol *c = &parent->children[parent->nchildren++];
        *c = symbol(O, it->name, it->kind == ITEM_RISK ? "risk"
                    : it->kind == ITEM_STAGE ? "stage" : "lifecycle", SYM_STRUCT,
                    it->loc.start, end, it->loc);
        nested_blocks(O, c, it->items);
    }
}

static void schema_fields(Outline *O, LspSymbol *parent, const SchemaField *fields)
{
    uint32_t n = 0;
    for (const SchemaField *f = fields; f; f = f->next)
        n++;
    if (!n)
        return;
    parent->children = ARENA_ARRAY(O->a, LspSymbol, n);
    for (const SchemaField *f = fields; f; f = f->next) {
        uint32_t start = f->span.file ? f->span.start : f->loc.start;
        uint32_t end = max_end(f->loc.end, f->span);
        const char *type = f->type_name ? (f->is_list ? arena_printf(O->a, "[%s]",
                                                                     f->type_name)
                                                      : f->type_name)
                                        : NULL;
        parent->children[parent->nchildren++] =
            symbol(O, f->name, type, SYM_FIELD, start, end, f->loc);
    }
}

static void decide_arms(Outline *O, LspSymbol *parent, const Arm *arms)
{
    uint32_t n = 0;
    for (const Arm *arm = arms; arm; arm = arm->next)
        n++;
    if (!n)
        return;
    parent->children = ARENA_ARRAY(O->a, LspSymbol, n);
    for (const Arm *arm = arms; arm; arm = arm->next) {
        uint32_t start = arm->span.file ? arm->span.start : arm->loc.start;
        uint32_t end = max_end(arm->loc.end, arm->span);
        const char *detail = arm->because.s ? str_of(O, arm->because)
                                            : arm->cond ? NULL : "otherwise";
        parent->children[parent->nchildren++] =
            symbol(O, arm->decision, detail, SYM_ENUM_MEMBER, start, end, arm->loc);
    }
}

static LspSymbol decl_symbol(Outline *O, const Decl *d)
{
    uint32_t start = d->loc.start, end = decl_end(d);
    const char *name = d->name;
    const char *detail = NULL;
    int kind = SYM_OBJECT;
    Loc sel = d->name_loc;
    switch (d->kind) {
    case D_IMPORT: name = str_of(O, d->text); detail = "import"; kind = SYM_MODULE;
        sel = d->text_loc; break;
    case D_STRATEGY: name = str_of(O, d->text); detail = "strategy";
        kind = SYM_NAMESPACE; sel = d->text_loc; break;
    case D_ENTITY: detail = entity_kind_name(d->entity_kind); kind = SYM_CLASS; break;
    case D_APPETITE: name = "appetite"; kind = SYM_NAMESPACE; sel = d->loc; break;
    case D_LINT: name = "lint"; kind = SYM_NAMESPACE; sel = d->loc; break;
    case D_REPORT: name = "report"; kind = SYM_NAMESPACE; sel = d->loc; break;
    case D_SCHEMA: detail = "schema"; kind = SYM_INTERFACE; break;
    case D_SCORE: detail = "score"; kind = SYM_FUNCTION; break;
    case D_RULE: detail = str_of(O, d->text); kind = SYM_BOOLEAN; break;
    case D_DECIDE: name = "decide"; kind = SYM_ENUM; sel = d->loc; break;
    case D_APPROVAL: detail = "approval"; kind = SYM_EVENT; break;
    case D_SCENARIO: detail = "scenario"; kind = SYM_MODULE; break;
    case D_LOAD: name = str_of(O, d->text);
        detail = arena_printf(O->a, "load %s", d->name ? d->name : "?");
        kind = SYM_FILE; sel = d->text_loc; break;
    case D_WAIVER: detail = "waiver"; kind = SYM_KEY; break;
    case D_LIMIT: detail = str_of(O, d->text); kind = SYM_NUMBER; break;
    case D_TEST: detail = "test"; kind = SYM_METHOD; break;
    case D_CONST: detail = "const"; kind = SYM_CONSTANT; break;
    case D_POOL: detail = "pool"; kind = SYM_OBJECT; break;
    }
    LspSymbol sym = symbol(O, name ? name : "?", detail, kind, start, end, sel);
    if (d->kind == D_ENTITY)
        nested_blocks(O, &sym, d->items);
    else if (d->kind == D_SCHEMA)
        schema_fields(O, &sym, d->fields);
    else if (d->kind == D_DECIDE)
        decide_arms(O, &sym, d->arms);
    return sym;
}

/* Parses the document alone (imports are not needed for its outline). */
static strat_status parse_document(Compilation *c, Document *d, Decl **decls)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    if (d->len > STRAT_MAX_SOURCE_BYTES)
        return STRAT_FAILURE;
    uint32_t id = source_add(c, d->path ? d->path : "untitled", NULL, d->text, d->len,
                             false);
    ParseState ps;
    parse_source(c, id, &ps);
    *decls = ps.head;
    return STRAT_OK;
}

bool lsp_document_symbols(LspSession *s, const char *uri, Arena *a, LspSymbol **out,
                          uint32_t *n, const char **why)
{
    Document *d = doc_find(s, uri);
    if (!d) {
        *why = "the document is not open";
        return false;
    }
    strat_options o = check_options(s);
    strat_compilation *c = strat_new(&s->alloc, &o);
    Decl *decls = NULL;
    if (!c || parse_document(c, d, &decls) != STRAT_OK) {
        *why = c && !c->oom_happened ? "the document is too large" : "out of memory";
        strat_free(c);
        return false;
    }
    s->checking = c;
    Outline O = {s, a, {0}};
    line_index_build(a, &O.lines, d->text, (uint32_t)d->len);
    uint32_t count = 0;
    for (const Decl *x = decls; x; x = x->next)
        count++;
    *out = ARENA_ARRAY(a, LspSymbol, count + 1);
    *n = 0;
    for (const Decl *x = decls; x; x = x->next)
        (*out)[(*n)++] = decl_symbol(&O, x);
    s->checking = NULL;
    strat_free(c);
    return true;
}

/* ---- navigation: the program's position index (program.h) ------------------ */

/* The sites answering `what` for byte `offset` of source `file`, in c's
 * arena; under c's guard, as building the index allocates. */
static strat_status find_sites(Compilation *c, uint32_t file, uint32_t offset,
                               LspNavigate what, const SymbolSite **sites, uint32_t *n)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    *n = 0;
    SymbolSite at;
    if (!c->program || !file || !program_symbol_at(c, file, offset, &at))
        return STRAT_OK;
    if (what == NAV_DEFINITION) {
        SymbolSite *def = ARENA_NEW(&c->arena, SymbolSite);
        if (program_definition(c, &at.sym, def)) {
            *sites = def;
            *n = 1;
        }
        return STRAT_OK;
    }
    *n = program_references(c, &at.sym, what == NAV_REFERENCES_AND_DECL, sites);
    return STRAT_OK;
}

bool lsp_navigate(LspSession *s, const char *uri, LspPosition pos, LspNavigate what,
                  Arena *a, LspLocation **out, uint32_t *n, const char **why)
{
    *out = NULL;
    *n = 0;
    LspChecked k;
    if (!checked_document(s, uri, a, &k, why))
        return false;
    const SymbolSite *sites = NULL;
    uint32_t nsites = 0;
    find_sites(k.c, k.file, checked_offset(&k, pos), what, &sites, &nsites);
    bool ok = !strat_out_of_memory(k.c);
    if (ok) {
        *out = ARENA_ARRAY(a, LspLocation, nsites + 1);
        for (uint32_t i = 0; i < nsites; i++)
            if (sites[i].loc.file)
                (*out)[(*n)++] = (LspLocation){checked_uri(&k, sites[i].loc),
                                               checked_range(&k, sites[i].loc)};
    } else {
        *why = "out of memory";
    }
    checked_close(&k);
    return ok;
}
