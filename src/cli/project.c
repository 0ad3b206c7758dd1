/*
 * project.c — the command line's side of a project's entry files: lists
 * of paths, and paths shown as the user would name them.  Finding them is
 * the library's (strat_find_importers, strat_find_entries; src/entries.c),
 * shared with the language server.  Used by `strat check` (cmd_check.c)
 * alone.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
