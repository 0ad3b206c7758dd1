/*
 * entries.h — a project's entry files (entries.c): the .strat files with
 * a `strategy` block under a directory, and which of them import a given
 * file.  For checking a file that is only imported in the context of the
 * strategies that import it (`strat check FILE`, the language server),
 * through strat_is_entry_file and strat_find_entries (api.c).
 */
#ifndef STRAT_ENTRIES_H
#define STRAT_ENTRIES_H

#include <stdbool.h>
#include <stddef.h>

#include "compiler.h"

/* True when the file's text (c->reader's, else the disk's: a regular file
 * that is not a link) has a `strategy` block: a line that starts, after
 * blanks, with `strategy` and then `"` or `{`.  False when it cannot be
 * read.  Its caller arms the compilation's out-of-memory guard. */
bool entries_has_strategy(Compilation *c, const char *path);

/* Every file under top (canonical) with a `strategy` block, skipping
 * hidden directories, build/ and node_modules/, symbolic links and files
 * over 64 MiB; at most 20000 .strat files and 20000 directories, 32
 * levels deep; each file's
 * text from c->reader first, else from disk.  Sorted, canonical, in c's
 * arena.  When target (canonical) is given, only the entries that import
 * it, directly or through other files under top, by imports that stay
 * inside the project root the entry's check has (c->opts.project_root,
 * else the entry's directory).  Imports are resolved by text: nothing
 * outside top is looked at.  Its caller arms the out-of-memory guard
 * (what the scan holds open is released before the jump). */
strat_status entries_find(Compilation *c, const char *top, const char *target,
                          const char *const **paths, size_t *n);

/* The entries that import `file` (a path as given on a command line),
 * found under its project's top: c->opts.project_root, else the nearest
 * directory upward holding .git, else the current directory when it holds
 * the file, else the file's own directory.  None (*n == 0) when the file
 * is not a regular file, is reached through a symbolic link (nothing a
 * link leads to is looked at), or has a `strategy` block itself: such a
 * file is checked as it is.  Its caller arms the out-of-memory guard. */
strat_status entries_importing(Compilation *c, const char *file, const char *const **paths,
                               size_t *n);

#endif
