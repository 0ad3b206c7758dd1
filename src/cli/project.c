/*
 * project.c — finding a project's entry files: the .strat files with a
 * `strategy` block under a directory, and which of them import a file.
 *
 * Takes a directory (the project's top: --root, the nearest directory
 * holding .git, ...) and gives sorted lists of paths.  The files are read
 * as text, not parsed: a `strategy` block is a line starting with
 * `strategy` and then `"` or `{`, an import a line starting with
 * `import "..."`, as `strat fmt` writes them.  That is enough to choose
 * what to compile; the compilation then says what is really there.  Used
 * by `strat check` (cmd_check.c) alone.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "project.h"

#define MAX_SCAN_FILES 20000
#define MAX_SCAN_DEPTH 32
#define MAX_SCAN_BYTES ((off_t)64 << 20)

void project_list_free(ProjectList *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
    l->paths = NULL;
    l->n = 0;
}

/* The whole of a regular file (not a link), NUL-terminated; NULL when it
 * cannot be read or is too large. */
static char *read_text(const char *path, size_t *len)
{
    /* O_NONBLOCK: a FIFO must not hang the scan (it is refused below) */
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_SCAN_BYTES) {
        close(fd);
        return NULL;
    }
    char *buf = malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
        ssize_t k = read(fd, buf + got, (size_t)st.st_size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    if (buf)
        buf[got] = '\0';
    *len = got;
    return buf;
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

typedef struct Node {
    char *path;           /* canonical */
    bool has_strategy;
    char **imports;       /* the files it imports, under the top (lexical) */
    size_t nimports;
} Node;

typedef struct Scan {
    const char *top;      /* canonical: the directory scanned */
    Node *nodes;
    size_t n, cap;
    bool oom;
} Scan;

/* dir/spec(.strat) with `.` and `..` taken lexically, as the loader takes
 * them before it confines a path (load.c); NULL when it names nothing (or
 * std/...) or leaves dir's top.  No system call: an import that leads out
 * of the project must not make the scan look there (realpath() would
 * follow it, and a hostile file could name anything). */
static char *resolve_import(const char *top, const char *dir, const char *spec, size_t len)
{
    if (len == 0 || spec[0] == '/' || (len > 4 && strncmp(spec, "std/", 4) == 0))
        return NULL;
    bool has_ext = len > 6 && strncmp(spec + len - 6, ".strat", 6) == 0;
    char joined[PATH_MAX];
    int k = snprintf(joined, sizeof joined, "%s/%.*s%s", dir, (int)len, spec,
                     has_ext ? "" : ".strat");
    if (k < 0 || (size_t)k >= sizeof joined)
        return NULL;
    char *out = malloc((size_t)k + 2);
    if (!out)
        return NULL;
    size_t n = 0;
    for (const char *p = joined; *p;) {
        while (*p == '/')
            p++;
        size_t seg = strcspn(p, "/");
        if (seg == 2 && p[0] == '.' && p[1] == '.') {
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--;
        } else if (seg > 0 && !(seg == 1 && p[0] == '.')) {
            out[n++] = '/';
            memcpy(out + n, p, seg);
            n += seg;
        }
        p += seg;
    }
    out[n] = '\0';
    size_t nt = strcmp(top, "/") == 0 ? 0 : strlen(top);
    if (strncmp(out, top, nt) != 0 || out[nt] != '/') {
        free(out);
        return NULL;
    }
    return out;
}

bool project_has_strategy(const char *path)
{
    size_t len;
    char *text = read_text(path, &len);
    if (!text)
        return false;
    bool found = false;
    for (const char *p = text, *end = text + len; p < end && !found;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        const char *rest = after_keyword(p, eol, "strategy");
        found = rest && rest < eol && (*rest == '"' || *rest == '{');
        p = eol + 1;
    }
    free(text);
    return found;
}

/* Reads one file into a new node: its strategy block and imports. */
static void scan_file(Scan *s, const char *path)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        Node *nodes = realloc(s->nodes, cap * sizeof *nodes);
        if (!nodes) {
            s->oom = true;
            return;
        }
        s->nodes = nodes;
        s->cap = cap;
    }
    Node *node = &s->nodes[s->n];
    *node = (Node){strdup(path), false, NULL, 0};
    if (!node->path) {
        s->oom = true;
        return;
    }
    s->n++;
    size_t len;
    char *text = read_text(path, &len);
    if (!text)
        return;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    size_t cap = 0;
    for (const char *p = text, *end = text + len; p < end && !s->oom;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *eol = nl ? nl : end;
        const char *rest = after_keyword(p, eol, "strategy");
        if (rest && rest < eol && (*rest == '"' || *rest == '{'))
            node->has_strategy = true;
        rest = after_keyword(p, eol, "import");
        if (rest && rest < eol && *rest == '"') {
            const char *close = memchr(rest + 1, '"', (size_t)(eol - rest - 1));
            char *target = close ? resolve_import(s->top, dir, rest + 1, (size_t)(close - rest - 1))
                                 : NULL;
            if (target && node->nimports == cap) {
                cap = cap ? 2 * cap : 8;
                char **imports = realloc(node->imports, cap * sizeof *imports);
                if (!imports) {
                    free(target);
                    target = NULL;
                    s->oom = true;
                } else {
                    node->imports = imports;
                }
            }
            if (target)
                node->imports[node->nimports++] = target;
        }
        p = eol + 1;
    }
    free(text);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .strat file under dir, in name order, one level at a time. */
