/*
 * load.c — the first stage: reading files, parsing them, and following
 * imports.
 *
 * Takes the file names given on the command line and gives one list of
 * declarations (c->decls) in a fixed order: the command-line files in the
 * order of their resolved paths (not of their spelling or of the command
 * line), each file's imports before the file itself, depth first, each
 * file once.  Import paths are relative to the importing file; `std/...`
 * names a module of the stdlib.  An import cycle is refused, its path
 * printed hop by hop.
 *
 * The confinement rule, for every file of the project (command-line files,
 * imports, and CSV loads through load_open_beneath): the project root is
 * resolved once, from --root or else the deepest directory holding the
 * (resolved) directories of all command-line files; a path must lie inside
 * it with `.` and `..` taken as text, and so must the target of each
 * symlink met on the way.  The file is opened by walking down from an open
 * descriptor of the root one component at a time with O_NOFOLLOW, reading
 * each symlink met and starting again from the root with its target
 * spliced in, so nothing outside the root is ever opened or even looked
 * up: a path that leaves the root gets the same message whether its target
 * exists or not.  The file is read through the descriptor that was
 * opened and checked (fstat), never by its name a second time.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "intern.h"
#include "load.h"
#include "parse.h"
#include "source.h"

enum { MAX_SOURCE_BYTES = STRAT_MAX_SOURCE_BYTES, MAX_IMPORT_DEPTH = 200 };

/* ---- opening a file beneath a directory ------------------------------- */

/* Directories on the way are opened only to walk through them: O_PATH
 * where there is one (no read permission needed, as for the kernel's own
 * walk), O_SEARCH where that exists, else for reading. */
#if defined(O_PATH)
#define DIR_WALK_FLAGS (O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#elif defined(O_SEARCH)
#define DIR_WALK_FLAGS (O_SEARCH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#else
#define DIR_WALK_FLAGS (O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
#endif
/* The file itself: O_NOFOLLOW, so that a symlink fails the open and is
 * read instead; O_NONBLOCK, so that a FIFO cannot hang the open (fstat
 * then refuses anything but a regular file). */
#define FILE_OPEN_FLAGS (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)

/* The kernel's own bound on symlinks in one lookup. */
enum { MAX_SYMLINKS = 40 };

