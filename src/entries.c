/*
 * entries.c — finding a project's entry files (entries.h): the .strat
 * files with a `strategy` block under a directory, and which of them
 * import a file.
 *
 * Takes a compilation (its arena, its reader, its project root) and a
 * directory (the project's top: --root, the nearest directory holding
 * .git, the editor's workspace folder) and gives sorted lists of
 * canonical paths.  The files are read as text, not parsed: a `strategy`
 * block is a line starting with `strategy` and then `"` or `{`, an import
 * a line starting with `import "..."`, as `strat fmt` writes them.  That
 * is enough to choose what to compile; the compilation then says what is
 * really there.  An open editor buffer stands in for its file through the
 * reader (strat_set_reader), as it does when the file is compiled.
 *
 * Memory: paths and lists in the arena; a file's text read from disk in a
 * raw block freed once scanned.  The directory, descriptor and text held
 * open at a time are kept in the Scan, so that an allocation failure
 * (which long-jumps) releases them before it goes on to the API's guard.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "entries.h"

#define MAX_SCAN_FILES 20000
#define MAX_SCAN_DEPTH 32
/* directories opened at most: a top of `/` (an editor's workspace, a
 * file in the root directory) must not walk the whole disk */
#define MAX_SCAN_DIRS 20000
#define MAX_SCAN_BYTES ((off_t)64 << 20)

typedef struct Node {
    const char *path;      /* canonical */
    bool has_strategy;
    PtrVec imports;        /* const char *: the files it imports, under the top */
} Node;

typedef struct Scan {
    Compilation *c;
    const char *top;       /* canonical: the directory scanned */
    Node *nodes;
    size_t n, cap;
    size_t dirs;           /* directories opened so far */
    /* what is held while a file or directory is read (released on OOM) */
    DIR *open_dir;
    int open_fd;
    char *raw;             /* a file's text from disk */
    size_t raw_size;
} Scan;

static void release_held(Scan *s)
{
    if (s->open_dir)
        closedir(s->open_dir);
    if (s->open_fd >= 0)
        close(s->open_fd);
    arena_raw_free(&s->c->arena, s->raw, s->raw_size);
    s->open_dir = NULL;
    s->open_fd = -1;
    s->raw = NULL;
    s->raw_size = 0;
}

/* The text of the file at path: the reader's, else the whole of a regular
 * file (not a link) held in s->raw until release_held; NULL when it
 * cannot be read or is too large. */