static void walk(Scan *s, const char *dir, int depth)
{
    if (depth > MAX_SCAN_DEPTH || s->oom || s->n >= MAX_SCAN_FILES)
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *e; (e = readdir(d));) {
        const char *name = e->d_name;
        if (name[0] == '.' || strcmp(name, "build") == 0 || strcmp(name, "node_modules") == 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 32;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) {
                s->oom = true;
                break;
            }
            names = grown;
        }
        if (!(names[n] = strdup(name))) {
            s->oom = true;
            break;
        }
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        char path[PATH_MAX];
        int k = snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "", names[i]);
        struct stat st;
        if (!s->oom && s->n < MAX_SCAN_FILES && k > 0 && (size_t)k < sizeof path &&
            lstat(path, &st) == 0) {
            size_t len = strlen(names[i]);
            if (S_ISDIR(st.st_mode))
                walk(s, path, depth + 1);
            else if (S_ISREG(st.st_mode) && len > 6 &&
                     strcmp(names[i] + len - 6, ".strat") == 0)
                scan_file(s, path);
        }
        free(names[i]);
    }
    free(names);
}

static int cmp_node(const void *a, const void *b)
{
    return strcmp(((const Node *)a)->path, ((const Node *)b)->path);
}

static Node *find_node(Scan *s, const char *path)
{
    if (!s->n)
        return NULL;
    Node key = {(char *)path, false, NULL, 0};
    return bsearch(&key, s->nodes, s->n, sizeof *s->nodes, cmp_node);
}

/* Does node (index i) import target, directly or through other nodes,
 * by imports that stay under base (the entry's project root: the
 * compilation refuses the others, S0303)?  seen: one flag per node,
 * cleared by the caller. */
