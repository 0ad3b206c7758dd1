/*
 * analysis.c — the language server's bridge to the library (analysis.h):
 * checking an open document, formatting it, and its outline.
 *
 * Until the library can load a buffer (issue 10: strat_load_buffer with a
 * reader callback, diagnostics as data), this file does what strat_load
 * does, on the library's internal entry points, with no temporary file:
 * the document's text goes in with source_add(), is parsed with
 * parse_source(), and its imports are followed depth first (each file
 * once, a cycle reported) — taking an open document's text where there is
 * one and otherwise reading the file through the same confinement as the
 * command line (load_open_beneath under the project root; the stdlib
 * under its own directory).  Then strat_check() runs and the diagnostics
 * are read off the compilation.  When the library's API lands, the loader
 * below becomes one call and the reading of diagnostics an iterator; the
 * rest of the server does not change.
 *
 * The project root of a check: --root when given; else the workspace
 * folder when the document lies in it; else the document's directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis.h"
#include "compiler.h"
#include "diag.h"
#include "load.h"
#include "source.h"
#include "parse.h"
#include "uri.h"

/* Diagnostics sent for one check at most (the command line's default
 * --max-errors): a file broken everywhere does not flood the editor. */
enum { DEFAULT_MAX_DIAGNOSTICS = 500, MAX_IMPORT_DEPTH = 200 };

typedef struct Loaded {
    const char *real;
    bool loading;              /* on the import stack: importing it is a cycle */
} Loaded;

typedef struct Loader {
    LspSession *s;
    Compilation *c;
    PtrVec loaded;             /* Loaded* */
    PtrVec stack;              /* const char *shown, the files being loaded */
} Loader;

/* `path` with `.` and `..` resolved as text (as load.c does). */
static char *normalize(Arena *a, const char *path)
{
    size_t n = strlen(path);
    char *out = arena_alloc(a, n + 2);
    size_t len = 0;
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        const char *e = strchr(p, '/');
        size_t seg = e ? (size_t)(e - p) : strlen(p);
        if (seg == 0)
            break;
        if (seg == 2 && p[0] == '.' && p[1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--;
        } else if (!(seg == 1 && p[0] == '.')) {
            out[len++] = '/';
            memcpy(out + len, p, seg);
            len += seg;
        }
        p += seg;
    }
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    return out;
}

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

/* The compilation's options: the session's, with a cap on diagnostics. */
static strat_options check_options(LspSession *s)
{
    strat_options o = s->lib;
    o.progress = false;
    o.verbose = false;
    o.hash_inputs = false;
    return o;
}

/* Sets and opens the project root of a check (see the top of the file). */
static bool open_root(LspSession *s, Compilation *c, const char *doc_real)
{
    Arena *a = &c->arena;
    const char *root = NULL;
    if (s->lib.project_root)
        root = canonical(a, s->lib.project_root);
    else {
        const char *ws = canonical(a, s->root);
        if (ws && doc_real && load_path_inside(doc_real, ws))
            root = ws;
        else if (doc_real)
            root = canonical(a, dir_of(a, doc_real));
        else
            root = ws ? ws : canonical(a, ".");
    }
    if (!root) {
        diag_at(c, D_IO, (Loc){0, 0, 0}, "cannot resolve the project root: %s",
                strerror(errno));
        return false;
    }
    int fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        diag_at(c, D_IO, (Loc){0, 0, 0}, "cannot use root `%s`: %s", root,
                strerror(errno));
        return false;
    }
    c->root = root;
    c->root_fd = fd;
    return true;
}

