/* project.h — the command line's side of a project's entry files
 * (project.c): lists of paths, and paths as shown; finding them is the
 * library's (strat_find_importers, strat_find_entries).  For
 * `strat check FILE` on a file that is only imported, and for
 * `strat check` with no files. */
#ifndef STRAT_CLI_PROJECT_H
#define STRAT_CLI_PROJECT_H

#include <stdbool.h>
#include <stddef.h>

/* Paths (malloc'd), sorted; project_list_free releases them. */
typedef struct ProjectList {
    char **paths;
    size_t n;
} ProjectList;

void project_list_free(ProjectList *l);

/* path (canonical) as the user would name it: relative to the current
 * directory (`../main.strat` too) when relative is true, else as is. */
char *project_shown_path(const char *path, bool relative);

#endif
