/* cli.h — what the command implementations share (main.c and cmd_*.c). */
#ifndef STRAT_CLI_H
#define STRAT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "strat/strat.h"

/* Allocation-failure injection for the tests: see cli_allocator. */
typedef struct FailAlloc {
    unsigned long fail_at;     /* 1-based index of the first failing request */
    unsigned long count;       /* requests seen so far */
} FailAlloc;

typedef struct CliOptions {
    strat_options lib;
    const char *format;        /* --format, NULL for the command's default */
    const char *output;        /* -o FILE */
    bool quiet;
    bool check_only;           /* fmt --check */
    int color;                 /* -1 auto, 0 never, 1 always */
    const char **files;
    int nfiles;
    const char **files2;       /* diff: the NEW side */
    int nfiles2;
    const char *subject;       /* explain: the service */
    strat_sensitivity_options sens;   /* sensitivity: --runs, --spread, ... */
    FailAlloc fail;            /* STRAT_FAIL_ALLOC state */
    strat_allocator fail_alloc;
} CliOptions;

/* The allocator every command gives strat_new: malloc, or with
 * STRAT_FAIL_ALLOC=N one that fails from the Nth request on (tests). */
const strat_allocator *cli_allocator(CliOptions *o);

/* Loads and checks; prints diagnostics to stderr (text).  Returns the
 * compilation (to be freed by the caller) and sets *status. */
strat_compilation *cli_compile(CliOptions *o, const char *const *files,
                               int nfiles, strat_status *status);
void cli_print_diags(strat_compilation *c, const CliOptions *o, FILE *out,
                     strat_diag_format fmt);

/* Writes through a temporary file in the destination's directory, renamed
 * into place only when everything was written: never a partial file. */
typedef struct AtomicFile {
    FILE *fp;
    char *tmp_path;
    const char *path;          /* NULL: stdout */
} AtomicFile;

bool atomic_open(AtomicFile *f, const char *path);
bool atomic_commit(AtomicFile *f);   /* false: reported, nothing written */
void atomic_abort(AtomicFile *f);

#endif
