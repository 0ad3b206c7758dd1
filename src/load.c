/*
 * load.c — the compilation's life and the first stage: reading files,
 * parsing them, and following imports.
 *
 * Takes the file names given on the command line and gives one list of
 * declarations (c->decls) in a fixed order: each file's imports before the
 * file itself, depth first, each file once.  Import paths are relative to
 * the importing file; `std/...` names a module of the stdlib.  A path that
 * leaves the project root (by `..` or through a symlink: paths are compared
 * after realpath) is refused, and so is an import cycle, whose path is
 * printed hop by hop.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compiler.h"
#include "parse.h"

enum { MAX_SOURCE_BYTES = STRAT_MAX_SOURCE_BYTES, MAX_IMPORT_DEPTH = 200 };

static void *default_alloc(void *ud, void *ptr, size_t old, size_t size)
{
    (void)ud;
    (void)old;
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

static void init_names(Compilation *c)
{
#define N(field, text) c->n.field = intern_cstr(c, text)
    N(s, "s"); N(title, "title"); N(owner, "owner"); N(status, "status");
    N(kind, "kind"); N(investment, "investment"); N(supports, "supports");
    N(depends_on, "depends_on"); N(customers, "customers");
    N(suppliers, "suppliers"); N(capability, "capability"); N(cost, "cost");
    N(demand, "demand"); N(metric, "metric"); N(baseline, "baseline");
    N(target, "target"); N(due, "due"); N(weight, "weight");
    N(parent, "parent"); N(horizon, "horizon"); N(budget, "budget");
    N(run_max, "run_max"); N(vision, "vision"); N(currency, "currency");
    N(likelihood, "likelihood"); N(impact, "impact");
    N(accepted_by, "accepted_by"); N(services, "services");
    N(delivers, "delivers"); N(price, "price"); N(support, "support");
    N(when, "when"); N(approver, "approver"); N(key, "key"); N(rule, "rule");
    N(entity, "entity"); N(until, "until"); N(approved_by, "approved_by");
    N(reason, "reason"); N(lead, "lead"); N(retired, "retired");
    N(pipeline, "pipeline"); N(catalogue, "catalogue");
    N(business, "business"); N(supporting, "supporting"); N(run, "run");
    N(grow, "grow"); N(transform, "transform"); N(decision, "decision");
    N(number, "number"); N(string, "string"); N(date, "date");
    N(bool_, "bool"); N(lead_time, "lead_time");
#undef N
}

strat_compilation *strat_new(const strat_allocator *alloc_in,
                             const strat_options *opts)
{
    const strat_allocator a =
        alloc_in ? *alloc_in : (strat_allocator){default_alloc, NULL};
    Compilation *c = a.fn(a.ud, NULL, 0, sizeof *c);
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    c->alloc = a;
    if (opts)
        c->opts = *opts;
    c->oom = &c->oom_storage;
    arena_init(&c->arena, &c->alloc, c->oom);
    c->c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
    if (!c->c_locale) {
        a.fn(a.ud, c, sizeof *c, 0);
        return NULL;
    }
    if (setjmp(c->oom_storage)) {
        strat_free(c);
        return NULL;
    }
    init_names(c);
    return c;
}

void strat_free(strat_compilation *c)
{
    if (!c)
        return;
    digest_join(c);   /* it reads the sources */
    jit_release(c);
    for (uint32_t i = 0; i < c->sources.len; i++) {
        Source *s = c->sources.items[i];
        if (s->owned_raw)
            arena_raw_free(&c->arena, (void *)s->text, (size_t)s->len + 2);
    }
    arena_free_all(&c->arena);
    freelocale(c->c_locale);
    strat_allocator a = c->alloc;
    a.fn(a.ud, c, sizeof *c, 0);
}

/* ---- reading files ---------------------------------------------------- */

/* Reads a whole regular file into a buffer from the compilation's allocator
 * with two NUL bytes after it (flex scans in place).  On failure returns
 * NULL and sets *why to a message. */
