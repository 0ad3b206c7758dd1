/* project.h — a project's entry files (project.c): the files with a
 * `strategy` block, found under a directory, and which of them import a
 * given file.  For `strat check FILE` on a file that is only imported, and
 * for `strat check` with no files. */
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

/* True when the file's text has a `strategy` block: a line that starts,
 * after blanks, with `strategy` and then `"` or `{`.  False when it
 * cannot be read. */
bool project_has_strategy(const char *path);

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

/* Every file under top (canonical) with a `strategy` block, skipping
 * hidden directories, build/ and node_modules/, symbolic links, and
 * files over 64 MiB; at most 20000 .strat files, 32 levels deep.  Sorted
 * by path; each shown relative to the current directory when it lies
 * under it (else absolute).  When target (canonical) is given, only the
 * entries that import it, directly or through other files under top, by
 * imports that stay inside the entry's project root (root, canonical,
 * when given: --root; else the entry's directory), as its check will.
 * False when out of memory. */
bool project_entries(const char *top, const char *target, const char *root,
                     ProjectList *out);

/* path (canonical) as the user would name it: relative to the current
 * directory (`../main.strat` too) when relative is true, else as is. */
char *project_shown_path(const char *path, bool relative);

#endif