static bool open_stdlib(Compilation *c)
{
    if (c->stdlib_fd >= 0)
        return true;
    char *real = canonical(&c->arena, c->stdlib_dir);
    int fd = real ? open(real, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
    if (fd < 0)
        return false;
    c->stdlib_real = real;
    c->stdlib_fd = fd;
    return true;
}

/* A path as shown in messages: relative to the root when inside it. */
static const char *shown_path(Compilation *c, const char *real)
{
    size_t n = strlen(c->root);
    if (load_path_inside(real, c->root) && real[n] == '/')
        return arena_strndup(&c->arena, real + n + 1, strlen(real + n + 1));
    return real;
}

static Loaded *find_loaded(Loader *L, const char *real)
{
    for (uint32_t i = 0; i < L->loaded.len; i++) {
        Loaded *f = L->loaded.items[i];
        if (strcmp(f->real, real) == 0)
            return f;
    }
    return NULL;
}

static void append_decls(Compilation *c, Decl *list)
{
    for (Decl *d = list; d;) {
        Decl *next = d->next;
        d->next = NULL;
        if (c->decls_tail)
            c->decls_tail->next = d;
        else
            c->decls = d;
        c->decls_tail = d;
        d = next;
    }
}

static void import_file(Loader *L, const char *spec, const char *shown, const char *path,
                        bool is_stdlib, Loc from);

/* Parses a listed source, follows its imports, then adds its
 * declarations (imports first, as strat_load orders them). */
static void load_source(Loader *L, uint32_t id, const char *real)
{
    Compilation *c = L->c;
    Source *src = source_get(c, id);
    Loaded *f = ARENA_NEW(&c->arena, Loaded);
    f->real = real;
    f->loading = true;
    ptrvec_push(&c->arena, &L->loaded, f);
    ptrvec_push(&c->arena, &L->stack, (void *)src->path);
    ParseState ps;
    parse_source(c, id, &ps);
    for (Decl *d = src->decls; d; d = d->next) {
        if (d->kind != D_IMPORT || !d->text.s)
            continue;
        const char *spec = d->text.s;
        size_t n = strlen(spec);
        const char *ext = n > 6 && strcmp(spec + n - 6, ".strat") == 0 ? "" : ".strat";
        if (strncmp(spec, "std/", 4) == 0) {
            if (!c->stdlib_dir) {
                diag_at(c, D_IMPORT_STD, d->text_loc, "cannot import `%s`: the stdlib "
                        "directory is not known (set STRAT_STDLIB)", spec);
            } else if (strstr(spec, "..")) {
                diag_at(c, D_IMPORT_STD, d->text_loc, "unknown stdlib module `%s`", spec);
            } else if (!open_stdlib(c)) {
                diag_at(c, D_IMPORT_STD, d->text_loc, "cannot import `%s`: cannot open the "
                        "stdlib directory `%s`: %s", spec, c->stdlib_dir, strerror(errno));
            } else {
                import_file(L, spec, arena_printf(&c->arena, "<stdlib>/%s%s", spec, ext),
                            arena_printf(&c->arena, "%s/%s%s", c->stdlib_real, spec, ext),
                            true, d->text_loc);
            }
        } else if (src->is_stdlib) {
            diag_at(c, D_IMPORT_ESCAPE, d->text_loc,
                    "stdlib modules may import only std/ modules");
        } else if (spec[0] == '/') {
            diag_at(c, D_IMPORT_ESCAPE, d->text_loc, "import `%s` is an absolute path; "
                    "imports are relative to the importing file", spec);
        } else {
            const char *path = normalize(&c->arena, arena_printf(&c->arena, "%s/%s%s",
                                                                 src->dir, spec, ext));
            import_file(L, spec, shown_path(c, path), path, false, d->text_loc);
        }
    }
    L->stack.len--;
    f->loading = false;
    append_decls(c, src->decls);
}

static void report_cycle(Loader *L, const char *shown, Loc from)
{
    Compilation *c = L->c;
    const char *chain = NULL;
    for (uint32_t i = 0; i < L->stack.len; i++) {
        const char *p = L->stack.items[i];
        if (!chain && strcmp(p, shown) != 0)
            continue;
        chain = chain ? arena_printf(&c->arena, "%s -> %s", chain, p) : p;
    }
    diag_at(c, D_IMPORT_CYCLE, from, "import cycle: %s -> %s", chain ? chain : shown,
            shown);
}

/* An import: an open document's text if one is open at that path, else
 * the file, read beneath the root (or the stdlib directory). */
static void import_file(Loader *L, const char *spec, const char *shown, const char *path,
                        bool is_stdlib, Loc from)
{
    Compilation *c = L->c;
    if (L->stack.len >= MAX_IMPORT_DEPTH) {
        diag_at(c, D_NESTING, from, "imports nested more than %d files deep",
                MAX_IMPORT_DEPTH);
        return;
    }
    Document *open_doc = NULL;
    if (!is_stdlib) {
        if (!load_path_inside(path, c->root)) {
            Diag *dg = diag_at(c, D_IMPORT_ESCAPE, from,
                               "import `%s` leaves the project root", shown);
            diag_hint(c, dg, "%s", ROOT_HINT);
            return;
        }
        open_doc = doc_find_path(L->s, path);
    }
    const char *real = open_doc && open_doc->real ? open_doc->real : path;
    Source *src = NULL;
    if (!open_doc) {
        src = load_prepare_source(c, shown, is_stdlib);
        ptrvec_room(&c->arena, &c->sources);
        Confined r = is_stdlib ? load_open_beneath(c, c->stdlib_fd, c->stdlib_real, path)
                               : load_open_beneath(c, c->root_fd, c->root, path);
        if (r.status == CONFINED_OUTSIDE) {
            Diag *dg = diag_at(c, is_stdlib ? D_IMPORT_STD : D_IMPORT_ESCAPE, from,
                               is_stdlib ? "stdlib module `%s` leaves the stdlib directory"
                                         : "import `%s` leaves the project root", shown);
            if (!is_stdlib)
                diag_hint(c, dg, "%s", ROOT_HINT);
            return;
        }
        if (r.status == CONFINED_FAILED) {
            if (is_stdlib && (r.err == ENOENT || r.err == ENOTDIR)) {
                Diag *dg = diag_at(c, D_IMPORT_STD, from, "unknown stdlib module `%s`",
                                   spec);
                diag_hint(c, dg, "the stdlib ships std/itil");
            } else {
                diag_at(c, D_IO, from, "cannot import `%s`: %s", shown, strerror(r.err));
            }
            return;
        }
        real = r.real;
        /* the same file open under another spelling (a symlink), or read
         * already: its descriptor is not needed */
        open_doc = is_stdlib ? NULL : doc_find_path(L->s, real);
        if (open_doc || find_loaded(L, real)) {
            close(r.fd);
        } else {
            src->real = r.real;
            src->dir = r.dir;
            const char *why;
            DiagCode code;
            if (!load_read_fd(c, r.fd, src, &why, &code)) {
                diag_at(c, code, from, "cannot read `%s`: %s", shown, why);
                return;
            }
        }
    }
    Loaded *seen = find_loaded(L, real);
    if (seen) {
        if (seen->loading)
            report_cycle(L, shown, from);
        return;
    }
    uint32_t id = open_doc ? source_add(c, shown, real, open_doc->text, open_doc->len, false)
                           : load_list_source(c, src);
    load_source(L, id, real);
}

/* The document and what it imports, into c->decls.  STRAT_FAILURE when
 * memory ran out (or the root cannot be used). */
static strat_status load_document(Loader *L, Document *d)
{
    Compilation *c = L->c;
    STRAT_GUARD(c, STRAT_FAILURE);
    c->stdlib_dir = c->opts.stdlib_dir;
    if (!open_root(L->s, c, d->real))
        return STRAT_FAILURE;
    const char *real = d->real ? d->real
                               : arena_printf(&c->arena, "%s/untitled.strat", c->root);
    if (d->len > STRAT_MAX_SOURCE_BYTES) {
        diag_at(c, D_FILE_TOO_LARGE, (Loc){0, 0, 0}, "the document is larger than %zu MiB",
                STRAT_MAX_SOURCE_BYTES >> 20);
        return STRAT_FINDINGS;
    }
    uint32_t id = source_add(c, shown_path(c, real), real, d->text, d->len, false);
    load_source(L, id, real);
    return STRAT_OK;
}

/* ---- diagnostics as data ------------------------------------------------ */

typedef struct Files {
    LspSession *s;
    Compilation *c;
    Arena *a;
    Document *doc;
    uint32_t doc_source;       /* the document's source id */
    const char **uris;         /* per source id, built on first use */
    LineIndex **lines;
} Files;

static const char *file_uri(Files *F, uint32_t file)
{
    if (file == 0 || file > F->c->sources.len || file == F->doc_source)
        return F->doc->uri;
    if (!F->uris[file]) {
        Source *src = source_get(F->c, file);
        Document *open_doc = doc_find_path(F->s, src->real);
        F->uris[file] = open_doc ? open_doc->uri : uri_from_path(F->a, src->real);
    }
    return F->uris[file];
}

static LspRange file_range(Files *F, Loc l)
{
    LspRange none = {{0, 0}, {0, 0}};
    Source *src = source_get(F->c, l.file);
    if (!src)
        return none;
    if (!F->lines[l.file]) {
        LineIndex *li = ARENA_NEW(F->a, LineIndex);
        line_index_build(F->a, li, src->text, src->len);
        F->lines[l.file] = li;
    }
    return line_index_range(F->lines[l.file], l.start, l.end, F->s->encoding);
}

static int lsp_severity(Severity s)
{
    switch (s) {
    case SEV_ERROR: return LSP_SEV_ERROR;
    case SEV_WARNING: return LSP_SEV_WARNING;
    case SEV_INFO: return LSP_SEV_INFORMATION;
    case SEV_NOTE: return LSP_SEV_INFORMATION;
    }
    return LSP_SEV_ERROR;
}

typedef struct SortKey {
    const char *uri;
    uint32_t start, seq;
    const Diag *d;
} SortKey;

static int key_cmp(const void *pa, const void *pb)
{
    const SortKey *a = pa, *b = pb;
    int r = strcmp(a->uri, b->uri);
    if (r)
        return r;
    if (a->start != b->start)
        return a->start < b->start ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void collect(Files *F, LspAnalysis *out)
{
    Compilation *c = F->c;
    Arena *a = F->a;
    uint32_t n = c->diags.len;
    SortKey *keys = ARENA_ARRAY(a, SortKey, n + 1);
    for (uint32_t i = 0; i < n; i++) {
        const Diag *d = c->diags.items[i];
        keys[i] = (SortKey){file_uri(F, d->loc.file), d->loc.start, d->seq, d};
    }
    qsort(keys, n, sizeof *keys, key_cmp);
    uint32_t max = F->s->lib.max_errors ? F->s->lib.max_errors : DEFAULT_MAX_DIAGNOSTICS;
    uint32_t kept = n < max ? n : max;
    out->diags = ARENA_ARRAY(a, LspDiagnostic, kept + 1);
    out->ndiags = kept;
    for (uint32_t i = 0; i < kept; i++) {
        const Diag *d = keys[i].d;
        LspDiagnostic *x = &out->diags[i];
        x->uri = keys[i].uri;
        x->range = file_range(F, d->loc);
        x->severity = lsp_severity(d->severity);
        x->code = diag_info(d->code)->code;
        x->message = d->hint ? arena_printf(a, "%s\nhelp: %s", d->msg, d->hint)
                             : arena_strndup(a, d->msg, strlen(d->msg));
        for (const DiagNote *nt = d->notes; nt; nt = nt->next)
            x->nnotes++;
        x->notes = ARENA_ARRAY(a, LspNote, x->nnotes + 1);
        uint32_t k = 0;
        for (const DiagNote *nt = d->notes; nt; nt = nt->next, k++) {
            x->notes[k].uri = file_uri(F, nt->loc.file);
            x->notes[k].range = file_range(F, nt->loc);
            x->notes[k].message = arena_strndup(a, nt->msg, strlen(nt->msg));
        }
    }
    if (kept < n) {
        /* one line at the top of the document says how many were left out */
        LspDiagnostic *x = &out->diags[out->ndiags++];
        *x = (LspDiagnostic){F->doc->uri, {{0, 0}, {0, 0}}, LSP_SEV_INFORMATION,
                             diag_info(D_TOO_MANY)->code,
                             arena_printf(a, "%u more diagnostics not shown (the limit "
                                          "is %u)", n - kept, max),
                             NULL, 0};
    }
    out->reads = ARENA_ARRAY(a, const char *, c->sources.len + 1);
    for (uint32_t i = 1; i <= c->sources.len; i++) {
        Source *src = source_get(c, i);
        out->reads[out->nreads++] = arena_strndup(a, src->real, strlen(src->real));
    }
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
    strat_options o = check_options(s);
    strat_compilation *c = strat_new(&s->alloc, &o);
    if (!c) {
        *why = "out of memory";
        return false;
    }
    s->checking = c;           /* freed by the server if `a` runs out */
    Loader L = {s, c, {0}, {0}};
    strat_status st = load_document(&L, d);
    if (st == STRAT_OK && !c->oom_happened)
        strat_check(c);
    bool ok = !c->oom_happened;
    if (ok) {
        /* (strat_check's guard has returned: nothing below allocates in
         * c; the document is source 1, added first) */
        Files F = {s, c, a, d, 1, NULL, NULL};
        F.uris = ARENA_ARRAY(a, const char *, c->sources.len + 1);
        F.lines = ARENA_ARRAY(a, LineIndex *, c->sources.len + 1);
        collect(&F, out);
    } else {
        *why = "out of memory";
    }
    s->checking = NULL;
    strat_free(c);
    return ok;
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
    bool ok = st == STRAT_OK && written && !c->oom_happened;
    if (ok) {
        *text = arena_strndup(a, buf ? buf : "", n);
        *len = n;
    } else if (st == STRAT_FINDINGS && c->diags.len) {
        /* the first syntax error, with its place */
        const Diag *first = c->diags.items[0];
        for (uint32_t i = 1; i < c->diags.len; i++) {
            const Diag *x = c->diags.items[i];
            if (x->loc.start < first->loc.start)
                first = x;
        }
        LineIndex li;
        line_index_build(a, &li, d->text, (uint32_t)d->len);
        LspPosition p = line_index_position(&li, first->loc.start, s->encoding);
        *why = arena_printf(a, "cannot format: %s at line %u, character %u [%s]",
                            first->msg, p.line + 1, p.character + 1,
                            diag_info(first->code)->code);
    } else {
        *why = c->oom_happened || !written ? "out of memory" : "cannot format the document";
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
        *c = symbol(O, it->name, it->kind == ITEM_RISK ? "risk" : "stage", SYM_STRUCT,
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