char *load_read_file(Compilation *c, const char *path, size_t *len,
                     const char **why, DiagCode *code)
{
    *code = D_IO;
    /* O_NONBLOCK: a FIFO named as a strategy must not hang the open();
     * fstat then refuses anything but a regular file */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        *why = strerror(errno);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        *why = strerror(errno);
        close(fd);
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        *why = "is a directory";
        close(fd);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = "is not a regular file";
        close(fd);
        return NULL;
    }
    if (st.st_size > (off_t)MAX_SOURCE_BYTES) {
        *why = "is larger than 256 MiB";
        *code = D_FILE_TOO_LARGE;
        close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    char *buf = c->alloc.fn(c->alloc.ud, NULL, 0, size + 2);
    if (!buf) {
        close(fd);
        longjmp(*c->arena.oom_jump, 1);
    }
    size_t got = 0;
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            *why = r < 0 ? strerror(errno) : "file shrank while being read";
            c->alloc.fn(c->alloc.ud, buf, size + 2, 0);
            close(fd);
            return NULL;
        }
        got += (size_t)r;
    }
    close(fd);
    buf[size] = buf[size + 1] = '\0';
    *len = size;
    return buf;
}

/* Registers a file read by load_read_file as a source without copying it. */
uint32_t source_adopt(Compilation *c, const char *path,
                             const char *real, char *text, size_t len,
                             bool is_stdlib)
{
    Source *s = ARENA_NEW(&c->arena, Source);
    s->path = arena_strndup(&c->arena, path, strlen(path));
    s->real = arena_strndup(&c->arena, real, strlen(real));
    const char *slash = strrchr(s->real, '/');
    s->dir = slash && slash != s->real
                 ? arena_strndup(&c->arena, s->real, (size_t)(slash - s->real))
                 : "/";
    s->text = text;
    s->len = (uint32_t)len;
    s->is_stdlib = is_stdlib;
    s->owned_raw = true;
    ptrvec_push(&c->arena, &c->sources, s);
    return c->sources.len;
}

/* ---- the import graph ------------------------------------------------- */

typedef enum { FILE_LOADING, FILE_DONE } FileState;

typedef struct LoadedFile {
    const char *real;
    uint32_t source;
    FileState state;
    Loc import_loc;            /* where it was first imported from */
    struct LoadedFile *next;
} LoadedFile;

typedef struct Loader {
    Compilation *c;
    LoadedFile *files;
    PtrVec stack;              /* LoadedFile* being loaded, for cycles */
    PtrVec stack_locs;         /* Loc* of each import on the stack */
} Loader;

