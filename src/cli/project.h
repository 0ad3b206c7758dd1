/* project.h — the command line's side of a project's entry files
 * (project.c): plain paths, the directory entries are searched under, and
 * paths as shown; the scan is the library's (strat_find_entries).  For
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

/* file as an absolute path with `.` and `..` resolved, when it exists
 * and no component of it is a symbolic link (else NULL): then it is
 * canonical, and finding it looked at nothing a link leads to (a hostile
 * link must not send the entry scan outside the project). */
char *project_plain_path(const char *file);

/* The directory the entries of the file at `real` (a plain path, above)
 * are searched under: root (--root) when given; else the nearest directory
 * upward from the file's holding .git; else the current directory when it
 * holds the file; else the file's own directory.  Canonical; NULL when
 * out of memory. */
char *project_top_for(const char *real, const char *root);

/* path (canonical) as the user would name it: relative to the current
 * directory (`../main.strat` too) when relative is true, else as is. */
char *project_shown_path(const char *path, bool relative);

#endif