bool load_path_inside(const char *path, const char *root)
{
    size_t n = strlen(root);
    if (strcmp(root, "/") == 0)
        return path[0] == '/';
    return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

/* `path` with `.` and `..` resolved by text alone, absolute, with no
 * trailing or doubled slash. */
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

static char *dir_of(Compilation *c, const char *real)
{
    const char *slash = strrchr(real, '/');
    if (!slash || slash == real)
        return "/";
    return arena_strndup(&c->arena, real, (size_t)(slash - real));
}

/* Why not realpath() and then open(): realpath follows links to anywhere,
 * so a dangling link's target cannot be judged (it fails, which tells
 * "missing" from "outside"), and the name can change between the check
 * and the open.  Why not Linux openat2(RESOLVE_BENEATH): container seccomp
 * profiles refuse it, the fallback would be a second implementation that
 * only those machines test, and it gives no canonical path (the order of
 * files and the import cycle check need one).  This walk is one code path
 * on every POSIX system: each step is an openat() relative to a directory
 * already inside, with O_NOFOLLOW, so a link cannot be followed by
 * accident, and a link is read (readlinkat, in a directory already
 * inside) and judged by text before anything it names is looked up.
 *
 * No allocation happens while a descriptor is open (an allocation failure
 * long-jumps), except that the caller gets the file's one open. */
Confined load_open_beneath(Compilation *c, int under_fd, const char *under,
                           const char *path)
{
    Confined r = {CONFINED_FAILED, -1, 0, NULL, NULL};
    char *cur = lexical_normalize(c, path);
    size_t under_len = strcmp(under, "/") == 0 ? 0 : strlen(under);
    char target[PATH_MAX];
    for (int links = 0;; links++) {
        if (!load_path_inside(cur, under)) {
            r.status = CONFINED_OUTSIDE;
            return r;
        }
        char *dir = dir_of(c, cur);
        const char *p = cur + under_len;   /* "" or "/name/name..." */
        if (*p == '\0') {                  /* the directory itself */
            r.fd = openat(under_fd, ".", FILE_OPEN_FLAGS);
            r.err = errno;
            if (r.fd >= 0) {
                r.status = CONFINED_OK;
                r.real = cur;
                r.dir = dir;
            }
            return r;
        }
        int at = under_fd, held = -1;
        const char *link_name = NULL, *rest = NULL;
        ssize_t target_len = -1;
        while (*p) {
            p++;
            const char *slash = strchr(p, '/');
            size_t n = slash ? (size_t)(slash - p) : strlen(p);
            char name[NAME_MAX + 1];
            if (n > NAME_MAX) {
                if (held >= 0)
                    close(held);
                r.err = ENAMETOOLONG;
                return r;
            }
            memcpy(name, p, n);
            name[n] = '\0';
            int fd = openat(at, name, slash ? DIR_WALK_FLAGS : FILE_OPEN_FLAGS);
            int err = errno;
            if (fd >= 0 && slash) {
                struct stat st;
                if (fstat(fd, &st) != 0 || !S_ISDIR(st.st_mode)) {
                    close(fd);
                    fd = -1;
                    err = ENOTDIR;
                }
            }
            if (fd < 0) {
                /* a symlink makes O_NOFOLLOW fail (ELOOP, or ENOTDIR with
                 * O_DIRECTORY; EMLINK or EFTYPE on some BSDs): whatever
                 * the error, a link is what readlinkat can read */
                target_len = readlinkat(at, name, target, sizeof target);
                if (held >= 0)
                    close(held);
                if (target_len < 0) {
                    r.err = err;
                    return r;
                }
                link_name = p;
                rest = slash ? slash : "";
                break;
            }
            if (held >= 0)
                close(held);
            if (!slash) {
                r.status = CONFINED_OK;
                r.fd = fd;
                r.real = cur;
                r.dir = dir;
                return r;
            }
            at = held = fd;
            p = slash;
        }
        /* a symlink at link_name: every descriptor is closed again */
        if (links == MAX_SYMLINKS) {
            r.err = ELOOP;
            return r;
        }
        if (target_len == 0) {
            r.err = ENOENT;
            return r;
        }
        if ((size_t)target_len >= sizeof target) {
            r.err = ENAMETOOLONG;
            return r;
        }
        target[target_len] = '\0';
        /* the target is relative to the link's directory, which is real */
        char *next = target[0] == '/'
                         ? arena_printf(&c->arena, "%s%s", target, rest)
                         : arena_printf(&c->arena, "%.*s/%s%s",
                                        (int)(link_name - 1 - cur), cur, target, rest);
        cur = lexical_normalize(c, next);
    }
}

/* ---- reading files ---------------------------------------------------- */

Source *load_prepare_source(Compilation *c, const char *shown, bool is_stdlib)
{
    Source *s = ARENA_NEW(&c->arena, Source);
    s->path = arena_strndup(&c->arena, shown, strlen(shown));
    s->is_stdlib = is_stdlib;
    return s;
}

/* A CSV file this large is mapped, not read: reading copies every byte
 * into pages the kernel must first zero, which was a fifth of a
 * million-row run.  Smaller files take the allocator, and so do strategy
 * files of any size: the flex scanner writes into its buffer (it holds a
 * character under a NUL as it goes), and a read-only mapping faults. */
enum { MAP_MIN_BYTES = 1 << 20 };

/* Maps fd's size bytes read-only with two NULs after them, as the read
 * path leaves: an anonymous reservation of size + 2 rounded up to pages,
 * the file mapped over its start.  The bytes past the end of the file in
 * its last page read as zero (mmap(2)); a file that ends on a page
 * boundary is followed by the reservation's zero page.  False (nothing
 * mapped) when it cannot be done or the file changed size meanwhile: the
 * caller reads instead.
 *
 * A file truncated by another process while strat runs faults (SIGBUS)
 * where a read would have seen the old bytes: the size is checked once
 * more after mapping, and the CLI turns a later SIGBUS into an I/O error
 * (cli_bus_error: a message, no output file, exit 2). */
static bool map_file(Compilation *c, int fd, size_t size, Source *s)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        return false;
    size_t total = (size + 2 + (size_t)page - 1) / (size_t)page * (size_t)page;
    char *base = mmap(NULL, total, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return false;
    struct stat st;
    if (mmap(base, size, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_POPULATE, fd, 0) ==
            MAP_FAILED ||
        fstat(fd, &st) != 0 || (size_t)st.st_size != size) {
        munmap(base, total);
        return false;
    }
    s->text = base;
    s->len = (uint32_t)size;
    s->mapped_bytes = total;
    if (c->test.pause_after_map_ms) {
        unsigned ms = c->test.pause_after_map_ms < 60000 ? c->test.pause_after_map_ms : 60000;
        struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
        while (nanosleep(&t, &t) != 0 && errno == EINTR)
            ;
    }
    return true;
}

bool load_read_fd(Compilation *c, int fd, Source *s, const char **why,
                  DiagCode *code)
{
    *code = D_IO;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        *why = strerror(errno);
        close(fd);
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        *why = "is a directory";
        close(fd);
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = "is not a regular file";
        close(fd);
        return false;
    }
    if (st.st_size > (off_t)MAX_SOURCE_BYTES) {
        *why = "is larger than 256 MiB";
        *code = D_FILE_TOO_LARGE;
        close(fd);
        return false;
    }
    size_t size = (size_t)st.st_size;
    if (s->is_csv && size >= MAP_MIN_BYTES && map_file(c, fd, size, s)) {
        close(fd);
        c->bytes_read += size;
        c->files_read++;
        return true;
    }
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
            return false;
        }
        got += (size_t)r;
    }
    close(fd);
    buf[size] = buf[size + 1] = '\0';
    s->text = buf;
    s->len = (uint32_t)size;
    s->owned_raw = true;
    c->bytes_read += size;
    c->files_read++;
    return true;
}