static LoadedFile *find_loaded(Loader *L, const char *real)
{
    for (LoadedFile *f = L->files; f; f = f->next)
        if (strcmp(f->real, real) == 0)
            return f;
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

bool path_inside(const char *path, const char *root)
{
    size_t n = strlen(root);
    if (strcmp(root, "/") == 0)
        return true;
    return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static bool load_path(Loader *L, const char *shown, const char *path,
                      bool is_stdlib, Loc from);

static void load_imports(Loader *L, Source *src, bool is_stdlib)
{
    Compilation *c = L->c;
    for (Decl *d = src->decls; d; d = d->next) {
        if (d->kind != D_IMPORT || !d->text.s)
            continue;
        const char *spec = d->text.s;
        bool has_ext = strlen(spec) > 6 && strcmp(spec + strlen(spec) - 6, ".strat") == 0;
        const char *ext = has_ext ? "" : ".strat";
        if (strncmp(spec, "std/", 4) == 0) {
            const char *dir = c->stdlib_dir;
            if (!dir) {
                diag_at(c, D_IMPORT_STD, d->text_loc,
                        "cannot import `%s`: the stdlib directory is not known "
                        "(set STRAT_STDLIB)", spec);
                continue;
            }
            if (strstr(spec, "..")) {
                diag_at(c, D_IMPORT_STD, d->text_loc,
                        "unknown stdlib module `%s`", spec);
                continue;
            }
            char *path = arena_printf(&c->arena, "%s/%s%s", dir, spec, ext);
            char *shown = arena_printf(&c->arena, "<stdlib>/%s%s", spec, ext);
            if (access(path, R_OK) != 0) {
                Diag *dg = diag_at(c, D_IMPORT_STD, d->text_loc,
                                   "unknown stdlib module `%s`", spec);
                diag_hint(c, dg, "the stdlib ships std/itil");
                continue;
            }
            load_path(L, shown, path, true, d->text_loc);
            continue;
        }
        if (is_stdlib) {
            diag_at(c, D_IMPORT_ESCAPE, d->text_loc,
                    "stdlib modules may import only std/ modules");
            continue;
        }
        if (spec[0] == '/') {
            diag_at(c, D_IMPORT_ESCAPE, d->text_loc,
                    "import `%s` is an absolute path; imports are relative "
                    "to the importing file", spec);
            continue;
        }
        char *path = arena_printf(&c->arena, "%s/%s%s", src->dir, spec, ext);
        /* shown relative to the importing file as the user sees it */
        const char *slash = strrchr(src->path, '/');
        char *shown = slash ? arena_printf(&c->arena, "%.*s/%s%s",
                                           (int)(slash - src->path), src->path,
                                           spec, ext)
                            : arena_printf(&c->arena, "%s%s", spec, ext);
        load_path(L, shown, path, false, d->text_loc);
    }
}

static void report_cycle(Loader *L, LoadedFile *target, Loc from)
{
    Compilation *c = L->c;
    Source *ts = source_get(c, target->source);
    const char *chain = ts ? ts->path : target->real;
    bool in = false;
    for (uint32_t i = 0; i < L->stack.len; i++) {
        LoadedFile *f = L->stack.items[i];
        if (f == target) {
            in = true;
            continue;
        }
        if (in) {
            Source *s = source_get(c, f->source);
            chain = arena_printf(&c->arena, "%s -> %s", chain, s ? s->path : f->real);
        }
    }
    Diag *dg = diag_at(c, D_IMPORT_CYCLE, from, "import cycle: %s -> %s", chain,
                       ts ? ts->path : target->real);
    /* the hops of the cycle, from the target down to the importer */
    bool on = false;
    for (uint32_t i = 0; i < L->stack.len; i++) {
        LoadedFile *f = L->stack.items[i];
        if (f == target)
            on = true;
        if (!on || i + 1 >= L->stack.len)
            continue;
        LoadedFile *next = L->stack.items[i + 1];
        Loc *at = L->stack_locs.items[i + 1];
        Source *a = source_get(c, f->source), *b = source_get(c, next->source);
        diag_note(c, dg, *at, "`%s` imports `%s`", a ? a->path : f->real,
                  b ? b->path : next->real);
    }
}

/* `path` with `.` and `..` resolved by text alone, for a root check that
 * does not depend on the target existing. */
static char *lexical_normalize(Compilation *c, const char *path)
{
    size_t n = strlen(path);
    char *out = arena_alloc(&c->arena, n + 2);
    size_t len = 0;
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        const char *e = strchr(p, '/');
        size_t seg = e ? (size_t)(e - p) : strlen(p);
        if (seg == 0)
            break;
        if (seg == 1 && p[0] == '.') {
            /* nothing */
        } else if (seg == 2 && p[0] == '.' && p[1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--;
        } else {
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

/* Returns false only when the file could not be read. */
static bool load_path(Loader *L, const char *shown, const char *path,
                      bool is_stdlib, Loc from)
{
    Compilation *c = L->c;
    char realbuf[PATH_MAX];
    if (from.file && !is_stdlib && c->root && path[0] == '/' &&
        !path_inside(lexical_normalize(c, path), c->root)) {
        Diag *dg = diag_at(c, D_IMPORT_ESCAPE, from,
                           "import `%s` leaves the project root", shown);
        diag_hint(c, dg, "imports stay inside the project root: the directory of the "
                         "first file, or --root DIR");
        return true;
    }
    if (!realpath(path, realbuf)) {
        if (from.file)
            diag_at(c, D_IO, from, "cannot import `%s`: %s", shown, strerror(errno));
        else
            diag_at(c, D_IO, from, "cannot read `%s`: %s", shown, strerror(errno));
        return false;
    }
    if (from.file && !is_stdlib && c->root && !path_inside(realbuf, c->root)) {
        Diag *dg = diag_at(c, D_IMPORT_ESCAPE, from,
                           "import `%s` leaves the project root", shown);
        diag_hint(c, dg, "imports stay inside the project root: the directory of the "
                         "first file, or --root DIR");
        return true;
    }
    LoadedFile *f = find_loaded(L, realbuf);
    if (f) {
        if (f->state == FILE_LOADING)
            report_cycle(L, f, from);
        return true;
    }
    /* imports load by recursion: a chain of thousands would exhaust the
     * C stack, and no real strategy nests files this deep */
    if (L->stack.len >= MAX_IMPORT_DEPTH) {
        diag_at(c, D_NESTING, from, "imports nested more than %d files deep",
                MAX_IMPORT_DEPTH);
        return true;
    }
    size_t len = 0;
    const char *why = NULL;
    DiagCode code;
    char *text = load_read_file(c, realbuf, &len, &why, &code);
    if (!text) {
        diag_at(c, code, from, "cannot read `%s`: %s", shown, why);
        return false;
    }
    f = ARENA_NEW(&c->arena, LoadedFile);
    f->real = arena_strndup(&c->arena, realbuf, strlen(realbuf));
    f->state = FILE_LOADING;
    f->import_loc = from;
    f->next = L->files;
    L->files = f;
    f->source = source_adopt(c, shown, realbuf, text, len, is_stdlib);
    Source *src = source_get(c, f->source);
    ParseState ps;
    parse_source(c, f->source, &ps);
    Loc *at = ARENA_NEW(&c->arena, Loc);
    *at = from;
    ptrvec_push(&c->arena, &L->stack, f);
    ptrvec_push(&c->arena, &L->stack_locs, at);
    load_imports(L, src, is_stdlib);
    L->stack.len--;
    L->stack_locs.len--;
    f->state = FILE_DONE;
    append_decls(c, src->decls);
    return true;
}

strat_status strat_load(strat_compilation *c, const char *const *paths,
                        int npaths)
{
    STRAT_GUARD(c, STRAT_FAILURE);
    c->stdlib_dir = c->opts.stdlib_dir;
    char realbuf[PATH_MAX];
    if (c->opts.project_root) {
        if (!realpath(c->opts.project_root, realbuf)) {
            diag_at(c, D_IO, (Loc){0, 0, 0}, "cannot use root `%s`: %s",
                    c->opts.project_root, strerror(errno));
            return STRAT_FAILURE;
        }
        c->root = arena_strndup(&c->arena, realbuf, strlen(realbuf));
    } else if (npaths > 0 && realpath(paths[0], realbuf)) {
        char *slash = strrchr(realbuf, '/');
        if (slash && slash != realbuf)
            *slash = '\0';
        else
            strcpy(realbuf, "/");
        c->root = arena_strndup(&c->arena, realbuf, strlen(realbuf));
    }
    double t0 = now_ms();
    Loader L = {c, NULL, {0}, {0}};
    /* The files are loaded in name order, whatever order the command line
     * gave: declaration order (rank ties, the inputs hash) must not depend
     * on it.  A file that cannot be read is an I/O failure (exit 2), not a
     * finding in the strategy. */
    const char **sorted = ARENA_ARRAY(&c->arena, const char *, npaths + 1);
    for (int i = 0; i < npaths; i++) {
        int j = i;
        while (j > 0 && strcmp(sorted[j - 1], paths[i]) > 0) {
            sorted[j] = sorted[j - 1];
            j--;
        }
        sorted[j] = paths[i];
    }
    bool io_failed = false;
    for (int i = 0; i < npaths; i++)
        if (!load_path(&L, sorted[i], sorted[i], false, (Loc){0, 0, 0}))
            io_failed = true;
    verbose_time(c, "parse", t0);
    if (io_failed)
        return STRAT_FAILURE;
    return c->nerrors ? STRAT_FINDINGS : STRAT_OK;
}
