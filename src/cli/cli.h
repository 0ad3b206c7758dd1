/* cli.h — what the command implementations share (main.c and cmd_*.c). */
#ifndef STRAT_CLI_H
#define STRAT_CLI_H

#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "strat/strat.h"
#include "strat/strat_test.h"

/* Allocation-failure injection for the tests: see cli_allocator. */
typedef struct FailAlloc {
    unsigned long fail_at;     /* 1-based index of the first failing request */
    unsigned long count;       /* requests seen so far */
} FailAlloc;

typedef struct CliOptions {
    strat_options lib;
    strat_test_knobs test;     /* STRAT_CSV_BLOCK (tests) */
    const char *format;        /* --format, NULL for the command's default */
    const char *output;        /* -o FILE */
    bool quiet;
    bool check_only;           /* fmt --check, fix --diff */
    int color;                 /* -1 auto, 0 never, 1 always */
    const char **files;
    int nfiles;
    const char **files2;       /* diff: the NEW side */
    int nfiles2;
    const char *subject;       /* explain: the service */
    strat_sensitivity_options sens;   /* sensitivity: --runs, --spread, ... */
    strat_sql_options sql;     /* sql: --dialect, --table, --view */
    strat_forecast_options forecast;   /* forecast: --horizon, --holdout */
    FailAlloc fail;            /* STRAT_FAIL_ALLOC state */
    strat_allocator fail_alloc;
} CliOptions;

/* The allocator every command gives strat_new: malloc, or with
 * STRAT_FAIL_ALLOC=N one that fails from the Nth request on (tests). */
const strat_allocator *cli_allocator(CliOptions *o);
/* strat_new with the command's allocator and options, its log on stderr. */
strat_compilation *cli_new(CliOptions *o);

/* Loads, checks and decides (the diagnostics wait in the compilation).
 * Returns the compilation (to be freed by the caller) and sets *status;
 * NULL, said on stderr, when memory ran out. */
strat_compilation *cli_compile(CliOptions *o, const char *const *files,
                               int nfiles, strat_status *status);
void cli_print_diags(strat_compilation *c, const CliOptions *o, FILE *out,
                     strat_diag_format fmt);

/* Where an output goes: `-o FILE`, or a file `strat fmt` rewrites.  A
 * regular file (or a new one) is written through a temporary file in its
 * directory, renamed into place only when everything was written: never a
 * partial file.  A character device or FIFO is written through; a symbolic
 * link anywhere in the path, a directory or anything else is refused (see
 * cli.c).  One output is open at a time: its temporary file is what the
 * signal handler removes. */
typedef enum OutputKind {
    OUTPUT_STDOUT,             /* no FILE, `-`, /dev/stdout */
    OUTPUT_THROUGH,            /* a device, FIFO or descriptor of ours */
    OUTPUT_REPLACE,            /* temporary file, fsync, rename */
} OutputKind;

/* What a replaced file is written through (cli.c, replace_write), and
 * the thread that makes it durable as it grows (cli.c, "syncing ahead"). */
typedef struct ReplaceSink {
    int fd;
    off_t written;             /* bytes written */
    off_t started;             /* bytes whose writeback has been started */
    off_t asked;               /* bytes the syncer was last asked to sync */
    off_t writeback_bytes;     /* how often to start the writeback (and, at
                                * twice this, to ask the syncer) */
    bool syncing;              /* the syncer runs */
    bool no_syncer;            /* it could not be started: not tried again */
    /* under `lock` */
    off_t want;                /* bytes the syncer is to make durable */
    bool stop;
    int error;                 /* errno of the syncer's failed fdatasync; 0 */
    pthread_t syncer;
    pthread_mutex_t lock;
    pthread_cond_t wake;
} ReplaceSink;

typedef struct AtomicFile {
    FILE *fp;
    ReplaceSink sink;          /* OUTPUT_REPLACE: fp writes through it */
    const char *path;          /* as given; NULL: stdout */
    OutputKind kind;
    int dir_fd;                /* OUTPUT_REPLACE: the target's directory */
    const char *base;          /* OUTPUT_REPLACE: the target's name in it */
    char tmp_name[NAME_MAX + 1];
} AtomicFile;

bool atomic_open(AtomicFile *f, const char *path);   /* false: reported */

/* The start of a command that writes one report (sql, forecast,
 * showback): cli_compile, then atomic_open of -o.  NULL when there is
 * nothing to write into (memory ran out, errors stop the strategy, or the
 * output cannot be opened: the diagnostics are printed then); else the
 * compilation, *status its status, and *out open. */
strat_compilation *cli_report_start(CliOptions *o, AtomicFile *out, strat_status *status);
/* Its end: *out committed when `written` is STRAT_OK (rc kept, or
 * STRAT_FAILURE if the commit fails), else dropped, with "out of memory"
 * when that was why, and rc STRAT_FAILURE or STRAT_FINDINGS as `written`
 * says; then the diagnostics printed and c freed.  Gives the exit code. */
int cli_report_finish(strat_compilation *c, const CliOptions *o, AtomicFile *out,
                      strat_status written, int rc);
bool atomic_commit(AtomicFile *f);   /* false: reported, nothing replaced */
void atomic_abort(AtomicFile *f);

/* A unified diff of `old` (the file at path) against `new_`, three lines
 * of context, headers `--- a/PATH` and `+++ b/PATH` (cmd_fmt.c; `strat
 * fmt --check` and `strat fix --diff`). */
void cli_unified_diff(FILE *out, const char *path, const char *old, size_t old_len,
                      const char *new_, size_t new_len);

/* Opens path for reading (flags: O_RDONLY and the like) with no symbolic
 * link followed at any step, as outputs are written; -1 when it cannot
 * (reported as "cannot read"). */
int cli_open_no_links(const char *path, int flags);

/* The signals that remove an output's temporary file before strat dies of
 * them (main.c installs cli_fatal_signal for each, unless ignored). */
#define CLI_FATAL_SIGNALS {SIGHUP, SIGINT, SIGPIPE, SIGTERM}
void cli_fatal_signal(int sig);
/* The SIGBUS handler: a mapped input truncated while it was read; removes
 * the output's temporary, says so, exits 2. */
void cli_bus_error(int sig);

#endif