uint32_t load_list_source(Compilation *c, Source *s)
{
    ptrvec_push(&c->arena, &c->sources, s);   /* room made: no allocation */
    s->listed = true;
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

/* A file named on the command line, read before any file is parsed so
 * that the files can be taken in the order of their resolved paths. */
typedef struct CmdFile {
    const char *arg;           /* as the user spelled it: shown in diagnostics */
    const char *key;           /* its absolute path, for the order of reading */
    int err;                   /* errno when no path could be made of it */
    Source *src;               /* read, or NULL */
} CmdFile;

typedef struct Loader {
    Compilation *c;
    LoadedFile *files;
    PtrVec stack;              /* LoadedFile* being loaded, for cycles */
    PtrVec stack_locs;         /* Loc* of each import on the stack */
    CmdFile *cmd;              /* read ahead, sorted by real path */
    uint32_t ncmd;
} Loader;

static LoadedFile *find_loaded(Loader *L, const char *real)
{
    for (LoadedFile *f = L->files; f; f = f->next)
        if (strcmp(f->real, real) == 0)
            return f;
    return NULL;
}

/* A command-line file read ahead and not yet loaded, by real path. */
static Source *find_read_ahead(Loader *L, const char *real)
{
    uint32_t lo = 0, hi = L->ncmd;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int d = strcmp(L->cmd[mid].src->real, real);
        if (d == 0)
            return L->cmd[mid].src->listed ? NULL : L->cmd[mid].src;
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
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

static void import_path(Loader *L, const char *spec, const char *shown,
                        const char *path, bool is_stdlib, Loc from);

/* The stdlib directory, resolved and opened on first use. */
static bool open_stdlib(Compilation *c)
{
    if (c->stdlib_fd >= 0)
        return true;
    char real[PATH_MAX];
    if (!c->stdlib_dir || !realpath(c->stdlib_dir, real))
        return false;
    char *kept = arena_strndup(&c->arena, real, strlen(real));
    int fd = open(kept, DIR_WALK_FLAGS & ~O_NOFOLLOW);
    if (fd < 0)
        return false;
    c->stdlib_real = kept;
    c->stdlib_fd = fd;
    return true;
}

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
            if (!c->stdlib_dir) {
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
            if (!open_stdlib(c)) {
                diag_at(c, D_IMPORT_STD, d->text_loc,
                        "cannot import `%s`: cannot open the stdlib directory "
                        "`%s`: %s", spec, c->stdlib_dir, strerror(errno));
                continue;
            }
            char *path = arena_printf(&c->arena, "%s/%s%s", c->stdlib_real, spec, ext);
            char *shown = arena_printf(&c->arena, "<stdlib>/%s%s", spec, ext);
            import_path(L, spec, shown, path, true, d->text_loc);
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
        import_path(L, spec, shown, path, false, d->text_loc);
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

/* Lists a read source, parses it and follows its imports.  f, at and the
 * room in every vector were allocated before the file was opened. */
static void load_source(Loader *L, Source *src, LoadedFile *f, Loc *at, Loc from)
{
    Compilation *c = L->c;
    f->real = src->real;
    f->state = FILE_LOADING;
    f->import_loc = from;
    f->source = load_list_source(c, src);
    f->next = L->files;
    L->files = f;
    *at = from;
    ParseState ps;
    parse_source(c, f->source, &ps);
    ptrvec_push(&c->arena, &L->stack, f);
    ptrvec_push(&c->arena, &L->stack_locs, at);
    load_imports(L, src, src->is_stdlib);
    L->stack.len--;
    L->stack_locs.len--;
    f->state = FILE_DONE;
    append_decls(c, src->decls);
}

/* Copies text the caller supplied (strat_load_buffer, the reader) into s:
 * two NULs after it, as flex scans in place. */
static void set_text(Compilation *c, Source *s, const char *text, size_t len)
{
    char *t = arena_alloc(&c->arena, len + 2);
    if (len)
        memcpy(t, text, len);
    t[len] = t[len + 1] = '\0';
    s->text = t;
    s->len = (uint32_t)len;
    c->bytes_read += len;
}

/* An import the caller's reader supplies (strat_set_reader): asked with the
 * import's absolute path, by text, once it is known to lie inside the
 * project root.  False when the reader has no text for it (the file is then
 * read from disk as usual); true when the import was dealt with. */
static bool import_from_reader(Loader *L, Source *src, LoadedFile *f, Loc *at,
                               const char *path, const char *shown, Loc from)
{
    Compilation *c = L->c;
    const char *real = lexical_normalize(c, path);
    if (!load_path_inside(real, c->root))
        return false;   /* load_open_beneath says it leaves the root */
    LoadedFile *seen = find_loaded(L, real);
    if (seen) {
        if (seen->state == FILE_LOADING)
            report_cycle(L, seen, from);
        return true;
    }
    size_t len = 0;
    const char *text = c->reader(c->reader_ctx, real, &len);
    if (!text)
        return false;
    if (L->stack.len >= MAX_IMPORT_DEPTH) {
        diag_at(c, D_NESTING, from, "imports nested more than %d files deep",
                MAX_IMPORT_DEPTH);
        return true;
    }
    if (len > MAX_SOURCE_BYTES) {
        diag_at(c, D_FILE_TOO_LARGE, from, "cannot read `%s`: is larger than 256 MiB",
                shown);
        return true;
    }
    src->real = real;
    src->dir = dir_of(c, real);
    set_text(c, src, text, len);
    c->files_read++;
    load_source(L, src, f, at, from);
    return true;
}

/* A buffer whose directory does not exist on disk (strat_load_buffer) has
 * no root to open files beneath: what the reader does not supply is
 * missing, or outside. */
static Confined no_root_on_disk(Compilation *c, const char *path)
{
    Confined r = {CONFINED_FAILED, -1, ENOENT, NULL, NULL};
    if (!load_path_inside(lexical_normalize(c, path), c->root))
        r.status = CONFINED_OUTSIDE;
    return r;
}

/* A failed import: "did you mean" over the .strat files that exist in
 * the directory the import looks in (dir, joined to the spec's own
 * directory part) and, for a project import, the stdlib's std/ modules;
 * the fix replaces the import's string, machine-applicable when one
 * candidate alone is closest.  Marks the compilation's failed import, so
 * the undefined names it would have supplied are not reported. */
/* The directory an import's spec is relative to: path is that directory,
 * '/', the spec and maybe ".strat" (load_imports); cut in place (path is
 * the loader's own copy, not used after a failed open). */
static const char *import_base(const char *path, const char *spec)
{
    size_t n = strlen(path), s = strlen(spec);
    bool has_ext = s > 6 && strcmp(spec + s - 6, ".strat") == 0;
    size_t cut = s + (has_ext ? 0 : 6) + 1;
    char *p = (char *)path;
    if (n > cut)
        p[n - cut] = '\0';
    return p;
}

static void import_failed(Compilation *c, Diag *dg, const char *spec,
                          const char *dir, Loc from)
{
    c->failed_import = dg;
    if (dg == &c->diag_sink)
        return;
    size_t slen = strlen(spec);
    if (slen > 6 && strcmp(spec + slen - 6, ".strat") == 0)
        slen -= 6;
    const char *slash = memrchr(spec, '/', slen);
    size_t plen = slash ? (size_t)(slash - spec) + 1 : 0;   /* "shared/" */
    const char *want = arena_strndup(&c->arena, spec, slen);
    const char *dirs[2] = {
        arena_printf(&c->arena, "%s/%.*s", dir, (int)plen, spec),
        c->stdlib_real && strncmp(spec, "std/", 4) != 0
            ? arena_printf(&c->arena, "%s/std", c->stdlib_real) : NULL};
    /* nothing is allocated while a directory is open (an allocation
     * failure jumps out, and would leak it): the closest name so far and
     * how many are that close live in local buffers */
    char best_buf[PATH_MAX], cand[PATH_MAX];
    unsigned best_d = UINT32_MAX, ties = 0;
    for (int k = 0; k < 2; k++) {
        DIR *dp = dirs[k] ? opendir(dirs[k]) : NULL;
        if (!dp)
            continue;
        for (struct dirent *e; (e = readdir(dp));) {
            size_t n = strlen(e->d_name);
            if (n <= 6 || strcmp(e->d_name + n - 6, ".strat") != 0 || e->d_name[0] == '.')
                continue;
            int w = k == 0 ? snprintf(cand, sizeof cand, "%.*s%.*s", (int)plen, spec,
                                      (int)(n - 6), e->d_name)
                           : snprintf(cand, sizeof cand, "std/%.*s", (int)(n - 6), e->d_name);
            if (w < 0 || (size_t)w >= sizeof cand)
                continue;
            Suggester one;
            suggest_begin(&one, want);
            suggest_offer(&one, cand);
            if (!suggest_best(&one))
                continue;
            if (one.best_d < best_d) {
                best_d = one.best_d;
                ties = 1;
                memcpy(best_buf, cand, (size_t)w + 1);
            } else if (one.best_d == best_d) {
                ties++;
                if (strcmp(cand, best_buf) < 0)   /* deterministic: the first */
                    memcpy(best_buf, cand, (size_t)w + 1);
            }
        }
        closedir(dp);
    }
    if (!ties)
        return;
    const char *best = arena_strndup(&c->arena, best_buf, strlen(best_buf));
    bool unique = ties == 1;   /* safe to apply unread */
    diag_hint(c, dg, "did you mean `%s`?", best);
    diag_fix(c, dg, from, arena_printf(&c->arena, "\"%s\"", best), unique);
}

static void import_path(Loader *L, const char *spec, const char *shown,
                        const char *path, bool is_stdlib, Loc from)
{
    Compilation *c = L->c;
    /* everything the file may need, before it is opened */
    Source *src = load_prepare_source(c, shown, is_stdlib);
    LoadedFile *f = ARENA_NEW(&c->arena, LoadedFile);
    Loc *at = ARENA_NEW(&c->arena, Loc);
    ptrvec_room(&c->arena, &c->sources);
    ptrvec_room(&c->arena, &L->stack);
    ptrvec_room(&c->arena, &L->stack_locs);
    if (!is_stdlib && c->reader && import_from_reader(L, src, f, at, path, shown, from))
        return;
    Confined r = is_stdlib ? load_open_beneath(c, c->stdlib_fd, c->stdlib_real, path)
                 : c->root_fd >= 0 ? load_open_beneath(c, c->root_fd, c->root, path)
                                   : no_root_on_disk(c, path);
    if (r.status == CONFINED_OUTSIDE) {
        if (is_stdlib) {
            diag_at(c, D_IMPORT_STD, from,
                    "stdlib module `%s` leaves the stdlib directory", shown);
            return;
        }
        Diag *dg = diag_at(c, D_IMPORT_ESCAPE, from,
                           "import `%s` leaves the project root", shown);
        diag_hint(c, dg, "%s", ROOT_HINT);
        return;
    }
    if (r.status == CONFINED_FAILED) {
        if (is_stdlib && (r.err == ENOENT || r.err == ENOTDIR)) {
            Diag *dg = diag_at(c, D_IMPORT_STD, from, "unknown stdlib module `%s`",
                               spec);
            diag_hint(c, dg, "the stdlib ships std/itil");
            import_failed(c, dg, spec, import_base(path, spec), from);
            return;
        }
        Diag *dg = diag_at(c, D_IO, from, "cannot import `%s`: %s", shown, strerror(r.err));
        if (r.err == ENOENT || r.err == ENOTDIR)
            import_failed(c, dg, spec, import_base(path, spec), from);
        else
            c->failed_import = dg;
        return;
    }
    LoadedFile *seen = find_loaded(L, r.real);
    if (seen) {
        close(r.fd);
        if (seen->state == FILE_LOADING)
            report_cycle(L, seen, from);
        return;
    }
    /* imports load by recursion: a chain of thousands would exhaust the
     * C stack, and no real strategy nests files this deep */
    if (L->stack.len >= MAX_IMPORT_DEPTH) {
        close(r.fd);
        diag_at(c, D_NESTING, from, "imports nested more than %d files deep",
                MAX_IMPORT_DEPTH);
        return;
    }
    Source *ahead = find_read_ahead(L, r.real);
    if (ahead) {
        close(r.fd);   /* named on the command line too: read already */
        load_source(L, ahead, f, at, from);
        return;
    }
    src->real = r.real;
    src->dir = r.dir;
    const char *why;
    DiagCode code;
    if (!load_read_fd(c, r.fd, src, &why, &code)) {
        diag_at(c, code, from, "cannot read `%s`: %s", shown, why);
        return;
    }
    load_source(L, src, f, at, from);
}

/* ---- the command line ------------------------------------------------- */

/* The directory part of a command-line name ("." when it has none) and
 * its last component ("." when it ends in a slash). */
static void split_arg(Compilation *c, const char *arg, const char **dir,
                      const char **base)
{
    const char *slash = strrchr(arg, '/');
    if (!slash) {
        *dir = ".";
        *base = arg;
    } else {
        *dir = slash == arg ? "/" : arena_strndup(&c->arena, arg, (size_t)(slash - arg));
        *base = slash[1] ? slash + 1 : ".";
    }
}

static char *join(Compilation *c, const char *dir, const char *name)
{
    return arena_printf(&c->arena, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/",
                        name);
}

/* The name made absolute by text, from the working directory (which
 * getcwd gives resolved), or NULL. */
static char *absolute_by_text(Compilation *c, const char *arg)
{
    if (arg[0] == '/')
        return lexical_normalize(c, arg);
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof cwd))
        return NULL;
    return lexical_normalize(c, join(c, cwd, arg));
}

/* The absolute path a command-line name stands for.  Its directory is
 * resolved as the shell would (the directories the invoker names are his
 * choice); its last component, which a committed symlink can be, is left
 * to load_open_beneath.  With --root, a name whose text lies in the root
 * is taken as text first, so that a directory that cannot be resolved
 * tells nothing about what lies outside.  NULL, with errno, when the
 * directory cannot be resolved and nothing else applies. */
static char *cmdline_path(Compilation *c, const char *arg)
{
    if (!arg[0]) {
        errno = ENOENT;
        return NULL;
    }
    if (c->opts.project_root) {
        char *text = absolute_by_text(c, arg);
        if (text && load_path_inside(text, c->root))
            return text;
    }
    const char *dir, *base;
    split_arg(c, arg, &dir, &base);
    char real[PATH_MAX];
    if (realpath(dir, real))
        return lexical_normalize(c, join(c, real, base));
    int err = errno;
    if (c->opts.project_root) {
        /* outside, whatever the reason: say so, and nothing more */
        char *text = absolute_by_text(c, arg);
        if (text)
            return text;
    }
    errno = err;
    return NULL;
}

/* A command-line name as shown in diagnostics and outputs: as the user
 * spelled it, less `.` components and doubled slashes, so that `./x` and
 * `x` read the same everywhere (`..` stays: after a symlink it is not
 * text). */
static const char *clean_spelling(Compilation *c, const char *arg)
{
    size_t n = strlen(arg);
    char *out = arena_alloc(&c->arena, n + 2);
    size_t len = 0;
    const char *p = arg;
    if (*p == '/')
        out[len++] = '/';
    while (*p) {
        while (*p == '/')
            p++;
        const char *e = strchr(p, '/');
        size_t seg = e ? (size_t)(e - p) : strlen(p);
        if (seg == 0)
            break;
        if (!(seg == 1 && p[0] == '.')) {
            if (len > 0 && out[len - 1] != '/')
                out[len++] = '/';
            memcpy(out + len, p, seg);
            len += seg;
        }
        p += seg;
    }
    if (len == 0 && n > 0)
        out[len++] = '.';
    out[len] = '\0';
    return out;
}

/* The deepest directory holding both a and b (canonical paths). */
static const char *common_dir(Compilation *c, const char *a, const char *b)
{
    size_t i = 0, last = 0;
    while (a[i] && a[i] == b[i]) {
        if (a[i] == '/')
            last = i;
        i++;
    }
    if ((a[i] == '\0' || a[i] == '/') && (b[i] == '\0' || b[i] == '/'))
        last = i;   /* one is the other's ancestor, or they are equal */
    if (last == 0)
        return "/";
    return arena_strndup(&c->arena, a, last);
}

/* Resolves the project root once: --root, or else the deepest directory
 * holding the resolved directory of every command-line file (so neither
 * the order of the files nor their spelling changes it, and a file that
 * is a dangling symlink leaves it set).  Opens it. */
static bool set_root(Compilation *c, const char *const *paths, int npaths)
{
    char real[PATH_MAX];
    const char *root = NULL;
    if (c->opts.project_root) {
        if (!realpath(c->opts.project_root, real)) {
            diag_at(c, D_IO, (Loc){0, 0, 0}, "cannot use root `%s`: %s",
                    c->opts.project_root, strerror(errno));
            return false;
        }
        root = arena_strndup(&c->arena, real, strlen(real));
    } else {
        for (int i = 0; i < npaths; i++) {
            const char *dir, *base;
            if (!paths[i][0])
                continue;
            split_arg(c, paths[i], &dir, &base);
            if (!realpath(dir, real))
                continue;   /* cannot be read: reported when it is loaded */
            root = root ? common_dir(c, root, real)
                        : arena_strndup(&c->arena, real, strlen(real));
        }
        if (!root) {
            if (!realpath(".", real)) {
                diag_at(c, D_IO, (Loc){0, 0, 0}, "cannot resolve the working "
                        "directory as the project root: %s", strerror(errno));
                return false;
            }
            root = arena_strndup(&c->arena, real, strlen(real));
        }
    }
    int fd = open(root, DIR_WALK_FLAGS & ~O_NOFOLLOW);
    if (fd < 0) {
        diag_at(c, D_IO, (Loc){0, 0, 0}, "cannot use root `%s`: %s",
                c->opts.project_root ? c->opts.project_root : root, strerror(errno));
        return false;
    }
    if (c->root_fd >= 0)
        close(c->root_fd);
    c->root = root;
    c->root_fd = fd;
    return true;
}

static int cmd_by_key(const void *a, const void *b)
{
    const CmdFile *x = a, *y = b;
    int d = strcmp(x->key, y->key);
    return d ? d : strcmp(x->arg, y->arg);
}

/* Files read come first, by real path; ties and the rest by key. */
static int cmd_by_real(const void *a, const void *b)
{
    const CmdFile *x = a, *y = b;
    if (!x->src || !y->src)
        return x->src || y->src ? (x->src == NULL) - (y->src == NULL)
                                : cmd_by_key(a, b);
    int d = strcmp(x->src->real, y->src->real);
    return d ? d : cmd_by_key(a, b);
}

/* Reads one command-line file; false when it cannot be read (an I/O
 * failure: exit 2). */
static bool read_cmdline_file(Compilation *c, CmdFile *cf)
{
    Loc nowhere = {0, 0, 0};
    if (cf->err) {
        diag_at(c, D_IO, nowhere, "cannot read `%s`: %s", cf->arg, strerror(cf->err));
        return false;
    }
    Source *src = load_prepare_source(c, clean_spelling(c, cf->arg), false);
    ptrvec_room(&c->arena, &c->unlisted);
    Confined r = load_open_beneath(c, c->root_fd, c->root, cf->key);
    if (r.status == CONFINED_OUTSIDE) {
        Diag *dg = diag_at(c, D_IMPORT_ESCAPE, nowhere,
                           "cannot read `%s`: it leaves the project root", cf->arg);
        diag_hint(c, dg, "%s", ROOT_HINT);
        return false;
    }
    if (r.status == CONFINED_FAILED) {
        diag_at(c, D_IO, nowhere, "cannot read `%s`: %s", cf->arg, strerror(r.err));
        return false;
    }
    src->real = r.real;
    src->dir = r.dir;
    const char *why;
    DiagCode code;
    if (!load_read_fd(c, r.fd, src, &why, &code)) {
        diag_at(c, code, nowhere, "cannot read `%s`: %s", cf->arg, why);
        return false;
    }
    ptrvec_push(&c->arena, &c->unlisted, src);   /* room made: no allocation */
    cf->src = src;
    return true;
}

/* Where `std/` imports live when the caller names no directory: see
 * load.h. */
const char *load_default_stdlib(void)
{
    const char *env = getenv("STRAT_STDLIB");
    if (env && *env)
        return env;
#ifdef STRAT_SOURCE_STDLIB_DIR
    /* a library used from its build tree, not yet installed */
    if (access(STRAT_STDLIB_DIR "/std/itil.strat", R_OK) != 0 &&
        access(STRAT_SOURCE_STDLIB_DIR "/std/itil.strat", R_OK) == 0)
        return STRAT_SOURCE_STDLIB_DIR;
#endif
    return STRAT_STDLIB_DIR;
}

static void set_stdlib(Compilation *c)
{
    c->stdlib_dir = c->opts.stdlib_dir ? c->opts.stdlib_dir : load_default_stdlib();
}

strat_status load_buffer(Compilation *c, const char *name, const char *text, size_t len)
{
    set_stdlib(c);
    if (!name || !*name)
        name = "untitled.strat";
    if (len > MAX_SOURCE_BYTES) {
        diag_at(c, D_FILE_TOO_LARGE, (Loc){0, 0, 0}, "cannot load `%s`: is larger "
                "than 256 MiB", name);
        return STRAT_FAILURE;
    }
    if (c->opts.project_root && !set_root(c, &name, 1))
        return STRAT_FAILURE;
    /* its absolute path: a relative name lies in the project root when
     * one is given (else in the working directory); its directory is
     * resolved when it exists, else taken by text */
    char *real = c->opts.project_root && name[0] != '/'
                     ? lexical_normalize(c, join(c, c->root, name))
                     : cmdline_path(c, name);
    if (!real)
        real = absolute_by_text(c, name);
    if (!real) {
        diag_at(c, D_IO, (Loc){0, 0, 0}, "cannot load `%s`: %s", name, strerror(errno));
        return STRAT_FAILURE;
    }
    char dirbuf[PATH_MAX];
    const char *dir = dir_of(c, real);
    if (c->opts.project_root) {
        /* set above */
    } else if (realpath(dir, dirbuf)) {
        if (!set_root(c, &name, 1))
            return STRAT_FAILURE;
    } else {
        /* a directory that exists only for the caller: its files come from
         * the reader, and none from disk (no root to open them beneath) */
        c->root = dir;
    }
    double t0 = now_ms();
    Loader L = {c, NULL, {0}, {0}, NULL, 0};
    Source *src = load_prepare_source(c, clean_spelling(c, name), false);
    src->real = real;
    src->dir = dir;
    set_text(c, src, text, len);
    c->files_read++;
    LoadedFile *f = ARENA_NEW(&c->arena, LoadedFile);
    Loc *at = ARENA_NEW(&c->arena, Loc);
    ptrvec_room(&c->arena, &c->sources);
    ptrvec_room(&c->arena, &L.stack);
    ptrvec_room(&c->arena, &L.stack_locs);
    load_source(&L, src, f, at, (Loc){0, 0, 0});
    verbose_time(c, "parse", t0);
    return c->nerrors ? STRAT_FINDINGS : STRAT_OK;
}

strat_status load_files(Compilation *c, const char *const *paths, int npaths_given)
{
    set_stdlib(c);
    int npaths = npaths_given > 0 ? npaths_given : 0;
    if (!set_root(c, paths, npaths))
        return STRAT_FAILURE;
    double t0 = now_ms();
    Loader L = {c, NULL, {0}, {0}, NULL, 0};
    /* Every command-line file is read first, then loaded in the order of
     * its resolved path, whatever the order and spelling of the command
     * line: declaration order (rank ties, the inputs hash) must not depend
     * on either.  A file that cannot be read is an I/O failure (exit 2),
     * not a finding in the strategy. */
    CmdFile *cmd = ARENA_ARRAY(&c->arena, CmdFile, (size_t)npaths + 1);
    for (int i = 0; i < npaths; i++) {
        cmd[i].arg = paths[i];
        cmd[i].key = cmdline_path(c, paths[i]);
        if (!cmd[i].key) {
            cmd[i].err = errno ? errno : ENOENT;
            cmd[i].key = absolute_by_text(c, paths[i]);
            if (!cmd[i].key)
                cmd[i].key = paths[i];
        }
    }
    qsort(cmd, (size_t)npaths, sizeof *cmd, cmd_by_key);
    bool io_failed = false;
    for (int i = 0; i < npaths; i++)
        if (!read_cmdline_file(c, &cmd[i]))
            io_failed = true;
    qsort(cmd, (size_t)npaths, sizeof *cmd, cmd_by_real);
    uint32_t nread = 0;
    for (int i = 0; i < npaths; i++) {
        if (!cmd[i].src)
            break;
        /* the same file named twice: the first spelling in order stands */
        if (nread && strcmp(cmd[nread - 1].src->real, cmd[i].src->real) == 0)
            continue;
        cmd[nread++] = cmd[i];
    }
    L.cmd = cmd;
    L.ncmd = nread;
    for (uint32_t i = 0; i < nread; i++) {
        Source *src = cmd[i].src;
        if (src->listed)
            continue;   /* imported by a file before it */
        LoadedFile *f = ARENA_NEW(&c->arena, LoadedFile);
        Loc *at = ARENA_NEW(&c->arena, Loc);
        ptrvec_room(&c->arena, &c->sources);
        ptrvec_room(&c->arena, &L.stack);
        ptrvec_room(&c->arena, &L.stack_locs);
        load_source(&L, src, f, at, (Loc){0, 0, 0});
    }
    verbose_time(c, "parse", t0);
    if (io_failed)
        return STRAT_FAILURE;
    return c->nerrors ? STRAT_FINDINGS : STRAT_OK;
}

strat_status load_read_file(Compilation *c, const char *path, const char **text,
                            size_t *len)
{
    if (!set_root(c, &path, 1))
        return STRAT_FAILURE;
    CmdFile cf = {path, cmdline_path(c, path), 0, NULL};
    if (!cf.key)
        cf.err = errno ? errno : ENOENT;
    if (!read_cmdline_file(c, &cf))
        return STRAT_FAILURE;
    *text = cf.src->text;
    *len = cf.src->len;
    return STRAT_OK;
}

/* MADV_DONTNEED on a private file mapping never written drops its page
 * table entries only: a later read maps the file's page again, the same
 * bytes, so no pointer into the text goes bad.  The pages stay in the
 * page cache, which is the system's; what goes is their count in strat's
 * resident set (44 MB of a 1M-row CSV, a fifth of the peak). */
void load_drop_mapped_pages(Compilation *c)
{
    for (uint32_t i = 0; i < c->sources.len; i++) {
        Source *s = c->sources.items[i];
        if (s->mapped_bytes)
            madvise((void *)s->text, s->mapped_bytes, MADV_DONTNEED);
    }
}

void load_release(Compilation *c)
{
    for (uint32_t i = 0; i < c->sources.len; i++) {
        Source *s = c->sources.items[i];
        if (s->owned_raw)
            arena_raw_free(&c->arena, (void *)s->text, (size_t)s->len + 2);
        else if (s->mapped_bytes)
            munmap((void *)s->text, s->mapped_bytes);
    }
    for (uint32_t i = 0; i < c->unlisted.len; i++) {
        Source *s = c->unlisted.items[i];
        if (!s->listed && s->owned_raw)
            arena_raw_free(&c->arena, (void *)s->text, (size_t)s->len + 2);
        else if (!s->listed && s->mapped_bytes)
            munmap((void *)s->text, s->mapped_bytes);
    }
    if (c->root_fd >= 0)
        close(c->root_fd);
    if (c->stdlib_fd >= 0)
        close(c->stdlib_fd);
    c->root_fd = c->stdlib_fd = -1;
}