static const char *file_text(Scan *s, const char *path, size_t *len)
{
    Compilation *c = s->c;
    if (c->reader) {
        const char *text = c->reader(c->reader_ctx, path, len);
        if (text)
            return text;
    }
    /* O_NONBLOCK: a FIFO must not hang the scan (it is refused below) */
    s->open_fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (s->open_fd < 0)
        return NULL;
    struct stat st;
    if (fstat(s->open_fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_SCAN_BYTES) {
        release_held(s);
        return NULL;
    }
    s->raw_size = (size_t)st.st_size + 1;
    s->raw = arena_raw_alloc(&c->arena, s->raw_size);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t k = read(s->open_fd, s->raw + got, (size_t)st.st_size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(s->open_fd);
    s->open_fd = -1;
    s->raw[got] = '\0';
    *len = got;
    return s->raw;
}

/* After blanks, the keyword and then at least one blank: the rest; else NULL. */
static const char *after_keyword(const char *line, const char *end, const char *kw)
{
    while (line < end && (*line == ' ' || *line == '\t'))
        line++;
    size_t n = strlen(kw);
    if ((size_t)(end - line) <= n || strncmp(line, kw, n) != 0 ||
        (line[n] != ' ' && line[n] != '\t'))
        return NULL;
    line += n;
    while (line < end && (*line == ' ' || *line == '\t'))
        line++;
    return line;
}

static bool strategy_line(const char *line, const char *eol)
{
    const char *rest = after_keyword(line, eol, "strategy");
    return rest && rest < eol && (*rest == '"' || *rest == '{');
}

/* Appends path to out[0, *n) (out: room for *n + strlen(path) + 2),
 * taking `.` and `..` lexically, as the loader takes them before it
 * confines a path (load.c).  With check_links each component added is
 * lstat-ed, parents first, and must exist and not be a link: then nothing
 * past a link is looked at, and `..` is the real parent.  False when a
 * component fails that. */
static bool lexical_append(char *out, size_t *n, const char *path, bool check_links)
{
    for (const char *p = path; *p;) {
        while (*p == '/')
            p++;
        size_t seg = strcspn(p, "/");
        if (seg == 2 && p[0] == '.' && p[1] == '.') {
            while (*n > 0 && out[*n - 1] != '/')
                (*n)--;
            if (*n > 0)
                (*n)--;
        } else if (seg > 0 && !(seg == 1 && p[0] == '.')) {
            out[*n] = '/';
            memcpy(out + *n + 1, p, seg);
            out[*n + 1 + seg] = '\0';
            struct stat st;
            if (check_links && (lstat(out, &st) != 0 || S_ISLNK(st.st_mode)))
                return false;
            *n += 1 + seg;
        }
        p += seg;
    }
    out[*n] = '\0';
    return true;
}

/* dir/spec(.strat) taken lexically; NULL when it names nothing (or
 * std/...) or leaves the top.  No system call: an import that leads out
 * of the project must not make the scan look there (realpath() would
 * follow it, and a hostile file could name anything). */
static const char *resolve_import(Scan *s, const char *dir, const char *spec, size_t len)
{
    if (len == 0 || spec[0] == '/' || (len > 4 && strncmp(spec, "std/", 4) == 0))
        return NULL;
    bool has_ext = len > 6 && strncmp(spec + len - 6, ".strat", 6) == 0;
    char joined[PATH_MAX];
    int k = snprintf(joined, sizeof joined, "%s/%.*s%s", dir, (int)len, spec,
                     has_ext ? "" : ".strat");
    if (k < 0 || (size_t)k >= sizeof joined)
        return NULL;
    char out[PATH_MAX + 2];
    size_t n = 0;
    lexical_append(out, &n, joined, false);
    size_t nt = strcmp(s->top, "/") == 0 ? 0 : strlen(s->top);
    if (strncmp(out, s->top, nt) != 0 || out[nt] != '/')
        return NULL;
    return arena_strndup(&s->c->arena, out, n);
}

/* Runs work(s, arg) so that an allocation failure while it holds a
 * directory, descriptor or text open releases them, then goes on to the
 * caller's guard (the API entry point's). */
static void held_run(Scan *s, void (*work)(Scan *, void *), void *arg)
{
    Compilation *c = s->c;
    jmp_buf *outer = c->oom;
    jmp_buf here;
    c->oom = &here;
    c->arena.oom_jump = &here;
    if (setjmp(here)) {
        release_held(s);
        c->oom = outer;
        c->arena.oom_jump = outer;
        longjmp(*outer, 1);
    }
    work(s, arg);
    c->oom = outer;
    c->arena.oom_jump = outer;
}

typedef struct ReadJob {
    const char *path;
    const char *text;
    size_t len;
} ReadJob;

static void read_job(Scan *s, void *arg)
{
    ReadJob *job = arg;
    job->text = file_text(s, job->path, &job->len);
}

bool entries_has_strategy(Compilation *c, const char *path)
{
    Scan *s = ARENA_NEW(&c->arena, Scan);
    s->c = c;
    s->open_fd = -1;
    ReadJob job = {path, NULL, 0};
    held_run(s, read_job, &job);
    const char *text = job.text;
    size_t len = job.len;
    bool found = false;
    for (const char *p = text, *end = text + len; text && p < end && !found;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        found = strategy_line(p, eol);
        p = eol + 1;
    }
    release_held(s);
    return found;
}

/* Reads one file into a new node: its strategy block and imports. */
static void scan_file(Scan *s, const char *path)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        s->nodes = arena_realloc(&s->c->arena, s->nodes, s->cap * sizeof *s->nodes,
                                 cap * sizeof *s->nodes);
        s->cap = cap;
    }
    Node *node = &s->nodes[s->n];
    *node = (Node){arena_strndup(&s->c->arena, path, strlen(path)), false, {0}};
    s->n++;
    size_t len = 0;
    const char *text = file_text(s, path, &len);
    if (!text)
        return;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    for (const char *p = text, *end = text + len; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        if (strategy_line(p, eol))
            node->has_strategy = true;
        const char *rest = after_keyword(p, eol, "import");
        if (rest && rest < eol && *rest == '"') {
            const char *close = memchr(rest + 1, '"', (size_t)(eol - rest - 1));
            const char *target = close ? resolve_import(s, dir, rest + 1,
                                                        (size_t)(close - rest - 1))
                                       : NULL;
            if (target)
                ptrvec_push(&s->c->arena, &node->imports, (void *)target);
        }
        p = eol + 1;
    }
    release_held(s);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .strat file under dir, in name order, one level at a time. */
static void walk(Scan *s, const char *dir, int depth)
{
    if (depth > MAX_SCAN_DEPTH || s->n >= MAX_SCAN_FILES || s->dirs >= MAX_SCAN_DIRS)
        return;
    s->dirs++;
    PtrVec names = {0};
    s->open_dir = opendir(dir);
    if (!s->open_dir)
        return;
    for (struct dirent *e; (e = readdir(s->open_dir));) {
        const char *name = e->d_name;
        if (name[0] == '.' || strcmp(name, "build") == 0 || strcmp(name, "node_modules") == 0)
            continue;
        ptrvec_push(&s->c->arena, &names, arena_strndup(&s->c->arena, name, strlen(name)));
    }
    closedir(s->open_dir);
    s->open_dir = NULL;
    if (names.len)
        qsort(names.items, names.len, sizeof *names.items, cmp_str);
    for (uint32_t i = 0; i < names.len; i++) {
        const char *name = names.items[i];
        char path[PATH_MAX];
        int k = snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", name);
        struct stat st;
        if (s->n < MAX_SCAN_FILES && k > 0 && (size_t)k < sizeof path &&
            lstat(path, &st) == 0) {
            size_t len = strlen(name);
            if (S_ISDIR(st.st_mode))
                walk(s, path, depth + 1);
            else if (S_ISREG(st.st_mode) && len > 6 && strcmp(name + len - 6, ".strat") == 0)
                scan_file(s, path);
        }
    }
}

static int cmp_node(const void *a, const void *b)
{
    return strcmp(((const Node *)a)->path, ((const Node *)b)->path);
}

static Node *find_node(Scan *s, const char *path)
{
    if (!s->n)
        return NULL;
    Node key = {path, false, {0}};
    return bsearch(&key, s->nodes, s->n, sizeof *s->nodes, cmp_node);
}

/* Does node i import target, directly or through other nodes, by imports
 * that stay under base (the entry's project root: the compilation refuses
 * the others, S0303)?  seen: one flag per node, cleared by the caller. */
static bool reaches(Scan *s, size_t i, const char *target, const char *base, bool *seen)
{
    if (seen[i])
        return false;
    seen[i] = true;
    Node *node = &s->nodes[i];
    size_t nb = strlen(base);
    for (uint32_t k = 0; k < node->imports.len; k++) {
        const char *imp = node->imports.items[k];
        if (strncmp(imp, base, nb) != 0 || (imp[nb] != '/' && nb > 1))
            continue;
        if (strcmp(imp, target) == 0)
            return true;
        Node *next = find_node(s, imp);
        if (next && reaches(s, (size_t)(next - s->nodes), target, base, seen))
            return true;
    }
    return false;
}

static void walk_job(Scan *s, void *top)
{
    walk(s, top, 0);
}

strat_status entries_find(Compilation *c, const char *top, const char *target,
                          const char *const **paths, size_t *n)
{
    *paths = NULL;
    *n = 0;
    /* the root every entry's check has when one is set (--root) */
    char root_buf[PATH_MAX];
    const char *root = c->opts.project_root && realpath(c->opts.project_root, root_buf)
                           ? arena_strndup(&c->arena, root_buf, strlen(root_buf))
                           : NULL;
    Scan *s = ARENA_NEW(&c->arena, Scan);
    s->c = c;
    s->top = top;
    s->open_fd = -1;
    held_run(s, walk_job, (void *)top);
    if (s->n)
        qsort(s->nodes, s->n, sizeof *s->nodes, cmp_node);
    bool *seen = ARENA_ARRAY(&c->arena, bool, s->n + 1);
    const char **out = ARENA_ARRAY(&c->arena, const char *, s->n + 1);
    for (size_t i = 0; i < s->n; i++) {
        if (!s->nodes[i].has_strategy)
            continue;
        if (target) {
            /* the root the entry's own check has: --root, else its directory */
            char base[PATH_MAX];
            snprintf(base, sizeof base, "%s", root ? root : s->nodes[i].path);
            char *slash = root ? NULL : strrchr(base, '/');
            if (slash)
                slash == base ? (void)(base[1] = '\0') : (void)(*slash = '\0');
            memset(seen, 0, s->n * sizeof *seen);
            if (!reaches(s, i, target, base, seen))
                continue;
        }
        out[(*n)++] = s->nodes[i].path;
    }
    *paths = out;
    return STRAT_OK;
}

/* file as an absolute path with `.` and `..` resolved, when it exists and
 * no component of it is a link (else NULL): then it is canonical. */
static const char *plain_path(Compilation *c, const char *file)
{
    char cwd[PATH_MAX];
    if (file[0] != '/' && !getcwd(cwd, sizeof cwd))
        return NULL;
    size_t base = file[0] == '/' || strcmp(cwd, "/") == 0 ? 0 : strlen(cwd);
    char *out = arena_alloc(&c->arena, base + strlen(file) + 3);
    memcpy(out, cwd, base);
    size_t n = base;
    if (!lexical_append(out, &n, file, true))
        return NULL;
    if (n == 0)
        out[n++] = '/';
    out[n] = '\0';
    return out;
}

/* The directory the entries of the file at `real` are searched under
 * (entries_importing says which). */
static const char *project_top(Compilation *c, const char *real)
{
    char buf[PATH_MAX];
    if (c->opts.project_root)
        return realpath(c->opts.project_root, buf) ? arena_strndup(&c->arena, buf, strlen(buf))
                                                   : NULL;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", real);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    /* upward to the nearest directory holding .git */
    char cur[PATH_MAX], probe[PATH_MAX + 8];
    snprintf(cur, sizeof cur, "%s", dir);
    for (;;) {
        struct stat st;
        snprintf(probe, sizeof probe, "%s/.git", strcmp(cur, "/") ? cur : "");
        if (lstat(probe, &st) == 0)
            return arena_strndup(&c->arena, cur, strlen(cur));
        char *up = strrchr(cur, '/');
        if (!up || strcmp(cur, "/") == 0)
            break;
        if (up == cur)
            up[1] = '\0';
        else
            *up = '\0';
    }
    /* else the current directory, when the file is under it; else its own */
    size_t n = getcwd(buf, sizeof buf) ? strlen(buf) : 0;
    if (n > 1 && strncmp(dir, buf, n) == 0 && (dir[n] == '/' || dir[n] == '\0'))
        return arena_strndup(&c->arena, buf, n);
    return arena_strndup(&c->arena, dir, strlen(dir));
}

strat_status entries_importing(Compilation *c, const char *file, const char *const **paths,
                               size_t *n)
{
    *paths = NULL;
    *n = 0;
    struct stat st;
    const char *real = plain_path(c, file);
    if (!real || lstat(real, &st) != 0 || !S_ISREG(st.st_mode) ||
        entries_has_strategy(c, real))
        return STRAT_OK;
    const char *top = project_top(c, real);
    return top ? entries_find(c, top, real, paths, n) : STRAT_OK;
}