static bool reaches(Scan *s, size_t i, const char *target, const char *base, bool *seen)
{
    if (seen[i])
        return false;
    seen[i] = true;
    Node *node = &s->nodes[i];
    size_t nb = strlen(base);
    for (size_t k = 0; k < node->nimports; k++) {
        const char *imp = node->imports[k];
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

char *project_shown_path(const char *path, bool relative)
{
    char cwd[PATH_MAX];
    if (!relative || !getcwd(cwd, sizeof cwd))
        return strdup(path);
    size_t n = strlen(cwd);
    if (n == 1)
        return strdup(path + 1);                 /* cwd is / */
    if (strncmp(path, cwd, n) == 0 && path[n] == '/')
        return strdup(path + n + 1);
    /* the longest common directory (its closing slash at `common`), then
     * one `..` for each directory of cwd below it */
    size_t common = 0;
    for (size_t i = 0; cwd[i] && cwd[i] == path[i]; i++)
        if (cwd[i] == '/')
            common = i;
    size_t ups = 0;
    for (size_t i = common; cwd[i]; i++)
        ups += cwd[i] == '/';
    const char *rest = path + common + 1;
    char *out = malloc(3 * ups + strlen(rest) + 1);
    if (!out)
        return NULL;
    out[0] = '\0';
    for (size_t i = 0; i < ups; i++)
        strcat(out, "../");
    strcat(out, rest);
    return out;
}

char *project_plain_path(const char *file)
{
    char cwd[PATH_MAX];
    if (file[0] != '/' && !getcwd(cwd, sizeof cwd))
        return NULL;
    size_t need = (file[0] == '/' ? 0 : strlen(cwd)) + strlen(file) + 3;
    char *out = malloc(need > PATH_MAX ? need : PATH_MAX);
    if (!out)
        return NULL;
    size_t n = 0;
    if (file[0] != '/') {
        n = strcmp(cwd, "/") == 0 ? 0 : strlen(cwd);
        memcpy(out, cwd, n);
    }
    for (const char *p = file; *p;) {
        while (*p == '/')
            p++;
        size_t seg = strcspn(p, "/");
        if (seg == 2 && p[0] == '.' && p[1] == '.') {
            while (n > 0 && out[n - 1] != '/')
                n--;
            if (n > 0)
                n--;
        } else if (seg > 0 && !(seg == 1 && p[0] == '.')) {
            /* each component, parents first, must not be a link: then
             * lstat never looks past one, and `..` is the real parent */
            out[n] = '/';
            memcpy(out + n + 1, p, seg);
            out[n + 1 + seg] = '\0';
            struct stat st;
            if (lstat(out, &st) != 0 || S_ISLNK(st.st_mode)) {
                free(out);
                return NULL;
            }
            n += 1 + seg;
        }
        p += seg;
    }
    if (n == 0)
        out[n++] = '/';
    out[n] = '\0';
    return out;
}

char *project_top_for(const char *real, const char *root)
{
    if (root)
        return realpath(root, NULL);
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
            return strdup(cur);
        char *up = strrchr(cur, '/');
        if (!up || strcmp(cur, "/") == 0)
            break;
        if (up == cur)
            up[1] = '\0';
        else
            *up = '\0';
    }
    /* else the current directory, when the file is under it; else its own */
    char cwd[PATH_MAX];
    size_t n = getcwd(cwd, sizeof cwd) ? strlen(cwd) : 0;
    if (n > 1 && strncmp(dir, cwd, n) == 0 && (dir[n] == '/' || dir[n] == '\0'))
        return strdup(cwd);
    return strdup(dir);
}

bool project_entries(const char *top, const char *target, const char *root,
                     ProjectList *out)
{
    Scan s = {.top = top};
    out->paths = NULL;
    out->n = 0;
    walk(&s, top, 0);
    if (s.n)
        qsort(s.nodes, s.n, sizeof *s.nodes, cmp_node);
    bool *seen = calloc(s.n + 1, sizeof *seen);
    out->paths = calloc(s.n + 1, sizeof *out->paths);
    if (!seen || !out->paths)
        s.oom = true;
    for (size_t i = 0; i < s.n && !s.oom; i++) {
        if (!s.nodes[i].has_strategy)
            continue;
        if (target) {
            /* the root the entry's own check has: --root, else its directory */
            char base[PATH_MAX];
            snprintf(base, sizeof base, "%s", root ? root : s.nodes[i].path);
            char *slash = root ? NULL : strrchr(base, '/');
            if (slash)
                slash == base ? (void)(base[1] = '\0') : (void)(*slash = '\0');
            memset(seen, 0, s.n * sizeof *seen);
            if (!reaches(&s, i, target, base, seen))
                continue;
        }
        if (!(out->paths[out->n] = strdup(s.nodes[i].path)))
            s.oom = true;
        else
            out->n++;
    }
    for (size_t i = 0; i < s.n; i++) {
        for (size_t k = 0; k < s.nodes[i].nimports; k++)
            free(s.nodes[i].imports[k]);
        free(s.nodes[i].imports);
        free(s.nodes[i].path);
    }
    free(s.nodes);
    free(seen);
    if (s.oom)
        project_list_free(out);
    return !s.oom;
}
