/*
 * project.c — the command line's side of a project's entry files: a
 * file named as a plain canonical path, the directory its entries are
 * searched under (--root, the nearest .git, the current directory), and
 * paths shown as the user would name them.  The scan itself is the
 * library's (strat_find_entries, src/entries.c), shared with the language
 * server.  Used by `strat check` (cmd_check.c) alone.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "project.h"

void project_list_free(ProjectList *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
    l->paths = NULL;
    l->n = 0;
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
