/*
 * load.h — the first stage (load.c): reading the files of a project and
 * following their imports, under the confinement rule (every file inside
 * the project root), into one list of declarations, c->decls.
 */
#ifndef STRAT_LOAD_H
#define STRAT_LOAD_H

#include "compiler.h"
#include "diag.h"

/* Reads and parses the files named (and what they import) into c->decls.
 * STRAT_FAILURE when a file named cannot be read (an I/O failure, not a
 * finding), else STRAT_FINDINGS if anything was reported, else STRAT_OK. */
strat_status load_files(Compilation *c, const char *const *paths, int npaths);
/* Loads a strategy from memory (strat_load_buffer documents it): `name`
 * places it (relative imports, diagnostics, the project root), `text` is
 * copied.  Its imports come from c->reader first, then from disk. */
strat_status load_buffer(Compilation *c, const char *name, const char *text, size_t len);
/* The stdlib directory used when strat_options.stdlib_dir is NULL:
 * $STRAT_STDLIB if set; else the installed one (STRAT_STDLIB_DIR, from the
 * Makefile's PREFIX); else, when that holds no stdlib and the library was
 * built with STRAT_SOURCE_STDLIB_DIR, the source tree's. */
const char *load_default_stdlib(void);
/* Reads one file under the rule load_files applies to each file named
 * (strat_read_file documents it); STRAT_FAILURE, reported, when refused. */
strat_status load_read_file(Compilation *c, const char *path, const char **text,
                            size_t *len);
/* Frees the texts read from files and closes the directories held open
 * (strat_free; the arena goes after). */
void load_release(Compilation *c);
/* Lets go of the pages of the mapped input files once the rows are in
 * their columns; what reads them later (a diagnostic's source line)
 * faults them back in from the page cache. */
void load_drop_mapped_pages(Compilation *c);

/* The one way strat opens a file of the project (a command-line file, an
 * import, a CSV load).  `path` is absolute; its `.` and `..` are taken as
 * text.  It must lie inside the directory `under` (the project root, or
 * the stdlib directory) and so must every symlink followed on the way, or
 * the result is CONFINED_OUTSIDE without anything outside having been
 * opened; see load.c for how. */
typedef enum ConfinedStatus {
    CONFINED_OK,             /* fd open for reading (not yet fstat'ed) */
    CONFINED_OUTSIDE,        /* leaves `under`: say so, whether it exists or not */
    CONFINED_FAILED          /* inside, but cannot be opened: err */
} ConfinedStatus;

typedef struct Confined {
    ConfinedStatus status;
    int fd;
    int err;                 /* errno, CONFINED_FAILED */
    const char *real;        /* CONFINED_OK: canonical path, in the arena */
    const char *dir;         /* its directory */
} Confined;

/* The help under every "leaves the project root". */
#define ROOT_HINT "every file strat reads must lie inside the project root " \
                  "(--root DIR; by default the deepest directory holding the " \
                  "files named on the command line)"
Confined load_open_beneath(Compilation *c, int under_fd, const char *under,
                           const char *path);
/* A source about to be read: allocated before its file is opened, so that
 * no allocation failure can leave a descriptor or a buffer behind. */
Source *load_prepare_source(Compilation *c, const char *shown, bool is_stdlib);
/* Reads the whole regular file fd into s (two NULs after the text: flex
 * scans in place) and closes fd.  False with *why and *code if it is not a
 * regular file, is too large, or cannot be read. */
bool load_read_fd(Compilation *c, int fd, Source *s, const char **why,
                  DiagCode *code);
/* Lists a read source among c->sources (room made beforehand with
 * ptrvec_room) and returns its id. */
uint32_t load_list_source(Compilation *c, Source *s);
bool load_path_inside(const char *path, const char *root);

#endif
